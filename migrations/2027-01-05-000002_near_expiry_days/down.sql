ALTER TABLE company_settings DROP COLUMN near_expiry_days;
