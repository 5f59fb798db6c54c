//! Status against growth, per school and per class: the quadrant of high/low starting level and
//! high/low growth.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_stats::describe::median_sorted;
use plotters::prelude::*;

use super::{GrowthRows, Row};
use crate::charts::files::{ChartTarget, chart_err, write_csv};
use crate::charts::frame::{
    self, Area, Axes, Axis, SmallGroups, arm_colour, arm_label, foot_line, legend, reference_line,
};
use crate::charts::style::{GREY, font, pct_tick};
use crate::text::Texts;

/// The pupils of one group (a school or a class) in the quadrant, with their values.
struct QuadGroup<'a> {
    /// Any of its pupils is in a programme school.
    programme: bool,
    /// The pupils' status (baseline percentile).
    statuses: Vec<f64>,
    /// The pupils' growth percentile.
    growths: Vec<f64>,
    /// The pupils, each counted once.
    pupils: BTreeSet<&'a str>,
}

/// One group's point in the quadrant.
struct QuadPoint {
    level: &'static str,
    label: String,
    programme: bool,
    pupils: usize,
    status: f64,
    growth: f64,
}

/// Status vs growth (as NWEA and mapvizieR draw it): per school (large, labelled) and per class
/// (small), the median baseline percentile against the median growth percentile, latest year.
/// Lines at 50 split high/low achievement and high/low growth.
pub fn status_growth(rows: &GrowthRows, out: &mut ChartTarget) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let name = "status_vs_growth";
    let files = out.files(name);
    let median_growth = format!("median_{}", rows.measure.code());
    let header = [
        "level",
        "group",
        "programme",
        "pupils",
        "median_baseline_percentile",
        &median_growth,
    ];
    let (schools, classes) = groups(rows);
    let mut small = SmallGroups::new(name, min_n);
    let mut points = vec![];
    let mut csv_rows = vec![];
    for (level, groups) in [("school", schools), ("class", classes)] {
        for (label, g) in groups {
            let cells = vec![level.to_string(), label.clone(), g.programme.to_string()];
            if small.too_small(g.pupils.len()) {
                let group = format!("{level} {label}");
                csv_rows.push(small.leave_out(out.summary, &group, cells, header.len()));
                continue;
            }
            let p = point(level, label, g);
            let mut row = cells;
            row.extend([
                p.pupils.to_string(),
                format!("{:.1}", p.status),
                format!("{:.1}", p.growth),
            ]);
            csv_rows.push(row);
            points.push(p);
        }
    }
    write_csv(t, &files.csv, &header, &csv_rows)?;
    let svg = frame::svg(&files.svg, (frame::WIDTH, 720), |root| {
        draw(root, rows, &points, t, &files.svg)?;
        let mut foot = t
            .t(
                "Grote stip: school (met code); kleine cirkel: groep.",
                "Large dot: school (with code); small circle: class.",
            )
            .to_string();
        if let Some(note) = small.note(t, t.t("school/groep(en)", "school(s)/class(es)")) {
            foot = format!("{foot} {note}");
        }
        foot_line(root, foot, 13, 24, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// The schools and the classes of the latest year, with the pupils that have both a status and
/// a growth percentile.
type Groups<'a> = BTreeMap<String, QuadGroup<'a>>;

/// The schools and the classes of the latest year ([`Groups`]).
fn groups(rows: &GrowthRows) -> (Groups<'_>, Groups<'_>) {
    let mut schools = Groups::new();
    let mut classes = Groups::new();
    for r in &rows.rows {
        let (Some(s), Some(g)) = (r.status, r.growth) else {
            continue;
        };
        if r.year != rows.latest {
            continue;
        }
        fn add<'a>(m: &mut Groups<'a>, k: &str, r: &'a Row, s: f64, g: f64) {
            let e = m.entry(k.to_string()).or_insert_with(|| QuadGroup {
                programme: false,
                statuses: vec![],
                growths: vec![],
                pupils: BTreeSet::new(),
            });
            e.programme |= r.programme;
            e.statuses.push(s);
            e.growths.push(g);
            e.pupils.insert(&r.pupil);
        }
        add(&mut schools, &r.school, r, s, g);
        if let Some(c) = &r.class {
            add(&mut classes, c, r, s, g);
        }
    }
    (schools, classes)
}

/// The point of a group shown: its medians.
fn point(level: &'static str, label: String, g: QuadGroup) -> QuadPoint {
    let (mut st, mut gr) = (g.statuses, g.growths);
    st.sort_by(f64::total_cmp);
    gr.sort_by(f64::total_cmp);
    QuadPoint {
        level,
        label,
        programme: g.programme,
        pupils: g.pupils.len(),
        status: median_sorted(&st).unwrap_or(f64::NAN),
        growth: median_sorted(&gr).unwrap_or(f64::NAN),
    }
}

/// Draws the quadrant: the lines at 50 with the quadrants named, classes as small circles,
/// schools as large dots with their codes, and the legend.
fn draw(
    root: &Area<'_>,
    rows: &GrowthRows,
    points: &[QuadPoint],
    t: &Texts,
    path: &Path,
) -> Result<()> {
    let err = |e| chart_err(path, e);
    let caption = format!(
        "{} ({})",
        t.t(
            "Niveau en groei per school en groep",
            "Status and growth per school and class"
        ),
        rows.latest
    );
    let x = Axis::new(0f64..100f64, 50)
        .title(t.t(
            "Beginniveau: mediaan percentiel van de beginscore",
            "Status: median percentile of the starting score",
        ))
        .tick_label(pct_tick);
    let y = Axis::new(0f64..100f64, 70)
        .title(rows.measure.label(t))
        .tick_label(pct_tick);
    let mut chart = Axes::new(caption, x, y)
        .margin_bottom(40)
        .draw(root, path)?;
    reference_line(&mut chart, (50.0, 0.0), (50.0, 100.0), path)?;
    reference_line(&mut chart, (0.0, 50.0), (100.0, 50.0), path)?;
    let corner = font(13).color(&GREY);
    for (x, y, nl, en) in [
        (
            2.0,
            97.0,
            "laag niveau, hoge groei",
            "low status, high growth",
        ),
        (
            52.0,
            97.0,
            "hoog niveau, hoge groei",
            "high status, high growth",
        ),
        (
            2.0,
            4.0,
            "laag niveau, lage groei",
            "low status, low growth",
        ),
        (
            52.0,
            4.0,
            "hoog niveau, lage groei",
            "high status, low growth",
        ),
    ] {
        chart
            .draw_series(std::iter::once(Text::new(
                t.t(nl, en),
                (x, y),
                corner.clone(),
            )))
            .map_err(err)?;
    }
    for arm in [true, false] {
        let color = arm_colour(arm);
        let of = |level: &'static str| {
            points
                .iter()
                .filter(move |p| p.programme == arm && p.level == level)
        };
        chart
            .draw_series(
                of("class").map(|p| Circle::new((p.status, p.growth), 4, color.stroke_width(2))),
            )
            .map_err(err)?;
        chart
            .draw_series(of("school").map(|p| Circle::new((p.status, p.growth), 8, color.filled())))
            .map_err(err)?
            .label(arm_label(t, arm))
            .legend(move |(x, y)| Circle::new((x + 8, y), 6, color.filled()));
    }
    // School codes beside their dots, moved down where they would overlap an earlier one.
    let mut placed: Vec<(f64, f64)> = vec![];
    for p in points.iter().filter(|p| p.level == "school") {
        let (x, mut y) = (p.status + 1.5, p.growth + 1.5);
        while placed
            .iter()
            .any(|&(px, py)| (px - x).abs() < 8.0 && (py - y).abs() < 3.0)
        {
            y -= 3.0;
        }
        placed.push((x, y));
        chart
            .draw_series(std::iter::once(Text::new(
                p.label.clone(),
                (x, y),
                font(13),
            )))
            .map_err(err)?;
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight, path)
}
