//! The events table while ingest reads it, in bounded memory.
//!
//! Readers push their rows in input order; each row's *position* (its place among all events
//! read, over all sources) breaks ties in the table's sort, so the files do not depend on how
//! the input was cut or on the thread count. Up to a limit of rows ([`MAX_IN_MEMORY_ENV`],
//! default [`DEFAULT_MAX_IN_MEMORY`]) the rows stay in memory and are sorted and written at the
//! end. Beyond it, the rows held are sorted and written to a *run* file in a spill folder beside
//! the warehouse, and memory starts afresh; at the end the runs are merged into the partitions.
//! Both ways give the same files byte for byte (`tests/ingest_spill.rs`).
//!
//! Rows a reader drops once it has read a whole file (repeated or voided xAPI statements) are
//! named by position ([`EventStore::drop_positions`]) and skipped when the table is written,
//! whether they are still in memory or already in a run.

use std::collections::BTreeMap;
use std::collections::BinaryHeap;
use std::io::Write;
use std::path::{Path, PathBuf};

use leerwinst_core::pipeline::EventKind;
use leerwinst_core::{Error, Result, Table};
use leerwinst_store::TableWriter;
use rayon::prelude::*;

use crate::rows::{EventRow, EventSeq, Shared, events, intern};
use crate::spill::{self, SpillReader};

/// Rows held in memory before they are spilled to a run, unless [`MAX_IN_MEMORY_ENV`] says
/// otherwise: about 1.4 GB of rows (an event row is about 170 bytes plus shared strings).
pub const DEFAULT_MAX_IN_MEMORY: usize = 8_000_000;

/// The environment variable that sets the number of event rows held in memory.
pub const MAX_IN_MEMORY_ENV: &str = "LEERWINST_MAX_EVENTS_IN_MEMORY";

/// Rows per batch written, both ways: one row group. Parquet's column writers cut pages
/// differently depending on where a batch ends and whether it holds nulls, so both ways write
/// the same batches from the same rows, and the files are the same.
const BATCH: usize = leerwinst_store::ROW_GROUP_ROWS;

/// The limit from [`MAX_IN_MEMORY_ENV`], or the default.
pub fn max_in_memory_from_env() -> Result<usize> {
    match std::env::var(MAX_IN_MEMORY_ENV) {
        Err(_) => Ok(DEFAULT_MAX_IN_MEMORY),
        Ok(v) => match v.trim().replace('_', "").parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(Error::Compute(format!(
                "{MAX_IN_MEMORY_ENV} must be a positive whole number of rows, not '{v}'"
            ))),
        },
    }
}

/// The events read so far: in memory, and in sorted runs once there were too many.
pub struct EventStore {
    /// Blocks of rows in position order, not yet spilled.
    held: Vec<Vec<EventRow>>,
    held_rows: usize,
    /// Position of the first row held.
    first_held: u64,
    /// Position the next row pushed gets.
    next: u64,
    /// Positions of rows to leave out, sorted, without repeats.
    dropped: Vec<u64>,
    max_in_memory: usize,
    /// Where runs go (created at the first spill); `None`: never spill.
    spill_dir: Option<PathBuf>,
    runs: Vec<PathBuf>,
    /// What was pushed since the last [`EventStore::take_kinds`].
    tally: KindTally,
}

/// Distinct raw verbs of kind `other` counted per source (enough to name the main ones).
pub const MAX_VERBS_TALLIED: usize = 1000;

/// Events a source added, and those of kind `other` by raw verb.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct KindTally {
    /// Events pushed.
    pub events: u64,
    /// Events of kind `other`, by raw verb (at most [`MAX_VERBS_TALLIED`] distinct verbs).
    pub other_verbs: BTreeMap<String, u64>,
    /// Events of kind `other` whose verb came after the [`MAX_VERBS_TALLIED`] distinct ones.
    pub other_untallied: u64,
}

impl KindTally {
    /// Counts `rows` (no allocation for a verb already counted).
    fn count(&mut self, rows: &[EventRow]) {
        self.events += rows.len() as u64;
        for r in rows.iter().filter(|r| r.kind == "other") {
            let verb: &str = &r.verb;
            if let Some(n) = self.other_verbs.get_mut(verb) {
                *n += 1;
            } else if self.other_verbs.len() < MAX_VERBS_TALLIED {
                self.other_verbs.insert(verb.to_string(), 1);
            } else {
                self.other_untallied += 1;
            }
        }
    }
}

impl EventStore {
    /// A store that spills to `spill_dir` (created when first needed, removed when the store
    /// is written or dropped) once more than `max_in_memory` rows are held.
    pub fn new(max_in_memory: usize, spill_dir: PathBuf) -> Self {
        let mut store = Self::in_memory();
        store.max_in_memory = max_in_memory.max(1);
        store.spill_dir = Some(spill_dir);
        store
    }

    /// A store that holds every row in memory.
    pub fn in_memory() -> Self {
        EventStore {
            held: Vec::new(),
            held_rows: 0,
            first_held: 0,
            next: 0,
            dropped: Vec::new(),
            max_in_memory: usize::MAX,
            spill_dir: None,
            runs: Vec::new(),
            tally: KindTally::default(),
        }
    }

    /// What was pushed since the last call (the reader of one source): events, and those of
    /// kind `other` by raw verb. Resets the tally.
    pub fn take_kinds(&mut self) -> KindTally {
        std::mem::take(&mut self.tally)
    }

    /// Rows pushed and not dropped.
    pub fn len(&self) -> usize {
        (self.next - self.dropped.len() as u64) as usize
    }

    /// Whether no row is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs written so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Rows held before a spill (also the limit of statement ids held, see `xapi`).
    pub fn max_in_memory(&self) -> usize {
        self.max_in_memory
    }

    /// The spill folder, if this store may spill.
    pub fn spill_dir(&self) -> Option<&Path> {
        self.spill_dir.as_deref()
    }

    /// The position the next row pushed will get.
    pub fn next_position(&self) -> u64 {
        self.next
    }

    /// Appends rows (in input order); spills when more rows than allowed are held.
    pub fn push(&mut self, rows: Vec<EventRow>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.next += rows.len() as u64;
        self.tally.count(&rows);
        self.held_rows += rows.len();
        self.held.push(rows);
        if self.held_rows >= self.max_in_memory && self.spill_dir.is_some() {
            self.spill()?;
        }
        Ok(())
    }

    /// Once the store has spilled, writes the rows it holds as a run now rather than at the
    /// end: they go to disk before the merge either way (so the files are the same), and the
    /// memory is free for the sources read after this one (a board's weekly plans were read
    /// while 8 million event rows waited in memory: bench/board.sh).
    pub fn spill_held_if_spilled(&mut self) -> Result<()> {
        if !self.runs.is_empty() && self.held_rows > 0 {
            self.spill()?;
        }
        Ok(())
    }

    /// Leaves out the rows at these positions (each pushed before, each named once).
    pub fn drop_positions(&mut self, positions: impl IntoIterator<Item = u64>) {
        let before = self.dropped.len();
        self.dropped.extend(positions);
        if self.dropped.len() > before {
            self.dropped.sort_unstable();
            self.dropped.dedup();
        }
    }

    /// The rows kept, in input order. Only for a store that never spilled (tests, helpers).
    pub fn into_rows(mut self) -> Vec<EventRow> {
        assert!(self.runs.is_empty(), "into_rows on a store that spilled");
        let held = std::mem::take(&mut self.held).into_iter().flatten();
        kept(self.first_held, held, &self.dropped).collect()
    }

    /// Sorts the rows held and writes them as the next run.
    fn spill(&mut self) -> Result<()> {
        let Some(dir) = self.spill_dir.clone() else {
            return Ok(());
        };
        let rows: Vec<&EventRow> = self.held.iter().flatten().collect();
        let name = format!("run-{:05}.bin", self.runs.len());
        let first = self.first_held;
        let path = spill::write(&dir, &name, |w| {
            for (_, order) in sort_order(&rows) {
                for i in order {
                    put_row(w, first + i as u64, rows[i])?;
                }
            }
            Ok(())
        })?;
        self.runs.push(path);
        self.held.clear();
        self.held_rows = 0;
        self.first_held = self.next;
        Ok(())
    }

    /// Writes the table to `events_dir` (`school_year=<year>/part-0.parquet` per school year,
    /// rows sorted by pupil, time, verb, object and position) and removes the spill folder.
    /// Returns the files written.
    pub fn write(&mut self, events_dir: &Path, meta: &[(String, String)]) -> Result<Vec<PathBuf>> {
        let written = if self.runs.is_empty() {
            self.write_from_memory(events_dir, meta)
        } else {
            if self.held_rows > 0 {
                self.spill()?;
            }
            self.merge_runs(events_dir, meta)
        };
        self.remove_runs();
        written
    }

    fn write_from_memory(
        &mut self,
        events_dir: &Path,
        meta: &[(String, String)],
    ) -> Result<Vec<PathBuf>> {
        let held = self.held.iter().flatten();
        let rows: Vec<&EventRow> = kept(self.first_held, held, &self.dropped).collect();
        let parts: Vec<(PathBuf, Vec<&EventRow>)> = sort_order(&rows)
            .into_iter()
            .map(|(year, order)| {
                (
                    partition(events_dir, &year),
                    order.into_iter().map(|i| rows[i]).collect(),
                )
            })
            .collect();
        // Partitions are written in parallel (each is one Parquet file).
        parts
            .par_iter()
            .map(|(path, rows)| {
                let mut file = PartitionFile::create(path, meta)?;
                for batch in rows.chunks(BATCH) {
                    file.write(batch)?;
                }
                file.finish()
            })
            .collect::<Result<Vec<()>>>()?;
        Ok(parts.into_iter().map(|(p, _)| p).collect())
    }

    /// Merges the runs (each sorted) into the partitions, leaving out dropped positions. The
    /// merge runs on this thread and the Parquet encoding on another ([`write_merged`]), one
    /// batch apart, so the two halves of the work overlap.
    fn merge_runs(&mut self, events_dir: &Path, meta: &[(String, String)]) -> Result<Vec<PathBuf>> {
        let mut readers = self
            .runs
            .iter()
            .map(|p| RunReader::open(p))
            .collect::<Result<Vec<_>>>()?;
        let mut heap = BinaryHeap::with_capacity(readers.len());
        for (run, r) in readers.iter_mut().enumerate() {
            if let Some((position, row)) = r.next()? {
                heap.push(std::cmp::Reverse(Head { row, position, run }));
            }
        }
        let (to_writer, from_merge) = std::sync::mpsc::sync_channel::<Merged>(2);
        std::thread::scope(|scope| {
            let writer = scope.spawn(move || write_merged(from_merge, meta));
            // A send fails only when the writer stopped on an error, which its join returns.
            let merged = (|| -> Result<Vec<PathBuf>> {
                let mut written = Vec::new();
                let mut year: Option<Shared> = None;
                let mut batch: Vec<EventRow> = Vec::with_capacity(BATCH);
                // Hands the batch (if any) to the writer; false when the writer has stopped.
                let send = |batch: &mut Vec<EventRow>| {
                    batch.is_empty()
                        || to_writer
                            .send(Merged::Rows(std::mem::replace(
                                batch,
                                Vec::with_capacity(BATCH),
                            )))
                            .is_ok()
                };
                while let Some(std::cmp::Reverse(head)) = heap.pop() {
                    if let Some((position, row)) = readers[head.run].next()? {
                        heap.push(std::cmp::Reverse(Head {
                            row,
                            position,
                            run: head.run,
                        }));
                    }
                    if self.dropped.binary_search(&head.position).is_ok() {
                        continue;
                    }
                    if year.as_deref() != Some(&*head.row.school_year) {
                        let path = partition(events_dir, &head.row.school_year);
                        year = Some(head.row.school_year.clone());
                        written.push(path.clone());
                        if !send(&mut batch) || to_writer.send(Merged::Partition(path)).is_err() {
                            return Ok(written);
                        }
                    }
                    batch.push(head.row);
                    if batch.len() == BATCH && !send(&mut batch) {
                        return Ok(written);
                    }
                }
                if send(&mut batch) {
                    let _ = to_writer.send(Merged::Done);
                }
                Ok(written)
            })();
            drop(to_writer);
            let wrote = writer
                .join()
                .unwrap_or_else(|_| Err(Error::Compute("the events writer stopped".into())));
            let written = merged?;
            wrote?;
            Ok(written)
        })
    }

    /// Removes the spill folder (with the runs of statement ids a reader may have left there).
    fn remove_runs(&mut self) {
        if let Some(dir) = &self.spill_dir
            && dir.exists()
        {
            let _ = std::fs::remove_dir_all(dir);
        }
        self.runs.clear();
    }
}

impl Default for EventStore {
    fn default() -> Self {
        Self::in_memory()
    }
}

impl Drop for EventStore {
    fn drop(&mut self) {
        self.remove_runs();
    }
}

/// `rows`, whose positions run from `first` on, without those at the `dropped` positions
/// (sorted).
fn kept<'a, T: 'a>(
    first: u64,
    rows: impl Iterator<Item = T> + 'a,
    dropped: &'a [u64],
) -> impl Iterator<Item = T> + 'a {
    let mut gone = dropped.iter().copied().peekable();
    (first..)
        .zip(rows)
        .filter(move |(position, _)| gone.next_if_eq(position).is_none())
        .map(|(_, row)| row)
}

/// What the merge hands the writer: the next partition's file, its next rows in order, or
/// that every row was sent.
enum Merged {
    Partition(PathBuf),
    Rows(Vec<EventRow>),
    Done,
}

/// Writes merged rows as they come: one Parquet file per partition, in batches of the rows
/// received (the merge sends full batches, so the files are those an in-memory write makes).
/// The last file is finished only on [`Merged::Done`]: when the merge stops on an error, the
/// file it was filling is not put in place.
fn write_merged(
    from_merge: std::sync::mpsc::Receiver<Merged>,
    meta: &[(String, String)],
) -> Result<()> {
    let mut current: Option<PartitionFile> = None;
    for message in from_merge {
        match message {
            Merged::Partition(path) => {
                if let Some(file) = current.take() {
                    file.finish()?;
                }
                current = Some(PartitionFile::create(&path, meta)?);
            }
            Merged::Rows(rows) => {
                let file = current
                    .as_mut()
                    .ok_or_else(|| Error::Compute("merged rows before their partition".into()))?;
                file.write(&rows.iter().collect::<Vec<_>>())?;
            }
            Merged::Done => {
                if let Some(file) = current.take() {
                    file.finish()?;
                }
            }
        }
    }
    Ok(())
}

/// One partition's Parquet file while it is written, with its rows' `seq` counter: both
/// ways of writing the table (from memory, from the merge) write batches through it.
struct PartitionFile {
    writer: TableWriter,
    seq: EventSeq,
}

impl PartitionFile {
    fn create(path: &Path, meta: &[(String, String)]) -> Result<Self> {
        Ok(PartitionFile {
            writer: TableWriter::create(path, Table::Events, meta)?,
            seq: EventSeq::default(),
        })
    }

    /// Writes the next rows of the partition, in table order, as one batch.
    fn write(&mut self, rows: &[&EventRow]) -> Result<()> {
        self.writer.write_columns(events(rows, &mut self.seq))
    }

    /// Closes the file and moves it into place.
    fn finish(self) -> Result<()> {
        self.writer.finish()
    }
}

/// The file of one school year's partition.
fn partition(events_dir: &Path, year: &str) -> PathBuf {
    events_dir
        .join(format!("school_year={year}"))
        .join("part-0.parquet")
}

/// The order of `rows` in the table: per school year (ascending), the indices of its rows
/// sorted by pupil, time, verb and object, ties by index (the rows are in input order, so the
/// files do not depend on the thread count). Sorted as a permutation of compact keys (the rank
/// of the school year and of the pupil, the time, the index); strings are compared only where
/// pupil and time tie.
pub(crate) fn sort_order(rows: &[&EventRow]) -> Vec<(String, Vec<usize>)> {
    use rustc_hash::FxHashMap;
    /// The address of a shared string: rows of one pupil (or year) share one allocation per
    /// reader, so ranks are looked up by address and each distinct string is compared once.
    fn addr(s: &Shared) -> usize {
        std::sync::Arc::as_ptr(s) as *const u8 as usize
    }
    /// The distinct strings in order, and the rank of each allocation's string among them
    /// (equal strings in different allocations get one rank).
    fn rank<'a>(values: impl Iterator<Item = &'a Shared>) -> (Vec<&'a str>, FxHashMap<usize, u32>) {
        let mut distinct: FxHashMap<usize, &'a str> = FxHashMap::default();
        let mut last = None;
        for v in values {
            if last == Some(addr(v)) {
                continue;
            }
            last = Some(addr(v));
            distinct.entry(addr(v)).or_insert(&**v);
        }
        let mut texts: Vec<&str> = distinct.values().copied().collect();
        texts.sort_unstable();
        texts.dedup();
        let of: FxHashMap<&str, u32> = texts.iter().copied().zip(0u32..).collect();
        let ranks = distinct.into_iter().map(|(a, t)| (a, of[t])).collect();
        (texts, ranks)
    }
    let (year_names, years) = rank(rows.iter().map(|r| &r.school_year));
    let (_, pupils) = rank(rows.iter().map(|r| &r.pupil_key));
    let mut keys: Vec<(u32, u32, i64, usize)> = rows
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            (
                years[&addr(&r.school_year)],
                pupils[&addr(&r.pupil_key)],
                r.ts,
                i,
            )
        })
        .collect();
    keys.par_sort_unstable();
    // Where year, pupil and time tie, the verb and object decide, then the index.
    let mut start = 0;
    while start < keys.len() {
        let (y, p, t, _) = keys[start];
        let end = start
            + keys[start..]
                .iter()
                .take_while(|k| (k.0, k.1, k.2) == (y, p, t))
                .count();
        if end - start > 1 {
            keys[start..end].sort_by(|a, b| {
                let (ra, rb) = (rows[a.3], rows[b.3]);
                (&ra.verb, &ra.object_id, a.3).cmp(&(&rb.verb, &rb.object_id, b.3))
            });
        }
        start = end;
    }
    // Keys are sorted by year first: each year is one run of them.
    keys.chunk_by(|a, b| a.0 == b.0)
        .map(|run| {
            (
                year_names[run[0].0 as usize].to_string(),
                run.iter().map(|k| k.3).collect(),
            )
        })
        .collect()
}

/// The next row of a run in the merge, ordered as the table is: year, pupil, time, verb,
/// object, position (positions are unique, so no two heads are equal).
struct Head {
    row: EventRow,
    position: u64,
    run: usize,
}

impl Head {
    fn key(&self) -> (&str, &str, i64, &str, Option<&str>, u64) {
        let r = &self.row;
        (
            &r.school_year,
            &r.pupil_key,
            r.ts,
            &r.verb,
            r.object_id.as_deref(),
            self.position,
        )
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.position == other.position
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

// Run files: rows one after another, little-endian, strings as length + UTF-8 bytes (length
// u32::MAX for a missing one). Private to one ingest run; never read by anything else.

fn put_str(w: &mut impl Write, s: Option<&str>) -> std::io::Result<()> {
    match s {
        None => w.write_all(&u32::MAX.to_le_bytes()),
        Some(s) => {
            w.write_all(&(s.len() as u32).to_le_bytes())?;
            w.write_all(s.as_bytes())
        }
    }
}

fn put_f64(w: &mut impl Write, x: Option<f64>) -> std::io::Result<()> {
    match x {
        None => w.write_all(&[0]),
        Some(v) => {
            w.write_all(&[1])?;
            w.write_all(&v.to_le_bytes())
        }
    }
}

fn put_row(w: &mut impl Write, position: u64, r: &EventRow) -> std::io::Result<()> {
    w.write_all(&position.to_le_bytes())?;
    put_str(w, Some(&r.school_year))?;
    put_str(w, Some(&r.pupil_key))?;
    w.write_all(&r.ts.to_le_bytes())?;
    put_str(w, Some(r.kind))?;
    put_str(w, Some(&r.verb))?;
    put_str(w, r.object_id.as_deref())?;
    put_str(w, r.task_id.as_deref())?;
    put_str(w, r.subject.as_deref())?;
    w.write_all(&[match r.success {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }])?;
    put_f64(w, r.score_scaled)?;
    put_f64(w, r.duration_s)
}

/// Reads a run back, sharing repeated strings ([`intern`], as the readers do).
struct RunReader {
    file: SpillReader,
    buf: Vec<u8>,
    /// The last value of each text field read: a run is sorted by year and pupil, so most
    /// rows repeat the previous row's, which is then shared without a lookup.
    last: [Option<Shared>; FIELDS],
}

/// The text fields of a run row, in the order [`put_row`] writes them.
const FIELDS: usize = 7;
const YEAR: usize = 0;
const PUPIL: usize = 1;
const KIND: usize = 2;
const VERB: usize = 3;
const OBJECT: usize = 4;
const TASK: usize = 5;
const SUBJECT: usize = 6;

impl RunReader {
    fn open(path: &Path) -> Result<Self> {
        Ok(RunReader {
            file: SpillReader::open(path, 1 << 20)?,
            buf: Vec::new(),
            last: Default::default(),
        })
    }

    fn corrupt(&self, what: &str) -> Error {
        self.file.damaged(what)
    }

    fn bytes<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.file.bytes()
    }

    /// The next text, field `field` of the row.
    fn string(&mut self, field: usize) -> Result<Option<Shared>> {
        let n = u32::from_le_bytes(self.bytes()?);
        if n == u32::MAX {
            return Ok(None);
        }
        self.buf.resize(n as usize, 0);
        self.file.fill(&mut self.buf)?;
        if let Some(last) = &self.last[field]
            && last.as_bytes() == self.buf.as_slice()
        {
            return Ok(Some(last.clone()));
        }
        let s = std::str::from_utf8(&self.buf).map_err(|_| self.corrupt("text is not UTF-8"))?;
        let s = intern(s);
        self.last[field] = Some(s.clone());
        Ok(Some(s))
    }

    fn number(&mut self) -> Result<Option<f64>> {
        match self.bytes::<1>()?[0] {
            0 => Ok(None),
            1 => Ok(Some(f64::from_le_bytes(self.bytes()?))),
            _ => Err(self.corrupt("bad number flag")),
        }
    }

    /// The next (position, row), or `None` at the end of the run.
    fn next(&mut self) -> Result<Option<(u64, EventRow)>> {
        let Some(first) = self.file.start()? else {
            return Ok(None);
        };
        let rest: [u8; 7] = self.bytes()?;
        let mut position = [first; 8];
        position[1..].copy_from_slice(&rest);
        let school_year = self.string(YEAR)?;
        let school_year = school_year.ok_or_else(|| self.corrupt("missing school year"))?;
        let pupil_key = self.string(PUPIL)?;
        let pupil_key = pupil_key.ok_or_else(|| self.corrupt("missing pupil"))?;
        let ts = i64::from_le_bytes(self.bytes()?);
        let kind = self.string(KIND)?;
        let kind = kind
            .as_deref()
            .and_then(EventKind::parse)
            .ok_or_else(|| self.corrupt("unknown event kind"))?
            .as_str();
        let verb = self.string(VERB)?;
        let verb = verb.ok_or_else(|| self.corrupt("missing verb"))?;
        let object_id = self.string(OBJECT)?;
        let task_id = self.string(TASK)?;
        let subject = self.string(SUBJECT)?;
        let success = match self.bytes::<1>()?[0] {
            0 => None,
            1 => Some(false),
            2 => Some(true),
            _ => return Err(self.corrupt("bad success flag")),
        };
        let score_scaled = self.number()?;
        let duration_s = self.number()?;
        let row = EventRow {
            pupil_key,
            school_year,
            ts,
            kind,
            verb,
            object_id,
            task_id,
            subject,
            success,
            score_scaled,
            duration_s,
        };
        Ok(Some((u64::from_le_bytes(position), row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::io::BufWriter;

    fn row(pupil: &str, year: &str, ts: i64, verb: &str, object: Option<&str>) -> EventRow {
        EventRow {
            pupil_key: pupil.into(),
            school_year: year.into(),
            ts,
            kind: EventKind::Answer.as_str(),
            verb: verb.into(),
            object_id: object.map(Into::into),
            task_id: Some("t".into()),
            subject: None,
            success: Some(ts % 2 == 0),
            score_scaled: (ts % 3 == 0).then_some(0.25),
            duration_s: Some(ts as f64 / 7.0),
        }
    }

    /// Rows with many ties (same pupil and time), two school years, in a scrambled input order.
    fn rows(n: usize) -> Vec<EventRow> {
        (0..n)
            .map(|i| {
                let k = (i * 7919) % n;
                row(
                    &format!("p{}", k % 13),
                    if k.is_multiple_of(5) {
                        "2023-2024"
                    } else {
                        "2024-2025"
                    },
                    (k % 17) as i64,
                    if k.is_multiple_of(2) { "v/a" } else { "v/b" },
                    (!k.is_multiple_of(3)).then_some(if k.is_multiple_of(4) { "o1" } else { "o2" }),
                )
            })
            .collect()
    }

    fn write_all(store: &mut EventStore, dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let files = store.write(dir, &[]).unwrap();
        files
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(&f).unwrap();
                (f.strip_prefix(dir).unwrap().to_path_buf(), bytes)
            })
            .collect()
    }

    #[test]
    fn spilled_runs_merge_into_the_files_held_rows_give() {
        let dir = tempfile::tempdir().unwrap();
        let all = rows(3000);
        let drop = [0u64, 17, 18, 1999, 2999];
        // Pushed in blocks of uneven sizes, some larger than the limit; the second store spills
        // once it holds 250 rows or more.
        let mut memory = EventStore::in_memory();
        let mut spilling = EventStore::new(250, dir.path().join("spill"));
        let mut rest = &all[..];
        for size in [1, 700, 33, 1, 96, 250].iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (head, tail) = rest.split_at((*size).min(rest.len()));
            memory.push(head.to_vec()).unwrap();
            spilling.push(head.to_vec()).unwrap();
            if *size == 33 {
                // As between two sources: the spilling store writes what it holds once it
                // has spilled; the one in memory does nothing.
                memory.spill_held_if_spilled().unwrap();
                spilling.spill_held_if_spilled().unwrap();
            }
            rest = tail;
        }
        memory.drop_positions(drop);
        spilling.drop_positions(drop);
        assert!(spilling.runs() >= 5, "{} runs", spilling.runs());
        assert_eq!(memory.runs(), 0);
        assert_eq!((memory.len(), spilling.len()), (2995, 2995));
        let a = write_all(&mut memory, &dir.path().join("a"));
        let b = write_all(&mut spilling, &dir.path().join("b"));
        assert_eq!(a.len(), 2);
        assert!(a == b, "the spilled store wrote different files");
        assert!(!dir.path().join("spill").exists(), "the runs are removed");
        // The files hold the rows not dropped, sorted.
        let f = leerwinst_store::read_table(&dir.path().join("a"), Table::Events).unwrap();
        assert_eq!(f.len(), 2995);
    }

    #[test]
    fn a_merge_that_fails_puts_no_file_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut spilling = EventStore::new(250, dir.path().join("spill"));
        spilling.push(rows(1000)).unwrap();
        spilling.push(rows(10)).unwrap();
        assert!(spilling.runs() >= 1);
        // The last run is cut short: the merge meets the damage after rows of both years were
        // sent to the writer.
        let last = spilling.runs.last().unwrap().clone();
        let bytes = std::fs::read(&last).unwrap();
        std::fs::write(&last, &bytes[..bytes.len() - 5]).unwrap();
        let out = dir.path().join("events");
        assert!(spilling.write(&out, &[]).is_err());
        let left: Vec<_> = walk(&out);
        let parquet: Vec<_> = left.iter().filter(|p| p.ends_with(".parquet")).collect();
        assert!(parquet.len() <= 1, "{left:?}");
        // The file being filled when the merge stopped is not there, nor its temporary file.
        let files = leerwinst_store::read_table(&out, Table::Events).map(|t| t.len());
        assert!(
            files.map_or(true, |n| n < 1010),
            "a complete table after a failed merge"
        );
        assert!(left.iter().all(|p| !p.contains(".tmp-")), "{left:?}");
    }

    fn walk(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(walk(&p));
                } else {
                    out.push(p.display().to_string());
                }
            }
        }
        out
    }

    #[test]
    fn a_run_reads_back_the_rows_it_was_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.bin");
        let all = rows(50);
        let mut w = BufWriter::new(File::create(&path).unwrap());
        for (i, r) in all.iter().enumerate() {
            put_row(&mut w, i as u64 * 3, r).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let mut r = RunReader::open(&path).unwrap();
        for (i, want) in all.iter().enumerate() {
            let (position, got) = r.next().unwrap().unwrap();
            assert_eq!((position, &got), (i as u64 * 3, want));
        }
        assert!(r.next().unwrap().is_none());
        // A cut file is an error, not a panic.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let mut r = RunReader::open(&path).unwrap();
        let mut last = Ok(None);
        for _ in 0..=all.len() {
            last = r.next();
            if last.is_err() {
                break;
            }
        }
        assert!(last.is_err());
    }

    #[test]
    fn the_limit_comes_from_the_environment_or_the_default() {
        // Not set in the test environment unless a developer set it.
        if std::env::var_os(MAX_IN_MEMORY_ENV).is_none() {
            assert_eq!(max_in_memory_from_env().unwrap(), DEFAULT_MAX_IN_MEMORY);
        }
    }
}
