DROP INDEX drugs_name_order;
CREATE INDEX drugs_name_order ON drugs ((name COLLATE "zh-x-icu"), id);
DROP INDEX customers_archived_name;
CREATE INDEX customers_archived_name ON customers ((name COLLATE "zh-x-icu"), id)
    WHERE NOT is_active;
DROP INDEX customers_name_order;
CREATE INDEX customers_name_order ON customers ((name COLLATE "zh-x-icu"), id);
DROP FUNCTION pinyin_key(TEXT);
