DROP INDEX IF EXISTS receivable_entries_on_account;
DROP TRIGGER IF EXISTS receivable_balances_post ON receivable_entries;
DROP FUNCTION IF EXISTS receivable_balances_post();
DROP TABLE IF EXISTS receivable_balances;
