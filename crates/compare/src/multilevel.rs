//! The multilevel design (`design = "multilevel"`): pupils nested in classes nested in
//! schools, as the Dutch school-effectiveness tradition models them (Snijders & Bosker 2012).
//!
//! Per subject and pooled, on the regression design's sample:
//!
//! ```text
//! followup_z ~ programme + baseline_z + subject x grade + covariates
//!              + (1 | school) + (1 | school:class)
//! ```
//!
//! fitted by REML as R `lme4::lmer` ([`leerwinst_stats::mixed`]), the programme effect tested
//! with Satterthwaite degrees of freedom as `lmerTest`. The SRL tercile and baseline quintile
//! rows come from the same model with programme x level terms and level main effects. The rows
//! per programme school are its shrunken effect: the programme coefficient plus the school's
//! BLUP, with the standard error `sqrt(se(programme)^2 + condVar(school))` (lme4's conditional
//! variance treats the fixed effects as known; adding the coefficient's variance keeps the
//! interval from being too narrow) and t on the programme coefficient's df. Classes are used when every pupil of
//! the sample has one; otherwise the model has the school level only.

use std::collections::{BTreeMap, BTreeSet};

use leerwinst_core::pipeline::Pipeline;
use leerwinst_stats::dist::{hedges_j, percentile_points, t_quantile, t_two_sided_p};
use leerwinst_stats::mixed::{MixedFit, fit_nested};

use crate::{
    DesignResult, Effect, MODERATORS, Moderator, Obs, by_subject, inference, moderated_terms,
    school_counts,
};

/// Method of the rows tested with the model's Satterthwaite df.
pub const METHOD: &str = "REML, Satterthwaite df";
/// Method of the per-school rows.
pub const METHOD_BLUP: &str = "BLUP, conditional SD";

/// Dense ids in order of first appearance.
fn dense<K: Ord + Clone>(keys: impl Iterator<Item = K>) -> Vec<u32> {
    let mut m: BTreeMap<K, u32> = BTreeMap::new();
    keys.map(|k| {
        let n = m.len() as u32;
        *m.entry(k).or_insert(n)
    })
    .collect()
}

/// The design matrix beside the programme terms: baseline, subject x grade dummies (first
/// level as reference), further covariates.
fn controls(obs: &[&Obs]) -> Vec<Vec<f64>> {
    let cell = dense(
        obs.iter()
            .map(|o| (o.growth.subject.clone(), o.growth.grade)),
    );
    let cells = cell.iter().max().map_or(0, |m| *m as usize + 1);
    let mut x = vec![obs.iter().map(|o| o.baseline_z).collect::<Vec<_>>()];
    for c in 1..cells {
        x.push(
            cell.iter()
                .map(|&k| f64::from(u8::from(k as usize == c)))
                .collect(),
        );
    }
    let k_extra = obs.first().map_or(0, |o| o.extra.len());
    for j in 0..k_extra {
        x.push(obs.iter().map(|o| o.extra[j]).collect());
    }
    x
}

/// Fits the model with `terms` first; coefficient `k` of the fit is `terms[k]` (after the
/// intercept, which the kernel adds).
fn fit(obs: &[&Obs], terms: Vec<Vec<f64>>) -> Result<MixedFit, String> {
    let y: Vec<f64> = obs.iter().map(|o| o.growth.followup_z).collect();
    let school = dense(obs.iter().map(|o| o.growth.school.clone()));
    let with_class = obs.iter().all(|o| o.class.is_some());
    let class = with_class.then(|| {
        dense(
            obs.iter()
                .map(|o| (o.growth.school.clone(), o.class.clone().unwrap_or_default())),
        )
    });
    let mut x = terms;
    x.extend(controls(obs));
    fit_nested(&y, &x, &school, class.as_deref()).map_err(|e| e.to_string())
}

#[allow(clippy::too_many_arguments)]
fn row(
    subject: &str,
    outcome: &str,
    subgroup: &str,
    level: &str,
    sub: &[&Obs],
    estimate: f64,
    se: f64,
    df: f64,
    clusters: usize,
    method: &str,
) -> Effect {
    let n1 = sub.iter().filter(|o| o.growth.treated).count();
    let n0 = sub.len() - n1;
    let (cp, cc) = school_counts(
        sub.iter()
            .map(|o| (o.growth.school.as_str(), o.growth.treated)),
    );
    let (q, p) = (t_quantile(0.975, df), t_two_sided_p(estimate / se, df));
    let sd = crate::pooled_sd(sub);
    let g = (sd > 0.0).then(|| estimate / sd * hedges_j(n1, n0));
    Effect {
        design: "multilevel".into(),
        outcome: outcome.into(),
        subject: subject.into(),
        subgroup: subgroup.into(),
        level: level.into(),
        n_treated: n1 as i64,
        n_comparison: n0 as i64,
        clusters: clusters as i64,
        estimate: Some(estimate),
        se: Some(se),
        ci_low: Some(estimate - q * se),
        ci_high: Some(estimate + q * se),
        effect_size: g,
        percentile_points: g.map(percentile_points),
        p_value: Some(p),
        p_adjusted: None,
        method: method.into(),
        df: Some(df),
        clusters_programme: cp as i64,
        clusters_comparison: cc as i64,
        note: None,
    }
}

/// The shrunken effect of each programme school under the overall model `f` (coefficient 1 the
/// programme): the programme coefficient plus the school's BLUP, with the standard error
/// `sqrt(se^2 + condVar)` and t on the programme coefficient's Satterthwaite df (so no school's
/// interval is narrower than the pooled effect's).
fn school_rows(obs: &[&Obs], subject: &str, outcome: &str, f: &MixedFit) -> Vec<Effect> {
    let school_ids = dense(obs.iter().map(|o| o.growth.school.clone()));
    let schools = school_ids.iter().max().map_or(0, |m| *m as usize + 1);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, o) in obs.iter().enumerate() {
        if !o.growth.treated || !seen.insert(school_ids[i]) {
            continue;
        }
        let s = school_ids[i] as usize;
        let sub: Vec<&Obs> = obs
            .iter()
            .copied()
            .filter(|x| !x.growth.treated || x.growth.school == o.growth.school)
            .collect();
        let est = f.coef[1] + f.level1.blup[s];
        let se = (f.se[1].powi(2) + f.level1.cond_sd[s].powi(2)).sqrt();
        out.push(row(
            subject,
            outcome,
            "school",
            &o.growth.school,
            &sub,
            est,
            se,
            f.df[1],
            schools,
            METHOD_BLUP,
        ));
    }
    out
}

/// The shrunken effect of each programme school (the school forest of the regression design
/// as well): rows of subgroup `school` from the overall multilevel model.
pub fn shrunken_schools(obs: &[&Obs], subject: &str, outcome: &str) -> Result<Vec<Effect>, String> {
    let treat: Vec<f64> = obs
        .iter()
        .map(|o| f64::from(u8::from(o.growth.treated)))
        .collect();
    let f = fit(obs, vec![treat])?;
    Ok(school_rows(obs, subject, outcome, &f))
}

/// Effect rows of the multilevel design for one subject (or `all`).
pub fn estimate(obs: &[&Obs], subject: &str, outcome: &str) -> Result<Vec<Effect>, String> {
    let treat: Vec<f64> = obs
        .iter()
        .map(|o| f64::from(u8::from(o.growth.treated)))
        .collect();
    let schools: BTreeSet<&str> = obs.iter().map(|o| o.growth.school.as_str()).collect();
    let f = fit(obs, vec![treat])?;
    // Coefficient 0 is the intercept.
    let mut out = vec![row(
        subject,
        outcome,
        "overall",
        "all",
        obs,
        f.coef[1],
        f.se[1],
        f.df[1],
        schools.len(),
        METHOD,
    )];
    out.extend(school_rows(obs, subject, outcome, &f));
    for Moderator {
        name,
        levels,
        level_of,
    } in MODERATORS
    {
        let Some(m) = moderated_terms(obs, levels, level_of) else {
            continue;
        };
        let (lv, terms) = (m.levels, m.columns);
        let sub: Vec<&Obs> = m.rows.iter().map(|&i| obs[i]).collect();
        let Ok(f) = fit(&sub, terms) else {
            continue;
        };
        let clusters = sub
            .iter()
            .map(|o| o.growth.school.as_str())
            .collect::<BTreeSet<_>>()
            .len();
        for (k, &l) in lv.iter().enumerate() {
            let in_l: Vec<&Obs> = sub
                .iter()
                .copied()
                .filter(|o| level_of(o) == Some(l))
                .collect();
            out.push(row(
                subject,
                outcome,
                name,
                &l.to_string(),
                &in_l,
                f.coef[1 + k],
                f.se[1 + k],
                f.df[1 + k],
                clusters,
                METHOD,
            ));
        }
    }
    Ok(out)
}

/// The multilevel design over the regression design's sample.
pub fn design(p: &Pipeline, obs: &[Obs]) -> DesignResult {
    let outcome = format!("followup_z ({})", p.compare.window);
    let mut r = DesignResult {
        observations: obs.len(),
        ..DesignResult::default()
    };
    for (subject, o) in &by_subject(obs) {
        match estimate(o, subject, &outcome) {
            Ok(mut rows) => {
                inference::guard(&mut rows, p.privacy.min_group_size);
                crate::adjust_subgroups(&mut rows);
                r.effects.extend(rows);
            }
            Err(e) => r.skipped.push(format!("multilevel {subject}: {e}")),
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::PupilGrowth;
    use leerwinst_stats::rng::Rng;

    /// Pupils in 3 classes in each of 16 schools (8 with the programme), school and class
    /// effects, a planted effect of 0.3: the model recovers it within its interval, writes one
    /// shrunken row per programme school, and the tercile rows carry the planted moderation.
    #[test]
    fn recovers_a_planted_effect_with_classes_in_schools() {
        let mut rng = Rng::new(11);
        let mut obs = Vec::new();
        for s in 0..16 {
            let school = 0.2 * rng.normal();
            let treated = s % 2 == 0;
            for c in 0..3 {
                let class = 0.1 * rng.normal();
                for k in 0..25 {
                    let tercile = k % 3 + 1;
                    let effect = if treated {
                        0.15 * (tercile - 1) as f64
                    } else {
                        0.0
                    };
                    let bz = rng.normal();
                    obs.push(Obs {
                        growth: PupilGrowth {
                            subject: "rekenen".into(),
                            grade: 5 + k % 2,
                            school: format!("s{s}"),
                            treated,
                            followup_z: 0.7 * bz + effect + school + class + 0.5 * rng.normal(),
                            tercile: Some(tercile),
                            quintile: None,
                        },
                        class: Some(format!("c{c}")),
                        baseline_z: bz,
                        srl_index: None,
                        extra: Vec::new(),
                    });
                }
            }
        }
        let refs: Vec<&Obs> = obs.iter().collect();
        let rows = estimate(&refs, "rekenen", "y").unwrap();
        let overall = &rows[0];
        assert_eq!(
            (overall.subgroup.as_str(), overall.method.as_str()),
            ("overall", METHOD)
        );
        assert!(
            overall.ci_low.unwrap() < 0.15 && 0.15 < overall.ci_high.unwrap(),
            "{overall:?}"
        );
        let df = overall.df.unwrap();
        assert!(
            df > 5.0 && df < 30.0,
            "school-level treatment: df near 14, got {df}"
        );
        let schools: Vec<&Effect> = rows.iter().filter(|r| r.subgroup == "school").collect();
        assert_eq!(schools.len(), 8);
        assert!(
            schools
                .iter()
                .all(|r| r.method == METHOD_BLUP && r.df == overall.df)
        );
        let width = |r: &Effect| r.ci_high.unwrap() - r.ci_low.unwrap();
        assert!(
            schools.iter().all(|r| width(r) >= width(overall)),
            "no school is more certain than the pooled effect"
        );
        let t3 = rows
            .iter()
            .find(|r| r.subgroup == "srl_tercile" && r.level == "3")
            .unwrap();
        assert!(
            t3.ci_low.unwrap() < 0.3 && 0.3 < t3.ci_high.unwrap() && t3.ci_low.unwrap() > 0.0,
            "{t3:?}"
        );
    }
}
