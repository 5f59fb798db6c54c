//! NWEA MAP Growth Comprehensive Data File (CDF): a folder with `StudentsBySchool.csv` and
//! `AssessmentResults.csv` (one pair per ordered term, often prefixed, e.g.
//! `Fall2013AssessmentResults.csv`; every file whose name ends in those names is read). Both
//! layouts are understood (`../shared/reference/formats.md`):
//!
//! - **post-2015**: per window (FallToFall, FallToWinter, FallToSpring, WinterToWinter,
//!   WinterToSpring, SpringToSpring) the growth summary fields ProjectedGrowth, ObservedGrowth,
//!   ObservedGrowthSE, MetProjectedGrowth, ConditionalGrowthIndex, ConditionalGrowthPercentile.
//!   NWEA fills them on the row of the window's *last* term (a winter CDF carries fall-to-winter
//!   and winter-to-winter growth); they go to `reported_growth` for the school year of that row.
//! - **pre-2015**: Typical{FallToFall,SpringToSpring,FallToSpring,FallToWinter}Growth, the growth
//!   projection NWEA fills on the row of the window's *first* term; it goes to `reported_growth`
//!   as projected growth for the window's follow-up year.
//!
//! StudentsBySchool is the roster: it gives grade, school, birth year and gender per term; names
//! and the exact birth date are read only to be dropped. Assessment rows of pupils it does not
//! list are rejected (when there is one). Only the growth-measure test of a term counts
//! (`GrowthMeasureYN`); other tests of the same scale in that term are rejected with that reason,
//! since a term can have only one score per subject.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use leerwinst_core::term::date32;
use leerwinst_core::{Error, Result, SchoolYear, Table};

use crate::context::{IdResolver, ReadContext};
use crate::delimited::Column;
use crate::delimited::{self, Delimited};
use crate::input::{FileInfo, number_reason, parse_number, read_text};
use crate::pseudonym::Pseudonymiser;
use crate::record_loop::{Row, each_record};
use crate::rejects::Rejects;
use crate::rows::{AssessmentRow, EnrollmentRow, PupilRow, ReportedGrowthRow};

/// Plausible RIT range; scores outside are rejected unless the source sets `score_range`.
pub const DEFAULT_RIT_RANGE: [f64; 2] = [100.0, 350.0];

/// NWEA window prefixes of the post-2015 growth blocks: (prefix, first season, last season,
/// window name).
pub const WINDOWS: [(&str, &str, &str, &str); 6] = [
    ("FallToFall", "Fall", "Fall", "F-F"),
    ("FallToWinter", "Fall", "Winter", "F-W"),
    ("FallToSpring", "Fall", "Spring", "F-S"),
    ("WinterToWinter", "Winter", "Winter", "W-W"),
    ("WinterToSpring", "Winter", "Spring", "W-S"),
    ("SpringToSpring", "Spring", "Spring", "S-S"),
];

/// What a CDF folder yields.
#[derive(Debug, Default)]
pub struct Cdf {
    /// Pupils (one per StudentID).
    pub pupils: Vec<PupilRow>,
    /// One enrollment per pupil and school year (the school of the first term listed).
    pub enrollments: Vec<EnrollmentRow>,
    /// Growth-measure test results.
    pub assessments: Vec<AssessmentRow>,
    /// NWEA's own growth figures.
    pub reported: Vec<ReportedGrowthRow>,
    /// Rows read (StudentsBySchool + AssessmentResults).
    pub read: usize,
    /// Rows accepted.
    pub accepted: usize,
    /// Files read.
    pub files: Vec<FileInfo>,
}

/// Parses a CDF term name such as `Fall 2013-2014` into (season, school year).
pub fn parse_term(s: &str) -> Option<(&'static str, SchoolYear)> {
    let mut parts = s.split_whitespace();
    let season = parts.next()?;
    let year = SchoolYear::parse(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    let season = ["Fall", "Winter", "Spring", "Summer"]
        .into_iter()
        .find(|x| x.eq_ignore_ascii_case(season))?;
    Some((season, year))
}

/// Parses a US date `m/d/yyyy` (as in TestStartDate) or ISO `yyyy-mm-dd`, the year written in
/// full (`9/7/13` is no date: never the year 13).
pub fn parse_us_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if !crate::input::four_digit_year(s) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%m/%d/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

/// NWEA grade: `K` is 0, otherwise a number 0-13.
fn parse_grade(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("k") {
        return Some(0);
    }
    s.parse::<i32>().ok().filter(|g| (0..=13).contains(g))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "yes*" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// Files in `dir` whose name ends (case-insensitively) in `suffix`, sorted by name.
fn files_ending(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let stem = name.strip_suffix(".gz").unwrap_or(&name);
        if path.is_file() && stem.ends_with(suffix) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a CDF folder.
pub fn read(
    dir: &Path,
    source: &str,
    rejects: &mut Rejects,
    pseudo: &Pseudonymiser,
    instrument: &str,
    range: [f64; 2],
    calendar: leerwinst_core::Calendar,
) -> Result<Cdf> {
    if !dir.is_dir() {
        return Err(Error::input(
            dir,
            "an NWEA CDF source is a folder with StudentsBySchool.csv and AssessmentResults.csv",
        ));
    }
    let students = files_ending(dir, "studentsbyschool.csv")?;
    let results = files_ending(dir, "assessmentresults.csv")?;
    if results.is_empty() {
        return Err(Error::input(
            dir,
            "no AssessmentResults.csv (or <term>AssessmentResults.csv) in the CDF folder",
        ));
    }
    let mut cdf = Cdf::default();
    let mut ids = if students.is_empty() {
        IdResolver::default()
    } else {
        IdResolver::with_roster()
    };
    // (StudentID, TermName) -> grade, from the roster, for the test rows.
    let mut grades: HashMap<(String, String), Option<i32>> = HashMap::new();
    let mut pupils_seen = HashSet::new();
    let mut enrolled: BTreeMap<(String, String), usize> = BTreeMap::new();
    for path in &students {
        let (text, info) = read_text(path)?;
        cdf.files.push(info);
        let d = delimited::parse(&text, &path.display().to_string())?;
        let mut ctx = ReadContext {
            source,
            file: path.display().to_string(),
            rejects,
            ids: &IdResolver::default(),
            pseudo,
            calendar,
        };
        read_students(
            &mut ctx,
            &d,
            &mut cdf,
            &mut ids,
            &mut grades,
            &mut pupils_seen,
            &mut enrolled,
        )?;
    }
    let mut tests_seen = HashSet::new();
    let mut reported: BTreeMap<(String, String, &'static str, String), ReportedGrowthRow> =
        BTreeMap::new();
    for path in &results {
        let (text, info) = read_text(path)?;
        cdf.files.push(info);
        let d = delimited::parse(&text, &path.display().to_string())?;
        let mut ctx = ReadContext {
            source,
            file: path.display().to_string(),
            rejects,
            ids: &ids,
            pseudo,
            calendar,
        };
        let mut state = ResultsState {
            grades: &grades,
            seen: &mut tests_seen,
            reported: &mut reported,
            instrument,
            range,
        };
        read_results(&mut ctx, &d, &mut cdf, &mut state)?;
    }
    cdf.reported = reported.into_values().collect();
    Ok(cdf)
}

const TERM_NAME: Column = Column::required("term", &["TermName"]);
const STUDENT_ID: Column = Column::required("pupil id", &["StudentID"]);
const SCHOOL_NAME: Column = Column::required("school", &["SchoolName"]);
const GRADE: Column = Column::optional("grade", &["Grade", "StudentGrade"]);
const BIRTH_DATE: Column = Column::optional("birth date", &["StudentDateOfBirth"]);
const GENDER: Column = Column::optional("gender", &["StudentGender"]);
const MEASUREMENT_SCALE: Column = Column::required("subject", &["MeasurementScale"]);
const RIT_SCORE: Column = Column::required("score", &["TestRITScore"]);
const GROWTH_MEASURE: Column = Column::optional("growth measure", &["GrowthMeasureYN"]);
const TEST_DATE: Column = Column::optional("date", &["TestStartDate"]);
const STANDARD_ERROR: Column = Column::optional("SEM", &["TestStandardError"]);
const PERCENTILE: Column = Column::optional("percentile", &["TestPercentile"]);

/// The columns read from `StudentsBySchool.csv` ([`crate::columns`]).
pub const STUDENT_COLUMNS: &[Column] = &[
    TERM_NAME,
    STUDENT_ID,
    SCHOOL_NAME,
    GRADE,
    BIRTH_DATE,
    GENDER,
];

/// The fixed columns read from `AssessmentResults.csv` ([`crate::columns`]); the projection
/// columns per growth window are named after the window.
pub const RESULT_COLUMNS: &[Column] = &[
    TERM_NAME,
    STUDENT_ID,
    MEASUREMENT_SCALE,
    RIT_SCORE,
    GROWTH_MEASURE,
    TEST_DATE,
    STANDARD_ERROR,
    PERCENTILE,
];

fn need(d: &Delimited, file: &str, column: &Column) -> Result<usize> {
    d.find(column.names).ok_or_else(|| {
        Error::input(
            file,
            format!(
                "required column {} is missing; {}",
                column.names[0],
                d.header_listing()
            ),
        )
    })
}

fn read_students(
    ctx: &mut ReadContext<'_>,
    d: &Delimited,
    cdf: &mut Cdf,
    ids: &mut IdResolver,
    grades: &mut HashMap<(String, String), Option<i32>>,
    pupils_seen: &mut HashSet<String>,
    enrolled: &mut BTreeMap<(String, String), usize>,
) -> Result<()> {
    let file = ctx.file.clone();
    let c_term = need(d, &file, &TERM_NAME)?;
    let c_id = need(d, &file, &STUDENT_ID)?;
    let c_school = need(d, &file, &SCHOOL_NAME)?;
    let c_grade = d.find(GRADE.names);
    let c_dob = d.find(BIRTH_DATE.names);
    let c_gender = d.find(GENDER.names);
    let h = |i: usize| d.headers[i].clone();
    let mut terms_seen: HashSet<(String, String)> = HashSet::new();
    let (accepted, read) = each_record(ctx, Table::Enrollments, d, |row, r| {
        let id = r.get(c_id).unwrap_or("").trim().to_string();
        if id.is_empty() {
            return row.reject(&h(c_id), "", "missing pupil id");
        }
        let term_raw = r.get(c_term).unwrap_or("").trim();
        let Some((_, year)) = parse_term(term_raw) else {
            return row.reject(
                &h(c_term),
                term_raw,
                "not an NWEA term name (expected e.g. 'Fall 2013-2014')",
            );
        };
        let school = r.get(c_school).unwrap_or("").trim();
        if school.is_empty() {
            return row.reject(&h(c_school), "", "missing school name");
        }
        let grade = match c_grade.map(|c| r.get(c).unwrap_or("").trim()) {
            None | Some("") => None,
            Some(g) => match parse_grade(g) {
                Some(g) => Some(g),
                None => {
                    return row.reject(
                        &h(c_grade.unwrap_or_default()),
                        g,
                        "not a grade (K or 0-13)",
                    );
                }
            },
        };
        let key = row.ctx.pseudo.pupil(&id);
        if !terms_seen.insert((id.clone(), term_raw.to_string())) {
            return row.reject(
                &h(c_id),
                &crate::redact::pseudonym_value(&key),
                "duplicate: this pupil is already listed for this term",
            );
        }
        ids.add(&id, &id);
        grades.insert((id.clone(), term_raw.to_string()), grade);
        if pupils_seen.insert(key.clone()) {
            let birth_year = c_dob
                .and_then(|c| r.get(c))
                .and_then(parse_us_date)
                .map(|d| d.year());
            let gender = c_gender
                .and_then(|c| r.get(c))
                .map(|g| g.trim().to_ascii_lowercase())
                .filter(|g| !g.is_empty())
                .map(|g| match g.as_str() {
                    "m" | "male" => "m".to_string(),
                    "f" | "female" => "f".to_string(),
                    _ => "x".to_string(),
                });
            cdf.pupils.push(PupilRow {
                pupil_key: key.clone(),
                birth_year,
                gender,
                ses_weight: None,
                special_needs: None,
            });
        }
        // One enrollment per pupil and school year: later terms of the year confirm it.
        let ykey = (key.clone(), year.to_string());
        if let Some(&i) = enrolled.get(&ykey) {
            if cdf.enrollments[i].grade.is_none() {
                cdf.enrollments[i].grade = grade;
            }
        } else {
            enrolled.insert(ykey, cdf.enrollments.len());
            cdf.enrollments.push(EnrollmentRow {
                pupil_key: key,
                school_year: year.to_string(),
                school_key: school.to_string(),
                group_key: None,
                grade,
                programme: false,
                from: None,
                to: None,
            });
        }
        Some(())
    });
    cdf.accepted += accepted.len();
    cdf.read += read;
    Ok(())
}

struct ResultsState<'a> {
    grades: &'a HashMap<(String, String), Option<i32>>,
    seen: &'a mut HashSet<(String, String, String, &'static str)>,
    reported: &'a mut BTreeMap<(String, String, &'static str, String), ReportedGrowthRow>,
    instrument: &'a str,
    range: [f64; 2],
}

/// Column positions of one post-2015 growth block.
struct Block {
    window: &'static str,
    last: &'static str,
    projected: Option<usize>,
    observed: Option<usize>,
    observed_se: Option<usize>,
    met: Option<usize>,
    cgi: Option<usize>,
    cgp: Option<usize>,
}

fn read_results(
    ctx: &mut ReadContext<'_>,
    d: &Delimited,
    cdf: &mut Cdf,
    st: &mut ResultsState<'_>,
) -> Result<()> {
    let file = ctx.file.clone();
    let c_term = need(d, &file, &TERM_NAME)?;
    let c_id = need(d, &file, &STUDENT_ID)?;
    let c_scale = need(d, &file, &MEASUREMENT_SCALE)?;
    let c_rit = need(d, &file, &RIT_SCORE)?;
    let c_growth = d.find(GROWTH_MEASURE.names);
    let c_date = d.find(TEST_DATE.names);
    let c_se = d.find(STANDARD_ERROR.names);
    let c_pct = d.find(PERCENTILE.names);
    let blocks: Vec<Block> = WINDOWS
        .iter()
        .map(|(prefix, _, last, window)| {
            let f = |field: &str| d.find(&[format!("{prefix}{field}").as_str()]);
            Block {
                window,
                last,
                projected: f("ProjectedGrowth"),
                observed: f("ObservedGrowth"),
                observed_se: f("ObservedGrowthSE"),
                met: f("MetProjectedGrowth"),
                cgi: f("ConditionalGrowthIndex"),
                cgp: f("ConditionalGrowthPercentile"),
            }
        })
        .collect();
    // Pre-2015 projections: (column, first season, window).
    let typical: Vec<(usize, &'static str, &'static str)> = WINDOWS
        .iter()
        .filter_map(|(prefix, first, _, window)| {
            d.find(&[format!("Typical{prefix}Growth").as_str()])
                .map(|c| (c, *first, *window))
        })
        .collect();
    let h = |i: usize| d.headers[i].clone();
    let (accepted, read) = each_record(ctx, Table::Assessments, d, |row, r| {
        let cell = |c: usize| r.get(c).unwrap_or("").trim();
        let id = cell(c_id);
        let pupil_key = row.pupil_key(&h(c_id), id)?;
        let term_raw = cell(c_term);
        let Some((season, year)) = parse_term(term_raw) else {
            return row.reject(
                &h(c_term),
                term_raw,
                "not an NWEA term name (expected e.g. 'Fall 2013-2014')",
            );
        };
        if let Some(c) = c_growth {
            match parse_bool(cell(c)) {
                Some(true) => {}
                Some(false) => {
                    return row.reject(
                        &h(c),
                        cell(c),
                        "not the growth-measure test of the term (GrowthMeasureYN is false)",
                    );
                }
                None => {
                    return row.reject(&h(c), cell(c), "GrowthMeasureYN is not True or False");
                }
            }
        }
        let subject = cell(c_scale).to_lowercase();
        if subject.is_empty() {
            return row.reject(&h(c_scale), "", "missing measurement scale");
        }
        let rit_raw = cell(c_rit);
        let Some(score) = parse_number(rit_raw) else {
            let why = if rit_raw.is_empty() {
                "missing RIT score".into()
            } else {
                number_reason(rit_raw, "RIT score is not a number")
            };
            return row.reject(&h(c_rit), rit_raw, &why);
        };
        if score < st.range[0] || score > st.range[1] {
            return row.reject(
                &h(c_rit),
                rit_raw,
                &format!(
                    "score outside the instrument's range [{}, {}]",
                    st.range[0], st.range[1]
                ),
            );
        }
        let date = match c_date.map(cell) {
            None | Some("") => None,
            Some(v) => match parse_us_date(v) {
                Some(dt) if row.ctx.calendar.year_of(dt) == year => Some(dt),
                Some(_) => {
                    return row.reject(
                        &h(c_date.unwrap_or_default()),
                        v,
                        &format!("test date is not in school year {year} of the term"),
                    );
                }
                None => {
                    let why = if v.split('/').count() == 3 && !crate::input::four_digit_year(v) {
                        "two-digit year: write the year in full (m/d/yyyy)"
                    } else {
                        "not a date (expected m/d/yyyy)"
                    };
                    return row.reject(&h(c_date.unwrap_or_default()), v, why);
                }
            },
        };
        // Optional numbers: empty is null, anything else must parse (or the row is rejected).
        let number = |row: &mut Row<'_, '_>, c: Option<usize>, what: &str| match c {
            None => Some(None),
            Some(c) => row.optional(
                &h(c),
                cell(c),
                parse_number,
                &format!("{what} is not a number"),
            ),
        };
        let sem = number(row, c_se, "standard error")?;
        let percentile = number(row, c_pct, "percentile")?;
        let mut growth = Vec::new();
        for b in blocks.iter().filter(|b| b.last == season) {
            let mut g = ReportedGrowthRow {
                pupil_key: pupil_key.clone(),
                subject: subject.clone(),
                window: b.window,
                school_year: year.to_string(),
                source: "nwea-cdf",
                ..Default::default()
            };
            let fields = [
                (b.projected, "ProjectedGrowth", &mut g.projected_growth),
                (b.observed, "ObservedGrowth", &mut g.observed_growth),
                (b.observed_se, "ObservedGrowthSE", &mut g.observed_growth_se),
                (b.cgi, "ConditionalGrowthIndex", &mut g.cgi),
                (b.cgp, "ConditionalGrowthPercentile", &mut g.cgp),
            ];
            for (c, what, slot) in fields {
                *slot = number(row, c, what)?;
            }
            if let Some(c) = b.met {
                let v = cell(c);
                if !v.is_empty() {
                    match parse_bool(v) {
                        Some(x) => g.met_projected = Some(x),
                        None => {
                            return row.reject(&h(c), v, "MetProjectedGrowth is not Yes/No");
                        }
                    }
                }
            }
            if g.projected_growth.is_some() || g.observed_growth.is_some() || g.cgi.is_some() {
                growth.push(g);
            }
        }
        for &(c, first, window) in typical.iter().filter(|t| t.1 == season) {
            let Some(v) = number(row, Some(c), "typical growth")? else {
                continue;
            };
            let follow_up = match leerwinst_core::term::window_is_yearly(window) {
                Some(true) => year.next(),
                _ => year,
            };
            debug_assert_eq!(first, season);
            growth.push(ReportedGrowthRow {
                pupil_key: pupil_key.clone(),
                subject: subject.clone(),
                window,
                school_year: follow_up.to_string(),
                projected_growth: Some(v),
                source: "nwea-cdf-typical",
                ..Default::default()
            });
        }
        if !st
            .seen
            .insert((pupil_key.clone(), subject.clone(), year.to_string(), season))
        {
            return row.reject(&h(c_scale),
                cell(c_scale),
                "duplicate: this pupil already has a growth-measure test of this scale in this term");
        }
        let grade = st
            .grades
            .get(&(id.to_string(), term_raw.to_string()))
            .copied()
            .flatten();
        cdf.assessments.push(AssessmentRow {
            pupil_key,
            subject,
            instrument: st.instrument.to_string(),
            administered_on: date.map(date32),
            term: season.to_string(),
            school_year: year.to_string(),
            grade,
            score,
            sem: sem.filter(|s| *s > 0.0),
            percentile,
            level: None,
            reference_level: None,
            functioning_level: None,
            dle: None,
        });
        for g in growth {
            let key = (
                g.pupil_key.clone(),
                g.subject.clone(),
                g.window,
                g.school_year.clone(),
            );
            let slot = st.reported.entry(key).or_insert_with(|| g.clone());
            // The summary fields of the last term win over a typical-growth projection.
            if slot.source != g.source && g.source == "nwea-cdf" {
                let projected = slot.projected_growth;
                *slot = g;
                slot.projected_growth = slot.projected_growth.or(projected);
            } else if slot.projected_growth.is_none() {
                slot.projected_growth = g.projected_growth;
            }
        }
        Some(())
    });
    cdf.accepted += accepted.len();
    cdf.read += read;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDENTS: &str = "\
TermName,DistrictName,SchoolName,StudentLastName,StudentFirstName,StudentMI,StudentID,StudentDateOfBirth,StudentEthnicGroup,StudentGender,Grade
Fall 2013-2014,Demo District,Mt. Hood Elementary,Doe,Jane,Q,S001,3/14/2005,White,F,3
Spring 2013-2014,Demo District,Mt. Hood Elementary,Doe,Jane,Q,S001,3/14/2005,White,F,3
Fall 2013-2014,Demo District,Mt. Hood Elementary,Roe,Rick,,S002,7/1/2005,Hispanic or Latino,M,K
Fall 2013-2014,Demo District,Mt. Hood Elementary,Roe,Rick,,S002,7/1/2005,Hispanic or Latino,M,K
Spring 2013-2014,Demo District,,Poe,Al,,S003,1/1/2005,,M,3
Sommer 2013-2014,Demo District,Mt. Hood Elementary,Poe,Al,,S003,1/1/2005,,M,3
Spring 2013-2014,Demo District,Mt. Hood Elementary,Roe,Rick,,S002,7/1/2005,Hispanic or Latino,M,twelve
Spring 2013-2014,Demo District,Mt. Hood Elementary,Roe,Rick,,S002,7/1/2005,Hispanic or Latino,M,K
";

    const RESULTS_2015: &str = "\
TermName,StudentID,SchoolName,MeasurementScale,Discipline,GrowthMeasureYN,TestType,TestName,TestID,TestStartDate,TestDurationMinutes,TestRITScore,TestStandardError,TestPercentile,FallToSpringProjectedGrowth,FallToSpringObservedGrowth,FallToSpringObservedGrowthSE,FallToSpringMetProjectedGrowth,FallToSpringConditionalGrowthIndex,FallToSpringConditionalGrowthPercentile,SpringToSpringProjectedGrowth,SpringToSpringObservedGrowth,SpringToSpringObservedGrowthSE,SpringToSpringMetProjectedGrowth,SpringToSpringConditionalGrowthIndex,SpringToSpringConditionalGrowthPercentile,Goal1Name,Goal1RitScore
Fall 2013-2014,S001,Mt. Hood Elementary,Mathematics,Mathematics,TRUE,Survey With Goals,MAP: Math 2-5,1001,9/16/2013,52,190,3.1,45,,,,,,,,,,,,,Operations and Algebraic Thinking,188
Spring 2013-2014,S001,Mt. Hood Elementary,Mathematics,Mathematics,TRUE,Survey With Goals,MAP: Math 2-5,1002,5/20/2014,48,203,3.0,55,10,13,4.3,Yes,0.38,65,,,,,,,Operations and Algebraic Thinking,205
Spring 2013-2014,S001,Mt. Hood Elementary,Mathematics,Mathematics,FALSE,Survey With Goals,End of Course: Algebra I,1003,5/21/2014,60,210,3.9,70,,,,,,,,,,,,,,
Fall 2013-2014,S002,Mt. Hood Elementary,Reading,Reading,TRUE,Survey With Goals,MAP: Reading 2-5,1004,9/18/2013,40,175,3.4,20,,,,,,,,,,,,,,
Spring 2013-2014,S009,Mt. Hood Elementary,Reading,Reading,TRUE,Survey With Goals,MAP: Reading 2-5,1005,5/21/2014,40,181,3.2,30,,,,,,,,,,,,,,
Spring 2013-2014,S002,Mt. Hood Elementary,Reading,Reading,TRUE,Survey With Goals,MAP: Reading 2-5,1006,5/21/2014,40,abc,3.2,30,,,,,,,,,,,,,,
Spring 2013-2014,S002,Mt. Hood Elementary,Reading,Reading,TRUE,Survey With Goals,MAP: Reading 2-5,1007,5/21/2013,40,181,3.2,30,,,,,,,,,,,,,,
Spring 2013-2014,S002,Mt. Hood Elementary,Reading,Reading,TRUE,Survey With Goals,MAP: Reading 2-5,1008,5/21/2014,40,999,3.2,30,,,,,,,,,,,,,,
Spring 2013-2014,S002,Mt. Hood Elementary,Reading,Reading,TRUE,Survey With Goals,MAP: Reading 2-5,1009,5/21/2014,40,181,3.2,30,9,6,4.4,No,n/a,30,,,,,,,,
Spring 2013-2014,S002,Mt. Hood Elementary,Reading,Reading,TRUE,Survey With Goals,MAP: Reading 2-5,1010,5/21/2014,40,182,3.2,31,9,7,4.4,No,-0.45,33,,,,,,,,
Spring 2013-2014,S001,Mt. Hood Elementary,Mathematics,Mathematics,TRUE,Survey With Goals,MAP: Math 2-5,1011,5/22/2014,48,204,3.0,56,,,,,,,,,,,,,,
Spring 2013-2014,S002,Mt. Hood Elementary,Reading,Reading,maybe,Survey With Goals,MAP: Reading 2-5,1012,5/21/2014,40,182,3.2,31,,,,,,,,,,,,,,
";

    /// The pre-2015 layout, as in NWEA's training file that mapvizieR ships (fake pupils).
    const RESULTS_PRE_2015: &str = "\
TermName,StudentID,SchoolName,MeasurementScale,Discipline,GrowthMeasureYN,TestType,TestName,TestID,TestStartDate,TestDurationMinutes,TestRITScore,TestStandardError,TestPercentile,TypicalFallToFallGrowth,TypicalSpringToSpringGrowth,TypicalFallToSpringGrowth,TypicalFallToWinterGrowth,RITtoReadingScore,RITtoReadingMin,RITtoReadingMax,Goal1Name,Goal1RitScore,Goal1StdErr,Goal1Range,Goal1Adjective,TestStartTime,PercentCorrect,ProjectedProficiency
Fall 2013-2014,F08000002,Mt. Bachelor Middle School,Mathematics,Mathematics,TRUE,Survey With Goals,MAP: Math 6+ Common Core 2010 V2,122234707,9/16/2013,60,209,2.7,25,6,,6,3,,,,Operations and Algebraic Thinking,208,4.8,203-213,LoAvg,9:00:00 AM,53,Partially Proficient
Spring 2013-2014,F08000002,Mt. Bachelor Middle School,Mathematics,Mathematics,TRUE,Survey With Goals,MAP: Math 6+ Common Core 2010 V2,122234990,5/20/2014,60,215,2.9,30,,5,,,,,,Operations and Algebraic Thinking,214,4.6,209-219,Avg,9:00:00 AM,55,Proficient
";

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn post_2015_layout_with_roster_rejects_and_growth_fields() {
        let dir = folder(&[
            ("StudentsBySchool.csv", STUDENTS),
            ("AssessmentResults.csv", RESULTS_2015),
        ]);
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::keyed(b"0123456789abcdef");
        let cdf = read(
            dir.path(),
            "map",
            &mut rejects,
            &pseudo,
            "nwea-map",
            DEFAULT_RIT_RANGE,
            Default::default(),
        )
        .unwrap();
        // Roster: 8 rows, 4 accepted (S001 twice, S002 fall and spring), 4 rejected.
        // Results: 12 rows, 4 accepted, 8 rejected.
        assert_eq!(cdf.read, 20);
        assert_eq!(cdf.accepted, 8);
        assert_eq!(rejects.total(), 12);
        assert_eq!(cdf.read, cdf.accepted + rejects.total());
        assert_eq!(cdf.pupils.len(), 2);
        let jane = cdf
            .pupils
            .iter()
            .find(|p| p.pupil_key == pseudo.pupil("S001"))
            .unwrap();
        assert_eq!(
            (jane.birth_year, jane.gender.as_deref()),
            (Some(2005), Some("f"))
        );
        assert_eq!(cdf.enrollments.len(), 2, "one per pupil and school year");
        let rick = cdf
            .enrollments
            .iter()
            .find(|e| e.pupil_key == pseudo.pupil("S002"))
            .unwrap();
        assert_eq!(rick.grade, Some(0), "K is grade 0");
        assert_eq!(rick.school_key, "Mt. Hood Elementary");

        assert_eq!(cdf.assessments.len(), 4);
        let spring = cdf
            .assessments
            .iter()
            .find(|a| a.term == "Spring" && a.subject == "mathematics")
            .unwrap();
        assert_eq!(
            (
                spring.score,
                spring.sem,
                spring.grade,
                spring.school_year.as_str()
            ),
            (203.0, Some(3.0), Some(3), "2013-2014")
        );
        assert_eq!(
            spring.administered_on,
            Some(date32(NaiveDate::from_ymd_opt(2014, 5, 20).unwrap()))
        );

        assert_eq!(cdf.reported.len(), 2);
        let m = cdf
            .reported
            .iter()
            .find(|g| g.subject == "mathematics")
            .unwrap();
        assert_eq!(
            (m.window, m.school_year.as_str(), m.source),
            ("F-S", "2013-2014", "nwea-cdf")
        );
        assert_eq!(
            (m.projected_growth, m.observed_growth, m.observed_growth_se),
            (Some(10.0), Some(13.0), Some(4.3))
        );
        assert_eq!(
            (m.met_projected, m.cgi, m.cgp),
            (Some(true), Some(0.38), Some(65.0))
        );
        let r = cdf
            .reported
            .iter()
            .find(|g| g.subject == "reading")
            .unwrap();
        assert_eq!((r.cgi, r.met_projected), (Some(-0.45), Some(false)));

        let reasons: Vec<String> = rejects
            .first(20)
            .iter()
            .map(|r| format!("{} {}: {}", r.line, r.column, r.reason))
            .collect();
        let expect = [
            "5 StudentID: duplicate",
            "6 SchoolName: missing school name",
            "7 TermName: not an NWEA term name",
            "8 Grade: not a grade",
            "4 GrowthMeasureYN: not the growth-measure test",
            "6 StudentID: unknown pupil",
            "7 TestRITScore: RIT score is not a number",
            "8 TestStartDate: test date is not in school year 2013-2014",
            "9 TestRITScore: score outside",
            "10 FallToSpringConditionalGrowthIndex: ConditionalGrowthIndex is not a number",
            "12 MeasurementScale: duplicate",
            "13 GrowthMeasureYN: GrowthMeasureYN is not True or False",
        ];
        assert_eq!(reasons.len(), expect.len(), "{reasons:#?}");
        for want in expect {
            assert_eq!(
                reasons.iter().filter(|g| g.starts_with(want)).count(),
                1,
                "{want} in {reasons:#?}"
            );
        }
        // No name, e-mail or raw id in any reject.
        for r in rejects.first(20) {
            for secret in ["Doe", "Jane", "Roe", "Rick", "S009", "3/14/2005"] {
                assert!(!r.value.contains(secret), "{secret} in {r:?}");
            }
        }
    }

    #[test]
    fn pre_2015_typical_growth_is_a_projection_from_the_first_term() {
        let dir = folder(&[("Fall2013AssessmentResults.csv", RESULTS_PRE_2015)]);
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let cdf = read(
            dir.path(),
            "map",
            &mut rejects,
            &pseudo,
            "nwea-map",
            DEFAULT_RIT_RANGE,
            Default::default(),
        )
        .unwrap();
        assert_eq!((cdf.read, cdf.accepted, rejects.total()), (2, 2, 0));
        let got: Vec<_> = cdf
            .reported
            .iter()
            .map(|g| {
                (
                    g.window,
                    g.school_year.as_str(),
                    g.projected_growth,
                    g.cgi,
                    g.source,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("F-F", "2014-2015", Some(6.0), None, "nwea-cdf-typical"),
                ("F-S", "2013-2014", Some(6.0), None, "nwea-cdf-typical"),
                ("F-W", "2013-2014", Some(3.0), None, "nwea-cdf-typical"),
                ("S-S", "2014-2015", Some(5.0), None, "nwea-cdf-typical"),
            ]
        );
        // Without a StudentsBySchool file there is no roster: no grade, every id accepted.
        assert!(cdf.assessments.iter().all(|a| a.grade.is_none()));
    }

    #[test]
    fn folder_without_results_is_a_clear_error() {
        let dir = folder(&[("StudentsBySchool.csv", STUDENTS)]);
        let mut rejects = Rejects::default();
        let err = read(
            dir.path(),
            "map",
            &mut rejects,
            &Pseudonymiser::off(),
            "nwea-map",
            DEFAULT_RIT_RANGE,
            Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("AssessmentResults"), "{err}");
        let file = dir.path().join("StudentsBySchool.csv");
        let err = read(
            &file,
            "map",
            &mut rejects,
            &Pseudonymiser::off(),
            "nwea-map",
            DEFAULT_RIT_RANGE,
            Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("folder"), "{err}");
    }

    #[test]
    fn term_names_and_dates() {
        assert_eq!(
            parse_term("Fall 2013-2014"),
            Some(("Fall", SchoolYear(2013)))
        );
        assert_eq!(
            parse_term("spring 2014-2015"),
            Some(("Spring", SchoolYear(2014)))
        );
        assert_eq!(parse_term("Fall2013-2014"), None);
        assert_eq!(parse_term("Fall 2013-2015"), None);
        assert_eq!(
            parse_us_date("9/7/2013"),
            NaiveDate::from_ymd_opt(2013, 9, 7)
        );
        assert_eq!(parse_us_date("31/12/2013"), None);
        // A two-digit year is never the year 13.
        assert_eq!(parse_us_date("9/7/13"), None);
        assert_eq!(parse_grade("K"), Some(0));
        assert_eq!(parse_grade("14"), None);
    }
}
