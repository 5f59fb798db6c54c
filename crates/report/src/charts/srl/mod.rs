//! Self-regulation charts, from `indicators/srl.parquet`: the profile per SRL tercile
//! ([`profile`]), the profile per school as a heat map ([`by_school`]), and self-regulation
//! against growth ([`vs_growth`]). Here: the indicators they show, and the latest school year's
//! rows they read.

pub(crate) mod by_school;
pub(crate) mod profile;
pub(crate) mod vs_growth;

use arrow_array::Float64Array;
use leerwinst_stats::describe::mean_sd;
use leerwinst_store::{Frame, opt};

pub use by_school::srl_by_school;
pub use profile::srl_profile;
pub use vs_growth::srl_vs_growth;

use crate::text::Texts;

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

/// The latest school year of the SRL table and the indices of its rows.
fn latest_year(srl: &Frame) -> (String, Vec<usize>) {
    let year = srl.str("school_year");
    let latest = (0..srl.len())
        .map(|i| year.value(i))
        .max()
        .unwrap_or("")
        .to_string();
    let rows = (0..srl.len())
        .filter(|&i| year.value(i) == latest)
        .collect();
    (latest, rows)
}

/// The mean and standard deviation of an indicator over `rows`, to z-score it: None with fewer
/// than two values or without spread.
fn scale(values: &Float64Array, rows: &[usize]) -> Option<(f64, f64)> {
    let vals: Vec<f64> = rows.iter().filter_map(|&i| opt(values, i)).collect();
    if vals.len() < 2 {
        return None;
    }
    let (m, sd) = mean_sd(&vals);
    (sd > 0.0).then_some((m, sd))
}

/// The mean z-score of the indicator `values` over the rows `rows` that `keep`, scaled by
/// `(mean, sd)`, and how many values it averages.
fn mean_z(
    values: &Float64Array,
    rows: &[usize],
    (m, sd): (f64, f64),
    keep: impl Fn(usize) -> bool,
) -> (f64, usize) {
    let zs: Vec<f64> = rows
        .iter()
        .filter(|&&i| keep(i))
        .filter_map(|&i| opt(values, i))
        .map(|v| (v - m) / sd)
        .collect();
    (zs.iter().sum::<f64>() / zs.len() as f64, zs.len())
}
