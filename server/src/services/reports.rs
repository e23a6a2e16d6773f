//! `pharmacrm.v1.ReportService`: the reports over what was sold ([`crate::ops::reports`]).

use std::sync::Arc;

use pharmacrm_shared::money;
use pharmacrm_shared::pb::{self, report_service_server::ReportService};
use tonic::{Request, Response, Status};

use crate::auth::Session;
use crate::convert::{date, page};
use crate::error::{AppError, FieldCheck};
use crate::msg;
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
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl ReportService for ReportApi {
    async fn drug_sales(
        &self,
        request: Request<pb::DrugSalesRequest>,
    ) -> Reply<pb::DrugSalesReport> {
        let session = Session::of(&request)?;
        let pb::DrugSalesRequest {
            date_from,
            date_to,
            drug_id,
            page: requested,
        } = request.into_inner();
        let mut check = FieldCheck::default();
        let from = date("date_from", &date_from, &mut check);
        let to = date("date_to", &date_to, &mut check);
        check.finish()?;
        let (Some(from), Some(to)) = (from, to) else {
            let field = if from.is_none() {
                "date_from"
            } else {
                "date_to"
            };
            return Err(AppError::field(field, msg!("field.required")).into());
        };
        if from > to {
            return Err(AppError::field("date_to", msg!("finance.period_reversed")).into());
        }
        let (offset, limit) = page(requested);
        let viewer = session.viewer();
        let (rows, total, quantity, amount) = self
            .state
            .db
            .run(move |conn| {
                let reps = viewer.reps(conn)?;
                ops::drug_sales(conn, &reps, from, to, drug_id, offset, limit)
            })
            .await?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(Response::new(pb::DrugSalesReport {
            rows: rows
                .into_iter()
                .map(|r| pb::DrugSalesRow {
                    drug_id: r.drug_id,
                    drug_name: r.drug_name,
                    specification: r.specification,
                    quantity: r.quantity,
                    amount: money::to_wire(&r.amount),
                    orders: count(r.orders),
                    customers: count(r.customers),
                })
                .collect(),
            total: u64::try_from(total).unwrap_or_default(),
            quantity,
            amount: money::to_wire(&amount),
        }))
    }
}
