//! The main window: navigation by module, top bar (user, position, department, language,
//! logout), status bar (server, connection). Modules the user holds no permission for are
//! not shown; modules not built yet say so plainly.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use egui::RichText;
use pharmacrm_shared::{Module, Permission, pb};

use crate::admin::AdminPanel;
use crate::api::{Api, ApiError, ErrorKind};
use crate::backend::{Backend, Promise, Requested};
use crate::customers::CustomersPanel;
use crate::drugs::DrugsPanel;
use crate::i18n::{self, Lang, t};
use crate::login::LoginOutcome;
use crate::widgets;

/// The connection as the status bar shows it.
#[derive(Clone, Debug, Default, PartialEq)]
enum Connection {
    #[default]
    Connected,
    Unreachable(String),
}

/// What every panel needs: the backend, the logged-in API, who the user is.
pub struct AppCtx {
    /// Runs calls off the UI thread.
    pub backend: Backend,
    /// The logged-in clients.
    pub api: Api,
    /// Who is logged in.
    pub me: pb::CurrentUser,
    /// The server address.
    pub server: String,
    permissions: BTreeSet<Permission>,
    connection: Arc<Mutex<Connection>>,
    expired: Arc<Mutex<Option<ApiError>>>,
}

impl AppCtx {
    fn new(backend: Backend, api: Api, me: pb::CurrentUser, server: String) -> AppCtx {
        let permissions = me
            .permissions
            .iter()
            .filter_map(|c| Permission::from_code(c))
            .collect();
        AppCtx {
            backend,
            api,
            me,
            server,
            permissions,
            connection: Arc::default(),
            expired: Arc::default(),
        }
    }

    /// Whether the user holds `permission` (the server checks again).
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Runs a call with the logged-in clients off the UI thread. A call that finds the
    /// session ended sends the whole window back to the login screen.
    pub fn call<T, F, Fut>(&self, f: F) -> Promise<T>
    where
        T: Send + 'static,
        F: FnOnce(Api) -> Fut,
        Fut: Future<Output = Result<T, tonic::Status>> + Send + 'static,
    {
        let future = f(self.api.clone());
        let connection = self.connection.clone();
        let expired = self.expired.clone();
        self.backend.spawn(async move {
            let result = future.await.map_err(ApiError::from);
            let state = match &result {
                Err(e) if e.kind == ErrorKind::Unreachable => Connection::Unreachable(e.message()),
                _ => Connection::Connected,
            };
            *connection.lock().expect("lock") = state;
            if let Err(e) = &result
                && e.is_unauthenticated()
            {
                *expired.lock().expect("lock") = Some(e.clone());
            }
            result
        })
    }

    /// The user's display name.
    pub fn display_name(&self) -> &str {
        self.me
            .user
            .as_ref()
            .map_or("", |u| u.display_name.as_str())
    }
}

/// What the main window asks of the application.
pub enum ShellCommand {
    /// The user logged out.
    LoggedOut,
    /// The session ended; the message says why.
    SessionExpired(String),
}

/// Whether the user sees `module` in the navigation.
pub fn module_visible(ctx: &AppCtx, module: Module) -> bool {
    Permission::ALL.iter().any(|p| {
        ctx.can(*p)
            && (p.module() == module || (module == Module::Admin && p.module() == Module::Audit))
    })
}

/// The modules of the navigation, in order (the audit log lives in 系统管理).
pub const NAV_MODULES: &[Module] = &[
    Module::Drug,
    Module::Customer,
    Module::Order,
    Module::Finance,
    Module::Report,
    Module::Admin,
];

/// The module's name in the UI language.
pub fn module_label(module: Module) -> &'static str {
    match i18n::lang() {
        Lang::Zh => module.label_zh(),
        Lang::En => module.label_en(),
    }
}

/// The main window of a logged-in user.
pub struct MainWindow {
    ctx: AppCtx,
    module: Option<Module>,
    admin: AdminPanel,
    drugs: DrugsPanel,
    customers: CustomersPanel,
    confirm_logout: bool,
    logout: Requested<()>,
}

impl MainWindow {
    /// The window after a login.
    pub fn new(backend: Backend, outcome: LoginOutcome) -> MainWindow {
        let ctx = AppCtx::new(backend, outcome.api, outcome.me, outcome.server);
        let module = NAV_MODULES
            .iter()
            .copied()
            .find(|m| module_visible(&ctx, *m));
        MainWindow {
            admin: AdminPanel::new(&ctx),
            drugs: DrugsPanel::default(),
            customers: CustomersPanel::default(),
            ctx,
            module,
            confirm_logout: false,
            logout: Requested::NotRequested,
        }
    }

    /// The logged-in username.
    pub fn username(&self) -> &str {
        self.ctx
            .me
            .user
            .as_ref()
            .map_or("", |u| u.username.as_str())
    }

    /// Carries on after the same user logged in again.
    pub fn resume(&mut self, api: Api, me: pb::CurrentUser) {
        let backend = self.ctx.backend.clone();
        let server = self.ctx.server.clone();
        self.ctx = AppCtx::new(backend, api, me, server);
        if self.module.is_some_and(|m| !module_visible(&self.ctx, m)) {
            self.module = NAV_MODULES
                .iter()
                .copied()
                .find(|m| module_visible(&self.ctx, *m));
        }
    }

    /// Draws the window.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<ShellCommand> {
        if let Some(error) = self.ctx.expired.lock().expect("lock").take() {
            return Some(ShellCommand::SessionExpired(error.message()));
        }
        self.logout.poll();
        if matches!(self.logout, Requested::Done(()) | Requested::Failed { .. }) {
            return Some(ShellCommand::LoggedOut);
        }
        let mut logout_clicked = false;
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(t("app.title")).strong().size(18.0));
                ui.separator();
                let user = self.ctx.me.user.clone().unwrap_or_default();
                ui.label(format!("{}（{}）", user.display_name, user.username));
                let positions: Vec<_> = user.positions.iter().map(|p| p.name.as_str()).collect();
                ui.label(RichText::new(positions.join("、")).weak());
                if !self.ctx.me.department_name.is_empty() {
                    ui.label(RichText::new(&self.ctx.me.department_name).weak());
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(t("shell.logout")).clicked() {
                        logout_clicked = true;
                    }
                    language_switch(ui);
                });
            });
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!("{}：{}", t("shell.server"), self.ctx.server)).small(),
                );
                ui.separator();
                match &*self.ctx.connection.lock().expect("lock") {
                    Connection::Connected => {
                        ui.label(
                            RichText::new(t("shell.connected"))
                                .small()
                                .color(egui::Color32::from_rgb(0x2e, 0x8b, 0x57)),
                        );
                    }
                    Connection::Unreachable(why) => {
                        ui.label(
                            RichText::new(format!("{}：{why}", t("shell.disconnected")))
                                .small()
                                .color(widgets::ERROR),
                        );
                    }
                }
            });
        });
        egui::Panel::left("navigation")
            .resizable(false)
            .exact_size(150.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                for &module in NAV_MODULES {
                    if module_visible(&self.ctx, module) {
                        let selected = self.module == Some(module);
                        if ui
                            .add_sized(
                                [136.0, 30.0],
                                egui::Button::selectable(selected, module_label(module)),
                            )
                            .clicked()
                        {
                            self.module = Some(module);
                        }
                    }
                }
            });
        egui::CentralPanel::default().show(ui, |ui| match self.module {
            Some(Module::Admin) => self.admin.ui(ui, &self.ctx),
            Some(Module::Drug) => self.drugs.ui(ui, &self.ctx),
            Some(Module::Customer) => self.customers.ui(ui, &self.ctx),
            Some(module) => coming_ui(ui, module),
            None => {
                ui.label(t("shell.no_modules"));
            }
        });

        if logout_clicked {
            if self.admin.is_dirty() || self.drugs.is_dirty() || self.customers.is_dirty() {
                self.confirm_logout = true;
            } else {
                self.start_logout();
            }
        }
        if self.confirm_logout {
            match widgets::confirm(
                ui.ctx(),
                "confirm_logout",
                t("shell.discard_question"),
                t("shell.discard_and_logout"),
            ) {
                Some(true) => {
                    self.confirm_logout = false;
                    self.start_logout();
                }
                Some(false) => self.confirm_logout = false,
                None => {}
            }
        }
        None
    }

    fn start_logout(&mut self) {
        if !self.logout.is_pending() {
            self.logout.request(
                self.ctx
                    .call(|api| async move { api.auth().logout(()).await.map(|_| ()) }),
            );
        }
    }
}

fn coming_ui(ui: &mut egui::Ui, module: Module) {
    ui.vertical_centered(|ui| {
        ui.add_space(60.0);
        ui.heading(module_label(module));
        ui.add_space(10.0);
        ui.label(t("shell.coming"));
    });
}

/// 中文 | English, remembered with the settings.
pub fn language_switch(ui: &mut egui::Ui) {
    let mut lang = i18n::lang();
    ui.selectable_value(&mut lang, Lang::En, "English");
    ui.selectable_value(&mut lang, Lang::Zh, "中文");
    if lang != i18n::lang() {
        i18n::set_lang(lang);
    }
}
