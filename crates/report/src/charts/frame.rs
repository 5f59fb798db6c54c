//! The frame every chart is drawn in, so that the charts look alike and each builder draws only
//! its data: the white canvas (with a strip for footnotes under the plot, [`svg_with_foot`]),
//! the caption and the two number axes in the house style ([`Axes`]), grey reference lines, the
//! legend (inside the plot, or as a strip under it), the footnotes, and the groups left out for
//! being small ([`SmallGroups`]).

use std::ops::Range;
use std::path::Path;

use leerwinst_core::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::files::chart_err;
use super::style::{GREY, LIGHT, PALETTE, font};
use crate::ReportSummary;
use crate::text::Texts;

/// A drawing area of a chart's SVG (the whole canvas, or a part of it).
pub(crate) type Area<'s> = DrawingArea<SVGBackend<'s>, Shift>;

/// A chart's plot: the area inside its two number axes.
pub(crate) type Chart<'a, 's> =
    ChartContext<'a, SVGBackend<'s>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Width in pixels of the charts (all but the heat map, which is as wide as its columns).
pub(crate) const WIDTH: u32 = 900;

/// Draws a chart of `size` pixels as SVG text: `draw` draws on the white canvas. `path` is the
/// SVG file the errors name.
pub(crate) fn svg(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Result<()>,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(path, e))?;
        draw(&root)?;
        root.present().map_err(|e| chart_err(path, e))?;
    }
    Ok(svg)
}

/// Draws a chart [`WIDTH`] wide with a plot `plot_height` high and, in a strip under it, the
/// footnote lines `foot` (from [`foot_lines`]): `draw` draws on the plot's area.
pub(crate) fn svg_with_foot(
    path: &Path,
    plot_height: u32,
    foot: &[String],
    draw: impl FnOnce(&Area<'_>) -> Result<()>,
) -> Result<String> {
    svg(
        path,
        (WIDTH, plot_height + foot_height(foot.len())),
        |root| {
            let (plot, foot_area) = root.split_vertically(plot_height);
            draw(&plot)?;
            draw_foot(&foot_area, foot, path)
        },
    )
}

/// The caption and the two number axes of a chart in the house style: 18-pixel margins, the
/// caption at size 22, tick labels at 14, axis titles at 15 and light grid lines.
pub(crate) struct Axes<'f> {
    caption: String,
    x: Axis<'f>,
    y: Axis<'f>,
    margin_bottom: Option<u32>,
    margin_right: Option<u32>,
}

/// One axis of [`Axes`]: its range and the width of its label area; optionally a title, the
/// number of ticks, how a tick is labelled, and no grid lines across it.
pub(crate) struct Axis<'f> {
    range: Range<f64>,
    label_area: u32,
    title: Option<String>,
    grid: bool,
    ticks: Option<usize>,
    tick_label: Option<TickLabel<'f>>,
}

/// How an axis labels a tick, from its value.
type TickLabel<'f> = Box<dyn Fn(&f64) -> String + 'f>;

impl<'f> Axis<'f> {
    /// An axis over `range` with `label_area` pixels for its tick labels and title.
    pub fn new(range: Range<f64>, label_area: u32) -> Self {
        Axis {
            range,
            label_area,
            title: None,
            grid: true,
            ticks: None,
            tick_label: None,
        }
    }

    /// The axis title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// No grid lines at this axis's ticks.
    pub fn no_grid(mut self) -> Self {
        self.grid = false;
        self
    }

    /// About `n` ticks.
    pub fn ticks(mut self, n: usize) -> Self {
        self.ticks = Some(n);
        self
    }

    /// Tick labels made by `label` from the tick's value.
    pub fn tick_label(mut self, label: impl Fn(&f64) -> String + 'f) -> Self {
        self.tick_label = Some(Box::new(label));
        self
    }
}

impl<'f> Axes<'f> {
    /// A chart captioned `caption` with the axes `x` and `y`.
    pub fn new(caption: impl Into<String>, x: Axis<'f>, y: Axis<'f>) -> Self {
        Axes {
            caption: caption.into(),
            x,
            y,
            margin_bottom: None,
            margin_right: None,
        }
    }

    /// A bottom margin of `px` pixels instead of 18 (room for a note under the axis).
    pub fn margin_bottom(mut self, px: u32) -> Self {
        self.margin_bottom = Some(px);
        self
    }

    /// A right margin of `px` pixels instead of 18 (room for the last tick label).
    pub fn margin_right(mut self, px: u32) -> Self {
        self.margin_right = Some(px);
        self
    }

    /// Draws the caption, axes and grid on `area` and returns the plot to draw the data in.
    pub fn draw<'a, 's>(&self, area: &'a Area<'s>, path: &Path) -> Result<Chart<'a, 's>> {
        let mut builder = ChartBuilder::on(area);
        builder
            .caption(&self.caption, font(22))
            .margin(18)
            .x_label_area_size(self.x.label_area)
            .y_label_area_size(self.y.label_area);
        if let Some(px) = self.margin_bottom {
            builder.margin_bottom(px);
        }
        if let Some(px) = self.margin_right {
            builder.margin_right(px);
        }
        let mut chart = builder
            .build_cartesian_2d(self.x.range.clone(), self.y.range.clone())
            .map_err(|e| chart_err(path, e))?;
        let mut mesh = chart.configure_mesh();
        mesh.label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT);
        let (x, y) = (&self.x, &self.y);
        if !x.grid {
            mesh.disable_x_mesh();
        }
        if !y.grid {
            mesh.disable_y_mesh();
        }
        if let Some(n) = x.ticks {
            mesh.x_labels(n);
        }
        if let Some(n) = y.ticks {
            mesh.y_labels(n);
        }
        if let Some(label) = &x.tick_label {
            mesh.x_label_formatter(label.as_ref());
        }
        if let Some(label) = &y.tick_label {
            mesh.y_label_formatter(label.as_ref());
        }
        if let Some(title) = &x.title {
            mesh.x_desc(title.as_str());
        }
        if let Some(title) = &y.title {
            mesh.y_desc(title.as_str());
        }
        mesh.draw().map_err(|e| chart_err(path, e))?;
        Ok(chart)
    }
}

/// The axis range that shows `lo..hi` and 0 with a margin of 8% (at least 0.02) each side: the
/// range of an effect axis, where 0 is no effect.
pub(crate) fn range_with_margin(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let pad = ((hi - lo) * 0.08).max(0.02);
    (lo - pad, hi + pad)
}

/// Draws a thin grey reference line (no effect, the middle percentile) from `from` to `to`.
pub(crate) fn reference_line(
    chart: &mut Chart<'_, '_>,
    from: (f64, f64),
    to: (f64, f64),
    path: &Path,
) -> Result<()> {
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![from, to],
            GREY.stroke_width(1),
        )))
        .map_err(|e| chart_err(path, e))?;
    Ok(())
}

/// Draws the legend of the labelled series at `position` inside the plot.
pub(crate) fn legend<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    position: SeriesLabelPosition,
    path: &Path,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font(font(14))
        .draw()
        .map_err(|e| chart_err(path, e))
}

/// A legend entry's mark.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    /// A filled box in a colour with an opacity.
    Box(RGBColor, f64),
}

/// Draws a legend as one row of entries at pixel `(x, y)` of the whole chart, outside the
/// plotting area, so it never hides data.
pub(crate) fn legend_strip(
    root: &Area<'_>,
    items: &[(Mark, &str)],
    (x, y): (i32, i32),
    path: &Path,
) -> Result<()> {
    let mut x = x;
    for (mark, label) in items {
        match *mark {
            Mark::Box(c, a) => root
                .draw(&Rectangle::new(
                    [(x, y - 7), (x + 18, y + 7)],
                    c.mix(a).filled(),
                ))
                .map_err(|e| chart_err(path, e))?,
        }
        root.draw(&Text::new(label.to_string(), (x + 26, y - 8), font(14)))
            .map_err(|e| chart_err(path, e))?;
        x += 26 + 8 * label.chars().count() as i32 + 30;
    }
    Ok(())
}

/// The colour of an arm: orange for programme schools, blue for comparison schools.
pub(crate) fn arm_colour(programme: bool) -> RGBColor {
    if programme { PALETTE[1] } else { PALETTE[0] }
}

/// The name of an arm's schools in a legend: "programme school", "comparison school".
pub(crate) fn arm_label(t: &Texts, programme: bool) -> &'static str {
    if programme {
        t.t("programmaschool", "programme school")
    } else {
        t.t("vergelijkingsschool", "comparison school")
    }
}

/// The legend entries of the two arms, in their colours: programme schools, comparison schools.
pub(crate) fn arm_marks(t: &Texts) -> [(Mark, &'static str); 2] {
    [true, false].map(|arm| (Mark::Box(arm_colour(arm), 1.0), arm_label(t, arm)))
}

/// Footnotes broken into the lines of the strip under a chart ([`svg_with_foot`]).
pub(crate) fn foot_lines(notes: &[String]) -> Vec<String> {
    wrap_notes(notes, 110)
}

/// Breaks footnotes into lines of at most `width` characters, at spaces.
fn wrap_notes(notes: &[String], width: usize) -> Vec<String> {
    let mut lines = vec![];
    for n in notes {
        let mut line = String::new();
        for w in n.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// Height of the footnote strip under a chart for `lines` lines.
fn foot_height(lines: usize) -> u32 {
    if lines == 0 {
        0
    } else {
        10 + 18 * lines as u32
    }
}

/// Draws footnote lines in grey into the strip under a chart.
fn draw_foot(area: &Area<'_>, lines: &[String], path: &Path) -> Result<()> {
    for (i, l) in lines.iter().enumerate() {
        area.draw(&Text::new(
            l.clone(),
            (20, 2 + 18 * i as i32),
            font(13).color(&GREY),
        ))
        .map_err(|e| chart_err(path, e))?;
    }
    Ok(())
}

/// Draws one grey line of text at nominal size `size`, `from_bottom` pixels above the bottom
/// edge of the canvas `root`: the note at the foot of a chart without a footnote strip.
pub(crate) fn foot_line(
    root: &Area<'_>,
    text: String,
    size: u32,
    from_bottom: i32,
    path: &Path,
) -> Result<()> {
    let (_, height) = root.dim_in_pixel();
    root.draw(&Text::new(
        text,
        (20, height as i32 - from_bottom),
        font(size).color(&GREY),
    ))
    .map_err(|e| chart_err(path, e))
}

/// The groups a chart leaves out (small-group suppression): each is recorded in the run's
/// summary and keeps its row in the chart's data file, marked ("< 10") without figures; the
/// chart counts them in a note ([`SmallGroups::note`]).
pub(crate) struct SmallGroups<'c> {
    chart: &'c str,
    min_n: usize,
    count: usize,
}

impl<'c> SmallGroups<'c> {
    /// None left out yet of chart `chart`, whose minimum group size is `min_n`.
    pub fn new(chart: &'c str, min_n: usize) -> Self {
        SmallGroups {
            chart,
            min_n,
            count: 0,
        }
    }

    /// Whether a group of `pupils` is too small to show.
    pub fn too_small(&self, pupils: usize) -> bool {
        pupils < self.min_n
    }

    /// Leaves out `group` (as the summary names it: "school 12AB") for having fewer than the
    /// minimum pupils; returns its data-file row: `cells`, then "< N", then empty cells up to
    /// `width` cells.
    pub fn leave_out(
        &mut self,
        summary: &mut ReportSummary,
        group: &str,
        cells: Vec<String>,
        width: usize,
    ) -> Vec<String> {
        let (why, mark) = (
            format!("{group} (n < {})", self.min_n),
            format!("< {}", self.min_n),
        );
        self.hide(summary, why, cells, mark, width)
    }

    /// Leaves out a group for the reason `why` (the summary's words after the chart's name);
    /// returns its data-file row: `cells`, then `mark`, then empty cells up to `width` cells.
    pub fn hide(
        &mut self,
        summary: &mut ReportSummary,
        why: String,
        cells: Vec<String>,
        mark: String,
        width: usize,
    ) -> Vec<String> {
        self.count += 1;
        summary.suppressed.push(format!("{}: {why}", self.chart));
        let mut row = cells;
        row.push(mark);
        row.resize(width, String::new());
        row
    }

    /// "Not shown: 3 school(s) (n < 10)" when any group was left out; `what` names the groups
    /// ("school(s)") and may be empty.
    pub fn note(&self, t: &Texts, what: &str) -> Option<String> {
        self.note_as(t.t("Niet getoond:", "Not shown:"), what)
    }

    /// As [`SmallGroups::note`], starting with `lead` ("Not shown (cells):") instead.
    pub fn note_as(&self, lead: &str, what: &str) -> Option<String> {
        let (count, min_n) = (self.count, self.min_n);
        (count > 0).then(|| match what {
            "" => format!("{lead} {count} (n < {min_n})"),
            _ => format!("{lead} {count} {what} (n < {min_n})"),
        })
    }
}
