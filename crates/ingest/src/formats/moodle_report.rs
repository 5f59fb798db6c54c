//! Moodle's log *report* as its web interface downloads it (Site administration or a course:
//! Reports > Logs > Download table data as CSV or Excel): one row per event with the columns
//! `Time`, `User full name`, `Affected user`, `Event context`, `Component`, `Event name`,
//! `Description`, `Origin`, `IP address` (site-wide reports put `Course` first), headed in the
//! site language (English or Dutch: `Tijd`, `Naam gebeurtenis`, `Beschrijving`).
//!
//! The report names users only by full name; their Moodle id is in the description, which Moodle
//! writes in English whatever the site language ("The user with id '5' viewed the 'page' activity
//! with course module id '34'."). The pupil is that first user id, resolved through the roster's
//! ids like the log store's `userid`. Names, the affected user, the IP address and the
//! description itself are read to find the id and then dropped: nothing of them reaches an output
//! or a reject line.
//!
//! The raw verb is `Component: Event name` as the report spells them (localised, e.g.
//! `Quiz: Quiz attempt submitted`); the verb map is asked for that, then for the event name alone.
//! The defaults ([`default_moodle_report_verbs`]) are Moodle's English names of the events the
//! log-store defaults know; a Dutch site adds its own names under `[verbs]`.
//!
//! Times are local times of the downloading user's time zone (read as Dutch local time), in
//! whatever format the Moodle version and site language print (`WITH_YEAR`): older reports
//! use `strftimerecent`, which has no year (`20 Jan, 09:40`), so such a report needs the
//! source's `school_year`; later ones `20/01/25, 09:40:12` (English) or `20/01/2025 09:40`
//! (Dutch). Dutch month and day names are read. A site with US dates (`%m/%d/%y`) sets
//! `time_format`.
//! Moodle reports list the newest event first; ingest sorts events anyway. The report has no log
//! id, so repeated rows cannot be told from two events in one minute and are all kept.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDateTime};
use leerwinst_core::pipeline::EventKind;
use leerwinst_core::{Error, Result, SchoolYear, Table, clock};
use regex::Regex;

use crate::context::ReadContext;
use crate::delimited;
use crate::delimited::Column;
use crate::record_loop::try_each_record;
use crate::rows::{EventRow, event_school_year};

/// The reason for a description without a user id (the description is not shown).
const NO_USER_ID: &str = "no \"user with id '...'\" in the description: no pupil to attribute the event to (value not shown: descriptions may name users)";

/// Settings of a `moodle-report` source.
#[derive(Debug, Clone, Default)]
pub struct ReportSettings {
    /// chrono `strftime` format of the Time column, tried before Moodle's own spellings.
    pub time_format: Option<String>,
    /// The school year the report covers, for times without a year.
    pub school_year: Option<SchoolYear>,
}

/// Moodle's English event names the verb map knows by default (as `Component: Event name` where
/// the component decides the kind, else the event name alone).
pub fn default_moodle_report_verbs() -> BTreeMap<String, EventKind> {
    [
        ("Quiz attempt started", EventKind::Attempt),
        ("Quiz attempt submitted", EventKind::Complete),
        ("A submission has been submitted.", EventKind::Complete),
        ("Submission created.", EventKind::Attempt),
        ("Lesson started", EventKind::Attempt),
        ("Lesson ended", EventKind::Complete),
        ("Lesson: Question answered", EventKind::Answer),
        ("Course module completion updated", EventKind::Complete),
        ("Course activity completion updated", EventKind::Complete),
        ("Page: Course module viewed", EventKind::Instruction),
        ("File: Course module viewed", EventKind::Instruction),
        ("URL: Course module viewed", EventKind::Instruction),
        ("Book: Chapter viewed", EventKind::Instruction),
        ("Forum: Discussion created", EventKind::Help),
        ("Forum: Post created", EventKind::Help),
        ("Grade user report viewed", EventKind::ProgressView),
        ("User grade report viewed", EventKind::ProgressView),
        ("Grade overview report viewed", EventKind::ProgressView),
        ("Journal entry created", EventKind::Reflection),
        ("Journal entry updated", EventKind::Reflection),
        ("User graded", EventKind::Other),
    ]
    .into_iter()
    .map(|(v, k)| (v.to_string(), k))
    .collect()
}

/// Time spellings with a year, tried in order after Dutch names became English ones. The
/// report's download writes `strftimedatetimeshortaccurate` (Moodle 4.x) or
/// `strftimedatetimeshort` of the site language (English `%d/%m/%y, %H:%M[:%S]`, Dutch
/// `%d/%m/%Y %H:%M`); the page itself shows `strftimedatetimeaccurate` (`%d %B %Y, %I:%M:%S %p`),
/// which copy-pasted tables carry; Dutch `strftimedatetime` and `strftimedaydatetime` pair a
/// 24-hour clock with `%p`. Two-digit years come first (`%Y` would read `25` as the year 25);
/// last the `dd-mm-yyyy HH:MM:SS` an Excel date cell becomes, and ISO.
const WITH_YEAR: &[&str] = &[
    "%d/%m/%y, %H:%M:%S",
    "%d/%m/%y, %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y, %H:%M:%S",
    "%d/%m/%Y, %H:%M",
    "%d %B %Y, %I:%M:%S %p",
    "%d %B %Y, %I:%M %p",
    "%d %B %Y, %H:%M:%S %p",
    "%d %B %Y, %H:%M %p",
    "%A, %d %B %Y, %I:%M %p",
    "%A, %d %B %Y, %H:%M %p",
    "%d %B %Y, %H:%M:%S",
    "%d %B %Y, %H:%M",
    "%A %d %B %Y, %H:%M",
    "%A, %d %B %Y, %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
];

/// Without a year: `strftimerecent` (`20 Jan, 09:40`, English and Dutch), which the log report
/// of Moodle 2.7-3.x writes, and relatives.
const WITHOUT_YEAR: &[&str] = &["%d %B, %H:%M", "%d %B %H:%M", "%d/%m, %H:%M"];

/// Dutch month and weekday names (full and abbreviated) -> English.
const DUTCH: &[(&str, &str)] = &[
    ("januari", "January"),
    ("februari", "February"),
    ("maart", "March"),
    ("mrt", "Mar"),
    ("april", "April"),
    ("mei", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("augustus", "August"),
    ("oktober", "October"),
    ("okt", "Oct"),
    ("maandag", "Monday"),
    ("dinsdag", "Tuesday"),
    ("woensdag", "Wednesday"),
    ("donderdag", "Thursday"),
    ("vrijdag", "Friday"),
    ("zaterdag", "Saturday"),
    ("zondag", "Sunday"),
];

/// The time text with Dutch names made English, abbreviation dots dropped (`jan.` -> `jan`),
/// `a.m.`/`p.m.` as `AM`/`PM`, and spaces collapsed.
fn normalise_time(s: &str) -> String {
    let mut out = Vec::new();
    for tok in s.split_whitespace() {
        let lower = tok.to_lowercase();
        if lower == "a.m." || lower == "am" {
            out.push("AM".to_string());
            continue;
        }
        if lower == "p.m." || lower == "pm" {
            out.push("PM".to_string());
            continue;
        }
        let comma = lower.ends_with(',');
        let core = lower.trim_end_matches([',', '.']);
        let word = DUTCH
            .iter()
            .find(|(nl, _)| *nl == core)
            .map(|(_, en)| en.to_string())
            .unwrap_or_else(|| {
                if core.chars().all(|c| c.is_alphabetic()) {
                    core.to_string()
                } else {
                    tok.trim_end_matches(',').to_string()
                }
            });
        out.push(if comma { format!("{word},") } else { word });
    }
    out.join(" ")
}

/// Why a time could not be read.
#[derive(Debug, PartialEq)]
enum TimeError {
    /// None of the spellings fits.
    Unreadable,
    /// A spelling without a year fits, and the source has no school year.
    NoYear,
}

/// The local time of a report's Time cell.
fn parse_time(raw: &str, s: &ReportSettings) -> std::result::Result<NaiveDateTime, TimeError> {
    // A time without a year is parsed in a leap year to learn its month, then placed in the
    // school year (August-December in its first calendar year).
    let yearless = |text: &str, f: &str| {
        NaiveDateTime::parse_from_str(&format!("{text} 2000"), &format!("{f} %Y")).ok()
    };
    let place = |probe: NaiveDateTime, text: &str, f: &str, sy: SchoolYear| {
        let year = if probe.month() >= 8 { sy.0 } else { sy.0 + 1 };
        NaiveDateTime::parse_from_str(&format!("{text} {year}"), &format!("{f} %Y")).ok()
    };
    let has_year = |f: &str| f.contains("%Y") || f.contains("%y") || f.contains("%G");
    let text = normalise_time(raw);
    let mut formats: Vec<&str> = Vec::new();
    if let Some(f) = &s.time_format {
        formats.push(f);
    }
    formats.extend(WITH_YEAR);
    formats.extend(WITHOUT_YEAR);
    for f in formats {
        if has_year(f) {
            for t in [raw.trim(), text.as_str()] {
                if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
                    return Ok(n);
                }
            }
        } else if let Some(probe) = yearless(&text, f) {
            let Some(sy) = s.school_year else {
                return Err(TimeError::NoYear);
            };
            return place(probe, &text, f, sy).ok_or(TimeError::Unreadable);
        }
    }
    Err(TimeError::Unreadable)
}

static USER_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\buser with id ['"](-?\d+)['"]"#).expect("valid regex"));
static MODULE_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\bcourse module id ['"](\d+)['"]"#).expect("valid regex"));

// Headers in the site language: English or Dutch.
const TIME: Column = Column::required("time", &["Time", "Tijd"]);
const EVENT_NAME: Column = Column::required(
    "event name",
    &["Event name", "Naam gebeurtenis", "Gebeurtenisnaam"],
);
const DESCRIPTION: Column = Column::required(
    "description",
    &["Description", "Beschrijving", "Omschrijving"],
)
.note("the pupil's and the course module's ids are read from it");
const COMPONENT: Column = Column::optional("component", &["Component"]);

/// The columns of a log report download ([`crate::columns`]).
pub const COLUMNS: &[Column] = &[TIME, EVENT_NAME, DESCRIPTION, COMPONENT];

/// Reads a log report download; returns (rows, rows read).
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    verbs: &BTreeMap<String, EventKind>,
    settings: &ReportSettings,
) -> Result<(Vec<EventRow>, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let need = |column: &Column| {
        d.find(column.names).ok_or_else(|| {
            Error::input(
                &ctx.file,
                format!(
                    "not a Moodle log report download: no {} column; {}{}",
                    column.names[0],
                    d.header_listing(),
                    if d.find(&["eventname"]).is_some() {
                        " (a logstore_standard_log dump is format = \"moodle-log\")"
                    } else {
                        ""
                    }
                ),
            )
        })
    };
    // Headers in the site language: English or Dutch.
    let c_time = need(&TIME)?;
    let c_event = need(&EVENT_NAME)?;
    let c_desc = need(&DESCRIPTION)?;
    let c_component = d.find(COMPONENT.names);
    let h = |i: usize| d.headers[i].clone();
    let t = Table::Events;
    let (rows, read) = try_each_record(ctx, t, &d, |row, r| {
        let cell = |c: usize| r.get(c).unwrap_or("").trim();
        // The description is never copied into a reject: some name a username.
        let Some(user) = USER_ID.captures(cell(c_desc)).map(|m| m[1].to_string()) else {
            return Ok(row.reject(&h(c_desc), "", NO_USER_ID));
        };
        if user.parse::<i64>().is_ok_and(|u| u <= 0) {
            return Ok(row.reject(
                &h(c_desc),
                &format!("user id {user}"),
                "no user (system or guest event)",
            ));
        }
        let Some(pupil_key) = row.pupil_key(&h(c_desc), &user) else {
            return Ok(None);
        };
        let event = cell(c_event);
        if event.is_empty() {
            return Ok(row.reject(&h(c_event), "", "missing event name"));
        }
        let local = match parse_time(cell(c_time), settings) {
            Ok(n) => n,
            Err(TimeError::NoYear) => {
                return Err(Error::input(
                    &row.ctx.file,
                    format!(
                        "line {}: the Time column has no year ('{}', as Moodle 3.x writes it); set school_year = \"YYYY-YYYY\" on the source",
                        row.line,
                        cell(c_time)
                    ),
                ));
            }
            Err(TimeError::Unreadable) => {
                return Ok(row.reject(
                    &h(c_time),
                    cell(c_time),
                    "unreadable time (none of Moodle's spellings; set time_format on the source)",
                ));
            }
        };
        if !crate::input::plausible_year(local.year()) {
            let why = crate::input::implausible_year_reason(local.year());
            return Ok(row.reject(&h(c_time), cell(c_time), &why));
        }
        let component = c_component.map(cell).filter(|c| !c.is_empty());
        let verb = match component {
            Some(c) => format!("{c}: {event}"),
            None => event.to_string(),
        };
        let kind = verbs
            .get(&verb)
            .or_else(|| verbs.get(event))
            .copied()
            .unwrap_or(EventKind::Other);
        let task_id = MODULE_ID
            .captures(cell(c_desc))
            .map(|m| format!("cm:{}", &m[1]));
        let ts = clock::amsterdam_to_utc(local);
        Ok(Some(EventRow {
            pupil_key: pupil_key.into(),
            school_year: event_school_year(row.ctx.calendar, local.date()),
            ts: ts.timestamp_micros(),
            kind: kind.as_str(),
            verb: verb.into(),
            object_id: None,
            task_id: task_id.map(Into::into),
            subject: None,
            success: None,
            score_scaled: None,
            duration_s: None,
        }))
    })?;
    Ok((rows, read))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, s)
            .unwrap()
    }

    #[test]
    fn moodle_time_spellings_of_each_version_and_language() {
        let none = ReportSettings::default();
        let sy = ReportSettings {
            school_year: SchoolYear::parse("2024-2025"),
            ..Default::default()
        };
        for (raw, want) in [
            ("20 January 2025, 9:40:12 AM", at(2025, 1, 20, 9, 40, 12)),
            ("20 January 2025, 9:40:12 PM", at(2025, 1, 20, 21, 40, 12)),
            ("3 October 2024, 2:05 PM", at(2024, 10, 3, 14, 5, 0)),
            (
                "Monday, 20 January 2025, 9:40 AM",
                at(2025, 1, 20, 9, 40, 0),
            ),
            ("20 januari 2025, 09:40:12", at(2025, 1, 20, 9, 40, 12)),
            ("maandag 20 januari 2025, 09:40", at(2025, 1, 20, 9, 40, 0)),
            ("3 oktober 2024, 14:05", at(2024, 10, 3, 14, 5, 0)),
            ("20/01/25, 09:40", at(2025, 1, 20, 9, 40, 0)),
            ("20/01/25, 09:40:12", at(2025, 1, 20, 9, 40, 12)),
            ("20/01/2025 09:40", at(2025, 1, 20, 9, 40, 0)),
            ("20 januari 2025, 14:05 PM", at(2025, 1, 20, 14, 5, 0)),
            (
                "maandag, 20 januari 2025, 09:40 am",
                at(2025, 1, 20, 9, 40, 0),
            ),
            ("20-01-2025 09:40:12", at(2025, 1, 20, 9, 40, 12)),
        ] {
            assert_eq!(parse_time(raw, &none), Ok(want), "{raw}");
        }
        // Without a year: placed in the school year (August-December in its first year).
        assert_eq!(parse_time("20 Jan, 09:40", &none), Err(TimeError::NoYear));
        assert_eq!(
            parse_time("20 Jan, 09:40", &sy),
            Ok(at(2025, 1, 20, 9, 40, 0))
        );
        assert_eq!(
            parse_time("3 okt., 14:05", &sy),
            Ok(at(2024, 10, 3, 14, 5, 0))
        );
        assert_eq!(
            parse_time("29 Feb, 10:00", &sy),
            Err(TimeError::Unreadable),
            "2025 has no 29 February"
        );
        assert_eq!(
            parse_time("31 mrt, 23:59", &sy),
            Ok(at(2025, 3, 31, 23, 59, 0))
        );
        // The source's own format first.
        let own = ReportSettings {
            time_format: Some("%Y%m%d %H%M".into()),
            ..Default::default()
        };
        assert_eq!(
            parse_time("20250120 0940", &own),
            Ok(at(2025, 1, 20, 9, 40, 0))
        );
        for bad in ["", "yesterday", "32 January 2025, 9:40 AM", "20 Jan 2025"] {
            assert_eq!(parse_time(bad, &sy), Err(TimeError::Unreadable), "{bad}");
        }
    }

    const REPORT: &str = "\u{feff}Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address
\"20 January 2025, 9:40:12 AM\",Anna de Vries,-,\"Quiz: Breuken 1\",Quiz,Quiz attempt submitted,\"The user with id '101' has submitted the attempt with id '11' for the quiz with course module id '7'.\",web,10.0.0.1
\"20 January 2025, 9:10:00 AM\",Anna de Vries,-,\"Page: Uitleg breuken\",Page,Course module viewed,\"The user with id '101' viewed the 'page' activity with course module id '8'.\",web,10.0.0.1
\"20 January 2025, 9:05:00 AM\",Anna de Vries,Anna de Vries,\"Course: Rekenen groep 6\",User report,Grade user report viewed,\"The user with id '101' viewed the user report in the gradebook.\",web,10.0.0.1
\"20 January 2025, 9:00:00 AM\",Anna de Vries,-,Journal: Mijn week,Journal,Journal entry created,\"The user with id '101' created an entry for the journal with course module id '9'.\",web,10.0.0.1
\"20 January 2025, 8:59:00 AM\",-,-,System,System,User login failed,\"Login failed for user 'anna.devries'. Most likely the password did not match (error ID '3').\",web,10.0.0.1
\"20 January 2025, 8:58:00 AM\",Bram Jansen,-,System,System,User logged in,\"The user with id '999' has logged in.\",web,10.0.0.2
\"gisteren\",Anna de Vries,-,System,System,Course viewed,\"The user with id '101' viewed the course with id '3'.\",web,10.0.0.1
";

    #[test]
    fn report_rows_become_events_and_names_never_leave() {
        let mut rejects = Rejects::default();
        let mut ids = IdResolver::with_roster();
        ids.add("101", "L1");
        let pseudo = Pseudonymiser::keyed(b"k");
        let mut ctx = ReadContext::new("moodle", "logs.csv", &mut rejects, &ids, &pseudo);
        let (rows, read) = read(
            &mut ctx,
            REPORT,
            &default_moodle_report_verbs(),
            &ReportSettings::default(),
        )
        .unwrap();
        assert_eq!(read, 7);
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            ["complete", "instruction", "progress_view", "reflection"]
        );
        assert_eq!(&*rows[0].verb, "Quiz: Quiz attempt submitted");
        assert_eq!(rows[0].task_id.as_deref(), Some("cm:7"));
        assert_eq!(rows[2].task_id, None);
        assert!(rows.iter().all(|r| *r.pupil_key == *pseudo.pupil("L1")));
        // 9:40:12 Amsterdam winter time is 8:40:12 UTC.
        assert_eq!(
            rows[0].ts,
            at(2025, 1, 20, 8, 40, 12).and_utc().timestamp_micros()
        );
        assert_eq!(&*rows[0].school_year, "2024-2025");
        let all = rejects.first(10);
        assert_eq!(all.len(), 3, "{all:?}");
        assert_eq!(read, rows.len() + rejects.total());
        let text = format!("{all:?}{rows:?}");
        for secret in ["Anna", "Bram", "anna.devries", "10.0.0", "999'"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn a_dump_or_a_year_less_report_without_school_year_is_a_clear_error() {
        let mut rejects = Rejects::default();
        let ids = IdResolver::default();
        let pseudo = Pseudonymiser::keyed(b"k");
        let mut ctx = ReadContext::new("moodle", "logs.csv", &mut rejects, &ids, &pseudo);
        let verbs = default_moodle_report_verbs();
        let s = ReportSettings::default();
        let err = read(
            &mut ctx,
            "id,eventname,userid,timecreated\n1,x,5,1\n",
            &verbs,
            &s,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("moodle-log"), "{err}");
        let old = "Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address\n\
                   \"20 Jan, 09:40\",A,-,X,Quiz,Quiz attempt started,\"The user with id '5' has started the attempt with id '1' for the quiz with course module id '2'.\",web,1.2.3.4\n";
        let err = read(&mut ctx, old, &verbs, &s).unwrap_err().to_string();
        assert!(err.contains("school_year"), "{err}");
        let s = ReportSettings {
            school_year: SchoolYear::parse("2024-2025"),
            ..Default::default()
        };
        let (rows, _) = read(&mut ctx, old, &verbs, &s).unwrap();
        assert_eq!(rows[0].kind, "attempt");
        assert_eq!(&*rows[0].school_year, "2024-2025");
    }
}
