//! Self-regulation against growth: does growth rise with self-regulation, and does the
//! programme add more for self-regulated pupils?

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_stats::describe::mean_sd;
use leerwinst_store::{Frame, opt};
use plotters::prelude::*;

use super::growth::GrowthRows;
use super::{GREY, LIGHT, PALETTE, chart_err, font, legend, record, write_csv};
use crate::ReportSummary;
use crate::text::Texts;

/// Mean growth percentile (95% CI) per quintile of the SRL index of the same school year, for
/// programme and comparison pupils side by side; latest year of the window. A quintile-arm cell
/// with fewer than `min_n` pupils is not drawn.
pub fn srl_vs_growth(
    srl: &Frame,
    rows: &GrowthRows,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "srl_vs_growth";
    let (pupil, year, index) = (
        srl.str("pupil_key"),
        srl.str("school_year"),
        srl.f64("srl_index"),
    );
    let mut srl_of: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for i in 0..srl.len() {
        if let Some(v) = opt(index, i) {
            srl_of.insert((pupil.value(i), year.value(i)), v);
        }
    }
    // (srl index, growth, programme, pupil) of the latest year.
    let mut joined: Vec<(f64, f64, bool, &str)> = rows
        .rows
        .iter()
        .filter(|r| r.year == rows.latest)
        .filter_map(|r| {
            let s = *srl_of.get(&(r.pupil.as_str(), r.year.as_str()))?;
            Some((s, r.growth?, r.programme, r.pupil.as_str()))
        })
        .collect();
    joined.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Quintiles of the joined pupils' index: position-based, ties kept together.
    let n = joined.len();
    let quintile_of = |k: usize| ((k * 5) / n.max(1)) as i32 + 1;
    // (quintile, programme) -> (growth values, pupils)
    type Cells<'a> = BTreeMap<(i32, bool), (Vec<f64>, BTreeSet<&'a str>)>;
    let mut cells = Cells::new();
    let mut bounds: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    let mut q_prev = 1;
    for (k, &(s, g, prog, p)) in joined.iter().enumerate() {
        let mut q = quintile_of(k);
        // A tie with the previous pupil stays in the previous pupil's quintile.
        if k > 0 && joined[k - 1].0 == s {
            q = q_prev;
        }
        q_prev = q;
        let e = cells.entry((q, prog)).or_default();
        e.0.push(g);
        e.1.insert(p);
        let b = bounds.entry(q).or_insert((s, s));
        b.1 = s;
    }
    let mut drawn: Vec<(i32, bool, f64, f64, f64)> = vec![];
    let mut csv_rows = vec![];
    let mut suppressed = 0;
    for (&(q, prog), (g, pupils)) in &cells {
        let (lo_s, hi_s) = bounds[&q];
        let mut row = vec![
            q.to_string(),
            format!("{lo_s:.3}"),
            format!("{hi_s:.3}"),
            prog.to_string(),
        ];
        if pupils.len() < min_n {
            suppressed += 1;
            summary.suppressed.push(format!(
                "{name}: srl quintile {q}, programme={prog} (n < {min_n})"
            ));
            row.extend([
                format!("< {min_n}"),
                String::new(),
                String::new(),
                String::new(),
            ]);
        } else {
            let (m, sd) = mean_sd(g);
            let half = 1.96 * sd / (g.len() as f64).sqrt();
            drawn.push((q, prog, m, m - half, m + half));
            row.extend([
                pupils.len().to_string(),
                format!("{m:.2}"),
                format!("{:.2}", m - half),
                format!("{:.2}", m + half),
            ]);
        }
        csv_rows.push(row);
    }
    let csv = dir.join(format!("{name}.csv"));
    write_csv(
        t,
        &csv,
        &[
            "srl_quintile",
            "srl_index_from",
            "srl_index_to",
            "programme",
            "pupils",
            &format!("mean_{}", rows.measure.code()),
            "ci_low",
            "ci_high",
        ],
        &csv_rows,
    )?;
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        let height = 560;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let (lo, hi) = drawn
            .iter()
            .fold((40.0f64, 60.0f64), |(a, b), d| (a.min(d.3), b.max(d.4)));
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{} ({})",
                    t.t("Zelfregulatie en groei", "Self-regulation and growth"),
                    rows.latest
                ),
                font(22),
            )
            .margin(18)
            .margin_bottom(34)
            .x_label_area_size(58)
            .y_label_area_size(70)
            .build_cartesian_2d(0.5f64..5.5f64, (lo - 5.0).max(0.0)..(hi + 5.0).min(100.0))
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_x_mesh()
            .x_labels(5)
            .x_label_formatter(&|x| match x.round() as i32 {
                1 => format!("1 ({})", t.t("laagste", "lowest")),
                5 => format!("5 ({})", t.t("hoogste", "highest")),
                q => q.to_string(),
            })
            .y_label_formatter(&|v| t.tick(*v))
            .x_desc(t.t(
                "Kwintiel van de zelfregulatie-index (zelfde schooljaar)",
                "Quintile of the self-regulation index (same school year)",
            ))
            .y_desc(format!(
                "{}, 95%-{}",
                t.t("Gemiddeld groeipercentiel", "Mean growth percentile"),
                t.t("BI", "CI")
            ))
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.5, 50.0), (5.5, 50.0)],
                GREY.stroke_width(1),
            )))
            .map_err(|e| chart_err(&path, e))?;
        for (arm, dx, color, label) in [
            (
                true,
                0.1,
                PALETTE[1],
                t.t("programmaschool", "programme school"),
            ),
            (
                false,
                -0.1,
                PALETTE[0],
                t.t("vergelijkingsschool", "comparison school"),
            ),
        ] {
            let pts: Vec<_> = drawn.iter().filter(|d| d.1 == arm).collect();
            chart
                .draw_series(pts.iter().map(|d| {
                    let x = d.0 as f64 + dx;
                    PathElement::new(vec![(x, d.3), (x, d.4)], color.stroke_width(2))
                }))
                .map_err(|e| chart_err(&path, e))?;
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|d| (d.0 as f64 + dx, d.2)),
                    color.stroke_width(1),
                ))
                .map_err(|e| chart_err(&path, e))?;
            chart
                .draw_series(
                    pts.iter()
                        .map(|d| Circle::new((d.0 as f64 + dx, d.2), 6, color.filled())),
                )
                .map_err(|e| chart_err(&path, e))?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 8, y), 6, color.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, &path)?;
        let mut foot = format!(
            "{} {}",
            t.t("Groeimaat:", "Growth measure:"),
            rows.measure.label(t)
        );
        if suppressed > 0 {
            foot.push_str(&format!(
                ". {} {suppressed} (n < {min_n})",
                t.t("Niet getoond (cellen):", "Not shown (cells):")
            ));
        }
        root.draw(&Text::new(
            foot,
            (20, height as i32 - 24),
            font(13).color(&GREY),
        ))
        .map_err(|e| chart_err(&path, e))?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &csv)
}

/// The self-regulation indicators shown in the profiles, with their labels: those of the
/// composite whose higher values mean more self-regulation (lateness, the one reversed, is left
/// out; plans kept shows the same behaviour).
pub(crate) fn indicator_labels(t: &Texts) -> Vec<(&'static str, &str)> {
    vec![
        // Short labels: ten sit side by side under a chart.
        ("active_week_share", t.t("actieve weken", "active weeks")),
        ("weekly_similarity", t.t("weekritme", "week rhythm")),
        ("plan_kept_share", t.t("plan gehaald", "plans kept")),
        ("on_time_share", t.t("op tijd af", "on time")),
        ("deadline_margin_h", t.t("tijdig klaar", "early done")),
        (
            "help_after_error_share",
            t.t("hulp na fout", "help if wrong"),
        ),
        ("persistence_share", t.t("doorzetten", "persistence")),
        ("progress_views_per_week", t.t("voortgang", "progress")),
        ("reflections_per_week", t.t("reflectie", "reflection")),
    ]
}

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

/// Self-regulation profile per school: the mean z-score of each indicator (standardised over all
/// pupils of the latest year) and of the index, as a heat map with the values written in. Schools
/// with fewer than `min_n` pupils with an index are left out and counted.
pub fn srl_by_school(
    srl: &Frame,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "srl_profile_by_school";
    let (year, school, index) = (
        srl.str("school_year"),
        srl.str("school_key"),
        srl.f64("srl_index"),
    );
    let latest = (0..srl.len())
        .map(|i| year.value(i))
        .max()
        .unwrap_or("")
        .to_string();
    let rows: Vec<usize> = (0..srl.len())
        .filter(|&i| year.value(i) == latest)
        .collect();
    let indicators = profile_indicators(t);
    let mut pupils: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &rows {
        if opt(index, i).is_some() {
            *pupils.entry(school.value(i)).or_default() += 1;
        }
    }
    let shown: Vec<&str> = pupils
        .iter()
        .filter(|(_, n)| **n >= min_n)
        .map(|(s, _)| *s)
        .collect();
    let suppressed: Vec<&str> = pupils
        .iter()
        .filter(|(_, n)| **n < min_n)
        .map(|(s, _)| *s)
        .collect();
    // cell[school][indicator] = mean z
    let mut cell = vec![vec![f64::NAN; indicators.len()]; shown.len()];
    for (j, (col, _)) in indicators.iter().enumerate() {
        let a = srl.f64(col);
        let vals: Vec<f64> = rows.iter().filter_map(|&i| opt(a, i)).collect();
        if vals.len() < 2 {
            continue;
        }
        let (m, sd) = mean_sd(&vals);
        if sd <= 0.0 {
            continue;
        }
        for (k, s) in shown.iter().enumerate() {
            let zs: Vec<f64> = rows
                .iter()
                .filter(|&&i| school.value(i) == *s && opt(index, i).is_some())
                .filter_map(|&i| opt(a, i))
                .map(|v| (v - m) / sd)
                .collect();
            if !zs.is_empty() {
                cell[k][j] = zs.iter().sum::<f64>() / zs.len() as f64;
            }
        }
    }
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
        summary
            .suppressed
            .push(format!("{name}: school {s} (n < {min_n})"));
        csv_rows.push(vec![
            latest.clone(),
            s.to_string(),
            format!("< {min_n}"),
            String::new(),
            String::new(),
        ]);
    }
    let csv = dir.join(format!("{name}.csv"));
    write_csv(
        t,
        &csv,
        &["school_year", "school", "pupils", "indicator", "mean_z"],
        &csv_rows,
    )?;
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        // Cells and text sized so that the numbers print at 7 pt or more at the A4 text width.
        // The widest the heat map can be with its numbers at 7 pt on A4 leaves 170 pixels for a
        // school's name: in up to two lines, else its code; its pupils on a line below.
        let (left, top, cw) = (170i32, 130i32, 90i32);
        let labels: Vec<Vec<String>> = shown
            .iter()
            .map(|s| {
                let mut lines =
                    super::wrap_to(t.school(s), 15, 195, 2).unwrap_or_else(|| vec![s.to_string()]);
                lines.push(format!("n = {}", pupils[s]));
                lines
            })
            .collect();
        let most_lines = labels.iter().map(Vec::len).max().unwrap_or(1) as i32;
        let ch = (18 + 18 * most_lines).max(40);
        let width = (left + cw * indicators.len() as i32 + 30) as u32;
        let height = (top + ch * shown.len().max(1) as i32 + 70) as u32;
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let err = |e| chart_err(&path, e);
        let title = format!(
            "{} ({latest})",
            t.t(
                "Zelfregulatieprofiel per school",
                "Self-regulation profile per school"
            )
        );
        root.draw(&Text::new(
            title,
            (width as i32 / 2, 18),
            font(22).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            )),
        ))
        .map_err(err)?;
        let center = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        );
        for (j, (_, label)) in indicators.iter().enumerate() {
            let x = left + cw * j as i32 + cw / 2;
            let lines = super::two_lines(label);
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
            let first = y + ch / 2 - 9 * (lines.len() as i32 - 1);
            for (l, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.as_str(),
                    (left - 10, first + 18 * l as i32),
                    font(15).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Center,
                    )),
                ))
                .map_err(err)?;
            }
            for (j, &z) in cell[k].iter().enumerate() {
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
        }
        let mut foot = t
            .t(
                "Gemiddelde z-score t.o.v. alle leerlingen van het jaar; oranje = meer, blauw = minder zelfregulatie.",
                "Mean z-score against all pupils of the year; orange = more, blue = less self-regulation.",
            )
            .to_string();
        if !suppressed.is_empty() {
            foot.push_str(&format!(
                " {} {} (n < {min_n})",
                t.t("Niet getoond:", "Not shown:"),
                suppressed.len()
            ));
        }
        root.draw(&Text::new(
            foot,
            (20, height as i32 - 30),
            font(15).color(&GREY),
        ))
        .map_err(err)?;

        root.present().map_err(err)?;
    }
    record(summary, t, &path, &svg, &csv)
}
