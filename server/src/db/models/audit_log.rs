//! The append-only audit log with its HMAC chain.
//!
//! Each row's `hash` = HMAC-SHA256(key, prev_hash ‖ canonical content), the key kept
//! outside the database (`<data-dir>/keys/audit.key`). Rows are appended under a
//! transaction-scoped advisory lock so the chain has no forks; the database refuses
//! UPDATE, DELETE and TRUNCATE on the table (a trigger).

use chrono::{DateTime, SubsecRound, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::Actor;
use crate::db::lock::{self, Lock};
use crate::db::schema::audit_log;
use crate::error::AppResult;

/// The HMAC key of the chain.
#[derive(Clone)]
pub struct AuditKey(pub [u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

/// How many `action` rows `user_id` wrote in the last `seconds` (a rate limit read from
/// the log itself; the `(user_id, at)` index answers it).
pub fn count_recent(
    conn: &mut PgConnection,
    user_id: i64,
    action: &str,
    seconds: i64,
) -> AppResult<i64> {
    let since = Utc::now() - chrono::Duration::seconds(seconds);
    Ok(audit_log::table
        .filter(audit_log::user_id.eq(user_id))
        .filter(audit_log::at.ge(since))
        .filter(audit_log::action.eq(action))
        .count()
        .get_result(conn)?)
}

/// A row as read back.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    pub peer: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewAuditRow<'a> {
    at: DateTime<Utc>,
    user_id: Option<i64>,
    username: &'a str,
    peer: &'a str,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    before: Option<&'a Value>,
    after: Option<&'a Value>,
    prev_hash: &'a [u8],
    hash: &'a [u8],
}

/// One event to record.
pub struct Event<'a> {
    /// E.g. `department.update`.
    pub action: &'a str,
    /// E.g. `department`.
    pub object_type: &'a str,
    /// The object's id.
    pub object_id: String,
    /// The object before, for updates and deletions.
    pub before: Option<Value>,
    /// The object after, for creations and updates.
    pub after: Option<Value>,
}

impl<'a> Event<'a> {
    /// `action` on object `object_id` of kind `object_type`, with no record of it before
    /// or after (a login, a logout, a refusal).
    pub fn bare(action: &'a str, object_type: &'a str, object_id: String) -> Self {
        Event {
            action,
            object_type,
            object_id,
            before: None,
            after: None,
        }
    }
}

/// Appends `event` to the log, made `at` (UTC; `None`: now). Call it inside the
/// transaction that makes the change, so the change and its record commit (or roll back)
/// together.
pub fn record(
    conn: &mut PgConnection,
    key: &AuditKey,
    actor: &Actor,
    at: Option<DateTime<Utc>>,
    event: Event<'_>,
) -> AppResult<()> {
    lock::take(conn, Lock::AuditChain)?;
    let prev_hash: Vec<u8> = audit_log::table
        .order(audit_log::id.desc())
        .select(audit_log::hash)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    // PostgreSQL keeps microseconds: hash what will be read back.
    let at = at.unwrap_or_else(Utc::now).trunc_subsecs(6);
    let hash = row_hash(
        key,
        &prev_hash,
        &Content {
            at,
            user_id: actor.user_id,
            username: &actor.username,
            peer: &actor.peer,
            action: event.action,
            object_type: event.object_type,
            object_id: &event.object_id,
            before: event.before.as_ref(),
            after: event.after.as_ref(),
        },
    );
    diesel::insert_into(audit_log::table)
        .values(NewAuditRow {
            at,
            user_id: actor.user_id,
            username: &actor.username,
            peer: &actor.peer,
            action: event.action,
            object_type: event.object_type,
            object_id: &event.object_id,
            before: event.before.as_ref(),
            after: event.after.as_ref(),
            prev_hash: &prev_hash,
            hash: &hash,
        })
        .execute(conn)?;
    Ok(())
}

struct Content<'a> {
    at: DateTime<Utc>,
    user_id: Option<i64>,
    username: &'a str,
    peer: &'a str,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    before: Option<&'a Value>,
    after: Option<&'a Value>,
}

fn row_hash(key: &AuditKey, prev_hash: &[u8], c: &Content<'_>) -> Vec<u8> {
    // serde_json's maps are sorted, so a JSONB value read back serialises identically.
    let canonical = serde_json::json!([
        c.at.timestamp_micros(),
        c.user_id,
        c.username,
        c.peer,
        c.action,
        c.object_type,
        c.object_id,
        c.before,
        c.after,
    ])
    .to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length");
    mac.update(prev_hash);
    mac.update(canonical.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A break in the chain found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first row whose content or link does not match.
    pub id: i64,
    /// What is wrong.
    pub reason: &'static str,
}

/// Checks every row's hash and link, in id order. Returns the number of rows checked,
/// or the first broken row.
pub fn verify(conn: &mut PgConnection, key: &AuditKey) -> AppResult<Result<u64, ChainBreak>> {
    const BATCH: i64 = 5_000;
    let mut last_id = 0_i64;
    let mut prev_hash: Vec<u8> = Vec::new();
    let mut checked = 0_u64;
    loop {
        let rows: Vec<AuditRow> = audit_log::table
            .filter(audit_log::id.gt(last_id))
            .order(audit_log::id)
            .limit(BATCH)
            .select(AuditRow::as_select())
            .load(conn)?;
        if rows.is_empty() {
            return Ok(Ok(checked));
        }
        for row in rows {
            if row.prev_hash != prev_hash {
                return Ok(Err(ChainBreak {
                    id: row.id,
                    reason: "its link to the previous row does not match (a row was removed or inserted)",
                }));
            }
            let expected = row_hash(
                key,
                &prev_hash,
                &Content {
                    at: row.at,
                    user_id: row.user_id,
                    username: &row.username,
                    peer: &row.peer,
                    action: &row.action,
                    object_type: &row.object_type,
                    object_id: &row.object_id,
                    before: row.before.as_ref(),
                    after: row.after.as_ref(),
                },
            );
            if expected != row.hash {
                return Ok(Err(ChainBreak {
                    id: row.id,
                    reason: "its content does not match its hash (the row was edited)",
                }));
            }
            prev_hash = row.hash;
            last_id = row.id;
            checked += 1;
        }
    }
}

/// Filters of an audit search.
#[derive(Default, Debug, Clone)]
pub struct Filter {
    pub user_id: Option<i64>,
    /// The username as recorded (also a failed login's tried name).
    pub username: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Objects by what people call them (`ops::audit::resolve_object`): an entry of any of
    /// these (object type, or any type when `None`; ids); none when empty.
    pub objects: Option<Vec<(Option<String>, Vec<String>)>>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Every action recorded, sorted: a skip scan of the `(action, at)` index (one probe per
/// distinct action), so it stays quick however long the log grows.
pub fn actions(conn: &mut PgConnection) -> AppResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Action {
        #[diesel(sql_type = diesel::sql_types::Text)]
        action: String,
    }
    let rows: Vec<Action> = diesel::sql_query(
        "WITH RECURSIVE a(action) AS (
             (SELECT action FROM audit_log ORDER BY action LIMIT 1)
             UNION ALL
             SELECT (SELECT l.action FROM audit_log l WHERE l.action > a.action
                      ORDER BY l.action LIMIT 1)
               FROM a WHERE a.action IS NOT NULL)
         SELECT action FROM a WHERE action IS NOT NULL",
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.action).collect())
}

/// One page of matching rows, newest first, with the total count.
pub fn search(
    conn: &mut PgConnection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<AuditRow>, i64)> {
    let query = || {
        let mut q = audit_log::table.into_boxed();
        if let Some(user_id) = filter.user_id {
            q = q.filter(audit_log::user_id.eq(user_id));
        }
        if let Some(name) = &filter.username {
            q = q.filter(audit_log::username.eq(name.clone()));
        }
        if let Some(t) = &filter.object_type {
            q = q.filter(audit_log::object_type.eq(t.clone()));
        }
        if let Some(id) = &filter.object_id {
            q = q.filter(audit_log::object_id.eq(id.clone()));
        }
        if let Some(objects) = &filter.objects {
            type Condition =
                Box<dyn BoxableExpression<audit_log::table, Pg, SqlType = diesel::sql_types::Bool>>;
            // Nothing named: a condition no row meets.
            let none: Condition = Box::new(audit_log::id.lt(0));
            let any = objects.iter().fold(none, |any, (kind, ids)| {
                let of_ids = audit_log::object_id.eq_any(ids.clone());
                let one: Condition = match kind {
                    Some(kind) => Box::new(audit_log::object_type.eq(kind.clone()).and(of_ids)),
                    None => Box::new(of_ids),
                };
                Box::new(any.or(one))
            });
            q = q.filter(any);
        }
        if let Some(a) = &filter.action {
            q = q.filter(audit_log::action.eq(a.clone()));
        }
        if let Some(from) = filter.from {
            q = q.filter(audit_log::at.ge(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(audit_log::at.lt(to));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows = query()
        .order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The audit rows of the objects `objects` — (object type, ids) — oldest first, at most
/// `limit`: the history of an order with its shipments and exceptions.
pub fn of_objects(
    conn: &mut PgConnection,
    objects: &[(&str, Vec<i64>)],
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let mut q = audit_log::table.into_boxed();
    for (object_type, ids) in objects {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        q = q.or_filter(
            audit_log::object_type
                .eq(*object_type)
                .and(audit_log::object_id.eq_any(ids)),
        );
    }
    Ok(q.order((audit_log::at, audit_log::id))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

/// The `after` of the latest `action` row of each object of `object_type` among `ids`,
/// by id (an object with none is absent): what was last said of each, e.g. the reason of
/// an order's latest request for approval. The `(object_type, object_id)` index answers it.
pub fn latest_of(
    conn: &mut PgConnection,
    object_type: &str,
    ids: &[i64],
    action: &str,
) -> AppResult<std::collections::HashMap<i64, Value>> {
    let keys: Vec<String> = ids.iter().map(i64::to_string).collect();
    let rows: Vec<(String, Option<Value>)> = audit_log::table
        .filter(audit_log::object_type.eq(object_type))
        .filter(audit_log::object_id.eq_any(keys))
        .filter(audit_log::action.eq(action))
        .order(audit_log::id)
        .select((audit_log::object_id, audit_log::after))
        .load(conn)?;
    // Oldest first: a later row of an object replaces its earlier one.
    Ok(rows
        .into_iter()
        .filter_map(|(id, after)| Some((id.parse().ok()?, after?)))
        .collect())
}
