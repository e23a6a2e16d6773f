//! 员工销售业绩: sales reps or CS reps ranked by what they sold in a period, with the
//! orders, customers and payments collected credited to them; the top sellers as bars
//! (whatever order or page the table shows).

use pharmacrm_shared::pb;

use super::chart::{self, Values};
use super::frame::{self, Column, Frame, HasSales, Period, RowClick, cells, count, sales_columns};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets;

/// The employee-performance tab.
pub(super) struct PerformanceTab {
    /// A `pb::RepRole`.
    role: i32,
    pub(super) frame: Frame<pb::EmployeePerformanceRequest>,
}

impl Default for PerformanceTab {
    fn default() -> Self {
        PerformanceTab {
            role: pb::RepRole::Sales as i32,
            frame: Frame::new("amount").with_ranking().of_sales(),
        }
    }
}

impl PerformanceTab {
    /// The report the filters ask for.
    fn request(&self, ctx: &AppCtx, period: &Period) -> pb::EmployeePerformanceRequest {
        pb::EmployeePerformanceRequest {
            date_from: period.date_from(),
            date_to: period.date_to(),
            role: self.role(ctx),
            ..Default::default()
        }
    }

    /// The role ranked: the one chosen, or for one who sees only their own customers
    /// their own (the CS reps' figures over a rep's own customers read as those CS reps'
    /// whole work).
    fn role(&self, ctx: &AppCtx) -> i32 {
        match (ctx.oversees(), ctx.is_own_sales_rep()) {
            (true, _) => self.role,
            (false, true) => pb::RepRole::Sales as i32,
            (false, false) => pb::RepRole::CustomerService as i32,
        }
    }

    /// Draws the tab; `title` names its export.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, title: &str, period: &mut Period) {
        self.frame.poll();
        // Another role ranks other people: run at once.
        let mut run = false;
        // One who sees only their own customers is ranked in their own role.
        if ctx.oversees() {
            ui.horizontal(|ui| {
                for (role, label) in widgets::choices::<pb::RepRole>() {
                    run |= ui
                        .selectable_value(&mut self.role, role, label.as_str())
                        .changed();
                }
            });
        }
        run |= self
            .frame
            .period_bar(ui, "report_performance", period, |_| {});
        if run {
            self.frame.run_for(ctx, self.request(ctx, period), period);
        }
        let Some(report) = self.frame.shown_ui(ui, ctx, title, Some(period)) else {
            return;
        };
        let rows = &report.rows;
        // The top sellers: from the first page in the report's own order (by amount).
        let top = self.frame.top_bars(|ranking| {
            ranking
                .rows
                .iter()
                .map(|r| (rep_name(r), frame::value(&r.amount)))
                .collect()
        });
        if let Some(height) = frame::chart_height(ui, rows.len(), true) {
            chart::bars(
                ui,
                "report_performance_bars",
                t("report.chart.top_reps"),
                &top,
                Values::Money,
                height,
            );
        }
        // The name first: the column kept in sight while a narrow window scrolls the
        // figures sideways (a rank beside a department said whose they were not).
        let mut columns = vec![
            Column::text(t("report.name"), cells(rows, rep_name))
                .sorts_by("name")
                .total(t("report.totals")),
        ];
        // A rep who sees only their own customers is ranked among those they see (first
        // of one): no place to show.
        if ctx.oversees() {
            columns.push(Column::count(
                t("report.rank"),
                cells(rows, |r| count(r.rank)),
            ));
        }
        columns.push(Column::text(
            t("report.department"),
            cells(rows, |r| r.department.clone()),
        ));
        columns.extend(sales_columns(rows, HasSales::sales, report.sales()));
        columns.push(
            Column::money(t("report.collected"), cells(rows, |r| r.collected.clone()))
                .sorts_by("collected")
                .total(report.collected.clone()),
        );
        self.frame.table_ui(
            ui,
            ctx,
            "report_performance_table",
            &columns,
            Some(report.total),
            RowClick::Nothing,
        );
    }
}

/// A rep's name; one who left says so (赵营销（已停用）: their sales still count).
fn rep_name(r: &pb::EmployeePerformanceRow) -> String {
    if r.inactive {
        crate::i18n::bracketed(&r.name, t("common.person_disabled"))
    } else {
        r.name.clone()
    }
}
