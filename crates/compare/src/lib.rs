//! Compare: effect measurement over the growth and self-regulation indicators.
//!
//! Design `regression` (first cut): for the growth window of the pipeline (default `E-E`) in
//! follow-up years in which any school runs the programme,
//!
//! ```text
//! followup_z ~ programme [x srl_tercile] + srl_tercile + baseline_z | subject x grade (absorbed)
//! ```
//!
//! with CR1 standard errors clustered by school, t intervals with clusters - 1 degrees of
//! freedom, Hedges' g and RAND percentile points. The self-regulation tercile is taken from the
//! baseline year (before the programme) by default, so the moderator is not itself an outcome.
//! Rows: per subject and for all subjects pooled; subgroup `overall` and `srl_tercile` 1-3.
//!
//! Design `experiment` (module [`experiment`]): a randomised categorical treatment with a
//! percentile outcome per grade and a sequence of models, as in Krueger (1999), Table V; its
//! coefficients go to `effects/coefficients.*`.

pub mod confounding;
pub mod covariates;
pub mod experiment;
pub mod inference;
pub mod matching;
pub mod moderation;
pub mod multilevel;
pub mod observation;
pub mod staggered;
pub mod vcg;
pub mod window;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::pipeline::{Design, Experiment, Pipeline};
use leerwinst_core::{Error, Result, SchoolYear, Table};
use leerwinst_stats::dist::{benjamini_hochberg, hedges_j, percentile_points};
use leerwinst_stats::ols::ols_cluster;
use leerwinst_store::{
    CsvDialect, Frame, f64_array, i64_array, opt, read_table, str_array, write_csv, write_table,
    xlsx_beside,
};
use serde::Serialize;

use crate::observation::{GrowthColumns, PupilGrowth};

/// One observation of the regression-family samples (regression, multilevel, moderation).
#[derive(Debug, Clone)]
pub struct Obs {
    /// The pupil's growth row.
    pub growth: PupilGrowth,
    /// Class (group) in the follow-up year, when known.
    pub class: Option<String>,
    /// Standardised baseline.
    pub baseline_z: f64,
    /// SRL index (the composite) when known.
    pub srl_index: Option<f64>,
    /// Further covariates of the model (`[compare] covariates`), in that order.
    pub extra: Vec<f64>,
}

#[cfg(test)]
impl Obs {
    /// A generated pupil for the designs' tests: subject `rekenen`, without class, tercile,
    /// quintile, SRL index or further covariates.
    pub(crate) fn generated(
        school: String,
        grade: i32,
        treated: bool,
        baseline_z: f64,
        followup_z: f64,
    ) -> Obs {
        Obs {
            growth: PupilGrowth {
                subject: "rekenen".into(),
                grade,
                school,
                treated,
                followup_z,
                tercile: None,
                quintile: None,
            },
            class: None,
            baseline_z,
            srl_index: None,
            extra: Vec::new(),
        }
    }

    /// The same pupil in SRL tercile `tercile`.
    pub(crate) fn with_tercile(mut self, tercile: i32) -> Obs {
        self.growth.tercile = Some(tercile);
        self
    }
}

/// One effect row (columns as in `Table::Effects`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    /// Design.
    pub design: String,
    /// Outcome.
    pub outcome: String,
    /// Subject or `all`.
    pub subject: String,
    /// `overall` or `srl_tercile`.
    pub subgroup: String,
    /// `all` or the tercile.
    pub level: String,
    /// Treated observations.
    pub n_treated: i64,
    /// Comparison observations.
    pub n_comparison: i64,
    /// Clusters.
    pub clusters: i64,
    /// Estimate.
    pub estimate: Option<f64>,
    /// SE.
    pub se: Option<f64>,
    /// CI low.
    pub ci_low: Option<f64>,
    /// CI high.
    pub ci_high: Option<f64>,
    /// Hedges' g.
    pub effect_size: Option<f64>,
    /// Percentile points.
    pub percentile_points: Option<f64>,
    /// p.
    pub p_value: Option<f64>,
    /// Benjamini-Hochberg adjusted p value across the subgroup rows of this subject.
    pub p_adjusted: Option<f64>,
    /// How se, CI and p were made ([`inference::method`]).
    pub method: String,
    /// Degrees of freedom of the t reference (None for bootstrap intervals).
    pub df: Option<f64>,
    /// Programme schools in the row's sample.
    pub clusters_programme: i64,
    /// Comparison schools in the row's sample.
    pub clusters_comparison: i64,
    /// Why a value is missing or weak ([`inference::note`]).
    pub note: Option<String>,
}

/// What compare did.
#[derive(Debug, Clone, Serialize)]
pub struct CompareSummary {
    /// Observations in the pooled estimation sample.
    pub observations: usize,
    /// Follow-up years compared.
    pub years: Vec<String>,
    /// Effect rows written.
    pub effects: usize,
    /// Regression coefficients written to `effects/coefficients.*` (experiment design).
    pub coefficients: usize,
    /// Models that could not be estimated, with the reason.
    pub skipped: Vec<String>,
    /// Files written.
    pub outputs: Vec<String>,
    /// Programme pupils for whom the VCG design found no comparison pupil.
    pub unmatched_programme_pupils: usize,
    /// Why nothing could be compared, in plain words (no programme school, or no comparison
    /// school, in the window's growth rows), in the run's language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Plain-language warnings when the window's growth rows hold no programme school or no
/// comparison school: then no design can estimate anything.
fn arms_warnings(p: &Pipeline, growth: &Frame) -> Vec<String> {
    let (win, school, prog) = (
        growth.str("window"),
        growth.str("school_key"),
        growth.bool("programme"),
    );
    let mut arms: [BTreeSet<&str>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for i in 0..growth.len() {
        if win.value(i) == p.compare.window && !arrow_array::Array::is_null(school, i) {
            arms[usize::from(prog.value(i))].insert(school.value(i));
        }
    }
    let l = p.pipeline.language;
    let window = &p.compare.window;
    let mut out = Vec::new();
    if arms[1].is_empty() {
        out.push(match l {
            leerwinst_core::pipeline::Language::Nl => format!(
                "Geen enkele school heeft het programma in de groeigegevens (periode {window}): er valt niets te vergelijken. Staat in de schoollijst bij de programmascholen het schooljaar waarin ze begonnen (kolom programma_vanaf)?"
            ),
            leerwinst_core::pipeline::Language::En => format!(
                "No school runs the programme in the growth data (window {window}): there is nothing to compare. Does the school list give the programme schools the school year they started (column programma_vanaf / programme_from)?"
            ),
        });
    }
    if arms[0].is_empty() {
        out.push(match l {
            leerwinst_core::pipeline::Language::Nl => format!(
                "Er is geen vergelijkingsschool in de groeigegevens (periode {window}): alle {} scholen hebben het programma, dus een effect is niet te schatten.",
                arms[1].len()
            ),
            leerwinst_core::pipeline::Language::En => format!(
                "There is no comparison school in the growth data (window {window}): all {} schools run the programme, so no effect can be estimated.",
                arms[1].len()
            ),
        });
    }
    out
}

/// Builds the estimation sample from the growth and SRL tables.
pub fn sample(
    growth: &Frame,
    srl: &Frame,
    window: &str,
    moderator_in_baseline_year: bool,
    from_year: Option<SchoolYear>,
    extra: Option<(&covariates::Covariates<'_>, &[String])>,
) -> (Vec<Obs>, Vec<String>) {
    let win = window::WindowRows::new(growth, srl, window, from_year, moderator_in_baseline_year);
    let columns = GrowthColumns::new(growth);
    let (gclass, gbz) = (growth.str("group_key"), growth.f64("baseline_z"));
    let mut obs = Vec::new();
    for &i in &win.rows {
        let Some(row) = columns.row(i, win.tercile(i)) else {
            continue;
        };
        let Some(baseline_z) = opt(gbz, i) else {
            continue;
        };
        let extra = match extra {
            Some((lookup, names)) => match lookup.values(names, i) {
                Some(v) => v,
                None => continue,
            },
            None => Vec::new(),
        };
        obs.push(Obs {
            growth: row,
            class: leerwinst_store::opt_str(gclass, i).map(str::to_string),
            baseline_z,
            srl_index: win.srl_index(i),
            extra,
        });
    }
    (obs, win.years)
}

/// Benjamini-Hochberg adjusted p values across the subgroup rows (every row but `overall`) of
/// one design, outcome and subject: the "for whom?" question asks many questions at once.
pub fn adjust_subgroups(rows: &mut [Effect]) {
    let sub: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].subgroup != "overall" && rows[i].p_value.is_some())
        .collect();
    let p: Vec<f64> = sub.iter().filter_map(|&i| rows[i].p_value).collect();
    for (&i, q) in sub.iter().zip(benjamini_hochberg(&p)) {
        rows[i].p_adjusted = Some(q);
    }
}

/// Writes the columns of `table` as `<table>.parquet` and `<table>.csv` in `dir`; returns both
/// paths.
fn write_both(
    p: &Pipeline,
    dir: &Path,
    table: Table,
    cols: Vec<arrow_array::ArrayRef>,
    meta: &[(String, String)],
) -> Result<Vec<String>> {
    let path = dir.join(format!("{}.parquet", table.name()));
    let csv = dir.join(format!("{}.csv", table.name()));
    write_table(&path, table, cols, meta)?;
    let frame = read_table(&path, table)?;
    write_csv(&csv, &frame.batch, CsvDialect::of(p.pipeline.language))?;
    Ok(vec![
        path.display().to_string(),
        csv.display().to_string(),
        xlsx_beside(&csv).display().to_string(),
    ])
}

/// Dense ids (0, 1, ...) of values, in order of first appearance.
fn ids<K: Ord>(values: impl Iterator<Item = K>) -> Vec<u32> {
    let mut m: BTreeMap<K, u32> = BTreeMap::new();
    values
        .map(|v| {
            let n = m.len() as u32;
            *m.entry(v).or_insert(n)
        })
        .collect()
}

pub(crate) fn pooled_sd(obs: &[&Obs]) -> f64 {
    let arm = |t: bool| -> (f64, f64, f64) {
        let v: Vec<f64> = obs
            .iter()
            .filter(|o| o.growth.treated == t)
            .map(|o| o.growth.followup_z)
            .collect();
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (n, m, v.iter().map(|x| (x - m).powi(2)).sum::<f64>())
    };
    let (n1, _, ss1) = arm(true);
    let (n0, _, ss0) = arm(false);
    ((ss1 + ss0) / (n1 + n0 - 2.0)).sqrt()
}

/// A moderator of the programme effect with levels (a subgroup of the effects table).
#[derive(Clone, Copy)]
pub struct Moderator {
    /// Its name in the effects table (`subgroup`).
    pub name: &'static str,
    /// Its number of levels.
    pub levels: i32,
    /// An observation's level, when known.
    pub level_of: fn(&Obs) -> Option<i32>,
}

/// The moderators every design reports: the SRL tercile and the baseline quintile.
pub const MODERATORS: [Moderator; 2] = [
    Moderator {
        name: "srl_tercile",
        levels: 3,
        level_of: |o| o.growth.tercile,
    },
    Moderator {
        name: "baseline_quintile",
        levels: 5,
        level_of: |o| o.growth.quintile,
    },
];

/// The programme terms of a moderated model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeratedTerms {
    /// Positions (in the observations given) of those with a level.
    pub rows: Vec<usize>,
    /// The levels present, ascending.
    pub levels: Vec<i32>,
    /// Over `rows`: one `programme x [level]` column per level, then the dummies of the levels
    /// beyond the first.
    pub columns: Vec<Vec<f64>>,
}

/// The moderated model's programme terms over the observations with a level; None when fewer
/// than 2 levels are present.
pub fn moderated_terms(
    obs: &[&Obs],
    levels: i32,
    level_of: fn(&Obs) -> Option<i32>,
) -> Option<ModeratedTerms> {
    let idx: Vec<usize> = (0..obs.len())
        .filter(|&i| level_of(obs[i]).is_some())
        .collect();
    let present: BTreeSet<i32> = idx.iter().filter_map(|&i| level_of(obs[i])).collect();
    if present.len() < 2 {
        return None;
    }
    let lv: Vec<i32> = (1..=levels).filter(|l| present.contains(l)).collect();
    let dummy = |l: i32| -> Vec<f64> {
        idx.iter()
            .map(|&i| f64::from(u8::from(level_of(obs[i]) == Some(l))))
            .collect()
    };
    let mut x: Vec<Vec<f64>> = lv
        .iter()
        .map(|&l| {
            idx.iter()
                .zip(dummy(l))
                .map(|(&i, d)| f64::from(u8::from(obs[i].growth.treated)) * d)
                .collect()
        })
        .collect();
    x.extend(lv[1..].iter().map(|&l| dummy(l)));
    Some(ModeratedTerms {
        rows: idx,
        levels: lv,
        columns: x,
    })
}

/// Programme and comparison schools among `sub`.
pub fn school_counts<'a>(sub: impl IntoIterator<Item = (&'a str, bool)>) -> (usize, usize) {
    let mut prog = BTreeSet::new();
    let mut comp = BTreeSet::new();
    for (school, treated) in sub {
        if treated {
            prog.insert(school);
        } else {
            comp.insert(school);
        }
    }
    (prog.len(), comp.len())
}

/// Estimates the effects for one subject (or all pooled) on `obs`, with the inference and
/// guards of `settings` ([`inference`]).
pub fn estimate(
    obs: &[&Obs],
    subject: &str,
    outcome: &str,
    settings: &inference::Settings,
) -> std::result::Result<Vec<Effect>, String> {
    let fe = ids(obs
        .iter()
        .map(|o| (o.growth.subject.as_str(), o.growth.grade)));
    let cl = ids(obs.iter().map(|o| o.growth.school.as_str()));
    let y: Vec<f64> = obs.iter().map(|o| o.growth.followup_z).collect();
    let base: Vec<f64> = obs.iter().map(|o| o.baseline_z).collect();
    let treat: Vec<f64> = obs.iter().map(|o| o.growth.treated as u8 as f64).collect();
    let k_extra = obs.first().map_or(0, |o| o.extra.len());
    let extra: Vec<Vec<f64>> = (0..k_extra)
        .map(|j| obs.iter().map(|o| o.extra[j]).collect())
        .collect();
    let row = |subgroup: &str,
               level: &str,
               sub: &[&Obs],
               fit: &leerwinst_stats::ols::OlsFit,
               j: usize| {
        let n1 = sub.iter().filter(|o| o.growth.treated).count();
        let n0 = sub.len() - n1;
        let (cp, cc) = school_counts(
            sub.iter()
                .map(|o| (o.growth.school.as_str(), o.growth.treated)),
        );
        let coef = fit.coef[j];
        let sd = pooled_sd(sub);
        let g = (sd > 0.0).then(|| coef / sd * hedges_j(n1, n0));
        let (interval, note) = match inference::coefficient(fit, j, settings) {
            Ok(i) => (Some(i), None),
            Err(e) => (None, Some(e)),
        };
        Effect {
            design: "regression".into(),
            outcome: outcome.into(),
            subject: subject.into(),
            subgroup: subgroup.into(),
            level: level.into(),
            n_treated: n1 as i64,
            n_comparison: n0 as i64,
            clusters: fit.clusters as i64,
            estimate: Some(coef),
            se: interval.as_ref().map(|i| i.se),
            ci_low: interval.as_ref().map(|i| i.ci.0),
            ci_high: interval.as_ref().map(|i| i.ci.1),
            effect_size: g,
            percentile_points: g.map(percentile_points),
            p_value: interval.as_ref().map(|i| i.p),
            p_adjusted: None,
            method: interval
                .as_ref()
                .map_or_else(|| "none".to_string(), |i| i.method.clone()),
            df: interval.as_ref().and_then(|i| i.df),
            clusters_programme: cp as i64,
            clusters_comparison: cc as i64,
            note,
        }
    };
    let mut out = Vec::new();
    let mut x0 = vec![treat.clone(), base.clone()];
    x0.extend(extra.iter().cloned());
    let fit = ols_cluster(&y, &x0, Some(&fe), &cl).map_err(|e| e.to_string())?;
    out.push(row("overall", "all", obs, &fit, 0));

    // Per programme school (for a forest chart): the school's shrunken effect from the
    // multilevel model (one programme school is one treated cluster, for which no
    // cluster-robust SE works, MacKinnon & Webb 2017; the BLUP's conditional variance carries
    // the differences between schools that a per-school regression would leave out).
    let programme_schools = obs
        .iter()
        .filter(|o| o.growth.treated)
        .map(|o| o.growth.school.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    if programme_schools > 1
        && let Ok(rows) = multilevel::shrunken_schools(obs, subject, outcome)
    {
        out.extend(rows.into_iter().map(|r| Effect {
            design: "regression".into(),
            ..r
        }));
    }

    // Moderation: programme x level dummies and level main effects, for the SRL tercile and the
    // baseline quintile, each in its own model.
    for Moderator {
        name,
        levels,
        level_of,
    } in MODERATORS
    {
        let Some(m) = moderated_terms(obs, levels, level_of) else {
            continue;
        };
        let (idx, lv, mut x) = (m.rows, m.levels, m.columns);
        let sub: Vec<&Obs> = idx.iter().map(|&i| obs[i]).collect();
        let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<_>>();
        x.push(pick(&base));
        x.extend(extra.iter().map(|c| pick(c)));
        let fe_sub: Vec<u32> = idx.iter().map(|&i| fe[i]).collect();
        let cl_sub: Vec<u32> = idx.iter().map(|&i| cl[i]).collect();
        let fit = match ols_cluster(&pick(&y), &x, Some(&fe_sub), &cl_sub) {
            Ok(f) => f,
            // A level without programme pupils makes its interaction all zeros: skip this
            // moderator rather than the whole subject.
            Err(_) => continue,
        };
        for (k, &l) in lv.iter().enumerate() {
            let in_l: Vec<&Obs> = sub
                .iter()
                .copied()
                .filter(|o| level_of(o) == Some(l))
                .collect();
            out.push(row(name, &l.to_string(), &in_l, &fit, k));
        }
    }
    inference::guard(&mut out, settings.min_group_size);
    adjust_subgroups(&mut out);
    Ok(out)
}

/// Every coefficient of the regression design's models for one subject (or `all`): the overall
/// model and the two moderated ones, for `effects/coefficients.*`.
pub fn regression_coefficients(
    obs: &[&Obs],
    subject: &str,
    outcome: &str,
    extra_names: &[String],
) -> Vec<experiment::Coefficient> {
    let fe = ids(obs
        .iter()
        .map(|o| (o.growth.subject.as_str(), o.growth.grade)));
    let cl = ids(obs.iter().map(|o| o.growth.school.as_str()));
    let mut out = Vec::new();
    let mut push = |model: &str, terms: &[String], fit: &leerwinst_stats::ols::OlsFit| {
        for (k, t) in terms.iter().enumerate() {
            out.push(experiment::Coefficient {
                model: model.into(),
                sample: subject.into(),
                outcome: outcome.into(),
                term: t.clone(),
                estimate: fit.coef[k],
                se: fit.se[k],
                n: fit.n,
                clusters: fit.clusters,
                fixed_effect: Some("subject x grade".into()),
            });
        }
    };
    let y: Vec<f64> = obs.iter().map(|o| o.growth.followup_z).collect();
    let treat: Vec<f64> = obs
        .iter()
        .map(|o| f64::from(u8::from(o.growth.treated)))
        .collect();
    let base: Vec<f64> = obs.iter().map(|o| o.baseline_z).collect();
    let extra: Vec<Vec<f64>> = (0..extra_names.len())
        .map(|j| obs.iter().map(|o| o.extra[j]).collect())
        .collect();
    let mut x0 = vec![treat.clone(), base.clone()];
    x0.extend(extra.iter().cloned());
    if let Ok(fit) = ols_cluster(&y, &x0, Some(&fe), &cl) {
        let mut terms = vec!["programme".to_string(), "baseline_z".to_string()];
        terms.extend(extra_names.iter().cloned());
        push("overall", &terms, &fit);
    }
    for Moderator {
        name,
        levels,
        level_of,
    } in MODERATORS
    {
        let Some(m) = moderated_terms(obs, levels, level_of) else {
            continue;
        };
        let (idx, lv, mut x) = (m.rows, m.levels, m.columns);
        x.push(idx.iter().map(|&i| base[i]).collect());
        x.extend(
            extra
                .iter()
                .map(|c| idx.iter().map(|&i| c[i]).collect::<Vec<_>>()),
        );
        let mut terms: Vec<String> = lv.iter().map(|l| format!("programme:{name}={l}")).collect();
        terms.extend(lv[1..].iter().map(|l| format!("{name}={l}")));
        terms.push("baseline_z".into());
        terms.extend(extra_names.iter().cloned());
        let yy: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
        let fe_s: Vec<u32> = idx.iter().map(|&i| fe[i]).collect();
        let cl_s: Vec<u32> = idx.iter().map(|&i| cl[i]).collect();
        if let Ok(fit) = ols_cluster(&yy, &x, Some(&fe_s), &cl_s) {
            push(&format!("by {name}"), &terms, &fit);
        }
    }
    out
}

/// Arrow columns of effect rows, in `Table::Effects` order.
pub fn columns(rows: &[Effect]) -> Vec<arrow_array::ArrayRef> {
    let s = |f: &dyn Fn(&Effect) -> &str| {
        str_array(&rows.iter().map(|r| Some(f(r))).collect::<Vec<_>>())
    };
    let i = |f: &dyn Fn(&Effect) -> i64| i64_array(rows.iter().map(|r| Some(f(r))).collect());
    let f = |f: &dyn Fn(&Effect) -> Option<f64>| f64_array(rows.iter().map(f).collect());
    vec![
        s(&|r| &r.design),
        s(&|r| &r.outcome),
        s(&|r| &r.subject),
        s(&|r| &r.subgroup),
        s(&|r| &r.level),
        i(&|r| r.n_treated),
        i(&|r| r.n_comparison),
        i(&|r| r.clusters),
        f(&|r| r.estimate),
        f(&|r| r.se),
        f(&|r| r.ci_low),
        f(&|r| r.ci_high),
        f(&|r| r.effect_size),
        f(&|r| r.percentile_points),
        f(&|r| r.p_value),
        f(&|r| r.p_adjusted),
        s(&|r| &r.method),
        f(&|r| r.df),
        i(&|r| r.clusters_programme),
        i(&|r| r.clusters_comparison),
        str_array(&rows.iter().map(|r| r.note.as_deref()).collect::<Vec<_>>()),
    ]
}

/// The effect rows of a run's `effects/effects.parquet` (the inverse of [`columns`]).
pub fn read_effects(out: &Path) -> Result<Vec<Effect>> {
    let f = read_table(&out.join("effects/effects.parquet"), Table::Effects)?;
    let (s, i, x) = (
        |name: &str, r: usize| f.str(name).value(r).to_string(),
        |name: &str, r: usize| f.i64(name).value(r),
        |name: &str, r: usize| opt(f.f64(name), r),
    );
    Ok((0..f.len())
        .map(|r| Effect {
            design: s("design", r),
            outcome: s("outcome", r),
            subject: s("subject", r),
            subgroup: s("subgroup", r),
            level: s("level", r),
            n_treated: i("n_treated", r),
            n_comparison: i("n_comparison", r),
            clusters: i("clusters", r),
            estimate: x("estimate", r),
            se: x("se", r),
            ci_low: x("ci_low", r),
            ci_high: x("ci_high", r),
            effect_size: x("effect_size", r),
            percentile_points: x("percentile_points", r),
            p_value: x("p_value", r),
            p_adjusted: x("p_adjusted", r),
            method: s("method", r),
            df: x("df", r),
            clusters_programme: i("clusters_programme", r),
            clusters_comparison: i("clusters_comparison", r),
            note: leerwinst_store::opt_str(f.str("note"), r).map(str::to_string),
        })
        .collect())
}

/// The coefficient rows of a run's `effects/coefficients.parquet` (the inverse of
/// [`coefficient_columns`]).
pub fn read_coefficients(out: &Path) -> Result<Vec<experiment::Coefficient>> {
    let f = read_table(
        &out.join("effects/coefficients.parquet"),
        Table::Coefficients,
    )?;
    let text = |name: &str, r: usize| leerwinst_store::opt_str(f.str(name), r).map(str::to_string);
    Ok((0..f.len())
        .map(|r| experiment::Coefficient {
            model: f.str("model").value(r).to_string(),
            sample: f.str("sample").value(r).to_string(),
            outcome: f.str("outcome").value(r).to_string(),
            term: f.str("term").value(r).to_string(),
            estimate: f.f64("estimate").value(r),
            se: f.f64("se").value(r),
            n: f.i64("n").value(r) as usize,
            clusters: f.i64("clusters").value(r) as usize,
            fixed_effect: text("fixed_effects", r),
        })
        .collect())
}

/// Arrow columns of coefficient rows, in `Table::Coefficients` order.
pub fn coefficient_columns(rows: &[experiment::Coefficient]) -> Vec<arrow_array::ArrayRef> {
    let s = |f: &dyn Fn(&experiment::Coefficient) -> Option<&str>| {
        str_array(&rows.iter().map(f).collect::<Vec<_>>())
    };
    vec![
        s(&|r| Some(&r.model)),
        s(&|r| Some(&r.sample)),
        s(&|r| Some(&r.outcome)),
        s(&|r| Some(&r.term)),
        f64_array(rows.iter().map(|r| Some(r.estimate)).collect()),
        f64_array(rows.iter().map(|r| Some(r.se)).collect()),
        i64_array(rows.iter().map(|r| Some(r.n as i64)).collect()),
        i64_array(rows.iter().map(|r| Some(r.clusters as i64)).collect()),
        s(&|r| r.fixed_effect.as_deref()),
    ]
}

/// The experiment design (`design = "experiment"`): coefficients per grade and model.
fn run_experiment(p: &Pipeline, e: &Experiment, out: &Path) -> Result<CompareSummary> {
    let wh = out.join("warehouse");
    let enrollments = read_table(&wh.join("enrollments.parquet"), Table::Enrollments)?;
    let assessments = read_table(&wh.join("assessments.parquet"), Table::Assessments)?;
    let attributes = read_table(&wh.join("attributes.parquet"), Table::Attributes)?;
    let units = experiment::units(e, &enrollments, &assessments, &attributes);
    experiment::check(e, &units)?;
    let (coef, skipped) = experiment::estimate(e, &units);
    let dir = out.join("effects");
    let meta = vec![("leerwinst.pipeline".to_string(), p.pipeline.name.clone())];
    let mut outputs = write_both(
        p,
        &dir,
        Table::Coefficients,
        coefficient_columns(&coef),
        &meta,
    )?;
    // No programme effects in this design; an empty table keeps the report's input uniform.
    outputs.extend(write_both(p, &dir, Table::Effects, columns(&[]), &meta)?);
    let years: BTreeSet<String> = enrollments
        .str("school_year")
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    Ok(CompareSummary {
        observations: units.len(),
        years: years.into_iter().collect(),
        effects: 0,
        coefficients: coef.len(),
        skipped,
        outputs,
        unmatched_programme_pupils: 0,
        warnings: Vec::new(),
    })
}

/// What one observational design produced, before it is written.
#[derive(Debug, Default)]
pub struct DesignResult {
    /// Effect rows.
    pub effects: Vec<Effect>,
    /// Regression coefficients (`effects/coefficients.*`), when the design has them.
    pub coefficients: Option<Vec<experiment::Coefficient>>,
    /// Balance rows (`effects/balance.*`), when the design has them.
    pub balance: Option<Vec<matching::BalanceRow>>,
    /// Observations of the estimation sample.
    pub observations: usize,
    /// Follow-up years compared.
    pub years: Vec<String>,
    /// What could not be estimated, with the reason.
    pub skipped: Vec<String>,
    /// Programme pupils without a comparison pupil (VCG).
    pub unmatched_programme_pupils: usize,
}

/// The tables every observational design reads.
struct Tables {
    growth: Frame,
    srl: Frame,
    pupils: Frame,
    schools: Frame,
}

impl Tables {
    fn read(out: &Path) -> Result<Self> {
        let wh = out.join("warehouse");
        Ok(Tables {
            growth: read_table(&out.join("indicators/growth.parquet"), Table::Growth)?,
            srl: read_table(&out.join("indicators/srl.parquet"), Table::Srl)?,
            pupils: read_table(&wh.join("pupils.parquet"), Table::Pupils)?,
            schools: read_table(&wh.join("schools.parquet"), Table::Schools)?,
        })
    }
}

/// The matching design (`design = "matching"`): ATT per subject and subgroup, balance table.
fn design_matching(p: &Pipeline, t: &Tables) -> DesignResult {
    let settings = p.compare.matching.clone().unwrap_or_default();
    let inputs = matching::Inputs {
        growth: &t.growth,
        srl: &t.srl,
        pupils: &t.pupils,
        schools: &t.schools,
    };
    let (units, years, missing) =
        matching::sample(&inputs, &settings, &p.compare.window, p.compare.from_year);
    let outcome = format!("followup_z ({})", p.compare.window);
    let (effects, balance, mut skipped) =
        matching::estimate(&units, &settings, &outcome, &inference::Settings::of(p));
    if missing > 0 {
        skipped.push(format!(
            "{missing} {}",
            p.pipeline.language.pick(
                "groeirijen weggelaten: een kenmerk om op te matchen is onbekend",
                "growth rows left out: a matching covariate is unknown"
            )
        ));
    }
    DesignResult {
        effects,
        balance: Some(balance),
        observations: units.len(),
        years,
        skipped,
        ..DesignResult::default()
    }
}

/// The virtual comparison group design (`design = "vcg"`).
fn design_vcg(p: &Pipeline, t: &Tables) -> DesignResult {
    let settings = p.compare.vcg.clone().unwrap_or_default();
    let lookup = covariates::Covariates::new(&t.growth, &t.pupils, &t.schools);
    let (units, years) = vcg::sample(
        &t.growth,
        &t.srl,
        &lookup,
        &settings,
        &p.compare.window,
        p.compare.from_year,
    );
    let outcome = format!("followup_z ({})", p.compare.window);
    let (effects, unmatched) = vcg::effects(&units, &settings, &outcome, p.privacy.min_group_size);
    let mut skipped = Vec::new();
    if unmatched > 0 {
        skipped.push(format!(
            "{unmatched} {}",
            p.pipeline.language.pick(
                "programmaleerlingen vonden geen vergelijkingsleerling binnen de marges (calipers)",
                "programme pupils found no comparison pupil within the calipers"
            )
        ));
    }
    DesignResult {
        effects,
        observations: units.len(),
        years,
        skipped,
        unmatched_programme_pupils: unmatched,
        ..DesignResult::default()
    }
}

/// The regression design's estimation sample, per subject and pooled.
fn regression_sample(p: &Pipeline, t: &Tables) -> (Vec<Obs>, Vec<String>) {
    let c = &p.compare;
    let lookup = covariates::Covariates::new(&t.growth, &t.pupils, &t.schools);
    let extra = (!c.covariates.is_empty()).then_some((&lookup, c.covariates.as_slice()));
    sample(
        &t.growth,
        &t.srl,
        &c.window,
        c.moderator_in_baseline_year,
        c.from_year,
        extra,
    )
}

/// Observations per subject, and all subjects pooled when there are several.
fn by_subject(obs: &[Obs]) -> Vec<(String, Vec<&Obs>)> {
    let subjects: BTreeSet<&str> = obs.iter().map(|o| o.growth.subject.as_str()).collect();
    let mut groups: Vec<(String, Vec<&Obs>)> = subjects
        .iter()
        .map(|s| {
            (
                s.to_string(),
                obs.iter().filter(|o| o.growth.subject == *s).collect(),
            )
        })
        .collect();
    if subjects.len() > 1 {
        groups.push(("all".into(), obs.iter().collect()));
    }
    groups
}

/// The regression design (`design = "regression"`).
fn design_regression(p: &Pipeline, t: &Tables) -> DesignResult {
    let (obs, years) = regression_sample(p, t);
    let outcome = format!("followup_z ({})", p.compare.window);
    let settings = inference::Settings::of(p);
    let mut r = DesignResult {
        observations: obs.len(),
        years,
        coefficients: Some(Vec::new()),
        ..DesignResult::default()
    };
    for (subject, o) in &by_subject(&obs) {
        match estimate(o, subject, &outcome, &settings) {
            Ok(rows) => r.effects.extend(rows),
            Err(e) => r.skipped.push(format!("{subject}: {e}")),
        }
        if let Some(c) = r.coefficients.as_mut() {
            c.extend(regression_coefficients(
                o,
                subject,
                &outcome,
                &p.compare.covariates,
            ));
        }
    }
    r
}

/// Runs one observational design.
fn design(p: &Pipeline, d: Design, t: &Tables) -> DesignResult {
    match d {
        Design::Vcg => design_vcg(p, t),
        Design::Matching => design_matching(p, t),
        Design::Multilevel => {
            let (obs, years) = regression_sample(p, t);
            DesignResult {
                years,
                ..multilevel::design(p, &obs)
            }
        }
        Design::Staggered => staggered::design(p, &t.growth).0,
        Design::Regression | Design::Experiment => design_regression(p, t),
    }
}

/// The designs whose overall rows are written beside the pipeline's as sensitivity checks.
const SENSITIVITY: [Design; 4] = [
    Design::Regression,
    Design::Multilevel,
    Design::Vcg,
    Design::Matching,
];

/// Runs compare for pipeline `p` on the run folder `out`.
pub fn run(p: &Pipeline, out: &Path) -> Result<CompareSummary> {
    if let (Design::Experiment, Some(e)) = (p.compare.design, &p.compare.experiment) {
        return run_experiment(p, e, out);
    }
    let tables = Tables::read(out)?;
    let (main, events) = match p.compare.design {
        Design::Staggered => {
            let (m, e) = staggered::design(p, &tables.growth);
            (m, Some(e))
        }
        d => (design(p, d, &tables), None),
    };
    let mut effects = main.effects;
    let mut skipped = main.skipped;
    if p.compare.sensitivity && !effects.is_empty() {
        for d in SENSITIVITY.into_iter().filter(|&d| d != p.compare.design) {
            let other = design(p, d, &tables);
            effects.extend(
                other
                    .effects
                    .into_iter()
                    .filter(|e| e.subgroup == "overall"),
            );
            skipped.extend(other.skipped.into_iter().map(|s| {
                let check = p
                    .pipeline
                    .language
                    .pick("gevoeligheidscontrole", "sensitivity check");
                format!("{check} {}: {s}", d.key())
            }));
        }
    }
    let dir = out.join("effects");
    let meta = vec![("leerwinst.pipeline".to_string(), p.pipeline.name.clone())];
    let mut outputs = write_both(p, &dir, Table::Effects, columns(&effects), &meta)?;
    let coefficients = main.coefficients.unwrap_or_default();
    if p.compare.design == Design::Regression {
        outputs.extend(write_both(
            p,
            &dir,
            Table::Coefficients,
            coefficient_columns(&coefficients),
            &meta,
        )?);
    }
    outputs.extend(write_both(
        p,
        &dir,
        Table::Sensitivity,
        confounding::columns(&confounding::rows(&effects)),
        &meta,
    )?);
    if p.compare.design != Design::Experiment {
        let (obs, _) = regression_sample(p, &tables);
        let outcome = format!("followup_z ({})", p.compare.window);
        let settings = inference::Settings::of(p);
        let rows: Vec<moderation::ModerationRow> = by_subject(&obs)
            .iter()
            .flat_map(|(subject, o)| moderation::curves(o, subject, &outcome, &settings))
            .collect();
        outputs.extend(write_both(
            p,
            &dir,
            Table::Moderation,
            moderation::columns(&rows),
            &meta,
        )?);
    }
    if let Some(events) = &events {
        outputs.extend(write_both(
            p,
            &dir,
            Table::EventStudy,
            staggered::columns(events),
            &meta,
        )?);
    }
    if let Some(balance) = &main.balance {
        outputs.extend(write_both(
            p,
            &dir,
            Table::Balance,
            matching::balance_columns(balance),
            &meta,
        )?);
    }
    let main_rows = effects
        .iter()
        .filter(|e| e.design == p.compare.design.key())
        .count();
    if main_rows == 0 && main.observations > 0 {
        return Err(Error::Compute(format!(
            "no effect could be estimated: {}",
            skipped.join("; ")
        )));
    }
    Ok(CompareSummary {
        observations: main.observations,
        years: main.years,
        effects: effects.len(),
        coefficients: coefficients.len(),
        skipped,
        outputs,
        unmatched_programme_pupils: main.unmatched_programme_pupils,
        warnings: arms_warnings(p, &tables.growth),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A planted effect of 0.4 in tercile 3 and 0 elsewhere is recovered with the right sign
    /// and a CI that contains it.
    #[test]
    fn recovers_a_planted_moderated_effect() {
        // One data set, two 95% intervals: about one seed in ten misses with one of them. Seed
        // 99 did (tercile 1 at p = 0.011) when the test moved to stats::rng; 100 does not. The
        // coverage itself is tested over 200 data sets below.
        let mut rng = leerwinst_stats::rng::Rng::new(100);
        let mut normal = || rng.normal();
        let mut obs = Vec::new();
        for s in 0..20 {
            let school_shift = 0.05 * normal();
            for k in 0..150 {
                let treated = s % 2 == 0;
                let tercile = k % 3 + 1;
                let bz = normal();
                let effect = if treated && tercile == 3 { 0.4 } else { 0.0 };
                obs.push(
                    Obs::generated(
                        format!("s{s}"),
                        4 + (k / 3) % 3,
                        treated,
                        bz,
                        0.8 * bz + effect + school_shift + 0.5 * normal(),
                    )
                    .with_tercile(tercile),
                );
            }
        }
        let refs: Vec<&Obs> = obs.iter().collect();
        let rows = estimate(&refs, "rekenen", "y", &inference::Settings::default()).unwrap();
        let find = |sg: &str, lv: &str| {
            rows.iter()
                .find(|r| r.subgroup == sg && r.level == lv)
                .unwrap_or_else(|| panic!("no {sg} {lv} row"))
        };
        // Overall, 3 terciles, one row per programme school (10).
        assert_eq!(rows.len(), 1 + 3 + 10);
        assert_eq!(rows.iter().filter(|r| r.subgroup == "school").count(), 10);
        let t3 = find("srl_tercile", "3");
        assert!(
            t3.ci_low.unwrap() < 0.4 && 0.4 < t3.ci_high.unwrap(),
            "{t3:?}"
        );
        assert!(t3.ci_low.unwrap() > 0.0);
        let t1 = find("srl_tercile", "1");
        assert!(
            t1.ci_low.unwrap() < 0.0 && 0.0 < t1.ci_high.unwrap(),
            "{t1:?}"
        );
        // A school row: that school's 150 pupils against the 10 comparison schools, its
        // shrunken effect from the multilevel model over all 20 schools.
        let s0 = find("school", "s0");
        assert_eq!(
            (s0.n_treated, s0.n_comparison, s0.clusters),
            (150, 1500, 20)
        );
        assert_eq!(s0.method, multilevel::METHOD_BLUP);
        assert_eq!(t3.clusters, 20);
        assert_eq!(t3.n_treated + t3.n_comparison, 1000);
        // BH-adjusted p values: none on the overall row, never below the raw p on subgroups.
        assert_eq!(rows[0].p_adjusted, None);
        assert!(
            rows[1..]
                .iter()
                .all(|r| r.p_adjusted.unwrap() >= r.p_value.unwrap())
        );
        // The coefficients table holds the same estimates with every other term.
        let coef = regression_coefficients(&refs, "rekenen", "y", &[]);
        let c3 = coef
            .iter()
            .find(|c| c.term == "programme:srl_tercile=3")
            .unwrap();
        // Same estimate; the coefficients table keeps CR1 SEs, the effect row CR2 (20 schools).
        assert_eq!(c3.estimate, t3.estimate.unwrap());
        assert_eq!(t3.method, inference::method::CR2);
        assert!(t3.se.unwrap() > c3.se, "CR2 {:?} vs CR1 {}", t3.se, c3.se);
        assert!(
            coef.iter()
                .any(|c| c.model == "overall" && c.term == "baseline_z")
        );
        let pp = t3.percentile_points.unwrap();
        assert!((pp - percentile_points(t3.effect_size.unwrap())).abs() < 1e-12);
    }

    /// Calibration of the regression design: 200 generated data sets, each 30 schools (half in
    /// the programme, assigned by school), a planted programme effect of 0.30 SD, school random
    /// effects and pupil noise. The 95% CIs must cover the truth in 90-99% of the data sets and
    /// the mean estimate must lie within 0.03 SD of it (issue 6's calibration criterion).
    #[test]
    fn regression_design_is_calibrated_over_generated_data_sets() {
        const TRUTH: f64 = 0.30;
        const RUNS: usize = 200;
        let mut rng = leerwinst_stats::rng::Rng::new(2026);
        let (mut covered, mut sum) = (0usize, 0.0);
        for _ in 0..RUNS {
            let mut obs = Vec::new();
            for s in 0..30 {
                let school_effect = 0.15 * rng.normal();
                let treated = s % 2 == 0;
                for k in 0..60 {
                    let bz = rng.normal();
                    let y = 0.7 * bz
                        + if treated { TRUTH } else { 0.0 }
                        + school_effect
                        + 0.6 * rng.normal();
                    obs.push(Obs::generated(format!("s{s}"), 4 + k % 2, treated, bz, y));
                }
            }
            let refs: Vec<&Obs> = obs.iter().collect();
            let rows = estimate(&refs, "rekenen", "y", &inference::Settings::default()).unwrap();
            let overall = &rows[0];
            let est = overall.estimate.unwrap();
            sum += est;
            covered +=
                usize::from(overall.ci_low.unwrap() <= TRUTH && TRUTH <= overall.ci_high.unwrap());
        }
        let coverage = covered as f64 / RUNS as f64;
        let bias = sum / RUNS as f64 - TRUTH;
        eprintln!(
            "regression design: coverage {coverage:.3}, bias {bias:+.4} SD over {RUNS} data sets"
        );
        assert!((0.90..=0.99).contains(&coverage), "coverage {coverage}");
        assert!(bias.abs() < 0.03, "bias {bias}");
    }

    /// A confounder (school disadvantage lowers growth and is more common in programme
    /// schools): without it the regression underestimates a planted effect of 0.3, with it as a
    /// covariate the CI covers the truth.
    #[test]
    fn covariates_remove_confounding() {
        let mut rng = leerwinst_stats::rng::Rng::new(4242);
        let mut obs = Vec::new();
        for s in 0..40 {
            let treated = s % 2 == 0;
            let disadvantage = if treated { 0.8 } else { 0.2 } + 0.1 * rng.normal();
            for _ in 0..80 {
                let bz = rng.normal();
                let y = 0.7 * bz + if treated { 0.3 } else { 0.0 } - 0.6 * disadvantage
                    + 0.5 * rng.normal();
                obs.push(Obs {
                    growth: PupilGrowth {
                        subject: "rekenen".into(),
                        grade: 5,
                        school: format!("s{s}"),
                        treated,
                        followup_z: y,
                        tercile: None,
                        quintile: None,
                    },
                    class: None,
                    baseline_z: bz,
                    srl_index: None,
                    extra: vec![disadvantage],
                });
            }
        }
        let refs: Vec<&Obs> = obs.iter().collect();
        let adjusted =
            &estimate(&refs, "rekenen", "y", &inference::Settings::default()).unwrap()[0];
        assert!(
            adjusted.ci_low.unwrap() < 0.3 && 0.3 < adjusted.ci_high.unwrap(),
            "{adjusted:?}"
        );
        let plain: Vec<Obs> = obs
            .iter()
            .cloned()
            .map(|o| Obs {
                extra: Vec::new(),
                ..o
            })
            .collect();
        let refs: Vec<&Obs> = plain.iter().collect();
        let naive = &estimate(&refs, "rekenen", "y", &inference::Settings::default()).unwrap()[0];
        assert!(naive.estimate.unwrap() < 0.1, "confounded: {naive:?}");
        let coef = regression_coefficients(
            &obs.iter().collect::<Vec<_>>(),
            "rekenen",
            "y",
            &["school_weight".to_string()],
        );
        let w = coef
            .iter()
            .find(|c| c.model == "overall" && c.term == "school_weight")
            .unwrap();
        assert!((w.estimate + 0.6).abs() < 3.0 * w.se, "{w:?}");
    }
}
