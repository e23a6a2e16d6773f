DELETE FROM position_permissions WHERE permission = 'customer.credit.write';
