-- The arrears list at company size (100,000 customers, 280,000 open shipments). Its totals
-- row sums the open balances of every customer matched: the index of open balances now
-- carries the amount, so they are read from the index alone (a sales rep's 5,000
-- customers probe it instead of hashing every open shipment). Its page, when every match
-- is overdue, is read in order (oldest overdue first, then the largest) from the index
-- of customers who owe instead of sorting all of them.
DROP INDEX receivable_balances_open;
CREATE INDEX receivable_balances_open ON receivable_balances (customer_id, due_date)
    INCLUDE (outstanding) WHERE outstanding <> 0;

DROP INDEX customer_receivables_owing;
CREATE INDEX customer_receivables_owing
    ON customer_receivables (oldest_due, outstanding DESC, customer_id) WHERE outstanding > 0;
