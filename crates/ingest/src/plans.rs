//! Weekly plans (weekplanning) exports: pupil, ISO week, task, planned day, due date, done at.
//! Dutch headers `leerlingnummer;week;taak;gepland_op;deadline;klaar_op` or English
//! `pupil_id,week,task_id,planned_for,due,done_at`. Times are Dutch local time.

use chrono::NaiveDate;
use leerwinst_core::term::date32;
use leerwinst_core::{Error, Result, SchoolYear, Table, clock};

use crate::context::Ctx;
use crate::delimited;
use crate::input::{date_reason, parse_date, parse_local_datetime};
use crate::rows::PlanRow;

fn monday_of(week: &str) -> Option<NaiveDate> {
    let (y, w) = week.trim().split_once("-W")?;
    NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, chrono::Weekday::Mon)
}

/// Reads a plans export; returns (rows, rows read).
pub fn read(ctx: &mut Ctx<'_>, text: &str) -> Result<(Vec<PlanRow>, usize)> {
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
    let c_id = need(&["leerlingnummer", "pupil_id", "leerling"], "pupil id")?;
    let c_week = need(&["week"], "week")?;
    let c_task = need(&["taak", "task_id", "task"], "task")?;
    let c_plan = d.find(&["gepland_op", "planned_for", "gepland"]);
    let c_due = d.find(&["deadline", "due", "inleverdatum"]);
    let c_done = d.find(&["klaar_op", "done_at", "afgerond_op"]);
    let h = |i: usize| d.headers[i].clone();
    let mut rows = Vec::new();
    let mut read = 0;
    for rec in &d.records {
        read += 1;
        let (line, r) = match rec {
            Ok(x) => (x.0, &x.1),
            Err((line, why)) => {
                ctx.reject(Table::Plans, *line, "", "", why);
                continue;
            }
        };
        let Some(pupil_key) = ctx.pupil_key(Table::Plans, line, &h(c_id), &r[c_id]) else {
            continue;
        };
        let Some(monday) = monday_of(&r[c_week]) else {
            ctx.reject(
                Table::Plans,
                line,
                &h(c_week),
                &r[c_week],
                "not an ISO week (expected e.g. 2025-W03)",
            );
            continue;
        };
        let task = r[c_task].trim();
        if task.is_empty() {
            ctx.reject(Table::Plans, line, &h(c_task), "", "missing task");
            continue;
        }
        let mut date_of = |c: Option<usize>| -> std::result::Result<Option<i32>, ()> {
            match c.map(|i| r[i].trim()) {
                None | Some("") => Ok(None),
                Some(v) => match parse_date(v) {
                    Some(x) => Ok(Some(date32(x))),
                    None => {
                        ctx.reject(
                            Table::Plans,
                            line,
                            &h(c.unwrap_or_default()),
                            v,
                            &date_reason(v, "not a date (expected dd-mm-yyyy)"),
                        );
                        Err(())
                    }
                },
            }
        };
        let Ok(planned_for) = date_of(c_plan) else {
            continue;
        };
        let Ok(due) = date_of(c_due) else { continue };
        let done_at = match c_done.map(|i| r[i].trim()) {
            None | Some("") => None,
            Some(v) => match parse_local_datetime(v) {
                Some(t) => Some(clock::amsterdam_to_utc(t).timestamp_micros()),
                None => {
                    ctx.reject(
                        Table::Plans,
                        line,
                        &h(c_done.unwrap_or_default()),
                        v,
                        &date_reason(v, "not a date-time (expected dd-mm-yyyy HH:MM)"),
                    );
                    continue;
                }
            },
        };
        rows.push(PlanRow {
            pupil_key,
            school_year: SchoolYear::of_date(monday).to_string(),
            week: r[c_week].trim().to_string(),
            task_id: task.to_string(),
            planned_for,
            due,
            done_at,
        });
    }
    Ok((rows, read))
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
        let mut ctx = Ctx {
            source: "plans",
            file: "p.csv".into(),
            rejects: &mut rejects,
            ids: &ids,
            pseudo: &pseudo,
        };
        let (rows, read) = read(&mut ctx, text).unwrap();
        assert_eq!((rows.len(), read, rejects.total()), (2, 5, 3));
        assert_eq!(rows[0].school_year, "2024-2025");
        let utc = chrono::DateTime::parse_from_rfc3339("2025-01-21T08:30:00Z").unwrap();
        assert_eq!(rows[0].done_at, Some(utc.timestamp_micros()));
        assert_eq!(rows[1].done_at, None);
    }
}
