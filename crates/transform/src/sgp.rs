//! Student growth percentiles per pupil, subject and growth window, as the SGP package computes
//! them (method: `leerwinst_stats::sgp`, `docs/indicators.md`).
//!
//! A cohort is subject x window x follow-up year x grade, its priors ordered in time:
//! - **year on year** (`E-E`, `Y-Y`, `F-F`, ...): a score at grade `g` in year `Y` and a prior at
//!   grade `g - 1` in year `Y - 1` (order 1); order 2 adds grade `g - 2` in `Y - 2`;
//! - **within the year** (`M-E`, `F-W`, `F-S`, `W-S`): the later moment's score at grade `g` in
//!   year `Y` and the earlier moment's at the same grade and year (order 1); order 2 adds the
//!   later moment a year before (grade `g - 1`, year `Y - 1`), as the SGP package's year
//!   progression `Y-1.2, Y.1, Y.2` takes it.
//!
//! Order 2 is fitted on the pupils that have both priors. Cohorts are fitted in parallel with
//! rayon.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use leerwinst_core::pipeline::{SgpSettings, SolverChoice};
use leerwinst_core::{Error, Result, SchoolYear};
use leerwinst_stats::bspline::BSpline;
use leerwinst_stats::sgp::{CohortFit, Prior, Solver, derived_knots, growth_percentiles};
use leerwinst_store::{Frame, opt};
use rayon::prelude::*;
use serde::Serialize;

use leerwinst_core::term::{WITHIN_YEAR_WINDOWS, yearly_window};

/// Knots and boundaries per (subject, prior grade), as a knots file gives them.
pub type KnotTable = BTreeMap<(String, i32), (Vec<f64>, (f64, f64))>;

/// The scale of a prior: the scores that share one set of knots.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PriorScale {
    /// Subject, lower case.
    pub subject: String,
    /// The grade the prior was taken in.
    pub grade: i32,
    /// The test moment when it is the earlier moment of a within-year window (`None`: a moment
    /// that recurs once a year, whose scores of a grade share one set of knots as in the SGP
    /// package).
    pub moment: Option<String>,
}

/// Where a cohort's prior was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorAt {
    /// The grade it was taken in.
    pub grade: i32,
    /// For the earlier moment of a within-year window, that moment (`None`: the moment recurs
    /// once a year).
    pub moment: Option<&'static str>,
}

/// A prior taken in `grade`, at `moment` for the earlier moment of a within-year window.
fn prior_at(grade: i32, moment: Option<&'static str>) -> PriorAt {
    PriorAt { grade, moment }
}

/// Knots and boundaries per prior scale: what [`fit`] uses.
pub type PriorKnots = BTreeMap<PriorScale, (Vec<f64>, (f64, f64))>;

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
    /// Test moment code of the current score (`E`, `Y`).
    pub term: String,
    /// The growth window the percentiles belong to (`E-E`, `Y-Y`, `M-E`).
    pub window: &'static str,
    /// Follow-up school year.
    pub year: SchoolYear,
    /// Follow-up grade.
    pub grade: i32,
    /// 1 or 2 priors.
    pub order: usize,
    /// Pupils.
    pub pupils: Vec<String>,
    /// Current scores.
    pub current: Vec<f64>,
    /// Prior scores, oldest first, with the grade they were taken in and, for the earlier
    /// moment of a within-year window, that moment.
    pub priors: Vec<(PriorAt, Vec<f64>)>,
}

impl Cohort {
    /// A readable name, e.g. `rekenen E-E 2024-2025 grade 5 order 1`.
    pub fn label(&self) -> String {
        format!(
            "{} {} {} grade {} order {}",
            self.subject, self.window, self.year, self.grade, self.order
        )
    }

    /// The scale of each prior, oldest first.
    pub fn prior_scales(&self) -> impl Iterator<Item = PriorScale> + '_ {
        self.priors.iter().map(|(at, _)| PriorScale {
            subject: self.subject.to_lowercase(),
            grade: at.grade,
            moment: at.moment.map(str::to_string),
        })
    }
}

/// The earlier moment of a within-year window that ends at `term`, with the window's name.
fn within_year_of(term: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    WITHIN_YEAR_WINDOWS
        .iter()
        .filter(move |(_, to, _)| *to == term)
        .map(|(from, _, w)| (*from, *w))
}

/// Whether a test moment starts or ends a growth window that has percentiles.
fn in_a_window(term: &str) -> bool {
    yearly_window(term).is_some()
        || WITHIN_YEAR_WINDOWS
            .iter()
            .any(|(from, to, _)| *from == term || *to == term)
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
        if !in_a_window(t) {
            continue;
        }
        let (Some(y), Some(g)) = (SchoolYear::parse(year.value(i)), opt(grade, i)) else {
            continue;
        };
        index.insert((p.value(i), subj.value(i), t, y.0), (g, score.value(i)));
    }
    type Key = (String, &'static str, i32, i32, usize);
    let mut groups: BTreeMap<Key, Cohort> = BTreeMap::new();
    let mut keys: Vec<_> = index.keys().copied().collect();
    keys.sort();
    for (pupil, subject, t, y) in keys {
        if !settings.years.is_empty() && !settings.years.contains(&SchoolYear(y)) {
            continue;
        }
        let (g, cur) = index[&(pupil, subject, t, y)];
        // The score of `moment` in year `y - back` at grade `g - back`.
        let score_at = |moment: &str, back: i32| {
            index
                .get(&(pupil, subject, moment, y - back))
                .filter(|(pg, _)| *pg == g - back)
                .map(|(_, s)| *s)
        };
        let mut add = |window: &'static str, order: usize, priors: Vec<(PriorAt, f64)>| {
            let c = groups
                .entry((subject.to_string(), window, y, g, order))
                .or_insert_with(|| Cohort {
                    subject: subject.to_string(),
                    term: t.to_string(),
                    window,
                    year: SchoolYear(y),
                    grade: g,
                    order,
                    pupils: Vec::new(),
                    current: Vec::new(),
                    priors: priors
                        .iter()
                        .map(|(scale, _)| (*scale, Vec::new()))
                        .collect(),
                });
            c.pupils.push(pupil.to_string());
            c.current.push(cur);
            for (slot, (_, v)) in c.priors.iter_mut().zip(&priors) {
                slot.1.push(*v);
            }
        };
        // Year on year: the same moment one and two years back.
        if let Some(window) = yearly_window(t)
            && let Some(p1) = score_at(t, 1)
        {
            add(window, 1, vec![(prior_at(g - 1, None), p1)]);
            if settings.max_order >= 2
                && let Some(p2) = score_at(t, 2)
            {
                add(
                    window,
                    2,
                    vec![(prior_at(g - 2, None), p2), (prior_at(g - 1, None), p1)],
                );
            }
        }
        // Within the year: the earlier moment of the same year, then this moment a year back.
        for (from, window) in within_year_of(t) {
            let Some(p1) = score_at(from, 0) else {
                continue;
            };
            let earlier = prior_at(g, Some(from));
            add(window, 1, vec![(earlier, p1)]);
            if settings.max_order >= 2
                && yearly_window(t).is_some()
                && let Some(p2) = score_at(t, 1)
            {
                add(window, 2, vec![(prior_at(g - 1, None), p2), (earlier, p1)]);
            }
        }
    }
    groups.into_values().collect()
}

/// Knots for every prior scale a cohort needs: from `given` by subject and grade, else derived
/// by the SGP package's rule from all scores of that subject and grade at the moments that
/// recur once a year (`None` scales) or at the one moment (within-year earlier moments).
pub fn knots_for(cohorts: &[Cohort], assess: &Frame, given: Option<&KnotTable>) -> PriorKnots {
    let mut table = PriorKnots::new();
    // The scales without given knots, with their scores gathered in one pass.
    let mut derive: BTreeMap<PriorScale, Vec<f64>> = BTreeMap::new();
    for scale in cohorts.iter().flat_map(Cohort::prior_scales) {
        match given.and_then(|k| k.get(&(scale.subject.clone(), scale.grade))) {
            Some(k) => {
                table.insert(scale, k.clone());
            }
            None => {
                derive.entry(scale).or_default();
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
        let (s, t) = (subj.value(i).to_lowercase(), term.value(i));
        let pooled = yearly_window(t).is_some().then_some(None);
        for moment in pooled.into_iter().chain([Some(t.to_string())]) {
            let scale = PriorScale {
                subject: s.clone(),
                grade: g,
                moment,
            };
            if let Some(scores) = derive.get_mut(&scale) {
                scores.push(score.value(i));
            }
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
pub fn fit(cohort: &Cohort, knots: &PriorKnots, solver: Solver) -> Result<CohortFit> {
    let bases = cohort
        .prior_scales()
        .map(|key| {
            let (k, b) = knots.get(&key).ok_or_else(|| {
                Error::Compute(format!(
                    "no knots for {} grade {} (add them to the [growth.sgp] knots file)",
                    cohort.subject, key.grade
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, RecordBatch};
    use leerwinst_core::Table;
    use leerwinst_store::{date_array, f64_array, i32_array, str_array};

    /// An assessments frame of (pupil, term, school year, grade, score), subject `rekenen`.
    fn assessments(rows: &[(&str, &str, &str, i32, f64)]) -> Frame {
        let n = rows.len();
        let s = |f: &dyn Fn(usize) -> Option<String>| str_array(&(0..n).map(f).collect::<Vec<_>>());
        let cols: Vec<ArrayRef> = vec![
            s(&|i| Some(rows[i].0.into())),
            s(&|_| Some("rekenen".into())),
            s(&|_| Some("cito-lvs".into())),
            date_array(vec![None; n]),
            s(&|i| Some(rows[i].1.into())),
            s(&|i| Some(rows[i].2.into())),
            i32_array(rows.iter().map(|r| Some(r.3)).collect()),
            f64_array(rows.iter().map(|r| Some(r.4)).collect()),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
            s(&|_| None),
            s(&|_| None),
            s(&|_| None),
            f64_array(vec![None; n]),
        ];
        Frame {
            path: "test".into(),
            batch: RecordBatch::try_new(Table::Assessments.schema(), cols).unwrap(),
        }
    }

    #[test]
    fn within_year_cohorts_take_the_earlier_moment_then_the_later_one_a_year_back() {
        let a = assessments(&[
            ("p1", "E", "2023-2024", 4, 180.0),
            ("p1", "M", "2024-2025", 5, 185.0),
            ("p1", "E", "2024-2025", 5, 192.0),
            // No end-of-year score last year: order 1 only.
            ("p2", "M", "2024-2025", 5, 170.0),
            ("p2", "E", "2024-2025", 5, 175.0),
            // A mid-year score at another grade is no prior.
            ("p3", "M", "2024-2025", 4, 160.0),
            ("p3", "E", "2024-2025", 5, 176.0),
            // Only a score for the knots of grade 4's end-of-year test.
            ("p4", "E", "2023-2024", 4, 150.0),
        ]);
        let settings = SgpSettings {
            knots: None,
            max_order: 2,
            years: vec![],
            min_cohort: 100,
            solver: SolverChoice::Br,
        };
        let cohorts = cohorts(&a, &settings);
        let within: Vec<&Cohort> = cohorts.iter().filter(|c| c.window == "M-E").collect();
        assert_eq!(within.len(), 2, "{cohorts:?}");
        let (o1, o2) = (within[0], within[1]);
        assert_eq!(
            (o1.order, o1.grade, &o1.pupils[..]),
            (1, 5, &["p1".to_string(), "p2".into()][..])
        );
        assert_eq!(
            o1.priors,
            vec![(prior_at(5, Some("M")), vec![185.0, 170.0])]
        );
        assert_eq!(o1.current, vec![192.0, 175.0]);
        assert_eq!(o2.pupils, ["p1"]);
        assert_eq!(
            o2.priors,
            vec![
                (prior_at(4, None), vec![180.0]),
                (prior_at(5, Some("M")), vec![185.0])
            ]
        );
        // The year-on-year cohort of p1 (E 4 -> E 5) is there too, with its own window.
        let yearly: Vec<_> = cohorts.iter().filter(|c| c.window == "E-E").collect();
        assert_eq!(
            (yearly.len(), yearly[0].priors[0].0),
            (1, prior_at(4, None))
        );
        // The mid-year prior has knots of its own, from the M scores of grade 5 alone.
        let knots = knots_for(&cohorts, &a, None);
        let scale = |grade, moment: Option<&str>| PriorScale {
            subject: "rekenen".into(),
            grade,
            moment: moment.map(str::to_string),
        };
        assert!(knots.contains_key(&scale(5, Some("M"))));
        assert!(knots.contains_key(&scale(4, None)));
    }
}
