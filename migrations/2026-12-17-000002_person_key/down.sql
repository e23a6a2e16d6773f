DROP FUNCTION person_key(TEXT);
