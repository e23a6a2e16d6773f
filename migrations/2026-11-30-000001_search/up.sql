-- Indexed contains-search for customers and drugs (server/src/search.rs): every run of one
-- to three characters of the searchable texts and of the names' pinyin initials (every
-- reading of every multi-reading character), under a GIN index; and the initials each
-- character may have, for the exact test of a pinyin query. Filled by the server (pinyin
-- needs its dictionary): rows written before this migration are filled at the next start.

ALTER TABLE customers DROP COLUMN pinyin_initials;
ALTER TABLE customers ADD COLUMN search_grams TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE customers ADD COLUMN pinyin_sets TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_search_grams ON customers USING gin (search_grams);
-- Lists are in pinyin order of the name and paged by (name, id).
CREATE INDEX customers_name_order ON customers ((name COLLATE "zh-x-icu"), id);

ALTER TABLE drugs DROP COLUMN pinyin_initials;
ALTER TABLE drugs ADD COLUMN search_grams TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE drugs ADD COLUMN pinyin_sets TEXT NOT NULL DEFAULT '';
CREATE INDEX drugs_search_grams ON drugs USING gin (search_grams);
CREATE INDEX drugs_name_order ON drugs ((name COLLATE "zh-x-icu"), id);
