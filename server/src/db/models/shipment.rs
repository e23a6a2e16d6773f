//! `shipments` and `shipment_lines` (one aggregate): goods sent against an order with the
//! GSP fields on each line (批号, 有效期至), delivery, and the lists (a customer's
//! shipment history, the recall by batch, the CS rep's overdue shipments).
//!
//! A shipment is seen through its customer ([`crate::db::scope`]). Overdue is computed on
//! read from the business date: in transit with `expected_arrival` before today.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::WriteCtx;
use crate::db::schema::{shipment_lines, shipments};
use crate::db::scope::{self, Reps};
use crate::db::sql::{Page, Sql, Value, offset_page_ids};
use crate::error::{AppError, AppResult};
use crate::msg;

/// Delivery status codes as stored.
pub const IN_TRANSIT: &str = "in_transit";
/// Signed for by the customer.
pub const DELIVERED: &str = "delivered";
/// Every unit covered by exceptions of kind `lost`.
pub const LOST: &str = "lost";

/// A shipment row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = shipments)]
pub struct Shipment {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub customer_id: i64,
    pub ship_date: NaiveDate,
    pub carrier: String,
    pub waybill_no: String,
    pub transit_days: i32,
    pub expected_arrival: NaiveDate,
    pub invoicing_entity_id: i64,
    pub invoice_no: String,
    pub replacement_of_exception_id: Option<i64>,
    pub amount: Decimal,
    pub delivery_status: String,
    pub delivered_at: Option<DateTime<Utc>>,
    pub signer: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

impl Shipment {
    /// Days past the expected arrival on business day `today` while in transit; 0 when
    /// not overdue.
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        if self.delivery_status == IN_TRANSIT && self.expected_arrival < today {
            (today - self.expected_arrival).num_days()
        } else {
            0
        }
    }
}

/// A shipment line row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = shipment_lines)]
pub struct ShipmentLine {
    pub id: i64,
    pub shipment_id: i64,
    pub order_line_id: i64,
    pub exception_line_id: Option<i64>,
    pub quantity: i64,
    pub unit_price: Decimal,
    pub amount: Decimal,
    pub batch_no: String,
    pub expiry_date: NaiveDate,
    pub exception_quantity: i64,
}

/// A new shipment (`expected_arrival` is generated from the ship date and transit days).
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = shipments)]
pub struct NewShipment {
    pub number: String,
    pub order_id: i64,
    pub customer_id: i64,
    pub ship_date: NaiveDate,
    pub carrier: String,
    pub waybill_no: String,
    pub transit_days: i32,
    pub invoicing_entity_id: i64,
    pub invoice_no: String,
    pub replacement_of_exception_id: Option<i64>,
    pub amount: Decimal,
    pub created_by: i64,
    pub updated_by: Option<i64>,
}

/// A new shipment line (its `shipment_id` is set on insert).
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = shipment_lines)]
pub struct NewShipmentLine {
    pub shipment_id: i64,
    pub order_line_id: i64,
    pub exception_line_id: Option<i64>,
    pub quantity: i64,
    pub unit_price: Decimal,
    pub amount: Decimal,
    pub batch_no: String,
    pub expiry_date: NaiveDate,
}

pub fn not_found() -> AppError {
    AppError::not_found(msg!("shipment.not_found"))
}

crate::versioned!(Shipment, shipments, "shipment", not_found);

crate::of_customer!(Shipment, shipments, not_found);

crate::insert_with_lines!(
    shipments: NewShipment => Shipment,
    shipment_lines: NewShipmentLine => ShipmentLine,
    shipment_id
);

/// A waybill as carriers print it, and as it is stored and compared: full-width forms
/// half-width, no white space, upper case ("ｙｔ 5550 0011" → YT55500011).
pub fn waybill_key(text: &str) -> String {
    pharmacrm_shared::validation::half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// Shipments whose waybill is `key` ([`waybill_key`]), compared as index
/// `shipments_waybill` keys them (rows stored before waybills were kept so included).
fn waybill_is(
    key: String,
) -> Box<dyn BoxableExpression<shipments::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>>
{
    Box::new(
        shipments::waybill_no.ne("").and(
            diesel::dsl::sql::<diesel::sql_types::Bool>("upper(replace(waybill_no, ' ', '')) = ")
                .bind::<diesel::sql_types::Text, _>(key),
        ),
    )
}

/// A shipment already carrying a waybill, as a new one with the same waybill is judged
/// against it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct WaybillUse {
    /// SH….
    pub number: String,
    /// `in_transit`, `delivered` or `lost`.
    pub delivery_status: String,
    pub customer_id: i64,
    pub ship_date: NaiveDate,
}

/// The shipments (at most five, oldest first) with waybill `waybill`.
pub fn with_waybill(conn: &mut PgConnection, waybill: &str) -> AppResult<Vec<WaybillUse>> {
    Ok(shipments::table
        .filter(waybill_is(waybill_key(waybill)))
        .order(shipments::id)
        .select((
            shipments::number,
            shipments::delivery_status,
            shipments::customer_id,
            shipments::ship_date,
        ))
        .limit(5)
        .load(conn)?)
}

/// The orders (at most 50) with a shipment numbered `text` or with waybill `text`, whole:
/// a search by what a courier or a customer names.
pub fn orders_shipped_as(conn: &mut PgConnection, text: &str) -> AppResult<Vec<i64>> {
    let key = waybill_key(text);
    Ok(shipments::table
        .filter(shipments::number.eq(key.clone()).or(waybill_is(key)))
        .select(shipments::order_id)
        .distinct()
        .limit(50)
        .load(conn)?)
}

/// The shipments of an order, oldest first.
pub fn of_order(conn: &mut PgConnection, order_id: i64) -> AppResult<Vec<Shipment>> {
    Ok(shipments::table
        .filter(shipments::order_id.eq(order_id))
        .order((shipments::ship_date, shipments::id))
        .select(Shipment::as_select())
        .load(conn)?)
}

/// A batch as [`batch_expiries`] finds it: the drug, and the expiry date it is on record
/// with (`None`: not shipped before).
pub type BatchOnRecord = (i64, Option<NaiveDate>);

/// For each of `rows` — (order line, batch number) — the drug of the order line and the
/// expiry date its batch is on record with (the first shipment of it, the number's case
/// aside; `None` for a batch not shipped before), in the order of `rows`; `None` for an
/// order line that does not exist. One query (GSP: a batch has one expiry date).
pub fn batch_expiries(
    conn: &mut PgConnection,
    rows: &[(i64, &str)],
) -> AppResult<Vec<Option<BatchOnRecord>>> {
    #[derive(QueryableByName)]
    struct Known {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        position: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        drug_id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
        expiry_date: Option<NaiveDate>,
    }
    let mut sql = crate::db::sql::Sql::new(
        "SELECT r.position, ol.drug_id,
                (SELECT sl.expiry_date FROM shipment_lines sl
                   JOIN order_lines o2 ON o2.id = sl.order_line_id
                  WHERE upper(sl.batch_no) = upper(r.batch_no) AND o2.drug_id = ol.drug_id
                  ORDER BY sl.id LIMIT 1) AS expiry_date
           FROM unnest(",
    );
    sql.bind(Value::IntArray(rows.iter().map(|r| r.0).collect()))
        .push("::bigint[], ")
        .bind(Value::TextArray(
            rows.iter().map(|r| r.1.to_owned()).collect(),
        ))
        .push(
            "::text[]) WITH ORDINALITY AS r(order_line_id, batch_no, position)
             JOIN order_lines ol ON ol.id = r.order_line_id",
        );
    let known: Vec<Known> = sql.query().load(conn)?;
    let mut out = vec![None; rows.len()];
    for k in known {
        if let Some(slot) = usize::try_from(k.position - 1)
            .ok()
            .and_then(|i| out.get_mut(i))
        {
            *slot = Some((k.drug_id, k.expiry_date));
        }
    }
    Ok(out)
}

/// The lines of the shipments `ids`, by shipment then id.
pub fn lines_of(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<ShipmentLine>> {
    Ok(shipment_lines::table
        .filter(shipment_lines::shipment_id.eq_any(ids))
        .order((shipment_lines::shipment_id, shipment_lines::id))
        .select(ShipmentLine::as_select())
        .load(conn)?)
}

/// The shipment lines `ids`, locked for the rest of the transaction.
pub fn lock_lines(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<ShipmentLine>> {
    Ok(shipment_lines::table
        .filter(shipment_lines::id.eq_any(ids))
        .order(shipment_lines::id)
        .select(ShipmentLine::as_select())
        .for_update()
        .load(conn)?)
}

/// Adds `quantity` units reported in exceptions to a shipment line (its CHECK refuses
/// more than were shipped).
pub fn add_exception_quantity(
    conn: &mut PgConnection,
    line_id: i64,
    quantity: i64,
) -> AppResult<()> {
    diesel::update(shipment_lines::table.find(line_id))
        .set(shipment_lines::exception_quantity.eq(shipment_lines::exception_quantity + quantity))
        .execute(conn)?;
    Ok(())
}

/// Records the (locked) shipment delivered: who signed, when it arrived.
pub fn deliver(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Shipment,
    signer: &str,
    arrived_at: DateTime<Utc>,
) -> AppResult<Shipment> {
    Ok(diesel::update(shipments::table.find(before.id))
        .set((
            shipments::delivery_status.eq(DELIVERED),
            shipments::signer.eq(signer),
            shipments::delivered_at.eq(arrived_at),
            crate::stamp!(shipments, before, ctx),
        ))
        .returning(Shipment::as_returning())
        .get_result(conn)?)
}

/// Records the (locked) shipment lost: every unit is covered by `lost` exceptions.
pub fn mark_lost(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Shipment,
) -> AppResult<Shipment> {
    Ok(diesel::update(shipments::table.find(before.id))
        .set((
            shipments::delivery_status.eq(LOST),
            crate::stamp!(shipments, before, ctx),
        ))
        .returning(Shipment::as_returning())
        .get_result(conn)?)
}

/// A shipment list; every filter optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ShipmentFilter {
    pub customer_id: Option<i64>,
    pub order_id: Option<i64>,
    /// The whole batch number, compared in upper case (the recall).
    pub batch_no: String,
    pub drug_id: Option<i64>,
    pub overdue_only: bool,
    /// Only those in transit expected today or later (the deliveries to confirm next).
    pub awaiting_delivery: bool,
    /// Only the customers whose current CS rep is this user ("my work").
    pub cs_rep_id: Option<i64>,
    /// A stored delivery status code.
    pub delivery_status: Option<String>,
    pub ship_from: Option<NaiveDate>,
    pub ship_to: Option<NaiveDate>,
}

/// The conditions on `shipments s JOIN customers c` that `filter` sets within `reps`
/// (`today`: the business date, for what is overdue).
fn conditions(reps: &Reps, filter: &ShipmentFilter, today: NaiveDate) -> Sql {
    let mut conditions = scope::customers_sql(reps, "c");
    for (column, value) in [
        ("s.customer_id", filter.customer_id),
        ("s.order_id", filter.order_id),
        ("c.cs_rep_id", filter.cs_rep_id),
    ] {
        if let Some(v) = value {
            conditions
                .push(&format!(" AND {column} = "))
                .bind(Value::Int(v));
        }
    }
    if !filter.batch_no.is_empty() || filter.drug_id.is_some() {
        conditions.push(
            " AND EXISTS (SELECT 1 FROM shipment_lines sl JOIN order_lines ol \
             ON ol.id = sl.order_line_id WHERE sl.shipment_id = s.id",
        );
        conditions.append(&line_conditions(filter));
        conditions.push(")");
    }
    if filter.overdue_only {
        conditions
            .push(" AND s.delivery_status = 'in_transit' AND s.expected_arrival < ")
            .bind(Value::Date(today));
    }
    if filter.awaiting_delivery {
        conditions
            .push(" AND s.delivery_status = 'in_transit' AND s.expected_arrival >= ")
            .bind(Value::Date(today));
    }
    if let Some(status) = &filter.delivery_status {
        conditions
            .push(" AND s.delivery_status = ")
            .bind(Value::Text(status.clone()));
    }
    if let Some(from) = filter.ship_from {
        conditions
            .push(" AND s.ship_date >= ")
            .bind(Value::Date(from));
    }
    if let Some(to) = filter.ship_to {
        conditions
            .push(" AND s.ship_date <= ")
            .bind(Value::Date(to));
    }
    conditions
}

/// The conditions (each " AND …") on a shipment line `sl` and its order line `ol` of the
/// batch and drug `filter` names: the lines a recall is about.
fn line_conditions(filter: &ShipmentFilter) -> Sql {
    let mut sql = Sql::new("");
    if !filter.batch_no.is_empty() {
        sql.push(" AND upper(sl.batch_no) = upper(")
            .bind(Value::Text(filter.batch_no.clone()))
            .push(")");
    }
    if let Some(drug) = filter.drug_id {
        sql.push(" AND ol.drug_id = ").bind(Value::Int(drug));
    }
    sql
}

/// Whether a line of a shipment `filter` matched is one it is about: of its batch and
/// drug when it names them (a shipment also carries other batches), else any.
pub fn line_matches(filter: &ShipmentFilter, line: &ShipmentLine, drug_id: i64) -> bool {
    (filter.batch_no.is_empty() || line.batch_no.eq_ignore_ascii_case(&filter.batch_no))
        && filter.drug_id.is_none_or(|d| d == drug_id)
}

/// The list's sort key and direction: by ship date, newest first; overdue ones and
/// those awaiting delivery by expected arrival, soonest first.
fn sort_key(filter: &ShipmentFilter) -> (&'static str, bool) {
    if filter.overdue_only || filter.awaiting_delivery {
        ("s.expected_arrival", true)
    } else {
        ("s.ship_date", false)
    }
}

const FROM: &str = "FROM shipments s JOIN customers c ON c.id = s.customer_id WHERE ";

/// Lists shipments within `reps`; by ship date, newest first (overdue ones, and those
/// awaiting delivery: by expected arrival, soonest first). `today` is the business date.
pub fn list(
    conn: &mut PgConnection,
    reps: &Reps,
    filter: &ShipmentFilter,
    today: NaiveDate,
    offset: i64,
    limit: i64,
) -> AppResult<Page<Shipment>> {
    let (key, ascending) = sort_key(filter);
    let direction = if ascending { "ASC" } else { "DESC" };
    let (ids, counted) = offset_page_ids(
        conn,
        "s.id",
        FROM,
        &conditions(reps, filter, today),
        &format!("ORDER BY {key} {direction}, s.id {direction}"),
        offset,
        limit,
    )?;
    let rows = shipments::table
        .filter(shipments::id.eq_any(&ids))
        .select(Shipment::as_select())
        .load(conn)?;
    Ok(Page::in_order_of(rows, &ids, |r| r.id, counted))
}

/// The units of one drug in one container unit among the lines a shipment list's
/// export writes ([`count_lines`]).
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct LineUnits {
    /// The drug as ordered: name, specification, container unit.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub drug_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub specification: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub unit_label: String,
    /// How many lines.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub lines: i64,
    /// Units shipped.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub units: i64,
    /// Of them, units reported in transport exceptions.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub exception_units: i64,
}

/// The lines of the shipments `filter` matches within `reps` that it is about
/// ([`line_matches`]), counted by drug and container unit (a batch number may be printed
/// on several drugs): the rows of the list's export and its totals, by drug name.
pub fn count_lines(
    conn: &mut PgConnection,
    reps: &Reps,
    filter: &ShipmentFilter,
    today: NaiveDate,
) -> AppResult<Vec<LineUnits>> {
    let mut sql = Sql::new(
        "SELECT ol.drug_name, ol.specification, ol.unit_label, count(*) AS lines, \
                sum(sl.quantity)::bigint AS units, \
                sum(sl.exception_quantity)::bigint AS exception_units \
         FROM shipment_lines sl \
         JOIN order_lines ol ON ol.id = sl.order_line_id \
         JOIN shipments s ON s.id = sl.shipment_id \
         JOIN customers c ON c.id = s.customer_id WHERE ",
    );
    sql.append(&conditions(reps, filter, today))
        .append(&line_conditions(filter))
        .push(
            " GROUP BY ol.drug_id, ol.drug_name, ol.specification, ol.unit_label \
             ORDER BY ol.drug_name, ol.specification, ol.unit_label",
        );
    Ok(sql.query().load::<LineUnits>(conn)?)
}

/// Every shipment `filter` matches within `reps`, `batch` at a time, in the list's order
/// ([`list`]), read by key (the sort date and id) so that the last batch costs what the
/// first did. `each` returns `false` to stop. Run it in one snapshot
/// ([`crate::db::snapshot`]) for a consistent whole.
pub fn each_batch(
    conn: &mut PgConnection,
    reps: &Reps,
    filter: &ShipmentFilter,
    today: NaiveDate,
    batch: i64,
    mut each: impl FnMut(&mut PgConnection, Vec<Shipment>) -> AppResult<bool>,
) -> AppResult<()> {
    let (key, ascending) = sort_key(filter);
    let (direction, past) = if ascending {
        ("ASC", ">")
    } else {
        ("DESC", "<")
    };
    let conditions = conditions(reps, filter, today);
    let mut after: Option<(NaiveDate, i64)> = None;
    loop {
        let mut sql = Sql::new(&format!("SELECT s.id AS id, {key} AS key {FROM}"));
        sql.append(&conditions);
        if let Some((date, id)) = after {
            sql.push(&format!(" AND ({key}, s.id) {past} ("))
                .bind(Value::Date(date))
                .push(", ")
                .bind(Value::Int(id))
                .push(")");
        }
        sql.push(&format!(
            " ORDER BY {key} {direction}, s.id {direction} LIMIT "
        ))
        .bind(Value::Int(batch));
        let keys = sql.query().load::<DatedId>(conn)?;
        let full = i64::try_from(keys.len()).is_ok_and(|n| n == batch);
        after = keys.last().map(|k| (k.key, k.id));
        let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
        let rows = shipments::table
            .filter(shipments::id.eq_any(&ids))
            .select(Shipment::as_select())
            .load(conn)?;
        if !each(conn, crate::db::sql::in_order_of(rows, &ids, |r| r.id))? || !full {
            return Ok(());
        }
    }
}

/// A row's id and the date it is sorted by.
#[derive(QueryableByName)]
struct DatedId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Date)]
    key: NaiveDate,
}
