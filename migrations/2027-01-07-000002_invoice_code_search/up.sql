-- An invoice is found by any part of its code (发票代码) too, as of its number: a
-- trigram index beside the number's, so that `number ILIKE … OR code ILIKE …` is two
-- index scans.
CREATE INDEX invoices_code_grams ON invoices USING gin (code gin_trgm_ops);
