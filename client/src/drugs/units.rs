//! The container units tab: the list with use counts, and the form to add, edit, archive,
//! restore or delete a unit (delete only while no drug uses it).

use egui::RichText;
use pharmacrm_shared::money;
use pharmacrm_shared::{Permission, pb};

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::{t, tn};
use crate::widgets::{
    self, DataTable, RemoveAction, TableColumn, Unsaved, active_text, cells, row_styles,
};

#[derive(Clone, Debug, PartialEq, Default)]
struct Form {
    id: Option<i64>,
    version: i32,
    is_active: bool,
    name: String,
    capacity: String,
    capacity_unit: String,
    note: String,
    /// How many drugs use it (none may, to delete it).
    used_by: u32,
}

impl Form {
    fn from(u: &pb::ContainerUnit) -> Form {
        Form {
            id: Some(u.id),
            version: u.version,
            is_active: u.is_active,
            name: u.name.clone(),
            capacity: u.capacity.clone(),
            capacity_unit: u.capacity_unit.clone(),
            note: u.note.clone(),
            used_by: u.drug_count,
        }
    }

    /// The unit as drugs show it, "盒（24粒）": two units may share a name.
    fn label(&self) -> String {
        money::unit_label(&self.name, &self.capacity, &self.capacity_unit)
    }

    fn input(&self) -> pb::UnitInput {
        pb::UnitInput {
            name: self.name.clone(),
            capacity: self.capacity.clone(),
            capacity_unit: self.capacity_unit.clone(),
            note: self.note.clone(),
        }
    }
}

/// What the form's buttons asked for in a frame.
#[derive(Clone, Copy, Debug, Default)]
struct Pressed {
    save: bool,
    /// 归档 (false) or 恢复 (true).
    set_active: Option<bool>,
    delete: bool,
    close: bool,
}

/// The units tab.
#[derive(Default)]
pub struct UnitsPanel {
    list: Requested<Vec<pb::ContainerUnit>>,
    /// The form beside the list: a new one, or the one picked.
    side: widgets::SideForm<Form, Option<pb::ContainerUnit>>,
    /// Archiving or deleting the unit open, asked first (a click away, and deleting
    /// cannot be undone): the request and the unit's name.
    confirm: widgets::Confirm<(RemoveAction, String)>,
}

impl Unsaved for UnitsPanel {
    /// Whether the form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.side.is_dirty()
    }
}

impl UnitsPanel {
    fn reload(&mut self, ctx: &AppCtx) {
        self.list.request(
            ctx.drugs()
                .list_units(pb::ListUnitsRequest {
                    include_archived: true,
                })
                .map(|r| r.units),
        );
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let can_write = ctx.can(Permission::DrugUnitWrite);
        if self.list.is_not_requested() {
            self.reload(ctx);
        }
        self.list.poll();
        if self.side.poll(|saved| saved.as_ref().map(Form::from)) {
            self.reload(ctx);
        }
        // Its buttons in a bar at its foot: a complaint under a field does not move them.
        if self.side.form.is_some() {
            widgets::side_form(
                ui,
                "unit_form",
                340.0,
                self,
                |panel, ui| panel.buttons_ui(ui, can_write),
                |panel, ui, pressed| panel.form_ui(ui, ctx, can_write, pressed),
            );
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                if can_write && ui.button(t("units.new")).clicked() {
                    self.side.switch_to(Some(Form {
                        is_active: true,
                        ..Default::default()
                    }));
                }
                if ui.button(t("common.reload")).clicked() {
                    self.reload(ctx);
                }
            });
            widgets::request_status(ui, &self.list);
            let units = self.list.value().cloned().unwrap_or_default();
            let selected = self.side.form.as_ref().and_then(|f| f.id);
            let columns = [
                TableColumn::text(t("units.name"), cells(&units, |u| u.name.clone())),
                TableColumn::text(
                    t("units.capacity"),
                    cells(&units, |u| format!("{} {}", u.capacity, u.capacity_unit)),
                ),
                TableColumn::count(
                    t("units.used_by"),
                    cells(&units, |u| u.drug_count.to_string()),
                ),
                TableColumn::text(
                    t("drug.status"),
                    cells(&units, |u| active_text(u.is_active)),
                ),
                TableColumn::text(t("units.note"), cells(&units, |u| u.note.clone())),
            ];
            let styles = row_styles(&units, selected, |u| (u.id, !u.is_active));
            let opened = DataTable::new("unit_table", &columns)
                .styles(&styles)
                .clickable()
                .max_height(ui.available_height() - 8.0)
                .show(ui)
                .map(|i| units[i].clone());
            if let Some(unit) = opened
                && selected != Some(unit.id)
            {
                self.side.switch_to(Some(Form::from(&unit)));
            }
        });
        self.side.discard_ui(ui.ctx(), "discard_unit_edits");
        let (question, yes) = self
            .confirm
            .pending()
            .map(|(action, name)| {
                action.question(("units.delete_question", "units.archive_question"), name)
            })
            .unwrap_or_default();
        if let Some((action, _)) = self.confirm.ui(ui.ctx(), "confirm_unit", &question, yes) {
            self.side.save.request(match action {
                RemoveAction::Archive(request) => ctx.drugs().set_unit_active(request).map(Some),
                RemoveAction::Delete(request) => ctx.drugs().delete_unit(request).map(|()| None),
            });
        }
    }

    /// 保存, 归档 or 恢复, 删除 (for those who may write), 关闭 and 已保存: what was
    /// clicked.
    fn buttons_ui(&mut self, ui: &mut egui::Ui, can_write: bool) -> Pressed {
        let mut pressed = Pressed::default();
        let side = &mut self.side;
        let Some(form) = &side.form else {
            return pressed;
        };
        let busy = side.save.is_pending();
        let changed = side.original.as_ref() != Some(form);
        ui.horizontal_wrapped(|ui| {
            if can_write {
                pressed.save = widgets::save_button(ui, busy, changed, false);
                if form.id.is_some() {
                    // Not over unsaved edits: the archived record's answer would replace
                    // them.
                    pressed.set_active =
                        widgets::archive_button(ui, form.is_active, !busy && !changed);
                    // A unit a drug uses can only be archived: said on the button, not
                    // after the question.
                    pressed.delete = ui
                        .add_enabled(
                            !busy && form.used_by == 0,
                            egui::Button::new(t("common.delete")),
                        )
                        .on_disabled_hover_text(tn("units.delete_used", u64::from(form.used_by)))
                        .clicked();
                }
            }
            pressed.close = ui.button(t("common.close")).clicked();
            if busy {
                ui.spinner();
            }
            side.errors.saved_ui(ui, changed);
        });
        pressed
    }

    /// The form (read only without `can_write`), and what its buttons (`pressed`) or
    /// Enter in a field ask for: saves, restores, asks before archiving or deleting,
    /// closes.
    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, can_write: bool, pressed: Pressed) {
        let side = &mut self.side;
        let busy = side.save.is_pending();
        let Some(form) = &mut side.form else { return };
        // Those who may not change units read them, under a heading that offers no edit.
        ui.heading(match (form.id.is_some(), can_write) {
            (true, true) => t("units.edit"),
            (true, false) => t("units.details"),
            (false, _) => t("units.new"),
        });
        let local = (!form.capacity.is_empty())
            .then(|| money::parse_capacity(&form.capacity).err())
            .flatten()
            .map(crate::i18n::violation);
        side.errors.set_local("capacity", local);
        // The pack drugs are sold in keeps its capacity (the server refuses a change):
        // shown, with what to do instead.
        let in_use = form.id.is_some() && form.used_by > 0;
        let response = ui
            .add_enabled_ui(can_write, |ui| {
                widgets::form(ui, "unit_form", &mut side.errors, |f| {
                    f.required(&["name", "capacity", "capacity_unit"]);
                    f.text(t("units.name"), "name", &mut form.name);
                    if in_use {
                        f.show(t("units.capacity"), &form.capacity);
                        f.show(t("units.capacity_unit"), &form.capacity_unit);
                    } else {
                        f.text(t("units.capacity"), "capacity", &mut form.capacity);
                        f.text(
                            t("units.capacity_unit"),
                            "capacity_unit",
                            &mut form.capacity_unit,
                        );
                    }
                    f.text(t("units.note"), "note", &mut form.note);
                })
            })
            .inner;
        if in_use && can_write {
            ui.label(RichText::new(tn("units.capacity_kept", u64::from(form.used_by))).weak());
        }
        let changed = side.original.as_ref() != Some(form);
        if pressed.save || (can_write && response.submitted && !busy && changed) {
            let saved = match form.id {
                None => ctx.drugs().create_unit(form.input()),
                Some(id) => ctx
                    .drugs()
                    .update_unit(pb::UpdateUnitRequest {
                        id,
                        version: form.version,
                        unit: Some(form.input()),
                    })
                    .map_err(|e| e.unnested("unit")),
            };
            side.save.request(saved.map(Some));
        }
        if let Some(id) = form.id {
            let version = form.version;
            if let Some(is_active) = pressed.set_active {
                let request = pb::SetActiveRequest {
                    id,
                    version,
                    is_active,
                };
                // Restoring is asked nothing; archiving is.
                if is_active {
                    side.save
                        .request(ctx.drugs().set_unit_active(request).map(Some));
                } else {
                    self.confirm
                        .ask((RemoveAction::Archive(request), form.label()));
                }
            }
            if pressed.delete {
                let request = pb::DeleteRequest { id, version };
                self.confirm
                    .ask((RemoveAction::Delete(request), form.label()));
            }
        }
        if pressed.close {
            self.side.switch_to(None);
        }
    }
}
