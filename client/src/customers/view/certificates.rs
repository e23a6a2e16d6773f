//! The customer view's certificate tab: certificates with their expiry status and scans,
//! and a new one.

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets::{self, choice_label};

#[derive(Clone)]
struct Draft {
    kind: i32,
    number: String,
    authority: String,
    issued_on: String,
    expires_on: String,
    scan_path: String,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            kind: pb::CertificateKind::DrugTrade as i32,
            number: String::new(),
            authority: String::new(),
            issued_on: String::new(),
            expires_on: String::new(),
            scan_path: String::new(),
        }
    }
}

/// The certificate tab.
#[derive(Default)]
pub struct CertificatesTab {
    list: Requested<Vec<pb::Certificate>>,
    draft: Draft,
    save: Requested<pb::Certificate>,
    /// Where the last downloaded scan was saved.
    scan_saved: Requested<String>,
}

impl CertificatesTab {
    /// Loads the customer's certificates.
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        self.list.request(
            ctx.customers()
                .list_certificates(pb::GetCustomerRequest { id: customer_id })
                .map(|r| r.certificates),
        );
    }

    /// Polls the calls; true when a certificate was just saved.
    pub fn poll(&mut self) -> bool {
        self.list.poll();
        self.scan_saved.poll();
        let saved = matches!(self.save.poll(), Polled::JustDone);
        if saved {
            self.draft = Draft {
                kind: self.draft.kind,
                ..Draft::default()
            };
        }
        saved
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        for c in self.list.value().cloned().unwrap_or_default() {
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
                ui.label(choice_label::<pb::CertificateKind>(c.kind));
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
                    self.download(ctx, c.id, c.scan_name.clone());
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
        if ctx.can(Permission::CustomerCertificateWrite) {
            ui.separator();
            self.form_ui(ui, ctx, customer_id);
        }
    }

    /// Saves a certificate's scan beside the program under the scan's own file name.
    fn download(&mut self, ctx: &AppCtx, id: i64, name: String) {
        self.scan_saved.request(ctx.call(move |api| async move {
            let scan = api
                .customers()
                .get_certificate_scan(pb::GetCertificateScanRequest { id })
                .await?
                .into_inner();
            let file = std::path::Path::new(&name).file_name().map_or_else(
                || format!("certificate-{id}"),
                |n| n.to_string_lossy().into_owned(),
            );
            std::fs::write(&file, scan.content)
                .map_err(|e| tonic::Status::failed_precondition(format!("{file}: {e}")))?;
            Ok(std::fs::canonicalize(&file).map_or(file, |p| p.display().to_string()))
        }));
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer_id: i64) {
        let error = self.save.error().cloned();
        let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
        if let Some(error) = error.as_ref().filter(|e| e.fields.is_empty()) {
            widgets::error_line(ui, error);
        }
        let draft = &mut self.draft;
        widgets::enum_combo::<pb::CertificateKind>(
            ui,
            "certificate_kind",
            t("certificate.kind"),
            &mut draft.kind,
        );
        for (label, value, name) in [
            (t("certificate.number"), &mut draft.number, "number"),
            (
                t("certificate.authority"),
                &mut draft.authority,
                "authority",
            ),
            (
                t("certificate.issued_on"),
                &mut draft.issued_on,
                "issued_on",
            ),
            (
                t("certificate.expires_on"),
                &mut draft.expires_on,
                "expires_on",
            ),
            (t("certificate.scan_path"), &mut draft.scan_path, "scan"),
        ] {
            widgets::text_field(ui, label, value, field(name));
        }
        if ui
            .add_enabled(
                !self.save.is_pending(),
                egui::Button::new(t("certificate.add")),
            )
            .clicked()
        {
            let draft = draft.clone();
            self.save.request(ctx.call(move |api| async move {
                let path = draft.scan_path.trim().to_owned();
                let scan = if path.is_empty() {
                    Vec::new()
                } else {
                    std::fs::read(&path)
                        .map_err(|e| tonic::Status::failed_precondition(format!("{path}: {e}")))?
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
}
