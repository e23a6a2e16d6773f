-- The audit search's object filter (ops::audit::resolve_object): an object's id without its
-- type, and the numbers people type for invoices and certificates.
CREATE INDEX audit_log_object_id ON audit_log (object_id);
CREATE INDEX invoices_number_search ON invoices (number);
CREATE INDEX customer_certificates_number ON customer_certificates (upper(number));
