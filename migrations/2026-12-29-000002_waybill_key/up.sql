-- A waybill already on a shipment, however it was typed (sf 1400 0001, SF14000001): a new
-- shipment with it is questioned (`shipment::with_waybill`), one parcel recorded twice
-- (a retried request, a number typed again).
CREATE INDEX shipments_waybill ON shipments (upper(replace(waybill_no, ' ', '')))
    WHERE waybill_no <> '';
