//! 异常反馈情况: the transport exceptions reported in a period, grouped by kind, decision,
//! customer, CS rep or drug: how many and the value of the goods concerned, as bars and a
//! table. Kinds and decisions come as codes and show in the UI's language.

use pharmacrm_shared::pb;

use super::chart::{self, Values};
use super::frame::{self, Column, Frame, Period, RowClick, cells, count};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets::{self, Choice};

/// The exceptions tab.
pub(super) struct ExceptionsTab {
    /// A `pb::ExceptionGrouping`.
    group_by: i32,
    pub(super) frame: Frame<pb::ExceptionsRequest>,
}

impl Default for ExceptionsTab {
    fn default() -> Self {
        ExceptionsTab {
            group_by: pb::ExceptionGrouping::Kind as i32,
            frame: Frame::new("value").with_ranking(),
        }
    }
}

impl ExceptionsTab {
    /// The report the filters ask for.
    fn request(&self, period: &Period) -> pb::ExceptionsRequest {
        pb::ExceptionsRequest {
            date_from: period.date_from(),
            date_to: period.date_to(),
            group_by: self.group_by,
            ..Default::default()
        }
    }

    /// Draws the tab; `title` names its export.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, title: &str, period: &mut Period) {
        self.frame.poll();
        // Another grouping is another report: run at once.
        let mut regrouped = false;
        let run = self
            .frame
            .period_bar(ui, "report_exceptions", period, |ui| {
                regrouped = widgets::combo(
                    ui,
                    "report_exceptions_group",
                    t("report.group_by"),
                    &mut self.group_by,
                    &widgets::choices::<pb::ExceptionGrouping>(),
                );
            });
        if run || regrouped {
            self.frame.run_for(ctx, self.request(period), period);
        }
        let Some(report) = self.frame.shown_ui(ui, ctx, title, Some(period)) else {
            return;
        };
        // The grouping of the report shown (not the one just chosen).
        let grouping = self.frame.shown().map_or(self.group_by, |r| r.group_by);
        let rows = &report.rows;
        let labels: Vec<String> = rows.iter().map(|r| label(grouping, r)).collect();
        // The groups of highest value: from the first page in the report's own order (by
        // value), of the same grouping as the report shown.
        let top = self.frame.top_bars(|ranking| {
            ranking
                .rows
                .iter()
                .map(|r| (label(grouping, r), frame::value(&r.value)))
                .collect()
        });
        if let Some(height) = frame::chart_height(ui, rows.len(), true) {
            chart::bars(
                ui,
                "report_exceptions_bars",
                t("report.chart.exception_value"),
                &top,
                Values::Money,
                height,
            );
        }
        let columns = [
            Column::text(group_header(grouping), labels)
                .sorts_by("label")
                .total(t("report.totals")),
            Column::count(t("report.count"), cells(rows, |r| count(r.count)))
                .sorts_by("count")
                .total(count(report.count)),
            Column::money(t("report.value"), cells(rows, |r| r.value.clone()))
                .sorts_by("value")
                .total(report.value.clone()),
        ];
        self.frame.table_ui(
            ui,
            ctx,
            "report_exceptions_table",
            &columns,
            Some(report.total),
            RowClick::Nothing,
        );
    }
}

/// The header of the group column (the export's file name says it too).
pub(super) fn group_header(grouping: i32) -> &'static str {
    match pb::ExceptionGrouping::try_from(grouping) {
        Ok(pb::ExceptionGrouping::Decision) => t("report.exception.decision"),
        Ok(pb::ExceptionGrouping::Customer) => t("report.customer"),
        Ok(pb::ExceptionGrouping::CsRep) => t("report.cs_rep"),
        Ok(pb::ExceptionGrouping::SalesRep) => t("report.exception.sales_rep"),
        Ok(pb::ExceptionGrouping::Drug) => t("report.drug"),
        Ok(pb::ExceptionGrouping::Kind) | Err(_) => t("report.exception.kind"),
    }
}

/// What a group shows: a kind or decision in the UI's language (the code itself when
/// this client does not know it), else the name the server sent.
fn label(grouping: i32, row: &pb::ExceptionsRow) -> String {
    let code = row.key.to_uppercase();
    let known = match pb::ExceptionGrouping::try_from(grouping) {
        Ok(pb::ExceptionGrouping::Kind) => {
            pb::ExceptionKind::from_str_name(&format!("EXCEPTION_KIND_{code}")).map(|k| k.label())
        }
        Ok(pb::ExceptionGrouping::Decision) => {
            pb::ExceptionDecision::from_str_name(&format!("EXCEPTION_DECISION_{code}"))
                .map(|d| crate::orders::decision_label(d as i32))
        }
        _ => None,
    };
    match known {
        Some(text) if !text.is_empty() => text.to_owned(),
        // A rep who left says so.
        _ if !row.label.is_empty() => crate::format::person_named(&row.label, row.inactive),
        _ => row.key.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_decisions_show_in_the_uis_language_and_names_as_sent() {
        let row = |key: &str, label: &str| pb::ExceptionsRow {
            key: key.into(),
            label: label.into(),
            ..Default::default()
        };
        let kind = pb::ExceptionGrouping::Kind as i32;
        let decision = pb::ExceptionGrouping::Decision as i32;
        let customer = pb::ExceptionGrouping::Customer as i32;
        assert_eq!(
            label(kind, &row("damaged", "")),
            t("exception.kind.damaged")
        );
        assert_eq!(
            label(decision, &row("pending", "")),
            t("exception.decision.pending")
        );
        assert_eq!(
            label(decision, &row("deduct", "")),
            t("exception.decision.deduct")
        );
        assert_eq!(label(kind, &row("melted", "")), "melted");
        assert_eq!(label(customer, &row("17", "北京协和医院")), "北京协和医院");
        // A rep who left says so.
        let left = pb::ExceptionsRow {
            inactive: true,
            ..row("9", "赵营销")
        };
        let sales_rep = pb::ExceptionGrouping::SalesRep as i32;
        assert_eq!(
            label(sales_rep, &left),
            crate::i18n::bracketed("赵营销", t("common.person_disabled"))
        );
    }
}
