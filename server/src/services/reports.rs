//! `pharmacrm.v1.ReportService`: the reports over what was sold ([`crate::ops::reports`])
//! and their export ([`crate::ops::report_export`]).

use std::sync::Arc;

use pharmacrm_shared::pb::{self, report_service_server::ReportService};
use pharmacrm_shared::{DataScope, Permission};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::access;
use crate::auth::Session;
use crate::convert::page;
use crate::convert::reports as convert;
use crate::db::models::audit_log::{self, Event};
use crate::db::models::drug_category;
use crate::error::{AppError, AppResult, Msg};
use crate::messages::Lang;
use crate::msg;
use crate::ops::report_export::{self, Context, Job, Outcome};
use crate::ops::reports as ops;
use crate::state::AppState;

/// The ReportService implementation.
pub struct ReportApi {
    state: Arc<AppState>,
}

impl ReportApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        ReportApi { state }
    }

    /// When, and within what scope, a report is being run.
    fn run_info(&self, session: &Session) -> pb::ReportRun {
        let now = self.state.clock.now();
        convert::run(&self.state.clock, now, session.data_scope)
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl ReportService for ReportApi {
    async fn drug_sales(
        &self,
        request: Request<pb::DrugSalesRequest>,
    ) -> Reply<pb::DrugSalesReport> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let (period, filter, sort) = convert::drug_sales(&r)?;
        let (offset, limit) = page(r.page);
        let (rows, totals, paths) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let (q, totals) = ops::drug_sales(conn, reps, period, &filter, &sort)?;
                let rows: Vec<ops::DrugSales> = ops::page(conn, &q, offset, limit)?;
                Ok((rows, totals, drug_category::paths(conn)?))
            })
            .await?;
        Ok(Response::new(convert::drug_sales_report(
            rows,
            totals,
            &paths,
            self.run_info(&session),
        )))
    }

    async fn drug_sales_series(
        &self,
        request: Request<pb::DrugSalesSeriesRequest>,
    ) -> Reply<pb::DrugSalesSeriesReport> {
        let session = Session::of(&request)?;
        let today = self.state.clock.today();
        let (period, filter, interval) = convert::drug_sales_series(request.get_ref(), today)?;
        let (points, totals) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let (q, totals) = ops::drug_sales_series(conn, reps, period, &filter, interval)?;
                let points: Vec<ops::SeriesPoint> = ops::page(conn, &q, 0, ops::MAX_SERIES_POINTS)?;
                Ok((points, totals))
            })
            .await?;
        Ok(Response::new(convert::drug_sales_series_report(
            points,
            totals,
            self.run_info(&session),
        )))
    }

    async fn customer_distribution(
        &self,
        request: Request<pb::CustomerDistributionRequest>,
    ) -> Reply<pb::CustomerDistributionReport> {
        let session = Session::of(&request)?;
        let (filter, sort) = convert::customer_distribution(request.get_ref())?;
        let (rows, customers) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let (q, customers) = ops::customer_distribution(conn, reps, &filter, &sort)?;
                // At most the 34 provinces or one province's cities.
                let rows: Vec<ops::RegionCount> = ops::page(conn, &q, 0, 1_000)?;
                Ok((rows, customers))
            })
            .await?;
        Ok(Response::new(convert::customer_distribution_report(
            rows,
            customers,
            self.run_info(&session),
        )))
    }

    async fn employee_performance(
        &self,
        request: Request<pb::EmployeePerformanceRequest>,
    ) -> Reply<pb::EmployeePerformanceReport> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let (period, role, sort) = convert::employee_performance(&r)?;
        let (offset, limit) = page(r.page);
        let (rows, totals) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let (q, totals) = ops::employee_performance(conn, reps, period, role, &sort)?;
                let rows: Vec<ops::RepPerformance> = ops::page(conn, &q, offset, limit)?;
                Ok((rows, totals))
            })
            .await?;
        Ok(Response::new(convert::employee_performance_report(
            rows,
            totals,
            self.run_info(&session),
        )))
    }

    async fn customer_consumption(
        &self,
        request: Request<pb::CustomerConsumptionRequest>,
    ) -> Reply<pb::CustomerConsumptionReport> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let (period, province_code, sort) = convert::customer_consumption(&r)?;
        let (offset, limit) = page(r.page);
        let (rows, totals) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let (q, totals) =
                    ops::customer_consumption(conn, reps, period, &province_code, &sort)?;
                let rows: Vec<ops::CustomerConsumption> = ops::page(conn, &q, offset, limit)?;
                Ok((rows, totals))
            })
            .await?;
        Ok(Response::new(convert::customer_consumption_report(
            rows,
            totals,
            self.run_info(&session),
        )))
    }

    async fn regional_sales(
        &self,
        request: Request<pb::RegionalSalesRequest>,
    ) -> Reply<pb::RegionalSalesReport> {
        let session = Session::of(&request)?;
        let (period, province_code, sort) = convert::regional_sales(request.get_ref())?;
        let (rows, totals) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let (q, totals) = ops::regional_sales(conn, reps, period, &province_code, &sort)?;
                // At most the 34 provinces or one province's cities.
                let rows: Vec<ops::RegionSales> = ops::page(conn, &q, 0, 1_000)?;
                Ok((rows, totals))
            })
            .await?;
        Ok(Response::new(convert::regional_sales_report(
            rows,
            totals,
            self.run_info(&session),
        )))
    }

    async fn exceptions(
        &self,
        request: Request<pb::ExceptionsRequest>,
    ) -> Reply<pb::ExceptionsReport> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let (period, grouping, sort) = convert::exceptions(&r)?;
        let (offset, limit) = page(r.page);
        let days = report_export::days(&self.state.clock, period);
        let (rows, totals) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let (q, totals) = ops::exceptions(conn, reps, days, grouping, &sort)?;
                let rows: Vec<ops::ExceptionGroup> = ops::page(conn, &q, offset, limit)?;
                Ok((rows, totals))
            })
            .await?;
        Ok(Response::new(convert::exceptions_report(
            rows,
            totals,
            self.run_info(&session),
        )))
    }

    type ExportStream = ReceiverStream<Result<pb::ExportChunk, Status>>;

    async fn export(&self, request: Request<pb::ExportRequest>) -> Reply<Self::ExportStream> {
        let session = Session::of(&request)?;
        access::require_may_export(&session.grants(), request.get_ref())?;
        let (job, lang) =
            convert::export(request.get_ref(), self.state.clock.today(), session.user_id)?;
        // Held by the task below until the file is handed out or the caller has gone.
        let slot = self.state.exports.take()?;
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let state = self.state.clone();
        let lines = export_lines(&session, &state, lang, job.goes_to_customer());
        let id_key = session
            .has(Permission::CustomerSensitiveRead)
            .then(|| state.data_key.clone());
        let viewer = session.viewer();
        let actor = session.actor();
        tokio::spawn(async move {
            let _slot = slot;
            let errors = tx.clone();
            if let Err(e) = export(state, job, lang, viewer, lines, id_key, actor, tx).await {
                let _ = errors.send(Err(Status::from(e))).await;
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

/// Runs an export: the file is written on one snapshot (a pooled connection held only
/// while rows are written), then audited, then handed out from async code in pieces, then
/// "done". A caller gone at any point stops it; the file is deleted whatever happens.
#[allow(clippy::too_many_arguments)]
async fn export(
    state: Arc<AppState>,
    job: Job,
    lang: Lang,
    viewer: crate::db::scope::Viewer,
    lines: Vec<(String, String)>,
    id_key: Option<Arc<crate::crypto::DataKey>>,
    actor: crate::db::models::Actor,
    tx: tokio::sync::mpsc::Sender<Result<pb::ExportChunk, Status>>,
) -> AppResult<()> {
    use std::io::Read;

    let written = {
        let (state, tx, job) = (state.clone(), tx.clone(), job.clone());
        let masked = id_key.is_none();
        state
            .db
            .clone()
            .run(move |conn| {
                crate::db::snapshot(conn, |conn| {
                    let reps = viewer.reps(conn)?;
                    // For the audit log, as its other records read: in Chinese, by name
                    // ("期间": "2026-11-01 至 2026-11-30", "药品": "阿莫西林胶囊 0.25g×24粒").
                    let mut filters = serde_json::Map::new();
                    let zh = |m: Msg| m.text(Lang::Zh).to_owned();
                    if let Some(period) = job.period() {
                        let (from, to) = (period.from, period.to);
                        filters.insert(
                            zh(msg!("report.sheet.period")),
                            zh(msg!("report.sheet.period_value", from = from, to = to)).into(),
                        );
                    }
                    let zh_lines = report_export::filter_lines(conn, &job, &reps, Lang::Zh)?;
                    // The sheet's in its own language: the same lines when that is Chinese.
                    let sheet_lines = if lang == Lang::Zh {
                        zh_lines.clone()
                    } else {
                        report_export::filter_lines(conn, &job, &reps, lang)?
                    };
                    for (label, value) in zh_lines {
                        filters.insert(label, value.into());
                    }
                    let mut lines = lines;
                    lines.splice(0..0, sheet_lines);
                    let ctx = Context {
                        reps: &reps,
                        clock: &state.clock,
                        id_key: id_key.as_deref(),
                        lines,
                        lang,
                        dir: &state.settings.export_dir,
                    };
                    let mut send = |chunk| tx.blocking_send(Ok(chunk)).is_ok();
                    report_export::export(conn, &job, &ctx, &mut send)
                        .map(|outcome| (outcome, filters))
                })
            })
            .await
            .map(|(outcome, filters)| (outcome, masked, filters))?
    };
    let (Outcome::Written { file, rows, bytes }, masked, filters) = written else {
        return Ok(());
    };
    if tx.is_closed() {
        return Ok(());
    }
    let file_error =
        |e: std::io::Error| AppError::Internal(anyhow::anyhow!("the export's file: {e}"));
    // Audited before any byte leaves: whoever receives the file is on record.
    let key = job.key();
    let audit_key = state.audit_key.clone();
    state
        .db
        .transaction(move |conn| {
            audit_log::record(
                conn,
                &audit_key,
                &actor,
                None,
                Event {
                    action: "report.export",
                    object_type: "report",
                    object_id: key.to_owned(),
                    before: None,
                    after: Some(serde_json::json!({
                        "report": key,
                        "filters": filters.clone(),
                        "rows": rows,
                        "bytes": bytes,
                        "masked_ids": masked,
                    })),
                },
            )
        })
        .await?;
    // Read on the blocking pool, a piece at a time, each sent before the next is read.
    let mut reader = Some(std::fs::File::open(file.path()).map_err(file_error)?);
    loop {
        let Some(mut r) = reader.take() else { break };
        let (r, piece) = tokio::task::spawn_blocking(move || {
            let mut buffer = vec![0u8; report_export::CHUNK];
            let n = r.read(&mut buffer)?;
            buffer.truncate(n);
            Ok::<_, std::io::Error>((r, buffer))
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(file_error)?;
        if piece.is_empty() {
            break;
        }
        let piece = pb::ExportChunk {
            part: Some(pb::export_chunk::Part::Data(piece)),
        };
        if tx.send(Ok(piece)).await.is_err() {
            return Ok(());
        }
        reader = Some(r);
    }
    let done = pb::ExportChunk {
        part: Some(pb::export_chunk::Part::Done(pb::ExportDone { rows, bytes })),
    };
    let _ = tx.send(Ok(done)).await;
    drop(file);
    Ok(())
}

/// The lines an exported workbook's title block ends with, in `lang`: the data scope it
/// was read in (数据范围), who exported it (导出人：周财务（finance1）) and when, in the
/// business time zone (导出时间：2026-12-05 10:20:30 +08:00). A document that goes to the
/// customer (`to_customer`: one customer's statement) says who made it out and when
/// (制表人：周财务, 制表日期), not our scope and login names.
pub(crate) fn export_lines(
    session: &Session,
    state: &AppState,
    lang: Lang,
    to_customer: bool,
) -> Vec<(String, String)> {
    let local = state.clock.now().with_timezone(&state.clock.zone());
    let l = |m: Msg| m.text(lang).to_owned();
    if to_customer {
        return vec![
            (
                l(msg!("report.sheet.made_by")),
                session.display_name.clone(),
            ),
            (
                l(msg!("report.sheet.made_at")),
                local.format("%Y-%m-%d").to_string(),
            ),
        ];
    }
    let exporter = msg!(
        "report.sheet.exporter",
        name = session.display_name,
        username = session.username
    );
    vec![
        (
            l(msg!("report.sheet.scope")),
            l(scope_label(session.data_scope)),
        ),
        (l(msg!("report.sheet.exported_by")), l(exporter)),
        (
            l(msg!("report.sheet.exported_at")),
            local.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
        ),
    ]
}

/// The scope a sheet says its figures were limited to.
fn scope_label(scope: Option<DataScope>) -> Msg {
    match scope {
        Some(DataScope::All) => msg!("report.sheet.scope.all"),
        Some(DataScope::Department) => msg!("report.sheet.scope.department"),
        Some(DataScope::Own) | None => msg!("report.sheet.scope.own"),
    }
}
