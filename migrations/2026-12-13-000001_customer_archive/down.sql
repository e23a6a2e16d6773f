DROP INDEX customers_archived_name;
