//! What every report tab is drawn with: the period filter, the filter bar and its run
//! button, the line saying when and within what scope the report ran, the table (its
//! headers sort on the server, a totals row last, the pager under it), the drill-down from
//! provinces to cities, and the export. A tab brings its filters, columns and chart.

use egui::RichText;
use pharmacrm_shared::pb;

use super::ReportRequest;
use super::chart;
use super::export::ExportBar;
use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t};
use crate::widgets::{self, Cell, DataTable, RowStyle, SortState, TableColumn, choice_label};

/// Rows per page of the paged reports.
const PAGE: u32 = 100;

/// Height of the pager under a paged table.
const PAGER_HEIGHT: f32 = 30.0;

/// A table row with the spacing under it (egui's default item spacing).
const ROW_PITCH: f32 = widgets::ROW_HEIGHT + 3.0;

/// The rows (besides the totals row) a table keeps in view however small the window:
/// the chart over it gives way first.
const MIN_ROWS: usize = 5;

/// What a table takes besides its header and rows: its horizontal scroll bar and
/// spacing.
const TABLE_MARGIN: f32 = 16.0;

// ---------------------------------------------------------------------------------------
// Filters

/// A period (business dates) as typed: the last 30 days unless changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Period {
    from: String,
    to: String,
    /// A quick period was just picked: the report runs again at once.
    picked: bool,
    /// The period (as sent) a tab last ran its report for ([`Frame::run_for`]): a tab
    /// showing another runs again when shown ([`Frame::is_stale`]).
    ran: Option<(String, String)>,
}

impl Default for Period {
    fn default() -> Self {
        let (from, to) = preset(Preset::Last30, format::business_today());
        Period {
            from: date_text(from),
            to: date_text(to),
            picked: false,
            ran: None,
        }
    }
}

/// The quick periods, each ending on the business date (or last month's last day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Preset {
    Last30,
    Last90,
    ThisMonth,
    LastMonth,
    ThisYear,
}

impl Preset {
    const ALL: [Preset; 5] = [
        Preset::Last30,
        Preset::Last90,
        Preset::ThisMonth,
        Preset::LastMonth,
        Preset::ThisYear,
    ];

    fn label(self) -> &'static str {
        match self {
            Preset::Last30 => t("report.preset.last_30"),
            Preset::Last90 => t("report.preset.last_90"),
            Preset::ThisMonth => t("report.preset.this_month"),
            Preset::LastMonth => t("report.preset.last_month"),
            Preset::ThisYear => t("report.preset.this_year"),
        }
    }
}

/// The first and last day of `p` as seen on business date `today`.
pub(super) fn preset(
    p: Preset,
    today: chrono::NaiveDate,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    use chrono::{Datelike, Days};
    let first_of_month = today.with_day(1).unwrap_or(today);
    match p {
        Preset::Last30 => (today - Days::new(29), today),
        Preset::Last90 => (today - Days::new(89), today),
        Preset::ThisMonth => (first_of_month, today),
        Preset::LastMonth => {
            let last = first_of_month - Days::new(1);
            (last.with_day(1).unwrap_or(last), last)
        }
        Preset::ThisYear => (today.with_ordinal(1).unwrap_or(today), today),
    }
}

fn date_text(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Period {
    /// The two date filters of a filter bar (what the server says of them goes under the
    /// bar: [`Frame::status_ui`]).
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, salt: &str) {
        widgets::period_filter(
            ui,
            salt,
            (t("report.date_from"), &mut self.from),
            (t("report.date_to"), &mut self.to),
        );
        ui.menu_button(format!("{} ▾", t("report.preset")), |ui| {
            for p in Preset::ALL {
                if ui.button(p.label()).clicked() {
                    let (from, to) = preset(p, format::business_today());
                    self.from = date_text(from);
                    self.to = date_text(to);
                    self.picked = true;
                    ui.close();
                }
            }
        });
    }

    /// Whether a quick period was picked since last asked (the report should run again).
    pub(super) fn take_picked(&mut self) -> bool {
        std::mem::take(&mut self.picked)
    }

    /// The first day as sent: `YYYY-MM-DD` once it reads as a date, else as typed, for
    /// the server to name.
    pub(super) fn date_from(&self) -> String {
        widgets::normalize_date(&self.from)
    }

    /// The last day as sent.
    pub(super) fn date_to(&self) -> String {
        widgets::normalize_date(&self.to)
    }
}

/// A wrapping row of filters (`filters` draws them), then the run button (disabled while
/// a report runs); whether it was clicked, or Enter pressed in one of the filters (as a
/// form's Enter saves).
pub(super) fn filter_bar(
    ui: &mut egui::Ui,
    running: bool,
    filters: impl FnOnce(&mut egui::Ui),
) -> bool {
    // A single-line field gives up the focus on Enter: the one focused as the frame began.
    let focused = ui.memory(|m| m.focused());
    let mut run = false;
    let bar = ui.horizontal_wrapped(|ui| {
        filters(ui);
        run = ui
            .add_enabled(!running, egui::Button::new(t("report.run")))
            .clicked();
    });
    let entered = ui.input(|i| i.key_pressed(egui::Key::Enter))
        && focused
            .and_then(|id| ui.ctx().read_response(id))
            .is_some_and(|field| bar.response.rect.contains_rect(field.rect));
    run || (entered && !running)
}

/// The options of a filter over a [`widgets::Choice`] enum, "全部" (0) first.
pub(super) fn any_or<E: widgets::Choice>() -> Vec<(i32, String)> {
    let mut options = vec![(0, t("report.all").to_owned())];
    options.extend(widgets::choices::<E>());
    options
}

/// The name an export of `report` over `period` proposes, as the server names the file:
/// "药品销售情况_2026-11-01_2026-11-30.xlsx", after the title what tells the export from
/// another of the same report and period ("员工销售业绩_客服_…", "地区销售情况_湖南省_…",
/// "异常反馈情况_客户_…"); a report without a period by the business date
/// ("客户地域分布_2026-12-08.xlsx").
fn file_name(
    title: &str,
    report: Option<&pb::export_request::Report>,
    period: Option<(&str, &str)>,
) -> String {
    use pb::export_request::Report;
    let province =
        |code: &str| pharmacrm_shared::region::name_of(code).map(|name| format!("_{name}"));
    let variant = match report {
        Some(Report::EmployeePerformance(r)) => {
            Some(format!("_{}", widgets::choice_label::<pb::RepRole>(r.role)))
        }
        Some(Report::CustomerDistribution(r)) => province(&r.province_code),
        Some(Report::CustomerConsumption(r)) => province(&r.province_code),
        Some(Report::RegionalSales(r)) => province(&r.province_code),
        Some(Report::Exceptions(r)) => {
            Some(format!("_{}", super::exceptions::group_header(r.group_by)))
        }
        _ => None,
    }
    .unwrap_or_default();
    match period {
        Some((from, to)) => format!("{title}{variant}_{from}_{to}.xlsx"),
        // The distribution, a count of the customers on record: the day it counted them.
        None => format!(
            "{title}{variant}_{}.xlsx",
            crate::format::business_today_text()
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Provinces → cities

/// A regional report's level: every province, or the cities of one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Drill {
    /// The province drilled into: (code, name).
    province: Option<(String, String)>,
}

impl Drill {
    /// The province code to send: empty for every province.
    pub(super) fn code(&self) -> String {
        self.province
            .as_ref()
            .map(|(code, _)| code.clone())
            .unwrap_or_default()
    }

    /// Shows the cities of a province next.
    pub(super) fn enter(&mut self, code: &str, name: &str) {
        self.province = Some((code.to_owned(), name.to_owned()));
    }

    /// Within a province: a button back to every province and the province's name;
    /// at the top: how to drill down. Whether "back" was clicked.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui) -> bool {
        let Some((_, name)) = &self.province else {
            ui.label(RichText::new(t("report.drill_hint")).weak());
            return false;
        };
        let mut back = false;
        ui.horizontal(|ui| {
            back = ui.button(t("report.back_to_provinces")).clicked();
            ui.strong(name.as_str());
        });
        if back {
            self.province = None;
        }
        back
    }
}

/// The rows of a report by region and how to draw them (see [`Drill::regions_ui`]).
pub(super) struct Regions<'a, T> {
    /// The prefix of the chart's and table's ids (`report_regional`).
    pub salt: &'a str,
    pub chart_title: &'a str,
    pub values: chart::Values,
    /// The province of the report shown: empty at the province level.
    pub province_code: &'a str,
    pub rows: &'a [T],
    /// A row's region code and name, and the value charted.
    pub region: fn(&T) -> (&str, &str, f64),
}

impl Drill {
    /// A report by region (not paged: every region is in it): bars of its largest
    /// regions whatever the table's order, then the table, the region ("省份" or "城市")
    /// first and `figures` after it. At the province level a province clicked, by its row
    /// or its bar, is entered: returns whether one was (the report is to run again for
    /// its cities).
    pub(super) fn regions_ui<R: ReportRequest, T>(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        frame: &mut Frame<R>,
        regions: Regions<'_, T>,
        figures: Vec<Column<'_>>,
    ) -> bool {
        let Regions {
            salt,
            chart_title,
            values,
            province_code,
            rows,
            region,
        } = regions;
        let provinces = province_code.is_empty();
        let top = chart::top(rows.iter().map(|r| {
            let (_, name, value) = region(r);
            (name.to_owned(), value)
        }));
        let mut bar_clicked = None;
        if let Some(height) = chart_height(ui, rows.len(), false) {
            bar_clicked = chart::bars(
                ui,
                &format!("{salt}_bars"),
                chart_title,
                &top,
                values,
                height,
            );
        }
        let header = if provinces {
            t("report.province")
        } else {
            t("report.city")
        };
        let mut columns = vec![
            Column::text(header, cells(rows, |r| region(r).1.to_owned()))
                .sorts_by("region")
                .total(t("report.totals")),
        ];
        columns.extend(figures);
        // A province opens its cities.
        let click = if provinces {
            RowClick::Open
        } else {
            RowClick::Nothing
        };
        let row_clicked = frame.table_ui(ui, ctx, &format!("{salt}_table"), &columns, None, click);
        let bar_row = bar_clicked
            .and_then(|i| top.get(i))
            .and_then(|(name, _)| rows.iter().position(|r| region(r).1 == name));
        match row_clicked
            .or(bar_row)
            .filter(|_| provinces)
            .and_then(|i| rows.get(i))
        {
            Some(row) => {
                let (code, name, _) = region(row);
                self.enter(code, name);
                true
            }
            None => false,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The table

/// How a column's cells are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    /// Counts, formatted already: right-aligned.
    Count,
    /// Amounts as the server sends them: right-aligned on their decimal point.
    Money,
}

/// A column of a report table: its header, the sort key its header sets (the keys each
/// request documents), its cells and its cell in the totals row.
pub(super) struct Column<'a> {
    header: &'a str,
    key: Option<&'static str>,
    kind: Kind,
    cells: Vec<String>,
    total: String,
}

impl<'a> Column<'a> {
    fn new(header: &'a str, kind: Kind, cells: Vec<String>) -> Self {
        Column {
            header,
            key: None,
            kind,
            cells,
            total: String::new(),
        }
    }

    /// A column of text.
    pub(super) fn text(header: &'a str, cells: Vec<String>) -> Self {
        Column::new(header, Kind::Text, cells)
    }

    /// A column of counts (as [`count`] writes them).
    pub(super) fn count(header: &'a str, cells: Vec<String>) -> Self {
        Column::new(header, Kind::Count, cells)
    }

    /// A column of amounts (CNY, as the server sends them).
    pub(super) fn money(header: &'a str, cells: Vec<String>) -> Self {
        Column::new(header, Kind::Money, cells)
    }

    /// Its header sorts the report by `key`.
    pub(super) fn sorts_by(mut self, key: &'static str) -> Self {
        self.key = Some(key);
        self
    }

    /// Its cell in the totals row.
    pub(super) fn total(mut self, total: impl Into<String>) -> Self {
        self.total = total.into();
        self
    }
}

/// What a click on a report's row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RowClick {
    /// Nothing.
    Nothing,
    /// Opens what the row is (a customer, a province's cities).
    Open,
    /// Picks the row, which shows lit while picked (`Some(index)` on this page): the drug
    /// whose sales over time the chart shows.
    Pick(Option<usize>),
}

/// The figures most reports give per row and in all: the amount (CNY), the orders and
/// (where the rows are not customers themselves) the customers they come from.
pub(super) struct Sales<'a> {
    pub amount: &'a str,
    pub orders: u64,
    pub customers: Option<u64>,
}

/// A row or a whole report that gives [`Sales`] figures.
pub(super) trait HasSales {
    fn sales(&self) -> Sales<'_>;
}

macro_rules! has_sales {
    ($($t:ty),*) => {
        $(impl HasSales for $t {
            fn sales(&self) -> Sales<'_> {
                Sales {
                    amount: &self.amount,
                    orders: self.orders.into(),
                    customers: Some(self.customers.into()),
                }
            }
        })*
    };
}

has_sales!(
    pb::DrugSalesRow,
    pb::DrugSalesReport,
    pb::EmployeePerformanceRow,
    pb::EmployeePerformanceReport,
    pb::RegionalSalesRow,
    pb::RegionalSalesReport
);

/// The columns 金额, 发货订单数 (orders with a sale in the period) and, when `all` counts
/// customers, 购买客户数 of `rows`, sortable, with the totals `all` (`HasSales::sales`
/// reads them where the rows have them all).
pub(super) fn sales_columns<'a, T>(
    rows: &[T],
    of: impl Fn(&T) -> Sales<'_>,
    all: Sales<'_>,
) -> Vec<Column<'a>> {
    let mut columns = vec![
        Column::money(t("report.amount"), cells(rows, |r| of(r).amount.to_owned()))
            .sorts_by("amount")
            .total(all.amount),
        Column::count(t("report.orders"), cells(rows, |r| count(of(r).orders)))
            .sorts_by("orders")
            .total(count(all.orders)),
    ];
    if let Some(customers) = all.customers {
        columns.push(
            Column::count(
                t("report.customers"),
                cells(rows, |r| count(of(r).customers.unwrap_or_default())),
            )
            .sorts_by("customers")
            .total(count(customers)),
        );
    }
    columns
}

/// The cells of a column: `text` of each row.
pub(super) fn cells<T>(rows: &[T], text: impl Fn(&T) -> String) -> Vec<String> {
    rows.iter().map(text).collect()
}

/// A count with thousands separators.
pub(super) fn count(n: impl Into<u64>) -> String {
    format::count(n.into())
}

/// A count that may be negative (units shipped less units deducted).
pub(super) fn signed(n: i64) -> String {
    let shown = format::count(n.unsigned_abs());
    if n < 0 { format!("-{shown}") } else { shown }
}

/// An amount from the server as a chart value (0 when it does not read).
pub(super) fn value(amount: &str) -> f64 {
    amount.trim().parse().unwrap_or(0.0)
}

/// The order of a report: a column key and direction; none chosen means the report's own
/// order, `default_key` largest first.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sort {
    by: &'static str,
    ascending: bool,
    default_key: &'static str,
}

impl Sort {
    /// The column and direction in force.
    fn current(&self) -> (&'static str, bool) {
        if self.by.is_empty() {
            (self.default_key, false)
        } else {
            (self.by, self.ascending)
        }
    }

    /// As sent: nothing for the report's own order.
    fn to_pb(&self) -> Option<pb::ReportSort> {
        (!self.by.is_empty()).then(|| pb::ReportSort {
            by: self.by.to_owned(),
            ascending: self.ascending,
        })
    }

    /// A header was clicked: the same column turns around; another starts with names in
    /// order, figures and dates largest first.
    fn click(&mut self, key: &'static str) {
        let (by, ascending) = self.current();
        self.ascending = if by == key {
            !ascending
        } else {
            matches!(key, "name" | "region" | "label")
        };
        self.by = key;
    }
}

// ---------------------------------------------------------------------------------------
// The frame

/// One report tab's state besides its filters: the order and page, the report asked for
/// and the one shown, and the export.
pub(super) struct Frame<R: ReportRequest> {
    sort: Sort,
    offset: u32,
    /// The request of the report asked for last, and of the one shown.
    asked: Option<R>,
    shown: Option<R>,
    report: Requested<R::Report>,
    export: ExportBar,
    /// Whether a chart ranks the report's own first page ([`Frame::with_ranking`]).
    ranks: bool,
    /// Whether the report's figures are sales, said under its run line
    /// ([`Frame::of_sales`]).
    sales: bool,
    /// The first page in the report's own order and its request: what the chart ranks,
    /// kept whatever order or page the table shows.
    ranking: Option<(R, R::Report)>,
    /// The first page in the report's own order, asked for on its own when the table
    /// shows another order or page of filters not ranked yet; and its request.
    ranking_call: Requested<R::Report>,
    ranking_asked: Option<R>,
    /// The module was left since the report was run: what it counts may have moved (an
    /// exception decided, a customer registered), so it runs again as it is shown.
    refresh_due: bool,
}

/// `request` in the report's own order, at its first page.
fn own_first_page<R: ReportRequest>(request: R) -> R {
    request.ordered(
        None,
        pb::PageRequest {
            offset: 0,
            limit: PAGE,
        },
    )
}

impl<R: ReportRequest> Frame<R> {
    /// A frame whose report's own order is `default_key`, largest first.
    pub(super) fn new(default_key: &'static str) -> Self {
        Frame {
            sort: Sort {
                by: "",
                ascending: false,
                default_key,
            },
            offset: 0,
            asked: None,
            shown: None,
            report: Requested::NotRequested,
            export: ExportBar::default(),
            ranks: false,
            sales: false,
            ranking: None,
            ranking_call: Requested::NotRequested,
            ranking_asked: None,
            refresh_due: false,
        }
    }

    /// The module is shown again after another: a report run before runs again as its
    /// tab is shown ([`Frame::is_stale`]), so that the screen and its export agree with
    /// the data of now.
    pub(super) fn refresh_when_shown(&mut self) {
        self.refresh_due = !self.never_run();
    }

    /// For a paged report whose chart shows its largest rows: keeps its first page in
    /// its own order ([`Frame::ranking`]) whatever order or page the table shows, asking
    /// for it on its own when the table shows another of filters not ranked yet.
    pub(super) fn with_ranking(mut self) -> Self {
        self.ranks = true;
        self
    }

    /// For a report of sales: what a sales amount is (spec "Sales amount") is said under
    /// the run line, since it is not an order total (a part-shipped order counts what
    /// shipped, a deduction comes off).
    pub(super) fn of_sales(mut self) -> Self {
        self.sales = true;
        self
    }

    /// Takes the answer of a finished run; whether a report just arrived.
    pub(super) fn poll(&mut self) -> bool {
        let ranked = self.ranking_call.poll();
        let (ranked, ranking_failed) = (
            matches!(ranked, Polled::JustDone),
            matches!(ranked, Polled::JustFailed(_)),
        );
        if ranking_failed {
            // Asked again with the next run, order or page.
            self.ranking_asked = None;
        } else if ranked
            && let (Some(asked), Some(report)) =
                (self.ranking_asked.take(), self.ranking_call.value())
        {
            self.ranking = Some((asked, report.clone()));
        }
        match self.report.poll() {
            Polled::JustDone => {
                self.shown = self.asked.clone();
                // The report's own first page is its ranking.
                if self.ranks
                    && let (Some(shown), Some(report)) = (&self.shown, self.report.value())
                    && own_first_page(shown.clone()) == *shown
                {
                    self.ranking = Some((shown.clone(), report.clone()));
                }
                true
            }
            Polled::JustFailed(_) | Polled::Unchanged => false,
        }
    }

    /// The first page, in the report's own order (its main figure largest first), of the
    /// filters of the report shown, whatever order and page the table shows: what a
    /// chart of the largest rows ranks ([`Frame::with_ranking`]). `None` while it is
    /// being asked for.
    pub(super) fn ranking(&self) -> Option<&R::Report> {
        let shown = own_first_page(self.shown.clone()?);
        self.ranking
            .as_ref()
            .filter(|(request, _)| *request == shown)
            .map(|(_, report)| report)
    }

    /// The bars of a chart of the largest rows: what `bars` makes of the ranking
    /// ([`Frame::ranking`]), the largest first; none while the ranking is asked for.
    pub(super) fn top_bars(
        &self,
        bars: impl FnOnce(&R::Report) -> Vec<(String, f64)>,
    ) -> Vec<(String, f64)> {
        self.ranking()
            .map(|ranking| super::chart::top(bars(ranking)))
            .unwrap_or_default()
    }

    /// Whether a run is in flight.
    pub(super) fn is_running(&self) -> bool {
        self.report.is_pending()
    }

    /// Whether the tab should run its report as it is shown: never run, the module left
    /// and shown again since it ran ([`Frame::refresh_when_shown`]), or another tab has
    /// since run a period other than the one this tab last asked for.
    pub(super) fn is_stale(&self, period: &Period) -> bool {
        self.never_run()
            || self.refresh_due
            || match (&period.ran, self.asked.as_ref().and_then(R::period)) {
                (Some((from, to)), Some((asked_from, asked_to))) => {
                    from != asked_from || to != asked_to
                }
                _ => false,
            }
    }

    /// Whether the report runs again as it is shown ([`Frame::refresh_when_shown`]).
    pub(super) fn is_refresh_due(&self) -> bool {
        self.refresh_due
    }

    /// Whether the report was never run (the tab is shown for the first time).
    pub(super) fn never_run(&self) -> bool {
        self.report.is_not_requested()
    }

    /// The request of the report shown.
    pub(super) fn shown(&self) -> Option<&R> {
        self.shown.as_ref()
    }

    /// The report shown (the previous one while another runs or after a failed run).
    pub(super) fn report(&self) -> Option<R::Report> {
        self.report.value().cloned()
    }

    /// Runs the report for `filters` (built from the shared `period`) and notes their
    /// period as the one last run, so that the other tabs follow it.
    pub(super) fn run_for(&mut self, ctx: &AppCtx, filters: R, period: &mut Period) {
        period.ran = filters
            .period()
            .map(|(from, to)| (from.to_owned(), to.to_owned()));
        self.run(ctx, filters);
    }

    /// Runs the report for `filters` from its first page (the page shown, when it is read
    /// afresh as shown again), in the order chosen.
    pub(super) fn run(&mut self, ctx: &AppCtx, filters: R) {
        // Shown again and read afresh ([`Frame::refresh_when_shown`]): the same report
        // stays at the page it was read at (back from a customer opened on page 3).
        let same = self.asked.clone().map(own_first_page) == Some(own_first_page(filters.clone()));
        if !(self.refresh_due && same) {
            self.offset = 0;
        }
        self.refresh_due = false;
        self.export.forget_outcome();
        self.ask(ctx, filters);
    }

    fn ask(&mut self, ctx: &AppCtx, filters: R) {
        let request = filters.ordered(
            self.sort.to_pb(),
            pb::PageRequest {
                offset: self.offset,
                limit: PAGE,
            },
        );
        self.asked = Some(request.clone());
        if self.ranks {
            let own = own_first_page(request.clone());
            if own == request {
                // This answer is the ranking: an older one on its way is not needed.
                self.ranking_call = Requested::NotRequested;
                self.ranking_asked = None;
            } else if self.ranking.as_ref().is_none_or(|(r, _)| *r != own)
                && self.ranking_asked.as_ref() != Some(&own)
            {
                self.ranking_asked = Some(own.clone());
                self.ranking_call.request(own.call(ctx));
            }
        }
        self.report.request(request.call(ctx));
    }

    /// The filter bar of a report over the shared `period`: the period, then `filters`.
    /// Whether to run now: Run clicked or Enter in a filter, a date picked, or the shared
    /// period is not the one this tab last ran ([`Frame::is_stale`]).
    pub(super) fn period_bar(
        &self,
        ui: &mut egui::Ui,
        salt: &str,
        period: &mut Period,
        filters: impl FnOnce(&mut egui::Ui),
    ) -> bool {
        let mut run = self.is_stale(period);
        run |= filter_bar(ui, self.is_running(), |ui| {
            period.ui(ui, salt);
            filters(ui);
        });
        run | period.take_picked()
    }

    /// Under the filters: the export bar and the run line ([`Frame::status_ui`]); the
    /// report to draw, if one is shown.
    pub(super) fn shown_ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        title: &str,
        period: Option<&Period>,
    ) -> Option<R::Report> {
        self.export_ui(ui, ctx, title, period);
        self.status_ui(ui, period);
        self.report()
    }

    /// The export of the report shown, proposed as "`title`_first day_last day.xlsx";
    /// none while the period typed (`period`) is not the one of the figures shown, or the
    /// last run failed: the file would hold another period than the bar says.
    pub(super) fn export_ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        title: &str,
        period: Option<&Period>,
    ) {
        let shown_period = self.shown.as_ref().and_then(R::period);
        let current = self.report.error().is_none()
            && match (shown_period, period) {
                (Some((from, to)), Some(typed)) => {
                    typed.date_from() == from && typed.date_to() == to
                }
                _ => true,
            };
        let report = self
            .shown
            .clone()
            .filter(|_| current)
            .map(ReportRequest::export);
        let name = file_name(
            title,
            report.as_ref(),
            self.shown.as_ref().and_then(R::period),
        );
        self.export.ui(ui, ctx, report, &name);
    }

    /// The spinner while a run is in flight, the error of a failed one (a period refused
    /// said by its fields' names, under the filter bar: beside the fields it pushed the
    /// bar's other filters and its run button from under the pointer), and when and within
    /// what scope the report shown was run.
    pub(super) fn status_ui(&self, ui: &mut egui::Ui, period: Option<&Period>) {
        if self.report.is_pending() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(t("common.loading"));
            });
        }
        if let Some(error) = self.report.error() {
            widgets::filters_error_line(
                ui,
                error,
                &[
                    ("date_from", t("report.date_from")),
                    ("date_to", t("common.end_date")),
                ],
            );
        }
        if let Some(run) = self.report.value().and_then(R::run_of) {
            let shown = self.shown.as_ref().and_then(R::period);
            ui.horizontal_wrapped(|ui| {
                run_line(ui, run, shown);
                // The period typed (here or on another tab) is not the one of the
                // figures shown: say so rather than let them pass for it.
                if let (Some((from, to)), Some(typed)) = (shown, period)
                    && (typed.date_from() != from || typed.date_to() != to)
                {
                    ui.label(RichText::new(t("report.period_changed")).color(widgets::WARNING));
                }
            });
            if self.sales {
                ui.label(RichText::new(t("report.sales_defined")).weak());
            }
        }
    }

    /// The report's table: `columns`, then a totals row; a header with a key sorts the
    /// report by it (asked again from the first page). With `total` (the rows of every
    /// page) the pager follows. Returns the row clicked (never the totals row) unless
    /// `click` is [`RowClick::Nothing`].
    pub(super) fn table_ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        id_salt: &str,
        columns: &[Column<'_>],
        total: Option<u64>,
        click: RowClick,
    ) -> Option<usize> {
        let rows = columns.first().map_or(0, |c| c.cells.len());
        if rows == 0 {
            ui.label(RichText::new(t("report.no_data")).weak());
        }
        // The rows scroll within what the header, the margin and the pager leave, but
        // keep a few rows in view (the chart over the table gave way for them).
        let pager = if total.is_some() { PAGER_HEIGHT } else { 0.0 };
        let min_body = min_body_height(rows);
        let max_body = ui.available_height() - ROW_PITCH - TABLE_MARGIN - pager;
        let (clicked, mut again) = table(
            ui,
            id_salt,
            columns,
            &mut self.sort,
            click,
            (min_body, max_body.max(min_body)),
        );
        if again {
            self.offset = 0;
        }
        if let Some(total) = total {
            again |= widgets::pager(ui, &mut self.offset, rows, total, PAGE);
        }
        // The report asked for last (shown, or on its way), in the new order or at the
        // new page.
        if again && let Some(asked) = self.asked.clone() {
            self.ask(ctx, asked);
        }
        clicked
    }
}

/// The height of a table's rows, the totals row last, as far as they are kept in view
/// however small the window: [`MIN_ROWS`] rows at most.
fn min_body_height(rows: usize) -> f32 {
    ROW_PITCH * (rows.min(MIN_ROWS) + 1) as f32
}

/// The least height a report's table of `rows` rows takes: its header, its rows as far
/// as [`min_body_height`] keeps them, "no data" when there are none, and the pager
/// under it when `paged`.
fn min_table_height(rows: usize, paged: bool) -> f32 {
    let no_data = if rows == 0 { ROW_PITCH } else { 0.0 };
    let pager = if paged { PAGER_HEIGHT } else { 0.0 };
    ROW_PITCH + min_body_height(rows) + TABLE_MARGIN + no_data + pager
}

/// The height of the plot of a chart drawn next, over a table of `rows` rows (with the
/// pager when `paged`): the chart gives way first, taking only what the table, a few of
/// its rows and the pager leave, so that the pager stays in view; `None` (no chart)
/// when that is too little.
pub(super) fn chart_height(ui: &egui::Ui, rows: usize, paged: bool) -> Option<f32> {
    chart_room(ui.available_height(), rows, paged)
}

/// [`chart_height`] with `available` points left for the chart and the table.
fn chart_room(available: f32, rows: usize, paged: bool) -> Option<f32> {
    let room = available - min_table_height(rows, paged) - chart::TITLE_HEIGHT;
    chart::height(available, room)
}

/// "期间：2026-11-01 至 2026-11-30 · 运行时间：2026-11-30 10:00 · 业务日期：2026-11-30 ·
/// 数据范围：全部" (the period of the figures shown, for reports over one).
fn run_line(ui: &mut egui::Ui, run: &pb::ReportRun, period: Option<(&str, &str)>) {
    // In the business time zone the server gave, as the exported sheet says it.
    let at = chrono::DateTime::parse_from_rfc3339(&run.run_at).map_or_else(
        |_| run.run_at.clone(),
        |at| at.format("%Y-%m-%d %H:%M").to_string(),
    );
    let mut parts = Vec::new();
    if let Some((from, to)) = period {
        let period = format!("{from} {} {to}", t("report.date_to"));
        parts.push(label_value(t("report.period"), &period));
    }
    parts.extend([
        label_value(t("report.run_at"), &at),
        label_value(t("report.business_date"), &run.business_date),
        label_value(t("report.scope"), choice_label::<pb::DataScope>(run.scope)),
    ]);
    ui.label(RichText::new(parts.join("  ·  ")).weak());
}

/// Draws the table (its rows between `min_height` and `max_height` high; they scroll
/// within, and sideways when its columns do not fit, the first column kept in sight), the
/// totals row last, a row picked lit; a header with a key sorts by it (`sort` clicked).
/// Returns the row clicked (never the totals row) and whether the order changed.
fn table(
    ui: &mut egui::Ui,
    id_salt: &str,
    columns: &[Column<'_>],
    sort: &mut Sort,
    click: RowClick,
    (min_height, max_height): (f32, f32),
) -> (Option<usize>, bool) {
    let rows = columns.first().map_or(0, |c| c.cells.len());
    // A sortable column's key, for the table, is its index (`HeaderSort`).
    let shown: Vec<TableColumn<'_>> = columns
        .iter()
        .zip(0..)
        .map(|(c, i)| {
            let cells = c.cells.iter().chain([&c.total]).map(Cell::new).collect();
            let column = match c.kind {
                Kind::Text => TableColumn::text(c.header, cells),
                Kind::Count => TableColumn::count(c.header, cells),
                Kind::Money => TableColumn::money(c.header, cells),
            };
            match c.key {
                // The report's own rule sets the first direction (`Sort::click`).
                Some(_) => column.sorted_by(i, false),
                None => column,
            }
        })
        .collect();
    let mut styles = vec![RowStyle::Normal; rows];
    if let RowClick::Pick(Some(picked)) = click
        && let Some(style) = styles.get_mut(picked)
    {
        *style = RowStyle::Selected;
    }
    styles.push(RowStyle::Strong);
    let mut headers = HeaderSort {
        sort,
        columns,
        clicked: false,
    };
    let mut table = DataTable::new(id_salt, &shown)
        .styles(&styles)
        .max_height(max_height)
        .min_height(min_height)
        .sort(Some(&mut headers));
    if click != RowClick::Nothing {
        table = table.clickable();
    }
    let clicked = table.show(ui).filter(|i| *i < rows);
    (clicked, headers.clicked)
}

/// A report's order as its table's headers see it: a column's key is its index.
struct HeaderSort<'s, 'c> {
    sort: &'s mut Sort,
    columns: &'s [Column<'c>],
    /// A header set the order.
    clicked: bool,
}

impl SortState for HeaderSort<'_, '_> {
    fn sorted(&self, index: i32) -> Option<bool> {
        let (by, ascending) = self.sort.current();
        let key = usize::try_from(index)
            .ok()
            .and_then(|i| self.columns.get(i)?.key);
        (key == Some(by)).then_some(!ascending)
    }

    /// The report's own rule gives the first direction: names in order, figures and dates
    /// largest first.
    fn click(&mut self, index: i32, _largest_first: bool) {
        if let Some(key) = usize::try_from(index)
            .ok()
            .and_then(|i| self.columns.get(i)?.key)
        {
            self.sort.click(key);
            self.clicked = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_periods_end_on_the_business_date_or_last_months_end() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-03-01");
        assert_eq!(preset(Preset::Last30, today), (d("2026-01-31"), today));
        assert_eq!(preset(Preset::ThisMonth, today), (today, today));
        assert_eq!(
            preset(Preset::LastMonth, today),
            (d("2026-02-01"), d("2026-02-28"))
        );
        assert_eq!(preset(Preset::ThisYear, today), (d("2026-01-01"), today));
    }

    /// A report table's header sorts by its column's key (the table knows it by the
    /// column's index); a header without a key sorts nothing.
    #[test]
    fn a_report_tables_header_sorts_by_its_columns_key() {
        let mut sort = Sort {
            by: "",
            ascending: false,
            default_key: "amount",
        };
        let columns = [
            Column::text("药品", Vec::new()).sorts_by("name"),
            Column::money("销售额", Vec::new()).sorts_by("amount"),
            Column::text("规格", Vec::new()),
        ];
        let mut headers = HeaderSort {
            sort: &mut sort,
            columns: &columns,
            clicked: false,
        };
        assert_eq!(headers.sorted(1), Some(true), "the report's own order");
        assert_eq!(headers.sorted(0), None);
        assert_eq!(headers.sorted(2), None);
        headers.click(2, false);
        assert!(!headers.clicked, "no key, no sort");
        headers.click(0, false);
        assert!(headers.clicked);
        assert_eq!(headers.sorted(0), Some(false), "names in order");
        assert_eq!(sort.current(), ("name", true));
    }

    #[test]
    fn a_header_turns_its_column_around_and_another_starts_in_its_natural_order() {
        let mut sort = Sort {
            by: "",
            ascending: false,
            default_key: "amount",
        };
        assert_eq!(sort.to_pb(), None, "the report's own order");
        assert_eq!(sort.current(), ("amount", false));
        sort.click("amount");
        assert_eq!(sort.current(), ("amount", true));
        sort.click("name");
        assert_eq!(
            sort.to_pb(),
            Some(pb::ReportSort {
                by: "name".into(),
                ascending: true
            })
        );
        sort.click("orders");
        assert_eq!(sort.current(), ("orders", false));
    }

    #[test]
    fn the_chart_gives_way_to_a_few_rows_of_the_table_and_the_pager() {
        // Room to spare: the chart's usual share.
        assert_eq!(chart_room(800.0, 100, true), Some(220.0));
        // 900×600: what a few rows, the totals and the pager leave.
        let available = 380.0;
        let chart = chart_room(available, 100, true).expect("a chart");
        assert!(
            chart + chart::TITLE_HEIGHT + min_table_height(100, true) <= available,
            "{chart}"
        );
        assert!(min_table_height(100, true) >= 7.0 * widgets::ROW_HEIGHT + PAGER_HEIGHT);
        // Too little: no chart, the table keeps its rows.
        assert_eq!(chart_room(250.0, 100, true), None);
        // A short table leaves more to the chart.
        assert!(chart_room(300.0, 2, false) > chart_room(300.0, 100, true));
    }

    #[test]
    fn counts_keep_their_sign_and_exports_their_period() {
        assert_eq!(signed(-1200), "-1,200");
        assert_eq!(signed(35), "35");
        assert_eq!(value("1280.50"), 1280.5);
        assert_eq!(value(""), 0.0);
        let november = Some(("2026-11-01", "2026-11-30"));
        assert_eq!(
            file_name("药品销售情况", None, november),
            "药品销售情况_2026-11-01_2026-11-30.xlsx"
        );
        let today = crate::format::business_today_text();
        assert_eq!(
            file_name("客户地域分布", None, None),
            format!("客户地域分布_{today}.xlsx")
        );
        // What tells two exports of one report apart, as the server names them.
        use pb::export_request::Report;
        let cs = Report::EmployeePerformance(pb::EmployeePerformanceRequest {
            role: pb::RepRole::CustomerService as i32,
            ..Default::default()
        });
        assert_eq!(
            file_name("员工销售业绩", Some(&cs), november),
            "员工销售业绩_客服_2026-11-01_2026-11-30.xlsx"
        );
        let hunan = Report::CustomerDistribution(pb::CustomerDistributionRequest {
            province_code: "43".into(),
            ..Default::default()
        });
        assert_eq!(
            file_name("客户地域分布", Some(&hunan), None),
            format!("客户地域分布_湖南省_{today}.xlsx")
        );
        let by_customer = Report::Exceptions(pb::ExceptionsRequest {
            group_by: pb::ExceptionGrouping::Customer as i32,
            ..Default::default()
        });
        assert_eq!(
            file_name("异常反馈情况", Some(&by_customer), november),
            "异常反馈情况_客户_2026-11-01_2026-11-30.xlsx"
        );
    }
}
