//! The order and shipment tables the order list and the customer view share: the whole row
//! opens its order, overdue rows are red (with [`overdue_legend`] saying so), money is
//! right-aligned on its decimal point.

use egui::RichText;
use pharmacrm_shared::pb;

use crate::format;
use crate::i18n::{t, tn};
use crate::widgets::{self, Cell, DataTable, TableColumn, choice_label, row_styles};

/// The sort of a sortable order table: a `pb::OrderSort` wire number and its direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderSortState(pub widgets::Sort);

impl Default for OrderSortState {
    /// Newest orders first.
    fn default() -> Self {
        OrderSortState(widgets::Sort {
            key: pb::OrderSort::OrderDate as i32,
            descending: true,
        })
    }
}

/// "■ 红色：有逾期未签收的发货" above a table whose overdue rows are red.
pub fn overdue_legend(ui: &mut egui::Ui) {
    red_legend(ui, t("orders.legend.overdue"));
}

/// "■ `words`" above a table whose red rows `words` explain: a key, the swatch red and its
/// words quiet (in red they read as an alarm over a table with no red row).
pub fn red_legend(ui: &mut egui::Ui, words: &str) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, widgets::ERROR);
        ui.label(RichText::new(words).weak());
    });
}

/// How far an order has got: "已发 30/100 盒 · 实收 20 盒" (件, pieces, when its lines use
/// different units; 实收 counts units received in good order), with the exceptions open
/// and closed and the overdue shipments when any (its status says 已结案; a closed one is
/// said too: a completed order short of its units was settled by a deduction); nothing
/// for a cancelled order (its status says it, and it never ships).
pub(super) fn progress_text(order: &pb::Order) -> String {
    if order.cancelled_at.is_some() {
        return String::new();
    }
    let p = order.progress.clone().unwrap_or_default();
    let mut text = t("orders.progress")
        .replace("{shipped}", &p.units_shipped.to_string())
        .replace("{ordered}", &super::units_text(p.units_ordered, &p))
        .replace("{delivered}", &super::units_text(p.units_delivered, &p));
    if p.open_exceptions > 0 {
        text.push_str(" · ");
        text.push_str(&tn("orders.open_exceptions", u64::from(p.open_exceptions)));
    }
    let closed = p.exceptions.saturating_sub(p.open_exceptions);
    if closed > 0 {
        text.push_str(" · ");
        text.push_str(&tn("orders.closed_exceptions", u64::from(closed)));
    }
    if p.overdue_shipments > 0 {
        text.push_str(" · ");
        text.push_str(&tn(
            "orders.overdue_shipments",
            u64::from(p.overdue_shipments),
        ));
    }
    text
}

/// A table of orders, each with its total and net (净额); returns the order clicked. With
/// `sort`, the sortable headers are buttons that set it (the caller asks the server
/// again). `max_height` bounds a table that scrolls itself; `None` draws every row in the enclosing scroll area. An order
/// with a shipment overdue today is red on every cell, a cancelled one greyed.
pub fn orders_table(
    ui: &mut egui::Ui,
    id_salt: &str,
    rows: &[pb::Order],
    show_customer: bool,
    sort: Option<&mut OrderSortState>,
    max_height: Option<f32>,
) -> Option<i64> {
    let red = |o: &pb::Order| {
        let overdue = o.progress.as_ref().is_some_and(|p| p.overdue_shipments > 0);
        overdue.then_some(widgets::ERROR)
    };
    let column = |header, text: &dyn Fn(&pb::Order) -> String| {
        TableColumn::text(
            header,
            rows.iter()
                .map(|o| Cell::coloured(text(o), red(o)))
                .collect(),
        )
    };
    let mut columns = vec![
        column(t("order.number"), &|o| o.number.clone()),
        // Dates and amounts read best largest first; names and statuses in order.
        column(t("order.date"), &|o| o.order_date.clone())
            .sorted_by(pb::OrderSort::OrderDate as i32, true),
    ];
    if show_customer {
        columns.push(
            column(t("order.customer"), &super::customer_text)
                .sorted_by(pb::OrderSort::Customer as i32, false),
        );
    }
    // The amount beside the customer, and how far the order has got beside its status:
    // at the narrowest window the reps' names (for a rep, mostly their own) scroll
    // sideways, and what the user reads most stays in sight.
    columns.extend([
        TableColumn::money(
            t("order.total"),
            rows.iter()
                .map(|o| Cell::coloured(o.total.clone(), red(o)))
                .collect(),
        )
        .sorted_by(pb::OrderSort::Total as i32, true),
        // What the customer is charged for it (less deductions and what 结案 gave up; 0
        // once cancelled): the figure the order view, 欠款 and the reports go by.
        TableColumn::money(
            t("order.net"),
            rows.iter()
                .map(|o| {
                    let cell = Cell::coloured(o.net.clone(), red(o));
                    match net_hover(o) {
                        Some(hover) => cell.with_hover(hover),
                        None => cell,
                    }
                })
                .collect(),
        ),
        column(t("order.status"), &super::status_label)
            .sorted_by(pb::OrderSort::Status as i32, false),
        column(t("order.progress"), &progress_text).uncut(),
        column(t("order.sales_rep"), &|o| {
            format::person(o.sales_rep.as_ref())
        }),
        column(t("order.cs_rep"), &|o| format::person(o.cs_rep.as_ref())),
    ]);
    let cancelled = pb::OrderStatus::Cancelled as i32;
    let styles = row_styles(rows, None, |o| (o.id, o.status == cancelled));
    let clicked = DataTable::new(id_salt, &columns)
        .styles(&styles)
        .clickable()
        .max_height(max_height)
        .sort(sort.map(|s| &mut s.0))
        .show(ui);
    clicked.map(|i| rows[i].id)
}

/// How an order's net comes from its total, said over its 净额 cell where they differ:
/// "订单金额 361.00 − 结案未发 99.00" (the parts that are not zero), or that a cancelled
/// order is worth nothing.
fn net_hover(o: &pb::Order) -> Option<String> {
    if o.status == pb::OrderStatus::Cancelled as i32 {
        return Some(t("orders.net_cancelled").to_owned());
    }
    if o.net == o.total {
        return None;
    }
    let mut text = format!("{} {}", t("order.total"), format::money(&o.total));
    for (label, amount) in [
        (t("order.deductions"), &o.deductions),
        (t("order.closed_amount"), &o.closed_amount),
    ] {
        if crate::finance::is_positive(amount) {
            text.push_str(&format!(" − {label} {}", format::money(amount)));
        }
    }
    Some(text)
}

/// A table of shipments (with their order numbers); returns the order of the row clicked.
/// An overdue shipment is red on every cell.
pub fn shipments_table(
    ui: &mut egui::Ui,
    id_salt: &str,
    rows: &[pb::Shipment],
    max_height: Option<f32>,
) -> Option<i64> {
    let cells = |text: &dyn Fn(&pb::Shipment) -> String| -> Vec<Cell> {
        rows.iter()
            .map(|s| Cell::coloured(text(s), s.overdue.then_some(widgets::ERROR)))
            .collect()
    };
    let column =
        |header, text: &dyn Fn(&pb::Shipment) -> String| TableColumn::text(header, cells(text));
    let columns = [
        column(t("shipment.number"), &|s| {
            if s.is_replacement {
                crate::i18n::bracketed(&s.number, t("shipment.replacement"))
            } else {
                s.number.clone()
            }
        }),
        column(t("order.number"), &|s| s.order_number.clone()),
        column(t("shipment.ship_date"), &|s| s.ship_date.clone()),
        column(t("shipment.carrier"), &|s| s.carrier.clone()),
        column(t("shipment.waybill_no"), &|s| s.waybill_no.clone()),
        column(t("shipment.expected_arrival"), &|s| {
            s.expected_arrival.clone()
        }),
        column(t("shipment.status"), &delivery_label),
        column(t("shipment.signer"), &|s| s.signer.clone()),
        TableColumn::money(t("shipment.amount"), cells(&|s| s.amount.clone())),
    ];
    let clicked = DataTable::new(id_salt, &columns)
        .clickable()
        .max_height(max_height)
        .show(ui);
    clicked.map(|i| rows[i].order_id)
}

/// A shipment's delivery state as text: "逾期 3 天" when overdue, else its status.
pub(super) fn delivery_label(s: &pb::Shipment) -> String {
    if s.overdue {
        tn("shipment.overdue_days", u64::from(s.days_overdue))
    } else {
        choice_label::<pb::DeliveryStatus>(s.delivery_status).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_net_other_than_the_total_says_what_came_off_it() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let mut order = pb::Order {
            total: "361.00".into(),
            deductions: "0.00".into(),
            closed_amount: "99.00".into(),
            net: "262.00".into(),
            ..Default::default()
        };
        assert_eq!(
            net_hover(&order).as_deref(),
            Some("订单金额 361.00 − 结案未发金额 99.00")
        );
        order.deductions = "12.50".into();
        order.net = "249.50".into();
        assert_eq!(
            net_hover(&order).as_deref(),
            Some("订单金额 361.00 − 扣款 12.50 − 结案未发金额 99.00")
        );
        // Nothing came off: nothing to say.
        order.net = order.total.clone();
        assert_eq!(net_hover(&order), None);
        order.status = pb::OrderStatus::Cancelled as i32;
        assert_eq!(net_hover(&order).as_deref(), Some("订单已取消，不计金额"));
    }

    #[test]
    fn a_cancelled_order_shows_no_progress_and_overdue_shipments_are_counted_as_such() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let mut order = pb::Order {
            progress: Some(pb::OrderProgress {
                units_ordered: 10,
                units_shipped: 10,
                overdue_shipments: 1,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            progress_text(&order),
            "已发 10/10 件 · 实收 0 件 · 1 批货逾期未签收"
        );
        // Lines all in boxes are counted in boxes.
        if let Some(progress) = &mut order.progress {
            progress.unit = "盒".to_owned();
        }
        assert_eq!(
            progress_text(&order),
            "已发 10/10 盒 · 实收 0 盒 · 1 批货逾期未签收"
        );
        // A short delivery settled: its exception is said though closed.
        if let Some(progress) = &mut order.progress {
            progress.overdue_shipments = 0;
            progress.units_delivered = 8;
            progress.exceptions = 2;
            progress.open_exceptions = 1;
        }
        assert_eq!(
            progress_text(&order),
            "已发 10/10 盒 · 实收 8 盒 · 1 个异常未结 · 1 个异常已结"
        );
        order.cancelled_at = Some(prost_types::Timestamp::default());
        assert_eq!(progress_text(&order), "");
    }
}
