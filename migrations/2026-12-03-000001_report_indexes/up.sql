-- Indexes for the reports (issue "The six reports"): the sales of a period are the ledger's
-- shipment and deduction entries dated in it; a sale is credited to the rep whose
-- assignment was current at the moment it was posted.
CREATE INDEX receivable_entries_sales ON receivable_entries (entry_date)
    INCLUDE (shipment_id, exception_id, order_id, customer_id, created_at)
    WHERE kind IN ('shipment', 'deduction');
CREATE INDEX customer_assignments_history
    ON customer_assignments (customer_id, role, effective_from DESC)
    INCLUDE (effective_to, user_id);
