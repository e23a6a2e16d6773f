//! The drug form: validates as the user types (the same rules as the server, from
//! `pharmacrm_shared`), shows the server's field errors on their fields and its warnings.

use egui::RichText;
use pharmacrm_shared::money;
use pharmacrm_shared::pb;
use pharmacrm_shared::validation::{self, Violation};

use crate::i18n::t;
use crate::widgets::{self, FieldErrors, FormResponse};

/// The fields the form checks itself, with the server's rules.
const LOCAL_FIELDS: [&str; 5] = [
    "name",
    "specification",
    "manufacturer",
    "purchase_price",
    "sale_price",
];

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
    /// The server left the purchase price out (the user lacks `drug.cost.read`): the field
    /// is hidden and the server keeps the stored price on save.
    pub cost_hidden: bool,
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
            cost_hidden: d.purchase_price.is_empty(),
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

    /// The text of a field the form checks itself.
    fn text(&self, field: &str) -> &str {
        match field {
            "name" => &self.name,
            "specification" => &self.specification,
            "manufacturer" => &self.manufacturer,
            "purchase_price" => &self.purchase_price,
            "sale_price" => &self.sale_price,
            _ => "",
        }
    }

    /// What the form itself can tell about `field` before asking the server.
    fn local_error(&self, field: &str) -> Option<Violation> {
        match field {
            "name" => validation::required_line(&self.name, 100).err(),
            "specification" => validation::required_line(&self.specification, 100).err(),
            "manufacturer" => validation::required_line(&self.manufacturer, 100).err(),
            "purchase_price" if !self.cost_hidden => money::parse_price(&self.purchase_price).err(),
            "sale_price" => money::parse_price(&self.sale_price).err(),
            _ => None,
        }
    }

    /// Whether the form can be sent.
    pub fn is_valid(&self) -> bool {
        LOCAL_FIELDS.iter().all(|f| self.local_error(f).is_none())
            && self.category_id > 0
            && self.unit_id > 0
    }
}

/// How a container unit is named in the unit picker: "盒（24粒）", as the server names it
/// on drugs and order lines.
pub fn unit_label(u: &pb::ContainerUnit) -> String {
    money::unit_label(&u.name, &u.capacity, &u.capacity_unit)
}

/// The fields whose server warnings the form gives itself, as the values are typed (a sale
/// price below the purchase price): the save's answer does not say them again.
pub const WARNED_AS_TYPED: [&str; 1] = ["sale_price"];

/// Draws the form's fields. The form's own complaint about a field shows once the field
/// differs from `original` (as loaded), or for every field once `attempted` (the user
/// tried to save); the server's are in `errors`.
pub fn fields_ui(
    ui: &mut egui::Ui,
    form: &mut DrugForm,
    original: Option<&DrugForm>,
    categories: &[(i64, String)],
    units: &[pb::ContainerUnit],
    errors: &mut FieldErrors,
    attempted: bool,
) -> FormResponse {
    for field in LOCAL_FIELDS {
        let edited = original.is_none_or(|o| o.text(field) != form.text(field));
        let complaint = (attempted || edited)
            .then(|| form.local_error(field).map(crate::i18n::violation))
            .flatten();
        errors.set_local(field, complaint);
    }
    let missing = |chosen: i64| (attempted && chosen <= 0).then(|| t("drug.choose").to_owned());
    errors.set_local("category_id", missing(form.category_id));
    errors.set_local("unit_id", missing(form.unit_id));
    let current_unit = form.unit_id;
    let unit_options: Vec<(i64, String)> = units
        .iter()
        .filter(|u| u.is_active || u.id == current_unit)
        .map(|u| (u.id, unit_label(u)))
        .collect();
    // Drawn read-only (a rep reading a drug), nothing is to be filled in: no red marks.
    let editable = ui.is_enabled();
    widgets::form(ui, "drug_form", errors, |f| {
        if editable {
            f.required(&[
                "name",
                "specification",
                "manufacturer",
                "category_id",
                "unit_id",
                "purchase_price",
                "sale_price",
            ]);
        }
        f.text(t("drug.name"), "name", &mut form.name);
        f.text(t("drug.trade_name"), "trade_name", &mut form.trade_name);
        f.text(
            t("drug.specification"),
            "specification",
            &mut form.specification,
        );
        f.text(t("drug.dosage_form"), "dosage_form", &mut form.dosage_form);
        f.text(
            t("drug.manufacturer"),
            "manufacturer",
            &mut form.manufacturer,
        );
        f.text(
            t("drug.approval_number"),
            "approval_number",
            &mut form.approval_number,
        );
        f.combo(
            t("drug.category"),
            "category_id",
            &mut form.category_id,
            categories,
        );
        f.combo(t("drug.unit"), "unit_id", &mut form.unit_id, &unit_options);
        if !form.cost_hidden {
            f.text(
                t("drug.purchase_price"),
                "purchase_price",
                &mut form.purchase_price,
            );
        }
        f.text(t("drug.sale_price"), "sale_price", &mut form.sale_price);
        // A sale price below the purchase price is allowed, but worth a look before saving
        // (see `WARNED_AS_TYPED`).
        if !form.cost_hidden
            && let (Ok(purchase), Ok(sale)) = (
                money::parse_price(&form.purchase_price),
                money::parse_price(&form.sale_price),
            )
            && sale < purchase
        {
            f.note(RichText::new(t("drug.below_cost")).color(widgets::WARNING));
        }
        f.text(t("drug.note"), "note", &mut form.note);
    })
}
