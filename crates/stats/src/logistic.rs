//! Logistic regression by iteratively reweighted least squares, step for step as R's
//! `glm(..., family = binomial())` (`glm.fit`): the same start (`mu = (y + 0.5) / 2`), the same
//! Fisher-scoring steps and the same stopping rule (`|dev - dev_old| / (|dev| + 0.1) < 1e-8`, at
//! most 25 iterations), so fitted probabilities agree with R's to rounding and a propensity score
//! matched on them reproduces R's matches.

use crate::linalg::{Matrix, cholesky_inverse};
use crate::{Error, Result};

/// glm.control()$epsilon.
pub const EPSILON: f64 = 1e-8;
/// glm.control()$maxit.
pub const MAX_ITERATIONS: usize = 25;

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticFit {
    /// Coefficients: intercept first, then one per column of `x`.
    pub coef: Vec<f64>,
    /// Fitted probabilities.
    pub fitted: Vec<f64>,
    /// Residual deviance.
    pub deviance: f64,
    /// IRLS iterations.
    pub iterations: usize,
}

fn deviance(y: &[f64], mu: &[f64]) -> f64 {
    let term = |y: f64, m: f64| if y > 0.0 { y * (y / m).ln() } else { 0.0 };
    y.iter()
        .zip(mu)
        .map(|(&yi, &m)| 2.0 * (term(yi, m) + term(1.0 - yi, 1.0 - m)))
        .sum()
}

/// Fits `P(y = 1) = 1 / (1 + exp(-(b0 + x b)))`; `x` holds one vector per covariate, `y` is 0/1.
pub fn logistic(y: &[f64], x: &[Vec<f64>]) -> Result<LogisticFit> {
    let n = y.len();
    if x.iter().any(|c| c.len() != n) {
        return Err(Error::Input(
            "all covariates need one value per observation".into(),
        ));
    }
    if y.iter().any(|v| *v != 0.0 && *v != 1.0) {
        return Err(Error::Input("the response must be 0 or 1".into()));
    }
    if x.iter().flatten().any(|v| !v.is_finite()) {
        return Err(Error::Input(
            "covariates contain NaN or infinite values".into(),
        ));
    }
    let p = x.len() + 1;
    let row = |i: usize, a: usize| if a == 0 { 1.0 } else { x[a - 1][i] };
    let mut mu: Vec<f64> = y.iter().map(|v| (v + 0.5) / 2.0).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| (m / (1.0 - m)).ln()).collect();
    let mut dev_old = deviance(y, &mu);
    let mut coef = vec![0.0; p];
    for it in 1..=MAX_ITERATIONS {
        // Working response and weights: z = eta + (y - mu) / mu', w = mu (1 - mu).
        let mut xtwx = Matrix::zeros(p);
        let mut xtwz = vec![0.0; p];
        for i in 0..n {
            let w = mu[i] * (1.0 - mu[i]);
            let z = eta[i] + (y[i] - mu[i]) / w;
            for (a, za) in xtwz.iter_mut().enumerate() {
                let xa = row(i, a);
                *za += w * xa * z;
                for b in 0..=a {
                    let v = xtwx.get(a, b) + w * xa * row(i, b);
                    xtwx.set(a, b, v);
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                xtwx.set(b, a, xtwx.get(a, b));
            }
        }
        let inv = cholesky_inverse(&xtwx).ok_or_else(|| {
            Error::Singular("logistic regression: covariates are collinear".into())
        })?;
        for (a, c) in coef.iter_mut().enumerate() {
            *c = (0..p).map(|b| inv.get(a, b) * xtwz[b]).sum();
        }
        for i in 0..n {
            eta[i] = (0..p).map(|a| coef[a] * row(i, a)).sum();
            mu[i] = 1.0 / (1.0 + (-eta[i]).exp());
        }
        let dev = deviance(y, &mu);
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < EPSILON {
            return Ok(LogisticFit {
                coef,
                fitted: mu,
                deviance: dev,
                iterations: it,
            });
        }
        dev_old = dev;
    }
    Err(Error::Singular(format!(
        "logistic regression did not converge in {MAX_ITERATIONS} iterations (separation?)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_glm_on_a_small_data_set() {
        // R: coef(glm(am ~ wt + hp, data = mtcars, family = binomial()))
        //   (Intercept) 18.86630, wt -8.08348, hp 0.03626
        let wt = [
            2.62, 2.875, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15, 3.44, 3.44, 4.07, 3.73, 3.78,
            5.25, 5.424, 5.345, 2.2, 1.615, 1.835, 2.465, 3.52, 3.435, 3.84, 3.845, 1.935, 2.14,
            1.513, 3.17, 2.77, 3.57, 2.78,
        ];
        let hp = [
            110., 110., 93., 110., 175., 105., 245., 62., 95., 123., 123., 180., 180., 180., 205.,
            215., 230., 66., 52., 65., 97., 150., 150., 245., 175., 66., 91., 113., 264., 175.,
            335., 109.,
        ];
        let am = [
            1., 1., 1., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 1., 1., 1., 0., 0.,
            0., 0., 0., 1., 1., 1., 1., 1., 1., 1.,
        ];
        let f = logistic(&am, &[wt.to_vec(), hp.to_vec()]).unwrap();
        let want = [18.86630, -8.08348, 0.03626];
        for (a, b) in f.coef.iter().zip(want) {
            assert!((a - b).abs() < 5e-5, "{:?}", f.coef);
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(logistic(&[0.0, 2.0], &[vec![1.0, 2.0]]).is_err());
        assert!(logistic(&[0.0, 1.0], &[vec![1.0]]).is_err());
        // Perfect separation never converges.
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let y: Vec<f64> = (0..20).map(|i| f64::from(u8::from(i >= 10))).collect();
        assert!(logistic(&y, &[x]).is_err());
    }
}
