//! The chart builders. Each writes `<name>.svg`, `.png` and `.pdf`, and `<name>.csv` (the data
//! drawn).

pub mod growth;
pub mod srl;

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::{Error, Result};
use leerwinst_stats::describe::mean_sd;
use leerwinst_store::{Frame, opt, opt_str};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::fonts::FONT_FAMILY;
use crate::text::Texts;
use crate::{ReportSummary, render};

/// Okabe-Ito palette (colour-blind safe).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
];
pub(crate) const GREY: RGBColor = RGBColor(110, 110, 110);
pub(crate) const LIGHT: RGBColor = RGBColor(235, 235, 235);

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws the series legend in the house style.
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
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
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

/// Axis label of a percentile (0-100): whole numbers.
pub(crate) fn pct_tick(v: &f64) -> String {
    format!("{v:.0}")
}

/// Writes a chart's SVG and, from it, its PNG (2x, 192 dpi) and PDF beside it, and records the
/// chart and its data file in the summary.
pub(crate) fn record(
    summary: &mut ReportSummary,
    t: &Texts,
    path: &Path,
    svg: &str,
    csv: &Path,
) -> Result<()> {
    leerwinst_store::write_atomic(path, svg.as_bytes())?;
    let png = path.with_extension("png");
    let pdf = path.with_extension("pdf");
    let bytes = render::svg_to_png(svg, 2.0).map_err(|e| chart_err(&png, e))?;
    leerwinst_store::write_atomic(&png, &bytes)?;
    let title = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = render::svgs_to_pdf(&[svg], &title, t.code()).map_err(|e| chart_err(&pdf, e))?;
    leerwinst_store::write_atomic(&pdf, &bytes)?;
    summary.charts.push(path.display().to_string());
    summary.outputs.extend(
        [path, png.as_path(), pdf.as_path(), csv]
            .iter()
            .map(|p| p.display().to_string()),
    );
    Ok(())
}

pub(crate) fn chart_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Storage {
        path: path.to_path_buf(),
        message: format!("drawing failed: {e}"),
    }
}

pub(crate) fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| chart_err(path, e);
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(r).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| chart_err(path, e))?;
    leerwinst_store::write_atomic(path, &bytes)
}

fn fmt(v: f64) -> String {
    format!("{v:.4}")
}

pub(crate) fn font(size: u32) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&BLACK)
}

/// Axis label of a value: one decimal, and never "-0.0".
fn tick(v: &f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

fn range_with_margin(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let pad = ((hi - lo) * 0.08).max(0.02);
    (lo - pad, hi + pad)
}

/// The subgroups the effect charts split by: "does it work for all pupils?"
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Self-regulation tercile (1-3).
    SrlTercile,
    /// Baseline-score quintile (1-5).
    BaselineQuintile,
}

impl Split {
    /// The effects table's `subgroup` value.
    fn subgroup(self) -> &'static str {
        match self {
            Split::SrlTercile => "srl_tercile",
            Split::BaselineQuintile => "baseline_quintile",
        }
    }

    fn levels(self) -> i32 {
        match self {
            Split::SrlTercile => 3,
            Split::BaselineQuintile => 5,
        }
    }

    fn label(self, t: &Texts, level: i32) -> String {
        match self {
            Split::SrlTercile => t.tercile(level).to_string(),
            Split::BaselineQuintile => match level {
                1 => format!("1 ({})", t.t("laagste", "lowest")),
                5 => format!("5 ({})", t.t("hoogste", "highest")),
                l => l.to_string(),
            },
        }
    }
}

/// Effect of the programme per subgroup level (self-regulation tercile or baseline quintile),
/// per subject: estimate and 95% CI.
pub fn effect_by_subgroup(
    effects: &Frame,
    split: Split,
    dir: &Path,
    t: &Texts,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = match split {
        Split::SrlTercile => "effect_by_srl_tercile",
        Split::BaselineQuintile => "effect_by_baseline_quintile",
    };
    let levels = split.levels();
    let top = levels as f64 - 0.5;
    let (sg, lv, su, est, lo, hi, n1, n0) = (
        effects.str("subgroup"),
        effects.str("level"),
        effects.str("subject"),
        effects.f64("estimate"),
        effects.f64("ci_low"),
        effects.f64("ci_high"),
        effects.i64("n_treated"),
        effects.i64("n_comparison"),
    );
    let mut by_subject: BTreeMap<String, Vec<(i32, f64, f64, f64)>> = BTreeMap::new();
    let mut csv_rows = Vec::new();
    for i in 0..effects.len() {
        if sg.value(i) != split.subgroup() {
            continue;
        }
        let (Some(e), Some(l), Some(h), Ok(level)) = (
            opt(est, i),
            opt(lo, i),
            opt(hi, i),
            lv.value(i).parse::<i32>(),
        ) else {
            continue;
        };
        by_subject
            .entry(su.value(i).to_string())
            .or_default()
            .push((level, e, l, h));
        csv_rows.push(vec![
            su.value(i).to_string(),
            level.to_string(),
            fmt(e),
            fmt(l),
            fmt(h),
            n1.value(i).to_string(),
            n0.value(i).to_string(),
        ]);
    }
    write_csv(
        &dir.join(format!("{name}.csv")),
        &[
            "subject",
            split.subgroup(),
            "estimate",
            "ci_low",
            "ci_high",
            "n_treated",
            "n_comparison",
        ],
        &csv_rows,
    )?;
    // "all" last, drawn in black.
    let mut subjects: Vec<String> = by_subject.keys().filter(|s| *s != "all").cloned().collect();
    if by_subject.contains_key("all") {
        subjects.push("all".into());
    }
    let (ymin, ymax) = by_subject
        .values()
        .flatten()
        .fold((0.0f64, 0.0f64), |(a, b), r| (a.min(r.2), b.max(r.3)));
    let (ymin, ymax) = range_with_margin(ymin, ymax);
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                match split {
                    Split::SrlTercile => t.t(
                        "Effect van het programma naar zelfregulatie",
                        "Programme effect by self-regulation",
                    ),
                    Split::BaselineQuintile => t.t(
                        "Effect van het programma naar beginniveau",
                        "Programme effect by starting level",
                    ),
                },
                font(22),
            )
            .margin(18)
            .x_label_area_size(58)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..top, ymin..ymax)
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_x_mesh()
            .x_labels(levels as usize)
            .x_label_formatter(&|x| split.label(t, x.round() as i32 + 1))
            .x_desc(match split {
                Split::SrlTercile => t.t(
                    "Zelfregulatie-tercile (gemeten in het jaar vóór het programma)",
                    "Self-regulation tercile (measured the year before the programme)",
                ),
                Split::BaselineQuintile => t.t(
                    "Kwintiel van de beginscore binnen jaargroep en vak",
                    "Quintile of the starting score within grade and subject",
                ),
            })
            .y_desc(t.t(
                "Effect op de eindscore (SD), 95%-BI",
                "Effect on the end score (SD), 95% CI",
            ))
            .y_label_formatter(&tick)
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 0.0), (top, 0.0)],
                GREY.stroke_width(1),
            )))
            .map_err(|e| chart_err(&path, e))?;
        let k = subjects.len().max(1) as f64;
        for (si, s) in subjects.iter().enumerate() {
            let color = if s == "all" {
                BLACK
            } else {
                PALETTE[si % PALETTE.len()]
            };
            let dx = (si as f64 - (k - 1.0) / 2.0) * 0.12;
            let rows = &by_subject[s];
            chart
                .draw_series(rows.iter().map(|&(lvl, _, l, h)| {
                    let x = (lvl - 1) as f64 + dx;
                    PathElement::new(vec![(x, l), (x, h)], color.stroke_width(2))
                }))
                .map_err(|e| chart_err(&path, e))?;
            chart
                .draw_series(rows.iter().map(|&(lvl, e, _, _)| {
                    Circle::new(((lvl - 1) as f64 + dx, e), 5, color.filled())
                }))
                .map_err(|e| chart_err(&path, e))?
                .label(t.subject(s))
                .legend(move |(x, y)| Circle::new((x + 8, y), 5, color.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, &path)?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &dir.join(format!("{name}.csv")))?;
    Ok(())
}

/// One school's point in the growth chart.
struct SchoolPoint {
    school: String,
    programme: bool,
    mean: f64,
    lo: f64,
    hi: f64,
}

/// Mean annualised gain per school over the comparison window, with a 95% CI, programme schools
/// in another colour; schools with fewer than `min_n` pupils are suppressed.
pub fn growth_by_school(
    growth: &Frame,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    window: &str,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "growth_by_school";
    let (w, y, sch, prog, gain, pupil) = (
        growth.str("window"),
        growth.str("school_year"),
        growth.str("school_key"),
        growth.bool("programme"),
        growth.f64("annualised_gain"),
        growth.str("pupil_key"),
    );
    let latest = (0..growth.len())
        .filter(|&i| w.value(i) == window)
        .map(|i| y.value(i))
        .max()
        .unwrap_or("")
        .to_string();
    // school -> (programme, gains, pupils)
    let mut by: BTreeMap<String, (bool, Vec<f64>, std::collections::BTreeSet<String>)> =
        BTreeMap::new();
    for i in 0..growth.len() {
        if w.value(i) != window || y.value(i) != latest {
            continue;
        }
        let (Some(s), Some(g)) = (opt_str(sch, i), opt(gain, i)) else {
            continue;
        };
        let e = by
            .entry(s.to_string())
            .or_insert((false, vec![], Default::default()));
        e.0 |= prog.value(i);
        e.1.push(g);
        e.2.insert(pupil.value(i).to_string());
    }
    let mut shown = Vec::new();
    let mut csv_rows = Vec::new();
    for (s, (p, g, pupils)) in &by {
        let n = pupils.len();
        if n < min_n {
            summary
                .suppressed
                .push(format!("{name}: school {s} (n < {min_n})"));
            csv_rows.push(vec![
                s.clone(),
                p.to_string(),
                format!("< {min_n}"),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        let (m, sd) = mean_sd(g);
        let half = 1.96 * sd / (g.len() as f64).sqrt();
        shown.push(SchoolPoint {
            school: s.clone(),
            programme: *p,
            mean: m,
            lo: m - half,
            hi: m + half,
        });
        csv_rows.push(vec![
            s.clone(),
            p.to_string(),
            n.to_string(),
            fmt(m),
            fmt(m - half),
            fmt(m + half),
        ]);
    }
    write_csv(
        &dir.join(format!("{name}.csv")),
        &[
            "school",
            "programme",
            "pupils",
            "mean_annualised_gain",
            "ci_low",
            "ci_high",
        ],
        &csv_rows,
    )?;
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    let n = shown.len().max(1);
    let (xmin, xmax) = shown
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(r.lo), b.max(r.hi)));
    let (xmin, xmax) = if shown.is_empty() {
        (0.0, 1.0)
    } else {
        let pad = (xmax - xmin) * 0.1 + 0.5;
        (xmin - pad, xmax + pad)
    };
    {
        let height = 160 + 34 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let title = format!(
            "{} ({window}, {latest})",
            t.t("Groei per school", "Growth per school")
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(title, font(22))
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(xmin..xmax, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| chart_err(&path, e))?;
        let labels: Vec<String> = shown.iter().map(|r| r.school.clone()).collect();
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| labels.get(v.round() as usize).cloned().unwrap_or_default())
            .x_desc(t.t(
                "Gemiddelde groei per jaar (schaalpunten), 95%-BI",
                "Mean growth per year (scale points), 95% CI",
            ))
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        for (arm, color, label) in [
            (true, PALETTE[1], t.t("programmaschool", "programme school")),
            (
                false,
                PALETTE[0],
                t.t("vergelijkingsschool", "comparison school"),
            ),
        ] {
            let rows: Vec<(usize, &SchoolPoint)> = shown
                .iter()
                .enumerate()
                .filter(|(_, r)| r.programme == arm)
                .collect();
            chart
                .draw_series(rows.iter().map(|(i, r)| {
                    PathElement::new(
                        vec![(r.lo, *i as f64), (r.hi, *i as f64)],
                        color.stroke_width(2),
                    )
                }))
                .map_err(|e| chart_err(&path, e))?;
            chart
                .draw_series(
                    rows.iter()
                        .map(|(i, r)| Circle::new((r.mean, *i as f64), 5, color.filled())),
                )
                .map_err(|e| chart_err(&path, e))?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 8, y), 5, color.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight, &path)?;
        let suppressed = by.values().filter(|v| v.2.len() < min_n).count();
        suppression_note(&root, t, suppressed, min_n, height, &path)?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &dir.join(format!("{name}.csv")))?;
    Ok(())
}

/// The "Not shown: k school(s) (n < min)" line at the foot of a chart, when `suppressed > 0`.
fn suppression_note(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    t: &Texts,
    suppressed: usize,
    min_n: usize,
    height: u32,
    path: &Path,
) -> Result<()> {
    if suppressed == 0 {
        return Ok(());
    }
    let note = format!(
        "{} {suppressed} {} (n < {min_n})",
        t.t("Niet getoond:", "Not shown:"),
        t.t("school/scholen", "school(s)")
    );
    root.draw(&Text::new(
        note,
        (20, height as i32 - 22),
        font(13).color(&GREY),
    ))
    .map_err(|e| chart_err(path, e))
}

/// Effect forest (RAND style): the programme effect per programme school with its 95% CI, and
/// the pooled effect at the bottom (subjects pooled where the design gives `all`, else the one
/// subject). Schools with fewer than `min_n` programme pupils are not drawn and only counted.
pub fn effect_forest(
    effects: &Frame,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "effect_forest";
    let (sg, lv, su, est, lo, hi, n1) = (
        effects.str("subgroup"),
        effects.str("level"),
        effects.str("subject"),
        effects.f64("estimate"),
        effects.f64("ci_low"),
        effects.f64("ci_high"),
        effects.i64("n_treated"),
    );
    let subjects: std::collections::BTreeSet<&str> =
        (0..effects.len()).map(|i| su.value(i)).collect();
    let subject = if subjects.contains("all") {
        "all"
    } else {
        subjects.iter().next().copied().unwrap_or("all")
    };
    // (label, estimate, low, high, is pooled)
    let mut rows: Vec<(String, f64, f64, f64, bool)> = Vec::new();
    let mut csv_rows = Vec::new();
    let mut suppressed = 0;
    let mut pooled = None;
    for i in 0..effects.len() {
        if su.value(i) != subject {
            continue;
        }
        let (Some(e), Some(l), Some(h)) = (opt(est, i), opt(lo, i), opt(hi, i)) else {
            continue;
        };
        match sg.value(i) {
            "school" => {
                let school = lv.value(i).to_string();
                if (n1.value(i) as usize) < min_n {
                    suppressed += 1;
                    summary
                        .suppressed
                        .push(format!("{name}: school {school} (n < {min_n})"));
                    csv_rows.push(vec![
                        school,
                        format!("< {min_n}"),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                    continue;
                }
                csv_rows.push(vec![
                    school.clone(),
                    n1.value(i).to_string(),
                    fmt(e),
                    fmt(l),
                    fmt(h),
                ]);
                rows.push((school, e, l, h, false));
            }
            "overall" => pooled = Some((e, l, h, n1.value(i))),
            _ => {}
        }
    }
    let pooled_label = t
        .t("alle programmascholen", "all programme schools")
        .to_string();
    if let Some((e, l, h, n)) = pooled {
        csv_rows.push(vec![
            pooled_label.clone(),
            n.to_string(),
            fmt(e),
            fmt(l),
            fmt(h),
        ]);
        rows.push((pooled_label, e, l, h, true));
    }
    write_csv(
        &dir.join(format!("{name}.csv")),
        &[
            "school",
            "programme_pupils",
            "estimate",
            "ci_low",
            "ci_high",
        ],
        &csv_rows,
    )?;
    // Top to bottom: schools in key order, pooled last.
    rows.reverse();
    let n = rows.len().max(1);
    let (xmin, xmax) = rows
        .iter()
        .fold((0.0f64, 0.0f64), |(a, b), r| (a.min(r.2), b.max(r.3)));
    let (xmin, xmax) = range_with_margin(xmin, xmax);
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        let height = 170 + 34 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                t.t(
                    "Effect van het programma per school",
                    "Programme effect per school",
                ),
                font(22),
            )
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(190)
            .build_cartesian_2d(xmin..xmax, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| chart_err(&path, e))?;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| labels.get(v.round() as usize).cloned().unwrap_or_default())
            .x_desc(t.t(
                "Effect op de eindscore (SD), 95%-BI",
                "Effect on the end score (SD), 95% CI",
            ))
            .x_label_formatter(&tick)
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                GREY.stroke_width(1),
            )))
            .map_err(|e| chart_err(&path, e))?;
        for (i, r) in rows.iter().enumerate() {
            let color = if r.4 { BLACK } else { PALETTE[1] };
            let y = i as f64;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(r.2, y), (r.3, y)],
                    color.stroke_width(2),
                )))
                .map_err(|e| chart_err(&path, e))?;
            let size = if r.4 { 8 } else { 5 };
            chart
                .draw_series(std::iter::once(Circle::new((r.1, y), size, color.filled())))
                .map_err(|e| chart_err(&path, e))?;
        }
        suppression_note(&root, t, suppressed, min_n, height, &path)?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &dir.join(format!("{name}.csv")))?;
    Ok(())
}

/// Self-regulation profile: mean z-score of each indicator per SRL tercile (latest year).
pub fn srl_profile(
    srl: &Frame,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "srl_profile";
    let indicators = srl::indicator_labels(t);
    let year = srl.str("school_year");
    let latest = (0..srl.len())
        .map(|i| year.value(i))
        .max()
        .unwrap_or("")
        .to_string();
    let terc = srl.i32("srl_tercile");
    let rows: Vec<usize> = (0..srl.len())
        .filter(|&i| year.value(i) == latest)
        .collect();
    // z-score each indicator over the year, then average per tercile.
    let mut means = vec![[f64::NAN; 3]; indicators.len()];
    let mut counts = [0usize; 3];
    for &i in &rows {
        if let Some(tt) = opt(terc, i) {
            counts[(tt - 1) as usize] += 1;
        }
    }
    for (j, (col, _)) in indicators.iter().enumerate() {
        let a = srl.f64(col);
        let vals: Vec<f64> = rows.iter().filter_map(|&i| opt(a, i)).collect();
        if vals.len() < 2 {
            continue;
        }
        let (m, sd) = mean_sd(&vals);
        for tt in 1..=3 {
            let zs: Vec<f64> = rows
                .iter()
                .filter(|&&i| opt(terc, i) == Some(tt))
                .filter_map(|&i| opt(a, i))
                .map(|v| (v - m) / sd)
                .collect();
            if zs.len() >= min_n && sd > 0.0 {
                means[j][(tt - 1) as usize] = zs.iter().sum::<f64>() / zs.len() as f64;
            }
        }
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
                if v.is_nan() { String::new() } else { fmt(v) },
            ]);
        }
    }
    write_csv(
        &dir.join(format!("{name}.csv")),
        &[
            "school_year",
            "indicator",
            "srl_tercile",
            "pupils",
            "mean_z",
        ],
        &csv_rows,
    )?;
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    let (lo, hi) = means
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    let (lo, hi) = range_with_margin(lo, hi);
    let hi = hi + 0.35 * (hi - lo); // room for the legend above the bars
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{} ({latest})",
                    t.t(
                        "Zelfregulatieprofiel per tercile",
                        "Self-regulation profile by tercile"
                    )
                ),
                font(22),
            )
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..(indicators.len() as f64 - 0.5), lo..hi)
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_x_mesh()
            .x_labels(indicators.len())
            .x_label_formatter(&|x| {
                indicators
                    .get(x.round() as usize)
                    .map(|i| i.1.to_string())
                    .unwrap_or_default()
            })
            .y_desc(t.t("Gemiddelde z-score", "Mean z-score"))
            .y_label_formatter(&tick)
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        for tt in 0..3 {
            let color = PALETTE[[5, 1, 0][tt]];
            let dx = (tt as f64 - 1.0) * 0.25;
            chart
                .draw_series(
                    (0..indicators.len())
                        .filter(|&j| means[j][tt].is_finite())
                        .map(|j| {
                            let x = j as f64 + dx;
                            Rectangle::new(
                                [(x - 0.11, 0.0), (x + 0.11, means[j][tt])],
                                color.filled(),
                            )
                        }),
                )
                .map_err(|e| chart_err(&path, e))?
                .label(format!("{} (n = {})", t.tercile(tt as i32 + 1), counts[tt]))
                .legend(move |(x, y)| {
                    Rectangle::new([(x + 2, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, &path)?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &dir.join(format!("{name}.csv")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, RecordBatch};
    use leerwinst_core::Table;
    use leerwinst_core::pipeline::Language;
    use leerwinst_store::{bool_array, date_array, f64_array, i32_array, str_array};

    /// A growth table with `n` pupils in each (school, programme) given.
    fn growth(schools: &[(&str, bool, usize)]) -> Frame {
        let mut rows = Vec::new();
        for (s, p, n) in schools {
            for i in 0..*n {
                rows.push((format!("{s}-pupil{i}"), s.to_string(), *p, 15.0 + i as f64));
            }
        }
        let n = rows.len();
        let s = |v: Vec<Option<String>>| str_array(&v);
        let f = |v: f64| f64_array(vec![Some(v); n]);
        let cols: Vec<ArrayRef> = vec![
            s(rows.iter().map(|r| Some(r.0.clone())).collect()),
            s(vec![Some("rekenen".into()); n]),
            s(vec![Some("E-E".into()); n]),
            s(vec![Some("2024-2025".into()); n]),
            s(rows.iter().map(|r| Some(r.1.clone())).collect()),
            s(vec![None; n]),
            i32_array(vec![Some(5); n]),
            bool_array(rows.iter().map(|r| Some(r.2)).collect()),
            f(100.0),
            date_array(vec![Some(19_884); n]),
            f(120.0),
            date_array(vec![Some(20_249); n]),
            f(12.0),
            f(20.0),
            f64_array(rows.iter().map(|r| Some(r.3)).collect()),
            f(0.0),
            f(0.0),
            i32_array(vec![Some(3); n]),
            f(1.0),
            i32_array(vec![Some(0); n]),
            i32_array(vec![None; n]),
            i32_array(vec![None; n]),
            i32_array(vec![None; n]),
            i32_array(vec![None; n]),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
            f64_array(vec![None; n]),
            s(vec![None; n]),
        ];
        Frame {
            path: "growth".into(),
            batch: RecordBatch::try_new(Table::Growth.schema(), cols).unwrap(),
        }
    }

    #[test]
    fn small_schools_are_suppressed_and_labelled_never_drawn() {
        crate::register_font();
        let dir = tempfile::tempdir().unwrap();
        let g = growth(&[("12AB", true, 12), ("34CD", false, 11), ("56EF", false, 4)]);
        let mut summary = ReportSummary {
            charts: vec![],
            documents: vec![],
            suppressed: vec![],
            outputs: vec![],
        };
        growth_by_school(
            &g,
            dir.path(),
            &Texts::new(Language::En),
            10,
            "E-E",
            &mut summary,
        )
        .unwrap();
        let svg = std::fs::read_to_string(dir.path().join("growth_by_school.svg")).unwrap();
        assert!(svg.contains("12AB") && svg.contains("34CD"));
        assert!(!svg.contains("56EF"), "a school with 4 pupils is drawn");
        assert!(
            svg.contains("Not shown: 1 school(s) (n &lt; 10)")
                || svg.contains("Not shown: 1 school(s) (n < 10)"),
            "{svg}"
        );
        assert!(svg.contains(FONT_FAMILY));
        let csv = std::fs::read_to_string(dir.path().join("growth_by_school.csv")).unwrap();
        assert!(csv.contains("56EF,false,< 10,,,"), "{csv}");
        assert!(!csv.contains("56EF-pupil"));
        assert_eq!(summary.suppressed.len(), 1);
        // 12AB: gains 15..26 -> mean 20.5.
        assert!(csv.contains("12AB,true,12,20.5000,"), "{csv}");
    }

    #[test]
    fn forest_draws_schools_and_pooled_and_never_a_small_school() {
        crate::register_font();
        let dir = tempfile::tempdir().unwrap();
        // (subgroup, level, n_treated, estimate)
        let rows = [
            ("overall", "all", 130, 0.30),
            ("school", "12AB", 120, 0.25),
            ("school", "99ZZ", 4, 0.90),
        ];
        let n = rows.len();
        let s = |f: &dyn Fn(usize) -> &'static str| {
            str_array(&(0..n).map(|i| Some(f(i))).collect::<Vec<_>>())
        };
        let est: Vec<Option<f64>> = rows.iter().map(|r| Some(r.3)).collect();
        let cols: Vec<ArrayRef> = vec![
            s(&|_| "regression"),
            s(&|_| "followup_z (E-E)"),
            s(&|_| "rekenen"),
            s(&|i| rows[i].0),
            s(&|i| rows[i].1),
            leerwinst_store::i64_array(rows.iter().map(|r| Some(r.2)).collect()),
            leerwinst_store::i64_array(vec![Some(500); n]),
            leerwinst_store::i64_array(vec![Some(8); n]),
            f64_array(est.clone()),
            f64_array(vec![Some(0.05); n]),
            f64_array(est.iter().map(|e| e.map(|v| v - 0.1)).collect()),
            f64_array(est.iter().map(|e| e.map(|v| v + 0.1)).collect()),
            f64_array(est.clone()),
            f64_array(vec![Some(10.0); n]),
            f64_array(vec![Some(0.01); n]),
            f64_array(vec![None; n]),
        ];
        let effects = Frame {
            path: "effects".into(),
            batch: RecordBatch::try_new(Table::Effects.schema(), cols).unwrap(),
        };
        let mut summary = ReportSummary {
            charts: vec![],
            documents: vec![],
            suppressed: vec![],
            outputs: vec![],
        };
        effect_forest(
            &effects,
            dir.path(),
            &Texts::new(Language::En),
            10,
            &mut summary,
        )
        .unwrap();
        let svg = std::fs::read_to_string(dir.path().join("effect_forest.svg")).unwrap();
        assert!(svg.contains("12AB") && svg.contains("all programme schools"));
        assert!(!svg.contains("99ZZ"), "a school under 10 pupils is drawn");
        assert!(svg.contains("Not shown: 1"));
        let csv = std::fs::read_to_string(dir.path().join("effect_forest.csv")).unwrap();
        assert!(csv.contains("99ZZ,< 10,,,"), "{csv}");
        assert!(
            !csv.contains("0.9000"),
            "the small school's estimate leaks into the CSV"
        );
        assert_eq!(summary.suppressed.len(), 1);
    }
}
