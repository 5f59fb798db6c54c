//! How robust each design's overall effect is to a confounder nobody measured
//! (`effects/sensitivity.*`): Cinelli & Hazlett's (2020) partial R² and robustness values, and
//! VanderWeele & Ding's (2017) E-value ([`leerwinst_stats::sensitivity`], equal to R sensemakr
//! and EValue).
//!
//! They are computed from each row's own estimate and standard error (cluster-robust, few-cluster
//! or bootstrap, as its method says) with `observations - 2` residual degrees of freedom, as
//! sensemakr's numeric interface takes an estimate, a standard error and a dof. For the
//! regression design the true residual dof is smaller by the subject x grade fixed effects (a few
//! dozen out of thousands): the values differ in the third decimal at most. Outcomes are in SD
//! units, so the E-value takes the SD as 1.

use leerwinst_stats::sensitivity::{e_value_ols, partial_r2, robustness_value};
use leerwinst_store::{f64_array, str_array};

use crate::Effect;

/// One row of `effects/sensitivity.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// Design.
    pub design: String,
    /// Outcome.
    pub outcome: String,
    /// Subject or `all`.
    pub subject: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Residual degrees of freedom used.
    pub dof: f64,
    /// t²/(t²+dof).
    pub partial_r2: f64,
    /// RV_q, q = 1.
    pub rv: f64,
    /// RV_{q,α}, q = 1, α = 0.05.
    pub rv_significance: f64,
    /// E-value of the estimate.
    pub e_value: f64,
    /// E-value of the interval limit nearer to the null.
    pub e_value_ci: f64,
}

/// The sensitivity rows of every `overall` effect row with an estimate and a standard error.
pub fn rows(effects: &[Effect]) -> Vec<SensitivityRow> {
    effects
        .iter()
        .filter(|e| e.subgroup == "overall")
        .filter_map(|e| {
            let (est, se) = (e.estimate?, e.se?);
            let dof = (e.n_treated + e.n_comparison - 2) as f64;
            if !(se > 0.0 && dof > 1.0) {
                return None;
            }
            let t = est / se;
            let ev = e_value_ols(est, se, 1.0);
            Some(SensitivityRow {
                design: e.design.clone(),
                outcome: e.outcome.clone(),
                subject: e.subject.clone(),
                estimate: est,
                se,
                dof,
                partial_r2: partial_r2(t, dof),
                rv: robustness_value(t, dof, 1.0, 1.0),
                rv_significance: robustness_value(t, dof, 1.0, 0.05),
                e_value: ev.point,
                e_value_ci: ev.ci,
            })
        })
        .collect()
}

/// Arrow columns of sensitivity rows, in `Table::Sensitivity` order.
pub fn columns(rows: &[SensitivityRow]) -> Vec<arrow_array::ArrayRef> {
    let s = |f: &dyn Fn(&SensitivityRow) -> &str| {
        str_array(&rows.iter().map(|r| Some(f(r))).collect::<Vec<_>>())
    };
    let f =
        |f: &dyn Fn(&SensitivityRow) -> f64| f64_array(rows.iter().map(|r| Some(f(r))).collect());
    vec![
        s(&|r| &r.design),
        s(&|r| &r.outcome),
        s(&|r| &r.subject),
        f(&|r| r.estimate),
        f(&|r| r.se),
        f(&|r| r.estimate / r.se),
        f(&|r| r.dof),
        f(&|r| r.partial_r2),
        f(&|r| r.rv),
        f(&|r| r.rv_significance),
        f(&|r| r.e_value),
        f(&|r| r.e_value_ci),
    ]
}
