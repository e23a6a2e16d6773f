-- 应收核销 (write-offs): finance takes part or all of what is still owed on a shipment off
-- the receivable without money coming in — a debt that will not be collected (坏账核销),
-- the bank's charge deducted from a transfer (银行手续费), a small balance left over
-- (尾差), or another reason, always written down. It is not a sale returned: the sales
-- reports (sales_lines) keep what was sold, as the goods were delivered. A write-off made
-- by mistake is reversed (reversed_*), which posts the amount back as owed.
ALTER TABLE document_counters DROP CONSTRAINT document_counters_kind_check;
ALTER TABLE document_counters ADD CONSTRAINT document_counters_kind_check
    CHECK (kind IN ('SO', 'SH', 'EX', 'PY', 'WO'));

CREATE TABLE write_offs (
    id              BIGSERIAL PRIMARY KEY,
    -- WO + business date of recording + '-' + the day's sequence.
    number          TEXT NOT NULL CHECK (number ~ '^WO[0-9]{8}-[0-9]{4,}$'),
    customer_id     BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- The receivable written down, and its order.
    shipment_id     BIGINT NOT NULL REFERENCES shipments (id) ON DELETE RESTRICT,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    -- The business date it takes effect (the day it was recorded).
    write_off_date  DATE NOT NULL,
    -- CNY taken off the shipment's outstanding amount.
    amount          NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    reason_kind     TEXT NOT NULL CHECK (reason_kind IN ('bad_debt', 'bank_fee', 'small_balance', 'other')),
    reason          TEXT NOT NULL CHECK (length(btrim(reason)) > 0),
    reversed_at     TIMESTAMPTZ,
    reversed_by     BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    reversal_date   DATE,
    reversal_reason TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by      BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by      BIGINT REFERENCES users (id),
    CONSTRAINT write_offs_reversal CHECK (
        (reversed_at IS NULL) = (reversed_by IS NULL)
        AND (reversed_at IS NULL) = (reversal_date IS NULL)
        AND (reversed_at IS NULL OR length(btrim(reversal_reason)) > 0)
        AND (reversal_date IS NULL OR reversal_date >= write_off_date))
);
CREATE UNIQUE INDEX write_offs_number ON write_offs (number text_pattern_ops);
CREATE INDEX write_offs_customer ON write_offs (customer_id, write_off_date, id);
CREATE INDEX write_offs_shipment ON write_offs (shipment_id);

-- In the ledger: 'write_off' takes the amount off the shipment (a credit), and
-- 'write_off_reversal' puts it back (a debit); both name the write-off.
ALTER TABLE receivable_entries
    ADD COLUMN write_off_id BIGINT REFERENCES write_offs (id) ON DELETE RESTRICT;
ALTER TABLE receivable_entries DROP CONSTRAINT receivable_entries_kind_check;
ALTER TABLE receivable_entries ADD CONSTRAINT receivable_entries_kind_check
    CHECK (kind IN ('shipment', 'deduction', 'payment', 'reversal', 'settlement', 'write_off', 'write_off_reversal'));
ALTER TABLE receivable_entries ADD CONSTRAINT receivable_entries_write_off CHECK (
    (kind IN ('write_off', 'write_off_reversal')) = (write_off_id IS NOT NULL)
    AND (kind <> 'write_off' OR (amount < 0 AND shipment_id IS NOT NULL))
    AND (kind <> 'write_off_reversal' OR (amount > 0 AND shipment_id IS NOT NULL)));
CREATE INDEX receivable_entries_write_off ON receivable_entries (write_off_id) WHERE write_off_id IS NOT NULL;

-- Finance writes off (the standard 财务 position; administrators hold every permission).
INSERT INTO position_permissions (position_id, permission)
SELECT position_id, 'finance.write_off'
  FROM position_permissions
 WHERE permission = 'finance.reconcile'
ON CONFLICT DO NOTHING;
