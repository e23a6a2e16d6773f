-- Archived customers listed by name (the list's 已归档 filter): few rows, their own index.
CREATE INDEX customers_archived_name ON customers ((name COLLATE "zh-x-icu"), id) WHERE NOT is_active;
