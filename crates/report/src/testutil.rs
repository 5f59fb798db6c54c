//! Test inputs: effects tables built row by row with the current schema.

use arrow_array::{ArrayRef, RecordBatch};
use leerwinst_core::Table;
use leerwinst_store::{Frame, f64_array, i64_array, str_array};

/// One row of `effects/effects.parquet`, with defaults for what a test does not care about.
#[derive(Debug, Clone)]
pub struct EffectRow {
    pub design: &'static str,
    pub subject: &'static str,
    pub subgroup: &'static str,
    pub level: String,
    pub n_treated: i64,
    pub n_comparison: i64,
    pub estimate: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub p: Option<f64>,
    pub method: &'static str,
    pub df: Option<f64>,
    pub clusters_programme: i64,
    pub clusters_comparison: i64,
    pub note: Option<&'static str>,
}

/// An overall row of `design` for `subject` with estimate `est` and interval `ci`: 200 and 300
/// pupils, 8 programme and 10 comparison schools, CR2 with 9.5 df, p 0.01.
pub fn row(design: &'static str, subject: &'static str, est: f64, ci: (f64, f64)) -> EffectRow {
    EffectRow {
        design,
        subject,
        subgroup: "overall",
        level: "all".into(),
        n_treated: 200,
        n_comparison: 300,
        estimate: Some(est),
        ci: Some(ci),
        p: Some(0.01),
        method: "CR2 + Satterthwaite df",
        df: Some(9.5),
        clusters_programme: 8,
        clusters_comparison: 10,
        note: None,
    }
}

/// The effects table of `rows`.
pub fn effects(rows: &[EffectRow]) -> Frame {
    let n = rows.len();
    let s = |f: &dyn Fn(&EffectRow) -> Option<String>| -> ArrayRef {
        str_array(&rows.iter().map(f).collect::<Vec<_>>())
    };
    let f = |f: &dyn Fn(&EffectRow) -> Option<f64>| f64_array(rows.iter().map(f).collect());
    let i = |f: &dyn Fn(&EffectRow) -> i64| i64_array(rows.iter().map(|r| Some(f(r))).collect());
    let cols: Vec<ArrayRef> = vec![
        s(&|r| Some(r.design.into())),
        s(&|_| Some("followup_z (E-E)".into())),
        s(&|r| Some(r.subject.into())),
        s(&|r| Some(r.subgroup.into())),
        s(&|r| Some(r.level.clone())),
        i(&|r| r.n_treated),
        i(&|r| r.n_comparison),
        i(&|r| r.clusters_programme + r.clusters_comparison),
        f(&|r| r.estimate),
        f(&|r| r.ci.map(|(l, h)| (h - l) / 3.92)),
        f(&|r| r.ci.map(|c| c.0)),
        f(&|r| r.ci.map(|c| c.1)),
        f(&|r| r.estimate),
        f(&|r| r.estimate.map(|e| 40.0 * e)),
        f(&|r| r.p),
        f64_array(vec![None; n]),
        s(&|r| Some(r.method.into())),
        f(&|r| r.df),
        i(&|r| r.clusters_programme),
        i(&|r| r.clusters_comparison),
        s(&|r| r.note.map(str::to_string)),
    ];
    Frame {
        path: "effects".into(),
        batch: RecordBatch::try_new(Table::Effects.schema(), cols).unwrap(),
    }
}
