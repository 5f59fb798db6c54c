//! Statement ids over a whole file: repeated ids and voiding are settled once the file is read,
//! from the ids sorted by (id, line). Up to a limit the ids are held and sorted in memory;
//! beyond it they are sorted and written to runs in the spill folder and merged, so memory stays
//! bounded however long the file (the same limit as the event rows, [`crate::event_store`]).

use std::collections::BinaryHeap;
use std::io::Write;
use std::path::PathBuf;

use leerwinst_core::{Result, Table};
use rayon::prelude::*;

use crate::context::ReadContext;
use crate::spill::{self, SpillReader};

/// A statement id for the duplicate check: a UUID as its 128 bits (so case and the cost of
/// hashing a string do not matter), anything else as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum StatementId {
    Uuid(u128),
    Other(String),
}

impl StatementId {
    pub(super) fn new(id: &str) -> Self {
        parse_uuid(id).map_or_else(|| StatementId::Other(id.to_string()), StatementId::Uuid)
    }

    /// The id as it is shown in a reject.
    pub(super) fn show(&self) -> String {
        match self {
            StatementId::Uuid(u) => {
                let h = format!("{u:032x}");
                format!(
                    "{}-{}-{}-{}-{}",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                )
            }
            StatementId::Other(s) => s.clone(),
        }
    }
}

/// `8-4-4-4-12` hexadecimal digits, any case.
fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = (c as char).to_digit(16)?;
        v = (v << 4) | u128::from(d);
    }
    Some(v)
}

/// A kept row's statement id: (id, line, index of the row among the file's rows).
pub(super) type IdLine = (StatementId, u64, usize);

/// The statement ids of a file's kept rows, held or in sorted runs.
pub(super) struct StatementIds {
    held: Vec<IdLine>,
    limit: usize,
    /// Where runs go; `None`: never spill.
    dir: Option<PathBuf>,
    runs: Vec<PathBuf>,
}

impl StatementIds {
    /// Ids that spill to `dir` (when given) once `limit` are held.
    pub(super) fn new(limit: usize, dir: Option<PathBuf>) -> Self {
        StatementIds {
            held: Vec::new(),
            limit: limit.max(1),
            dir,
            runs: Vec::new(),
        }
    }

    /// Adds ids (in file order).
    pub(super) fn extend(&mut self, ids: impl IntoIterator<Item = IdLine>) -> Result<()> {
        self.held.extend(ids);
        if self.held.len() >= self.limit && self.dir.is_some() {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        // Unique among the files of this process: ingest reads one file at a time.
        let name = format!("ids-{:05}.bin", self.runs.len());
        sort(&mut self.held);
        let held = &mut self.held;
        let path = spill::write(dir, &name, |w| held.drain(..).try_for_each(|e| put(w, &e)))?;
        self.runs.push(path);
        Ok(())
    }

    /// Settles repeated ids and voiding over the file (see [`settle`]); returns the indices of
    /// the rows to drop. Removes the runs.
    pub(super) fn settle(
        mut self,
        ctx: &mut ReadContext<'_>,
        voids: Vec<(u64, StatementId)>,
    ) -> Result<Vec<usize>> {
        if self.runs.is_empty() {
            sort(&mut self.held);
            let held = std::mem::take(&mut self.held);
            return settle(ctx, held.into_iter().map(Ok), voids);
        }
        if !self.held.is_empty() {
            self.spill()?;
        }
        let merged = Merge::open(&self.runs)?;
        settle(ctx, merged, voids)
    }
}

impl Drop for StatementIds {
    fn drop(&mut self) {
        for r in &self.runs {
            let _ = std::fs::remove_file(r);
        }
    }
}

fn sort(ids: &mut [IdLine]) {
    ids.par_sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
}

/// Settles what needs the whole file, from its ids sorted by (id, line): every statement whose
/// id an earlier line already had is rejected, and every voiding statement (`voids`: its line
/// and target) removes its target (the target's first line; of several voiding statements of
/// one target the first applies, the others are rejected as such). Returns the indices (among
/// the file's rows) of the rows to drop.
fn settle(
    ctx: &mut ReadContext<'_>,
    sorted: impl Iterator<Item = Result<IdLine>>,
    mut voids: Vec<(u64, StatementId)>,
) -> Result<Vec<usize>> {
    let t = Table::Events;
    voids.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
    let mut voids = voids.into_iter().peekable();
    let not_found = |ctx: &mut ReadContext<'_>, (line, target): (u64, StatementId)| {
        let why = "voiding statement: the statement it voids is not among this file's \
                   accepted statements";
        ctx.reject(t, line, "object.id", &target.show(), why);
    };
    let mut drop = Vec::new();
    let mut previous: Option<StatementId> = None;
    for entry in sorted {
        let (id, line, row) = entry?;
        if previous.as_ref() == Some(&id) {
            ctx.reject(t, line, "id", &id.show(), "duplicate statement id");
            drop.push(row);
            continue;
        }
        // The first line with this id: the statement kept.
        while let Some(v) = voids.next_if(|v| v.1 < id) {
            not_found(ctx, v);
        }
        let mut voided_by = None;
        while let Some((void_line, target)) = voids.next_if(|v| v.1 == id) {
            let shown = target.show();
            match voided_by {
                None => {
                    let why = format!("voided by the statement on line {void_line}");
                    ctx.reject(t, line, "id", &shown, &why);
                    let why = format!("voiding statement: applied to line {line}");
                    ctx.reject(t, void_line, "object.id", &shown, &why);
                    drop.push(row);
                    voided_by = Some(void_line);
                }
                Some(by) => {
                    let why =
                        format!("voiding statement: line {line} was already voided by line {by}");
                    ctx.reject(t, void_line, "object.id", &shown, &why);
                }
            }
        }
        previous = Some(id);
    }
    for v in voids {
        not_found(ctx, v);
    }
    Ok(drop)
}

// Id run files: entries one after another, little-endian: a tag (0: UUID as 16 bytes, 1: text
// as a u32 length and UTF-8 bytes), the line (u64) and the row (u64).

fn put(w: &mut impl Write, (id, line, row): &IdLine) -> std::io::Result<()> {
    match id {
        StatementId::Uuid(u) => {
            w.write_all(&[0])?;
            w.write_all(&u.to_le_bytes())?;
        }
        StatementId::Other(s) => {
            w.write_all(&[1])?;
            w.write_all(&(s.len() as u32).to_le_bytes())?;
            w.write_all(s.as_bytes())?;
        }
    }
    w.write_all(&line.to_le_bytes())?;
    w.write_all(&(*row as u64).to_le_bytes())
}

struct RunReader(SpillReader);

impl RunReader {
    fn next(&mut self) -> Result<Option<IdLine>> {
        let r = &mut self.0;
        let id = match r.start()? {
            None => return Ok(None),
            Some(0) => StatementId::Uuid(u128::from_le_bytes(r.bytes()?)),
            Some(1) => {
                let n = u32::from_le_bytes(r.bytes()?) as usize;
                let mut b = vec![0u8; n];
                r.fill(&mut b)?;
                StatementId::Other(String::from_utf8(b).map_err(|_| r.damaged("id not UTF-8"))?)
            }
            Some(_) => return Err(r.damaged("bad id tag")),
        };
        let line = u64::from_le_bytes(r.bytes()?);
        let row = u64::from_le_bytes(r.bytes()?) as usize;
        Ok(Some((id, line, row)))
    }
}

/// The runs merged in (id, line) order.
struct Merge {
    readers: Vec<RunReader>,
    heap: BinaryHeap<std::cmp::Reverse<(StatementId, u64, usize, usize)>>,
    failed: bool,
}

impl Merge {
    fn open(runs: &[PathBuf]) -> Result<Self> {
        let mut readers = runs
            .iter()
            .map(|p| SpillReader::open(p, 1 << 16).map(RunReader))
            .collect::<Result<Vec<_>>>()?;
        let mut heap = BinaryHeap::with_capacity(readers.len());
        for (run, r) in readers.iter_mut().enumerate() {
            if let Some((id, line, row)) = r.next()? {
                heap.push(std::cmp::Reverse((id, line, row, run)));
            }
        }
        Ok(Merge {
            readers,
            heap,
            failed: false,
        })
    }
}

impl Iterator for Merge {
    type Item = Result<IdLine>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let std::cmp::Reverse((id, line, row, run)) = self.heap.pop()?;
        match self.readers[run].next() {
            Ok(Some((i, l, r))) => self.heap.push(std::cmp::Reverse((i, l, r, run))),
            Ok(None) => {}
            Err(e) => {
                self.failed = true;
                return Some(Err(e));
            }
        }
        Some(Ok((id, line, row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;
    use std::path::Path;

    #[test]
    fn uuids_compare_by_value() {
        let a = StatementId::new("0a1b2c3d-0000-4000-8000-00000000000F");
        assert_eq!(a, StatementId::new("0A1B2C3D-0000-4000-8000-00000000000f"));
        assert_eq!(a.show(), "0a1b2c3d-0000-4000-8000-00000000000f");
        assert_eq!(StatementId::new("abc"), StatementId::Other("abc".into()));
        assert!(matches!(
            StatementId::new("0a1b2c3d-0000-4000-8000-00000000000g"),
            StatementId::Other(_)
        ));
    }

    /// (rejects as (line, reason), dropped rows) of settling `ids` with at most `limit` held.
    fn settled(
        limit: usize,
        dir: &Path,
        ids: &[IdLine],
        voids: &[(u64, StatementId)],
    ) -> (Vec<(u64, String)>, Vec<usize>) {
        let mut rejects = Rejects::default();
        let (resolver, pseudo) = (IdResolver::default(), Pseudonymiser::off());
        let mut ctx = ReadContext::new("lms", "s.ndjson", &mut rejects, &resolver, &pseudo);
        let mut s = StatementIds::new(limit, Some(dir.to_path_buf()));
        for chunk in ids.chunks(3) {
            s.extend(chunk.iter().cloned()).unwrap();
        }
        let mut drop = s.settle(&mut ctx, voids.to_vec()).unwrap();
        drop.sort_unstable();
        let mut got: Vec<(u64, String)> = rejects
            .first(1000)
            .iter()
            .map(|r| (r.line, r.reason.clone()))
            .collect();
        got.sort();
        (got, drop)
    }

    #[test]
    fn spilled_ids_settle_as_held_ones() {
        let dir = tempfile::tempdir().unwrap();
        // Ids of 200 rows: every seventh repeats an earlier one; some text ids.
        let ids: Vec<IdLine> = (0..200usize)
            .map(|i| {
                let k = if i % 7 == 6 { i / 2 } else { i };
                let id = if k % 5 == 0 {
                    StatementId::Other(format!("id-{k}"))
                } else {
                    StatementId::Uuid(k as u128 * 7919)
                };
                (id, 2 * i as u64 + 1, i)
            })
            .collect();
        let voids = vec![
            (2, StatementId::Uuid(3 * 7919)),
            (4, StatementId::Uuid(3 * 7919)),
            (6, StatementId::Other("id-10".into())),
            (8, StatementId::Uuid(1)),
        ];
        let held = settled(usize::MAX, dir.path(), &ids, &voids);
        let spilled = settled(10, dir.path(), &ids, &voids);
        assert_eq!(held, spilled);
        assert!(held.1.len() > 10, "{} dropped", held.1.len());
        assert!(
            held.0
                .iter()
                .any(|(l, r)| *l == 4 && r.contains("already voided by line 2"))
        );
        assert!(
            held.0
                .iter()
                .any(|(l, r)| *l == 8 && r.contains("not among"))
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "id runs removed"
        );
    }
}
