//! The customer view: basic information on top, then tabs for the follow-ups,
//! certificates, personal records, type history and assignment history; type change,
//! allocation and the audited ID reveal as dialogs.

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use super::form::{CustomerForm, FormPanel, kind_label};
use crate::backend::{Polled, Requested};
use crate::format;
use crate::i18n::t;
use crate::shell::AppCtx;
use crate::widgets;

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
    followups: Requested<Vec<pb::Followup>>,
    new_followup: FollowupDraft,
    followup_save: Requested<pb::Followup>,
    certificates: Requested<Vec<pb::Certificate>>,
    new_certificate: CertificateDraft,
    certificate_save: Requested<pb::Certificate>,
    personal: Requested<Vec<pb::ProfileRecord>>,
    new_personal: pb::ProfileRecord,
    personal_save: Requested<pb::ProfileRecord>,
    history: Requested<Vec<pb::TypeChange>>,
    assignments: Requested<Vec<pb::Assignment>>,
    types: Requested<Vec<pb::CustomerType>>,
    type_dialog: Option<(i64, String)>,
    assign_dialog: Option<(i64, i64)>,
    sales_reps: Requested<Vec<pb::UserRef>>,
    cs_reps: Requested<Vec<pb::UserRef>>,
    action: Requested<pb::Customer>,
    revealed: Requested<String>,
    /// Where the last downloaded scan was saved.
    scan_saved: Requested<String>,
}

#[derive(Default, Clone)]
struct FollowupDraft {
    method: i32,
    content: String,
    result: String,
    next_on: String,
}

#[derive(Default, Clone)]
struct CertificateDraft {
    kind: i32,
    number: String,
    authority: String,
    issued_on: String,
    expires_on: String,
    scan_path: String,
}

fn method_label(method: i32) -> &'static str {
    match pb::FollowupMethod::try_from(method).unwrap_or_default() {
        pb::FollowupMethod::Visit => t("followup.visit"),
        pb::FollowupMethod::Phone => t("followup.phone"),
        pb::FollowupMethod::Wechat => t("followup.wechat"),
        pb::FollowupMethod::Other => t("followup.other"),
        pb::FollowupMethod::Unspecified => t("drug.pick"),
    }
}

fn certificate_kind_label(kind: i32) -> &'static str {
    match pb::CertificateKind::try_from(kind).unwrap_or_default() {
        pb::CertificateKind::DrugTrade => t("certificate.drug_trade"),
        pb::CertificateKind::Business => t("certificate.business"),
        pb::CertificateKind::Gsp => t("certificate.gsp"),
        pb::CertificateKind::MedicalInstitution => t("certificate.medical"),
        pb::CertificateKind::Other => t("certificate.other"),
        pb::CertificateKind::Unspecified => t("drug.pick"),
    }
}

impl CustomerView {
    /// The view of customer `id`.
    pub fn new(id: i64) -> CustomerView {
        CustomerView {
            id,
            customer: Requested::NotRequested,
            tab: Tab::Followups,
            edit: None,
            followups: Requested::NotRequested,
            new_followup: FollowupDraft {
                method: pb::FollowupMethod::Visit as i32,
                ..Default::default()
            },
            followup_save: Requested::NotRequested,
            certificates: Requested::NotRequested,
            new_certificate: CertificateDraft {
                kind: pb::CertificateKind::DrugTrade as i32,
                ..Default::default()
            },
            certificate_save: Requested::NotRequested,
            personal: Requested::NotRequested,
            new_personal: pb::ProfileRecord {
                kind: "preference".into(),
                ..Default::default()
            },
            personal_save: Requested::NotRequested,
            history: Requested::NotRequested,
            assignments: Requested::NotRequested,
            types: Requested::NotRequested,
            type_dialog: None,
            assign_dialog: None,
            sales_reps: Requested::NotRequested,
            cs_reps: Requested::NotRequested,
            action: Requested::NotRequested,
            revealed: Requested::NotRequested,
            scan_saved: Requested::NotRequested,
        }
    }

    /// Whether a form holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        self.edit.as_ref().is_some_and(FormPanel::is_dirty)
            || !self.new_followup.content.trim().is_empty()
    }

    fn reload(&mut self, ctx: &AppCtx) {
        // A revealed number is shown only until the next reload.
        self.revealed = Requested::NotRequested;
        let id = self.id;
        self.customer.request(ctx.call(move |api| async move {
            Ok(api
                .customers()
                .get_customer(pb::GetCustomerRequest { id })
                .await?
                .into_inner())
        }));
        self.followups.request(ctx.call(move |api| async move {
            Ok(api
                .customers()
                .list_followups(pb::GetCustomerRequest { id })
                .await?
                .into_inner()
                .followups)
        }));
        self.certificates.request(ctx.call(move |api| async move {
            Ok(api
                .customers()
                .list_certificates(pb::GetCustomerRequest { id })
                .await?
                .into_inner()
                .certificates)
        }));
        self.personal.request(ctx.call(move |api| async move {
            Ok(api
                .customers()
                .list_profile_records(pb::GetCustomerRequest { id })
                .await?
                .into_inner()
                .records)
        }));
        self.history.request(ctx.call(move |api| async move {
            Ok(api
                .customers()
                .list_type_history(pb::GetCustomerRequest { id })
                .await?
                .into_inner()
                .changes)
        }));
        self.assignments.request(ctx.call(move |api| async move {
            Ok(api
                .customers()
                .list_assignment_history(pb::GetCustomerRequest { id })
                .await?
                .into_inner()
                .assignments)
        }));
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ViewCommand> {
        if self.customer.is_not_requested() {
            self.reload(ctx);
        }
        for polled in [
            matches!(self.followup_save.poll(), Polled::JustDone),
            matches!(self.certificate_save.poll(), Polled::JustDone),
            matches!(self.personal_save.poll(), Polled::JustDone),
            matches!(self.action.poll(), Polled::JustDone),
        ] {
            if polled {
                self.new_followup = FollowupDraft {
                    method: self.new_followup.method,
                    ..Default::default()
                };
                self.new_certificate = CertificateDraft {
                    kind: self.new_certificate.kind,
                    ..Default::default()
                };
                self.new_personal = pb::ProfileRecord {
                    kind: self.new_personal.kind.clone(),
                    ..Default::default()
                };
                self.type_dialog = None;
                self.assign_dialog = None;
                self.reload(ctx);
            }
        }
        self.customer.poll();
        self.followups.poll();
        self.certificates.poll();
        self.personal.poll();
        self.history.poll();
        self.assignments.poll();
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
        egui::ScrollArea::vertical().show(ui, |ui| match self.tab {
            Tab::Followups => self.followups_ui(ui, ctx),
            Tab::Certificates => self.certificates_ui(ui, ctx),
            Tab::Personal => self.personal_ui(ui, ctx),
            Tab::TypeHistory => {
                for h in self.history.value().cloned().unwrap_or_default() {
                    ui.label(format!(
                        "{}  {} → {}  {}  {}",
                        format::timestamp(h.changed_at.as_ref()),
                        if h.from_type.is_empty() {
                            "—"
                        } else {
                            &h.from_type
                        },
                        h.to_type,
                        h.changed_by,
                        h.reason
                    ));
                }
            }
            Tab::Assignments => {
                for a in self.assignments.value().cloned().unwrap_or_default() {
                    let role = if a.role == "sales" {
                        t("customer.sales_rep")
                    } else {
                        t("customer.cs_rep")
                    };
                    ui.label(format!(
                        "{role}：{}  {} – {}",
                        a.user.map(|u| u.name).unwrap_or_default(),
                        format::timestamp(a.effective_from.as_ref()),
                        format::timestamp(a.effective_to.as_ref()),
                    ));
                }
            }
        });
        self.dialogs_ui(ui.ctx(), ctx, &c);
        command
    }

    fn header_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, c: &pb::Customer) {
        ui.horizontal(|ui| {
            ui.heading(&c.name);
            ui.label(RichText::new(&c.type_name).strong());
            ui.label(kind_label(c.business_kind));
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
                        self.revealed.request(ctx.call(move |api| async move {
                            Ok(api
                                .customers()
                                .reveal_id_number(pb::GetCustomerRequest { id })
                                .await?
                                .into_inner()
                                .id_number)
                        }));
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
                self.types.request(ctx.call(|api| async move {
                    Ok(api
                        .customers()
                        .list_customer_types(pb::ListCustomerTypesRequest::default())
                        .await?
                        .into_inner()
                        .types)
                }));
            }
            if ctx.can(Permission::CustomerAssign) && ui.button(t("customer.assign")).clicked() {
                self.assign_dialog = Some((
                    c.sales_rep.as_ref().map_or(0, |r| r.id),
                    c.cs_rep.as_ref().map_or(0, |r| r.id),
                ));
                for (slot, role) in [(&mut self.sales_reps, "sales"), (&mut self.cs_reps, "cs")] {
                    slot.request(ctx.call(move |api| async move {
                        Ok(api
                            .customers()
                            .list_reps(pb::ListRepsRequest { role: role.into() })
                            .await?
                            .into_inner()
                            .reps)
                    }));
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
                self.action.request(ctx.call(|api| async move {
                    Ok(api
                        .customers()
                        .change_customer_type(request)
                        .await?
                        .into_inner())
                }));
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
                self.action.request(ctx.call(|api| async move {
                    Ok(api.customers().assign_customer(request).await?.into_inner())
                }));
            } else if modal.should_close() {
                self.assign_dialog = None;
            }
        }
    }

    fn followups_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if ctx.can(Permission::CustomerFollowupWrite) {
            let error = self.followup_save.error().cloned();
            let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
            if let Some(error) = error.as_ref().filter(|e| e.fields.is_empty()) {
                widgets::error_line(ui, error);
            }
            let draft = &mut self.new_followup;
            ui.horizontal(|ui| {
                let label = ui.label(t("followup.method"));
                egui::ComboBox::from_id_salt("followup_method")
                    .selected_text(method_label(draft.method))
                    .show_ui(ui, |ui| {
                        for m in [
                            pb::FollowupMethod::Visit,
                            pb::FollowupMethod::Phone,
                            pb::FollowupMethod::Wechat,
                            pb::FollowupMethod::Other,
                        ] {
                            ui.selectable_value(
                                &mut draft.method,
                                m as i32,
                                method_label(m as i32),
                            );
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            widgets::text_field(
                ui,
                t("followup.content"),
                &mut draft.content,
                field("content"),
            );
            widgets::text_field(ui, t("followup.result"), &mut draft.result, field("result"));
            widgets::text_field(
                ui,
                t("followup.next_on"),
                &mut draft.next_on,
                field("next_on"),
            );
            if ui
                .add_enabled(
                    !self.followup_save.is_pending(),
                    egui::Button::new(t("followup.add")),
                )
                .clicked()
            {
                let request = pb::Followup {
                    customer_id: self.id,
                    happened_at: Some(prost_types::Timestamp {
                        seconds: chrono::Utc::now().timestamp(),
                        nanos: 0,
                    }),
                    method: draft.method,
                    content: draft.content.clone(),
                    result: draft.result.clone(),
                    next_on: draft.next_on.clone(),
                    ..Default::default()
                };
                self.followup_save.request(ctx.call(|api| async move {
                    Ok(api.customers().save_followup(request).await?.into_inner())
                }));
            }
            ui.separator();
        }
        for f in self.followups.value().cloned().unwrap_or_default() {
            ui.label(format!(
                "{}  {}  {}：{}  {}  {}",
                format::timestamp(f.happened_at.as_ref()),
                method_label(f.method),
                f.created_by,
                f.content,
                f.result,
                if f.next_on.is_empty() {
                    String::new()
                } else {
                    format!("{} {}", t("followup.next_on"), f.next_on)
                }
            ));
        }
    }

    fn certificates_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        for c in self.certificates.value().cloned().unwrap_or_default() {
            let status = match pb::CertificateStatus::try_from(c.status).unwrap_or_default() {
                pb::CertificateStatus::Valid => RichText::new(t("certificate.valid")),
                pb::CertificateStatus::Expiring => {
                    RichText::new(t("certificate.expiring")).color(widgets::WARNING)
                }
                pb::CertificateStatus::Expired => {
                    RichText::new(t("certificate.expired")).color(widgets::ERROR)
                }
            };
            ui.horizontal(|ui| {
                ui.label(certificate_kind_label(c.kind));
                ui.label(&c.number);
                ui.label(&c.authority);
                ui.label(format!("{} – {}", c.issued_on, c.expires_on));
                ui.label(status);
                if c.has_scan
                    && ui
                        .button(t("certificate.download"))
                        .on_hover_text(&c.scan_name)
                        .clicked()
                {
                    let (id, name) = (c.id, c.scan_name.clone());
                    self.scan_saved.request(ctx.call(move |api| async move {
                        let scan = api
                            .customers()
                            .get_certificate_scan(pb::GetCertificateScanRequest { id })
                            .await?
                            .into_inner();
                        // Saved beside the program under the scan's own file name.
                        let file = std::path::Path::new(&name).file_name().map_or_else(
                            || format!("certificate-{id}"),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        std::fs::write(&file, scan.content).map_err(|e| {
                            tonic::Status::failed_precondition(format!("{file}: {e}"))
                        })?;
                        Ok(std::fs::canonicalize(&file).map_or(file, |p| p.display().to_string()))
                    }));
                }
            });
        }
        match &self.scan_saved {
            Requested::Done(path) => {
                ui.label(t("certificate.saved").replace("{path}", path));
            }
            Requested::Failed { error, .. } => widgets::error_line(ui, error),
            _ => {}
        }
        self.scan_saved.poll();
        if !ctx.can(Permission::CustomerCertificateWrite) {
            return;
        }
        ui.separator();
        let error = self.certificate_save.error().cloned();
        let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
        if let Some(error) = error.as_ref().filter(|e| e.fields.is_empty()) {
            widgets::error_line(ui, error);
        }
        let draft = &mut self.new_certificate;
        let label = ui.label(t("certificate.kind"));
        egui::ComboBox::from_id_salt("certificate_kind")
            .selected_text(certificate_kind_label(draft.kind))
            .show_ui(ui, |ui| {
                for k in [
                    pb::CertificateKind::DrugTrade,
                    pb::CertificateKind::Business,
                    pb::CertificateKind::Gsp,
                    pb::CertificateKind::MedicalInstitution,
                    pb::CertificateKind::Other,
                ] {
                    ui.selectable_value(
                        &mut draft.kind,
                        k as i32,
                        certificate_kind_label(k as i32),
                    );
                }
            })
            .response
            .labelled_by(label.id);
        widgets::text_field(
            ui,
            t("certificate.number"),
            &mut draft.number,
            field("number"),
        );
        widgets::text_field(
            ui,
            t("certificate.authority"),
            &mut draft.authority,
            field("authority"),
        );
        widgets::text_field(
            ui,
            t("certificate.issued_on"),
            &mut draft.issued_on,
            field("issued_on"),
        );
        widgets::text_field(
            ui,
            t("certificate.expires_on"),
            &mut draft.expires_on,
            field("expires_on"),
        );
        widgets::text_field(
            ui,
            t("certificate.scan_path"),
            &mut draft.scan_path,
            field("scan"),
        );
        if ui
            .add_enabled(
                !self.certificate_save.is_pending(),
                egui::Button::new(t("certificate.add")),
            )
            .clicked()
        {
            let draft = draft.clone();
            let customer_id = self.id;
            self.certificate_save
                .request(ctx.call(move |api| async move {
                    let path = draft.scan_path.trim().to_owned();
                    let scan = if path.is_empty() {
                        Vec::new()
                    } else {
                        std::fs::read(&path).map_err(|e| {
                            tonic::Status::failed_precondition(format!("{path}: {e}"))
                        })?
                    };
                    let name = std::path::Path::new(&path)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    Ok(api
                        .customers()
                        .save_certificate(pb::SaveCertificateRequest {
                            certificate: Some(pb::Certificate {
                                customer_id,
                                kind: draft.kind,
                                number: draft.number,
                                authority: draft.authority,
                                issued_on: draft.issued_on,
                                expires_on: draft.expires_on,
                                scan_name: name,
                                ..Default::default()
                            }),
                            replace_scan: !scan.is_empty(),
                            scan,
                        })
                        .await?
                        .into_inner())
                }));
        }
    }

    fn personal_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let kind_name = |kind: &str| match kind {
            "preference" => t("personal.preference"),
            "family" => t("personal.family"),
            "work" => t("personal.work"),
            _ => t("personal.education"),
        };
        for r in self.personal.value().cloned().unwrap_or_default() {
            ui.label(format!(
                "{}：{}  {}  {} {}",
                kind_name(&r.kind),
                r.title,
                r.detail,
                r.date_from,
                r.date_to
            ));
        }
        if !ctx.can(Permission::CustomerProfileWrite) {
            return;
        }
        ui.separator();
        let error = self.personal_save.error().cloned();
        let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
        if let Some(error) = error.as_ref().filter(|e| e.fields.is_empty()) {
            widgets::error_line(ui, error);
        }
        let draft = &mut self.new_personal;
        ui.horizontal(|ui| {
            for kind in ["preference", "family", "work", "education"] {
                ui.selectable_value(&mut draft.kind, kind.to_owned(), kind_name(kind));
            }
        });
        widgets::text_field(ui, t("personal.title"), &mut draft.title, field("title"));
        widgets::text_field(ui, t("personal.detail"), &mut draft.detail, field("detail"));
        if draft.kind == "work" || draft.kind == "education" {
            widgets::text_field(
                ui,
                t("personal.from"),
                &mut draft.date_from,
                field("date_from"),
            );
            widgets::text_field(ui, t("personal.to"), &mut draft.date_to, field("date_to"));
        }
        if ui
            .add_enabled(
                !self.personal_save.is_pending(),
                egui::Button::new(t("personal.add")),
            )
            .clicked()
        {
            let request = pb::ProfileRecord {
                customer_id: self.id,
                ..draft.clone()
            };
            self.personal_save.request(ctx.call(|api| async move {
                Ok(api
                    .customers()
                    .save_profile_record(request)
                    .await?
                    .into_inner())
            }));
        }
    }
}
