//! ReportService calls, and the export: the stream of an .xlsx file written to a `.part`
//! file beside its target and renamed onto it once complete. A cancelled or failed export
//! leaves nothing behind. A file already at the target is replaced, as the client's other
//! saves do (a chooser asks first, a typed path does not), and the outcome says so.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pharmacrm_shared::pb;
use pharmacrm_shared::pb::export_chunk::Part;
use tokio::sync::oneshot;

use super::Api;
use crate::backend::Promise;

calls! {
    /// ReportService: the figures of 统计分析, each within the caller's data scope.
    ReportCalls = reports via reports {
        /// Drug sales (药品销售情况), per drug, one page.
        fn drug_sales(pb::DrugSalesRequest) -> pb::DrugSalesReport;
        /// Drug sales over time, one point per day, week or month.
        fn drug_sales_series(pb::DrugSalesSeriesRequest) -> pb::DrugSalesSeriesReport;
        /// Customers per province, or per city of one province (客户地域分布).
        fn customer_distribution(pb::CustomerDistributionRequest) -> pb::CustomerDistributionReport;
        /// Sales or CS reps ranked by sales (员工销售业绩), one page.
        fn employee_performance(pb::EmployeePerformanceRequest) -> pb::EmployeePerformanceReport;
        /// Per customer (客户消费情况), one page.
        fn customer_consumption(pb::CustomerConsumptionRequest) -> pb::CustomerConsumptionReport;
        /// Sales per province, or per city of one province (地区销售情况).
        fn regional_sales(pb::RegionalSalesRequest) -> pb::RegionalSalesReport;
        /// Transport exceptions, grouped (异常反馈情况), one page.
        fn exceptions(pb::ExceptionsRequest) -> pb::ExceptionsReport;
    }
}

/// Where an export is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportTarget {
    /// This file (replaced if it exists; the outcome says so).
    File(PathBuf),
    /// This folder, under the file name the server offers (`fallback` when it offers
    /// none).
    Folder {
        /// The folder.
        dir: PathBuf,
        /// The name to use when the server gives none.
        fallback: String,
    },
}

impl ExportTarget {
    /// The file to write, given the name the server offered (empty: none).
    fn resolve(&self, offered: &str) -> PathBuf {
        match self {
            ExportTarget::File(path) => path.clone(),
            ExportTarget::Folder { dir, fallback } => {
                // Only the name: a server's path never chooses the folder.
                match Path::new(offered).file_name() {
                    Some(name) => dir.join(name),
                    None => dir.join(fallback),
                }
            }
        }
    }
}

/// How far an export has got, shared between the task receiving it and the UI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportProgress {
    /// Rows written so far.
    pub rows: u64,
    /// Rows of the whole report.
    pub total: u64,
    /// The file name the server offers.
    pub file_name: String,
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
        /// The system's reason.
        error: String,
    },
    /// The stream ended early or its size did not match (nothing was kept).
    Incomplete,
}

impl ReportCalls<'_> {
    /// Exports a report to `target`, updating `progress` as rows are written. Sending on
    /// (or dropping) the sender of `cancel` closes the stream, which cancels the export on
    /// the server, and deletes what was received.
    pub fn export(
        &self,
        request: pb::ExportRequest,
        target: ExportTarget,
        progress: Arc<Mutex<ExportProgress>>,
        cancel: oneshot::Receiver<()>,
    ) -> Promise<ExportOutcome> {
        self.0
            .call(move |api| receive_export(api, request, target, progress, cancel))
    }
}

/// Receives the export stream into a `.part` file beside the target.
async fn receive_export(
    api: Api,
    request: pb::ExportRequest,
    target: ExportTarget,
    progress: Arc<Mutex<ExportProgress>>,
    mut cancel: oneshot::Receiver<()>,
) -> Result<ExportOutcome, tonic::Status> {
    let mut client = api.reports();
    let response = tokio::select! {
        biased;
        _ = &mut cancel => return Ok(ExportOutcome::Cancelled),
        response = client.export(request) => response?,
    };
    let mut stream = response.into_inner();
    // Created at the first piece of the file (progress messages come first, with the
    // name); deleted when dropped unfinished: on cancel, on error, on an early end.
    let mut part: Option<PartFile> = None;
    loop {
        let message = tokio::select! {
            biased;
            _ = &mut cancel => return Ok(ExportOutcome::Cancelled),
            message = stream.message() => message?,
        };
        let Some(chunk) = message else {
            return Ok(ExportOutcome::Incomplete);
        };
        match chunk.part {
            Some(Part::Progress(p)) => {
                let mut shown = progress.lock().expect("lock");
                shown.rows = p.rows;
                shown.total = p.total;
                if !p.file_name.is_empty() {
                    shown.file_name = p.file_name;
                }
            }
            Some(Part::Data(bytes)) => {
                if part.is_none() {
                    part = Some(match create_part(&target, &progress) {
                        Ok(file) => file,
                        Err(outcome) => return Ok(outcome),
                    });
                }
                let file = part.as_mut().expect("created above");
                if let Err(e) = file.write(&bytes) {
                    return Ok(file.error(&e));
                }
            }
            Some(Part::Done(done)) => {
                let file = match part.take() {
                    Some(file) => file,
                    None => match create_part(&target, &progress) {
                        Ok(file) => file,
                        Err(outcome) => return Ok(outcome),
                    },
                };
                if file.written != done.bytes {
                    return Ok(ExportOutcome::Incomplete);
                }
                {
                    let mut shown = progress.lock().expect("lock");
                    shown.rows = done.rows;
                    shown.total = shown.total.max(done.rows);
                }
                let target = file.target.clone();
                return Ok(match file.finish() {
                    Ok((path, replaced)) => ExportOutcome::Saved {
                        path,
                        rows: done.rows,
                        replaced,
                    },
                    Err(e) => ExportOutcome::FileError {
                        path: target,
                        error: e.to_string(),
                    },
                });
            }
            None => {}
        }
    }
}

/// The `.part` file of `target`, named as the server offered so far.
fn create_part(
    target: &ExportTarget,
    progress: &Mutex<ExportProgress>,
) -> Result<PartFile, ExportOutcome> {
    let offered = progress.lock().expect("lock").file_name.clone();
    let path = target.resolve(&offered);
    // A folder typed as one ("…/reports/") is made when missing, as a save dialog would.
    if let ExportTarget::Folder { dir, .. } = target
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return Err(ExportOutcome::FileError {
            path: dir.clone(),
            error: e.to_string(),
        });
    }
    PartFile::create(path.clone()).map_err(|e| ExportOutcome::FileError {
        path,
        error: e.to_string(),
    })
}

/// A file being received: written as `<target>.part`, renamed onto the target by
/// [`PartFile::finish`], deleted when dropped unfinished.
struct PartFile {
    target: PathBuf,
    part: PathBuf,
    file: Option<std::fs::File>,
    written: u64,
    finished: bool,
}

impl PartFile {
    /// Creates (or truncates) the `.part` file beside `target`.
    fn create(target: PathBuf) -> std::io::Result<PartFile> {
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
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file
            .as_mut()
            .expect("open until finished")
            .write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// The outcome of a failed write to the file.
    fn error(&self, e: &std::io::Error) -> ExportOutcome {
        ExportOutcome::FileError {
            path: self.target.clone(),
            error: e.to_string(),
        }
    }

    /// Flushes the file and renames it onto the target; returns the target's path
    /// (absolute when it can be read back) and whether a file already there was replaced.
    fn finish(mut self) -> std::io::Result<(PathBuf, bool)> {
        let file = self.file.take().expect("open until finished");
        file.sync_all()?;
        drop(file);
        let replaced = self.target.exists();
        std::fs::rename(&self.part, &self.target)?;
        self.finished = true;
        let path = std::fs::canonicalize(&self.target).unwrap_or_else(|_| self.target.clone());
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
        let progress = Mutex::new(ExportProgress {
            file_name: "Drug sales_2026-11-01_2026-11-30.xlsx".into(),
            ..Default::default()
        });
        let part = create_part(&target, &progress).expect("the folder is made");
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
}
