//! Growth charts: the distribution per school and per class with the typical-growth band, the
//! status-vs-growth quadrant, and the trend over school years.
//!
//! They all plot one growth percentile per pupil, the best the run has: NWEA's or the norm
//! table's conditional growth percentile (CGP), else the student growth percentile (SGP), else
//! the pupil's rank of growth among all pupils of the same subject, grade, window and year. The
//! axis title says which. Status is the baseline's percentile, 100 * Phi(baseline_z).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_stats::describe::median_sorted;
use leerwinst_stats::dist::phi;
use leerwinst_store::{Frame, opt, opt_str};
use plotters::prelude::*;

use super::{
    GREY, LIGHT, Mark, PALETTE, arm_marks, chart_err, font, legend, legend_strip, pct_tick, record,
    write_csv,
};
use crate::ReportSummary;
use crate::text::Texts;

/// Which growth percentile the charts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Conditional growth percentile (norms).
    Cgp,
    /// Student growth percentile.
    Sgp,
    /// Percentile rank of the (annualised) gain within subject, grade, window and year.
    Rank,
}

impl Measure {
    /// Axis title.
    pub fn label(self, t: &Texts) -> &str {
        match self {
            Measure::Cgp => t.t(
                "Conditioneel groeipercentiel (normgroei)",
                "Conditional growth percentile (growth norms)",
            ),
            Measure::Sgp => t.t(
                "Groeipercentiel (SGP, t.o.v. leerlingen met dezelfde beginscore)",
                "Student growth percentile (SGP, vs pupils with the same starting score)",
            ),
            Measure::Rank => t.t(
                "Groeirang binnen vak en jaargroep (percentiel)",
                "Growth rank within subject and grade (percentile)",
            ),
        }
    }

    /// Short name for CSV files.
    pub fn code(self) -> &'static str {
        match self {
            Measure::Cgp => "cgp",
            Measure::Sgp => "sgp",
            Measure::Rank => "growth_rank",
        }
    }
}

/// One pupil's growth row, reduced to what the charts need.
#[derive(Debug, Clone)]
pub struct Row {
    /// Pseudonymised pupil.
    pub pupil: String,
    /// School in the follow-up year.
    pub school: String,
    /// Class in the follow-up year.
    pub class: Option<String>,
    /// School year of the follow-up test.
    pub year: String,
    /// The school ran the programme.
    pub programme: bool,
    /// Baseline percentile, 100 * Phi(baseline_z).
    pub status: Option<f64>,
    /// Growth percentile (see [`Measure`]).
    pub growth: Option<f64>,
}

/// Growth rows of one window, with the measure chosen for them.
#[derive(Debug, Clone)]
pub struct GrowthRows {
    /// The rows.
    pub rows: Vec<Row>,
    /// The growth percentile used.
    pub measure: Measure,
    /// Latest school year in the window.
    pub latest: String,
    /// The growth window.
    pub window: String,
}

impl GrowthRows {
    /// The rows of `window` from the growth table.
    pub fn of(growth: &Frame, window: &str) -> GrowthRows {
        let w = growth.str("window");
        let idx: Vec<usize> = (0..growth.len())
            .filter(|&i| w.value(i) == window)
            .collect();
        let (cgp, sgp) = (growth.f64("cgp"), growth.i32("sgp"));
        let measure = if idx.iter().any(|&i| opt(cgp, i).is_some()) {
            Measure::Cgp
        } else if idx.iter().any(|&i| opt(sgp, i).is_some()) {
            Measure::Sgp
        } else {
            Measure::Rank
        };
        let ranks = (measure == Measure::Rank).then(|| gain_ranks(growth, &idx));
        let (school, class, year, prog, bz) = (
            growth.str("school_key"),
            growth.str("group_key"),
            growth.str("school_year"),
            growth.bool("programme"),
            growth.f64("baseline_z"),
        );
        let pupil = growth.str("pupil_key");
        let mut rows = Vec::with_capacity(idx.len());
        for (k, &i) in idx.iter().enumerate() {
            let Some(s) = opt_str(school, i) else {
                continue;
            };
            let g = match measure {
                Measure::Cgp => opt(cgp, i),
                Measure::Sgp => opt(sgp, i).map(f64::from),
                Measure::Rank => ranks.as_ref().and_then(|r| r[k]),
            };
            rows.push(Row {
                pupil: pupil.value(i).to_string(),
                school: s.to_string(),
                class: opt_str(class, i).map(str::to_string),
                year: year.value(i).to_string(),
                programme: prog.value(i),
                status: opt(bz, i).map(|z| 100.0 * phi(z)),
                growth: g,
            });
        }
        let latest = rows
            .iter()
            .map(|r| r.year.clone())
            .max()
            .unwrap_or_default();
        GrowthRows {
            rows,
            measure,
            latest,
            window: window.to_string(),
        }
    }
}

/// The window with the most school years (for a trend), `preferred` on a tie; `preferred` when
/// the table is empty.
pub fn trend_window(growth: &Frame, preferred: &str) -> String {
    let (w, y) = (growth.str("window"), growth.str("school_year"));
    let mut years: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in 0..growth.len() {
        years.entry(w.value(i)).or_default().insert(y.value(i));
    }
    let best = |w: &str| years.get(w).map_or(0, BTreeSet::len);
    let mut pick = preferred;
    for &w in years.keys() {
        if best(w) > best(pick) {
            pick = w;
        }
    }
    pick.to_string()
}

/// Mid-rank percentile (ties share the mean rank) of the annualised gain, else the gain, within
/// subject, grade and follow-up year; one entry per index in `idx`.
fn gain_ranks(growth: &Frame, idx: &[usize]) -> Vec<Option<f64>> {
    let (subject, grade, year) = (
        growth.str("subject"),
        growth.i32("grade"),
        growth.str("school_year"),
    );
    let (ann, gain) = (growth.f64("annualised_gain"), growth.f64("gain"));
    // (subject, grade, year) -> (gain, position in idx)
    type Cells = BTreeMap<(String, Option<i32>, String), Vec<(f64, usize)>>;
    let mut cells = Cells::new();
    for (k, &i) in idx.iter().enumerate() {
        let Some(v) = opt(ann, i).or(opt(gain, i)) else {
            continue;
        };
        cells
            .entry((
                subject.value(i).to_string(),
                opt(grade, i),
                year.value(i).to_string(),
            ))
            .or_default()
            .push((v, k));
    }
    let mut out = vec![None; idx.len()];
    for cell in cells.into_values() {
        let values: Vec<f64> = cell.iter().map(|c| c.0).collect();
        for (c, pct) in cell.iter().zip(mid_rank_percentiles(&values)) {
            out[c.1] = Some(pct);
        }
    }
    out
}

/// Percentile of each value's mid-rank: 100 * (rank - 0.5) / n, ties sharing their mean rank.
fn mid_rank_percentiles(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let n = values.len() as f64;
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let pct = 100.0 * ((i + j) as f64 / 2.0 + 0.5) / n;
        for &k in &order[i..=j] {
            out[k] = pct;
        }
        i = j + 1;
    }
    out
}

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
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<usize> {
    let name = "growth_distribution";
    let mut by: BTreeMap<String, (bool, Vec<f64>, BTreeSet<&str>)> = BTreeMap::new();
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
        let e = by.entry(key).or_insert((false, vec![], BTreeSet::new()));
        e.0 |= r.programme;
        e.1.push(g);
        e.2.insert(&r.pupil);
    }
    // Complementary suppression (leerwinst_core::disclosure): within the classes of the school,
    // or the schools of one arm, a group is also hidden when a small one could be computed from
    // it.
    let mut families: BTreeMap<bool, Vec<(&String, usize)>> = BTreeMap::new();
    for (label, v) in &by {
        let arm = school.is_none() && v.0;
        families.entry(arm).or_default().push((label, v.2.len()));
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
    let mut shown = vec![];
    let mut csv_rows = vec![];
    let mut suppressed = 0;
    for (label, (prog, mut g, pupils)) in by {
        if complement.contains(&label) {
            suppressed += 1;
            summary.suppressed.push(format!(
                "{name}: group {label} (hidden so that a group with n < {min_n} cannot be computed from the total)"
            ));
            csv_rows.push(vec![
                label,
                prog.to_string(),
                t.t("verborgen", "hidden").to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        if pupils.len() < min_n {
            suppressed += 1;
            summary
                .suppressed
                .push(format!("{name}: group {label} (n < {min_n})"));
            csv_rows.push(vec![
                label,
                prog.to_string(),
                format!("< {min_n}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        g.sort_by(f64::total_cmp);
        let b = GroupBox {
            label,
            programme: prog,
            pupils: pupils.len(),
            p10: quantile(&g, 0.1),
            p25: quantile(&g, 0.25),
            p50: quantile(&g, 0.5),
            p75: quantile(&g, 0.75),
            p90: quantile(&g, 0.9),
        };
        csv_rows.push(vec![
            b.label.clone(),
            prog.to_string(),
            b.pupils.to_string(),
            format!("{:.1}", b.p10),
            format!("{:.1}", b.p25),
            format!("{:.1}", b.p50),
            format!("{:.1}", b.p75),
            format!("{:.1}", b.p90),
        ]);
        shown.push(b);
    }
    if school.is_some() && shown.is_empty() {
        return Ok(0);
    }
    let level = if school.is_some() { "class" } else { "school" };
    let csv = dir.join(format!("{name}.csv"));
    write_csv(
        t,
        &csv,
        &[
            level,
            "programme",
            "pupils",
            "p10",
            "p25",
            "median",
            "p75",
            "p90",
        ],
        &csv_rows,
    )?;
    let shown_count = shown.len();
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        let n = shown.len().max(1);
        let height = 220 + 36 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
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
        let mut chart = ChartBuilder::on(&root)
            .caption(title, font(22))
            .margin(18)
            .x_label_area_size(50)
            .margin_bottom(72)
            .y_label_area_size(super::label_area(&labels, 14, 60))
            .build_cartesian_2d(0f64..100f64, -0.5f64..(n as f64 - 0.5))
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| {
                // First group at the top.
                let i = n as i64 - 1 - v.round() as i64;
                usize::try_from(i)
                    .ok()
                    .and_then(|i| labels.get(i).cloned())
                    .unwrap_or_default()
            })
            .x_label_formatter(&pct_tick)
            .x_desc(rows.measure.label(t))
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(35.0, -0.5), (65.0, n as f64 - 0.5)],
                RGBColor(0, 158, 115).mix(0.18).filled(),
            )))
            .map_err(|e| chart_err(&path, e))?;
        for (arm, color) in [(true, PALETTE[1]), (false, PALETTE[0])] {
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
                .map_err(|e| chart_err(&path, e))?;
            chart
                .draw_series(items.iter().map(|(y, b)| {
                    Rectangle::new([(b.p25, y - 0.28), (b.p75, y + 0.28)], color.filled())
                }))
                .map_err(|e| chart_err(&path, e))?;
            chart
                .draw_series(items.iter().map(|(y, b)| {
                    PathElement::new(
                        vec![(b.p50, y - 0.34), (b.p50, y + 0.34)],
                        BLACK.stroke_width(3),
                    )
                }))
                .map_err(|e| chart_err(&path, e))?;
        }
        legend_strip(
            &root,
            &[
                arm_marks(t)[0],
                arm_marks(t)[1],
                (
                    Mark::Box(RGBColor(0, 158, 115), 0.18),
                    t.t("typische groei (35-65)", "typical growth (35-65)"),
                ),
            ],
            (20, height as i32 - 46),
            &path,
        )?;
        let foot = format!(
            "{}{}",
            t.t(
                "Balk: middelste helft van de leerlingen; lijn: P10-P90; streep: mediaan.",
                "Box: middle half of the pupils; line: P10-P90; bar: median.",
            ),
            if suppressed > 0 {
                format!(
                    " {} {suppressed} {} (n < {min_n})",
                    t.t("Niet getoond:", "Not shown:"),
                    t.t("groep(en)", "group(s)")
                )
            } else {
                String::new()
            }
        );
        root.draw(&Text::new(
            foot,
            (20, height as i32 - 22),
            font(13).color(&GREY),
        ))
        .map_err(|e| chart_err(&path, e))?;
        root.present().map_err(|e| chart_err(&path, e))?;
    }
    record(summary, t, &path, &svg, &csv)?;
    Ok(shown_count)
}

/// Programme flag, statuses, growths and pupils of one group in the quadrant.
type Cell<'a> = (bool, Vec<f64>, Vec<f64>, BTreeSet<&'a str>);

/// One group's point in the quadrant.
struct QuadPoint {
    level: &'static str,
    label: String,
    programme: bool,
    pupils: usize,
    status: f64,
    growth: f64,
}

/// Status vs growth (as NWEA and mapvizieR draw it): per school (large, labelled) and per class
/// (small), the median baseline percentile against the median growth percentile, latest year.
/// Lines at 50 split high/low achievement and high/low growth.
pub fn status_growth(
    rows: &GrowthRows,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "status_vs_growth";
    let mut schools: BTreeMap<String, Cell> = BTreeMap::new();
    let mut classes: BTreeMap<String, Cell> = BTreeMap::new();
    for r in &rows.rows {
        let (Some(s), Some(g)) = (r.status, r.growth) else {
            continue;
        };
        if r.year != rows.latest {
            continue;
        }
        fn add<'a>(m: &mut BTreeMap<String, Cell<'a>>, k: &str, r: &'a Row, s: f64, g: f64) {
            let e = m
                .entry(k.to_string())
                .or_insert((false, vec![], vec![], BTreeSet::new()));
            e.0 |= r.programme;
            e.1.push(s);
            e.2.push(g);
            e.3.insert(&r.pupil);
        }
        add(&mut schools, &r.school, r, s, g);
        if let Some(c) = &r.class {
            add(&mut classes, c, r, s, g);
        }
    }
    let mut points = vec![];
    let mut csv_rows = vec![];
    let mut suppressed = 0;
    for (level, groups) in [("school", schools), ("class", classes)] {
        for (label, (prog, mut st, mut gr, pupils)) in groups {
            if pupils.len() < min_n {
                suppressed += 1;
                summary
                    .suppressed
                    .push(format!("{name}: {level} {label} (n < {min_n})"));
                csv_rows.push(vec![
                    level.to_string(),
                    label,
                    prog.to_string(),
                    format!("< {min_n}"),
                    String::new(),
                    String::new(),
                ]);
                continue;
            }
            st.sort_by(f64::total_cmp);
            gr.sort_by(f64::total_cmp);
            let p = QuadPoint {
                level,
                label,
                programme: prog,
                pupils: pupils.len(),
                status: median_sorted(&st).unwrap_or(f64::NAN),
                growth: median_sorted(&gr).unwrap_or(f64::NAN),
            };
            csv_rows.push(vec![
                level.to_string(),
                p.label.clone(),
                prog.to_string(),
                p.pupils.to_string(),
                format!("{:.1}", p.status),
                format!("{:.1}", p.growth),
            ]);
            points.push(p);
        }
    }
    let csv = dir.join(format!("{name}.csv"));
    write_csv(
        t,
        &csv,
        &[
            "level",
            "group",
            "programme",
            "pupils",
            "median_baseline_percentile",
            &format!("median_{}", rows.measure.code()),
        ],
        &csv_rows,
    )?;
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        let height = 720;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{} ({})",
                    t.t(
                        "Niveau en groei per school en groep",
                        "Status and growth per school and class"
                    ),
                    rows.latest
                ),
                font(22),
            )
            .margin(18)
            .margin_bottom(40)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..100f64, 0f64..100f64)
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .x_desc(t.t(
                "Beginniveau: mediaan percentiel van de beginscore",
                "Status: median percentile of the starting score",
            ))
            .y_desc(rows.measure.label(t))
            .x_label_formatter(&pct_tick)
            .y_label_formatter(&pct_tick)
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        chart
            .draw_series([
                PathElement::new(vec![(50.0, 0.0), (50.0, 100.0)], GREY.stroke_width(1)),
                PathElement::new(vec![(0.0, 50.0), (100.0, 50.0)], GREY.stroke_width(1)),
            ])
            .map_err(|e| chart_err(&path, e))?;
        let corner = font(13).color(&GREY);
        for (x, y, nl, en) in [
            (
                2.0,
                97.0,
                "laag niveau, hoge groei",
                "low status, high growth",
            ),
            (
                52.0,
                97.0,
                "hoog niveau, hoge groei",
                "high status, high growth",
            ),
            (
                2.0,
                4.0,
                "laag niveau, lage groei",
                "low status, low growth",
            ),
            (
                52.0,
                4.0,
                "hoog niveau, lage groei",
                "high status, low growth",
            ),
        ] {
            chart
                .draw_series(std::iter::once(Text::new(
                    t.t(nl, en),
                    (x, y),
                    corner.clone(),
                )))
                .map_err(|e| chart_err(&path, e))?;
        }
        for (arm, color, label) in [
            (true, PALETTE[1], t.t("programmaschool", "programme school")),
            (
                false,
                PALETTE[0],
                t.t("vergelijkingsschool", "comparison school"),
            ),
        ] {
            let classes: Vec<&QuadPoint> = points
                .iter()
                .filter(|p| p.programme == arm && p.level == "class")
                .collect();
            chart
                .draw_series(
                    classes
                        .iter()
                        .map(|p| Circle::new((p.status, p.growth), 4, color.stroke_width(2))),
                )
                .map_err(|e| chart_err(&path, e))?;
            let schools: Vec<&QuadPoint> = points
                .iter()
                .filter(|p| p.programme == arm && p.level == "school")
                .collect();
            chart
                .draw_series(
                    schools
                        .iter()
                        .map(|p| Circle::new((p.status, p.growth), 8, color.filled())),
                )
                .map_err(|e| chart_err(&path, e))?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 8, y), 6, color.filled()));
        }
        // School codes beside their dots, moved down where they would overlap an earlier one.
        let mut placed: Vec<(f64, f64)> = vec![];
        for p in points.iter().filter(|p| p.level == "school") {
            let (x, mut y) = (p.status + 1.5, p.growth + 1.5);
            while placed
                .iter()
                .any(|&(px, py)| (px - x).abs() < 8.0 && (py - y).abs() < 3.0)
            {
                y -= 3.0;
            }
            placed.push((x, y));
            chart
                .draw_series(std::iter::once(Text::new(
                    p.label.clone(),
                    (x, y),
                    font(13),
                )))
                .map_err(|e| chart_err(&path, e))?;
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight, &path)?;
        let mut foot = t
            .t(
                "Grote stip: school (met code); kleine cirkel: groep.",
                "Large dot: school (with code); small circle: class.",
            )
            .to_string();
        if suppressed > 0 {
            foot.push_str(&format!(
                " {} {suppressed} {} (n < {min_n})",
                t.t("Niet getoond:", "Not shown:"),
                t.t("school/groep(en)", "school(s)/class(es)")
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

/// Trend over school years: each school's median growth percentile per year (thin lines), and
/// the median over the pupils of each arm (thick). A school that ran the programme in any year
/// shown is drawn as a programme school in all years, so its years before the start show. A school-year with fewer than `min_n` pupils
/// leaves a gap.
pub fn growth_trend(
    rows: &GrowthRows,
    dir: &Path,
    t: &Texts,
    min_n: usize,
    summary: &mut ReportSummary,
) -> Result<()> {
    let name = "growth_trend";
    let years: Vec<String> = rows
        .rows
        .iter()
        .map(|r| r.year.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let yi = |y: &str| years.iter().position(|x| x == y).unwrap_or(0) as f64;
    // (school or arm, year) -> (programme, growth values, pupils)
    type Cell<'a> = (bool, Vec<f64>, BTreeSet<&'a str>);
    let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
    let arm_key = |p: bool| {
        if p {
            "~programme".to_string()
        } else {
            "~comparison".to_string()
        }
    };
    // A school belongs to the programme arm in every year when it ran the programme in any
    // year shown, so the years before its start are its own baseline.
    let programme_schools: BTreeSet<&str> = rows
        .rows
        .iter()
        .filter(|r| r.programme)
        .map(|r| r.school.as_str())
        .collect();
    for r in &rows.rows {
        let Some(g) = r.growth else { continue };
        let prog = programme_schools.contains(r.school.as_str());
        for key in [r.school.clone(), arm_key(prog)] {
            let e = cells
                .entry((key, r.year.clone()))
                .or_insert((prog, vec![], BTreeSet::new()));
            e.1.push(g);
            e.2.insert(&r.pupil);
        }
    }
    let mut lines: BTreeMap<String, (bool, Vec<(f64, f64)>)> = BTreeMap::new();
    let mut csv_rows = vec![];
    let mut suppressed = 0;
    for ((key, year), (prog, mut g, pupils)) in cells {
        let (level, label) = match key.strip_prefix('~') {
            Some(arm) => ("arm", arm.to_string()),
            None => ("school", key.clone()),
        };
        if pupils.len() < min_n {
            suppressed += 1;
            summary
                .suppressed
                .push(format!("{name}: {level} {label} {year} (n < {min_n})"));
            csv_rows.push(vec![
                level.into(),
                label,
                year,
                prog.to_string(),
                format!("< {min_n}"),
                String::new(),
            ]);
            continue;
        }
        g.sort_by(f64::total_cmp);
        let m = median_sorted(&g).unwrap_or(f64::NAN);
        csv_rows.push(vec![
            level.into(),
            label,
            year.clone(),
            prog.to_string(),
            pupils.len().to_string(),
            format!("{m:.1}"),
        ]);
        let e = lines.entry(key).or_insert((prog, vec![]));
        e.1.push((yi(&year), m));
    }
    let csv = dir.join(format!("{name}.csv"));
    write_csv(
        t,
        &csv,
        &[
            "level",
            "group",
            "school_year",
            "programme",
            "pupils",
            &format!("median_{}", rows.measure.code()),
        ],
        &csv_rows,
    )?;
    let path = dir.join(format!("{name}.svg"));
    let mut svg = String::new();
    {
        let height = 560;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&path, e))?;
        let k = years.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "{} ({} {})",
                    t.t("Groei door de jaren heen", "Growth over the years"),
                    t.t("periode", "window"),
                    rows.window
                ),
                font(22),
            )
            .margin(18)
            .margin_right(40)
            .margin_bottom(34)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.4f64..(k - 0.6), 0f64..100f64)
            .map_err(|e| chart_err(&path, e))?;
        chart
            .configure_mesh()
            .label_style(font(14))
            .axis_desc_style(font(15))
            .light_line_style(LIGHT)
            .disable_x_mesh()
            .x_labels(years.len().max(1))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 {
                    years.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(t.t(
                "Schooljaar van de eindtoets",
                "School year of the follow-up test",
            ))
            .y_desc(t.t("Mediaan groeipercentiel", "Median growth percentile"))
            .y_label_formatter(&pct_tick)
            .draw()
            .map_err(|e| chart_err(&path, e))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.4, 50.0), (k - 0.6, 50.0)],
                GREY.stroke_width(1),
            )))
            .map_err(|e| chart_err(&path, e))?;
        for (key, (prog, pts)) in &lines {
            let color = if *prog { PALETTE[1] } else { PALETTE[0] };
            let arm = key.starts_with('~');
            let width = if arm { 4 } else { 1 };
            let series = chart
                .draw_series(LineSeries::new(
                    pts.iter().copied(),
                    color.stroke_width(width),
                ))
                .map_err(|e| chart_err(&path, e))?;
            if arm {
                let label = if *prog {
                    t.t(
                        "programmascholen, ook vóór de start (alle leerlingen)",
                        "programme schools, also before the start (all pupils)",
                    )
                } else {
                    t.t(
                        "vergelijkingsscholen (alle leerlingen)",
                        "comparison schools (all pupils)",
                    )
                };
                series.label(label).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(4))
                });
            }
            chart
                .draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, if arm { 6 } else { 3 }, color.filled())),
                )
                .map_err(|e| chart_err(&path, e))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft, &path)?;
        let mut foot = format!(
            "{} {}",
            t.t(
                "Dunne lijn: één school. Maat:",
                "Thin line: one school. Measure:"
            ),
            rows.measure.label(t)
        );
        if suppressed > 0 {
            foot.push_str(&format!(
                ". {} {suppressed} (n < {min_n})",
                t.t("Niet getoond (school-jaren):", "Not shown (school-years):")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mid_ranks_share_ties_and_centre_on_50() {
        // R: 100 * (rank(c(5, 1, 3, 3)) - 0.5) / 4 = 87.5 12.5 50 50
        assert_eq!(
            mid_rank_percentiles(&[5.0, 1.0, 3.0, 3.0]),
            vec![87.5, 12.5, 50.0, 50.0]
        );
        assert_eq!(mid_rank_percentiles(&[7.0]), vec![50.0]);
        let p = mid_rank_percentiles(&(0..99).map(f64::from).collect::<Vec<_>>());
        assert!((p.iter().sum::<f64>() / 99.0 - 50.0).abs() < 1e-9);
    }

    #[test]
    fn quantile_is_r_type_7() {
        // R: quantile(c(1, 2, 4, 8, 16), c(.1, .25, .5, .9)) = 1.4 2 4 12.8
        let v = [1.0, 2.0, 4.0, 8.0, 16.0];
        for (p, want) in [(0.1, 1.4), (0.25, 2.0), (0.5, 4.0), (0.9, 12.8)] {
            assert!((quantile(&v, p) - want).abs() < 1e-12, "{p}");
        }
    }
}
