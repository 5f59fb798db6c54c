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
