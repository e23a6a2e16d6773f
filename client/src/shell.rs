//! The main window: navigation by module, top bar (user, position, department, language,
//! logout), status bar (server, connection). Modules the user holds no permission for are
//! not shown; modules not built yet say so plainly.

use egui::RichText;
use pharmacrm_shared::permission;
use pharmacrm_shared::{Module, Permission, pb};

use crate::admin::AdminPanel;
use crate::api::Api;
use crate::backend::{Backend, Requested};
use crate::ctx::{AppCtx, Connection, Navigate};
use crate::customers::CustomersPanel;
use crate::drugs::DrugsPanel;
use crate::finance::FinancePanel;
use crate::i18n::{self, Lang, t};
use crate::login::LoginOutcome;
use crate::orders::OrdersPanel;
use crate::password::PasswordDialog;
use crate::reports::ReportsPanel;
use crate::widgets::{self, Unsaved};

/// One module of the navigation (药品管理, 客户管理, …): a panel the window shows when the
/// module is selected. A new module implements this and is listed in
/// [`MainWindow::new`]; no other module's code changes.
/// Whether it holds unsaved input ([`Unsaved`]) is asked before logging out.
pub trait ModulePanel: Unsaved {
    /// Which navigation entry it is.
    fn module(&self) -> Module;
    /// Draws the module.
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx);
    /// Opens the module at `target` (a record another module pointed to).
    fn open(&mut self, target: &Navigate, ctx: &AppCtx) {
        let _ = (target, ctx);
    }
}

/// What the main window asks of the application.
pub enum ShellCommand {
    /// The user logged out.
    LoggedOut,
    /// The session ended; the message says why.
    SessionExpired(String),
}

/// Whether the user sees `module` in the navigation: they hold a permission of it that
/// opens something there. `report.export` alone does not: it exports what other screens
/// show (a 客服's recall from 订单管理), and 统计分析 without `report.read` is empty.
pub fn module_visible(ctx: &AppCtx, module: Module) -> bool {
    Permission::ALL.iter().any(|p| {
        ctx.can(*p)
            && *p != Permission::ReportExport
            && (p.module() == module || (module == Module::Admin && p.module() == Module::Audit))
    })
}

/// The modules of the navigation, in order (the audit log lives in 系统管理).
pub fn nav_modules() -> impl Iterator<Item = Module> {
    Module::ALL.iter().copied().filter(|m| *m != Module::Audit)
}

/// The module's name in the UI language.
pub fn module_label(module: Module) -> &'static str {
    i18n::either(module.label_zh(), module.label_en())
}

/// A back button's text returning to `module`: "返回客户管理".
pub fn back_to_module(module: Module) -> String {
    i18n::t("common.back_to_module").replace("{module}", module_label(module))
}

/// The main window of a logged-in user.
pub struct MainWindow {
    ctx: AppCtx,
    module: Option<Module>,
    panels: Vec<Box<dyn ModulePanel>>,
    confirm_logout: widgets::Confirm<((), String)>,
    /// The window's close button pressed over unsaved input.
    confirm_close: widgets::Confirm<((), String)>,
    /// The user agreed to close the window: the next close request passes.
    closing: bool,
    logout: Requested<()>,
    /// 修改密码, from the top bar.
    password: PasswordDialog,
}

impl MainWindow {
    /// The window after a login. Reps land on their work; others on the first module
    /// they may use.
    pub fn new(backend: Backend, outcome: LoginOutcome) -> MainWindow {
        let ctx = AppCtx::new(backend, outcome.api, outcome.me, outcome.server);
        let panels: Vec<Box<dyn ModulePanel>> = vec![
            Box::new(DrugsPanel::default()),
            Box::new(CustomersPanel::default()),
            Box::new(OrdersPanel::default()),
            Box::new(FinancePanel::new(&ctx)),
            Box::new(ReportsPanel::default()),
            Box::new(AdminPanel::new(&ctx)),
        ];
        let module = first_module(&ctx);
        if is_rep(&ctx) {
            ctx.navigate(Navigate::MyWork);
        }
        let mut password = PasswordDialog::default();
        if ctx.me.must_change_password {
            password.open_forced();
        }
        MainWindow {
            ctx,
            module,
            panels,
            confirm_logout: widgets::Confirm::default(),
            confirm_close: widgets::Confirm::default(),
            closing: false,
            logout: Requested::NotRequested,
            password,
        }
    }

    /// Goes where a panel asked to go.
    fn navigate(&mut self, target: &Navigate) {
        let module = target.module();
        if !module_visible(&self.ctx, module) {
            return;
        }
        self.module = Some(module);
        let ctx = &self.ctx;
        if let Some(panel) = self.panels.iter_mut().find(|p| p.module() == module) {
            panel.open(target, ctx);
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
            self.module = first_module(&self.ctx);
        }
        if self.ctx.me.must_change_password && !self.password.is_forced() {
            self.password.open_forced();
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
                ui.label(i18n::bracketed(&user.display_name, &user.username));
                // A position named as the user is (the administrator, 系统管理员) is said once.
                let positions: Vec<_> = (user.positions.iter())
                    .map(|p| p.name.as_str())
                    .filter(|p| *p != user.display_name)
                    .collect();
                ui.label(RichText::new(positions.join(i18n::list_separator())).weak());
                if !self.ctx.me.department_name.is_empty() {
                    ui.label(RichText::new(&self.ctx.me.department_name).weak());
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(t("shell.logout")).clicked() {
                        logout_clicked = true;
                    }
                    if !self.password.is_forced() && ui.button(t("password.title")).clicked() {
                        self.password.open();
                    }
                    language_switch(ui);
                });
            });
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(i18n::label_value(t("shell.server"), &self.ctx.server)).small(),
                );
                ui.separator();
                // Said here, not in the top bar: a line there moved its buttons.
                if self.password.changed() {
                    ui.label(
                        RichText::new(t("password.changed"))
                            .small()
                            .color(widgets::SUCCESS),
                    );
                    ui.separator();
                }
                match &*self.ctx.connection.lock().expect("lock") {
                    Connection::Connected => {
                        ui.label(
                            RichText::new(t("shell.connected"))
                                .small()
                                .color(crate::widgets::SUCCESS),
                        );
                    }
                    Connection::Unreachable(why) => {
                        ui.label(
                            RichText::new(i18n::label_value(t("shell.disconnected"), why))
                                .small()
                                .color(widgets::ERROR),
                        );
                    }
                }
            });
        });
        // A password an administrator set is changed before anything is shown or asked
        // (the server answers nothing else meanwhile).
        if self.password.is_forced() {
            egui::CentralPanel::default().show(ui, |_| {});
            self.password.ui(ui.ctx(), &self.ctx);
            if logout_clicked {
                self.start_logout();
            }
            return None;
        }
        egui::Panel::left("navigation")
            .resizable(false)
            .exact_size(150.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                for module in nav_modules() {
                    if module_visible(&self.ctx, module) {
                        let selected = self.module == Some(module);
                        if ui
                            .add_sized(
                                [136.0, 30.0],
                                egui::Button::selectable(selected, module_label(module)),
                            )
                            .clicked()
                        {
                            self.ctx.navigate(Navigate::Module(module));
                        }
                    }
                }
            });
        let module = self.module;
        let ctx = &self.ctx;
        egui::CentralPanel::default().show(ui, |ui| {
            match module.and_then(|m| self.panels.iter_mut().find(|p| p.module() == m)) {
                Some(panel) => panel.ui(ui, ctx),
                None => match module {
                    Some(module) => coming_ui(ui, module),
                    None => {
                        ui.label(t("shell.no_modules"));
                    }
                },
            }
        });
        for target in self.ctx.take_navigation() {
            self.navigate(&target);
        }
        self.password.ui(ui.ctx(), &self.ctx);

        // The window's close button (or the desktop's): asked first over unsaved input,
        // as a logout is, naming where it is (worked out as the question is asked).
        if ui.ctx().input(|i| i.viewport().close_requested())
            && !self.closing
            && let Some(places) = self.unsaved_in()
        {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm_close.ask(((), places));
        }
        if self
            .confirm_close
            .named_ui(
                ui.ctx(),
                "confirm_close",
                t("shell.discard_close_question"),
                t("shell.discard_and_close"),
            )
            .is_some()
        {
            self.closing = true;
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if logout_clicked {
            match self.unsaved_in() {
                Some(places) => self.confirm_logout.ask(((), places)),
                None => self.start_logout(),
            }
        }
        if self
            .confirm_logout
            .named_ui(
                ui.ctx(),
                "confirm_logout",
                t("shell.discard_question"),
                t("shell.discard_and_logout"),
            )
            .is_some()
        {
            self.start_logout();
        }
        None
    }

    /// Where a form or dialog of the window holds input not saved, in the UI language
    /// (系统管理、“修改密码”窗口: the user looked for it); none when nothing is.
    fn unsaved_in(&self) -> Option<String> {
        let mut places: Vec<&'static str> = (self.panels.iter())
            .filter(|p| p.is_dirty())
            .map(|p| module_label(p.module()))
            .collect();
        if self.password.is_dirty() {
            places.push(i18n::t("shell.password_dialog"));
        }
        (!places.is_empty()).then(|| places.join(i18n::list_separator()))
    }

    fn start_logout(&mut self) {
        if !self.logout.is_pending() {
            self.logout.request(self.ctx.auth().logout(()));
        }
    }
}

/// Whether the user works as a sales or CS rep (and not as an administrator): they land on
/// their work list.
fn is_rep(ctx: &AppCtx) -> bool {
    ctx.can(Permission::CustomerRead)
        && (ctx.can(permission::SALES_REP_ROLE) || ctx.can(permission::CS_REP_ROLE))
        && !ctx.can(Permission::AdminUsers)
}

/// The first module the user may use.
/// Where a user lands: finance staff (who record payments) on 财务, everyone else on the
/// first module they may use.
fn first_module(ctx: &AppCtx) -> Option<Module> {
    if ctx.can(Permission::PaymentWrite) && !ctx.can(Permission::AdminUsers) {
        return Some(Module::Finance);
    }
    nav_modules().find(|m| module_visible(ctx, *m))
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
