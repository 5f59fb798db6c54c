//! Test results from a OneRoster bundle's gradebook: `lineItems.csv` (what was assessed: title,
//! class, category, dates, score range) and `results.csv` (one score per pupil and line item),
//! OneRoster 1.1 and 1.2.
//!
//! A gradebook holds homework and quizzes as well as tests, and OneRoster says nothing of test
//! moments, so the pipeline's `[source.results]` selects the line items that are tests (a
//! regular expression on the title, optionally categories) and says how the title gives the
//! subject, test moment and grade (named groups, constants, value maps). Results of other line
//! items are not test results and are not read. Each selected result then passes the same
//! validation as any mapped test result ([`crate::formats::mapped`]): subject, moment, grade, date in the
//! school year, score in range, one score per pupil, subject, year and moment.
//!
//! Date: the result's `scoreDate`, else the line item's `dueDate`, else its `assignDate`. School
//! year: the class's term (the result's class, else the line item's), and a date outside it is
//! rejected; without a known class, the date's school year. Grade: from the title or a constant, else
//! the class's `grades`. Score range: the line item's `resultValueMin`/`resultValueMax` when both
//! are given, else the source's `score_range`, else [-200, 600]. Rejected besides: results of
//! unknown line items or users, results marked `tobedeleted`, and results whose `scoreStatus` is
//! not `fully graded` (exempt, not submitted, submitted, partially graded).

use std::collections::{BTreeMap, HashMap, HashSet};

use leerwinst_core::pipeline::{Mapping, RosterResults};
use leerwinst_core::{Error, Result, SchoolYear, Table};
use regex::Regex;

use crate::context::ReadContext;
use crate::delimited::Delimited;
use crate::formats::mapped::{Cell, record};
use crate::input::parse_number;
use crate::lookup::{Lookup, LookupCount};
use crate::record_loop::well_formed;
use crate::rows::AssessmentRow;

/// Default plausible score range when neither the line item nor the source gives one.
const DEFAULT_RANGE: [f64; 2] = [-200.0, 600.0];

/// A class as the roster knows it: (school key, grade, school year).
pub(crate) type ClassInfo = HashMap<String, (String, Option<i32>, Option<SchoolYear>)>;

/// The gradebook files of a bundle.
pub(crate) struct Gradebook<'a> {
    /// lineItems.csv and its path.
    pub line_items: (&'a Delimited, String),
    /// categories.csv and its path, when the bundle has one.
    pub categories: Option<(&'a Delimited, String)>,
    /// results.csv.
    pub results: &'a Delimited,
}

/// A selected line item: the fields its title gives, its class and its fallback date and range.
struct Selected {
    fields: BTreeMap<String, Cell>,
    class: Option<String>,
    date: Option<Cell>,
    range: Option<[f64; 2]>,
}

/// A OneRoster date or date-time (`2025-01-20`, `2025-01-20T10:00:00Z`) as its date part.
fn date_part(s: &str) -> &str {
    let s = s.trim();
    s.split_once('T').map_or(s, |(d, _)| d)
}

/// What [`read`] returns: test results, results read, and the counts of the lookup files.
pub(crate) type GradebookRead = (Vec<AssessmentRow>, usize, Vec<LookupCount>);

/// Reads the selected line items' results; returns (rows, results read, the counts of the
/// lookup files categories.csv and lineItems.csv). `ctx.file` must be results.csv and `ctx.ids`
/// the roster's ids.
pub(crate) fn read(
    ctx: &mut ReadContext<'_>,
    book: &Gradebook<'_>,
    sel: &RosterResults,
    classes: &ClassInfo,
    instrument: &str,
    source_range: Option<[f64; 2]>,
) -> Result<GradebookRead> {
    let title_re = Regex::new(&sel.title).map_err(|e| {
        Error::input(
            &book.line_items.1,
            format!("[source.results] title is not a valid regular expression: {e}"),
        )
    })?;
    for name in title_re.capture_names().flatten() {
        if !leerwinst_core::pipeline::ROSTER_RESULT_FIELDS.contains(&name) {
            return Err(Error::input(
                &book.line_items.1,
                format!(
                    "[source.results] title: group '{name}' is not a field (subject, term, grade)"
                ),
            ));
        }
    }
    let (li, li_file) = (book.line_items.0, &book.line_items.1);
    let need = |d: &Delimited, name: &str, file: &str| {
        d.headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::input(
                file,
                format!("required column '{name}' is missing (headers are case-sensitive)"),
            )
        })
    };
    let find = |d: &Delimited, name: &str| d.headers.iter().position(|h| h == name);
    let (l_id, l_title) = (need(li, "sourcedId", li_file)?, need(li, "title", li_file)?);
    let (l_status, l_class, l_cat, l_due, l_assign, l_min, l_max) = (
        find(li, "status"),
        find(li, "classSourcedId"),
        find(li, "categorySourcedId"),
        find(li, "dueDate"),
        find(li, "assignDate"),
        find(li, "resultValueMin"),
        find(li, "resultValueMax"),
    );
    let results_file = std::mem::take(&mut ctx.file);
    let mut lookups = Vec::new();
    // Category titles, for the category filter.
    let mut category_title: HashMap<String, String> = HashMap::new();
    if let Some((c, c_file)) = &book.categories
        && let (Some(ci), Some(ct)) = (find(c, "sourcedId"), find(c, "title"))
    {
        ctx.file = c_file.clone();
        let l = Lookup::read(
            ctx,
            Table::Assessments,
            "categories.csv",
            c,
            ci,
            "sourcedId",
        );
        for (id, (_, r)) in &l.entries {
            category_title.insert(id.clone(), r[ct].trim().to_lowercase());
        }
        lookups.push(l.count());
    }
    ctx.file = li_file.clone();
    let items = Lookup::read(
        ctx,
        Table::Assessments,
        "lineItems.csv",
        li,
        l_id,
        "sourcedId",
    );
    lookups.push(items.count());
    ctx.file = results_file;
    let wanted: HashSet<String> = sel.categories.iter().map(|c| c.to_lowercase()).collect();
    let mut selected: HashMap<String, Selected> = HashMap::new();
    for (id, (_, r)) in &items.entries {
        let id = id.clone();
        if l_status.is_some_and(|i| r[i].trim() == "tobedeleted") {
            continue;
        }
        if !wanted.is_empty() {
            let cat = l_cat.and_then(|i| category_title.get(r[i].trim()));
            if !cat.is_some_and(|c| wanted.contains(c)) {
                continue;
            }
        }
        let Some(caps) = title_re.captures(r[l_title].trim()) else {
            continue;
        };
        let mut fields = BTreeMap::new();
        for name in title_re.capture_names().flatten() {
            if let Some(m) = caps.name(name) {
                fields.insert(
                    name.to_string(),
                    Cell {
                        column: "lineItems.title".into(),
                        value: m.as_str().trim().to_string(),
                    },
                );
            }
        }
        for (field, v) in &sel.constants {
            fields.entry(field.clone()).or_insert_with(|| Cell {
                column: format!("(constant {field})"),
                value: v.clone(),
            });
        }
        let date = [
            (l_due, "lineItems.dueDate"),
            (l_assign, "lineItems.assignDate"),
        ]
        .into_iter()
        .find_map(|(c, name)| {
            let v = date_part(&r[c?]);
            (!v.is_empty()).then(|| Cell {
                column: name.into(),
                value: v.to_string(),
            })
        });
        let bound = |c: Option<usize>| c.and_then(|i| parse_number(&r[i]));
        let range = match (bound(l_min), bound(l_max)) {
            (Some(lo), Some(hi)) if lo <= hi => Some([lo, hi]),
            _ => None,
        };
        selected.insert(
            id,
            Selected {
                fields,
                class: l_class
                    .map(|i| r[i].trim().to_string())
                    .filter(|c| !c.is_empty()),
                date,
                range,
            },
        );
    }

    let res = book.results;
    let rf = ctx.file.clone();
    let (r_item, r_student, r_score) = (
        need(res, "lineItemSourcedId", &rf)?,
        need(res, "studentSourcedId", &rf)?,
        need(res, "score", &rf)?,
    );
    let (r_status, r_score_status, r_date, r_class) = (
        find(res, "status"),
        find(res, "scoreStatus"),
        find(res, "scoreDate"),
        find(res, "classSourcedId"),
    );
    let mapping = Mapping {
        values: sel.values.clone(),
        ..Mapping::default()
    };
    let t = Table::Assessments;
    let mut rows = Vec::new();
    let mut read = 0;
    let mut seen = HashSet::new();
    for rec in &res.records {
        let Some((line, r)) = well_formed(ctx, t, rec) else {
            read += 1;
            continue;
        };
        let item = r[r_item].trim();
        let Some(s) = selected.get(item) else {
            if !items.has(item) {
                read += 1;
                let why = items.missing_reason("lineItemSourcedId", item);
                ctx.reject(t, line, "lineItemSourcedId", item, &why);
            }
            // A result of a line item that is not a test is not a test result.
            continue;
        };
        read += 1;
        if r_status.is_some_and(|i| r[i].trim() == "tobedeleted") {
            ctx.reject(
                t,
                line,
                "status",
                "tobedeleted",
                "result withdrawn by the source system (status tobedeleted)",
            );
            continue;
        }
        if let Some(i) = r_score_status {
            let st = r[i].trim();
            if !st.is_empty() && !st.eq_ignore_ascii_case("fully graded") {
                ctx.reject(
                    t,
                    line,
                    "scoreStatus",
                    st,
                    "not a final score (scoreStatus is not 'fully graded')",
                );
                continue;
            }
        }
        let mut f = s.fields.clone();
        f.insert(
            "pupil_id".into(),
            Cell {
                column: "studentSourcedId".into(),
                value: r[r_student].trim().to_string(),
            },
        );
        f.insert(
            "score".into(),
            Cell {
                column: "score".into(),
                value: r[r_score].trim().to_string(),
            },
        );
        let scored = r_date
            .map(|i| date_part(&r[i]))
            .filter(|v| !v.is_empty())
            .map(|v| Cell {
                column: "scoreDate".into(),
                value: v.to_string(),
            });
        if let Some(d) = scored.or_else(|| s.date.clone()) {
            f.insert("date".into(), d);
        }
        let class = r_class
            .map(|i| r[i].trim().to_string())
            .filter(|c| !c.is_empty())
            .or_else(|| s.class.clone());
        if let Some((_, grade, year)) = class.as_ref().and_then(|c| classes.get(c)) {
            if let Some(g) = grade {
                f.entry("grade".into()).or_insert_with(|| Cell {
                    column: "classes.grades".into(),
                    value: g.to_string(),
                });
            }
            // The class's school year; a date outside it is rejected.
            if let Some(y) = year {
                f.insert(
                    "school_year".into(),
                    Cell {
                        column: "classes.termSourcedIds".into(),
                        value: y.to_string(),
                    },
                );
            }
        }
        let range = s.range.or(source_range).unwrap_or(DEFAULT_RANGE);
        if let Some(row) = record(ctx, &mapping, line, f, instrument, range, &mut seen) {
            rows.push(row);
        }
    }
    Ok((rows, read, lookups))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::delimited;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    const LINE_ITEMS: &str = "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,classSourcedId,categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax
li-1,active,2025-02-01T00:00:00Z,Rekenen M6,,2025-01-13,2025-01-24,cls-6a,cat-lvs,gp-1,0,300
li-2,active,2025-02-01T00:00:00Z,Huiswerk breuken,,2025-01-13,2025-01-17,cls-6a,cat-hw,gp-1,0,10
li-3,active,2025-06-01T00:00:00Z,Spelling E6,,,,cls-6a,cat-lvs,gp-1,,
li-4,tobedeleted,2025-02-01T00:00:00Z,Rekenen E6,,,,cls-6a,cat-lvs,gp-1,,
li-5,active,2025-02-01T00:00:00Z,Rekenen M6 (oefentoets),,2025-01-06,2025-01-10,cls-6a,cat-hw,gp-1,,
";
    const CATEGORIES: &str = "sourcedId,status,dateLastModified,title
cat-lvs,active,2025-02-01T00:00:00Z,LVS-toetsen
cat-hw,active,2025-02-01T00:00:00Z,Huiswerk
";
    const RESULTS: &str = "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment
r-1,active,2025-02-01T00:00:00Z,li-1,usr-1,fully graded,184,2025-01-21,
r-2,active,2025-02-01T00:00:00Z,li-1,usr-2,fully graded,171.5,2025-01-22T09:00:00Z,
r-3,active,2025-02-01T00:00:00Z,li-2,usr-1,fully graded,8,2025-01-17,
r-4,active,2025-06-20T00:00:00Z,li-3,usr-1,fully graded,140,,
r-5,active,2025-02-01T00:00:00Z,li-1,usr-3,exempt,,,
r-6,active,2025-02-01T00:00:00Z,li-1,usr-9,fully graded,150,2025-01-21,
r-7,active,2025-02-01T00:00:00Z,li-1,usr-1,fully graded,185,2025-01-23,
r-8,active,2025-02-01T00:00:00Z,li-1,usr-2,fully graded,350,2025-01-21,
r-9,tobedeleted,2025-02-01T00:00:00Z,li-3,usr-2,fully graded,120,,
r-10,active,2025-02-01T00:00:00Z,li-77,usr-2,fully graded,120,,
r-11,active,2025-02-01T00:00:00Z,li-4,usr-2,fully graded,120,,
r-12,active,2025-02-01T00:00:00Z,li-1,usr-2,fully graded,160,2024-06-01,
";

    /// Reads the fixture's gradebook with selection `sel`: (rows and results read, or the
    /// error; the rejects).
    fn attempt(sel: &RosterResults) -> (Result<GradebookRead>, Rejects) {
        let (li, cat, res) = (
            delimited::parse(LINE_ITEMS, "lineItems.csv").unwrap(),
            delimited::parse(CATEGORIES, "categories.csv").unwrap(),
            delimited::parse(RESULTS, "results.csv").unwrap(),
        );
        let mut ids = IdResolver::with_roster();
        for u in ["usr-1", "usr-2", "usr-3"] {
            ids.add(u, u);
        }
        let mut classes = ClassInfo::new();
        classes.insert(
            "cls-6a".into(),
            ("20KL".into(), Some(6), SchoolYear::parse("2024-2025")),
        );
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("rooster", "results.csv", &mut rejects, &ids, &pseudo);
        let book = Gradebook {
            line_items: (&li, "lineItems.csv".into()),
            categories: Some((&cat, "categories.csv".into())),
            results: &res,
        };
        let got = read(&mut ctx, &book, sel, &classes, "oneroster", None);
        (got, rejects)
    }

    fn run(sel: &RosterResults) -> (Vec<AssessmentRow>, usize, Rejects) {
        let (got, rejects) = attempt(sel);
        let (rows, read, _) = got.unwrap();
        (rows, read, rejects)
    }

    fn lvs_selection() -> RosterResults {
        RosterResults {
            title: r"^(?P<subject>Rekenen|Spelling) (?P<term>[ME])(?P<grade>\d)$".into(),
            categories: vec!["lvs-toetsen".into()],
            values: [(
                "subject".to_string(),
                [("Rekenen".to_string(), "rekenen-wiskunde".to_string())].into(),
            )]
            .into(),
            ..Default::default()
        }
    }

    #[test]
    fn selected_line_items_become_test_results_and_every_bad_result_is_rejected() {
        let (rows, read, rejects) = run(&lvs_selection());
        // li-2 and li-5 (homework) are not tests: r-3 is not read. li-4 is withdrawn, so r-11 is
        // a result of no selected line item and not read either; li-77 is unknown (r-10).
        assert_eq!(read, 10);
        assert_eq!(read, rows.len() + rejects.total());
        let got: Vec<(&str, &str, &str, Option<i32>, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r.pupil_key.as_str(),
                    r.subject.as_str(),
                    r.term.as_str(),
                    r.grade,
                    r.score,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("usr-1", "rekenen-wiskunde", "M", Some(6), 184.0),
                ("usr-2", "rekenen-wiskunde", "M", Some(6), 171.5),
                ("usr-1", "spelling", "E", Some(6), 140.0),
            ]
        );
        assert_eq!(rows[0].school_year, "2024-2025");
        assert!(rows[0].administered_on.is_some());
        // Spelling E6 has no dates: the class's school year, no date.
        assert_eq!(rows[2].administered_on, None);
        assert_eq!(rows[2].school_year, "2024-2025");
        let reasons = rejects.line_reasons(20);
        for want in [
            "6: not a final score",
            "7: unknown pupil",
            "8: duplicate",
            "9: score outside the instrument's range [0, 300]",
            "10: result withdrawn",
            "11: lineItemSourcedId is not in lineItems.csv",
            "13: date is not in school year 2024-2025",
        ] {
            assert!(
                reasons.iter().any(|r| r.starts_with(want)),
                "{want} not in {reasons:?}"
            );
        }
    }

    #[test]
    fn without_a_category_filter_any_matching_title_is_a_test_and_bad_patterns_are_errors() {
        let sel = RosterResults {
            title: r"^Rekenen (?P<term>M)6".into(),
            constants: [("subject".to_string(), "rekenen".to_string())].into(),
            ..Default::default()
        };
        let (rows, _, _) = run(&sel);
        // li-1 and the practice test li-5 (no results) both match.
        assert!(rows.iter().all(|r| r.subject == "rekenen" && r.term == "M"));
        assert_eq!(rows.len(), 2);
        for (title, why) in [
            ("(unclosed", "not a valid regular expression"),
            ("(?P<vak>x)", "group 'vak' is not a field"),
        ] {
            let sel = RosterResults {
                title: title.into(),
                ..Default::default()
            };
            let err = attempt(&sel).0.unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        }
    }
}
