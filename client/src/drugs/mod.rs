//! 药品管理: the catalogue (category tree, drug table, drug form, Excel import) and the
//! container units.

mod catalogue;
mod form;
mod units;

use pharmacrm_shared::pb;

use crate::i18n::t;
use crate::shell::AppCtx;

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

impl DrugsPanel {
    /// Whether a form holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        self.catalogue.is_dirty() || self.units.is_dirty()
    }

    /// Draws the module.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Catalogue, t("drugs.tab.catalogue"));
            ui.selectable_value(&mut self.tab, Tab::Units, t("drugs.tab.units"));
        });
        ui.separator();
        match self.tab {
            Tab::Catalogue => self.catalogue.ui(ui, ctx),
            Tab::Units => self.units.ui(ui, ctx),
        }
    }
}

/// The label of a drug's origin.
pub fn origin_label(origin: i32) -> &'static str {
    match pb::DrugOrigin::try_from(origin).unwrap_or_default() {
        pb::DrugOrigin::Agency => t("drugs.origin.agency"),
        pb::DrugOrigin::SelfProduced => t("drugs.origin.self"),
        pb::DrugOrigin::Unspecified => "",
    }
}

/// Every category's path, by id, from the listed tree.
pub fn category_paths(categories: &[pb::Category]) -> Vec<(i64, String)> {
    let by_id: std::collections::HashMap<i64, &pb::Category> =
        categories.iter().map(|c| (c.id, c)).collect();
    categories
        .iter()
        .map(|c| {
            let mut names = vec![c.name.as_str()];
            let mut parent = c.parent_id;
            while let Some(p) = parent.and_then(|id| by_id.get(&id)) {
                names.push(p.name.as_str());
                parent = p.parent_id;
            }
            names.reverse();
            (c.id, names.join(" › "))
        })
        .collect()
}
