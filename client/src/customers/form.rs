//! The customer form: province → city picker from the shipped divisions, business kind,
//! type, the drug varieties (picked from the catalogue with pinyin search), the credit
//! terms and limit, reps on creation, and the duplicate warning before a second record is
//! created.

use pharmacrm_shared::pb;
use pharmacrm_shared::region;

use crate::api::ApiError;
use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, comma, t};
use crate::widgets::{self, Unsaved};

/// What the form's frame ended with.
pub enum FormEvent {
    /// The customer was saved.
    Saved(pb::Customer),
    /// The customer was read again after a conflict (重新加载): the form holds it now, and
    /// what shows it elsewhere is to be read again too.
    Reloaded,
    /// The user asked to close the form (the caller asks first if it holds input).
    Close,
}

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
    /// 信用额度 as typed; empty for no limit.
    pub credit_limit: String,
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
            credit_limit: c.credit_limit.clone(),
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
            // Empty means no limit; an amount is sent in its exact form, anything else as
            // typed for the server to name.
            credit_limit: crate::finance::amount_input(&self.credit_limit),
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
    /// The company settings, for the credit terms a new customer of one who may not set
    /// credit starts on (shown, not typed).
    settings: Requested<pb::Settings>,
    drug_picker: widgets::DrugPicker,
    duplicates: Requested<Vec<pb::DuplicateCustomer>>,
    confirmed_duplicates: bool,
    pub save: Requested<pb::Customer>,
    /// The last failed save's complaints, shown under their fields until edited.
    errors: widgets::FieldErrors,
}

impl Unsaved for FormPanel {
    /// Whether the form differs from the customer as loaded (or blank).
    fn is_dirty(&self) -> bool {
        self.form != self.original
    }
}

/// `error` with its fields named as the form shows them: a field of the nested customer
/// (UpdateCustomer's, FindDuplicates') by its own name (`customer.name` → `name`).
fn form_fields(error: ApiError) -> ApiError {
    error.unnested("customer")
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

    fn submit(&mut self, ctx: &AppCtx) {
        let form = self.form.clone();
        self.save.request(
            match form.id {
                None => ctx.customers().create_customer(form.input()),
                Some(id) => ctx.customers().update_customer(pb::UpdateCustomerRequest {
                    id,
                    version: form.version,
                    customer: Some(form.input()),
                }),
            }
            .map_err(form_fields),
        );
    }

    /// Draws the form; says when it was saved or the user asked to close it.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<FormEvent> {
        if self.types.is_not_requested() {
            self.types.request(
                ctx.customers()
                    .list_customer_types(pb::ListCustomerTypesRequest::default())
                    .map(|r| r.types),
            );
            for (slot, role) in [(&mut self.sales_reps, "sales"), (&mut self.cs_reps, "cs")] {
                super::request_reps(slot, ctx, role);
            }
            if self.form.id.is_none() && !ctx.can(pharmacrm_shared::Permission::CustomerCreditWrite)
            {
                self.settings.request(ctx.orders().get_settings(()));
            }
        }
        self.settings.poll();
        self.types.poll();
        self.sales_reps.poll();
        self.cs_reps.poll();
        // A new customer's only CS rep to choose is chosen (as the blank form's, not the
        // user's input): a one-choice list left at 请选择 asked for a pointless click.
        if self.form.id.is_none()
            && self.form.cs_rep_id == 0
            && let Some([only]) = self.cs_reps.value().map(Vec::as_slice)
            && !only.inactive
        {
            self.form.cs_rep_id = only.id;
            self.original.cs_rep_id = only.id;
        }
        let (just_done, failed) = match self.duplicates.poll() {
            Polled::JustDone => (true, None),
            Polled::JustFailed(error) => (false, Some(error.clone())),
            Polled::Unchanged => (false, None),
        };
        if failed.is_some() {
            self.errors.set(failed);
        } else if just_done && self.duplicates.value().is_some_and(|d| nothing_to_weigh(d)) {
            self.submit(ctx);
        }
        if self.errors.poll(&mut self.save)
            && let Some(saved) = self.save.value().cloned()
        {
            self.form = CustomerForm::from(&saved);
            self.original = self.form.clone();
            return Some(if self.errors.is_saved() {
                FormEvent::Saved(saved)
            } else {
                FormEvent::Reloaded
            });
        }
        ui.heading(if self.form.id.is_some() {
            t("customer.edit")
        } else {
            t("customer.new")
        });
        let mut submitted = false;
        // The fields scroll in what the save row (and its duplicate warning) leaves, as
        // tall as it was last frame: the buttons stay in the window however small, and at
        // its foot however many complaints appear or go above them (saved with errors,
        // the form grew and moved 保存 from under the pointer: the next click missed).
        let actions_id = ui.scope_id().with("customer_form_actions_height");
        let actions_height: f32 = ui.data(|d| d.get_temp(actions_id)).unwrap_or(40.0);
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .max_height((ui.available_height() - actions_height).max(120.0))
            .show(ui, |ui| {
                submitted = self.fields_ui(ui, ctx);
                self.drugs_ui(ui, ctx);
            });
        let top = ui.cursor().top();
        // A line between the fields scrolled under the foot and its buttons.
        ui.separator();
        let close = self.save_ui(ui, ctx, submitted);
        let height = ui.cursor().top() - top;
        if (height - actions_height).abs() > 0.5 {
            ui.data_mut(|d| d.insert_temp(actions_id, height));
            ui.ctx().request_repaint();
        }
        close.then_some(FormEvent::Close)
    }

    /// The profile fields, in two columns when the window is wide enough; whether Enter
    /// was pressed in one of them.
    fn fields_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> bool {
        let options = |list: Option<&Vec<(i64, String)>>| list.cloned().unwrap_or_default();
        let types = options(
            self.types
                .value()
                .map(|types| types.iter().map(|x| (x.id, x.name.clone())).collect())
                .as_ref(),
        );
        // 0 registers the customer for the caller: 我自己 for a sales rep; anyone else (an
        // administrator, a manager who is no rep) picks one, or the server says to.
        let i_am_a_rep = self
            .sales_reps
            .value()
            .is_some_and(|reps| reps.iter().any(|r| r.id == ctx.user_id()));
        let first = if i_am_a_rep {
            t("customer.myself")
        } else {
            t("common.pick")
        };
        let mut sales_reps = vec![(0, first.to_owned())];
        sales_reps.extend(super::rep_options(&self.sales_reps, 0));
        let cs_reps = super::rep_options(&self.cs_reps, 0);
        let can_assign = ctx.can(pharmacrm_shared::Permission::CustomerAssign);
        let may_set_credit = ctx.can(pharmacrm_shared::Permission::CustomerCreditWrite);
        let settings = self.settings.value();
        let form = &mut self.form;
        let provinces: Vec<(String, String)> = region::provinces()
            .iter()
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect();
        let cities: Vec<(String, String)> = region::province(&form.province_code)
            .map(|p| {
                p.cities
                    .iter()
                    .map(|c| (c.code.clone(), c.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        // The stored number (masked) goes in the hint: in the label it widened the label
        // column until the right-hand column left the window.
        let id_hint = if form.id_number_masked.is_empty() {
            String::new()
        } else {
            t("customer.id_number_keep").replace("{masked}", &form.id_number_masked)
        };
        let former_contact = self.original.contact_person.trim().to_owned();
        let errors = &mut self.errors;
        let left =
            |ui: &mut egui::Ui, form: &mut CustomerForm, errors: &mut widgets::FieldErrors| {
                widgets::form(ui, "customer_form_left", errors, |f| {
                    f.required(&["name"]);
                    f.text(t("customer.name"), "name", &mut form.name);
                    f.text(
                        t("customer.contact"),
                        "contact_person",
                        &mut form.contact_person,
                    );
                    f.text_hint(
                        t("customer.id_number"),
                        "id_number",
                        &mut form.id_number,
                        &id_hint,
                    );
                    if !form.id_number_masked.is_empty() {
                        f.extra(|ui| {
                            ui.checkbox(&mut form.clear_id_number, t("customer.clear_id_number"));
                        });
                        // The number stored is the contact's: another contact named, it
                        // would stay on file as theirs unless replaced or removed.
                        if form.contact_person.trim() != former_contact
                            && form.id_number.trim().is_empty()
                            && !form.clear_id_number
                        {
                            let said = t("customer.id_number_of_former_contact")
                                .replace("{masked}", &form.id_number_masked)
                                .replace("{contact}", &former_contact);
                            f.note(egui::RichText::new(said).color(widgets::WARNING));
                        }
                    }
                    f.text(t("customer.phone"), "phone", &mut form.phone);
                    f.text(t("customer.fax"), "fax", &mut form.fax);
                    f.text(t("customer.postcode"), "postcode", &mut form.postcode);
                    f.text(t("customer.note"), "note", &mut form.note);
                })
                .submitted
            };
        let right =
            |ui: &mut egui::Ui, form: &mut CustomerForm, errors: &mut widgets::FieldErrors| {
                widgets::form_part_aligned(
                    ui,
                    "customer_form_right",
                    "customer_form_left",
                    errors,
                    |f| {
                        f.required(&["province_code", "business_kind", "type_id", "cs_rep_id"]);
                        if !i_am_a_rep {
                            // No 我自己 to fall back on.
                            f.required(&["sales_rep_id"]);
                        }
                        if f.combo(
                            t("customer.province"),
                            "province_code",
                            &mut form.province_code,
                            &provinces,
                        )
                        .changed()
                        {
                            form.city_code.clear();
                            // "Registered already in this province" was of the place
                            // before.
                            f.edited("name");
                        }
                        if f.combo(
                            t("customer.city"),
                            "city_code",
                            &mut form.city_code,
                            &cities,
                        )
                        .changed()
                        {
                            f.edited("name");
                        }
                        f.text(t("customer.address"), "address", &mut form.address);
                        f.enum_combo::<pb::BusinessKind>(
                            t("customer.kind"),
                            "business_kind",
                            &mut form.business_kind,
                        );
                        if form.id.is_some() {
                            // A type change is made with its reason (变更客户类型), not here.
                            let name = types
                                .iter()
                                .find(|(id, _)| *id == form.type_id)
                                .map_or("—", |(_, name)| name.as_str());
                            f.row(t("customer.type"), "type_id", |ui| {
                                ui.label(name)
                                    .on_hover_text(t("customer.type_changed_apart"))
                            });
                        } else {
                            f.combo(t("customer.type"), "type_id", &mut form.type_id, &types);
                        }
                        if may_set_credit {
                            f.text(
                                t("customer.credit_days"),
                                "credit_days",
                                &mut form.credit_days,
                            );
                            f.text_hint(
                                t("credit.limit"),
                                "credit_limit",
                                &mut form.credit_limit,
                                t("credit.no_limit"),
                            );
                        } else {
                            // Credit control's (customer.credit.write): shown, not typed;
                            // a new customer's, the company's terms for new customers.
                            let (days, limit) = match (form.id, settings) {
                                (None, Some(s)) => (
                                    s.new_customer_credit_days.to_string(),
                                    s.new_customer_credit_limit.clone(),
                                ),
                                _ => (form.credit_days.clone(), form.credit_limit.clone()),
                            };
                            let days = widgets::or_dash(days.trim());
                            let limit = match limit.trim() {
                                "" => t("credit.no_limit").to_owned(),
                                amount => crate::format::money(amount),
                            };
                            for (label, field, value) in [
                                (t("customer.credit_days"), "credit_days", days),
                                (t("credit.limit"), "credit_limit", limit),
                            ] {
                                f.row(label, field, |ui| {
                                    ui.label(value)
                                        .on_hover_text(t("customer.credit_set_apart"))
                                });
                            }
                        }
                        if form.id.is_none() && can_assign {
                            // Whoever may assign can register a customer for another rep.
                            f.combo(
                                t("customer.sales_rep"),
                                "sales_rep_id",
                                &mut form.sales_rep_id,
                                &sales_reps,
                            );
                        }
                        if form.id.is_none() {
                            f.combo(
                                t("customer.cs_rep"),
                                "cs_rep_id",
                                &mut form.cs_rep_id,
                                &cs_reps,
                            );
                        }
                    },
                )
                .submitted
            };
        let mut submitted = false;
        if ui.available_width() >= 860.0 {
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| submitted |= left(ui, form, errors));
                ui.add_space(24.0);
                ui.vertical(|ui| submitted |= right(ui, form, errors));
            });
        } else {
            submitted |= left(ui, form, errors);
            submitted |= right(ui, form, errors);
        }
        submitted
    }

    /// The drug varieties: chips to remove, a pinyin search to add.
    fn drugs_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let form = &mut self.form;
        let before = form.drugs.len();
        ui.add_space(6.0);
        ui.label(t("customer.drugs"));
        ui.horizontal_wrapped(|ui| {
            let mut remove = None;
            for (i, d) in form.drugs.iter().enumerate() {
                if ui
                    .button(format!("{} ×", super::drug_ref_label(d)))
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
        let picked = self.drug_picker.ui(ui, ctx, t("customer.find_drug"), |d| {
            !form.drugs.iter().any(|x| x.id == d.id)
        });
        if let Some(d) = picked {
            form.drugs.push(pb::DrugRef {
                id: d.id,
                label: widgets::drug_label(&d.name, &d.specification),
                archived: false,
            });
        }
        if self.form.drugs.len() != before {
            self.errors.edited("drug_ids");
        }
        self.errors.field_ui(ui, "drug_ids");
    }

    /// The duplicate warning, the save and close buttons; whether close was clicked.
    fn save_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, submitted: bool) -> bool {
        // Before a second record: show customers with the same name or phone.
        if let Requested::Done(duplicates) = &self.duplicates
            && !nothing_to_weigh(duplicates)
            && !self.confirmed_duplicates
        {
            ui.label(egui::RichText::new(t("customer.duplicates")).color(widgets::WARNING));
            for d in duplicates {
                // Outside the caller's scope only the rep to ask is known; an archived one
                // is to restore rather than register again.
                let archived = if d.archived { t("common.archived") } else { "" };
                // What matched: the name, the phone or both.
                let matched = match (d.same_name, d.same_phone) {
                    (true, true) => t("customer.duplicate.name_and_phone"),
                    (false, true) => t("customer.duplicate.phone"),
                    _ => t("customer.duplicate.name"),
                };
                let remark = [matched, d.region.as_str(), d.sales_rep.as_str(), archived]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(comma());
                // A customer out of scope found by phone alone is not named: said so,
                // with what matched ("— (赵营销)" read as a fault).
                let name = if d.name.is_empty() {
                    t("customer.duplicate_unnamed").to_owned()
                } else {
                    d.name.clone()
                };
                ui.label(format!("· {}", bracketed(&name, &remark)));
            }
            if ui.button(t("customer.create_anyway")).clicked() {
                self.confirmed_duplicates = true;
                self.submit(ctx);
            }
        }
        let busy = self.save.is_pending() || self.duplicates.is_pending();
        let changed = self.form != self.original;
        let mut close = false;
        ui.horizontal(|ui| {
            if widgets::save_button(ui, busy, changed, submitted) {
                if self.form.id.is_none() && !self.confirmed_duplicates {
                    let (name, phone) = (self.form.name.clone(), self.form.phone.clone());
                    // The whole form goes along, so its fields are checked first.
                    let customer = Some(self.form.input());
                    self.duplicates.request(
                        ctx.customers()
                            .find_duplicates(pb::FindDuplicatesRequest {
                                name,
                                phone,
                                customer,
                            })
                            .map(|r| r.duplicates)
                            .map_err(form_fields),
                    );
                } else {
                    self.submit(ctx);
                }
            }
            if ui.button(t("common.close")).clicked() {
                close = true;
            }
            // Someone saved the customer since it was opened: read it again (what was
            // typed goes; the conflict message said who changed it and when).
            let conflict = self.errors.error().is_some_and(|e| e.conflict.is_some());
            if conflict
                && let Some(id) = self.form.id
                && ui.button(t("common.reload_record")).clicked()
            {
                self.errors.expect_read();
                self.save
                    .request(ctx.customers().get_customer(pb::GetCustomerRequest { id }));
            }
            if busy {
                ui.spinner();
            }
        });
        close
    }
}

/// Whether the duplicate check leaves nothing for the user to weigh before saving: none
/// found, or one that is the same customer (registered already: sent straight on, for the
/// server's refusal naming its rep under the name; 仍然创建 would only lead there).
fn nothing_to_weigh(found: &[pb::DuplicateCustomer]) -> bool {
    found.is_empty() || found.iter().any(|d| d.same_customer)
}
