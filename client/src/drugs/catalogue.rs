//! The catalogue tab: the category tree (with a context menu) on the left, the drug table
//! for the selected subtree with pinyin search and server-side paging and sorting, the
//! drug form on the right, and the Excel template and import.

use std::collections::BTreeMap;

use egui::{Key, Modifiers, RichText};
use egui_extras::{Column, TableBuilder};
use pharmacrm_shared::{Permission, pb};

use super::category_paths;
use super::form::{self, DrugForm};
use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::t;
use crate::widgets;
use crate::widgets::choice_label;

const PAGE: u32 = 100;

/// Adding, renaming or moving a category.
#[derive(Clone, Debug, PartialEq)]
struct CategoryDialog {
    /// `None` when adding.
    id: Option<i64>,
    version: i32,
    name: String,
    parent_id: i64,
    /// Where it was: kept when the parent stays, last under a new parent.
    original_parent_id: i64,
    position: i32,
}

/// What the search last asked for; a change asks again.
#[derive(Clone, Debug, PartialEq)]
struct SearchKey {
    query: String,
    category_id: Option<i64>,
    status: i32,
    sort: i32,
    descending: bool,
    after: String,
}

/// The catalogue tab.
#[derive(Default)]
pub struct CataloguePanel {
    categories: Requested<Vec<pb::Category>>,
    units: Requested<Vec<pb::ContainerUnit>>,
    selected_category: Option<i64>,
    dialog: Option<CategoryDialog>,
    category_save: Requested<pb::Category>,
    confirm_delete: Option<pb::Category>,
    query: String,
    status: i32,
    sort: i32,
    descending: bool,
    pages: widgets::Pages,
    sent: Option<SearchKey>,
    list: Requested<pb::SearchDrugsResponse>,
    form: Option<DrugForm>,
    original: Option<DrugForm>,
    touched: bool,
    save: Requested<pb::DrugResponse>,
    warnings: Vec<pb::Warning>,
    template_path: String,
    template: Requested<String>,
    import_path: String,
    import: Requested<pb::ImportDrugsResponse>,
    /// A drug the user clicked while the form held unsaved edits.
    switch_to: Option<pb::Drug>,
}

impl CataloguePanel {
    /// Whether a form holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        self.form != self.original
            || self
                .dialog
                .as_ref()
                .is_some_and(|d| !d.name.trim().is_empty())
    }

    fn reload_categories(&mut self, ctx: &AppCtx) {
        self.categories
            .request(ctx.drugs().list_categories(()).map(|r| r.categories));
    }

    fn reload_units(&mut self, ctx: &AppCtx) {
        self.units.request(
            ctx.drugs()
                .list_units(pb::ListUnitsRequest {
                    include_archived: true,
                })
                .map(|r| r.units),
        );
    }

    fn key(&self) -> SearchKey {
        SearchKey {
            query: self.query.trim().to_owned(),
            category_id: self.selected_category,
            status: self.status,
            sort: self.sort,
            descending: self.descending,
            after: self.pages.after(),
        }
    }

    fn search(&mut self, ctx: &AppCtx) {
        let key = self.key();
        let request = pb::SearchDrugsRequest {
            query: key.query.clone(),
            category_id: key.category_id,
            status: key.status,
            sort: key.sort,
            descending: key.descending,
            page: Some(pb::PageRequest {
                offset: 0,
                limit: PAGE,
            }),
            after: key.after.clone(),
        };
        self.sent = Some(key);
        self.list.request(ctx.drugs().search_drugs(request));
    }

    fn open(&mut self, drug: &pb::Drug) {
        let form = DrugForm::from(drug);
        self.form = Some(form.clone());
        self.original = Some(form);
        self.touched = false;
        self.save = Requested::NotRequested;
        self.warnings.clear();
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.categories.is_not_requested() {
            self.reload_categories(ctx);
            self.reload_units(ctx);
        }
        self.categories.poll();
        self.units.poll();
        self.list.poll();
        if self.sent.as_ref() != Some(&self.key()) && !self.list.is_pending() {
            // Another filter or order starts again at the first page.
            if self.sent.as_ref().is_some_and(|s| {
                SearchKey {
                    after: String::new(),
                    ..s.clone()
                } != SearchKey {
                    after: String::new(),
                    ..self.key()
                }
            }) && !self.pages.after().is_empty()
            {
                self.pages.reset();
            }
            self.search(ctx);
        }
        if let Polled::JustDone = self.category_save.poll() {
            if let Requested::Done(saved) = &self.category_save {
                self.selected_category = Some(saved.id);
            }
            self.dialog = None;
            self.reload_categories(ctx);
            // Paths and counts in the table may have changed.
            self.sent = None;
        }
        if let Polled::JustDone = self.save.poll()
            && let Requested::Done(saved) = &self.save
        {
            let saved = saved.clone();
            if let Some(drug) = &saved.drug {
                self.open(drug);
            }
            self.warnings = saved.warnings;
            self.search(ctx);
            self.reload_categories(ctx);
        }
        self.template.poll();
        if let Polled::JustDone = self.import.poll() {
            self.search(ctx);
            self.reload_categories(ctx);
        }

        let categories = self.categories.value().cloned().unwrap_or_default();
        let paths = category_paths(&categories);
        egui::Panel::left("category_tree")
            .resizable(true)
            .default_size(260.0)
            .min_size(200.0)
            .show(ui, |ui| self.tree_ui(ui, ctx, &categories));
        if self.form.is_some() {
            egui::Panel::right("drug_form")
                .resizable(true)
                .default_size(340.0)
                .min_size(300.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| self.form_ui(ui, ctx, &paths));
                });
        }
        egui::CentralPanel::default().show(ui, |ui| self.table_ui(ui, ctx));
        self.dialog_ui(ui.ctx(), ctx, &categories, &paths);
        self.confirm_delete_ui(ui.ctx(), ctx);
    }

    fn tree_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, categories: &[pb::Category]) {
        let can_edit = ctx.can(Permission::DrugCategoryWrite);
        ui.horizontal(|ui| {
            ui.strong(t("drugs.categories"));
            if ui.button(t("common.reload")).clicked() {
                self.reload_categories(ctx);
                self.reload_units(ctx);
            }
        });
        widgets::request_status(ui, &self.categories);
        if let Some(error) = self.category_save.error() {
            widgets::error_line(ui, error);
        }
        if ui
            .selectable_label(self.selected_category.is_none(), t("drugs.all_categories"))
            .clicked()
        {
            self.selected_category = None;
        }
        let mut children: BTreeMap<Option<i64>, Vec<&pb::Category>> = BTreeMap::new();
        for c in categories {
            children.entry(c.parent_id).or_default().push(c);
        }
        let mut action: Option<TreeAction> = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            tree_nodes(
                ui,
                &children,
                None,
                self.selected_category,
                can_edit,
                &mut action,
            );
        });
        match action {
            None => {}
            Some(TreeAction::Select(id)) => self.selected_category = Some(id),
            Some(TreeAction::Add(parent)) => {
                self.category_save = Requested::NotRequested;
                self.dialog = Some(CategoryDialog {
                    id: None,
                    version: 0,
                    name: String::new(),
                    parent_id: parent,
                    original_parent_id: parent,
                    position: i32::MAX,
                });
            }
            Some(TreeAction::Edit(c, position)) => {
                self.category_save = Requested::NotRequested;
                self.dialog = Some(CategoryDialog {
                    id: Some(c.id),
                    version: c.version,
                    name: c.name.clone(),
                    parent_id: c.parent_id.unwrap_or(0),
                    original_parent_id: c.parent_id.unwrap_or(0),
                    position,
                });
            }
            Some(TreeAction::MoveTo(c, position)) => {
                let request = pb::UpdateCategoryRequest {
                    id: c.id,
                    version: c.version,
                    name: c.name.clone(),
                    parent_id: c.parent_id.unwrap_or(0),
                    sort_order: position.max(0),
                };
                self.category_save
                    .request(ctx.drugs().update_category(request));
            }
            Some(TreeAction::Delete(c)) => self.confirm_delete = Some(c),
        }
    }

    fn dialog_ui(
        &mut self,
        egui_ctx: &egui::Context,
        ctx: &AppCtx,
        categories: &[pb::Category],
        paths: &[(i64, String)],
    ) {
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let error = self.category_save.error().cloned();
        let busy = self.category_save.is_pending();
        let mut submit = false;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("category_dialog")).show(egui_ctx, |ui| {
            ui.set_min_width(360.0);
            ui.heading(if dialog.id.is_some() {
                t("drugs.edit_category")
            } else {
                t("drugs.new_category")
            });
            let name = widgets::text_field(
                ui,
                t("drugs.category_name"),
                &mut dialog.name,
                error.as_ref().and_then(|e| e.field("name")),
            );
            if dialog.id.is_none() && !name.has_focus() && dialog.name.is_empty() {
                name.request_focus();
            }
            if name.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                submit = true;
            }
            let is_root = dialog.id.is_some() && dialog.parent_id == 0;
            if !is_root {
                let below = dialog
                    .id
                    .map(|id| subtree(categories, id))
                    .unwrap_or_default();
                let label = ui.label(t("drugs.parent_category"));
                let current = paths
                    .iter()
                    .find(|(id, _)| *id == dialog.parent_id)
                    .map_or_else(String::new, |(_, p)| p.clone());
                egui::ComboBox::from_id_salt("category_parent")
                    .width(300.0)
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for (id, path) in paths.iter().filter(|(id, _)| !below.contains(id)) {
                            ui.selectable_value(&mut dialog.parent_id, *id, path);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                widgets::field_error(ui, error.as_ref().and_then(|e| e.field("parent_id")));
            }
            if let Some(error) = &error
                && error.fields.is_empty()
            {
                widgets::error_line(ui, error);
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!busy, egui::Button::new(t("common.save")))
                    .clicked()
                {
                    submit = true;
                }
                if ui.button(t("common.cancel")).clicked() {
                    close = true;
                }
                if busy {
                    ui.spinner();
                }
            });
        });
        if modal.should_close() || close {
            self.dialog = None;
            return;
        }
        if submit && !busy {
            let dialog = dialog.clone();
            self.category_save.request(match dialog.id {
                None => ctx.drugs().create_category(pb::CreateCategoryRequest {
                    name: dialog.name,
                    parent_id: dialog.parent_id,
                }),
                Some(id) => ctx.drugs().update_category(pb::UpdateCategoryRequest {
                    id,
                    version: dialog.version,
                    name: dialog.name,
                    parent_id: dialog.parent_id,
                    sort_order: if dialog.parent_id == dialog.original_parent_id {
                        dialog.position
                    } else {
                        i32::MAX
                    },
                }),
            });
        }
    }

    fn confirm_delete_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        let Some(category) = &self.confirm_delete else {
            return;
        };
        let question = t("drugs.delete_category_question").replace("{name}", &category.name);
        match widgets::confirm(
            egui_ctx,
            "confirm_delete_category",
            &question,
            t("common.delete"),
        ) {
            Some(true) => {
                let request = pb::DeleteRequest {
                    id: category.id,
                    version: category.version,
                };
                self.confirm_delete = None;
                self.category_save.request(
                    ctx.drugs()
                        .delete_category(request)
                        .map(|()| pb::Category::default()),
                );
                self.selected_category = None;
            }
            Some(false) => self.confirm_delete = None,
            None => {}
        }
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let can_write = ctx.can(Permission::DrugWrite);
        ui.horizontal(|ui| {
            let label = ui.label(t("drugs.search"));
            let search = ui
                .add(
                    egui::TextEdit::singleline(&mut self.query)
                        .hint_text(t("drugs.search_hint"))
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
            if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
                search.request_focus();
            }
            egui::ComboBox::from_id_salt("drug_status")
                .selected_text(status_label(self.status))
                .show_ui(ui, |ui| {
                    for s in [
                        pb::DrugStatusFilter::Active,
                        pb::DrugStatusFilter::Archived,
                        pb::DrugStatusFilter::All,
                    ] {
                        ui.selectable_value(&mut self.status, s as i32, status_label(s as i32));
                    }
                });
            if can_write && ui.button(t("drugs.new_drug")).clicked() {
                let category = self.selected_category.unwrap_or(0);
                let form = DrugForm::new_drug(category);
                // Units may have been added on the other tab meanwhile.
                self.reload_units(ctx);
                self.form = Some(form.clone());
                self.original = Some(form);
                self.touched = false;
                self.save = Requested::NotRequested;
                self.warnings.clear();
            }
        });
        if can_write {
            self.import_ui(ui, ctx);
        }
        widgets::request_status(ui, &self.list);
        let drugs = self
            .list
            .value()
            .map(|l| l.drugs.clone())
            .unwrap_or_default();
        let total = self.list.value().map_or(0, |l| l.total);
        let selected = self.form.as_ref().and_then(|f| f.id);
        let mut opened: Option<pb::Drug> = None;
        let mut resort: Option<i32> = None;
        let available = ui.available_height() - 36.0;
        let headers = [
            (t("drug.name"), Some(pb::DrugSort::Name)),
            (t("drug.specification"), Some(pb::DrugSort::Specification)),
            (t("drug.category"), Some(pb::DrugSort::Category)),
            (t("drug.unit"), Some(pb::DrugSort::Unit)),
            (t("drug.purchase_price"), Some(pb::DrugSort::PurchasePrice)),
            (t("drug.sale_price"), Some(pb::DrugSort::SalePrice)),
            (t("drug.status"), Some(pb::DrugSort::Status)),
        ];
        TableBuilder::new(ui)
            .id_salt("drug_table")
            .striped(true)
            .sense(egui::Sense::click())
            .max_scroll_height(available.max(100.0))
            .column(Column::auto().at_least(140.0))
            .column(Column::auto().at_least(100.0))
            .column(Column::auto().at_least(160.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::remainder().at_least(60.0))
            .header(24.0, |mut header| {
                for (label, sort) in headers {
                    header.col(|ui| {
                        let sort = sort.map(|s| s as i32);
                        let arrow = if sort == Some(self.sort) {
                            if self.descending { " ﹀" } else { " ︿" }
                        } else {
                            ""
                        };
                        if ui.button(format!("{label}{arrow}")).clicked() {
                            resort = sort;
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(24.0, drugs.len(), |mut row| {
                    let d = &drugs[row.index()];
                    row.set_selected(selected == Some(d.id));
                    row.col(|ui| {
                        ui.label(&d.name).on_hover_text(&d.trade_name);
                    });
                    row.col(|ui| {
                        ui.label(&d.specification);
                    });
                    row.col(|ui| {
                        ui.label(&d.category_path)
                            .on_hover_text(choice_label::<pb::DrugOrigin>(d.origin));
                    });
                    row.col(|ui| {
                        ui.label(&d.unit_label);
                    });
                    for price in [&d.purchase_price, &d.sale_price] {
                        row.col(|ui| {
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    ui.label(RichText::new(format::money(price)).monospace());
                                },
                            );
                        });
                    }
                    row.col(|ui| {
                        if d.is_active {
                            ui.label(t("drug.active"));
                        } else {
                            ui.label(RichText::new(t("drug.archived")).weak());
                        }
                    });
                    let response = row.response();
                    if response.double_clicked() || response.clicked() {
                        opened = Some(d.clone());
                    }
                });
            });
        if let Some(sort) = resort {
            if self.sort == sort {
                self.descending = !self.descending;
            } else {
                self.sort = sort;
                self.descending = false;
            }
        }
        if let Some(drug) = opened
            && self.form.as_ref().and_then(|f| f.id) != Some(drug.id)
        {
            if self.form != self.original {
                // Unsaved edits: ask before dropping them.
                self.switch_to = Some(drug);
            } else {
                self.open(&drug);
            }
        }
        if let Some(drug) = self.switch_to.clone() {
            match widgets::confirm(
                ui.ctx(),
                "discard_drug_edits",
                t("drugs.discard_question"),
                t("drugs.discard"),
            ) {
                Some(true) => {
                    self.switch_to = None;
                    self.open(&drug);
                }
                Some(false) => self.switch_to = None,
                None => {}
            }
        }
        // Another page changes the search key, which asks again.
        let (exact, next) = self
            .list
            .value()
            .map(|l| (l.total_is_exact, l.next_page.clone()))
            .unwrap_or((true, String::new()));
        self.pages.ui(ui, PAGE, drugs.len(), (total, exact), &next);
    }

    fn import_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        ui.collapsing(t("drugs.import"), |ui| {
            ui.horizontal(|ui| {
                let label = ui.label(t("drugs.template_path"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.template_path)
                        .hint_text("药品导入模板.xlsx"),
                )
                .labelled_by(label.id);
                if ui
                    .add_enabled(
                        !self.template.is_pending(),
                        egui::Button::new(t("drugs.download_template")),
                    )
                    .clicked()
                {
                    let path = if self.template_path.trim().is_empty() {
                        "药品导入模板.xlsx".to_owned()
                    } else {
                        self.template_path.trim().to_owned()
                    };
                    self.template.request(ctx.call(move |api| async move {
                        let template = api.drugs().drug_import_template(()).await?.into_inner();
                        std::fs::write(&path, template.workbook).map_err(|e| {
                            tonic::Status::failed_precondition(format!("{path}: {e}"))
                        })?;
                        Ok(path)
                    }));
                }
            });
            match &self.template {
                Requested::Done(path) => {
                    ui.label(t("drugs.template_saved").replace("{path}", path));
                }
                Requested::Failed { error, .. } => widgets::error_line(ui, error),
                _ => {}
            }
            ui.horizontal(|ui| {
                let label = ui.label(t("drugs.import_path"));
                ui.add(egui::TextEdit::singleline(&mut self.import_path))
                    .labelled_by(label.id);
                if ui
                    .add_enabled(
                        !self.import.is_pending() && !self.import_path.trim().is_empty(),
                        egui::Button::new(t("drugs.import_run")),
                    )
                    .clicked()
                {
                    let path = self.import_path.trim().to_owned();
                    self.import.request(ctx.call(move |api| async move {
                        let workbook = std::fs::read(&path).map_err(|e| {
                            tonic::Status::failed_precondition(format!("{path}: {e}"))
                        })?;
                        Ok(api
                            .drugs()
                            .import_drugs(pb::ImportDrugsRequest { workbook })
                            .await?
                            .into_inner())
                    }));
                }
                if self.import.is_pending() {
                    ui.spinner();
                }
            });
            match &self.import {
                Requested::Done(outcome) if outcome.errors.is_empty() => {
                    ui.label(t("drugs.imported").replace("{n}", &outcome.imported.to_string()));
                }
                Requested::Done(outcome) => {
                    ui.label(RichText::new(t("drugs.import_refused")).color(widgets::ERROR));
                    egui::ScrollArea::vertical()
                        .max_height(120.0)
                        .show(ui, |ui| {
                            for e in &outcome.errors {
                                let text = match crate::i18n::lang() {
                                    crate::i18n::Lang::Zh => &e.message_zh,
                                    crate::i18n::Lang::En => &e.message,
                                };
                                ui.label(
                                    t("drugs.row_error")
                                        .replace("{row}", &e.row.to_string())
                                        .replace("{field}", column_label(&e.field))
                                        .replace("{message}", text),
                                );
                            }
                        });
                }
                Requested::Failed { error, .. } => widgets::error_line(ui, error),
                _ => {}
            }
        });
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, paths: &[(i64, String)]) {
        let can_write = ctx.can(Permission::DrugWrite);
        let units = self.units.value().cloned().unwrap_or_default();
        let error = self.save.error().cloned();
        let busy = self.save.is_pending();
        let Some(form) = &mut self.form else { return };
        ui.heading(if form.id.is_some() {
            t("drugs.edit_drug")
        } else {
            t("drugs.new_drug")
        });
        let before = form.clone();
        ui.add_enabled_ui(can_write, |ui| {
            form::fields_ui(ui, form, paths, &units, error.as_ref(), self.touched);
        });
        if *form != before {
            self.touched = true;
        }
        for w in &self.warnings {
            let text = match crate::i18n::lang() {
                crate::i18n::Lang::Zh => &w.message_zh,
                crate::i18n::Lang::En => &w.message,
            };
            ui.label(RichText::new(text).color(widgets::WARNING));
        }
        if let Some(error) = &error
            && error.fields.is_empty()
        {
            widgets::error_line(ui, error);
        }
        let mut close = false;
        ui.horizontal(|ui| {
            if can_write {
                let changed = self.original.as_ref() != Some(form);
                if ui
                    .add_enabled(!busy && changed, egui::Button::new(t("common.save")))
                    .clicked()
                {
                    self.touched = true;
                    if form.is_valid() {
                        let form = form.clone();
                        self.warnings.clear();
                        self.save.request(match form.id {
                            None => ctx.drugs().create_drug(form.input()),
                            Some(id) => ctx.drugs().update_drug(pb::UpdateDrugRequest {
                                id,
                                version: form.version,
                                drug: Some(form.input()),
                            }),
                        });
                    }
                }
                if let Some(id) = form.id
                    && let Some(is_active) = widgets::archive_button(ui, form.is_active, !busy)
                {
                    let request = pb::SetActiveRequest {
                        id,
                        version: form.version,
                        is_active,
                    };
                    self.save
                        .request(ctx.drugs().set_drug_active(request).map(drug_response));
                }
            }
            if ui.button(t("common.close")).clicked() {
                close = true;
            }
            if busy {
                ui.spinner();
            }
        });
        if error.as_ref().is_some_and(|e| e.conflict.is_some())
            && let Some(id) = form.id
            && ui.button(t("common.reload_record")).clicked()
        {
            self.save.request(
                ctx.drugs()
                    .get_drug(pb::GetDrugRequest { id })
                    .map(drug_response),
            );
        }
        if close {
            self.form = None;
            self.original = None;
        }
    }
}

/// A drug as a save's answer (no warnings).
fn drug_response(drug: pb::Drug) -> pb::DrugResponse {
    pb::DrugResponse {
        drug: Some(drug),
        warnings: Vec::new(),
    }
}

/// The column of the import template a field came from, in the UI language.
fn column_label(field: &str) -> &str {
    match field {
        "name" => t("drug.name"),
        "trade_name" => t("drug.trade_name"),
        "specification" => t("drug.specification"),
        "dosage_form" => t("drug.dosage_form"),
        "manufacturer" => t("drug.manufacturer"),
        "approval_number" => t("drug.approval_number"),
        "category" | "category_id" => t("drug.category"),
        "unit" | "unit_id" => t("drug.unit"),
        "purchase_price" => t("drug.purchase_price"),
        "sale_price" => t("drug.sale_price"),
        "note" => t("drug.note"),
        other => other,
    }
}

fn status_label(status: i32) -> &'static str {
    match pb::DrugStatusFilter::try_from(status).unwrap_or_default() {
        pb::DrugStatusFilter::Active => t("drugs.status.active"),
        pb::DrugStatusFilter::Archived => t("drugs.status.archived"),
        pb::DrugStatusFilter::All => t("drugs.status.all"),
    }
}

/// `id` and every category below it.
fn subtree(categories: &[pb::Category], id: i64) -> Vec<i64> {
    let mut below = vec![id];
    let mut i = 0;
    while i < below.len() {
        let parent = below[i];
        below.extend(
            categories
                .iter()
                .filter(|c| c.parent_id == Some(parent))
                .map(|c| c.id),
        );
        i += 1;
    }
    below
}

enum TreeAction {
    Select(i64),
    Add(i64),
    /// Rename or move, with the node's position among its siblings.
    Edit(pb::Category, i32),
    /// Move to this position among the same siblings.
    MoveTo(pb::Category, i32),
    Delete(pb::Category),
}

fn tree_nodes(
    ui: &mut egui::Ui,
    children: &BTreeMap<Option<i64>, Vec<&pb::Category>>,
    parent: Option<i64>,
    selected: Option<i64>,
    can_edit: bool,
    action: &mut Option<TreeAction>,
) {
    let Some(nodes) = children.get(&parent) else {
        return;
    };
    for (index, c) in nodes.iter().enumerate() {
        let position = i32::try_from(index).unwrap_or(i32::MAX);
        let text = format!("{}（{}）", c.name, c.subtree_drug_count);
        let mut node_ui = |ui: &mut egui::Ui| {
            let response = ui.selectable_label(selected == Some(c.id), text.clone());
            if response.clicked() {
                *action = Some(TreeAction::Select(c.id));
            }
            if can_edit {
                response.context_menu(|ui| {
                    if ui.button(t("drugs.add_child")).clicked() {
                        *action = Some(TreeAction::Add(c.id));
                        ui.close();
                    }
                    if ui.button(t("drugs.rename_move")).clicked() {
                        *action = Some(TreeAction::Edit((*c).clone(), position));
                        ui.close();
                    }
                    if ui.button(t("drugs.move_up")).clicked() {
                        *action = Some(TreeAction::MoveTo((*c).clone(), position - 1));
                        ui.close();
                    }
                    if ui.button(t("drugs.move_down")).clicked() {
                        *action = Some(TreeAction::MoveTo((*c).clone(), position + 1));
                        ui.close();
                    }
                    if c.parent_id.is_some() && ui.button(t("common.delete")).clicked() {
                        *action = Some(TreeAction::Delete((*c).clone()));
                        ui.close();
                    }
                });
            }
        };
        if children.contains_key(&Some(c.id)) {
            let id = ui.make_persistent_id(("drug_category", c.id));
            egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, true)
                .show_header(ui, |ui| node_ui(ui))
                .body(|ui| tree_nodes(ui, children, Some(c.id), selected, can_edit, action));
        } else {
            ui.horizontal(|ui| {
                ui.add_space(18.0);
                node_ui(ui);
            });
        }
    }
}
