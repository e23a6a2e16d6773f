DROP INDEX shipment_lines_batch;
CREATE INDEX shipment_lines_batch ON shipment_lines (batch_no);
