//! 系统管理: departments, positions, users and service accounts, the company settings and
//! invoicing entities, the audit log. Each tab is shown only with its permission.

mod audit;
mod audit_names;
mod departments;
mod positions;
mod settings;
mod users;

pub use departments::department_paths;

use pharmacrm_shared::{Module, Permission, pb};

use crate::ctx::{AppCtx, Navigate};
use crate::i18n::t;
use crate::shell::ModulePanel;
use crate::widgets::{self, PermittedTab, Unsaved};

crate::choice!(pb::DataScope {
    Own => t("scope.own"),
    Department => t("scope.department"),
    All => t("scope.all"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Departments,
    Positions,
    Users,
    Settings,
    Audit,
}

impl PermittedTab for Tab {
    const ALL: &'static [Tab] = &[
        Tab::Departments,
        Tab::Positions,
        Tab::Users,
        Tab::Settings,
        Tab::Audit,
    ];

    fn permission(self) -> Permission {
        match self {
            Tab::Departments => Permission::AdminDepartments,
            Tab::Positions => Permission::AdminPositions,
            Tab::Users => Permission::AdminUsers,
            Tab::Settings => Permission::AdminSettings,
            Tab::Audit => Permission::AuditRead,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Departments => t("admin.tab.departments"),
            Tab::Positions => t("admin.tab.positions"),
            Tab::Users => t("admin.tab.users"),
            Tab::Settings => t("admin.tab.settings"),
            Tab::Audit => t("admin.tab.audit"),
        }
    }
}

/// The admin console.
pub struct AdminPanel {
    tab: Option<Tab>,
    departments: departments::DepartmentsPanel,
    positions: positions::PositionsPanel,
    users: users::UsersPanel,
    settings: settings::SettingsPanel,
    audit: audit::AuditPanel,
}

impl AdminPanel {
    /// The console, on the first tab the user may see.
    pub fn new(ctx: &AppCtx) -> AdminPanel {
        AdminPanel {
            tab: Tab::first(ctx),
            departments: departments::DepartmentsPanel::default(),
            positions: positions::PositionsPanel::default(),
            users: users::UsersPanel::default(),
            settings: settings::SettingsPanel::default(),
            audit: audit::AuditPanel::default(),
        }
    }
}

impl Unsaved for AdminPanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.departments.is_dirty()
            || self.positions.is_dirty()
            || self.users.is_dirty()
            || self.settings.is_dirty()
    }
}

impl AdminPanel {
    /// The tab is shown again (switched to, or the module opened): what it lists is read
    /// again — the audit log what was done meanwhile, departments and positions their
    /// head counts (users change in another tab), users whose customers were handed over.
    fn shown_again(&mut self, ctx: &AppCtx) {
        match self.tab {
            Some(Tab::Audit) => self.audit.refresh(ctx),
            Some(Tab::Departments) => self.departments.refresh(ctx),
            Some(Tab::Positions) => self.positions.refresh(ctx),
            Some(Tab::Users) => self.users.refresh(ctx),
            _ => {}
        }
    }
}

impl ModulePanel for AdminPanel {
    fn module(&self) -> Module {
        Module::Admin
    }

    fn open(&mut self, target: &Navigate, ctx: &AppCtx) {
        // The module shown again: the tab reads what was done meanwhile.
        if let Navigate::Module(Module::Admin) = target {
            self.shown_again(ctx);
        }
    }

    /// Draws the console.
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let before = self.tab;
        widgets::tab_bar(ui, ctx, &mut self.tab);
        if self.tab != before {
            self.shown_again(ctx);
        }
        ui.separator();
        match self.tab {
            Some(Tab::Departments) => self.departments.ui(ui, ctx),
            Some(Tab::Positions) => self.positions.ui(ui, ctx),
            Some(Tab::Users) => self.users.ui(ui, ctx),
            Some(Tab::Settings) => self.settings.ui(ui, ctx),
            Some(Tab::Audit) => self.audit.ui(ui, ctx),
            None => {
                ui.label(t("shell.no_modules"));
            }
        }
    }
}
