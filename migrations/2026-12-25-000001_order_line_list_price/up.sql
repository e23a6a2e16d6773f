-- The drug's sale price (售价) when the line was priced: a line sold below or above it is
-- said on the order for as long as it is kept (it was said only while the rep typed it),
-- whatever the catalogue's price becomes. Lines priced before this keep none.
ALTER TABLE order_lines
    ADD COLUMN list_price NUMERIC(14, 4) CHECK (list_price >= 0);
