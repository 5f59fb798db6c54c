//! The generic mapped reader against the dedicated one on real data: Project STAR
//! (`../shared/data/star/star.csv`, one row per pupil, one column per subject and grade like
//! `readk`, `read1`) read twice by the real binary, once as `star-csv` and once as
//! `mapped-assessments` with a wide -> long unpivot by column-name pattern, a value map
//! (`k` -> grade 0, `read` -> reading) and a cohort year. Both must give the same test results:
//! the same (line, subject, grade, school year, score) set, nothing lost, nothing invented.
//!
//! Skipped, with a message, when ../shared/data/star is not beside the checkout.

use std::collections::BTreeSet;

use leerwinst_core::Table;
use leerwinst_store::read_table;

mod common;

use common::{leerwinst, repo};

/// One test result: pupil line, subject, grade, school year, score (as its bits, so it can sort).
type Result = (u64, String, i32, String, u64);

fn ingest(pipeline: &str, dir: &std::path::Path) -> BTreeSet<Result> {
    let file = dir.join("pipeline.toml");
    std::fs::write(&file, pipeline).unwrap();
    let out = dir.join("out");
    leerwinst(&[
        "ingest",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let f = read_table(
        &out.join("warehouse/assessments.parquet"),
        Table::Assessments,
    )
    .unwrap();
    let (pupil, subject, grade, year, score) = (
        f.str("pupil_key"),
        f.str("subject"),
        f.i32("grade"),
        f.str("school_year"),
        f.f64("score"),
    );
    (0..f.len())
        .map(|i| {
            let key = pupil.value(i);
            let line = key.trim_start_matches("star-").parse().unwrap();
            (
                line,
                subject.value(i).to_string(),
                grade.value(i),
                year.value(i).to_string(),
                score.value(i).to_bits(),
            )
        })
        .collect()
}

#[test]
fn mapped_unpivot_reads_star_as_the_dedicated_reader_does() {
    let star = repo().join("../shared/data/star/star.csv");
    if !star.exists() {
        eprintln!("SKIPPED: ../shared/data/star/star.csv is not beside the checkout");
        return;
    }
    let star = star.canonicalize().unwrap();
    let head = "[pipeline]\nname = \"star-mapped\"\nlanguage = \"en\"\n\
                [privacy]\npseudonymise = false\n";
    let dedicated = format!(
        "{head}[[source]]\nname = \"star\"\nformat = \"star-csv\"\npath = {:?}\n",
        star.display().to_string()
    );
    let mapped = format!(
        r#"{head}
[[source]]
name = "star-wide"
format = "mapped-assessments"
path = {:?}
instrument = "SAT"
score_range = [0, 1000]

[source.mapping]
columns = {{ pupil_id = "@line" }}
constants = {{ term = "Y" }}
unpivot = {{ columns = '^(?P<subject>read|math)(?P<grade>k|[123])$', value = "score" }}
cohort = {{ grade = 0, school_year = "1985-1986" }}

[source.mapping.values]
grade = {{ k = "0" }}
subject = {{ read = "reading" }}
"#,
        star.display().to_string()
    );
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let want = ingest(&dedicated, a.path());
    let got = ingest(&mapped, b.path());
    // The AER copy: 11,598 pupils, 4 grades, 2 subjects; about 23k of the 93k cells are tested.
    assert!(want.len() > 20_000, "{}", want.len());
    assert_eq!(got.len(), want.len());
    let missing: Vec<_> = want.difference(&got).take(5).collect();
    let extra: Vec<_> = got.difference(&want).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    // read = accepted + rejected, and nothing rejected in this clean file.
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.path().join("out/run.json")).unwrap())
            .unwrap();
    let src = &run["ingest"]["sources"][0];
    assert_eq!(src["read"], src["accepted"], "{src}");
    assert_eq!(src["rejected"], 0, "{src}");
}
