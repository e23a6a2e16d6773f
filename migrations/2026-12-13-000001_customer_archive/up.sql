-- Archived customers listed by name (the list's 已归档 filter): few rows, their own index.
CREATE INDEX customers_archived_name ON customers ((name COLLATE "zh-x-icu"), id)
    WHERE NOT is_active;
-- 我的工作: each customer's latest live follow-up, one probe a customer.
CREATE INDEX customer_followups_latest
    ON customer_followups (customer_id, happened_at DESC, id DESC) WHERE NOT is_deleted;
