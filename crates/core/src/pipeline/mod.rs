//! Pipeline files: what to read and what to compute.
//!
//! A pipeline file is TOML. Unknown keys and wrong types are errors that name the file, the line
//! and the key. Relative paths are relative to the pipeline file. This module holds the types
//! and their defaults (each section's `Default`, which serde uses: one place for each default);
//! `validate.rs` reads and checks a file; [`keys`] documents every key, and `docs/pipeline.md`'s
//! key tables are generated from it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::term::{Calendar, SchoolYear, TermStart, Terms};

pub mod keys;
mod validate;

/// A whole pipeline file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// Name, language and run-wide switches.
    pub pipeline: PipelineMeta,
    /// Pseudonymisation and disclosure control.
    #[serde(default)]
    pub privacy: Privacy,
    /// The input files.
    #[serde(rename = "source", default)]
    pub sources: Vec<Source>,
    /// Raw verb id -> canonical event kind; overrides and extends the ADL defaults.
    #[serde(default)]
    pub verbs: BTreeMap<String, EventKind>,
    /// Indicator settings.
    #[serde(default)]
    pub indicators: Indicators,
    /// Growth settings.
    #[serde(default)]
    pub growth: Growth,
    /// The comparison design.
    #[serde(default)]
    pub compare: Compare,
    /// Report settings.
    #[serde(default)]
    pub report: Report,
    /// `[limits]`: what ingest takes as plausible input.
    #[serde(default)]
    pub limits: Limits,
    /// `[calendar]`: when school years start.
    #[serde(default)]
    pub calendar: CalendarSettings,
    /// `[reference_levels]`: the signalling values the shares reaching 1F and 1S/2F are held to.
    #[serde(default)]
    pub reference_levels: crate::reference_level::ReferenceLevels,
    /// The folder of the pipeline file; relative paths resolve against it. Not a key.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The pipeline file itself. Not a key.
    #[serde(skip)]
    pub file: PathBuf,
}

/// `[pipeline]`: name, language and run-wide switches.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineMeta {
    /// Short name; the default output folder is `reports/<name>/`.
    pub name: String,
    /// Free text shown in the report.
    #[serde(default)]
    pub description: String,
    /// Language of chart titles and labels.
    #[serde(default)]
    pub language: Language,
    /// Fail the run (exit code 2) when any row is rejected.
    #[serde(default)]
    pub strict: bool,
}

/// Language of charts and documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Dutch (default).
    #[default]
    Nl,
    /// English.
    En,
}

impl Language {
    /// Picks the Dutch or the English text: messages a person reads come in the run's language.
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Nl => nl,
            Language::En => en,
        }
    }

    /// The language's code as the pipeline file and BCP 47 write it (`nl`, `en`).
    pub fn code(self) -> &'static str {
        self.pick("nl", "en")
    }
}

/// `[privacy]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Privacy {
    /// Replace pupil ids by keyed HMAC-SHA256 pseudonyms. Switch off only for
    /// public research data.
    pub pseudonymise: bool,
    /// File holding the pseudonymisation key; default `$LEERWINST_KEY`, else
    /// `~/.config/leerwinst/key` (created on first use).
    pub key_file: Option<PathBuf>,
    /// Groups smaller than this are suppressed in charts and reports (at least 5).
    pub min_group_size: usize,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            pseudonymise: true,
            key_file: None,
            min_group_size: 10,
        }
    }
}

/// `[[source]]`: one input.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Name used in run.json and rejects.
    pub name: String,
    /// Format of the input.
    pub format: SourceFormat,
    /// File or folder (OneRoster bundle), relative to the pipeline file. `.gz` files are
    /// decompressed transparently.
    pub path: PathBuf,
    /// Instrument name for test results (default per format, e.g. `cito-lvs`).
    #[serde(default)]
    pub instrument: Option<String>,
    /// Plausible score range `[min, max]` of the instrument; scores outside are rejected.
    #[serde(default)]
    pub score_range: Option<[f64; 2]>,
    /// How the columns of a `mapped-assessments` source become canonical fields.
    #[serde(default)]
    pub mapping: Option<Mapping>,
    /// `oneroster`: which gradebook line items are test results (`[source.results]`); without
    /// it lineItems.csv and results.csv are not read.
    #[serde(default)]
    pub results: Option<RosterResults>,
    /// `moodle-report`: chrono `strftime` format of the Time column, tried before Moodle's own
    /// spellings (docs/formats.md).
    #[serde(default)]
    pub time_format: Option<String>,
    /// `moodle-report`: the school year (`YYYY-YYYY`) a report covers whose times have no year
    /// (Moodle 3.x writes `20 Jan, 09:40`).
    #[serde(default)]
    pub school_year: Option<String>,
    /// Run on even when every row of this source is rejected (by default that stops ingest: a
    /// mapping that matches nothing must not pass as a result).
    #[serde(default)]
    pub allow_all_rejected: bool,
    /// XLSX: the worksheet to read, by name (default the first; a workbook may open with a
    /// notes sheet).
    #[serde(default)]
    pub sheet: Option<String>,
    /// The 1-based line (sheet row) of the header when title or note lines stand above it
    /// (`leerwinst inspect` finds it); lines above are skipped, line numbers in rejects stay
    /// those of the file.
    #[serde(default)]
    pub header_row: Option<usize>,
}

impl SourceFormat {
    /// Whether the format reads one delimited text file (CSV or XLSX), so `sheet` and
    /// `header_row` apply.
    pub fn is_one_table(self) -> bool {
        !matches!(
            self,
            SourceFormat::Xapi | SourceFormat::Oneroster | SourceFormat::NweaCdf
        )
    }
}

/// The canonical fields a `mapped-assessments` source can fill.
pub const MAPPED_ASSESSMENT_FIELDS: [&str; 13] = [
    "pupil_id",
    "subject",
    "term",
    "grade",
    "date",
    "school_year",
    "score",
    "sem",
    "percentile",
    "level",
    "reference_level",
    "functioning_level",
    "dle",
];

/// The fields a OneRoster gradebook line item gives a test result (`[source.results]`).
pub const ROSTER_RESULT_FIELDS: [&str; 3] = ["subject", "term", "grade"];

/// `[source.results]` of a `oneroster` source: which line items of the bundle's gradebook
/// (lineItems.csv, results.csv) are test results, and how a line item's title gives the test's
/// subject, moment and grade (docs/formats.md, "OneRoster gradebook results").
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RosterResults {
    /// Regular expression matched against each line item's title; a line item whose title
    /// matches is a test. Named groups `subject`, `term` and `grade` set those fields, e.g.
    /// `'^(?P<subject>Rekenen|Spelling) (?P<term>[ME])(?P<grade>\d)$'`.
    pub title: String,
    /// Only line items of these categories (categories.csv titles, case-insensitive); empty:
    /// any category.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Field -> the same value for every selected line item (e.g. `subject = "rekenen"`).
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    /// Field -> (value as in the title -> canonical value), e.g.
    /// `subject = { Rekenen = "rekenen-wiskunde" }`.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

/// Canonical fields of a mapped pupil list (`mapped-roster`). `username` and `email` are read
/// only as further ids of the pupil (so other sources may use them) and are never written.
pub const MAPPED_ROSTER_FIELDS: &[&str] = &[
    "pupil_id",
    "school",
    "school_name",
    "group",
    "grade",
    "school_year",
    "birth_date",
    "birth_year",
    "sex",
    "weight",
    "username",
    "email",
];

/// Canonical fields of a mapped LMS activity export (`mapped-events`).
/// The fields a `mapped-plans` source can fill.
pub const MAPPED_PLAN_FIELDS: &[&str] = &[
    "pupil_id",
    "week",
    "task_id",
    "planned_for",
    "due",
    "done_at",
];

/// Canonical fields of a mapped LMS activity export (`mapped-events`).
pub const MAPPED_EVENT_FIELDS: &[&str] = &[
    "pupil_id",
    "time",
    "date",
    "verb",
    "object_id",
    "task_id",
    "subject",
    "success",
    "score_scaled",
    "duration",
    "count",
];

/// Column mapping of a generic CSV/XLSX source (docs/formats.md, "Mapped exports"): each
/// canonical field comes from a column, a constant, or a capture of the unpivot pattern, and
/// may pass through a value map.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Canonical field -> source column header (case-insensitive). `@line` is the line number,
    /// for public data without ids.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Canonical field -> the same value on every row (e.g. `term = "Y"`).
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    /// Canonical field -> (value as exported -> canonical value), e.g. `grade = { K = "0" }`.
    /// Values not in the map pass unchanged.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// chrono `strftime` format of `date` (e.g. `"%m/%d/%Y"`); default: `yyyy-mm-dd`,
    /// `dd-mm-yyyy` or `dd/mm/yyyy`.
    #[serde(default)]
    pub date_format: Option<String>,
    /// chrono `strftime` format of an event's `time` (e.g. `"%d/%m/%Y %H:%M"`; with `%z` the
    /// offset is read, without it the time is Dutch local time). Default: RFC 3339, `yyyy-mm-dd
    /// HH:MM[:SS]`, `dd-mm-yyyy HH:MM[:SS]`, or Unix seconds.
    #[serde(default)]
    pub time_format: Option<String>,
    /// Wide -> long: one record per matching column.
    #[serde(default)]
    pub unpivot: Option<Unpivot>,
    /// School year from the grade, for wide files with one column per grade and no dates: the
    /// cohort's school year in one grade (`{ grade = 0, school_year = "1985-1986" }`).
    #[serde(default)]
    pub cohort: Option<Cohort>,
    /// Source column header -> a regular expression whose named groups are canonical fields,
    /// to take several fields out of one cell: `"Toets" = '(?P<subject>.+?) \d\.\d
    /// (?P<term>[ME])(?P<grade>\d)'` reads "Rekenen-Wiskunde 3.0 M4". A cell that does not
    /// match rejects its row.
    #[serde(default)]
    pub extract: BTreeMap<String, String>,
    /// With day numbers instead of dates: the day the numbers count from (`"2024-09-02"`, day 0),
    /// so `date` holds a whole number of days since it (negative before it), as course-relative
    /// logs and OULAD's `date` do. Test results and events; an event's `time` column, if any,
    /// then holds the clock time (`HH:MM[:SS]`) and `time_format` is not used.
    #[serde(default)]
    pub day_zero: Option<String>,
}

impl Mapping {
    /// The date of a day number, counted from [`Mapping::day_zero`] (None without `day_zero`, or
    /// when the cell is not a whole number or lands outside the calendar).
    pub fn day_number(&self, cell: &str) -> Option<chrono::NaiveDate> {
        let zero = chrono::NaiveDate::parse_from_str(self.day_zero.as_deref()?, "%Y-%m-%d").ok()?;
        let n: i64 = cell.trim().parse().ok()?;
        zero.checked_add_signed(chrono::Duration::try_days(n)?)
    }

    /// Checks `day_zero`: a `yyyy-mm-dd` date, and no `date_format` or `time_format` beside it.
    fn check_day_zero(&self) -> std::result::Result<(), String> {
        let Some(z) = &self.day_zero else {
            return Ok(());
        };
        if chrono::NaiveDate::parse_from_str(z, "%Y-%m-%d").is_err() {
            return Err(format!(
                "mapping day_zero = '{z}': expected a date as yyyy-mm-dd, e.g. \"2024-09-02\""
            ));
        }
        if self.date_format.is_some() || self.time_format.is_some() {
            return Err(
                "mapping: with day_zero the date column holds day numbers; date_format and time_format do not apply".into(),
            );
        }
        Ok(())
    }
}

/// Wide -> long unpivot of a mapped source.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Unpivot {
    /// Regular expression matched against every header; named groups (`(?P<grade>...)`) set
    /// canonical fields for the records of that column.
    pub columns: String,
    /// The field each matched cell fills.
    #[serde(default = "score_field")]
    pub value: String,
}

fn score_field() -> String {
    "score".into()
}

/// A cohort's school year in one grade.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// The grade.
    pub grade: i32,
    /// Its school year, `YYYY-YYYY`.
    pub school_year: String,
}

/// Formats that ingest reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// IMS OneRoster 1.1/1.2 CSV bundle (a folder).
    Oneroster,
    /// Dutch LVS test results export (`;`-separated, decimal comma, dd-mm-yyyy).
    LvsCsv,
    /// xAPI statements, one JSON object per line.
    Xapi,
    /// Weekly plans CSV: pupil, week, task, planned day, due date, done at.
    PlansCsv,
    /// School list: id, name, first programme year, school weight.
    SchoolsCsv,
    /// The SGP package's LONG layout (SGPdata's `sgpData_LONG`): VALID_CASE, CONTENT_AREA, YEAR,
    /// ID, GRADE, SCALE_SCORE, ... one annual test per pupil, content area and year.
    SgpLong,
    /// NWEA MAP Growth Comprehensive Data File (a folder with StudentsBySchool.csv and
    /// AssessmentResults.csv, pre- or post-2015 layout), keeping NWEA's own growth fields.
    NweaCdf,
    /// Project STAR in the layout of the AER package's copy (one row per pupil, columns per
    /// grade k-3): class type, scores, lunch and teacher attributes.
    StarCsv,
    /// Moodle's `logstore_standard_log` table dumped to CSV.
    MoodleLog,
    /// Moodle's log report as the web interface downloads it (Reports > Logs, CSV or Excel):
    /// Time, User full name, ..., Event name, Description; the user id from the description.
    MoodleReport,
    /// Test results in any CSV/XLSX layout, through the source's `[source.mapping]` (column
    /// renames, constants, value maps, date format, wide -> long unpivot).
    MappedAssessments,
    /// LMS activity in any CSV/XLSX layout, through the source's `[source.mapping]`: one event
    /// per line (pupil, time, verb, object, task, subject, success, score, duration).
    MappedEvents,
    /// A pupil list in any CSV/XLSX layout (a ParnasSys or Magister export), through the
    /// source's `[source.mapping]`: one pupil and school year per line (pupil, school, group,
    /// grade, birth year, sex, weight; username and e-mail only as ids to recognise).
    MappedRoster,
    /// Weekly plans in any CSV/XLSX layout, through the source's `[source.mapping]`: one
    /// planned task per line (pupil, task, planned day, due date, done at; the ISO week, or it
    /// is taken from the dates).
    MappedPlans,
}

/// Canonical LMS event kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Started a task or item.
    Attempt,
    /// Answered an item (with success).
    Answer,
    /// Finished a task.
    Complete,
    /// Watched instruction (video, worked example).
    Instruction,
    /// Asked for help (hint).
    Help,
    /// Looked at own progress (dashboard).
    ProgressView,
    /// Wrote a reflection (logbook or journal entry on own learning).
    Reflection,
    /// Anything else.
    Other,
}

impl EventKind {
    /// Name as stored in `events.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Attempt => "attempt",
            EventKind::Answer => "answer",
            EventKind::Complete => "complete",
            EventKind::Instruction => "instruction",
            EventKind::Help => "help",
            EventKind::ProgressView => "progress_view",
            EventKind::Reflection => "reflection",
            EventKind::Other => "other",
        }
    }

    /// Help or instruction: what the help-seeking indicators count.
    pub fn is_help(self) -> bool {
        matches!(self, EventKind::Help | EventKind::Instruction)
    }

    /// Work on a task (attempt, answer, complete): what makes a task one worked on.
    pub fn is_work(self) -> bool {
        matches!(
            self,
            EventKind::Attempt | EventKind::Answer | EventKind::Complete
        )
    }

    /// Parses a stored kind.
    pub fn parse(s: &str) -> Option<EventKind> {
        Some(match s {
            "attempt" => EventKind::Attempt,
            "answer" => EventKind::Answer,
            "complete" => EventKind::Complete,
            "instruction" => EventKind::Instruction,
            "help" => EventKind::Help,
            "progress_view" => EventKind::ProgressView,
            "reflection" => EventKind::Reflection,
            "other" => EventKind::Other,
            _ => return None,
        })
    }
}

/// The ADL verb defaults of the verb map.
pub fn default_verbs() -> BTreeMap<String, EventKind> {
    let adl = "http://adlnet.gov/expapi/verbs/";
    [
        ("attempted", EventKind::Attempt),
        ("answered", EventKind::Answer),
        ("responded", EventKind::Answer),
        ("completed", EventKind::Complete),
        ("passed", EventKind::Complete),
        ("failed", EventKind::Complete),
        ("mastered", EventKind::Complete),
        ("experienced", EventKind::Instruction),
        ("asked", EventKind::Help),
        ("progressed", EventKind::ProgressView),
    ]
    .into_iter()
    .map(|(v, k)| (format!("{adl}{v}"), k))
    .collect()
}

/// `[indicators]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Indicators {
    /// Inactivity gap that splits sessions, minutes.
    pub session_gap_min: f64,
    /// Fewer events than this in a period gives null indicators with a reason.
    pub min_events: usize,
    /// The days terms start, in school-year order from the school year's first day (default,
    /// empty: that day and 1 February, the halves leading to the M and E test moments).
    pub terms: Vec<TermStart>,
}

/// `[calendar]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarSettings {
    /// The day school years start (default 1 August, the Netherlands; Flanders:
    /// `{ month = 9, day = 1 }`).
    pub school_year_start: TermStart,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        CalendarSettings {
            school_year_start: crate::term::DUTCH_YEAR_START,
        }
    }
}

impl Default for Indicators {
    fn default() -> Self {
        Indicators {
            session_gap_min: 15.0,
            min_events: 20,
            terms: Vec::new(),
        }
    }
}

/// `[growth]`: growth measures beyond gains.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Growth {
    /// Norm table CSV for expected growth, CGI and conditional growth percentile (columns
    /// `subject`, `grade`, `window`, `baseline_low`, `baseline_high`, `expected_growth`, `sd`,
    /// optional `instrument`), relative to the pipeline file. NWEA's own figures, where an
    /// export carries them, take precedence.
    #[serde(default)]
    pub norms: Option<PathBuf>,
    /// Standard errors of measurement per instrument (optionally per subject and grade), used
    /// for the reliable change index where the export gives no SEM.
    #[serde(default)]
    pub sem: Vec<SemEntry>,
    /// Student growth percentiles; computed only when this table is present.
    #[serde(default)]
    pub sgp: Option<SgpSettings>,
}

/// `[[growth.sem]]`: the SEM of an instrument, optionally for one subject and grade.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SemEntry {
    /// Instrument name as stored with the scores (e.g. `cito-lvs`).
    pub instrument: String,
    /// Only this subject (default: every subject).
    #[serde(default)]
    pub subject: Option<String>,
    /// Only this grade (default: every grade).
    #[serde(default)]
    pub grade: Option<i32>,
    /// Standard error of measurement, in scale-score points (> 0).
    pub sem: f64,
}

impl Growth {
    /// The SEM the table gives for a test: the most specific matching entry (subject and grade
    /// given beat one of them, which beats neither), the first in the file among equals.
    pub fn sem_for(&self, instrument: &str, subject: &str, grade: Option<i32>) -> Option<f64> {
        self.sem
            .iter()
            .filter(|e| e.instrument == instrument)
            .filter(|e| {
                e.subject
                    .as_deref()
                    .is_none_or(|s| s.eq_ignore_ascii_case(subject))
            })
            .filter(|e| e.grade.is_none() || e.grade == grade)
            .fold(None::<(&SemEntry, usize)>, |best, e| {
                let rank = usize::from(e.subject.is_some()) + usize::from(e.grade.is_some());
                match best {
                    Some((_, r)) if r >= rank => best,
                    _ => Some((e, rank)),
                }
            })
            .map(|(e, _)| e.sem)
    }
}

/// `[growth.sgp]`: student growth percentiles as the SGP package computes them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SgpSettings {
    /// CSV of knots and boundaries per subject and prior grade (columns `content_area` or
    /// `subject`, `prior_grade`, `knot_1`..`knot_4`, `boundary_low`, `boundary_high`), relative
    /// to the pipeline file. Without it the package's rule derives them from the data.
    pub knots: Option<PathBuf>,
    /// Highest order (number of prior years), 1 or 2.
    pub max_order: usize,
    /// Only these follow-up school years (default: every year with a prior).
    pub years: Vec<SchoolYear>,
    /// Cohorts smaller than this get no percentiles (default 100): 100 quantiles need data.
    pub min_cohort: usize,
    /// Quantile-regression solver: `br` (exact simplex, as the SGP package; default) or `fn`
    /// (Frisch-Newton interior point). See docs/indicators.md for when `fn` is worth it.
    pub solver: SolverChoice,
}

impl Default for SgpSettings {
    fn default() -> Self {
        SgpSettings {
            knots: None,
            max_order: 2,
            years: Vec::new(),
            min_cohort: 100,
            solver: SolverChoice::Br,
        }
    }
}

/// Which quantile-regression solver fits growth percentiles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SolverChoice {
    /// Exact simplex (quantreg `br`): the SGP package's results to the last percentile.
    #[default]
    Br,
    /// Frisch-Newton interior point (quantreg `fn`): cost linear in cohort size.
    Fn,
}

/// `[compare]`: the comparison design.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Compare {
    /// Design.
    pub design: Design,
    /// Growth window whose follow-up year is compared (`E-E`, `M-E`, `S-S`, `F-S`, ...).
    pub window: String,
    /// Only follow-up school years from this one on (default: all).
    pub from_year: Option<SchoolYear>,
    /// Measure the SRL moderator in the baseline year (before the programme) rather than the
    /// follow-up year.
    pub moderator_in_baseline_year: bool,
    /// Further covariates of the regression design beyond the baseline: any of `ses_weight`,
    /// `special_needs`, `school_weight`, `baseline_score` (rows missing one are left out).
    pub covariates: Vec<String>,
    /// The experiment design's settings (`design = "experiment"` only).
    pub experiment: Option<Experiment>,
    /// The matching design's settings (`design = "matching"`; defaults when absent).
    pub matching: Option<MatchingSettings>,
    /// The VCG design's settings (`design = "vcg"`; defaults when absent).
    pub vcg: Option<VcgSettings>,
    /// The staggered-adoption design's settings (`design = "staggered"`; defaults when absent).
    pub staggered: Option<StaggeredSettings>,
    /// How the regression design's standard errors, intervals and p values are made
    /// (default `auto`: CR2 with Satterthwaite degrees of freedom below 40 clusters, CR1 from 40).
    pub inference: Inference,
    /// Replicates of the wild cluster bootstrap (`inference = "wild"`).
    pub wild_replicates: usize,
    /// Seed of the wild cluster bootstrap (same seed, same intervals).
    pub wild_seed: u64,
    /// Also estimate the overall effect with the other observational designs (regression,
    /// multilevel, VCG, matching) as sensitivity checks beside the pipeline's design (default
    /// true).
    pub sensitivity: bool,
}

/// Below this many clusters `inference = "auto"` uses few-cluster inference (CR2).
pub const FEW_CLUSTERS: usize = 40;

/// How cluster-robust standard errors, intervals and p values are made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Inference {
    /// CR2 with Satterthwaite degrees of freedom below [`FEW_CLUSTERS`] clusters, CR1 from
    /// there on.
    #[default]
    Auto,
    /// CR1 (Stata's small-sample factor) with t on clusters - 1 degrees of freedom.
    Cr1,
    /// CR2 (Bell & McCaffrey) with Satterthwaite degrees of freedom, as R clubSandwich.
    Cr2,
    /// The wild cluster restricted bootstrap-t (Webb weights below 12 clusters, Rademacher
    /// from 12), p values and intervals by test inversion.
    Wild,
}

impl Default for Compare {
    fn default() -> Self {
        Compare {
            design: Design::Regression,
            window: "E-E".to_string(),
            from_year: None,
            moderator_in_baseline_year: true,
            covariates: Vec::new(),
            experiment: None,
            matching: None,
            vcg: None,
            staggered: None,
            inference: Inference::Auto,
            wild_replicates: 9999,
            wild_seed: 2025,
            sensitivity: true,
        }
    }
}

/// Effect designs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// OLS of the standardised follow-up score on programme x SRL tercile, the standardised
    /// baseline and subject x grade fixed effects; CR1 standard errors clustered by school.
    #[default]
    Regression,
    /// A randomised experiment with a categorical treatment attribute (Project STAR's class
    /// types): OLS of a score outcome per grade on treatment dummies, with the models of
    /// `[compare.experiment]` (fixed effects, covariates); CR1 standard errors.
    Experiment,
    /// Propensity-score matching as R MatchIt `method = "nearest"` (`[compare.matching]`): the
    /// ATT on the growth window's follow-up score, with a balance table.
    Matching,
    /// Virtual comparison group (RAND/NWEA): per programme pupil up to `k` comparison pupils of
    /// the same subject, grade and year with a close baseline and similar school
    /// (`[compare.vcg]`); CI by a seeded cluster bootstrap over schools.
    Vcg,
    /// Linear mixed model with random intercepts for school and for class within school,
    /// fitted by REML as R lme4: the programme effect with Satterthwaite degrees of freedom
    /// (lmerTest), and shrunken (BLUP) school effects for the school forest.
    Multilevel,
    /// Staggered adoption (schools start in different years): group-time effects ATT(g, t) of
    /// Callaway & Sant'Anna (2021) as R `did`, aggregated by years since the start (an event
    /// study with pre-periods as placebo tests), by cohort and by school year, with
    /// delete-one-school jackknife intervals and simultaneous bands (`[compare.staggered]`).
    Staggered,
}

impl Design {
    /// The design's name as the pipeline file spells it and the effects table's `design`
    /// column holds it.
    pub fn key(self) -> &'static str {
        match self {
            Design::Regression => "regression",
            Design::Multilevel => "multilevel",
            Design::Vcg => "vcg",
            Design::Matching => "matching",
            Design::Experiment => "experiment",
            Design::Staggered => "staggered",
        }
    }
}

/// `[compare.vcg]`: the virtual comparison group design.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct VcgSettings {
    /// Comparison pupils per programme pupil, at most (51 as RAND).
    pub k: usize,
    /// Largest baseline difference, in SD of the baseline (baseline_z units).
    pub baseline_caliper: f64,
    /// School characteristics that must be similar (`school_weight`; default none).
    pub school_characteristics: Vec<String>,
    /// Largest difference in each school characteristic, in SD over schools.
    pub school_caliper: f64,
    /// Bootstrap replicates.
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
}

impl Default for VcgSettings {
    fn default() -> Self {
        VcgSettings {
            k: 51,
            baseline_caliper: 0.1,
            school_characteristics: Vec::new(),
            school_caliper: 0.5,
            bootstrap: 999,
            seed: 2025,
        }
    }
}

/// `[compare.staggered]`: the staggered-adoption design.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaggeredSettings {
    /// Outcome: `growth` (default: the window's growth in SD units, follow-up z minus baseline
    /// z) or `followup` (the follow-up z, with the baseline z as covariate).
    pub outcome: StaggeredOutcome,
    /// Estimator of each group-time effect: `regression`, `ipw` or `doubly-robust` (default; with
    /// the growth outcome and no covariate all three are the plain difference in differences).
    pub estimator: StaggeredEstimator,
    /// Comparison schools: `never-treated` (default) or `not-yet-treated` (also those that start
    /// later, while they have not started).
    pub comparison: StaggeredComparison,
    /// Base period of the pre-periods: `varying` (default; each year against the year before)
    /// or `universal` (every year against the year before the start).
    pub base_period: StaggeredBase,
    /// School years before the start in which schools may already change.
    pub anticipation: u8,
    /// Simulated draws for the critical value of the simultaneous bands (default 20000; the
    /// multivariate t over the schools' jackknife replicates).
    pub draws: usize,
    /// Seed of those draws (same seed, same bands).
    pub seed: u64,
}

impl Default for StaggeredSettings {
    fn default() -> Self {
        StaggeredSettings {
            outcome: StaggeredOutcome::Growth,
            estimator: StaggeredEstimator::DoublyRobust,
            comparison: StaggeredComparison::NeverTreated,
            base_period: StaggeredBase::Varying,
            anticipation: 0,
            draws: 20_000,
            seed: 2025,
        }
    }
}

/// The staggered design's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StaggeredOutcome {
    /// Follow-up z minus baseline z.
    Growth,
    /// Follow-up z with the baseline z as covariate.
    Followup,
}

/// The staggered design's estimator of each group-time effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StaggeredEstimator {
    /// Outcome regression.
    Regression,
    /// Inverse probability weighting.
    Ipw,
    /// Doubly robust.
    DoublyRobust,
}

/// The staggered design's comparison schools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StaggeredComparison {
    /// Schools that never start in the data.
    NeverTreated,
    /// Never-treated schools and those not started yet.
    NotYetTreated,
}

/// The staggered design's base period for pre-periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StaggeredBase {
    /// The year before.
    Varying,
    /// The year before the start.
    Universal,
}

/// `[compare.matching]`: nearest-neighbour propensity-score matching.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchingSettings {
    /// Covariates of the propensity model: any of `baseline_z`, `baseline_score`, `ses_weight`,
    /// `special_needs`, `school_weight` (default: `baseline_z`).
    pub covariates: Vec<String>,
    /// Comparison pupils per programme pupil.
    pub ratio: usize,
    /// Comparison pupils may be reused.
    pub replace: bool,
    /// Caliper in SDs of the propensity score (default none).
    pub caliper: Option<f64>,
    /// Matching order: `largest` (default), `smallest` or `data`.
    pub order: String,
}

impl Default for MatchingSettings {
    fn default() -> Self {
        MatchingSettings {
            covariates: vec!["baseline_z".into()],
            ratio: 1,
            replace: false,
            caliper: None,
            order: "largest".into(),
        }
    }
}

/// Covariates `[compare.matching]` can use.
pub const MATCHING_COVARIATES: [&str; 5] = [
    "baseline_z",
    "baseline_score",
    "ses_weight",
    "special_needs",
    "school_weight",
];

/// `[compare.experiment]`: the design of a randomised experiment (Krueger 1999, Table V).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Attribute holding the treatment level (e.g. `class_type`).
    pub treatment: String,
    /// Reference level; every other level gets a dummy (e.g. `regular`).
    pub reference: String,
    /// Levels whose pupils form the distribution percentile ranks are taken in (Krueger:
    /// regular and regular+aide); every pupil gets the rank their score has in it.
    pub percentile_reference: Vec<String>,
    /// Subtests averaged into the outcome (e.g. `reading`, `math`).
    pub subjects: Vec<String>,
    /// Grades, each a separate sample.
    pub grades: Vec<i32>,
    /// Cluster for standard errors: `class` (enrollment group) or `school`.
    #[serde(default = "class_cluster")]
    pub cluster: String,
    /// The models, in order.
    pub model: Vec<ExperimentModel>,
}

fn class_cluster() -> String {
    "class".into()
}

/// One model of an experiment.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentModel {
    /// Name in `effects/coefficients.csv` (e.g. `(2)`).
    pub name: String,
    /// Absorbed fixed effect: `school`, or none.
    #[serde(default)]
    pub fixed_effect: Option<String>,
    /// Numeric attributes entered as covariates; observations missing one are left out of this
    /// model.
    #[serde(default)]
    pub covariates: Vec<String>,
}

/// `[limits]`: the plausibility limits ingest applies to every source (docs/pipeline.md).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Earliest year of a plausible date or timestamp (birth dates exempt); earlier ones are
    /// rejected as typing errors or placeholders (`01-01-1900`). Default 1990.
    pub earliest_year: i32,
    /// Latest plausible year; default (absent) the calendar year after the run's.
    pub latest_year: Option<i32>,
    /// The most lines one delimited record may span: a quote left open longer than this stops
    /// the file with an error naming the line where it opened. Default 50.
    pub max_record_lines: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            earliest_year: 1990,
            latest_year: None,
            max_record_lines: 50,
        }
    }
}

/// `[report]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Title on charts and documents (default: the pipeline's description or name).
    #[serde(default)]
    pub title: Option<String>,
    /// Output folders of earlier runs (relative to the pipeline file): their
    /// `indicators/moment_trend.parquet` adds the school years this run's exports no longer hold,
    /// so a termly review shows the same test moment in earlier years (default: none).
    #[serde(default)]
    pub earlier_runs: Vec<PathBuf>,
}

impl Pipeline {
    /// The language a pipeline file asks for (`[pipeline] language`), read leniently so that a
    /// file that does not load can still have its errors said in its language: Dutch (the
    /// default) unless the file is TOML that says `en`.
    pub fn language_hint(path: &Path) -> Language {
        let said = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| {
                let l = t.get("pipeline")?.get("language")?.as_str()?.to_string();
                Some(l)
            });
        match said.as_deref() {
            Some("en") => Language::En,
            _ => Language::Nl,
        }
    }

    /// When the run's school years start (`[calendar]`, checked by [`Pipeline::from_toml`]).
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.calendar.school_year_start).unwrap_or_default()
    }

    /// The terms of `[indicators] terms` in the run's calendar (checked by [`Pipeline::from_toml`]).
    pub fn terms(&self) -> Terms {
        Terms::new(&self.indicators.terms, self.calendar()).unwrap_or_default()
    }

    /// Resolves a path from the pipeline file against its folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    /// The effective verb map: ADL defaults overridden by `[verbs]`.
    pub fn verb_map(&self) -> BTreeMap<String, EventKind> {
        let mut m = default_verbs();
        m.extend(self.verbs.iter().map(|(k, v)| (k.clone(), *v)));
        m
    }
}
