//! End-to-end: a board too small to show an effect must not be told it has one. A sample of 3
//! schools (1 with the programme) through the real binary: the effect rows carry no interval
//! and say why, every row names its method, and the Dutch board review claims nothing.

use std::path::Path;

use leerwinst_core::Table;
use leerwinst_store::{opt, opt_str, read_table};

mod common;

const KEY: &str = "few-schools-test-key-0123456789";

fn pipeline(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(common::repo().join("pipelines/demo.toml"))
        .unwrap()
        .replace("../sample-data/", "sample/");
    let p = dir.join("pipeline.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_three_school_board_gets_no_interval_and_no_claim() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    let out = tmp.path().join("out");
    common::leerwinst_with_key(
        &[
            "sample-data",
            "--out",
            sample.to_str().unwrap(),
            "--schools",
            "3",
            "--pupils",
            "240",
            "--seed",
            "5",
        ],
        Some(KEY),
    );
    let p = pipeline(tmp.path());
    common::run_pipeline(&p, &out, Some(KEY));

    let f = read_table(&out.join("effects/effects.parquet"), Table::Effects).unwrap();
    let (design, subgroup, method, note) = (
        f.str("design"),
        f.str("subgroup"),
        f.str("method"),
        f.str("note"),
    );
    let (est, se, lo, p, cp) = (
        f.f64("estimate"),
        f.f64("se"),
        f.f64("ci_low"),
        f.f64("p_value"),
        f.i64("clusters_programme"),
    );
    let mut overall = 0;
    for i in 0..f.len() {
        assert!(!method.value(i).is_empty(), "row {i} names no method");
        if subgroup.value(i) == "school" {
            continue;
        }
        assert_eq!(cp.value(i), 1, "one programme school");
        // Every non-school row of every design: no interval, and the reason.
        assert_eq!(
            (opt(se, i), opt(lo, i), opt(p, i)),
            (None, None, None),
            "{} {} has an interval from one programme school",
            design.value(i),
            subgroup.value(i)
        );
        let n = opt_str(note, i).unwrap_or_default();
        assert!(
            n == "too_few_clusters" || n == "too_few_pupils",
            "row {i}: note {n:?}"
        );
        if subgroup.value(i) == "overall" && design.value(i) == "regression" {
            overall += 1;
            assert!(opt(est, i).is_some(), "the estimate itself is kept");
        }
    }
    assert!(overall > 0, "no overall regression row");

    let html = std::fs::read_to_string(out.join("review/bestuur.html")).unwrap();
    for claim in ["groter dan toeval", "geheel boven nul", "geheel onder nul"] {
        assert!(!html.contains(claim), "the board review claims: {claim}");
    }
}
