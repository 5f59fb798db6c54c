//! Student growth percentiles against R: runs `pipelines/sgpdata.toml` (SGPdata's sgpData_LONG,
//! years 2022-2023 and 2023-2024, both content areas, orders 1 and 2) with the real binary and
//! compares every percentile with `tests/reference/sgp/sgp_expected.csv.gz`, which
//! `tests/reference/sgp_reference.R` produced with R's quantreg (`rq(..., method = "br")`) from
//! Debian packages. Tolerances (issue 4): at least 99% exact agreement per order, every
//! percentile within +-1, and one cohort's 8 x 100 coefficient matrix within 1e-6 of quantreg's.
//! Skipped, with a message, when `../shared/data/sgp` is not beside the checkout.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use leerwinst_core::pipeline::{Pipeline, SgpSettings, SolverChoice};
use leerwinst_core::{SchoolYear, Table};
use leerwinst_stats::sgp::Solver;
use leerwinst_store::read_table;
use leerwinst_transform::sgp;

mod common;

use common::{repo, run_pipeline};

fn shared_sgp() -> Option<PathBuf> {
    let dir = repo().join("../shared/data/sgp");
    dir.join("sgpData_LONG.csv.gz").exists().then_some(dir)
}

/// (ID, content area, year) -> (order 1, order 2) from R.
fn reference() -> Percentiles {
    let gz = std::fs::File::open(repo().join("tests/reference/sgp/sgp_expected.csv.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                (
                    r[0].to_string(),
                    r[1].to_lowercase(),
                    SchoolYear::parse(&r[2]).unwrap().to_string(),
                ),
                (r[4].parse().unwrap(), r[5].parse().ok()),
            )
        })
        .collect()
}

#[test]
fn growth_percentiles_agree_with_r_quantreg() {
    let Some(data) = shared_sgp() else {
        eprintln!("SKIPPED: ../shared/data/sgp is not beside the checkout");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let pipeline = repo().join("pipelines/sgpdata.toml");
    run_pipeline(&pipeline, out.path(), None);

    // Every percentile, by pupil id (pseudonymisation is off for this public data set).
    let growth = read_table(&out.path().join("indicators/growth.parquet"), Table::Growth).unwrap();
    let (p, s, y, o1, o2) = (
        growth.str("pupil_key"),
        growth.str("subject"),
        growth.str("school_year"),
        growth.i32("sgp_order_1"),
        growth.i32("sgp_order_2"),
    );
    let want = reference();
    let mut ours = HashMap::new();
    for i in 0..growth.len() {
        if let Some(a) = leerwinst_store::opt(o1, i) {
            let key = (
                p.value(i).to_string(),
                s.value(i).to_string(),
                y.value(i).to_string(),
            );
            ours.insert(key, (a, leerwinst_store::opt(o2, i)));
        }
    }
    let (share, worst) = agreement("br", &ours, &want);
    for (k, sh) in share.iter().enumerate() {
        assert!(*sh >= 0.99, "order {}: {sh}", k + 1);
    }
    assert!(worst <= 1, "a percentile differs from R's by {worst}");

    // One cohort's coefficients: MATHEMATICS 2023-2024 grade 5, order 1 (8 x 100).
    let p = Pipeline::load(&pipeline).unwrap();
    let settings = p.growth.sgp.clone().unwrap();
    let assess = read_table(
        &out.path().join("warehouse/assessments.parquet"),
        Table::Assessments,
    )
    .unwrap();
    let cohorts = sgp::cohorts(&assess, &settings);
    let cohort = cohorts
        .iter()
        .find(|c| {
            c.subject == "mathematics" && c.year == SchoolYear(2023) && c.grade == 5 && c.order == 1
        })
        .unwrap();
    let knots = sgp::read_knots(&data.join("knots_boundaries_demo.csv")).unwrap();
    let prior_knots = sgp::knots_for(&cohorts, &assess, Some(&knots));
    let fit = sgp::fit(cohort, &prior_knots, Solver::Simplex).unwrap();
    let r_coef: Vec<Vec<f64>> = std::fs::read_to_string(
        repo().join("tests/reference/sgp/sgp_coef_MATHEMATICS_2023_2024_5_order1.csv"),
    )
    .unwrap()
    .lines()
    .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
    .collect();
    assert_eq!((r_coef.len(), r_coef[0].len()), (8, 100));
    let mut max_diff = 0f64;
    for (q, coef) in fit.coef.iter().enumerate() {
        for (j, c) in coef.iter().enumerate() {
            max_diff = max_diff.max((c - r_coef[j][q]).abs());
        }
    }
    eprintln!("coefficient matrix: max |ours - quantreg| = {max_diff:e}");
    assert!(max_diff < 1e-6, "max coefficient difference {max_diff}");

    // The interior-point solver on every cohort, against the same R (simplex) percentiles: an
    // interior point may stop inside an optimal face where the simplex stops at a corner, so a
    // few percentiles move by one; none by more.
    let fn_settings = SgpSettings {
        solver: SolverChoice::Fn,
        ..settings
    };
    let (index, summary) = sgp::compute(&assess, &fn_settings, Some(&knots));
    assert_eq!(summary.interior_point_cohorts, summary.cohorts);
    let fn_ours: HashMap<_, _> = index
        .into_iter()
        .filter_map(|((p, s, y, _), (a, b))| Some(((p, s, y), (a?, b))))
        .collect();
    let (share, worst) = agreement("fn", &fn_ours, &want);
    for (k, sh) in share.iter().enumerate() {
        assert!(*sh >= FN_EXACT_SHARE, "fn order {}: {sh}", k + 1);
    }
    assert!(worst <= 1, "an fn percentile differs from R's by {worst}");
}

/// Least share of interior-point percentiles identical to R's simplex ones, per order.
const FN_EXACT_SHARE: f64 = 0.99;

type Percentiles = HashMap<(String, String, String), (i32, Option<i32>)>;

/// Share identical per order and the largest difference, printed with `label`.
fn agreement(label: &str, ours: &Percentiles, want: &Percentiles) -> ([f64; 2], i32) {
    assert_eq!(
        ours.len(),
        want.len(),
        "{label}: the same pupils get a percentile as in R"
    );
    let mut n = [0usize; 2];
    let mut exact = [0usize; 2];
    let mut worst = 0;
    for (key, (w1, w2)) in want {
        let (g1, g2) = ours
            .get(key)
            .unwrap_or_else(|| panic!("{label}: {key:?} has no percentile"));
        assert_eq!(w2.is_some(), g2.is_some(), "order 2 present for {key:?}");
        for (k, (w, g)) in [(Some(*w1), Some(*g1)), (*w2, *g2)].into_iter().enumerate() {
            if let (Some(w), Some(g)) = (w, g) {
                n[k] += 1;
                exact[k] += usize::from(w == g);
                worst = worst.max((w - g).abs());
            }
        }
    }
    let share = [0, 1].map(|k| exact[k] as f64 / n[k] as f64);
    for k in 0..2 {
        eprintln!(
            "{label} order {}: {} of {} percentiles identical to R ({:.4}%)",
            k + 1,
            exact[k],
            n[k],
            100.0 * share[k]
        );
    }
    (share, worst)
}
