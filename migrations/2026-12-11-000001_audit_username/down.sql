DROP INDEX audit_log_username;
