//! Arrow schemas of every table leerwinst writes, with a description of each column.
//!
//! This module is the single place where table layouts are defined. `docs/data-model.md`
//! documents the same columns, and a test checks that it names every one of them.

use std::sync::{Arc, LazyLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// The logical type of a column, mapped to one Arrow type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    Utf8,
    /// 64-bit float.
    F64,
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// Boolean.
    Bool,
    /// Calendar date.
    Date,
    /// Instant in UTC with microsecond precision.
    TimestampUtc,
}

impl ColumnType {
    /// The Arrow data type used for this column type.
    pub fn arrow(self) -> DataType {
        match self {
            ColumnType::Utf8 => DataType::Utf8,
            ColumnType::F64 => DataType::Float64,
            ColumnType::I32 => DataType::Int32,
            ColumnType::I64 => DataType::Int64,
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Date => DataType::Date32,
            ColumnType::TimestampUtc => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
            }
        }
    }
}

/// One column of a table: its name, type, whether it may be null, and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Column name as written to Parquet.
    pub name: &'static str,
    /// Logical type.
    pub ty: ColumnType,
    /// Whether nulls are allowed.
    pub nullable: bool,
    /// One-line meaning, also written as Arrow field metadata `description`.
    pub description: &'static str,
}

const fn col(
    name: &'static str,
    ty: ColumnType,
    nullable: bool,
    description: &'static str,
) -> Column {
    Column {
        name,
        ty,
        nullable,
        description,
    }
}

use ColumnType::*;

/// Every table that leerwinst writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// One row per pupil (warehouse).
    Pupils,
    /// One row per school (warehouse).
    Schools,
    /// One row per pupil, school year and class (warehouse).
    Enrollments,
    /// One row per test administration (warehouse).
    Assessments,
    /// Pupil attributes per school year, long format: class type, free lunch, teacher
    /// characteristics (warehouse; e.g. Project STAR).
    Attributes,
    /// One row per LMS event (warehouse, partitioned by school year).
    Events,
    /// One row per planned task (warehouse).
    Plans,
    /// Growth measures as a test publisher reported them, per pupil, subject and window
    /// (warehouse; NWEA MAP CDF).
    ReportedGrowth,
    /// One row per pupil, subject and growth window (indicators).
    Growth,
    /// Growth aggregated per school and per class, subject, window and year (indicators).
    GroupGrowth,
    /// Shares of pupils reaching the Dutch reference levels per school, subject, test moment
    /// and year, against the inspectorate's signalling values (indicators).
    ReferenceLevels,
    /// Scores of the same test moment (subject, grade, moment) school year after school year,
    /// per school and for the board, with earlier runs' years (indicators).
    MomentTrend,
    /// One row per pupil and school year (indicators).
    Srl,
    /// One row per pupil and ISO week (indicators).
    SrlWeekly,
    /// One row per pupil, school year and term (indicators).
    SrlTerm,
    /// One row per design, outcome, subject and subgroup level (effects).
    Effects,
    /// One row per model, sample and regression term (effects).
    Coefficients,
    /// Covariate balance before and after matching (effects).
    Balance,
    /// Staggered adoption: group-time effects and their aggregations (effects).
    EventStudy,
    /// Sensitivity of each design's overall effect to unobserved confounding (effects).
    Sensitivity,
    /// The programme effect as a function of a continuous moderator (effects).
    Moderation,
    /// What a partition of Spark hands to `leerwinst kernel srl`: a pupil-year's events and
    /// planned tasks (an Arrow IPC stream, not a file).
    SrlKernelInput,
    /// What `leerwinst kernel srl` returns: the per-pupil rows of the SRL indicators before the
    /// run-wide composite, read back by `leerwinst transform --srl-partials`.
    SrlPartial,
}

impl Table {
    /// All tables, in pipeline order.
    pub const ALL: [Table; 23] = [
        Table::Pupils,
        Table::Schools,
        Table::Enrollments,
        Table::Assessments,
        Table::ReportedGrowth,
        Table::Attributes,
        Table::Events,
        Table::Plans,
        Table::Growth,
        Table::GroupGrowth,
        Table::ReferenceLevels,
        Table::MomentTrend,
        Table::Srl,
        Table::SrlTerm,
        Table::SrlWeekly,
        Table::Effects,
        Table::Coefficients,
        Table::Balance,
        Table::EventStudy,
        Table::Sensitivity,
        Table::Moderation,
        Table::SrlKernelInput,
        Table::SrlPartial,
    ];

    /// File stem of the table (`pupils` -> `warehouse/pupils.parquet`).
    pub fn name(self) -> &'static str {
        match self {
            Table::Pupils => "pupils",
            Table::Schools => "schools",
            Table::Enrollments => "enrollments",
            Table::Assessments => "assessments",
            Table::Events => "events",
            Table::Plans => "plans",
            Table::ReportedGrowth => "reported_growth",
            Table::Growth => "growth",
            Table::GroupGrowth => "group_growth",
            Table::ReferenceLevels => "reference_levels",
            Table::MomentTrend => "moment_trend",
            Table::Srl => "srl",
            Table::SrlWeekly => "srl_weekly",
            Table::SrlTerm => "srl_term",
            Table::Effects => "effects",
            Table::Attributes => "attributes",
            Table::Coefficients => "coefficients",
            Table::Balance => "balance",
            Table::EventStudy => "event_study",
            Table::Sensitivity => "sensitivity",
            Table::Moderation => "moderation",
            Table::SrlKernelInput => "srl_kernel_input",
            Table::SrlPartial => "srl_partial",
        }
    }

    /// Folder of the run output the table lives in.
    pub fn folder(self) -> &'static str {
        match self {
            Table::Growth
            | Table::GroupGrowth
            | Table::ReferenceLevels
            | Table::MomentTrend
            | Table::Srl
            | Table::SrlWeekly
            | Table::SrlTerm => "indicators",
            Table::Effects
            | Table::Coefficients
            | Table::Balance
            | Table::EventStudy
            | Table::Sensitivity
            | Table::Moderation => "effects",
            Table::SrlKernelInput | Table::SrlPartial => "srl_partials",
            _ => "warehouse",
        }
    }

    /// The columns of this table, in order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Pupils => PUPILS,
            Table::Schools => SCHOOLS,
            Table::Enrollments => ENROLLMENTS,
            Table::Assessments => ASSESSMENTS,
            Table::Events => EVENTS,
            Table::Plans => PLANS,
            Table::ReportedGrowth => REPORTED_GROWTH,
            Table::Growth => GROWTH,
            Table::GroupGrowth => GROUP_GROWTH,
            Table::ReferenceLevels => REFERENCE_LEVELS,
            Table::MomentTrend => MOMENT_TREND,
            Table::Srl => SRL,
            Table::SrlWeekly => SRL_WEEKLY,
            Table::SrlTerm => &SRL_TERM,
            Table::Effects => EFFECTS,
            Table::Attributes => ATTRIBUTES,
            Table::Coefficients => COEFFICIENTS,
            Table::Balance => BALANCE,
            Table::EventStudy => EVENT_STUDY,
            Table::Sensitivity => SENSITIVITY,
            Table::Moderation => MODERATION,
            Table::SrlKernelInput => SRL_KERNEL_INPUT,
            Table::SrlPartial => &SRL_PARTIAL,
        }
    }

    /// Position of column `name`; panics if the table has no such column (a programming error).
    pub fn index(self, name: &str) -> usize {
        self.columns()
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("table {} has no column {name}", self.name()))
    }

    /// The Arrow schema of this table, with each column's description as field metadata, and
    /// for the staff tables its Dutch header and description (`label_nl`, `description_nl`:
    /// what a Dutch run's CSV and Excel copies show, [`crate::schema_nl`]).
    pub fn schema(self) -> SchemaRef {
        schema_of(self.columns(), |c| {
            (
                crate::schema_nl::label_nl_in(self, c),
                crate::schema_nl::description_nl(self, c),
            )
        })
    }

    /// The same schema with every column nullable: for a staff copy of the table whose hidden
    /// cells (disclosure control) are empty.
    pub fn schema_all_nullable(self) -> SchemaRef {
        let fields: Vec<Field> = self
            .schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect();
        Arc::new(Schema::new(fields))
    }
}

/// The columns of a rejects file (`rejects/<table>.csv`, with its Excel workbook): one row per
/// input row that did not reach the warehouse table, with where it is and why.
pub const REJECT_COLUMNS: &[Column] = &[
    col(
        "source",
        Utf8,
        false,
        "The pipeline's source ([[source]] name) the row came from",
    ),
    col("file", Utf8, false, "The file, as the pipeline names it"),
    col(
        "line",
        I64,
        false,
        "Line in the file (1 = the first line; for a workbook, its row)",
    ),
    col(
        "column",
        Utf8,
        false,
        "The column (or JSON field) whose value was rejected",
    ),
    col(
        "value",
        Utf8,
        false,
        "The rejected value by its shape: letters as a/A, digit runs longer than four as 9s, a pupil id as its pseudonym; never the value itself",
    ),
    col("reason", Utf8, false, "Why the row was rejected"),
];

/// The Arrow schema of a rejects file ([`REJECT_COLUMNS`]), with the Dutch headers and
/// descriptions as field metadata as [`Table::schema`] gives them.
pub fn rejects_schema() -> SchemaRef {
    schema_of(REJECT_COLUMNS, |c| {
        (
            crate::schema_nl::reject_label_nl(c),
            crate::schema_nl::reject_description_nl(c),
        )
    })
}

/// The Arrow schema of `columns`, each field with its description as metadata and, where
/// `dutch` gives both, its Dutch header and description (`label_nl`, `description_nl`).
fn schema_of(
    columns: &[Column],
    dutch: impl Fn(&str) -> (Option<&'static str>, Option<&'static str>),
) -> SchemaRef {
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| {
            let mut meta = std::collections::HashMap::from([(
                "description".to_string(),
                c.description.to_string(),
            )]);
            if let (Some(label), Some(meaning)) = dutch(c.name) {
                meta.insert("label_nl".into(), label.into());
                meta.insert("description_nl".into(), meaning.into());
            }
            Field::new(c.name, c.ty.arrow(), c.nullable).with_metadata(meta)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

const PUPILS: &[Column] = &[
    col(
        "pupil_key",
        Utf8,
        false,
        "Pseudonym of the pupil: HMAC-SHA256 of the source id under the board's key (hex, 32 chars); the raw id when pseudonymisation is off",
    ),
    col(
        "birth_year",
        I32,
        true,
        "Year of birth (exact birth dates are dropped at ingest)",
    ),
    col(
        "gender",
        Utf8,
        true,
        "'m', 'f', 'x' (other) or null when unknown",
    ),
    col(
        "ses_weight",
        F64,
        true,
        "Pupil weight for socio-economic disadvantage, as exported (e.g. 0, 0.3, 1.2); null when absent",
    ),
    col(
        "special_needs",
        Bool,
        true,
        "Pupil has an individual development plan / special educational needs",
    ),
];

const SCHOOLS: &[Column] = &[
    col(
        "school_key",
        Utf8,
        false,
        "School identifier as exported (BRIN code or OneRoster org sourcedId); schools are not pseudonymised",
    ),
    col("school_name", Utf8, true, "School name"),
    col(
        "programme_from",
        Utf8,
        true,
        "First school year (e.g. '2024-2025') in which the school runs the personalised-learning programme; null = never",
    ),
    col(
        "school_weight",
        F64,
        true,
        "School characteristic for comparisons (e.g. CBS schoolweging or share of disadvantaged pupils)",
    ),
];

const ENROLLMENTS: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col(
        "school_year",
        Utf8,
        false,
        "School year, 'YYYY-YYYY' (1 August to 31 July in the Netherlands)",
    ),
    col("school_key", Utf8, false, "School of the pupil that year"),
    col(
        "group_key",
        Utf8,
        true,
        "Class (groep) identifier as exported; no class titles are kept",
    ),
    col("grade", I32, true, "Grade (Dutch jaargroep 1-8; US grade)"),
    col(
        "programme",
        Bool,
        false,
        "The school runs the personalised-learning programme in this school year",
    ),
    col("from", Date, true, "Enrollment start date"),
    col("to", Date, true, "Enrollment end date"),
];

const ASSESSMENTS: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col(
        "subject",
        Utf8,
        false,
        "Canonical subject: 'rekenen', 'lezen' (begrijpend lezen), 'spelling', or as mapped",
    ),
    col(
        "instrument",
        Utf8,
        false,
        "Test instrument (e.g. 'cito-lvs', 'nwea-map')",
    ),
    col(
        "administered_on",
        Date,
        true,
        "Date the test was taken (afnamedatum); null when the export gives only the school year (annual state tests, SGPdata)",
    ),
    col(
        "term",
        Utf8,
        false,
        "Test moment within the school year: 'B', 'M', 'E' (Dutch begin/midden/eind), 'Fall', 'Winter', 'Spring', or 'Y' for a once-a-year test without a known moment",
    ),
    col(
        "school_year",
        Utf8,
        false,
        "School year of the administration",
    ),
    col("grade", I32, true, "Grade at the time of the test"),
    col(
        "score",
        F64,
        false,
        "Scale score (vaardigheidsscore, RIT), on a scale comparable across grades",
    ),
    col(
        "sem",
        F64,
        true,
        "Standard error of measurement of the score, when exported",
    ),
    col("percentile", F64, true, "Norm percentile as exported"),
    col(
        "level",
        Utf8,
        true,
        "Level as exported (Cito I-V or A-E, achievement level)",
    ),
    col(
        "reference_level",
        Utf8,
        true,
        "Dutch referentieniveau reached on this test as exported: '<1F' (below the fundamental level), '1F', '1S' (maths target) or '2F' (reading and language target); null when not exported",
    ),
    col(
        "functioning_level",
        Utf8,
        true,
        "Functioneringsniveau as exported: the grade and moment the score typically belongs to (e.g. 'E5', 'M6+')",
    ),
    col(
        "dle",
        F64,
        true,
        "Didactische leeftijdsequivalent as exported: the score as months of schooling it typically takes (from the start of grade 3)",
    ),
];

const EVENTS: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col(
        "school_year",
        Utf8,
        false,
        "School year of the event (also the hive partition key)",
    ),
    col("ts", TimestampUtc, false, "When the event happened, UTC"),
    col(
        "seq",
        I64,
        false,
        "Order of the event within the pupil's school year, from 0: by time, then verb, activity and input order. Engines that split the table (Spark) sort by it to meet the events in the order the indicators read them",
    ),
    col(
        "kind",
        Utf8,
        false,
        "Canonical event kind from the pipeline's verb map: attempt, answer, complete, instruction, help, progress_view, reflection, other",
    ),
    col(
        "verb",
        Utf8,
        false,
        "The raw verb id as exported (e.g. http://adlnet.gov/expapi/verbs/answered)",
    ),
    col("object_id", Utf8, true, "Activity (item, video, page) id"),
    col(
        "task_id",
        Utf8,
        true,
        "Task or goal the activity belongs to (xAPI context parent/grouping)",
    ),
    col("subject", Utf8, true, "Canonical subject of the activity"),
    col(
        "success",
        Bool,
        true,
        "Result success (answer correct / task passed)",
    ),
    col("score_scaled", F64, true, "Result score scaled to [-1, 1]"),
    col("duration_s", F64, true, "Result duration in seconds"),
];

const PLANS: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col(
        "school_year",
        Utf8,
        false,
        "School year of the planned week",
    ),
    col("week", Utf8, false, "ISO week of the plan, 'YYYY-Www'"),
    col("task_id", Utf8, false, "Planned task"),
    col(
        "planned_for",
        Date,
        true,
        "Day the pupil planned to do the task (weekplanning)",
    ),
    col("due", Date, true, "Due date set by the teacher"),
    col(
        "done_at",
        TimestampUtc,
        true,
        "When the task was finished; null = not done",
    ),
];

const GROWTH: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col("subject", Utf8, false, "Canonical subject"),
    col(
        "window",
        Utf8,
        false,
        "Growth window: within a school year 'M-E' (Dutch mid-year to end), 'F-W', 'F-S', 'W-S' (NWEA fall, winter, spring); year on year 'E-E' (Dutch end to end), 'Y-Y' (annual test without a moment), 'F-F', 'W-W', 'S-S'",
    ),
    col(
        "school_year",
        Utf8,
        false,
        "School year of the follow-up test",
    ),
    col("school_key", Utf8, true, "School in the follow-up year"),
    col("group_key", Utf8, true, "Class in the follow-up year"),
    col("grade", I32, true, "Grade at the follow-up test"),
    col(
        "programme",
        Bool,
        false,
        "The pupil's school ran the programme in the follow-up year",
    ),
    col("baseline_score", F64, false, "Score at the first test"),
    col(
        "baseline_date",
        Date,
        true,
        "Date of the first test; null when the export has no dates",
    ),
    col("followup_score", F64, false, "Score at the second test"),
    col(
        "followup_date",
        Date,
        true,
        "Date of the second test; null when the export has no dates",
    ),
    col(
        "elapsed_months",
        F64,
        true,
        "Months between the tests (days / 30.4375); null without dates",
    ),
    col("gain", F64, false, "followup_score - baseline_score"),
    col(
        "annualised_gain",
        F64,
        true,
        "gain * 12 / elapsed_months; null without dates",
    ),
    col(
        "baseline_z",
        F64,
        true,
        "Baseline score standardised within subject, grade, term and school year of the baseline (all pupils in the run)",
    ),
    col(
        "followup_z",
        F64,
        true,
        "Follow-up score standardised within subject, grade, term and school year of the follow-up",
    ),
    col(
        "baseline_quintile",
        I32,
        true,
        "Quintile (1 = lowest) of the baseline score within subject, grade, term and school year",
    ),
    col(
        "rci",
        F64,
        true,
        "Reliable change index (Jacobson & Truax 1991): gain / sqrt(sem1^2 + sem2^2), SEMs from the export or else the pipeline's [[growth.sem]] table; null without SEMs",
    ),
    col(
        "reliable_change",
        I32,
        true,
        "1 = reliable growth (rci > 1.96), -1 = reliable decline (rci < -1.96), 0 otherwise; null without SEMs",
    ),
    col(
        "sgp_order_1",
        I32,
        true,
        "Student growth percentile (1-99) given one prior score: the previous year's (year on year) or the window's earlier moment (within the year) (SGP package method, docs/indicators.md); with [growth.sgp] only",
    ),
    col(
        "sgp_order_2",
        I32,
        true,
        "Student growth percentile given two prior scores: the two previous years' (year on year), or the earlier moment and the later moment a year before (within the year); null where the pupil lacks the older score",
    ),
    col(
        "sgp",
        I32,
        true,
        "The growth percentile of the highest order available (as the SGP package reports it)",
    ),
    col(
        "sgp_order",
        I32,
        true,
        "Order of `sgp`: 1 or 2 prior scores",
    ),
    col(
        "expected_growth",
        F64,
        true,
        "Growth expected from the baseline: NWEA's projected growth where the export has it, else the pipeline's norm table (subject, baseline grade, window, baseline band)",
    ),
    col(
        "cgi",
        F64,
        true,
        "Conditional growth index: NWEA's where reported, else (gain - expected_growth) / norm SD",
    ),
    col(
        "cgp",
        F64,
        true,
        "Conditional growth percentile: NWEA's where reported, else 100 * Phi(cgi)",
    ),
    col(
        "norm_source",
        Utf8,
        true,
        "Where expected growth and CGI come from: 'nwea', 'norm-table', or 'nwea+norm-table' (NWEA's projection with the table's SD); null without norms",
    ),
];

const ATTRIBUTES: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col(
        "school_year",
        Utf8,
        false,
        "School year the attribute holds for",
    ),
    col(
        "name",
        Utf8,
        false,
        "Attribute: e.g. 'class_type', 'free_lunch', 'teacher_experience' (docs/formats.md lists them per format)",
    ),
    col(
        "value",
        Utf8,
        true,
        "Categorical value (e.g. 'small', 'regular', 'regular+aide'); null for numeric attributes",
    ),
    col(
        "number",
        F64,
        true,
        "Numeric value (indicators are 0/1); null for categorical attributes",
    ),
];

const REPORTED_GROWTH: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col(
        "subject",
        Utf8,
        false,
        "Canonical subject (NWEA MeasurementScale, lower case)",
    ),
    col(
        "window",
        Utf8,
        false,
        "Growth window ('F-W', 'F-S', 'W-S', 'F-F', 'W-W', 'S-S')",
    ),
    col(
        "school_year",
        Utf8,
        false,
        "School year of the window's second test",
    ),
    col(
        "projected_growth",
        F64,
        true,
        "Growth the publisher's norms expect from the pupil's starting score (NWEA ProjectedGrowth, or Typical...Growth in pre-2015 files)",
    ),
    col(
        "observed_growth",
        F64,
        true,
        "Growth the publisher observed (NWEA ObservedGrowth)",
    ),
    col(
        "observed_growth_se",
        F64,
        true,
        "Standard error of the observed growth (NWEA ObservedGrowthSE)",
    ),
    col(
        "met_projected",
        Bool,
        true,
        "The pupil met the projected growth (NWEA MetProjectedGrowth)",
    ),
    col(
        "cgi",
        F64,
        true,
        "Conditional growth index as reported (NWEA ConditionalGrowthIndex)",
    ),
    col(
        "cgp",
        F64,
        true,
        "Conditional growth percentile as reported (NWEA ConditionalGrowthPercentile)",
    ),
    col(
        "source",
        Utf8,
        false,
        "Where the figures come from: 'nwea-cdf' (growth summary fields of the window's last term) or 'nwea-cdf-typical' (pre-2015 typical-growth projection of its first term)",
    ),
];

const GROUP_GROWTH: &[Column] = &[
    col(
        "level",
        Utf8,
        false,
        "'school' or 'class' (a class row also names its school)",
    ),
    col("school_key", Utf8, false, "School"),
    col("group_key", Utf8, true, "Class; null on school rows"),
    col("subject", Utf8, false, "Canonical subject"),
    col("window", Utf8, false, "Growth window"),
    col(
        "school_year",
        Utf8,
        false,
        "School year of the follow-up test",
    ),
    col(
        "programme",
        Bool,
        false,
        "The school ran the programme that year (all pupils of the group)",
    ),
    col("n", I64, false, "Pupils with a growth row"),
    col("mean_gain", F64, false, "Mean gain"),
    col("n_sgp", I64, false, "Pupils with a growth percentile"),
    col(
        "median_sgp",
        F64,
        true,
        "Median growth percentile (SGP package convention for groups); null without percentiles",
    ),
    col(
        "median_sgp_low",
        F64,
        true,
        "Lower end of the distribution-free 95% confidence interval of the median (order statistics, exact binomial); null below 6 pupils",
    ),
    col("median_sgp_high", F64, true, "Upper end of that interval"),
    col(
        "n_cgi",
        I64,
        false,
        "Pupils with a conditional growth index",
    ),
    col(
        "mean_cgi",
        F64,
        true,
        "Mean conditional growth index (NWEA's school-level summary of CGIs); null without CGIs",
    ),
    col(
        "n_rci",
        I64,
        false,
        "Pupils with a reliable change index (both SEMs known)",
    ),
    col(
        "reliable_growth_share",
        F64,
        true,
        "Share of pupils with an RCI whose growth is reliable (RCI > 1.96)",
    ),
    col(
        "reliable_decline_share",
        F64,
        true,
        "Share of pupils with an RCI whose scores reliably declined (RCI < -1.96)",
    ),
];

const REFERENCE_LEVELS: &[Column] = &[
    col("school_year", Utf8, false, "School year of the tests"),
    col("school_key", Utf8, false, "School"),
    col("subject", Utf8, false, "Canonical subject"),
    col("grade", I32, false, "Grade at the test"),
    col(
        "term",
        Utf8,
        false,
        "Test moment ('M', 'E', ...; as in assessments)",
    ),
    col(
        "programme",
        Bool,
        false,
        "The school ran the programme that year",
    ),
    col(
        "n",
        I64,
        false,
        "Pupils of the school that year with a reference level on this test",
    ),
    col("n_1f", I64, false, "Of them, pupils reaching 1F or higher"),
    col(
        "share_1f",
        F64,
        false,
        "Share reaching 1F or higher (n_1f / n)",
    ),
    col(
        "n_target",
        I64,
        false,
        "Of them, pupils reaching the target level 1S (maths) or 2F (reading, language)",
    ),
    col(
        "share_target",
        F64,
        false,
        "Share reaching 1S/2F (n_target / n)",
    ),
    col(
        "signal_1f",
        F64,
        false,
        "The inspectorate's signalling value for the share reaching 1F ([reference_levels] signal_1f, default 0.85)",
    ),
    col(
        "school_weight",
        F64,
        true,
        "The school's schoolweging from the school list; null when not given",
    ),
    col(
        "signal_target",
        F64,
        true,
        "The signalling value for the share reaching 1S/2F at the school's schoolweging (clamped to 20-40) from the pipeline's [reference_levels] signal_target table; null without a table or a weight",
    ),
    col(
        "below_signal_1f",
        Bool,
        false,
        "share_1f is below signal_1f",
    ),
    col(
        "below_signal_target",
        Bool,
        true,
        "share_target is below signal_target; null without a signalling value",
    ),
];

const MOMENT_TREND: &[Column] = &[
    col(
        "level",
        Utf8,
        false,
        "'board' (every school together) or 'school'",
    ),
    col("school_key", Utf8, true, "School; null on board rows"),
    col("subject", Utf8, false, "Canonical subject"),
    col("grade", I32, false, "Grade at the test"),
    col(
        "term",
        Utf8,
        false,
        "Test moment ('M', 'E', ...; as in assessments)",
    ),
    col("school_year", Utf8, false, "School year of the tests"),
    col(
        "n",
        I64,
        false,
        "Pupils enrolled at the school (board: at any of its schools) that year with a score on this test",
    ),
    col("mean_score", F64, false, "Mean scale score"),
    col(
        "sd_score",
        F64,
        true,
        "Standard deviation of the scale scores (n - 1); null below 2 pupils",
    ),
    col(
        "earlier_run",
        Utf8,
        true,
        "The earlier run ([report] earlier_runs) the row was taken from; null for this run's own rows",
    ),
];

const COEFFICIENTS: &[Column] = &[
    col(
        "model",
        Utf8,
        false,
        "Model, as named in the pipeline (e.g. '(2) school fixed effects')",
    ),
    col(
        "sample",
        Utf8,
        false,
        "Estimation sample (e.g. 'grade 0', 'grade 1')",
    ),
    col(
        "outcome",
        Utf8,
        false,
        "Dependent variable (e.g. 'percentile')",
    ),
    col(
        "term",
        Utf8,
        false,
        "Regressor: a treatment level, a covariate, or '(intercept)'",
    ),
    col("estimate", F64, false, "OLS coefficient"),
    col(
        "se",
        F64,
        false,
        "Cluster-robust CR1 standard error (Stata's small-sample factor)",
    ),
    col("n", I64, false, "Observations in the model"),
    col("clusters", I64, false, "Clusters in the model"),
    col(
        "fixed_effects",
        Utf8,
        true,
        "Absorbed fixed effect (e.g. 'school'); null without",
    ),
];

const EVENT_STUDY: &[Column] = &[
    col("design", Utf8, false, "Effect design ('staggered')"),
    col(
        "outcome",
        Utf8,
        false,
        "Outcome, e.g. 'growth_z (E-E)': follow-up z minus baseline z over the window",
    ),
    col(
        "subject",
        Utf8,
        false,
        "Subject, or 'all' for subjects pooled",
    ),
    col(
        "aggregation",
        Utf8,
        false,
        "'group_time' (one cohort in one school year, ATT(g, t)), 'event_time' (school years since the start, negative: before it, placebo estimates), 'cohort' (mean over a cohort's programme years) or 'school_year' (programme schools in one school year)",
    ),
    col(
        "cohort",
        Utf8,
        true,
        "The school year the cohort's schools started the programme ('group_time' and 'cohort' rows)",
    ),
    col(
        "school_year",
        Utf8,
        true,
        "The school year measured ('group_time' and 'school_year' rows)",
    ),
    col(
        "event_time",
        I32,
        true,
        "School years since the start (0 = the first programme year; 'group_time' and 'event_time' rows)",
    ),
    col(
        "estimate",
        F64,
        true,
        "Average effect on the outcome of the programme schools' pupils (SD units); null when it cannot be estimated ('note')",
    ),
    col(
        "se",
        F64,
        true,
        "Standard error from a delete-one-school jackknife (CV3); empty when a refit without one school cannot make the estimate",
    ),
    col(
        "ci_low",
        F64,
        true,
        "Lower end of the pointwise 95% interval: estimate - t(G-1) se, G the schools the estimate rests on (whose deletion moves it)",
    ),
    col(
        "ci_high",
        F64,
        true,
        "Upper end of the pointwise 95% interval",
    ),
    col(
        "band_low",
        F64,
        true,
        "Lower end of the simultaneous 95% band (critical value: the 95% quantile of the largest |t| over the rows under the multivariate t with the rows' smallest G-1 df and the correlation of the school jackknife): all rows of this aggregation and subject are covered together",
    ),
    col(
        "band_high",
        F64,
        true,
        "Upper end of the simultaneous 95% band",
    ),
    col(
        "n_programme",
        I64,
        false,
        "Programme pupil observations (growth rows) behind the row",
    ),
    col(
        "clusters",
        I64,
        false,
        "Schools in the estimation (programme and comparison): the jackknife's clusters",
    ),
    col("note", Utf8, true, "Why a value is missing or weak"),
];

const MODERATION: &[Column] = &[
    col(
        "design",
        Utf8,
        false,
        "Model: 'regression' (the regression design's model with a programme x moderator interaction, whatever the pipeline's design)",
    ),
    col(
        "outcome",
        Utf8,
        false,
        "Outcome, e.g. 'followup_z (E-E)' (baseline_z is a covariate)",
    ),
    col(
        "subject",
        Utf8,
        false,
        "Subject, or 'all' for subjects pooled",
    ),
    col(
        "moderator",
        Utf8,
        false,
        "'srl_index' (the SRL composite, from the moderator's school year as the terciles) or 'baseline_z' (the standardised baseline score)",
    ),
    col(
        "kind",
        Utf8,
        false,
        "'curve' (the effect at the moderator value 'value'; 25 points from its 5th to its 95th percentile), 'slope' (change of the effect per unit of the moderator: the interaction coefficient) or 'boundary' (a Johnson-Neyman boundary: where the pointwise 95% interval starts or stops excluding 0)",
    ),
    col("value", F64, true, "Moderator value (empty for the slope)"),
    col(
        "estimate",
        F64,
        false,
        "Programme effect at 'value' (SD units of the follow-up), or the slope",
    ),
    col(
        "se",
        F64,
        true,
        "Standard error, clustered by school as the regression design ('method'); empty when it cannot be made",
    ),
    col(
        "ci_low",
        F64,
        true,
        "Lower end of the pointwise 95% interval",
    ),
    col(
        "ci_high",
        F64,
        true,
        "Upper end of the pointwise 95% interval",
    ),
    col(
        "p_value",
        F64,
        true,
        "Two-sided p value (effect or slope = 0)",
    ),
    col(
        "df",
        F64,
        true,
        "Degrees of freedom of the t reference (empty for bootstrap intervals)",
    ),
    col(
        "excludes_zero",
        Bool,
        true,
        "Whether the 95% interval excludes 0 (inside a Johnson-Neyman region)",
    ),
    col(
        "method",
        Utf8,
        true,
        "How se, interval and p were made (as in effects.csv)",
    ),
    col(
        "n_programme",
        I64,
        false,
        "Programme pupil observations with the moderator",
    ),
    col(
        "n_comparison",
        I64,
        false,
        "Comparison pupil observations with the moderator",
    ),
    col("clusters_programme", I64, false, "Programme schools"),
    col("clusters_comparison", I64, false, "Comparison schools"),
];

const SENSITIVITY: &[Column] = &[
    col(
        "design",
        Utf8,
        false,
        "Effect design of the row's overall effect (as in effects.csv)",
    ),
    col("outcome", Utf8, false, "Outcome (as in effects.csv)"),
    col(
        "subject",
        Utf8,
        false,
        "Subject, or 'all' for subjects pooled",
    ),
    col("estimate", F64, false, "The overall effect (SD units)"),
    col(
        "se",
        F64,
        false,
        "Its standard error, made as effects.csv's method says",
    ),
    col("t", F64, false, "estimate / se"),
    col(
        "dof",
        F64,
        false,
        "Residual degrees of freedom taken for the sensitivity statistics: observations - 2",
    ),
    col(
        "partial_r2",
        F64,
        false,
        "Partial R2 of the programme with the outcome, t^2 / (t^2 + dof) (Cinelli & Hazlett 2020): a confounder explaining all the rest of the outcome's variance would need this much of the programme's to explain the effect away",
    ),
    col(
        "robustness_value",
        F64,
        false,
        "Robustness value RV (q = 1, as R sensemakr): the share of the residual variance of both the programme assignment and the outcome an unmeasured confounder must explain to bring the effect to 0",
    ),
    col(
        "robustness_value_significance",
        F64,
        false,
        "RV for significance (alpha = 0.05): the share it must explain to make the effect no longer significant (0 when it is not significant already)",
    ),
    col(
        "e_value",
        F64,
        false,
        "E-value (VanderWeele & Ding 2017, as R EValue for a standardised difference, RR = exp(0.91 d)): the risk ratio an unmeasured confounder would need with both programme and outcome to explain the effect away",
    ),
    col(
        "e_value_ci",
        F64,
        false,
        "E-value of the interval limit nearer to no effect (1: the interval already includes no effect)",
    ),
];

const BALANCE: &[Column] = &[
    col("design", Utf8, false, "Effect design ('matching')"),
    col(
        "subject",
        Utf8,
        false,
        "Subject (matching is within subject)",
    ),
    col(
        "term",
        Utf8,
        false,
        "'distance' (the propensity score) or a covariate",
    ),
    col(
        "smd_before",
        F64,
        false,
        "Standardised mean difference before matching: (mean programme - mean comparison) / SD of the programme pupils (sqrt(p(1-p)) for 0/1), as MatchIt/cobalt for the ATT",
    ),
    col(
        "smd_after",
        F64,
        true,
        "The same after matching, with the matching weights and the same denominator",
    ),
    col(
        "var_ratio_before",
        F64,
        true,
        "Variance ratio programme / comparison before matching; null for 0/1 covariates",
    ),
    col(
        "var_ratio_after",
        F64,
        true,
        "The same after matching (weighted)",
    ),
];

const SRL_WEEKLY: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col("school_year", Utf8, false, "School year of the events"),
    col(
        "week",
        Utf8,
        false,
        "ISO week 'YYYY-Www' of the Dutch local date (plans: their planned week)",
    ),
    col("events", I64, false, "LMS events in the week"),
    col(
        "sessions",
        I64,
        true,
        "Sessions in the week (a session past Sunday midnight is split at the week boundary); null when the timestamps carry dates only",
    ),
    col("active_days", I64, false, "Days with an event"),
    col(
        "time_on_task_min",
        F64,
        true,
        "Sum of session spans, minutes; null when the timestamps carry dates only",
    ),
    col(
        "help_after_error_share",
        F64,
        true,
        "As in srl, over the week's wrong answers; null without any",
    ),
    col(
        "persistence_share",
        F64,
        true,
        "As in srl, over the week's wrong answers; null without any",
    ),
    col(
        "plan_kept_share",
        F64,
        true,
        "As in srl, over the week's planned tasks; null without any",
    ),
    col(
        "on_time_share",
        F64,
        true,
        "As in srl, over the week's planned tasks with a due date; null without any",
    ),
    col(
        "progress_views",
        I64,
        false,
        "Self-monitoring: progress (dashboard) views in the week",
    ),
    col(
        "reflections",
        I64,
        false,
        "Self-monitoring: reflection entries (logbook, journal) in the week",
    ),
];

/// The rows Spark hands to the SRL kernel: events and planned tasks of pupil-years, each
/// pupil-year's rows together, pupil-years in increasing (school year, pupil) order.
const SRL_KERNEL_INPUT: &[Column] = &[
    col(
        "record",
        Utf8,
        false,
        "'event' (a row of events: seq, ts, kind, object_id, task_id, success) or 'plan' (a row of plans: task_id, week, planned_for, due, done_at)",
    ),
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col("school_year", Utf8, false, "School year"),
    col("seq", I64, true, "Event: its seq in the events table"),
    col("ts", TimestampUtc, true, "Event: when it happened, UTC"),
    col("kind", Utf8, true, "Event: canonical kind"),
    col("object_id", Utf8, true, "Event: activity id"),
    col(
        "task_id",
        Utf8,
        true,
        "Event: task of the activity; plan: the planned task",
    ),
    col("success", Bool, true, "Event: result success"),
    col("week", Utf8, true, "Plan: ISO week 'YYYY-Www'"),
    col("planned_for", Date, true, "Plan: planned day"),
    col("due", Date, true, "Plan: due date"),
    col(
        "done_at",
        TimestampUtc,
        true,
        "Plan: when finished, UTC; null = not done",
    ),
];

/// The kernel's rows: one per pupil-year (`level` 'year'), term ('term') and ISO week ('week'),
/// with the columns of `srl_term` and `srl_weekly` that do not need the whole run.
static SRL_PARTIAL: LazyLock<Vec<Column>> = LazyLock::new(|| {
    let term = |name: &str| {
        let mut c = *SRL_TERM
            .iter()
            .find(|c| c.name == name)
            .expect("srl_term column");
        c.nullable = true;
        c
    };
    let mut cols = vec![
        col(
            "level",
            Utf8,
            false,
            "'year' (a row of srl), 'term' (of srl_term) or 'week' (of srl_weekly)",
        ),
        col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
        col("school_year", Utf8, false, "School year"),
        term("term"),
        term("term_start"),
        term("term_end"),
        col(
            "term_active",
            Bool,
            true,
            "Term rows: the term has events or planned tasks (a term without is kept once the data reach it)",
        ),
        col("week", Utf8, true, "Week rows: ISO week 'YYYY-Www'"),
        col("events", I64, false, "LMS events in the period"),
        term("sessions"),
        col("active_days", I64, false, "Days with at least one event"),
        term("time_on_task_min"),
        term("weekday_concentration"),
        term("hour_concentration"),
        col(
            "active_weeks",
            I64,
            true,
            "Year and term rows: the weeks with an event as bits (bit k = the k-th week from the week of the school year's first day; later weeks share bit 63), for the active-week share over the grade's course weeks",
        ),
    ];
    cols.extend(
        SRL.iter()
            .skip_while(|c| c.name != "weekly_similarity")
            .take_while(|c| c.name != "srl_index")
            .copied(),
    );
    cols.extend(
        SRL_WEEKLY
            .iter()
            .filter(|c| matches!(c.name, "progress_views" | "reflections"))
            .map(|c| Column {
                nullable: true,
                ..*c
            }),
    );
    cols.push(term("null_reason"));
    cols
});

/// `srl` per term: the pupil and school year, the term, then the columns of `srl` from
/// `school_key` on, computed over the term's events and plans.
static SRL_TERM: LazyLock<Vec<Column>> = LazyLock::new(|| {
    let mut cols = SRL[..2].to_vec();
    cols.extend([
        col(
            "term",
            I32,
            false,
            "Term of the school year, from 1 ([indicators] terms; default 1 = August-January, 2 = February-July)",
        ),
        col("term_start", Date, false, "First day of the term"),
        col("term_end", Date, false, "Last day of the term"),
    ]);
    cols.extend_from_slice(&SRL[2..]);
    cols
});

const SRL: &[Column] = &[
    col("pupil_key", Utf8, false, "Pseudonymised pupil id"),
    col("school_year", Utf8, false, "School year of the indicators"),
    col("school_key", Utf8, true, "School that year"),
    col("grade", I32, true, "Grade that year"),
    col("events", I64, false, "LMS events in the period"),
    col(
        "sessions",
        I64,
        true,
        "Sessions: runs of events without a gap longer than the session gap (default 15 min); null when the timestamps carry dates only",
    ),
    col("active_days", I64, false, "Days with at least one event"),
    col(
        "time_on_task_min",
        F64,
        true,
        "Sum over sessions of (last event - first event), minutes; null when the timestamps carry dates only",
    ),
    col(
        "weekday_concentration",
        F64,
        true,
        "Concentration on few weekdays (Boroujeni et al. 2016 PWD) normalised to [0, 1]: (ln 7 - H(p_weekday)) / ln 7 over active days; descriptive, not in the composite (a pupil active every weekday scores 0)",
    ),
    col(
        "hour_concentration",
        F64,
        true,
        "Concentration on few hours of the day (Boroujeni et al. 2016 PDH) normalised to [0, 1]: (ln 24 - H(p_hour)) / ln 24 over active day-hours (local time); descriptive, not in the composite; null when the timestamps carry dates only",
    ),
    col(
        "active_week_share",
        F64,
        true,
        "Time management: share of the period's course weeks (weeks in which at least 10% of the grade's pupils were active) in which the pupil was active; higher = more sustained, distributed work",
    ),
    col(
        "weekly_similarity",
        F64,
        true,
        "Weekly similarity (Boroujeni et al. 2016 WS1): mean Jaccard similarity of the sets of active weekdays over all pairs of active ISO weeks",
    ),
    col(
        "plan_kept_share",
        F64,
        true,
        "Share of planned tasks finished on or before the planned day",
    ),
    col(
        "on_time_share",
        F64,
        true,
        "Share of planned tasks finished on or before the due date",
    ),
    col(
        "median_lateness_days",
        F64,
        true,
        "Median over finished planned tasks of (local day finished - planned day), days; lower = more self-regulated (sign reversed in the composite)",
    ),
    col(
        "deadline_margin_h",
        F64,
        true,
        "Procrastination: median over finished tasks with a due date of (end of the due day - time finished), hours; negative = late",
    ),
    col(
        "help_after_error_share",
        F64,
        true,
        "Share of wrong answers followed by a help request (hint or instruction) in the same task and session",
    ),
    col(
        "persistence_share",
        F64,
        true,
        "Share of wrong answers followed by a new answer on the same item in the same session",
    ),
    col(
        "progress_views_per_week",
        F64,
        true,
        "Self-monitoring: progress (dashboard) views per active ISO week",
    ),
    col(
        "reflections_per_week",
        F64,
        true,
        "Self-monitoring: reflection entries (logbook, journal) per active ISO week",
    ),
    col(
        "help_per_task",
        F64,
        true,
        "Help and instruction requests per task worked on (not in the composite: volume of help is not by itself more or less self-regulated)",
    ),
    col(
        "srl_index",
        F64,
        true,
        "Composite: mean of the indicators from active_week_share to reflections_per_week, each z-scored within grade and period and sign-aligned so higher = more self-regulated (at least 3 needed); an indicator without values or constant in a grade and period does not enter (run.json transform.srl_composite says which entered)",
    ),
    col(
        "srl_tercile",
        I32,
        true,
        "Tercile of srl_index within grade and period: 1 = lowest, 3 = highest",
    ),
    col(
        "null_reason",
        Utf8,
        true,
        "Why indicators are null (e.g. 'fewer than 20 events'); null when all are computed",
    ),
];

const EFFECTS: &[Column] = &[
    col(
        "design",
        Utf8,
        false,
        "Effect design: 'regression' (OLS with subject x grade fixed effects, school-clustered SEs), 'multilevel' (linear mixed model, REML), 'vcg' (virtual comparison groups, cluster bootstrap) or 'matching' (propensity-score nearest neighbour) or 'staggered' (staggered adoption, group-time effects as R did; event_study.csv has the rest); rows of a design other than the pipeline's are its sensitivity checks",
    ),
    col(
        "outcome",
        Utf8,
        false,
        "Outcome, e.g. 'followup_z' over window 'E-E'",
    ),
    col(
        "subject",
        Utf8,
        false,
        "Subject, or 'all' for subjects pooled",
    ),
    col(
        "subgroup",
        Utf8,
        false,
        "Subgroup variable: 'overall', 'srl_tercile', 'baseline_quintile' or 'school' (one row per programme school, for a forest chart)",
    ),
    col(
        "level",
        Utf8,
        false,
        "Subgroup level: 'all', '1'-'3' for terciles, '1'-'5' for quintiles (1 = lowest), or the school key",
    ),
    col(
        "n_treated",
        I64,
        false,
        "Pupil observations in the programme arm of this row (for 'vcg' and 'matching': programme pupils with at least one comparison pupil)",
    ),
    col(
        "n_comparison",
        I64,
        false,
        "Pupil observations in the comparison arm of this row (for 'vcg' and 'matching': distinct comparison pupils used)",
    ),
    col(
        "clusters",
        I64,
        false,
        "Clusters the standard error treats as independent: schools, except where 'method' says pupils or matched sets",
    ),
    col(
        "estimate",
        F64,
        true,
        "Programme effect in outcome units (for z-outcomes: SD units); null when the row was not estimated ('note')",
    ),
    col(
        "se",
        F64,
        true,
        "Standard error of the estimate, made as 'method' says; null when no interval can be given ('note')",
    ),
    col(
        "ci_low",
        F64,
        true,
        "Lower bound of the 95% CI, made as 'method' says (t on 'df' degrees of freedom, or bootstrap)",
    ),
    col("ci_high", F64, true, "Upper bound of the 95% CI"),
    col(
        "effect_size",
        F64,
        true,
        "Hedges' g: estimate / pooled outcome SD of the two arms, small-sample corrected",
    ),
    col(
        "percentile_points",
        F64,
        true,
        "100 * Phi(effect_size) - 50: percentile points a median pupil would gain",
    ),
    col(
        "p_value",
        F64,
        true,
        "Two-sided p value for no effect, made as 'method' says",
    ),
    col(
        "p_adjusted",
        F64,
        true,
        "Benjamini-Hochberg adjusted p value across all subgroup rows (terciles, quintiles, schools) of the same design, outcome and subject; null on 'overall' rows",
    ),
    col(
        "method",
        Utf8,
        false,
        "How se, CI and p were made: 'CR2 + Satterthwaite df' (clubSandwich), 'CR1, t(G-1)', 'wild cluster bootstrap (Webb|Rademacher, B)', 'HC1, pupils as clusters', 'REML, Satterthwaite df' (lmerTest), 'BLUP, conditional SD', 'cluster bootstrap over schools', 'CR1 by matched set' or 'school jackknife, t(G-1); multivariate-t band (B draws)' (staggered design)",
    ),
    col(
        "df",
        F64,
        true,
        "Degrees of freedom of the t reference distribution; null for bootstrap intervals",
    ),
    col(
        "clusters_programme",
        I64,
        false,
        "Programme schools in this row's sample",
    ),
    col(
        "clusters_comparison",
        I64,
        false,
        "Comparison schools in this row's sample",
    ),
    col(
        "note",
        Utf8,
        true,
        "Why a value is missing or weak: 'too_few_clusters' (fewer than 2 schools in an arm: no interval), 'too_few_pupils' (fewer than min_group_size pupils in an arm: not estimated), 'few_programme_schools' (fewer than 5: weak evidence whatever the p); null otherwise",
    ),
];

fn type_name(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Utf8 => "string",
        ColumnType::F64 => "float64",
        ColumnType::I32 => "int32",
        ColumnType::I64 => "int64",
        ColumnType::Bool => "bool",
        ColumnType::Date => "date32",
        ColumnType::TimestampUtc => "timestamp[us, UTC]",
    }
}

/// `docs/data-model.md`, generated from the definitions in this module.
pub fn data_model_markdown() -> String {
    let mut out = String::from(
        "# Data model\n\n\
         Generated from `crates/core/src/schema.rs` (the only place schemas are defined) by\n\
         `LEERWINST_UPDATE_DOCS=1 cargo test -p leerwinst-core`; a test fails when this file is stale.\n\n\
         Every table is a Parquet file (zstd, statistics) with key-value metadata `leerwinst.schema_version`,\n\
         `leerwinst.table`, `leerwinst.tool_version` and `leerwinst.pipeline`. Each column carries its\n\
         description as Arrow field metadata. `events` is hive-partitioned: `warehouse/events/school_year=YYYY-YYYY/part-0.parquet`.\n\
         `effects` is also written as `effects/effects.csv`, `growth` and `srl` as CSV beside their Parquet.\n",
    );
    for t in Table::ALL {
        let file = match t {
            Table::SrlKernelInput => {
                "Stream: the Arrow IPC stream on the standard input of `leerwinst kernel srl` \
                 (see dist/spark/README.md)"
                    .to_string()
            }
            Table::SrlPartial => "Files: `srl_partials/*.parquet`, written by the Spark job from \
                 what `leerwinst kernel srl` returns; read by `leerwinst transform --srl-partials`"
                .to_string(),
            _ => format!("File: `{}/{}.parquet`", t.folder(), t.name()),
        };
        out.push_str(&format!(
            "\n## {}\n\n{file}\n\n| column | type | nullable | meaning |\n|---|---|---|---|\n",
            t.name(),
        ));
        for c in t.columns() {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                type_name(c.ty),
                if c.nullable { "yes" } else { "no" },
                c.description
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_unique_documented_columns() {
        for t in Table::ALL {
            let cols = t.columns();
            let mut names: Vec<_> = cols.iter().map(|c| c.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), cols.len(), "duplicate column in {}", t.name());
            assert!(cols.iter().all(|c| !c.description.is_empty()));
            assert_eq!(t.schema().fields().len(), cols.len());
        }
    }

    #[test]
    fn timestamps_are_utc_microseconds() {
        let s = Table::Events.schema();
        let f = s.field_with_name("ts").unwrap();
        assert_eq!(
            f.data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
        );
    }

    #[test]
    fn committed_data_model_doc_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/data-model.md");
        let generated = data_model_markdown();
        if std::env::var_os("LEERWINST_UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/data-model.md is out of date: run `LEERWINST_UPDATE_DOCS=1 cargo test -p leerwinst-core`"
        );
    }
}
