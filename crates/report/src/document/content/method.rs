//! How an effect row's interval was made (the effects table's `method` column), in words:
//! short labels for tables and the console, and a sentence per method for the effects section.

use std::collections::BTreeSet;

use super::read::{Effect, FEW_PROGRAMME_SCHOOLS, TOO_FEW_CLUSTERS, TOO_FEW_PUPILS};
use crate::text::Texts;

/// A short label, in `t`'s language, of the `method` column of an effects row (how its
/// interval was made), for tables and the console.
pub fn method_label(t: &Texts, method: &str) -> String {
    Method::parse(method).short(t)
}

/// The `note` column of an effects row in `t`'s language (a note not known here as written).
pub fn note_label(t: &Texts, note: &str) -> String {
    match note {
        TOO_FEW_CLUSTERS => t.t("te weinig scholen", "too few schools").into(),
        TOO_FEW_PUPILS => t.t("te weinig leerlingen", "too few pupils").into(),
        FEW_PROGRAMME_SCHOOLS => t
            .t("weinig programmascholen", "few programme schools")
            .into(),
        other => other.into(),
    }
}

/// How the interval of a row was made, from the `method` column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Method {
    /// CR2 with Satterthwaite degrees of freedom.
    Cr2,
    /// CR1 with t on clusters - 1.
    Cr1,
    /// Wild cluster bootstrap: weights, replicates, every sign vector enumerated.
    Wild(String, String, bool),
    /// Heteroskedasticity-robust, pupils as clusters.
    Hc1Pupils,
    /// Mixed model, REML, Satterthwaite df.
    Reml,
    /// Shrunken school effect.
    Blup,
    /// Bootstrap over schools, replicates.
    SchoolBootstrap(Option<String>),
    /// Jackknife over schools with t(G-1) and a multivariate-t band (staggered design), draws.
    ClusteredBand(Option<String>),
    /// Standard error by matched set.
    MatchedSet,
    /// No interval.
    None,
    /// Anything else, as written.
    Other(String),
}

impl Method {
    /// The method of a `method` cell.
    pub(super) fn parse(m: &str) -> Method {
        let inner = || {
            m.split_once('(')
                .and_then(|(_, r)| r.rsplit_once(')'))
                .map(|(x, _)| x.trim().to_string())
        };
        if m.starts_with("CR2") {
            Method::Cr2
        } else if m.starts_with("CR1 by matched set") {
            Method::MatchedSet
        } else if m.starts_with("CR1") {
            Method::Cr1
        } else if m.starts_with("wild cluster bootstrap") {
            let parts: Vec<String> = inner()
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_string())
                .collect();
            Method::Wild(
                parts.first().cloned().unwrap_or_default(),
                parts.get(1).cloned().unwrap_or_default(),
                parts.iter().any(|p| p == "all sign vectors"),
            )
        } else if m.starts_with("HC1") {
            Method::Hc1Pupils
        } else if m.starts_with("REML") {
            Method::Reml
        } else if m.starts_with("BLUP") {
            Method::Blup
        } else if m.starts_with("school jackknife") {
            // The draws are in the last parentheses ("t(G-1)" comes first).
            Method::ClusteredBand(
                m.rsplit_once('(')
                    .map(|(_, r)| r.chars().filter(char::is_ascii_digit).collect()),
            )
        } else if m.starts_with("cluster bootstrap over schools") {
            Method::SchoolBootstrap(inner())
        } else if m.is_empty() || m == "none" {
            Method::None
        } else {
            Method::Other(m.to_string())
        }
    }

    /// A short label for a table cell.
    pub(super) fn short(&self, t: &Texts) -> String {
        match self {
            Method::Cr2 => "CR2, Satterthwaite".into(),
            Method::Cr1 => "CR1, t(G-1)".into(),
            Method::Wild(w, b, _) => format!(
                "{} ({w}, {b})",
                t.t("wilde clusterbootstrap", "wild cluster bootstrap")
            ),
            Method::Hc1Pupils => t
                .t("HC1, leerlingen als eenheid", "HC1, pupils as units")
                .into(),
            Method::Reml => "REML, Satterthwaite".into(),
            Method::Blup => "BLUP".into(),
            Method::SchoolBootstrap(b) => format!(
                "{}{}",
                t.t("bootstrap over scholen", "bootstrap over schools"),
                b.as_ref().map(|b| format!(" ({b})")).unwrap_or_default()
            ),
            Method::ClusteredBand(b) => format!(
                "{}{}",
                t.t(
                    "jackknife over scholen, t(G-1); band: multivariate t",
                    "jackknife over schools, t(G-1); band: multivariate t"
                ),
                b.as_ref().map(|b| format!(" ({b})")).unwrap_or_default()
            ),
            Method::MatchedSet => t.t("per gekoppelde set", "by matched set").into(),
            Method::None => t.t("geen", "none").into(),
            Method::Other(m) => m.clone(),
        }
    }

    /// In plain words, as part of a sentence about one interval.
    pub(super) fn phrase(&self, t: &Texts) -> String {
        match self {
            Method::Cr2 => t
                .t(
                    "interval met CR2-standaardfouten en Satterthwaite-vrijheidsgraden, geschikt bij weinig scholen",
                    "interval from CR2 standard errors with Satterthwaite degrees of freedom, suited to few schools",
                )
                .into(),
            Method::Cr1 => t
                .t(
                    "interval met naar school geclusterde standaardfouten (CR1) en een t-verdeling op het aantal scholen min 1",
                    "interval from school-clustered standard errors (CR1) with a t distribution on the number of schools minus 1",
                )
                .into(),
            Method::Wild(w, b, _) => format!(
                "{} ({w}, {b} {}), {}",
                t.t(
                    "interval uit een wilde clusterbootstrap over scholen",
                    "interval from a wild cluster bootstrap over schools"
                ),
                t.t("herhalingen", "replicates"),
                t.t("geschikt bij weinig scholen", "suited to few schools")
            ),
            Method::Hc1Pupils => t
                .t(
                    "interval met robuuste standaardfouten waarin elke leerling apart telt; verschillen tussen scholen zitten er niet in, dus het interval is eerder te smal",
                    "interval from robust standard errors that count each pupil separately; differences between schools are not in it, so the interval is more likely too narrow",
                )
                .into(),
            Method::Reml => t
                .t(
                    "interval uit een multilevelmodel (REML) met Satterthwaite-vrijheidsgraden, met verschillen tussen scholen en groepen meegenomen",
                    "interval from a multilevel model (REML) with Satterthwaite degrees of freedom, with differences between schools and classes taken into account",
                )
                .into(),
            Method::Blup => t
                .t(
                    "interval uit de naar het gemiddelde gekrompen schoolschatting (BLUP) en haar onzekerheid",
                    "interval from the school estimate shrunk toward the mean (BLUP) and its uncertainty",
                )
                .into(),
            Method::ClusteredBand(b) => format!(
                "{}{}",
                t.t(
                    "interval uit een jackknife over scholen met t(G-1); simultane band uit de multivariate t-verdeling van die jackknife",
                    "interval from a jackknife over schools with t(G-1); simultaneous band from the multivariate t distribution of that jackknife"
                ),
                b.as_ref()
                    .map(|b| format!(" ({b} {})", t.t("trekkingen", "draws")))
                    .unwrap_or_default()
            ),
            Method::SchoolBootstrap(b) => format!(
                "{}{}",
                t.t(
                    "interval uit een bootstrap over scholen",
                    "interval from a bootstrap over schools"
                ),
                b.as_ref()
                    .map(|b| format!(" ({b} {})", t.t("herhalingen", "replicates")))
                    .unwrap_or_default()
            ),
            Method::MatchedSet => t
                .t(
                    "interval uit de spreiding tussen gekoppelde sets leerlingen; scholen zijn daarin niet meegenomen, dus het interval is eerder te smal",
                    "interval from the spread between matched sets of pupils; schools are not taken into account, so the interval is more likely too narrow",
                )
                .into(),
            Method::None => t.t("geen interval", "no interval").into(),
            Method::Other(m) => format!("{}: {m}", t.t("methode", "method")),
        }
    }

    /// One sentence on the method for the effects section.
    pub(super) fn explanation(&self, t: &Texts) -> Option<String> {
        Some(match self {
            Method::Cr2 => t
                .t(
                    "CR2 met Satterthwaite-vrijheidsgraden (Bell & McCaffrey, zoals R clubSandwich): standaardfouten die leerlingen van dezelfde school niet als onafhankelijk tellen, met een correctie die het interval bij weinig scholen niet te smal laat worden.",
                    "CR2 with Satterthwaite degrees of freedom (Bell & McCaffrey, as R clubSandwich): standard errors that do not count pupils of the same school as independent, with a correction that keeps the interval from being too narrow when there are few schools.",
                )
                .into(),
            Method::Cr1 => t
                .t(
                    "CR1 met t(G-1): standaardfouten geclusterd naar school (zoals Stata) met een t-verdeling op het aantal scholen min 1; betrouwbaar bij veel scholen, bij weinig scholen eerder te smal.",
                    "CR1 with t(G-1): school-clustered standard errors (as Stata) with a t distribution on the number of schools minus 1; reliable with many schools, more likely too narrow with few.",
                )
                .into(),
            Method::Wild(w, b, all) => format!(
                "{} ({w}, {b} {}{}): {}",
                t.t("Wilde clusterbootstrap", "Wild cluster bootstrap"),
                t.t("herhalingen", "replicates"),
                if *all {
                    t.t(", alle tekencombinaties", ", all sign combinations")
                } else {
                    ""
                },
                t.t(
                    "de uitkomsten van hele scholen worden telkens willekeurig van teken gewisseld om te zien hoe groot een verschil door toeval kan zijn; betrouwbaar bij weinig scholen.",
                    "the outcomes of whole schools are flipped in sign at random, over and over, to see how large a difference chance can give; reliable with few schools.",
                )
            ),
            Method::Hc1Pupils => t
                .t(
                    "HC1 met leerlingen als eenheid: robuuste standaardfouten waarin elke leerling apart telt (bij één programmaschool); verschillen tussen scholen zitten niet in het interval, dat daardoor eerder te smal is.",
                    "HC1 with pupils as units: robust standard errors that count each pupil separately (with one programme school); differences between schools are not in the interval, which is therefore more likely too narrow.",
                )
                .into(),
            Method::Reml => t
                .t(
                    "Multilevelmodel (REML, zoals R lme4) met Satterthwaite-vrijheidsgraden (zoals lmerTest): verschillen tussen scholen en tussen groepen binnen scholen zijn als aparte bronnen van spreiding gemodelleerd.",
                    "Multilevel model (REML, as R lme4) with Satterthwaite degrees of freedom (as lmerTest): differences between schools and between classes within schools are modelled as separate sources of variation.",
                )
                .into(),
            Method::Blup => t
                .t(
                    "Schooleffecten uit het multilevelmodel (BLUP): elke school is naar het gemiddelde toe gekrompen, meer naarmate ze kleiner is, zodat een kleine school met een toevallig hoge of lage uitkomst niet te zwaar telt.",
                    "School effects from the multilevel model (BLUP): each school is shrunk toward the mean, more so the smaller it is, so that a small school with a chance high or low result does not count too much.",
                )
                .into(),
            Method::ClusteredBand(b) => format!(
                "{}{}: {}",
                t.t(
                    "Jackknife over scholen met t(G-1), band uit de multivariate t-verdeling",
                    "Jackknife over schools with t(G-1), band from the multivariate t distribution"
                ),
                b.as_ref()
                    .map(|b| format!(" ({b} {})", t.t("trekkingen", "draws")))
                    .unwrap_or_default(),
                t.t(
                    "de schatting wordt telkens overgedaan zonder één van de scholen; hoe sterk ze dan verschuift, bepaalt de onzekerheid, met een t-verdeling op het aantal scholen waarop de schatting rust min 1, zodat het interval bij weinig scholen niet te smal wordt. De band rond de effecten per jaar sinds de start is breder: hij houdt er rekening mee dat bij weglaten van een school de jaren samen verschuiven, en dekt zo alle jaren tegelijk.",
                    "the estimate is made again without each school in turn; how much it moves sets the uncertainty, with a t distribution on the number of schools the estimate rests on minus 1, so the interval is not too narrow with few schools. The band around the effects by years since the start is wider: it allows for the years moving together when a school is left out, and so covers all years at once.",
                )
            ),
            Method::SchoolBootstrap(b) => format!(
                "{}{}: {}",
                t.t("Bootstrap over scholen", "Bootstrap over schools"),
                b.as_ref()
                    .map(|b| format!(" ({b} {})", t.t("herhalingen", "replicates")))
                    .unwrap_or_default(),
                t.t(
                    "hele scholen worden herhaald met teruglegging getrokken, zodat het interval de verschillen tussen scholen meeneemt.",
                    "whole schools are drawn again and again with replacement, so the interval carries the differences between schools.",
                )
            ),
            Method::MatchedSet => t
                .t(
                    "Standaardfout per gekoppelde set (zoals MatchIt), gebruikt waar een interval over scholen niet te maken is: houdt geen rekening met scholen en is daardoor eerder te smal.",
                    "Standard error by matched set (as MatchIt), used where an interval over schools cannot be made: it ignores schools and is therefore more likely too narrow.",
                )
                .into(),
            Method::None => return None,
            Method::Other(m) => format!("{}: {m}.", t.t("Methode", "Method")),
        })
    }
}

/// One sentence per method used by `rows` (in a stable order), for the effects section.
pub(super) fn method_bullets(t: &Texts, rows: &[&Effect]) -> Vec<String> {
    let methods: BTreeSet<Method> = rows
        .iter()
        .filter(|e| e.ci.is_some())
        .map(|e| Method::parse(&e.method))
        .collect();
    methods.iter().filter_map(|m| m.explanation(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use leerwinst_core::pipeline::Language;

    #[test]
    fn the_staggered_method_label_names_its_draws() {
        let t = Texts::new(Language::Nl);
        let m = "school jackknife, t(G-1); multivariate-t band (20000 draws)";
        assert_eq!(
            method_label(&t, m),
            "jackknife over scholen, t(G-1); band: multivariate t (20000)"
        );
    }
}
