//! The growth rows the growth charts plot: one growth percentile per pupil, the best the run
//! has ([`Measure`]), and the pupil's status (baseline percentile).

use std::collections::{BTreeMap, BTreeSet};

use leerwinst_stats::dist::phi;
use leerwinst_store::{Frame, opt, opt_str};

use crate::text::Texts;

/// Which growth percentile the charts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Conditional growth percentile (norms).
    Cgp,
    /// Student growth percentile.
    Sgp,
    /// Percentile rank of the (annualised) gain within subject, grade, window and year.
    Rank,
}

impl Measure {
    /// Axis title.
    pub fn label(self, t: &Texts) -> &str {
        match self {
            Measure::Cgp => t.t(
                "Conditioneel groeipercentiel (normgroei)",
                "Conditional growth percentile (growth norms)",
            ),
            Measure::Sgp => t.t(
                "Groeipercentiel (SGP, t.o.v. leerlingen met dezelfde beginscore)",
                "Student growth percentile (SGP, vs pupils with the same starting score)",
            ),
            Measure::Rank => t.t(
                "Groeirang binnen vak en jaargroep (percentiel)",
                "Growth rank within subject and grade (percentile)",
            ),
        }
    }

    /// Short name for CSV files.
    pub fn code(self) -> &'static str {
        match self {
            Measure::Cgp => "cgp",
            Measure::Sgp => "sgp",
            Measure::Rank => "growth_rank",
        }
    }
}

/// One pupil's growth row, reduced to what the charts need.
#[derive(Debug, Clone)]
pub struct Row {
    /// Pseudonymised pupil.
    pub pupil: String,
    /// School in the follow-up year.
    pub school: String,
    /// Class in the follow-up year.
    pub class: Option<String>,
    /// School year of the follow-up test.
    pub year: String,
    /// The school ran the programme.
    pub programme: bool,
    /// Baseline percentile, 100 * Phi(baseline_z).
    pub status: Option<f64>,
    /// Growth percentile (see [`Measure`]).
    pub growth: Option<f64>,
}

/// Growth rows of one window, with the measure chosen for them.
#[derive(Debug, Clone)]
pub struct GrowthRows {
    /// The rows.
    pub rows: Vec<Row>,
    /// The growth percentile used.
    pub measure: Measure,
    /// Latest school year in the window.
    pub latest: String,
    /// The growth window.
    pub window: String,
}

impl GrowthRows {
    /// The rows of `window` from the growth table.
    pub fn of(growth: &Frame, window: &str) -> GrowthRows {
        let w = growth.str("window");
        let idx: Vec<usize> = (0..growth.len())
            .filter(|&i| w.value(i) == window)
            .collect();
        let (cgp, sgp) = (growth.f64("cgp"), growth.i32("sgp"));
        let measure = if idx.iter().any(|&i| opt(cgp, i).is_some()) {
            Measure::Cgp
        } else if idx.iter().any(|&i| opt(sgp, i).is_some()) {
            Measure::Sgp
        } else {
            Measure::Rank
        };
        let ranks = (measure == Measure::Rank).then(|| gain_ranks(growth, &idx));
        let (school, class, year, prog, bz) = (
            growth.str("school_key"),
            growth.str("group_key"),
            growth.str("school_year"),
            growth.bool("programme"),
            growth.f64("baseline_z"),
        );
        let pupil = growth.str("pupil_key");
        let mut rows = Vec::with_capacity(idx.len());
        for (k, &i) in idx.iter().enumerate() {
            let Some(s) = opt_str(school, i) else {
                continue;
            };
            let g = match measure {
                Measure::Cgp => opt(cgp, i),
                Measure::Sgp => opt(sgp, i).map(f64::from),
                Measure::Rank => ranks.as_ref().and_then(|r| r[k]),
            };
            rows.push(Row {
                pupil: pupil.value(i).to_string(),
                school: s.to_string(),
                class: opt_str(class, i).map(str::to_string),
                year: year.value(i).to_string(),
                programme: prog.value(i),
                status: opt(bz, i).map(|z| 100.0 * phi(z)),
                growth: g,
            });
        }
        let latest = rows
            .iter()
            .map(|r| r.year.clone())
            .max()
            .unwrap_or_default();
        GrowthRows {
            rows,
            measure,
            latest,
            window: window.to_string(),
        }
    }
}

/// The window with the most school years (for a trend), `preferred` on a tie; `preferred` when
/// the table is empty.
pub fn trend_window(growth: &Frame, preferred: &str) -> String {
    let (w, y) = (growth.str("window"), growth.str("school_year"));
    let mut years: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in 0..growth.len() {
        years.entry(w.value(i)).or_default().insert(y.value(i));
    }
    let best = |w: &str| years.get(w).map_or(0, BTreeSet::len);
    let mut pick = preferred;
    for &w in years.keys() {
        if best(w) > best(pick) {
            pick = w;
        }
    }
    pick.to_string()
}

/// Mid-rank percentile (ties share the mean rank) of the annualised gain, else the gain, within
/// subject, grade and follow-up year; one entry per index in `idx`.
fn gain_ranks(growth: &Frame, idx: &[usize]) -> Vec<Option<f64>> {
    let (subject, grade, year) = (
        growth.str("subject"),
        growth.i32("grade"),
        growth.str("school_year"),
    );
    let (ann, gain) = (growth.f64("annualised_gain"), growth.f64("gain"));
    // (subject, grade, year) -> (gain, position in idx)
    type Cells = BTreeMap<(String, Option<i32>, String), Vec<(f64, usize)>>;
    let mut cells = Cells::new();
    for (k, &i) in idx.iter().enumerate() {
        let Some(v) = opt(ann, i).or(opt(gain, i)) else {
            continue;
        };
        cells
            .entry((
                subject.value(i).to_string(),
                opt(grade, i),
                year.value(i).to_string(),
            ))
            .or_default()
            .push((v, k));
    }
    let mut out = vec![None; idx.len()];
    for cell in cells.into_values() {
        let values: Vec<f64> = cell.iter().map(|c| c.0).collect();
        for (c, pct) in cell.iter().zip(mid_rank_percentiles(&values)) {
            out[c.1] = Some(pct);
        }
    }
    out
}

/// Percentile of each value's mid-rank: 100 * (rank - 0.5) / n, ties sharing their mean rank.
fn mid_rank_percentiles(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let n = values.len() as f64;
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let pct = 100.0 * ((i + j) as f64 / 2.0 + 0.5) / n;
        for &k in &order[i..=j] {
            out[k] = pct;
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mid_ranks_share_ties_and_centre_on_50() {
        // R: 100 * (rank(c(5, 1, 3, 3)) - 0.5) / 4 = 87.5 12.5 50 50
        assert_eq!(
            mid_rank_percentiles(&[5.0, 1.0, 3.0, 3.0]),
            vec![87.5, 12.5, 50.0, 50.0]
        );
        assert_eq!(mid_rank_percentiles(&[7.0]), vec![50.0]);
        let p = mid_rank_percentiles(&(0..99).map(f64::from).collect::<Vec<_>>());
        assert!((p.iter().sum::<f64>() / 99.0 - 50.0).abs() < 1e-9);
    }
}
