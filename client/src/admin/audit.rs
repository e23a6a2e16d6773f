//! The audit log viewer: filters by username, object, action and period (business dates),
//! paged from the server, actions and objects named in the UI language, and the selected
//! row's before/after side by side.

use egui::{Key, Modifiers, RichText};
use egui_extras::{Column, TableBuilder};
use pharmacrm_shared::pb;

use super::audit_names::{action_name, object_label, object_types};
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::t;
use crate::widgets;

const PAGE: u32 = 100;

/// The audit tab.
#[derive(Default)]
pub struct AuditPanel {
    username: String,
    object_type: String,
    object_id: String,
    action: String,
    from: String,
    to: String,
    offset: u32,
    filter_error: Option<(&'static str, String)>,
    list: Requested<pb::SearchAuditResponse>,
    /// The actions the log holds: the action filter's choices.
    actions: Requested<Vec<String>>,
    selected: Option<pb::AuditEntry>,
}

/// A `YYYY-MM-DD` date as the start of that day in the business time zone (not the
/// workstation's).
fn day_start(text: &str) -> Result<Option<prost_types::Timestamp>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = widgets::parse_date(text).ok_or_else(|| t("audit.bad_date").to_owned())?;
    let start = format::business_day_start(date).ok_or_else(|| t("audit.bad_date").to_owned())?;
    Ok(Some(prost_types::Timestamp {
        seconds: start.timestamp(),
        nanos: 0,
    }))
}

/// The record before and after, whole, side by side.
fn whole_records(ui: &mut egui::Ui, entry: &pb::AuditEntry) {
    ui.columns(2, |columns| {
        columns[0].strong(t("audit.before"));
        columns[1].strong(t("audit.after"));
        for (column, text) in [(0, &entry.before_json), (1, &entry.after_json)] {
            egui::ScrollArea::vertical()
                .id_salt(("audit_json", column))
                .show(&mut columns[column], |ui| {
                    ui.label(RichText::new(if text.is_empty() { "—" } else { text }).monospace());
                });
        }
    });
}

/// Bookkeeping every change moves: left out of the list of what changed.
const BOOKKEEPING: [&str; 3] = ["version", "updated_at", "updated_by"];

/// What an update changed, field by field: (field, before, after), fields in order of
/// name; strings without quotes, null as —. Empty unless both sides are JSON objects (a
/// creation, a deletion, a sign-in).
fn changed_fields(before: &str, after: &str) -> Vec<(String, String, String)> {
    let object = |text: &str| match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(map)) => Some(map),
        _ => None,
    };
    let (Some(before), Some(after)) = (object(before), object(after)) else {
        return Vec::new();
    };
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "—".to_owned(),
        Some(serde_json::Value::String(s)) if s.is_empty() => "—".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()) && before.get(*k) != after.get(*k))
        .map(|k| (k.clone(), show(before.get(k)), show(after.get(k))))
        .collect()
}

impl AuditPanel {
    fn search(&mut self, ctx: &AppCtx) {
        self.filter_error = None;
        // The row shown below may not be among what this search finds.
        self.selected = None;
        let from = match day_start(&self.from) {
            Ok(t) => t,
            Err(e) => {
                self.filter_error = Some(("from", e));
                return;
            }
        };
        // "to" is inclusive for the user: the end of that day.
        let to = match day_start(&self.to) {
            Ok(t) => t.map(|t| prost_types::Timestamp {
                seconds: t.seconds + 86_400,
                nanos: 0,
            }),
            Err(e) => {
                self.filter_error = Some(("to", e));
                return;
            }
        };
        let request = pb::SearchAuditRequest {
            user_id: None,
            username: self.username.trim().to_owned(),
            object_type: self.object_type.trim().to_owned(),
            object_id: self.object_id.trim().to_owned(),
            action: self.action.trim().to_owned(),
            from,
            to,
            page: Some(pb::PageRequest {
                offset: self.offset,
                limit: PAGE,
            }),
        };
        self.list.request(ctx.audit().search_audit(request));
    }

    fn filter_error(&self, field: &str) -> Option<String> {
        self.filter_error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, e)| e.clone())
            .or_else(|| self.list.error().and_then(|e| e.field(field)))
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.list.is_not_requested() {
            self.search(ctx);
            self.actions
                .request(ctx.audit().list_audit_actions(()).map(|r| r.actions));
        }
        self.list.poll();
        self.actions.poll();
        let all = || (String::new(), t("audit.all").to_owned());
        // In the order of their names in the UI language (a code's order reads as random).
        let mut named: Vec<(String, String)> = self
            .actions
            .value()
            .into_iter()
            .flatten()
            .map(|a| (a.clone(), action_name(a)))
            .collect();
        named.sort_by(|a, b| a.1.cmp(&b.1));
        let actions: Vec<(String, String)> = std::iter::once(all()).chain(named).collect();
        let objects: Vec<(String, String)> = std::iter::once(all()).chain(object_types()).collect();
        let mut run = false;
        let mut chosen = false;
        ui.horizontal_wrapped(|ui| {
            let mut field = |ui: &mut egui::Ui, label: &str, value: &mut String, width: f32| {
                // A date input is followed by its calendar button.
                widgets::keep_together(ui, label, width + 60.0);
                let label = ui.label(label);
                let response = ui
                    .add(egui::TextEdit::singleline(value).desired_width(width))
                    .labelled_by(label.id);
                if widgets::entered(ui, &response) {
                    run = true;
                }
                response
            };
            let first = field(ui, t("audit.username"), &mut self.username, 100.0);
            if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
                first.request_focus();
            }
            chosen |= widgets::combo(
                ui,
                "audit_object_type",
                t("audit.object_type"),
                &mut self.object_type,
                &objects,
            );
            field(ui, t("audit.object_id"), &mut self.object_id, 80.0);
            chosen |= widgets::combo(
                ui,
                "audit_action",
                t("audit.action"),
                &mut self.action,
                &actions,
            );
            field(ui, t("audit.from"), &mut self.from, 100.0);
            widgets::date_picker(ui, "audit_from_picker", &mut self.from);
            field(ui, t("audit.to"), &mut self.to, 100.0);
            widgets::date_picker(ui, "audit_to_picker", &mut self.to);
            if ui.button(t("audit.search")).clicked() {
                run = true;
            }
        });
        for field in ["username", "from", "to"] {
            widgets::field_error(ui, self.filter_error(field));
        }
        if run || chosen {
            self.offset = 0;
            self.search(ctx);
        }
        widgets::request_status(ui, &self.list);

        let entries = self
            .list
            .value()
            .map(|l| l.entries.clone())
            .unwrap_or_default();
        let total = self.list.value().map_or(0, |l| l.total);
        egui::Panel::bottom("audit_detail")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| match &self.selected {
                None => {
                    ui.label(RichText::new(t("audit.pick")).weak());
                }
                Some(entry) => {
                    ui.strong(format!(
                        "#{} {} ({}) {}",
                        entry.id,
                        action_name(&entry.action),
                        entry.action,
                        format::timestamp(entry.at.as_ref())
                    ));
                    let changes = changed_fields(&entry.before_json, &entry.after_json);
                    if changes.is_empty() {
                        whole_records(ui, entry);
                    } else {
                        egui::ScrollArea::vertical()
                            .id_salt("audit_changes")
                            .show(ui, |ui| {
                                egui::Grid::new("audit_changes_grid").striped(true).show(
                                    ui,
                                    |ui| {
                                        ui.strong(t("audit.field"));
                                        ui.strong(t("audit.before"));
                                        ui.strong(t("audit.after"));
                                        ui.end_row();
                                        for (field, before, after) in &changes {
                                            ui.monospace(field);
                                            ui.label(before);
                                            ui.label(after);
                                            ui.end_row();
                                        }
                                    },
                                );
                                egui::CollapsingHeader::new(t("audit.whole"))
                                    .id_salt(("audit_whole", entry.id))
                                    .show(ui, |ui| whole_records(ui, entry));
                            });
                    }
                }
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let selected_id = self.selected.as_ref().map(|e| e.id);
            let mut clicked = None;
            let available = ui.available_height() - 48.0;
            let objects: Vec<String> = entries
                .iter()
                .map(|e| object_label(&e.object_type, &e.object_id))
                .collect();
            let object = widgets::fit_column(
                ui,
                t("audit.object"),
                objects.iter().map(String::as_str),
                100.0,
                240.0,
            );
            widgets::table(ui, "audit_table", |ui| {
                TableBuilder::new(ui)
                    .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                    .id_salt("audit_table")
                    .striped(true)
                    .sense(egui::Sense::click())
                    .max_scroll_height(available.max(80.0))
                    .column(Column::auto().at_least(130.0))
                    .column(Column::auto().at_least(90.0))
                    .column(Column::auto().at_least(150.0))
                    .column(object)
                    .column(Column::remainder().at_least(110.0))
                    .header(22.0, |mut header| {
                        for label in [
                            t("audit.at"),
                            t("audit.user"),
                            t("audit.action"),
                            t("audit.object"),
                            t("audit.peer"),
                        ] {
                            header.col(|ui| {
                                ui.strong(label);
                            });
                        }
                    })
                    .body(|body| {
                        body.rows(22.0, entries.len(), |mut row| {
                            let index = row.index();
                            let entry = &entries[index];
                            row.set_selected(selected_id == Some(entry.id));
                            row.col(|ui| {
                                ui.label(format::timestamp(entry.at.as_ref()));
                            });
                            row.col(|ui| {
                                // Seeding and migrations act as "system", no user (a
                                // failed login tried under that name stays as typed).
                                if entry.user_id.is_none()
                                    && entry.username == "system"
                                    && !entry.action.starts_with("auth.")
                                {
                                    ui.label(t("common.system"));
                                } else {
                                    ui.label(&entry.username);
                                }
                            });
                            row.col(|ui| {
                                ui.label(action_name(&entry.action))
                                    .on_hover_text(&entry.action);
                            });
                            row.col(|ui| {
                                ui.label(&objects[index]);
                            });
                            row.col(|ui| {
                                ui.label(&entry.peer);
                            });
                            if row.response().clicked() {
                                clicked = Some(entry.clone());
                            }
                        });
                    });
            });
            if clicked.is_some() {
                self.selected = clicked;
            }
            if widgets::pager(ui, &mut self.offset, entries.len(), total, PAGE) {
                self.search(ctx);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_lists_only_the_fields_it_changed() {
        let before = r#"{"name":"质量部","parent_id":null,"version":1,"note":""}"#;
        let after = r#"{"name":"质量管理部","parent_id":3,"version":2,"note":""}"#;
        assert_eq!(
            changed_fields(before, after),
            [
                (
                    "name".to_owned(),
                    "质量部".to_owned(),
                    "质量管理部".to_owned()
                ),
                ("parent_id".to_owned(), "—".to_owned(), "3".to_owned()),
            ]
        );
        assert!(
            changed_fields("", after).is_empty(),
            "a creation is shown whole"
        );
    }
}
