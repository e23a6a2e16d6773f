//! 开票: the invoice list (customer, order, dates; paged, with the total of every match;
//! red invoices negative and in red), the invoice form (登记开票: invoicing entity, kind,
//! number, date, the orders it covers), and the red invoice (开红字发票) that reverses a
//! blue one wholly, from the blue invoice's details.

use std::convert::Infallible;

use egui::RichText;
use pharmacrm_shared::money::{Decimal, parse_amount, to_wire};
use pharmacrm_shared::{Permission, pb};

use super::amounts::{AmountsForm, CustomerOrders, Document, Draft, FormEvent, OrderFigure};
use crate::backend::{OffsetPaged, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, list_separator, t};
use crate::orders::{CustomerPicker, InvoicingEntities};
use crate::reports::export::ExportBar;
use crate::widgets::{
    self, Cell, DataTable, FieldErrors, Screen, TableColumn, Unsaved, cells, choice_label,
    row_styles,
};

const PAGE: u32 = 100;

/// The invoices tab: the list (an invoice's details and the red-invoice dialog under it),
/// or the form.
#[derive(Default)]
pub(super) struct InvoicesPanel {
    /// Leaving the form while it holds input asks first.
    screens: widgets::Screens<InvoiceForm, Infallible, ()>,
    list: InvoiceList,
}

impl Unsaved for InvoicesPanel {
    /// Whether the form or the red-invoice dialog holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.screens.is_dirty()
            || (matches!(self.screens.page, Screen::List) && self.list.is_dirty())
    }
}

impl InvoicesPanel {
    /// Draws the tab.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let mut next = None;
        let mut leave = false;
        match &mut self.screens.page {
            Screen::List => {
                if self.list.ui(ui, ctx) {
                    // For the customer the list is filtered on, if any.
                    let customer = self.list.customer.chosen.clone();
                    next = Some(Screen::New(Box::new(InvoiceForm::new(customer))));
                }
            }
            Screen::New(form) => match form.ui(ui, ctx) {
                Some(FormEvent::Saved(invoice)) => {
                    self.list.show_saved(&invoice);
                    next = Some(Screen::List);
                }
                Some(FormEvent::Close) => leave = true,
                None => {}
            },
            Screen::View(never) => match **never {},
        }
        if self.screens.settle(ui.ctx(), "invoices_leave", next, leave) {
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
    /// The invoice's number and the invoice dates.
    documents: super::NumberAndPeriod,
    /// 0: any.
    order_id: i64,
}

/// What the list asks for.
#[derive(Clone, Debug, PartialEq)]
struct SearchKey {
    documents: super::NumberAndPeriodKey,
    customer_id: Option<i64>,
    order_id: Option<i64>,
}

/// The red-invoice dialog's fields.
#[derive(Clone, Debug, PartialEq)]
struct RedDialog {
    /// The blue invoice reversed.
    blue: pb::Invoice,
    number: String,
    /// 发票代码, beside an 8-digit number.
    code: String,
    date: String,
    /// What to take back of each order the blue invoice has left, as typed: all that is
    /// left at first (a whole reversal), less for a 销售折让 or a deduction; empty for
    /// none of that order.
    amounts: Vec<String>,
    note: String,
}

impl Unsaved for RedDialog {
    /// Whether anything was typed.
    fn is_dirty(&self) -> bool {
        !self.number.trim().is_empty()
            || !self.code.trim().is_empty()
            || !self.note.trim().is_empty()
            || self.amounts != Self::suggested(&self.blue)
    }
}

impl RedDialog {
    fn new(blue: pb::Invoice) -> RedDialog {
        RedDialog {
            amounts: Self::suggested(&blue),
            blue,
            number: String::new(),
            code: String::new(),
            date: crate::format::business_today_text(),
            note: String::new(),
        }
    }

    /// The amounts to take back of each order `blue` has left, as first offered: what an
    /// order is invoiced past its net (a deduction after invoicing) when any is, none of
    /// the others; else all that is left of each (a whole reversal).
    fn suggested(blue: &pb::Invoice) -> Vec<String> {
        let over =
            |o: &pb::InvoiceOrder| parse_amount(&o.over_invoiced).ok().filter(|d| !d.is_zero());
        if !blue.unreversed.iter().any(|o| over(o).is_some()) {
            return blue.unreversed.iter().map(|o| o.amount.clone()).collect();
        }
        blue.unreversed
            .iter()
            .map(|o| match (over(o), parse_amount(&o.amount)) {
                (Some(over), Ok(left)) => to_wire(&over.min(left)),
                _ => String::new(),
            })
            .collect()
    }

    /// Which orders the request names: those given an amount; all of them (each then said
    /// to be required) when none is.
    fn sent(&self) -> Vec<bool> {
        let none_given = self.amounts.iter().all(|a| a.trim().is_empty());
        self.amounts
            .iter()
            .map(|a| none_given || !a.trim().is_empty())
            .collect()
    }

    /// The request field each order's amount is checked as: its place among those sent
    /// (`orders[0].amount`…); none for a row not sent.
    fn fields(&self) -> Vec<String> {
        let mut place = 0;
        self.sent()
            .into_iter()
            .map(|sent| {
                if !sent {
                    return String::new();
                }
                place += 1;
                format!("orders[{}].amount", place - 1)
            })
            .collect()
    }

    /// The orders and amounts to send ([`Self::sent`]).
    fn orders(&self) -> Vec<pb::InvoiceOrderInput> {
        self.blue
            .unreversed
            .iter()
            .zip(&self.amounts)
            .zip(self.sent())
            .filter(|(_, sent)| *sent)
            .map(|((o, typed), _)| pb::InvoiceOrderInput {
                order_id: o.order_id,
                amount: super::amount_input(typed),
            })
            .collect()
    }
}

#[derive(Default)]
struct InvoiceList {
    filter: Filter,
    customer: CustomerPicker,
    /// The chosen customer's orders, for the order filter.
    orders: CustomerOrders,
    list: OffsetPaged<SearchKey, pb::ListInvoicesResponse>,
    /// The invoice whose details show under the list.
    selected: Option<i64>,
    red: Option<RedDialog>,
    red_errors: FieldErrors,
    red_save: Requested<pb::Invoice>,
    export: ExportBar,
    /// What was recorded last here (已登记发票 …, 已开红字发票 …), said above the list
    /// until a filter changes: the invoice may be outside the filters, and not listed.
    /// Kept as the invoice, said in the language of the moment.
    done: Option<(pb::Invoice, SearchKey)>,
}

/// What the list asks for with `key`, a page of it (`None`: every match, exported).
fn list_request(key: SearchKey, page: Option<pb::PageRequest>) -> pb::ListInvoicesRequest {
    pb::ListInvoicesRequest {
        customer_id: key.customer_id,
        order_id: key.order_id,
        date_from: key.documents.date_from,
        date_to: key.documents.date_to,
        page,
        number: key.documents.number,
    }
}

impl Unsaved for InvoiceList {
    fn is_dirty(&self) -> bool {
        self.red.as_ref().is_some_and(RedDialog::is_dirty)
    }
}

impl InvoiceList {
    /// Searches again (after a save).
    fn refresh(&mut self) {
        self.list.refresh();
    }

    /// Searches again with the invoice just recorded selected; the order filter's 未开票
    /// figures are read again.
    fn show_saved(&mut self, invoice: &pb::Invoice) {
        self.selected = Some(invoice.id);
        self.done = Some((invoice.clone(), self.key()));
        self.orders.refresh();
        self.refresh();
    }

    fn key(&self) -> SearchKey {
        let customer_id = self.customer.id();
        SearchKey {
            documents: self.filter.documents.key(),
            customer_id,
            // The order filter belongs to the customer chosen.
            order_id: (customer_id.is_some() && self.filter.order_id != 0)
                .then_some(self.filter.order_id),
        }
    }

    /// Draws the list; whether "登记开票" was clicked.
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> bool {
        if self.red_errors.poll(&mut self.red_save) {
            if let Some(red) = self.red_save.value() {
                self.selected = Some(red.id);
                self.done = Some((red.clone(), self.key()));
            }
            self.red = None;
            // A red invoice gives its orders back to invoice.
            self.orders.refresh();
            self.refresh();
        }
        self.orders.poll();
        // Another filter starts again at the first page.
        self.list.poll(self.key(), PAGE, |key, page| {
            ctx.finance().list_invoices(list_request(key, Some(page)))
        });
        let mut new = false;
        let order_options = {
            let mut options = vec![(0, t("finance.all").to_owned())];
            options.extend(self.orders.options(OrderFigure::NotInvoiced));
            options
        };
        let mut unread = Vec::new();
        ui.horizontal_wrapped(|ui| {
            if ctx.can(Permission::InvoiceWrite) && ui.button(t("invoice.new")).clicked() {
                new = true;
            }
            unread = self.filter.documents.ui(
                ui,
                "invoices",
                // A whole 数电发票 number in sight.
                (
                    t("invoice.number_search"),
                    t("invoice.number_search_hint"),
                    170.0,
                ),
                t("invoice.date_from"),
            );
            // Last: the customers found as it is typed move nothing after them.
            if ctx.can(Permission::CustomerRead) {
                self.customer.filter_ui(ui, ctx, t("finance.customer"));
            }
            if self.customer.id().is_some() && ctx.can(Permission::OrderRead) {
                widgets::combo(
                    ui,
                    "invoices_order",
                    t("finance.order"),
                    &mut self.filter.order_id,
                    &order_options,
                );
            }
        });
        let customer_id = self.customer.id().unwrap_or(0);
        if self.orders.load(ctx, customer_id) {
            // The order picked was the previous customer's.
            self.filter.order_id = 0;
        }
        // Every match of the filters as typed, in the list's order.
        let key = self.key();
        let order_id = key.order_id;
        if self.done.as_ref().is_some_and(|(_, at)| *at != key) {
            self.done = None;
        }
        let named = Vec::from_iter(
            self.customer
                .name()
                .into_iter()
                .chain(self.orders.number(self.filter.order_id)),
        );
        super::register_export_ui(
            ui,
            ctx,
            &mut self.export,
            (
                t("finance.tab.customer_invoices"),
                &named,
                &self.filter.documents,
            ),
            || pb::export_request::Report::Invoices(list_request(key, None)),
        );
        if let Some((done, _)) = &self.done {
            ui.label(RichText::new(invoice_done(done)).color(widgets::SUCCESS));
        }
        widgets::unread_dates_ui(ui, &unread);
        widgets::filters_status(
            ui,
            &self.list.result,
            &[
                ("date_from", t("invoice.date_from")),
                ("date_to", t("common.end_date")),
            ],
        );
        let (rows, total, total_amount, on_order) = self
            .list
            .answer()
            .map(|l| {
                (
                    l.invoices.clone(),
                    l.total,
                    l.total_amount.clone(),
                    l.total_on_order.clone(),
                )
            })
            .unwrap_or_default();
        // Filtered on an order: what the invoices invoice on it first, then their whole
        // amounts (which include other orders' parts).
        if !on_order.is_empty() {
            super::totals_line(
                ui,
                &[
                    (t("invoice.total_on_order"), on_order.as_str()),
                    (t("invoice.total_whole"), total_amount.as_str()),
                ],
            );
        } else if !total_amount.is_empty() {
            super::totals_line(ui, &[(t("invoice.total_amount"), total_amount.as_str())]);
        }
        let selected = self
            .selected
            .and_then(|id| rows.iter().find(|i| i.id == id))
            .cloned();
        // The selected invoice's details take room under the table.
        let reserve = if selected.is_some() { 220.0 } else { 48.0 };
        let available = ui.available_height() - reserve;
        if let Some(i) = invoices_table(
            ui,
            "invoice_table",
            &rows,
            true,
            order_id,
            self.selected,
            Some(available),
        ) {
            let id = rows[i].id;
            self.selected = (self.selected != Some(id)).then_some(id);
        }
        // Another page changes the offset, which asks again.
        widgets::pager(ui, &mut self.list.offset, rows.len(), total, PAGE);
        if let Some(invoice) = &selected {
            ui.separator();
            egui::ScrollArea::vertical()
                .id_salt("invoice_detail")
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    invoice_detail_ui(ui, invoice);
                    let blue = invoice.red_of_invoice_id == 0;
                    if ctx.can(Permission::InvoiceWrite)
                        && blue
                        && !invoice.reversed
                        && ui.button(t("invoice.red")).clicked()
                    {
                        self.red = Some(RedDialog::new(invoice.clone()));
                        self.red_errors.set(None);
                    }
                });
        }
        self.red_ui(ui.ctx(), ctx);
        new
    }

    /// The red-invoice dialog: its number, date, what to take back of each order (all
    /// that is left, to start with) and note (same customer, entity and kind).
    fn red_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        let Some(dialog) = &mut self.red else {
            return;
        };
        let busy = self.red_save.is_pending();
        let errors = &mut self.red_errors;
        let yes = t("invoice.red_save");
        let answer = widgets::form_dialog(egui_ctx, "red_invoice", 400.0, yes, busy, |ui| {
            ui.heading(label_value(t("invoice.red"), &printed_number(&dialog.blue)));
            ui.label(format!(
                "{}  ·  {}  ·  {}",
                dialog.blue.customer_name,
                dialog.blue.invoicing_entity_name,
                label_value(t("finance.amount"), &format::money(&dialog.blue.amount)),
            ));
            widgets::form(ui, "red_invoice_form", errors, |f| {
                f.required(&["number", "invoice_date"]);
                f.text_hint(
                    t("invoice.red_number"),
                    "number",
                    &mut dialog.number,
                    t("invoice.number_hint"),
                );
                f.text_hint(
                    t("invoice.red_code"),
                    "code",
                    &mut dialog.code,
                    t("invoice.code_hint"),
                );
                f.past_date(t("invoice.date"), "invoice_date", &mut dialog.date);
                // Each order with what is left of it on the blue invoice, its amount
                // named as the request places it ([`RedDialog::orders`]).
                let fields = dialog.fields();
                for ((order, typed), field) in dialog
                    .blue
                    .unreversed
                    .iter()
                    .zip(&mut dialog.amounts)
                    .zip(fields)
                {
                    let label = t("invoice.red_amount_of")
                        .replace("{order}", &order.order_number)
                        .replace("{left}", &format::money(&order.amount));
                    f.text(&label, &field, typed);
                }
                f.text(t("finance.note"), "note", &mut dialog.note);
            })
            .submitted
        });
        if answer == widgets::DialogAnswer::Close {
            self.red = None;
            return;
        }
        if answer == widgets::DialogAnswer::Submit {
            let blue = &dialog.blue;
            let request = pb::RecordInvoiceRequest {
                customer_id: blue.customer_id,
                invoicing_entity_id: blue.invoicing_entity_id,
                kind: blue.kind,
                number: dialog.number.trim().to_owned(),
                code: dialog.code.trim().to_owned(),
                invoice_date: widgets::normalize_date(&dialog.date),
                orders: dialog.orders(),
                red_of_invoice_id: blue.id,
                note: dialog.note.trim().to_owned(),
                // As a blue invoice's (see `request`).
                request_id: String::new(),
            };
            self.red_save.request(ctx.finance().record_invoice(request));
        }
    }
}

/// An invoice's state: "红冲：<blue number>" on a red invoice, "已红冲" on a blue one
/// reversed, "部分红冲 26.50" on one partly reversed, else "正常" (a blank column beside
/// the amount read as missing).
/// An invoice's state: 红冲 (of the blue one's number), 已红冲, 部分红冲 (by how much), 正常.
/// Under an order (`on_order`), a blue invoice's state is its part on that order's: a red
/// invoice that took back another order's part leaves this one's 正常.
fn status_text(i: &pb::Invoice, on_order: Option<i64>) -> String {
    if i.red_of_invoice_id != 0 {
        return label_value(
            t("invoice.red_of"),
            &pharmacrm_shared::validation::invoice_printed(&i.red_of_code, &i.red_of_number),
        );
    }
    let (reversed, whole) = match on_order {
        Some(id) => {
            let on = i
                .orders
                .iter()
                .find(|o| o.order_id == id)
                .map(|o| super::wire_amount(&o.amount));
            let left = i
                .unreversed
                .iter()
                .find(|o| o.order_id == id)
                .map(|o| super::wire_amount(&o.amount));
            let on = on.unwrap_or_default();
            (on - left.unwrap_or_default(), left.is_none())
        }
        None => (super::wire_amount(&i.reversed_amount), i.reversed),
    };
    if whole {
        t("invoice.reversed").to_owned()
    } else if reversed > Decimal::ZERO {
        t("invoice.partly_reversed").replace("{amount}", &format::money(&to_wire(&reversed)))
    } else {
        t("finance.status_valid").to_owned()
    }
}

/// The order numbers an invoice covers: "SO…、SO…".
fn order_numbers(i: &pb::Invoice) -> String {
    i.orders
        .iter()
        .map(|o| o.order_number.as_str())
        .collect::<Vec<_>>()
        .join(list_separator())
}

/// A table of invoices, red invoices (negative amounts) in red; returns the index of the
/// row clicked. `selected` highlights a row. `max_height` bounds a table that scrolls
/// itself; `None` draws every row in the enclosing scroll area. Under an order
/// (`on_order` its id), each invoice's amount on that order comes first (本单金额), then
/// the whole invoice's: an invoice may cover several orders.
pub fn invoices_table(
    ui: &mut egui::Ui,
    id_salt: &str,
    rows: &[pb::Invoice],
    show_customer: bool,
    on_order: Option<i64>,
    selected: Option<i64>,
    max_height: Option<f32>,
) -> Option<usize> {
    let red = |i: &pb::Invoice| super::is_negative(&i.amount).then_some(widgets::ERROR);
    let mut columns = vec![
        // The number a clerk matches the paper by: whole (20 digits for a 数电发票).
        TableColumn::text(
            t("invoice.number"),
            rows.iter()
                .map(|i| Cell::coloured(i.number.clone(), red(i)))
                .collect(),
        )
        .uncut(),
        // Beside it: two invoices of one number under two codes are told apart in the list.
        TableColumn::text(t("invoice.code"), cells(rows, |i| i.code.clone())).uncut(),
        TableColumn::text(t("invoice.date"), cells(rows, |i| i.invoice_date.clone())),
    ];
    if show_customer {
        columns.push(TableColumn::text(
            t("finance.customer"),
            cells(rows, |i| i.customer_name.clone()),
        ));
    }
    columns.extend([
        TableColumn::text(
            t("invoice.entity"),
            cells(rows, |i| i.invoicing_entity_name.clone()),
        ),
        TableColumn::text(
            t("invoice.kind"),
            cells(rows, |i| choice_label::<pb::InvoiceKind>(i.kind).to_owned()),
        ),
    ]);
    if let Some(order_id) = on_order {
        let on_it = |i: &pb::Invoice| {
            i.orders
                .iter()
                .find(|o| o.order_id == order_id)
                .map_or_else(String::new, |o| o.amount.clone())
        };
        columns.push(TableColumn::money(
            t("invoice.amount_on_order"),
            rows.iter()
                .map(|i| Cell::coloured(on_it(i), red(i)))
                .collect(),
        ));
    }
    columns.extend([
        TableColumn::money(
            if on_order.is_some() {
                t("invoice.amount_whole")
            } else {
                t("finance.amount")
            },
            rows.iter()
                .map(|i| Cell::coloured(i.amount.clone(), red(i)))
                .collect(),
        ),
        // Beside the amount it qualifies, in sight in a narrow window (the orders may be
        // many).
        TableColumn::text(
            t("invoice.status"),
            rows.iter()
                .map(|i| Cell::coloured(status_text(i, on_order), red(i)))
                .collect(),
        ),
        TableColumn::text(t("invoice.orders"), cells(rows, order_numbers)),
    ]);
    let styles = row_styles(rows, selected, |i| (i.id, false));
    DataTable::new(id_salt, &columns)
        .styles(&styles)
        .clickable()
        .max_height(max_height)
        .show(ui)
}

/// What saving `invoice` did, said above the list: 已登记发票 <number>：<amount>, or
/// 已开红字发票 for a red one.
fn invoice_done(invoice: &pb::Invoice) -> String {
    let text = if invoice.red_of_invoice_id == 0 {
        t("invoice.done")
    } else {
        t("invoice.red_done")
    };
    text.replace("{number}", &printed_number(invoice))
        .replace("{amount}", &crate::format::money(&invoice.amount))
}

/// An invoice as printed on it: 发票代码 then 号码 ("1100261130 04419001"), the number
/// alone for a 数电发票.
fn printed_number(i: &pb::Invoice) -> String {
    pharmacrm_shared::validation::invoice_printed(&i.code, &i.number)
}

/// An invoice's details: its fields and the orders it covers with their amounts.
pub fn invoice_detail_ui(ui: &mut egui::Ui, i: &pb::Invoice) {
    let red = super::is_negative(&i.amount).then_some(widgets::ERROR);
    ui.horizontal_wrapped(|ui| {
        ui.strong(printed_number(i));
        let amount = RichText::new(format::money(&i.amount)).strong();
        ui.label(match red {
            Some(colour) => amount.color(colour),
            None => amount,
        });
        // Red only for a red invoice or a reversed one: 正常 in red read as an error.
        let status = RichText::new(status_text(i, None));
        if i.red_of_invoice_id != 0 || i.reversed {
            ui.label(status.color(widgets::ERROR));
        } else {
            ui.label(status.weak());
        }
    });
    widgets::fields_grid(
        ui,
        &format!("invoice_fields_{}", i.id),
        &[
            (t("finance.customer"), i.customer_name.clone()),
            (t("invoice.entity"), i.invoicing_entity_name.clone()),
            (t("invoice.code"), i.code.clone()),
            (
                t("invoice.kind"),
                choice_label::<pb::InvoiceKind>(i.kind).to_owned(),
            ),
            (t("invoice.date"), i.invoice_date.clone()),
            (t("finance.note"), i.note.clone()),
            (
                t("finance.recorded"),
                format::by_at(&i.created_by, i.created_at.as_ref()),
            ),
        ],
    );
    DataTable::new(
        &format!("invoice_orders_{}", i.id),
        &[
            TableColumn::text(
                t("finance.order_number"),
                cells(&i.orders, |o| o.order_number.clone()),
            ),
            TableColumn::money(
                t("finance.amount"),
                i.orders
                    .iter()
                    .map(|o| Cell::coloured(o.amount.clone(), red))
                    .collect(),
            ),
        ],
    )
    .show(ui);
}

// ---------------------------------------------------------------------------------------
// The form

/// An invoice's own fields as typed.
#[derive(Clone, Debug, PartialEq)]
struct Fields {
    invoicing_entity_id: i64,
    kind: i32,
    number: String,
    /// 发票代码, beside an 8-digit number.
    code: String,
    invoice_date: String,
}

impl Default for Fields {
    /// A special VAT invoice dated today.
    fn default() -> Self {
        Fields {
            invoicing_entity_id: 0,
            kind: pb::InvoiceKind::Special as i32,
            number: String::new(),
            code: String::new(),
            invoice_date: crate::format::business_today_text(),
        }
    }
}

/// The request body of a blue invoice.
fn request(draft: &Draft<Fields>) -> pb::RecordInvoiceRequest {
    let f = &draft.fields;
    pb::RecordInvoiceRequest {
        customer_id: draft.customer_id,
        invoicing_entity_id: f.invoicing_entity_id,
        kind: f.kind,
        number: f.number.trim().to_owned(),
        code: f.code.trim().to_owned(),
        invoice_date: widgets::normalize_date(&f.invoice_date),
        orders: draft.order_rows(|order_id, amount| pb::InvoiceOrderInput { order_id, amount }),
        red_of_invoice_id: 0,
        note: draft.note(),
        // A second press after an answer lost is refused as the number taken, naming the
        // customer, date and amount the first recorded: the clerk sees it is the invoice
        // just keyed (as a payment's duplicate is questioned, not answered silently).
        request_id: String::new(),
    }
}

/// 登记开票: a blue invoice and the orders it covers.
struct InvoiceForm {
    form: AmountsForm<Fields, pb::Invoice>,
    entities: InvoicingEntities,
}

impl Unsaved for InvoiceForm {
    /// Whether the invoice differs from the blank form (the default entity is not input).
    fn is_dirty(&self) -> bool {
        self.form.is_dirty()
    }
}

impl InvoiceForm {
    /// A blank invoice, for `customer` when given (the list's filter).
    fn new(customer: Option<(i64, String)>) -> InvoiceForm {
        InvoiceForm {
            form: AmountsForm::new(Fields::default()).for_customer(customer),
            entities: InvoicingEntities::including_archived(),
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<FormEvent<pb::Invoice>> {
        if ctx.can(Permission::OrderRead)
            && let Some(first) = self.entities.poll(ctx)
            && self.form.draft.fields.invoicing_entity_id == 0
        {
            // The first entity is the default, not the user's input.
            self.form.draft.fields.invoicing_entity_id = first;
            self.form.original.fields.invoicing_entity_id = first;
        }
        let entity = self.form.draft.fields.invoicing_entity_id;
        // An archived entity is offered while it has goods of the customer's to invoice.
        let entities = self.entities.options_with_archived(
            |id| self.form.offers_orders(OrderFigure::NotInvoicedBy(id)),
            entity,
        );
        let doc = Document {
            id: "invoice_form",
            heading: t("invoice.new"),
            save: t("invoice.save"),
            orders: t("invoice.orders"),
            orders_hint: None,
            orders_field: "orders",
            orders_total: t("invoice.orders_total"),
            figure: OrderFigure::NotInvoicedBy(entity),
            orders_permission: None,
        };
        let event = self.form.ui(
            ui,
            ctx,
            (&doc, None),
            |f, fields| {
                f.required(&["invoicing_entity_id", "kind", "number", "invoice_date"]);
                f.combo(
                    t("invoice.entity"),
                    "invoicing_entity_id",
                    &mut fields.invoicing_entity_id,
                    &entities,
                );
                f.enum_combo::<pb::InvoiceKind>(t("invoice.kind"), "kind", &mut fields.kind);
                f.text_hint(
                    t("invoice.number"),
                    "number",
                    &mut fields.number,
                    t("invoice.number_hint"),
                );
                // Marked required as soon as the number says so (a tax-control invoice's).
                if pharmacrm_shared::validation::needs_invoice_code(&fields.number) {
                    f.required(&["code"]);
                }
                f.text_hint(
                    t("invoice.code"),
                    "code",
                    &mut fields.code,
                    t("invoice.code_hint"),
                );
                f.past_date(t("invoice.date"), "invoice_date", &mut fields.invoice_date);
            },
            |draft| ctx.finance().record_invoice(request(draft)),
        );
        let chosen = self.form.draft.fields.invoicing_entity_id;
        if chosen != entity {
            // The orders were picked for what the entity chosen before may invoice.
            self.form.refigure(
                OrderFigure::NotInvoicedBy(chosen),
                doc.orders_field,
                t("invoice.nothing_for_entity"),
            );
            ui.ctx().request_repaint();
        }
        event
    }
}

#[cfg(test)]
mod tests {
    use pharmacrm_shared::pb;

    use super::RedDialog;

    fn order(id: i64, left: &str, over: &str) -> pb::InvoiceOrder {
        pb::InvoiceOrder {
            order_id: id,
            order_number: format!("SO{id}"),
            amount: left.into(),
            over_invoiced: over.into(),
        }
    }

    /// A red invoice starts as a whole reversal, unless an order is invoiced past its net
    /// (a deduction after invoicing): then it takes back that much of it, none of the rest.
    #[test]
    fn a_red_invoice_offers_what_is_invoiced_past_the_net_else_all_that_is_left() {
        let blue = |unreversed| pb::Invoice {
            unreversed,
            ..Default::default()
        };
        let whole = blue(vec![order(1, "318.00", "0.00"), order(2, "20.00", "0.00")]);
        assert_eq!(RedDialog::suggested(&whole), ["318.00", "20.00"]);
        let deducted = blue(vec![order(1, "318.00", "26.50"), order(2, "20.00", "0.00")]);
        assert_eq!(RedDialog::suggested(&deducted), ["26.50", ""]);
        // Never more than is left of the order on this invoice.
        let partly = blue(vec![order(1, "10.00", "26.50")]);
        assert_eq!(RedDialog::suggested(&partly), ["10.00"]);
    }

    /// Under an order, a blue invoice's state is that order's part's: 50.00 of order 1's
    /// 200.00 and 5.00 of order 2's 20.00 taken back say so each, the whole 55.00 alone;
    /// an order with nothing left is 已红冲.
    #[test]
    fn an_invoice_under_an_order_states_that_orders_part() {
        let blue = |unreversed| pb::Invoice {
            amount: "220.00".into(),
            reversed_amount: "55.00".into(),
            orders: vec![order(1, "200.00", ""), order(2, "20.00", "")],
            unreversed,
            ..Default::default()
        };
        let both = blue(vec![order(1, "150.00", ""), order(2, "15.00", "")]);
        assert_eq!(super::status_text(&both, None), "部分红冲 55.00");
        assert_eq!(super::status_text(&both, Some(1)), "部分红冲 50.00");
        assert_eq!(super::status_text(&both, Some(2)), "部分红冲 5.00");
        let second_gone = blue(vec![order(1, "200.00", "")]);
        assert_eq!(super::status_text(&second_gone, Some(1)), "正常");
        assert_eq!(super::status_text(&second_gone, Some(2)), "已红冲");
    }
}
