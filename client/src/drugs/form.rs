//! The drug form: validates as the user types (the same rules as the server, from
//! `pharmacrm_shared`), shows the server's field errors on their fields and its warnings.

use egui::RichText;
use pharmacrm_shared::money;
use pharmacrm_shared::pb;
use pharmacrm_shared::validation::{self, Violation};

use crate::api::ApiError;
use crate::i18n::{Lang, lang, t};
use crate::widgets;

/// The fields of a new or existing drug, as typed.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DrugForm {
    /// `None` for a new drug.
    pub id: Option<i64>,
    pub version: i32,
    pub is_active: bool,
    pub name: String,
    pub trade_name: String,
    pub specification: String,
    pub dosage_form: String,
    pub manufacturer: String,
    pub approval_number: String,
    pub category_id: i64,
    pub unit_id: i64,
    pub purchase_price: String,
    pub sale_price: String,
    pub note: String,
}

impl DrugForm {
    /// An empty form under `category_id`.
    pub fn new_drug(category_id: i64) -> DrugForm {
        DrugForm {
            is_active: true,
            category_id,
            ..Default::default()
        }
    }

    /// The form of an existing drug.
    pub fn from(d: &pb::Drug) -> DrugForm {
        DrugForm {
            id: Some(d.id),
            version: d.version,
            is_active: d.is_active,
            name: d.name.clone(),
            trade_name: d.trade_name.clone(),
            specification: d.specification.clone(),
            dosage_form: d.dosage_form.clone(),
            manufacturer: d.manufacturer.clone(),
            approval_number: d.approval_number.clone(),
            category_id: d.category_id,
            unit_id: d.unit_id,
            purchase_price: d.purchase_price.clone(),
            sale_price: d.sale_price.clone(),
            note: d.note.clone(),
        }
    }

    /// The request body.
    pub fn input(&self) -> pb::DrugInput {
        pb::DrugInput {
            name: self.name.clone(),
            trade_name: self.trade_name.clone(),
            specification: self.specification.clone(),
            dosage_form: self.dosage_form.clone(),
            manufacturer: self.manufacturer.clone(),
            approval_number: self.approval_number.clone(),
            category_id: self.category_id,
            unit_id: self.unit_id,
            purchase_price: self.purchase_price.clone(),
            sale_price: self.sale_price.clone(),
            note: self.note.clone(),
        }
    }

    /// What the form itself can tell about `field` before asking the server.
    fn local_error(&self, field: &str) -> Option<Violation> {
        match field {
            "name" => validation::required_text(&self.name, 100).err(),
            "specification" => validation::required_text(&self.specification, 100).err(),
            "manufacturer" => validation::required_text(&self.manufacturer, 100).err(),
            "purchase_price" => money::parse_price(&self.purchase_price).err(),
            "sale_price" => money::parse_price(&self.sale_price).err(),
            _ => None,
        }
    }

    /// Whether the form can be sent.
    pub fn is_valid(&self) -> bool {
        [
            "name",
            "specification",
            "manufacturer",
            "purchase_price",
            "sale_price",
        ]
        .iter()
        .all(|f| self.local_error(f).is_none())
            && self.category_id > 0
            && self.unit_id > 0
    }
}

fn violation_text(v: Violation) -> String {
    match lang() {
        Lang::Zh => v.zh,
        Lang::En => v.en,
    }
}

/// Draws the form's fields. `touched` says whether to show the form's own complaints
/// (not before the user typed anything).
pub fn fields_ui(
    ui: &mut egui::Ui,
    form: &mut DrugForm,
    categories: &[(i64, String)],
    units: &[pb::ContainerUnit],
    error: Option<&ApiError>,
    touched: bool,
) {
    let message = |form: &DrugForm, field: &str| {
        error.and_then(|e| e.field(field)).or_else(|| {
            touched
                .then(|| form.local_error(field).map(violation_text))
                .flatten()
        })
    };
    let text = |ui: &mut egui::Ui, form: &mut DrugForm, label: &str, field: &str| {
        let error = message(form, field);
        let value = match field {
            "name" => &mut form.name,
            "trade_name" => &mut form.trade_name,
            "specification" => &mut form.specification,
            "dosage_form" => &mut form.dosage_form,
            "manufacturer" => &mut form.manufacturer,
            "approval_number" => &mut form.approval_number,
            "purchase_price" => &mut form.purchase_price,
            "sale_price" => &mut form.sale_price,
            _ => &mut form.note,
        };
        widgets::text_field(ui, label, value, error);
    };
    text(ui, form, t("drug.name"), "name");
    text(ui, form, t("drug.trade_name"), "trade_name");
    text(ui, form, t("drug.specification"), "specification");
    text(ui, form, t("drug.dosage_form"), "dosage_form");
    text(ui, form, t("drug.manufacturer"), "manufacturer");
    text(ui, form, t("drug.approval_number"), "approval_number");

    let label = ui.label(t("drug.category"));
    let current = categories
        .iter()
        .find(|(id, _)| *id == form.category_id)
        .map_or_else(|| t("common.pick").to_owned(), |(_, p)| p.clone());
    egui::ComboBox::from_id_salt("drug_category")
        .width(260.0)
        .selected_text(current)
        .show_ui(ui, |ui| {
            for (id, path) in categories {
                ui.selectable_value(&mut form.category_id, *id, path);
            }
        })
        .response
        .labelled_by(label.id);
    let missing = |chosen: i64| (touched && chosen <= 0).then(|| t("drug.choose").to_owned());
    widgets::field_error(
        ui,
        error
            .and_then(|e| e.field("category_id"))
            .or_else(|| missing(form.category_id)),
    );

    let label = ui.label(t("drug.unit"));
    let unit_label =
        |u: &pb::ContainerUnit| format!("{}（{}{}）", u.name, u.capacity, u.capacity_unit);
    let current = units
        .iter()
        .find(|u| u.id == form.unit_id)
        .map_or_else(|| t("common.pick").to_owned(), unit_label);
    egui::ComboBox::from_id_salt("drug_unit")
        .width(260.0)
        .selected_text(current)
        .show_ui(ui, |ui| {
            let current = form.unit_id;
            for u in units.iter().filter(|u| u.is_active || u.id == current) {
                ui.selectable_value(&mut form.unit_id, u.id, unit_label(u));
            }
        })
        .response
        .labelled_by(label.id);
    widgets::field_error(
        ui,
        error
            .and_then(|e| e.field("unit_id"))
            .or_else(|| missing(form.unit_id)),
    );

    text(ui, form, t("drug.purchase_price"), "purchase_price");
    text(ui, form, t("drug.sale_price"), "sale_price");
    // A sale price below the purchase price is allowed, but worth a look before saving.
    if let (Ok(purchase), Ok(sale)) = (
        money::parse_price(&form.purchase_price),
        money::parse_price(&form.sale_price),
    ) && sale < purchase
    {
        ui.label(
            RichText::new(t("drug.below_cost"))
                .color(widgets::WARNING)
                .small(),
        );
    }
    text(ui, form, t("drug.note"), "note");
}
