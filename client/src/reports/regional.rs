//! 地区销售情况: sales per province in a period (by the customer's region), as bars and a
//! table; a province clicked shows its cities.

use pharmacrm_shared::pb;

use super::chart::Values;
use super::frame::{self, Drill, Frame, HasSales, Period, Regions, sales_columns};
use crate::ctx::AppCtx;
use crate::i18n::t;

/// The regional-sales tab.
pub(super) struct RegionalTab {
    drill: Drill,
    pub(super) frame: Frame<pb::RegionalSalesRequest>,
}

impl Default for RegionalTab {
    fn default() -> Self {
        RegionalTab {
            drill: Drill::default(),
            frame: Frame::new("amount").of_sales(),
        }
    }
}

impl RegionalTab {
    /// The report the filters ask for, at the level drilled to.
    fn request(&self, period: &Period) -> pb::RegionalSalesRequest {
        pb::RegionalSalesRequest {
            date_from: period.date_from(),
            date_to: period.date_to(),
            province_code: self.drill.code(),
            ..Default::default()
        }
    }

    /// Draws the tab; `title` names its export.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, title: &str, period: &mut Period) {
        self.frame.poll();
        let mut run = self.frame.period_bar(ui, "report_regional", period, |_| {});
        run |= self.drill.ui(ui);
        if run {
            self.frame.run_for(ctx, self.request(period), period);
        }
        let Some(report) = self.frame.shown_ui(ui, ctx, title, Some(period)) else {
            return;
        };
        let province_code = self
            .frame
            .shown()
            .map(|r| r.province_code.clone())
            .unwrap_or_default();
        let regions = Regions {
            salt: "report_regional",
            chart_title: t("report.chart.sales_by_region"),
            values: Values::Money,
            province_code: &province_code,
            rows: &report.rows,
            region: |r| (&r.region_code, &r.region_name, frame::value(&r.amount)),
        };
        let figures = sales_columns(&report.rows, HasSales::sales, report.sales());
        // A province clicked shows its cities.
        if self
            .drill
            .regions_ui(ui, ctx, &mut self.frame, regions, figures)
        {
            self.frame.run_for(ctx, self.request(period), period);
        }
    }
}
