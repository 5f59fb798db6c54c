//! The charts of a run, listed here family by family in the order they are drawn; each family
//! lives in its own module. Every chart writes `<name>.svg`, `.png` and `.pdf`, and `<name>.csv`
//! (the data drawn, with an Excel workbook beside it) through [`files`], and is drawn in the one
//! chart frame ([`frame`]: canvas, axes, legend, notes, small groups left out) in the house
//! style ([`style`]).

mod columns;
pub(crate) mod effects;
mod files;
mod frame;
pub(crate) mod growth;
pub(crate) mod moderation;
pub(crate) mod srl;
pub(crate) mod staggered;
mod style;

use leerwinst_core::Result;
use leerwinst_store::Frame;

use effects::Split;
pub(crate) use files::ChartTarget;
use growth::GrowthRows;

/// The effect charts of design `design` (`effects/effects.parquet`): the effect per school with
/// the pooled effect, then the effect per self-regulation tercile and per baseline quintile.
pub(crate) fn effect_charts(effects: &Frame, design: &str, out: &mut ChartTarget) -> Result<()> {
    effects::forest::effect_forest(effects, design, out)?;
    for split in [Split::SrlTercile, Split::BaselineQuintile] {
        effects::subgroup::effect_by_subgroup(effects, design, split, out)?;
    }
    Ok(())
}

/// The staggered-adoption charts (`effects/event_study.parquet`): the event study, then the
/// effect per start cohort.
pub(crate) fn staggered_charts(events: &Frame, out: &mut ChartTarget) -> Result<()> {
    staggered::event_study(events, out)?;
    staggered::cohort_effects(events, out)
}

/// The moderation curves (`effects/moderation.parquet`): the effect over the SRL index, then
/// over the baseline score.
pub(crate) fn moderation_charts(moderation: &Frame, out: &mut ChartTarget) -> Result<()> {
    for moderator in ["srl_index", "baseline_z"] {
        moderation::moderation_curve(moderation, moderator, out)?;
    }
    Ok(())
}

/// The growth charts (`indicators/growth.parquet`; `rows` are its rows of `window`): growth per
/// school, the distribution per school, status against growth, and the trend over the years of
/// the window with the most of them.
pub(crate) fn growth_charts(
    growth: &Frame,
    rows: &GrowthRows,
    window: &str,
    out: &mut ChartTarget,
) -> Result<()> {
    growth::growth_by_school(growth, window, out)?;
    growth::growth_distribution(rows, None, out)?;
    growth::status_growth(rows, out)?;
    let trend = GrowthRows::of(growth, &growth::trend_window(growth, window));
    growth::growth_trend(&trend, out)
}

/// The self-regulation charts (`indicators/srl.parquet`): the profile per tercile, the profile
/// per school, and self-regulation against the growth `rows`.
pub(crate) fn srl_charts(srl: &Frame, rows: &GrowthRows, out: &mut ChartTarget) -> Result<()> {
    srl::srl_profile(srl, out)?;
    srl::srl_by_school(srl, out)?;
    srl::srl_vs_growth(srl, rows, out)
}

/// The chart of school `school`'s document: growth per class. Returns the classes drawn; no
/// chart is written when there are none.
pub(crate) fn school_charts(
    rows: &GrowthRows,
    school: &str,
    out: &mut ChartTarget,
) -> Result<usize> {
    growth::growth_distribution(rows, Some(school), out)
}
