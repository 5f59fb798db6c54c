//! Dutch spelling of the coded values in the tables staff open.
//!
//! The Parquet tables keep their values as the code writes them (`all`, `regression`,
//! `too_few_pupils`, `CR2 + Satterthwaite df`): scripts and the later stages read them, and they
//! must not change with the language of a run. A Dutch run's CSV and Excel copies show the values
//! of the columns named here in Dutch instead, as [`crate::schema_nl`] does for the headers:
//! `alle vakken`, `regressie`, `te weinig leerlingen`, `CR2 + Satterthwaite-vrijheidsgraden`.
//!
//! [`value_nl`] is keyed on the column's name. Values it does not know (a school's key, a subject
//! as the export names it, a regressor a replication pipeline names) pass through unchanged.
//! Variable names inside a value (`programme:baseline_quintile=2`) take the Dutch header of the
//! column of that name (`programma:kwintiel_beginscore=2`), so that a value and the column it
//! names read alike.

use std::borrow::Cow;

/// The Dutch spelling of `value` in a column named `column` of a staff table (its English
/// name, as in [`crate::schema`]); `value` itself when the column holds no coded values or the
/// value is not a code.
pub fn value_nl<'a>(column: &str, value: &'a str) -> Cow<'a, str> {
    let exact = match column {
        "design" => design_nl(value),
        "subject" | "sample" if value == "all" => Some("alle vakken"),
        "level" => match value {
            "all" => Some("alle"),
            "class" => Some("groep"),
            "board" => Some("bestuur"),
            "arm" => Some("programma of vergelijking"),
            _ => None,
        },
        "group" => match value {
            "programme" => Some("programma"),
            "comparison" => Some("vergelijking"),
            _ => None,
        },
        "note" => note_nl(value),
        "kind" => match value {
            "curve" => Some("curve"),
            "slope" => Some("helling"),
            "boundary" => Some("grens"),
            _ => None,
        },
        "aggregation" => match value {
            "group_time" => Some("startjaar_en_schooljaar"),
            "event_time" => Some("jaren_sinds_start"),
            "cohort" => Some("startjaar"),
            "school_year" => Some("schooljaar"),
            _ => None,
        },
        "indicator" => crate::schema_nl::label_nl(value),
        _ => None,
    };
    if let Some(nl) = exact {
        return Cow::Borrowed(nl);
    }
    match column {
        "subgroup" | "model" | "term" | "outcome" | "fixed_effects" | "moderator" | "sample" => {
            identifiers_nl(value)
        }
        "method" => phrases_nl(value, METHOD_PHRASES),
        "null_reason" => phrases_nl(value, NULL_REASON_PHRASES),
        "norm_source" => phrases_nl(value, &[("norm-table", "normtabel")]),
        // A rejects file's value: a pupil id shown as its pseudonym.
        "value" => phrases_nl(value, &[("pseudonym:", "pseudoniem:")]),
        _ => Cow::Borrowed(value),
    }
}

/// The short Dutch name of an effect design, by its key (`regression` -> `regressie`); `None`
/// for a key that is not a design.
pub fn design_nl(key: &str) -> Option<&'static str> {
    Some(match key {
        "regression" => "regressie",
        "multilevel" => "multilevelmodel",
        "vcg" => "virtuele vergelijkingsgroep",
        "matching" => "matching",
        "experiment" => "experiment",
        "staggered" => "gefaseerde invoering",
        _ => return None,
    })
}

/// The Dutch words of the note codes of effect rows (`compare::inference::note` and the event
/// study's `not_estimable`).
fn note_nl(code: &str) -> Option<&'static str> {
    Some(match code {
        "too_few_clusters" => "te weinig scholen",
        "too_few_pupils" => "te weinig leerlingen",
        "few_programme_schools" => "weinig programmascholen",
        "not_estimable" => "niet te schatten",
        _ => return None,
    })
}

/// Words of the `method` column (as `compare` composes it), longest first so that a phrase is
/// replaced before a word inside it.
const METHOD_PHRASES: &[(&str, &str)] = &[
    (
        "cluster bootstrap over schools",
        "clusterbootstrap over scholen",
    ),
    ("wild cluster bootstrap", "wilde clusterbootstrap"),
    ("multivariate-t band", "multivariate-t-band"),
    ("covariate-adjusted", "gecorrigeerd voor covariaten"),
    ("schools as clusters", "scholen als clusters"),
    ("pupils as clusters", "leerlingen als clusters"),
    ("Satterthwaite df", "Satterthwaite-vrijheidsgraden"),
    ("all sign vectors", "alle tekenvectoren"),
    ("by matched set", "per gematchte set"),
    ("school jackknife", "jackknife over scholen"),
    ("conditional SD", "voorwaardelijke SD"),
    ("draws", "trekkingen"),
    ("none", "geen"),
];

/// Words of the SRL tables' `null_reason` (as `transform::srl` writes it).
const NULL_REASON_PHRASES: &[(&str, &str)] = &[
    (
        "timestamps carry dates only: no sessions, time on task or hour concentration",
        "tijdstippen zonder kloktijd: geen sessies, leertijd of concentratie op uren",
    ),
    ("indicators computable", "indicatoren te berekenen"),
    ("LMS events in the period", "LMS-activiteiten in de periode"),
    ("fewer than", "minder dan"),
    ("no ", "geen "),
];

/// `value` with every phrase of `phrases` replaced (in order).
fn phrases_nl<'a>(value: &'a str, phrases: &[(&str, &str)]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(value);
    for (en, nl) in phrases {
        if out.contains(en) {
            out = Cow::Owned(out.replace(en, nl));
        }
    }
    out
}

/// `value` with each identifier in it (a run of letters and `_`) in Dutch ([`identifier_nl`]);
/// other text unchanged.
fn identifiers_nl(value: &str) -> Cow<'_, str> {
    let is_word = |c: char| c.is_ascii_alphabetic() || c == '_';
    let mut out = String::with_capacity(value.len() + 8);
    let mut changed = false;
    let mut rest = value;
    while let Some(start) = rest.find(is_word) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find(|c: char| !is_word(c)).unwrap_or(tail.len());
        let word = &tail[..end];
        match identifier_nl(word) {
            Some(nl) => {
                out.push_str(nl);
                changed = true;
            }
            None => out.push_str(word),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(value)
    }
}

/// One identifier in Dutch, or `None` to keep it: the words of model and term names, and the
/// model variables, which read as the Dutch headers of their columns.
fn identifier_nl(word: &str) -> Option<&'static str> {
    Some(match word {
        "overall" => "totaal",
        "by" => "per",
        "all" => "alle",
        "intercept" => "constante",
        "distance" => "propensityscore",
        "growth_z" => "groei_z",
        "percentile" => "percentiel",
        "baseline_z" | "followup_z" | "baseline_quintile" | "srl_index" | "srl_tercile"
        | "programme" | "subject" | "grade" | "school" => crate::schema_nl::label_nl(word)?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_values_read_in_dutch() {
        assert_eq!(value_nl("subject", "all"), "alle vakken");
        assert_eq!(value_nl("subject", "rekenen"), "rekenen");
        assert_eq!(value_nl("design", "regression"), "regressie");
        assert_eq!(value_nl("level", "all"), "alle");
        assert_eq!(value_nl("level", "10AD"), "10AD");
        assert_eq!(value_nl("note", "too_few_pupils"), "te weinig leerlingen");
        assert_eq!(value_nl("outcome", "followup_z (E-E)"), "eindscore_z (E-E)");
        assert_eq!(
            value_nl("term", "programme:baseline_quintile=2"),
            "programma:kwintiel_beginscore=2"
        );
        assert_eq!(value_nl("term", "(intercept)"), "(constante)");
        assert_eq!(value_nl("term", "M"), "M");
        assert_eq!(
            value_nl("model", "by srl_tercile"),
            "per zelfregulatie_tertiel"
        );
        assert_eq!(
            value_nl("fixed_effects", "subject x grade"),
            "vak x leerjaar"
        );
        assert_eq!(
            value_nl("indicator", "active_week_share"),
            "aandeel_actieve_weken"
        );
        assert_eq!(
            value_nl(
                "method",
                "CR2 + Satterthwaite df, covariate-adjusted, schools as clusters"
            ),
            "CR2 + Satterthwaite-vrijheidsgraden, gecorrigeerd voor covariaten, scholen als clusters"
        );
        assert_eq!(
            value_nl(
                "method",
                "wild cluster bootstrap (Webb, 999, all sign vectors)"
            ),
            "wilde clusterbootstrap (Webb, 999, alle tekenvectoren)"
        );
        assert_eq!(
            value_nl("null_reason", "fewer than 20 LMS events in the period (11)"),
            "minder dan 20 LMS-activiteiten in de periode (11)"
        );
        // A column without codes, and an unknown value, pass through unchanged and unowned.
        assert!(matches!(value_nl("pupil_key", "all"), Cow::Borrowed("all")));
        assert!(matches!(value_nl("note", "else"), Cow::Borrowed("else")));
    }

    /// The Dutch column descriptions quote values as a Dutch run's copies spell them: no quoted
    /// value is one that a column of the same table would still translate.
    #[test]
    fn dutch_descriptions_quote_dutch_values() {
        use crate::schema_nl::{STAFF_TABLES, description_nl};
        let mut english = Vec::new();
        for table in STAFF_TABLES {
            for c in table.columns() {
                let Some(text) = description_nl(table, c.name) else {
                    continue;
                };
                for quoted in text.split('\'').skip(1).step_by(2) {
                    for other in table.columns() {
                        let nl = value_nl(other.name, quoted);
                        if nl != quoted {
                            english.push(format!(
                                "{}.{}: '{quoted}' (in {} it reads '{nl}')",
                                table.name(),
                                c.name,
                                other.name
                            ));
                        }
                    }
                }
            }
        }
        assert!(english.is_empty(), "{english:#?}");
    }
}
