//! Pipeline files: what to read and what to compute.
//!
//! A pipeline file is TOML. Unknown keys and wrong types are errors that name the file, the line
//! and the key. Relative paths are relative to the pipeline file. Every key is documented in
//! `docs/pipeline.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::term::{Calendar, SchoolYear, TermStart, Terms};

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
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// Replace pupil ids by keyed HMAC-SHA256 pseudonyms (default true). Switch off only for
    /// public research data.
    #[serde(default = "yes")]
    pub pseudonymise: bool,
    /// File holding the pseudonymisation key; default `$LEERWINST_KEY`, else
    /// `~/.config/leerwinst/key` (created on first use).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// Groups smaller than this are suppressed in charts and reports (at least 5, default 10).
    #[serde(default = "ten")]
    pub min_group_size: usize,
}

fn yes() -> bool {
    true
}
fn ten() -> usize {
    10
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
    /// Plausible score range `[min, max]` of the instrument; scores outside are rejected
    /// (default `[-200, 600]`).
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

/// A pipeline's name is the default output folder's name (`reports/<name>`), so it must be a
/// plain name: letters, digits, spaces, `-`, `_` and `.`, not starting with a dot, at most 80
/// characters. Never a path: a name like `/home/x` or `../x` would make a run write (and
/// replace its own earlier outputs) outside `reports/`.
fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.trim().is_empty() {
        return Err("is empty".into());
    }
    if name.chars().count() > 80 {
        return Err("is longer than 80 characters".into());
    }
    if name.starts_with('.') {
        return Err(format!(
            "'{name}' starts with a dot; it names a folder under reports/"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
    {
        return Err(format!(
            "'{name}' contains '{}': a name may hold letters, digits, spaces, - _ and . (it names a folder under reports/, never a path; choose the output folder with --out)",
            c.escape_default()
        ));
    }
    Ok(())
}

impl RosterResults {
    /// Checks the fields named in constants and value maps; that subject and term each come
    /// from a constant or (possibly) from the title (the regular expression itself is compiled
    /// by ingest, which names the groups it finds).
    pub fn validate(&self) -> std::result::Result<(), String> {
        for k in self.constants.keys().chain(self.values.keys()) {
            if !ROSTER_RESULT_FIELDS.contains(&k.as_str()) {
                return Err(format!(
                    "results: unknown field '{k}'; expected one of {}",
                    ROSTER_RESULT_FIELDS.join(", ")
                ));
            }
        }
        for need in ["subject", "term"] {
            let group = format!("(?P<{need}>");
            let group2 = format!("(?<{need}>");
            if !self.constants.contains_key(need)
                && !self.title.contains(&group)
                && !self.title.contains(&group2)
            {
                return Err(format!(
                    "results: {need} comes from neither a named group (?P<{need}>...) in title nor a constant"
                ));
            }
        }
        Ok(())
    }
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
    /// The field each matched cell fills (default `score`).
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

impl Mapping {
    /// Checks the mapping of a pupil list: known fields, a pupil id column, a school and a
    /// school year; no unpivot, cohort or time format.
    pub fn validate_roster(&self) -> std::result::Result<(), String> {
        self.check_fields(MAPPED_ROSTER_FIELDS)?;
        if self.unpivot.is_some()
            || self.cohort.is_some()
            || self.time_format.is_some()
            || self.day_zero.is_some()
        {
            return Err(
                "mapping: unpivot, cohort, time_format and day_zero do not apply to a pupil list"
                    .into(),
            );
        }
        for need in ["school", "school_year"] {
            if !self.columns.contains_key(need) && !self.constants.contains_key(need) {
                return Err(format!(
                    "mapping: a pupil list needs {need} (a column or a constant)"
                ));
            }
        }
        Ok(())
    }

    /// Checks the mapping of an LMS activity export: known fields, a pupil id column, a time and
    /// a verb; no test-result settings.
    pub fn validate_events(&self) -> std::result::Result<(), String> {
        self.check_fields(MAPPED_EVENT_FIELDS)?;
        self.check_day_zero()?;
        if self.day_zero.is_some() && !self.columns.contains_key("date") {
            return Err("mapping: day_zero needs a date column (the day numbers)".into());
        }
        if self.unpivot.is_some() || self.cohort.is_some() || self.date_format.is_some() {
            return Err(
                "mapping: unpivot, cohort and date_format apply to test results; events use time_format"
                    .into(),
            );
        }
        if !self.columns.contains_key("time") && !self.columns.contains_key("date") {
            return Err("mapping columns: needs time (the column with each event's time), or date and time when they are two columns".into());
        }
        if !self.columns.contains_key("verb") && !self.constants.contains_key("verb") {
            return Err("mapping: nothing fills 'verb' (a column or a constant)".into());
        }
        Ok(())
    }

    /// Checks the mapping of a weekly-plans export: known fields, a pupil id column and a task;
    /// no test-result settings.
    pub fn validate_plans(&self) -> std::result::Result<(), String> {
        self.check_fields(MAPPED_PLAN_FIELDS)?;
        if self.unpivot.is_some() || self.cohort.is_some() {
            return Err("mapping: unpivot and cohort apply to test results".into());
        }
        if self.day_zero.is_some() {
            return Err("mapping: day_zero applies to test results and events".into());
        }
        let filled = |f: &str| {
            self.columns.contains_key(f)
                || self.constants.contains_key(f)
                || self
                    .extract
                    .values()
                    .any(|p| p.contains(&format!("(?P<{f}>")) || p.contains(&format!("(?<{f}>")))
        };
        if !filled("task_id") {
            return Err("mapping: nothing fills 'task_id' (the planned task)".into());
        }
        if !["week", "planned_for", "due", "done_at"]
            .iter()
            .any(|f| filled(f))
        {
            return Err(
                "mapping: needs a week or a date (planned_for, due or done_at) to place plans in a week"
                    .into(),
            );
        }
        Ok(())
    }

    /// Field names known, none both a column and a constant, and a pupil id column.
    fn check_fields(&self, fields: &[&str]) -> std::result::Result<(), String> {
        for (what, f) in self
            .columns
            .keys()
            .map(|k| ("columns", k))
            .chain(self.constants.keys().map(|k| ("constants", k)))
            .chain(self.values.keys().map(|k| ("values", k)))
            .chain(self.unpivot.iter().map(|u| ("unpivot.value", &u.value)))
        {
            if !fields.contains(&f.as_str()) {
                return Err(format!(
                    "mapping {what}: unknown field '{f}'; expected one of {}",
                    fields.join(", ")
                ));
            }
        }
        if let Some(f) = self
            .columns
            .keys()
            .find(|k| self.constants.contains_key(*k))
        {
            return Err(format!("mapping: '{f}' is both a column and a constant"));
        }
        if !self.columns.contains_key("pupil_id") {
            return Err("mapping columns: needs pupil_id (the column with the pupil's id)".into());
        }
        Ok(())
    }

    /// Checks the mapping of a test-result export: the field names and the minimum a record
    /// needs; the message names the problem.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.check_fields(&MAPPED_ASSESSMENT_FIELDS)?;
        self.check_day_zero()?;
        if self.time_format.is_some() {
            return Err(
                "mapping: time_format applies to events; test results use date_format".into(),
            );
        }
        let filled = |f: &str| {
            self.columns.contains_key(f)
                || self.constants.contains_key(f)
                || self
                    .extract
                    .values()
                    .any(|p| p.contains(&format!("(?P<{f}>")) || p.contains(&format!("(?<{f}>")))
                || self.unpivot.as_ref().is_some_and(|u| {
                    u.value == f
                        || u.columns.contains(&format!("(?P<{f}>"))
                        || u.columns.contains(&format!("(?<{f}>"))
                })
        };
        for f in ["subject", "term", "score"] {
            if !filled(f) {
                return Err(format!(
                    "mapping: nothing fills '{f}' (a column, a constant or an unpivot group)"
                ));
            }
        }
        if !filled("date") && !filled("school_year") && self.cohort.is_none() {
            return Err(
                "mapping: needs a date, a school_year or a cohort to place tests in a school year"
                    .into(),
            );
        }
        if let Some(c) = &self.cohort
            && crate::term::SchoolYear::parse(&c.school_year).is_none()
        {
            return Err(format!(
                "mapping cohort: school_year '{}' is not YYYY-YYYY",
                c.school_year
            ));
        }
        Ok(())
    }
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
#[serde(deny_unknown_fields)]
pub struct Indicators {
    /// Inactivity gap that splits sessions, minutes (default 15).
    #[serde(default = "fifteen")]
    pub session_gap_min: f64,
    /// Fewer events than this in a period gives null indicators with a reason (default 20).
    #[serde(default = "twenty")]
    pub min_events: usize,
    /// The days terms start, in school-year order from the school year's first day (default,
    /// empty: that day and 1 February, the halves leading to the M and E test moments).
    #[serde(default)]
    pub terms: Vec<TermStart>,
}

/// `[calendar]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    /// The day school years start (default 1 August, the Netherlands; Flanders:
    /// `{ month = 9, day = 1 }`).
    #[serde(default = "dutch_year_start")]
    pub school_year_start: TermStart,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        CalendarSettings {
            school_year_start: dutch_year_start(),
        }
    }
}

fn dutch_year_start() -> TermStart {
    crate::term::DUTCH_YEAR_START
}

fn fifteen() -> f64 {
    15.0
}
fn twenty() -> usize {
    20
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
#[serde(deny_unknown_fields)]
pub struct SgpSettings {
    /// CSV of knots and boundaries per subject and prior grade (columns `content_area` or
    /// `subject`, `prior_grade`, `knot_1`..`knot_4`, `boundary_low`, `boundary_high`), relative
    /// to the pipeline file. Without it the package's rule derives them from the data.
    #[serde(default)]
    pub knots: Option<PathBuf>,
    /// Highest order (number of prior years), 1 or 2 (default 2).
    #[serde(default = "two")]
    pub max_order: usize,
    /// Only these follow-up school years (default: every year with a prior).
    #[serde(default)]
    pub years: Vec<SchoolYear>,
    /// Cohorts smaller than this get no percentiles (default 100): 100 quantiles need data.
    #[serde(default = "hundred")]
    pub min_cohort: usize,
    /// Quantile-regression solver: `br` (exact simplex, as the SGP package; default) or `fn`
    /// (Frisch-Newton interior point). See docs/indicators.md for when `fn` is worth it.
    #[serde(default)]
    pub solver: SolverChoice,
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

fn two() -> usize {
    2
}
fn hundred() -> usize {
    100
}

/// `[compare]`: the comparison design.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    /// Design (default `regression`).
    #[serde(default)]
    pub design: Design,
    /// Growth window whose follow-up year is compared (`E-E`, `M-E`, `S-S`, `F-S`, ...).
    #[serde(default = "e_e")]
    pub window: String,
    /// Only follow-up school years from this one on (default: all).
    #[serde(default)]
    pub from_year: Option<SchoolYear>,
    /// Measure the SRL moderator in the baseline year (before the programme) rather than the
    /// follow-up year (default true).
    #[serde(default = "yes")]
    pub moderator_in_baseline_year: bool,
    /// Further covariates of the regression design beyond the baseline: any of `ses_weight`,
    /// `special_needs`, `school_weight`, `baseline_score` (rows missing one are left out).
    #[serde(default)]
    pub covariates: Vec<String>,
    /// The experiment design's settings (`design = "experiment"` only).
    #[serde(default)]
    pub experiment: Option<Experiment>,
    /// The matching design's settings (`design = "matching"`; defaults when absent).
    #[serde(default)]
    pub matching: Option<MatchingSettings>,
    /// The VCG design's settings (`design = "vcg"`; defaults when absent).
    #[serde(default)]
    pub vcg: Option<VcgSettings>,
    /// The staggered-adoption design's settings (`design = "staggered"`; defaults when absent).
    #[serde(default)]
    pub staggered: Option<StaggeredSettings>,
    /// How the regression design's standard errors, intervals and p values are made
    /// (default `auto`: CR2 with Satterthwaite degrees of freedom below 40 clusters, CR1 from 40).
    #[serde(default)]
    pub inference: Inference,
    /// Replicates of the wild cluster bootstrap (`inference = "wild"`; default 9999).
    #[serde(default = "wild_replicates")]
    pub wild_replicates: usize,
    /// Seed of the wild cluster bootstrap (default 2025: same seed, same intervals).
    #[serde(default = "wild_seed")]
    pub wild_seed: u64,
    /// Also estimate the overall effect with the other observational designs (regression,
    /// multilevel, VCG, matching) as sensitivity checks beside the pipeline's design (default
    /// true).
    #[serde(default = "yes")]
    pub sensitivity: bool,
}

fn wild_replicates() -> usize {
    9999
}

fn wild_seed() -> u64 {
    2025
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

fn e_e() -> String {
    "E-E".to_string()
}

impl Default for Compare {
    fn default() -> Self {
        Compare {
            design: Design::Regression,
            window: e_e(),
            from_year: None,
            moderator_in_baseline_year: true,
            covariates: Vec::new(),
            experiment: None,
            matching: None,
            vcg: None,
            staggered: None,
            inference: Inference::Auto,
            wild_replicates: wild_replicates(),
            wild_seed: wild_seed(),
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
#[serde(deny_unknown_fields)]
pub struct VcgSettings {
    /// Comparison pupils per programme pupil, at most (default 51, as RAND).
    #[serde(default = "fifty_one")]
    pub k: usize,
    /// Largest baseline difference, in SD of the baseline (baseline_z units; default 0.1).
    #[serde(default = "tenth")]
    pub baseline_caliper: f64,
    /// School characteristics that must be similar (`school_weight`; default none).
    #[serde(default)]
    pub school_characteristics: Vec<String>,
    /// Largest difference in each school characteristic, in SD over schools (default 0.5).
    #[serde(default = "half")]
    pub school_caliper: f64,
    /// Bootstrap replicates (default 999).
    #[serde(default = "b999")]
    pub bootstrap: usize,
    /// Seed of the bootstrap (default 2025).
    #[serde(default = "seed")]
    pub seed: u64,
}

impl Default for VcgSettings {
    fn default() -> Self {
        VcgSettings {
            k: fifty_one(),
            baseline_caliper: tenth(),
            school_characteristics: Vec::new(),
            school_caliper: half(),
            bootstrap: b999(),
            seed: seed(),
        }
    }
}

fn fifty_one() -> usize {
    51
}
fn tenth() -> f64 {
    0.1
}
fn half() -> f64 {
    0.5
}
fn b999() -> usize {
    999
}
fn seed() -> u64 {
    2025
}

/// `[compare.staggered]`: the staggered-adoption design.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaggeredSettings {
    /// Outcome: `growth` (default: the window's growth in SD units, follow-up z minus baseline
    /// z) or `followup` (the follow-up z, with the baseline z as covariate).
    #[serde(default = "growth")]
    pub outcome: StaggeredOutcome,
    /// Estimator of each group-time effect: `regression`, `ipw` or `doubly-robust` (default; with
    /// the growth outcome and no covariate all three are the plain difference in differences).
    #[serde(default = "doubly_robust")]
    pub estimator: StaggeredEstimator,
    /// Comparison schools: `never-treated` (default) or `not-yet-treated` (also those that start
    /// later, while they have not started).
    #[serde(default = "never_treated")]
    pub comparison: StaggeredComparison,
    /// Base period of the pre-periods: `varying` (default; each year against the year before)
    /// or `universal` (every year against the year before the start).
    #[serde(default = "varying")]
    pub base_period: StaggeredBase,
    /// School years before the start in which schools may already change (default 0).
    #[serde(default)]
    pub anticipation: u8,
    /// Simulated draws for the critical value of the simultaneous bands (default 20000; the
    /// multivariate t over the schools' jackknife replicates).
    #[serde(default = "band_draws")]
    pub draws: usize,
    /// Seed of those draws (default 2025: same seed, same bands).
    #[serde(default = "wild_seed")]
    pub seed: u64,
}

impl Default for StaggeredSettings {
    fn default() -> Self {
        StaggeredSettings {
            outcome: growth(),
            estimator: doubly_robust(),
            comparison: never_treated(),
            base_period: varying(),
            anticipation: 0,
            draws: band_draws(),
            seed: wild_seed(),
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

fn growth() -> StaggeredOutcome {
    StaggeredOutcome::Growth
}
fn doubly_robust() -> StaggeredEstimator {
    StaggeredEstimator::DoublyRobust
}
fn never_treated() -> StaggeredComparison {
    StaggeredComparison::NeverTreated
}
fn varying() -> StaggeredBase {
    StaggeredBase::Varying
}
fn band_draws() -> usize {
    20_000
}

/// `[compare.matching]`: nearest-neighbour propensity-score matching.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSettings {
    /// Covariates of the propensity model: any of `baseline_z`, `baseline_score`, `ses_weight`,
    /// `special_needs`, `school_weight` (default: `baseline_z`).
    #[serde(default = "baseline_z")]
    pub covariates: Vec<String>,
    /// Comparison pupils per programme pupil (default 1).
    #[serde(default = "one")]
    pub ratio: usize,
    /// Comparison pupils may be reused (default false).
    #[serde(default)]
    pub replace: bool,
    /// Caliper in SDs of the propensity score (default none).
    #[serde(default)]
    pub caliper: Option<f64>,
    /// Matching order: `largest` (default), `smallest` or `data`.
    #[serde(default = "largest")]
    pub order: String,
}

impl Default for MatchingSettings {
    fn default() -> Self {
        MatchingSettings {
            covariates: baseline_z(),
            ratio: 1,
            replace: false,
            caliper: None,
            order: largest(),
        }
    }
}

fn baseline_z() -> Vec<String> {
    vec!["baseline_z".into()]
}
fn one() -> usize {
    1
}
fn largest() -> String {
    "largest".into()
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
    #[serde(default = "class")]
    pub cluster: String,
    /// The models, in order.
    pub model: Vec<ExperimentModel>,
}

fn class() -> String {
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
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Earliest year of a plausible date or timestamp (birth dates exempt); earlier ones are
    /// rejected as typing errors or placeholders (`01-01-1900`). Default 1990.
    #[serde(default = "default_earliest_year")]
    pub earliest_year: i32,
    /// Latest plausible year; default (absent) the calendar year after the run's.
    #[serde(default)]
    pub latest_year: Option<i32>,
    /// The most lines one delimited record may span: a quote left open longer than this stops
    /// the file with an error naming the line where it opened. Default 50.
    #[serde(default = "default_max_record_lines")]
    pub max_record_lines: u64,
}

fn default_earliest_year() -> i32 {
    1990
}

fn default_max_record_lines() -> u64 {
    50
}

impl Limits {
    /// Rejects a window that is empty or outside the years a date can be written in (four
    /// digits), and a record limit of 0.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let latest = self.latest_year.unwrap_or(9999);
        if !(1000..=9999).contains(&self.earliest_year) || !(1000..=9999).contains(&latest) {
            return Err("earliest_year and latest_year are four-digit years".into());
        }
        if self.earliest_year > latest {
            return Err(format!(
                "earliest_year {} is after latest_year {latest}",
                self.earliest_year
            ));
        }
        if self.max_record_lines == 0 {
            return Err("max_record_lines is at least 1".into());
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            earliest_year: default_earliest_year(),
            latest_year: None,
            max_record_lines: default_max_record_lines(),
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

    /// Reads and validates a pipeline file.
    pub fn load(path: &Path) -> Result<Pipeline> {
        let perr = |message: &str| Error::Pipeline {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        if path.is_dir() {
            return Err(perr(
                "is a folder: give the pipeline file (a .toml file such as pipelines/demo.toml); the exports it reads are named inside it",
            ));
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if matches!(
            ext.as_str(),
            "csv" | "xlsx" | "xls" | "json" | "ndjson" | "gz" | "txt"
        ) {
            return Err(perr(
                "looks like an export, not a pipeline file: give the pipeline (.toml) that names this export as a [[source]] (see docs/pipeline.md)",
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml(&text, path)
    }

    /// Parses pipeline text; `path` is used for messages and to resolve relative paths.
    pub fn from_toml(text: &str, path: &Path) -> Result<Pipeline> {
        let perr = |message: String| Error::Pipeline {
            path: path.to_path_buf(),
            message,
        };
        let mut p: Pipeline = toml::from_str(text).map_err(|e| {
            let message = e.to_string();
            // `"C:\Users\..."`: in double quotes a backslash starts an escape (`\U` wants eight
            // hex digits), which a Windows path is not.
            let escape = ["unicode", "escape"]
                .iter()
                .any(|w| message.to_lowercase().contains(w));
            perr(if escape {
                format!(
                    "{message}\nA backslash inside double quotes starts an escape. Write Windows \
                     paths in single quotes (path = 'C:\\Users\\juf\\toetsen.csv') or with \
                     forward slashes (path = \"C:/Users/juf/toetsen.csv\")."
                )
            } else {
                message
            })
        })?;
        p.file = path.to_path_buf();
        p.base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        check_name(&p.pipeline.name).map_err(|e| perr(format!("[pipeline] name: {e}")))?;
        p.limits
            .validate()
            .map_err(|e| perr(format!("[limits] {e}")))?;
        for src in &p.sources {
            if src.format != SourceFormat::MoodleReport
                && (src.time_format.is_some() || src.school_year.is_some())
            {
                return Err(perr(format!(
                    "source '{}': time_format and school_year apply only to format moodle-report (a mapped source sets them in [source.mapping])",
                    src.name
                )));
            }
            if !src.format.is_one_table() && (src.sheet.is_some() || src.header_row.is_some()) {
                return Err(perr(format!(
                    "source '{}': sheet and header_row apply to one CSV or XLSX file, not to an xAPI, OneRoster or NWEA source",
                    src.name
                )));
            }
            if src.header_row == Some(0) {
                return Err(perr(format!(
                    "source '{}': header_row counts from 1 (the first line of the file)",
                    src.name
                )));
            }
            if let Some(r) = &src.results {
                if src.format != SourceFormat::Oneroster {
                    return Err(perr(format!(
                        "source '{}': [source.results] applies only to format oneroster",
                        src.name
                    )));
                }
                r.validate()
                    .map_err(|e| perr(format!("source '{}': {e}", src.name)))?;
            }
            if let Some(y) = &src.school_year
                && crate::term::SchoolYear::parse(y).is_none()
            {
                return Err(perr(format!(
                    "source '{}': school_year '{y}' is not YYYY-YYYY",
                    src.name
                )));
            }
            match (src.format, &src.mapping) {
                (
                    SourceFormat::MappedAssessments
                    | SourceFormat::MappedEvents
                    | SourceFormat::MappedRoster
                    | SourceFormat::MappedPlans,
                    None,
                ) => {
                    return Err(perr(format!(
                        "source '{}': a mapped format needs a [source.mapping] table",
                        src.name
                    )));
                }
                (SourceFormat::MappedEvents, Some(m)) => {
                    m.validate_events()
                        .map_err(|e| perr(format!("source '{}': {e}", src.name)))?;
                }
                (SourceFormat::MappedRoster, Some(m)) => {
                    m.validate_roster()
                        .map_err(|e| perr(format!("source '{}': {e}", src.name)))?;
                }
                (SourceFormat::MappedPlans, Some(m)) => {
                    m.validate_plans()
                        .map_err(|e| perr(format!("source '{}': {e}", src.name)))?;
                }
                (SourceFormat::MappedAssessments, Some(m)) => {
                    m.validate()
                        .map_err(|e| perr(format!("source '{}': {e}", src.name)))?;
                }
                (_, Some(_)) => {
                    return Err(perr(format!(
                        "source '{}': a mapping applies only to formats mapped-assessments, mapped-events, mapped-roster and mapped-plans",
                        src.name
                    )));
                }
                (_, None) => {}
            }
        }
        if p.privacy.min_group_size < 5 {
            return Err(perr(format!(
                "[privacy] min_group_size = {} is below the floor of 5",
                p.privacy.min_group_size
            )));
        }
        if p.indicators.session_gap_min.is_nan() || p.indicators.session_gap_min <= 0.0 {
            return Err(perr(
                "[indicators] session_gap_min must be a positive number of minutes".into(),
            ));
        }
        let calendar = Calendar::new(p.calendar.school_year_start)
            .map_err(|e| perr(format!("[calendar] {e}")))?;
        p.reference_levels
            .validate()
            .map_err(|e| perr(format!("[reference_levels] {e}")))?;
        if let Err(e) = Terms::new(&p.indicators.terms, calendar) {
            return Err(perr(format!("[indicators] terms: {e}")));
        }
        if let Some(sgp) = p
            .growth
            .sgp
            .as_ref()
            .filter(|s| !(1..=2).contains(&s.max_order))
        {
            return Err(perr(format!(
                "[growth.sgp] max_order = {}: expected 1 or 2",
                sgp.max_order
            )));
        }
        if let Some(e) = p
            .growth
            .sem
            .iter()
            .find(|e| !(e.sem.is_finite() && e.sem > 0.0))
        {
            return Err(perr(format!(
                "[[growth.sem]] instrument = '{}': sem = {} must be a positive number",
                e.instrument, e.sem
            )));
        }
        match (&p.compare.design, &p.compare.experiment) {
            (Design::Experiment, None) => {
                return Err(perr(
                    "[compare] design = \"experiment\" needs a [compare.experiment] table".into(),
                ));
            }
            (Design::Experiment, Some(e)) => {
                if !["class", "school"].contains(&e.cluster.as_str()) {
                    return Err(perr(format!(
                        "[compare.experiment] cluster = '{}': expected 'class' or 'school'",
                        e.cluster
                    )));
                }
                if let Some(m) = e
                    .model
                    .iter()
                    .find(|m| m.fixed_effect.as_deref().is_some_and(|f| f != "school"))
                {
                    return Err(perr(format!(
                        "[[compare.experiment.model]] '{}': fixed_effect must be 'school'",
                        m.name
                    )));
                }
                if e.model.is_empty() || e.subjects.is_empty() || e.grades.is_empty() {
                    return Err(perr(
                        "[compare.experiment] needs subjects, grades and at least one model".into(),
                    ));
                }
            }
            _ => {}
        }
        if let Some(c) = p
            .compare
            .covariates
            .iter()
            .find(|c| !MATCHING_COVARIATES.contains(&c.as_str()) || *c == "baseline_z")
        {
            return Err(perr(format!(
                "[compare] covariates: '{c}' is not one of ses_weight, special_needs, school_weight, baseline_score (baseline_z is always in the model)"
            )));
        }
        if let Some(m) = &p.compare.matching {
            if let Some(c) = m
                .covariates
                .iter()
                .find(|c| !MATCHING_COVARIATES.contains(&c.as_str()))
            {
                return Err(perr(format!(
                    "[compare.matching] covariate '{c}': expected one of {}",
                    MATCHING_COVARIATES.join(", ")
                )));
            }
            if !["largest", "smallest", "data"].contains(&m.order.as_str()) {
                return Err(perr(format!(
                    "[compare.matching] order = '{}': expected largest, smallest or data",
                    m.order
                )));
            }
            if m.ratio == 0
                || m.caliper.is_some_and(|c| c.is_nan() || c <= 0.0)
                || m.covariates.is_empty()
            {
                return Err(perr(
                    "[compare.matching] needs ratio >= 1, a positive caliper and a covariate"
                        .into(),
                ));
            }
        }
        if let Some(v) = &p.compare.vcg {
            let positive = |x: f64| x.is_finite() && x > 0.0;
            if v.k == 0
                || !positive(v.baseline_caliper)
                || !positive(v.school_caliper)
                || v.bootstrap < 99
            {
                return Err(perr(
                    "[compare.vcg] needs k >= 1, positive calipers and bootstrap >= 99".into(),
                ));
            }
            if let Some(c) = v
                .school_characteristics
                .iter()
                .find(|c| c.as_str() != "school_weight")
            {
                return Err(perr(format!(
                    "[compare.vcg] school characteristic '{c}': only 'school_weight' is known"
                )));
            }
        }
        if p.compare.staggered.as_ref().is_some_and(|s| s.draws < 1000) {
            return Err(perr(
                "[compare.staggered] needs draws >= 1000 (the band's critical value is simulated)"
                    .into(),
            ));
        }
        if crate::term::window_is_yearly(&p.compare.window).is_none() {
            return Err(perr(format!(
                "[compare] window = '{}': expected one of {}",
                p.compare.window,
                crate::term::window_names().join(", ")
            )));
        }
        let mut names: Vec<&str> = p.sources.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(perr(format!("two [[source]] entries are named '{}'", w[0])));
        }
        Ok(p)
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

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[pipeline]
name = "t"

[[source]]
name = "toetsen"
format = "lvs-csv"
path = "data/toetsen.csv"
"#;

    #[test]
    fn minimal_pipeline_gets_defaults_and_relative_paths() {
        let p = Pipeline::from_toml(MINIMAL, Path::new("/x/pipelines/t.toml")).unwrap();
        assert_eq!(p.pipeline.language, Language::Nl);
        assert!(p.privacy.pseudonymise);
        assert_eq!(p.privacy.min_group_size, 10);
        assert_eq!(p.sources[0].format, SourceFormat::LvsCsv);
        assert_eq!(
            p.resolve(&p.sources[0].path),
            PathBuf::from("/x/pipelines/data/toetsen.csv")
        );
        assert_eq!(
            p.verb_map()["http://adlnet.gov/expapi/verbs/answered"],
            EventKind::Answer
        );
    }

    #[test]
    fn a_folder_or_an_export_where_a_pipeline_belongs_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let e = Pipeline::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a folder: give the pipeline file"), "{e}");
        let csv = dir.path().join("toetsen.csv");
        std::fs::write(&csv, "a;b\n").unwrap();
        let e = Pipeline::load(&csv).unwrap_err().to_string();
        assert!(
            e.contains("looks like an export, not a pipeline file"),
            "{e}"
        );
    }

    #[test]
    fn a_pipeline_name_is_never_a_path() {
        let with = |name: &str| MINIMAL.replace("name = \"t\"", &format!("name = {name:?}"));
        for ok in ["demo", "Bestuur Noord 2025-2026", "proef_v1.2", "Één"] {
            Pipeline::from_toml(&with(ok), Path::new("p.toml")).unwrap();
        }
        for bad in [
            "/home/user",
            "../x",
            "a/b",
            "..",
            ".hidden",
            "a\\b",
            "",
            "x:y",
        ] {
            let e = Pipeline::from_toml(&with(bad), Path::new("p.toml")).unwrap_err();
            assert!(e.to_string().contains("[pipeline] name"), "{bad}: {e}");
        }
    }

    #[test]
    fn terms_default_to_halves_and_bad_terms_are_refused() {
        let p = Pipeline::from_toml(MINIMAL, Path::new("p.toml")).unwrap();
        assert_eq!(p.terms().len(), 2);
        let text = format!(
            "{MINIMAL}\n[indicators]\nterms = [{{ month = 8, day = 1 }}, {{ month = 12, day = 1 }}, {{ month = 3, day = 15 }}]\n"
        );
        let p = Pipeline::from_toml(&text, Path::new("p.toml")).unwrap();
        assert_eq!(p.terms().len(), 3);
        let text = format!("{MINIMAL}\n[indicators]\nterms = [{{ month = 9, day = 1 }}]\n");
        let err = Pipeline::from_toml(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[indicators] terms: the first term"), "{err}");
    }

    #[test]
    fn day_numbers_count_from_day_zero() {
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2024, m, day);
        let m = Mapping {
            day_zero: Some("2024-09-02".into()),
            ..Mapping::default()
        };
        assert_eq!(m.day_number("0"), d(9, 2));
        assert_eq!(m.day_number(" 13 "), d(9, 15));
        assert_eq!(m.day_number("-3"), d(8, 30));
        assert_eq!(m.day_number("1.5"), None);
        assert_eq!(m.day_number("99999999999999"), None);
        assert_eq!(Mapping::default().day_number("3"), None);
    }

    #[test]
    fn the_school_year_start_is_set_in_calendar() {
        use chrono::NaiveDate;
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let p = Pipeline::from_toml(MINIMAL, Path::new("p.toml")).unwrap();
        assert_eq!(p.calendar().year_of(d(2024, 8, 20)), SchoolYear(2024));
        // Flanders: from 1 September; the default terms follow (1 September and 1 February).
        let text = format!("{MINIMAL}\n[calendar]\nschool_year_start = {{ month = 9, day = 1 }}\n");
        let p = Pipeline::from_toml(&text, Path::new("p.toml")).unwrap();
        assert_eq!(p.calendar().year_of(d(2024, 8, 20)), SchoolYear(2023));
        assert_eq!(p.terms().bounds(SchoolYear(2024), 1).0, d(2024, 9, 1));
        // Terms must start on the calendar's day.
        let terms = "[indicators]\nterms = [{ month = 8, day = 1 }, { month = 2, day = 1 }]\n";
        let err = Pipeline::from_toml(&format!("{text}{terms}"), Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("{ month = 9, day = 1 }"), "{err}");
        let text = format!("{MINIMAL}\n[calendar]\nschool_year_start = {{ month = 1, day = 1 }}\n");
        let err = Pipeline::from_toml(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[calendar] school_year_start"), "{err}");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = format!("{MINIMAL}\n[indicators]\nsesion_gap_min = 10\n");
        let err = Pipeline::from_toml(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p.toml:"), "{err}");
        assert!(err.contains("line 11"), "{err}");
        assert!(err.contains("sesion_gap_min"), "{err}");
    }

    #[test]
    fn a_windows_path_in_double_quotes_gets_the_single_quote_fix() {
        let text = format!(
            "{MINIMAL}\n[[source]]\nname = \"a\"\nformat = \"lvs-csv\"\npath = \"C:\\Users\\juf\\t.csv\"\n"
        );
        let err = Pipeline::from_toml(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("single quotes") && err.contains("forward slashes"),
            "{err}"
        );
        let fixed = text.replace("\"C:\\Users\\juf\\t.csv\"", "'C:\\Users\\juf\\t.csv'");
        let p = Pipeline::from_toml(&fixed, Path::new("p.toml")).unwrap();
        assert_eq!(
            p.sources.last().unwrap().path,
            PathBuf::from("C:\\Users\\juf\\t.csv")
        );
    }

    #[test]
    fn wrong_type_names_line_and_key() {
        let text = MINIMAL.replace("name = \"t\"", "name = \"t\"\nstrict = \"yes\"");
        let err = Pipeline::from_toml(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("strict"), "{err}");
    }

    #[test]
    fn bad_values_are_rejected() {
        let low = format!("{MINIMAL}\n[privacy]\nmin_group_size = 3\n");
        assert!(Pipeline::from_toml(&low, Path::new("p.toml")).is_err());
        let fmt = MINIMAL.replace("lvs-csv", "dbase");
        let err = Pipeline::from_toml(&fmt, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("dbase"), "{err}");
        let dup = format!(
            "{MINIMAL}{}",
            &MINIMAL[MINIMAL.find("[[source]]").unwrap()..]
        );
        assert!(Pipeline::from_toml(&dup, Path::new("p.toml")).is_err());
    }

    #[test]
    fn sem_table_picks_the_most_specific_entry() {
        let text = format!(
            "{MINIMAL}\n[[growth.sem]]\ninstrument = \"cito-lvs\"\nsem = 5.0\n\n\
             [[growth.sem]]\ninstrument = \"cito-lvs\"\nsubject = \"rekenen\"\nsem = 4.0\n\n\
             [[growth.sem]]\ninstrument = \"cito-lvs\"\nsubject = \"rekenen\"\ngrade = 5\nsem = 3.5\n"
        );
        let p = Pipeline::from_toml(&text, Path::new("p.toml")).unwrap();
        let g = &p.growth;
        assert_eq!(g.sem_for("cito-lvs", "Rekenen", Some(5)), Some(3.5));
        assert_eq!(g.sem_for("cito-lvs", "rekenen", Some(6)), Some(4.0));
        assert_eq!(g.sem_for("cito-lvs", "rekenen", None), Some(4.0));
        assert_eq!(g.sem_for("cito-lvs", "lezen", Some(5)), Some(5.0));
        assert_eq!(g.sem_for("nwea-map", "lezen", Some(5)), None);
        let bad = format!("{MINIMAL}\n[[growth.sem]]\ninstrument = \"x\"\nsem = 0\n");
        let err = Pipeline::from_toml(&bad, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("positive"), "{err}");
    }
}
