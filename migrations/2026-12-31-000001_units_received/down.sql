-- Back to units on original shipments signed for, counted whole.
WITH signed AS (
    SELECT s.order_id, sum(sl.quantity) AS units
      FROM shipments s
      JOIN shipment_lines sl ON sl.shipment_id = s.id
     WHERE s.delivery_status = 'delivered' AND sl.exception_line_id IS NULL
     GROUP BY s.order_id
)
UPDATE orders o
   SET units_delivered = r.units
  FROM signed r
 WHERE r.order_id = o.id AND o.units_delivered <> r.units;
