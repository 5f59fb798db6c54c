//! Growth over the school years: each school's median growth percentile per year, and each
//! arm's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_stats::describe::median_sorted;
use plotters::prelude::*;

use super::{Group, GrowthRows};
use crate::charts::files::{ChartTarget, chart_err, write_csv};
use crate::charts::frame::{
    self, Area, Axes, Axis, SmallGroups, arm_colour, foot_line, legend, reference_line,
};
use crate::charts::style::pct_tick;
use crate::text::Texts;

/// A line of the trend: its arm and its points (year position, median).
type Line = (bool, Vec<(f64, f64)>);

/// Trend over school years: each school's median growth percentile per year (thin lines), and
/// the median over the pupils of each arm (thick). A school that ran the programme in any year
/// shown is drawn as a programme school in all years, so its years before the start show. A
/// school-year with fewer than `min_n` pupils leaves a gap.
pub fn growth_trend(rows: &GrowthRows, out: &mut ChartTarget) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let name = "growth_trend";
    let files = out.files(name);
    let years: Vec<String> = rows
        .rows
        .iter()
        .map(|r| r.year.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let yi = |y: &str| years.iter().position(|x| x == y).unwrap_or(0) as f64;
    let median_growth = format!("median_{}", rows.measure.code());
    let header = [
        "level",
        "group",
        "school_year",
        "programme",
        "pupils",
        &median_growth,
    ];
    let mut small = SmallGroups::new(name, min_n);
    // School (or "~" and the arm) -> its line.
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    let mut csv_rows = vec![];
    for ((key, year), g) in groups(rows) {
        let (level, label) = match key.strip_prefix('~') {
            Some(arm) => ("arm", arm.to_string()),
            None => ("school", key.clone()),
        };
        if small.too_small(g.pupils.len()) {
            let group = format!("{level} {label} {year}");
            let cells = vec![level.into(), label, year, g.programme.to_string()];
            csv_rows.push(small.leave_out(out.summary, &group, cells, header.len()));
            continue;
        }
        let mut growth = g.growth;
        growth.sort_by(f64::total_cmp);
        let m = median_sorted(&growth).unwrap_or(f64::NAN);
        csv_rows.push(vec![
            level.into(),
            label,
            year.clone(),
            g.programme.to_string(),
            g.pupils.len().to_string(),
            format!("{m:.1}"),
        ]);
        let e = lines.entry(key).or_insert((g.programme, vec![]));
        e.1.push((yi(&year), m));
    }
    write_csv(t, &files.csv, &header, &csv_rows)?;
    let svg = frame::svg(&files.svg, (frame::WIDTH, 560), |root| {
        draw(root, rows, &years, &lines, t, &files.svg)?;
        let mut foot = format!(
            "{} {}",
            t.t(
                "Dunne lijn: één school. Maat:",
                "Thin line: one school. Measure:"
            ),
            rows.measure.label(t)
        );
        let lead = t.t("Niet getoond (school-jaren):", "Not shown (school-years):");
        if let Some(note) = small.note_as(lead, "") {
            foot = format!("{foot}. {note}");
        }
        foot_line(root, foot, 13, 24, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// The groups per (school, year) and per (arm, year), the arm's key "~programme" or
/// "~comparison" (after every school key). A school belongs to the programme arm in every year
/// when it ran the programme in any year shown, so the years before its start are its own
/// baseline.
fn groups(rows: &GrowthRows) -> BTreeMap<(String, String), Group<'_>> {
    let arm_key = |p: bool| {
        if p {
            "~programme".to_string()
        } else {
            "~comparison".to_string()
        }
    };
    let programme_schools: BTreeSet<&str> = rows
        .rows
        .iter()
        .filter(|r| r.programme)
        .map(|r| r.school.as_str())
        .collect();
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for r in &rows.rows {
        let Some(g) = r.growth else { continue };
        let prog = programme_schools.contains(r.school.as_str());
        for key in [r.school.clone(), arm_key(prog)] {
            groups
                .entry((key, r.year.clone()))
                .or_insert_with(|| Group::new(prog))
                .add(&r.pupil, g);
        }
    }
    groups
}

/// Draws the lines: thin per school, thick per arm (in the legend), around the median line.
fn draw(
    root: &Area<'_>,
    rows: &GrowthRows,
    years: &[String],
    lines: &BTreeMap<String, Line>,
    t: &Texts,
    path: &Path,
) -> Result<()> {
    let err = |e| chart_err(path, e);
    let k = years.len().max(1) as f64;
    let caption = format!(
        "{} ({} {})",
        t.t("Groei door de jaren heen", "Growth over the years"),
        t.t("periode", "window"),
        rows.window
    );
    let x = Axis::new(-0.4f64..(k - 0.6), 50)
        .no_grid()
        .ticks(years.len().max(1))
        .tick_label(|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 {
                years.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .title(t.t(
            "Schooljaar van de eindtoets",
            "School year of the follow-up test",
        ));
    let y = Axis::new(0f64..100f64, 70)
        .title(t.t("Mediaan groeipercentiel", "Median growth percentile"))
        .tick_label(pct_tick);
    let axes = Axes::new(caption, x, y).margin_right(40).margin_bottom(34);
    let mut chart = axes.draw(root, path)?;
    reference_line(&mut chart, (-0.4, 50.0), (k - 0.6, 50.0), path)?;
    for (key, (prog, pts)) in lines {
        let color = arm_colour(*prog);
        let arm = key.starts_with('~');
        let width = if arm { 4 } else { 1 };
        let series = chart
            .draw_series(LineSeries::new(
                pts.iter().copied(),
                color.stroke_width(width),
            ))
            .map_err(err)?;
        if arm {
            let label = if *prog {
                t.t(
                    "programmascholen, ook vóór de start (alle leerlingen)",
                    "programme schools, also before the start (all pupils)",
                )
            } else {
                t.t(
                    "vergelijkingsscholen (alle leerlingen)",
                    "comparison schools (all pupils)",
                )
            };
            series.label(label).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(4))
            });
        }
        chart
            .draw_series(
                pts.iter()
                    .map(|&p| Circle::new(p, if arm { 6 } else { 3 }, color.filled())),
            )
            .map_err(err)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft, path)
}
