//! The self-regulation profile per school: a heat map of mean z-scores, a row per school and a
//! column per indicator and the index.

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_store::{Frame, opt};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{indicator_labels, latest_year, mean_z, scale};
use crate::charts::files::{ChartTarget, chart_err, write_csv};
use crate::charts::frame::{self, Area, SmallGroups, foot_line};
use crate::charts::style::{font, two_lines, wrap_to};
use crate::text::Texts;

/// The indicators of the per-school profile and the index, with their labels.
fn profile_indicators(t: &Texts) -> Vec<(&'static str, &str)> {
    let mut v = indicator_labels(t);
    v.push(("srl_index", t.t("index", "index")));
    v
}

/// Diverging blue (below) - white - orange (above) for a z-score, saturating at |z| = 1.
fn diverging(z: f64) -> RGBColor {
    let a = z.clamp(-1.0, 1.0).abs();
    let (r, g, b) = if z < 0.0 {
        (0.0, 114.0, 178.0)
    } else {
        (230.0, 159.0, 0.0)
    };
    let mix = |c: f64| (255.0 + (c - 255.0) * a * 0.85).round() as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

/// What the heat map draws.
struct HeatMap<'a> {
    latest: &'a str,
    /// Indicator columns and labels.
    indicators: &'a [(&'static str, &'a str)],
    /// The schools shown, by key.
    shown: &'a [&'a str],
    /// Pupils with an index per school.
    pupils: &'a BTreeMap<&'a str, usize>,
    /// `cell[school][indicator]` = mean z; NaN where there is none.
    cell: &'a [Vec<f64>],
}

/// Self-regulation profile per school: the mean z-score of each indicator (standardised over all
/// pupils of the latest year) and of the index, as a heat map with the values written in. Schools
/// with fewer than `min_n` pupils with an index are left out and counted.
pub fn srl_by_school(srl: &Frame, out: &mut ChartTarget) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let name = "srl_profile_by_school";
    let files = out.files(name);
    let (school, index) = (srl.str("school_key"), srl.f64("srl_index"));
    let (latest, rows) = latest_year(srl);
    let indicators = profile_indicators(t);
    let mut pupils: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &rows {
        if opt(index, i).is_some() {
            *pupils.entry(school.value(i)).or_default() += 1;
        }
    }
    let mut small = SmallGroups::new(name, min_n);
    let (shown, suppressed): (Vec<&str>, Vec<&str>) = pupils
        .keys()
        .copied()
        .partition(|s| !small.too_small(pupils[s]));
    let mut cell = vec![vec![f64::NAN; indicators.len()]; shown.len()];
    for (j, (col, _)) in indicators.iter().enumerate() {
        let a = srl.f64(col);
        let Some(scaled) = scale(a, &rows) else {
            continue;
        };
        for (k, s) in shown.iter().enumerate() {
            let in_school = |i| school.value(i) == *s && opt(index, i).is_some();
            let (mean, n) = mean_z(a, &rows, scaled, in_school);
            if n > 0 {
                cell[k][j] = mean;
            }
        }
    }
    let header = ["school_year", "school", "pupils", "indicator", "mean_z"];
    let mut csv_rows = vec![];
    for (k, s) in shown.iter().enumerate() {
        for (j, (col, _)) in indicators.iter().enumerate() {
            csv_rows.push(vec![
                latest.clone(),
                s.to_string(),
                pupils[s].to_string(),
                col.to_string(),
                if cell[k][j].is_finite() {
                    format!("{:.3}", cell[k][j])
                } else {
                    String::new()
                },
            ]);
        }
    }
    for s in &suppressed {
        let cells = vec![latest.clone(), s.to_string()];
        let group = format!("school {s}");
        csv_rows.push(small.leave_out(out.summary, &group, cells, header.len()));
    }
    write_csv(t, &files.csv, &header, &csv_rows)?;
    let map = HeatMap {
        latest: &latest,
        indicators: &indicators,
        shown: &shown,
        pupils: &pupils,
        cell: &cell,
    };
    let svg = draw(&map, &small, t, &files.svg)?;
    out.record(&files, &svg)
}

/// Draws the heat map: title, the indicators' names over the columns, the schools' names beside
/// the rows, the cells with their values, and the note under it.
fn draw(map: &HeatMap, small: &SmallGroups, t: &Texts, path: &Path) -> Result<String> {
    // Cells and text sized so that the numbers print at 7 pt or more at the A4 text width.
    // The widest the heat map can be with its numbers at 7 pt on A4 leaves 170 pixels for a
    // school's name: in up to two lines, else its code; its pupils on a line below.
    let (left, top, cw) = (170i32, 130i32, 90i32);
    let labels: Vec<Vec<String>> = map
        .shown
        .iter()
        .map(|s| {
            let mut lines = wrap_to(t.school(s), 15, 195, 2).unwrap_or_else(|| vec![s.to_string()]);
            lines.push(format!("n = {}", map.pupils[s]));
            lines
        })
        .collect();
    let most_lines = labels.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let ch = (18 + 18 * most_lines).max(40);
    let width = (left + cw * map.indicators.len() as i32 + 30) as u32;
    let height = (top + ch * map.shown.len().max(1) as i32 + 70) as u32;
    frame::svg(path, (width, height), |root| {
        let err = |e| chart_err(path, e);
        let title = format!(
            "{} ({})",
            t.t(
                "Zelfregulatieprofiel per school",
                "Self-regulation profile per school"
            ),
            map.latest
        );
        root.draw(&Text::new(
            title,
            (width as i32 / 2, 18),
            font(22).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
        let center = Pos::new(HPos::Center, VPos::Center);
        for (j, (_, label)) in map.indicators.iter().enumerate() {
            let x = left + cw * j as i32 + cw / 2;
            let lines = two_lines(label);
            let n = lines.len() as i32;
            for (l, line) in lines.into_iter().enumerate() {
                root.draw(&Text::new(
                    line,
                    (x, top - 16 - 20 * (n - 1 - l as i32)),
                    font(15).pos(center),
                ))
                .map_err(err)?;
            }
        }
        for (k, lines) in labels.iter().enumerate() {
            let y = top + ch * k as i32;
            draw_row(root, (left, y), (cw, ch), lines, &map.cell[k], t, path)?;
        }
        let mut foot = t
            .t(
                "Gemiddelde z-score t.o.v. alle leerlingen van het jaar; oranje = meer, blauw = minder zelfregulatie.",
                "Mean z-score against all pupils of the year; orange = more, blue = less self-regulation.",
            )
            .to_string();
        if let Some(note) = small.note(t, "") {
            foot = format!("{foot} {note}");
        }
        foot_line(root, foot, 15, 30, path)
    })
}

/// Draws one school's row from `(left, y)`: its name in `lines` right-aligned before it, then a
/// cell of `cw` x `ch` pixels per indicator with its value.
fn draw_row(
    root: &Area<'_>,
    (left, y): (i32, i32),
    (cw, ch): (i32, i32),
    lines: &[String],
    cells: &[f64],
    t: &Texts,
    path: &Path,
) -> Result<()> {
    let err = |e| chart_err(path, e);
    let first = y + ch / 2 - 9 * (lines.len() as i32 - 1);
    for (l, line) in lines.iter().enumerate() {
        root.draw(&Text::new(
            line.as_str(),
            (left - 10, first + 18 * l as i32),
            font(15).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }
    let center = Pos::new(HPos::Center, VPos::Center);
    for (j, &z) in cells.iter().enumerate() {
        let x = left + cw * j as i32;
        let fill = if z.is_finite() {
            diverging(z)
        } else {
            RGBColor(245, 245, 245)
        };
        root.draw(&Rectangle::new(
            [(x, y), (x + cw - 2, y + ch - 2)],
            fill.filled(),
        ))
        .map_err(err)?;
        let label = if z.is_finite() {
            t.signed(z, 2)
        } else {
            "–".into()
        };
        root.draw(&Text::new(
            label,
            (x + cw / 2, y + ch / 2),
            font(15).pos(center),
        ))
        .map_err(err)?;
    }
    Ok(())
}
