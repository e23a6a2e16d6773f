ALTER TABLE customer_assignments DROP COLUMN source;
