//! `departments`: the organisation tree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{WriteCtx, unique_violation};
use crate::db::lock::{self, Lock};
use crate::db::schema::{departments, users};
use crate::db::sql;
use crate::db::versioned::{self, Archivable};
use crate::error::{AppError, AppResult};
use crate::messages::Counted;
use crate::msg;

/// A department row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = departments)]
pub struct Department {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A department with what the admin console shows beside it.
#[derive(Debug, Clone)]
pub struct DepartmentView {
    pub department: Department,
    pub active_user_count: i64,
    pub updated_by_name: String,
}

#[derive(Insertable)]
#[diesel(table_name = departments)]
struct NewDepartment<'a> {
    parent_id: Option<i64>,
    name: &'a str,
    updated_by: Option<i64>,
}

/// A new or changed department, validated.
#[derive(Debug, Clone)]
pub struct DepartmentInput {
    pub name: String,
    pub parent_id: Option<i64>,
}

const UNIQUE_NAME: &str = "departments_sibling_name";

fn name_taken(err: diesel::result::Error, name: &str) -> AppError {
    unique_violation(
        err,
        UNIQUE_NAME,
        "name",
        msg!("department.name_taken", name = name),
    )
}

/// All departments (active only unless `include_archived`), in the order they were created:
/// siblings read 营销一部, 营销二部, 营销三部 as set up, where ordering by name would put
/// them in code-point order (一, 三, 二).
pub fn list(conn: &mut PgConnection, include_archived: bool) -> AppResult<Vec<DepartmentView>> {
    let mut q = departments::table.into_boxed();
    if !include_archived {
        q = q.filter(departments::is_active.eq(true));
    }
    let rows: Vec<Department> = q
        .order(departments::id)
        .select(Department::as_select())
        .load(conn)?;
    views(conn, rows)
}

/// One department.
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<DepartmentView> {
    let row = find(conn, id)?;
    Ok(views(conn, vec![row])?.remove(0))
}

fn find(conn: &mut PgConnection, id: i64) -> AppResult<Department> {
    departments::table
        .find(id)
        .select(Department::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

fn not_found() -> AppError {
    AppError::not_found(msg!("department.not_found"))
}

crate::archivable!(Department, departments, "department", not_found);

fn views(conn: &mut PgConnection, rows: Vec<Department>) -> AppResult<Vec<DepartmentView>> {
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let counts: HashMap<i64, i64> = users::table
        .filter(users::department_id.eq_any(&ids))
        .filter(users::is_active.eq(true))
        .group_by(users::department_id)
        .select((
            users::department_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let updater_ids: Vec<i64> = rows.iter().filter_map(|d| d.updated_by).collect();
    let names = super::display_names(conn, &updater_ids)?;
    Ok(rows
        .into_iter()
        .map(|d| DepartmentView {
            active_user_count: counts.get(&d.id).copied().unwrap_or(0),
            updated_by_name: d
                .updated_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            department: d,
        })
        .collect())
}

/// The parent must exist and be active.
fn check_parent(conn: &mut PgConnection, parent_id: Option<i64>) -> AppResult<()> {
    let Some(parent_id) = parent_id else {
        return Ok(());
    };
    let parent = departments::table
        .find(parent_id)
        .select(departments::is_active)
        .for_share()
        .first::<bool>(conn)
        .optional()?;
    match parent {
        Some(true) => Ok(()),
        Some(false) => Err(AppError::field(
            "parent_id",
            msg!("department.parent_archived"),
        )),
        None => Err(AppError::field(
            "parent_id",
            msg!("department.parent_missing"),
        )),
    }
}

/// Adds a department.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    input: &DepartmentInput,
) -> AppResult<DepartmentView> {
    check_parent(conn, input.parent_id)?;
    let row: Department = diesel::insert_into(departments::table)
        .values(NewDepartment {
            parent_id: input.parent_id,
            name: &input.name,
            updated_by: ctx.actor.user_id,
        })
        .returning(Department::as_returning())
        .get_result(conn)
        .map_err(|e| name_taken(e, &input.name))?;
    versioned::audit_created(conn, ctx, &row)?;
    get(conn, row.id)
}

/// The ids of `id` and every department below it.
pub fn subtree_ids(conn: &mut PgConnection, id: i64) -> AppResult<Vec<i64>> {
    sql::subtree_ids(conn, sql::Tree::Departments, id)
}

/// Renames and/or moves a department.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    input: &DepartmentInput,
) -> AppResult<DepartmentView> {
    let before: Department = versioned::lock_fresh(conn, id, version)?;
    if input.parent_id != before.parent_id {
        // Moves are judged one at a time: two crossing moves could otherwise make a cycle.
        lock::take(conn, Lock::DepartmentMoves)?;
        if let Some(parent_id) = input.parent_id
            && subtree_ids(conn, id)?.contains(&parent_id)
        {
            return Err(AppError::precondition(msg!(
                "department.move_into_own_subtree",
                name = before.name
            )));
        }
        check_parent(conn, input.parent_id)?;
    }
    let after: Department = diesel::update(departments::table.find(id))
        .set((
            departments::name.eq(&input.name),
            departments::parent_id.eq(input.parent_id),
            crate::stamp!(departments, before, ctx),
        ))
        .returning(Department::as_returning())
        .get_result(conn)
        .map_err(|e| name_taken(e, &input.name))?;
    versioned::audit(conn, ctx, "update", Some(&before), Some(&after))?;
    get(conn, id)
}

/// Archives a department that has no active users and no active sub-departments.
pub fn archive(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
) -> AppResult<DepartmentView> {
    let before: Department = versioned::lock_fresh(conn, id, version)?;
    if !before.is_active {
        return get(conn, id);
    }
    let active_users: i64 = users::table
        .filter(users::department_id.eq(id))
        .filter(users::is_active.eq(true))
        .count()
        .get_result(conn)?;
    let active_children: i64 = departments::table
        .filter(departments::parent_id.eq(id))
        .filter(departments::is_active.eq(true))
        .count()
        .get_result(conn)?;
    if active_users > 0 || active_children > 0 {
        return Err(AppError::precondition(msg!(
            "department.not_empty",
            name = before.name,
            users = Counted(active_users, "active user", "active users"),
            children = Counted(
                active_children,
                "active sub-department",
                "active sub-departments"
            )
        )));
    }
    // Disabled users leave the archived department: re-enabling them must not put an
    // active user into it.
    diesel::update(users::table.filter(users::department_id.eq(id)))
        .set(users::department_id.eq(None::<i64>))
        .execute(conn)?;
    let after = Department::write_active(conn, ctx, &before, false)?;
    versioned::audit(conn, ctx, "archive", Some(&before), Some(&after))?;
    get(conn, id)
}

/// Restores archived department `id` (read at `version`) where it was; audited as
/// `department.restore`. Restoring an active one returns it as it is.
///
/// Errors: NOT_FOUND; ABORTED on a stale version; FAILED_PRECONDITION while its parent is
/// archived; ALREADY_EXISTS naming `name` when an active sibling has its name.
pub fn restore(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
) -> AppResult<DepartmentView> {
    let before: Department = versioned::lock_fresh(conn, id, version)?;
    if before.is_active {
        return get(conn, id);
    }
    if let Some(parent) = before.parent_id {
        let parent_active: bool = departments::table
            .find(parent)
            .select(departments::is_active)
            .for_share()
            .first(conn)?;
        if !parent_active {
            return Err(AppError::precondition(msg!("department.parent_archived")));
        }
    }
    let after = Department::write_active(conn, ctx, &before, true)
        .map_err(|e| name_taken(e, &before.name))?;
    versioned::audit(conn, ctx, "restore", Some(&before), Some(&after))?;
    get(conn, id)
}
