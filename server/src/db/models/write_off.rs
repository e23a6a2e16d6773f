//! `write_offs` (应收核销): what finance took off a shipment's receivable without money
//! coming in, and why. Its ledger entries name it ([`super::ledger`]); a write-off is
//! never edited, only reversed.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::WriteCtx;
use crate::db::schema::write_offs;
use crate::error::{AppError, AppResult};
use crate::msg;

/// Reasons as stored: 坏账核销, 银行手续费, 尾差, 其他.
pub const REASON_KINDS: &[&str] = &["bad_debt", "bank_fee", "small_balance", "other"];

/// A write-off row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = write_offs)]
pub struct WriteOff {
    pub id: i64,
    /// WO + business date + '-' + the day's sequence.
    pub number: String,
    pub customer_id: i64,
    pub shipment_id: i64,
    pub order_id: i64,
    /// Business date it took effect.
    pub write_off_date: NaiveDate,
    /// CNY, > 0: taken off the shipment's outstanding amount.
    pub amount: Decimal,
    /// One of [`REASON_KINDS`].
    pub reason_kind: String,
    pub reason: String,
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

/// A new write-off.
#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = write_offs)]
pub struct NewWriteOff {
    pub number: String,
    pub customer_id: i64,
    pub shipment_id: i64,
    pub order_id: i64,
    pub write_off_date: NaiveDate,
    pub amount: Decimal,
    pub reason_kind: String,
    pub reason: String,
    pub created_by: i64,
    pub updated_by: Option<i64>,
}

/// NOT_FOUND for a write-off.
pub fn not_found() -> AppError {
    AppError::not_found(msg!("write_off.not_found"))
}

crate::versioned!(WriteOff, write_offs, "write_off", not_found);
crate::of_customer!(WriteOff, write_offs, not_found);

/// Inserts a write-off.
pub fn insert(conn: &mut PgConnection, new: &NewWriteOff) -> AppResult<WriteOff> {
    Ok(diesel::insert_into(write_offs::table)
        .values(new)
        .returning(WriteOff::as_returning())
        .get_result(conn)?)
}

/// Marks `before` reversed on business date `date` for `reason`.
pub fn mark_reversed(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &WriteOff,
    date: NaiveDate,
    reason: &str,
) -> AppResult<WriteOff> {
    Ok(diesel::update(write_offs::table.find(before.id))
        .set((
            write_offs::reversed_at.eq(diesel::dsl::now),
            write_offs::reversed_by.eq(ctx.actor.user_id),
            write_offs::reversal_date.eq(Some(date)),
            write_offs::reversal_reason.eq(reason),
            crate::stamp!(write_offs, before, ctx),
        ))
        .returning(WriteOff::as_returning())
        .get_result(conn)?)
}

/// The ids of order `order_id`'s write-offs (its history lists them).
pub fn of_order(conn: &mut PgConnection, order_id: i64) -> AppResult<Vec<i64>> {
    Ok(write_offs::table
        .filter(write_offs::order_id.eq(order_id))
        .select(write_offs::id)
        .load(conn)?)
}
