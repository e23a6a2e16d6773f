//! `customer_profile_records`: the contact's preferences, family, work experience and
//! education. Deletion only marks a record deleted (audited).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::customer::{Viewer, require_visible};
use super::{WriteCtx, check_version, display_names};
use crate::db::schema::customer_profile_records as records;
use crate::error::{AppError, AppResult};

/// A record row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = records)]
pub struct ProfileRecord {
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub is_deleted: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A record's fields, validated.
#[derive(Debug, Clone)]
pub struct ProfileInput {
    pub id: i64,
    pub customer_id: i64,
    pub version: i32,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
}

fn not_found() -> AppError {
    AppError::not_found("record", "记录")
}

/// A customer's records (not deleted) with who last changed each.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    customer_id: i64,
) -> AppResult<Vec<(ProfileRecord, String)>> {
    require_visible(conn, viewer, customer_id)?;
    let rows: Vec<ProfileRecord> = records::table
        .filter(records::customer_id.eq(customer_id))
        .filter(records::is_deleted.eq(false))
        .order((records::kind, records::id.desc()))
        .select(ProfileRecord::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.updated_by).collect();
    let names = display_names(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = r
                .updated_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default();
            (r, name)
        })
        .collect())
}

fn lock(conn: &mut PgConnection, viewer: &Viewer, id: i64) -> AppResult<ProfileRecord> {
    // Scope first: a record of a customer out of sight is simply not found.
    let customer_id: i64 = records::table
        .find(id)
        .filter(records::is_deleted.eq(false))
        .select(records::customer_id)
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    require_visible(conn, viewer, customer_id).map_err(|_| not_found())?;
    records::table
        .find(id)
        .filter(records::is_deleted.eq(false))
        .select(ProfileRecord::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// Adds (id 0) or changes a record.
pub fn save(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &ProfileInput,
) -> AppResult<ProfileRecord> {
    if input.id == 0 {
        require_visible(conn, viewer, input.customer_id)?;
        let row: ProfileRecord = diesel::insert_into(records::table)
            .values((
                records::customer_id.eq(input.customer_id),
                records::kind.eq(&input.kind),
                records::title.eq(&input.title),
                records::detail.eq(&input.detail),
                records::date_from.eq(input.date_from),
                records::date_to.eq(input.date_to),
                records::created_by.eq(ctx.actor.user_id),
                records::updated_by.eq(ctx.actor.user_id),
            ))
            .returning(ProfileRecord::as_returning())
            .get_result(conn)?;
        ctx.audit_change(
            conn,
            "customer_profile_record.create",
            "customer_profile_record",
            row.id,
            None,
            Some(&row),
        )?;
        return Ok(row);
    }
    let before = lock(conn, viewer, input.id)?;
    check_version(
        conn,
        input.version,
        before.version,
        before.updated_by,
        before.updated_at,
    )?;
    let after: ProfileRecord = diesel::update(records::table.find(input.id))
        .set((
            records::kind.eq(&input.kind),
            records::title.eq(&input.title),
            records::detail.eq(&input.detail),
            records::date_from.eq(input.date_from),
            records::date_to.eq(input.date_to),
            records::version.eq(before.version + 1),
            records::updated_at.eq(diesel::dsl::now),
            records::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(ProfileRecord::as_returning())
        .get_result(conn)?;
    ctx.audit_change(
        conn,
        "customer_profile_record.update",
        "customer_profile_record",
        after.id,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Marks a record deleted.
pub fn delete(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    id: i64,
    version: i32,
) -> AppResult<()> {
    let before = lock(conn, viewer, id)?;
    check_version(
        conn,
        version,
        before.version,
        before.updated_by,
        before.updated_at,
    )?;
    let after: ProfileRecord = diesel::update(records::table.find(id))
        .set((
            records::is_deleted.eq(true),
            records::version.eq(before.version + 1),
            records::updated_at.eq(diesel::dsl::now),
            records::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(ProfileRecord::as_returning())
        .get_result(conn)?;
    ctx.audit_change(
        conn,
        "customer_profile_record.delete",
        "customer_profile_record",
        id,
        Some(&before),
        Some(&after),
    )
}
