//! 对账: the statement (对账单) of one customer, or of every customer within scope, for a
//! period (this month unless changed), optionally only the documents of one handler
//! (经手人). Per customer: the opening balance, every movement with its running balance,
//! the period's debits, credits and closing balance, and the ageing at the period's end;
//! then the totals of the whole selection. The same statement exports to Excel, and a
//! customer's period is confirmed as reconciled (对账确认) with the closing balance shown.

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{bracketed, label_value, t, tn};
use crate::orders::CustomerPicker;
use crate::reports::export::{ExportBar, register_file_name};
use crate::widgets::{
    self, Cell, DataTable, FieldErrors, TableColumn, Unsaved, cells, choice_label,
};

/// The filters as typed (the customer is its picker's).
#[derive(Clone, Debug, PartialEq)]
struct Filter {
    date_from: String,
    date_to: String,
    /// 0: every handler.
    handler_id: i64,
}

/// The reconciliation dialog: the customer and period of the statement shown, the closing
/// balance the user checked, and a note.
#[derive(Clone, Debug, PartialEq)]
struct ReconcileDialog {
    customer_id: i64,
    customer_name: String,
    date_from: String,
    date_to: String,
    closing: String,
    note: String,
}

/// The dialog reopening a customer's latest reconciled period: whose, through when (as
/// the statement shows it), and why.
#[derive(Clone, Debug, PartialEq)]
struct ReopenDialog {
    customer_id: i64,
    customer_name: String,
    through: String,
    reason: String,
}

/// What a customer's statement asked for.
enum CustomerAction {
    /// 对账确认 of the period shown.
    Confirm,
    /// 撤销确认 of the latest reconciled period.
    Reopen,
}

/// The statement tab.
pub(super) struct StatementPanel {
    filter: Filter,
    customer: CustomerPicker,
    reps: Requested<Vec<pb::UserRef>>,
    statement: Requested<pb::Statement>,
    /// The request of the statement asked for last, and of the one shown.
    asked: Option<pb::StatementRequest>,
    shown: Option<pb::StatementRequest>,
    export: ExportBar,
    reconcile: Option<ReconcileDialog>,
    reconcile_errors: FieldErrors,
    reconciling: Requested<pb::Reconciliation>,
    /// The last period confirmed or reopened here.
    reconciled: Option<pb::Reconciliation>,
    reopen: Option<ReopenDialog>,
    reopen_errors: FieldErrors,
    reopening: Requested<pb::Reconciliation>,
    /// The reconciliations (对账记录) of the customer whose statement is shown, and whose
    /// they are (`None`: to read again).
    history: Requested<pb::ListReconciliationsResponse>,
    history_of: Option<i64>,
}

impl Default for StatementPanel {
    /// This month, every customer, every handler.
    fn default() -> Self {
        let (date_from, date_to) = crate::format::month_to_date();
        StatementPanel {
            filter: Filter {
                date_from,
                date_to,
                handler_id: 0,
            },
            customer: CustomerPicker::default(),
            reps: Requested::NotRequested,
            statement: Requested::NotRequested,
            asked: None,
            shown: None,
            export: ExportBar::default(),
            reconcile: None,
            reconcile_errors: FieldErrors::default(),
            reconciling: Requested::NotRequested,
            reconciled: None,
            reopen: None,
            reopen_errors: FieldErrors::default(),
            reopening: Requested::NotRequested,
            history: Requested::NotRequested,
            history_of: None,
        }
    }
}

impl Unsaved for StatementPanel {
    /// Whether the reconciliation dialog holds a note, or the reopening one a reason.
    fn is_dirty(&self) -> bool {
        self.reconcile
            .as_ref()
            .is_some_and(|d| !d.note.trim().is_empty())
            || self
                .reopen
                .as_ref()
                .is_some_and(|d| !d.reason.trim().is_empty())
    }
}

impl StatementPanel {
    /// The request the filters make: dates as typed are read (`2026/12/01`), what is not a
    /// date is sent for the server to name.
    fn request(&self) -> pb::StatementRequest {
        pb::StatementRequest {
            customer_id: self.customer.id(),
            date_from: widgets::normalize_date(&self.filter.date_from),
            date_to: widgets::normalize_date(&self.filter.date_to),
            handler_id: (self.filter.handler_id != 0).then_some(self.filter.handler_id),
        }
    }

    fn run(&mut self, ctx: &AppCtx, request: pb::StatementRequest) {
        // Another statement: where the last one was exported, and the period confirmed
        // from the last, no longer describe it.
        if self.shown.as_ref() != Some(&request) {
            self.export.forget_outcome();
            self.reconciled = None;
        }
        self.asked = Some(request.clone());
        self.statement.request(ctx.finance().get_statement(request));
    }

    /// Reads the reconciliations of the customer whose statement is shown, once (again
    /// after a confirmation or a reopening here).
    fn load_history(&mut self, ctx: &AppCtx) {
        let shown = self.shown.as_ref().and_then(|s| s.customer_id);
        if shown != self.history_of {
            self.history_of = shown;
            self.history = Requested::NotRequested;
            if let Some(customer_id) = shown
                && ctx.can(Permission::FinanceRead)
            {
                self.history.request(
                    ctx.finance()
                        .list_reconciliations(pb::ListReconciliationsRequest { customer_id }),
                );
            }
        }
        self.history.poll();
    }

    /// Runs the statement shown again, as it was run (the tab shown again); nothing before
    /// one was shown, nor while one asked for is on its way.
    pub(super) fn rerun(&mut self, ctx: &AppCtx) {
        // A statement asked for and not yet come (new filters) is the one to wait for.
        if self.statement.is_pending() {
            return;
        }
        if let Some(request) = self.shown.clone() {
            self.run(ctx, request);
        }
    }

    /// Whether the filters were edited since the statement shown was run.
    fn edited(&self) -> bool {
        self.shown
            .as_ref()
            .is_some_and(|shown| *shown != self.request())
    }

    /// Draws the tab.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        super::load_reps(&mut self.reps, ctx, super::RepRole::Handlers);
        // Opened for the first time: this month so far, every customer within scope.
        if matches!(self.statement, Requested::NotRequested) && self.shown.is_none() {
            let request = self.request();
            self.run(ctx, request);
        }
        if let Polled::JustDone = self.statement.poll() {
            self.shown = self.asked.clone();
        }
        let reopened = self.reopen_errors.poll(&mut self.reopening);
        if reopened {
            self.reopen = None;
        }
        if self.reconcile_errors.poll(&mut self.reconciling) || reopened {
            for done in [&mut self.reconciling, &mut self.reopening] {
                if let Requested::Done(done) = std::mem::take(done) {
                    self.reconciled = Some(done);
                }
            }
            self.reconcile = None;
            self.history_of = None;
            // The statement now shows the period reconciled: an export made before does not.
            self.export.forget_outcome();
            if let Some(shown) = self.shown.clone() {
                self.run(ctx, shown);
            }
        }
        self.load_history(ctx);
        self.filters_ui(ui, ctx);
        self.export_ui(ui, ctx);
        if let Some(done) = &self.reconciled {
            let said = if done.reopened_at.is_some() {
                t("statement.reopened_done")
            } else {
                t("statement.reconciled_done")
            };
            ui.label(
                RichText::new(label_value(
                    said,
                    &format!("{} – {}", done.date_from, done.date_to),
                ))
                .color(crate::widgets::SUCCESS),
            );
        }
        // A refused period names its fields by their labels.
        widgets::filters_status(
            ui,
            &self.statement,
            &[
                ("date_from", t("statement.date_from")),
                ("date_to", t("common.end_date")),
            ],
        );
        let Some(statement) = self.statement.value().cloned() else {
            return;
        };
        let shown = self.shown.clone().unwrap_or_default();
        // Filters edited since the run: the figures below are of the filters before.
        if self.statement.error().is_none() && !self.statement.is_pending() && self.edited() {
            ui.label(RichText::new(t("statement.filters_changed")).color(widgets::WARNING));
        }
        let history: Vec<pb::Reconciliation> = (self.history.value())
            .map(|h| h.reconciliations.clone())
            .unwrap_or_default();
        // A customer's period can be confirmed from a statement of that customer alone,
        // with every handler's documents, once the period is over (the server refuses a
        // period ending today: the day may still take entries).
        let may_reconcile = ctx.can(Permission::FinanceReconcile) && shown.customer_id.is_some();
        let over = statement.date_to < crate::format::business_today_text();
        let reconcilable = may_reconcile && shown.handler_id.is_none() && over;
        // The handler filtered on, by name ("（已停用）" after one who left); empty for all.
        let handler = format::person_named(&statement.handler, statement.handler_inactive);
        let mut confirm = None;
        let mut reopen = None;
        let mut start_from = None;
        egui::ScrollArea::vertical()
            .id_salt("statement_scroll")
            .auto_shrink([false, true])
            .show(ui, |ui| {
                let mut period = label_value(
                    t("statement.period"),
                    &format!("{} – {}", statement.date_from, statement.date_to),
                );
                if !handler.is_empty() {
                    period = format!(
                        "{period}  {}",
                        label_value(t("statement.handler"), &handler)
                    );
                }
                ui.label(RichText::new(period).weak());
                if statement.rows_truncated {
                    ui.label(RichText::new(t("statement.truncated")).color(widgets::WARNING));
                }
                if statement.customers.is_empty() {
                    ui.label(RichText::new(t("statement.empty")).weak());
                }
                for c in &statement.customers {
                    ui.separator();
                    // A period reconciled already (just now, say) is not offered again,
                    // and periods follow each other: the next starts the day after.
                    let next = next_period_start(&c.reconciled_through);
                    let done = !c.reconciled_through.is_empty()
                        && c.reconciled_through >= statement.date_to;
                    let follows = next.as_ref().is_none_or(|n| *n == statement.date_from);
                    // Why 对账确认 is greyed, if it is (it stays in its place: appearing
                    // after a reopening, it took the click meant for 对账记录 below).
                    let why_not = if !may_reconcile {
                        None
                    } else if shown.handler_id.is_some() {
                        Some(t("statement.reconcile_no_handler").to_owned())
                    } else if !over {
                        Some(t("statement.reconcile_not_over").to_owned())
                    } else if done {
                        Some(t("statement.reconcile_done"))
                            .map(|s| s.replace("{date}", &c.reconciled_through))
                    } else {
                        next.as_ref()
                            .filter(|_| !follows)
                            .map(|n| t("statement.reconcile_next").replace("{next}", n))
                    };
                    let offered = customer_ui(ui, c, &handler, may_reconcile, why_not);
                    match offered {
                        Some(CustomerAction::Confirm) => confirm = Some(c.clone()),
                        Some(CustomerAction::Reopen) => reopen = Some(c.clone()),
                        None => {}
                    }
                    if let Some(next) = next.filter(|_| reconcilable && !done && !follows) {
                        // Said, and done in one click: the statement run again from that
                        // day (the export and the confirmation then cover the same days).
                        ui.horizontal_wrapped(|ui| {
                            let said = t("statement.reconcile_next").replace("{next}", &next);
                            ui.label(RichText::new(said).weak());
                            let from = t("statement.run_from").replace("{next}", &next);
                            if ui.button(from).clicked() {
                                start_from = Some(next.clone());
                            }
                        });
                    }
                    if may_reconcile && shown.handler_id.is_some() {
                        ui.label(RichText::new(t("statement.reconcile_no_handler")).weak());
                    } else if may_reconcile && !over {
                        ui.label(RichText::new(t("statement.reconcile_not_over")).weak());
                    } else if may_reconcile && done {
                        // Said beside the greyed 对账确认, as the other reasons are.
                        let said =
                            t("statement.reconcile_done").replace("{date}", &c.reconciled_through);
                        ui.label(RichText::new(said).weak());
                    }
                    if shown.customer_id == Some(c.customer_id) {
                        history_ui(ui, &history);
                    }
                }
                // One customer's figures are the selection's: said once.
                if statement.customers.len() > 1 {
                    ui.separator();
                    ui.heading(t("statement.selection_totals"));
                    super::totals_line(
                        ui,
                        &[
                            (&opening_label(&handler), statement.opening.as_str()),
                            (t("statement.debits"), statement.debits.as_str()),
                            (t("statement.credits"), statement.credits.as_str()),
                            (&closing_label(&handler), statement.closing.as_str()),
                        ],
                    );
                    let ageing = statement.ageing.clone().unwrap_or_default();
                    ageing_heading(ui, &ageing, &handler);
                    super::ageing_table(ui, "statement_selection_ageing", &ageing);
                }
            });
        if let Some(next) = start_from {
            // The statement shown, from the day the next period starts.
            self.filter.date_from = next.clone();
            let request = pb::StatementRequest {
                date_from: next,
                ..shown.clone()
            };
            self.run(ctx, request);
        }
        if let Some(c) = confirm {
            self.reconcile = Some(ReconcileDialog {
                customer_id: c.customer_id,
                customer_name: c.customer_name,
                date_from: statement.date_from.clone(),
                date_to: statement.date_to.clone(),
                closing: c.closing,
                note: String::new(),
            });
            self.reconcile_errors.set(None);
        }
        if let Some(c) = reopen {
            self.reopen = Some(ReopenDialog {
                customer_id: c.customer_id,
                customer_name: c.customer_name,
                through: c.reconciled_through,
                reason: String::new(),
            });
            self.reopen_errors.set(None);
        }
        self.reconcile_ui(ui.ctx(), ctx);
        self.reopen_ui(ui.ctx(), ctx);
    }

    /// The filter bar and the query button. Picking a customer runs their statement at
    /// once (one customer's is quick); dates and the handler wait for 查询.
    fn filters_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let mut run = false;
        let customer_before = self.customer.id();
        ui.horizontal_wrapped(|ui| {
            widgets::period_filter(
                ui,
                "statement",
                (t("statement.date_from"), &mut self.filter.date_from),
                (t("finance.date_to"), &mut self.filter.date_to),
            );
            if ctx.can(Permission::CustomerRead) {
                widgets::combo(
                    ui,
                    "statement_handler",
                    t("statement.handler"),
                    &mut self.filter.handler_id,
                    &super::rep_choices(&self.reps, t("finance.all")),
                );
            }
            // Enabled while one runs: the last asked for is the one shown.
            run = ui.button(t("statement.run")).clicked();
            // Last: the customers found as it is typed move nothing after them (查询).
            if ctx.can(Permission::CustomerRead) {
                self.customer.filter_ui(ui, ctx, t("finance.customer"));
            }
        });
        let picked = self.customer.id();
        run |= picked.is_some() && picked != customer_before;
        if self.customer.id().is_none() && ctx.can(Permission::CustomerRead) {
            ui.label(RichText::new(t("statement.all_customers")).weak());
        }
        if run {
            let request = self.request();
            self.run(ctx, request);
        }
    }

    /// The export of the statement shown ([`ExportBar`]: where to, the button, progress
    /// while the server streams the file, how it went), in Chinese whatever the UI's
    /// language (it goes to the customer), proposed as the server names it:
    /// "对账单_北京协和医院_2026-11-01_2026-11-30.xlsx".
    fn export_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        // Not while the filters were refused, nor once edited since the run: the
        // statement shown is the last one run, not the one they now ask for (a period
        // typed and not run exported the one before).
        let not_shown = self.statement.error().is_some() || self.edited();
        let shown = self.shown.clone().filter(|_| !not_shown);
        // The customer picked is the one shown (the filters are as run).
        let mut named: Vec<&str> = shown
            .as_ref()
            .and_then(|r| r.customer_id)
            .and(self.customer.name())
            .into_iter()
            .collect();
        // And the handler filtered on, as the server names it.
        if let Some(handler) = shown.as_ref().and_then(|r| r.handler_id)
            && let Some(rep) = self
                .reps
                .value()
                .and_then(|reps| reps.iter().find(|r| r.id == handler))
        {
            named.push(&rep.name);
        }
        let dates = shown
            .as_ref()
            .map_or(("", ""), |r| (r.date_from.as_str(), r.date_to.as_str()));
        let file_name = register_file_name("对账单", &named, dates);
        self.export.unavailable = t("statement.export_refused");
        // Whatever the UI's language: said to those who do not read it.
        if crate::i18n::lang() != crate::i18n::Lang::Zh && ctx.can(Permission::ReportExport) {
            ui.label(RichText::new(t("statement.export_in_chinese")).weak());
        }
        self.export.ui(
            ui,
            ctx,
            shown.map(pb::export_request::Report::Statement),
            &file_name,
        );
    }

    /// The reconciliation dialog: the customer, period and closing balance confirmed,
    /// and a note.
    fn reconcile_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        let Some(dialog) = &mut self.reconcile else {
            return;
        };
        let busy = self.reconciling.is_pending();
        let mut rerun = false;
        let errors = &mut self.reconcile_errors;
        // Entries dated in the period came in since the statement was run: its closing
        // balance is not the one shown, which the server names.
        let stale = errors
            .error()
            .is_some_and(|e| e.fields.iter().any(|f| f.field == "closing_balance"));
        let yes = t("statement.reconcile_confirm");
        let answer = widgets::form_dialog(egui_ctx, "reconcile", 400.0, yes, busy, |ui| {
            ui.heading(t("statement.reconcile"));
            ui.label(RichText::new(&dialog.customer_name).strong());
            ui.label(label_value(
                t("statement.period"),
                &format!("{} – {}", dialog.date_from, dialog.date_to),
            ));
            ui.label(
                RichText::new(label_value(
                    t("statement.closing"),
                    &format::money(&dialog.closing),
                ))
                .strong(),
            );
            ui.label(RichText::new(t("statement.reconcile_question")).weak());
            let submitted = widgets::form(ui, "reconcile_form", errors, |f| {
                f.multiline(t("finance.note"), "note", &mut dialog.note);
            })
            .submitted;
            if stale {
                rerun = ui.button(t("statement.rerun")).clicked();
            }
            submitted
        });
        if answer == widgets::DialogAnswer::Close {
            self.reconcile = None;
            return;
        }
        if answer == widgets::DialogAnswer::Submit {
            let request = pb::ReconcileRequest {
                customer_id: dialog.customer_id,
                date_from: dialog.date_from.clone(),
                date_to: dialog.date_to.clone(),
                closing_balance: dialog.closing.clone(),
                note: dialog.note.trim().to_owned(),
            };
            self.reconciling.request(ctx.finance().reconcile(request));
        } else if rerun && !busy {
            // The statement as it is now; confirming it again opens the dialog anew.
            self.reconcile = None;
            self.reconcile_errors.set(None);
            if let Some(shown) = self.shown.clone() {
                self.run(ctx, shown);
            }
        }
    }

    /// The dialog reopening a customer's latest reconciled period: what it does, and why
    /// (required).
    fn reopen_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        let Some(dialog) = &mut self.reopen else {
            return;
        };
        let busy = self.reopening.is_pending();
        let errors = &mut self.reopen_errors;
        let yes = t("statement.reopen");
        let answer =
            widgets::form_dialog(egui_ctx, "reopen_reconciliation", 400.0, yes, busy, |ui| {
                ui.set_max_width(480.0);
                ui.heading(t("statement.reopen"));
                ui.label(RichText::new(&dialog.customer_name).strong());
                ui.label(label_value(
                    t("statement.reconciled_through"),
                    &dialog.through,
                ));
                ui.label(RichText::new(t("statement.reopen_question")).weak());
                widgets::form(ui, "reopen_form", errors, |f| {
                    f.required(&["reason"]);
                    f.multiline(t("statement.reopen_reason"), "reason", &mut dialog.reason);
                })
                .submitted
            });
        if answer == widgets::DialogAnswer::Close {
            self.reopen = None;
            return;
        }
        if answer == widgets::DialogAnswer::Submit {
            let request = pb::ReopenReconciliationRequest {
                customer_id: dialog.customer_id,
                reconciled_through: dialog.through.clone(),
                reason: dialog.reason.trim().to_owned(),
            };
            self.reopening
                .request(ctx.finance().reopen_reconciliation(request));
        }
    }
}

/// The day after `through` (`YYYY-MM-DD`), where the next reconciled period starts; `None`
/// when nothing was reconciled yet (the first period may start anywhere).
fn next_period_start(through: &str) -> Option<String> {
    let through = widgets::parse_date(through)?;
    Some(through.succ_opt()?.format("%Y-%m-%d").to_string())
}

/// "账龄（截至 2026-11-30）"; under a statement of one handler's documents (`handler` their
/// name, empty for all), that the ageing is still the customer's whole debt.
fn ageing_heading(ui: &mut egui::Ui, ageing: &pb::Ageing, handler: &str) {
    ui.label(
        RichText::new(bracketed(
            t("statement.ageing"),
            &label_value(t("statement.as_of"), &ageing.as_of),
        ))
        .strong(),
    );
    if !handler.is_empty() {
        ui.label(RichText::new(t("statement.ageing_whole")).weak());
    }
}

/// "期初余额", or for one handler's documents (`handler` their name) what it is there: the
/// sum of their documents before the period, not the customer's balance.
fn opening_label(handler: &str) -> String {
    if handler.is_empty() {
        t("statement.opening").to_owned()
    } else {
        t("statement.opening_of_handler").replace("{handler}", handler)
    }
}

/// "期末余额", or for one handler's documents their sum at the period's end.
fn closing_label(handler: &str) -> String {
    if handler.is_empty() {
        t("statement.closing").to_owned()
    } else {
        t("statement.closing_of_handler").replace("{handler}", handler)
    }
}

/// A customer's reconciliations (对账记录), folded under its statement: each period with
/// the closing balance confirmed, who confirmed it and when, the note, and, reopened, by
/// whom, when and why (they were said nowhere on screen).
fn history_ui(ui: &mut egui::Ui, history: &[pb::Reconciliation]) {
    if history.is_empty() {
        return;
    }
    ui.add_space(4.0);
    egui::CollapsingHeader::new(tn("statement.history", history.len() as u64))
        .id_salt("statement_history")
        .show(ui, |ui| {
            let who_when = |by: &str, at: Option<&prost_types::Timestamp>| {
                format!("{by}  {}", format::timestamp(at))
            };
            let columns = [
                TableColumn::text(
                    t("statement.period"),
                    cells(history, |r| format!("{} – {}", r.date_from, r.date_to)),
                ),
                TableColumn::money(
                    t("statement.closing"),
                    cells(history, |r| r.closing_balance.clone()),
                ),
                TableColumn::text(
                    t("statement.confirmed_by"),
                    cells(history, |r| who_when(&r.created_by, r.created_at.as_ref())),
                ),
                TableColumn::text(t("finance.note"), cells(history, |r| r.note.clone())),
                TableColumn::text(
                    t("statement.reopened"),
                    cells(history, |r| {
                        if r.reopened_at.is_none() {
                            String::new()
                        } else {
                            label_value(
                                &who_when(&r.reopened_by, r.reopened_at.as_ref()),
                                &r.reopen_reason,
                            )
                        }
                    }),
                ),
            ];
            DataTable::new("statement_history_table", &columns).show(ui);
        });
}

/// An amount of a debit or credit column: empty when zero (the other column has it).
fn unless_zero(amount: &str) -> String {
    if super::is_positive(amount) || super::is_negative(amount) {
        amount.to_owned()
    } else {
        String::new()
    }
}

/// One customer's statement, of every document or only `handler`'s (their name; empty
/// for all); what was clicked: 撤销确认, or "对账确认" (shown to who `may_reconcile`,
/// greyed with `why_not` on hover when the period cannot be confirmed).
fn customer_ui(
    ui: &mut egui::Ui,
    c: &pb::CustomerStatement,
    handler: &str,
    may_reconcile: bool,
    why_not: Option<String>,
) -> Option<CustomerAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.heading(&c.customer_name);
        if !c.sales_rep.is_empty() {
            ui.label(label_value(t("finance.sales_rep"), &c.sales_rep));
        }
        ui.label(
            RichText::new(label_value(
                &opening_label(handler),
                &format::money(&c.opening),
            ))
            .strong(),
        );
        if !c.reconciled_through.is_empty() {
            ui.label(
                RichText::new(label_value(
                    t("statement.reconciled_through"),
                    &c.reconciled_through,
                ))
                .weak(),
            );
            // A period confirmed by mistake is reopened, the latest first.
            if may_reconcile
                && ui
                    .small_button(t("statement.reopen"))
                    .on_hover_text(t("statement.reopen_hint"))
                    .clicked()
            {
                action = Some(CustomerAction::Reopen);
            }
        }
    });
    let rows = &c.rows;
    if rows.is_empty() {
        ui.label(RichText::new(t("statement.no_movements")).weak());
    } else {
        let columns = [
            TableColumn::text(t("statement.date"), cells(rows, |r| r.date.clone())),
            TableColumn::text(
                t("statement.kind"),
                cells(rows, |r| {
                    choice_label::<pb::MovementKind>(r.kind).to_owned()
                }),
            ),
            TableColumn::text(
                t("statement.document_no"),
                cells(rows, |r| r.document_no.clone()),
            ),
            TableColumn::text(
                t("finance.order_number"),
                cells(rows, |r| r.order_number.clone()),
            ),
            TableColumn::text(t("statement.due_date"), cells(rows, |r| r.due_date.clone())),
            TableColumn::money(t("statement.debit"), cells(rows, |r| unless_zero(&r.debit))),
            TableColumn::money(
                t("statement.credit"),
                cells(rows, |r| unless_zero(&r.credit)),
            ),
            TableColumn::money(
                if handler.is_empty() {
                    t("statement.balance")
                } else {
                    t("statement.running_total")
                },
                rows.iter()
                    .map(|r| {
                        let colour = super::is_negative(&r.balance).then_some(widgets::WARNING);
                        Cell::coloured(r.balance.clone(), colour)
                    })
                    .collect(),
            ),
            TableColumn::text(
                t("statement.handler"),
                cells(rows, |r| {
                    format::person_named(&r.handler, r.handler_inactive)
                }),
            ),
        ];
        DataTable::new(&format!("statement_rows_{}", c.customer_id), &columns)
            .aligned("statement_rows")
            .show(ui);
    }
    super::totals_line(
        ui,
        &[
            (t("statement.debits"), c.debits.as_str()),
            (t("statement.credits"), c.credits.as_str()),
            (&closing_label(handler), c.closing.as_str()),
        ],
    );
    let ageing = c.ageing.clone().unwrap_or_default();
    ageing_heading(ui, &ageing, handler);
    super::ageing_table(ui, &format!("statement_ageing_{}", c.customer_id), &ageing);
    if may_reconcile {
        let button = ui.add_enabled(
            why_not.is_none(),
            egui::Button::new(t("statement.reconcile")),
        );
        if button
            .on_disabled_hover_text(why_not.unwrap_or_default())
            .clicked()
        {
            action = Some(CustomerAction::Confirm);
        }
    }
    action
}
