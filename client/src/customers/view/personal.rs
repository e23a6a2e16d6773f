//! The customer view's personal tab: preferences, family, work experience, education;
//! a record added, changed or deleted.

use pharmacrm_shared::{Permission, pb};

use egui::RichText;

use super::records::{FormButton, Records};
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

/// The labels of a record's two texts, by kind: what a preference, a family member, a job
/// or a school is called, and what is said of it.
fn field_labels(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "preference" => (
            t("personal.preference.title"),
            t("personal.preference.detail"),
        ),
        "family" => (t("personal.family.title"), t("personal.family.detail")),
        "work" => (t("personal.work.title"), t("personal.work.detail")),
        _ => (
            t("personal.education.title"),
            t("personal.education.detail"),
        ),
    }
}

fn empty_draft(kind: &str) -> pb::ProfileRecord {
    pb::ProfileRecord {
        kind: kind.to_owned(),
        ..Default::default()
    }
}

/// `records` in the order of the kinds' tabs (喜好, 家庭情况, 工作经历, 教育背景), each kind's
/// as the server listed them.
fn in_tab_order(mut records: Vec<pb::ProfileRecord>) -> Vec<pb::ProfileRecord> {
    records.sort_by_key(|r| {
        KINDS
            .iter()
            .position(|k| *k == r.kind)
            .unwrap_or(KINDS.len())
    });
    records
}

/// The personal tab: the records, and the new records of the kinds not chosen now, as
/// typed before another kind was chosen (each kind has its fields of its own: a hobby
/// typed under 喜好 is not saved as a job when 工作经历 is chosen).
pub struct PersonalTab(
    Records<pb::ProfileRecord, pb::ProfileRecord>,
    Vec<pb::ProfileRecord>,
);

impl Default for PersonalTab {
    fn default() -> Self {
        PersonalTab(Records::new(empty_draft(KINDS[0])), Vec::new())
    }
}

/// Whether `d` holds anything typed.
fn typed(d: &pb::ProfileRecord) -> bool {
    [&d.title, &d.detail, &d.date_from, &d.date_to]
        .iter()
        .any(|text| !text.trim().is_empty())
}

impl Unsaved for PersonalTab {
    /// Whether the record in the form, or a new one of another kind, holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.0.is_dirty(typed) || self.1.iter().any(typed)
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

    /// Polls the calls; true when a record was just saved or deleted.
    pub fn poll(&mut self) -> bool {
        self.0.poll(|d| empty_draft(&d.kind)).changed
    }

    /// Draws `rows`, each with its edit and delete buttons (`can_write`); the one whose edit
    /// was pressed goes to `edit`.
    fn rows_ui(
        &mut self,
        ui: &mut egui::Ui,
        rows: &[pb::ProfileRecord],
        can_write: bool,
        edit: &mut Option<pb::ProfileRecord>,
    ) {
        for r in rows {
            ui.horizontal_wrapped(|ui| {
                ui.label(label_value(kind_name(&r.kind), &r.title));
                if !r.detail.is_empty() {
                    ui.label(&r.detail);
                }
                if !r.date_from.is_empty() || !r.date_to.is_empty() {
                    // A job or study still going on: "2015-03-01 – 至今".
                    let to = if r.date_to.is_empty() {
                        t("personal.now")
                    } else {
                        r.date_to.as_str()
                    };
                    ui.label(RichText::new(format!("{} – {to}", r.date_from)).weak());
                }
                if can_write {
                    let name = label_value(kind_name(&r.kind), &r.title);
                    if self.0.row_buttons(ui, r.id, r.version, &name) {
                        *edit = Some(r.clone());
                    }
                }
            });
        }
    }

    /// Draws the tab: the records of `contact` (the customer's contact person now), then
    /// those of each contact before, under their names (王主任's work history is not
    /// 李主任's once 李主任 took over).
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64, contact: &str) {
        let can_write = ctx.can(Permission::CustomerProfileWrite);
        let mut edit = None;
        // Whose, above what there is of them (暂无记录 too).
        if !contact.is_empty() {
            ui.label(RichText::new(t("personal.whose").replace("{contact}", contact)).weak());
        }
        self.0.list_status_ui(ui);
        let rows = in_tab_order(self.0.rows());
        // Of the contact now: those recorded before a contact was named too.
        let (current, before): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| r.person.is_empty() || r.person == contact);
        self.rows_ui(ui, &current, can_write, &mut edit);
        let mut people: Vec<&str> = Vec::new();
        for r in &before {
            if !people.contains(&r.person.as_str()) {
                people.push(&r.person);
            }
        }
        for person in people {
            ui.add_space(6.0);
            ui.label(RichText::new(t("personal.before").replace("{contact}", person)).weak());
            let theirs: Vec<pb::ProfileRecord> = before
                .iter()
                .filter(|r| r.person == person)
                .cloned()
                .collect();
            self.rows_ui(ui, &theirs, can_write, &mut edit);
        }
        if !can_write {
            return;
        }
        if let Some(r) = edit {
            let dirty = self.is_dirty();
            self.0.edit(dirty, (r.id, r.version, r));
        }
        self.0
            .dialogs_ui(ui.ctx(), "confirm_delete_personal", |request| {
                ctx.customers().delete_profile_record(request)
            });
        ui.separator();
        let PersonalTab(records, other_kinds) = self;
        let editing = records.editing();
        ui.strong(match editing {
            Some(_) => t("personal.edit_heading"),
            None => t("personal.new_heading"),
        });
        let draft = &mut records.draft;
        ui.horizontal(|ui| {
            for kind in KINDS {
                // A record keeps its kind; only a new one chooses.
                let chosen = draft.kind == kind;
                if ui
                    .add_enabled(
                        editing.is_none() || chosen,
                        egui::Button::selectable(chosen, kind_name(kind)),
                    )
                    .clicked()
                    && !chosen
                {
                    // The kind left keeps what was typed in it; the one chosen comes back
                    // as it was left.
                    let back = other_kinds
                        .iter()
                        .position(|d| d.kind == kind)
                        .map_or_else(|| empty_draft(kind), |i| other_kinds.remove(i));
                    let left = std::mem::replace(draft, back);
                    if typed(&left) {
                        other_kinds.push(left);
                    }
                    // "已保存" was of the kind left, not of this one's fields.
                    records.errors.forget_saved();
                }
            }
        });
        let dated = draft.kind == "work" || draft.kind == "education";
        let (title, detail) = field_labels(&draft.kind);
        let response = widgets::form(ui, "personal_form", &mut records.errors, |f| {
            // Every kind's labels: choosing another kind does not move the inputs.
            let mut labels = vec![t("personal.from"), t("personal.to")];
            for kind in KINDS {
                let (title, detail) = field_labels(kind);
                labels.extend([title, detail]);
            }
            f.reserve_labels(&labels);
            f.required(&["title"]);
            f.text(title, "title", &mut draft.title);
            f.text(detail, "detail", &mut draft.detail);
            if dated {
                f.past_date(t("personal.from"), "date_from", &mut draft.date_from);
                f.date(t("personal.to"), "date_to", &mut draft.date_to);
            }
        });
        ui.add_space(4.0);
        let pressed = records.form_buttons(ui, t("personal.add"), response.submitted, false);
        if pressed == Some(FormButton::Cancel) {
            records.stop_editing(|d| empty_draft(&d.kind));
        }
        if pressed == Some(FormButton::Save) {
            let draft = &records.draft;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_follow_the_tabs_order_of_kinds() {
        let record = |id, kind: &str| pb::ProfileRecord {
            id,
            kind: kind.into(),
            ..Default::default()
        };
        let listed = vec![
            record(1, "education"),
            record(2, "family"),
            record(3, "preference"),
            record(4, "work"),
            record(5, "family"),
        ];
        let ids: Vec<i64> = in_tab_order(listed).iter().map(|r| r.id).collect();
        assert_eq!(ids, [3, 2, 5, 4, 1]);
    }
}
