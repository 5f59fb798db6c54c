//! The review's section on the same test moment over the years: for the latest test moment of the
//! run (e.g. `E` of 2024-2025), per subject and grade the mean scale score and the number of
//! pupils in each of the latest school years, earlier runs' years included
//! (`indicators/moment_trend`, made by `transform::moment_trend`). The board's document shows the
//! board as a whole, a school's document its own rows; a school's cell is hidden below the minimum
//! group size and, by complementary suppression over the schools of the same test and year, where
//! the board's row would give a hidden school away.

use std::collections::{BTreeMap, BTreeSet};

use leerwinst_core::Moment;
use leerwinst_store::{Frame, opt_str};

use super::Block;
use crate::text::Texts;

/// How many school years the table shows at most (the latest).
const YEARS_SHOWN: usize = 5;

/// The run's own latest test moment (not an earlier run's): the latest school year, then its
/// latest moment; `None` without rows of the run's own.
fn latest_moment(f: &Frame) -> Option<(&str, &str)> {
    let (term, year, earlier) = (f.str("term"), f.str("school_year"), f.str("earlier_run"));
    let own: Vec<usize> = (0..f.len())
        .filter(|&i| opt_str(earlier, i).is_none())
        .collect();
    let latest_year = own.iter().map(|&i| year.value(i)).max()?;
    let moment = own
        .iter()
        .filter(|&&i| year.value(i) == latest_year)
        .map(|&i| term.value(i))
        .max_by_key(|m| (Moment::from_code(m), *m))?;
    Some((latest_year, moment))
}

/// The school rows among `rows` hidden by complementary suppression over the schools of each
/// test and year (the board's row is their total, so it must not give a small school away).
fn hidden_by_complement(f: &Frame, rows: &[usize], min_n: usize) -> BTreeSet<usize> {
    let (sk, subj, grade, year, n) = (
        f.str("school_key"),
        f.str("subject"),
        f.i32("grade"),
        f.str("school_year"),
        f.i64("n"),
    );
    let sizes: Vec<usize> = rows.iter().map(|&i| n.value(i).max(0) as usize).collect();
    leerwinst_core::disclosure::hidden_in_families(
        &sizes,
        |k| {
            let i = rows[k];
            opt_str(sk, i).map(|_| (subj.value(i), grade.value(i), year.value(i)))
        },
        min_n,
    )
    .into_iter()
    .zip(rows)
    .filter(|(h, _)| *h)
    .map(|(_, &i)| i)
    .collect()
}

/// The notes under the table: which years come from which earlier run, and why cells are
/// hidden.
fn notes(
    t: &Texts,
    earlier_years: BTreeMap<&str, BTreeSet<&str>>,
    complement: bool,
    min_n: usize,
) -> Vec<String> {
    let mut notes = Vec::new();
    for (run, ys) in earlier_years {
        let ys: Vec<&str> = ys.into_iter().collect();
        notes.push(format!(
            "{} {} {} '{run}'.",
            ys.join(", "),
            t.t("komt uit de eerdere run", "comes from the earlier run"),
            t.t("in de map", "in the folder"),
        ));
    }
    if complement {
        notes.push(format!(
            "{} {min_n} {}",
            t.t(
                "* Verborgen: anders is de score van een school met minder dan",
                "* Hidden: otherwise the score of a school with fewer than",
            ),
            t.t(
                "leerlingen terug te rekenen uit het totaal van het bestuur.",
                "pupils could be computed from the board's total.",
            )
        ));
    }
    notes
}

/// The section for the board (`school` None) or one school; empty without scores.
pub(super) fn section(
    t: &Texts,
    table: Option<&Frame>,
    school: Option<&str>,
    min_n: usize,
) -> Vec<Block> {
    let Some(f) = table.filter(|f| !f.is_empty()) else {
        return vec![];
    };
    let (sk, subj, grade, term, year, n, mean, earlier) = (
        f.str("school_key"),
        f.str("subject"),
        f.i32("grade"),
        f.str("term"),
        f.str("school_year"),
        f.i64("n"),
        f.f64("mean_score"),
        f.str("earlier_run"),
    );
    let Some((latest_year, moment)) = latest_moment(f) else {
        return vec![];
    };
    let at_moment: Vec<usize> = (0..f.len())
        .filter(|&i| term.value(i) == moment && year.value(i) <= latest_year)
        .collect();
    let all_years: BTreeSet<&str> = at_moment
        .iter()
        .filter(|&&i| opt_str(sk, i) == school)
        .map(|&i| year.value(i))
        .collect();
    let years: Vec<&str> = all_years
        .iter()
        .skip(all_years.len().saturating_sub(YEARS_SHOWN))
        .copied()
        .collect();
    let hidden = hidden_by_complement(f, &at_moment, min_n);
    // (subject, grade) -> year -> cell text.
    let mut grid: BTreeMap<(&str, i32), BTreeMap<&str, String>> = BTreeMap::new();
    let mut complement = false;
    for &i in &at_moment {
        if opt_str(sk, i) != school || !years.contains(&year.value(i)) {
            continue;
        }
        let k = n.value(i);
        let text = if k < min_n as i64 {
            format!("n < {min_n}")
        } else if hidden.contains(&i) {
            complement = true;
            t.t("verborgen*", "hidden*").to_string()
        } else {
            format!("{} ({k})", t.number(mean.value(i), 1))
        };
        grid.entry((subj.value(i), grade.value(i)))
            .or_default()
            .insert(year.value(i), text);
    }
    if grid.is_empty() {
        return vec![];
    }
    let mut header = vec![
        t.t("Vak", "Subject").to_string(),
        t.t("Toets", "Test").to_string(),
    ];
    header.extend(years.iter().map(|y| y.to_string()));
    let rows: Vec<Vec<String>> = grid
        .iter()
        .map(|((subject, g), cells)| {
            let mut row = vec![t.subject(subject).to_string(), format!("{moment}{g}")];
            row.extend(
                years
                    .iter()
                    .map(|y| cells.get(y).cloned().unwrap_or_default()),
            );
            row
        })
        .collect();
    let mut numeric = vec![false, false];
    numeric.extend(years.iter().map(|_| true));
    let earlier_years: BTreeMap<&str, BTreeSet<&str>> = at_moment
        .iter()
        .filter_map(|&i| Some((opt_str(earlier, i)?, year.value(i))))
        .filter(|(_, y)| years.contains(y))
        .fold(BTreeMap::new(), |mut m, (run, y)| {
            m.entry(run).or_default().insert(y);
            m
        });
    let whose = match school {
        None => t.t("van alle scholen samen", "of all schools together"),
        Some(_) => t.t("van deze school", "of this school"),
    };
    let mut blocks = vec![
        Block::Heading(
            t.t(
                "Hetzelfde toetsmoment door de jaren heen",
                "The same test moment over the years",
            )
            .into(),
        ),
        Block::Para(format!(
            "{} {whose} {} {moment} {}",
            t.t(
                "Gemiddelde vaardigheidsscore (tussen haakjes het aantal leerlingen)",
                "Mean scale score (in brackets the number of pupils)",
            ),
            t.t("op toetsmoment", "at test moment"),
            t.t(
                "per groep en schooljaar. Elk jaar zijn het andere leerlingen: een verschil tussen jaren is een verschil tussen cohorten, niet de groei van dezelfde leerlingen.",
                "per grade and school year. Each year these are other pupils: a difference between years is a difference between cohorts, not the growth of the same pupils.",
            )
        )),
        Block::Table {
            header,
            rows,
            numeric,
        },
    ];
    let notes = notes(t, earlier_years, complement, min_n);
    if !notes.is_empty() {
        blocks.push(Block::Note(notes.join(" ")));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::RecordBatch;
    use leerwinst_core::Table;
    use leerwinst_core::pipeline::Language;
    use leerwinst_store::{f64_array, i32_array, i64_array, str_array};

    type Row = (
        Option<&'static str>,
        &'static str,
        &'static str,
        i64,
        f64,
        Option<&'static str>,
    );

    /// A moment_trend frame of (school, term, year, n, mean, earlier run), rekenen grade 4.
    fn frame(rows: &[Row]) -> Frame {
        let k = rows.len();
        let s = |f: &dyn Fn(&Row) -> Option<&'static str>| {
            str_array(&rows.iter().map(f).collect::<Vec<_>>())
        };
        let cols = vec![
            s(&|r| Some(if r.0.is_some() { "school" } else { "board" })),
            s(&|r| r.0),
            s(&|_| Some("rekenen")),
            i32_array(vec![Some(4); k]),
            s(&|r| Some(r.1)),
            s(&|r| Some(r.2)),
            i64_array(rows.iter().map(|r| Some(r.3)).collect()),
            f64_array(rows.iter().map(|r| Some(r.4)).collect()),
            f64_array(vec![None; k]),
            s(&|r| r.5),
        ];
        Frame {
            path: "test".into(),
            batch: RecordBatch::try_new(Table::MomentTrend.schema(), cols).unwrap(),
        }
    }

    #[test]
    fn the_latest_moment_over_the_years_with_earlier_runs_and_no_school_given_away() {
        let f = frame(&[
            (None, "E", "2022-2023", 40, 170.04, Some("eind-2023")),
            (None, "M", "2024-2025", 45, 160.0, None),
            (None, "E", "2023-2024", 44, 172.0, None),
            (None, "E", "2024-2025", 45, 175.26, None),
            (Some("A"), "E", "2024-2025", 30, 176.0, None),
            (Some("B"), "E", "2024-2025", 12, 174.0, None),
            (Some("C"), "E", "2024-2025", 3, 170.0, None),
        ]);
        let t = Texts::new(Language::Nl);
        let blocks = section(&t, Some(&f), None, 10);
        let Block::Table { header, rows, .. } = &blocks[2] else {
            panic!("{blocks:?}")
        };
        assert_eq!(header[2..], ["2022-2023", "2023-2024", "2024-2025"]);
        assert_eq!(
            rows[0],
            [
                "rekenen-wiskunde",
                "E4",
                "170,0 (40)",
                "172,0 (44)",
                "175,3 (45)"
            ]
        );
        let Block::Note(note) = &blocks[3] else {
            panic!()
        };
        assert!(note.contains("2022-2023 komt uit de eerdere run"), "{note}");
        // School B is hidden with C: the board's 45 minus A's 30 would leave B and C together.
        let b = section(&t, Some(&f), Some("B"), 10);
        let Block::Table { rows, .. } = &b[2] else {
            panic!()
        };
        assert_eq!(rows[0][2..], ["verborgen*"]);
        let a = section(&t, Some(&f), Some("A"), 10);
        let Block::Table { rows, .. } = &a[2] else {
            panic!()
        };
        assert_eq!(rows[0][2..], ["176,0 (30)"]);
    }
}
