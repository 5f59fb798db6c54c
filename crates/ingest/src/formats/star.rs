//! Project STAR (Tennessee Student/Teacher Achievement Ratio experiment), in the layout of the
//! public copy that R's AER package ships (`../shared/data/star/README.md`): one row per pupil,
//! columns repeated per grade with suffix `k`, `1`, `2`, `3`.
//!
//! Per grade the pupil was in STAR (`star{g}` not empty): an enrollment (school year 1985-1986
//! for kindergarten up to 1988-1989 for grade 3; school `schoolid{g}`; grade 0-3; class
//! approximated as school × class type × the teacher's degree, career ladder, experience and
//! ethnicity, since the copy has no class id), the Stanford Achievement Test scores `read{g}` and
//! `math{g}` as annual tests (term `Y`), and attributes: `class_type` (small / regular /
//! regular+aide), `free_lunch`, `girl`, `white_asian`, `teacher_white`, `teacher_experience`,
//! `teacher_masters` (master's degree or higher). The copy has no pupil id; pupils are numbered
//! by their line (`star-<line>`). Pupil ethnicity is kept only as the `white_asian` indicator that
//! Krueger (1999) uses.

use leerwinst_core::{Result, SchoolYear, Table};

use crate::context::ReadContext;
use crate::delimited;
use crate::input::{number_reason, parse_number};
use crate::record_loop::each_record;
use crate::rows::{AssessmentRow, AttributeRow, EnrollmentRow, PupilRow};

/// Grade suffixes and grade numbers.
pub const GRADES: [(&str, i32); 4] = [("k", 0), ("1", 1), ("2", 2), ("3", 3)];
/// School year of kindergarten (1985-1986); grade g is `FIRST_YEAR + g`.
pub const FIRST_YEAR: i32 = 1985;
/// Class types.
pub const CLASS_TYPES: [&str; 3] = ["small", "regular", "regular+aide"];

/// What a STAR file yields.
#[derive(Debug, Default)]
pub struct Star {
    /// Pupils.
    pub pupils: Vec<PupilRow>,
    /// One enrollment per pupil and grade in STAR.
    pub enrollments: Vec<EnrollmentRow>,
    /// Reading and maths scores.
    pub assessments: Vec<AssessmentRow>,
    /// Class type, lunch, pupil and teacher covariates per grade.
    pub attributes: Vec<AttributeRow>,
    /// Rows read.
    pub read: usize,
    /// Rows accepted.
    pub accepted: usize,
}

/// Reads the STAR CSV text.
pub fn read(ctx: &mut ReadContext<'_>, text: &str, instrument: &str) -> Result<Star> {
    let d = delimited::parse(text, &ctx.file)?;
    let need = |name: &str| {
        d.find(&[name]).ok_or_else(|| {
            leerwinst_core::Error::input(
                &ctx.file,
                format!("not a STAR file: no {name} column; {}", d.header_listing()),
            )
        })
    };
    let c_gender = need("gender")?;
    let c_eth = need("ethnicity")?;
    let c_birth = d.find(&["birth"]);
    let per_grade = |stem: &str| -> Result<Vec<usize>> {
        GRADES
            .iter()
            .map(|(g, _)| need(&format!("{stem}{g}")))
            .collect()
    };
    let c_star = per_grade("star")?;
    let c_read = per_grade("read")?;
    let c_math = per_grade("math")?;
    let c_lunch = per_grade("lunch")?;
    let c_school = per_grade("schoolid")?;
    let c_degree = per_grade("degree")?;
    let c_ladder = per_grade("ladder")?;
    let c_exp = per_grade("experience")?;
    let c_teth = per_grade("tethnicity")?;
    let h = |i: usize| d.headers[i].clone();
    let mut out = Star::default();
    let (pupils, read) = each_record(ctx, Table::Pupils, &d, |row, r| {
        let cell = |c: usize| r.get(c).unwrap_or("").trim();
        let gender = match cell(c_gender) {
            "female" => Some("f"),
            "male" => Some("m"),
            "" => None,
            other => {
                return row.reject(&h(c_gender), other, "gender is not female/male");
            }
        };
        let eth = cell(c_eth);
        let white_asian = match eth {
            "cauc" | "asian" => Some(1.0),
            "" => None,
            "afam" | "hispanic" | "amindian" | "other" => Some(0.0),
            other => {
                return row.reject(&h(c_eth), other, "unknown ethnicity code");
            }
        };
        let birth_year = c_birth
            .and_then(|c| parse_number(cell(c)))
            .map(|b| b.floor() as i32);
        let pupil_key = row.ctx.pseudo.pupil(&format!("star-{}", row.line));
        let mut enrollments = Vec::new();
        let mut assessments = Vec::new();
        let mut attributes = Vec::new();
        for (gi, &(_, grade)) in GRADES.iter().enumerate() {
            let class_type = cell(c_star[gi]);
            if class_type.is_empty() {
                continue;
            }
            if !CLASS_TYPES.contains(&class_type) {
                return row.reject(
                    &h(c_star[gi]),
                    class_type,
                    "class type is not small, regular or regular+aide",
                );
            }
            let school = cell(c_school[gi]);
            if school.is_empty() {
                return row.reject(&h(c_school[gi]), "", "in STAR that year but no school id");
            }
            let year = SchoolYear(FIRST_YEAR + grade).to_string();
            let (degree, ladder, exp, teth) = (
                cell(c_degree[gi]),
                cell(c_ladder[gi]),
                cell(c_exp[gi]),
                cell(c_teth[gi]),
            );
            enrollments.push(EnrollmentRow {
                pupil_key: pupil_key.clone(),
                school_year: year.clone(),
                school_key: school.to_string(),
                group_key: Some(format!(
                    "{school}|{class_type}|{degree}|{ladder}|{exp}|{teth}"
                )),
                grade: Some(grade),
                programme: class_type == "small",
                from: None,
                to: None,
            });
            for (subject, c) in [("reading", c_read[gi]), ("math", c_math[gi])] {
                let raw = cell(c);
                if raw.is_empty() {
                    continue; // not tested that year
                }
                let Some(score) = parse_number(raw) else {
                    let why = number_reason(raw, "score is not a number");
                    return row.reject(&h(c), raw, &why);
                };
                assessments.push(AssessmentRow {
                    pupil_key: pupil_key.clone(),
                    subject: subject.to_string(),
                    instrument: instrument.to_string(),
                    administered_on: None,
                    term: "Y".into(),
                    school_year: year.clone(),
                    grade: Some(grade),
                    score,
                    sem: None,
                    percentile: None,
                    level: None,
                    reference_level: None,
                    functioning_level: None,
                    dle: None,
                });
            }
            let lunch = match cell(c_lunch[gi]) {
                "free" => Some(1.0),
                "non-free" => Some(0.0),
                _ => None,
            };
            let teacher_white = match teth {
                "cauc" => Some(1.0),
                "" => None,
                _ => Some(0.0),
            };
            let masters = match degree {
                "" => None,
                "bachelor" => Some(0.0),
                _ => Some(1.0), // master, master+, specialist, phd
            };
            let mut attr = |name: &'static str, value: Option<String>, number: Option<f64>| {
                if value.is_some() || number.is_some() {
                    attributes.push(AttributeRow {
                        pupil_key: pupil_key.clone(),
                        school_year: year.clone(),
                        name,
                        value,
                        number,
                    });
                }
            };
            attr("class_type", Some(class_type.to_string()), None);
            attr("free_lunch", None, lunch);
            attr("girl", None, gender.map(|g| f64::from(u8::from(g == "f"))));
            attr("white_asian", None, white_asian);
            attr("teacher_white", None, teacher_white);
            attr("teacher_experience", None, parse_number(exp));
            attr("teacher_masters", None, masters);
        }
        out.enrollments.extend(enrollments);
        out.assessments.extend(assessments);
        out.attributes.extend(attributes);
        Some(PupilRow {
            pupil_key,
            birth_year,
            gender: gender.map(str::to_string),
            ses_weight: None,
            special_needs: None,
        })
    });
    out.accepted = pupils.len();
    out.pupils = pupils;
    out.read = read;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    const HEAD: &str = "gender,ethnicity,birth,stark,star1,star2,star3,readk,read1,read2,read3,mathk,math1,math2,math3,lunchk,lunch1,lunch2,lunch3,schoolk,school1,school2,school3,degreek,degree1,degree2,degree3,ladderk,ladder1,ladder2,ladder3,experiencek,experience1,experience2,experience3,tethnicityk,tethnicity1,tethnicity2,tethnicity3,systemk,system1,system2,system3,schoolidk,schoolid1,schoolid2,schoolid3";

    #[test]
    fn reads_grades_attributes_and_rejects() {
        let text = format!(
            "{HEAD}\n\
female,afam,1979.5,,,,regular,,,,580.0,,,,564.0,,,,free,,,,suburban,,,,bachelor,,,,level1,,,,30.0,,,,cauc,,,,22,,,,54\n\
female,cauc,1980.0,small,small,small,small,447.0,507.0,568.0,587.0,473.0,538.0,579.0,593.0,non-free,free,non-free,free,rural,rural,rural,rural,bachelor,bachelor,bachelor,bachelor,level1,level1,apprentice,apprentice,7.0,7.0,3.0,1.0,cauc,cauc,cauc,cauc,30,30,30,30,63,63,63,63\n\
male,martian,1980.0,small,,,,447.0,,,,473.0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,63,,,\n\
male,afam,1980.0,large,,,,447.0,,,,473.0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,63,,,\n\
male,afam,1980.0,regular+aide,,,,,,,,412.0,,,,free,,,,,,,,master,,,,,,,,12,,,,afam,,,,,,,,9,,,\n"
        );
        let mut rejects = Rejects::default();
        let ids = IdResolver::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("star", "star.csv", &mut rejects, &ids, &pseudo);
        let s = read(&mut ctx, &text, "sat").unwrap();
        assert_eq!((s.read, s.accepted, rejects.total()), (5, 3, 2));
        assert_eq!(s.pupils.len(), 3);
        assert_eq!(s.enrollments.len(), 1 + 4 + 1);
        let k = s
            .enrollments
            .iter()
            .find(|e| e.pupil_key == "star-3" && e.grade == Some(0))
            .unwrap();
        assert_eq!(k.school_year, "1985-1986");
        assert_eq!(k.school_key, "63");
        assert_eq!(
            k.group_key.as_deref(),
            Some("63|small|bachelor|level1|7.0|cauc")
        );
        assert_eq!(
            s.assessments
                .iter()
                .filter(|a| a.pupil_key == "star-3")
                .count(),
            8
        );
        // The last pupil has only a maths score in kindergarten.
        let last: Vec<_> = s
            .assessments
            .iter()
            .filter(|a| a.pupil_key == "star-6")
            .map(|a| a.subject.as_str())
            .collect();
        assert_eq!(last, ["math"]);
        let attr = |p: &str, name: &str| {
            s.attributes
                .iter()
                .find(|a| a.pupil_key == p && a.name == name && a.school_year == "1985-1986")
                .map(|a| (a.value.clone(), a.number))
        };
        assert_eq!(
            attr("star-3", "class_type"),
            Some((Some("small".into()), None))
        );
        assert_eq!(attr("star-3", "white_asian"), Some((None, Some(1.0))));
        assert_eq!(attr("star-3", "girl"), Some((None, Some(1.0))));
        assert_eq!(attr("star-3", "free_lunch"), Some((None, Some(0.0))));
        assert_eq!(attr("star-6", "teacher_masters"), Some((None, Some(1.0))));
        assert_eq!(attr("star-6", "teacher_white"), Some((None, Some(0.0))));
        assert_eq!(
            attr("star-6", "teacher_experience"),
            Some((None, Some(12.0)))
        );
        let reasons: Vec<_> = rejects.first(5).iter().map(|r| r.reason.clone()).collect();
        assert!(
            reasons.iter().any(|r| r.contains("ethnicity")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("class type")),
            "{reasons:?}"
        );
    }
}
