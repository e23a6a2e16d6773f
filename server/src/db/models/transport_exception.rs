//! `transport_exceptions` and `exception_lines` (one aggregate): goods damaged, lost or
//! short on a shipment, reported by the CS rep and decided by the sales rep (deduct or
//! reship). Seen through the customer ([`crate::db::scope`]).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::WriteCtx;
use crate::db::schema::{exception_lines, transport_exceptions as exceptions};
use crate::db::scope::{self, Reps};
use crate::db::sql::{Page, Value, offset_page_ids};
use crate::error::{AppError, AppResult};
use crate::msg;

/// Awaiting the sales rep's decision.
pub const PENDING: &str = "pending";
/// The value comes off what the customer owes for the order.
pub const DEDUCT: &str = "deduct";
/// A replacement shipment re-sends the units.
pub const RESHIP: &str = "reship";

/// An exception row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = exceptions)]
pub struct TransportException {
    pub id: i64,
    pub number: String,
    pub shipment_id: i64,
    pub order_id: i64,
    pub customer_id: i64,
    /// `damaged`, `lost` or `short`.
    pub kind: String,
    pub description: String,
    pub value: Decimal,
    pub decision: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: String,
    pub replacement_shipment_id: Option<i64>,
    pub reported_by: i64,
    pub reported_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// An exception line row: units of one shipment line.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = exception_lines)]
pub struct ExceptionLine {
    pub id: i64,
    pub exception_id: i64,
    pub shipment_line_id: i64,
    pub quantity: i64,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

/// A new exception.
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = exceptions)]
pub struct NewException {
    pub number: String,
    pub shipment_id: i64,
    pub order_id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub description: String,
    pub value: Decimal,
    pub reported_by: i64,
    /// The server clock's now: its business date is the one reports count it on.
    pub reported_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A new exception line (its `exception_id` is set on insert).
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = exception_lines)]
pub struct NewExceptionLine {
    pub exception_id: i64,
    pub shipment_line_id: i64,
    pub quantity: i64,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

pub fn not_found() -> AppError {
    AppError::not_found(msg!("exception.not_found"))
}

crate::versioned!(
    TransportException,
    exceptions,
    "transport_exception",
    not_found
);

crate::of_customer!(TransportException, exceptions, not_found);

crate::insert_with_lines!(
    exceptions: NewException => TransportException,
    exception_lines: NewExceptionLine => ExceptionLine,
    exception_id
);

/// The exceptions of an order, oldest first.
pub fn of_order(conn: &mut PgConnection, order_id: i64) -> AppResult<Vec<TransportException>> {
    Ok(exceptions::table
        .filter(exceptions::order_id.eq(order_id))
        .order((exceptions::reported_at, exceptions::id))
        .select(TransportException::as_select())
        .load(conn)?)
}

/// The open exception whose replacement is shipment `shipment_id`, if any.
pub fn replaced_by(
    conn: &mut PgConnection,
    shipment_id: i64,
) -> AppResult<Option<TransportException>> {
    Ok(exceptions::table
        .filter(exceptions::replacement_shipment_id.eq(shipment_id))
        .filter(exceptions::closed_at.is_null())
        .select(TransportException::as_select())
        .for_update()
        .first(conn)
        .optional()?)
}

/// The lines of the exceptions `ids`.
pub fn lines_of(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<ExceptionLine>> {
    Ok(exception_lines::table
        .filter(exception_lines::exception_id.eq_any(ids))
        .order((exception_lines::exception_id, exception_lines::id))
        .select(ExceptionLine::as_select())
        .load(conn)?)
}

/// Units of `kind` exceptions reported on each line of shipment `shipment_id`.
pub fn units_of_kind(conn: &mut PgConnection, shipment_id: i64, kind: &str) -> AppResult<i64> {
    use diesel::dsl::sum;
    let units: Option<Decimal> = exception_lines::table
        .inner_join(exceptions::table)
        .filter(exceptions::shipment_id.eq(shipment_id))
        .filter(exceptions::kind.eq(kind))
        .select(sum(exception_lines::quantity))
        .first(conn)?;
    Ok(units.and_then(|d| i64::try_from(d).ok()).unwrap_or(0))
}

/// Decides the (locked) exception `before` as `decision` (`deduct`, which closes it at
/// `at`, or `reship`, which awaits its replacement shipment) with `note`, by the actor at
/// `at` (the server clock's instant).
pub fn decide(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &TransportException,
    decision: &str,
    note: &str,
    at: DateTime<Utc>,
) -> AppResult<TransportException> {
    let closed_at = (decision == DEDUCT).then_some(at);
    Ok(diesel::update(exceptions::table.find(before.id))
        .set((
            exceptions::decision.eq(decision),
            exceptions::decided_by.eq(ctx.actor.user_id),
            exceptions::decided_at.eq(at),
            exceptions::note.eq(note),
            exceptions::closed_at.eq(closed_at),
            crate::stamp!(exceptions, before, ctx),
        ))
        .returning(TransportException::as_returning())
        .get_result(conn)?)
}

/// Links the (locked) exception `before`, decided `reship`, to its replacement shipment
/// `shipment_id` (补发, recorded by the CS rep).
pub fn set_replacement(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &TransportException,
    shipment_id: i64,
) -> AppResult<TransportException> {
    Ok(diesel::update(exceptions::table.find(before.id))
        .set((
            exceptions::replacement_shipment_id.eq(shipment_id),
            crate::stamp!(exceptions, before, ctx),
        ))
        .returning(TransportException::as_returning())
        .get_result(conn)?)
}

/// Closes the (locked) exception at `at` (the server clock's instant): its replacement
/// was delivered or lost.
pub fn close(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &TransportException,
    at: DateTime<Utc>,
) -> AppResult<TransportException> {
    Ok(diesel::update(exceptions::table.find(before.id))
        .set((
            exceptions::closed_at.eq(at),
            crate::stamp!(exceptions, before, ctx),
        ))
        .returning(TransportException::as_returning())
        .get_result(conn)?)
}

/// An exception list; every filter optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ExceptionFilter {
    pub customer_id: Option<i64>,
    pub order_id: Option<i64>,
    pub awaiting_decision: bool,
    /// Decided reship, the replacement not shipped yet (the CS rep's 待补发).
    pub awaiting_replacement: bool,
    pub open_only: bool,
    /// Only the customers whose current sales rep is this user ("my work").
    pub sales_rep_id: Option<i64>,
    /// Only the customers whose current CS rep is this user (a CS rep's "my work").
    pub cs_rep_id: Option<i64>,
    /// A stored kind code.
    pub kind: Option<String>,
    pub reported_from: Option<NaiveDate>,
    pub reported_to: Option<NaiveDate>,
}

/// Lists exceptions within `reps`: oldest first when awaiting a decision, newest first
/// otherwise. Report dates are business dates: `start_of(date)` gives the instant a
/// business day starts.
pub fn list(
    conn: &mut PgConnection,
    reps: &Reps,
    filter: &ExceptionFilter,
    start_of: impl Fn(NaiveDate) -> DateTime<Utc>,
    offset: i64,
    limit: i64,
) -> AppResult<Page<TransportException>> {
    let mut conditions = scope::customers_sql(reps, "c");
    for (column, value) in [
        ("e.customer_id", filter.customer_id),
        ("e.order_id", filter.order_id),
        ("c.sales_rep_id", filter.sales_rep_id),
        ("c.cs_rep_id", filter.cs_rep_id),
    ] {
        if let Some(v) = value {
            conditions
                .push(&format!(" AND {column} = "))
                .bind(Value::Int(v));
        }
    }
    if filter.awaiting_decision {
        conditions.push(" AND e.decision = 'pending'");
    }
    if filter.awaiting_replacement {
        conditions.push(" AND e.decision = 'reship' AND e.replacement_shipment_id IS NULL");
    }
    if filter.open_only {
        conditions.push(" AND e.closed_at IS NULL");
    }
    if let Some(kind) = &filter.kind {
        conditions
            .push(" AND e.kind = ")
            .bind(Value::Text(kind.clone()));
    }
    if let Some(from) = filter.reported_from {
        conditions
            .push(" AND e.reported_at >= ")
            .bind(Value::Time(start_of(from)));
    }
    if let Some(to) = filter.reported_to.and_then(|d| d.succ_opt()) {
        conditions
            .push(" AND e.reported_at < ")
            .bind(Value::Time(start_of(to)));
    }
    let order = if filter.awaiting_decision || filter.awaiting_replacement {
        "ORDER BY e.reported_at ASC, e.id ASC"
    } else {
        "ORDER BY e.reported_at DESC, e.id DESC"
    };
    let (ids, counted) = offset_page_ids(
        conn,
        "e.id",
        "FROM transport_exceptions e JOIN customers c ON c.id = e.customer_id WHERE ",
        &conditions,
        order,
        offset,
        limit,
    )?;
    let rows = exceptions::table
        .filter(exceptions::id.eq_any(&ids))
        .select(TransportException::as_select())
        .load(conn)?;
    Ok(Page::in_order_of(rows, &ids, |r| r.id, counted))
}
