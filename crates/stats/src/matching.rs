//! Greedy nearest-neighbour matching on a distance (propensity score), as R MatchIt 4.5.1's
//! `matchit(method = "nearest")` with a distance vector, and what MatchIt computes from a match:
//! weights, the ATT with a cluster-robust standard error, and a balance table.
//!
//! The algorithm (MatchIt's `nn_matchC_vec`): all units are sorted by distance (stable). For
//! `r = 1..ratio` rounds, the treated units are visited in the matching order (`largest` distance
//! first by default, `smallest`, or `data` order; with replacement MatchIt always uses data
//! order); each takes the nearest eligible control to its left or right in the sorted order
//! (the left one on a tie), skipping treated units and used-up controls; the search stops at the
//! first otherwise eligible control outside the caliper (`caliper` × SD of the distance over all
//! units). Without replacement a control is used once; with replacement any number of times, but
//! never twice for the same treated unit.
//!
//! MatchIt 4.5.1-4.5.3 (Debian ships 4.5.1) take `abs()` of distance differences as integers in
//! this path, so they always pick the left neighbour and never apply a caliper (MatchIt issue
//! #163). We do what MatchIt documents and later versions do; the agreement test therefore
//! feeds MatchIt the propensity score as a distance matrix, whose path is unaffected
//! (`tests/reference/matchit_reference.R`).

use crate::describe::sd;
use crate::{Error, Result};

/// Order in which treated units are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOrder {
    /// Highest distance first (MatchIt's default for a propensity score, ATT).
    Largest,
    /// Lowest distance first.
    Smallest,
    /// Data order.
    Data,
}

/// What to match.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchSpec {
    /// Controls per treated unit.
    pub ratio: usize,
    /// Controls may be reused.
    pub replace: bool,
    /// Caliper in standard deviations of the distance; None for no caliper.
    pub caliper: Option<f64>,
    /// Matching order (ignored with replacement, as in MatchIt).
    pub order: MatchOrder,
}

/// A match: for each treated unit (in data order), its matched controls in round order.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// Unit indices of the treated units, in data order.
    pub treated: Vec<usize>,
    /// Matched control unit indices per treated unit (possibly fewer than `ratio`).
    pub controls: Vec<Vec<usize>>,
    /// MatchIt's weights per unit: 1 for a matched treated unit, for a control the sum over
    /// the treated units it serves of 1 / (that unit's number of matches), scaled so the control
    /// weights sum to the number of distinct matched controls; 0 for unmatched units.
    pub weights: Vec<f64>,
}

/// Matches treated (`treat[i]`) to control units on `distance`.
pub fn nearest(treat: &[bool], distance: &[f64], spec: &MatchSpec) -> Result<Matched> {
    nearest_with_sd(treat, distance, spec, sd(distance))
}

/// [`nearest`] with the caliper's SD given (MatchIt takes it over the whole sample also when
/// matching within exact strata).
pub fn nearest_with_sd(
    treat: &[bool],
    distance: &[f64],
    spec: &MatchSpec,
    distance_sd: f64,
) -> Result<Matched> {
    let n = treat.len();
    if distance.len() != n {
        return Err(Error::Input("one distance per unit is needed".into()));
    }
    if distance.iter().any(|d| !d.is_finite()) {
        return Err(Error::Input("distances must be finite".into()));
    }
    if spec.ratio == 0 {
        return Err(Error::Input("ratio must be at least 1".into()));
    }
    let treated: Vec<usize> = (0..n).filter(|&i| treat[i]).collect();
    if treated.is_empty() || treated.len() == n {
        return Err(Error::Input(
            "matching needs treated and control units".into(),
        ));
    }
    let caliper = spec.caliper.map(|c| c * distance_sd);
    // Sorted positions (stable, ascending) and back.
    let mut sorted: Vec<usize> = (0..n).collect();
    sorted.sort_by(|&a, &b| distance[a].total_cmp(&distance[b]));
    let mut pos = vec![0; n];
    for (k, &u) in sorted.iter().enumerate() {
        pos[u] = k;
    }
    let order = if spec.replace {
        MatchOrder::Data
    } else {
        spec.order
    };
    let mut visit: Vec<usize> = (0..treated.len()).collect();
    match order {
        MatchOrder::Data => {}
        MatchOrder::Largest => {
            visit.sort_by(|&a, &b| distance[treated[b]].total_cmp(&distance[treated[a]]))
        }
        MatchOrder::Smallest => {
            visit.sort_by(|&a, &b| distance[treated[a]].total_cmp(&distance[treated[b]]))
        }
    }
    let reuse_max = if spec.replace { usize::MAX } else { 1 };
    let mut times = vec![0usize; n];
    let mut usable: Vec<bool> = (0..n).map(|u| !treat[u]).collect();
    let mut usable_left = usable.iter().filter(|&&b| b).count();
    let mut controls: Vec<Vec<usize>> = vec![Vec::new(); treated.len()];
    'rounds: for r in 0..spec.ratio {
        for &t in &visit {
            let ii = pos[treated[t]];
            let dti = distance[treated[t]];
            let skip_already = |k: usize, mine: &[usize]| r > 0 && mine.contains(&sorted[k]);
            let search = |dir: isize| -> Option<usize> {
                let mut k = ii as isize + dir;
                while k >= 0 && (k as usize) < n {
                    let ku = k as usize;
                    let u = sorted[ku];
                    if treat[u] || skip_already(ku, &controls[t]) || !usable[u] {
                        k += dir;
                        continue;
                    }
                    if let Some(c) = caliper
                        && (dti - distance[u]).abs() > c
                    {
                        return None;
                    }
                    return Some(ku);
                }
                None
            };
            let k = match (search(-1), search(1)) {
                (Some(l), Some(rt)) => {
                    if (distance[sorted[l]] - dti).abs() <= (distance[sorted[rt]] - dti).abs() {
                        l
                    } else {
                        rt
                    }
                }
                (Some(l), None) => l,
                (None, Some(rt)) => rt,
                (None, None) => continue,
            };
            let u = sorted[k];
            controls[t].push(u);
            times[u] += 1;
            if times[u] >= reuse_max {
                usable[u] = false;
                usable_left -= 1;
            }
            if usable_left == 0 {
                break 'rounds;
            }
        }
    }
    let weights = weights_of(treat, &treated, &controls);
    Ok(Matched {
        treated,
        controls,
        weights,
    })
}

/// MatchIt's weights of a match (see [`Matched::weights`]).
pub fn weights_of(treat: &[bool], treated: &[usize], controls: &[Vec<usize>]) -> Vec<f64> {
    let n = treat.len();
    let mut weights = vec![0.0; n];
    for (t, cs) in controls.iter().enumerate() {
        if cs.is_empty() {
            continue;
        }
        weights[treated[t]] = 1.0;
        for &c in cs {
            weights[c] += 1.0 / cs.len() as f64;
        }
    }
    let distinct = (0..n).filter(|&u| !treat[u] && weights[u] > 0.0).count() as f64;
    let total: f64 = (0..n).filter(|&u| !treat[u]).map(|u| weights[u]).sum();
    if total > 0.0 {
        for u in (0..n).filter(|&u| !treat[u]) {
            weights[u] *= distinct / total;
        }
    }
    weights
}

impl Matched {
    /// The match restricted to the matched sets of the treated units `keep` selects (weights
    /// recomputed), for subgroup effects.
    pub fn restrict(&self, treat: &[bool], keep: impl Fn(usize) -> bool) -> Matched {
        let (treated, controls): (Vec<usize>, Vec<Vec<usize>>) = self
            .treated
            .iter()
            .zip(&self.controls)
            .filter(|(t, _)| keep(**t))
            .map(|(t, c)| (*t, c.clone()))
            .unzip();
        let weights = weights_of(treat, &treated, &controls);
        Matched {
            treated,
            controls,
            weights,
        }
    }
}

/// The ATT of a match: the weighted difference in mean outcome (`lm(y ~ treat, weights)`), and
/// its cluster-robust standard error as `sandwich::vcovCL(type = "HC1")`: clusters are the
/// matched sets (a treated unit with its controls) without replacement and single units with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Att {
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Matched treated units.
    pub n_treated: usize,
    /// Distinct matched controls.
    pub n_control: usize,
}

/// ATT and SE of a match on outcome `y`.
pub fn att(m: &Matched, treat: &[bool], y: &[f64], replace: bool) -> Result<Att> {
    let units: Vec<usize> = (0..y.len()).filter(|&u| m.weights[u] > 0.0).collect();
    let (mut sw1, mut sy1, mut sw0, mut sy0) = (0.0, 0.0, 0.0, 0.0);
    for &u in &units {
        let w = m.weights[u];
        if treat[u] {
            sw1 += w;
            sy1 += w * y[u];
        } else {
            sw0 += w;
            sy0 += w * y[u];
        }
    }
    if sw1 == 0.0 || sw0 == 0.0 {
        return Err(Error::Input("no matched pairs".into()));
    }
    let (m1, m0) = (sy1 / sw1, sy0 / sw0);
    let estimate = m1 - m0;
    // Cluster of each unit: its matched set (the first treated unit it belongs to; MatchIt's
    // subclass) or itself.
    let mut cluster = vec![usize::MAX; y.len()];
    if replace {
        for &u in &units {
            cluster[u] = u;
        }
    } else {
        for (t, cs) in m.controls.iter().enumerate() {
            if cs.is_empty() {
                continue;
            }
            cluster[m.treated[t]] = t;
            for &c in cs {
                cluster[c] = t;
            }
        }
    }
    // y = a + b treat, weights w: bread (X'WX)^-1, meat sum_g s_g s_g', s_g = sum_i w_i e_i x_i.
    let (mut s00, mut s01, mut s11) = (0.0, 0.0, 0.0);
    let mut scores: std::collections::BTreeMap<usize, (f64, f64)> = Default::default();
    for &u in &units {
        let w = m.weights[u];
        let x1 = f64::from(u8::from(treat[u]));
        s00 += w;
        s01 += w * x1;
        s11 += w * x1 * x1;
        let e = y[u] - if treat[u] { m1 } else { m0 };
        let s = scores.entry(cluster[u]).or_default();
        s.0 += w * e;
        s.1 += w * e * x1;
    }
    let det = s00 * s11 - s01 * s01;
    let inv = [s11 / det, -s01 / det, -s01 / det, s00 / det];
    let (mut m00, mut m01, mut m11) = (0.0, 0.0, 0.0);
    for (a, b) in scores.values() {
        m00 += a * a;
        m01 += a * b;
        m11 += b * b;
    }
    let g = scores.len() as f64;
    let n = units.len() as f64;
    let c = g / (g - 1.0) * (n - 1.0) / (n - 2.0);
    // Element (1, 1) of inv * meat * inv.
    let (i10, i11) = (inv[2], inv[3]);
    let v11 = i10 * (m00 * i10 + m01 * i11) + i11 * (m01 * i10 + m11 * i11);
    Ok(Att {
        estimate,
        se: (c * v11).sqrt(),
        n_treated: (0..y.len())
            .filter(|&u| treat[u] && m.weights[u] > 0.0)
            .count(),
        n_control: (0..y.len())
            .filter(|&u| !treat[u] && m.weights[u] > 0.0)
            .count(),
    })
}

/// One covariate's balance, as MatchIt's `summary(standardize = TRUE)` (cobalt's ATT defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Balance {
    /// Standardised mean difference: (weighted mean treated − weighted mean control) / SD of the
    /// treated in the unmatched sample (√(p(1−p)) for a 0/1 variable); the raw difference when it
    /// is below √ε.
    pub smd: f64,
    /// Variance ratio treated / control (weighted, unbiased); None for a 0/1 variable.
    pub var_ratio: Option<f64>,
}

fn wvar(x: &[f64], w: &[f64], binary: bool) -> f64 {
    let sw: f64 = w.iter().sum();
    let mx: f64 = x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    if binary {
        return mx * (1.0 - mx);
    }
    let sw2: f64 = w.iter().map(|b| (b / sw).powi(2)).sum();
    x.iter()
        .zip(w)
        .map(|(a, b)| b / sw * (a - mx).powi(2))
        .sum::<f64>()
        / (1.0 - sw2)
}

/// Balance of covariate `x`: before matching with `weights = None`, after with the match's.
pub fn balance(x: &[f64], treat: &[bool], weights: Option<&[f64]>) -> Balance {
    let binary = x.iter().all(|v| *v == 0.0 || *v == 1.0);
    let ones = vec![1.0; x.len()];
    let w = weights.unwrap_or(&ones);
    let pick = |t: bool, v: &[f64]| -> Vec<f64> {
        (0..x.len())
            .filter(|&i| treat[i] == t)
            .map(|i| v[i])
            .collect()
    };
    let (x1, x0, w1, w0) = (pick(true, x), pick(false, x), pick(true, w), pick(false, w));
    let wm = |x: &[f64], w: &[f64]| {
        x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>()
    };
    let diff = wm(&x1, &w1) - wm(&x0, &w0);
    let sd_t = wvar(&x1, &vec![1.0; x1.len()], binary).sqrt();
    let smd = if diff.abs() > f64::EPSILON.sqrt() {
        diff / sd_t
    } else {
        diff
    };
    let keep = |x: &[f64], w: &[f64]| -> (Vec<f64>, Vec<f64>) {
        x.iter()
            .zip(w)
            .filter(|(_, b)| **b != 0.0)
            .map(|(a, b)| (*a, *b))
            .unzip()
    };
    let var_ratio = (!binary).then(|| {
        let (a1, b1) = keep(&x1, &w1);
        let (a0, b0) = keep(&x0, &w0);
        wvar(&a1, &b1, false) / wvar(&a0, &b0, false)
    });
    Balance { smd, var_ratio }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(ratio: usize, replace: bool, caliper: Option<f64>) -> MatchSpec {
        MatchSpec {
            ratio,
            replace,
            caliper,
            order: MatchOrder::Largest,
        }
    }

    #[test]
    fn nearest_by_hand() {
        // Distances: treated at 0.50 and 0.80; controls at 0.10, 0.45, 0.56, 0.79, 0.95.
        let treat = [true, false, true, false, false, false, false];
        let d = [0.50, 0.45, 0.80, 0.10, 0.56, 0.79, 0.95];
        let m = nearest(&treat, &d, &spec(1, false, None)).unwrap();
        // Largest first: 0.80 takes 0.79; then 0.50 takes 0.45 (0.05 < 0.06).
        assert_eq!(m.controls, vec![vec![1], vec![5]]);
        // Ratio 2: second round, 0.80 takes 0.95 (0.15 vs 0.24 to 0.56); 0.50 takes 0.56.
        let m = nearest(&treat, &d, &spec(2, false, None)).unwrap();
        assert_eq!(m.controls, vec![vec![1, 4], vec![5, 6]]);
        // A caliper of 0.1 SD of the distances (SD 0.28 -> 0.028) leaves only the 0.79 match.
        let m = nearest(&treat, &d, &spec(1, false, Some(0.1))).unwrap();
        assert_eq!(m.controls, vec![vec![], vec![5]]);
        assert_eq!(m.weights, vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
        // With replacement both may take the same control.
        let treat2 = [true, true, false, false];
        let d2 = [0.50, 0.52, 0.51, 0.90];
        let m = nearest(&treat2, &d2, &spec(1, true, None)).unwrap();
        assert_eq!(m.controls, vec![vec![2], vec![2]]);
        assert_eq!(m.weights, vec![1.0, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn att_of_pairs_is_the_mean_pair_difference() {
        let treat = [true, false, true, false];
        let d = [0.2, 0.21, 0.8, 0.79];
        let y = [3.0, 1.0, 5.0, 2.0];
        let m = nearest(&treat, &d, &spec(1, false, None)).unwrap();
        let a = att(&m, &treat, &y, false).unwrap();
        assert!((a.estimate - 2.5).abs() < 1e-12);
        assert_eq!((a.n_treated, a.n_control), (2, 2));
        assert!(a.se > 0.0);
    }

    #[test]
    fn balance_of_a_binary_and_a_continuous_covariate() {
        let treat = [true, true, false, false];
        let b = balance(&[1.0, 0.0, 0.0, 0.0], &treat, None);
        // p_t = 0.5, p_c = 0 -> (0.5 - 0) / sqrt(0.25) = 1.
        assert!((b.smd - 1.0).abs() < 1e-12 && b.var_ratio.is_none());
        let b = balance(&[1.0, 3.0, 0.0, 4.0], &treat, None);
        // means 2 vs 2 -> raw difference 0; variances 2 / 8.
        assert_eq!(b.smd, 0.0);
        assert!((b.var_ratio.unwrap() - 0.25).abs() < 1e-12);
    }
}
