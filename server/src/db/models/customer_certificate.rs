//! `customer_certificates`: certificates and licences with their expiry, and an optional
//! scan stored in PostgreSQL (at most 10 MB). Expired and expiring ones are flagged.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::customer::{Viewer, require_visible};
use super::{WriteCtx, check_version};
use crate::db::schema::{customer_certificates as certificates, customers};
use crate::error::{AppError, AppResult};

/// The largest scan accepted.
pub const MAX_SCAN_BYTES: usize = 10 * 1024 * 1024;

/// A certificate row, without its scan.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = certificates)]
pub struct Certificate {
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub number: String,
    pub authority: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub scan_name: String,
    pub scan_type: String,
    pub is_deleted: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// Where a certificate stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    Expiring,
    Expired,
}

/// The status of an expiry date, with `warning_days` of warning.
pub fn status(expires_on: Option<NaiveDate>, today: NaiveDate, warning_days: u32) -> Status {
    match expires_on {
        Some(d) if d < today => Status::Expired,
        Some(d) if d <= today + chrono::Duration::days(i64::from(warning_days)) => Status::Expiring,
        _ => Status::Valid,
    }
}

/// A certificate's fields, validated; `scan` replaces the stored scan when `Some`
/// (`Some(None)` removes it).
#[derive(Debug, Clone)]
pub struct CertificateInput {
    pub id: i64,
    pub customer_id: i64,
    pub version: i32,
    pub kind: String,
    pub number: String,
    pub authority: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub scan: Option<Option<(Vec<u8>, String)>>,
}

fn not_found() -> AppError {
    AppError::not_found("certificate", "证件")
}

/// Whether each certificate has a scan, by id.
fn has_scans(conn: &mut PgConnection, ids: &[i64]) -> AppResult<HashMap<i64, bool>> {
    Ok(certificates::table
        .filter(certificates::id.eq_any(ids))
        .select((certificates::id, certificates::scan.is_not_null()))
        .load::<(i64, bool)>(conn)?
        .into_iter()
        .collect())
}

/// A customer's certificates (not deleted), soonest expiry first, with whether each has a scan.
pub fn list(
    conn: &mut PgConnection,
    viewer: &Viewer,
    customer_id: i64,
) -> AppResult<Vec<(Certificate, bool)>> {
    require_visible(conn, viewer, customer_id)?;
    let rows: Vec<Certificate> = certificates::table
        .filter(certificates::customer_id.eq(customer_id))
        .filter(certificates::is_deleted.eq(false))
        .order((
            certificates::expires_on.asc().nulls_last(),
            certificates::id,
        ))
        .select(Certificate::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let scans = has_scans(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let has = scans.get(&c.id).copied().unwrap_or(false);
            (c, has)
        })
        .collect())
}

fn lock(conn: &mut PgConnection, viewer: &Viewer, id: i64) -> AppResult<Certificate> {
    // Scope first: a record of a customer out of sight is simply not found.
    let customer_id: i64 = certificates::table
        .find(id)
        .filter(certificates::is_deleted.eq(false))
        .select(certificates::customer_id)
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    require_visible(conn, viewer, customer_id).map_err(|_| not_found())?;
    certificates::table
        .find(id)
        .filter(certificates::is_deleted.eq(false))
        .select(Certificate::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(not_found)
}

/// Adds (id 0) or changes a certificate (and its scan).
pub fn save(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &CertificateInput,
) -> AppResult<(Certificate, bool)> {
    let id = if input.id == 0 {
        require_visible(conn, viewer, input.customer_id)?;
        let row: Certificate = diesel::insert_into(certificates::table)
            .values((
                certificates::customer_id.eq(input.customer_id),
                certificates::kind.eq(&input.kind),
                certificates::number.eq(&input.number),
                certificates::authority.eq(&input.authority),
                certificates::issued_on.eq(input.issued_on),
                certificates::expires_on.eq(input.expires_on),
                certificates::created_by.eq(ctx.actor.user_id),
                certificates::updated_by.eq(ctx.actor.user_id),
            ))
            .returning(Certificate::as_returning())
            .get_result(conn)?;
        ctx.audit_change(
            conn,
            "customer_certificate.create",
            "customer_certificate",
            row.id,
            None,
            Some(&row),
        )?;
        row.id
    } else {
        let before = lock(conn, viewer, input.id)?;
        check_version(
            conn,
            input.version,
            before.version,
            before.updated_by,
            before.updated_at,
        )?;
        let after: Certificate = diesel::update(certificates::table.find(input.id))
            .set((
                certificates::kind.eq(&input.kind),
                certificates::number.eq(&input.number),
                certificates::authority.eq(&input.authority),
                certificates::issued_on.eq(input.issued_on),
                certificates::expires_on.eq(input.expires_on),
                certificates::version.eq(before.version + 1),
                certificates::updated_at.eq(diesel::dsl::now),
                certificates::updated_by.eq(ctx.actor.user_id),
            ))
            .returning(Certificate::as_returning())
            .get_result(conn)?;
        ctx.audit_change(
            conn,
            "customer_certificate.update",
            "customer_certificate",
            after.id,
            Some(&before),
            Some(&after),
        )?;
        after.id
    };
    if let Some(scan) = &input.scan {
        let (bytes, name) = match scan {
            Some((bytes, name)) => (Some(bytes.clone()), name.clone()),
            None => (None, String::new()),
        };
        let media = bytes.as_deref().map(media_type).unwrap_or_default();
        diesel::update(certificates::table.find(id))
            .set((
                certificates::scan.eq(bytes),
                certificates::scan_name.eq(name),
                certificates::scan_type.eq(media),
            ))
            .execute(conn)?;
    }
    let row = certificates::table
        .find(id)
        .select(Certificate::as_select())
        .first(conn)?;
    let has = has_scans(conn, &[id])?.get(&id).copied().unwrap_or(false);
    Ok((row, has))
}

/// The media type of a scan from its first bytes: PDF, PNG or JPEG; anything else is
/// refused before it gets here.
pub fn media_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        "application/pdf"
    } else if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else {
        ""
    }
}

/// Marks a certificate deleted.
pub fn delete(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    id: i64,
    version: i32,
) -> AppResult<()> {
    let before = lock(conn, viewer, id)?;
    check_version(
        conn,
        version,
        before.version,
        before.updated_by,
        before.updated_at,
    )?;
    let after: Certificate = diesel::update(certificates::table.find(id))
        .set((
            certificates::is_deleted.eq(true),
            certificates::version.eq(before.version + 1),
            certificates::updated_at.eq(diesel::dsl::now),
            certificates::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(Certificate::as_returning())
        .get_result(conn)?;
    ctx.audit_change(
        conn,
        "customer_certificate.delete",
        "customer_certificate",
        id,
        Some(&before),
        Some(&after),
    )
}

/// A certificate's scan: (bytes, name, media type).
pub fn scan(
    conn: &mut PgConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<(Vec<u8>, String, String)> {
    let (customer_id, scan, name, media): (i64, Option<Vec<u8>>, String, String) =
        certificates::table
            .find(id)
            .filter(certificates::is_deleted.eq(false))
            .select((
                certificates::customer_id,
                certificates::scan,
                certificates::scan_name,
                certificates::scan_type,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(not_found)?;
    require_visible(conn, viewer, customer_id).map_err(|_| not_found())?;
    let scan = scan.ok_or_else(|| AppError::not_found("scan", "扫描件"))?;
    Ok((scan, name, media))
}

/// Expired and expiring certificate counts of each customer.
pub fn flags(
    conn: &mut PgConnection,
    customer_ids: &[i64],
    today: NaiveDate,
    warning_days: u32,
) -> AppResult<HashMap<i64, (u32, u32)>> {
    let rows: Vec<(i64, Option<NaiveDate>)> = certificates::table
        .filter(certificates::customer_id.eq_any(customer_ids))
        .filter(certificates::is_deleted.eq(false))
        .filter(
            certificates::expires_on.le(today + chrono::Duration::days(i64::from(warning_days))),
        )
        .select((certificates::customer_id, certificates::expires_on))
        .load(conn)?;
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    for (customer_id, expires_on) in rows {
        let entry = out.entry(customer_id).or_default();
        match status(expires_on, today, warning_days) {
            Status::Expired => entry.0 += 1,
            Status::Expiring => entry.1 += 1,
            Status::Valid => {}
        }
    }
    Ok(out)
}

/// Expired or expiring certificates of the customers `user_id` is responsible for,
/// soonest first, with the customer's name.
pub fn expiring_for(
    conn: &mut PgConnection,
    user_id: i64,
    today: NaiveDate,
    warning_days: u32,
) -> AppResult<Vec<(String, Certificate, bool)>> {
    let rows: Vec<(String, Certificate)> = certificates::table
        .inner_join(customers::table)
        .filter(
            customers::sales_rep_id
                .eq(user_id)
                .or(customers::cs_rep_id.eq(user_id)),
        )
        .filter(certificates::is_deleted.eq(false))
        .filter(
            certificates::expires_on.le(today + chrono::Duration::days(i64::from(warning_days))),
        )
        .order(certificates::expires_on.asc())
        .select((customers::name, Certificate::as_select()))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|(_, c)| c.id).collect();
    let scans = has_scans(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(name, c)| {
            let has = scans.get(&c.id).copied().unwrap_or(false);
            (name, c, has)
        })
        .collect())
}
