//! The schools' documents: which schools get one, and what each says: a summary, growth per
//! class, self-regulation, the school's own effect where there is one, and the data's
//! provenance.

use std::collections::{BTreeMap, BTreeSet};

use super::Inputs;
use super::designs::limits;
use super::effect_sentences::effect_sentence;
use super::effect_table::effect_table;
use super::format::one_decimal;
use super::growth_tables::{growth_table, other_window_table};
use super::method::method_bullets;
use super::provenance::provenance;
use super::read::{Effect, arm_medians, effects_where, headline};
use super::self_regulation::srl_table;
use crate::charts::growth::GrowthRows;
use crate::document::{Block, Doc};

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
    let own_effects = effects_where(inp, "school", Some(key));
    let mut blocks = vec![Block::Heading(t.t("Samenvatting", "Summary").into())];
    blocks.push(Block::Bullets(summary(inp, key, &own_effects)));
    class_growth_section(inp, key, class_chart, &mut blocks);
    blocks.push(Block::Heading(
        t.t("Zelfregulatie", "Self-regulation").into(),
    ));
    if let Some(b) = srl_table(inp, Some(key)) {
        blocks.extend(b);
    }
    if !own_effects.is_empty() {
        own_effect_section(inp, &own_effects, &mut blocks);
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

/// The summary's bullets: the school's pupils and arm, its median growth against its arm's,
/// its own effect, and the minimum group size.
fn summary(inp: &Inputs, key: &str, own_effects: &[(String, Effect)]) -> Vec<String> {
    let t = inp.t;
    let rows = inp.growth;
    let (mp, mc, pupils) = arm_medians(rows, Some(key));
    let (all_p, all_c, _) = arm_medians(rows, None);
    let programme = rows
        .rows
        .iter()
        .any(|r| r.school == key && r.year == rows.latest && r.programme);
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
            one_decimal(t, o),
            if programme {
                t.t("alle programmascholen:", "all programme schools:")
            } else {
                t.t("alle vergelijkingsscholen:", "all comparison schools:")
            },
            one_decimal(t, a),
            t.t("50 is gewone groei", "50 is typical growth")
        ));
    }
    if let Some(e) = headline(own_effects) {
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
    summary
}

/// Growth per class: the growth tables, the chart per class (or why there is none), and the
/// trend over the test moments and the reference levels where the run has them.
fn class_growth_section(
    inp: &Inputs,
    key: &str,
    class_chart: Option<&str>,
    blocks: &mut Vec<Block>,
) {
    let t = inp.t;
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
                inp.growth.measure.label(t)
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
    blocks.extend(crate::document::moment_trend::section(
        t,
        inp.moment_trend,
        Some(key),
        inp.min_n,
    ));
    blocks.extend(crate::document::reference_levels::section(
        t,
        inp.reference_levels,
        Some(key),
        inp.min_n,
    ));
}

/// The school's own effect: its table, how its uncertainty was computed, the design's limits.
fn own_effect_section(inp: &Inputs, own_effects: &[(String, Effect)], blocks: &mut Vec<Block>) {
    let t = inp.t;
    blocks.push(Block::Heading(
        t.t(
            "Effect van het programma in deze school",
            "Programme effect in this school",
        )
        .into(),
    ));
    blocks.push(effect_table(t, own_effects, "subject", inp.min_n));
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
