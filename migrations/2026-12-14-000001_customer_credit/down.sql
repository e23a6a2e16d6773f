DROP INDEX customer_receivables_credit;
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
ALTER TABLE customer_receivables DROP COLUMN on_account;
