//! `receivable_entries` (应收台账) and `reconciliations` (对账确认): the one append-only
//! ledger of what customers owe, and the periods finance has confirmed.
//!
//! Every finance figure is a sum over the ledger (spec §4 "One ledger"): a shipment's
//! outstanding amount as of day D is the sum of its entries dated on or before D, a
//! customer's balance the sum of all of theirs. The entries' meaning is documented in the
//! migration `2026-12-02-000001_finance`. Only [`crate::ops::finance`] posts entries.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Numeric, Text};
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use crate::db::schema::{receivable_entries, reconciliations};
use crate::error::{AppError, AppResult};
use crate::msg;

/// Entry kinds as stored.
pub mod kind {
    /// A shipment owed (debit).
    pub const SHIPMENT: &str = "shipment";
    /// An exception's value deducted (credit).
    pub const DEDUCTION: &str = "deduction";
    /// A payment's allocation (credit).
    pub const PAYMENT: &str = "payment";
    /// A payment reversed (the negation of its entries).
    pub const REVERSAL: &str = "reversal";
    /// Credit moved between on account and a shipment (pairs summing to 0).
    pub const SETTLEMENT: &str = "settlement";
    /// Part of a shipment's receivable written off (credit).
    pub const WRITE_OFF: &str = "write_off";
    /// A write-off reversed: its amount owed again (debit).
    pub const WRITE_OFF_REVERSAL: &str = "write_off_reversal";
}

/// A ledger entry to post.
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = receivable_entries)]
pub struct NewEntry {
    pub customer_id: i64,
    /// Business date of the movement.
    pub entry_date: NaiveDate,
    pub kind: &'static str,
    /// SH…, EX…, PY… or WO….
    pub document_no: String,
    /// The shipment moved; `None` on account.
    pub shipment_id: Option<i64>,
    pub order_id: Option<i64>,
    pub due_date: Option<NaiveDate>,
    pub exception_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub write_off_id: Option<i64>,
    /// CNY, signed: + owed more, − owed less; never 0.
    pub amount: Decimal,
    pub sales_rep_id: i64,
    pub handler_id: i64,
    pub created_by: Option<i64>,
}

/// Posts `entries` (zero amounts are skipped).
pub fn post(conn: &mut PgConnection, entries: &[NewEntry]) -> AppResult<()> {
    let entries: Vec<&NewEntry> = entries.iter().filter(|e| !e.amount.is_zero()).collect();
    if entries.is_empty() {
        return Ok(());
    }
    diesel::insert_into(receivable_entries::table)
        .values(entries.into_iter().cloned().collect::<Vec<_>>())
        .execute(conn)?;
    Ok(())
}

/// A receivable (a shipment) with what is outstanding on it now.
#[derive(QueryableByName, Debug, Clone)]
pub struct OpenDocument {
    #[diesel(sql_type = BigInt)]
    pub shipment_id: i64,
    #[diesel(sql_type = Text)]
    pub shipment_no: String,
    #[diesel(sql_type = BigInt)]
    pub order_id: i64,
    #[diesel(sql_type = Text)]
    pub order_no: String,
    #[diesel(sql_type = Date)]
    pub ship_date: NaiveDate,
    #[diesel(sql_type = Date)]
    pub due_date: NaiveDate,
    /// The shipment's amount, CNY.
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    /// CNY; may be negative just after a deduction on a paid shipment.
    #[diesel(sql_type = Numeric)]
    pub outstanding: Decimal,
}

/// The customer's shipments whose outstanding amount is not 0, oldest due first (then
/// ship date, id): the order payments are allocated in.
pub fn documents(conn: &mut PgConnection, customer_id: i64) -> AppResult<Vec<OpenDocument>> {
    Ok(diesel::sql_query(
        "SELECT e.shipment_id, s.number AS shipment_no, e.order_id, o.number AS order_no,
                s.ship_date, e.due_date, s.amount, sum(e.amount) AS outstanding
           FROM receivable_entries e
           JOIN shipments s ON s.id = e.shipment_id
           JOIN orders o ON o.id = e.order_id
          WHERE e.customer_id = $1 AND e.shipment_id IS NOT NULL
          GROUP BY e.shipment_id, s.number, e.order_id, o.number, s.ship_date, e.due_date,
                   s.amount
         HAVING sum(e.amount) <> 0
          ORDER BY e.due_date, s.ship_date, e.shipment_id",
    )
    .bind::<BigInt, _>(customer_id)
    .load(conn)?)
}

/// A payment's net amount on one shipment (or on account), negative for credit.
#[derive(QueryableByName, Debug, Clone)]
pub struct PaymentNet {
    #[diesel(sql_type = BigInt)]
    pub payment_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub shipment_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub order_id: Option<i64>,
    #[diesel(sql_type = Nullable<Date>)]
    pub due_date: Option<NaiveDate>,
    #[diesel(sql_type = Numeric)]
    pub net: Decimal,
}

/// Where the payments `ids` stand now: their net entries per shipment and on account
/// (non-zero only), by payment then shipment (on account last). With `before_reversal`,
/// where they stood when reversed: their reversal entries left out (a reversal takes
/// back exactly what stood, so a reversed payment stands nowhere now).
pub fn payment_nets(
    conn: &mut PgConnection,
    ids: &[i64],
    before_reversal: bool,
) -> AppResult<Vec<PaymentNet>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(diesel::sql_query(
        "SELECT payment_id, shipment_id, order_id, due_date, sum(amount) AS net
           FROM receivable_entries
          WHERE payment_id = ANY($1) AND (kind <> 'reversal' OR NOT $2)
          GROUP BY payment_id, shipment_id, order_id, due_date
         HAVING sum(amount) <> 0
          ORDER BY payment_id, shipment_id NULLS LAST",
    )
    .bind::<diesel::sql_types::Array<BigInt>, _>(ids)
    .bind::<diesel::sql_types::Bool, _>(before_reversal)
    .load(conn)?)
}

/// The latest date of payment `payment_id`'s entries (where its money went, the last
/// settlement included), `None` for a payment with none.
pub fn last_entry_date(conn: &mut PgConnection, payment_id: i64) -> AppResult<Option<NaiveDate>> {
    Ok(receivable_entries::table
        .filter(receivable_entries::payment_id.eq(payment_id))
        .select(diesel::dsl::max(receivable_entries::entry_date))
        .first(conn)?)
}

/// The payments' net credits on shipment `shipment_id`, latest payment first: whose
/// money comes back on account when a deduction overpays the shipment.
pub fn payments_on(conn: &mut PgConnection, shipment_id: i64) -> AppResult<Vec<PaymentNet>> {
    Ok(diesel::sql_query(
        "SELECT e.payment_id, e.shipment_id, e.order_id, e.due_date, sum(e.amount) AS net
           FROM receivable_entries e JOIN payments p ON p.id = e.payment_id
          WHERE e.shipment_id = $1
          GROUP BY e.payment_id, e.shipment_id, e.order_id, e.due_date, p.payment_date
         HAVING sum(e.amount) < 0
          ORDER BY p.payment_date DESC, e.payment_id DESC",
    )
    .bind::<BigInt, _>(shipment_id)
    .load(conn)?)
}

/// What each write-off standing on shipment `shipment_id` takes off it now (its entries'
/// net, positive), the latest write-off first: what a deduction gives back first when it
/// leaves the shipment owing less than was written off.
pub fn write_offs_on(conn: &mut PgConnection, shipment_id: i64) -> AppResult<Vec<(i64, Decimal)>> {
    let rows: Vec<(Option<i64>, Option<Decimal>)> = receivable_entries::table
        .filter(receivable_entries::shipment_id.eq(shipment_id))
        .filter(receivable_entries::write_off_id.is_not_null())
        .group_by(receivable_entries::write_off_id)
        .select((
            receivable_entries::write_off_id,
            diesel::dsl::sum(receivable_entries::amount),
        ))
        .order(receivable_entries::write_off_id.desc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, net)| Some((id?, -net?)))
        .filter(|(_, net)| *net > Decimal::ZERO)
        .collect())
}

/// What each of write-offs `ids` takes off its shipment now (its entries' net, positive;
/// 0 once reversed, or given back whole to a deduction), keyed by write-off.
pub fn write_off_nets(conn: &mut PgConnection, ids: &[i64]) -> AppResult<HashMap<i64, Decimal>> {
    let rows: Vec<(Option<i64>, Option<Decimal>)> = receivable_entries::table
        .filter(receivable_entries::write_off_id.eq_any(ids))
        .group_by(receivable_entries::write_off_id)
        .select((
            receivable_entries::write_off_id,
            diesel::dsl::sum(receivable_entries::amount),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, net)| Some((id?, -net.unwrap_or_default())))
        .collect())
}

/// Credit on account per payment of the customer (positive amounts), oldest payment
/// first.
pub fn on_account(conn: &mut PgConnection, customer_id: i64) -> AppResult<Vec<(i64, Decimal)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        payment_id: i64,
        #[diesel(sql_type = Numeric)]
        credit: Decimal,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT e.payment_id, -sum(e.amount) AS credit
           FROM receivable_entries e JOIN payments p ON p.id = e.payment_id
          WHERE e.customer_id = $1 AND e.shipment_id IS NULL
          GROUP BY e.payment_id, p.payment_date
         HAVING sum(e.amount) < 0
          ORDER BY p.payment_date, e.payment_id",
    )
    .bind::<BigInt, _>(customer_id)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.payment_id, r.credit)).collect())
}

/// An order's money: shipped, deducted, paid (net of reversals), written off and outstanding from the
/// ledger, and what its invoices cover; CNY. The one definition of each figure: the order
/// list, an order's finance view and the over-invoicing check all read it.
#[derive(QueryableByName, Debug, Clone, Default, PartialEq)]
pub struct OrderMoney {
    #[diesel(sql_type = BigInt)]
    pub order_id: i64,
    /// Σ its shipment entries (replacements owe nothing).
    #[diesel(sql_type = Numeric)]
    pub shipped: Decimal,
    /// Σ its deduction entries, as a positive amount.
    #[diesel(sql_type = Numeric)]
    pub deducted: Decimal,
    /// Σ payments allocated to it, net of reversals and settlements.
    #[diesel(sql_type = Numeric)]
    pub paid: Decimal,
    /// Σ all its entries: what is still owed on it.
    #[diesel(sql_type = Numeric)]
    pub outstanding: Decimal,
    /// Σ its write-offs standing (net of reversals), as a positive amount.
    #[diesel(sql_type = Numeric)]
    pub written_off: Decimal,
    /// Σ its invoices' amounts for it (red invoices negative).
    #[diesel(sql_type = Numeric)]
    pub invoiced: Decimal,
}

impl OrderMoney {
    /// shipped − deducted: what the customer owes for the order in all, CNY.
    pub fn net(&self) -> Decimal {
        self.shipped - self.deducted
    }

    /// net − invoiced: what an invoice may still cover, CNY (spec §4: invoices never
    /// exceed what was shipped net of deductions).
    pub fn not_invoiced(&self) -> Decimal {
        self.net() - self.invoiced
    }
}

/// The money of each of `order_ids` (zero for an order with no entries), keyed by order.
pub fn order_money(
    conn: &mut PgConnection,
    order_ids: &[i64],
) -> AppResult<HashMap<i64, OrderMoney>> {
    let rows: Vec<OrderMoney> = diesel::sql_query(
        "SELECT o.id AS order_id, l.shipped, l.deducted, l.paid, l.outstanding, l.written_off,
                coalesce((SELECT sum(i.amount) FROM invoice_orders i
                           WHERE i.order_id = o.id), 0) AS invoiced
           FROM unnest($1::bigint[]) AS o(id)
          CROSS JOIN LATERAL (
                SELECT coalesce(sum(amount) FILTER (WHERE kind = 'shipment'), 0) AS shipped,
                       coalesce(-sum(amount) FILTER (WHERE kind = 'deduction'), 0) AS deducted,
                       coalesce(-sum(amount) FILTER (
                                WHERE kind IN ('payment', 'reversal', 'settlement')), 0) AS paid,
                       coalesce(-sum(amount) FILTER (
                                WHERE kind IN ('write_off', 'write_off_reversal')), 0) AS written_off,
                       coalesce(sum(amount), 0) AS outstanding
                  FROM receivable_entries WHERE order_id = o.id) l",
    )
    .bind::<diesel::sql_types::Array<BigInt>, _>(order_ids)
    .load(conn)?;
    Ok(rows.into_iter().map(|m| (m.order_id, m)).collect())
}

/// A payment with entries on an order, and what of it pays the order now.
#[derive(QueryableByName, Debug, Clone, PartialEq)]
pub struct OrderPayment {
    #[diesel(sql_type = BigInt)]
    pub payment_id: i64,
    #[diesel(sql_type = Text)]
    pub number: String,
    #[diesel(sql_type = Date)]
    pub payment_date: NaiveDate,
    /// CNY: its allocations and settlements to the order's shipments less credit given
    /// back on account; of a payment reversed, what it paid before (it pays nothing now).
    #[diesel(sql_type = Numeric)]
    pub amount: Decimal,
    /// Reversed (冲销): what it paid on the order is owed again.
    #[diesel(sql_type = Bool)]
    pub reversed: bool,
}

/// The payments that paid (or once paid) order `order_id`, oldest first: the order's
/// [`OrderMoney::paid`] by payment (the `receivable_entries_order` index answers it).
pub fn payments_of_order(conn: &mut PgConnection, order_id: i64) -> AppResult<Vec<OrderPayment>> {
    Ok(diesel::sql_query(
        "SELECT p.id AS payment_id, p.number, p.payment_date,
                -sum(e.amount) AS amount, p.reversed_at IS NOT NULL AS reversed
           FROM receivable_entries e JOIN payments p ON p.id = e.payment_id
          WHERE e.order_id = $1 AND e.kind IN ('payment', 'settlement')
          GROUP BY p.id
         -- One whose part all went back on account (a deduction overpaid the shipment)
         -- pays nothing on it: not listed at 0.00; a reversed one shows what it had paid.
         HAVING sum(e.amount) <> 0 OR p.reversed_at IS NOT NULL
          ORDER BY p.payment_date, p.id",
    )
    .bind::<BigInt, _>(order_id)
    .load(conn)?)
}

/// What each invoicing entity may still invoice on each of `order_ids`, CNY, keyed by
/// order, then (entity id, amount) by entity id: the goods shipped under the entity (its
/// shipments' entries less the deductions on them) less what the entity's invoices cover
/// on the order (red ones negative), at most the order's [`OrderMoney::not_invoiced`] in
/// `money`. Only entities with a shipment entry on the order appear. The seller of record
/// invoices its own sales, no more than it sold (spec §4; 四流一致: contract, goods,
/// invoice and money between the same two parties).
pub fn not_invoiced_by_entity(
    conn: &mut PgConnection,
    order_ids: &[i64],
    money: &HashMap<i64, OrderMoney>,
) -> AppResult<HashMap<i64, Vec<(i64, Decimal)>>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        order_id: i64,
        #[diesel(sql_type = BigInt)]
        entity_id: i64,
        #[diesel(sql_type = Numeric)]
        open: Decimal,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "WITH sold AS (
             SELECT e.order_id, s.invoicing_entity_id AS entity_id, sum(e.amount) AS amount
               FROM receivable_entries e JOIN shipments s ON s.id = e.shipment_id
              WHERE e.order_id = ANY($1) AND e.kind IN ('shipment', 'deduction')
              GROUP BY e.order_id, s.invoicing_entity_id),
         invoiced AS (
             SELECT io.order_id, i.invoicing_entity_id AS entity_id, sum(io.amount) AS amount
               FROM invoice_orders io JOIN invoices i ON i.id = io.invoice_id
              WHERE io.order_id = ANY($1)
              GROUP BY io.order_id, i.invoicing_entity_id)
         SELECT sold.order_id, sold.entity_id,
                sold.amount - coalesce(invoiced.amount, 0) AS open
           FROM sold LEFT JOIN invoiced USING (order_id, entity_id)
          ORDER BY sold.order_id, sold.entity_id",
    )
    .bind::<diesel::sql_types::Array<BigInt>, _>(order_ids)
    .load(conn)?;
    let mut by_order: HashMap<i64, Vec<(i64, Decimal)>> = HashMap::new();
    for r in rows {
        let order_open = money
            .get(&r.order_id)
            .map(OrderMoney::not_invoiced)
            .unwrap_or_default();
        by_order
            .entry(r.order_id)
            .or_default()
            .push((r.entity_id, r.open.min(order_open)));
    }
    Ok(by_order)
}

/// A reconciled period.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = reconciliations)]
pub struct Reconciliation {
    pub id: i64,
    pub customer_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub closing_balance: Decimal,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by: i64,
    /// When it was reopened (it no longer locks its days), by whom, why; `None` while it
    /// stands.
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopened_by: Option<i64>,
    pub reopen_reason: String,
}

impl Reconciliation {
    /// The audit log's object type.
    pub const OBJECT: &'static str = "reconciliation";
}

/// A new reconciled period.
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = reconciliations)]
pub struct NewReconciliation {
    pub customer_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub closing_balance: Decimal,
    pub note: String,
    pub created_by: i64,
}

/// Records a reconciled period.
pub fn reconcile(conn: &mut PgConnection, new: &NewReconciliation) -> AppResult<Reconciliation> {
    Ok(diesel::insert_into(reconciliations::table)
        .values(new)
        .returning(Reconciliation::as_returning())
        .get_result(conn)?)
}

/// The end of the latest reconciled period of each of `customer_ids` that has one
/// standing (reopened ones lock nothing).
pub fn reconciled_through(
    conn: &mut PgConnection,
    customer_ids: &[i64],
) -> AppResult<HashMap<i64, NaiveDate>> {
    let rows: Vec<(i64, Option<NaiveDate>)> = reconciliations::table
        .filter(reconciliations::customer_id.eq_any(customer_ids))
        .filter(reconciliations::reopened_at.is_null())
        .group_by(reconciliations::customer_id)
        .select((
            reconciliations::customer_id,
            diesel::dsl::max(reconciliations::period_to),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, to)| to.map(|to| (id, to)))
        .collect())
}

/// Every reconciliation of `customer_id`, reopened ones too, the latest period first (a
/// reopened one before the one confirmed again over its days).
pub fn reconciliations_of(
    conn: &mut PgConnection,
    customer_id: i64,
) -> AppResult<Vec<Reconciliation>> {
    Ok(reconciliations::table
        .filter(reconciliations::customer_id.eq(customer_id))
        .order((
            reconciliations::period_to.desc(),
            reconciliations::id.desc(),
        ))
        .select(Reconciliation::as_select())
        .load(conn)?)
}

/// The latest standing reconciled period of `customer_id`, if any.
pub fn latest_reconciliation(
    conn: &mut PgConnection,
    customer_id: i64,
) -> AppResult<Option<Reconciliation>> {
    Ok(reconciliations::table
        .filter(reconciliations::customer_id.eq(customer_id))
        .filter(reconciliations::reopened_at.is_null())
        .order(reconciliations::period_to.desc())
        .select(Reconciliation::as_select())
        .first(conn)
        .optional()?)
}

/// Marks reconciliation `id` reopened, now, by `by` for `reason`; the row as it is now.
pub fn reopen(
    conn: &mut PgConnection,
    id: i64,
    by: Option<i64>,
    reason: &str,
) -> AppResult<Reconciliation> {
    Ok(diesel::update(reconciliations::table.find(id))
        .set((
            reconciliations::reopened_at.eq(diesel::dsl::now),
            reconciliations::reopened_by.eq(by),
            reconciliations::reopen_reason.eq(reason),
        ))
        .returning(Reconciliation::as_returning())
        .get_result(conn)?)
}

/// Refuses with FAILED_PRECONDITION when `date` falls in a reconciled period of the
/// customer: nothing may be dated on or before the latest reconciled period's end.
pub fn require_open(conn: &mut PgConnection, customer_id: i64, date: NaiveDate) -> AppResult<()> {
    if let Some(through) = reconciled_through(conn, &[customer_id])?.get(&customer_id)
        && date <= *through
    {
        return Err(AppError::precondition(msg!(
            "finance.period_reconciled",
            date = date,
            through = through
        )));
    }
    Ok(())
}
