//! Positions (岗位): the list, and the form with data scope and the permission matrix
//! (one row per module, one checkbox per permission, labels from the server's catalogue).

use std::collections::{BTreeMap, BTreeSet};

use egui::RichText;
use pharmacrm_shared::pb;

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::{Lang, lang, t};
use crate::widgets;
use crate::widgets::choice_label;

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
    confirm_archive: bool,
    /// A position to load into the form once the list has been reloaded.
    reselect: Option<i64>,
}

impl PositionsPanel {
    /// Whether the form holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        self.form != self.original
    }

    fn reload(&mut self, ctx: &AppCtx) {
        self.list.request(
            ctx.admin()
                .list_positions(pb::ListPositionsRequest {
                    include_archived: false,
                })
                .map(|r| r.positions),
        );
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
        if let Polled::JustDone = self.list.poll()
            && let Some(id) = self.reselect.take()
            && let Some(fresh) = self
                .list
                .value()
                .and_then(|l| l.iter().find(|p| p.id == id))
        {
            let form = Form::from(fresh);
            self.form = Some(form.clone());
            self.original = Some(form);
        }
        self.catalogue.poll();
        if let Polled::JustDone = self.save.poll()
            && let Requested::Done(saved) = &self.save
        {
            let form = Form::from(saved);
            self.form = Some(form.clone());
            self.original = Some(form);
            self.reload(ctx);
        }

        egui::Panel::left("position_list")
            .resizable(true)
            .default_size(240.0)
            .min_size(200.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    if ui.button(t("pos.new")).clicked() {
                        self.form = Some(Form::new_position());
                        self.original = self.form.clone();
                        self.save = Requested::NotRequested;
                    }
                    if ui.button(t("common.reload")).clicked() {
                        self.reload(ctx);
                    }
                });
                widgets::request_status(ui, &self.list);
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for p in self.list.value().cloned().unwrap_or_default() {
                        let selected = self.form.as_ref().and_then(|f| f.id) == Some(p.id);
                        let text = format!(
                            "{}（{}）",
                            p.name,
                            t("dept.people").replace("{n}", &p.active_user_count.to_string())
                        );
                        if ui.selectable_label(selected, text).clicked() {
                            let form = Form::from(&p);
                            self.form = Some(form.clone());
                            self.original = Some(form);
                            self.save = Requested::NotRequested;
                        }
                    }
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| self.form_ui(ui, ctx));
        });

        if self.confirm_archive {
            let name = self
                .form
                .as_ref()
                .map(|f| f.name.clone())
                .unwrap_or_default();
            match widgets::confirm(
                ui.ctx(),
                "confirm_archive_position",
                &t("pos.archive_question").replace("{name}", &name),
                t("pos.archive"),
            ) {
                Some(true) => {
                    self.confirm_archive = false;
                    if let Some(Form {
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
                Some(false) => self.confirm_archive = false,
                None => {}
            }
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let Some(form) = &mut self.form else {
            ui.label(RichText::new(t("pos.pick")).weak());
            return;
        };
        let error = self.save.error().cloned();
        let busy = self.save.is_pending();
        ui.heading(if form.id.is_some() {
            t("pos.edit")
        } else {
            t("pos.new")
        });
        widgets::text_field(
            ui,
            t("pos.name"),
            &mut form.name,
            error.as_ref().and_then(|e| e.field("name")),
        );
        widgets::text_field(
            ui,
            t("pos.description"),
            &mut form.description,
            error.as_ref().and_then(|e| e.field("description")),
        );
        ui.label(t("pos.scope"));
        ui.horizontal(|ui| {
            for scope in [
                pb::DataScope::Own,
                pb::DataScope::Department,
                pb::DataScope::All,
            ] {
                ui.radio_value(
                    &mut form.data_scope,
                    scope as i32,
                    choice_label::<pb::DataScope>(scope as i32),
                );
            }
        });
        widgets::field_error(ui, error.as_ref().and_then(|e| e.field("data_scope")));
        ui.add_space(6.0);
        ui.strong(t("pos.permissions"));
        widgets::field_error(ui, error.as_ref().and_then(|e| e.field("permissions")));
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
            let label = match lang() {
                Lang::Zh => p.module_label_zh.clone(),
                Lang::En => p.module_label_en.clone(),
            };
            modules
                .entry(index)
                .or_insert_with(|| (label, Vec::new()))
                .1
                .push(p);
        }
        // The matrix: one block per module, its permissions as checkboxes.
        for (label, permissions) in modules.values() {
            ui.add_space(4.0);
            ui.label(RichText::new(label.as_str()).strong());
            ui.horizontal_wrapped(|ui| {
                for p in permissions {
                    let mut held = form.permissions.contains(&p.code);
                    let text = match lang() {
                        Lang::Zh => &p.label_zh,
                        Lang::En => &p.label_en,
                    };
                    if ui
                        .checkbox(&mut held, text.as_str())
                        .on_hover_text(&p.code)
                        .changed()
                    {
                        if held {
                            form.permissions.insert(p.code.clone());
                        } else {
                            form.permissions.remove(&p.code);
                        }
                    }
                }
            });
        }
        ui.add_space(8.0);
        if let Some(error) = &error
            && error.fields.is_empty()
        {
            widgets::error_line(ui, error);
        }
        ui.horizontal(|ui| {
            let changed = self.original.as_ref() != Some(form);
            if ui
                .add_enabled(!busy && changed, egui::Button::new(t("common.save")))
                .clicked()
            {
                let permissions: Vec<String> = form.permissions.iter().cloned().collect();
                match form.id {
                    Some(id) => {
                        let request = pb::UpdatePositionRequest {
                            id,
                            version: form.version,
                            name: form.name.clone(),
                            description: form.description.clone(),
                            permissions,
                            data_scope: form.data_scope,
                        };
                        self.save.request(ctx.admin().update_position(request));
                    }
                    None => {
                        let request = pb::CreatePositionRequest {
                            name: form.name.clone(),
                            description: form.description.clone(),
                            permissions,
                            data_scope: form.data_scope,
                        };
                        self.save.request(ctx.admin().create_position(request));
                    }
                }
            }
            if form.id.is_some()
                && !form.is_builtin
                && ui
                    .add_enabled(!busy, egui::Button::new(t("pos.archive")))
                    .clicked()
            {
                self.confirm_archive = true;
            }
            if busy {
                ui.spinner();
            }
        });
        if error.as_ref().is_some_and(|e| e.conflict.is_some())
            && ui.button(t("common.reload_record")).clicked()
        {
            self.reselect = form.id;
            self.save = Requested::NotRequested;
            self.reload(ctx);
        }
    }
}
