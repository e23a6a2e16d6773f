ALTER TABLE orders DROP COLUMN unit_name;
