//! The multiplier bootstrap of `did` (`mboot`, as did 2.5): for each draw, Rademacher weights per
//! unit — or per cluster, applied to the cluster sums of the influence function — give a perturbed
//! estimate of every column at once. (did before 2.5 averaged within clusters, which weighs a small
//! cluster as much as a large one.) Standard errors come from the draws' interquartile range
//! (robust to a heavy tail), and the simultaneous critical value from the draws' largest
//! studentised deviation over the columns, so a band with it covers all columns jointly.

use crate::dist::normal_quantile;
use crate::rng::Rng;

/// Bootstrap results for a set of estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    /// Standard error of each column (None when degenerate).
    pub se: Vec<Option<f64>>,
    /// Critical value for a simultaneous band at the requested level.
    pub critical_value: f64,
    /// Clusters (or units when unclustered) the weights were drawn for.
    pub clusters: usize,
}

/// R's `quantile(x, p, type = 1)` of sorted values: the inverse of the empirical distribution.
fn quantile_type1(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let np = n as f64 * p;
    let j = np.floor();
    let k = if np - j > 0.0 {
        j as usize + 1
    } else {
        (j as usize).max(1)
    };
    sorted[k.min(n) - 1]
}

/// Runs `draws` bootstrap draws over influence-function columns (each one value per unit);
/// `cluster` gives each unit's cluster. `alpha` is the band's level (0.05 for 95%).
pub fn multiplier_bootstrap(
    columns: &[&[f64]],
    cluster: Option<&[u32]>,
    draws: usize,
    alpha: f64,
    seed: u64,
) -> Bootstrap {
    let n = columns.first().map_or(0, |c| c.len());
    // Cluster sums of the influence function.
    let (blocks, g): (Vec<Vec<f64>>, usize) = match cluster {
        None => (columns.iter().map(|c| c.to_vec()).collect(), n),
        Some(cl) => {
            let mut ids: Vec<u32> = cl.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let blocks = columns
                .iter()
                .map(|col| super::cluster_sums(col, cl))
                .collect();
            (blocks, ids.len())
        }
    };
    let k = columns.len();
    let mut rng = Rng::new(seed);
    let scale = (g as f64).sqrt() / g as f64;
    let mut res = vec![Vec::with_capacity(draws); k];
    let mut u = vec![0.0; g];
    for _ in 0..draws {
        for w in u.iter_mut() {
            *w = if rng.next_u64() >> 63 == 1 { 1.0 } else { -1.0 };
        }
        for (col, out) in blocks.iter().zip(res.iter_mut()) {
            out.push(scale * col.iter().zip(&u).map(|(v, w)| v * w).sum::<f64>());
        }
    }
    let iqr_scale = normal_quantile(0.75) - normal_quantile(0.25);
    let sigma: Vec<Option<f64>> = res
        .iter()
        .map(|r| {
            let sumsq: f64 = r.iter().map(|v| v * v).sum();
            if sumsq <= super::SE_FLOOR {
                return None;
            }
            let mut s = r.clone();
            s.sort_by(f64::total_cmp);
            let b = (quantile_type1(&s, 0.75) - quantile_type1(&s, 0.25)) / iqr_scale;
            (b > super::SE_FLOOR).then_some(b)
        })
        .collect();
    let mut max_t: Vec<f64> = (0..draws)
        .filter_map(|d| {
            let m = res
                .iter()
                .zip(&sigma)
                .filter_map(|(r, s)| s.map(|s| (r[d] / s).abs()))
                .fold(f64::NAN, f64::max);
            m.is_finite().then_some(m)
        })
        .collect();
    max_t.sort_by(f64::total_cmp);
    let critical_value = if max_t.is_empty() {
        f64::NAN
    } else {
        quantile_type1(&max_t, 1.0 - alpha)
    };
    Bootstrap {
        se: sigma
            .iter()
            .map(|s| s.map(|s| s * (g as f64).sqrt() / n as f64))
            .collect(),
        critical_value,
        clusters: g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_type1_matches_r() {
        // R: quantile(c(1,2,3,4,5), c(.25,.5,.75,.95), type = 1) = 2 3 4 5
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let q: Vec<f64> = [0.25, 0.5, 0.75, 0.95]
            .iter()
            .map(|&p| quantile_type1(&x, p))
            .collect();
        assert_eq!(q, vec![2.0, 3.0, 4.0, 5.0]);
        // quantile(1:4, c(.25, .5), type = 1) = 1 2
        assert_eq!(quantile_type1(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.0);
        assert_eq!(quantile_type1(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.0);
    }

    #[test]
    fn bootstrap_se_of_a_mean_is_close_to_the_analytic_one() {
        // psi_i = x_i - mean(x): se of the mean = sqrt(sum psi^2) / n.
        let mut r = Rng::new(3);
        let x: Vec<f64> = (0..400).map(|_| r.normal()).collect();
        let m = x.iter().sum::<f64>() / 400.0;
        let psi: Vec<f64> = x.iter().map(|v| v - m).collect();
        let analytic = super::super::analytic_se(&psi).unwrap();
        let b = multiplier_bootstrap(&[&psi], None, 4000, 0.05, 1);
        let se = b.se[0].unwrap();
        assert!((se / analytic - 1.0).abs() < 0.06, "{se} vs {analytic}");
        // One column: the simultaneous value is the pointwise one, about 1.96.
        assert!(
            (b.critical_value - 1.96).abs() < 0.12,
            "{}",
            b.critical_value
        );
    }
}
