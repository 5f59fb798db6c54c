//! Difference-in-differences with staggered adoption (Callaway & Sant'Anna 2021), as R's
//! `did` 2.3 computes it: group-time average treatment effects ATT(g, t) with the estimators of
//! [`estimators`], their influence functions, the aggregations of `aggte` ([`aggregate`]) and the
//! clustered multiplier bootstrap with simultaneous bands ([`bootstrap`]).
//!
//! A *group* g is the first period in which a unit is treated (0: never). For each group and
//! period the ATT compares the change of the group's outcome since a base period with the change
//! of a comparison set: the never-treated units, or those not yet treated (and never treated) by
//! the later of the two periods plus the anticipation. The base period is `g - 1 - anticipation`
//! for periods from g on; before g it is the period just before (`varying`) or also
//! `g - 1 - anticipation` (`universal`, where that period's own cell is 0 by construction).
//!
//! Deliberate choices, each as `did` does by default: groups first treated in the first period
//! (or before) are dropped; groups treated after the last period count as never treated; with
//! panel data units missing a period are dropped (a balanced panel); with repeated cross
//! sections each row is its own unit. Unit weights only.

pub mod aggregate;
pub mod bootstrap;
pub mod estimators;
#[cfg(test)]
mod reference_tests;

use std::collections::{BTreeSet, HashMap};

use crate::{Error, Result};
use estimators::Design;
pub use estimators::Estimator;

/// Which units form the comparison set of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonGroup {
    /// Units never treated in the data.
    NeverTreated,
    /// Never treated and not yet treated units.
    NotYetTreated,
}

/// How the base period of pre-treatment cells is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasePeriod {
    /// The period just before (short differences: placebo effects period by period).
    Varying,
    /// The last period before treatment (long differences, as an event study).
    Universal,
}

/// The settings of an ATT(g, t) fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Estimator of each cell.
    pub estimator: Estimator,
    /// Comparison set.
    pub comparison: ComparisonGroup,
    /// Base period of pre-treatment cells.
    pub base_period: BasePeriod,
    /// Periods before g in which units may already react.
    pub anticipation: i32,
    /// Panel data (the same units every period) or repeated cross sections.
    pub panel: bool,
}

/// The observations, in long form: one row per unit and period.
pub struct Observations<'a> {
    /// Outcome.
    pub y: &'a [f64],
    /// Period (e.g. the calendar year).
    pub period: &'a [i32],
    /// First period treated; 0 for never treated.
    pub group: &'a [i32],
    /// Unit (only read with panel data).
    pub unit: &'a [u32],
    /// Covariates (without the intercept), one vector per covariate.
    pub covariates: &'a [Vec<f64>],
    /// Cluster of each row (constant within a unit), for the bootstrap.
    pub cluster: Option<&'a [u32]>,
}

/// One group-time cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Group (first treated period).
    pub group: i32,
    /// Period.
    pub time: i32,
    /// ATT(g, t); None where it cannot be estimated (an empty arm, a singular design).
    pub att: Option<f64>,
    /// Whether `time >= group`.
    pub post: bool,
}

/// ATT(g, t) for every group and period, with the influence functions behind inference and
/// aggregation.
#[derive(Debug, Clone)]
pub struct AttGt {
    /// The cells, ordered by group, then period.
    pub cells: Vec<Cell>,
    /// Influence function of each cell, one value per unit (all 0 for a cell without ATT).
    pub influence: Vec<Vec<f64>>,
    /// Group of each unit.
    pub unit_group: Vec<i32>,
    /// The input row of each unit (with panel data: its row in the first period).
    pub unit_row: Vec<usize>,
    /// Cluster of each unit, when clustered.
    pub unit_cluster: Option<Vec<u32>>,
    /// Units dropped: treated in the first period, or (panel) not observed every period.
    pub dropped_units: usize,
    /// Periods of the data.
    pub periods: Vec<i32>,
}

/// `did`'s threshold below which a standard error counts as 0 (and is reported missing).
pub const SE_FLOOR: f64 = 1.490_116_119_384_765_6e-7; // sqrt(.Machine$double.eps) * 10

/// The analytic standard error of an estimate from its influence function:
/// `sqrt(sum(psi^2)) / n`; None when degenerate.
pub fn analytic_se(psi: &[f64]) -> Option<f64> {
    let n = psi.len() as f64;
    let se = (psi.iter().map(|v| v * v).sum::<f64>() / n / n).sqrt();
    (se > SE_FLOOR).then_some(se)
}

/// Sums of `psi` per cluster, in increasing cluster order.
pub fn cluster_sums(psi: &[f64], cluster: &[u32]) -> Vec<f64> {
    let mut ids: Vec<u32> = cluster.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut s = vec![0.0; ids.len()];
    for (v, c) in psi.iter().zip(cluster) {
        if let Ok(k) = ids.binary_search(c) {
            s[k] += v;
        }
    }
    s
}

/// The analytic cluster-robust standard error (did 2.5): `sqrt(sum_c S_c^2) / n` with `S_c` the
/// sum of the influence function over cluster c; without clusters [`analytic_se`].
pub fn clustered_se(psi: &[f64], cluster: Option<&[u32]>) -> Option<f64> {
    let Some(cluster) = cluster else {
        return analytic_se(psi);
    };
    let n = psi.len() as f64;
    let se = cluster_sums(psi, cluster)
        .iter()
        .map(|s| s * s)
        .sum::<f64>()
        .sqrt()
        / n;
    (se > SE_FLOOR).then_some(se)
}

impl AttGt {
    /// Units of the fit.
    pub fn units(&self) -> usize {
        self.unit_group.len()
    }

    /// Analytic standard error of cell `k`.
    pub fn se(&self, k: usize) -> Option<f64> {
        self.cells[k].att?;
        analytic_se(&self.influence[k])
    }
}

/// Per unit: its group, cluster, and outcome (and covariates) by period index.
struct Units {
    group: Vec<i32>,
    cluster: Option<Vec<u32>>,
    /// Panel: row of each (unit, period index); cross sections: one row per unit.
    rows: Vec<Vec<usize>>,
    /// Cross sections: the period index of each unit's row.
    period_of: Vec<usize>,
    dropped: usize,
}

fn check(obs: &Observations<'_>) -> Result<()> {
    let n = obs.y.len();
    let bad_len = obs.period.len() != n
        || obs.group.len() != n
        || obs.unit.len() != n
        || obs.covariates.iter().any(|c| c.len() != n)
        || obs.cluster.is_some_and(|c| c.len() != n);
    if bad_len {
        return Err(Error::Input("every column needs one value per row".into()));
    }
    if obs
        .y
        .iter()
        .chain(obs.covariates.iter().flatten())
        .any(|v| !v.is_finite())
    {
        return Err(Error::Input(
            "outcomes and covariates must be finite".into(),
        ));
    }
    if obs.group.iter().any(|&g| g < 0) {
        return Err(Error::Input(
            "a group is a period (or 0 for never treated)".into(),
        ));
    }
    Ok(())
}

/// Group-time average treatment effects (`did::att_gt`).
pub fn att_gt(obs: &Observations<'_>, s: &Settings) -> Result<AttGt> {
    check(obs)?;
    let periods: Vec<i32> = obs
        .period
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if periods.len() < 2 {
        return Err(Error::Input("at least two periods are needed".into()));
    }
    let last = *periods.last().unwrap_or(&0);
    // Groups treated after the last period count as never treated.
    let group_of = |g: i32| if g > last { 0 } else { g };
    let mut groups: BTreeSet<i32> = obs.group.iter().map(|&g| group_of(g)).collect();
    let mut tlist = periods.clone();
    let mut max_period = last;
    if !groups.contains(&0) {
        if s.comparison == ComparisonGroup::NeverTreated {
            return Err(Error::Input("there is no never-treated group".into()));
        }
        // As did: keep the periods before the last group starts; that group only compares.
        let gmax = *groups.iter().max().unwrap_or(&0);
        tlist.retain(|&t| t < gmax - s.anticipation);
        max_period = *tlist
            .last()
            .ok_or_else(|| Error::Input("no period before the last group starts".into()))?;
        groups.remove(&gmax);
    }
    let first = tlist[0];
    let glist: Vec<i32> = groups
        .iter()
        .copied()
        .filter(|&g| g > 0 && g > first + s.anticipation)
        .collect();
    if glist.is_empty() {
        return Err(Error::Input(
            "no group is first treated after the first period".into(),
        ));
    }
    let units = units(obs, s, &tlist, max_period, first, &group_of)?;
    let n = units.group.len();
    let nt = tlist.len();
    let tfac = usize::from(s.base_period == BasePeriod::Varying);
    let mut cells = Vec::new();
    let mut influence = Vec::new();
    for &g in &glist {
        let last_pre = tlist.iter().rposition(|&t| t + s.anticipation < g);
        for ti in 0..nt - tfac {
            let cur = ti + tfac;
            let mut pret = match s.base_period {
                BasePeriod::Varying => Some(ti),
                BasePeriod::Universal => last_pre,
            };
            let comparison_period = tlist[pret.map_or(ti, |p| p.max(ti)) + tfac];
            let is_control = |ug: i32| match s.comparison {
                ComparisonGroup::NeverTreated => ug == 0,
                ComparisonGroup::NotYetTreated => {
                    ug == 0 || (ug > comparison_period + s.anticipation && ug != g)
                }
            };
            if g <= tlist[cur] {
                pret = last_pre;
                if pret.is_none() {
                    // did: no pre-treatment period, the group is dropped from here on.
                    break;
                }
            }
            let Some(pret) = pret else { break };
            let post = g <= tlist[cur];
            if s.base_period == BasePeriod::Universal && pret == cur {
                cells.push(Cell {
                    group: g,
                    time: tlist[cur],
                    att: Some(0.0),
                    post,
                });
                influence.push(vec![0.0; n]);
                continue;
            }
            let fit = if s.panel {
                panel_cell(obs, s, &units, g, cur, pret, &is_control)
            } else {
                cross_section_cell(obs, s, &units, g, cur, pret, &is_control)
            };
            let (att, psi) = match fit {
                Some((att, psi)) => (Some(att), psi),
                None => (None, vec![0.0; n]),
            };
            cells.push(Cell {
                group: g,
                time: tlist[cur],
                att,
                post,
            });
            influence.push(psi);
        }
    }
    Ok(AttGt {
        cells,
        influence,
        unit_row: units.rows.iter().map(|r| r[0]).collect(),
        unit_group: units.group,
        unit_cluster: units.cluster,
        dropped_units: units.dropped,
        periods: tlist,
    })
}

/// The units of the fit: with panel data those observed in every period (a balanced panel), else
/// one per row; rows of periods after `max_period` and units treated in the first period dropped.
fn units(
    obs: &Observations<'_>,
    s: &Settings,
    tlist: &[i32],
    max_period: i32,
    first: i32,
    group_of: &dyn Fn(i32) -> i32,
) -> Result<Units> {
    let pidx: HashMap<i32, usize> = tlist.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    let early = |g: i32| g != 0 && g <= first;
    let mut u = Units {
        group: Vec::new(),
        cluster: obs.cluster.map(|_| Vec::new()),
        rows: Vec::new(),
        period_of: Vec::new(),
        dropped: 0,
    };
    if s.panel {
        let mut by_unit: HashMap<u32, Vec<Option<usize>>> = HashMap::new();
        let mut order = Vec::new();
        for r in 0..obs.y.len() {
            if obs.period[r] > max_period {
                continue;
            }
            let slot = by_unit.entry(obs.unit[r]).or_insert_with(|| {
                order.push(obs.unit[r]);
                vec![None; tlist.len()]
            });
            let p = pidx[&obs.period[r]];
            if slot[p].is_some() {
                return Err(Error::Input(
                    "a unit has two rows in one period; panel data needs one".into(),
                ));
            }
            slot[p] = Some(r);
        }
        order.sort_unstable();
        for id in order {
            let slots = &by_unit[&id];
            let rows: Option<Vec<usize>> = slots.iter().copied().collect();
            let Some(rows) = rows else {
                u.dropped += 1;
                continue;
            };
            let g = group_of(obs.group[rows[0]]);
            if early(g) || rows.iter().any(|&r| group_of(obs.group[r]) != g) {
                u.dropped += 1;
                continue;
            }
            if let (Some(c), Some(uc)) = (obs.cluster, u.cluster.as_mut()) {
                if rows.iter().any(|&r| c[r] != c[rows[0]]) {
                    return Err(Error::Input("a unit's cluster changes over time".into()));
                }
                uc.push(c[rows[0]]);
            }
            u.group.push(g);
            u.rows.push(rows);
        }
    } else {
        for r in 0..obs.y.len() {
            if obs.period[r] > max_period {
                continue;
            }
            let g = group_of(obs.group[r]);
            if early(g) {
                u.dropped += 1;
                continue;
            }
            u.group.push(g);
            if let (Some(c), Some(uc)) = (obs.cluster, u.cluster.as_mut()) {
                uc.push(c[r]);
            }
            u.rows.push(vec![r]);
            u.period_of.push(pidx[&obs.period[r]]);
        }
    }
    if u.group.is_empty() {
        return Err(Error::Input("no units left to compare".into()));
    }
    Ok(u)
}

/// The design matrix (intercept and covariates) of the given rows.
fn design_columns(obs: &Observations<'_>, rows: &[usize]) -> Vec<Vec<f64>> {
    let mut cols = vec![vec![1.0; rows.len()]];
    cols.extend(
        obs.covariates
            .iter()
            .map(|c| rows.iter().map(|&r| c[r]).collect()),
    );
    cols
}

/// Whether DRDID would have problems did checks for before estimating: a propensity score of
/// 0.999 or more (a plain logit of the treatment), or too few comparison units for the outcome
/// regression (a near-singular cross product).
fn likely_problems(est: Estimator, cols: &[Vec<f64>], d: &[f64]) -> bool {
    if est != Estimator::Regression {
        match crate::logistic::logistic(d, &cols[1..]) {
            Ok(fit) if fit.fitted.iter().all(|&p| p < 0.999) => {}
            _ => return true,
        }
    }
    if est != Estimator::InverseProbability {
        // The comparison units' cross product (its scale does not matter to the check).
        let controls: Vec<f64> = d.iter().map(|&v| f64::from(u8::from(v == 0.0))).collect();
        let xtx = Design::new(cols).cross(&controls);
        if crate::linalg::invert(&xtx, cols.len()).is_none() {
            return true;
        }
    }
    false
}

/// A cell's influence function over all `n` units: its units' values times n / n1 (did's
/// rescaling to the full sample), 0 for the units it does not use.
fn spread(psi: &[f64], keep: &[usize], n: usize) -> Vec<f64> {
    let scale = n as f64 / keep.len() as f64;
    let mut full = vec![0.0; n];
    for (&v, &i) in psi.iter().zip(keep) {
        full[i] = v * scale;
    }
    full
}

fn panel_cell(
    obs: &Observations<'_>,
    s: &Settings,
    u: &Units,
    g: i32,
    cur: usize,
    pret: usize,
    is_control: &dyn Fn(i32) -> bool,
) -> Option<(f64, Vec<f64>)> {
    let n = u.group.len();
    let keep: Vec<usize> = (0..n)
        .filter(|&i| u.group[i] == g || is_control(u.group[i]))
        .collect();
    let d: Vec<f64> = keep
        .iter()
        .map(|&i| f64::from(u8::from(u.group[i] == g)))
        .collect();
    if !d.contains(&1.0) || !d.contains(&0.0) {
        return None;
    }
    let y1: Vec<f64> = keep.iter().map(|&i| obs.y[u.rows[i][cur]]).collect();
    let y0: Vec<f64> = keep.iter().map(|&i| obs.y[u.rows[i][pret]]).collect();
    // Covariates from the earlier of the two periods (BMisc::panel2cs2 keeps that row).
    let first_rows: Vec<usize> = keep.iter().map(|&i| u.rows[i][cur.min(pret)]).collect();
    let cols = design_columns(obs, &first_rows);
    if likely_problems(s.estimator, &cols, &d) {
        return None;
    }
    let (att, psi) = estimators::panel(s.estimator, &y1, &y0, &d, &Design::new(&cols))?;
    Some((att, spread(&psi, &keep, n)))
}

fn cross_section_cell(
    obs: &Observations<'_>,
    s: &Settings,
    u: &Units,
    g: i32,
    cur: usize,
    pret: usize,
    is_control: &dyn Fn(i32) -> bool,
) -> Option<(f64, Vec<f64>)> {
    let n = u.group.len();
    let keep: Vec<usize> = (0..n)
        .filter(|&i| {
            (u.period_of[i] == cur || u.period_of[i] == pret)
                && (u.group[i] == g || is_control(u.group[i]))
        })
        .collect();
    let d: Vec<f64> = keep
        .iter()
        .map(|&i| f64::from(u8::from(u.group[i] == g)))
        .collect();
    let post: Vec<f64> = keep
        .iter()
        .map(|&i| f64::from(u8::from(u.period_of[i] == cur)))
        .collect();
    let filled = |dv: f64, pv: f64| (0..keep.len()).any(|k| d[k] == dv && post[k] == pv);
    if !(filled(1.0, 1.0) && filled(1.0, 0.0) && filled(0.0, 1.0) && filled(0.0, 0.0)) {
        return None;
    }
    let rows: Vec<usize> = keep.iter().map(|&i| u.rows[i][0]).collect();
    let y: Vec<f64> = rows.iter().map(|&r| obs.y[r]).collect();
    let cols = design_columns(obs, &rows);
    let (att, psi) = estimators::cross_sections(s.estimator, &y, &post, &d, &Design::new(&cols))?;
    Some((att, spread(&psi, &keep, n)))
}
