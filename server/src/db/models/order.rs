//! `orders` and `order_lines` (an order and its lines are one aggregate): placing, the
//! progress counters the operations keep, cancelling and closing (结案), and the order
//! search.
//!
//! An order is seen through its customer ([`crate::db::scope`]): outside the caller's
//! scope it is NOT_FOUND. Its status is a generated column over the counters and the
//! cancelled/closed stamps (`migrations/…_order_close/up.sql`); nothing writes it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric};
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::{WriteCtx, ledger, shipment};
use crate::db::schema::{order_lines, orders};
use crate::db::scope::{self, Reps};
use crate::db::sql::{Page, Sql, Value, offset_page_ids};
use crate::error::{AppError, AppResult};
use crate::msg;

/// An order row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = orders)]
pub struct Order {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub sales_rep_id: i64,
    pub cs_rep_id: i64,
    pub order_date: NaiveDate,
    pub invoicing_entity_id: i64,
    pub delivery_address: String,
    pub requested_delivery_date: Option<NaiveDate>,
    pub credit_days: i32,
    pub note: String,
    pub total: Decimal,
    pub units_ordered: i64,
    pub units_shipped: i64,
    pub units_delivered: i64,
    pub open_shipments: i32,
    pub exception_count: i32,
    pub open_exceptions: i32,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    pub cancelled_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    /// When what remained unshipped was given up (结案); set only with something shipped.
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: String,
    pub closed_by: Option<i64>,
    /// CNY given up by closing: the amount of the units not shipped; 0 unless closed.
    pub closed_amount: Decimal,
    /// The container unit every line is counted in (盒), so that the unit counters above
    /// can be named; `None` when the lines use different units.
    pub unit_name: Option<String>,
    /// Placed past a credit hold by one who may not override it: it waits for someone
    /// who may (待审批) and ships nothing until approved. Kept on a cancelled order: it was
    /// turned down (驳回).
    pub awaiting_approval: bool,
    /// `awaiting_approval`, `pending`, `partially_shipped`, `shipped`, `completed` or
    /// `cancelled` (derived; a closed order goes on as if every unit had shipped).
    pub status: String,
}

/// An order line row: the drug as it was when ordered.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = order_lines)]
pub struct OrderLine {
    pub id: i64,
    pub order_id: i64,
    pub line_no: i32,
    pub drug_id: i64,
    pub drug_name: String,
    pub specification: String,
    pub dosage_form: String,
    pub manufacturer: String,
    pub unit_label: String,
    pub quantity: i64,
    pub unit_price: Decimal,
    pub amount: Decimal,
    pub shipped_quantity: i64,
    /// The drug's sale price (售价, CNY per unit) when the line was priced; `None` for
    /// lines priced before it was kept.
    pub list_price: Option<Decimal>,
}

impl Order {
    /// Turned down (驳回): stopped while it awaited approval past a credit hold, by someone
    /// other than its sales rep (who withdrawing their own request cancels it).
    pub fn rejected(&self) -> bool {
        self.awaiting_approval
            && self.cancelled_at.is_some()
            && self.cancelled_by != Some(self.sales_rep_id)
    }
}

impl OrderLine {
    /// A line as priced, not yet stored (a preview's): id 0, nothing shipped.
    pub fn priced(l: NewOrderLine) -> OrderLine {
        OrderLine {
            id: 0,
            order_id: l.order_id,
            line_no: l.line_no,
            drug_id: l.drug_id,
            drug_name: l.drug_name,
            specification: l.specification,
            dosage_form: l.dosage_form,
            manufacturer: l.manufacturer,
            unit_label: l.unit_label,
            quantity: l.quantity,
            unit_price: l.unit_price,
            amount: l.amount,
            shipped_quantity: 0,
            list_price: l.list_price,
        }
    }
}

/// A new order's header (the counters start at 0; `units_ordered` and `total` are the
/// lines' sums).
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = orders)]
pub struct NewOrder {
    pub number: String,
    pub customer_id: i64,
    pub sales_rep_id: i64,
    pub cs_rep_id: i64,
    pub order_date: NaiveDate,
    pub invoicing_entity_id: i64,
    pub delivery_address: String,
    pub requested_delivery_date: Option<NaiveDate>,
    pub credit_days: i32,
    pub note: String,
    pub total: Decimal,
    pub units_ordered: i64,
    /// The container unit every line is counted in; `None` when they differ.
    pub unit_name: Option<String>,
    /// Placed past a credit hold to wait for approval (待审批).
    pub awaiting_approval: bool,
    pub created_by: i64,
    pub updated_by: Option<i64>,
}

/// A new order line (its `order_id` is set when the header is inserted).
#[derive(Insertable, Debug, Clone, PartialEq)]
#[diesel(table_name = order_lines)]
pub struct NewOrderLine {
    pub order_id: i64,
    pub line_no: i32,
    pub drug_id: i64,
    pub drug_name: String,
    pub specification: String,
    pub dosage_form: String,
    pub manufacturer: String,
    pub unit_label: String,
    pub quantity: i64,
    pub unit_price: Decimal,
    pub amount: Decimal,
    pub list_price: Option<Decimal>,
}

pub fn not_found() -> AppError {
    AppError::not_found(msg!("order.not_found"))
}

crate::versioned!(Order, orders, "order", not_found);

crate::of_customer!(Order, orders, not_found);

crate::insert_with_lines!(
    orders: NewOrder => Order,
    order_lines: NewOrderLine => OrderLine,
    order_id
);

/// Replaces the (locked, checked) order's own fields and its lines with `header`'s and
/// `lines`' while nothing of it has shipped: its number, date, customer, reps and progress
/// counters stay, its version moves on. Returns both as stored, the lines in the order
/// given (new ids: nothing refers to an unshipped order's lines).
pub fn replace(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Order,
    header: &NewOrder,
    lines: &[NewOrderLine],
) -> AppResult<(Order, Vec<OrderLine>)> {
    diesel::delete(order_lines::table.filter(order_lines::order_id.eq(before.id))).execute(conn)?;
    let row = diesel::update(orders::table.find(before.id))
        .set((
            orders::invoicing_entity_id.eq(header.invoicing_entity_id),
            orders::delivery_address.eq(&header.delivery_address),
            orders::requested_delivery_date.eq(header.requested_delivery_date),
            orders::credit_days.eq(header.credit_days),
            orders::note.eq(&header.note),
            orders::total.eq(header.total),
            orders::units_ordered.eq(header.units_ordered),
            orders::unit_name.eq(&header.unit_name),
            crate::stamp!(orders, before, ctx),
        ))
        .returning(Order::as_returning())
        .get_result(conn)?;
    let lines: Vec<NewOrderLine> = lines
        .iter()
        .map(|l| NewOrderLine {
            order_id: before.id,
            ..l.clone()
        })
        .collect();
    let lines = diesel::insert_into(order_lines::table)
        .values(&lines)
        .returning(OrderLine::as_returning())
        .get_results(conn)?;
    Ok((row, lines))
}

/// A customer's orders still at work ([`open_orders`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOrders {
    /// How many.
    pub count: i64,
    /// The oldest (by order date, then id), at most as many as asked.
    pub oldest: Vec<OpenOrder>,
}

/// One of a customer's orders at work, as the customer names it: what it waits for is
/// its status (to ship, part shipped, on the way) or its open transport exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct OpenOrder {
    pub id: i64,
    /// SO….
    pub number: String,
    /// Its status code (`pending`, `partially_shipped`, `shipped`, …).
    pub status: String,
    /// Its transport exceptions still open.
    pub open_exceptions: i32,
}

/// The orders still to ship with a line of drug `drug_id` (待发货 or 部分发货: their
/// quantities can still be changed or shipped, counted in the line's container unit): how
/// many, and the numbers of the `shown` oldest.
pub fn to_ship_with_drug(
    conn: &mut PgConnection,
    drug_id: i64,
    shown: i64,
) -> AppResult<(i64, Vec<String>)> {
    let to_ship = || {
        orders::table
            .filter(orders::status.eq_any(["pending", "partially_shipped"]))
            .filter(diesel::dsl::exists(
                order_lines::table
                    .filter(order_lines::order_id.eq(orders::id))
                    .filter(order_lines::drug_id.eq(drug_id)),
            ))
    };
    let count = to_ship().count().get_result(conn)?;
    let numbers = to_ship()
        .order((orders::order_date, orders::id))
        .select(orders::number)
        .limit(shown)
        .load(conn)?;
    Ok((count, numbers))
}

/// Customer `customer_id`'s orders still at work — not completed (every shipment
/// delivered) nor cancelled: to ship, or on their way —, or with a transport exception
/// still open (awaiting a decision or its replacement): how many, and the `shown` oldest.
pub fn open_orders(conn: &mut PgConnection, customer_id: i64, shown: i64) -> AppResult<OpenOrders> {
    let open = || {
        orders::table
            .filter(orders::customer_id.eq(customer_id))
            .filter(
                orders::status
                    .ne_all(["completed", "cancelled"])
                    .or(orders::open_exceptions.gt(0)),
            )
    };
    let count = open().count().get_result(conn)?;
    let oldest = open()
        .order((orders::order_date, orders::id))
        .select((
            orders::id,
            orders::number,
            orders::status,
            orders::open_exceptions,
        ))
        .limit(shown)
        .load(conn)?;
    Ok(OpenOrders { count, oldest })
}

/// The lines of an order, by line number.
pub fn lines(conn: &mut PgConnection, order_id: i64) -> AppResult<Vec<OrderLine>> {
    Ok(order_lines::table
        .filter(order_lines::order_id.eq(order_id))
        .order(order_lines::line_no)
        .select(OrderLine::as_select())
        .load(conn)?)
}

/// The lines of `ids`.
pub fn lines_by_id(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<OrderLine>> {
    Ok(order_lines::table
        .filter(order_lines::id.eq_any(ids))
        .select(OrderLine::as_select())
        .load(conn)?)
}

/// Adds `quantity` shipped units to an order line. The table's CHECK refuses shipping
/// more than was ordered; the operation checks first, under the order's lock.
pub fn add_shipped(conn: &mut PgConnection, line_id: i64, quantity: i64) -> AppResult<()> {
    diesel::update(order_lines::table.find(line_id))
        .set(order_lines::shipped_quantity.eq(order_lines::shipped_quantity + quantity))
        .execute(conn)?;
    Ok(())
}

/// A change of an order's progress counters (each a difference, usually 0 or ±n).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Units on original shipments.
    pub shipped: i64,
    /// Units received in good order (实收): units on shipments (replacements too)
    /// confirmed delivered, less those of them reported in exceptions.
    pub delivered: i64,
    /// Shipments in transit.
    pub open_shipments: i32,
    /// Exceptions reported.
    pub exceptions: i32,
    /// Exceptions not yet closed.
    pub open_exceptions: i32,
}

/// Applies `change` to the counters of the order (locked by the caller); the status
/// follows. With `bump`, the order's version moves on too (an original shipment changes
/// what remains to ship).
pub fn advance(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    order: &Order,
    change: Progress,
    bump: bool,
) -> AppResult<Order> {
    let version = if bump {
        order.version + 1
    } else {
        order.version
    };
    Ok(diesel::update(orders::table.find(order.id))
        .set((
            orders::units_shipped.eq(orders::units_shipped + change.shipped),
            orders::units_delivered.eq(orders::units_delivered + change.delivered),
            orders::open_shipments.eq(orders::open_shipments + change.open_shipments),
            orders::exception_count.eq(orders::exception_count + change.exceptions),
            orders::open_exceptions.eq(orders::open_exceptions + change.open_exceptions),
            orders::version.eq(version),
            orders::updated_at.eq(diesel::dsl::now),
            orders::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Order::as_returning())
        .get_result(conn)?)
}

/// How an order is stopped: cancelled while nothing has shipped, or closed (结案) with
/// what remains unshipped given up. Each has its own stamp (when, by whom, why).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Cancel,
    Close,
}

impl Ending {
    /// The audit action's verb for order `ended`, as it ended so: `order.cancel`,
    /// `order.close`, or `order.reject` for one stopped while awaiting approval by someone
    /// other than its rep ([`Order::rejected`]: turned down, said as such).
    pub fn verb(self, ended: &Order) -> &'static str {
        match self {
            _ if ended.rejected() => "reject",
            Ending::Cancel => "cancel",
            Ending::Close => "close",
        }
    }
}

/// Stamps the (locked, checked) order cancelled or closed, now, with `reason`; a closed
/// one with `given_up`, the CNY amount of its units not shipped.
pub fn end(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Order,
    ending: Ending,
    reason: &str,
    given_up: Decimal,
) -> AppResult<Order> {
    let target = diesel::update(orders::table.find(before.id));
    let stamp = crate::stamp!(orders, before, ctx);
    let query = match ending {
        Ending::Cancel => target
            .set((
                orders::cancelled_at.eq(diesel::dsl::now),
                orders::cancelled_by.eq(ctx.actor.user_id),
                orders::cancel_reason.eq(reason),
                stamp,
            ))
            .returning(Order::as_returning())
            .get_result(conn),
        Ending::Close => target
            .set((
                orders::closed_at.eq(diesel::dsl::now),
                orders::closed_by.eq(ctx.actor.user_id),
                orders::close_reason.eq(reason),
                orders::closed_amount.eq(given_up),
                stamp,
            ))
            .returning(Order::as_returning())
            .get_result(conn),
    };
    Ok(query?)
}

/// An order awaiting approval, as another of its customer's is weighed beside it.
#[derive(Queryable, Debug, Clone)]
pub struct Awaiting {
    pub id: i64,
    pub customer_id: i64,
    pub number: String,
    /// CNY.
    pub total: Decimal,
}

/// The orders of `customers` awaiting approval (not cancelled), oldest first.
pub fn awaiting_approval_of(
    conn: &mut PgConnection,
    customers: &[i64],
) -> AppResult<Vec<Awaiting>> {
    Ok(orders::table
        .filter(orders::customer_id.eq_any(customers))
        .filter(orders::awaiting_approval)
        .filter(orders::cancelled_at.is_null())
        .order(orders::id)
        .select((
            orders::id,
            orders::customer_id,
            orders::number,
            orders::total,
        ))
        .load(conn)?)
}

/// Approves order `before` (locked, awaiting approval): it is 待发货 from now on.
pub fn approve(conn: &mut PgConnection, ctx: WriteCtx<'_>, before: &Order) -> AppResult<Order> {
    let stamp = crate::stamp!(orders, before, ctx);
    Ok(diesel::update(orders::table.find(before.id))
        .set((orders::awaiting_approval.eq(false), stamp))
        .returning(Order::as_returning())
        .get_result(conn)?)
}

/// What an order's list row shows besides its own columns, computed on read: today's
/// overdue shipments depend on the business date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFacts {
    /// Σ values of the exceptions decided `deduct`, CNY.
    pub deductions: Decimal,
    /// Shipments recorded, replacements included.
    pub shipments: i64,
    /// Shipments in transit after their expected arrival date (before `today`).
    pub overdue: i64,
    /// Exceptions awaiting a decision.
    pub awaiting_decision: i64,
    /// What is still owed on it: [`ledger::OrderMoney::outstanding`], CNY.
    pub outstanding: Decimal,
    /// What an invoice may still cover: [`ledger::OrderMoney::not_invoiced`], CNY.
    pub not_invoiced: Decimal,
    /// What an invoice from each entity may still cover: (entity id, CNY) by entity id,
    /// [`ledger::not_invoiced_by_entity`].
    pub not_invoiced_by_entity: Vec<(i64, Decimal)>,
}

/// The facts of each order of `ids` on business day `today`.
pub fn facts(
    conn: &mut PgConnection,
    ids: &[i64],
    today: NaiveDate,
) -> AppResult<HashMap<i64, OrderFacts>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Numeric)]
        deductions: Decimal,
        #[diesel(sql_type = BigInt)]
        shipments: i64,
        #[diesel(sql_type = BigInt)]
        overdue: i64,
        #[diesel(sql_type = BigInt)]
        awaiting: i64,
    }
    let mut sql = Sql::new(
        "SELECT o.id,
                COALESCE((SELECT sum(e.value) FROM transport_exceptions e
                           WHERE e.order_id = o.id AND e.decision = 'deduct'), 0) AS deductions,
                (SELECT count(*) FROM shipments s WHERE s.order_id = o.id) AS shipments,
                (SELECT count(*) FROM shipments s
                  WHERE s.order_id = o.id AND s.delivery_status = 'in_transit'
                    AND s.expected_arrival < ",
    );
    sql.bind(Value::Date(today))
        .push(
            ") AS overdue,
                (SELECT count(*) FROM transport_exceptions e
                  WHERE e.order_id = o.id AND e.decision = 'pending') AS awaiting
           FROM orders o
          WHERE o.id = ANY(",
        )
        .bind(Value::IntArray(ids.to_vec()))
        .push(")");
    let rows: Vec<Row> = sql.query().load(conn)?;
    let mut money = ledger::order_money(conn, ids)?;
    let mut by_entity = ledger::not_invoiced_by_entity(conn, ids, &money)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let m = money.remove(&r.id).unwrap_or_default();
            (
                r.id,
                OrderFacts {
                    deductions: r.deductions,
                    shipments: r.shipments,
                    overdue: r.overdue,
                    awaiting_decision: r.awaiting,
                    outstanding: m.outstanding,
                    not_invoiced: m.not_invoiced(),
                    not_invoiced_by_entity: by_entity.remove(&r.id).unwrap_or_default(),
                },
            )
        })
        .collect())
}

/// Per order line: units received in good order (实收: units on shipments and
/// replacements confirmed delivered, less those of them reported in exceptions), and units
/// reported in exceptions (on original and replacement shipments).
pub fn line_facts(conn: &mut PgConnection, order_id: i64) -> AppResult<HashMap<i64, (i64, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = BigInt)]
        delivered: i64,
        #[diesel(sql_type = BigInt)]
        exceptions: i64,
    }
    let mut sql = Sql::new(
        "SELECT l.id,
                COALESCE((SELECT sum(sl.quantity - sl.exception_quantity)
                            FROM shipment_lines sl
                            JOIN shipments s ON s.id = sl.shipment_id
                           WHERE sl.order_line_id = l.id
                             AND s.delivery_status = 'delivered'), 0)::bigint AS delivered,
                COALESCE((SELECT sum(sl.exception_quantity) FROM shipment_lines sl
                           WHERE sl.order_line_id = l.id), 0)::bigint AS exceptions
           FROM order_lines l WHERE l.order_id = ",
    );
    sql.bind(Value::Int(order_id));
    let rows: Vec<Row> = sql.query().load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, (r.delivered, r.exceptions)))
        .collect())
}

/// How orders are sorted. Ties: by date, newest first (by id in the same direction when
/// sorted by date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderSort {
    #[default]
    OrderDate,
    Customer,
    Total,
    Status,
}

/// An order search; every filter optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Any part of the number, upper-cased, or a shipment's whole number or waybill;
    /// empty for any.
    pub number: String,
    pub created_from: Option<NaiveDate>,
    pub created_to: Option<NaiveDate>,
    pub customer_id: Option<i64>,
    pub sales_rep_id: Option<i64>,
    pub cs_rep_id: Option<i64>,
    /// Stored status codes; empty for any.
    pub statuses: Vec<String>,
    pub has_overdue: bool,
    pub has_open_exceptions: bool,
    /// Only orders closed (结案).
    pub closed_only: bool,
    /// Only the orders of customers whose current sales or CS rep is this user.
    pub customers_of: Option<i64>,
    /// Only orders cancelled at or after this instant by someone other than this user.
    pub cancelled_by_others_since: Option<(DateTime<Utc>, i64)>,
    pub sort: OrderSort,
    pub descending: bool,
}

/// Searches orders within `reps`, `today` being the business date for the overdue
/// filter; paged by offset.
pub fn search(
    conn: &mut PgConnection,
    reps: &Reps,
    filter: &OrderFilter,
    today: NaiveDate,
    offset: i64,
    limit: i64,
) -> AppResult<Page<Order>> {
    let mut conditions = scope::customers_sql(reps, "c");
    if !filter.number.is_empty() {
        // A shipment's number or waybill, whole, finds its order too (a courier's or a
        // customer's call names those): looked up first, so the search stays an index
        // scan of orders by number or by id.
        let shipped = shipment::orders_shipped_as(conn, &filter.number)?;
        conditions
            .push(" AND (o.number LIKE ")
            .bind(Value::Text(super::contains_pattern(&filter.number)))
            .push(" OR o.id = ANY(")
            .bind(Value::IntArray(shipped))
            .push("))");
    }
    if let Some(from) = filter.created_from {
        conditions
            .push(" AND o.order_date >= ")
            .bind(Value::Date(from));
    }
    if let Some(to) = filter.created_to {
        conditions
            .push(" AND o.order_date <= ")
            .bind(Value::Date(to));
    }
    for (column, value) in [
        ("customer_id", filter.customer_id),
        ("sales_rep_id", filter.sales_rep_id),
        ("cs_rep_id", filter.cs_rep_id),
    ] {
        if let Some(v) = value {
            conditions
                .push(&format!(" AND o.{column} = "))
                .bind(Value::Int(v));
        }
    }
    if let Some(user) = filter.customers_of {
        conditions
            .push(" AND (c.sales_rep_id = ")
            .bind(Value::Int(user))
            .push(" OR c.cs_rep_id = ")
            .bind(Value::Int(user))
            .push(")");
    }
    if let Some((since, caller)) = filter.cancelled_by_others_since {
        conditions
            .push(" AND o.cancelled_at >= ")
            .bind(Value::Time(since))
            .push(" AND o.cancelled_by <> ")
            .bind(Value::Int(caller));
    }
    if !filter.statuses.is_empty() {
        conditions
            .push(" AND o.status = ANY(")
            .bind(Value::TextArray(filter.statuses.clone()))
            .push(")");
    }
    if filter.has_overdue {
        conditions
            .push(
                " AND EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id \
                 AND s.delivery_status = 'in_transit' AND s.expected_arrival < ",
            )
            .bind(Value::Date(today))
            .push(")");
    }
    if filter.has_open_exceptions {
        conditions.push(" AND o.open_exceptions > 0");
    }
    if filter.closed_only {
        conditions.push(" AND o.closed_at IS NOT NULL");
    }
    let direction = if filter.descending { "DESC" } else { "ASC" };
    let key = match filter.sort {
        OrderSort::OrderDate => "o.order_date",
        OrderSort::Customer => "pinyin_key(c.name) COLLATE \"zh-x-icu\"",
        OrderSort::Total => "o.total",
        OrderSort::Status => {
            "array_position(ARRAY['awaiting_approval','pending','partially_shipped','shipped','completed','cancelled'], o.status)"
        }
    };
    // Orders alike in the key (one customer's, one status) newest first whichever way
    // the key runs, the last placed first within a day; sorted by date, a day's orders
    // by id the same way as the dates.
    let then = match filter.sort {
        OrderSort::OrderDate => format!("o.id {direction}"),
        _ => "o.order_date DESC, o.id DESC".to_owned(),
    };
    let (ids, counted) = offset_page_ids(
        conn,
        "o.id",
        "FROM orders o JOIN customers c ON c.id = o.customer_id WHERE ",
        &conditions,
        &format!("ORDER BY {key} {direction}, {then}"),
        offset,
        limit,
    )?;
    let rows = orders::table
        .filter(orders::id.eq_any(&ids))
        .select(Order::as_select())
        .load(conn)?;
    Ok(Page::in_order_of(rows, &ids, |o| o.id, counted))
}
