//! A pupil list in any CSV/XLSX layout — what a Dutch school administration (ParnasSys,
//! Magister, Esis) exports as "leerlingen" — through the pipeline's `[source.mapping]`: one line
//! per pupil and school year.
//!
//! Fields: `pupil_id` (a column), `school` and `school_year` (columns or constants), and
//! optionally `school_name`, `group`, `grade`, `birth_date` or `birth_year`, `sex`, `weight`
//! (the pupil weight), `username` and `email`. The pupil id becomes the pseudonym; the id, the
//! username and the e-mail address are registered as ids of the pupil, so the other sources may
//! name pupils by any of them, and are never written. Of a birth date only the year is kept.
//! Columns that are not mapped (names, addresses) are not read.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Datelike;
use leerwinst_core::pipeline::Mapping;
use leerwinst_core::{Result, SchoolYear, Table};

use crate::context::{IdResolver, ReadContext, SchoolInfo};
use crate::delimited;
use crate::formats::mapped::{
    Cell, EXTRACT_MISMATCH, Extractors, NOT_A_GRADE, apply_value_maps, base_fields, mapped_date,
    parse_grade_value, resolve_columns,
};
use crate::input::parse_number;
use crate::record_loop::each_record;
use crate::rows::{EnrollmentRow, PupilRow};

/// What a pupil list yields.
#[derive(Debug, Default)]
pub struct MappedRoster {
    /// One row per pupil.
    pub pupils: Vec<PupilRow>,
    /// One row per accepted line (pupil and school year).
    pub enrollments: Vec<EnrollmentRow>,
    /// Schools named: (key, name).
    pub schools: Vec<(String, Option<String>)>,
    /// The pupils' ids.
    pub ids: IdResolver,
    /// Lines read.
    pub read: usize,
}

/// A sex in the spellings exports use (Dutch and English), as `m`, `f` or `x`.
fn parse_sex(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "m" | "man" | "male" | "jongen" => Some("m"),
        "v" | "vrouw" | "f" | "female" | "meisje" => Some("f"),
        "x" | "anders" | "other" | "overig" | "onbepaald" => Some("x"),
        _ => None,
    }
}

/// Reads a mapped pupil list. `ctx.ids` is not used: the list defines the ids.
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    m: &Mapping,
    schools: &SchoolInfo,
) -> Result<MappedRoster> {
    let d = delimited::parse(text, &ctx.file)?;
    let cols = resolve_columns(ctx, &d, m)?;
    let extract = Extractors::new(
        &ctx.file,
        &d,
        m,
        leerwinst_core::pipeline::MAPPED_ROSTER_FIELDS,
    )?;
    let t = Table::Enrollments;
    let mut out = MappedRoster {
        ids: IdResolver::with_roster(),
        ..Default::default()
    };
    let mut pupil_at: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut school_seen: HashSet<String> = HashSet::new();
    let pseudo = ctx.pseudo;
    // Born in 1900 or later, and not after this calendar year.
    let born = 1900..=crate::input::latest_year() - 1;
    let (enrollments, read) = each_record(ctx, t, &d, |row, r| {
        let mut f: BTreeMap<String, Cell> = base_fields(&d, &cols, m, row.line, r);
        if let Err(c) = extract.apply(r, &mut f) {
            return row.reject(&c.column, &c.value, EXTRACT_MISMATCH);
        }
        apply_value_maps(m, &mut f);
        let empty = Cell {
            column: String::new(),
            value: String::new(),
        };
        let get = |k: &str| f.get(k).filter(|c| !c.value.is_empty());
        let mut reject = |c: &Cell, value: &str, why: &str| row.reject(&c.column, value, why);
        let Some(id) = get("pupil_id") else {
            return reject(f.get("pupil_id").unwrap_or(&empty), "", "missing pupil id");
        };
        let raw = id.value.clone();
        let key = pseudo.pupil(&raw);
        let shown = crate::redact::pseudonym_value(&key);
        let Some(school) = get("school").map(|c| c.value.clone()) else {
            return reject(f.get("school").unwrap_or(&empty), "", "missing school");
        };
        let year_cell = f.get("school_year").unwrap_or(&empty);
        let Some(year) = SchoolYear::parse(&year_cell.value) else {
            return reject(
                year_cell,
                &year_cell.value,
                "not a school year (expected e.g. 2024-2025)",
            );
        };
        let grade = match get("grade") {
            None => None,
            Some(c) => match parse_grade_value(&c.value) {
                Some(g) => Some(g),
                None => {
                    return reject(c, &c.value, NOT_A_GRADE);
                }
            },
        };
        let birth_year = match (get("birth_year"), get("birth_date")) {
            (Some(c), _) => match c.value.parse::<i32>() {
                Ok(y) if born.contains(&y) => Some(y),
                _ => {
                    return reject(c, &c.value, "not a year of birth (1900 to this year)");
                }
            },
            (None, Some(c)) => {
                match mapped_date(m, &c.value).filter(|d| born.contains(&d.year())) {
                    Some(d) => Some(d.year()),
                    None => {
                        // The value is a birth date: not shown.
                        return reject(
                            c,
                            "",
                            "not a date of birth (expected yyyy-mm-dd, dd-mm-yyyy or dd/mm/yyyy; set mapping.date_format for others; value not shown)",
                        );
                    }
                }
            }
            (None, None) => None,
        };
        let gender = match get("sex") {
            None => None,
            Some(c) => match parse_sex(&c.value) {
                Some(s) => Some(s.to_string()),
                None => {
                    return reject(
                        c,
                        &c.value,
                        "not a sex (m/man/jongen, v/vrouw/meisje/f, x; or a value map)",
                    );
                }
            },
        };
        let weight = match get("weight") {
            None => None,
            Some(c) => match parse_number(&c.value) {
                Some(w) if w.is_finite() && w >= 0.0 => Some(w),
                _ => {
                    return reject(c, &c.value, "pupil weight is not a number of at least 0");
                }
            },
        };
        if !seen.insert((key.clone(), year.to_string())) {
            return reject(
                id,
                &shown,
                "duplicate: this pupil is already listed for this school year",
            );
        }
        for alias in ["pupil_id", "username", "email"]
            .iter()
            .filter_map(|k| get(k))
        {
            out.ids.add(&alias.value, &raw);
        }
        match pupil_at.get(&key) {
            Some(&i) => {
                let p = &mut out.pupils[i];
                p.birth_year = p.birth_year.or(birth_year);
                p.gender = p.gender.take().or(gender);
                p.ses_weight = p.ses_weight.or(weight);
            }
            None => {
                pupil_at.insert(key.clone(), out.pupils.len());
                out.pupils.push(PupilRow {
                    pupil_key: key.clone(),
                    birth_year,
                    gender,
                    ses_weight: weight,
                    special_needs: None,
                });
            }
        }
        if school_seen.insert(school.clone()) {
            out.schools
                .push((school.clone(), get("school_name").map(|c| c.value.clone())));
        }
        let programme = schools
            .programme_from
            .get(&school)
            .is_some_and(|&from| year.0 >= from);
        Some(EnrollmentRow {
            pupil_key: key,
            school_year: year.to_string(),
            school_key: school,
            group_key: get("group").map(|c| c.value.clone()),
            grade,
            programme,
            from: None,
            to: None,
        })
    });
    out.enrollments = enrollments;
    out.read = read;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    const LIST: &str = "Leerlingnummer;Roepnaam;Achternaam;E-mail;Gebruikersnaam;BRIN;Groep;Jaargroep;Geboortedatum;Geslacht;Gewicht
4001;Anna;de Vries;anna@leerling.example.nl;annadv;20KL;6A;6;14-03-2015;Vrouw;0
4002;Bram;Jansen;bram@leerling.example.nl;bramj;20KL;6A;6;02-11-2014;Man;0,3
4003;Sanne;Visser;sanne@leerling.example.nl;;20KL;6B;6;31-02-2015;V;0
4004;Daan;Mulder;;;20KL;6B;zes;01-01-2015;M;0
;Noah;Vos;;;20KL;6B;6;01-01-2015;M;0
4001;Anna;de Vries;anna@leerling.example.nl;annadv;20KL;6A;6;14-03-2015;Vrouw;0
4005;Fleur;Bos;;;20KL;6B;6;05-05-2015;?;0
4006;Lotte;Smit;;;20KL;6B;6;05-05-2015;V;hoog
";

    fn mapping() -> Mapping {
        Mapping {
            columns: [
                ("pupil_id", "Leerlingnummer"),
                ("email", "E-mail"),
                ("username", "Gebruikersnaam"),
                ("school", "BRIN"),
                ("group", "Groep"),
                ("grade", "Jaargroep"),
                ("birth_date", "Geboortedatum"),
                ("sex", "Geslacht"),
                ("weight", "Gewicht"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            constants: [("school_year".to_string(), "2024-2025".to_string())].into(),
            ..Mapping::default()
        }
    }

    #[test]
    fn a_pupil_list_gives_pupils_enrollments_ids_and_rejects() {
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::keyed(b"k");
        let none = IdResolver::default();
        let mut ctx =
            ReadContext::new("leerlingen", "leerlingen.csv", &mut rejects, &none, &pseudo);
        let mut info = SchoolInfo::default();
        info.programme_from.insert("20KL".into(), 2024);
        let got = read(&mut ctx, LIST, &mapping(), &info).unwrap();
        assert_eq!(got.read, 8);
        assert_eq!(got.enrollments.len(), 2);
        assert_eq!(got.read, got.enrollments.len() + rejects.total());
        let anna = &got.pupils[0];
        assert_eq!(anna.pupil_key, pseudo.pupil("4001"));
        assert_eq!(
            (anna.birth_year, anna.gender.as_deref()),
            (Some(2015), Some("f"))
        );
        assert_eq!(got.pupils[1].ses_weight, Some(0.3));
        let e = &got.enrollments[0];
        assert_eq!(
            (
                e.school_key.as_str(),
                e.group_key.as_deref(),
                e.grade,
                e.programme
            ),
            ("20KL", Some("6A"), Some(6), true)
        );
        assert_eq!(got.schools, [("20KL".to_string(), None)]);
        // Every id of the pupil resolves to the pupil id.
        for alias in ["4001", "anna@leerling.example.nl", "ANNADV"] {
            assert_eq!(got.ids.resolve(alias).as_deref(), Some("4001"), "{alias}");
        }
        assert_eq!(got.ids.resolve("9999"), None);
        let reasons = rejects.line_reasons(10);
        for want in [
            "4: not a date of birth",
            "5: not a grade",
            "6: missing pupil id",
            "7: duplicate",
            "8: not a sex",
            "9: pupil weight",
        ] {
            assert!(
                reasons.iter().any(|r| r.starts_with(want)),
                "{want} not in {reasons:?}"
            );
        }
        // The birth date of a rejected line is not shown; nothing names a pupil.
        let all = format!("{:?}", rejects.first(10));
        for secret in ["31-02-2015", "Sanne", "Visser", "anna@", "4001"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
    }
}
