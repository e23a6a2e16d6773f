//! 客户管理: the customer list, the customer view, the registration form and the rep's
//! work list.

mod form;
mod handover;
mod list;
mod view;
mod work;

use pharmacrm_shared::{Module, pb};

use crate::ctx::{AppCtx, Navigate};
use crate::i18n::t;
use crate::shell::ModulePanel;
use crate::widgets;

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
}

enum Page {
    List,
    New(Box<form::FormPanel>),
    View(Box<view::CustomerView>),
}

/// The customer module.
pub struct CustomersPanel {
    tab: Tab,
    page: Page,
    list: list::ListPanel,
    work: work::WorkPanel,
    handover: handover::HandoverPanel,
    /// The tab the user chose while a form held unsaved input (confirm first).
    leave_to: Option<Tab>,
}

impl Default for CustomersPanel {
    fn default() -> Self {
        CustomersPanel {
            tab: Tab::List,
            page: Page::List,
            list: list::ListPanel::default(),
            work: work::WorkPanel::default(),
            handover: handover::HandoverPanel::default(),
            leave_to: None,
        }
    }
}

impl ModulePanel for CustomersPanel {
    fn module(&self) -> Module {
        Module::Customer
    }

    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        match &self.page {
            Page::List => false,
            Page::New(f) => f.is_dirty(),
            Page::View(v) => v.is_dirty(),
        }
    }

    fn open(&mut self, target: &Navigate, _ctx: &AppCtx) {
        match target {
            Navigate::Customer(id) => {
                self.tab = Tab::List;
                self.page = Page::View(Box::new(view::CustomerView::new(*id)));
            }
            Navigate::MyWork if !self.is_dirty() => self.show_tab(Tab::Work),
            _ => {}
        }
    }

    /// Draws the module. Choosing a tab leaves the open record (asking first when it holds
    /// unsaved input).
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let mut chosen = None;
        ui.horizontal(|ui| {
            let mut tab_button = |ui: &mut egui::Ui, tab: Tab, label: &str| {
                let selected = self.tab == tab && matches!(self.page, Page::List);
                if ui.selectable_label(selected, label).clicked() {
                    chosen = Some(tab);
                }
            };
            tab_button(ui, Tab::List, t("customers.tab.list"));
            tab_button(ui, Tab::Work, t("customers.tab.work"));
            if ctx.can(pharmacrm_shared::Permission::CustomerAssign) {
                tab_button(ui, Tab::Handover, t("customers.tab.handover"));
            }
        });
        if let Some(tab) = chosen {
            if self.is_dirty() {
                self.leave_to = Some(tab);
            } else {
                self.show_tab(tab);
            }
        }
        if let Some(tab) = self.leave_to {
            match widgets::confirm(
                ui.ctx(),
                "customers_leave",
                t("shell.discard_question"),
                t("common.discard"),
            ) {
                Some(true) => {
                    self.leave_to = None;
                    self.show_tab(tab);
                }
                Some(false) => self.leave_to = None,
                None => {}
            }
        }
        ui.separator();
        let mut open = None;
        match (&mut self.page, self.tab) {
            (Page::New(form), _) => {
                let saved = form.ui(ui, ctx);
                let cancel = ui.button(t("common.close")).clicked();
                if let Some(saved) = saved {
                    self.list.refresh();
                    open = Some(saved.id);
                } else if cancel {
                    self.page = Page::List;
                }
            }
            (Page::View(view), _) => {
                if let Some(view::ViewCommand::Close) = view.ui(ui, ctx) {
                    self.list.refresh();
                    self.work.refresh();
                    self.page = Page::List;
                }
            }
            (Page::List, Tab::List) => match self.list.ui(ui, ctx) {
                Some(list::ListCommand::Open(id)) => open = Some(id),
                Some(list::ListCommand::New) => {
                    self.page = Page::New(Box::new(form::FormPanel::new(
                        form::CustomerForm::default(),
                    )));
                }
                None => {}
            },
            (Page::List, Tab::Work) => open = self.work.ui(ui, ctx),
            (Page::List, Tab::Handover) => self.handover.ui(ui, ctx),
        }
        if let Some(id) = open {
            self.page = Page::View(Box::new(view::CustomerView::new(id)));
        }
    }
}

impl CustomersPanel {
    /// Shows `tab`'s main screen, leaving any open record.
    fn show_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.page = Page::List;
        self.list.refresh();
        self.work.refresh();
    }
}
