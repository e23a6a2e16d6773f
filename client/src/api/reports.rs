//! ReportService calls, and the export: the stream of an .xlsx file received into a
//! `.part` file beside its target and renamed onto it once complete ([`super::files`]).

use std::sync::{Arc, Mutex};

use pharmacrm_shared::pb;
use pharmacrm_shared::pb::export_chunk::Part;
use tokio::sync::oneshot;

use super::Api;
use super::files::{ExportOutcome, ExportTarget, FileFault, PartFile, create_part};
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
                    let offered = progress.lock().expect("lock").file_name.clone();
                    part = Some(match create_part(&target, &offered) {
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
                    None => match create_part(
                        &target,
                        &progress.lock().expect("lock").file_name.clone(),
                    ) {
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
                        error: FileFault::writing(&e),
                    },
                });
            }
            None => {}
        }
    }
}
