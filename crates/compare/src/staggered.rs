//! Design `staggered`: schools start the programme in different school years (a gradual
//! introduction). Each school's *cohort* is the first follow-up school year in which its growth
//! rows are programme rows; schools that never start are the never-treated comparison.
//!
//! For every cohort g and school year t the group-time effect ATT(g, t) of Callaway & Sant'Anna
//! (2021) compares the change in the outcome of the cohort's pupils between a base year and t with
//! the same change in the comparison schools ([`leerwinst_stats::did`], equal to R `did`). The
//! growth rows are repeated cross sections (pupils move up a grade every year), so each row is its
//! own unit, clustered by school: pupils of one school share its shocks across years and subjects.
//! The aggregations:
//! - `event_time`: by school years since the start, the event study; negative event times are
//!   placebo estimates before the start, where a real effect cannot be (a pre-trend if not 0);
//! - `cohort`: per cohort, the mean over its programme years (are later starters catching up?);
//! - `school_year`: the programme schools' effect per school year;
//! - overall (the effects table's `overall` row): the pupil-weighted mean of all programme cells.
//!
//! Standard errors and intervals ([`leerwinst_stats::jackknife`]): the design is refitted without
//! each school in turn; the delete-one-school jackknife (CV3) gives every estimate's standard
//! error, pointwise 95% intervals use t(G − 1) with G the schools the estimate rests on (those
//! whose deletion moves it: an event-study year that one start cohort reaches rests on that
//! cohort's and the comparison schools, not on all), and the simultaneous band over an
//! aggregation's rows uses the 95% quantile of their largest |t| under the multivariate t with the
//! smallest of their degrees of freedom and the replicates' correlation (`draws` simulated draws,
//! seeded). did's own analytic
//! standard errors with 1.96 and its multiplier-bootstrap band (the kernel has both, equal to R)
//! undercover badly with a board's 6-20 schools; `docs/calibration.md` reports the coverage.

use std::collections::{BTreeMap, BTreeSet};

use leerwinst_core::SchoolYear;
use leerwinst_core::pipeline::{
    Pipeline, StaggeredBase, StaggeredComparison, StaggeredEstimator, StaggeredOutcome,
    StaggeredSettings,
};
use leerwinst_stats::did::aggregate::{Aggregate, Kind, aggregate};
use leerwinst_stats::did::{self, AttGt, BasePeriod, ComparisonGroup, Estimator, Observations};
use leerwinst_stats::dist::{percentile_points, t_quantile, t_two_sided_p};
use leerwinst_stats::jackknife;
use leerwinst_store::{Frame, f64_array, i32_array, i64_array, opt, str_array};

use crate::{DesignResult, Effect, inference};

/// One row of `effects/event_study.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Outcome label.
    pub outcome: String,
    /// Subject or `all`.
    pub subject: String,
    /// `group_time`, `event_time`, `cohort` or `school_year`.
    pub aggregation: &'static str,
    /// Cohort (start school year).
    pub cohort: Option<String>,
    /// School year measured.
    pub school_year: Option<String>,
    /// Years since the start.
    pub event_time: Option<i32>,
    /// Estimate.
    pub estimate: Option<f64>,
    /// Bootstrap standard error.
    pub se: Option<f64>,
    /// Pointwise interval.
    pub ci: Option<(f64, f64)>,
    /// Simultaneous band.
    pub band: Option<(f64, f64)>,
    /// Programme pupil observations behind the row.
    pub n_programme: i64,
    /// Schools in the estimation.
    pub clusters: i64,
    /// Why a value is missing or weak.
    pub note: Option<String>,
}

/// The growth rows of the window as observations: outcome, period (start year of the
/// follow-up school year), cohort (0: never started), school, subject.
struct Rows {
    y: Vec<f64>,
    baseline: Vec<f64>,
    period: Vec<i32>,
    group: Vec<i32>,
    school: Vec<u32>,
    subject: Vec<String>,
}

/// The columns of an estimation sample (repeated cross sections: each row its own unit), owned,
/// so a subset (a subject, a jackknife refit without one school) is one `pick`.
struct Sample {
    y: Vec<f64>,
    period: Vec<i32>,
    group: Vec<i32>,
    school: Vec<u32>,
    covariates: Vec<Vec<f64>>,
    unit: Vec<u32>,
}

impl Sample {
    /// The rows `idx` of `r`, with the baseline as covariate for the `followup` outcome.
    fn of(r: &Rows, idx: &[usize], outcome: StaggeredOutcome) -> Sample {
        let all = Sample {
            y: r.y.clone(),
            period: r.period.clone(),
            group: r.group.clone(),
            school: r.school.clone(),
            covariates: match outcome {
                StaggeredOutcome::Growth => vec![],
                StaggeredOutcome::Followup => vec![r.baseline.clone()],
            },
            unit: (0..r.y.len() as u32).collect(),
        };
        all.pick(idx)
    }

    /// The rows `idx`.
    fn pick(&self, idx: &[usize]) -> Sample {
        fn take<T: Copy>(v: &[T], idx: &[usize]) -> Vec<T> {
            idx.iter().map(|&i| v[i]).collect()
        }
        Sample {
            y: take(&self.y, idx),
            period: take(&self.period, idx),
            group: take(&self.group, idx),
            school: take(&self.school, idx),
            covariates: self.covariates.iter().map(|c| take(c, idx)).collect(),
            unit: take(&self.unit, idx),
        }
    }

    /// The kernel's view, clustered by school.
    fn observations(&self) -> Observations<'_> {
        Observations {
            y: &self.y,
            period: &self.period,
            group: &self.group,
            unit: &self.unit,
            covariates: &self.covariates,
            cluster: Some(&self.school),
        }
    }
}

fn rows(growth: &Frame, window: &str, outcome: StaggeredOutcome) -> Rows {
    let (gw, gy, gsch, gprog, gs, gbz, gfz) = (
        growth.str("window"),
        growth.str("school_year"),
        growth.str("school_key"),
        growth.bool("programme"),
        growth.str("subject"),
        growth.f64("baseline_z"),
        growth.f64("followup_z"),
    );
    let mut keep = Vec::new();
    let mut start: BTreeMap<&str, i32> = BTreeMap::new();
    for i in 0..growth.len() {
        if gw.value(i) != window || arrow_array::Array::is_null(gsch, i) {
            continue;
        }
        let (Some(year), Some(bz), Some(fz)) =
            (SchoolYear::parse(gy.value(i)), opt(gbz, i), opt(gfz, i))
        else {
            continue;
        };
        let school = gsch.value(i);
        if gprog.value(i) {
            let s = start.entry(school).or_insert(year.0);
            *s = (*s).min(year.0);
        }
        keep.push((i, year.0, bz, fz, school));
    }
    let school_ids: BTreeMap<&str, u32> = keep
        .iter()
        .map(|k| k.4)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(n, s)| (s, n as u32))
        .collect();
    let y = keep
        .iter()
        .map(|&(_, _, bz, fz, _)| match outcome {
            StaggeredOutcome::Growth => fz - bz,
            StaggeredOutcome::Followup => fz,
        })
        .collect();
    Rows {
        y,
        baseline: keep.iter().map(|k| k.2).collect(),
        period: keep.iter().map(|k| k.1).collect(),
        group: keep
            .iter()
            .map(|k| start.get(k.4).copied().unwrap_or(0))
            .collect(),
        school: keep.iter().map(|k| school_ids[k.4]).collect(),
        subject: keep.iter().map(|k| gs.value(k.0).to_string()).collect(),
    }
}

fn settings(s: &StaggeredSettings) -> did::Settings {
    did::Settings {
        estimator: match s.estimator {
            StaggeredEstimator::Regression => Estimator::Regression,
            StaggeredEstimator::Ipw => Estimator::InverseProbability,
            StaggeredEstimator::DoublyRobust => Estimator::DoublyRobust,
        },
        comparison: match s.comparison {
            StaggeredComparison::NeverTreated => ComparisonGroup::NeverTreated,
            StaggeredComparison::NotYetTreated => ComparisonGroup::NotYetTreated,
        },
        base_period: match s.base_period {
            StaggeredBase::Varying => BasePeriod::Varying,
            StaggeredBase::Universal => BasePeriod::Universal,
        },
        anticipation: i32::from(s.anticipation),
        panel: false,
    }
}

fn year_label(start: i32) -> String {
    SchoolYear(start).to_string()
}

/// Key of a reported estimate, so the refits of the jackknife can be matched to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// ATT(g, t).
    Cell(i32, i32),
    /// Aggregation row: kind and its group, period or event time.
    Row(u8, i32),
    /// The overall effect.
    Overall,
}

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Simple => 0,
        Kind::Group => 1,
        Kind::Calendar => 2,
        Kind::Dynamic => 3,
    }
}

/// Every estimate the design reports, by key.
fn point_estimates(fit: &AttGt) -> BTreeMap<Key, f64> {
    let mut m = BTreeMap::new();
    for c in &fit.cells {
        if let Some(a) = c.att {
            m.insert(Key::Cell(c.group, c.time), a);
        }
    }
    for kind in [Kind::Dynamic, Kind::Group, Kind::Calendar, Kind::Simple] {
        if let Some(agg) = aggregate(fit, kind) {
            for (k, e) in &agg.rows {
                m.insert(Key::Row(kind_code(kind), *k), e.att);
            }
            if kind == Kind::Simple {
                m.insert(Key::Overall, agg.overall.att);
            }
        }
    }
    m
}

/// Delete-one-school jackknife replicates of every estimate: the design refitted without each
/// school in turn, in school order ([`leerwinst_stats::jackknife`]), beside the full-sample
/// estimates. An estimate that some refit cannot make (e.g. a cohort of one school) has no
/// replicates and so no standard error.
struct Replicates {
    reps: BTreeMap<Key, Vec<f64>>,
    full: BTreeMap<Key, f64>,
}

/// A row's standard error with its pointwise and simultaneous critical values.
#[derive(Debug, Clone, Copy)]
struct Spread {
    se: f64,
    df: usize,
    t: f64,
    band: f64,
}

impl Replicates {
    fn of(sample: &Sample, settings: &did::Settings, fit: &AttGt) -> Replicates {
        let schools: BTreeSet<u32> = sample.school.iter().copied().collect();
        let mut reps: BTreeMap<Key, Vec<f64>> = BTreeMap::new();
        for &c in &schools {
            let keep: Vec<usize> = (0..sample.school.len())
                .filter(|&i| sample.school[i] != c)
                .collect();
            let sub = sample.pick(&keep);
            if let Ok(fit) = did::att_gt(&sub.observations(), settings) {
                for (k, v) in point_estimates(&fit) {
                    reps.entry(k).or_default().push(v);
                }
            }
        }
        reps.retain(|_, v| v.len() == schools.len());
        Replicates {
            reps,
            full: point_estimates(fit),
        }
    }

    /// Standard error (CV3), degrees of freedom (the schools the estimate rests on, minus one)
    /// and the pointwise t critical value of an estimate.
    fn pointwise(&self, key: &Key) -> Option<(f64, usize, f64)> {
        let r = self.reps.get(key)?;
        let se = jackknife::se(r)?;
        let df = jackknife::degrees_of_freedom(r, *self.full.get(key)?);
        Some((se, df, t_quantile(0.975, df as f64)))
    }

    /// The critical value of the simultaneous 95% band over `keys`: the multivariate t over the
    /// schools' replicates with the smallest of their degrees of freedom, never below any row's
    /// pointwise critical value. None when no row has a standard error.
    fn band_crit(&self, keys: &[Key], s: &StaggeredSettings) -> Option<f64> {
        let rows: Vec<(&[f64], usize, f64)> = keys
            .iter()
            .filter_map(|k| {
                let (_, df, t) = self.pointwise(k)?;
                Some((&self.reps[k][..], df, t))
            })
            .collect();
        let df = rows.iter().map(|r| r.1).min()?;
        let pointwise = rows.iter().map(|r| r.2).fold(0.0, f64::max);
        let reps: Vec<&[f64]> = rows.iter().map(|r| r.0).collect();
        Some(
            jackknife::band_critical_value(&reps, df, 0.95, s.draws, s.seed)
                .map_or(pointwise, |c| c.max(pointwise)),
        )
    }

    /// The spread of one estimate, with the band's critical value of its aggregation.
    fn spread(&self, key: &Key, band: Option<f64>) -> Option<Spread> {
        let (se, df, t) = self.pointwise(key)?;
        Some(Spread {
            se,
            df,
            t,
            band: band.unwrap_or(t).max(t),
        })
    }
}

/// Programme rows behind a set of cells (group, period) of the fit's units.
fn programme_count(units: &Units<'_>, cells: &[(i32, i32)]) -> i64 {
    (0..units.group.len())
        .filter(|&i| cells.contains(&(units.group[i], units.period[i])))
        .count() as i64
}

struct Units<'a> {
    group: &'a [i32],
    period: &'a [i32],
}

fn event_row(
    (outcome, subject): (&str, &str),
    aggregation: &'static str,
    key: (Option<String>, Option<String>, Option<i32>),
    estimate: f64,
    spread: Option<Spread>,
    n_programme: i64,
    clusters: i64,
) -> EventRow {
    EventRow {
        outcome: outcome.into(),
        subject: subject.into(),
        aggregation,
        cohort: key.0,
        school_year: key.1,
        event_time: key.2,
        estimate: Some(estimate),
        se: spread.map(|s| s.se),
        ci: spread.map(|s| (estimate - s.t * s.se, estimate + s.t * s.se)),
        band: spread.map(|s| (estimate - s.band * s.se, estimate + s.band * s.se)),
        n_programme,
        clusters,
        note: None,
    }
}

/// The rows of one aggregation (with the band over its rows jointly).
fn aggregation_rows(
    fit: &AttGt,
    agg: &Aggregate,
    units: &Units<'_>,
    (s, jk): (&StaggeredSettings, &Replicates),
    labels: (&str, &str),
    clusters: i64,
) -> Vec<EventRow> {
    let code = kind_code(agg.kind);
    let keys: Vec<Key> = agg.rows.iter().map(|(k, _)| Key::Row(code, *k)).collect();
    let band = jk.band_crit(&keys, s);
    let cells_of = |pred: &dyn Fn(i32, i32) -> bool| -> Vec<(i32, i32)> {
        fit.cells
            .iter()
            .filter(|c| c.att.is_some() && pred(c.group, c.time))
            .map(|c| (c.group, c.time))
            .collect()
    };
    agg.rows
        .iter()
        .zip(&keys)
        .map(|((k, e), key)| {
            let k = *k;
            let (name, label, cells) = match agg.kind {
                Kind::Dynamic => (
                    "event_time",
                    (None, None, Some(k)),
                    cells_of(&|g, t| t - g == k),
                ),
                Kind::Group => (
                    "cohort",
                    (Some(year_label(k)), None, None),
                    cells_of(&|g, t| g == k && t >= g),
                ),
                _ => (
                    "school_year",
                    (None, Some(year_label(k)), None),
                    cells_of(&|g, t| t == k && t >= g),
                ),
            };
            let n = programme_count(units, &cells);
            event_row(
                labels,
                name,
                label,
                e.att,
                jk.spread(key, band),
                n,
                clusters,
            )
        })
        .collect()
}

/// The staggered design over the window's growth rows: effect rows (`overall` per subject and
/// pooled) and the event-study rows.
pub fn design(p: &Pipeline, growth: &Frame) -> (DesignResult, Vec<EventRow>) {
    let s = p.compare.staggered.clone().unwrap_or_default();
    let window = &p.compare.window;
    let r = rows(growth, window, s.outcome);
    let outcome = match s.outcome {
        StaggeredOutcome::Growth => format!("growth_z ({window})"),
        StaggeredOutcome::Followup => format!("followup_z ({window})"),
    };
    let years: BTreeSet<String> = r.period.iter().map(|&y| year_label(y)).collect();
    let mut result = DesignResult {
        observations: r.y.len(),
        years: years.into_iter().collect(),
        ..DesignResult::default()
    };
    let mut events = Vec::new();
    let subjects: BTreeSet<&str> = r.subject.iter().map(String::as_str).collect();
    let mut samples: Vec<(String, Vec<usize>)> = subjects
        .iter()
        .map(|&sub| {
            (
                sub.to_string(),
                (0..r.y.len()).filter(|&i| r.subject[i] == sub).collect(),
            )
        })
        .collect();
    if subjects.len() > 1 {
        samples.push(("all".into(), (0..r.y.len()).collect()));
    }
    let lang = p.pipeline.language;
    for (subject, idx) in samples {
        let sample = Sample::of(&r, &idx, s.outcome);
        let obs = sample.observations();
        let period = &sample.period;
        let fit = match did::att_gt(&obs, &settings(&s)) {
            Ok(f) => f,
            Err(e) => {
                result.skipped.push(format!(
                    "{subject}: {}",
                    lang.pick(
                        &format!("geen gefaseerde invoering te schatten ({e})"),
                        &format!("no staggered adoption to estimate ({e})")
                    )
                ));
                continue;
            }
        };
        let unit_period: Vec<i32> = fit.unit_row.iter().map(|&i| period[i]).collect();
        let units = Units {
            group: &fit.unit_group,
            period: &unit_period,
        };
        let clusters = fit
            .unit_cluster
            .as_ref()
            .map_or(0, |c| c.iter().collect::<BTreeSet<_>>().len()) as i64;
        let schools_of = |pred: &dyn Fn(i32) -> bool| -> i64 {
            let c = fit.unit_cluster.as_deref().unwrap_or(&[]);
            (0..fit.units())
                .filter(|&i| pred(fit.unit_group[i]))
                .map(|i| c[i])
                .collect::<BTreeSet<_>>()
                .len() as i64
        };
        let jk = Replicates::of(&sample, &settings(&s), &fit);
        let labels = (outcome.as_str(), subject.as_str());
        // Group-time cells, with the band over all cells (as att_gt).
        let cell_keys: Vec<Key> = fit
            .cells
            .iter()
            .filter(|c| c.att.is_some())
            .map(|c| Key::Cell(c.group, c.time))
            .collect();
        let band = jk.band_crit(&cell_keys, &s);
        for cell in &fit.cells {
            let n = programme_count(&units, &[(cell.group, cell.time)]);
            let label = (
                Some(year_label(cell.group)),
                Some(year_label(cell.time)),
                Some(cell.time - cell.group),
            );
            let mut row = match cell.att {
                Some(a) => event_row(
                    labels,
                    "group_time",
                    label,
                    a,
                    jk.spread(&Key::Cell(cell.group, cell.time), band),
                    n,
                    clusters,
                ),
                None => EventRow {
                    estimate: None,
                    note: Some("not_estimable".into()),
                    ..event_row(labels, "group_time", label, 0.0, None, n, clusters)
                },
            };
            suppress_small(&mut row, p.privacy.min_group_size);
            events.push(row);
        }
        for kind in [Kind::Dynamic, Kind::Group, Kind::Calendar] {
            if let Some(agg) = aggregate(&fit, kind) {
                for mut row in aggregation_rows(&fit, &agg, &units, (&s, &jk), labels, clusters) {
                    suppress_small(&mut row, p.privacy.min_group_size);
                    events.push(row);
                }
            }
        }
        let Some(simple) = aggregate(&fit, Kind::Simple) else {
            result.skipped.push(format!(
                "{subject}: {}",
                lang.pick(
                    "geen programmajaar met een vergelijking",
                    "no programme year with a comparison"
                )
            ));
            continue;
        };
        let post_cells: Vec<(i32, i32)> = fit
            .cells
            .iter()
            .filter(|c| c.post && c.att.is_some())
            .map(|c| (c.group, c.time))
            .collect();
        let n_treated = programme_count(&units, &post_cells);
        let n_comparison = (0..fit.units()).filter(|&i| fit.unit_group[i] == 0).count() as i64;
        let att = simple.overall.att;
        let spread = jk.spread(&Key::Overall, None);
        let se = spread.map(|s| s.se);
        result.effects.push(Effect {
            design: "staggered".into(),
            outcome: outcome.clone(),
            subject: subject.clone(),
            subgroup: "overall".into(),
            level: "all".into(),
            n_treated,
            n_comparison,
            clusters,
            estimate: Some(att),
            se,
            ci_low: spread.map(|s| att - s.t * s.se),
            ci_high: spread.map(|s| att + s.t * s.se),
            effect_size: Some(att),
            percentile_points: Some(percentile_points(att)),
            p_value: spread.map(|s| t_two_sided_p(att / s.se, s.df as f64)),
            p_adjusted: None,
            method: format!("{} ({} draws)", METHOD, s.draws),
            df: spread.map(|s| s.df as f64),
            clusters_programme: schools_of(&|g| g != 0),
            clusters_comparison: schools_of(&|g| g == 0),
            note: None,
        });
    }
    inference::guard(&mut result.effects, p.privacy.min_group_size);
    (result, events)
}

/// The `method` of the staggered design's rows.
pub const METHOD: &str = "school jackknife, t(G-1); multivariate-t band";

/// Rows with fewer programme pupils than the smallest group shown lose their values.
fn suppress_small(row: &mut EventRow, min_group_size: usize) {
    if row.estimate.is_some() && row.n_programme < min_group_size as i64 {
        row.estimate = None;
        row.se = None;
        row.ci = None;
        row.band = None;
        row.note = Some(inference::note::TOO_FEW_PUPILS.into());
    }
}

/// Arrow columns of event-study rows, in `Table::EventStudy` order.
pub fn columns(rows: &[EventRow]) -> Vec<arrow_array::ArrayRef> {
    let s =
        |f: &dyn Fn(&EventRow) -> Option<&str>| str_array(&rows.iter().map(f).collect::<Vec<_>>());
    let f = |f: &dyn Fn(&EventRow) -> Option<f64>| f64_array(rows.iter().map(f).collect());
    vec![
        s(&|_| Some("staggered")),
        s(&|r| Some(&r.outcome)),
        s(&|r| Some(&r.subject)),
        s(&|r| Some(r.aggregation)),
        s(&|r| r.cohort.as_deref()),
        s(&|r| r.school_year.as_deref()),
        i32_array(rows.iter().map(|r| r.event_time).collect()),
        f(&|r| r.estimate),
        f(&|r| r.se),
        f(&|r| r.ci.map(|c| c.0)),
        f(&|r| r.ci.map(|c| c.1)),
        f(&|r| r.band.map(|c| c.0)),
        f(&|r| r.band.map(|c| c.1)),
        i64_array(rows.iter().map(|r| Some(r.n_programme)).collect()),
        i64_array(rows.iter().map(|r| Some(r.clusters)).collect()),
        s(&|r| r.note.as_deref()),
    ]
}
