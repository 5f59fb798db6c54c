//! Test results in any CSV/XLSX layout, through the pipeline's `[source.mapping]`: each canonical
//! field comes from a column (renamed), a constant or a named group of the unpivot pattern, then
//! through an optional value map; dates in a given `strftime` format; wide files (one column per
//! test moment, per grade like `readk`, `read1`, ...) become one record per non-empty cell.
//!
//! A record is one test result: a line, or in a wide file one non-empty matched cell of a line.
//! Empty cells of a wide file are not tests and are not counted; every counted record is accepted
//! or rejected with its line, the column it came from and the reason.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use leerwinst_core::pipeline::Mapping;
use leerwinst_core::term::{Moment, date32};
use leerwinst_core::{Error, Result, SchoolYear, Table};
use regex::Regex;

use crate::context::ReadContext;
use crate::delimited;
use crate::input::{
    date_reason, implausible_year_reason, number_reason, parse_date_any_year, parse_number,
    plausible_year,
};
use crate::levels;
use crate::record_loop::well_formed;
use crate::rows::AssessmentRow;

/// Where a field of a record came from: the header (for rejects) and the raw value.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// Header (or `@line`, `(constant f)`).
    pub column: String,
    /// Raw value, trimmed.
    pub value: String,
}

/// The pattern's matching columns: index and the fields their groups set.
type WideColumns = Vec<(usize, BTreeMap<String, String>)>;

/// Field -> column index of a mapping's `columns` (`None`: the line number, `@line`).
pub(crate) type FieldColumns<'m> = BTreeMap<&'m str, Option<usize>>;

/// Finds the header of each mapped column (case-insensitively); a missing one is an error that
/// lists the headers there are.
pub(crate) fn resolve_columns<'m>(
    ctx: &ReadContext<'_>,
    d: &delimited::Delimited,
    m: &'m Mapping,
) -> Result<FieldColumns<'m>> {
    let lower: Vec<String> = d.headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut cols = BTreeMap::new();
    for (field, header) in &m.columns {
        if header == "@line" {
            cols.insert(field.as_str(), None);
            continue;
        }
        let i = lower
            .iter()
            .position(|h| *h == header.trim().to_lowercase())
            .ok_or_else(|| {
                Error::input(
                    &ctx.file,
                    format!(
                        "mapping: column '{header}' (for {field}) is not in the file; {}",
                        d.header_listing()
                    ),
                )
            })?;
        cols.insert(field.as_str(), Some(i));
    }
    Ok(cols)
}

/// The mapped columns' cells and the constants of one line, by field.
pub(crate) fn base_fields(
    d: &delimited::Delimited,
    cols: &FieldColumns<'_>,
    m: &Mapping,
    line: u64,
    r: &csv::StringRecord,
) -> BTreeMap<String, Cell> {
    let mut base = BTreeMap::new();
    for (field, c) in cols {
        let cell = match c {
            Some(i) => Cell {
                column: d.headers[*i].clone(),
                value: r.get(*i).map(|s| s.trim().to_string()).unwrap_or_default(),
            },
            None => Cell {
                column: "@line".into(),
                value: line.to_string(),
            },
        };
        base.insert(field.to_string(), cell);
    }
    for (field, v) in &m.constants {
        base.insert(
            field.clone(),
            Cell {
                column: format!("(constant {field})"),
                value: v.clone(),
            },
        );
    }
    base
}

/// The mapping's `extract` patterns, compiled once per file: each takes named parts of one
/// column's cell as fields.
pub(crate) struct Extractors {
    parts: Vec<(usize, String, regex::Regex)>,
}

impl Extractors {
    /// Compiles the patterns for the file's header; an unknown column, a pattern that does not
    /// compile or a group that is no field of the format (`fields`) is an error.
    pub(crate) fn new(
        file: &str,
        d: &delimited::Delimited,
        m: &Mapping,
        fields: &[&str],
    ) -> Result<Self> {
        let mut parts = Vec::new();
        for (column, pattern) in &m.extract {
            let i = d.find(&[column.as_str()]).ok_or_else(|| {
                Error::input(
                    file,
                    format!(
                        "mapping extract: no column '{column}'; {}",
                        d.header_listing()
                    ),
                )
            })?;
            let re = regex::Regex::new(pattern).map_err(|e| {
                Error::input(
                    file,
                    format!("mapping extract '{column}': not a valid pattern ({e})"),
                )
            })?;
            let groups: Vec<&str> = re.capture_names().flatten().collect();
            if groups.is_empty() {
                return Err(Error::input(
                    file,
                    format!(
                        "mapping extract '{column}': the pattern names no field (write (?P<subject>...))"
                    ),
                ));
            }
            if let Some(g) = groups.iter().find(|g| !fields.contains(g)) {
                return Err(Error::input(
                    file,
                    format!(
                        "mapping extract '{column}': group '{g}' is no field; expected one of {}",
                        fields.join(", ")
                    ),
                ));
            }
            parts.push((i, d.headers[i].clone(), re));
        }
        Ok(Extractors { parts })
    }

    /// Adds each pattern's named groups of record `r` to `f`; the cell that does not match
    /// (its row is to be rejected).
    pub(crate) fn apply(
        &self,
        r: &csv::StringRecord,
        f: &mut BTreeMap<String, Cell>,
    ) -> std::result::Result<(), Cell> {
        for (i, column, re) in &self.parts {
            let value = r.get(*i).unwrap_or("").trim();
            let Some(caps) = re.captures(value) else {
                return Err(Cell {
                    column: column.clone(),
                    value: value.to_string(),
                });
            };
            for name in re.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    f.insert(
                        name.to_string(),
                        Cell {
                            column: column.clone(),
                            value: m.as_str().trim().to_string(),
                        },
                    );
                }
            }
        }
        Ok(())
    }
}

/// The reason a row is rejected when its cell does not match the mapping's `extract` pattern.
pub(crate) const EXTRACT_MISMATCH: &str = "does not match the mapping's extract pattern";

/// Value maps, applied before validation: they may turn "K" into "0" or "RW" into "rekenen".
pub(crate) fn apply_value_maps(m: &Mapping, f: &mut BTreeMap<String, Cell>) {
    for (field, map) in &m.values {
        if let Some(c) = f.get_mut(field)
            && let Some(v) = map.get(&c.value)
        {
            c.value = v.clone();
        }
    }
}

/// Reads a mapped export; returns (rows, records read).
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    m: &Mapping,
    instrument: &str,
    range: [f64; 2],
) -> Result<(Vec<AssessmentRow>, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let cols = resolve_columns(ctx, &d, m)?;
    let extract = Extractors::new(
        &ctx.file,
        &d,
        m,
        &leerwinst_core::pipeline::MAPPED_ASSESSMENT_FIELDS,
    )?;
    let wide: Option<(WideColumns, &str)> = match &m.unpivot {
        None => None,
        Some(u) => {
            let re = Regex::new(&u.columns).map_err(|e| {
                Error::input(&ctx.file, format!("mapping unpivot: bad pattern: {e}"))
            })?;
            let names: Vec<&str> = re.capture_names().flatten().collect();
            if let Some(n) = names
                .iter()
                .find(|n| !leerwinst_core::pipeline::MAPPED_ASSESSMENT_FIELDS.contains(n))
            {
                return Err(Error::input(
                    &ctx.file,
                    format!("mapping unpivot: group '{n}' is not a canonical field"),
                ));
            }
            let matched: WideColumns = d
                .headers
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    let c = re.captures(h.trim())?;
                    let set = names
                        .iter()
                        .filter_map(|n| Some((n.to_string(), c.name(n)?.as_str().to_string())))
                        .collect();
                    Some((i, set))
                })
                .collect();
            if matched.is_empty() {
                return Err(Error::input(
                    &ctx.file,
                    format!(
                        "mapping unpivot: no header matches '{}'; {}",
                        u.columns,
                        d.header_listing()
                    ),
                ));
            }
            Some((matched, u.value.as_str()))
        }
    };

    let mut rows = Vec::new();
    let mut seen: HashSet<(String, String, String, String)> = HashSet::new();
    let mut read = 0;
    for rec in &d.records {
        let Some((line, r)) = well_formed(ctx, Table::Assessments, rec) else {
            read += 1;
            continue;
        };
        let mut base = base_fields(&d, &cols, m, line, r);
        if let Err(c) = extract.apply(r, &mut base) {
            read += 1;
            ctx.reject(
                Table::Assessments,
                line,
                &c.column,
                &c.value,
                EXTRACT_MISMATCH,
            );
            continue;
        }
        match &wide {
            None => {
                read += 1;
                if let Some(row) = record(ctx, m, line, base, instrument, range, &mut seen) {
                    rows.push(row);
                }
            }
            Some((matched, value_field)) => {
                for (i, set) in matched {
                    let raw = r.get(*i).map(|s| s.trim()).unwrap_or("");
                    if raw.is_empty() {
                        continue;
                    }
                    read += 1;
                    let mut fields = base.clone();
                    for (f, v) in set {
                        fields.insert(
                            f.clone(),
                            Cell {
                                column: d.headers[*i].clone(),
                                value: v.clone(),
                            },
                        );
                    }
                    fields.insert(
                        value_field.to_string(),
                        Cell {
                            column: d.headers[*i].clone(),
                            value: raw.to_string(),
                        },
                    );
                    if let Some(row) = record(ctx, m, line, fields, instrument, range, &mut seen) {
                        rows.push(row);
                    }
                }
            }
        }
    }
    Ok((rows, read))
}

/// Why a grade cell is rejected.
pub(crate) const NOT_A_GRADE: &str = "not a grade (expected a whole number -1 to 13, or K)";

/// A grade cell of a mapped export: a whole number from -1 to 13, or K (kindergarten, 0).
pub(crate) fn parse_grade_value(v: &str) -> Option<i32> {
    match v {
        "K" | "k" => Some(0),
        v => v.parse::<i32>().ok().filter(|g| (-1..=13).contains(g)),
    }
}

/// A date cell of a mapped export: a day number from the mapping's `day_zero`, in its
/// `date_format`, else `yyyy-mm-dd`, `dd-mm-yyyy` or `dd/mm/yyyy`.
pub(crate) fn mapped_date(m: &Mapping, v: &str) -> Option<NaiveDate> {
    if m.day_zero.is_some() {
        return m.day_number(v);
    }
    match &m.date_format {
        Some(fmt) => NaiveDate::parse_from_str(v, fmt).ok(),
        None => parse_date_any_year(v),
    }
}

/// Validates one record's fields into an assessment row, or rejects it.
pub(crate) fn record(
    ctx: &mut ReadContext<'_>,
    m: &Mapping,
    line: u64,
    mut f: BTreeMap<String, Cell>,
    instrument: &str,
    range: [f64; 2],
    seen: &mut HashSet<(String, String, String, String)>,
) -> Option<AssessmentRow> {
    apply_value_maps(m, &mut f);
    let calendar = ctx.calendar;
    let mut reject = |c: &Cell, why: &str| {
        ctx.reject(Table::Assessments, line, &c.column, &c.value, why);
    };
    let empty = Cell {
        column: String::new(),
        value: String::new(),
    };
    let get = |k: &str| f.get(k).filter(|c| !c.value.is_empty());
    let id = f.get("pupil_id").unwrap_or(&empty).clone();
    let subject = match get("subject") {
        Some(c) => c.value.to_lowercase(),
        None => {
            reject(f.get("subject").unwrap_or(&empty), "missing subject");
            return None;
        }
    };
    let term_cell = f.get("term").unwrap_or(&empty);
    let term = match term_cell.value.to_ascii_lowercase().as_str() {
        "y" | "year" | "annual" | "jaar" => "Y".to_string(),
        v => match Moment::from_code(v) {
            Some(mo) => mo.code().to_string(),
            None => {
                reject(
                    term_cell,
                    "not a test moment (expected B, M, E, Fall, Winter, Spring or Y for an annual test)",
                );
                return None;
            }
        },
    };
    let grade = match get("grade") {
        None => None,
        Some(c) => match parse_grade_value(&c.value) {
            Some(g) => Some(g),
            None => {
                reject(c, NOT_A_GRADE);
                return None;
            }
        },
    };
    let date = match get("date") {
        None => None,
        Some(c) => match mapped_date(m, &c.value) {
            Some(d) if plausible_year(d.year()) => Some(d),
            Some(d) => {
                reject(c, &implausible_year_reason(d.year()));
                return None;
            }
            None => {
                let why = match (&m.day_zero, &m.date_format) {
                    (Some(zero), _) => format!("not a whole number of days since day_zero {zero}"),
                    (None, Some(fmt)) => format!("not a date in the format {fmt}"),
                    (None, None) => date_reason(
                        &c.value,
                        "not a date (expected yyyy-mm-dd, dd-mm-yyyy or dd/mm/yyyy; set mapping.date_format for others)",
                    ),
                };
                reject(c, &why);
                return None;
            }
        },
    };
    let year = match get("school_year") {
        Some(c) => match SchoolYear::parse(&c.value) {
            Some(y) => y,
            None => {
                reject(c, "not a school year (expected e.g. 2024-2025)");
                return None;
            }
        },
        None => match (date, &m.cohort, grade) {
            (Some(d), _, _) => calendar.year_of(d),
            (None, Some(co), Some(g)) => {
                let Some(base) = SchoolYear::parse(&co.school_year) else {
                    reject(&empty, "cohort school year is not YYYY-YYYY");
                    return None;
                };
                SchoolYear(base.0 + g - co.grade)
            }
            (None, Some(_), None) => {
                reject(
                    f.get("grade").unwrap_or(&empty),
                    "no grade to place the test in the cohort's school year",
                );
                return None;
            }
            (None, None, _) => {
                reject(
                    f.get("date").unwrap_or(&empty),
                    "no date and no school year",
                );
                return None;
            }
        },
    };
    if let Some(d) = date
        && calendar.year_of(d) != year
    {
        reject(
            f.get("date").unwrap_or(&empty),
            &format!("date is not in school year {year}"),
        );
        return None;
    }
    let score_cell = f.get("score").unwrap_or(&empty);
    let Some(score) = parse_number(&score_cell.value) else {
        let why = if score_cell.value.is_empty() {
            "missing score".into()
        } else {
            number_reason(&score_cell.value, "score is not a number")
        };
        reject(score_cell, &why);
        return None;
    };
    if score < range[0] || score > range[1] {
        reject(
            score_cell,
            &format!(
                "score outside the instrument's range [{}, {}]",
                range[0], range[1]
            ),
        );
        return None;
    }
    let sem = match get("sem") {
        None => None,
        Some(c) => match parse_number(&c.value) {
            Some(x) if x > 0.0 => Some(x),
            _ => {
                reject(c, "standard error is not a positive number");
                return None;
            }
        },
    };
    let percentile = match get("percentile") {
        None => None,
        Some(c) => match parse_number(&c.value) {
            Some(x) if (0.0..=100.0).contains(&x) => Some(x),
            _ => {
                reject(c, "percentile is not a number from 0 to 100");
                return None;
            }
        },
    };
    let level = get("level").map(|c| c.value.clone());
    let reference_level = match get("reference_level") {
        None => None,
        Some(c) => match levels::reference_level(&c.value, &subject) {
            Ok(l) => l,
            Err(why) => {
                reject(c, why);
                return None;
            }
        },
    };
    let dle = match get("dle") {
        None => None,
        Some(c) => match levels::dle(&c.value) {
            Ok(v) => v,
            Err(why) => {
                reject(c, why);
                return None;
            }
        },
    };
    let functioning_level =
        get("functioning_level").and_then(|c| levels::functioning_level(&c.value));
    let pupil_key = ctx.pupil_key(Table::Assessments, line, &id.column, &id.value)?;
    if !seen.insert((
        pupil_key.clone(),
        subject.clone(),
        year.to_string(),
        term.clone(),
    )) {
        ctx.reject(
            Table::Assessments,
            line,
            &score_cell.column,
            &score_cell.value,
            "duplicate: this pupil already has this test moment for this subject and year",
        );
        return None;
    }
    Some(AssessmentRow {
        pupil_key,
        subject,
        instrument: instrument.to_string(),
        administered_on: date.map(date32),
        term,
        school_year: year.to_string(),
        grade,
        score,
        sem,
        percentile,
        level,
        reference_level,
        functioning_level,
        dle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;
    use leerwinst_core::pipeline::{Cohort, Unpivot};

    fn run(text: &str, m: &Mapping) -> (Vec<AssessmentRow>, usize, Rejects) {
        let mut ids = IdResolver::with_roster();
        for id in ["P1", "P2", "P3"] {
            ids.add(id, id);
        }
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("mapped", "toetsen.csv", &mut rejects, &ids, &pseudo);
        let (rows, read) = read(&mut ctx, text, m, "eigen-toets", [0.0, 500.0]).unwrap();
        (rows, read, rejects)
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn renames_constants_value_maps_and_a_date_format() {
        let text = "Leerling,Vak,Periode,Groep,Datum,Score\n\
P1,RW,midden,5,01/20/2025,184\n\
P2,BL,eind,5,06/12/2025,201,5\n\
P3,RW,eind,5,13/45/2025,190\n\
P9,RW,eind,5,06/12/2025,190\n\
P1,RW,midden,5,01/21/2025,185\n\
P2,RW,Q,5,06/12/2025,150\n\
P2,SP,eind,5,06/12/2025,999\n";
        let m = Mapping {
            columns: map(&[
                ("pupil_id", "leerling"),
                ("subject", "Vak"),
                ("term", "Periode"),
                ("grade", "Groep"),
                ("date", "Datum"),
                ("score", "Score"),
            ]),
            values: BTreeMap::from([(
                "subject".to_string(),
                map(&[("RW", "rekenen"), ("BL", "lezen"), ("SP", "spelling")]),
            )]),
            date_format: Some("%m/%d/%Y".into()),
            ..Mapping::default()
        };
        let (rows, read, rejects) = run(text, &m);
        assert_eq!(read, 7);
        assert_eq!(rows.len(), 1, "{rows:?}");
        let r = &rows[0];
        assert_eq!(
            (
                r.subject.as_str(),
                r.term.as_str(),
                r.grade,
                r.score,
                r.school_year.as_str()
            ),
            ("rekenen", "M", Some(5), 184.0, "2024-2025")
        );
        let reasons: Vec<(u64, String, String)> = rejects
            .first(100)
            .iter()
            .map(|x| (x.line, x.column.clone(), x.reason.clone()))
            .collect();
        assert_eq!(reasons.len(), 6, "{reasons:?}");
        let has = |line: u64, col: &str, why: &str| {
            assert!(
                reasons
                    .iter()
                    .any(|r| r.0 == line && r.1 == col && r.2.contains(why)),
                "line {line} {col} '{why}' in {reasons:?}"
            )
        };
        has(3, "", "fields");
        has(4, "Datum", "format %m/%d/%Y");
        has(5, "Leerling", "unknown pupil");
        has(6, "Score", "duplicate");
        has(7, "Periode", "not a test moment");
        has(8, "Score", "range");
    }

    #[test]
    fn wide_files_unpivot_by_pattern_with_a_cohort_year() {
        // STAR-like: one column per subject and grade, no dates.
        let text = "id,readk,read1,mathk,math1,other\nP1,430,480,,500,x\nP2,,abc,470,,y\n";
        let m = Mapping {
            columns: map(&[("pupil_id", "id")]),
            constants: map(&[("term", "Y")]),
            values: BTreeMap::from([
                ("grade".to_string(), map(&[("k", "0")])),
                ("subject".to_string(), map(&[("read", "reading")])),
            ]),
            unpivot: Some(Unpivot {
                columns: "^(?P<subject>read|math)(?P<grade>k|[1-3])$".into(),
                value: "score".into(),
            }),
            cohort: Some(Cohort {
                grade: 0,
                school_year: "1985-1986".into(),
            }),
            ..Mapping::default()
        };
        let (rows, read, rejects) = run(text, &m);
        // Non-empty matched cells: P1 readk, read1, math1; P2 read1 (bad), mathk.
        assert_eq!(read, 5);
        assert_eq!(rows.len(), 4);
        assert_eq!(rejects.total(), 1);
        assert_eq!(rejects.first(1)[0].column, "read1");
        let got: Vec<(String, String, Option<i32>, f64)> = rows
            .iter()
            .map(|r| (r.subject.clone(), r.school_year.clone(), r.grade, r.score))
            .collect();
        assert!(got.contains(&("reading".into(), "1985-1986".into(), Some(0), 430.0)));
        assert!(got.contains(&("reading".into(), "1986-1987".into(), Some(1), 480.0)));
        assert!(got.contains(&("math".into(), "1986-1987".into(), Some(1), 500.0)));
        assert!(got.contains(&("math".into(), "1985-1986".into(), Some(0), 470.0)));
        assert!(rows.iter().all(|r| r.term == "Y"));
    }

    #[test]
    fn configuration_errors_name_the_problem() {
        let mut m = Mapping {
            columns: map(&[("pupil_id", "nope")]),
            constants: map(&[
                ("term", "Y"),
                ("subject", "x"),
                ("school_year", "2024-2025"),
            ]),
            unpivot: Some(Unpivot {
                columns: "^s(?P<grade>[0-9])$".into(),
                value: "score".into(),
            }),
            ..Mapping::default()
        };
        assert!(m.validate().is_ok());
        let mut rejects = Rejects::default();
        let ids = IdResolver::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("m", "f.csv", &mut rejects, &ids, &pseudo);
        let e = read(&mut ctx, "id,s1\n1,2\n", &m, "t", [0.0, 9.0]).unwrap_err();
        assert!(e.to_string().contains("column 'nope'"), "{e}");
        m.columns = map(&[("pupil_id", "id")]);
        m.unpivot.as_mut().unwrap().columns = "^(?P<bogus>s)1$".into();
        let e = read(&mut ctx, "id,s1\n1,2\n", &m, "t", [0.0, 9.0]).unwrap_err();
        assert!(e.to_string().contains("'bogus'"), "{e}");
        m.unpivot.as_mut().unwrap().columns = "^t([".into();
        let e = read(&mut ctx, "id,s1\n1,2\n", &m, "t", [0.0, 9.0]).unwrap_err();
        assert!(e.to_string().contains("bad pattern"), "{e}");
        m.unpivot.as_mut().unwrap().columns = "^zz$".into();
        let e = read(&mut ctx, "id,s1\n1,2\n", &m, "t", [0.0, 9.0]).unwrap_err();
        assert!(e.to_string().contains("no header matches"), "{e}");
        // validate(): unknown fields and missing essentials.
        let bad = Mapping {
            columns: map(&[("pupil_id", "id"), ("naam", "x")]),
            ..Mapping::default()
        };
        assert!(bad.validate().unwrap_err().contains("unknown field 'naam'"));
        let bad = Mapping {
            columns: map(&[("pupil_id", "id"), ("score", "s")]),
            constants: map(&[("subject", "x"), ("term", "E")]),
            ..Mapping::default()
        };
        assert!(bad.validate().unwrap_err().contains("school year"));
    }

    #[test]
    fn extract_takes_subject_moment_and_grade_out_of_one_test_name() {
        let text = "Leerling;Toets;Datum;Score\n\
P1;Rekenen-Wiskunde 3.0 M4;20-01-2025;184\n\
P2;Begrijpend Lezen 3.0 E5;12-06-2025;201\n\
P3;Spelling;12-06-2025;150\n";
        let m = Mapping {
            columns: map(&[
                ("pupil_id", "Leerling"),
                ("date", "Datum"),
                ("score", "Score"),
            ]),
            extract: map(&[(
                "Toets",
                r"(?P<subject>.+?) \d\.\d (?P<term>[ME])(?P<grade>\d)",
            )]),
            ..Mapping::default()
        };
        assert!(m.validate().is_ok(), "{:?}", m.validate());
        let (rows, read, rejects) = run(text, &m);
        assert_eq!(read, 3);
        let got: Vec<(&str, i32)> = rows
            .iter()
            .map(|r| (r.subject.as_str(), r.grade.unwrap()))
            .collect();
        assert_eq!(got, [("rekenen-wiskunde", 4), ("begrijpend lezen", 5)]);
        let r = rejects.first(1)[0];
        assert_eq!(
            (r.line, r.column.as_str(), r.reason.as_str()),
            (4, "Toets", EXTRACT_MISMATCH)
        );
        // A group that is no field is an error naming it.
        let bad = Mapping {
            extract: map(&[("Toets", r"(?P<vak>.+)")]),
            ..m.clone()
        };
        let mut ids = IdResolver::with_roster();
        ids.add("P1", "P1");
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("mapped", "toetsen.csv", &mut rejects, &ids, &pseudo);
        let err = super::read(&mut ctx, text, &bad, "t", [0.0, 500.0])
            .unwrap_err()
            .to_string();
        assert!(err.contains("group 'vak' is no field"), "{err}");
    }
}
