DROP INDEX customer_followups_latest;
DROP INDEX customers_archived_name;
