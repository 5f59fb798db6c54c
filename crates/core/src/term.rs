//! School years and test moments.
//!
//! A Dutch school year runs from 1 August to 31 July and is written `2024-2025`. A Dutch LVS test
//! moment is `M` (midden, January-February) or `E` (eind, May-June) with the grade, as in `M4` /
//! `E4`; some schools also test at `B` (begin). NWEA MAP names its windows `Fall 2013-2014`,
//! `Winter ...`, `Spring ...`. A date-based window is simply a pair of dates.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Pairs of test moments within one school year that form a growth window, with the window's
/// name: Dutch mid-year to end of year, and NWEA's fall, winter and spring.
pub const WITHIN_YEAR_WINDOWS: [(&str, &str, &str); 4] = [
    ("M", "E", "M-E"),
    ("Fall", "Winter", "F-W"),
    ("Fall", "Spring", "F-S"),
    ("Winter", "Spring", "W-S"),
];

/// Test moments that recur once a year and so form year-on-year windows, with the window's name:
/// Dutch end-of-year tests (`E-E`), annual tests without a moment (`Y-Y`), and NWEA's seasons
/// (`F-F`, `W-W`, `S-S`).
pub const YEARLY_WINDOWS: [(&str, &str); 5] = [
    ("E", "E-E"),
    ("Y", "Y-Y"),
    ("Fall", "F-F"),
    ("Winter", "W-W"),
    ("Spring", "S-S"),
];

/// The year-on-year window a test moment starts, if it recurs once a year.
pub fn yearly_window(term: &str) -> Option<&'static str> {
    YEARLY_WINDOWS
        .iter()
        .find(|(t, _)| *t == term)
        .map(|(_, w)| *w)
}

/// Whether `w` names a growth window, and if so whether it spans two school years.
pub fn window_is_yearly(w: &str) -> Option<bool> {
    if YEARLY_WINDOWS.iter().any(|(_, y)| *y == w) {
        Some(true)
    } else if WITHIN_YEAR_WINDOWS.iter().any(|(_, _, y)| *y == w) {
        Some(false)
    } else {
        None
    }
}

/// Every growth window name, within-year ones first.
pub fn window_names() -> Vec<&'static str> {
    WITHIN_YEAR_WINDOWS
        .iter()
        .map(|(_, _, w)| *w)
        .chain(YEARLY_WINDOWS.iter().map(|(_, w)| *w))
        .collect()
}

/// A school year, identified by the calendar year in which it starts (2024 for `2024-2025`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchoolYear(pub i32);

impl SchoolYear {
    /// The school year a date falls in (years start on 1 August).
    pub fn of_date(d: NaiveDate) -> SchoolYear {
        if d.month() >= 8 {
            SchoolYear(d.year())
        } else {
            SchoolYear(d.year() - 1)
        }
    }

    /// First day (1 August).
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 8, 1).expect("valid date")
    }

    /// Last day (31 July).
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 7, 31).expect("valid date")
    }

    /// The following school year.
    pub fn next(self) -> SchoolYear {
        SchoolYear(self.0 + 1)
    }

    /// The previous school year.
    pub fn prev(self) -> SchoolYear {
        SchoolYear(self.0 - 1)
    }

    /// Parses `2024-2025`, `2024/2025`, `2024_2025`, `2024-25` or `2024` (the start year).
    pub fn parse(s: &str) -> Option<SchoolYear> {
        let s = s.trim();
        let (a, b) = match s.find(['-', '/', '_']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        if a.len() != 4 {
            return None;
        }
        let start: i32 = a.parse().ok()?;
        if let Some(b) = b {
            let end: i32 = b.parse().ok()?;
            let ok = match b.len() {
                4 => end == start + 1,
                2 => end == (start + 1) % 100,
                _ => false,
            };
            if !ok {
                return None;
            }
        }
        Some(SchoolYear(start))
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.0 + 1)
    }
}

impl Serialize for SchoolYear {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for SchoolYear {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SchoolYear::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{s}' is not a school year (expected e.g. '2024-2025')"
            ))
        })
    }
}

/// A test moment within a school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Moment {
    /// Dutch `B` (begin of the school year).
    Begin,
    /// Dutch `M` (midden, mid-year).
    Mid,
    /// Dutch `E` (eind, end of year).
    End,
    /// NWEA Fall window.
    Fall,
    /// NWEA Winter window.
    Winter,
    /// NWEA Spring window.
    Spring,
}

impl Moment {
    /// Canonical code stored in `assessments.term`.
    pub fn code(self) -> &'static str {
        match self {
            Moment::Begin => "B",
            Moment::Mid => "M",
            Moment::End => "E",
            Moment::Fall => "Fall",
            Moment::Winter => "Winter",
            Moment::Spring => "Spring",
        }
    }

    /// Parses a canonical code (`B`, `M`, `E`, `Fall`, `Winter`, `Spring`), case-insensitively.
    pub fn from_code(s: &str) -> Option<Moment> {
        match s.trim().to_ascii_lowercase().as_str() {
            "b" | "begin" => Some(Moment::Begin),
            "m" | "midden" => Some(Moment::Mid),
            "e" | "eind" => Some(Moment::End),
            "fall" => Some(Moment::Fall),
            "winter" => Some(Moment::Winter),
            "spring" => Some(Moment::Spring),
            _ => None,
        }
    }
}

/// A Dutch LVS toetsmoment such as `M4` or `E4`: moment and grade (jaargroep).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LvsMoment {
    /// Begin, mid or end of the year.
    pub moment: Moment,
    /// Jaargroep 1-8.
    pub grade: i32,
}

impl LvsMoment {
    /// Parses `M4`, `E4`, `B3`, `m 4`, `E8`; the grade must be 1-8.
    pub fn parse(s: &str) -> Option<LvsMoment> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let mut chars = s.chars();
        let moment = match chars.next()?.to_ascii_uppercase() {
            'B' => Moment::Begin,
            'M' => Moment::Mid,
            'E' => Moment::End,
            _ => return None,
        };
        let grade: i32 = chars.as_str().parse().ok()?;
        (1..=8)
            .contains(&grade)
            .then_some(LvsMoment { moment, grade })
    }
}

impl fmt::Display for LvsMoment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.moment.code(), self.grade)
    }
}

/// An NWEA MAP term name such as `Fall 2013-2014`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NweaTerm {
    /// Fall, Winter or Spring.
    pub moment: Moment,
    /// School year of the term.
    pub year: SchoolYear,
}

impl NweaTerm {
    /// Parses `Fall 2013-2014`, `Winter 2013-2014`, `Spring 2013-2014`.
    pub fn parse(s: &str) -> Option<NweaTerm> {
        let (season, year) = s.trim().split_once(char::is_whitespace)?;
        let moment = match season.to_ascii_lowercase().as_str() {
            "fall" => Moment::Fall,
            "winter" => Moment::Winter,
            "spring" => Moment::Spring,
            _ => return None,
        };
        Some(NweaTerm {
            moment,
            year: SchoolYear::parse(year)?,
        })
    }
}

impl fmt::Display for NweaTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.moment.code(), self.year)
    }
}

/// The day a term starts, every school year: `{ month = 2, day = 1 }` in a pipeline file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermStart {
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
}

/// The terms of a school year, numbered from 1: each runs from its start to the day before the
/// next one starts; the first starts the school year (1 August), the last ends it (31 July).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Days after 1 August (in a year without 29 February) each term starts; first 0.
    offsets: Vec<i64>,
}

impl Terms {
    /// Terms from their start days, in school-year order; checks that the first is 1 August,
    /// the days exist in every year (no 29 February) and follow each other.
    pub fn new(starts: &[TermStart]) -> std::result::Result<Terms, String> {
        let base = NaiveDate::from_ymd_opt(2021, 8, 1).expect("valid date");
        let mut offsets = Vec::with_capacity(starts.len());
        for s in starts {
            let year = if s.month >= 8 { 2021 } else { 2022 };
            let d = NaiveDate::from_ymd_opt(year, s.month, s.day).ok_or_else(|| {
                format!(
                    "term start {{ month = {}, day = {} }} is not a day of every year",
                    s.month, s.day
                )
            })?;
            offsets.push((d - base).num_days());
        }
        if offsets.first() != Some(&0) {
            return Err(
                "the first term starts the school year: { month = 8, day = 1 }".to_string(),
            );
        }
        if offsets.windows(2).any(|w| w[0] >= w[1]) {
            return Err(
                "term starts must follow each other in school-year order (August to July)"
                    .to_string(),
            );
        }
        Ok(Terms { offsets })
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// Whether there are no terms (never: [`Terms::new`] requires the first).
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// First day of term `term` (1-based) of `year`.
    fn start_day(&self, year: SchoolYear, term: usize) -> NaiveDate {
        let off = self.offsets[term - 1];
        // Offsets count in a year without 29 February; past it, a leap year adds a day.
        let d = year.start() + chrono::Duration::days(off);
        let leap_day = NaiveDate::from_ymd_opt(year.0 + 1, 2, 29);
        let base_feb28 = 212; // 28 February is day 211 after 1 August; 1 March is 212.
        match leap_day {
            Some(_) if off >= base_feb28 => d + chrono::Duration::days(1),
            _ => d,
        }
    }

    /// (first, last) day of term `term` (1-based) of `year`.
    pub fn bounds(&self, year: SchoolYear, term: usize) -> (NaiveDate, NaiveDate) {
        let first = self.start_day(year, term);
        let last = if term == self.offsets.len() {
            year.end()
        } else {
            self.start_day(year, term + 1) - chrono::Duration::days(1)
        };
        (first, last)
    }

    /// The term (1-based) that `d` falls in, within its school year.
    pub fn of_date(&self, d: NaiveDate) -> usize {
        let year = SchoolYear::of_date(d);
        (1..=self.offsets.len())
            .rev()
            .find(|&t| self.start_day(year, t) <= d)
            .unwrap_or(1)
    }
}

impl Default for Terms {
    /// Two halves split at 1 February: the run-up to the middle (M) and to the end (E) test
    /// moments of the Dutch LVS.
    fn default() -> Self {
        Terms {
            offsets: vec![0, 184],
        }
    }
}

/// A date-based window: every test taken between two dates inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateWindow {
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day of the window.
    pub to: NaiveDate,
}

impl DateWindow {
    /// Whether `d` lies within the window.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Days since 1970-01-01 of a date: Arrow's Date32 representation.
pub fn date32(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days() as i32
}

/// The date of an Arrow Date32 value.
pub fn from_date32(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date") + chrono::Duration::days(days as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_years_parse_in_common_spellings() {
        for s in ["2024-2025", "2024/2025", "2024_2025", "2024-25", "2024"] {
            assert_eq!(SchoolYear::parse(s), Some(SchoolYear(2024)), "{s}");
        }
        for s in ["2024-2026", "24-25", "abcd-efgh", "", "2024-2"] {
            assert_eq!(SchoolYear::parse(s), None, "{s}");
        }
        assert_eq!(SchoolYear(2024).to_string(), "2024-2025");
    }

    #[test]
    fn school_year_starts_on_first_of_august() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(SchoolYear::of_date(d(2024, 7, 31)), SchoolYear(2023));
        assert_eq!(SchoolYear::of_date(d(2024, 8, 1)), SchoolYear(2024));
        assert_eq!(SchoolYear::of_date(d(2025, 6, 15)), SchoolYear(2024));
    }

    #[test]
    fn lvs_moments() {
        let m = LvsMoment::parse("M4").unwrap();
        assert_eq!((m.moment, m.grade), (Moment::Mid, 4));
        assert_eq!(LvsMoment::parse("e 8").unwrap().to_string(), "E8");
        assert!(LvsMoment::parse("M9").is_none());
        assert!(LvsMoment::parse("X4").is_none());
        assert!(LvsMoment::parse("").is_none());
    }

    #[test]
    fn nwea_terms() {
        let t = NweaTerm::parse("Fall 2013-2014").unwrap();
        assert_eq!((t.moment, t.year), (Moment::Fall, SchoolYear(2013)));
        assert_eq!(t.to_string(), "Fall 2013-2014");
        assert!(NweaTerm::parse("Autumn 2013-2014").is_none());
    }

    #[test]
    fn date32_round_trips() {
        let d = NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
        assert_eq!(date32(d), 19_936);
        assert_eq!(from_date32(19_936), d);
        assert_eq!(date32(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()), 0);
    }

    #[test]
    fn terms_split_the_school_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let halves = Terms::default();
        let start = |month, day| TermStart { month, day };
        assert_eq!(halves, Terms::new(&[start(8, 1), start(2, 1)]).unwrap());
        assert_eq!(halves.of_date(d(2025, 1, 31)), 1);
        assert_eq!(halves.of_date(d(2025, 2, 1)), 2);
        assert_eq!(halves.of_date(d(2024, 8, 1)), 1);
        assert_eq!(halves.of_date(d(2025, 7, 31)), 2);
        assert_eq!(
            halves.bounds(SchoolYear(2024), 1),
            (d(2024, 8, 1), d(2025, 1, 31))
        );
        assert_eq!(
            halves.bounds(SchoolYear(2024), 2),
            (d(2025, 2, 1), d(2025, 7, 31))
        );
        // Trimesters with a start after 29 February, in a leap and a common year.
        let tri = Terms::new(&[start(8, 1), start(12, 1), start(3, 15)]).unwrap();
        for y in [2023, 2024] {
            let (a, b) = tri.bounds(SchoolYear(y), 3);
            assert_eq!((a, b), (d(y + 1, 3, 15), d(y + 1, 7, 31)), "{y}");
            assert_eq!(tri.bounds(SchoolYear(y), 2).1, d(y + 1, 3, 14));
            assert_eq!(tri.of_date(d(y + 1, 3, 14)), 2);
            assert_eq!(tri.of_date(d(y + 1, 3, 15)), 3);
            assert_eq!(tri.of_date(d(y, 11, 30)), 1);
        }
        // Every day of a school year falls in the term whose bounds hold it.
        let mut day = d(2023, 8, 1);
        while day <= d(2024, 7, 31) {
            let t = tri.of_date(day);
            let (a, b) = tri.bounds(SchoolYear(2023), t);
            assert!(a <= day && day <= b, "{day}");
            day = day.succ_opt().unwrap();
        }
        assert!(
            Terms::new(&[start(9, 1)])
                .unwrap_err()
                .contains("first term")
        );
        assert!(
            Terms::new(&[start(8, 1), start(2, 29)])
                .unwrap_err()
                .contains("every year")
        );
        assert!(
            Terms::new(&[start(8, 1), start(2, 1), start(1, 1)])
                .unwrap_err()
                .contains("order")
        );
        assert!(Terms::new(&[start(8, 1), start(13, 1)]).is_err());
    }

    #[test]
    fn date_window_is_inclusive() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let w = DateWindow {
            from: d(1, 15),
            to: d(2, 15),
        };
        assert!(w.contains(d(1, 15)) && w.contains(d(2, 15)) && !w.contains(d(2, 16)));
    }
}
