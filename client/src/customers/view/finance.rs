//! The customer view's finance tabs (for finance and those who collect its arrears): what
//! the customer still owes, shipment by shipment (未结明细, a row opening its order), and
//! its invoices (开票记录) and payments (回款记录), paged, newest first, a row showing its
//! details below.

use pharmacrm_shared::{Module, pb};

use crate::backend::Requested;
use crate::ctx::{AppCtx, Navigate};
use crate::finance::{
    WriteOffs, invoice_detail_ui, invoices_table, open_items_ui, payment_detail_ui, payments_table,
    totals_line,
};
use crate::i18n::t;
use crate::widgets;

const PAGE: u32 = 50;

/// The open items, the invoice history and the payment history.
#[derive(Default)]
pub struct FinanceTabs {
    customer_id: i64,
    open_items: Requested<pb::OpenItems>,
    invoices: Requested<pb::ListInvoicesResponse>,
    invoices_offset: u32,
    /// The invoice whose details show under the list.
    invoice: Option<i64>,
    payments: Requested<pb::ListPaymentsResponse>,
    payments_offset: u32,
    /// The payment whose details show under the list.
    payment: Option<i64>,
    /// 应收核销 under the open items, and the customer's write-offs.
    write_offs: WriteOffs,
}

impl FinanceTabs {
    /// Loads the open items and both histories (for those who may read them).
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        if !crate::finance::reads_money_history(ctx) {
            return;
        }
        self.customer_id = customer_id;
        self.open_items.request(
            ctx.finance()
                .list_open_items(pb::ListOpenItemsRequest { customer_id }),
        );
        self.load_invoices(ctx);
        self.load_payments(ctx);
        self.write_offs.reload(customer_id);
    }

    /// Whether a write-off dialog holds what the user typed.
    pub fn is_dirty(&self) -> bool {
        self.write_offs.is_dirty()
    }

    fn load_invoices(&mut self, ctx: &AppCtx) {
        self.invoices
            .request(ctx.finance().list_invoices(pb::ListInvoicesRequest {
                customer_id: Some(self.customer_id),
                page: Some(pb::PageRequest {
                    offset: self.invoices_offset,
                    limit: PAGE,
                }),
                ..Default::default()
            }));
    }

    fn load_payments(&mut self, ctx: &AppCtx) {
        self.payments
            .request(ctx.finance().list_payments(pb::ListPaymentsRequest {
                customer_id: Some(self.customer_id),
                page: Some(pb::PageRequest {
                    offset: self.payments_offset,
                    limit: PAGE,
                }),
                ..Default::default()
            }));
    }

    /// Polls the calls; a write-off saved or reversed reads the open items again and
    /// returns `true` (what the customer owes changed: its record says so too).
    pub fn poll(&mut self, ctx: &AppCtx) -> bool {
        self.open_items.poll();
        self.invoices.poll();
        self.payments.poll();
        let changed = self.write_offs.poll(ctx);
        if changed {
            self.open_items
                .request(ctx.finance().list_open_items(pb::ListOpenItemsRequest {
                    customer_id: self.customer_id,
                }));
        }
        changed
    }

    /// What the customer still owes, shipment by shipment, oldest due first; a click opens
    /// the order.
    pub fn open_items_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        widgets::request_status(ui, &self.open_items);
        if let Some(open) = self.open_items.value()
            && let Some(order_id) = open_items_ui(ui, "customer_open_items", open)
        {
            ctx.navigate(Navigate::Order {
                id: order_id,
                from: Module::Customer,
            });
        }
        self.write_offs.ui(ui, ctx, self.open_items.value());
    }

    /// The customer's invoices, newest first; a click shows one's orders.
    pub fn invoices_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        widgets::request_status(ui, &self.invoices);
        let (rows, total, total_amount) = self
            .invoices
            .value()
            .map(|r| (r.invoices.clone(), r.total, r.total_amount.clone()))
            .unwrap_or_default();
        // Of every invoice of the customer (red ones negative), not only this page.
        if !total_amount.is_empty() {
            totals_line(ui, &[(t("invoice.total_amount"), total_amount.as_str())]);
        }
        if let Some(i) = invoices_table(
            ui,
            "customer_invoices",
            &rows,
            false,
            None,
            self.invoice,
            None,
        ) {
            let id = rows[i].id;
            self.invoice = (self.invoice != Some(id)).then_some(id);
        }
        if widgets::pager(ui, &mut self.invoices_offset, rows.len(), total, PAGE) {
            self.load_invoices(ctx);
        }
        if let Some(invoice) = self.invoice.and_then(|id| rows.iter().find(|i| i.id == id)) {
            ui.separator();
            invoice_detail_ui(ui, invoice);
        }
    }

    /// The customer's payments, newest first; a click shows where one went.
    pub fn payments_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        widgets::request_status(ui, &self.payments);
        let (rows, total, total_amount) = self
            .payments
            .value()
            .map(|r| (r.payments.clone(), r.total, r.total_amount.clone()))
            .unwrap_or_default();
        // Of every payment of the customer (reversed ones left out), not only this page.
        if !total_amount.is_empty() {
            totals_line(ui, &[(t("payment.total_amount"), total_amount.as_str())]);
        }
        if let Some(i) = payments_table(ui, "customer_payments", &rows, false, self.payment, None) {
            let id = rows[i].id;
            self.payment = (self.payment != Some(id)).then_some(id);
        }
        if widgets::pager(ui, &mut self.payments_offset, rows.len(), total, PAGE) {
            self.load_payments(ctx);
        }
        if let Some(payment) = self.payment.and_then(|id| rows.iter().find(|p| p.id == id)) {
            ui.separator();
            payment_detail_ui(ui, payment);
        }
    }
}
