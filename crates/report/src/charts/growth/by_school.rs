//! Mean growth per school over the comparison window, from the growth table's annualised gains
//! (scale points, not percentiles).

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_stats::describe::mean_sd;
use leerwinst_store::{Frame, opt, opt_str};
use plotters::prelude::*;

use super::Group;
use crate::charts::files::{ChartTarget, chart_err, four_decimals, write_csv};
use crate::charts::frame::{
    self, Area, Axes, Axis, SmallGroups, arm_colour, arm_marks, foot_line, legend_strip,
};
use crate::charts::style::label_area;
use crate::text::Texts;

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
pub fn growth_by_school(growth: &Frame, window: &str, out: &mut ChartTarget) -> Result<()> {
    let (t, min_n) = (out.t, out.min_n);
    let name = "growth_by_school";
    let files = out.files(name);
    let header = [
        "school",
        "programme",
        "pupils",
        "mean_annualised_gain",
        "ci_low",
        "ci_high",
    ];
    let (latest, schools) = schools(growth, window);
    let mut small = SmallGroups::new(name, min_n);
    let mut shown = Vec::new();
    let mut csv_rows = Vec::new();
    for (s, g) in &schools {
        let n = g.pupils.len();
        let cells = vec![s.clone(), g.programme.to_string()];
        if small.too_small(n) {
            let group = format!("school {s}");
            csv_rows.push(small.leave_out(out.summary, &group, cells, header.len()));
            continue;
        }
        let (m, sd) = mean_sd(&g.growth);
        let half = 1.96 * sd / (g.growth.len() as f64).sqrt();
        shown.push(SchoolPoint {
            school: s.clone(),
            programme: g.programme,
            mean: m,
            lo: m - half,
            hi: m + half,
        });
        let mut row = cells;
        row.extend([n.to_string(), four_decimals(m)]);
        row.extend([four_decimals(m - half), four_decimals(m + half)]);
        csv_rows.push(row);
    }
    write_csv(t, &files.csv, &header, &csv_rows)?;
    let title = format!(
        "{} ({window}, {latest})",
        t.t("Groei per school", "Growth per school")
    );
    // The legend sits under the plot, where it can never hide a school's interval.
    let height = 200 + 34 * shown.len().max(1) as u32;
    let svg = frame::svg(&files.svg, (frame::WIDTH, height), |root| {
        let (plot, _) = root.split_vertically(height - 64);
        draw(&plot, title, &shown, t, &files.svg)?;
        legend_strip(root, &arm_marks(t), (20, height as i32 - 46), &files.svg)?;
        match small.note(t, t.t("school/scholen", "school(s)")) {
            Some(note) => foot_line(root, note, 13, 22, &files.svg),
            None => Ok(()),
        }
    })?;
    out.record(&files, &svg)
}

/// The latest school year of `window` and its schools, with the pupils' annualised gains (the
/// gain here, not a percentile).
fn schools<'a>(growth: &'a Frame, window: &str) -> (String, BTreeMap<String, Group<'a>>) {
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
    let mut schools: BTreeMap<String, Group> = BTreeMap::new();
    for i in 0..growth.len() {
        if w.value(i) != window || y.value(i) != latest {
            continue;
        }
        let (Some(s), Some(g)) = (opt_str(sch, i), opt(gain, i)) else {
            continue;
        };
        let e = schools
            .entry(s.to_string())
            .or_insert_with(|| Group::new(false));
        e.programme |= prog.value(i);
        e.add(pupil.value(i), g);
    }
    (latest, schools)
}

/// Draws each school's mean with its interval, a row per school.
fn draw(
    plot: &Area<'_>,
    title: String,
    shown: &[SchoolPoint],
    t: &Texts,
    path: &Path,
) -> Result<()> {
    let err = |e| chart_err(path, e);
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
    let x = Axis::new(xmin..xmax, 50)
        .tick_label(|v| t.tick(*v))
        .title(t.t(
            "Gemiddelde groei per jaar (schaalpunten), 95%-BI",
            "Mean growth per year (scale points), 95% CI",
        ));
    let y = Axis::new(-0.5f64..(n as f64 - 0.5), label_area(&labels, 14, 90))
        .no_grid()
        .ticks(n)
        .tick_label(|v| labels.get(v.round() as usize).cloned().unwrap_or_default());
    let mut chart = Axes::new(title, x, y).draw(plot, path)?;
    for arm in [true, false] {
        let color = arm_colour(arm);
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
            .map_err(err)?;
        chart
            .draw_series(
                rows.iter()
                    .map(|(i, r)| Circle::new((r.mean, *i as f64), 5, color.filled())),
            )
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, RecordBatch};
    use leerwinst_core::Table;
    use leerwinst_core::pipeline::Language;
    use leerwinst_store::{bool_array, date_array, f64_array, i32_array, str_array};

    use crate::ReportSummary;
    use crate::fonts::FONT_FAMILY;

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
            "E-E",
            &mut ChartTarget {
                dir: dir.path(),
                t: &Texts::new(Language::En),
                min_n: 10,
                summary: &mut summary,
            },
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
}
