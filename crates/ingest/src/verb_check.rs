//! A loud warning when much of a source's activity has a verb the verb map does not know.
//!
//! An event whose verb is neither in the pipeline's `[verbs]` table nor in the reader's defaults
//! becomes kind `other`: it counts for activity (active days, weeks) but not as an attempt, an
//! answer, help or a completion, so the indicators built on those cannot be computed. When Dutch
//! activity names were left out of `[verbs]` every event became `other` without a word; now a
//! source with more than [`UNMAPPED_SHARE_WARNING`] of its events unmapped gets a warning
//! (console and run.json) naming the most frequent unmapped verbs and their counts.

use std::collections::BTreeSet;

use leerwinst_core::pipeline::Language;

use crate::event_store::KindTally;

/// Share of a source's events with an unmapped verb above which the run warns.
pub const UNMAPPED_SHARE_WARNING: f64 = 0.2;

/// Unmapped verbs named in the warning.
const NAMED: usize = 5;

/// The warning for a source whose events are in `tally`, if more than
/// [`UNMAPPED_SHARE_WARNING`] of them have a verb that is neither mapped to a kind nor
/// explicitly mapped to `other` (`explicit_other`).
pub fn unmapped_warning(
    language: Language,
    tally: &KindTally,
    explicit_other: &BTreeSet<String>,
) -> Option<String> {
    let mut unmapped: Vec<(String, u64)> = tally
        .other_verbs
        .iter()
        .filter(|(verb, _)| !explicit_other.contains(*verb))
        .map(|(verb, n)| (shown(verb), *n))
        .collect();
    if tally.other_untallied > 0 {
        unmapped.push(("…".to_string(), tally.other_untallied));
    }
    let total: u64 = unmapped.iter().map(|(_, n)| n).sum();
    if tally.events == 0 || (total as f64) <= UNMAPPED_SHARE_WARNING * tally.events as f64 {
        return None;
    }
    unmapped.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let top: Vec<String> = unmapped
        .iter()
        .take(NAMED)
        .map(|(v, n)| format!("'{v}' ({n})"))
        .collect();
    let pct = (100.0 * total as f64 / tally.events as f64).round();
    Some(match language {
        Language::Nl => format!(
            "{pct}% van de activiteiten ({total} van {}) heeft een werkwoord dat niet in [verbs] staat en telt alleen als 'other' (geen poging, antwoord, hulp of afronding); meest voorkomend: {}. Voeg ze toe aan [verbs] in de pijplijn, anders blijven de indicatoren die daarop rusten leeg.",
            tally.events,
            top.join(", ")
        ),
        Language::En => format!(
            "{pct}% of the events ({total} of {}) have a verb not in [verbs] and count only as 'other' (no attempt, answer, help or completion); most frequent: {}. Add them to [verbs] in the pipeline, or the indicators built on them stay empty.",
            tally.events,
            top.join(", ")
        ),
    })
}

/// A verb as the warning shows it: as written, unless it could hold personal data (an `@`, a
/// run of five or more digits, or very long), then its shape ([`crate::redact::shape`]).
fn shown(verb: &str) -> String {
    let digits = verb
        .split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() >= 5);
    if verb.contains('@') || digits || verb.chars().count() > 120 {
        crate::redact::shape(verb)
    } else {
        verb.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tally(events: u64, other: &[(&str, u64)]) -> KindTally {
        KindTally {
            events,
            other_verbs: other
                .iter()
                .map(|(v, n)| (v.to_string(), *n))
                .collect::<BTreeMap<_, _>>(),
            other_untallied: 0,
        }
    }

    #[test]
    fn warns_above_the_share_and_names_the_most_frequent_verbs() {
        let none = BTreeSet::new();
        let t = tally(100, &[("opdracht gemaakt", 50), ("uitleg bekeken", 30)]);
        let w = unmapped_warning(Language::Nl, &t, &none).unwrap();
        assert!(w.starts_with("80% van de activiteiten (80 van 100)"), "{w}");
        assert!(
            w.contains("'opdracht gemaakt' (50), 'uitleg bekeken' (30)"),
            "{w}"
        );
        // At or below 20%: quiet.
        assert_eq!(
            unmapped_warning(Language::En, &tally(100, &[("x", 20)]), &none),
            None
        );
        // Verbs mapped to `other` on purpose do not count: 30 unmapped of 100 still warns,
        // none does not.
        let explicit = BTreeSet::from(["opdracht gemaakt".to_string()]);
        let w = unmapped_warning(Language::Nl, &t, &explicit).unwrap();
        assert!(w.starts_with("30% van de activiteiten (30 van 100)"), "{w}");
        let both = BTreeSet::from(["opdracht gemaakt".into(), "uitleg bekeken".into()]);
        assert_eq!(unmapped_warning(Language::Nl, &t, &both), None);
    }

    #[test]
    fn a_verb_that_could_be_personal_is_shown_by_its_shape() {
        let t = tally(10, &[("lucas@school.nl", 5), ("L1000412", 4)]);
        let w = unmapped_warning(Language::En, &t, &BTreeSet::new()).unwrap();
        assert!(!w.contains("lucas") && !w.contains("1000412"), "{w}");
    }
}
