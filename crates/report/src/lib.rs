//! Report: charts from a run's Parquet outputs.
//!
//! Charts are SVG with their data as CSV beside them, drawn with plotters and a bundled font
//! (DejaVu Sans, registered from bytes, so text metrics are the same on every machine and no
//! system font is needed), the Okabe-Ito colour-blind-safe palette, and labels in the pipeline's
//! language. Groups smaller than the pipeline's `min_group_size` are never drawn: they are listed
//! as "n < N" instead. Reads only Parquet, so `leerwinst report` re-renders without recomputing.

mod charts;
mod text;

use std::path::Path;

use leerwinst_core::pipeline::Pipeline;
use leerwinst_core::{Result, Table};
use leerwinst_store::read_table;
use serde::Serialize;

pub use charts::{FONT_FAMILY, register_font};

/// What report did.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSummary {
    /// Charts written (SVG files).
    pub charts: Vec<String>,
    /// Groups suppressed for being smaller than the minimum size, per chart.
    pub suppressed: Vec<String>,
    /// All files written.
    pub outputs: Vec<String>,
}

/// Renders the charts of the run in `out` into `out/charts/`.
pub fn run(p: &Pipeline, out: &Path) -> Result<ReportSummary> {
    register_font();
    let dir = out.join("charts");
    std::fs::create_dir_all(&dir).map_err(|e| leerwinst_core::Error::io(&dir, e))?;
    let t = text::Texts::new(p.pipeline.language);
    let min_n = p.privacy.min_group_size;
    let mut summary = ReportSummary {
        charts: vec![],
        suppressed: vec![],
        outputs: vec![],
    };

    let effects = read_table(&out.join("effects/effects.parquet"), Table::Effects)?;
    charts::effect_by_tercile(&effects, &dir, &t, &mut summary)?;
    charts::effect_forest(&effects, &dir, &t, min_n, &mut summary)?;
    let growth = read_table(&out.join("indicators/growth.parquet"), Table::Growth)?;
    charts::growth_by_school(
        &growth,
        &dir,
        &t,
        min_n,
        p.compare.window.as_str(),
        &mut summary,
    )?;
    let srl = read_table(&out.join("indicators/srl.parquet"), Table::Srl)?;
    charts::srl_profile(&srl, &dir, &t, min_n, &mut summary)?;
    Ok(summary)
}
