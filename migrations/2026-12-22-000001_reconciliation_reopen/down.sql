-- Reopened periods would lock their days again: they go.
DELETE FROM reconciliations WHERE reopened_at IS NOT NULL;
ALTER TABLE reconciliations
    DROP COLUMN reopen_reason,
    DROP COLUMN reopened_by,
    DROP COLUMN reopened_at;
