//! Linear quantile regression (Koenker & Bassett 1978) by an exact simplex method.
//!
//! The fit minimises `sum_i rho_tau(y_i - x_i'b)` with `rho_tau(r) = r (tau - 1[r < 0])`. The
//! optimum is attained at a vertex: `p` observations fitted exactly (the *basis*). Like the
//! Barrodale–Roberts algorithm that R's `quantreg` uses as `method = "br"` (Koenker & d'Orey 1987),
//! the solver moves from vertex to vertex along the edge that releases one basic observation, and
//! chooses the step by a weighted-median line search over the residuals' break points, so a single
//! step may pass many vertices. It stops when the dual values of the basic observations lie in
//! `[tau - 1, tau]`, which is the exact optimality condition; the solution is therefore the same
//! vertex `br` finds whenever the solution is unique (R warns "Solution may be nonunique"
//! otherwise).
//!
//! Degenerate vertices (several observations on the fitted hyperplane, common with integer
//! scores and repeated priors) can make a simplex cycle. The solver therefore pivots on responses
//! perturbed by tiny distinct amounts (`1e-9` of the largest |y|, smaller than any residual that
//! matters), which makes every vertex non-degenerate; the optimal basis of the perturbed problem
//! is an optimal basis of the original (the perturbation only decides the sign of residuals that
//! are zero, and any sign is a valid subgradient there), and the coefficients and objective are
//! computed from the unperturbed responses through that basis.
//!
//! Differences from `rq.fit.br` (a Fortran routine): the basis inverse is kept by rank-one
//! updates with periodic refactorisation, the first fit starts from the observations nearest the
//! least-squares line, and [`rq_taus`] fits a grid of quantiles by warm-starting each `tau` from
//! its neighbour's basis, which makes a grid of 100 quantiles cost little more than a few cold
//! fits.

use crate::linalg::invert;
use crate::{Error, Result};

/// A dense design matrix, row-major, `n` observations by `p` regressors (include the intercept
/// column yourself).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    n: usize,
    p: usize,
    x: Vec<f64>,
    /// The same rows without their zeros (B-spline rows are mostly zero), when that is at most
    /// 3/4 of the dense size: row `i` is `cols/vals[start[i]..start[i + 1]]`.
    sparse: Option<Sparse>,
}

#[derive(Debug, Clone, PartialEq)]
struct Sparse {
    start: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
}

impl Design {
    /// A design from row-major values; errors on a shape mismatch, non-finite values or `n < p`.
    pub fn new(n: usize, p: usize, x: Vec<f64>) -> Result<Self> {
        if p == 0 || x.len() != n * p {
            return Err(Error::Input(format!(
                "design of {n} x {p} needs {} values, got {}",
                n * p,
                x.len()
            )));
        }
        if n < p {
            return Err(Error::Input(format!(
                "quantile regression needs at least as many observations as regressors ({n} < {p})"
            )));
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Input("design has non-finite values".into()));
        }
        let nonzero = x.iter().filter(|v| **v != 0.0).count();
        let sparse = (nonzero * 4 <= x.len() * 3).then(|| {
            let mut sp = Sparse {
                start: Vec::with_capacity(n + 1),
                cols: Vec::with_capacity(nonzero),
                vals: Vec::with_capacity(nonzero),
            };
            sp.start.push(0);
            for row in x.chunks_exact(p) {
                for (j, v) in row.iter().enumerate() {
                    if *v != 0.0 {
                        sp.cols.push(j as u32);
                        sp.vals.push(*v);
                    }
                }
                sp.start.push(sp.cols.len());
            }
            sp
        });
        Ok(Design { n, p, x, sparse })
    }

    /// Observations.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Regressors.
    pub fn p(&self) -> usize {
        self.p
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    /// `(x_i'a, x_i'b)` in one pass over row `i`.
    fn dot2(&self, i: usize, a: &[f64], b: &[f64]) -> (f64, f64) {
        match &self.sparse {
            Some(sp) => {
                let (from, to) = (sp.start[i], sp.start[i + 1]);
                let (mut s, mut t) = (0.0, 0.0);
                for (&c, &v) in sp.cols[from..to].iter().zip(&sp.vals[from..to]) {
                    s += v * a[c as usize];
                    t += v * b[c as usize];
                }
                (s, t)
            }
            None => dot2(self.row(i), a, b),
        }
    }
}

/// One fitted quantile.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileFit {
    /// The quantile.
    pub tau: f64,
    /// Coefficients, one per design column.
    pub coef: Vec<f64>,
    /// The observations fitted exactly (the optimal basis), in basis order.
    pub basis: Vec<usize>,
    /// Objective value `sum rho_tau(residual)`.
    pub objective: f64,
    /// Simplex pivots this fit took.
    pub pivots: usize,
}

/// Fits one quantile from a cold start.
pub fn rq(x: &Design, y: &[f64], tau: f64) -> Result<QuantileFit> {
    let mut s = Simplex::new(x, y)?;
    s.solve(tau)
}

/// Fits every quantile of `taus` (any order, each in (0, 1)), warm-starting each fit from the
/// optimal basis of its neighbour: the fit nearest the median starts cold, then the solver walks
/// up and down the sorted grid. Results come back in the order of `taus`.
pub fn rq_taus(x: &Design, y: &[f64], taus: &[f64]) -> Result<Vec<QuantileFit>> {
    if taus.is_empty() {
        return Ok(Vec::new());
    }
    let mut order: Vec<usize> = (0..taus.len()).collect();
    order.sort_by(|&a, &b| taus[a].total_cmp(&taus[b]));
    let start = order
        .iter()
        .position(|&i| taus[i] >= 0.5)
        .unwrap_or(order.len() - 1);
    let mut s = Simplex::new(x, y)?;
    let mut out: Vec<Option<QuantileFit>> = vec![None; taus.len()];
    let first = s.solve(taus[order[start]])?;
    let start_basis = first.basis.clone();
    out[order[start]] = Some(first);
    for &i in &order[start + 1..] {
        out[i] = Some(s.solve(taus[i])?);
    }
    s.reset_basis(&start_basis)?;
    for &i in order[..start].iter().rev() {
        out[i] = Some(s.solve(taus[i])?);
    }
    Ok(out
        .into_iter()
        .map(|f| f.expect("every tau fitted"))
        .collect())
}

/// Pivots after which the basis inverse is recomputed from scratch.
const REFACTOR_EVERY: usize = 32;
/// Consecutive zero-length steps after which the smallest-index rule breaks possible cycling.
const DEGENERATE_LIMIT: usize = 50;

struct Simplex<'a> {
    x: &'a Design,
    /// The responses as given.
    y: &'a [f64],
    /// The responses the pivots use: `y` plus tiny distinct perturbations.
    yp: Vec<f64>,
    basis: Vec<usize>,
    in_basis: Vec<bool>,
    /// Inverse of the basis rows, row-major p x p: `X_h * binv = I`.
    binv: Vec<f64>,
    coef: Vec<f64>,
    candidates: Vec<(f64, f64, usize)>,
    since_refactor: usize,
    /// Residuals below this are zero (the observation lies on the fitted hyperplane).
    zero: f64,
}

impl<'a> Simplex<'a> {
    fn new(x: &'a Design, y: &'a [f64]) -> Result<Self> {
        if y.len() != x.n {
            return Err(Error::Input(format!(
                "{} responses for {} design rows",
                y.len(),
                x.n
            )));
        }
        if y.iter().any(|v| !v.is_finite()) {
            return Err(Error::Input("response has non-finite values".into()));
        }
        let scale = y.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let basis = initial_basis(x, y)?;
        let yp = y
            .iter()
            .enumerate()
            .map(|(i, v)| v + 1e-9 * scale * (0.5 + 0.5 * unit_hash(i as u64)))
            .collect();
        let mut s = Simplex {
            x,
            y,
            yp,
            basis: Vec::new(),
            in_basis: vec![false; x.n],
            binv: Vec::new(),
            coef: vec![0.0; x.p],
            candidates: Vec::with_capacity(x.n),
            since_refactor: 0,
            zero: 1e-13 * scale,
        };
        s.reset_basis(&basis)?;
        Ok(s)
    }

    fn reset_basis(&mut self, basis: &[usize]) -> Result<()> {
        for &i in &self.basis {
            self.in_basis[i] = false;
        }
        self.basis = basis.to_vec();
        for &i in &self.basis {
            self.in_basis[i] = true;
        }
        self.refactor()
    }

    fn refactor(&mut self) -> Result<()> {
        let p = self.x.p;
        let mut m = Vec::with_capacity(p * p);
        for &i in &self.basis {
            m.extend_from_slice(self.x.row(i));
        }
        self.binv = invert(&m, p)
            .ok_or_else(|| Error::Singular("quantile regression basis became singular".into()))?;
        self.since_refactor = 0;
        Ok(())
    }

    /// Coefficients through the basis (perturbed responses), every residual, and the subgradient
    /// `g = sum over non-basic i of psi_tau(r_i) x_i`, from scratch.
    fn recompute(&mut self, tau: f64, g: &mut [f64]) {
        let (n, p) = (self.x.n, self.x.p);
        self.coefficients();
        g.fill(0.0);
        for i in 0..n {
            if self.in_basis[i] {
                continue;
            }
            let row = self.x.row(i);
            let mut r = self.yp[i] - dot(row, &self.coef);
            if r.abs() <= self.zero {
                r = 0.0;
            }
            let psi = if r >= 0.0 { tau } else { tau - 1.0 };
            for (ga, xa) in g.iter_mut().zip(row) {
                *ga += psi * xa;
            }
        }
        debug_assert_eq!(g.len(), p);
    }

    /// Coefficients through the basis for the perturbed responses.
    fn coefficients(&mut self) {
        through_basis(&self.binv, &self.basis, &self.yp, &mut self.coef);
    }

    fn solve(&mut self, tau: f64) -> Result<QuantileFit> {
        if !(tau > 0.0 && tau < 1.0) {
            return Err(Error::Input(format!("tau must lie in (0, 1), got {tau}")));
        }
        let (n, p) = (self.x.n, self.x.p);
        let max_pivots = 50 * (n + p) + 1000;
        let mut pivots = 0;
        let mut degenerate_run = 0;
        let mut g = vec![0.0; p];
        let mut u = vec![0.0; p];
        let mut d = vec![0.0; p];
        self.recompute(tau, &mut g);
        loop {
            // Dual values of the basic observations: X_h' u = -g.
            for (k, uk) in u.iter_mut().enumerate() {
                *uk = -(0..p).map(|a| self.binv[a * p + k] * g[a]).sum::<f64>();
            }
            // The edge with the most negative directional derivative (smallest basis observation
            // once degenerate steps pile up, against cycling).
            let bland = degenerate_run > DEGENERATE_LIMIT;
            let mut pick: Option<(usize, f64, f64)> = None;
            for (k, &uk) in u.iter().enumerate() {
                for (sigma, slope) in [(1.0, uk + 1.0 - tau), (-1.0, tau - uk)] {
                    if slope >= -1e-9 {
                        continue;
                    }
                    let better = match pick {
                        None => true,
                        Some((kk, _, s)) => {
                            if bland {
                                self.basis[k] < self.basis[kk]
                            } else {
                                slope < s
                            }
                        }
                    };
                    if better {
                        pick = Some((k, sigma, slope));
                    }
                }
            }
            let Some((k, sigma, slope)) = pick else {
                return self.finish(tau, pivots);
            };
            pivots += 1;
            if pivots > max_pivots {
                return Err(Error::Singular(format!(
                    "quantile regression at tau = {tau} did not converge in {max_pivots} pivots"
                )));
            }
            // Direction releasing basic observation k: X_h d = sigma e_k; z = X d. One pass
            // computes each residual and its rate of change and keeps the break points ahead.
            for (a, da) in d.iter_mut().enumerate() {
                *da = sigma * self.binv[a * p + k];
            }
            // Branch-free: every row is written, only break points advance the cursor (the
            // sign tests are unpredictable, and mispredicted branches dominated this loop).
            self.candidates.resize(n, (0.0, 0.0, 0));
            let mut m = 0;
            let mut total = 0.0;
            for i in 0..n {
                let (fit, zi) = self.x.dot2(i, &self.coef, &d);
                let mut r = self.yp[i] - fit;
                if r.abs() <= self.zero {
                    r = 0.0;
                }
                let ahead =
                    !self.in_basis[i] & ((r >= 0.0) & (zi > 1e-12) | (r < 0.0) & (zi < -1e-12));
                self.candidates[m] = (r / zi, zi, i);
                m += ahead as usize;
                total += f64::from(u8::from(ahead)) * zi.abs();
            }
            self.candidates.truncate(m);
            // Weighted-median line search: walk the break points until the slope turns >= 0.
            let found = weighted_break(&mut self.candidates, -slope, total).ok_or_else(|| {
                Error::Singular(format!(
                    "quantile regression at tau = {tau} is unbounded (collinear design?)"
                ))
            })?;
            let (step, enter) = (found.step, found.enter);
            degenerate_run = if step == 0.0 { degenerate_run + 1 } else { 0 };
            // The subgradient follows the move: residuals passed through zero change sign (psi
            // moves by one, against the sign of z), the entering observation leaves the sum and
            // the leaving one joins it with the sign of its new residual -sigma * step.
            for &(_, zi, i) in &self.candidates[..found.passed] {
                axpy(&mut g, -zi.signum(), self.x.row(i));
            }
            let psi = if found.z > 0.0 { tau } else { tau - 1.0 };
            axpy(&mut g, -psi, self.x.row(enter));
            let leaving = self.basis[k];
            let rl = -sigma * step;
            let psi = if rl >= 0.0 || rl.abs() <= self.zero {
                tau
            } else {
                tau - 1.0
            };
            axpy(&mut g, psi, self.x.row(leaving));
            if self.pivot(k, enter)? {
                // Fresh inverse: clear the drift of the incremental updates too.
                self.recompute(tau, &mut g);
            } else {
                self.coefficients();
            }
        }
    }

    /// The optimal fit: coefficients and objective from the unperturbed responses, through a
    /// freshly factorised basis (not the updated inverse, whose last digits depend on the path).
    fn finish(&mut self, tau: f64, pivots: usize) -> Result<QuantileFit> {
        let (n, p) = (self.x.n, self.x.p);
        self.refactor()?;
        let mut coef = vec![0.0; p];
        through_basis(&self.binv, &self.basis, self.y, &mut coef);
        let objective = (0..n)
            .map(|i| {
                let r = self.y[i] - dot(self.x.row(i), &coef);
                r * (tau - if r < 0.0 { 1.0 } else { 0.0 })
            })
            .sum();
        Ok(QuantileFit {
            tau,
            coef,
            basis: self.basis.clone(),
            objective,
            pivots,
        })
    }

    /// Replaces basic observation at position `k` by observation `enter` (rank-one update of the
    /// inverse, refactored every [`REFACTOR_EVERY`] pivots).
    /// Returns whether the inverse was refactored.
    fn pivot(&mut self, k: usize, enter: usize) -> Result<bool> {
        let p = self.x.p;
        self.in_basis[self.basis[k]] = false;
        self.in_basis[enter] = true;
        self.basis[k] = enter;
        self.since_refactor += 1;
        if self.since_refactor >= REFACTOR_EVERY {
            return self.refactor().map(|_| true);
        }
        let xe = self.x.row(enter);
        let c: Vec<f64> = (0..p).map(|a| self.binv[a * p + k]).collect();
        let denom = dot(xe, &c);
        if denom.abs() < 1e-12 {
            return self.refactor().map(|_| true);
        }
        // w = x_enter' Binv - e_k'
        let mut w: Vec<f64> = (0..p)
            .map(|j| (0..p).map(|a| xe[a] * self.binv[a * p + j]).sum())
            .collect();
        w[k] -= 1.0;
        for (row, ca) in self.binv.chunks_exact_mut(p).zip(&c) {
            let f = ca / denom;
            for (v, wj) in row.iter_mut().zip(&w) {
                *v -= f * wj;
            }
        }
        Ok(false)
    }
}

/// Where the line search stops.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Break {
    /// The step length.
    step: f64,
    /// The observation whose break point it is (it enters the basis).
    enter: usize,
    /// Its rate of change `z`.
    z: f64,
    /// How many candidates were passed on the way; they are moved to the front of the slice.
    passed: usize,
}

/// The break point at which the accumulated weights, taken in order of step, first reach `need`.
/// Candidates are `(step, z, observation)` with weight `|z|` and `total` their summed weight;
/// ties in step go to the smaller observation index. A weighted quickselect: linear time on
/// average, where a full sort would cost `m log m` per pivot. Every candidate passed before the
/// break ends up in front of the slice, so the caller visits only those.
fn weighted_break(cands: &mut [(f64, f64, usize)], need: f64, total: f64) -> Option<Break> {
    if total < need {
        return None;
    }
    let mut need = need;
    let mut lo = 0;
    let mut hi = cands.len();
    let mut first = true;
    while hi - lo > 16 {
        let s = &mut cands[lo..hi];
        let m = s.len();
        // The first pivot is a guess from a sample: the step at which the sample's scaled weight
        // reaches 1.5 x `need`. Warm-started fits take short steps, so the answer usually lies in
        // a small left part and one partition pass replaces several.
        let pivot = if first && m > 512 {
            sampled_pivot(s, need, total)
        } else {
            let mut three = [s[0].0, s[m / 2].0, s[m - 1].0];
            three.sort_by(f64::total_cmp);
            three[1]
        };
        first = false;
        // Three-way partition: [< pivot | == pivot | > pivot].
        let (mut lt, mut i, mut gt) = (0, 0, m);
        while i < gt {
            match s[i].0.total_cmp(&pivot) {
                std::cmp::Ordering::Less => {
                    s.swap(lt, i);
                    lt += 1;
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    gt -= 1;
                    s.swap(i, gt);
                }
                std::cmp::Ordering::Equal => i += 1,
            }
        }
        let w_lt: f64 = s[..lt].iter().map(|c| c.1.abs()).sum();
        if w_lt >= need {
            hi = lo + lt;
            continue;
        }
        let w_eq: f64 = s[lt..gt].iter().map(|c| c.1.abs()).sum();
        if w_lt + w_eq >= need {
            lo += lt;
            hi = lo + (gt - lt);
            need -= w_lt;
            break;
        }
        need -= w_lt + w_eq;
        lo += gt;
    }
    scan(&mut cands[lo..hi], need).map(|(k, c)| Break {
        step: c.0,
        enter: c.2,
        z: c.1,
        passed: lo + k,
    })
}

/// A pivot step for [`weighted_break`] from 64 evenly spaced candidates.
fn sampled_pivot(s: &[(f64, f64, usize)], need: f64, total: f64) -> f64 {
    const K: usize = 64;
    let stride = s.len() / K;
    let mut sample: Vec<(f64, f64)> = (0..K)
        .map(|j| (s[j * stride].0, s[j * stride].1.abs()))
        .collect();
    sample.sort_by(|a, b| a.0.total_cmp(&b.0));
    let w: f64 = sample.iter().map(|c| c.1).sum();
    let target = 1.5 * need * w / total;
    let mut acc = 0.0;
    for &(t, wt) in &sample {
        acc += wt;
        if acc >= target {
            return t;
        }
    }
    sample[K - 1].0
}

/// Sorts a few candidates by (step, observation) and walks them until the weight reaches `need`:
/// the position and candidate there (the last one when rounding leaves the sum just short).
fn scan(c: &mut [(f64, f64, usize)], need: f64) -> Option<(usize, (f64, f64, usize))> {
    c.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    let mut acc = 0.0;
    for (k, &cand) in c.iter().enumerate() {
        acc += cand.1.abs();
        if acc >= need {
            return Some((k, cand));
        }
    }
    c.last().map(|&cand| (c.len() - 1, cand))
}

/// A deterministic value in [0, 1) for observation `i` (SplitMix64 finaliser).
fn unit_hash(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// `out = binv * resp[basis]`: the coefficients that fit the basis observations exactly.
fn through_basis(binv: &[f64], basis: &[usize], resp: &[f64], out: &mut [f64]) {
    let p = basis.len();
    for (a, o) in out.iter_mut().enumerate() {
        *o = (0..p).map(|k| binv[a * p + k] * resp[basis[k]]).sum();
    }
}

/// `g += f * x`.
fn axpy(g: &mut [f64], f: f64, x: &[f64]) {
    for (ga, xa) in g.iter_mut().zip(x) {
        *ga += f * xa;
    }
}

/// Two dot products of `x` in one pass, with four partial sums each: a single running sum is a
/// chain of dependent additions that the CPU cannot overlap.
fn dot2(x: &[f64], a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut s = [0.0; 4];
    let mut t = [0.0; 4];
    let (xc, xr) = x.split_at(x.len() / 4 * 4);
    for ((xv, av), bv) in xc
        .chunks_exact(4)
        .zip(a.chunks_exact(4))
        .zip(b.chunks_exact(4))
    {
        for l in 0..4 {
            s[l] += xv[l] * av[l];
            t[l] += xv[l] * bv[l];
        }
    }
    let k = xc.len();
    for (j, xv) in xr.iter().enumerate() {
        s[j] += xv * a[k + j];
        t[j] += xv * b[k + j];
    }
    ((s[0] + s[1]) + (s[2] + s[3]), (t[0] + t[1]) + (t[2] + t[3]))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A first basis: `p` linearly independent observations nearest the least-squares fit.
fn initial_basis(x: &Design, y: &[f64]) -> Result<Vec<usize>> {
    let (n, p) = (x.n, x.p);
    // Least squares by the normal equations (only a starting point).
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    for (i, yi) in y.iter().enumerate().take(n) {
        let row = x.row(i);
        for a in 0..p {
            xty[a] += row[a] * yi;
            for b in 0..p {
                xtx[a * p + b] += row[a] * row[b];
            }
        }
    }
    let ls = invert(&xtx, p).map(|inv| {
        (0..p)
            .map(|a| (0..p).map(|b| inv[a * p + b] * xty[b]).sum())
            .collect::<Vec<f64>>()
    });
    let mut order: Vec<usize> = (0..n).collect();
    if let Some(b) = ls {
        let dist: Vec<f64> = (0..n).map(|i| (y[i] - dot(x.row(i), &b)).abs()).collect();
        order.sort_by(|&a, &b| dist[a].total_cmp(&dist[b]).then(a.cmp(&b)));
    }
    // Greedy Gram-Schmidt over the rows in that order.
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(p);
    let mut basis = Vec::with_capacity(p);
    for &i in &order {
        let row = x.row(i);
        let norm = dot(row, row).sqrt();
        if norm == 0.0 {
            continue;
        }
        let mut v = row.to_vec();
        for qq in &q {
            let c = dot(&v, qq);
            for (va, qa) in v.iter_mut().zip(qq) {
                *va -= c * qa;
            }
        }
        let rest = dot(&v, &v).sqrt();
        if rest > 1e-8 * norm {
            v.iter_mut().for_each(|va| *va /= rest);
            q.push(v);
            basis.push(i);
            if basis.len() == p {
                return Ok(basis);
            }
        }
    }
    Err(Error::Singular(format!(
        "the design has rank {} < {p} columns (collinear regressors)",
        basis.len()
    )))
}

#[cfg(test)]
// Reference values are R's output printed with 17 significant digits, kept verbatim.
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn rho(r: f64, tau: f64) -> f64 {
        r * (tau - if r < 0.0 { 1.0 } else { 0.0 })
    }

    fn objective(x: &Design, y: &[f64], b: &[f64], tau: f64) -> f64 {
        (0..x.n()).map(|i| rho(y[i] - dot(x.row(i), b), tau)).sum()
    }

    /// Every vertex of a small problem, for the exact minimum by enumeration.
    fn brute_force_min(x: &Design, y: &[f64], tau: f64) -> f64 {
        let (n, p) = (x.n(), x.p());
        let mut best = f64::INFINITY;
        let mut idx: Vec<usize> = (0..p).collect();
        loop {
            let m: Vec<f64> = idx.iter().flat_map(|&i| x.row(i).to_vec()).collect();
            if let Some(inv) = invert(&m, p) {
                let b: Vec<f64> = (0..p)
                    .map(|a| (0..p).map(|k| inv[a * p + k] * y[idx[k]]).sum())
                    .collect();
                best = best.min(objective(x, y, &b, tau));
            }
            // next combination
            let mut k = p;
            loop {
                if k == 0 {
                    return best;
                }
                k -= 1;
                if idx[k] < n - p + k {
                    idx[k] += 1;
                    for j in k + 1..p {
                        idx[j] = idx[j - 1] + 1;
                    }
                    break;
                }
            }
        }
    }

    #[test]
    fn intercept_only_gives_the_sample_quantile() {
        let y: Vec<f64> = (0..11).map(|i| ((i * 7) % 11) as f64).collect(); // 0..10 shuffled
        let x = Design::new(11, 1, vec![1.0; 11]).unwrap();
        // n * tau not an integer: the unique solution is the ceil(n tau)-th order statistic.
        for (tau, want) in [(0.1, 1.0), (0.5, 5.0), (0.95, 10.0), (0.3, 3.0)] {
            let f = rq(&x, &y, tau).unwrap();
            assert_eq!(f.coef, vec![want], "tau {tau}");
        }
    }

    #[test]
    fn reaches_the_enumerated_optimum_on_random_problems() {
        let mut seed = crate::rng::Rng::new(42);
        for case in 0..40 {
            let n = 9 + case % 5;
            let p = 1 + case % 3;
            let mut xs = Vec::new();
            let mut y = Vec::new();
            for _ in 0..n {
                xs.push(1.0);
                for _ in 1..p {
                    xs.push((seed.uniform() * 10.0).round());
                }
                y.push((seed.uniform() * 20.0).round());
            }
            let x = Design::new(n, p, xs).unwrap();
            for tau in [0.05, 0.25, 0.5, 0.61, 0.9] {
                let best = brute_force_min(&x, &y, tau);
                let f = rq(&x, &y, tau).unwrap_or_else(|e| {
                    panic!("case {case} n {n} p {p} tau {tau}: {e}\n{:?}\n{:?}", x, y)
                });
                let got = objective(&x, &y, &f.coef, tau);
                assert!(
                    (got - best).abs() < 1e-9 * (1.0 + best),
                    "case {case} tau {tau}: {got} vs optimum {best}"
                );
            }
            // The warm-started grid reaches the same optima.
            let taus: Vec<f64> = (1..20).map(|k| k as f64 / 20.0).collect();
            for f in rq_taus(&x, &y, &taus).unwrap() {
                let best = brute_force_min(&x, &y, f.tau);
                assert!((f.objective - best).abs() < 1e-9 * (1.0 + best));
            }
        }
    }

    /// R: `coef(rq(stack.loss ~ ., data = stackloss, tau = t, method = "br"))` (quantreg 5.x,
    /// Debian r-cran-quantreg), printed with 17 digits.
    #[test]
    fn matches_quantreg_br_on_stackloss() {
        let (x, y) = crate::testdata::stackloss();
        let cases = [
            (
                0.5,
                [
                    -39.689855072463792851,
                    0.831884057971013502,
                    0.573913043478264662,
                    -0.060869565217391272,
                ],
            ),
            (
                0.75,
                [
                    -5.4189655172413829e+01,
                    8.7068965517241381e-01,
                    9.8275862068965492e-01,
                    2.6779793660391960e-16,
                ],
            ),
        ];
        for (tau, want) in cases {
            let f = rq(&x, &y, tau).unwrap();
            for (g, w) in f.coef.iter().zip(want) {
                assert!((g - w).abs() < 1e-10, "tau {tau}: {:?} vs {want:?}", f.coef);
            }
        }
        let grid = rq_taus(&x, &y, &[0.5, 0.75]).unwrap();
        assert!((grid[0].coef[1] - 0.831884057971013502).abs() < 1e-10);
    }

    #[test]
    fn collinear_and_malformed_inputs_are_errors_not_panics() {
        let x = Design::new(4, 2, vec![1., 2., 1., 2., 1., 2., 1., 2.]).unwrap();
        assert!(rq(&x, &[1., 2., 3., 4.], 0.5).is_err());
        assert!(Design::new(2, 3, vec![0.0; 6]).is_err());
        assert!(Design::new(3, 1, vec![1.0, f64::NAN, 1.0]).is_err());
        let x = Design::new(3, 1, vec![1.0; 3]).unwrap();
        assert!(rq(&x, &[1.0, 2.0], 0.5).is_err());
        assert!(rq(&x, &[1.0, 2.0, 3.0], 1.0).is_err());
    }

    #[test]
    fn weighted_break_agrees_with_a_full_sort() {
        let mut seed = crate::rng::Rng::new(7);
        for case in 0..200 {
            let m = 1 + case * 3;
            let c: Vec<(f64, f64, usize)> = (0..m)
                .map(|i| {
                    let z = (seed.uniform() + 0.01) * if i % 3 == 0 { -1.0 } else { 1.0 };
                    ((seed.uniform() * 20.0).round(), z, i)
                })
                .collect();
            let total: f64 = c.iter().map(|x| x.1.abs()).sum();
            for frac in [0.0001, 0.3, 0.5, 0.97, 0.999] {
                let need = total * frac;
                let mut sorted = c.clone();
                let (k, want) = scan(&mut sorted, need).unwrap();
                let mut work = c.clone();
                let got = weighted_break(&mut work, need, total).unwrap();
                assert_eq!((got.step, got.enter, got.z), (want.0, want.2, want.1));
                // Exactly the candidates before the break in (step, index) order were passed.
                assert_eq!(got.passed, k, "case {case} {frac}");
                let mut passed: Vec<usize> = work[..got.passed].iter().map(|c| c.2).collect();
                let mut expected: Vec<usize> = sorted[..k].iter().map(|c| c.2).collect();
                passed.sort();
                expected.sort();
                assert_eq!(passed, expected, "case {case} {frac}");
            }
            let mut work = c.clone();
            assert_eq!(weighted_break(&mut work, total * 1.01, total), None);
        }
    }
}
