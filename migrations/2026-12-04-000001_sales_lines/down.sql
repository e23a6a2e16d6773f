CREATE INDEX receivable_entries_sales ON receivable_entries (entry_date)
    INCLUDE (shipment_id, exception_id, order_id, customer_id, created_at)
    WHERE kind IN ('shipment', 'deduction');
DROP TRIGGER sales_lines_append_only ON sales_lines;
DROP FUNCTION sales_lines_append_only();
DROP TRIGGER sales_lines_post ON receivable_entries;
DROP FUNCTION sales_lines_post();
DROP VIEW sales_lines_due;
DROP FUNCTION customer_rep_at(BIGINT, TEXT, TIMESTAMPTZ);
DROP TABLE sales_lines;
