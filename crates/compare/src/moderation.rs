//! "For whom?" as a curve: the programme effect as a function of a continuous moderator (the SRL
//! index, the baseline score), with the Johnson-Neyman region where it differs from 0.
//!
//! The interaction model of the regression design, for one subject (or all pooled):
//!
//! ```text
//! followup_z ~ programme + programme × (m − m0) + m + baseline_z [+ covariates] | subject × grade
//! ```
//!
//! (for the baseline score `m` is `baseline_z` itself, so it enters once). The programme
//! coefficient is the effect at `m = m0`; moving `m0` along a grid from the moderator's 5th to its
//! 95th percentile (no extrapolation into the tails) traces the curve, each point with the
//! regression design's school-clustered inference ([`crate::inference::coefficient`]: CR2 with
//! Satterthwaite df below 40 schools, as R clubSandwich). The interaction coefficient (the same in
//! every refit) is the slope: how much the effect changes per unit of the moderator.
//!
//! The Johnson-Neyman boundaries (Johnson & Neyman 1936; Bauer & Curran 2005) are the moderator
//! values where the pointwise 95% interval starts or stops excluding 0, found by bisection between
//! grid points to 1e-6 of the moderator's range. They are pointwise statements: over a whole curve
//! some region can exclude 0 by chance (Esarey & Sumner 2018), so the review reads them together
//! with the slope's own test.

use leerwinst_stats::ols::{OlsFit, ols_cluster};
use leerwinst_store::{bool_array, f64_array, i64_array, str_array};

use crate::inference::{self, Interval};
use crate::{Obs, ids, school_counts};

/// Grid points of a curve.
const GRID: usize = 25;
/// Bisection steps for a boundary (the range / 25 / 2^20: about 2e-9 of the range).
const BISECT: usize = 20;

/// A continuous moderator.
#[derive(Clone, Copy)]
pub struct Continuous {
    /// Its name in `effects/moderation.*`.
    pub name: &'static str,
    /// An observation's value, when known.
    pub value_of: fn(&Obs) -> Option<f64>,
}

/// The continuous moderators: the SRL index (from the moderator's school year) and the baseline.
pub const CONTINUOUS: [Continuous; 2] = [
    Continuous {
        name: "srl_index",
        value_of: |o| o.srl_index,
    },
    Continuous {
        name: "baseline_z",
        value_of: |o| Some(o.baseline_z),
    },
];

/// Kinds of rows in `effects/moderation.*`.
pub mod kind {
    /// A point of the curve: the effect at `value`.
    pub const CURVE: &str = "curve";
    /// The slope: change of the effect per unit of the moderator (`value` empty).
    pub const SLOPE: &str = "slope";
    /// A Johnson-Neyman boundary at `value`.
    pub const BOUNDARY: &str = "boundary";
}

/// One row of `effects/moderation.*`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModerationRow {
    /// Outcome label.
    pub outcome: String,
    /// Subject or `all`.
    pub subject: String,
    /// `srl_index` or `baseline_z`.
    pub moderator: &'static str,
    /// [`kind`].
    pub kind: &'static str,
    /// Moderator value (None for the slope).
    pub value: Option<f64>,
    /// Effect at `value` (curve, boundary) or the slope.
    pub estimate: f64,
    /// Its interval (None when the inference could not be made).
    pub interval: Option<Interval>,
    /// Whether the 95% interval excludes 0.
    pub excludes_zero: Option<bool>,
    /// Programme and comparison pupils with the moderator.
    pub n: (i64, i64),
    /// Programme and comparison schools.
    pub schools: (i64, i64),
}

/// The interaction model for one moderator, refitted at any centre: its outcome and the
/// columns that do not move with the centre are made once.
struct Model<'a> {
    y: Vec<f64>,
    treat: Vec<f64>,
    /// The moderator's values.
    value: Vec<f64>,
    /// After the programme and interaction columns: the moderator (unless it is the baseline),
    /// the baseline and the pipeline's covariates.
    rest: Vec<Vec<f64>>,
    fe: Vec<u32>,
    cl: Vec<u32>,
    settings: &'a inference::Settings,
}

impl<'a> Model<'a> {
    fn new(
        obs: &[&Obs],
        value: Vec<f64>,
        is_baseline: bool,
        settings: &'a inference::Settings,
    ) -> Self {
        let mut rest = Vec::new();
        if !is_baseline {
            rest.push(value.clone());
        }
        rest.push(obs.iter().map(|o| o.baseline_z).collect());
        let k_extra = obs.first().map_or(0, |o| o.extra.len());
        rest.extend((0..k_extra).map(|j| obs.iter().map(|o| o.extra[j]).collect()));
        Model {
            y: obs.iter().map(|o| o.growth.followup_z).collect(),
            treat: obs
                .iter()
                .map(|o| f64::from(u8::from(o.growth.treated)))
                .collect(),
            value,
            rest,
            fe: ids(obs
                .iter()
                .map(|o| (o.growth.subject.as_str(), o.growth.grade))),
            cl: ids(obs.iter().map(|o| o.growth.school.as_str())),
            settings,
        }
    }

    /// The fit with the moderator centred at `m0`: coefficient 0 is the effect at `m0`,
    /// coefficient 1 the slope.
    fn fit(&self, m0: f64) -> Option<OlsFit> {
        let inter: Vec<f64> = self
            .treat
            .iter()
            .zip(&self.value)
            .map(|(t, m)| t * (m - m0))
            .collect();
        let mut x = vec![self.treat.clone(), inter];
        x.extend(self.rest.iter().cloned());
        ols_cluster(&self.y, &x, Some(&self.fe), &self.cl).ok()
    }

    /// Effect at `m0` and its interval.
    fn at(&self, m0: f64) -> Option<(f64, Option<Interval>)> {
        let fit = self.fit(m0)?;
        Some((
            fit.coef[0],
            inference::coefficient(&fit, 0, self.settings).ok(),
        ))
    }
}

fn excludes_zero(i: &Interval) -> bool {
    i.ci.0 > 0.0 || i.ci.1 < 0.0
}

/// The `q` quantile (type 7) of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The curve, slope and Johnson-Neyman boundaries of one moderator for one subject (or all);
/// empty when too few pupils or schools have the moderator in an arm (the regression design's
/// guards: `min_group_size` pupils and 2 schools per arm) or the model cannot be fitted.
pub fn curve(
    obs: &[&Obs],
    subject: &str,
    outcome: &str,
    Continuous {
        name: moderator,
        value_of,
    }: Continuous,
    settings: &inference::Settings,
) -> Vec<ModerationRow> {
    let with: Vec<&Obs> = obs
        .iter()
        .copied()
        .filter(|o| value_of(o).is_some_and(f64::is_finite))
        .collect();
    let n1 = with.iter().filter(|o| o.growth.treated).count() as i64;
    let n = (n1, with.len() as i64 - n1);
    let (cp, cc) = school_counts(
        with.iter()
            .map(|o| (o.growth.school.as_str(), o.growth.treated)),
    );
    let min = settings.min_group_size as i64;
    if n.0 < min || n.1 < min || cp < 2 || cc < 2 {
        return Vec::new();
    }
    let value = with.iter().filter_map(|o| value_of(o)).collect();
    let model = Model::new(&with, value, moderator == "baseline_z", settings);
    let mut sorted = model.value.clone();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = (quantile(&sorted, 0.05), quantile(&sorted, 0.95));
    if hi <= lo {
        return Vec::new();
    }
    let Some(fit) = model.fit(lo) else {
        return Vec::new();
    };
    let row = |kind, value, estimate, interval: Option<Interval>| ModerationRow {
        outcome: outcome.into(),
        subject: subject.into(),
        moderator,
        kind,
        value,
        estimate,
        excludes_zero: interval.as_ref().map(excludes_zero),
        interval,
        n,
        schools: (cp as i64, cc as i64),
    };
    let mut rows = vec![row(
        kind::SLOPE,
        None,
        fit.coef[1],
        inference::coefficient(&fit, 1, settings).ok(),
    )];
    let step = (hi - lo) / (GRID - 1) as f64;
    let mut points: Vec<ModerationRow> = Vec::new();
    for k in 0..GRID {
        let m0 = if k == GRID - 1 {
            hi
        } else {
            lo + step * k as f64
        };
        if let Some((e, i)) = model.at(m0) {
            points.push(row(kind::CURVE, Some(m0), e, i));
        }
    }
    // Johnson-Neyman boundaries: where "excludes 0" changes between neighbouring points.
    let mut boundaries = Vec::new();
    for w in points.windows(2) {
        let (Some(a), Some(b)) = (w[0].excludes_zero, w[1].excludes_zero) else {
            continue;
        };
        if a == b {
            continue;
        }
        let (mut l, mut h) = (w[0].value.unwrap_or(lo), w[1].value.unwrap_or(hi));
        for _ in 0..BISECT {
            let mid = 0.5 * (l + h);
            match model
                .at(mid)
                .and_then(|(_, i)| i)
                .map(|i| excludes_zero(&i))
            {
                Some(x) if x == a => l = mid,
                Some(_) => h = mid,
                None => break,
            }
        }
        let m = 0.5 * (l + h);
        if let Some((e, i)) = model.at(m) {
            boundaries.push(row(kind::BOUNDARY, Some(m), e, i));
        }
    }
    rows.extend(points);
    rows.extend(boundaries);
    rows
}

/// The curves of both moderators for one subject (or all).
pub fn curves(
    obs: &[&Obs],
    subject: &str,
    outcome: &str,
    settings: &inference::Settings,
) -> Vec<ModerationRow> {
    CONTINUOUS
        .into_iter()
        .flat_map(|m| curve(obs, subject, outcome, m, settings))
        .collect()
}

/// Arrow columns of moderation rows, in `Table::Moderation` order.
pub fn columns(rows: &[ModerationRow]) -> Vec<arrow_array::ArrayRef> {
    let s = |f: &dyn Fn(&ModerationRow) -> Option<&str>| {
        str_array(&rows.iter().map(f).collect::<Vec<_>>())
    };
    let f = |f: &dyn Fn(&ModerationRow) -> Option<f64>| f64_array(rows.iter().map(f).collect());
    let i =
        |f: &dyn Fn(&ModerationRow) -> i64| i64_array(rows.iter().map(|r| Some(f(r))).collect());
    vec![
        s(&|_| Some("regression")),
        s(&|r| Some(&r.outcome)),
        s(&|r| Some(&r.subject)),
        s(&|r| Some(r.moderator)),
        s(&|r| Some(r.kind)),
        f(&|r| r.value),
        f(&|r| Some(r.estimate)),
        f(&|r| r.interval.as_ref().map(|i| i.se)),
        f(&|r| r.interval.as_ref().map(|i| i.ci.0)),
        f(&|r| r.interval.as_ref().map(|i| i.ci.1)),
        f(&|r| r.interval.as_ref().map(|i| i.p)),
        f(&|r| r.interval.as_ref().and_then(|i| i.df)),
        bool_array(rows.iter().map(|r| r.excludes_zero).collect()),
        s(&|r| r.interval.as_ref().map(|i| i.method.as_str())),
        i(&|r| r.n.0),
        i(&|r| r.n.1),
        i(&|r| r.schools.0),
        i(&|r| r.schools.1),
    ]
}

/// Agreement with R clubSandwich (`tests/reference/moderation/`, script there).
#[cfg(test)]
mod reference_tests {
    use super::*;
    use crate::observation::PupilGrowth;

    const DATA: &str = include_str!("../../../tests/reference/moderation/data.csv");
    const EXPECTED: &str = include_str!("../../../tests/reference/moderation/expected.csv");

    fn observations() -> Vec<Obs> {
        DATA.lines()
            .skip(1)
            .map(|line| {
                let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
                Obs {
                    growth: PupilGrowth {
                        subject: "rekenen".into(),
                        grade: f[4] as i32,
                        school: format!("s{}", f[5]),
                        treated: f[1] == 1.0,
                        followup_z: f[0],
                        tercile: None,
                        quintile: None,
                    },
                    class: None,
                    baseline_z: f[2],
                    srl_index: Some(f[3]),
                    extra: Vec::new(),
                }
            })
            .collect()
    }

    #[test]
    fn curve_slope_and_boundaries_agree_with_clubsandwich() {
        let obs = observations();
        let refs: Vec<&Obs> = obs.iter().collect();
        let rows = curves(&refs, "rekenen", "y", &inference::Settings::default());
        let expected: Vec<Vec<&str>> = EXPECTED
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        assert_eq!(
            rows.len(),
            expected.len(),
            "rows: slope, 25 points, boundaries"
        );
        let num = |s: &str| s.parse::<f64>().unwrap();
        for (r, e) in rows.iter().zip(&expected) {
            assert_eq!((r.moderator, r.kind), (e[0], e[1]));
            let i = r.interval.as_ref().expect("an interval");
            assert_eq!(i.method, inference::method::CR2);
            // Boundaries are found by bisection (to 1e-6 of the range) rather than R's uniroot.
            let tol = if r.kind == kind::BOUNDARY { 1e-6 } else { 1e-9 };
            if let Some(v) = r.value {
                assert!((v - num(e[2])).abs() < tol, "{e:?}: value {v}");
            }
            for (got, want) in [
                (r.estimate, e[3]),
                (i.se, e[4]),
                (i.df.unwrap(), e[5]),
                (i.p, e[6]),
                (i.ci.0, e[7]),
                (i.ci.1, e[8]),
            ] {
                assert!(
                    (got - num(want)).abs() < tol * (1.0 + num(want).abs()),
                    "{e:?}: {got} vs {want}"
                );
            }
        }
        // The planted interaction (0.25 per unit) is found, with one boundary.
        assert!(rows.iter().filter(|r| r.kind == kind::BOUNDARY).count() == 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::PupilGrowth;

    fn obs(school: usize, treated: bool, m: Option<f64>, k: usize) -> Obs {
        let v = m.unwrap_or(0.0);
        Obs {
            growth: PupilGrowth {
                subject: "lezen".into(),
                grade: 5,
                school: format!("s{school}"),
                treated,
                followup_z: (k as f64 * 0.11).cos() + if treated { 0.3 * v } else { 0.0 },
                tercile: None,
                quintile: None,
            },
            class: None,
            baseline_z: (k as f64 * 0.37).sin(),
            srl_index: m,
            extra: Vec::new(),
        }
    }

    #[test]
    fn a_moderator_without_enough_pupils_or_schools_in_an_arm_has_no_rows() {
        let settings = inference::Settings::default();
        // Four schools, two per arm, 8 pupils each with an index: 16 per arm.
        let data: Vec<Obs> = (0..32)
            .map(|k| obs(k / 8, k < 16, Some((k as f64 * 0.7).sin()), k))
            .collect();
        let refs: Vec<&Obs> = data.iter().collect();
        assert!(!curve(&refs, "lezen", "y", CONTINUOUS[0], &settings).is_empty());
        // The same pupils, but only 8 programme pupils with an index: too few.
        let few: Vec<Obs> = (0..32)
            .map(|k| {
                let m = (k >= 8).then(|| (k as f64 * 0.7).sin());
                obs(k / 8, k < 16, m, k)
            })
            .collect();
        let refs: Vec<&Obs> = few.iter().collect();
        assert!(curve(&refs, "lezen", "y", CONTINUOUS[0], &settings).is_empty());
        // One programme school: no cluster-robust interval, so no curve.
        let one: Vec<Obs> = (0..32)
            .map(|k| obs(k / 8, k < 8, Some((k as f64 * 0.7).sin()), k))
            .collect();
        let refs: Vec<&Obs> = one.iter().collect();
        assert!(curve(&refs, "lezen", "y", CONTINUOUS[0], &settings).is_empty());
    }
}
