DROP INDEX payments_reference_key;
