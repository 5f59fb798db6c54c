//! The virtual comparison group design (`design = "vcg"`; RAND, Pane et al. 2015, with NWEA's
//! virtual comparison groups; `../shared/reference/methods.md`).
//!
//! For each programme pupil, up to `k` comparison pupils from schools outside the programme with
//! the same subject, grade, follow-up year and SRL tercile (a pupil without a tercile among
//! those without one; RAND's groups have no such trait, but self-regulation drives growth by
//! itself, so the tercile rows need it), a baseline within `baseline_caliper` (SD units of
//! the baseline) and, per named school characteristic, a school within `school_caliper` SDs
//! (SD over schools); the nearest baselines are taken, ties broken by pupil key so the group is
//! reproducible. The effect is the mean over matched programme pupils of
//! `followup_z − mean followup_z of their group`: SD units, as RAND reports them.
//!
//! Uncertainty: a seeded cluster bootstrap over schools, both arms. Each replicate draws
//! programme schools and comparison schools with replacement (within their arm); a comparison
//! school drawn m times counts m times in every group it belongs to, a group left empty drops
//! its pupil, and a programme school drawn m times counts its pupils' differences m times. The
//! SE is the SD of the replicates times √(G/(G−1)) and the CI estimate ± t(G−1) · SE, with G the
//! number of programme schools — the same small-sample corrections as CR1 standard errors; p
//! from that t. A per-school effect (one programme school) resamples that school's pupils
//! instead, with G the number of its pupils. (The plain percentile interval covered 90.5% in the calibration test: too few
//! schools for it.) The groups themselves are not re-formed per replicate.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use leerwinst_core::SchoolYear;
use leerwinst_core::pipeline::VcgSettings;
use leerwinst_stats::describe::sd;
use leerwinst_stats::dist::{percentile_points, t_quantile, t_two_sided_p};
use leerwinst_stats::rng::Rng;
use leerwinst_store::{Frame, opt};

use crate::covariates::Covariates;
use crate::window::WindowRows;

use crate::Effect;
use crate::observation::{GrowthColumns, PupilGrowth};

/// One pupil in the VCG sample.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The pupil's growth row.
    pub growth: PupilGrowth,
    /// Pupil key (for reproducible tie-breaking).
    pub pupil: String,
    /// Follow-up year.
    pub year: String,
    /// Baseline (z).
    pub baseline_z: f64,
    /// School characteristics, in the order of the settings.
    pub school_chars: Vec<f64>,
}

/// The VCG sample from the growth and SRL tables, with school characteristics from `covariates`.
pub fn sample(
    growth: &Frame,
    srl: &Frame,
    covariates: &Covariates<'_>,
    settings: &VcgSettings,
    window: &str,
    from_year: Option<SchoolYear>,
) -> (Vec<Unit>, Vec<String>) {
    // The VCG always takes the SRL tercile from the baseline year of a year-on-year window.
    let win = WindowRows::new(growth, srl, window, from_year, true);
    let columns = GrowthColumns::new(growth);
    let (gp, gy, gbz) = (
        growth.str("pupil_key"),
        growth.str("school_year"),
        growth.f64("baseline_z"),
    );
    let mut units = Vec::new();
    for &i in &win.rows {
        let Some(row) = columns.row(i, win.tercile(i)) else {
            continue;
        };
        let Some(baseline_z) = opt(gbz, i) else {
            continue;
        };
        let Some(school_chars) = covariates.values(&settings.school_characteristics, i) else {
            continue;
        };
        units.push(Unit {
            growth: row,
            pupil: gp.value(i).to_string(),
            year: gy.value(i).to_string(),
            baseline_z,
            school_chars,
        });
    }
    (units, win.years)
}

/// A programme pupil's virtual comparison group: indices into the units.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The programme pupil.
    pub pupil: usize,
    /// Its comparison pupils.
    pub members: Vec<usize>,
}

/// Forms the groups. Comparison pupils are bucketed by subject, grade and year and sorted by
/// baseline, so each group costs a binary search and a walk outwards: fast enough for a pool of
/// a million pupils.
pub fn groups(units: &[Unit], settings: &VcgSettings) -> Vec<Group> {
    // SD over schools of each school characteristic.
    let mut per_school: BTreeMap<&str, &[f64]> = BTreeMap::new();
    for u in units {
        per_school.insert(u.growth.school.as_str(), &u.school_chars);
    }
    let char_sd: Vec<f64> = (0..settings.school_characteristics.len())
        .map(|c| sd(&per_school.values().map(|v| v[c]).collect::<Vec<_>>()))
        .collect();
    // Same subject, grade, year and SRL tercile (self-regulation drives growth by itself: without
    // it the tercile rows would compare high-SRL programme pupils with average ones).
    type Bucket<'a> = (&'a str, i32, &'a str, Option<i32>);
    let mut buckets: HashMap<Bucket<'_>, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        if !u.growth.treated {
            buckets
                .entry((
                    u.growth.subject.as_str(),
                    u.growth.grade,
                    u.year.as_str(),
                    u.growth.tercile,
                ))
                .or_default()
                .push(i);
        }
    }
    for b in buckets.values_mut() {
        b.sort_by(|&a, &c| {
            units[a]
                .baseline_z
                .total_cmp(&units[c].baseline_z)
                .then_with(|| units[a].pupil.cmp(&units[c].pupil))
        });
    }
    let mut out = Vec::new();
    for (i, u) in units.iter().enumerate().filter(|(_, u)| u.growth.treated) {
        let Some(b) = buckets.get(&(
            u.growth.subject.as_str(),
            u.growth.grade,
            u.year.as_str(),
            u.growth.tercile,
        )) else {
            continue;
        };
        let similar_school = |j: usize| {
            units[j]
                .school_chars
                .iter()
                .zip(&u.school_chars)
                .zip(&char_sd)
                .all(|((a, c), s)| (a - c).abs() <= settings.school_caliper * s)
        };
        let start = b.partition_point(|&j| units[j].baseline_z < u.baseline_z);
        let (mut left, mut right) = (start, start);
        let mut members = Vec::new();
        while members.len() < settings.k {
            let dl = (left > 0).then(|| u.baseline_z - units[b[left - 1]].baseline_z);
            let dr = (right < b.len()).then(|| units[b[right]].baseline_z - u.baseline_z);
            let take_left = match (dl, dr) {
                (Some(l), Some(r)) => l <= r,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let (j, d) = if take_left {
                left -= 1;
                (b[left], dl.unwrap_or_default())
            } else {
                right += 1;
                (b[right - 1], dr.unwrap_or_default())
            };
            if d > settings.baseline_caliper {
                // Nearest remaining on this side is too far; the other side may still qualify.
                if take_left {
                    left = 0;
                } else {
                    right = b.len();
                }
                continue;
            }
            if similar_school(j) {
                members.push(j);
            }
        }
        if !members.is_empty() {
            out.push(Group { pupil: i, members });
        }
    }
    out
}

/// Estimate, bootstrap SE and percentile CI of the VCG effect over `groups`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VcgEstimate {
    /// Mean difference.
    pub estimate: f64,
    /// Bootstrap SE with the small-sample factor.
    pub se: f64,
    /// Lower end of the 95% CI.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Degrees of freedom of the interval: programme schools − 1.
    pub df: f64,
    /// Programme pupils with a group.
    pub n_treated: usize,
    /// Distinct comparison pupils used.
    pub n_comparison: usize,
    /// Schools (both arms).
    pub clusters: usize,
    /// Programme schools.
    pub programme_schools: usize,
    /// Comparison schools.
    pub comparison_schools: usize,
}

/// The effect and its cluster bootstrap.
pub fn estimate(units: &[Unit], groups: &[Group], settings: &VcgSettings) -> Option<VcgEstimate> {
    if groups.is_empty() {
        return None;
    }
    let mut school_id: HashMap<&str, usize> = HashMap::new();
    fn id<'u>(ids: &mut HashMap<&'u str, usize>, s: &'u str) -> usize {
        let n = ids.len();
        *ids.entry(s).or_insert(n)
    }
    // Programme clusters: schools, or the pupils themselves when there is one programme school
    // (a per-school effect).
    let mut prog_id: HashMap<&str, usize> = HashMap::new();
    for g in groups {
        id(&mut prog_id, &units[g.pupil].growth.school);
    }
    let by_pupil = prog_id.len() < 2;
    // Per group: programme cluster, own outcome, and per comparison school (sum y, count).
    struct G {
        cluster: usize,
        y: f64,
        parts: Vec<(usize, f64, f64)>,
    }
    let gs: Vec<G> = groups
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let mut parts: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
            for &m in &g.members {
                let e = parts
                    .entry(id(&mut school_id, &units[m].growth.school))
                    .or_default();
                e.0 += units[m].growth.followup_z;
                e.1 += 1.0;
            }
            G {
                cluster: if by_pupil {
                    k
                } else {
                    prog_id[units[g.pupil].growth.school.as_str()]
                },
                y: units[g.pupil].growth.followup_z,
                parts: parts.into_iter().map(|(s, (a, b))| (s, a, b)).collect(),
            }
        })
        .collect();
    let n_prog = if by_pupil {
        groups.len()
    } else {
        prog_id.len()
    };
    let n_comp = school_id.len();
    let point = |pm: &[f64], cm: &[f64]| -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for g in gs.iter() {
            let w = pm[g.cluster];
            if w == 0.0 {
                continue;
            }
            let (mut sy, mut sn) = (0.0, 0.0);
            for &(s, y, c) in &g.parts {
                sy += cm[s] * y;
                sn += cm[s] * c;
            }
            if sn > 0.0 {
                num += w * (g.y - sy / sn);
                den += w;
            }
        }
        (den > 0.0).then(|| num / den)
    };
    let estimate = point(&vec![1.0; n_prog], &vec![1.0; n_comp])?;
    if n_prog < 2 {
        return None;
    }
    let mut rng = Rng::new(settings.seed);
    let mut reps = Vec::with_capacity(settings.bootstrap);
    let (mut pm, mut cm) = (vec![0.0; n_prog], vec![0.0; n_comp]);
    for _ in 0..settings.bootstrap {
        pm.fill(0.0);
        cm.fill(0.0);
        for _ in 0..n_prog {
            pm[rng.below(n_prog)] += 1.0;
        }
        for _ in 0..n_comp {
            cm[rng.below(n_comp)] += 1.0;
        }
        if let Some(v) = point(&pm, &cm) {
            reps.push(v);
        }
    }
    if reps.len() < 2 {
        return None;
    }
    let g = n_prog as f64;
    let se = sd(&reps) * (g / (g - 1.0)).sqrt();
    let tq = t_quantile(0.975, g - 1.0);
    let members: BTreeSet<usize> = groups
        .iter()
        .flat_map(|g| g.members.iter().copied())
        .collect();
    Some(VcgEstimate {
        estimate,
        se,
        ci_low: estimate - tq * se,
        ci_high: estimate + tq * se,
        df: g - 1.0,
        n_treated: groups.len(),
        n_comparison: members.len(),
        clusters: prog_id.len() + n_comp,
        programme_schools: prog_id.len(),
        comparison_schools: n_comp,
    })
}

/// Effect rows of the VCG design: per subject and pooled, overall, per SRL tercile and per
/// baseline quintile, with BH-adjusted p values across the subgroup rows.
pub fn effects(
    units: &[Unit],
    settings: &VcgSettings,
    outcome: &str,
    min_group_size: usize,
) -> (Vec<Effect>, usize) {
    let all_groups = groups(units, settings);
    let subjects: BTreeSet<&str> = units.iter().map(|u| u.growth.subject.as_str()).collect();
    let mut scopes: Vec<String> = subjects.iter().map(|s| s.to_string()).collect();
    if scopes.len() > 1 {
        scopes.push("all".into());
    }
    let mut out = Vec::new();
    for scope in scopes {
        let in_scope: Vec<&Group> = all_groups
            .iter()
            .filter(|g| scope == "all" || units[g.pupil].growth.subject == scope)
            .collect();
        let mut rows = Vec::new();
        let mut add = |subgroup: &str, level: &str, keep: &dyn Fn(&Unit) -> bool| {
            let gs: Vec<Group> = in_scope
                .iter()
                .filter(|g| keep(&units[g.pupil]))
                .map(|g| (*g).clone())
                .collect();
            let Some(e) = estimate(units, &gs, settings) else {
                return;
            };
            let p = if e.se > 0.0 {
                t_two_sided_p(e.estimate / e.se, e.df)
            } else {
                1.0
            };
            rows.push(Effect {
                design: "vcg".into(),
                outcome: outcome.into(),
                subject: scope.clone(),
                subgroup: subgroup.into(),
                level: level.into(),
                n_treated: e.n_treated as i64,
                n_comparison: e.n_comparison as i64,
                clusters: e.clusters as i64,
                estimate: Some(e.estimate),
                se: Some(e.se),
                ci_low: Some(e.ci_low),
                ci_high: Some(e.ci_high),
                // The outcome is already in SD units of the norm group (followup_z).
                effect_size: Some(e.estimate),
                percentile_points: Some(percentile_points(e.estimate)),
                p_value: Some(p),
                p_adjusted: None,
                method: format!("cluster bootstrap over schools ({})", settings.bootstrap),
                df: Some(e.df),
                clusters_programme: e.programme_schools as i64,
                clusters_comparison: e.comparison_schools as i64,
                note: None,
            });
        };
        add("overall", "all", &|_| true);
        for t in 1..=3 {
            add("srl_tercile", &t.to_string(), &|u| {
                u.growth.tercile == Some(t)
            });
        }
        for q in 1..=5 {
            add("baseline_quintile", &q.to_string(), &|u| {
                u.growth.quintile == Some(q)
            });
        }
        crate::inference::guard(&mut rows, min_group_size);
        crate::adjust_subgroups(&mut rows);
        out.extend(rows);
    }
    let unmatched = units.iter().filter(|u| u.growth.treated).count() - all_groups.len();
    (out, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(pupil: &str, school: &str, treated: bool, bz: f64, fz: f64, w: f64) -> Unit {
        Unit {
            growth: PupilGrowth {
                subject: "rekenen".into(),
                grade: 5,
                school: school.into(),
                treated,
                followup_z: fz,
                tercile: None,
                quintile: None,
            },
            pupil: pupil.into(),
            year: "2024-2025".into(),
            baseline_z: bz,
            school_chars: vec![w],
        }
    }

    #[test]
    fn groups_take_the_nearest_within_the_calipers() {
        let units = vec![
            unit("t1", "P", true, 0.00, 1.0, 10.0),
            unit("c1", "A", false, 0.02, 0.2, 10.0),
            unit("c2", "A", false, -0.03, 0.4, 10.0),
            unit("c3", "B", false, 0.05, 0.6, 30.0), // school too different
            unit("c4", "A", false, 0.20, 0.8, 10.0), // baseline too far
            unit("c5", "A", false, -0.06, 0.0, 10.0),
            unit("t2", "Q", true, 0.01, 0.5, 10.0),
        ];
        let s = VcgSettings {
            k: 2,
            baseline_caliper: 0.1,
            school_characteristics: vec!["school_weight".into()],
            school_caliper: 0.5,
            bootstrap: 99,
            ..Default::default()
        };
        // School weights over schools P, A, B, Q (10, 10, 30, 10): SD 10, so 0.5 SD = 5.
        let g = groups(&units, &s);
        assert_eq!(g[0].members, vec![1, 2]);
        assert_eq!(
            g[1].members,
            vec![1, 2],
            "t2 at 0.01: c1 (0.01 away), then c2 (0.04)"
        );
        let s3 = VcgSettings { k: 3, ..s.clone() };
        let g3 = groups(&units, &s3);
        assert_eq!(g3[0].members, vec![1, 2, 5]);
        // Effect: t1 1.0 - mean(0.2, 0.4, 0.0) = 0.8; t2 0.5 - 0.2 = 0.3; mean 0.55.
        let e = estimate(&units, &g3, &s3).unwrap();
        assert!((e.estimate - 0.55).abs() < 1e-12, "{e:?}");
        assert_eq!((e.n_treated, e.n_comparison, e.clusters), (2, 3, 3));
        assert!(e.ci_low < e.estimate && e.estimate < e.ci_high);
        // The same seed gives the same interval.
        assert_eq!(estimate(&units, &g3, &s3), Some(e));
        // One programme pupil: no interval can be formed.
        let one: Vec<Group> = g3[..1].to_vec();
        assert!(estimate(&units, &one, &s3).is_none());
    }

    /// Calibration over 200 generated data sets: 40 schools (20 programme), school effects,
    /// selection on the baseline, a planted effect of 0.3 SD. 95% bootstrap CIs cover it in
    /// 90-99% of the data sets and the mean estimate is within 0.03 SD.
    #[test]
    fn vcg_design_is_calibrated_over_generated_data_sets() {
        const TRUTH: f64 = 0.3;
        const RUNS: usize = 200;
        let mut rng = leerwinst_stats::rng::Rng::new(99);
        let settings = VcgSettings {
            k: 51,
            bootstrap: 299,
            ..Default::default()
        };
        let (mut covered, mut sum) = (0, 0.0);
        for run in 0..RUNS {
            let mut units = Vec::new();
            for s in 0..40 {
                let treated = s % 2 == 0;
                let school_effect = 0.1 * rng.normal();
                let shift = if treated { 0.3 } else { 0.0 }; // programme schools start higher
                for k in 0..60 {
                    let bz = shift + rng.normal();
                    let y = 0.7 * bz
                        + if treated { TRUTH } else { 0.0 }
                        + school_effect
                        + 0.5 * rng.normal();
                    units.push(unit(
                        &format!("r{run}s{s}p{k}"),
                        &format!("s{s}"),
                        treated,
                        bz,
                        y,
                        0.0,
                    ));
                }
            }
            let gs = groups(&units, &settings);
            let e = estimate(
                &units,
                &gs,
                &VcgSettings {
                    seed: run as u64,
                    ..settings.clone()
                },
            )
            .unwrap();
            // The outcome model has slope 0.7 on the baseline: with matched baselines the
            // difference estimates the effect.
            sum += e.estimate;
            covered += usize::from(e.ci_low <= TRUTH && TRUTH <= e.ci_high);
        }
        let coverage = covered as f64 / RUNS as f64;
        let bias = sum / RUNS as f64 - TRUTH;
        eprintln!("vcg design: coverage {coverage:.3}, bias {bias:+.4} SD over {RUNS} data sets");
        assert!((0.90..=0.99).contains(&coverage), "coverage {coverage}");
        assert!(bias.abs() < 0.03, "bias {bias}");
    }
}
