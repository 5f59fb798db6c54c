//! Growth per pupil x subject x window.
//!
//! Windows: `M-E` (mid-year to end of the same school year), `E-E` (end of one school year to
//! the end of the next), `Y-Y` (one annual test to the next, for exports with one test a year
//! and no dates), and NWEA's `F-W`, `F-S`, `W-S` within the year and `F-F`, `W-W`, `S-S`
//! year on year. Year-on-year windows carry student growth percentiles when the pipeline asks
//! for them (`crate::sgp`). For each: scores, dates, elapsed months, gain, annualised gain,
//! standardised scores and baseline quintile within subject x grade x term x school year, and the
//! reliable change index (Jacobson & Truax 1991) where both SEMs are known.

use std::collections::{BTreeMap, HashMap};

use arrow_array::ArrayRef;
use leerwinst_core::Table;
use leerwinst_stats::describe::mean_sd;
use leerwinst_store::{
    Frame, bool_array, date_array, f64_array, i32_array, opt, opt_str, str_array,
};

use leerwinst_core::term::{WITHIN_YEAR_WINDOWS, yearly_window};

use crate::norms::{NormGrowth, NormTable, ReportedIndex, norm_growth};
use crate::sgp::SgpIndex;

/// Days per month used for elapsed months.
pub const DAYS_PER_MONTH: f64 = 30.4375;
/// |RCI| above this is reliable change at 95%.
pub const RCI_CRITICAL: f64 = 1.96;

#[derive(Debug, Clone)]
struct Test {
    instrument: String,
    year: String,
    term: String,
    date: Option<i32>,
    grade: Option<i32>,
    score: f64,
    sem: Option<f64>,
    z: Option<f64>,
    quintile: Option<i32>,
}

/// One growth row (columns as in `Table::Growth`).
#[derive(Debug, Clone, PartialEq)]
pub struct GrowthRow {
    /// Pupil.
    pub pupil_key: String,
    /// Subject.
    pub subject: String,
    /// `M-E` or `E-E`.
    pub window: &'static str,
    /// Follow-up school year.
    pub school_year: String,
    /// Follow-up school.
    pub school_key: Option<String>,
    /// Follow-up class.
    pub group_key: Option<String>,
    /// Follow-up grade.
    pub grade: Option<i32>,
    /// Programme in the follow-up year.
    pub programme: bool,
    /// Baseline score.
    pub baseline_score: f64,
    /// Baseline date (Date32).
    pub baseline_date: Option<i32>,
    /// Follow-up score.
    pub followup_score: f64,
    /// Follow-up date (Date32).
    pub followup_date: Option<i32>,
    /// Months between.
    pub elapsed_months: Option<f64>,
    /// Gain.
    pub gain: f64,
    /// Gain per 12 months.
    pub annualised_gain: Option<f64>,
    /// Standardised baseline.
    pub baseline_z: Option<f64>,
    /// Standardised follow-up.
    pub followup_z: Option<f64>,
    /// Baseline quintile.
    pub baseline_quintile: Option<i32>,
    /// Reliable change index.
    pub rci: Option<f64>,
    /// -1 / 0 / 1.
    pub reliable_change: Option<i32>,
    /// SGP given one prior year.
    pub sgp_order_1: Option<i32>,
    /// SGP given two prior years.
    pub sgp_order_2: Option<i32>,
    /// Expected growth, CGI, CGP and their source.
    pub norm: NormGrowth,
}

/// What growth rows draw on besides the tests: growth percentiles, the publisher's reported
/// growth, and a norm table; each optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Growth percentiles.
    pub sgp: Option<&'a SgpIndex>,
    /// NWEA's own growth figures.
    pub reported: Option<&'a ReportedIndex>,
    /// The pipeline's norm table.
    pub norms: Option<&'a NormTable>,
    /// The pipeline's growth settings, for `[[growth.sem]]` where the export has no SEM.
    pub settings: Option<&'a leerwinst_core::pipeline::Growth>,
}

/// Enrollment facts of a pupil in a school year.
#[derive(Debug, Clone, Default)]
pub struct Enrolled {
    /// School.
    pub school_key: Option<String>,
    /// Class.
    pub group_key: Option<String>,
    /// Grade.
    pub grade: Option<i32>,
    /// Programme.
    pub programme: bool,
}

/// (pupil, school year) -> enrollment, the first class in key order when there are several.
pub fn enrollment_index(enr: &Frame) -> HashMap<(String, String), Enrolled> {
    let mut m = HashMap::new();
    let (p, y, s, g, gr, pr) = (
        enr.str("pupil_key"),
        enr.str("school_year"),
        enr.str("school_key"),
        enr.str("group_key"),
        enr.i32("grade"),
        enr.bool("programme"),
    );
    for i in 0..enr.len() {
        m.entry((p.value(i).to_string(), y.value(i).to_string()))
            .or_insert_with(|| Enrolled {
                school_key: Some(s.value(i).to_string()),
                group_key: opt_str(g, i).map(str::to_string),
                grade: opt(gr, i),
                programme: pr.value(i),
            });
    }
    m
}

/// Computes growth rows from the assessments and enrollments tables, with growth percentiles,
/// reported growth and norms from `extras` where given.
pub fn compute(
    assess: &Frame,
    enrolled: &HashMap<(String, String), Enrolled>,
    extras: &Extras<'_>,
) -> Vec<GrowthRow> {
    let sgp = extras.sgp;
    let (p, subj, instrument, date, term, year, grade, score, sem) = (
        assess.str("pupil_key"),
        assess.str("subject"),
        assess.str("instrument"),
        assess.date("administered_on"),
        assess.str("term"),
        assess.str("school_year"),
        assess.i32("grade"),
        assess.f64("score"),
        assess.f64("sem"),
    );
    // Norm groups: subject x grade x term x school year.
    type NormKey = (String, Option<i32>, String, String);
    let mut groups: BTreeMap<NormKey, Vec<usize>> = BTreeMap::new();
    for i in 0..assess.len() {
        groups
            .entry((
                subj.value(i).to_string(),
                opt(grade, i),
                term.value(i).to_string(),
                year.value(i).to_string(),
            ))
            .or_default()
            .push(i);
    }
    let mut z = vec![None; assess.len()];
    let mut quint = vec![None; assess.len()];
    for idx in groups.values() {
        let vals: Vec<f64> = idx.iter().map(|&i| score.value(i)).collect();
        if vals.len() < 2 {
            continue;
        }
        let (m, sd) = mean_sd(&vals);
        let mut sorted = vals.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as f64;
        for &i in idx {
            let v = score.value(i);
            if sd > 0.0 {
                z[i] = Some((v - m) / sd);
            }
            // Mid-rank empirical CDF, so ties share a quintile.
            let below = sorted.partition_point(|&x| x < v) as f64;
            let equal = sorted.partition_point(|&x| x <= v) as f64 - below;
            let cdf = (below + 0.5 * equal) / n;
            quint[i] = Some(((cdf * 5.0).floor() as i32 + 1).min(5));
        }
    }
    // Tests per pupil x subject.
    let mut per: BTreeMap<(String, String), Vec<Test>> = BTreeMap::new();
    for i in 0..assess.len() {
        per.entry((p.value(i).to_string(), subj.value(i).to_string()))
            .or_default()
            .push(Test {
                instrument: instrument.value(i).to_string(),
                year: year.value(i).to_string(),
                term: term.value(i).to_string(),
                date: opt(date, i),
                grade: opt(grade, i),
                score: score.value(i),
                sem: opt(sem, i).or_else(|| {
                    extras
                        .settings?
                        .sem_for(instrument.value(i), subj.value(i), opt(grade, i))
                }),
                z: z[i],
                quintile: quint[i],
            });
    }
    let mut rows = Vec::new();
    for ((pupil, subject), tests) in per {
        let find = |y: &str, t: &str| tests.iter().find(|x| x.year == y && x.term == t);
        for b in &tests {
            let next_year = |t: &str| {
                let next = leerwinst_core::SchoolYear::parse(&b.year)?
                    .next()
                    .to_string();
                find(&next, t)
            };
            // Within the year (M-E, F-W, F-S, W-S), or to the same moment next year (E-E, Y-Y,
            // F-F, W-W, S-S).
            let within = WITHIN_YEAR_WINDOWS
                .iter()
                .filter(|(from, _, _)| *from == b.term)
                .map(|(_, to, w)| (*w, find(&b.year, to)));
            let yearly = yearly_window(&b.term).map(|w| (w, next_year(&b.term)));
            for (window, f) in within.into_iter().chain(yearly) {
                let Some(f) = f else { continue };
                let months = match (b.date, f.date) {
                    (Some(d1), Some(d2)) if d2 <= d1 => continue,
                    (Some(d1), Some(d2)) => Some((d2 - d1) as f64 / DAYS_PER_MONTH),
                    _ => None,
                };
                let gain = f.score - b.score;
                let rci = match (b.sem, f.sem) {
                    (Some(s1), Some(s2)) if s1 > 0.0 && s2 > 0.0 => {
                        Some(gain / (s1 * s1 + s2 * s2).sqrt())
                    }
                    _ => None,
                };
                let e = enrolled
                    .get(&(pupil.clone(), f.year.clone()))
                    .cloned()
                    .unwrap_or_default();
                let (sgp_order_1, sgp_order_2) = sgp
                    .and_then(|s| {
                        s.get(&(pupil.clone(), subject.clone(), f.year.clone(), window))
                            .copied()
                    })
                    .unwrap_or((None, None));
                let reported = extras.reported.and_then(|r| {
                    r.get(&(
                        pupil.clone(),
                        subject.clone(),
                        window.to_string(),
                        f.year.clone(),
                    ))
                    .copied()
                });
                // Norms are by baseline grade; a yearly window without one takes follow-up - 1.
                let baseline_grade = b.grade.or_else(|| {
                    let g = f.grade.or(e.grade)?;
                    Some(if f.year == b.year { g } else { g - 1 })
                });
                let band = extras
                    .norms
                    .zip(baseline_grade)
                    .and_then(|(t, g)| t.lookup(&b.instrument, &subject, g, window, b.score));
                rows.push(GrowthRow {
                    pupil_key: pupil.clone(),
                    subject: subject.clone(),
                    window,
                    school_year: f.year.clone(),
                    school_key: e.school_key,
                    group_key: e.group_key,
                    grade: f.grade.or(e.grade),
                    programme: e.programme,
                    baseline_score: b.score,
                    baseline_date: b.date,
                    followup_score: f.score,
                    followup_date: f.date,
                    elapsed_months: months,
                    gain,
                    annualised_gain: months.map(|m| gain * 12.0 / m),
                    baseline_z: b.z,
                    followup_z: f.z,
                    baseline_quintile: b.quintile,
                    rci,
                    reliable_change: rci.map(|r| {
                        if r > RCI_CRITICAL {
                            1
                        } else if r < -RCI_CRITICAL {
                            -1
                        } else {
                            0
                        }
                    }),
                    sgp_order_1,
                    sgp_order_2,
                    norm: norm_growth(gain, reported, band),
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        (&a.pupil_key, &a.subject, a.window, &a.school_year).cmp(&(
            &b.pupil_key,
            &b.subject,
            b.window,
            &b.school_year,
        ))
    });
    rows
}

/// Arrow columns of growth rows, in `Table::Growth` order.
pub fn columns(rows: &[GrowthRow]) -> Vec<ArrayRef> {
    let s =
        |f: &dyn Fn(&GrowthRow) -> Option<&str>| str_array(&rows.iter().map(f).collect::<Vec<_>>());
    let f = |f: &dyn Fn(&GrowthRow) -> Option<f64>| f64_array(rows.iter().map(f).collect());
    let cols = vec![
        s(&|r| Some(&r.pupil_key)),
        s(&|r| Some(&r.subject)),
        s(&|r| Some(r.window)),
        s(&|r| Some(&r.school_year)),
        s(&|r| r.school_key.as_deref()),
        s(&|r| r.group_key.as_deref()),
        i32_array(rows.iter().map(|r| r.grade).collect()),
        bool_array(rows.iter().map(|r| Some(r.programme)).collect()),
        f(&|r| Some(r.baseline_score)),
        date_array(rows.iter().map(|r| r.baseline_date).collect()),
        f(&|r| Some(r.followup_score)),
        date_array(rows.iter().map(|r| r.followup_date).collect()),
        f(&|r| r.elapsed_months),
        f(&|r| Some(r.gain)),
        f(&|r| r.annualised_gain),
        f(&|r| r.baseline_z),
        f(&|r| r.followup_z),
        i32_array(rows.iter().map(|r| r.baseline_quintile).collect()),
        f(&|r| r.rci),
        i32_array(rows.iter().map(|r| r.reliable_change).collect()),
        i32_array(rows.iter().map(|r| r.sgp_order_1).collect()),
        i32_array(rows.iter().map(|r| r.sgp_order_2).collect()),
        i32_array(
            rows.iter()
                .map(|r| r.sgp_order_2.or(r.sgp_order_1))
                .collect(),
        ),
        i32_array(
            rows.iter()
                .map(|r| match (r.sgp_order_1, r.sgp_order_2) {
                    (_, Some(_)) => Some(2),
                    (Some(_), None) => Some(1),
                    _ => None,
                })
                .collect(),
        ),
    ];
    let mut cols = cols;
    cols.extend([
        f(&|r| r.norm.expected),
        f(&|r| r.norm.cgi),
        f(&|r| r.norm.cgp),
        s(&|r| r.norm.source),
    ]);
    debug_assert_eq!(cols.len(), Table::Growth.columns().len());
    cols
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::RecordBatch;
    use chrono::NaiveDate;
    use leerwinst_core::term::date32;

    type A<'a> = (
        &'a str,
        &'a str,
        (i32, u32, u32),
        &'a str,
        &'a str,
        i32,
        f64,
        Option<f64>,
    );

    fn frame(rows: &[A<'_>]) -> Frame {
        let d = |(y, m, dd): (i32, u32, u32)| date32(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
        let cols = vec![
            str_array(&rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
            str_array(&rows.iter().map(|r| Some(r.1)).collect::<Vec<_>>()),
            str_array(&rows.iter().map(|_| Some("cito-lvs")).collect::<Vec<_>>()),
            date_array(rows.iter().map(|r| Some(d(r.2))).collect()),
            str_array(&rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>()),
            str_array(&rows.iter().map(|r| Some(r.4)).collect::<Vec<_>>()),
            i32_array(rows.iter().map(|r| Some(r.5)).collect()),
            f64_array(rows.iter().map(|r| Some(r.6)).collect()),
            f64_array(rows.iter().map(|r| r.7).collect()),
            f64_array(vec![None; rows.len()]),
            str_array(&vec![None::<&str>; rows.len()]),
            str_array(&vec![None::<&str>; rows.len()]),
            str_array(&vec![None::<&str>; rows.len()]),
            f64_array(vec![None; rows.len()]),
        ];
        Frame {
            path: "test".into(),
            batch: RecordBatch::try_new(Table::Assessments.schema(), cols).unwrap(),
        }
    }

    #[test]
    fn windows_gains_and_reliable_change() {
        let f = frame(&[
            (
                "p1",
                "rekenen",
                (2024, 1, 20),
                "M",
                "2023-2024",
                4,
                100.0,
                Some(3.0),
            ),
            (
                "p1",
                "rekenen",
                (2024, 6, 10),
                "E",
                "2023-2024",
                4,
                110.0,
                Some(4.0),
            ),
            (
                "p1",
                "rekenen",
                (2025, 1, 20),
                "M",
                "2024-2025",
                5,
                115.0,
                None,
            ),
            (
                "p1",
                "rekenen",
                (2025, 6, 10),
                "E",
                "2024-2025",
                5,
                130.0,
                Some(4.0),
            ),
            (
                "p2",
                "rekenen",
                (2024, 6, 10),
                "E",
                "2023-2024",
                4,
                90.0,
                Some(3.0),
            ),
        ]);
        let mut enrolled = HashMap::new();
        enrolled.insert(
            ("p1".to_string(), "2024-2025".to_string()),
            Enrolled {
                school_key: Some("S1".into()),
                group_key: Some("G5".into()),
                grade: Some(5),
                programme: true,
            },
        );
        let rows = compute(&f, &enrolled, &Extras::default());
        let w: Vec<_> = rows
            .iter()
            .map(|r| (r.window, r.school_year.as_str()))
            .collect();
        assert_eq!(
            w,
            [
                ("E-E", "2024-2025"),
                ("M-E", "2023-2024"),
                ("M-E", "2024-2025")
            ]
        );
        let ee = &rows[0];
        assert_eq!(ee.gain, 20.0);
        assert_eq!(ee.followup_date.unwrap() - ee.baseline_date.unwrap(), 365);
        assert!((ee.elapsed_months.unwrap() - 365.0 / 30.4375).abs() < 1e-12);
        assert!((ee.annualised_gain.unwrap() - 20.0 * 12.0 / (365.0 / 30.4375)).abs() < 1e-12);
        // RCI = 20 / sqrt(4^2 + 4^2) = 3.5355: reliable growth.
        assert!((ee.rci.unwrap() - 20.0 / 32f64.sqrt()).abs() < 1e-12);
        assert_eq!(ee.reliable_change, Some(1));
        assert_eq!(
            (ee.school_key.as_deref(), ee.programme, ee.grade),
            (Some("S1"), true, Some(5))
        );
        // M-E 2023-2024: gain 10, RCI = 10 / 5 = 2 > 1.96.
        assert_eq!(rows[1].rci, Some(2.0));
        assert_eq!(rows[1].reliable_change, Some(1));
        assert!(
            !rows[1].programme,
            "no enrollment known: not in the programme"
        );
        // M-E 2024-2025 has no baseline SEM: no RCI rather than a guess.
        assert_eq!((rows[2].rci, rows[2].reliable_change), (None, None));
        // E 2023-2024 grade 4 group: p1 = 110, p2 = 90 -> z = +-0.7071, quintiles 4 and 2.
        assert!((ee.baseline_z.unwrap() - 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(ee.baseline_quintile, Some(4));
    }

    #[test]
    fn no_window_without_a_later_follow_up() {
        let f = frame(&[
            (
                "p1",
                "lezen",
                (2024, 6, 10),
                "E",
                "2023-2024",
                4,
                110.0,
                None,
            ),
            (
                "p1",
                "lezen",
                (2024, 1, 20),
                "M",
                "2023-2024",
                4,
                120.0,
                None,
            ),
            (
                "p1",
                "spelling",
                (2025, 6, 10),
                "E",
                "2024-2025",
                5,
                120.0,
                None,
            ),
        ]);
        let rows = compute(&f, &HashMap::new(), &Extras::default());
        assert_eq!(rows.len(), 1, "only lezen M-E");
        assert_eq!((rows[0].gain, rows[0].rci), (-10.0, None));
    }

    #[test]
    fn nwea_season_windows() {
        let t = |d, term, year, grade, score| ("p1", "reading", d, term, year, grade, score, None);
        let f = frame(&[
            t((2013, 9, 10), "Fall", "2013-2014", 6, 200.0),
            t((2014, 1, 15), "Winter", "2013-2014", 6, 204.0),
            t((2014, 5, 20), "Spring", "2013-2014", 6, 209.0),
            t((2014, 9, 12), "Fall", "2014-2015", 7, 208.0),
            t((2015, 5, 21), "Spring", "2014-2015", 7, 215.0),
        ]);
        let rows = compute(&f, &HashMap::new(), &Extras::default());
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.window, r.school_year.as_str(), r.gain))
            .collect();
        assert_eq!(
            got,
            [
                ("F-F", "2014-2015", 8.0),
                ("F-S", "2013-2014", 9.0),
                ("F-S", "2014-2015", 7.0),
                ("F-W", "2013-2014", 4.0),
                ("S-S", "2014-2015", 6.0),
                ("W-S", "2013-2014", 5.0),
            ]
        );
    }

    #[test]
    fn sem_table_fills_in_missing_sems_for_the_rci() {
        let f = frame(&[
            (
                "p1",
                "rekenen",
                (2024, 1, 20),
                "M",
                "2023-2024",
                4,
                100.0,
                None,
            ),
            (
                "p1",
                "rekenen",
                (2024, 6, 10),
                "E",
                "2023-2024",
                4,
                110.0,
                Some(4.0),
            ),
        ]);
        let settings = leerwinst_core::pipeline::Growth {
            sem: vec![leerwinst_core::pipeline::SemEntry {
                instrument: "cito-lvs".into(),
                subject: None,
                grade: None,
                sem: 3.0,
            }],
            ..Default::default()
        };
        let extras = Extras {
            settings: Some(&settings),
            ..Default::default()
        };
        let rows = compute(&f, &HashMap::new(), &extras);
        // The exported SEM (4) is kept; the missing one comes from the table (3): 10 / 5.
        assert_eq!(rows[0].rci, Some(2.0));
        let without = compute(&f, &HashMap::new(), &Extras::default());
        assert_eq!(without[0].rci, None);
    }
}
