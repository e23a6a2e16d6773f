-- Free goods' sales lines go (the reports miss their units again).
ALTER TABLE sales_lines DISABLE TRIGGER sales_lines_append_only;
DELETE FROM sales_lines WHERE entry_id IS NULL;
ALTER TABLE sales_lines ENABLE TRIGGER sales_lines_append_only;

DROP FUNCTION sales_lines_post_free_deduction(BIGINT, DATE, TIMESTAMPTZ);
DROP FUNCTION sales_lines_post_free_shipment(BIGINT);
ALTER TABLE sales_lines
    DROP CONSTRAINT sales_lines_free_entry,
    ALTER COLUMN entry_id SET NOT NULL;
