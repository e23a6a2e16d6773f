//! The customer view's history tabs: type changes and who was responsible when.

use pharmacrm_shared::pb;

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t};
use crate::widgets;

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
                widgets::or_dash(&h.from_type),
                h.to_type,
                format::who(&h.changed_by),
                h.reason
            ));
        }
    }

    /// The assignments, newest first: "营销员：李营销  2026-11-27 14:51 – 至今", then how it
    /// came about and by whom ("交接 · 王经理").
    pub fn assignments_ui(&self, ui: &mut egui::Ui) {
        for a in self.assignments.value().cloned().unwrap_or_default() {
            ui.horizontal_wrapped(|ui| {
                ui.label(assignment_text(&a));
                ui.label(egui::RichText::new(assignment_origin(&a)).weak());
            });
        }
    }
}

/// The role of an assignment: 营销员 or 客服.
pub(in crate::customers) fn assignment_role(a: &pb::Assignment) -> &'static str {
    if a.role == "sales" {
        t("customer.sales_rep")
    } else {
        t("customer.cs_rep")
    }
}

/// Who was responsible from when to when.
fn assignment_text(a: &pb::Assignment) -> String {
    let role = assignment_role(a);
    let who = a.user.as_ref().map(|u| u.name.as_str()).unwrap_or_default();
    let until = match &a.effective_to {
        Some(to) => format::timestamp(Some(to)),
        None => t("assignment.current").to_owned(),
    };
    format!(
        "{}  {} – {until}",
        label_value(role, who),
        format::timestamp(a.effective_from.as_ref()),
    )
}

/// How an assignment came about, and by whom: "交接 · 王经理", "登记客户时指定 · 李营销".
pub(in crate::customers) fn assignment_origin(a: &pb::Assignment) -> String {
    let how = match a.source.as_str() {
        "registered" => t("assignment.registered"),
        "handover" => t("assignment.handover"),
        _ => t("assignment.assigned"),
    };
    format!("{how} · {}", format::who(&a.assigned_by))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_lang};

    #[test]
    fn an_assignment_says_until_now_how_it_came_about_and_by_whom() {
        let _one_at_a_time = crate::i18n::lang_switch();
        set_lang(Lang::Zh);
        let from = prost_types::Timestamp {
            seconds: 1_764_228_660, // 2025-11-27 07:31 UTC
            nanos: 0,
        };
        let handed = pb::Assignment {
            role: "sales".into(),
            user: Some(pb::UserRef {
                id: 3,
                name: "李营销".into(),
                department: String::new(),
                inactive: false,
            }),
            effective_from: Some(from),
            effective_to: None,
            assigned_by: "王经理".into(),
            source: "handover".into(),
        };
        assert!(assignment_text(&handed).ends_with("– 至今"));
        assert!(assignment_text(&handed).starts_with("营销员：李营销"));
        assert_eq!(assignment_origin(&handed), "交接 · 王经理");
        let registered = pb::Assignment {
            source: "registered".into(),
            assigned_by: String::new(),
            ..handed
        };
        assert_eq!(assignment_origin(&registered), "登记客户时指定 · 系统");
    }
}
