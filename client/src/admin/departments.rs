//! Departments: the tree on the left (with a context menu) and, on request, the archived
//! ones to restore; the selected department's form on the right: rename, move to…,
//! archive, add a sub-department.

use std::collections::{BTreeMap, HashSet};

use egui::RichText;
use pharmacrm_shared::pb;

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, t, tn};
use crate::widgets::{self, FieldErrors, Unsaved};

/// The form of an existing department.
#[derive(Clone, Debug, PartialEq)]
struct EditForm {
    id: i64,
    version: i32,
    name: String,
    parent_id: Option<i64>,
}

/// The departments tab.
#[derive(Default)]
pub struct DepartmentsPanel {
    list: Requested<Vec<pb::Department>>,
    selected: Option<i64>,
    form: Option<EditForm>,
    /// The form as loaded, to tell whether it was changed.
    original: Option<EditForm>,
    new_name: String,
    /// Where the new department goes: `None` for the top level.
    new_parent: Option<i64>,
    save: Requested<pb::Department>,
    /// Whether the call in `save` came from the new department's form.
    saving_new: bool,
    /// The edit form's complaints from the server, under their fields until edited.
    errors: FieldErrors,
    /// The new department form's.
    new_errors: FieldErrors,
    confirm_archive: widgets::Confirm<()>,
    /// The parent of the department being archived (`Some(None)`: the top level), where
    /// a new department meant to go under it goes instead.
    archived_parent: Option<Option<i64>>,
    /// Opening another department while the form holds unsaved edits.
    discard: widgets::Discard<pb::Department>,
    /// The archived departments are listed under the tree, each to restore.
    show_archived: bool,
    /// Every department, archived ones too, while they are shown.
    with_archived: Requested<Vec<pb::Department>>,
}

impl Unsaved for DepartmentsPanel {
    /// Whether the form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.form != self.original || !self.new_name.trim().is_empty()
    }
}

impl DepartmentsPanel {
    /// Reads the tree again (the tab shown again: its head counts may have changed).
    pub fn refresh(&mut self, ctx: &AppCtx) {
        self.reload(ctx);
    }

    fn reload(&mut self, ctx: &AppCtx) {
        for (slot, include_archived) in [(&mut self.list, false), (&mut self.with_archived, true)] {
            if include_archived && !self.show_archived {
                continue;
            }
            slot.request(
                ctx.admin()
                    .list_departments(pb::ListDepartmentsRequest { include_archived })
                    .map(|r| r.departments),
            );
        }
    }

    fn select(&mut self, department: &pb::Department) {
        let form = EditForm {
            id: department.id,
            version: department.version,
            name: department.name.clone(),
            parent_id: department.parent_id,
        };
        if self.selected != Some(department.id) {
            self.errors.set(None);
            // A department picked: a new one goes under it unless chosen otherwise (the
            // same one read again keeps what was chosen).
            self.new_parent = Some(department.id);
        }
        self.selected = Some(department.id);
        self.form = Some(form.clone());
        self.original = Some(form);
    }

    /// Opens `department` now, or once the user agrees to drop unsaved edits.
    fn open(&mut self, department: pb::Department) {
        let dirty = self.form != self.original && self.selected != Some(department.id);
        if let Some(department) = self.discard.request(dirty, department) {
            self.select(&department);
        }
    }

    fn request_save(&mut self, new: bool, promise: crate::backend::Promise<pb::Department>) {
        self.saving_new = new;
        self.save.request(promise);
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.list.is_not_requested() {
            self.reload(ctx);
        }
        self.with_archived.poll();
        if let Polled::JustDone = self.list.poll() {
            // Refresh the form from the new list unless the user is editing it.
            let fresh = self.selected.and_then(|id| {
                self.list
                    .value()
                    .and_then(|l| l.iter().find(|d| d.id == id))
                    .cloned()
            });
            match fresh {
                Some(d) if self.form == self.original => self.select(&d),
                Some(_) => {}
                None => {
                    self.selected = None;
                    self.form = None;
                    self.original = None;
                }
            }
            // A new department was to go under one archived since (the one just
            // archived, say): its parent is no longer offered, and was refused as archived
            // though the picker showed none. It goes under the archived one's parent.
            let list = self.list.value().cloned().unwrap_or_default();
            if let Some(parent) = self.new_parent
                && !list.iter().any(|d| d.id == parent)
            {
                self.new_parent = self.archived_parent.take().flatten();
            }
        }
        match self.save.poll() {
            Polled::JustDone => {
                if let Requested::Done(saved) = &self.save {
                    let saved = saved.clone();
                    // The one created is shown; the next new one goes where this one
                    // went (a sibling is the usual next).
                    let parent = self.new_parent;
                    if self.saving_new {
                        self.new_name.clear();
                        self.new_errors.set(None);
                    } else {
                        self.errors.set(None);
                        self.errors.mark_saved();
                    }
                    self.select(&saved);
                    if self.saving_new {
                        self.new_parent = parent;
                    }
                }
                self.reload(ctx);
            }
            Polled::JustFailed(error) => {
                let error = Some(error.clone());
                if self.saving_new {
                    self.new_errors.set(error);
                } else {
                    self.errors.set(error);
                }
            }
            Polled::Unchanged => {}
        }

        let departments = self.list.value().cloned().unwrap_or_default();
        let mut children: BTreeMap<Option<i64>, Vec<&pb::Department>> = BTreeMap::new();
        for d in &departments {
            children.entry(d.parent_id).or_default().push(d);
        }
        let mut clicked: Option<pb::Department> = None;
        let mut add_under: Option<Option<i64>> = None;
        let mut archive_clicked: Option<pb::Department> = None;
        let mut restore_clicked: Option<pb::Department> = None;

        egui::Panel::left("department_tree")
            .resizable(true)
            .default_size(300.0)
            .min_size(220.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.strong(t("dept.tree"));
                    if ui.button(t("common.reload")).clicked() {
                        self.reload(ctx);
                    }
                });
                widgets::request_status(ui, &self.list);
                egui::ScrollArea::vertical().show(ui, |ui| {
                    tree_ui(
                        ui,
                        &children,
                        None,
                        self.selected,
                        &mut clicked,
                        &mut add_under,
                        &mut archive_clicked,
                    );
                });
                if departments.is_empty() && self.list.value().is_some() {
                    ui.label(RichText::new(t("dept.empty")).weak());
                }
                ui.separator();
                if ui
                    .checkbox(&mut self.show_archived, t("dept.show_archived"))
                    .changed()
                    && self.show_archived
                {
                    self.reload(ctx);
                }
                if self.show_archived {
                    let paths: BTreeMap<i64, String> = self
                        .with_archived
                        .value()
                        .map(|all| department_paths(all).into_iter().collect())
                        .unwrap_or_default();
                    restore_clicked = widgets::archived_to_restore(
                        ui,
                        &self.with_archived,
                        // The restored one opens in the form: not over edits.
                        self.save.is_pending() || self.form != self.original,
                        |d| {
                            (!d.is_active).then(|| {
                                paths.get(&d.id).cloned().unwrap_or_else(|| d.name.clone())
                            })
                        },
                        t("dept.none_archived"),
                    );
                }
            });
        if let Some(d) = restore_clicked {
            let request = pb::ArchiveRequest {
                id: d.id,
                version: d.version,
            };
            self.request_save(false, ctx.admin().restore_department(request));
        }
        if let Some(d) = clicked {
            self.open(d);
        }
        if let Some(parent) = add_under {
            self.new_parent = parent;
        }
        if let Some(d) = archive_clicked
            && (self.form == self.original || self.selected == Some(d.id))
        {
            self.select(&d);
            self.confirm_archive.ask(());
        }
        if let Some(d) = self.discard.ui(ui.ctx(), "discard_department_edits") {
            self.select(&d);
        }

        egui::CentralPanel::default().show(ui, |ui| {
            self.form_ui(ui, ctx, &departments);
        });

        let name = self.form.as_ref().map(|f| f.name.as_str()).unwrap_or("");
        let question = t("dept.archive_question").replace("{name}", name);
        if self
            .confirm_archive
            .ui(
                ui.ctx(),
                "confirm_archive_department",
                &question,
                t("dept.archive"),
            )
            .is_some()
            && let Some(form) = &self.original
        {
            let request = pb::ArchiveRequest {
                id: form.id,
                version: form.version,
            };
            self.archived_parent = Some(form.parent_id);
            self.request_save(false, ctx.admin().archive_department(request));
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, departments: &[pb::Department]) {
        let busy = self.save.is_pending();
        let conflict = self.errors.error().is_some_and(|e| e.conflict.is_some());
        let top_level = (None, t("dept.top_level").to_owned());
        if let Some(form) = &mut self.form {
            ui.heading(t("dept.edit"));
            let below: HashSet<i64> = subtree(departments, form.id);
            let parents: Vec<(Option<i64>, String)> = std::iter::once(top_level.clone())
                .chain(
                    department_paths(departments)
                        .into_iter()
                        .filter(|(id, _)| !below.contains(id))
                        .map(|(id, path)| (Some(id), path)),
                )
                .collect();
            let response = widgets::form(ui, "department_edit", &mut self.errors, |f| {
                f.required(&["name"]);
                f.text(t("dept.name"), "name", &mut form.name);
                f.combo(
                    t("dept.move_to"),
                    "parent_id",
                    &mut form.parent_id,
                    &parents,
                );
            });
            let mut save = None;
            let mut reload = false;
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                let changed = self.original.as_ref() != Some(form);
                if widgets::save_button(ui, busy, changed, response.submitted) {
                    save = Some(pb::UpdateDepartmentRequest {
                        id: form.id,
                        version: form.version,
                        name: form.name.clone(),
                        parent_id: form.parent_id,
                    });
                }
                let blocked = departments.iter().find(|d| d.id == form.id).and_then(|d| {
                    let below = departments
                        .iter()
                        .filter(|c| c.parent_id == Some(d.id))
                        .count();
                    archive_blocked(d, below)
                });
                if ui
                    .add_enabled(
                        !busy && blocked.is_none(),
                        egui::Button::new(t("dept.archive")),
                    )
                    .on_disabled_hover_text(blocked.unwrap_or_default())
                    .clicked()
                {
                    self.confirm_archive.ask(());
                }
                if conflict && ui.button(t("common.reload_record")).clicked() {
                    reload = true;
                }
                if busy {
                    ui.spinner();
                }
                self.errors.saved_ui(ui, changed);
            });
            if let Some(request) = save {
                self.request_save(false, ctx.admin().update_department(request));
            }
            if reload {
                self.form = None;
                self.original = None;
                self.save = Requested::NotRequested;
                self.errors.set(None);
                self.reload(ctx);
            }
            ui.separator();
        }

        ui.heading(t("dept.new"));
        let parents: Vec<(Option<i64>, String)> = std::iter::once(top_level)
            .chain(
                department_paths(departments)
                    .into_iter()
                    .map(|(id, path)| (Some(id), path)),
            )
            .collect();
        let response = widgets::form(ui, "department_new", &mut self.new_errors, |f| {
            f.required(&["name"]);
            f.combo(
                t("dept.parent"),
                "parent_id",
                &mut self.new_parent,
                &parents,
            );
            f.text(t("dept.new_name"), "name", &mut self.new_name);
        });
        ui.add_space(4.0);
        if widgets::submit_button(ui, t("dept.create"), !busy, response.submitted) {
            let request = pb::CreateDepartmentRequest {
                name: self.new_name.clone(),
                parent_id: self.new_parent,
            };
            self.request_save(true, ctx.admin().create_department(request));
        }
    }
}

/// Why department `d` cannot be archived yet, when it cannot: someone still works in it,
/// or a department below it is still active (the server refuses both; said on the button
/// rather than after the question).
/// `below` is how many active departments it has right under it.
fn archive_blocked(d: &pb::Department, below: usize) -> Option<String> {
    if d.active_user_count > 0 {
        Some(tn(
            "dept.archive_has_people",
            u64::from(d.active_user_count),
        ))
    } else if below > 0 {
        Some(tn("dept.archive_has_children", below as u64))
    } else {
        None
    }
}

/// Every department with its path ("营销中心 › 营销一部"), by id, parents before their
/// children: the choices wherever a department is picked.
pub fn department_paths(departments: &[pb::Department]) -> Vec<(i64, String)> {
    widgets::tree_paths(departments, |d| d.id, |d| d.parent_id, |d| &d.name)
}

/// `id` and every department below it.
fn subtree(departments: &[pb::Department], id: i64) -> HashSet<i64> {
    let mut below = HashSet::from([id]);
    loop {
        let before = below.len();
        for d in departments {
            if d.parent_id.is_some_and(|p| below.contains(&p)) {
                below.insert(d.id);
            }
        }
        if below.len() == before {
            return below;
        }
    }
}

/// The active people of `department` and of every department below it.
fn people_below(
    children: &BTreeMap<Option<i64>, Vec<&pb::Department>>,
    department: &pb::Department,
) -> u64 {
    let below: u64 = children
        .get(&Some(department.id))
        .into_iter()
        .flatten()
        .map(|child| people_below(children, child))
        .sum();
    u64::from(department.active_user_count) + below
}

fn tree_ui(
    ui: &mut egui::Ui,
    children: &BTreeMap<Option<i64>, Vec<&pb::Department>>,
    parent: Option<i64>,
    selected: Option<i64>,
    clicked: &mut Option<pb::Department>,
    add_under: &mut Option<Option<i64>>,
    archive: &mut Option<pb::Department>,
) {
    let Some(nodes) = children.get(&parent) else {
        return;
    };
    for d in nodes {
        // Its own people, and with a sub-department's theirs too: "总部（0 人）" read as an
        // empty company.
        let own = u64::from(d.active_user_count);
        let total = people_below(children, d);
        let count = if total == own {
            tn("dept.people", own)
        } else {
            tn("dept.people_with_below", own).replace("{total}", &total.to_string())
        };
        let text = bracketed(&d.name, &count);
        let mut node_ui = |ui: &mut egui::Ui| {
            let response = ui.selectable_label(selected == Some(d.id), text.clone());
            if response.clicked() {
                *clicked = Some((*d).clone());
            }
            response.context_menu(|ui| {
                if ui.button(t("dept.add_child")).clicked() {
                    *clicked = Some((*d).clone());
                    *add_under = Some(Some(d.id));
                    ui.close();
                }
                if ui.button(t("dept.rename_move")).clicked() {
                    *clicked = Some((*d).clone());
                    ui.close();
                }
                let blocked = archive_blocked(d, children.get(&Some(d.id)).map_or(0, Vec::len));
                if ui
                    .add_enabled(blocked.is_none(), egui::Button::new(t("dept.archive")))
                    .on_disabled_hover_text(blocked.unwrap_or_default())
                    .clicked()
                {
                    *archive = Some((*d).clone());
                    ui.close();
                }
            });
        };
        if children.contains_key(&Some(d.id)) {
            let id = ui.make_persistent_id(("dept_node", d.id));
            egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, true)
                .show_header(ui, |ui| node_ui(ui))
                .body(|ui| {
                    tree_ui(
                        ui,
                        children,
                        Some(d.id),
                        selected,
                        clicked,
                        add_under,
                        archive,
                    )
                });
        } else {
            ui.horizontal(|ui| {
                ui.add_space(18.0);
                node_ui(ui);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_counts_its_own_people_and_those_below() {
        let department = |id, parent_id, active_user_count| pb::Department {
            id,
            parent_id,
            active_user_count,
            ..Default::default()
        };
        let all = [
            department(1, None, 0),
            department(2, Some(1), 1),
            department(3, Some(2), 2),
            department(4, Some(1), 3),
        ];
        let mut children: BTreeMap<Option<i64>, Vec<&pb::Department>> = BTreeMap::new();
        for d in &all {
            children.entry(d.parent_id).or_default().push(d);
        }
        let below: Vec<u64> = all.iter().map(|d| people_below(&children, d)).collect();
        assert_eq!(below, [6, 3, 2, 3]);
    }
}
