//! Self-regulation per pupil and ISO week (Dutch local dates), for trends within a term: events,
//! sessions, active days, time on task, help after errors, persistence, plans kept and on time,
//! progress views and reflection entries, each with the definitions of [`crate::srl`] applied to the week's events and plans. A session
//! that runs past midnight into a new week is split at the week's boundary. Weeks without any
//! event or plan have no row; indicator shares are null where the week has nothing to share
//! over (no wrong answers, no planned tasks).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow_array::{ArrayRef, RecordBatch};
use chrono::{Datelike, NaiveDate};

use leerwinst_core::clock::{date_of_day, week_of_day};
use leerwinst_core::{Error, Result, Table};
use leerwinst_store::{CsvDialect, StaffCopies, TableWriter, f64_array, i64_array, str_array};

use crate::event_stream::EventView;
use crate::srl_measures::{PlannedTask, event_measures, plan_measures};

/// One weekly row (columns as in `Table::SrlWeekly`).
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyRow {
    /// Pupil (one text shared by the pupil-year's rows).
    pub pupil_key: Arc<str>,
    /// School year (shared likewise).
    pub school_year: Arc<str>,
    /// ISO week `YYYY-Www`.
    pub week: String,
    /// Events.
    pub events: i64,
    /// Sessions (null when the timestamps carry dates only).
    pub sessions: Option<i64>,
    /// Active days.
    pub active_days: i64,
    /// Minutes on task (null when the timestamps carry dates only).
    pub time_on_task_min: Option<f64>,
    /// Help after error share.
    pub help_after_error_share: Option<f64>,
    /// Persistence share.
    pub persistence_share: Option<f64>,
    /// Plans kept share.
    pub plan_kept_share: Option<f64>,
    /// On-time share.
    pub on_time_share: Option<f64>,
    /// Progress (dashboard) views.
    pub progress_views: i64,
    /// Reflection entries.
    pub reflections: i64,
}

/// Writes `srl_weekly` and its staff copies (CSV and workbook, [`StaffCopies`]) on a thread of
/// its own, so the rows are written while the next pupils are computed. The staff copies take
/// each piece as it comes; the Parquet file is written in chunks of [`WeeklyWriter::CHUNK`] rows
/// whatever the sizes of the pieces, so that its bytes (Parquet's page boundaries follow the
/// writes) do not depend on how the rows were produced: streamed pupil group by pupil group, or
/// read back from Spark's partials.
pub struct WeeklyWriter {
    pieces: Option<SyncSender<Vec<WeeklyRow>>>,
    writer: Option<JoinHandle<Result<()>>>,
}

impl WeeklyWriter {
    /// Rows per write of the Parquet file.
    pub const CHUNK: usize = 64 * 1024;

    /// Starts the table at `path` (Parquet, with `meta`) and its staff copies at `csv` (and the
    /// workbook beside it) in `dialect`.
    pub fn create(
        path: &Path,
        meta: &[(String, String)],
        csv: &Path,
        dialect: CsvDialect,
    ) -> Result<Self> {
        let (tx, rx) = sync_channel::<Vec<WeeklyRow>>(4);
        let (path, meta, csv) = (path.to_path_buf(), meta.to_vec(), csv.to_path_buf());
        let writer = std::thread::Builder::new()
            .name("srl_weekly".into())
            .spawn(move || -> Result<()> {
                let mut parquet = TableWriter::create(&path, Table::SrlWeekly, &meta)?;
                let mut staff = StaffCopies::create(Table::SrlWeekly, &csv, dialect)?;
                let mut chunk: Vec<WeeklyRow> = Vec::with_capacity(Self::CHUNK);
                for piece in rx {
                    let batch = RecordBatch::try_new(
                        Table::SrlWeekly.schema_all_nullable(),
                        columns(&piece),
                    )
                    .map_err(|e| Error::Compute(format!("srl_weekly: {e}")))?;
                    staff.write(&batch)?;
                    for row in piece {
                        chunk.push(row);
                        if chunk.len() == Self::CHUNK {
                            parquet.write_columns(columns(&chunk))?;
                            chunk.clear();
                        }
                    }
                }
                if !chunk.is_empty() {
                    parquet.write_columns(columns(&chunk))?;
                }
                parquet.finish()?;
                staff.finish()
            })
            .map_err(|e| Error::Compute(format!("srl_weekly: no thread for the writer: {e}")))?;
        Ok(WeeklyWriter {
            pieces: Some(tx),
            writer: Some(writer),
        })
    }

    /// Appends rows (in table order).
    pub fn push(&mut self, rows: Vec<WeeklyRow>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.send(rows)
    }

    /// Tells the writer that no rows follow, so that it writes the last rows and closes its
    /// files (saves the workbook) while the caller goes on; [`WeeklyWriter::finish`] waits for it.
    pub fn close(&mut self) {
        self.pieces = None;
    }

    /// Writes the last rows, closes the files and waits until they are written.
    pub fn finish(mut self) -> Result<()> {
        self.close();
        self.join()
    }

    fn send(&mut self, piece: Vec<WeeklyRow>) -> Result<()> {
        let sent = self.pieces.as_ref().map(|tx| tx.send(piece));
        match sent {
            Some(Ok(())) => Ok(()),
            // The writer stopped: its error is the one to report.
            _ => {
                self.pieces = None;
                self.join()
                    .and(Err(Error::Compute("srl_weekly: the writer stopped".into())))
            }
        }
    }

    fn join(&mut self) -> Result<()> {
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Compute("srl_weekly: the writer failed".into())),
            None => Err(Error::Compute("srl_weekly: the writer stopped".into())),
        }
    }
}

/// The ISO week `YYYY-Www` of `d` (the names sort as the weeks do).
fn week_name(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The weekly rows of one pupil-year: one per ISO week with an event or a planned task, in week
/// order. `evs` sorted by time; `weeks` the pupil-year's planned tasks by week.
pub fn pupil_weeks(
    pupil: &str,
    year: &str,
    evs: &[EventView<'_>],
    weeks: &BTreeMap<String, Vec<PlannedTask>>,
    session_gap_min: f64,
) -> Vec<WeeklyRow> {
    // In time order the Dutch local week never goes back: each week's events are one run, found
    // by the week's number, and named once.
    let name_of = |week: i32| week_name(date_of_day(7 * week - 3));
    let mut by_week: BTreeMap<String, &[EventView<'_>]> = BTreeMap::new();
    let mut run: Option<(usize, i32)> = None;
    for (i, e) in evs.iter().enumerate() {
        let week = week_of_day(e.day);
        match run {
            Some((_, w)) if w == week => {}
            Some((start, w)) => {
                by_week.insert(name_of(w), &evs[start..i]);
                run = Some((i, week));
            }
            None => run = Some((i, week)),
        }
    }
    if let Some((start, w)) = run {
        by_week.insert(name_of(w), &evs[start..]);
    }
    for w in weeks.keys() {
        by_week.entry(w.clone()).or_default();
    }
    let (pupil, year): (Arc<str>, Arc<str>) = (pupil.into(), year.into());
    by_week
        .into_iter()
        .map(|(week, e)| {
            let m = event_measures(e, session_gap_min);
            let pm = weeks
                .get(&week)
                .map(|p| plan_measures(p))
                .unwrap_or_default();
            WeeklyRow {
                pupil_key: Arc::clone(&pupil),
                school_year: Arc::clone(&year),
                week,
                events: e.len() as i64,
                sessions: m.sessions,
                active_days: m.active_days,
                time_on_task_min: m.minutes,
                help_after_error_share: m.help_after_error,
                persistence_share: m.persistence,
                plan_kept_share: pm.kept,
                on_time_share: pm.on_time,
                progress_views: m.progress_views,
                reflections: m.reflections,
            }
        })
        .collect()
}

/// Arrow columns of weekly rows, in `Table::SrlWeekly` order.
pub fn columns(rows: &[WeeklyRow]) -> Vec<ArrayRef> {
    let s = |f: &dyn Fn(&WeeklyRow) -> &str| {
        str_array(&rows.iter().map(|r| Some(f(r))).collect::<Vec<_>>())
    };
    let i = |f: &dyn Fn(&WeeklyRow) -> i64| i64_array(rows.iter().map(|r| Some(f(r))).collect());
    let f = |f: &dyn Fn(&WeeklyRow) -> Option<f64>| f64_array(rows.iter().map(f).collect());
    let cols = vec![
        s(&|r| &r.pupil_key),
        s(&|r| &r.school_year),
        s(&|r| &r.week),
        i(&|r| r.events),
        i64_array(rows.iter().map(|r| r.sessions).collect()),
        i(&|r| r.active_days),
        f(&|r| r.time_on_task_min),
        f(&|r| r.help_after_error_share),
        f(&|r| r.persistence_share),
        f(&|r| r.plan_kept_share),
        f(&|r| r.on_time_share),
        i(&|r| r.progress_views),
        i(&|r| r.reflections),
    ];
    debug_assert_eq!(cols.len(), Table::SrlWeekly.columns().len());
    cols
}

#[cfg(test)]
mod tests {
    use super::*;
    use leerwinst_core::pipeline::EventKind;

    fn ts(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn weeks_split_by_dutch_local_date() {
        // Sunday 2025-01-19 23:30 local (22:30 UTC) is week 3; Monday 00:10 local is week 4.
        let times = [
            "2025-01-19T22:30:00Z",
            "2025-01-19T22:40:00Z",
            "2025-01-19T23:10:00Z",
            "2025-01-21T09:00:00Z",
        ];
        let kinds = [
            EventKind::Answer,
            EventKind::Help,
            EventKind::Answer,
            EventKind::Answer,
        ];
        let success = [Some(false), None, Some(true), Some(true)];
        let evs: Vec<EventView<'_>> = (0..times.len())
            .map(|i| EventView::new(ts(times[i]), kinds[i], Some("item"), Some(1), success[i]))
            .collect();
        // A planned task in week 6 gives that week a row without events.
        let weeks = BTreeMap::from([(
            "2025-W06".to_string(),
            vec![PlannedTask::new(None, None, None)],
        )]);
        let rows = pupil_weeks("p1", "2024-2025", &evs, &weeks, 15.0);
        let got: Vec<(&str, i64, i64)> = rows
            .iter()
            .map(|r| (r.week.as_str(), r.events, r.sessions.unwrap()))
            .collect();
        assert_eq!(
            got,
            [("2025-W03", 2, 1), ("2025-W04", 2, 2), ("2025-W06", 0, 0)]
        );
        // Week 3: the wrong answer was followed by help in the same task and session.
        assert_eq!(rows[0].help_after_error_share, Some(1.0));
        assert_eq!(rows[0].time_on_task_min, Some(10.0));
        // Week 4 has no wrong answers: no share, not zero.
        assert_eq!(rows[1].help_after_error_share, None);
        assert_eq!(rows[1].plan_kept_share, None);
    }
}
