DROP INDEX payments_reference_compact_grams;
CREATE INDEX payments_reference_grams ON payments USING gin (reference gin_trgm_ops);
