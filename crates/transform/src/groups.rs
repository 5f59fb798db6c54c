//! Growth per school and per class: what a board reports for each group and window.
//!
//! For every school (and every class within it) × subject × window × follow-up year: the number of
//! pupils, mean gain, the median growth percentile with a distribution-free 95% confidence
//! interval (order statistics, exact binomial), the mean conditional growth index, and the
//! shares of pupils with reliable growth and reliable decline among those with an RCI. Medians
//! for percentiles and means for CGIs follow the publishers' conventions (SGP package: median
//! SGP; NWEA: mean CGI). Small groups are kept in the Parquet table (analysis data); the CSV
//! beside it, which staff open, hides them as the reports do ([`staff_mask`]).

use std::collections::BTreeMap;

use arrow_array::ArrayRef;
use leerwinst_core::Table;
use leerwinst_stats::describe::{median_ci_sorted, median_sorted};
use leerwinst_store::{bool_array, f64_array, i64_array, str_array};

use crate::growth::GrowthRow;

/// Confidence level of the median-SGP interval.
pub const MEDIAN_CI_LEVEL: f64 = 0.95;

/// One group row (columns as in `Table::GroupGrowth`).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// `school` or `class`.
    pub level: &'static str,
    /// School.
    pub school_key: String,
    /// Class (class rows only).
    pub group_key: Option<String>,
    /// Subject.
    pub subject: String,
    /// Window.
    pub window: &'static str,
    /// Follow-up year.
    pub school_year: String,
    /// Programme school that year.
    pub programme: bool,
    /// Pupils.
    pub n: i64,
    /// Mean gain.
    pub mean_gain: f64,
    /// Pupils with an SGP.
    pub n_sgp: i64,
    /// Median SGP.
    pub median_sgp: Option<f64>,
    /// CI of the median SGP.
    pub median_sgp_ci: Option<(f64, f64)>,
    /// Pupils with a CGI.
    pub n_cgi: i64,
    /// Mean CGI.
    pub mean_cgi: Option<f64>,
    /// Pupils with an RCI.
    pub n_rci: i64,
    /// Share reliable growth.
    pub reliable_growth_share: Option<f64>,
    /// Share reliable decline.
    pub reliable_decline_share: Option<f64>,
}

/// A group of growth rows, ordered as the table is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    level: &'static str,
    school_key: String,
    group_key: Option<String>,
    subject: String,
    window: &'static str,
    school_year: String,
}

/// Aggregates growth rows per school and per class.
pub fn compute(rows: &[GrowthRow]) -> Vec<GroupRow> {
    let mut groups: BTreeMap<Key, Vec<&GrowthRow>> = BTreeMap::new();
    for r in rows {
        let Some(school) = &r.school_key else {
            continue;
        };
        let base = (r.subject.clone(), r.window, r.school_year.clone());
        groups
            .entry(Key {
                level: "school",
                school_key: school.clone(),
                group_key: None,
                subject: base.0.clone(),
                window: base.1,
                school_year: base.2.clone(),
            })
            .or_default()
            .push(r);
        if let Some(class) = &r.group_key {
            groups
                .entry(Key {
                    level: "class",
                    school_key: school.clone(),
                    group_key: Some(class.clone()),
                    subject: base.0,
                    window: base.1,
                    school_year: base.2,
                })
                .or_default()
                .push(r);
        }
    }
    groups
        .into_iter()
        .map(
            |(
                Key {
                    level,
                    school_key,
                    group_key,
                    subject,
                    window,
                    school_year,
                },
                members,
            )| {
                let n = members.len();
                let mut sgp: Vec<f64> = members
                    .iter()
                    .filter_map(|r| r.sgp_order_2.or(r.sgp_order_1).map(f64::from))
                    .collect();
                sgp.sort_by(f64::total_cmp);
                let cgi: Vec<f64> = members.iter().filter_map(|r| r.norm.cgi).collect();
                let rc: Vec<i32> = members.iter().filter_map(|r| r.reliable_change).collect();
                let share = |v: i32| {
                    (!rc.is_empty())
                        .then(|| rc.iter().filter(|x| **x == v).count() as f64 / rc.len() as f64)
                };
                GroupRow {
                    level,
                    school_key,
                    group_key,
                    subject,
                    window,
                    school_year,
                    programme: members.iter().all(|r| r.programme),
                    n: n as i64,
                    mean_gain: members.iter().map(|r| r.gain).sum::<f64>() / n as f64,
                    n_sgp: sgp.len() as i64,
                    median_sgp: median_sorted(&sgp),
                    median_sgp_ci: median_ci_sorted(&sgp, MEDIAN_CI_LEVEL),
                    n_cgi: cgi.len() as i64,
                    mean_cgi: (!cgi.is_empty()).then(|| cgi.iter().sum::<f64>() / cgi.len() as f64),
                    n_rci: rc.len() as i64,
                    reliable_growth_share: share(1),
                    reliable_decline_share: share(-1),
                }
            },
        )
        .collect()
}

/// Arrow columns of group rows, in `Table::GroupGrowth` order.
pub fn columns(rows: &[GroupRow]) -> Vec<ArrayRef> {
    columns_shown(rows, &vec![Shown::All; rows.len()])
}

/// How much of a group row a staff table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Everything.
    All,
    /// The pupil count only: a complement, hidden so that a small sibling cannot be computed
    /// from the total.
    CountOnly,
    /// Neither figures nor count: fewer pupils than the minimum.
    Nothing,
}

/// What the staff CSV shows of each row: groups below `min_n` nothing, and complementary
/// suppression ([`leerwinst_core::disclosure`]) within each family whose total is a row too —
/// the classes of a school, and the schools of one arm (programme or not) — per subject, window
/// and year.
pub fn staff_mask(rows: &[GroupRow], min_n: usize) -> Vec<Shown> {
    // (level, school for classes, subject, window, year, arm for schools) -> row indices.
    type Family<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, bool);
    let mut families: BTreeMap<Family, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let class = r.level == "class";
        let school = if class { r.school_key.as_str() } else { "" };
        let arm = !class && r.programme;
        let key = (
            r.level,
            school,
            r.subject.as_str(),
            r.window,
            r.school_year.as_str(),
            arm,
        );
        families.entry(key).or_default().push(i);
    }
    let mut shown = vec![Shown::All; rows.len()];
    for members in families.values() {
        let sizes: Vec<usize> = members.iter().map(|&i| rows[i].n.max(0) as usize).collect();
        let hide = leerwinst_core::disclosure::hidden(&sizes, min_n);
        for ((&i, n), h) in members.iter().zip(sizes).zip(hide) {
            if h {
                shown[i] = if n < min_n {
                    Shown::Nothing
                } else {
                    Shown::CountOnly
                };
            }
        }
    }
    shown
}

/// The columns with the figures of each row only as far as `shown` allows (hidden values null).
pub fn columns_shown(rows: &[GroupRow], shown: &[Shown]) -> Vec<ArrayRef> {
    let s =
        |f: &dyn Fn(&GroupRow) -> Option<&str>| str_array(&rows.iter().map(f).collect::<Vec<_>>());
    let all = |i: usize| shown[i] == Shown::All;
    let f = |f: &dyn Fn(&GroupRow) -> Option<f64>| {
        f64_array(
            rows.iter()
                .enumerate()
                .map(|(k, r)| f(r).filter(|_| all(k)))
                .collect(),
        )
    };
    let i = |f: &dyn Fn(&GroupRow) -> i64| {
        i64_array(
            rows.iter()
                .enumerate()
                .map(|(k, r)| Some(f(r)).filter(|_| all(k)))
                .collect(),
        )
    };
    let cols = vec![
        s(&|r| Some(r.level)),
        s(&|r| Some(&r.school_key)),
        s(&|r| r.group_key.as_deref()),
        s(&|r| Some(&r.subject)),
        s(&|r| Some(r.window)),
        s(&|r| Some(&r.school_year)),
        bool_array(rows.iter().map(|r| Some(r.programme)).collect()),
        i64_array(
            rows.iter()
                .enumerate()
                .map(|(k, r)| Some(r.n).filter(|_| shown[k] != Shown::Nothing))
                .collect(),
        ),
        f(&|r| Some(r.mean_gain)),
        i(&|r| r.n_sgp),
        f(&|r| r.median_sgp),
        f(&|r| r.median_sgp_ci.map(|c| c.0)),
        f(&|r| r.median_sgp_ci.map(|c| c.1)),
        i(&|r| r.n_cgi),
        f(&|r| r.mean_cgi),
        i(&|r| r.n_rci),
        f(&|r| r.reliable_growth_share),
        f(&|r| r.reliable_decline_share),
    ];
    debug_assert_eq!(cols.len(), Table::GroupGrowth.columns().len());
    cols
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::norms::NormGrowth;

    fn row(school: &str, class: &str, gain: f64, sgp: Option<i32>, rc: Option<i32>) -> GrowthRow {
        GrowthRow {
            pupil_key: format!("p{gain}"),
            subject: "rekenen".into(),
            window: "E-E",
            school_year: "2024-2025".into(),
            school_key: Some(school.into()),
            group_key: Some(class.into()),
            grade: Some(5),
            programme: true,
            baseline_score: 100.0,
            baseline_date: None,
            followup_score: 100.0 + gain,
            followup_date: None,
            elapsed_months: None,
            gain,
            annualised_gain: None,
            baseline_z: None,
            followup_z: None,
            baseline_quintile: None,
            rci: None,
            reliable_change: rc,
            sgp_order_1: sgp,
            sgp_order_2: None,
            norm: NormGrowth {
                cgi: Some(gain / 10.0),
                ..Default::default()
            },
        }
    }

    #[test]
    fn school_and_class_aggregates() {
        let mut rows: Vec<GrowthRow> = (1..=10)
            .map(|i| {
                let class = if i <= 6 { "5a" } else { "5b" };
                let rc = if i <= 2 { None } else { Some(i32::from(i > 7)) };
                row("S1", class, i as f64, Some(10 * i), rc)
            })
            .collect();
        rows.push(GrowthRow {
            school_key: None,
            ..row("S1", "5a", 99.0, Some(99), None)
        });
        let g = compute(&rows);
        let school = g.iter().find(|r| r.level == "school").unwrap();
        assert_eq!((school.n, school.n_sgp, school.n_cgi), (10, 10, 10));
        assert_eq!(school.mean_gain, 5.5);
        // SGPs 10..100 step 10: median 55, 95% CI ranks (2, 9) -> (20, 90).
        assert_eq!(school.median_sgp, Some(55.0));
        assert_eq!(school.median_sgp_ci, Some((20.0, 90.0)));
        assert!((school.mean_cgi.unwrap() - 0.55).abs() < 1e-12);
        // RCI known for pupils 3..10; reliable growth for 8, 9, 10.
        assert_eq!(school.n_rci, 8);
        assert_eq!(school.reliable_growth_share, Some(3.0 / 8.0));
        assert_eq!(school.reliable_decline_share, Some(0.0));
        let a = g
            .iter()
            .find(|r| r.group_key.as_deref() == Some("5a"))
            .unwrap();
        assert_eq!((a.level, a.n, a.median_sgp), ("class", 6, Some(35.0)));
        assert_eq!(a.median_sgp_ci, Some((10.0, 60.0)));
        let b = g
            .iter()
            .find(|r| r.group_key.as_deref() == Some("5b"))
            .unwrap();
        assert_eq!((b.n, b.median_sgp_ci), (4, None), "too few for an interval");
        assert_eq!(g.len(), 3, "the row without a school is in no group");
    }

    #[test]
    fn the_staff_mask_hides_small_classes_and_their_complement() {
        use arrow_array::Array;
        let group = |level: &'static str, class: Option<&str>, n: i64| GroupRow {
            level,
            school_key: "S".into(),
            group_key: class.map(String::from),
            subject: "rekenen".into(),
            window: "E-E",
            school_year: "2024-2025".into(),
            programme: true,
            n,
            mean_gain: 10.0,
            n_sgp: 0,
            median_sgp: None,
            median_sgp_ci: None,
            n_cgi: 0,
            mean_cgi: None,
            n_rci: 0,
            reliable_growth_share: None,
            reliable_decline_share: None,
        };
        let rows = vec![
            group("school", None, 40),
            group("class", Some("5a"), 7),
            group("class", Some("5b"), 12),
            group("class", Some("5c"), 21),
        ];
        let mask = staff_mask(&rows, 10);
        assert_eq!(
            mask,
            [Shown::All, Shown::Nothing, Shown::CountOnly, Shown::All]
        );
        let cols = columns_shown(&rows, &mask);
        let n = cols[7]
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .unwrap();
        assert!(n.is_null(1) && n.value(2) == 12);
        let gain = cols[8]
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .unwrap();
        assert!(gain.is_null(1) && gain.is_null(2) && gain.value(3) == 10.0);
    }
}
