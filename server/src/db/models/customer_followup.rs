//! `customer_followups`: follow-up records, and the due/overdue list of a rep's work.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::customer::{Viewer, require_visible};
use super::{WriteCtx, check_version, display_names};
use crate::db::schema::{customer_followups as followups, customers};
use crate::error::{AppError, AppResult};

/// A follow-up row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = followups)]
pub struct Followup {
    pub id: i64,
    pub customer_id: i64,
    pub happened_at: DateTime<Utc>,
    pub method: String,
    pub content: String,
    pub result: String,
    pub next_on: Option<NaiveDate>,
    pub is_deleted: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A follow-up's fields, validated.
#[derive(Debug, Clone)]
pub struct FollowupInput {
    pub id: i64,
    pub customer_id: i64,
    pub version: i32,
    pub happened_at: DateTime<Utc>,
    pub method: String,
    pub content: String,
    pub result: String,
    pub next_on: Option<NaiveDate>,
}

fn not_found() -> AppError {
    AppError::not_found("follow-up", "跟进记录")
}

/// A customer's follow-ups (not deleted), newest first, with who recorded each.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    customer_id: i64,
) -> AppResult<Vec<(Followup, String)>> {
    require_visible(conn, viewer, customer_id)?;
    let rows: Vec<Followup> = followups::table
        .filter(followups::customer_id.eq(customer_id))
        .filter(followups::is_deleted.eq(false))
        .order((followups::happened_at.desc(), followups::id.desc()))
        .select(Followup::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.created_by).collect();
    let names = display_names(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = r
                .created_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default();
            (r, name)
        })
        .collect())
}

fn lock(conn: &mut PgConnection, viewer: &Viewer, id: i64) -> AppResult<Followup> {
    // Scope first: a record of a customer out of sight is simply not found.
    let customer_id: i64 = followups::table
        .find(id)
        .filter(followups::is_deleted.eq(false))
        .select(followups::customer_id)
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    require_visible(conn, viewer, customer_id).map_err(|_| not_found())?;
    followups::table
        .find(id)
        .filter(followups::is_deleted.eq(false))
        .select(Followup::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// Adds (id 0) or changes a follow-up.
pub fn save(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &FollowupInput,
) -> AppResult<Followup> {
    if input.id == 0 {
        require_visible(conn, viewer, input.customer_id)?;
        let row: Followup = diesel::insert_into(followups::table)
            .values((
                followups::customer_id.eq(input.customer_id),
                followups::happened_at.eq(input.happened_at),
                followups::method.eq(&input.method),
                followups::content.eq(&input.content),
                followups::result.eq(&input.result),
                followups::next_on.eq(input.next_on),
                followups::created_by.eq(ctx.actor.user_id),
                followups::updated_by.eq(ctx.actor.user_id),
            ))
            .returning(Followup::as_returning())
            .get_result(conn)?;
        ctx.audit_change(
            conn,
            "customer_followup.create",
            "customer_followup",
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
    let after: Followup = diesel::update(followups::table.find(input.id))
        .set((
            followups::happened_at.eq(input.happened_at),
            followups::method.eq(&input.method),
            followups::content.eq(&input.content),
            followups::result.eq(&input.result),
            followups::next_on.eq(input.next_on),
            followups::version.eq(before.version + 1),
            followups::updated_at.eq(diesel::dsl::now),
            followups::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Followup::as_returning())
        .get_result(conn)?;
    ctx.audit_change(
        conn,
        "customer_followup.update",
        "customer_followup",
        after.id,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// Marks a follow-up deleted.
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
    let after: Followup = diesel::update(followups::table.find(id))
        .set((
            followups::is_deleted.eq(true),
            followups::version.eq(before.version + 1),
            followups::updated_at.eq(diesel::dsl::now),
            followups::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Followup::as_returning())
        .get_result(conn)?;
    ctx.audit_change(
        conn,
        "customer_followup.delete",
        "customer_followup",
        id,
        Some(&before),
        Some(&after),
    )
}

/// A follow-up that is due: its customer, the planned date, and the last content.
#[derive(Debug, Clone)]
pub struct Due {
    pub customer_id: i64,
    pub customer_name: String,
    pub next_on: NaiveDate,
    pub last_content: String,
}

/// For the customers `user_id` is responsible for: the latest follow-up of each whose
/// next date is `today` or earlier, oldest first.
pub fn due_for(conn: &mut PgConnection, user_id: i64, today: NaiveDate) -> AppResult<Vec<Due>> {
    #[derive(Queryable)]
    struct Row {
        customer_id: i64,
        customer_name: String,
        next_on: Option<NaiveDate>,
        content: String,
    }
    let rows: Vec<Row> = followups::table
        .inner_join(customers::table)
        .filter(
            customers::sales_rep_id
                .eq(user_id)
                .or(customers::cs_rep_id.eq(user_id)),
        )
        .filter(followups::is_deleted.eq(false))
        .order((
            followups::customer_id,
            followups::happened_at.desc(),
            followups::id.desc(),
        ))
        .select((
            followups::customer_id,
            customers::name,
            followups::next_on,
            followups::content,
        ))
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    let mut due: Vec<Due> = rows
        .into_iter()
        // Only each customer's latest follow-up says what is planned next.
        .filter(|r| seen.insert(r.customer_id))
        .filter_map(|r| {
            let next_on = r.next_on.filter(|d| *d <= today)?;
            Some(Due {
                customer_id: r.customer_id,
                customer_name: r.customer_name,
                next_on,
                last_content: r.content,
            })
        })
        .collect();
    due.sort_by_key(|d| d.next_on);
    Ok(due)
}
