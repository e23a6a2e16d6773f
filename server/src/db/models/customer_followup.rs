//! `customer_followups`: follow-up records, and the due/overdue list of a rep's (or a
//! manager's team's) work.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use diesel::sql_types::{BigInt, Date, Nullable, Text};

use crate::db::schema::customer_followups as followups;
use crate::db::scope::{self, Reps};
use crate::db::sql::{Sql, Value, cut_at};
use crate::error::{AppError, AppResult};
use crate::msg;

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

/// What the user edits on a follow-up.
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = followups, treat_none_as_null = true)]
pub struct FollowupFields {
    pub happened_at: DateTime<Utc>,
    pub method: String,
    pub content: String,
    pub result: String,
    /// The next follow-up planned (a business date).
    pub next_on: Option<NaiveDate>,
}

fn not_found() -> AppError {
    AppError::not_found(msg!("followup.not_found"))
}

crate::customer_record!(
    Followup,
    FollowupFields,
    followups,
    "customer_followup",
    order: (followups::happened_at.desc(), followups::id.desc()),
    not_found,
    kept_by_author: true
);

/// A follow-up that is due: its customer, the planned date, the last content, who
/// recorded that last follow-up (and so planned this one; none for imported records) and
/// the customer's sales rep (whose work it is).
#[derive(QueryableByName, Debug, Clone)]
pub struct Due {
    #[diesel(sql_type = BigInt)]
    pub customer_id: i64,
    #[diesel(sql_type = Text)]
    pub customer_name: String,
    #[diesel(sql_type = Date)]
    pub next_on: NaiveDate,
    #[diesel(sql_type = Text)]
    pub last_content: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub planned_by: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub sales_rep_id: i64,
}

/// The follow-ups planned for the active customers `reps` covers (a rep's own; a
/// manager's team's): those due (planned `today` or earlier) and those coming (planned
/// after `today`, up to `through`), each list at most `limit`, soonest first, with
/// whether more were left out.
#[derive(Debug, Default)]
pub struct Planned {
    pub due: Vec<Due>,
    pub more_due: bool,
    pub coming: Vec<Due>,
    pub more_coming: bool,
}

/// The [`Planned`] follow-ups: each customer's latest follow-up with a next date says
/// what is planned next, until its planner or the customer's sales rep records another
/// (which plans the next, or none). A follow-up by someone else with no next date (a CS
/// rep's call about a damaged box) leaves the plan standing. One pass over the customers
/// in scope, a probe each into index `customer_followups_latest` for the latest
/// follow-up; only where that plans nothing and is not the sales rep's are the plan
/// before it and what came between read. Both lists are read from that pass.
pub fn planned_within(
    conn: &mut PgConnection,
    reps: &Reps,
    today: NaiveDate,
    through: NaiveDate,
    limit: i64,
) -> AppResult<Planned> {
    // `l`: the latest follow-up; `p`: the latest with a next date, looked for only when
    // `l` plans nothing and someone other than the sales rep recorded it.
    let mut sql = Sql::new(
        "WITH latest AS MATERIALIZED ( \
           SELECT c.id AS customer_id, c.name AS customer_name, \
                  COALESCE(l.next_on, p.next_on) AS next_on, \
                  CASE WHEN l.next_on IS NOT NULL THEN l.content ELSE p.content END \
                    AS last_content, \
                  CASE WHEN l.next_on IS NOT NULL THEN l.created_by ELSE p.created_by END \
                    AS planned_by, \
                  c.sales_rep_id \
           FROM customers c CROSS JOIN LATERAL \
                (SELECT g.next_on, g.content, g.created_by FROM customer_followups g \
                 WHERE g.customer_id = c.id AND NOT g.is_deleted \
                 ORDER BY g.happened_at DESC, g.id DESC LIMIT 1) l \
           LEFT JOIN LATERAL \
                (SELECT g.id, g.happened_at, g.next_on, g.content, g.created_by \
                 FROM customer_followups g \
                 WHERE l.next_on IS NULL AND l.created_by IS DISTINCT FROM c.sales_rep_id \
                   AND g.customer_id = c.id AND NOT g.is_deleted AND g.next_on IS NOT NULL \
                 ORDER BY g.happened_at DESC, g.id DESC LIMIT 1) p ON TRUE \
           WHERE c.is_active AND ",
    );
    sql.append(&scope::customers_sql(reps, "c"))
        .push(" AND COALESCE(l.next_on, p.next_on) <= ")
        .bind(Value::Date(through))
        .push(
            " AND (l.next_on IS NOT NULL OR NOT EXISTS ( \
                 SELECT 1 FROM customer_followups h \
                 WHERE h.customer_id = c.id AND NOT h.is_deleted \
                   AND (h.happened_at, h.id) > (p.happened_at, p.id) \
                   AND (h.created_by = p.created_by OR h.created_by = c.sales_rep_id)))",
        )
        .push(") (SELECT * FROM latest WHERE next_on <= ")
        .bind(Value::Date(today))
        .push(" ORDER BY next_on, customer_id LIMIT ")
        .bind(Value::Int(limit + 1))
        .push(") UNION ALL (SELECT * FROM latest WHERE next_on > ")
        .bind(Value::Date(today))
        .push(" ORDER BY next_on, customer_id LIMIT ")
        .bind(Value::Int(limit + 1))
        .push(")");
    let rows: Vec<Due> = sql.query().load(conn)?;
    let (due, coming): (Vec<Due>, Vec<Due>) = rows.into_iter().partition(|d| d.next_on <= today);
    let (due, more_due) = cut_at(due, limit);
    let (coming, more_coming) = cut_at(coming, limit);
    Ok(Planned {
        due,
        more_due,
        coming,
        more_coming,
    })
}
