//! What the review documents say: the board's document and one per school, built from a run's
//! outputs (run.json, rejects, indicators, effects, charts). Every number comes from those
//! files; groups below the minimum size are shown as "n < N" and never as figures.
//!
//! The documents ([`board()`], [`school()`]) are put together from sections, each in its own
//! module; the sections' sentences come from the modules on effects ([`effect_sentences`],
//! [`method`], [`designs`], [`robustness`]), the figures from [`read`], their spelling from
//! [`format`].

mod board;
mod chart_blocks;
mod designs;
mod effect_sentences;
mod effect_table;
mod format;
mod growth_tables;
mod method;
mod provenance;
mod read;
mod robustness;
mod school;
mod self_regulation;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::pipeline::Design;
use leerwinst_store::Frame;
use serde_json::Value;

pub use board::board;
pub(super) use growth_tables::drop_empty_columns;
pub use method::{method_label, note_label};
pub use school::{school, schools_with_documents};

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
