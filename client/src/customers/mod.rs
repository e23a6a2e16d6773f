//! 客户管理: the customer list, the customer view, the registration form and the rep's
//! work list.

mod form;
mod handover;
mod list;
mod view;
mod work;

use crate::i18n::t;
use crate::shell::AppCtx;

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
}

impl Default for CustomersPanel {
    fn default() -> Self {
        CustomersPanel {
            tab: Tab::List,
            page: Page::List,
            list: list::ListPanel::default(),
            work: work::WorkPanel::default(),
            handover: handover::HandoverPanel::default(),
        }
    }
}

impl CustomersPanel {
    /// Whether a form holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        match &self.page {
            Page::List => false,
            Page::New(f) => f.is_dirty(),
            Page::View(v) => v.is_dirty(),
        }
    }

    /// Draws the module.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::List, t("customers.tab.list"));
            ui.selectable_value(&mut self.tab, Tab::Work, t("customers.tab.work"));
            if ctx.can(pharmacrm_shared::Permission::CustomerAssign) {
                ui.selectable_value(&mut self.tab, Tab::Handover, t("customers.tab.handover"));
            }
        });
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
