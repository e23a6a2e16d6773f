-- 赠品 (free goods): lines at price 0. A shipment whose lines are all free owes nothing and
-- posts nothing to the receivables ledger, nor does a deduction of free units only (value
-- 0), so the ledger's trigger never wrote their sales lines and the drug-sales report
-- missed their units. Their sales lines are written without a ledger entry, at amount 0,
-- by the functions below, which the finance operations call where they post nothing.
ALTER TABLE sales_lines
    ALTER COLUMN entry_id DROP NOT NULL,
    ADD CONSTRAINT sales_lines_free_entry CHECK (entry_id IS NOT NULL OR amount = 0);

-- The sales lines of free shipment `shipment` (not a replacement), dated its ship date,
-- credited to the reps responsible for the customer when it was posted (as the ledger's
-- trigger does). Does nothing for a shipment that owes money or has its rows already.
CREATE FUNCTION sales_lines_post_free_shipment(shipment BIGINT) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO sales_lines (entry_id, sale_date, drug_id, order_id, customer_id,
                             shipment_line_id, sales_rep_id, cs_rep_id, quantity, amount)
    SELECT NULL, s.ship_date, ol.drug_id, s.order_id, s.customer_id, sl.id,
           coalesce(customer_rep_at(s.customer_id, 'sales', s.created_at), o.sales_rep_id),
           coalesce(customer_rep_at(s.customer_id, 'cs', s.created_at), o.cs_rep_id),
           sl.quantity, 0
      FROM shipments s
      JOIN shipment_lines sl ON sl.shipment_id = s.id
      JOIN order_lines ol ON ol.id = sl.order_line_id
      JOIN orders o ON o.id = s.order_id
     WHERE s.id = shipment AND s.replacement_of_exception_id IS NULL AND s.amount = 0
       AND NOT EXISTS (SELECT 1 FROM sales_lines x WHERE x.shipment_line_id = sl.id)
     ORDER BY sl.id
$$;

-- The sales lines of exception `exception` decided 'deduct' with value 0 (free units
-- only), dated business date `day`, units negative, coming off the reps credited with the
-- shipment it concerns (through replacements back to the one that was sold; failing that,
-- the customer's reps at instant `decided`, the decision). Does nothing for an exception of
-- any value. Called once, when the decision is taken.
CREATE FUNCTION sales_lines_post_free_deduction(exception BIGINT, day DATE,
                                                decided TIMESTAMPTZ DEFAULT now()) RETURNS void
LANGUAGE sql AS $$
    WITH RECURSIVE chain (shipment_id) AS (
        SELECT e.shipment_id FROM transport_exceptions e WHERE e.id = exception
        UNION ALL
        SELECT x.shipment_id
          FROM chain c
          JOIN shipments s ON s.id = c.shipment_id
          JOIN transport_exceptions x ON x.id = s.replacement_of_exception_id
    ), sold AS (
        SELECT x.sales_rep_id, x.cs_rep_id
          FROM sales_lines x
          JOIN shipment_lines y ON y.id = x.shipment_line_id
         WHERE y.shipment_id IN (SELECT shipment_id FROM chain) AND x.quantity > 0
         ORDER BY x.id
         LIMIT 1
    )
    INSERT INTO sales_lines (entry_id, sale_date, drug_id, order_id, customer_id,
                             shipment_line_id, sales_rep_id, cs_rep_id, quantity, amount)
    SELECT NULL, day, ol.drug_id, e.order_id, e.customer_id, sl.id,
           coalesce((SELECT sales_rep_id FROM sold),
                    customer_rep_at(e.customer_id, 'sales', decided), o.sales_rep_id),
           coalesce((SELECT cs_rep_id FROM sold),
                    customer_rep_at(e.customer_id, 'cs', decided), o.cs_rep_id),
           -el.quantity, 0
      FROM transport_exceptions e
      JOIN exception_lines el ON el.exception_id = e.id
      JOIN shipment_lines sl ON sl.id = el.shipment_line_id
      JOIN order_lines ol ON ol.id = sl.order_line_id
      JOIN orders o ON o.id = e.order_id
     WHERE e.id = exception AND e.decision = 'deduct' AND e.value = 0
     ORDER BY el.id
$$;

-- What was shipped or deducted free before: shipments first (a deduction reads their
-- rows), deductions dated by their decision in the default business time zone.
SELECT sales_lines_post_free_shipment(s.id)
  FROM shipments s
 WHERE s.replacement_of_exception_id IS NULL AND s.amount = 0
 ORDER BY s.ship_date, s.id;
SELECT sales_lines_post_free_deduction(e.id, (e.decided_at AT TIME ZONE 'Asia/Shanghai')::DATE,
                                       e.decided_at)
  FROM transport_exceptions e
 WHERE e.decision = 'deduct' AND e.value = 0
 ORDER BY e.decided_at, e.id;
