//! What every observational design reads of a pupil's growth row in the window: one type,
//! [`PupilGrowth`], read by one function, [`GrowthColumns::row`]. The designs' observation types
//! (regression's [`crate::Obs`], [`crate::matching::Unit`], [`crate::vcg::Unit`]) hold it beside
//! what only they need.

use arrow_array::{BooleanArray, Float64Array, Int32Array, StringArray};
use leerwinst_store::{Frame, opt};

/// A pupil's growth row of the window, as every observational design reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PupilGrowth {
    /// Subject.
    pub subject: String,
    /// Follow-up grade (the exact-matching stratum of matching and the VCG).
    pub grade: i32,
    /// School (the cluster).
    pub school: String,
    /// Programme arm.
    pub treated: bool,
    /// Standardised follow-up (the outcome).
    pub followup_z: f64,
    /// SRL tercile (1-3), when known.
    pub tercile: Option<i32>,
    /// Baseline quintile (1-5) within subject, grade, term and year, when known.
    pub quintile: Option<i32>,
}

/// The growth table's columns a [`PupilGrowth`] is read from.
pub struct GrowthColumns<'a> {
    subject: &'a StringArray,
    school: &'a StringArray,
    grade: &'a Int32Array,
    programme: &'a BooleanArray,
    followup_z: &'a Float64Array,
    quintile: &'a Int32Array,
}

impl<'a> GrowthColumns<'a> {
    /// The columns of the growth table `growth`.
    pub fn new(growth: &'a Frame) -> Self {
        GrowthColumns {
            subject: growth.str("subject"),
            school: growth.str("school_key"),
            grade: growth.i32("grade"),
            programme: growth.bool("programme"),
            followup_z: growth.f64("followup_z"),
            quintile: growth.i32("baseline_quintile"),
        }
    }

    /// Row `i` with its SRL `tercile`, or `None` when it has no grade or follow-up score.
    pub fn row(&self, i: usize, tercile: Option<i32>) -> Option<PupilGrowth> {
        Some(PupilGrowth {
            subject: self.subject.value(i).to_string(),
            grade: opt(self.grade, i)?,
            school: self.school.value(i).to_string(),
            treated: self.programme.value(i),
            followup_z: opt(self.followup_z, i)?,
            tercile,
            quintile: opt(self.quintile, i),
        })
    }
}
