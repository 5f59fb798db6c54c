//! The growth rows every comparison design starts from: the rows of the pipeline's window in
//! follow-up years with any programme pupil (from `from_year` on) whose school is known, and each
//! row's self-regulation tercile and index.

use std::collections::{BTreeSet, HashMap};

use arrow_array::Array;
use leerwinst_core::SchoolYear;
use leerwinst_store::{Frame, opt};

/// A pupil's SRL tercile and index in one school year.
#[derive(Debug, Clone, Copy)]
struct Srl {
    tercile: Option<i32>,
    index: Option<f64>,
}

/// The window's growth rows and the self-regulation lookup.
pub struct WindowRows<'a> {
    growth: &'a Frame,
    /// Growth-row indices in the sample, in table order.
    pub rows: Vec<usize>,
    /// Follow-up years compared.
    pub years: Vec<String>,
    /// SRL tercile and index by pupil and school year.
    srl: HashMap<(&'a str, &'a str), Srl>,
    /// Take the moderators from the year before the follow-up year.
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
        let (sp, sy, st, si) = (
            srl.str("pupil_key"),
            srl.str("school_year"),
            srl.i32("srl_tercile"),
            srl.f64("srl_index"),
        );
        let srl = (0..srl.len())
            .map(|i| {
                let srl = Srl {
                    tercile: opt(st, i),
                    index: opt(si, i),
                };
                ((sp.value(i), sy.value(i)), srl)
            })
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
            srl,
            prior_year_moderator: moderator_in_baseline_year && yearly,
        }
    }

    /// The SRL tercile of growth row `i`.
    pub fn tercile(&self, i: usize) -> Option<i32> {
        self.srl(i)?.tercile
    }

    /// The SRL index (the composite) of growth row `i`.
    pub fn srl_index(&self, i: usize) -> Option<f64> {
        self.srl(i)?.index
    }

    /// The SRL tercile and index of growth row `i`, from the moderator's school year.
    fn srl(&self, i: usize) -> Option<Srl> {
        let year = self.growth.str("school_year").value(i);
        let moderator_year = if self.prior_year_moderator {
            SchoolYear::parse(year)?.prev().to_string()
        } else {
            year.to_string()
        };
        let pupil = self.growth.str("pupil_key").value(i);
        self.srl.get(&(pupil, moderator_year.as_str())).copied()
    }
}
