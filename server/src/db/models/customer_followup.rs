//! `customer_followups`: follow-up records, and the due/overdue list of a rep's work.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{customer_followups as followups, customers};
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

/// A follow-up that is due: its customer, the planned date, and the last content.
#[derive(Debug, Clone)]
pub struct Due {
    pub customer_id: i64,
    pub customer_name: String,
    pub next_on: NaiveDate,
    pub last_content: String,
}

/// For the active customers `user_id` is responsible for: the latest follow-up of each whose
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
        .filter(customers::is_active.eq(true))
        .filter(followups::is_deleted.eq(false))
        // Only each customer's latest follow-up says what is planned next.
        .distinct_on(followups::customer_id)
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
    let mut due: Vec<Due> = rows
        .into_iter()
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
