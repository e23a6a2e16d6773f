//! 批号追溯: who received a batch. A batch number (批号, the whole number as printed,
//! any case), optionally one drug and a ship period, finds every shipment line of it
//! within the caller's data scope: which customer, which shipment and order, how many
//! units, its expiry, whether it was signed for and by whom, and the CS rep who follows
//! the customer. A row opens its order. It is what a recall (药品召回: GSP 2016, 售后管理)
//! starts from: the customers to call and the units to take back.

use egui::RichText;
use pharmacrm_shared::pb;

use super::table::delivery_label;
use crate::backend::OffsetPaged;
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, label_value, t};
use crate::reports::export::{ExportBar, register_file_name};
use crate::widgets::{self, Cell, DataTable, DrugPicker, TableColumn, drug_label};

/// Shipments a page: the most the server gives (a batch reaches far fewer customers).
const PAGE: u32 = 500;

/// What the list asks for: the filters as sent.
#[derive(Clone, Debug, PartialEq)]
struct RecallKey {
    batch_no: String,
    drug_id: Option<i64>,
    ship_from: String,
    ship_to: String,
}

impl RecallKey {
    /// The shipments list's request: `page`, or every match (an export).
    fn request(self, page: Option<pb::PageRequest>) -> pb::ListShipmentsRequest {
        pb::ListShipmentsRequest {
            batch_no: self.batch_no,
            drug_id: self.drug_id,
            ship_from: self.ship_from,
            ship_to: self.ship_to,
            page,
            ..Default::default()
        }
    }
}

/// A shipment line of the batch, with its shipment.
struct Received<'a> {
    shipment: &'a pb::Shipment,
    line: &'a pb::ShipmentLine,
}

/// The recall screen.
#[derive(Default)]
pub struct RecallPanel {
    batch_no: String,
    ship_from: String,
    ship_to: String,
    /// The drug chosen: id and "name specification".
    drug: Option<(i64, String)>,
    picker: DrugPicker,
    list: OffsetPaged<RecallKey, pb::ListShipmentsResponse>,
    export: ExportBar,
}

impl RecallPanel {
    /// Reads again (shown again: shipments and deliveries recorded meanwhile).
    pub fn refresh(&mut self) {
        self.list.refresh();
    }

    fn key(&self) -> RecallKey {
        RecallKey {
            batch_no: pharmacrm_shared::validation::half_width(&self.batch_no)
                .trim()
                .to_owned(),
            drug_id: self.drug.as_ref().map(|(id, _)| *id),
            ship_from: widgets::date_filter_key(&self.ship_from),
            ship_to: widgets::date_filter_key(&self.ship_to),
        }
    }

    /// Draws the screen; the order of the row clicked.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<i64> {
        let key = self.key();
        if !key.batch_no.is_empty() {
            self.list.poll(key.clone(), PAGE, |key, page| {
                ctx.orders().list_shipments(key.request(Some(page)))
            });
        }
        let mut unread = Vec::new();
        ui.horizontal_wrapped(|ui| {
            widgets::search_field(
                ui,
                t("shipment.batch_no"),
                t("orders.recall.batch_hint"),
                150.0,
                &mut self.batch_no,
            );
            unread = widgets::period_filter(
                ui,
                "recall_shipped",
                (t("orders.recall.ship_from"), &mut self.ship_from),
                (t("orders.recall.ship_to"), &mut self.ship_to),
            );
        });
        self.drug_filter_ui(ui, ctx);
        widgets::unread_dates_ui(ui, &unread);
        if key.batch_no.is_empty() {
            ui.add_space(8.0);
            ui.label(RichText::new(t("orders.recall.prompt")).weak());
            return None;
        }
        widgets::filters_status(
            ui,
            &self.list.result,
            &[
                ("batch_no", t("shipment.batch_no")),
                ("ship_from", t("orders.recall.ship_from")),
                ("ship_to", t("common.end_date")),
            ],
        );
        // The export: every line of the batch, for the recall's notices, as listed but
        // unpaged; named as the server names the file, the batch as printed on the box
        // (matched whatever the case typed).
        let batch = key.batch_no.to_uppercase();
        let mut named = vec![batch.as_str()];
        named.extend(self.drug.as_ref().map(|(_, label)| label.as_str()));
        let name = register_file_name(
            t("orders.tab.recall"),
            &named,
            (&key.ship_from, &key.ship_to),
        );
        let dates_read = widgets::filter_dates_read(&[&self.ship_from, &self.ship_to]);
        // Nor while the list refuses the filters (a reversed period): the export would
        // be refused the same way, naming the request's field.
        let refused = self
            .list
            .result
            .error()
            .is_some_and(|e| e.code == Some(tonic::Code::InvalidArgument));
        let report = (dates_read && !refused)
            .then(|| pb::export_request::Report::Shipments(key.clone().request(None)));
        self.export.ui(ui, ctx, report, &name);
        let answered = self.list.answer().is_some();
        let (shipments, total, contacts) = self
            .list
            .answer()
            .map(|l| (l.shipments.clone(), l.total, l.contacts.clone()))
            .unwrap_or_default();
        let received = lines_of(&shipments, &key);
        if answered {
            let period = !key.ship_from.is_empty() || !key.ship_to.is_empty();
            ui.label(RichText::new(summary(&received, shipments.len(), total, period)).strong());
        }
        // What the red rows mean, when there are any.
        if received.iter().any(|r| is_red(r.shipment)) {
            super::table::red_legend(ui, t("orders.recall.legend"));
        }
        let available = ui.available_height() - 48.0;
        let clicked = received_table(ui, &received, &contacts, Some(available));
        widgets::pager(ui, &mut self.list.offset, shipments.len(), total, PAGE);
        clicked
    }

    /// The drug filter: the drug chosen with a button clearing it, or the picker.
    fn drug_filter_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if let Some((_, label)) = self.drug.clone() {
            ui.horizontal(|ui| {
                ui.label(label_value(t("report.drug"), &label));
                if ui.button(t("report.clear")).clicked() {
                    self.drug = None;
                }
            });
        } else if let Some(drug) = self.picker.ui(ui, ctx, t("report.drug_search"), |_| true) {
            self.drug = Some((drug.id, drug_label(&drug.name, &drug.specification)));
        } else if self.picker.is_typed() {
            ui.label(RichText::new(t("orders.recall.drug_pick_to_filter")).weak());
        }
    }
}

/// The lines of `shipments` of the batch (and drug) `key` asks for, a shipment's lines in
/// its order: a shipment also carries lines of other batches, which the recall leaves out.
fn lines_of<'a>(shipments: &'a [pb::Shipment], key: &RecallKey) -> Vec<Received<'a>> {
    shipments
        .iter()
        .flat_map(|shipment| {
            shipment
                .lines
                .iter()
                .filter(|line| {
                    line.batch_no.eq_ignore_ascii_case(&key.batch_no)
                        && key.drug_id.is_none_or(|id| line.drug_id == id)
                })
                .map(move |line| Received { shipment, line })
        })
        .collect()
}

/// "3 次发货，2 家客户，共 10 盒" — the units added up by drug and container unit, each
/// drug named when the batch number is on several ("布洛芬缓释胶囊 0.3g×24粒 20 盒、…");
/// with more shipments than a page, how many in all and that the figures are the page's.
/// None found says so, within the period when one is set (`period`), and that a batch is
/// matched whole.
fn summary(received: &[Received<'_>], shown: usize, total: u64, period: bool) -> String {
    if received.is_empty() {
        return if period {
            t("orders.recall.none_in_period")
        } else {
            t("orders.recall.none")
        }
        .to_owned();
    }
    let mut customers: Vec<i64> = received.iter().map(|r| r.shipment.customer_id).collect();
    customers.sort_unstable();
    customers.dedup();
    // (drug, unit) → units, in the order first seen.
    let mut units: Vec<((i64, &str), &pb::ShipmentLine, i64)> = Vec::new();
    for r in received {
        let key = (r.line.drug_id, r.line.unit_label.as_str());
        match units.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, n)) => *n += r.line.quantity,
            None => units.push((key, r.line, r.line.quantity)),
        }
    }
    let several = units.len() > 1;
    let units = units
        .iter()
        .map(|((_, unit), line, n)| {
            if several {
                format!(
                    "{} {n} {unit}",
                    drug_label(&line.drug_name, &line.specification)
                )
            } else {
                format!("{n} {unit}")
            }
        })
        .collect::<Vec<_>>()
        .join(crate::i18n::list_separator());
    let text = t("orders.recall.summary")
        .replace("{shipments}", &shown.to_string())
        .replace("{customers}", &customers.len().to_string())
        .replace("{units}", &units);
    if u64::try_from(shown).is_ok_and(|n| n < total) {
        bracketed(
            &text,
            &t("orders.recall.page_only").replace("{total}", &total.to_string()),
        )
    } else {
        text
    }
}

/// Whether a shipment's row is red: overdue, or lost (its units never reached the
/// customer).
fn is_red(s: &pb::Shipment) -> bool {
    s.overdue || s.delivery_status == pb::DeliveryStatus::Lost as i32
}

/// The lines received, one row each, each customer with whom to call (`contacts`, by
/// customer id); the order of the row clicked. An overdue shipment is red; a lost one too
/// (its units never reached the customer).
fn received_table(
    ui: &mut egui::Ui,
    rows: &[Received<'_>],
    contacts: &std::collections::HashMap<i64, pb::CustomerContact>,
    max_height: Option<f32>,
) -> Option<i64> {
    let contact = |r: &Received<'_>| contacts.get(&r.shipment.customer_id);
    let cells = |text: &dyn Fn(&Received<'_>) -> String| -> Vec<Cell> {
        rows.iter()
            .map(|r| Cell::coloured(text(r), is_red(r.shipment).then_some(widgets::ERROR)))
            .collect()
    };
    let column =
        |header, text: &dyn Fn(&Received<'_>) -> String| TableColumn::text(header, cells(text));
    let columns = [
        column(t("order.customer"), &|r| r.shipment.customer_name.clone()),
        // Whom the recall calls.
        column(t("customer.contact"), &|r| {
            contact(r)
                .map(|c| c.contact_person.clone())
                .unwrap_or_default()
        }),
        column(t("customer.phone"), &|r| {
            contact(r).map(|c| c.phone.clone()).unwrap_or_default()
        }),
        column(t("shipment.ship_date"), &|r| r.shipment.ship_date.clone()),
        // Why a row is red (逾期 4 天, 丢失), in sight at the narrowest window.
        column(t("shipment.status"), &|r| delivery_label(r.shipment)),
        column(t("shipment.number"), &|r| r.shipment.number.clone()),
        column(t("order.number"), &|r| r.shipment.order_number.clone()),
        column(t("order.drug"), &|r| {
            drug_label(&r.line.drug_name, &r.line.specification)
        }),
        column(t("shipment.batch_no"), &|r| r.line.batch_no.clone()),
        column(t("shipment.expiry_date"), &|r| r.line.expiry_date.clone()),
        TableColumn::count(
            t("orders.recall.quantity"),
            cells(&|r| format!("{} {}", r.line.quantity, r.line.unit_label)),
        ),
        // Units reported damaged, lost or short: the customer holds the rest.
        TableColumn::count(
            t("orders.recall.exception_quantity"),
            cells(&|r| {
                if r.line.exception_quantity == 0 {
                    String::new()
                } else {
                    r.line.exception_quantity.to_string()
                }
            }),
        ),
        column(t("shipment.signer"), &|r| r.shipment.signer.clone()),
        column(t("order.cs_rep"), &|r| {
            r.shipment
                .cs_rep
                .as_ref()
                .map(|u| u.name.clone())
                .unwrap_or_default()
        }),
    ];
    DataTable::new("recall_table", &columns)
        .clickable()
        .max_height(max_height)
        .show(ui)
        .map(|i| rows[i].shipment.order_id)
}
