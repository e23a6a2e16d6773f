//! 系统设置: the company settings (a new shipment's default transit days, the credit-hold
//! days, the credit terms of a rep's new customer, the near-expiry days the shipment
//! forms warn of) and the invoicing entities (开票单位: add, edit, archive, restore).

use egui::RichText;
use pharmacrm_shared::pb;

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{bracketed, label_value, t};
use crate::widgets::{self, FieldErrors, Unsaved};

/// A number as typed; what does not read as one is sent as −1, which the server refuses
/// naming the field and its range.
fn number(text: &str) -> i32 {
    text.trim().parse().unwrap_or(-1)
}

/// The company settings as typed.
#[derive(Clone, Debug, PartialEq, Default)]
struct SettingsForm {
    version: i32,
    default_transit_days: String,
    credit_hold_days: String,
    new_customer_credit_days: String,
    /// Empty: no limit.
    new_customer_credit_limit: String,
    near_expiry_days: String,
}

impl SettingsForm {
    fn from(s: &pb::Settings) -> SettingsForm {
        SettingsForm {
            version: s.version,
            default_transit_days: s.default_transit_days.to_string(),
            credit_hold_days: s.credit_hold_days.to_string(),
            new_customer_credit_days: s.new_customer_credit_days.to_string(),
            new_customer_credit_limit: s.new_customer_credit_limit.clone(),
            near_expiry_days: s.near_expiry_days.to_string(),
        }
    }
}

/// An invoicing entity as typed.
#[derive(Clone, Debug, PartialEq, Default)]
struct EntityForm {
    /// `None` for a new entity.
    id: Option<i64>,
    version: i32,
    is_active: bool,
    name: String,
    tax_number: String,
    sort_order: String,
    note: String,
}

impl EntityForm {
    fn new_entity() -> EntityForm {
        EntityForm {
            is_active: true,
            sort_order: "0".into(),
            ..Default::default()
        }
    }

    fn from(e: &pb::InvoicingEntity) -> EntityForm {
        EntityForm {
            id: Some(e.id),
            version: e.version,
            is_active: e.is_active,
            name: e.name.clone(),
            tax_number: e.tax_number.clone(),
            sort_order: e.sort_order.to_string(),
            note: e.note.clone(),
        }
    }

    fn input(&self) -> pb::InvoicingEntityInput {
        pb::InvoicingEntityInput {
            name: self.name.trim().to_owned(),
            tax_number: self.tax_number.trim().to_owned(),
            note: self.note.trim().to_owned(),
            sort_order: number(&self.sort_order),
        }
    }
}

/// The settings tab.
#[derive(Default)]
pub struct SettingsPanel {
    settings: Requested<pb::Settings>,
    settings_form: Option<SettingsForm>,
    settings_original: Option<SettingsForm>,
    settings_save: Requested<pb::Settings>,
    settings_errors: FieldErrors,
    include_archived: bool,
    entities: Requested<Vec<pb::InvoicingEntity>>,
    form: Option<EntityForm>,
    original: Option<EntityForm>,
    save: Requested<pb::InvoicingEntity>,
    errors: FieldErrors,
    /// Opening another entity (or a new one), or closing the new one's form (`None`),
    /// while the form holds unsaved edits.
    discard: widgets::Discard<Option<EntityForm>>,
    /// An entity to load into the form once the list has been reloaded (after a
    /// conflict).
    reselect: Option<i64>,
    /// Archiving an entity, once the user agrees (with its name, for the question).
    confirm_archive: widgets::Confirm<(pb::SetActiveRequest, String)>,
}

impl Unsaved for SettingsPanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.form != self.original || self.settings_form != self.settings_original
    }
}

impl SettingsPanel {
    fn reload(&mut self, ctx: &AppCtx) {
        self.entities.request(
            ctx.orders()
                .list_invoicing_entities(pb::ListInvoicingEntitiesRequest {
                    include_archived: self.include_archived,
                })
                .map(|r| r.entities),
        );
    }

    /// Opens `form` now, or once the user agrees to drop unsaved edits of the entity.
    fn open(&mut self, form: EntityForm) {
        if let Some(form) = self.discard.request(self.form != self.original, Some(form)) {
            self.show_or_close(form);
        }
    }

    /// Shows `form`, or none (the new entity's form closed).
    fn show_or_close(&mut self, form: Option<EntityForm>) {
        match form {
            Some(form) => self.show_form(form),
            None => {
                self.form = None;
                self.original = None;
                self.errors = FieldErrors::default();
            }
        }
    }

    fn show_form(&mut self, form: EntityForm) {
        self.form = Some(form.clone());
        self.original = Some(form);
        self.save = Requested::NotRequested;
        // The server's complaints and the form's own.
        self.errors = FieldErrors::default();
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.settings.is_not_requested() {
            self.settings.request(ctx.orders().get_settings(()));
        }
        if self.entities.is_not_requested() {
            self.reload(ctx);
        }
        if let Polled::JustDone = self.settings.poll()
            && let Some(s) = self.settings.value()
        {
            let form = SettingsForm::from(s);
            self.settings_form = Some(form.clone());
            self.settings_original = Some(form);
        }
        if self.settings_errors.poll(&mut self.settings_save)
            && let Some(saved) = self.settings_save.value().cloned()
        {
            let form = SettingsForm::from(&saved);
            self.settings_form = Some(form.clone());
            self.settings_original = Some(form);
            self.settings = Requested::Done(saved);
        }
        if let Polled::JustDone = self.entities.poll()
            && let Some(id) = self.reselect.take()
            && let Some(fresh) = self
                .entities
                .value()
                .and_then(|l| l.iter().find(|e| e.id == id))
        {
            let form = EntityForm::from(fresh);
            self.show_form(form);
        }
        if self.errors.poll(&mut self.save) {
            if let Some(saved) = self.save.value() {
                let form = EntityForm::from(saved);
                self.form = Some(form.clone());
                self.original = Some(form);
            }
            self.reload(ctx);
        }

        egui::Panel::left("entity_list")
            .resizable(true)
            .default_size(260.0)
            .min_size(200.0)
            .show(ui, |ui| {
                ui.strong(t("settings.entities"));
                ui.horizontal_wrapped(|ui| {
                    if ui.button(t("settings.entity.new")).clicked() {
                        self.open(EntityForm::new_entity());
                    }
                    if ui
                        .checkbox(&mut self.include_archived, t("settings.include_archived"))
                        .changed()
                    {
                        self.reload(ctx);
                    }
                });
                widgets::request_status(ui, &self.entities);
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for e in self.entities.value().cloned().unwrap_or_default() {
                        let selected = self.form.as_ref().and_then(|f| f.id) == Some(e.id);
                        let mut text = RichText::new(&e.name);
                        if !e.is_active {
                            text = RichText::new(bracketed(&e.name, t("common.archived"))).weak();
                        }
                        if ui.selectable_label(selected, text).clicked() && !selected {
                            self.open(EntityForm::from(&e));
                        }
                    }
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                self.settings_ui(ui, ctx);
                ui.separator();
                self.entity_ui(ui, ctx);
            });
        });
        if let Some(form) = self.discard.ui(ui.ctx(), "discard_entity_edits") {
            self.show_or_close(form);
        }
    }

    /// The company settings' form.
    fn settings_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        ui.heading(t("settings.company"));
        let Some(form) = &mut self.settings_form else {
            widgets::request_status(ui, &self.settings);
            return;
        };
        let busy = self.settings_save.is_pending();
        let response = widgets::form(ui, "settings_form", &mut self.settings_errors, |f| {
            f.text(
                t("settings.default_transit_days"),
                "settings.default_transit_days",
                &mut form.default_transit_days,
            );
            f.text(
                t("settings.credit_hold_days"),
                "settings.credit_hold_days",
                &mut form.credit_hold_days,
            );
            f.text(
                t("settings.new_customer_credit_days"),
                "settings.new_customer_credit_days",
                &mut form.new_customer_credit_days,
            );
            f.text_hint(
                t("settings.new_customer_credit_limit"),
                "settings.new_customer_credit_limit",
                &mut form.new_customer_credit_limit,
                t("settings.no_limit_hint"),
            );
            f.text_hint(
                t("settings.near_expiry_days"),
                "settings.near_expiry_days",
                &mut form.near_expiry_days,
                t("settings.near_expiry_days_hint"),
            );
        });
        ui.label(RichText::new(t("settings.company_hint")).weak());
        if let Some(s) = self.settings.value() {
            // Nobody yet: the settings as the system seeded them (系统).
            ui.label(
                RichText::new(label_value(
                    t("settings.updated"),
                    &format::by_at(&s.updated_by, s.updated_at.as_ref()),
                ))
                .weak(),
            );
        }
        let changed = self.settings_original.as_ref() != Some(form);
        let conflict = self
            .settings_errors
            .error()
            .is_some_and(|e| e.conflict.is_some());
        if conflict && ui.button(t("common.reload_record")).clicked() {
            // The settings as they are now; what was typed is dropped.
            self.settings_errors.set(None);
            self.settings_save = Requested::NotRequested;
            self.settings.request(ctx.orders().get_settings(()));
            return;
        }
        let save = ui
            .horizontal(|ui| {
                let save = widgets::save_button(ui, busy, changed, response.submitted);
                self.settings_errors.saved_ui(ui, changed);
                save
            })
            .inner;
        if save {
            let request = pb::UpdateSettingsRequest {
                version: form.version,
                settings: Some(pb::SettingsInput {
                    default_transit_days: number(&form.default_transit_days),
                    credit_hold_days: number(&form.credit_hold_days),
                    new_customer_credit_days: number(&form.new_customer_credit_days),
                    new_customer_credit_limit: crate::finance::amount_input(
                        &form.new_customer_credit_limit,
                    ),
                    near_expiry_days: Some(number(&form.near_expiry_days)),
                }),
            };
            self.settings_save
                .request(ctx.orders().update_settings(request));
        }
    }

    /// The form of the invoicing entity picked on the left (or a new one).
    fn entity_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let Some(form) = &mut self.form else {
            ui.label(RichText::new(t("settings.entity.pick")).weak());
            return;
        };
        let busy = self.save.is_pending();
        ui.heading(if form.id.is_some() {
            t("settings.entity.edit")
        } else {
            t("settings.entity.new")
        });
        if !form.is_active {
            ui.label(RichText::new(t("settings.entity.archived_hint")).weak());
        }
        let response = widgets::form(ui, "entity_form", &mut self.errors, |f| {
            f.required(&["name"]);
            f.text(t("settings.entity.name"), "name", &mut form.name);
            f.text_hint(
                t("settings.entity.tax_number"),
                "tax_number",
                &mut form.tax_number,
                t("settings.entity.tax_number_hint"),
            );
            f.text(
                t("settings.entity.sort_order"),
                "sort_order",
                &mut form.sort_order,
            );
            f.multiline(t("settings.entity.note"), "note", &mut form.note);
        });
        // Nothing on the server bounds the position: a number is checked here, as typed.
        let sort_order_ok = form.sort_order.trim().parse::<i32>().is_ok();
        self.errors.set_local(
            "sort_order",
            (!sort_order_ok).then(|| t("settings.entity.sort_order_number").to_owned()),
        );
        let conflict = self.errors.error().is_some_and(|e| e.conflict.is_some());
        let mut save = false;
        let mut toggle = false;
        let mut reload = false;
        let mut close = false;
        ui.horizontal(|ui| {
            let changed = self.original.as_ref() != Some(&*form);
            save = widgets::submit_button(
                ui,
                t("common.save"),
                !busy && changed && sort_order_ok,
                response.submitted && sort_order_ok,
            );
            if form.id.is_some() {
                let label = if form.is_active {
                    t("settings.entity.archive")
                } else {
                    t("settings.entity.restore")
                };
                // Archiving answers with the entity as stored: edits are saved first.
                toggle = ui
                    .add_enabled(!busy && !changed, egui::Button::new(label))
                    .clicked();
            } else {
                // A new entity's form is given up here (asked first when typed in).
                close = ui
                    .add_enabled(!busy, egui::Button::new(t("common.cancel")))
                    .clicked();
            }
            if busy {
                ui.spinner();
            }
            reload = conflict && ui.button(t("common.reload_record")).clicked();
            self.errors.saved_ui(ui, changed);
        });
        let form = form.clone();
        if close {
            let dirty = self.form != self.original;
            if let Some(none) = self.discard.request(dirty, None) {
                self.show_or_close(none);
            }
            return;
        }
        if reload {
            self.reselect = form.id;
            self.save = Requested::NotRequested;
            self.errors.set(None);
            self.reload(ctx);
            return;
        }
        if save {
            match form.id {
                Some(id) => {
                    let request = pb::UpdateInvoicingEntityRequest {
                        id,
                        version: form.version,
                        entity: Some(form.input()),
                    };
                    self.save.request(
                        ctx.orders()
                            .update_invoicing_entity(request)
                            .map_err(|e| e.unnested("entity")),
                    );
                }
                None => {
                    self.save
                        .request(ctx.orders().create_invoicing_entity(form.input()));
                }
            }
        } else if toggle
            && !save
            && let Some(id) = form.id
        {
            let request = pb::SetActiveRequest {
                id,
                version: form.version,
                is_active: !form.is_active,
            };
            if form.is_active {
                // As a department or a customer type: asked first.
                self.confirm_archive
                    .ask((request, form.name.trim().to_owned()));
            } else {
                self.save
                    .request(ctx.orders().set_invoicing_entity_active(request));
            }
        }
        if let Some(request) = self.confirm_archive.named_ui(
            ui.ctx(),
            "confirm_entity_archive",
            t("settings.entity.archive_question"),
            t("settings.entity.archive"),
        ) {
            self.save
                .request(ctx.orders().set_invoicing_entity_active(request));
        }
    }
}
