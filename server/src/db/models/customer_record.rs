//! What the customer's records share — follow-ups, personal records (preferences, family,
//! work, education) and certificates: each belongs to one customer, is seen through the
//! customer's data scope, is edited under optimistic locking, and is deleted by marking
//! it (audited), never erased.
//!
//! One generic implementation ([`list`], [`save`], [`lock_visible`] then [`update_locked`]
//! or [`delete_locked`]) over the [`CustomerRecord`] trait;
//! [`customer_record!`](crate::customer_record!) implements the trait for a table.

use diesel::prelude::*;

use super::WriteCtx;
use crate::db::scope::Viewer;
use crate::db::scope::require_customer;
use crate::db::versioned::{self, Versioned};
use crate::error::{AppError, AppResult};

/// One kind of customer record.
pub trait CustomerRecord: Versioned + Send + 'static {
    /// The fields the user edits (insertable, and a changeset).
    type Fields: Send + Sync + 'static;

    /// Whether a record is its author's account (a follow-up: what they did and heard),
    /// changed or deleted only by them or by whoever oversees them
    /// ([`crate::ops::customers::save_record`]); otherwise shared data of the customer (a
    /// certificate) that anyone who may write the kind keeps.
    const KEPT_BY_AUTHOR: bool = false;

    /// NOT_FOUND for this kind.
    fn not_found() -> AppError;
    /// Whether the record is marked deleted.
    fn is_deleted(&self) -> bool;
    /// Who added it.
    fn created_by(&self) -> Option<i64>;
    /// The customer of live record `id`.
    fn owner(conn: &mut PgConnection, id: i64) -> QueryResult<Option<i64>>;
    /// A customer's live records, in the order they are shown.
    fn of_customer(conn: &mut PgConnection, customer_id: i64) -> QueryResult<Vec<Self>>;
    /// Adds a record.
    fn insert(
        conn: &mut PgConnection,
        ctx: WriteCtx<'_>,
        customer_id: i64,
        fields: &Self::Fields,
    ) -> QueryResult<Self>;
    /// Changes the (locked) record.
    fn update(
        conn: &mut PgConnection,
        ctx: WriteCtx<'_>,
        before: &Self,
        fields: &Self::Fields,
    ) -> QueryResult<Self>;
    /// Marks the (locked) record deleted.
    fn mark_deleted(conn: &mut PgConnection, ctx: WriteCtx<'_>, before: &Self)
    -> QueryResult<Self>;
}

/// A record to save: `id` 0 adds one to `customer_id`; otherwise `version` is the one read.
#[derive(Debug, Clone)]
pub struct RecordInput<F> {
    pub id: i64,
    pub customer_id: i64,
    pub version: i32,
    pub fields: F,
}

/// Implements [`CustomerRecord`] (and [`Versioned`]) for a row type over a table with
/// `id`, `customer_id`, `is_deleted`, `version`, `created_by`, `updated_at`, `updated_by`.
#[macro_export]
macro_rules! customer_record {
    (
        $row:ty, $fields:ty, $table:ident, $object:literal, order: ($($order:expr),+),
        $not_found:expr $(, kept_by_author: $kept:expr)?
    ) => {
        $crate::versioned!($row, $table, $object, $not_found);

        impl $crate::db::models::customer_record::CustomerRecord for $row {
            type Fields = $fields;
            $(const KEPT_BY_AUTHOR: bool = $kept;)?

            fn not_found() -> $crate::error::AppError {
                $not_found()
            }

            fn is_deleted(&self) -> bool {
                self.is_deleted
            }

            fn created_by(&self) -> Option<i64> {
                self.created_by
            }

            fn owner(conn: &mut PgConnection, id: i64) -> QueryResult<Option<i64>> {
                $table::table
                    .find(id)
                    .filter($table::is_deleted.eq(false))
                    .select($table::customer_id)
                    .first(conn)
                    .optional()
            }

            fn of_customer(conn: &mut PgConnection, customer_id: i64) -> QueryResult<Vec<Self>> {
                $table::table
                    .filter($table::customer_id.eq(customer_id))
                    .filter($table::is_deleted.eq(false))
                    .order(($($order),+))
                    .select(<$row>::as_select())
                    .load(conn)
            }

            fn insert(
                conn: &mut PgConnection,
                ctx: $crate::db::models::WriteCtx<'_>,
                customer_id: i64,
                fields: &$fields,
            ) -> QueryResult<Self> {
                diesel::insert_into($table::table)
                    .values((
                        fields,
                        $table::customer_id.eq(customer_id),
                        $table::created_by.eq(ctx.actor.user_id),
                        $table::updated_by.eq(ctx.actor.user_id),
                    ))
                    .returning(<$row>::as_returning())
                    .get_result(conn)
            }

            fn update(
                conn: &mut PgConnection,
                ctx: $crate::db::models::WriteCtx<'_>,
                before: &Self,
                fields: &$fields,
            ) -> QueryResult<Self> {
                diesel::update($table::table.find(before.id))
                    .set((fields, $crate::stamp!($table, before, ctx)))
                    .returning(<$row>::as_returning())
                    .get_result(conn)
            }

            fn mark_deleted(
                conn: &mut PgConnection,
                ctx: $crate::db::models::WriteCtx<'_>,
                before: &Self,
            ) -> QueryResult<Self> {
                diesel::update($table::table.find(before.id))
                    .set((
                        $table::is_deleted.eq(true),
                        $crate::stamp!($table, before, ctx),
                    ))
                    .returning(<$row>::as_returning())
                    .get_result(conn)
            }
        }
    };
}

/// A customer's live records, if the viewer may see the customer.
pub fn list<R: CustomerRecord>(
    conn: &mut PgConnection,
    viewer: &Viewer,
    customer_id: i64,
) -> AppResult<Vec<R>> {
    require_customer(conn, viewer, customer_id)?;
    Ok(R::of_customer(conn, customer_id)?)
}

/// Record `id`, locked, if its customer is visible and it is live: scope first, so a
/// record of a customer out of sight is simply not found.
pub fn lock_visible<R: CustomerRecord>(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
    version: i32,
) -> AppResult<R> {
    let customer_id = R::owner(conn, id)?.ok_or_else(R::not_found)?;
    require_customer(conn, viewer, customer_id).map_err(|_| R::not_found())?;
    let row = R::lock(conn, id)?;
    if row.is_deleted() {
        return Err(R::not_found());
    }
    versioned::check_fresh(conn, version, &row)?;
    Ok(row)
}

/// Adds (`id` 0) or changes a record; audited.
pub fn save<R: CustomerRecord>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &RecordInput<R::Fields>,
) -> AppResult<R> {
    if input.id == 0 {
        require_customer(conn, viewer, input.customer_id)?;
        let row = R::insert(conn, ctx, input.customer_id, &input.fields)?;
        versioned::audit_created(conn, ctx, &row)?;
        return Ok(row);
    }
    let before: R = lock_visible(conn, viewer, input.id, input.version)?;
    update_locked(conn, ctx, &before, &input.fields)
}

/// Changes record `before`, locked by [`lock_visible`]; audited.
pub fn update_locked<R: CustomerRecord>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &R,
    fields: &R::Fields,
) -> AppResult<R> {
    let after = R::update(conn, ctx, before, fields)?;
    versioned::audit(conn, ctx, "update", Some(before), Some(&after))?;
    Ok(after)
}

/// Marks record `before`, locked by [`lock_visible`], deleted; audited.
pub fn delete_locked<R: CustomerRecord>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    before: &R,
) -> AppResult<()> {
    let after = R::mark_deleted(conn, ctx, before)?;
    versioned::audit(conn, ctx, "delete", Some(before), Some(&after))
}
