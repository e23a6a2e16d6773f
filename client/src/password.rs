//! 修改密码: the user changes their own password from the top bar — the current one, then
//! the new one twice. The server checks the current one (a wrong one counts as a failed
//! login, and five lock the account for a while) and the new one's length; the user's
//! other sessions end, this one goes on.

use egui::RichText;
use pharmacrm_shared::{pb, validation};

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets::{self, FieldErrors, Unsaved};

/// The field of the new password typed again (checked here, not sent).
const AGAIN: &str = "new_password_again";

/// The password dialog, closed until [`PasswordDialog::open`].
#[derive(Default)]
pub struct PasswordDialog {
    open: bool,
    old: String,
    new: String,
    again: String,
    errors: FieldErrors,
    save: Requested<()>,
    /// 确认修改 was pressed: an empty field is said to be required.
    attempted: bool,
    /// Whether the new password's inputs had the keyboard last frame: what is being typed
    /// is not complained of (each key of a short password said 至少 8 个字符, and the room
    /// it left moved the fields).
    typing: (bool, bool),
    /// The first field was given the keyboard when it opened.
    focused: bool,
    /// The password was set by an administrator and must be changed before anything
    /// else: the dialog cannot be dismissed (the top bar's 退出登录 still works).
    forced: bool,
}

impl Unsaved for PasswordDialog {
    /// Whether a password is typed in it.
    fn is_dirty(&self) -> bool {
        self.open && !(self.old.is_empty() && self.new.is_empty() && self.again.is_empty())
    }
}

impl PasswordDialog {
    /// Opens it, empty.
    pub fn open(&mut self) {
        *self = PasswordDialog {
            open: true,
            ..PasswordDialog::default()
        };
    }

    /// Opens it for a password an administrator set: to be changed before anything else.
    pub fn open_forced(&mut self) {
        self.open();
        self.forced = true;
    }

    /// Whether it is open for a password that must be changed first.
    pub fn is_forced(&self) -> bool {
        self.open && self.forced
    }

    /// Whether the last change went through (said in the status bar until it is opened
    /// again).
    pub fn changed(&self) -> bool {
        !self.open && matches!(self.save, Requested::Done(()))
    }

    /// Draws the dialog while it is open.
    pub fn ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        if !self.open {
            return;
        }
        if self.errors.poll(&mut self.save) {
            // Changed: the dialog closes; `changed` says so.
            self.open = false;
            self.old.clear();
            self.new.clear();
            self.again.clear();
            return;
        }
        // The new one's form and the second typing are checked once the user moves on
        // from them; an empty field once 确认修改 was pressed.
        let said = crate::i18n::violation;
        let required = || said(validation::Violation::required());
        let empty = |value: &str| (self.attempted && value.is_empty()).then(required);
        let old = empty(&self.old);
        self.errors.set_local("old_password", old);
        let (typing_new, typing_again) = self.typing;
        let new = empty(&self.new).or_else(|| {
            (!self.new.is_empty() && (self.attempted || !typing_new))
                .then(|| validation::password(&self.new).err().map(said))
                .flatten()
        });
        self.errors.set_local("new_password", new);
        let again = empty(&self.again).or_else(|| {
            (!self.again.is_empty() && self.again != self.new && (self.attempted || !typing_again))
                .then(|| t("password.mismatch").to_owned())
        });
        self.errors.set_local(AGAIN, again);
        let busy = self.save.is_pending();
        let ready = !self.old.is_empty()
            && validation::password(&self.new).is_ok()
            && self.again == self.new;
        let mut submit = false;
        let mut close = false;
        let mut typing = (false, false);
        let modal = widgets::modal("change_password").show(egui_ctx, |ui| {
            ui.set_min_width(380.0);
            ui.heading(t("password.title"));
            if self.forced {
                ui.label(RichText::new(t("password.forced")).color(widgets::WARNING));
            }
            ui.label(RichText::new(t("password.hint")).weak());
            ui.add_space(4.0);
            submit = widgets::form(ui, "change_password_form", &mut self.errors, |f| {
                f.required(&["old_password", "new_password", AGAIN]);
                let old = f.password(t("password.old"), "old_password", &mut self.old);
                // Opened, it takes the keyboard (the forced one at a login too).
                if !self.focused {
                    old.request_focus();
                    self.focused = true;
                }
                let new = f.password(t("password.new"), "new_password", &mut self.new);
                let again = f.password(t("password.again"), AGAIN, &mut self.again);
                typing = (new.has_focus(), again.has_focus());
            })
            .submitted;
            if self.forced {
                // Nothing else can be done until it is changed: no 取消 (退出登录 is in
                // the top bar).
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    submit |= ui
                        .add_enabled(!busy, egui::Button::new(t("password.save")))
                        .clicked();
                    if busy {
                        ui.spinner();
                    }
                });
            } else {
                let (save, cancel) =
                    widgets::form_buttons(ui, t("password.save"), t("common.cancel"), busy);
                submit |= save;
                close = cancel;
            }
        });
        self.typing = typing;
        if (widgets::dismissed(&modal) || close) && !busy && !self.forced {
            self.open = false;
            self.save = Requested::NotRequested;
            return;
        }
        if submit {
            self.attempted = true;
        }
        if submit && ready && !busy {
            self.save
                .request(ctx.auth().change_password(pb::ChangePasswordRequest {
                    old_password: self.old.clone(),
                    new_password: self.new.clone(),
                }));
        }
    }
}
