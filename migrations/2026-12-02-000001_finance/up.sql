-- Finance (spec "Order management" 5–6, customer items 12–13, §4 "One ledger"): what each
-- customer owes, kept in one append-only ledger; payments (回款) and their allocations;
-- invoices (开票记录, blue and red); reconciled periods (对账确认); the credit limit and
-- the credit-hold days.
--
-- Money is NUMERIC in CNY with 2 decimals. Dates are business dates (the company's
-- business time zone, server/src/clock.rs).

-- Customers whose overdue amounts are older than this many days, or whose balance would
-- pass their credit limit, cannot get a new order without `order.credit_override`.
ALTER TABLE company_settings
    ADD COLUMN credit_hold_days INTEGER NOT NULL DEFAULT 90 CHECK (credit_hold_days BETWEEN 1 AND 3650);

-- 信用额度: the most the customer may owe, CNY; NULL = no limit.
ALTER TABLE customers
    ADD COLUMN credit_limit NUMERIC(14, 2) CHECK (credit_limit >= 0);

ALTER TABLE document_counters DROP CONSTRAINT document_counters_kind_check;
ALTER TABLE document_counters ADD CONSTRAINT document_counters_kind_check
    CHECK (kind IN ('SO', 'SH', 'EX', 'PY'));

-- 回款记录: money received from a customer, recorded by finance. Its allocations are its
-- ledger entries (receivable_entries.payment_id). A payment is never edited or deleted: a
-- mistake is corrected by reversing it (reversed_*), which posts reversing entries.
CREATE TABLE payments (
    id              BIGSERIAL PRIMARY KEY,
    -- PY + business date of recording + '-' + the day's sequence.
    number          TEXT NOT NULL CHECK (number ~ '^PY[0-9]{8}-[0-9]{4,}$'),
    customer_id     BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- The business date the money arrived.
    payment_date    DATE NOT NULL,
    amount          NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    method          TEXT NOT NULL CHECK (method IN ('bank_transfer', 'acceptance_bill', 'cash', 'other')),
    -- Bank reference or bill number; may be empty.
    reference       TEXT NOT NULL DEFAULT '',
    -- 经手人: who collected it (default the customer's sales rep when recorded).
    handler_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- The customer's sales rep when recorded: the rep credited.
    sales_rep_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    note            TEXT NOT NULL DEFAULT '',
    reversed_at     TIMESTAMPTZ,
    reversed_by     BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    reversal_date   DATE,
    reversal_reason TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by      BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by      BIGINT REFERENCES users (id),
    CONSTRAINT payments_reversal CHECK (
        (reversed_at IS NULL) = (reversed_by IS NULL)
        AND (reversed_at IS NULL) = (reversal_date IS NULL)
        AND (reversed_at IS NULL OR length(btrim(reversal_reason)) > 0)
        AND (reversal_date IS NULL OR reversal_date >= payment_date))
);
CREATE UNIQUE INDEX payments_number ON payments (number text_pattern_ops);
CREATE INDEX payments_customer ON payments (customer_id, payment_date, id);
CREATE INDEX payments_date ON payments (payment_date, id);

-- 开票记录: an invoice issued to a customer by one of the company's invoicing entities.
-- Invoices document the sale; what is owed comes from the ledger. A red invoice (红字发票)
-- reverses a blue one wholly: negative amount, the same orders, at most one per blue.
CREATE TABLE invoices (
    id                   BIGSERIAL PRIMARY KEY,
    invoicing_entity_id  BIGINT NOT NULL REFERENCES invoicing_entities (id) ON DELETE RESTRICT,
    -- 增值税专用发票 'special' or 普通发票 'ordinary'.
    kind                 TEXT NOT NULL CHECK (kind IN ('special', 'ordinary')),
    -- As printed; unique per invoicing entity.
    number               TEXT NOT NULL CHECK (length(btrim(number)) > 0),
    customer_id          BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    invoice_date         DATE NOT NULL,
    -- Σ invoice_orders.amount; negative on a red invoice.
    amount               NUMERIC(14, 2) NOT NULL CHECK (amount <> 0),
    red_of_invoice_id    BIGINT REFERENCES invoices (id) ON DELETE RESTRICT,
    note                 TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by           BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT invoices_red_sign CHECK ((red_of_invoice_id IS NULL) = (amount > 0))
);
CREATE UNIQUE INDEX invoices_number ON invoices (invoicing_entity_id, number);
CREATE UNIQUE INDEX invoices_red_of ON invoices (red_of_invoice_id) WHERE red_of_invoice_id IS NOT NULL;
CREATE INDEX invoices_customer ON invoices (customer_id, invoice_date, id);

-- The orders an invoice covers and how much of each (negative on a red invoice).
CREATE TABLE invoice_orders (
    invoice_id  BIGINT NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    amount      NUMERIC(14, 2) NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (invoice_id, order_id)
);
CREATE INDEX invoice_orders_order ON invoice_orders (order_id);

-- 应收台账: every movement of what a customer owes, append-only. Balances, statements,
-- ageing, arrears and the reports' sales figures are all sums over it.
--
-- A positive amount is owed more (a debit), a negative amount owed less (a credit):
--   shipment    + the shipment's amount, on that shipment (replacements post nothing);
--   deduction   − an exception's value decided 'deduct', on its shipment;
--   payment     − a payment's allocations: on a shipment, or on account (shipment_id
--               NULL: an unallocated credit);
--   reversal    the negation of a payment's entries when it is reversed;
--   settlement  pairs of entries that sum to 0 per customer, moving a payment's credit
--               between "on account" and a shipment (credit left over used by a later
--               shipment, or a shipment overpaid after a deduction). Statements leave
--               them out.
-- A shipment's outstanding amount as of day D = Σ its entries dated ≤ D; the customer's
-- balance = Σ all its entries. The operations keep every shipment's outstanding ≥ 0 and
-- never leave credit on account while a shipment is open (server/src/ops/finance.rs).
CREATE TABLE receivable_entries (
    id             BIGSERIAL PRIMARY KEY,
    customer_id    BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- The business date of the movement.
    entry_date     DATE NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('shipment', 'deduction', 'payment', 'reversal', 'settlement')),
    -- The number of the document shown on statements: SH…, EX…, PY….
    document_no    TEXT NOT NULL,
    -- The receivable (a shipment) this entry moves; NULL = on account.
    shipment_id    BIGINT REFERENCES shipments (id) ON DELETE RESTRICT,
    -- The shipment's order, and its due date: ship date + the order's credit days.
    order_id       BIGINT REFERENCES orders (id) ON DELETE RESTRICT,
    due_date       DATE,
    exception_id   BIGINT REFERENCES transport_exceptions (id) ON DELETE RESTRICT,
    payment_id     BIGINT REFERENCES payments (id) ON DELETE RESTRICT,
    amount         NUMERIC(14, 2) NOT NULL CHECK (amount <> 0),
    -- The sales rep credited (the order's, or the payment's) and the 经手人 (the order's
    -- sales rep, or who collected the payment).
    sales_rep_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    handler_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by     BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT receivable_entries_document CHECK ((shipment_id IS NULL) = (due_date IS NULL) AND (shipment_id IS NULL) = (order_id IS NULL)),
    CONSTRAINT receivable_entries_shipment_debit CHECK (kind <> 'shipment' OR (amount > 0 AND shipment_id IS NOT NULL)),
    CONSTRAINT receivable_entries_deduction CHECK (kind <> 'deduction' OR (amount < 0 AND exception_id IS NOT NULL AND shipment_id IS NOT NULL)),
    CONSTRAINT receivable_entries_payment CHECK (kind NOT IN ('payment', 'reversal', 'settlement') OR payment_id IS NOT NULL)
);
-- Statements and balances: a customer's entries by date.
CREATE INDEX receivable_entries_customer ON receivable_entries (customer_id, entry_date, id);
-- Outstanding per shipment (ageing, allocation).
CREATE INDEX receivable_entries_shipment ON receivable_entries (shipment_id, entry_date) WHERE shipment_id IS NOT NULL;
CREATE INDEX receivable_entries_order ON receivable_entries (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX receivable_entries_payment ON receivable_entries (payment_id) WHERE payment_id IS NOT NULL;
-- Reports by period and by the rep credited.
CREATE INDEX receivable_entries_date ON receivable_entries (entry_date, id);
CREATE INDEX receivable_entries_sales_rep ON receivable_entries (sales_rep_id, entry_date);

-- Append-only: a correction is a reversing entry, never an edit.
CREATE FUNCTION receivable_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'receivable_entries is append-only';
END $$;
CREATE TRIGGER receivable_entries_append_only BEFORE UPDATE OR DELETE ON receivable_entries
    FOR EACH ROW EXECUTE FUNCTION receivable_entries_append_only();

-- 对账确认: finance confirmed a customer's statement for a period. No ledger entry may be
-- dated on or before the latest reconciled period's end: corrections go in as reversing
-- entries dated later.
CREATE TABLE reconciliations (
    id               BIGSERIAL PRIMARY KEY,
    customer_id      BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    period_from      DATE NOT NULL,
    period_to        DATE NOT NULL,
    -- The statement's closing balance as confirmed, CNY.
    closing_balance  NUMERIC(14, 2) NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by       BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT reconciliations_period CHECK (period_from <= period_to)
);
CREATE INDEX reconciliations_customer ON reconciliations (customer_id, period_to);

-- What shipped and was deducted before this migration goes into the ledger.
INSERT INTO receivable_entries (customer_id, entry_date, kind, document_no, shipment_id, order_id,
                                due_date, amount, sales_rep_id, handler_id, created_at, created_by)
SELECT s.customer_id, s.ship_date, 'shipment', s.number, s.id, o.id,
       s.ship_date + o.credit_days, s.amount, o.sales_rep_id, o.sales_rep_id, s.created_at, s.created_by
FROM shipments s JOIN orders o ON o.id = s.order_id
WHERE s.replacement_of_exception_id IS NULL AND s.amount > 0;

INSERT INTO receivable_entries (customer_id, entry_date, kind, document_no, shipment_id, order_id,
                                due_date, exception_id, amount, sales_rep_id, handler_id, created_at, created_by)
SELECT e.customer_id, (e.decided_at AT TIME ZONE 'Asia/Shanghai')::date, 'deduction', e.number, s.id, o.id,
       s.ship_date + o.credit_days, e.id, -e.value, o.sales_rep_id, o.sales_rep_id, e.decided_at, e.decided_by
FROM transport_exceptions e JOIN shipments s ON s.id = e.shipment_id JOIN orders o ON o.id = e.order_id
WHERE e.decision = 'deduct' AND e.value > 0;
