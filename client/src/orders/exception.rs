//! Transport exceptions: the report (上报异常: kind, description, units per shipment line)
//! and the decision (处理异常: deduct, or reship with the replacement's fields and batches).

use egui::RichText;
use pharmacrm_shared::pb;

use super::shipment::{
    BatchLine, DraftLayout, ShipmentDraft, ShipmentFields, request_positions, sent_lines,
};
use super::view::ActionEvent;
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t};
use crate::widgets::{self, FieldErrors, Unsaved, choice_label};

/// Units of one shipment line in a report, as typed.
#[derive(Clone, Debug, PartialEq)]
struct ReportLine {
    shipment_line_id: i64,
    label: String,
    unit_label: String,
    batch_no: String,
    /// Units not yet reported.
    available: i64,
    quantity: String,
}

/// The report of damage, loss or shortage on one shipment.
pub(super) struct ReportForm {
    shipment_id: i64,
    number: String,
    kind: i32,
    description: String,
    lines: Vec<ReportLine>,
    original: (i32, String, Vec<ReportLine>),
    positions: Vec<Option<usize>>,
    errors: FieldErrors,
    save: Requested<pb::TransportException>,
    /// Saved once: from then on a line over what it has left is said as typed.
    checked: bool,
    /// The lines as last sent: once they change, a complaint about them all ("enter the
    /// quantity affected on at least one line") goes.
    sent: Vec<ReportLine>,
}

impl Unsaved for ReportForm {
    /// Whether it holds input.
    fn is_dirty(&self) -> bool {
        (self.kind, &self.description, &self.lines)
            != (self.original.0, &self.original.1, &self.original.2)
    }
}

impl ReportForm {
    /// A report on `shipment`, one row per line with units not yet reported.
    pub(super) fn new(shipment: &pb::Shipment) -> Self {
        let kind = pb::ExceptionKind::Damaged as i32;
        let lines: Vec<ReportLine> = shipment
            .lines
            .iter()
            .filter(|l| l.quantity > l.exception_quantity)
            .map(|l| ReportLine {
                shipment_line_id: l.id,
                label: crate::widgets::drug_label(&l.drug_name, &l.specification),
                unit_label: l.unit_label.clone(),
                batch_no: l.batch_no.clone(),
                available: l.quantity - l.exception_quantity,
                quantity: String::new(),
            })
            .collect();
        ReportForm {
            shipment_id: shipment.id,
            number: shipment.number.clone(),
            original: (kind, String::new(), lines.clone()),
            kind,
            description: String::new(),
            lines,
            positions: Vec::new(),
            errors: FieldErrors::default(),
            save: Requested::NotRequested,
            checked: false,
            sent: Vec::new(),
        }
    }

    /// Its save button's label, and whether it is disabled (a save on its way).
    pub(super) fn save_button(&self) -> (&'static str, bool) {
        (t("exception.report"), self.save.is_pending())
    }

    /// Draws the form; `pressed`: its buttons (in the bar under it) were clicked, (save,
    /// close).
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        (submit, close): (bool, bool),
    ) -> Option<ActionEvent> {
        if let Some(event) = super::view::polled(&mut self.errors, &mut self.save) {
            return Some(event);
        }
        ui.heading(label_value(t("exception.report"), &self.number));
        let (kind, description) = (&mut self.kind, &mut self.description);
        let response = widgets::form(ui, "report_form", &mut self.errors, |f| {
            f.required(&["kind", "description"]);
            f.enum_combo::<pb::ExceptionKind>(t("exception.kind"), "kind", kind);
            f.multiline(t("exception.description"), "description", description);
        });
        ui.add_space(6.0);
        let errors = &mut self.errors;
        let positions = &self.positions;
        widgets::table(ui, "report_lines", |ui| {
            egui::Grid::new("report_lines_grid")
                .num_columns(5)
                .spacing([12.0, 4.0])
                .striped(true)
                .show(ui, |ui| {
                    ui.strong(t("order.drug"));
                    ui.strong(t("shipment.batch_no"));
                    ui.strong(t("order.unit"));
                    ui.strong(t("exception.available"));
                    let quantity_header = ui.strong(t("exception.quantity"));
                    ui.end_row();
                    for (i, line) in self.lines.iter_mut().enumerate() {
                        // A line's complaint goes under it; its cells keep to its top.
                        let row_start = ui.cursor().min;
                        widgets::top_cell(ui, |ui| ui.label(&line.label));
                        widgets::top_cell(ui, |ui| ui.label(&line.batch_no));
                        widgets::top_cell(ui, |ui| ui.label(&line.unit_label));
                        widgets::top_cell(ui, |ui| ui.label(line.available.to_string()));
                        let field = positions
                            .get(i)
                            .copied()
                            .flatten()
                            .map(|j| format!("lines[{j}].quantity"));
                        ui.vertical(|ui| {
                            errors.cell_input(
                                ui,
                                &mut line.quantity,
                                70.0,
                                quantity_header.id,
                                field.as_deref(),
                            );
                            errors.row_complaints_ui(
                                ui,
                                row_start,
                                &[],
                                &[(t("exception.quantity"), field.clone())],
                            );
                        });
                        ui.end_row();
                    }
                });
        });
        if self.checked {
            self.errors.set_edited("lines", self.lines != self.sent);
        }
        self.errors.field_ui(ui, "lines");
        let busy = self.save.is_pending();
        if (submit || response.submitted) && !busy {
            self.positions = request_positions(
                self.lines
                    .iter()
                    .map(|l| super::quantity_given(&l.quantity)),
            );
            self.checked = true;
            self.sent = self.lines.clone();
            self.save.request(
                ctx.orders().report_exception(pb::ReportExceptionRequest {
                    shipment_id: self.shipment_id,
                    kind: self.kind,
                    description: self.description.trim().to_owned(),
                    lines: self
                        .lines
                        .iter()
                        .filter(|l| super::quantity_given(&l.quantity))
                        .map(|l| pb::ExceptionLineInput {
                            shipment_line_id: l.shipment_line_id,
                            quantity: super::parse_quantity(&l.quantity),
                        })
                        .collect(),
                }),
            );
        }
        if self.checked {
            // Said with the server's complaints, and gone as a quantity is mended.
            self.note_over_available();
        }
        close.then_some(ActionEvent::Close)
    }
}

impl ReportForm {
    /// More than a line has left to report is said with the server's other complaints,
    /// not a save later (as the shipment form does), once the form was saved once.
    fn note_over_available(&mut self) {
        self.errors.clear_local();
        for (line, j) in self.lines.iter().zip(&self.positions) {
            if let Some(j) = j
                && super::parse_quantity(&line.quantity) > line.available
            {
                self.errors.set_local(
                    &format!("lines[{j}].quantity"),
                    Some(t("exception.over_available").replace("{n}", &line.available.to_string())),
                );
            }
        }
    }
}

/// The decision on one exception: deduct its value, or have its units re-sent (the CS rep
/// then ships the replacement: [`ReplacementForm`]).
pub(super) struct DecideForm {
    exception_id: i64,
    /// `ExceptionDecision::Pending` until the user chooses.
    decision: i32,
    note: String,
    errors: FieldErrors,
    save: Requested<pb::TransportException>,
}

impl Unsaved for DecideForm {
    /// Whether it holds input.
    fn is_dirty(&self) -> bool {
        self.decision != pb::ExceptionDecision::Pending as i32 || !self.note.trim().is_empty()
    }
}

impl DecideForm {
    /// The decision on `exception`.
    pub(super) fn new(exception: &pb::TransportException) -> Self {
        DecideForm {
            exception_id: exception.id,
            decision: pb::ExceptionDecision::Pending as i32,
            note: String::new(),
            errors: FieldErrors::default(),
            save: Requested::NotRequested,
        }
    }

    /// Its save button's label, and whether it is disabled (a save on its way, or the
    /// exception gone from `detail`).
    pub(super) fn save_button(&self, detail: &pb::OrderDetail) -> (&'static str, bool) {
        let gone = !detail.exceptions.iter().any(|e| e.id == self.exception_id);
        (t("exception.decide"), gone || self.save.is_pending())
    }

    /// Draws the form for the exception as `detail` has it now; `pressed`: its buttons
    /// (in the bar under it) were clicked, (save, close).
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
        let Some(exception) = detail.exceptions.iter().find(|e| e.id == self.exception_id) else {
            return close.then_some(ActionEvent::Close);
        };
        ui.heading(label_value(t("exception.decide"), &exception.number));
        exception_summary(ui, exception);
        let options = widgets::choices::<pb::ExceptionDecision>();
        let (decision, note) = (&mut self.decision, &mut self.note);
        let response = widgets::form(ui, "decide_form", &mut self.errors, |f| {
            f.required(&["decision", "note"]);
            f.radio(t("exception.decision"), "decision", decision, &options);
            f.multiline(t("exception.note"), "note", note);
        });
        if self.decision == pb::ExceptionDecision::Reship as i32 {
            ui.label(RichText::new(t("exception.reship_hint")).weak());
        } else if self.decision == pb::ExceptionDecision::Deduct as i32 {
            // Money moves on saving: said with the amount before the button is pressed.
            ui.label(
                RichText::new(
                    t("exception.deduct_hint").replace("{value}", &format::money(&exception.value)),
                )
                .color(widgets::WARNING),
            );
        }
        let busy = self.save.is_pending();
        if (submit || response.submitted) && !busy {
            self.save
                .request(ctx.orders().decide_exception(pb::DecideExceptionRequest {
                    id: exception.id,
                    version: exception.version,
                    decision: self.decision,
                    note: self.note.trim().to_owned(),
                }));
        }
        close.then_some(ActionEvent::Close)
    }
}

/// The exception's kind, value, description and lines, under a form's heading.
fn exception_summary(ui: &mut egui::Ui, exception: &pb::TransportException) {
    ui.label(format!(
        "{}  ·  {}  ·  {}",
        choice_label::<pb::ExceptionKind>(exception.kind),
        label_value(t("exception.value"), &format::money(&exception.value)),
        exception.description,
    ));
    for l in &exception.lines {
        ui.label(
            RichText::new(format!(
                "{}  {}  ×{} {}",
                crate::widgets::drug_label(&l.drug_name, &l.specification),
                label_value(t("shipment.batch_no"), &l.batch_no),
                l.quantity,
                l.unit_label,
            ))
            .weak(),
        );
    }
    ui.add_space(4.0);
}

/// 登记补发: the replacement shipment of an exception decided reship, as the CS rep ships
/// it: its fields, and every unit again from batches of their own.
pub(super) struct ReplacementForm {
    exception_id: i64,
    draft: ShipmentDraft,
}

impl Unsaved for ReplacementForm {
    /// Whether it holds input.
    fn is_dirty(&self) -> bool {
        self.draft.is_dirty()
    }
}

impl ReplacementForm {
    /// The replacement of `exception`: shipped today by the `original` shipment's
    /// carrier in its transit days (both may be changed; the company's days without it),
    /// every unit again.
    pub(super) fn new(
        exception: &pb::TransportException,
        original: Option<&pb::Shipment>,
        default_transit_days: Option<i32>,
    ) -> Self {
        // 0: the order's invoicing entity (a replacement owes nothing).
        let fields = match original {
            Some(s) => ShipmentFields::new(Some(s.transit_days), 0).carried_by(&s.carrier),
            None => ShipmentFields::new(default_transit_days, 0),
        };
        let lines: Vec<BatchLine> = exception
            .lines
            .iter()
            .map(|l| BatchLine {
                id: l.id,
                label: crate::widgets::drug_label(&l.drug_name, &l.specification),
                unit_label: l.unit_label.clone(),
                limit: l.quantity,
                quantity: l.quantity.to_string(),
                batch_no: String::new(),
                expiry_date: String::new(),
            })
            .collect();
        ReplacementForm {
            exception_id: exception.id,
            draft: ShipmentDraft::new(fields, lines),
        }
    }

    /// Its save button's label, and whether it is disabled (a save on its way, or the
    /// exception gone from `detail`).
    pub(super) fn save_button(&self, detail: &pb::OrderDetail) -> (&'static str, bool) {
        let gone = !detail.exceptions.iter().any(|e| e.id == self.exception_id);
        (
            t("exception.ship_replacement"),
            gone || self.draft.save.is_pending(),
        )
    }

    /// Draws the form for the exception as `detail` has it now; `pressed`: its buttons
    /// (in the bar under it) were clicked, (save, close).
    pub(super) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        detail: &pb::OrderDetail,
        settings: Option<&pb::Settings>,
        (submit, close): (bool, bool),
    ) -> Option<ActionEvent> {
        if let Some(event) = self.draft.poll() {
            return Some(event);
        }
        let Some(exception) = detail.exceptions.iter().find(|e| e.id == self.exception_id) else {
            return close.then_some(ActionEvent::Close);
        };
        ui.heading(label_value(
            t("exception.ship_replacement"),
            &exception.number,
        ));
        if let Some(order) = &detail.order {
            super::shipment::order_brief_ui(ui, order);
        }
        exception_summary(ui, exception);
        // What the sales rep agreed with the customer (what to send, when): the CS rep
        // ships by it.
        if !exception.note.is_empty() {
            ui.label(label_value(t("exception.note"), &exception.note));
        }
        let layout = DraftLayout {
            form_id: "replacement_form",
            lines_id: "replacement_lines",
            prefix: "replacement.",
            list: "replacement_lines",
            limit_header: t("exception.units"),
            exact: true,
            over_limit: t("exception.replacement_exact"),
        };
        let send = self.draft.ui(ui, &layout, None, settings, submit);
        if send {
            let draft = &mut self.draft;
            draft
                .save
                .request(ctx.orders().ship_replacement(pb::ShipReplacementRequest {
                    exception_id: exception.id,
                    version: exception.version,
                    replacement: Some(draft.fields.input()),
                    replacement_lines: sent_lines(
                        &draft.lines,
                        |exception_line_id, quantity, batch_no, expiry_date| {
                            pb::ReplacementLineInput {
                                exception_line_id,
                                quantity,
                                batch_no,
                                expiry_date,
                            }
                        },
                    ),
                }));
        }
        close.then_some(ActionEvent::Close)
    }
}
