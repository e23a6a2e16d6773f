//! `pharmacrm.v1.CustomerService`: profiles, the type dictionary and history, allocation.

use std::sync::Arc;

use diesel::PgConnection;

use pharmacrm_shared::pb::{self, customer_service_server::CustomerService};
use pharmacrm_shared::{Permission, validation};
use tonic::{Request, Response, Status};

use crate::access;
use crate::auth::Session;
use crate::convert::customers::InputFor;
use crate::convert::{self, Update, customers as conv, id};
use crate::db::models::customer::{self};
use crate::db::models::customer_certificate::{self, Certificate};
use crate::db::models::customer_followup::{self, Followup};
use crate::db::models::customer_profile_record::ProfileRecord;
use crate::db::models::customer_record::{self, CustomerRecord, RecordInput};
use crate::db::models::customer_type::{self, CustomerType};
use crate::db::models::{display_name_of, display_names};
use crate::db::scope::Viewer;
use crate::db::versioned;
use crate::error::{AppResult, FieldCheck};
use crate::ops::customers::{self as ops, RepRole};
use crate::state::AppState;

/// The most rows each list of 我的工作 holds (a manager's team may have more due).
const MY_WORK_LIMIT: i64 = 200;

/// How many days ahead 我的工作 lists the follow-ups coming (after today, through today +
/// this many days, dates in the business time zone): the week a rep plans.
const UPCOMING_DAYS: u64 = 7;

/// The CustomerService implementation.
pub struct CustomerApi {
    state: Arc<AppState>,
}

impl CustomerApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        CustomerApi { state }
    }

    /// What `read(conn, viewer, customer_id)` reads of the customer `request` names, as
    /// its caller sees it (NOT_FOUND outside their data scope); INVALID_ARGUMENT for no id.
    async fn read_customer<T, F>(
        &self,
        request: Request<pb::GetCustomerRequest>,
        read: F,
    ) -> AppResult<T>
    where
        F: FnOnce(&mut PgConnection, &Viewer, i64) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let session = Session::of(&request)?;
        let customer_id = id("id", request.into_inner().id)?;
        let viewer = session.viewer();
        self.state
            .db
            .run(move |conn| read(conn, &viewer, customer_id))
            .await
    }

    /// A customer's live records of kind `R`, with the display name of the user each
    /// `by` picks (who added it, or who changed it last).
    async fn list_records<R: CustomerRecord + Clone>(
        &self,
        request: Request<pb::GetCustomerRequest>,
        by: fn(&R) -> Option<i64>,
    ) -> AppResult<Vec<(R, String)>> {
        self.read_customer(request, move |conn, viewer, customer_id| {
            let rows: Vec<R> = customer_record::list(conn, viewer, customer_id)?;
            let ids: Vec<i64> = rows.iter().filter_map(by).collect();
            let names = display_names(conn, &ids)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let name = by(&r)
                        .and_then(|id| names.get(&id).cloned())
                        .unwrap_or_default();
                    (r, name)
                })
                .collect())
        })
        .await
    }

    /// Adds or changes a record of kind `R`.
    async fn save_record<R: CustomerRecord>(
        &self,
        session: Session,
        input: RecordInput<R::Fields>,
    ) -> AppResult<R> {
        let viewer = session.viewer();
        self.state
            .write(session, move |conn, ctx| {
                ops::save_record(conn, ctx, &viewer, &input)
            })
            .await
    }

    /// Marks a record of kind `R` deleted.
    async fn delete_record<R: CustomerRecord>(
        &self,
        request: Request<pb::DeleteRequest>,
    ) -> AppResult<()> {
        let session = Session::of(&request)?;
        let pb::DeleteRequest {
            id: record_id,
            version,
        } = request.into_inner();
        let record_id = id("id", record_id)?;
        let viewer = session.viewer();
        self.state
            .write(session, move |conn, ctx| {
                ops::delete_record::<R>(conn, ctx, &viewer, record_id, version)
            })
            .await
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
        let fields = conv::customer_type_input(Some(request.into_inner()))?;
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_type::create(conn, ctx, &fields)
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
        let edit = crate::convert::update(type_id, version, |check| {
            check.absorb(conv::customer_type_input(r#type).map_err(|e| e.within("type")))
        })?;
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_type::update(conn, ctx, edit.id, edit.version, &edit.input)
            })
            .await
            .map_err(|e| e.within_update("type"))?;
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
                versioned::set_active::<CustomerType>(conn, ctx, type_id, version, is_active)
            })
            .await?;
        Ok(Response::new(row.into()))
    }

    async fn find_duplicates(
        &self,
        request: Request<pb::FindDuplicatesRequest>,
    ) -> Reply<pb::FindDuplicatesResponse> {
        let session = Session::of(&request)?;
        let pb::FindDuplicatesRequest {
            name,
            phone,
            customer,
        } = request.into_inner();
        let input = customer
            .map(|c| {
                conv::customer_input(Some(c), self.state.clock.today(), InputFor::Registration)
                    .map_err(|e| e.within("customer"))
            })
            .transpose()?;
        let (name, phone) = match &input {
            Some(input) => (input.name.clone(), input.phone.clone()),
            None => {
                let max = validation::SEARCH_TEXT_MAX;
                let mut check = crate::error::FieldCheck::default();
                check
                    .check("name", validation::optional_line(&name, max))
                    .check("phone", validation::optional_line(&phone, max));
                check.finish()?;
                (name, phone)
            }
        };
        let viewer = session.viewer();
        let rows = self
            .state
            .write(session, move |conn, ctx| {
                ops::check_duplicates(conn, ctx, &viewer, input.as_ref(), (&name, &phone))
            })
            .await?;
        Ok(Response::new(pb::FindDuplicatesResponse {
            duplicates: rows
                .into_iter()
                .map(|d| pb::DuplicateCustomer {
                    id: d.id.unwrap_or(0),
                    name: d.name,
                    region: d.region,
                    sales_rep: d.sales_rep,
                    same_name: d.same_name,
                    same_phone: d.same_phone,
                    archived: d.archived,
                    same_customer: d.same_customer,
                })
                .collect(),
        }))
    }

    async fn create_customer(&self, request: Request<pb::CustomerInput>) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let input = conv::customer_input(
            Some(request.into_inner()),
            self.state.clock.today(),
            InputFor::Registration,
        )?;
        let key = self.state.data_key.clone();
        let window = self.state.certificate_window();
        let viewer = session.viewer();
        let view = self
            .state
            .write(session, move |conn, ctx| {
                ops::create(conn, ctx, &viewer, &key, &input, window)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn update_customer(
        &self,
        request: Request<pb::UpdateCustomerRequest>,
    ) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let convert::Update { id, version, input } =
            conv::update_customer(request.into_inner(), self.state.clock.today())?;
        let viewer = session.viewer();
        let key = self.state.data_key.clone();
        let window = self.state.certificate_window();
        let view = self
            .state
            .write(session, move |conn, ctx| {
                ops::update(conn, ctx, &viewer, &key, (id, version, &input), window)
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn set_customer_active(
        &self,
        request: Request<pb::SetActiveRequest>,
    ) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let pb::SetActiveRequest {
            id: customer_id,
            version,
            is_active,
        } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let viewer = session.viewer();
        let window = self.state.certificate_window();
        let view = self
            .state
            .write(session, move |conn, ctx| {
                ops::set_active(
                    conn,
                    ctx,
                    &viewer,
                    (customer_id, version, is_active),
                    window,
                )
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn get_customer(&self, request: Request<pb::GetCustomerRequest>) -> Reply<pb::Customer> {
        let window = self.state.certificate_window();
        let balance = access::may_read_balance(&Session::of(&request)?.grants());
        let today = self.state.clock.today();
        let read = self
            .read_customer(request, move |conn, viewer, customer_id| {
                ops::get(conn, viewer, customer_id, window, balance, today)
            })
            .await?;
        Ok(Response::new(conv::customer_read(read)))
    }

    async fn search_customers(
        &self,
        request: Request<pb::SearchCustomersRequest>,
    ) -> Reply<pb::SearchCustomersResponse> {
        let session = Session::of(&request)?;
        let (filter, start, limit) =
            conv::search_customers(request.into_inner(), &self.state.data_key)?;
        let viewer = session.viewer();
        let window = self.state.certificate_window();
        let found = self
            .state
            .db
            .run(move |conn| customer::search(conn, &viewer, &filter, window, &start, limit))
            .await?;
        Ok(Response::new(conv::customer_page(found)))
    }

    async fn reveal_id_number(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::RevealIdNumberResponse> {
        let session = Session::of(&request)?;
        let pb::GetCustomerRequest { id: customer_id } = request.into_inner();
        let customer_id = id("id", customer_id)?;
        let viewer = session.viewer();
        let key = self.state.data_key.clone();
        let id_number = self
            .state
            .write(session, move |conn, ctx| {
                ops::reveal_id_number(conn, ctx, &viewer, &key, customer_id)
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
        let mut check = FieldCheck::default();
        crate::convert::read_version("version", version, &mut check);
        check
            .check("reason", validation::required_text(&reason, 200))
            .finish()?;
        let viewer = session.viewer();
        let window = self.state.certificate_window();
        let view = self
            .state
            .write(session, move |conn, ctx| {
                ops::change_type(
                    conn,
                    ctx,
                    &viewer,
                    (customer_id, version, type_id, reason.trim()),
                    window,
                )
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn list_type_history(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListTypeHistoryResponse> {
        let rows = self.read_customer(request, customer::type_history).await?;
        Ok(Response::new(pb::ListTypeHistoryResponse {
            changes: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn assign_customer(
        &self,
        request: Request<pb::AssignCustomerRequest>,
    ) -> Reply<pb::Customer> {
        let session = Session::of(&request)?;
        let Update {
            id: customer_id,
            version,
            input: (sales_rep_id, cs_rep_id),
        } = conv::assignment(request.into_inner())?;
        let viewer = session.viewer();
        let window = self.state.certificate_window();
        let view = self
            .state
            .write(session, move |conn, ctx| {
                ops::assign(
                    conn,
                    ctx,
                    &viewer,
                    (customer_id, version),
                    (sales_rep_id, cs_rep_id),
                    window,
                )
            })
            .await?;
        Ok(Response::new(view.into()))
    }

    async fn list_assignment_history(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListAssignmentHistoryResponse> {
        let rows = self
            .read_customer(request, customer::assignment_history)
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
        let (from_user_id, moves) = conv::handover_request(request.into_inner())?;
        let viewer = session.viewer();
        let window = self.state.certificate_window();
        let (moved, remaining) = self
            .state
            .write(session, move |conn, ctx| {
                ops::handover(conn, ctx, &viewer, from_user_id, &moves, window)
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
        let rows = self
            .list_records::<ProfileRecord>(request, |r| r.updated_by)
            .await?;
        Ok(Response::new(pb::ListProfileRecordsResponse {
            records: rows
                .into_iter()
                .map(|(r, by)| conv::profile_record(r, by))
                .collect(),
        }))
    }

    async fn save_profile_record(
        &self,
        request: Request<pb::ProfileRecord>,
    ) -> Reply<pb::ProfileRecord> {
        let session = Session::of(&request)?;
        let input = conv::profile_input(request.into_inner(), self.state.clock.today())?;
        let name = session.display_name.clone();
        let row: ProfileRecord = self.save_record(session, input).await?;
        Ok(Response::new(conv::profile_record(row, name)))
    }

    async fn delete_profile_record(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        self.delete_record::<ProfileRecord>(request).await?;
        Ok(Response::new(()))
    }

    async fn list_followups(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListFollowupsResponse> {
        let viewer = Session::of(&request)?.viewer();
        let rows = self
            .list_records::<Followup>(request, |f| f.created_by)
            .await?;
        let reps = {
            let viewer = viewer.clone();
            self.state.db.run(move |conn| viewer.reps(conn)).await?
        };
        Ok(Response::new(pb::ListFollowupsResponse {
            followups: rows
                .into_iter()
                .map(|(f, by)| {
                    let may_change =
                        crate::access::may_change_authored(&viewer, &reps, f.created_by);
                    conv::followup(f, by, may_change)
                })
                .collect(),
        }))
    }

    async fn save_followup(&self, request: Request<pb::Followup>) -> Reply<pb::Followup> {
        let session = Session::of(&request)?;
        let input = conv::followup_input(
            request.into_inner(),
            self.state.clock.today(),
            self.state.clock.now(),
        )?;
        let row: Followup = self.save_record(session, input).await?;
        let by = row.created_by;
        let name = self
            .state
            .db
            .run(move |conn| display_name_of(conn, by))
            .await?;
        // Saved by the caller: theirs, or one they may change.
        Ok(Response::new(conv::followup(row, name, true)))
    }

    async fn delete_followup(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        self.delete_record::<Followup>(request).await?;
        Ok(Response::new(()))
    }

    async fn list_certificates(
        &self,
        request: Request<pb::GetCustomerRequest>,
    ) -> Reply<pb::ListCertificatesResponse> {
        let window = self.state.certificate_window();
        let rows = self
            .list_records::<Certificate>(request, |c| c.created_by)
            .await?;
        Ok(Response::new(pb::ListCertificatesResponse {
            certificates: rows
                .into_iter()
                .map(|(c, _)| conv::certificate(c, window))
                .collect(),
        }))
    }

    async fn save_certificate(
        &self,
        request: Request<pb::SaveCertificateRequest>,
    ) -> Reply<pb::Certificate> {
        let session = Session::of(&request)?;
        let (input, scan) =
            conv::certificate_input(request.into_inner(), self.state.clock.today())?;
        let viewer = session.viewer();
        let window = self.state.certificate_window();
        let row = self
            .state
            .write(session, move |conn, ctx| {
                customer_certificate::save(conn, ctx, &viewer, &input, &scan)
            })
            .await?;
        Ok(Response::new(conv::certificate(row, window)))
    }

    async fn delete_certificate(&self, request: Request<pb::DeleteRequest>) -> Reply<()> {
        self.delete_record::<Certificate>(request).await?;
        Ok(Response::new(()))
    }

    async fn get_certificate_scan(
        &self,
        request: Request<pb::GetCertificateScanRequest>,
    ) -> Reply<pb::CertificateScan> {
        let session = Session::of(&request)?;
        let certificate_id = id("id", request.into_inner().id)?;
        let viewer = session.viewer();
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
        let viewer = session.viewer();
        // Work is for who works the customers (follows them up or keeps their certificates):
        // finance, reading every customer, would otherwise get the whole company's.
        let permissions = session.grants().permissions;
        let works_customers = [
            Permission::CustomerFollowupWrite,
            Permission::CustomerCertificateWrite,
        ]
        .iter()
        .any(|p| permissions.contains(p));
        let window = self.state.certificate_window();
        let today = window.today;
        // Handed over in the last seven business days (today the seventh).
        let handed_since = self.state.clock.start_of(today - chrono::Days::new(6));
        let user_id = session.user_id;
        let (planned, (expiring, more_certificates), names, handed) = self
            .state
            .db
            .run(move |conn| {
                let handed = if works_customers {
                    customer::handed_to(conn, user_id, handed_since, MY_WORK_LIMIT)?
                } else {
                    (Vec::new(), false)
                };
                let reps = viewer.reps(conn)?;
                let planned = if works_customers {
                    let through = today + chrono::Days::new(UPCOMING_DAYS);
                    customer_followup::planned_within(conn, &reps, today, through, MY_WORK_LIMIT)?
                } else {
                    customer_followup::Planned::default()
                };
                let expiring = if works_customers {
                    customer_certificate::expiring_within(conn, &reps, window, MY_WORK_LIMIT)?
                } else {
                    (Vec::new(), false)
                };
                let rep_ids: Vec<i64> = (planned.due.iter())
                    .chain(&planned.coming)
                    .flat_map(|d| d.planned_by.into_iter().chain([d.sales_rep_id]))
                    .chain(expiring.0.iter().map(|e| e.sales_rep_id))
                    .collect();
                let names = display_names(conn, &rep_ids)?;
                Ok((planned, expiring, names, handed))
            })
            .await?;
        let (handed, more_handed_customers) = handed;
        let rep = |id: i64| {
            Some(pb::UserRef {
                id,
                name: names.get(&id).cloned().unwrap_or_default(),
                ..Default::default()
            })
        };
        let followup = |d: customer_followup::Due| pb::DueFollowup {
            customer_id: d.customer_id,
            customer_name: d.customer_name,
            next_on: d.next_on.format("%Y-%m-%d").to_string(),
            overdue: d.next_on < today,
            last_content: d.last_content,
            sales_rep: rep(d.sales_rep_id),
            planned_by: d.planned_by.and_then(rep),
        };
        Ok(Response::new(pb::MyWorkResponse {
            due_followups: planned.due.into_iter().map(followup).collect(),
            more_followups: planned.more_due,
            upcoming_followups: planned.coming.into_iter().map(followup).collect(),
            more_upcoming_followups: planned.more_coming,
            expiring_certificates: expiring
                .into_iter()
                .map(|e| pb::ExpiringCertificate {
                    customer_name: e.customer_name,
                    certificate: Some(conv::certificate(e.certificate, window)),
                    sales_rep: rep(e.sales_rep_id),
                })
                .collect(),
            more_certificates,
            handed_customers: handed
                .into_iter()
                .map(|h| pb::HandedCustomer {
                    customer_id: h.customer_id,
                    customer_name: h.customer_name,
                    assignment: Some(h.assignment.into()),
                })
                .collect(),
            more_handed_customers,
        }))
    }

    async fn list_reps(
        &self,
        request: Request<pb::ListRepsRequest>,
    ) -> Reply<pb::ListRepsResponse> {
        let session = Session::of(&request)?;
        let list = conv::rep_list(request.into_inner())?;
        let viewer = session.viewer();
        let rows = self
            .state
            .db
            .run(move |conn| match list {
                // The sales reps a customer may be given to: those within the caller's
                // scope (`ops::customers` refuses the others).
                conv::RepList::Role(RepRole::Sales) => {
                    let scope = viewer.reps(conn)?;
                    let mut reps = customer::reps(conn, RepRole::Sales.permission())?;
                    reps.retain(|r| scope.includes(r.id));
                    Ok(reps)
                }
                conv::RepList::Role(role) => customer::reps(conn, role.permission()),
                conv::RepList::Ever(role) => {
                    customer::reps_ever(conn, role.code(), role.permission())
                }
                conv::RepList::Holders => customer::holders(conn, &viewer),
                conv::RepList::Handlers => customer::handlers(conn),
            })
            .await?;
        Ok(Response::new(pb::ListRepsResponse {
            reps: rows.into_iter().map(Into::into).collect(),
        }))
    }

    async fn list_scope_departments(
        &self,
        request: Request<()>,
    ) -> Reply<pb::ListScopeDepartmentsResponse> {
        let viewer = Session::of(&request)?.viewer();
        let rows = self
            .state
            .db
            .run(move |conn| crate::db::scope::departments(conn, &viewer))
            .await?;
        Ok(Response::new(pb::ListScopeDepartmentsResponse {
            departments: rows
                .into_iter()
                .map(|d| pb::ScopeDepartment {
                    id: d.id,
                    parent_id: d.parent_id,
                    name: d.name,
                })
                .collect(),
        }))
    }
}
