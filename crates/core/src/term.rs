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
    fn date_window_is_inclusive() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let w = DateWindow {
            from: d(1, 15),
            to: d(2, 15),
        };
        assert!(w.contains(d(1, 15)) && w.contains(d(2, 15)) && !w.contains(d(2, 16)));
    }
}
