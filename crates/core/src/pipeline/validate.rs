//! Reading and checking a pipeline file: [`Pipeline::load`] and [`Pipeline::from_toml`] parse the
//! TOML (unknown keys and wrong types are errors naming the line and the key) and then check what
//! the types cannot say: names, ranges, mappings, and settings that only make sense together.

use std::path::{Path, PathBuf};

use super::*;
use crate::error::{Error, Result};

impl Pipeline {
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
