-- A replacement is decided by the sales rep (补发) and shipped later by the CS rep, who
-- records its carrier and batches: a reship decision may await its replacement shipment.
ALTER TABLE transport_exceptions DROP CONSTRAINT transport_exceptions_replacement;
ALTER TABLE transport_exceptions ADD CONSTRAINT transport_exceptions_replacement
    CHECK (decision = 'reship' OR replacement_shipment_id IS NULL);

-- The CS reps' 待补发 (my work): the few exceptions awaiting their replacement.
CREATE INDEX transport_exceptions_awaiting_replacement ON transport_exceptions (reported_at)
    WHERE decision = 'reship' AND replacement_shipment_id IS NULL;
