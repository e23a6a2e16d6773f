//! The customer view's history tabs: type changes and who was responsible when.

use pharmacrm_shared::pb;

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t};

/// The type history and the assignment history.
#[derive(Default)]
pub struct HistoryTabs {
    types: Requested<Vec<pb::TypeChange>>,
    assignments: Requested<Vec<pb::Assignment>>,
}

impl HistoryTabs {
    /// Loads both histories.
    pub fn reload(&mut self, ctx: &AppCtx, customer_id: i64) {
        let id = customer_id;
        self.types.request(
            ctx.customers()
                .list_type_history(pb::GetCustomerRequest { id })
                .map(|r| r.changes),
        );
        self.assignments.request(
            ctx.customers()
                .list_assignment_history(pb::GetCustomerRequest { id })
                .map(|r| r.assignments),
        );
    }

    /// Polls the calls.
    pub fn poll(&mut self) {
        self.types.poll();
        self.assignments.poll();
    }

    /// The type changes, newest first.
    pub fn types_ui(&self, ui: &mut egui::Ui) {
        for h in self.types.value().cloned().unwrap_or_default() {
            ui.label(format!(
                "{}  {} → {}  {}  {}",
                format::timestamp(h.changed_at.as_ref()),
                if h.from_type.is_empty() {
                    "—"
                } else {
                    &h.from_type
                },
                h.to_type,
                format::who(&h.changed_by),
                h.reason
            ));
        }
    }

    /// The assignments, newest first.
    pub fn assignments_ui(&self, ui: &mut egui::Ui) {
        for a in self.assignments.value().cloned().unwrap_or_default() {
            let role = if a.role == "sales" {
                t("customer.sales_rep")
            } else {
                t("customer.cs_rep")
            };
            let who = a.user.map(|u| u.name).unwrap_or_default();
            ui.label(format!(
                "{}  {} – {}",
                label_value(role, &who),
                format::timestamp(a.effective_from.as_ref()),
                format::timestamp(a.effective_to.as_ref()),
            ));
        }
    }
}
