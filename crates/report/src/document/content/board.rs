//! The board's document: a summary, the data's provenance, then growth, self-regulation and
//! the programme effect, each a section of its own here.

use std::collections::BTreeSet;

use super::Inputs;
use super::chart_blocks::{chart, moderation_block};
use super::designs::{design_name, limits};
use super::effect_sentences::effect_sentence;
use super::effect_table::effect_table;
use super::format::{one_decimal, schools_phrase, signed_two_decimals, unit};
use super::growth_tables::{growth_table, other_window_table};
use super::method::method_bullets;
use super::provenance::provenance;
use super::read::{
    Effect, arm_medians, effect_rows, effects_where, headline, pick, unmatched_programme_pupils,
};
use super::robustness::{
    BalanceReview, Sensitivity, balance_review, confounding_sentence, pre_trend_sentence,
    sensitivity, unmatched_sentence,
};
use super::self_regulation::{srl_index_text, srl_table};
use crate::document::{Block, Doc};

/// What the board's summary and effect section say about how far the effect can be trusted.
struct Checks {
    /// The other designs on the same data.
    sensitivity: Option<Sensitivity>,
    /// The balance after matching (design `matching`).
    balance: Option<BalanceReview>,
    /// Programme pupils without a comparison pupil.
    unmatched: Option<u64>,
}

/// The board's document.
pub fn board(inp: &Inputs) -> Doc {
    let t = inp.t;
    let overall = effects_where(inp, "overall", None);
    let checks = Checks {
        sensitivity: sensitivity(inp, headline(&overall).map(|h| h.subject.as_str())),
        balance: balance_review(inp),
        unmatched: unmatched_programme_pupils(inp),
    };
    let mut blocks = vec![Block::Heading(t.t("Samenvatting", "Summary").into())];
    blocks.push(Block::Bullets(summary(inp, &overall, &checks)));
    provenance(inp, &mut blocks);
    growth_section(inp, &mut blocks);
    self_regulation_section(inp, &mut blocks);
    effect_section(inp, &overall, checks, &mut blocks);
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
            inp.growth.latest
        ),
        lang: t.code().into(),
        blocks,
    }
}

/// The summary's bullets: who the review covers, their growth, the overall effect and what
/// weakens it, the effect by subgroup, and the minimum group size.
fn summary(inp: &Inputs, overall: &[(String, Effect)], checks: &Checks) -> Vec<String> {
    let t = inp.t;
    let rows = inp.growth;
    let latest_rows: Vec<_> = rows.rows.iter().filter(|r| r.year == rows.latest).collect();
    let schools: BTreeSet<&str> = latest_rows.iter().map(|r| r.school.as_str()).collect();
    let prog_schools: BTreeSet<&str> = latest_rows
        .iter()
        .filter(|r| r.programme)
        .map(|r| r.school.as_str())
        .collect();
    let (mp, mc, pupils) = arm_medians(rows, None);
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
            one_decimal(t, p),
            t.t("in programmascholen en", "in programme schools and"),
            one_decimal(t, c),
            t.t("in vergelijkingsscholen", "in comparison schools"),
            t.t("50 is gewone groei.", "50 is typical growth.")
        ));
    }
    if let Some(e) = headline(overall) {
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
    if let Some(n) = checks.unmatched {
        summary.push(unmatched_sentence(t, n));
    }
    if let Some(s) = &checks.sensitivity {
        for d in &s.headline_disagreements {
            summary.push(format!("{} {d}", t.t("Let op:", "Note:")));
        }
    }
    if checks.balance.as_ref().is_some_and(|b| b.flagged) {
        summary.push(
            t.t(
                "Let op: na matching zijn niet alle kenmerken in balans (zie Effect van het programma).",
                "Note: after matching not every characteristic is balanced (see Programme effect).",
            )
            .into(),
        );
    }
    summary.extend(subgroup_sentences(inp, overall));
    summary.push(format!(
        "{} {n} {} (\"n < {n}\").",
        t.t("Groepen met minder dan", "Groups of fewer than"),
        t.t(
            "leerlingen worden in tabellen en grafieken niet getoond",
            "pupils are not shown in tables and charts"
        ),
        n = inp.min_n,
    ));
    summary
}

/// The effect by self-regulation tercile and by baseline quintile, for the subject of the
/// headline effect, when every level has a row.
fn subgroup_sentences(inp: &Inputs, overall: &[(String, Effect)]) -> Vec<String> {
    let t = inp.t;
    let Some(h) = headline(overall) else {
        return vec![];
    };
    let mut sentences = vec![];
    let terciles = effects_where(inp, "srl_tercile", None);
    let tv = pick(&terciles, &h.subject);
    if tv.len() == 3 {
        sentences.push(format!(
            "{} {}, {} {}, {} {} {}.{}",
            t.t(
                "Naar zelfregulatie: het effect was bij lage zelfregulatie",
                "By self-regulation: the effect was, at low self-regulation,"
            ),
            subgroup_value(inp, tv[0]),
            t.t("bij midden", "at middle"),
            subgroup_value(inp, tv[1]),
            t.t("bij hoog", "at high"),
            subgroup_value(inp, tv[2]),
            unit(t, &h.outcome),
            subgroup_caveat(inp, &tv)
        ));
    }
    let quintiles = effects_where(inp, "baseline_quintile", None);
    let qv = pick(&quintiles, &h.subject);
    if qv.len() == 5 {
        sentences.push(format!(
            "{} {} {} {} {}.{}",
            t.t(
                "Naar beginniveau: in het laagste kwintiel",
                "By starting level: in the lowest quintile"
            ),
            subgroup_value(inp, qv[0]),
            t.t("en in het hoogste", "and in the highest"),
            subgroup_value(inp, qv[4]),
            unit(t, &h.outcome),
            subgroup_caveat(inp, &qv)
        ));
    }
    sentences
}

/// A subgroup estimate, or why there is none.
fn subgroup_value(inp: &Inputs, e: &Effect) -> String {
    let t = inp.t;
    match e.est {
        Some(v) => signed_two_decimals(t, v),
        None => t.t("niet geschat", "not estimated").to_string(),
    }
}

/// What the subgroup rows `v` cannot carry: weak evidence, and groups without an interval.
fn subgroup_caveat(inp: &Inputs, v: &[&Effect]) -> String {
    let t = inp.t;
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
}

/// The growth section: the growth tables, the growth charts, and the trend over the test
/// moments and the reference levels where the run has them.
fn growth_section(inp: &Inputs, blocks: &mut Vec<Block>) {
    let t = inp.t;
    let rows = inp.growth;
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
        blocks,
    );
    chart(
        inp,
        "growth_by_school",
        t.t(
            "Gemiddelde groei per jaar per school met 95%-betrouwbaarheidsinterval.",
            "Mean growth per year per school with 95% confidence interval.",
        ),
        blocks,
    );
    chart(
        inp,
        "status_vs_growth",
        t.t(
            "Beginniveau tegen groei, per school en groep (zoals NWEA- en mapvizieR-kwadranten).",
            "Status against growth, per school and class (as NWEA and mapvizieR quadrants).",
        ),
        blocks,
    );
    chart(
        inp,
        "growth_trend",
        t.t(
            "Mediaan groeipercentiel per school en schooljaar.",
            "Median growth percentile per school and school year.",
        ),
        blocks,
    );
    blocks.extend(crate::document::moment_trend::section(
        t,
        inp.moment_trend,
        None,
        inp.min_n,
    ));
    blocks.extend(crate::document::reference_levels::section(
        t,
        inp.reference_levels,
        None,
        inp.min_n,
    ));
}

/// The self-regulation section: how the index was made, the table per school, the profiles.
fn self_regulation_section(inp: &Inputs, blocks: &mut Vec<Block>) {
    let t = inp.t;
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
        blocks,
    );
    chart(
        inp,
        "srl_profile_by_school",
        t.t(
            "Profiel per school: gemiddelde z-score per indicator.",
            "Profile per school: mean z-score per indicator.",
        ),
        blocks,
    );
    chart(
        inp,
        "srl_vs_growth",
        t.t(
            "Groei per kwintiel van de zelfregulatie-index, programma- en vergelijkingsscholen.",
            "Growth per quintile of the self-regulation index, programme and comparison schools.",
        ),
        blocks,
    );
}

/// The effect section: the overall effect, how its uncertainty was computed, the checks on it,
/// the design's limits, and the effect charts.
fn effect_section(
    inp: &Inputs,
    overall: &[(String, Effect)],
    checks: Checks,
    blocks: &mut Vec<Block>,
) {
    let t = inp.t;
    blocks.push(Block::Heading(
        t.t("Effect van het programma", "Programme effect").into(),
    ));
    overall_effect(inp, overall, checks.unmatched, blocks);
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
    if let Some(b) = &checks.balance {
        blocks.push(Block::Para(format!(
            "{} {}",
            t.t("Balans na matching.", "Balance after matching."),
            b.sentences.join(" ")
        )));
    }
    if let Some(s) = checks.sensitivity {
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
    effect_charts(inp, blocks);
}

/// The overall effect: the design and the table of overall rows with what qualifies them, or
/// why no effect was estimated.
fn overall_effect(
    inp: &Inputs,
    overall: &[(String, Effect)],
    unmatched: Option<u64>,
    blocks: &mut Vec<Block>,
) {
    let t = inp.t;
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
        return;
    }
    blocks.push(Block::Para(format!(
        "{}: {}.",
        t.t("Ontwerp", "Design"),
        design_name(t, inp.design)
    )));
    blocks.push(effect_table(t, overall, "subject", inp.min_n));
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

/// The effect charts, each where the run has it: the staggered design's, the forest, and the
/// effect by self-regulation and by starting level (per group and as a curve).
fn effect_charts(inp: &Inputs, blocks: &mut Vec<Block>) {
    let t = inp.t;
    chart(
        inp,
        "event_study",
        t.t(
            "Gefaseerde invoering: effect per schooljaar sinds de start van de school, met de jaren ervoor als controle.",
            "Staggered adoption: effect by school years since the school's start, with the years before as a check.",
        ),
        blocks,
    );
    chart(
        inp,
        "effect_by_cohort",
        t.t(
            "Halen scholen die later begonnen het in? Effect per startjaar.",
            "Are schools that started later catching up? Effect by start year.",
        ),
        blocks,
    );
    chart(
        inp,
        "effect_forest",
        t.t(
            "Effect per programmaschool en gepoold (RAND-stijl), 95%-BI.",
            "Effect per programme school and pooled (RAND style), 95% CI.",
        ),
        blocks,
    );
    chart(
        inp,
        "effect_by_srl_tercile",
        t.t(
            "Werkt het voor alle leerlingen? Naar zelfregulatie.",
            "Does it work for all pupils? By self-regulation.",
        ),
        blocks,
    );
    moderation_block(
        inp,
        "srl_index",
        "effect_by_srl_index",
        t.t(
            "Naar zelfregulatie als doorlopende lijn, met het gebied waar het effect van 0 verschilt.",
            "By self-regulation as a continuous line, with the region where the effect differs from 0.",
        ),
        blocks,
    );
    chart(
        inp,
        "effect_by_baseline_quintile",
        t.t(
            "Werkt het voor alle leerlingen? Naar beginniveau.",
            "Does it work for all pupils? By starting level.",
        ),
        blocks,
    );
    moderation_block(
        inp,
        "baseline_z",
        "effect_by_baseline",
        t.t(
            "Naar beginniveau als doorlopende lijn, met het gebied waar het effect van 0 verschilt.",
            "By starting level as a continuous line, with the region where the effect differs from 0.",
        ),
        blocks,
    );
}
