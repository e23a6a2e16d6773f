//! 药品销售情况: each drug's sales in a period (optionally one drug, one category, agency or
//! self-produced drugs), the best-selling drugs as bars (whatever order or page the table
//! shows), and the sales over time, by day, week or month, of the drug clicked in the
//! table or of every drug of the report.

use chrono::{Datelike, Days, NaiveDate};
use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use super::chart::{self, Values};
use super::frame::{self, Column, Frame, HasSales, Period, RowClick, cells, sales_columns, signed};
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, label_value, t};
use crate::widgets::{self, DrugPicker, choice_label, drug_label};

/// The most points the server puts in a series.
const MAX_POINTS: i64 = 1000;

/// The drug-sales tab.
pub(super) struct DrugSalesTab {
    /// The drug filter: (id, "name specification").
    drug: Option<(i64, String)>,
    picker: DrugPicker,
    /// 0: every category.
    category_id: i64,
    /// A `pb::DrugOrigin`; 0: both.
    origin: i32,
    categories: Requested<Vec<pb::Category>>,
    pub(super) frame: Frame<pb::DrugSalesRequest>,
    /// The drug whose sales over time show (clicked in the table); none: every drug of
    /// the report shown.
    series_drug: Option<(i64, String)>,
    /// A `pb::SeriesInterval`.
    interval: i32,
    /// The period (from, to) the interval was last chosen for: another period starts at
    /// the interval that draws it readably ([`readable_interval`]).
    interval_period: Option<(String, String)>,
    /// The interval chosen was made longer for the period (按日 over ten years): said
    /// beside it until another interval or period is chosen.
    lengthened: bool,
    series: Requested<pb::DrugSalesSeriesReport>,
    /// The series asked for last.
    series_asked: Option<pb::DrugSalesSeriesRequest>,
}

impl Default for DrugSalesTab {
    fn default() -> Self {
        DrugSalesTab {
            drug: None,
            picker: DrugPicker::default(),
            category_id: 0,
            origin: 0,
            categories: Requested::NotRequested,
            frame: Frame::new("amount").with_ranking().of_sales(),
            series_drug: None,
            interval: pb::SeriesInterval::Day as i32,
            interval_period: None,
            lengthened: false,
            series: Requested::NotRequested,
            series_asked: None,
        }
    }
}

impl DrugSalesTab {
    /// The report the filters ask for.
    fn request(&self, period: &Period) -> pb::DrugSalesRequest {
        pb::DrugSalesRequest {
            date_from: period.date_from(),
            date_to: period.date_to(),
            drug_id: self.drug.as_ref().map(|(id, _)| *id),
            category_id: (self.category_id != 0).then_some(self.category_id),
            origin: self.origin,
            ..Default::default()
        }
    }

    /// The series of the report shown: its filters, the drug clicked, and the interval
    /// (the readable one for a period just shown, then as chosen; made longer when the
    /// period would need too many points).
    fn series_request(&mut self) -> Option<pb::DrugSalesSeriesRequest> {
        let shown = self.frame.shown()?;
        let period = (shown.date_from.clone(), shown.date_to.clone());
        if self.interval_period.as_ref() != Some(&period) {
            if let Some(readable) = readable_interval(&period.0, &period.1) {
                self.interval = readable;
            }
            self.interval_period = Some(period);
            self.lengthened = false;
        }
        let fitted = fitting_interval(self.interval, &shown.date_from, &shown.date_to);
        self.lengthened |= fitted != self.interval;
        self.interval = fitted;
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
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, title: &str, period: &mut Period) {
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
        // A category or origin picked runs the report at once, as a quick period does
        // (the table left as it was read as the new choice's).
        let mut picked = false;
        let run = self.frame.period_bar(ui, "report_drug", period, |ui| {
            if can_pick {
                picked |= widgets::combo(
                    ui,
                    "report_drug_category",
                    t("report.category"),
                    &mut self.category_id,
                    &categories,
                );
            }
            picked |= widgets::combo(
                ui,
                "report_drug_origin",
                t("report.origin"),
                &mut self.origin,
                &frame::any_or::<pb::DrugOrigin>(),
            );
        });
        // A drug picked or cleared runs the report again, as a quick period does.
        let drug_changed = can_pick && self.drug_filter_ui(ui, ctx);
        if run || picked || drug_changed {
            self.series_drug = None;
            // The series is read again with the report, though of the same filters: 查询
            // after a deduction moved the table and left the trend as it was.
            self.series_asked = None;
            self.frame.run_for(ctx, self.request(period), period);
        }
        self.frame.export_ui(ui, ctx, title, Some(period));
        self.frame.status_ui(ui, Some(period));
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
            Column::count(
                t("report.quantity"),
                cells(rows, |r| quantity_text(r.quantity, &r.unit)),
            )
            .sorts_by("quantity")
            .total(match report.quantity_unit.as_str() {
                "" => "—".to_owned(),
                unit => quantity_text(report.quantity, unit),
            }),
        ]
        .into_iter()
        .chain(sales_columns(rows, HasSales::sales, report.sales()))
        .collect::<Vec<_>>();
        // A drug clicked shows its sales over time, its row lit.
        let picked = self
            .series_drug
            .as_ref()
            .and_then(|(id, _)| rows.iter().position(|r| r.drug_id == *id));
        if let Some(i) = self.frame.table_ui(
            ui,
            ctx,
            "report_drug_table",
            &columns,
            Some(report.total),
            RowClick::Pick(picked),
        ) && let Some(row) = rows.get(i)
        {
            self.series_drug = Some((row.drug_id, drug_label(&row.drug_name, &row.specification)));
        }
    }

    /// The drug filter: the drug chosen with a button clearing it, or the picker; whether
    /// it changed.
    fn drug_filter_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> bool {
        if let Some((_, label)) = self.drug.clone() {
            let mut clear = false;
            ui.horizontal(|ui| {
                ui.label(label_value(t("report.drug"), &label));
                clear = ui.button(t("report.clear")).clicked();
            });
            if clear {
                self.drug = None;
            }
            clear
        } else if let Some(drug) = self.picker.ui(ui, ctx, t("report.drug_search"), |_| true) {
            self.drug = Some((drug.id, drug_label(&drug.name, &drug.specification)));
            true
        } else {
            // What is typed filters nothing until a drug is picked: said, as the table
            // and its export still hold every drug (zzzz + Enter read as a filter).
            if self.picker.is_typed() {
                ui.label(RichText::new(t("report.drug_pick_to_filter")).weak());
            }
            false
        }
    }

    /// The best-selling drugs as bars (from the first page in the report's own order, by
    /// amount), beside the sales over time; nothing when the table leaves too little room.
    fn charts_ui(&mut self, ui: &mut egui::Ui, report: &pb::DrugSalesReport) {
        let Some(height) = frame::chart_height(ui, report.rows.len(), true) else {
            return;
        };
        let top = self.frame.top_bars(|ranking| {
            ranking
                .rows
                .iter()
                .map(|r| (r.drug_name.clone(), frame::value(&r.amount)))
                .collect()
        });
        let bar_clicked = ui.columns(2, |columns| {
            let clicked = chart::bars(
                &mut columns[0],
                "report_drug_bars",
                t("report.chart.top_drugs"),
                &top,
                Values::Money,
                height,
            );
            self.series_ui(&mut columns[1], report, height);
            clicked
        });
        // A drug's bar, like its row, shows its sales over time. The ranking comes by
        // amount, largest first, so (`chart::top` keeping ties in order) the i-th bar is
        // its i-th row.
        if let Some(row) = bar_clicked.and_then(|i| self.frame.ranking()?.rows.get(i)) {
            self.series_drug = Some((row.drug_id, drug_label(&row.drug_name, &row.specification)));
        }
    }

    /// The interval, whose drug the series is of (with a way back to every drug), and the
    /// line.
    fn series_ui(&mut self, ui: &mut egui::Ui, report: &pb::DrugSalesReport, height: f32) {
        // The line is as low as the interval and status over it leave, so that the column
        // is no higher than the bars beside it.
        let top = ui.cursor().top();
        let mut all_drugs = false;
        ui.horizontal_wrapped(|ui| {
            if widgets::combo(
                ui,
                "report_drug_interval",
                t("report.interval"),
                &mut self.interval,
                &widgets::choices::<pb::SeriesInterval>(),
            ) {
                self.lengthened = false;
            }
            if self.lengthened {
                ui.label(RichText::new(t("report.interval_lengthened")).weak());
            }
            if self.series_drug.is_some() {
                all_drugs = ui.button(t("report.series.all")).clicked();
            } else {
                // Whole, on the next line where it does not fit ("走/势" broke it).
                let hint = RichText::new(t("report.series.hint")).weak();
                ui.add(egui::Label::new(hint).wrap_mode(egui::TextWrapMode::Extend));
            }
        });
        if all_drugs {
            self.series_drug = None;
        }
        // Whose sales: the drug clicked, else the drug filtered on (named by its row, or
        // by the filter when it sold nothing in the period), else every drug.
        let filtered = self.frame.shown().and_then(|r| r.drug_id).and_then(|id| {
            report
                .rows
                .iter()
                .find(|r| r.drug_id == id)
                .map(|r| drug_label(&r.drug_name, &r.specification))
                .or_else(|| {
                    self.drug
                        .as_ref()
                        .filter(|(drug, _)| *drug == id)
                        .map(|(_, label)| label.clone())
                })
        });
        // Every drug of the category and origin filtered on, named so (全部药品 read as the
        // whole catalogue's).
        let of_filters = self.frame.shown().and_then(|r| {
            let mut parts = Vec::new();
            if let Some(category) = r.category_id {
                let categories = self
                    .categories
                    .value()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                parts.extend(
                    crate::drugs::category_paths(categories)
                        .into_iter()
                        .find(|(id, _)| *id == category)
                        .map(|(_, path)| path),
                );
            }
            if r.origin != 0 {
                parts.push(choice_label::<pb::DrugOrigin>(r.origin).to_owned());
            }
            (!parts.is_empty()).then(|| parts.join(" · "))
        });
        let whose = self
            .series_drug
            .as_ref()
            .map(|(_, label)| label.clone())
            .or(filtered)
            .or(of_filters)
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
        // A week's point is dated by its first day: its hover says the days it covers,
        // the first and last weeks cut to the period (and the period to the business
        // date, as the series is): "2026-01-01 至 2026-01-04".
        let last_day = (self.series_asked.as_ref())
            .filter(|r| r.interval == pb::SeriesInterval::Week as i32)
            // A period asked without its end runs to the business date.
            .map(|r| widgets::parse_date(&r.date_to).unwrap_or(NaiveDate::MAX))
            .map(|to| to.min(crate::format::business_today()));
        let above = ui.cursor().top() - top;
        chart::line(
            ui,
            "report_drug_series",
            &title,
            &points,
            Values::Money,
            (height - above).max(40.0),
            move |label| match last_day {
                Some(last) => week_span(label, last),
                None => label.to_owned(),
            },
        );
    }
}

/// The days of the week whose point is dated `first` (its first day in the period, as
/// `YYYY-MM-DD`), up to its Sunday or `last` (the period's last day, at most the business
/// date), whichever comes first: "2026-01-01 至 2026-01-04". A label that is not a date
/// is said as it is.
fn week_span(first: &str, last: NaiveDate) -> String {
    let Some(day) = widgets::parse_date(first) else {
        return first.to_owned();
    };
    let sunday = day + Days::new(u64::from(6 - day.weekday().num_days_from_monday()));
    t("report.series.week_of")
        .replace("{from}", first)
        .replace("{to}", &sunday.min(last).format("%Y-%m-%d").to_string())
}

/// `n` units of `unit`, as the quantity column shows them: "1,200 盒". The total of drugs
/// counted in different units shows "—": 10 盒 and 5 瓶 add up to nothing one can name.
fn quantity_text(n: i64, unit: &str) -> String {
    format!("{} {unit}", signed(n)).trim_end().to_owned()
}

/// How many points a series over `from`..=`to` has at `interval`, counted as the server
/// counts them (`Interval::steps`): days; weeks, Monday first, the first and last clipped
/// to the period; calendar months.
fn steps(interval: pb::SeriesInterval, from: NaiveDate, to: NaiveDate) -> i64 {
    match interval {
        pb::SeriesInterval::Day => (to - from).num_days() + 1,
        pb::SeriesInterval::Week => {
            let monday =
                |d: NaiveDate| d - Days::new(u64::from(d.weekday().num_days_from_monday()));
            (monday(to) - monday(from)).num_days() / 7 + 1
        }
        pb::SeriesInterval::Month => {
            let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
            months(to) - months(from) + 1
        }
    }
}

/// The interval a period's series starts at: days up to two months, weeks up to a year
/// and a bit (62 points each), months beyond; a year of days is a row of spikes. `None` for
/// dates that do not read.
fn readable_interval(from: &str, to: &str) -> Option<i32> {
    const READABLE_POINTS: i64 = 62;
    let (from, to) = (widgets::parse_date(from)?, widgets::parse_date(to)?);
    let interval = [pb::SeriesInterval::Day, pb::SeriesInterval::Week]
        .into_iter()
        .find(|i| steps(*i, from, to) <= READABLE_POINTS)
        .unwrap_or(pb::SeriesInterval::Month);
    Some(interval as i32)
}

/// `interval`, or the first longer one whose series over the period from `from` to `to`
/// has no more than the server's 1,000 points (months when none has).
fn fitting_interval(interval: i32, from: &str, to: &str) -> i32 {
    const LONGER: [pb::SeriesInterval; 3] = [
        pb::SeriesInterval::Day,
        pb::SeriesInterval::Week,
        pb::SeriesInterval::Month,
    ];
    let (Some(from), Some(to)) = (widgets::parse_date(from), widgets::parse_date(to)) else {
        return interval;
    };
    let Some(chosen) = LONGER.iter().position(|i| *i as i32 == interval) else {
        return interval;
    };
    LONGER[chosen..]
        .iter()
        .copied()
        .find(|i| steps(*i, from, to) <= MAX_POINTS)
        .unwrap_or(pb::SeriesInterval::Month) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A weekly point's hover says the days it covers: the first week cut to the period
    /// (a Thursday to its Sunday), a whole week Monday to Sunday, the last cut to the
    /// period's end.
    #[test]
    fn a_weeks_hover_says_the_days_it_covers() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let last = NaiveDate::from_ymd_opt(2026, 12, 8).expect("a date");
        assert_eq!(week_span("2026-01-01", last), "2026-01-01 至 2026-01-04");
        assert_eq!(week_span("2026-01-05", last), "2026-01-05 至 2026-01-11");
        assert_eq!(week_span("2026-12-07", last), "2026-12-07 至 2026-12-08");
        assert_eq!(week_span("—", last), "—");
    }

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

    #[test]
    fn a_period_starts_at_the_interval_that_draws_it_readably() {
        let day = pb::SeriesInterval::Day as i32;
        let week = pb::SeriesInterval::Week as i32;
        let month = pb::SeriesInterval::Month as i32;
        assert_eq!(readable_interval("2026-11-01", "2026-11-30"), Some(day));
        assert_eq!(readable_interval("2026-10-01", "2026-11-30"), Some(day));
        assert_eq!(readable_interval("2026-01-01", "2026-12-05"), Some(week));
        assert_eq!(readable_interval("2024-01-01", "2026-12-05"), Some(month));
        assert_eq!(readable_interval("2026-13-01", "2026-12-05"), None);
    }

    #[test]
    fn points_are_counted_as_the_server_counts_them() {
        let d = |s: &str| widgets::parse_date(s).expect("a date");
        let day = pb::SeriesInterval::Day as i32;
        let week = pb::SeriesInterval::Week as i32;
        let month = pb::SeriesInterval::Month as i32;
        // 2026-11-01 is a Sunday: its week, then four whole weeks and Monday the 30th's.
        assert_eq!(
            steps(pb::SeriesInterval::Week, d("2026-11-01"), d("2026-11-30")),
            6
        );
        assert_eq!(
            steps(pb::SeriesInterval::Month, d("2026-01-31"), d("2026-02-01")),
            2
        );
        assert_eq!(
            steps(pb::SeriesInterval::Day, d("2026-11-01"), d("2026-11-30")),
            30
        );
        // 1,000 days fit; 1,001 do not.
        assert_eq!(fitting_interval(day, "2024-01-01", "2026-09-26"), day);
        assert_eq!(fitting_interval(day, "2024-01-01", "2026-09-27"), week);
        // 7,000 days from a Sunday span 1,001 calendar weeks (the first and last clipped):
        // months, where counting days / 7 would have asked for 1,000 weeks.
        let text = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let from = d("2000-01-02");
        let to = from + Days::new(6999);
        assert_eq!(steps(pb::SeriesInterval::Week, from, to), 1001);
        assert_eq!(fitting_interval(week, &text(from), &text(to)), month);
        // From a Monday to a Sunday: 1,000 whole weeks.
        let monday = from + Days::new(1);
        let sunday = to + Days::new(1);
        assert_eq!(fitting_interval(week, &text(monday), &text(sunday)), week);
    }
}
