//! OneRoster 1.1 gradebook end to end: the line items the pipeline names as tests become test
//! results (homework does not), bad results are rejected with their reasons, growth is computed
//! from them, and no name, username, e-mail or raw id reaches an output.

use leerwinst_core::Table;
use leerwinst_store::read_table;

mod common;
use common::{files, leerwinst, output_text, repo, source_counts};

#[test]
fn gradebook_tests_become_results_and_growth() {
    let bundle = repo().join("tests/fixtures/oneroster-gradebook");
    let tmp = tempfile::tempdir().unwrap();
    let pipeline = tmp.path().join("gradebook.toml");
    std::fs::write(
        &pipeline,
        format!(
            r#"[pipeline]
name = "gradebook"

[[source]]
name = "rooster"
format = "oneroster"
path = "{}"
instrument = "cito-lvs"

[source.results]
title = '^(?P<subject>Rekenen-Wiskunde|Spelling) (?P<term>[ME])(?P<grade>\d)$'
categories = ["lvs-toetsen"]
values = {{ subject = {{ Rekenen-Wiskunde = "rekenen-wiskunde" }} }}
"#,
            bundle.display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (p, o) = (pipeline.to_str().unwrap(), out.to_str().unwrap());
    leerwinst(&["ingest", p, "--out", o]);

    // 4 pupils + 4 enrollments + 12 results of test line items (the two homework results are
    // not test results) + 11 rows of lookup files; rejected: an exempt result, a score of 1340
    // (typo), an unknown pupil.
    assert_eq!(source_counts(&out, "rooster"), (31, 28, 3));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let src = &json["ingest"]["sources"][0];
    // Every lookup file is counted: read = used + rejected, each row used here.
    let lookups: Vec<(String, u64, u64, u64)> = src["lookups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let n = |k: &str| l[k].as_u64().unwrap();
            (
                l["file"].as_str().unwrap().to_string(),
                n("read"),
                n("used"),
                n("rejected"),
            )
        })
        .collect();
    let names: Vec<&str> = lookups.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "orgs.csv",
            "academicSessions.csv",
            "classes.csv",
            "categories.csv",
            "lineItems.csv"
        ]
    );
    assert!(
        lookups.iter().all(|l| l.1 == l.2 && l.3 == 0),
        "{lookups:?}"
    );
    assert_eq!(lookups.iter().map(|l| l.1).sum::<u64>(), 11);
    let files_read: Vec<&str> = src["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for f in ["lineItems.csv", "categories.csv", "results.csv"] {
        assert!(
            files_read.iter().any(|p| p.ends_with(f)),
            "{f} not in {files_read:?}"
        );
    }
    let rejects = std::fs::read_to_string(out.join("rejects/assessments.csv")).unwrap();
    for why in [
        "geen definitieve score",
        "buiten het bereik van de toets",
        "onbekende leerling",
    ] {
        assert!(rejects.contains(why), "{why} not in {rejects}");
    }

    let a = read_table(
        &out.join("warehouse/assessments.parquet"),
        Table::Assessments,
    )
    .unwrap();
    assert_eq!(a.len(), 9);
    let subjects: std::collections::BTreeSet<&str> =
        (0..a.len()).map(|i| a.str("subject").value(i)).collect();
    assert_eq!(subjects, ["rekenen-wiskunde", "spelling"].into());
    assert!(
        (0..a.len()).all(|i| a.str("instrument").value(i) == "cito-lvs"
            && a.str("school_year").value(i) == "2024-2025"
            && a.i32("grade").value(i) == 5)
    );

    // Growth M-E in rekenen for the three pupils with both tests: 191->209, 176->188, 203->214.
    leerwinst(&["transform", p, "--out", o]);
    let g = read_table(&out.join("indicators/growth.parquet"), Table::Growth).unwrap();
    let mut gains: Vec<f64> = (0..g.len())
        .filter(|&i| {
            g.str("subject").value(i) == "rekenen-wiskunde" && g.str("window").value(i) == "M-E"
        })
        .map(|i| g.f64("gain").value(i))
        .collect();
    gains.sort_by(f64::total_cmp);
    assert_eq!(gains, [11.0, 12.0, 18.0]);

    // Privacy.
    let secrets = [
        "Lotte",
        "Smit",
        "Daan",
        "Mulder",
        "Fleur",
        "Noah",
        "Pieter",
        "Dekker",
        "lotte.smit",
        "anker.example",
        "L50001",
        "L50002",
        "L50003",
        "L50004",
        "T8001",
    ];
    for f in files(&out) {
        let text = output_text(&f);
        for s in secrets {
            assert!(!text.contains(s), "{} contains '{s}'", f.display());
        }
    }
}
