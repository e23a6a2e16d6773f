-- Search finds names by full pinyin and by pinyin mixed with initials (`changsha`,
-- `changssc` find 长沙市长寿堂大药房), not only by initials: `pinyin_sets` now holds each
-- character's readings (`|chang,zhang|sha|shi|`) instead of their initials, and the new
-- `pinyin_grams` the runs of letters such pinyin holds (`search::pinyin_grams`). They are
-- a column of their own, and `search_grams` keeps the texts' grams alone (the names'
-- initials, which it held, are among the pinyin's): a search for Chinese text or a
-- phone reads only that. Both need the pinyin dictionary, which SQL
-- does not have: emptying `pinyin_sets` marks the rows, and the server refills them when
-- it starts (`customer::backfill_search`, `drug::backfill_search`), before it serves.
ALTER TABLE customers ADD COLUMN pinyin_grams text[] NOT NULL DEFAULT '{}';
CREATE INDEX customers_pinyin_grams ON customers USING gin (pinyin_grams);
ALTER TABLE drugs ADD COLUMN pinyin_grams text[] NOT NULL DEFAULT '{}';
CREATE INDEX drugs_pinyin_grams ON drugs USING gin (pinyin_grams);
UPDATE customers SET pinyin_sets = '';
UPDATE drugs SET pinyin_sets = '';
