ALTER TABLE company_settings
    DROP COLUMN new_customer_credit_limit,
    DROP COLUMN new_customer_credit_days;
