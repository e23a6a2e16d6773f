-- A recall finds a batch however its number was typed (b2026a09, B2026A09): shipments are
-- searched by upper(batch_no) (`shipment::search`'s batch filter).
DROP INDEX shipment_lines_batch;
CREATE INDEX shipment_lines_batch ON shipment_lines (upper(batch_no));
