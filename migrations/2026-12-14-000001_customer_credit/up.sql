-- What each customer holds on account (预收: paid and not yet applied to a shipment), CNY,
-- kept beside what its open shipments owe, so that the arrears list can say what the
-- customers who paid ahead hold without summing every payment (ops::finance::arrears_credit).
-- No entry posted by a server still on the old trigger between the backfill and the new one.
LOCK TABLE receivable_entries IN SHARE MODE;
ALTER TABLE customer_receivables ADD COLUMN on_account NUMERIC(14, 2) NOT NULL DEFAULT 0;

INSERT INTO customer_receivables (customer_id, outstanding, oldest_due, on_account)
SELECT customer_id, 0, NULL, -sum(amount)
  FROM receivable_entries WHERE shipment_id IS NULL
 GROUP BY customer_id HAVING sum(amount) <> 0
ON CONFLICT (customer_id) DO UPDATE SET on_account = EXCLUDED.on_account;

CREATE OR REPLACE FUNCTION receivable_balances_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.shipment_id IS NOT NULL THEN
        INSERT INTO receivable_balances (shipment_id, customer_id, due_date, outstanding)
        VALUES (NEW.shipment_id, NEW.customer_id, NEW.due_date, NEW.amount)
        ON CONFLICT (shipment_id) DO UPDATE
            SET outstanding = receivable_balances.outstanding + EXCLUDED.outstanding;
        INSERT INTO customer_receivables (customer_id, outstanding, oldest_due)
        SELECT NEW.customer_id, coalesce(sum(outstanding), 0),
               min(due_date) FILTER (WHERE outstanding > 0)
          FROM receivable_balances
         WHERE customer_id = NEW.customer_id AND outstanding <> 0
        ON CONFLICT (customer_id) DO UPDATE
            SET outstanding = EXCLUDED.outstanding, oldest_due = EXCLUDED.oldest_due;
    ELSE
        -- A payment received (negative), reversed, or settled: applied to a shipment
        -- (positive here, negative on the shipment) or moved back on account.
        INSERT INTO customer_receivables (customer_id, outstanding, oldest_due, on_account)
        VALUES (NEW.customer_id, 0, NULL, -NEW.amount)
        ON CONFLICT (customer_id) DO UPDATE
            SET on_account = customer_receivables.on_account + EXCLUDED.on_account;
    END IF;
    RETURN NULL;
END $$;

-- The customers in credit: what they hold on account is more than their open shipments owe.
CREATE INDEX customer_receivables_credit ON customer_receivables (customer_id)
    WHERE on_account > outstanding;
