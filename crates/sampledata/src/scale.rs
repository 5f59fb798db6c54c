//! A warehouse of generated LMS events at any scale, written straight to Parquet in the layout
//! ingest writes (`warehouse/events/school_year=*/part-0.parquet`, sorted by pupil and time),
//! batch by batch so that memory stays small whatever the size: for the SRL benchmark
//! (`bench/srl.sh`, 100M events) and the bounded-memory test. Going through xAPI would need
//! 50 GB of NDJSON for 100M statements.
//!
//! Each pupil-year works in sessions of a task: an attempt, answers to its items (wrong ones
//! sometimes followed by a hint and a second answer), now and then an instruction video or a look
//! at the progress dashboard, and a completion; sessions fall on habitual weekdays and hours
//! more often the higher the pupil's self-regulation trait. As in `sample-data` (and as the
//! indicators' definitions argue, docs/indicators.md), a more self-regulated pupil also works in
//! more of the course weeks and more often: the pupil-year's event count is
//! `events_per_pupil_year` x 2 logistic(0.5 s) (mean 1 over the trait s), spread over the weeks
//! the pupil is active in, each week active with probability logistic(1 + 1.2 s). The other
//! warehouse tables the transform stage reads are written empty.

use std::path::Path;

use arrow_array::{ArrayRef, RecordBatch};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use leerwinst_core::{Table, clock};
use leerwinst_store::{
    TableWriter, bool_array, f64_array, i64_array, str_array, ts_array, write_batch,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::{Error, Result};

/// Rows per written batch.
const BATCH: usize = 64 * 1024;

/// Columns of events being collected for one batch.
#[derive(Default)]
struct Columns {
    pupil: Vec<String>,
    ts: Vec<i64>,
    seq: Vec<i64>,
    kind: Vec<&'static str>,
    verb: Vec<&'static str>,
    object: Vec<String>,
    task: Vec<String>,
    success: Vec<Option<bool>>,
}

impl Columns {
    fn len(&self) -> usize {
        self.ts.len()
    }

    /// One event: its time and its place in the pupil-year (`seq`), kind, activity, task.
    fn push(
        &mut self,
        pupil: &str,
        (ts, seq): (i64, i64),
        kind: &'static str,
        object: &str,
        task: &str,
        ok: Option<bool>,
    ) {
        const ADL: [(&str, &str); 7] = [
            ("attempt", "http://adlnet.gov/expapi/verbs/attempted"),
            ("answer", "http://adlnet.gov/expapi/verbs/answered"),
            ("help", "http://adlnet.gov/expapi/verbs/asked"),
            ("instruction", "http://adlnet.gov/expapi/verbs/experienced"),
            ("progress_view", "http://adlnet.gov/expapi/verbs/progressed"),
            ("complete", "http://adlnet.gov/expapi/verbs/completed"),
            ("reflection", crate::lms::REFLECTED),
        ];
        self.pupil.push(pupil.to_string());
        self.ts.push(ts);
        self.seq.push(seq);
        self.kind.push(kind);
        self.verb
            .push(ADL.iter().find(|v| v.0 == kind).map_or("other", |v| v.1));
        self.object.push(object.to_string());
        self.task.push(task.to_string());
        self.success.push(ok);
    }

    fn flush(&mut self, year: &str, w: &mut TableWriter) -> Result<()> {
        let n = self.len();
        if n == 0 {
            return Ok(());
        }
        let cols: Vec<ArrayRef> = vec![
            str_array(&self.pupil.iter().map(Some).collect::<Vec<_>>()),
            str_array(&vec![Some(year); n]),
            ts_array(self.ts.iter().map(|t| Some(*t)).collect()),
            i64_array(self.seq.iter().map(|s| Some(*s)).collect()),
            str_array(&self.kind.iter().map(Some).collect::<Vec<_>>()),
            str_array(&self.verb.iter().map(Some).collect::<Vec<_>>()),
            str_array(&self.object.iter().map(Some).collect::<Vec<_>>()),
            str_array(&self.task.iter().map(Some).collect::<Vec<_>>()),
            str_array(&vec![Some("rekenen"); n]),
            bool_array(self.success.clone()),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
        ];
        w.write_columns(cols).map_err(store)?;
        *self = Columns::default();
        Ok(())
    }
}

fn store(e: leerwinst_core::Error) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

/// Weeks of the school year with lessons from the first Monday of September.
const COURSE_WEEKS: i64 = 38;

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Writes the warehouse under `out/warehouse`: `pupils` pupils in each of `years` school years
/// (from 2023-2024), about `events_per_pupil_year` events each on average (more for more
/// self-regulated pupils); returns the events written.
pub fn write_warehouse(
    out: &Path,
    pupils: usize,
    years: usize,
    events_per_pupil_year: usize,
    seed: u64,
) -> Result<u64> {
    let wh = out.join("warehouse");
    for t in [Table::Enrollments, Table::Assessments, Table::Plans] {
        let path = wh.join(format!("{}.parquet", t.name()));
        write_batch(&path, t, &RecordBatch::new_empty(t.schema()), &[]).map_err(store)?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Pupil keys as ingest would write them (hex pseudonyms), sorted; a trait per pupil.
    let mut keys: Vec<(String, f64)> = (0..pupils)
        .map(|_| {
            let k: u128 = rng.random();
            (format!("{k:032x}"), StandardNormal.sample(&mut rng))
        })
        .collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let mut written = 0u64;
    for y in 0..years {
        let start_year = 2023 + y as i32;
        let year = format!("{start_year}-{}", start_year + 1);
        let path = wh.join(format!("events/school_year={year}/part-0.parquet"));
        let mut w = TableWriter::create(&path, Table::Events, &[]).map_err(store)?;
        let mut cols = Columns::default();
        // First Monday of September.
        let mut monday = NaiveDate::from_ymd_opt(start_year, 9, 1).expect("valid date");
        while monday.weekday() != Weekday::Mon {
            monday += Duration::days(1);
        }
        for (key, s) in &keys {
            let p_habit = logistic(0.8 + 1.5 * s);
            let p_help = logistic(-0.6 + 1.5 * s);
            let p_retry = logistic(0.3 + 1.5 * s);
            let p_dash = logistic(-0.8 + 1.2 * s);
            let p_reflect = logistic(-1.0 + 1.5 * s);
            let habit_days: [i64; 3] = [
                rng.random_range(0..2),
                rng.random_range(1..3),
                rng.random_range(2..4),
            ];
            let habit_minute: i64 = rng.random_range(8 * 60 + 40..13 * 60);
            // The course weeks this pupil works in (at least one), and how much.
            let p_week = logistic(1.0 + 1.2 * s);
            let mut weeks: Vec<i64> = (0..COURSE_WEEKS)
                .filter(|_| rng.random::<f64>() < p_week)
                .collect();
            if weeks.is_empty() {
                weeks.push(rng.random_range(0..COURSE_WEEKS));
            }
            let budget = (events_per_pupil_year as f64 * 2.0 * logistic(0.5 * s)).round() as usize;
            let mut n = 0;
            let mut session = 0usize;
            // The pupil-year's events, sorted by time before they are written.
            type Event = (i64, &'static str, String, String, Option<bool>);
            let mut mine: Vec<Event> = Vec::new();
            while n < budget.max(1) {
                let week = weeks[(session / 3) % weeks.len()];
                let slot = session % 3;
                let day = if rng.random::<f64>() < p_habit {
                    habit_days[slot]
                } else {
                    rng.random_range(0..5)
                };
                let jitter = if rng.random::<f64>() < p_habit {
                    rng.random_range(-10..=10)
                } else {
                    rng.random_range(-150..=150)
                };
                let local = (monday + Duration::days(7 * week + day))
                    .and_hms_opt(0, 0, 0)
                    .expect("valid time")
                    + Duration::minutes(habit_minute + jitter);
                let mut t = clock::amsterdam_to_utc(local).timestamp_micros();
                let task = format!("https://lms.example.nl/tasks/w{week}-s{slot}-{session}");
                let mut ev = |rng: &mut ChaCha8Rng, t: &mut i64, kind, object: &str, ok| {
                    mine.push((*t, kind, object.to_string(), task.clone(), ok));
                    *t += rng.random_range(10..90) * 1_000_000;
                    n += 1;
                };
                if rng.random::<f64>() < p_dash {
                    ev(
                        &mut rng,
                        &mut t,
                        "progress_view",
                        "https://lms.example.nl/dashboard",
                        None,
                    );
                }
                ev(&mut rng, &mut t, "attempt", &task, None);
                for item in 1..=4 {
                    let object = format!("{task}/item{item}");
                    let ok = rng.random::<f64>() < 0.7;
                    ev(&mut rng, &mut t, "answer", &object, Some(ok));
                    if !ok {
                        if rng.random::<f64>() < p_help {
                            ev(&mut rng, &mut t, "help", &format!("{object}/hint"), None);
                        }
                        if rng.random::<f64>() < p_retry {
                            let again = rng.random::<f64>() < 0.8;
                            ev(&mut rng, &mut t, "answer", &object, Some(again));
                        }
                    }
                }
                ev(&mut rng, &mut t, "complete", &task, Some(true));
                // A logbook (reflection) entry after the week's last session.
                if slot == 2 && rng.random::<f64>() < p_reflect {
                    ev(
                        &mut rng,
                        &mut t,
                        "reflection",
                        "https://lms.example.nl/logbook",
                        None,
                    );
                }
                session += 1;
            }
            mine.sort_by_key(|e| e.0);
            for (seq, (t, kind, object, task, ok)) in mine.into_iter().enumerate() {
                cols.push(key, (t, seq as i64), kind, &object, &task, ok);
                if cols.len() >= BATCH {
                    cols.flush(&year, &mut w)?;
                }
            }
            written += n as u64;
        }
        cols.flush(&year, &mut w)?;
        w.finish().map_err(store)?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_warehouse_is_sorted_by_pupil_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let n = write_warehouse(dir.path(), 20, 2, 300, 7).unwrap();
        // About 300 a pupil-year on average: the mean of 2 logistic(0.5 s) is 1.
        assert!((2 * 20 * 200..2 * 20 * 420).contains(&(n as usize)), "{n}");
        let f = leerwinst_store::read_table(&dir.path().join("warehouse/events"), Table::Events)
            .unwrap();
        assert_eq!(f.len() as u64, n);
        let (p, y, t) = (f.str("pupil_key"), f.str("school_year"), f.ts("ts"));
        for i in 1..f.len() {
            let a = (y.value(i - 1), p.value(i - 1), t.value(i - 1));
            let b = (y.value(i), p.value(i), t.value(i));
            assert!(a <= b, "row {i}: {a:?} > {b:?}");
        }
        assert!(dir.path().join("warehouse/plans.parquet").exists());
    }
}
