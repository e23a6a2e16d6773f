DROP INDEX customer_assignments_history;
DROP INDEX receivable_entries_sales;
