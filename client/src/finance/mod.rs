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

use egui::scroll_area::ScrollBarVisibility;
use egui::{Align, Color32, Layout, RichText};
use egui_extras::Column;
use pharmacrm_shared::money::{self, Decimal};
use pharmacrm_shared::{Module, Permission, pb};

use crate::backend::Requested;
use crate::ctx::{AppCtx, Navigate};
use crate::format;
use crate::i18n::{bracketed, label_value, list_separator, t};
use crate::shell::ModulePanel;
use crate::widgets::{self, PermittedTab, Unsaved};

pub use arrears::ArrearsWork;
pub use invoices::{invoice_detail_ui, invoices_table};
pub use payments::{payment_detail_ui, payments_table};

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
});

/// The sub-tabs, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Payments,
    Invoices,
    Statement,
    Arrears,
}

impl PermittedTab for Tab {
    const ALL: &'static [Tab] = &[Tab::Payments, Tab::Invoices, Tab::Statement, Tab::Arrears];

    fn permission(self) -> Permission {
        match self {
            Tab::Payments | Tab::Invoices | Tab::Statement => Permission::FinanceRead,
            Tab::Arrears => Permission::ArrearsRead,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Payments => t("finance.tab.payments"),
            Tab::Invoices => t("finance.tab.invoices"),
            Tab::Statement => t("finance.tab.statement"),
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
            Some(Tab::Arrears) => self.arrears.refresh(),
            None => {}
        }
    }
}

impl Unsaved for FinancePanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.payments.is_dirty() || self.invoices.is_dirty() || self.statement.is_dirty()
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
        widgets::tab_bar(ui, ctx, &mut self.tab);
        if self.tab != before {
            self.shown_again(ctx);
        }
        ui.separator();
        match self.tab {
            Some(Tab::Payments) => self.payments.ui(ui, ctx),
            Some(Tab::Invoices) => self.invoices.ui(ui, ctx),
            Some(Tab::Statement) => self.statement.ui(ui, ctx),
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
/// reads as one, also with thousands separators as the screens show amounts (`1,000.50`,
/// pasted from a list), else the text as typed, so that the server names the field with
/// its own sentence (`12,5` is not read as 12.5 nor as 125). Empty stays empty (an
/// optional amount such as a credit limit).
pub(crate) fn amount_input(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let ungrouped = ungroup(text);
    money::parse_amount(ungrouped.as_deref().unwrap_or(text))
        .map_or_else(|_| text.to_owned(), |value| money::to_wire(&value))
}

/// `1,234,567.5` without its thousands separators, when every group after the first has
/// three digits (`None` otherwise, and when there are none).
fn ungroup(text: &str) -> Option<String> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (rest, None),
    };
    let mut groups = int.split(',');
    let first = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    let digits = |g: &str| g.chars().all(|c| c.is_ascii_digit());
    let well_grouped = !rest.is_empty()
        && (1..=3).contains(&first.len())
        && digits(first)
        && rest.iter().all(|g| g.len() == 3 && digits(g));
    well_grouped.then(|| {
        let mut out = format!("{sign}{first}{}", rest.concat());
        if let Some(frac) = frac {
            out.push('.');
            out.push_str(frac);
        }
        out
    })
}

/// Whether an amount from the server is more than zero.
fn is_positive(amount: &str) -> bool {
    amount
        .trim()
        .parse::<Decimal>()
        .is_ok_and(|value| value > Decimal::ZERO)
}

/// Whether an amount from the server is below zero (a red invoice).
fn is_negative(amount: &str) -> bool {
    amount
        .trim()
        .parse::<Decimal>()
        .is_ok_and(|value| value < Decimal::ZERO)
}

/// A person's name, or "" when none.
fn person(user: Option<&pb::UserRef>) -> &str {
    user.map_or("", |u| u.name.as_str())
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

/// A labelled customer picker in a wrapping filter bar.
fn customer_filter(ui: &mut egui::Ui, ctx: &AppCtx, picker: &mut crate::orders::CustomerPicker) {
    widgets::keep_together(ui, t("finance.customer"), 160.0);
    let label = ui.label(t("finance.customer"));
    picker.ui(ui, ctx).labelled_by(label.id);
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

// ---------------------------------------------------------------------------------------
// Tables

/// One cell of a [`money_table`]: a text, or for a money column an amount as the server
/// sends it (empty for none); in `colour` when given.
#[derive(Clone, Debug, Default)]
struct Cell {
    text: String,
    colour: Option<Color32>,
}

impl Cell {
    /// A cell in the row's colour.
    fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            colour: None,
        }
    }

    /// A cell in `colour` when given.
    fn coloured(text: impl Into<String>, colour: Option<Color32>) -> Cell {
        Cell {
            text: text.into(),
            colour,
        }
    }
}

/// The cells of a column: `text` of each row.
fn cells<T>(rows: &[T], text: impl Fn(&T) -> String) -> Vec<Cell> {
    rows.iter().map(|row| Cell::new(text(row))).collect()
}

/// A column of a [`money_table`].
struct TableColumn<'a> {
    header: &'a str,
    /// Amounts: right-aligned under a right-aligned header, on their decimal point.
    money: bool,
    /// One cell per row.
    cells: Vec<Cell>,
    /// The server's sort key (a wire enum's number) of a sortable column, and whether a
    /// first click sorts it largest first.
    sort: Option<(i32, bool)>,
}

impl<'a> TableColumn<'a> {
    /// A column of text.
    fn text(header: &'a str, cells: Vec<Cell>) -> Self {
        TableColumn {
            header,
            money: false,
            cells,
            sort: None,
        }
    }

    /// A column of amounts.
    fn money(header: &'a str, cells: Vec<Cell>) -> Self {
        TableColumn {
            header,
            money: true,
            cells,
            sort: None,
        }
    }

    /// The column sorted by `key` on the server, its header a button; a first click sorts
    /// it largest first when `largest_first` (amounts), else smallest (names, dates).
    fn sorted_by(self, key: i32, largest_first: bool) -> Self {
        TableColumn {
            sort: Some((key, largest_first)),
            ..self
        }
    }
}

/// How a whole row of a [`money_table`] is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum RowStyle {
    #[default]
    Normal,
    /// Greyed (a reversed payment).
    Weak,
    /// Bold (a totals row).
    Strong,
    /// Highlighted (the row whose details show below).
    Selected,
}

impl RowStyle {
    fn paint(self, text: RichText, colour: Option<Color32>) -> RichText {
        let text = match colour {
            Some(colour) => text.color(colour),
            None => text,
        };
        match self {
            RowStyle::Normal | RowStyle::Selected => text,
            RowStyle::Weak => text.weak(),
            RowStyle::Strong => text.strong(),
        }
    }
}

/// A table of text and money columns, each as wide as its widest cell (within bounds),
/// amounts right-aligned on their decimal point; `styles` gives each row's style (normal
/// when missing). With `clickable`, the whole row is the click target and the row clicked
/// is returned. `max_height` bounds a table that scrolls itself; `None` draws every row
/// in the enclosing scroll area. With `sort`, the headers of columns
/// [`TableColumn::sorted_by`] a key are buttons that set it (the caller asks the server
/// again).
fn money_table(
    ui: &mut egui::Ui,
    id_salt: &str,
    columns: &[TableColumn<'_>],
    styles: &[RowStyle],
    clickable: bool,
    max_height: Option<f32>,
    sort: Option<&mut widgets::Sort>,
) -> Option<usize> {
    let rows = columns.first().map_or(0, |c| c.cells.len());
    // What each cell shows: amounts padded to their column's decimals.
    let shown: Vec<Vec<String>> = columns
        .iter()
        .map(|c| {
            if c.money {
                let decimals = widgets::money_decimals(
                    c.cells
                        .iter()
                        .map(|x| x.text.as_str())
                        .filter(|x| !x.is_empty()),
                );
                c.cells
                    .iter()
                    .map(|x| {
                        if x.text.is_empty() {
                            String::new()
                        } else {
                            widgets::money_text(&x.text, decimals)
                        }
                    })
                    .collect()
            } else {
                c.cells.iter().map(|x| x.text.clone()).collect()
            }
        })
        .collect();
    let mut widths: Vec<f32> = columns
        .iter()
        .zip(&shown)
        .map(|(c, texts)| {
            let (style, min, max) = if c.money {
                (egui::TextStyle::Monospace, 72.0, 200.0)
            } else {
                (egui::TextStyle::Body, 48.0, 280.0)
            };
            let texts = texts.iter().map(String::as_str);
            let width = widgets::fit_width_plain(ui, c.header, texts, style, min, max);
            if c.sort.is_some() && sort.is_some() {
                // The header is a button with room for its arrow.
                width.max(widgets::fit_width(ui, c.header, [], min, max))
            } else {
                width
            }
        })
        .collect();
    // In a narrow window long names give way (cut with "…", whole on hover) before a
    // column of amounts is pushed out of sight; a hospital's name keeps its first nine
    // characters or so, the rest of a wide table scrolls sideways. A header is never cut
    // (it has no hover): a column whose header is wider than that keeps its width.
    const NAME_FLOOR: f32 = 140.0;
    let narrowable: Vec<bool> = columns
        .iter()
        .map(|c| {
            let header =
                widgets::fit_width_plain(ui, c.header, [], egui::TextStyle::Body, 0.0, f32::MAX);
            !c.money && header <= NAME_FLOOR
        })
        .collect();
    widgets::narrow_to_fit(
        &mut widths,
        &narrowable,
        ui.spacing().item_spacing.x,
        ui.available_width(),
        NAME_FLOOR,
    );
    let mut clicked = None;
    let current = sort.as_deref().copied();
    let mut resort = None;
    // A header: a sort button when the column sorts, else bold text.
    let mut header_cell = |ui: &mut egui::Ui, c: &TableColumn<'_>| match (current, c.sort) {
        (Some(current), Some((key, largest_first))) => {
            if current.button(ui, c.header, key) {
                resort = Some((key, largest_first));
            }
        }
        _ => {
            ui.strong(c.header);
        }
    };
    // A table wider than the space scrolls sideways, but its first column (in a list,
    // what each row is: the customer, the number) stays in sight beside the others: two
    // tables side by side, one row height, scrolled down together, the hovered row lit
    // across both.
    let spacing = ui.spacing().item_spacing.x;
    let total = widths.iter().sum::<f32>() + spacing * widths.len().saturating_sub(1) as f32;
    let split = columns.len() > 1 && total > ui.available_width();
    let hover_id = ui.make_persistent_id((id_salt, "hovered_row"));
    let hovered_before: Option<usize> = ui.data(|d| d.get_temp(hover_id));
    let mut hovered_now = None;
    // Draws the columns `part` as a table whose rows scroll within `max_height` (when
    // given) from `offset` (when given), with no scroll bar of its own when `no_bar`;
    // returns where its rows are scrolled to.
    let mut draw = |ui: &mut egui::Ui,
                    id: &str,
                    part: std::ops::Range<usize>,
                    offset: Option<f32>,
                    no_bar: bool|
     -> f32 {
        // Every cell centred vertically, as the right-aligned money cells are.
        let mut builder = widgets::table_builder(ui, id, clickable);
        builder = match max_height {
            Some(height) => builder.max_scroll_height(height.max(100.0)),
            None => builder.vscroll(false),
        };
        if let Some(offset) = offset {
            builder = builder.vertical_scroll_offset(offset);
        }
        if no_bar {
            builder = builder.scroll_bar_visibility(ScrollBarVisibility::AlwaysHidden);
        }
        for width in &widths[part.clone()] {
            builder = builder.column(Column::exact(*width).clip(true));
        }
        builder
            .header(24.0, |mut header| {
                for c in &columns[part.clone()] {
                    header.col(|ui| {
                        if c.money {
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                header_cell(ui, c);
                            });
                        } else {
                            header_cell(ui, c);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(24.0, rows, |mut row| {
                    let i = row.index();
                    let style = styles.get(i).copied().unwrap_or_default();
                    row.set_selected(style == RowStyle::Selected);
                    // The totals row opens nothing: it does not light up as if it did.
                    if style == RowStyle::Strong {
                        row.set_hovered(false);
                    } else if split && hovered_before == Some(i) {
                        row.set_hovered(true);
                    }
                    for (c, texts) in columns[part.clone()].iter().zip(&shown[part.clone()]) {
                        let colour = c.cells.get(i).and_then(|x| x.colour);
                        let text = texts.get(i).map_or("", String::as_str);
                        row.col(|ui| {
                            let colour = match style {
                                RowStyle::Selected => {
                                    colour.map(|c| widgets::on_selection(ui.visuals(), c))
                                }
                                _ => colour,
                            };
                            let text = style.paint(RichText::new(text), colour);
                            if c.money {
                                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                    ui.label(text.monospace());
                                });
                            } else {
                                ui.add(egui::Label::new(text).truncate());
                            }
                        });
                    }
                    let response = row.response();
                    if response.clicked() {
                        clicked = Some(i);
                    }
                    if response.hovered() {
                        hovered_now = Some(i);
                    }
                });
            })
            .state
            .clamped_offset()
            .y
    };
    if split {
        // Each half scrolls its own rows under its own header (the first half's bar
        // hidden: the other's serves both). Where the user scrolls one, the other is put
        // the next frame; a half already there is left alone, so that its own scrolling
        // (the wheel, a drag) takes.
        let offsets_id = ui.make_persistent_id((id_salt, "rows_offsets"));
        // (where both should be, where each half was last frame)
        let (synced, was): (f32, [f32; 2]) =
            ui.data(|d| d.get_temp(offsets_id)).unwrap_or_default();
        let put = |half: usize| {
            (max_height.is_some() && (was[half] - synced).abs() > 0.5).then_some(synced)
        };
        let rest = 1..columns.len();
        let now = ui
            .horizontal_top(|ui| {
                // As in `widgets::table`: a click on a row's text is a click on the row.
                ui.style_mut().interaction.selectable_labels = false;
                let first = ui
                    .vertical(|ui| draw(ui, &format!("{id_salt}_first"), 0..1, put(0), true))
                    .inner;
                let other = ui
                    .vertical(|ui| {
                        widgets::table(ui, id_salt, |ui| draw(ui, id_salt, rest, put(1), false))
                    })
                    .inner;
                [first, other]
            })
            .inner;
        let synced = now
            .into_iter()
            .find(|offset| (offset - synced).abs() > 0.5)
            .unwrap_or(synced);
        if now.iter().any(|offset| (offset - synced).abs() > 0.5) {
            ui.ctx().request_repaint();
        }
        ui.data_mut(|d| d.insert_temp(offsets_id, (synced, now)));
        if hovered_now != hovered_before {
            ui.ctx().request_repaint();
        }
        ui.data_mut(|d| match hovered_now {
            Some(i) => {
                d.insert_temp(hover_id, i);
            }
            None => d.remove::<usize>(hover_id),
        });
    } else {
        widgets::table(ui, id_salt, |ui| {
            draw(ui, id_salt, 0..columns.len(), None, false);
        });
    }
    if let (Some((key, largest_first)), Some(sort)) = (resort, sort) {
        sort.click(key, largest_first);
    }
    clicked
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
    money_table(
        ui,
        id_salt,
        &columns,
        &[RowStyle::Strong],
        false,
        None,
        None,
    );
}

/// The money of an order (the order view's 财务 block): shipped, deducted, net, invoiced,
/// not yet invoiced (split by invoicing entity, `by_entity`, when its goods went out under
/// more than one), paid and outstanding, then the invoices covering it.
pub fn order_finance_ui(
    ui: &mut egui::Ui,
    finance: &pb::OrderFinance,
    by_entity: &[pb::EntityAmount],
) {
    ui.strong(t("finance.order.title"));
    ui.horizontal_wrapped(|ui| {
        // Wrapped between the amounts, never inside one.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        for (label, amount, split) in [
            (t("finance.order.shipped"), &finance.shipped, false),
            (t("finance.order.deducted"), &finance.deducted, false),
            (t("finance.order.net"), &finance.net, false),
            (t("finance.order.invoiced"), &finance.invoiced, false),
            (t("finance.order.not_invoiced"), &finance.not_invoiced, true),
            (t("finance.order.paid"), &finance.paid, false),
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
    if !finance.invoices.is_empty() {
        invoices_table(
            ui,
            &format!("order_invoices_{}", finance.order_id),
            &finance.invoices,
            false,
            None,
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{Cell, TableColumn, amount_input, money_table};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    /// A table too wide for its 420-point window keeps its first column beside the rest;
    /// the rows scrolled on either half scroll on the other too (only the rows in view are
    /// drawn, so a name or an amount is found only when its row is in view).
    #[test]
    fn a_wide_tables_first_column_scrolls_down_with_the_rest() {
        const ROWS: usize = 100;
        let mut harness = Harness::builder().with_size([420.0, 300.0]).build_ui(|ui| {
            let mut columns = vec![TableColumn::text(
                "Customer",
                (0..ROWS).map(|i| Cell::new(format!("C{i}"))).collect(),
            )];
            for c in 0..6 {
                let amounts = (0..ROWS)
                    .map(|i| Cell::new(format!("{i}.{c:02}")))
                    .collect();
                columns.push(TableColumn::money("Amount", amounts));
            }
            money_table(ui, "wide", &columns, &[], true, Some(200.0), None);
        });
        let wheel = |harness: &mut Harness<'_>, x: f32, down: f32| {
            harness.hover_at(egui::pos2(x, 150.0));
            harness.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -down),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            });
            for _ in 0..30 {
                harness.step();
            }
        };
        let shown = |harness: &Harness<'_>, label: &str| harness.query_by_label(label).is_some();
        harness.run_steps(3);
        assert!(shown(&harness, "C0") && shown(&harness, "0.01"));
        assert!(!shown(&harness, "C40") && !shown(&harness, "40.01"));
        // Scrolled on the amounts: the names follow.
        wheel(&mut harness, 350.0, 1000.0);
        assert!(shown(&harness, "40.01"), "the amounts scrolled");
        assert!(shown(&harness, "C40"), "the names scrolled with them");
        assert!(!shown(&harness, "C0"));
        // Scrolled back on the names: the amounts follow.
        wheel(&mut harness, 30.0, -1000.0);
        assert!(shown(&harness, "C0"), "the names scrolled");
        assert!(shown(&harness, "0.01"), "the amounts scrolled with them");
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
