//! The order and shipment tables the order list and the customer view share: the whole row
//! opens its order, overdue rows are red (with [`overdue_legend`] saying so), money is
//! right-aligned on its decimal point.

use egui::{Color32, RichText};
use egui_extras::Column;
use pharmacrm_shared::pb;

use crate::i18n::{t, tn};
use crate::widgets::{self, choice_label};

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
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, widgets::ERROR);
        ui.label(RichText::new(t("orders.legend.overdue")).color(widgets::ERROR));
    });
}

/// How far an order has got: "已发 30/100 · 已签收 20", with the exceptions when any and
/// "已结案" when the rest was given up; nothing for a cancelled order (its status says it,
/// and it never ships).
fn progress_text(order: &pb::Order) -> String {
    if order.cancelled_at.is_some() {
        return String::new();
    }
    let p = order.progress.unwrap_or_default();
    let mut text = t("orders.progress")
        .replace("{shipped}", &p.units_shipped.to_string())
        .replace("{ordered}", &p.units_ordered.to_string())
        .replace("{delivered}", &p.units_delivered.to_string());
    if p.open_exceptions > 0 {
        text.push_str(" · ");
        text.push_str(&tn("orders.open_exceptions", u64::from(p.open_exceptions)));
    }
    if p.overdue_shipments > 0 {
        text.push_str(" · ");
        text.push_str(&tn(
            "orders.overdue_shipments",
            u64::from(p.overdue_shipments),
        ));
    }
    if order.closed_at.is_some() {
        text.push_str(" · ");
        text.push_str(t("orders.closed"));
    }
    text
}

/// A table of orders; returns the order clicked. With `sort`, the sortable headers are
/// buttons that set it (the caller asks the server again). `max_height` bounds a table
/// that scrolls itself; `None` draws every row in the enclosing scroll area.
pub fn orders_table(
    ui: &mut egui::Ui,
    id_salt: &str,
    rows: &[pb::Order],
    show_customer: bool,
    sort: Option<&mut OrderSortState>,
    max_height: Option<f32>,
) -> Option<i64> {
    let mut opened = None;
    let mut resort = None;
    let number = widgets::fit_column(
        ui,
        t("order.number"),
        rows.iter().map(|o| o.number.as_str()),
        120.0,
        180.0,
    );
    let customers: Vec<String> = rows.iter().map(super::customer_text).collect();
    let customer = widgets::fit_column(
        ui,
        t("order.customer"),
        customers.iter().map(String::as_str),
        120.0,
        260.0,
    );
    let decimals = widgets::money_decimals(rows.iter().map(|o| o.total.as_str()));
    let date = widgets::fit_column(
        ui,
        t("order.date"),
        rows.iter().map(|o| o.order_date.as_str()),
        90.0,
        120.0,
    );
    let sales_rep = widgets::fit_column(
        ui,
        t("order.sales_rep"),
        rows.iter().map(|o| super::rep_name(o.sales_rep.as_ref())),
        70.0,
        160.0,
    );
    let cs_rep = widgets::fit_column(
        ui,
        t("order.cs_rep"),
        rows.iter().map(|o| super::rep_name(o.cs_rep.as_ref())),
        70.0,
        160.0,
    );
    let status = widgets::fit_column(
        ui,
        t("order.status"),
        rows.iter()
            .map(|o| choice_label::<pb::OrderStatus>(o.status)),
        70.0,
        160.0,
    );
    let progress_texts: Vec<String> = rows.iter().map(progress_text).collect();
    let progress = widgets::fit_column(
        ui,
        t("order.progress"),
        progress_texts.iter().map(String::as_str),
        160.0,
        420.0,
    );
    let totals: Vec<String> = rows
        .iter()
        .map(|o| widgets::money_text(&o.total, decimals))
        .collect();
    let total = widgets::fit_column(
        ui,
        t("order.total"),
        totals.iter().map(String::as_str),
        90.0,
        180.0,
    );
    let mut headers: Vec<(&str, Option<pb::OrderSort>)> = vec![
        (t("order.number"), None),
        (t("order.date"), Some(pb::OrderSort::OrderDate)),
    ];
    if show_customer {
        headers.push((t("order.customer"), Some(pb::OrderSort::Customer)));
    }
    // The amount beside the customer, and how far the order has got beside its status:
    // at the narrowest window the reps' names (for a rep, mostly their own) scroll
    // sideways, and what the user reads most stays in sight.
    let total_index = headers.len();
    headers.extend([
        (t("order.total"), Some(pb::OrderSort::Total)),
        (t("order.status"), Some(pb::OrderSort::Status)),
        (t("order.progress"), None),
        (t("order.sales_rep"), None),
        (t("order.cs_rep"), None),
    ]);
    let current = sort.as_deref().copied();
    widgets::table(ui, id_salt, |ui| {
        let mut builder = widgets::table_builder(ui, id_salt, true)
            .column(number)
            .column(date);
        builder = match max_height {
            Some(height) => builder.max_scroll_height(height.max(100.0)),
            None => builder.vscroll(false),
        };
        if show_customer {
            builder = builder.column(customer);
        }
        builder
            .column(total)
            .column(status)
            .column(progress)
            .column(sales_rep)
            .column(cs_rep)
            .header(24.0, |mut header| {
                for (i, (label, key)) in headers.iter().enumerate() {
                    header.col(|ui| {
                        // The amount's header sits over its right-aligned figures.
                        if i == total_index {
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| sort_header(ui, current, label, *key, &mut resort),
                            );
                        } else {
                            sort_header(ui, current, label, *key, &mut resort);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(24.0, rows.len(), |mut row| {
                    let row_index = row.index();
                    let o = &rows[row_index];
                    let progress = o.progress.unwrap_or_default();
                    // An order with a shipment overdue today is red, on every cell.
                    let colour = (progress.overdue_shipments > 0).then_some(widgets::ERROR);
                    let text = |s: &str| paint(RichText::new(s), colour);
                    row.col(|ui| {
                        ui.label(text(&o.number));
                    });
                    row.col(|ui| {
                        ui.label(text(&o.order_date));
                    });
                    if show_customer {
                        row.col(|ui| {
                            ui.label(text(&super::customer_text(o)));
                        });
                    }
                    row.col(|ui| widgets::money_cell_in(ui, &o.total, decimals, colour));
                    row.col(|ui| {
                        ui.label(paint(super::status_text(o.status), colour));
                    });
                    row.col(|ui| {
                        // Whole on hover, for a narrow window that cuts it.
                        let progress = &progress_texts[row_index];
                        let shown = ui.label(text(progress));
                        if !progress.is_empty() {
                            shown.on_hover_text(progress);
                        }
                    });
                    row.col(|ui| {
                        ui.label(text(super::rep_name(o.sales_rep.as_ref())));
                    });
                    row.col(|ui| {
                        ui.label(text(super::rep_name(o.cs_rep.as_ref())));
                    });
                    if row.response().clicked() {
                        opened = Some(o.id);
                    }
                });
            });
    });
    if let (Some(key), Some(sort)) = (resort, sort) {
        // Dates and amounts read best largest first; names and statuses in order.
        let largest_first =
            key == pb::OrderSort::OrderDate as i32 || key == pb::OrderSort::Total as i32;
        sort.0.click(key, largest_first);
    }
    opened
}

/// A header cell: a button setting the sort when the table sorts by `key`, else the label.
fn sort_header(
    ui: &mut egui::Ui,
    current: Option<OrderSortState>,
    label: &str,
    key: Option<pb::OrderSort>,
    resort: &mut Option<i32>,
) {
    match (current, key) {
        (Some(current), Some(key)) => {
            let key = key as i32;
            if current.0.button(ui, label, key) {
                *resort = Some(key);
            }
        }
        _ => {
            ui.strong(label);
        }
    }
}

/// A table of shipments (with their order numbers); returns the order of the row clicked.
pub fn shipments_table(
    ui: &mut egui::Ui,
    id_salt: &str,
    rows: &[pb::Shipment],
    max_height: Option<f32>,
) -> Option<i64> {
    let mut opened = None;
    let number = widgets::fit_column(
        ui,
        t("shipment.number"),
        rows.iter().map(|s| s.number.as_str()),
        120.0,
        200.0,
    );
    let carrier = widgets::fit_column(
        ui,
        t("shipment.carrier"),
        rows.iter().map(|s| s.carrier.as_str()),
        80.0,
        180.0,
    );
    let decimals = widgets::money_decimals(rows.iter().map(|s| s.amount.as_str()));
    widgets::table(ui, id_salt, |ui| {
        let builder = widgets::table_builder(ui, id_salt, true);
        let builder = match max_height {
            Some(height) => builder.max_scroll_height(height.max(100.0)),
            None => builder.vscroll(false),
        };
        builder
            .column(number)
            .column(Column::auto().at_least(120.0))
            .column(Column::auto().at_least(80.0))
            .column(carrier)
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(60.0))
            .column(Column::remainder().at_least(90.0))
            .header(24.0, |mut header| {
                widgets::header_labels(
                    &mut header,
                    [
                        t("shipment.number"),
                        t("order.number"),
                        t("shipment.ship_date"),
                        t("shipment.carrier"),
                        t("shipment.waybill_no"),
                        t("shipment.expected_arrival"),
                        t("shipment.status"),
                        t("shipment.signer"),
                        t("shipment.amount"),
                    ],
                );
            })
            .body(|body| {
                body.rows(24.0, rows.len(), |mut row| {
                    let s = &rows[row.index()];
                    let colour = s.overdue.then_some(widgets::ERROR);
                    let text = |s: &str| paint(RichText::new(s), colour);
                    row.col(|ui| {
                        if s.is_replacement {
                            ui.label(text(&crate::i18n::bracketed(
                                &s.number,
                                t("shipment.replacement"),
                            )));
                        } else {
                            ui.label(text(&s.number));
                        }
                    });
                    row.col(|ui| {
                        ui.label(text(&s.order_number));
                    });
                    row.col(|ui| {
                        ui.label(text(&s.ship_date));
                    });
                    row.col(|ui| {
                        ui.label(text(&s.carrier));
                    });
                    row.col(|ui| {
                        ui.label(text(&s.waybill_no));
                    });
                    row.col(|ui| {
                        ui.label(text(&s.expected_arrival));
                    });
                    row.col(|ui| {
                        ui.label(super::delivery_text(s));
                    });
                    row.col(|ui| {
                        ui.label(text(&s.signer));
                    });
                    row.col(|ui| widgets::money_cell(ui, &s.amount, decimals));
                    if row.response().clicked() {
                        opened = Some(s.order_id);
                    }
                });
            });
    });
    opened
}

/// `text` in `colour` when one is given.
fn paint(text: RichText, colour: Option<Color32>) -> RichText {
    match colour {
        Some(colour) => text.color(colour),
        None => text,
    }
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
            "已发 10/10 · 已签收 0 · 1 批货逾期未签收"
        );
        order.cancelled_at = Some(prost_types::Timestamp::default());
        assert_eq!(progress_text(&order), "");
    }
}
