//! The same test moment over the years, across runs: a board's run of 2022-2024 is named as an
//! earlier run by its run of 2023-2025 (`[report] earlier_runs`); the later run's
//! `indicators/moment_trend` keeps its own years and takes 2022-2023 from the earlier run, and
//! its review shows the three years with a note naming the earlier run. An earlier-run folder
//! without the table stops the run with a clear error.

mod common;

use std::path::Path;

use common::{leerwinst, run_pipeline};
use leerwinst_core::Table;
use leerwinst_store::{opt_str, read_table};

/// Generates the board's exports for the school years starting `first_year` into `dir`.
fn sample(dir: &Path, first_year: &str) {
    leerwinst(&[
        "sample-data",
        "--out",
        dir.to_str().unwrap(),
        "--schools",
        "4",
        "--pupils",
        "300",
        "--seed",
        "3",
        "--first-year",
        first_year,
        "--no-activity",
    ]);
}

/// A pipeline over the sample's school list, pupil list and test results.
fn pipeline(path: &Path, data: &Path, earlier: &[&Path]) {
    let earlier: Vec<String> = earlier.iter().map(|p| format!("{p:?}")).collect();
    std::fs::write(
        path,
        format!(
            r#"[pipeline]
name = "trend"

[[source]]
name = "scholen"
format = "schools-csv"
path = {:?}

[[source]]
name = "rooster"
format = "oneroster"
path = {:?}

[[source]]
name = "toetsen"
format = "lvs-csv"
path = {:?}
instrument = "cito-lvs"

[report]
earlier_runs = [{}]
"#,
            data.join("scholen.csv"),
            data.join("oneroster"),
            data.join("lvs/toetsresultaten.csv"),
            earlier.join(", ")
        ),
    )
    .unwrap();
}

#[test]
fn a_later_run_shows_the_years_of_an_earlier_one() {
    let tmp = tempfile::tempdir().unwrap();
    let key = "moment-trend-test-key-0123";
    let (old_data, new_data) = (tmp.path().join("old"), tmp.path().join("new"));
    sample(&old_data, "2022");
    sample(&new_data, "2023");
    let old_run = tmp.path().join("run-2024");
    pipeline(&tmp.path().join("old.toml"), &old_data, &[]);
    run_pipeline(&tmp.path().join("old.toml"), &old_run, Some(key));
    let new_run = tmp.path().join("run-2025");
    pipeline(&tmp.path().join("new.toml"), &new_data, &[&old_run]);
    run_pipeline(&tmp.path().join("new.toml"), &new_run, Some(key));

    let trend = read_table(
        &new_run.join("indicators/moment_trend.parquet"),
        Table::MomentTrend,
    )
    .unwrap();
    let (year, earlier) = (trend.str("school_year"), trend.str("earlier_run"));
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..trend.len() {
        seen.insert(
            year.value(i).to_string(),
            opt_str(earlier, i).map(str::to_string),
        );
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            ("2022-2023".to_string(), Some("run-2024".to_string())),
            ("2023-2024".to_string(), None),
            ("2024-2025".to_string(), None),
        ],
        "2023-2024 is in both runs: this run's own figures win"
    );
    let review = std::fs::read_to_string(new_run.join("review/bestuur.html")).unwrap();
    let section = review
        .split("Hetzelfde toetsmoment door de jaren heen")
        .nth(1)
        .expect("the review has the section");
    let section = section.split("<h2").next().unwrap();
    for y in ["2022-2023", "2023-2024", "2024-2025"] {
        assert!(section.contains(y), "{y} missing from the section");
    }
    assert!(section.contains("komt uit de eerdere run"), "{section}");

    // A folder that is no run: a clear error naming the table it lacks.
    pipeline(&tmp.path().join("bad.toml"), &new_data, &[&new_data]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .args([
            "run",
            tmp.path().join("bad.toml").to_str().unwrap(),
            "--out",
        ])
        .arg(tmp.path().join("bad-run"))
        .env("CI", "true")
        .env("LEERWINST_KEY", key)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("moment_trend.parquet"), "{err}");
    assert!(err.contains("eerdere run"), "the error speaks Dutch: {err}");
}
