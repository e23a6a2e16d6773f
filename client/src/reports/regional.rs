//! 地区销售情况: sales per province in a period (by the customer's region), as bars and a
//! table; a province clicked shows its cities.

use pharmacrm_shared::pb;

use super::chart::{self, Values};
use super::frame::{self, Column, Drill, Frame, Period, cells, count};
use crate::ctx::AppCtx;
use crate::i18n::t;

/// The regional-sales tab.
pub(super) struct RegionalTab {
    drill: Drill,
    frame: Frame<pb::RegionalSalesRequest>,
}

impl Default for RegionalTab {
    fn default() -> Self {
        RegionalTab {
            drill: Drill::default(),
            frame: Frame::new("amount"),
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
        let error = self.frame.error().cloned();
        let mut run = self.frame.is_stale(period);
        run |= frame::filter_bar(ui, self.frame.is_running(), |ui| {
            period.ui(ui, "report_regional", error.as_ref());
        });
        run |= period.take_picked();
        run |= self.drill.ui(ui);
        if run {
            self.frame.run_for(ctx, self.request(period), period);
        }
        self.frame.export_ui(ui, ctx, title);
        self.frame.status_ui(ui, Some(period));
        let Some(report) = self.frame.report() else {
            return;
        };
        let rows = &report.rows;
        let province_code = self
            .frame
            .shown()
            .map(|r| r.province_code.clone())
            .unwrap_or_default();
        // Every region is here (the report is not paged): its largest, whatever the order.
        let top = chart::top(
            rows.iter()
                .map(|r| (r.region_name.clone(), frame::value(&r.amount))),
        );
        let mut bar_clicked = None;
        if let Some(height) = frame::chart_height(ui, rows.len(), false) {
            bar_clicked = chart::bars(
                ui,
                "report_regional_bars",
                t("report.chart.sales_by_region"),
                &top,
                Values::Money,
                height,
            );
        }
        let columns = [
            Column::text(
                frame::region_header(&province_code),
                cells(rows, |r| r.region_name.clone()),
            )
            .sorts_by("region")
            .total(t("report.totals")),
            Column::money(t("report.amount"), cells(rows, |r| r.amount.clone()))
                .sorts_by("amount")
                .total(report.amount.clone()),
            Column::count(t("report.orders"), cells(rows, |r| count(r.orders)))
                .sorts_by("orders")
                .total(count(report.orders)),
            Column::count(t("report.customers"), cells(rows, |r| count(r.customers)))
                .sorts_by("customers")
                .total(count(report.customers)),
        ];
        // A province clicked (its row) shows its cities.
        let clicked = self.frame.table_ui(
            ui,
            ctx,
            "report_regional_table",
            &columns,
            None,
            province_code.is_empty(),
        );
        // So does a province's bar.
        let bar_row = bar_clicked
            .and_then(|i| top.get(i))
            .and_then(|(name, _)| rows.iter().position(|r| r.region_name == *name));
        let clicked = clicked.or(bar_row).filter(|_| province_code.is_empty());
        if let Some(row) = clicked.and_then(|i| rows.get(i)) {
            self.drill.enter(&row.region_code, &row.region_name);
            self.frame.run_for(ctx, self.request(period), period);
        }
    }
}
