//! Ordinary least squares with one absorbed fixed effect and cluster-robust (CR1) standard errors.
//!
//! The fixed effect is absorbed by the within transformation (demeaning y and every regressor
//! by group), which gives the same slope coefficients as including one dummy per group. The CR1
//! variance is Stata's `regress ..., cluster()`:
//! `V = c (X'X)^-1 (sum_g X_g' u_g u_g' X_g) (X'X)^-1`, `c = G/(G-1) * (N-1)/(N-K)`, with K
//! counting the absorbed dummies (as `areg` / `regress` with dummies do).

use crate::linalg::{Matrix, cholesky_inverse};
use crate::{Error, Result};

/// A fitted model.
#[derive(Debug, Clone)]
pub struct OlsFit {
    /// Coefficients: the intercept first when no fixed effect is absorbed, then one per regressor.
    pub coef: Vec<f64>,
    /// CR1 standard errors.
    pub se: Vec<f64>,
    /// Observations.
    pub n: usize,
    /// Parameters including absorbed dummies (and the intercept when none are absorbed).
    pub k: usize,
    /// Number of clusters.
    pub clusters: usize,
    /// Residuals.
    pub residuals: Vec<f64>,
    /// The fitted design, kept for few-cluster inference ([`crate::few_clusters`],
    /// [`crate::wild`]).
    pub(crate) design: Design,
}

/// What a fit keeps of its design: the regressors after the within transformation (with the
/// intercept first when no fixed effect is absorbed), the outcome likewise, `(X'X)^-1`, the
/// fixed-effect groups and the clusters, all as dense ids.
#[derive(Debug, Clone)]
pub(crate) struct Design {
    /// Regressors (demeaned by fixed-effect group), one vector per column.
    pub cols: Vec<Vec<f64>>,
    /// Outcome (demeaned likewise).
    pub y: Vec<f64>,
    /// `(X'X)^-1` of the demeaned regressors.
    pub inv: Matrix,
    /// Dense fixed-effect group of each observation and the size of each group; None when an
    /// intercept was fitted instead.
    pub fe: Option<(Vec<u32>, Vec<usize>)>,
    /// The observations of each cluster.
    pub members: Vec<Vec<usize>>,
    /// Stata's CR1 small-sample factor `G/(G-1) * (N-1)/(N-K)`.
    pub cr1_factor: f64,
}

fn demean(v: &mut [f64], groups: &[u32], n_groups: usize) {
    let mut sum = vec![0.0; n_groups];
    let mut cnt = vec![0usize; n_groups];
    for (x, &g) in v.iter().zip(groups) {
        sum[g as usize] += x;
        cnt[g as usize] += 1;
    }
    for (x, &g) in v.iter_mut().zip(groups) {
        *x -= sum[g as usize] / cnt[g as usize] as f64;
    }
}

fn dense_ids(ids: &[u32]) -> (Vec<u32>, usize) {
    let mut map = std::collections::HashMap::new();
    let dense: Vec<u32> = ids
        .iter()
        .map(|id| {
            let next = map.len() as u32;
            *map.entry(*id).or_insert(next)
        })
        .collect();
    let n = map.len();
    (dense, n)
}

/// Fits `y ~ x (+ intercept or absorbed fixed effect)` with standard errors clustered by
/// `cluster`. `x` holds one vector per regressor.
pub fn ols_cluster(
    y: &[f64],
    x: &[Vec<f64>],
    fixed_effect: Option<&[u32]>,
    cluster: &[u32],
) -> Result<OlsFit> {
    fit(y, x, fixed_effect, true, cluster)
}

/// Fits `y ~ x` through the origin (no intercept, no fixed effect), clustered by `cluster`:
/// weighted least squares after multiplying `y` and every regressor by the square root of the
/// weights, whose constant column is then `sqrt(w)`.
pub fn ols_cluster_through_origin(y: &[f64], x: &[Vec<f64>], cluster: &[u32]) -> Result<OlsFit> {
    fit(y, x, None, false, cluster)
}

fn fit(
    y: &[f64],
    x: &[Vec<f64>],
    fixed_effect: Option<&[u32]>,
    intercept: bool,
    cluster: &[u32],
) -> Result<OlsFit> {
    let n = y.len();
    if x.iter().any(|c| c.len() != n)
        || cluster.len() != n
        || fixed_effect.is_some_and(|f| f.len() != n)
    {
        return Err(Error::Input(
            "all inputs must have one value per observation".into(),
        ));
    }
    if y.iter().chain(x.iter().flatten()).any(|v| !v.is_finite()) {
        return Err(Error::Input("inputs contain NaN or infinite values".into()));
    }
    let mut cols: Vec<Vec<f64>> = x.to_vec();
    let mut yy = y.to_vec();
    let fe_groups = match fixed_effect {
        Some(fe) => {
            let (fe, g) = dense_ids(fe);
            demean(&mut yy, &fe, g);
            for c in &mut cols {
                demean(c, &fe, g);
            }
            let mut sizes = vec![0usize; g];
            for &f in &fe {
                sizes[f as usize] += 1;
            }
            Some((fe, sizes))
        }
        None => {
            if intercept {
                cols.insert(0, vec![1.0; n]);
            }
            None
        }
    };
    if cols.is_empty() {
        return Err(Error::Input("the model has no regressor".into()));
    }
    let absorbed = fe_groups.as_ref().map_or(0, |(_, sizes)| sizes.len());
    let p = cols.len();
    let k = p + absorbed;
    if n <= k {
        return Err(Error::Input(format!(
            "{n} observations are too few for {k} parameters"
        )));
    }
    let mut xtx = Matrix::zeros(p);
    let mut xty = vec![0.0; p];
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = cols[i].iter().zip(&cols[j]).map(|(a, b)| a * b).sum();
            xtx.set(i, j, s);
            xtx.set(j, i, s);
        }
        xty[i] = cols[i].iter().zip(&yy).map(|(a, b)| a * b).sum();
    }
    let inv = cholesky_inverse(&xtx).ok_or_else(|| {
        Error::Singular("the regressors are collinear (or a regressor is constant within every fixed-effect group)".into())
    })?;
    let coef: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|j| inv.get(i, j) * xty[j]).sum())
        .collect();
    let residuals: Vec<f64> = (0..n)
        .map(|r| yy[r] - (0..p).map(|j| cols[j][r] * coef[j]).sum::<f64>())
        .collect();
    // Meat: sum over clusters of (X_g' u_g)(X_g' u_g)'.
    let (cl, g) = dense_ids(cluster);
    if g < 2 {
        return Err(Error::Input(
            "cluster-robust standard errors need at least 2 clusters".into(),
        ));
    }
    let mut scores = vec![vec![0.0; p]; g];
    for r in 0..n {
        for j in 0..p {
            scores[cl[r] as usize][j] += cols[j][r] * residuals[r];
        }
    }
    let mut meat = Matrix::zeros(p);
    for s in &scores {
        for i in 0..p {
            for j in 0..p {
                meat.set(i, j, meat.get(i, j) + s[i] * s[j]);
            }
        }
    }
    let c = (g as f64 / (g as f64 - 1.0)) * ((n as f64 - 1.0) / (n as f64 - k as f64));
    let v = inv.mul(&meat).mul(&inv);
    let se = (0..p).map(|i| (c * v.get(i, i)).max(0.0).sqrt()).collect();
    let mut members = vec![Vec::new(); g];
    for (r, &c) in cl.iter().enumerate() {
        members[c as usize].push(r);
    }
    Ok(OlsFit {
        coef,
        se,
        n,
        k,
        clusters: g,
        residuals,
        design: Design {
            cols,
            y: yy,
            inv,
            fe: fe_groups,
            members,
            cr1_factor: c,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (y, d, z, fixed effect, cluster).
    type Data = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<u32>, Vec<u32>);

    /// A deterministic data set (LCG), shared with tests/reference/ols_cluster.py.
    fn reference_data() -> Data {
        let mut state: u64 = 12345;
        let mut u = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let (mut y, mut d, mut z, mut fe, mut cl) = (vec![], vec![], vec![], vec![], vec![]);
        for i in 0..60u32 {
            let c = i % 8;
            let f = i % 3;
            let di = if c % 2 == 0 { 1.0 } else { 0.0 };
            let zi = u() * 2.0 - 1.0;
            let yi = 0.5 * di + 0.8 * zi + f as f64 * 0.3 + (u() - 0.5) + c as f64 * 0.05;
            y.push(yi);
            d.push(di);
            z.push(zi);
            fe.push(f);
            cl.push(c);
        }
        (y, d, z, fe, cl)
    }

    #[test]
    fn exact_fit_recovers_coefficients() {
        let x1: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let x2: Vec<f64> = (0..20).map(|i| ((i * 7) % 5) as f64).collect();
        let y: Vec<f64> = x1
            .iter()
            .zip(&x2)
            .map(|(a, b)| 1.0 + 2.0 * a - 3.0 * b)
            .collect();
        let cl: Vec<u32> = (0..20).map(|i| i % 4).collect();
        let fit = ols_cluster(&y, &[x1, x2], None, &cl).unwrap();
        assert!(
            (fit.coef[0] - 1.0).abs() < 1e-9
                && (fit.coef[1] - 2.0).abs() < 1e-9
                && (fit.coef[2] + 3.0).abs() < 1e-9
        );
        assert!(fit.se.iter().all(|s| *s < 1e-6));
    }

    #[test]
    fn absorbed_fixed_effect_equals_dummies() {
        let (y, d, z, fe, cl) = reference_data();
        let absorbed = ols_cluster(&y, &[d.clone(), z.clone()], Some(&fe), &cl).unwrap();
        let dummies: Vec<Vec<f64>> = (1..3)
            .map(|g| fe.iter().map(|&f| (f == g) as u32 as f64).collect())
            .collect();
        let full = ols_cluster(
            &y,
            &[d, z, dummies[0].clone(), dummies[1].clone()],
            None,
            &cl,
        )
        .unwrap();
        assert!((absorbed.coef[0] - full.coef[1]).abs() < 1e-10);
        assert!((absorbed.coef[1] - full.coef[2]).abs() < 1e-10);
        assert_eq!(absorbed.k, full.k);
        assert!(
            (absorbed.se[0] - full.se[1]).abs() < 1e-10,
            "{} {}",
            absorbed.se[0],
            full.se[1]
        );
    }

    /// Agreement with Python statsmodels 0.14 (tests/reference/ols_cluster.py):
    /// `smf.ols("y ~ d + z + C(fe)").fit(cov_type="cluster", cov_kwds={"groups": cl})`.
    #[test]
    fn agrees_with_statsmodels_cluster_cr1() {
        let (y, d, z, fe, cl) = reference_data();
        let fit = ols_cluster(&y, &[d, z], Some(&fe), &cl).unwrap();
        let expected_coef = include!("../../../tests/reference/ols_cluster_expected.txt");
        for i in 0..2 {
            assert!(
                (fit.coef[i] - expected_coef[i]).abs() < 1e-8,
                "coef {i}: {} vs {}",
                fit.coef[i],
                expected_coef[i]
            );
            assert!(
                (fit.se[i] - expected_coef[2 + i]).abs() < 1e-8,
                "se {i}: {} vs {}",
                fit.se[i],
                expected_coef[2 + i]
            );
        }
    }

    #[test]
    fn collinear_and_bad_inputs_are_errors() {
        let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let cl: Vec<u32> = (0..10).map(|i| i % 2).collect();
        assert!(
            ols_cluster(
                &x,
                &[x.clone(), x.iter().map(|v| 2.0 * v).collect()],
                None,
                &cl
            )
            .is_err()
        );
        assert!(ols_cluster(&x, &[vec![1.0; 3]], None, &cl).is_err());
        assert!(ols_cluster(&x, std::slice::from_ref(&x), None, &[0; 10]).is_err());
        let mut nan = x.clone();
        nan[3] = f64::NAN;
        assert!(ols_cluster(&nan, std::slice::from_ref(&x), None, &cl).is_err());
    }
}
