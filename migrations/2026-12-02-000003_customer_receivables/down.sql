DROP TABLE IF EXISTS customer_receivables;
CREATE OR REPLACE FUNCTION receivable_balances_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.shipment_id IS NOT NULL THEN
        INSERT INTO receivable_balances (shipment_id, customer_id, due_date, outstanding)
        VALUES (NEW.shipment_id, NEW.customer_id, NEW.due_date, NEW.amount)
        ON CONFLICT (shipment_id) DO UPDATE
            SET outstanding = receivable_balances.outstanding + EXCLUDED.outstanding;
    END IF;
    RETURN NULL;
END $$;
