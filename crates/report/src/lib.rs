//! Report: charts and the review documents from a run's Parquet outputs.
//!
//! Charts are SVG with their data as CSV beside them, drawn with plotters and a bundled font
//! (DejaVu Sans, registered from bytes, so text metrics are the same on every machine and no
//! system font is needed), the Okabe-Ito colour-blind-safe palette, and labels in the pipeline's
//! language. Groups smaller than the pipeline's `min_group_size` are never drawn: they are listed
//! as "n < N" instead. Every chart is written as SVG, PNG and PDF. The review documents (one for
//! the board, one per school; PDF and self-contained HTML) go to `review/`. Reads only the run's
//! outputs (Parquet, run.json, rejects), so `leerwinst report` re-renders without recomputing.

mod charts;
pub mod document;
mod fonts;
pub mod inspect;
mod render;
#[cfg(test)]
mod testutil;
pub mod text;
mod textwidth;

use std::path::Path;

use leerwinst_core::pipeline::{Design, Pipeline};
use leerwinst_core::{Result, Table};
use leerwinst_store::read_table;
use serde::Serialize;

use charts::growth::GrowthRows;

pub use fonts::{FONT_FAMILY, register_font};
pub use render::{parse_svg, svg_to_png, svgs_to_pdf};

/// What report did.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSummary {
    /// Charts written (SVG files; PNG and PDF beside each).
    pub charts: Vec<String>,
    /// Review documents written (PDF; HTML beside each).
    pub documents: Vec<String>,
    /// Groups suppressed for being smaller than the minimum size, per chart.
    pub suppressed: Vec<String>,
    /// All files written.
    pub outputs: Vec<String>,
}

/// School key -> name, from the warehouse's schools table (a school without a name, or a run
/// without the table, gives none).
fn school_names(out: &Path) -> Result<std::collections::BTreeMap<String, String>> {
    let path = out.join("warehouse/schools.parquet");
    if !path.exists() {
        return Ok(Default::default());
    }
    let f = read_table(&path, Table::Schools)?;
    let (key, name) = (f.str("school_key"), f.str("school_name"));
    Ok((0..f.len())
        .filter(|&i| arrow_array::Array::is_valid(name, i) && !name.value(i).trim().is_empty())
        .map(|i| (key.value(i).to_string(), name.value(i).trim().to_string()))
        .collect())
}

/// Renders the charts of the run in `out` into `out/charts/` and the review documents into
/// `out/review/`.
pub fn run(p: &Pipeline, out: &Path) -> Result<ReportSummary> {
    register_font();
    let dir = out.join("charts");
    std::fs::create_dir_all(&dir).map_err(|e| leerwinst_core::Error::io(&dir, e))?;
    let t = text::Texts::new(p.pipeline.language).with_school_names(school_names(out)?);
    let min_n = p.privacy.min_group_size;
    let mut summary = ReportSummary {
        charts: vec![],
        documents: vec![],
        suppressed: vec![],
        outputs: vec![],
    };

    let effects = read_table(&out.join("effects/effects.parquet"), Table::Effects)?;
    // The charts show the pipeline's design; other designs' rows are sensitivity checks, shown
    // in the review's table.
    let design = p.compare.design.key();
    let mut target = charts::ChartTarget {
        dir: &dir,
        t: &t,
        min_n,
        summary: &mut summary,
    };
    charts::effect_charts(&effects, design, &mut target)?;
    // Tables of one design, or that a run from before they existed does not have.
    let optional = |table: Table| -> Result<Option<leerwinst_store::Frame>> {
        let path = out.join(format!("{}/{}.parquet", table.folder(), table.name()));
        path.exists().then(|| read_table(&path, table)).transpose()
    };
    let balance = match p.compare.design {
        Design::Matching => optional(Table::Balance)?,
        _ => None,
    };
    let events = match p.compare.design {
        Design::Staggered => optional(Table::EventStudy)?,
        _ => None,
    };
    if let Some(ev) = &events {
        charts::staggered_charts(ev, &mut target)?;
    }
    let moderation = optional(Table::Moderation)?;
    if let Some(m) = &moderation {
        charts::moderation_charts(m, &mut target)?;
    }
    let sensitivity = optional(Table::Sensitivity)?;
    let growth = read_table(&out.join("indicators/growth.parquet"), Table::Growth)?;
    let window = p.compare.window.as_str();
    let rows = GrowthRows::of(&growth, window);
    charts::growth_charts(&growth, &rows, window, &mut target)?;
    let srl = read_table(&out.join("indicators/srl.parquet"), Table::Srl)?;
    charts::srl_charts(&srl, &rows, &mut target)?;

    let groups = read_table(
        &out.join("indicators/group_growth.parquet"),
        Table::GroupGrowth,
    )?;
    let reference_levels = optional(Table::ReferenceLevels)?;
    let moment_trend = optional(Table::MomentTrend)?;
    let run_json: serde_json::Value = std::fs::read_to_string(out.join("run.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null);
    let mut svgs = std::collections::BTreeMap::new();
    for c in &summary.charts {
        let path = Path::new(c);
        // A chart with nothing or a single group drawn (the others suppressed, or without
        // estimates) stays out of the documents, which say so in its place: a lone dot says
        // nothing.
        if let (Some(stem), Ok(svg)) = (path.file_stem(), std::fs::read_to_string(path)) {
            let shown = (drawn_rows(&path.with_extension("csv")) >= 2).then_some(svg);
            svgs.insert(stem.to_string_lossy().into_owned(), shown);
        }
    }
    let inputs = document::Inputs {
        t: &t,
        pipeline: &p.pipeline.name,
        design: p.compare.design,
        min_n,
        run: &run_json,
        rejects: &out.join("rejects"),
        growth: &rows,
        groups: &groups,
        srl: &srl,
        effects: &effects,
        balance: balance.as_ref(),
        events: events.as_ref(),
        sensitivity: sensitivity.as_ref(),
        moderation: moderation.as_ref(),
        reference_levels: reference_levels.as_ref(),
        moment_trend: moment_trend.as_ref(),
        charts: &svgs,
    };
    // Both folders hold only what this function writes: clear them so a school that no longer
    // qualifies leaves no stale document or chart behind.
    let review = out.join("review");
    for d in [&review, &dir.join("schools")] {
        if d.exists() {
            std::fs::remove_dir_all(d).map_err(|e| leerwinst_core::Error::io(d, e))?;
        }
    }
    std::fs::create_dir_all(&review).map_err(|e| leerwinst_core::Error::io(&review, e))?;
    let board_name = t.t("bestuur", "board");
    write_document(&document::board(&inputs), &review, board_name, &mut summary)?;
    for key in document::schools_with_documents(&rows, min_n) {
        let sdir = dir.join("schools").join(&key);
        std::fs::create_dir_all(&sdir).map_err(|e| leerwinst_core::Error::io(&sdir, e))?;
        let mut target = charts::ChartTarget {
            dir: &sdir,
            t: &t,
            min_n,
            summary: &mut summary,
        };
        let drawn = charts::school_charts(&rows, &key, &mut target)?;
        let class_chart = if drawn > 0 {
            std::fs::read_to_string(sdir.join("growth_distribution.svg")).ok()
        } else {
            None
        };
        let doc = document::school(&inputs, &key, class_chart.as_deref());
        write_document(&doc, &review, &format!("school-{key}"), &mut summary)?;
    }
    Ok(summary)
}

/// Writes `<name>.pdf` and `<name>.html` of a document into `dir`.
fn write_document(
    doc: &document::Doc,
    dir: &Path,
    name: &str,
    summary: &mut ReportSummary,
) -> Result<()> {
    let pdf = dir.join(format!("{name}.pdf"));
    let html = dir.join(format!("{name}.html"));
    let bytes = document::to_pdf(doc).map_err(|message| leerwinst_core::Error::Storage {
        path: pdf.clone(),
        message,
    })?;
    leerwinst_store::write_atomic(&pdf, &bytes)?;
    leerwinst_store::write_atomic(&html, document::to_html(doc).as_bytes())?;
    summary.documents.push(pdf.display().to_string());
    summary
        .outputs
        .extend([pdf.display().to_string(), html.display().to_string()]);
    Ok(())
}

/// How many rows of a chart's data file are drawn: not marked "< N" as suppressed and, where the
/// file has an estimate column, with an estimate (rows not estimated are listed, not drawn).
fn drawn_rows(csv_path: &Path) -> usize {
    let Ok(bytes) = std::fs::read(csv_path) else {
        return 0;
    };
    let mut rd = leerwinst_store::csv_reader(&bytes);
    let estimate = rd
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|c| c == "estimate" || c == "schatting"));
    rd.records()
        .flatten()
        .filter(|r| {
            !r.iter().any(|c| c.starts_with("< "))
                && estimate.is_none_or(|i| r.get(i).is_some_and(|c| !c.is_empty()))
        })
        .count()
}
