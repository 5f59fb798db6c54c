//! Charts of the staggered-adoption design (`effects/event_study.*`): the event study (effect by
//! school years since the start, the years before it as placebo estimates, with pointwise
//! intervals and the simultaneous band) and the effect per start cohort.

use std::path::Path;

use leerwinst_store::{Frame, opt, opt_str};
use plotters::prelude::*;

use super::effects::{EffectGaps, EffectPoint, subject_of};
use super::files::{ChartFiles, ChartTarget, chart_err, four_decimals, write_csv};
use super::frame::{self, Area, Axes, Axis, range_with_margin, reference_line};
use super::style::{GREY, PALETTE};
use crate::text::Texts;

/// One drawn row: position key, label, point, band.
struct Row {
    key: i32,
    label: String,
    point: EffectPoint,
    band: Option<(f64, f64)>,
    n: i64,
}

/// The rows of `aggregation` (`event_time` or `cohort`) of `subject`, by position key.
fn rows_of(events: &Frame, aggregation: &str, subject: &str) -> Vec<Row> {
    let (ag, su, et, co) = (
        events.str("aggregation"),
        events.str("subject"),
        events.i32("event_time"),
        events.str("cohort"),
    );
    let (bl, bh, n) = (
        events.f64("band_low"),
        events.f64("band_high"),
        events.i64("n_programme"),
    );
    let mut rows: Vec<Row> = (0..events.len())
        .filter(|&i| ag.value(i) == aggregation && su.value(i) == subject)
        .map(|i| {
            let cohort = opt_str(co, i).unwrap_or_default().to_string();
            let key = match aggregation {
                "event_time" => opt(et, i).unwrap_or(0),
                _ => cohort.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0),
            };
            let label = if aggregation == "event_time" {
                key.to_string()
            } else {
                cohort
            };
            let point = EffectPoint::of(events, i);
            let band = match (point.est, opt(bl, i), opt(bh, i)) {
                (Some(_), Some(l), Some(h)) if l.is_finite() && h.is_finite() => Some((l, h)),
                _ => None,
            };
            Row {
                key,
                label,
                point,
                band,
                n: n.value(i),
            }
        })
        .collect();
    rows.sort_by_key(|r| r.key);
    rows
}

/// The data file of a chart: label, programme observations, estimate, interval, band, note.
fn write_rows(t: &Texts, path: &Path, first: &str, rows: &[Row]) -> leerwinst_core::Result<()> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let [est, lo, hi, note] = r.point.cells();
            vec![
                r.label.clone(),
                r.n.to_string(),
                est,
                lo,
                hi,
                r.band.map(|b| four_decimals(b.0)).unwrap_or_default(),
                r.band.map(|b| four_decimals(b.1)).unwrap_or_default(),
                note,
            ]
        })
        .collect();
    write_csv(
        t,
        path,
        &[
            first,
            "programme_pupils",
            "estimate",
            "ci_low",
            "ci_high",
            "band_low",
            "band_high",
            "note",
        ],
        &cells,
    )
}

/// The rows of one aggregation of the charted subject, their data file (`files.csv`) written:
/// the rows and the gaps (rows not drawn, for the footnotes); None when nothing is there.
fn prepare(
    events: &Frame,
    aggregation: &str,
    files: &ChartFiles,
    t: &Texts,
) -> leerwinst_core::Result<Option<(Vec<Row>, EffectGaps)>> {
    let Some(subject) = subject_of(events) else {
        return Ok(None);
    };
    let rows = rows_of(events, aggregation, &subject);
    write_rows(t, &files.csv, aggregation, &rows)?;
    let mut gaps = EffectGaps::new();
    for r in &rows {
        gaps.add(&r.point, || r.label.clone());
    }
    Ok(Some((rows, gaps)))
}

/// The y (or x) range the drawn rows need: estimate, interval and, where `band`, the band.
fn value_range(drawn: &[&Row], band: bool) -> (f64, f64) {
    let (lo, hi) = drawn.iter().fold((0.0f64, 0.0f64), |(a, b), r| {
        let e = r.point.est.unwrap_or(0.0);
        let span = if band {
            r.band.or(r.point.ci)
        } else {
            r.point.ci
        };
        let (l, h) = span.unwrap_or((e, e));
        (a.min(l), b.max(h))
    });
    range_with_margin(lo, hi)
}

/// The event study: effect by school years since the start, pre-periods included.
pub fn event_study(events: &Frame, out: &mut ChartTarget) -> leerwinst_core::Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let files = out.files("event_study");
    let Some((rows, gaps)) = prepare(events, "event_time", &files, t)? else {
        return Ok(());
    };
    let mut notes = vec![t
        .t(
            "Punt met lijn: effect en 95%-interval per jaar. Grijze band: simultane 95%-band, die alle jaren tegelijk dekt. Links van de stippellijn: jaren vóór de start, waar het programma nog geen effect kan hebben; een duidelijk verschil daar (een pre-trend) maakt de vergelijking onbetrouwbaar.",
            "Point with line: effect and 95% interval per year. Grey band: simultaneous 95% band, covering all years at once. Left of the dotted line: years before the start, where the programme cannot have an effect yet; a clear difference there (a pre-trend) makes the comparison unreliable.",
        )
        .to_string()];
    notes.extend(gaps.notes(t, min_n));
    let foot = frame::foot_lines(&notes);
    let svg = frame::svg_with_foot(&files.svg, 460, &foot, |plot| {
        draw_event_study(plot, &rows, t, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// Draws the event study: per year since the start, the band, then the estimate with its
/// interval (the years before the start in grey), left of a dotted line at the start.
fn draw_event_study(
    plot: &Area<'_>,
    rows: &[Row],
    t: &Texts,
    path: &Path,
) -> leerwinst_core::Result<()> {
    let err = |e| chart_err(path, e);
    let drawn: Vec<&Row> = rows.iter().filter(|r| r.point.est.is_some()).collect();
    let (ymin, ymax) = value_range(&drawn, true);
    let (kmin, kmax) = match (rows.first(), rows.last()) {
        (Some(a), Some(b)) => (a.key as f64 - 0.6, b.key as f64 + 0.6),
        _ => (-1.6, 1.6),
    };
    let x = Axis::new(kmin..kmax, 50)
        .no_grid()
        .ticks(rows.len().max(1) + 2)
        .tick_label(|v| {
            let r = v.round();
            if (v - r).abs() < 1e-9 {
                format!("{}", r as i32)
            } else {
                String::new()
            }
        })
        .title(t.t(
            "Schooljaren sinds de start (0 = eerste programmajaar)",
            "School years since the start (0 = first programme year)",
        ));
    let y = Axis::new(ymin..ymax, 70)
        .tick_label(|v| t.tick_for_span(*v, ymax - ymin))
        .title(t.t("Effect op de groei (SD)", "Effect on growth (SD)"));
    let caption = t.t(
        "Effect per schooljaar sinds de start",
        "Effect by school years since the start",
    );
    let mut chart = Axes::new(caption, x, y).draw(plot, path)?;
    for r in &drawn {
        if let Some((l, h)) = r.band {
            let x = r.key as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, l), (x + 0.3, h)],
                    GREY.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
    }
    reference_line(&mut chart, (kmin, 0.0), (kmax, 0.0), path)?;
    chart
        .draw_series(DashedLineSeries::new(
            vec![(-0.5, ymin), (-0.5, ymax)],
            6,
            4,
            GREY.stroke_width(1),
        ))
        .map_err(err)?;
    for r in &drawn {
        let (x, e) = (r.key as f64, r.point.est.unwrap_or(0.0));
        let color = if r.key < 0 { GREY } else { PALETTE[0] };
        if let Some((l, h)) = r.point.ci {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, l), (x, h)],
                    color.stroke_width(2),
                )))
                .map_err(err)?;
        }
        let style = if r.point.ci.is_some() {
            color.filled()
        } else {
            color.stroke_width(2)
        };
        chart
            .draw_series(std::iter::once(Circle::new((x, e), 6, style)))
            .map_err(err)?;
    }
    Ok(())
}

/// The effect per start cohort (mean over its programme years): are later starters catching up?
pub fn cohort_effects(events: &Frame, out: &mut ChartTarget) -> leerwinst_core::Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let files = out.files("effect_by_cohort");
    let Some((rows, gaps)) = prepare(events, "cohort", &files, t)? else {
        return Ok(());
    };
    let drawn: Vec<&Row> = rows.iter().filter(|r| r.point.est.is_some()).collect();
    let foot = frame::foot_lines(&gaps.notes(t, min_n));
    let plot_height = 150 + 40 * drawn.len().max(1) as u32;
    let svg = frame::svg_with_foot(&files.svg, plot_height, &foot, |plot| {
        draw_cohorts(plot, &drawn, t, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// Draws a line per start cohort, the first at the top, around the line of no effect.
fn draw_cohorts(
    plot: &Area<'_>,
    drawn: &[&Row],
    t: &Texts,
    path: &Path,
) -> leerwinst_core::Result<()> {
    let err = |e| chart_err(path, e);
    let (xmin, xmax) = value_range(drawn, false);
    let n = drawn.len().max(1);
    let labels: Vec<String> = drawn
        .iter()
        .rev()
        .map(|r| format!("{} {}", t.t("start", "start"), r.label))
        .collect();
    let x = Axis::new(xmin..xmax, 50)
        .title(t.t(
            "Gemiddeld effect op de groei over de programmajaren (SD), 95%-BI",
            "Mean effect on growth over the programme years (SD), 95% CI",
        ))
        .tick_label(|v| t.tick_for_span(*v, xmax - xmin));
    let y = Axis::new(-0.5f64..(n as f64 - 0.5), 190)
        .no_grid()
        .ticks(n)
        .tick_label(|v| labels.get(v.round() as usize).cloned().unwrap_or_default());
    let caption = t.t("Effect per startjaar", "Effect by start year");
    let mut chart = Axes::new(caption, x, y).draw(plot, path)?;
    reference_line(&mut chart, (0.0, -0.5), (0.0, n as f64 - 0.5), path)?;
    for (i, r) in drawn.iter().rev().enumerate() {
        let (y, e) = (i as f64, r.point.est.unwrap_or(0.0));
        if let Some((l, h)) = r.point.ci {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(l, y), (h, y)],
                    PALETTE[0].stroke_width(2),
                )))
                .map_err(err)?;
        }
        let style = if r.point.ci.is_some() {
            PALETTE[0].filled()
        } else {
            PALETTE[0].stroke_width(2)
        };
        chart
            .draw_series(std::iter::once(Circle::new((e, y), 6, style)))
            .map_err(err)?;
    }
    Ok(())
}
