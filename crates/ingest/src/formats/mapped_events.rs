//! LMS activity in any CSV/XLSX layout, through the pipeline's `[source.mapping]` (the same
//! renames, constants and value maps as [`crate::formats::mapped`]): one event per line.
//!
//! Fields: `pupil_id` and `time` (columns), `verb` (a column or a constant), and optionally
//! `object_id`, `task_id`, `subject`, `success`, `score_scaled`, `duration`, `count` (a line
//! that stands for that many events at the same time, as click counts per day; at most
//! [`MAX_COUNT`]). A time may be a date alone: the event is put at Dutch midnight, and the
//! indicators that need clock times stay null for pupils whose events all have dates only.
//! The verb maps to an
//! event kind through the pipeline's verb map; a verb that is itself a kind name (`attempt`,
//! `answer`, `complete`, `instruction`, `help`, `progress_view`, `reflection`, `other`) is taken as that kind,
//! so a value map can translate an export's own words (`values.verb = { hint = "help" }`).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use leerwinst_core::pipeline::{EventKind, Mapping};
use leerwinst_core::{Result, Table, clock};

use crate::context::ReadContext;
use crate::delimited;
use crate::formats::mapped::{
    Cell, EXTRACT_MISMATCH, Extractors, apply_value_maps, base_fields, resolve_columns,
};
use crate::input::{implausible_year_reason, parse_duration, parse_number, plausible_year};
use crate::record_loop::{Row, each_record};
use crate::rows::{EventRow, event_school_year};

/// Local (Dutch) date-time spellings tried when the mapping gives no `time_format`.
const LOCAL_FORMATS: [&str; 6] = [
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
];

/// Dates without a time, read as Dutch midnight when the mapping gives no `time_format`.
const DATE_FORMATS: [&str; 3] = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"];

/// The most events one line may stand for (`count`).
pub const MAX_COUNT: u32 = 100_000;

/// An event time: with `format` (an offset read when it has `%z`, else Dutch local time; a
/// format with a date only gives Dutch midnight); without, RFC 3339, the `LOCAL_FORMATS` as
/// Dutch local time, a date alone (`DATE_FORMATS`, Dutch midnight), or Unix seconds.
pub fn parse_time(s: &str, format: Option<&str>) -> Option<DateTime<Utc>> {
    let local = |n: NaiveDateTime| Some(clock::amsterdam_to_utc(n));
    let midnight = |d: NaiveDate| local(d.and_time(NaiveTime::MIN));
    if let Some(f) = format {
        if f.contains("%z") || f.contains("%:z") {
            return DateTime::parse_from_str(s, f).ok().map(|t| t.to_utc());
        }
        return match NaiveDateTime::parse_from_str(s, f) {
            Ok(n) => local(n),
            Err(_) => NaiveDate::parse_from_str(s, f).ok().and_then(midnight),
        };
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.to_utc());
    }
    if let Some(n) = LOCAL_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    {
        return local(n);
    }
    if let Some(d) = DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
    {
        return midnight(d);
    }
    if !s.is_empty() && s.len() <= 11 && s.bytes().all(|b| b.is_ascii_digit()) {
        // Unix seconds from 1990 to 2100 only, so a day number or a year is not taken as a time.
        let secs: i64 = s.parse().ok()?;
        if (631_152_000..4_102_444_800).contains(&secs) {
            return DateTime::from_timestamp(secs, 0);
        }
    }
    None
}

/// A success flag in the spellings exports use (English and Dutch).
fn parse_success(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "true" | "1" | "yes" | "ja" | "correct" | "goed" | "passed" | "pass" => Some(true),
        "false" | "0" | "no" | "nee" | "incorrect" | "fout" | "failed" | "fail" => Some(false),
        _ => None,
    }
}

/// Reads a mapped activity export; returns (events, lines read, lines accepted). With a `count`
/// column a line may stand for several events, so lines and events differ.
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    m: &Mapping,
    verbs: &BTreeMap<String, EventKind>,
) -> Result<(Vec<EventRow>, usize, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let cols = resolve_columns(ctx, &d, m)?;
    let extract = Extractors::new(
        &ctx.file,
        &d,
        m,
        leerwinst_core::pipeline::MAPPED_EVENT_FIELDS,
    )?;
    let (lines, read) = each_record(ctx, Table::Events, &d, |row, r| {
        let mut f = base_fields(&d, &cols, m, row.line, r);
        if let Err(c) = extract.apply(r, &mut f) {
            return row.reject(&c.column, &c.value, EXTRACT_MISMATCH);
        }
        apply_value_maps(m, &mut f);
        event(row, m, verbs, &f)
    });
    // A line with a count stands for that many events.
    let accepted = lines.len();
    let rows = lines
        .into_iter()
        .flat_map(|(row, count)| std::iter::repeat_n(row, count as usize))
        .collect();
    Ok((rows, read, accepted))
}

/// Validates one line's fields into an event and the number of events it stands for, or
/// rejects it.
fn event(
    row: &mut Row<'_, '_>,
    m: &Mapping,
    verbs: &BTreeMap<String, EventKind>,
    f: &BTreeMap<String, Cell>,
) -> Option<(EventRow, u32)> {
    let empty = Cell {
        column: String::new(),
        value: String::new(),
    };
    let cell = |k: &str| f.get(k).unwrap_or(&empty);
    let get = |k: &str| f.get(k).filter(|c| !c.value.is_empty());
    // Date and time in two columns (`date` and `time`) are read as one "date time" value.
    let joined;
    let time_cell = match (get("date"), cell("time")) {
        (Some(date), time) => {
            joined = Cell {
                column: if time.column.is_empty() {
                    date.column.clone()
                } else {
                    format!("{} + {}", date.column, time.column)
                },
                value: format!("{} {}", date.value, time.value).trim().to_string(),
            };
            &joined
        }
        (None, time) => time,
    };
    // A day number from day_zero: the date it stands for, with the clock time if there is one.
    let from_day_zero = m.day_zero.as_ref().map(|zero| {
        let day = get("date").and_then(|c| m.day_number(&c.value));
        (
            zero,
            day.map(|d| format!("{d} {}", cell("time").value).trim().to_string()),
        )
    });
    let time_text = match &from_day_zero {
        Some((zero, None)) => {
            let why = format!("not a whole number of days since day_zero {zero}");
            return row.reject(&time_cell.column, &time_cell.value, &why);
        }
        Some((_, Some(text))) => text.as_str(),
        None => time_cell.value.as_str(),
    };
    let Some(ts) = parse_time(time_text, m.time_format.as_deref()) else {
        let why = match (&m.time_format, time_cell.value.is_empty()) {
            (_, true) => "missing time".to_string(),
            (Some(fmt), false) => format!("not a time in the format {fmt}"),
            (None, false) => "not a time (expected e.g. 2025-01-20T09:14:33+01:00, 20-01-2025 09:14 or Unix seconds; set mapping.time_format for others)".into(),
        };
        return row.reject(&time_cell.column, &time_cell.value, &why);
    };
    if !plausible_year(ts.year()) {
        let why = implausible_year_reason(ts.year());
        return row.reject(&time_cell.column, &time_cell.value, &why);
    }
    let Some(verb) = get("verb").map(|c| c.value.clone()) else {
        return row.reject(&cell("verb").column, "", "missing verb");
    };
    let kind = verbs
        .get(&verb)
        .copied()
        .or_else(|| EventKind::parse(&verb))
        .unwrap_or(EventKind::Other);
    let success = match get("success") {
        None => None,
        Some(c) => match parse_success(&c.value) {
            Some(b) => Some(b),
            None => {
                return row.reject(
                    &c.column,
                    &c.value,
                    "not a success flag (expected true/false, 1/0, ja/nee, goed/fout)",
                );
            }
        },
    };
    let score_scaled = match get("score_scaled") {
        None => None,
        Some(c) => match parse_number(&c.value) {
            Some(x) if (-1.0..=1.0).contains(&x) => Some(x),
            _ => {
                return row.reject(
                    &c.column,
                    &c.value,
                    "scaled score is not a number in [-1, 1]",
                );
            }
        },
    };
    let duration_s = match get("duration") {
        None => None,
        Some(c) => match parse_number(&c.value)
            .filter(|x| *x >= 0.0)
            .or_else(|| parse_duration(&c.value))
        {
            Some(x) => Some(x),
            None => {
                return row.reject(
                    &c.column,
                    &c.value,
                    "not a duration (seconds, or ISO 8601 such as PT41S)",
                );
            }
        },
    };
    let count = match get("count") {
        None => 1,
        Some(c) => match c.value.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => n,
            _ => {
                return row.reject(
                    &c.column,
                    &c.value,
                    &format!("not a count of events (a whole number from 1 to {MAX_COUNT})"),
                );
            }
        },
    };
    let id = cell("pupil_id").clone();
    let pupil_key = row.pupil_key(&id.column, &id.value)?;
    let object_id = get("object_id").map(|c| c.value.clone());
    let task_id = get("task_id").map(|c| c.value.clone()).or_else(|| {
        matches!(kind, EventKind::Attempt | EventKind::Complete)
            .then(|| object_id.clone())
            .flatten()
    });
    let row = EventRow {
        pupil_key: pupil_key.into(),
        school_year: event_school_year(row.ctx.calendar, clock::utc_to_amsterdam(ts).date()),
        ts: ts.timestamp_micros(),
        kind: kind.as_str(),
        verb: verb.into(),
        object_id: object_id.map(Into::into),
        task_id: task_id.map(Into::into),
        subject: get("subject").map(|c| c.value.as_str().into()),
        success,
        score_scaled,
        duration_s,
    };
    Some((row, count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;
    use leerwinst_core::pipeline::default_verbs;

    /// Reads `text` through `m` with the default verbs, `pupil` the one pupil on the roster;
    /// (rows, lines read, lines accepted, rejects).
    fn read_for(pupil: &str, text: &str, m: &Mapping) -> (Vec<EventRow>, usize, usize, Rejects) {
        let mut ids = IdResolver::with_roster();
        ids.add(pupil, pupil);
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("lms", "activiteit.csv", &mut rejects, &ids, &pseudo);
        let (rows, read, accepted) = read(&mut ctx, text, m, &default_verbs()).unwrap();
        (rows, read, accepted, rejects)
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_plain_activity_export_becomes_events() {
        // A Dutch LMS export: semicolons, local times, own words for verbs and success.
        let text = "Leerling;Tijdstip;Actie;Opdracht;Vak;Resultaat;Seconden\n\
L1;20-01-2025 09:14;gestart;rek-1;rekenen;;\n\
L1;20-01-2025 09:15:30;antwoord;rek-1/v1;rekenen;fout;41\n\
L1;20-01-2025 09:16;hint;rek-1/v1;rekenen;;\n\
L1;2025-06-20T10:00:00Z;http://adlnet.gov/expapi/verbs/completed;rek-1;rekenen;goed;PT2M\n\
L1;gisteren;antwoord;rek-1/v2;rekenen;goed;10\n\
L9;20-01-2025 09:17;antwoord;rek-1/v2;rekenen;goed;10\n\
L1;20-01-2025 09:18;antwoord;rek-1/v2;rekenen;misschien;10\n\
L1;20-01-2025 09:19;antwoord;rek-1/v3;rekenen;goed;-3\n\
L1;1737360000;bekeken;dashboard;;;\n";
        let m = Mapping {
            columns: map(&[
                ("pupil_id", "Leerling"),
                ("time", "Tijdstip"),
                ("verb", "Actie"),
                ("object_id", "Opdracht"),
                ("subject", "Vak"),
                ("success", "Resultaat"),
                ("duration", "Seconden"),
            ]),
            values: BTreeMap::from([(
                "verb".to_string(),
                map(&[
                    ("gestart", "attempt"),
                    ("antwoord", "answer"),
                    ("hint", "help"),
                ]),
            )]),
            ..Mapping::default()
        };
        assert!(m.validate_events().is_ok());
        let (rows, read, accepted, rejects) = read_for("L1", text, &m);
        assert_eq!((read, accepted), (9, 5));
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, ["attempt", "answer", "help", "complete", "other"]);
        // 09:14 in Amsterdam in January is 08:14 UTC.
        assert_eq!(
            rows[0].ts,
            DateTime::parse_from_rfc3339("2025-01-20T08:14:00Z")
                .unwrap()
                .timestamp_micros()
        );
        assert_eq!(
            rows[0].task_id.as_deref(),
            Some("rek-1"),
            "an attempt's object"
        );
        assert_eq!(rows[1].success, Some(false));
        assert_eq!(rows[1].duration_s, Some(41.0));
        assert_eq!(rows[3].duration_s, Some(120.0));
        assert_eq!(&*rows[3].school_year, "2024-2025");
        assert_eq!(&*rows[4].verb, "bekeken", "the raw verb is kept");
        assert_eq!(rows[4].subject, None);
        let reasons: Vec<(u64, String, String)> = rejects
            .first(10)
            .iter()
            .map(|r| (r.line, r.column.clone(), r.reason.clone()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(
            reasons[0].0 == 6 && reasons[0].1 == "Tijdstip" && reasons[0].2.contains("not a time")
        );
        assert!(reasons[1].0 == 7 && reasons[1].2.contains("unknown pupil"));
        assert!(reasons[2].0 == 8 && reasons[2].1 == "Resultaat");
        assert!(reasons[3].0 == 9 && reasons[3].1 == "Seconden");
    }

    #[test]
    fn times_in_a_given_format_with_or_without_offset() {
        let t = |s, f| parse_time(s, f).map(|t| t.to_rfc3339());
        assert_eq!(
            t("07/20/2025 14:05", Some("%m/%d/%Y %H:%M")).as_deref(),
            Some("2025-07-20T12:05:00+00:00"),
            "summer time: UTC+2"
        );
        assert_eq!(
            t("2025-01-20 09:14 +0100", Some("%Y-%m-%d %H:%M %z")).as_deref(),
            Some("2025-01-20T08:14:00+00:00")
        );
        assert_eq!(t("2025", None), None, "a year is not Unix seconds");
        assert_eq!(
            t("20-01-2025", None).as_deref(),
            Some("2025-01-19T23:00:00+00:00"),
            "a date alone is Dutch midnight"
        );
        assert_eq!(
            t("2025/01/20", Some("%Y/%m/%d")).as_deref(),
            Some("2025-01-19T23:00:00+00:00"),
            "a format with a date only"
        );
    }

    #[test]
    fn a_count_column_stands_for_that_many_events() {
        // Clicks per day, as VLE exports give them.
        let text = "student,date,activity,clicks\n\
S1,2025-01-20,page,3\n\
S1,2025-01-21,page,1\n\
S1,2025-01-22,page,0\n\
S1,2025-01-23,page,2.5\n\
S1,2025-01-24,page,\n";
        let m = Mapping {
            columns: map(&[
                ("pupil_id", "student"),
                ("time", "date"),
                ("object_id", "activity"),
                ("count", "clicks"),
            ]),
            constants: map(&[("verb", "other")]),
            ..Mapping::default()
        };
        assert!(m.validate_events().is_ok());
        let (rows, read, accepted, rejects) = read_for("S1", text, &m);
        assert_eq!((read, accepted), (5, 3), "lines, not events");
        assert_eq!(
            rows.len(),
            3 + 1 + 1,
            "3 clicks, 1 click, and an empty count is 1"
        );
        assert!(rows[..3].iter().all(|r| r.ts == rows[0].ts));
        let reasons: Vec<(u64, String)> = rejects
            .first(10)
            .iter()
            .map(|r| (r.line, r.reason.clone()))
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].0 == 4 && reasons[0].1.contains("not a count"));
        assert_eq!(reasons[1].0, 5);
    }

    #[test]
    fn day_numbers_count_from_day_zero() {
        // OULAD-style: the day since the course started, clicks per day; and a clock time.
        let text = "student,day,hour,activity,clicks\n\
S1,0,09:30,page,1\n\
S1,13,14:05,page,2\n\
S1,-3,,page,1\n\
S1,1.5,,page,1\n\
S1,x,,page,1\n";
        let m = Mapping {
            columns: map(&[
                ("pupil_id", "student"),
                ("date", "day"),
                ("time", "hour"),
                ("object_id", "activity"),
                ("count", "clicks"),
            ]),
            constants: map(&[("verb", "other")]),
            day_zero: Some("2024-09-02".into()),
            ..Mapping::default()
        };
        assert!(m.validate_events().is_ok());
        let (rows, read, accepted, rejects) = read_for("S1", text, &m);
        assert_eq!((read, accepted), (5, 3));
        let local = |r: &EventRow| {
            clock::utc_to_amsterdam(DateTime::from_timestamp_micros(r.ts).unwrap())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        assert_eq!(local(&rows[0]), "2024-09-02 09:30");
        assert_eq!(local(&rows[1]), "2024-09-15 14:05");
        assert_eq!(
            local(&rows[3]),
            "2024-08-30 00:00",
            "before day zero: a date alone"
        );
        let reasons: Vec<String> = rejects.first(10).iter().map(|r| r.reason.clone()).collect();
        assert!(
            reasons
                .iter()
                .all(|r| r.contains("days since day_zero 2024-09-02")),
            "{reasons:?}"
        );
        // day_zero is a date, and does not go with time_format.
        let mut bad = m.clone();
        bad.day_zero = Some("2-9-2024".into());
        assert!(bad.validate_events().unwrap_err().contains("yyyy-mm-dd"));
        let mut bad = m;
        bad.time_format = Some("%H:%M".into());
        assert!(bad.validate_events().unwrap_err().contains("do not apply"));
    }

    #[test]
    fn mapping_checks_for_events() {
        let ok = Mapping {
            columns: map(&[("pupil_id", "id"), ("time", "t")]),
            constants: map(&[("verb", "answer")]),
            ..Mapping::default()
        };
        assert!(ok.validate_events().is_ok());
        let mut bad = ok.clone();
        bad.columns.insert("score".into(), "s".into());
        assert!(
            bad.validate_events()
                .unwrap_err()
                .contains("unknown field 'score'")
        );
        let mut bad = ok.clone();
        bad.columns.remove("time");
        assert!(bad.validate_events().unwrap_err().contains("needs time"));
        let mut bad = ok.clone();
        bad.date_format = Some("%d".into());
        assert!(bad.validate_events().unwrap_err().contains("time_format"));
        let mut bad = ok;
        bad.constants.clear();
        assert!(bad.validate_events().unwrap_err().contains("verb"));
    }

    #[test]
    fn date_and_time_in_two_columns_are_one_time() {
        let text = "Leerling;Datum;Tijd;Actie\nL1;20-01-2025;09:14;gestart\nL1;20-01-2025;;gestart\nL1;20-01-2025;9u14;gestart\n";
        let m = Mapping {
            columns: map(&[
                ("pupil_id", "Leerling"),
                ("date", "Datum"),
                ("time", "Tijd"),
                ("verb", "Actie"),
            ]),
            values: BTreeMap::from([("verb".to_string(), map(&[("gestart", "attempt")]))]),
            ..Mapping::default()
        };
        assert!(m.validate_events().is_ok());
        let (rows, read, accepted, rejects) = read_for("L1", text, &m);
        // The row without a clock time is a day-only event; "9u14" is no time.
        assert_eq!((read, accepted), (3, 2));
        assert_eq!(
            rows[0].ts,
            DateTime::parse_from_rfc3339("2025-01-20T08:14:00Z")
                .unwrap()
                .timestamp_micros()
        );
        let r = rejects.first(1)[0];
        assert_eq!((r.line, r.column.as_str()), (4, "Datum + Tijd"));
    }
}
