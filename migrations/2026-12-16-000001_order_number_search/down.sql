DROP INDEX orders_number_grams;
DROP EXTENSION IF EXISTS pg_trgm;
