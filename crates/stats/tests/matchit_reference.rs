//! Propensity-score matching against R MatchIt 4.5.1 (Debian r-cran-matchit) on the data set and
//! outputs that `tests/reference/matchit_reference.R` wrote to `tests/reference/matchit/`:
//! the logistic propensity model (coefficients 1e-7, fitted scores 1e-9), every matched set of
//! five configurations (1:1; 1:2 with a 0.2 SD caliper; 1:1 and 1:3 with replacement, the latter
//! with a 0.1 SD caliper; 1:1 with a 0.05 SD caliper) exactly, MatchIt's weights (1e-9), the ATT
//! and its cluster-robust SE from `lm(y ~ treat, weights)` + `sandwich::vcovCL(type = "HC1")`
//! (1e-9), and the balance table's standardised mean differences and variance ratios (1e-9).
//! MatchIt gets the score as a distance matrix (its vector path is broken in 4.5.1, see the R
//! script), which allows data order only; the largest/smallest orders are unit-tested by hand.

use std::path::PathBuf;

use leerwinst_stats::logistic::logistic;
use leerwinst_stats::matching::{MatchOrder, MatchSpec, att, balance, nearest};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/matchit")
}

/// Rows of a simple CSV (no quoted commas), header dropped, quotes stripped.
fn rows(name: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|v| v.trim_matches('"').to_string())
                .collect()
        })
        .collect()
}

/// The reference rows beside ours, after checking there are as many of each: a zip alone would
/// pass on a reference file that lost rows.
fn paired<'a, R, G>(
    reference: &'a [R],
    ours: &'a [G],
    what: &str,
) -> std::iter::Zip<std::slice::Iter<'a, R>, std::slice::Iter<'a, G>> {
    assert_eq!(reference.len(), ours.len(), "{what}: rows in R vs ours");
    reference.iter().zip(ours)
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

#[test]
fn matching_agrees_with_matchit() {
    let data = rows("data.csv");
    let treat: Vec<bool> = data.iter().map(|r| r[0] == "1").collect();
    let x: Vec<Vec<f64>> = (1..=3)
        .map(|c| data.iter().map(|r| num(&r[c])).collect())
        .collect();
    let y: Vec<f64> = data.iter().map(|r| num(&r[4])).collect();
    let t01: Vec<f64> = treat.iter().map(|&t| f64::from(u8::from(t))).collect();
    let fit = logistic(&t01, &x).unwrap();
    for (r, b) in paired(&rows("glm.csv"), &fit.coef, "glm coefficients") {
        assert!(
            (num(&r[1]) - b).abs() < 1e-7,
            "glm {}: {} vs {b}",
            r[0],
            r[1]
        );
    }
    let ps = &fit.fitted;
    for (r, p) in paired(&rows("ps.csv"), ps, "propensity scores") {
        assert!((num(&r[1]) - p).abs() < 1e-9, "ps row {}", r[0]);
    }

    let configs = [
        ("nn1", 1, false, None),
        ("nn2_cal", 2, false, Some(0.2)),
        ("nn1_rep", 1, true, None),
        ("nn3_rep_cal", 3, true, Some(0.1)),
        ("nn1_cal", 1, false, Some(0.05)),
    ];
    for (name, ratio, replace, caliper) in configs {
        let spec = MatchSpec {
            ratio,
            replace,
            caliper,
            order: MatchOrder::Data,
        };
        let m = nearest(&treat, ps, &spec).unwrap();
        // Matched sets: R's rows are 1-based, one line per treated unit in data order.
        let want = rows(&format!("{name}_matches.csv"));
        assert_eq!(want.len(), m.treated.len(), "{name}");
        let mut sets = 0;
        for (t, w) in want.iter().enumerate() {
            assert_eq!(
                num(&w[0]) as usize,
                m.treated[t] + 1,
                "{name}: treated order"
            );
            let mut want_c: Vec<usize> = w[1..]
                .iter()
                .filter(|v| !v.is_empty() && *v != "NA")
                .map(|v| v.parse::<usize>().unwrap() - 1)
                .collect();
            // A matched set is a set: MatchIt lists some in row order, we in round order.
            let mut got = m.controls[t].clone();
            got.sort_unstable();
            want_c.sort_unstable();
            assert_eq!(got, want_c, "{name}: treated row {}", w[0]);
            sets += usize::from(!want_c.is_empty());
        }
        for (r, w) in paired(&rows(&format!("{name}_weights.csv")), &m.weights, name) {
            assert!((num(&r[1]) - w).abs() < 1e-9, "{name} weight row {}", r[0]);
        }
        let a = att(&m, &treat, &y, replace).unwrap();
        let want = &rows(&format!("{name}_att.csv"))[0];
        assert!(
            (num(&want[0]) - a.estimate).abs() < 1e-9,
            "{name} ATT {a:?} vs {want:?}"
        );
        assert!(
            (num(&want[1]) - a.se).abs() < 1e-9,
            "{name} SE {a:?} vs {want:?}"
        );
        assert_eq!(a.n_treated.to_string(), want[2], "{name}");
        assert_eq!(a.n_control.to_string(), want[3], "{name}");
        // Balance: distance first, then the covariates; before and after.
        let cols: Vec<&[f64]> = std::iter::once(ps.as_slice())
            .chain(x.iter().map(|c| c.as_slice()))
            .collect();
        for r in rows(&format!("{name}_balance.csv")) {
            let k = ["distance", "x1", "x2", "x3"]
                .iter()
                .position(|t| *t == r[1])
                .unwrap();
            let w = (r[0] == "after").then_some(m.weights.as_slice());
            let b = balance(cols[k], &treat, w);
            assert!(
                (num(&r[2]) - b.smd).abs() < 1e-9,
                "{name} {} {} smd {b:?}",
                r[0],
                r[1]
            );
            match b.var_ratio {
                Some(v) => assert!((num(&r[3]) - v).abs() < 1e-9, "{name} {} {} vr", r[0], r[1]),
                None => assert_eq!(r[3], "NA"),
            }
        }
        eprintln!(
            "{name}: {sets} matched sets identical to MatchIt, ATT {:.6} (SE {:.6})",
            a.estimate, a.se
        );
    }
}
