//! The self-regulation profile per SRL tercile: the mean z-score of each indicator, as bars.

use std::path::Path;

use leerwinst_core::Result;
use leerwinst_store::{Frame, opt};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{indicator_labels, latest_year, mean_z, scale};
use crate::charts::files::{ChartTarget, chart_err, four_decimals, write_csv};
use crate::charts::frame::{self, Area, Axes, Axis, legend, range_with_margin};
use crate::charts::style::{PALETTE, font, two_lines};
use crate::text::Texts;

/// Self-regulation profile: mean z-score of each indicator per SRL tercile (latest year).
pub fn srl_profile(srl: &Frame, out: &mut ChartTarget) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let files = out.files("srl_profile");
    let indicators = indicator_labels(t);
    let (latest, rows) = latest_year(srl);
    let terc = srl.i32("srl_tercile");
    let mut counts = [0usize; 3];
    for &i in &rows {
        if let Some(tt) = opt(terc, i) {
            counts[(tt - 1) as usize] += 1;
        }
    }
    // z-score each indicator over the year, then average per tercile.
    let mut means = vec![[f64::NAN; 3]; indicators.len()];
    for (j, (col, _)) in indicators.iter().enumerate() {
        let a = srl.f64(col);
        let Some(scaled) = scale(a, &rows) else {
            continue;
        };
        for tt in 1..=3 {
            let (mean, n) = mean_z(a, &rows, scaled, |i| opt(terc, i) == Some(tt));
            if n >= min_n {
                means[j][(tt - 1) as usize] = mean;
            }
        }
    }
    // No self-regulation data (a run without learning-platform activity), or every tercile
    // suppressed: no chart, rather than an empty panel.
    if means.iter().flatten().all(|v| v.is_nan()) {
        return Ok(());
    }
    let mut csv_rows = Vec::new();
    for (j, (col, _)) in indicators.iter().enumerate() {
        for tt in 0..3 {
            let v = means[j][tt];
            csv_rows.push(vec![
                latest.clone(),
                col.to_string(),
                (tt + 1).to_string(),
                counts[tt].to_string(),
                if v.is_nan() {
                    String::new()
                } else {
                    four_decimals(v)
                },
            ]);
        }
    }
    write_csv(
        t,
        &files.csv,
        &[
            "school_year",
            "indicator",
            "srl_tercile",
            "pupils",
            "mean_z",
        ],
        &csv_rows,
    )?;
    let svg = frame::svg(&files.svg, (frame::WIDTH, 560), |root| {
        let profile = Profile {
            latest: &latest,
            indicators: &indicators,
            means: &means,
            counts,
        };
        draw(root, &profile, t, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// What the profile draws.
struct Profile<'a> {
    latest: &'a str,
    /// Indicator columns and labels.
    indicators: &'a [(&'static str, &'a str)],
    /// Mean z-score per indicator and tercile; NaN where not shown.
    means: &'a [[f64; 3]],
    /// Pupils per tercile.
    counts: [usize; 3],
}

/// Draws the bars of the three terciles per indicator, the legend, and the indicators' names in
/// two lines each under the axis.
fn draw(root: &Area<'_>, p: &Profile, t: &Texts, path: &Path) -> Result<()> {
    let err = |e| chart_err(path, e);
    let (lo, hi) = p
        .means
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    let (lo, hi) = range_with_margin(lo, hi);
    let hi = hi + 0.35 * (hi - lo); // room for the legend above the bars
    let caption = format!(
        "{} ({})",
        t.t(
            "Zelfregulatieprofiel per tertiel",
            "Self-regulation profile by tercile"
        ),
        p.latest
    );
    let k = p.indicators.len();
    // The indicators' names are drawn below in two lines each (they run into each other on one
    // line at a readable size).
    let x = Axis::new(-0.5f64..(k as f64 - 0.5), 64)
        .no_grid()
        .ticks(k)
        .tick_label(|_| String::new());
    let y = Axis::new(lo..hi, 70)
        .title(t.t("Gemiddelde z-score", "Mean z-score"))
        .tick_label(|v| t.tick(*v));
    let mut chart = Axes::new(caption, x, y).draw(root, path)?;
    for tt in 0..3 {
        let color = PALETTE[[5, 1, 0][tt]];
        let dx = (tt as f64 - 1.0) * 0.25;
        chart
            .draw_series((0..k).filter(|&j| p.means[j][tt].is_finite()).map(|j| {
                let x = j as f64 + dx;
                Rectangle::new(
                    [(x - 0.11, 0.0), (x + 0.11, p.means[j][tt])],
                    color.filled(),
                )
            }))
            .map_err(err)?
            .label(format!(
                "{} (n = {})",
                t.tercile(tt as i32 + 1),
                p.counts[tt]
            ))
            .legend(move |(x, y)| {
                Rectangle::new([(x + 2, y - 5), (x + 12, y + 5)], color.filled())
            });
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft, path)?;
    let centre = Pos::new(HPos::Center, VPos::Top);
    for (j, (_, label)) in p.indicators.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(j as f64, lo));
        for (l, line) in two_lines(label).into_iter().enumerate() {
            root.draw(&Text::new(
                line,
                (x, y + 8 + 20 * l as i32),
                font(14).pos(centre),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}
