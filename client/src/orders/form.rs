//! The order form: the customer (picked, or fixed when opened from a customer), the
//! invoicing entity, the delivery address (the customer's unless typed), the requested
//! delivery date, credit days and note; lines picked from the active catalogue by pinyin
//! with quantity and unit price (the drug's sale price unless typed). The server prices the
//! order as it is typed (PreviewOrder, 300 ms after the last change): line amounts, total,
//! the reps it will go to, and warnings such as a price below cost. A customer on credit
//! hold (overdue past the credit-hold days, or over its credit limit) is refused; whoever
//! may override the hold places the order anyway with a reason.
//!
//! The same form changes an order while nothing of it has shipped (修改订单, UpdateOrder):
//! opened from the order view with the order's fields and lines, the customer fixed.

use std::time::Duration;

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use super::pickers::{CustomerPicker, InvoicingEntities};
use crate::api::{ApiError, FieldError};
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t};
use crate::widgets::DrugPicker;
use crate::widgets::{self, FieldErrors, Unsaved};

/// How long the form waits after a change before asking for a new preview, in seconds.
const PREVIEW_DELAY: f64 = 0.3;

/// What the form's frame ended with.
pub enum FormEvent {
    /// The order was placed, or changed.
    Saved(pb::OrderResponse),
    /// The user asked to close the form (the caller asks first if it holds input).
    Close,
}

/// An order line as typed.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    drug_id: i64,
    /// "name specification".
    label: String,
    unit_label: String,
    quantity: String,
    unit_price: String,
}

/// The order as typed.
#[derive(Clone, Debug, PartialEq, Default)]
struct Draft {
    /// 0 until a customer is chosen.
    customer_id: i64,
    invoicing_entity_id: i64,
    delivery_address: String,
    requested_delivery_date: String,
    credit_days: String,
    note: String,
    lines: Vec<Line>,
    /// Why the order goes to a customer on credit hold anyway: the override's reason, or
    /// a rep's case for approval; empty unless on hold.
    credit_override_reason: String,
    /// The order being changed; 0 for a new order.
    order_id: i64,
}

impl Draft {
    /// The request body. Empty fields take the server's defaults (the customer's address
    /// and credit days, the drug's sale price); what is not a number is sent so that the
    /// server names the field. `request_approval` is set as the order is sent
    /// (`OrderFormPanel::submit`).
    fn input(&self) -> pb::OrderInput {
        pb::OrderInput {
            customer_id: self.customer_id,
            invoicing_entity_id: self.invoicing_entity_id,
            delivery_address: self.delivery_address.trim().to_owned(),
            requested_delivery_date: widgets::normalize_date(&self.requested_delivery_date),
            credit_days: match self.credit_days.trim() {
                "" => None,
                days => Some(days.parse().unwrap_or(-1)),
            },
            note: self.note.trim().to_owned(),
            lines: self
                .lines
                .iter()
                .map(|l| pb::OrderLineInput {
                    drug_id: l.drug_id,
                    quantity: super::parse_quantity(&l.quantity),
                    unit_price: l.unit_price.trim().to_owned(),
                })
                .collect(),
            credit_override_reason: self.credit_override_reason.trim().to_owned(),
            order_id: self.order_id,
            // Added as the order is sent (`OrderFormPanel::submit`).
            request_id: String::new(),
            request_approval: false,
        }
    }

    /// Order `detail` as the form shows it to be changed: its fields and lines as saved.
    fn of_order(detail: &pb::OrderDetail) -> Draft {
        let order = detail.order.clone().unwrap_or_default();
        Draft {
            customer_id: order.customer_id,
            invoicing_entity_id: order.invoicing_entity_id,
            delivery_address: order.delivery_address,
            requested_delivery_date: order.requested_delivery_date,
            credit_days: order.credit_days.to_string(),
            note: order.note,
            lines: detail
                .lines
                .iter()
                .map(|l| Line {
                    drug_id: l.drug_id,
                    label: crate::widgets::drug_label(&l.drug_name, &l.specification),
                    unit_label: l.unit_label.clone(),
                    quantity: l.quantity.to_string(),
                    unit_price: l.unit_price.clone(),
                })
                .collect(),
            credit_override_reason: String::new(),
            order_id: order.id,
        }
    }
}

/// The order a form changes: its number (for the heading), the version read, its
/// invoicing entity (kept among the choices though archived since), and the order read
/// afresh when the form opens and on 重新加载 after someone else changed it.
struct Changing {
    number: String,
    version: i32,
    entity: (i64, String),
    fresh: Requested<pb::OrderDetail>,
    /// 重新加载 was pressed: the order read afresh replaces what was typed.
    reload: bool,
    /// It awaits approval past a credit hold: raised, it asks for it again.
    awaiting: bool,
}

impl Changing {
    fn of(detail: &pb::OrderDetail) -> Changing {
        let order = detail.order.clone().unwrap_or_default();
        Changing {
            number: order.number,
            version: order.version,
            entity: (order.invoicing_entity_id, order.invoicing_entity_name),
            fresh: Requested::NotRequested,
            reload: false,
            awaiting: order.status == pb::OrderStatus::AwaitingApproval as i32,
        }
    }
}

/// The field of the preview's warning that the customer is on credit hold (overdue past
/// the credit-hold days, or over its credit limit): placing the order needs an override.
const CREDIT_HOLD_FIELD: &str = "credit_override_reason";

/// The field of the preview's warning that the customer cannot order at all (archived, a
/// licence expired): said in red, as placing the order would refuse it.
const REFUSED_FIELD: &str = "customer_id";

/// The order form with its pickers, the preview and the save request.
pub struct OrderFormPanel {
    /// The customer was given (the form was opened from the customer view, or changes an
    /// order).
    customer_fixed: bool,
    /// The order this form changes; `None` for a new order.
    changing: Option<Changing>,
    draft: Draft,
    original: Draft,
    customer_picker: CustomerPicker,
    /// The chosen customer, for its name and the defaults shown as hints.
    customer: Requested<pb::Customer>,
    entities: InvoicingEntities,
    drugs: DrugPicker,
    /// A new order's request ID (a UUID, made with the form): a second 提交 after an
    /// answer that never came (a timeout, a dropped connection) is the same request, and
    /// the server answers it with the order the first placed rather than place another.
    request_id: String,
    /// A line just added by the drug picker, whose quantity takes the keyboard next (the
    /// picker's Enter left the focus nowhere: what was typed next was lost).
    focus_quantity: Option<usize>,
    preview: Requested<pb::OrderPreview>,
    /// The input of the last preview asked for.
    previewed: Option<pb::OrderInput>,
    /// The pass the form was last drawn in ([`egui::Context::cumulative_pass_nr`]).
    drawn_at: u64,
    /// The quantities that input sent, by line as the form shows them now (a line removed
    /// since takes its quantity with it).
    sent: Vec<i64>,
    /// The input last seen, and when it changed (input time, seconds).
    last_input: Option<pb::OrderInput>,
    changed_at: f64,
    save: Requested<pb::OrderResponse>,
    /// The last failed save's or preview's complaints, under their fields until edited.
    errors: FieldErrors,
    /// The server refused the customer for its credit (until another customer is chosen).
    credit_hold: bool,
    /// The last preview said the customer cannot order at all (a licence expired,
    /// archived): 提交订单 is greyed (until another customer is chosen, or a preview says
    /// otherwise).
    customer_refused: bool,
    /// The delivery date is being typed (its input has the focus): no preview is asked for
    /// until the focus leaves it. 早于今天 flashed under a date half typed (2026-12-2 on its
    /// way to 2026-12-25), and a complaint appearing under a whole one moved the fields
    /// below as the user clicked into the next (a click meant for 备注 landed on 账期). The
    /// date bears on no amount.
    date_typing: bool,
}

impl Unsaved for OrderFormPanel {
    /// Whether the order differs from the blank form (or the customer chosen for it).
    fn is_dirty(&self) -> bool {
        self.draft != self.original
    }
}

impl OrderFormPanel {
    /// A new order, for `customer_id` (fixed) or with the customer picker.
    pub fn new(customer_id: Option<i64>) -> OrderFormPanel {
        let draft = Draft {
            customer_id: customer_id.unwrap_or(0),
            ..Draft::default()
        };
        OrderFormPanel {
            customer_fixed: customer_id.is_some(),
            changing: None,
            original: draft.clone(),
            draft,
            customer_picker: CustomerPicker::for_orders(),
            customer: Requested::NotRequested,
            entities: InvoicingEntities::default(),
            drugs: DrugPicker::default(),
            request_id: uuid::Uuid::new_v4().to_string(),
            focus_quantity: None,
            preview: Requested::NotRequested,
            previewed: None,
            drawn_at: 0,
            sent: Vec::new(),
            last_input: None,
            changed_at: 0.0,
            save: Requested::NotRequested,
            errors: FieldErrors::default(),
            credit_hold: false,
            customer_refused: false,
            date_typing: false,
        }
    }

    /// A change to order `detail` (nothing of it shipped): its fields and lines, the
    /// customer fixed.
    ///
    /// The order is read afresh as the form opens (the view it was opened from may be
    /// older): its answer replaces the fields while nothing was typed.
    pub fn change(detail: &pb::OrderDetail) -> OrderFormPanel {
        let draft = Draft::of_order(detail);
        OrderFormPanel {
            customer_fixed: true,
            changing: Some(Changing::of(detail)),
            original: draft.clone(),
            draft,
            ..OrderFormPanel::new(None)
        }
    }

    /// Reads the order being changed afresh (as the form opens, and on 重新加载), and
    /// fills the form with it once read: while nothing was typed, or on 重新加载.
    fn poll_fresh(&mut self, ctx: &AppCtx) {
        let order_id = self.draft.order_id;
        let dirty = self.is_dirty();
        let Some(changing) = &mut self.changing else {
            return;
        };
        if changing.fresh.is_not_requested() {
            changing
                .fresh
                .request(ctx.orders().get_order(pb::GetOrderRequest { id: order_id }));
        }
        if !matches!(changing.fresh.poll(), crate::backend::Polled::JustDone) {
            return;
        }
        let Some(detail) = changing.fresh.value().cloned() else {
            return;
        };
        if dirty && !changing.reload {
            return;
        }
        *changing = Changing {
            fresh: std::mem::take(&mut changing.fresh),
            ..Changing::of(&detail)
        };
        self.draft = Draft::of_order(&detail);
        self.original = self.draft.clone();
        self.errors.set(None);
        self.save = Requested::NotRequested;
        self.previewed = None;
    }

    /// The order this form changes, if it changes one.
    pub fn order_id(&self) -> Option<i64> {
        self.changing.as_ref().map(|_| self.draft.order_id)
    }

    /// Loads the customer chosen now.
    fn load_customer(&mut self, ctx: &AppCtx) {
        if self.draft.customer_id == 0 {
            self.customer = Requested::NotRequested;
        } else if ctx.can(Permission::CustomerRead) {
            let id = self.draft.customer_id;
            self.customer
                .request(ctx.customers().get_customer(pb::GetCustomerRequest { id }));
        }
    }

    /// Polls the calls; the saved order once placed.
    fn poll(&mut self, ctx: &AppCtx) -> Option<pb::OrderResponse> {
        self.poll_fresh(ctx);
        if self.entities.is_not_requested() {
            // The form's first frame.
            self.load_customer(ctx);
        }
        if let Some(first) = self.entities.poll(ctx)
            && self.draft.invoicing_entity_id == 0
        {
            // The first entity is the default, not the user's input.
            self.draft.invoicing_entity_id = first;
            self.original.invoicing_entity_id = first;
        }
        self.customer.poll();
        if self.errors.poll_preview(&mut self.preview)
            && let Some(preview) = self.preview.value()
        {
            self.credit_hold = preview
                .warnings
                .iter()
                .any(|w| w.field == CREDIT_HOLD_FIELD);
            self.customer_refused = (preview.warnings.iter()).any(|w| w.field == REFUSED_FIELD);
            // What is wrong with a field that does not keep the lines from being priced
            // (a date in the past): under that field, as a refusal would say it.
            let problems: Vec<FieldError> = preview
                .warnings
                .iter()
                .filter(|w| is_header_problem(w))
                .map(|w| FieldError {
                    field: w.field.clone(),
                    en: w.message.clone(),
                    zh: Some(w.message_zh.clone()),
                })
                .collect();
            if !problems.is_empty() {
                self.errors
                    .show_preview_problems(ApiError::of_fields(problems));
            }
        }
        if self.errors.poll(&mut self.save)
            && let Some(saved) = self.save.value()
        {
            self.original = self.draft.clone();
            return Some(saved.clone());
        }
        None
    }

    /// Asks for a preview once the input has rested for [`PREVIEW_DELAY`], and again when
    /// the form is shown again (a licence renewed, a price changed meanwhile).
    fn preview(&mut self, ui: &egui::Ui, ctx: &AppCtx) {
        let pass = ui.ctx().cumulative_pass_nr();
        if pass > self.drawn_at + 1 && !self.preview.is_pending() {
            self.previewed = None;
        }
        self.drawn_at = pass;
        let input = self.draft.input();
        let now = ui.input(|i| i.time);
        if self.last_input.as_ref() != Some(&input) {
            self.last_input = Some(input.clone());
            self.changed_at = now;
        }
        if self.previewed.as_ref() == Some(&input) {
            return;
        }
        // A line whose quantity is still to be typed (one just added) is left out: pricing
        // it would put "须为 1 至 9,999,999 的整数" under an untouched box. The others are
        // priced as they are typed, the first line before the second is filled in. With
        // no line yet, the customer alone is previewed: an expired licence is said as it
        // is picked, not once the lines are typed. (Not a line awaiting its quantity: its
        // input, quantity 0, is that of "1a", which would then not be previewed.)
        let priced: Vec<usize> = (self.draft.lines.iter().enumerate())
            .filter(|(_, l)| !l.quantity.trim().is_empty())
            .map(|(i, _)| i)
            .collect();
        if input.customer_id == 0 || (priced.is_empty() && !self.draft.lines.is_empty()) {
            return;
        }
        if self.preview.is_pending() || self.save.is_pending() || self.date_typing {
            return;
        }
        let wait = PREVIEW_DELAY - (now - self.changed_at);
        if wait > 0.0 {
            ui.ctx()
                .request_repaint_after(Duration::from_secs_f64(wait));
            return;
        }
        self.sent = input.lines.iter().map(|l| l.quantity).collect();
        self.previewed = Some(input.clone());
        let count = input.lines.len();
        let asked = pb::OrderInput {
            lines: priced.iter().map(|&i| input.lines[i].clone()).collect(),
            ..input
        };
        let at = priced.clone();
        self.preview.request(
            ctx.orders()
                .preview_order(asked)
                .map(move |preview| spread_lines(preview, &priced, count))
                .map_err(move |e| e.rows_renumbered("lines", &at)),
        );
    }

    /// Whether the amounts shown are those of the input as it is now: asked for it and
    /// answered (a refused preview leaves the last amounts shown, greyed: they are of
    /// another input).
    fn preview_is_current(&self) -> bool {
        self.previewed.as_ref() == Some(&self.draft.input())
            && !self.preview.is_pending()
            && self.preview.error().is_none()
    }

    /// Draws the form; says when the order was placed or the user asked to close it.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<FormEvent> {
        if let Some(saved) = self.poll(ctx) {
            return Some(FormEvent::Saved(saved));
        }
        self.preview(ui, ctx);
        match &self.changing {
            Some(c) => ui.heading(format!("{} {}", t("orders.change"), c.number)),
            None => ui.heading(t("orders.new")),
        };
        // The buttons stand in a bar under the form, where neither a warning appearing
        // above them as the user types (a price below cost) nor the number of lines
        // moves them.
        let (clicked, close, reload) =
            widgets::button_bar(ui, "order_form_buttons", |ui| self.buttons_ui(ui, ctx));
        if reload && let Some(changing) = &mut self.changing {
            // What was typed gives way to the order as it is now (the user asked).
            changing.reload = true;
            changing
                .fresh
                .request(ctx.orders().get_order(pb::GetOrderRequest {
                    id: self.draft.order_id,
                }));
        }
        let mut submitted = false;
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if let Some(error) = self.customer.error() {
                    // The order still names the customer by id; only the hints stay
                    // empty. (Above the form: in the bar it would move the buttons.)
                    widgets::error_line(ui, error);
                }
                submitted = self.header_ui(ui, ctx);
                ui.add_space(6.0);
                self.lines_ui(ui, ctx);
                ui.add_space(6.0);
                submitted |= self.credit_override_ui(ui, ctx);
            });
        if clicked || (submitted && !self.save.is_pending()) {
            self.submit(ctx);
        }
        close.then_some(FormEvent::Close)
    }

    /// Whether 提交订单 may send the order: not past a credit hold (the way on is the
    /// reason and its own button above), nor for a customer that cannot order at all.
    fn may_submit(&self) -> bool {
        !self.credit_hold && !self.customer_refused
    }

    /// The order's own fields; whether Enter was pressed in one of them.
    fn header_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> bool {
        let kept = self
            .changing
            .as_ref()
            .map(|c| (c.entity.0, c.entity.1.as_str()));
        let entities = self.entities.options(kept);
        let preview = self.preview.value().cloned();
        let customer = self.customer.value().cloned();
        // What an empty field will get: the preview's answer, else the customer's record.
        let address_hint = preview
            .as_ref()
            .map(|p| p.delivery_address.clone())
            .or_else(|| {
                customer
                    .as_ref()
                    .map(|c| format!("{} {}", c.region, c.address).trim().to_owned())
            })
            .unwrap_or_default();
        let credit_hint = preview
            .as_ref()
            .map(|p| p.credit_days)
            .or_else(|| customer.as_ref().map(|c| c.credit_days))
            .map(|days| days.to_string())
            .unwrap_or_default();
        let customer_name = customer.as_ref().map_or("", |c| c.name.as_str()).to_owned();
        let fixed = self.customer_fixed;
        let may_set_credit_days = ctx.can(Permission::CustomerCreditWrite);
        let picker = &mut self.customer_picker;
        let draft = &mut self.draft;
        let mut customer_changed = false;
        let mut date_focused = false;
        let response = widgets::form(ui, "order_form", &mut self.errors, |f| {
            f.required(&["customer_id", "invoicing_entity_id"]);
            if fixed {
                f.show(t("order.customer"), &customer_name);
            } else {
                customer_changed = picker.row(f, t("order.customer"), ctx, &mut draft.customer_id);
            }
            f.combo(
                t("order.invoicing_entity"),
                "invoicing_entity_id",
                &mut draft.invoicing_entity_id,
                &entities,
            );
            f.text_hint(
                t("order.delivery_address"),
                "delivery_address",
                &mut draft.delivery_address,
                &address_hint,
            );
            // Not before today (the server refuses it): the calendar offers no day before.
            date_focused = f
                .future_date(
                    t("order.requested_delivery_date"),
                    "requested_delivery_date",
                    &mut draft.requested_delivery_date,
                )
                .has_focus();
            // Terms other than the customer's are credit control's to give (a rep sees them).
            if may_set_credit_days {
                f.text_hint(
                    t("order.credit_days"),
                    "credit_days",
                    &mut draft.credit_days,
                    &credit_hint,
                );
            } else {
                let days = match draft.credit_days.trim() {
                    "" => &credit_hint,
                    typed => typed,
                };
                f.show(t("order.credit_days"), days);
            }
            // The customer's limit, set by credit control on the customer: the room an
            // order has, seen before the hold refuses one past it. Always a row (inserted
            // when the customer loads, it would move the lines under the pointer).
            let limit = match &customer {
                Some(c) if c.credit_limit.is_empty() => t("credit.no_limit").to_owned(),
                Some(c) => crate::format::money(&c.credit_limit),
                None => String::new(),
            };
            f.show(t("credit.limit"), &limit);
            f.text(t("order.note"), "note", &mut draft.note);
            // Always shown (inserted later they moved the lines under the pointer): the
            // preview's answer, else the customer's record, else nothing yet.
            let (sales_rep, cs_rep) = match (&preview, &customer) {
                (Some(p), _) => (p.sales_rep.as_ref(), p.cs_rep.as_ref()),
                (None, Some(c)) => (c.sales_rep.as_ref(), c.cs_rep.as_ref()),
                (None, None) => (None, None),
            };
            f.show(t("order.sales_rep"), &format::person(sales_rep));
            f.show(t("order.cs_rep"), &format::person(cs_rep));
        });
        // A new order for a customer on credit hold: said as soon as the customer is
        // chosen, before lines are added (the preview says it from then on).
        if preview.is_none()
            && self.changing.is_none()
            && let Some(hold) = customer.as_ref().and_then(|c| c.credit_hold.as_ref())
        {
            ui.label(RichText::new(widgets::warning_sentence(hold)).color(widgets::ERROR));
        }
        self.date_typing = date_focused;
        if customer_changed {
            // The hold (or the refusal) was the customer chosen before's.
            self.credit_hold = false;
            self.customer_refused = false;
            self.draft.credit_override_reason.clear();
            self.load_customer(ctx);
        }
        response.submitted
    }

    /// The lines: the drug picker, then one row per line with its amount.
    fn lines_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        ui.strong(t("orders.lines"));
        if let Some(drug) = self.drugs.ui(ui, ctx, t("orders.find_drug"), |_| true) {
            // The same drug may be ordered on several lines (a free-goods line at 0).
            self.draft.lines.push(Line {
                drug_id: drug.id,
                label: crate::widgets::drug_label(&drug.name, &drug.specification),
                unit_label: drug.unit_label,
                quantity: String::new(),
                unit_price: drug.sale_price,
            });
            self.errors.edited("lines");
            self.focus_quantity = Some(self.draft.lines.len() - 1);
        }
        // Asked for until it has it: the pass that adds a line's grid row may be
        // discarded (and its request with it).
        let focus_quantity = self.focus_quantity;
        let mut focused = false;
        let current = self.preview_is_current();
        // No customer picked yet: nothing is previewed, and a line's amount is the rule's
        // own ([`local_amount`]), as the server will compute it.
        let no_customer = self.draft.customer_id == 0;
        let preview = self.preview.value().cloned().unwrap_or_default();
        let decimals = widgets::money_decimals(preview.lines.iter().map(|l| l.amount.as_str()));
        let sent = &self.sent;
        let errors = &mut self.errors;
        let lines = &mut self.draft.lines;
        let mut remove = None;
        if !lines.is_empty() {
            widgets::table(ui, "order_lines", |ui| {
                egui::Grid::new("order_lines_grid")
                    .num_columns(7)
                    .spacing([12.0, 4.0])
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong(t("orders.line_no"));
                        ui.strong(t("order.drug"));
                        ui.strong(t("order.unit"));
                        let quantity_header = ui.strong(t("order.quantity"));
                        let price_header = ui.strong(t("order.unit_price"));
                        ui.strong(t("order.amount"));
                        ui.label("");
                        ui.end_row();
                        // A drug on an earlier line too: said (two lines of one drug may
                        // be meant, at two prices; one added twice by mistake is not).
                        let same_drug: Vec<Option<String>> = (0..lines.len())
                            .map(|i| {
                                let earlier = lines[..i]
                                    .iter()
                                    .position(|o| o.drug_id == lines[i].drug_id)?;
                                Some(
                                    t("orders.same_drug_as")
                                        .replace("{line}", &(earlier + 1).to_string()),
                                )
                            })
                            .collect();
                        for (i, line) in lines.iter_mut().enumerate() {
                            // A line's complaints go under it; its cells keep to its top.
                            let row_start = ui.cursor().min;
                            widgets::top_cell(ui, |ui| ui.label((i + 1).to_string()));
                            widgets::top_cell(ui, |ui| ui.label(&line.label));
                            widgets::top_cell(ui, |ui| ui.label(&line.unit_label));
                            ui.vertical(|ui| {
                                ui.set_min_width(80.0);
                                let field = format!("lines[{i}].quantity");
                                let quantity = ui
                                    .add(
                                        egui::TextEdit::singleline(&mut line.quantity)
                                            .desired_width(80.0),
                                    )
                                    .labelled_by(quantity_header.id);
                                if focus_quantity == Some(i) {
                                    focused = quantity.has_focus();
                                    quantity.request_focus();
                                }
                                if quantity.changed() {
                                    // The complaint holds while the box holds the units
                                    // it was about ("1a" and "0" are both none), not
                                    // while it is empty.
                                    let same = !line.quantity.trim().is_empty()
                                        && sent.get(i).copied()
                                            == Some(super::parse_quantity(&line.quantity));
                                    errors.set_edited(&field, !same);
                                    if !line.quantity.trim().is_empty() {
                                        errors.set_local(&field, None);
                                    }
                                }
                            });
                            ui.vertical(|ui| {
                                ui.set_min_width(100.0);
                                let field = format!("lines[{i}].unit_price");
                                if ui
                                    .add(
                                        egui::TextEdit::singleline(&mut line.unit_price)
                                            .desired_width(100.0),
                                    )
                                    .labelled_by(price_header.id)
                                    .changed()
                                {
                                    errors.edited(&field);
                                }
                            });
                            widgets::top_cell(ui, |ui| {
                                // A line without a quantity, or with a quantity or price
                                // complained of, has no amount (the last one priced was of
                                // other figures).
                                let priced = preview
                                    .lines
                                    .get(i)
                                    .filter(|p| p.drug_id == line.drug_id)
                                    .filter(|_| !line.quantity.trim().is_empty())
                                    .filter(|_| !line_complained_of(errors, i));
                                let amount = if no_customer {
                                    local_amount(line).map(|a| pharmacrm_shared::money::to_wire(&a))
                                } else {
                                    if !current {
                                        ui.disable();
                                    }
                                    priced.map(|p| p.amount.clone())
                                };
                                match amount {
                                    Some(amount) => {
                                        widgets::money_cell(ui, &amount, decimals.max(2));
                                    }
                                    None => {
                                        ui.label("—");
                                    }
                                }
                            });
                            ui.vertical(|ui| {
                                if widgets::row_remove_button(ui, t("common.delete"), false, None) {
                                    remove = Some(i);
                                }
                                // A price below cost is allowed, and said with them.
                                let price = format!("lines[{i}].unit_price");
                                let mut warnings: Vec<(&str, &str)> = preview
                                    .warnings
                                    .iter()
                                    .filter(|w| w.field == price)
                                    .map(|w| (t("order.unit_price"), widgets::warning_text(w)))
                                    .collect();
                                if let Some(same) = &same_drug[i] {
                                    warnings.insert(0, (t("order.drug"), same.as_str()));
                                }
                                errors.row_complaints_ui(
                                    ui,
                                    row_start,
                                    &warnings,
                                    &[
                                        (t("order.drug"), Some(format!("lines[{i}].drug_id"))),
                                        (t("order.quantity"), Some(format!("lines[{i}].quantity"))),
                                        (
                                            t("order.unit_price"),
                                            Some(format!("lines[{i}].unit_price")),
                                        ),
                                    ],
                                );
                            });
                            ui.end_row();
                        }
                    });
            });
        }
        errors.remove_row("lines", lines, remove);
        // Given (or a line removed meanwhile, or a click elsewhere first):
        // asked for no more.
        if focused || remove.is_some() || ui.input(|i| i.pointer.any_pressed()) {
            self.focus_quantity = None;
        }
        if let Some(removed) = remove {
            // A preview on its way numbers the lines as they were: not wanted (the next
            // is asked for the lines as they are). Until it comes, what the last one said
            // follows the lines it was about.
            self.preview.abandon();
            forget_line(self.preview.value_mut(), &mut self.sent, removed);
        }
        errors.field_ui(ui, "lines");
        // No customer yet: the lines' own amounts added up, once every line has one.
        let local_total = if no_customer && !lines.is_empty() {
            lines
                .iter()
                .map(local_amount)
                .sum::<Option<pharmacrm_shared::money::Decimal>>()
        } else {
            None
        };
        if let Some(total) = local_total {
            let figure = crate::format::money(&pharmacrm_shared::money::to_wire(&total));
            ui.label(RichText::new(label_value(t("order.total"), &figure)).strong());
        } else if !no_customer && !lines.is_empty() && !preview.total.is_empty() {
            // No total while a line has no quantity or a figure complained of: the last
            // one was of other lines.
            let blank = lines
                .iter()
                .enumerate()
                .any(|(i, l)| l.quantity.trim().is_empty() || line_complained_of(errors, i));
            let figure = if blank {
                "—".to_owned()
            } else {
                crate::format::money(&preview.total)
            };
            let total = RichText::new(label_value(t("order.total"), &figure)).strong();
            ui.label(if current { total } else { total.weak() });
        }
        // Warnings not about one line's price; not one the refused save says above the
        // form already (the credit hold).
        let refusal = errors.error().map(|e| e.message());
        for w in preview
            .warnings
            .iter()
            .filter(|w| !(w.field.starts_with("lines[") && w.field.ends_with("].unit_price")))
            .filter(|w| !is_header_problem(w))
        {
            // Each a line of its own, a sentence as a refusal says it ("The customer's…"):
            // not said twice when the refused save says it above the form already.
            let text = widgets::warning_sentence(w);
            if refusal.as_deref() == Some(text.as_str()) {
                continue;
            }
            // Red where the order is refused as it is: a hold is passed only with a reason.
            let colour = if w.field == REFUSED_FIELD || w.field == CREDIT_HOLD_FIELD {
                widgets::ERROR
            } else {
                widgets::WARNING
            };
            ui.label(RichText::new(text).color(colour));
        }
    }

    /// Once the server refused the customer for its credit: for whoever may override the
    /// hold, the reason and a button placing the order anyway; for a rep who may not, on
    /// a new order, their case and a button sending it for approval (待审批); whether the
    /// order should be sent (the reason goes with it).
    fn credit_override_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> bool {
        if !self.credit_hold {
            return false;
        }
        let may_override = ctx.can(Permission::OrderCreditOverride);
        // A change is held only when it raises the order: lowering it is said to be allowed.
        let (note, label, submit) = match (may_override, &self.changing) {
            // A rep's new order goes for approval, with their case for it (a manager sees
            // it in 我的工作); one awaiting it, raised, asks again for the new figure.
            (false, None) => (
                "credit.approval_note",
                "credit.approval_reason",
                "credit.approval_submit",
            ),
            (false, Some(c)) if c.awaiting => (
                "credit.approval_note_change",
                "credit.approval_reason",
                "credit.approval_submit",
            ),
            (false, Some(_)) => {
                // What to do instead: someone who may override changes it.
                ui.label(RichText::new(t("credit.hold_ask_change")).color(widgets::WARNING));
                return false;
            }
            (true, Some(_)) => (
                "credit.hold_note_change",
                "credit.override_reason",
                "credit.override_submit_change",
            ),
            (true, None) => (
                "credit.hold_note",
                "credit.override_reason",
                "credit.override_submit",
            ),
        };
        ui.label(RichText::new(t(note)).color(widgets::WARNING));
        let reason = &mut self.draft.credit_override_reason;
        let submitted = widgets::form_part(ui, "credit_override_form", &mut self.errors, |f| {
            f.required(&["credit_override_reason"]);
            f.text(t(label), "credit_override_reason", reason);
        })
        .submitted;
        let has_reason = !self.draft.credit_override_reason.trim().is_empty();
        let ready = has_reason && !self.save.is_pending();
        let button = ui.add_enabled(ready, egui::Button::new(t(submit)));
        // Greyed for want of the reason: said on the button, not left to guess.
        let button = if has_reason {
            button
        } else {
            button.on_disabled_hover_text(t("credit.reason_first"))
        };
        let submit = ready && (button.clicked() || submitted);
        ui.add_space(6.0);
        submit
    }

    /// The submit and close buttons, and 重新加载 once a change was refused because someone
    /// else changed the order meanwhile: whether each was clicked. Past a credit hold the
    /// submit button is greyed, saying where the way on is (the reason and its own button
    /// above, or someone who may override): pressed, it would only repeat the hold.
    fn buttons_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> (bool, bool, bool) {
        let busy = self.save.is_pending();
        let held = self.credit_hold;
        // A customer that cannot order at all (a licence expired, archived): nothing
        // placed would pass, whatever the lines.
        let refused = self.customer_refused;
        let mut clicked = (false, false, false);
        ui.horizontal(|ui| {
            let submit = match self.changing {
                Some(_) => t("orders.save_change"),
                None => t("orders.submit"),
            };
            let enabled = !busy && self.may_submit();
            let button = ui.add_enabled(enabled, egui::Button::new(submit));
            clicked.0 = enabled && button.clicked();
            if refused {
                button.on_disabled_hover_text(t("orders.customer_refused"));
            } else if held {
                // A rep changing a placed order has no button above: someone else saves it.
                let way = match (&self.changing, ctx.can(Permission::OrderCreditOverride)) {
                    (Some(c), false) if !c.awaiting => "credit.held_ask_above",
                    _ => "credit.held_submit_above",
                };
                button.on_disabled_hover_text(t(way));
            }
            clicked.1 = ui.button(t("common.close")).clicked();
            let conflict = self.save.error().is_some_and(|e| e.conflict.is_some());
            if conflict && self.changing.is_some() {
                clicked.2 = ui
                    .button(t("orders.reload_change"))
                    .on_hover_text(t("orders.reload_change_hint"))
                    .clicked();
            }
            if busy || self.preview.is_pending() {
                ui.spinner();
            }
            self.errors.refused_ui(ui, self.save.error());
        });
        clicked
    }

    /// Sends the order, a quantity left empty as none (0, which the server refuses with
    /// the rest of what is wrong: every complaint after one press, not the empty boxes'
    /// first and the others' after the next), its complaint said as an empty field's
    /// (必填, not the range).
    fn submit(&mut self, ctx: &AppCtx) {
        let empty: Vec<String> = (self.draft.lines.iter().enumerate())
            .filter(|(_, l)| l.quantity.trim().is_empty())
            .map(|(i, _)| format!("lines[{i}].quantity"))
            .collect();
        let required = pharmacrm_shared::validation::Violation::required();
        // A name typed and not picked is not "必填": it is to be picked from those found.
        let unpicked: Vec<String> = if self.customer_picker.typed_not_chosen() {
            vec!["customer_id".to_owned()]
        } else {
            Vec::new()
        };
        let pick = crate::i18n::in_both("orders.pick_customer");
        let input = self.draft.input();
        match &self.changing {
            Some(c) => self.save.request(
                ctx.orders()
                    .update_order(pb::UpdateOrderRequest {
                        version: c.version,
                        order: Some(input),
                    })
                    .map_err(move |e| e.unnested("order").restated(&empty, &required)),
            ),
            None => self.save.request(
                ctx.orders()
                    .create_order(pb::OrderInput {
                        request_id: self.request_id.clone(),
                        // A rep's case for an order past the credit hold asks for
                        // approval, whichever button sent it (提交审批, or 提交订单 with
                        // the case typed).
                        request_approval: !ctx.can(Permission::OrderCreditOverride)
                            && !input.credit_override_reason.is_empty(),
                        ..input
                    })
                    .map_err(move |e| e.restated(&empty, &required).restated(&unpicked, &pick)),
            ),
        }
    }
}

/// Line `line`'s amount as the server computes it ([`money::line_amount`]: quantity ×
/// unit price, rounded half up), in CNY: for a form with no customer picked yet,
/// which nothing previews. `None` while the quantity or price does not read (or is out of
/// range: the server names it once there is a preview).
///
/// [`money::line_amount`]: pharmacrm_shared::money::line_amount
fn local_amount(line: &Line) -> Option<pharmacrm_shared::money::Decimal> {
    use pharmacrm_shared::money;
    let quantity = super::parse_quantity(&line.quantity);
    if !(1..=pharmacrm_shared::validation::MAX_LINE_QUANTITY).contains(&quantity) {
        return None;
    }
    let price = money::parse_price(&line.unit_price).ok()?;
    Some(money::line_amount(quantity, price))
}

/// `preview`, priced for the form's lines at `priced` only (the others' quantities still
/// to be typed), as the form's `count` lines: a line without an amount in each one's
/// place, and warnings about the j-th line priced named by its place in the form.
fn spread_lines(mut preview: pb::OrderPreview, priced: &[usize], count: usize) -> pb::OrderPreview {
    let mut lines = vec![pb::OrderLine::default(); count];
    for (line, &i) in std::mem::take(&mut preview.lines).into_iter().zip(priced) {
        lines[i] = line;
    }
    preview.lines = lines;
    preview.warnings = std::mem::take(&mut preview.warnings)
        .into_iter()
        .filter_map(|mut w| {
            w.field = widgets::row_renumbered(&w.field, "lines", |j| priced.get(j).copied())?;
            Some(w)
        })
        .collect();
    preview
}

/// Whether line `i`'s quantity or unit price is complained of (a negative price): the
/// amounts shown would be of the figures before.
fn line_complained_of(errors: &FieldErrors, i: usize) -> bool {
    ["quantity", "unit_price"]
        .iter()
        .any(|field| errors.field(&format!("lines[{i}].{field}")).is_some())
}

/// Whether preview warning `w` is about a field whose problem did not keep the lines
/// from being priced (a requested date in the past): said under that field.
fn is_header_problem(w: &pb::Warning) -> bool {
    pharmacrm_shared::ORDER_PREVIEW_TOLERATED.contains(&w.field.as_str())
}

/// Line `removed` taken out of the last preview (`preview`, the one shown) and of the
/// quantities it was sent (`sent`): its amount and warnings go, the later lines' move up
/// with them (`lines[2].unit_price` → `lines[1].unit_price`). Warnings about no line stay.
fn forget_line(preview: Option<&mut pb::OrderPreview>, sent: &mut Vec<i64>, removed: usize) {
    if removed < sent.len() {
        sent.remove(removed);
    }
    let Some(preview) = preview else { return };
    if removed < preview.lines.len() {
        preview.lines.remove(removed);
    }
    preview.warnings = std::mem::take(&mut preview.warnings)
        .into_iter()
        .filter_map(|mut w| {
            w.field = widgets::row_moved(&w.field, "lines", removed)?;
            Some(w)
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(field: &str) -> pb::Warning {
        pb::Warning {
            field: field.to_owned(),
            ..Default::default()
        }
    }

    #[test]
    fn a_removed_lines_amount_and_warnings_go_and_the_later_lines_move_up() {
        let line = |drug_id: i64| pb::OrderLine {
            drug_id,
            ..Default::default()
        };
        let mut preview = pb::OrderPreview {
            lines: vec![line(1), line(2), line(3)],
            warnings: vec![
                warning("lines[0].unit_price"),
                warning("lines[1].unit_price"),
                warning("lines[2].unit_price"),
                warning("customer_id"),
            ],
            ..Default::default()
        };
        let mut sent = vec![10, 20, 30];
        forget_line(Some(&mut preview), &mut sent, 1);
        assert_eq!(sent, [10, 30]);
        let drugs: Vec<i64> = preview.lines.iter().map(|l| l.drug_id).collect();
        assert_eq!(drugs, [1, 3]);
        let fields: Vec<&str> = preview.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(
            fields,
            ["lines[0].unit_price", "lines[1].unit_price", "customer_id"]
        );
        // A line added since the preview (not in it) removes nothing of it.
        forget_line(Some(&mut preview), &mut sent, 5);
        assert_eq!((preview.lines.len(), sent.len()), (2, 2));
    }
}
