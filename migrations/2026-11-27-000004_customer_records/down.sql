DROP TABLE customer_certificates;
DROP TABLE customer_followups;
DROP TABLE customer_profile_records;
