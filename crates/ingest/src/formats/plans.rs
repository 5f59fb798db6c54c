//! Weekly plans (weekplanning) exports: pupil, ISO week, task, planned day, due date, done at.
//! Dutch headers `leerlingnummer;week;taak;gepland_op;deadline;klaar_op` or English
//! `pupil_id,week,task_id,planned_for,due,done_at` (`plans-csv`), or any layout through a
//! mapping (`mapped-plans`, [`read_mapped`]). Times are Dutch local time.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use leerwinst_core::pipeline::{MAPPED_PLAN_FIELDS, Mapping};
use leerwinst_core::term::date32;
use leerwinst_core::{Error, Result, Table, clock};

use crate::context::ReadContext;
use crate::delimited;
use crate::delimited::Column;
use crate::formats::mapped::{
    Cell, EXTRACT_MISMATCH, Extractors, apply_value_maps, base_fields, resolve_columns,
};
use crate::input::{date_reason, parse_date, parse_local_datetime};
use crate::record_loop::{Row, each_record};
use crate::rows::{PlanRow, intern};

fn monday_of(week: &str) -> Option<NaiveDate> {
    let (y, w) = week.trim().split_once("-W")?;
    NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, chrono::Weekday::Mon)
}

const PUPIL_ID: Column = Column::required("pupil id", &["leerlingnummer", "pupil_id", "leerling"]);
const WEEK: Column = Column::required("week", &["week"]).note("ISO `2025-W04`");
const TASK: Column = Column::required("task", &["taak", "task_id", "task"]);
const PLANNED_FOR: Column =
    Column::optional("planned for", &["gepland_op", "planned_for", "gepland"])
        .note("date `dd-mm-yyyy`");
const DUE: Column =
    Column::optional("due", &["deadline", "due", "inleverdatum"]).note("date `dd-mm-yyyy`");
const DONE_AT: Column = Column::optional("done at", &["klaar_op", "done_at", "afgerond_op"])
    .note("local `dd-mm-yyyy HH:MM`, empty = not done");

/// The columns of a weekly-plans export ([`crate::columns`]).
pub const COLUMNS: &[Column] = &[PUPIL_ID, WEEK, TASK, PLANNED_FOR, DUE, DONE_AT];

/// Reads a plans export; returns (rows, rows read).
pub fn read(ctx: &mut ReadContext<'_>, text: &str) -> Result<(Vec<PlanRow>, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let need = |aliases: &[&str], what: &str| {
        d.find(aliases).ok_or_else(|| {
            Error::input(
                &ctx.file,
                format!(
                    "no {what} column ({}); {}",
                    aliases.join(" / "),
                    d.header_listing()
                ),
            )
        })
    };
    let columns = [
        ("pupil_id", Some(need(PUPIL_ID.names, PUPIL_ID.what)?)),
        ("week", Some(need(WEEK.names, WEEK.what)?)),
        ("task_id", Some(need(TASK.names, TASK.what)?)),
        ("planned_for", d.find(PLANNED_FOR.names)),
        ("due", d.find(DUE.names)),
        ("done_at", d.find(DONE_AT.names)),
    ];
    let (rows, read) = each_record(ctx, Table::Plans, &d, |row, r| {
        let f: BTreeMap<String, Cell> = columns
            .iter()
            .filter_map(|(field, c)| {
                c.map(|i| {
                    let cell = Cell {
                        column: d.headers[i].clone(),
                        value: r.get(i).unwrap_or("").trim().to_string(),
                    };
                    (field.to_string(), cell)
                })
            })
            .collect();
        plan_row(row, &f, &Mapping::default())
    });
    Ok((rows, read))
}

/// Reads weekly plans in any layout through a mapping (`mapped-plans`); returns (rows, rows
/// read). The week may be left out: it is then the ISO week of the planned day, else of the due
/// date, else of the time done. `date_format` and `time_format` apply to the dates and the time
/// done.
pub fn read_mapped(
    ctx: &mut ReadContext<'_>,
    text: &str,
    m: &Mapping,
) -> Result<(Vec<PlanRow>, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let cols = resolve_columns(ctx, &d, m)?;
    let extract = Extractors::new(&ctx.file, &d, m, MAPPED_PLAN_FIELDS)?;
    let (rows, read) = each_record(ctx, Table::Plans, &d, |row, r| {
        let mut f = base_fields(&d, &cols, m, row.line, r);
        if let Err(c) = extract.apply(r, &mut f) {
            return row.reject(&c.column, &c.value, EXTRACT_MISMATCH);
        }
        apply_value_maps(m, &mut f);
        plan_row(row, &f, m)
    });
    Ok((rows, read))
}

/// One planned task from its fields (`pupil_id`, `week`, `task_id`, `planned_for`, `due`,
/// `done_at`), or its reject. `m` gives the date and time formats (none: the defaults).
fn plan_row(row: &mut Row<'_, '_>, f: &BTreeMap<String, Cell>, m: &Mapping) -> Option<PlanRow> {
    let empty = Cell {
        column: String::new(),
        value: String::new(),
    };
    let cell = |k: &str| f.get(k).unwrap_or(&empty);
    let id = cell("pupil_id");
    let pupil_key = row.pupil_key(&id.column, &id.value)?;
    let task = cell("task_id");
    if task.value.is_empty() {
        return row.reject(&task.column, "", "missing task");
    }
    // The reason is worked out only for a cell that does not parse (plan files are large).
    let date_of = |row: &mut Row<'_, '_>, k: &str| -> Option<Option<NaiveDate>> {
        let c = cell(k);
        if c.value.is_empty() {
            return Some(None);
        }
        let parsed = match &m.date_format {
            Some(fmt) => NaiveDate::parse_from_str(&c.value, fmt)
                .ok()
                .filter(|d| crate::input::plausible_year(d.year())),
            None => parse_date(&c.value),
        };
        if parsed.is_some() {
            return Some(parsed);
        }
        let expected = match &m.date_format {
            Some(fmt) => format!("not a date in the format {fmt}"),
            None => "not a date (expected dd-mm-yyyy)".to_string(),
        };
        row.reject(&c.column, &c.value, &date_reason(&c.value, &expected))
    };
    let planned_for = date_of(row, "planned_for")?;
    let due = date_of(row, "due")?;
    let done = cell("done_at");
    let done_at = if done.value.is_empty() {
        None
    } else {
        let parsed = match &m.time_format {
            Some(fmt) => crate::formats::mapped_events::parse_time(&done.value, Some(fmt)),
            None => parse_local_datetime(&done.value).map(clock::amsterdam_to_utc),
        };
        match parsed {
            Some(t) => Some(t),
            None => {
                return row.reject(
                    &done.column,
                    &done.value,
                    &date_reason(&done.value, "not a date-time (expected dd-mm-yyyy HH:MM)"),
                );
            }
        }
    };
    let week_cell = cell("week");
    let week = if week_cell.value.is_empty() && week_cell.column.is_empty() {
        // No week column: the ISO week of the first date there is.
        let day = planned_for
            .or(due)
            .or_else(|| done_at.map(|t| clock::utc_to_amsterdam(t).date()));
        match day {
            Some(d) => {
                let w = d.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            None => {
                return row.reject("", "", "no week and no date to place the plan in a week");
            }
        }
    } else {
        week_cell.value.clone()
    };
    let Some(monday) = monday_of(&week) else {
        return row.reject(
            &week_cell.column,
            &week_cell.value,
            "not an ISO week (expected e.g. 2025-W03)",
        );
    };
    Some(PlanRow {
        pupil_key: intern(&pupil_key),
        school_year: intern(&row.ctx.calendar.year_of(monday).to_string()),
        week: intern(&week),
        task_id: intern(&task.value),
        planned_for: planned_for.map(date32),
        due: due.map(date32),
        done_at: done_at.map(|t| t.timestamp_micros()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    #[test]
    fn plans_with_local_times_and_bad_rows() {
        let text = "leerlingnummer;week;taak;gepland_op;deadline;klaar_op\n\
L1;2025-W04;rek-1;21-01-2025;24-01-2025;21-01-2025 09:30\n\
L1;2025-W04;rek-2;22-01-2025;24-01-2025;\n\
L1;2025-W04;rek-3;32-01-2025;24-01-2025;\n\
L1;2025-W04;;22-01-2025;24-01-2025;\n\
L1;2025-X4;rek-5;22-01-2025;24-01-2025;\n";
        let mut ids = IdResolver::with_roster();
        ids.add("L1", "L1");
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("plans", "p.csv", &mut rejects, &ids, &pseudo);
        let (rows, read) = read(&mut ctx, text).unwrap();
        assert_eq!((rows.len(), read, rejects.total()), (2, 5, 3));
        assert_eq!(&*rows[0].school_year, "2024-2025");
        let utc = chrono::DateTime::parse_from_rfc3339("2025-01-21T08:30:00Z").unwrap();
        assert_eq!(rows[0].done_at, Some(utc.timestamp_micros()));
        assert_eq!(rows[1].done_at, None);
    }

    #[test]
    fn plans_in_another_layout_through_a_mapping() {
        // A planning tool's export: no week column, dates as yyyy-mm-dd, done as a time stamp.
        let text = "Leerling,Opdracht,Ingepland,Inleveren,Afgerond\n\
L1,rek-1,2025-01-21,2025-01-24,2025-01-21 09:30\n\
L1,rek-2,,2025-01-24,\n\
L1,,2025-01-22,,\n\
L1,rek-4,,,\n";
        let m = Mapping {
            columns: [
                ("pupil_id", "Leerling"),
                ("task_id", "Opdracht"),
                ("planned_for", "Ingepland"),
                ("due", "Inleveren"),
                ("done_at", "Afgerond"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            date_format: Some("%Y-%m-%d".into()),
            time_format: Some("%Y-%m-%d %H:%M".into()),
            ..Mapping::default()
        };
        assert!(m.validate_plans().is_ok(), "{:?}", m.validate_plans());
        let mut ids = IdResolver::with_roster();
        ids.add("L1", "L1");
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("planning", "planning.csv", &mut rejects, &ids, &pseudo);
        let (rows, read) = read_mapped(&mut ctx, text, &m).unwrap();
        assert_eq!((read, rows.len()), (4, 2));
        // The week from the planned day, else from the due date.
        assert_eq!(&*rows[0].week, "2025-W04");
        assert_eq!(&*rows[1].week, "2025-W04");
        assert_eq!(&*rows[0].school_year, "2024-2025");
        // 09:30 in Amsterdam in January is 08:30 UTC.
        assert_eq!(
            rows[0].done_at,
            Some(
                chrono::DateTime::parse_from_rfc3339("2025-01-21T08:30:00Z")
                    .unwrap()
                    .timestamp_micros()
            )
        );
        let reasons = rejects.line_reasons(5);
        assert_eq!(
            reasons,
            [
                "4: missing task",
                "5: no week and no date to place the plan in a week"
            ]
        );
    }
}
