//! `login_throttle`: failed logins counted per attempted username.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::login_throttle;
use crate::error::AppResult;

/// When `username` is locked until, if it is locked now.
pub fn locked_until(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(login_throttle::table
        .find(username)
        .select(login_throttle::locked_until)
        .first::<Option<DateTime<Utc>>>(conn)
        .optional()?
        .flatten()
        .filter(|until| *until > now))
}

/// Counts a failed attempt; the `max_failures`-th in a row locks the username for
/// `lockout`. Returns the lock's end when this attempt set it.
pub fn record_failure(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
    lockout: chrono::Duration,
) -> AppResult<Option<DateTime<Utc>>> {
    let count: i32 = diesel::insert_into(login_throttle::table)
        .values((
            login_throttle::username.eq(username),
            login_throttle::failed_count.eq(1),
            login_throttle::last_failed_at.eq(now),
        ))
        .on_conflict(login_throttle::username)
        .do_update()
        .set((
            login_throttle::failed_count.eq(login_throttle::failed_count + 1),
            login_throttle::last_failed_at.eq(now),
        ))
        .returning(login_throttle::failed_count)
        .get_result(conn)?;
    if count >= max_failures {
        let until = now + lockout;
        diesel::update(login_throttle::table.find(username))
            .set((
                login_throttle::locked_until.eq(until),
                login_throttle::failed_count.eq(0),
            ))
            .execute(conn)?;
        return Ok(Some(until));
    }
    Ok(None)
}

/// Forgets the failures after a successful login.
pub fn clear(conn: &mut PgConnection, username: &str) -> AppResult<()> {
    diesel::delete(login_throttle::table.find(username)).execute(conn)?;
    Ok(())
}
