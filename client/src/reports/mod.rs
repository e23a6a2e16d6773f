//! 统计分析: six reports over what was sold, each a tab with its filters, a chart, a table
//! with a totals row (sorted by clicking its headers, paged on the server), the time and
//! data scope it was run in, and its Excel export (for those with `report.export`). Every
//! tab is drawn by the same [`frame::Frame`]; a tab only says what its filters, columns
//! and chart are.

mod chart;
mod consumption;
mod distribution;
mod drug_sales;
mod exceptions;
pub(crate) mod export;
mod frame;
mod performance;
mod regional;

use pharmacrm_shared::{Module, Permission, pb};

use crate::backend::Promise;
use crate::ctx::{AppCtx, Navigate};
use crate::i18n::t;
use crate::shell::ModulePanel;
use crate::widgets::Unsaved;

crate::choice!(pb::SeriesInterval {
    Day => t("report.interval.day"),
    Week => t("report.interval.week"),
    Month => t("report.interval.month"),
});

crate::choice!(pb::RepRole {
    Sales => t("report.role.sales"),
    CustomerService => t("report.role.customer_service"),
});

crate::choice!(pb::ExceptionGrouping {
    Kind => t("report.group.kind"),
    Decision => t("report.group.decision"),
    Customer => t("report.group.customer"),
    CsRep => t("report.group.cs_rep"),
    SalesRep => t("report.group.sales_rep"),
    Drug => t("report.group.drug"),
});

/// The tabs, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    DrugSales,
    Distribution,
    Performance,
    Consumption,
    Regional,
    Exceptions,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::DrugSales,
        Tab::Distribution,
        Tab::Performance,
        Tab::Consumption,
        Tab::Regional,
        Tab::Exceptions,
    ];

    /// The tab's name, also the title of its export.
    fn label(self) -> &'static str {
        match self {
            Tab::DrugSales => t("report.tab.drug_sales"),
            Tab::Distribution => t("report.tab.distribution"),
            Tab::Performance => t("report.tab.performance"),
            Tab::Consumption => t("report.tab.consumption"),
            Tab::Regional => t("report.tab.regional"),
            Tab::Exceptions => t("report.tab.exceptions"),
        }
    }
}

/// The name of the report exported as `key` (the server's `Job::key`: `drug_sales` →
/// 药品销售情况, `arrears` → 欠款), for the audit log; `None` for a key not known here.
pub fn report_name(key: &str) -> Option<&'static str> {
    Some(match key {
        "drug_sales" => Tab::DrugSales.label(),
        "drug_sales_series" => t("report.series"),
        "customer_distribution" => Tab::Distribution.label(),
        "employee_performance" => Tab::Performance.label(),
        "customer_consumption" => Tab::Consumption.label(),
        "regional_sales" => Tab::Regional.label(),
        "exceptions" => Tab::Exceptions.label(),
        "arrears" => t("finance.tab.arrears"),
        _ => return None,
    })
}

/// The reports module. The period is one for every tab; each tab keeps its other filters
/// and last report while another is shown, and runs its report when shown the first time,
/// after another tab ran another period, or when the module is shown again after another
/// (what it counts may have moved meanwhile).
pub struct ReportsPanel {
    tab: Tab,
    /// The period every tab over one shows: picked on one tab, the next tab shown runs
    /// for it too.
    period: frame::Period,
    drug_sales: drug_sales::DrugSalesTab,
    distribution: distribution::DistributionTab,
    performance: performance::PerformanceTab,
    consumption: consumption::ConsumptionTab,
    regional: regional::RegionalTab,
    exceptions: exceptions::ExceptionsTab,
}

impl Default for ReportsPanel {
    /// The first tab; every period this month so far (business dates).
    fn default() -> Self {
        ReportsPanel {
            tab: Tab::DrugSales,
            period: frame::Period::default(),
            drug_sales: drug_sales::DrugSalesTab::default(),
            distribution: distribution::DistributionTab::default(),
            performance: performance::PerformanceTab::default(),
            consumption: consumption::ConsumptionTab::default(),
            regional: regional::RegionalTab::default(),
            exceptions: exceptions::ExceptionsTab::default(),
        }
    }
}

impl Unsaved for ReportsPanel {
    /// Never: a report's filters are not input worth asking about.
    fn is_dirty(&self) -> bool {
        false
    }
}

impl ModulePanel for ReportsPanel {
    fn module(&self) -> Module {
        Module::Report
    }

    /// Shown again after another module: its reports run again as their tabs are shown
    /// (an exception decided, a customer registered meanwhile).
    fn open(&mut self, target: &Navigate, _ctx: &AppCtx) {
        if let Navigate::Module(Module::Report) = target {
            self.drug_sales.frame.refresh_when_shown();
            self.distribution.frame.refresh_when_shown();
            self.performance.frame.refresh_when_shown();
            self.consumption.frame.refresh_when_shown();
            self.regional.frame.refresh_when_shown();
            self.exceptions.frame.refresh_when_shown();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if !ctx.can(Permission::ReportRead) {
            ui.label(t("shell.no_modules"));
            return;
        }
        ui.horizontal_wrapped(|ui| {
            for tab in Tab::ALL {
                ui.selectable_value(&mut self.tab, tab, tab.label());
            }
        });
        ui.separator();
        let title = self.tab.label();
        match self.tab {
            Tab::DrugSales => self.drug_sales.ui(ui, ctx, title, &mut self.period),
            Tab::Distribution => self.distribution.ui(ui, ctx, title),
            Tab::Performance => self.performance.ui(ui, ctx, title, &mut self.period),
            Tab::Consumption => self.consumption.ui(ui, ctx, title, &mut self.period),
            Tab::Regional => self.regional.ui(ui, ctx, title, &mut self.period),
            Tab::Exceptions => self.exceptions.ui(ui, ctx, title, &mut self.period),
        }
    }
}

/// A report's request, as the shared frame runs, orders, pages and exports it.
trait ReportRequest: Clone + PartialEq + Send + 'static {
    /// What the server answers.
    type Report: Clone + Send + 'static;

    /// Runs the report.
    fn call(self, ctx: &AppCtx) -> Promise<Self::Report>;

    /// The same request in `sort` order, at `page` (ignored by reports that are not
    /// paged: they return every row).
    fn ordered(self, sort: Option<pb::ReportSort>, page: pb::PageRequest) -> Self;

    /// The same report as an export.
    fn export(self) -> pb::export_request::Report;

    /// When and within what scope the report was run.
    fn run_of(report: &Self::Report) -> Option<&pb::ReportRun>;

    /// The period asked for (first and last day), for reports over a period.
    fn period(&self) -> Option<(&str, &str)>;
}

/// Implements [`ReportRequest`] for a request: its report, its call, its export variant,
/// `page` when it is paged, and its period's fields when it has one.
macro_rules! report_request {
    (
        $request:ident => $report:ident, $call:ident, $variant:ident
        $(, $page:ident)? $(; $from:ident .. $to:ident)?
    ) => {
        impl ReportRequest for pb::$request {
            type Report = pb::$report;

            fn call(self, ctx: &AppCtx) -> Promise<pb::$report> {
                ctx.reports().$call(self)
            }

            #[allow(unused_variables)]
            fn ordered(self, sort: Option<pb::ReportSort>, page: pb::PageRequest) -> Self {
                pb::$request {
                    sort,
                    $($page: Some(page),)?
                    ..self
                }
            }

            fn export(self) -> pb::export_request::Report {
                pb::export_request::Report::$variant(self)
            }

            fn run_of(report: &pb::$report) -> Option<&pb::ReportRun> {
                report.run.as_ref()
            }

            fn period(&self) -> Option<(&str, &str)> {
                None $(.or(Some((self.$from.as_str(), self.$to.as_str()))))?
            }
        }
    };
}

report_request!(
    DrugSalesRequest => DrugSalesReport, drug_sales, DrugSales, page; date_from..date_to
);
report_request!(
    CustomerDistributionRequest => CustomerDistributionReport,
    customer_distribution,
    CustomerDistribution
);
report_request!(
    EmployeePerformanceRequest => EmployeePerformanceReport,
    employee_performance,
    EmployeePerformance,
    page; date_from..date_to
);
report_request!(
    CustomerConsumptionRequest => CustomerConsumptionReport,
    customer_consumption,
    CustomerConsumption,
    page; date_from..date_to
);
report_request!(
    RegionalSalesRequest => RegionalSalesReport, regional_sales, RegionalSales; date_from..date_to
);
report_request!(
    ExceptionsRequest => ExceptionsReport, exceptions, Exceptions, page; date_from..date_to
);
