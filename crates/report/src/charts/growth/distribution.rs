//! The growth percentile distribution per school (the board) or per class (one school): box
//! plots around the typical-growth band.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::Result;
use plotters::prelude::*;

use super::{Group, GrowthRows};
use crate::charts::files::{ChartTarget, chart_err, write_csv};
use crate::charts::frame::{
    self, Area, Axes, Axis, Mark, SmallGroups, arm_colour, arm_marks, foot_line, legend_strip,
};
use crate::charts::style::{label_area, pct_tick};
use crate::text::Texts;

/// Colour of the typical-growth band (bluish green) and its opacity.
const BAND: (RGBColor, f64) = (RGBColor(0, 158, 115), 0.18);

/// The summary of one group's growth percentiles.
#[derive(Debug, Clone)]
struct GroupBox {
    label: String,
    programme: bool,
    pupils: usize,
    p10: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p90: f64,
}

/// Type-7 quantile (R's default) of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Growth percentile distribution per group: per school for the board (`school = None`), per
/// class within one school otherwise. Box = middle half, whiskers = P10-P90, line = median; the
/// shaded band is typical growth (percentile 35-65, the SGP convention). Latest year only;
/// groups below `min_n` pupils are counted in a note, never drawn. Returns the groups drawn; a
/// school's chart is not written at all when none of its classes can be shown.
pub fn growth_distribution(
    rows: &GrowthRows,
    school: Option<&str>,
    out: &mut ChartTarget,
) -> Result<usize> {
    let (t, min_n) = (out.t, out.min_n);
    let name = "growth_distribution";
    let groups = groups(rows, school);
    let complement = complement(&groups, school, min_n);
    let level = if school.is_some() { "class" } else { "school" };
    let header = [
        level,
        "programme",
        "pupils",
        "p10",
        "p25",
        "median",
        "p75",
        "p90",
    ];
    let mut small = SmallGroups::new(name, min_n);
    let mut shown = vec![];
    let mut csv_rows = vec![];
    for (label, group) in groups {
        let cells = vec![label.clone(), group.programme.to_string()];
        if complement.contains(&label) {
            let why = format!(
                "group {label} (hidden so that a group with n < {min_n} cannot be computed from the total)"
            );
            let mark = t.t("verborgen", "hidden").to_string();
            csv_rows.push(small.hide(out.summary, why, cells, mark, header.len()));
        } else if small.too_small(group.pupils.len()) {
            let group = format!("group {label}");
            csv_rows.push(small.leave_out(out.summary, &group, cells, header.len()));
        } else {
            let b = group_box(label, group);
            let mut row = cells;
            row.push(b.pupils.to_string());
            row.extend([b.p10, b.p25, b.p50, b.p75, b.p90].map(|p| format!("{p:.1}")));
            csv_rows.push(row);
            shown.push(b);
        }
    }
    if school.is_some() && shown.is_empty() {
        return Ok(0);
    }
    let files = out.files(name);
    write_csv(t, &files.csv, &header, &csv_rows)?;
    let height = 220 + 36 * shown.len().max(1) as u32;
    let svg = frame::svg(&files.svg, (frame::WIDTH, height), |root| {
        draw(root, rows, school, &shown, t, &files.svg)?;
        let mut foot = t
            .t(
                "Balk: middelste helft van de leerlingen; lijn: P10-P90; streep: mediaan.",
                "Box: middle half of the pupils; line: P10-P90; bar: median.",
            )
            .to_string();
        if let Some(note) = small.note(t, t.t("groep(en)", "group(s)")) {
            foot = format!("{foot} {note}");
        }
        foot_line(root, foot, 13, 22, &files.svg)
    })?;
    out.record(&files, &svg)?;
    Ok(shown.len())
}

/// The groups of the latest year: the schools (`school = None`) or the classes of `school`.
fn groups<'a>(rows: &'a GrowthRows, school: Option<&str>) -> BTreeMap<String, Group<'a>> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for r in &rows.rows {
        if r.year != rows.latest || school.is_some_and(|s| s != r.school) {
            continue;
        }
        let key = match school {
            None => r.school.clone(),
            Some(_) => match &r.class {
                Some(c) => c.clone(),
                None => continue,
            },
        };
        let Some(g) = r.growth else { continue };
        let group = groups.entry(key).or_insert_with(|| Group::new(false));
        group.programme |= r.programme;
        group.add(&r.pupil, g);
    }
    groups
}

/// The groups hidden by complementary suppression (leerwinst_core::disclosure) though large
/// enough: within the classes of the school, or the schools of one arm, a group is also hidden
/// when a small one could be computed from it.
fn complement(
    groups: &BTreeMap<String, Group>,
    school: Option<&str>,
    min_n: usize,
) -> BTreeSet<String> {
    let mut families: BTreeMap<bool, Vec<(&String, usize)>> = BTreeMap::new();
    for (label, g) in groups {
        let arm = school.is_none() && g.programme;
        families
            .entry(arm)
            .or_default()
            .push((label, g.pupils.len()));
    }
    let mut complement = BTreeSet::new();
    for family in families.values() {
        let sizes: Vec<usize> = family.iter().map(|f| f.1).collect();
        let hide = leerwinst_core::disclosure::hidden(&sizes, min_n);
        for ((label, n), hide) in family.iter().zip(hide) {
            if hide && *n >= min_n {
                complement.insert((*label).clone());
            }
        }
    }
    complement
}

/// The box of a group shown.
fn group_box(label: String, group: Group) -> GroupBox {
    let mut g = group.growth;
    g.sort_by(f64::total_cmp);
    GroupBox {
        label,
        programme: group.programme,
        pupils: group.pupils.len(),
        p10: quantile(&g, 0.1),
        p25: quantile(&g, 0.25),
        p50: quantile(&g, 0.5),
        p75: quantile(&g, 0.75),
        p90: quantile(&g, 0.9),
    }
}

/// Draws the boxes, first group at the top, over the typical-growth band, and the legend strip.
fn draw(
    root: &Area<'_>,
    rows: &GrowthRows,
    school: Option<&str>,
    shown: &[GroupBox],
    t: &Texts,
    path: &Path,
) -> Result<()> {
    let err = |e| chart_err(path, e);
    let n = shown.len().max(1);
    let (_, height) = root.dim_in_pixel();
    let title = match school {
        None => format!(
            "{} ({})",
            t.t("Groei per school", "Growth per school"),
            rows.latest
        ),
        Some(s) => format!(
            "{}, {} ({})",
            t.t("Groei per groep", "Growth per class"),
            t.school(s),
            rows.latest
        ),
    };
    // Schools by name; classes by their keys.
    let labels: Vec<String> = shown
        .iter()
        .map(|b| match school {
            None => t.school(&b.label).to_string(),
            Some(_) => b.label.clone(),
        })
        .collect();
    let x = Axis::new(0f64..100f64, 50)
        .tick_label(pct_tick)
        .title(rows.measure.label(t));
    let y = Axis::new(-0.5f64..(n as f64 - 0.5), label_area(&labels, 14, 60))
        .no_grid()
        .ticks(n)
        .tick_label(|v| {
            // First group at the top.
            let i = n as i64 - 1 - v.round() as i64;
            usize::try_from(i)
                .ok()
                .and_then(|i| labels.get(i).cloned())
                .unwrap_or_default()
        });
    let mut chart = Axes::new(title, x, y).margin_bottom(72).draw(root, path)?;
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(35.0, -0.5), (65.0, n as f64 - 0.5)],
            BAND.0.mix(BAND.1).filled(),
        )))
        .map_err(err)?;
    for arm in [true, false] {
        let color = arm_colour(arm);
        let items: Vec<(f64, &GroupBox)> = shown
            .iter()
            .enumerate()
            .filter(|(_, b)| b.programme == arm)
            .map(|(i, b)| ((n - 1 - i) as f64, b))
            .collect();
        if items.is_empty() {
            continue;
        }
        chart
            .draw_series(items.iter().map(|(y, b)| {
                PathElement::new(vec![(b.p10, *y), (b.p90, *y)], color.stroke_width(2))
            }))
            .map_err(err)?;
        chart
            .draw_series(items.iter().map(|(y, b)| {
                Rectangle::new([(b.p25, y - 0.28), (b.p75, y + 0.28)], color.filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(items.iter().map(|(y, b)| {
                PathElement::new(
                    vec![(b.p50, y - 0.34), (b.p50, y + 0.34)],
                    BLACK.stroke_width(3),
                )
            }))
            .map_err(err)?;
    }
    let [programme, comparison] = arm_marks(t);
    let band = (
        Mark::Box(BAND.0, BAND.1),
        t.t("typische groei (35-65)", "typical growth (35-65)"),
    );
    legend_strip(
        root,
        &[programme, comparison, band],
        (20, height as i32 - 46),
        path,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_is_r_type_7() {
        // R: quantile(c(1, 2, 4, 8, 16), c(.1, .25, .5, .9)) = 1.4 2 4 12.8
        let v = [1.0, 2.0, 4.0, 8.0, 16.0];
        for (p, want) in [(0.1, 1.4), (0.25, 2.0), (0.5, 4.0), (0.9, 12.8)] {
            assert!((quantile(&v, p) - want).abs() < 1e-12, "{p}");
        }
    }
}
