-- Positions that record shipments without reading reports lose `report.export` again.
DELETE FROM position_permissions p
 WHERE p.permission = 'report.export'
   AND EXISTS (SELECT 1 FROM position_permissions s
                WHERE s.position_id = p.position_id AND s.permission = 'order.shipment.write')
   AND NOT EXISTS (SELECT 1 FROM position_permissions r
                    WHERE r.position_id = p.position_id AND r.permission = 'report.read');
