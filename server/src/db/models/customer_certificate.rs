//! `customer_certificates`: certificates and licences with their expiry, and an optional
//! scan stored in PostgreSQL (at most 10 MB). Expired and expiring ones are flagged.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::WriteCtx;
use super::customer_record::{self, RecordInput};
use crate::db::schema::{customer_certificates as certificates, customers};
use crate::db::scope::{self, Reps, Viewer, require_customer};
use crate::error::{AppError, AppResult};
use crate::msg;

/// The largest scan accepted.
pub const MAX_SCAN_BYTES: usize = 10 * 1024 * 1024;

/// The certificates without which a customer cannot be sold to (stored kind codes): the
/// drug-trade licence (药品经营许可证) and the GSP certificate. Both are issued for a term
/// (five years, 《药品经营许可证管理办法》), so each copy on file has an expiry date.
pub const LICENCES: &[&str] = &["drug_trade", "gsp"];

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
    /// Whether a scan is stored (the bytes are fetched on their own).
    #[diesel(select_expression = certificates::scan.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<certificates::scan>)]
    pub has_scan: bool,
    pub is_deleted: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// Where a certificate stands on a business day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    Expiring,
    Expired,
}

/// Which certificates are flagged: those expired before `today` (a business date) and
/// those expiring within `warning_days` of it (spec §3 "Certificates", 30 days by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateWindow {
    /// Today in the business time zone.
    pub today: NaiveDate,
    /// The warning period, in days.
    pub warning_days: u32,
}

impl CertificateWindow {
    /// The status of an expiry date.
    pub fn status(self, expires_on: Option<NaiveDate>) -> Status {
        match expires_on {
            Some(d) if d < self.today => Status::Expired,
            Some(d) if d <= self.last_flagged_day() => Status::Expiring,
            _ => Status::Valid,
        }
    }

    /// The last expiry date that is flagged.
    pub fn last_flagged_day(self) -> NaiveDate {
        self.today + chrono::Duration::days(i64::from(self.warning_days))
    }
}

/// What the user edits on a certificate (the scan travels apart).
#[derive(Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = certificates, treat_none_as_null = true)]
pub struct CertificateFields {
    /// `drug_trade`, `business`, `gsp`, `medical_institution` or `other`.
    pub kind: String,
    pub number: String,
    pub authority: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

/// A scan to store with a certificate: `Some(None)` removes the stored one.
pub type ScanChange = Option<Option<(Vec<u8>, String)>>;

fn not_found() -> AppError {
    AppError::not_found(msg!("certificate.not_found"))
}

crate::customer_record!(
    Certificate,
    CertificateFields,
    certificates,
    "customer_certificate",
    order: (certificates::expires_on.asc().nulls_last(), certificates::id),
    not_found
);

/// Adds (id 0) or changes a certificate, and stores, replaces or removes its scan; audited
/// as `customer_certificate.create`/`update`, and a scan change as `customer_certificate.set_scan`.
pub fn save(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    viewer: &Viewer,
    input: &RecordInput<CertificateFields>,
    scan: &ScanChange,
) -> AppResult<Certificate> {
    let row: Certificate = customer_record::save(conn, ctx, viewer, input)?;
    let Some(scan) = scan else {
        return Ok(row);
    };
    let (bytes, name) = match scan {
        Some((bytes, name)) => (Some(bytes.clone()), name.clone()),
        None => (None, String::new()),
    };
    let media = bytes.as_deref().map(media_type).unwrap_or_default();
    let old_scan = scan_fingerprint(conn, row.id)?;
    let after: Certificate = diesel::update(certificates::table.find(row.id))
        .set((
            certificates::scan.eq(&bytes),
            certificates::scan_name.eq(name),
            certificates::scan_type.eq(media),
        ))
        .returning(Certificate::as_returning())
        .get_result(conn)?;
    // The scan is a document a GSP inspection asks for: attaching, replacing or removing
    // one is on record as its own change, with each file's size and SHA-256, so that a
    // file replaced by another of the same name still shows; nothing changed, no row.
    let before = ScanRecord::new(&row, old_scan);
    let now = ScanRecord::new(&after, scan_fingerprint(conn, after.id)?);
    if before != now {
        ctx.audit_change(
            conn,
            "customer_certificate.set_scan",
            "customer_certificate",
            after.id,
            Some(&before),
            Some(&now),
        )?;
    }
    Ok(after)
}

/// A certificate as a change of its scan is audited: its fields, and the scan's size
/// (bytes) and SHA-256 (hex), `None` without a scan.
#[derive(Serialize)]
struct ScanRecord<'a> {
    #[serde(flatten)]
    certificate: &'a Certificate,
    scan_size: Option<i32>,
    scan_sha256: Option<String>,
}

impl PartialEq for ScanRecord<'_> {
    /// The same scan: name, type, size and digest (the fields beside it are the same row's).
    fn eq(&self, other: &Self) -> bool {
        (
            &self.certificate.scan_name,
            &self.certificate.scan_type,
            self.scan_size,
            &self.scan_sha256,
        ) == (
            &other.certificate.scan_name,
            &other.certificate.scan_type,
            other.scan_size,
            &other.scan_sha256,
        )
    }
}

impl<'a> ScanRecord<'a> {
    fn new(certificate: &'a Certificate, (size, sha256): ScanFingerprint) -> Self {
        ScanRecord {
            certificate,
            scan_size: size,
            scan_sha256: sha256,
        }
    }
}

/// A stored scan's size (bytes) and SHA-256 (hex), both `None` without a scan.
type ScanFingerprint = (Option<i32>, Option<String>);

/// The fingerprint of certificate `id`'s scan, worked out by the database (the bytes, up to
/// [`MAX_SCAN_BYTES`], stay there).
fn scan_fingerprint(conn: &mut PgConnection, id: i64) -> AppResult<ScanFingerprint> {
    use diesel::sql_types::{Integer, Nullable, Text};
    Ok(certificates::table
        .find(id)
        .select(diesel::dsl::sql::<(Nullable<Integer>, Nullable<Text>)>(
            "octet_length(scan), encode(sha256(scan), 'hex')",
        ))
        .first(conn)?)
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
    require_customer(conn, viewer, customer_id).map_err(|_| not_found())?;
    let scan = scan.ok_or_else(|| AppError::not_found(msg!("certificate.scan_not_found")))?;
    Ok((scan, name, media))
}

/// The SQL condition, on a row of `customer_certificates` (unaliased), that no later copy
/// replaces it: another live certificate of the same customer and kind that expires later
/// (or never; of two with the same expiry, the one added last). A licence renewed by
/// adding the new one leaves the old one expired but no longer to renew. Kind `other`
/// holds unrelated documents: none of them replaces another.
pub const NOT_SUPERSEDED: &str = "(customer_certificates.kind = 'other' \
     OR NOT EXISTS (SELECT 1 FROM customer_certificates newer \
       WHERE newer.customer_id = customer_certificates.customer_id \
         AND newer.kind = customer_certificates.kind AND NOT newer.is_deleted \
         AND (newer.expires_on IS NULL \
              OR newer.expires_on > customer_certificates.expires_on \
              OR (newer.expires_on = customer_certificates.expires_on \
                  AND newer.id > customer_certificates.id))))";

/// Expired and expiring certificate counts of each customer (those a later copy replaces
/// not counted: [`NOT_SUPERSEDED`]).
pub fn flags(
    conn: &mut PgConnection,
    customer_ids: &[i64],
    window: CertificateWindow,
) -> AppResult<HashMap<i64, (u32, u32)>> {
    let rows: Vec<(i64, Option<NaiveDate>)> = certificates::table
        .filter(certificates::customer_id.eq_any(customer_ids))
        .filter(certificates::is_deleted.eq(false))
        .filter(certificates::expires_on.le(window.last_flagged_day()))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(NOT_SUPERSEDED))
        .select((certificates::customer_id, certificates::expires_on))
        .load(conn)?;
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    for (customer_id, expires_on) in rows {
        let entry = out.entry(customer_id).or_default();
        match window.status(expires_on) {
            Status::Expired => entry.0 += 1,
            Status::Expiring => entry.1 += 1,
            Status::Valid => {}
        }
    }
    Ok(out)
}

/// An expired or expiring certificate, with its customer's name and sales rep.
pub struct Expiring {
    pub customer_name: String,
    pub sales_rep_id: i64,
    pub certificate: Certificate,
}

/// Expired or expiring certificates of the active customers `reps` covers (a rep's own; a
/// manager's team's) that no later copy replaces ([`NOT_SUPERSEDED`]), soonest first, at
/// most `limit` of them; and whether there are more.
pub fn expiring_within(
    conn: &mut PgConnection,
    reps: &Reps,
    window: CertificateWindow,
    limit: i64,
) -> AppResult<(Vec<Expiring>, bool)> {
    let mut q = certificates::table
        .inner_join(customers::table)
        .filter(customers::is_active.eq(true))
        .filter(certificates::is_deleted.eq(false))
        .filter(certificates::expires_on.le(window.last_flagged_day()))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(NOT_SUPERSEDED))
        .order((certificates::expires_on.asc(), certificates::id.asc()))
        .select((
            customers::name,
            customers::sales_rep_id,
            Certificate::as_select(),
        ))
        .limit(limit + 1)
        .into_boxed();
    if let Reps::Only(ids) = reps {
        q = q.filter(scope::served_by(ids.clone()));
    }
    let rows: Vec<Expiring> = q
        .load::<(String, i64, Certificate)>(conn)?
        .into_iter()
        .map(|(customer_name, sales_rep_id, certificate)| Expiring {
            customer_name,
            sales_rep_id,
            certificate,
        })
        .collect();
    Ok(crate::db::sql::cut_at(rows, limit))
}

/// The customer's live certificates of one of `kinds` (stored codes), latest expiry
/// first (no expiry date counts as latest).
pub fn of_kinds(
    conn: &mut PgConnection,
    customer_id: i64,
    kinds: &[&str],
) -> AppResult<Vec<Certificate>> {
    Ok(certificates::table
        .filter(certificates::customer_id.eq(customer_id))
        .filter(certificates::is_deleted.eq(false))
        .filter(certificates::kind.eq_any(kinds))
        .order(certificates::expires_on.desc().nulls_first())
        .select(Certificate::as_select())
        .load(conn)?)
}
