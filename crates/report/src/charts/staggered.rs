//! Charts of the staggered-adoption design (`effects/event_study.*`): the event study (effect by
//! school years since the start, the years before it as placebo estimates, with pointwise
//! intervals and the simultaneous band) and the effect per start cohort.

use std::path::Path;

use leerwinst_store::{Frame, opt, opt_str};
use plotters::prelude::*;

use super::{
    EffectGaps, EffectPoint, GREY, LIGHT, PALETTE, chart_err, draw_foot, fmt, font, foot_height,
    range_with_margin, record, subject_of, wrap_notes, write_csv,
};
use crate::ReportSummary;
use crate::text::Texts;

/// One drawn row: position key, label, point, band.
struct Row {
    key: i32,
    label: String,
    point: EffectPoint,
    band: Option<(f64, f64)>,
    n: i64,
}

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
                r.band.map(|b| fmt(b.0)).unwrap_or_default(),
                r.band.map(|b| fmt(b.1)).unwrap_or_default(),
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

/// The rows of one aggregation of the charted subject, their data file written: the rows, the
/// gaps (rows not drawn, for the footnotes) and the data file's path; None when nothing is there.
fn prepare(
    events: &Frame,
    aggregation: &str,
    dir: &Path,
    name: &str,
    t: &Texts,
) -> leerwinst_core::Result<Option<(Vec<Row>, EffectGaps, std::path::PathBuf)>> {
    let Some(subject) = subject_of(events) else {
        return Ok(None);
    };
    let rows = rows_of(events, aggregation, &subject);
    let csv = dir.join(format!("{name}.csv"));
    write_rows(t, &csv, aggregation, &rows)?;
    let mut gaps = EffectGaps::new();
    for r in &rows {
        gaps.add(&r.point, || r.label.clone());
    }
    Ok(Some((rows, gaps, csv)))
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
pub fn event_study(
    events: &Frame,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> leerwinst_core::Result<()> {
    let name = "event_study";
    let Some((rows, gaps, csv)) = prepare(events, "event_time", dir, name, t)? else {
        return Ok(());
    };
    let drawn: Vec<&Row> = rows.iter().filter(|r| r.point.est.is_some()).collect();
    let (ymin, ymax) = value_range(&drawn, true);
    let (kmin, kmax) = match (rows.first(), rows.last()) {
        (Some(a), Some(b)) => (a.key as f64 - 0.6, b.key as f64 + 0.6),
        _ => (-1.6, 1.6),
    };
    let mut notes = vec![t
        .t(
            "Punt met lijn: effect en 95%-interval per jaar. Grijze band: simultane 95%-band, die alle jaren tegelijk dekt. Links van de stippellijn: jaren vóór de start, waar het programma nog geen effect kan hebben; een duidelijk verschil daar (een pre-trend) maakt de vergelijking onbetrouwbaar.",
            "Point with line: effect and 95% interval per year. Grey band: simultaneous 95% band, covering all years at once. Left of the dotted line: years before the start, where the programme cannot have an effect yet; a clear difference there (a pre-trend) makes the comparison unreliable.",
        )
        .to_string()];
    notes.extend(gaps.notes(t, min_n));
    let foot = wrap_notes(&notes, 110);
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        let plot_height = 460;
        let root = SVGBackend::with_string(&mut svg, (900, plot_height + foot_height(foot.len())))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let (plot, foot_area) = root.split_vertically(plot_height);
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                t.t(
                    "Effect per schooljaar sinds de start",
                    "Effect by school years since the start",
                ),
                font(22),
            )
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(kmin..kmax, ymin..ymax)
            .map_err(|e| chart_err(&path, e))?;
        let n_ticks = rows.len().max(1);
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_x_mesh()
            .x_labels(n_ticks + 2)
            .x_label_formatter(&|v| {
                let r = v.round();
                if (v - r).abs() < 1e-9 {
                    format!("{}", r as i32)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| t.tick_for_span(*v, ymax - ymin))
            .x_desc(t.t(
                "Schooljaren sinds de start (0 = eerste programmajaar)",
                "School years since the start (0 = first programme year)",
            ))
            .y_desc(t.t("Effect op de groei (SD)", "Effect on growth (SD)"))
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        let err = |e| chart_err(&path, e);
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
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(kmin, 0.0), (kmax, 0.0)],
                GREY.stroke_width(1),
            )))
            .map_err(err)?;
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
        draw_foot(&foot_area, &foot, &path)?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &csv)
}

/// The effect per start cohort (mean over its programme years): are later starters catching up?
pub fn cohort_effects(
    events: &Frame,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> leerwinst_core::Result<()> {
    let name = "effect_by_cohort";
    let Some((rows, gaps, csv)) = prepare(events, "cohort", dir, name, t)? else {
        return Ok(());
    };
    let drawn: Vec<&Row> = rows.iter().filter(|r| r.point.est.is_some()).collect();
    let (xmin, xmax) = value_range(&drawn, false);
    let notes = gaps.notes(t, min_n);
    let foot = wrap_notes(&notes, 110);
    let path = dir.join(format!("{name}.svg"));
    let n = drawn.len().max(1);
    let mut svg = String::new();
    {
        let plot_height = 150 + 40 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (900, plot_height + foot_height(foot.len())))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let (plot, foot_area) = root.split_vertically(plot_height);
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                t.t("Effect per startjaar", "Effect by start year"),
                font(22),
            )
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(190)
            .build_cartesian_2d(xmin..xmax, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| chart_err(&path, e))?;
        let labels: Vec<String> = drawn
            .iter()
            .rev()
            .map(|r| format!("{} {}", t.t("start", "start"), r.label))
            .collect();
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| labels.get(v.round() as usize).cloned().unwrap_or_default())
            .x_desc(t.t(
                "Gemiddeld effect op de groei over de programmajaren (SD), 95%-BI",
                "Mean effect on growth over the programme years (SD), 95% CI",
            ))
            .x_label_formatter(&|v| t.tick_for_span(*v, xmax - xmin))
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        let err = |e| chart_err(&path, e);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                GREY.stroke_width(1),
            )))
            .map_err(err)?;
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
        draw_foot(&foot_area, &foot, &path)?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &csv)
}
