//! End-to-end: a board that introduces the programme school by school (`sample-data --years 4`)
//! through the real binary with `design = "staggered"`: the event study has placebo years before
//! the start and effect years after it, every band is at least as wide as its interval, the
//! overall effect is positive as planted, and the Dutch review shows the event study and says
//! what the years before the start show; a planted pre-trend is called out.

use std::path::Path;

use leerwinst_core::Table;
use leerwinst_store::{opt, read_table};

mod common;

const KEY: &str = "staggered-test-key-0123456789";

/// A staggered sample (`schools` schools, 4 school years, no learning-platform activity: the
/// design reads growth only) and its run with the staggered design.
fn run(dir: &Path, schools: usize, pre_trend: &str) -> std::path::PathBuf {
    let sample = dir.join("sample");
    let out = common::leerwinst_with_key(
        &[
            "sample-data",
            "--out",
            sample.to_str().unwrap(),
            "--schools",
            &schools.to_string(),
            "--pupils",
            &(40 * schools).to_string(),
            "--seed",
            "11",
            "--years",
            "4",
            "--pre-trend",
            pre_trend,
            "--no-activity",
        ],
        Some(KEY),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = r#"[pipeline]
name = "gefaseerd"
language = "nl"

[privacy]
pseudonymise = true
min_group_size = 10

[[source]]
name = "scholen"
format = "schools-csv"
path = "sample/scholen.csv"

[[source]]
name = "rooster"
format = "oneroster"
path = "sample/oneroster"

[[source]]
name = "toetsen"
format = "lvs-csv"
path = "sample/lvs/toetsresultaten.csv"
instrument = "cito-lvs"

[compare]
design = "staggered"
window = "E-E"
"#;
    let p = dir.join("pipeline.toml");
    std::fs::write(&p, text).unwrap();
    let out = dir.join("out");
    let o = common::run_pipeline(&p, &out, Some(KEY));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

#[test]
fn an_event_study_with_placebo_years_and_a_review_that_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), 8, "0");
    let ev = read_table(&out.join("effects/event_study.parquet"), Table::EventStudy).unwrap();
    let (ag, su, et) = (
        ev.str("aggregation"),
        ev.str("subject"),
        ev.i32("event_time"),
    );
    let (est, lo, hi, bl, bh) = (
        ev.f64("estimate"),
        ev.f64("ci_low"),
        ev.f64("ci_high"),
        ev.f64("band_low"),
        ev.f64("band_high"),
    );
    let events: Vec<i32> = (0..ev.len())
        .filter(|&i| ag.value(i) == "event_time" && su.value(i) == "all")
        .filter_map(|i| opt(et, i))
        .collect();
    assert!(
        events.contains(&-1) && events.contains(&0) && events.contains(&1),
        "{events:?}"
    );
    for i in 0..ev.len() {
        if let (Some(l), Some(h), Some(b0), Some(b1)) =
            (opt(lo, i), opt(hi, i), opt(bl, i), opt(bh, i))
        {
            assert!(
                b0 <= l + 1e-12 && b1 >= h - 1e-12,
                "row {i}: band [{b0}, {b1}] inside [{l}, {h}]"
            );
            let e = opt(est, i).unwrap();
            assert!(l < e && e < h);
        }
    }
    let f = read_table(&out.join("effects/effects.parquet"), Table::Effects).unwrap();
    let overall = (0..f.len())
        .find(|&i| f.str("design").value(i) == "staggered" && f.str("subject").value(i) == "all")
        .expect("an overall staggered row");
    let e = opt(f.f64("estimate"), overall).unwrap();
    // Planted: 0.15 SD (true-score units) in the first programme year, more after.
    assert!(e > 0.0 && e < 0.5, "overall effect {e}");
    assert!(
        f.str("method")
            .value(overall)
            .starts_with("school jackknife")
    );
    let review = std::fs::read_to_string(out.join("review/bestuur.html")).unwrap();
    assert!(
        review.contains("Effect per schooljaar sinds de start"),
        "event study chart"
    );
    assert!(review.contains("Effect per startjaar"), "cohort chart");
    // No pre-trend planted (and none found at this seed: the band covers 0 before the start).
    assert!(
        review.contains("Controle vóór de start"),
        "the pre-period sentence"
    );
    assert!(
        review.contains("jackknife over scholen"),
        "the method in Dutch"
    );
}

#[test]
fn a_planted_pre_trend_is_called_out() {
    let tmp = tempfile::tempdir().unwrap();
    // 0.5 SD a year before the start, 12 schools: far outside the band (with 8 schools a cohort
    // of 2 schools leaves the jackknife's placebo interval too wide to be sure).
    let out = run(tmp.path(), 12, "0.5");
    let review = std::fs::read_to_string(out.join("review/bestuur.html")).unwrap();
    assert!(
        review.contains("Let op: vóór de start"),
        "no pre-trend warning"
    );
}

#[test]
fn the_bundled_staggered_example_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = common::run_pipeline(
        &common::repo().join("pipelines/staggered.toml"),
        &out,
        Some(KEY),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ev = read_table(&out.join("effects/event_study.parquet"), Table::EventStudy).unwrap();
    // Three start cohorts (2022-2023 to 2024-2025) and never-treated schools.
    let cohorts: std::collections::BTreeSet<String> = (0..ev.len())
        .filter(|&i| ev.str("aggregation").value(i) == "cohort")
        .map(|i| ev.str("cohort").value(i).to_string())
        .collect();
    assert_eq!(cohorts.len(), 3, "{cohorts:?}");
    assert!(out.join("charts/event_study.svg").exists());
    // The review shows the event study, the moderation line (by starting level: the sample has
    // no learning-platform activity, so no SRL index and no SRL line or profile) and the
    // sensitivity sentence.
    let review = std::fs::read_to_string(out.join("review/bestuur.html")).unwrap();
    for (what, text) in [
        ("event study", "Effect per schooljaar sinds de start"),
        ("moderation line", "Naar beginniveau als doorlopende lijn"),
        (
            "its reading",
            "Als doorlopende lijn: per eenheid hoger op het beginniveau",
        ),
        ("sensitivity sentence", "robuustheidswaarde"),
    ] {
        assert!(review.contains(text), "{what}: '{text}' missing");
    }
    let m = read_table(&out.join("effects/moderation.parquet"), Table::Moderation).unwrap();
    let moderators: std::collections::BTreeSet<&str> =
        (0..m.len()).map(|i| m.str("moderator").value(i)).collect();
    assert_eq!(
        moderators,
        ["baseline_z"].into(),
        "no SRL index without activity"
    );
    assert!(
        !out.join("charts/srl_profile.svg").exists(),
        "an empty SRL profile"
    );
    assert!(!review.contains("Naar zelfregulatie als doorlopende lijn"));
}
