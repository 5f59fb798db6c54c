//! Distributions for tests and intervals (statrs), and effect-size conversions.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Standard normal CDF.
pub fn phi(x: f64) -> f64 {
    Normal::standard().cdf(x)
}

/// Standard normal quantile.
pub fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Two-sided p value of a t statistic with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    let d = StudentsT::new(0.0, 1.0, df).expect("df > 0");
    2.0 * (1.0 - d.cdf(t.abs()))
}

/// The (1 - alpha/2) quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).expect("df > 0").inverse_cdf(p)
}

/// Hedges' small-sample correction factor J = 1 - 3 / (4 (n1 + n2) - 9).
pub fn hedges_j(n1: usize, n2: usize) -> f64 {
    1.0 - 3.0 / (4.0 * (n1 + n2) as f64 - 9.0)
}

/// Percentile points a median pupil gains at effect size `es` (RAND): 100 Phi(es) - 50.
pub fn percentile_points(es: f64) -> f64 {
    100.0 * phi(es) - 50.0
}

/// Benjamini-Hochberg adjusted p values (same order as the input).
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut out = vec![0.0; m];
    let mut running = 1.0f64;
    for (r, &i) in idx.iter().enumerate() {
        let rank = (m - r) as f64;
        // m / rank first: for the largest p (rank m) the factor is exactly 1, so no adjusted p
        // falls a rounding step below its raw p.
        running = running.min(p[i] * (m as f64 / rank));
        out[i] = running.min(1.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // statrs erf is accurate to about 1e-10 here.
        assert!((phi(1.959_963_984_540_054) - 0.975).abs() < 1e-9);
        // qt(0.975, 10) in R = 2.228138851986
        assert!((t_quantile(0.975, 10.0) - 2.228_138_851_986).abs() < 1e-9);
        // 2 * pt(-2, 5) in R = 0.1019394
        assert!((t_two_sided_p(2.0, 5.0) - 0.101_939_4).abs() < 1e-6);
        // RAND: 0.09 SD -> about 3.6 percentile points (scipy: 3.5856392585)
        assert!((percentile_points(0.09) - 3.585_639_258_5).abs() < 1e-8);
        assert!((hedges_j(10, 10) - (1.0 - 3.0 / 71.0)).abs() < 1e-15);
    }

    #[test]
    fn bh_matches_r_p_adjust() {
        // p.adjust(c(0.01, 0.04, 0.03, 0.20), "BH") = 0.04 0.0533 0.0533 0.20
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.20]);
        let want = [0.04, 0.053_333_333, 0.053_333_333, 0.20];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-8, "{q:?}");
        }
    }
}
