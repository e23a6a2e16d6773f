-- The arrears list sorted by outstanding, largest first (read backwards: smallest first).
CREATE INDEX customer_receivables_largest
    ON customer_receivables (outstanding DESC, customer_id) WHERE outstanding > 0;
