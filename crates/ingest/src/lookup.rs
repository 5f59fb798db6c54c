//! Lookup files: the files of a bundle that describe things rows refer to (OneRoster's orgs,
//! academicSessions, classes, roles, demographics; a gradebook's categories and lineItems).
//!
//! Every record of a lookup file is used or rejected with a reason, like a data row: a malformed
//! record, a missing key, a key listed twice with different contents (neither is used: which one
//! is right cannot be known) and an entry the caller finds invalid or dangling are all rejects.
//! An exact repeat of an earlier record is rejected as a repeat and the first kept. The counts per
//! file go to run.json.

use std::collections::BTreeMap;

use csv::StringRecord;
use leerwinst_core::Table;
use serde::Serialize;

use crate::context::ReadContext;
use crate::delimited::Delimited;
use crate::record_loop::well_formed;

/// Rows of one lookup file: read = used + rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LookupCount {
    /// The file (name within its bundle).
    pub file: String,
    /// Records read.
    pub read: usize,
    /// Records used.
    pub used: usize,
    /// Records rejected (in `rejects/<table>.csv`).
    pub rejected: usize,
}

/// A lookup file's usable records by key, with the line each starts on.
pub struct Lookup<'a> {
    /// Key -> (line, record).
    pub entries: BTreeMap<String, (u64, &'a StringRecord)>,
    /// Keys that were listed twice with different contents, with the lines: references to them
    /// are rejected with that reason.
    pub conflicts: BTreeMap<String, Vec<u64>>,
    /// Keys whose entry [`Lookup::retain`] rejected, with its line.
    dropped: BTreeMap<String, u64>,
    count: LookupCount,
    table: Table,
}

impl<'a> Lookup<'a> {
    /// Reads `d` keyed by column `key` (named `key_name` in reasons). Rejects go to `table`.
    pub fn read(
        ctx: &mut ReadContext<'_>,
        table: Table,
        file: &str,
        d: &'a Delimited,
        key: usize,
        key_name: &str,
    ) -> Self {
        let mut entries: BTreeMap<String, (u64, &'a StringRecord)> = BTreeMap::new();
        let mut conflicts: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut rejected = 0;
        for rec in &d.records {
            let Some((line, r)) = well_formed(ctx, table, rec) else {
                rejected += 1;
                continue;
            };
            let k = r[key].trim();
            if k.is_empty() {
                ctx.reject(table, line, key_name, "", &format!("missing {key_name}"));
                rejected += 1;
                continue;
            }
            if let Some(lines) = conflicts.get_mut(k) {
                lines.push(line);
                ctx.reject(table, line, key_name, k, &conflict_reason(key_name, lines));
                rejected += 1;
                continue;
            }
            match entries.get(k) {
                None => {
                    entries.insert(k.to_string(), (line, r));
                }
                Some((first, earlier)) if same(earlier, r) => {
                    let why = format!("repeats line {first} exactly (that line is used)");
                    ctx.reject(table, line, key_name, k, &why);
                    rejected += 1;
                }
                Some(&(first, _)) => {
                    // Both go: the earlier one is un-used and rejected too.
                    entries.remove(k);
                    let lines = vec![first, line];
                    let why = conflict_reason(key_name, &lines);
                    ctx.reject(table, first, key_name, k, &why);
                    ctx.reject(table, line, key_name, k, &why);
                    rejected += 2;
                    conflicts.insert(k.to_string(), lines);
                }
            }
        }
        Lookup {
            entries,
            conflicts,
            dropped: BTreeMap::new(),
            count: LookupCount {
                file: file.to_string(),
                read: d.records.len(),
                used: 0,
                rejected,
            },
            table,
        }
    }

    /// Drops entries `check` finds unusable, rejecting each with its (column, reason).
    pub fn retain(
        &mut self,
        ctx: &mut ReadContext<'_>,
        mut check: impl FnMut(&StringRecord) -> Result<(), (String, String, String)>,
    ) {
        let table = self.table;
        let mut rejected = 0;
        let dropped = &mut self.dropped;
        self.entries.retain(|key, (line, r)| match check(r) {
            Ok(()) => true,
            Err((column, value, reason)) => {
                ctx.reject(table, *line, &column, &value, &reason);
                dropped.insert(key.clone(), *line);
                rejected += 1;
                false
            }
        });
        self.count.rejected += rejected;
    }

    /// Whether `key` has a usable entry.
    pub fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Why a reference to `key` (in a column named `column`) finds nothing: the entry was
    /// listed twice, rejected, or is not there.
    pub fn missing_reason(&self, column: &str, key: &str) -> String {
        let file = &self.count.file;
        if let Some(lines) = self.conflicts.get(key) {
            format!(
                "{column} refers to an entry listed more than once in {file} (lines {}): not used",
                join_lines(lines)
            )
        } else if let Some(line) = self.dropped.get(key) {
            format!("{column} refers to the entry on line {line} of {file}, which was rejected")
        } else {
            format!("{column} is not in {file}")
        }
    }

    /// The file's counts, once the caller is done rejecting: every entry left is used.
    pub fn count(&self) -> LookupCount {
        let mut c = self.count.clone();
        c.used = self.entries.len();
        debug_assert_eq!(c.read, c.used + c.rejected, "{}", c.file);
        c
    }
}

fn same(a: &StringRecord, b: &StringRecord) -> bool {
    a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.trim() == y.trim())
}

fn join_lines(lines: &[u64]) -> String {
    lines
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn conflict_reason(key_name: &str, lines: &[u64]) -> String {
    format!(
        "{key_name} listed on lines {} with different contents: none of them is used",
        join_lines(lines)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    #[test]
    fn repeats_conflicts_and_checks_are_rejected_and_counted() {
        let d = crate::delimited::parse(
            "sourcedId,startDate\na,2023-08-01\nb,2024-08-01\na,2023-08-01\nc,2023-08-01\n\
             c,2030-08-01\nc,2031-08-01\n,2023-08-01\nd,never\ne,1,2\n",
            "sessions.csv",
        )
        .unwrap();
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let ids = IdResolver::default();
        let mut ctx = ReadContext::new("s", "sessions.csv", &mut rejects, &ids, &pseudo);
        let mut l = Lookup::read(
            &mut ctx,
            Table::Enrollments,
            "sessions.csv",
            &d,
            0,
            "sourcedId",
        );
        l.retain(&mut ctx, |r| match crate::input::parse_date(&r[1]) {
            Some(_) => Ok(()),
            None => Err(("startDate".into(), r[1].into(), "not a date".into())),
        });
        let keys: Vec<&str> = l.entries.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b"]);
        assert!(
            l.missing_reason("termSourcedIds", "c")
                .contains("lines 5, 6, 7")
        );
        assert!(
            l.missing_reason("termSourcedIds", "d")
                .contains("line 9 of sessions.csv")
        );
        assert_eq!(l.missing_reason("x", "z"), "x is not in sessions.csv");
        let c = l.count();
        assert_eq!((c.read, c.used, c.rejected), (9, 2, 7));
        assert_eq!(rejects.total(), 7);
        let reasons = rejects.line_reasons(9).join("\n");
        assert!(reasons.contains("4: repeats line 2"), "{reasons}");
        assert!(reasons.contains("8: missing sourcedId"), "{reasons}");
        assert!(reasons.contains("9: not a date"), "{reasons}");
        assert!(reasons.contains("10: row has 3 fields"), "{reasons}");
    }
}
