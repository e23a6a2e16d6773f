DROP INDEX invoices_code_grams;
