DROP INDEX customers_name;
