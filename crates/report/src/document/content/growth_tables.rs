//! The growth section's tables: growth per school (board) or per class (one school), from
//! `indicators/group_growth`, for the compared window and the other kind of window.

use std::collections::{BTreeMap, BTreeSet};

use leerwinst_core::pipeline::Language;
use leerwinst_store::{opt, opt_str};

use super::Inputs;
use super::format::{one_decimal, yes_no};
use super::read::other_window;
use crate::document::Block;

/// Growth per school (board) or per class of one school, from group_growth; with a note when
/// a group is hidden so that a small one cannot be computed from the total.
pub(super) fn growth_table(inp: &Inputs, school: Option<&str>) -> Vec<Block> {
    growth_table_of(inp, school, &inp.growth.window, &inp.growth.latest)
}

/// The growth section's table for the other kind of window ([`other_window`]), with its heading
/// line; empty when there is none.
pub(super) fn other_window_table(inp: &Inputs, school: Option<&str>) -> Vec<Block> {
    let t = inp.t;
    let Some((window, year)) = other_window(inp) else {
        return vec![];
    };
    let table = growth_table_of(inp, school, &window, &year);
    if matches!(table.first(), Some(Block::Table { rows, .. }) if rows.is_empty()) {
        return vec![];
    }
    let within = leerwinst_core::term::window_is_yearly(&window) == Some(false);
    let mut blocks = vec![Block::Para(format!(
        "{} ({window}, {} {year}).",
        if within {
            t.t(
                "Groei binnen het schooljaar",
                "Growth within the school year",
            )
        } else {
            t.t("Groei van jaar op jaar", "Growth year on year")
        },
        t.t("eindtoets in", "follow-up test in"),
    ))];
    blocks.extend(table);
    blocks
}

/// The growth table of `window` with its follow-up tests in `latest`.
pub(super) fn growth_table_of(
    inp: &Inputs,
    school: Option<&str>,
    window: &str,
    latest: &str,
) -> Vec<Block> {
    let t = inp.t;
    let g = inp.groups;
    let (level, sk, gk, subj, win, year, prog) = (
        g.str("level"),
        g.str("school_key"),
        g.str("group_key"),
        g.str("subject"),
        g.str("window"),
        g.str("school_year"),
        g.bool("programme"),
    );
    let (n, mean_gain, n_sgp, med, rel, n_rci) = (
        g.i64("n"),
        g.f64("mean_gain"),
        g.i64("n_sgp"),
        g.f64("median_sgp"),
        g.f64("reliable_growth_share"),
        g.i64("n_rci"),
    );
    let want_level = if school.is_some() { "class" } else { "school" };
    let picked: Vec<usize> = (0..g.len())
        .filter(|&i| {
            level.value(i) == want_level
                && win.value(i) == window
                && year.value(i) == latest
                && school.is_none_or(|s| sk.value(i) == s)
        })
        .collect();
    // Complementary suppression within each family whose total is reported elsewhere: the
    // classes of a school per subject (the school's row), the schools of one arm per subject
    // (the board's programme and comparison figures).
    let mut families: BTreeMap<(&str, bool), Vec<usize>> = BTreeMap::new();
    for &i in &picked {
        let arm = school.is_none() && prog.value(i);
        families.entry((subj.value(i), arm)).or_default().push(i);
    }
    let mut complement = BTreeSet::new();
    for members in families.values() {
        let sizes: Vec<usize> = members.iter().map(|&i| n.value(i) as usize).collect();
        let hide = leerwinst_core::disclosure::hidden(&sizes, inp.min_n);
        complement.extend(
            members
                .iter()
                .zip(hide)
                .filter(|&(&i, h)| h && (n.value(i) as usize) >= inp.min_n)
                .map(|(&i, _)| i),
        );
    }
    let mut rows = vec![];
    for i in picked {
        let name = match school {
            None => t.school(sk.value(i)).to_string(),
            Some(_) => opt_str(gk, i).unwrap_or("").to_string(),
        };
        let k = n.value(i) as usize;
        let mut row = vec![
            name,
            t.subject(subj.value(i)).to_string(),
            yes_no(t, prog.value(i)),
        ];
        if k < inp.min_n {
            row.extend([
                format!("n < {}", inp.min_n),
                String::new(),
                String::new(),
                String::new(),
            ]);
        } else if complement.contains(&i) {
            // Shown, a small sibling's value could be computed from the total: hidden too.
            row.extend([
                k.to_string(),
                t.t("verborgen*", "hidden*").to_string(),
                String::new(),
                String::new(),
            ]);
        } else {
            row.extend([
                k.to_string(),
                one_decimal(t, mean_gain.value(i)),
                if n_sgp.value(i) >= inp.min_n as i64 {
                    opt(med, i).map(|v| one_decimal(t, v)).unwrap_or_default()
                } else {
                    String::new()
                },
                if n_rci.value(i) >= inp.min_n as i64 {
                    opt(rel, i)
                        .map(|v| format!("{:.0}%", 100.0 * v))
                        .unwrap_or_default()
                } else {
                    String::new()
                },
            ]);
        }
        rows.push(row);
    }
    let header: Vec<String> = [
        if school.is_some() {
            t.t("Groep", "Class")
        } else {
            t.t("School", "School")
        },
        t.t("Vak", "Subject"),
        t.t("Programma", "Programme"),
        t.t("Leerlingen", "Pupils"),
        t.t("Gem. groei (punten)", "Mean gain (points)"),
        t.t("Mediaan SGP", "Median SGP"),
        t.t("Betrouwbare groei", "Reliable growth"),
    ]
    .map(str::to_string)
    .to_vec();
    let table = drop_empty_columns(
        header,
        rows,
        vec![false, false, false, true, true, true, true],
    );
    if complement.is_empty() {
        return vec![table];
    }
    let note = match t.lang {
        Language::Nl => format!(
            "* Verborgen: anders is de waarde van een groep met minder dan {} leerlingen terug te rekenen uit het totaal.",
            inp.min_n
        ),
        Language::En => format!(
            "* Hidden: otherwise the value of a group with fewer than {} pupils could be computed from the total.",
            inp.min_n
        ),
    };
    vec![table, Block::Note(note)]
}

/// A table without the columns that are empty in every row (e.g. SGP when none was computed).
pub(in crate::document) fn drop_empty_columns(
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    numeric: Vec<bool>,
) -> Block {
    let keep: Vec<bool> = (0..header.len())
        .map(|c| rows.is_empty() || rows.iter().any(|r| r.get(c).is_some_and(|s| !s.is_empty())))
        .collect();
    let pick = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| x)
            .collect()
    };
    Block::Table {
        numeric: numeric
            .into_iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| x)
            .collect(),
        header: pick(header),
        rows: rows.into_iter().map(pick).collect(),
    }
}
