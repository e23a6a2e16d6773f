-- 结案: closing what remains of a part-shipped order. The customer will not take the rest,
-- so the units not shipped are given up: the order ships nothing more (replacements for its
-- transport exceptions still go), its remainder no longer counts towards the customer's
-- credit exposure, and its status goes on as if every unit had shipped: 已发货 while a
-- shipment is in transit or an exception open, then 已完成. The ledger is untouched: the
-- receivable arises at shipment, so what was never shipped was never owed. The amount
-- given up is stored when closing (Σ over its lines of the line amount less the part
-- charged for the units shipped, `money::part_amount`), and the order's net is
-- total − deductions − closed_amount.
--
-- Closing is for an order with something shipped; one with nothing shipped is cancelled.

ALTER TABLE orders
    ADD COLUMN closed_at    TIMESTAMPTZ,
    ADD COLUMN close_reason TEXT NOT NULL DEFAULT '',
    ADD COLUMN closed_by    BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    ADD COLUMN closed_amount NUMERIC(14, 2) NOT NULL DEFAULT 0
        CHECK (closed_amount >= 0 AND closed_amount <= total),
    ADD CONSTRAINT orders_closed_amount CHECK (closed_at IS NOT NULL OR closed_amount = 0),
    ADD CONSTRAINT orders_closed_by CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
    ADD CONSTRAINT orders_close_reason CHECK (closed_at IS NULL OR length(btrim(close_reason)) > 0),
    ADD CONSTRAINT orders_close_only_shipped
        CHECK (closed_at IS NULL OR (units_shipped > 0 AND cancelled_at IS NULL));

-- The status expression gains the closed case. PostgreSQL 15 cannot change a generated
-- column's expression, so the column (and its index) is made again.
ALTER TABLE orders DROP COLUMN status;
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL GENERATED ALWAYS AS (
    CASE
        WHEN cancelled_at IS NOT NULL THEN 'cancelled'
        WHEN units_shipped = 0 THEN 'pending'
        WHEN units_shipped < units_ordered AND closed_at IS NULL THEN 'partially_shipped'
        WHEN open_shipments > 0 OR open_exceptions > 0 THEN 'shipped'
        ELSE 'completed'
    END
) STORED;
CREATE INDEX orders_status ON orders (status, order_date, id);
-- The order search's 已结案 filter pages by (order_date, id) among the few closed orders.
CREATE INDEX orders_closed ON orders (order_date, id) WHERE closed_at IS NOT NULL;
