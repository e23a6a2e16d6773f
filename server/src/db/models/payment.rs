//! `payments` (回款记录): money received from customers. A payment's allocations are its
//! ledger entries ([`super::ledger`]); a payment is never edited, only reversed.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::WriteCtx;
use crate::db::schema::payments;
use crate::error::{AppError, AppResult};
use crate::msg;

/// Payment methods as stored: 银行转账, 承兑汇票, 现金, 其他.
pub const METHODS: &[&str] = &["bank_transfer", "acceptance_bill", "cash", "other"];

/// A payment row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = payments)]
pub struct Payment {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    /// Business date the money arrived.
    pub payment_date: NaiveDate,
    /// CNY, > 0.
    pub amount: Decimal,
    pub method: String,
    pub reference: String,
    /// 经手人.
    pub handler_id: i64,
    /// The customer's sales rep when recorded.
    pub sales_rep_id: i64,
    pub note: String,
    pub reversed_at: Option<DateTime<Utc>>,
    pub reversed_by: Option<i64>,
    pub reversal_date: Option<NaiveDate>,
    pub reversal_reason: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A new payment.
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = payments)]
pub struct NewPayment {
    pub number: String,
    pub customer_id: i64,
    pub payment_date: NaiveDate,
    pub amount: Decimal,
    pub method: String,
    pub reference: String,
    pub handler_id: i64,
    pub sales_rep_id: i64,
    pub note: String,
    pub created_by: i64,
    pub updated_by: Option<i64>,
}

/// NOT_FOUND for a payment.
pub fn not_found() -> AppError {
    AppError::not_found(msg!("payment.not_found"))
}

crate::versioned!(Payment, payments, "payment", not_found);
crate::of_customer!(Payment, payments, not_found);

/// Inserts a payment.
pub fn insert(conn: &mut PgConnection, new: &NewPayment) -> AppResult<Payment> {
    Ok(diesel::insert_into(payments::table)
        .values(new)
        .returning(Payment::as_returning())
        .get_result(conn)?)
}

/// A payment on record like one being keyed ([`like`]).
#[derive(Queryable, Debug, Clone, PartialEq)]
pub struct Like {
    pub customer_id: i64,
    pub number: String,
    /// Business date.
    pub payment_date: NaiveDate,
    /// CNY.
    pub amount: Decimal,
}

/// White space in a bank reference, the full-width space too (the cluster's C locale
/// knows only ASCII's).
const REFERENCE_SPACE: &str = "'[[:space:]　]'";

/// Payments whose number (PY…) or bank reference (凭证号) contains `text`, any case and
/// white space aside (a number has none; the reference is matched as the duplicate check
/// matches it, [`like`]): "62220210" and "icbc6222" find "ICBC 6222 0210 0001", "PY2026
/// 1028" finds PY20261028-0001. As a filter of the payment list; the
/// trigram indexes `payments_number_grams` and `payments_reference_compact_grams` answer
/// it, the latter on this very expression (keep the two the same).
pub fn number_or_reference_contains(
    text: &str,
) -> Box<dyn BoxableExpression<payments::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>>
{
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let reference = sql::<Bool>(&format!(
        "upper(regexp_replace(payments.reference, {REFERENCE_SPACE}, '', 'g')) LIKE upper("
    ))
    .bind::<Text, _>(super::contains_pattern(&compact))
    .sql(")");
    Box::new(
        payments::number
            .ilike(super::contains_pattern(&compact))
            .or(reference),
    )
}

/// Payments on record (not reversed) like one keyed for customer `customer_id` of
/// `amount` CNY on business date `date` with bank reference `reference`, each list in the
/// order they were recorded: the customer's own of that date and amount with the same
/// reference (two empty ones match: one bank receipt keyed twice); then every payment,
/// any customer's, any date's, with the same non-empty reference (a bank receipt is one
/// payment). References match case and white space aside.
pub fn like(
    conn: &mut PgConnection,
    customer_id: i64,
    date: NaiveDate,
    amount: Decimal,
    reference: &str,
) -> AppResult<(Vec<Like>, Vec<Like>)> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    // A reference as matched, upper case without white space: the expression of the index
    // `payments_reference_key`.
    let same_reference = || {
        sql::<Bool>(&format!(
            "upper(regexp_replace(payments.reference, {REFERENCE_SPACE}, '', 'g')) \
             = upper(regexp_replace("
        ))
        .bind::<Text, _>(reference.to_owned())
        .sql(&format!(", {REFERENCE_SPACE}, '', 'g'))"))
    };
    let columns = (
        payments::customer_id,
        payments::number,
        payments::payment_date,
        payments::amount,
    );
    let own = payments::table
        .filter(payments::customer_id.eq(customer_id))
        .filter(payments::payment_date.eq(date))
        .filter(payments::amount.eq(amount))
        .filter(payments::reversed_at.is_null())
        .filter(same_reference())
        .order(payments::id)
        .select(columns)
        .load(conn)?;
    if reference.trim().is_empty() {
        return Ok((own, Vec::new()));
    }
    let by_reference = payments::table
        .filter(payments::reference.ne(""))
        .filter(payments::reversed_at.is_null())
        .filter(same_reference())
        .order(payments::id)
        .select(columns)
        .load(conn)?;
    Ok((own, by_reference))
}

/// Marks `before` reversed on business date `date` for `reason`.
pub fn mark_reversed(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &Payment,
    date: NaiveDate,
    reason: &str,
) -> AppResult<Payment> {
    Ok(diesel::update(payments::table.find(before.id))
        .set((
            payments::reversed_at.eq(diesel::dsl::now),
            payments::reversed_by.eq(ctx.actor.user_id),
            payments::reversal_date.eq(Some(date)),
            payments::reversal_reason.eq(reason),
            crate::stamp!(payments, before, ctx),
        ))
        .returning(Payment::as_returning())
        .get_result(conn)?)
}

/// The payments `ids`, in that order where found.
pub fn by_ids(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<Payment>> {
    let rows: Vec<Payment> = payments::table
        .filter(payments::id.eq_any(ids))
        .select(Payment::as_select())
        .load(conn)?;
    let mut by_id: std::collections::HashMap<i64, Payment> =
        rows.into_iter().map(|p| (p.id, p)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}
