DROP INDEX customer_certificates_number;
DROP INDEX invoices_number_search;
DROP INDEX audit_log_object_id;
