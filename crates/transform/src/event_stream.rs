//! The warehouse's events, pupil by pupil, in bounded memory.
//!
//! Ingest writes `warehouse/events/school_year=*/part-*.parquet` sorted by pupil and time within
//! each partition, so one pass over the files in batches meets each pupil-year's events as one
//! run. The runs are handed out in groups of about [`GROUP_EVENTS`] events, which the caller
//! works on in parallel (rayon over pupils); memory holds one batch of the file, one group and the
//! results, never the whole table. The runs come in increasing (school year, pupil) order, so
//! callers can merge other per-pupil data into the stream; a table out of that order (not
//! written by ingest) is an error, not a silent split.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{Array, RecordBatch, StringViewArray};
use leerwinst_core::clock::amsterdam_day_hour;
use leerwinst_core::pipeline::EventKind;
use leerwinst_core::{Error, Result};
use rustc_hash::FxHashMap;

/// Events per group handed to the caller.
pub const GROUP_EVENTS: usize = 256 * 1024;

/// Rows per batch read from the files.
const BATCH_ROWS: usize = 64 * 1024;

/// The event columns the indicators read.
pub const COLUMNS: [&str; 7] = [
    "pupil_key",
    "school_year",
    "ts",
    "kind",
    "object_id",
    "task_id",
    "success",
];

/// One event, as the indicators need it: its Dutch local day and hour worked out once, and its
/// task as a number that is equal exactly when the texts are (within one pupil-year,
/// [`PupilEvents::view`]), so the indicators count distinct tasks without comparing text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventView<'a> {
    /// Microseconds UTC.
    pub ts: i64,
    /// The Amsterdam local day, days since 1970-01-01.
    pub day: i32,
    /// The Amsterdam local hour, 0-23.
    pub hour: u8,
    /// Exactly local midnight (a source with dates only has every event there).
    pub midnight: bool,
    /// Canonical kind.
    pub kind: EventKind,
    /// Activity.
    pub object: Option<&'a str>,
    /// Task, by number.
    pub task: Option<u32>,
    /// Success.
    pub success: Option<bool>,
}

impl<'a> EventView<'a> {
    /// An event at `ts` (UTC microseconds), its local day and hour worked out here.
    pub fn new(
        ts: i64,
        kind: EventKind,
        object: Option<&'a str>,
        task: Option<u32>,
        success: Option<bool>,
    ) -> Self {
        let (day, hour, midnight) = amsterdam_day_hour(ts);
        EventView {
            ts,
            day,
            hour: hour as u8,
            midnight,
            kind,
            object,
            task,
            success,
        }
    }
}

/// Where an event's activity or task sits in its pupil-year's [`PupilEvents::texts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRef {
    start: u32,
    len: u32,
}

/// One event; its activity and task are in the pupil-year's texts (a view for the indicators is
/// [`PupilEvents::view`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PupilEvent {
    /// Microseconds UTC.
    pub ts: i64,
    /// Canonical kind.
    pub kind: EventKind,
    /// Activity.
    pub object: Option<TextRef>,
    /// Task.
    pub task: Option<TextRef>,
    /// Success.
    pub success: Option<bool>,
}

/// One pupil's events in one school year, in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PupilEvents {
    /// Pupil.
    pub pupil_key: String,
    /// School year.
    pub school_year: String,
    /// Events.
    pub events: Vec<PupilEvent>,
    /// The events' activities and tasks, one after the other: one buffer per pupil-year instead
    /// of two strings per event.
    texts: String,
}

impl PupilEvents {
    /// Appends an event. An activity or task the same as the previous event's shares its text;
    /// `same` says which of the two the caller knows to be the previous event's (so that their
    /// texts are not compared), `[false; 2]` when it does not know.
    pub fn push(
        &mut self,
        ts: i64,
        kind: EventKind,
        object: Option<&str>,
        task: Option<&str>,
        success: Option<bool>,
        same: [bool; 2],
    ) {
        let last = self.events.last().map(|e| (e.object, e.task));
        let (last_object, last_task) = (last.and_then(|l| l.0), last.and_then(|l| l.1));
        let object = object.map(|o| match last_object {
            Some(p) if same[0] => p,
            _ => self.text_ref(o, last_object),
        });
        let task = task.map(|t| match last_task {
            Some(p) if same[1] => p,
            _ => self.text_ref(t, last_task),
        });
        self.events.push(PupilEvent {
            ts,
            kind,
            object,
            task,
            success,
        });
    }

    /// `text` in the buffer: `previous` when it holds the same text, else appended.
    fn text_ref(&mut self, text: &str, previous: Option<TextRef>) -> TextRef {
        if let Some(p) = previous.filter(|p| self.text(*p) == text) {
            return p;
        }
        let r = TextRef {
            start: self.texts.len() as u32,
            len: text.len() as u32,
        };
        self.texts.push_str(text);
        r
    }

    fn text(&self, r: TextRef) -> &str {
        &self.texts[r.start as usize..(r.start + r.len) as usize]
    }

    /// The events as the indicator functions take them, sorted by time (stable). Tasks are
    /// numbered by their text; an event naming the previous event's task reuses its number
    /// unhashed. (Activities stay text: nearly every event names another one, and they are
    /// only compared within a session.)
    pub fn view(&self) -> Vec<EventView<'_>> {
        let mut numbers: FxHashMap<&str, u32> = FxHashMap::default();
        let mut last: Option<(TextRef, u32)> = None;
        let mut v: Vec<EventView<'_>> = self
            .events
            .iter()
            .map(|e| {
                let task = e.task.map(|r| match last {
                    Some((l, n)) if l == r => n,
                    _ => {
                        let next = numbers.len() as u32;
                        let n = *numbers.entry(self.text(r)).or_insert(next);
                        last = Some((r, n));
                        n
                    }
                });
                let object = e.object.map(|r| self.text(r));
                EventView::new(e.ts, e.kind, object, task, e.success)
            })
            .collect();
        v.sort_by_key(|e| e.ts);
        v
    }
}

/// Streams the events table at `dir` (absent: no events) to `f`, pupil-year runs in groups of
/// about `group_events` events; returns the number of events read. Three stages run side by side,
/// each on a thread of its own: decoding the files' batches, cutting them into pupil-year runs,
/// and `f` (here) on the group before, so that neither reading step waits for the other or for
/// `f`.
pub fn for_each_pupil(
    dir: &Path,
    group_events: usize,
    f: impl FnMut(Vec<PupilEvents>) -> Result<()>,
) -> Result<usize> {
    if !dir.exists() {
        return Ok(0);
    }
    pipelined(
        "events-runs",
        1,
        |groups| {
            let mut runs = Runs::new(dir, group_events);
            pipelined(
                "events-decode",
                2,
                |batches| {
                    leerwinst_store::scan_table_views(dir, &COLUMNS, BATCH_ROWS, |b| {
                        batches(b.clone())
                    })
                },
                |b| runs.add(&b, &mut *groups),
            )?;
            runs.finish(groups)
        },
        f,
    )
}

/// Runs `produce` on a thread of its own (named `name`), handing each item it gives to `consume`
/// on this thread, with at most `ahead` items waiting in between. The first error stops both: `consume`'s is
/// returned before `produce`'s (which then only sees that nobody takes its items).
fn pipelined<T: Send, R: Send>(
    name: &str,
    ahead: usize,
    produce: impl FnOnce(&mut dyn FnMut(T) -> Result<()>) -> Result<R> + Send,
    mut consume: impl FnMut(T) -> Result<()>,
) -> Result<R> {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<T>(ahead);
        let producer = std::thread::Builder::new()
            .name(name.into())
            .spawn_scoped(scope, move || {
                produce(&mut |item| tx.send(item).map_err(|_| Error::Compute("stopped".into())))
            })
            .map_err(|e| Error::Compute(format!("no thread for {name}: {e}")))?;
        let mut failed = None;
        for item in rx.iter() {
            if let Err(e) = consume(item) {
                failed = Some(e);
                break;
            }
        }
        drop(rx);
        let produced = producer
            .join()
            .map_err(|_| Error::Compute("the events reader stopped".into()))?;
        match failed {
            Some(e) => Err(e),
            None => produced,
        }
    })
}

/// Cuts the events table's batches into pupil-year runs, handed out in groups of about
/// `group_events` events ([`for_each_pupil`]).
struct Runs<'a> {
    dir: &'a Path,
    group_events: usize,
    read: usize,
    group: Vec<PupilEvents>,
    in_group: usize,
    current: PupilEvents,
    /// The last pupil-year closed: runs must come in increasing (school year, pupil) order.
    last: Option<(String, String)>,
}

impl<'a> Runs<'a> {
    fn new(dir: &'a Path, group_events: usize) -> Self {
        Runs {
            dir,
            group_events,
            read: 0,
            group: Vec::new(),
            in_group: 0,
            current: PupilEvents::default(),
            last: None,
        }
    }

    /// Adds the events of batch `b` (the [`COLUMNS`], texts as views); hands each full group to
    /// `f`.
    fn add(
        &mut self,
        b: &RecordBatch,
        f: &mut dyn FnMut(Vec<PupilEvents>) -> Result<()>,
    ) -> Result<()> {
        let text = |i: usize| {
            b.column(i)
                .as_string_view_opt()
                .ok_or_else(|| Error::Storage {
                    path: self.dir.to_path_buf(),
                    message: format!("column '{}' is not text", COLUMNS[i]),
                })
        };
        let (pupil, year, ts, kind, object, task, success) = (
            text(0)?,
            text(1)?,
            b.column(2).as_primitive::<TimestampMicrosecondType>(),
            text(3)?,
            text(4)?,
            text(5)?,
            b.column(6).as_boolean(),
        );
        // Two rows of one batch with the same view hold the same text (the same inline bytes,
        // or the same place in the same buffer; a dictionary-encoded column decodes so), so a
        // text is compared only when its view changes.
        let same_view = |a: &StringViewArray, i: usize| {
            i > 0 && a.is_valid(i) && a.is_valid(i - 1) && a.views()[i] == a.views()[i - 1]
        };
        let mut kind_of_row = None;
        for i in 0..b.num_rows() {
            let same_run = same_view(pupil, i) && same_view(year, i);
            if !same_run
                && (pupil.value(i) != self.current.pupil_key
                    || year.value(i) != self.current.school_year)
            {
                self.close()?;
                if self.in_group >= self.group_events {
                    f(std::mem::take(&mut self.group))?;
                    self.in_group = 0;
                }
                self.current.pupil_key = pupil.value(i).to_string();
                self.current.school_year = year.value(i).to_string();
            }
            let event_kind = match kind_of_row {
                Some(k) if same_view(kind, i) => k,
                _ => EventKind::parse(kind.value(i)).unwrap_or(EventKind::Other),
            };
            kind_of_row = Some(event_kind);
            self.current.push(
                ts.value(i),
                event_kind,
                object.is_valid(i).then(|| object.value(i)),
                task.is_valid(i).then(|| task.value(i)),
                success.is_valid(i).then(|| success.value(i)),
                [same_view(object, i), same_view(task, i)],
            );
            self.read += 1;
        }
        Ok(())
    }

    /// Closes the current pupil-year's run into the group.
    fn close(&mut self) -> Result<()> {
        if self.current.events.is_empty() {
            return Ok(());
        }
        let key = (
            self.current.school_year.clone(),
            self.current.pupil_key.clone(),
        );
        if self.last.as_ref().is_some_and(|l| *l >= key) {
            return Err(Error::Storage {
                path: self.dir.to_path_buf(),
                message: format!(
                    "events of pupil {} in {} are out of place: the table is not sorted by pupil \
                     within its school year (write it with leerwinst ingest)",
                    self.current.pupil_key, self.current.school_year
                ),
            });
        }
        self.last = Some(key);
        self.in_group += self.current.events.len();
        self.group.push(std::mem::take(&mut self.current));
        Ok(())
    }

    /// Hands out the last run and group; the number of events read.
    fn finish(mut self, f: &mut dyn FnMut(Vec<PupilEvents>) -> Result<()>) -> Result<usize> {
        self.close()?;
        if !self.group.is_empty() {
            f(std::mem::take(&mut self.group))?;
        }
        Ok(self.read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::ArrayRef;
    use leerwinst_core::Table;
    use leerwinst_store::{bool_array, f64_array, i64_array, str_array, ts_array, write_table};

    fn write(dir: &Path, year: &str, rows: &[(&str, i64, &str)]) {
        let n = rows.len();
        let cols: Vec<ArrayRef> = vec![
            str_array(&rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
            str_array(&vec![Some(year); n]),
            ts_array(rows.iter().map(|r| Some(r.1)).collect()),
            i64_array((0..n as i64).map(Some).collect()),
            str_array(&rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>()),
            str_array(&vec![Some("v"); n]),
            str_array(&vec![Some("item"); n]),
            str_array(&vec![None::<&str>; n]),
            str_array(&vec![None::<&str>; n]),
            bool_array(vec![Some(true); n]),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
        ];
        let path = dir.join(format!("school_year={year}/part-0.parquet"));
        write_table(&path, Table::Events, cols, &[]).unwrap();
    }

    #[test]
    fn runs_of_pupils_in_groups_across_partitions() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "2023-2024",
            &[
                ("a", 2, "answer"),
                ("a", 1, "help"),
                ("b", 5, "weird"),
                ("c", 1, "attempt"),
            ],
        );
        write(dir.path(), "2024-2025", &[("a", 9, "complete")]);
        let mut groups = Vec::new();
        let n = for_each_pupil(dir.path(), 2, |g| {
            groups.push(g);
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 5);
        let shape: Vec<Vec<(String, String, usize)>> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|p| (p.pupil_key.clone(), p.school_year.clone(), p.events.len()))
                    .collect()
            })
            .collect();
        // A group closes once it holds at least 2 events.
        assert_eq!(
            shape,
            [
                vec![("a".into(), "2023-2024".into(), 2)],
                vec![
                    ("b".into(), "2023-2024".into(), 1),
                    ("c".into(), "2023-2024".into(), 1)
                ],
                vec![("a".into(), "2024-2025".into(), 1)],
            ]
        );
        let a = &groups[0][0];
        assert_eq!(a.view().iter().map(|e| e.ts).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(
            groups[1][0].events[0].kind,
            EventKind::Other,
            "an unknown kind is other"
        );
    }

    #[test]
    fn a_table_out_of_order_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "2023-2024",
            &[("a", 1, "answer"), ("b", 1, "answer"), ("a", 2, "answer")],
        );
        let err = for_each_pupil(dir.path(), 100, |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("not sorted by pupil"), "{err}");
        // Contiguous but out of order is refused too.
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "2023-2024",
            &[("b", 1, "answer"), ("a", 1, "answer")],
        );
        let err = for_each_pupil(dir.path(), 100, |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("pupil a in 2023-2024"), "{err}");
        assert_eq!(
            for_each_pupil(&dir.path().join("none"), 1, |_| Ok(())).unwrap(),
            0
        );
    }
}
