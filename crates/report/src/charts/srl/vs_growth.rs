//! Self-regulation against growth: does growth rise with self-regulation, and does the
//! programme add more for self-regulated pupils?

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_stats::describe::mean_sd;
use leerwinst_store::{Frame, opt};
use plotters::prelude::*;

use crate::charts::files::{ChartTarget, chart_err, write_csv};
use crate::charts::frame::{
    self, Area, Axes, Axis, SmallGroups, arm_colour, arm_label, foot_line, legend, reference_line,
};
use crate::charts::growth::GrowthRows;
use crate::text::Texts;

/// The pupils of one quintile and arm: their growth percentiles.
#[derive(Default)]
struct Cell<'a> {
    growth: Vec<f64>,
    pupils: BTreeSet<&'a str>,
}

/// One drawn cell: quintile, arm, mean growth percentile and its 95% interval.
struct Drawn {
    quintile: i32,
    programme: bool,
    mean: f64,
    lo: f64,
    hi: f64,
}

/// Mean growth percentile (95% CI) per quintile of the SRL index of the same school year, for
/// programme and comparison pupils side by side; latest year of the window. A quintile-arm cell
/// with fewer than `min_n` pupils is not drawn.
pub fn srl_vs_growth(srl: &Frame, rows: &GrowthRows, out: &mut ChartTarget) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let name = "srl_vs_growth";
    let files = out.files(name);
    let mean_growth = format!("mean_{}", rows.measure.code());
    let header = [
        "srl_quintile",
        "srl_index_from",
        "srl_index_to",
        "programme",
        "pupils",
        &mean_growth,
        "ci_low",
        "ci_high",
    ];
    let (cells, bounds) = quintile_cells(srl, rows);
    let mut small = SmallGroups::new(name, min_n);
    let mut drawn: Vec<Drawn> = vec![];
    let mut csv_rows = vec![];
    for (&(q, prog), cell) in &cells {
        let (lo_s, hi_s) = bounds[&q];
        let row = vec![
            q.to_string(),
            format!("{lo_s:.3}"),
            format!("{hi_s:.3}"),
            prog.to_string(),
        ];
        if small.too_small(cell.pupils.len()) {
            let group = format!("srl quintile {q}, programme={prog}");
            csv_rows.push(small.leave_out(out.summary, &group, row, header.len()));
            continue;
        }
        let g = &cell.growth;
        let (m, sd) = mean_sd(g);
        let half = 1.96 * sd / (g.len() as f64).sqrt();
        drawn.push(Drawn {
            quintile: q,
            programme: prog,
            mean: m,
            lo: m - half,
            hi: m + half,
        });
        let mut row = row;
        row.extend([
            cell.pupils.len().to_string(),
            format!("{m:.2}"),
            format!("{:.2}", m - half),
            format!("{:.2}", m + half),
        ]);
        csv_rows.push(row);
    }
    write_csv(t, &files.csv, &header, &csv_rows)?;
    let svg = frame::svg(&files.svg, (frame::WIDTH, 560), |root| {
        draw(root, rows, &drawn, t, &files.svg)?;
        let mut foot = format!(
            "{} {}",
            t.t("Groeimaat:", "Growth measure:"),
            rows.measure.label(t)
        );
        let lead = t.t("Niet getoond (cellen):", "Not shown (cells):");
        if let Some(note) = small.note_as(lead, "") {
            foot = format!("{foot}. {note}");
        }
        foot_line(root, foot, 13, 24, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// (quintile, programme) -> its pupils' growth.
type Cells<'a> = BTreeMap<(i32, bool), Cell<'a>>;

/// The latest year's pupils with both an SRL index and a growth percentile, per quintile of the
/// index and arm, and each quintile's lowest and highest index.
fn quintile_cells<'a>(
    srl: &'a Frame,
    rows: &'a GrowthRows,
) -> (Cells<'a>, BTreeMap<i32, (f64, f64)>) {
    let (pupil, year, index) = (
        srl.str("pupil_key"),
        srl.str("school_year"),
        srl.f64("srl_index"),
    );
    let mut srl_of: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for i in 0..srl.len() {
        if let Some(v) = opt(index, i) {
            srl_of.insert((pupil.value(i), year.value(i)), v);
        }
    }
    // (srl index, growth, programme, pupil) of the latest year.
    let mut joined: Vec<(f64, f64, bool, &str)> = rows
        .rows
        .iter()
        .filter(|r| r.year == rows.latest)
        .filter_map(|r| {
            let s = *srl_of.get(&(r.pupil.as_str(), r.year.as_str()))?;
            Some((s, r.growth?, r.programme, r.pupil.as_str()))
        })
        .collect();
    joined.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Quintiles of the joined pupils' index: position-based, ties kept together.
    let n = joined.len();
    let quintile_of = |k: usize| ((k * 5) / n.max(1)) as i32 + 1;
    let mut cells = Cells::new();
    let mut bounds: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    let mut q_prev = 1;
    for (k, &(s, g, prog, p)) in joined.iter().enumerate() {
        let mut q = quintile_of(k);
        // A tie with the previous pupil stays in the previous pupil's quintile.
        if k > 0 && joined[k - 1].0 == s {
            q = q_prev;
        }
        q_prev = q;
        let e = cells.entry((q, prog)).or_default();
        e.growth.push(g);
        e.pupils.insert(p);
        let b = bounds.entry(q).or_insert((s, s));
        b.1 = s;
    }
    (cells, bounds)
}

/// Draws each arm's means per quintile with their intervals, joined by a thin line.
fn draw(root: &Area<'_>, rows: &GrowthRows, drawn: &[Drawn], t: &Texts, path: &Path) -> Result<()> {
    let err = |e| chart_err(path, e);
    let (lo, hi) = drawn
        .iter()
        .fold((40.0f64, 60.0f64), |(a, b), d| (a.min(d.lo), b.max(d.hi)));
    let caption = format!(
        "{} ({})",
        t.t("Zelfregulatie en groei", "Self-regulation and growth"),
        rows.latest
    );
    let x = Axis::new(0.5f64..5.5f64, 58)
        .no_grid()
        .ticks(5)
        .tick_label(|x| match x.round() as i32 {
            1 => format!("1 ({})", t.t("laagste", "lowest")),
            5 => format!("5 ({})", t.t("hoogste", "highest")),
            q => q.to_string(),
        })
        .title(t.t(
            "Kwintiel van de zelfregulatie-index (zelfde schooljaar)",
            "Quintile of the self-regulation index (same school year)",
        ));
    let y = Axis::new((lo - 5.0).max(0.0)..(hi + 5.0).min(100.0), 70)
        .tick_label(|v| t.tick(*v))
        .title(format!(
            "{}, 95%-{}",
            t.t("Gemiddeld groeipercentiel", "Mean growth percentile"),
            t.t("BI", "CI")
        ));
    let mut chart = Axes::new(caption, x, y)
        .margin_bottom(34)
        .draw(root, path)?;
    reference_line(&mut chart, (0.5, 50.0), (5.5, 50.0), path)?;
    for (arm, dx) in [(true, 0.1), (false, -0.1)] {
        let color = arm_colour(arm);
        let pts: Vec<_> = drawn.iter().filter(|d| d.programme == arm).collect();
        let x_of = |d: &Drawn| d.quintile as f64 + dx;
        chart
            .draw_series(pts.iter().map(|d| {
                PathElement::new(
                    vec![(x_of(d), d.lo), (x_of(d), d.hi)],
                    color.stroke_width(2),
                )
            }))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|d| (x_of(d), d.mean)),
                color.stroke_width(1),
            ))
            .map_err(err)?;
        chart
            .draw_series(
                pts.iter()
                    .map(|d| Circle::new((x_of(d), d.mean), 6, color.filled())),
            )
            .map_err(err)?
            .label(arm_label(t, arm))
            .legend(move |(x, y)| Circle::new((x + 8, y), 6, color.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft, path)
}
