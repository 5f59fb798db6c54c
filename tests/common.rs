//! Helpers shared by the end-to-end tests (each test file includes this with `mod common;`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { v.push(p) }
        }
    }
    v.sort();
    v
}

/// Runs `leerwinst run PIPELINE --out OUT` (CI mode, with `key` as LEERWINST_KEY when given)
/// and fails the test with both output streams when it does not succeed.
pub fn run_pipeline(pipeline: &Path, out: &Path, key: Option<&str>) -> std::process::Output {
    let (p, o) = (pipeline.to_str().unwrap(), out.to_str().unwrap());
    leerwinst_with_key(&["run", p, "--out", o], key)
}

/// Runs `leerwinst ARGS` (CI mode) and fails the test with its error output when it does not
/// succeed.
pub fn leerwinst(args: &[&str]) -> std::process::Output {
    leerwinst_with_key(args, None)
}

/// Runs `leerwinst ARGS` (CI mode, with `key` as LEERWINST_KEY when given) and fails the test
/// with both output streams when it does not succeed.
pub fn leerwinst_with_key(args: &[&str], key: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leerwinst"));
    cmd.args(args).env("CI", "true");
    if let Some(k) = key {
        cmd.env("LEERWINST_KEY", k);
    }
    let out = cmd.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "leerwinst {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The text of an output file as a privacy scan must see it: a Parquet file as every distinct
/// value of its string columns, decompressed (the table is the file's stem; events partitions
/// are `part-N`), a PDF with its extracted text, any other file as its bytes read as UTF-8.
pub fn output_text(f: &Path) -> String {
    use leerwinst_core::Table;
    if f.extension().is_some_and(|e| e == "pdf") {
        return pdf_text(f);
    }
    if f.extension().is_some_and(|e| e == "xlsx") {
        return xlsx_text(f);
    }
    if f.extension().is_none_or(|e| e != "parquet") {
        return String::from_utf8_lossy(&std::fs::read(f).unwrap()).to_string();
    }
    let stem = f.file_stem().unwrap().to_string_lossy().to_string();
    let table = Table::ALL
        .into_iter()
        .find(|t| t.name() == stem)
        .or_else(|| stem.starts_with("part-").then_some(Table::Events))
        .unwrap_or_else(|| panic!("{}: no table of that name", f.display()));
    let frame = leerwinst_store::read_table(f, table).unwrap();
    let mut values = std::collections::BTreeSet::new();
    for c in table
        .columns()
        .iter()
        .filter(|c| c.ty == leerwinst_core::ColumnType::Utf8)
    {
        let a = frame.str(c.name);
        values.extend((0..frame.len()).map(|i| a.value(i)));
    }
    values.into_iter().collect::<Vec<_>>().join("\n")
}

/// A PDF's bytes, and its text as `pdftotext` (poppler-utils) reads it where that is installed.
/// The review's HTML twin holds the same text, so a scan covers it either way.
fn pdf_text(f: &Path) -> String {
    let mut text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).to_string();
    if let Ok(out) = Command::new("pdftotext").arg(f).arg("-").output()
        && out.status.success()
    {
        text.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    text
}

/// Runs `leerwinst ingest PIPELINE --out OUT` (CI mode), which must stop with exit code 1 (a
/// clear error, no panic); returns its error output.
pub fn ingest_fails(pipeline: &Path, out: &Path) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .arg("ingest")
        .arg(pipeline)
        .arg("--out")
        .arg(out)
        .env("CI", "true")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    stderr
}

/// (read, accepted, rejected) of source `name` in the run.json under `out`.
pub fn source_counts(out: &Path, name: &str) -> (u64, u64, u64) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let s = json["ingest"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in run.json"));
    let n = |k: &str| s[k].as_u64().unwrap();
    (n("read"), n("accepted"), n("rejected"))
}

/// Words of `text` that are English and not Dutch (function words and the vocabulary of
/// reasons and messages), after dropping quoted parts ('...', `...`, "..."), which name columns
/// and values as the user's file spells them. Empty for a text fully in Dutch.
pub fn english_words(text: &str) -> Vec<String> {
    #[rustfmt::skip]
    const ENGLISH: &[&str] = &[
        "the", "not", "missing", "expected", "has", "have", "column", "columns", "row", "rows",
        "line", "lines", "file", "value", "values", "unknown", "outside", "between", "without",
        "with", "and", "must", "should", "number", "which", "given", "no", "only", "empty",
        "invalid", "header", "field", "fields", "too", "than", "from", "this", "that", "there",
        "used", "found", "could", "cannot", "for", "are", "were", "any", "neither", "either",
        "does", "before", "after", "valid", "read", "unreadable", "repeats", "exactly", "pupil",
        "year", "years", "time", "assessments", "events", "enrollments", "all", "overall",
        "schools", "pupils", "few", "fewer", "board", "comparison", "programme", "slope",
        "boundary", "conditional", "draws", "baseline", "followup", "tercile", "quintile",
        "intercept", "subject", "grade", "period",
    ];
    let mut unquoted = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '`' | '"') => quote = Some(c),
            None => unquoted.push(c),
        }
    }
    // A hyphenated compound is one word: a format name (`schools-csv`) is not English text.
    unquoted
        .split(|c: char| !c.is_alphabetic() && c != '-')
        .filter(|w| ENGLISH.contains(&w.to_lowercase().as_str()))
        .map(str::to_string)
        .collect()
}

/// Why `line` does not read as Dutch: English words ([`english_words`]) or a number with a
/// decimal point (`0.5`; a version such as `leerwinst 0.1.0` is allowed). None when it does.
pub fn not_dutch(line: &str) -> Option<String> {
    let english = english_words(line);
    if !english.is_empty() {
        return Some(format!("English {english:?}"));
    }
    let without_version = line.replace(
        &format!("leerwinst {}", env!("CARGO_PKG_VERSION")),
        "leerwinst",
    );
    let point = without_version
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit());
    point.then(|| "decimal point".to_string())
}

/// The text a person reads in an HTML review or an SVG chart: the text between tags, with
/// `<style>` and `<script>` elements dropped and entities decoded, one entry per text node.
pub fn visible_text(markup: &str) -> Vec<String> {
    let mut kept = markup.to_string();
    for (open, close) in [("<style", "</style>"), ("<script", "</script>")] {
        while let Some(i) = kept.find(open) {
            let end = kept[i..]
                .find(close)
                .map_or(kept.len(), |j| i + j + close.len());
            kept.replace_range(i..end, "");
        }
    }
    kept.split('<')
        .filter_map(|part| part.split_once('>').map(|(_, text)| text))
        .map(|t| {
            t.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
                .trim()
                .to_string()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Every cell of every data sheet of an Excel workbook, as text, one line per row. The last
/// sheet, the columns' meanings, is left out: it is the schema's own text (core's column
/// descriptions), not data, and a privacy scan would take "Jacobson & Truax" for a pupil's name.
pub fn xlsx_text(f: &Path) -> String {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(f).unwrap();
    let mut out = String::new();
    let names = book.sheet_names().to_vec();
    assert!(
        names
            .last()
            .is_some_and(|n| n == "kolommen" || n == "columns"),
        "{}: the last sheet is not the columns' meanings: {names:?}",
        f.display()
    );
    for name in &names[..names.len() - 1] {
        let range = book.worksheet_range(name).unwrap();
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            out.push_str(&cells.join("\t"));
            out.push('\n');
        }
    }
    out
}
