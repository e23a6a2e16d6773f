-- 客服 export the batch recall (批号追溯): in a recall they call the customers who received
-- the batch, from the list of their own scope. Positions that record shipments take
-- `report.export`; it exports only what the holder may read (a report needs
-- `report.read`, a finance register what its list needs), so for them it is the recall
-- and the shipments register.
INSERT INTO position_permissions (position_id, permission)
SELECT position_id, 'report.export'
  FROM position_permissions
 WHERE permission = 'order.shipment.write'
ON CONFLICT DO NOTHING;
