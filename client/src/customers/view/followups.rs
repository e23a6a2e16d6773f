//! The customer view's follow-up tab: the follow-ups, newest first, and a new one.

use pharmacrm_shared::{Permission, pb};

use egui::RichText;

use super::records::Records;
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
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            method: pb::FollowupMethod::Visit as i32,
            content: String::new(),
            result: String::new(),
            next_on: String::new(),
        }
    }
}

/// The follow-up tab.
#[derive(Default)]
pub struct FollowupsTab(Records<pb::Followup, Draft>);

impl Unsaved for FollowupsTab {
    /// Whether the new follow-up holds unsaved input.
    fn is_dirty(&self) -> bool {
        let d = &self.0.draft;
        [&d.content, &d.result, &d.next_on]
            .iter()
            .any(|text| !text.trim().is_empty())
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

    /// Polls the calls; true when a follow-up was just saved.
    pub fn poll(&mut self) -> bool {
        self.0.poll(|d| Draft {
            method: d.method,
            ..Draft::default()
        })
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        if ctx.can(Permission::CustomerFollowupWrite) {
            self.form_ui(ui, ctx, customer_id);
            ui.separator();
        }
        for f in self.0.rows() {
            ui.label(
                RichText::new(format!(
                    "{}  ·  {}  ·  {}",
                    format::timestamp(f.happened_at.as_ref()),
                    choice_label::<pb::FollowupMethod>(f.method),
                    format::who(&f.created_by),
                ))
                .weak(),
            );
            ui.label(&f.content);
            if !f.result.is_empty() {
                ui.label(label_value(t("followup.result"), &f.result));
            }
            if !f.next_on.is_empty() {
                ui.label(label_value(t("followup.next_on"), &f.next_on));
            }
            ui.add_space(6.0);
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        let records = &mut self.0;
        let ready = records.ready();
        let draft = &mut records.draft;
        let response = widgets::form(ui, "followup_form", &mut records.errors, |f| {
            f.enum_combo::<pb::FollowupMethod>(t("followup.method"), "method", &mut draft.method);
            f.text(t("followup.content"), "content", &mut draft.content);
            f.text(t("followup.result"), "result", &mut draft.result);
            f.date(t("followup.next_on"), "next_on", &mut draft.next_on);
        });
        ui.add_space(4.0);
        if widgets::submit_button(ui, t("followup.add"), ready, response.submitted) {
            let request = pb::Followup {
                customer_id,
                happened_at: Some(prost_types::Timestamp {
                    seconds: chrono::Utc::now().timestamp(),
                    nanos: 0,
                }),
                method: draft.method,
                content: draft.content.clone(),
                result: draft.result.clone(),
                next_on: widgets::normalize_date(&draft.next_on),
                ..Default::default()
            };
            records.save(ctx.customers().save_followup(request));
        }
    }
}
