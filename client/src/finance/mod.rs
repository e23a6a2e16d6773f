//! 财务: payments received (回款) and their allocation, invoices (开票, blue and red), the
//! reconciliation statement (对账) with ageing, its confirmation and Excel export, and the
//! arrears list (欠款). Each sub-tab shows only with its permission. The customer view's
//! invoice and payment tabs, the order view's money and 我的工作's overdue arrears reuse
//! the tables and blocks exported here.

mod amounts;
mod arrears;
mod invoices;
mod payments;
mod statement;
mod write_offs;

use egui::{Color32, RichText};
use pharmacrm_shared::money::{self, Decimal};
use pharmacrm_shared::{Module, Permission, pb};

use crate::backend::Requested;
use crate::ctx::{AppCtx, Navigate};
use crate::format;
use crate::i18n::{bracketed, label_value, list_separator, t};
use crate::reports::export::ExportBar;
use crate::shell::ModulePanel;
use crate::widgets::{self, Cell, DataTable, PermittedTab, RowStyle, TableColumn, Unsaved};

pub use arrears::ArrearsWork;
pub use invoices::{invoice_detail_ui, invoices_table};
pub use payments::{payment_detail_ui, payments_table};
pub use write_offs::WriteOffs;

crate::choice!(pb::PaymentMethod {
    BankTransfer => t("payment.method.bank_transfer"),
    AcceptanceBill => t("payment.method.acceptance_bill"),
    Cash => t("payment.method.cash"),
    Other => t("payment.method.other"),
});

crate::choice!(pb::InvoiceKind {
    Special => t("invoice.kind.special"),
    Ordinary => t("invoice.kind.ordinary"),
});

crate::choice!(pb::ArrearsBucket {
    Any => t("arrears.bucket.any"),
    Overdue => t("arrears.bucket.overdue"),
    Over30 => t("arrears.bucket.over_30"),
    Over60 => t("arrears.bucket.over_60"),
    Over90 => t("arrears.bucket.over_90_days"),
    InCredit => t("arrears.bucket.in_credit"),
});

crate::choice!(pb::MovementKind {
    Shipment => t("statement.kind.shipment"),
    Deduction => t("statement.kind.deduction"),
    Payment => t("statement.kind.payment"),
    Reversal => t("statement.kind.reversal"),
    WriteOff => t("statement.kind.write_off"),
    WriteOffReversal => t("statement.kind.write_off_reversal"),
});

/// The sub-tabs, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Payments,
    Invoices,
    Statement,
    Arrears,
    WriteOffs,
}

impl PermittedTab for Tab {
    const ALL: &'static [Tab] = &[
        Tab::Payments,
        Tab::Invoices,
        Tab::Statement,
        Tab::Arrears,
        Tab::WriteOffs,
    ];

    fn permission(self) -> Permission {
        match self {
            Tab::Payments | Tab::Invoices | Tab::Statement | Tab::WriteOffs => {
                Permission::FinanceRead
            }
            Tab::Arrears => Permission::ArrearsRead,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Payments => t("finance.tab.payments"),
            Tab::Invoices => t("finance.tab.invoices"),
            Tab::Statement => t("finance.tab.statement"),
            Tab::WriteOffs => t("finance.tab.write_offs"),
            Tab::Arrears => t("finance.tab.arrears"),
        }
    }
}

/// The finance module. Each tab keeps its state (filters, a form being filled) while
/// another is shown.
pub struct FinancePanel {
    tab: Option<Tab>,
    payments: payments::PaymentsPanel,
    invoices: invoices::InvoicesPanel,
    statement: statement::StatementPanel,
    write_offs: write_offs::WriteOffRegister,
    arrears: arrears::ArrearsPanel,
}

impl FinancePanel {
    /// The module, on the first tab the user may see.
    pub fn new(ctx: &AppCtx) -> FinancePanel {
        FinancePanel {
            tab: Tab::first(ctx),
            payments: payments::PaymentsPanel::default(),
            invoices: invoices::InvoicesPanel::default(),
            statement: statement::StatementPanel::default(),
            write_offs: write_offs::WriteOffRegister::default(),
            arrears: arrears::ArrearsPanel::default(),
        }
    }
}

impl FinancePanel {
    /// The tab is shown again (switched to, or the module opened): what it shows is read
    /// again, since payments, invoices, shipments and reversals made meanwhile (here or by
    /// others) change the lists, balances and ageing. The previous figures stay until the
    /// new ones arrive; a statement is run again as it was last run.
    fn shown_again(&mut self, ctx: &AppCtx) {
        match self.tab {
            Some(Tab::Payments) => self.payments.refresh(),
            Some(Tab::Invoices) => self.invoices.refresh(),
            Some(Tab::Statement) => self.statement.rerun(ctx),
            Some(Tab::WriteOffs) => self.write_offs.refresh(),
            Some(Tab::Arrears) => self.arrears.refresh(),
            None => {}
        }
    }
}

impl Unsaved for FinancePanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.payments.is_dirty()
            || self.invoices.is_dirty()
            || self.statement.is_dirty()
            || self.write_offs.is_dirty()
    }
}

impl ModulePanel for FinancePanel {
    fn module(&self) -> Module {
        Module::Finance
    }

    fn open(&mut self, target: &Navigate, ctx: &AppCtx) {
        // The module's main screen: the tab shown last, or the first one allowed.
        if let Navigate::Module(Module::Finance) = target {
            if self.tab.is_none() {
                self.tab = Tab::first(ctx);
            }
            self.shown_again(ctx);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let before = self.tab;
        // The tab shown clicked again goes back to its list (from a payment, the form).
        if widgets::tab_bar(ui, ctx, &mut self.tab) {
            match self.tab {
                Some(Tab::Payments) => self.payments.back_to_list(),
                Some(Tab::Invoices) => self.invoices.back_to_list(),
                _ => {}
            }
        }
        if self.tab != before {
            self.shown_again(ctx);
        }
        ui.separator();
        match self.tab {
            Some(Tab::Payments) => self.payments.ui(ui, ctx),
            Some(Tab::Invoices) => self.invoices.ui(ui, ctx),
            Some(Tab::Statement) => self.statement.ui(ui, ctx),
            Some(Tab::WriteOffs) => self.write_offs.ui(ui, ctx),
            Some(Tab::Arrears) => self.arrears.ui(ui, ctx),
            None => {
                ui.label(t("shell.no_modules"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Values

/// An amount as typed, for the server: its exact wire form (`1000` → `1000.00`) when it
/// reads as one (also with thousands separators as the screens show amounts, `1,000.50`
/// pasted from a list), else the text as typed, so that the server names the field with
/// its own sentence (`12,5` is not read as 12.5 nor as 125). Empty stays empty (an
/// optional amount such as a credit limit).
pub(crate) fn amount_input(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    money::parse_amount(text).map_or_else(|_| text.to_owned(), |value| money::to_wire(&value))
}

/// An amount from the server (CNY, as the wire writes it); 0 when empty.
fn wire_amount(amount: &str) -> Decimal {
    amount.trim().parse::<Decimal>().unwrap_or_default()
}

/// Whether an amount from the server is more than zero.
pub(crate) fn is_positive(amount: &str) -> bool {
    wire_amount(amount) > Decimal::ZERO
}

/// Whether an amount from the server is below zero (a red invoice).
fn is_negative(amount: &str) -> bool {
    wire_amount(amount) < Decimal::ZERO
}

/// The options of a rep filter (from `ListReps`): `first` (any, or the default), then
/// each rep with their department, as the rep pickers show them (the disabled said so).
fn rep_choices(reps: &Requested<Vec<pb::UserRef>>, first: &str) -> Vec<(i64, String)> {
    let mut options = vec![(0, first.to_owned())];
    options.extend(crate::customers::rep_options(reps, 0));
    options
}

/// Whom a rep list asks `ListReps` for.
#[derive(Clone, Copy)]
enum RepRole {
    /// Sales reps at work (the customer's rep: arrears).
    Sales,
    /// Everyone who may be or may have been a 经手人, the disabled last (spec:
    /// "Handler (经手人)": a document's credited rep, a payment's collector).
    Handlers,
}

/// Asks for the people of `role` once (the pickers and filters), for those who may read
/// customers.
fn load_reps(reps: &mut Requested<Vec<pb::UserRef>>, ctx: &AppCtx, role: RepRole) {
    if reps.is_not_requested() && ctx.can(Permission::CustomerRead) {
        let role = match role {
            RepRole::Sales => "sales",
            RepRole::Handlers => "handlers",
        };
        crate::customers::request_reps(reps, ctx, role);
    }
    reps.poll();
}

// ---------------------------------------------------------------------------------------
// Filters and form pieces

/// A document list's number search and period, as typed: the filters 回款 and 开票 share.
#[derive(Clone, Debug, PartialEq, Default)]
pub(super) struct NumberAndPeriod {
    /// Any part of a document's number (its bank reference too, for a payment).
    pub number: String,
    pub date_from: String,
    pub date_to: String,
}

/// What a [`NumberAndPeriod`] asks for: the number trimmed, the dates as the wire takes
/// them.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct NumberAndPeriodKey {
    pub number: String,
    pub date_from: String,
    pub date_to: String,
}

impl NumberAndPeriod {
    pub fn key(&self) -> NumberAndPeriodKey {
        NumberAndPeriodKey {
            number: self.number.trim().to_owned(),
            date_from: widgets::date_filter_key(&self.date_from),
            date_to: widgets::date_filter_key(&self.date_to),
        }
    }

    /// Whether each date typed reads as one (an empty one is an open end): a period half
    /// typed ("2026-09") is not exported as if it were open.
    pub fn dates_valid(&self) -> bool {
        widgets::filter_dates_read(&[&self.date_from, &self.date_to])
    }

    /// The search box (`label`, `hint`, `width` points: a whole number in sight) and the
    /// period, its two ends kept on one row (`from` labelling its start; egui ids from
    /// `id`), in a filter bar; what to say under the bar of a date that does not read
    /// ([`widgets::unread_dates_ui`]).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        id: &str,
        (label, hint, width): (&str, &str, f32),
        from: &str,
    ) -> Vec<String> {
        widgets::search_field(ui, label, hint, width, &mut self.number);
        widgets::period_filter(
            ui,
            id,
            (from, &mut self.date_from),
            (t("finance.date_to"), &mut self.date_to),
        )
    }
}

/// The export of a register titled `title` (回款记录) filtered by `named` (the write-off
/// kind, the customer's name, the invoices' order: what the server's name says of the
/// filter) and to `period`: every match of `report` (its list's request, unpaged),
/// offered under the name the server gives the file —
/// "回款记录_长沙市第一医院_2026-11-01_2026-11-30.xlsx", "回款记录_2026-11-01 起.xlsx",
/// "回款记录_至 2026-11-30.xlsx", or the day exported on when no date is given — and held
/// back while a date typed does not read (the list ignores it meanwhile).
fn register_export_ui(
    ui: &mut egui::Ui,
    ctx: &AppCtx,
    export: &mut ExportBar,
    (title, named, period): (&str, &[&str], &NumberAndPeriod),
    report: impl FnOnce() -> pb::export_request::Report,
) {
    let NumberAndPeriodKey {
        date_from, date_to, ..
    } = period.key();
    let name = crate::reports::export::register_file_name(title, named, (&date_from, &date_to));
    let report = period.dates_valid().then(report);
    export.ui(ui, ctx, report, &name);
}

/// "合计：1,234.00" and similar, strong, in a row that wraps between them, never inside
/// one ("未回" / "款：24.69").
pub(crate) fn totals_line(ui: &mut egui::Ui, totals: &[(&str, &str)]) {
    ui.horizontal_wrapped(|ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        for (label, amount) in totals {
            ui.label(RichText::new(label_value(label, &format::money(amount))).strong());
            ui.add_space(12.0);
        }
    });
}

/// What a customer owes by `ageing`: "当前欠款 1,200.00，其中逾期 200.00；预收 0.00", or that
/// they owe nothing (nothing outstanding, nothing on account).
pub(crate) fn owes_text(ageing: &pb::Ageing) -> String {
    if wire_amount(&ageing.outstanding).is_zero() && wire_amount(&ageing.on_account).is_zero() {
        return t("finance.owes_nothing").to_owned();
    }
    let overdue = [
        &ageing.days_1_to_30,
        &ageing.days_31_to_60,
        &ageing.days_61_to_90,
        &ageing.over_90_days,
    ]
    .into_iter()
    .map(|a| wire_amount(a))
    .sum::<Decimal>();
    t("finance.owes")
        .replace("{outstanding}", &format::money(&ageing.outstanding))
        .replace("{overdue}", &format::money(&money::to_wire(&overdue)))
        .replace("{on_account}", &format::money(&ageing.on_account))
}

// ---------------------------------------------------------------------------------------
// Tables

/// A customer's open items (未结明细): what they owe ([`owes_text`]) and its ageing, then
/// each shipment still owed on, oldest due first, the overdue ones red; returns the order
/// of the row clicked.
pub fn open_items_ui(ui: &mut egui::Ui, id_salt: &str, open: &pb::OpenItems) -> Option<i64> {
    if let Some(ageing) = &open.ageing {
        ui.strong(owes_text(ageing));
        ageing_table(ui, &format!("{id_salt}_ageing"), ageing);
    }
    if open.items.is_empty() {
        ui.weak(t("finance.open_items.none"));
        return None;
    }
    ui.add_space(6.0);
    let rows = &open.items;
    let red = |i: &pb::OpenItem| (i.days_overdue > 0).then_some(widgets::ERROR);
    let text = |f: fn(&pb::OpenItem) -> String| -> Vec<Cell> {
        rows.iter().map(|i| Cell::coloured(f(i), red(i))).collect()
    };
    let columns = [
        TableColumn::text(t("shipment.number"), text(|i| i.shipment_number.clone())),
        TableColumn::text(t("order.number"), text(|i| i.order_number.clone())),
        TableColumn::text(t("shipment.ship_date"), text(|i| i.ship_date.clone())),
        TableColumn::text(t("statement.due_date"), text(|i| i.due_date.clone())),
        TableColumn::text(
            t("arrears.days_overdue_header"),
            text(|i| {
                if i.days_overdue > 0 {
                    i.days_overdue.to_string()
                } else {
                    t("finance.open_items.not_due").to_owned()
                }
            }),
        ),
        TableColumn::money(t("finance.open_items.amount"), text(|i| i.amount.clone())),
        TableColumn::money(
            t("finance.open_items.outstanding"),
            text(|i| i.outstanding.clone()),
        ),
    ];
    DataTable::new(id_salt, &columns)
        .clickable()
        .show(ui)
        .map(|i| rows[i].order_id)
}

/// The ageing of `ageing` as a one-row table: not yet due, the four overdue buckets, the
/// outstanding total, credit on account and the balance. Overdue buckets with anything in
/// them are red.
fn ageing_table(ui: &mut egui::Ui, id_salt: &str, ageing: &pb::Ageing) {
    let red = |amount: &str| is_positive(amount).then_some(widgets::ERROR);
    let cell = |amount: &str, colour: Option<Color32>| vec![Cell::coloured(amount, colour)];
    let columns = [
        TableColumn::money(t("finance.ageing.not_due"), cell(&ageing.not_due, None)),
        TableColumn::money(
            t("finance.ageing.days_1_to_30"),
            cell(&ageing.days_1_to_30, red(&ageing.days_1_to_30)),
        ),
        TableColumn::money(
            t("finance.ageing.days_31_to_60"),
            cell(&ageing.days_31_to_60, red(&ageing.days_31_to_60)),
        ),
        TableColumn::money(
            t("finance.ageing.days_61_to_90"),
            cell(&ageing.days_61_to_90, red(&ageing.days_61_to_90)),
        ),
        TableColumn::money(
            t("finance.ageing.over_90_days"),
            cell(&ageing.over_90_days, red(&ageing.over_90_days)),
        ),
        TableColumn::money(
            t("finance.ageing.outstanding"),
            cell(&ageing.outstanding, None),
        ),
        TableColumn::money(
            t("finance.ageing.on_account"),
            cell(&ageing.on_account, None),
        ),
        TableColumn::money(t("finance.ageing.balance"), cell(&ageing.balance, None)),
    ];
    DataTable::new(id_salt, &columns)
        .styles(&[RowStyle::Strong])
        .show(ui);
}

/// Whether the user lists a customer's invoices and payments: finance, and those who
/// collect its arrears ([`pharmacrm_shared::CUSTOMER_MONEY_HISTORY`]).
pub fn reads_money_history(ctx: &AppCtx) -> bool {
    pharmacrm_shared::CUSTOMER_MONEY_HISTORY
        .iter()
        .any(|p| ctx.can(*p))
}

/// What of an order's 财务 block is open under its lists: an invoice (drawn from the
/// block's own rows) or a payment (read by its number when clicked: the block carries only
/// its part in the order, not where the rest of it went).
#[derive(Default)]
pub struct OrderFinanceOpen {
    invoice: Option<i64>,
    payment: Option<i64>,
    /// The payment clicked, as read (ListPayments by its number).
    read: Requested<pb::ListPaymentsResponse>,
}

impl OrderFinanceOpen {
    /// Polls the payment's read.
    pub fn poll(&mut self) {
        self.read.poll();
    }

    /// Reads payment `number` of customer `customer_id` (clicked in the block; the list's
    /// search finds it among the customer's whose number or bank reference holds it, its id
    /// picks it).
    pub fn read_payment(&mut self, ctx: &AppCtx, customer_id: i64, number: String) {
        self.read
            .request(ctx.finance().list_payments(pb::ListPaymentsRequest {
                customer_id: Some(customer_id),
                number,
                ..Default::default()
            }));
    }
}

/// The money of an order (the order view's 财务 block): shipped, deducted, net, invoiced,
/// not yet invoiced (split by invoicing entity, `by_entity`, when its goods went out under
/// more than one), paid and outstanding, then the invoices covering it and the payments
/// that paid it. A click on an invoice opens it below the list, a second closes it; so
/// on a payment with `read_payments` (one who may list the customer's payments,
/// [`pharmacrm_shared::CUSTOMER_MONEY_HISTORY`]), which returns the number of the payment
/// to read then ([`OrderFinanceOpen::read_payment`]).
pub fn order_finance_ui(
    ui: &mut egui::Ui,
    finance: &pb::OrderFinance,
    by_entity: &[pb::EntityAmount],
    open: &mut OrderFinanceOpen,
    read_payments: bool,
) -> Option<String> {
    let mut read = None;
    let over_invoiced = finance.not_invoiced.trim().strip_prefix('-');
    ui.strong(t("finance.order.title"));
    ui.horizontal_wrapped(|ui| {
        // Wrapped between the amounts, never inside one.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        for (label, amount, split) in [
            (t("finance.order.shipped"), finance.shipped.as_str(), false),
            (
                t("finance.order.deducted"),
                finance.deducted.as_str(),
                false,
            ),
            (t("finance.order.net"), finance.net.as_str(), false),
            (
                t("finance.order.invoiced"),
                finance.invoiced.as_str(),
                false,
            ),
            // Invoiced past the net: nothing is left to invoice; the warning below says
            // by how much it went past.
            (
                t("finance.order.not_invoiced"),
                if over_invoiced.is_some() {
                    "0.00"
                } else {
                    finance.not_invoiced.as_str()
                },
                true,
            ),
            (t("finance.order.paid"), finance.paid.as_str(), false),
        ] {
            let mut text = label_value(label, &format::money(amount));
            if split && by_entity.len() > 1 {
                // "未开票：151.90（华康医药有限公司 71.00、华康医药（湖南）有限公司 80.90）"
                let parts: Vec<String> = by_entity
                    .iter()
                    .map(|e| format!("{} {}", e.invoicing_entity_name, format::money(&e.amount)))
                    .collect();
                text = bracketed(&text, &parts.join(list_separator()));
            }
            ui.label(text);
            ui.add_space(12.0);
        }
        // Only when something was written off: paid and outstanding then do not add up
        // to the net without it.
        if is_positive(&finance.written_off) {
            ui.label(label_value(
                t("finance.order.written_off"),
                &format::money(&finance.written_off),
            ));
            ui.add_space(12.0);
        }
        let outstanding = RichText::new(label_value(
            t("finance.order.outstanding"),
            &format::money(&finance.outstanding),
        ))
        .strong();
        ui.label(if is_positive(&finance.outstanding) {
            outstanding.color(widgets::WARNING)
        } else {
            outstanding
        });
    });
    // Invoiced past the net (a deduction after invoicing): a red invoice for the part
    // puts it right (票、账一致).
    if let Some(over) = over_invoiced {
        ui.label(
            RichText::new(
                t("finance.order.over_invoiced").replace("{amount}", &format::money(over)),
            )
            .color(widgets::WARNING),
        );
    }
    if !finance.invoices.is_empty() {
        let clicked = invoices_table(
            ui,
            &format!("order_invoices_{}", finance.order_id),
            &finance.invoices,
            false,
            Some(finance.order_id),
            open.invoice,
            None,
        );
        if let Some(i) = clicked {
            let id = finance.invoices[i].id;
            open.invoice = (open.invoice != Some(id)).then_some(id);
        }
        let invoice = (open.invoice).and_then(|id| finance.invoices.iter().find(|i| i.id == id));
        if let Some(invoice) = invoice {
            ui.group(|ui| invoice_detail_ui(ui, invoice));
        }
    }
    // The payments that paid it: 已回款 by payment (one reversed since greyed, with what
    // it had paid).
    if !finance.payments.is_empty() {
        let rows = &finance.payments;
        let columns = [
            TableColumn::text(
                t("payment.number"),
                widgets::cells(rows, |p| p.number.clone()),
            ),
            TableColumn::text(
                t("payment.date"),
                widgets::cells(rows, |p| p.payment_date.clone()),
            ),
            TableColumn::money(
                t("finance.order.payment_part"),
                widgets::cells(rows, |p| p.amount.clone()),
            ),
            TableColumn::text(
                t("payment.status"),
                widgets::cells(rows, |p| payments::status_of(p.reversed).to_owned()),
            ),
        ];
        let styles = widgets::row_styles(rows, open.payment, |p| (p.payment_id, p.reversed));
        let id_salt = format!("order_payments_{}", finance.order_id);
        let table = DataTable::new(&id_salt, &columns).styles(&styles);
        if !read_payments {
            table.show(ui);
            return None;
        }
        if let Some(i) = table.clickable().show(ui) {
            let id = rows[i].payment_id;
            open.payment = (open.payment != Some(id)).then_some(id);
            if open.payment.is_some() {
                read = Some(rows[i].number.clone());
            }
        }
        if let Some(id) = open.payment {
            widgets::request_status(ui, &open.read);
            let payments = open.read.value().map(|r| r.payments.as_slice());
            if let Some(payment) = payments.unwrap_or_default().iter().find(|p| p.id == id) {
                ui.group(|ui| payment_detail_ui(ui, payment));
            }
        }
    }
    read
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::{OrderFinanceOpen, amount_input, order_finance_ui};
    use pharmacrm_shared::pb;

    /// `finance` as the order view draws it, 900 wide.
    fn drawn(finance: pb::OrderFinance) -> Harness<'static> {
        let mut open = OrderFinanceOpen::default();
        Harness::builder()
            .with_size([900.0, 300.0])
            .build_ui(move |ui| {
                crate::fonts::install_once(ui.ctx());
                order_finance_ui(ui, &finance, &[], &mut open, false);
            })
    }

    /// An order invoiced past its net (a deduction after invoicing) has nothing left to
    /// invoice: 未开票 says 0.00, not a negative amount, and the warning names the
    /// difference to put right with a red invoice.
    #[test]
    fn an_order_invoiced_past_its_net_shows_nothing_left_to_invoice_and_the_difference() {
        let finance = pb::OrderFinance {
            order_id: 7,
            shipped: "100.00".into(),
            deducted: "20.00".into(),
            net: "80.00".into(),
            invoiced: "100.00".into(),
            not_invoiced: "-20.00".into(),
            paid: "0.00".into(),
            outstanding: "80.00".into(),
            ..Default::default()
        };
        let harness = drawn(finance);
        harness.get_by_label("未开票：0.00");
        assert!(harness.query_by_label_contains("-20.00").is_none());
        harness.get_by_label_contains("已开票金额超过应收净额 20.00");
    }

    /// An order lists the payments that paid it, with their part, one reversed since
    /// said so.
    #[test]
    fn an_order_lists_the_payments_that_paid_it() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let payment = |number: &str, amount: &str, reversed| pb::OrderPayment {
            payment_id: 1,
            number: number.into(),
            payment_date: "2026-11-20".into(),
            amount: amount.into(),
            reversed,
        };
        let finance = pb::OrderFinance {
            order_id: 7,
            paid: "50.00".into(),
            payments: vec![
                payment("PY20261120-0001", "30.00", true),
                payment("PY20261120-0002", "50.00", false),
            ],
            ..Default::default()
        };
        let harness = drawn(finance);
        harness.get_by_label("本单回款");
        harness.get_by_label("PY20261120-0002");
        harness.get_by_label("已冲销");
        harness.get_by_label("正常");
    }

    /// A click on an invoice of the order opens it below the list (as printed, code then
    /// number, with the orders it covers); a second click closes it.
    #[test]
    fn an_invoice_of_the_order_opens_below_the_list_and_closes_again() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let finance = pb::OrderFinance {
            order_id: 7,
            invoices: vec![pb::Invoice {
                id: 3,
                code: "1100261130".into(),
                number: "04419001".into(),
                invoice_date: "2026-11-30".into(),
                amount: "80.00".into(),
                customer_name: "北京协和医院".into(),
                orders: vec![pb::InvoiceOrder {
                    order_id: 7,
                    order_number: "SO20261120-0001".into(),
                    amount: "80.00".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut harness = drawn(finance);
        assert!(harness.query_by_label("1100261130 04419001").is_none());
        harness.get_by_label("04419001").click();
        harness.run();
        harness.get_by_label("1100261130 04419001");
        harness.get_by_label("北京协和医院");
        harness.get_by_label("04419001").click();
        harness.run();
        assert!(harness.query_by_label("1100261130 04419001").is_none());
    }

    #[test]
    fn amounts_are_read_as_the_screens_show_them() {
        assert_eq!(amount_input("1000"), "1000.00");
        assert_eq!(amount_input(" 1,000 "), "1000.00");
        assert_eq!(amount_input("1,727.03"), "1727.03");
        assert_eq!(amount_input("12,345,678.5"), "12345678.50");
        // Not thousands separators: sent as typed, for the server to name the field.
        assert_eq!(amount_input("12,5"), "12,5");
        assert_eq!(amount_input("1,00"), "1,00");
        assert_eq!(amount_input("1000,000"), "1000,000");
        assert_eq!(amount_input(",100"), ",100");
        assert_eq!(amount_input(""), "");
    }
}
