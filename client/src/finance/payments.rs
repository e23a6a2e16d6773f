//! 回款: the payment list (customer, dates, handler; paged, with the total of every
//! match), the payment form (登记回款) with optional allocations to the customer's
//! orders, and a payment's view with where it went and, for those who record payments,
//! its reversal (冲销) with a reason and a date.

use egui::RichText;
use pharmacrm_shared::money::{self, Decimal, to_wire};
use pharmacrm_shared::{Permission, pb};

use super::amounts::{AmountsForm, Document, Draft, FormEvent, OrderFigure};
use crate::backend::{OffsetPaged, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{bracketed, label_value, t};
use crate::orders::CustomerPicker;
use crate::reports::export::ExportBar;
use crate::widgets::{
    self, Cell, DataTable, FieldErrors, FormUi, RowStyle, Screen, TableColumn, Unsaved, cells,
    choice_label, row_styles,
};

const PAGE: u32 = 100;

/// The payments tab: the list, or the form, or one payment.
#[derive(Default)]
pub(super) struct PaymentsPanel {
    /// Leaving the form or a view with the reversal dialog open asks first.
    screens: widgets::Screens<PaymentForm, PaymentView, ()>,
    list: PaymentList,
}

impl Unsaved for PaymentsPanel {
    /// Whether the form or the reversal dialog holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.screens.is_dirty()
    }
}

impl PaymentsPanel {
    /// Draws the tab.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let mut next = None;
        let mut leave = false;
        match &mut self.screens.page {
            Screen::List => match self.list.ui(ui, ctx) {
                Some(ListCommand::New) => {
                    // For the customer the list is filtered on, if any.
                    let customer = self.list.customer.chosen.clone();
                    next = Some(Screen::New(Box::new(PaymentForm::new(customer))));
                }
                Some(ListCommand::Open(payment)) => {
                    next = Some(Screen::View(Box::new(PaymentView::new(payment))));
                }
                None => {}
            },
            Screen::New(form) => match form.ui(ui, ctx) {
                Some(FormEvent::Saved(payment)) => {
                    self.list.refresh();
                    next = Some(Screen::View(Box::new(PaymentView::new(payment))));
                }
                Some(FormEvent::Close) => leave = true,
                None => {}
            },
            Screen::View(view) => match view.ui(ui, ctx) {
                Some(ViewEvent::Reversed) => self.list.refresh(),
                Some(ViewEvent::Close) => leave = true,
                None => {}
            },
        }
        if self.screens.settle(ui.ctx(), "payments_leave", next, leave) {
            self.list.refresh();
        }
    }

    /// Reads the list again (the tab shown again).
    pub(super) fn refresh(&mut self) {
        self.list.refresh();
    }

    /// Goes back to the list (its tab clicked again), asking first over unsaved input.
    pub(super) fn back_to_list(&mut self) {
        self.screens.back_to_list();
    }
}

// ---------------------------------------------------------------------------------------
// The list

/// The filters as typed.
#[derive(Clone, Debug, PartialEq, Default)]
struct Filter {
    /// The payment's number or bank reference, and the payment dates.
    documents: super::NumberAndPeriod,
    /// 0: any.
    handler_id: i64,
}

/// What the list asks for.
#[derive(Clone, Debug, PartialEq)]
struct SearchKey {
    documents: super::NumberAndPeriodKey,
    customer_id: Option<i64>,
    handler_id: Option<i64>,
}

/// What the list asks of the tab.
enum ListCommand {
    /// Record a payment.
    New,
    /// Show this payment.
    Open(pb::Payment),
}

#[derive(Default)]
struct PaymentList {
    filter: Filter,
    customer: CustomerPicker,
    list: OffsetPaged<SearchKey, pb::ListPaymentsResponse>,
    reps: Requested<Vec<pb::UserRef>>,
    export: ExportBar,
}

/// What the list asks for with `key`, a page of it (`None`: every match, exported).
fn list_request(key: SearchKey, page: Option<pb::PageRequest>) -> pb::ListPaymentsRequest {
    pb::ListPaymentsRequest {
        customer_id: key.customer_id,
        date_from: key.documents.date_from,
        date_to: key.documents.date_to,
        handler_id: key.handler_id,
        page,
        number: key.documents.number,
    }
}

impl PaymentList {
    /// Searches again (after a save).
    fn refresh(&mut self) {
        self.list.refresh();
    }

    fn key(&self) -> SearchKey {
        SearchKey {
            documents: self.filter.documents.key(),
            customer_id: self.customer.id(),
            handler_id: (self.filter.handler_id != 0).then_some(self.filter.handler_id),
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ListCommand> {
        super::load_reps(&mut self.reps, ctx, super::RepRole::Handlers);
        // Another filter starts again at the first page.
        self.list.poll(self.key(), PAGE, |key, page| {
            ctx.finance().list_payments(list_request(key, Some(page)))
        });
        let mut command = None;
        let mut unread = Vec::new();
        ui.horizontal_wrapped(|ui| {
            if ctx.can(Permission::PaymentWrite) && ui.button(t("payment.new")).clicked() {
                command = Some(ListCommand::New);
            }
            unread = self.filter.documents.ui(
                ui,
                "payments",
                // A whole number, PY20261205-0002, in sight.
                (
                    t("payment.number_search"),
                    t("payment.number_search_hint"),
                    170.0,
                ),
                t("payment.date_from"),
            );
            if ctx.can(Permission::CustomerRead) {
                widgets::combo(
                    ui,
                    "payments_handler",
                    t("payment.handler"),
                    &mut self.filter.handler_id,
                    &super::rep_choices(&self.reps, t("finance.all")),
                );
                // Last: the customers found as it is typed move nothing after them.
                self.customer.filter_ui(ui, ctx, t("finance.customer"));
            }
        });
        // Every match of the filters as typed, in the list's order.
        let key = self.key();
        super::register_export_ui(
            ui,
            ctx,
            &mut self.export,
            (
                t("finance.tab.customer_payments"),
                &Vec::from_iter(self.customer.name()),
                &self.filter.documents,
            ),
            || pb::export_request::Report::Payments(list_request(key, None)),
        );
        widgets::unread_dates_ui(ui, &unread);
        widgets::filters_status(
            ui,
            &self.list.result,
            &[
                ("date_from", t("payment.date_from")),
                ("date_to", t("common.end_date")),
            ],
        );
        let (rows, total, total_amount) = self
            .list
            .answer()
            .map(|l| (l.payments.clone(), l.total, l.total_amount.clone()))
            .unwrap_or_default();
        if !total_amount.is_empty() {
            super::totals_line(ui, &[(t("payment.total_amount"), total_amount.as_str())]);
        }
        let available = ui.available_height() - 48.0;
        if let Some(i) = payments_table(ui, "payment_table", &rows, true, None, Some(available)) {
            command = Some(ListCommand::Open(rows[i].clone()));
        }
        // Another page changes the offset, which asks again.
        widgets::pager(ui, &mut self.list.offset, rows.len(), total, PAGE);
        command
    }
}

/// A payment's state: "已冲销" for one `reversed`, else "正常" (a blank column beside the
/// amount read as missing).
pub(super) fn status_of(reversed: bool) -> &'static str {
    if reversed {
        t("payment.reversed")
    } else {
        t("finance.status_valid")
    }
}

/// A table of payments, reversed ones greyed; returns the index of the row clicked.
/// `selected` highlights a row. `max_height` bounds a table that scrolls itself; `None`
/// draws every row in the enclosing scroll area.
pub fn payments_table(
    ui: &mut egui::Ui,
    id_salt: &str,
    rows: &[pb::Payment],
    show_customer: bool,
    selected: Option<i64>,
    max_height: Option<f32>,
) -> Option<usize> {
    let text = |f: fn(&pb::Payment) -> String| cells(rows, f);
    let mut columns = vec![
        TableColumn::text(t("payment.number"), text(|p| p.number.clone())),
        TableColumn::text(t("payment.date"), text(|p| p.payment_date.clone())),
    ];
    if show_customer {
        columns.push(TableColumn::text(
            t("finance.customer"),
            text(|p| p.customer_name.clone()),
        ));
    }
    columns.extend([
        TableColumn::money(t("payment.amount"), text(|p| p.amount.clone())),
        // Beside the amount it qualifies, in sight in a narrow window.
        TableColumn::text(
            t("payment.status"),
            rows.iter()
                .map(|p| {
                    Cell::coloured(status_of(p.reversed), p.reversed.then_some(widgets::ERROR))
                })
                .collect(),
        ),
        TableColumn::text(
            t("payment.method"),
            text(|p| choice_label::<pb::PaymentMethod>(p.method).to_owned()),
        ),
        TableColumn::text(t("payment.reference"), text(|p| p.reference.clone())),
        TableColumn::text(
            t("payment.handler"),
            text(|p| format::person(p.handler.as_ref())),
        ),
        TableColumn::text(
            t("finance.sales_rep"),
            text(|p| format::person(p.sales_rep.as_ref())),
        ),
        // A reversed payment has nothing on account now (its view shows what it had).
        TableColumn::money(
            t("payment.unallocated"),
            text(|p| {
                if p.reversed {
                    "—".to_owned()
                } else {
                    p.unallocated.clone()
                }
            }),
        ),
    ]);
    let styles = row_styles(rows, selected, |p| (p.id, p.reversed));
    DataTable::new(id_salt, &columns)
        .styles(&styles)
        .clickable()
        .max_height(max_height)
        .show(ui)
}

/// A payment's details: its fields, then where it went (order, shipment, amount) and what
/// is still on account (未分配); its reversal when reversed.
pub fn payment_detail_ui(ui: &mut egui::Ui, p: &pb::Payment) {
    let mut fields = vec![
        (t("finance.customer"), p.customer_name.clone()),
        (t("payment.date"), p.payment_date.clone()),
        (t("payment.amount"), format::money(&p.amount)),
        (
            t("payment.method"),
            choice_label::<pb::PaymentMethod>(p.method).to_owned(),
        ),
        (t("payment.reference"), p.reference.clone()),
        (t("payment.handler"), format::person(p.handler.as_ref())),
        (t("finance.sales_rep"), format::person(p.sales_rep.as_ref())),
        (t("finance.note"), p.note.clone()),
        (
            t("finance.recorded"),
            format::by_at(&p.created_by, p.created_at.as_ref()),
        ),
    ];
    if p.reversed {
        fields.push((t("payment.reversal_date"), p.reversal_date.clone()));
        fields.push((t("payment.reversal_reason"), p.reversal_reason.clone()));
        fields.push((
            t("payment.reversed_by"),
            format::by_at(&p.reversed_by, p.reversed_at.as_ref()),
        ));
    }
    widgets::fields_grid(ui, &format!("payment_fields_{}", p.id), &fields);
    if p.reversed {
        ui.label(RichText::new(t("payment.reversed")).color(widgets::ERROR));
    }
    ui.add_space(4.0);
    // A reversed payment shows where its money was when the reversal took it back.
    ui.strong(if p.reversed {
        t("payment.allocations_reversed")
    } else {
        t("payment.allocations")
    });
    // Credit on account is the unallocated amount, shown once as its own row.
    let allocations: Vec<&pb::Allocation> =
        p.allocations.iter().filter(|a| a.order_id != 0).collect();
    let mut order = Vec::new();
    let mut shipment = Vec::new();
    let mut amount = Vec::new();
    for a in &allocations {
        order.push(Cell::new(a.order_number.clone()));
        shipment.push(Cell::new(a.shipment_number.clone()));
        amount.push(Cell::new(a.amount.clone()));
    }
    order.push(Cell::new(t("payment.unallocated")));
    shipment.push(Cell::default());
    amount.push(Cell::new(p.unallocated.clone()));
    let mut styles = vec![RowStyle::Normal; allocations.len()];
    styles.push(RowStyle::Strong);
    DataTable::new(
        &format!("payment_allocations_{}", p.id),
        &[
            TableColumn::text(t("finance.order_number"), order),
            TableColumn::text(t("payment.shipment_number"), shipment),
            TableColumn::money(t("finance.amount"), amount),
        ],
    )
    .styles(&styles)
    .show(ui);
}

// ---------------------------------------------------------------------------------------
// The view

/// What the view did this frame.
enum ViewEvent {
    /// The payment was reversed (the list is out of date).
    Reversed,
    /// Back to the list.
    Close,
}

/// The reversal dialog's fields.
#[derive(Clone, Debug, PartialEq, Default)]
struct ReverseDialog {
    reason: String,
    /// Empty: today.
    date: String,
}

/// One payment, with its reversal for those who record payments.
struct PaymentView {
    payment: pb::Payment,
    reverse: Option<ReverseDialog>,
    errors: FieldErrors,
    reversing: Requested<pb::Payment>,
}

impl Unsaved for PaymentView {
    /// Whether the reversal dialog holds input.
    fn is_dirty(&self) -> bool {
        self.reverse
            .as_ref()
            .is_some_and(|d| *d != ReverseDialog::default())
    }
}

impl PaymentView {
    fn new(payment: pb::Payment) -> PaymentView {
        PaymentView {
            payment,
            reverse: None,
            errors: FieldErrors::default(),
            reversing: Requested::NotRequested,
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ViewEvent> {
        let mut event = None;
        if self.errors.poll(&mut self.reversing) {
            if let Requested::Done(payment) = std::mem::take(&mut self.reversing) {
                self.payment = payment;
            }
            self.reverse = None;
            event = Some(ViewEvent::Reversed);
        }
        ui.horizontal(|ui| {
            if ui.button(t("payment.back")).clicked() {
                event = Some(ViewEvent::Close);
            }
            if ctx.can(Permission::PaymentWrite)
                && !self.payment.reversed
                && ui.button(t("payment.reverse")).clicked()
            {
                self.reverse = Some(ReverseDialog::default());
                self.errors.set(None);
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.heading(&self.payment.number);
            ui.label(RichText::new(format::money(&self.payment.amount)).strong());
        });
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| payment_detail_ui(ui, &self.payment));
        if event.is_none() {
            self.reverse_ui(ui.ctx(), ctx);
        }
        event
    }

    /// The reversal dialog: why, and on which date (today when empty).
    fn reverse_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        let Some(dialog) = &mut self.reverse else {
            return;
        };
        let busy = self.reversing.is_pending();
        let errors = &mut self.errors;
        let payment = &self.payment;
        let yes = t("payment.reverse_confirm");
        let answer = widgets::form_dialog(egui_ctx, "reverse_payment", 380.0, yes, busy, |ui| {
            ui.heading(label_value(t("payment.reverse"), &payment.number));
            // What is taken back, in sight: the dialog covers the payment's own view.
            ui.strong(format!(
                "{}  {}  {}",
                payment.customer_name,
                label_value(t("payment.date"), &payment.payment_date),
                label_value(t("payment.amount"), &format::money(&payment.amount)),
            ));
            ui.label(t("payment.reverse_question"));
            widgets::form(ui, "reverse_form", errors, |f| {
                f.required(&["reason"]);
                f.text(t("payment.reversal_reason"), "reason", &mut dialog.reason);
                f.past_date(
                    &bracketed(t("payment.reversal_date"), t("finance.empty_today")),
                    "reversal_date",
                    &mut dialog.date,
                );
            })
            .submitted
        });
        if answer == widgets::DialogAnswer::Close {
            self.reverse = None;
            return;
        }
        if answer == widgets::DialogAnswer::Submit {
            let request = pb::ReversePaymentRequest {
                id: payment.id,
                version: payment.version,
                reason: dialog.reason.trim().to_owned(),
                reversal_date: widgets::normalize_date(&dialog.date),
            };
            self.reversing
                .request(ctx.finance().reverse_payment(request));
        }
    }
}

// ---------------------------------------------------------------------------------------
// The form

/// A payment's own fields as typed.
#[derive(Clone, Debug, PartialEq)]
struct Fields {
    payment_date: String,
    amount: String,
    method: i32,
    reference: String,
    /// 0: the customer's sales rep.
    handler_id: i64,
    /// Whether the server found a payment like this one, and what the user said.
    duplicate: DuplicateCheck,
}

/// What makes two payments alike: (customer, date, amount, reference) as typed.
type PaymentKey = (i64, String, String, String);

/// The server found a payment on record like this one: for which key, why (its sentence
/// naming the earlier payment, kept under the checkbox while it is offered), and whether
/// the user confirmed this is another. Another key (a customer, date, amount or reference
/// changed) withdraws it: the server is asked again.
#[derive(Clone, Debug, Default, PartialEq)]
struct DuplicateCheck {
    offered_for: Option<PaymentKey>,
    confirmed: bool,
}

impl Fields {
    fn key(&self, customer_id: i64) -> PaymentKey {
        (
            customer_id,
            self.payment_date.trim().to_owned(),
            self.amount.trim().to_owned(),
            self.reference.trim().to_owned(),
        )
    }
}

impl Default for Fields {
    /// Received today by bank transfer, collected by the customer's sales rep.
    fn default() -> Self {
        Fields {
            payment_date: crate::format::business_today_text(),
            amount: String::new(),
            method: pb::PaymentMethod::BankTransfer as i32,
            reference: String::new(),
            handler_id: 0,
            duplicate: DuplicateCheck::default(),
        }
    }
}

/// The request body: what is not a date or an amount is sent as typed, so that the
/// server names the field.
fn request(draft: &Draft<Fields>) -> pb::RecordPaymentRequest {
    let f = &draft.fields;
    pb::RecordPaymentRequest {
        customer_id: draft.customer_id,
        payment_date: widgets::normalize_date(&f.payment_date),
        amount: super::amount_input(&f.amount),
        method: f.method,
        reference: f.reference.trim().to_owned(),
        handler_id: f.handler_id,
        note: draft.note(),
        allocations: draft.order_rows(|order_id, amount| pb::AllocationInput { order_id, amount }),
        // Confirmed for this very payment, not one typed before.
        confirm_not_duplicate: f.duplicate.confirmed
            && f.duplicate.offered_for == Some(f.key(draft.customer_id)),
        // A second press after an answer lost is questioned as a duplicate, naming the
        // payment the first recorded: the clerk sees it and decides.
        request_id: String::new(),
    }
}

/// Where the server says a payment like this one is on record.
const DUPLICATE_FIELD: &str = "confirm_not_duplicate";

/// The confirmation that this is another payment than the one on record like it: offered
/// once the server refused it as a possible duplicate, with the server's sentence kept
/// under the checkbox (ticking it does not hide why it is there), withdrawn once the
/// payment differs from the one refused.
fn duplicate_ui(f: &mut FormUi<'_>, fields: &mut Fields, customer_id: i64) {
    let key = fields.key(customer_id);
    if let Some(why) = f.take_server_complaint(DUPLICATE_FIELD) {
        fields.duplicate = DuplicateCheck {
            offered_for: Some(key.clone()),
            confirmed: false,
        };
        f.set_local(DUPLICATE_FIELD, Some(why));
    }
    if fields
        .duplicate
        .offered_for
        .as_ref()
        .is_some_and(|k| *k != key)
    {
        fields.duplicate = DuplicateCheck::default();
        f.set_local(DUPLICATE_FIELD, None);
    }
    if fields.duplicate.offered_for.is_some() {
        f.checkbox(
            "",
            DUPLICATE_FIELD,
            &mut fields.duplicate.confirmed,
            t("payment.confirm_not_duplicate"),
        );
    }
}

/// What of a payment of `amount` (as typed) stays on account (预收) once it has paid the
/// `outstanding` the customer owes today (CNY): `None` when all of it pays what is owed,
/// or when it does not read as an amount. (The server allocates it so: the orders picked,
/// then the oldest due, the rest on account.)
fn excess_on_account(amount: &str, outstanding: Decimal) -> Option<Decimal> {
    let amount = money::parse_amount(&super::amount_input(amount)).ok()?;
    let excess = amount - outstanding;
    (excess > Decimal::ZERO).then_some(excess)
}

/// 登记回款: the payment's fields and its optional allocations.
struct PaymentForm {
    form: AmountsForm<Fields, pb::Payment>,
    reps: Requested<Vec<pb::UserRef>>,
}

impl Unsaved for PaymentForm {
    /// Whether the payment differs from the blank form.
    fn is_dirty(&self) -> bool {
        self.form.is_dirty()
    }
}

impl PaymentForm {
    /// A blank payment, from `customer` when given (the list's filter).
    fn new(customer: Option<(i64, String)>) -> PaymentForm {
        PaymentForm {
            form: AmountsForm::new(Fields::default())
                .marking_overdue()
                .for_customer(customer),
            reps: Requested::NotRequested,
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<FormEvent<pb::Payment>> {
        super::load_reps(&mut self.reps, ctx, super::RepRole::Handlers);
        // As of the last frame: a customer chosen this frame withdraws an offered
        // confirmation the next.
        let customer_id = self.form.customer_id();
        // Anyone at work may have collected it (the server refuses the disabled).
        let disabled: Vec<i64> = (self.reps.value().into_iter().flatten())
            .filter(|p| p.inactive)
            .map(|p| p.id)
            .collect();
        // "客户的营销员（李营销）" once the customer's rep is known.
        let default = match self.form.customer_sales_rep() {
            "" => t("payment.handler_default").to_owned(),
            rep => bracketed(t("payment.handler_default"), rep),
        };
        let outstanding = self.form.customer_outstanding();
        let mut handlers = super::rep_choices(&self.reps, &default);
        handlers.retain(|(id, _)| !disabled.contains(id));
        let doc = Document {
            id: "payment_form",
            heading: t("payment.new"),
            save: t("payment.save"),
            orders: t("payment.allocations"),
            orders_hint: Some(t("payment.allocations_hint")),
            orders_field: "allocations",
            orders_total: t("payment.allocations_total"),
            figure: OrderFigure::Outstanding,
            orders_permission: Some(Permission::OrderRead),
        };
        // The payment's amount as typed, for its rows to share.
        let amount = money::parse_amount(&super::amount_input(&self.form.draft.fields.amount)).ok();
        self.form.ui(
            ui,
            ctx,
            (&doc, amount),
            |f, fields| {
                f.required(&["payment_date", "amount", "method"]);
                f.past_date_noting_age(
                    t("payment.date"),
                    "payment_date",
                    &mut fields.payment_date,
                    OLD_PAYMENT_DAYS,
                );
                if f.text(t("payment.amount"), "amount", &mut fields.amount)
                    .changed()
                {
                    // "分配合计 …，超过回款金额 …" compared the rows with the amount before.
                    f.edited("allocations");
                }
                // An overpayment (or a slip of a digit) is said before it is saved, on a
                // line kept from the start (the rule until the debt is known), so that the
                // fields below move neither as the customer is picked nor as the amount is
                // typed.
                let excess = outstanding
                    .and_then(|owed| Some((owed, excess_on_account(&fields.amount, owed)?)));
                let note = match excess {
                    Some((owed, excess)) => {
                        let text = if owed.is_zero() {
                            t("payment.all_on_account")
                        } else {
                            t("payment.excess_on_account")
                        };
                        let text = text
                            .replace("{outstanding}", &format::money(&to_wire(&owed)))
                            .replace("{excess}", &format::money(&to_wire(&excess)));
                        RichText::new(text).color(widgets::WARNING)
                    }
                    None => RichText::new(t("payment.excess_rule")).weak(),
                };
                f.note(note);
                f.enum_combo::<pb::PaymentMethod>(
                    t("payment.method"),
                    "method",
                    &mut fields.method,
                );
                f.text(t("payment.reference"), "reference", &mut fields.reference);
                f.combo(
                    t("payment.handler"),
                    "handler_id",
                    &mut fields.handler_id,
                    &handlers,
                );
                duplicate_ui(f, fields, customer_id);
            },
            |draft| ctx.finance().record_payment(request(draft)),
        )
    }
}

/// A payment dated more than this many days back is said to be so beside its date.
const OLD_PAYMENT_DAYS: i64 = 31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_is_valid_or_reversed_never_blank() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        assert_eq!(status_of(false), "正常");
        assert_eq!(status_of(true), "已冲销");
    }

    #[test]
    fn what_a_payment_leaves_on_account_is_what_it_pays_over_the_debt() {
        let owed = Decimal::new(213_700, 2);
        let excess = |amount| excess_on_account(amount, owed).map(|e| to_wire(&e));
        assert_eq!(excess("3,000"), Some("863.00".to_owned()));
        assert_eq!(excess("2137.01"), Some("0.01".to_owned()));
        assert_eq!(excess("2137"), None, "exactly the debt");
        assert_eq!(excess("1000"), None);
        assert_eq!(excess("12,5"), None, "not an amount: the server names it");
        assert_eq!(
            excess_on_account("50", Decimal::ZERO).map(|e| to_wire(&e)),
            Some("50.00".to_owned())
        );
    }
}
