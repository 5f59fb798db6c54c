//! Descriptive statistics.

use statrs::distribution::{Binomial, DiscreteCDF};

/// Mean and sample standard deviation (n - 1 denominator; 0 for fewer than two values).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// Sample standard deviation (n - 1 denominator; 0 for fewer than two values).
pub fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    mean_sd(v).1
}

/// Median of sorted values (the mean of the middle two for an even count); None when empty.
pub fn median_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(0.5 * (sorted[n / 2 - 1] + sorted[n / 2])),
    }
}

/// Distribution-free confidence interval for the median from order statistics (e.g. Conover,
/// *Practical Nonparametric Statistics*, 3rd ed., §3.2): `[x_(k), x_(n+1-k)]` with `k` the
/// largest rank such that `P(B <= k - 1) <= (1 - level) / 2` for `B ~ Binomial(n, 1/2)`, so the
/// coverage is at least `level`. `sorted` must be sorted; None when `n` is too small for any
/// interval to reach the level (below 6 values at 95%).
pub fn median_ci_sorted(sorted: &[f64], level: f64) -> Option<(f64, f64)> {
    let n = sorted.len();
    if n == 0 || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let alpha = (1.0 - level) / 2.0;
    let b = Binomial::new(0.5, n as u64).ok()?;
    // Largest j = k - 1 with P(B <= j) <= alpha.
    let mut k = 0;
    while k < n / 2 && b.cdf(k as u64) <= alpha {
        k += 1;
    }
    if k == 0 {
        return None;
    }
    Some((sorted[k - 1], sorted[n - k]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_sd() {
        let (m, sd) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m, 5.0);
        assert!((sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn medians() {
        assert_eq!(median_sorted(&[]), None);
        assert_eq!(median_sorted(&[1.0, 5.0, 9.0]), Some(5.0));
        assert_eq!(median_sorted(&[1.0, 5.0, 7.0, 9.0]), Some(6.0));
    }

    #[test]
    fn median_ci_ranks_match_the_binomial_table() {
        // Ranks of the 95% interval: n = 6 -> (1, 6), 10 -> (2, 9), 20 -> (6, 15),
        // 50 -> (18, 33), 100 -> (40, 61) (Conover Table A3 / exact binomial; e.g. for n = 100,
        // P(B <= 39) = 0.0176 <= 0.025 < P(B <= 40) = 0.0284).
        for (n, lo, hi) in [
            (6, 1, 6),
            (10, 2, 9),
            (20, 6, 15),
            (50, 18, 33),
            (100, 40, 61),
        ] {
            let x: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            assert_eq!(
                median_ci_sorted(&x, 0.95),
                Some((lo as f64, hi as f64)),
                "n = {n}"
            );
        }
        assert_eq!(median_ci_sorted(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95), None);
        assert_eq!(median_ci_sorted(&[], 0.95), None);
    }
}
