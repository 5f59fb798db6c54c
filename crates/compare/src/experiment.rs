//! The experiment design: a randomised treatment held in a categorical attribute (Project STAR's
//! class types), a percentile-score outcome per grade, and a sequence of OLS models with
//! cluster-robust CR1 standard errors, as in Krueger (1999), Table V.
//!
//! Outcome (Krueger 1999, §IV): for each subtest, the pupil's percentile rank in the score
//! distribution of the pupils of the `percentile_reference` levels in the same grade,
//! `100 * (below + (equal + 1) / 2) / N` (the mid-rank of that score among the N reference
//! scores; a reference pupil gets exactly their own mid-rank); the outcome is the mean over the
//! subtests the pupil has in that grade. Regressors: one dummy per non-reference treatment level,
//! then the model's covariates; the school effect is absorbed (within transformation) when a
//! model asks for it. Observations missing a covariate leave that model only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use leerwinst_core::pipeline::Experiment;
use leerwinst_core::{Error, Result};
use leerwinst_stats::ols::ols_cluster;
use leerwinst_store::{Frame, opt, opt_str};

/// One pupil in one grade.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Grade.
    pub grade: i32,
    /// School.
    pub school: String,
    /// Class (enrollment group).
    pub class: Option<String>,
    /// Treatment level.
    pub level: String,
    /// Score per subtest.
    pub scores: BTreeMap<String, f64>,
    /// Numeric attributes.
    pub numbers: HashMap<String, f64>,
}

/// One estimated coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// Model name.
    pub model: String,
    /// Sample (`grade 0`).
    pub sample: String,
    /// Outcome.
    pub outcome: String,
    /// Term.
    pub term: String,
    /// Estimate.
    pub estimate: f64,
    /// CR1 SE.
    pub se: f64,
    /// Observations.
    pub n: usize,
    /// Clusters.
    pub clusters: usize,
    /// Absorbed fixed effect.
    pub fixed_effect: Option<String>,
}

/// Pupil × grade units of the experiment from the warehouse tables.
pub fn units(
    e: &Experiment,
    enrollments: &Frame,
    assessments: &Frame,
    attributes: &Frame,
) -> Vec<Unit> {
    // (pupil, year) -> (grade, school, class)
    let (ep, ey, es, eg, egr) = (
        enrollments.str("pupil_key"),
        enrollments.str("school_year"),
        enrollments.str("school_key"),
        enrollments.str("group_key"),
        enrollments.i32("grade"),
    );
    let mut by_key: BTreeMap<(String, String), Unit> = BTreeMap::new();
    for i in 0..enrollments.len() {
        let Some(grade) = opt(egr, i).filter(|g| e.grades.contains(g)) else {
            continue;
        };
        by_key
            .entry((ep.value(i).to_string(), ey.value(i).to_string()))
            .or_insert_with(|| Unit {
                grade,
                school: es.value(i).to_string(),
                class: opt_str(eg, i).map(str::to_string),
                level: String::new(),
                scores: BTreeMap::new(),
                numbers: HashMap::new(),
            });
    }
    let (ap, ay, an, av, anum) = (
        attributes.str("pupil_key"),
        attributes.str("school_year"),
        attributes.str("name"),
        attributes.str("value"),
        attributes.f64("number"),
    );
    for i in 0..attributes.len() {
        let Some(u) = by_key.get_mut(&(ap.value(i).to_string(), ay.value(i).to_string())) else {
            continue;
        };
        if an.value(i) == e.treatment {
            if let Some(v) = opt_str(av, i) {
                u.level = v.to_string();
            }
        } else if let Some(x) = opt(anum, i) {
            u.numbers.insert(an.value(i).to_string(), x);
        }
    }
    let (sp, ssub, sy, sc) = (
        assessments.str("pupil_key"),
        assessments.str("subject"),
        assessments.str("school_year"),
        assessments.f64("score"),
    );
    for i in 0..assessments.len() {
        if !e.subjects.iter().any(|s| s == ssub.value(i)) {
            continue;
        }
        if let Some(u) = by_key.get_mut(&(sp.value(i).to_string(), sy.value(i).to_string())) {
            u.scores.insert(ssub.value(i).to_string(), sc.value(i));
        }
    }
    by_key
        .into_values()
        .filter(|u| !u.level.is_empty() && !u.scores.is_empty())
        .collect()
}

/// Mid-rank percentile of `score` among `sorted` reference scores.
pub fn percentile_rank(sorted: &[f64], score: f64) -> f64 {
    let below = sorted.partition_point(|&x| x < score) as f64;
    let equal = sorted.partition_point(|&x| x <= score) as f64 - below;
    100.0 * (below + (equal + 1.0) / 2.0) / sorted.len() as f64
}

/// The percentile outcome of each unit of one grade (None where no subtest has a reference
/// distribution).
pub fn percentile_outcomes(e: &Experiment, units: &[&Unit]) -> Vec<Option<f64>> {
    let mut reference: HashMap<&str, Vec<f64>> = HashMap::new();
    for u in units {
        if e.percentile_reference.contains(&u.level) {
            for (s, v) in &u.scores {
                reference.entry(s.as_str()).or_default().push(*v);
            }
        }
    }
    for v in reference.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    units
        .iter()
        .map(|u| {
            let ranks: Vec<f64> = u
                .scores
                .iter()
                .filter_map(|(s, v)| reference.get(s.as_str()).map(|r| percentile_rank(r, *v)))
                .collect();
            (!ranks.is_empty()).then(|| ranks.iter().sum::<f64>() / ranks.len() as f64)
        })
        .collect()
}

/// Fits every model for every grade.
pub fn estimate(e: &Experiment, units: &[Unit]) -> (Vec<Coefficient>, Vec<String>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let levels: BTreeSet<&str> = units
        .iter()
        .map(|u| u.level.as_str())
        .filter(|l| *l != e.reference)
        .collect();
    for &grade in &e.grades {
        let g: Vec<&Unit> = units.iter().filter(|u| u.grade == grade).collect();
        let y = percentile_outcomes(e, &g);
        for m in &e.model {
            let rows: Vec<(usize, f64)> = g
                .iter()
                .enumerate()
                .filter_map(|(i, u)| {
                    let yi = y[i]?;
                    m.covariates
                        .iter()
                        .all(|c| u.numbers.contains_key(c))
                        .then_some((i, yi))
                })
                .collect();
            let yy: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let mut x: Vec<Vec<f64>> = levels
                .iter()
                .map(|l| {
                    rows.iter()
                        .map(|&(i, _)| f64::from(u8::from(g[i].level == *l)))
                        .collect()
                })
                .collect();
            for c in &m.covariates {
                x.push(rows.iter().map(|&(i, _)| g[i].numbers[c]).collect());
            }
            let mut ids: HashMap<&str, u32> = HashMap::new();
            let cluster: Vec<u32> = rows
                .iter()
                .map(|&(i, _)| {
                    let key: &str = match e.cluster.as_str() {
                        "school" => &g[i].school,
                        _ => g[i].class.as_deref().unwrap_or(&g[i].school),
                    };
                    let next = ids.len() as u32;
                    *ids.entry(key).or_insert(next)
                })
                .collect();
            let mut school_ids: HashMap<&str, u32> = HashMap::new();
            let fe: Vec<u32> = rows
                .iter()
                .map(|&(i, _)| {
                    let next = school_ids.len() as u32;
                    *school_ids.entry(g[i].school.as_str()).or_insert(next)
                })
                .collect();
            let sample = format!("grade {grade}");
            match ols_cluster(
                &yy,
                &x,
                m.fixed_effect.as_ref().map(|_| fe.as_slice()),
                &cluster,
            ) {
                Ok(fit) => {
                    let mut terms: Vec<String> = Vec::new();
                    if m.fixed_effect.is_none() {
                        terms.push("(intercept)".into());
                    }
                    terms.extend(levels.iter().map(|l| l.to_string()));
                    terms.extend(m.covariates.iter().cloned());
                    for (k, term) in terms.into_iter().enumerate() {
                        out.push(Coefficient {
                            model: m.name.clone(),
                            sample: sample.clone(),
                            outcome: "percentile".into(),
                            term,
                            estimate: fit.coef[k],
                            se: fit.se[k],
                            n: fit.n,
                            clusters: fit.clusters,
                            fixed_effect: m.fixed_effect.clone(),
                        });
                    }
                }
                Err(err) => skipped.push(format!("{} {sample}: {err}", m.name)),
            }
        }
    }
    (out, skipped)
}

/// Checks that the warehouse has what the design names.
pub fn check(e: &Experiment, units: &[Unit]) -> Result<()> {
    if units.is_empty() {
        return Err(Error::Compute(format!(
            "experiment: no pupil has the treatment attribute '{}' and a score in {:?} in grades {:?}",
            e.treatment, e.subjects, e.grades
        )));
    }
    if !units.iter().any(|u| u.level == e.reference) {
        return Err(Error::Compute(format!(
            "experiment: no pupil is at the reference level '{}'",
            e.reference
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leerwinst_core::pipeline::ExperimentModel;

    #[test]
    fn mid_rank_percentiles() {
        let r = [10.0, 20.0, 20.0, 30.0];
        assert_eq!(percentile_rank(&r, 10.0), 25.0);
        assert_eq!(percentile_rank(&r, 20.0), 62.5);
        assert_eq!(percentile_rank(&r, 30.0), 100.0);
        // A score outside the reference set sits between its neighbours.
        assert_eq!(percentile_rank(&r, 25.0), 100.0 * 3.5 / 4.0);
        assert_eq!(percentile_rank(&r, 5.0), 12.5);
    }

    fn design() -> Experiment {
        Experiment {
            treatment: "class_type".into(),
            reference: "regular".into(),
            percentile_reference: vec!["regular".into(), "aide".into()],
            subjects: vec!["read".into(), "math".into()],
            grades: vec![0],
            cluster: "class".into(),
            model: vec![
                ExperimentModel {
                    name: "(1)".into(),
                    fixed_effect: None,
                    covariates: vec![],
                },
                ExperimentModel {
                    name: "(2)".into(),
                    fixed_effect: Some("school".into()),
                    covariates: vec!["girl".into()],
                },
            ],
        }
    }

    /// Random assignment within schools, a planted small-class effect of 5 percentile points
    /// (on the score scale, then ranked) and a school effect: model (2) recovers it, and its CI
    /// covers it.
    #[test]
    fn recovers_a_planted_class_size_effect() {
        let mut rng = leerwinst_stats::rng::Rng::new(5);
        let mut units = Vec::new();
        for school in 0..40 {
            let shift = 15.0 * (rng.uniform() - 0.5);
            for class in 0..6 {
                let level = ["small", "regular", "aide"][class % 3];
                for _ in 0..18 {
                    // Scores uniform on [0, 100): a shift of 5 points moves the percentile ~5.
                    let effect = if level == "small" { 5.0 } else { 0.0 };
                    let girl = f64::from(u8::from(rng.uniform() < 0.5));
                    let v = 100.0 * rng.uniform() + effect + shift + 2.0 * girl;
                    units.push(Unit {
                        grade: 0,
                        school: format!("s{school}"),
                        class: Some(format!("s{school}c{class}")),
                        level: level.into(),
                        scores: BTreeMap::from([("read".to_string(), v), ("math".to_string(), v)]),
                        numbers: HashMap::from([("girl".to_string(), girl)]),
                    });
                }
            }
        }
        let e = design();
        check(&e, &units).unwrap();
        let (coef, skipped) = estimate(&e, &units);
        assert!(skipped.is_empty(), "{skipped:?}");
        let small = coef
            .iter()
            .find(|c| c.model == "(2)" && c.term == "small")
            .unwrap();
        assert!(
            (small.estimate - 5.0).abs() < 2.0 * small.se + 0.5,
            "{small:?}"
        );
        assert!(small.estimate > 2.0 * small.se, "{small:?}");
        assert_eq!((small.n, small.clusters), (40 * 6 * 18, 240));
        let aide = coef
            .iter()
            .find(|c| c.model == "(2)" && c.term == "aide")
            .unwrap();
        assert!(aide.estimate.abs() < 2.5 * aide.se, "{aide:?}");
        let terms: Vec<&str> = coef
            .iter()
            .filter(|c| c.model == "(1)")
            .map(|c| c.term.as_str())
            .collect();
        assert_eq!(terms, ["(intercept)", "aide", "small"]);
    }
}
