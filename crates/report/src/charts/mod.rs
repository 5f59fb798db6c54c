//! The chart builders. Each writes `<name>.svg`, `.png` and `.pdf`, and `<name>.csv` (the data
//! drawn).

mod columns;
pub mod growth;
pub mod moderation;
pub mod srl;
pub mod staggered;

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

/// The legend entries of the two arms, in their colours: programme schools, comparison schools.
pub(crate) fn arm_marks(t: &Texts) -> [(Mark, &'static str); 2] {
    [
        (
            Mark::Box(PALETTE[1], 1.0),
            t.t("programmaschool", "programme school"),
        ),
        (
            Mark::Box(PALETTE[0], 1.0),
            t.t("vergelijkingsschool", "comparison school"),
        ),
    ]
}

/// Axis label of a percentile (0-100): whole numbers.
pub(crate) fn pct_tick(v: &f64) -> String {
    format!("{v:.0}")
}

/// Writes a chart's SVG and, from it, its PNG (2x, 192 dpi) and PDF beside it, and records the
/// chart and its data file (CSV and workbook) in the summary.
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
    let xlsx = leerwinst_store::xlsx_beside(csv);
    summary.outputs.extend(
        [path, png.as_path(), pdf.as_path(), csv, xlsx.as_path()]
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

/// Writes a chart's data file in the CSV dialect of `t`'s language, with its Excel workbook
/// beside it: typed columns with the headers and meanings of [`columns`], values in the run's
/// language, numbers with its decimal mark.
pub(crate) fn write_csv(
    t: &Texts,
    path: &Path,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<()> {
    let dialect = leerwinst_store::CsvDialect::of(t.lang);
    let batch = columns::table(header, rows, dialect).map_err(|e| chart_err(path, e))?;
    leerwinst_store::write_csv(path, &batch, dialect)
}

fn fmt(v: f64) -> String {
    format!("{v:.4}")
}

/// The text style of a chart's text at nominal `size`. Sizes are scaled by 4/3 and never below
/// [`MIN_FONT`]: a 900-pixel chart is printed 483 points wide on A4, so this keeps every text at
/// 7 pt or more there (`tests/end_to_end.rs` measures it).
pub(crate) fn font(size: u32) -> TextStyle<'static> {
    (FONT_FAMILY, font_px(size)).into_font().color(&BLACK)
}

/// The size [`font`] draws nominal size `size` at.
fn font_px(size: u32) -> u32 {
    (size * 4).div_ceil(3).max(MIN_FONT)
}

/// A label in at most two lines, split between words near the middle ("actieve" / "weken"), for
/// labels side by side that would run into each other on one line.
pub(crate) fn two_lines(label: &str) -> Vec<String> {
    let words: Vec<&str> = label.split(' ').collect();
    if words.len() < 2 {
        return vec![label.to_string()];
    }
    let half = words.len().div_ceil(2);
    vec![words[..half].join(" "), words[half..].join(" ")]
}

/// Width in pixels of a label area that holds every one of `labels` at nominal size `size`
/// ([`font`]) with a gap before the axis; at least `min`.
pub(crate) fn label_area(labels: &[String], size: u32, min: u32) -> u32 {
    let px = font_px(size) as f32;
    let widest = labels
        .iter()
        .map(|l| crate::document::textwidth::width(l, px, false))
        .fold(0.0f32, f32::max);
    (widest.ceil() as u32 + 18).max(min)
}

/// `text` in at most `max_lines` lines of at most `room` pixels at nominal size `size` ([`font`];
/// measured as [`label_area`] does), broken between words; `None` when it does not fit that way
/// (too many lines, or a word wider than `room`).
pub(crate) fn wrap_to(text: &str, size: u32, room: u32, max_lines: usize) -> Option<Vec<String>> {
    let lines = crate::document::textwidth::wrap(text, font_px(size) as f32, false, room as f32);
    // `wrap` cuts a word too wide for a line; a cut word shows as a space inside it.
    let whole_words = lines.join(" ") == text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.trim().is_empty() && whole_words && lines.len() <= max_lines).then_some(lines)
}

/// The smallest text size of a 900-pixel chart (plotters units; about 13.7 SVG pixels, 7.3 pt
/// when the chart is printed at the A4 text width).
pub(crate) const MIN_FONT: u32 = 17;

/// The subject an effect chart shows: `all` (subjects pooled) when present, else the first.
fn subject_of(f: &Frame) -> Option<String> {
    let su = f.str("subject");
    let subjects: std::collections::BTreeSet<&str> = (0..f.len()).map(|i| su.value(i)).collect();
    if subjects.contains("all") {
        Some("all".into())
    } else {
        subjects.iter().next().map(|s| s.to_string())
    }
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

/// One effect row as the effect charts read it: estimate and interval only when finite.
struct EffectPoint {
    est: Option<f64>,
    ci: Option<(f64, f64)>,
    note: Option<String>,
}

impl EffectPoint {
    fn of(effects: &Frame, i: usize) -> EffectPoint {
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        let est = finite(opt(effects.f64("estimate"), i));
        let ci = match (
            est,
            finite(opt(effects.f64("ci_low"), i)),
            finite(opt(effects.f64("ci_high"), i)),
        ) {
            (Some(_), Some(l), Some(h)) => Some((l, h)),
            _ => None,
        };
        EffectPoint {
            est,
            ci,
            note: opt_str(effects.str("note"), i).map(str::to_string),
        }
    }

    /// The CSV cells estimate, ci_low, ci_high, note.
    fn cells(&self) -> [String; 4] {
        [
            self.est.map(fmt).unwrap_or_default(),
            self.ci.map(|c| fmt(c.0)).unwrap_or_default(),
            self.ci.map(|c| fmt(c.1)).unwrap_or_default(),
            self.note.clone().unwrap_or_default(),
        ]
    }
}

/// What an effect chart could not draw as an estimate with its interval: points drawn without
/// whiskers, and rows not estimated (listed by label). Becomes the chart's footnotes.
#[derive(Default)]
struct EffectGaps {
    /// Points drawn without an interval; whether every one is for too few schools.
    no_interval: usize,
    no_interval_all_clusters: bool,
    /// Labels of rows without an estimate; whether every one is for too few pupils.
    not_estimated: Vec<String>,
    not_estimated_all_pupils: bool,
}

impl EffectGaps {
    fn new() -> Self {
        EffectGaps {
            no_interval_all_clusters: true,
            not_estimated_all_pupils: true,
            ..Default::default()
        }
    }

    /// Records a row; returns whether it is drawn (it has an estimate).
    fn add(&mut self, p: &EffectPoint, label: impl FnOnce() -> String) -> bool {
        if p.est.is_none() {
            self.not_estimated.push(label());
            self.not_estimated_all_pupils &= p.note.as_deref() == Some("too_few_pupils");
            false
        } else {
            if p.ci.is_none() {
                self.no_interval += 1;
                self.no_interval_all_clusters &= p.note.as_deref() == Some("too_few_clusters");
            }
            true
        }
    }

    /// The footnotes, in the chart's language.
    fn notes(&self, t: &Texts, min_n: usize) -> Vec<String> {
        let mut v = vec![];
        if self.no_interval > 0 {
            v.push(
                if self.no_interval_all_clusters {
                    t.t(
                        "○ = geen interval: minder dan 2 scholen in een groep; geen conclusie over een effect",
                        "○ = no interval: fewer than 2 schools in a group; no conclusion about an effect",
                    )
                } else {
                    t.t(
                        "○ = geen interval: de onzekerheid kon niet geschat worden",
                        "○ = no interval: the uncertainty could not be estimated",
                    )
                }
                .to_string(),
            );
        }
        if !self.not_estimated.is_empty() {
            let why = if self.not_estimated_all_pupils {
                format!(
                    " ({} {min_n} {})",
                    t.t("minder dan", "fewer than"),
                    t.t("leerlingen in een groep", "pupils in a group")
                )
            } else {
                String::new()
            };
            v.push(format!(
                "{}{why}: {}",
                t.t("Niet geschat", "Not estimated"),
                self.not_estimated.join(", ")
            ));
        }
        v
    }
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
fn draw_foot(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    lines: &[String],
    path: &Path,
) -> Result<()> {
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

/// Effect of the programme per subgroup level (self-regulation tercile or baseline quintile),
/// per subject, of design `design`: estimate and 95% CI. A row without an interval is drawn as
/// an open circle without whiskers, a row without an estimate is listed under the chart; both
/// keep their row in the CSV with the effects table's note.
pub fn effect_by_subgroup(
    effects: &Frame,
    design: &str,
    split: Split,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = match split {
        Split::SrlTercile => "effect_by_srl_tercile",
        Split::BaselineQuintile => "effect_by_baseline_quintile",
    };
    let levels = split.levels();
    let top = levels as f64 - 0.5;
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
    // subject -> (level, estimate, interval)
    type Point = (i32, f64, Option<(f64, f64)>);
    let mut by_subject: BTreeMap<String, Vec<Point>> = BTreeMap::new();
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
        }) && let Some(e) = p.est
        {
            by_subject
                .entry(subject.to_string())
                .or_default()
                .push((level, e, p.ci));
        }
    }
    write_csv(
        t,
        &dir.join(format!("{name}.csv")),
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
    // "all" last, drawn in black.
    let mut subjects: Vec<String> = by_subject.keys().filter(|s| *s != "all").cloned().collect();
    if by_subject.contains_key("all") {
        subjects.push("all".into());
    }
    let (ymin, ymax) = by_subject
        .values()
        .flatten()
        .fold((0.0f64, 0.0f64), |(a, b), r| {
            let (l, h) = r.2.unwrap_or((r.1, r.1));
            (a.min(l), b.max(h))
        });
    let (ymin, ymax) = range_with_margin(ymin, ymax);
    let path = dir.join(format!("{name}.svg"));
    let foot = wrap_notes(&gaps.notes(t, min_n), 110);
    let mut svg = String::new();
    {
        let plot_height = 560;
        let root = SVGBackend::with_string(&mut svg, (900, plot_height + foot_height(foot.len())))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let (plot, foot_area) = root.split_vertically(plot_height);
        let mut chart = ChartBuilder::on(&plot)
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
                    "Zelfregulatie-tertiel (gemeten in het jaar vóór het programma)",
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
            .y_label_formatter(&|v| t.tick(*v))
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
                .draw_series(rows.iter().filter_map(|&(lvl, _, ci)| {
                    let (l, h) = ci?;
                    let x = (lvl - 1) as f64 + dx;
                    Some(PathElement::new(
                        vec![(x, l), (x, h)],
                        color.stroke_width(2),
                    ))
                }))
                .map_err(|e| chart_err(&path, e))?;
            chart
                .draw_series(rows.iter().map(|&(lvl, e, ci)| {
                    let style = if ci.is_some() {
                        color.filled()
                    } else {
                        color.stroke_width(2)
                    };
                    Circle::new(((lvl - 1) as f64 + dx, e), 5, style)
                }))
                .map_err(|e| chart_err(&path, e))?
                .label(t.subject(s))
                .legend(move |(x, y)| Circle::new((x + 8, y), 5, color.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, &path)?;
        draw_foot(&foot_area, &foot, &path)?;
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
        t,
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
    let labels: Vec<String> = shown
        .iter()
        .map(|r| t.school(&r.school).to_string())
        .collect();
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
        // The legend sits under the plot, where it can never hide a school's interval.
        let height = 200 + 34 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let (plot, _) = root.split_vertically(height - 64);
        let title = format!(
            "{} ({window}, {latest})",
            t.t("Groei per school", "Growth per school")
        );
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, font(22))
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(label_area(&labels, 14, 90))
            .build_cartesian_2d(xmin..xmax, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| labels.get(v.round() as usize).cloned().unwrap_or_default())
            .x_label_formatter(&|v| t.tick(*v))
            .x_desc(t.t(
                "Gemiddelde groei per jaar (schaalpunten), 95%-BI",
                "Mean growth per year (scale points), 95% CI",
            ))
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        for (arm, color) in [(true, PALETTE[1]), (false, PALETTE[0])] {
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
                .map_err(|e| chart_err(&path, e))?;
        }
        legend_strip(&root, &arm_marks(t), (20, height as i32 - 46), &path)?;
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

/// Effect forest (RAND style): the programme effect of design `design` per programme school with
/// its 95% CI, and the pooled effect at the bottom (subjects pooled where the design gives `all`,
/// else the one subject). Schools with fewer than `min_n` programme pupils are not drawn and only
/// counted. A row without an interval is drawn as an open circle without whiskers, a row without
/// an estimate is listed under the chart.
pub fn effect_forest(
    effects: &Frame,
    design: &str,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "effect_forest";
    let (de, sg, lv, su, n1) = (
        effects.str("design"),
        effects.str("subgroup"),
        effects.str("level"),
        effects.str("subject"),
        effects.i64("n_treated"),
    );
    let subjects: std::collections::BTreeSet<&str> = (0..effects.len())
        .filter(|&i| de.value(i) == design)
        .map(|i| su.value(i))
        .collect();
    let subject = if subjects.contains("all") {
        "all"
    } else {
        subjects.iter().next().copied().unwrap_or("all")
    };
    // (label, estimate, interval, is pooled)
    type Line = (String, f64, Option<(f64, f64)>, bool);
    let mut rows: Vec<Line> = Vec::new();
    let mut csv_rows = Vec::new();
    let mut suppressed = 0;
    let mut pooled: Option<(EffectPoint, i64)> = None;
    let mut gaps = EffectGaps::new();
    for i in 0..effects.len() {
        if de.value(i) != design || su.value(i) != subject {
            continue;
        }
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
                        String::new(),
                    ]);
                    continue;
                }
                let p = EffectPoint::of(effects, i);
                let mut row = vec![school.clone(), n1.value(i).to_string()];
                row.extend(p.cells());
                csv_rows.push(row);
                let label = t.school(&school).to_string();
                if gaps.add(&p, || label.clone())
                    && let Some(e) = p.est
                {
                    rows.push((label, e, p.ci, false));
                }
            }
            "overall" => pooled = Some((EffectPoint::of(effects, i), n1.value(i))),
            _ => {}
        }
    }
    let pooled_label = t
        .t("alle programmascholen", "all programme schools")
        .to_string();
    if let Some((p, n)) = pooled {
        let mut row = vec![pooled_label.clone(), n.to_string()];
        row.extend(p.cells());
        csv_rows.push(row);
        if gaps.add(&p, || pooled_label.clone())
            && let Some(e) = p.est
        {
            rows.push((pooled_label, e, p.ci, true));
        }
    }
    write_csv(
        t,
        &dir.join(format!("{name}.csv")),
        &[
            "school",
            "programme_pupils",
            "estimate",
            "ci_low",
            "ci_high",
            "note",
        ],
        &csv_rows,
    )?;
    // Top to bottom: schools in key order, pooled last.
    rows.reverse();
    let n = rows.len().max(1);
    let (xmin, xmax) = rows.iter().fold((0.0f64, 0.0f64), |(a, b), r| {
        let (l, h) = r.2.unwrap_or((r.1, r.1));
        (a.min(l), b.max(h))
    });
    let (xmin, xmax) = range_with_margin(xmin, xmax);
    let path = dir.join(format!("{name}.svg"));
    let mut notes = vec![];
    if suppressed > 0 {
        notes.push(format!(
            "{} {suppressed} {} (n < {min_n})",
            t.t("Niet getoond:", "Not shown:"),
            t.t("school/scholen", "school(s)")
        ));
    }
    notes.extend(gaps.notes(t, min_n));
    let foot = wrap_notes(&notes, 110);
    let mut svg = String::new();
    let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    {
        let plot_height = 150 + 34 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (900, plot_height + foot_height(foot.len())))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let (plot, foot_area) = root.split_vertically(plot_height);
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                t.t(
                    "Effect van het programma per school",
                    "Programme effect per school",
                ),
                font(22),
            )
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(label_area(&labels, 14, 190))
            .build_cartesian_2d(xmin..xmax, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| chart_err(&path, e))?;
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
            .x_label_formatter(&|v| t.tick(*v))
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                GREY.stroke_width(1),
            )))
            .map_err(|e| chart_err(&path, e))?;
        for (i, r) in rows.iter().enumerate() {
            let color = if r.3 { BLACK } else { PALETTE[1] };
            let y = i as f64;
            if let Some((l, h)) = r.2 {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(l, y), (h, y)],
                        color.stroke_width(2),
                    )))
                    .map_err(|e| chart_err(&path, e))?;
            }
            let size = if r.3 { 8 } else { 5 };
            let style = if r.2.is_some() {
                color.filled()
            } else {
                color.stroke_width(2)
            };
            chart
                .draw_series(std::iter::once(Circle::new((r.1, y), size, style)))
                .map_err(|e| chart_err(&path, e))?;
        }
        draw_foot(&foot_area, &foot, &path)?;
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
                if v.is_nan() { String::new() } else { fmt(v) },
            ]);
        }
    }
    write_csv(
        t,
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
                        "Zelfregulatieprofiel per tertiel",
                        "Self-regulation profile by tercile"
                    )
                ),
                font(22),
            )
            .margin(18)
            .x_label_area_size(64)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..(indicators.len() as f64 - 0.5), lo..hi)
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_x_mesh()
            // The indicators' names are drawn below in two lines each (they run into each other
            // on one line at a readable size).
            .x_labels(indicators.len())
            .x_label_formatter(&|_| String::new())
            .y_desc(t.t("Gemiddelde z-score", "Mean z-score"))
            .y_label_formatter(&|v| t.tick(*v))
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
        let centre = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        );
        for (j, (_, label)) in indicators.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(j as f64, lo));
            for (l, line) in two_lines(label).into_iter().enumerate() {
                root.draw(&Text::new(
                    line,
                    (x, y + 8 + 20 * l as i32),
                    font(14).pos(centre),
                ))
                .map_err(|e| chart_err(&path, e))?;
            }
        }
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
    fn a_label_wraps_between_words_or_not_at_all() {
        let name = "Basisschool De Wereldwijzer";
        assert_eq!(
            wrap_to(name, 15, 195, 2).unwrap(),
            ["Basisschool De", "Wereldwijzer"]
        );
        assert_eq!(wrap_to(name, 15, 1000, 2).unwrap(), [name]);
        // Three lines needed, or a word wider than the room: no wrapping.
        assert_eq!(wrap_to(name, 15, 150, 2), None);
        assert_eq!(wrap_to("Basisschool", 15, 60, 2), None);
        assert_eq!(wrap_to(" ", 15, 195, 2), None);
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
        assert!(csv.contains("12AB,true,12,20.5,"), "{csv}");
    }

    #[test]
    fn forest_draws_schools_and_pooled_and_never_a_small_school() {
        crate::register_font();
        let dir = tempfile::tempdir().unwrap();
        // (subgroup, level, n_treated, estimate)
        let rows: Vec<_> = [
            ("overall", "all", 130, 0.30),
            ("school", "12AB", 120, 0.25),
            ("school", "99ZZ", 4, 0.90),
        ]
        .into_iter()
        .map(|(sg, lv, n, e)| crate::testutil::EffectRow {
            subgroup: sg,
            level: lv.into(),
            n_treated: n,
            ..crate::testutil::row("regression", "rekenen", e, (e - 0.1, e + 0.1))
        })
        .collect();
        let effects = crate::testutil::effects(&rows);
        let mut summary = ReportSummary {
            charts: vec![],
            documents: vec![],
            suppressed: vec![],
            outputs: vec![],
        };
        effect_forest(
            &effects,
            "regression",
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

    #[test]
    fn effect_charts_draw_rows_without_interval_open_and_list_rows_not_estimated() {
        use crate::testutil::{EffectRow, effects, row};
        crate::register_font();
        let dir = tempfile::tempdir().unwrap();
        let no_ci = |r: EffectRow| EffectRow {
            ci: None,
            p: None,
            df: None,
            method: "none",
            note: Some("too_few_clusters"),
            clusters_programme: 1,
            ..r
        };
        let not_estimated = |r: EffectRow| EffectRow {
            estimate: None,
            ci: None,
            p: None,
            df: None,
            method: "none",
            note: Some("too_few_pupils"),
            n_treated: 7,
            ..r
        };
        let level = |sg: &'static str, lv: &str, r: EffectRow| EffectRow {
            subgroup: sg,
            level: lv.into(),
            ..r
        };
        let rows = vec![
            no_ci(row("regression", "rekenen", 0.30, (0.0, 0.0))),
            level(
                "school",
                "12AB",
                row("regression", "rekenen", 0.25, (0.1, 0.4)),
            ),
            level(
                "school",
                "34CD",
                EffectRow {
                    n_treated: 40,
                    ..not_estimated(row("regression", "rekenen", 0.0, (0.0, 0.0)))
                },
            ),
            level(
                "srl_tercile",
                "1",
                row("regression", "rekenen", 0.1, (-0.1, 0.3)),
            ),
            level(
                "srl_tercile",
                "2",
                no_ci(row("regression", "rekenen", 0.2, (0.0, 0.0))),
            ),
            level(
                "srl_tercile",
                "3",
                not_estimated(row("regression", "rekenen", 0.0, (0.0, 0.0))),
            ),
            // Another design's rows are sensitivity checks: never drawn here.
            row("multilevel", "rekenen", 9.0, (8.0, 10.0)),
            level(
                "srl_tercile",
                "1",
                row("multilevel", "rekenen", 9.0, (8.0, 10.0)),
            ),
        ];
        let fx = effects(&rows);
        let mut summary = ReportSummary {
            charts: vec![],
            documents: vec![],
            suppressed: vec![],
            outputs: vec![],
        };
        let t = Texts::new(Language::Nl);
        effect_forest(&fx, "regression", dir.path(), &t, 10, &mut summary).unwrap();
        effect_by_subgroup(
            &fx,
            "regression",
            Split::SrlTercile,
            dir.path(),
            &t,
            10,
            &mut summary,
        )
        .unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
        let forest = read("effect_forest.svg");
        assert!(forest.contains("12AB") && forest.contains("alle programmascholen"));
        assert!(
            forest.contains("○ = geen interval: minder dan 2 scholen in een groep"),
            "{forest}"
        );
        assert!(
            forest.contains("Niet geschat (minder dan 10 leerlingen in een groep): 34CD"),
            "{forest}"
        );
        assert!(!forest.contains("NaN") && !forest.contains("inf"));
        let csv = read("effect_forest.csv");
        // In the Dutch dialect: byte-order mark, `;`, decimal comma, Dutch headers and values.
        assert!(csv.starts_with(
            "\u{feff}school;aantal_programmaleerlingen;schatting;bi_onder;bi_boven;opmerking\n"
        ));
        assert!(csv.contains("34CD;40;;;;te weinig leerlingen"), "{csv}");
        assert!(
            csv.contains("alle programmascholen;200;0,3;;;te weinig scholen"),
            "{csv}"
        );
        assert!(dir.path().join("effect_forest.xlsx").exists());
        assert!(!csv.contains("9,0000"), "another design's row is drawn");
        let terciles = read("effect_by_srl_tercile.svg");
        assert!(terciles.contains("○ = geen interval"), "{terciles}");
        assert!(
            terciles.contains(
                "Niet geschat (minder dan 10 leerlingen in een groep): rekenen-wiskunde hoog"
            ),
            "{terciles}"
        );
        let csv = read("effect_by_srl_tercile.csv");
        assert!(
            csv.contains("rekenen;3;;;;< 10;300;te weinig leerlingen"),
            "{csv}"
        );
        assert!(
            csv.contains("rekenen;2;0,2;;;200;300;te weinig scholen"),
            "{csv}"
        );
        assert!(!csv.contains("9.0000"), "another design's row is drawn");
        for png in ["effect_forest.png", "effect_by_srl_tercile.png"] {
            assert!(dir.path().join(png).exists());
        }
    }
}
