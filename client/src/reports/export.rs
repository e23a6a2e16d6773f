//! A report's Excel export (the arrears list's, the finance registers' and the batch
//! recall's too): where to (typed, chosen, or the download folder when empty), the
//! button, then a progress bar "已导出 n / total 行" with a Cancel button while the server
//! streams the file, and how it ended, with an offer to open the folder.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui::RichText;
use pharmacrm_shared::{Permission, pb};
use tokio::sync::oneshot;

use crate::api::files::{ExportOutcome, ExportTarget};
use crate::api::reports::ExportProgress;
use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{self, t, tn};
use crate::widgets;

/// The name the server gives a register's file (a finance register, the batch recall),
/// proposed before it is asked: `title`, then what `named` says of the filter (the
/// write-off kind, the batch and drug, the customer, the invoices' order), then the dates
/// filtered to — `from` and `to` as sent, `YYYY-MM-DD` or empty — "2026-11-01_2026-11-30",
/// "2026-11-01 起", "至 2026-11-30", or the business date exported on when neither is
/// given: "回款记录_长沙市第一医院_2026-11-01_2026-11-30.xlsx".
pub(crate) fn register_file_name(title: &str, named: &[&str], (from, to): (&str, &str)) -> String {
    let dates = match (from.is_empty(), to.is_empty()) {
        (false, false) => format!("{from}_{to}"),
        (false, true) => t("finance.export.since").replace("{date}", from),
        (true, false) => t("finance.export.until").replace("{date}", to),
        (true, true) => format::business_today_text(),
    };
    let mut name = title.to_owned();
    for part in named {
        name = format!(
            "{name}_{}",
            pharmacrm_shared::validation::file_name_part(part)
        );
    }
    format!("{name}_{dates}.xlsx")
}

/// One tab's export.
#[derive(Default)]
pub(crate) struct ExportBar {
    path: widgets::PathField,
    /// What the running export has written.
    progress: Arc<Mutex<ExportProgress>>,
    /// Dropping it cancels the running export.
    cancel: Option<oneshot::Sender<()>>,
    outcome: Requested<ExportOutcome>,
    /// The report last drawn: another one (other filters) makes the last outcome stale.
    shown: Option<pb::export_request::Report>,
    /// Why the button is disabled when there is no report to export, said on hover
    /// (empty: nothing said).
    pub(crate) unavailable: &'static str,
}

impl ExportBar {
    /// Forgets how the last export ended (the report on screen has changed since), unless
    /// one is still running.
    pub(crate) fn forget_outcome(&mut self) {
        if !self.outcome.is_pending() {
            self.outcome = Requested::NotRequested;
        }
    }

    /// Draws the export of `report` (the report on screen; `None` before one is shown),
    /// proposed as `file_name`; nothing without `report.export`. How the last export
    /// ended is forgotten when `report` changes (its filters did).
    pub(crate) fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        report: Option<pb::export_request::Report>,
        file_name: &str,
    ) {
        if !ctx.can(Permission::ReportExport) {
            return;
        }
        if self.shown != report {
            self.forget_outcome();
            self.shown.clone_from(&report);
        }
        if !matches!(self.outcome.poll(), Polled::Unchanged) {
            self.cancel = None;
        }
        let exporting = self.outcome.is_pending();
        let mut clicked = false;
        ui.horizontal_wrapped(|ui| {
            self.path.labelled(
                ui,
                ctx,
                t("report.export.path"),
                widgets::Purpose::Save(file_name),
                &widgets::export_hint(),
                300.0,
            );
            if exporting {
                let progress = self.progress.lock().expect("lock").clone();
                ui.add(
                    egui::ProgressBar::new(fraction(&progress))
                        .desired_width(220.0)
                        .text(progress_text(&progress)),
                );
                // Dropping the sender closes the stream: the server stops, the part
                // received is deleted.
                if ui
                    .add_enabled(self.cancel.is_some(), egui::Button::new(t("common.cancel")))
                    .clicked()
                {
                    self.cancel = None;
                }
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            } else {
                let mut response =
                    ui.add_enabled(report.is_some(), egui::Button::new(t("report.export")));
                if !self.unavailable.is_empty() {
                    response = response.on_disabled_hover_text(self.unavailable);
                }
                // Not by a double click's second click: a small export is done by then,
                // and a second file was written beside the first.
                if response.clicked() && !response.double_clicked() {
                    // The last export's outcome is not this one's (under the question
                    // whether to replace a file, it read as done already).
                    self.outcome = Requested::NotRequested;
                    clicked = true;
                }
            }
        });
        if let Some(target) = self.path.save_target(ui, clicked, file_name)
            && let Some(report) = report
        {
            self.start(ctx, report, target);
        }
        self.outcome_ui(ui);
    }

    fn start(&mut self, ctx: &AppCtx, report: pb::export_request::Report, target: ExportTarget) {
        let (cancel, cancelled) = oneshot::channel();
        self.progress = Arc::default();
        self.cancel = Some(cancel);
        self.outcome.request(ctx.reports().export(
            pb::ExportRequest {
                report: Some(report),
                // The sheet in the language the user reads the screen in.
                language_code: i18n::either("zh-CN", "en").into(),
            },
            target,
            self.progress.clone(),
            cancelled,
        ));
    }

    /// How the last export ended.
    fn outcome_ui(&mut self, ui: &mut egui::Ui) {
        match &self.outcome {
            Requested::Done(ExportOutcome::Saved {
                path,
                rows,
                replaced,
            }) => {
                // A file already there was replaced: said so.
                let key = if *replaced {
                    "report.export.replaced"
                } else {
                    "report.export.saved"
                };
                let text = tn(key, *rows).replace("{path}", &path.display().to_string());
                widgets::saved_path_ui(ui, path, &text);
            }
            Requested::Done(ExportOutcome::Cancelled) => {
                ui.label(RichText::new(t("report.export.cancelled")).weak());
            }
            Requested::Done(ExportOutcome::FileError { path, error }) => {
                ui.label(
                    RichText::new(widgets::file_error_text(path, error)).color(widgets::ERROR),
                );
            }
            Requested::Done(ExportOutcome::Incomplete) => {
                ui.label(RichText::new(t("report.export.incomplete")).color(widgets::ERROR));
            }
            Requested::Failed { error, .. } => widgets::error_line(ui, error),
            Requested::NotRequested | Requested::Stale(_) | Requested::Pending { .. } => {}
        }
    }
}

/// How much of the file is written, 0 to 1.
fn fraction(progress: &ExportProgress) -> f32 {
    if progress.total == 0 {
        0.0
    } else {
        (progress.rows as f32 / progress.total as f32).clamp(0.0, 1.0)
    }
}

/// "已导出 120 / 1,000 行", or "正在准备导出…" before the first rows.
fn progress_text(progress: &ExportProgress) -> String {
    if progress.total == 0 {
        t("report.export.starting").to_owned()
    } else {
        tn("report.export.progress", progress.total)
            .replace("{done}", &format::count(progress.rows))
    }
}
