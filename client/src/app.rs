//! The application: persisted settings, the login screen or the main window, and the
//! hand-over between them (login, logout, session expiry).

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::i18n::{self, Lang};
use crate::login::{LoginOutcome, LoginPanel};
use crate::shell::{MainWindow, ShellCommand};

/// What the client remembers between runs (eframe persistence).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    /// The last server address used.
    pub server: String,
    /// The last CA certificate file used.
    pub ca_path: String,
    /// The UI language.
    pub lang: Lang,
    /// Whether to remember the username.
    pub remember_username: bool,
    /// The remembered username.
    pub username: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: "https://127.0.0.1:50051".to_owned(),
            ca_path: "var/tls/ca.pem".to_owned(),
            lang: Lang::Zh,
            remember_username: true,
            username: String::new(),
        }
    }
}

enum Screen {
    Login(Box<LoginPanel>),
    Main(Box<MainWindow>),
}

/// The whole client.
pub struct PharmaApp {
    settings: Settings,
    backend: Backend,
    screen: Screen,
    /// The main window of a session that expired, kept so that nothing typed is lost
    /// when the same user logs in again.
    expired: Option<Box<MainWindow>>,
}

/// The eframe storage key of [`Settings`].
const SETTINGS_KEY: &str = "pharmacrm.settings";

impl PharmaApp {
    /// A client starting at the login screen. `overrides` (from the command line) win
    /// over the remembered settings.
    pub fn new(ctx: &egui::Context, mut settings: Settings, overrides: Overrides) -> PharmaApp {
        crate::fonts::install(ctx);
        // Solid scroll bars, always drawn when content overflows: floating ones stay
        // invisible until hovered, and a table cut off at 900×600 gave no cue that its
        // price and status columns were a scroll away.
        ctx.all_styles_mut(|style| style.spacing.scroll = egui::style::ScrollStyle::solid());
        if let Some(server) = overrides.server {
            settings.server = server;
        }
        if let Some(ca) = overrides.ca_path {
            settings.ca_path = ca;
        }
        i18n::set_lang(settings.lang);
        let backend = Backend::new(ctx.clone());
        let login = LoginPanel::new(&settings, None);
        PharmaApp {
            settings,
            backend,
            screen: Screen::Login(Box::new(login)),
            expired: None,
        }
    }

    /// For eframe: settings from storage.
    pub fn from_creation_context(
        cc: &eframe::CreationContext<'_>,
        overrides: Overrides,
    ) -> PharmaApp {
        let settings = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
            .unwrap_or_default();
        PharmaApp::new(&cc.egui_ctx, settings, overrides)
    }

    /// The settings as they would be saved now.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn logged_in(&mut self, outcome: LoginOutcome) {
        let username = outcome
            .me
            .user
            .as_ref()
            .map(|u| u.username.clone())
            .unwrap_or_default();
        self.settings.server = outcome.server.clone();
        self.settings.ca_path = outcome.ca_path.clone();
        self.settings.remember_username = outcome.remember_username;
        self.settings.username = if outcome.remember_username {
            username.clone()
        } else {
            String::new()
        };
        let window = match self.expired.take() {
            // The same user again: carry on where they were, forms and all.
            Some(mut window) if window.username() == username => {
                window.resume(outcome.api, outcome.me);
                window
            }
            _ => Box::new(MainWindow::new(self.backend.clone(), outcome)),
        };
        self.screen = Screen::Main(window);
    }

    /// Draws one frame (also used by the headless tests).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if self.settings.lang != i18n::lang() {
            self.settings.lang = i18n::lang();
        }
        match &mut self.screen {
            Screen::Login(login) => {
                if let Some(outcome) = login.ui(ui, &self.backend) {
                    self.logged_in(outcome);
                }
            }
            Screen::Main(window) => match window.ui(ui) {
                None => {}
                Some(ShellCommand::LoggedOut) => {
                    self.expired = None;
                    // The next user at the desk starts afresh: no table scrolled as the
                    // last one left it, no folder of theirs offered for exports.
                    ui.ctx().memory_mut(|m| m.data = Default::default());
                    crate::widgets::forget_saved_dir();
                    self.screen = Screen::Login(Box::new(LoginPanel::new(&self.settings, None)));
                }
                Some(ShellCommand::SessionExpired(message)) => {
                    let Screen::Main(window) = std::mem::replace(
                        &mut self.screen,
                        Screen::Login(Box::new(LoginPanel::new(&self.settings, Some(message)))),
                    ) else {
                        unreachable!()
                    };
                    // Keep the window (and what was typed) for the same user's next login.
                    let username = window.username().to_owned();
                    self.expired = Some(window);
                    if let Screen::Login(login) = &mut self.screen {
                        login.set_username(&username);
                    }
                }
            },
        }
    }
}

/// Command-line choices that override the remembered settings.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--server`.
    pub server: Option<String>,
    /// `--ca`.
    pub ca_path: Option<String>,
}

impl eframe::App for PharmaApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        PharmaApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}
