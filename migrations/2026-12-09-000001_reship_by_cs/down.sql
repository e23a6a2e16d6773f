DROP INDEX transport_exceptions_awaiting_replacement;
ALTER TABLE transport_exceptions DROP CONSTRAINT transport_exceptions_replacement;
ALTER TABLE transport_exceptions ADD CONSTRAINT transport_exceptions_replacement
    CHECK ((decision = 'reship') = (replacement_shipment_id IS NOT NULL));
