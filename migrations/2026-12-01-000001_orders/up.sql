-- Orders end to end: the company's invoicing entities, company settings, per-day document
-- numbers, orders and their lines, shipments with the GSP fields (batch number, expiry),
-- and transport exceptions (damage, loss, shortage) with their decision.
--
-- Nothing here is ever deleted. Orders are cancelled; dictionary rows are archived. While
-- a customer, drug, user or invoicing entity is referred to, it cannot be deleted
-- (ON DELETE RESTRICT), so old orders keep showing what was sold, to whom, at what price.
--
-- Money is NUMERIC in CNY: amounts NUMERIC(14, 2), unit prices NUMERIC(14, 4). Every line
-- amount is quantity × unit price rounded half up (四舍五入) to 2 decimals. PostgreSQL's
-- round(numeric, 2) rounds halves away from zero, which is half up for these
-- non-negative values. A CHECK on each line therefore holds every stored amount to the
-- rule. A banker's-rounded amount (rust_decimal's round_dp) is refused by the database.
--
-- An order's status is derived, never written. It is a generated column over counters
-- that the operations (server/src/ops/orders.rs) keep on the order. They update the
-- counters under the order's row lock, in the same transaction as the shipment, delivery,
-- exception or decision that moves them. Overdue depends on today's business date, so it
-- is not stored: a shipment is overdue while delivery_status = 'in_transit' and
-- expected_arrival < the business date of today.
--
-- Business dates (order_date, ship_date, expected_arrival, document_counters.day) are
-- dates in the company's business time zone (server/src/clock.rs). Instants are
-- TIMESTAMPTZ.

-- 开票单位: the company's own invoicing entities, a small dictionary kept by administrators.
CREATE TABLE invoicing_entities (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    -- 纳税人识别号 / 统一社会信用代码, as printed on its invoices; may be empty.
    tax_number  TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0,
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by  BIGINT REFERENCES users (id)
);
CREATE UNIQUE INDEX invoicing_entities_name ON invoicing_entities (name);

-- The company's settings, kept by administrators: exactly one row, id 1. The finance
-- module adds its own columns, such as the credit-hold days.
CREATE TABLE company_settings (
    id                    BIGINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    -- Transit days a new shipment gets unless it overrides them.
    default_transit_days  INTEGER NOT NULL DEFAULT 3 CHECK (default_transit_days BETWEEN 0 AND 365),
    version               INTEGER NOT NULL DEFAULT 1,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by            BIGINT REFERENCES users (id)
);
INSERT INTO company_settings (id) VALUES (1);

-- The last number given out, per kind of document and business day:
-- SO20261130-0001, SH20261130-0001, EX20261130-0001. The transaction that creates the
-- document takes its number with
--   INSERT INTO document_counters (kind, day, last) VALUES ($1, $2, 1)
--   ON CONFLICT (kind, day) DO UPDATE SET last = document_counters.last + 1 RETURNING last
-- The row lock serialises concurrent creations. A rolled-back creation gives its number
-- back, so a day's numbers have no gaps. The day is the business date of the creation.
CREATE TABLE document_counters (
    kind  TEXT NOT NULL CHECK (kind IN ('SO', 'SH', 'EX')),
    day   DATE NOT NULL,
    last  INTEGER NOT NULL CHECK (last > 0),
    PRIMARY KEY (kind, day)
);

-- 订单: an order placed for a customer.
CREATE TABLE orders (
    id                       BIGSERIAL PRIMARY KEY,
    -- SO + business date + '-' + the day's sequence (4 digits, more past 9,999).
    number                   TEXT NOT NULL CHECK (number ~ '^SO[0-9]{8}-[0-9]{4,}$'),
    customer_id              BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- The customer's sales rep and CS rep when the order was placed. A later handover does
    -- not rewrite them: reports and the ledger credit these reps (the 经手人). The data
    -- scope, by contrast, follows the customer's current reps.
    sales_rep_id             BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    cs_rep_id                BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- The business date on which it was placed (the date in its number). The creation-date
    -- filter of the order search uses it.
    order_date               DATE NOT NULL,
    invoicing_entity_id      BIGINT NOT NULL REFERENCES invoicing_entities (id) ON DELETE RESTRICT,
    -- Defaults to the customer's region and address when the order is placed.
    delivery_address         TEXT NOT NULL CHECK (length(btrim(delivery_address)) > 0),
    requested_delivery_date  DATE,
    -- Defaults to the customer's credit days. A receivable falls due on the shipment's
    -- ship date + these days.
    credit_days              INTEGER NOT NULL CHECK (credit_days BETWEEN 0 AND 3650),
    note                     TEXT NOT NULL DEFAULT '',
    -- The sum of the stored line amounts. Net = total − the values of exceptions decided
    -- 'deduct'; net is computed, not stored.
    total                    NUMERIC(14, 2) NOT NULL CHECK (total >= 0),
    -- Progress counters, kept by the operations under this row's lock:
    --   units_ordered    Σ order_lines.quantity (fixed when placed);
    --   units_shipped    Σ order_lines.shipped_quantity: units on original shipments;
    --                    replacements are not counted;
    --   units_delivered  units on original shipments confirmed delivered, counted whole
    --                    (units also reported in exceptions included);
    --   open_shipments   shipments of this order (original or replacement) still
    --                    'in_transit';
    --   exception_count  transport exceptions reported on its shipments;
    --   open_exceptions  those not yet closed.
    units_ordered            BIGINT NOT NULL CHECK (units_ordered > 0),
    units_shipped            BIGINT NOT NULL DEFAULT 0,
    units_delivered          BIGINT NOT NULL DEFAULT 0,
    open_shipments           INTEGER NOT NULL DEFAULT 0 CHECK (open_shipments >= 0),
    exception_count          INTEGER NOT NULL DEFAULT 0,
    open_exceptions          INTEGER NOT NULL DEFAULT 0,
    -- Derived from the counters; never written by anyone:
    --   pending 待发货 → partially_shipped 部分发货 → shipped 已发货 → completed 已完成 (every
    --   unit shipped, no shipment in transit, every exception closed), or cancelled 已取消.
    status                   TEXT NOT NULL GENERATED ALWAYS AS (
        CASE
            WHEN cancelled_at IS NOT NULL THEN 'cancelled'
            WHEN units_shipped = 0 THEN 'pending'
            WHEN units_shipped < units_ordered THEN 'partially_shipped'
            WHEN open_shipments > 0 OR open_exceptions > 0 THEN 'shipped'
            ELSE 'completed'
        END
    ) STORED,
    cancelled_at             TIMESTAMPTZ,
    cancel_reason            TEXT NOT NULL DEFAULT '',
    cancelled_by             BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    -- Bumped by every change to the header, by cancelling and by each original shipment
    -- recorded against the order (it changes what remains to ship). Deliveries,
    -- exceptions, decisions and replacement shipments move the counters but not the
    -- version.
    version                  INTEGER NOT NULL DEFAULT 1,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by               BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by               BIGINT REFERENCES users (id),
    CONSTRAINT orders_shipped_within_ordered CHECK (units_shipped BETWEEN 0 AND units_ordered),
    CONSTRAINT orders_delivered_within_shipped CHECK (units_delivered BETWEEN 0 AND units_shipped),
    CONSTRAINT orders_open_exceptions_within_count CHECK (open_exceptions BETWEEN 0 AND exception_count),
    CONSTRAINT orders_cancelled_by CHECK ((cancelled_at IS NULL) = (cancelled_by IS NULL)),
    CONSTRAINT orders_cancel_reason CHECK (cancelled_at IS NULL OR length(btrim(cancel_reason)) > 0),
    -- Cancelling is possible only while nothing has shipped. A shipment that races a
    -- cancellation is refused here.
    CONSTRAINT orders_cancel_only_unshipped CHECK (cancelled_at IS NULL OR units_shipped = 0)
);
-- text_pattern_ops serves both the exact number and a prefix (LIKE 'SO202611%').
CREATE UNIQUE INDEX orders_number ON orders (number text_pattern_ops);
-- The order search pages by (order_date, id) under each filter.
CREATE INDEX orders_date ON orders (order_date, id);
-- The customer view's order history, and the data scope (customer_id IN visible customers).
CREATE INDEX orders_customer ON orders (customer_id, order_date, id);
CREATE INDEX orders_sales_rep ON orders (sales_rep_id, order_date, id);
CREATE INDEX orders_cs_rep ON orders (cs_rep_id, order_date, id);
CREATE INDEX orders_status ON orders (status, order_date, id);
CREATE INDEX orders_open_exceptions ON orders (order_date, id) WHERE open_exceptions > 0;
CREATE INDEX orders_total ON orders (total, id);

-- 订单明细: a drug ordered. The drug's name, specification, dosage form, manufacturer and
-- unit are kept as they were when ordered (the GSP sales record). Later catalogue edits
-- do not change them.
CREATE TABLE order_lines (
    id                BIGSERIAL PRIMARY KEY,
    order_id          BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    -- 1, 2, … in the order's form.
    line_no           INTEGER NOT NULL CHECK (line_no > 0),
    drug_id           BIGINT NOT NULL REFERENCES drugs (id) ON DELETE RESTRICT,
    drug_name         TEXT NOT NULL CHECK (length(btrim(drug_name)) > 0),
    specification     TEXT NOT NULL,
    dosage_form       TEXT NOT NULL DEFAULT '',
    manufacturer      TEXT NOT NULL DEFAULT '',
    -- The container unit as shown, e.g. 盒（24粒）.
    unit_label        TEXT NOT NULL,
    -- Whole container units.
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    unit_price        NUMERIC(14, 4) NOT NULL CHECK (unit_price >= 0),
    amount            NUMERIC(14, 2) NOT NULL,
    -- Units on original (non-replacement) shipments. The CHECK refuses over-shipping even
    -- when two CS reps ship the last units at the same moment: the second UPDATE waits
    -- for the first's row lock and then fails.
    shipped_quantity  BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT order_lines_amount_rounded CHECK (amount = round(quantity * unit_price, 2)),
    CONSTRAINT order_lines_not_over_shipped CHECK (shipped_quantity BETWEEN 0 AND quantity)
);
CREATE UNIQUE INDEX order_lines_line_no ON order_lines (order_id, line_no);
-- Sales by drug (reports), and "is this drug referred to".
CREATE INDEX order_lines_drug ON order_lines (drug_id);

-- 发货记录: goods sent against an order, by the CS rep. A replacement shipment
-- (replacement_of_exception_id set) re-sends units of a transport exception decided
-- 'reship'. It owes nothing (amount 0), has its own batch numbers, and is tracked and
-- flagged overdue like any shipment.
CREATE TABLE shipments (
    id                           BIGSERIAL PRIMARY KEY,
    number                       TEXT NOT NULL CHECK (number ~ '^SH[0-9]{8}-[0-9]{4,}$'),
    order_id                     BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    -- The order's customer, copied so the data scope and the customer's shipment history
    -- need no join.
    customer_id                  BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- The business date the goods left; not after the day it is recorded.
    ship_date                    DATE NOT NULL,
    carrier                      TEXT NOT NULL CHECK (length(btrim(carrier)) > 0),
    -- May be empty, e.g. for the company's own delivery.
    waybill_no                   TEXT NOT NULL DEFAULT '',
    -- company_settings.default_transit_days unless the shipment overrides it.
    transit_days                 INTEGER NOT NULL CHECK (transit_days BETWEEN 0 AND 365),
    expected_arrival             DATE NOT NULL GENERATED ALWAYS AS (ship_date + transit_days) STORED,
    invoicing_entity_id          BIGINT NOT NULL REFERENCES invoicing_entities (id) ON DELETE RESTRICT,
    -- 开票号; may be empty when the invoice follows later, and is empty on a replacement.
    invoice_no                   TEXT NOT NULL DEFAULT '',
    -- The transport exception this shipment replaces (foreign key below).
    replacement_of_exception_id  BIGINT,
    -- Σ line amounts: the receivable this shipment creates (0 for a replacement).
    amount                       NUMERIC(14, 2) NOT NULL CHECK (amount >= 0),
    -- 'in_transit' until the customer confirms arrival ('delivered', with signer and
    -- time). 'lost' means transport exceptions of kind 'lost' cover every one of its
    -- units: it is no longer in transit, and no longer overdue.
    delivery_status              TEXT NOT NULL DEFAULT 'in_transit'
                                 CHECK (delivery_status IN ('in_transit', 'delivered', 'lost')),
    -- When it arrived: not before the ship date (business date), not in the future.
    delivered_at                 TIMESTAMPTZ,
    -- Who signed for it.
    signer                       TEXT NOT NULL DEFAULT '',
    version                      INTEGER NOT NULL DEFAULT 1,
    created_at                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by                   BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by                   BIGINT REFERENCES users (id),
    CONSTRAINT shipments_delivered_at CHECK ((delivery_status = 'delivered') = (delivered_at IS NOT NULL)),
    CONSTRAINT shipments_signer CHECK (delivery_status <> 'delivered' OR length(btrim(signer)) > 0),
    CONSTRAINT shipments_replacement_owes_nothing CHECK (replacement_of_exception_id IS NULL OR amount = 0)
);
CREATE UNIQUE INDEX shipments_number ON shipments (number text_pattern_ops);
CREATE INDEX shipments_order ON shipments (order_id, ship_date);
-- The customer view's shipment history, and the data scope.
CREATE INDEX shipments_customer ON shipments (customer_id, ship_date, id);
-- Shipments by period (the ledger's receivables, the reports).
CREATE INDEX shipments_ship_date ON shipments (ship_date, id);
-- Overdue: in transit with expected_arrival < today. The first index serves "my work"
-- (the caller's customers' overdue shipments, oldest first). The second serves the
-- order search's has-overdue filter and the count per order.
CREATE INDEX shipments_in_transit ON shipments (expected_arrival, customer_id)
    WHERE delivery_status = 'in_transit';
CREATE INDEX shipments_order_in_transit ON shipments (order_id, expected_arrival)
    WHERE delivery_status = 'in_transit';
-- At most one replacement per exception.
CREATE UNIQUE INDEX shipments_replacement_of ON shipments (replacement_of_exception_id)
    WHERE replacement_of_exception_id IS NOT NULL;

-- 发货明细: units of one order line in one shipment, from one batch. An order line
-- shipped from two batches is two lines.
CREATE TABLE shipment_lines (
    id                  BIGSERIAL PRIMARY KEY,
    shipment_id         BIGINT NOT NULL REFERENCES shipments (id) ON DELETE RESTRICT,
    order_line_id       BIGINT NOT NULL REFERENCES order_lines (id) ON DELETE RESTRICT,
    -- On a replacement shipment: the exception line whose units this line re-sends
    -- (foreign key below). NULL on an original shipment.
    exception_line_id   BIGINT,
    -- Whole container units.
    quantity            BIGINT NOT NULL CHECK (quantity > 0),
    -- The order line's unit price. A replacement line keeps it too: an exception on a
    -- replacement is valued at it.
    unit_price          NUMERIC(14, 4) NOT NULL CHECK (unit_price >= 0),
    -- quantity × unit_price rounded half up; 0 on a replacement line.
    amount              NUMERIC(14, 2) NOT NULL,
    -- 批号 and 有效期至, required by GSP on every sales record.
    batch_no            TEXT NOT NULL CHECK (length(btrim(batch_no)) > 0),
    expiry_date         DATE NOT NULL,
    -- Units of this line reported in transport exceptions. The CHECK refuses reporting
    -- more units than were shipped, even from two reports at once.
    exception_quantity  BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT shipment_lines_amount_rounded
        CHECK (amount = CASE WHEN exception_line_id IS NULL THEN round(quantity * unit_price, 2) ELSE 0 END),
    CONSTRAINT shipment_lines_not_over_reported CHECK (exception_quantity BETWEEN 0 AND quantity)
);
CREATE INDEX shipment_lines_shipment ON shipment_lines (shipment_id);
CREATE INDEX shipment_lines_order_line ON shipment_lines (order_line_id);
-- Recall: who received batch X (exact batch number), within the caller's scope.
CREATE INDEX shipment_lines_batch ON shipment_lines (batch_no);

-- 运输异常: goods damaged, lost or short on a shipment, reported by the CS rep and decided
-- by the sales rep. 'deduct' takes the value off what the customer owes for the order.
-- 'reship' creates a replacement shipment for those units. A decided exception cannot be
-- decided again. It is closed when the deduction is booked (in the deciding transaction)
-- or when the replacement is delivered.
CREATE TABLE transport_exceptions (
    id                       BIGSERIAL PRIMARY KEY,
    number                   TEXT NOT NULL CHECK (number ~ '^EX[0-9]{8}-[0-9]{4,}$'),
    shipment_id              BIGINT NOT NULL REFERENCES shipments (id) ON DELETE RESTRICT,
    -- The shipment's order and customer, copied for the scope, the lists and the counts.
    order_id                 BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    customer_id              BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    kind                     TEXT NOT NULL CHECK (kind IN ('damaged', 'lost', 'short')),
    description              TEXT NOT NULL CHECK (length(btrim(description)) > 0),
    -- Σ exception line amounts: what a 'deduct' takes off the order's net amount.
    value                    NUMERIC(14, 2) NOT NULL CHECK (value >= 0),
    decision                 TEXT NOT NULL DEFAULT 'pending'
                             CHECK (decision IN ('pending', 'deduct', 'reship')),
    decided_by               BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    decided_at               TIMESTAMPTZ,
    -- What was agreed with the customer.
    note                     TEXT NOT NULL DEFAULT '',
    -- The replacement shipment of a 'reship'.
    replacement_shipment_id  BIGINT REFERENCES shipments (id) ON DELETE RESTRICT,
    reported_by              BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    reported_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at                TIMESTAMPTZ,
    version                  INTEGER NOT NULL DEFAULT 1,
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by               BIGINT REFERENCES users (id),
    CONSTRAINT transport_exceptions_decided_at CHECK ((decision = 'pending') = (decided_at IS NULL)),
    CONSTRAINT transport_exceptions_decided_by CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
    CONSTRAINT transport_exceptions_replacement CHECK ((decision = 'reship') = (replacement_shipment_id IS NOT NULL)),
    CONSTRAINT transport_exceptions_closed_decided CHECK (closed_at IS NULL OR decision <> 'pending')
);
CREATE UNIQUE INDEX transport_exceptions_number ON transport_exceptions (number text_pattern_ops);
CREATE INDEX transport_exceptions_shipment ON transport_exceptions (shipment_id);
CREATE INDEX transport_exceptions_order ON transport_exceptions (order_id);
-- The customer's exceptions, and the data scope.
CREATE INDEX transport_exceptions_customer ON transport_exceptions (customer_id, reported_at);
-- Exceptions by period (the exception report).
CREATE INDEX transport_exceptions_reported ON transport_exceptions (reported_at, id);
-- Awaiting a decision: the sales rep's "my work".
CREATE INDEX transport_exceptions_pending ON transport_exceptions (customer_id, reported_at)
    WHERE decision = 'pending';

ALTER TABLE shipments ADD CONSTRAINT shipments_replacement_of_exception_id_fkey
    FOREIGN KEY (replacement_of_exception_id) REFERENCES transport_exceptions (id) ON DELETE RESTRICT;

-- 异常明细: how many units of one shipment line an exception covers, and their value.
CREATE TABLE exception_lines (
    id                BIGSERIAL PRIMARY KEY,
    exception_id      BIGINT NOT NULL REFERENCES transport_exceptions (id) ON DELETE RESTRICT,
    shipment_line_id  BIGINT NOT NULL REFERENCES shipment_lines (id) ON DELETE RESTRICT,
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    -- The shipment line's unit price.
    unit_price        NUMERIC(14, 4) NOT NULL CHECK (unit_price >= 0),
    -- quantity × unit_price rounded half up.
    amount            NUMERIC(14, 2) NOT NULL,
    CONSTRAINT exception_lines_amount_rounded CHECK (amount = round(quantity * unit_price, 2))
);
CREATE UNIQUE INDEX exception_lines_line ON exception_lines (exception_id, shipment_line_id);
CREATE INDEX exception_lines_shipment_line ON exception_lines (shipment_line_id);

ALTER TABLE shipment_lines ADD CONSTRAINT shipment_lines_exception_line_id_fkey
    FOREIGN KEY (exception_line_id) REFERENCES exception_lines (id) ON DELETE RESTRICT;
CREATE INDEX shipment_lines_exception_line ON shipment_lines (exception_line_id)
    WHERE exception_line_id IS NOT NULL;
