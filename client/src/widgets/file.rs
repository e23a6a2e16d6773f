//! File paths (import, template, scans, exports): a typed path beside a 浏览… button that
//! opens the desktop's file chooser through the XDG desktop portal (rfd's `xdg-portal`
//! backend, zenity as its fallback: no GTK packages to install). Where neither can answer
//! (no session bus and no zenity: a bare X server, a minimal desktop) there is no button and
//! the typed path is the way; a chooser that comes back empty says the path can be typed.

use std::path::PathBuf;

use egui::{Response, RichText, Ui};

use crate::api::files::{ExportOutcome, ExportTarget};
use crate::backend::{Promise, Requested};
use crate::ctx::AppCtx;
use crate::i18n::t;

/// What the chooser is for.
#[derive(Clone, Copy, Debug)]
pub enum Purpose<'a> {
    /// An existing file to read, of the extensions given (`["xlsx"]`); none means any.
    Open(&'a [&'a str]),
    /// A file to write, proposed under this name.
    Save(&'a str),
}

/// A path as typed or chosen.
#[derive(Default)]
pub struct PathField {
    /// The path, as the user typed it or the chooser returned it.
    pub path: String,
    chooser: Option<Promise<Option<PathBuf>>>,
    /// The last chooser came back without a file (cancelled, or nothing answered).
    came_back_empty: bool,
    /// A file that exists, typed as where to save: asked whether to replace it
    /// ([`replace_ui`](Self::replace_ui)).
    asking: Option<PathBuf>,
    /// The file the user chose in the chooser, which asked before replacing it: the next
    /// save to it does not ask again.
    may_replace: Option<PathBuf>,
}

impl PathField {
    /// The path without surrounding blanks; empty when none was given.
    pub fn trimmed(&self) -> &str {
        self.path.trim()
    }

    /// Clears the path (after it was used).
    pub fn clear(&mut self) {
        self.path.clear();
        self.came_back_empty = false;
        self.asking = None;
    }

    /// Where to save now, if anywhere: on `clicked` (the save button, this frame) the
    /// path as typed ([`ExportTarget::typed`], `fallback` the name when none is offered),
    /// unless it is a file already there; over one, the question is drawn here with 替换
    /// and 取消, and the target comes once 替换 is clicked (a typed name, last month's file
    /// say, was replaced unasked). Each save over a file asks again (the user may have
    /// edited it in Excel meanwhile), but the one just chosen in the chooser, which asked.
    pub fn save_target(
        &mut self,
        ui: &mut Ui,
        clicked: bool,
        fallback: &str,
    ) -> Option<ExportTarget> {
        let typed = |field: &Self| ExportTarget::typed(field.trimmed(), fallback);
        if clicked {
            let target = typed(self);
            if self.may_write(&target) {
                return Some(target);
            }
        }
        self.replace_ui(ui).then(|| typed(self))
    }

    /// Whether a save to `target` may start now: into a folder (under a free name), to a
    /// file not there yet, or over the one just chosen in the chooser (which asked). Over
    /// another existing file it notes the question ([`replace_ui`](Self::replace_ui)) and
    /// returns `false`.
    fn may_write(&mut self, target: &ExportTarget) -> bool {
        match target {
            ExportTarget::File(path) if path.exists() => {
                if self.may_replace.take().as_ref() == Some(path) {
                    true
                } else {
                    self.asking = Some(path.clone());
                    false
                }
            }
            _ => true,
        }
    }

    /// Draws the question over an existing file ([`may_write`](Self::may_write)) with
    /// 替换 and 取消; returns `true` when 替换 was clicked.
    fn replace_ui(&mut self, ui: &mut Ui) -> bool {
        let Some(path) = self.asking.clone() else {
            return false;
        };
        let mut replace = false;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(
                    t("common.replace_question").replace("{path}", &path.display().to_string()),
                )
                .color(super::WARNING),
            );
            if ui.button(t("common.replace")).clicked() {
                self.asking = None;
                replace = true;
            }
            if ui.button(t("common.cancel")).clicked() {
                self.asking = None;
            }
        });
        replace
    }

    /// `label`, then [`PathField::ui`] labelled by it, on the current line.
    pub fn labelled(
        &mut self,
        ui: &mut Ui,
        ctx: &AppCtx,
        label: &str,
        purpose: Purpose<'_>,
        hint: &str,
        width: f32,
    ) -> Response {
        let label = ui.label(label);
        self.ui(ui, ctx, purpose, hint, width).labelled_by(label.id)
    }

    /// The text input (`width` points wide) and the browse button on one line; returns the
    /// input's response (for labels, Enter and change tracking).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        ctx: &AppCtx,
        purpose: Purpose<'_>,
        hint: &str,
        width: f32,
    ) -> Response {
        // A path chosen counts as a change of the input (a complaint about the old one goes).
        let mut chosen_now = false;
        if let Some(chosen) = self.chooser.as_mut().and_then(Promise::try_take) {
            self.chooser = None;
            match chosen.ok().flatten() {
                Some(path) => {
                    self.path = path.display().to_string();
                    self.came_back_empty = false;
                    // The chooser asked before replacing a file.
                    self.may_replace = Some(path);
                    self.asking = None;
                    chosen_now = true;
                }
                None => self.came_back_empty = true,
            }
        }
        ui.vertical(|ui| {
            let response = ui
                .horizontal(|ui| {
                    let browse_width = ui.spacing().interact_size.x * 1.5;
                    let response = ui.add(
                        egui::TextEdit::singleline(&mut self.path)
                            .hint_text(hint)
                            .desired_width((width - browse_width).max(120.0)),
                    );
                    let waiting = self.chooser.is_some();
                    if chooser_available()
                        && ui
                            .add_enabled(!waiting, egui::Button::new(t("common.browse")))
                            .clicked()
                    {
                        self.chooser = Some(open_chooser(ctx, purpose));
                    }
                    if waiting {
                        ui.spinner();
                    }
                    response
                })
                .inner;
            if self.came_back_empty {
                ui.label(RichText::new(t("common.browse_empty")).weak().small());
            }
            let mut response = response;
            if chosen_now {
                response.mark_changed();
            } else if response.changed() {
                // Another path: the question was about the one before.
                self.asking = None;
            }
            response
        })
        .inner
    }
}

/// Whether a file chooser can answer: a D-Bus session bus (for the desktop portal) or
/// zenity on the `PATH`.
pub fn chooser_available() -> bool {
    static AVAILABLE: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| {
        let session_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            || std::env::var_os("XDG_RUNTIME_DIR")
                .is_some_and(|dir| PathBuf::from(dir).join("bus").exists());
        let zenity = std::env::var_os("PATH").is_some_and(|path| {
            std::env::split_paths(&path).any(|dir| dir.join("zenity").is_file())
        });
        session_bus || zenity
    });
    *AVAILABLE
}

/// The folder a file was last saved to in this session ([`remember_saved_in`]).
static LAST_SAVED_DIR: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Notes that a file was just saved in `dir` (every save ends here, `api::files`): the
/// next export or download with no path typed goes there too (and its hint says so),
/// whichever tab it is made from.
pub fn remember_saved_in(dir: &std::path::Path) {
    *LAST_SAVED_DIR.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir.to_owned());
}

/// Forgets the folder the last user saved to (logged out: the next user at the desk is
/// not offered it).
pub fn forget_saved_dir() {
    *LAST_SAVED_DIR.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// The folder downloads go to when no chooser can ask: the folder a file was last saved
/// to in this session, else the user's download folder (`XDG_DOWNLOAD_DIR`, else
/// `~/Downloads` when it exists), else the home folder, else the working directory.
pub fn download_dir() -> PathBuf {
    if let Some(dir) = LAST_SAVED_DIR
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
    {
        return dir;
    }
    let home = std::env::home_dir();
    std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            home.as_ref()
                .map(|h| h.join("Downloads"))
                .filter(|d| d.is_dir())
        })
        .or(home)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The hint of an export's path input: where the file goes when none is typed, the
/// [`download_dir`] named ("留空则保存到 /home/wang/下载"), not a folder that may not exist.
pub fn export_hint() -> String {
    t("common.export_hint").replace("{dir}", &download_dir().display().to_string())
}

/// Opens `dir` in the desktop's file manager (`xdg-open`, `open` or `explorer`), without
/// waiting for it. Errors: the opener could not be started (e.g. no `xdg-open` on a
/// desktop without one); a file manager that fails later is not noticed.
pub fn open_folder(dir: &std::path::Path) -> std::io::Result<()> {
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(program)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Waited for on a thread of its own, so that it leaves no zombie behind.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// Where to write a download proposed as `name`, as the desktop's chooser answers it
/// (`None` when the user cancelled or nothing answered; see [`chooser_available`]).
pub async fn save_target(name: &str) -> Option<PathBuf> {
    start_dialog()
        .set_file_name(name)
        .save_file()
        .await
        .map(|file| file.path().to_path_buf())
}

/// A chooser that starts in the home folder.
fn start_dialog() -> rfd::AsyncFileDialog {
    let dialog = rfd::AsyncFileDialog::new();
    match std::env::home_dir() {
        Some(dir) => dialog.set_directory(dir),
        None => dialog,
    }
}

/// Asks the desktop for a file; `None` when the user cancelled or nothing answered.
fn open_chooser(ctx: &AppCtx, purpose: Purpose<'_>) -> Promise<Option<PathBuf>> {
    let mut dialog = start_dialog();
    match purpose {
        Purpose::Open(extensions) => {
            if !extensions.is_empty() {
                dialog = dialog.add_filter(extensions.join(", "), extensions);
            }
            ctx.backend.spawn(async move {
                Ok(dialog
                    .pick_file()
                    .await
                    .map(|file| file.path().to_path_buf()))
            })
        }
        Purpose::Save(name) => {
            dialog = dialog.set_file_name(name);
            ctx.backend.spawn(async move {
                Ok(dialog
                    .save_file()
                    .await
                    .map(|file| file.path().to_path_buf()))
            })
        }
    }
}

/// How saving a file from the server went: `saved` (a text with `{path}`) once saved (and
/// that a file already there was replaced), else
/// why the file could not be written ([`file_error_text`]) or the call failed.
pub fn saved_file_ui(ui: &mut Ui, saved_file: &Requested<ExportOutcome>, saved: &str) {
    match saved_file {
        Requested::Done(ExportOutcome::Saved { path, replaced, .. }) => {
            let text = saved.replace("{path}", &path.display().to_string());
            let text = if *replaced {
                format!("{text}{}", t("common.file_replaced"))
            } else {
                text
            };
            saved_path_ui(ui, path, &text);
        }
        Requested::Done(ExportOutcome::FileError { path, error }) => {
            ui.label(RichText::new(file_error_text(path, error)).color(super::ERROR));
        }
        Requested::Failed { error, .. } => super::error_line(ui, error),
        _ => {}
    }
}

/// A file written: `text` (which names `path`) in the colour of success, then a button
/// opening its folder; under them why the folder could not be opened, when it could not
/// (kept in the window's memory under the path: a report's and a statement's exports
/// say it alike).
pub fn saved_path_ui(ui: &mut Ui, path: &std::path::Path, text: &str) {
    let id = ui.make_persistent_id(("open_folder_failed", path));
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(text).color(super::SUCCESS));
        if let Some(dir) = path.parent()
            && ui.button(t("common.open_folder")).clicked()
        {
            let failed = open_folder(dir).err().map(|e| {
                // No opener at all (a desktop without xdg-open) is said as such, not as
                // the folder missing.
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    t("common.no_opener").to_owned()
                } else {
                    e.to_string()
                };
                t("common.open_failed")
                    .replace("{path}", &dir.display().to_string())
                    .replace("{message}", &why)
            });
            ui.data_mut(|d| match failed {
                Some(why) => {
                    d.insert_temp(id, why);
                }
                None => {
                    d.remove::<String>(id);
                }
            });
        }
    });
    if let Some(why) = ui.data(|d| d.get_temp::<String>(id)) {
        ui.label(RichText::new(why).color(super::ERROR));
    }
}

/// "无法写入 /tmp/a/b.xlsx：路径中有一段是文件而不是文件夹": a file that could not be written, and why.
pub fn file_error_text(path: &std::path::Path, error: &crate::api::files::FileFault) -> String {
    t("common.file_error")
        .replace("{path}", &path.display().to_string())
        .replace("{message}", &error.reason())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An export saved in a folder sends the next one (from another report, another tab)
    /// there too when no path is typed, and its hint says so.
    #[test]
    fn the_next_file_goes_where_the_last_was_saved() {
        let _zh = crate::i18n::lang_switch();
        let dir = std::env::temp_dir().join("pharmacrm-saved-here");
        remember_saved_in(&dir);
        assert_eq!(download_dir(), dir);
        assert!(export_hint().contains(&dir.display().to_string()));
    }
}
