//! The login screen: server, CA file, username, password. Enter submits.

use egui::RichText;
use pharmacrm_shared::pb;
use pharmacrm_shared::pb::auth_service_client::AuthServiceClient;

use crate::api::{self, Api, ApiError, ErrorKind};
use crate::app::Settings;
use crate::backend::{Backend, Polled, Requested};
use crate::i18n::{Lang, t};
use crate::widgets::{self, FieldErrors};

/// A successful login.
pub struct LoginOutcome {
    /// Clients sending the new token.
    pub api: Api,
    /// Who logged in, with permissions and scope.
    pub me: pb::CurrentUser,
    /// The server used.
    pub server: String,
    /// The CA file used.
    pub ca_path: String,
    /// Whether to remember the username.
    pub remember_username: bool,
}

/// The login form.
pub struct LoginPanel {
    server: String,
    ca_path: String,
    username: String,
    password: String,
    remember_username: bool,
    /// Why we are here (e.g. the session expired).
    notice: Option<String>,
    /// A field the form itself refuses (empty username…).
    local_error: Option<(&'static str, String)>,
    request: Requested<(Api, pb::CurrentUser)>,
    /// The failed login's complaints, and the form's own.
    errors: FieldErrors,
    /// Whether the first field got the keyboard focus yet.
    focused: bool,
}

impl LoginPanel {
    /// The form, filled from the settings, with an optional notice.
    pub fn new(settings: &Settings, notice: Option<String>) -> LoginPanel {
        LoginPanel {
            server: settings.server.clone(),
            ca_path: settings.ca_path.clone(),
            username: if settings.remember_username {
                settings.username.clone()
            } else {
                String::new()
            },
            password: String::new(),
            remember_username: settings.remember_username,
            notice,
            local_error: None,
            request: Requested::NotRequested,
            errors: FieldErrors::default(),
            focused: false,
        }
    }

    /// Pre-fills the username (after a session expired).
    pub fn set_username(&mut self, username: &str) {
        self.username = username.to_owned();
    }

    fn submit(&mut self, backend: &Backend) {
        self.local_error = None;
        if self.username.trim().is_empty() {
            self.local_error = Some(("username", t("login.username_required").to_owned()));
            return;
        }
        if self.password.is_empty() {
            self.local_error = Some(("password", t("login.password_required").to_owned()));
            return;
        }
        let server = self.server.trim().to_owned();
        let ca_path = self.ca_path.trim().to_owned();
        let request = pb::LoginRequest {
            username: self.username.trim().to_owned(),
            password: self.password.clone(),
        };
        self.request.request(backend.spawn(async move {
            let ca = std::fs::read(&ca_path).map_err(|e| {
                // Why, in both languages (the language may be switched while it shows).
                let fault = crate::api::files::FileFault::reading(&e);
                let mut error = ApiError::local(
                    ErrorKind::BadCaFile,
                    format!("{} ({ca_path})", fault.reason_in(Lang::En)),
                );
                error.zh = Some(format!("{}（{ca_path}）", fault.reason_in(Lang::Zh)));
                error
            })?;
            let channel = api::connect(&server, &ca).await?;
            let response = AuthServiceClient::new(channel.clone())
                .login(request)
                .await
                .map_err(ApiError::from)?
                .into_inner();
            let me = response.user.unwrap_or_default();
            Ok((Api::new(channel, &response.token), me))
        }));
    }

    /// Draws the form; returns the outcome once the login succeeded.
    pub fn ui(&mut self, ui: &mut egui::Ui, backend: &Backend) -> Option<LoginOutcome> {
        let polled = self.request.poll();
        if let Polled::JustFailed(error) = polled {
            self.errors.set(Some(error.clone()));
        }
        if let Polled::JustDone = polled {
            self.password.clear();
            let Requested::Done((api, me)) = std::mem::take(&mut self.request) else {
                unreachable!()
            };
            return Some(LoginOutcome {
                api,
                me,
                server: self.server.trim().to_owned(),
                ca_path: self.ca_path.trim().to_owned(),
                remember_username: self.remember_username,
            });
        }
        let mut submit = false;
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    crate::shell::language_switch(ui);
                });
            });
            ui.vertical_centered(|ui| {
                ui.add_space(40.0);
                ui.heading(RichText::new(t("app.title")).size(26.0));
                ui.label(t("login.subtitle"));
                ui.add_space(20.0);
            });
            ui.vertical_centered(|ui| {
                ui.set_max_width(400.0);
                if let Some(notice) = &self.notice {
                    ui.label(RichText::new(notice).color(widgets::WARNING));
                    ui.add_space(6.0);
                }
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                    for field in ["username", "password"] {
                        let local = self
                            .local_error
                            .as_ref()
                            .filter(|(f, _)| *f == field)
                            .map(|(_, e)| e.clone());
                        self.errors.set_local(field, local);
                    }
                    // The refusal not about a field (用户名或密码错误, locked, unreachable)
                    // goes under the button, not above the fields: there it pushed them
                    // down as the user went back to the password.
                    let response = widgets::form_part(ui, "login_form", &mut self.errors, |f| {
                        let user = f.text(t("login.username"), "username", &mut self.username);
                        let password =
                            f.password(t("login.password"), "password", &mut self.password);
                        // The cursor starts, once, in the username field, or in the
                        // password field when the username was remembered.
                        if !self.focused {
                            self.focused = true;
                            if self.username.is_empty() {
                                user.request_focus();
                            } else {
                                password.request_focus();
                            }
                        }
                    });
                    submit |= response.submitted;
                    ui.checkbox(&mut self.remember_username, t("login.remember"));
                    egui::CollapsingHeader::new(t("login.connection"))
                        .id_salt("login_connection")
                        .show(ui, |ui| {
                            let response =
                                widgets::form_part(ui, "login_connection", &mut self.errors, |f| {
                                    f.text(t("login.server"), "server", &mut self.server);
                                    f.text(t("login.ca"), "ca", &mut self.ca_path);
                                });
                            submit |= response.submitted;
                        });
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        let busy = self.request.is_pending();
                        if ui
                            .add_enabled(!busy, egui::Button::new(t("login.submit")))
                            .clicked()
                        {
                            submit = true;
                        }
                        if busy {
                            ui.spinner();
                        }
                    });
                    if let Some(error) = self.errors.general() {
                        ui.add_space(4.0);
                        ui.label(RichText::new(error.message()).color(widgets::ERROR));
                    }
                });
            });
        });
        if submit && !self.request.is_pending() {
            self.notice = None;
            self.submit(backend);
        }
        None
    }
}
