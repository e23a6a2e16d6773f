DROP INDEX invoices_number;
CREATE UNIQUE INDEX invoices_number ON invoices (invoicing_entity_id, number);
ALTER TABLE invoices DROP COLUMN code;
