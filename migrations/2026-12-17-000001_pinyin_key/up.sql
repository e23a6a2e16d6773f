-- Names in pinyin order as a reader expects for place names. ICU's Chinese collation reads
-- each character by its commonest sound, so 长春 and 长沙 sort as "zhang" (after 中山),
-- 厦门 as "sha". A name starting with one of these places is keyed by a character of the
-- place's own sound (长 → 常 cháng, 厦门 → 夏 xià, …) and then collated as before. Every
-- list sorted by a Chinese name sorts by `pinyin_key(name) COLLATE "zh-x-icu"`.
CREATE FUNCTION pinyin_key(name TEXT) RETURNS TEXT
    LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE
        WHEN name LIKE '长%' THEN '常' || substr(name, 2)
        WHEN name LIKE '厦门%' THEN '夏' || substr(name, 2)
        WHEN name LIKE '蚌埠%' THEN '泵' || substr(name, 2)
        WHEN name LIKE '六安%' THEN '陆' || substr(name, 2)
        WHEN name LIKE '番禺%' THEN '潘' || substr(name, 2)
        WHEN name LIKE '单县%' THEN '善' || substr(name, 2)
        WHEN name LIKE '乐清%' THEN '月' || substr(name, 2)
        ELSE name
    END;

DROP INDEX customers_name_order;
CREATE INDEX customers_name_order ON customers ((pinyin_key(name) COLLATE "zh-x-icu"), id);
DROP INDEX customers_archived_name;
CREATE INDEX customers_archived_name ON customers ((pinyin_key(name) COLLATE "zh-x-icu"), id)
    WHERE NOT is_active;
DROP INDEX drugs_name_order;
CREATE INDEX drugs_name_order ON drugs ((pinyin_key(name) COLLATE "zh-x-icu"), id);
