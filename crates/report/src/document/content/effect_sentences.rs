//! What one effect row says, in words: the estimate with its interval, why a row has no
//! interval or estimate, and how far the interval carries a conclusion.

use super::designs::design_short_name;
use super::format::{schools_phrase, signed_two_decimals, unit};
use super::method::Method;
use super::read::{Effect, FEW_PROGRAMME_SCHOOLS, TOO_FEW_CLUSTERS, TOO_FEW_PUPILS};
use crate::text::Texts;

/// Why a row has no interval, or no estimate: the text shown in place of the interval.
pub(super) fn missing_reason(t: &Texts, e: &Effect, min_n: usize) -> String {
    if e.est.is_none() {
        match e.note.as_deref() {
            Some(TOO_FEW_PUPILS) => format!(
                "{} {min_n} {}",
                t.t("niet geschat: minder dan", "not estimated: fewer than"),
                t.t("leerlingen in een groep", "pupils in a group")
            ),
            Some(n) if n != FEW_PROGRAMME_SCHOOLS => {
                format!("{} ({n})", t.t("niet geschat", "not estimated"))
            }
            _ => t.t("niet geschat", "not estimated").to_string(),
        }
    } else {
        match e.note.as_deref() {
            Some(TOO_FEW_CLUSTERS) => t
                .t(
                    "geen interval: minder dan 2 scholen in een groep",
                    "no interval: fewer than 2 schools in a group",
                )
                .to_string(),
            Some(n) if n != FEW_PROGRAMME_SCHOOLS => {
                format!("{} ({n})", t.t("geen interval", "no interval"))
            }
            _ => t.t("geen interval", "no interval").to_string(),
        }
    }
}

/// "+0.26 SD (95% confidence interval +0.05 to +0.47)"; without an interval, why not.
pub(super) fn effect_phrase(t: &Texts, e: &Effect, min_n: usize) -> String {
    match (e.est, e.ci) {
        (Some(est), Some((lo, hi))) => format!(
            "{} {} ({} {} {} {})",
            signed_two_decimals(t, est),
            unit(t, &e.outcome),
            t.t("95%-betrouwbaarheidsinterval", "95% confidence interval"),
            signed_two_decimals(t, lo),
            t.t("tot", "to"),
            signed_two_decimals(t, hi)
        ),
        (Some(est), None) => format!(
            "{} {} ({})",
            signed_two_decimals(t, est),
            unit(t, &e.outcome),
            missing_reason(t, e, min_n)
        ),
        (None, _) => missing_reason(t, e, min_n),
    }
}

/// What the interval says, and what the data cannot carry: weak evidence with few programme
/// schools whatever the p value, and no conclusion without an interval.
pub(super) fn ci_reading(t: &Texts, e: &Effect) -> String {
    let Some((lo, hi)) = e.ci else {
        if e.est.is_none() {
            return t
                .t(
                    "Er is geen schatting en dus geen conclusie over een effect.",
                    "There is no estimate, and so no conclusion about an effect.",
                )
                .into();
        }
        let few = if e.subgroup == "school" {
            None
        } else if e.cp < 2 {
            Some(schools_phrase(t, e.cp, true))
        } else if e.cc < 2 {
            Some(schools_phrase(t, e.cc, false))
        } else {
            None
        };
        return match few {
            Some(s) => format!(
                "{} {s} {}",
                t.t("Met", "With"),
                t.t(
                    "valt de onzekerheid niet te schatten; er is geen interval en geen conclusie over een effect.",
                    "the uncertainty cannot be estimated; there is no interval and no conclusion about an effect.",
                )
            ),
            None => t
                .t(
                    "De onzekerheid kon niet geschat worden; er is geen interval en geen conclusie over een effect.",
                    "The uncertainty could not be estimated; there is no interval and no conclusion about an effect.",
                )
                .into(),
        };
    };
    if e.weak() {
        let tail = if lo > 0.0 {
            t.t(
                "het interval ligt boven nul, maar bij zo weinig scholen kunnen verschillen tussen de scholen zelf de uitkomst bepalen.",
                "the interval lies above zero, but with so few schools differences between the schools themselves can drive the result.",
            )
        } else if hi < 0.0 {
            t.t(
                "het interval ligt onder nul, maar bij zo weinig scholen kunnen verschillen tussen de scholen zelf de uitkomst bepalen.",
                "the interval lies below zero, but with so few schools differences between the schools themselves can drive the result.",
            )
        } else {
            t.t(
                "het interval omvat nul; een verschil is met deze gegevens niet aan te tonen.",
                "the interval includes zero; these data cannot show a difference.",
            )
        };
        return format!(
            "{} {} {} {tail}",
            t.t("Met maar", "With only"),
            schools_phrase(t, e.cp, true),
            t.t(
                "is dit zwak bewijs, wat de p-waarde ook is:",
                "this is weak evidence, whatever the p value:",
            )
        );
    }
    if e.subgroup == "school" && (lo > 0.0 || hi < 0.0) {
        // One school against the comparison schools: whatever sets this school apart is in it.
        return format!(
            "{} {}",
            if lo > 0.0 {
                t.t(
                    "Het interval ligt boven nul, maar",
                    "The interval lies above zero, but",
                )
            } else {
                t.t(
                    "Het interval ligt onder nul, maar",
                    "The interval lies below zero, but",
                )
            },
            t.t(
                "dit vergelijkt één school met de vergelijkingsscholen: verschillen tussen scholen die niets met het programma te maken hebben, zitten ook in dit getal.",
                "this compares one school with the comparison schools: differences between schools that have nothing to do with the programme are part of this number too.",
            )
        );
    }
    if lo > 0.0 {
        t.t(
            "Het interval ligt geheel boven nul: de voorsprong is groter dan toeval waarschijnlijk maakt.",
            "The interval lies wholly above zero: the lead is larger than chance would plausibly give.",
        )
    } else if hi < 0.0 {
        t.t(
            "Het interval ligt geheel onder nul: programmaleerlingen groeiden minder.",
            "The interval lies wholly below zero: programme pupils grew less.",
        )
    } else {
        t.t(
            "Het interval omvat nul: een verschil is met deze gegevens niet aan te tonen.",
            "The interval includes zero: these data cannot show a difference.",
        )
    }
    .into()
}

/// The full sentence after "Estimated effect ...: ": estimate, interval, method, reading.
pub(super) fn effect_sentence(t: &Texts, e: &Effect, min_n: usize) -> String {
    let method = if e.ci.is_some() {
        format!("; {}", Method::parse(&e.method).phrase(t))
    } else {
        String::new()
    };
    format!(
        "{}{method}. {}",
        effect_phrase(t, e, min_n),
        ci_reading(t, e)
    )
}

/// Whether two rows with intervals disagree beyond their intervals: each estimate lies outside
/// the other's 95% CI. None when either has no estimate or interval.
pub(super) fn disagree(a: &Effect, b: &Effect) -> Option<bool> {
    let (ea, (la, ha)) = (a.est?, a.ci?);
    let (eb, (lb, hb)) = (b.est?, b.ci?);
    Some(!(lb..=hb).contains(&ea) && !(la..=ha).contains(&eb))
}

/// "regression against comparison schools (+0.30 SD, 95% CI +0.10 to +0.50)"
pub(super) fn design_estimate(t: &Texts, e: &Effect) -> String {
    let (est, (lo, hi)) = (
        e.est.unwrap_or(f64::NAN),
        e.ci.unwrap_or((f64::NAN, f64::NAN)),
    );
    format!(
        "{} ({} {}, {} {} {} {})",
        design_short_name(t, &e.design),
        signed_two_decimals(t, est),
        unit(t, &e.outcome),
        t.t("95%-BI", "95% CI"),
        signed_two_decimals(t, lo),
        t.t("tot", "to"),
        signed_two_decimals(t, hi)
    )
}
