//! The files of a chart: its SVG with a PNG (2x, 192 dpi) and a PDF beside it, and its data file
//! (CSV with an Excel workbook beside it), all recorded in the run's summary.

use std::path::{Path, PathBuf};

use leerwinst_core::{Error, Result};

use super::columns;
use crate::text::Texts;
use crate::{ReportSummary, render};

/// Where the charts are written and what for: the folder, the language, the minimum group size
/// and the run's summary that records each chart.
pub(crate) struct ChartTarget<'a> {
    /// The folder the charts are written to.
    pub dir: &'a Path,
    /// The language of their texts and data files.
    pub t: &'a Texts,
    /// Groups smaller than this are left out.
    pub min_n: usize,
    /// Records the charts, their files and the groups left out.
    pub summary: &'a mut ReportSummary,
}

impl ChartTarget<'_> {
    /// The files of chart `name` in the folder.
    pub fn files(&self, name: &str) -> ChartFiles {
        ChartFiles::new(self.dir, name)
    }

    /// Writes a chart's SVG with its PNG and PDF, and records it and its data file ([`record`]).
    pub fn record(&mut self, files: &ChartFiles, svg: &str) -> Result<()> {
        record(self.summary, self.t, files, svg)
    }
}

/// Where a chart's files go.
pub(crate) struct ChartFiles {
    /// `<dir>/<name>.svg`; the PNG and PDF go beside it.
    pub svg: PathBuf,
    /// `<dir>/<name>.csv`, the data drawn; the workbook goes beside it.
    pub csv: PathBuf,
}

impl ChartFiles {
    /// The files of chart `name` in `dir`.
    pub fn new(dir: &Path, name: &str) -> ChartFiles {
        ChartFiles {
            svg: dir.join(format!("{name}.svg")),
            csv: dir.join(format!("{name}.csv")),
        }
    }
}

/// Writes a chart's SVG and, from it, its PNG (2x, 192 dpi) and PDF beside it, and records the
/// chart and its data file (CSV and workbook) in the summary.
pub(crate) fn record(
    summary: &mut ReportSummary,
    t: &Texts,
    files: &ChartFiles,
    svg: &str,
) -> Result<()> {
    let (path, csv) = (files.svg.as_path(), files.csv.as_path());
    leerwinst_store::write_atomic(path, svg.as_bytes())?;
    let png = path.with_extension("png");
    let pdf = path.with_extension("pdf");
    let bytes = render::svg_to_png(svg, 2.0).map_err(|e| chart_err(&png, e))?;
    leerwinst_store::write_atomic(&png, &bytes)?;
    let title = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = render::svgs_to_pdf(&[svg], &title, t.code()).map_err(|e| chart_err(&pdf, e))?;
    leerwinst_store::write_atomic(&pdf, &bytes)?;
    summary.charts.push(path.display().to_string());
    let xlsx = leerwinst_store::xlsx_beside(csv);
    summary.outputs.extend(
        [path, png.as_path(), pdf.as_path(), csv, xlsx.as_path()]
            .iter()
            .map(|p| p.display().to_string()),
    );
    Ok(())
}

/// The error of a chart that could not be drawn or rendered to `path`.
pub(crate) fn chart_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Storage {
        path: path.to_path_buf(),
        message: format!("drawing failed: {e}"),
    }
}

/// Writes a chart's data file in the CSV dialect of `t`'s language, with its Excel workbook
/// beside it: typed columns with the headers and meanings of [`columns`], values in the run's
/// language, numbers with its decimal mark.
pub(crate) fn write_csv(
    t: &Texts,
    path: &Path,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<()> {
    let dialect = leerwinst_store::CsvDialect::of(t.lang);
    let batch = columns::table(header, rows, dialect).map_err(|e| chart_err(path, e))?;
    leerwinst_store::write_csv(path, &batch, dialect)
}

/// A number as the effect charts' data files write it: four decimals.
pub(crate) fn four_decimals(v: f64) -> String {
    format!("{v:.4}")
}
