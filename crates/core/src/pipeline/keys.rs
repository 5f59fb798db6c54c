//! Every key of a pipeline file, documented: its type, its default and what it does. The
//! default of a key whose section has one is read from the section's [`Default`] (which serde
//! uses too: one place for each default); `docs/pipeline.md`'s key tables are generated from
//! this module, and tests check that every key serde accepts is here and nothing else.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;

/// The default a key's row shows.
#[derive(Debug, Clone, Copy)]
pub enum ShownDefault {
    /// The key must be given.
    Required,
    /// The value of the section's [`Default`], written as TOML (`none` when absent or empty).
    FromCode,
    /// Said in words: for a key whose default depends on other keys or on the data, or whose
    /// section has no [`Default`].
    Said(&'static str),
}

/// One key of a section.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The key as serde reads it.
    pub name: &'static str,
    /// How the row shows it, when not as `` `name` `` (a sub-table such as `[source.results]`).
    pub shown: Option<&'static str>,
    /// Its type, in words.
    pub kind: &'static str,
    /// Its default.
    pub default: ShownDefault,
    /// What it does.
    pub meaning: &'static str,
}

/// One section (TOML table) of a pipeline file and its keys.
pub struct Section {
    /// The table's name as a pipeline file writes it (`[privacy]`, `[[source]]`).
    pub table: &'static str,
    /// Its keys, in the order the documentation lists them.
    pub keys: &'static [Key],
    /// The keys serde accepts for it ([`accepted_keys`]).
    pub accepted: fn() -> Vec<String>,
    /// Its defaults as TOML, when the section has a [`Default`] ([`defaults_of`]).
    pub defaults: fn() -> Option<toml::Table>,
    /// For a section with a [`Default`]: whether an empty table reads as that default.
    pub empty_is_default: fn() -> Option<bool>,
}

/// The keys serde accepts for `T` (a struct that denies unknown fields), read from the message
/// it gives for a key it does not know.
pub fn accepted_keys<T: DeserializeOwned>() -> Vec<String> {
    let message = match toml::from_str::<T>("leerwinst_not_a_key = 0") {
        Ok(_) => return Vec::new(),
        Err(e) => e.message().to_string(),
    };
    let expected = message.split("expected").nth(1).unwrap_or("");
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The values serde accepts for the enum `T`, read from the message it gives for a value it
/// does not know.
pub fn accepted_values<T: DeserializeOwned>() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Probe<T> {
        #[allow(dead_code)]
        value: T,
    }
    let message = match toml::from_str::<Probe<T>>("value = \"leerwinst-not-a-value\"") {
        Ok(_) => return Vec::new(),
        Err(e) => e.message().to_string(),
    };
    let expected = message.split("expected").nth(1).unwrap_or("");
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The defaults of `T` as a TOML table.
pub fn defaults_of<T: Default + Serialize>() -> Option<toml::Table> {
    toml::Table::try_from(T::default()).ok()
}

/// Whether an empty table reads as `T::default()` (compared as TOML).
pub fn empty_reads_as_default<T: Default + Serialize + DeserializeOwned>() -> Option<bool> {
    let read: T = toml::from_str("").ok()?;
    Some(toml::Table::try_from(read).ok()? == toml::Table::try_from(T::default()).ok()?)
}

fn no_defaults() -> Option<toml::Table> {
    None
}

fn no_default() -> Option<bool> {
    None
}

/// Every section of a pipeline file with a key table, in the order of `docs/pipeline.md`.
pub const SECTIONS: &[Section] = &[
    Section {
        table: "[pipeline]",
        accepted: accepted_keys::<PipelineMeta>,
        defaults: no_defaults,
        empty_is_default: no_default,
        keys: &[
            Key {
                name: "name",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::Required,
                meaning: r#"short name (letters, digits, spaces, `-`, `_`, `.`; not starting with a dot; never a path); the default output folder is `reports/<name>/`"#,
            },
            Key {
                name: "description",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::Said(r#"`""`"#),
                meaning: r#"free text for reports"#,
            },
            Key {
                name: "language",
                shown: None,
                kind: r#"`"nl"` / `"en"`"#,
                default: ShownDefault::Said(r#"`"nl"`"#),
                meaning: r#"language of everything a person reads: the console summary, reject reasons (`rejects/`, `run.json`), charts and review documents, with the language's decimal mark (`0,33` in Dutch), and the message of an error that stops the run (`fout: …`; from a catalogue in `crates/cli/src/error_text.rs`, taken from this key even when the file does not load; a message without a line there stays English, and `tests/error_language.rs` tries the common ones)"#,
            },
            Key {
                name: "strict",
                shown: None,
                kind: r#"bool"#,
                default: ShownDefault::Said(r#"`false`"#),
                meaning: r#"fail the run with exit code 2 when any row is rejected (same as `--strict`)"#,
            },
        ],
    },
    Section {
        table: "[privacy]",
        accepted: accepted_keys::<Privacy>,
        defaults: defaults_of::<Privacy>,
        empty_is_default: empty_reads_as_default::<Privacy>,
        keys: &[
            Key {
                name: "pseudonymise",
                shown: None,
                kind: r#"bool"#,
                default: ShownDefault::FromCode,
                meaning: r#"replace pupil ids by keyed HMAC-SHA256 pseudonyms; switch off only for public research data (run.json and the summary then say so loudly)"#,
            },
            Key {
                name: "key_file",
                shown: None,
                kind: r#"path"#,
                default: ShownDefault::FromCode,
                meaning: r#"file with the key; otherwise `$LEERWINST_KEY`, else `~/.config/leerwinst/key` (created on first use). `LEERWINST_KEY` always wins. A key file inside the output folder is refused"#,
            },
            Key {
                name: "min_group_size",
                shown: None,
                kind: r#"integer ≥ 5"#,
                default: ShownDefault::FromCode,
                meaning: r#"groups smaller than this are not drawn in charts ("n < 10")"#,
            },
        ],
    },
    Section {
        table: "[[source]]",
        accepted: accepted_keys::<Source>,
        defaults: no_defaults,
        empty_is_default: no_default,
        keys: &[
            Key {
                name: "name",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::Required,
                meaning: r#"name in run.json and rejects; unique"#,
            },
            Key {
                name: "format",
                shown: None,
                kind: r#"`oneroster`, `lvs-csv`, `nwea-cdf`, `xapi`, `moodle-log`, `moodle-report`, `plans-csv`, `schools-csv`, `sgp-long`, `star-csv`, `mapped-assessments`, `mapped-events`, `mapped-roster`, `mapped-plans`"#,
                default: ShownDefault::Required,
                meaning: r#"see [formats.md](formats.md)"#,
            },
            Key {
                name: "path",
                shown: None,
                kind: r#"path"#,
                default: ShownDefault::Required,
                meaning: r#"a file, or the folder of a OneRoster bundle or an NWEA CDF; `.gz` files are decompressed transparently"#,
            },
            Key {
                name: "instrument",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::Said(
                    r#"`cito-lvs` for `lvs-csv`, `nwea-map` for `nwea-cdf`, `state-test` for `sgp-long`, `mapped` for `mapped-assessments`, `oneroster` for gradebook results"#,
                ),
                meaning: r#"instrument name stored with each score (and matched by the norm table's `instrument` column)"#,
            },
            Key {
                name: "score_range",
                shown: None,
                kind: r#"`[min, max]`"#,
                default: ShownDefault::Said(
                    r#"`[-200, 600]` for `lvs-csv`, `mapped-assessments` and gradebook results without a line-item range; `[100, 350]` (RIT) for `nwea-cdf`; none for `sgp-long`"#,
                ),
                meaning: r#"plausible scores of the instrument; scores outside are rejected"#,
            },
            Key {
                name: "results",
                shown: Some(r#"`[source.results]`"#),
                kind: r#"table"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"`oneroster` only: which gradebook line items are tests — `title` (regular expression with named groups `subject`, `term`, `grade`), `categories`, `constants`, `values` ([formats.md](formats.md#oneroster-gradebook-results-lineitemscsv-resultscsv))"#,
            },
            Key {
                name: "time_format",
                shown: None,
                kind: r#"chrono strftime"#,
                default: ShownDefault::Said(r#"Moodle's own spellings"#),
                meaning: r#"`moodle-report` only: format of the Time column"#,
            },
            Key {
                name: "school_year",
                shown: None,
                kind: r#"`YYYY-YYYY`"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"`moodle-report` only: the school year of a report whose times have no year (Moodle 3.x)"#,
            },
            Key {
                name: "allow_all_rejected",
                shown: None,
                kind: r#"bool"#,
                default: ShownDefault::Said(r#"`false`"#),
                meaning: r#"run on when every row of this source is rejected; by default that stops ingest (exit 1) naming the three most frequent reasons, since a mapping that matches nothing must not pass for a result"#,
            },
            Key {
                name: "sheet",
                shown: None,
                kind: r#"text"#,
                default: ShownDefault::Said(r#"the first"#),
                meaning: r#"XLSX: the worksheet to read, by name (a workbook may open with a notes sheet); a name not in the workbook is an error listing its sheets. Not for xAPI, OneRoster or NWEA folders"#,
            },
            Key {
                name: "header_row",
                shown: None,
                kind: r#"integer ≥ 1"#,
                default: ShownDefault::Said(r#"`1`"#),
                meaning: r#"the line (sheet row) of the header when title or note lines stand above it; those lines are skipped and every reject keeps the file's own line number. `leerwinst inspect FILE` finds it and prints the `sheet`/`header_row` to use. Rows whose cells are all empty (`;;;;;;`, formatted empty rows a spreadsheet saves) are no rows at all, in every delimited format"#,
            },
            Key {
                name: "mapping",
                shown: Some(r#"`[source.mapping]`"#),
                kind: r#"table"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"the mapped formats (`mapped-assessments`, `mapped-events`, `mapped-roster`, `mapped-plans`) only: where each canonical field comes from (below)"#,
            },
        ],
    },
    Section {
        table: "[source.mapping]",
        accepted: accepted_keys::<Mapping>,
        defaults: defaults_of::<Mapping>,
        empty_is_default: empty_reads_as_default::<Mapping>,
        keys: &[
            Key {
                name: "columns",
                shown: None,
                kind: r#"table field → header"#,
                default: ShownDefault::FromCode,
                meaning: r#"rename; `"@line"` numbers pupils by line"#,
            },
            Key {
                name: "constants",
                shown: None,
                kind: r#"table field → value"#,
                default: ShownDefault::FromCode,
                meaning: r#"the same value for every record"#,
            },
            Key {
                name: "values",
                shown: None,
                kind: r#"table field → (raw → canonical)"#,
                default: ShownDefault::FromCode,
                meaning: r#"value maps, applied first"#,
            },
            Key {
                name: "date_format",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::FromCode,
                meaning: r#"`strftime` format of `date` (test results)"#,
            },
            Key {
                name: "time_format",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::FromCode,
                meaning: r#"`strftime` format of `time` (events; `%z` reads an offset)"#,
            },
            Key {
                name: "extract",
                shown: None,
                kind: r#"table header → regular expression"#,
                default: ShownDefault::FromCode,
                meaning: r#"several fields out of one cell: the expression's named groups are canonical fields (`Toets = '(?P<subject>.+?) \d\.\d (?P<term>[ME])(?P<grade>\d)'` reads "Rekenen-Wiskunde 3.0 M4"); a cell that does not match rejects its row"#,
            },
            Key {
                name: "day_zero",
                shown: None,
                kind: r#"date `yyyy-mm-dd`"#,
                default: ShownDefault::FromCode,
                meaning: r#"with day numbers instead of dates: the day they count from (day 0), so the `date` column holds a whole number of days since it (negative before it), as course-relative logs and OULAD's `date` do; test results and events (an event's `time` column then holds the clock time, `HH:MM[:SS]`); not with `date_format` or `time_format`"#,
            },
            Key {
                name: "unpivot",
                shown: None,
                kind: r#"`{ columns = "regex", value = "score" }`"#,
                default: ShownDefault::FromCode,
                meaning: r#"one record per non-empty cell of each matching header; named groups set fields"#,
            },
            Key {
                name: "cohort",
                shown: None,
                kind: r#"`{ grade = 0, school_year = "1985-1986" }`"#,
                default: ShownDefault::FromCode,
                meaning: r#"school year of an undated test from its grade"#,
            },
        ],
    },
    Section {
        table: "[indicators]",
        accepted: accepted_keys::<Indicators>,
        defaults: defaults_of::<Indicators>,
        empty_is_default: empty_reads_as_default::<Indicators>,
        keys: &[
            Key {
                name: "session_gap_min",
                shown: None,
                kind: r#"number > 0"#,
                default: ShownDefault::FromCode,
                meaning: r#"inactivity gap (minutes) that splits sessions"#,
            },
            Key {
                name: "min_events",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"pupils with fewer LMS events in a period get null indicators and a `null_reason`"#,
            },
            Key {
                name: "terms",
                shown: None,
                kind: r#"array of `{ month, day }`"#,
                default: ShownDefault::Said(
                    r#"the school year's first day and `{ month = 2, day = 1 }`"#,
                ),
                meaning: r#"start dates of the terms within the school year (which starts on `[calendar] school_year_start`, 1 August by default), in school-year order, the first on the school year's first day; `indicators/srl_term.parquet` has one row per pupil and term. Four terms: `[{ month = 8, day = 1 }, { month = 11, day = 1 }, { month = 2, day = 1 }, { month = 5, day = 1 }]`"#,
            },
        ],
    },
    Section {
        table: "[calendar]",
        accepted: accepted_keys::<CalendarSettings>,
        defaults: defaults_of::<CalendarSettings>,
        empty_is_default: empty_reads_as_default::<CalendarSettings>,
        keys: &[Key {
            name: "school_year_start",
            shown: None,
            kind: r#"`{ month, day }`, from 1 July to 30 September"#,
            default: ShownDefault::FromCode,
            meaning: r#"the first day of every school year. The Netherlands: `{ month = 8, day = 1 }` (the default: the summer holiday belongs to the new year); Flanders: `{ month = 9, day = 1 }` (the school year of the Flemish education regulations, 1 September to 31 August)"#,
        }],
    },
    Section {
        table: "[reference_levels]",
        accepted: accepted_keys::<crate::reference_level::ReferenceLevels>,
        defaults: defaults_of::<crate::reference_level::ReferenceLevels>,
        empty_is_default: empty_reads_as_default::<crate::reference_level::ReferenceLevels>,
        keys: &[
            Key {
                name: "signal_1f",
                shown: None,
                kind: r#"number, a share (0.85 = 85%)"#,
                default: ShownDefault::FromCode,
                meaning: r#"signalling value for the share reaching 1F"#,
            },
            Key {
                name: "signal_target",
                shown: None,
                kind: r#"array of `{ weight_from, share }`"#,
                default: ShownDefault::FromCode,
                meaning: r#"the 1S/2F signalling values: a school whose schoolweging (clamped to 20-40) is at least `weight_from`, up to the next row's, is held to `share`. Rows in increasing `weight_from`, the first at most 20. Empty: the review shows the 1S/2F shares without a signalling value and says so"#,
            },
        ],
    },
    Section {
        table: "[growth]",
        accepted: accepted_keys::<Growth>,
        defaults: defaults_of::<Growth>,
        empty_is_default: empty_reads_as_default::<Growth>,
        keys: &[
            Key {
                name: "norms",
                shown: None,
                kind: r#"path"#,
                default: ShownDefault::FromCode,
                meaning: r#"norm table CSV for expected growth, CGI and conditional growth percentile (see below); NWEA's own figures from a CDF take precedence"#,
            },
            Key {
                name: "sem",
                shown: Some(r#"`[[growth.sem]]`"#),
                kind: r#"array of tables"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"standard errors of measurement for the reliable change index where the export has none: `instrument`, optional `subject` and `grade`, `sem` (> 0); the most specific matching entry wins"#,
            },
            Key {
                name: "sgp",
                shown: Some(r#"`[growth.sgp]`"#),
                kind: r#"table"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"student growth percentiles, computed only when this table is present (below)"#,
            },
        ],
    },
    Section {
        table: "[growth.sgp]",
        accepted: accepted_keys::<SgpSettings>,
        defaults: defaults_of::<SgpSettings>,
        empty_is_default: empty_reads_as_default::<SgpSettings>,
        keys: &[
            Key {
                name: "knots",
                shown: None,
                kind: r#"path"#,
                default: ShownDefault::Said(r#"derived"#),
                meaning: r#"CSV of knots and boundaries: `content_area` (or `subject`), `prior_grade`, `knot_1`…`knot_k`, `boundary_low`, `boundary_high`; subjects match case-insensitively. Without it, knots are derived from the data by the SGP package's rule"#,
            },
            Key {
                name: "max_order",
                shown: None,
                kind: r#"1 or 2"#,
                default: ShownDefault::FromCode,
                meaning: r#"most priors used (year on year: prior years; within the year: the earlier moment, then the later moment a year before)"#,
            },
            Key {
                name: "years",
                shown: None,
                kind: r#"list of school years"#,
                default: ShownDefault::Said(r#"all"#),
                meaning: r#"follow-up years to compute percentiles for"#,
            },
            Key {
                name: "min_cohort",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"smaller cohorts get no percentiles (listed in run.json)"#,
            },
            Key {
                name: "solver",
                shown: None,
                kind: r#"`br` / `fn`"#,
                default: ShownDefault::FromCode,
                meaning: r#"quantile-regression method: the exact simplex (as the SGP package's `rq(method = "br")`) or the Frisch–Newton interior point (as `method = "fn"`); see [indicators.md](indicators.md#student-growth-percentiles-sgp_order_1-sgp_order_2-sgp-sgp_order)"#,
            },
        ],
    },
    Section {
        table: "[compare]",
        accepted: accepted_keys::<Compare>,
        defaults: defaults_of::<Compare>,
        empty_is_default: empty_reads_as_default::<Compare>,
        keys: &[
            Key {
                name: "design",
                shown: None,
                kind: r#"`regression`, `multilevel`, `vcg`, `matching`, `experiment`, `staggered`"#,
                default: ShownDefault::FromCode,
                meaning: r#"`regression`: OLS of growth on programme, absorbed subject × grade effects, SEs clustered by school (see `inference`); `multilevel`: linear mixed model with random intercepts for school and class within school, REML as R lme4, Satterthwaite df as lmerTest, shrunken (BLUP) school effects; `vcg`: virtual comparison groups with a cluster bootstrap, see `[compare.vcg]`; `matching`: propensity-score nearest-neighbour matching as R MatchIt, see `[compare.matching]`; `experiment`: a randomised categorical treatment, see `[compare.experiment]`; `staggered`: schools start in different years, group-time effects and an event study as R did, see `[compare.staggered]` (all in [indicators.md](indicators.md#effects))"#,
            },
            Key {
                name: "window",
                shown: None,
                kind: r#"`M-E`, `F-W`, `F-S`, `W-S`, `E-E`, `Y-Y`, `F-F`, `W-W`, `S-S`"#,
                default: ShownDefault::FromCode,
                meaning: r#"growth window whose follow-up year is compared"#,
            },
            Key {
                name: "from_year",
                shown: None,
                kind: r#"school year"#,
                default: ShownDefault::Said(r#"all"#),
                meaning: r#"only follow-up years from this one on"#,
            },
            Key {
                name: "covariates",
                shown: None,
                kind: r#"list"#,
                default: ShownDefault::FromCode,
                meaning: r#"`regression` design: covariates beyond the baseline (`ses_weight`, `special_needs`, `school_weight`, `baseline_score`); rows missing one are left out; their coefficients go to `effects/coefficients.csv`"#,
            },
            Key {
                name: "moderator_in_baseline_year",
                shown: None,
                kind: r#"bool"#,
                default: ShownDefault::FromCode,
                meaning: r#"take the SRL tercile from the year before the programme year (for year-on-year windows such as `E-E`), so the moderator is not itself affected by the programme"#,
            },
            Key {
                name: "inference",
                shown: None,
                kind: r#"`auto`, `cr2`, `cr1`, `wild`"#,
                default: ShownDefault::FromCode,
                meaning: r#"how the `regression` design's SEs, CIs and p values are made: `auto` = CR2 with Satterthwaite df (Bell & McCaffrey; as R clubSandwich) below 40 schools, CR1 with t(G−1) from 40; `wild` = wild cluster restricted bootstrap-t (Webb weights below 12 schools, Rademacher from 12; CI by test inversion). `effects.csv` names the method per row ([indicators.md](indicators.md#effects), [calibration.md](calibration.md))"#,
            },
            Key {
                name: "wild_replicates",
                shown: None,
                kind: r#"integer ≥ 99"#,
                default: ShownDefault::FromCode,
                meaning: r#"wild bootstrap replicates (with Rademacher weights and 2^G ≤ replicates every sign vector is used instead)"#,
            },
            Key {
                name: "wild_seed",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"wild bootstrap seed (same seed, same result)"#,
            },
            Key {
                name: "sensitivity",
                shown: None,
                kind: r#"bool"#,
                default: ShownDefault::FromCode,
                meaning: r#"also estimate the overall effect with the other observational designs (`regression`, `multilevel`, `vcg`, `matching`) and write their `overall` rows beside the pipeline's design in `effects.*`; the review says whether they agree"#,
            },
            Key {
                name: "vcg",
                shown: Some(r#"`[compare.vcg]`"#),
                kind: r#"table"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"settings of the `vcg` design (below)"#,
            },
            Key {
                name: "staggered",
                shown: Some(r#"`[compare.staggered]`"#),
                kind: r#"table"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"settings of the `staggered` design (below)"#,
            },
            Key {
                name: "matching",
                shown: Some(r#"`[compare.matching]`"#),
                kind: r#"table"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"settings of the `matching` design (below)"#,
            },
            Key {
                name: "experiment",
                shown: Some(r#"`[compare.experiment]`"#),
                kind: r#"table"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"the `experiment` design (below; required with it)"#,
            },
        ],
    },
    Section {
        table: "[compare.vcg]",
        accepted: accepted_keys::<VcgSettings>,
        defaults: defaults_of::<VcgSettings>,
        empty_is_default: empty_reads_as_default::<VcgSettings>,
        keys: &[
            Key {
                name: "k",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"comparison pupils per programme pupil, at most (RAND uses up to 51)"#,
            },
            Key {
                name: "baseline_caliper",
                shown: None,
                kind: r#"number"#,
                default: ShownDefault::FromCode,
                meaning: r#"largest baseline difference, in SD of the baseline (`baseline_z`)"#,
            },
            Key {
                name: "school_characteristics",
                shown: None,
                kind: r#"list"#,
                default: ShownDefault::FromCode,
                meaning: r#"school characteristics that must be similar; `school_weight` (e.g. share of disadvantaged pupils)"#,
            },
            Key {
                name: "school_caliper",
                shown: None,
                kind: r#"number"#,
                default: ShownDefault::FromCode,
                meaning: r#"largest difference per school characteristic, in SD over schools"#,
            },
            Key {
                name: "bootstrap",
                shown: None,
                kind: r#"integer ≥ 99"#,
                default: ShownDefault::FromCode,
                meaning: r#"cluster-bootstrap replicates"#,
            },
            Key {
                name: "seed",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"bootstrap seed (same seed, same CI)"#,
            },
        ],
    },
    Section {
        table: "[compare.staggered]",
        accepted: accepted_keys::<StaggeredSettings>,
        defaults: defaults_of::<StaggeredSettings>,
        empty_is_default: empty_reads_as_default::<StaggeredSettings>,
        keys: &[
            Key {
                name: "outcome",
                shown: None,
                kind: r#"`growth`, `followup`"#,
                default: ShownDefault::FromCode,
                meaning: r#"`growth`: the window's growth in SD units (follow-up z minus baseline z); `followup`: the follow-up z with the baseline z as covariate (conditional parallel trends)"#,
            },
            Key {
                name: "estimator",
                shown: None,
                kind: r#"`doubly-robust`, `regression`, `ipw`"#,
                default: ShownDefault::FromCode,
                meaning: r#"estimator of each ATT(g, t), as R DRDID; with `outcome = "growth"` (no covariate) all three give the same numbers"#,
            },
            Key {
                name: "comparison",
                shown: None,
                kind: r#"`never-treated`, `not-yet-treated`"#,
                default: ShownDefault::FromCode,
                meaning: r#"comparison schools: never starting, or also those that start later while they have not started"#,
            },
            Key {
                name: "base_period",
                shown: None,
                kind: r#"`varying`, `universal`"#,
                default: ShownDefault::FromCode,
                meaning: r#"base year of the years before the start: the year before (`varying`, did's default) or the year before the start (`universal`)"#,
            },
            Key {
                name: "anticipation",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"school years before the start in which schools may already change"#,
            },
            Key {
                name: "draws",
                shown: None,
                kind: r#"integer ≥ 1000"#,
                default: ShownDefault::FromCode,
                meaning: r#"simulated draws for the critical value of the simultaneous bands (the multivariate t over the schools' jackknife replicates, [indicators.md](indicators.md#effects))"#,
            },
            Key {
                name: "seed",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"seed of those draws (same seed, same bands)"#,
            },
        ],
    },
    Section {
        table: "[compare.matching]",
        accepted: accepted_keys::<MatchingSettings>,
        defaults: defaults_of::<MatchingSettings>,
        empty_is_default: empty_reads_as_default::<MatchingSettings>,
        keys: &[
            Key {
                name: "covariates",
                shown: None,
                kind: r#"list"#,
                default: ShownDefault::FromCode,
                meaning: r#"propensity-model covariates: `baseline_z`, `baseline_score`, `ses_weight`, `special_needs`, `school_weight`; rows missing one are left out (counted in run.json)"#,
            },
            Key {
                name: "ratio",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"comparison pupils per programme pupil"#,
            },
            Key {
                name: "replace",
                shown: None,
                kind: r#"bool"#,
                default: ShownDefault::FromCode,
                meaning: r#"comparison pupils may be reused"#,
            },
            Key {
                name: "caliper",
                shown: None,
                kind: r#"number"#,
                default: ShownDefault::FromCode,
                meaning: r#"caliper in SDs of the propensity score"#,
            },
            Key {
                name: "order",
                shown: None,
                kind: r#"`largest`, `smallest`, `data`"#,
                default: ShownDefault::FromCode,
                meaning: r#"order in which programme pupils are matched (ignored with replacement, as in MatchIt)"#,
            },
        ],
    },
    Section {
        table: "[compare.experiment]",
        accepted: accepted_keys::<Experiment>,
        defaults: no_defaults,
        empty_is_default: no_default,
        keys: &[
            Key {
                name: "treatment",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::Required,
                meaning: r#"attribute holding the treatment level (`class_type`)"#,
            },
            Key {
                name: "reference",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::Required,
                meaning: r#"reference level; every other level gets a dummy"#,
            },
            Key {
                name: "percentile_reference",
                shown: None,
                kind: r#"list"#,
                default: ShownDefault::Required,
                meaning: r#"levels whose pupils form the distribution percentile ranks are taken in"#,
            },
            Key {
                name: "subjects",
                shown: None,
                kind: r#"list"#,
                default: ShownDefault::Required,
                meaning: r#"subtests averaged into the outcome"#,
            },
            Key {
                name: "grades",
                shown: None,
                kind: r#"list of integers"#,
                default: ShownDefault::Required,
                meaning: r#"grades, each its own sample"#,
            },
            Key {
                name: "cluster",
                shown: None,
                kind: r#"`class` / `school`"#,
                default: ShownDefault::Said(r#"`class`"#),
                meaning: r#"cluster of the standard errors (class = the enrollment's group)"#,
            },
            Key {
                name: "model",
                shown: Some(r#"`[[compare.experiment.model]]`"#),
                kind: r#"tables"#,
                default: ShownDefault::Said(r#"at least one"#),
                meaning: r#"`name`; `fixed_effect = "school"` or none; `covariates` (numeric attributes; pupils missing one leave that model)"#,
            },
        ],
    },
    Section {
        table: "[limits]",
        accepted: accepted_keys::<Limits>,
        defaults: defaults_of::<Limits>,
        empty_is_default: empty_reads_as_default::<Limits>,
        keys: &[
            Key {
                name: "earliest_year",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"earliest year of a test date, timestamp or school year; earlier is a typing error or a placeholder (`01-01-1900`). Birth dates are exempt"#,
            },
            Key {
                name: "latest_year",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::Said(r#"next calendar year"#),
                meaning: r#"latest plausible year"#,
            },
            Key {
                name: "max_record_lines",
                shown: None,
                kind: r#"integer"#,
                default: ShownDefault::FromCode,
                meaning: r#"most lines one delimited record may span; a quote left open longer (or over several lines to the end of the file) stops the file with an error naming the line where it opened"#,
            },
        ],
    },
    Section {
        table: "[report]",
        accepted: accepted_keys::<Report>,
        defaults: defaults_of::<Report>,
        empty_is_default: empty_reads_as_default::<Report>,
        keys: &[
            Key {
                name: "title",
                shown: None,
                kind: r#"string"#,
                default: ShownDefault::Said(r#"none"#),
                meaning: r#"title for documents (charts use their own titles)"#,
            },
            Key {
                name: "earlier_runs",
                shown: None,
                kind: r#"list of paths"#,
                default: ShownDefault::FromCode,
                meaning: r#"output folders of earlier runs (relative to the pipeline file). Their `indicators/moment_trend.parquet` adds the test moments and school years this run's exports no longer hold, so the review shows the same test moment in earlier years ("Hetzelfde toetsmoment door de jaren heen"); where both have a moment and year, this run's figures win. A folder without that table stops the run with an error"#,
            },
        ],
    },
];

impl Section {
    /// The section's key table in Markdown: key, type, default, meaning.
    pub fn markdown(&self) -> String {
        let defaults = (self.defaults)();
        let mut out = String::from("| key | type | default | meaning |\n|---|---|---|---|\n");
        for key in self.keys {
            let shown = key
                .shown
                .map_or_else(|| format!("`{}`", key.name), str::to_string);
            let default = match key.default {
                ShownDefault::Required => "required".to_string(),
                ShownDefault::Said(text) => text.to_string(),
                ShownDefault::FromCode => {
                    toml_default(defaults.as_ref().and_then(|d| d.get(key.name)))
                }
            };
            out.push_str(&format!(
                "| {shown} | {} | {default} | {} |\n",
                key.kind, key.meaning
            ));
        }
        out
    }
}

/// A default value as a pipeline file would write it, or `none` when absent or empty.
fn toml_default(value: Option<&toml::Value>) -> String {
    match value {
        None => "none".into(),
        Some(toml::Value::Array(a)) if a.is_empty() => "none".into(),
        Some(toml::Value::Table(t)) if t.is_empty() => "none".into(),
        Some(toml::Value::Table(t)) => {
            let inner: Vec<String> = t.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("`{{ {} }}`", inner.join(", "))
        }
        Some(v) => format!("`{v}`"),
    }
}

/// `docs/pipeline.md` with every section's key table generated (the part named `keys
/// [section]`).
pub fn fill_pipeline_doc(doc: &str) -> Result<String, String> {
    SECTIONS.iter().try_fold(doc.to_string(), |doc, s| {
        crate::doc_regions::fill(&doc, &format!("keys {}", s.table), &s.markdown())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key serde accepts is documented, and every documented key is accepted.
    #[test]
    fn every_accepted_key_is_documented_and_no_other() {
        for s in SECTIONS {
            let mut accepted = (s.accepted)();
            assert!(!accepted.is_empty(), "{}: no keys read", s.table);
            let mut documented: Vec<String> = s.keys.iter().map(|k| k.name.to_string()).collect();
            accepted.sort();
            documented.sort();
            assert_eq!(
                documented, accepted,
                "{}: documented vs accepted keys",
                s.table
            );
        }
    }

    /// Serde's defaults are the section's `Default` (so the documented default is the one a
    /// run uses), and a default said in words stands only where the code has no value.
    #[test]
    fn documented_defaults_are_the_ones_a_run_uses() {
        for s in SECTIONS {
            if let Some(same) = (s.empty_is_default)() {
                assert!(
                    same,
                    "{}: an empty table does not read as its Default",
                    s.table
                );
            }
            let Some(defaults) = (s.defaults)() else {
                continue;
            };
            for k in s.keys {
                if let ShownDefault::Said(text) = k.default {
                    assert_eq!(
                        toml_default(defaults.get(k.name)),
                        "none",
                        "{} {}: said '{text}' but the code has a value",
                        s.table,
                        k.name
                    );
                }
            }
        }
    }

    /// A key whose values are an enum's lists every value serde accepts, so a new format or
    /// design cannot be left out of the documentation.
    #[test]
    fn enumerated_keys_list_every_value() {
        let enums: [(&str, &str, Vec<String>); 8] = [
            ("[[source]]", "format", accepted_values::<SourceFormat>()),
            ("[compare]", "design", accepted_values::<Design>()),
            ("[compare]", "inference", accepted_values::<Inference>()),
            ("[growth.sgp]", "solver", accepted_values::<SolverChoice>()),
            (
                "[compare.staggered]",
                "outcome",
                accepted_values::<StaggeredOutcome>(),
            ),
            (
                "[compare.staggered]",
                "estimator",
                accepted_values::<StaggeredEstimator>(),
            ),
            (
                "[compare.staggered]",
                "comparison",
                accepted_values::<StaggeredComparison>(),
            ),
            (
                "[compare.staggered]",
                "base_period",
                accepted_values::<StaggeredBase>(),
            ),
        ];
        for (table, name, values) in enums {
            assert!(!values.is_empty(), "{table} {name}: no values read");
            let section = SECTIONS.iter().find(|s| s.table == table).unwrap();
            let key = section.keys.iter().find(|k| k.name == name).unwrap();
            for v in values {
                assert!(
                    key.kind.contains(&format!("`{v}`")),
                    "{table} {name}: `{v}` is not listed in '{}'",
                    key.kind
                );
            }
        }
    }

    #[test]
    fn defaults_are_written_as_toml() {
        let privacy = SECTIONS.iter().find(|s| s.table == "[privacy]").unwrap();
        let table = privacy.markdown();
        assert!(
            table.contains("| `min_group_size` | integer ≥ 5 | `10` |"),
            "{table}"
        );
        let calendar = SECTIONS.iter().find(|s| s.table == "[calendar]").unwrap();
        assert!(calendar.markdown().contains("`{ day = 1, month = 8 }`"));
    }

    #[test]
    fn committed_pipeline_doc_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/pipeline.md");
        crate::doc_regions::check(&path, fill_pipeline_doc).unwrap();
    }
}
