//! `company_settings`: the company's settings kept by administrators, one row (id 1).
//! The order module reads the default transit days of new shipments and the credit-hold
//! days; the customer module the credit terms of customers registered by reps; the
//! shipment forms the near-expiry days (近效期) they warn of.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use pharmacrm_shared::money::Decimal;
use serde::Serialize;

use super::WriteCtx;
use crate::db::schema::company_settings;
use crate::db::versioned;
use crate::error::{AppError, AppResult};
use crate::msg;

/// The settings row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = company_settings)]
pub struct CompanySettings {
    pub id: i64,
    /// Transit days (运输天数) of a new shipment that does not set its own, 0–365.
    pub default_transit_days: i32,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    /// Credit hold (信用控制): days overdue past which a customer gets no new order
    /// without `order.credit_override`, 1–3650.
    pub credit_hold_days: i32,
    /// The 账期 (days) of a customer registered by someone who may not set credit, 0–3650.
    pub new_customer_credit_days: i32,
    /// Its credit limit (CNY); `None`: no limit.
    pub new_customer_credit_limit: Option<Decimal>,
    /// 近效期: a batch expiring within this many days of its ship date is warned of on the
    /// shipment form, 0–3650; 0 for no warning.
    pub near_expiry_days: i32,
}

/// The one row's id.
const ROW: i64 = 1;

fn not_found() -> AppError {
    AppError::not_found(msg!("settings.not_found"))
}

crate::versioned!(CompanySettings, company_settings, "settings", not_found);

/// The editable settings, validated.
#[derive(AsChangeset, Debug, Clone)]
#[diesel(table_name = company_settings)]
#[diesel(treat_none_as_null = true)]
pub struct SettingsFields {
    pub default_transit_days: i32,
    pub credit_hold_days: i32,
    pub new_customer_credit_days: i32,
    pub new_customer_credit_limit: Option<Decimal>,
}

/// The near-expiry days when a change sets them (`None`: kept as they are, for a caller
/// that does not know the setting).
#[derive(AsChangeset, Debug, Clone)]
#[diesel(table_name = company_settings)]
pub struct NearExpiry {
    pub near_expiry_days: i32,
}

/// The settings.
pub fn get(conn: &mut PgConnection) -> AppResult<CompanySettings> {
    company_settings::table
        .find(ROW)
        .select(CompanySettings::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// Changes the settings under optimistic locking (audited).
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    version: i32,
    fields: &SettingsFields,
    near_expiry: Option<&NearExpiry>,
) -> AppResult<CompanySettings> {
    let (_, after) = versioned::edit(
        conn,
        ctx,
        ROW,
        version,
        "update",
        |conn, before: &CompanySettings| {
            Ok(diesel::update(company_settings::table.find(ROW))
                .set((
                    fields,
                    near_expiry,
                    crate::stamp!(company_settings, before, ctx),
                ))
                .returning(CompanySettings::as_returning())
                .get_result(conn)?)
        },
    )?;
    Ok(after)
}
