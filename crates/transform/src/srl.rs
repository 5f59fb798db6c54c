//! Self-regulation indicators per pupil and school year and per term, from LMS events and weekly
//! plans.
//!
//! Definitions (see docs/indicators.md for each one's source, the direction that counts as more
//! self-regulated and why, and the data it needs); Dutch local time throughout:
//! - sessions: events split where the gap exceeds the session gap; time on task = sum of session
//!   spans (both null on a log whose timestamps carry dates only);
//! - time management: active-week share = share of the period's course weeks (weeks in which at
//!   least a tenth of the grade's pupils were active) with any activity of the pupil; weekly
//!   similarity = mean Jaccard similarity of the active weeks' sets of active weekdays
//!   (Boroujeni et al. 2016, WS1);
//! - concentration (descriptive, not in the composite): weekday and hour concentration
//!   (Boroujeni et al. 2016's PWD and PDH) = (ln k - H) / ln k over the active days' weekdays or
//!   the active day-hours' hours; 1 when all activity falls on one weekday (hour), so a pupil
//!   active on every weekday scores 0: they measure concentration, not regularity;
//! - planning: share of planned tasks finished on or before the planned day; share of tasks with
//!   a due date finished on or before it; median lateness, done day minus planned day;
//! - procrastination: median margin, hours from finishing to the end of the due day;
//! - help-seeking: help and instruction requests per task worked on; share of wrong answers
//!   followed, in the same session and task and before the next answer there, by a help or
//!   instruction event;
//! - persistence: share of wrong answers followed by another answer on the same item in the same
//!   session;
//! - self-monitoring: progress (dashboard) views and reflection entries per active week;
//! - composite: the [`COMPOSITE`] indicators z-scored within grade and period, sign-aligned so
//!   that higher is more self-regulated, averaged with equal weights; with terciles. Components
//!   without values or constant on the data do not enter; [`CompositeReport`] says which did,
//!   and the index's reliability (alpha, omega).
//!
//! Periods: the school year (`srl`) and each of its terms (`srl_term`, [`Terms`]); the weekly
//! series is in [`crate::srl_weekly`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use arrow_array::ArrayRef;
use chrono::{DateTime, NaiveDate};
use leerwinst_core::Result;
use leerwinst_core::clock::{amsterdam_to_utc, date_of_day, utc_to_amsterdam};
use leerwinst_core::term::{Calendar, SchoolYear, Terms, date32, from_date32};
use leerwinst_store::{Frame, date_array, f64_array, i32_array, i64_array, opt, str_array};
use rayon::prelude::*;

use crate::event_stream::{EventView, GROUP_EVENTS, for_each_pupil};
use crate::growth::Enrolled;
use crate::srl_measures::{PlanMeasures, PlannedTask, event_measures, plan_measures};
use crate::srl_weekly::{WeeklyRow, pupil_weeks};
use leerwinst_stats::describe::mean_sd;
use leerwinst_stats::reliability;

/// Indicators that enter the composite, in column order, with their sign: +1 where a higher
/// value means more self-regulation, -1 where lower does (lateness). The directions are argued
/// from the literature in docs/indicators.md, not fitted.
pub const COMPOSITE: [(&str, f64); 10] = [
    ("active_week_share", 1.0),
    ("weekly_similarity", 1.0),
    ("plan_kept_share", 1.0),
    ("on_time_share", 1.0),
    ("median_lateness_days", -1.0),
    ("deadline_margin_h", 1.0),
    ("help_after_error_share", 1.0),
    ("persistence_share", 1.0),
    ("progress_views_per_week", 1.0),
    ("reflections_per_week", 1.0),
];

/// Number of composite indicators.
pub const N_IND: usize = COMPOSITE.len();

/// Minimum number of composite indicators a pupil needs for an index.
pub const MIN_INDICATORS: usize = 3;

/// A term of a school year: its number and first and last day (Date32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TermSpan {
    /// Term number, from 1.
    pub term: i32,
    /// First day.
    pub start: i32,
    /// Last day.
    pub end: i32,
}

/// One SRL row (columns as in `Table::Srl`, or `Table::SrlTerm` for a term's row).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SrlRow {
    /// Pupil.
    pub pupil_key: String,
    /// School year.
    pub school_year: String,
    /// The term, for a row of one term; `None` for the school year's row.
    pub term: Option<TermSpan>,
    /// School.
    pub school_key: Option<String>,
    /// Grade.
    pub grade: Option<i32>,
    /// Events.
    pub events: i64,
    /// Sessions (null when the timestamps carry dates only).
    pub sessions: Option<i64>,
    /// Active days.
    pub active_days: i64,
    /// Minutes (null when the timestamps carry dates only).
    pub time_on_task_min: Option<f64>,
    /// Weekday concentration (PWD).
    pub weekday_concentration: Option<f64>,
    /// Hour concentration (PDH; null when the timestamps carry dates only).
    pub hour_concentration: Option<f64>,
    /// Active weeks as bits, week 0 = the week of the school year's first day; the active-week
    /// share is made from it over the group's course weeks ([`composite`]).
    pub active_weeks: u64,
    /// The composite indicators, in [`COMPOSITE`] order.
    pub ind: [Option<f64>; N_IND],
    /// Help and instruction requests per task worked on (not in the composite: more help is not
    /// by itself more or less self-regulated).
    pub help_per_task: Option<f64>,
    /// Composite.
    pub srl_index: Option<f64>,
    /// Tercile.
    pub srl_tercile: Option<i32>,
    /// Why nulls.
    pub null_reason: Option<String>,
}

/// Settings.
#[derive(Debug, Clone, Copy)]
pub struct SrlSettings {
    /// Session gap in minutes.
    pub session_gap_min: f64,
    /// Minimum events for indicators.
    pub min_events: usize,
}

/// Planned tasks per pupil-year, and per pupil-year-week for the weekly series.
#[derive(Debug, Default)]
pub struct PlanIndex {
    /// (pupil, school year) -> tasks.
    pub yearly: HashMap<(String, String), Vec<PlannedTask>>,
    /// (pupil, school year) -> week -> tasks.
    pub weekly: HashMap<(String, String), BTreeMap<String, Vec<PlannedTask>>>,
}

impl PlanIndex {
    /// Indexes the plans table.
    pub fn new(plans: &Frame) -> Self {
        let (pp, py, pw, pf, pd, pdone) = (
            plans.str("pupil_key"),
            plans.str("school_year"),
            plans.str("week"),
            plans.date("planned_for"),
            plans.date("due"),
            plans.ts("done_at"),
        );
        let mut ix = PlanIndex::default();
        for i in 0..plans.len() {
            let key = (pp.value(i).to_string(), py.value(i).to_string());
            let task = PlannedTask::new(opt(pf, i), opt(pd, i), opt(pdone, i));
            ix.yearly.entry(key.clone()).or_default().push(task);
            ix.weekly
                .entry(key)
                .or_default()
                .entry(pw.value(i).to_string())
                .or_default()
                .push(task);
        }
        ix
    }
}

/// The SRL row of one pupil-period from its events (sorted by time) and planned tasks; the
/// composite is filled later over all rows ([`composite`]).
pub fn pupil_row(
    key: &(String, String),
    term: Option<TermSpan>,
    evs: &[EventView<'_>],
    plans: &[PlannedTask],
    enrolled: &HashMap<(String, String), Enrolled>,
    s: SrlSettings,
    calendar: Calendar,
) -> SrlRow {
    let m = event_measures(evs, s.session_gap_min);
    let pm = if plans.is_empty() {
        PlanMeasures::default()
    } else {
        plan_measures(plans)
    };
    let e = enrolled.get(key).cloned().unwrap_or_default();
    let mut row = SrlRow {
        pupil_key: key.0.clone(),
        school_year: key.1.clone(),
        term,
        school_key: e.school_key,
        grade: e.grade,
        events: evs.len() as i64,
        sessions: m.sessions,
        active_days: m.active_days,
        time_on_task_min: m.minutes,
        weekday_concentration: m.weekday_concentration,
        hour_concentration: m.hour_concentration,
        active_weeks: SchoolYear::parse(&key.1)
            .map_or(0, |y| active_weeks(evs, calendar.first_day(y))),
        ind: [
            None, // active-week share: over the group's course weeks, in [`composite`]
            m.weekly_similarity,
            pm.kept,
            pm.on_time,
            pm.median_lateness_days,
            pm.deadline_margin_h,
            m.help_after_error,
            m.persistence,
            m.progress_views_per_week,
            m.reflections_per_week,
        ],
        help_per_task: m.help_per_task,
        ..Default::default()
    };
    if evs.len() < s.min_events {
        row.ind = [None; N_IND];
        row.help_per_task = None;
        row.weekday_concentration = None;
        row.hour_concentration = None;
        row.active_weeks = 0;
        row.null_reason = Some(if evs.is_empty() {
            "no LMS events in the period".to_string()
        } else {
            format!(
                "fewer than {} LMS events in the period ({})",
                s.min_events,
                evs.len()
            )
        });
    } else if m.dates_only {
        row.null_reason = Some(DATES_ONLY.to_string());
    }
    row
}

/// The null reason of sessions, time on task and hour concentration on a log without clock
/// times.
pub const DATES_ONLY: &str =
    "timestamps carry dates only: no sessions, time on task or hour concentration";

/// Active weeks as bits: bit k = an event in the k-th week (Monday to Sunday, Dutch dates)
/// counted from the week of `year_start`; weeks past the 64th share the last bit.
pub fn active_weeks(evs: &[EventView<'_>], year_start: NaiveDate) -> u64 {
    let first_monday = year_start.week(chrono::Weekday::Mon).first_day();
    let first_monday = (first_monday - date_of_day(0)).num_days();
    evs.iter().fold(0u64, |mask, e| {
        let day = i64::from(e.day);
        let k = ((day - first_monday).max(0) / 7).min(63);
        mask | 1 << k
    })
}

/// The day a planned task belongs to: planned day, else due date, else the Dutch date it was
/// done (Date32); `None` for a task with none of them.
fn task_day(task: &PlannedTask) -> Option<NaiveDate> {
    task.planned_day
        .or(task.due_day)
        .map(from_date32)
        .or_else(|| {
            task.done_at
                .and_then(DateTime::from_timestamp_micros)
                .map(|t| utc_to_amsterdam(t).date())
        })
}

/// The rows of one pupil-year's terms, each with the term's events and planned tasks, and
/// whether the term has any of them.
fn pupil_term_rows(
    key: &(String, String),
    evs: &[EventView<'_>],
    plans: &[PlannedTask],
    terms: &Terms,
    enrolled: &HashMap<(String, String), Enrolled>,
    s: SrlSettings,
) -> Vec<(SrlRow, bool)> {
    let Some(year) = SchoolYear::parse(&key.1) else {
        return Vec::new();
    };
    let mut by_term: Vec<Vec<PlannedTask>> = vec![Vec::new(); terms.len()];
    for t in plans {
        if let Some(d) = task_day(t) {
            by_term[terms.of_date(d) - 1].push(*t);
        }
    }
    let mut rest = evs;
    (1..=terms.len())
        .map(|t| {
            let (first, last) = terms.bounds(year, t);
            // Events before the end of the term's last Dutch day (sorted by time).
            let end = last
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(i64::MAX, |d| amsterdam_to_utc(d).timestamp_micros());
            let n = if t == terms.len() {
                rest.len()
            } else {
                rest.partition_point(|e| e.ts < end)
            };
            let (mine, later) = rest.split_at(n);
            rest = later;
            let span = TermSpan {
                term: t as i32,
                start: date32(first),
                end: date32(last),
            };
            let plans = &by_term[t - 1];
            let active = !mine.is_empty() || !plans.is_empty();
            (
                pupil_row(key, Some(span), mine, plans, enrolled, s, terms.calendar()),
                active,
            )
        })
        .collect()
}

/// What [`compute`] yields.
#[derive(Debug, Default)]
pub struct SrlOutput {
    /// One row per pupil-year with events, plans or an enrollment, sorted by school year and
    /// pupil, with the composite.
    pub rows: Vec<SrlRow>,
    /// One row per pupil-year and term, for the pupil-years of `rows`: every term with events or
    /// plans, and every term begun by the last day of the data; with the composite per term.
    pub terms: Vec<SrlRow>,
    /// Rows of the weekly series handed out.
    pub weekly_rows: usize,
    /// Events read.
    pub events_read: usize,
    /// The school-year index: which indicators entered, its reliability.
    pub composite: CompositeReport,
    /// The same for the index per term.
    pub term_composite: CompositeReport,
}

/// One pupil-year's rows.
#[derive(Debug, Clone)]
pub struct PupilYearRows {
    /// The school year's row.
    pub year: SrlRow,
    /// Its terms' rows, each with whether the term has events or plans.
    pub terms: Vec<(SrlRow, bool)>,
    /// Its weeks' rows.
    pub weeks: Vec<WeeklyRow>,
}

/// The planned tasks of one pupil-year: all of them, and by ISO week.
#[derive(Debug, Clone, Copy)]
pub struct PupilPlans<'a> {
    /// Every task of the pupil-year.
    pub tasks: &'a [PlannedTask],
    /// The tasks by ISO week `YYYY-Www`.
    pub weeks: &'a BTreeMap<String, Vec<PlannedTask>>,
}

/// Every row of one pupil-year, from its events (sorted by time) and planned tasks: the one
/// definition of the per-pupil indicators, used by [`compute`] and by the kernel Spark calls
/// ([`crate::srl_kernel`]). The composite and the choice of terms kept are run-wide
/// ([`finish`]).
pub fn pupil_year_rows(
    key: &(String, String),
    evs: &[EventView<'_>],
    plans: PupilPlans<'_>,
    enrolled: &HashMap<(String, String), Enrolled>,
    terms: &Terms,
    s: SrlSettings,
) -> PupilYearRows {
    PupilYearRows {
        year: pupil_row(key, None, evs, plans.tasks, enrolled, s, terms.calendar()),
        terms: pupil_term_rows(key, evs, plans.tasks, terms, enrolled, s),
        weeks: pupil_weeks(&key.0, &key.1, evs, plans.weeks, s.session_gap_min),
    }
}

/// Computes the SRL rows per pupil-year and per term for every pupil-year with events, plans or
/// an enrollment, streaming the events table at `events_dir` pupil by pupil
/// ([`crate::event_stream`]): memory holds a group of pupils' events, not the table. The weekly
/// series goes to `weekly` as it is made, in (school year, pupil, week) order, so it is never
/// held whole either.
pub fn compute(
    events_dir: &Path,
    plans: &Frame,
    enrolled: &HashMap<(String, String), Enrolled>,
    terms: &Terms,
    s: SrlSettings,
    mut weekly: impl FnMut(Vec<WeeklyRow>) -> Result<()>,
) -> Result<SrlOutput> {
    let plan_index = PlanIndex::new(plans);
    let no_weeks = BTreeMap::new();
    let rows_of = |key: &(String, String), evs: &[EventView<'_>]| -> PupilYearRows {
        let plans = PupilPlans {
            tasks: plan_index.yearly.get(key).map_or(&[][..], |v| v),
            weeks: plan_index.weekly.get(key).unwrap_or(&no_weeks),
        };
        pupil_year_rows(key, evs, plans, enrolled, terms, s)
    };
    // Pupil-years with plans or an enrollment, in stream order (school year, pupil): those
    // without events are merged into the stream where they belong.
    let others: Vec<(String, String)> = plan_index
        .yearly
        .keys()
        .chain(enrolled.keys())
        .map(|(p, y)| (y.clone(), p.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut next_other = 0;
    let mut rows = Vec::new();
    let mut term_rows: Vec<(SrlRow, bool)> = Vec::new();
    let mut last_day: Option<NaiveDate> = None;
    let mut weekly_rows = 0;
    let mut keep = |done: PupilYearRows, week_rows: &mut Vec<WeeklyRow>| {
        let PupilYearRows { year, terms, weeks } = done;
        rows.push(year);
        term_rows.extend(terms);
        last_day = last_day.max(last_week_day(&weeks));
        week_rows.extend(weeks);
    };
    let events_read = for_each_pupil(events_dir, GROUP_EVENTS, |group| {
        let done: Vec<PupilYearRows> = group
            .par_iter()
            .map(|pe| rows_of(&(pe.pupil_key.clone(), pe.school_year.clone()), &pe.view()))
            .collect();
        let mut week_rows = Vec::new();
        for (pe, d) in group.iter().zip(done) {
            let here = (pe.school_year.clone(), pe.pupil_key.clone());
            while next_other < others.len() && others[next_other] <= here {
                let (y, p) = &others[next_other];
                next_other += 1;
                if (y, p) != (&here.0, &here.1) {
                    keep(rows_of(&(p.clone(), y.clone()), &[]), &mut week_rows);
                }
            }
            keep(d, &mut week_rows);
        }
        weekly_rows += week_rows.len();
        weekly(week_rows)
    })?;
    let mut week_rows = Vec::new();
    for (y, p) in &others[next_other..] {
        keep(rows_of(&(p.clone(), y.clone()), &[]), &mut week_rows);
    }
    weekly_rows += week_rows.len();
    weekly(week_rows)?;
    let mut out = finish(rows, term_rows, last_day);
    out.weekly_rows = weekly_rows;
    out.events_read = events_read;
    Ok(out)
}

/// The Sunday of the last of a pupil-year's weeks (in week order), if any.
fn last_week_day(weeks: &[WeeklyRow]) -> Option<NaiveDate> {
    weeks.last().and_then(|w| week_last_day(&w.week))
}

/// The run-wide part of the indicators, over every pupil-year's rows: the composite of the
/// school years, the terms kept (those with events or plans, and those begun by `last_day`, the
/// last day of the data's last week) and their composite. `weekly_rows` and `events_read` of
/// the result are left 0 for the caller.
pub fn finish(
    mut rows: Vec<SrlRow>,
    term_rows: Vec<(SrlRow, bool)>,
    last_day: Option<NaiveDate>,
) -> SrlOutput {
    let year_composite = composite(&mut rows);
    // Terms without events or plans are kept only once begun by the last week of the data.
    let begun = last_day.map_or(i32::MIN, date32);
    let mut terms: Vec<SrlRow> = term_rows
        .into_iter()
        .filter(|(r, active)| *active || r.term.is_some_and(|t| t.start <= begun))
        .map(|(r, _)| r)
        .collect();
    let term_composite = composite(&mut terms);
    SrlOutput {
        rows,
        terms,
        weekly_rows: 0,
        events_read: 0,
        composite: year_composite,
        term_composite,
    }
}

/// The Sunday of an ISO week `YYYY-Www`.
pub fn week_last_day(week: &str) -> Option<NaiveDate> {
    let (y, w) = week.split_once("-W")?;
    NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, chrono::Weekday::Sun)
}

/// What each composite indicator needs from the data, for the report of those that did not
/// enter (in [`COMPOSITE`] order).
pub const NEEDS: [&str; N_IND] = [
    "events in at least two of the period's course weeks",
    "activity in at least two ISO weeks",
    "weekly plans with a planned day",
    "tasks with a due date",
    "finished weekly-plan tasks with a planned day",
    "finished tasks with a due date and a clock time",
    "answers marked right or wrong, and help or instruction events",
    "answers marked right or wrong on identifiable items",
    "progress (dashboard) view events",
    "reflection (logbook) events",
];

/// Share of a group's pupils (with enough events) that must be active in a week for it to be a
/// course week of the active-week share: weeks of holidays and stray activity do not count.
pub const COURSE_WEEK_SHARE: f64 = 0.1;

/// How one composite indicator fared on the data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ComponentReport {
    /// Indicator (column) name.
    pub name: &'static str,
    /// +1 when higher is more self-regulated, -1 when lower is.
    pub direction: f64,
    /// Pupil-periods with a value.
    pub values: usize,
    /// Groups (grade x period) in which it entered the index.
    pub groups_entered: usize,
    /// `entered`, `no_values` (not computable from this data) or `constant` (the same value
    /// for every pupil of every group).
    pub status: &'static str,
    /// What the indicator needs from the data.
    pub needs: &'static str,
    /// Loading on the one-factor model of the entered components (sign-aligned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loading: Option<f64>,
}

/// Which indicators entered the composite, and its reliability.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CompositeReport {
    /// Groups (grade x period).
    pub groups: usize,
    /// Pupil-periods with an index.
    pub with_index: usize,
    /// Per indicator of [`COMPOSITE`].
    pub components: Vec<ComponentReport>,
    /// Standardised Cronbach's alpha of the entered components (z-scores within group,
    /// sign-aligned, pairwise correlations).
    pub alpha: Option<f64>,
    /// McDonald's omega total from a one-factor model of the same correlations.
    pub omega: Option<f64>,
}

/// The active-week share of every row: weeks active among the group's course weeks (weeks in
/// which at least [`COURSE_WEEK_SHARE`] of the group's rows with events were active); null when
/// the group has fewer than two course weeks or the row has no indicators.
fn fill_active_week_share(rows: &mut [SrlRow], idx: &[usize]) {
    let active: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| rows[i].active_weeks != 0)
        .collect();
    let mut per_week = [0usize; 64];
    for &i in &active {
        for (k, n) in per_week.iter_mut().enumerate() {
            *n += (rows[i].active_weeks >> k & 1) as usize;
        }
    }
    let min = (COURSE_WEEK_SHARE * active.len() as f64).ceil().max(1.0) as usize;
    let course = (0..64)
        .filter(|&k| per_week[k] >= min)
        .fold(0u64, |m, k| m | 1 << k);
    for &i in idx {
        rows[i].ind[0] = None;
    }
    if course.count_ones() < 2 {
        return;
    }
    for i in active {
        rows[i].ind[0] =
            Some((rows[i].active_weeks & course).count_ones() as f64 / course.count_ones() as f64);
    }
}

/// Fills `active_week_share`, `srl_index` and `srl_tercile`: indicators z-scored within grade x
/// period (school year, or school year and term), sign-aligned, averaged with equal weights over
/// those available (at least [`MIN_INDICATORS`]); an indicator without values or constant in a
/// group does not enter there. Terciles of the index in the same groups. Returns which
/// indicators entered and the index's reliability.
pub fn composite(rows: &mut [SrlRow]) -> CompositeReport {
    let mut groups: BTreeMap<(Option<i32>, String, Option<i32>), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        groups
            .entry((r.grade, r.school_year.clone(), r.term.map(|t| t.term)))
            .or_default()
            .push(i);
    }
    let mut entered = [0usize; N_IND];
    // Sign-aligned z-scores per indicator, for the reliability.
    let mut z: Vec<Vec<Option<f64>>> = (0..N_IND).map(|_| Vec::with_capacity(rows.len())).collect();
    for idx in groups.values() {
        fill_active_week_share(rows, idx);
        let stats: Vec<Option<(f64, f64)>> = (0..N_IND)
            .map(|j| {
                let v: Vec<f64> = idx.iter().filter_map(|&i| rows[i].ind[j]).collect();
                let (m, sd) = mean_sd(&v);
                (v.len() >= 2 && sd > 0.0).then_some((m, sd))
            })
            .collect();
        for (j, s) in stats.iter().enumerate() {
            entered[j] += s.is_some() as usize;
        }
        for &i in idx {
            let zs: Vec<Option<f64>> = (0..N_IND)
                .map(|j| Some(COMPOSITE[j].1 * (rows[i].ind[j]? - stats[j]?.0) / stats[j]?.1))
                .collect();
            let have: Vec<f64> = zs.iter().flatten().copied().collect();
            if have.len() >= MIN_INDICATORS {
                rows[i].srl_index = Some(have.iter().sum::<f64>() / have.len() as f64);
            } else {
                let why = format!("fewer than {MIN_INDICATORS} indicators computable");
                match &mut rows[i].null_reason {
                    None => rows[i].null_reason = Some(why),
                    Some(r) if r == DATES_ONLY => *r = format!("{r}; {why}"),
                    Some(_) => {}
                }
            }
            for (j, v) in zs.into_iter().enumerate() {
                z[j].push(v);
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
    let used: Vec<usize> = (0..N_IND).filter(|&j| entered[j] > 0).collect();
    let cols: Vec<Vec<Option<f64>>> = used.iter().map(|&j| std::mem::take(&mut z[j])).collect();
    let r = reliability::matrix(&reliability::pairwise_correlations(&cols));
    let alpha = r.as_ref().and_then(reliability::standardised_alpha);
    let factor = r.as_ref().and_then(reliability::one_factor);
    let components = (0..N_IND)
        .map(|j| {
            let values = rows.iter().filter(|r| r.ind[j].is_some()).count();
            ComponentReport {
                name: COMPOSITE[j].0,
                direction: COMPOSITE[j].1,
                values,
                groups_entered: entered[j],
                status: match (entered[j], values) {
                    (0, 0) => "no_values",
                    (0, _) => "constant",
                    _ => "entered",
                },
                needs: NEEDS[j],
                loading: factor
                    .as_ref()
                    .and_then(|f| used.iter().position(|&u| u == j).map(|p| f.loadings[p])),
            }
        })
        .collect();
    CompositeReport {
        groups: groups.len(),
        with_index: rows.iter().filter(|r| r.srl_index.is_some()).count(),
        components,
        alpha,
        omega: factor.map(|f| f.omega),
    }
}

/// Arrow columns of SRL rows, in `Table::Srl` order, or `Table::SrlTerm` order with `terms`.
pub fn columns(rows: &[SrlRow], terms: bool) -> Vec<ArrayRef> {
    let mut cols = vec![
        str_array(&rows.iter().map(|r| Some(&r.pupil_key)).collect::<Vec<_>>()),
        str_array(
            &rows
                .iter()
                .map(|r| Some(&r.school_year))
                .collect::<Vec<_>>(),
        ),
    ];
    if terms {
        let span = |f: fn(TermSpan) -> i32| rows.iter().map(|r| r.term.map(f)).collect();
        cols.extend([
            i32_array(span(|t| t.term)),
            date_array(span(|t| t.start)),
            date_array(span(|t| t.end)),
        ]);
    }
    cols.extend([
        str_array(
            &rows
                .iter()
                .map(|r| r.school_key.as_ref())
                .collect::<Vec<_>>(),
        ),
        i32_array(rows.iter().map(|r| r.grade).collect()),
        i64_array(rows.iter().map(|r| Some(r.events)).collect()),
        i64_array(rows.iter().map(|r| r.sessions).collect()),
        i64_array(rows.iter().map(|r| Some(r.active_days)).collect()),
        f64_array(rows.iter().map(|r| r.time_on_task_min).collect()),
        f64_array(rows.iter().map(|r| r.weekday_concentration).collect()),
        f64_array(rows.iter().map(|r| r.hour_concentration).collect()),
    ]);
    for j in 0..N_IND {
        cols.push(f64_array(rows.iter().map(|r| r.ind[j]).collect()));
    }
    cols.push(f64_array(rows.iter().map(|r| r.help_per_task).collect()));
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
    use leerwinst_core::pipeline::EventKind;

    const MIN: i64 = 60_000_000;

    /// The number of task `s`, as [`PupilEvents::view`](crate::event_stream::PupilEvents::view)
    /// numbers tasks: the same text, the same number.
    fn number(s: &str) -> u32 {
        thread_local! {
            static NUMBERS: std::cell::RefCell<HashMap<String, u32>> =
                std::cell::RefCell::new(HashMap::new());
        }
        NUMBERS.with_borrow_mut(|n| {
            let next = n.len() as u32;
            *n.entry(s.to_string()).or_insert(next)
        })
    }

    fn ev(
        min: i64,
        kind: &str,
        object: &'static str,
        task: &str,
        success: Option<bool>,
    ) -> EventView<'static> {
        // 2025-01-20 (a Monday) 08:00 UTC = 09:00 Amsterdam.
        let base = 1_737_360_000_000_000i64;
        let kind = EventKind::parse(kind).expect("a kind");
        let (object, task) = (Some(object), Some(number(task)));
        EventView::new(base + min * MIN, kind, object, task, success)
    }

    #[test]
    fn sessions_split_at_the_gap_and_time_on_task_sums_spans() {
        let evs = [
            ev(0, "attempt", "t1", "t1", None),
            ev(5, "answer", "i1", "t1", Some(true)),
            ev(30, "answer", "i2", "t1", Some(true)), // 25 min gap: new session
            ev(40, "complete", "t1", "t1", Some(true)),
        ];
        let m = event_measures(&evs, 15.0);
        assert_eq!((m.sessions, m.active_days), (Some(2), 1));
        assert!((m.minutes.unwrap() - 15.0).abs() < 1e-9);
        assert_eq!(
            m.weekday_concentration, None,
            "one active day gives no concentration"
        );
        assert_eq!(m.hour_concentration, None);
        assert_eq!(
            m.weekly_similarity, None,
            "one active week gives no similarity"
        );
        assert_eq!(
            (m.help_after_error, m.persistence),
            (None, None),
            "no errors, no shares"
        );
        assert_eq!(m.help_per_task, Some(0.0), "one task, no help");
        assert_eq!(m.progress_views_per_week, Some(0.0));
        assert_eq!(event_measures(&evs, 30.0).sessions, Some(1));
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
        let m = event_measures(&evs, 15.0);
        assert!((m.help_after_error.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((m.persistence.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // One help request over the one task worked on.
        assert_eq!(m.help_per_task, Some(1.0));
    }

    #[test]
    fn weekday_concentration_is_one_for_a_single_weekday_and_zero_for_uniform() {
        let day = 24 * 60;
        let week = 7 * day;
        let same: Vec<_> = (0..4)
            .map(|w| ev(w * week, "attempt", "t", "t", None))
            .collect();
        let m = event_measures(&same, 15.0);
        assert!((m.weekday_concentration.unwrap() - 1.0).abs() < 1e-12);
        // Always 09:00 local: one hour bin.
        assert!((m.hour_concentration.unwrap() - 1.0).abs() < 1e-12);
        // Four weeks, each only Monday: identical weekly profiles.
        assert!((m.weekly_similarity.unwrap() - 1.0).abs() < 1e-12);
        let all: Vec<_> = (0..7)
            .map(|d| ev(d * day, "attempt", "t", "t", None))
            .collect();
        assert!(
            event_measures(&all, 15.0)
                .weekday_concentration
                .unwrap()
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn hour_concentration_and_weekly_similarity_by_hand() {
        let day = 24 * 60;
        let week = 7 * day;
        // Two active days, at 09:00 and 13:00 local (different hours): p = (1/2, 1/2) over 24
        // bins, so (ln 24 - ln 2) / ln 24.
        let evs = [
            ev(0, "attempt", "t", "t", None),
            ev(day + 4 * 60, "attempt", "t", "t", None),
        ];
        let m = event_measures(&evs, 15.0);
        let want = (24f64.ln() - 2f64.ln()) / 24f64.ln();
        assert!((m.hour_concentration.unwrap() - want).abs() < 1e-12);
        // The same hour on two days: one bin.
        let evs = [
            ev(0, "attempt", "t", "t", None),
            ev(day, "attempt", "t", "t", None),
        ];
        assert!((event_measures(&evs, 15.0).hour_concentration.unwrap() - 1.0).abs() < 1e-12);
        // Weeks {Mon, Tue}, {Mon}, {Wed}: Jaccard 1/2, 0, 0 -> mean 1/6.
        let evs = [
            ev(0, "attempt", "t", "t", None),
            ev(day, "attempt", "t", "t", None),
            ev(week, "attempt", "t", "t", None),
            ev(2 * week + 2 * day, "progress_view", "dash", "dash", None),
        ];
        let m = event_measures(&evs, 15.0);
        assert!((m.weekly_similarity.unwrap() - 1.0 / 6.0).abs() < 1e-12);
        // One progress view over three active weeks.
        assert!((m.progress_views_per_week.unwrap() - 1.0 / 3.0).abs() < 1e-12);
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
            PlannedTask::new(Some(d(2025, 1, 20)), Some(d(2025, 1, 24)), Some(late_night)),
            PlannedTask::new(Some(d(2025, 1, 20)), Some(d(2025, 1, 24)), Some(morning)),
            PlannedTask::new(Some(d(2025, 1, 21)), Some(d(2025, 1, 24)), None),
            PlannedTask::new(None, Some(d(2025, 1, 19)), Some(morning)),
        ];
        let m = plan_measures(&plans);
        assert!((m.kept.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((m.on_time.unwrap() - 0.5).abs() < 1e-12);
        // Lateness of the two finished planned tasks: 1 day and 0 days -> median 0.5.
        assert_eq!(m.median_lateness_days, Some(0.5));
        // Margins to the end of the due day (Amsterdam midnight = 23:00 UTC in winter):
        // 24 January 23:00 UTC - 20 January 23:30 = 95.5 h; - 20 January 08:00 = 111 h;
        // 19 January 23:00 UTC - 20 January 08:00 = -9 h (late). Median 95.5 h.
        assert!((m.deadline_margin_h.unwrap() - 95.5).abs() < 1e-9);
    }

    #[test]
    fn terms_years_and_weeks_from_the_stream_with_plan_only_and_enrolled_pupils_merged() {
        use leerwinst_core::Table;
        use leerwinst_store::{
            bool_array, date_array, read_table, str_array, ts_array, write_table,
        };
        let dir = tempfile::tempdir().unwrap();
        let ts = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp_micros();
        // Pupil a: two events in January (term 1), one reflection and an answer in February
        // (term 2); pupil c: September only. 31 January 23:30 UTC is 1 February in Amsterdam.
        let evs = [
            ("a", "2025-01-20T09:00:00Z", "attempt"),
            ("a", "2025-01-20T09:05:00Z", "answer"),
            ("a", "2025-01-31T23:30:00Z", "reflection"),
            ("a", "2025-02-03T09:00:00Z", "answer"),
            ("c", "2024-09-02T09:00:00Z", "attempt"),
        ];
        let n = evs.len();
        let cols: Vec<ArrayRef> = vec![
            str_array(&evs.iter().map(|e| Some(e.0)).collect::<Vec<_>>()),
            str_array(&vec![Some("2024-2025"); n]),
            ts_array(evs.iter().map(|e| Some(ts(e.1))).collect()),
            i64_array((0..n as i64).map(Some).collect()),
            str_array(&evs.iter().map(|e| Some(e.2)).collect::<Vec<_>>()),
            str_array(&vec![Some("v"); n]),
            str_array(&vec![Some("item"); n]),
            str_array(&vec![Some("task"); n]),
            str_array(&vec![None::<&str>; n]),
            bool_array(vec![Some(true); n]),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
        ];
        let events = dir.path().join("events");
        write_table(
            &events.join("school_year=2024-2025/part-0.parquet"),
            Table::Events,
            cols,
            &[],
        )
        .unwrap();
        // Pupil b has only a plan, in week 10 of 2025 (term 2), done on its planned day.
        let d = |y, m, dd| date32(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
        let plans_path = dir.path().join("plans.parquet");
        write_table(
            &plans_path,
            Table::Plans,
            vec![
                str_array(&[Some("b")]),
                str_array(&[Some("2024-2025")]),
                str_array(&[Some("2025-W10")]),
                str_array(&[Some("t1")]),
                date_array(vec![Some(d(2025, 3, 4))]),
                date_array(vec![Some(d(2025, 3, 7))]),
                ts_array(vec![Some(ts("2025-03-04T10:00:00Z"))]),
            ],
            &[],
        )
        .unwrap();
        let plans = read_table(&plans_path, Table::Plans).unwrap();
        // Pupil d is enrolled without any activity.
        let enrolled = HashMap::from([(
            ("d".to_string(), "2024-2025".to_string()),
            Enrolled {
                grade: Some(5),
                ..Default::default()
            },
        )]);
        let s = SrlSettings {
            session_gap_min: 15.0,
            min_events: 1,
        };
        let mut weekly = Vec::new();
        let out = compute(&events, &plans, &enrolled, &Terms::default(), s, |w| {
            weekly.extend(w);
            Ok(())
        })
        .unwrap();
        assert_eq!(out.events_read, 5);
        let keys: Vec<&str> = out.rows.iter().map(|r| r.pupil_key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c", "d"]);
        let terms: Vec<(&str, i32, i64)> = out
            .terms
            .iter()
            .map(|r| (r.pupil_key.as_str(), r.term.unwrap().term, r.events))
            .collect();
        // c has no term-2 activity but term 2 had begun by the data's last week: a row with
        // nulls and a reason, not a silent gap; so for d in both terms.
        assert_eq!(
            terms,
            [
                ("a", 1, 2),
                ("a", 2, 2),
                ("b", 1, 0),
                ("b", 2, 0),
                ("c", 1, 1),
                ("c", 2, 0),
                ("d", 1, 0),
                ("d", 2, 0)
            ]
        );
        let span = out.terms[1].term.unwrap();
        assert_eq!(
            (span.start, span.end),
            (d(2025, 2, 1), d(2025, 7, 31)),
            "term 2 runs February to July"
        );
        // a's reflection falls in term 2 by its Dutch date (Saturday 1 February, ISO week 5):
        // one reflection over two active weeks (5 and 6).
        let refl = COMPOSITE
            .iter()
            .position(|c| c.0 == "reflections_per_week")
            .unwrap();
        assert_eq!(out.terms[1].ind[refl], Some(0.5));
        assert_eq!(out.terms[0].ind[refl], Some(0.0));
        // b's plan counts in term 2 (kept: done on the planned day), not in term 1.
        let kept = COMPOSITE
            .iter()
            .position(|c| c.0 == "plan_kept_share")
            .unwrap();
        assert_eq!(out.terms[3].ind[kept], None, "b has no events: nulls");
        assert_eq!(
            out.terms[3].null_reason.as_deref(),
            Some("no LMS events in the period")
        );
        assert_eq!(out.rows[3].grade, Some(5));
        // The weekly series in (school year, pupil, week) order, b's week from its plan.
        let weeks: Vec<(&str, &str, i64)> = weekly
            .iter()
            .map(|w| (&*w.pupil_key, w.week.as_str(), w.reflections))
            .collect();
        assert_eq!(
            weeks,
            [
                ("a", "2025-W04", 0),
                ("a", "2025-W05", 1),
                ("a", "2025-W06", 0),
                ("b", "2025-W10", 0),
                ("c", "2024-W36", 0)
            ]
        );
        assert_eq!(out.weekly_rows, 5);
        assert_eq!(weekly[3].plan_kept_share, Some(1.0));
    }

    #[test]
    fn composite_and_terciles() {
        let mut rows: Vec<SrlRow> = (0..9)
            .map(|i| SrlRow {
                pupil_key: format!("p{i}"),
                school_year: "2024-2025".into(),
                grade: Some(5),
                ind: [
                    None,
                    Some(i as f64),
                    Some(i as f64 * 2.0),
                    Some(0.5),
                    Some(-(i as f64)),
                    // Lateness enters with its sign reversed: -(-i) = +i.
                    Some(-(i as f64)),
                    None,
                    None,
                    None,
                    None,
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
        let report = composite(&mut rows);
        let status: Vec<&str> = report.components.iter().map(|c| c.status).collect();
        assert_eq!(
            status,
            [
                "no_values",
                "entered",
                "entered",
                "constant",
                "entered",
                "entered",
                "no_values",
                "no_values",
                "no_values",
                "no_values"
            ]
        );
        assert_eq!((report.groups, report.with_index), (1, 9));
        // Sign-aligned, three components go together and on time (-i) against them: the mean
        // correlation is (3 - 3) / 6 = 0, so alpha 0.
        assert!(report.alpha.unwrap().abs() < 1e-9);
        // The constant indicator (sd 0) is left out:
        // (z(i) + z(2i) + z(-i) - z(-i)) / 4 = z(i) / 2.
        let z4 = rows[4].srl_index.unwrap();
        assert!(z4.abs() < 1e-12);
        let (_, sd) = mean_sd(&(0..9).map(f64::from).collect::<Vec<_>>());
        assert!((rows[8].srl_index.unwrap() - (4.0 / sd) / 2.0).abs() < 1e-12);
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

    #[test]
    fn active_week_share_counts_the_groups_course_weeks_only() {
        // 20 pupils active in weeks 0-3; p0 only in week 0; p1 also in week 40, where no one
        // else is (fewer than 10% of the group): week 40 is not a course week.
        let mut rows: Vec<SrlRow> = (0..20)
            .map(|i| SrlRow {
                pupil_key: format!("p{i:02}"),
                school_year: "2024-2025".into(),
                grade: Some(5),
                active_weeks: match i {
                    0 => 0b1,
                    1 => 0b1111 | 1 << 40,
                    _ => 0b1111,
                },
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
        assert_eq!(rows[0].ind[0], Some(0.25));
        assert_eq!(rows[1].ind[0], Some(1.0));
        assert_eq!(rows[5].ind[0], Some(1.0));
        assert_eq!(rows[20].ind[0], None, "no events, no share");
    }

    #[test]
    fn dates_only_leave_sessions_and_hours_null() {
        // Three days at Dutch midnight (23:00 UTC in winter).
        let day = 86_400_000_000i64;
        let base = 1_737_327_600_000_000i64; // 2025-01-19T23:00:00Z = 20 Jan 00:00 Amsterdam
        let evs: Vec<EventView<'_>> = (0..3)
            .map(|k| EventView::new(base + k * day, EventKind::Other, None, None, None))
            .collect();
        let m = event_measures(&evs, 15.0);
        assert!(m.dates_only);
        assert_eq!(
            (m.sessions, m.minutes, m.hour_concentration),
            (None, None, None)
        );
        assert_eq!(m.active_days, 3);
        assert!(m.weekday_concentration.is_some());
        let mut timed = evs.clone();
        timed[1] = EventView::new(timed[1].ts + 60_000_000, EventKind::Other, None, None, None);
        assert_eq!(event_measures(&timed, 15.0).sessions, Some(3));
    }

    #[test]
    fn active_weeks_from_the_school_years_first_week() {
        // 1 August 2024 is a Thursday: week 0 starts Monday 29 July.
        let ts = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp_micros();
        let ev = |s: &str| EventView::new(ts(s), EventKind::Other, None, None, None);
        let start = NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
        let evs = [
            ev("2024-08-04T10:00:00+02:00"),
            ev("2024-08-05T10:00:00+02:00"),
        ];
        assert_eq!(active_weeks(&evs, start), 0b11);
    }
}
