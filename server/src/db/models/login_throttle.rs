//! `login_throttle`: failed logins counted per attempted username, and the logins of it
//! under way.
//!
//! An attempt is begun before its password is checked ([`begin_attempt`], under the
//! row's lock) and refused without hashing when the username is locked, or when its
//! failures and the attempts already under way reach the limit: parallel guesses cannot
//! slip past it. Those are told to retry in a moment, and the username is not locked:
//! they may be a worker pool's, every password right. A success clears the row
//! ([`clear`]); a failure counts and locks the username when the failures reach the limit
//! ([`fail_attempt`]); an attempt ending otherwise (the account disabled or locked
//! meanwhile) is let go ([`end_attempt`]). An attempt begun over a minute ago no longer
//! counts as under way (its server stopped mid-check).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamptz};

use crate::db::schema::login_throttle;
use crate::error::AppResult;

/// How a begun attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begun {
    /// Check the password.
    Go,
    /// The username is locked until then.
    Locked(DateTime<Utc>),
    /// Too many attempts on the username are under way: retry in a moment.
    Busy,
}

/// Begins an attempt on `username`: [`Begun::Go`] counts it as under way until it is
/// concluded ([`clear`], [`fail_attempt`], [`end_attempt`]).
pub fn begin_attempt(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
) -> AppResult<Begun> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = Integer)]
        failed_count: i32,
        #[diesel(sql_type = Integer)]
        under_way: i32,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        locked_until: Option<DateTime<Utc>>,
    }
    let counts: Counts = diesel::sql_query(
        "INSERT INTO login_throttle AS t (username, under_way, last_begun_at)
         VALUES ($1, 1, $2)
         ON CONFLICT (username) DO UPDATE SET
           under_way = CASE WHEN t.last_begun_at < $2 - interval '1 minute' THEN 1
                            ELSE t.under_way + 1 END,
           last_begun_at = $2
         RETURNING failed_count, under_way, locked_until",
    )
    .bind::<Text, _>(username)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)?;
    let begun = match counts.locked_until.filter(|until| *until > now) {
        Some(until) => Begun::Locked(until),
        None if counts.failed_count + counts.under_way > max_failures => Begun::Busy,
        None => return Ok(Begun::Go),
    };
    end_attempt(conn, username)?;
    Ok(begun)
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

/// A begun attempt failed: counts it, and locks the username when the failures reached
/// the limit, else says how many failures are left before it does.
pub fn fail_attempt(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
    lockout: chrono::Duration,
) -> AppResult<Failure> {
    count_failure(conn, username, now, max_failures, lockout, 1)
}

/// Counts a failure that was not begun with [`begin_attempt`] (a wrong current password
/// when changing it) and locks at the limit. The time the username is locked until, if
/// it is (already, or by this failure).
pub fn record_failure(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
    lockout: chrono::Duration,
) -> AppResult<Option<DateTime<Utc>>> {
    if let Some(until) = locked_until(conn, username, now)? {
        return Ok(Some(until));
    }
    Ok(
        match count_failure(conn, username, now, max_failures, lockout, 0)? {
            Failure::Locked(until) => Some(until),
            Failure::Left(_) => None,
        },
    )
}

/// Counts a failure, `ended` attempts no longer under way (1 for a begun one).
fn count_failure(
    conn: &mut PgConnection,
    username: &str,
    now: DateTime<Utc>,
    max_failures: i32,
    lockout: chrono::Duration,
    ended: i32,
) -> AppResult<Failure> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = Integer)]
        failed_count: i32,
    }
    // The row is gone when another attempt succeeded meanwhile: this failure starts anew.
    let count: Count = diesel::sql_query(
        "INSERT INTO login_throttle AS t (username, failed_count, last_failed_at)
         VALUES ($1, 1, $2)
         ON CONFLICT (username) DO UPDATE SET
           failed_count = t.failed_count + 1,
           under_way = greatest(t.under_way - $3, 0),
           last_failed_at = $2
         RETURNING failed_count",
    )
    .bind::<Text, _>(username)
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(ended)
    .get_result(conn)?;
    if count.failed_count >= max_failures {
        let until = now + lockout;
        diesel::update(login_throttle::table.find(username))
            .set((
                login_throttle::locked_until.eq(until),
                login_throttle::failed_count.eq(0),
            ))
            .execute(conn)?;
        return Ok(Failure::Locked(until));
    }
    Ok(Failure::Left(max_failures - count.failed_count))
}

/// A begun attempt ended neither in success nor in a failure to count (refused as
/// locked, busy, or for a disabled account): no longer under way.
pub fn end_attempt(conn: &mut PgConnection, username: &str) -> AppResult<()> {
    diesel::update(login_throttle::table.find(username))
        .set(
            login_throttle::under_way.eq(diesel::dsl::sql::<Integer>("greatest(under_way - 1, 0)")),
        )
        .execute(conn)?;
    Ok(())
}

/// Forgets the failures after a successful login.
pub fn clear(conn: &mut PgConnection, username: &str) -> AppResult<()> {
    diesel::delete(login_throttle::table.find(username)).execute(conn)?;
    Ok(())
}
