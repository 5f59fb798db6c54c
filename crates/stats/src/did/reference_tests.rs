//! The estimators against R's `did` on its `mpdta` data (`tests/reference/did/`, made by
//! `make_reference.R` there): every ATT(g, t), analytic standard error and aggregation of 50
//! settings (estimator x covariates x comparison group x base period x panel or repeated cross
//! sections, and anticipation) to 1e-9 (they agree to about 1e-15); the multiplier-bootstrap standard errors and simultaneous
//! critical values within bootstrap error.

use std::collections::BTreeMap;

use super::aggregate::{Kind, aggregate};
use super::bootstrap::multiplier_bootstrap;
use super::*;
use crate::dist::normal_quantile;

const ATT_GT: &str = include_str!("../../../../tests/reference/did/att_gt.csv");
const AGGTE: &str = include_str!("../../../../tests/reference/did/aggte.csv");
const BOOTSTRAP: &str = include_str!("../../../../tests/reference/did/bootstrap.csv");
const BOOTSTRAP_25: &str = include_str!("../../../../tests/reference/did/bootstrap_did25.csv");

/// Rows of a headed CSV without quotes, as maps from column name to field.
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            head.iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(r: &BTreeMap<String, String>, k: &str) -> Option<f64> {
    let v = &r[k];
    (!v.is_empty()).then(|| v.parse().expect("a number"))
}

struct Mpdta {
    y: Vec<f64>,
    year: Vec<i32>,
    group: Vec<i32>,
    unit: Vec<u32>,
    lpop: Vec<f64>,
    state: Vec<u32>,
}

/// The mpdta data, or None (with a SKIPPED message) when no copy is at hand.
fn mpdta() -> Option<Mpdta> {
    let path = std::env::var_os("LEERWINST_MPDTA").map_or_else(
        || {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/reference/did/mpdta.csv")
        },
        std::path::PathBuf::from,
    );
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "SKIPPED: no mpdta data at {} (python3 tests/reference/did/mpdta_from_pypi.py makes it)",
            path.display()
        );
        return None;
    };
    let r = rows(&text);
    let col = |k: &str| {
        r.iter()
            .map(|x| num(x, k).expect("complete data"))
            .collect::<Vec<f64>>()
    };
    Some(Mpdta {
        y: col("lemp"),
        year: col("year").iter().map(|&v| v as i32).collect(),
        group: col("first_treat").iter().map(|&v| v as i32).collect(),
        unit: col("countyreal").iter().map(|&v| v as u32).collect(),
        lpop: col("lpop"),
        state: col("state").iter().map(|&v| v as u32).collect(),
    })
}

/// The settings a case name of the reference encodes.
fn settings(case: &str) -> (Settings, bool) {
    let p: Vec<&str> = case.split('_').collect();
    let estimator = match p[0] {
        "reg" => Estimator::Regression,
        "dr" => Estimator::DoublyRobust,
        "ipw" => Estimator::InverseProbability,
        other => panic!("estimator {other}"),
    };
    let s = Settings {
        estimator,
        comparison: if p[2] == "never" {
            ComparisonGroup::NeverTreated
        } else {
            ComparisonGroup::NotYetTreated
        },
        base_period: if p[3] == "varying" {
            BasePeriod::Varying
        } else {
            BasePeriod::Universal
        },
        anticipation: i32::from(p.get(5) == Some(&"ant1")),
        panel: p[4] == "panel",
    };
    (s, p[1] == "xlpop")
}

fn fit(d: &Mpdta, case: &str, clustered: bool) -> AttGt {
    let (s, lpop) = settings(case);
    let covariates = if lpop { vec![d.lpop.clone()] } else { vec![] };
    let obs = Observations {
        y: &d.y,
        period: &d.year,
        group: &d.group,
        unit: &d.unit,
        covariates: &covariates,
        cluster: clustered.then_some(&d.state[..]),
    };
    att_gt(&obs, &s).unwrap_or_else(|e| panic!("{case}: {e}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn att_gt_and_analytic_se_equal_r_did() {
    let Some(d) = mpdta() else { return };
    let mut by_case: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for r in rows(ATT_GT) {
        by_case.entry(r["case"].clone()).or_default().push(r);
    }
    assert_eq!(by_case.len(), 50, "reference cases");
    for (case, refs) in &by_case {
        let f = fit(&d, case, false);
        assert_eq!(f.cells.len(), refs.len(), "{case}: cells");
        for (k, (cell, r)) in f.cells.iter().zip(refs).enumerate() {
            assert_eq!(cell.group, num(r, "group").unwrap() as i32, "{case}");
            assert_eq!(cell.time, num(r, "time").unwrap() as i32, "{case}");
            match (cell.att, num(r, "att")) {
                (Some(a), Some(b)) => assert!(close(a, b, 1e-9), "{case} {k}: att {a} vs {b}"),
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{case} {k}: att {a:?} vs {b:?}"),
            }
            match (f.se(k), num(r, "se")) {
                (Some(a), Some(b)) => assert!(close(a, b, 1e-9), "{case} {k}: se {a} vs {b}"),
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{case} {k}: se {a:?} vs {b:?}"),
            }
        }
    }
}

#[test]
fn aggregations_equal_r_aggte() {
    let Some(d) = mpdta() else { return };
    let mut by_case: BTreeMap<(String, String), Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for r in rows(AGGTE) {
        by_case
            .entry((r["case"].clone(), r["type"].clone()))
            .or_default()
            .push(r);
    }
    let mut fits: BTreeMap<String, AttGt> = BTreeMap::new();
    let mut compared = 0;
    for ((case, kind), refs) in &by_case {
        let f = fits
            .entry(case.clone())
            .or_insert_with(|| fit(&d, case, false));
        let k = match kind.as_str() {
            "simple" => Kind::Simple,
            "group" => Kind::Group,
            "calendar" => Kind::Calendar,
            _ => Kind::Dynamic,
        };
        let agg = aggregate(f, k).unwrap_or_else(|| panic!("{case} {kind}: no aggregate"));
        let ours: Vec<(Option<i32>, f64, Option<f64>)> =
            std::iter::once((None, agg.overall.att, agg.overall.se()))
                .chain(
                    agg.rows
                        .iter()
                        .map(|(e, est)| (Some(*e), est.att, est.se())),
                )
                .collect();
        assert_eq!(ours.len(), refs.len(), "{case} {kind}: rows");
        for ((e, att, se), r) in ours.iter().zip(refs) {
            assert_eq!(*e, num(r, "e").map(|v| v as i32), "{case} {kind}");
            let ratt = num(r, "att").expect("an att");
            assert!(
                close(*att, ratt, 1e-9),
                "{case} {kind} {e:?}: att {att} vs {ratt}"
            );
            match (se, num(r, "se")) {
                (Some(a), Some(b)) => {
                    assert!(close(*a, b, 1e-9), "{case} {kind} {e:?}: se {a} vs {b}")
                }
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{case} {kind} {e:?}: se"),
            }
            compared += 1;
        }
    }
    assert!(compared > 500, "{compared} aggregated values compared");
}

/// Our bootstrap of `cols` against R's rows: standard errors and the band's critical value within
/// `tol` (relative). With many clusters 5% (20,000 draws: the IQR-based se has a relative error of
/// about 1.5%); with 12 schools 10%: the draws take only 2^12 values, with long runs of ties, so
/// the quartiles jump between neighbouring values (R's own standard errors are such a draw: for
/// cell 0 of the board it equals the exact quartiles of all 4,096 sign vectors, for cell 5 it is
/// 3% above them).
fn check_bootstrap(
    label: &str,
    cols: &[&[f64]],
    cluster: Option<&[u32]>,
    refs: &[&BTreeMap<String, String>],
    seed: u64,
    tol: f64,
) -> usize {
    let b = multiplier_bootstrap(cols, cluster, 20_000, 0.05, seed);
    assert_eq!(cols.len(), refs.len(), "{label}: rows");
    for (k, r) in refs.iter().enumerate() {
        let (a, rb) = (b.se[k].expect("an se"), num(r, "se").expect("an se"));
        assert!((a / rb - 1.0).abs() < tol, "{label} {k}: se {a} vs {rb}");
    }
    if let Some(rc) = refs.iter().find_map(|r| num(r, "crit_val")) {
        let c = b.critical_value.max(1.959_963_984_540_054);
        assert!(close(c, rc, tol), "{label}: crit {c} vs {rc}");
    }
    refs.len()
}

#[test]
fn bootstrap_matches_r_within_bootstrap_error() {
    let Some(d) = mpdta() else { return };
    let old = rows(BOOTSTRAP);
    let new = rows(BOOTSTRAP_25);
    let mut checked = 0;
    for case in ["reg_x1_never_varying_panel", "dr_xlpop_never_varying_panel"] {
        for cluster in ["none", "state"] {
            let f = fit(&d, case, cluster == "state");
            let uc = f.unit_cluster.as_deref();
            // Unclustered: did 2.3 and 2.5 agree; clustered: did 2.5 (cluster sums).
            let pick = |level: &str| -> Vec<&BTreeMap<String, String>> {
                let (table, method) = if cluster == "none" {
                    (&old, None)
                } else {
                    (&new, Some("bootstrap"))
                };
                table
                    .iter()
                    .filter(|r| {
                        r["case"] == case
                            && r["cluster"] == cluster
                            && r["level"] == level
                            && method.is_none_or(|m| r["se_method"] == m)
                    })
                    .collect()
            };
            let cols: Vec<&[f64]> = f.influence.iter().map(|c| &c[..]).collect();
            checked += check_bootstrap(
                &format!("{case} {cluster} att_gt"),
                &cols,
                uc,
                &pick("att_gt"),
                11,
                0.05,
            );
            let dynamic = aggregate(&f, Kind::Dynamic).expect("an event study");
            let r_dyn = pick("dynamic");
            let label = format!("{case} {cluster} dynamic");
            checked += check_bootstrap(
                &label,
                &[&dynamic.overall.influence],
                uc,
                &r_dyn[..1],
                12,
                0.05,
            );
            let cols: Vec<&[f64]> = dynamic.rows.iter().map(|(_, e)| &e.influence[..]).collect();
            checked += check_bootstrap(&label, &cols, uc, &r_dyn[1..], 13, 0.05);
        }
    }
    assert_eq!(checked, 80, "bootstrap values compared");
}

#[test]
fn clustered_analytic_se_equals_r_did_2_5() {
    let Some(d) = mpdta() else { return };
    let refs = rows(BOOTSTRAP_25);
    let mut checked = 0;
    for case in ["reg_x1_never_varying_panel", "dr_xlpop_never_varying_panel"] {
        let f = fit(&d, case, true);
        let uc = f.unit_cluster.as_deref();
        for level in ["att_gt", "simple", "group", "calendar", "dynamic"] {
            let r: Vec<&BTreeMap<String, String>> = refs
                .iter()
                .filter(|r| {
                    r["case"] == case && r["se_method"] == "analytic" && r["level"] == level
                })
                .collect();
            let ours: Vec<Option<f64>> = if level == "att_gt" {
                f.influence.iter().map(|c| clustered_se(c, uc)).collect()
            } else {
                let kind = match level {
                    "simple" => Kind::Simple,
                    "group" => Kind::Group,
                    "calendar" => Kind::Calendar,
                    _ => Kind::Dynamic,
                };
                let a = aggregate(&f, kind).expect("an aggregate");
                // R lists per-row values; the overall estimate is its own row where R gives one.
                let per_row = a.rows.iter().map(|(_, e)| clustered_se(&e.influence, uc));
                if level == "simple" {
                    vec![clustered_se(&a.overall.influence, uc)]
                } else if r.len() == a.rows.len() + 1 {
                    std::iter::once(clustered_se(&a.overall.influence, uc))
                        .chain(per_row)
                        .collect()
                } else {
                    per_row.collect()
                }
            };
            assert_eq!(ours.len(), r.len(), "{case} {level}: rows");
            for (k, (a, rr)) in ours.iter().zip(&r).enumerate() {
                let b = num(rr, "se").expect("an se");
                let a = a.expect("an se");
                assert!(close(a, b, 1e-9), "{case} {level} {k}: se {a} vs {b}");
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked}");
}

const BOARD: &str = include_str!("../../../../tests/reference/did/board.csv");
const BOARD_ATT_GT: &str = include_str!("../../../../tests/reference/did/board_att_gt.csv");
const BOARD_AGGTE: &str = include_str!("../../../../tests/reference/did/board_aggte.csv");
const BOARD_BOOTSTRAP: &str = include_str!("../../../../tests/reference/did/board_bootstrap.csv");

/// A board of our own generator (12 schools in three start cohorts and never-treated ones,
/// rekenen, growth E-E), as repeated cross sections clustered by school: the pipeline's use.
fn board_fit(case: &str) -> AttGt {
    let r = rows(BOARD);
    let col = |k: &str| {
        r.iter()
            .map(|x| num(x, k).expect("complete data"))
            .collect::<Vec<f64>>()
    };
    let y = col("growth_z");
    let period: Vec<i32> = col("year").iter().map(|&v| v as i32).collect();
    let group: Vec<i32> = col("first_treat").iter().map(|&v| v as i32).collect();
    let school: Vec<u32> = col("school").iter().map(|&v| v as u32).collect();
    let unit: Vec<u32> = (0..y.len() as u32).collect();
    let p: Vec<&str> = case.split('_').collect();
    let s = Settings {
        estimator: if p[0] == "reg" {
            Estimator::Regression
        } else {
            Estimator::DoublyRobust
        },
        comparison: if p[1] == "never" {
            ComparisonGroup::NeverTreated
        } else {
            ComparisonGroup::NotYetTreated
        },
        base_period: if p[2] == "varying" {
            BasePeriod::Varying
        } else {
            BasePeriod::Universal
        },
        anticipation: 0,
        panel: false,
    };
    let obs = Observations {
        y: &y,
        period: &period,
        group: &group,
        unit: &unit,
        covariates: &[],
        cluster: Some(&school),
    };
    att_gt(&obs, &s).unwrap_or_else(|e| panic!("{case}: {e}"))
}

#[test]
fn a_generated_board_equals_r_did_with_school_clusters() {
    let mut by_case: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for r in rows(BOARD_ATT_GT) {
        by_case.entry(r["case"].clone()).or_default().push(r);
    }
    assert_eq!(by_case.len(), 8, "reference cases");
    let mut compared = 0;
    for (case, refs) in &by_case {
        let f = board_fit(case);
        let uc = f.unit_cluster.as_deref();
        assert_eq!(f.cells.len(), refs.len(), "{case}: cells");
        for (k, (cell, r)) in f.cells.iter().zip(refs).enumerate() {
            assert_eq!(
                (cell.group, cell.time),
                (
                    num(r, "group").unwrap() as i32,
                    num(r, "time").unwrap() as i32
                )
            );
            let (a, b) = (cell.att.expect("an att"), num(r, "att").expect("an att"));
            assert!(close(a, b, 1e-9), "{case} {k}: att {a} vs {b}");
            match (clustered_se(&f.influence[k], uc), num(r, "se")) {
                (Some(a), Some(b)) => assert!(close(a, b, 1e-9), "{case} {k}: se {a} vs {b}"),
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{case} {k}: se"),
            }
            compared += 1;
        }
        for kind in ["simple", "group", "calendar", "dynamic"] {
            let refs: Vec<BTreeMap<String, String>> = rows(BOARD_AGGTE)
                .into_iter()
                .filter(|r| &r["case"] == case && r["type"] == kind)
                .collect();
            let k = match kind {
                "simple" => Kind::Simple,
                "group" => Kind::Group,
                "calendar" => Kind::Calendar,
                _ => Kind::Dynamic,
            };
            let agg = aggregate(&f, k).expect("an aggregate");
            let ours: Vec<(f64, Option<f64>)> = std::iter::once(&agg.overall)
                .chain(agg.rows.iter().map(|(_, e)| e))
                .map(|e| (e.att, clustered_se(&e.influence, uc)))
                .collect();
            assert_eq!(ours.len(), refs.len(), "{case} {kind}: rows");
            for ((a, se), r) in ours.iter().zip(&refs) {
                let b = num(r, "att").expect("an att");
                assert!(close(*a, b, 1e-9), "{case} {kind}: att {a} vs {b}");
                match (se, num(r, "se")) {
                    (Some(s), Some(rs)) => {
                        assert!(close(*s, rs, 1e-9), "{case} {kind}: se {s} vs {rs}")
                    }
                    (s, rs) => assert_eq!(
                        s.is_some(),
                        rs.is_some(),
                        "{case} {kind} {r:?}: se {s:?} vs {rs:?}"
                    ),
                }
                compared += 1;
            }
        }
    }
    assert!(compared > 200, "{compared}");
    // The school-clustered bootstrap of dr_never_varying. With 12 schools its draws take only
    // 2^12 values, with long runs of ties, so an IQR-based standard error jumps between
    // neighbouring values from seed to seed (by up to 15% here). Both R's and ours must lie
    // where 20,000 draws put it: between the interquartile ranges of the exact distribution of
    // all 4,096 sign vectors at the quantiles 0.26-0.74 and 0.24-0.76 (three standard errors of
    // an empirical quantile level).
    let f = board_fit("dr_never_varying");
    let uc = f.unit_cluster.as_deref().expect("clusters");
    let refs = rows(BOARD_BOOTSTRAP);
    let pick = |level: &str| {
        refs.iter()
            .filter(|r| r["level"] == level)
            .collect::<Vec<_>>()
    };
    let dynamic = aggregate(&f, Kind::Dynamic).expect("an event study");
    let mut cols: Vec<&[f64]> = f.influence.iter().map(|c| &c[..]).collect();
    cols.push(&dynamic.overall.influence);
    cols.extend(dynamic.rows.iter().map(|(_, e)| &e.influence[..]));
    let mut r_se: Vec<Option<f64>> = pick("att_gt").iter().map(|r| num(r, "se")).collect();
    r_se.extend(pick("dynamic").iter().map(|r| num(r, "se")));
    assert_eq!(cols.len(), r_se.len());
    let ours = multiplier_bootstrap(&cols, Some(uc), 20_000, 0.05, 21);
    let n = f.units() as f64;
    for (k, col) in cols.iter().enumerate() {
        let sums = cluster_sums(col, uc);
        let g = sums.len();
        let mut exact: Vec<f64> = (0..1u32 << g)
            .map(|m| {
                (0..g)
                    .map(|c| if m >> c & 1 == 1 { sums[c] } else { -sums[c] })
                    .sum()
            })
            .collect();
        exact.sort_by(f64::total_cmp);
        let q = |p: f64| exact[((exact.len() as f64 * p).ceil() as usize).max(1) - 1];
        let scale = 1.0 / (normal_quantile(0.75) - normal_quantile(0.25)) / n;
        let (lo, hi) = ((q(0.74) - q(0.26)) * scale, (q(0.76) - q(0.24)) * scale);
        for (who, v) in [("R", r_se[k]), ("ours", ours.se[k])] {
            let v = v.expect("an se");
            assert!(
                v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9),
                "{who} {k}: se {v} outside [{lo}, {hi}]"
            );
        }
    }
    // The bands' critical values (over the cells, and over the event times) within 10%.
    let n_cells = f.cells.len();
    for (range, level) in [(0..n_cells, "att_gt"), (n_cells + 1..cols.len(), "dynamic")] {
        let b = multiplier_bootstrap(&cols[range], Some(uc), 20_000, 0.05, 22);
        let rc = pick(level)
            .iter()
            .find_map(|r| num(r, "crit_val"))
            .expect("a critical value");
        let c = b.critical_value.max(normal_quantile(0.975));
        assert!(close(c, rc, 0.10), "{level}: crit {c} vs {rc}");
    }
}
