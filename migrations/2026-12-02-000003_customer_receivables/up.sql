-- Per customer, what the open shipments add up to and the oldest due date among them,
-- recomputed by the same trigger from the customer's open balances: the arrears list
-- sorts and pages customers from here, and ages only the page's.
CREATE TABLE customer_receivables (
    customer_id  BIGINT PRIMARY KEY REFERENCES customers (id) ON DELETE RESTRICT,
    -- Σ receivable_balances.outstanding of the customer's open shipments, CNY.
    outstanding  NUMERIC(14, 2) NOT NULL,
    -- The oldest due date of a shipment with something outstanding; NULL when none.
    oldest_due   DATE
);
CREATE INDEX customer_receivables_owing ON customer_receivables (oldest_due, customer_id)
    WHERE outstanding > 0;

INSERT INTO customer_receivables (customer_id, outstanding, oldest_due)
SELECT customer_id, sum(outstanding), min(due_date) FILTER (WHERE outstanding > 0)
  FROM receivable_balances WHERE outstanding <> 0 GROUP BY customer_id;

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
    END IF;
    RETURN NULL;
END $$;
