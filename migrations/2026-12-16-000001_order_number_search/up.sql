-- An order is found by any part of its number ("1128-0003" finds SO20261128-0003): a
-- trigram index serves `number LIKE '%…%'` for three characters or more. pg_trgm is a
-- trusted extension: the database's owner may create it; on a database the server does
-- not own, its administrator creates it first (then this does nothing).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX orders_number_grams ON orders USING gin (number gin_trgm_ops);
