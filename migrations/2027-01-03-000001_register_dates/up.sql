-- The invoices and write-offs registers read the latest first, a page or (exported) a
-- batch at a time by key (date, id): as payments_date serves the payments register.
CREATE INDEX invoices_date ON invoices (invoice_date, id);
CREATE INDEX write_offs_date ON write_offs (write_off_date, id);
