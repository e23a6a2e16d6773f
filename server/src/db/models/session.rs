//! `sessions`: login sessions and API tokens, stored by the SHA-256 of their token.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::user::User;
use crate::db::schema::{sessions, users};
use crate::error::{AppError, AppResult};
use crate::msg;

/// A session row (the token itself is never stored).
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    #[serde(skip)]
    pub token_hash: Vec<u8>,
    pub user_id: i64,
    pub kind: String,
    pub label: String,
    pub peer: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub absolute_expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A login session's kind.
pub const KIND_LOGIN: &str = "login";
/// An API token's kind.
pub const KIND_API: &str = "api";

/// Starts a login session.
pub fn create_login(
    conn: &mut PgConnection,
    user_id: i64,
    token_hash: &[u8],
    peer: &str,
    absolute_expires_at: DateTime<Utc>,
) -> AppResult<SessionRow> {
    Ok(diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::kind.eq(KIND_LOGIN),
            sessions::peer.eq(peer),
            sessions::last_seen_at.eq(diesel::dsl::now),
            sessions::absolute_expires_at.eq(absolute_expires_at),
        ))
        .returning(SessionRow::as_returning())
        .get_result(conn)?)
}

/// Issues an API token record for a service account.
pub fn create_api(
    conn: &mut PgConnection,
    user_id: i64,
    token_hash: &[u8],
    label: &str,
) -> AppResult<SessionRow> {
    Ok(diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::kind.eq(KIND_API),
            sessions::label.eq(label),
        ))
        .returning(SessionRow::as_returning())
        .get_result(conn)?)
}

/// The API tokens of a user, newest first.
pub fn list_api(conn: &mut PgConnection, user_id: i64) -> AppResult<Vec<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::kind.eq(KIND_API))
        .order(sessions::id.desc())
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// One API token record.
pub fn get_api(conn: &mut PgConnection, id: i64) -> AppResult<SessionRow> {
    sessions::table
        .find(id)
        .filter(sessions::kind.eq(KIND_API))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(msg!("token.not_found")))
}

/// Ends one session or token now. Returns whether it was still valid.
pub fn revoke(conn: &mut PgConnection, id: i64) -> AppResult<bool> {
    Ok(diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(diesel::dsl::now))
    .execute(conn)?
        > 0)
}

/// Ends every session and token of a user, except `keep`.
pub fn revoke_all_for_user(
    conn: &mut PgConnection,
    user_id: i64,
    keep: Option<i64>,
) -> AppResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep.unwrap_or(0))),
    )
    .set(sessions::revoked_at.eq(diesel::dsl::now))
    .execute(conn)?)
}

/// The session with this token hash and its user, whatever their state (revoked too: the
/// caller tells an expired session from an unknown token).
pub fn find_by_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> AppResult<Option<(SessionRow, User)>> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((SessionRow::as_select(), User::as_select()))
        .first(conn)
        .optional()?)
}

/// Records activity on a session, at most every few seconds (it keeps the idle timer).
/// Only if `last_seen_at` is still what the caller validated: a session that was ended
/// or aged meanwhile is not revived by a request that started before.
pub fn touch(
    conn: &mut PgConnection,
    id: i64,
    validated: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // A minute of precision is plenty for a 30-minute idle timeout, and spares a write
    // (a commit) on almost every request.
    if validated.is_some_and(|seen| seen > now - chrono::Duration::seconds(60)) {
        return Ok(());
    }
    let target = sessions::table
        .find(id)
        .filter(sessions::revoked_at.is_null());
    match validated {
        Some(seen) => {
            diesel::update(target.filter(sessions::last_seen_at.eq(seen)))
                .set(sessions::last_seen_at.eq(now))
                .execute(conn)?;
        }
        None => {
            diesel::update(target.filter(sessions::last_seen_at.is_null()))
                .set(sessions::last_seen_at.eq(now))
                .execute(conn)?;
        }
    }
    Ok(())
}
