-- 待审批: an order a rep places for a customer on credit hold (overdue past the hold days,
-- or past its credit limit with this order) when they may not override the hold
-- themselves. It waits, with the rep's reason (in the audit log), for someone holding
-- `order.credit_override` over it to approve it (it becomes 待发货, the override audited
-- with the approver's reason) or to cancel it (驳回, with a reason). Until then nothing of
-- it ships and it counts towards no credit exposure: the approval is the decision to let
-- it count.

ALTER TABLE orders
    ADD COLUMN awaiting_approval BOOLEAN NOT NULL DEFAULT false,
    ADD CONSTRAINT orders_awaiting_unshipped
        CHECK (NOT awaiting_approval OR (units_shipped = 0 AND closed_at IS NULL));

-- The status expression gains the case. PostgreSQL 15 cannot change a generated column's
-- expression, so the column (and its index) is made again.
ALTER TABLE orders DROP COLUMN status;
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL GENERATED ALWAYS AS (
    CASE
        WHEN cancelled_at IS NOT NULL THEN 'cancelled'
        WHEN awaiting_approval THEN 'awaiting_approval'
        WHEN units_shipped = 0 THEN 'pending'
        WHEN units_shipped < units_ordered AND closed_at IS NULL THEN 'partially_shipped'
        WHEN open_shipments > 0 OR open_exceptions > 0 THEN 'shipped'
        ELSE 'completed'
    END
) STORED;
CREATE INDEX orders_status ON orders (status, order_date, id);
