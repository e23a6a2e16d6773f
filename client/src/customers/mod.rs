//! 客户管理: the customer list, the customer view, the registration form, the rep's
//! work list, 客户交接 and 客户类型维护.

mod form;
mod handover;
mod list;
mod types;
mod view;
mod work;

use pharmacrm_shared::{Module, pb};

use crate::backend::Requested;
use crate::ctx::{AppCtx, Navigate};
use crate::i18n::{bracketed, t};
use crate::shell::ModulePanel;
use crate::widgets::{self, Screen, Unsaved};

crate::choice!(pb::BusinessKind {
    Hospital => t("customer.kind.hospital"),
    Clinic => t("customer.kind.clinic"),
    Pharmacy => t("customer.kind.pharmacy"),
    Distributor => t("customer.kind.distributor"),
    Other => t("customer.kind.other"),
});

crate::choice!(pb::FollowupMethod {
    Visit => t("followup.visit"),
    Phone => t("followup.phone"),
    Wechat => t("followup.wechat"),
    Other => t("followup.other"),
});

crate::choice!(pb::CertificateKind {
    DrugTrade => t("certificate.drug_trade"),
    Business => t("certificate.business"),
    Gsp => t("certificate.gsp"),
    MedicalInstitution => t("certificate.medical"),
    Other => t("certificate.other"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    List,
    Work,
    Handover,
    Types,
}

/// Where the user asked to go while a form held unsaved input.
#[derive(Clone, Copy, Debug)]
enum Leave {
    /// A tab's main screen.
    Tab(Tab),
    /// Back to the list from a record.
    List,
    /// Another customer's view, opened from a module.
    Customer(i64, Module),
}

/// The customer module.
pub struct CustomersPanel {
    tab: Tab,
    screens: widgets::Screens<form::FormPanel, view::CustomerView, Leave>,
    list: list::ListPanel,
    work: work::WorkPanel,
    handover: handover::HandoverPanel,
    types: types::TypesPanel,
    /// The module a closed customer view returns to (it was opened from there), shown
    /// once this frame is drawn.
    return_to: Option<Module>,
}

impl Default for CustomersPanel {
    fn default() -> Self {
        CustomersPanel {
            tab: Tab::List,
            screens: widgets::Screens::default(),
            list: list::ListPanel::default(),
            work: work::WorkPanel::default(),
            handover: handover::HandoverPanel::default(),
            types: types::TypesPanel::default(),
            return_to: None,
        }
    }
}

impl Unsaved for CustomersPanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.screens.is_dirty() || self.types.is_dirty()
    }
}

impl ModulePanel for CustomersPanel {
    fn module(&self) -> Module {
        Module::Customer
    }

    fn open(&mut self, target: &Navigate, _ctx: &AppCtx) {
        match target {
            Navigate::Customer { id, from } => self.leave(Leave::Customer(*id, *from)),
            Navigate::MyWork if !self.screens.is_dirty() => self.show_tab(Tab::Work),
            Navigate::Handover { employee } => {
                self.handover.choose_from_account(*employee);
                self.leave(Leave::Tab(Tab::Handover));
            }
            // Shown again: others' decisions, shipments and payments meanwhile change it.
            Navigate::Module(Module::Customer) if self.tab == Tab::Work => self.work.refresh(),
            _ => {}
        }
    }

    /// Draws the module. Choosing a tab leaves the open record (asking first when it holds
    /// unsaved input).
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let mut chosen = None;
        ui.horizontal(|ui| {
            let mut tab_button = |ui: &mut egui::Ui, tab: Tab, label: &str| {
                let selected = self.tab == tab && matches!(self.screens.page, Screen::List);
                if ui.selectable_label(selected, label).clicked() {
                    chosen = Some(tab);
                }
            };
            tab_button(ui, Tab::List, t("customers.tab.list"));
            tab_button(ui, Tab::Work, t("customers.tab.work"));
            if ctx.can(pharmacrm_shared::Permission::CustomerAssign) {
                tab_button(ui, Tab::Handover, t("customers.tab.handover"));
            }
            if ctx.can(pharmacrm_shared::Permission::CustomerTypeWrite) {
                tab_button(ui, Tab::Types, t("customers.tab.types"));
            }
        });
        if let Some(tab) = chosen {
            self.leave(Leave::Tab(tab));
        }
        if let Some(leave) = self.screens.leave_ui(ui.ctx(), "customers_leave") {
            self.go(leave);
        }
        ui.separator();
        let mut open = None;
        let mut close = false;
        match (&mut self.screens.page, self.tab) {
            (Screen::New(form), _) => match form.ui(ui, ctx) {
                Some(form::FormEvent::Saved(saved)) => {
                    self.list.refresh();
                    open = Some(saved.id);
                }
                Some(form::FormEvent::Close) => close = true,
                // A new customer has no record to read again.
                Some(form::FormEvent::Reloaded) | None => {}
            },
            (Screen::View(view), _) => {
                if let Some(view::ViewCommand::Close) = view.ui(ui, ctx) {
                    close = true;
                }
            }
            (Screen::List, Tab::List) => match self.list.ui(ui, ctx) {
                Some(list::ListCommand::Open(id)) => open = Some(id),
                Some(list::ListCommand::New) => {
                    self.screens.page = Screen::New(Box::new(form::FormPanel::new(
                        form::CustomerForm::default(),
                    )));
                }
                None => {}
            },
            (Screen::List, Tab::Work) => match self.work.ui(ui, ctx) {
                Some(work::OpenCustomer::Followups(id)) => open = Some(id),
                Some(work::OpenCustomer::Certificates(id)) => {
                    self.screens.page = Screen::View(Box::new(
                        view::CustomerView::at_certificates(id).back_to(view::Back::Work),
                    ));
                }
                None => {}
            },
            (Screen::List, Tab::Handover) => self.handover.ui(ui, ctx),
            (Screen::List, Tab::Types) => self.types.ui(ui, ctx),
        }
        if let Some(id) = open {
            let view = view::CustomerView::new(id);
            let view = if self.tab == Tab::Work {
                view.back_to(view::Back::Work)
            } else {
                view
            };
            self.screens.page = Screen::View(Box::new(view));
        }
        if close {
            self.leave(Leave::List);
        }
        if let Some(module) = self.return_to.take() {
            ctx.navigate(Navigate::Module(module));
        }
    }
}

impl CustomersPanel {
    /// Goes where `leave` says, once the user agrees to drop unsaved input.
    fn leave(&mut self, leave: Leave) {
        if let Some(leave) = self.screens.leave(leave) {
            self.go(leave);
        }
    }

    fn go(&mut self, leave: Leave) {
        match leave {
            Leave::Tab(tab) => self.show_tab(tab),
            Leave::List => {
                if let Screen::View(view) = &self.screens.page
                    && let view::Back::Module(module) = view.back()
                {
                    self.return_to = Some(module);
                }
                self.show_tab(self.tab);
            }
            Leave::Customer(id, from) => {
                self.tab = Tab::List;
                // Opened from another module: its back button returns there.
                let back = if from == Module::Customer {
                    view::Back::List
                } else {
                    view::Back::Module(from)
                };
                // From the arrears (财务): at what is owed.
                let view = if from == Module::Finance {
                    view::CustomerView::at_open_items(id)
                } else {
                    view::CustomerView::new(id)
                };
                let view = view.back_to(back);
                self.screens.page = Screen::View(Box::new(view));
            }
        }
    }

    /// Shows `tab`'s main screen, leaving any open record.
    fn show_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.screens.page = Screen::List;
        self.list.refresh();
        self.work.refresh();
    }
}

/// A customer's name as lists and pickers show it: an archived one says so
/// ("康民大药房（已归档）").
pub(crate) fn customer_label(customer: &pb::Customer) -> String {
    named_customer(&customer.name, !customer.is_active)
}

/// Customer `name` as a record naming it shows it (an order, an arrears row): "（已归档）"
/// after it once `archived`.
pub(crate) fn named_customer(name: &str, archived: bool) -> String {
    if archived {
        bracketed(name, t("common.archived"))
    } else {
        name.to_owned()
    }
}

/// A drug a customer deals in, as its profile shows it: archived since (no longer sold,
/// not offered on orders), it says so ("头孢克肟片 100mg×6片（已归档）").
pub(crate) fn drug_ref_label(drug: &pb::DrugRef) -> String {
    if drug.archived {
        bracketed(&drug.label, t("common.archived"))
    } else {
        drug.label.clone()
    }
}

/// A person in a picker: "张伟（华东销售部）" / "Zhang Wei (East Sales)", the name alone when
/// the server sent no department; a disabled person is said so after it
/// ("张伟（华东销售部）（已停用）").
fn person_label(person: &pb::UserRef) -> String {
    let label = if person.department.is_empty() {
        person.name.clone()
    } else {
        bracketed(&person.name, &person.department)
    };
    if person.inactive {
        bracketed(&label, t("common.person_disabled"))
    } else {
        label
    }
}

/// Asks the server for the people of `role` (`ListReps`: "sales", "cs", "sales_all",
/// "cs_all", "holders" or "handlers") into `slot`, keeping what it shows meanwhile.
pub(crate) fn request_reps(slot: &mut Requested<Vec<pb::UserRef>>, ctx: &AppCtx, role: &str) {
    slot.request(
        ctx.customers()
            .list_reps(pb::ListRepsRequest { role: role.into() })
            .map(|r| r.reps),
    );
}

/// The people a rep picker offers (from `ListReps`), but `except` (0 for nobody), with
/// their departments.
pub(crate) fn rep_options(reps: &Requested<Vec<pb::UserRef>>, except: i64) -> Vec<(i64, String)> {
    reps.value()
        .into_iter()
        .flatten()
        .filter(|p| p.id != except)
        .map(|p| (p.id, person_label(p)))
        .collect()
}

/// The options of a rep filter (from `ListReps`): "全部", then each rep with their
/// department, as the rep pickers show them.
pub(crate) fn rep_filter_options(reps: &Requested<Vec<pb::UserRef>>) -> Vec<(i64, String)> {
    let mut options = vec![(0, t("drugs.status.all").to_owned())];
    options.extend(rep_options(reps, 0));
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_lang};

    #[test]
    fn a_disabled_person_is_said_so_after_their_department() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let person = |department: &str, inactive| pb::UserRef {
            id: 1,
            name: "张伟".into(),
            department: department.into(),
            inactive,
        };
        set_lang(Lang::Zh);
        assert_eq!(
            person_label(&person("华东销售部", false)),
            "张伟（华东销售部）"
        );
        assert_eq!(
            person_label(&person("华东销售部", true)),
            "张伟（华东销售部）（已停用）"
        );
        assert_eq!(person_label(&person("", true)), "张伟（已停用）");
        set_lang(Lang::En);
        assert_eq!(
            person_label(&person("East Sales", true)),
            "张伟 (East Sales) (disabled)"
        );
        set_lang(Lang::Zh);
    }

    /// Orders and arrears rows name an archived customer as the customer list does.
    #[test]
    fn an_archived_customer_is_named_so_wherever_a_record_names_it() {
        let _one_at_a_time = crate::i18n::lang_switch();
        set_lang(Lang::Zh);
        assert_eq!(named_customer("康民大药房", true), "康民大药房（已归档）");
        assert_eq!(named_customer("康民大药房", false), "康民大药房");
        set_lang(Lang::En);
        assert_eq!(named_customer("康民大药房", true), "康民大药房 (archived)");
        set_lang(Lang::Zh);
    }
}
