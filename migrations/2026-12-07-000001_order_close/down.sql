-- Undoing a closing would let its order ship again and charge its remainder: refuse
-- while any order is closed.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM orders WHERE closed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'orders have been closed (结案); reverting would reopen them';
    END IF;
END
$$;

ALTER TABLE orders DROP COLUMN status;
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL GENERATED ALWAYS AS (
    CASE
        WHEN cancelled_at IS NOT NULL THEN 'cancelled'
        WHEN units_shipped = 0 THEN 'pending'
        WHEN units_shipped < units_ordered THEN 'partially_shipped'
        WHEN open_shipments > 0 OR open_exceptions > 0 THEN 'shipped'
        ELSE 'completed'
    END
) STORED;
CREATE INDEX orders_status ON orders (status, order_date, id);

ALTER TABLE orders
    DROP CONSTRAINT orders_close_only_shipped,
    DROP CONSTRAINT orders_close_reason,
    DROP CONSTRAINT orders_closed_by,
    DROP CONSTRAINT orders_closed_amount,
    DROP COLUMN closed_amount,
    DROP COLUMN closed_by,
    DROP COLUMN close_reason,
    DROP COLUMN closed_at;
