-- A batch number (批号) is kept as printed on the box, in capitals: one batch typed as
-- b2611 and as B2611 was listed under two spellings in a recall (批号追溯) and its
-- export, where sorting or filtering split it. The batch was already one for the
-- expiry check and the recall's search (upper(batch_no)); what was typed is in the
-- audit log.
UPDATE shipment_lines SET batch_no = upper(batch_no) WHERE batch_no <> upper(batch_no);
