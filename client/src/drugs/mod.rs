//! 药品管理: the catalogue (category tree, drug table, drug form, Excel import) and the
//! container units.

mod catalogue;
mod form;
mod units;

use pharmacrm_shared::{Module, pb};

use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::shell::ModulePanel;
use crate::widgets::{self, Unsaved};

crate::choice!(pb::DrugOrigin {
    Agency => t("drugs.origin.agency"),
    SelfProduced => t("drugs.origin.self"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Catalogue,
    Units,
}

/// The drug module.
pub struct DrugsPanel {
    tab: Tab,
    catalogue: catalogue::CataloguePanel,
    units: units::UnitsPanel,
}

impl Default for DrugsPanel {
    fn default() -> Self {
        DrugsPanel {
            tab: Tab::Catalogue,
            catalogue: catalogue::CataloguePanel::default(),
            units: units::UnitsPanel::default(),
        }
    }
}

impl Unsaved for DrugsPanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.catalogue.is_dirty() || self.units.is_dirty()
    }
}

impl ModulePanel for DrugsPanel {
    fn module(&self) -> Module {
        Module::Drug
    }

    /// Draws the module.
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let before = self.tab;
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Catalogue, t("drugs.tab.catalogue"));
            ui.selectable_value(&mut self.tab, Tab::Units, t("drugs.tab.units"));
        });
        // Back from the units, the catalogue reads them again: a unit renamed there is
        // named so on the drugs at once.
        if self.tab == Tab::Catalogue && before != Tab::Catalogue {
            self.catalogue.shown_again(ctx);
        }
        ui.separator();
        match self.tab {
            Tab::Catalogue => self.catalogue.ui(ui, ctx),
            Tab::Units => self.units.ui(ui, ctx),
        }
    }
}

/// Every category with its path ("代理类 › 抗生素"), by id, parents before their children.
pub fn category_paths(categories: &[pb::Category]) -> Vec<(i64, String)> {
    widgets::tree_paths(categories, |c| c.id, |c| c.parent_id, |c| &c.name)
}
