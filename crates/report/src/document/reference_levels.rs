//! The review's section on the Dutch reference levels (*referentieniveaus*): per school and
//! subject, the share of pupils reaching 1F and 1S/2F on the last test moment of the highest
//! grade with levels, the latest three school years taken together as the inspectorate does,
//! beside the inspectorate's signalling values (`indicators/reference_levels`, made by
//! `transform::reference_levels`). A school below the minimum group size shows "n < N".

use std::collections::BTreeMap;

use leerwinst_core::Moment;
use leerwinst_core::reference_level::pooled_years;
use leerwinst_store::{Frame, opt};

use super::Block;
use crate::text::Texts;

/// A school's pooled figures for one subject.
#[derive(Debug, Default)]
struct Pooled {
    programme: bool,
    n: i64,
    n_1f: i64,
    n_target: i64,
    signal_1f: f64,
    signal_target: Option<f64>,
}

/// A share as a percentage: whole when it is whole, else one decimal (47,3%).
fn percent(t: &Texts, share: f64) -> String {
    let p = 100.0 * share;
    let places = if (p - p.round()).abs() < 1e-9 { 0 } else { 1 };
    format!("{}%", t.number(p, places))
}

/// The test a row stands for: `M8` for a Dutch moment, `Spring, grade 5` otherwise.
fn test_label(t: &Texts, term: &str, grade: i32) -> String {
    if matches!(term, "B" | "M" | "E") {
        format!("{term}{grade}")
    } else {
        format!("{term}, {} {grade}", t.t("groep", "grade"))
    }
}

/// The pooled rows per subject, in school order.
fn group_by_subject<'a>(
    pooled: &'a BTreeMap<(&'a str, &'a str), Pooled>,
) -> BTreeMap<&'a str, Vec<(&'a str, &'a Pooled)>> {
    let mut out: BTreeMap<&str, Vec<(&str, &Pooled)>> = BTreeMap::new();
    for ((subject, school), p) in pooled {
        out.entry(subject).or_default().push((school, p));
    }
    out
}

/// The figure cells of a pooled row: pupils, shares and signalling values and which signals it
/// is below; `n < N` and empty cells below the minimum.
fn figures(t: &Texts, p: &Pooled, min_n: usize) -> Vec<String> {
    if p.n < min_n as i64 {
        let mut cells = vec![format!("n < {min_n}")];
        cells.extend(std::iter::repeat_n(String::new(), 5));
        return cells;
    }
    let share_1f = p.n_1f as f64 / p.n as f64;
    let share_target = p.n_target as f64 / p.n as f64;
    let below_1f = share_1f < p.signal_1f;
    let below_target = p.signal_target.is_some_and(|s| share_target < s);
    let verdict = match (below_1f, below_target, p.signal_target.is_some()) {
        (false, false, true) => t.t("nee", "no"),
        // Without a 1S/2F signalling value a bare "no" would claim more than was checked.
        (false, false, false) => t.t("nee (1F)", "no (1F)"),
        (true, false, _) => "1F",
        (false, true, _) => "1S/2F",
        (true, true, _) => t.t("1F en 1S/2F", "1F and 1S/2F"),
    };
    vec![
        p.n.to_string(),
        percent(t, share_1f),
        percent(t, p.signal_1f),
        percent(t, share_target),
        p.signal_target.map(|s| percent(t, s)).unwrap_or_default(),
        verdict.to_string(),
    ]
}

/// The tests the section shows and their pooled figures.
struct PooledTests<'a> {
    /// The school years pooled, oldest first.
    years: Vec<String>,
    /// Per subject, the test shown: the highest grade, then its latest moment (grade, moment,
    /// term as written).
    test_of: BTreeMap<&'a str, (i32, Option<Moment>, &'a str)>,
    /// (subject, school) -> the pooled figures of that test; the latest year's programme flag and
    /// signalling values.
    pooled: BTreeMap<(&'a str, &'a str), Pooled>,
}

/// Pools the table's rows of the latest school years (the inspectorate's three) per subject and
/// school, for the board (`school` None) or one school.
fn pool<'a>(f: &'a Frame, school: Option<&str>) -> PooledTests<'a> {
    let (year, sk, subj, grade, term, prog) = (
        f.str("school_year"),
        f.str("school_key"),
        f.str("subject"),
        f.i32("grade"),
        f.str("term"),
        f.bool("programme"),
    );
    let (n, n_1f, n_target, signal_1f, signal_target) = (
        f.i64("n"),
        f.i64("n_1f"),
        f.i64("n_target"),
        f.f64("signal_1f"),
        f.f64("signal_target"),
    );
    let years = pooled_years((0..f.len()).map(|i| year.value(i)));
    let in_pool: Vec<usize> = (0..f.len())
        .filter(|&i| years.iter().any(|y| y == year.value(i)))
        .collect();
    // Per subject, the test the review shows: the highest grade, then its latest moment.
    let mut test_of: BTreeMap<&str, (i32, Option<Moment>, &str)> = BTreeMap::new();
    for &i in &in_pool {
        let candidate = (
            grade.value(i),
            Moment::from_code(term.value(i)),
            term.value(i),
        );
        let best = test_of.entry(subj.value(i)).or_insert(candidate);
        if (candidate.0, candidate.1) > (best.0, best.1) {
            *best = candidate;
        }
    }
    // (school, subject) -> pooled figures; the latest year's programme flag and signalling
    // values (rows are in school-year order).
    let mut pooled: BTreeMap<(&str, &str), Pooled> = BTreeMap::new();
    for &i in &in_pool {
        let (g, _, tm) = test_of[subj.value(i)];
        if grade.value(i) != g || term.value(i) != tm || school.is_some_and(|s| s != sk.value(i)) {
            continue;
        }
        // Subject first: per subject its schools, then the board as a whole.
        let p = pooled.entry((subj.value(i), sk.value(i))).or_default();
        p.programme = prog.value(i);
        p.n += n.value(i);
        p.n_1f += n_1f.value(i);
        p.n_target += n_target.value(i);
        p.signal_1f = signal_1f.value(i);
        p.signal_target = opt(signal_target, i);
    }
    PooledTests {
        years,
        test_of,
        pooled,
    }
}

/// The table's rows and what the notes must say of them.
struct TableRows {
    /// Per subject its schools, then (on the board's document) the board as a whole.
    rows: Vec<Vec<String>>,
    /// The board's row is hidden: it would give away the schools too small to show.
    board_hidden: bool,
    /// Every school is too small to show alone.
    all_small: bool,
}

/// The table's rows of the pooled tests.
fn table_rows(t: &Texts, tests: &PooledTests<'_>, school: Option<&str>, min_n: usize) -> TableRows {
    let (test_of, pooled) = (&tests.test_of, &tests.pooled);
    let small = |p: &Pooled| p.n < min_n as i64;
    let all_small = school.is_none() && pooled.values().all(small);
    let mut rows = Vec::new();
    let mut board_hidden = false;
    for (subject, schools) in &group_by_subject(pooled) {
        let (g, _, tm) = test_of[subject];
        let label = |name: &str| {
            vec![
                name.to_string(),
                t.subject(subject).to_string(),
                test_label(t, tm, g),
            ]
        };
        // With every school too small alone, the board document shows the board as a whole.
        if !all_small {
            for (key, p) in schools {
                let mut row = label(t.school(key));
                row.extend(figures(t, p, min_n));
                rows.push(row);
            }
        }
        if school.is_none() {
            // The board's total minus the schools shown gives the hidden schools together: shown
            // only when they hold at least the minimum (else the total is the complement hidden).
            let hidden: i64 = schools
                .iter()
                .map(|(_, p)| p)
                .filter(|p| small(p))
                .map(|p| p.n)
                .sum();
            let board = Pooled {
                programme: false,
                n: schools.iter().map(|(_, p)| p.n).sum(),
                n_1f: schools.iter().map(|(_, p)| p.n_1f).sum(),
                n_target: schools.iter().map(|(_, p)| p.n_target).sum(),
                signal_1f: schools.first().map_or(0.85, |(_, p)| p.signal_1f),
                signal_target: None,
            };
            let mut row = label(t.t("alle scholen", "all schools"));
            if hidden > 0 && hidden < min_n as i64 {
                board_hidden = true;
                row.push(board.n.to_string());
                row.push(t.t("verborgen*", "hidden*").to_string());
                row.extend(std::iter::repeat_n(String::new(), 4));
            } else {
                row.extend(figures(t, &board, min_n));
            }
            rows.push(row);
        }
    }
    TableRows {
        rows,
        board_hidden,
        all_small,
    }
}

/// The notes under the table: what LVS reference levels are, and why rows are missing or hidden.
fn notes(
    t: &Texts,
    min_n: usize,
    board_only: bool,
    board_hidden: bool,
    any_target_signal: bool,
) -> String {
    let mut notes = vec![t
        .t(
            "Referentieniveaus uit het leerlingvolgsysteem zijn een indicatie; de inspectie beoordeelt de uitslagen van de doorstroomtoets in groep 8.",
            "Reference levels from the pupil monitoring system are an indication; the inspectorate judges the results of the final test in grade 8.",
        )
        .to_string()];
    if board_only {
        notes.push(format!(
            "{} {min_n} {}",
            t.t(
                "Geen school heeft alleen ten minste",
                "No school alone has at least",
            ),
            t.t(
                "leerlingen met een referentieniveau op deze toets; daarom staat alleen het bestuur als geheel in de tabel.",
                "pupils with a reference level on this test, so the table shows the board as a whole only.",
            )
        ));
    }
    if board_hidden {
        notes.push(format!(
            "{} {min_n} {}",
            t.t(
                "* Verborgen: anders is het aandeel van de scholen met minder dan",
                "* Hidden: otherwise the share of the schools with fewer than",
            ),
            t.t(
                "leerlingen terug te rekenen uit het totaal.",
                "pupils could be computed from the total.",
            )
        ));
    }
    if !any_target_signal {
        notes.push(
            t.t(
                "De signaleringswaarden voor 1S/2F staan niet in het pijplijnbestand ([reference_levels] signal_target, met de schoolweging in de scholenlijst); daarom is alleen 1F met de signaleringswaarde vergeleken.",
                "The signalling values for 1S/2F are not in the pipeline ([reference_levels] signal_target, with the schoolweging in the school list), so only 1F is compared with its signalling value.",
            )
            .to_string(),
        );
    }
    notes.join(" ")
}

/// The section's blocks for the board (`school` None: every school) or one school; empty when
/// no export carried reference levels.
pub(super) fn section(
    t: &Texts,
    table: Option<&Frame>,
    school: Option<&str>,
    min_n: usize,
) -> Vec<Block> {
    let Some(f) = table.filter(|f| !f.is_empty()) else {
        return vec![];
    };
    let tests = pool(f, school);
    if tests.pooled.is_empty() {
        return vec![];
    }
    let any_target_signal = tests.pooled.values().any(|p| p.signal_target.is_some());
    let TableRows {
        rows,
        board_hidden,
        all_small,
    } = table_rows(t, &tests, school, min_n);
    let years = &tests.years;
    let header: Vec<String> = [
        t.t("School", "School"),
        t.t("Vak", "Subject"),
        t.t("Toets", "Test"),
        t.t("Leerlingen", "Pupils"),
        t.t("1F of hoger", "1F or higher"),
        t.t("Signaal 1F", "Signal 1F"),
        t.t("1S/2F", "1S/2F"),
        t.t("Signaal 1S/2F", "Signal 1S/2F"),
        t.t("Onder signaal", "Below signal"),
    ]
    .map(str::to_string)
    .to_vec();
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a} {} {b}", t.t("tot en met", "to")),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    let mut blocks = vec![
        Block::Heading(t.t("Referentieniveaus", "Reference levels").into()),
        Block::Para(format!(
            "{} {span}{}",
            t.t(
                "Aandeel leerlingen dat het fundamentele niveau 1F en het streefniveau 1S/2F (1S bij rekenen, 2F bij taal en lezen) haalt op de laatste toets van de hoogste groep met referentieniveaus in de export, over de schooljaren",
                "Share of pupils reaching the fundamental level 1F and the target level 1S/2F (1S in maths, 2F in reading and language) on the last test of the highest grade with reference levels in the export, over the school years",
            ),
            t.t(
                " samen (de inspectie neemt drie schooljaren samen). Signaal: de signaleringswaarde van de Inspectie van het Onderwijs; 85% voor 1F op elke school, voor 1S/2F afhankelijk van de schoolweging.",
                " together (the inspectorate takes three school years together). Signal: the Inspectorate of Education's signalling value; 85% for 1F at every school, for 1S/2F depending on the school's schoolweging.",
            )
        )),
        // Without any 1S/2F signalling value its column stays out.
        super::content::drop_empty_columns(
            header,
            rows,
            vec![false, false, false, true, true, true, true, true, false],
        ),
    ];
    blocks.push(Block::Note(notes(
        t,
        min_n,
        all_small && school.is_none(),
        board_hidden,
        any_target_signal,
    )));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::RecordBatch;
    use leerwinst_core::Table;
    use leerwinst_core::pipeline::Language;
    use leerwinst_store::{bool_array, f64_array, i32_array, i64_array, str_array};

    /// A reference_levels frame of (year, school, subject, grade, term, n, n_1f, n_target).
    /// (year, school, subject, grade, term, n, n_1f, n_target).
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        i32,
        &'static str,
        i64,
        i64,
        i64,
    );

    fn frame(rows: &[Row]) -> Frame {
        let s = |f: &dyn Fn(usize) -> &'static str| {
            str_array(&(0..rows.len()).map(|i| Some(f(i))).collect::<Vec<_>>())
        };
        let i64s =
            |f: &dyn Fn(usize) -> i64| i64_array((0..rows.len()).map(|i| Some(f(i))).collect());
        let f64s = |f: &dyn Fn(usize) -> Option<f64>| f64_array((0..rows.len()).map(f).collect());
        let cols = vec![
            s(&|i| rows[i].0),
            s(&|i| rows[i].1),
            s(&|i| rows[i].2),
            i32_array(rows.iter().map(|r| Some(r.3)).collect()),
            s(&|i| rows[i].4),
            bool_array(vec![Some(false); rows.len()]),
            i64s(&|i| rows[i].5),
            i64s(&|i| rows[i].6),
            f64s(&|i| Some(rows[i].6 as f64 / rows[i].5 as f64)),
            i64s(&|i| rows[i].7),
            f64s(&|i| Some(rows[i].7 as f64 / rows[i].5 as f64)),
            f64s(&|_| Some(0.85)),
            f64s(&|_| Some(31.2)),
            f64s(&|_| Some(0.473)),
            bool_array(vec![Some(false); rows.len()]),
            bool_array(vec![Some(false); rows.len()]),
        ];
        Frame {
            path: "test".into(),
            batch: RecordBatch::try_new(Table::ReferenceLevels.schema(), cols).unwrap(),
        }
    }

    #[test]
    fn pools_the_latest_three_years_of_the_last_test_of_the_highest_grade() {
        let f = frame(&[
            // Outside the latest three years: not pooled.
            ("2020-2021", "10AD", "lezen", 8, "M", 30, 0, 0),
            ("2021-2022", "10AD", "lezen", 8, "M", 6, 6, 4),
            ("2022-2023", "10AD", "lezen", 8, "M", 7, 5, 3),
            ("2023-2024", "10AD", "lezen", 8, "M", 7, 6, 2),
            // A lower grade and an earlier moment are not the test shown.
            ("2023-2024", "10AD", "lezen", 7, "E", 50, 50, 50),
            ("2023-2024", "10AD", "lezen", 8, "B", 50, 50, 50),
            // Too small even pooled.
            ("2023-2024", "11BK", "lezen", 8, "M", 9, 9, 9),
        ]);
        let t = Texts::new(Language::Nl);
        let blocks = section(&t, Some(&f), None, 10);
        let Block::Table { rows, .. } = &blocks[2] else {
            panic!("no table: {blocks:?}")
        };
        // 20 pupils, 17 reach 1F (85%, not below), 9 reach 2F (45%, below 47.3%).
        assert_eq!(
            rows[0],
            [
                "10AD",
                "begrijpend lezen",
                "M8",
                "20",
                "85%",
                "85%",
                "45%",
                "47,3%",
                "1S/2F"
            ]
        );
        assert_eq!(rows[1][3], "n < 10");
        assert!(rows[1][4..].iter().all(String::is_empty));
        // The board's total would give away 11BK's 9 pupils: hidden.
        assert_eq!(
            rows[2][..5],
            ["alle scholen", "begrijpend lezen", "M8", "29", "verborgen*"]
        );
        // The school's own document shows its row alone.
        let own = section(&t, Some(&f), Some("11BK"), 10);
        let Block::Table { rows, .. } = &own[2] else {
            panic!()
        };
        assert_eq!(rows.len(), 1);
        assert!(section(&t, None, None, 10).is_empty());

        // Every school too small alone: the board as a whole only, with a note.
        let f = frame(&[
            ("2023-2024", "10AD", "rekenen", 8, "E", 6, 6, 3),
            ("2023-2024", "11BK", "rekenen", 8, "E", 5, 4, 1),
        ]);
        let blocks = section(&t, Some(&f), None, 10);
        let Block::Table { rows, .. } = &blocks[2] else {
            panic!()
        };
        assert_eq!(
            rows[..],
            // The schools' 1S/2F signalling values differ with their weights: none for the board,
            // and its column stays out.
            [[
                "alle scholen",
                "rekenen-wiskunde",
                "E8",
                "11",
                "90,9%",
                "85%",
                "36,4%",
                "nee (1F)"
            ]]
        );
        let Block::Note(note) = &blocks[3] else {
            panic!()
        };
        assert!(note.contains("alleen het bestuur als geheel"), "{note}");
    }
}
