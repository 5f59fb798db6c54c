//! School years and test moments.
//!
//! A Dutch school year runs from 1 August to 31 July and is written `2024-2025`; a Flemish one from
//! 1 September ([`Calendar`]: a pipeline's `[calendar] school_year_start`). A Dutch LVS test
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

/// When school years start: the same day every year (`[calendar] school_year_start` in a pipeline
/// file; default 1 August, as in the Netherlands; Flanders: 1 September). A school year runs to
/// the day before the next one starts and is named by its two calendar years (`2024-2025`), so it
/// starts on a day between 1 July and 30 September.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    start: TermStart,
}

/// 1 August: the Dutch school year's first day.
pub const DUTCH_YEAR_START: TermStart = TermStart { month: 8, day: 1 };

impl Calendar {
    /// A calendar whose school years start on `start` (1 July to 30 September).
    pub fn new(start: TermStart) -> std::result::Result<Calendar, String> {
        if !(7..=9).contains(&start.month)
            || NaiveDate::from_ymd_opt(2021, start.month, start.day).is_none()
        {
            return Err(format!(
                "school_year_start {{ month = {}, day = {} }}: a school year named YYYY-YYYY starts on a day between 1 July and 30 September, e.g. {{ month = 8, day = 1 }} (the Netherlands) or {{ month = 9, day = 1 }} (Flanders)",
                start.month, start.day
            ));
        }
        Ok(Calendar { start })
    }

    /// The day school years start.
    pub fn year_start(self) -> TermStart {
        self.start
    }

    /// Whether `(month, day)` comes before the school year's start within a calendar year (so
    /// belongs to the second calendar year of a school year).
    fn before_start(self, month: u32, day: u32) -> bool {
        (month, day) < (self.start.month, self.start.day)
    }

    /// The school year a date falls in.
    pub fn year_of(self, d: NaiveDate) -> SchoolYear {
        if self.before_start(d.month(), d.day()) {
            SchoolYear(d.year() - 1)
        } else {
            SchoolYear(d.year())
        }
    }

    /// First day of school year `y`.
    pub fn first_day(self, y: SchoolYear) -> NaiveDate {
        NaiveDate::from_ymd_opt(y.0, self.start.month, self.start.day).expect("checked in new")
    }

    /// Last day of school year `y` (the day before the next one starts).
    pub fn last_day(self, y: SchoolYear) -> NaiveDate {
        self.first_day(y.next()) - chrono::Duration::days(1)
    }

    /// The date of `day` within school year `y` (None for 29 February in a common year).
    fn date_in(self, y: SchoolYear, day: TermStart) -> Option<NaiveDate> {
        let year = if self.before_start(day.month, day.day) {
            y.0 + 1
        } else {
            y.0
        };
        NaiveDate::from_ymd_opt(year, day.month, day.day)
    }
}

impl Default for Calendar {
    /// The Dutch school year: from 1 August.
    fn default() -> Self {
        Calendar {
            start: DUTCH_YEAR_START,
        }
    }
}

/// The terms of a school year, numbered from 1: each runs from its start to the day before the
/// next one starts; the first starts the school year, the last ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// The days each term starts, in school-year order; the first is the calendar's start.
    starts: Vec<TermStart>,
    calendar: Calendar,
}

/// 1 February: the second half of the default terms (the run-up to the E test moment).
const FEBRUARY: TermStart = TermStart { month: 2, day: 1 };

impl Terms {
    /// Terms from their start days, in school-year order, in `calendar`'s school years; no days:
    /// two halves split at 1 February, the run-up to the middle (M) and to the end (E) test
    /// moments of the Dutch LVS. Checks that the first day starts the school year, the days
    /// exist in every year (no 29 February) and follow each other.
    pub fn new(starts: &[TermStart], calendar: Calendar) -> std::result::Result<Terms, String> {
        let starts = if starts.is_empty() {
            vec![calendar.start, FEBRUARY]
        } else {
            starts.to_vec()
        };
        for s in &starts {
            if NaiveDate::from_ymd_opt(2021, s.month, s.day).is_none() {
                return Err(format!(
                    "term start {{ month = {}, day = {} }} is not a day of every year",
                    s.month, s.day
                ));
            }
        }
        let c = calendar.start;
        if starts[0] != c {
            return Err(format!(
                "the first term starts the school year: {{ month = {}, day = {} }}",
                c.month, c.day
            ));
        }
        let place = |s: &TermStart| (calendar.before_start(s.month, s.day), s.month, s.day);
        if starts.windows(2).any(|w| place(&w[0]) >= place(&w[1])) {
            return Err(
                "term starts must follow each other in school-year order (from its first day)"
                    .to_string(),
            );
        }
        Ok(Terms { starts, calendar })
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// The calendar whose school years the terms divide.
    pub fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// Whether there are no terms (never: [`Terms::new`] requires the first).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// First day of term `term` (1-based) of `year`.
    fn start_day(&self, year: SchoolYear, term: usize) -> NaiveDate {
        self.calendar
            .date_in(year, self.starts[term - 1])
            .expect("checked in new: no 29 February")
    }

    /// (first, last) day of term `term` (1-based) of `year`.
    pub fn bounds(&self, year: SchoolYear, term: usize) -> (NaiveDate, NaiveDate) {
        let first = self.start_day(year, term);
        let last = if term == self.starts.len() {
            self.calendar.last_day(year)
        } else {
            self.start_day(year, term + 1) - chrono::Duration::days(1)
        };
        (first, last)
    }

    /// The term (1-based) that `d` falls in, within its school year.
    pub fn of_date(&self, d: NaiveDate) -> usize {
        let year = self.calendar.year_of(d);
        (1..=self.starts.len())
            .rev()
            .find(|&t| self.start_day(year, t) <= d)
            .unwrap_or(1)
    }
}

impl Default for Terms {
    /// Two halves of the Dutch school year split at 1 February.
    fn default() -> Self {
        Terms::new(&[], Calendar::default()).expect("the default terms are valid")
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
    fn school_years_start_on_the_calendars_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let nl = Calendar::default();
        assert_eq!(nl.year_of(d(2024, 7, 31)), SchoolYear(2023));
        assert_eq!(nl.year_of(d(2024, 8, 1)), SchoolYear(2024));
        assert_eq!(nl.year_of(d(2025, 6, 15)), SchoolYear(2024));
        assert_eq!(
            (
                nl.first_day(SchoolYear(2024)),
                nl.last_day(SchoolYear(2024))
            ),
            (d(2024, 8, 1), d(2025, 7, 31))
        );
        let flanders = Calendar::new(TermStart { month: 9, day: 1 }).unwrap();
        assert_eq!(flanders.year_of(d(2024, 8, 31)), SchoolYear(2023));
        assert_eq!(flanders.year_of(d(2024, 9, 1)), SchoolYear(2024));
        assert_eq!(flanders.last_day(SchoolYear(2024)), d(2025, 8, 31));
        for (month, day) in [(1, 1), (6, 30), (10, 1), (9, 31), (2, 29)] {
            assert!(
                Calendar::new(TermStart { month, day }).is_err(),
                "{month}-{day}"
            );
        }
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
        let nl = Calendar::default();
        let new = |s: &[TermStart]| Terms::new(s, nl);
        assert_eq!(halves, new(&[start(8, 1), start(2, 1)]).unwrap());
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
        let tri = new(&[start(8, 1), start(12, 1), start(3, 15)]).unwrap();
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
        assert!(new(&[start(9, 1)]).unwrap_err().contains("first term"));
        assert!(
            new(&[start(8, 1), start(2, 29)])
                .unwrap_err()
                .contains("every year")
        );
        assert!(
            new(&[start(8, 1), start(2, 1), start(1, 1)])
                .unwrap_err()
                .contains("order")
        );
        assert!(new(&[start(8, 1), start(13, 1)]).is_err());
        // Flemish halves: 1 September to 31 January, 1 February to 31 August.
        let vl = Calendar::new(start(9, 1)).unwrap();
        let halves = Terms::new(&[], vl).unwrap();
        assert_eq!(
            halves.bounds(SchoolYear(2024), 1),
            (d(2024, 9, 1), d(2025, 1, 31))
        );
        assert_eq!(
            halves.bounds(SchoolYear(2024), 2),
            (d(2025, 2, 1), d(2025, 8, 31))
        );
        assert_eq!(halves.of_date(d(2025, 8, 15)), 2);
        assert!(Terms::new(&[start(8, 1), start(2, 1)], vl).is_err());
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
