//! Files the client saves from the server (report exports, statements, the import
//! template, certificate scans): where a typed path points ([`ExportTarget::typed`]), and
//! the writing, into a `.part` file beside the target renamed onto it once complete, so
//! that a cancelled or failed save leaves nothing behind. A file the user named is
//! replaced once they agreed (the chooser asks, and so does a typed path's
//! [`crate::widgets::PathField::save_target`]), and the outcome says so; saved
//! into a folder under the name the server offers, an export never replaces an earlier
//! file but takes the next free `名称 (2).xlsx`. Files the user picks to send are read by
//! [`read`]; why a file could not be read or written is a [`FileFault`], said in the UI's
//! language.
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where an export is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportTarget {
    /// This file (replaced if it exists; the outcome says so).
    File(PathBuf),
    /// This folder, under the file name the server offers (`fallback` when it offers
    /// none), numbered `(2)`, `(3)`, … when a file of that name is already there.
    Folder {
        /// The folder.
        dir: PathBuf,
        /// The name to use when the server gives none.
        fallback: String,
    },
}

impl ExportTarget {
    /// Where a path the user typed points: nothing typed, the download folder; an
    /// existing folder, or a path ending in a separator (a folder, made when missing), in
    /// that folder; either folder under the name the server offers (`fallback` when it
    /// offers none). Else that file, `.xlsx` added when missing.
    pub fn typed(typed: &str, fallback: &str) -> ExportTarget {
        let typed = typed.trim();
        let folder = |dir: PathBuf| ExportTarget::Folder {
            dir,
            fallback: fallback.to_owned(),
        };
        if typed.is_empty() {
            return folder(crate::widgets::download_dir());
        }
        let path = PathBuf::from(typed);
        if path.is_dir() || typed.ends_with(['/', std::path::MAIN_SEPARATOR]) {
            folder(path)
        } else {
            ExportTarget::File(with_xlsx(path))
        }
    }

    /// The file to write, given the name the server offered (empty: none).
    fn resolve(&self, offered: &str) -> PathBuf {
        match self {
            ExportTarget::File(path) => path.clone(),
            ExportTarget::Folder { dir, fallback } => {
                // Only the name: a server's path never chooses the folder.
                let name = Path::new(offered).file_name().unwrap_or(fallback.as_ref());
                unused_name(&dir.join(name))
            }
        }
    }
}

/// How an export ended, when the server was reached and did not refuse it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportOutcome {
    /// Complete, at `path`: `rows` rows (the totals row not counted).
    Saved {
        /// Where it was written.
        path: PathBuf,
        /// Rows written.
        rows: u64,
        /// Whether a file already there was replaced.
        replaced: bool,
    },
    /// Cancelled by the user; nothing was kept.
    Cancelled,
    /// The file could not be written (nothing was kept).
    FileError {
        /// The file.
        path: PathBuf,
        /// Why.
        error: FileFault,
    },
    /// The stream ended early or its size did not match (nothing was kept).
    Incomplete,
}

/// Why a file could not be read or written: the system's error kind, which the screens
/// name in the user's language, and the system's own text, shown for a kind they do not
/// name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFault {
    kind: std::io::ErrorKind,
    system: String,
    /// Reading (an import, a scan to attach), not writing: "the file does not exist"
    /// rather than "the folder does not exist".
    reading: bool,
}

impl FileFault {
    /// Why a file could not be written.
    pub fn writing(e: &std::io::Error) -> FileFault {
        FileFault {
            kind: e.kind(),
            system: e.to_string(),
            reading: false,
        }
    }

    /// Why a file could not be read.
    pub fn reading(e: &std::io::Error) -> FileFault {
        FileFault {
            reading: true,
            ..FileFault::writing(e)
        }
    }

    /// The reason in the UI's language ("路径中有一段是文件而不是文件夹"); for a rarer kind, the
    /// system's text ("… (os error 5)").
    pub fn reason(&self) -> String {
        self.reason_in(crate::i18n::lang())
    }

    /// The reason in `lang`.
    pub fn reason_in(&self, lang: crate::i18n::Lang) -> String {
        use std::io::ErrorKind as Kind;
        let key = match (self.kind, self.reading) {
            (Kind::NotFound, true) => "common.file_fault.no_file",
            (Kind::NotFound, false) => "common.file_fault.not_found",
            (Kind::PermissionDenied, true) => "common.file_fault.no_read_permission",
            (Kind::PermissionDenied, false) => "common.file_fault.permission",
            // A folder to make where a file is ("/etc/hostname/") exists already.
            (Kind::NotADirectory | Kind::AlreadyExists, _) => "common.file_fault.not_a_folder",
            (Kind::IsADirectory, _) => "common.file_fault.is_a_folder",
            (Kind::StorageFull | Kind::QuotaExceeded, _) => "common.file_fault.full",
            (Kind::ReadOnlyFilesystem, _) => "common.file_fault.read_only",
            (Kind::InvalidFilename, _) => "common.file_fault.bad_name",
            _ => return self.system.clone(),
        };
        crate::i18n::t_in(lang, key).to_owned()
    }
}

/// Reads the file the user chose at `path`, whole, to send in a request (a workbook to
/// import, a scan to attach).
///
/// # Errors
/// INVALID_ARGUMENT naming `field`, with the sentence in both languages as the server
/// sends its own ("无法读取 /tmp/药品.xlsx：文件不存在"), so the form shows it under the path.
pub fn read(path: &str, field: &str) -> Result<Vec<u8>, tonic::Status> {
    use crate::i18n::{Lang, t_in};
    use tonic_types::{ErrorDetails, FieldViolation, LocalizedMessage, StatusExt};
    std::fs::read(path).map_err(|e| {
        let fault = FileFault::reading(&e);
        let text = |lang| {
            t_in(lang, "common.file_read_error")
                .replace("{path}", path)
                .replace("{message}", &fault.reason_in(lang))
        };
        let (en, zh) = (text(Lang::En), text(Lang::Zh));
        let mut details = ErrorDetails::with_bad_request(vec![FieldViolation {
            field: field.to_owned(),
            description: en.clone(),
            reason: String::new(),
            localized_message: Some(LocalizedMessage::new("zh-CN", zh.clone())),
        }]);
        details.set_localized_message("zh-CN", zh);
        tonic::Status::with_error_details(tonic::Code::InvalidArgument, en, details)
    })
}

/// The `.part` file of `target`, named as the server offered (`offered`, empty: not yet).
pub(super) fn create_part(target: &ExportTarget, offered: &str) -> Result<PartFile, ExportOutcome> {
    let path = target.resolve(offered);
    // A folder typed as one ("…/reports/") is made when missing, as a save dialog would.
    if let ExportTarget::Folder { dir, .. } = target
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return Err(ExportOutcome::FileError {
            path: dir.clone(),
            error: FileFault::writing(&e),
        });
    }
    PartFile::create(path.clone()).map_err(|e| ExportOutcome::FileError {
        path,
        error: FileFault::writing(&e),
    })
}

/// A file being received: written as `<target>.part`, renamed onto the target by
/// [`PartFile::finish`], deleted when dropped unfinished.
pub(super) struct PartFile {
    /// The file it becomes once finished.
    pub(super) target: PathBuf,
    part: PathBuf,
    file: Option<std::fs::File>,
    /// Bytes written so far.
    pub(super) written: u64,
    finished: bool,
}

impl PartFile {
    /// Creates (or truncates) the `.part` file beside `target`.
    pub(super) fn create(target: PathBuf) -> std::io::Result<PartFile> {
        let part = part_path(&target);
        let file = std::fs::File::create(&part)?;
        Ok(PartFile {
            target,
            part,
            file: Some(file),
            written: 0,
            finished: false,
        })
    }

    /// Appends the next piece.
    pub(super) fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file
            .as_mut()
            .expect("open until finished")
            .write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// The outcome of a failed write to the file.
    pub(super) fn error(&self, e: &std::io::Error) -> ExportOutcome {
        ExportOutcome::FileError {
            path: self.target.clone(),
            error: FileFault::writing(e),
        }
    }

    /// Flushes the file and renames it onto the target; returns the target's path
    /// (absolute when it can be read back) and whether a file already there was replaced.
    pub(super) fn finish(mut self) -> std::io::Result<(PathBuf, bool)> {
        let file = self.file.take().expect("open until finished");
        file.sync_all()?;
        drop(file);
        let replaced = self.target.exists();
        std::fs::rename(&self.part, &self.target)?;
        self.finished = true;
        let path = std::fs::canonicalize(&self.target).unwrap_or_else(|_| self.target.clone());
        // The next file saved with no path typed goes here too.
        if let Some(dir) = path.parent() {
            crate::widgets::remember_saved_in(dir);
        }
        Ok((path, replaced))
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.finished {
            self.file = None;
            let _ = std::fs::remove_file(&self.part);
        }
    }
}

/// `path` when neither it nor its `.part` is there, else the first of `欠款_2026-12-03 (2).xlsx`,
/// `(3)`, … that is free: a file saved under the name the server offered (the day's
/// export, the month's statement) never replaces the one saved before it, as a browser
/// keeps its downloads. A name the user typed is theirs to replace.
fn unused_name(path: &Path) -> PathBuf {
    let taken = |p: &Path| p.exists() || part_path(p).exists();
    if !taken(path) {
        return path.to_owned();
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let extension = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| path.with_file_name(format!("{stem} ({n}){extension}")))
        .find(|candidate| !taken(candidate))
        .expect("some number is free")
}

/// `报表.xlsx` → `报表.xlsx.part`, in the same folder (so the rename never crosses file
/// systems).
fn part_path(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(std::ffi::OsStr::to_owned)
        .unwrap_or_else(|| "export.xlsx".into());
    name.push(".part");
    target.with_file_name(name)
}

/// Saves a file received whole (`content`, named `offered` by the server; empty: no name)
/// to `target` as an export stream is: through a `.part` file renamed onto it, a folder
/// typed as one made when missing. `Saved` (rows 0: not counted) or `FileError`.
pub fn save(target: &ExportTarget, offered: &str, content: &[u8]) -> ExportOutcome {
    let mut file = match create_part(target, offered) {
        Ok(file) => file,
        Err(outcome) => return outcome,
    };
    if let Err(e) = file.write(content) {
        return file.error(&e);
    }
    let path = file.target.clone();
    match file.finish() {
        Ok((path, replaced)) => ExportOutcome::Saved {
            path,
            rows: 0,
            replaced,
        },
        Err(e) => ExportOutcome::FileError {
            path,
            error: FileFault::writing(&e),
        },
    }
}

/// `path` ending in `.xlsx` (any case), the extension added when missing: Excel and the
/// file manager go by it.
fn with_xlsx(path: PathBuf) -> PathBuf {
    let is_xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        path
    } else {
        let mut name = path.into_os_string();
        name.push(".xlsx");
        PathBuf::from(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("pharmacrm-export-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn a_finished_part_file_replaces_the_target_and_leaves_no_part() {
        let dir = temp_dir("finished");
        let target = dir.join("药品销售情况.xlsx");
        std::fs::write(&target, b"old").expect("an older file");
        let mut part = PartFile::create(target.clone()).expect("create");
        assert_eq!(part.part, dir.join("药品销售情况.xlsx.part"));
        part.write(b"PK\x03\x04").expect("write");
        part.write(b"rest").expect("write");
        assert_eq!(part.written, 8);
        let (saved, replaced) = part.finish().expect("finish");
        assert!(replaced, "the older file was replaced, and says so");
        assert_eq!(std::fs::read(&saved).expect("read"), b"PK\x03\x04rest");
        assert!(!dir.join("药品销售情况.xlsx.part").exists());
        // A new file replaces nothing.
        let mut part = PartFile::create(dir.join("new.xlsx")).expect("create");
        part.write(b"PK").expect("write");
        let (_, replaced) = part.finish().expect("finish");
        assert!(!replaced);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_folder_typed_as_one_is_made() {
        let dir = temp_dir("folder").join("new").join("reports");
        let target = ExportTarget::Folder {
            dir: dir.clone(),
            fallback: "报表.xlsx".into(),
        };
        let part = create_part(&target, "Drug sales_2026-11-01_2026-11-30.xlsx")
            .expect("the folder is made");
        assert!(
            dir.join("Drug sales_2026-11-01_2026-11-30.xlsx.part")
                .exists()
        );
        drop(part);
        let _ = std::fs::remove_dir_all(dir.parent().and_then(Path::parent).unwrap());
    }

    #[test]
    fn an_unfinished_part_file_is_deleted_and_the_target_untouched() {
        let dir = temp_dir("dropped");
        let target = dir.join("report.xlsx");
        let mut part = PartFile::create(target.clone()).expect("create");
        part.write(b"PK").expect("write");
        assert!(dir.join("report.xlsx.part").exists());
        drop(part);
        assert!(!dir.join("report.xlsx.part").exists());
        assert!(!target.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_target_takes_the_offered_name_but_never_its_folders() {
        let target = ExportTarget::Folder {
            dir: PathBuf::from("/downloads"),
            fallback: "报表.xlsx".into(),
        };
        assert_eq!(
            target.resolve("药品销售情况_2026-11-01_2026-11-30.xlsx"),
            PathBuf::from("/downloads/药品销售情况_2026-11-01_2026-11-30.xlsx")
        );
        assert_eq!(
            target.resolve("../../etc/x.xlsx"),
            PathBuf::from("/downloads/x.xlsx")
        );
        assert_eq!(target.resolve(""), PathBuf::from("/downloads/报表.xlsx"));
        let file = ExportTarget::File(PathBuf::from("/tmp/a.xlsx"));
        assert_eq!(file.resolve("other.xlsx"), PathBuf::from("/tmp/a.xlsx"));
    }

    #[test]
    fn a_typed_name_without_the_extension_gets_it() {
        assert_eq!(with_xlsx("/tmp/a".into()), PathBuf::from("/tmp/a.xlsx"));
        assert_eq!(
            with_xlsx("/tmp/a.XLSX".into()),
            PathBuf::from("/tmp/a.XLSX")
        );
        assert_eq!(
            with_xlsx("/tmp/报表.v2".into()),
            PathBuf::from("/tmp/报表.v2.xlsx")
        );
    }

    #[test]
    fn why_a_file_could_not_be_written_or_read_is_said_in_the_users_language() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let dir = temp_dir("fault");
        std::fs::write(dir.join("a"), b"x").expect("a file");
        // A path through a file, not a folder.
        let typed = format!("{}/a/b", dir.display());
        let outcome = save(&ExportTarget::typed(&typed, "x.xlsx"), "", b"PK");
        let ExportOutcome::FileError { path, error } = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(path, dir.join("a").join("b.xlsx"));
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        assert_eq!(error.reason(), "路径中有一段是文件而不是文件夹");
        crate::i18n::set_lang(crate::i18n::Lang::En);
        assert_eq!(error.reason(), "part of the path is a file, not a folder");
        // A folder typed where a file is: the same reason.
        let typed = format!("{}/a/", dir.display());
        let outcome = save(&ExportTarget::typed(&typed, "x.xlsx"), "", b"PK");
        let ExportOutcome::FileError { error, .. } = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(error.reason(), "part of the path is a file, not a folder");
        // Reading: the file, not the folder, is missing.
        let missing = dir.join("药品.xlsx");
        let missing_text = missing.display().to_string();
        let refused = crate::api::ApiError::from(read(&missing_text, "workbook").unwrap_err());
        assert_eq!(
            refused.field("workbook").as_deref(),
            Some(format!("Cannot read {missing_text}: the file does not exist").as_str())
        );
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        assert_eq!(
            refused.message(),
            format!("无法读取 {missing_text}：文件不存在"),
            "in the language switched to after the failure"
        );
        crate::i18n::set_lang(crate::i18n::Lang::En);
        // A kind the screens do not name: the system's own text.
        let rare = FileFault::writing(&std::io::Error::other("device on fire"));
        assert_eq!(rare.reason(), "device on fire");
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_whole_file_is_saved_where_a_typed_path_points() {
        let dir = temp_dir("typed");
        // A folder that does not exist yet, typed as one: made, the offered name taken.
        let typed = format!("{}/statements/", dir.display());
        let outcome = save(
            &ExportTarget::typed(&typed, "对账单.xlsx"),
            "对账单_北京协和医院_2026-11.xlsx",
            b"PK",
        );
        let saved = dir
            .join("statements")
            .join("对账单_北京协和医院_2026-11.xlsx");
        assert!(
            matches!(
                &outcome,
                ExportOutcome::Saved {
                    replaced: false,
                    ..
                }
            ),
            "{outcome:?}"
        );
        assert_eq!(std::fs::read(&saved).expect("saved"), b"PK");
        // An existing folder typed without the separator: in it too, and the file saved
        // before under the same offered name is kept; the new one is numbered.
        let outcome = save(
            &ExportTarget::typed(&dir.join("statements").display().to_string(), "x.xlsx"),
            "对账单_北京协和医院_2026-11.xlsx",
            b"PK2",
        );
        let second = dir
            .join("statements")
            .join("对账单_北京协和医院_2026-11 (2).xlsx");
        assert!(
            matches!(&outcome, ExportOutcome::Saved { path, replaced: false, .. } if path.ends_with("对账单_北京协和医院_2026-11 (2).xlsx")),
            "{outcome:?}"
        );
        assert_eq!(std::fs::read(&saved).expect("the first kept"), b"PK");
        assert_eq!(
            std::fs::read(&second).expect("the second beside it"),
            b"PK2"
        );
        save(
            &ExportTarget::typed(&typed, "x.xlsx"),
            "对账单_北京协和医院_2026-11.xlsx",
            b"PK3",
        );
        assert!(
            dir.join("statements")
                .join("对账单_北京协和医院_2026-11 (3).xlsx")
                .exists()
        );
        // A file name typed is replaced, and the outcome says so.
        let outcome = save(
            &ExportTarget::typed(&saved.display().to_string(), "x.xlsx"),
            "",
            b"PK4",
        );
        assert!(
            matches!(&outcome, ExportOutcome::Saved { replaced: true, .. }),
            "{outcome:?}"
        );
        assert_eq!(std::fs::read(&saved).expect("replaced"), b"PK4");
        // A name without the extension gets it.
        save(
            &ExportTarget::typed(&dir.join("stmt").display().to_string(), "x.xlsx"),
            "",
            b"PK",
        );
        assert!(dir.join("stmt.xlsx").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
