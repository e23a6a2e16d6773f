//! The customer view's order tabs: the customer's orders and shipments, paged, each row
//! opening its order in the order module.

use pharmacrm_shared::{Module, Permission, pb};

use crate::backend::Requested;
use crate::ctx::{AppCtx, Navigate};
use crate::orders::{orders_table, overdue_legend, shipments_table};
use crate::widgets;

const PAGE: u32 = 50;

/// The order history and the shipment history.
#[derive(Default)]
pub struct OrderTabs {
    customer_id: i64,
    orders: Requested<pb::SearchOrdersResponse>,
    orders_offset: u32,
    shipments: Requested<pb::ListShipmentsResponse>,
    shipments_offset: u32,
}

impl OrderTabs {
    /// Loads both histories (for those who may read orders).
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        if !ctx.can(Permission::OrderRead) {
            return;
        }
        self.customer_id = customer_id;
        self.load_orders(ctx);
        self.load_shipments(ctx);
    }

    fn load_orders(&mut self, ctx: &AppCtx) {
        self.orders
            .request(ctx.orders().search_orders(pb::SearchOrdersRequest {
                customer_id: Some(self.customer_id),
                sort: pb::OrderSort::OrderDate as i32,
                descending: true,
                page: Some(pb::PageRequest {
                    offset: self.orders_offset,
                    limit: PAGE,
                }),
                ..Default::default()
            }));
    }

    fn load_shipments(&mut self, ctx: &AppCtx) {
        self.shipments
            .request(ctx.orders().list_shipments(pb::ListShipmentsRequest {
                customer_id: Some(self.customer_id),
                page: Some(pb::PageRequest {
                    offset: self.shipments_offset,
                    limit: PAGE,
                }),
                ..Default::default()
            }));
    }

    /// Polls the calls.
    pub fn poll(&mut self) {
        self.orders.poll();
        self.shipments.poll();
    }

    /// The customer's orders, newest first.
    pub fn orders_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        overdue_legend(ui);
        widgets::request_status(ui, &self.orders);
        let (rows, total) = self
            .orders
            .value()
            .map(|r| (r.orders.clone(), r.total))
            .unwrap_or_default();
        if let Some(id) = orders_table(ui, "customer_orders", &rows, false, None, None) {
            ctx.navigate(Navigate::Order {
                id,
                from: Module::Customer,
            });
        }
        if widgets::pager(ui, &mut self.orders_offset, rows.len(), total, PAGE) {
            self.load_orders(ctx);
        }
    }

    /// The customer's shipments, newest first.
    pub fn shipments_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        overdue_legend(ui);
        widgets::request_status(ui, &self.shipments);
        let (rows, total) = self
            .shipments
            .value()
            .map(|r| (r.shipments.clone(), r.total))
            .unwrap_or_default();
        if let Some(order_id) = shipments_table(ui, "customer_shipments", &rows, None) {
            ctx.navigate(Navigate::Order {
                id: order_id,
                from: Module::Customer,
            });
        }
        if widgets::pager(ui, &mut self.shipments_offset, rows.len(), total, PAGE) {
            self.load_shipments(ctx);
        }
    }
}
