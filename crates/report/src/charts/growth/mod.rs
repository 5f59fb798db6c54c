//! Growth charts: the mean gain per school ([`by_school`]), the distribution per school and per
//! class with the typical-growth band ([`distribution`]), the status-vs-growth quadrant
//! ([`status`]), and the trend over school years ([`trend`]).
//!
//! All but the first plot one growth percentile per pupil, the best the run has: NWEA's or the
//! norm table's conditional growth percentile (CGP), else the student growth percentile (SGP),
//! else the pupil's rank of growth among all pupils of the same subject, grade, window and year
//! ([`rows`]). The axis title says which. Status is the baseline's percentile,
//! 100 * Phi(baseline_z).

pub(crate) mod by_school;
pub(crate) mod distribution;
pub(crate) mod rows;
pub(crate) mod status;
pub(crate) mod trend;

use std::collections::BTreeSet;

pub use by_school::growth_by_school;
pub use distribution::growth_distribution;
pub use rows::{GrowthRows, Row, trend_window};
pub use status::status_growth;
pub use trend::growth_trend;

/// One group's pupils (a school, a class, an arm in a year) and their growth percentiles.
struct Group<'a> {
    /// Any of its pupils is in a programme school.
    programme: bool,
    /// The pupils' growth percentiles.
    growth: Vec<f64>,
    /// The pupils, each counted once.
    pupils: BTreeSet<&'a str>,
}

impl<'a> Group<'a> {
    /// An empty group of arm `programme`.
    fn new(programme: bool) -> Self {
        Group {
            programme,
            growth: vec![],
            pupils: BTreeSet::new(),
        }
    }

    /// Adds `pupil`'s growth percentile `growth`.
    fn add(&mut self, pupil: &'a str, growth: f64) {
        self.growth.push(growth);
        self.pupils.insert(pupil);
    }
}
