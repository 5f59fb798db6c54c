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
    t.naive_utc() + Duration::microseconds(amsterdam_offset_micros(t.timestamp_micros()))
}

/// Microseconds in a day.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// Microseconds in an hour.
const HOUR_MICROS: i64 = 3_600_000_000;

/// The years whose summer time [`amsterdam_offset_micros`] looks up in a table (others are
/// worked out as [`amsterdam_offset_hours_at_utc`] does).
const TABLE_YEARS: std::ops::Range<i32> = 1900..2200;

/// The UTC instants (microseconds) at which Amsterdam summer time begins (even positions) and
/// ends (odd positions), in order, for [`TABLE_YEARS`].
static TRANSITIONS: std::sync::LazyLock<Vec<i64>> = std::sync::LazyLock::new(|| {
    let at = |d: NaiveDate| {
        d.and_hms_opt(1, 0, 0)
            .expect("valid")
            .and_utc()
            .timestamp_micros()
    };
    TABLE_YEARS
        .flat_map(|y| [at(last_sunday(y, 3)), at(last_sunday(y, 10))])
        .collect()
});

/// Offset of Amsterdam time from UTC at the UTC instant `ts` (microseconds), in microseconds:
/// the same as [`amsterdam_offset_hours_at_utc`], by a binary search of the year's changes
/// instead of working out the last Sundays of March and October for every instant.
pub fn amsterdam_offset_micros(ts: i64) -> i64 {
    thread_local! {
        /// The last stretch looked up, `[from, to)` and its offset: a pupil's events come in
        /// time order, so most lookups fall in the stretch of the one before.
        static LAST: std::cell::Cell<(i64, i64, i64)> = const { std::cell::Cell::new((0, 0, 0)) };
    }
    let (from, to, offset) = LAST.get();
    if from <= ts && ts < to {
        return offset;
    }
    let t = &*TRANSITIONS;
    if ts < t[0] || ts >= t[t.len() - 1] {
        let hours = DateTime::from_timestamp_micros(ts)
            .map_or(1, |d| amsterdam_offset_hours_at_utc(d.naive_utc()));
        return hours * HOUR_MICROS;
    }
    // Changes at or before `ts`: an odd number means summer time has begun and not ended.
    let k = t.partition_point(|&c| c <= ts);
    let offset = if k % 2 == 1 {
        2 * HOUR_MICROS
    } else {
        HOUR_MICROS
    };
    LAST.set((t[k - 1], t[k], offset));
    offset
}

/// The Amsterdam local day (days since 1970-01-01) and hour of the UTC instant `ts`
/// (microseconds), and whether it is local midnight exactly; for indicators that look at the
/// local day and hour of many events, without a date-time per event.
pub fn amsterdam_day_hour(ts: i64) -> (i32, u32, bool) {
    let local = ts + amsterdam_offset_micros(ts);
    let (day, within) = (local.div_euclid(DAY_MICROS), local.rem_euclid(DAY_MICROS));
    (day as i32, (within / HOUR_MICROS) as u32, within == 0)
}

/// The date of day `day` counted from 1970-01-01 (as [`amsterdam_day_hour`] gives it).
pub fn date_of_day(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + 719_163).expect("a day within chrono's range")
}

/// Monday = 0 ... Sunday = 6 of day `day` counted from 1970-01-01 (a Thursday).
pub fn weekday_of_day(day: i32) -> u32 {
    (day + 3).rem_euclid(7) as u32
}

/// The week, Monday to Sunday, of day `day` counted from 1970-01-01, as a number: two days have
/// the same number exactly when they are in the same ISO week (week 0 began on Monday
/// 1969-12-29). Its Monday is day `7 * week - 3`.
pub fn week_of_day(day: i32) -> i32 {
    (day + 3).div_euclid(7)
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

    /// The table lookup gives what working out the last Sundays gives, at and around every
    /// change from 1990 to 2060, and outside the table's years.
    #[test]
    fn the_offset_table_agrees_with_the_rule() {
        let hour = 3_600_000_000i64;
        let mut instants = vec![i64::MIN / 2, -5_000_000_000_000_000, 8_000_000_000_000_000];
        for y in 1990..2060 {
            for m in [3, 10] {
                let c = last_sunday(y, m).and_hms_opt(1, 0, 0).unwrap().and_utc();
                let c = c.timestamp_micros();
                instants.extend([c - hour, c - 1, c, c + 1, c + hour]);
            }
        }
        for ts in instants {
            let rule = DateTime::from_timestamp_micros(ts)
                .map_or(1, |d| amsterdam_offset_hours_at_utc(d.naive_utc()));
            assert_eq!(amsterdam_offset_micros(ts), rule * hour, "{ts}");
        }
        // 2025-03-30 00:59:59 UTC is 01:59:59 winter time; 01:00 UTC is 03:00 summer time.
        let t = dt(2025, 3, 30, 1).and_utc().timestamp_micros();
        assert_eq!(amsterdam_day_hour(t - 1), (20177, 1, false));
        assert_eq!(amsterdam_day_hour(t), (20177, 3, false));
        assert_eq!(
            date_of_day(20177),
            NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
        );
        assert_eq!(weekday_of_day(20177), 6);
        // 23:00 UTC in January is local midnight.
        assert!(amsterdam_day_hour(dt(2025, 1, 14, 23).and_utc().timestamp_micros()).2);
    }

    #[test]
    fn days_share_a_week_number_exactly_when_they_share_an_iso_week() {
        use chrono::Datelike;
        for day in -800..800 {
            for other in day - 8..day + 8 {
                let iso = |d: i32| {
                    let w = date_of_day(d).iso_week();
                    (w.year(), w.week())
                };
                assert_eq!(
                    week_of_day(day) == week_of_day(other),
                    iso(day) == iso(other)
                );
            }
            assert_eq!(weekday_of_day(7 * week_of_day(day) - 3), 0, "day {day}");
        }
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
