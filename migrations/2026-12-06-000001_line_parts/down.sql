-- The strict CHECKs come back for new rows only (NOT VALID): lines charged in parts since
-- the up migration would fail them.
ALTER TABLE exception_lines DROP CONSTRAINT exception_lines_amount_part;
ALTER TABLE exception_lines ADD CONSTRAINT exception_lines_amount_rounded
    CHECK (amount = round(quantity * unit_price, 2)) NOT VALID;

ALTER TABLE shipment_lines DROP CONSTRAINT shipment_lines_amount_part;
ALTER TABLE shipment_lines ADD CONSTRAINT shipment_lines_amount_rounded
    CHECK (amount = CASE WHEN exception_line_id IS NULL THEN round(quantity * unit_price, 2) ELSE 0 END)
    NOT VALID;
