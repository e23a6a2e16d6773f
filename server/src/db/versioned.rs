//! Optimistic locking, once: every editable row carries `version`, `updated_at` and
//! `updated_by`. An edit locks the row (`SELECT … FOR UPDATE`), compares the version the
//! client read, applies the change with the version bumped, and records before and after
//! in the audit log — all in the caller's transaction. A stale version is ABORTED, naming
//! who changed the row and when.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde::Serialize;

use super::models::{WriteCtx, display_name_of};
use crate::error::{AppError, AppResult};

/// A row edited under optimistic locking.
pub trait Versioned: Serialize + Sized {
    /// The audit log's object type, e.g. `container_unit`; actions are `<OBJECT>.<verb>`.
    const OBJECT: &'static str;

    /// The row's id.
    fn id(&self) -> i64;
    /// The version it was read at.
    fn version(&self) -> i32;
    /// Who changed it last, and when.
    fn last_change(&self) -> (Option<i64>, DateTime<Utc>);
    /// Locks the row for the rest of the transaction; NOT_FOUND when there is none.
    fn lock(conn: &mut PgConnection, id: i64) -> AppResult<Self>;
}

/// Implements [`Versioned`] for a row struct with `id`, `version`, `updated_by` and
/// `updated_at` fields: `versioned!(ContainerUnit, container_units, "container_unit",
/// not_found)` where `not_found()` is the module's NOT_FOUND error; or for a view over
/// such a row: `versioned!(view UserView { user }, users, "user", not_found, get)`.
#[macro_export]
macro_rules! versioned {
    ($row:ty, $table:ident, $object:literal, $not_found:expr) => {
        impl $crate::db::versioned::Versioned for $row {
            const OBJECT: &'static str = $object;

            fn id(&self) -> i64 {
                self.id
            }

            fn version(&self) -> i32 {
                self.version
            }

            fn last_change(&self) -> (Option<i64>, chrono::DateTime<chrono::Utc>) {
                (self.updated_by, self.updated_at)
            }

            fn lock(conn: &mut diesel::PgConnection, id: i64) -> $crate::error::AppResult<Self> {
                use diesel::prelude::*;
                $table::table
                    .find(id)
                    .select(<$row>::as_select())
                    .for_update()
                    .first(conn)
                    .optional()?
                    .ok_or_else($not_found)
            }
        }
    };
    // A view holding the row in field `$field` and read by `$get(conn, id)`: the lock
    // takes the row, then reads the view.
    (view $view:ty { $field:ident }, $table:ident, $object:literal, $not_found:expr, $get:path) => {
        impl $crate::db::versioned::Versioned for $view {
            const OBJECT: &'static str = $object;

            fn id(&self) -> i64 {
                self.$field.id
            }

            fn version(&self) -> i32 {
                self.$field.version
            }

            fn last_change(&self) -> (Option<i64>, chrono::DateTime<chrono::Utc>) {
                (self.$field.updated_by, self.$field.updated_at)
            }

            fn lock(conn: &mut diesel::PgConnection, id: i64) -> $crate::error::AppResult<Self> {
                use diesel::prelude::*;
                $table::table
                    .find(id)
                    .select($table::id)
                    .for_update()
                    .first::<i64>(conn)
                    .optional()?
                    .ok_or_else($not_found)?;
                $get(conn, id)
            }
        }
    };
}

/// Defines `insert_fields(conn, ctx, fields)` and `update_fields(conn, ctx, id, version,
/// fields)` for a row written as a whole through its changeset struct (a customer type, an
/// invoicing entity, a container unit): the insert stamps the actor and is audited; the
/// update goes through [`edit`] (locked, version checked, stamped, audited). A failed
/// insert or update is mapped by `on_error(err, fields)` (a unique name taken). Both
/// return the row as stored.
/// `edited_by_fields!(CustomerType, customer_types, CustomerTypeFields, |e, f| taken(e, &f.name))`.
#[macro_export]
macro_rules! edited_by_fields {
    ($row:ty, $table:ident, $fields:ty, $on_error:expr) => {
        /// Inserts a row of `fields` as the actor (audited).
        fn insert_fields(
            conn: &mut diesel::PgConnection,
            ctx: $crate::db::models::WriteCtx<'_>,
            fields: &$fields,
        ) -> $crate::error::AppResult<$row> {
            use diesel::prelude::*;
            let on_error: fn(diesel::result::Error, &$fields) -> $crate::error::AppError =
                $on_error;
            let row: $row = diesel::insert_into($table::table)
                .values((fields, $table::updated_by.eq(ctx.actor.user_id)))
                .returning(<$row>::as_returning())
                .get_result(conn)
                .map_err(|e| on_error(e, fields))?;
            $crate::db::versioned::audit_created(conn, ctx, &row)?;
            Ok(row)
        }

        /// Replaces row `id`'s fields, read at `version` (audited); the row after.
        fn update_fields(
            conn: &mut diesel::PgConnection,
            ctx: $crate::db::models::WriteCtx<'_>,
            id: i64,
            version: i32,
            fields: &$fields,
        ) -> $crate::error::AppResult<$row> {
            use diesel::prelude::*;
            let on_error: fn(diesel::result::Error, &$fields) -> $crate::error::AppError =
                $on_error;
            let (_, after) = $crate::db::versioned::edit(
                conn,
                ctx,
                id,
                version,
                "update",
                |conn, before: &$row| {
                    diesel::update($table::table.find(id))
                        .set((fields, $crate::stamp!($table, before, ctx)))
                        .returning(<$row>::as_returning())
                        .get_result(conn)
                        .map_err(|e| on_error(e, fields))
                },
            )?;
            Ok(after)
        }
    };
}

/// The columns every edit sets: `version` + 1, `updated_at` now, `updated_by` the actor.
/// `stamp!(container_units, before, ctx)`, as one element of a `.set((…))` tuple.
#[macro_export]
macro_rules! stamp {
    ($table:ident, $before:expr, $ctx:expr) => {
        (
            $table::version.eq({
                use $crate::db::versioned::Versioned as _;
                $before.version() + 1
            }),
            $table::updated_at.eq(diesel::dsl::now),
            $table::updated_by.eq($ctx.actor.user_id),
        )
    };
}

/// Refuses `sent` when the (locked) row has moved on, naming who changed it and when
/// (ABORTED). A version below 1 or ahead of the row's was never read (versions start at 1
/// and only grow): INVALID_ARGUMENT on `version`, "is required" for 0 (left out), "is not
/// a version" below it, "is ahead of the record's version" above the row's.
pub fn check_fresh<T: Versioned>(conn: &mut PgConnection, sent: i32, row: &T) -> AppResult<()> {
    check_fresh_as(conn, "version", sent, row)
}

/// [`check_fresh`] for a request whose field of the version is named `field` (a
/// shipment's `order_version`).
pub fn check_fresh_as<T: Versioned>(
    conn: &mut PgConnection,
    field: &'static str,
    sent: i32,
    row: &T,
) -> AppResult<()> {
    if sent == row.version() {
        return Ok(());
    }
    if sent < 1 || sent > row.version() {
        let why = match sent {
            0 => crate::msg!("field.required"),
            ..0 => crate::msg!("field.not_a_version"),
            _ => crate::msg!("field.version_ahead", version = row.version()),
        };
        return Err(AppError::field(field, why));
    }
    let (by, at) = row.last_change();
    Err(AppError::Conflict {
        by: display_name_of(conn, by)?,
        at,
        zone: None,
    })
}

/// Locks row `id` and checks that the client read `version` of it.
pub fn lock_fresh<T: Versioned>(conn: &mut PgConnection, id: i64, version: i32) -> AppResult<T> {
    let row = T::lock(conn, id)?;
    check_fresh(conn, version, &row)?;
    Ok(row)
}

/// Records `<OBJECT>.<verb>` with the row before and after (either may be absent).
pub fn audit<T: Versioned>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    verb: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> AppResult<()> {
    let id = after.or(before).map_or(0, Versioned::id);
    ctx.audit_change(
        conn,
        &format!("{}.{verb}", T::OBJECT),
        T::OBJECT,
        id,
        before,
        after,
    )
}

/// The whole edit: lock `id`, check `version`, apply `change` to the locked row (it
/// returns the row as updated, with the version bumped by [`stamp!`]), audit
/// `<OBJECT>.<verb>`. Returns (before, after).
pub fn edit<T: Versioned>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    verb: &str,
    change: impl FnOnce(&mut PgConnection, &T) -> AppResult<T>,
) -> AppResult<(T, T)> {
    let before: T = lock_fresh(conn, id, version)?;
    let after = change(conn, &before)?;
    audit(conn, ctx, verb, Some(&before), Some(&after))?;
    Ok((before, after))
}

/// Records the creation of `row` (`<OBJECT>.create`).
pub fn audit_created<T: Versioned>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    row: &T,
) -> AppResult<()> {
    audit(conn, ctx, "create", None, Some(row))
}

/// Which rows of an [`Archivable`] table a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Active rows only (the default).
    #[default]
    Active,
    /// Archived rows only.
    Archived,
    /// Both.
    All,
}

impl StatusFilter {
    /// The SQL condition on the table aliased `alias`, led by ` AND ` (empty for all).
    pub fn condition(self, alias: &str) -> String {
        match self {
            StatusFilter::Active => format!(" AND {alias}.is_active"),
            StatusFilter::Archived => format!(" AND NOT {alias}.is_active"),
            StatusFilter::All => String::new(),
        }
    }
}

/// A versioned row that is archived rather than deleted (`is_active`).
pub trait Archivable: Versioned {
    /// Whether the row is active (not archived).
    fn is_active(&self) -> bool;
    /// Sets `is_active` on the (locked) row, bumping its version.
    fn write_active(
        conn: &mut PgConnection,
        ctx: WriteCtx<'_>,
        before: &Self,
        is_active: bool,
    ) -> diesel::QueryResult<Self>;
}

/// Implements [`Versioned`] and [`Archivable`] for a row struct over a table with
/// `is_active` besides the versioned columns.
#[macro_export]
macro_rules! archivable {
    ($row:ty, $table:ident, $object:literal, $not_found:expr) => {
        $crate::versioned!($row, $table, $object, $not_found);

        impl $crate::db::versioned::Archivable for $row {
            fn is_active(&self) -> bool {
                self.is_active
            }

            fn write_active(
                conn: &mut diesel::PgConnection,
                ctx: $crate::db::models::WriteCtx<'_>,
                before: &Self,
                is_active: bool,
            ) -> diesel::QueryResult<Self> {
                use diesel::prelude::*;
                diesel::update($table::table.find(before.id))
                    .set((
                        $table::is_active.eq(is_active),
                        $crate::stamp!($table, before, ctx),
                    ))
                    .returning(<$row>::as_returning())
                    .get_result(conn)
            }
        }
    };
}

/// Archives (`is_active` false) or restores row `id`, audited as `<OBJECT>.archive` or
/// `<OBJECT>.restore`; nothing changes when it already is so.
pub fn set_active<T: Archivable>(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    is_active: bool,
) -> AppResult<T> {
    let before: T = lock_fresh(conn, id, version)?;
    if before.is_active() == is_active {
        return Ok(before);
    }
    let after = T::write_active(conn, ctx, &before, is_active)?;
    let verb = if is_active { "restore" } else { "archive" };
    audit(conn, ctx, verb, Some(&before), Some(&after))?;
    Ok(after)
}
