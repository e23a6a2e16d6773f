-- A bank reference is matched case and white space aside ("ICBC 20261201-17" is
-- "icbc20261201-17"): the duplicate check finds a receipt keyed again however it was typed.
-- The expression is `payment::like`'s; keep the two the same.
CREATE INDEX payments_reference_key ON payments
    (upper(regexp_replace(reference, '[[:space:]　]', '', 'g')))
    WHERE reference <> '' AND reversed_at IS NULL;
