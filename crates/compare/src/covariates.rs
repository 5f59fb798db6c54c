//! Pupil and school covariates of a growth row, by name, for the designs that adjust or match
//! on them: `baseline_z`, `baseline_score` (growth), `ses_weight`, `special_needs` (pupils),
//! `school_weight` (schools).

use std::collections::HashMap;

use arrow_array::Array;
use leerwinst_store::{Frame, opt};

/// Looks covariates up for rows of a growth table.
pub struct Covariates<'a> {
    growth: &'a Frame,
    pupil: HashMap<&'a str, (Option<f64>, Option<f64>)>,
    school: HashMap<&'a str, Option<f64>>,
}

impl<'a> Covariates<'a> {
    /// Indexes the pupils and schools tables.
    pub fn new(growth: &'a Frame, pupils: &'a Frame, schools: &'a Frame) -> Self {
        let (pk, pw, pn) = (
            pupils.str("pupil_key"),
            pupils.f64("ses_weight"),
            pupils.bool("special_needs"),
        );
        let pupil = (0..pupils.len())
            .map(|i| {
                (
                    pk.value(i),
                    (
                        opt(pw, i),
                        (!pn.is_null(i)).then(|| f64::from(u8::from(pn.value(i)))),
                    ),
                )
            })
            .collect();
        let (sk, sw) = (schools.str("school_key"), schools.f64("school_weight"));
        let school = (0..schools.len())
            .map(|i| (sk.value(i), opt(sw, i)))
            .collect();
        Covariates {
            growth,
            pupil,
            school,
        }
    }

    /// Covariate `name` of growth row `i`; None when unknown (or not a covariate).
    pub fn value(&self, name: &str, i: usize) -> Option<f64> {
        let g = self.growth;
        match name {
            "baseline_z" => opt(g.f64("baseline_z"), i),
            "baseline_score" => Some(g.f64("baseline_score").value(i)),
            "ses_weight" => self.pupil.get(g.str("pupil_key").value(i))?.0,
            "special_needs" => self.pupil.get(g.str("pupil_key").value(i))?.1,
            "school_weight" => {
                let s = g.str("school_key");
                if s.is_null(i) {
                    return None;
                }
                self.school.get(s.value(i)).copied().flatten()
            }
            _ => None,
        }
    }

    /// All of `names` for row `i`, or None when one is unknown.
    pub fn values(&self, names: &[String], i: usize) -> Option<Vec<f64>> {
        names.iter().map(|n| self.value(n, i)).collect()
    }
}
