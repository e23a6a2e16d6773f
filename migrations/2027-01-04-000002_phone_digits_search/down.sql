-- The extra digit grams do no harm to the search before this migration: nothing to undo.
SELECT 1;
