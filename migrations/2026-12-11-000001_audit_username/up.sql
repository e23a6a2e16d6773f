-- The audit log searched by username (a failed login's tried name included), newest
-- first: the order the search pages in.
CREATE INDEX audit_log_username ON audit_log (username, id);
