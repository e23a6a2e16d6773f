-- The spellings as typed are not kept apart from the audit log: nothing to undo.
SELECT 1;
