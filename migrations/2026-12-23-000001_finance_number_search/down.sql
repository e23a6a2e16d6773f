DROP INDEX invoices_number_grams;
DROP INDEX payments_reference_grams;
DROP INDEX payments_number_grams;
