//! The growth rows every comparison design starts from: the rows of the pipeline's window in
//! follow-up years with any programme pupil (from `from_year` on) whose school is known, and each
//! row's self-regulation tercile.

use std::collections::{BTreeSet, HashMap};

use arrow_array::Array;
use leerwinst_core::SchoolYear;
use leerwinst_store::{Frame, opt};

/// The window's growth rows and the tercile lookup.
pub struct WindowRows<'a> {
    growth: &'a Frame,
    /// Growth-row indices in the sample, in table order.
    pub rows: Vec<usize>,
    /// Follow-up years compared.
    pub years: Vec<String>,
    terciles: HashMap<(&'a str, &'a str), i32>,
    /// Take the tercile from the year before the follow-up year.
    prior_year_moderator: bool,
}

impl<'a> WindowRows<'a> {
    /// Selects the rows. With `moderator_in_baseline_year` and a year-on-year window the SRL
    /// tercile comes from the baseline year (before the programme), so it is not an outcome.
    pub fn new(
        growth: &'a Frame,
        srl: &'a Frame,
        window: &str,
        from_year: Option<SchoolYear>,
        moderator_in_baseline_year: bool,
    ) -> Self {
        let (sp, sy, st) = (
            srl.str("pupil_key"),
            srl.str("school_year"),
            srl.i32("srl_tercile"),
        );
        let terciles = (0..srl.len())
            .filter_map(|i| opt(st, i).map(|t| ((sp.value(i), sy.value(i)), t)))
            .collect();
        let (gw, gy, gsch, gprog) = (
            growth.str("window"),
            growth.str("school_year"),
            growth.str("school_key"),
            growth.bool("programme"),
        );
        let years: BTreeSet<String> = (0..growth.len())
            .filter(|&i| gw.value(i) == window && gprog.value(i))
            .map(|i| gy.value(i).to_string())
            .filter(|y| from_year.is_none_or(|f| SchoolYear::parse(y).is_some_and(|y| y >= f)))
            .collect();
        let rows = (0..growth.len())
            .filter(|&i| gw.value(i) == window && years.contains(gy.value(i)) && !gsch.is_null(i))
            .collect();
        let yearly = leerwinst_core::term::window_is_yearly(window) == Some(true);
        WindowRows {
            growth,
            rows,
            years: years.into_iter().collect(),
            terciles,
            prior_year_moderator: moderator_in_baseline_year && yearly,
        }
    }

    /// The SRL tercile of growth row `i`.
    pub fn tercile(&self, i: usize) -> Option<i32> {
        let year = self.growth.str("school_year").value(i);
        let moderator_year = if self.prior_year_moderator {
            SchoolYear::parse(year)?.prev().to_string()
        } else {
            year.to_string()
        };
        let pupil = self.growth.str("pupil_key").value(i);
        self.terciles
            .get(&(pupil, moderator_year.as_str()))
            .copied()
    }
}
