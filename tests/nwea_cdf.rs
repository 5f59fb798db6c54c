//! End-to-end on an NWEA MAP Comprehensive Data File (`pipelines/nwea-example.toml`, fixture
//! `tests/fixtures/nwea-cdf`, written by its `make_fixture.py`): NWEA's own growth figures land
//! on the right pupil, subject, window and year; the norm table fills in where NWEA gives none;
//! the two agree where both exist; school and class aggregates are written; and no name, birth
//! date or raw student id reaches any output.

use std::collections::HashMap;

use leerwinst_core::Table;
use leerwinst_store::{opt, opt_str, read_table};
use leerwinst_transform::norms::NormTable;

mod common;

use common::{files, repo, run_pipeline};

#[test]
fn nwea_growth_fields_norms_and_groups() {
    let out = tempfile::tempdir().unwrap();
    run_pipeline(
        &repo().join("pipelines/nwea-example.toml"),
        out.path(),
        Some("nwea-test-key-0123456789abcdef"),
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("run.json")).unwrap())
            .unwrap();
    let src = &report["ingest"]["sources"][0];
    assert_eq!(src["read"], 240, "80 roster rows + 160 test rows");
    assert_eq!(src["accepted"], 240);

    let reported = read_table(
        &out.path().join("warehouse/reported_growth.parquet"),
        Table::ReportedGrowth,
    )
    .unwrap();
    // Even pupils (8) x 2 subjects: F-W, F-S, W-S in 2013-2014; F-S, S-S in 2014-2015.
    assert_eq!(reported.len(), 8 * 2 * 5);

    let norms = NormTable::read(&repo().join("tests/fixtures/nwea-norms.csv")).unwrap();
    let g = read_table(&out.path().join("indicators/growth.parquet"), Table::Growth).unwrap();
    let (subj, win, grade, base, gain) = (
        g.str("subject"),
        g.str("window"),
        g.i32("grade"),
        g.f64("baseline_score"),
        g.f64("gain"),
    );
    let (exp, cgi, cgp, source, year) = (
        g.f64("expected_growth"),
        g.f64("cgi"),
        g.f64("cgp"),
        g.str("norm_source"),
        g.str("school_year"),
    );
    let mut by_source: HashMap<&str, usize> = HashMap::new();
    for i in 0..g.len() {
        let Some(s) = opt_str(source, i) else {
            continue;
        };
        *by_source.entry(s).or_default() += 1;
        let w = win.value(i);
        let yearly = leerwinst_core::term::window_is_yearly(w).unwrap();
        let baseline_grade = opt(grade, i).unwrap() - i32::from(yearly);
        let band = norms
            .lookup("nwea-map", subj.value(i), baseline_grade, w, base.value(i))
            .unwrap_or_else(|| panic!("row {i} has a norm source but no band"));
        // NWEA's figures (rounded to 2 decimals and whole percentiles) and the norm table's
        // formula agree for the same pupil, window and year: the export's fields were attached
        // to the right row.
        let own = (gain.value(i) - band.expected) / band.sd;
        assert_eq!(
            opt(exp, i),
            Some(band.expected),
            "row {i} {w} {}",
            year.value(i)
        );
        let tol = if s == "nwea" { 0.005 + 1e-9 } else { 1e-12 };
        assert!(
            (opt(cgi, i).unwrap() - own).abs() <= tol,
            "row {i}: cgi {:?} vs {own}",
            opt(cgi, i)
        );
        let p = 100.0 * leerwinst_stats::dist::phi(own);
        let ptol = if s == "nwea" { 0.5 + 1e-9 } else { 1e-9 };
        assert!((opt(cgp, i).unwrap() - p).abs() <= ptol, "row {i}: cgp");
    }
    assert_eq!(by_source.get("nwea"), Some(&80), "{by_source:?}");
    assert!(by_source.get("norm-table").copied().unwrap_or(0) >= 64);

    let groups = read_table(
        &out.path().join("indicators/group_growth.parquet"),
        Table::GroupGrowth,
    )
    .unwrap();
    let (level, school, w, y, n, n_cgi) = (
        groups.str("level"),
        groups.str("school_key"),
        groups.str("window"),
        groups.str("school_year"),
        groups.i64("n"),
        groups.i64("n_cgi"),
    );
    let cedar_fs = (0..groups.len())
        .find(|&i| {
            level.value(i) == "school"
                && school.value(i) == "Cedar Creek Elementary"
                && w.value(i) == "F-S"
                && y.value(i) == "2013-2014"
        })
        .expect("a school row per school, window and year");
    assert_eq!((n.value(cedar_fs), n_cgi.value(cedar_fs)), (8, 8));

    // Privacy: names, birth dates and raw ids of the fixture appear in no output.
    let roster =
        std::fs::read_to_string(repo().join("tests/fixtures/nwea-cdf/StudentsBySchool.csv"))
            .unwrap();
    let mut secrets: Vec<String> = Vec::new();
    for line in roster.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        secrets.extend([f[3], f[4], f[6], f[7]].iter().map(|s| s.to_string()));
    }
    secrets.sort();
    secrets.dedup();
    let mut scanned = 0;
    for f in files(out.path()) {
        if f.extension().is_some_and(|e| e == "parquet") {
            // Every value of every string column, decompressed.
            let stem = f.file_stem().unwrap().to_string_lossy().to_string();
            let table = Table::ALL.into_iter().find(|t| t.name() == stem).unwrap();
            let frame = read_table(&f, table).unwrap();
            for c in table
                .columns()
                .iter()
                .filter(|c| c.ty == leerwinst_core::ColumnType::Utf8)
            {
                let a = frame.str(c.name);
                for i in 0..frame.len() {
                    assert!(
                        !secrets.iter().any(|s| a.value(i) == s),
                        "{} column {} holds '{}'",
                        f.display(),
                        c.name,
                        a.value(i)
                    );
                }
            }
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
            for s in &secrets {
                assert!(
                    !text.contains(&format!(",{s},")) && !text.contains(&format!("\"{s}\"")),
                    "{} contains '{s}'",
                    f.display()
                );
            }
        }
        scanned += 1;
    }
    assert!(scanned > 10, "only {scanned} output files");
}
