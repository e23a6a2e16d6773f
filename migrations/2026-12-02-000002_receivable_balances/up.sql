-- What is outstanding on each receivable now, kept by a trigger from the ledger: the
-- arrears list, "my work" reminders and the credit hold read today's ageing from here
-- instead of summing the whole ledger (2.6 s over 1.4 million entries). It is a cache of
-- sums over receivable_entries, written only by the trigger in the transaction that
-- posts, so it cannot drift; ageing as of a past date still sums the ledger.
CREATE TABLE receivable_balances (
    shipment_id  BIGINT PRIMARY KEY REFERENCES shipments (id) ON DELETE RESTRICT,
    customer_id  BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    due_date     DATE NOT NULL,
    -- Σ receivable_entries.amount of the shipment, CNY.
    outstanding  NUMERIC(14, 2) NOT NULL
);
CREATE INDEX receivable_balances_open ON receivable_balances (customer_id, due_date)
    WHERE outstanding <> 0;

INSERT INTO receivable_balances (shipment_id, customer_id, due_date, outstanding)
SELECT shipment_id, customer_id, max(due_date), sum(amount)
  FROM receivable_entries WHERE shipment_id IS NOT NULL
 GROUP BY shipment_id, customer_id;

CREATE FUNCTION receivable_balances_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.shipment_id IS NOT NULL THEN
        INSERT INTO receivable_balances (shipment_id, customer_id, due_date, outstanding)
        VALUES (NEW.shipment_id, NEW.customer_id, NEW.due_date, NEW.amount)
        ON CONFLICT (shipment_id) DO UPDATE
            SET outstanding = receivable_balances.outstanding + EXCLUDED.outstanding;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER receivable_balances_post AFTER INSERT ON receivable_entries
    FOR EACH ROW EXECUTE FUNCTION receivable_balances_post();

-- Credit on account (entries on no shipment) per customer.
CREATE INDEX receivable_entries_on_account ON receivable_entries (customer_id)
    WHERE shipment_id IS NULL;
