//! Shipping: the shipment fields (shared with a replacement shipment), lines by batch
//! (shared with a replacement's lines), the shipment form and the delivery confirmation.

use egui::RichText;
use pharmacrm_shared::pb;

use super::view::ActionEvent;
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t};
use crate::widgets::{self, FieldErrors, FormUi, Unsaved};

/// The server's question about a waybill already on another shipment, and the answer.
#[derive(Clone, Debug, PartialEq)]
struct WaybillReused {
    /// The waybill it was asked of.
    waybill: String,
    /// Its sentence, naming the shipments.
    why: String,
    /// Confirmed as the same parcel on purpose.
    confirmed: bool,
}

/// A shipment's own fields as typed, for a new shipment or a replacement.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ShipmentFields {
    ship_date: String,
    carrier: String,
    waybill_no: String,
    /// Empty: the company's default.
    transit_days: String,
    invoicing_entity_id: i64,
    invoice_no: String,
    /// Once the server said the waybill is on another shipment: the waybill it said it of,
    /// what it said, and whether the user confirmed it is the same parcel on purpose.
    waybill_reused: Option<WaybillReused>,
    /// The order's requested delivery date (要求到货日期), when it has one: an expected
    /// arrival after it is said beside it. None for a replacement.
    requested_delivery_date: Option<chrono::NaiveDate>,
}

impl ShipmentFields {
    /// Shipping today, with the company's transit days (when known) and `entity`.
    pub(super) fn new(default_transit_days: Option<i32>, invoicing_entity_id: i64) -> Self {
        ShipmentFields {
            ship_date: crate::format::business_today_text(),
            carrier: String::new(),
            waybill_no: String::new(),
            transit_days: default_transit_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            invoicing_entity_id,
            invoice_no: String::new(),
            waybill_reused: None,
            requested_delivery_date: None,
        }
    }

    /// The same, for an order whose customer asked for delivery by `date` (YYYY-MM-DD;
    /// empty or unreadable for none).
    pub(super) fn requested_by(self, date: &str) -> Self {
        ShipmentFields {
            requested_delivery_date: chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
            ..self
        }
    }

    /// The same, `carrier` filled in.
    pub(super) fn carried_by(self, carrier: &str) -> Self {
        ShipmentFields {
            carrier: carrier.to_owned(),
            ..self
        }
    }

    /// The request's shipment.
    pub(super) fn input(&self) -> pb::ShipmentInput {
        pb::ShipmentInput {
            ship_date: widgets::normalize_date(&self.ship_date),
            carrier: self.carrier.trim().to_owned(),
            waybill_no: self.waybill_no.trim().to_owned(),
            transit_days: match self.transit_days.trim() {
                "" => None,
                days => Some(days.parse().unwrap_or(-1)),
            },
            invoicing_entity_id: self.invoicing_entity_id,
            invoice_no: self.invoice_no.trim().to_owned(),
            // Confirmed for this very waybill, not one typed before.
            confirm_waybill_reused: self
                .waybill_reused
                .as_ref()
                .is_some_and(|r| r.confirmed && r.waybill == self.waybill_no.trim()),
        }
    }

    /// The rows of the fields; the server names them `{prefix}ship_date` and so on. The
    /// invoicing entity and invoice number only with `entities` (a replacement owes
    /// nothing and has none).
    pub(super) fn rows(
        &mut self,
        f: &mut FormUi<'_>,
        prefix: &str,
        entities: Option<&[(i64, String)]>,
        default_transit_days: Option<i32>,
    ) {
        let field = |name: &str| format!("{prefix}{name}");
        f.required(&[&field("ship_date"), &field("carrier")]);
        f.past_date(
            t("shipment.ship_date"),
            &field("ship_date"),
            &mut self.ship_date,
        );
        f.text(t("shipment.carrier"), &field("carrier"), &mut self.carrier);
        f.text(
            t("shipment.waybill_no"),
            &field("waybill_no"),
            &mut self.waybill_no,
        );
        self.waybill_reused_ui(f, &field("confirm_waybill_reused"));
        let hint = default_transit_days
            .map(|d| d.to_string())
            .unwrap_or_default();
        f.text_hint(
            t("shipment.transit_days"),
            &field("transit_days"),
            &mut self.transit_days,
            &hint,
        );
        // The date it is overdue after, as the server will set it: said before saving.
        let arrival = expected_arrival(&self.ship_date, &self.transit_days, default_transit_days);
        // Later than the customer asked for: said before the parcel goes, so that the
        // CS rep can pick a faster carrier or tell the customer.
        let late = arrival
            .zip(self.requested_delivery_date)
            .filter(|(arrival, requested)| arrival > requested)
            .map(|(_, requested)| requested);
        f.row(
            t("shipment.expected_arrival"),
            &field("expected_arrival"),
            |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        arrival
                            .map_or_else(|| "—".to_owned(), |d| d.format("%Y-%m-%d").to_string()),
                    );
                    if let Some(requested) = late {
                        let text = t("shipment.after_requested")
                            .replace("{date}", &requested.format("%Y-%m-%d").to_string());
                        ui.label(RichText::new(text).color(widgets::WARNING));
                    }
                })
                .response
            },
        );
        if let Some(entities) = entities {
            f.combo(
                t("order.invoicing_entity"),
                &field("invoicing_entity_id"),
                &mut self.invoicing_entity_id,
                entities,
            );
            f.text(
                t("shipment.invoice_no"),
                &field("invoice_no"),
                &mut self.invoice_no,
            );
        }
    }

    /// The confirmation that the waybill is the same parcel as a shipment on record with
    /// it: offered once the server refused it so, its sentence kept under the checkbox
    /// (set each frame: the form drops its own complaints as the lines change); withdrawn
    /// once the waybill is changed.
    fn waybill_reused_ui(&mut self, f: &mut FormUi<'_>, field: &str) {
        let waybill = self.waybill_no.trim().to_owned();
        if let Some(why) = f.take_server_complaint(field) {
            self.waybill_reused = Some(WaybillReused {
                waybill: waybill.clone(),
                why,
                confirmed: false,
            });
        }
        if self
            .waybill_reused
            .as_ref()
            .is_some_and(|r| r.waybill != waybill)
        {
            self.waybill_reused = None;
        }
        match &mut self.waybill_reused {
            Some(reused) => {
                f.set_local(field, Some(reused.why.clone()));
                f.checkbox(
                    "",
                    field,
                    &mut reused.confirmed,
                    t("shipment.confirm_waybill_reused"),
                );
            }
            None => f.set_local(field, None),
        }
    }
}

/// The expected arrival of a shipment as typed: its ship date plus its transit days (the
/// company's default when left empty; spec clarification "Overdue"); none while either
/// does not read.
fn expected_arrival(
    ship_date: &str,
    transit_days: &str,
    default_transit_days: Option<i32>,
) -> Option<chrono::NaiveDate> {
    let shipped =
        chrono::NaiveDate::parse_from_str(&widgets::normalize_date(ship_date), "%Y-%m-%d").ok()?;
    let days = match transit_days.trim() {
        "" => default_transit_days?,
        typed => typed.parse::<i32>().ok().filter(|d| *d >= 0)?,
    };
    shipped.checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))
}

/// Units of one line from one batch, as typed: a shipment line (of an order line) or a
/// replacement line (of an exception line).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct BatchLine {
    /// The order line's or the exception line's id.
    pub id: i64,
    /// "name specification".
    pub label: String,
    pub unit_label: String,
    /// What may go: the units still to ship, or the exception's units.
    pub limit: i64,
    pub quantity: String,
    pub batch_no: String,
    pub expiry_date: String,
}

impl BatchLine {
    /// Whether the line goes into the request (a quantity was given).
    fn is_sent(&self) -> bool {
        super::quantity_given(&self.quantity)
    }
}

/// The position in the request of each line that goes into it (`sent`, line by line).
pub(super) fn request_positions(sent: impl IntoIterator<Item = bool>) -> Vec<Option<usize>> {
    let mut next = 0;
    sent.into_iter()
        .map(|sent| {
            sent.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// The request lines of the `lines` that go into it, in order: `row(id, quantity,
/// batch number, expiry date)` of each, as sent (trimmed, the date normalised).
pub(super) fn sent_lines<T>(
    lines: &[BatchLine],
    row: impl Fn(i64, i64, String, String) -> T,
) -> Vec<T> {
    lines
        .iter()
        .filter(|l| l.is_sent())
        .map(|l| {
            row(
                l.id,
                super::parse_quantity(&l.quantity),
                l.batch_no.trim().to_owned(),
                widgets::normalize_date(&l.expiry_date),
            )
        })
        .collect()
}

/// The positions in the request of `lines` (see [`request_positions`]).
fn batch_positions(lines: &[BatchLine]) -> Vec<Option<usize>> {
    request_positions(lines.iter().map(BatchLine::is_sent))
}

/// The grid of batch lines (`layout.lines_id`): drug, unit, `layout.limit_header` (what
/// may go, on a line's first batch only), quantity, batch number, expiry date; and a
/// button under 分批: "+" on a line's first batch adding another, "−" on a batch so added
/// taking it away. The server's complaints are named `{list}[{j}].quantity` etc.
/// (`layout.list`), `j` the line's position in the last request (`positions`). A batch
/// expiring within `near_expiry` (the ship date and the company's near-expiry days) is
/// warned of under its row.
fn batch_lines_ui(
    ui: &mut egui::Ui,
    layout: &DraftLayout<'_>,
    lines: &mut Vec<BatchLine>,
    positions: &[Option<usize>],
    errors: &mut FieldErrors,
    near_expiry: Option<(chrono::NaiveDate, i32)>,
) {
    let (id, limit_header, list) = (layout.lines_id, layout.limit_header, layout.list);
    let mut split = None;
    let mut unsplit = None;
    // A row of the same line as the row above is another batch of it.
    let another_batch: Vec<bool> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| i > 0 && lines[i - 1].id == l.id)
        .collect();
    widgets::table(ui, id, |ui| {
        egui::Grid::new((id, "grid"))
            .num_columns(7)
            .spacing([12.0, 4.0])
            .striped(true)
            .show(ui, |ui| {
                ui.strong(t("order.drug"));
                ui.strong(t("order.unit"));
                ui.strong(limit_header);
                let quantity_header = ui.strong(t("shipment.quantity"));
                // GSP: every line carries its batch and expiry, marked as a form's
                // required fields are.
                let batch_header = widgets::required_header(ui, t("shipment.batch_no"));
                let expiry_header = widgets::required_header(ui, t("shipment.expiry_date"));
                // A narrow column: "+" under a short header, the hover says what it does
                // (at 900 px wide the row still fits).
                let split_header = ui.strong(t("shipment.another_batch"));
                ui.end_row();
                for (i, line) in lines.iter_mut().enumerate() {
                    let field = |name: &str| {
                        positions
                            .get(i)
                            .copied()
                            .flatten()
                            .map(|j| format!("{list}[{j}].{name}"))
                    };
                    // A line's complaints go under it; its cells keep to its top.
                    let row_start = ui.cursor().min;
                    widgets::top_cell(ui, |ui| ui.label(&line.label));
                    widgets::top_cell(ui, |ui| ui.label(&line.unit_label));
                    // What may go is the line's, said once, on its first batch.
                    let limit = if another_batch[i] {
                        String::new()
                    } else {
                        line.limit.to_string()
                    };
                    widgets::top_cell(ui, |ui| ui.label(limit));
                    let quantity = field("quantity");
                    errors.cell_input(
                        ui,
                        &mut line.quantity,
                        70.0,
                        quantity_header.id,
                        quantity.as_deref(),
                    );
                    let batch_no = field("batch_no");
                    errors.cell_input(
                        ui,
                        &mut line.batch_no,
                        // A batch number (B20261101) fits; the row fits 900 points.
                        104.0,
                        batch_header.id,
                        batch_no.as_deref(),
                    );
                    // The date input and its calendar button claim their width together.
                    ui.vertical(|ui| {
                        ui.set_min_width(widgets::DATE_INPUT_WIDTH + 70.0);
                        let response = ui
                            .horizontal(|ui| {
                                let mut response = ui
                                    .add(
                                        egui::TextEdit::singleline(&mut line.expiry_date)
                                            .hint_text(t("common.date_hint"))
                                            .desired_width(widgets::DATE_INPUT_WIDTH),
                                    )
                                    .labelled_by(expiry_header.id);
                                if widgets::date_picker(
                                    ui,
                                    &format!("{id}_expiry_{i}"),
                                    &mut line.expiry_date,
                                ) {
                                    response.mark_changed();
                                }
                                response
                            })
                            .inner;
                        if let Some(field) = field("expiry_date")
                            && response.changed()
                        {
                            errors.edited(&field);
                        }
                    });
                    ui.vertical(|ui| {
                        // A line's first batch adds another; one so added takes itself
                        // away (one button a row: the column stays narrow).
                        if another_batch[i] {
                            if widgets::row_remove_button(
                                ui,
                                "−",
                                true,
                                Some(t("shipment.remove_batch_hint")),
                            ) {
                                unsplit = Some(i);
                            }
                        } else if ui
                            .small_button("+")
                            .labelled_by(split_header.id)
                            .on_hover_text(t("shipment.another_batch_hint"))
                            .clicked()
                        {
                            split = Some(i);
                        }
                        // Not beside a refusal of the same date ("到货时已过期，不能发货"):
                        // "仍可发货" under it read as its contradiction.
                        let refused =
                            field("expiry_date").is_some_and(|f| errors.field(&f).is_some());
                        let near = near_expiry
                            .filter(|_| !refused)
                            .and_then(|(ship, days)| near_expiry_warning(ship, days, line));
                        let warnings: Vec<(&str, &str)> = near
                            .iter()
                            .map(|w| (t("shipment.expiry_date"), w.as_str()))
                            .collect();
                        errors.row_complaints_ui(
                            ui,
                            row_start,
                            &warnings,
                            &[
                                (t("shipment.quantity"), quantity),
                                (t("shipment.batch_no"), batch_no),
                                (t("shipment.expiry_date"), field("expiry_date")),
                            ],
                        );
                    });
                    ui.end_row();
                }
            });
    });
    if let Some(i) = split {
        let line = BatchLine {
            quantity: String::new(),
            batch_no: String::new(),
            expiry_date: String::new(),
            ..lines[i].clone()
        };
        lines.insert(i + 1, line);
        // The complaints name lines by their position in the request, which moved.
        errors.set(None);
    }
    if let Some(i) = unsplit {
        lines.remove(i);
        errors.set(None);
    }
}

/// A shipment being keyed (登记发货, 登记补发): its fields and batch lines as typed and as
/// opened (unsaved input tells them apart), where each line went in the last request sent
/// (the server names lines by that position), its complaints and the save.
pub(super) struct ShipmentDraft {
    pub(super) fields: ShipmentFields,
    pub(super) lines: Vec<BatchLine>,
    original: (ShipmentFields, Vec<BatchLine>),
    positions: Vec<Option<usize>>,
    errors: FieldErrors,
    pub(super) save: Requested<pb::Shipment>,
    /// Saved once: from then on the rows over what their line has left are said as they
    /// are typed (and a mended row's complaint goes as it is mended).
    checked: bool,
    /// The lines as last sent: once they change, a complaint about them all ("ship at
    /// least one line") goes.
    sent: Vec<BatchLine>,
}

/// How a [`ShipmentDraft`] is drawn: the egui id of its fields and of its lines, the
/// request's field prefix of the shipment (`shipment.`) and name of the lines (`lines`),
/// the lines' limit column and the save button's label.
pub(super) struct DraftLayout<'a> {
    pub form_id: &'a str,
    pub lines_id: &'a str,
    pub prefix: &'a str,
    pub list: &'a str,
    pub limit_header: &'a str,
    /// What a line's units must come to: at most its limit (a shipment), or exactly it (a
    /// replacement re-sends the units short, no more, no fewer).
    pub exact: bool,
    /// The complaint of a line whose units miss that, with `{n}` its limit.
    pub over_limit: &'a str,
}

impl Unsaved for ShipmentDraft {
    /// Whether it holds input.
    fn is_dirty(&self) -> bool {
        (&self.fields, &self.lines) != (&self.original.0, &self.original.1)
    }
}

impl ShipmentDraft {
    /// A draft of `fields` and `lines` as opened.
    pub(super) fn new(fields: ShipmentFields, lines: Vec<BatchLine>) -> Self {
        ShipmentDraft {
            original: (fields.clone(), lines.clone()),
            fields,
            lines,
            positions: Vec::new(),
            errors: FieldErrors::default(),
            save: Requested::NotRequested,
            checked: false,
            sent: Vec::new(),
        }
    }

    /// The save polled (its errors shown under their fields when it failed): saved, or
    /// refused on a stale version, this frame.
    pub(super) fn poll(&mut self) -> Option<ActionEvent> {
        super::view::polled(&mut self.errors, &mut self.save)
    }

    /// Draws the fields (`entities` offered when given) and the lines; `submit`: its save
    /// button (in the bar under the form) was clicked. Returns whether the request is to
    /// be sent now (its lines' positions noted).
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        layout: &DraftLayout<'_>,
        entities: Option<&[(i64, String)]>,
        settings: Option<&pb::Settings>,
        submit: bool,
    ) -> bool {
        let fields = &mut self.fields;
        let default_transit_days = settings.map(|s| s.default_transit_days);
        let response = widgets::form(ui, layout.form_id, &mut self.errors, |f| {
            fields.rows(f, layout.prefix, entities, default_transit_days);
        });
        let near_expiry = settings.and_then(|s| {
            Some((
                widgets::parse_date(&self.fields.ship_date)?,
                s.near_expiry_days,
            ))
        });
        ui.add_space(6.0);
        batch_lines_ui(
            ui,
            layout,
            &mut self.lines,
            &self.positions,
            &mut self.errors,
            near_expiry,
        );
        if self.checked {
            self.errors.set_edited(layout.list, self.lines != self.sent);
        }
        self.errors.field_ui(ui, layout.list);
        let send = (submit || response.submitted) && !self.save.is_pending();
        if send {
            self.positions = batch_positions(&self.lines);
            self.checked = true;
            self.sent = self.lines.clone();
        }
        // A replacement re-sends exactly the units short, which the form fills in: a
        // quantity changed is said at once, its rows named as they would be sent.
        if layout.exact && !self.checked {
            self.positions = batch_positions(&self.lines);
        }
        if self.checked || layout.exact {
            // More than a line has left is said with the server's other complaints (an
            // expired batch), not a save later: the form knows what remains. Sent all the
            // same: the server counts again, and says what else is wrong.
            self.errors.clear_local();
            for (row, limit) in over_limit_rows(&self.lines, layout.exact) {
                if let Some(j) = self.positions.get(row).copied().flatten() {
                    self.errors.set_local(
                        &format!("{}[{j}].quantity", layout.list),
                        Some(layout.over_limit.replace("{n}", &limit.to_string())),
                    );
                }
            }
        }
        send
    }
}

/// 近效期: "距有效期仅剩 120 天（近效期：不足 180 天）" when `line`'s expiry date is on or
/// after `ship_date` and fewer than `days` days after it (`days` 0: never). An expired
/// batch is the server's to refuse, with its reason.
fn near_expiry_warning(
    ship_date: chrono::NaiveDate,
    days: i32,
    line: &BatchLine,
) -> Option<String> {
    let expiry = widgets::parse_date(&line.expiry_date)?;
    let left = (expiry - ship_date).num_days();
    (days > 0 && (0..i64::from(days)).contains(&left)).then(|| {
        t("shipment.near_expiry")
            .replace("{left}", &left.to_string())
            .replace("{days}", &days.to_string())
    })
}

/// The rows whose units go past what their line has left (`limit`, the same on each of a
/// line's batches), with that limit: per line, the first row at which the units of its
/// batches so far pass it. With `exact`, also the first row of each line whose batches
/// come to less than its limit (by row order), unless a row of it is still empty (split
/// onto another batch, the units of which are still to be typed).
fn over_limit_rows(lines: &[BatchLine], exact: bool) -> Vec<(usize, i64)> {
    let mut so_far: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut over = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let before = so_far.get(&line.id).copied().unwrap_or(0);
        let after = before + super::parse_quantity(&line.quantity).max(0);
        so_far.insert(line.id, after);
        if before <= line.limit && after > line.limit {
            over.push((row, line.limit));
        }
    }
    if exact {
        for (row, line) in lines.iter().enumerate() {
            let first = lines.iter().position(|l| l.id == line.id) == Some(row);
            let typing = (lines.iter()).any(|l| l.id == line.id && l.quantity.trim().is_empty());
            if first && !typing && so_far.get(&line.id).copied().unwrap_or(0) < line.limit {
                over.push((row, line.limit));
            }
        }
        over.sort_unstable();
    }
    over
}

/// The shipment form (登记发货): the shipment's fields and one row per order line with
/// units still to ship, the quantity defaulting to what remains.
pub(super) struct ShipmentForm {
    draft: ShipmentDraft,
}

impl Unsaved for ShipmentForm {
    /// Whether it holds input.
    fn is_dirty(&self) -> bool {
        self.draft.is_dirty()
    }
}

impl ShipmentForm {
    /// Its save button's label, and whether it is disabled (a save on its way).
    pub(super) fn save_button(&self) -> (&'static str, bool) {
        (t("shipment.save"), self.draft.save.is_pending())
    }

    /// A shipment of what remains of `detail`.
    pub(super) fn new(detail: &pb::OrderDetail, default_transit_days: Option<i32>) -> Self {
        let order = detail.order.clone().unwrap_or_default();
        let fields = ShipmentFields::new(default_transit_days, order.invoicing_entity_id)
            .requested_by(&order.requested_delivery_date);
        let lines: Vec<BatchLine> = detail
            .lines
            .iter()
            .filter(|l| l.remaining_quantity > 0)
            .map(|l| BatchLine {
                id: l.id,
                label: crate::widgets::drug_label(&l.drug_name, &l.specification),
                unit_label: l.unit_label.clone(),
                limit: l.remaining_quantity,
                quantity: l.remaining_quantity.to_string(),
                batch_no: String::new(),
                expiry_date: String::new(),
            })
            .collect();
        ShipmentForm {
            draft: ShipmentDraft::new(fields, lines),
        }
    }

    /// Follows the order as read again: each line's 待发 is what it has left now
    /// (another user shipped meanwhile); what was typed stays, a quantity past it said.
    pub(super) fn follow(&mut self, detail: &pb::OrderDetail) {
        for line in &mut self.draft.lines {
            if let Some(l) = detail.lines.iter().find(|l| l.id == line.id) {
                line.limit = l.remaining_quantity;
            }
        }
    }

    /// Draws the form: `entities` are those a shipment may name.
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        order: &pb::Order,
        entities: &[(i64, String)],
        settings: Option<&pb::Settings>,
        pressed: (bool, bool),
    ) -> Option<ActionEvent> {
        if let Some(event) = self.draft.poll() {
            return Some(event);
        }
        ui.heading(label_value(t("shipment.new"), &order.number));
        order_brief_ui(ui, order);
        let layout = DraftLayout {
            form_id: "shipment_form",
            lines_id: "shipment_lines",
            prefix: "shipment.",
            list: "lines",
            limit_header: t("shipment.remaining"),
            exact: false,
            over_limit: t("shipment.over_limit"),
        };
        let (submit, close) = pressed;
        let send = self.draft.ui(ui, &layout, Some(entities), settings, submit);
        if send {
            let draft = &mut self.draft;
            draft
                .save
                .request(ctx.orders().create_shipment(pb::CreateShipmentRequest {
                    order_id: order.id,
                    order_version: order.version,
                    shipment: Some(draft.fields.input()),
                    lines: sent_lines(
                        &draft.lines,
                        |order_line_id, quantity, batch_no, expiry_date| pb::ShipmentLineInput {
                            order_line_id,
                            quantity,
                            batch_no,
                            expiry_date,
                        },
                    ),
                }));
        }
        close.then_some(ActionEvent::Close)
    }
}

/// Where a parcel of `order` goes and by when, said above a shipment's or a replacement's
/// fields as it is packed: the customer, the delivery address, the requested delivery
/// date and the order's note (when it has one).
pub(super) fn order_brief_ui(ui: &mut egui::Ui, order: &pb::Order) {
    let mut brief = vec![
        (t("order.customer"), order.customer_name.clone()),
        (t("order.delivery_address"), order.delivery_address.clone()),
        (
            t("order.requested_delivery_date"),
            order.requested_delivery_date.clone(),
        ),
    ];
    if !order.note.is_empty() {
        brief.push((t("order.note"), order.note.clone()));
    }
    widgets::fields_grid(ui, "shipment_order_brief", &brief);
    ui.add_space(6.0);
}

/// The delivery confirmation (确认签收): who signed and when it arrived; again on a
/// delivered shipment to correct them (更正签收), saying why.
pub(super) struct DeliveryForm {
    shipment_id: i64,
    number: String,
    signer: String,
    /// Local time, `YYYY-MM-DD HH:mm`.
    arrived_at: String,
    /// A delivery on record is being corrected: its reason is asked.
    correcting: bool,
    reason: String,
    original: (String, String),
    errors: FieldErrors,
    save: Requested<pb::Shipment>,
}

impl Unsaved for DeliveryForm {
    /// Whether it holds input.
    fn is_dirty(&self) -> bool {
        (&self.signer, &self.arrived_at) != (&self.original.0, &self.original.1)
            || !self.reason.trim().is_empty()
    }
}

impl DeliveryForm {
    /// The confirmation of `shipment`: its signer and arrival when it has them, else now.
    pub(super) fn new(shipment: &pb::Shipment) -> Self {
        let arrived_at = match &shipment.delivered_at {
            Some(at) => format::timestamp(Some(at)),
            None => format::business_time(chrono::Utc::now()),
        };
        DeliveryForm {
            shipment_id: shipment.id,
            number: shipment.number.clone(),
            original: (shipment.signer.clone(), arrived_at.clone()),
            signer: shipment.signer.clone(),
            arrived_at,
            correcting: shipment.delivery_status == pb::DeliveryStatus::Delivered as i32,
            reason: String::new(),
            errors: FieldErrors::default(),
            save: Requested::NotRequested,
        }
    }

    /// Its save button's label, and whether it is disabled (a save on its way).
    pub(super) fn save_button(&self) -> (&'static str, bool) {
        (self.title(), self.save.is_pending())
    }

    /// 确认签收, or 更正签收 for a delivery on record.
    fn title(&self) -> &'static str {
        if self.correcting {
            t("shipment.correct_delivery")
        } else {
            t("shipment.confirm_delivery")
        }
    }

    /// Draws the form; `pressed`: its buttons (in the bar under it) were clicked, (save,
    /// close).
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        detail: &pb::OrderDetail,
        (submit, close): (bool, bool),
    ) -> Option<ActionEvent> {
        if let Some(event) = super::view::polled(&mut self.errors, &mut self.save) {
            return Some(event);
        }
        ui.heading(label_value(self.title(), &self.number));
        let (signer, arrived_at, reason) =
            (&mut self.signer, &mut self.arrived_at, &mut self.reason);
        let correcting = self.correcting;
        // The time's zone is said under it, unless a complaint about it is.
        let zone_hint = self.errors.field("arrived_at").is_none();
        let response = widgets::form(ui, "delivery_form", &mut self.errors, |f| {
            f.required(&["signer", "arrived_at", "correction_reason"]);
            if correcting {
                f.text(t("shipment.correction_reason"), "correction_reason", reason);
            }
            f.text(t("shipment.signer"), "signer", signer);
            f.text_hint(
                t("shipment.arrived_at"),
                "arrived_at",
                arrived_at,
                "2026-12-01 14:30",
            );
            if zone_hint {
                f.note(
                    RichText::new(
                        t("shipment.business_time")
                            .replace("{zone}", &format::business_zone_name()),
                    )
                    .weak(),
                );
            }
        });
        let busy = self.save.is_pending();
        if (submit || response.submitted) && !busy {
            let arrived =
                format::parse_business_time(&self.arrived_at).map(|t| prost_types::Timestamp {
                    seconds: t.timestamp(),
                    nanos: 0,
                });
            self.errors.set_local(
                "arrived_at",
                arrived
                    .is_none()
                    .then(|| t(format::unread_time(&self.arrived_at)).to_owned()),
            );
            // Said with the time's complaint: while the time does not read, the server
            // hears of neither.
            self.errors.set_local(
                "signer",
                (arrived.is_none() && self.signer.trim().is_empty()).then(|| {
                    crate::i18n::violation(pharmacrm_shared::validation::Violation::required())
                }),
            );
            let version = detail
                .shipments
                .iter()
                .find(|s| s.id == self.shipment_id)
                .map(|s| s.version);
            if let (Some(arrived_at), Some(version)) = (arrived, version) {
                self.save
                    .request(ctx.orders().confirm_delivery(pb::ConfirmDeliveryRequest {
                        id: self.shipment_id,
                        version,
                        signer: self.signer.trim().to_owned(),
                        arrived_at: Some(arrived_at),
                        correction_reason: self.reason.trim().to_owned(),
                    }));
            }
        }
        close.then_some(ActionEvent::Close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_over_what_it_has_left_is_found_at_the_batch_that_passes_it() {
        let batch = |id, limit, quantity: &str| BatchLine {
            id,
            label: String::new(),
            unit_label: String::new(),
            limit,
            quantity: quantity.into(),
            batch_no: String::new(),
            expiry_date: String::new(),
        };
        // Line 1: 6 + 5 of 10 left (its second batch passes it); line 2: 4 of 4.
        let lines = [batch(1, 10, "6"), batch(2, 4, "4"), batch(1, 10, "5")];
        assert_eq!(over_limit_rows(&lines, false), [(2, 10)]);
        assert_eq!(
            over_limit_rows(&[batch(1, 3, "x"), batch(2, 3, "15")], false),
            [(1, 3)]
        );
        // Exactly (a replacement): line 2's 1 of 2 is short on its first row; line 1's
        // 2 + 1 of 3 is exact.
        let replacement = [batch(1, 3, "2"), batch(2, 2, "1"), batch(1, 3, "1")];
        assert_eq!(over_limit_rows(&replacement, true), [(1, 2)]);
        assert_eq!(over_limit_rows(&replacement, false), []);
        // Line 2 split onto a second batch whose units are still to come: not short yet.
        let splitting = [batch(2, 2, "1"), batch(2, 2, " ")];
        assert_eq!(over_limit_rows(&splitting, true), []);
        let split = [batch(2, 2, "1"), batch(2, 2, "0")];
        assert_eq!(over_limit_rows(&split, true), [(0, 2)]);
    }

    #[test]
    fn the_expected_arrival_is_the_ship_date_plus_the_transit_days_or_the_default() {
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
        assert_eq!(
            expected_arrival("2026-11-27", "2", Some(5)),
            day("2026-11-29")
        );
        assert_eq!(
            expected_arrival("2026-11-29", " ", Some(3)),
            day("2026-12-02")
        );
        // Nothing to say while a field does not read (or no default to fall back on).
        assert_eq!(expected_arrival("2026-11-27", "", None), None);
        assert_eq!(expected_arrival("2026-11-27", "两天", Some(3)), None);
        assert_eq!(expected_arrival("2026-11-27", "-1", Some(3)), None);
        assert_eq!(expected_arrival("11月27日", "2", Some(3)), None);
    }
}
