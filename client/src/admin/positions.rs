//! Positions (岗位): the list, and the form with data scope and the permission matrix
//! (one row per module, one checkbox per permission, labels from the server's catalogue).

use std::collections::{BTreeMap, BTreeSet};

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, either, list_separator, t, tn};
use crate::widgets::{self, FieldErrors, Unsaved};

#[derive(Clone, Debug, PartialEq)]
struct Form {
    /// `None` for a new position.
    id: Option<i64>,
    version: i32,
    name: String,
    description: String,
    data_scope: i32,
    permissions: BTreeSet<String>,
    is_builtin: bool,
    /// How many active users hold it (none may, to archive it).
    held_by: u32,
}

impl Form {
    fn new_position() -> Form {
        Form {
            id: None,
            version: 0,
            name: String::new(),
            description: String::new(),
            data_scope: pb::DataScope::Own as i32,
            permissions: BTreeSet::new(),
            is_builtin: false,
            held_by: 0,
        }
    }

    fn from(p: &pb::Position) -> Form {
        Form {
            id: Some(p.id),
            version: p.version,
            name: p.name.clone(),
            description: p.description.clone(),
            data_scope: p.data_scope,
            permissions: p.permissions.iter().cloned().collect(),
            is_builtin: p.is_builtin,
            held_by: p.active_user_count,
        }
    }
}

/// The positions tab.
#[derive(Default)]
pub struct PositionsPanel {
    list: Requested<Vec<pb::Position>>,
    catalogue: Requested<Vec<pb::PermissionInfo>>,
    form: Option<Form>,
    original: Option<Form>,
    save: Requested<pb::Position>,
    /// The last failed save's complaints, under their fields until edited.
    errors: FieldErrors,
    /// Opening another position (or a new one) while the form holds unsaved edits.
    discard: widgets::Discard<Form>,
    confirm_archive: widgets::Confirm<()>,
    /// A position to load into the form once the list has been reloaded.
    reselect: Option<i64>,
    /// The archived positions are listed under the others, each to restore.
    show_archived: bool,
    /// Every position, archived ones too, while they are shown.
    with_archived: Requested<Vec<pb::Position>>,
}

/// What the position form's buttons were clicked for, in a frame.
#[derive(Clone, Copy, Debug, Default)]
struct Pressed {
    save: bool,
    archive: bool,
    reload: bool,
}

impl Unsaved for PositionsPanel {
    /// Whether the form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.form != self.original
    }
}

impl PositionsPanel {
    fn show_form(&mut self, form: Form) {
        self.form = Some(form.clone());
        self.original = Some(form);
        self.save = Requested::NotRequested;
        self.errors.set(None);
    }

    /// Opens `form` now, or once the user agrees to drop unsaved edits.
    fn open(&mut self, form: Form) {
        if let Some(form) = self.discard.request(self.is_dirty(), form) {
            self.show_form(form);
        }
    }

    /// Reads the list again (the tab shown again: users may have joined or left a
    /// position meanwhile).
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
                    .list_positions(pb::ListPositionsRequest { include_archived })
                    .map(|r| r.positions),
            );
        }
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.list.is_not_requested() {
            self.reload(ctx);
        }
        if self.catalogue.is_not_requested() {
            self.catalogue
                .request(ctx.admin().list_permissions(()).map(|r| r.permissions));
        }
        if let Polled::JustDone = self.list.poll() {
            // The one to show again, else the one shown unless it holds edits: read
            // afresh (who holds it may have changed).
            let unedited = (self.form == self.original)
                .then(|| self.form.as_ref().and_then(|f| f.id))
                .flatten();
            if let Some(id) = self.reselect.take().or(unedited)
                && let Some(fresh) = self
                    .list
                    .value()
                    .and_then(|l| l.iter().find(|p| p.id == id))
            {
                let form = Form::from(fresh);
                self.form = Some(form.clone());
                self.original = Some(form);
            }
        }
        self.catalogue.poll();
        self.with_archived.poll();
        if self.errors.poll(&mut self.save) {
            if let Some(saved) = self.save.value() {
                let form = Form::from(saved);
                self.form = Some(form.clone());
                self.original = Some(form);
            }
            self.reload(ctx);
        }

        egui::Panel::left("position_list")
            .resizable(true)
            .default_size(240.0)
            .min_size(200.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    if ui.button(t("pos.new")).clicked() {
                        self.open(Form::new_position());
                    }
                    if ui.button(t("common.reload")).clicked() {
                        self.reload(ctx);
                    }
                });
                widgets::request_status(ui, &self.list);
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for p in self.list.value().cloned().unwrap_or_default() {
                        let selected = self.form.as_ref().and_then(|f| f.id) == Some(p.id);
                        let text =
                            bracketed(&p.name, &tn("dept.people", u64::from(p.active_user_count)));
                        if ui.selectable_label(selected, text).clicked() && !selected {
                            self.open(Form::from(&p));
                        }
                    }
                    ui.separator();
                    if ui
                        .checkbox(&mut self.show_archived, t("pos.show_archived"))
                        .changed()
                        && self.show_archived
                    {
                        self.reload(ctx);
                    }
                    if self.show_archived
                        && let Some(p) = widgets::archived_to_restore(
                            ui,
                            &self.with_archived,
                            // The restored one opens in the form: not over edits.
                            self.save.is_pending() || self.form != self.original,
                            |p| (!p.is_active).then(|| p.name.clone()),
                            t("pos.none_archived"),
                        )
                    {
                        let request = pb::ArchiveRequest {
                            id: p.id,
                            version: p.version,
                        };
                        self.reselect = Some(p.id);
                        self.save.request(ctx.admin().restore_position(request));
                    }
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            // The buttons in a bar under the form: in sight whatever the length of the
            // permission matrix (保存 was below the fold at 900×600), and not moved by a
            // refusal above them.
            let pressed = if self.form.is_some() {
                widgets::button_bar(ui, "position_buttons", |ui| self.buttons_ui(ui))
            } else {
                Pressed::default()
            };
            let mut submitted = false;
            egui::ScrollArea::vertical().show(ui, |ui| submitted = self.form_ui(ui));
            self.act(ctx, pressed, submitted);
        });
        if let Some(form) = self.discard.ui(ui.ctx(), "discard_position_edits") {
            self.show_form(form);
        }

        let name = self.form.as_ref().map(|f| f.name.as_str()).unwrap_or("");
        let question = t("pos.archive_question").replace("{name}", name);
        if self
            .confirm_archive
            .ui(
                ui.ctx(),
                "confirm_archive_position",
                &question,
                t("pos.archive"),
            )
            .is_some()
            && let Some(Form {
                id: Some(id),
                version,
                ..
            }) = &self.original
        {
            let request = pb::ArchiveRequest {
                id: *id,
                version: *version,
            };
            self.save.request(ctx.admin().archive_position(request));
        }
    }

    /// The form's fields and permission matrix; whether Enter was pressed in a field.
    fn form_ui(&mut self, ui: &mut egui::Ui) -> bool {
        let Some(form) = &mut self.form else {
            ui.label(RichText::new(t("pos.pick")).weak());
            return false;
        };
        ui.heading(if form.id.is_some() {
            t("pos.edit")
        } else {
            t("pos.new")
        });
        let scopes: Vec<(i32, String)> = widgets::choices::<pb::DataScope>();
        // The built-in 系统管理员 always holds every permission over all records: its
        // name and description are edited, its grants shown as they stay.
        let builtin = form.is_builtin;
        let response = widgets::form(ui, "position_form", &mut self.errors, |f| {
            f.required(&["name"]);
            f.text(t("pos.name"), "name", &mut form.name);
            f.text(t("pos.description"), "description", &mut form.description);
            if builtin {
                let all = scopes
                    .iter()
                    .find(|(s, _)| *s == pb::DataScope::All as i32)
                    .map(|(_, label)| label.clone())
                    .unwrap_or_default();
                f.row(t("pos.scope"), "data_scope", |ui| ui.label(all));
            } else {
                f.radio(t("pos.scope"), "data_scope", &mut form.data_scope, &scopes);
            }
        });
        if builtin {
            ui.label(RichText::new(t("pos.builtin_fixed")).weak());
        }
        ui.add_space(6.0);
        ui.strong(t("pos.permissions"));
        self.errors.field_ui(ui, "permissions");
        let catalogue = self.catalogue.value().cloned().unwrap_or_default();
        let mut modules: BTreeMap<usize, (String, Vec<&pb::PermissionInfo>)> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        for p in &catalogue {
            let index = order
                .iter()
                .position(|m| *m == p.module)
                .unwrap_or_else(|| {
                    order.push(p.module.clone());
                    order.len() - 1
                });
            let label = either(&p.module_label_zh, &p.module_label_en).clone();
            modules
                .entry(index)
                .or_insert_with(|| (label, Vec::new()))
                .1
                .push(p);
        }
        // The matrix: one block per module, its permissions as checkboxes (shown, not
        // changed, on the built-in position).
        let mut permissions_changed = false;
        ui.add_enabled_ui(!builtin, |ui| {
            for (label, permissions) in modules.values() {
                ui.add_space(4.0);
                ui.label(RichText::new(label.as_str()).strong());
                ui.horizontal_wrapped(|ui| {
                    for p in permissions {
                        let mut held = form.permissions.contains(&p.code);
                        let text = either(&p.label_zh, &p.label_en);
                        if ui
                            .checkbox(&mut held, text.as_str())
                            .on_hover_text(&p.code)
                            .changed()
                        {
                            permissions_changed = true;
                            if held {
                                form.permissions.insert(p.code.clone());
                                // With what its screens read (下单: 查看订单, 查看客户, 查看药品).
                                let read = Permission::from_code(&p.code)
                                    .map(Permission::reads_with)
                                    .unwrap_or_default();
                                form.permissions
                                    .extend(read.iter().map(|r| r.code().to_owned()));
                            } else {
                                form.permissions.remove(&p.code);
                            }
                        }
                    }
                });
            }
        });
        if permissions_changed {
            self.errors.edited("permissions");
        }
        // What a ticked permission's screens read, unticked since: said, not enforced
        // (下单 without 查看订单 places orders its holder then cannot open).
        for p in form
            .permissions
            .iter()
            .filter_map(|c| Permission::from_code(c))
        {
            let missing: Vec<&str> = p
                .reads_with()
                .iter()
                .filter(|r| !form.permissions.contains(r.code()))
                .map(|r| either(r.label_zh(), r.label_en()))
                .collect();
            if !missing.is_empty() {
                ui.label(
                    RichText::new(
                        t("pos.reads_missing")
                            .replace("{permission}", either(p.label_zh(), p.label_en()))
                            .replace("{missing}", &missing.join(list_separator())),
                    )
                    .color(widgets::WARNING),
                );
            }
        }
        response.submitted
    }

    /// The form's buttons (保存, 归档岗位, 重新加载 after a conflict) and 已保存: what was
    /// clicked.
    fn buttons_ui(&mut self, ui: &mut egui::Ui) -> Pressed {
        let mut pressed = Pressed::default();
        let Some(form) = &self.form else {
            return pressed;
        };
        let busy = self.save.is_pending();
        let conflict = self.errors.error().is_some_and(|e| e.conflict.is_some());
        ui.horizontal_wrapped(|ui| {
            let changed = self.original.as_ref() != Some(form);
            pressed.save = widgets::save_button(ui, busy, changed, false);
            // Held by someone, it cannot be archived: said on the button rather than
            // after the question (确定归档…？ then 仍有 1 名在职用户…).
            pressed.archive = form.id.is_some()
                && !form.is_builtin
                && ui
                    .add_enabled(
                        !busy && form.held_by == 0,
                        egui::Button::new(t("pos.archive")),
                    )
                    .on_disabled_hover_text(tn("pos.archive_held", u64::from(form.held_by)))
                    .clicked();
            pressed.reload = conflict && ui.button(t("common.reload_record")).clicked();
            if busy {
                ui.spinner();
            }
            self.errors.saved_ui(ui, changed);
        });
        pressed
    }

    /// Does what was pressed: saves (also on Enter in a field, `submitted`, when there is
    /// a change and nothing on its way), asks before archiving, reads the position again.
    fn act(&mut self, ctx: &AppCtx, pressed: Pressed, submitted: bool) {
        let Some(form) = &self.form else {
            return;
        };
        if pressed.archive {
            self.confirm_archive.ask(());
        }
        if pressed.reload {
            self.reselect = form.id;
            self.save = Requested::NotRequested;
            self.errors.set(None);
            self.reload(ctx);
            return;
        }
        let ready = !self.save.is_pending() && self.original.as_ref() != Some(form);
        let request = (pressed.save || (submitted && ready)).then(|| form.clone());
        if let Some(form) = request {
            let permissions: Vec<String> = form.permissions.iter().cloned().collect();
            match form.id {
                Some(id) => {
                    let request = pb::UpdatePositionRequest {
                        id,
                        version: form.version,
                        name: form.name,
                        description: form.description,
                        permissions,
                        data_scope: form.data_scope,
                    };
                    self.save.request(ctx.admin().update_position(request));
                }
                None => {
                    let request = pb::CreatePositionRequest {
                        name: form.name,
                        description: form.description,
                        permissions,
                        data_scope: form.data_scope,
                    };
                    self.save.request(ctx.admin().create_position(request));
                }
            }
        }
    }
}
