//! Student growth percentiles per pupil, subject and year-on-year window, as the SGP package
//! computes them (method: `leerwinst_stats::sgp`, `docs/indicators.md`).
//!
//! A cohort is subject x test moment x follow-up year x grade. Its pupils have a score at grade
//! `g` in year `Y` and a prior at grade `g - 1` in year `Y - 1` (order 1); order 2 adds grade
//! `g - 2` in `Y - 2` and is fitted on the pupils that have both. Cohorts are fitted in parallel
//! with rayon.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use leerwinst_core::pipeline::{SgpSettings, SolverChoice};
use leerwinst_core::{Error, Result, SchoolYear};
use leerwinst_stats::bspline::BSpline;
use leerwinst_stats::sgp::{CohortFit, Prior, Solver, derived_knots, growth_percentiles};
use leerwinst_store::{Frame, opt};
use rayon::prelude::*;
use serde::Serialize;

use leerwinst_core::term::yearly_window;

/// Knots and boundaries per (subject, prior grade).
pub type KnotTable = BTreeMap<(String, i32), (Vec<f64>, (f64, f64))>;

/// Reads a knots CSV: `content_area` (or `subject`), `prior_grade`, `knot_1`.. `knot_k`,
/// `boundary_low`, `boundary_high`. Subjects are matched case-insensitively.
pub fn read_knots(path: &Path) -> Result<KnotTable> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::input(path, e.to_string()))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let subject = col(&["content_area", "subject"])
        .ok_or_else(|| Error::input(path, "no content_area or subject column"))?;
    let grade = col(&["prior_grade", "grade"])
        .ok_or_else(|| Error::input(path, "no prior_grade column"))?;
    let lo = col(&["boundary_low"]).ok_or_else(|| Error::input(path, "no boundary_low column"))?;
    let hi =
        col(&["boundary_high"]).ok_or_else(|| Error::input(path, "no boundary_high column"))?;
    let knot_cols: Vec<usize> = (1..)
        .map_while(|k| col(&[format!("knot_{k}").as_str()]))
        .collect();
    if knot_cols.is_empty() {
        return Err(Error::input(path, "no knot_1 column"));
    }
    let mut table = KnotTable::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| Error::input(path, format!("line {line}: {e}")))?;
        let num = |c: usize| -> Result<f64> {
            rec.get(c)
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or_else(|| {
                    Error::input(
                        path,
                        format!("line {line}: column {} is not a number", headers[c]),
                    )
                })
        };
        let g = num(grade)?;
        let knots = knot_cols
            .iter()
            .map(|&c| num(c))
            .collect::<Result<Vec<_>>>()?;
        let bounds = (num(lo)?, num(hi)?);
        BSpline::new(&knots, bounds)
            .map_err(|e| Error::input(path, format!("line {line}: {e}")))?;
        table.insert(
            (
                rec.get(subject).unwrap_or("").to_lowercase(),
                g.round() as i32,
            ),
            (knots, bounds),
        );
    }
    Ok(table)
}

/// A cohort ready to fit.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// Subject.
    pub subject: String,
    /// Test moment code (`E`, `Y`).
    pub term: String,
    /// The growth window the percentiles belong to (`E-E`, `Y-Y`).
    pub window: &'static str,
    /// Follow-up school year.
    pub year: SchoolYear,
    /// Follow-up grade.
    pub grade: i32,
    /// 1 or 2 prior years.
    pub order: usize,
    /// Pupils.
    pub pupils: Vec<String>,
    /// Current scores.
    pub current: Vec<f64>,
    /// Prior scores, oldest first, with the grade they were taken in.
    pub priors: Vec<(i32, Vec<f64>)>,
}

impl Cohort {
    /// A readable name, e.g. `rekenen E 2024-2025 grade 5 order 1`.
    pub fn label(&self) -> String {
        format!(
            "{} {} {} grade {} order {}",
            self.subject, self.term, self.year, self.grade, self.order
        )
    }
}

/// Builds the cohorts of the assessments table for `settings`.
pub fn cohorts(assess: &Frame, settings: &SgpSettings) -> Vec<Cohort> {
    let (p, subj, term, year, grade, score) = (
        assess.str("pupil_key"),
        assess.str("subject"),
        assess.str("term"),
        assess.str("school_year"),
        assess.i32("grade"),
        assess.f64("score"),
    );
    // (pupil, subject, term, year) -> (grade, score)
    let mut index: HashMap<(&str, &str, &str, i32), (i32, f64)> = HashMap::new();
    for i in 0..assess.len() {
        let t = term.value(i);
        if yearly_window(t).is_none() {
            continue;
        }
        let (Some(y), Some(g)) = (SchoolYear::parse(year.value(i)), opt(grade, i)) else {
            continue;
        };
        index.insert((p.value(i), subj.value(i), t, y.0), (g, score.value(i)));
    }
    type Key = (String, String, i32, i32, usize);
    let mut groups: BTreeMap<Key, Cohort> = BTreeMap::new();
    let mut keys: Vec<_> = index.keys().copied().collect();
    keys.sort();
    for (pupil, subject, t, y) in keys {
        if !settings.years.is_empty() && !settings.years.contains(&SchoolYear(y)) {
            continue;
        }
        let (g, cur) = index[&(pupil, subject, t, y)];
        let prior = |back: i32| {
            index
                .get(&(pupil, subject, t, y - back))
                .filter(|(pg, _)| *pg == g - back)
                .map(|(_, s)| *s)
        };
        let Some(p1) = prior(1) else { continue };
        let mut add = |order: usize, priors: Vec<(i32, f64)>| {
            let c = groups
                .entry((subject.to_string(), t.to_string(), y, g, order))
                .or_insert_with(|| Cohort {
                    subject: subject.to_string(),
                    term: t.to_string(),
                    window: yearly_window(t).expect("only yearly moments are indexed"),
                    year: SchoolYear(y),
                    grade: g,
                    order,
                    pupils: Vec::new(),
                    current: Vec::new(),
                    priors: priors.iter().map(|(pg, _)| (*pg, Vec::new())).collect(),
                });
            c.pupils.push(pupil.to_string());
            c.current.push(cur);
            for (slot, (_, v)) in c.priors.iter_mut().zip(&priors) {
                slot.1.push(*v);
            }
        };
        add(1, vec![(g - 1, p1)]);
        if settings.max_order >= 2
            && let Some(p2) = prior(2)
        {
            add(2, vec![(g - 2, p2), (g - 1, p1)]);
        }
    }
    groups.into_values().collect()
}

/// Knots for every (subject, grade) a cohort needs as a prior: from `given`, else derived from
/// all scores of that subject and grade at the yearly moments by the SGP package's rule.
pub fn knots_for(cohorts: &[Cohort], assess: &Frame, given: Option<&KnotTable>) -> KnotTable {
    let mut table = KnotTable::new();
    // The (subject, grade) pairs without given knots, with their scores gathered in one pass.
    let mut derive: BTreeMap<(String, i32), Vec<f64>> = BTreeMap::new();
    for c in cohorts {
        for (g, _) in &c.priors {
            let key = (c.subject.to_lowercase(), *g);
            match given.and_then(|k| k.get(&key)) {
                Some(k) => {
                    table.insert(key, k.clone());
                }
                None => {
                    derive.entry(key).or_default();
                }
            }
        }
    }
    if derive.is_empty() {
        return table;
    }
    let (subj, term, grade, score) = (
        assess.str("subject"),
        assess.str("term"),
        assess.i32("grade"),
        assess.f64("score"),
    );
    for i in 0..assess.len() {
        let Some(g) = opt(grade, i) else { continue };
        if yearly_window(term.value(i)).is_none() {
            continue;
        }
        if let Some(scores) = derive.get_mut(&(subj.value(i).to_lowercase(), g)) {
            scores.push(score.value(i));
        }
    }
    for (key, scores) in derive {
        if let Ok(k) = derived_knots(&scores) {
            table.insert(key, k);
        }
    }
    table
}

/// The solver the settings choose.
pub fn solver_for(settings: &SgpSettings) -> Solver {
    match settings.solver {
        SolverChoice::Br => Solver::Simplex,
        SolverChoice::Fn => Solver::InteriorPoint,
    }
}

/// Fits one cohort with `solver`.
pub fn fit(cohort: &Cohort, knots: &KnotTable, solver: Solver) -> Result<CohortFit> {
    let bases = cohort
        .priors
        .iter()
        .map(|(g, _)| {
            let key = (cohort.subject.to_lowercase(), *g);
            let (k, b) = knots.get(&key).ok_or_else(|| {
                Error::Compute(format!(
                    "no knots for {} grade {g} (add them to the [growth.sgp] knots file)",
                    cohort.subject
                ))
            })?;
            BSpline::new(k, *b).map_err(|e| Error::Compute(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    let priors: Vec<Prior<'_>> = cohort
        .priors
        .iter()
        .zip(&bases)
        .map(|((_, s), b)| Prior {
            scores: s,
            basis: b,
        })
        .collect();
    growth_percentiles(&cohort.current, &priors, solver)
        .map_err(|e| Error::Compute(format!("{}: {e}", cohort.label())))
}

/// What the SGP step did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SgpSummary {
    /// Cohorts fitted.
    pub cohorts: usize,
    /// Percentiles assigned (all orders).
    pub percentiles: usize,
    /// Cohorts not fitted, with the reason.
    pub skipped: Vec<String>,
    /// Simplex pivots over all fits by the simplex.
    pub pivots: usize,
    /// Cohorts fitted by the interior-point method (the rest by the simplex).
    pub interior_point_cohorts: usize,
    /// Interior-point iterations over those cohorts' fits.
    pub interior_point_iterations: usize,
    /// Wall-clock seconds of the fits.
    pub seconds: f64,
}

/// Percentiles per (pupil, subject, follow-up year, window): (order 1, order 2).
pub type SgpIndex = HashMap<(String, String, String, &'static str), (Option<i32>, Option<i32>)>;

/// Builds, fits (in parallel) and indexes every cohort.
pub fn compute(
    assess: &Frame,
    settings: &SgpSettings,
    given: Option<&KnotTable>,
) -> (SgpIndex, SgpSummary) {
    let t0 = std::time::Instant::now();
    let all = cohorts(assess, settings);
    let knots = knots_for(&all, assess, given);
    let mut summary = SgpSummary::default();
    let (small, big): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|c| c.pupils.len() < settings.min_cohort);
    for c in &small {
        summary.skipped.push(format!(
            "{}: {} pupils, fewer than min_cohort = {}",
            c.label(),
            c.pupils.len(),
            settings.min_cohort
        ));
    }
    let fits: Vec<(Cohort, Result<(Solver, CohortFit)>)> = big
        .into_par_iter()
        .map(|c| {
            let solver = solver_for(settings);
            let f = fit(&c, &knots, solver).map(|f| (solver, f));
            (c, f)
        })
        .collect();
    let mut index = SgpIndex::new();
    for (c, f) in fits {
        let (solver, f) = match f {
            Ok(f) => f,
            Err(e) => {
                summary.skipped.push(e.to_string());
                continue;
            }
        };
        summary.cohorts += 1;
        match solver {
            Solver::Simplex => summary.pivots += f.pivots,
            Solver::InteriorPoint => {
                summary.interior_point_cohorts += 1;
                summary.interior_point_iterations += f.pivots;
            }
        }
        summary.percentiles += f.sgp.len();
        for (pupil, s) in c.pupils.iter().zip(&f.sgp) {
            let slot = index
                .entry((
                    pupil.clone(),
                    c.subject.clone(),
                    c.year.to_string(),
                    c.window,
                ))
                .or_default();
            if c.order == 1 {
                slot.0 = Some(*s as i32);
            } else {
                slot.1 = Some(*s as i32);
            }
        }
    }
    summary.seconds = t0.elapsed().as_secs_f64();
    (index, summary)
}
