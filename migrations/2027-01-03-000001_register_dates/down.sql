DROP INDEX write_offs_date;
DROP INDEX invoices_date;
