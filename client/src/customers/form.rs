//! The customer form: province → city picker from the shipped divisions, business kind,
//! type, the drug varieties (picked from the catalogue with pinyin search), reps on
//! creation, and the duplicate warning before a second record is created.

use pharmacrm_shared::pb;
use pharmacrm_shared::region;

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets;

/// The form's fields, as typed.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CustomerForm {
    /// `None` for a new customer.
    pub id: Option<i64>,
    pub version: i32,
    pub name: String,
    pub contact_person: String,
    pub id_number: String,
    pub id_number_masked: String,
    /// Remove the stored ID number.
    pub clear_id_number: bool,
    pub phone: String,
    pub fax: String,
    pub postcode: String,
    pub province_code: String,
    pub city_code: String,
    pub address: String,
    pub business_kind: i32,
    pub type_id: i64,
    pub drugs: Vec<pb::DrugRef>,
    pub credit_days: String,
    pub note: String,
    /// 0: the caller.
    pub sales_rep_id: i64,
    pub cs_rep_id: i64,
}

impl CustomerForm {
    /// The form of an existing customer.
    pub fn from(c: &pb::Customer) -> CustomerForm {
        CustomerForm {
            id: Some(c.id),
            version: c.version,
            name: c.name.clone(),
            contact_person: c.contact_person.clone(),
            id_number: String::new(),
            id_number_masked: c.id_number_masked.clone(),
            clear_id_number: false,
            phone: c.phone.clone(),
            fax: c.fax.clone(),
            postcode: c.postcode.clone(),
            province_code: c.province_code.clone(),
            city_code: c.city_code.clone(),
            address: c.address.clone(),
            business_kind: c.business_kind,
            type_id: c.type_id,
            drugs: c.drugs.clone(),
            credit_days: c.credit_days.to_string(),
            note: c.note.clone(),
            sales_rep_id: c.sales_rep.as_ref().map_or(0, |r| r.id),
            cs_rep_id: c.cs_rep.as_ref().map_or(0, |r| r.id),
        }
    }

    /// The request body.
    pub fn input(&self) -> pb::CustomerInput {
        pb::CustomerInput {
            name: self.name.clone(),
            contact_person: self.contact_person.clone(),
            id_number: self.id_number.clone(),
            phone: self.phone.clone(),
            fax: self.fax.clone(),
            postcode: self.postcode.clone(),
            province_code: self.province_code.clone(),
            city_code: self.city_code.clone(),
            address: self.address.clone(),
            business_kind: self.business_kind,
            type_id: self.type_id,
            drug_ids: self.drugs.iter().map(|d| d.id).collect(),
            // Empty means no credit; anything else must be a number of days.
            credit_days: match self.credit_days.trim() {
                "" => 0,
                days => days.parse().unwrap_or(-1),
            },
            note: self.note.clone(),
            sales_rep_id: self.sales_rep_id,
            cs_rep_id: self.cs_rep_id,
            clear_id_number: self.clear_id_number,
        }
    }
}

/// The form with its pickers' state and the save request.
#[derive(Default)]
pub struct FormPanel {
    pub form: CustomerForm,
    pub original: CustomerForm,
    types: Requested<Vec<pb::CustomerType>>,
    sales_reps: Requested<Vec<pb::UserRef>>,
    cs_reps: Requested<Vec<pb::UserRef>>,
    drug_query: String,
    drug_sent: Option<String>,
    drug_results: Requested<Vec<pb::Drug>>,
    duplicates: Requested<Vec<pb::DuplicateCustomer>>,
    confirmed_duplicates: bool,
    pub save: Requested<pb::Customer>,
}

impl FormPanel {
    /// A form for `form`.
    pub fn new(form: CustomerForm) -> FormPanel {
        FormPanel {
            original: form.clone(),
            form,
            ..Default::default()
        }
    }

    /// Whether it holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        self.form != self.original
    }

    fn submit(&mut self, ctx: &AppCtx) {
        let form = self.form.clone();
        self.save.request(match form.id {
            None => ctx.customers().create_customer(form.input()),
            Some(id) => ctx.customers().update_customer(pb::UpdateCustomerRequest {
                id,
                version: form.version,
                customer: Some(form.input()),
            }),
        });
    }

    /// Draws the form; returns the saved customer once saved.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<pb::Customer> {
        if self.types.is_not_requested() {
            self.types.request(
                ctx.customers()
                    .list_customer_types(pb::ListCustomerTypesRequest::default())
                    .map(|r| r.types),
            );
            for (slot, role) in [(&mut self.sales_reps, "sales"), (&mut self.cs_reps, "cs")] {
                slot.request(
                    ctx.customers()
                        .list_reps(pb::ListRepsRequest { role: role.into() })
                        .map(|r| r.reps),
                );
            }
        }
        self.types.poll();
        self.sales_reps.poll();
        self.cs_reps.poll();
        self.drug_results.poll();
        if let Polled::JustDone = self.duplicates.poll()
            && self.duplicates.value().is_some_and(Vec::is_empty)
        {
            self.submit(ctx);
        }
        if let Polled::JustDone = self.save.poll()
            && let Requested::Done(saved) = &self.save
        {
            let saved = saved.clone();
            self.form = CustomerForm::from(&saved);
            self.original = self.form.clone();
            return Some(saved);
        }
        let error = self.save.error().cloned();
        let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
        let form = &mut self.form;
        ui.heading(if form.id.is_some() {
            t("customer.edit")
        } else {
            t("customer.new")
        });
        egui::Grid::new("customer_form")
            .num_columns(2)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                ui.vertical(|ui| {
                    widgets::text_field(ui, t("customer.name"), &mut form.name, field("name"));
                    widgets::text_field(
                        ui,
                        t("customer.contact"),
                        &mut form.contact_person,
                        field("contact_person"),
                    );
                    let label = if form.id_number_masked.is_empty() {
                        t("customer.id_number").to_owned()
                    } else {
                        format!(
                            "{}（{}）",
                            t("customer.id_number_replace"),
                            form.id_number_masked
                        )
                    };
                    widgets::text_field(ui, &label, &mut form.id_number, field("id_number"));
                    if !form.id_number_masked.is_empty() {
                        ui.checkbox(&mut form.clear_id_number, t("customer.clear_id_number"));
                    }
                    widgets::text_field(ui, t("customer.phone"), &mut form.phone, field("phone"));
                    widgets::text_field(ui, t("customer.fax"), &mut form.fax, field("fax"));
                    widgets::text_field(
                        ui,
                        t("customer.postcode"),
                        &mut form.postcode,
                        field("postcode"),
                    );
                });
                ui.vertical(|ui| {
                    let label = ui.label(t("customer.province"));
                    let province_name = region::province(&form.province_code)
                        .map_or(t("common.pick"), |p| p.name.as_str());
                    egui::ComboBox::from_id_salt("province")
                        .selected_text(province_name)
                        .show_ui(ui, |ui| {
                            for p in region::provinces() {
                                if ui
                                    .selectable_label(form.province_code == p.code, &p.name)
                                    .clicked()
                                {
                                    form.province_code = p.code.clone();
                                    form.city_code.clear();
                                }
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    widgets::field_error(ui, field("province_code"));
                    let label = ui.label(t("customer.city"));
                    let cities = region::province(&form.province_code)
                        .map(|p| p.cities.as_slice())
                        .unwrap_or_default();
                    let city_name = cities
                        .iter()
                        .find(|c| c.code == form.city_code)
                        .map_or(t("common.pick"), |c| c.name.as_str());
                    egui::ComboBox::from_id_salt("city")
                        .selected_text(city_name)
                        .show_ui(ui, |ui| {
                            for c in cities {
                                ui.selectable_value(&mut form.city_code, c.code.clone(), &c.name);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    widgets::field_error(ui, field("city_code"));
                    widgets::text_field(
                        ui,
                        t("customer.address"),
                        &mut form.address,
                        field("address"),
                    );
                    widgets::enum_combo::<pb::BusinessKind>(
                        ui,
                        "business_kind",
                        t("customer.kind"),
                        &mut form.business_kind,
                    );
                    widgets::field_error(ui, field("business_kind"));
                    let types = self.types.value().cloned().unwrap_or_default();
                    let label = ui.label(t("customer.type"));
                    let type_name = types
                        .iter()
                        .find(|x| x.id == form.type_id)
                        .map_or(t("common.pick"), |x| x.name.as_str());
                    egui::ComboBox::from_id_salt("customer_type")
                        .selected_text(type_name)
                        .show_ui(ui, |ui| {
                            for x in &types {
                                ui.selectable_value(&mut form.type_id, x.id, &x.name);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    widgets::field_error(ui, field("type_id"));
                    widgets::text_field(
                        ui,
                        t("customer.credit_days"),
                        &mut form.credit_days,
                        field("credit_days"),
                    );
                    if form.id.is_none() && ctx.can(pharmacrm_shared::Permission::CustomerAssign) {
                        // Whoever may assign can register a customer for another rep.
                        let reps = self.sales_reps.value().cloned().unwrap_or_default();
                        let label = ui.label(t("customer.sales_rep"));
                        let rep_name = reps
                            .iter()
                            .find(|r| r.id == form.sales_rep_id)
                            .map_or(t("customer.myself"), |r| r.name.as_str());
                        egui::ComboBox::from_id_salt("sales_rep")
                            .selected_text(rep_name)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(
                                    &mut form.sales_rep_id,
                                    0,
                                    t("customer.myself"),
                                );
                                for r in &reps {
                                    ui.selectable_value(&mut form.sales_rep_id, r.id, &r.name);
                                }
                            })
                            .response
                            .labelled_by(label.id);
                    }
                    widgets::field_error(ui, field("sales_rep_id"));
                    if form.id.is_none() {
                        let reps = self.cs_reps.value().cloned().unwrap_or_default();
                        let label = ui.label(t("customer.cs_rep"));
                        let rep_name = reps
                            .iter()
                            .find(|r| r.id == form.cs_rep_id)
                            .map_or(t("common.pick"), |r| r.name.as_str());
                        egui::ComboBox::from_id_salt("cs_rep")
                            .selected_text(rep_name)
                            .show_ui(ui, |ui| {
                                for r in &reps {
                                    ui.selectable_value(&mut form.cs_rep_id, r.id, &r.name);
                                }
                            })
                            .response
                            .labelled_by(label.id);
                        widgets::field_error(ui, field("cs_rep_id"));
                    }
                });
                ui.end_row();
            });
        widgets::text_field(ui, t("customer.note"), &mut form.note, field("note"));

        // The drug varieties: chips to remove, a pinyin search to add.
        ui.label(t("customer.drugs"));
        ui.horizontal_wrapped(|ui| {
            let mut remove = None;
            for (i, d) in form.drugs.iter().enumerate() {
                if ui
                    .button(format!("{} ×", d.label))
                    .on_hover_text(t("customer.remove_drug"))
                    .clicked()
                {
                    remove = Some(i);
                }
            }
            if let Some(i) = remove {
                form.drugs.remove(i);
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label(t("customer.find_drug"));
            ui.add(
                egui::TextEdit::singleline(&mut self.drug_query)
                    .hint_text("amxl")
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
        });
        let query = self.drug_query.trim().to_owned();
        if !query.is_empty()
            && self.drug_sent.as_ref() != Some(&query)
            && !self.drug_results.is_pending()
        {
            self.drug_sent = Some(query.clone());
            self.drug_results.request(
                ctx.drugs()
                    .search_drugs(pb::SearchDrugsRequest {
                        query,
                        page: Some(pb::PageRequest {
                            offset: 0,
                            limit: 20,
                        }),
                        ..Default::default()
                    })
                    .map(|r| r.drugs),
            );
        }
        if !self.drug_query.trim().is_empty() {
            for d in self.drug_results.value().cloned().unwrap_or_default() {
                let label = format!("{} {}", d.name, d.specification);
                if !form.drugs.iter().any(|x| x.id == d.id)
                    && ui.button(format!("+ {label}")).clicked()
                {
                    form.drugs.push(pb::DrugRef { id: d.id, label });
                }
            }
        }
        widgets::field_error(ui, field("drug_ids"));

        if let Some(error) = &error
            && error.fields.is_empty()
        {
            widgets::error_line(ui, error);
        }
        if let Some(error) = self.duplicates.error() {
            widgets::error_line(ui, error);
        }
        // Before a second record: show customers with the same name or phone.
        if let Requested::Done(duplicates) = &self.duplicates
            && !duplicates.is_empty()
            && !self.confirmed_duplicates
        {
            ui.label(egui::RichText::new(t("customer.duplicates")).color(widgets::WARNING));
            for d in duplicates {
                ui.label(format!("· {}（{}，{}）", d.name, d.region, d.sales_rep));
            }
            if ui.button(t("customer.create_anyway")).clicked() {
                self.confirmed_duplicates = true;
                self.submit(ctx);
            }
        }
        let busy = self.save.is_pending() || self.duplicates.is_pending();
        let changed = self.form != self.original;
        if ui
            .add_enabled(!busy && changed, egui::Button::new(t("common.save")))
            .clicked()
        {
            if self.form.id.is_none() && !self.confirmed_duplicates {
                let (name, phone) = (self.form.name.clone(), self.form.phone.clone());
                self.duplicates.request(
                    ctx.customers()
                        .find_duplicates(pb::FindDuplicatesRequest { name, phone })
                        .map(|r| r.duplicates),
                );
            } else {
                self.submit(ctx);
            }
        }
        if busy {
            ui.spinner();
        }
        None
    }
}
