//! The customer view's follow-up tab: the follow-ups, newest first; a new one added, one
//! corrected or deleted.

use pharmacrm_shared::{Permission, pb};

use egui::RichText;

use super::records::{FormButton, Records};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t};
use crate::widgets::{self, Unsaved, choice_label};

#[derive(Clone, PartialEq)]
struct Draft {
    method: i32,
    content: String,
    result: String,
    next_on: String,
    /// When it happened, as typed in the business time zone (`2026-12-05 10:00`): empty
    /// for now (a new one's default: a visit recorded the day after is dated back).
    happened_at: String,
}

impl Draft {
    fn from(f: &pb::Followup) -> Draft {
        Draft {
            method: f.method,
            content: f.content.clone(),
            result: f.result.clone(),
            next_on: f.next_on.clone(),
            happened_at: format::timestamp(f.happened_at.as_ref()),
        }
    }

    /// A new follow-up's, by the method `self` has.
    fn next(&self) -> Draft {
        Draft {
            method: self.method,
            ..Draft::default()
        }
    }
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            method: pb::FollowupMethod::Visit as i32,
            content: String::new(),
            result: String::new(),
            next_on: String::new(),
            happened_at: String::new(),
        }
    }
}

/// The follow-up tab.
#[derive(Default)]
pub struct FollowupsTab(Records<pb::Followup, Draft>);

impl Unsaved for FollowupsTab {
    /// Whether the follow-up in the form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.0.is_dirty(|d| {
            [&d.content, &d.result, &d.next_on, &d.happened_at]
                .iter()
                .any(|text| !text.trim().is_empty())
        })
    }
}

impl FollowupsTab {
    /// Loads the customer's follow-ups.
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        self.0.reload(
            ctx.customers()
                .list_followups(pb::GetCustomerRequest { id: customer_id })
                .map(|r| r.followups),
        );
    }

    /// Polls the calls; true when a follow-up was just saved or deleted.
    pub fn poll(&mut self) -> bool {
        self.0.poll(Draft::next).changed
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        let can_write = ctx.can(Permission::CustomerFollowupWrite);
        if can_write {
            self.form_ui(ui, ctx, customer_id);
            self.0
                .dialogs_ui(ui.ctx(), "confirm_delete_followup", |request| {
                    ctx.customers().delete_followup(request)
                });
            ui.separator();
        }
        let mut edit = None;
        self.0.list_status_ui(ui);
        for f in self.0.rows() {
            ui.horizontal_wrapped(|ui| {
                let when = format::timestamp(f.happened_at.as_ref());
                ui.label(
                    RichText::new(format!(
                        "{when}  ·  {}  ·  {}",
                        choice_label::<pb::FollowupMethod>(f.method),
                        format::who(&f.created_by),
                    ))
                    .weak(),
                );
                // A follow-up is its author's: a colleague sharing the customer reads it.
                if can_write && f.may_change {
                    let name = t("followup.named").replace("{when}", &when);
                    if self.0.row_buttons(ui, f.id, f.version, &name) {
                        edit = Some(f.clone());
                    }
                }
            });
            ui.label(&f.content);
            if !f.result.is_empty() {
                ui.label(label_value(t("followup.result"), &f.result));
            }
            if !f.next_on.is_empty() {
                ui.label(label_value(t("followup.next_on"), &f.next_on));
            }
            ui.add_space(6.0);
        }
        if let Some(f) = edit {
            let dirty = self.is_dirty();
            self.0.edit(dirty, (f.id, f.version, Draft::from(&f)));
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        let records = &mut self.0;
        let editing = records.editing();
        ui.strong(match editing {
            Some(_) => t("followup.edit_heading"),
            None => t("followup.new_heading"),
        });
        let draft = &mut records.draft;
        let response = widgets::form(ui, "followup_form", &mut records.errors, |f| {
            f.required(&["method", "content"]);
            f.enum_combo::<pb::FollowupMethod>(t("followup.method"), "method", &mut draft.method);
            f.text_hint(
                t("followup.happened_at"),
                "happened_at",
                &mut draft.happened_at,
                t("followup.happened_at_hint"),
            );
            f.text(t("followup.content"), "content", &mut draft.content);
            f.text(t("followup.result"), "result", &mut draft.result);
            // A new follow-up's next date is not before today (the server's rule); one
            // corrected may keep a date now past.
            if editing.is_some() {
                f.date(t("followup.next_on"), "next_on", &mut draft.next_on);
            } else {
                f.future_date(t("followup.next_on"), "next_on", &mut draft.next_on);
            }
        });
        ui.add_space(4.0);
        let pressed = records.form_buttons(ui, t("followup.add"), response.submitted, false);
        if pressed == Some(FormButton::Cancel) {
            records.stop_editing(Draft::next);
        }
        if pressed == Some(FormButton::Save) {
            let draft = &records.draft;
            // Empty: now. Otherwise as typed, in the business time zone; what does not
            // read as a time is sent as none, which the server refuses with whatever else
            // is wrong (all said after one press), and said under the field as a time to
            // type as shown.
            let happened_at = match draft.happened_at.trim() {
                "" => Some(chrono::Utc::now()),
                typed => format::parse_business_time(typed),
            };
            let unread = Vec::from_iter(happened_at.is_none().then(|| "happened_at".to_owned()));
            let as_shown = crate::i18n::in_both(format::unread_time(&draft.happened_at));
            let (id, version) = editing.map_or((0, 0), |e| (e.id, e.version));
            let request = pb::Followup {
                id,
                version,
                customer_id,
                happened_at: happened_at.map(|at| prost_types::Timestamp {
                    seconds: at.timestamp(),
                    nanos: 0,
                }),
                method: draft.method,
                content: draft.content.clone(),
                result: draft.result.clone(),
                next_on: widgets::normalize_date(&draft.next_on),
                ..Default::default()
            };
            records.save(
                ctx.customers()
                    .save_followup(request)
                    .map_err(move |e| e.restated(&unread, &as_shown)),
            );
        }
    }
}
