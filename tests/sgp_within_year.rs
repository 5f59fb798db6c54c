//! Student growth percentiles within the school year (window M-E) against R: a generated board's
//! mid-year and end-of-year scores (`tests/reference/sgp_within/scores.csv.gz`, made by
//! `make_scores.py` from `leerwinst sample-data`) go through the real binary as a
//! `mapped-assessments` source with `[growth.sgp]`, and every M-E percentile of orders 1 and 2 is
//! compared with `expected.csv.gz`, which `reference.R` there produced with R's quantreg
//! (`rq(..., method = "br")`, the SGP package's method; knots derived by the package's rule).
//! Tolerances as for the year-on-year reference (`sgp_reference.rs`): at least 99% identical per
//! order and none more than 1 apart; the two tables hold the same pupils.

use std::collections::HashMap;
use std::io::Read;

use leerwinst_core::Table;
use leerwinst_store::{opt, read_table};

mod common;

use common::{repo, run_pipeline};

type Percentiles = HashMap<(String, String, String), (i32, Option<i32>)>;

/// (pupil, subject, school year) -> (order 1, order 2) from R.
fn reference() -> Percentiles {
    let gz =
        std::fs::File::open(repo().join("tests/reference/sgp_within/expected.csv.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                (r[0].to_string(), r[1].to_string(), r[2].to_string()),
                (r[4].parse().unwrap(), r[5].parse().ok()),
            )
        })
        .collect()
}

#[test]
fn within_year_growth_percentiles_agree_with_r_quantreg() {
    let tmp = tempfile::tempdir().unwrap();
    let scores = repo().join("tests/reference/sgp_within/scores.csv.gz");
    let pipeline = tmp.path().join("within.toml");
    std::fs::write(
        &pipeline,
        format!(
            r#"[pipeline]
name = "within"
language = "en"

[privacy]
pseudonymise = false

[[source]]
name = "scores"
format = "mapped-assessments"
path = {scores:?}
instrument = "generated-lvs"

[source.mapping]
columns = {{ pupil_id = "pupil_id", subject = "subject", school_year = "school_year", grade = "grade", term = "term", score = "score" }}

[growth.sgp]
max_order = 2
"#
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    run_pipeline(&pipeline, &out, None);

    let growth = read_table(&out.join("indicators/growth.parquet"), Table::Growth).unwrap();
    let (p, s, w, y, o1, o2) = (
        growth.str("pupil_key"),
        growth.str("subject"),
        growth.str("window"),
        growth.str("school_year"),
        growth.i32("sgp_order_1"),
        growth.i32("sgp_order_2"),
    );
    let mut ours = Percentiles::new();
    for i in 0..growth.len() {
        if w.value(i) != "M-E" {
            continue;
        }
        if let Some(a) = opt(o1, i) {
            let key = (
                p.value(i).to_string(),
                s.value(i).to_string(),
                y.value(i).to_string(),
            );
            ours.insert(key, (a, opt(o2, i)));
        }
    }
    let want = reference();
    assert_eq!(ours.len(), want.len(), "pupils with an M-E percentile");
    let (mut same, mut total, mut worst) = ([0usize; 2], [0usize; 2], 0);
    for (key, (r1, r2)) in &want {
        let (a1, a2) = ours
            .get(key)
            .unwrap_or_else(|| panic!("{key:?} has no M-E percentile"));
        assert_eq!(
            a2.is_some(),
            r2.is_some(),
            "{key:?}: order 2 present in one only"
        );
        for (k, pair) in [(Some(*a1), Some(*r1)), (*a2, *r2)].into_iter().enumerate() {
            if let (Some(a), Some(r)) = pair {
                total[k] += 1;
                same[k] += usize::from(a == r);
                worst = worst.max((a - r).abs());
            }
        }
    }
    for k in 0..2 {
        let share = same[k] as f64 / total[k] as f64;
        eprintln!(
            "order {}: {} of {} identical ({share:.4})",
            k + 1,
            same[k],
            total[k]
        );
        assert!(
            total[k] > 1000,
            "order {}: only {} percentiles",
            k + 1,
            total[k]
        );
        assert!(share >= 0.99, "order {}: {share}", k + 1);
    }
    assert!(worst <= 1, "a percentile differs from R's by {worst}");
}
