//! The customer view's personal tab: preferences, family, work experience, education.

use pharmacrm_shared::{Permission, pb};

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets;

/// The kinds of personal record, as stored.
const KINDS: [&str; 4] = ["preference", "family", "work", "education"];

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "preference" => t("personal.preference"),
        "family" => t("personal.family"),
        "work" => t("personal.work"),
        _ => t("personal.education"),
    }
}

fn empty_draft(kind: &str) -> pb::ProfileRecord {
    pb::ProfileRecord {
        kind: kind.to_owned(),
        ..Default::default()
    }
}

/// The personal tab.
pub struct PersonalTab {
    list: Requested<Vec<pb::ProfileRecord>>,
    draft: pb::ProfileRecord,
    save: Requested<pb::ProfileRecord>,
}

impl Default for PersonalTab {
    fn default() -> Self {
        PersonalTab {
            list: Requested::NotRequested,
            draft: empty_draft(KINDS[0]),
            save: Requested::NotRequested,
        }
    }
}

impl PersonalTab {
    /// Loads the customer's records.
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        self.list.request(
            ctx.customers()
                .list_profile_records(pb::GetCustomerRequest { id: customer_id })
                .map(|r| r.records),
        );
    }

    /// Polls the calls; true when a record was just saved.
    pub fn poll(&mut self) -> bool {
        self.list.poll();
        let saved = matches!(self.save.poll(), Polled::JustDone);
        if saved {
            self.draft = empty_draft(&self.draft.kind);
        }
        saved
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        for r in self.list.value().cloned().unwrap_or_default() {
            ui.label(format!(
                "{}：{}  {}  {} {}",
                kind_name(&r.kind),
                r.title,
                r.detail,
                r.date_from,
                r.date_to
            ));
        }
        if !ctx.can(Permission::CustomerProfileWrite) {
            return;
        }
        ui.separator();
        let error = self.save.error().cloned();
        let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
        if let Some(error) = error.as_ref().filter(|e| e.fields.is_empty()) {
            widgets::error_line(ui, error);
        }
        let draft = &mut self.draft;
        ui.horizontal(|ui| {
            for kind in KINDS {
                ui.selectable_value(&mut draft.kind, kind.to_owned(), kind_name(kind));
            }
        });
        widgets::text_field(ui, t("personal.title"), &mut draft.title, field("title"));
        widgets::text_field(ui, t("personal.detail"), &mut draft.detail, field("detail"));
        if draft.kind == "work" || draft.kind == "education" {
            widgets::text_field(
                ui,
                t("personal.from"),
                &mut draft.date_from,
                field("date_from"),
            );
            widgets::text_field(ui, t("personal.to"), &mut draft.date_to, field("date_to"));
        }
        if ui
            .add_enabled(
                !self.save.is_pending(),
                egui::Button::new(t("personal.add")),
            )
            .clicked()
        {
            let request = pb::ProfileRecord {
                customer_id,
                ..draft.clone()
            };
            self.save
                .request(ctx.customers().save_profile_record(request));
        }
    }
}
