//! `pharmacrm.v1.AuditService`: searching the audit log.

use std::sync::Arc;

use pharmacrm_shared::pb::{self, audit_service_server::AuditService};
use tonic::{Request, Response, Status};

use crate::db::models::audit_log;
use crate::state::AppState;

/// The AuditService implementation.
pub struct AuditApi {
    state: Arc<AppState>,
}

impl AuditApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        AuditApi { state }
    }
}

#[tonic::async_trait]
impl AuditService for AuditApi {
    async fn search_audit(
        &self,
        request: Request<pb::SearchAuditRequest>,
    ) -> Result<Response<pb::SearchAuditResponse>, Status> {
        let (mut filter, (offset, limit)) =
            crate::convert::audit::search_audit(request.into_inner())?;
        let (rows, names, total) = self
            .state
            .db
            .run(move |conn| {
                crate::ops::audit::resolve_object(conn, &mut filter)?;
                let (rows, total) = audit_log::search(conn, &filter, offset, limit)?;
                let names = crate::ops::audit::names(conn, &rows)?;
                Ok((rows, names, total))
            })
            .await?;
        Ok(Response::new(pb::SearchAuditResponse {
            entries: rows
                .into_iter()
                .zip(names)
                .map(|(row, names)| pb::AuditEntry {
                    names,
                    ..pb::AuditEntry::from(row)
                })
                .collect(),
            total: u64::try_from(total).unwrap_or(0),
        }))
    }

    async fn list_audit_actions(
        &self,
        _request: Request<()>,
    ) -> Result<Response<pb::ListAuditActionsResponse>, Status> {
        let actions = self.state.db.run(audit_log::actions).await?;
        Ok(Response::new(pb::ListAuditActionsResponse { actions }))
    }
}
