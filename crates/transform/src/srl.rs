//! Self-regulation indicators per pupil and school year, from LMS events and weekly plans.
//!
//! Definitions (see docs/indicators.md for sources and how to read them):
//! - sessions: events split where the gap exceeds the session gap; time on task = sum of session
//!   spans;
//! - weekday regularity: (ln 7 - H(p)) / ln 7 with p the distribution of active days over
//!   weekdays (Boroujeni et al. 2016's PWD, normalised to [0, 1]);
//! - plan kept: share of planned tasks finished on or before the planned day (Dutch local date);
//! - on time: share of planned tasks with a due date finished on or before it;
//! - help after error: share of wrong answers followed, in the same session and task and before
//!   the next answer there, by a help or instruction event;
//! - persistence: share of wrong answers followed by another answer on the same item in the same
//!   session;
//! - composite: mean of the five z-scored within grade and school year (all signs +: higher is
//!   more self-regulated), with terciles.

use std::collections::{BTreeMap, HashMap, HashSet};

use arrow_array::ArrayRef;
use chrono::{DateTime, Datelike, NaiveDate};
use leerwinst_core::clock::utc_to_amsterdam;
use leerwinst_core::term::from_date32;
use leerwinst_store::{Frame, f64_array, i32_array, i64_array, opt, opt_bool, opt_str, str_array};
use rayon::prelude::*;

use crate::growth::Enrolled;
use leerwinst_stats::describe::mean_sd;

/// Indicators that enter the composite, in column order.
pub const COMPOSITE: [&str; 5] = [
    "weekday_regularity",
    "plan_kept_share",
    "on_time_share",
    "help_after_error_share",
    "persistence_share",
];

/// Minimum number of composite indicators a pupil needs for an index.
pub const MIN_INDICATORS: usize = 3;

/// One SRL row (columns as in `Table::Srl`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SrlRow {
    /// Pupil.
    pub pupil_key: String,
    /// School year.
    pub school_year: String,
    /// School.
    pub school_key: Option<String>,
    /// Grade.
    pub grade: Option<i32>,
    /// Events.
    pub events: i64,
    /// Sessions.
    pub sessions: i64,
    /// Active days.
    pub active_days: i64,
    /// Minutes.
    pub time_on_task_min: f64,
    /// The five composite indicators, in [`COMPOSITE`] order.
    pub ind: [Option<f64>; 5],
    /// Composite.
    pub srl_index: Option<f64>,
    /// Tercile.
    pub srl_tercile: Option<i32>,
    /// Why nulls.
    pub null_reason: Option<String>,
}

/// One event, as the indicators need it.
#[derive(Debug, Clone)]
pub struct Ev<'a> {
    /// Microseconds UTC.
    pub ts: i64,
    /// Canonical kind.
    pub kind: &'a str,
    /// Activity.
    pub object: Option<&'a str>,
    /// Task.
    pub task: Option<&'a str>,
    /// Success.
    pub success: Option<bool>,
}

/// A planned task: (planned day, due date) as Date32 and done-at as UTC microseconds.
pub type PlannedTask = (Option<i32>, Option<i32>, Option<i64>);

/// Settings.
#[derive(Debug, Clone, Copy)]
pub struct SrlSettings {
    /// Session gap in minutes.
    pub session_gap_min: f64,
    /// Minimum events for indicators.
    pub min_events: usize,
}

/// Event-based measures of one pupil-period: (sessions, active days, minutes, regularity,
/// help after error, persistence). `evs` must be sorted by time.
pub fn event_measures(
    evs: &[Ev<'_>],
    gap_min: f64,
) -> (i64, i64, f64, Option<f64>, Option<f64>, Option<f64>) {
    if evs.is_empty() {
        return (0, 0, 0.0, None, None, None);
    }
    let gap = (gap_min * 60e6) as i64;
    let mut session = vec![0usize; evs.len()];
    let mut sessions = 1;
    let mut minutes = 0.0;
    let mut start = evs[0].ts;
    for i in 1..evs.len() {
        if evs[i].ts - evs[i - 1].ts > gap {
            minutes += (evs[i - 1].ts - start) as f64 / 60e6;
            start = evs[i].ts;
            sessions += 1;
        }
        session[i] = sessions - 1;
    }
    minutes += (evs[evs.len() - 1].ts - start) as f64 / 60e6;

    let local_day = |ts: i64| -> NaiveDate {
        utc_to_amsterdam(DateTime::from_timestamp_micros(ts).expect("valid timestamp")).date()
    };
    let days: HashSet<NaiveDate> = evs.iter().map(|e| local_day(e.ts)).collect();
    let mut per_weekday = [0f64; 7];
    for d in &days {
        per_weekday[d.weekday().num_days_from_monday() as usize] += 1.0;
    }
    let n_days = days.len() as f64;
    let entropy: f64 = per_weekday
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| {
            let p = c / n_days;
            -p * p.ln()
        })
        .sum();
    let regularity = (n_days >= 2.0).then(|| (7f64.ln() - entropy) / 7f64.ln());

    let (mut errors, mut helped, mut retried) = (0usize, 0usize, 0usize);
    for (i, e) in evs.iter().enumerate() {
        if e.kind != "answer" || e.success != Some(false) {
            continue;
        }
        errors += 1;
        let mut got_help = false;
        let mut got_retry = false;
        for f in evs[i + 1..]
            .iter()
            .zip(&session[i + 1..])
            .take_while(|(_, s)| **s == session[i])
            .map(|(f, _)| f)
        {
            if f.kind == "answer" && f.object.is_some() && f.object == e.object {
                got_retry = true;
                break;
            }
            if f.task == e.task && matches!(f.kind, "help" | "instruction") && !got_help {
                got_help = true;
            }
            if f.kind == "answer" && f.task == e.task {
                break; // moved on to another item of the task
            }
        }
        helped += got_help as usize;
        retried += got_retry as usize;
    }
    let share = |k: usize| (errors > 0).then(|| k as f64 / errors as f64);
    (
        sessions as i64,
        days.len() as i64,
        minutes,
        regularity,
        share(helped),
        share(retried),
    )
}

/// Plan measures of one pupil-period: (plan kept share, on-time share).
pub fn plan_measures(plans: &[PlannedTask]) -> (Option<f64>, Option<f64>) {
    let done_day = |t: Option<i64>| {
        t.map(|t| utc_to_amsterdam(DateTime::from_timestamp_micros(t).expect("valid")).date())
    };
    let (mut planned, mut kept, mut due_n, mut on_time) = (0, 0, 0, 0);
    for &(p, d, done) in plans {
        let day = done_day(done);
        if let Some(p) = p {
            planned += 1;
            kept += day.is_some_and(|x| x <= from_date32(p)) as i32;
        }
        if let Some(d) = d {
            due_n += 1;
            on_time += day.is_some_and(|x| x <= from_date32(d)) as i32;
        }
    }
    (
        (planned > 0).then(|| kept as f64 / planned as f64),
        (due_n > 0).then(|| on_time as f64 / due_n as f64),
    )
}

/// Computes SRL rows for every pupil-year with events, plans or an enrollment.
pub fn compute(
    events: &Frame,
    plans: &Frame,
    enrolled: &HashMap<(String, String), Enrolled>,
    s: SrlSettings,
) -> Vec<SrlRow> {
    let (ep, ey, ets, ek, eo, et, es) = (
        events.str("pupil_key"),
        events.str("school_year"),
        events.ts("ts"),
        events.str("kind"),
        events.str("object_id"),
        events.str("task_id"),
        events.bool("success"),
    );
    let mut groups: HashMap<(&str, &str), Vec<u32>> = HashMap::new();
    for i in 0..events.len() {
        groups
            .entry((ep.value(i), ey.value(i)))
            .or_default()
            .push(i as u32);
    }
    let (pp, py, pf, pd, pdone) = (
        plans.str("pupil_key"),
        plans.str("school_year"),
        plans.date("planned_for"),
        plans.date("due"),
        plans.ts("done_at"),
    );
    let mut plan_groups: HashMap<(&str, &str), Vec<PlannedTask>> = HashMap::new();
    for i in 0..plans.len() {
        plan_groups
            .entry((pp.value(i), py.value(i)))
            .or_default()
            .push((opt(pf, i), opt(pd, i), opt(pdone, i)));
    }
    let mut keys: Vec<(String, String)> = groups
        .keys()
        .chain(plan_groups.keys())
        .map(|(p, y)| (p.to_string(), y.to_string()))
        .chain(enrolled.keys().cloned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    keys.sort();

    let mut rows: Vec<SrlRow> = keys
        .par_iter()
        .map(|(pupil, year)| {
            let k = (pupil.as_str(), year.as_str());
            let mut evs: Vec<Ev<'_>> = groups
                .get(&k)
                .map(|idx| {
                    idx.iter()
                        .map(|&i| {
                            let i = i as usize;
                            Ev {
                                ts: ets.value(i),
                                kind: ek.value(i),
                                object: opt_str(eo, i),
                                task: opt_str(et, i),
                                success: opt_bool(es, i),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            evs.sort_by_key(|e| e.ts);
            let (sessions, active_days, minutes, regularity, help, persist) =
                event_measures(&evs, s.session_gap_min);
            let (kept, on_time) = plan_groups
                .get(&k)
                .map(|p| plan_measures(p))
                .unwrap_or((None, None));
            let e = enrolled
                .get(&(pupil.clone(), year.clone()))
                .cloned()
                .unwrap_or_default();
            let mut row = SrlRow {
                pupil_key: pupil.clone(),
                school_year: year.clone(),
                school_key: e.school_key,
                grade: e.grade,
                events: evs.len() as i64,
                sessions,
                active_days,
                time_on_task_min: minutes,
                ind: [regularity, kept, on_time, help, persist],
                ..Default::default()
            };
            if evs.len() < s.min_events {
                row.ind = [None; 5];
                row.null_reason = Some(if evs.is_empty() {
                    "no LMS events in the period".to_string()
                } else {
                    format!(
                        "fewer than {} LMS events in the period ({})",
                        s.min_events,
                        evs.len()
                    )
                });
            }
            row
        })
        .collect();
    composite(&mut rows);
    rows
}

/// Fills `srl_index` and `srl_tercile`: indicators z-scored within grade x school year, averaged
/// over those available (at least [`MIN_INDICATORS`]), terciles of the index in the same groups.
pub fn composite(rows: &mut [SrlRow]) {
    let mut groups: BTreeMap<(Option<i32>, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        groups
            .entry((r.grade, r.school_year.clone()))
            .or_default()
            .push(i);
    }
    for idx in groups.values() {
        let stats: Vec<Option<(f64, f64)>> = (0..5)
            .map(|j| {
                let v: Vec<f64> = idx.iter().filter_map(|&i| rows[i].ind[j]).collect();
                let (m, sd) = mean_sd(&v);
                (v.len() >= 2 && sd > 0.0).then_some((m, sd))
            })
            .collect();
        for &i in idx {
            let zs: Vec<f64> = (0..5)
                .filter_map(|j| Some((rows[i].ind[j]? - stats[j]?.0) / stats[j]?.1))
                .collect();
            if zs.len() >= MIN_INDICATORS {
                rows[i].srl_index = Some(zs.iter().sum::<f64>() / zs.len() as f64);
            } else if rows[i].null_reason.is_none() {
                rows[i].null_reason =
                    Some(format!("fewer than {MIN_INDICATORS} indicators computable"));
            }
        }
        let mut with: Vec<(f64, usize)> = idx
            .iter()
            .filter_map(|&i| Some((rows[i].srl_index?, i)))
            .collect();
        with.sort_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then(rows[a.1].pupil_key.cmp(&rows[b.1].pupil_key))
        });
        let n = with.len();
        for (rank, &(_, i)) in with.iter().enumerate() {
            rows[i].srl_tercile = Some((3 * rank / n.max(1)) as i32 + 1);
        }
    }
}

/// Arrow columns of SRL rows, in `Table::Srl` order.
pub fn columns(rows: &[SrlRow]) -> Vec<ArrayRef> {
    let mut cols = vec![
        str_array(&rows.iter().map(|r| Some(&r.pupil_key)).collect::<Vec<_>>()),
        str_array(
            &rows
                .iter()
                .map(|r| Some(&r.school_year))
                .collect::<Vec<_>>(),
        ),
        str_array(
            &rows
                .iter()
                .map(|r| r.school_key.as_ref())
                .collect::<Vec<_>>(),
        ),
        i32_array(rows.iter().map(|r| r.grade).collect()),
        i64_array(rows.iter().map(|r| Some(r.events)).collect()),
        i64_array(rows.iter().map(|r| Some(r.sessions)).collect()),
        i64_array(rows.iter().map(|r| Some(r.active_days)).collect()),
        f64_array(rows.iter().map(|r| Some(r.time_on_task_min)).collect()),
    ];
    for j in 0..5 {
        cols.push(f64_array(rows.iter().map(|r| r.ind[j]).collect()));
    }
    cols.push(f64_array(rows.iter().map(|r| r.srl_index).collect()));
    cols.push(i32_array(rows.iter().map(|r| r.srl_tercile).collect()));
    cols.push(str_array(
        &rows
            .iter()
            .map(|r| r.null_reason.as_ref())
            .collect::<Vec<_>>(),
    ));
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    fn ev(
        min: i64,
        kind: &'static str,
        object: &'static str,
        task: &'static str,
        success: Option<bool>,
    ) -> Ev<'static> {
        // 2025-01-20 (a Monday) 08:00 UTC = 09:00 Amsterdam.
        let base = 1_737_360_000_000_000i64;
        Ev {
            ts: base + min * MIN,
            kind,
            object: Some(object),
            task: Some(task),
            success,
        }
    }

    #[test]
    fn sessions_split_at_the_gap_and_time_on_task_sums_spans() {
        let evs = [
            ev(0, "attempt", "t1", "t1", None),
            ev(5, "answer", "i1", "t1", Some(true)),
            ev(30, "answer", "i2", "t1", Some(true)), // 25 min gap: new session
            ev(40, "complete", "t1", "t1", Some(true)),
        ];
        let (sessions, days, minutes, regularity, help, persist) = event_measures(&evs, 15.0);
        assert_eq!((sessions, days), (2, 1));
        assert!((minutes - 15.0).abs() < 1e-9);
        assert_eq!(regularity, None, "one active day gives no regularity");
        assert_eq!((help, persist), (None, None), "no errors, no shares");
        assert_eq!(event_measures(&evs, 30.0).0, 1);
    }

    #[test]
    fn help_and_persistence_after_errors() {
        let evs = [
            ev(0, "answer", "i1", "t1", Some(false)),
            ev(1, "help", "i1/hint", "t1", None),
            ev(2, "answer", "i1", "t1", Some(true)), // error 1: helped and retried
            ev(3, "answer", "i2", "t1", Some(false)),
            ev(4, "answer", "i3", "t1", Some(true)), // error 2: moved on
            ev(5, "answer", "i4", "t1", Some(false)),
            ev(60, "answer", "i4", "t1", Some(true)), // error 3: retry only in a later session
        ];
        let (_, _, _, _, help, persist) = event_measures(&evs, 15.0);
        assert!((help.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((persist.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn weekday_regularity_is_one_for_a_single_weekday_and_zero_for_uniform() {
        let day = 24 * 60;
        let week = 7 * day;
        let same: Vec<_> = (0..4)
            .map(|w| ev(w * week, "attempt", "t", "t", None))
            .collect();
        assert!((event_measures(&same, 15.0).3.unwrap() - 1.0).abs() < 1e-12);
        let all: Vec<_> = (0..7)
            .map(|d| ev(d * day, "attempt", "t", "t", None))
            .collect();
        assert!(event_measures(&all, 15.0).3.unwrap().abs() < 1e-12);
    }

    #[test]
    fn plans_kept_and_on_time_use_the_dutch_date() {
        let d = |y, m, dd| leerwinst_core::term::date32(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
        // Done 2025-01-20 23:30 UTC = 21 January 00:30 in Amsterdam: a day after the plan.
        let late_night = DateTime::parse_from_rfc3339("2025-01-20T23:30:00Z")
            .unwrap()
            .timestamp_micros();
        let morning = DateTime::parse_from_rfc3339("2025-01-20T08:00:00Z")
            .unwrap()
            .timestamp_micros();
        let plans = [
            (Some(d(2025, 1, 20)), Some(d(2025, 1, 24)), Some(late_night)),
            (Some(d(2025, 1, 20)), Some(d(2025, 1, 24)), Some(morning)),
            (Some(d(2025, 1, 21)), Some(d(2025, 1, 24)), None),
            (None, Some(d(2025, 1, 19)), Some(morning)),
        ];
        let (kept, on_time) = plan_measures(&plans);
        assert!((kept.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((on_time.unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn composite_and_terciles() {
        let mut rows: Vec<SrlRow> = (0..9)
            .map(|i| SrlRow {
                pupil_key: format!("p{i}"),
                school_year: "2024-2025".into(),
                grade: Some(5),
                ind: [
                    Some(i as f64),
                    Some(i as f64 * 2.0),
                    Some(0.5),
                    None,
                    Some(-(i as f64)),
                ],
                ..Default::default()
            })
            .collect();
        rows.push(SrlRow {
            pupil_key: "q".into(),
            school_year: "2024-2025".into(),
            grade: Some(5),
            ..Default::default()
        });
        composite(&mut rows);
        // The constant indicator (sd 0) is left out: (z(i) + z(2i) + z(-i)) / 3 = z(i) / 3.
        let z4 = rows[4].srl_index.unwrap();
        assert!(z4.abs() < 1e-12);
        assert!(rows[8].srl_index.unwrap() > rows[7].srl_index.unwrap());
        let terciles: Vec<_> = rows[..9].iter().map(|r| r.srl_tercile.unwrap()).collect();
        assert_eq!(terciles, [1, 1, 1, 2, 2, 2, 3, 3, 3]);
        assert_eq!(rows[9].srl_index, None);
        assert!(
            rows[9]
                .null_reason
                .as_deref()
                .unwrap()
                .contains("indicators")
        );
    }
}
