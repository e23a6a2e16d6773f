//! The catalogue tab: the category tree (with a context menu) on the left, the drug table
//! for the selected subtree with pinyin search and server-side paging and sorting, the
//! drug form on the right, and the Excel template and import.

use std::collections::BTreeMap;

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use super::category_paths;
use super::form::{self, DrugForm};
use crate::api::files::{self, ExportOutcome, ExportTarget};
use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, label_value, t, tn};
use crate::widgets::{
    self, Cell, DataTable, FieldErrors, RemoveAction, TableColumn, Unsaved, active_text, cells,
    choice_label, row_styles,
};

/// Below this width for the whole tab, an open drug form hides the category tree (a
/// button brings it back) so that the table keeps room for its columns.
const NARROW: f32 = 1000.0;

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
    /// The name as it was (empty when adding), to tell whether anything was typed.
    original_name: String,
    position: i32,
}

impl Unsaved for CategoryDialog {
    fn is_dirty(&self) -> bool {
        self.name != self.original_name || self.parent_id != self.original_parent_id
    }
}

/// What the drug form was asked to do while it held unsaved edits.
#[derive(Clone, Debug)]
enum FormAction {
    Close,
    Open(pb::Drug),
    New,
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
    /// The dialog's complaints from the server.
    dialog_errors: FieldErrors,
    /// Whether the dialog asks before dropping what was typed.
    dialog_discard: widgets::Discard<()>,
    category_save: Requested<pb::Category>,
    confirm_delete: widgets::Confirm<pb::Category>,
    query: String,
    status: i32,
    sort: widgets::Sort,
    pages: widgets::Pages,
    sent: Option<SearchKey>,
    list: Requested<pb::SearchDrugsResponse>,
    form: Option<DrugForm>,
    original: Option<DrugForm>,
    /// Whether the user tried to save (every field's own complaint shows).
    attempted: bool,
    /// The last failed save's complaints, under their fields until edited.
    errors: FieldErrors,
    save: Requested<pb::DrugResponse>,
    /// Deleting or archiving the open drug: asked first (naming it as saved: deleting
    /// cannot be undone, an archived drug can no longer be ordered), then sent.
    confirm_drug: widgets::Confirm<(RemoveAction, String)>,
    /// The delete on its way: the drug's id once done.
    delete: Requested<i64>,
    warnings: Vec<pb::Warning>,
    template_path: widgets::PathField,
    template: Requested<ExportOutcome>,
    import_path: widgets::PathField,
    import: Requested<pb::ImportDrugsResponse>,
    /// Closing the form, or opening another drug, while it holds unsaved edits.
    discard: widgets::Discard<FormAction>,
    /// The user's choice to show or hide the category tree; `None` follows the width.
    show_tree: Option<bool>,
}

impl Unsaved for CataloguePanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.form != self.original
            || self
                .dialog
                .as_ref()
                .is_some_and(|d| !d.name.trim().is_empty())
    }
}

impl CataloguePanel {
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
            sort: self.sort.key,
            descending: self.sort.descending,
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
        self.show_form(DrugForm::from(drug));
    }

    fn show_form(&mut self, form: DrugForm) {
        self.form = Some(form.clone());
        self.original = Some(form);
        self.attempted = false;
        self.save = Requested::NotRequested;
        self.errors.set(None);
        self.warnings.clear();
    }

    fn new_drug(&mut self, ctx: &AppCtx) {
        // Units may have been added on the other tab meanwhile.
        self.reload_units(ctx);
        let category = self.selected_category.unwrap_or(0);
        self.show_form(DrugForm::new_drug(category));
        self.show_tree = None;
    }

    fn close_form(&mut self) {
        self.form = None;
        self.original = None;
        self.errors.set(None);
        self.show_tree = None;
    }

    /// Does `action` now, or once the user agrees to drop unsaved edits.
    fn form_action(&mut self, action: FormAction, ctx: &AppCtx) {
        let dirty = self.form != self.original;
        if let Some(action) = self.discard.request(dirty, action) {
            self.do_form_action(action, ctx);
        }
    }

    /// Shown again (back from the units tab): the units and the drugs listed are read
    /// again, the form left as it is.
    pub fn shown_again(&mut self, ctx: &AppCtx) {
        if self.categories.is_not_requested() {
            return;
        }
        self.reload_units(ctx);
        self.search(ctx);
    }

    fn do_form_action(&mut self, action: FormAction, ctx: &AppCtx) {
        match action {
            FormAction::Close => self.close_form(),
            FormAction::Open(drug) => self.open(&drug),
            FormAction::New => self.new_drug(ctx),
        }
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
        if self.dialog_errors.poll(&mut self.category_save) {
            if let Some(saved) = self.category_save.value()
                && saved.id > 0
            {
                self.selected_category = Some(saved.id);
            }
            self.dialog = None;
            self.reload_categories(ctx);
            // Paths and counts in the table may have changed.
            self.sent = None;
        }
        if self.errors.poll(&mut self.save)
            && let Some(saved) = self.save.value().cloned()
        {
            if let Some(drug) = &saved.drug {
                let was_save = self.errors.is_saved();
                self.open(drug);
                if was_save {
                    self.errors.mark_saved();
                }
            }
            self.warnings = saved.warnings;
            self.search(ctx);
            self.reload_categories(ctx);
        }
        if self.errors.poll(&mut self.delete) {
            // Gone: nothing of its form is left to keep (another drug's form stays).
            if self.form.as_ref().and_then(|f| f.id) == self.delete.value().copied() {
                self.close_form();
            }
            self.delete = Requested::NotRequested;
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
        let show_tree = self.tree_shown(ui.available_width());
        // The search bar over the tree, the list and the form alike: the form opening
        // beside the list does not wrap it anew and move the rows under the pointer.
        egui::Panel::top("drugs_toolbar")
            .show_separator_line(false)
            .show(ui, |ui| self.toolbar_ui(ui, ctx, show_tree));
        let mut shown = show_tree;
        egui::Panel::left("category_tree")
            .resizable(true)
            .default_size(230.0)
            .min_size(180.0)
            .max_size(360.0)
            .show_collapsible(ui, &mut shown, |ui| self.tree_ui(ui, ctx, &categories));
        if shown != show_tree {
            // Dragged shut or open.
            self.show_tree = Some(shown);
        }
        if self.form.is_some() {
            widgets::side_panel(ui, "drug_form", 350.0, |ui| self.form_ui(ui, ctx, &paths));
        }
        egui::CentralPanel::default().show(ui, |ui| self.table_ui(ui, ctx));
        self.dialog_ui(ui.ctx(), ctx, &categories, &paths);
        self.confirm_delete_ui(ui.ctx(), ctx);
        let (question, yes) = self
            .confirm_drug
            .pending()
            .map(|(action, name)| {
                let texts = ("drugs.delete_drug_question", "drugs.archive_drug_question");
                action.question(texts, name)
            })
            .unwrap_or_default();
        match self
            .confirm_drug
            .ui(ui.ctx(), "confirm_drug", &question, yes)
        {
            Some((RemoveAction::Delete(request), _)) => {
                let id = request.id;
                self.delete
                    .request(ctx.drugs().delete_drug(request).map(move |()| id));
            }
            Some((RemoveAction::Archive(request), _)) => {
                self.save
                    .request(ctx.drugs().set_drug_active(request).map(drug_response));
            }
            None => {}
        }
        if let Some(action) = self.discard.ui(ui.ctx(), "discard_drug_edits") {
            self.do_form_action(action, ctx);
        }
    }

    /// Whether the category tree is shown in a tab `width` wide: as the user chose, else
    /// unless the drug form is open in a narrow window.
    fn tree_shown(&self, width: f32) -> bool {
        self.show_tree
            .unwrap_or(self.form.is_none() || width >= NARROW)
    }

    /// Shows the drugs of category `id` (`None`: all). A refusal of what was done to
    /// the category picked before (删除: still has drugs) was about that one: it goes.
    fn select_category(&mut self, id: Option<i64>) {
        if id != self.selected_category && self.category_save.error().is_some() {
            self.category_save = Requested::NotRequested;
        }
        self.selected_category = id;
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
        if self.dialog.is_none()
            && let Some(error) = self.category_save.error()
        {
            widgets::error_line(ui, error);
        }
        let mut children: BTreeMap<Option<i64>, Vec<&pb::Category>> = BTreeMap::new();
        for c in categories {
            children.entry(c.parent_id).or_default().push(c);
        }
        let mut action: Option<TreeAction> = None;
        // What can be done to the selected category, as buttons (also on right-click).
        let selected = self.selected_category.and_then(|id| {
            let c = categories.iter().find(|c| c.id == id)?;
            let siblings = children.get(&c.parent_id).map_or(1, Vec::len);
            let position = children
                .get(&c.parent_id)
                .and_then(|siblings| siblings.iter().position(|s| s.id == id))
                .unwrap_or(0);
            Some((c, (position, siblings)))
        });
        // The row is there, greyed, before a category is picked, with the same buttons:
        // picking one does not move the tree under the pointer.
        if can_edit {
            ui.horizontal_wrapped(|ui| match selected {
                Some((c, place)) => {
                    category_actions(ui, c, place, &mut action);
                }
                None => {
                    ui.disable();
                    let any = pb::Category {
                        parent_id: Some(0),
                        ..Default::default()
                    };
                    category_actions(ui, &any, (0, 1), &mut action);
                }
            });
        }
        ui.separator();
        if ui
            .selectable_label(self.selected_category.is_none(), t("drugs.all_categories"))
            .clicked()
        {
            self.select_category(None);
        }
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
            Some(TreeAction::Select(id)) => self.select_category(Some(id)),
            Some(TreeAction::Add(parent)) => {
                self.category_save = Requested::NotRequested;
                self.dialog_errors.set(None);
                self.dialog = Some(CategoryDialog {
                    id: None,
                    version: 0,
                    name: String::new(),
                    parent_id: parent,
                    original_parent_id: parent,
                    original_name: String::new(),
                    position: i32::MAX,
                });
            }
            Some(TreeAction::Edit(c, position)) => {
                self.category_save = Requested::NotRequested;
                self.dialog_errors.set(None);
                self.dialog = Some(CategoryDialog {
                    id: Some(c.id),
                    version: c.version,
                    name: c.name.clone(),
                    parent_id: c.parent_id.unwrap_or(0),
                    original_parent_id: c.parent_id.unwrap_or(0),
                    original_name: c.name.clone(),
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
            Some(TreeAction::Delete(c)) => self.confirm_delete.ask(c),
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
        let busy = self.category_save.is_pending();
        let errors = &mut self.dialog_errors;
        let mut submit = false;
        let mut close = false;
        let modal = crate::widgets::modal("category_dialog").show(egui_ctx, |ui| {
            ui.set_min_width(380.0);
            ui.heading(if dialog.id.is_some() {
                t("drugs.edit_category")
            } else {
                t("drugs.new_category")
            });
            let is_root = dialog.id.is_some() && dialog.parent_id == 0;
            let below = dialog
                .id
                .map(|id| subtree(categories, id))
                .unwrap_or_default();
            let parents: Vec<(i64, String)> = paths
                .iter()
                .filter(|(id, _)| !below.contains(id))
                .cloned()
                .collect();
            let response = widgets::form(ui, "category_form", errors, |f| {
                f.required(&["name"]);
                let name = f.text(t("drugs.category_name"), "name", &mut dialog.name);
                if dialog.id.is_none() && !name.has_focus() && dialog.name.is_empty() {
                    name.request_focus();
                }
                if !is_root {
                    f.combo(
                        t("drugs.parent_category"),
                        "parent_id",
                        &mut dialog.parent_id,
                        &parents,
                    );
                }
            });
            let (save, cancel) =
                widgets::form_buttons(ui, t("common.save"), t("common.cancel"), busy);
            submit = save || response.submitted;
            close = cancel;
        });
        // Closed, the dialog takes its refused save along: what the server said of it is
        // not the tree's (it stayed above the tree).
        if ((crate::widgets::dismissed(&modal) || close)
            && self.dialog_discard.request(dialog.is_dirty(), ()).is_some())
            || self
                .dialog_discard
                .ui(egui_ctx, "discard_category_dialog")
                .is_some()
        {
            self.dialog = None;
            if !self.category_save.is_pending() {
                self.category_save = Requested::NotRequested;
            }
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
        let Some(category) = self.confirm_delete.pending() else {
            return;
        };
        let question = t("drugs.delete_category_question").replace("{name}", &category.name);
        if let Some(category) = self.confirm_delete.ui(
            egui_ctx,
            "confirm_delete_category",
            &question,
            t("common.delete"),
        ) {
            let request = pb::DeleteRequest {
                id: category.id,
                version: category.version,
            };
            self.category_save.request(
                ctx.drugs()
                    .delete_category(request)
                    .map(|()| pb::Category::default()),
            );
            self.selected_category = None;
        }
    }

    /// The tree's toggle, 新建药品, the search and the status filter.
    fn toolbar_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, show_tree: bool) {
        let can_write = ctx.can(Permission::DrugWrite);
        let mut new_clicked = false;
        ui.horizontal_wrapped(|ui| {
            let (arrow, tip) = if show_tree {
                ("«", t("drugs.hide_tree"))
            } else {
                ("»", t("drugs.show_tree"))
            };
            if ui.button(arrow).on_hover_text(tip).clicked() {
                self.show_tree = Some(!show_tree);
            }
            if can_write && ui.button(t("drugs.new_drug")).clicked() {
                new_clicked = true;
            }
            widgets::search_field(
                ui,
                t("drugs.search"),
                t("drugs.search_hint"),
                220.0,
                &mut self.query,
            );
            // 全部 first, as every filter lists it.
            let statuses: Vec<(i32, String)> = [
                pb::DrugStatusFilter::All,
                pb::DrugStatusFilter::Active,
                pb::DrugStatusFilter::Archived,
            ]
            .iter()
            .map(|s| (*s as i32, status_label(*s as i32).to_owned()))
            .collect();
            widgets::combo(
                ui,
                "drug_status",
                t("drug.status"),
                &mut self.status,
                &statuses,
            );
        });
        if new_clicked {
            self.form_action(FormAction::New, ctx);
        }
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if ctx.can(Permission::DrugWrite) {
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
        let available = ui.available_height() - 48.0;
        // Purchase prices are commercially sensitive: only with `drug.cost.read` (the
        // server sends them to no one else).
        let show_cost = ctx.can(Permission::DrugCostRead);
        let column = |header, key: pb::DrugSort, text: &dyn Fn(&pb::Drug) -> Cell| {
            TableColumn::text(header, drugs.iter().map(text).collect()).sorted_by(key as i32, false)
        };
        let price = |header, key: pb::DrugSort, price: fn(&pb::Drug) -> &str| {
            TableColumn::money(header, cells(&drugs, |d| price(d).to_owned()))
                .sorted_by(key as i32, false)
        };
        let mut columns = vec![
            // The trade name on hover, when there is one.
            column(t("drug.name"), pb::DrugSort::Name, &|d| {
                let name = Cell::new(&d.name);
                if d.trade_name.is_empty() {
                    name
                } else {
                    let trade_name = label_value(t("drug.trade_name"), &d.trade_name);
                    name.with_hover(format!("{}\n{trade_name}", d.name))
                }
            }),
            column(t("drug.specification"), pb::DrugSort::Specification, &|d| {
                Cell::new(&d.specification)
            }),
        ];
        // The prices, what users look for, before the long category path: at 900 wide,
        // or beside the open drug's form, they were behind a sideways scroll.
        if show_cost {
            columns.push(price(
                t("drug.purchase_price"),
                pb::DrugSort::PurchasePrice,
                |d| &d.purchase_price,
            ));
        }
        columns.extend([
            price(t("drug.sale_price"), pb::DrugSort::SalePrice, |d| {
                &d.sale_price
            }),
            column(t("drug.unit"), pb::DrugSort::Unit, &|d| {
                Cell::new(&d.unit_label)
            }),
            column(t("drug.category"), pb::DrugSort::Category, &|d| {
                Cell::new(&d.category_path).with_hover(bracketed(
                    &d.category_path,
                    choice_label::<pb::DrugOrigin>(d.origin),
                ))
            }),
            column(t("drug.status"), pb::DrugSort::Status, &|d| {
                Cell::new(active_text(d.is_active))
            }),
        ]);
        // The drug open in the form is lit; an archived one greyed.
        let styles = row_styles(&drugs, selected, |d| (d.id, !d.is_active));
        let opened = DataTable::new("drug_table", &columns)
            .styles(&styles)
            .clickable()
            .max_height(available)
            .sort(Some(&mut self.sort))
            .show(ui)
            .map(|i| drugs[i].clone());
        if let Some(drug) = opened
            && self.form.as_ref().and_then(|f| f.id) != Some(drug.id)
        {
            self.form_action(FormAction::Open(drug), ctx);
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
        // Keyed by a fixed id, not its label: it stays open when the language is switched.
        egui::CollapsingHeader::new(t("drugs.import"))
            .id_salt("drugs_import")
            .show(ui, |ui| {
                let mut clicked = false;
                // Wrapped: at 900 points the button went past the edge.
                ui.horizontal_wrapped(|ui| {
                    self.template_path.labelled(
                        ui,
                        ctx,
                        t("drugs.template_path"),
                        widgets::Purpose::Save(t("drugs.template_file")),
                        t("drugs.template_file"),
                        360.0,
                    );
                    if ui
                        .add_enabled(
                            !self.template.is_pending(),
                            egui::Button::new(t("drugs.download_template")),
                        )
                        .clicked()
                    {
                        // The last download's outcome is not this one's.
                        self.template = Requested::NotRequested;
                        clicked = true;
                    }
                });
                if let Some(target) =
                    self.template_path
                        .save_target(ui, clicked, t("drugs.template_file"))
                {
                    self.template.request(download_template(ctx, target));
                }
                widgets::saved_file_ui(ui, &self.template, t("drugs.template_saved"));
                ui.horizontal_wrapped(|ui| {
                    self.import_path.labelled(
                        ui,
                        ctx,
                        t("drugs.import_path"),
                        widgets::Purpose::Open(&["xlsx"]),
                        "",
                        360.0,
                    );
                    if ui
                        .add_enabled(
                            !self.import.is_pending() && !self.import_path.trimmed().is_empty(),
                            egui::Button::new(t("drugs.import_run")),
                        )
                        .clicked()
                    {
                        let path = self.import_path.trimmed().to_owned();
                        self.import.request(ctx.call(move |api| async move {
                            let workbook = files::read(&path, "workbook")?;
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
                        ui.label(
                            RichText::new(tn("drugs.imported", u64::from(outcome.imported)))
                                .color(widgets::SUCCESS),
                        );
                        if !outcome.warnings.is_empty() {
                            ui.label(
                                RichText::new(t("drugs.import_warnings")).color(widgets::WARNING),
                            );
                            row_messages(ui, &outcome.warnings);
                        }
                    }
                    Requested::Done(outcome) => {
                        ui.label(RichText::new(t("drugs.import_refused")).color(widgets::ERROR));
                        row_messages(ui, &outcome.errors);
                    }
                    // The workbook refused whole: its sentence, not the request field's name.
                    Requested::Failed { error, .. } => match error.field("workbook") {
                        Some(why) => {
                            ui.label(RichText::new(why).color(widgets::ERROR));
                        }
                        None => widgets::error_line(ui, error),
                    },
                    _ => {}
                }
            });
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, paths: &[(i64, String)]) {
        let can_write = ctx.can(Permission::DrugWrite);
        let units = self.units.value().cloned().unwrap_or_default();
        let busy = self.save.is_pending() || self.delete.is_pending();
        let conflict = self.errors.error().is_some_and(|e| e.conflict.is_some());
        let Some(form) = &mut self.form else { return };
        // Those who may not change drugs read them: the same fields, greyed, under a
        // heading that does not offer an edit.
        ui.heading(match (form.id.is_some(), can_write) {
            (true, true) => t("drugs.edit_drug"),
            (true, false) => t("drugs.drug_details"),
            (false, _) => t("drugs.new_drug"),
        });
        // Greyed inputs read as editable to a new user (typing did nothing): said in words.
        if form.id.is_some() && !can_write {
            ui.label(RichText::new(t("drugs.read_only")).weak());
        }
        // An archived drug says so (the list shows it only under 已归档 or 全部).
        if form.id.is_some() && !form.is_active {
            ui.label(RichText::new(t("common.archived")).color(widgets::WARNING));
        }
        let original = self.original.as_ref();
        let response = ui
            .add_enabled_ui(can_write, |ui| {
                form::fields_ui(
                    ui,
                    form,
                    original,
                    paths,
                    &units,
                    &mut self.errors,
                    self.attempted,
                )
            })
            .inner;
        // The form warns of some things as they are typed: the save's answer does not
        // repeat them.
        for w in self
            .warnings
            .iter()
            .filter(|w| !form::WARNED_AS_TYPED.contains(&w.field.as_str()))
        {
            ui.label(RichText::new(widgets::warning_sentence(w)).color(widgets::WARNING));
        }
        let mut close = false;
        let changed = self.original.as_ref() != Some(form);
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            if can_write {
                if widgets::save_button(ui, busy, changed, response.submitted) {
                    self.attempted = true;
                    if form.is_valid() {
                        let form = form.clone();
                        self.warnings.clear();
                        self.save.request(match form.id {
                            None => ctx.drugs().create_drug(form.input()),
                            Some(id) => ctx
                                .drugs()
                                .update_drug(pb::UpdateDrugRequest {
                                    id,
                                    version: form.version,
                                    drug: Some(form.input()),
                                })
                                .map_err(|e| e.unnested("drug")),
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
                    if is_active {
                        self.save
                            .request(ctx.drugs().set_drug_active(request).map(drug_response));
                    } else {
                        let name = self.original.as_ref().map(|o| o.name.clone());
                        self.confirm_drug.ask((
                            RemoveAction::Archive(request),
                            name.unwrap_or_else(|| form.name.clone()),
                        ));
                    }
                }
                if let Some(id) = form.id
                    && ui
                        .add_enabled(!busy, egui::Button::new(t("common.delete")))
                        .on_hover_text(t("drugs.delete_drug_hint"))
                        .clicked()
                {
                    let name = self.original.as_ref().map(|o| o.name.clone());
                    self.confirm_drug.ask((
                        RemoveAction::Delete(pb::DeleteRequest {
                            id,
                            version: form.version,
                        }),
                        name.unwrap_or_else(|| form.name.clone()),
                    ));
                }
            }
            if ui.button(t("common.close")).clicked() {
                close = true;
            }
            if busy {
                ui.spinner();
            }
            self.errors.saved_ui(ui, changed);
        });
        if conflict
            && let Some(id) = form.id
            && ui.button(t("common.reload_record")).clicked()
        {
            self.errors.expect_read();
            self.save.request(
                ctx.drugs()
                    .get_drug(pb::GetDrugRequest { id })
                    .map(drug_response),
            );
        }
        if close {
            self.form_action(FormAction::Close, ctx);
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

/// An import's refused rows, or its rows to look at again: "第 3 行 售价：…", scrolled.
fn row_messages(ui: &mut egui::Ui, rows: &[pb::ImportRowError]) {
    egui::ScrollArea::vertical()
        .max_height(120.0)
        .show(ui, |ui| {
            for e in rows {
                let text = crate::i18n::either(&e.message_zh, &e.message);
                ui.label(
                    t("drugs.row_error")
                        .replace("{row}", &e.row.to_string())
                        .replace("{field}", column_label(&e.field))
                        .replace("{message}", text),
                );
            }
        });
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

/// The buttons acting on category `c` (at `position` among `siblings` categories), in the
/// tree's context menu and above the tree for the selected one; whether one was clicked.
/// The first cannot move up, nor the last down.
fn category_actions(
    ui: &mut egui::Ui,
    c: &pb::Category,
    (position, siblings): (usize, usize),
    action: &mut Option<TreeAction>,
) -> bool {
    let position_at = |p: usize| i32::try_from(p).unwrap_or(i32::MAX);
    let before = action.is_some();
    // Greyed before a category is picked, they say why (the top-level classes are the
    // company's two: nothing is added at the top).
    let why = |r: egui::Response| r.on_disabled_hover_text(t("drugs.pick_category_first"));
    if why(ui.button(t("drugs.add_child"))).clicked() {
        *action = Some(TreeAction::Add(c.id));
    }
    if why(ui.button(t("drugs.rename_move"))).clicked() {
        *action = Some(TreeAction::Edit(c.clone(), position_at(position)));
    }
    if ui
        .add_enabled(position > 0, egui::Button::new(t("drugs.move_up")))
        .clicked()
    {
        *action = Some(TreeAction::MoveTo(c.clone(), position_at(position) - 1));
    }
    if ui
        .add_enabled(
            position + 1 < siblings,
            egui::Button::new(t("drugs.move_down")),
        )
        .clicked()
    {
        *action = Some(TreeAction::MoveTo(c.clone(), position_at(position) + 1));
    }
    // A top-level category (代理类, 自产类) stays: greyed, so the row keeps its width.
    if ui
        .add_enabled(c.parent_id.is_some(), egui::Button::new(t("common.delete")))
        .clicked()
    {
        *action = Some(TreeAction::Delete(c.clone()));
    }
    action.is_some() && !before
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
        let place = (index, nodes.len());
        let text = bracketed(&c.name, &c.subtree_drug_count.to_string());
        let mut node_ui = |ui: &mut egui::Ui| {
            let response = ui.selectable_label(selected == Some(c.id), text.clone());
            if response.clicked() {
                *action = Some(TreeAction::Select(c.id));
            }
            if can_edit {
                response.context_menu(|ui| {
                    if category_actions(ui, c, place, action) {
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

/// Downloads the drug import template to `target`.
fn download_template(ctx: &AppCtx, target: ExportTarget) -> crate::backend::Promise<ExportOutcome> {
    ctx.call(move |api| async move {
        let template = api.drugs().drug_import_template(()).await?.into_inner();
        Ok(files::save(&target, "", &template.workbook))
    })
}
