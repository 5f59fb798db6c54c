//! The effect forest (RAND style): the programme effect per programme school with its 95% CI,
//! and the pooled effect at the bottom.

use std::collections::BTreeSet;
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_store::Frame;
use plotters::prelude::*;

use super::{EffectGaps, EffectPoint};
use crate::ReportSummary;
use crate::charts::files::{ChartTarget, chart_err, write_csv};
use crate::charts::frame::{
    self, Area, Axes, Axis, SmallGroups, range_with_margin, reference_line,
};
use crate::charts::style::{PALETTE, label_area};
use crate::text::Texts;

/// One line of the forest.
struct Line {
    /// School name, or "all programme schools".
    label: String,
    est: f64,
    ci: Option<(f64, f64)>,
    /// The pooled effect (drawn larger and in black).
    pooled: bool,
}

/// Effect forest (RAND style): the programme effect of design `design` per programme school with
/// its 95% CI, and the pooled effect at the bottom (subjects pooled where the design gives `all`,
/// else the one subject). Schools with fewer than `min_n` programme pupils are not drawn and only
/// counted. A row without an interval is drawn as an open circle without whiskers, a row without
/// an estimate is listed under the chart.
pub fn effect_forest(effects: &Frame, design: &str, out: &mut ChartTarget) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let name = "effect_forest";
    let files = out.files(name);
    let header = [
        "school",
        "programme_pupils",
        "estimate",
        "ci_low",
        "ci_high",
        "note",
    ];
    let mut small = SmallGroups::new(name, min_n);
    let mut gaps = EffectGaps::new();
    let (mut lines, csv_rows) = lines(
        effects,
        design,
        t,
        &header,
        &mut small,
        &mut gaps,
        out.summary,
    );
    write_csv(t, &files.csv, &header, &csv_rows)?;
    // Top to bottom: schools in key order, pooled last.
    lines.reverse();
    let mut notes: Vec<String> = small
        .note(t, t.t("school/scholen", "school(s)"))
        .into_iter()
        .collect();
    notes.extend(gaps.notes(t, min_n));
    let foot = frame::foot_lines(&notes);
    let plot_height = 150 + 34 * lines.len().max(1) as u32;
    let svg = frame::svg_with_foot(&files.svg, plot_height, &foot, |plot| {
        draw(plot, &lines, t, &files.svg)
    })?;
    out.record(&files, &svg)
}

/// The lines of the forest (schools in key order, then the pooled effect) and the data file's
/// rows: the rows of `design` for the charted subject, small schools left out.
fn lines(
    effects: &Frame,
    design: &str,
    t: &Texts,
    header: &[&str],
    small: &mut SmallGroups,
    gaps: &mut EffectGaps,
    summary: &mut ReportSummary,
) -> (Vec<Line>, Vec<Vec<String>>) {
    let (de, sg, lv, su, n1) = (
        effects.str("design"),
        effects.str("subgroup"),
        effects.str("level"),
        effects.str("subject"),
        effects.i64("n_treated"),
    );
    let subjects: BTreeSet<&str> = (0..effects.len())
        .filter(|&i| de.value(i) == design)
        .map(|i| su.value(i))
        .collect();
    let subject = if subjects.contains("all") {
        "all"
    } else {
        subjects.iter().next().copied().unwrap_or("all")
    };
    let mut lines = Vec::new();
    let mut csv_rows = Vec::new();
    let mut pooled: Option<(EffectPoint, i64)> = None;
    for i in 0..effects.len() {
        if de.value(i) != design || su.value(i) != subject {
            continue;
        }
        match sg.value(i) {
            "school" => {
                let school = lv.value(i).to_string();
                if small.too_small(n1.value(i) as usize) {
                    let group = format!("school {school}");
                    csv_rows.push(small.leave_out(summary, &group, vec![school], header.len()));
                    continue;
                }
                let p = EffectPoint::of(effects, i);
                let mut row = vec![school.clone(), n1.value(i).to_string()];
                row.extend(p.cells());
                csv_rows.push(row);
                let label = t.school(&school).to_string();
                if gaps.add(&p, || label.clone())
                    && let Some(est) = p.est
                {
                    lines.push(Line {
                        label,
                        est,
                        ci: p.ci,
                        pooled: false,
                    });
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
            && let Some(est) = p.est
        {
            lines.push(Line {
                label: pooled_label,
                est,
                ci: p.ci,
                pooled: true,
            });
        }
    }
    (lines, csv_rows)
}

/// Draws the forest: a line per school, top to bottom, around the line of no effect.
fn draw(plot: &Area<'_>, lines: &[Line], t: &Texts, path: &Path) -> Result<()> {
    let err = |e| chart_err(path, e);
    let n = lines.len().max(1);
    let (xmin, xmax) = lines.iter().fold((0.0f64, 0.0f64), |(a, b), r| {
        let (l, h) = r.ci.unwrap_or((r.est, r.est));
        (a.min(l), b.max(h))
    });
    let (xmin, xmax) = range_with_margin(xmin, xmax);
    let labels: Vec<String> = lines.iter().map(|r| r.label.clone()).collect();
    let x = Axis::new(xmin..xmax, 50)
        .title(t.t(
            "Effect op de eindscore (SD), 95%-BI",
            "Effect on the end score (SD), 95% CI",
        ))
        .tick_label(|v| t.tick(*v));
    let y = Axis::new(-0.5f64..(n as f64 - 0.5), label_area(&labels, 14, 190))
        .no_grid()
        .ticks(n)
        .tick_label(|v| labels.get(v.round() as usize).cloned().unwrap_or_default());
    let caption = t.t(
        "Effect van het programma per school",
        "Programme effect per school",
    );
    let mut chart = Axes::new(caption, x, y).draw(plot, path)?;
    reference_line(&mut chart, (0.0, -0.5), (0.0, n as f64 - 0.5), path)?;
    for (i, r) in lines.iter().enumerate() {
        let color = if r.pooled { BLACK } else { PALETTE[1] };
        let y = i as f64;
        if let Some((l, h)) = r.ci {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(l, y), (h, y)],
                    color.stroke_width(2),
                )))
                .map_err(err)?;
        }
        let size = if r.pooled { 8 } else { 5 };
        let style = if r.ci.is_some() {
            color.filled()
        } else {
            color.stroke_width(2)
        };
        chart
            .draw_series(std::iter::once(Circle::new((r.est, y), size, style)))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leerwinst_core::pipeline::Language;

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
            &mut ChartTarget {
                dir: dir.path(),
                t: &Texts::new(Language::En),
                min_n: 10,
                summary: &mut summary,
            },
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
