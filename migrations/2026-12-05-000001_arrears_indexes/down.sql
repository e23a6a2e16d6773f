DROP INDEX customer_receivables_owing;
CREATE INDEX customer_receivables_owing ON customer_receivables (oldest_due, customer_id)
    WHERE outstanding > 0;

DROP INDEX receivable_balances_open;
CREATE INDEX receivable_balances_open ON receivable_balances (customer_id, due_date)
    WHERE outstanding <> 0;
