-- The ledger is append-only: write-offs on record cannot be taken out of it.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM write_offs) THEN
        RAISE EXCEPTION 'write-offs are on record in the ledger: reverting would change balances';
    END IF;
END $$;
DELETE FROM position_permissions WHERE permission = 'finance.write_off';
DROP INDEX receivable_entries_write_off;
ALTER TABLE receivable_entries DROP CONSTRAINT receivable_entries_write_off;
ALTER TABLE receivable_entries DROP CONSTRAINT receivable_entries_kind_check;
ALTER TABLE receivable_entries ADD CONSTRAINT receivable_entries_kind_check
    CHECK (kind IN ('shipment', 'deduction', 'payment', 'reversal', 'settlement'));
ALTER TABLE receivable_entries DROP COLUMN write_off_id;
DROP TABLE write_offs;
DELETE FROM document_counters WHERE kind = 'WO';
ALTER TABLE document_counters DROP CONSTRAINT document_counters_kind_check;
ALTER TABLE document_counters ADD CONSTRAINT document_counters_kind_check
    CHECK (kind IN ('SO', 'SH', 'EX', 'PY'));
