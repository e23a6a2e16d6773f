//! How values are shown: local times as `YYYY-MM-DD HH:mm`, money with two decimals and
//! thousands separators.

use chrono::{DateTime, Local, Utc};

/// A UTC time in the workstation's zone, `YYYY-MM-DD HH:mm`.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// A protobuf timestamp in local time; empty when unset.
pub fn timestamp(t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
        .map(local_time)
        .unwrap_or_default()
}

/// A decimal amount (as the server sends it, a string such as `-1234567.5`) with
/// thousands separators and at least two decimals: `-1,234,567.50`. Exact: no floats.
pub fn money(amount: &str) -> String {
    let amount = amount.trim();
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = if int.is_empty() { "0" } else { int };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut frac = frac.trim_end_matches('0').to_owned();
    while frac.len() < 2 {
        frac.push('0');
    }
    format!("{sign}{grouped}.{frac}")
}

/// A count with thousands separators: `12,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The business clock as the server last told it (`Me`): how far the server's clock is
/// ahead of this workstation's, and the business time zone's offset from UTC, in seconds.
/// Business dates (ship, payment and invoice dates, statement periods) default from it,
/// never from the workstation's own zone. Before any login: no skew, UTC+8 (Shanghai).
static BUSINESS_CLOCK: std::sync::Mutex<(i64, i32)> = std::sync::Mutex::new((0, 8 * 3600));

/// Takes the business clock from the server's `Me` answer.
pub fn set_business_clock(me: &pharmacrm_shared::pb::CurrentUser) {
    let skew = me
        .server_time
        .as_ref()
        .map_or(0, |t| t.seconds - Utc::now().timestamp());
    *BUSINESS_CLOCK.lock().expect("lock") = (skew, me.business_utc_offset_seconds);
}

/// Today in the company's business time zone (as the server counts it).
pub fn business_today() -> chrono::NaiveDate {
    let (skew, offset) = *BUSINESS_CLOCK.lock().expect("lock");
    (Utc::now() + chrono::Duration::seconds(skew + i64::from(offset))).date_naive()
}

/// [`business_today`] as `YYYY-MM-DD`.
pub fn business_today_text() -> String {
    business_today().format("%Y-%m-%d").to_string()
}

/// The first day of the current month and today (business dates), `YYYY-MM-DD`: the
/// default period of the statement and the reports, month to date (a period that ends
/// after today cannot be reconciled).
pub fn month_to_date() -> (String, String) {
    use chrono::Datelike;
    let today = business_today();
    let first = today.with_day(1).unwrap_or(today);
    let text = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    (text(first), text(today))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_separators_and_two_decimals() {
        assert_eq!(money("0"), "0.00");
        assert_eq!(money("12.3"), "12.30");
        assert_eq!(money("1234567.5"), "1,234,567.50");
        assert_eq!(money("-1000"), "-1,000.00");
        assert_eq!(
            money("999.9999"),
            "999.9999",
            "unit prices keep their four decimals"
        );
        assert_eq!(money("100000.10"), "100,000.10");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(12000), "12,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn times_are_minutes_in_local_time() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let shown = local_time(t);
        assert_eq!(shown.len(), "2023-11-14 22:13".len());
        assert_eq!(
            shown,
            t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
        );
    }
}
