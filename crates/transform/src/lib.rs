//! Transform: growth and self-regulation indicators from the warehouse tables.
//!
//! Reads `warehouse/*.parquet`, writes `indicators/growth.parquet`,
//! `indicators/group_growth.parquet`, `indicators/reference_levels.parquet`,
//! `indicators/moment_trend.parquet` (with the years of earlier runs),
//! `indicators/srl.parquet`, `indicators/srl_term.parquet`
//! and `indicators/srl_weekly.parquet` (each with a CSV beside it for staff). Does no other I/O; the indicator families are plain
//! functions over rows, tested on hand-made inputs.

pub mod event_stream;
pub mod groups;
pub mod growth;
pub mod moment_trend;
pub mod norms;
pub mod reference_levels;
pub mod sgp;
pub mod srl;
pub mod srl_kernel;
pub mod srl_measures;
pub mod srl_weekly;

use std::path::Path;
use std::time::Instant;

use leerwinst_core::pipeline::Pipeline;
use leerwinst_core::{Result, Table};
use leerwinst_store::{CsvDialect, read_table, table_to_csv, write_csv, write_table, xlsx_beside};
use rayon::prelude::*;
use serde::Serialize;

/// What transform did.
#[derive(Debug, Clone, Serialize)]
pub struct TransformSummary {
    /// Growth rows written.
    pub growth_rows: usize,
    /// School and class growth rows written.
    pub group_rows: usize,
    /// Rows of shares reaching the reference levels (schools, subjects, test moments).
    pub reference_level_rows: usize,
    /// Rows of the same test moment over the years (board and schools), and how many of them
    /// came from earlier runs.
    pub moment_trend_rows: (usize, usize),
    /// Growth rows with a conditional growth index (NWEA's or from the norm table).
    pub growth_with_cgi: usize,
    /// SRL rows written.
    pub srl_rows: usize,
    /// SRL rows with a composite index.
    pub srl_with_index: usize,
    /// Pupil-term rows of the SRL indicators per term.
    pub srl_term_rows: usize,
    /// Pupil-week rows of the weekly SRL series.
    pub srl_weekly_rows: usize,
    /// Events read.
    pub events_read: usize,
    /// Which self-regulation indicators entered the school-year index (and which did not, and
    /// why), and its reliability.
    pub srl_composite: srl::CompositeReport,
    /// The same for the index per term.
    pub srl_term_composite: srl::CompositeReport,
    /// Student growth percentiles, when the pipeline asks for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sgp: Option<sgp::SgpSummary>,
    /// Seconds spent on growth and on SRL.
    pub seconds: (f64, f64),
    /// Files written.
    pub outputs: Vec<String>,
}

/// Runs transform for pipeline `p` on the run folder `out`. With `srl_partials`, the per-pupil
/// self-regulation rows are read from that folder (what the Spark job wrote with
/// `leerwinst kernel srl`, [`srl_kernel::combine`]) instead of computed from the events here.
pub fn run(p: &Pipeline, out: &Path, srl_partials: Option<&Path>) -> Result<TransformSummary> {
    let wh = out.join("warehouse");
    let ind = out.join("indicators");
    let meta = vec![("leerwinst.pipeline".to_string(), p.pipeline.name.clone())];
    // The CSVs beside the Parquet tables are for people: in the run language's spelling.
    let dialect = CsvDialect::of(p.pipeline.language);
    let enrollments = read_table(&wh.join("enrollments.parquet"), Table::Enrollments)?;
    let enrolled = growth::enrollment_index(&enrollments);
    let mut outputs = Vec::new();

    let t0 = Instant::now();
    let assessments = read_table(&wh.join("assessments.parquet"), Table::Assessments)?;
    let (sgp_index, sgp_summary) = match &p.growth.sgp {
        Some(settings) => {
            let given = match &settings.knots {
                Some(k) => Some(sgp::read_knots(&p.resolve(k))?),
                None => None,
            };
            let (index, summary) = sgp::compute(&assessments, settings, given.as_ref());
            (Some(index), Some(summary))
        }
        None => (None, None),
    };
    let reported_path = wh.join("reported_growth.parquet");
    let reported = if reported_path.exists() {
        Some(norms::reported_index(&read_table(
            &reported_path,
            Table::ReportedGrowth,
        )?))
    } else {
        None
    };
    let norm_table = match &p.growth.norms {
        Some(path) => Some(norms::NormTable::read(&p.resolve(path))?),
        None => None,
    };
    let extras = growth::Extras {
        sgp: sgp_index.as_ref(),
        reported: reported.as_ref(),
        norms: norm_table.as_ref(),
        settings: Some(&p.growth),
    };
    let growth_rows = growth::compute(&assessments, &enrolled, &extras);
    let path = ind.join("growth.parquet");
    write_table(&path, Table::Growth, growth::columns(&growth_rows), &meta)?;
    let frame = read_table(&path, Table::Growth)?;
    write_csv(&ind.join("growth.csv"), &frame.batch, dialect)?;
    outputs.extend([
        path.display().to_string(),
        ind.join("growth.csv").display().to_string(),
        xlsx_beside(&ind.join("growth.csv")).display().to_string(),
    ]);
    let group_rows = groups::compute(&growth_rows);
    // The CSV is for staff: small groups hidden there as in the reports (the Parquet keeps
    // them for analysis).
    let mask = groups::staff_mask(&group_rows, p.privacy.min_group_size);
    write_with_staff_csv(
        &ind,
        Table::GroupGrowth,
        groups::columns(&group_rows),
        groups::columns_shown(&group_rows, &mask),
        (&meta, dialect),
        &mut outputs,
    )?;
    // A warehouse from `sample-events` has no school list: no schoolweging then.
    let schools_path = wh.join("schools.parquet");
    let weights = if schools_path.exists() {
        reference_levels::school_weights(&read_table(&schools_path, Table::Schools)?)
    } else {
        Default::default()
    };
    let reference_rows =
        reference_levels::compute(&assessments, &enrolled, &weights, &p.reference_levels);
    // The CSV is for staff: a school below the minimum shows its count only, and no year can be
    // computed from the review's three-year figures.
    let mask = reference_levels::staff_mask(&reference_rows, p.privacy.min_group_size);
    write_with_staff_csv(
        &ind,
        Table::ReferenceLevels,
        reference_levels::columns(&reference_rows),
        reference_levels::columns_shown(&reference_rows, &mask),
        (&meta, dialect),
        &mut outputs,
    )?;
    let earlier: Vec<std::path::PathBuf> =
        p.report.earlier_runs.iter().map(|d| p.resolve(d)).collect();
    let trend_rows = moment_trend::with_earlier(
        moment_trend::compute(&assessments, &enrolled),
        moment_trend::read_earlier(&earlier)?,
    );
    // The CSV is for staff: no school's figures below the minimum, none computable from the
    // board's row.
    let mask = moment_trend::staff_mask(&trend_rows, p.privacy.min_group_size);
    write_with_staff_csv(
        &ind,
        Table::MomentTrend,
        moment_trend::columns(&trend_rows),
        moment_trend::columns_shown(&trend_rows, &mask),
        (&meta, dialect),
        &mut outputs,
    )?;
    let t_growth = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let settings = srl::SrlSettings {
        session_gap_min: p.indicators.session_gap_min,
        min_events: p.indicators.min_events,
    };
    let weekly_path = ind.join("srl_weekly.parquet");
    let weekly_csv = ind.join("srl_weekly.csv");
    let mut weekly = srl_weekly::WeeklyWriter::create(&weekly_path, &meta, &weekly_csv, dialect)?;
    let srl::SrlOutput {
        rows: srl_rows,
        terms: term_rows,
        weekly_rows,
        events_read,
        composite: srl_composite,
        term_composite: srl_term_composite,
    } = match srl_partials {
        // The per-pupil rows were computed elsewhere (Spark, through `leerwinst kernel srl`).
        Some(dir) => {
            let (output, weeks) = srl_kernel::combine(dir, &enrolled, &p.terms(), settings)?;
            weekly.push(weeks)?;
            output
        }
        // The events are streamed pupil by pupil, never loaded whole; the weekly series is
        // written as it is made.
        None => {
            let plans = read_table(&wh.join("plans.parquet"), Table::Plans)?;
            srl::compute(
                &wh.join("events"),
                &plans,
                &enrolled,
                &p.terms(),
                settings,
                |rows| weekly.push(rows),
            )?
        }
    };
    // No weekly rows follow: the writer finishes its files while the yearly and term tables
    // are written below.
    weekly.close();
    for (table, rows, terms) in [
        (Table::Srl, &srl_rows, false),
        (Table::SrlTerm, &term_rows, true),
    ] {
        let path = ind.join(format!("{}.parquet", table.name()));
        write_table(&path, table, srl::columns(rows, terms), &meta)?;
        outputs.push(path.display().to_string());
    }
    outputs.push(weekly_path.display().to_string());
    // The yearly and term tables' staff copies are written side by side (each is one thread's
    // work), while the weekly series' writer, which made its copies with its Parquet file, saves
    // its workbook.
    let tables = [Table::Srl, Table::SrlTerm];
    let written: Vec<Result<std::path::PathBuf>> = tables
        .par_iter()
        .map(|table| {
            let csv = ind.join(format!("{}.csv", table.name()));
            let parquet = ind.join(format!("{}.parquet", table.name()));
            table_to_csv(&parquet, *table, &csv, dialect).map(|()| csv)
        })
        .collect();
    weekly.finish()?;
    for csv in written.into_iter().chain([Ok(weekly_csv)]) {
        let csv = csv?;
        outputs.push(csv.display().to_string());
        outputs.push(xlsx_beside(&csv).display().to_string());
    }

    Ok(TransformSummary {
        growth_rows: growth_rows.len(),
        group_rows: group_rows.len(),
        reference_level_rows: reference_rows.len(),
        moment_trend_rows: (
            trend_rows.len(),
            trend_rows
                .iter()
                .filter(|r| r.earlier_run.is_some())
                .count(),
        ),
        growth_with_cgi: growth_rows.iter().filter(|r| r.norm.cgi.is_some()).count(),
        srl_rows: srl_rows.len(),
        srl_with_index: srl_rows.iter().filter(|r| r.srl_index.is_some()).count(),
        srl_term_rows: term_rows.len(),
        srl_weekly_rows: weekly_rows,
        events_read,
        srl_composite,
        srl_term_composite,
        sgp: sgp_summary,
        seconds: (t_growth, t1.elapsed().as_secs_f64()),
        outputs,
    })
}

/// Writes `table` into `ind` as Parquet from `full` (every row, for analysis) and as its staff
/// CSV with the Excel workbook beside it from `staff` (hidden cells empty, so every column may
/// be null), and lists the three files in `outputs`.
fn write_with_staff_csv(
    ind: &Path,
    table: Table,
    full: Vec<arrow_array::ArrayRef>,
    staff: Vec<arrow_array::ArrayRef>,
    (meta, dialect): (&[(String, String)], CsvDialect),
    outputs: &mut Vec<String>,
) -> Result<()> {
    let path = ind.join(format!("{}.parquet", table.name()));
    write_table(&path, table, full, meta)?;
    let csv = ind.join(format!("{}.csv", table.name()));
    let staff = arrow_array::RecordBatch::try_new(table.schema_all_nullable(), staff)
        .map_err(|e| leerwinst_core::Error::Compute(format!("{}: {e}", csv.display())))?;
    write_csv(&csv, &staff, dialect)?;
    outputs.extend([
        path.display().to_string(),
        csv.display().to_string(),
        xlsx_beside(&csv).display().to_string(),
    ]);
    Ok(())
}
