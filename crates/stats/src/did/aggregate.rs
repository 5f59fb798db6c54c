//! Aggregations of ATT(g, t) as `did::aggte` forms them, each with its influence function (so
//! that standard errors and bootstrap bands follow): the overall effect (`simple`), by group
//! (`group`), by calendar period (`calendar`) and by event time, periods since the start
//! (`dynamic`, pre-periods included as placebo estimates).
//!
//! Weights are the groups' shares of units (`pg`); where they weigh cells of different groups the
//! influence function includes the estimation of those shares (did's `wif`). Cells without an ATT
//! are left out (`na.rm = TRUE`).
//!
//! The weights' influence function of the overall `group` effect uses each group's own indicator,
//! as did 2.3.0 does (did 2.1.2 passed the cells' groups there, a bug fixed since; the reference
//! outputs are from 2.3.0).

use super::{AttGt, analytic_se};

/// The aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Weighted mean of all post-treatment cells.
    Simple,
    /// By group (first treated period); overall: weighted by group size.
    Group,
    /// By calendar period; overall: mean over periods.
    Calendar,
    /// By event time (period - group); overall: mean over event times >= 0.
    Dynamic,
}

/// An aggregated estimate and its influence function (one value per unit).
#[derive(Debug, Clone)]
pub struct Estimate {
    /// Point estimate.
    pub att: f64,
    /// Influence function.
    pub influence: Vec<f64>,
}

impl Estimate {
    /// Analytic standard error.
    pub fn se(&self) -> Option<f64> {
        analytic_se(&self.influence)
    }
}

/// An aggregation: the overall estimate and one per group, period or event time.
#[derive(Debug, Clone)]
pub struct Aggregate {
    /// Which aggregation.
    pub kind: Kind,
    /// Overall estimate.
    pub overall: Estimate,
    /// `(group, period or event time, estimate)`, in increasing order.
    pub rows: Vec<(i32, Estimate)>,
}

/// The cells with an ATT: index into the fit, group, period, ATT.
struct Cells {
    idx: Vec<usize>,
    group: Vec<i32>,
    time: Vec<i32>,
    att: Vec<f64>,
}

/// The weights' influence function: for cells `keep` with group shares `pg`,
/// `d/dp (sum pg_k att_k / sum pg_k)` contributions per unit (did's `wif`, times `att`).
fn weight_influence(unit_group: &[i32], groups: &[i32], pg: &[f64], att: &[f64]) -> Vec<f64> {
    let total: f64 = pg.iter().sum();
    let weighted_att: f64 = pg.iter().zip(att).map(|(p, a)| p * a).sum::<f64>() / (total * total);
    unit_group
        .iter()
        .map(|&ug| {
            let mut if1 = 0.0;
            let mut dev_sum = 0.0;
            for k in 0..groups.len() {
                let dev = f64::from(u8::from(ug == groups[k])) - pg[k];
                if1 += dev / total * att[k];
                dev_sum += dev;
            }
            if1 - dev_sum * weighted_att
        })
        .collect()
}

/// `sum_k w_k psi_k (+ wif)`.
fn combine(fit: &AttGt, idx: &[usize], w: &[f64], wif: Option<Vec<f64>>) -> Vec<f64> {
    let mut out = wif.unwrap_or_else(|| vec![0.0; fit.units()]);
    for (&k, &wk) in idx.iter().zip(w) {
        for (o, v) in out.iter_mut().zip(&fit.influence[k]) {
            *o += wk * v;
        }
    }
    out
}

/// Weighted aggregate of the cells `which` (positions in `c`), weights the group shares.
fn weighted(
    fit: &AttGt,
    c: &Cells,
    which: &[usize],
    share: &dyn Fn(i32) -> f64,
) -> Option<Estimate> {
    if which.is_empty() {
        return None;
    }
    let pg: Vec<f64> = which.iter().map(|&j| share(c.group[j])).collect();
    let total: f64 = pg.iter().sum();
    let att_k: Vec<f64> = which.iter().map(|&j| c.att[j]).collect();
    let att = pg.iter().zip(&att_k).map(|(p, a)| p * a).sum::<f64>() / total;
    let groups: Vec<i32> = which.iter().map(|&j| c.group[j]).collect();
    let wif = weight_influence(&fit.unit_group, &groups, &pg, &att_k);
    let idx: Vec<usize> = which.iter().map(|&j| c.idx[j]).collect();
    let w: Vec<f64> = pg.iter().map(|p| p / total).collect();
    Some(Estimate {
        att,
        influence: combine(fit, &idx, &w, Some(wif)),
    })
}

/// Equal-weight mean of estimates.
fn mean_of(ests: &[&Estimate], n: usize) -> Estimate {
    let k = ests.len() as f64;
    let mut influence = vec![0.0; n];
    for e in ests {
        for (o, v) in influence.iter_mut().zip(&e.influence) {
            *o += v / k;
        }
    }
    Estimate {
        att: ests.iter().map(|e| e.att).sum::<f64>() / k,
        influence,
    }
}

/// Aggregates a fit (`did::aggte(..., type, na.rm = TRUE)`, no limits on event time); None when
/// no cell qualifies.
pub fn aggregate(fit: &AttGt, kind: Kind) -> Option<Aggregate> {
    let n = fit.units();
    let mut c = Cells {
        idx: vec![],
        group: vec![],
        time: vec![],
        att: vec![],
    };
    for (k, cell) in fit.cells.iter().enumerate() {
        if let Some(a) = cell.att {
            c.idx.push(k);
            c.group.push(cell.group);
            c.time.push(cell.time);
            c.att.push(a);
        }
    }
    let share = |g: i32| fit.unit_group.iter().filter(|&&u| u == g).count() as f64 / n as f64;
    let cells = 0..c.idx.len();
    let post: Vec<usize> = cells.clone().filter(|&j| c.group[j] <= c.time[j]).collect();
    let mut glist: Vec<i32> = c.group.clone();
    glist.sort_unstable();
    glist.dedup();
    match kind {
        Kind::Simple => {
            let overall = weighted(fit, &c, &post, &share)?;
            Some(Aggregate {
                kind,
                overall,
                rows: vec![],
            })
        }
        Kind::Group => {
            let mut rows = Vec::new();
            for &g in &glist {
                let which: Vec<usize> = post.iter().copied().filter(|&j| c.group[j] == g).collect();
                if which.is_empty() {
                    continue;
                }
                let w = vec![1.0 / which.len() as f64; which.len()];
                let idx: Vec<usize> = which.iter().map(|&j| c.idx[j]).collect();
                let att = which.iter().map(|&j| c.att[j]).sum::<f64>() / which.len() as f64;
                rows.push((
                    g,
                    Estimate {
                        att,
                        influence: combine(fit, &idx, &w, None),
                    },
                ));
            }
            if rows.is_empty() {
                return None;
            }
            let groups: Vec<i32> = rows.iter().map(|r| r.0).collect();
            let pg: Vec<f64> = groups.iter().map(|&g| share(g)).collect();
            let total: f64 = pg.iter().sum();
            let att_g: Vec<f64> = rows.iter().map(|r| r.1.att).collect();
            let att = pg.iter().zip(&att_g).map(|(p, a)| p * a).sum::<f64>() / total;
            let mut influence = weight_influence(&fit.unit_group, &groups, &pg, &att_g);
            for ((_, e), p) in rows.iter().zip(&pg) {
                for (o, v) in influence.iter_mut().zip(&e.influence) {
                    *o += p / total * v;
                }
            }
            Some(Aggregate {
                kind,
                overall: Estimate { att, influence },
                rows,
            })
        }
        Kind::Calendar => {
            let min_g = *glist.first()?;
            let mut times: Vec<i32> = c.time.iter().copied().filter(|&t| t >= min_g).collect();
            times.sort_unstable();
            times.dedup();
            let rows: Vec<(i32, Estimate)> = times
                .iter()
                .filter_map(|&t| {
                    let which: Vec<usize> =
                        post.iter().copied().filter(|&j| c.time[j] == t).collect();
                    weighted(fit, &c, &which, &share).map(|e| (t, e))
                })
                .collect();
            if rows.is_empty() {
                return None;
            }
            let overall = mean_of(&rows.iter().map(|r| &r.1).collect::<Vec<_>>(), n);
            Some(Aggregate {
                kind,
                overall,
                rows,
            })
        }
        Kind::Dynamic => {
            let mut events: Vec<i32> = cells.clone().map(|j| c.time[j] - c.group[j]).collect();
            events.sort_unstable();
            events.dedup();
            let rows: Vec<(i32, Estimate)> = events
                .iter()
                .filter_map(|&e| {
                    let which: Vec<usize> = cells
                        .clone()
                        .filter(|&j| c.time[j] - c.group[j] == e)
                        .collect();
                    weighted(fit, &c, &which, &share).map(|est| (e, est))
                })
                .collect();
            let after: Vec<&Estimate> = rows.iter().filter(|r| r.0 >= 0).map(|r| &r.1).collect();
            if after.is_empty() {
                return None;
            }
            let overall = mean_of(&after, n);
            Some(Aggregate {
                kind,
                overall,
                rows,
            })
        }
    }
}
