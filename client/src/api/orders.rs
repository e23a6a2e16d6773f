//! OrderService calls.

use pharmacrm_shared::pb;

calls! {
    /// OrderService: orders, shipments, transport exceptions, invoicing entities, settings.
    OrderCalls = orders via orders {
        /// The invoicing entities.
        fn list_invoicing_entities(pb::ListInvoicingEntitiesRequest) -> pb::ListInvoicingEntitiesResponse;
        /// Adds an invoicing entity.
        fn create_invoicing_entity(pb::InvoicingEntityInput) -> pb::InvoicingEntity;
        /// Changes an invoicing entity.
        fn update_invoicing_entity(pb::UpdateInvoicingEntityRequest) -> pb::InvoicingEntity;
        /// Archives or restores an invoicing entity.
        fn set_invoicing_entity_active(pb::SetActiveRequest) -> pb::InvoicingEntity;
        /// The company settings.
        fn get_settings(()) -> pb::Settings;
        /// Changes the company settings.
        fn update_settings(pb::UpdateSettingsRequest) -> pb::Settings;
        /// Checks and prices an order without saving it.
        fn preview_order(pb::OrderInput) -> pb::OrderPreview;
        /// Places an order.
        fn create_order(pb::OrderInput) -> pb::OrderResponse;
        /// Changes an order while nothing of it has shipped.
        fn update_order(pb::UpdateOrderRequest) -> pb::OrderResponse;
        /// One order with its lines, shipments and exceptions.
        fn get_order(pb::GetOrderRequest) -> pb::OrderDetail;
        /// One page of orders.
        fn search_orders(pb::SearchOrdersRequest) -> pb::SearchOrdersResponse;
        /// Cancels an order with a reason.
        fn cancel_order(pb::CancelOrderRequest) -> pb::OrderDetail;
        /// Closes a part-shipped order (结案): what remains unshipped is given up.
        fn close_order(pb::CloseOrderRequest) -> pb::OrderDetail;
        fn approve_order(pb::ApproveOrderRequest) -> pb::OrderDetail;
        /// Records a shipment.
        fn create_shipment(pb::CreateShipmentRequest) -> pb::Shipment;
        /// Records (or corrects) a shipment's arrival.
        fn confirm_delivery(pb::ConfirmDeliveryRequest) -> pb::Shipment;
        /// One page of shipments.
        fn list_shipments(pb::ListShipmentsRequest) -> pb::ListShipmentsResponse;
        /// Reports damage, loss or shortage on a shipment.
        fn report_exception(pb::ReportExceptionRequest) -> pb::TransportException;
        /// Decides an exception: deduct or reship.
        fn decide_exception(pb::DecideExceptionRequest) -> pb::TransportException;
        /// Ships the replacement of an exception decided reship.
        fn ship_replacement(pb::ShipReplacementRequest) -> pb::Shipment;
        /// One page of transport exceptions.
        fn list_exceptions(pb::ListExceptionsRequest) -> pb::ListExceptionsResponse;
    }
}
