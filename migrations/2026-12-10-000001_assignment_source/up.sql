-- How each assignment of a customer's rep came about, for the customer's 分配记录:
-- registered with the customer, assigned by a manager, or a handover of a leaver's customers.
ALTER TABLE customer_assignments
    ADD COLUMN source TEXT NOT NULL DEFAULT 'assigned'
        CHECK (source IN ('registered', 'assigned', 'handover'));
-- The first assignment of each role came with the customer's registration. Earlier
-- handovers cannot be told from a manager's assignment here: they read 'assigned'.
UPDATE customer_assignments a
   SET source = 'registered'
 WHERE a.id = (SELECT b.id FROM customer_assignments b
                WHERE b.customer_id = a.customer_id AND b.role = a.role
                ORDER BY b.effective_from, b.id LIMIT 1);
ALTER TABLE customer_assignments ALTER COLUMN source DROP DEFAULT;
