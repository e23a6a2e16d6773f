//! The customer view's follow-up tab: the follow-ups, newest first, and a new one.

use pharmacrm_shared::{Permission, pb};

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::t;
use crate::widgets::{self, choice_label};

#[derive(Clone)]
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
pub struct FollowupsTab {
    list: Requested<Vec<pb::Followup>>,
    draft: Draft,
    save: Requested<pb::Followup>,
}

impl FollowupsTab {
    /// Loads the customer's follow-ups.
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        self.list.request(
            ctx.customers()
                .list_followups(pb::GetCustomerRequest { id: customer_id })
                .map(|r| r.followups),
        );
    }

    /// Whether the new follow-up holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        !self.draft.content.trim().is_empty()
    }

    /// Polls the calls; true when a follow-up was just saved.
    pub fn poll(&mut self) -> bool {
        self.list.poll();
        let saved = matches!(self.save.poll(), Polled::JustDone);
        if saved {
            self.draft = Draft {
                method: self.draft.method,
                ..Draft::default()
            };
        }
        saved
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        if ctx.can(Permission::CustomerFollowupWrite) {
            self.form_ui(ui, ctx, customer_id);
            ui.separator();
        }
        for f in self.list.value().cloned().unwrap_or_default() {
            ui.label(format!(
                "{}  {}  {}：{}  {}  {}",
                format::timestamp(f.happened_at.as_ref()),
                choice_label::<pb::FollowupMethod>(f.method),
                f.created_by,
                f.content,
                f.result,
                if f.next_on.is_empty() {
                    String::new()
                } else {
                    format!("{} {}", t("followup.next_on"), f.next_on)
                }
            ));
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        let error = self.save.error().cloned();
        let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
        if let Some(error) = error.as_ref().filter(|e| e.fields.is_empty()) {
            widgets::error_line(ui, error);
        }
        let draft = &mut self.draft;
        ui.horizontal(|ui| {
            widgets::enum_combo::<pb::FollowupMethod>(
                ui,
                "followup_method",
                t("followup.method"),
                &mut draft.method,
            );
        });
        widgets::text_field(
            ui,
            t("followup.content"),
            &mut draft.content,
            field("content"),
        );
        widgets::text_field(ui, t("followup.result"), &mut draft.result, field("result"));
        widgets::text_field(
            ui,
            t("followup.next_on"),
            &mut draft.next_on,
            field("next_on"),
        );
        if ui
            .add_enabled(
                !self.save.is_pending(),
                egui::Button::new(t("followup.add")),
            )
            .clicked()
        {
            let request = pb::Followup {
                customer_id,
                happened_at: Some(prost_types::Timestamp {
                    seconds: chrono::Utc::now().timestamp(),
                    nanos: 0,
                }),
                method: draft.method,
                content: draft.content.clone(),
                result: draft.result.clone(),
                next_on: draft.next_on.clone(),
                ..Default::default()
            };
            self.save.request(ctx.customers().save_followup(request));
        }
    }
}
