-- 发票代码: an invoice of the tax-control system (税控发票) is identified by its code (10
-- or 12 digits, one per batch of invoices) and its 8-digit number, which starts again at
-- 00000001 in every batch: one entity's 2025 and 2026 invoices, or its 专票 and 普票, share
-- numbers. A fully digitalised invoice (数电发票) has a 20-digit number and no code ('').
-- Invoices recorded before the code was asked keep ''.
ALTER TABLE invoices ADD COLUMN code TEXT NOT NULL DEFAULT '';
DROP INDEX invoices_number;
CREATE UNIQUE INDEX invoices_number ON invoices (invoicing_entity_id, code, number);
