//! Dutch LVS test-results exports (Cito via ParnasSys/ESIS and the like): `;`-separated, decimal
//! comma, `dd-mm-yyyy` dates, toetsmoment `M4`/`E4` (moment + jaargroep), vaardigheidsscore with
//! its standard error of measurement, niveau I-V or A-E, and where exported the referentieniveau,
//! functioneringsniveau and DLE (`crate::levels`).

use std::collections::HashSet;

use leerwinst_core::term::{LvsMoment, date32};
use leerwinst_core::{Error, Result, SchoolYear, Table};

use crate::context::ReadContext;
use crate::delimited;
use crate::delimited::Column;
use crate::input::{date_reason, number_reason, parse_date, parse_number};
use crate::levels;
use crate::record_loop::each_record;
use crate::rows::AssessmentRow;

/// Default plausible score range of an instrument; scores outside are rejected.
pub const DEFAULT_SCORE_RANGE: [f64; 2] = [-200.0, 600.0];

/// Canonical subject of an LVS test name (`Rekenen-Wiskunde 3.0` -> `rekenen`).
pub fn subject_of(test: &str) -> String {
    let t = test.to_lowercase();
    if t.contains("rekenen") || t.contains("wiskunde") {
        "rekenen".into()
    } else if t.contains("begrijpend") || t.contains("lezen") || t.contains("lees") {
        "lezen".into()
    } else if t.contains("spelling") {
        "spelling".into()
    } else {
        // Keep unknown tests under their own name, without a version suffix.
        t.split_whitespace()
            .filter(|w| !w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const PUPIL_ID: Column = Column::required(
    "pupil id",
    &[
        "leerlingnummer",
        "leerling_id",
        "leerlingid",
        "leerling",
        "pupil_id",
    ],
);
const TEST: Column = Column::required("test", &["toets", "vak", "toetsnaam", "leergebied"]);
const MOMENT: Column = Column::required("test moment", &["toetsmoment", "moment", "afnamemoment"])
    .note("`M4`, `E4`, `B3`: moment + jaargroep 1–8");
const DATE: Column = Column::required("date", &["afnamedatum", "datum", "toetsdatum"]);
const SCORE: Column = Column::required(
    "score",
    &["vaardigheidsscore", "vs", "score", "vaardigheid"],
);
const SEM: Column = Column::optional("SEM", &["standaardmeetfout", "sem", "meetfout"]);
const LEVEL: Column = Column::optional("level", &["niveau", "niveauscore"]).note("I–V, A–E");
const PERCENTILE: Column = Column::optional("percentile", &["percentiel", "percentile"]);
const SCHOOL_YEAR: Column =
    Column::optional("school year", &["schooljaar"]).note("else from the date");
const REFERENCE_LEVEL: Column = Column::optional(
    "reference level",
    &[
        "referentieniveau",
        "referentie niveau",
        "ref. niveau",
        "refniveau",
        "referentieniveau indicatie",
    ],
)
.note(
    "`1F`, `2F`, `1S`, `1S/2F`; below 1F as `<1F`, `onder 1F`, `niet 1F`, `lager dan 1F`, `beneden 1F`; `3F` counts as the target reached; empty or `-` = none",
);
const FUNCTIONING_LEVEL: Column = Column::optional(
    "functioning level",
    &["functioneringsniveau", "functioneringsniveau (fn)"],
)
.note("kept as exported, e.g. `E5`, `M6+`");
const DLE: Column =
    Column::optional("DLE", &["dle", "didactische leeftijdsequivalent"]).note("months, 0–100");

/// The columns of an LVS export ([`crate::columns`]).
pub const COLUMNS: &[Column] = &[
    PUPIL_ID,
    TEST,
    MOMENT,
    DATE,
    SCORE,
    SEM,
    LEVEL,
    PERCENTILE,
    SCHOOL_YEAR,
    REFERENCE_LEVEL,
    FUNCTIONING_LEVEL,
    DLE,
];

/// Reads an LVS export; returns (rows, rows read).
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    instrument: &str,
    range: [f64; 2],
) -> Result<(Vec<AssessmentRow>, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let need = |aliases: &[&str], what: &str| {
        d.find(aliases).ok_or_else(|| {
            Error::input(
                &ctx.file,
                format!(
                    "no {what} column ({}); {}",
                    aliases.join(" / "),
                    d.header_listing()
                ),
            )
        })
    };
    let c_id = need(PUPIL_ID.names, PUPIL_ID.what)?;
    let c_test = need(TEST.names, TEST.what)?;
    let c_moment = need(MOMENT.names, MOMENT.what)?;
    let c_date = need(DATE.names, DATE.what)?;
    let c_score = need(SCORE.names, SCORE.what)?;
    let c_sem = d.find(SEM.names);
    let c_level = d.find(LEVEL.names);
    let c_pct = d.find(PERCENTILE.names);
    let c_year = d.find(SCHOOL_YEAR.names);
    let c_ref = d.find(REFERENCE_LEVEL.names);
    let c_func = d.find(FUNCTIONING_LEVEL.names);
    let c_dle = d.find(DLE.names);
    let h = |i: usize| d.headers[i].clone();

    let mut seen: HashSet<(String, String, String, String)> = HashSet::new();
    let (rows, read) = each_record(ctx, Table::Assessments, &d, |row, r| {
        let pupil_key = row.pupil_key(&h(c_id), &r[c_id])?;
        let test = r[c_test].trim();
        if test.is_empty() {
            return row.reject(&h(c_test), "", "missing test name");
        }
        let moment = row.required(
            &h(c_moment),
            &r[c_moment],
            LvsMoment::parse,
            "not a test moment (expected e.g. M4 or E4)",
        )?;
        let Some(date) = parse_date(&r[c_date]) else {
            return row.reject(
                &h(c_date),
                &r[c_date],
                &date_reason(&r[c_date], "not a date (expected dd-mm-yyyy)"),
            );
        };
        let raw_score = r[c_score].trim();
        let Some(score) = parse_number(raw_score) else {
            let why = if raw_score.is_empty() {
                "missing score".into()
            } else {
                number_reason(raw_score, "score is not a number (absent or not taken?)")
            };
            return row.reject(&h(c_score), raw_score, &why);
        };
        if score < range[0] || score > range[1] {
            return row.reject(
                &h(c_score),
                raw_score,
                &format!(
                    "score outside the instrument's range [{}, {}]",
                    range[0], range[1]
                ),
            );
        }
        let sem = match c_sem.map(|i| r[i].trim()) {
            None | Some("") => None,
            Some(v) => match parse_number(v) {
                Some(x) if x > 0.0 && x <= range[1] - range[0] => Some(x),
                parsed => {
                    let reason = if parsed.is_some_and(|x| x > 0.0) {
                        "standard error larger than the instrument's whole range"
                    } else {
                        "standard error is not a positive number"
                    };
                    return row.reject(&h(c_sem.unwrap_or_default()), v, reason);
                }
            },
        };
        let year = match c_year {
            Some(i) => row.optional(&h(i), r[i].trim(), SchoolYear::parse, "not a school year")?,
            None => None,
        };
        let year = year.unwrap_or_else(|| row.ctx.calendar.year_of(date));
        if row.ctx.calendar.year_of(date) != year {
            return row.reject(
                &h(c_date),
                &r[c_date],
                &format!("date is not in school year {year}"),
            );
        }
        let subject = subject_of(test);
        let reference_level = match c_ref.map(|i| levels::reference_level(&r[i], &subject)) {
            None | Some(Ok(None)) => None,
            Some(Ok(level)) => level,
            Some(Err(why)) => {
                let i = c_ref.unwrap_or_default();
                return row.reject(&h(i), &r[i], why);
            }
        };
        let dle = match c_dle.map(|i| levels::dle(&r[i])) {
            None | Some(Ok(None)) => None,
            Some(Ok(v)) => v,
            Some(Err(why)) => {
                let i = c_dle.unwrap_or_default();
                return row.reject(&h(i), &r[i], why);
            }
        };
        // An unreadable percentile is a reject, never a silent empty cell.
        let percentile = match c_pct.map(|i| (i, r[i].trim())) {
            None | Some((_, "")) => None,
            Some((i, v)) => match parse_number(v) {
                Some(x) if (0.0..=100.0).contains(&x) => Some(x),
                _ => {
                    return row.reject(&h(i), v, "percentile is not a number from 0 to 100");
                }
            },
        };
        let term = moment.moment.code().to_string();
        if !seen.insert((
            pupil_key.clone(),
            subject.clone(),
            year.to_string(),
            term.clone(),
        )) {
            return row.reject(
                &h(c_moment),
                &r[c_moment],
                "duplicate: this pupil already has this test moment for this subject and year",
            );
        }
        Some(AssessmentRow {
            pupil_key,
            subject,
            instrument: instrument.to_string(),
            administered_on: Some(date32(date)),
            term,
            school_year: year.to_string(),
            grade: Some(moment.grade),
            score,
            sem,
            percentile,
            level: c_level
                .map(|i| r[i].trim().to_string())
                .filter(|s| !s.is_empty()),
            reference_level,
            functioning_level: c_func.and_then(|i| levels::functioning_level(&r[i])),
            dle,
        })
    });
    Ok((rows, read))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    /// Reads `text` (file `x.csv`) without a pupil list or pseudonyms, in the default calendar:
    /// the rows and lines read, or the error, and the rejects.
    fn read_plain(text: &str) -> (Result<(Vec<AssessmentRow>, usize)>, Rejects) {
        read_in(text, Default::default())
    }

    /// [`read_plain`] in the school calendar `calendar`.
    fn read_in(
        text: &str,
        calendar: leerwinst_core::Calendar,
    ) -> (Result<(Vec<AssessmentRow>, usize)>, Rejects) {
        let (ids, pseudo) = (IdResolver::default(), Pseudonymiser::off());
        let mut rejects = Rejects::default();
        let mut ctx =
            ReadContext::new("lvs", "x.csv", &mut rejects, &ids, &pseudo).with_calendar(calendar);
        let read = read(&mut ctx, text, "cito-lvs", DEFAULT_SCORE_RANGE);
        (read, rejects)
    }

    const EXPORT: &str = "Leerlingnummer;Achternaam;Voornaam;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Standaardmeetfout;Niveau\n\
L1;Jansen;Emma;Rekenen-Wiskunde 3.0;M5;20-01-2025;184;4,6;II\n\
L1;Jansen;Emma;Begrijpend Lezen 3.0;E5;12-06-2025;201;5,1;I\n\
L1;Jansen;Emma;Rekenen-Wiskunde 3.0;M5;21-01-2025;185;4,6;II\n\
L2;Smit;Daan;Spelling 3.0;E5;31-02-2025;150;4,0;III\n\
L2;Smit;Daan;Spelling 3.0;E5;12-06-2025;afw.;;\n\
L9;Bos;Sem;Spelling 3.0;E5;12-06-2025;150;4,0;III\n\
L2;Smit;Daan;Spelling 3.0;X5;12-06-2025;150;4,0;III\n\
L2;Smit;Daan;Spelling 3.0;E5;12-06-2025;9999;4,0;III\n\
L2;Smit;Daan;Spelling 3.0;E5;12-06-2025;150;-1;III\n";

    #[test]
    fn reads_good_rows_and_rejects_each_bad_one_with_its_reason() {
        let mut ids = IdResolver::with_roster();
        ids.add("L1", "L1");
        ids.add("L2", "L2");
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::keyed(b"0123456789abcdef");
        let mut ctx = ReadContext::new("lvs", "x.csv", &mut rejects, &ids, &pseudo);
        let (rows, read) = read(&mut ctx, EXPORT, "cito-lvs", DEFAULT_SCORE_RANGE).unwrap();
        assert_eq!(read, 9);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].subject, "rekenen");
        assert_eq!(rows[0].term, "M");
        assert_eq!(rows[0].grade, Some(5));
        assert_eq!(rows[0].sem, Some(4.6));
        assert_eq!(rows[0].school_year, "2024-2025");
        assert_eq!(rows[1].subject, "lezen");
        assert_eq!(rejects.total(), 7);
        let reasons: Vec<_> = rejects
            .first(10)
            .iter()
            .map(|r| (r.line, r.reason.clone()))
            .collect();
        assert!(reasons[0].1.starts_with("duplicate"), "{reasons:?}");
        assert!(reasons[1].1.starts_with("not a date"));
        assert!(reasons[2].1.contains("not a number"));
        assert!(reasons[3].1.starts_with("unknown pupil"));
        assert!(reasons[4].1.starts_with("not a test moment"));
        assert!(reasons[5].1.contains("range"));
        assert!(reasons[6].1.contains("positive"));
        assert_eq!(
            reasons.iter().map(|r| r.0).collect::<Vec<_>>(),
            [4, 5, 6, 7, 8, 9, 10]
        );
        // The unknown pupil's id is shown pseudonymised only.
        assert!(rejects.first(10).iter().all(|r| !r.value.contains("L9")));
    }

    #[test]
    fn the_school_year_follows_the_pipelines_calendar() {
        use leerwinst_core::term::TermStart;
        let text = "Leerlingnummer;Achternaam;Roepnaam;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore\n\
                    L1;Jansen;Emma;Rekenen-Wiskunde 3.0;B5;25-08-2025;60\n";
        let year_of = |calendar| {
            let (rows, _) = read_in(text, calendar).0.unwrap();
            rows[0].school_year.clone()
        };
        // 25 August: a new Dutch school year (from 1 August), still the old Flemish one.
        assert_eq!(year_of(Default::default()), "2025-2026");
        let flanders = leerwinst_core::Calendar::new(TermStart { month: 9, day: 1 }).unwrap();
        assert_eq!(year_of(flanders), "2024-2025");
    }

    #[test]
    fn reference_level_functioning_level_and_dle_are_read_where_exported() {
        let text = "Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Referentieniveau;Functioneringsniveau;DLE\n\
                    L1;Rekenen-Wiskunde 3.0;M8;20-01-2025;250;1S/2F;E8;58\n\
                    L1;Begrijpend Lezen 3.0;M8;21-01-2025;240;onder 1F;M6+;41,5\n\
                    L1;Spelling 3.0;M8;22-01-2025;230;;;\n\
                    L2;Rekenen-Wiskunde 3.0;M8;20-01-2025;250;III;E8;58\n\
                    L2;Begrijpend Lezen 3.0;M8;21-01-2025;240;2F;E8;140\n";
        // A percentile column: an unreadable one is a reject too.
        let with_pct = "Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Percentiel\n\
                        L1;Rekenen-Wiskunde 3.0;M8;20-01-2025;250;73\n\
                        L1;Begrijpend Lezen 3.0;M8;21-01-2025;240;hoog\n\
                        L1;Spelling 3.0;M8;22-01-2025;230;\n";
        let (read, rejects) = read_plain(text);
        let (rows, read) = read.unwrap();
        assert_eq!((read, rows.len()), (5, 3));
        assert_eq!(rows[0].reference_level, Some("1S"), "1S/2F in maths is 1S");
        assert_eq!(
            (rows[0].functioning_level.as_deref(), rows[0].dle),
            (Some("E8"), Some(58.0))
        );
        assert_eq!(rows[1].reference_level, Some("<1F"));
        assert_eq!(rows[1].dle, Some(41.5));
        assert_eq!(
            (
                rows[2].reference_level,
                rows[2].functioning_level.as_deref(),
                rows[2].dle
            ),
            (None, None, None),
            "empty cells are no value"
        );
        let reasons: Vec<_> = rejects
            .first(10)
            .into_iter()
            .map(|r| (r.line, r.column.clone(), r.reason.clone()))
            .collect();
        assert_eq!(reasons[0].0, 5);
        assert_eq!(reasons[0].1, "Referentieniveau");
        assert!(reasons[0].2.starts_with("not a reference level"));
        assert_eq!((reasons[1].0, reasons[1].1.as_str()), (6, "DLE"));

        let (read, rejects) = read_plain(with_pct);
        let (rows, _) = read.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.percentile).collect::<Vec<_>>(),
            [Some(73.0), None]
        );
        let r = &rejects.first(1)[0];
        assert_eq!((r.line, r.column.as_str()), (3, "Percentiel"));
        assert!(r.reason.starts_with("percentile is not a number"));
    }

    #[test]
    fn missing_required_column_is_a_clear_error() {
        let err = read_plain("Leerlingnummer;Toets\nL1;R\n")
            .0
            .unwrap_err()
            .to_string();
        assert!(err.contains("test moment"), "{err}");
    }

    #[test]
    fn subjects() {
        assert_eq!(subject_of("Rekenen-Wiskunde 3.0"), "rekenen");
        assert_eq!(subject_of("Begrijpend Lezen"), "lezen");
        assert_eq!(subject_of("Spelling 3.0"), "spelling");
        assert_eq!(subject_of("Woordenschat 3.0"), "woordenschat");
    }

    /// The same export saved from Excel (`tests/fixtures/lvs.xlsx`, written by
    /// `tests/fixtures/make_lvs_xlsx.py`): real dates, a line break and a semicolon inside
    /// cells, an empty row; sheet rows are the reject lines.
    #[test]
    fn reads_an_excel_export() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/lvs.xlsx");
        let (text, info) = crate::input::read_text(&path).unwrap();
        assert_eq!(info.encoding, "xlsx");
        let mut ids = IdResolver::with_roster();
        ids.add("L1", "L1");
        ids.add("L2", "L2");
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("lvs", "lvs.xlsx", &mut rejects, &ids, &pseudo);
        let (rows, read) = read(&mut ctx, &text, "cito-lvs", DEFAULT_SCORE_RANGE).unwrap();
        assert_eq!((read, rows.len(), rejects.total()), (4, 3, 1));
        assert_eq!(
            rows[0].administered_on,
            Some(date32(
                chrono::NaiveDate::from_ymd_opt(2025, 1, 20).unwrap()
            ))
        );
        assert_eq!((rows[0].score, rows[0].sem), (184.0, Some(4.6)));
        assert_eq!((rows[1].subject.as_str(), rows[1].score), ("lezen", 201.5));
        // The semicolon inside "Spelling; versie 3" was quoted: the row kept its 9 fields.
        assert_eq!(
            (rows[2].subject.as_str(), rows[2].score),
            ("spelling", 150.0)
        );
        let r = &rejects.first(1)[0];
        assert_eq!(r.line, 6, "the sheet row of the absent pupil");
        assert!(r.reason.contains("not a number"));
    }
}
