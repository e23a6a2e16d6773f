DROP TABLE customer_assignments;
DROP TABLE customer_type_changes;
DROP TABLE customer_drugs;
DROP TABLE customers;
DROP TABLE customer_types;
