-- 近效期: a batch expiring within this many days of its ship date is shipped with a
-- warning on the shipment form (buyers commonly refuse goods with less than six months
-- left); 0 for no warning. It warns only: GSP refuses expired goods, not near-expiry ones.
ALTER TABLE company_settings
    ADD COLUMN near_expiry_days INTEGER NOT NULL DEFAULT 180
        CHECK (near_expiry_days BETWEEN 0 AND 3650);
