//! 我的工作: the customers handed to the user this week, the rep's due and overdue
//! follow-ups and the certificates of their customers that have expired or expire soon;
//! then the order work of the order module (a CS rep's orders to ship, overdue shipments
//! and replacements, a sales rep's exceptions awaiting a decision) and, for those who read
//! arrears, the customers owing something overdue (逾期欠款). A manager's lists are the
//! team's (the server reads them in the data scope), each row naming the rep who acts.

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::finance::ArrearsWork;
use crate::format;
use crate::i18n::t;
use crate::orders::OrderWork;
use crate::widgets;

/// A customer the work list opens, at the tab its row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenCustomer {
    /// At its first tab (跟进记录): a follow-up due, arrears.
    Followups(i64),
    /// At its certificates (证件): a certificate expired or expiring.
    Certificates(i64),
}

/// The work list.
#[derive(Default)]
pub struct WorkPanel {
    work: Requested<pb::MyWorkResponse>,
    orders: OrderWork,
    arrears: ArrearsWork,
}

impl WorkPanel {
    /// Asks again next time it is shown, the rows shown until the answer replaces them.
    pub fn refresh(&mut self) {
        self.work.invalidate();
        self.orders.refresh();
        self.arrears.refresh();
    }

    /// Draws the list, scrolling when it is longer than the window; returns a customer
    /// to open.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<OpenCustomer> {
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| self.lists_ui(ui, ctx))
            .inner
    }

    fn lists_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<OpenCustomer> {
        if ui.button(t("common.reload")).clicked() {
            self.refresh();
        }
        if self.work.is_not_requested() {
            self.work.request(ctx.customers().my_work(()));
        }
        self.work.poll();
        widgets::request_status(ui, &self.work);
        let work = self.work.value().cloned().unwrap_or_default();
        let mut open = None;
        // Follow-ups and certificates are the work of who works the customers (finance
        // reads them all but follows none up: the server sends it neither list).
        if ctx.can(Permission::CustomerFollowupWrite)
            || ctx.can(Permission::CustomerCertificateWrite)
        {
            open = customer_work_ui(ui, ctx, &work);
        }
        self.orders.ui(ui, ctx);
        if let Some(id) = self.arrears.ui(ui, ctx) {
            open = Some(OpenCustomer::Followups(id));
        }
        open
    }
}

/// The due follow-ups and the certificates to renew; a customer to open.
fn customer_work_ui(
    ui: &mut egui::Ui,
    ctx: &AppCtx,
    work: &pb::MyWorkResponse,
) -> Option<OpenCustomer> {
    let mut open = None;
    // What they take over comes first: customers handed to them this week.
    if !work.handed_customers.is_empty() {
        ui.heading(t("work.handed"));
        for h in &work.handed_customers {
            let Some(a) = &h.assignment else { continue };
            ui.horizontal_wrapped(|ui| {
                if ui.link(&h.customer_name).clicked() {
                    open = Some(OpenCustomer::Followups(h.customer_id));
                }
                ui.label(t("work.handed_as").replace("{role}", super::view::assignment_role(a)));
                ui.label(RichText::new(super::view::assignment_origin(a)).weak());
                ui.label(RichText::new(format::timestamp(a.effective_from.as_ref())).weak());
            });
        }
        if work.more_handed_customers {
            more_ui(ui, work.handed_customers.len());
        }
        ui.separator();
    }
    ui.heading(t("work.followups"));
    if work.due_followups.is_empty() {
        ui.label(RichText::new(t("work.none")).weak());
    }
    followups_ui(ui, ctx, &work.due_followups, &mut open);
    if work.more_followups {
        more_ui(ui, work.due_followups.len());
    }
    // The week ahead, to plan (only when something is planned: an empty list says
    // nothing to do).
    if !work.upcoming_followups.is_empty() {
        ui.add_space(4.0);
        ui.label(RichText::new(t("work.upcoming_followups")).strong());
        followups_ui(ui, ctx, &work.upcoming_followups, &mut open);
        if work.more_upcoming_followups {
            more_ui(ui, work.upcoming_followups.len());
        }
    }
    ui.separator();
    ui.heading(t("work.certificates"));
    if work.expiring_certificates.is_empty() {
        ui.label(RichText::new(t("work.none")).weak());
    }
    for e in &work.expiring_certificates {
        let Some(c) = &e.certificate else { continue };
        // Wrapped at a narrow window, not cut at its edge.
        ui.horizontal_wrapped(|ui| {
            if ui.link(&e.customer_name).clicked() {
                open = Some(OpenCustomer::Certificates(c.customer_id));
            }
            if ctx.can(Permission::CustomerCertificateWrite) {
                widgets::team_rep(ui, ctx, e.sales_rep.as_ref());
            } else {
                // A CS rep learns of it (a shipment will be refused), and whom to ask: the
                // sales rep renews it.
                let renews =
                    t("work.renewed_by").replace("{name}", &format::person(e.sales_rep.as_ref()));
                ui.label(renews);
            }
            // Which certificate: its kind (营业执照, GSP 证书…) and number.
            ui.label(format!(
                "{} {}",
                widgets::choice_label::<pb::CertificateKind>(c.kind),
                c.number
            ));
            // An expiry past reads as such ("已于 2026-12-01 过期"), not as one to come.
            if c.status == pb::CertificateStatus::Expired as i32 {
                let text = t("work.expired_on").replace("{date}", &c.expires_on);
                ui.label(RichText::new(text).color(widgets::ERROR));
            } else {
                let text = format!("{} {}", t("certificate.expires_on"), c.expires_on);
                ui.label(RichText::new(text).color(widgets::WARNING));
            }
        });
    }
    if work.more_certificates {
        more_ui(ui, work.expiring_certificates.len());
    }
    open
}

/// A row a follow-up planned: the customer (a link, set in `open`), the rep on a team's
/// list, the date (red once past), what the last follow-up was about and who planned it
/// when not the viewer nor the rep named (a CS rep's call on a sales rep's customer).
fn followups_ui(
    ui: &mut egui::Ui,
    ctx: &AppCtx,
    followups: &[pb::DueFollowup],
    open: &mut Option<OpenCustomer>,
) {
    for f in followups {
        // Wrapped at a narrow window (a long last content, who planned it), not cut.
        ui.horizontal_wrapped(|ui| {
            if ui.link(&f.customer_name).clicked() {
                *open = Some(OpenCustomer::Followups(f.customer_id));
            }
            widgets::team_rep(ui, ctx, f.sales_rep.as_ref());
            let date = RichText::new(&f.next_on);
            ui.label(if f.overdue {
                date.color(widgets::ERROR)
            } else {
                date
            });
            ui.label(RichText::new(&f.last_content).weak());
            // Not the viewer, nor the sales rep a team's list names already.
            let named = |id: i64| {
                id == ctx.user_id()
                    || (ctx.oversees() && f.sales_rep.as_ref().is_some_and(|r| r.id == id))
            };
            if let Some(by) = f.planned_by.as_ref().filter(|by| !named(by.id)) {
                let planned = t("work.planned_by").replace("{name}", &format::person(Some(by)));
                ui.label(RichText::new(planned).weak());
            }
        });
    }
}

/// "仅显示最早的 200 条" under a list the server cut.
fn more_ui(ui: &mut egui::Ui, shown: usize) {
    ui.label(RichText::new(t("work.more").replace("{n}", &shown.to_string())).weak());
}
