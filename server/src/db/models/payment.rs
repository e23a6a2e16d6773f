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

/// Payments on record like one keyed for customer `customer_id`: not reversed, of
/// `amount` CNY on business date `date` with `reference` — the customer's own (two empty
/// references match: one bank receipt keyed twice), then other customers' with the same
/// non-empty reference (one receipt keyed to two customers). Their numbers, each list in
/// the order they were recorded.
pub fn like(
    conn: &mut PgConnection,
    customer_id: i64,
    date: NaiveDate,
    amount: Decimal,
    reference: &str,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let found: Vec<(i64, String)> = payments::table
        .filter(payments::payment_date.eq(date))
        .filter(payments::amount.eq(amount))
        .filter(payments::reference.eq(reference))
        .filter(payments::reversed_at.is_null())
        .filter(
            payments::customer_id
                .eq(customer_id)
                .or(payments::reference.ne("")),
        )
        .order(payments::id)
        .select((payments::customer_id, payments::number))
        .load(conn)?;
    let (own, others): (Vec<_>, Vec<_>) = found.into_iter().partition(|(c, _)| *c == customer_id);
    let numbers = |found: Vec<(i64, String)>| found.into_iter().map(|(_, n)| n).collect();
    Ok((numbers(own), numbers(others)))
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
