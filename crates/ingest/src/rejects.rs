//! Quarantine: every row that cannot be used is kept with file, line, column, value and reason.

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::{Result, Table};

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reject {
    /// Source name from the pipeline.
    pub source: String,
    /// File path.
    pub file: String,
    /// 1-based line in the (decompressed) file where the row starts.
    pub line: u64,
    /// Column (header name, or JSON path) that made the row unusable.
    pub column: String,
    /// The offending value; pupil ids are shown pseudonymised.
    pub value: String,
    /// Why the row was rejected.
    pub reason: String,
}

/// Rejected rows, by the table they were meant for.
#[derive(Debug, Default)]
pub struct Rejects {
    by_table: BTreeMap<&'static str, Vec<Reject>>,
    /// Per table, how many of its rows have their reason localised.
    localised: BTreeMap<&'static str, usize>,
}

impl Rejects {
    /// Records a rejected row.
    pub fn push(&mut self, table: Table, r: Reject) {
        self.by_table.entry(table.name()).or_default().push(r);
    }

    /// Puts every reason not yet localised into `language` (see [`crate::reason_nl`]); call
    /// after each source, before its rejects are counted or shown.
    pub fn localise(&mut self, language: leerwinst_core::pipeline::Language) {
        for (table, rows) in &mut self.by_table {
            let done = self.localised.entry(table).or_default();
            for r in &mut rows[*done..] {
                r.reason = crate::reason_nl::localise(language, &r.reason);
            }
            *done = rows.len();
        }
    }

    /// The rejected rows of one source.
    pub fn of_source<'a>(&'a self, source: &'a str) -> impl Iterator<Item = &'a Reject> + 'a {
        self.by_table
            .values()
            .flatten()
            .filter(move |r| r.source == source)
    }

    /// Number of rejected rows of one source.
    pub fn count_for(&self, source: &str) -> usize {
        self.of_source(source).count()
    }

    /// The first `n` rejects in file and line order, for messages.
    pub fn first(&self, n: usize) -> Vec<&Reject> {
        let mut all: Vec<&Reject> = self.by_table.values().flatten().collect();
        all.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        all.truncate(n);
        all
    }

    /// The first `n` rejects as `line: reason`, for tests that look for reasons.
    #[cfg(test)]
    pub fn line_reasons(&self, n: usize) -> Vec<String> {
        self.first(n)
            .iter()
            .map(|r| format!("{}: {}", r.line, r.reason))
            .collect()
    }

    /// Total number of rejected rows.
    pub fn total(&self) -> usize {
        self.by_table.values().map(Vec::len).sum()
    }

    /// Writes `rejects/<table>.csv` (in `dialect`, with its Excel workbook beside it) for every
    /// table with rejects; returns the files written.
    pub fn write(&self, dir: &Path, dialect: leerwinst_store::CsvDialect) -> Result<Vec<String>> {
        use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
        let mut written = Vec::new();
        for (table, rows) in &self.by_table {
            let mut rows = rows.clone();
            rows.sort();
            let text = |f: fn(&Reject) -> &str| -> ArrayRef {
                std::sync::Arc::new(rows.iter().map(|r| Some(f(r))).collect::<StringArray>())
            };
            let lines: Int64Array = rows.iter().map(|r| Some(r.line as i64)).collect();
            let batch = RecordBatch::try_new(
                leerwinst_core::schema::rejects_schema(),
                vec![
                    text(|r| &r.source),
                    text(|r| &r.file),
                    std::sync::Arc::new(lines),
                    text(|r| &r.column),
                    text(|r| &r.value),
                    text(|r| &r.reason),
                ],
            )
            .map_err(|e| leerwinst_core::Error::Compute(e.to_string()))?;
            let path = dir.join(format!("{table}.csv"));
            leerwinst_store::write_csv(&path, &batch, dialect)?;
            written.push(path.display().to_string());
            written.push(leerwinst_store::xlsx_beside(&path).display().to_string());
        }
        Ok(written)
    }
}
