ALTER TABLE order_lines DROP COLUMN list_price;
