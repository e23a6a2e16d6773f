DROP INDEX invoices_red_of;
CREATE UNIQUE INDEX invoices_red_of ON invoices (red_of_invoice_id) WHERE red_of_invoice_id IS NOT NULL;
