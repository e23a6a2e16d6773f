-- The extension stays: a database's administrator may have installed it for others.
DROP INDEX orders_number_grams;
