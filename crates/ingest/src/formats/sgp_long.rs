//! The SGP package's LONG layout (Betebenner's SGP/SGPdata for R; `sgpData_LONG`): one row per
//! pupil, content area and year with `VALID_CASE, CONTENT_AREA, YEAR, ID, GRADE, SCALE_SCORE`,
//! optionally `ACHIEVEMENT_LEVEL`, `SCHOOL_NUMBER` and demographics. Names (`LAST_NAME`,
//! `FIRST_NAME`) are never read. Tests are annual: term `Y`, no date.

use std::collections::HashSet;

use leerwinst_core::{Error, Result, SchoolYear, Table};

use crate::context::ReadContext;
use crate::delimited;
use crate::delimited::Column;
use crate::input::{number_reason, parse_number};
use crate::record_loop::each_record;
use crate::rows::{AssessmentRow, EnrollmentRow};

/// What an SGP LONG file gives.
#[derive(Debug, Default)]
pub struct SgpLong {
    /// One annual test each.
    pub assessments: Vec<AssessmentRow>,
    /// School per pupil and year, from `SCHOOL_NUMBER` (one per pupil and year).
    pub enrollments: Vec<EnrollmentRow>,
    /// Data rows read.
    pub read: usize,
}

const VALID_CASE: Column = Column::required("valid case", &["VALID_CASE"]);
const CONTENT_AREA: Column = Column::required("content area", &["CONTENT_AREA"]);
const YEAR: Column = Column::required("year", &["YEAR"]).note("`2023_2024`");
const ID: Column = Column::required("pupil id", &["ID"]);
const GRADE: Column = Column::required("grade", &["GRADE"]);
const SCALE_SCORE: Column = Column::required("score", &["SCALE_SCORE"]);
const ACHIEVEMENT_LEVEL: Column = Column::optional("level", &["ACHIEVEMENT_LEVEL"]);
const SCHOOL_NUMBER: Column =
    Column::optional("school", &["SCHOOL_NUMBER"]).note("one enrollment per pupil and year");

/// The columns of the SGP package's LONG layout ([`crate::columns`]).
pub const COLUMNS: &[Column] = &[
    VALID_CASE,
    CONTENT_AREA,
    YEAR,
    ID,
    GRADE,
    SCALE_SCORE,
    ACHIEVEMENT_LEVEL,
    SCHOOL_NUMBER,
];

/// Reads an SGP LONG file. `range` bounds plausible scale scores when given.
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    instrument: &str,
    range: Option<[f64; 2]>,
) -> Result<SgpLong> {
    let d = delimited::parse(text, &ctx.file)?;
    let need = |column: &Column| {
        d.find(column.names).ok_or_else(|| {
            Error::input(
                &ctx.file,
                format!("no {} column; {}", column.names[0], d.header_listing()),
            )
        })
    };
    let c_valid = need(&VALID_CASE)?;
    let c_area = need(&CONTENT_AREA)?;
    let c_year = need(&YEAR)?;
    let c_id = need(&ID)?;
    let c_grade = need(&GRADE)?;
    let c_score = need(&SCALE_SCORE)?;
    let c_level = d.find(ACHIEVEMENT_LEVEL.names);
    let c_school = d.find(SCHOOL_NUMBER.names);
    let h = |i: usize| d.headers[i].clone();

    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    let mut enrolled: HashSet<(String, String)> = HashSet::new();
    let mut enrollments = Vec::new();
    let (assessments, read) = each_record(ctx, Table::Assessments, &d, |row, r| {
        let field = |i: usize| r.get(i).unwrap_or("").trim();
        if field(c_valid) != "VALID_CASE" {
            return row.reject(
                &h(c_valid),
                field(c_valid),
                "not a valid case (VALID_CASE is not 'VALID_CASE')",
            );
        }
        let pupil_key = row.pupil_key(&h(c_id), field(c_id))?;
        let area = field(c_area);
        if area.is_empty() {
            return row.reject(&h(c_area), "", "missing content area");
        }
        // A bare year ("2024") is ambiguous in SGP data (the package often names a school year
        // by its spring): only the two-year form is accepted.
        let raw_year = field(c_year);
        let year = row.required(
            &h(c_year),
            raw_year,
            |y| SchoolYear::parse(y).filter(|_| y.contains(['_', '-', '/'])),
            "not a school year (expected e.g. 2023_2024; a bare year is ambiguous)",
        )?;
        let grade = row.required(
            &h(c_grade),
            field(c_grade),
            |g| g.parse::<i32>().ok(),
            "grade is not a whole number",
        )?;
        let raw = field(c_score);
        let Some(score) = parse_number(raw) else {
            let why = if raw.is_empty() || raw == "NA" {
                "missing score".into()
            } else {
                number_reason(raw, "score is not a number")
            };
            return row.reject(&h(c_score), raw, &why);
        };
        if let Some([lo, hi]) = range
            && (score < lo || score > hi)
        {
            return row.reject(
                &h(c_score),
                raw,
                &format!("score outside the instrument's range [{lo}, {hi}]"),
            );
        }
        let subject = area.to_lowercase();
        if !seen.insert((pupil_key.clone(), subject.clone(), year.to_string())) {
            return row.reject(
                &h(c_year),
                field(c_year),
                "duplicate: this pupil already has a score for this content area and year",
            );
        }
        if let Some(school) = c_school.map(field).filter(|s| !s.is_empty() && *s != "NA")
            && enrolled.insert((pupil_key.clone(), year.to_string()))
        {
            enrollments.push(EnrollmentRow {
                pupil_key: pupil_key.clone(),
                school_year: year.to_string(),
                school_key: school.to_string(),
                group_key: None,
                grade: Some(grade),
                programme: false,
                from: None,
                to: None,
            });
        }
        Some(AssessmentRow {
            pupil_key,
            subject,
            instrument: instrument.to_string(),
            administered_on: None,
            term: "Y".into(),
            school_year: year.to_string(),
            grade: Some(grade),
            score,
            sem: None,
            percentile: None,
            level: c_level
                .map(field)
                .filter(|s| !s.is_empty() && *s != "NA")
                .map(str::to_string),
            reference_level: None,
            functioning_level: None,
            dle: None,
        })
    });
    Ok(SgpLong {
        assessments,
        enrollments,
        read,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    const FILE: &str = "VALID_CASE,CONTENT_AREA,YEAR,ID,LAST_NAME,FIRST_NAME,GRADE,SCALE_SCORE,ACHIEVEMENT_LEVEL,SCHOOL_NUMBER\n\
VALID_CASE,MATHEMATICS,2022_2023,1000372,Daniels,Corey,4,461.0,Proficient,1851\n\
VALID_CASE,READING,2022_2023,1000372,Daniels,Corey,4,590.0,Advanced,1851\n\
VALID_CASE,MATHEMATICS,2022_2023,1000372,Daniels,Corey,4,462.0,Proficient,1851\n\
INVALID_CASE,MATHEMATICS,2023_2024,1000372,Daniels,Corey,5,470.0,Proficient,1851\n\
VALID_CASE,MATHEMATICS,2023_2024,1000512,Smith,Ann,5,NA,NA,1851\n\
VALID_CASE,MATHEMATICS,2023-2025,1000512,Smith,Ann,5,480,NA,1851\n\
VALID_CASE,MATHEMATICS,2023_2024,1000512,Smith,Ann,five,480,NA,1851\n\
VALID_CASE,MATHEMATICS,2023_2024,1000512,Smith,Ann,5,4800,NA,1851\n\
VALID_CASE,MATHEMATICS,2023_2024,,Smith,Ann,5,480,NA,1851\n";

    /// Reads `text` without a roster; returns the result and the rejects.
    fn read_text(
        text: &str,
        pseudo: Pseudonymiser,
        range: Option<[f64; 2]>,
    ) -> (Result<SgpLong>, Rejects) {
        let ids = IdResolver::default();
        let mut rejects = Rejects::default();
        let mut ctx = ReadContext::new("sgp", "long.csv", &mut rejects, &ids, &pseudo);
        let got = read(&mut ctx, text, "state-test", range);
        (got, rejects)
    }

    #[test]
    fn reads_annual_tests_and_rejects_each_bad_row() {
        let pseudo = Pseudonymiser::keyed(b"0123456789abcdef");
        let (got, rejects) = read_text(FILE, pseudo, Some([100.0, 1000.0]));
        let got = got.unwrap();
        assert_eq!(got.read, 9);
        assert_eq!(got.assessments.len(), 2);
        assert_eq!(got.enrollments.len(), 1, "one school per pupil and year");
        let a = &got.assessments[0];
        assert_eq!(
            (
                a.subject.as_str(),
                a.school_year.as_str(),
                a.term.as_str(),
                a.grade
            ),
            ("mathematics", "2022-2023", "Y", Some(4))
        );
        assert_eq!((a.score, a.administered_on), (461.0, None));
        assert_eq!(a.level.as_deref(), Some("Proficient"));
        assert_ne!(a.pupil_key, "1000372", "pseudonymised");
        let reasons: Vec<String> = rejects.first(10).iter().map(|r| r.reason.clone()).collect();
        assert_eq!(reasons.len(), 7);
        for (r, want) in reasons.iter().zip([
            "duplicate",
            "not a valid case",
            "missing score",
            "not a school year",
            "grade is not",
            "score outside",
            "missing pupil id",
        ]) {
            assert!(r.starts_with(want), "{r} vs {want}");
        }
        // Names never reach a row or a reject.
        let dump = format!("{:?}{:?}", got.assessments, rejects.first(10));
        assert!(!dump.contains("Daniels") && !dump.contains("Corey"));
    }

    #[test]
    fn missing_column_is_a_clear_error() {
        let (got, _) = read_text("VALID_CASE,ID\nVALID_CASE,1\n", Pseudonymiser::off(), None);
        let err = got.unwrap_err().to_string();
        assert!(err.contains("CONTENT_AREA"), "{err}");
    }
}
