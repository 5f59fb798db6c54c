//! What the review documents say: the board's document and one per school, built from a run's
//! outputs (run.json, rejects, indicators, effects, charts). Every number comes from those
//! files; groups below the minimum size are shown as "n < N" and never as figures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::pipeline::{Design, Language};
use leerwinst_stats::describe::median_sorted;
use leerwinst_store::{Frame, opt, opt_str};
use serde_json::Value;

use super::{Block, Doc};
use crate::charts::growth::GrowthRows;
use crate::text::Texts;

/// Everything the documents draw on.
pub struct Inputs<'a> {
    /// Language.
    pub t: &'a Texts,
    /// Pipeline name.
    pub pipeline: &'a str,
    /// Effect design.
    pub design: Design,
    /// Minimum group size.
    pub min_n: usize,
    /// The run's run.json (null when missing).
    pub run: &'a Value,
    /// `rejects/` folder of the run.
    pub rejects: &'a Path,
    /// Growth rows of the compared window.
    pub growth: &'a GrowthRows,
    /// indicators/group_growth.
    pub groups: &'a Frame,
    /// indicators/srl.
    pub srl: &'a Frame,
    /// effects/effects.
    pub effects: &'a Frame,
    /// effects/balance (design `matching`), when the run has it.
    pub balance: Option<&'a Frame>,
    /// effects/event_study (design `staggered`), when the run has it.
    pub events: Option<&'a Frame>,
    /// effects/sensitivity (robustness to unobserved confounding), when the run has it.
    pub sensitivity: Option<&'a Frame>,
    /// effects/moderation (the effect as a curve over a continuous moderator), when the run has it.
    pub moderation: Option<&'a Frame>,
    /// indicators/reference_levels, when the run has it.
    pub reference_levels: Option<&'a Frame>,
    /// indicators/moment_trend, when the run has it.
    pub moment_trend: Option<&'a Frame>,
    /// Chart name -> SVG text of the board's charts; `None` for a chart made but with too little
    /// drawn to show (nothing, or a single group).
    pub charts: &'a BTreeMap<String, Option<String>>,
}

/// One decimal, with the document language's decimal mark.
fn f1(t: &Texts, v: f64) -> String {
    t.number(v, 1)
}

/// Signed, two decimals, never "-0.00", with the document language's decimal mark.
fn f2(t: &Texts, v: f64) -> String {
    t.signed(v, 2)
}

fn yes_no(t: &Texts, b: bool) -> String {
    if b {
        t.t("ja", "yes")
    } else {
        t.t("nee", "no")
    }
    .to_string()
}

/// One effect row of the effects table.
struct Effect {
    /// Design key ("regression", "multilevel", ...).
    design: String,
    subject: String,
    outcome: String,
    /// "overall", "srl_tercile", "baseline_quintile" or "school".
    subgroup: String,
    n1: i64,
    n0: i64,
    /// None when the row was not estimated (`note` says why).
    est: Option<f64>,
    /// The 95% interval; None when it could not be made (`note` says why).
    ci: Option<(f64, f64)>,
    p: Option<f64>,
    /// How se, CI and p were made (the `method` column).
    method: String,
    /// Programme and comparison schools in the row's sample.
    cp: i64,
    cc: i64,
    /// `too_few_clusters`, `too_few_pupils`, `few_programme_schools` or null.
    note: Option<String>,
}

/// Note codes of the effects table (`note` column, written by compare).
const TOO_FEW_CLUSTERS: &str = "too_few_clusters";
const TOO_FEW_PUPILS: &str = "too_few_pupils";
const FEW_PROGRAMME_SCHOOLS: &str = "few_programme_schools";
/// Programme schools below which the evidence is called weak (as compare's guard).
const WEAK_BELOW_PROGRAMME_SCHOOLS: i64 = 5;

impl Effect {
    /// Weak evidence whatever the p value: marked so by compare, or fewer than 5 programme
    /// schools in a row that compares schools (a row per programme school is one school by
    /// construction).
    fn weak(&self) -> bool {
        self.note.as_deref() == Some(FEW_PROGRAMME_SCHOOLS)
            || (self.subgroup != "school" && self.cp < WEAK_BELOW_PROGRAMME_SCHOOLS)
    }
}

/// Every row of the effects table, with its level, in file order (rows without an estimate or
/// interval included: they are shown with the reason).
fn effect_rows(f: &Frame) -> Vec<(String, Effect)> {
    let (de, sg, lv, su, oc, me, no) = (
        f.str("design"),
        f.str("subgroup"),
        f.str("level"),
        f.str("subject"),
        f.str("outcome"),
        f.str("method"),
        f.str("note"),
    );
    let (n1, n0, cp, cc) = (
        f.i64("n_treated"),
        f.i64("n_comparison"),
        f.i64("clusters_programme"),
        f.i64("clusters_comparison"),
    );
    let (est, lo, hi, p) = (
        f.f64("estimate"),
        f.f64("ci_low"),
        f.f64("ci_high"),
        f.f64("p_value"),
    );
    (0..f.len())
        .map(|i| {
            let e = opt(est, i).filter(|v| v.is_finite());
            let ci = match (e, opt(lo, i), opt(hi, i)) {
                (Some(_), Some(l), Some(h)) if l.is_finite() && h.is_finite() => Some((l, h)),
                _ => None,
            };
            (
                lv.value(i).to_string(),
                Effect {
                    design: de.value(i).to_string(),
                    subject: su.value(i).to_string(),
                    outcome: oc.value(i).to_string(),
                    subgroup: sg.value(i).to_string(),
                    n1: n1.value(i),
                    n0: n0.value(i),
                    est: e,
                    ci,
                    p: ci.and(opt(p, i)),
                    method: me.value(i).to_string(),
                    cp: cp.value(i),
                    cc: cc.value(i),
                    note: opt_str(no, i).map(str::to_string),
                },
            )
        })
        .collect()
}

/// The rows of the pipeline's own design for `subgroup` (and `level`). Rows of other designs are
/// sensitivity checks ([`sensitivity`]).
fn effects_where(inp: &Inputs, subgroup: &str, level: Option<&str>) -> Vec<(String, Effect)> {
    let key = inp.design.key();
    effect_rows(inp.effects)
        .into_iter()
        .filter(|(l, e)| e.design == key && e.subgroup == subgroup && level.is_none_or(|x| l == x))
        .collect()
}

/// The rows of `subject` among `v`.
fn pick<'a>(v: &'a [(String, Effect)], subject: &str) -> Vec<&'a Effect> {
    v.iter()
        .filter(|(_, e)| e.subject == subject)
        .map(|(_, e)| e)
        .collect()
}

/// The pooled effect: subject "all" where the design gives it, else the first subject.
fn headline(effects: &[(String, Effect)]) -> Option<&Effect> {
    effects
        .iter()
        .map(|e| &e.1)
        .find(|e| e.subject == "all")
        .or(effects.first().map(|e| &e.1))
}

fn unit(t: &Texts, outcome: &str) -> String {
    if outcome.starts_with("followup_z") || outcome.starts_with("growth_z") {
        t.t("SD", "SD").to_string()
    } else {
        t.t("punten", "points").to_string()
    }
}

/// "1 programmaschool", "3 programmascholen".
fn schools_phrase(t: &Texts, n: i64, programme: bool) -> String {
    let word = match (programme, n == 1) {
        (true, true) => t.t("programmaschool", "programme school"),
        (true, false) => t.t("programmascholen", "programme schools"),
        (false, true) => t.t("vergelijkingsschool", "comparison school"),
        (false, false) => t.t("vergelijkingsscholen", "comparison schools"),
    };
    format!("{n} {word}")
}

/// Why a row has no interval, or no estimate: the text shown in place of the interval.
fn missing_reason(t: &Texts, e: &Effect, min_n: usize) -> String {
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
enum Method {
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
    fn parse(m: &str) -> Method {
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
    fn short(&self, t: &Texts) -> String {
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
    fn phrase(&self, t: &Texts) -> String {
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
    fn explanation(&self, t: &Texts) -> Option<String> {
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

/// "+0.26 SD (95% confidence interval +0.05 to +0.47)"; without an interval, why not.
fn effect_phrase(t: &Texts, e: &Effect, min_n: usize) -> String {
    match (e.est, e.ci) {
        (Some(est), Some((lo, hi))) => format!(
            "{} {} ({} {} {} {})",
            f2(t, est),
            unit(t, &e.outcome),
            t.t("95%-betrouwbaarheidsinterval", "95% confidence interval"),
            f2(t, lo),
            t.t("tot", "to"),
            f2(t, hi)
        ),
        (Some(est), None) => format!(
            "{} {} ({})",
            f2(t, est),
            unit(t, &e.outcome),
            missing_reason(t, e, min_n)
        ),
        (None, _) => missing_reason(t, e, min_n),
    }
}

/// What the interval says, and what the data cannot carry: weak evidence with few programme
/// schools whatever the p value, and no conclusion without an interval.
fn ci_reading(t: &Texts, e: &Effect) -> String {
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
fn effect_sentence(t: &Texts, e: &Effect, min_n: usize) -> String {
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

/// One sentence per method used by `rows` (in a stable order), for the effects section.
fn method_bullets(t: &Texts, rows: &[&Effect]) -> Vec<String> {
    let methods: BTreeSet<Method> = rows
        .iter()
        .filter(|e| e.ci.is_some())
        .map(|e| Method::parse(&e.method))
        .collect();
    methods.iter().filter_map(|m| m.explanation(t)).collect()
}

/// The key of a design in the effects table's `design` column.
fn design_of_key(key: &str) -> Option<Design> {
    [
        Design::Regression,
        Design::Multilevel,
        Design::Vcg,
        Design::Matching,
        Design::Experiment,
        Design::Staggered,
    ]
    .into_iter()
    .find(|d| d.key() == key)
}

fn design_name(t: &Texts, d: Design) -> &'static str {
    match d {
        Design::Regression => t.t(
            "regressie met vergelijkingsscholen",
            "regression against comparison schools",
        ),
        Design::Multilevel => t.t(
            "multilevelmodel (leerlingen in groepen in scholen)",
            "multilevel model (pupils in classes in schools)",
        ),
        Design::Vcg => t.t("virtuele vergelijkingsgroep", "virtual comparison group"),
        Design::Matching => t.t("matching op propensity score", "propensity-score matching"),
        Design::Experiment => t.t("gerandomiseerd experiment", "randomised experiment"),
        Design::Staggered => t.t(
            "gefaseerde invoering (verschil in verschillen per startjaar)",
            "staggered adoption (difference in differences by start year)",
        ),
    }
}

/// The name of the design with key `key` (the key itself when unknown).
fn design_key_name(t: &Texts, key: &str) -> String {
    design_of_key(key).map_or_else(|| key.to_string(), |d| design_name(t, d).to_string())
}

/// A short name of the design with key `key`, for running text.
fn design_short_name(t: &Texts, key: &str) -> String {
    t.design_short(key).to_string()
}

/// First letter upper case.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What the design shows and does not show.
fn limits(t: &Texts, d: Design) -> Vec<String> {
    let not_causal = t.t(
        "Wat dit niet laat zien: dat het programma de oorzaak is. Scholen kozen zelf voor het programma; verschillen tussen scholen die de beginscore niet vangt (team, populatie, andere veranderingen) kunnen in de schatting zitten.",
        "What this does not show: that the programme is the cause. Schools chose the programme themselves; differences between schools that the starting score does not capture (staff, intake, other changes) can be part of the estimate.",
    );
    let mut v: Vec<&str> = match d {
        Design::Regression => vec![
            t.t(
                "Wat dit laat zien: hoeveel hoger de eindscore van leerlingen in programmascholen lag dan die van leerlingen in vergelijkingsscholen met dezelfde beginscore, jaargroep en hetzelfde vak.",
                "What this shows: how much higher the end score of pupils in programme schools was than that of pupils in comparison schools with the same starting score, grade and subject.",
            ),
            not_causal,
        ],
        Design::Multilevel => vec![
            t.t(
                "Wat dit laat zien: hoeveel hoger de eindscore van leerlingen in programmascholen lag dan die van leerlingen in vergelijkingsscholen met dezelfde beginscore, jaargroep en hetzelfde vak, met de verschillen tussen scholen en tussen groepen binnen scholen apart gemodelleerd. De effecten per school zijn naar het gemiddelde gekrompen, zodat een kleine school met een toevallig hoge of lage uitkomst niet te zwaar telt.",
                "What this shows: how much higher the end score of pupils in programme schools was than that of pupils in comparison schools with the same starting score, grade and subject, with the differences between schools and between classes within schools modelled separately. The effects per school are shrunk toward the mean, so that a small school with a chance high or low result does not count too much.",
            ),
            not_causal,
        ],
        Design::Vcg => vec![
            t.t(
                "Wat dit laat zien: hoe programmaleerlingen groeiden vergeleken met een virtuele vergelijkingsgroep van leerlingen elders met dezelfde beginscore, jaargroep en schoolkenmerken (de RAND-aanpak).",
                "What this shows: how programme pupils grew compared with a virtual comparison group of pupils elsewhere with the same starting score, grade and school characteristics (RAND's approach).",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect. Wat de beginscore en schoolkenmerken niet vangen, blijft mogelijk verschillen tussen de groepen.",
                "What this does not show: a causal effect. What the starting score and school characteristics do not capture may still differ between the groups.",
            ),
        ],
        Design::Matching => vec![
            t.t(
                "Wat dit laat zien: het verschil tussen programmaleerlingen en gekoppelde vergelijkingsleerlingen met een vergelijkbare kans op deelname (propensity score).",
                "What this shows: the difference between programme pupils and matched comparison pupils with a similar chance of taking part (propensity score).",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect als deelname afhangt van kenmerken die niet gemeten zijn. Leerlingen van dezelfde school lijken op elkaar; waar het interval per gekoppelde set is berekend in plaats van over scholen, is het eerder te smal.",
                "What this does not show: a causal effect when taking part depends on characteristics that were not measured. Pupils of the same school resemble each other; where the interval was made by matched set rather than over schools, it is more likely too narrow.",
            ),
        ],
        Design::Staggered => vec![
            t.t(
                "Wat dit laat zien: hoeveel de groei van leerlingen veranderde in het jaar dat hun school met het programma begon, en in de jaren daarna, vergeleken met dezelfde verandering in scholen die (nog) niet begonnen waren. Elke school wordt alleen vergeleken met zichzelf in het jaar vóór haar start, dus vaste verschillen tussen scholen tellen niet mee.",
                "What this shows: how much the growth of pupils changed in the year their school started the programme, and in the years after, compared with the same change in schools that had not (yet) started. Each school is compared only with itself in the year before its start, so fixed differences between schools do not count.",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect als de scholen die begonnen ook zonder programma anders waren gaan groeien. De jaren vóór de start laten zien of dat zo lijkt: daar kan het programma nog geen effect hebben, dus een duidelijk verschil vóór de start (een pre-trend) betekent dat de vergelijking niet klopt en ook het effect erna onbetrouwbaar is.",
                "What this does not show: a causal effect if the schools that started would have grown differently without the programme too. The years before the start show whether that seems so: the programme cannot have an effect there yet, so a clear difference before the start (a pre-trend) means the comparison does not hold and the effect after it is unreliable too.",
            ),
        ],
        Design::Experiment => vec![
            t.t(
                "Wat dit laat zien: het effect van de toegewezen conditie, omdat leerlingen of klassen door loting werden ingedeeld.",
                "What this shows: the effect of the assigned condition, because pupils or classes were assigned by lot.",
            ),
            t.t(
                "Wat dit niet laat zien: of het effect ook elders optreedt, of wat er gebeurt als deelnemers van conditie wisselen.",
                "What this does not show: whether the effect holds elsewhere, or what happens when participants switch condition.",
            ),
        ],
    };
    v.push(t.t(
        "Met weinig scholen is elke schatting onzeker; kijk naar het interval, niet alleen naar het getal. Bij minder dan 5 programmascholen is elk resultaat zwak bewijs, wat de p-waarde ook is. Uitsplitsingen naar subgroep zijn gecorrigeerd voor meervoudig toetsen (Benjamini-Hochberg).",
        "With few schools every estimate is uncertain; read the interval, not only the number. With fewer than 5 programme schools every result is weak evidence, whatever the p value. Subgroup breakdowns are adjusted for multiple testing (Benjamini-Hochberg).",
    ));
    v.into_iter().map(str::to_string).collect()
}

/// One sentence on how robust the design's overall effect (subjects pooled, or the one subject)
/// is to a confounder nobody measured: robustness values and the E-value.
fn confounding_sentence(t: &Texts, f: &Frame, design: &str) -> Option<String> {
    let (de, su) = (f.str("design"), f.str("subject"));
    let rows: Vec<usize> = (0..f.len()).filter(|&i| de.value(i) == design).collect();
    let i = *rows
        .iter()
        .find(|&&i| su.value(i) == "all")
        .or_else(|| rows.first())?;
    let pct = |c: &str| t.number(100.0 * f.f64(c).value(i), 0);
    let significance = if f.f64("robustness_value_significance").value(i) > 0.0 {
        format!(
            "{} {}% {}",
            t.t(", en", ", and"),
            pct("robustness_value_significance"),
            t.t(
                "om het niet meer significant te maken",
                "to make it no longer significant"
            )
        )
    } else {
        t.t(
            " (significant is het nu al niet)",
            " (it is not significant as it is)",
        )
        .to_string()
    };
    Some(format!(
        "{} {}% {}{} {} {} ({} {}): {}",
        t.t(
            "Gevoeligheid voor niet-gemeten verschillen: een kenmerk dat niet gemeten is, zou",
            "Sensitivity to unmeasured differences: a characteristic that was not measured would have to explain",
        ),
        pct("robustness_value"),
        t.t(
            "van de nog onverklaarde verschillen in zowel deelname als uitkomst moeten verklaren om het effect helemaal weg te verklaren",
            "of the differences still unexplained in both taking part and the outcome to explain the effect away entirely",
        ),
        significance,
        t.t(
            "(robuustheidswaarde, Cinelli & Hazlett 2020). E-waarde",
            "(robustness value, Cinelli & Hazlett 2020). E-value",
        ),
        t.number(f.f64("e_value").value(i), 2),
        t.t("voor het interval", "for the interval"),
        t.number(f.f64("e_value_ci").value(i), 2),
        t.t(
            "zo sterk, als risicoverhouding, zou zo'n kenmerk met zowel deelname als uitkomst moeten samenhangen (VanderWeele & Ding 2017).",
            "that strongly, as a risk ratio, would such a characteristic have to be related to both taking part and the outcome (VanderWeele & Ding 2017).",
        ),
    ))
}

/// The moderation curve in words: how the effect changes per unit of the moderator, and where
/// (the Johnson-Neyman region) its interval excludes 0. None without a curve.
fn moderation_sentence(t: &Texts, f: &Frame, moderator: &str) -> Option<String> {
    let c = crate::charts::moderation::Curve::of(f, moderator);
    let (first, last) = (c.points.first()?, c.points.last()?);
    let label = match moderator {
        "srl_index" => t.t("de zelfregulatie-index", "the self-regulation index"),
        _ => t.t("het beginniveau (z-score)", "the starting level (z score)"),
    };
    let mut out = String::new();
    if let Some(s) = c.slope {
        out.push_str(&format!(
            "{} {label} {} {} SD",
            t.t(
                "Als doorlopende lijn: per eenheid hoger op",
                "As a continuous line: per unit higher on",
            ),
            t.t("verandert het effect met", "the effect changes by"),
            f2(t, s.estimate),
        ));
        if let Some((l, h)) = s.ci {
            out.push_str(&format!(
                " (95%-{} {} {} {})",
                t.t("BI", "CI"),
                f2(t, l),
                t.t("tot", "to"),
                f2(t, h)
            ));
        }
        out.push_str(". ");
    }
    let regions = c.regions();
    let span = format!(
        "{} {} {}",
        f2(t, first.value),
        t.t("tot", "to"),
        f2(t, last.value)
    );
    if regions.is_empty() {
        out.push_str(&format!(
            "{} ({span}) {}",
            t.t(
                "Nergens tussen het 5e en het 95e percentiel van de leerlingen",
                "Nowhere between the pupils' 5th and 95th percentile",
            ),
            t.t(
                "sluit het 95%-interval 0 uit: voor geen enkel niveau is het effect duidelijk van 0 verschillend.",
                "does the 95% interval exclude 0: at no level is the effect clearly different from 0.",
            )
        ));
        return Some(out);
    }
    let whole = regions.len() == 1 && regions[0].0 <= first.value && regions[0].1 >= last.value;
    let sign_word = |sign: f64| {
        if sign > 0.0 {
            t.t("duidelijk positief", "clearly positive")
        } else {
            t.t("duidelijk negatief", "clearly negative")
        }
    };
    let range_note = format!(
        "({span}, {})",
        t.t(
            "het 5e tot het 95e percentiel van de leerlingen",
            "the pupils' 5th to 95th percentile"
        )
    );
    if whole {
        out.push_str(&format!(
            "{} {} {} {range_note}. ",
            t.t("Het effect is", "The effect is"),
            sign_word(regions[0].2),
            t.t(
                "over het hele getoonde bereik",
                "over the whole range shown"
            ),
        ));
    } else {
        let parts: Vec<String> = regions
            .iter()
            .map(|&(a, b, sign)| {
                format!(
                    "{} {} {} {} {}",
                    sign_word(sign),
                    t.t("van", "from"),
                    f2(t, a),
                    t.t("tot", "to"),
                    f2(t, b)
                )
            })
            .collect();
        out.push_str(&format!(
            "{} {label}, {} {} {range_note} {} ",
            t.t("Het effect is, naar", "The effect is, by"),
            parts.join(t.t(" en ", " and ")),
            t.t(
                "(het Johnson-Neyman-gebied); elders in het getoonde bereik",
                "(the Johnson-Neyman region); elsewhere in the range shown",
            ),
            t.t(
                "sluit het 95%-interval 0 niet uit.",
                "the 95% interval does not exclude 0.",
            ),
        ));
    }
    if c.slope.is_some_and(|s| !s.excludes_zero()) {
        out.push_str(t.t(
            "De helling zelf is niet duidelijk van 0 verschillend: lees die grenzen als aanwijzing, niet als bewijs dat het effect ervan afhangt.",
            "The slope itself is not clearly different from 0: read those limits as a hint, not as proof that the effect depends on it.",
        ));
    }
    Some(out.trim_end().to_string())
}

/// What the years before the start say (staggered design): whether the simultaneous band of the
/// pre-period estimates (subjects pooled, or the one subject) excludes 0 anywhere.
fn pre_trend_sentence(t: &Texts, ev: &Frame) -> String {
    let (ag, su, et) = (
        ev.str("aggregation"),
        ev.str("subject"),
        ev.i32("event_time"),
    );
    let (est, bl, bh) = (ev.f64("estimate"), ev.f64("band_low"), ev.f64("band_high"));
    let has_all = (0..ev.len()).any(|i| su.value(i) == "all");
    // (event time, estimate, simultaneous band)
    type Pre = (i32, f64, Option<(f64, f64)>);
    let pre: Vec<Pre> = (0..ev.len())
        .filter(|&i| ag.value(i) == "event_time" && (!has_all || su.value(i) == "all"))
        .filter_map(|i| {
            let e = leerwinst_store::opt(et, i)?;
            let v = leerwinst_store::opt(est, i)?;
            let band = leerwinst_store::opt(bl, i).zip(leerwinst_store::opt(bh, i));
            (e < 0).then_some((e, v, band))
        })
        .collect();
    if pre.is_empty() {
        return t
            .t(
                "Vóór de start is er geen schooljaar met groeigegevens om de vergelijking te controleren: of de scholen vóór hun start gelijk opliepen, valt niet na te gaan.",
                "There is no school year with growth data before the start to check the comparison: whether the schools grew alike before their start cannot be checked.",
            )
            .into();
    }
    let outside: Vec<i32> = pre
        .iter()
        .filter(|(_, _, b)| b.is_some_and(|(l, h)| l > 0.0 || h < 0.0))
        .map(|p| p.0)
        .collect();
    let range = pre
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    if outside.is_empty() {
        format!(
            "{} {} {} {} {}",
            t.t(
                "Controle vóór de start: in de jaren vóór hun start groeiden de programmascholen niet duidelijk anders dan de vergelijkingsscholen (verschillen van",
                "Check before the start: in the years before their start the programme schools did not grow clearly differently from the comparison schools (differences of",
            ),
            f2(t, range.0),
            t.t("tot", "to"),
            f2(t, range.1),
            t.t(
                "SD; de simultane band bevat 0 in elk jaar). Dat maakt de vergelijking geloofwaardiger, maar bewijst haar niet.",
                "SD; the simultaneous band contains 0 in every year). That makes the comparison more credible, but does not prove it.",
            )
        )
    } else {
        let years: Vec<String> = outside.iter().map(|e| e.to_string()).collect();
        format!(
            "{} {}. {}",
            t.t(
                "Let op: vóór de start groeiden de programmascholen al anders dan de vergelijkingsscholen (de simultane band sluit 0 uit in jaar",
                "Caution: before the start the programme schools already grew differently from the comparison schools (the simultaneous band excludes 0 in year",
            ),
            years.join(", "),
            t.t(
                "sinds de start). Zo'n pre-trend betekent dat de vergelijkingsscholen geen goede maat zijn voor hoe de programmascholen zonder programma waren gegroeid; ook het effect erna is dan onbetrouwbaar.",
                "since the start). Such a pre-trend means the comparison schools are not a good yardstick for how the programme schools would have grown without the programme; the effect after the start is then unreliable too.",
            )
        )
    }
}

/// Whether two rows with intervals disagree beyond their intervals: each estimate lies outside
/// the other's 95% CI. None when either has no estimate or interval.
fn disagree(a: &Effect, b: &Effect) -> Option<bool> {
    let (ea, (la, ha)) = (a.est?, a.ci?);
    let (eb, (lb, hb)) = (b.est?, b.ci?);
    Some(!(lb..=hb).contains(&ea) && !(la..=ha).contains(&eb))
}

/// "regression against comparison schools (+0.30 SD, 95% CI +0.10 to +0.50)"
fn design_estimate(t: &Texts, e: &Effect) -> String {
    let (est, (lo, hi)) = (
        e.est.unwrap_or(f64::NAN),
        e.ci.unwrap_or((f64::NAN, f64::NAN)),
    );
    format!(
        "{} ({} {}, {} {} {} {})",
        design_short_name(t, &e.design),
        f2(t, est),
        unit(t, &e.outcome),
        t.t("95%-BI", "95% CI"),
        f2(t, lo),
        t.t("tot", "to"),
        f2(t, hi)
    )
}

/// The sensitivity checks: the overall rows of designs other than the pipeline's, against the
/// pipeline's own overall rows of the same subject and outcome.
struct Sensitivity {
    /// The table ("Other designs (sensitivity)"), the pipeline's design first per subject.
    table: Block,
    /// Sentences on disagreement or agreement.
    sentences: Vec<String>,
    /// The disagreement sentences for the headline subject (for the summary).
    headline_disagreements: Vec<String>,
}

fn sensitivity(inp: &Inputs, headline_subject: Option<&str>) -> Option<Sensitivity> {
    let t = inp.t;
    let key = inp.design.key();
    let all = effect_rows(inp.effects);
    let overall: Vec<&Effect> = all
        .iter()
        .map(|(_, e)| e)
        .filter(|e| e.subgroup == "overall")
        .collect();
    let others: Vec<&Effect> = overall
        .iter()
        .copied()
        .filter(|e| e.design != key)
        .collect();
    if others.is_empty() {
        return None;
    }
    let design_order = |d: &str| {
        [
            key,
            "regression",
            "multilevel",
            "vcg",
            "matching",
            "experiment",
        ]
        .iter()
        .position(|x| *x == d)
        .unwrap_or(usize::MAX)
    };
    let mut subjects: Vec<&str> = Vec::new();
    if let Some(h) = headline_subject {
        subjects.push(h);
    }
    for e in &others {
        if !subjects.contains(&e.subject.as_str()) {
            subjects.push(&e.subject);
        }
    }
    // Only subjects another design estimated: the main design alone compares with nothing.
    subjects.retain(|s| others.iter().any(|e| e.subject == *s));
    let mut rows = Vec::new();
    let mut sentences = Vec::new();
    let mut headline_disagreements = Vec::new();
    let mut compared = 0;
    let mut incomparable = Vec::new();
    let mut agreeing = Vec::new();
    for s in &subjects {
        let mut here: Vec<&Effect> = overall
            .iter()
            .copied()
            .filter(|e| e.subject == *s)
            .collect();
        here.sort_by_key(|e| design_order(&e.design));
        for e in &here {
            let mut name = capitalise(&design_key_name(t, &e.design));
            if e.design == key {
                name.push_str(t.t(" (hoofdontwerp)", " (main design)"));
            }
            let (est, ci) = match (e.est, e.ci) {
                (Some(v), Some((lo, hi))) => (
                    format!("{} {}", f2(t, v), unit(t, &e.outcome)),
                    format!("{} {} {}", f2(t, lo), t.t("tot", "to"), f2(t, hi)),
                ),
                (Some(v), None) => (
                    format!("{} {}", f2(t, v), unit(t, &e.outcome)),
                    missing_reason(t, e, inp.min_n),
                ),
                (None, _) => (String::new(), missing_reason(t, e, inp.min_n)),
            };
            let ci = if e.ci.is_some() && e.weak() {
                format!(
                    "{ci} ({}: {})",
                    t.t("zwak bewijs", "weak evidence"),
                    schools_phrase(t, e.cp, true)
                )
            } else {
                ci
            };
            rows.push(vec![
                name,
                t.subject(&e.subject).to_string(),
                est,
                ci,
                if e.ci.is_some() {
                    Method::parse(&e.method).short(t)
                } else {
                    String::new()
                },
            ]);
        }
        let Some(main) = here.iter().find(|e| e.design == key).copied() else {
            continue;
        };
        for o in here
            .iter()
            .filter(|e| e.design != key && e.outcome == main.outcome)
        {
            match disagree(main, o) {
                Some(true) => {
                    compared += 1;
                    // Lower case first: the summary puts "Note:" before it.
                    let sentence = match t.lang {
                        leerwinst_core::pipeline::Language::Nl => format!(
                            "{} en {} spreken elkaar tegen voor {}: elke schatting ligt buiten het 95%-interval van de andere. De uitkomst hangt dus af van de gekozen aanpak; trek geen conclusie uit één ontwerp.",
                            design_estimate(t, main),
                            design_estimate(t, o),
                            t.subject(s)
                        ),
                        leerwinst_core::pipeline::Language::En => format!(
                            "{} and {} disagree for {}: each estimate lies outside the other's 95% interval. The result depends on the approach chosen; draw no conclusion from one design.",
                            design_estimate(t, main),
                            design_estimate(t, o),
                            t.subject(s)
                        ),
                    };
                    if Some(*s) == headline_subject {
                        headline_disagreements.push(sentence.clone());
                    }
                    sentences.push(capitalise(&sentence));
                }
                Some(false) => {
                    compared += 1;
                    agreeing.push(format!(
                        "{} ({})",
                        design_short_name(t, &o.design),
                        t.subject(s)
                    ));
                }
                None => incomparable.push(format!(
                    "{} ({})",
                    design_short_name(t, &o.design),
                    t.subject(s)
                )),
            }
        }
    }
    if sentences.is_empty() && compared > 0 {
        let main = design_short_name(t, key);
        sentences.push(match t.lang {
            leerwinst_core::pipeline::Language::Nl => format!(
                "De ontwerpen spreken elkaar niet tegen: bij elk ander ontwerp ligt zijn schatting binnen het 95%-interval van het hoofdontwerp ({main}), of de schatting van het hoofdontwerp binnen het interval van dat ontwerp. Dat de uitkomst niet van de gekozen aanpak afhangt, maakt haar niet oorzakelijk: alle ontwerpen delen de beperking dat scholen zelf voor het programma kozen."
            ),
            leerwinst_core::pipeline::Language::En => format!(
                "The designs do not contradict each other: for every other design, its estimate lies within the 95% interval of the main design ({main}), or the main design's estimate within that design's interval. That the result does not depend on the approach chosen does not make it causal: all designs share the limit that schools chose the programme themselves."
            ),
        });
    }
    if compared > agreeing.len() && !agreeing.is_empty() {
        sentences.push(format!(
            "{}: {}.",
            t.t(
                "Niet in tegenspraak met het hoofdontwerp",
                "Not in contradiction with the main design"
            ),
            agreeing.join(", ")
        ));
    }
    if !incomparable.is_empty() {
        sentences.push(format!(
            "{}: {}.",
            t.t(
                "Niet te vergelijken, omdat een schatting of interval ontbreekt",
                "Cannot be compared, because an estimate or interval is missing"
            ),
            incomparable.join(", ")
        ));
    }
    let table = Block::Table {
        header: [
            t.t("Ontwerp", "Design"),
            t.t("Vak", "Subject"),
            t.t("Effect", "Effect"),
            t.t("95%-BI", "95% CI"),
            t.t("Methode", "Method"),
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
        numeric: vec![false, false, true, true, false],
    };
    Some(Sensitivity {
        table,
        sentences,
        headline_disagreements,
    })
}

/// The matching design's balance: every covariate whose |SMD| got worse after matching, and
/// those still at |SMD| >= 0.1 after matching. None when there is no balance table.
struct BalanceReview {
    /// Sentences for the effects section.
    sentences: Vec<String>,
    /// Whether any covariate got worse or stayed out of balance.
    flagged: bool,
}

/// |SMD| at or above this after matching counts as out of balance (the usual 0.1 rule).
const SMD_BALANCED_BELOW: f64 = 0.1;

fn balance_review(inp: &Inputs) -> Option<BalanceReview> {
    let b = inp.balance.filter(|_| inp.design == Design::Matching)?;
    let t = inp.t;
    let (su, term, before, after) = (
        b.str("subject"),
        b.str("term"),
        b.f64("smd_before"),
        b.f64("smd_after"),
    );
    let label = |i: usize| {
        let term = match term.value(i) {
            "distance" => t.t("propensity score", "propensity score"),
            x => x,
        };
        format!("{} ({})", term, t.subject(su.value(i)))
    };
    let (mut worse, mut unbalanced, mut unknown) = (vec![], vec![], vec![]);
    for i in 0..b.len() {
        let bef = before.value(i);
        let Some(aft) = opt(after, i).filter(|v| v.is_finite()) else {
            unknown.push(label(i));
            continue;
        };
        let shown = format!("{}: {} → {}", label(i), f2(t, bef), f2(t, aft));
        if aft.abs() > bef.abs() + 1e-12 {
            worse.push(shown.clone());
        }
        if aft.abs() >= SMD_BALANCED_BELOW {
            unbalanced.push(shown);
        }
    }
    let mut sentences = vec![];
    if !worse.is_empty() {
        sentences.push(format!(
            "{} {}.",
            t.t(
                "Door matching werd het verschil tussen de groepen (gestandaardiseerd verschil in gemiddelden, SMD, voor → na) groter bij:",
                "Matching made the difference between the groups (standardised mean difference, SMD, before → after) larger for:",
            ),
            worse.join("; ")
        ));
    }
    if !unbalanced.is_empty() {
        sentences.push(format!(
            "{} {}. {}",
            t.t(
                "Na matching nog niet in balans (|SMD| ≥ 0,1):",
                "Still out of balance after matching (|SMD| ≥ 0.1):",
            ),
            unbalanced.join("; "),
            t.t(
                "De groepen verschillen hierin nog; dat verschil kan in de schatting zitten.",
                "The groups still differ in these; that difference can be part of the estimate.",
            )
        ));
    }
    if !unknown.is_empty() {
        sentences.push(format!(
            "{} {}.",
            t.t(
                "Balans na matching niet te berekenen voor:",
                "Balance after matching could not be computed for:",
            ),
            unknown.join("; ")
        ));
    }
    let flagged = !sentences.is_empty();
    if !flagged && !b.is_empty() {
        sentences.push(
            t.t(
                "Na matching zijn alle kenmerken in balans (|SMD| < 0,1) en werd bij geen enkel kenmerk het verschil groter.",
                "After matching every characteristic is balanced (|SMD| < 0.1) and for none did the difference grow.",
            )
            .into(),
        );
    }
    Some(BalanceReview { sentences, flagged })
}

/// How the self-regulation index was made on this board's data: the indicators that entered it
/// (run.json `transform.srl_composite`), those that did not and why, and its reliability.
fn srl_index_text(inp: &Inputs) -> String {
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

/// Programme pupils without a comparison pupil (run.json: `compare.unmatched_programme_pupils`).
fn unmatched_programme_pupils(inp: &Inputs) -> Option<u64> {
    inp.run["compare"]["unmatched_programme_pupils"]
        .as_u64()
        .filter(|&n| n > 0)
}

fn unmatched_sentence(t: &Texts, n: u64) -> String {
    match t.lang {
        leerwinst_core::pipeline::Language::Nl => format!(
            "{n} {} geen vergelijkingsleerling binnen de grenzen van het ontwerp; het effect gaat alleen over de programmaleerlingen die er wel een hadden, niet over alle programmaleerlingen.",
            if n == 1 {
                "programmaleerling had"
            } else {
                "programmaleerlingen hadden"
            }
        ),
        leerwinst_core::pipeline::Language::En => format!(
            "{n} {} no comparison pupil within the design's limits; the effect is about the programme pupils who had one only, not about all programme pupils.",
            if n == 1 {
                "programme pupil had"
            } else {
                "programme pupils had"
            }
        ),
    }
}

/// Data provenance: pipeline, pseudonymisation, input files with checksums, rejected rows.
fn provenance(inp: &Inputs, blocks: &mut Vec<Block>) {
    let t = inp.t;
    blocks.push(Block::Heading(
        t.t("Herkomst van de gegevens", "Data provenance").into(),
    ));
    let p = &inp.run["pipeline"];
    let mut para = format!(
        "{} '{}' ({}, SHA-256 {}…), leerwinst {}.",
        t.t("Pijplijn", "Pipeline"),
        inp.pipeline,
        p["file"].as_str().unwrap_or("?"),
        p["sha256"]
            .as_str()
            .map(|s| &s[..s.len().min(12)])
            .unwrap_or("?"),
        inp.run["tool_version"].as_str().unwrap_or("?"),
    );
    match inp.run["pseudonymised"].as_bool() {
        Some(true) => para.push_str(t.t(
            " Leerlingnummers zijn bij het inlezen gepseudonimiseerd (HMAC-SHA256 met een sleutel buiten de uitvoer); namen, e-mailadressen en geboortedata zijn niet ingelezen.",
            " Pupil ids were pseudonymised at ingest (HMAC-SHA256 with a key kept outside the outputs); names, e-mail addresses and birth dates were not read.",
        )),
        Some(false) => para.push_str(t.t(
            " LET OP: pseudonimisering stond UIT (alleen voor openbare onderzoeksdata).",
            " NOTE: pseudonymisation was OFF (only for public research data).",
        )),
        None => {}
    }
    blocks.push(Block::Para(para));
    let mut rows = vec![];
    let (mut read, mut rejected) = (0u64, 0u64);
    for s in inp.run["ingest"]["sources"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let files: Vec<String> = s["files"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let path = f["path"].as_str().unwrap_or("?");
                let name = Path::new(path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.to_string());
                let sha = f["sha256"].as_str().unwrap_or("");
                format!("{name} ({}…)", &sha[..sha.len().min(8)])
            })
            .collect();
        let shown = if files.len() > 3 {
            format!(
                "{} {} {}",
                files[..3].join(", "),
                t.t("en", "and"),
                format_args!("{} {}", files.len() - 3, t.t("meer", "more"))
            )
        } else {
            files.join(", ")
        };
        let (r, a, j) = (
            s["read"].as_u64().unwrap_or(0),
            s["accepted"].as_u64().unwrap_or(0),
            s["rejected"].as_u64().unwrap_or(0),
        );
        read += r;
        rejected += j;
        rows.push(vec![
            s["name"].as_str().unwrap_or("?").to_string(),
            s["format"].as_str().unwrap_or("?").to_string(),
            shown,
            r.to_string(),
            a.to_string(),
            j.to_string(),
        ]);
    }
    if rows.is_empty() {
        blocks.push(Block::Note(
            t.t(
                "Geen gegevens over het inlezen gevonden (run.json ontbreekt of bevat geen ingest).",
                "No ingest record found (run.json missing or without ingest).",
            )
            .into(),
        ));
        return;
    }
    blocks.push(Block::Table {
        header: [
            t.t("Bron", "Source"),
            t.t("Formaat", "Format"),
            t.t("Bestanden (SHA-256)", "Files (SHA-256)"),
            t.t("Gelezen", "Read"),
            t.t("Geaccepteerd", "Accepted"),
            t.t("Afgewezen", "Rejected"),
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
        numeric: vec![false, false, false, true, true, true],
    });
    let reasons = reject_reasons(inp.rejects);
    if rejected > 0 {
        blocks.push(Block::Para(match t.lang {
            leerwinst_core::pipeline::Language::Nl => format!(
                "Van de {read} gelezen rijen zijn er {rejected} afgewezen; elke afgewezen rij staat met bestand, regel, kolom en reden in rejects/."
            ),
            leerwinst_core::pipeline::Language::En => format!(
                "Of the {read} rows read, {rejected} were rejected; every rejected row is listed with file, line, column and reason in rejects/."
            ),
        }));
        let mut reason_rows: Vec<Vec<String>> = reasons
            .iter()
            .take(12)
            .map(|((table, reason), n)| {
                vec![t.table(table).to_string(), reason.clone(), n.to_string()]
            })
            .collect();
        if reasons.len() > 12 {
            let rest: usize = reasons.iter().skip(12).map(|r| r.1).sum();
            reason_rows.push(vec![
                String::new(),
                t.t("overige redenen", "other reasons").into(),
                rest.to_string(),
            ]);
        }
        blocks.push(Block::Table {
            header: [
                t.t("Tabel", "Table"),
                t.t("Reden", "Reason"),
                t.t("Rijen", "Rows"),
            ]
            .map(str::to_string)
            .to_vec(),
            rows: reason_rows,
            numeric: vec![false, false, true],
        });
    }
}

/// (table, reason) -> rows, most frequent first, from `rejects/*.csv`.
fn reject_reasons(dir: &Path) -> Vec<((String, String), usize)> {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for f in files {
        let table = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let mut rd = leerwinst_store::csv_reader(&bytes);
        // The columns are in the schema's order; the header is in the run's language.
        let Some(col) = leerwinst_core::schema::REJECT_COLUMNS
            .iter()
            .position(|c| c.name == "reason")
        else {
            continue;
        };
        for rec in rd.records().flatten() {
            // Reasons may name a value after a colon ("unknown pupil: ..."): group by the text
            // as written, which never holds a raw id (ids are pseudonymised in rejects).
            let reason = rec.get(col).unwrap_or("").to_string();
            *counts.entry((table.clone(), reason)).or_default() += 1;
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Growth per school (board) or per class of one school, from group_growth; with a note when
/// a group is hidden so that a small one cannot be computed from the total.
fn growth_table(inp: &Inputs, school: Option<&str>) -> Vec<Block> {
    growth_table_of(inp, school, &inp.growth.window, &inp.growth.latest)
}

/// The other kind of growth window beside the compared one (within the year beside year on
/// year, or the other way round) with its latest follow-up year: the one with the most group
/// rows, e.g. M-E beside E-E. None when the run has no such rows.
fn other_window(inp: &Inputs) -> Option<(String, String)> {
    use leerwinst_core::term::window_is_yearly;
    let kind = window_is_yearly(&inp.growth.window)?;
    let (win, year) = (inp.groups.str("window"), inp.groups.str("school_year"));
    let mut found: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for i in 0..inp.groups.len() {
        if window_is_yearly(win.value(i)) == Some(!kind) {
            let e = found.entry(win.value(i)).or_insert((0, year.value(i)));
            e.0 += 1;
            e.1 = e.1.max(year.value(i));
        }
    }
    found
        .into_iter()
        .max_by_key(|(_, (n, _))| *n)
        .map(|(w, (_, y))| (w.to_string(), y.to_string()))
}

/// The growth section's table for the other kind of window ([`other_window`]), with its heading
/// line; empty when there is none.
fn other_window_table(inp: &Inputs, school: Option<&str>) -> Vec<Block> {
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
fn growth_table_of(inp: &Inputs, school: Option<&str>, window: &str, latest: &str) -> Vec<Block> {
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
                f1(t, mean_gain.value(i)),
                if n_sgp.value(i) >= inp.min_n as i64 {
                    opt(med, i).map(|v| f1(t, v)).unwrap_or_default()
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
pub(super) fn drop_empty_columns(
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

/// Self-regulation per school (latest year of the SRL table), or one school against all.
fn srl_table(inp: &Inputs, school: Option<&str>) -> Option<Vec<Block>> {
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
                f2(t, v.iter().sum::<f64>() / n),
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

/// A count of pupils, or "n < N" below the minimum group size.
fn count_cell(n: i64, min_n: usize) -> String {
    if n < min_n as i64 {
        format!("n < {min_n}")
    } else {
        n.to_string()
    }
}

/// Effect rows as a table: rows without an interval or estimate keep their place, with the
/// reason in place of the interval; weak evidence is marked beside the interval.
fn effect_table(t: &Texts, effects: &[(String, Effect)], first: &str, min_n: usize) -> Block {
    let rows = effects
        .iter()
        .map(|(level, e)| {
            let ci = match e.ci {
                Some((lo, hi)) if e.weak() => format!(
                    "{} {} {} ({}: {})",
                    f2(t, lo),
                    t.t("tot", "to"),
                    f2(t, hi),
                    t.t("zwak bewijs", "weak evidence"),
                    schools_phrase(t, e.cp, true)
                ),
                Some((lo, hi)) => format!("{} {} {}", f2(t, lo), t.t("tot", "to"), f2(t, hi)),
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
                    .map(|v| format!("{} {}", f2(t, v), unit(t, &e.outcome)))
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

/// The moderation curve of `moderator`: its sentence and chart `name`, when the run has both.
fn moderation_block(
    inp: &Inputs,
    moderator: &str,
    name: &str,
    caption: &str,
    blocks: &mut Vec<Block>,
) {
    let Some(f) = inp.moderation else {
        return;
    };
    if !matches!(inp.charts.get(name), Some(Some(_))) {
        return;
    }
    if let Some(sentence) = moderation_sentence(inp.t, f, moderator) {
        blocks.push(Block::Para(sentence));
    }
    chart(inp, name, caption, blocks);
}

fn chart(inp: &Inputs, name: &str, caption: &str, blocks: &mut Vec<Block>) {
    match inp.charts.get(name) {
        Some(Some(svg)) => blocks.push(Block::Chart {
            svg: svg.clone(),
            caption: caption.to_string(),
        }),
        // Made, but with at most one group drawn: said in words instead of a near-empty panel.
        Some(None) => blocks.push(Block::Note(format!(
            "{} {} {}",
            caption.trim_end_matches('.'),
            inp.t.t(
                "— geen grafiek: hooguit één groep heeft ten minste",
                "— no chart: at most one group has at least",
            ),
            match inp.t.lang {
                Language::Nl => format!("{} leerlingen en een uitkomst.", inp.min_n),
                Language::En => format!("{} pupils and a result.", inp.min_n),
            }
        ))),
        None => {}
    }
}

/// Medians of the growth measure for programme and comparison pupils, latest year.
fn arm_medians(rows: &GrowthRows, school: Option<&str>) -> (Option<f64>, Option<f64>, usize) {
    let mut p = vec![];
    let mut c = vec![];
    let mut pupils = BTreeSet::new();
    for r in rows.rows.iter().filter(|r| r.year == rows.latest) {
        if school.is_some_and(|s| s != r.school) {
            continue;
        }
        pupils.insert(&r.pupil);
        if let Some(g) = r.growth {
            if r.programme { p.push(g) } else { c.push(g) }
        }
    }
    p.sort_by(f64::total_cmp);
    c.sort_by(f64::total_cmp);
    (median_sorted(&p), median_sorted(&c), pupils.len())
}

/// The board's document.
pub fn board(inp: &Inputs) -> Doc {
    let t = inp.t;
    let rows = inp.growth;
    let mut blocks = vec![];
    let latest_rows: Vec<_> = rows.rows.iter().filter(|r| r.year == rows.latest).collect();
    let schools: BTreeSet<&str> = latest_rows.iter().map(|r| r.school.as_str()).collect();
    let prog_schools: BTreeSet<&str> = latest_rows
        .iter()
        .filter(|r| r.programme)
        .map(|r| r.school.as_str())
        .collect();
    let (mp, mc, pupils) = arm_medians(rows, None);
    let overall = effects_where(inp, "overall", None);
    let terciles = effects_where(inp, "srl_tercile", None);
    let quintiles = effects_where(inp, "baseline_quintile", None);
    let sens = sensitivity(inp, headline(&overall).map(|h| h.subject.as_str()));
    let balance = balance_review(inp);
    let unmatched = unmatched_programme_pupils(inp);

    blocks.push(Block::Heading(t.t("Samenvatting", "Summary").into()));
    let mut summary = vec![format!(
        "{} {pupils} {} {} {} ({} {}) {} {} {}.",
        t.t("Dit overzicht gaat over", "This review covers"),
        t.t("leerlingen op", "pupils at"),
        schools.len(),
        t.t("scholen", "schools"),
        prog_schools.len(),
        t.t("met het programma", "running the programme"),
        t.t("in de groeiperiode", "in the growth window"),
        rows.window,
        rows.latest
    )];
    if let (Some(p), Some(c)) = (mp, mc) {
        summary.push(format!(
            "{} {} {} {} {}. {}",
            t.t(
                "De mediane groei (percentiel) was",
                "Median growth (percentile) was"
            ),
            f1(t, p),
            t.t("in programmascholen en", "in programme schools and"),
            f1(t, c),
            t.t("in vergelijkingsscholen", "in comparison schools"),
            t.t("50 is gewone groei.", "50 is typical growth.")
        ));
    }
    if let Some(e) = headline(&overall) {
        summary.push(format!(
            "{} ({}): {}",
            if e.est.is_some() {
                t.t(
                    "Geschat effect van het programma",
                    "Estimated programme effect",
                )
            } else {
                t.t("Effect van het programma", "Programme effect")
            },
            design_name(t, inp.design),
            effect_sentence(t, e, inp.min_n)
        ));
    }
    if let Some(n) = unmatched {
        summary.push(unmatched_sentence(t, n));
    }
    if let Some(s) = &sens {
        for d in &s.headline_disagreements {
            summary.push(format!("{} {d}", t.t("Let op:", "Note:")));
        }
    }
    if balance.as_ref().is_some_and(|b| b.flagged) {
        summary.push(
            t.t(
                "Let op: na matching zijn niet alle kenmerken in balans (zie Effect van het programma).",
                "Note: after matching not every characteristic is balanced (see Programme effect).",
            )
            .into(),
        );
    }
    // A subgroup estimate, or why there is none.
    let value = |e: &Effect| match e.est {
        Some(v) => f2(t, v),
        None => t.t("niet geschat", "not estimated").to_string(),
    };
    // What the subgroup rows cannot carry.
    let caveat = |v: &[&Effect]| -> String {
        let mut c = String::new();
        if let Some(w) = v.iter().find(|e| e.ci.is_some() && e.weak()) {
            c.push_str(&format!(
                " {} {} {}",
                t.t("Met maar", "With only"),
                schools_phrase(t, w.cp, true),
                t.t(
                    "is ook dit zwak bewijs, wat de p-waarden ook zijn.",
                    "this too is weak evidence, whatever the p values.",
                )
            ));
        }
        if v.iter().any(|e| e.ci.is_none()) {
            c.push_str(&format!(
                " {}",
                t.t(
                    "Niet voor elke groep is een interval te maken (zie de tabellen en grafieken).",
                    "Not every group has an interval (see the tables and charts).",
                )
            ));
        }
        c
    };
    if let Some(h) = headline(&overall) {
        let tv = pick(&terciles, &h.subject);
        if tv.len() == 3 {
            summary.push(format!(
                "{} {}, {} {}, {} {} {}.{}",
                t.t(
                    "Naar zelfregulatie: het effect was bij lage zelfregulatie",
                    "By self-regulation: the effect was, at low self-regulation,"
                ),
                value(tv[0]),
                t.t("bij midden", "at middle"),
                value(tv[1]),
                t.t("bij hoog", "at high"),
                value(tv[2]),
                unit(t, &h.outcome),
                caveat(&tv)
            ));
        }
        let qv = pick(&quintiles, &h.subject);
        if qv.len() == 5 {
            summary.push(format!(
                "{} {} {} {} {}.{}",
                t.t(
                    "Naar beginniveau: in het laagste kwintiel",
                    "By starting level: in the lowest quintile"
                ),
                value(qv[0]),
                t.t("en in het hoogste", "and in the highest"),
                value(qv[4]),
                unit(t, &h.outcome),
                caveat(&qv)
            ));
        }
    }
    summary.push(format!(
        "{} {n} {} (\"n < {n}\").",
        t.t("Groepen met minder dan", "Groups of fewer than"),
        t.t(
            "leerlingen worden in tabellen en grafieken niet getoond",
            "pupils are not shown in tables and charts"
        ),
        n = inp.min_n,
    ));
    blocks.push(Block::Bullets(summary));

    provenance(inp, &mut blocks);

    blocks.push(Block::Heading(t.t("Groei", "Growth").into()));
    blocks.push(Block::Para(format!(
        "{} {} {} {}. {}",
        t.t("Groeiperiode", "Growth window"),
        rows.window,
        t.t("met eindtoets in", "with the follow-up test in"),
        rows.latest,
        t.t(
            "Gemiddelde groei in schaalpunten; mediaan SGP waar groeipercentielen berekend zijn; betrouwbare groei = aandeel leerlingen met een groei groter dan de meetfout (RCI > 1,96) waar de export meetfouten heeft.",
            "Mean gain in scale points; median SGP where growth percentiles were computed; reliable growth = share of pupils whose gain exceeds measurement error (RCI > 1.96) where the export has SEMs.",
        )
    )));
    blocks.extend(growth_table(inp, None));
    blocks.extend(other_window_table(inp, None));
    let measure = rows.measure.label(t).to_string();
    chart(
        inp,
        "growth_distribution",
        &format!(
            "{} {measure}.",
            t.t("Groei per school:", "Growth per school:")
        ),
        &mut blocks,
    );
    chart(
        inp,
        "growth_by_school",
        t.t(
            "Gemiddelde groei per jaar per school met 95%-betrouwbaarheidsinterval.",
            "Mean growth per year per school with 95% confidence interval.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "status_vs_growth",
        t.t(
            "Beginniveau tegen groei, per school en groep (zoals NWEA- en mapvizieR-kwadranten).",
            "Status against growth, per school and class (as NWEA and mapvizieR quadrants).",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "growth_trend",
        t.t(
            "Mediaan groeipercentiel per school en schooljaar.",
            "Median growth percentile per school and school year.",
        ),
        &mut blocks,
    );
    blocks.extend(super::moment_trend::section(
        t,
        inp.moment_trend,
        None,
        inp.min_n,
    ));
    blocks.extend(super::reference_levels::section(
        t,
        inp.reference_levels,
        None,
        inp.min_n,
    ));

    blocks.push(Block::Heading(
        t.t("Zelfregulatie", "Self-regulation").into(),
    ));
    blocks.push(Block::Para(srl_index_text(inp)));
    if let Some(b) = srl_table(inp, None) {
        blocks.extend(b);
    }
    chart(
        inp,
        "srl_profile",
        t.t(
            "Profiel: gemiddelde z-score per indicator per zelfregulatie-tertiel.",
            "Profile: mean z-score per indicator per self-regulation tercile.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "srl_profile_by_school",
        t.t(
            "Profiel per school: gemiddelde z-score per indicator.",
            "Profile per school: mean z-score per indicator.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "srl_vs_growth",
        t.t(
            "Groei per kwintiel van de zelfregulatie-index, programma- en vergelijkingsscholen.",
            "Growth per quintile of the self-regulation index, programme and comparison schools.",
        ),
        &mut blocks,
    );

    blocks.push(Block::Heading(
        t.t("Effect van het programma", "Programme effect").into(),
    ));
    if overall.is_empty() {
        // Why, in plain words, when compare knows (no programme or no comparison school).
        let why: Vec<String> = inp.run["compare"]["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|w| w.as_str().map(str::to_string))
            .collect();
        blocks.push(Block::Para(if why.is_empty() {
            t.t(
                "Er is geen effect geschat (zie run.json, compare.skipped).",
                "No effect was estimated (see run.json, compare.skipped).",
            )
            .into()
        } else {
            format!(
                "{} {}",
                t.t("Er is geen effect geschat.", "No effect was estimated."),
                why.join(" ")
            )
        }));
    } else {
        blocks.push(Block::Para(format!(
            "{}: {}.",
            t.t("Ontwerp", "Design"),
            design_name(t, inp.design)
        )));
        blocks.push(effect_table(t, &overall, "subject", inp.min_n));
        if let Some(sentence) = inp
            .sensitivity
            .and_then(|f| confounding_sentence(t, f, inp.design.key()))
        {
            blocks.push(Block::Para(sentence));
        }
        if let Some(n) = unmatched {
            blocks.push(Block::Para(unmatched_sentence(t, n)));
        }
    }
    let key = inp.design.key();
    let shown: Vec<(String, Effect)> = effect_rows(inp.effects)
        .into_iter()
        .filter(|(_, e)| e.design == key || e.subgroup == "overall")
        .collect();
    let methods = method_bullets(t, &shown.iter().map(|(_, e)| e).collect::<Vec<_>>());
    if !methods.is_empty() {
        blocks.push(Block::Para(
            t.t(
                "Hoe de onzekerheid (standaardfout, interval, p-waarde) is berekend:",
                "How the uncertainty (standard error, interval, p value) was computed:",
            )
            .into(),
        ));
        blocks.push(Block::Bullets(methods));
    }
    if let Some(b) = &balance {
        blocks.push(Block::Para(format!(
            "{} {}",
            t.t("Balans na matching.", "Balance after matching."),
            b.sentences.join(" ")
        )));
    }
    if let Some(s) = sens {
        blocks.push(Block::Para(
            t.t(
                "Andere ontwerpen (gevoeligheid): hetzelfde totale effect, geschat met andere ontwerpen op dezelfde gegevens. Liggen ze ver uiteen, dan hangt de uitkomst af van de gekozen aanpak.",
                "Other designs (sensitivity): the same overall effect, estimated with other designs on the same data. If they lie far apart, the result depends on the approach chosen.",
            )
            .into(),
        ));
        blocks.push(s.table);
        if !s.sentences.is_empty() {
            blocks.push(Block::Para(s.sentences.join(" ")));
        }
    }
    blocks.push(Block::Bullets(limits(t, inp.design)));
    if let Some(ev) = inp.events {
        blocks.push(Block::Para(pre_trend_sentence(t, ev)));
    }
    chart(
        inp,
        "event_study",
        t.t(
            "Gefaseerde invoering: effect per schooljaar sinds de start van de school, met de jaren ervoor als controle.",
            "Staggered adoption: effect by school years since the school's start, with the years before as a check.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "effect_by_cohort",
        t.t(
            "Halen scholen die later begonnen het in? Effect per startjaar.",
            "Are schools that started later catching up? Effect by start year.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "effect_forest",
        t.t(
            "Effect per programmaschool en gepoold (RAND-stijl), 95%-BI.",
            "Effect per programme school and pooled (RAND style), 95% CI.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "effect_by_srl_tercile",
        t.t(
            "Werkt het voor alle leerlingen? Naar zelfregulatie.",
            "Does it work for all pupils? By self-regulation.",
        ),
        &mut blocks,
    );
    moderation_block(
        inp,
        "srl_index",
        "effect_by_srl_index",
        t.t(
            "Naar zelfregulatie als doorlopende lijn, met het gebied waar het effect van 0 verschilt.",
            "By self-regulation as a continuous line, with the region where the effect differs from 0.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "effect_by_baseline_quintile",
        t.t(
            "Werkt het voor alle leerlingen? Naar beginniveau.",
            "Does it work for all pupils? By starting level.",
        ),
        &mut blocks,
    );
    moderation_block(
        inp,
        "baseline_z",
        "effect_by_baseline",
        t.t(
            "Naar beginniveau als doorlopende lijn, met het gebied waar het effect van 0 verschilt.",
            "By starting level as a continuous line, with the region where the effect differs from 0.",
        ),
        &mut blocks,
    );
    blocks.push(Block::Note(
        t.t(
            "Gemaakt met leerwinst. Methoden en bronnen: docs/indicators.md en docs/replications.md. Alle cijfers staan ook als CSV naast de grafieken (charts/) en in indicators/ en effects/.",
            "Made with leerwinst. Methods and sources: docs/indicators.md and docs/replications.md. Every figure is also in CSV beside the charts (charts/) and in indicators/ and effects/.",
        )
        .into(),
    ));
    Doc {
        title: t
            .t(
                "Groei, zelfregulatie en effect van het programma",
                "Growth, self-regulation and programme effect",
            )
            .into(),
        subtitle: format!(
            "{} · {} '{}' · {} {}",
            t.t("Kwaliteitszorg, bestuur", "Quality review, board"),
            t.t("pijplijn", "pipeline"),
            inp.pipeline,
            t.t("schooljaar", "school year"),
            rows.latest
        ),
        lang: t.code().into(),
        blocks,
    }
}

/// The schools that get their own document: at least `min_n` pupils in the latest year.
pub fn schools_with_documents(rows: &GrowthRows, min_n: usize) -> Vec<String> {
    let mut pupils: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in rows.rows.iter().filter(|r| r.year == rows.latest) {
        pupils.entry(&r.school).or_default().insert(&r.pupil);
    }
    pupils
        .into_iter()
        .filter(|(_, p)| p.len() >= min_n)
        .map(|(s, _)| s.to_string())
        .collect()
}

/// One school's document; `class_chart` is the SVG of its per-class growth distribution.
pub fn school(inp: &Inputs, key: &str, class_chart: Option<&str>) -> Doc {
    let t = inp.t;
    let rows = inp.growth;
    let mut blocks = vec![];
    let (mp, mc, pupils) = arm_medians(rows, Some(key));
    let (all_p, all_c, _) = arm_medians(rows, None);
    let programme = rows
        .rows
        .iter()
        .any(|r| r.school == key && r.year == rows.latest && r.programme);
    blocks.push(Block::Heading(t.t("Samenvatting", "Summary").into()));
    let mut summary = vec![format!(
        "{}: {pupils} {} {} {}. {}",
        t.school_title(key),
        t.t(
            "leerlingen met groeigegevens in",
            "pupils with growth data in"
        ),
        rows.window,
        rows.latest,
        if programme {
            t.t(
                "De school werkt met het programma.",
                "The school runs the programme.",
            )
        } else {
            t.t(
                "De school is een vergelijkingsschool.",
                "The school is a comparison school.",
            )
        }
    )];
    let own = if programme { mp } else { mc };
    let all = if programme { all_p } else { all_c };
    if let (Some(o), Some(a)) = (own, all) {
        summary.push(format!(
            "{} {} ({} {}; {}).",
            t.t("Mediane groei (percentiel):", "Median growth (percentile):"),
            f1(t, o),
            if programme {
                t.t("alle programmascholen:", "all programme schools:")
            } else {
                t.t("alle vergelijkingsscholen:", "all comparison schools:")
            },
            f1(t, a),
            t.t("50 is gewone groei", "50 is typical growth")
        ));
    }
    let own_effects = effects_where(inp, "school", Some(key));
    if let Some(e) = headline(&own_effects) {
        summary.push(format!(
            "{}: {}",
            if e.est.is_some() {
                t.t(
                    "Geschat effect in deze school",
                    "Estimated effect in this school",
                )
            } else {
                t.t("Effect in deze school", "Effect in this school")
            },
            effect_sentence(t, e, inp.min_n)
        ));
    }
    summary.push(format!(
        "{} {} {}",
        t.t("Groepen met minder dan", "Classes of fewer than"),
        inp.min_n,
        t.t("leerlingen worden niet getoond.", "pupils are not shown.")
    ));
    blocks.push(Block::Bullets(summary));
    blocks.push(Block::Heading(
        t.t("Groei per groep", "Growth per class").into(),
    ));
    blocks.extend(growth_table(inp, Some(key)));
    blocks.extend(other_window_table(inp, Some(key)));
    match class_chart {
        Some(svg) => blocks.push(Block::Chart {
            svg: svg.to_string(),
            caption: format!(
                "{} {}.",
                t.t("Groei per groep:", "Growth per class:"),
                rows.measure.label(t)
            ),
        }),
        None => blocks.push(Block::Note(format!(
            "{} {} {}",
            t.t("Geen groep heeft ten minste", "No class has at least"),
            inp.min_n,
            t.t(
                "leerlingen met groeigegevens; daarom is er geen grafiek per groep.",
                "pupils with growth data, so there is no chart per class.",
            )
        ))),
    }
    blocks.extend(super::moment_trend::section(
        t,
        inp.moment_trend,
        Some(key),
        inp.min_n,
    ));
    blocks.extend(super::reference_levels::section(
        t,
        inp.reference_levels,
        Some(key),
        inp.min_n,
    ));
    blocks.push(Block::Heading(
        t.t("Zelfregulatie", "Self-regulation").into(),
    ));
    if let Some(b) = srl_table(inp, Some(key)) {
        blocks.extend(b);
    }
    if !own_effects.is_empty() {
        blocks.push(Block::Heading(
            t.t(
                "Effect van het programma in deze school",
                "Programme effect in this school",
            )
            .into(),
        ));
        blocks.push(effect_table(t, &own_effects, "subject", inp.min_n));
        let methods = method_bullets(t, &own_effects.iter().map(|(_, e)| e).collect::<Vec<_>>());
        if !methods.is_empty() {
            blocks.push(Block::Para(
                t.t(
                    "Hoe de onzekerheid is berekend:",
                    "How the uncertainty was computed:",
                )
                .into(),
            ));
            blocks.push(Block::Bullets(methods));
        }
        blocks.push(Block::Bullets(limits(t, inp.design)));
    }
    provenance(inp, &mut blocks);
    Doc {
        title: format!(
            "{}: {}",
            t.school_title(key),
            t.t("groei en zelfregulatie", "growth and self-regulation")
        ),
        subtitle: format!(
            "{} · {} '{}' · {} {}",
            t.t("Kwaliteitszorg, school", "Quality review, school"),
            t.t("pijplijn", "pipeline"),
            inp.pipeline,
            t.t("schooljaar", "school year"),
            rows.latest
        ),
        lang: t.code().into(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::growth::rows::Measure;
    use crate::testutil::{EffectRow, effects, row};
    use arrow_array::{ArrayRef, RecordBatch};
    use leerwinst_core::Table;
    use leerwinst_core::pipeline::Language;
    use leerwinst_store::{f64_array, str_array};

    fn empty(table: Table) -> Frame {
        Frame {
            path: table.name().into(),
            batch: RecordBatch::new_empty(table.schema()),
        }
    }

    /// Every text of a document, blocks in order, table cells joined by " | ".
    fn text(doc: &Doc) -> String {
        let mut s = String::new();
        for b in &doc.blocks {
            match b {
                Block::Heading(x) | Block::Para(x) | Block::Note(x) => s.push_str(x),
                Block::Bullets(v) => s.push_str(&v.join("\n")),
                Block::Table { header, rows, .. } => {
                    s.push_str(&header.join(" | "));
                    for r in rows {
                        s.push('\n');
                        s.push_str(&r.join(" | "));
                    }
                }
                Block::Chart { caption, .. } => s.push_str(caption),
            }
            s.push('\n');
        }
        s
    }

    /// The rows of the first table whose header starts with `first`.
    fn table_rows<'a>(doc: &'a Doc, first: &str) -> &'a [Vec<String>] {
        doc.blocks
            .iter()
            .find_map(|b| match b {
                Block::Table { header, rows, .. } if header[0] == first => Some(rows.as_slice()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no table starting with {first}"))
    }

    /// One school's document (Dutch) for `fx` under `design`.
    fn school_doc(design: Design, fx: &Frame, key: &str) -> Doc {
        with_inputs(Language::Nl, design, fx, &Value::Null, None, |inp| {
            school(inp, key, None)
        })
    }

    /// The board's document in `lang` for `fx` under `design`, with run.json `run` and an
    /// optional balance table.
    fn board_doc(
        lang: Language,
        design: Design,
        fx: &Frame,
        run: &Value,
        balance: Option<&Frame>,
    ) -> Doc {
        with_inputs(lang, design, fx, run, balance, board)
    }

    /// Calls `make` with document inputs holding no growth, groups, SRL or charts.
    fn with_inputs(
        lang: Language,
        design: Design,
        fx: &Frame,
        run: &Value,
        balance: Option<&Frame>,
        make: impl FnOnce(&Inputs) -> Doc,
    ) -> Doc {
        let t = Texts::new(lang);
        let growth = GrowthRows {
            rows: vec![],
            measure: Measure::Rank,
            latest: "2024-2025".into(),
            window: "E-E".into(),
        };
        let (groups, srl) = (empty(Table::GroupGrowth), empty(Table::Srl));
        let charts = BTreeMap::new();
        let inp = Inputs {
            t: &t,
            pipeline: "test",
            design,
            min_n: 10,
            run,
            rejects: Path::new("/nonexistent/rejects"),
            growth: &growth,
            groups: &groups,
            srl: &srl,
            effects: fx,
            balance,
            events: None,
            sensitivity: None,
            moderation: None,
            reference_levels: None,
            moment_trend: None,
            charts: &charts,
        };
        make(&inp)
    }

    #[test]
    fn the_staggered_method_label_names_its_draws() {
        let t = Texts::new(Language::Nl);
        let m = "school jackknife, t(G-1); multivariate-t band (20000 draws)";
        assert_eq!(
            method_label(&t, m),
            "jackknife over scholen, t(G-1); band: multivariate t (20000)"
        );
    }

    #[test]
    fn three_programme_schools_are_weak_evidence_whatever_the_interval() {
        // The interval lies wholly above zero, yet 3 programme schools carry little.
        let marked = EffectRow {
            clusters_programme: 3,
            note: Some(FEW_PROGRAMME_SCHOOLS),
            p: Some(0.004),
            ..row("regression", "all", 0.30, (0.10, 0.50))
        };
        // The same without the note: fewer than 5 programme schools is enough.
        let unmarked = EffectRow {
            note: None,
            ..marked.clone()
        };
        for r in [marked, unmarked] {
            let doc = board_doc(
                Language::Nl,
                Design::Regression,
                &effects(&[r]),
                &Value::Null,
                None,
            );
            let s = text(&doc);
            assert!(
                s.contains(
                    "Met maar 3 programmascholen is dit zwak bewijs, wat de p-waarde ook is:"
                ),
                "{s}"
            );
            assert!(!s.contains("groter dan toeval"), "{s}");
            assert!(
                s.contains(
                    "interval met CR2-standaardfouten en Satterthwaite-vrijheidsgraden, geschikt bij weinig scholen"
                ),
                "{s}"
            );
            // The table marks it, and the method paragraph explains CR2.
            let rows = table_rows(&doc, "Vak");
            assert_eq!(rows[0][3], "3 / 10");
            assert!(
                rows[0][5].contains("zwak bewijs: 3 programmascholen"),
                "{rows:?}"
            );
            assert!(s.contains("CR2 met Satterthwaite-vrijheidsgraden (Bell & McCaffrey"));
        }
        // With 8 programme schools the same interval is read as a lead beyond chance.
        let doc = board_doc(
            Language::Nl,
            Design::Regression,
            &effects(&[row("regression", "all", 0.30, (0.10, 0.50))]),
            &Value::Null,
            None,
        );
        let s = text(&doc);
        assert!(s.contains("groter dan toeval waarschijnlijk maakt"), "{s}");
        assert!(!s.contains("Met maar"), "{s}");
    }

    #[test]
    fn rows_without_interval_or_estimate_stay_in_the_table_with_the_reason() {
        let one_school = EffectRow {
            clusters_programme: 1,
            ci: None,
            p: None,
            df: None,
            method: "none",
            note: Some(TOO_FEW_CLUSTERS),
            ..row("regression", "rekenen", 0.20, (0.0, 0.0))
        };
        let few_pupils = EffectRow {
            n_treated: 6,
            estimate: None,
            ci: None,
            p: None,
            df: None,
            method: "none",
            note: Some(TOO_FEW_PUPILS),
            ..row("regression", "lezen", 0.0, (0.0, 0.0))
        };
        for lang in [Language::Nl, Language::En] {
            let fx = effects(&[one_school.clone(), few_pupils.clone()]);
            let doc = board_doc(lang, Design::Regression, &fx, &Value::Null, None);
            let s = text(&doc);
            let t = Texts::new(lang);
            let rows = table_rows(&doc, t.t("Vak", "Subject"));
            assert_eq!(rows.len(), 2, "{rows:?}");
            assert_eq!(rows[0][0], t.subject("rekenen"));
            assert_eq!(rows[0][4], t.t("+0,20 SD", "+0.20 SD"));
            assert_eq!(
                rows[0][5],
                t.t(
                    "geen interval: minder dan 2 scholen in een groep",
                    "no interval: fewer than 2 schools in a group"
                )
            );
            assert_eq!(rows[0][6], "", "no p without an interval");
            assert_eq!(rows[1][0], t.subject("lezen"));
            assert_eq!(rows[1][1], "n < 10", "a small arm's count is shown");
            assert_eq!(rows[1][4], "");
            assert_eq!(
                rows[1][5],
                t.t(
                    "niet geschat: minder dan 10 leerlingen in een groep",
                    "not estimated: fewer than 10 pupils in a group"
                )
            );
            // The headline (first subject) says there is no conclusion.
            assert!(
                s.contains(t.t(
                    "Met 1 programmaschool valt de onzekerheid niet te schatten; er is geen interval en geen conclusie over een effect.",
                    "With 1 programme school the uncertainty cannot be estimated; there is no interval and no conclusion about an effect.",
                )),
                "{s}"
            );
            assert!(!s.contains(t.t("groter dan toeval", "larger than chance")));
        }
    }

    #[test]
    fn designs_that_disagree_beyond_their_intervals_are_named_with_their_numbers() {
        let fx = effects(&[
            row("regression", "all", 0.30, (0.10, 0.50)),
            EffectRow {
                method: "REML, Satterthwaite df",
                ..row("multilevel", "all", -0.20, (-0.40, 0.05))
            },
            // Overlapping the main estimate: agrees.
            EffectRow {
                method: "cluster bootstrap over schools (999)",
                df: None,
                ..row("vcg", "all", 0.05, (-0.10, 0.35))
            },
        ]);
        let doc = board_doc(Language::Nl, Design::Regression, &fx, &Value::Null, None);
        let s = text(&doc);
        assert!(s.contains("Andere ontwerpen (gevoeligheid)"), "{s}");
        let sentence = "egressie (+0,30 SD, 95%-BI +0,10 tot +0,50) en multilevelmodel (-0,20 SD, 95%-BI -0,40 tot +0,05) spreken elkaar tegen voor alle vakken: elke schatting ligt buiten het 95%-interval van de andere.";
        assert!(s.contains(&format!("R{sentence}")), "{s}");
        // Also in the summary, and the agreeing design is named as such.
        let summary = match &doc.blocks[1] {
            Block::Bullets(v) => v.join("\n"),
            b => panic!("{b:?}"),
        };
        assert!(
            summary.contains(&format!("Let op: r{sentence}")),
            "{summary}"
        );
        assert!(s.contains(
            "Niet in tegenspraak met het hoofdontwerp: virtuele vergelijkingsgroep (alle vakken)."
        ));
        // The table: the main design first, then the others, with their methods.
        let rows = table_rows(&doc, "Ontwerp");
        assert_eq!(rows.len(), 3);
        assert!(rows[0][0].ends_with("(hoofdontwerp)"), "{rows:?}");
        assert_eq!(
            rows[1][..4],
            [
                "Multilevelmodel (leerlingen in groepen in scholen)",
                "alle vakken",
                "-0,20 SD",
                "-0,40 tot +0,05"
            ]
        );
        assert_eq!(rows[1][4], "REML, Satterthwaite");
        assert_eq!(rows[2][4], "bootstrap over scholen (999)");
        // Each method present gets its sentence.
        assert!(s.contains("Multilevelmodel (REML, zoals R lme4)"));
        assert!(s.contains("Bootstrap over scholen (999 herhalingen)"));
        // The main table holds the main design only.
        assert_eq!(table_rows(&doc, "Vak").len(), 1);

        // Agreement is said too.
        let fx = effects(&[
            row("regression", "all", 0.30, (0.10, 0.50)),
            row("multilevel", "all", 0.25, (0.05, 0.45)),
        ]);
        let s = text(&board_doc(
            Language::En,
            Design::Regression,
            &fx,
            &Value::Null,
            None,
        ));
        assert!(
            s.contains("The designs do not contradict each other") && !s.contains("disagree"),
            "{s}"
        );
    }

    #[test]
    fn matching_names_covariates_out_of_balance_and_vcg_its_unmatched_pupils() {
        // (term, before, after)
        let terms = [
            ("distance", 0.80, 0.02),
            ("baseline_z", 0.30, 0.05),
            ("ses_weight", 0.04, -0.12),
            ("girl", 0.15, 0.11),
        ];
        let n = terms.len();
        let cols: Vec<ArrayRef> = vec![
            str_array(&vec![Some("matching"); n]),
            str_array(&vec![Some("rekenen"); n]),
            str_array(&terms.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
            f64_array(terms.iter().map(|r| Some(r.1)).collect()),
            f64_array(terms.iter().map(|r| Some(r.2)).collect()),
            f64_array(vec![Some(1.0); n]),
            f64_array(vec![Some(1.0); n]),
        ];
        let balance = Frame {
            path: "balance".into(),
            batch: RecordBatch::try_new(Table::Balance.schema(), cols).unwrap(),
        };
        let fx = effects(&[EffectRow {
            method: "CR2 + Satterthwaite df",
            ..row("matching", "rekenen", 0.2, (0.05, 0.35))
        }]);
        let s = text(&board_doc(
            Language::Nl,
            Design::Matching,
            &fx,
            &Value::Null,
            Some(&balance),
        ));
        assert!(
            s.contains("groter bij: ses_weight (rekenen-wiskunde): +0,04 → -0,12."),
            "{s}"
        );
        assert!(
            s.contains("(|SMD| ≥ 0,1): ses_weight (rekenen-wiskunde): +0,04 → -0,12; girl (rekenen-wiskunde): +0,15 → +0,11."),
            "{s}"
        );
        assert!(!s.contains("baseline_z (rekenen-wiskunde):"), "{s}");
        assert!(s.contains("Let op: na matching zijn niet alle kenmerken in balans"));

        let run: Value = serde_json::json!({"compare": {"unmatched_programme_pupils": 7}});
        let fx = effects(&[EffectRow {
            method: "cluster bootstrap over schools (999)",
            ..row("vcg", "rekenen", 0.2, (0.05, 0.35))
        }]);
        let s = text(&board_doc(Language::Nl, Design::Vcg, &fx, &run, None));
        assert!(
            s.contains("7 programmaleerlingen hadden geen vergelijkingsleerling binnen de grenzen van het ontwerp; het effect gaat alleen over de programmaleerlingen die er wel een hadden"),
            "{s}"
        );
        let run: Value = serde_json::json!({"compare": {"unmatched_programme_pupils": 0}});
        let s = text(&board_doc(Language::Nl, Design::Vcg, &fx, &run, None));
        assert!(!s.contains("geen vergelijkingsleerling"));
    }

    #[test]
    fn the_multilevel_design_is_named_and_its_limits_said() {
        let fx = effects(&[EffectRow {
            method: "REML, Satterthwaite df",
            ..row("multilevel", "all", 0.2, (0.05, 0.35))
        }]);
        let s = text(&board_doc(
            Language::Nl,
            Design::Multilevel,
            &fx,
            &Value::Null,
            None,
        ));
        assert!(s.contains("Ontwerp: multilevelmodel (leerlingen in groepen in scholen)."));
        assert!(s.contains("naar het gemiddelde gekrompen"));
        assert!(s.contains("Wat dit niet laat zien: dat het programma de oorzaak is."));
    }

    #[test]
    fn one_schools_effect_is_not_read_as_beyond_chance() {
        let fx = effects(&[
            row("multilevel", "all", 0.2, (0.05, 0.35)),
            EffectRow {
                subgroup: "school",
                level: "12AB".into(),
                method: "BLUP, conditional SD",
                clusters_programme: 1,
                ..row("multilevel", "all", 0.4, (0.2, 0.6))
            },
        ]);
        let s = text(&school_doc(Design::Multilevel, &fx, "12AB"));
        assert!(
            s.contains("Het interval ligt boven nul, maar dit vergelijkt één school met de vergelijkingsscholen"),
            "{s}"
        );
        assert!(
            !s.contains("groter dan toeval") && !s.contains("Met maar"),
            "{s}"
        );
        assert!(
            s.contains("Schooleffecten uit het multilevelmodel (BLUP)"),
            "{s}"
        );
    }
}
