-- orders.units_delivered now counts units received in good order (实收): units on
-- shipments and replacements confirmed delivered, less those of them reported in
-- transport exceptions (damaged, short, lost). It counted units on original shipments
-- signed for, whole: a parcel two boxes short read as all delivered, and a lost box
-- reshipped and signed for was not counted at all. The counter is kept by the operations
-- under the order's lock; here it is counted afresh for the orders on record.
-- (An order with nothing signed for reads 0 either way.)
WITH received AS (
    SELECT s.order_id, sum(sl.quantity - sl.exception_quantity) AS units
      FROM shipments s
      JOIN shipment_lines sl ON sl.shipment_id = s.id
     WHERE s.delivery_status = 'delivered'
     GROUP BY s.order_id
)
UPDATE orders o
   SET units_delivered = r.units
  FROM received r
 WHERE r.order_id = o.id AND o.units_delivered <> r.units;
