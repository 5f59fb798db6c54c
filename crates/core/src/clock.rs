//! Local time in the Netherlands (Europe/Amsterdam) without a timezone database.
//!
//! Dutch exports write local wall-clock times without an offset. Since 1996 the EU rule holds:
//! summer time (UTC+2) from the last Sunday of March 01:00 UTC to the last Sunday of October
//! 01:00 UTC, otherwise UTC+1. That rule is all we need, so we do not pull in a tz database.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1).expect("valid") - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// Offset of Amsterdam time from UTC, in hours, at a UTC instant.
pub fn amsterdam_offset_hours_at_utc(t: NaiveDateTime) -> i64 {
    let y = t.year();
    let start = last_sunday(y, 3).and_hms_opt(1, 0, 0).expect("valid");
    let end = last_sunday(y, 10).and_hms_opt(1, 0, 0).expect("valid");
    if t >= start && t < end { 2 } else { 1 }
}

/// Converts an Amsterdam wall-clock time to UTC. In the repeated autumn hour the first (summer
/// time) reading is taken; a time in the skipped spring hour is read as winter time.
pub fn amsterdam_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let summer = local - Duration::hours(2);
    let off = if amsterdam_offset_hours_at_utc(summer) == 2 {
        2
    } else {
        1
    };
    Utc.from_utc_datetime(&(local - Duration::hours(off)))
}

/// Converts a UTC instant to Amsterdam wall-clock time.
pub fn utc_to_amsterdam(t: DateTime<Utc>) -> NaiveDateTime {
    let n = t.naive_utc();
    n + Duration::hours(amsterdam_offset_hours_at_utc(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn winter_and_summer_offsets() {
        assert_eq!(
            amsterdam_to_utc(dt(2025, 1, 15, 9)).naive_utc(),
            dt(2025, 1, 15, 8)
        );
        assert_eq!(
            amsterdam_to_utc(dt(2025, 6, 15, 9)).naive_utc(),
            dt(2025, 6, 15, 7)
        );
        // 2025: summer time from 30 March to 26 October.
        assert_eq!(
            amsterdam_to_utc(dt(2025, 3, 30, 1)).naive_utc(),
            dt(2025, 3, 30, 0)
        );
        assert_eq!(
            amsterdam_to_utc(dt(2025, 3, 30, 4)).naive_utc(),
            dt(2025, 3, 30, 2)
        );
        assert_eq!(
            amsterdam_to_utc(dt(2025, 10, 26, 4)).naive_utc(),
            dt(2025, 10, 26, 3)
        );
    }

    #[test]
    fn round_trip() {
        for h in [0, 5, 9, 13, 23] {
            for (m, d) in [
                (1, 10),
                (3, 29),
                (3, 31),
                (7, 1),
                (10, 25),
                (10, 27),
                (12, 31),
            ] {
                let l = dt(2024, m, d, h);
                assert_eq!(utc_to_amsterdam(amsterdam_to_utc(l)), l, "{l}");
            }
        }
    }
}
