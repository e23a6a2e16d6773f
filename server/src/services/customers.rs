//! `pharmacrm.v1.CustomerService`: profiles, the type dictionary and history, allocation.

use std::sync::Arc;

use pharmacrm_shared::Permission;
use pharmacrm_shared::pb::{self, customer_service_server::CustomerService};
use pharmacrm_shared::validation;
use tonic::{Request, Response, Status};

use crate::app::AppState;
use crate::auth::Session;
use crate::convert::{self, id};
use crate::db::models::customer::{self, Viewer};
use crate::db::models::{
    customer_certificate, customer_followup, customer_profile_record, customer_type,
};
use crate::error::{AppError, FieldCheck, Msg};

/// The CustomerService implementation.
pub struct CustomerApi {
    state: Arc<AppState>,
}

impl CustomerApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        CustomerApi { state }
    }
}

fn viewer(session: &Session) -> Viewer {
    Viewer {
        user_id: session.user_id,
        scope: session.data_scope,
        department_id: session.department_id,
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl CustomerService for CustomerApi {
    async fn list_customer_types(
        &self,
        request: Request<pb::ListCustomerTypesRequest>,
    ) -> Reply<pb::ListCustomerTypesResponse> {
        let pb::ListCustomerTypesRequest { include_archived } = request.into_inner();
        let rows = self
            .state
            .db
            .run(move |conn| customer_type::list(conn, include_archived))
            .await?;
        Ok(Response::new(pb::ListCustomerTypesResponse {
            types: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn create_customer_type(
        &self,
        request: Request<pb::CustomerTypeInput>,
    ) -> Reply<pb::CustomerType> {
        let session = Session::of(&request)?;
        let (name, order) = convert::customer_type_input(Some(request.into_inner()))?;
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_type::create(conn, ctx, &name, order)
            })
            .await?;
        Ok(Response::new(row.into()))
    }

    async fn update_customer_type(
        &self,
        request: Request<pb::UpdateCustomerTypeRequest>,
    ) -> Reply<pb::CustomerType> {
        let session = Session::of(&request)?;
        let pb::UpdateCustomerTypeRequest {
            id: type_id,
            version,
            r#type,
        } = request.into_inner();
        let type_id = id("id", type_id)?;
        let (name, order) = convert::customer_type_input(r#type)?;
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_type::update(conn, ctx, type_id, version, &name, order)
            })
            .await?;
        Ok(Response::new(row.into()))
    }

    async fn set_customer_type_active(
        &self,
        request: Request<pb::SetActiveRequest>,
    ) -> Reply<pb::CustomerType> {
        let session = Session::of(&request)?;
        let pb::SetActiveRequest {
            id: type_id,
            version,
            is_active,
        } = request.into_inner();
        let type_id = id("id", type_id)?;
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_type::set_active(conn, ctx, type_id, version, is_active)
            })
            .await?;
        Ok(Response::new(row.into()))
    }

    async fn find_duplicates(
        &self,
        request: Request<pb::FindDuplicatesRequest>,
    ) -> Reply<pb::FindDuplicatesResponse> {
        let pb::FindDuplicatesRequest { name, phone } = request.into_inner();
        let rows = self
            .state
            .db
            .run(move |conn| customer::find_duplicates(conn, &name, &phone))
            .await?;
        Ok(Response::new(pb::FindDuplicatesResponse {
            duplicates: rows
                .into_iter()
                .map(|d| pb::DuplicateCustomer {
                    name: d.name,
                    region: d.region,
                    sales_rep: d.sales_rep,
                    same_name: d.same_name,
                    same_phone: d.same_phone,
                })
                .collect(),
        }))
    }

    async fn create_customer(&self, request: Request<pb::CustomerInput>) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let input = convert::customer_input(Some(request.into_inner()))?;
        let key = self.state.data_key.clone();
        let view = self
            .state
            .write(session, move |conn, ctx| {
                customer::create(conn, ctx, &key, &input)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn update_customer(
        &self,
        request: Request<pb::UpdateCustomerRequest>,
    ) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let pb::UpdateCustomerRequest {
            id: customer_id,
            version,
            customer: input,
        } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let input = convert::customer_input(input)?;
        let viewer = viewer(&session);
        let key = self.state.data_key.clone();
        let may_change_type = session.has(Permission::CustomerTypeChange);
        let view = self
            .state
            .write(session, move |conn, ctx| {
                // The row alone says whether the type changes; its view is built once, by update.
                let current = customer::require_visible(conn, &viewer, customer_id)?;
                if current.type_id != input.type_id && !may_change_type {
                    return Err(AppError::PermissionDenied(Msg::new(
                        "changing a customer's type needs customer.type.change",
                        "变更客户类型需要“变更客户类型”权限",
                    )));
                }
                customer::update(conn, ctx, &viewer, &key, customer_id, version, &input)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn get_customer(&self, request: Request<pb::GetCustomerRequest>) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let pb::GetCustomerRequest { id: customer_id } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let viewer = viewer(&session);
        let view = self
            .state
            .db
            .run(move |conn| customer::get(conn, &viewer, customer_id))
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn search_customers(
        &self,
        request: Request<pb::SearchCustomersRequest>,
    ) -> Reply<pb::SearchCustomersResponse> {
        let session = Session::of(&request)?;
        let (filter, (offset, limit)) =
            convert::search_customers(request.into_inner(), &self.state.data_key);
        let viewer = viewer(&session);
        let (rows, total) = self
            .state
            .db
            .run(move |conn| customer::search(conn, &viewer, &filter, offset, limit))
            .await?;
        Ok(Response::new(pb::SearchCustomersResponse {
            customers: rows.into_iter().map(Into::into).collect(),
            total: u64::try_from(total).unwrap_or(0),
        }))
    }

    async fn reveal_id_number(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::RevealIdNumberResponse> {
        let session = Session::of(&request)?;
        let pb::GetCustomerRequest { id: customer_id } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let viewer = viewer(&session);
        let key = self.state.data_key.clone();
        let id_number = self
            .state
            .write(session, move |conn, ctx| {
                customer::reveal_id_number(conn, ctx, &viewer, &key, customer_id)
            })
            .await?;
        Ok(Response::new(pb::RevealIdNumberResponse { id_number }))
    }

    async fn change_customer_type(
        &self,
        request: Request<pb::ChangeCustomerTypeRequest>,
    ) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let pb::ChangeCustomerTypeRequest {
            id: customer_id,
            version,
            type_id,
            reason,
        } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        FieldCheck::default()
            .check("reason", validation::optional_text(&reason, 200))
            .finish()?;
        let viewer = viewer(&session);
        let view = self
            .state
            .write(session, move |conn, ctx| {
                customer::change_type(
                    conn,
                    ctx,
                    &viewer,
                    customer_id,
                    version,
                    type_id,
                    reason.trim(),
                )
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn list_type_history(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListTypeHistoryResponse> {
        let session = Session::of(&request)?;
        let pb::GetCustomerRequest { id: customer_id } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let viewer = viewer(&session);
        let rows = self
            .state
            .db
            .run(move |conn| customer::type_history(conn, &viewer, customer_id))
            .await?;
        Ok(Response::new(pb::ListTypeHistoryResponse {
            changes: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn assign_customer(
        &self,
        request: Request<pb::AssignCustomerRequest>,
    ) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let pb::AssignCustomerRequest {
            id: customer_id,
            version,
            sales_rep_id,
            cs_rep_id,
        } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let sales_rep_id = id("sales_rep_id", sales_rep_id)?;
        let cs_rep_id = id("cs_rep_id", cs_rep_id)?;
        let viewer = viewer(&session);
        let view = self
            .state
            .write(session, move |conn, ctx| {
                customer::assign(
                    conn,
                    ctx,
                    &viewer,
                    customer_id,
                    version,
                    sales_rep_id,
                    cs_rep_id,
                )
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn list_assignment_history(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListAssignmentHistoryResponse> {
        let session = Session::of(&request)?;
        let pb::GetCustomerRequest { id: customer_id } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let viewer = viewer(&session);
        let rows = self
            .state
            .db
            .run(move |conn| customer::assignment_history(conn, &viewer, customer_id))
            .await?;
        Ok(Response::new(pb::ListAssignmentHistoryResponse {
            assignments: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn handover_customers(
        &self,
        request: Request<pb::HandoverCustomersRequest>,
    ) -> Reply<pb::HandoverCustomersResponse> {
        let session = Session::of(&request)?;
        let pb::HandoverCustomersRequest {
            from_user_id,
            moves,
        } = request.into_inner();
        let from_user_id = id("from_user_id", from_user_id)?;
        if moves.is_empty() {
            return Err(AppError::field(
                "moves",
                Msg::new("choose the customers to hand over", "请选择要交接的客户"),
            )
            .into());
        }
        let moves: Vec<customer::HandoverMove> = moves
            .into_iter()
            .map(
                |pb::HandoverMove {
                     customer_id,
                     sales_rep_id,
                     cs_rep_id,
                 }| customer::HandoverMove {
                    customer_id,
                    sales_rep_id: (sales_rep_id > 0).then_some(sales_rep_id),
                    cs_rep_id: (cs_rep_id > 0).then_some(cs_rep_id),
                },
            )
            .collect();
        let viewer = viewer(&session);
        let (moved, remaining) = self
            .state
            .write(session, move |conn, ctx| {
                customer::handover(conn, ctx, &viewer, from_user_id, &moves)
            })
            .await?;
        Ok(Response::new(pb::HandoverCustomersResponse {
            moved: u32::try_from(moved).unwrap_or(u32::MAX),
            remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
        }))
    }

    async fn list_profile_records(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListProfileRecordsResponse> {
        let session = Session::of(&request)?;
        let customer_id = id("id", request.into_inner().id)?;
        let viewer = viewer(&session);
        let rows = self
            .state
            .db
            .run(move |conn| customer_profile_record::list(conn, &viewer, customer_id))
            .await?;
        Ok(Response::new(pb::ListProfileRecordsResponse {
            records: rows
                .into_iter()
                .map(|(r, by)| convert::profile_record(r, by))
                .collect(),
        }))
    }

    async fn save_profile_record(
        &self,
        request: Request<pb::ProfileRecord>,
    ) -> Reply<pb::ProfileRecord> {
        let session = Session::of(&request)?;
        let input = convert::profile_input(request.into_inner())?;
        let viewer = viewer(&session);
        let name = session.display_name.clone();
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_profile_record::save(conn, ctx, &viewer, &input)
            })
            .await?;
        Ok(Response::new(convert::profile_record(row, name)))
    }

    async fn delete_profile_record(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::DeleteRequest {
            id: record_id,
            version,
        } = request.into_inner();
        let record_id = id("id", record_id)?;
        let viewer = viewer(&session);
        self.state
            .write(session, move |conn, ctx| {
                customer_profile_record::delete(conn, ctx, &viewer, record_id, version)
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn list_followups(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListFollowupsResponse> {
        let session = Session::of(&request)?;
        let customer_id = id("id", request.into_inner().id)?;
        let viewer = viewer(&session);
        let rows = self
            .state
            .db
            .run(move |conn| customer_followup::list(conn, &viewer, customer_id))
            .await?;
        Ok(Response::new(pb::ListFollowupsResponse {
            followups: rows
                .into_iter()
                .map(|(f, by)| convert::followup(f, by))
                .collect(),
        }))
    }

    async fn save_followup(&self, request: Request<pb::Followup>) -> Reply<pb::Followup> {
        let session = Session::of(&request)?;
        let input = convert::followup_input(request.into_inner())?;
        let viewer = viewer(&session);
        let name = session.display_name.clone();
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_followup::save(conn, ctx, &viewer, &input)
            })
            .await?;
        Ok(Response::new(convert::followup(row, name)))
    }

    async fn delete_followup(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::DeleteRequest {
            id: followup_id,
            version,
        } = request.into_inner();
        let followup_id = id("id", followup_id)?;
        let viewer = viewer(&session);
        self.state
            .write(session, move |conn, ctx| {
                customer_followup::delete(conn, ctx, &viewer, followup_id, version)
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn list_certificates(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListCertificatesResponse> {
        let session = Session::of(&request)?;
        let customer_id = id("id", request.into_inner().id)?;
        let viewer = viewer(&session);
        let rows = self
            .state
            .db
            .run(move |conn| customer_certificate::list(conn, &viewer, customer_id))
            .await?;
        Ok(Response::new(pb::ListCertificatesResponse {
            certificates: rows
                .into_iter()
                .map(|(c, scan)| convert::certificate(c, scan))
                .collect(),
        }))
    }

    async fn save_certificate(
        &self,
        request: Request<pb::SaveCertificateRequest>,
    ) -> Reply<pb::Certificate> {
        let session = Session::of(&request)?;
        let input = convert::certificate_input(request.into_inner())?;
        let viewer = viewer(&session);
        let (row, scan) = self
            .state
            .write(session, move |conn, ctx| {
                customer_certificate::save(conn, ctx, &viewer, &input)
            })
            .await?;
        Ok(Response::new(convert::certificate(row, scan)))
    }

    async fn delete_certificate(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        let session = Session::of(&request)?;
        let pb::DeleteRequest {
            id: certificate_id,
            version,
        } = request.into_inner();
        let certificate_id = id("id", certificate_id)?;
        let viewer = viewer(&session);
        self.state
            .write(session, move |conn, ctx| {
                customer_certificate::delete(conn, ctx, &viewer, certificate_id, version)
            })
            .await?;
        Ok(Response::new(()))
    }

    async fn get_certificate_scan(
        &self,
        request: Request<pb::GetCertificateScanRequest>,
    ) -> Reply<pb::CertificateScan> {
        let session = Session::of(&request)?;
        let certificate_id = id("id", request.into_inner().id)?;
        let viewer = viewer(&session);
        let (content, name, media_type) = self
            .state
            .db
            .run(move |conn| customer_certificate::scan(conn, &viewer, certificate_id))
            .await?;
        Ok(Response::new(pb::CertificateScan {
            content,
            name,
            media_type,
        }))
    }

    async fn my_work(&self, request: Request<()>) -> Reply<pb::MyWorkResponse> {
        let session = Session::of(&request)?;
        let user_id = session.user_id;
        let today = chrono::Local::now().date_naive();
        let days = crate::config::certificate_warning_days();
        let (due, expiring) = self
            .state
            .db
            .run(move |conn| {
                Ok((
                    customer_followup::due_for(conn, user_id, today)?,
                    customer_certificate::expiring_for(conn, user_id, today, days)?,
                ))
            })
            .await?;
        Ok(Response::new(pb::MyWorkResponse {
            due_followups: due
                .into_iter()
                .map(|d| pb::DueFollowup {
                    customer_id: d.customer_id,
                    customer_name: d.customer_name,
                    next_on: d.next_on.format("%Y-%m-%d").to_string(),
                    overdue: d.next_on < today,
                    last_content: d.last_content,
                })
                .collect(),
            expiring_certificates: expiring
                .into_iter()
                .map(|(customer_name, c, scan)| pb::ExpiringCertificate {
                    customer_name,
                    certificate: Some(convert::certificate(c, scan)),
                })
                .collect(),
        }))
    }

    async fn list_reps(
        &self,
        request: Request<pb::ListRepsRequest>,
    ) -> Reply<pb::ListRepsResponse> {
        let session = Session::of(&request)?;
        let pb::ListRepsRequest { role } = request.into_inner();
        if role == "holders" {
            let viewer = viewer(&session);
            let rows = self
                .state
                .db
                .run(move |conn| customer::holders(conn, &viewer))
                .await?;
            return Ok(Response::new(pb::ListRepsResponse {
                reps: rows
                    .into_iter()
                    .map(|(id, name)| pb::UserRef { id, name })
                    .collect(),
            }));
        }
        let needs = match role.as_str() {
            "sales" => Permission::OrderWrite,
            "cs" => Permission::ShipmentWrite,
            _ => {
                return Err(AppError::field(
                    "role",
                    Msg::new("must be sales or cs", "须为 sales 或 cs"),
                )
                .into());
            }
        };
        let rows = self
            .state
            .db
            .run(move |conn| customer::reps(conn, needs))
            .await?;
        Ok(Response::new(pb::ListRepsResponse {
            reps: rows
                .into_iter()
                .map(|(id, name)| pb::UserRef { id, name })
                .collect(),
        }))
    }
}
