//! Reliability of a composite from the correlations of its components: standardised Cronbach's
//! alpha and McDonald's omega (total) from a one-factor model fitted by iterated principal axis
//! factoring, as R `psych::alpha` (`std.alpha`) and `psych::fa(r, 1, fm = "pa")`.

use crate::linalg::{Matrix, cholesky_inverse, symmetric_eigen};

/// Pearson correlations of the columns, each pair over the rows where both are present
/// (pairwise deletion, as R `cor(use = "pairwise.complete.obs")`). A pair with fewer than three
/// common rows, or with a constant column, gets `None`.
pub fn pairwise_correlations(cols: &[Vec<Option<f64>>]) -> Vec<Vec<Option<f64>>> {
    let k = cols.len();
    let mut r = vec![vec![None; k]; k];
    for i in 0..k {
        for j in i..k {
            let pairs: Vec<(f64, f64)> = cols[i]
                .iter()
                .zip(&cols[j])
                .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
                .collect();
            let v = correlation(&pairs);
            r[i][j] = v;
            r[j][i] = v;
        }
    }
    r
}

fn correlation(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Standardised Cronbach's alpha, k r̄ / (1 + (k - 1) r̄) with r̄ the mean off-diagonal
/// correlation; `None` for fewer than two components.
pub fn standardised_alpha(r: &Matrix) -> Option<f64> {
    let k = r.n();
    if k < 2 {
        return None;
    }
    let mut sum = 0.0;
    for i in 0..k {
        for j in 0..k {
            if i != j {
                sum += r.get(i, j);
            }
        }
    }
    let kf = k as f64;
    let rbar = sum / (kf * (kf - 1.0));
    Some(kf * rbar / (1.0 + (kf - 1.0) * rbar))
}

/// A one-factor model of a correlation matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct OneFactor {
    /// Loadings, the sign chosen so that their sum is positive.
    pub loadings: Vec<f64>,
    /// McDonald's omega total: (Σλ)² / ((Σλ)² + Σ(1 - λ²)).
    pub omega: f64,
    /// Iterations used.
    pub iterations: usize,
}

/// One factor by iterated principal axis factoring: communalities start at the squared multiple
/// correlations (the largest absolute correlation of each row when the matrix is singular), and
/// the first eigenvector of the reduced matrix is refitted until no communality moves by more
/// than 1e-12. `None` for fewer than three components (a single factor is not identified).
pub fn one_factor(r: &Matrix) -> Option<OneFactor> {
    let k = r.n();
    if k < 3 {
        return None;
    }
    let mut h: Vec<f64> = match cholesky_inverse(r) {
        Some(inv) => (0..k).map(|i| 1.0 - 1.0 / inv.get(i, i)).collect(),
        None => (0..k)
            .map(|i| {
                (0..k)
                    .filter(|&j| j != i)
                    .map(|j| r.get(i, j).abs())
                    .fold(0.0, f64::max)
            })
            .collect(),
    };
    let mut loadings = vec![0.0; k];
    let mut iterations = 0;
    for it in 1..=10_000 {
        iterations = it;
        let mut reduced = r.clone();
        for (i, hi) in h.iter().enumerate() {
            reduced.set(i, i, *hi);
        }
        let (values, vectors) = symmetric_eigen(&reduced);
        let top = (0..k).max_by(|&a, &b| values[a].total_cmp(&values[b]))?;
        let lambda = values[top].max(0.0).sqrt();
        for (i, l) in loadings.iter_mut().enumerate() {
            *l = vectors.get(i, top) * lambda;
        }
        let change = loadings
            .iter()
            .zip(&h)
            .map(|(l, hi)| (l * l - hi).abs())
            .fold(0.0, f64::max);
        h = loadings.iter().map(|l| l * l).collect();
        if change < 1e-12 {
            break;
        }
    }
    if loadings.iter().sum::<f64>() < 0.0 {
        loadings.iter_mut().for_each(|l| *l = -*l);
    }
    let common = loadings.iter().sum::<f64>().powi(2);
    let unique: f64 = loadings.iter().map(|l| 1.0 - l * l).sum();
    Some(OneFactor {
        omega: common / (common + unique),
        loadings,
        iterations,
    })
}

/// A correlation matrix from rows of `Some` values (`None` if any is missing).
pub fn matrix(r: &[Vec<Option<f64>>]) -> Option<Matrix> {
    let k = r.len();
    let mut m = Matrix::zeros(k);
    for (i, row) in r.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            m.set(i, j, if i == j { 1.0 } else { (*v)? });
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Matrix {
        let r: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|row| row.iter().map(|v| Some(*v)).collect())
            .collect();
        matrix(&r).unwrap()
    }

    #[test]
    fn alpha_of_equal_correlations() {
        // k = 4, r = 0.3: alpha = 1.2 / 1.9.
        let r = m(&[
            &[1.0, 0.3, 0.3, 0.3],
            &[0.3, 1.0, 0.3, 0.3],
            &[0.3, 0.3, 1.0, 0.3],
            &[0.3, 0.3, 0.3, 1.0],
        ]);
        assert!((standardised_alpha(&r).unwrap() - 1.2 / 1.9).abs() < 1e-12);
    }

    #[test]
    fn one_factor_recovers_planted_loadings() {
        // r_ij = l_i l_j exactly: PAF converges to the planted loadings.
        let l = [0.8, 0.6, 0.5, 0.3];
        let mut rows = vec![vec![Some(1.0); 4]; 4];
        for i in 0..4 {
            for j in 0..4 {
                if i != j {
                    rows[i][j] = Some(l[i] * l[j]);
                }
            }
        }
        let f = one_factor(&matrix(&rows).unwrap()).unwrap();
        for (a, b) in f.loadings.iter().zip(l) {
            assert!((a - b).abs() < 1e-6, "{:?}", f.loadings);
        }
        let s: f64 = l.iter().sum();
        let u: f64 = l.iter().map(|x| 1.0 - x * x).sum();
        assert!((f.omega - s * s / (s * s + u)).abs() < 1e-6);
    }

    #[test]
    fn pairwise_deletion_and_constant_columns() {
        let a = vec![Some(1.0), Some(2.0), Some(3.0), None, Some(5.0)];
        let b = vec![Some(2.0), Some(4.0), Some(6.5), Some(1.0), None];
        let c = vec![Some(1.0); 5];
        let r = pairwise_correlations(&[a, b, c]);
        assert!((r[0][1].unwrap() - 0.9979487157886733).abs() < 1e-12);
        assert_eq!(r[0][2], None, "a constant column has no correlation");
        assert_eq!(r[0][0], Some(1.0));
    }

    #[test]
    fn equal_to_r_psych() {
        // tests/reference/reliability/reliability.R (psych::alpha std.alpha; psych::fa with
        // fm = "pa", SMC start, iterated to 1e-14) wrote tests/reference/reliability/expected.txt.
        let r = m(&[
            &[1.00, 0.42, 0.35, 0.28, -0.10],
            &[0.42, 1.00, 0.47, 0.31, 0.05],
            &[0.35, 0.47, 1.00, 0.22, 0.12],
            &[0.28, 0.31, 0.22, 1.00, 0.08],
            &[-0.10, 0.05, 0.12, 0.08, 1.00],
        ]);
        let expected = include_str!("../../../tests/reference/reliability/expected.txt");
        let value = |key: &str| -> Vec<f64> {
            let line = expected
                .lines()
                .find(|l| l.starts_with(key))
                .expect("key in the reference");
            line.split_whitespace()
                .skip(1)
                .map(|x| x.parse().unwrap())
                .collect()
        };
        assert!((standardised_alpha(&r).unwrap() - value("alpha")[0]).abs() < 1e-9);
        let f = one_factor(&r).unwrap();
        for (a, b) in f.loadings.iter().zip(value("loadings")) {
            assert!((a - b).abs() < 1e-6, "{:?}", f.loadings);
        }
        assert!((f.omega - value("omega")[0]).abs() < 1e-6);
    }
}
