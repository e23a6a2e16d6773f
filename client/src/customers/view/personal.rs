//! The customer view's personal tab: preferences, family, work experience, education.

use pharmacrm_shared::{Permission, pb};

use egui::RichText;

use super::records::Records;
use crate::ctx::AppCtx;
use crate::i18n::{label_value, t};
use crate::widgets::{self, Unsaved};

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
pub struct PersonalTab(Records<pb::ProfileRecord, pb::ProfileRecord>);

impl Default for PersonalTab {
    fn default() -> Self {
        PersonalTab(Records::new(empty_draft(KINDS[0])))
    }
}

impl Unsaved for PersonalTab {
    /// Whether the new record holds unsaved input.
    fn is_dirty(&self) -> bool {
        let d = &self.0.draft;
        [&d.title, &d.detail, &d.date_from, &d.date_to]
            .iter()
            .any(|text| !text.trim().is_empty())
    }
}

impl PersonalTab {
    /// Loads the customer's records.
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        self.0.reload(
            ctx.customers()
                .list_profile_records(pb::GetCustomerRequest { id: customer_id })
                .map(|r| r.records),
        );
    }

    /// Polls the calls; true when a record was just saved.
    pub fn poll(&mut self) -> bool {
        self.0.poll(|d| empty_draft(&d.kind))
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        for r in self.0.rows() {
            ui.horizontal_wrapped(|ui| {
                ui.label(label_value(kind_name(&r.kind), &r.title));
                if !r.detail.is_empty() {
                    ui.label(&r.detail);
                }
                if !r.date_from.is_empty() || !r.date_to.is_empty() {
                    ui.label(RichText::new(format!("{} – {}", r.date_from, r.date_to)).weak());
                }
            });
        }
        if !ctx.can(Permission::CustomerProfileWrite) {
            return;
        }
        ui.separator();
        let records = &mut self.0;
        let ready = records.ready();
        let draft = &mut records.draft;
        ui.horizontal(|ui| {
            for kind in KINDS {
                ui.selectable_value(&mut draft.kind, kind.to_owned(), kind_name(kind));
            }
        });
        let dated = draft.kind == "work" || draft.kind == "education";
        let response = widgets::form(ui, "personal_form", &mut records.errors, |f| {
            f.text(t("personal.title"), "title", &mut draft.title);
            f.text(t("personal.detail"), "detail", &mut draft.detail);
            if dated {
                f.date(t("personal.from"), "date_from", &mut draft.date_from);
                f.date(t("personal.to"), "date_to", &mut draft.date_to);
            }
        });
        ui.add_space(4.0);
        if widgets::submit_button(ui, t("personal.add"), ready, response.submitted) {
            let request = pb::ProfileRecord {
                customer_id,
                date_from: if dated {
                    widgets::normalize_date(&draft.date_from)
                } else {
                    String::new()
                },
                date_to: if dated {
                    widgets::normalize_date(&draft.date_to)
                } else {
                    String::new()
                },
                ..draft.clone()
            };
            records.save(ctx.customers().save_profile_record(request));
        }
    }
}
