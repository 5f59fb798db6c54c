//! Hostile inputs: the golden bad-input corpus under `tests/hostile/<format>/`, each case run
//! through the real binary (`leerwinst ingest`). A case is `<case>.toml` (comment lines say what
//! it is; a `[source]` table gives the format and any further source keys; any other table, such
//! as `[limits]`, goes into the pipeline; an optional `[case]` table names a fixture folder under
//! `tests/fixtures/` as `base`, with files to `omit`), its
//! input `<case>.<ext>` or folder `<case>/` (files on top of the base), and what it must give:
//! - `<case>.rejects.csv`: the run succeeds, and its rejects are exactly these rows (table, file,
//!   line, column, value, reason; English), with read = accepted + rejected for every source;
//! - `<case>.error`: the run stops with exit code 1 and exactly this message.
//!
//! Every case runs twice: in English with every event spilled to disk and merged (compared with
//! the golden file exactly), and in Dutch with events in memory (the same rejects, every reason
//! in Dutch). No case may panic, and no output or message may hold any of the [`PLANTED`]
//! identities. After a deliberate change, regenerate the expected files with
//! `LEERWINST_BLESS=1 cargo test --test hostile_inputs` and review the diff (tests/hostile/README.md).

// The test calls libc (mkfifo); each unsafe block says why it is sound.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// Identities planted in the corpus's inputs (names, e-mail addresses, user names, raw pupil
/// numbers): none may appear in any output, reject or message.
const PLANTED: &[&str] = &[
    "L100041",
    "lucas4",
    "Lucas de Vries",
    "lucas.devries@example.nl",
    "Devries",
    "Fenna Bakker",
    "fenna@thuis.example.nl",
    "4719283",
    "Annemijn",
    "0612345678",
];

const LVS_HEAD: &str =
    "Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Standaardmeetfout\n";

/// An LVS export with one good row and `rows` after it.
fn lvs(rows: &str) -> Vec<u8> {
    format!("{LVS_HEAD}L1;Rekenen-Wiskunde;M5;20-01-2025;184;4,5\n{rows}").into_bytes()
}

/// The fewest cases the corpus must hold.
const MIN_CASES: usize = 150;

struct Case {
    /// `<format>/<case>`.
    id: String,
    /// The case's folder and stem: `tests/hostile/<format>/<case>`.
    stem: PathBuf,
    spec: toml::Table,
}

fn corpus() -> Vec<Case> {
    let root = common::repo().join("tests/hostile");
    let mut cases = Vec::new();
    for f in common::files(&root) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".toml") else {
            continue;
        };
        let dir = f.parent().unwrap();
        if dir.parent().unwrap() != root {
            continue; // a file inside a case's input folder
        }
        let spec: toml::Table = toml::from_str(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        cases.push(Case {
            id: format!("{}/{stem}", dir.file_name().unwrap().to_string_lossy()),
            stem: dir.join(stem),
            spec,
        });
    }
    cases
}

impl Case {
    /// The input: the case's folder, or its one file `<case>.<ext>` (not .toml, .rejects.csv,
    /// .error).
    fn input(&self) -> PathBuf {
        if self.stem.is_dir() {
            return self.stem.clone();
        }
        let dir = self.stem.parent().unwrap();
        let prefix = format!("{}.", self.stem.file_name().unwrap().to_string_lossy());
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n.starts_with(&prefix)
                    && !n.ends_with(".toml")
                    && !n.ends_with(".rejects.csv")
                    && !n.ends_with(".error")
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{}: one input file expected: {found:?}",
            self.id
        );
        found.remove(0)
    }

    /// Copies the input (over its base fixture) into `dir`; returns the source path there.
    fn stage(&self, dir: &Path) -> String {
        let input = self.input();
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let target = dir.join(&name);
        let case = self.spec.get("case").and_then(|c| c.as_table());
        if let Some(base) = case.and_then(|c| c.get("base")).and_then(|b| b.as_str()) {
            let omit: Vec<&str> = case
                .and_then(|c| c.get("omit"))
                .and_then(|o| o.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            copy_dir(
                &common::repo().join("tests/fixtures").join(base),
                &target,
                &omit,
            );
        }
        if input.is_dir() {
            copy_dir(&input, &target, &[]);
        } else {
            std::fs::write(&target, std::fs::read(&input).unwrap()).unwrap();
        }
        name
    }

    fn expected(&self, ext: &str) -> PathBuf {
        PathBuf::from(format!("{}.{ext}", self.stem.display()))
    }
}

fn copy_dir(from: &Path, to: &Path, omit: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let n = p.file_name().unwrap().to_string_lossy().to_string();
        if n != ".keep" && !omit.contains(&n.as_str()) {
            std::fs::copy(&p, to.join(&n)).unwrap();
        }
    }
}

/// What one run of a case gave.
struct Outcome {
    code: Option<i32>,
    stderr: String,
    /// Every output file's text, for the privacy scan.
    outputs: String,
    /// `Ok(reject rows)` (table, file, line, column, value, reason) or `Err(message)`.
    result: Result<Vec<[String; 6]>, String>,
    /// (read, accepted, rejected) of the source in run.json, when the run succeeded.
    counts: Option<(u64, u64, u64)>,
}

/// Runs `leerwinst ingest` on the case in `dir` (pseudonymised with a fixed key, so the golden
/// files hold the same pseudonyms every time): in English with every event spilled to a run and
/// merged, or in Dutch with events in memory.
fn run_case(dir: &Path, case: &Case, english_spilling: bool) -> Outcome {
    let path = case.stage(dir);
    let mut source = case
        .spec
        .get("source")
        .and_then(|s| s.as_table())
        .cloned()
        .unwrap_or_else(|| panic!("{}: no [source] table", case.id));
    source.insert("name".into(), "input".into());
    source.insert("path".into(), path.into());
    source.insert("allow_all_rejected".into(), true.into());
    let mut pipeline = toml::Table::new();
    let language = if english_spilling { "en" } else { "nl" };
    pipeline.insert(
        "pipeline".into(),
        toml::Table::from_iter([
            ("name".to_string(), "hostile".into()),
            ("language".to_string(), language.into()),
        ])
        .into(),
    );
    pipeline.insert(
        "privacy".into(),
        toml::Table::from_iter([("pseudonymise".to_string(), true.into())]).into(),
    );
    pipeline.insert("source".into(), toml::Value::Array(vec![source.into()]));
    // The date window's upper end is fixed, so the expected reasons do not change with the
    // calendar; any other table of the case (`[limits]`) is the pipeline's, over that.
    let mut limits = toml::Table::from_iter([("latest_year".to_string(), 2027.into())]);
    for (key, value) in &case.spec {
        match (key.as_str(), value) {
            ("case" | "source", _) => {}
            ("limits", toml::Value::Table(t)) => limits.extend(t.clone()),
            _ => {
                pipeline.insert(key.clone(), value.clone());
            }
        }
    }
    pipeline.insert("limits".into(), limits.into());
    let file = dir.join("pipeline.toml");
    std::fs::write(&file, toml::to_string(&pipeline).unwrap()).unwrap();
    let out_dir = dir.join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leerwinst"));
    cmd.arg("ingest")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .env("CI", "true")
        .env("LEERWINST_KEY", "hostile-corpus-key")
        .env_remove("LEERWINST_MAX_EVENTS_IN_MEMORY");
    if english_spilling {
        cmd.env("LEERWINST_MAX_EVENTS_IN_MEMORY", "1");
    }
    let out = cmd.output().unwrap();
    let dir_text = dir.display().to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir_text, "{dir}");
    let mut outputs = String::from_utf8_lossy(&out.stdout).to_string();
    if out_dir.exists() {
        for f in common::files(&out_dir) {
            outputs.push_str(&common::output_text(&f));
        }
    }
    let code = out.status.code();
    if code != Some(0) {
        return Outcome {
            code,
            result: Err(stderr.trim_end().to_string()),
            stderr,
            outputs,
            counts: None,
        };
    }
    // The pipeline has one source, `input`.
    let counts = Some(common::source_counts(&out_dir, "input"));
    let mut rows = Vec::new();
    let rejects = out_dir.join("rejects");
    if rejects.exists() {
        for f in common::files(&rejects)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "csv"))
        {
            let table = f.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&f).unwrap();
            for r in leerwinst_store::csv_reader(text.as_bytes()).records() {
                let r = r.unwrap();
                let file = r[1].replace(&format!("{dir_text}/"), "");
                rows.push([
                    table.clone(),
                    file,
                    r[2].to_string(),
                    r[3].to_string(),
                    r[4].to_string(),
                    r[5].to_string(),
                ]);
            }
        }
    }
    Outcome {
        code,
        stderr,
        outputs,
        result: Ok(rows),
        counts,
    }
}

fn rejects_csv(rows: &[[String; 6]]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["table", "file", "line", "column", "value", "reason"])
        .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Why `outcome` is not what the case's golden files say (None when it is). With `bless`, the
/// golden files are rewritten from the outcome instead.
fn compare_golden(case: &Case, outcome: &Outcome, bless: bool) -> Option<String> {
    let (rejects, error) = (case.expected("rejects.csv"), case.expected("error"));
    let got = match &outcome.result {
        Ok(rows) => rejects_csv(rows),
        Err(message) => format!("{message}\n"),
    };
    let (path, other) = match outcome.result {
        Ok(_) => (&rejects, &error),
        Err(_) => (&error, &rejects),
    };
    if bless {
        let _ = std::fs::remove_file(other);
        std::fs::write(path, &got).unwrap();
        return None;
    }
    if other.exists() {
        return Some(format!(
            "expected {} but the run gave {}:\n{got}",
            other.file_name().unwrap().to_string_lossy(),
            if outcome.result.is_ok() {
                "rejects"
            } else {
                "an error"
            }
        ));
    }
    match std::fs::read_to_string(path) {
        Ok(want) if want == got => None,
        Ok(want) => Some(format!("expected\n{want}got\n{got}")),
        Err(_) => Some(format!(
            "no {} (bless with LEERWINST_BLESS=1); the run gave:\n{got}",
            path.display()
        )),
    }
}

#[test]
fn the_golden_corpus_of_hostile_inputs() {
    let all = corpus();
    let bless = std::env::var_os("LEERWINST_BLESS").is_some();
    let planted = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(PLANTED)
        .unwrap();
    let mut failures = Vec::new();
    for case in &all {
        let (en_dir, nl_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let en = run_case(en_dir.path(), case, true);
        let nl = run_case(nl_dir.path(), case, false);
        let mut fail = |why: String| failures.push(format!("{}: {why}", case.id));
        for (label, o) in [("English, spilling", &en), ("Dutch", &nl)] {
            if o.code == Some(101) || o.stderr.contains("panicked") {
                fail(format!("PANIC ({label})\n{}", o.stderr));
            } else if !matches!(o.code, Some(0) | Some(1)) {
                fail(format!("exit {:?} ({label})\n{}", o.code, o.stderr));
            }
            if let Some((r, a, j)) = o.counts
                && r != a + j
            {
                fail(format!("read {r} != accepted {a} + rejected {j} ({label})"));
            }
            if let (Ok(rows), Some((_, _, rejected))) = (&o.result, o.counts)
                && rows.len() as u64 != rejected
            {
                fail(format!(
                    "{rejected} rejected but {} written ({label})",
                    rows.len()
                ));
            }
            // A case without rejects must have its rows accepted: a reader that dropped every
            // row (read 0) would otherwise pass as "no rejects". A case whose input has no
            // rows by design says so (`[case] empty = true`) and must read none.
            if let (Ok(rows), Some((read, accepted, _))) = (&o.result, o.counts)
                && rows.is_empty()
            {
                let empty = case
                    .spec
                    .get("case")
                    .and_then(|c| c.get("empty"))
                    .and_then(|e| e.as_bool())
                    == Some(true);
                if empty != (read == 0) || accepted != read {
                    fail(format!(
                        "no rejects, but {accepted} of {read} rows accepted, empty = {empty} ({label})"
                    ));
                }
            }
            let leaked: Vec<&str> = planted
                .find_iter(&format!("{}{}", o.stderr, o.outputs))
                .map(|m| PLANTED[m.pattern().as_usize()])
                .collect();
            if !leaked.is_empty() {
                fail(format!(
                    "planted identities in the output ({label}): {leaked:?}"
                ));
            }
        }
        if let Some(why) = compare_golden(case, &en, bless) {
            fail(why);
        }
        // The Dutch run: the same rows rejected, every reason in Dutch.
        match (&en.result, &nl.result) {
            (Ok(en_rows), Ok(nl_rows)) => {
                // The same rows; a Dutch file spells a pseudonym's prefix `pseudoniem:`.
                let key = |r: &[String; 6]| {
                    let mut k = r[..5].to_vec();
                    k[4] = k[4].replace("pseudoniem:", "pseudonym:");
                    k
                };
                if en_rows.iter().map(key).ne(nl_rows.iter().map(key)) {
                    fail(format!(
                        "the Dutch run rejects other rows:\n{}",
                        rejects_csv(nl_rows)
                    ));
                }
                for r in nl_rows {
                    let english = common::english_words(&r[5]);
                    if !english.is_empty() {
                        fail(format!("reason not in Dutch ({english:?}): {}", r[5]));
                    }
                }
            }
            (Err(_), Err(_)) => {}
            _ => fail("the English and the Dutch run disagree on success".into()),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures in {} cases:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
    assert!(
        all.len() >= MIN_CASES,
        "{} cases, at least {MIN_CASES} expected",
        all.len()
    );
}

/// A source that is a FIFO would block forever and `/dev/zero` never ends: both are refused
/// before they are opened.
#[test]
fn pipes_and_devices_are_refused_without_hanging() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("toetsen.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a valid NUL-terminated path in a fresh temporary folder.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for path in [fifo.to_str().unwrap(), "/dev/zero"] {
        let pipeline = tmp.path().join("p.toml");
        std::fs::write(
            &pipeline,
            format!(
                "[pipeline]\nname = \"pijp\"\n\n[privacy]\npseudonymise = false\n\n\
                 [[source]]\nname = \"toetsen\"\nformat = \"lvs-csv\"\npath = \"{path}\"\n"
            ),
        )
        .unwrap();
        let stderr =
            common::ingest_fails(&pipeline, &tmp.path().join(format!("out-{}", path.len())));
        assert!(stderr.contains("not a regular file"), "{path}: {stderr}");
    }
}

/// The same export under two sources would count every row twice: an error naming both.
#[test]
fn the_same_export_listed_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.csv"), lvs("")).unwrap();
    std::fs::write(tmp.path().join("b.csv"), lvs("")).unwrap();
    let pipeline = tmp.path().join("p.toml");
    let source = |name: &str, file: &str| {
        format!("\n[[source]]\nname = \"{name}\"\nformat = \"lvs-csv\"\npath = \"{file}\"\n")
    };
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"dubbel\"\n\n[privacy]\npseudonymise = false\n{}{}",
            source("m", "a.csv"),
            source("e", "b.csv")
        ),
    )
    .unwrap();
    let stderr = common::ingest_fails(&pipeline, &tmp.path().join("out"));
    assert!(
        stderr.contains("same contents as") && stderr.contains("a.csv"),
        "{stderr}"
    );
}

/// A source whose every row is rejected stops ingest (exit 1) naming the main reasons, unless the
/// pipeline allows it: a mapping that matches nothing must not pass for a result.
#[test]
fn a_source_with_every_row_rejected_stops_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("t.csv"),
        format!("{LVS_HEAD}L1;Rekenen;E5;12-06-2025;afw.;4\n"),
    )
    .unwrap();
    let pipeline = tmp.path().join("p.toml");
    let text = "[pipeline]\nname = \"leeg\"\n\n[privacy]\npseudonymise = false\n\n\
                [[source]]\nname = \"toetsen\"\nformat = \"lvs-csv\"\npath = \"t.csv\"\n";
    std::fs::write(&pipeline, text).unwrap();
    let stderr = common::ingest_fails(&pipeline, &tmp.path().join("out"));
    assert!(
        stderr.contains("all 1 rows were rejected (1 x score is geen getal")
            && stderr.contains("allow_all_rejected"),
        "{stderr}"
    );
    std::fs::write(&pipeline, format!("{text}allow_all_rejected = true\n")).unwrap();
    common::leerwinst(&[
        "ingest",
        pipeline.to_str().unwrap(),
        "--out",
        tmp.path().join("out").to_str().unwrap(),
    ]);
    assert!(tmp.path().join("out/rejects/assessments.csv").exists());
}
