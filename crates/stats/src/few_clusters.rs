//! Inference that holds with few clusters: the bias-reduced linearisation variance CR2 (Bell &
//! McCaffrey 2002) with Satterthwaite degrees of freedom, as R clubSandwich
//! `coef_test(fit, vcov = "CR2", test = "Satterthwaite")` on an `lm` fit whose fixed effect is
//! a set of dummies (working model: the identity).
//!
//! For a contrast `c'b` the estimate is `w'y` with `w = X M c`, `M = (X'X)^-1` (by
//! Frisch-Waugh-Lovell the demeaned regressors give the same `w` as the full design with the
//! fixed-effect dummies). With `H` the hat matrix of the full design, `H = P_D + X M X'`
//! (`P_D` projects on the fixed-effect dummies; the demeaned `X` is orthogonal to them), and
//! `A_g = (I - H_gg)^(-1/2)` (symmetric; eigenvalues at or below 1e-12 get 0, as clubSandwich's
//! `Sym_power`):
//!
//! ```text
//! V_CR2(c'b) = sum_g (p_g' e_g)^2,   p_g = A_g w_g
//! df = (sum_g O_gg)^2 / sum_g sum_h O_gh^2,   O_gh = p_g' (I - H)_gh p_h
//! ```
//!
//! `I - H_gg = I - L L'` with `L` the fixed-effect indicator columns of cluster `g` scaled by
//! `1/sqrt(n_f)` beside `X_g C` (`C C' = M`), so `A_g` comes from the eigen decomposition of
//! the small matrix `L'L`, never an `n_g x n_g` one. No `G/(G-1)` factor is applied (CR2 is
//! itself the small-sample correction).

use crate::dist::{t_quantile, t_two_sided_p};
use crate::linalg::{Cholesky, Matrix, symmetric_eigen};
use crate::ols::{Design, OlsFit};
use crate::{Error, Result};

/// Eigenvalues of `I - H_gg` at or below this get a zero in the inverse square root.
const EIGEN_TOLERANCE: f64 = 1e-12;

/// A test of one coefficient or contrast.
#[derive(Debug, Clone, PartialEq)]
pub struct CoefTest {
    /// Estimate `c'b`.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Degrees of freedom of the t reference distribution.
    pub df: f64,
    /// Two-sided p value for `c'b = 0`.
    pub p: f64,
    /// 95% confidence interval, low end.
    pub ci_low: f64,
    /// 95% confidence interval, high end.
    pub ci_high: f64,
}

impl CoefTest {
    /// A t test of `estimate` with standard error `se` on `df` degrees of freedom.
    pub fn t(estimate: f64, se: f64, df: f64) -> Self {
        let tq = t_quantile(0.975, df);
        let p = if se > 0.0 {
            t_two_sided_p(estimate / se, df)
        } else {
            f64::NAN
        };
        CoefTest {
            estimate,
            se,
            df,
            p,
            ci_low: estimate - tq * se,
            ci_high: estimate + tq * se,
        }
    }
}

/// The adjustment `A_g = I + U diag(d) U'` of one cluster, kept as `U` (n_g x r, column-major
/// per column) and `d`.
struct Adjustment {
    u: Vec<Vec<f64>>,
    d: Vec<f64>,
}

impl Adjustment {
    /// `A_g v` for a vector over the cluster's observations.
    fn apply(&self, v: &[f64]) -> Vec<f64> {
        let mut out = v.to_vec();
        for (col, d) in self.u.iter().zip(&self.d) {
            let s: f64 = col.iter().zip(v).map(|(a, b)| a * b).sum::<f64>() * d;
            for (o, a) in out.iter_mut().zip(col) {
                *o += s * a;
            }
        }
        out
    }
}

/// The CR2 adjustment of every cluster of a design.
fn adjustments(d: &Design) -> Result<Vec<Adjustment>> {
    let p = d.cols.len();
    let chol = Cholesky::factor(&d.inv, 0.0)
        .ok_or_else(|| Error::Singular("(X'X)^-1 is not positive definite".into()))?;
    let c = chol.lower();
    d.members
        .iter()
        .map(|rows| {
            // L = [fixed-effect indicators / sqrt(n_f) | X_g C].
            let mut l: Vec<Vec<f64>> = Vec::new();
            if let Some((fe, sizes)) = &d.fe {
                let mut levels: Vec<u32> = rows.iter().map(|&r| fe[r]).collect();
                levels.sort_unstable();
                levels.dedup();
                for f in levels {
                    let scale = 1.0 / (sizes[f as usize] as f64).sqrt();
                    l.push(
                        rows.iter()
                            .map(|&r| if fe[r] == f { scale } else { 0.0 })
                            .collect(),
                    );
                }
            }
            for j in 0..p {
                l.push(
                    rows.iter()
                        .map(|&r| (j..p).map(|k| d.cols[k][r] * c.get(k, j)).sum())
                        .collect(),
                );
            }
            let r = l.len();
            let mut ltl = Matrix::zeros(r);
            for i in 0..r {
                for j in 0..=i {
                    let s: f64 = l[i].iter().zip(&l[j]).map(|(a, b)| a * b).sum();
                    ltl.set(i, j, s);
                    ltl.set(j, i, s);
                }
            }
            let (lambda, w) = symmetric_eigen(&ltl);
            let mut u = Vec::new();
            let mut dd = Vec::new();
            for (k, &lam) in lambda.iter().enumerate() {
                if lam <= EIGEN_TOLERANCE {
                    continue;
                }
                let scale = 1.0 / lam.sqrt();
                let col: Vec<f64> = (0..rows.len())
                    .map(|i| (0..r).map(|m| l[m][i] * w.get(m, k)).sum::<f64>() * scale)
                    .collect();
                let rest = 1.0 - lam;
                let inv_sqrt = if rest > EIGEN_TOLERANCE {
                    rest.powf(-0.5)
                } else {
                    0.0
                };
                u.push(col);
                dd.push(inv_sqrt - 1.0);
            }
            Ok(Adjustment { u, d: dd })
        })
        .collect()
}

/// `w = X M c` over all observations.
pub(crate) fn influence(d: &Design, c: &[f64]) -> Vec<f64> {
    let p = d.cols.len();
    let mc: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|j| d.inv.get(i, j) * c[j]).sum())
        .collect();
    (0..d.y.len())
        .map(|r| (0..p).map(|j| d.cols[j][r] * mc[j]).sum())
        .collect()
}

/// `O_gh = v_g' (I - H)_gh v_h` for per-cluster vectors `v_g`: the diagonal term less the
/// fixed-effect and regressor projections (`S N^-1 S'` and `T M T'`).
pub(crate) fn residual_maker_form(d: &Design, v: &[Vec<f64>], u: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let g = d.members.len();
    let p = d.cols.len();
    let sums = |x: &[Vec<f64>]| -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let fe_sums = match &d.fe {
            Some((fe, sizes)) => x
                .iter()
                .zip(&d.members)
                .map(|(xg, rows)| {
                    let mut s = vec![0.0; sizes.len()];
                    for (xi, &r) in xg.iter().zip(rows) {
                        s[fe[r] as usize] += xi;
                    }
                    s
                })
                .collect(),
            None => vec![Vec::new(); g],
        };
        let x_sums = x
            .iter()
            .zip(&d.members)
            .map(|(xg, rows)| {
                (0..p)
                    .map(|j| xg.iter().zip(rows).map(|(xi, &r)| xi * d.cols[j][r]).sum())
                    .collect()
            })
            .collect();
        (fe_sums, x_sums)
    };
    let (sv, tv) = sums(v);
    let (su, tu) = sums(u);
    let sizes: &[usize] = d.fe.as_ref().map_or(&[], |(_, s)| s);
    let mut out = vec![vec![0.0; g]; g];
    for h in 0..g {
        let mtv: Vec<f64> = (0..p)
            .map(|i| (0..p).map(|j| d.inv.get(i, j) * tv[h][j]).sum())
            .collect();
        for k in 0..g {
            let mut o = if h == k {
                v[h].iter().zip(&u[k]).map(|(a, b)| a * b).sum()
            } else {
                0.0
            };
            o -= sizes
                .iter()
                .enumerate()
                .map(|(f, &n)| sv[h][f] * su[k][f] / n as f64)
                .sum::<f64>();
            o -= mtv.iter().zip(&tu[k]).map(|(a, b)| a * b).sum::<f64>();
            out[h][k] = o;
        }
    }
    out
}

/// The values of `x` over each cluster's observations.
pub(crate) fn by_cluster(d: &Design, x: &[f64]) -> Vec<Vec<f64>> {
    d.members
        .iter()
        .map(|rows| rows.iter().map(|&r| x[r]).collect())
        .collect()
}

impl OlsFit {
    /// The CR1 test of coefficient `j`: Stata's cluster-robust SE with `G - 1` degrees of
    /// freedom.
    pub fn cr1_test(&self, j: usize) -> CoefTest {
        CoefTest::t(self.coef[j], self.se[j], self.clusters as f64 - 1.0)
    }

    /// The CR2 test of coefficient `j` with Satterthwaite degrees of freedom.
    pub fn cr2_test(&self, j: usize) -> Result<CoefTest> {
        let mut c = vec![0.0; self.design.cols.len()];
        if j >= c.len() {
            return Err(Error::Input(format!("no coefficient {j}")));
        }
        c[j] = 1.0;
        self.cr2_contrast(&c)
    }

    /// The CR2 test of the contrast `c'b` (one weight per coefficient) with Satterthwaite
    /// degrees of freedom.
    pub fn cr2_contrast(&self, c: &[f64]) -> Result<CoefTest> {
        let d = &self.design;
        if c.len() != d.cols.len() {
            return Err(Error::Input(format!(
                "the contrast has {} weights for {} coefficients",
                c.len(),
                d.cols.len()
            )));
        }
        let adj = adjustments(d)?;
        let w = by_cluster(d, &influence(d, c));
        let e = by_cluster(d, &self.residuals);
        let pg: Vec<Vec<f64>> = adj.iter().zip(&w).map(|(a, wg)| a.apply(wg)).collect();
        let var: f64 = pg
            .iter()
            .zip(&e)
            .map(|(p, e)| p.iter().zip(e).map(|(a, b)| a * b).sum::<f64>().powi(2))
            .sum();
        let o = residual_maker_form(d, &pg, &pg);
        let trace: f64 = (0..o.len()).map(|g| o[g][g]).sum();
        let sq: f64 = o.iter().flatten().map(|x| x * x).sum();
        let df = trace * trace / sq;
        let estimate = c.iter().zip(&self.coef).map(|(a, b)| a * b).sum();
        Ok(CoefTest::t(estimate, var.sqrt(), df))
    }
}

#[cfg(test)]
mod tests {
    use crate::ols::ols_cluster;

    /// With every observation its own cluster and no fixed effect, CR2 is HC2 and its
    /// Satterthwaite df for a single mean is n - 1 (Bell & McCaffrey's exact case).
    #[test]
    fn one_mean_gives_hc2_and_n_minus_1_df() {
        let y = [1.0, 3.0, 2.0, 7.0, 4.0, 5.0];
        let cl: Vec<u32> = (0..6).collect();
        let fit = ols_cluster(&y, &[], None, &cl).unwrap();
        let t = fit.cr2_test(0).unwrap();
        let m = y.iter().sum::<f64>() / 6.0;
        let s2 = y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 5.0;
        assert!((t.estimate - m).abs() < 1e-12);
        assert!((t.se - (s2 / 6.0).sqrt()).abs() < 1e-12, "{t:?}");
        assert!((t.df - 5.0).abs() < 1e-9, "{t:?}");
    }

    /// Two groups, a difference in means, each observation a cluster: CR2 is the Welch SE.
    #[test]
    fn difference_in_means_gives_the_welch_se() {
        let y = [1.0, 3.0, 2.0, 7.0, 4.0, 5.0, 9.0];
        let d = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let cl: Vec<u32> = (0..7).collect();
        let fit = ols_cluster(&y, &[d.to_vec()], None, &cl).unwrap();
        let t = fit.cr2_test(1).unwrap();
        let var = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
        };
        let welch = (var(&y[..3]) / 3.0 + var(&y[3..]) / 4.0).sqrt();
        assert!((t.se - welch).abs() < 1e-12, "{} {welch}", t.se);
    }
}

/// Reference data sets and expected values of `tests/reference/cluster_inference/` (made by
/// `cluster_inference.R` with R clubSandwich and `wild_bootstrap.py` with Python
/// wildboottest), shared by this module's and [`crate::wild`]'s tests.
#[cfg(test)]
pub(crate) mod reference {
    use crate::ols::{OlsFit, ols_cluster};

    /// Rows of a small CSV with a header, as (header, rows of fields); `#` lines are comments.
    pub fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty());
        let header = lines
            .next()
            .expect("a header")
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        (header, rows)
    }

    /// The column `name` of a parsed CSV as numbers.
    pub fn column(h: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
        let k = h.iter().position(|c| c == name).expect("a column");
        rows.iter()
            .map(|r| r[k].parse().expect("a number"))
            .collect()
    }

    /// The model `model` of data set A, B or C fitted as the reference scripts fit it; returns
    /// the fit and its term names (no intercept term when a fixed effect is absorbed).
    pub fn fit(model: &str) -> (OlsFit, Vec<&'static str>) {
        let text = match model {
            "A" => include_str!("../../../tests/reference/cluster_inference/A.csv"),
            "B1" | "B2" => include_str!("../../../tests/reference/cluster_inference/B.csv"),
            _ => include_str!("../../../tests/reference/cluster_inference/C.csv"),
        };
        let (h, rows) = csv(text);
        let col = |n: &str| column(&h, &rows, n);
        let ids = |n: &str| col(n).iter().map(|v| *v as u32).collect::<Vec<_>>();
        let terms: Vec<&'static str> = match model {
            "A" | "B1" => vec!["d", "z"],
            "B2" => vec!["dm1", "dm2", "dm3", "m2", "m3", "z"],
            _ => vec!["(intercept)", "d", "z"],
        };
        let x: Vec<Vec<f64>> = terms
            .iter()
            .filter(|t| **t != "(intercept)")
            .map(|t| col(t))
            .collect();
        let fe = (model != "C").then(|| ids("fe"));
        let fit = ols_cluster(&col("y"), &x, fe.as_deref(), &ids("cl")).expect("a fit");
        (fit, terms)
    }
}

#[cfg(test)]
mod reference_tests {
    use super::reference::{column, csv, fit};

    /// CR2 standard errors and Satterthwaite df equal R clubSandwich's `coef_test(vcov = "CR2",
    /// test = "Satterthwaite")` to 1e-8 (relative) on three data sets: 8 clusters with a
    /// crossed fixed effect, 6 unequal clusters with moderator interactions, 12 clusters
    /// without a fixed effect.
    #[test]
    fn cr2_and_satterthwaite_equal_clubsandwich() {
        let (h, rows) = csv(include_str!(
            "../../../tests/reference/cluster_inference/cr2_expected.csv"
        ));
        let (est, se, df, p) = (
            column(&h, &rows, "estimate"),
            column(&h, &rows, "se_cr2"),
            column(&h, &rows, "df_satterthwaite"),
            column(&h, &rows, "p_satterthwaite"),
        );
        let se1 = column(&h, &rows, "se_cr1s");
        for (i, r) in rows.iter().enumerate() {
            let (f, terms) = fit(&r[1]);
            let j = terms.iter().position(|t| *t == r[2]).expect("a term");
            let t = f.cr2_test(j).unwrap();
            let close = |a: f64, b: f64, what: &str| {
                assert!(
                    (a - b).abs() <= 1e-8 * b.abs().max(1e-300),
                    "{} {} {what}: {a} vs clubSandwich {b}",
                    r[1],
                    r[2]
                );
            };
            close(t.estimate, est[i], "estimate");
            close(t.se, se[i], "CR2 SE");
            close(t.df, df[i], "Satterthwaite df");
            assert!(
                (t.p - p[i]).abs() < 1e-8,
                "{} {} p: {} vs {}",
                r[1],
                r[2],
                t.p,
                p[i]
            );
            close(f.se[j], se1[i], "CR1 SE");
        }
    }
}
