//! The business clock: the current instant and the company's business time zone.
//!
//! Every business date — a certificate's expiry flag, a follow-up's due date, an overdue
//! shipment, ageing, report periods — is the date *in the business time zone* (a setting,
//! default `Asia/Shanghai`), never the machine's local date: a server whose `TZ` is UTC
//! still turns the day at midnight in Shanghai. Tests (and training set-ups) pin the clock
//! to a chosen instant.

use std::sync::RwLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The default business time zone (spec §4, "dated in the business time zone").
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// The instant and the zone business dates are taken in.
#[derive(Debug)]
pub struct Clock {
    zone: Tz,
    pinned: RwLock<Option<DateTime<Utc>>>,
}

impl Clock {
    /// The system clock, with business dates in `zone`.
    pub fn new(zone: Tz) -> Clock {
        Clock {
            zone,
            pinned: RwLock::new(None),
        }
    }

    /// The business time zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Now (UTC): the pinned instant, else the system time.
    pub fn now(&self) -> DateTime<Utc> {
        self.pinned().unwrap_or_else(Utc::now)
    }

    /// The business time zone's offset from UTC now, in seconds (28800 in Shanghai).
    pub fn utc_offset_seconds(&self) -> i32 {
        use chrono::Offset;
        self.now()
            .with_timezone(&self.zone)
            .offset()
            .fix()
            .local_minus_utc()
    }

    /// Today in the business time zone.
    pub fn today(&self) -> NaiveDate {
        self.date_of(self.now())
    }

    /// The business date of an instant.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// The instant a business date starts (midnight in the business time zone), for
    /// period boundaries: `[start_of(from), start_of(to + 1))`.
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        // Zones without DST at midnight (all of China's) have exactly one midnight; take
        // the earliest where a zone has two.
        self.zone
            .from_local_datetime(&midnight)
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// Stops the clock at `at` (tests, demos); [`Clock::unpin`] lets it run again.
    pub fn pin(&self, at: DateTime<Utc>) {
        if let Ok(mut pinned) = self.pinned.write() {
            *pinned = Some(at);
        }
    }

    /// The pinned instant, if the clock is pinned.
    pub fn pinned(&self) -> Option<DateTime<Utc>> {
        self.pinned.read().map(|p| *p).unwrap_or_default()
    }

    /// Back to the system time.
    pub fn unpin(&self) {
        if let Ok(mut pinned) = self.pinned.write() {
            *pinned = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_day_turns_at_midnight_in_shanghai() {
        let clock = Clock::new(DEFAULT_TIME_ZONE);
        // 2026-11-30 16:30 UTC is 2026-12-01 00:30 in Shanghai.
        clock.pin(Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        clock.pin(Utc.with_ymd_and_hms(2026, 11, 30, 15, 59, 59).unwrap());
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            clock.start_of(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap()
        );
    }
}
