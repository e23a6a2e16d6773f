-- A personal record (个人信息: preferences, family, work, education) is about a person:
-- the customer's contact person when it was recorded. Changing the contact (王主任 left,
-- 李主任 took over) no longer makes 王主任's work history read as 李主任's.
ALTER TABLE customer_profile_records ADD COLUMN person text NOT NULL DEFAULT '';

UPDATE customer_profile_records r
   SET person = c.contact_person
  FROM customers c
 WHERE c.id = r.customer_id;

-- Stamped as the record is created, in the transaction that creates it: whom the record
-- is about is the customer's contact person at that moment. An edit keeps it.
CREATE FUNCTION profile_record_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  SELECT contact_person INTO NEW.person FROM customers WHERE id = NEW.customer_id;
  NEW.person := coalesce(NEW.person, '');
  RETURN NEW;
END
$$;

CREATE TRIGGER profile_record_person
BEFORE INSERT ON customer_profile_records
FOR EACH ROW EXECUTE FUNCTION profile_record_person();
