-- The audit log searched by username (a failed login's tried name included), newest first.
CREATE INDEX audit_log_username ON audit_log (username, at);
