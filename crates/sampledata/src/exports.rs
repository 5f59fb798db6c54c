//! Writers for the roster (OneRoster 1.2 CSV bundle), the Dutch LVS test-results export and the
//! board's school list.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::world::{self, SCORE_SD, SUBJECTS, World};
use crate::{Result, names};

fn csv_writer(path: &Path, delimiter: u8) -> Result<csv::Writer<std::fs::File>> {
    Ok(csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_path(path)?)
}

const STAMP: &str = "2025-08-01T00:00:00Z";

/// Writes the OneRoster 1.2 bundle (manifest, orgs, academicSessions, courses, classes, users,
/// roles, enrollments, demographics) into `dir`.
pub fn write_oneroster(w: &World, rng: &mut ChaCha8Rng, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let files = [
        "orgs",
        "academicSessions",
        "courses",
        "classes",
        "users",
        "roles",
        "enrollments",
        "demographics",
    ];
    let mut m = csv_writer(&dir.join("manifest.csv"), b',')?;
    m.write_record(["propertyName", "value"])?;
    m.write_record(["manifest.version", "1.0"])?;
    m.write_record(["oneroster.version", "1.2"])?;
    for f in [
        "academicSessions",
        "categories",
        "classes",
        "classResources",
        "courses",
        "courseResources",
        "demographics",
        "enrollments",
        "lineItemLearningObjectiveIds",
        "lineItems",
        "lineItemScoreScales",
        "orgs",
        "resources",
        "results",
        "resultLearningObjectiveIds",
        "resultScoreScales",
        "roles",
        "scoreScales",
        "userProfiles",
        "userResources",
        "users",
    ] {
        let v = if files.contains(&f) { "bulk" } else { "absent" };
        m.write_record([format!("file.{f}"), v.to_string()])?;
    }
    m.write_record(["source.systemName", "leerwinst sample-data"])?;
    m.write_record(["source.systemCode", "sample"])?;
    m.flush()?;

    let mut orgs = csv_writer(&dir.join("orgs.csv"), b',')?;
    orgs.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ])?;
    orgs.write_record([
        "org-board",
        "active",
        STAMP,
        "Stichting Voorbeeldscholen",
        "district",
        "41000",
        "",
    ])?;
    for s in &w.schools {
        orgs.write_record([
            s.sourced_id.as_str(),
            "active",
            STAMP,
            &s.name,
            "school",
            &s.brin,
            "org-board",
        ])?;
    }
    orgs.flush()?;

    let mut ses = csv_writer(&dir.join("academicSessions.csv"), b',')?;
    ses.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ])?;
    for y in 0..w.years {
        let start = w.first_year + y as i32;
        ses.write_record([
            format!("as-{start}"),
            "active".into(),
            STAMP.into(),
            format!("Schooljaar {}-{}", start, start + 1),
            "schoolYear".into(),
            format!("{start}-08-01"),
            format!("{}-07-31", start + 1),
            String::new(),
            format!("{}", start + 1),
        ])?;
    }
    ses.flush()?;

    let mut courses = csv_writer(&dir.join("courses.csv"), b',')?;
    courses.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ])?;
    let mut classes = csv_writer(&dir.join("classes.csv"), b',')?;
    classes.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ])?;
    let mut users = csv_writer(&dir.join("users.csv"), b',')?;
    users.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
        "metadata.leerlinggewicht",
    ])?;
    let mut roles = csv_writer(&dir.join("roles.csv"), b',')?;
    roles.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ])?;
    let mut enr = csv_writer(&dir.join("enrollments.csv"), b',')?;
    enr.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ])?;

    let mut n_enr = 0usize;
    let mut teacher_idx = 0usize;
    for (si, s) in w.schools.iter().enumerate() {
        for y in 0..w.years {
            let start = w.first_year + y as i32;
            for grade in 3..=8 {
                let class = format!("cls-{}-{}-g{}", s.brin, start, grade);
                let course = format!("crs-{}-{}-g{}", s.brin, start, grade);
                courses.write_record([
                    course.as_str(),
                    "active",
                    STAMP,
                    &format!("as-{start}"),
                    &format!("Groep {grade}"),
                    &format!("G{grade}"),
                    &format!("{grade:02}"),
                    &s.sourced_id,
                    "",
                    "",
                ])?;
                classes.write_record([
                    class.as_str(),
                    "active",
                    STAMP,
                    &format!("Groep {grade}"),
                    &format!("{grade:02}"),
                    &course,
                    &format!("{grade}A"),
                    "homeroom",
                    "",
                    &s.sourced_id,
                    &format!("as-{start}"),
                    "",
                    "",
                    "",
                ])?;
                // One teacher per class: a person whose name must never reach an output.
                teacher_idx += 1;
                let (tg, tf) = names::teacher(rng);
                let tid = format!("tch-{teacher_idx:05}");
                let temail = format!(
                    "{}.{}@school.example.nl",
                    tg.to_lowercase(),
                    tf.to_lowercase().replace(' ', "")
                );
                users.write_record([
                    tid.as_str(),
                    "active",
                    STAMP,
                    "true",
                    &format!("{}{}", tg.to_lowercase(), teacher_idx),
                    "",
                    &tg,
                    &tf,
                    "",
                    &format!("T{teacher_idx:05}"),
                    &temail,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    &s.sourced_id,
                    "",
                    "",
                ])?;
                roles.write_record([
                    format!("rol-{tid}-{start}"),
                    "active".into(),
                    STAMP.into(),
                    tid.clone(),
                    "primary".into(),
                    "teacher".into(),
                    format!("{start}-08-01"),
                    format!("{}-07-31", start + 1),
                    s.sourced_id.clone(),
                    String::new(),
                ])?;
                n_enr += 1;
                enr.write_record([
                    format!("enr-{n_enr:07}"),
                    "active".into(),
                    STAMP.into(),
                    class.clone(),
                    s.sourced_id.clone(),
                    tid,
                    "teacher".into(),
                    "true".into(),
                    format!("{start}-08-01"),
                    format!("{}-07-31", start + 1),
                ])?;
                for p in w
                    .pupils
                    .iter()
                    .filter(|p| p.school == si && p.grade_in(y) == Some(grade))
                {
                    n_enr += 1;
                    enr.write_record([
                        format!("enr-{n_enr:07}"),
                        "active".into(),
                        STAMP.into(),
                        class.clone(),
                        s.sourced_id.clone(),
                        p.sourced_id.clone(),
                        "student".into(),
                        "true".into(),
                        format!("{start}-08-01"),
                        format!("{}-07-31", start + 1),
                    ])?;
                }
            }
        }
    }

    let mut demo = csv_writer(&dir.join("demographics.csv"), b',')?;
    demo.write_record([
        "sourcedId",
        "status",
        "dateLastModified",
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ])?;
    for p in &w.pupils {
        let last_grade = (0..w.years)
            .filter_map(|y| p.grade_in(y))
            .max()
            .unwrap_or(3);
        users.write_record([
            p.sourced_id.as_str(),
            "active",
            STAMP,
            "true",
            &p.username,
            &format!("{{LAS:{}}}", p.raw_id),
            &p.given,
            &p.family,
            "",
            &p.raw_id,
            &p.email,
            "",
            "",
            "",
            &format!("{last_grade:02}"),
            "",
            "",
            "",
            "",
            "",
            "",
            &w.schools[p.school].sourced_id,
            "",
            &format!("{}", p.ses_weight),
        ])?;
        roles.write_record([
            format!("rol-{}", p.sourced_id),
            "active".into(),
            STAMP.into(),
            p.sourced_id.clone(),
            "primary".into(),
            "student".into(),
            String::new(),
            String::new(),
            w.schools[p.school].sourced_id.clone(),
            String::new(),
        ])?;
        let (y, m, d) = p.birth;
        demo.write_record([
            p.sourced_id.as_str(),
            "active",
            STAMP,
            &format!("{y:04}-{m:02}-{d:02}"),
            if p.sex == 'm' { "male" } else { "female" },
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "NL",
            "",
            "",
            "",
        ])?;
    }
    for wtr in [
        &mut courses,
        &mut classes,
        &mut users,
        &mut roles,
        &mut enr,
        &mut demo,
    ] {
        wtr.flush()?;
    }
    Ok(())
}

/// Writes the board's school list: `brin;naam;programma_vanaf;schoolweging`.
pub fn write_schools(w: &World, path: &Path) -> Result<()> {
    let mut out = csv_writer(path, b';')?;
    out.write_record(["brin", "naam", "programma_vanaf", "schoolweging"])?;
    for s in &w.schools {
        let from = match s.programme_from {
            Some(k) => {
                let y = w.first_year + k as i32;
                format!("{}-{}", y, y + 1)
            }
            None => String::new(),
        };
        out.write_record([
            s.brin.as_str(),
            &s.name,
            &from,
            &format!("{:.1}", s.weight).replace('.', ","),
        ])?;
    }
    out.flush()?;
    Ok(())
}

fn niveau(z: f64) -> &'static str {
    match z {
        z if z > 0.8416 => "I",
        z if z > 0.2533 => "II",
        z if z > -0.2533 => "III",
        z if z > -0.8416 => "IV",
        _ => "V",
    }
}

/// The referentieniveau an LVS export gives from grade 6 on, from the score's place in its grade
/// (about 5% below 1F and 60% at the target level 1S/2F, more at strong schools, as nationally).
fn referentieniveau(z: f64, grade: i32, subject: &str) -> &'static str {
    match (grade, z) {
        (..6, _) => "",
        (_, z) if z <= -1.6 => "<1F",
        (_, z) if z <= -0.25 => "1F",
        _ if subject == "rekenen" => "1S",
        _ => "2F",
    }
}

fn nl_date(d: NaiveDate) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), d.month(), d.year())
}

/// Number of deliberately unusable rows in the LVS export.
pub const LVS_BAD_ROWS: usize = 5;

/// Writes the LVS export (`;`, decimal comma, dd-mm-yyyy), with [`LVS_BAD_ROWS`] unusable rows.
/// Returns the number of rows written (excluding the header).
pub fn write_lvs(w: &World, rng: &mut ChaCha8Rng, path: &Path) -> Result<usize> {
    let mut rows: Vec<[String; 13]> = Vec::new();
    for y in 0..w.years {
        let start = w.first_year + y as i32;
        for (pi, p) in w.pupils.iter().enumerate() {
            let Some(grade) = p.grade_in(y) else { continue };
            // Each school tests in its own week.
            let mid_day = 15 + (p.school as u32 * 3) % 20;
            let end_day = 2 + (p.school as u32 * 2) % 18;
            for (si, (subject, test, _)) in SUBJECTS.iter().enumerate() {
                let (mid, end) = w.scores[pi][si].years[y];
                for (moment, truth, t, date) in [
                    (
                        "M",
                        mid,
                        grade as f64 + 0.5,
                        NaiveDate::from_ymd_opt(start + 1, 1, 1).expect("valid")
                            + chrono::Duration::days(mid_day as i64 + si as i64),
                    ),
                    (
                        "E",
                        end,
                        grade as f64 + 1.0,
                        NaiveDate::from_ymd_opt(start + 1, 6, end_day + si as u32).expect("valid"),
                    ),
                ] {
                    let centre = world::scale_mean(si, t);
                    let (obs, sem) = world::observe(rng, truth, centre);
                    let z = (obs - centre) / (SCORE_SD * SCORE_SD + sem * sem).sqrt();
                    rows.push([
                        p.raw_id.clone(),
                        p.family.clone(),
                        p.given.clone(),
                        {
                            let (by, bm, bd) = p.birth;
                            format!("{bd:02}-{bm:02}-{by:04}")
                        },
                        format!("Groep {grade}"),
                        (*test).to_string(),
                        format!("{moment}{grade}"),
                        nl_date(date),
                        format!("{obs}"),
                        format!("{sem:.1}").replace('.', ","),
                        niveau(z).to_string(),
                        referentieniveau(z, grade, subject).to_string(),
                        format!("{}-{}", start, start + 1),
                    ]);
                }
            }
        }
    }
    // Unusable rows as real exports have them.
    let template = rows[rows.len() / 2].clone();
    let bad: [(usize, &str); LVS_BAD_ROWS] = [
        (8, "afw."),       // absent: no score
        (7, "31-02-2025"), // impossible date
        (0, "L999999"),    // pupil not in the roster
        (8, "1.234,5"),    // score far outside the scale
        (6, "X5"),         // unknown toetsmoment
    ];
    for (col, value) in bad {
        let mut r = template.clone();
        r[col] = value.to_string();
        let at = rng.random_range(0..rows.len());
        rows.insert(at, r);
    }
    let mut out = csv_writer(path, b';')?;
    out.write_record([
        "Leerlingnummer",
        "Achternaam",
        "Voornaam",
        "Geboortedatum",
        "Groep",
        "Toets",
        "Toetsmoment",
        "Afnamedatum",
        "Vaardigheidsscore",
        "Standaardmeetfout",
        "Niveau",
        "Referentieniveau",
        "Schooljaar",
    ])?;
    for r in &rows {
        out.write_record(r)?;
    }
    out.flush()?;
    Ok(rows.len())
}

/// Writes `s` to `path` through a gzip encoder.
pub fn gzip_writer(
    path: &Path,
) -> Result<flate2::write::GzEncoder<std::io::BufWriter<std::fs::File>>> {
    let f = std::io::BufWriter::new(std::fs::File::create(path)?);
    Ok(flate2::write::GzEncoder::new(
        f,
        flate2::Compression::new(6),
    ))
}

/// Flushes and closes a gzip writer.
pub fn finish_gzip(w: flate2::write::GzEncoder<std::io::BufWriter<std::fs::File>>) -> Result<()> {
    let mut inner = w.finish()?;
    inner.flush()?;
    Ok(())
}
