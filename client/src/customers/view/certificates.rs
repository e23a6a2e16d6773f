//! The customer view's certificate tab: certificates with their expiry status and scans;
//! a new one added, one changed (renewed: a new number, dates and scan) or deleted.

use egui::RichText;
use egui_extras::Column;
use pharmacrm_shared::{Permission, pb};

use super::records::{FormButton, Records};
use crate::api::files::{self, ExportOutcome, ExportTarget};
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets::{self, Unsaved, choice_label};

#[derive(Clone, PartialEq)]
struct Draft {
    kind: i32,
    number: String,
    authority: String,
    issued_on: String,
    expires_on: String,
}

impl Draft {
    fn from(c: &pb::Certificate) -> Draft {
        Draft {
            kind: c.kind,
            number: c.number.clone(),
            authority: c.authority.clone(),
            issued_on: c.issued_on.clone(),
            expires_on: c.expires_on.clone(),
        }
    }

    /// A new certificate's, of the kind `self` has.
    fn next(&self) -> Draft {
        Draft {
            kind: self.kind,
            ..Draft::default()
        }
    }
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            kind: pb::CertificateKind::DrugTrade as i32,
            number: String::new(),
            authority: String::new(),
            issued_on: String::new(),
            expires_on: String::new(),
        }
    }
}

/// The certificate tab.
#[derive(Default)]
pub struct CertificatesTab {
    records: Records<pb::Certificate, Draft>,
    /// The scan to attach to the certificate (for one edited: to replace its scan).
    scan: widgets::PathField,
    /// The certificate the form was for at the last frame (`None`: a new one): the scan
    /// chosen belongs to it, and is dropped when the form turns to another.
    form_of: Option<i64>,
    /// Where the last downloaded scan was saved, or why it could not be.
    scan_saved: Requested<ExportOutcome>,
    /// The last scan asked for (certificate id, the file name proposed): offered again
    /// for the download folder when the chooser came back without a place.
    last_download: Option<(i64, String)>,
    /// Whether a new certificate's kind was set from the customer's business kind yet
    /// (once: a kind chosen after stays).
    kind_defaulted: bool,
}

/// The licence a buyer of `business_kind` shows (as the order form's check asks for it):
/// a hospital's or clinic's 医疗机构执业许可证, anyone else's 药品经营许可证.
fn licence_of(business_kind: i32) -> i32 {
    match pb::BusinessKind::try_from(business_kind) {
        Ok(pb::BusinessKind::Hospital | pb::BusinessKind::Clinic) => {
            pb::CertificateKind::MedicalInstitution as i32
        }
        _ => pb::CertificateKind::DrugTrade as i32,
    }
}

/// A certificate's term as the list says it: "2026-01-05 – 2031-01-04", or one end
/// alone ("至 2031-06-30": no dash hanging before it).
fn validity(c: &pb::Certificate) -> String {
    match (c.issued_on.as_str(), c.expires_on.as_str()) {
        ("", "") => String::new(),
        ("", to) => t("certificate.until").replace("{date}", to),
        (from, "") => t("certificate.since").replace("{date}", from),
        (from, to) => format!("{from} – {to}"),
    }
}

/// The name a scan is saved under: whose and which certificate it is, with the scan's
/// own extension — "北京协和医院_药品经营许可证_京药2031-0001.pdf" (scans of several
/// customers are all called 扫描件.pdf).
fn scan_file_name(customer: &str, c: &pb::Certificate) -> String {
    let part = pharmacrm_shared::validation::file_name_part;
    let mut name = format!(
        "{}_{}",
        part(customer),
        part(choice_label::<pb::CertificateKind>(c.kind))
    );
    if !c.number.trim().is_empty() {
        name = format!("{name}_{}", part(c.number.trim()));
    }
    match std::path::Path::new(&c.scan_name).extension() {
        Some(ext) => format!("{name}.{}", ext.to_string_lossy()),
        None => name,
    }
}

impl Unsaved for CertificatesTab {
    /// Whether the certificate in the form holds unsaved input.
    fn is_dirty(&self) -> bool {
        !self.scan.trimmed().is_empty()
            || self.records.is_dirty(|d| {
                [&d.number, &d.authority, &d.issued_on, &d.expires_on]
                    .iter()
                    .any(|text| !text.trim().is_empty())
            })
    }
}

impl CertificatesTab {
    /// Loads the customer's certificates.
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        self.records.reload(
            ctx.customers()
                .list_certificates(pb::GetCustomerRequest { id: customer_id })
                .map(|r| r.certificates),
        );
    }

    /// Polls the calls; true when a certificate was just saved or deleted.
    pub fn poll(&mut self) -> bool {
        self.scan_saved.poll();
        let polled = self.records.poll(Draft::next);
        if polled.form_reset {
            self.scan.clear();
        }
        polled.changed
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, customer: &pb::Customer) {
        let customer_id = customer.id;
        if !self.kind_defaulted {
            self.kind_defaulted = true;
            if self.records.editing().is_none() && self.records.draft == Draft::default() {
                self.records.draft.kind = licence_of(customer.business_kind);
            }
        }
        let certificates = self.records.rows();
        self.records.list_status_ui(ui);
        let can_write = ctx.can(Permission::CustomerCertificateWrite);
        let mut download = None;
        let mut edit = None;
        if !certificates.is_empty() {
            // The kind whole where there is room ("Medical institution licence"); at 900
            // wide it gives way to the row's buttons, which were cut ("Del…").
            let kind_width = if ui.available_width() >= 900.0 {
                190.0
            } else {
                150.0
            };
            // As wide as the longest kind listed (an auto column that clips measured its
            // clipped text, and stayed cut: "Drug trade lice…" beside an empty column).
            let kinds = (certificates.iter()).map(|c| choice_label::<pb::CertificateKind>(c.kind));
            let kind_width = widgets::fit_width_plain(
                ui,
                t("certificate.kind"),
                kinds,
                egui::TextStyle::Body,
                100.0,
                kind_width,
            ) + 4.0;
            widgets::table(ui, "certificate_table", |ui| {
                widgets::table_builder(ui, "certificate_table", false)
                    .vscroll(false)
                    // The kind (long in English) and the issuing authority give way
                    // (clipped) to the buttons at 900 wide: 编辑 and 删除 were behind a
                    // sideways scroll.
                    .column(Column::exact(kind_width).clip(true))
                    .column(Column::auto().at_least(100.0))
                    .column(Column::remainder().at_least(60.0).clip(true))
                    .column(Column::auto())
                    .column(Column::auto().at_least(60.0))
                    .column(Column::auto().at_least(90.0))
                    .header(22.0, |mut header| {
                        widgets::header_labels(
                            &mut header,
                            [
                                t("certificate.kind"),
                                t("certificate.number"),
                                t("certificate.authority"),
                                t("certificate.period"),
                                t("certificate.status"),
                                "",
                            ],
                        );
                    })
                    .body(|mut body| {
                        for c in &certificates {
                            body.row(24.0, |mut row| {
                                row.col(|ui| {
                                    ui.label(choice_label::<pb::CertificateKind>(c.kind));
                                });
                                row.col(|ui| {
                                    ui.label(&c.number);
                                });
                                row.col(|ui| {
                                    ui.label(&c.authority);
                                });
                                row.col(|ui| {
                                    ui.label(validity(c));
                                });
                                row.col(|ui| {
                                    ui.label(if superseded(c, &certificates) {
                                        RichText::new(t("certificate.replaced")).weak()
                                    } else {
                                        status_text(c.status)
                                    });
                                });
                                row.col(|ui| {
                                    if c.has_scan
                                        && ui
                                            .small_button(t("certificate.download"))
                                            .on_hover_text(&c.scan_name)
                                            .clicked()
                                    {
                                        download = Some((c.id, scan_file_name(&customer.name, c)));
                                    }
                                    if can_write {
                                        let name = certificate_name(c);
                                        if self.records.row_buttons(ui, c.id, c.version, &name) {
                                            edit = Some(c.clone());
                                        }
                                    }
                                });
                            });
                        }
                    });
            });
        }
        if let Some((id, name)) = download {
            self.download(ctx, id, name, true);
        }
        if let Some(c) = edit {
            let dirty = self.is_dirty();
            self.records.edit(dirty, (c.id, c.version, Draft::from(&c)));
        }
        let form_of = self.records.editing().map(|e| e.id);
        if form_of != self.form_of {
            self.scan.clear();
            self.form_of = form_of;
        }
        let edited_scan = form_of
            .and_then(|id| certificates.iter().find(|c| c.id == id))
            .filter(|c| c.has_scan)
            .map(|c| c.scan_name.clone());
        widgets::saved_file_ui(ui, &self.scan_saved, t("certificate.saved"));
        if matches!(self.scan_saved, Requested::Done(ExportOutcome::Cancelled))
            && let Some((id, name)) = self.last_download.clone()
        {
            // Cancelled, or a chooser that never showed (a desktop without a portal):
            // never a silent nothing.
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(t("certificate.not_saved")).weak());
                let dir = widgets::download_dir().display().to_string();
                if ui
                    .small_button(t("certificate.save_to_downloads").replace("{dir}", &dir))
                    .clicked()
                {
                    self.download(ctx, id, name, false);
                }
            });
        }
        if can_write {
            ui.separator();
            self.form_ui(ui, ctx, customer_id, edited_scan);
            self.records
                .dialogs_ui(ui.ctx(), "confirm_delete_certificate", |request| {
                    ctx.customers().delete_certificate(request)
                });
        }
    }

    /// Saves a certificate's scan where the user chooses (`ask`; proposed as `name`, see
    /// [`scan_file_name`]), or in the download folder when not asking or no chooser can
    /// ask.
    fn download(&mut self, ctx: &AppCtx, id: i64, name: String, ask: bool) {
        self.last_download = Some((id, name.clone()));
        self.scan_saved.request(ctx.call(move |api| async move {
            let name = std::path::Path::new(&name).file_name().map_or_else(
                || format!("certificate-{id}"),
                |n| n.to_string_lossy().into_owned(),
            );
            // The desktop's chooser asks before replacing a file; in the download folder
            // the scan is numbered instead (two customers' 营业执照.pdf stay two files).
            let target = if ask && widgets::chooser_available() {
                let Some(chosen) = widgets::save_target(&name).await else {
                    return Ok(ExportOutcome::Cancelled);
                };
                ExportTarget::File(chosen)
            } else {
                ExportTarget::Folder {
                    dir: widgets::download_dir(),
                    fallback: name,
                }
            };
            let scan = api
                .customers()
                .get_certificate_scan(pb::GetCertificateScanRequest { id })
                .await?
                .into_inner();
            Ok(files::save(&target, "", &scan.content))
        }));
    }

    /// The form; `edited_scan`: the name of the scan of the certificate edited, if any.
    fn form_ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        customer_id: i64,
        edited_scan: Option<String>,
    ) {
        let records = &mut self.records;
        let editing = records.editing();
        ui.strong(match editing {
            Some(_) => t("certificate.edit_heading"),
            None => t("certificate.new_heading"),
        });
        let draft = &mut records.draft;
        let scan = &mut self.scan;
        let scan_hint = match &edited_scan {
            Some(_) => t("certificate.replace_scan_hint"),
            None => t("certificate.scan_hint"),
        };
        let response = widgets::form(ui, "certificate_form", &mut records.errors, |f| {
            f.required(&["kind", "number"]);
            // A licence is issued for a term: the server refuses one without an expiry.
            if matches!(
                pb::CertificateKind::try_from(draft.kind),
                Ok(pb::CertificateKind::DrugTrade | pb::CertificateKind::Gsp)
            ) {
                f.required(&["expires_on"]);
            }
            let kind = &mut draft.kind;
            if f.enum_combo::<pb::CertificateKind>(t("certificate.kind"), "kind", kind)
                .changed()
            {
                // "A licence needs its expiry" was of the kind before.
                f.edited("expires_on");
            }
            f.text(t("certificate.number"), "number", &mut draft.number);
            f.text(
                t("certificate.authority"),
                "authority",
                &mut draft.authority,
            );
            if f.past_date(
                t("certificate.issued_on"),
                "issued_on",
                &mut draft.issued_on,
            )
            .changed()
            {
                // "Before the issue date" was of the issue date before.
                f.edited("expires_on");
            }
            f.date(
                t("certificate.expires_on"),
                "expires_on",
                &mut draft.expires_on,
            );
            let width = f.input_width();
            f.row(t("certificate.scan_path"), "scan", |ui| {
                scan.ui(ui, ctx, widgets::Purpose::Open(&[]), scan_hint, width)
            });
            if let Some(name) = &edited_scan {
                f.note(RichText::new(t("certificate.kept_scan").replace("{name}", name)).weak());
            }
        });
        ui.add_space(4.0);
        let scan_chosen = !self.scan.trimmed().is_empty();
        let pressed =
            records.form_buttons(ui, t("certificate.add"), response.submitted, scan_chosen);
        // An expiry already past is said as it is typed (saved, it said only 已保存, and
        // the order form told it later); under the buttons, so it moves none of them.
        if let Some(why) = expired_warning(&records.draft) {
            // Wrapped at the panel's edge (in English at 900 wide it ran past it).
            ui.add(egui::Label::new(RichText::new(why).color(widgets::WARNING)).wrap());
        }
        if pressed == Some(FormButton::Cancel) {
            records.stop_editing(Draft::next);
        }
        if pressed == Some(FormButton::Save) {
            let draft = records.draft.clone();
            let (id, version) = editing.map_or((0, 0), |e| (e.id, e.version));
            let path = self.scan.trimmed().to_owned();
            records.save(ctx.call(move |api| async move {
                let scan = if path.is_empty() {
                    Vec::new()
                } else {
                    files::read(&path, "scan")?
                };
                let name = std::path::Path::new(&path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Ok(api
                    .customers()
                    .save_certificate(pb::SaveCertificateRequest {
                        certificate: Some(pb::Certificate {
                            id,
                            version,
                            customer_id,
                            kind: draft.kind,
                            number: draft.number,
                            authority: draft.authority,
                            issued_on: widgets::normalize_date(&draft.issued_on),
                            expires_on: widgets::normalize_date(&draft.expires_on),
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

/// A certificate as a question names it: "药品经营许可证 粤AA0201234".
fn certificate_name(c: &pb::Certificate) -> String {
    format!(
        "{} {}",
        choice_label::<pb::CertificateKind>(c.kind),
        c.number
    )
}

/// Whether a later copy of `c` (same kind, expiring later or never) is among `all`: it
/// was renewed, its expiry no longer stops anything, and the customer's counts leave it
/// out (the server's `NOT_SUPERSEDED`); "其他" documents replace none.
fn superseded(c: &pb::Certificate, all: &[pb::Certificate]) -> bool {
    c.kind != pb::CertificateKind::Other as i32
        && !c.expires_on.is_empty()
        && all.iter().any(|newer| {
            newer.kind == c.kind
                && newer.id != c.id
                && (newer.expires_on.is_empty()
                    || newer.expires_on > c.expires_on
                    || (newer.expires_on == c.expires_on && newer.id > c.id))
        })
}

/// A certificate's status, coloured by urgency.
fn status_text(status: i32) -> RichText {
    match pb::CertificateStatus::try_from(status).unwrap_or_default() {
        pb::CertificateStatus::Valid => RichText::new(t("certificate.valid")),
        pb::CertificateStatus::Expiring => {
            RichText::new(t("certificate.expiring")).color(widgets::WARNING)
        }
        pb::CertificateStatus::Expired => {
            RichText::new(t("certificate.expired")).color(widgets::ERROR)
        }
    }
}

/// What `draft`'s expiry, when already past (business date), means: a 药品经营许可证 or GSP
/// certificate expired stops the customer's orders and shipments (GSP: goods go only to
/// qualified buyers); another kind is only said to be expired.
fn expired_warning(draft: &Draft) -> Option<&'static str> {
    let expiry =
        chrono::NaiveDate::parse_from_str(&widgets::normalize_date(&draft.expires_on), "%Y-%m-%d")
            .ok()?;
    if expiry >= crate::format::business_today() {
        return None;
    }
    Some(match pb::CertificateKind::try_from(draft.kind) {
        Ok(pb::CertificateKind::DrugTrade | pb::CertificateKind::Gsp) => {
            t("certificate.expired_blocks")
        }
        _ => t("certificate.expired_note"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A licence renewed by a later copy is said to be replaced, not expired (the
    /// customer's count leaves it out); the latest copy, and an "other" document, keep
    /// their own status.
    #[test]
    fn a_certificate_renewed_by_a_later_copy_is_replaced() {
        let licence = |id, expires: &str| pb::Certificate {
            id,
            kind: pb::CertificateKind::DrugTrade as i32,
            expires_on: expires.into(),
            ..Default::default()
        };
        let all = [licence(1, "2025-06-30"), licence(2, "2026-06-30")];
        assert!(superseded(&all[0], &all));
        assert!(!superseded(&all[1], &all));
        let never = [licence(1, "2025-06-30"), licence(2, "")];
        assert!(superseded(&never[0], &never));
        assert!(!superseded(&never[1], &never));
        let other = |id, expires: &str| pb::Certificate {
            kind: pb::CertificateKind::Other as i32,
            ..licence(id, expires)
        };
        let others = [other(1, "2025-06-30"), other(2, "2026-06-30")];
        assert!(!superseded(&others[0], &others));
    }

    #[test]
    fn a_scan_is_saved_under_whose_and_which_certificate_it_is() {
        let _lang = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let certificate = pb::Certificate {
            kind: pb::CertificateKind::DrugTrade as i32,
            number: "京药2031/0001".into(),
            scan_name: "扫描件.PDF".into(),
            ..Default::default()
        };
        assert_eq!(
            scan_file_name("北京协和医院", &certificate),
            "北京协和医院_药品经营许可证_京药2031_0001.PDF"
        );
        let unnumbered = pb::Certificate {
            number: String::new(),
            scan_name: "scan".into(),
            ..certificate
        };
        assert_eq!(
            scan_file_name("北京协和医院", &unnumbered),
            "北京协和医院_药品经营许可证"
        );
    }
}
