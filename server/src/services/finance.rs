//! `pharmacrm.v1.FinanceService`: payments, invoices, statements, reconciliation and
//! arrears. Thin handlers: session → convert → one transaction (an operation of
//! [`crate::ops::finance`]) → convert back.

use std::sync::Arc;

use pharmacrm_shared::pb::{self, finance_service_server::FinanceService};
use tonic::{Request, Response, Status};

use crate::auth::Session;
use crate::convert::{finance as conv, id, page};
use crate::db::models::{display_name_of, payment};
use crate::error::AppResult;
use crate::ops::finance as ops;
use crate::state::AppState;

/// At most this many movements in a statement on screen (the export holds every row).
const STATEMENT_ROWS: usize = 5_000;

/// The FinanceService implementation.
pub struct FinanceApi {
    state: Arc<AppState>,
}

impl FinanceApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        FinanceApi { state }
    }

    /// Payment `id` as `session` sees it, read after a change.
    async fn payment_reply(&self, session: &Session, payment_id: i64) -> AppResult<pb::Payment> {
        let mut views = self
            .state
            .read_scoped(session, move |conn, reps| {
                let row = payment::find(conn, reps, payment_id, false)?;
                ops::payment_views(conn, vec![row])
            })
            .await?;
        Ok(conv::payment(views.remove(0)))
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl FinanceService for FinanceApi {
    async fn record_payment(
        &self,
        request: Request<pb::RecordPaymentRequest>,
    ) -> Reply<pb::Payment> {
        let session = Session::of(&request)?;
        let input = conv::payment_input(request.into_inner(), self.state.clock.today())?;
        let today = self.state.clock.today();
        let row = self
            .state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::record_payment(conn, ctx, reps, &input, today)
            })
            .await?;
        Ok(Response::new(self.payment_reply(&session, row.id).await?))
    }

    async fn reverse_payment(
        &self,
        request: Request<pb::ReversePaymentRequest>,
    ) -> Reply<pb::Payment> {
        let session = Session::of(&request)?;
        let (payment_id, version, reason, date) = conv::reversal(request.into_inner())?;
        let today = self.state.clock.today();
        self.state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::reverse_payment(conn, ctx, reps, payment_id, version, &reason, date, today)
            })
            .await?;
        Ok(Response::new(
            self.payment_reply(&session, payment_id).await?,
        ))
    }

    async fn list_payments(
        &self,
        request: Request<pb::ListPaymentsRequest>,
    ) -> Reply<pb::ListPaymentsResponse> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let filter = conv::payment_filter(&r)?;
        let (offset, limit) = page(r.page);
        let (rows, total, sum) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::list_payments(conn, reps, &filter, offset, limit)
            })
            .await?;
        Ok(Response::new(pb::ListPaymentsResponse {
            payments: rows.into_iter().map(conv::payment).collect(),
            total: u64::try_from(total).unwrap_or_default(),
            total_amount: pharmacrm_shared::money::to_wire(&sum),
        }))
    }

    async fn record_invoice(
        &self,
        request: Request<pb::RecordInvoiceRequest>,
    ) -> Reply<pb::Invoice> {
        let session = Session::of(&request)?;
        let input = conv::invoice_input(request.into_inner(), self.state.clock.today())?;
        let mut views = self
            .state
            .write_scoped(session, move |conn, ctx, reps| {
                let row = ops::record_invoice(conn, ctx, reps, &input)?;
                ops::invoice_views(conn, vec![row])
            })
            .await?;
        Ok(Response::new(conv::invoice(views.remove(0))))
    }

    async fn list_invoices(
        &self,
        request: Request<pb::ListInvoicesRequest>,
    ) -> Reply<pb::ListInvoicesResponse> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let filter = conv::invoice_filter(&r)?;
        let (offset, limit) = page(r.page);
        let (rows, totals) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::list_invoices(conn, reps, &filter, offset, limit)
            })
            .await?;
        Ok(Response::new(pb::ListInvoicesResponse {
            invoices: rows.into_iter().map(conv::invoice).collect(),
            total: u64::try_from(totals.count).unwrap_or_default(),
            total_amount: pharmacrm_shared::money::to_wire(&totals.amount),
            total_on_order: totals
                .on_order
                .map(|d| pharmacrm_shared::money::to_wire(&d))
                .unwrap_or_default(),
        }))
    }

    async fn get_order_finance(
        &self,
        request: Request<pb::GetOrderFinanceRequest>,
    ) -> Reply<pb::OrderFinance> {
        let session = Session::of(&request)?;
        let order_id = id("order_id", request.into_inner().order_id)?;
        let found = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::order_finance(conn, reps, order_id)
            })
            .await?;
        Ok(Response::new(conv::order_finance(found)))
    }

    async fn get_statement(&self, request: Request<pb::StatementRequest>) -> Reply<pb::Statement> {
        let session = Session::of(&request)?;
        let q = conv::statement_query(&request.into_inner(), self.state.clock.today())?;
        let s = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::statement(conn, reps, &q, STATEMENT_ROWS)
            })
            .await?;
        Ok(Response::new(conv::statement(s)))
    }

    async fn reconcile(&self, request: Request<pb::ReconcileRequest>) -> Reply<pb::Reconciliation> {
        let session = Session::of(&request)?;
        let (customer_id, from, to, closing, note) = conv::reconcile_request(request.into_inner())?;
        let today = self.state.clock.today();
        let (row, by) = self
            .state
            .write_scoped(session, move |conn, ctx, reps| {
                let row = ops::reconcile(
                    conn,
                    ctx,
                    reps,
                    customer_id,
                    from,
                    to,
                    closing,
                    &note,
                    today,
                )?;
                let by = display_name_of(conn, Some(row.created_by))?;
                Ok((row, by))
            })
            .await?;
        Ok(Response::new(conv::reconciliation(row, by, String::new())))
    }

    async fn reopen_reconciliation(
        &self,
        request: Request<pb::ReopenReconciliationRequest>,
    ) -> Reply<pb::Reconciliation> {
        let session = Session::of(&request)?;
        let (customer_id, through, reason) = conv::reopen_request(request.into_inner())?;
        let (row, by, reopened_by) = self
            .state
            .write_scoped(session, move |conn, ctx, reps| {
                let row =
                    ops::reopen_reconciliation(conn, ctx, reps, customer_id, through, &reason)?;
                let by = display_name_of(conn, Some(row.created_by))?;
                let reopened_by = display_name_of(conn, row.reopened_by)?;
                Ok((row, by, reopened_by))
            })
            .await?;
        Ok(Response::new(conv::reconciliation(row, by, reopened_by)))
    }

    async fn list_arrears(
        &self,
        request: Request<pb::ListArrearsRequest>,
    ) -> Reply<pb::ListArrearsResponse> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let filter = conv::arrears_filter(&r)?;
        let (offset, limit) = page(r.page);
        let today = self.state.clock.today();
        // One snapshot: the credit beside the totals is of the same moment.
        let ((rows, total, totals), (credit_customers, credit)) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                Ok((
                    ops::arrears(conn, reps, &filter, today, offset, limit)?,
                    ops::arrears_credit(conn, reps, &filter, today)?,
                ))
            })
            .await?;
        Ok(Response::new(pb::ListArrearsResponse {
            credit_customers: u64::try_from(credit_customers).unwrap_or_default(),
            credit: pharmacrm_shared::money::to_wire(&credit),
            rows: rows
                .into_iter()
                .map(|r| conv::arrears_row(r, today))
                .collect(),
            total: u64::try_from(total).unwrap_or_default(),
            overdue: pharmacrm_shared::money::to_wire(&totals.overdue()),
            ageing: Some(conv::ageing(&totals, today)),
        }))
    }

    async fn list_reconciliations(
        &self,
        request: Request<pb::ListReconciliationsRequest>,
    ) -> Reply<pb::ListReconciliationsResponse> {
        let session = Session::of(&request)?;
        let customer_id = id("customer_id", request.into_inner().customer_id)?;
        let (rows, names) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::reconciliations(conn, reps, customer_id)
            })
            .await?;
        let name = |id: Option<i64>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
        Ok(Response::new(pb::ListReconciliationsResponse {
            reconciliations: rows
                .into_iter()
                .map(|r| {
                    let (by, reopened_by) = (name(Some(r.created_by)), name(r.reopened_by));
                    conv::reconciliation(r, by, reopened_by)
                })
                .collect(),
        }))
    }

    async fn write_off_receivable(
        &self,
        request: Request<pb::WriteOffReceivableRequest>,
    ) -> Reply<pb::WriteOff> {
        let session = Session::of(&request)?;
        let input = conv::write_off_input(request.into_inner())?;
        let today = self.state.clock.today();
        let view = self
            .state
            .write_scoped(session, move |conn, ctx, reps| {
                let row = ops::write_off(conn, ctx, reps, &input, today)?;
                ops::write_off_views(conn, vec![row])
            })
            .await?;
        Ok(Response::new(one_write_off(view)?))
    }

    async fn reverse_write_off(
        &self,
        request: Request<pb::ReverseWriteOffRequest>,
    ) -> Reply<pb::WriteOff> {
        let session = Session::of(&request)?;
        let (id, version, reason) = conv::write_off_reversal(request.into_inner())?;
        let today = self.state.clock.today();
        let view = self
            .state
            .write_scoped(session, move |conn, ctx, reps| {
                let row = ops::reverse_write_off(conn, ctx, reps, id, version, &reason, today)?;
                ops::write_off_views(conn, vec![row])
            })
            .await?;
        Ok(Response::new(one_write_off(view)?))
    }

    async fn list_write_offs(
        &self,
        request: Request<pb::ListWriteOffsRequest>,
    ) -> Reply<pb::ListWriteOffsResponse> {
        let session = Session::of(&request)?;
        let r = request.into_inner();
        let filter = conv::write_off_filter(&r)?;
        let (offset, limit) = page(r.page);
        let (rows, total, in_effect) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::list_write_offs(conn, reps, &filter, offset, limit)
            })
            .await?;
        Ok(Response::new(pb::ListWriteOffsResponse {
            write_offs: rows.into_iter().map(conv::write_off).collect(),
            total: u64::try_from(total).unwrap_or_default(),
            total_in_effect: pharmacrm_shared::money::to_wire(&in_effect),
        }))
    }

    async fn list_open_items(
        &self,
        request: Request<pb::ListOpenItemsRequest>,
    ) -> Reply<pb::OpenItems> {
        let session = Session::of(&request)?;
        let customer_id = id("customer_id", request.into_inner().customer_id)?;
        let today = self.state.clock.today();
        let found = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::open_items(conn, reps, customer_id, today)
            })
            .await?;
        Ok(Response::new(conv::open_items(found, today)))
    }
}

/// The one write-off a write answered with.
fn one_write_off(mut views: Vec<ops::WriteOffView>) -> Result<pb::WriteOff, Status> {
    views.pop().map(conv::write_off).ok_or_else(|| {
        crate::error::AppError::Internal(anyhow::anyhow!("write-off view missing")).into()
    })
}
