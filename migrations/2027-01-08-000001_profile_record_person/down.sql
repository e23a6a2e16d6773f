DROP TRIGGER profile_record_person ON customer_profile_records;
DROP FUNCTION profile_record_person();
ALTER TABLE customer_profile_records DROP COLUMN person;
