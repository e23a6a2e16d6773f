DROP INDEX drugs_pinyin_grams;
ALTER TABLE drugs DROP COLUMN pinyin_grams;
DROP INDEX customers_pinyin_grams;
ALTER TABLE customers DROP COLUMN pinyin_grams;
-- The earlier server stores initials in `pinyin_sets`: mark every row for it to refill
-- when it starts, as the up migration does for this one.
UPDATE customers SET pinyin_sets = '';
UPDATE drugs SET pinyin_sets = '';
