//! 药品销售情况: each drug's sales in a period (optionally one drug, one category, agency or
//! self-produced drugs), the top drugs of the page as bars, and the sales over time, by
//! day, week or month, of the drug clicked in the table or of every drug of the report.

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use super::chart::{self, Values};
use super::frame::{self, Column, Frame, Period, cells, count, signed};
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, label_value, t};
use crate::widgets::{self, DrugPicker, choice_label, drug_label};

/// The most points the server puts in a series.
const MAX_POINTS: i64 = 1000;

/// The drug-sales tab.
pub(super) struct DrugSalesTab {
    period: Period,
    /// The drug filter: (id, "name specification").
    drug: Option<(i64, String)>,
    picker: DrugPicker,
    /// 0: every category.
    category_id: i64,
    /// A `pb::DrugOrigin`; 0: both.
    origin: i32,
    categories: Requested<Vec<pb::Category>>,
    frame: Frame<pb::DrugSalesRequest>,
    /// The drug whose sales over time show (clicked in the table); none: every drug of
    /// the report shown.
    series_drug: Option<(i64, String)>,
    /// A `pb::SeriesInterval`.
    interval: i32,
    series: Requested<pb::DrugSalesSeriesReport>,
    /// The series asked for last.
    series_asked: Option<pb::DrugSalesSeriesRequest>,
}

impl Default for DrugSalesTab {
    fn default() -> Self {
        DrugSalesTab {
            period: Period::default(),
            drug: None,
            picker: DrugPicker::default(),
            category_id: 0,
            origin: 0,
            categories: Requested::NotRequested,
            frame: Frame::new("amount"),
            series_drug: None,
            interval: pb::SeriesInterval::Day as i32,
            series: Requested::NotRequested,
            series_asked: None,
        }
    }
}

impl DrugSalesTab {
    /// The report the filters ask for.
    fn request(&self) -> pb::DrugSalesRequest {
        pb::DrugSalesRequest {
            date_from: self.period.date_from(),
            date_to: self.period.date_to(),
            drug_id: self.drug.as_ref().map(|(id, _)| *id),
            category_id: (self.category_id != 0).then_some(self.category_id),
            origin: self.origin,
            ..Default::default()
        }
    }

    /// The series of the report shown: its filters, the drug clicked, and the interval
    /// (made longer when the period would need too many points).
    fn series_request(&mut self) -> Option<pb::DrugSalesSeriesRequest> {
        let shown = self.frame.shown()?;
        self.interval = fitting_interval(self.interval, &shown.date_from, &shown.date_to);
        Some(pb::DrugSalesSeriesRequest {
            date_from: shown.date_from.clone(),
            date_to: shown.date_to.clone(),
            drug_id: self
                .series_drug
                .as_ref()
                .map(|(id, _)| *id)
                .or(shown.drug_id),
            category_id: shown.category_id,
            origin: shown.origin,
            interval: self.interval,
        })
    }

    /// Draws the tab; `title` names its export.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, title: &str) {
        // The drug and category filters need the catalogue.
        let can_pick = ctx.can(Permission::DrugRead);
        if can_pick && self.categories.is_not_requested() {
            self.categories
                .request(ctx.drugs().list_categories(()).map(|r| r.categories));
        }
        self.categories.poll();
        self.frame.poll();
        self.series.poll();
        let mut categories = vec![(0, t("report.all").to_owned())];
        categories.extend(crate::drugs::category_paths(
            self.categories
                .value()
                .map(Vec::as_slice)
                .unwrap_or_default(),
        ));
        let error = self.frame.error().cloned();
        let mut run = self.frame.never_run();
        run |= frame::filter_bar(ui, self.frame.is_running(), |ui| {
            self.period.ui(ui, "report_drug", error.as_ref());
            if can_pick {
                widgets::combo(
                    ui,
                    "report_drug_category",
                    t("report.category"),
                    &mut self.category_id,
                    &categories,
                );
            }
            widgets::combo(
                ui,
                "report_drug_origin",
                t("report.origin"),
                &mut self.origin,
                &frame::any_or::<pb::DrugOrigin>(),
            );
        });
        if can_pick {
            self.drug_filter_ui(ui, ctx);
        }
        if run {
            self.series_drug = None;
            self.frame.run(ctx, self.request());
        }
        self.frame.export_ui(ui, ctx, title);
        self.frame.status_ui(ui);
        // The series follows the report shown, the drug clicked and the interval.
        if let Some(request) = self.series_request()
            && self.series_asked.as_ref() != Some(&request)
            && !self.series.is_pending()
        {
            self.series_asked = Some(request.clone());
            self.series
                .request(ctx.reports().drug_sales_series(request));
        }
        let Some(report) = self.frame.report() else {
            return;
        };
        self.charts_ui(ui, &report);
        let rows = &report.rows;
        let columns = [
            Column::text(t("report.drug"), cells(rows, |r| r.drug_name.clone()))
                .sorts_by("name")
                .total(t("report.totals")),
            Column::text(
                t("report.specification"),
                cells(rows, |r| r.specification.clone()),
            ),
            Column::text(t("report.category"), cells(rows, |r| r.category.clone())),
            Column::text(
                t("report.origin"),
                cells(rows, |r| {
                    choice_label::<pb::DrugOrigin>(r.origin).to_owned()
                }),
            ),
            Column::count(t("report.quantity"), cells(rows, |r| signed(r.quantity)))
                .sorts_by("quantity")
                .total(signed(report.quantity)),
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
        // A drug clicked shows its sales over time.
        if let Some(i) = self.frame.table_ui(
            ui,
            ctx,
            "report_drug_table",
            &columns,
            Some(report.total),
            true,
        ) && let Some(row) = rows.get(i)
        {
            self.series_drug = Some((row.drug_id, drug_label(&row.drug_name, &row.specification)));
        }
    }

    /// The drug filter: the drug chosen with a button clearing it, or the picker.
    fn drug_filter_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if let Some((_, label)) = self.drug.clone() {
            let mut clear = false;
            ui.horizontal(|ui| {
                ui.label(label_value(t("report.drug"), &label));
                clear = ui.button(t("report.clear")).clicked();
            });
            if clear {
                self.drug = None;
            }
        } else if let Some(drug) = self.picker.ui(ui, ctx, t("report.drug_search"), |_| true) {
            self.drug = Some((drug.id, drug_label(&drug.name, &drug.specification)));
        }
    }

    /// The top drugs of the page as bars, beside the sales over time.
    fn charts_ui(&mut self, ui: &mut egui::Ui, report: &pb::DrugSalesReport) {
        let height = chart::height(ui);
        let top = chart::top(
            report
                .rows
                .iter()
                .map(|r| (r.drug_name.clone(), frame::value(&r.amount))),
        );
        ui.columns(2, |columns| {
            chart::bars(
                &mut columns[0],
                "report_drug_bars",
                t("report.chart.top_drugs"),
                t("report.amount"),
                &top,
                Values::Money,
                height,
            );
            self.series_ui(&mut columns[1], report, height);
        });
    }

    /// The interval, whose drug the series is of (with a way back to every drug), and the
    /// line.
    fn series_ui(&mut self, ui: &mut egui::Ui, report: &pb::DrugSalesReport, height: f32) {
        let mut all_drugs = false;
        ui.horizontal_wrapped(|ui| {
            widgets::combo(
                ui,
                "report_drug_interval",
                t("report.interval"),
                &mut self.interval,
                &widgets::choices::<pb::SeriesInterval>(),
            );
            if self.series_drug.is_some() {
                all_drugs = ui.button(t("report.series.all")).clicked();
            } else {
                ui.label(RichText::new(t("report.series.hint")).weak().small());
            }
        });
        if all_drugs {
            self.series_drug = None;
        }
        // Whose sales: the drug clicked, else the drug filtered on, else every drug.
        let filtered = self
            .frame
            .shown()
            .and_then(|r| r.drug_id)
            .and_then(|id| report.rows.iter().find(|r| r.drug_id == id))
            .map(|r| drug_label(&r.drug_name, &r.specification));
        let whose = self
            .series_drug
            .as_ref()
            .map(|(_, label)| label.clone())
            .or(filtered)
            .unwrap_or_else(|| t("report.series.all").to_owned());
        let title = bracketed(t("report.series"), &whose);
        widgets::request_status(ui, &self.series);
        // A month reads as 2026-11.
        let monthly = self
            .series_asked
            .as_ref()
            .is_some_and(|r| r.interval == pb::SeriesInterval::Month as i32);
        let points: Vec<(String, f64)> = self
            .series
            .value()
            .map(|s| {
                s.points
                    .iter()
                    .map(|p| {
                        let label = if monthly {
                            p.period_start.chars().take(7).collect()
                        } else {
                            p.period_start.clone()
                        };
                        (label, frame::value(&p.amount))
                    })
                    .collect()
            })
            .unwrap_or_default();
        chart::line(
            ui,
            "report_drug_series",
            &title,
            t("report.series.amount"),
            &points,
            Values::Money,
            (height - 28.0).max(90.0),
        );
    }
}

/// `interval`, or a longer one when the period from `from` to `to` would need more than
/// the server's 1,000 points.
fn fitting_interval(interval: i32, from: &str, to: &str) -> i32 {
    let (Some(from), Some(to)) = (widgets::parse_date(from), widgets::parse_date(to)) else {
        return interval;
    };
    let days = (to - from).num_days() + 1;
    let day = pb::SeriesInterval::Day as i32;
    let week = pb::SeriesInterval::Week as i32;
    let month = pb::SeriesInterval::Month as i32;
    if interval == day && days > MAX_POINTS * 7 {
        month
    } else if interval == day && days > MAX_POINTS {
        week
    } else if interval == week && days > MAX_POINTS * 7 {
        month
    } else {
        interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_period_takes_a_longer_step() {
        let day = pb::SeriesInterval::Day as i32;
        let week = pb::SeriesInterval::Week as i32;
        let month = pb::SeriesInterval::Month as i32;
        assert_eq!(fitting_interval(day, "2026-11-01", "2026-11-30"), day);
        assert_eq!(fitting_interval(day, "2023-01-01", "2026-11-30"), week);
        assert_eq!(fitting_interval(week, "2000-01-01", "2026-11-30"), month);
        assert_eq!(fitting_interval(month, "2026-11-01", "2026-11-30"), month);
        assert_eq!(fitting_interval(day, "2026-11", "2026-11-30"), day);
    }
}
