ALTER TABLE login_throttle DROP COLUMN under_way, DROP COLUMN last_begun_at;
