-- A customer by its exact name (and city): the duplicate check before registering, and the
-- refusal of the same customer registered twice (`customer::registered_as`), on every
-- registration; without it each read all customers.
CREATE INDEX customers_name ON customers (name, city_code);
