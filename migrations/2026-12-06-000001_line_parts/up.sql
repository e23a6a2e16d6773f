-- A line shipped in parts, or reported in exceptions in parts, is charged so that its
-- parts add up to the whole (shared/src/money.rs: part_amount, reported_part_amount). A
-- part is what the line's rounded amount grows by, not its own rounded product, which
-- drifted by a cent a part: 3 × 12.345 shipped one at a time was charged 12.35 three times,
-- 37.05 for an order line of 37.04, and four exceptions of 1 on a shipment line of
-- 4 × 12.345 (49.38) took 49.40 off it.
--
-- A part is therefore no longer always its own rounded product. A shipment line is within
-- a cent of quantity × unit price. An exception line's last part takes what remains of the
-- value it concerns (what its shipment line was charged, or on a replacement what the
-- exception line replaced was valued at), which moves it up to half a cent further per
-- replacement it passed through: the CHECK allows five cents, more than any real chain.
-- The rows stored before stay valid.
ALTER TABLE shipment_lines DROP CONSTRAINT shipment_lines_amount_rounded;
ALTER TABLE shipment_lines ADD CONSTRAINT shipment_lines_amount_part CHECK (
    CASE WHEN exception_line_id IS NULL
         THEN amount >= 0 AND abs(amount - quantity * unit_price) < 0.01
         ELSE amount = 0
    END);

ALTER TABLE exception_lines DROP CONSTRAINT exception_lines_amount_rounded;
ALTER TABLE exception_lines ADD CONSTRAINT exception_lines_amount_part
    CHECK (amount >= 0 AND abs(amount - quantity * unit_price) < 0.05);
