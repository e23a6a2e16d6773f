-- 长子 (长子县 in Shanxi, and its towns) is read zhǎng: a name starting with 长子 keeps
-- ICU's own reading of 长 (zhang) instead of the place rule that reads every other
-- leading 长 as cháng (长沙, 长春, 长治). The indexes built on `pinyin_key` are rebuilt
-- for the new keys.
CREATE OR REPLACE FUNCTION pinyin_key(name TEXT) RETURNS TEXT
    LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE
        WHEN name LIKE '长子%' THEN name
        WHEN name LIKE '长%' THEN '常' || substr(name, 2)
        WHEN name LIKE '厦门%' THEN '夏' || substr(name, 2)
        WHEN name LIKE '蚌埠%' THEN '泵' || substr(name, 2)
        WHEN name LIKE '六安%' THEN '陆' || substr(name, 2)
        WHEN name LIKE '番禺%' THEN '潘' || substr(name, 2)
        WHEN name LIKE '单县%' THEN '善' || substr(name, 2)
        WHEN name LIKE '乐清%' THEN '月' || substr(name, 2)
        ELSE name
    END;

REINDEX INDEX customers_name_order;
REINDEX INDEX customers_archived_name;
REINDEX INDEX drugs_name_order;
