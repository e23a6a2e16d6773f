-- `customer.credit.write` (设置账期与信用额度): credit terms and limits are set by credit
-- control, not by the rep. Positions that assign customers (the sales managers) take it;
-- the built-in administrator gets every permission at start-up.
INSERT INTO position_permissions (position_id, permission)
SELECT position_id, 'customer.credit.write'
  FROM position_permissions
 WHERE permission = 'customer.assign'
ON CONFLICT DO NOTHING;
