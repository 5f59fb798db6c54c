//! The two-group, two-period difference-in-differences estimators of Sant'Anna & Zhao (2020) with
//! their influence functions, step for step as R's DRDID 1.2 (`reg_did_panel`, `drdid_panel`,
//! `std_ipw_did_panel`, `reg_did_rc`, `drdid_rc`, `std_ipw_did_rc`), which `did::att_gt` (2.3.0) calls for
//! each group-time cell. Unit weights only (DRDID's `i.weights` all 1).
//!
//! Each estimator returns the ATT and its influence function `psi` (one value per observation,
//! `att - ATT ~ mean(psi)`), or None where DRDID stops or returns NaN: a singular outcome
//! regression or propensity-score design, or an empty arm.

use crate::linalg::invert;
use crate::logistic::logistic;

/// How the counterfactual trend of the treated is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// Outcome regression on the comparison units (Heckman, Ichimura & Todd 1997).
    Regression,
    /// Inverse probability weighting, normalised (Abadie 2005; DRDID's `std_ipw`).
    InverseProbability,
    /// Doubly robust: outcome regression and propensity score (Sant'Anna & Zhao 2020).
    DoublyRobust,
}

/// A design matrix: columns, the first the intercept.
pub struct Design<'a> {
    cols: &'a [Vec<f64>],
}

impl<'a> Design<'a> {
    /// A design from its columns (the first must be the intercept, all of one length).
    pub fn new(cols: &'a [Vec<f64>]) -> Self {
        Design { cols }
    }

    fn p(&self) -> usize {
        self.cols.len()
    }

    fn row_dot(&self, i: usize, v: &[f64]) -> f64 {
        self.cols.iter().zip(v).map(|(c, b)| c[i] * b).sum()
    }

    /// Column means of `w_i x_i`.
    fn weighted_means(&self, w: &[f64]) -> Vec<f64> {
        let n = w.len() as f64;
        self.cols
            .iter()
            .map(|c| c.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / n)
            .collect()
    }

    /// `sum_i w_i x_i x_i' / n` as a row-major p x p matrix.
    pub(crate) fn cross(&self, w: &[f64]) -> Vec<f64> {
        let (p, n) = (self.p(), w.len() as f64);
        let mut m = vec![0.0; p * p];
        for a in 0..p {
            for b in 0..=a {
                let v: f64 = (0..w.len())
                    .map(|i| w[i] * self.cols[a][i] * self.cols[b][i])
                    .sum::<f64>()
                    / n;
                m[a * p + b] = v;
                m[b * p + a] = v;
            }
        }
        m
    }

    /// Least-squares fit of `y` on the rows where `keep`; the fitted values for every row and the
    /// asymptotic linear representation's operator `(X'X/n)^-1` (n = all rows), or None when
    /// the subset's design is singular.
    fn ols(&self, y: &[f64], keep: &[bool]) -> Option<OlsPart> {
        let w: Vec<f64> = keep.iter().map(|&k| f64::from(u8::from(k))).collect();
        let p = self.p();
        let xpx = self.cross(&w);
        let inv = invert(&xpx, p)?;
        let xty: Vec<f64> = self
            .cols
            .iter()
            .map(|c| {
                (0..y.len())
                    .filter(|&i| keep[i])
                    .map(|i| c[i] * y[i])
                    .sum::<f64>()
                    / y.len() as f64
            })
            .collect();
        let beta: Vec<f64> = (0..p)
            .map(|a| (0..p).map(|b| inv[a * p + b] * xty[b]).sum())
            .collect();
        let fitted: Vec<f64> = (0..y.len()).map(|i| self.row_dot(i, &beta)).collect();
        let resid = (0..y.len())
            .map(|i| if keep[i] { y[i] - fitted[i] } else { 0.0 })
            .collect();
        Some(OlsPart { fitted, resid, inv })
    }

    /// `rep %*% m` for a linear representation `rep_i = e_i x_i' A` (`A` p x p row-major).
    fn rep_dot(&self, e: &[f64], a: &[f64], m: &[f64]) -> Vec<f64> {
        let p = self.p();
        let v: Vec<f64> = (0..p)
            .map(|r| (0..p).map(|c| a[r * p + c] * m[c]).sum())
            .collect();
        (0..e.len()).map(|i| e[i] * self.row_dot(i, &v)).collect()
    }
}

/// An outcome regression: fitted values, residuals on its subset (0 elsewhere), `(X'X/n)^-1`.
struct OlsPart {
    fitted: Vec<f64>,
    resid: Vec<f64>,
    inv: Vec<f64>,
}

impl OlsPart {
    /// Its contribution `asy.lin.rep.ols %*% m` to an influence function.
    fn rep(&self, x: &Design<'_>, m: &[f64]) -> Vec<f64> {
        x.rep_dot(&self.resid, &self.inv, m)
    }
}

/// The propensity score as DRDID uses it: a logit of `d` on the design, fitted values capped at
/// `1 - 1e-6`, and the operator `n (X' W X)^-1` of its linear representation.
struct Propensity {
    fitted: Vec<f64>,
    score: Vec<f64>,
    hessian: Vec<f64>,
}

impl Propensity {
    fn fit(x: &Design<'_>, d: &[f64]) -> Option<Self> {
        let fit = logistic(d, &x.cols[1..]).ok()?;
        let fitted: Vec<f64> = fit.fitted.iter().map(|&p| p.min(1.0 - 1e-6)).collect();
        let w: Vec<f64> = fitted.iter().map(|p| p * (1.0 - p)).collect();
        let p = x.p();
        let n = d.len() as f64;
        let cross: Vec<f64> = x.cross(&w).iter().map(|v| v * n).collect();
        let hessian: Vec<f64> = invert(&cross, p)?.iter().map(|v| v * n).collect();
        let score = d.iter().zip(&fitted).map(|(d, p)| d - p).collect();
        Some(Propensity {
            fitted,
            score,
            hessian,
        })
    }

    /// Its contribution `asy.lin.rep.ps %*% m`.
    fn rep(&self, x: &Design<'_>, m: &[f64]) -> Vec<f64> {
        x.rep_dot(&self.score, &self.hessian, m)
    }

    /// DRDID's trimming: treated units always kept, comparison units with a score below 0.995.
    fn trim(&self, d: &[f64]) -> Vec<f64> {
        self.fitted
            .iter()
            .zip(d)
            .map(|(p, d)| f64::from(u8::from(*d == 1.0 || *p < 0.995)))
            .collect()
    }

    /// The comparison units' odds weights `p / (1 - p)` (0 for treated units), trimmed.
    fn odds(&self, d: &[f64], trim: &[f64]) -> Vec<f64> {
        (0..d.len())
            .map(|i| trim[i] * self.fitted[i] * (1.0 - d[i]) / (1.0 - self.fitted[i]))
            .collect()
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn mul(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a * b).collect()
}

/// `a - b` element-wise.
fn sub(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a - b).collect()
}

/// `(w_i v_i - w_i eta) / mean(w)`, the influence function of a weighted mean `eta`.
fn mean_if(w: &[f64], v: &[f64], eta: f64) -> Vec<f64> {
    let mw = mean(w);
    (0..w.len())
        .map(|i| (w[i] * v[i] - w[i] * eta) / mw)
        .collect()
}

/// `mean(w v) / mean(w)`.
fn weighted_mean(w: &[f64], v: &[f64]) -> f64 {
    mean(&mul(w, v)) / mean(w)
}

fn finite(att: f64, psi: Vec<f64>) -> Option<(f64, Vec<f64>)> {
    (att.is_finite() && psi.iter().all(|v| v.is_finite())).then_some((att, psi))
}

/// Panel data: ATT and influence function from each unit's outcome before (`y0`) and after
/// (`y1`), treatment indicator `d` (0/1).
pub fn panel(
    est: Estimator,
    y1: &[f64],
    y0: &[f64],
    d: &[f64],
    x: &Design<'_>,
) -> Option<(f64, Vec<f64>)> {
    let n = d.len();
    let dy = sub(y1, y0);
    let control: Vec<bool> = d.iter().map(|&d| d == 0.0).collect();
    match est {
        Estimator::Regression => {
            let or = x.ols(&dy, &control)?;
            let eta_treat = weighted_mean(d, &dy);
            let eta_cont = weighted_mean(d, &or.fitted);
            let inf_treat = mean_if(d, &dy, eta_treat);
            let m1 = x.weighted_means(d);
            let cont2 = or.rep(x, &m1);
            let md = mean(d);
            let psi = (0..n)
                .map(|i| {
                    let cont1 = d[i] * or.fitted[i] - d[i] * eta_cont;
                    inf_treat[i] - (cont1 + cont2[i]) / md
                })
                .collect();
            finite(eta_treat - eta_cont, psi)
        }
        Estimator::InverseProbability | Estimator::DoublyRobust => {
            let ps = Propensity::fit(x, d)?;
            let trim = ps.trim(d);
            let w_treat = mul(&trim, d);
            let w_cont = ps.odds(d, &trim);
            let (resid, or) = if est == Estimator::DoublyRobust {
                let or = x.ols(&dy, &control)?;
                (sub(&dy, &or.fitted), Some(or))
            } else {
                (dy.clone(), None)
            };
            let eta_treat = weighted_mean(&w_treat, &resid);
            let eta_cont = weighted_mean(&w_cont, &resid);
            let mut inf_treat: Vec<f64> = (0..n)
                .map(|i| w_treat[i] * resid[i] - w_treat[i] * eta_treat)
                .collect();
            let mut inf_cont: Vec<f64> = (0..n)
                .map(|i| w_cont[i] * resid[i] - w_cont[i] * eta_cont)
                .collect();
            let m2_w: Vec<f64> = (0..n).map(|i| w_cont[i] * (resid[i] - eta_cont)).collect();
            let cont_ps = ps.rep(x, &x.weighted_means(&m2_w));
            for i in 0..n {
                inf_cont[i] += cont_ps[i];
            }
            if let Some(or) = &or {
                let treat2 = or.rep(x, &x.weighted_means(&w_treat));
                let cont3 = or.rep(x, &x.weighted_means(&w_cont));
                for i in 0..n {
                    inf_treat[i] -= treat2[i];
                    inf_cont[i] -= cont3[i];
                }
            }
            let (mt, mc) = (mean(&w_treat), mean(&w_cont));
            let psi = (0..n)
                .map(|i| inf_treat[i] / mt - inf_cont[i] / mc)
                .collect();
            finite(eta_treat - eta_cont, psi)
        }
    }
}

/// Repeated cross sections: ATT and influence function from outcomes `y`, period indicator
/// `post` and treatment indicator `d` (both 0/1).
pub fn cross_sections(
    est: Estimator,
    y: &[f64],
    post: &[f64],
    d: &[f64],
    x: &Design<'_>,
) -> Option<(f64, Vec<f64>)> {
    let n = d.len();
    let cell =
        |dv: f64, pv: f64| -> Vec<bool> { (0..n).map(|i| d[i] == dv && post[i] == pv).collect() };
    let pre: Vec<f64> = post.iter().map(|p| 1.0 - p).collect();
    match est {
        Estimator::Regression => {
            let or_pre = x.ols(y, &cell(0.0, 0.0))?;
            let or_post = x.ols(y, &cell(0.0, 1.0))?;
            let w_tpre = mul(d, &pre);
            let w_tpost = mul(d, post);
            let trend = sub(&or_post.fitted, &or_pre.fitted);
            let eta_tpre = weighted_mean(&w_tpre, y);
            let eta_tpost = weighted_mean(&w_tpost, y);
            let eta_cont = weighted_mean(d, &trend);
            let inf_tpre = mean_if(&w_tpre, y, eta_tpre);
            let inf_tpost = mean_if(&w_tpost, y, eta_tpost);
            let m1 = x.weighted_means(d);
            let (rep_post, rep_pre) = (or_post.rep(x, &m1), or_pre.rep(x, &m1));
            let md = mean(d);
            let psi = (0..n)
                .map(|i| {
                    let cont1 = d[i] * trend[i] - d[i] * eta_cont;
                    (inf_tpost[i] - inf_tpre[i]) - (cont1 + rep_post[i] - rep_pre[i]) / md
                })
                .collect();
            finite((eta_tpost - eta_tpre) - eta_cont, psi)
        }
        Estimator::InverseProbability => {
            let ps = Propensity::fit(x, d)?;
            let trim = ps.trim(d);
            let odds = ps.odds(d, &trim);
            let w_tpre = mul(&mul(&trim, d), &pre);
            let w_tpost = mul(&mul(&trim, d), post);
            let w_cpre = mul(&odds, &pre);
            let w_cpost = mul(&odds, post);
            let part = |w: &[f64]| -> (f64, Vec<f64>) {
                let att = weighted_mean(w, y);
                (att, mean_if(w, y, att))
            };
            let (a_tpre, i_tpre) = part(&w_tpre);
            let (a_tpost, i_tpost) = part(&w_tpost);
            let (a_cpre, i_cpre) = part(&w_cpre);
            let (a_cpost, i_cpost) = part(&w_cpost);
            let m2 = |w: &[f64], a: f64| -> Vec<f64> {
                let mw = mean(w);
                let v: Vec<f64> = (0..n).map(|i| w[i] * (y[i] - a)).collect();
                x.weighted_means(&v).iter().map(|m| m / mw).collect()
            };
            let m2d = sub(&m2(&w_cpost, a_cpost), &m2(&w_cpre, a_cpre));
            let cont_ps = ps.rep(x, &m2d);
            let psi = (0..n)
                .map(|i| (i_tpost[i] - i_tpre[i]) - (i_cpost[i] - i_cpre[i] + cont_ps[i]))
                .collect();
            finite((a_tpost - a_tpre) - (a_cpost - a_cpre), psi)
        }
        Estimator::DoublyRobust => doubly_robust_rc(y, post, d, x),
    }
}

/// DRDID's locally efficient doubly robust estimator for repeated cross sections (`drdid_rc`).
fn doubly_robust_rc(y: &[f64], post: &[f64], d: &[f64], x: &Design<'_>) -> Option<(f64, Vec<f64>)> {
    let n = d.len();
    let cell =
        |dv: f64, pv: f64| -> Vec<bool> { (0..n).map(|i| d[i] == dv && post[i] == pv).collect() };
    let pre: Vec<f64> = post.iter().map(|p| 1.0 - p).collect();
    let ps = Propensity::fit(x, d)?;
    let trim = ps.trim(d);
    let odds = ps.odds(d, &trim);
    let or_cpre = x.ols(y, &cell(0.0, 0.0))?;
    let or_cpost = x.ols(y, &cell(0.0, 1.0))?;
    let or_tpre = x.ols(y, &cell(1.0, 0.0))?;
    let or_tpost = x.ols(y, &cell(1.0, 1.0))?;
    let out_cont: Vec<f64> = (0..n)
        .map(|i| post[i] * or_cpost.fitted[i] + pre[i] * or_cpre.fitted[i])
        .collect();
    let resid = sub(y, &out_cont);
    let w_d = mul(&trim, d);
    let w_tpre = mul(&w_d, &pre);
    let w_tpost = mul(&w_d, post);
    let w_cpre = mul(&odds, &pre);
    let w_cpost = mul(&odds, post);
    let eff_post = sub(&or_tpost.fitted, &or_cpost.fitted);
    let eff_pre = sub(&or_tpre.fitted, &or_cpre.fitted);
    // eta vectors and their means.
    let eta = |w: &[f64], v: &[f64]| -> (Vec<f64>, f64) {
        let mw = mean(w);
        let e: Vec<f64> = (0..n).map(|i| w[i] * v[i] / mw).collect();
        let m = mean(&e);
        (e, m)
    };
    let (e_tpre, a_tpre) = eta(&w_tpre, &resid);
    let (e_tpost, a_tpost) = eta(&w_tpost, &resid);
    let (e_cpre, a_cpre) = eta(&w_cpre, &resid);
    let (e_cpost, a_cpost) = eta(&w_cpost, &resid);
    let (e_dpost, a_dpost) = eta(&w_d, &eff_post);
    let (e_dt1, a_dt1) = eta(&w_tpost, &eff_post);
    let (e_dpre, a_dpre) = eta(&w_d, &eff_pre);
    let (e_dt0, a_dt0) = eta(&w_tpre, &eff_pre);
    let att = (a_tpost - a_tpre) - (a_cpost - a_cpre) + (a_dpost - a_dt1) - (a_dpre - a_dt0);
    // Influence function.
    let centred = |e: &[f64], w: &[f64], a: f64| -> Vec<f64> {
        let mw = mean(w);
        (0..n).map(|i| e[i] - w[i] * a / mw).collect()
    };
    let i_tpre = centred(&e_tpre, &w_tpre, a_tpre);
    let i_tpost = centred(&e_tpost, &w_tpost, a_tpost);
    let scaled_means = |v: &[f64], w: &[f64], sign: f64| -> Vec<f64> {
        let mw = mean(w);
        x.weighted_means(v).iter().map(|m| sign * m / mw).collect()
    };
    let m1_post = scaled_means(&mul(&w_tpost, post), &w_tpost, -1.0);
    let m1_pre = scaled_means(&mul(&w_tpre, &pre), &w_tpre, -1.0);
    let treat_or_post = or_cpost.rep(x, &m1_post);
    let treat_or_pre = or_cpre.rep(x, &m1_pre);
    let i_cpre = centred(&e_cpre, &w_cpre, a_cpre);
    let i_cpost = centred(&e_cpost, &w_cpost, a_cpost);
    let m2 = |w: &[f64], a: f64| -> Vec<f64> {
        let v: Vec<f64> = (0..n).map(|i| w[i] * (resid[i] - a)).collect();
        scaled_means(&v, w, 1.0)
    };
    let cont_ps = ps.rep(x, &sub(&m2(&w_cpost, a_cpost), &m2(&w_cpre, a_cpre)));
    let m3_post = scaled_means(&mul(&w_cpost, post), &w_cpost, -1.0);
    let m3_pre = scaled_means(&mul(&w_cpre, &pre), &w_cpre, -1.0);
    let cont_or_post = or_cpost.rep(x, &m3_post);
    let cont_or_pre = or_cpre.rep(x, &m3_pre);
    let i_eff1 = centred(&e_dpost, &w_d, a_dpost);
    let i_eff2 = centred(&e_dt1, &w_tpost, a_dt1);
    let i_eff3 = centred(&e_dpre, &w_d, a_dpre);
    let i_eff4 = centred(&e_dt0, &w_tpre, a_dt0);
    let (md, mt1, mt0) = (mean(&w_d), mean(&w_tpost), mean(&w_tpre));
    let mom_post: Vec<f64> = x.weighted_means(
        &(0..n)
            .map(|i| w_d[i] / md - w_tpost[i] / mt1)
            .collect::<Vec<_>>(),
    );
    let mom_pre: Vec<f64> = x.weighted_means(
        &(0..n)
            .map(|i| w_d[i] / md - w_tpre[i] / mt0)
            .collect::<Vec<_>>(),
    );
    let or_post = sub(&or_tpost.rep(x, &mom_post), &or_cpost.rep(x, &mom_post));
    let or_pre = sub(&or_tpre.rep(x, &mom_pre), &or_cpre.rep(x, &mom_pre));
    let psi = (0..n)
        .map(|i| {
            let treat = i_tpost[i] - i_tpre[i] + treat_or_post[i] + treat_or_pre[i];
            let cont = i_cpost[i] - i_cpre[i] + cont_ps[i] + cont_or_post[i] + cont_or_pre[i];
            let eff = (i_eff1[i] - i_eff2[i]) - (i_eff3[i] - i_eff4[i]);
            treat - cont + eff + (or_post[i] - or_pre[i])
        })
        .collect();
    finite(att, psi)
}
