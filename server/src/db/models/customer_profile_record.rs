//! `customer_profile_records`: the contact's preferences, family, work experience and
//! education, each kept with whom it is about (the contact when it was recorded).
//! Deletion only marks a record deleted (audited).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::customer_profile_records as records;
use crate::error::AppError;
use crate::msg;

/// A record row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = records)]
pub struct ProfileRecord {
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub is_deleted: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    /// Whom it is about: the customer's contact person when it was recorded (stamped by
    /// the database as it is inserted; an edit keeps it).
    pub person: String,
}

/// What the user edits on a personal record.
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = records, treat_none_as_null = true)]
pub struct ProfileFields {
    /// `preference`, `family`, `work` or `education`.
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
}

fn not_found() -> AppError {
    AppError::not_found(msg!("record.not_found"))
}

crate::customer_record!(
    ProfileRecord,
    ProfileFields,
    records,
    "customer_profile_record",
    order: (records::kind, records::id.desc()),
    not_found
);
