//! Row types of the warehouse tables and their conversion to Arrow columns (order as in
//! `leerwinst_core::schema`).

use arrow_array::ArrayRef;
use leerwinst_store::{
    bool_array, date_array, f64_array, i32_array, i64_array, str_array, ts_array,
};
use rayon::prelude::*;

/// A `pupils` row.
#[derive(Debug, Clone, PartialEq)]
pub struct PupilRow {
    /// Pseudonym.
    pub pupil_key: String,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// 'm', 'f', 'x'.
    pub gender: Option<String>,
    /// Pupil weight.
    pub ses_weight: Option<f64>,
    /// Special needs.
    pub special_needs: Option<bool>,
}

/// A `schools` row.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolRow {
    /// School id.
    pub school_key: String,
    /// Name.
    pub school_name: Option<String>,
    /// First programme year, `YYYY-YYYY`.
    pub programme_from: Option<String>,
    /// School weight.
    pub school_weight: Option<f64>,
}

/// An `enrollments` row.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollmentRow {
    /// Pseudonym.
    pub pupil_key: String,
    /// `YYYY-YYYY`.
    pub school_year: String,
    /// School id.
    pub school_key: String,
    /// Class id.
    pub group_key: Option<String>,
    /// Grade.
    pub grade: Option<i32>,
    /// Programme that year.
    pub programme: bool,
    /// Start (Date32 days).
    pub from: Option<i32>,
    /// End (Date32 days).
    pub to: Option<i32>,
}

/// An `assessments` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRow {
    /// Pseudonym.
    pub pupil_key: String,
    /// Canonical subject.
    pub subject: String,
    /// Instrument.
    pub instrument: String,
    /// Date32 days; None when the export has only the school year.
    pub administered_on: Option<i32>,
    /// Moment code.
    pub term: String,
    /// `YYYY-YYYY`.
    pub school_year: String,
    /// Grade.
    pub grade: Option<i32>,
    /// Scale score.
    pub score: f64,
    /// SEM.
    pub sem: Option<f64>,
    /// Percentile.
    pub percentile: Option<f64>,
    /// Level.
    pub level: Option<String>,
    /// Referentieniveau, canonical (`ReferenceLevel::code`).
    pub reference_level: Option<&'static str>,
    /// Functioneringsniveau as exported.
    pub functioning_level: Option<String>,
    /// Didactische leeftijdsequivalent.
    pub dle: Option<f64>,
}

/// A `reported_growth` row: growth figures as the test publisher reported them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportedGrowthRow {
    /// Pseudonym.
    pub pupil_key: String,
    /// Canonical subject.
    pub subject: String,
    /// Window name (`F-S`, ...).
    pub window: &'static str,
    /// School year of the window's second test.
    pub school_year: String,
    /// Projected (typical) growth.
    pub projected_growth: Option<f64>,
    /// Observed growth.
    pub observed_growth: Option<f64>,
    /// Its standard error.
    pub observed_growth_se: Option<f64>,
    /// Met the projection.
    pub met_projected: Option<bool>,
    /// Conditional growth index.
    pub cgi: Option<f64>,
    /// Conditional growth percentile.
    pub cgp: Option<f64>,
    /// `nwea-cdf` or `nwea-cdf-typical`.
    pub source: &'static str,
}

/// An `attributes` row: one named attribute of a pupil in a school year.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeRow {
    /// Pseudonym.
    pub pupil_key: String,
    /// `YYYY-YYYY`.
    pub school_year: String,
    /// Attribute name.
    pub name: &'static str,
    /// Categorical value.
    pub value: Option<String>,
    /// Numeric value.
    pub number: Option<f64>,
}

/// Text that many rows share (an event's pupil key, school year, verb or activity id recurs in
/// thousands of events): cloning it copies a pointer, so each distinct value is allocated once.
pub type Shared = std::sync::Arc<str>;

thread_local! {
    /// School years (`YYYY-YYYY`) by first calendar year, as this thread has shared them.
    static YEARS: std::cell::RefCell<Vec<(i32, Shared)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The school year of an event on a (Dutch local) date in `calendar`, as shared text: formatted
/// once per school year and thread, not once per event.
pub fn event_school_year(calendar: leerwinst_core::Calendar, local: chrono::NaiveDate) -> Shared {
    let y = calendar.year_of(local);
    YEARS.with(|v| {
        let mut v = v.borrow_mut();
        if let Some((_, x)) = v.iter().find(|(k, _)| *k == y.0) {
            return x.clone();
        }
        let x: Shared = y.to_string().into();
        v.push((y.0, x.clone()));
        x
    })
}

/// Distinct values a thread keeps shared before starting afresh (a file whose every
/// statement names a new activity would otherwise grow the set without bound).
const INTERN_LIMIT: usize = 1 << 20;

thread_local! {
    /// Verbs, activity, task and subject ids (and spilled rows' strings) seen by this thread.
    static INTERNED: std::cell::RefCell<rustc_hash::FxHashSet<Shared>> =
        std::cell::RefCell::new(rustc_hash::FxHashSet::default());
}

/// `s` as a [`Shared`] string, allocated once per distinct value and thread.
pub fn intern(s: &str) -> Shared {
    INTERNED.with(|set| {
        let mut set = set.borrow_mut();
        if let Some(x) = set.get(s) {
            return x.clone();
        }
        if set.len() >= INTERN_LIMIT {
            set.clear();
        }
        let x: Shared = s.into();
        set.insert(x.clone());
        x
    })
}

/// An `events` row.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Pseudonym.
    pub pupil_key: Shared,
    /// `YYYY-YYYY`.
    pub school_year: Shared,
    /// Microseconds since the epoch, UTC.
    pub ts: i64,
    /// Canonical kind.
    pub kind: &'static str,
    /// Raw verb id.
    pub verb: Shared,
    /// Activity id.
    pub object_id: Option<Shared>,
    /// Parent task id.
    pub task_id: Option<Shared>,
    /// Subject.
    pub subject: Option<Shared>,
    /// Success.
    pub success: Option<bool>,
    /// Scaled score.
    pub score_scaled: Option<f64>,
    /// Duration, seconds.
    pub duration_s: Option<f64>,
}

/// A `plans` row. Its texts are shared ([`intern`]): a board's plans repeat each pupil, week
/// and task thousands of times, and a row of its own per text made plans the largest table
/// held during ingest (bench/board.sh).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// Pseudonym.
    pub pupil_key: Shared,
    /// `YYYY-YYYY`.
    pub school_year: Shared,
    /// `YYYY-Www`.
    pub week: Shared,
    /// Task id.
    pub task_id: Shared,
    /// Date32 days.
    pub planned_for: Option<i32>,
    /// Date32 days.
    pub due: Option<i32>,
    /// Microseconds UTC.
    pub done_at: Option<i64>,
}

fn s<T>(rows: &[T], f: impl Fn(&T) -> Option<&str>) -> ArrayRef {
    str_array(&rows.iter().map(f).collect::<Vec<_>>())
}

/// Columns of the `pupils` table.
pub fn pupils(rows: &[PupilRow]) -> Vec<ArrayRef> {
    vec![
        s(rows, |r| Some(&r.pupil_key)),
        i32_array(rows.iter().map(|r| r.birth_year).collect()),
        s(rows, |r| r.gender.as_deref()),
        f64_array(rows.iter().map(|r| r.ses_weight).collect()),
        bool_array(rows.iter().map(|r| r.special_needs).collect()),
    ]
}

/// Columns of the `schools` table.
pub fn schools(rows: &[SchoolRow]) -> Vec<ArrayRef> {
    vec![
        s(rows, |r| Some(&r.school_key)),
        s(rows, |r| r.school_name.as_deref()),
        s(rows, |r| r.programme_from.as_deref()),
        f64_array(rows.iter().map(|r| r.school_weight).collect()),
    ]
}

/// Columns of the `enrollments` table.
pub fn enrollments(rows: &[EnrollmentRow]) -> Vec<ArrayRef> {
    vec![
        s(rows, |r| Some(&r.pupil_key)),
        s(rows, |r| Some(&r.school_year)),
        s(rows, |r| Some(&r.school_key)),
        s(rows, |r| r.group_key.as_deref()),
        i32_array(rows.iter().map(|r| r.grade).collect()),
        bool_array(rows.iter().map(|r| Some(r.programme)).collect()),
        date_array(rows.iter().map(|r| r.from).collect()),
        date_array(rows.iter().map(|r| r.to).collect()),
    ]
}

/// Columns of the `assessments` table.
pub fn assessments(rows: &[AssessmentRow]) -> Vec<ArrayRef> {
    vec![
        s(rows, |r| Some(&r.pupil_key)),
        s(rows, |r| Some(&r.subject)),
        s(rows, |r| Some(&r.instrument)),
        date_array(rows.iter().map(|r| r.administered_on).collect()),
        s(rows, |r| Some(&r.term)),
        s(rows, |r| Some(&r.school_year)),
        i32_array(rows.iter().map(|r| r.grade).collect()),
        f64_array(rows.iter().map(|r| Some(r.score)).collect()),
        f64_array(rows.iter().map(|r| r.sem).collect()),
        f64_array(rows.iter().map(|r| r.percentile).collect()),
        s(rows, |r| r.level.as_deref()),
        s(rows, |r| r.reference_level),
        s(rows, |r| r.functioning_level.as_deref()),
        f64_array(rows.iter().map(|r| r.dle).collect()),
    ]
}

/// Columns of the `reported_growth` table.
pub fn reported_growth(rows: &[ReportedGrowthRow]) -> Vec<ArrayRef> {
    vec![
        s(rows, |r| Some(&r.pupil_key)),
        s(rows, |r| Some(&r.subject)),
        s(rows, |r| Some(r.window)),
        s(rows, |r| Some(&r.school_year)),
        f64_array(rows.iter().map(|r| r.projected_growth).collect()),
        f64_array(rows.iter().map(|r| r.observed_growth).collect()),
        f64_array(rows.iter().map(|r| r.observed_growth_se).collect()),
        bool_array(rows.iter().map(|r| r.met_projected).collect()),
        f64_array(rows.iter().map(|r| r.cgi).collect()),
        f64_array(rows.iter().map(|r| r.cgp).collect()),
        s(rows, |r| Some(r.source)),
    ]
}

/// Columns of the `attributes` table.
pub fn attributes(rows: &[AttributeRow]) -> Vec<ArrayRef> {
    vec![
        s(rows, |r| Some(&r.pupil_key)),
        s(rows, |r| Some(&r.school_year)),
        s(rows, |r| Some(r.name)),
        s(rows, |r| r.value.as_deref()),
        f64_array(rows.iter().map(|r| r.number).collect()),
    ]
}

/// The `seq` column of the `events` table: each row's place within its pupil-year, counted over
/// the batches of one partition written in table order (one counter per partition file).
#[derive(Debug, Default)]
pub struct EventSeq {
    pupil: Option<Shared>,
    next: i64,
}

impl EventSeq {
    /// The `seq` values of the next rows of the partition, in table order.
    pub fn assign(&mut self, rows: &[&EventRow]) -> Vec<Option<i64>> {
        rows.iter()
            .map(|r| {
                if self.pupil.as_deref() != Some(&*r.pupil_key) {
                    self.pupil = Some(r.pupil_key.clone());
                    self.next = 0;
                }
                self.next += 1;
                Some(self.next - 1)
            })
            .collect()
    }
}

/// Columns of the `events` table, built in parallel: the largest table, whose rows are read in
/// sort order, scattered over memory, so each column is a pass of cache misses. `seq` numbers
/// the rows within their partition ([`EventSeq`]).
pub fn events(rows: &[&EventRow], seq: &mut EventSeq) -> Vec<ArrayRef> {
    type Column = fn(&[&EventRow]) -> ArrayRef;
    let seq = i64_array(seq.assign(rows));
    let columns: [Column; 11] = [
        |rows| s(rows, |r| Some(&*r.pupil_key)),
        |rows| s(rows, |r| Some(&*r.school_year)),
        |rows| ts_array(rows.iter().map(|r| Some(r.ts)).collect()),
        |rows| s(rows, |r| Some(r.kind)),
        |rows| s(rows, |r| Some(&*r.verb)),
        |rows| s(rows, |r| r.object_id.as_deref()),
        |rows| s(rows, |r| r.task_id.as_deref()),
        |rows| s(rows, |r| r.subject.as_deref()),
        |rows| bool_array(rows.iter().map(|r| r.success).collect()),
        |rows| f64_array(rows.iter().map(|r| r.score_scaled).collect()),
        |rows| f64_array(rows.iter().map(|r| r.duration_s).collect()),
    ];
    let mut out: Vec<ArrayRef> = columns.par_iter().map(|column| column(rows)).collect();
    out.insert(3, seq);
    out
}

/// Columns of the `plans` table.
pub fn plans(rows: &[PlanRow]) -> Vec<ArrayRef> {
    vec![
        s(rows, |r| Some(&r.pupil_key)),
        s(rows, |r| Some(&r.school_year)),
        s(rows, |r| Some(&r.week)),
        s(rows, |r| Some(&r.task_id)),
        date_array(rows.iter().map(|r| r.planned_for).collect()),
        date_array(rows.iter().map(|r| r.due).collect()),
        ts_array(rows.iter().map(|r| r.done_at).collect()),
    ]
}
