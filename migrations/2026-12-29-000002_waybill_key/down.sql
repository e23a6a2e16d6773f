DROP INDEX shipments_waybill;
