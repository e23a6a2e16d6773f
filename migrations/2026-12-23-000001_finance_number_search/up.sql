-- A payment is found by any part of its number or of its bank reference (凭证号), an
-- invoice by any part of its number, case-insensitively: trigram indexes serve
-- `ILIKE '%…%'` for three characters or more (pg_trgm came with the order numbers').
CREATE INDEX payments_number_grams ON payments USING gin (number gin_trgm_ops);
CREATE INDEX payments_reference_grams ON payments USING gin (reference gin_trgm_ops);
CREATE INDEX invoices_number_grams ON invoices USING gin (number gin_trgm_ops);
