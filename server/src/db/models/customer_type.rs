//! `customer_types`: the administrator-maintained dictionary (潜在, 意向, 成交, 重点, 流失…).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{WriteCtx, check_version, unique_violation};
use crate::db::schema::customer_types;
use crate::error::{AppError, AppResult};

/// A type row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = customer_types)]
pub struct CustomerType {
    pub id: i64,
    pub name: String,
    pub sort_order: i32,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

fn not_found() -> AppError {
    AppError::not_found("customer type", "客户类型")
}

fn taken(err: diesel::result::Error, name: &str) -> AppError {
    unique_violation(
        err,
        "customer_types_name",
        "name",
        format!("the customer type “{name}” already exists"),
        format!("客户类型“{name}”已存在"),
    )
}

/// The types, in order.
pub fn list(conn: &mut PgConnection, include_archived: bool) -> AppResult<Vec<CustomerType>> {
    let mut q = customer_types::table.into_boxed();
    if !include_archived {
        q = q.filter(customer_types::is_active.eq(true));
    }
    Ok(q.order((customer_types::sort_order, customer_types::id))
        .select(CustomerType::as_select())
        .load(conn)?)
}

/// One type.
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<CustomerType> {
    customer_types::table
        .find(id)
        .select(CustomerType::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

fn lock(conn: &mut PgConnection, id: i64) -> AppResult<CustomerType> {
    customer_types::table
        .find(id)
        .select(CustomerType::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// Adds a type.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    name: &str,
    sort_order: i32,
) -> AppResult<CustomerType> {
    let row: CustomerType = diesel::insert_into(customer_types::table)
        .values((
            customer_types::name.eq(name),
            customer_types::sort_order.eq(sort_order),
            customer_types::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(CustomerType::as_returning())
        .get_result(conn)
        .map_err(|e| taken(e, name))?;
    ctx.audit_change(
        conn,
        "customer_type.create",
        "customer_type",
        row.id,
        None,
        Some(&row),
    )?;
    Ok(row)
}

/// Renames or reorders a type.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    name: &str,
    sort_order: i32,
) -> AppResult<CustomerType> {
    let before = lock(conn, id)?;
    check_version(
        conn,
        version,
        before.version,
        before.updated_by,
        before.updated_at,
    )?;
    let after: CustomerType = diesel::update(customer_types::table.find(id))
        .set((
            customer_types::name.eq(name),
            customer_types::sort_order.eq(sort_order),
            customer_types::version.eq(before.version + 1),
            customer_types::updated_at.eq(diesel::dsl::now),
            customer_types::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(CustomerType::as_returning())
        .get_result(conn)
        .map_err(|e| taken(e, name))?;
    ctx.audit_change(
        conn,
        "customer_type.update",
        "customer_type",
        id,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Archives or restores a type.
pub fn set_active(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    is_active: bool,
) -> AppResult<CustomerType> {
    let before = lock(conn, id)?;
    check_version(
        conn,
        version,
        before.version,
        before.updated_by,
        before.updated_at,
    )?;
    if before.is_active == is_active {
        return Ok(before);
    }
    let after: CustomerType = diesel::update(customer_types::table.find(id))
        .set((
            customer_types::is_active.eq(is_active),
            customer_types::version.eq(before.version + 1),
            customer_types::updated_at.eq(diesel::dsl::now),
            customer_types::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(CustomerType::as_returning())
        .get_result(conn)?;
    let action = if is_active {
        "customer_type.restore"
    } else {
        "customer_type.archive"
    };
    ctx.audit_change(
        conn,
        action,
        "customer_type",
        id,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}
