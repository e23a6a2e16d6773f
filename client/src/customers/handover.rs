//! 客户交接: when an employee leaves or changes post, pick them, see every customer they
//! are responsible for (all ticked at first), untick those that stay and choose who takes
//! over each role; the handover runs in one transaction. Splitting among several colleagues
//! is several handovers of different ticks.

use std::collections::BTreeSet;

use egui::RichText;
use pharmacrm_shared::pb;

use crate::backend::{Polled, Requested};
use crate::ctx::{AppCtx, Navigate};
use crate::i18n::{bracketed, comma, label_value, t, tn};
use crate::widgets::{self, FieldErrors};

/// Customers read per call (the server's largest page).
const PAGE: u32 = 500;

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
    /// The employee whose handover just ran: their list, read again, shows what was kept
    /// on purpose, so none starts ticked (another employee's starts afresh).
    after_handover: Option<i64>,
    /// Whether the list being read is such a list (decided when it is asked for).
    kept_on_purpose: bool,
    to_sales: i64,
    to_cs: i64,
    run: Requested<pb::HandoverCustomersResponse>,
    /// The last failed handover's complaints.
    errors: FieldErrors,
    /// Whether the question before the handover is open.
    confirming: widgets::Confirm<()>,
    /// Opened from this employee's account in 系统管理 (they are to be disabled once their
    /// customers are handed over): a way back there once none is left.
    from_account: Option<i64>,
}

/// The name of `id` among `people` ("—" for nobody).
fn name_of(people: &[pb::UserRef], id: i64) -> &str {
    people
        .iter()
        .find(|p| p.id == id)
        .map_or("—", |p| p.name.as_str())
}

impl HandoverPanel {
    /// Chooses `employee` (their customers are read on the next frame), reading the
    /// pickers again: whoever holds customers now is offered.
    pub fn choose(&mut self, employee: i64) {
        self.employee = employee;
        self.loaded_for = 0;
        self.sales_reps.invalidate();
    }

    /// [`choose`](Self::choose) from `employee`'s account (its 客户交接 button): once
    /// their customers are handed over, a button goes back to it.
    pub fn choose_from_account(&mut self, employee: i64) {
        self.choose(employee);
        self.from_account = Some(employee);
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.sales_reps.is_not_requested() {
            for (slot, role) in [
                (&mut self.sales_reps, "sales"),
                (&mut self.cs_reps, "cs"),
                (&mut self.holders, "holders"),
            ] {
                super::request_reps(slot, ctx, role);
            }
        }
        self.sales_reps.poll();
        self.cs_reps.poll();
        self.holders.poll();
        if matches!(self.customers.poll(), Polled::JustDone) {
            // Handing all of them over is the usual case (the employee is leaving): every
            // customer starts ticked; untick those that go to someone else. Those left
            // after a handover were kept: none is ticked.
            self.ticked = if self.kept_on_purpose {
                BTreeSet::new()
            } else {
                (self.customers.value().into_iter().flatten())
                    .map(|c| c.id)
                    .collect()
            };
        }
        if self.errors.poll(&mut self.run) {
            self.loaded_for = 0;
            self.after_handover = Some(self.employee);
            self.ticked.clear();
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| self.form_ui(ui, ctx));
        self.confirm_ui(ui.ctx(), ctx);
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        // Whoever holds customers, whatever position they hold now.
        let holders = super::rep_options(&self.holders, 0);
        widgets::form(ui, "handover_from", &mut self.errors, |f| {
            f.combo(
                t("handover.employee"),
                "from_user_id",
                &mut self.employee,
                &holders,
            );
        });
        if self.employee > 0 && self.loaded_for != self.employee && !self.customers.is_pending() {
            self.kept_on_purpose = self.after_handover.take() == Some(self.employee);
            if !self.kept_on_purpose {
                // Another employee: nothing chosen for the last one carries over.
                self.to_sales = 0;
                self.to_cs = 0;
                self.run = Requested::NotRequested;
                self.errors.set(None);
                self.errors.clear_local();
            }
            self.loaded_for = self.employee;
            self.ticked.clear();
            let employee = self.employee;
            self.customers.request(ctx.call(move |api| async move {
                // Every one, page by page: a rep may hold thousands.
                let mut all = Vec::new();
                let mut seen = std::collections::HashSet::new();
                for (sales, cs) in [(Some(employee), None), (None, Some(employee))] {
                    let mut offset = 0;
                    // Until a page comes back empty: whatever the server's page size.
                    loop {
                        let found = api
                            .customers()
                            .search_customers(pb::SearchCustomersRequest {
                                sales_rep_id: sales,
                                cs_rep_id: cs,
                                // Archived customers have reps too.
                                status: pb::CustomerStatusFilter::All as i32,
                                page: Some(pb::PageRequest {
                                    offset,
                                    limit: PAGE,
                                }),
                                ..Default::default()
                            })
                            .await?
                            .into_inner()
                            .customers;
                        if found.is_empty() {
                            break;
                        }
                        offset += u32::try_from(found.len()).unwrap_or(PAGE);
                        // Both roles' customers are listed once.
                        all.extend(found.into_iter().filter(|c| seen.insert(c.id)));
                    }
                }
                Ok(all)
            }));
        }
        widgets::request_status(ui, &self.customers);
        if let Requested::Done(outcome) = &self.run {
            ui.label(
                RichText::new(format!(
                    "{}{}{}",
                    tn("handover.done", u64::from(outcome.moved)),
                    comma(),
                    tn("handover.remaining", u64::from(outcome.remaining)),
                ))
                .color(widgets::SUCCESS),
            );
        }
        if self.employee == 0 {
            return;
        }
        let customers = self
            .customers
            .value()
            .map(Vec::as_slice)
            .unwrap_or_default();
        ui.add_space(4.0);
        if customers.is_empty() {
            // Nobody left to hand over (or never anybody): no list, ticks or pickers for
            // nothing.
            if self.customers.value().is_some() {
                ui.label(RichText::new(t("handover.none")).weak());
                // Back to the account, to disable it now that it holds none.
                if self.from_account == Some(self.employee)
                    && ui.button(t("handover.back_to_account")).clicked()
                {
                    self.from_account = None;
                    ctx.navigate(Navigate::Module(pharmacrm_shared::Module::Admin));
                }
            }
            return;
        }
        ui.label(tn("handover.count", customers.len() as u64));
        ui.horizontal(|ui| {
            if ui.button(t("handover.tick_all")).clicked() {
                self.ticked = customers.iter().map(|c| c.id).collect();
            }
            if ui.button(t("handover.tick_none")).clicked() {
                self.ticked.clear();
            }
        });
        let height = (ui.available_height() - 140.0).clamp(120.0, 320.0);
        let row_height = ui.spacing().interact_size.y;
        // Only the rows in view are drawn: a rep may hold thousands.
        egui::ScrollArea::vertical()
            .id_salt("handover_customers")
            .max_height(height)
            .show_rows(ui, row_height, customers.len(), |ui, rows| {
                for c in &customers[rows] {
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
                    let remark = format!("{}{}{}", c.region, comma(), role);
                    if ui.checkbox(&mut on, bracketed(&c.name, &remark)).changed() {
                        if on {
                            self.ticked.insert(c.id);
                        } else {
                            self.ticked.remove(&c.id);
                        }
                    }
                }
            });
        ui.add_space(4.0);
        let (sales, cs) = (
            super::rep_options(&self.sales_reps, self.employee),
            super::rep_options(&self.cs_reps, self.employee),
        );
        let (needs_sales, needs_cs) = self.roles_ticked();
        // A successor chosen, or no longer needed: the form's complaint goes.
        if self.to_sales != 0 || !needs_sales {
            self.errors.set_local("sales_rep_id", None);
        }
        if self.to_cs != 0 || !needs_cs {
            self.errors.set_local("cs_rep_id", None);
        }
        // A picker for each role the employee holds among the ticked (the others do not
        // move); a role nobody else holds says so, and what to do, instead.
        let nobody_for_sales = sales.is_empty() && self.sales_reps.value().is_some();
        let nobody_for_cs = cs.is_empty() && self.cs_reps.value().is_some();
        widgets::form_part(ui, "handover_to", &mut self.errors, |f| {
            if needs_sales {
                if nobody_for_sales {
                    f.row(t("handover.to_sales"), "sales_rep_id", |ui| {
                        ui.label(RichText::new(t("handover.no_sales")).color(widgets::WARNING))
                    });
                } else {
                    f.combo(
                        t("handover.to_sales"),
                        "sales_rep_id",
                        &mut self.to_sales,
                        &sales,
                    );
                }
            }
            if needs_cs {
                if nobody_for_cs {
                    f.row(t("handover.to_cs"), "cs_rep_id", |ui| {
                        ui.label(RichText::new(t("handover.no_cs")).color(widgets::WARNING))
                    });
                } else {
                    f.combo(t("handover.to_cs"), "cs_rep_id", &mut self.to_cs, &cs);
                }
            }
        });
        ui.add_space(4.0);
        // Not while a role to move has nobody to take it.
        let stuck = (needs_sales && nobody_for_sales) || (needs_cs && nobody_for_cs);
        let ready = !self.ticked.is_empty() && !self.run.is_pending() && !stuck;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ready, egui::Button::new(t("handover.run")))
                .clicked()
            {
                // Each role the employee holds among the ticked needs a successor: said
                // under its picker before anything is asked.
                let sales_missing = needs_sales && self.to_sales == 0;
                let cs_missing = needs_cs && self.to_cs == 0;
                // Nobody to choose is said on the row itself.
                if sales_missing && !nobody_for_sales {
                    self.errors
                        .set_local("sales_rep_id", Some(t("handover.choose_sales").into()));
                }
                if cs_missing && !nobody_for_cs {
                    self.errors
                        .set_local("cs_rep_id", Some(t("handover.choose_cs").into()));
                }
                if !sales_missing && !cs_missing {
                    self.confirming.ask(());
                }
            }
            if self.run.is_pending() {
                ui.spinner();
            }
        });
    }

    /// Whether the employee is the sales rep, and whether the CS rep, of any customer
    /// ticked: the roles that need a successor.
    fn roles_ticked(&self) -> (bool, bool) {
        let ticked = self
            .customers
            .value()
            .into_iter()
            .flatten()
            .filter(|c| self.ticked.contains(&c.id));
        let holds = |rep: &Option<pb::UserRef>| rep.as_ref().is_some_and(|r| r.id == self.employee);
        ticked.fold((false, false), |(sales, cs), c| {
            (sales || holds(&c.sales_rep), cs || holds(&c.cs_rep))
        })
    }

    /// Asks before the handover, saying how many customers move and to whom.
    fn confirm_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        if !self.confirming.is_asking() {
            return;
        }
        let sales = self.sales_reps.value().cloned().unwrap_or_default();
        let cs = self.cs_reps.value().cloned().unwrap_or_default();
        // The roles that move: a successor for a role the employee does not hold among
        // the ticked changes nothing, and is not named.
        let (needs_sales, needs_cs) = self.roles_ticked();
        let mut question = vec![tn("handover.confirm", self.ticked.len() as u64)];
        if needs_sales {
            question.push(label_value(
                t("handover.to_sales"),
                name_of(&sales, self.to_sales),
            ));
        }
        if needs_cs {
            question.push(label_value(t("handover.to_cs"), name_of(&cs, self.to_cs)));
        }
        let question = question.join("\n");
        if self
            .confirming
            .ui(
                egui_ctx,
                "confirm_handover",
                &question,
                t("handover.confirm_yes"),
            )
            .is_some()
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
