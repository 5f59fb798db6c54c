//! The self-regulation kernel for engines that split the data over machines (Apache Spark), and
//! the step that puts its results together again.
//!
//! [`run`] reads an Arrow IPC stream of `srl_kernel_input` rows (a partition's events and
//! planned tasks, each pupil-year's rows together, pupil-years in increasing (school year,
//! pupil) order) and writes an Arrow IPC stream of `srl_partial` rows: per pupil-year its year,
//! term and week rows, computed by [`crate::srl::pupil_year_rows`], the one definition the
//! single-machine [`crate::srl::compute`] uses too. What needs the whole run (the grade's course
//! weeks, the composite and its terciles, which terms the data reach, school and grade from the
//! enrollments) is left to [`combine`], which reads the partials Spark wrote and hands them to
//! [`crate::srl::finish`], as `leerwinst transform --srl-partials DIR` does.
//!
//! A stream is processed pupil-year by pupil-year: memory holds one pupil-year and one output
//! batch, whatever the partition's size.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{DataType, TimeUnit};
use leerwinst_core::pipeline::EventKind;
use leerwinst_core::term::Terms;
use leerwinst_core::{Error, Result, Table};
use leerwinst_store::{bool_array, date_array, f64_array, i32_array, i64_array, opt, str_array};

use crate::event_stream::PupilEvents;
use crate::growth::Enrolled;
use crate::srl::{
    COMPOSITE, N_IND, PupilPlans, PupilYearRows, SrlOutput, SrlRow, SrlSettings, TermSpan, finish,
    pupil_year_rows, week_last_day,
};
use crate::srl_measures::PlannedTask;
use crate::srl_weekly::WeeklyRow;

/// Output rows per batch of the stream the kernel writes.
const BATCH_ROWS: usize = 16 * 1024;

/// What [`run`] read and wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KernelSummary {
    /// Pupil-years computed.
    pub pupil_years: usize,
    /// Event rows read.
    pub events: usize,
    /// Plan rows read.
    pub plans: usize,
    /// Rows written (year, term and week rows).
    pub rows: usize,
}

fn stream_error(message: impl Into<String>) -> Error {
    Error::Compute(format!("srl kernel: {}", message.into()))
}

/// One pupil-year being read from the stream.
#[derive(Default)]
struct Current {
    key: Option<(String, String)>,
    /// Events, in the order read, and their seq.
    events: PupilEvents,
    seqs: Vec<i64>,
    /// Planned tasks with their week.
    plans: Vec<(String, PlannedTask)>,
}

impl Current {
    /// The pupil-year's rows, computed as the single-machine transform does (without school,
    /// grade and anything run-wide).
    fn rows(&mut self, terms: &Terms, s: SrlSettings) -> Result<Option<PupilYearRows>> {
        let Some((pupil, year)) = self.key.take() else {
            return Ok(None);
        };
        let mut pe = std::mem::take(&mut self.events);
        let seqs = std::mem::take(&mut self.seqs);
        let mut order: Vec<usize> = (0..seqs.len()).collect();
        order.sort_by_key(|&i| seqs[i]);
        if let Some(w) = order.windows(2).find(|w| seqs[w[0]] == seqs[w[1]]) {
            return Err(stream_error(format!(
                "two events of one pupil-year have seq {}: seq must number a pupil-year's events once each",
                seqs[w[0]]
            )));
        }
        pe.events = order.into_iter().map(|i| pe.events[i].clone()).collect();
        (pe.pupil_key, pe.school_year) = (pupil, year);
        let mut weeks: BTreeMap<String, Vec<PlannedTask>> = BTreeMap::new();
        let mut tasks = Vec::with_capacity(self.plans.len());
        for (week, task) in self.plans.drain(..) {
            tasks.push(task);
            weeks.entry(week).or_default().push(task);
        }
        let key = (pe.pupil_key.clone(), pe.school_year.clone());
        let plans = PupilPlans {
            tasks: &tasks,
            weeks: &weeks,
        };
        Ok(Some(pupil_year_rows(
            &key,
            &pe.view(),
            plans,
            &HashMap::new(),
            terms,
            s,
        )))
    }
}

/// A string column of the input, Utf8 or LargeUtf8 (as Spark sends with
/// `spark.sql.execution.arrow.useLargeVarTypes`).
enum Strings<'a> {
    Small(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
}

impl Strings<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Strings::Small(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// The input columns of one batch, checked by name and type.
struct Input<'a> {
    record: Strings<'a>,
    pupil: Strings<'a>,
    year: Strings<'a>,
    seq: &'a arrow_array::Int64Array,
    ts: &'a arrow_array::TimestampMicrosecondArray,
    kind: Strings<'a>,
    object: Strings<'a>,
    task: Strings<'a>,
    success: &'a BooleanArray,
    week: Strings<'a>,
    planned_for: &'a arrow_array::Date32Array,
    due: &'a arrow_array::Date32Array,
    done_at: &'a arrow_array::TimestampMicrosecondArray,
}

impl<'a> Input<'a> {
    fn of(b: &'a RecordBatch) -> Result<Self> {
        let column = |name: &str, want: &str, ok: &dyn Fn(&DataType) -> bool| {
            let c = b.column_by_name(name).ok_or_else(|| {
                stream_error(format!(
                    "the input has no column '{name}' (the columns of srl_kernel_input in docs/data-model.md)"
                ))
            })?;
            if ok(c.data_type()) {
                Ok(c)
            } else {
                Err(stream_error(format!(
                    "column '{name}' is {}, not {want}",
                    c.data_type()
                )))
            }
        };
        let strings = |name: &str| -> Result<Strings<'a>> {
            let c = column(name, "a string", &|t| {
                matches!(t, DataType::Utf8 | DataType::LargeUtf8)
            })?;
            Ok(match c.data_type() {
                DataType::Utf8 => Strings::Small(c.as_string::<i32>()),
                _ => Strings::Large(c.as_string::<i64>()),
            })
        };
        let micros = |t: &DataType| matches!(t, DataType::Timestamp(TimeUnit::Microsecond, _));
        Ok(Input {
            record: strings("record")?,
            pupil: strings("pupil_key")?,
            year: strings("school_year")?,
            seq: column("seq", "a 64-bit integer", &|t| *t == DataType::Int64)?
                .as_primitive::<Int64Type>(),
            ts: column("ts", "a timestamp in microseconds", &micros)?
                .as_primitive::<TimestampMicrosecondType>(),
            kind: strings("kind")?,
            object: strings("object_id")?,
            task: strings("task_id")?,
            success: column("success", "a boolean", &|t| *t == DataType::Boolean)?.as_boolean(),
            week: strings("week")?,
            planned_for: column("planned_for", "a date", &|t| *t == DataType::Date32)?
                .as_primitive::<Date32Type>(),
            due: column("due", "a date", &|t| *t == DataType::Date32)?.as_primitive::<Date32Type>(),
            done_at: column("done_at", "a timestamp in microseconds", &micros)?
                .as_primitive::<TimestampMicrosecondType>(),
        })
    }
}

/// Rows of `srl_partial` waiting to be written.
#[derive(Default)]
struct Pending {
    years: Vec<SrlRow>,
    terms: Vec<(SrlRow, bool)>,
    weeks: Vec<WeeklyRow>,
}

impl Pending {
    fn len(&self) -> usize {
        self.years.len() + self.terms.len() + self.weeks.len()
    }

    fn push(&mut self, PupilYearRows { year, terms, weeks }: PupilYearRows) {
        self.years.push(year);
        self.terms.extend(terms);
        self.weeks.extend(weeks);
    }

    /// The rows as a batch of `srl_partial` (year, then term, then week rows) and empties.
    fn take_batch(&mut self) -> Result<RecordBatch> {
        let batch = partial_batch(&self.years, &self.terms, &self.weeks)?;
        *self = Pending::default();
        Ok(batch)
    }
}

/// Runs the kernel: `srl_kernel_input` rows from the Arrow IPC stream `input`, `srl_partial`
/// rows to the Arrow IPC stream `output` (see the module documentation).
pub fn run(
    input: impl Read,
    output: impl Write,
    terms: &Terms,
    s: SrlSettings,
) -> Result<KernelSummary> {
    let reader = StreamReader::try_new(input, None)
        .map_err(|e| stream_error(format!("the input is not an Arrow IPC stream: {e}")))?;
    let schema = Table::SrlPartial.schema();
    let mut writer = StreamWriter::try_new(output, &schema)
        .map_err(|e| stream_error(format!("cannot write the output stream: {e}")))?;
    let mut summary = KernelSummary::default();
    let mut current = Current::default();
    let mut pending = Pending::default();
    let mut last: Option<(String, String)> = None;
    let close = |current: &mut Current,
                 pending: &mut Pending,
                 writer: &mut StreamWriter<_>,
                 summary: &mut KernelSummary|
     -> Result<()> {
        if let Some(rows) = current.rows(terms, s)? {
            summary.pupil_years += 1;
            pending.push(rows);
        }
        if pending.len() >= BATCH_ROWS {
            summary.rows += pending.len();
            writer
                .write(&pending.take_batch()?)
                .map_err(|e| stream_error(format!("cannot write the output stream: {e}")))?;
        }
        Ok(())
    };
    for batch in reader {
        let b = batch.map_err(|e| stream_error(format!("a batch of the input stream: {e}")))?;
        let c = Input::of(&b)?;
        for i in 0..b.num_rows() {
            let (Some(record), Some(pupil), Some(year)) =
                (c.record.get(i), c.pupil.get(i), c.year.get(i))
            else {
                return Err(stream_error(
                    "a row without record, pupil_key or school_year",
                ));
            };
            let here = current
                .key
                .as_ref()
                .is_some_and(|(p, y)| p == pupil && y == year);
            if !here {
                close(&mut current, &mut pending, &mut writer, &mut summary)?;
                let key = (year.to_string(), pupil.to_string());
                if last.as_ref().is_some_and(|l| *l >= key) {
                    return Err(stream_error(format!(
                        "the rows of pupil-year ({pupil}, {year}) are not together or out of order: \
                         sort each partition by school_year, pupil_key (and seq) before the kernel"
                    )));
                }
                current.key = Some((key.1.clone(), key.0.clone()));
                last = Some(key);
            }
            match record {
                "event" => {
                    let (Some(seq), Some(ts), Some(kind)) =
                        (opt(c.seq, i), opt(c.ts, i), c.kind.get(i))
                    else {
                        return Err(stream_error("an event row without seq, ts or kind"));
                    };
                    current.seqs.push(seq);
                    current.events.push(
                        ts,
                        EventKind::parse(kind).unwrap_or(EventKind::Other),
                        c.object.get(i),
                        c.task.get(i),
                        c.success.is_valid(i).then(|| c.success.value(i)),
                        [false; 2],
                    );
                    summary.events += 1;
                }
                "plan" => {
                    let Some(week) = c.week.get(i) else {
                        return Err(stream_error("a plan row without week"));
                    };
                    current.plans.push((
                        week.to_string(),
                        PlannedTask::new(opt(c.planned_for, i), opt(c.due, i), opt(c.done_at, i)),
                    ));
                    summary.plans += 1;
                }
                other => {
                    return Err(stream_error(format!(
                        "record is '{other}', not 'event' or 'plan'"
                    )));
                }
            }
        }
    }
    close(&mut current, &mut pending, &mut writer, &mut summary)?;
    if pending.len() > 0 {
        summary.rows += pending.len();
        writer
            .write(&pending.take_batch()?)
            .map_err(|e| stream_error(format!("cannot write the output stream: {e}")))?;
    }
    writer
        .finish()
        .map_err(|e| stream_error(format!("cannot write the output stream: {e}")))?;
    Ok(summary)
}

/// The Spark SQL schema (DDL) of what the kernel returns, for `mapInArrow`: every column
/// nullable, as Spark declares them.
pub fn spark_ddl() -> String {
    Table::SrlPartial
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let ty = match f.data_type() {
                DataType::Utf8 => "string",
                DataType::Int32 => "int",
                DataType::Int64 => "bigint",
                DataType::Float64 => "double",
                DataType::Boolean => "boolean",
                DataType::Date32 => "date",
                other => unreachable!("srl_partial has no {other} column"),
            };
            format!("{} {ty}", f.name())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `srl_partial` columns of year rows, term rows (with whether the term has events or plans)
/// and week rows, in that order.
fn partial_batch(
    years: &[SrlRow],
    terms: &[(SrlRow, bool)],
    weeks: &[WeeklyRow],
) -> Result<RecordBatch> {
    let srl: Vec<(&SrlRow, Option<bool>)> = years
        .iter()
        .map(|r| (r, None))
        .chain(terms.iter().map(|(r, a)| (r, Some(*a))))
        .collect();
    let n = srl.len() + weeks.len();
    let span = |f: fn(TermSpan) -> i32| -> Vec<Option<i32>> {
        srl.iter()
            .map(|(r, _)| r.term.map(f))
            .chain(weeks.iter().map(|_| None))
            .collect()
    };
    // A column from the SRL rows and one from the week rows.
    fn both<'a, T>(
        srl: &[(&'a SrlRow, Option<bool>)],
        weeks: &'a [WeeklyRow],
        a: impl Fn(&'a SrlRow) -> T,
        b: impl Fn(&'a WeeklyRow) -> T,
    ) -> Vec<T> {
        srl.iter()
            .map(|(r, _)| a(r))
            .chain(weeks.iter().map(b))
            .collect()
    }
    let level: Vec<Option<&str>> = srl
        .iter()
        .map(|(r, _)| Some(if r.term.is_some() { "term" } else { "year" }))
        .chain(weeks.iter().map(|_| Some("week")))
        .collect();
    let mut cols: Vec<ArrayRef> = vec![
        str_array(&level),
        str_array(&both(
            &srl,
            weeks,
            |r| Some(r.pupil_key.as_str()),
            |w| Some(&*w.pupil_key),
        )),
        str_array(&both(
            &srl,
            weeks,
            |r| Some(r.school_year.as_str()),
            |w| Some(&*w.school_year),
        )),
        i32_array(span(|t| t.term)),
        date_array(span(|t| t.start)),
        date_array(span(|t| t.end)),
        bool_array(
            srl.iter()
                .map(|(_, a)| *a)
                .chain(weeks.iter().map(|_| None))
                .collect(),
        ),
        str_array(&both(&srl, weeks, |_| None, |w| Some(w.week.as_str()))),
        i64_array(both(&srl, weeks, |r| Some(r.events), |w| Some(w.events))),
        i64_array(both(&srl, weeks, |r| r.sessions, |w| w.sessions)),
        i64_array(both(
            &srl,
            weeks,
            |r| Some(r.active_days),
            |w| Some(w.active_days),
        )),
        f64_array(both(
            &srl,
            weeks,
            |r| r.time_on_task_min,
            |w| w.time_on_task_min,
        )),
        f64_array(both(&srl, weeks, |r| r.weekday_concentration, |_| None)),
        f64_array(both(&srl, weeks, |r| r.hour_concentration, |_| None)),
        i64_array(both(&srl, weeks, |r| Some(r.active_weeks as i64), |_| None)),
    ];
    // The composite indicators but the active-week share (made by `combine`), then help per
    // task; the week rows fill the four they have.
    for (j, (name, _)) in COMPOSITE.iter().enumerate().skip(1) {
        let week = |w: &WeeklyRow| match *name {
            "plan_kept_share" => w.plan_kept_share,
            "on_time_share" => w.on_time_share,
            "help_after_error_share" => w.help_after_error_share,
            "persistence_share" => w.persistence_share,
            _ => None,
        };
        cols.push(f64_array(both(&srl, weeks, |r| r.ind[j], week)));
    }
    cols.push(f64_array(both(&srl, weeks, |r| r.help_per_task, |_| None)));
    cols.push(i64_array(both(
        &srl,
        weeks,
        |_| None,
        |w| Some(w.progress_views),
    )));
    cols.push(i64_array(both(
        &srl,
        weeks,
        |_| None,
        |w| Some(w.reflections),
    )));
    cols.push(str_array(&both(
        &srl,
        weeks,
        |r| r.null_reason.as_deref(),
        |_| None,
    )));
    debug_assert!(cols.iter().all(|c| c.len() == n));
    RecordBatch::try_new(Table::SrlPartial.schema(), cols)
        .map_err(|e| stream_error(format!("srl_partial batch: {e}")))
}

/// Reads the partials at `dir` (every `*.parquet` below it, as Spark writes them) and finishes
/// the indicators as [`crate::srl::compute`] does: school and grade from the enrollments, a row
/// for every enrolled pupil-year the partials lack, the composite and the terms kept. Returns the
/// output and the week rows, sorted as transform writes them.
pub fn combine(
    dir: &Path,
    enrolled: &HashMap<(String, String), Enrolled>,
    terms: &Terms,
    s: SrlSettings,
) -> Result<(SrlOutput, Vec<WeeklyRow>)> {
    if !dir.is_dir() {
        return Err(Error::Storage {
            path: dir.to_path_buf(),
            message: "--srl-partials: no such folder (the folder the Spark job wrote)".into(),
        });
    }
    let f = leerwinst_store::read_table(dir, Table::SrlPartial)?;
    let (level, pupil, year) = (f.str("level"), f.str("pupil_key"), f.str("school_year"));
    let (term, start, end, active) = (
        f.i32("term"),
        f.date("term_start"),
        f.date("term_end"),
        f.bool("term_active"),
    );
    let f64_col = |name: &str| f.f64(name);
    let ind: Vec<_> = COMPOSITE[1..]
        .iter()
        .map(|(name, _)| f64_col(name))
        .collect();
    let mut years = Vec::new();
    let mut term_rows = Vec::new();
    let mut weeks = Vec::new();
    let i64_col = |name: &str| f.i64(name);
    let (events, sessions, days, minutes) = (
        i64_col("events"),
        i64_col("sessions"),
        i64_col("active_days"),
        f64_col("time_on_task_min"),
    );
    // Every column found once, not once per row.
    let (week, weekday, hour, active_weeks, help_per_task, null_reason) = (
        f.str("week"),
        f64_col("weekday_concentration"),
        f64_col("hour_concentration"),
        i64_col("active_weeks"),
        f64_col("help_per_task"),
        f.str("null_reason"),
    );
    let (help_after_error, persistence, plan_kept, on_time) = (
        f64_col("help_after_error_share"),
        f64_col("persistence_share"),
        f64_col("plan_kept_share"),
        f64_col("on_time_share"),
    );
    let (progress_views, reflections) = (i64_col("progress_views"), i64_col("reflections"));
    let bad = |i: usize, what: &str| Error::Storage {
        path: dir.to_path_buf(),
        message: format!("srl_partial row {i}: {what}"),
    };
    for i in 0..f.len() {
        let key = (pupil.value(i).to_string(), year.value(i).to_string());
        if level.value(i) == "week" {
            weeks.push(WeeklyRow {
                pupil_key: key.0.into(),
                school_year: key.1.into(),
                week: leerwinst_store::opt_str(week, i)
                    .ok_or_else(|| bad(i, "a week row without week"))?
                    .to_string(),
                events: events.value(i),
                sessions: opt(sessions, i),
                active_days: days.value(i),
                time_on_task_min: opt(minutes, i),
                help_after_error_share: opt(help_after_error, i),
                persistence_share: opt(persistence, i),
                plan_kept_share: opt(plan_kept, i),
                on_time_share: opt(on_time, i),
                progress_views: opt(progress_views, i)
                    .ok_or_else(|| bad(i, "a week row without progress_views"))?,
                reflections: opt(reflections, i)
                    .ok_or_else(|| bad(i, "a week row without reflections"))?,
            });
            continue;
        }
        let e = enrolled.get(&key).cloned().unwrap_or_default();
        let mut values = [None; N_IND];
        for (j, c) in ind.iter().enumerate() {
            values[j + 1] = opt(*c, i);
        }
        let span = match level.value(i) {
            "year" => None,
            "term" => Some(TermSpan {
                term: opt::<Int32Type>(term, i).ok_or_else(|| bad(i, "a term row without term"))?,
                start: opt(start, i).ok_or_else(|| bad(i, "a term row without term_start"))?,
                end: opt(end, i).ok_or_else(|| bad(i, "a term row without term_end"))?,
            }),
            other => return Err(bad(i, &format!("level is '{other}'"))),
        };
        let row = SrlRow {
            pupil_key: key.0,
            school_year: key.1,
            term: span,
            school_key: e.school_key,
            grade: e.grade,
            events: events.value(i),
            sessions: opt(sessions, i),
            active_days: days.value(i),
            time_on_task_min: opt(minutes, i),
            weekday_concentration: opt(weekday, i),
            hour_concentration: opt(hour, i),
            active_weeks: opt(active_weeks, i).unwrap_or(0) as u64,
            ind: values,
            help_per_task: opt(help_per_task, i),
            srl_index: None,
            srl_tercile: None,
            null_reason: leerwinst_store::opt_str(null_reason, i).map(str::to_string),
        };
        match span {
            None => years.push(row),
            Some(_) => term_rows.push((row, leerwinst_store::opt_bool(active, i).unwrap_or(false))),
        }
    }
    // Enrolled pupil-years without events or plans have no partials: their rows as transform
    // makes them.
    let seen: HashSet<(String, String)> = years
        .iter()
        .map(|r| (r.pupil_key.clone(), r.school_year.clone()))
        .collect();
    let no_weeks = BTreeMap::new();
    let empty = PupilPlans {
        tasks: &[],
        weeks: &no_weeks,
    };
    for key in enrolled.keys().filter(|k| !seen.contains(*k)) {
        let PupilYearRows {
            year: row, terms, ..
        } = pupil_year_rows(key, &[], empty, enrolled, terms, s);
        years.push(row);
        term_rows.extend(terms);
    }
    years.sort_by(|a, b| (&a.school_year, &a.pupil_key).cmp(&(&b.school_year, &b.pupil_key)));
    let term_of = |r: &SrlRow| r.term.map_or(0, |t| t.term);
    term_rows.sort_by(|(a, _), (b, _)| {
        (&a.school_year, &a.pupil_key, term_of(a)).cmp(&(&b.school_year, &b.pupil_key, term_of(b)))
    });
    weeks.sort_by(|a, b| {
        (&a.school_year, &a.pupil_key, &a.week).cmp(&(&b.school_year, &b.pupil_key, &b.week))
    });
    let last_day = weeks.iter().filter_map(|w| week_last_day(&w.week)).max();
    let events_read = years.iter().map(|r| r.events as usize).sum();
    let mut out = finish(years, term_rows, last_day);
    out.weekly_rows = weeks.len();
    out.events_read = events_read;
    Ok((out, weeks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::StringArray;
    use std::sync::Arc;

    fn settings() -> SrlSettings {
        SrlSettings {
            session_gap_min: 15.0,
            min_events: 1,
        }
    }

    /// An input stream of event rows (pupil, seq, ts in minutes from a Monday morning in 2024).
    fn stream(rows: &[(&str, i64, i64)]) -> Vec<u8> {
        let schema = Table::SrlKernelInput.schema();
        let n = rows.len();
        let base = 1_727_679_600_000_000i64; // 2024-09-30 07:00 UTC
        let cols: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| -> ArrayRef {
                match f.name().as_str() {
                    "record" => Arc::new(StringArray::from(vec!["event"; n])),
                    "pupil_key" => str_array(&rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
                    "school_year" => str_array(&vec![Some("2024-2025"); n]),
                    "seq" => i64_array(rows.iter().map(|r| Some(r.1)).collect()),
                    "ts" => leerwinst_store::ts_array(
                        rows.iter().map(|r| Some(base + r.2 * 60_000_000)).collect(),
                    ),
                    "kind" => str_array(&vec![Some("answer"); n]),
                    _ => arrow_array::new_null_array(f.data_type(), n),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
        let mut out = Vec::new();
        let mut w = StreamWriter::try_new(&mut out, &schema).unwrap();
        w.write(&batch).unwrap();
        w.finish().unwrap();
        drop(w);
        out
    }

    fn kernel(input: &[u8]) -> Result<(KernelSummary, Vec<RecordBatch>)> {
        let mut out = Vec::new();
        let s = run(input, &mut out, &Terms::default(), settings())?;
        let batches = StreamReader::try_new(&out[..], None)
            .unwrap()
            .map(|b| b.unwrap())
            .collect();
        Ok((s, batches))
    }

    #[test]
    fn events_out_of_seq_order_give_the_rows_of_the_sorted_events() {
        let sorted = kernel(&stream(&[
            ("a", 0, 0),
            ("a", 1, 5),
            ("a", 2, 40),
            ("b", 0, 1),
        ]))
        .unwrap();
        let shuffled = kernel(&stream(&[
            ("a", 2, 40),
            ("a", 0, 0),
            ("a", 1, 5),
            ("b", 0, 1),
        ]))
        .unwrap();
        assert_eq!(sorted.0, shuffled.0);
        assert_eq!(sorted.0.pupil_years, 2);
        assert_eq!(sorted.0.events, 4);
        assert_eq!(sorted.1, shuffled.1);
        // Pupil a: two sessions (the 35-minute gap splits them), 5 minutes on task.
        let b = &sorted.1[0];
        let (level, sessions) = (
            b.column_by_name("level").unwrap().as_string::<i32>(),
            b.column_by_name("sessions")
                .unwrap()
                .as_primitive::<Int64Type>(),
        );
        assert_eq!(level.value(0), "year");
        assert_eq!(sessions.value(0), 2);
        assert_eq!(b.num_rows() as usize, sorted.0.rows);
    }

    #[test]
    fn a_repeated_seq_and_a_pupil_year_met_twice_are_errors() {
        let e = kernel(&stream(&[("a", 0, 0), ("a", 0, 5)])).unwrap_err();
        assert!(e.to_string().contains("seq 0"), "{e}");
        let e = kernel(&stream(&[("a", 0, 0), ("b", 0, 5), ("a", 1, 9)])).unwrap_err();
        assert!(
            e.to_string().contains("not together or out of order"),
            "{e}"
        );
        let e = kernel(b"not arrow").unwrap_err();
        assert!(e.to_string().contains("not an Arrow IPC stream"), "{e}");
    }

    #[test]
    fn the_spark_schema_names_every_partial_column_in_order() {
        let ddl = spark_ddl();
        let names: Vec<&str> = ddl
            .split(", ")
            .map(|c| c.split(' ').next().unwrap())
            .collect();
        let want: Vec<&str> = Table::SrlPartial.columns().iter().map(|c| c.name).collect();
        assert_eq!(names, want);
    }
}
