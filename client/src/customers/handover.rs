//! 客户交接: when an employee leaves or changes post, pick them, see every customer they
//! are responsible for, tick the ones to move and choose who takes over each role; the
//! handover runs in one transaction. Splitting among several colleagues is several
//! handovers of different ticks.

use std::collections::BTreeSet;

use pharmacrm_shared::pb;

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets;

/// The handover screen.
#[derive(Default)]
pub struct HandoverPanel {
    sales_reps: Requested<Vec<pb::UserRef>>,
    cs_reps: Requested<Vec<pb::UserRef>>,
    holders: Requested<Vec<pb::UserRef>>,
    employee: i64,
    loaded_for: i64,
    customers: Requested<Vec<pb::Customer>>,
    ticked: BTreeSet<i64>,
    to_sales: i64,
    to_cs: i64,
    run: Requested<pb::HandoverCustomersResponse>,
}

fn picker(
    ui: &mut egui::Ui,
    salt: &str,
    label: &str,
    value: &mut i64,
    people: &[pb::UserRef],
    except: i64,
) {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(salt)
        .selected_text(
            people
                .iter()
                .find(|p| p.id == *value)
                .map_or(t("common.pick"), |p| p.name.as_str()),
        )
        .show_ui(ui, |ui| {
            for p in people.iter().filter(|p| p.id != except) {
                ui.selectable_value(value, p.id, &p.name);
            }
        })
        .response
        .labelled_by(l.id);
}

impl HandoverPanel {
    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.sales_reps.is_not_requested() {
            for (slot, role) in [
                (&mut self.sales_reps, "sales"),
                (&mut self.cs_reps, "cs"),
                (&mut self.holders, "holders"),
            ] {
                slot.request(
                    ctx.customers()
                        .list_reps(pb::ListRepsRequest { role: role.into() })
                        .map(|r| r.reps),
                );
            }
        }
        self.sales_reps.poll();
        self.cs_reps.poll();
        self.holders.poll();
        self.customers.poll();
        if let Polled::JustDone = self.run.poll() {
            self.loaded_for = 0;
            self.ticked.clear();
        }
        let sales = self.sales_reps.value().cloned().unwrap_or_default();
        let cs = self.cs_reps.value().cloned().unwrap_or_default();
        // Whoever holds customers, whatever position they hold now.
        let holders = self.holders.value().cloned().unwrap_or_default();
        picker(
            ui,
            "handover_employee",
            t("handover.employee"),
            &mut self.employee,
            &holders,
            0,
        );
        if self.employee > 0 && self.loaded_for != self.employee && !self.customers.is_pending() {
            self.loaded_for = self.employee;
            let employee = self.employee;
            self.customers.request(ctx.call(move |api| async move {
                let mut all = Vec::new();
                for (sales, cs) in [(Some(employee), None), (None, Some(employee))] {
                    let found = api
                        .customers()
                        .search_customers(pb::SearchCustomersRequest {
                            sales_rep_id: sales,
                            cs_rep_id: cs,
                            page: Some(pb::PageRequest {
                                offset: 0,
                                limit: 500,
                            }),
                            ..Default::default()
                        })
                        .await?
                        .into_inner()
                        .customers;
                    for c in found {
                        if !all.iter().any(|x: &pb::Customer| x.id == c.id) {
                            all.push(c);
                        }
                    }
                }
                Ok(all)
            }));
        }
        widgets::request_status(ui, &self.customers);
        if let Requested::Done(outcome) = &self.run {
            ui.label(
                t("handover.done")
                    .replace("{moved}", &outcome.moved.to_string())
                    .replace("{remaining}", &outcome.remaining.to_string()),
            );
        }
        if let Some(error) = self.run.error() {
            widgets::error_line(ui, error);
        }
        if self.employee == 0 {
            return;
        }
        let customers = self.customers.value().cloned().unwrap_or_default();
        ui.label(t("handover.count").replace("{n}", &customers.len().to_string()));
        ui.horizontal(|ui| {
            if ui.button(t("handover.tick_all")).clicked() {
                self.ticked = customers.iter().map(|c| c.id).collect();
            }
            if ui.button(t("handover.tick_none")).clicked() {
                self.ticked.clear();
            }
        });
        egui::ScrollArea::vertical()
            .max_height(300.0)
            .show(ui, |ui| {
                for c in &customers {
                    let mut on = self.ticked.contains(&c.id);
                    let role = match (
                        c.sales_rep.as_ref().is_some_and(|r| r.id == self.employee),
                        c.cs_rep.as_ref().is_some_and(|r| r.id == self.employee),
                    ) {
                        (true, true) => {
                            format!("{} + {}", t("customer.sales_rep"), t("customer.cs_rep"))
                        }
                        (true, false) => t("customer.sales_rep").to_owned(),
                        _ => t("customer.cs_rep").to_owned(),
                    };
                    if ui
                        .checkbox(&mut on, format!("{}（{}，{}）", c.name, c.region, role))
                        .changed()
                    {
                        if on {
                            self.ticked.insert(c.id);
                        } else {
                            self.ticked.remove(&c.id);
                        }
                    }
                }
            });
        picker(
            ui,
            "handover_sales",
            t("handover.to_sales"),
            &mut self.to_sales,
            &sales,
            self.employee,
        );
        picker(
            ui,
            "handover_cs",
            t("handover.to_cs"),
            &mut self.to_cs,
            &cs,
            self.employee,
        );
        let ready = !self.ticked.is_empty() && !self.run.is_pending();
        if ui
            .add_enabled(ready, egui::Button::new(t("handover.run")))
            .clicked()
        {
            let request = pb::HandoverCustomersRequest {
                from_user_id: self.employee,
                moves: self
                    .ticked
                    .iter()
                    .map(|&customer_id| pb::HandoverMove {
                        customer_id,
                        sales_rep_id: self.to_sales,
                        cs_rep_id: self.to_cs,
                    })
                    .collect(),
            };
            self.run
                .request(ctx.customers().handover_customers(request));
        }
    }
}
