//! Shares of pupils reaching the Dutch reference levels (*referentieniveaus*) per school, subject,
//! grade, test moment and school year, held to the inspectorate's signalling values
//! ([`leerwinst_core::reference_level`]): 1F against `signal_1f` (85%), 1S/2F against the value
//! at the school's *schoolweging* from the pipeline's `[reference_levels] signal_target` table.
//!
//! Only tests whose export carries a reference level count. A pupil counts at the school of
//! their enrollment that school year; a pupil without one is left out, as in the growth table.
//! The Parquet table keeps every group (analysis data). The review takes the latest three school
//! years together, as the inspectorate does; the staff CSV beside the table shows only the count
//! of a row below the minimum group size, and, within the pooled years of one school, subject,
//! grade and moment, hides the figures of a further year when the hidden years together hold
//! fewer than the minimum ([`staff_mask`], complementary suppression): the review's pooled
//! figures minus the CSV's shown years then never give away a small year. No total over schools
//! is written.

use std::collections::{BTreeMap, HashMap, HashSet};

use arrow_array::ArrayRef;
use leerwinst_core::Table;
use leerwinst_core::reference_level::{ReferenceLevel, ReferenceLevels};
use leerwinst_store::{
    Frame, bool_array, f64_array, i32_array, i64_array, opt, opt_str, str_array,
};

use crate::growth::Enrolled;

/// One row of `indicators/reference_levels` (columns as in `Table::ReferenceLevels`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceRow {
    /// School year of the tests.
    pub school_year: String,
    /// School.
    pub school_key: String,
    /// Subject.
    pub subject: String,
    /// Grade at the test.
    pub grade: i32,
    /// Test moment.
    pub term: String,
    /// Programme school that year.
    pub programme: bool,
    /// Pupils with a level.
    pub n: i64,
    /// Reaching 1F or higher.
    pub n_1f: i64,
    /// Reaching 1S/2F.
    pub n_target: i64,
    /// Signalling value for 1F.
    pub signal_1f: f64,
    /// The school's schoolweging.
    pub school_weight: Option<f64>,
    /// Signalling value for 1S/2F at that weight.
    pub signal_target: Option<f64>,
}

impl ReferenceRow {
    /// Share reaching 1F.
    pub fn share_1f(&self) -> f64 {
        self.n_1f as f64 / self.n as f64
    }

    /// Share reaching 1S/2F.
    pub fn share_target(&self) -> f64 {
        self.n_target as f64 / self.n as f64
    }
}

/// School key -> schoolweging, from the warehouse's schools table.
pub fn school_weights(schools: &Frame) -> HashMap<String, Option<f64>> {
    let (key, weight) = (schools.str("school_key"), schools.f64("school_weight"));
    (0..schools.len())
        .map(|i| (key.value(i).to_string(), opt(weight, i)))
        .collect()
}

/// The rows, in (school year, school, subject, grade, term) order. A pupil's first test of a
/// group (in table order) counts once.
pub fn compute(
    assess: &Frame,
    enrolled: &HashMap<(String, String), Enrolled>,
    weights: &HashMap<String, Option<f64>>,
    settings: &ReferenceLevels,
) -> Vec<ReferenceRow> {
    let (pupil, subject, term, year, grade, level) = (
        assess.str("pupil_key"),
        assess.str("subject"),
        assess.str("term"),
        assess.str("school_year"),
        assess.i32("grade"),
        assess.str("reference_level"),
    );
    type Key = (String, String, String, i32, String);
    let mut groups: BTreeMap<Key, (bool, i64, i64, i64)> = BTreeMap::new();
    let mut counted: HashSet<(Key, &str)> = HashSet::new();
    for i in 0..assess.len() {
        let Some(level) = opt_str(level, i).and_then(ReferenceLevel::from_code) else {
            continue;
        };
        let Some(e) = enrolled.get(&(pupil.value(i).to_string(), year.value(i).to_string())) else {
            continue;
        };
        let (Some(school), Some(grade)) = (e.school_key.as_ref(), opt(grade, i).or(e.grade)) else {
            continue;
        };
        let key = (
            year.value(i).to_string(),
            school.clone(),
            subject.value(i).to_string(),
            grade,
            term.value(i).to_string(),
        );
        if !counted.insert((key.clone(), pupil.value(i))) {
            continue;
        }
        let g = groups.entry(key).or_insert((e.programme, 0, 0, 0));
        g.1 += 1;
        g.2 += i64::from(level.reaches_fundamental());
        g.3 += i64::from(level.reaches_target());
    }
    groups
        .into_iter()
        .map(
            |((school_year, school_key, subject, grade, term), (programme, n, n_1f, n_target))| {
                let school_weight = weights.get(&school_key).copied().flatten();
                ReferenceRow {
                    school_year,
                    signal_target: settings.target_signal(school_weight),
                    school_key,
                    subject,
                    grade,
                    term,
                    programme,
                    n,
                    n_1f,
                    n_target,
                    signal_1f: settings.signal_1f,
                    school_weight,
                }
            },
        )
        .collect()
}

/// Which rows a staff table shows the figures of (`false`: the count only): rows below `min_n`
/// pupils, and within each family of the pooled years
/// ([`leerwinst_core::reference_level::pooled_years`]) of one school, subject, grade and moment,
/// the complements [`leerwinst_core::disclosure::hidden`] adds.
pub fn staff_mask(rows: &[ReferenceRow], min_n: usize) -> Vec<bool> {
    let pooled =
        leerwinst_core::reference_level::pooled_years(rows.iter().map(|r| r.school_year.as_str()));
    let sizes: Vec<usize> = rows.iter().map(|r| r.n.max(0) as usize).collect();
    leerwinst_core::disclosure::hidden_in_families(
        &sizes,
        |i| {
            let r = &rows[i];
            pooled
                .contains(&r.school_year)
                .then_some((&r.school_key, &r.subject, r.grade, &r.term))
        },
        min_n,
    )
    .into_iter()
    .map(|hidden| !hidden)
    .collect()
}

/// Arrow columns of the rows, in `Table::ReferenceLevels` order.
pub fn columns(rows: &[ReferenceRow]) -> Vec<ArrayRef> {
    columns_shown(rows, &vec![true; rows.len()])
}

/// The columns with the figures of each row only where `shown` says so (otherwise the count of
/// pupils alone; its counts, shares and comparisons with the signalling values are empty).
pub fn columns_shown(rows: &[ReferenceRow], shown: &[bool]) -> Vec<ArrayRef> {
    // The rows with their figures, or None where only the count is shown.
    let figures = || {
        rows.iter()
            .zip(shown)
            .map(|(r, &show)| Some(r).filter(|_| show))
    };
    let s = |f: &dyn Fn(&ReferenceRow) -> &str| {
        str_array(&rows.iter().map(|r| Some(f(r))).collect::<Vec<_>>())
    };
    let count = |f: &dyn Fn(&ReferenceRow) -> i64| i64_array(figures().map(|r| r.map(f)).collect());
    let share = |f: &dyn Fn(&ReferenceRow) -> f64| f64_array(figures().map(|r| r.map(f)).collect());
    let below = |f: &dyn Fn(&ReferenceRow) -> Option<bool>| {
        bool_array(figures().map(|r| r.and_then(f)).collect())
    };
    let cols = vec![
        s(&|r| &r.school_year),
        s(&|r| &r.school_key),
        s(&|r| &r.subject),
        i32_array(rows.iter().map(|r| Some(r.grade)).collect()),
        s(&|r| &r.term),
        bool_array(rows.iter().map(|r| Some(r.programme)).collect()),
        i64_array(rows.iter().map(|r| Some(r.n)).collect()),
        count(&|r| r.n_1f),
        share(&ReferenceRow::share_1f),
        count(&|r| r.n_target),
        share(&ReferenceRow::share_target),
        f64_array(rows.iter().map(|r| Some(r.signal_1f)).collect()),
        f64_array(rows.iter().map(|r| r.school_weight).collect()),
        f64_array(rows.iter().map(|r| r.signal_target).collect()),
        below(&|r| Some(r.share_1f() < r.signal_1f)),
        below(&|r| r.signal_target.map(|v| r.share_target() < v)),
    ];
    debug_assert_eq!(cols.len(), Table::ReferenceLevels.columns().len());
    cols
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, RecordBatch};
    use leerwinst_core::reference_level::TargetSignal;

    /// (pupil, subject, year, grade, term, reference level).
    type Test<'a> = (&'a str, &'a str, &'a str, i32, &'a str, Option<&'a str>);

    /// An assessments frame of the tests.
    fn assessments(rows: &[Test]) -> Frame {
        let t = Table::Assessments;
        let n = rows.len();
        let s = |f: &dyn Fn(usize) -> Option<String>| str_array(&(0..n).map(f).collect::<Vec<_>>());
        let cols: Vec<ArrayRef> = vec![
            s(&|i| Some(rows[i].0.into())),
            s(&|i| Some(rows[i].1.into())),
            s(&|_| Some("cito-lvs".into())),
            leerwinst_store::date_array(vec![None; n]),
            s(&|i| Some(rows[i].4.into())),
            s(&|i| Some(rows[i].2.into())),
            i32_array(rows.iter().map(|r| Some(r.3)).collect()),
            f64_array(vec![Some(200.0); n]),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
            s(&|_| None),
            s(&|i| rows[i].5.map(str::to_string)),
            s(&|_| None),
            f64_array(vec![None; n]),
        ];
        Frame {
            path: "test".into(),
            batch: RecordBatch::try_new(t.schema(), cols).unwrap(),
        }
    }

    fn enrolled(pupils: &[(&str, &str, bool)]) -> HashMap<(String, String), Enrolled> {
        pupils
            .iter()
            .map(|(p, school, programme)| {
                (
                    (p.to_string(), "2024-2025".to_string()),
                    Enrolled {
                        school_key: Some(school.to_string()),
                        group_key: None,
                        grade: Some(8),
                        programme: *programme,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn counts_each_enrolled_pupil_once_and_holds_shares_to_the_signalling_values() {
        let a = assessments(&[
            ("p1", "rekenen", "2024-2025", 8, "M", Some("1S")),
            ("p2", "rekenen", "2024-2025", 8, "M", Some("1F")),
            ("p3", "rekenen", "2024-2025", 8, "M", Some("<1F")),
            ("p4", "rekenen", "2024-2025", 8, "M", Some("1F")),
            // No level exported: not counted.
            ("p5", "rekenen", "2024-2025", 8, "M", None),
            // Not enrolled that year: not counted.
            ("p9", "rekenen", "2024-2025", 8, "M", Some("1S")),
            // The same pupil and test again (a second instrument): counted once.
            ("p1", "rekenen", "2024-2025", 8, "M", Some("1F")),
            ("p6", "lezen", "2024-2025", 8, "M", Some("2F")),
        ]);
        let e = enrolled(&[
            ("p1", "A", true),
            ("p2", "A", true),
            ("p3", "A", true),
            ("p4", "A", true),
            ("p5", "A", true),
            ("p6", "B", false),
        ]);
        let weights = HashMap::from([("A".to_string(), Some(33.0)), ("B".to_string(), None)]);
        let settings = ReferenceLevels {
            signal_1f: 0.85,
            signal_target: vec![
                TargetSignal {
                    weight_from: 20.0,
                    share: 0.6,
                },
                TargetSignal {
                    weight_from: 30.0,
                    share: 0.2,
                },
            ],
        };
        let rows = compute(&a, &e, &weights, &settings);
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!(
            (r.school_key.as_str(), r.subject.as_str()),
            ("A", "rekenen")
        );
        assert_eq!((r.n, r.n_1f, r.n_target), (4, 3, 1));
        assert_eq!(r.share_1f(), 0.75);
        assert_eq!(r.signal_target, Some(0.2));
        assert!(r.programme);
        let b = &rows[1];
        assert_eq!((b.n, b.n_1f, b.n_target, b.signal_target), (1, 1, 1, None));

        // Staff columns: school B (1 pupil) shows its count only.
        let batch = RecordBatch::try_new(
            Table::ReferenceLevels.schema_all_nullable(),
            columns_shown(&rows, &staff_mask(&rows, 2)),
        )
        .unwrap();
        let f = Frame {
            path: "test".into(),
            batch,
        };
        assert_eq!(f.i64("n").value(1), 1);
        assert!(f.i64("n_1f").is_null(1) && f.f64("share_target").is_null(1));
        assert!(f.bool("below_signal_1f").value(0), "75% is below 85%");
        assert!(!f.bool("below_signal_target").value(0), "25% is above 20%");
    }

    #[test]
    fn the_pooled_years_minus_a_shown_year_never_give_away_a_small_year() {
        let row = |year: &str, n: i64| ReferenceRow {
            school_year: year.into(),
            school_key: "A".into(),
            subject: "lezen".into(),
            grade: 8,
            term: "M".into(),
            programme: false,
            n,
            n_1f: n,
            n_target: n / 2,
            signal_1f: 0.85,
            school_weight: None,
            signal_target: None,
        };
        // 2020-2021 is outside the latest three years: it stands alone.
        let rows = [
            row("2020-2021", 12),
            row("2021-2022", 12),
            row("2022-2023", 15),
            row("2023-2024", 4),
        ];
        assert_eq!(staff_mask(&rows, 10), [true, false, true, false]);
        // Two small years that hold the minimum together need no third hidden.
        let rows = [
            row("2022-2023", 6),
            row("2023-2024", 20),
            row("2024-2025", 5),
        ];
        assert_eq!(staff_mask(&rows, 10), [false, true, false]);
    }
}
