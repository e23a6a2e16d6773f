//! `pharmacrm.v1.OrderService`: invoicing entities, settings, orders, shipments and
//! transport exceptions. Thin handlers: session → convert → one transaction (an operation
//! of [`crate::ops::orders`] or a table function) → convert back.

use std::sync::Arc;

use pharmacrm_shared::Permission;
use pharmacrm_shared::pb::{self, order_service_server::OrderService};
use tonic::{Request, Response, Status};

use crate::access;
use crate::auth::Session;
use crate::convert::{id, orders as conv};
use crate::db::models::order::{self, OrderFacts};
use crate::db::models::{
    company_settings, customer, display_name_of, invoicing_entity, shipment, transport_exception,
};
use crate::db::versioned;
use crate::error::AppResult;
use crate::ops::orders::{self as ops, Bundle};
use crate::state::AppState;

/// The OrderService implementation.
pub struct OrderApi {
    state: Arc<AppState>,
}

impl OrderApi {
    /// The service over the server's state.
    pub fn new(state: Arc<AppState>) -> Self {
        OrderApi { state }
    }

    /// One shipment as the lists show it, read after a change.
    async fn shipment_reply(&self, session: &Session, shipment_id: i64) -> AppResult<pb::Shipment> {
        let today = self.state.clock.today();
        let mut found = self
            .state
            .read_scoped(session, move |conn, reps| {
                let row = shipment::find(conn, reps, shipment_id, false)?;
                ops::bundle(conn, vec![], vec![row], vec![], today)
            })
            .await?;
        let names = std::mem::take(&mut found.names);
        let (s, lines) = found.shipments.remove(0);
        Ok(conv::shipment(s, lines, &names, today))
    }

    /// One exception as the lists show it, read after a change.
    async fn exception_reply(
        &self,
        session: &Session,
        exception_id: i64,
    ) -> AppResult<pb::TransportException> {
        let today = self.state.clock.today();
        let mut found = self
            .state
            .read_scoped(session, move |conn, reps| {
                let row = transport_exception::find(conn, reps, exception_id, false)?;
                ops::bundle(conn, vec![], vec![], vec![row], today)
            })
            .await?;
        let names = std::mem::take(&mut found.names);
        let (e, lines) = found.exceptions.remove(0);
        Ok(conv::transport_exception(e, lines, &names))
    }

    /// Cancels or closes order `order_id` (read at `version`) for `reason` as `session`
    /// ([`ops::end`]); the order as it is then.
    async fn end_order(
        &self,
        session: Session,
        order_id: i64,
        version: i32,
        ending: ops::Ending,
        reason: String,
    ) -> Reply<pb::OrderDetail> {
        let (order_id, version, reason) = conv::reason_request(order_id, version, reason)?;
        self.state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::end(conn, ctx, reps, order_id, version, ending, &reason)
            })
            .await?;
        Ok(Response::new(self.order_detail(&session, order_id).await?))
    }

    /// The full view of order `order_id` as `session` sees it.
    async fn order_detail(&self, session: &Session, order_id: i64) -> AppResult<pb::OrderDetail> {
        let today = self.state.clock.today();
        let grants = session.grants();
        let weighs_hold = weighs_hold(session);
        let (bundle, lines, history, mut cases) = self
            .state
            .read_scoped(session, move |conn, reps| {
                let (bundle, lines, history) = ops::detail(conn, reps, order_id, today)?;
                let orders: Vec<_> = bundle.orders.iter().map(|(o, _)| o).collect();
                let cases = ops::approval_cases(conn, reps, &orders, today, weighs_hold)?;
                Ok((bundle, lines, history, cases))
            })
            .await?;
        let zone = self.state.clock.zone();
        let mut detail = conv::detail(bundle, lines, history, today, zone)?;
        if let Some(order) = &mut detail.order
            && let Some(case) = cases.remove(&order.id)
        {
            conv::approval_case(order, case);
        }
        if !access::may_read_order_money(&grants) {
            if let Some(order) = &mut detail.order {
                conv::hide_money(order);
            }
            // What was written off is what is owed, too.
            detail
                .history
                .retain(|e| !e.action.starts_with("write_off."));
        }
        Ok(detail)
    }
}

/// Whether `session` weighs a credit hold: whoever may approve an order past it, or reads
/// what is owed on it.
fn weighs_hold(session: &Session) -> bool {
    let grants = session.grants();
    grants
        .permissions
        .contains(&Permission::OrderCreditOverride)
        || access::may_read_order_money(&grants)
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl OrderService for OrderApi {
    async fn list_invoicing_entities(
        &self,
        request: Request<pb::ListInvoicingEntitiesRequest>,
    ) -> Reply<pb::ListInvoicingEntitiesResponse> {
        let pb::ListInvoicingEntitiesRequest { include_archived } = request.into_inner();
        let rows = self
            .state
            .db
            .run(move |conn| {
                let rows = invoicing_entity::list(conn, include_archived)?;
                let ids: Vec<i64> = rows.iter().filter_map(|r| r.updated_by).collect();
                let names = crate::db::models::display_names(conn, &ids)?;
                Ok(rows
                    .into_iter()
                    .map(|r| {
                        let by = r
                            .updated_by
                            .and_then(|id| names.get(&id).cloned())
                            .unwrap_or_default();
                        conv::entity(r, by)
                    })
                    .collect())
            })
            .await?;
        Ok(Response::new(pb::ListInvoicingEntitiesResponse {
            entities: rows,
        }))
    }

    async fn create_invoicing_entity(
        &self,
        request: Request<pb::InvoicingEntityInput>,
    ) -> Reply<pb::InvoicingEntity> {
        let session = Session::of(&request)?;
        let fields = conv::entity_input(Some(request.into_inner()))?;
        let by = session.display_name.clone();
        let row = self
            .state
            .write(session, move |conn, ctx| {
                invoicing_entity::create(conn, ctx, &fields)
            })
            .await?;
        Ok(Response::new(conv::entity(row, by)))
    }

    async fn update_invoicing_entity(
        &self,
        request: Request<pb::UpdateInvoicingEntityRequest>,
    ) -> Reply<pb::InvoicingEntity> {
        let session = Session::of(&request)?;
        let update = conv::update_entity(request.into_inner())?;
        let by = session.display_name.clone();
        let row = self
            .state
            .write(session, move |conn, ctx| {
                invoicing_entity::update(conn, ctx, update.id, update.version, &update.input)
            })
            .await
            .map_err(|e| e.within_update("entity"))?;
        Ok(Response::new(conv::entity(row, by)))
    }

    async fn set_invoicing_entity_active(
        &self,
        request: Request<pb::SetActiveRequest>,
    ) -> Reply<pb::InvoicingEntity> {
        let session = Session::of(&request)?;
        let pb::SetActiveRequest {
            id: entity_id,
            version,
            is_active,
        } = request.into_inner();
        let entity_id = id("id", entity_id)?;
        let (row, by) = self
            .state
            .write(session, move |conn, ctx| {
                if !is_active {
                    invoicing_entity::require_another_active(conn, entity_id)?;
                }
                let row: invoicing_entity::InvoicingEntity =
                    versioned::set_active(conn, ctx, entity_id, version, is_active)?;
                let by = display_name_of(conn, row.updated_by)?;
                Ok((row, by))
            })
            .await?;
        Ok(Response::new(conv::entity(row, by)))
    }

    async fn get_settings(&self, _request: Request<()>) -> Reply<pb::Settings> {
        let (row, by) = self
            .state
            .db
            .run(|conn| {
                let row = company_settings::get(conn)?;
                let by = display_name_of(conn, row.updated_by)?;
                Ok((row, by))
            })
            .await?;
        Ok(Response::new(conv::settings(row, by)))
    }

    async fn update_settings(
        &self,
        request: Request<pb::UpdateSettingsRequest>,
    ) -> Reply<pb::Settings> {
        let session = Session::of(&request)?;
        let (version, fields, near_expiry) = conv::settings_update(request.into_inner())?;
        let by = session.display_name.clone();
        let row = self
            .state
            .write(session, move |conn, ctx| {
                company_settings::update(conn, ctx, version, &fields, near_expiry.as_ref())
            })
            .await?;
        Ok(Response::new(conv::settings(row, by)))
    }

    async fn preview_order(&self, request: Request<pb::OrderInput>) -> Reply<pb::OrderPreview> {
        let session = Session::of(&request)?;
        // A date in the past or a note too long does not keep the lines from being
        // priced: said as warnings on their fields.
        let today = self.state.clock.today();
        let request = request.into_inner();
        let viewer = session.viewer();
        let grants = session.grants();
        let (mut priced, names, problems) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                // A change is priced as UpdateOrder would: the order as it is, the date
                // it has allowed though past.
                let changing = match request.order_id {
                    id if id > 0 => Some(ops::changeable(conn, reps, id, false)?),
                    _ => None,
                };
                let kept = changing
                    .as_ref()
                    .and_then(|c| c.order.requested_delivery_date);
                let (input, problems) = conv::preview_input(request, today, kept)?;
                let priced = ops::price(conn, &grants, &viewer, &input, changing.as_ref(), today)?;
                let names = crate::db::models::display_names(
                    conn,
                    &[priced.order.sales_rep_id, priced.order.cs_rep_id],
                )?;
                Ok((priced, names, problems))
            })
            .await?;
        let person = |id: i64| pb::UserRef {
            id,
            name: names.get(&id).cloned().unwrap_or_default(),
            department: String::new(),
            inactive: false,
        };
        let lines = priced
            .lines
            .into_iter()
            .map(|l| conv::order_line(order::OrderLine::priced(l), 0, 0, true))
            .collect();
        priced
            .warnings
            .extend(problems.into_iter().map(ops::Warning::from));
        Ok(Response::new(pb::OrderPreview {
            lines,
            total: pharmacrm_shared::money::to_wire(&priced.order.total),
            delivery_address: priced.order.delivery_address,
            credit_days: priced.order.credit_days,
            sales_rep: Some(person(priced.order.sales_rep_id)),
            cs_rep: Some(person(priced.order.cs_rep_id)),
            warnings: priced.warnings.into_iter().map(conv::warning).collect(),
        }))
    }

    async fn create_order(&self, request: Request<pb::OrderInput>) -> Reply<pb::OrderResponse> {
        let session = Session::of(&request)?;
        let today = self.state.clock.today();
        let input = conv::new_order(request.into_inner(), today)?;
        let viewer = session.viewer();
        let (row, _, warnings) = self
            .state
            .write(session.clone(), move |conn, ctx| {
                ops::place(conn, ctx, &viewer, &input, today)
            })
            .await?;
        Ok(Response::new(pb::OrderResponse {
            order: Some(self.order_detail(&session, row.id).await?),
            warnings: warnings.into_iter().map(conv::warning).collect(),
        }))
    }

    async fn update_order(
        &self,
        request: Request<pb::UpdateOrderRequest>,
    ) -> Reply<pb::OrderResponse> {
        let session = Session::of(&request)?;
        let today = self.state.clock.today();
        let request = request.into_inner();
        let order_id = id(
            "order.order_id",
            request.order.as_ref().map_or(0, |o| o.order_id),
        )?;
        let viewer = session.viewer();
        let (row, _, warnings) = self
            .state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                // The order first (locked): a change may keep the date it has though past.
                let before = ops::changeable(conn, reps, order_id, true)?;
                let kept = before.order.requested_delivery_date;
                let change = conv::order_change(request.clone(), today, kept)?;
                ops::amend(
                    conn,
                    ctx,
                    &viewer,
                    before,
                    change.version,
                    &change.input,
                    today,
                )
                .map_err(|e| e.within_update("order"))
            })
            .await?;
        Ok(Response::new(pb::OrderResponse {
            order: Some(self.order_detail(&session, row.id).await?),
            warnings: warnings.into_iter().map(conv::warning).collect(),
        }))
    }

    async fn get_order(&self, request: Request<pb::GetOrderRequest>) -> Reply<pb::OrderDetail> {
        let session = Session::of(&request)?;
        let order_id = id("id", request.into_inner().id)?;
        Ok(Response::new(self.order_detail(&session, order_id).await?))
    }

    async fn search_orders(
        &self,
        request: Request<pb::SearchOrdersRequest>,
    ) -> Reply<pb::SearchOrdersResponse> {
        let session = Session::of(&request)?;
        let (filter, offset, limit) =
            conv::search_request(request.into_inner(), session.user_id, &self.state.clock)?;
        let today = self.state.clock.today();
        let weighs_hold = weighs_hold(&session);
        let (found, bundle, mut cases) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let mut found = order::search(conn, reps, &filter, today, offset, limit)?;
                let rows = std::mem::take(&mut found.rows);
                let cases = ops::approval_cases(
                    conn,
                    reps,
                    &rows.iter().collect::<Vec<_>>(),
                    today,
                    weighs_hold,
                )?;
                let bundle = ops::bundle(conn, rows, vec![], vec![], today)?;
                Ok((found, bundle, cases))
            })
            .await?;
        let Bundle { orders, names, .. } = bundle;
        let money = access::may_read_order_money(&session.grants());
        Ok(Response::new(pb::SearchOrdersResponse {
            orders: orders
                .into_iter()
                .map(|(o, f): (order::Order, OrderFacts)| {
                    let case = cases.remove(&o.id);
                    let mut order = conv::order(o, &f, &names);
                    if let Some(case) = case {
                        conv::approval_case(&mut order, case);
                    }
                    if !money {
                        conv::hide_money(&mut order);
                    }
                    order
                })
                .collect(),
            total: u64::try_from(found.total).unwrap_or(0),
            total_is_exact: found.total_is_exact,
        }))
    }

    async fn cancel_order(
        &self,
        request: Request<pb::CancelOrderRequest>,
    ) -> Reply<pb::OrderDetail> {
        let session = Session::of(&request)?;
        let pb::CancelOrderRequest {
            id,
            version,
            reason,
        } = request.into_inner();
        self.end_order(session, id, version, ops::Ending::Cancel, reason)
            .await
    }

    async fn approve_order(
        &self,
        request: Request<pb::ApproveOrderRequest>,
    ) -> Reply<pb::OrderDetail> {
        let session = Session::of(&request)?;
        let pb::ApproveOrderRequest {
            id,
            version,
            reason,
        } = request.into_inner();
        let (order_id, version, reason) = conv::reason_request(id, version, reason)?;
        let today = self.state.clock.today();
        self.state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::approve(conn, ctx, reps, order_id, version, &reason, today)
            })
            .await?;
        Ok(Response::new(self.order_detail(&session, order_id).await?))
    }

    async fn close_order(&self, request: Request<pb::CloseOrderRequest>) -> Reply<pb::OrderDetail> {
        let session = Session::of(&request)?;
        let pb::CloseOrderRequest {
            id,
            version,
            reason,
        } = request.into_inner();
        self.end_order(session, id, version, ops::Ending::Close, reason)
            .await
    }

    async fn create_shipment(
        &self,
        request: Request<pb::CreateShipmentRequest>,
    ) -> Reply<pb::Shipment> {
        let session = Session::of(&request)?;
        let draft = conv::create_shipment(request.into_inner())?;
        let today = self.state.clock.today();
        let (row, _) = self
            .state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::ship(conn, ctx, reps, &draft, today)
            })
            .await?;
        Ok(Response::new(self.shipment_reply(&session, row.id).await?))
    }

    async fn confirm_delivery(
        &self,
        request: Request<pb::ConfirmDeliveryRequest>,
    ) -> Reply<pb::Shipment> {
        let session = Session::of(&request)?;
        let clock = self.state.clock.clone();
        let crate::convert::Update { id, version, input } =
            conv::confirm_delivery(request.into_inner(), clock.now())?;
        self.state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::confirm_delivery(conn, ctx, reps, id, version, &input, &clock)
            })
            .await?;
        Ok(Response::new(self.shipment_reply(&session, id).await?))
    }

    async fn list_shipments(
        &self,
        request: Request<pb::ListShipmentsRequest>,
    ) -> Reply<pb::ListShipmentsResponse> {
        let session = Session::of(&request)?;
        let (filter, offset, limit) = conv::list_shipments(request.into_inner(), session.user_id)?;
        let today = self.state.clock.today();
        let (found, bundle, contacts) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                ops::check_shipment_filter(conn, reps, &filter)?;
                let mut found = shipment::list(conn, reps, &filter, today, offset, limit)?;
                let rows = std::mem::take(&mut found.rows);
                let ids: Vec<i64> = rows.iter().map(|s| s.customer_id).collect();
                let contacts = customer::contacts(conn, &ids)?;
                let bundle = ops::bundle(conn, vec![], rows, vec![], today)?;
                Ok((found, bundle, contacts))
            })
            .await?;
        let Bundle {
            shipments, names, ..
        } = bundle;
        Ok(Response::new(pb::ListShipmentsResponse {
            contacts: contacts
                .into_iter()
                .map(|(id, (contact_person, phone))| {
                    let contact = pb::CustomerContact {
                        contact_person,
                        phone,
                    };
                    (id, contact)
                })
                .collect(),
            shipments: shipments
                .into_iter()
                .map(|(s, l)| conv::shipment(s, l, &names, today))
                .collect(),
            total: u64::try_from(found.total).unwrap_or(0),
            total_is_exact: found.total_is_exact,
        }))
    }

    async fn report_exception(
        &self,
        request: Request<pb::ReportExceptionRequest>,
    ) -> Reply<pb::TransportException> {
        let session = Session::of(&request)?;
        let report = conv::report_exception(request.into_inner())?;
        let now = self.state.clock.now();
        let today = self.state.clock.date_of(now);
        let (row, _) = self
            .state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::report_exception(conn, ctx, reps, &report, now, today)
            })
            .await?;
        Ok(Response::new(self.exception_reply(&session, row.id).await?))
    }

    async fn decide_exception(
        &self,
        request: Request<pb::DecideExceptionRequest>,
    ) -> Reply<pb::TransportException> {
        let session = Session::of(&request)?;
        let (exception_id, version, decision, note) = conv::decide_exception(request.into_inner())?;
        let now = self.state.clock.now();
        let today = self.state.clock.date_of(now);
        self.state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::decide(
                    conn,
                    ctx,
                    reps,
                    exception_id,
                    version,
                    &decision,
                    &note,
                    now,
                    today,
                )
            })
            .await?;
        Ok(Response::new(
            self.exception_reply(&session, exception_id).await?,
        ))
    }

    async fn ship_replacement(
        &self,
        request: Request<pb::ShipReplacementRequest>,
    ) -> Reply<pb::Shipment> {
        let session = Session::of(&request)?;
        let draft = conv::ship_replacement(request.into_inner())?;
        let today = self.state.clock.today();
        let (row, _) = self
            .state
            .write_scoped(session.clone(), move |conn, ctx, reps| {
                ops::ship_replacement(conn, ctx, reps, &draft, today)
            })
            .await?;
        Ok(Response::new(self.shipment_reply(&session, row.id).await?))
    }

    async fn list_exceptions(
        &self,
        request: Request<pb::ListExceptionsRequest>,
    ) -> Reply<pb::ListExceptionsResponse> {
        let session = Session::of(&request)?;
        let (filter, offset, limit) = conv::list_exceptions(request.into_inner(), session.user_id)?;
        let clock = self.state.clock.clone();
        let today = clock.today();
        let (found, bundle) = self
            .state
            .read_scoped(&session, move |conn, reps| {
                let mut found = transport_exception::list(
                    conn,
                    reps,
                    &filter,
                    |d| clock.start_of(d),
                    offset,
                    limit,
                )?;
                let rows = std::mem::take(&mut found.rows);
                let bundle = ops::bundle(conn, vec![], vec![], rows, today)?;
                Ok((found, bundle))
            })
            .await?;
        let Bundle {
            exceptions, names, ..
        } = bundle;
        Ok(Response::new(pb::ListExceptionsResponse {
            exceptions: exceptions
                .into_iter()
                .map(|(e, l)| conv::transport_exception(e, l, &names))
                .collect(),
            total: u64::try_from(found.total).unwrap_or(0),
            total_is_exact: found.total_is_exact,
        }))
    }
}
