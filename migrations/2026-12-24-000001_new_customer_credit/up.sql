-- The credit terms a customer gets when it is registered by someone who may not set
-- credit (a 营销员): credit control sets them here once for all new customers. By default
-- none (账期 0, no limit), as before.
ALTER TABLE company_settings
    ADD COLUMN new_customer_credit_days INTEGER NOT NULL DEFAULT 0
        CHECK (new_customer_credit_days BETWEEN 0 AND 3650),
    ADD COLUMN new_customer_credit_limit NUMERIC(14, 2)
        CHECK (new_customer_credit_limit >= 0);
