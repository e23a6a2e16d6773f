//! Users and service accounts: a searchable, sortable, paged table (virtualized rows), and
//! the form to create, edit, disable/enable, reset a password, and manage API tokens.

use std::collections::BTreeSet;

use egui::RichText;
use pharmacrm_shared::pb;

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{list_separator, t, tn};
use crate::widgets::{self, Cell, DataTable, FieldErrors, TableColumn, Unsaved, cells, row_styles};

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
    /// Customers the account is the sales or CS rep of (it cannot be disabled until they
    /// are handed over).
    customers_held: i64,
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
            customers_held: 0,
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
            customers_held: u.customers_held,
        }
    }
}

/// What the user form's buttons asked for this frame.
#[derive(Default, Clone, Copy)]
struct Pressed {
    save: bool,
    /// 停用 or 启用.
    toggle_active: bool,
    close: bool,
}

/// The users tab.
#[derive(Default)]
pub struct UsersPanel {
    query: String,
    sent_query: Option<String>,
    include_inactive: bool,
    /// Unspecified (0, by username) until a header is clicked: see `sort_in_force`.
    sort: widgets::Sort,
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
    /// The last failed save's complaints, under their fields until edited.
    errors: FieldErrors,
    /// The password reset's.
    reset_errors: FieldErrors,
    /// The token issue's.
    token_errors: FieldErrors,
    /// Opening another account (or a new one) while the form holds unsaved edits.
    discard: widgets::Discard<Opening>,
    /// Disabling an account (they can no longer log in): asked first, with their name.
    disable: widgets::Confirm<(pb::SetUserActiveRequest, String)>,
    /// The save on its way enables (`true`) or disables the account.
    toggling: Option<bool>,
    /// The account was just enabled (`true`) or disabled here: said in place of 已保存.
    toggled: Option<bool>,
}

/// What the form is asked to show.
#[derive(Debug)]
enum Opening {
    User(pb::User),
    New {
        is_service_account: bool,
    },
    /// No form: the list has the whole width.
    Nothing,
}

impl Unsaved for UsersPanel {
    /// Whether the form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.form != self.original
    }
}

impl UsersPanel {
    /// The sort the list is in: unspecified (0) is by username.
    fn sort_in_force(&self) -> widgets::Sort {
        if self.sort.key == 0 {
            widgets::Sort {
                key: pb::UserSort::Username as i32,
                ..self.sort
            }
        } else {
            self.sort
        }
    }

    fn search(&mut self, ctx: &AppCtx) {
        let request = pb::ListUsersRequest {
            query: self.query.clone(),
            department_id: None,
            position_id: None,
            include_inactive: self.include_inactive,
            sort: self.sort.key,
            descending: self.sort.descending,
            page: Some(pb::PageRequest {
                offset: self.offset,
                limit: PAGE,
            }),
        };
        self.sent_query = Some(self.query.clone());
        self.list.request(ctx.admin().list_users(request));
    }

    /// Shows `opening` now, or once the user agrees to drop unsaved edits.
    fn request_open(&mut self, ctx: &AppCtx, opening: Opening) {
        if let Some(opening) = self.discard.request(self.is_dirty(), opening) {
            self.show(ctx, opening);
        }
    }

    fn show(&mut self, ctx: &AppCtx, opening: Opening) {
        match opening {
            Opening::User(user) => self.open(ctx, &user),
            Opening::New { is_service_account } => {
                self.form = Some(Form::new_account(is_service_account));
                self.original = self.form.clone();
                self.save = Requested::NotRequested;
                self.errors.set(None);
            }
            Opening::Nothing => {
                self.form = None;
                self.original = None;
            }
        }
    }

    fn open(&mut self, ctx: &AppCtx, user: &pb::User) {
        let form = Form::from(user);
        self.form = Some(form.clone());
        self.original = Some(form);
        self.save = Requested::NotRequested;
        self.errors.set(None);
        self.toggled = None;
        self.reset_errors.set(None);
        self.token_errors.set(None);
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

    /// Reads the departments and positions a user may be given (again: one added or
    /// archived on their tabs meanwhile is offered, or not, at once).
    fn read_choices(&mut self, ctx: &AppCtx) {
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

    /// Reads the list again, the departments and positions offered, and the account open
    /// if it held customers (and holds no unsaved input): shown again after 客户交接, it
    /// may hold them no more.
    pub fn refresh(&mut self, ctx: &AppCtx) {
        if self.list.is_not_requested() {
            return;
        }
        self.search(ctx);
        self.read_choices(ctx);
        if !self.is_dirty()
            && !self.save.is_pending()
            && let Some(form) = &self.form
            && form.customers_held > 0
            && let Some(id) = form.id
        {
            self.errors.expect_read();
            self.save
                .request(ctx.admin().get_user(pb::GetUserRequest { id }));
        }
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.departments.is_not_requested() {
            self.read_choices(ctx);
        }
        self.departments.poll();
        self.positions.poll();
        self.list.poll();
        self.tokens.poll();
        if self.sent_query.as_ref() != Some(&self.query) && !self.list.is_pending() {
            self.offset = 0;
            self.search(ctx);
        }
        if self.errors.poll(&mut self.save)
            && let Some(saved) = self.save.value().cloned()
        {
            let was_save = self.errors.is_saved();
            let toggled = self.toggling.take();
            self.open(ctx, &saved);
            if was_save {
                // 停用 and 启用 say what they did, not 已保存.
                match toggled {
                    Some(active) => self.toggled = Some(active),
                    None => self.errors.mark_saved(),
                }
            }
            self.search(ctx);
        }
        if self.token_errors.poll(&mut self.issued) {
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
        if self.reset_errors.poll(&mut self.reset) {
            self.reset_password = None;
        }

        // The search bar over the list and the form alike: the form opening beside the list
        // does not wrap it anew and move the rows under the pointer.
        egui::Panel::top("users_toolbar")
            .show_separator_line(false)
            .show(ui, |ui| self.toolbar_ui(ui, ctx));
        // The form beside the list once a user is open; until then the list has the
        // whole width (a narrow window would otherwise scroll it for an empty panel).
        // Its buttons in a bar under it: a refusal's complaint under a field does not move
        // them (保存 pressed twice toggled the position checkbox moved under it).
        if self.form.is_some() {
            widgets::side_form(
                ui,
                "user_form",
                380.0,
                self,
                |panel, ui| panel.buttons_ui(ui, ctx),
                |panel, ui, pressed| panel.form_ui(ui, ctx, pressed),
            );
        }
        egui::CentralPanel::default().show(ui, |ui| {
            self.table_ui(ui, ctx);
            if self.form.is_none() {
                ui.label(RichText::new(t("users.pick")).weak());
            }
        });
        if let Some(opening) = self.discard.ui(ui.ctx(), "discard_user_edits") {
            self.show(ctx, opening);
        }
        self.issued_ui(ui.ctx());
    }

    /// The buttons that add an account, the search and the 包括已停用 box.
    fn toolbar_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        ui.horizontal_wrapped(|ui| {
            if ui.button(t("users.new")).clicked() {
                self.request_open(
                    ctx,
                    Opening::New {
                        is_service_account: false,
                    },
                );
            }
            if ui.button(t("users.new_service")).clicked() {
                self.request_open(
                    ctx,
                    Opening::New {
                        is_service_account: true,
                    },
                );
            }
            widgets::search_field(
                ui,
                t("users.search"),
                t("users.search_hint"),
                // The hint whole in English: "Username, name or phone (Ctrl+F)".
                250.0,
                &mut self.query,
            );
            if ui
                .checkbox(&mut self.include_inactive, t("users.include_inactive"))
                .changed()
            {
                self.offset = 0;
                self.search(ctx);
            }
        });
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        widgets::request_status(ui, &self.list);
        let users = self
            .list
            .value()
            .map(|l| l.users.clone())
            .unwrap_or_default();
        let total = self.list.value().map_or(0, |l| l.total);
        let selected_id = self.form.as_ref().and_then(|f| f.id);
        let mut sort = self.sort_in_force();
        let available = ui.available_height() - 48.0;
        let column = |header, text: &dyn Fn(&pb::User) -> String| {
            TableColumn::text(header, cells(&users, text))
        };
        let columns = [
            column(t("users.username"), &|u| u.username.clone())
                .sorted_by(pb::UserSort::Username as i32, false),
            column(t("users.display_name"), &|u| u.display_name.clone())
                .sorted_by(pb::UserSort::DisplayName as i32, false),
            // Beside the name: a disabled account is seen at 900 wide too (it was behind a
            // sideways scroll).
            TableColumn::text(
                t("users.status"),
                users
                    .iter()
                    .map(|u| match (u.is_active, u.is_service_account) {
                        (false, _) => Cell::coloured(t("users.disabled"), Some(widgets::ERROR)),
                        (true, true) => Cell::new(t("users.service")),
                        (true, false) => Cell::new(t("users.active")),
                    })
                    .collect(),
            ),
            column(t("users.department"), &|u| u.department_name.clone())
                .sorted_by(pb::UserSort::Department as i32, false),
            column(t("users.positions"), &|u| {
                let names: Vec<_> = u.positions.iter().map(|p| p.name.as_str()).collect();
                names.join(list_separator())
            }),
            column(t("users.created_at"), &|u| {
                format::timestamp(u.created_at.as_ref())
            })
            .sorted_by(pb::UserSort::CreatedAt as i32, false),
        ];
        // The user open in the form is lit, disabled ones greyed.
        let styles = row_styles(&users, selected_id, |u| (u.id, !u.is_active));
        let clicked = DataTable::new("users_table", &columns)
            .styles(&styles)
            .clickable()
            .max_height(available)
            .sort(Some(&mut sort))
            .show(ui)
            .map(|i| users[i].clone());
        if sort != self.sort_in_force() {
            self.sort = sort;
            self.search(ctx);
        }
        if let Some(user) = clicked
            && selected_id != Some(user.id)
        {
            self.request_open(ctx, Opening::User(user));
        }
        if widgets::pager(ui, &mut self.offset, users.len(), total, PAGE) {
            self.search(ctx);
        }
    }

    /// The form's buttons: 保存, 停用 / 启用 for an account that exists, 关闭, and whether
    /// it was saved; what was pressed.
    fn buttons_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Pressed {
        let mut pressed = Pressed::default();
        let Some(form) = &self.form else {
            return pressed;
        };
        let busy = self.save.is_pending();
        let changed = self.original.as_ref() != Some(form);
        // Wrapped: 已保存 and 已停用 beside the buttons go under them, not widen the panel
        // (it grew by their width at each save).
        ui.horizontal_wrapped(|ui| {
            pressed.save = widgets::save_button(ui, busy, changed, false);
            if form.id.is_some() {
                let label = if form.is_active {
                    t("users.disable")
                } else {
                    t("users.enable")
                };
                // One who still holds customers is handed over first (客户交接), and
                // nobody disables themselves: the server would refuse, after the question.
                let holding = form.is_active && form.customers_held > 0;
                let me = form.is_active && ctx.me.user.as_ref().map(|u| u.id) == form.id;
                let why = if me {
                    t("users.disable_self").to_owned()
                } else {
                    holding_text(form.customers_held)
                };
                pressed.toggle_active = ui
                    .add_enabled(!busy && !holding && !me, egui::Button::new(label))
                    .on_disabled_hover_text(why)
                    .clicked();
            }
            // Not while a save is on its way: its answer would open the form again.
            pressed.close = ui
                .add_enabled(!busy, egui::Button::new(t("common.close")))
                .clicked();
            if busy {
                ui.spinner();
            }
            self.errors.saved_ui(ui, changed);
            if let Some(active) = self.toggled.filter(|_| !changed) {
                let done = if active {
                    t("users.enabled_done")
                } else {
                    t("users.disabled_done")
                };
                ui.label(RichText::new(done).color(crate::widgets::SUCCESS));
            }
        });
        pressed
    }

    /// The form of the account open, what its buttons (`pressed`) ask for, and under it
    /// the password reset or the API tokens.
    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, pressed: Pressed) {
        let Some(form) = &mut self.form else {
            return;
        };
        let original = self.original.as_ref();
        let busy = self.save.is_pending();
        let conflict = self.errors.error().is_some_and(|e| e.conflict.is_some());
        ui.heading(match (form.id, form.is_service_account) {
            (None, false) => t("users.new"),
            (None, true) => t("users.new_service"),
            (Some(_), false) => t("users.edit"),
            (Some(_), true) => t("users.edit_service"),
        });
        // A disabled user says so (the list's status column may be scrolled out of sight).
        if form.id.is_some() && !form.is_active {
            ui.label(egui::RichText::new(t("users.disabled")).color(widgets::ERROR));
        }
        // One who still holds customers says how many, and opens 客户交接 for them: 停用
        // waits until they are handed over.
        if let Some(id) = form.id
            && form.is_active
            && form.customers_held > 0
        {
            ui.horizontal_wrapped(|ui| {
                ui.label(holding_text(form.customers_held));
                if ctx.can(pharmacrm_shared::Permission::CustomerAssign)
                    && ui.button(t("users.hand_over")).clicked()
                {
                    ctx.navigate(crate::ctx::Navigate::Handover { employee: id });
                }
            });
        }
        let departments: Vec<(Option<i64>, String)> =
            std::iter::once((None, t("users.no_department").to_owned()))
                .chain(
                    super::departments::department_paths(
                        self.departments
                            .value()
                            .map(Vec::as_slice)
                            .unwrap_or_default(),
                    )
                    .into_iter()
                    .map(|(id, path)| (Some(id), path)),
                )
                .collect();
        // By pinyin (财务, 客服, 系统管理员, 营销经理, 营销员), as people look them up.
        let mut positions: Vec<(i64, String)> = self
            .positions
            .value()
            .into_iter()
            .flatten()
            .map(|p| (p.id, p.name.clone()))
            .collect();
        positions.sort_by_cached_key(|(_, name)| pharmacrm_shared::collate::pinyin_key(name));
        let response = widgets::form(ui, "user_form", &mut self.errors, |f| {
            f.required(&["username", "display_name", "position_ids", "password"]);
            if form.id.is_none() {
                f.text(t("users.username"), "username", &mut form.username);
            } else {
                f.show(t("users.username"), &form.username);
            }
            f.text(
                t("users.display_name"),
                "display_name",
                &mut form.display_name,
            );
            if !form.is_service_account {
                f.text(t("users.phone"), "phone", &mut form.phone);
            }
            f.combo(
                t("users.department"),
                "department_id",
                &mut form.department_id,
                &departments,
            );
            // A person with no department is outside every department's scope: their
            // manager does not see their customers. Said for a new person and for one
            // holding customers (not for a service account, nor the administrator); once
            // a department is picked, its room stays (the positions under it moved up, and
            // a click meant for one ticked the next).
            let said = |f: &Form| {
                f.department_id.is_none()
                    && !f.is_service_account
                    && (f.id.is_none() || f.customers_held > 0)
            };
            if said(form) || original.is_some_and(said) {
                let hint = RichText::new(t("users.no_department_hint")).color(widgets::WARNING);
                f.note_kept(hint, said(form));
            }
            f.checkboxes(
                t("users.positions"),
                "position_ids",
                &mut form.position_ids,
                &positions,
            );
            if form.id.is_none() && !form.is_service_account {
                f.password(t("users.password"), "password", &mut form.password);
            }
        });
        let changed = self.original.as_ref() != Some(form);
        // Enter in a field saves as 保存 does.
        let request =
            (!busy && changed && (pressed.save || response.submitted)).then(|| form.clone());
        if pressed.toggle_active
            && let Some(id) = form.id
        {
            let request = pb::SetUserActiveRequest {
                id,
                version: form.version,
                is_active: !form.is_active,
            };
            if request.is_active {
                self.toggling = Some(true);
                self.save.request(ctx.admin().set_user_active(request));
            } else {
                self.disable.ask((request, form.display_name.clone()));
            }
        }
        let close = pressed.close;
        if conflict
            && let Some(id) = form.id
            && ui.button(t("common.reload_record")).clicked()
        {
            self.errors.expect_read();
            self.save
                .request(ctx.admin().get_user(pb::GetUserRequest { id }));
        }
        if let Some(request) = self.disable.named_ui(
            ui.ctx(),
            "disable_user",
            t("users.disable_question"),
            t("users.disable"),
        ) {
            self.toggling = Some(false);
            self.save.request(ctx.admin().set_user_active(request));
        }
        if let Some(form) = request {
            let position_ids: Vec<i64> = form.position_ids.iter().copied().collect();
            self.toggling = None;
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
        if close {
            self.request_open(ctx, Opening::Nothing);
            return;
        }
        let Some(form) = &self.form else { return };
        let Some(id) = form.id else { return };
        ui.separator();
        if form.is_service_account {
            self.tokens_ui(ui, ctx, id);
        } else {
            ui.strong(t("users.reset_password"));
            let password = self.reset_password.get_or_insert_with(String::new);
            // No required star: under the account's own form it read as needed to save
            // the account; 重置密码 waits for a password anyway.
            let response = widgets::form(ui, "reset_password", &mut self.reset_errors, |f| {
                f.password(t("users.new_password"), "new_password", password);
            });
            let ready = !self.reset.is_pending() && !password.is_empty();
            if widgets::submit_button(ui, t("users.reset"), ready, response.submitted) {
                let request = pb::ResetPasswordRequest {
                    id,
                    new_password: password.clone(),
                };
                self.reset.request(ctx.admin().reset_password(request));
                // What the account's form said of its last save is not this reset's.
                self.errors.forget_saved();
                self.toggled = None;
            }
            if matches!(self.reset, Requested::Done(())) {
                ui.label(RichText::new(t("users.reset_done")).color(crate::widgets::SUCCESS));
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
        let response = widgets::form(ui, "issue_token", &mut self.token_errors, |f| {
            f.required(&["label"]);
            f.text(t("tokens.label"), "label", &mut self.token_label);
        });
        let ready = !self.issued.is_pending();
        if widgets::submit_button(ui, t("tokens.issue"), ready, response.submitted) {
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
        let modal = crate::widgets::modal("issued_token").show(ctx, |ui| {
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
        if crate::widgets::dismissed(&modal) {
            self.show_issued = false;
        }
    }
}

/// Why an account holding `customers` cannot be disabled yet: "负责 3 个客户，停用前请先
/// 完成客户交接".
fn holding_text(customers: i64) -> String {
    tn(
        "users.holds_customers",
        u64::try_from(customers).unwrap_or(0),
    )
}
