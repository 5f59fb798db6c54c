//! Student growth percentiles (Betebenner 2009) as the R package SGP (2.2) computes them, for one
//! cohort (content area x grade x year, one order).
//!
//! The current score is regressed on a cubic B-spline basis of each prior score at the 100
//! quantiles `tau = (1..100 - 0.5) / 100`; each pupil's 100 predicted quantiles are rounded to 5
//! decimals and the SGP is the number of them strictly below the observed score, with 0 raised to
//! 1 and 100 lowered to 99. (The package also sorts each pupil's predictions to undo quantile
//! crossing; a count of values below a threshold does not depend on their order, so sorting is not
//! needed for the percentile.) Method and its source: `../shared/data/sgp/README.md`,
//! `docs/indicators.md`.

use crate::bspline::BSpline;
use crate::interior::rq_fn_taus;
use crate::quantreg::{Design, rq_taus};
use crate::{Error, Result};

/// The quantiles of an SGP fit: 0.005, 0.015, ..., 0.995.
pub fn taus() -> Vec<f64> {
    (1..=100).map(|k| (k as f64 - 0.5) / 100.0).collect()
}

/// One prior score column of a cohort and the basis it enters through.
#[derive(Debug, Clone, Copy)]
pub struct Prior<'a> {
    /// The prior scores, one per pupil of the cohort.
    pub scores: &'a [f64],
    /// The B-spline basis of that prior's content area and grade.
    pub basis: &'a BSpline,
}

/// The quantile-regression method of a fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solver {
    /// Exact simplex ([`crate::quantreg`]), as `rq(method = "br")` that the SGP package uses.
    Simplex,
    /// Frisch-Newton interior point ([`crate::interior`]), as `rq(method = "fn")`.
    InteriorPoint,
}

/// The fit of one cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortFit {
    /// Coefficients per quantile: `coef[q][j]`, `j = 0` the intercept, then the basis columns of
    /// each prior in the order given (oldest prior first, as the SGP package orders them).
    pub coef: Vec<Vec<f64>>,
    /// The growth percentile of each pupil, 1..=99.
    pub sgp: Vec<u8>,
    /// Simplex pivots or interior-point iterations over all 100 fits (a cost measure).
    pub pivots: usize,
}

/// Rounds to 5 decimals as the SGP package does before counting.
pub fn round5(v: f64) -> f64 {
    (v * 1e5).round() / 1e5
}

/// Fits the cohort's 100 quantile regressions and returns each pupil's growth percentile.
pub fn growth_percentiles(
    current: &[f64],
    priors: &[Prior<'_>],
    solver: Solver,
) -> Result<CohortFit> {
    let n = current.len();
    if priors.is_empty() {
        return Err(Error::Input(
            "a growth percentile needs a prior score".into(),
        ));
    }
    if let Some(bad) = priors.iter().find(|pr| pr.scores.len() != n) {
        return Err(Error::Input(format!(
            "prior has {} scores for {n} pupils",
            bad.scores.len()
        )));
    }
    let p = 1 + priors.iter().map(|pr| pr.basis.columns()).sum::<usize>();
    let mut x = Vec::with_capacity(n * p);
    let mut row = Vec::new();
    for i in 0..n {
        x.push(1.0);
        for pr in priors {
            row.resize(pr.basis.columns(), 0.0);
            pr.basis.eval_into(pr.scores[i], &mut row);
            x.extend_from_slice(&row);
        }
    }
    let design = Design::new(n, p, x)?;
    let (coef, pivots): (Vec<Vec<f64>>, usize) = match solver {
        Solver::Simplex => {
            let fits = rq_taus(&design, current, &taus())?;
            let cost = fits.iter().map(|f| f.pivots).sum();
            (fits.into_iter().map(|f| f.coef).collect(), cost)
        }
        Solver::InteriorPoint => {
            let fits = rq_fn_taus(&design, current, &taus())?;
            let cost = fits.iter().map(|f| f.iterations).sum();
            (fits.into_iter().map(|f| f.coef).collect(), cost)
        }
    };
    let mut sgp = Vec::with_capacity(n);
    for (i, &y) in current.iter().enumerate() {
        let xi = design.row(i);
        let below = coef
            .iter()
            .filter(|c| round5(xi.iter().zip(*c).map(|(a, b)| a * b).sum()) < y)
            .count();
        sgp.push(below.clamp(1, 99) as u8);
    }
    Ok(CohortFit { coef, sgp, pivots })
}

/// Knots and boundaries by the SGP package's rule when none are given: knots at the 0.2, 0.4,
/// 0.6 and 0.8 quantiles of the scores (R's default type-7 quantile), boundaries at the score
/// range extended by 10% of its width on each side.
pub fn derived_knots(scores: &[f64]) -> Result<(Vec<f64>, (f64, f64))> {
    let mut s: Vec<f64> = scores.iter().copied().filter(|v| v.is_finite()).collect();
    if s.len() < 2 {
        return Err(Error::Input(
            "at least two scores are needed to derive knots".into(),
        ));
    }
    s.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (s.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(s.len() - 1);
        s[lo] + (h - lo as f64) * (s[hi] - s[lo])
    };
    let (min, max) = (s[0], s[s.len() - 1]);
    let pad = 0.1 * (max - min);
    Ok((vec![q(0.2), q(0.4), q(0.6), q(0.8)], (min - pad, max + pad)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taus_are_the_package_grid() {
        let t = taus();
        assert_eq!(t.len(), 100);
        assert!((t[0] - 0.005).abs() < 1e-15 && (t[99] - 0.995).abs() < 1e-15);
    }

    #[test]
    fn rounding_to_five_decimals() {
        assert_eq!(round5(512.000_000_000_3), 512.0);
        assert_eq!(round5(511.999_999_999_7), 512.0);
        assert_eq!(round5(1.234_564), 1.23456);
    }

    /// A planted cohort: the current score is the prior plus a pupil-specific growth drawn from a
    /// known distribution independent of the prior, so a pupil whose growth sits at the k-th
    /// percentile of that distribution must get an SGP near k.
    #[test]
    fn recovers_planted_growth_percentiles() {
        let n = 2000;
        let mut prior = Vec::with_capacity(n);
        let mut current = Vec::with_capacity(n);
        let mut planted = Vec::with_capacity(n);
        for i in 0..n {
            let p = 300.0 + ((i * 7919) % 401) as f64; // priors spread over 300..700
            // growth uniform on [0, 100) by a low-discrepancy sequence; percentile = growth.
            let u = ((i as f64) * 0.618_033_988_749_894_9).fract();
            prior.push(p);
            current.push(p + 100.0 * u);
            planted.push(100.0 * u);
        }
        let basis = BSpline::new(&[400.0, 480.0, 560.0, 640.0], (250.0, 750.0)).unwrap();
        for solver in [Solver::Simplex, Solver::InteriorPoint] {
            let fit = growth_percentiles(
                &current,
                &[Prior {
                    scores: &prior,
                    basis: &basis,
                }],
                solver,
            )
            .unwrap();
            assert_eq!(fit.coef.len(), 100);
            assert_eq!(fit.coef[0].len(), 8);
            let mean_abs: f64 = fit
                .sgp
                .iter()
                .zip(&planted)
                .map(|(s, p)| (*s as f64 - p).abs())
                .sum::<f64>()
                / n as f64;
            assert!(
                mean_abs < 2.0,
                "{solver:?}: mean |SGP - planted percentile| = {mean_abs}"
            );
            assert!(fit.sgp.iter().all(|&s| (1..=99).contains(&s)));
        }
    }

    #[test]
    fn knots_by_the_package_rule() {
        let scores: Vec<f64> = (0..=100).map(|v| v as f64).collect();
        let (k, b) = derived_knots(&scores).unwrap();
        assert_eq!(k, vec![20.0, 40.0, 60.0, 80.0]);
        assert_eq!(b, (-10.0, 110.0));
        assert!(derived_knots(&[1.0]).is_err());
    }

    #[test]
    fn mismatched_priors_are_errors() {
        let basis = BSpline::new(&[1.0], (0.0, 2.0)).unwrap();
        let r = growth_percentiles(
            &[1.0, 2.0],
            &[Prior {
                scores: &[1.0],
                basis: &basis,
            }],
            Solver::Simplex,
        );
        assert!(r.is_err());
        assert!(growth_percentiles(&[1.0], &[], Solver::InteriorPoint).is_err());
    }
}
