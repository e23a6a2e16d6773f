//! The customer view: basic information on top, then tabs for the follow-ups,
//! certificates, personal records, type history and assignment history; type change,
//! allocation and the audited ID reveal as dialogs. Each tab is its own struct, with its
//! own requests and draft.

mod certificates;
mod followups;
mod history;
mod personal;

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use super::form::{CustomerForm, FormPanel};
use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets;
use crate::widgets::choice_label;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Followups,
    Certificates,
    Personal,
    TypeHistory,
    Assignments,
}

/// What the view asks of the panel.
pub enum ViewCommand {
    /// Back to the list.
    Close,
}

/// One customer's view.
pub struct CustomerView {
    id: i64,
    customer: Requested<pb::Customer>,
    tab: Tab,
    edit: Option<FormPanel>,
    followups: followups::FollowupsTab,
    certificates: certificates::CertificatesTab,
    personal: personal::PersonalTab,
    history: history::HistoryTabs,
    types: Requested<Vec<pb::CustomerType>>,
    type_dialog: Option<(i64, String)>,
    assign_dialog: Option<(i64, i64)>,
    sales_reps: Requested<Vec<pb::UserRef>>,
    cs_reps: Requested<Vec<pb::UserRef>>,
    action: Requested<pb::Customer>,
    revealed: Requested<String>,
}

impl CustomerView {
    /// The view of customer `id`.
    pub fn new(id: i64) -> CustomerView {
        CustomerView {
            id,
            customer: Requested::NotRequested,
            tab: Tab::Followups,
            edit: None,
            followups: followups::FollowupsTab::default(),
            certificates: certificates::CertificatesTab::default(),
            personal: personal::PersonalTab::default(),
            history: history::HistoryTabs::default(),
            types: Requested::NotRequested,
            type_dialog: None,
            assign_dialog: None,
            sales_reps: Requested::NotRequested,
            cs_reps: Requested::NotRequested,
            action: Requested::NotRequested,
            revealed: Requested::NotRequested,
        }
    }

    /// Whether a form holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        self.edit.as_ref().is_some_and(FormPanel::is_dirty) || self.followups.is_dirty()
    }

    fn reload(&mut self, ctx: &AppCtx) {
        // A revealed number is shown only until the next reload.
        self.revealed = Requested::NotRequested;
        let id = self.id;
        self.customer
            .request(ctx.customers().get_customer(pb::GetCustomerRequest { id }));
        self.followups.reload(ctx, id);
        self.certificates.reload(ctx, id);
        self.personal.reload(ctx, id);
        self.history.reload(ctx, id);
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ViewCommand> {
        if self.customer.is_not_requested() {
            self.reload(ctx);
        }
        let saved = [
            self.followups.poll(),
            self.certificates.poll(),
            self.personal.poll(),
            matches!(self.action.poll(), Polled::JustDone),
        ];
        if saved.contains(&true) {
            self.type_dialog = None;
            self.assign_dialog = None;
            self.reload(ctx);
        }
        self.customer.poll();
        self.history.poll();
        self.types.poll();
        self.sales_reps.poll();
        self.cs_reps.poll();
        self.revealed.poll();

        let mut command = None;
        if ui.button(t("customer.back")).clicked() {
            command = Some(ViewCommand::Close);
        }
        widgets::request_status(ui, &self.customer);
        let Some(c) = self.customer.value().cloned() else {
            return command;
        };
        if let Some(edit) = &mut self.edit {
            if edit.ui(ui, ctx).is_some() {
                self.edit = None;
                self.reload(ctx);
            } else if ui.button(t("common.close")).clicked() {
                self.edit = None;
            }
            return command;
        }
        self.header_ui(ui, ctx, &c);
        ui.separator();
        ui.horizontal(|ui| {
            for (tab, label) in [
                (Tab::Followups, t("customer.tab.followups")),
                (Tab::Certificates, t("customer.tab.certificates")),
                (Tab::Personal, t("customer.tab.personal")),
                (Tab::TypeHistory, t("customer.tab.type_history")),
                (Tab::Assignments, t("customer.tab.assignments")),
            ] {
                ui.selectable_value(&mut self.tab, tab, label);
            }
        });
        let id = self.id;
        egui::ScrollArea::vertical().show(ui, |ui| match self.tab {
            Tab::Followups => self.followups.ui(ui, ctx, id),
            Tab::Certificates => self.certificates.ui(ui, ctx, id),
            Tab::Personal => self.personal.ui(ui, ctx, id),
            Tab::TypeHistory => self.history.types_ui(ui),
            Tab::Assignments => self.history.assignments_ui(ui),
        });
        self.dialogs_ui(ui.ctx(), ctx, &c);
        command
    }

    fn header_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, c: &pb::Customer) {
        ui.horizontal(|ui| {
            ui.heading(&c.name);
            ui.label(RichText::new(&c.type_name).strong());
            ui.label(choice_label::<pb::BusinessKind>(c.business_kind));
            if c.expired_certificates > 0 {
                ui.label(
                    RichText::new(
                        t("customer.certificates_expired")
                            .replace("{n}", &c.expired_certificates.to_string()),
                    )
                    .color(widgets::ERROR),
                );
            }
            if c.expiring_certificates > 0 {
                ui.label(
                    RichText::new(
                        t("customer.certificates_expiring")
                            .replace("{n}", &c.expiring_certificates.to_string()),
                    )
                    .color(widgets::WARNING),
                );
            }
        });
        egui::Grid::new("customer_header")
            .num_columns(4)
            .spacing([24.0, 4.0])
            .show(ui, |ui| {
                ui.label(t("customer.contact"));
                ui.label(&c.contact_person);
                ui.label(t("customer.id_number"));
                ui.horizontal(|ui| {
                    match &self.revealed {
                        Requested::Done(number) => ui.label(number),
                        _ => ui.label(&c.id_number_masked),
                    };
                    if ctx.can(Permission::CustomerSensitiveRead)
                        && !c.id_number_masked.is_empty()
                        && ui.small_button(t("customer.reveal")).clicked()
                    {
                        let id = c.id;
                        self.revealed.request(
                            ctx.customers()
                                .reveal_id_number(pb::GetCustomerRequest { id })
                                .map(|r| r.id_number),
                        );
                    }
                });
                ui.end_row();
                ui.label(t("customer.phone"));
                ui.label(&c.phone);
                ui.label(t("customer.region"));
                ui.label(format!("{} {}", c.region, c.address));
                ui.end_row();
                ui.label(t("customer.sales_rep"));
                ui.label(c.sales_rep.as_ref().map_or("", |r| r.name.as_str()));
                ui.label(t("customer.cs_rep"));
                ui.label(c.cs_rep.as_ref().map_or("", |r| r.name.as_str()));
                ui.end_row();
                ui.label(t("customer.drugs"));
                ui.label(
                    c.drugs
                        .iter()
                        .map(|d| d.label.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                );
                ui.label(t("customer.credit_days"));
                ui.label(c.credit_days.to_string());
                ui.end_row();
            });
        ui.horizontal(|ui| {
            if ctx.can(Permission::CustomerWrite) && ui.button(t("customer.edit")).clicked() {
                self.edit = Some(FormPanel::new(CustomerForm::from(c)));
            }
            if ctx.can(Permission::CustomerTypeChange)
                && ui.button(t("customer.change_type")).clicked()
            {
                self.type_dialog = Some((c.type_id, String::new()));
                self.types.request(
                    ctx.customers()
                        .list_customer_types(pb::ListCustomerTypesRequest::default())
                        .map(|r| r.types),
                );
            }
            if ctx.can(Permission::CustomerAssign) && ui.button(t("customer.assign")).clicked() {
                self.assign_dialog = Some((
                    c.sales_rep.as_ref().map_or(0, |r| r.id),
                    c.cs_rep.as_ref().map_or(0, |r| r.id),
                ));
                for (slot, role) in [(&mut self.sales_reps, "sales"), (&mut self.cs_reps, "cs")] {
                    slot.request(
                        ctx.customers()
                            .list_reps(pb::ListRepsRequest { role: role.into() })
                            .map(|r| r.reps),
                    );
                }
            }
            // Orders come with the order module.
            ui.add_enabled(false, egui::Button::new(t("customer.place_order")))
                .on_disabled_hover_text(t("customer.place_order_later"));
        });
        if let Some(error) = self.action.error().or(self.revealed.error()) {
            widgets::error_line(ui, error);
        }
    }

    fn dialogs_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx, c: &pb::Customer) {
        if let Some((type_id, reason)) = &mut self.type_dialog {
            let mut submit = false;
            let modal = egui::Modal::new(egui::Id::unique("type_dialog")).show(egui_ctx, |ui| {
                ui.heading(t("customer.change_type"));
                let types = self.types.value().cloned().unwrap_or_default();
                let label = ui.label(t("customer.type"));
                egui::ComboBox::from_id_salt("new_type")
                    .selected_text(
                        types
                            .iter()
                            .find(|x| x.id == *type_id)
                            .map_or("", |x| x.name.as_str()),
                    )
                    .show_ui(ui, |ui| {
                        for x in &types {
                            ui.selectable_value(type_id, x.id, &x.name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                widgets::text_field(ui, t("customer.reason"), reason, None);
                if ui.button(t("common.save")).clicked() {
                    submit = true;
                }
            });
            if submit {
                let request = pb::ChangeCustomerTypeRequest {
                    id: c.id,
                    version: c.version,
                    type_id: *type_id,
                    reason: reason.clone(),
                };
                self.action
                    .request(ctx.customers().change_customer_type(request));
            } else if modal.should_close() {
                self.type_dialog = None;
            }
        }
        if let Some((sales, cs)) = &mut self.assign_dialog {
            let mut submit = false;
            let modal = egui::Modal::new(egui::Id::unique("assign_dialog")).show(egui_ctx, |ui| {
                ui.heading(t("customer.assign"));
                for (label, id, reps, salt) in [
                    (
                        t("customer.sales_rep"),
                        &mut *sales,
                        self.sales_reps.value().cloned().unwrap_or_default(),
                        "assign_sales",
                    ),
                    (
                        t("customer.cs_rep"),
                        &mut *cs,
                        self.cs_reps.value().cloned().unwrap_or_default(),
                        "assign_cs",
                    ),
                ] {
                    let l = ui.label(label);
                    egui::ComboBox::from_id_salt(salt)
                        .selected_text(
                            reps.iter()
                                .find(|r| r.id == *id)
                                .map_or("", |r| r.name.as_str()),
                        )
                        .show_ui(ui, |ui| {
                            for r in &reps {
                                ui.selectable_value(id, r.id, &r.name);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                }
                if ui.button(t("common.save")).clicked() {
                    submit = true;
                }
            });
            if submit {
                let request = pb::AssignCustomerRequest {
                    id: c.id,
                    version: c.version,
                    sales_rep_id: *sales,
                    cs_rep_id: *cs,
                };
                self.action
                    .request(ctx.customers().assign_customer(request));
            } else if modal.should_close() {
                self.assign_dialog = None;
            }
        }
    }
}
