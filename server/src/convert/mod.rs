//! Proto ↔ domain conversions, one module per service. Requests are destructured field
//! by field, so a new proto field breaks the build until it is handled; bad fields become
//! INVALID_ARGUMENT naming the field. This module holds what they share: times, pages,
//! ids, dates, and the mapping of proto enums to the codes stored in the database.

pub mod admin;
pub mod audit;
pub mod customers;
pub mod drugs;
pub mod finance;
pub mod orders;
pub mod reports;

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
pub use pharmacrm_shared::DbCode;
use pharmacrm_shared::{pb, region};
use prost_types::Timestamp;

use crate::db::sql::{Cursor, PageStart};
use crate::error::{AppError, AppResult, FieldCheck, Msg};
use crate::msg;

/// An edit of an existing record: which one, the version the client read, and the new
/// fields.
#[derive(Debug, Clone)]
pub struct Update<T> {
    /// The record.
    pub id: i64,
    /// The version the client read ([`crate::db::versioned`]).
    pub version: i32,
    /// The new fields, validated.
    pub input: T,
}

/// An edit of record `record_id` read at `version`, its new fields checked by `input`
/// into the same [`FieldCheck`] (`None` when a part was recorded bad): a bad id refuses
/// at once (the record the request is about, as [`id`]); a version that cannot be one
/// ([`read_version`]) is named together with the bad fields.
pub fn update<T>(
    record_id: i64,
    version: i32,
    input: impl FnOnce(&mut FieldCheck) -> AppResult<Option<T>>,
) -> AppResult<Update<T>> {
    let id = id("id", record_id)?;
    let mut check = FieldCheck::default();
    read_version("version", version, &mut check);
    let input = input(&mut check)?;
    check.finish()?;
    let input = input.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "an edit's fields are missing though none is bad"
        ))
    })?;
    Ok(Update { id, version, input })
}

/// The version the client read of the record it edits, recorded bad on `field` with the
/// request's other complaints when it cannot be one: 0 (left out) "is required", below 0
/// "is not a version" (versions start at 1). Whether it is still the record's is
/// [`crate::db::versioned::check_fresh`]'s question, inside the transaction.
pub fn read_version(field: &'static str, version: i32, check: &mut FieldCheck) {
    match version {
        1.. => {}
        0 => {
            check.fail(field, msg!("field.required"));
        }
        _ => {
            check.fail(field, msg!("field.not_a_version"));
        }
    }
}

/// The value of a proto enum filter: [`DbCode`] with the check of a search filter.
pub trait FilterCode: DbCode {
    /// The code a search filter asks for: `None` for unspecified (0, any value). A number
    /// the enum does not have (a newer client's, or a typo in an API call) is recorded in
    /// `check` as bad, naming `field` (`field.unknown_value`), rather than read as "any".
    fn filter_code(
        field: impl Into<std::borrow::Cow<'static, str>>,
        value: i32,
        check: &mut FieldCheck,
    ) -> Option<&'static str> {
        let code = Self::code_of(value);
        if value != 0 && code.is_none() {
            check.fail(field, msg!("field.unknown_value"));
        }
        code
    }
}

impl<T: DbCode> FilterCode for T {}

/// The value of a proto enum field that has no stored code (a sort, a grouping, a
/// report's interval): 0 is the enum's default. A number the enum does not have is
/// recorded in `check` as bad, naming `field` (`field.unknown_value`), rather than read as
/// the default (which is returned meanwhile).
pub fn known<E: TryFrom<i32> + Default>(
    field: &'static str,
    value: i32,
    check: &mut FieldCheck,
) -> E {
    E::try_from(value).unwrap_or_else(|_| {
        check.fail(field, msg!("field.unknown_value"));
        E::default()
    })
}

/// Default and maximum page sizes.
const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

/// A UTC time as a protobuf timestamp.
pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// A protobuf timestamp as a UTC time.
pub fn from_timestamp(field: &'static str, t: Timestamp) -> AppResult<DateTime<Utc>> {
    u32::try_from(t.nanos)
        .ok()
        .and_then(|nanos| DateTime::from_timestamp(t.seconds, nanos))
        .ok_or_else(|| AppError::field(field, msg!("field.invalid_time")))
}

/// (offset, limit) of a page request.
pub fn page(page: Option<pb::PageRequest>) -> (i64, i64) {
    let pb::PageRequest { offset, limit } = page.unwrap_or_default();
    let limit = match limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    (i64::from(offset), i64::from(limit))
}

/// A count on the wire (u32, saturating).
pub fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Where a page starts: after the cursor `after` (a `next_page` we sent), else at `offset`.
pub fn page_start(after: &str, offset: i64) -> AppResult<PageStart> {
    if after.is_empty() {
        return Ok(PageStart::Offset(offset));
    }
    Cursor::decode(after)
        .map(PageStart::After)
        .ok_or_else(|| AppError::field("after", crate::msg!("field.not_a_page")))
}

/// Why `value` is not an id: 0 (a field left out) is `field.required`, a negative number
/// `field.not_an_id`; `None` for a positive id.
fn id_refusal(value: i64) -> Option<Msg> {
    match value {
        1.. => None,
        0 => Some(msg!("field.required")),
        _ => Some(msg!("field.not_an_id")),
    }
}

/// An id that must be positive ([`id_refusal`] says why not).
pub fn id(field: &'static str, value: i64) -> AppResult<i64> {
    match id_refusal(value) {
        None => Ok(value),
        Some(why) => Err(AppError::field(field, why)),
    }
}

/// An id that must be positive; one that is not is recorded in `check` as bad on `field`
/// ([`id_refusal`] says why). `None` exactly when recorded. ([`id`] refuses at once
/// instead: for the record a request is about.)
pub fn required_id(
    field: impl Into<Cow<'static, str>>,
    value: i64,
    check: &mut FieldCheck,
) -> Option<i64> {
    chosen_id(field, value, msg!("field.required"), check)
}

/// Each order named once in a list of (order id, amount) — a payment's allocations, an
/// invoice's orders, `list` the field's name: a second line for an order already listed
/// is recorded in `check` on its `order_id` (two lines were silently added together).
pub fn orders_listed_once(list: &str, order_ids: &[i64], check: &mut FieldCheck) {
    let mut seen = std::collections::HashSet::new();
    for (i, &id) in order_ids.iter().enumerate() {
        if id > 0 && !seen.insert(id) {
            check.fail(
                format!("{list}[{i}].order_id"),
                msg!("field.order_listed_twice"),
            );
        }
    }
}

/// A [`required_id`] picked from a list, whose absence `missing` says in the form's words
/// ("choose a customer type"); a negative id is `field.not_an_id` still.
pub fn chosen_id(
    field: impl Into<Cow<'static, str>>,
    value: i64,
    missing: Msg,
    check: &mut FieldCheck,
) -> Option<i64> {
    match value {
        1.. => return Some(value),
        0 => check.fail(field, missing),
        _ => check.fail(field, msg!("field.not_an_id")),
    };
    None
}

/// An optional id (a proto `optional int64`): unset is `None`; a given one must be
/// positive, else it is recorded in `check` as bad on `field` (`field.not_an_id`, 0
/// included: it was given, so it is not missing).
pub fn optional_id(
    field: impl Into<Cow<'static, str>>,
    value: Option<i64>,
    check: &mut FieldCheck,
) -> Option<i64> {
    let value = value?;
    if value > 0 {
        Some(value)
    } else {
        check.fail(field, msg!("field.not_an_id"));
        None
    }
}

/// An id a request may leave out as 0 (a plain `int64`): `None` for 0, the id when
/// positive; a negative one is recorded in `check` as bad on `field` (`field.not_an_id`)
/// rather than read as left out.
pub fn id_or_none(
    field: impl Into<Cow<'static, str>>,
    value: i64,
    check: &mut FieldCheck,
) -> Option<i64> {
    if value < 0 {
        check.fail(field, msg!("field.not_an_id"));
    }
    (value > 0).then_some(value)
}

/// A region filter: a province code and a city code (GB/T 2260; each empty: any),
/// trimmed. A province that does not exist is recorded in `check` as bad on
/// `province_code`, a city that does not exist (or is not in the province given) on
/// `city_code`.
pub fn region_filter(province: &str, city: &str, check: &mut FieldCheck) -> (String, String) {
    let (province, city) = (province.trim(), city.trim());
    if !province.is_empty() && region::province(province).is_none() {
        check.fail("province_code", msg!("field.unknown_province"));
    } else if !city.is_empty() {
        let in_province =
            city.len() > 2 && city.starts_with(province) && region::name_of(city).is_some();
        if !in_province {
            check.fail("city_code", msg!("field.unknown_city"));
        }
    }
    (province.to_owned(), city.to_owned())
}

/// An optional `YYYY-MM-DD` date, year 1 to 9999 (what PostgreSQL stores and people
/// write); a malformed or out-of-range one is recorded in `check` as bad on `field`
/// (`field.invalid_date`). `None` when empty or recorded. Full-width digits and hyphens
/// (`２０２６－１２－０１`, a Chinese input method's) read as their ASCII selves.
pub fn date(
    field: impl Into<Cow<'static, str>>,
    text: &str,
    check: &mut FieldCheck,
) -> Option<NaiveDate> {
    let text = pharmacrm_shared::validation::half_width(text);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) if (1..=9999).contains(&d.year()) => Some(d),
        _ => {
            // Written as a date, but not one (2026-02-30, 2026-13-01): said as such, not
            // as a format to follow.
            let parts: Vec<&str> = text.split('-').collect();
            let shaped = parts.len() == 3
                && parts.iter().zip([4..=4, 1..=2, 1..=2]).all(|(p, len)| {
                    len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
                });
            if shaped {
                check.fail(field, msg!("field.no_such_date", date = text.to_owned()));
            } else {
                check.fail(field, msg!("field.invalid_date"));
            }
            None
        }
    }
}

/// A filter's optional date range, both ends included: (`from`, `to`), each `None` when
/// left empty. An end that is not a date is refused on its field; `to` before `from` on
/// `to_field` ("is before {from}, the start of the range"), so a reversed range is not
/// read as "nothing matches".
pub fn date_range(
    (from_field, from): (&'static str, &str),
    (to_field, to): (&'static str, &str),
    check: &mut FieldCheck,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let from = date(from_field, from, check);
    let to = date(to_field, to, check);
    if let (Some(f), Some(t)) = (from, to) {
        in_order(f, (to_field, t), check);
    }
    (from, to)
}

/// Whether `to` is not before `from`; if it is, records so on `to_field`, naming `from`.
fn in_order(
    from: NaiveDate,
    (to_field, to): (&'static str, NaiveDate),
    check: &mut FieldCheck,
) -> bool {
    if to < from {
        check.fail(
            to_field,
            msg!("field.range_reversed", date = from.format("%Y-%m-%d")),
        );
        return false;
    }
    true
}

/// A required `YYYY-MM-DD` date ([`date`]); a missing one is recorded in `check` as bad
/// on `field` (`field.required`). `None` exactly when something was recorded.
pub fn required_date(
    field: impl Into<Cow<'static, str>>,
    text: &str,
    check: &mut FieldCheck,
) -> Option<NaiveDate> {
    let field = field.into();
    if text.trim().is_empty() {
        check.fail(field, msg!("field.required"));
        return None;
    }
    date(field, text, check)
}

/// Records `date` (of `field`) as bad when it is after `today`, the business day: a
/// document's or a record's date that has not come yet (`field.after_today`), said with the
/// request's other bad fields.
pub fn not_after_today(
    field: &'static str,
    date: Option<NaiveDate>,
    today: NaiveDate,
    check: &mut FieldCheck,
) {
    if date.is_some_and(|d| d > today) {
        check.fail(field, crate::messages::after_today(today));
    }
}

/// The earliest date a business document (a payment, an invoice) may carry: none of the
/// company's is older, so an earlier one (0001-01-01, 1926 for 2026) is a typing slip
/// that would date money before every order it pays.
pub const EARLIEST_DOCUMENT_DATE: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();

/// Records `date` (of a document's `field`) as bad when it is before
/// [`EARLIEST_DOCUMENT_DATE`] (`field.before_records`), said with the request's other bad
/// fields.
pub fn not_before_records(field: &'static str, date: Option<NaiveDate>, check: &mut FieldCheck) {
    if date.is_some_and(|d| d < EARLIEST_DOCUMENT_DATE) {
        check.fail(
            field,
            msg!(
                "field.before_records",
                date = EARLIEST_DOCUMENT_DATE.format("%Y-%m-%d")
            ),
        );
    }
}

/// A required period of business dates, `date_from` to `date_to` inclusive: each end is
/// required, and an end before its start is recorded on `date_to` as in a filter's
/// [`date_range`]. `None` exactly when something was recorded.
pub fn period(
    date_from: &str,
    date_to: &str,
    check: &mut FieldCheck,
) -> Option<(NaiveDate, NaiveDate)> {
    let from = required_date("date_from", date_from, check);
    let to = required_date("date_to", date_to, check);
    let (from, to) = (from?, to?);
    in_order(from, ("date_to", to), check).then_some((from, to))
}

pub fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
