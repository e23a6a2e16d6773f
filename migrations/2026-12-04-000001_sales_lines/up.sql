-- 销售明细: the one definition of a sale that every report reads (issue "The six reports",
-- "One definition of a sale"). A row per line of goods sold or deducted, written by the
-- ledger's trigger in the transaction that posts the receivable:
--   * a shipment's debit: one row per line of the shipment (replacements post nothing),
--     its units and stored, rounded line amount;
--   * a deduction (a transport exception decided 'deduct'): one row per exception line,
--     units and amount negative.
-- Dated by the ledger entry's business date (the ship date; the day of the decision), so
-- a report's total for a period is the ledger's shipments less deductions in it.
-- The reps credited are those responsible for the customer when the shipment was posted
-- (the assignment history), fixed then; a deduction comes off the reps of the shipment it
-- concerns. Append-only, like the ledger.
CREATE TABLE sales_lines (
    id                BIGSERIAL PRIMARY KEY,
    entry_id          BIGINT NOT NULL REFERENCES receivable_entries (id) ON DELETE RESTRICT,
    sale_date         DATE NOT NULL,
    drug_id           BIGINT NOT NULL REFERENCES drugs (id) ON DELETE RESTRICT,
    order_id          BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    customer_id       BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- The shipment line sold, or the one the deducted units were on.
    shipment_line_id  BIGINT NOT NULL REFERENCES shipment_lines (id) ON DELETE RESTRICT,
    sales_rep_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    cs_rep_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- Whole container units; negative on a deduction.
    quantity          BIGINT NOT NULL CHECK (quantity <> 0),
    -- CNY; negative on a deduction.
    amount            NUMERIC(14, 2) NOT NULL
);
-- The sales of a period, everyone's; of a scope's customers; of one drug.
CREATE INDEX sales_lines_date ON sales_lines (sale_date);
CREATE INDEX sales_lines_customer ON sales_lines (customer_id, sale_date);
CREATE INDEX sales_lines_drug ON sales_lines (drug_id, sale_date);
CREATE INDEX sales_lines_entry ON sales_lines (entry_id);

-- The user responsible for `customer` in `role` ('sales' | 'cs') at instant `at`, from the
-- assignment history; NULL when it does not reach back that far.
CREATE FUNCTION customer_rep_at(customer BIGINT, role TEXT, at TIMESTAMPTZ) RETURNS BIGINT
LANGUAGE sql STABLE AS $$
    SELECT a.user_id FROM customer_assignments a
     WHERE a.customer_id = customer AND a.role = customer_rep_at.role
       AND a.effective_from <= at AND (a.effective_to IS NULL OR a.effective_to > at)
     ORDER BY a.effective_from DESC LIMIT 1
$$;

-- What each shipment debit and deduction of the ledger sells (the rows sales_lines
-- takes), by `kind` of entry. A deduction comes off the reps of its shipment's rows, so
-- shipments are written first.
CREATE VIEW sales_lines_due AS
SELECT r.id AS entry_id, r.kind, r.entry_date AS sale_date, ol.drug_id, r.order_id,
       r.customer_id, sl.id AS shipment_line_id,
       coalesce(customer_rep_at(r.customer_id, 'sales', r.created_at), o.sales_rep_id)
           AS sales_rep_id,
       coalesce(customer_rep_at(r.customer_id, 'cs', r.created_at), o.cs_rep_id) AS cs_rep_id,
       sl.quantity, sl.amount::NUMERIC(14, 2) AS amount
  FROM receivable_entries r
  JOIN shipment_lines sl ON sl.shipment_id = r.shipment_id
  JOIN order_lines ol ON ol.id = sl.order_line_id
  JOIN orders o ON o.id = ol.order_id
 WHERE r.kind = 'shipment'
UNION ALL
SELECT r.id, r.kind, r.entry_date, ol.drug_id, r.order_id, r.customer_id, sl.id,
       coalesce(sold.sales_rep_id, customer_rep_at(r.customer_id, 'sales', r.created_at),
                o.sales_rep_id),
       coalesce(sold.cs_rep_id, customer_rep_at(r.customer_id, 'cs', r.created_at),
                o.cs_rep_id),
       -el.quantity, (-el.amount)::NUMERIC(14, 2)
  FROM receivable_entries r
  JOIN exception_lines el ON el.exception_id = r.exception_id
  JOIN shipment_lines sl ON sl.id = el.shipment_line_id
  JOIN order_lines ol ON ol.id = sl.order_line_id
  JOIN orders o ON o.id = ol.order_id
  -- The reps credited with the original shipment the deduction comes off.
  LEFT JOIN LATERAL (
      SELECT x.sales_rep_id, x.cs_rep_id FROM receivable_entries p
        JOIN sales_lines x ON x.entry_id = p.id
       WHERE p.shipment_id = r.shipment_id AND p.kind = 'shipment'
       LIMIT 1) sold ON TRUE
 WHERE r.kind = 'deduction';

-- Once per INSERT statement on the ledger, over the rows it posted: shipments, then
-- deductions (a deduction reads its shipment's rows).
CREATE FUNCTION sales_lines_post() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k TEXT;
BEGIN
    FOREACH k IN ARRAY ARRAY['shipment', 'deduction'] LOOP
        INSERT INTO sales_lines (entry_id, sale_date, drug_id, order_id, customer_id,
                                 shipment_line_id, sales_rep_id, cs_rep_id, quantity, amount)
        SELECT v.entry_id, v.sale_date, v.drug_id, v.order_id, v.customer_id,
               v.shipment_line_id, v.sales_rep_id, v.cs_rep_id, v.quantity, v.amount
          FROM posted p JOIN sales_lines_due v ON v.entry_id = p.id
         WHERE p.kind = k AND v.kind = k;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER sales_lines_post AFTER INSERT ON receivable_entries
    REFERENCING NEW TABLE AS posted
    FOR EACH STATEMENT EXECUTE FUNCTION sales_lines_post();

CREATE FUNCTION sales_lines_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sales_lines is append-only';
END $$;
CREATE TRIGGER sales_lines_append_only BEFORE UPDATE OR DELETE ON sales_lines
    FOR EACH ROW EXECUTE FUNCTION sales_lines_append_only();

-- What was posted before, in the same order.
DO $$
DECLARE
    k TEXT;
BEGIN
    FOREACH k IN ARRAY ARRAY['shipment', 'deduction'] LOOP
        INSERT INTO sales_lines (entry_id, sale_date, drug_id, order_id, customer_id,
                                 shipment_line_id, sales_rep_id, cs_rep_id, quantity, amount)
        SELECT entry_id, sale_date, drug_id, order_id, customer_id, shipment_line_id,
               sales_rep_id, cs_rep_id, quantity, amount
          FROM sales_lines_due WHERE kind = k ORDER BY sale_date, entry_id;
    END LOOP;
END $$;

-- The reports no longer read the ledger's sales entries.
DROP INDEX receivable_entries_sales;
