//! The self-regulation section: how the index was made on this board's data, and the table
//! per school (or one school against all).

use std::collections::{BTreeMap, BTreeSet};

use leerwinst_store::{opt, opt_str};

use super::Inputs;
use super::format::signed_two_decimals;
use crate::document::Block;

/// How the self-regulation index was made on this board's data: the indicators that entered it
/// (run.json `transform.srl_composite`), those that did not and why, and its reliability.
pub(super) fn srl_index_text(inp: &Inputs) -> String {
    let t = inp.t;
    let c = &inp.run["transform"]["srl_composite"];
    let comps = c["components"].as_array().cloned().unwrap_or_default();
    let names = |status: &str| -> Vec<String> {
        comps
            .iter()
            .filter(|x| x["status"] == status)
            .filter_map(|x| x["name"].as_str())
            .map(|n| t.srl_component(n))
            .collect()
    };
    let list = |v: &[String]| match v {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), t.t("en", "and")),
    };
    let entered = names("entered");
    let mut text = if entered.is_empty() {
        t.t(
            "De zelfregulatie-index komt uit de sporen in de leeromgeving; op deze gegevens was geen enkele indicator te berekenen.",
            "The self-regulation index comes from the learning environment's traces; on this data no indicator could be computed.",
        )
        .to_string()
    } else {
        format!(
            "{} {}. {}",
            t.t(
                "De zelfregulatie-index komt uit de sporen in de leeromgeving. Op deze gegevens bestaat hij uit:",
                "The self-regulation index comes from the learning environment's traces. On this data it is made of:",
            ),
            list(&entered),
            t.t(
                "Elke indicator is binnen jaargroep en jaar gestandaardiseerd, met de richting die in de literatuur voor betere zelfregulatie staat; de index is hun gemiddelde (hoger = meer zelfregulatie). Leerlingen met te weinig activiteit krijgen geen index.",
                "Each indicator is standardised within grade and year, in the direction the literature gives for better self-regulation; the index is their mean (higher = more self-regulated). Pupils with too little activity get no index.",
            )
        )
    };
    for (status, why) in [
        (
            "no_values",
            t.t(
                "Niet in de index, omdat deze export de gegevens ervoor niet bevat:",
                "Not in the index, because this export lacks the data for them:",
            ),
        ),
        (
            "constant",
            t.t(
                "Niet in de index, omdat ze voor iedere leerling gelijk zijn:",
                "Not in the index, because they are the same for every pupil:",
            ),
        ),
    ] {
        let left_out = names(status);
        if !left_out.is_empty() {
            text.push_str(&format!(" {why} {}.", list(&left_out)));
        }
    }
    match (c["alpha"].as_f64(), c["omega"].as_f64()) {
        (Some(a), Some(o)) => text.push_str(&format!(
            " {} {}, omega {} {}",
            t.t("Betrouwbaarheid van de index: alfa", "Reliability of the index: alpha"),
            t.number(a, 2),
            t.number(o, 2),
            if a.min(o) < 0.7 {
                t.t(
                    "(onder de gebruikelijke 0,7: de indicatoren meten hier niet duidelijk één eigenschap; lees de index met voorzichtigheid).",
                    "(below the usual 0.7: the indicators do not clearly measure one trait here; read the index with care).",
                )
            } else {
                t.t("(0,7 of meer is gebruikelijk voldoende).", "(0.7 or more is usually taken as sufficient).")
            }
        )),
        (Some(a), None) => text.push_str(&format!(
            " {} {}.",
            t.t("Betrouwbaarheid van de index: alfa", "Reliability of the index: alpha"),
            t.number(a, 2)
        )),
        _ => {}
    }
    text.push_str(t.t(
        " Dezelfde indicatoren per periode (standaard per halfjaar) staan in indicators/srl_term.parquet, per week in indicators/srl_weekly.parquet. Zie docs/indicators.md.",
        " The same indicators per term (by default per half year) are in indicators/srl_term.parquet, per week in indicators/srl_weekly.parquet. See docs/indicators.md.",
    ));
    text
}

/// Self-regulation per school (latest year of the SRL table), or one school against all.
pub(super) fn srl_table(inp: &Inputs, school: Option<&str>) -> Option<Vec<Block>> {
    let t = inp.t;
    let s = inp.srl;
    let (year, sk, idx, terc, reason) = (
        s.str("school_year"),
        s.str("school_key"),
        s.f64("srl_index"),
        s.i32("srl_tercile"),
        s.str("null_reason"),
    );
    let latest = (0..s.len()).map(|i| year.value(i)).max()?.to_string();
    // school -> (index values, terciles, pupils without an index)
    let mut by: BTreeMap<String, (Vec<f64>, [usize; 3], usize)> = BTreeMap::new();
    for i in 0..s.len() {
        if year.value(i) != latest {
            continue;
        }
        let key = sk.value(i).to_string();
        if school.is_some_and(|x| x != key) {
            // One school's document compares it with all schools together.
            let all = by
                .entry(format!("~{}", t.t("alle scholen", "all schools")))
                .or_default();
            if let Some(v) = opt(idx, i) {
                all.0.push(v);
                if let Some(tt) = opt(terc, i) {
                    all.1[(tt.clamp(1, 3) - 1) as usize] += 1;
                }
            } else if opt_str(reason, i).is_some() {
                all.2 += 1;
            }
            continue;
        }
        for k in [key, format!("~{}", t.t("alle scholen", "all schools"))] {
            let e = by.entry(k).or_default();
            if let Some(v) = opt(idx, i) {
                e.0.push(v);
                if let Some(tt) = opt(terc, i) {
                    e.1[(tt.clamp(1, 3) - 1) as usize] += 1;
                }
            } else if opt_str(reason, i).is_some() {
                e.2 += 1;
            }
        }
    }
    // The all-schools row is the schools' total: complementary suppression over every school
    // (the board's document shows them all; a school's document must hide what the board's
    // hides, or the two together give a small school away).
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..s.len() {
        if year.value(i) == latest && opt(idx, i).is_some() {
            *sizes.entry(sk.value(i)).or_default() += 1;
        }
    }
    let hide =
        leerwinst_core::disclosure::hidden(&sizes.values().copied().collect::<Vec<_>>(), inp.min_n);
    let complement: BTreeSet<String> = sizes
        .iter()
        .zip(hide)
        .filter(|((_, n), h)| *h && **n >= inp.min_n)
        .map(|((k, _), _)| k.to_string())
        .collect();
    let mut any_complement = false;
    let rows = by
        .into_iter()
        .map(|(k, (v, tc, none))| {
            // "~" marks the all-schools row (sorted last); other rows are schools.
            let name = match k.strip_prefix('~') {
                Some(all) => all.to_string(),
                None => t.school(&k).to_string(),
            };
            if v.len() < inp.min_n {
                return vec![
                    name,
                    format!("n < {}", inp.min_n),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ];
            }
            if complement.contains(&k) {
                any_complement = true;
                return vec![
                    name,
                    v.len().to_string(),
                    t.t("verborgen*", "hidden*").to_string(),
                    String::new(),
                    String::new(),
                    none.to_string(),
                ];
            }
            let n = v.len() as f64;
            vec![
                name,
                v.len().to_string(),
                signed_two_decimals(t, v.iter().sum::<f64>() / n),
                format!("{:.0}%", 100.0 * tc[0] as f64 / n),
                format!("{:.0}%", 100.0 * tc[2] as f64 / n),
                none.to_string(),
            ]
        })
        .collect();
    let table = Block::Table {
        header: [
            t.t("School", "School"),
            t.t("Leerlingen met index", "Pupils with an index"),
            t.t("Gem. index (z)", "Mean index (z)"),
            t.t("Laagste tertiel", "Lowest tercile"),
            t.t("Hoogste tertiel", "Highest tercile"),
            t.t("Te weinig activiteit", "Too little activity"),
        ]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i == 0 {
                format!("{s} ({latest})")
            } else {
                s.to_string()
            }
        })
        .collect(),
        rows,
        numeric: vec![false, true, true, true, true, true],
    };
    let mut blocks = vec![table];
    if any_complement {
        blocks.push(Block::Note(format!(
            "{} {} {}",
            t.t(
                "* Verborgen: anders is de index van een school met minder dan",
                "* Hidden: otherwise the index of a school with fewer than",
            ),
            inp.min_n,
            t.t(
                "leerlingen terug te rekenen uit die van alle scholen.",
                "pupils could be computed from that of all schools.",
            )
        )));
    }
    Some(blocks)
}
