//! Effect rows as a table, with the reason in place of a missing interval or estimate.

use super::effect_sentences::missing_reason;
use super::format::{count_cell, schools_phrase, signed_two_decimals, unit};
use super::read::Effect;
use crate::document::Block;
use crate::text::Texts;

/// Effect rows as a table: rows without an interval or estimate keep their place, with the
/// reason in place of the interval; weak evidence is marked beside the interval.
pub(super) fn effect_table(
    t: &Texts,
    effects: &[(String, Effect)],
    first: &str,
    min_n: usize,
) -> Block {
    let rows = effects
        .iter()
        .map(|(level, e)| {
            let ci = match e.ci {
                Some((lo, hi)) if e.weak() => format!(
                    "{} {} {} ({}: {})",
                    signed_two_decimals(t, lo),
                    t.t("tot", "to"),
                    signed_two_decimals(t, hi),
                    t.t("zwak bewijs", "weak evidence"),
                    schools_phrase(t, e.cp, true)
                ),
                Some((lo, hi)) => format!(
                    "{} {} {}",
                    signed_two_decimals(t, lo),
                    t.t("tot", "to"),
                    signed_two_decimals(t, hi)
                ),
                None => missing_reason(t, e, min_n),
            };
            vec![
                if first == "subject" {
                    t.subject(&e.subject).to_string()
                } else {
                    format!("{level} · {}", t.subject(&e.subject))
                },
                count_cell(e.n1, min_n),
                count_cell(e.n0, min_n),
                format!("{} / {}", e.cp, e.cc),
                e.est
                    .map(|v| format!("{} {}", signed_two_decimals(t, v), unit(t, &e.outcome)))
                    .unwrap_or_default(),
                ci,
                e.p.map(|p| {
                    if p < 0.001 {
                        format!("< {}", t.number(0.001, 3))
                    } else {
                        t.number(p, 3)
                    }
                })
                .unwrap_or_default(),
            ]
        })
        .collect();
    Block::Table {
        header: [
            if first == "subject" {
                t.t("Vak", "Subject")
            } else {
                t.t("Groep · vak", "Group · subject")
            },
            t.t("Programma", "Programme"),
            t.t("Vergelijking", "Comparison"),
            t.t("Scholen (progr. / verg.)", "Schools (prog. / comp.)"),
            t.t("Effect", "Effect"),
            t.t("95%-BI", "95% CI"),
            "p",
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
        numeric: vec![false, true, true, true, true, true, true],
    }
}
