//! Sensitivity to unobserved confounding: how strong a confounder that was not measured would have
//! to be to explain an estimated effect away.
//!
//! - Cinelli & Hazlett (2020), as R `sensemakr` 0.1.6 computes it: the partial R² of the treatment
//!   with the outcome, the robustness value RV_q (the share of the residual variance of both the
//!   treatment and the outcome a confounder must explain to reduce the estimate by 100q%) and
//!   RV_{q,α} (to make it no longer significant at α), and bounds from a benchmark covariate ("a
//!   confounder k times as strong as the baseline score"): the adjusted estimate, standard error
//!   and interval.
//! - The E-value of VanderWeele & Ding (2017) for a standardised mean difference, as R `EValue`
//!   4.1 (`evalues.OLS`): the risk ratio an unmeasured confounder would need with both treatment
//!   and outcome, via the approximation RR = exp(0.91 d).
//!
//! Reference values: `tests/reference/sensitivity/` (made with R, script there).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Partial R² of the treatment with the outcome, from its t statistic: t² / (t² + dof).
pub fn partial_r2(t: f64, dof: f64) -> f64 {
    t * t / (t * t + dof)
}

/// Cohen's f² of the treatment: t² / dof.
pub fn partial_f2(t: f64, dof: f64) -> f64 {
    t * t / dof
}

fn t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| d.inverse_cdf(p))
}

/// The robustness value (sensemakr's `robustness_value`): the partial R² a confounder must have
/// with both treatment and outcome to reduce the estimate by `100 q`% (`alpha = 1`) or to make
/// the reduced estimate not significant at `alpha` (0 when it is not significant already).
pub fn robustness_value(t: f64, dof: f64, q: f64, alpha: f64) -> f64 {
    let fq = q * (t / dof.sqrt()).abs();
    let f_crit = if alpha >= 1.0 {
        0.0
    } else {
        t_quantile(alpha / 2.0, dof - 1.0).abs() / (dof - 1.0).sqrt()
    };
    let fqa = fq - f_crit;
    if fqa < 0.0 {
        return 0.0;
    }
    // The "extreme" robustness value applies when the confounder would need to explain all of
    // the outcome's residual variance.
    if fqa > 0.0 && f_crit > 0.0 && fq > 1.0 / f_crit {
        return (fq * fq - f_crit * f_crit) / (1.0 + fq * fq);
    }
    2.0 / (1.0 + (1.0 + 4.0 / (fqa * fqa)).sqrt())
}

/// What a confounder `kd` times as strong as a benchmark covariate with the treatment and `ky`
/// times with the outcome implies (sensemakr's `ovb_partial_r2_bound`): its partial R² with the
/// treatment and with the outcome (capped at 1), from the benchmark's partial R² with the
/// treatment (`r2dxj_x`) and with the outcome (`r2yxj_dx`). None where the bound is impossible.
pub fn partial_r2_bound(r2dxj_x: f64, r2yxj_dx: f64, kd: f64, ky: f64) -> Option<(f64, f64)> {
    let r2dz_x = kd * (r2dxj_x / (1.0 - r2dxj_x));
    if r2dz_x >= 1.0 {
        return None;
    }
    let r2zxj_xd = kd * r2dxj_x * r2dxj_x / ((1.0 - kd * r2dxj_x) * (1.0 - r2dxj_x));
    if r2zxj_xd >= 1.0 {
        return None;
    }
    let r2yz_dx = ((ky.sqrt() + r2zxj_xd.sqrt()) / (1.0 - r2zxj_xd).sqrt()).powi(2)
        * (r2yxj_dx / (1.0 - r2yxj_dx));
    Some((r2dz_x, r2yz_dx.min(1.0)))
}

/// An estimate adjusted for a confounder of the given partial R²s (sensemakr's `adjusted_*`
/// with `reduce = TRUE`, the interval as `sensemakr()` builds it: t on `dof`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adjusted {
    /// Adjusted estimate (moved toward 0 by the bias).
    pub estimate: f64,
    /// Adjusted standard error.
    pub se: f64,
    /// Adjusted t statistic (against 0).
    pub t: f64,
    /// Adjusted 1 - alpha interval.
    pub ci: (f64, f64),
}

/// The estimate and interval a confounder with partial R² `r2dz_x` (treatment) and `r2yz_dx`
/// (outcome) would leave.
pub fn adjusted(
    estimate: f64,
    se: f64,
    dof: f64,
    r2dz_x: f64,
    r2yz_dx: f64,
    alpha: f64,
) -> Adjusted {
    let bias = (r2yz_dx * r2dz_x / (1.0 - r2dz_x)).sqrt() * se * dof.sqrt();
    let est = estimate.signum() * (estimate.abs() - bias);
    let se_adj = (1.0 - r2yz_dx).sqrt() / (1.0 - r2dz_x).sqrt() * se * (dof / (dof - 1.0)).sqrt();
    let crit = t_quantile(1.0 - alpha / 2.0, dof);
    Adjusted {
        estimate: est,
        se: se_adj,
        t: est / se_adj,
        ci: (est - crit * se_adj, est + crit * se_adj),
    }
}

/// E-values of a mean difference `est` (standard error `se`) on an outcome with SD `sd`
/// (`EValue::evalues.OLS(est, se, sd, delta = 1, true = 0)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EValue {
    /// Approximate risk ratio exp(0.91 d), d = est / sd.
    pub rr: f64,
    /// Its interval, exp(0.91 d ∓ 1.78 se / sd) (EValue's constant 1.78).
    pub rr_ci: (f64, f64),
    /// E-value of the estimate.
    pub point: f64,
    /// E-value of the interval limit nearer to 1 (1 when the interval contains 1).
    pub ci: f64,
}

/// VanderWeele & Ding's threshold for a risk ratio against the null 1.
fn threshold(rr: f64) -> f64 {
    let x = if rr <= 1.0 { 1.0 / rr } else { rr };
    x + (x * (x - 1.0)).sqrt()
}

/// The E-values of an OLS mean difference (see [`EValue`]).
pub fn e_value_ols(est: f64, se: f64, sd: f64) -> EValue {
    let (d, s) = (est / sd, se / sd);
    let rr = (0.91 * d).exp();
    let (lo, hi) = ((0.91 * d - 1.78 * s).exp(), (0.91 * d + 1.78 * s).exp());
    let near = if rr >= 1.0 { lo } else { hi };
    let contains_null = lo <= 1.0 && hi >= 1.0;
    EValue {
        rr,
        rr_ci: (lo, hi),
        point: threshold(rr),
        ci: if contains_null { 1.0 } else { threshold(near) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const SENSEMAKR: &str = include_str!("../../../tests/reference/sensitivity/sensemakr.csv");
    const GRID: &str = include_str!("../../../tests/reference/sensitivity/rv_grid.csv");
    const EVALUE: &str = include_str!("../../../tests/reference/sensitivity/evalue.csv");

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    fn table(text: &str) -> Vec<BTreeMap<&str, f64>> {
        let mut lines = text.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        lines
            .map(|l| {
                head.iter()
                    .zip(l.split(','))
                    .map(|(h, v)| {
                        (
                            *h,
                            if v.is_empty() {
                                f64::NAN
                            } else {
                                v.parse().unwrap()
                            },
                        )
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn robustness_values_equal_sensemakr_over_a_grid() {
        let rows = table(GRID);
        assert!(rows.len() >= 50);
        for r in rows {
            let (t, dof, q, alpha) = (r["t"], r["dof"], r["q"], r["alpha"]);
            assert!(close(partial_r2(t, dof), r["partial_r2"], 1e-12));
            // sensemakr's RV_q is the robustness value at alpha = 1.
            assert!(
                close(robustness_value(t, dof, q, 1.0), r["rv_q"], 1e-12),
                "{r:?}"
            );
            assert!(
                close(robustness_value(t, dof, q, alpha), r["rv_qa"], 1e-9),
                "{r:?}"
            );
        }
    }

    #[test]
    fn a_regression_and_its_bounds_equal_sensemakr() {
        let v: BTreeMap<&str, f64> = SENSEMAKR
            .lines()
            .skip(1)
            .map(|l| {
                let (k, x) = l.split_once(',').unwrap();
                (k, x.parse().unwrap())
            })
            .collect();
        let (est, se, t, dof) = (v["estimate"], v["se"], v["t"], v["dof"]);
        assert!(close(est / se, t, 1e-12));
        assert!(close(partial_r2(t, dof), v["partial_r2_yd_x"], 1e-12));
        assert!(close(partial_f2(t, dof), v["f2yd_x"], 1e-12));
        assert!(close(robustness_value(t, dof, 1.0, 1.0), v["rv_q"], 1e-12));
        assert!(close(robustness_value(t, dof, 1.0, 0.05), v["rv_qa"], 1e-9));
        let check = |prefix: &str, r2dz: f64, r2yz: f64| {
            let a = adjusted(est, se, dof, r2dz, r2yz, 0.05);
            assert!(
                close(
                    a.estimate,
                    v[format!("{prefix}_adjusted_estimate").as_str()],
                    1e-12
                ),
                "{prefix}"
            );
            assert!(
                close(a.se, v[format!("{prefix}_adjusted_se").as_str()], 1e-12),
                "{prefix}"
            );
            let lo = v[format!("{prefix}_adjusted_lower_ci").as_str()];
            let hi = v[format!("{prefix}_adjusted_upper_ci").as_str()];
            assert!(
                close(a.ci.0, lo, 1e-9) && close(a.ci.1, hi, 1e-9),
                "{prefix}: {a:?}"
            );
            if a.se > 0.0 {
                assert!(
                    close(a.t, v[format!("{prefix}_adjusted_t").as_str()], 1e-9),
                    "{prefix}"
                );
            }
        };
        check("manual", v["manual_r2dz_x"], v["manual_r2yz_dx"]);
        for k in 1..=3 {
            let kf = k as f64;
            // kd = ky = k: the bound hits the cap (the baseline explains most of the outcome).
            let (r2dz, r2yz) = partial_r2_bound(v["r2dxj_x"], v["r2yxj_dx"], kf, kf).unwrap();
            assert!(close(r2dz, v[format!("bound_{k}_r2dz_x").as_str()], 1e-12));
            assert_eq!(r2yz, v[format!("bound_{k}_r2yz_dx").as_str()]);
            check(&format!("bound_{k}"), r2dz, r2yz);
            // kd = k, ky = k / 10: not capped.
            let (r2dz, r2yz) =
                partial_r2_bound(v["r2dxj_x"], v["r2yxj_dx"], kf, kf / 10.0).unwrap();
            assert!(close(r2yz, v[format!("lowky_{k}_r2yz_dx").as_str()], 1e-12));
            check(&format!("lowky_{k}"), r2dz, r2yz);
        }
    }

    #[test]
    fn e_values_equal_the_evalue_package() {
        for r in table(EVALUE) {
            let e = e_value_ols(r["est"], r["se"], r["sd"]);
            assert!(close(e.rr, r["rr_point"], 1e-12), "{r:?}");
            assert!(
                close(e.rr_ci.0, r["rr_lower"], 1e-12) && close(e.rr_ci.1, r["rr_upper"], 1e-12)
            );
            assert!(close(e.point, r["evalue_point"], 1e-12), "{r:?}");
            let ci = if r["evalue_lower"].is_nan() {
                r["evalue_upper"]
            } else {
                r["evalue_lower"]
            };
            assert!(close(e.ci, ci, 1e-12), "{r:?}: {e:?}");
        }
    }
}
