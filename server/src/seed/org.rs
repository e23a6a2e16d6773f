//! Departments and users by name, created when missing.

use diesel::prelude::*;

use crate::auth::hash_password_blocking;
use crate::db::models::WriteCtx;
use crate::db::models::department::{self, DepartmentInput};
use crate::db::models::user::{self, NewUserInput, UserProfile};
use crate::db::schema::{departments, positions};
use crate::error::AppResult;

/// The active position named `name`.
pub fn position_id(conn: &mut PgConnection, name: &str) -> AppResult<i64> {
    Ok(positions::table
        .filter(positions::name.eq(name))
        .filter(positions::is_active.eq(true))
        .select(positions::id)
        .first(conn)?)
}

/// The active department `name` under `parent_id`, created when missing.
pub fn ensure_department(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    name: &str,
    parent_id: Option<i64>,
) -> AppResult<i64> {
    let existing = departments::table
        .filter(departments::name.eq(name))
        .filter(departments::is_active.eq(true))
        .filter(departments::parent_id.is_not_distinct_from(parent_id))
        .select(departments::id)
        .first::<i64>(conn)
        .optional()?;
    match existing {
        Some(id) => Ok(id),
        None => Ok(department::create(
            conn,
            ctx,
            &DepartmentInput {
                name: name.to_owned(),
                parent_id,
            },
        )?
        .department
        .id),
    }
}

/// Creates user `username` holding `position` unless they exist; whether it did.
pub fn ensure_user(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    username: &str,
    display_name: &str,
    department_id: Option<i64>,
    position: &str,
    password: &str,
) -> AppResult<bool> {
    if user::find_by_username(conn, username)?.is_some() {
        return Ok(false);
    }
    let position_ids = vec![position_id(conn, position)?];
    let hash = hash_password_blocking(password)?;
    user::create(
        conn,
        ctx,
        &NewUserInput {
            username: username.to_owned(),
            profile: UserProfile {
                display_name: display_name.to_owned(),
                department_id,
                phone: String::new(),
                position_ids,
            },
        },
        Some(&hash),
    )?;
    Ok(true)
}
