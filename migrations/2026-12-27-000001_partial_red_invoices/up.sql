-- A blue invoice may take several red invoices, each reversing part of it (a 销售折让, a
-- deduction after invoicing), until nothing of it is left: the server checks what is left
-- under the customer's ledger lock.
DROP INDEX invoices_red_of;
CREATE INDEX invoices_red_of ON invoices (red_of_invoice_id) WHERE red_of_invoice_id IS NOT NULL;
