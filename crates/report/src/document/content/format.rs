//! Number and word formatting shared by the documents: decimals with the language's
//! decimal mark, yes/no, counts below the minimum group size, units and school counts in words.

use crate::text::Texts;

/// One decimal, with the document language's decimal mark.
pub(super) fn one_decimal(t: &Texts, v: f64) -> String {
    t.number(v, 1)
}

/// Signed, two decimals, never "-0.00", with the document language's decimal mark.
pub(super) fn signed_two_decimals(t: &Texts, v: f64) -> String {
    t.signed(v, 2)
}

/// "ja"/"nee" or "yes"/"no".
pub(super) fn yes_no(t: &Texts, b: bool) -> String {
    if b {
        t.t("ja", "yes")
    } else {
        t.t("nee", "no")
    }
    .to_string()
}

/// A count of pupils, or "n < N" below the minimum group size.
pub(super) fn count_cell(n: i64, min_n: usize) -> String {
    if n < min_n as i64 {
        format!("n < {min_n}")
    } else {
        n.to_string()
    }
}

/// The unit of an effect on `outcome`: SD for z-scores, else scale points.
pub(super) fn unit(t: &Texts, outcome: &str) -> String {
    if outcome.starts_with("followup_z") || outcome.starts_with("growth_z") {
        t.t("SD", "SD").to_string()
    } else {
        t.t("punten", "points").to_string()
    }
}

/// "1 programmaschool", "3 programmascholen".
pub(super) fn schools_phrase(t: &Texts, n: i64, programme: bool) -> String {
    let word = match (programme, n == 1) {
        (true, true) => t.t("programmaschool", "programme school"),
        (true, false) => t.t("programmascholen", "programme schools"),
        (false, true) => t.t("vergelijkingsschool", "comparison school"),
        (false, false) => t.t("vergelijkingsscholen", "comparison schools"),
    };
    format!("{n} {word}")
}

/// First letter upper case.
pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
