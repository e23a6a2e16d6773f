//! `customer_types`: the administrator-maintained dictionary (潜在, 意向, 成交, 重点, 流失…).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{WriteCtx, unique_violation};
use crate::db::schema::customer_types;
use crate::error::{AppError, AppResult};
use crate::msg;

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
    AppError::not_found(msg!("customer_type.not_found"))
}

fn taken(err: diesel::result::Error, name: &str) -> AppError {
    unique_violation(
        err,
        "customer_types_name",
        "name",
        msg!("customer_type.taken", name = name),
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

crate::archivable!(CustomerType, customer_types, "customer_type", not_found);

/// A type's fields.
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = customer_types)]
pub struct CustomerTypeFields {
    pub name: String,
    pub sort_order: i32,
}

crate::edited_by_fields!(CustomerType, customer_types, CustomerTypeFields, |e, f| {
    taken(e, &f.name)
});

/// Adds a type.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    fields: &CustomerTypeFields,
) -> AppResult<CustomerType> {
    insert_fields(conn, ctx, fields)
}

/// Renames or reorders a type.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    fields: &CustomerTypeFields,
) -> AppResult<CustomerType> {
    update_fields(conn, ctx, id, version, fields)
}
