//! How far the effect can be trusted, in words: the other designs on the same data
//! (sensitivity), the balance after matching, unmatched programme pupils, unmeasured
//! confounding, the years before the start, and the effect as a curve over a moderator.

use leerwinst_core::pipeline::Design;
use leerwinst_store::{Frame, opt};

use super::Inputs;
use super::designs::{design_key_name, design_short_name};
use super::effect_sentences::{design_estimate, disagree, missing_reason};
use super::format::{capitalise, schools_phrase, signed_two_decimals, unit};
use super::method::Method;
use super::read::{Effect, effect_rows};
use crate::document::Block;
use crate::text::Texts;

/// One sentence on how robust the design's overall effect (subjects pooled, or the one subject)
/// is to a confounder nobody measured: robustness values and the E-value.
pub(super) fn confounding_sentence(t: &Texts, f: &Frame, design: &str) -> Option<String> {
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
pub(super) fn moderation_sentence(t: &Texts, f: &Frame, moderator: &str) -> Option<String> {
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
            signed_two_decimals(t, s.estimate),
        ));
        if let Some((l, h)) = s.ci {
            out.push_str(&format!(
                " (95%-{} {} {} {})",
                t.t("BI", "CI"),
                signed_two_decimals(t, l),
                t.t("tot", "to"),
                signed_two_decimals(t, h)
            ));
        }
        out.push_str(". ");
    }
    let regions = c.regions();
    let span = format!(
        "{} {} {}",
        signed_two_decimals(t, first.value),
        t.t("tot", "to"),
        signed_two_decimals(t, last.value)
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
                    signed_two_decimals(t, a),
                    t.t("tot", "to"),
                    signed_two_decimals(t, b)
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
pub(super) fn pre_trend_sentence(t: &Texts, ev: &Frame) -> String {
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
            signed_two_decimals(t, range.0),
            t.t("tot", "to"),
            signed_two_decimals(t, range.1),
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

/// The sensitivity checks: the overall rows of designs other than the pipeline's, against the
/// pipeline's own overall rows of the same subject and outcome.
pub(super) struct Sensitivity {
    /// The table ("Other designs (sensitivity)"), the pipeline's design first per subject.
    pub(super) table: Block,
    /// Sentences on disagreement or agreement.
    pub(super) sentences: Vec<String>,
    /// The disagreement sentences for the headline subject (for the summary).
    pub(super) headline_disagreements: Vec<String>,
}

/// The sensitivity checks of the run; None when the effects table has no overall row of another
/// design.
pub(super) fn sensitivity(inp: &Inputs, headline_subject: Option<&str>) -> Option<Sensitivity> {
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
        rows.extend(here.iter().map(|e| sensitivity_row(t, e, key, inp.min_n)));
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
                    let sentence = disagreement(t, main, o, s);
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
        sentences.push(agreement(t, key));
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

/// One row of the sensitivity table: the design (the pipeline's marked as the main design), the
/// subject, the estimate, its interval (or why there is none) and the method.
fn sensitivity_row(t: &Texts, e: &Effect, key: &str, min_n: usize) -> Vec<String> {
    let mut name = capitalise(&design_key_name(t, &e.design));
    if e.design == key {
        name.push_str(t.t(" (hoofdontwerp)", " (main design)"));
    }
    let (est, ci) = match (e.est, e.ci) {
        (Some(v), Some((lo, hi))) => (
            format!("{} {}", signed_two_decimals(t, v), unit(t, &e.outcome)),
            format!(
                "{} {} {}",
                signed_two_decimals(t, lo),
                t.t("tot", "to"),
                signed_two_decimals(t, hi)
            ),
        ),
        (Some(v), None) => (
            format!("{} {}", signed_two_decimals(t, v), unit(t, &e.outcome)),
            missing_reason(t, e, min_n),
        ),
        (None, _) => (String::new(), missing_reason(t, e, min_n)),
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
    vec![
        name,
        t.subject(&e.subject).to_string(),
        est,
        ci,
        if e.ci.is_some() {
            Method::parse(&e.method).short(t)
        } else {
            String::new()
        },
    ]
}

/// The main design and `other` disagree for subject `s`: each estimate outside the other's
/// interval. Lower case first: the summary puts "Note:" before it.
fn disagreement(t: &Texts, main: &Effect, other: &Effect, s: &str) -> String {
    match t.lang {
        leerwinst_core::pipeline::Language::Nl => format!(
            "{} en {} spreken elkaar tegen voor {}: elke schatting ligt buiten het 95%-interval van de andere. De uitkomst hangt dus af van de gekozen aanpak; trek geen conclusie uit één ontwerp.",
            design_estimate(t, main),
            design_estimate(t, other),
            t.subject(s)
        ),
        leerwinst_core::pipeline::Language::En => format!(
            "{} and {} disagree for {}: each estimate lies outside the other's 95% interval. The result depends on the approach chosen; draw no conclusion from one design.",
            design_estimate(t, main),
            design_estimate(t, other),
            t.subject(s)
        ),
    }
}

/// Every design compared agrees with the main design `key`; what that does and does not say.
fn agreement(t: &Texts, key: &str) -> String {
    let main = design_short_name(t, key);
    match t.lang {
        leerwinst_core::pipeline::Language::Nl => format!(
            "De ontwerpen spreken elkaar niet tegen: bij elk ander ontwerp ligt zijn schatting binnen het 95%-interval van het hoofdontwerp ({main}), of de schatting van het hoofdontwerp binnen het interval van dat ontwerp. Dat de uitkomst niet van de gekozen aanpak afhangt, maakt haar niet oorzakelijk: alle ontwerpen delen de beperking dat scholen zelf voor het programma kozen."
        ),
        leerwinst_core::pipeline::Language::En => format!(
            "The designs do not contradict each other: for every other design, its estimate lies within the 95% interval of the main design ({main}), or the main design's estimate within that design's interval. That the result does not depend on the approach chosen does not make it causal: all designs share the limit that schools chose the programme themselves."
        ),
    }
}

/// The matching design's balance: every covariate whose |SMD| got worse after matching, and
/// those still at |SMD| >= 0.1 after matching. None when there is no balance table.
pub(super) struct BalanceReview {
    /// Sentences for the effects section.
    pub(super) sentences: Vec<String>,
    /// Whether any covariate got worse or stayed out of balance.
    pub(super) flagged: bool,
}

/// |SMD| at or above this after matching counts as out of balance (the usual 0.1 rule).
pub(super) const SMD_BALANCED_BELOW: f64 = 0.1;

/// The balance review of the matching design; None without a balance table.
pub(super) fn balance_review(inp: &Inputs) -> Option<BalanceReview> {
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
        let shown = format!(
            "{}: {} → {}",
            label(i),
            signed_two_decimals(t, bef),
            signed_two_decimals(t, aft)
        );
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

/// The sentence on `n` programme pupils without a comparison pupil.
pub(super) fn unmatched_sentence(t: &Texts, n: u64) -> String {
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
