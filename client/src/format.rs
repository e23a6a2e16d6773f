//! How values are shown: times as `YYYY-MM-DD HH:mm` in the company's business time zone,
//! money with two decimals and thousands separators, people by their names.

use chrono::{DateTime, FixedOffset, Utc};
use pharmacrm_shared::pb;

/// A person as a list names them (a rep, a handler): their display name, empty for none;
/// one who left (a disabled account) is said so, "赵营销（已停用）", since the records they
/// took part in keep them.
pub fn person(user: Option<&pb::UserRef>) -> String {
    user.map_or_else(String::new, |u| person_named(&u.name, u.inactive))
}

/// A person by `name`, "（已停用）" after it when `inactive` (a disabled account): as
/// [`person`], for a record that names them without a [`pb::UserRef`] (a statement's
/// handler).
pub fn person_named(name: &str, inactive: bool) -> String {
    if inactive && !name.is_empty() {
        crate::i18n::bracketed(name, crate::i18n::t("common.person_disabled"))
    } else {
        name.to_owned()
    }
}

/// A UTC time in the company's business time zone (as the server last told it; see
/// [`set_business_clock`]), `YYYY-MM-DD HH:mm`: the zone of every business date and of
/// the reports' run times, whatever the workstation's own zone.
pub fn business_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&business_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A time typed as `2026-12-01 14:30` (or with `/` or `.`) in the business time zone, as
/// an instant; `None` when it does not read as one.
pub fn parse_business_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim().replace(['/', '.'], "-");
    let naive = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M").ok()?;
    Some(naive.and_local_timezone(business_zone()).single()?.to_utc())
}

/// Why `text` does not read as a time ([`parse_business_time`]), as the i18n key of the
/// words to say: a day or hour that does not exist when it is written as one
/// ("2026-13-01 10:00", "2026-02-30 25:00"), else the form to type it in.
pub fn unread_time(text: &str) -> &'static str {
    let text = text.trim().replace(['/', '.'], "-");
    let numbers = |part: &str, sep: char, n: usize| {
        let parts: Vec<&str> = part.split(sep).collect();
        parts.len() == n
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let shaped = match text.split_whitespace().collect::<Vec<_>>()[..] {
        [date, time] => numbers(date, '-', 3) && numbers(time, ':', 2),
        _ => false,
    };
    if shaped {
        "orders.no_such_time"
    } else {
        "orders.bad_time"
    }
}

/// The instant a business day starts (midnight in the business time zone); `None` for
/// a date out of chrono's range.
pub fn business_day_start(date: chrono::NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    Some(
        midnight
            .and_local_timezone(business_zone())
            .single()?
            .to_utc(),
    )
}

/// The business time zone's offset as people read it: `UTC+08:00`.
pub fn business_zone_name() -> String {
    format!("UTC{}", business_zone())
}

/// The business time zone, as a fixed offset from UTC (the server's, at the last login).
fn business_zone() -> FixedOffset {
    let (_, offset) = *BUSINESS_CLOCK.lock().expect("lock");
    FixedOffset::east_opt(offset).unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
}

/// Who changed or recorded something, as the server names them (a display name; empty
/// for the system itself: seeding, migrations): the name, or 系统 / System.
pub fn who(name: &str) -> &str {
    if name.is_empty() {
        crate::i18n::t("common.system")
    } else {
        name
    }
}

/// Who did something and when: "周财务 2026-12-04 09:22" ([`who`], [`timestamp`]).
pub fn by_at(name: &str, at: Option<&prost_types::Timestamp>) -> String {
    format!("{} {}", who(name), timestamp(at))
}

/// A protobuf timestamp as [`business_time`]; empty when unset.
pub fn timestamp(t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
        .map(business_time)
        .unwrap_or_default()
}

/// A decimal amount (as the server sends it, a string such as `-1234567.5`) as amounts
/// are shown: `-1,234,567.50` ([`pharmacrm_shared::money::display`]).
pub fn money(amount: &str) -> String {
    pharmacrm_shared::money::display(amount)
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
/// today or later cannot be reconciled).
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
        // Not an amount: as it is ("—" for none), not "—.00".
        assert_eq!(money("—"), "—");
    }

    #[test]
    fn a_person_who_left_is_said_so_in_the_ui_language() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let rep = |inactive| pb::UserRef {
            id: 7,
            name: "赵营销".into(),
            department: String::new(),
            inactive,
        };
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        assert_eq!(person(Some(&rep(false))), "赵营销");
        assert_eq!(person(Some(&rep(true))), "赵营销（已停用）");
        assert_eq!(person(None), "");
        crate::i18n::set_lang(crate::i18n::Lang::En);
        assert_eq!(person(Some(&rep(true))), "赵营销 (disabled)");
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(12000), "12,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn times_are_shown_and_read_in_the_business_time_zone_not_the_workstations() {
        // Before any login the business zone is Shanghai's, UTC+8, whatever TZ says.
        let t = DateTime::from_timestamp(1_699_999_980, 0).expect("time"); // 22:13 UTC
        assert_eq!(business_time(t), "2023-11-15 06:13");
        assert_eq!(business_zone_name(), "UTC+08:00");
        assert_eq!(parse_business_time("2023/11/15 06:13"), Some(t));
        assert_eq!(parse_business_time("2023-11-15"), None);
        use crate::i18n::Lang;
        for (typed, said) in [
            ("2026-13-01 10:00", "日历上没有这一天或这个时刻"),
            ("2026/02/30 09:30", "日历上没有这一天或这个时刻"),
            ("2026-12-01 25:00", "日历上没有这一天或这个时刻"),
            ("2026-12-01", "请按“2026-12-01 14:30”的格式填写"),
            ("昨天下午", "请按“2026-12-01 14:30”的格式填写"),
        ] {
            assert_eq!(
                crate::i18n::t_in(Lang::Zh, unread_time(typed)),
                said,
                "{typed}"
            );
        }
    }
}
