//! What an export holds, before any pipeline is written: `leerwinst inspect FILE...`.
//!
//! For a CSV or XLSX export: its encoding (or `xlsx` with the workbook's sheets), the separator,
//! the header line (and title lines above it), and per column how many cells are filled, what
//! they look like (whole numbers, numbers with a decimal comma or point, dates, date-times,
//! clock times, yes/no, text) and — for short lists whose values repeat, such as test names,
//! test moments or activity types — those values with their counts. Other columns (ids, names,
//! birth dates, e-mail addresses: mostly unique values) are described by their kinds and, for
//! text, the shape of an example only ([`crate::redact::shape`]), so inspecting a pupil list
//! prints no personal data. Last, every
//! fixed-layout reader of ingest is tried on the file as it is (`lvs-csv`, `plans-csv`,
//! `schools-csv`, `moodle-log`, `moodle-report`, `sgp-long`, `star-csv`): which of them read
//! it, and how many rows they would accept.

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::Result;

use crate::context::{IdResolver, ReadContext};
use crate::pseudonym::Pseudonymiser;
use crate::rejects::Rejects;
use crate::{delimited, input};

/// Columns with at most this many distinct values are listed with their values.
pub const MAX_LISTED_VALUES: usize = 20;

/// A file's profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// `UTF-8`, `windows-1252`, `UTF-16LE`, … or `xlsx`.
    pub encoding: String,
    /// The workbook's sheets (XLSX only).
    pub sheets: Vec<String>,
    /// The sheet profiled (XLSX only).
    pub sheet: Option<String>,
    /// `;`, `,` or tab.
    pub delimiter: char,
    /// 1-based line of the header; lines above it are titles or notes.
    pub header_line: usize,
    /// Data lines below the header (blank lines not counted).
    pub data_lines: usize,
    /// Per column, in file order.
    pub columns: Vec<ColumnProfile>,
    /// Fixed-layout readers that read the file: (format, rows read, rows accepted).
    pub formats: Vec<(&'static str, usize, usize)>,
}

/// One column.
#[derive(Debug, Clone)]
pub struct ColumnProfile {
    /// Header text.
    pub name: String,
    /// Cells with a value.
    pub filled: usize,
    /// The kinds of the filled cells with their counts, most frequent first.
    pub kinds: Vec<(Kind, usize)>,
    /// Distinct values with counts (most frequent first) for a short list whose values repeat
    /// (at most [`MAX_LISTED_VALUES`], each seen twice on average, no e-mail address); else
    /// empty.
    pub values: Vec<(String, usize)>,
    /// Distinct values (counted up to [`MAX_LISTED_VALUES`] + 1).
    pub distinct: usize,
    /// The shape of one value, for text columns whose values are not listed.
    pub example_shape: Option<String>,
}

/// What a cell looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `12`, `-3`.
    Integer,
    /// `4,5` (Dutch).
    DecimalComma,
    /// `4.5`.
    DecimalPoint,
    /// `20-01-2025`, `2025-01-20`, `20/01/2025`.
    Date,
    /// A date with a clock time.
    DateTime,
    /// `09:14` or `09:14:33`.
    Time,
    /// ja/nee, yes/no, true/false, waar/onwaar.
    YesNo,
    /// Anything else.
    Text,
}

impl Kind {
    /// What a cell looks like.
    pub fn of(cell: &str) -> Kind {
        let s = cell.trim();
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        if digits(unsigned) {
            return Kind::Integer;
        }
        if let Some((a, b)) = unsigned.split_once(',')
            && digits(a)
            && digits(b)
        {
            return Kind::DecimalComma;
        }
        if let Some((a, b)) = unsigned.split_once('.')
            && digits(a)
            && digits(b)
        {
            return Kind::DecimalPoint;
        }
        let lower = s.to_lowercase();
        if ["ja", "nee", "yes", "no", "true", "false", "waar", "onwaar"].contains(&lower.as_str()) {
            return Kind::YesNo;
        }
        if input::parse_date_any_year(s).is_some() {
            return Kind::Date;
        }
        if input::parse_local_datetime(s).is_some()
            || chrono::DateTime::parse_from_rfc3339(s).is_ok()
        {
            return Kind::DateTime;
        }
        if chrono::NaiveTime::parse_from_str(s, "%H:%M:%S").is_ok()
            || chrono::NaiveTime::parse_from_str(s, "%H:%M").is_ok()
        {
            return Kind::Time;
        }
        Kind::Text
    }
}

/// Profiles the export at `path` (of an XLSX workbook the worksheet `sheet`, else the first).
pub fn profile(path: &Path, sheet: Option<&str>) -> Result<Profile> {
    // Opened as ingest opens a source (regular files only, gzip by its magic bytes).
    let (stream, _) = input::open_hashed(path)?;
    let (text, encoding) = input::decode_table_text(path, stream, sheet, None)?;
    let sheets = if encoding == "xlsx" {
        sheet_names(path)
    } else {
        Vec::new()
    };
    // Title or note lines above the header: the header is the first line with as many fields
    // as the widest of the first lines (a title line has one filled field).
    let lines: Vec<&str> = text.lines().collect();
    let delimiter = delimited::sniff_delimiter(&header_candidate(&lines));
    let fields = |l: &str| {
        l.split(delimiter as char)
            .filter(|f| !f.trim().is_empty())
            .count()
    };
    let widest = lines.iter().take(30).map(|l| fields(l)).max().unwrap_or(0);
    let header_at = lines
        .iter()
        .position(|l| fields(l) == widest && widest > 0)
        .unwrap_or(0);
    let body = lines[header_at..].join("\n");
    let d = delimited::parse(&body, &path.display().to_string())?;
    let mut columns: Vec<ColumnProfile> = d
        .headers
        .iter()
        .map(|name| ColumnProfile {
            name: name.clone(),
            filled: 0,
            kinds: Vec::new(),
            values: Vec::new(),
            distinct: 0,
            example_shape: None,
        })
        .collect();
    let mut counts: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); columns.len()];
    let mut kinds: Vec<BTreeMap<Kind, usize>> = vec![BTreeMap::new(); columns.len()];
    let mut data_lines = 0;
    for (_, rec) in d.records.iter().flatten() {
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        data_lines += 1;
        for (c, cell) in rec.iter().enumerate().take(columns.len()) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            columns[c].filled += 1;
            *kinds[c].entry(Kind::of(cell)).or_default() += 1;
            // Enough distinct values to know the column is not a short list.
            if counts[c].len() <= MAX_LISTED_VALUES || counts[c].contains_key(cell) {
                *counts[c].entry(cell.to_string()).or_default() += 1;
            }
        }
    }
    for ((col, values), kinds) in columns.iter_mut().zip(counts).zip(kinds) {
        col.kinds = by_count(kinds.into_iter().collect());
        col.distinct = values.len();
        // A short list whose values repeat (test names, moments, activity types) is listed; a
        // column of mostly unique values (ids, names, birth dates, e-mail addresses) never is.
        let list = values.len() <= MAX_LISTED_VALUES
            && col.filled >= 2 * values.len()
            && !values.keys().any(|v| v.contains('@'));
        if list {
            col.values = by_count(values.into_iter().collect());
        } else if col.kinds.first().is_some_and(|k| k.0 == Kind::Text) {
            col.example_shape = values.keys().next().map(|v| crate::redact::shape(v));
        }
    }
    Ok(Profile {
        encoding: encoding.to_string(),
        sheet: sheet
            .map(str::to_string)
            .or_else(|| sheets.first().cloned()),
        sheets,
        delimiter: d.delimiter as char,
        header_line: header_at + 1,
        data_lines,
        columns,
        formats: try_readers(&body, path),
    })
}

/// The first lines, for sniffing the separator past title lines (the line with the most
/// separators of any kind among the first 30).
fn header_candidate(lines: &[&str]) -> String {
    lines
        .iter()
        .take(30)
        .max_by_key(|l| l.matches([';', ',', '\t']).count())
        .map(|l| l.to_string())
        .unwrap_or_default()
}

fn by_count<K: Ord>(mut v: Vec<(K, usize)>) -> Vec<(K, usize)> {
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn sheet_names(path: &Path) -> Vec<String> {
    use calamine::Reader;
    std::fs::read(path)
        .ok()
        .and_then(|data| calamine::Xlsx::new(std::io::Cursor::new(data)).ok())
        .map(|book| book.sheet_names().to_vec())
        .unwrap_or_default()
}

/// Each fixed-layout reader on `text`: (format, rows read, rows accepted) for those that read it
/// (no roster, so pupils are taken as they are; pseudonymisation off, nothing is written).
fn try_readers(text: &str, path: &Path) -> Vec<(&'static str, usize, usize)> {
    let ids = IdResolver::default();
    let pseudo = Pseudonymiser::off();
    let file = path.display().to_string();
    let mut out = Vec::new();
    let mut attempt =
        |format: &'static str, read: &dyn Fn(&mut ReadContext<'_>) -> Result<(usize, usize)>| {
            let mut rejects = Rejects::default();
            let mut ctx = ReadContext::new("inspect", file.clone(), &mut rejects, &ids, &pseudo);
            if let Ok((read, accepted)) = read(&mut ctx)
                && read > 0
            {
                out.push((format, read, accepted));
            }
        };
    attempt("lvs-csv", &|ctx| {
        crate::formats::lvs::read(ctx, text, "lvs", crate::formats::lvs::DEFAULT_SCORE_RANGE)
            .map(|(rows, read)| (read, rows.len()))
    });
    attempt("plans-csv", &|ctx| {
        crate::formats::plans::read(ctx, text).map(|(rows, read)| (read, rows.len()))
    });
    attempt("schools-csv", &|ctx| {
        crate::formats::schools::read(ctx, text).map(|(rows, read)| (read, rows.len()))
    });
    attempt("moodle-log", &|ctx| {
        crate::formats::moodle::read(ctx, text, &crate::formats::moodle::default_moodle_verbs())
            .map(|(rows, read)| (read, rows.len()))
    });
    attempt("moodle-report", &|ctx| {
        crate::formats::moodle_report::read(
            ctx,
            text,
            &crate::formats::moodle_report::default_moodle_report_verbs(),
            &crate::formats::moodle_report::ReportSettings::default(),
        )
        .map(|(rows, read)| (read, rows.len()))
    });
    attempt("sgp-long", &|ctx| {
        crate::formats::sgp_long::read(ctx, text, "sgp", None)
            .map(|s| (s.read, s.assessments.len()))
    });
    attempt("star-csv", &|ctx| {
        crate::formats::star::read(ctx, text, "star").map(|s| (s.read, s.accepted))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_classified() {
        assert_eq!(Kind::of("12"), Kind::Integer);
        assert_eq!(Kind::of("-3"), Kind::Integer);
        assert_eq!(Kind::of("4,5"), Kind::DecimalComma);
        assert_eq!(Kind::of("4.5"), Kind::DecimalPoint);
        assert_eq!(Kind::of("20-01-2025"), Kind::Date);
        assert_eq!(Kind::of("2025-01-20"), Kind::Date);
        assert_eq!(Kind::of("20-01-2025 09:14"), Kind::DateTime);
        assert_eq!(Kind::of("2025-01-20T09:14:33+01:00"), Kind::DateTime);
        assert_eq!(Kind::of("09:14"), Kind::Time);
        assert_eq!(Kind::of("Ja"), Kind::YesNo);
        assert_eq!(Kind::of("Rekenen-Wiskunde 3.0 M4"), Kind::Text);
    }

    #[test]
    fn a_title_line_above_the_header_is_skipped_and_lists_hide_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        let mut text = String::from("Toetsresultaten groep 5;;;;\n;;;;\n");
        text.push_str("Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore\n");
        for i in 0..30 {
            text.push_str(&format!(
                "L1000{i:02};Rekenen-Wiskunde;M{};2{}-01-2025;{},5\n",
                4 + i % 2,
                i % 8,
                150 + i
            ));
        }
        std::fs::write(&path, text).unwrap();
        let p = profile(&path, None).unwrap();
        assert_eq!(p.header_line, 3);
        assert_eq!(p.delimiter, ';');
        assert_eq!(p.data_lines, 30);
        let col = |n: &str| p.columns.iter().find(|c| c.name == n).unwrap();
        assert_eq!(
            col("Toetsmoment").values,
            [("M4".into(), 15), ("M5".into(), 15)]
        );
        assert!(col("Leerlingnummer").values.is_empty());
        assert_eq!(
            col("Leerlingnummer").example_shape.as_deref(),
            Some("A999999")
        );
        assert_eq!(col("Vaardigheidsscore").kinds, [(Kind::DecimalComma, 30)]);
        assert_eq!(col("Afnamedatum").kinds, [(Kind::Date, 30)]);
        // The LVS reader takes the file from its header on; no pupil list, so all accepted.
        assert!(
            p.formats.iter().any(|f| f.0 == "lvs-csv" && f.1 == 30),
            "{:?}",
            p.formats
        );
        assert!(!p.formats.iter().any(|f| f.0 == "plans-csv"));
    }
}
