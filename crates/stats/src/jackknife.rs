//! The delete-one-cluster jackknife (CV3: MacKinnon, Nielsen & Webb 2023) and the critical value
//! of a simultaneous band built from it.
//!
//! An estimate refitted without each of the `G` clusters in turn gives replicates `θ₋₁ … θ₋G`;
//! its jackknife variance is `(G-1)/G Σ (θ₋c − θ̄)²`. For several estimates at once (the years of
//! an event study) the same replicates give their joint covariance
//! `V = (G-1)/G Σ_c (θ₋c − θ̄)(θ₋c − θ̄)'`.
//!
//! The band's critical value is the equicoordinate 95% quantile of `max_k |T_k|` for `T`
//! multivariate t with `G − 1` degrees of freedom and the correlation of `V` (Hothorn, Bretz &
//! Westfall 2008; R `mvtnorm::qmvt(tail = "both.tails")`), so with one estimate it is the
//! pointwise t(G − 1) quantile and with several it widens by what their correlation requires.
//! An estimate that only some clusters enter has fewer degrees of freedom ([`degrees_of_freedom`]).
//! It is computed by simulation: `z = Σ_c e_c d_c` with `e_c` standard normal and `d_c` the scaled
//! deviations of cluster `c` has covariance exactly `V` (also when `V` is singular, more estimates
//! than clusters), and `T = z / (se · sqrt(χ²_{G-1} / (G-1)))`.

use crate::rng::Rng;

/// Jackknife standard error from the `G` delete-one-cluster replicates of one estimate; None
/// with fewer than two replicates or no spread.
pub fn se(replicates: &[f64]) -> Option<f64> {
    let g = replicates.len() as f64;
    if replicates.len() < 2 {
        return None;
    }
    let m = replicates.iter().sum::<f64>() / g;
    let v = (g - 1.0) / g * replicates.iter().map(|x| (x - m).powi(2)).sum::<f64>();
    (v > 0.0).then(|| v.sqrt())
}

/// The clusters an estimate depends on: those whose deletion moves it from the full-sample
/// `estimate` (by more than 1e-10 relative). An estimate that only some clusters enter (an
/// event-study year that one start cohort and the comparison schools make) has a jackknife
/// variance with at most that many minus one degrees of freedom, whatever the total count.
pub fn clusters_moved(replicates: &[f64], estimate: f64) -> usize {
    let tol = 1e-10 * (1.0 + estimate.abs());
    replicates
        .iter()
        .filter(|r| (*r - estimate).abs() > tol)
        .count()
}

/// Degrees of freedom of a jackknife t: the clusters the estimate depends on
/// ([`clusters_moved`]) minus one, at least 1.
pub fn degrees_of_freedom(replicates: &[f64], estimate: f64) -> usize {
    clusters_moved(replicates, estimate)
        .saturating_sub(1)
        .max(1)
}

/// Critical value of a simultaneous band at `level` (e.g. 0.95) over estimates whose jackknife
/// replicates are `replicates` (one slice of `G` values per estimate, the same cluster order in
/// each): the `level` quantile of the largest |t| over the estimates under the multivariate t with
/// `df` degrees of freedom (`G − 1`, or fewer when the estimates rest on fewer clusters), from
/// `draws` simulated draws with `seed`. Estimates without spread are left out; None when none is
/// left or the replicate counts differ.
pub fn band_critical_value(
    replicates: &[&[f64]],
    df: usize,
    level: f64,
    draws: usize,
    seed: u64,
) -> Option<f64> {
    let g = replicates.first()?.len();
    if g < 2 || df == 0 || draws == 0 || replicates.iter().any(|r| r.len() != g) {
        return None;
    }
    let scale = ((g as f64 - 1.0) / g as f64).sqrt();
    // Deviations scaled by 1/se, so each row of `z` has unit variance.
    let rows: Vec<Vec<f64>> = replicates
        .iter()
        .filter_map(|r| {
            let s = se(r)?;
            let m = r.iter().sum::<f64>() / g as f64;
            Some(r.iter().map(|x| scale * (x - m) / s).collect())
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut rng = Rng::new(seed);
    let mut e = vec![0.0; g];
    let mut maxima: Vec<f64> = (0..draws)
        .map(|_| {
            e.iter_mut().for_each(|x| *x = rng.normal());
            let chi2: f64 = (0..df).map(|_| rng.normal().powi(2)).sum();
            let w = (chi2 / df as f64).sqrt();
            rows.iter()
                .map(|d| d.iter().zip(&e).map(|(a, b)| a * b).sum::<f64>().abs())
                .fold(0.0, f64::max)
                / w
        })
        .collect();
    maxima.sort_by(f64::total_cmp);
    let i = ((level * draws as f64).ceil() as usize).clamp(1, draws) - 1;
    Some(maxima[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::t_quantile;

    #[test]
    fn jackknife_se_is_the_cv3_formula() {
        // Replicates 1, 2, 3, 6: mean 3, squares 4+1+0+9 = 14, (3/4)·14 = 10.5.
        assert!((se(&[1.0, 2.0, 3.0, 6.0]).unwrap() - 10.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(se(&[2.0, 2.0, 2.0]), None);
        assert_eq!(se(&[2.0]), None);
    }

    #[test]
    fn the_clusters_an_estimate_rests_on_set_its_degrees_of_freedom() {
        // Deleting clusters 3 and 4 leaves the estimate 0.5 as it was: it rests on 3 clusters.
        let r = [0.4, 0.55, 0.62, 0.5, 0.5 + 1e-13];
        assert_eq!(clusters_moved(&r, 0.5), 3);
        assert_eq!(degrees_of_freedom(&r, 0.5), 2);
        assert_eq!(degrees_of_freedom(&[0.5, 0.5], 0.5), 1);
    }

    #[test]
    fn one_estimate_gives_the_pointwise_t_quantile() {
        // Eight clusters: t(7) 97.5% quantile 2.3646.
        let r = [0.3, -0.1, 0.25, 0.0, 0.12, -0.2, 0.05, 0.4];
        let c = band_critical_value(&[&r], 7, 0.95, 200_000, 1).unwrap();
        let t = t_quantile(0.975, 7.0);
        assert!((c - t).abs() < 0.03, "{c} vs {t}");
    }

    #[test]
    fn independent_estimates_widen_and_identical_ones_do_not() {
        let a = [0.3, -0.1, 0.25, 0.0, 0.12, -0.2, 0.05, 0.4];
        let one = band_critical_value(&[&a], 7, 0.95, 50_000, 3).unwrap();
        let twice = band_critical_value(&[&a, &a], 7, 0.95, 50_000, 3).unwrap();
        assert_eq!(one, twice, "the same estimate twice is one estimate");
        let b = [-0.2, 0.3, 0.1, 0.05, -0.3, 0.2, 0.0, 0.1];
        let two = band_critical_value(&[&a, &b], 7, 0.95, 50_000, 3).unwrap();
        assert!(two > one + 0.1, "{two} vs {one}");
        // More estimates than clusters (a singular covariance) still gives a value.
        let many: Vec<Vec<f64>> = (0..12)
            .map(|k| a.iter().map(|x| x * (k as f64 + 1.0).sin()).collect())
            .collect();
        let refs: Vec<&[f64]> = many.iter().map(|v| &v[..]).collect();
        assert!(band_critical_value(&refs, 7, 0.95, 10_000, 3).unwrap() >= one - 0.05);
        assert_eq!(band_critical_value(&[&a[..3], &b], 7, 0.95, 100, 3), None);
        assert_eq!(
            band_critical_value(&[&[1.0, 1.0][..]], 1, 0.95, 100, 3),
            None
        );
    }
}

/// Agreement with R `mvtnorm::qmvt` (`tests/reference/jackknife/`, script there).
#[cfg(test)]
mod reference_tests {
    use super::*;
    use std::collections::BTreeMap;

    const REPLICATES: &str = include_str!("../../../tests/reference/jackknife/replicates.csv");
    const QMVT: &str = include_str!("../../../tests/reference/jackknife/qmvt.csv");

    #[test]
    fn band_critical_value_agrees_with_qmvt() {
        // case -> estimate -> replicates in cluster order.
        let mut reps: BTreeMap<u32, BTreeMap<u32, Vec<f64>>> = BTreeMap::new();
        for line in REPLICATES.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let v = reps
                .entry(f[0].parse().unwrap())
                .or_default()
                .entry(f[1].parse().unwrap())
                .or_default();
            assert_eq!(v.len() + 1, f[2].parse::<usize>().unwrap(), "cluster order");
            v.push(f[3].parse().unwrap());
        }
        let mut cases = 0;
        for line in QMVT.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let case: u32 = f[0].parse().unwrap();
            let expected: f64 = f[3].parse().unwrap();
            let rows: Vec<&[f64]> = reps[&case].values().map(|v| &v[..]).collect();
            assert_eq!(rows.len(), f[2].parse::<usize>().unwrap());
            assert_eq!(rows[0].len(), f[1].parse::<usize>().unwrap());
            let g = rows[0].len();
            let got = band_critical_value(&rows, g - 1, 0.95, 200_000, 2025).unwrap();
            assert!(
                (got - expected).abs() < 0.02,
                "case {case}: {got} vs qmvt {expected}"
            );
            cases += 1;
        }
        assert_eq!(cases, 6);
    }
}
