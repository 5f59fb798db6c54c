//! "Does it work for all pupils?" as a curve (`effects/moderation.*`): the programme effect as a
//! function of the SRL index or the baseline score, with its pointwise 95% interval as a band and
//! the Johnson-Neyman region (where the interval excludes 0) marked.

use std::path::Path;

use leerwinst_store::{Frame, opt};
use plotters::prelude::*;

use super::effects::subject_of;
use super::files::{ChartTarget, chart_err, four_decimals, write_csv};
use super::frame::{self, Area, Axes, Axis, range_with_margin, reference_line};
use super::style::PALETTE;
use crate::text::Texts;

/// One point of a curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// Moderator value.
    pub value: f64,
    /// Effect at the value.
    pub estimate: f64,
    /// Pointwise 95% interval.
    pub ci: Option<(f64, f64)>,
}

impl Point {
    /// Whether the interval excludes 0.
    pub fn excludes_zero(&self) -> bool {
        self.ci.is_some_and(|(l, h)| l > 0.0 || h < 0.0)
    }
}

/// A moderator's rows of one subject: the curve (by value), the slope and the boundaries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Curve {
    /// Curve points, by value.
    pub points: Vec<Point>,
    /// The slope (value unused).
    pub slope: Option<Point>,
    /// Johnson-Neyman boundaries, by value.
    pub boundaries: Vec<f64>,
}

impl Curve {
    /// The rows of `moderator` for the charted subject (`all` when present).
    pub fn of(f: &Frame, moderator: &str) -> Curve {
        let Some(subject) = subject_of(f) else {
            return Curve::default();
        };
        let (su, mo, kind) = (f.str("subject"), f.str("moderator"), f.str("kind"));
        let (value, est, lo, hi) = (
            f.f64("value"),
            f.f64("estimate"),
            f.f64("ci_low"),
            f.f64("ci_high"),
        );
        let mut c = Curve::default();
        for i in (0..f.len()).filter(|&i| su.value(i) == subject && mo.value(i) == moderator) {
            let p = Point {
                value: opt(value, i).unwrap_or(f64::NAN),
                estimate: est.value(i),
                ci: opt(lo, i).zip(opt(hi, i)),
            };
            match kind.value(i) {
                "curve" => c.points.push(p),
                "slope" => c.slope = Some(p),
                "boundary" => c.boundaries.push(p.value),
                _ => {}
            }
        }
        c.points.sort_by(|a, b| a.value.total_cmp(&b.value));
        c.boundaries.sort_by(f64::total_cmp);
        c
    }

    /// The value ranges where the interval excludes 0, each with the sign of the effect there:
    /// the curve points grouped, with a boundary as the edge where there is one.
    pub fn regions(&self) -> Vec<(f64, f64, f64)> {
        let mut out: Vec<(f64, f64, f64)> = Vec::new();
        let mut open: Option<(f64, f64)> = None;
        let edge = |a: f64, b: f64| {
            self.boundaries
                .iter()
                .copied()
                .find(|x| *x >= a.min(b) && *x <= a.max(b))
        };
        for (k, p) in self.points.iter().enumerate() {
            let prev = k.checked_sub(1).map(|j| self.points[j]);
            match (p.excludes_zero(), open) {
                (true, None) => {
                    let start = prev.and_then(|q| edge(q.value, p.value)).unwrap_or(p.value);
                    open = Some((start, p.estimate.signum()));
                }
                (false, Some((start, sign))) => {
                    let q = prev.map_or(p.value, |q| q.value);
                    out.push((start, edge(q, p.value).unwrap_or(q), sign));
                    open = None;
                }
                _ => {}
            }
        }
        if let (Some((start, sign)), Some(last)) = (open, self.points.last()) {
            out.push((start, last.value, sign));
        }
        out
    }
}

/// The x-axis label and file name of a moderator.
fn names(t: &Texts, moderator: &str) -> (&'static str, &'static str) {
    match moderator {
        "srl_index" => (
            "effect_by_srl_index",
            t.t(
                "Zelfregulatie-index (0 = gemiddelde leerling van het leerjaar)",
                "Self-regulation index (0 = the grade's average pupil)",
            ),
        ),
        _ => (
            "effect_by_baseline",
            t.t(
                "Beginniveau (z-score; 0 = gemiddeld)",
                "Starting level (z score; 0 = average)",
            ),
        ),
    }
}

/// The effect as a curve over `moderator` (`srl_index` or `baseline_z`); nothing when the run has
/// no such curve.
pub fn moderation_curve(
    f: &Frame,
    moderator: &str,
    out: &mut ChartTarget,
) -> leerwinst_core::Result<()> {
    let t = out.t;
    let c = Curve::of(f, moderator);
    if c.points.is_empty() {
        return Ok(());
    }
    let (name, x_desc) = names(t, moderator);
    let files = out.files(name);
    let cells: Vec<Vec<String>> = c
        .points
        .iter()
        .map(|p| {
            vec![
                four_decimals(p.value),
                four_decimals(p.estimate),
                p.ci.map(|c| four_decimals(c.0)).unwrap_or_default(),
                p.ci.map(|c| four_decimals(c.1)).unwrap_or_default(),
                p.excludes_zero().to_string(),
            ]
        })
        .collect();
    write_csv(
        t,
        &files.csv,
        &[
            moderator,
            "estimate",
            "ci_low",
            "ci_high",
            "interval_excludes_0",
        ],
        &cells,
    )?;
    let subject = subject_of(f).unwrap_or_default();
    let notes = vec![
        format!(
            "{}: {}.",
            t.t("Vak", "Subject"),
            t.subject(&subject)
        ),
        t.t(
            "Lijn: effect van het programma bij elke waarde; band: 95%-interval op dat punt. Gekleurde achtergrond: waar het interval 0 uitsluit (Johnson-Neyman-gebied). De lijn loopt van het 5e tot het 95e percentiel van de leerlingen.",
            "Line: programme effect at each value; band: 95% interval at that point. Coloured background: where the interval excludes 0 (Johnson-Neyman region). The line runs from the pupils' 5th to their 95th percentile.",
        )
        .to_string(),
    ];
    let foot = frame::foot_lines(&notes);
    let caption = match moderator {
        "srl_index" => t.t(
            "Effect naar zelfregulatie, als doorlopende lijn",
            "Effect by self-regulation, as a continuous line",
        ),
        _ => t.t(
            "Effect naar beginniveau, als doorlopende lijn",
            "Effect by starting level, as a continuous line",
        ),
    };
    let svg = frame::svg_with_foot(&files.svg, 440, &foot, |plot| {
        draw(plot, &c, caption, x_desc, t, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// Draws the curve: the Johnson-Neyman regions, the interval as a band, the line of no effect,
/// the boundaries dashed, and the effect as a line.
fn draw(
    plot: &Area<'_>,
    c: &Curve,
    caption: &str,
    x_desc: &str,
    t: &Texts,
    path: &Path,
) -> leerwinst_core::Result<()> {
    let err = |e| chart_err(path, e);
    let (xmin, xmax) = (c.points[0].value, c.points[c.points.len() - 1].value);
    let (lo, hi) = c.points.iter().fold((0.0f64, 0.0f64), |(a, b), p| {
        let (l, h) = p.ci.unwrap_or((p.estimate, p.estimate));
        (a.min(l), b.max(h))
    });
    let (ymin, ymax) = range_with_margin(lo, hi);
    let x = Axis::new(xmin..xmax, 50)
        .tick_label(|v| t.tick_for_span(*v, xmax - xmin))
        .title(x_desc);
    let y = Axis::new(ymin..ymax, 70)
        .tick_label(|v| t.tick_for_span(*v, ymax - ymin))
        .title(t.t("Effect (SD)", "Effect (SD)"));
    let mut chart = Axes::new(caption, x, y).draw(plot, path)?;
    for (a, b, _) in c.regions() {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, ymin), (b, ymax)],
                PALETTE[2].mix(0.12).filled(),
            )))
            .map_err(err)?;
    }
    let band: Vec<(f64, f64)> = c
        .points
        .iter()
        .filter_map(|p| p.ci.map(|ci| (p.value, ci.1)))
        .chain(
            c.points
                .iter()
                .rev()
                .filter_map(|p| p.ci.map(|ci| (p.value, ci.0))),
        )
        .collect();
    if !band.is_empty() {
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                PALETTE[0].mix(0.2).filled(),
            )))
            .map_err(err)?;
    }
    reference_line(&mut chart, (xmin, 0.0), (xmax, 0.0), path)?;
    for &b in &c.boundaries {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(b, ymin), (b, ymax)],
                6,
                4,
                PALETTE[2].stroke_width(2),
            ))
            .map_err(err)?;
    }
    chart
        .draw_series(LineSeries::new(
            c.points.iter().map(|p| (p.value, p.estimate)),
            PALETTE[0].stroke_width(3),
        ))
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(value: f64, estimate: f64, lo: f64, hi: f64) -> Point {
        Point {
            value,
            estimate,
            ci: Some((lo, hi)),
        }
    }

    #[test]
    fn regions_run_from_boundary_to_boundary_or_the_end() {
        let c = Curve {
            points: vec![
                p(-1.0, -0.3, -0.5, -0.1),
                p(0.0, 0.0, -0.2, 0.2),
                p(1.0, 0.2, -0.05, 0.45),
                p(2.0, 0.4, 0.1, 0.7),
                p(3.0, 0.6, 0.2, 1.0),
            ],
            slope: None,
            boundaries: vec![-0.6, 1.4],
        };
        assert_eq!(c.regions(), vec![(-1.0, -0.6, -1.0), (1.4, 3.0, 1.0)]);
        let none = Curve {
            points: vec![p(0.0, 0.1, -0.1, 0.3)],
            ..Curve::default()
        };
        assert!(none.regions().is_empty());
    }
}
