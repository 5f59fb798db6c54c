//! The measures of one pupil-period, from its events ([`EventView`], time order) and its planned
//! tasks: sessions and time on task, concentration, weekly similarity, help-seeking,
//! persistence, self-monitoring ([`event_measures`]) and planning ([`plan_measures`]). The
//! yearly and term rows ([`crate::srl`]) and the weekly series ([`crate::srl_weekly`]) apply
//! these same definitions to their periods; the definitions are argued in docs/indicators.md.

use chrono::DateTime;
use leerwinst_core::clock::{amsterdam_to_utc, utc_to_amsterdam, week_of_day, weekday_of_day};
use leerwinst_core::pipeline::EventKind;
use leerwinst_core::term::from_date32;
use leerwinst_stats::describe::median_sorted;

use crate::event_stream::EventView;

/// A planned task of the weekly plans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedTask {
    /// The day it was planned for (Date32).
    pub planned_day: Option<i32>,
    /// Its due date (Date32).
    pub due_day: Option<i32>,
    /// When it was done, UTC microseconds.
    pub done_at: Option<i64>,
}

impl PlannedTask {
    /// A task from its planned day, due date and time done.
    pub fn new(planned_day: Option<i32>, due_day: Option<i32>, done_at: Option<i64>) -> Self {
        PlannedTask {
            planned_day,
            due_day,
            done_at,
        }
    }
}

/// Event-based measures of one pupil-period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventMeasures {
    /// Every event at local midnight: the source has dates, not clock times.
    pub dates_only: bool,
    /// Sessions (null with dates only).
    pub sessions: Option<i64>,
    /// Days with an event.
    pub active_days: i64,
    /// Sum of session spans, minutes (null with dates only).
    pub minutes: Option<f64>,
    /// PWD, normalised (two or more active days).
    pub weekday_concentration: Option<f64>,
    /// PDH, normalised (two or more active days; null with dates only).
    pub hour_concentration: Option<f64>,
    /// Mean Jaccard similarity of weekly weekday sets (two or more active weeks).
    pub weekly_similarity: Option<f64>,
    /// Share of wrong answers followed by help (any wrong answers).
    pub help_after_error: Option<f64>,
    /// Share of wrong answers answered again (any wrong answers).
    pub persistence: Option<f64>,
    /// Help and instruction requests per task worked on (any tasks).
    pub help_per_task: Option<f64>,
    /// Progress (dashboard) views.
    pub progress_views: i64,
    /// Reflection entries.
    pub reflections: i64,
    /// Progress views per active week.
    pub progress_views_per_week: Option<f64>,
    /// Reflection entries per active week.
    pub reflections_per_week: Option<f64>,
}

/// `(ln k - H(p)) / ln k` for the distribution `counts` over `k` bins: 1 when everything falls
/// in one bin, 0 when spread evenly.
fn peak_concentration(counts: &[f64]) -> f64 {
    let n: f64 = counts.iter().sum();
    let k = counts.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| {
            let p = c / n;
            -p * p.ln()
        })
        .sum();
    (k.ln() - entropy) / k.ln()
}

/// Event-based measures of one pupil-period; `evs` must be sorted by time.
pub fn event_measures(evs: &[EventView<'_>], gap_min: f64) -> EventMeasures {
    if evs.is_empty() {
        return EventMeasures {
            sessions: Some(0),
            minutes: Some(0.0),
            ..Default::default()
        };
    }
    debug_assert!(
        evs.windows(2).all(|w| w[0].ts <= w[1].ts),
        "events in time order"
    );
    let gap = (gap_min * 60e6) as i64;
    let mut sessions = 1;
    let mut minutes = 0.0;
    let mut start = evs[0].ts;
    for i in 1..evs.len() {
        if evs[i].ts - evs[i - 1].ts > gap {
            minutes += (evs[i - 1].ts - start) as f64 / 60e6;
            start = evs[i].ts;
            sessions += 1;
        }
    }
    minutes += (evs[evs.len() - 1].ts - start) as f64 / 60e6;

    // Active days, active day-hours, and per ISO week the set of active weekdays (bits). In
    // time order the Dutch local day, day-hour and week never go back (the autumn change
    // repeats 02:00-03:00, the same hour), so each new value starts a new one: one pass, no sets.
    let mut active_days = 0usize;
    let mut per_weekday = [0f64; 7];
    let mut per_hour = [0f64; 24];
    let mut sets: Vec<u8> = Vec::new();
    let mut last_day: Option<i32> = None;
    let mut last_day_hour: Option<(i32, u8)> = None;
    let mut last_week: Option<i32> = None;
    let mut dates_only = true;
    for e in evs {
        let (day, hour) = (e.day, e.hour);
        dates_only &= e.midnight;
        if last_day_hour != Some((day, hour)) {
            last_day_hour = Some((day, hour));
            per_hour[usize::from(hour)] += 1.0;
        }
        if last_day == Some(day) {
            continue;
        }
        last_day = Some(day);
        active_days += 1;
        let weekday = weekday_of_day(day);
        per_weekday[weekday as usize] += 1.0;
        let week = week_of_day(day);
        if last_week != Some(week) {
            last_week = Some(week);
            sets.push(0);
        }
        if let Some(set) = sets.last_mut() {
            *set |= 1 << weekday;
        }
    }
    let two_days = active_days >= 2;
    let weekday_concentration = two_days.then(|| peak_concentration(&per_weekday));
    let hour_concentration = (two_days && !dates_only).then(|| peak_concentration(&per_hour));
    let weekly_similarity = (sets.len() >= 2).then(|| {
        let (mut sum, mut pairs) = (0.0, 0.0);
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                let inter = (sets[i] & sets[j]).count_ones() as f64;
                let union = (sets[i] | sets[j]).count_ones() as f64;
                sum += inter / union;
                pairs += 1.0;
            }
        }
        sum / pairs
    });

    let (mut errors, mut helped, mut retried) = (0usize, 0usize, 0usize);
    let (mut help_requests, mut views, mut reflections) = (0usize, 0usize, 0usize);
    for (i, e) in evs.iter().enumerate() {
        help_requests += e.kind.is_help() as usize;
        views += (e.kind == EventKind::ProgressView) as usize;
        reflections += (e.kind == EventKind::Reflection) as usize;
        if e.kind != EventKind::Answer || e.success != Some(false) {
            continue;
        }
        errors += 1;
        let mut got_help = false;
        let mut got_retry = false;
        // The events after it in its session: up to the first gap longer than the session gap.
        let mut previous = e.ts;
        for f in evs[i + 1..].iter().take_while(|f| {
            let same_session = f.ts - previous <= gap;
            previous = f.ts;
            same_session
        }) {
            if f.kind == EventKind::Answer && f.object.is_some() && f.object == e.object {
                got_retry = true;
                break;
            }
            if f.task == e.task && f.kind.is_help() && !got_help {
                got_help = true;
            }
            if f.kind == EventKind::Answer && f.task == e.task {
                break; // moved on to another item of the task
            }
        }
        helped += got_help as usize;
        retried += got_retry as usize;
    }
    let share = |k: usize| (errors > 0).then(|| k as f64 / errors as f64);
    // Distinct tasks worked on. Tasks are numbered densely within a pupil-year
    // ([`crate::event_stream::PupilEvents::view`]), so a bit per number counts them.
    let tasks = distinct(
        evs.iter()
            .filter(|e| e.kind.is_work())
            .filter_map(|e| e.task),
    );
    EventMeasures {
        dates_only,
        sessions: (!dates_only).then_some(sessions as i64),
        active_days: active_days as i64,
        minutes: (!dates_only).then_some(minutes),
        weekday_concentration,
        hour_concentration,
        weekly_similarity,
        help_after_error: share(helped),
        persistence: share(retried),
        help_per_task: (tasks > 0).then(|| help_requests as f64 / tasks as f64),
        progress_views: views as i64,
        reflections: reflections as i64,
        progress_views_per_week: Some(views as f64 / sets.len() as f64),
        reflections_per_week: Some(reflections as f64 / sets.len() as f64),
    }
}

/// How many distinct numbers `numbers` holds: with a bit per number up to the largest when they
/// are small (a pupil-year's tasks, numbered from 0), else by sorting them.
fn distinct(numbers: impl Iterator<Item = u32> + Clone) -> usize {
    let Some(max) = numbers.clone().max() else {
        return 0;
    };
    if max >= 1 << 16 {
        let mut v: Vec<u32> = numbers.collect();
        v.sort_unstable();
        v.dedup();
        return v.len();
    }
    let mut seen = vec![0u64; max as usize / 64 + 1];
    let mut n = 0;
    for x in numbers {
        let (word, bit) = (x as usize / 64, 1u64 << (x % 64));
        n += (seen[word] & bit == 0) as usize;
        seen[word] |= bit;
    }
    n
}

/// Plan measures of one pupil-period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanMeasures {
    /// Share of planned tasks finished on or before the planned day.
    pub kept: Option<f64>,
    /// Share of tasks with a due date finished on or before it.
    pub on_time: Option<f64>,
    /// Median of (day finished - day planned), days, over finished planned tasks.
    pub median_lateness_days: Option<f64>,
    /// Median of (end of the due day - time finished), hours, over finished tasks with a due
    /// date: how long before the deadline work is done (negative when late).
    pub deadline_margin_h: Option<f64>,
}

/// Plan measures of one pupil-period.
pub fn plan_measures(plans: &[PlannedTask]) -> PlanMeasures {
    let (mut planned, mut kept, mut due_n, mut on_time) = (0, 0, 0, 0);
    let mut lateness: Vec<f64> = Vec::new();
    let mut margin: Vec<f64> = Vec::new();
    for task in plans {
        let (p, d, done) = (task.planned_day, task.due_day, task.done_at);
        let day = done.map(|t| {
            utc_to_amsterdam(DateTime::from_timestamp_micros(t).expect("valid timestamp")).date()
        });
        if let Some(p) = p {
            planned += 1;
            kept += day.is_some_and(|x| x <= from_date32(p)) as i32;
            if let Some(x) = day {
                lateness.push((x - from_date32(p)).num_days() as f64);
            }
        }
        if let Some(d) = d {
            due_n += 1;
            on_time += day.is_some_and(|x| x <= from_date32(d)) as i32;
            if let Some(t) = done {
                let end = from_date32(d)
                    .succ_opt()
                    .and_then(|n| n.and_hms_opt(0, 0, 0))
                    .map(|n| amsterdam_to_utc(n).timestamp_micros());
                if let Some(end) = end {
                    margin.push((end - t) as f64 / 3.6e9);
                }
            }
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        median_sorted(&v)
    };
    PlanMeasures {
        kept: (planned > 0).then(|| kept as f64 / planned as f64),
        on_time: (due_n > 0).then(|| on_time as f64 / due_n as f64),
        median_lateness_days: median(lateness),
        deadline_margin_h: median(margin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_numbers_are_counted_once() {
        assert_eq!(distinct(std::iter::empty()), 0);
        assert_eq!(distinct([3, 3, 0, 64, 63, 64, 200, 0].into_iter()), 5);
        assert_eq!(distinct([u32::MAX, 7, u32::MAX].into_iter()), 2);
    }
}
