//! The same test moment school year after school year: per school and for the board, per subject,
//! grade and moment (`M4`, `E8`, ...) and school year, the pupils with a score and their mean and
//! standard deviation. Each year holds other pupils (a later cohort), so the rows show how the
//! results at a moment move over the years, not how pupils grow.
//!
//! A pupil counts at the school of their enrollment that year; pupils without one are left out of
//! the board's rows too, so the board's row is exactly the sum of its schools'. Rows of earlier
//! runs (`[report] earlier_runs`) add the school years this run's exports no longer hold
//! ([`with_earlier`]). The staff CSV hides a school below the minimum group size and, within each
//! test moment and year, a further school when the board's row would give the hidden ones away
//! ([`staff_mask`], complementary suppression).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use arrow_array::ArrayRef;
use leerwinst_core::{Error, Result, Table};
use leerwinst_store::{
    Frame, f64_array, i32_array, i64_array, opt, opt_str, read_table, str_array,
};

use crate::growth::Enrolled;

/// One row of `indicators/moment_trend` (columns as in `Table::MomentTrend`).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// School; `None` for the board's row.
    pub school_key: Option<String>,
    /// Subject.
    pub subject: String,
    /// Grade at the test.
    pub grade: i32,
    /// Test moment.
    pub term: String,
    /// School year.
    pub school_year: String,
    /// Pupils with a score.
    pub n: i64,
    /// Mean score.
    pub mean_score: f64,
    /// Standard deviation (n - 1).
    pub sd_score: Option<f64>,
    /// The earlier run the row came from.
    pub earlier_run: Option<String>,
}

/// The test moment and year a row belongs to: its family (the board's row and its schools').
/// Ordered as the table is: subject, grade, term, school year.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Family {
    subject: String,
    grade: i32,
    term: String,
    school_year: String,
}

impl TrendRow {
    fn family(&self) -> Family {
        Family {
            subject: self.subject.clone(),
            grade: self.grade,
            term: self.term.clone(),
            school_year: self.school_year.clone(),
        }
    }
}

/// The board's and every school's rows from the assessments, in (subject, grade, term, school
/// year, board first, school) order.
pub fn compute(assess: &Frame, enrolled: &HashMap<(String, String), Enrolled>) -> Vec<TrendRow> {
    let (pupil, subject, term, year, grade, score) = (
        assess.str("pupil_key"),
        assess.str("subject"),
        assess.str("term"),
        assess.str("school_year"),
        assess.i32("grade"),
        assess.f64("score"),
    );
    // (family, school or None for the board) -> (n, sum, sum of squares)
    let mut sums: BTreeMap<(Family, Option<String>), (i64, f64, f64)> = BTreeMap::new();
    for i in 0..assess.len() {
        let Some(e) = enrolled.get(&(pupil.value(i).to_string(), year.value(i).to_string())) else {
            continue;
        };
        let (Some(school), Some(grade)) = (e.school_key.as_ref(), opt(grade, i).or(e.grade)) else {
            continue;
        };
        let family = Family {
            subject: subject.value(i).to_string(),
            grade,
            term: term.value(i).to_string(),
            school_year: year.value(i).to_string(),
        };
        let x = score.value(i);
        for who in [None, Some(school.clone())] {
            let s = sums.entry((family.clone(), who)).or_insert((0, 0.0, 0.0));
            s.0 += 1;
            s.1 += x;
            s.2 += x * x;
        }
    }
    sums.into_iter()
        .map(
            |(
                (
                    Family {
                        subject,
                        grade,
                        term,
                        school_year,
                    },
                    school_key,
                ),
                (n, sum, sq),
            )| {
                let mean = sum / n as f64;
                let sd = (n >= 2).then(|| {
                    ((sq - n as f64 * mean * mean) / (n - 1) as f64)
                        .max(0.0)
                        .sqrt()
                });
                TrendRow {
                    school_key,
                    subject,
                    grade,
                    term,
                    school_year,
                    n,
                    mean_score: mean,
                    sd_score: sd,
                    earlier_run: None,
                }
            },
        )
        .collect()
}

/// The rows of a `moment_trend` table.
pub fn rows_of(f: &Frame) -> Vec<TrendRow> {
    let (school, subject, grade, term, year) = (
        f.str("school_key"),
        f.str("subject"),
        f.i32("grade"),
        f.str("term"),
        f.str("school_year"),
    );
    let (n, mean, sd, earlier) = (
        f.i64("n"),
        f.f64("mean_score"),
        f.f64("sd_score"),
        f.str("earlier_run"),
    );
    (0..f.len())
        .map(|i| TrendRow {
            school_key: opt_str(school, i).map(str::to_string),
            subject: subject.value(i).to_string(),
            grade: grade.value(i),
            term: term.value(i).to_string(),
            school_year: year.value(i).to_string(),
            n: n.value(i),
            mean_score: mean.value(i),
            sd_score: opt(sd, i),
            earlier_run: opt_str(earlier, i).map(str::to_string),
        })
        .collect()
}

/// Reads the `moment_trend` table of each earlier run folder; an error names a folder without
/// one.
pub fn read_earlier(folders: &[std::path::PathBuf]) -> Result<Vec<(String, Vec<TrendRow>)>> {
    folders
        .iter()
        .map(|dir| {
            let path = dir.join("indicators/moment_trend.parquet");
            if !path.exists() {
                return Err(Error::input(
                    &path,
                    "[report] earlier_runs: this earlier run has no indicators/moment_trend.parquet (run it again with this version of leerwinst, or leave it out)",
                ));
            }
            let name = run_name(dir);
            Ok((name, rows_of(&read_table(&path, Table::MomentTrend)?)))
        })
        .collect()
}

/// How a row names the earlier run it came from: the run folder's name.
fn run_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

/// This run's rows with the test moments and years of earlier runs that it has no row of (a
/// whole family at a time, the first earlier run that has it; its own earlier-run mark kept),
/// sorted.
pub fn with_earlier(
    mut rows: Vec<TrendRow>,
    earlier: Vec<(String, Vec<TrendRow>)>,
) -> Vec<TrendRow> {
    let mut have: BTreeSet<Family> = rows.iter().map(TrendRow::family).collect();
    for (name, theirs) in earlier {
        let new: BTreeSet<Family> = theirs
            .iter()
            .map(TrendRow::family)
            .filter(|f| !have.contains(f))
            .collect();
        rows.extend(
            theirs
                .into_iter()
                .filter(|r| new.contains(&r.family()))
                .map(|mut r| {
                    r.earlier_run.get_or_insert_with(|| name.clone());
                    r
                }),
        );
        have.extend(new);
    }
    rows.sort_by(|a, b| (a.family(), &a.school_key).cmp(&(b.family(), &b.school_key)));
    rows
}

/// Which rows a staff table shows the figures of (`false`: the count only): rows below `min_n`
/// pupils, and within each test moment and year the schools [`leerwinst_core::disclosure::hidden`]
/// adds so that the board's row minus the schools shown never leaves fewer than `min_n` pupils.
pub fn staff_mask(rows: &[TrendRow], min_n: usize) -> Vec<bool> {
    let sizes: Vec<usize> = rows.iter().map(|r| r.n.max(0) as usize).collect();
    leerwinst_core::disclosure::hidden_in_families(
        &sizes,
        |i| rows[i].school_key.is_some().then(|| rows[i].family()),
        min_n,
    )
    .into_iter()
    .map(|hidden| !hidden)
    .collect()
}

/// Arrow columns of the rows, in `Table::MomentTrend` order.
pub fn columns(rows: &[TrendRow]) -> Vec<ArrayRef> {
    columns_shown(rows, &vec![true; rows.len()])
}

/// The columns with the scores only where `shown` says so (otherwise the count alone).
pub fn columns_shown(rows: &[TrendRow], shown: &[bool]) -> Vec<ArrayRef> {
    let s =
        |f: &dyn Fn(&TrendRow) -> Option<&str>| str_array(&rows.iter().map(f).collect::<Vec<_>>());
    let figure = |f: &dyn Fn(&TrendRow) -> Option<f64>| {
        f64_array(
            rows.iter()
                .zip(shown)
                .map(|(r, &show)| f(r).filter(|_| show))
                .collect(),
        )
    };
    let cols = vec![
        s(&|r| {
            Some(if r.school_key.is_some() {
                "school"
            } else {
                "board"
            })
        }),
        s(&|r| r.school_key.as_deref()),
        s(&|r| Some(&r.subject)),
        i32_array(rows.iter().map(|r| Some(r.grade)).collect()),
        s(&|r| Some(&r.term)),
        s(&|r| Some(&r.school_year)),
        i64_array(rows.iter().map(|r| Some(r.n)).collect()),
        figure(&|r| Some(r.mean_score)),
        figure(&|r| r.sd_score),
        s(&|r| r.earlier_run.as_deref()),
    ];
    debug_assert_eq!(cols.len(), Table::MomentTrend.columns().len());
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(school: Option<&str>, year: &str, n: i64, mean: f64) -> TrendRow {
        TrendRow {
            school_key: school.map(str::to_string),
            subject: "rekenen".into(),
            grade: 4,
            term: "M".into(),
            school_year: year.into(),
            n,
            mean_score: mean,
            sd_score: None,
            earlier_run: None,
        }
    }

    #[test]
    fn earlier_runs_add_whole_moments_this_run_has_not() {
        let ours = vec![
            row(None, "2024-2025", 30, 170.0),
            row(Some("A"), "2024-2025", 30, 170.0),
        ];
        let older = vec![
            // This run has 2024-2025 itself: the earlier run's figures for it stay out.
            row(None, "2024-2025", 28, 160.0),
            row(None, "2023-2024", 25, 165.0),
            row(Some("A"), "2023-2024", 15, 166.0),
            row(Some("B"), "2023-2024", 10, 163.0),
        ];
        let oldest = vec![
            row(None, "2023-2024", 99, 1.0),
            row(None, "2022-2023", 20, 160.0),
        ];
        let rows = with_earlier(
            ours,
            vec![("run-m".into(), older), ("run-e".into(), oldest)],
        );
        let got: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.school_year.as_str(),
                    r.school_key.as_deref(),
                    r.n,
                    r.earlier_run.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("2022-2023", None, 20, Some("run-e")),
                ("2023-2024", None, 25, Some("run-m")),
                ("2023-2024", Some("A"), 15, Some("run-m")),
                ("2023-2024", Some("B"), 10, Some("run-m")),
                ("2024-2025", None, 30, None),
                ("2024-2025", Some("A"), 30, None),
            ]
        );
    }

    #[test]
    fn the_board_row_minus_the_schools_shown_never_gives_one_away() {
        let rows = vec![
            row(None, "2024-2025", 45, 170.0),
            row(Some("A"), "2024-2025", 30, 170.0),
            row(Some("B"), "2024-2025", 12, 170.0),
            row(Some("C"), "2024-2025", 3, 170.0),
        ];
        // C is below 10; B goes too, or 45 - 30 - 12 = 3 pupils of C could be computed.
        assert_eq!(staff_mask(&rows, 10), [true, true, false, false]);
    }

    #[test]
    fn means_and_standard_deviations_of_enrolled_pupils() {
        use arrow_array::RecordBatch;
        let t = Table::Assessments;
        let scores = [("p1", 100.0), ("p2", 110.0), ("p3", 120.0), ("p9", 500.0)];
        let n = scores.len();
        let s = |f: &dyn Fn(usize) -> Option<String>| str_array(&(0..n).map(f).collect::<Vec<_>>());
        let cols: Vec<ArrayRef> = vec![
            s(&|i| Some(scores[i].0.into())),
            s(&|_| Some("rekenen".into())),
            s(&|_| Some("cito-lvs".into())),
            leerwinst_store::date_array(vec![None; n]),
            s(&|_| Some("M".into())),
            s(&|_| Some("2024-2025".into())),
            i32_array(vec![Some(4); n]),
            f64_array(scores.iter().map(|x| Some(x.1)).collect()),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
            s(&|_| None),
            s(&|_| None),
            s(&|_| None),
            f64_array(vec![None; n]),
        ];
        let a = Frame {
            path: "test".into(),
            batch: RecordBatch::try_new(t.schema(), cols).unwrap(),
        };
        let enrolled: HashMap<_, _> = [("p1", "A"), ("p2", "A"), ("p3", "B")]
            .into_iter()
            .map(|(p, school)| {
                (
                    (p.to_string(), "2024-2025".to_string()),
                    Enrolled {
                        school_key: Some(school.into()),
                        ..Default::default()
                    },
                )
            })
            .collect();
        let rows = compute(&a, &enrolled);
        // p9 is not enrolled: neither in the board's row nor a school's.
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.school_key.as_deref(), r.n, r.mean_score, r.sd_score))
            .collect();
        assert_eq!(
            got,
            [
                (None, 3, 110.0, Some(10.0)),
                (Some("A"), 2, 105.0, Some(50f64.sqrt())),
                (Some("B"), 1, 120.0, None),
            ]
        );
    }
}
