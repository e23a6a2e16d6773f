-- People's names in pinyin order as their surnames are read. ICU's Chinese collation reads
-- each character by its commonest sound: the surnames 曾 (zēng), 单 (shàn), 仇 (qiú),
-- 查 (zhā), 翟 (zhái), 解 (xiè), 缪 (miào) and 区 (ōu) sort as céng, dān, chóu, chá, dí,
-- jiě, móu and qū. A name starting with one is keyed by a character of the surname's
-- sound and then collated as before. Lists of people (users, reps, the performance
-- report) sort by `person_key(name) COLLATE "zh-x-icu"`; names of organisations and
-- goods by `pinyin_key`, whose first characters read otherwise (单克隆, 解放军).
CREATE FUNCTION person_key(name TEXT) RETURNS TEXT
    LANGUAGE SQL IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE left(name, 1)
        WHEN '曾' THEN '增' || substr(name, 2)
        WHEN '单' THEN '善' || substr(name, 2)
        WHEN '仇' THEN '求' || substr(name, 2)
        WHEN '查' THEN '渣' || substr(name, 2)
        WHEN '翟' THEN '宅' || substr(name, 2)
        WHEN '解' THEN '谢' || substr(name, 2)
        WHEN '缪' THEN '妙' || substr(name, 2)
        WHEN '区' THEN '欧' || substr(name, 2)
        ELSE name
    END;
