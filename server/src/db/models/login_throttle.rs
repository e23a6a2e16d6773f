//! `login_throttle`: failed logins counted per attempted username.
//!
//! An attempt is counted *before* its password is checked ([`begin_attempt`], under the
//! row's lock), so parallel guesses cannot slip past the limit: once the count exceeds
//! the limit, further attempts are refused without hashing. A success clears the count
//! ([`clear`]); a failure keeps it and locks the username when it reaches the limit
//! ([`fail_attempt`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::login_throttle;
use crate::error::AppResult;

/// Counts an attempt on `username`. `Err(until)` when the username is locked (now, or
/// because too many attempts are already in flight).
pub fn begin_attempt(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
    lockout: chrono::Duration,
) -> AppResult<Result<(), DateTime<Utc>>> {
    let (count, locked_until): (i32, Option<DateTime<Utc>>) =
        diesel::insert_into(login_throttle::table)
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
            .returning((login_throttle::failed_count, login_throttle::locked_until))
            .get_result(conn)?;
    if let Some(until) = locked_until.filter(|until| *until > now) {
        return Ok(Err(until));
    }
    if count > max_failures {
        let until = now + lockout;
        lock(conn, username, until)?;
        return Ok(Err(until));
    }
    Ok(Ok(()))
}

/// When `username` is locked until, if it is locked now (read under the row's lock).
pub fn locked_until(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(login_throttle::table
        .find(username)
        .select(login_throttle::locked_until)
        .for_update()
        .first::<Option<DateTime<Utc>>>(conn)
        .optional()?
        .flatten()
        .filter(|until| *until > now))
}

/// What a failed attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The username is locked until then (this failure reached the limit).
    Locked(DateTime<Utc>),
    /// This many more failures lock it.
    Left(i32),
}

/// A counted attempt failed: locks the username when the count reached the limit, else
/// says how many failures are left before it does.
pub fn fail_attempt(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
    lockout: chrono::Duration,
) -> AppResult<Failure> {
    let count: i32 = login_throttle::table
        .find(username)
        .select(login_throttle::failed_count)
        .for_update()
        .first(conn)
        .optional()?
        .unwrap_or_default();
    if count >= max_failures {
        let until = now + lockout;
        lock(conn, username, until)?;
        return Ok(Failure::Locked(until));
    }
    Ok(Failure::Left(max_failures - count))
}

/// Counts a failure that was not begun with [`begin_attempt`] (a wrong current password
/// when changing it) and locks at the limit.
pub fn record_failure(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
    lockout: chrono::Duration,
) -> AppResult<Option<DateTime<Utc>>> {
    match begin_attempt(conn, username, now, max_failures, lockout)? {
        Err(until) => Ok(Some(until)),
        Ok(()) => Ok(
            match fail_attempt(conn, username, now, max_failures, lockout)? {
                Failure::Locked(until) => Some(until),
                Failure::Left(_) => None,
            },
        ),
    }
}

fn lock(conn: &mut PgConnection, username: &str, until: DateTime<Utc>) -> AppResult<()> {
    diesel::update(login_throttle::table.find(username))
        .set((
            login_throttle::locked_until.eq(until),
            login_throttle::failed_count.eq(0),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets the failures after a successful login.
pub fn clear(conn: &mut PgConnection, username: &str) -> AppResult<()> {
    diesel::delete(login_throttle::table.find(username)).execute(conn)?;
    Ok(())
}
