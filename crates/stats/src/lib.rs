//! Numerical kernels without data frames: least squares with an absorbed fixed effect and
//! cluster-robust standard errors, small dense linear algebra, distributions and effect sizes.
//! Each is tested against an independent reference (statsmodels, R) or hand-solvable cases.

pub mod bspline;
pub mod describe;
/// Staggered-adoption difference-in-differences (Callaway & Sant'Anna) as R's did.
pub mod did;
pub mod dist;
pub mod few_clusters;
pub mod interior;
pub mod jackknife;
pub mod linalg;
pub mod logistic;
pub mod matching;
/// Linear mixed models with nested random intercepts: REML as lme4, Satterthwaite df as lmerTest.
pub mod mixed;
pub mod ols;
pub mod quantreg;
pub mod reliability;
pub mod rng;
pub mod sensitivity;
pub mod sgp;
#[cfg(test)]
mod testdata;
pub mod wild;

/// Errors of the numerical kernels.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Inputs of the wrong shape or with non-finite values.
    #[error("{0}")]
    Input(String),
    /// A singular system.
    #[error("{0}")]
    Singular(String),
}

/// Result of the kernels.
pub type Result<T> = std::result::Result<T, Error>;
