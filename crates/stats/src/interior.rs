//! Linear quantile regression by the Frisch–Newton interior-point method (Portnoy & Koenker
//! 1997), the algorithm of R `quantreg`'s `method = "fn"` (`rq.fit.fnb`, Fortran `rqfnb`).
//!
//! The quantile regression is solved through its dual linear programme in bounded form:
//!
//! ```text
//! min  c'd   subject to   X'd = (1 - tau) X'1,   0 <= d <= 1,      with c = -y,
//! ```
//!
//! whose Lagrange multipliers of the equality constraints are minus the regression coefficients.
//! A primal-dual path-following method with Mehrotra's predictor-corrector steps moves through
//! the interior of the box: each iteration solves one `p x p` system `X'QX`, so the cost grows
//! linearly in `n`, against the simplex's pivots that each touch every observation and whose
//! number grows with `n`. The iterates stay primal and dual feasible (the start is feasible and
//! every direction keeps the equality constraints); the method stops when the duality gap
//! `x'z + s'w` falls below `tol * (1 + |objective|)`.
//!
//! The answer is the optimum to the precision of the gap, not a vertex: coefficients agree with
//! the simplex ([`crate::quantreg`]) to about `1e-6` relative where the solution is unique, and
//! where it is not (a whole face is optimal) the method returns a point inside the face where the
//! simplex returns a corner. That is why growth percentiles use the simplex by default and this
//! method only for cohorts too large for it (`docs/indicators.md`).

use crate::linalg::{Cholesky, Matrix, cholesky_inverse};
use crate::quantreg::Design;
use crate::{Error, Result};

/// Fraction of the distance to the boundary that a step may go (`beta` in `rq.fit.fnb`).
const STEP_FRACTION: f64 = 0.99995;
/// Iteration limit (as the `rqfnb` that R quantreg 5.94 builds).
const MAX_ITERATIONS: usize = 200;
/// Relative duality gap at which the method stops.
pub const GAP_TOLERANCE: f64 = 1e-11;

/// One quantile fitted by the interior-point method.
#[derive(Debug, Clone, PartialEq)]
pub struct InteriorFit {
    /// The quantile.
    pub tau: f64,
    /// Coefficients, one per design column.
    pub coef: Vec<f64>,
    /// Objective value `sum rho_tau(residual)` at `coef`.
    pub objective: f64,
    /// Newton iterations taken.
    pub iterations: usize,
    /// Final duality gap `x'z + s'w`.
    pub gap: f64,
}

/// Fits quantile `tau` of `y` on `x` by the Frisch–Newton interior-point method.
pub fn rq_fn(x: &Design, y: &[f64], tau: f64) -> Result<InteriorFit> {
    let (n, p) = (x.n(), x.p());
    if y.len() != n {
        return Err(Error::Input(format!(
            "{} responses for {n} design rows",
            y.len()
        )));
    }
    if y.iter().any(|v| !v.is_finite()) {
        return Err(Error::Input("response has non-finite values".into()));
    }
    if !(tau > 0.0 && tau < 1.0) {
        return Err(Error::Input(format!("tau must lie in (0, 1), got {tau}")));
    }
    // Primal: d (here `px`) in the box, slack s = 1 - d. The start d = 1 - tau is feasible:
    // X'd = (1 - tau) X'1 exactly.
    let mut px = vec![1.0 - tau; n];
    let mut s = vec![tau; n];
    // Dual start: multipliers from least squares (u = -beta_ols), reduced costs r = c - X u split
    // into z - w with both positive.
    let ones = vec![1.0; n];
    let m = normal_matrix(x, &ones);
    let inv = cholesky_inverse(&m)
        .ok_or_else(|| Error::Singular("quantile regression design is collinear".into()))?;
    let mut xty = vec![0.0; p];
    for (i, yi) in y.iter().enumerate() {
        for (a, xa) in xty.iter_mut().zip(x.row(i)) {
            *a += xa * yi;
        }
    }
    let mut u: Vec<f64> = (0..p)
        .map(|a| -(0..p).map(|b| inv.get(a, b) * xty[b]).sum::<f64>())
        .collect();
    let r: Vec<f64> = (0..n).map(|i| -y[i] - dot(x.row(i), &u)).collect();
    // As rqfnb: z - w = r with the larger one zero, except that reduced costs near zero get a
    // small positive pair (z - w stays r).
    let small = 1e-6 * (1.0 + r.iter().map(|v| v.abs()).sum::<f64>() / n as f64);
    let lift = |v: f64| if v.abs() < small { small } else { 0.0 };
    let mut z: Vec<f64> = r.iter().map(|&v| v.max(0.0) + lift(v)).collect();
    let mut w: Vec<f64> = r.iter().map(|&v| (-v).max(0.0) + lift(v)).collect();

    let mut q = vec![0.0; n];
    let mut v = vec![0.0; n];
    let mut dx = vec![0.0; n];
    let mut dz = vec![0.0; n];
    let mut dw = vec![0.0; n];
    let mut du = vec![0.0; p];
    let mut iterations = 0;
    let mut gap = duality_gap(&px, &z, &s, &w);
    while gap > GAP_TOLERANCE * (1.0 + objective_of(y, &px).abs()) {
        if iterations == MAX_ITERATIONS {
            return Err(Error::Singular(format!(
                "interior-point quantile regression at tau = {tau} did not converge in \
                 {MAX_ITERATIONS} iterations (gap {gap:e})"
            )));
        }
        iterations += 1;
        for i in 0..n {
            q[i] = 1.0 / (z[i] / px[i] + w[i] / s[i]);
        }
        let m = normal_matrix(x, &q);
        let Some(minv) = Cholesky::factor(&m, 1e-14) else {
            return Err(Error::Singular(format!(
                "interior-point normal matrix lost rank at tau = {tau} (gap {gap:e})"
            )));
        };
        // Predictor (affine scaling): complementarity targets -xz and -sw.
        for i in 0..n {
            v[i] = w[i] - z[i];
        }
        direction(x, &minv, &q, &v, &mut du, &mut dx);
        for i in 0..n {
            dz[i] = -z[i] - z[i] * dx[i] / px[i];
            dw[i] = -w[i] + w[i] * dx[i] / s[i];
        }
        let (ap, ad) = step_lengths(&px, &s, &z, &w, &dx, &dz, &dw, 1.0);
        let mu = gap / (2 * n) as f64;
        let gap_affine: f64 = (0..n)
            .map(|i| {
                (px[i] + ap * dx[i]) * (z[i] + ad * dz[i])
                    + (s[i] - ap * dx[i]) * (w[i] + ad * dw[i])
            })
            .sum();
        let sigma = (gap_affine / gap).clamp(0.0, 1.0).powi(3);
        let target = sigma * mu;
        // Corrector: centre towards sigma * mu and remove the predictor's second-order term.
        for i in 0..n {
            let r1 = -px[i] * z[i] + target - dx[i] * dz[i];
            let r2 = -s[i] * w[i] + target + dx[i] * dw[i];
            v[i] = r1 / px[i] - r2 / s[i];
            // Keep r1, r2 for the dual directions below.
            dz[i] = r1;
            dw[i] = r2;
        }
        direction(x, &minv, &q, &v, &mut du, &mut dx);
        for i in 0..n {
            let (r1, r2) = (dz[i], dw[i]);
            dz[i] = (r1 - z[i] * dx[i]) / px[i];
            dw[i] = (r2 + w[i] * dx[i]) / s[i];
        }
        let (ap, ad) = step_lengths(&px, &s, &z, &w, &dx, &dz, &dw, STEP_FRACTION);
        for i in 0..n {
            px[i] += ap * dx[i];
            s[i] -= ap * dx[i];
            z[i] += ad * dz[i];
            w[i] += ad * dw[i];
        }
        for (ua, da) in u.iter_mut().zip(&du) {
            *ua += ad * da;
        }
        gap = duality_gap(&px, &z, &s, &w);
        if !gap.is_finite() {
            return Err(Error::Singular(format!(
                "interior-point quantile regression at tau = {tau} broke down"
            )));
        }
    }
    let coef: Vec<f64> = u.iter().map(|v| -v).collect();
    let objective = (0..n)
        .map(|i| {
            let r = y[i] - dot(x.row(i), &coef);
            r * if r < 0.0 { tau - 1.0 } else { tau }
        })
        .sum();
    Ok(InteriorFit {
        tau,
        coef,
        objective,
        iterations,
        gap,
    })
}

/// Fits every quantile of `taus` by [`rq_fn`], in the order given.
pub fn rq_fn_taus(x: &Design, y: &[f64], taus: &[f64]) -> Result<Vec<InteriorFit>> {
    taus.iter().map(|&t| rq_fn(x, y, t)).collect()
}

/// `X' diag(q) X`.
fn normal_matrix(x: &Design, q: &[f64]) -> Matrix {
    let p = x.p();
    let mut m = Matrix::zeros(p);
    let mut acc = vec![0.0; p * p];
    for (i, qi) in q.iter().enumerate() {
        let row = x.row(i);
        for a in 0..p {
            let qa = qi * row[a];
            if qa == 0.0 {
                continue;
            }
            for b in 0..=a {
                acc[a * p + b] += qa * row[b];
            }
        }
    }
    for a in 0..p {
        for b in 0..=a {
            m.set(a, b, acc[a * p + b]);
            m.set(b, a, acc[a * p + b]);
        }
    }
    m
}

/// Newton direction for right-hand side `v`: `du = -(X'QX)^-1 X'Q v`, `dx = Q (X du + v)`.
fn direction(x: &Design, chol: &Cholesky, q: &[f64], v: &[f64], du: &mut [f64], dx: &mut [f64]) {
    let p = x.p();
    let mut rhs = vec![0.0; p];
    for i in 0..q.len() {
        let f = q[i] * v[i];
        for (a, xa) in rhs.iter_mut().zip(x.row(i)) {
            *a += f * xa;
        }
    }
    chol.solve(&mut rhs);
    for (d, r) in du.iter_mut().zip(&rhs) {
        *d = -r;
    }
    for i in 0..q.len() {
        dx[i] = q[i] * (dot(x.row(i), du) + v[i]);
    }
}

/// Largest primal and dual steps (capped at 1) keeping every variable positive, times `fraction`.
#[allow(clippy::too_many_arguments)]
fn step_lengths(
    px: &[f64],
    s: &[f64],
    z: &[f64],
    w: &[f64],
    dx: &[f64],
    dz: &[f64],
    dw: &[f64],
    fraction: f64,
) -> (f64, f64) {
    let (mut ap, mut ad) = (f64::INFINITY, f64::INFINITY);
    for i in 0..px.len() {
        if dx[i] < 0.0 {
            ap = ap.min(-px[i] / dx[i]);
        } else if dx[i] > 0.0 {
            ap = ap.min(s[i] / dx[i]);
        }
        if dz[i] < 0.0 {
            ad = ad.min(-z[i] / dz[i]);
        }
        if dw[i] < 0.0 {
            ad = ad.min(-w[i] / dw[i]);
        }
    }
    ((fraction * ap).min(1.0), (fraction * ad).min(1.0))
}

fn duality_gap(px: &[f64], z: &[f64], s: &[f64], w: &[f64]) -> f64 {
    px.iter().zip(z).map(|(a, b)| a * b).sum::<f64>()
        + s.iter().zip(w).map(|(a, b)| a * b).sum::<f64>()
}

/// The dual objective `c'd = -y'd`, whose size scales the stopping rule.
fn objective_of(y: &[f64], px: &[f64]) -> f64 {
    -y.iter().zip(px).map(|(a, b)| a * b).sum::<f64>()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use crate::quantreg::rq;
    use crate::testdata::stackloss;

    #[test]
    fn stackloss_median_matches_quantreg_fn() {
        // R 4.2.2, quantreg 5.94:
        //   coef(rq(stack.loss ~ ., data = stackloss, tau = 0.5, method = "fn"))
        // (-39.68985507, 0.83188406, 0.57391304, -0.06086957), the unique optimum that "br" also
        // finds.
        let (x, y) = stackloss();
        let f = rq_fn(&x, &y, 0.5).unwrap();
        let want = [-39.68985507, 0.83188406, 0.57391304, -0.06086957];
        for (a, b) in f.coef.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{:?} vs {want:?}", f.coef);
        }
    }

    #[test]
    fn agrees_with_the_simplex_on_random_problems() {
        // Continuous responses make the optimum unique; the interior point must reach the
        // simplex's vertex and objective.
        let mut rng = crate::rng::Rng::new(12345);
        let mut unif = || rng.uniform();
        for case in 0..20 {
            let n = 50 + 37 * case;
            let p = 2 + case % 4;
            let mut x = Vec::with_capacity(n * p);
            let mut y = Vec::with_capacity(n);
            for _ in 0..n {
                x.push(1.0);
                let mut lin = 1.0;
                for j in 1..p {
                    let v = unif() * 10.0;
                    x.push(v);
                    lin += v * j as f64 * 0.3;
                }
                // Skewed noise.
                let e = -(1.0 - unif()).ln() * 2.0;
                y.push(lin + e);
            }
            let d = Design::new(n, p, x).unwrap();
            for tau in [0.05, 0.25, 0.5, 0.9] {
                let a = rq_fn(&d, &y, tau).unwrap();
                let b = rq(&d, &y, tau).unwrap();
                let rel = (a.objective - b.objective).abs() / b.objective;
                assert!(rel < 1e-9, "case {case} tau {tau}: objective {rel:e}");
                for (ca, cb) in a.coef.iter().zip(&b.coef) {
                    assert!(
                        (ca - cb).abs() < 1e-5 * (1.0 + cb.abs()),
                        "case {case} tau {tau}: {:?} vs {:?}",
                        a.coef,
                        b.coef
                    );
                }
            }
        }
    }

    #[test]
    fn degenerate_problem_reaches_the_optimal_objective() {
        // Integer responses on few distinct x values: many optimal solutions. The interior point
        // lands inside the optimal face; its objective must still be the optimum.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..200 {
            let xi = (i % 5) as f64;
            x.extend_from_slice(&[1.0, xi]);
            y.push(((i * 7) % 11) as f64 + xi);
        }
        let d = Design::new(200, 2, x).unwrap();
        for tau in [0.1, 0.5, 0.75] {
            let a = rq_fn(&d, &y, tau).unwrap();
            let b = rq(&d, &y, tau).unwrap();
            assert!(
                (a.objective - b.objective).abs() < 1e-7 * b.objective,
                "tau {tau}: {} vs {}",
                a.objective,
                b.objective
            );
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (x, y) = stackloss();
        assert!(rq_fn(&x, &y[..20], 0.5).is_err());
        assert!(rq_fn(&x, &y, 1.0).is_err());
        let mut bad = y.clone();
        bad[3] = f64::NAN;
        assert!(rq_fn(&x, &bad, 0.5).is_err());
        // Collinear columns.
        let x2 = Design::new(3, 2, vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0]).unwrap();
        assert!(rq_fn(&x2, &[1.0, 2.0, 3.0], 0.5).is_err());
    }
}
