//! IMS OneRoster 1.1 / 1.2 CSV bundles: orgs, academicSessions, classes, users, roles (1.2),
//! enrollments, demographics. Pupils and their enrollments come out; names, e-mails, usernames
//! and exact birth dates are read only to recognise pupils and are never written.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::Datelike;
use leerwinst_core::term::date32;
use leerwinst_core::{Error, Result, SchoolYear, Table};

use crate::context::{IdResolver, ReadContext, SchoolInfo};
use crate::delimited::{self, Delimited};
use crate::formats::oneroster_results::{self, Gradebook};
use crate::input::{
    FileInfo, date_reason, parse_date, parse_date_any_year, parse_number, read_text,
};
use crate::lookup::{Lookup, LookupCount};
use crate::record_loop::well_formed;
use crate::rows::{AssessmentRow, EnrollmentRow, PupilRow};

/// What a OneRoster bundle yields.
#[derive(Debug, Default)]
pub struct Roster {
    /// Pupils.
    pub pupils: Vec<PupilRow>,
    /// Enrollments of pupils in classes.
    pub enrollments: Vec<EnrollmentRow>,
    /// Test results from the gradebook (with `[source.results]`).
    pub assessments: Vec<AssessmentRow>,
    /// Id aliases of pupils.
    pub ids: IdResolver,
    /// Schools found in orgs.csv: (school_key, name).
    pub schools: Vec<(String, String)>,
    /// Rows read (student users + student enrollments + results of the selected line items).
    pub read: usize,
    /// Files read.
    pub files: Vec<FileInfo>,
    /// Rows of the lookup files (orgs, academicSessions, classes, roles, demographics).
    pub lookups: Vec<LookupCount>,
}

/// Reads `<name>.csv` of the bundle, or `None` when the bundle has no such file.
fn load(dir: &Path, name: &str, files: &mut Vec<FileInfo>) -> Result<Option<Delimited>> {
    let p = dir.join(format!("{name}.csv"));
    if !p.exists() {
        return Ok(None);
    }
    let (text, info) = read_text(&p)?;
    files.push(info);
    Ok(Some(delimited::parse(&text, &p.display().to_string())?))
}

/// Reads `<name>.csv` of the bundle, which a bundle must have.
fn load_required(dir: &Path, name: &str, files: &mut Vec<FileInfo>) -> Result<Delimited> {
    load(dir, name, files)?
        .ok_or_else(|| Error::input(dir, format!("OneRoster bundle lacks {name}.csv")))
}

fn col(d: &Delimited, name: &str, file: &str) -> Result<usize> {
    d.headers.iter().position(|h| h == name).ok_or_else(|| {
        Error::input(
            file,
            format!("required column '{name}' is missing (headers are case-sensitive)"),
        )
    })
}

/// The identifiers in a OneRoster `userIds` cell, `{type:identifier}` entries separated by
/// commas (e.g. `{Moodle:101},{LAS:L0001}`): the ids a pupil has in other systems, such as the
/// Moodle user id of a log report.
fn user_ids(cell: &str) -> Vec<&str> {
    cell.split(',')
        .map(|e| e.trim().trim_start_matches('{').trim_end_matches('}'))
        .map(|e| e.split_once(':').map_or(e, |(_, id)| id).trim())
        .filter(|id| !id.is_empty())
        .collect()
}

/// How to read a bundle's gradebook: the line items that are tests, the instrument name and the
/// source's score range.
pub struct ResultsSpec<'a> {
    /// `[source.results]`.
    pub selection: &'a leerwinst_core::pipeline::RosterResults,
    /// Instrument stored with each score.
    pub instrument: &'a str,
    /// The source's `score_range`, used where a line item gives none.
    pub score_range: Option<[f64; 2]>,
}

/// Reads a OneRoster bundle folder, and its gradebook when `results` says which line items are
/// tests ([`oneroster_results`]). Reject lines refer to the file within the bundle.
pub fn read(
    dir: &Path,
    source: &str,
    rejects: &mut crate::rejects::Rejects,
    pseudo: &crate::pseudonym::Pseudonymiser,
    schools: &SchoolInfo,
    results: Option<&ResultsSpec<'_>>,
    calendar: leerwinst_core::Calendar,
) -> Result<Roster> {
    let mut files = Vec::new();
    let orgs = load_required(dir, "orgs", &mut files)?;
    let sessions = load_required(dir, "academicSessions", &mut files)?;
    let classes = load_required(dir, "classes", &mut files)?;
    let users = load_required(dir, "users", &mut files)?;
    let enrollments = load_required(dir, "enrollments", &mut files)?;
    let roles = load(dir, "roles", &mut files)?;
    let demographics = load(dir, "demographics", &mut files)?;
    let path = |f: &str| dir.join(f).display().to_string();

    let no_ids = IdResolver::default();
    let mut ctx = ReadContext {
        source,
        file: path("orgs.csv"),
        rejects,
        ids: &no_ids,
        pseudo,
        calendar,
    };
    let mut lookups = Vec::new();

    // orgs: sourcedId -> school key (identifier, else sourcedId).
    let (o_id, o_type, o_name) = (
        col(&orgs, "sourcedId", &path("orgs.csv"))?,
        col(&orgs, "type", &path("orgs.csv"))?,
        col(&orgs, "name", &path("orgs.csv"))?,
    );
    let o_ident = orgs.headers.iter().position(|h| h == "identifier");
    let org_l = Lookup::read(
        &mut ctx,
        Table::Schools,
        "orgs.csv",
        &orgs,
        o_id,
        "sourcedId",
    );
    let mut org_key: HashMap<String, String> = HashMap::new();
    let mut school_list = Vec::new();
    for (sid, (_, r)) in &org_l.entries {
        let key = o_ident
            .map(|i| r[i].trim())
            .filter(|s| !s.is_empty())
            .unwrap_or(sid);
        org_key.insert(sid.clone(), key.to_string());
        if r[o_type].trim() == "school" {
            school_list.push((key.to_string(), r[o_name].trim().to_string()));
        }
    }
    lookups.push(org_l.count());

    // An optional column, by its exact (case-sensitive) name.
    let find = |d: &Delimited, n: &str| d.headers.iter().position(|h| h == n);

    // academicSessions: sourcedId -> school year (from startDate; a term's year is its own).
    let (s_id, s_start) = (
        col(&sessions, "sourcedId", &path("academicSessions.csv"))?,
        col(&sessions, "startDate", &path("academicSessions.csv"))?,
    );
    ctx.file = path("academicSessions.csv");
    let mut session_l = Lookup::read(
        &mut ctx,
        Table::Enrollments,
        "academicSessions.csv",
        &sessions,
        s_id,
        "sourcedId",
    );
    let s_end = find(&sessions, "endDate");
    session_l.retain(&mut ctx, |r| match parse_date(&r[s_start]) {
        Some(start) => match s_end.and_then(|i| parse_date(&r[i])) {
            Some(end) if end < start => Err((
                "endDate".into(),
                r[s_end.unwrap_or_default()].trim().into(),
                "endDate lies before startDate".into(),
            )),
            _ => Ok(()),
        },
        None => Err((
            "startDate".into(),
            r[s_start].trim().into(),
            date_reason(&r[s_start], "startDate is not a date (yyyy-mm-dd)"),
        )),
    });
    let session_year: HashMap<String, SchoolYear> = session_l
        .entries
        .iter()
        .filter_map(|(k, (_, r))| Some((k.clone(), calendar.year_of(parse_date(&r[s_start])?))))
        .collect();
    lookups.push(session_l.count());

    // classes: sourcedId -> (school key, grade, school year); the school must be in orgs.csv,
    // and a class that names terms must name at least one in academicSessions.csv.
    let cf = path("classes.csv");
    let (c_id, c_school, c_terms) = (
        col(&classes, "sourcedId", &cf)?,
        col(&classes, "schoolSourcedId", &cf)?,
        col(&classes, "termSourcedIds", &cf)?,
    );
    let c_grades = classes.headers.iter().position(|h| h == "grades");
    ctx.file = cf.clone();
    let mut class_l = Lookup::read(
        &mut ctx,
        Table::Enrollments,
        "classes.csv",
        &classes,
        c_id,
        "sourcedId",
    );
    class_l.retain(&mut ctx, |r| {
        let org = r[c_school].trim();
        if !org_l.has(org) {
            let why = org_l.missing_reason("schoolSourcedId", org);
            return Err(("schoolSourcedId".into(), org.into(), why));
        }
        let terms: Vec<&str> = r[c_terms]
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        match terms.first() {
            Some(first) if !terms.iter().any(|t| session_l.has(t)) => Err((
                "termSourcedIds".into(),
                r[c_terms].trim().into(),
                session_l.missing_reason("termSourcedIds", first),
            )),
            _ => Ok(()),
        }
    });
    let mut class_info: HashMap<String, (String, Option<i32>, Option<SchoolYear>)> = HashMap::new();
    for (id, (_, r)) in &class_l.entries {
        let school = org_key[r[c_school].trim()].clone();
        let grade = c_grades.and_then(|i| parse_grade(&r[i]));
        let year = r[c_terms]
            .split(',')
            .find_map(|t| session_year.get(t.trim()).copied());
        class_info.insert(id.clone(), (school, grade, year));
    }
    lookups.push(class_l.count());

    // Who is a student: roles.csv (1.2), users.role (1.1), or a student enrollment.
    let uf = path("users.csv");
    let u_id = col(&users, "sourcedId", &uf)?;
    let user_set: HashSet<&str> = users
        .records
        .iter()
        .flatten()
        .map(|(_, r)| r[u_id].trim())
        .collect();
    let mut students: HashSet<String> = HashSet::new();
    if let Some(roles) = &roles {
        let rf = path("roles.csv");
        let (rid, ru, rr) = (
            col(roles, "sourcedId", &rf)?,
            col(roles, "userSourcedId", &rf)?,
            col(roles, "role", &rf)?,
        );
        ctx.file = rf;
        let mut role_l = Lookup::read(
            &mut ctx,
            Table::Pupils,
            "roles.csv",
            roles,
            rid,
            "sourcedId",
        );
        role_l.retain(&mut ctx, |r| {
            if !user_set.contains(r[ru].trim()) {
                return Err((
                    "userSourcedId".into(),
                    r[ru].trim().into(),
                    "userSourcedId is not in users.csv".into(),
                ));
            }
            if r[rr].trim().is_empty() {
                return Err(("role".into(), String::new(), "missing role".into()));
            }
            Ok(())
        });
        for (_, r) in role_l.entries.values() {
            if r[rr].trim() == "student" {
                students.insert(r[ru].trim().to_string());
            }
        }
        lookups.push(role_l.count());
    }
    if let Some(ur) = find(&users, "role") {
        for (_, r) in users.records.iter().flatten() {
            if r[ur].trim() == "student" {
                students.insert(r[u_id].trim().to_string());
            }
        }
    }
    let ef = path("enrollments.csv");
    let (e_class, e_user, e_role) = (
        col(&enrollments, "classSourcedId", &ef)?,
        col(&enrollments, "userSourcedId", &ef)?,
        col(&enrollments, "role", &ef)?,
    );
    for (_, r) in enrollments.records.iter().flatten() {
        if r[e_role].trim() == "student" {
            students.insert(r[e_user].trim().to_string());
        }
    }

    // demographics: sourcedId -> (birth year, sex); the user must be in users.csv, a birth date
    // must be a date and a sex one OneRoster knows.
    let mut demo: HashMap<String, (Option<i32>, Option<String>)> = HashMap::new();
    if let Some(d) = &demographics {
        let df = path("demographics.csv");
        let di = col(d, "sourcedId", &df)?;
        let (db, ds) = (find(d, "birthDate"), find(d, "sex"));
        ctx.file = df;
        let mut demo_l = Lookup::read(
            &mut ctx,
            Table::Pupils,
            "demographics.csv",
            d,
            di,
            "sourcedId",
        );
        demo_l.retain(&mut ctx, |r| {
            let id = r[di].trim();
            if !user_set.contains(id) {
                return Err((
                    "sourcedId".into(),
                    id.into(),
                    "sourcedId is not in users.csv".into(),
                ));
            }
            if let Some(v) = db.map(|i| r[i].trim()).filter(|v| !v.is_empty())
                && parse_date_any_year(v).is_none()
            {
                return Err((
                    "birthDate".into(),
                    v.into(),
                    "birthDate is not a date (yyyy-mm-dd)".into(),
                ));
            }
            if let Some(v) = ds.map(|i| r[i].trim()).filter(|v| !v.is_empty())
                && parse_sex(v).is_none()
            {
                return Err((
                    "sex".into(),
                    v.into(),
                    "sex is not male, female, other or unspecified".into(),
                ));
            }
            Ok(())
        });
        for (id, (_, r)) in &demo_l.entries {
            let by = db
                .and_then(|i| parse_date_any_year(&r[i]))
                .map(|x| x.year());
            let sex = ds.and_then(|i| parse_sex(r[i].trim()));
            demo.insert(id.clone(), (by, sex));
        }
        lookups.push(demo_l.count());
    }

    let mut ids = IdResolver::with_roster();
    let mut raw_of_user: HashMap<String, String> = HashMap::new();
    let mut line_of_raw: HashMap<String, u64> = HashMap::new();
    let mut pupils = Vec::new();
    let mut read = 0;
    let (u_ident, u_user, u_mail, u_ids) = (
        find(&users, "identifier"),
        find(&users, "username"),
        find(&users, "email"),
        find(&users, "userIds"),
    );
    let u_ses = users
        .headers
        .iter()
        .position(|h| h.starts_with("metadata.") && h.to_lowercase().contains("gewicht"));
    let u_status = find(&users, "status");
    ctx.file = uf.clone();
    for rec in &users.records {
        let Some((line, r)) = well_formed(&mut ctx, Table::Pupils, rec) else {
            read += 1;
            continue;
        };
        let sid = r[u_id].trim();
        if !students.contains(sid) {
            continue;
        }
        read += 1;
        if sid.is_empty() {
            ctx.reject(Table::Pupils, line, "sourcedId", "", "missing sourcedId");
            continue;
        }
        if u_status.is_some_and(|i| r[i].trim() == "tobedeleted") {
            ctx.reject(
                Table::Pupils,
                line,
                "status",
                "tobedeleted",
                "user withdrawn by the source system (status tobedeleted)",
            );
            continue;
        }
        let raw = u_ident
            .map(|i| r[i].trim())
            .filter(|s| !s.is_empty())
            .unwrap_or(sid)
            .to_string();
        if let Some(first) = line_of_raw.get(&raw) {
            let why = format!(
                "identifier also given to the user on line {first}: two users, one pupil id (neither is merged into the other; this row is not used)"
            );
            ctx.reject(
                Table::Pupils,
                line,
                "identifier",
                &crate::redact::pseudonym_value(&pseudo.pupil(&raw)),
                &why,
            );
            continue;
        }
        if raw_of_user.contains_key(sid) {
            ctx.reject(
                Table::Pupils,
                line,
                "sourcedId",
                &crate::redact::pseudonym_value(&pseudo.pupil(&raw)),
                "duplicate user sourcedId",
            );
            continue;
        }
        for alias in [
            Some(sid),
            Some(raw.as_str()),
            u_user.map(|i| &r[i]),
            u_mail.map(|i| &r[i]),
        ]
        .into_iter()
        .flatten()
        .chain(u_ids.map(|i| user_ids(&r[i])).unwrap_or_default())
        {
            ids.add(alias, &raw);
        }
        line_of_raw.insert(raw.clone(), line);
        raw_of_user.insert(sid.to_string(), raw.clone());
        let (birth_year, gender) = demo.get(sid).cloned().unwrap_or((None, None));
        pupils.push(PupilRow {
            pupil_key: pseudo.pupil(&raw),
            birth_year,
            gender,
            ses_weight: u_ses.and_then(|i| parse_number(&r[i])),
            special_needs: None,
        });
    }

    let mut rows = Vec::new();
    ctx.file = ef.clone();
    let e_begin = find(&enrollments, "beginDate");
    let e_end = find(&enrollments, "endDate");
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    for rec in &enrollments.records {
        let Some((line, r)) = well_formed(&mut ctx, Table::Enrollments, rec) else {
            read += 1;
            continue;
        };
        if r[e_role].trim() != "student" {
            continue;
        }
        read += 1;
        let Some(raw) = raw_of_user.get(r[e_user].trim()) else {
            ctx.reject(
                Table::Enrollments,
                line,
                "userSourcedId",
                &crate::redact::pseudonym_value(&pseudo.pupil(r[e_user].trim())),
                "enrollment of a user not in users.csv",
            );
            continue;
        };
        let Some((school, grade, year)) = class_info.get(r[e_class].trim()) else {
            let why = class_l.missing_reason("classSourcedId", r[e_class].trim());
            ctx.reject(
                Table::Enrollments,
                line,
                "classSourcedId",
                r[e_class].trim(),
                &why,
            );
            continue;
        };
        let begin = e_begin.and_then(|i| parse_date(&r[i]));
        let year = year.or(begin.map(|d| calendar.year_of(d)));
        let Some(year) = year else {
            ctx.reject(
                Table::Enrollments,
                line,
                "classSourcedId",
                r[e_class].trim(),
                "no school year: the class has no known term and the enrollment no beginDate",
            );
            continue;
        };
        let key = pseudo.pupil(raw);
        if seen
            .insert((key.clone(), r[e_class].trim().to_string()), line)
            .is_some()
        {
            ctx.reject(
                Table::Enrollments,
                line,
                "classSourcedId",
                r[e_class].trim(),
                "duplicate enrollment of the pupil in this class",
            );
            continue;
        }
        let programme = schools
            .programme_from
            .get(school)
            .is_some_and(|&from| year.0 >= from);
        rows.push(EnrollmentRow {
            pupil_key: key,
            school_year: year.to_string(),
            school_key: school.clone(),
            group_key: Some(r[e_class].trim().to_string()),
            grade: *grade,
            programme,
            from: begin.map(date32),
            to: e_end.and_then(|i| parse_date(&r[i])).map(date32),
        });
    }
    let mut assessments = Vec::new();
    if let Some(spec) = results {
        let line_items = load_required(dir, "lineItems", &mut files)?;
        let categories = load(dir, "categories", &mut files)?;
        let results_csv = load_required(dir, "results", &mut files)?;
        let mut ctx = ReadContext {
            source,
            file: path("results.csv"),
            rejects: ctx.rejects,
            ids: &ids,
            pseudo,
            calendar,
        };
        let book = Gradebook {
            line_items: (&line_items, path("lineItems.csv")),
            categories: categories.as_ref().map(|c| (c, path("categories.csv"))),
            results: &results_csv,
        };
        let (got, n, book_lookups) = oneroster_results::read(
            &mut ctx,
            &book,
            spec.selection,
            &class_info,
            spec.instrument,
            spec.score_range,
        )?;
        assessments = got;
        read += n;
        lookups.extend(book_lookups);
    }
    Ok(Roster {
        pupils,
        enrollments: rows,
        assessments,
        ids,
        schools: school_list,
        read,
        files,
        lookups,
    })
}

/// OneRoster's sex values (and their one-letter forms) as `m`, `f` or `x`.
fn parse_sex(v: &str) -> Option<String> {
    match v.to_ascii_lowercase().as_str() {
        "male" | "m" => Some("m".into()),
        "female" | "f" => Some("f".into()),
        "other" | "x" | "unspecified" => Some("x".into()),
        _ => None,
    }
}

/// Parses OneRoster grades (`05`, `5`, `KG`) as a number; the first grade of a list.
fn parse_grade(s: &str) -> Option<i32> {
    let first = s.split(',').next()?.trim();
    match first {
        "KG" | "PK" => Some(0),
        g => g.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_the_identifiers_of_each_entry() {
        assert_eq!(user_ids("{Moodle:101},{LAS:L0001}"), ["101", "L0001"]);
        assert_eq!(user_ids(" {Moodle: 7 } "), ["7"]);
        assert_eq!(user_ids("plain"), ["plain"]);
        assert!(user_ids("").is_empty() && user_ids("{},{x:}").is_empty());
    }
}
