//! The effect per subgroup level (self-regulation tercile or baseline quintile), per subject:
//! "does it work for all pupils?"

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_store::Frame;
use plotters::prelude::*;

use super::{EffectGaps, EffectPoint, Split};
use crate::charts::files::{ChartTarget, chart_err, write_csv};
use crate::charts::frame::{self, Area, Axes, Axis, legend, range_with_margin, reference_line};
use crate::charts::style::PALETTE;
use crate::text::Texts;

/// One drawn point: the level (1 is the lowest), the estimate and its interval.
struct LevelPoint {
    level: i32,
    est: f64,
    ci: Option<(f64, f64)>,
}

/// Effect of the programme per subgroup level (self-regulation tercile or baseline quintile),
/// per subject, of design `design`: estimate and 95% CI. A row without an interval is drawn as
/// an open circle without whiskers, a row without an estimate is listed under the chart; both
/// keep their row in the CSV with the effects table's note.
pub fn effect_by_subgroup(
    effects: &Frame,
    design: &str,
    split: Split,
    out: &mut ChartTarget,
) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let files = out.files(split.chart_name());
    let (by_subject, gaps, csv_rows) = points(effects, design, split, t, min_n);
    write_csv(
        t,
        &files.csv,
        &[
            "subject",
            split.subgroup(),
            "estimate",
            "ci_low",
            "ci_high",
            "n_treated",
            "n_comparison",
            "note",
        ],
        &csv_rows,
    )?;
    let foot = frame::foot_lines(&gaps.notes(t, min_n));
    let svg = frame::svg_with_foot(&files.svg, 560, &foot, |plot| {
        draw(plot, &by_subject, split, t, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// The drawn points per subject, the gaps and the data file's rows of `split` of `design`.
fn points(
    effects: &Frame,
    design: &str,
    split: Split,
    t: &Texts,
    min_n: usize,
) -> (
    BTreeMap<String, Vec<LevelPoint>>,
    EffectGaps,
    Vec<Vec<String>>,
) {
    let (de, sg, lv, su, n1, n0) = (
        effects.str("design"),
        effects.str("subgroup"),
        effects.str("level"),
        effects.str("subject"),
        effects.i64("n_treated"),
        effects.i64("n_comparison"),
    );
    let count = |n: i64| {
        if n < min_n as i64 {
            format!("< {min_n}")
        } else {
            n.to_string()
        }
    };
    let mut by_subject: BTreeMap<String, Vec<LevelPoint>> = BTreeMap::new();
    let mut gaps = EffectGaps::new();
    let mut csv_rows = Vec::new();
    for i in 0..effects.len() {
        if de.value(i) != design || sg.value(i) != split.subgroup() {
            continue;
        }
        let Ok(level) = lv.value(i).parse::<i32>() else {
            continue;
        };
        let p = EffectPoint::of(effects, i);
        let subject = su.value(i);
        let mut row = vec![subject.to_string(), level.to_string()];
        let [e, l, h, note] = p.cells();
        row.extend([e, l, h, count(n1.value(i)), count(n0.value(i)), note]);
        csv_rows.push(row);
        if gaps.add(&p, || {
            format!("{} {}", t.subject(subject), split.label(t, level))
        }) && let Some(est) = p.est
        {
            by_subject
                .entry(subject.to_string())
                .or_default()
                .push(LevelPoint {
                    level,
                    est,
                    ci: p.ci,
                });
        }
    }
    (by_subject, gaps, csv_rows)
}

/// Draws the points of each subject side by side per level, "all" last and in black.
fn draw(
    plot: &Area<'_>,
    by_subject: &BTreeMap<String, Vec<LevelPoint>>,
    split: Split,
    t: &Texts,
    path: &Path,
) -> Result<()> {
    let err = |e| chart_err(path, e);
    let mut subjects: Vec<&String> = by_subject.keys().filter(|s| *s != "all").collect();
    if let Some((all, _)) = by_subject.get_key_value("all") {
        subjects.push(all);
    }
    let (ymin, ymax) = by_subject
        .values()
        .flatten()
        .fold((0.0f64, 0.0f64), |(a, b), p| {
            let (l, h) = p.ci.unwrap_or((p.est, p.est));
            (a.min(l), b.max(h))
        });
    let (ymin, ymax) = range_with_margin(ymin, ymax);
    let levels = split.levels();
    let top = levels as f64 - 0.5;
    let (caption, x_title) = match split {
        Split::SrlTercile => (
            t.t(
                "Effect van het programma naar zelfregulatie",
                "Programme effect by self-regulation",
            ),
            t.t(
                "Zelfregulatie-tertiel (gemeten in het jaar vóór het programma)",
                "Self-regulation tercile (measured the year before the programme)",
            ),
        ),
        Split::BaselineQuintile => (
            t.t(
                "Effect van het programma naar beginniveau",
                "Programme effect by starting level",
            ),
            t.t(
                "Kwintiel van de beginscore binnen jaargroep en vak",
                "Quintile of the starting score within grade and subject",
            ),
        ),
    };
    let x = Axis::new(-0.5..top, 58)
        .no_grid()
        .ticks(levels as usize)
        .tick_label(|x| split.label(t, x.round() as i32 + 1))
        .title(x_title);
    let y = Axis::new(ymin..ymax, 70)
        .title(t.t(
            "Effect op de eindscore (SD), 95%-BI",
            "Effect on the end score (SD), 95% CI",
        ))
        .tick_label(|v| t.tick(*v));
    let mut chart = Axes::new(caption, x, y).draw(plot, path)?;
    reference_line(&mut chart, (-0.5, 0.0), (top, 0.0), path)?;
    let k = subjects.len().max(1) as f64;
    for (si, s) in subjects.iter().enumerate() {
        let color = if *s == "all" {
            BLACK
        } else {
            PALETTE[si % PALETTE.len()]
        };
        let dx = (si as f64 - (k - 1.0) / 2.0) * 0.12;
        let points = &by_subject[*s];
        let x_of = |p: &LevelPoint| (p.level - 1) as f64 + dx;
        chart
            .draw_series(points.iter().filter_map(|p| {
                let (l, h) = p.ci?;
                Some(PathElement::new(
                    vec![(x_of(p), l), (x_of(p), h)],
                    color.stroke_width(2),
                ))
            }))
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|p| {
                let style = if p.ci.is_some() {
                    color.filled()
                } else {
                    color.stroke_width(2)
                };
                Circle::new((x_of(p), p.est), 5, style)
            }))
            .map_err(err)?
            .label(t.subject(s))
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, color.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft, path)
}
