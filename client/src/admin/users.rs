//! Users and service accounts: a searchable, sortable, paged table (virtualized rows), and
//! the form to create, edit, disable/enable, reset a password, and manage API tokens.

use std::collections::BTreeSet;

use egui::{Key, Modifiers, RichText};
use egui_extras::{Column, TableBuilder};
use pharmacrm_shared::pb;

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::t;
use crate::widgets;

const PAGE: u32 = 50;

#[derive(Clone, Debug, PartialEq)]
struct Form {
    /// `None` for a new account.
    id: Option<i64>,
    version: i32,
    is_service_account: bool,
    is_active: bool,
    username: String,
    display_name: String,
    department_id: Option<i64>,
    phone: String,
    position_ids: BTreeSet<i64>,
    /// Only for a new person.
    password: String,
}

impl Form {
    fn new_account(is_service_account: bool) -> Form {
        Form {
            id: None,
            version: 0,
            is_service_account,
            is_active: true,
            username: String::new(),
            display_name: String::new(),
            department_id: None,
            phone: String::new(),
            position_ids: BTreeSet::new(),
            password: String::new(),
        }
    }

    fn from(u: &pb::User) -> Form {
        Form {
            id: Some(u.id),
            version: u.version,
            is_service_account: u.is_service_account,
            is_active: u.is_active,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            department_id: u.department_id,
            phone: u.phone.clone(),
            position_ids: u.positions.iter().map(|p| p.id).collect(),
            password: String::new(),
        }
    }
}

/// The users tab.
#[derive(Default)]
pub struct UsersPanel {
    query: String,
    sent_query: Option<String>,
    include_inactive: bool,
    sort: i32,
    descending: bool,
    offset: u32,
    list: Requested<pb::ListUsersResponse>,
    departments: Requested<Vec<pb::Department>>,
    positions: Requested<Vec<pb::Position>>,
    form: Option<Form>,
    original: Option<Form>,
    save: Requested<pb::User>,
    reset_password: Option<String>,
    reset: Requested<()>,
    tokens: Requested<Vec<pb::ApiToken>>,
    token_label: String,
    issued: Requested<pb::IssueApiTokenResponse>,
    show_issued: bool,
}

impl UsersPanel {
    /// Whether the form holds unsaved input.
    pub fn is_dirty(&self) -> bool {
        self.form != self.original
    }

    fn search(&mut self, ctx: &AppCtx) {
        let request = pb::ListUsersRequest {
            query: self.query.clone(),
            department_id: None,
            position_id: None,
            include_inactive: self.include_inactive,
            sort: self.sort,
            descending: self.descending,
            page: Some(pb::PageRequest {
                offset: self.offset,
                limit: PAGE,
            }),
        };
        self.sent_query = Some(self.query.clone());
        self.list.request(ctx.admin().list_users(request));
    }

    fn open(&mut self, ctx: &AppCtx, user: &pb::User) {
        let form = Form::from(user);
        self.form = Some(form.clone());
        self.original = Some(form);
        self.save = Requested::NotRequested;
        self.reset = Requested::NotRequested;
        self.reset_password = None;
        self.tokens = Requested::NotRequested;
        if user.is_service_account {
            let user_id = user.id;
            self.tokens.request(
                ctx.admin()
                    .list_api_tokens(pb::ListApiTokensRequest { user_id })
                    .map(|r| r.api_tokens),
            );
        }
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.departments.is_not_requested() {
            self.departments.request(
                ctx.admin()
                    .list_departments(pb::ListDepartmentsRequest::default())
                    .map(|r| r.departments),
            );
            self.positions.request(
                ctx.admin()
                    .list_positions(pb::ListPositionsRequest::default())
                    .map(|r| r.positions),
            );
        }
        self.departments.poll();
        self.positions.poll();
        self.list.poll();
        self.tokens.poll();
        if self.sent_query.as_ref() != Some(&self.query) && !self.list.is_pending() {
            self.offset = 0;
            self.search(ctx);
        }
        if let Polled::JustDone = self.save.poll()
            && let Requested::Done(saved) = &self.save
        {
            let saved = saved.clone();
            self.open(ctx, &saved);
            self.search(ctx);
        }
        if let Polled::JustDone = self.issued.poll() {
            self.show_issued = true;
            self.token_label.clear();
            if let Some(user) = self.original.clone() {
                let user_id = user.id.unwrap_or_default();
                self.tokens.request(
                    ctx.admin()
                        .list_api_tokens(pb::ListApiTokensRequest { user_id })
                        .map(|r| r.api_tokens),
                );
            }
        }
        if let Polled::JustDone = self.reset.poll() {
            self.reset_password = None;
        }

        egui::Panel::right("user_form")
            .resizable(true)
            .default_size(380.0)
            .min_size(300.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.form_ui(ui, ctx));
            });
        egui::CentralPanel::default().show(ui, |ui| self.table_ui(ui, ctx));
        self.issued_ui(ui.ctx());
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        ui.horizontal(|ui| {
            let label = ui.label(t("users.search"));
            let search = ui
                .add(egui::TextEdit::singleline(&mut self.query).hint_text(t("users.search_hint")))
                .labelled_by(label.id);
            if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
                search.request_focus();
            }
            if ui
                .checkbox(&mut self.include_inactive, t("users.include_inactive"))
                .changed()
            {
                self.offset = 0;
                self.search(ctx);
            }
            if ui.button(t("users.new")).clicked() {
                self.form = Some(Form::new_account(false));
                self.original = self.form.clone();
                self.save = Requested::NotRequested;
            }
            if ui.button(t("users.new_service")).clicked() {
                self.form = Some(Form::new_account(true));
                self.original = self.form.clone();
                self.save = Requested::NotRequested;
            }
        });
        widgets::request_status(ui, &self.list);
        let users = self
            .list
            .value()
            .map(|l| l.users.clone())
            .unwrap_or_default();
        let total = self.list.value().map_or(0, |l| l.total);
        let selected_id = self.form.as_ref().and_then(|f| f.id);
        let mut clicked: Option<pb::User> = None;
        let mut resort: Option<i32> = None;
        let available = ui.available_height() - 36.0;
        TableBuilder::new(ui)
            .id_salt("users_table")
            .striped(true)
            .sense(egui::Sense::click())
            .max_scroll_height(available.max(100.0))
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(140.0))
            .column(Column::auto().at_least(60.0))
            .column(Column::remainder().at_least(120.0))
            .header(24.0, |mut header| {
                for (label, sort) in [
                    (t("users.username"), pb::UserSort::Username),
                    (t("users.display_name"), pb::UserSort::DisplayName),
                    (t("users.department"), pb::UserSort::Department),
                ] {
                    header.col(|ui| {
                        let arrow = if self.sort == sort as i32
                            || (self.sort == 0 && sort == pb::UserSort::Username)
                        {
                            if self.descending { " ﹀" } else { " ︿" }
                        } else {
                            ""
                        };
                        if ui.button(format!("{label}{arrow}")).clicked() {
                            resort = Some(sort as i32);
                        }
                    });
                }
                header.col(|ui| {
                    ui.strong(t("users.positions"));
                });
                header.col(|ui| {
                    ui.strong(t("users.status"));
                });
                header.col(|ui| {
                    if ui.button(t("users.created_at")).clicked() {
                        resort = Some(pb::UserSort::CreatedAt as i32);
                    }
                });
            })
            .body(|body| {
                body.rows(24.0, users.len(), |mut row| {
                    let user = &users[row.index()];
                    row.set_selected(selected_id == Some(user.id));
                    row.col(|ui| {
                        ui.label(&user.username);
                    });
                    row.col(|ui| {
                        ui.label(&user.display_name);
                    });
                    row.col(|ui| {
                        ui.label(&user.department_name);
                    });
                    row.col(|ui| {
                        let names: Vec<_> =
                            user.positions.iter().map(|p| p.name.as_str()).collect();
                        ui.label(names.join("、"));
                    });
                    row.col(|ui| {
                        let status = match (user.is_active, user.is_service_account) {
                            (false, _) => RichText::new(t("users.disabled")).color(widgets::ERROR),
                            (true, true) => RichText::new(t("users.service")),
                            (true, false) => RichText::new(t("users.active")),
                        };
                        ui.label(status);
                    });
                    row.col(|ui| {
                        ui.label(format::timestamp(user.created_at.as_ref()));
                    });
                    if row.response().clicked() {
                        clicked = Some(user.clone());
                    }
                });
            });
        if let Some(sort) = resort {
            if self.sort == sort {
                self.descending = !self.descending;
            } else {
                self.sort = sort;
                self.descending = false;
            }
            self.search(ctx);
        }
        if let Some(user) = clicked {
            self.open(ctx, &user);
        }
        if widgets::pager(ui, &mut self.offset, users.len(), total, PAGE) {
            self.search(ctx);
        }
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let Some(form) = &mut self.form else {
            ui.label(RichText::new(t("users.pick")).weak());
            return;
        };
        let error = self.save.error().cloned();
        let busy = self.save.is_pending();
        let field = |name: &str| error.as_ref().and_then(|e| e.field(name));
        ui.heading(match (form.id, form.is_service_account) {
            (None, false) => t("users.new"),
            (None, true) => t("users.new_service"),
            (Some(_), false) => t("users.edit"),
            (Some(_), true) => t("users.edit_service"),
        });
        if form.id.is_none() {
            widgets::text_field(
                ui,
                t("users.username"),
                &mut form.username,
                field("username"),
            );
        } else {
            ui.label(format!("{}：{}", t("users.username"), form.username));
        }
        widgets::text_field(
            ui,
            t("users.display_name"),
            &mut form.display_name,
            field("display_name"),
        );
        if !form.is_service_account {
            widgets::text_field(ui, t("users.phone"), &mut form.phone, field("phone"));
        }
        let departments = self.departments.value().cloned().unwrap_or_default();
        let label = ui.label(t("users.department"));
        let current = form
            .department_id
            .and_then(|id| departments.iter().find(|d| d.id == id))
            .map_or_else(|| t("users.no_department").to_owned(), |d| d.name.clone());
        egui::ComboBox::from_id_salt("user_department")
            .selected_text(current)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut form.department_id, None, t("users.no_department"));
                for d in &departments {
                    ui.selectable_value(&mut form.department_id, Some(d.id), &d.name);
                }
            })
            .response
            .labelled_by(label.id);
        widgets::field_error(ui, field("department_id"));
        ui.label(t("users.positions"));
        for p in self.positions.value().cloned().unwrap_or_default() {
            let mut held = form.position_ids.contains(&p.id);
            if ui.checkbox(&mut held, &p.name).changed() {
                if held {
                    form.position_ids.insert(p.id);
                } else {
                    form.position_ids.remove(&p.id);
                }
            }
        }
        widgets::field_error(ui, field("position_ids"));
        if form.id.is_none() && !form.is_service_account {
            widgets::password_field(
                ui,
                t("users.password"),
                &mut form.password,
                field("password"),
            );
        }
        if let Some(error) = &error
            && error.fields.is_empty()
        {
            widgets::error_line(ui, error);
        }
        ui.horizontal(|ui| {
            let changed = self.original.as_ref() != Some(form);
            if ui
                .add_enabled(!busy && changed, egui::Button::new(t("common.save")))
                .clicked()
            {
                let position_ids: Vec<i64> = form.position_ids.iter().copied().collect();
                let form = form.clone();
                self.save.request(match (form.id, form.is_service_account) {
                    (Some(id), _) => ctx.admin().update_user(pb::UpdateUserRequest {
                        id,
                        version: form.version,
                        display_name: form.display_name,
                        department_id: form.department_id,
                        phone: form.phone,
                        position_ids,
                    }),
                    (None, false) => ctx.admin().create_user(pb::CreateUserRequest {
                        username: form.username,
                        display_name: form.display_name,
                        department_id: form.department_id,
                        phone: form.phone,
                        position_ids,
                        password: form.password,
                    }),
                    (None, true) => {
                        ctx.admin()
                            .create_service_account(pb::CreateServiceAccountRequest {
                                username: form.username,
                                display_name: form.display_name,
                                department_id: form.department_id,
                                position_ids,
                            })
                    }
                });
            }
            if let Some(id) = form.id {
                let (label, active) = if form.is_active {
                    (t("users.disable"), false)
                } else {
                    (t("users.enable"), true)
                };
                if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
                    let request = pb::SetUserActiveRequest {
                        id,
                        version: form.version,
                        is_active: active,
                    };
                    self.save.request(ctx.admin().set_user_active(request));
                }
            }
            if busy {
                ui.spinner();
            }
        });
        if error.as_ref().is_some_and(|e| e.conflict.is_some())
            && let Some(id) = form.id
            && ui.button(t("common.reload_record")).clicked()
        {
            self.save
                .request(ctx.admin().get_user(pb::GetUserRequest { id }));
        }

        let Some(id) = form.id else { return };
        ui.separator();
        if form.is_service_account {
            self.tokens_ui(ui, ctx, id);
        } else {
            ui.strong(t("users.reset_password"));
            let password = self.reset_password.get_or_insert_with(String::new);
            let reset_error = self
                .reset
                .error()
                .and_then(|e| e.field("new_password").or_else(|| Some(e.message())));
            widgets::password_field(ui, t("users.new_password"), password, reset_error);
            if ui
                .add_enabled(
                    !self.reset.is_pending() && !password.is_empty(),
                    egui::Button::new(t("users.reset")),
                )
                .clicked()
            {
                let request = pb::ResetPasswordRequest {
                    id,
                    new_password: password.clone(),
                };
                self.reset.request(ctx.admin().reset_password(request));
            }
            if matches!(self.reset, Requested::Done(())) {
                ui.label(
                    RichText::new(t("users.reset_done"))
                        .color(egui::Color32::from_rgb(0x2e, 0x8b, 0x57)),
                );
            }
        }
    }

    fn tokens_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, user_id: i64) {
        ui.strong(t("tokens.title"));
        widgets::request_status(ui, &self.tokens);
        let mut revoke: Option<i64> = None;
        for token in self.tokens.value().cloned().unwrap_or_default() {
            ui.horizontal(|ui| {
                ui.label(&token.label);
                ui.label(RichText::new(format::timestamp(token.created_at.as_ref())).weak());
                if token.revoked_at.is_some() {
                    ui.label(RichText::new(t("tokens.revoked")).color(widgets::ERROR));
                } else if ui.button(t("tokens.revoke")).clicked() {
                    revoke = Some(token.id);
                }
            });
        }
        if let Some(id) = revoke {
            self.tokens.request(ctx.call(move |api| async move {
                let mut admin = api.admin();
                admin
                    .revoke_api_token(pb::RevokeApiTokenRequest { id })
                    .await?;
                Ok(admin
                    .list_api_tokens(pb::ListApiTokensRequest { user_id })
                    .await?
                    .into_inner()
                    .api_tokens)
            }));
        }
        let label_error = self
            .issued
            .error()
            .map(|e| e.field("label").unwrap_or_else(|| e.message()));
        widgets::text_field(ui, t("tokens.label"), &mut self.token_label, label_error);
        if ui
            .add_enabled(
                !self.issued.is_pending(),
                egui::Button::new(t("tokens.issue")),
            )
            .clicked()
        {
            let request = pb::IssueApiTokenRequest {
                user_id,
                label: self.token_label.clone(),
            };
            self.issued.request(ctx.admin().issue_api_token(request));
        }
    }

    fn issued_ui(&mut self, ctx: &egui::Context) {
        if !self.show_issued {
            return;
        }
        let Requested::Done(issued) = &self.issued else {
            self.show_issued = false;
            return;
        };
        let mut token = issued.token.clone();
        let modal = egui::Modal::new(egui::Id::unique("issued_token")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading(t("tokens.issued_title"));
            ui.label(t("tokens.issued_once"));
            let label = ui.label(t("tokens.token"));
            ui.add(
                egui::TextEdit::singleline(&mut token)
                    .desired_width(480.0)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id);
            ui.horizontal(|ui| {
                if ui.button(t("tokens.copy")).clicked() {
                    ui.ctx().copy_text(issued.token.clone());
                }
                if ui.button(t("common.close")).clicked() {
                    self.show_issued = false;
                }
            });
        });
        if modal.should_close() {
            self.show_issued = false;
        }
    }
}
