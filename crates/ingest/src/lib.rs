//! Ingest: school exports -> validated, pseudonymised canonical Parquet.
//!
//! One module per source format. Every row read is either accepted into a warehouse table or
//! written to `rejects/<table>.csv` with file, line, column, value and reason:
//! read = accepted + rejected holds per source, and is checked before anything is written.

pub mod columns;
pub mod context;
pub mod delimited;
pub mod draft;
pub mod event_store;
pub mod formats;
pub mod input;
pub mod invariants;
pub mod levels;
pub mod lookup;
pub mod profile;
pub mod pseudonym;
pub mod reason_nl;
pub mod record_loop;
pub mod redact;
pub mod rejects;
pub mod rows;
mod spill;
pub mod verb_check;

use std::collections::BTreeMap;
use std::path::Path;

use leerwinst_core::pipeline::{Pipeline, SourceFormat};
use leerwinst_core::{Error, Result, SchoolYear, Table};
use serde::Serialize;

use crate::context::{IdResolver, ReadContext, SchoolInfo};
use crate::formats::{
    lvs, mapped, mapped_events, mapped_roster, moodle, moodle_report, nwea, oneroster, plans,
    schools, sgp_long, star, xapi,
};
use crate::input::FileInfo;
use crate::pseudonym::{KeyOrigin, Pseudonymiser};
use crate::rejects::Rejects;
use crate::rows::*;

/// Counts of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// Source name.
    pub name: String,
    /// Format.
    pub format: SourceFormat,
    /// Files read, with checksums.
    pub files: Vec<FileInfo>,
    /// Data rows read.
    pub read: usize,
    /// Rows accepted into a table.
    pub accepted: usize,
    /// Rows written to rejects.
    pub rejected: usize,
    /// Per lookup file of the source (OneRoster's orgs, academicSessions, classes, roles,
    /// demographics; a gradebook's categories and lineItems): rows read, used and rejected.
    /// They are counted in `read`, `accepted` and `rejected` as well.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lookups: Vec<lookup::LookupCount>,
    /// Warnings about the source's content (e.g. most activity with a verb not in `[verbs]`,
    /// [`verb_check`]), in the run's language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What ingest did.
#[derive(Debug, Clone, Serialize)]
pub struct IngestSummary {
    /// Per source.
    pub sources: Vec<SourceSummary>,
    /// Rows written per table.
    pub tables: BTreeMap<String, usize>,
    /// Rejected rows in all.
    pub rejected: usize,
    /// The first reject reasons (file:line column: reason), for messages and strict mode.
    pub first_rejects: Vec<String>,
    /// Files written.
    pub outputs: Vec<String>,
    /// Whether pupil ids were pseudonymised.
    pub pseudonymised: bool,
    /// Where the key came from (never the key).
    pub key: Option<KeyOrigin>,
}

#[derive(Default)]
struct Warehouse {
    pupils: Vec<PupilRow>,
    schools: Vec<SchoolRow>,
    enrollments: Vec<EnrollmentRow>,
    assessments: Vec<AssessmentRow>,
    /// In input order, in memory or spilled (see [`event_store`]).
    events: event_store::EventStore,
    plans: Vec<PlanRow>,
    reported: Vec<ReportedGrowthRow>,
    attributes: Vec<AttributeRow>,
}

impl Warehouse {
    /// Adds a school seen in a roster or test export unless the school list already has it.
    fn add_school(&mut self, key: &str, name: Option<String>) {
        if !self.schools.iter().any(|s| s.school_key == key) {
            self.schools.push(SchoolRow {
                school_key: key.to_string(),
                school_name: name,
                programme_from: None,
                school_weight: None,
            });
        }
    }
}

fn order(f: SourceFormat) -> u8 {
    match f {
        SourceFormat::SchoolsCsv => 0,
        SourceFormat::Oneroster | SourceFormat::MappedRoster => 1,
        _ => 2,
    }
}

/// Runs ingest for pipeline `p`, writing `out/warehouse/` and `out/rejects/`.
pub fn run(p: &Pipeline, out: &Path) -> Result<IngestSummary> {
    input::set_limits(&p.limits);
    let (pseudo, key) = if p.privacy.pseudonymise {
        let key_file = p.privacy.key_file.as_ref().map(|k| p.resolve(k));
        let (ps, origin) = pseudonym::load_key(key_file.as_deref(), out)?;
        (ps, Some(origin))
    } else {
        (Pseudonymiser::off(), None)
    };
    let mut rejects = Rejects::default();
    let mut wh = Warehouse {
        events: event_store::EventStore::new(
            event_store::max_in_memory_from_env()?,
            out.join(format!(".leerwinst-spill-{}", std::process::id())),
        ),
        ..Warehouse::default()
    };
    let mut ids = IdResolver::default();
    let mut school_info = SchoolInfo::default();
    let mut summaries = Vec::new();
    let verbs = p.verb_map();
    // Verbs mapped to `other` on purpose (pipeline or a reader's defaults) are not "unmapped".
    let explicit_other: std::collections::BTreeSet<String> = verbs
        .iter()
        .chain(&moodle::default_moodle_verbs())
        .chain(&moodle_report::default_moodle_report_verbs())
        .filter(|(_, k)| **k == leerwinst_core::pipeline::EventKind::Other)
        .map(|(v, _)| v.clone())
        .collect();

    let mut sources: Vec<_> = p.sources.iter().collect();
    sources.sort_by_key(|s| order(s.format));
    for src in sources {
        let path = p.resolve(&src.path);
        let mut lookups = Vec::new();
        wh.events.take_kinds(); // the tally from here on is this source's
        // Each branch: (files read, rows read, rows accepted).
        let (files, read, accepted) = match src.format {
            SourceFormat::Oneroster => {
                let spec = src
                    .results
                    .as_ref()
                    .map(|selection| oneroster::ResultsSpec {
                        selection,
                        instrument: src.instrument.as_deref().unwrap_or("oneroster"),
                        score_range: src.score_range,
                    });
                let roster = oneroster::read(
                    &path,
                    &src.name,
                    &mut rejects,
                    &pseudo,
                    &school_info,
                    spec.as_ref(),
                    p.calendar(),
                )?;
                ids.merge(roster.ids);
                lookups = roster.lookups;
                let accepted = roster.pupils.len()
                    + roster.enrollments.len()
                    + roster.assessments.len()
                    + lookups.iter().map(|l| l.used).sum::<usize>();
                wh.pupils.extend(roster.pupils);
                wh.enrollments.extend(roster.enrollments);
                wh.assessments.extend(roster.assessments);
                for (key, name) in roster.schools {
                    wh.add_school(&key, Some(name));
                }
                let read = roster.read + lookups.iter().map(|l| l.read).sum::<usize>();
                (roster.files, read, accepted)
            }
            SourceFormat::MappedRoster => {
                let (stream, hashing) = input::open_hashed(&path)?;
                let (text, encoding) =
                    input::decode_table_text(&path, stream, src.sheet.as_deref(), src.header_row)?;
                let mapping = src
                    .mapping
                    .as_ref()
                    .ok_or_else(|| Error::input(&path, "mapped-roster needs a [source.mapping]"))?;
                let no_ids = IdResolver::default();
                let mut ctx = ReadContext::new(
                    &src.name,
                    path.display().to_string(),
                    &mut rejects,
                    &no_ids,
                    &pseudo,
                )
                .with_calendar(p.calendar());
                let list = mapped_roster::read(&mut ctx, &text, mapping, &school_info)?;
                ids.merge(list.ids);
                let accepted = list.enrollments.len();
                let known: std::collections::HashSet<String> =
                    wh.pupils.iter().map(|p| p.pupil_key.clone()).collect();
                wh.pupils.extend(
                    list.pupils
                        .into_iter()
                        .filter(|p| !known.contains(&p.pupil_key)),
                );
                wh.enrollments.extend(list.enrollments);
                for (key, name) in list.schools {
                    wh.add_school(&key, name);
                }
                let mut info = hashing.finish()?;
                info.encoding = encoding;
                (vec![info], list.read, accepted)
            }
            SourceFormat::NweaCdf => {
                let instrument = src.instrument.as_deref().unwrap_or("nwea-map");
                let range = src.score_range.unwrap_or(nwea::DEFAULT_RIT_RANGE);
                let cdf = nwea::read(
                    &path,
                    &src.name,
                    &mut rejects,
                    &pseudo,
                    instrument,
                    range,
                    p.calendar(),
                )?;
                let known: std::collections::HashSet<String> =
                    wh.pupils.iter().map(|p| p.pupil_key.clone()).collect();
                wh.pupils.extend(
                    cdf.pupils
                        .into_iter()
                        .filter(|p| !known.contains(&p.pupil_key)),
                );
                for e in &cdf.enrollments {
                    // The CDF names schools only: the name is also the key.
                    wh.add_school(&e.school_key, Some(e.school_key.clone()));
                }
                wh.enrollments.extend(cdf.enrollments);
                wh.assessments.extend(cdf.assessments);
                wh.reported.extend(cdf.reported);
                (cdf.files, cdf.read, cdf.accepted)
            }
            format => {
                // The checksum is taken as the reader reads (no pass of its own).
                let (stream, hashing) = input::open_hashed(&path)?;
                let mut encoding = "UTF-8";
                // The source's one table as text: its sheet, from its header row on.
                let table_text = |stream| {
                    input::decode_table_text(&path, stream, src.sheet.as_deref(), src.header_row)
                };
                let mut ctx = ReadContext::new(
                    &src.name,
                    path.display().to_string(),
                    &mut rejects,
                    &ids,
                    &pseudo,
                )
                .with_calendar(p.calendar());
                let (read, accepted) = match format {
                    SourceFormat::Xapi => {
                        // Streamed: NDJSON dumps are the large inputs.
                        let before = wh.events.len();
                        let read = xapi::read_stream(&mut ctx, stream, &verbs, &mut wh.events)?;
                        (read, wh.events.len() - before)
                    }
                    SourceFormat::SchoolsCsv => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let (rows, read) = schools::read(&mut ctx, &text)?;
                        for r in &rows {
                            if let Some(y) = r.programme_from.as_deref().and_then(SchoolYear::parse)
                            {
                                school_info.programme_from.insert(r.school_key.clone(), y.0);
                            }
                        }
                        let n = rows.len();
                        wh.schools.extend(rows);
                        (read, n)
                    }
                    SourceFormat::LvsCsv => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let instrument = src.instrument.as_deref().unwrap_or("cito-lvs");
                        let range = src.score_range.unwrap_or(lvs::DEFAULT_SCORE_RANGE);
                        let (rows, read) = lvs::read(&mut ctx, &text, instrument, range)?;
                        let n = rows.len();
                        wh.assessments.extend(rows);
                        (read, n)
                    }
                    SourceFormat::MappedPlans => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let mapping = src.mapping.as_ref().ok_or_else(|| {
                            Error::input(&path, "mapped-plans needs a [source.mapping]")
                        })?;
                        let (rows, read) = plans::read_mapped(&mut ctx, &text, mapping)?;
                        let n = rows.len();
                        wh.plans.extend(rows);
                        (read, n)
                    }
                    SourceFormat::PlansCsv => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let (rows, read) = plans::read(&mut ctx, &text)?;
                        let n = rows.len();
                        wh.plans.extend(rows);
                        (read, n)
                    }
                    SourceFormat::SgpLong => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let instrument = src.instrument.as_deref().unwrap_or("state-test");
                        let got = sgp_long::read(&mut ctx, &text, instrument, src.score_range)?;
                        let n = got.assessments.len();
                        wh.assessments.extend(got.assessments);
                        wh.enrollments.extend(got.enrollments);
                        (got.read, n)
                    }
                    SourceFormat::MoodleLog => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let mut moodle_verbs = moodle::default_moodle_verbs();
                        moodle_verbs.extend(verbs.iter().map(|(k, v)| (k.clone(), *v)));
                        let (rows, read) = moodle::read(&mut ctx, &text, &moodle_verbs)?;
                        let n = rows.len();
                        wh.events.push(rows)?;
                        (read, n)
                    }
                    SourceFormat::MoodleReport => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let mut report_verbs = moodle_report::default_moodle_report_verbs();
                        report_verbs.extend(verbs.iter().map(|(k, v)| (k.clone(), *v)));
                        let settings = moodle_report::ReportSettings {
                            time_format: src.time_format.clone(),
                            school_year: src.school_year.as_deref().and_then(SchoolYear::parse),
                        };
                        let (rows, read) =
                            moodle_report::read(&mut ctx, &text, &report_verbs, &settings)?;
                        let n = rows.len();
                        wh.events.push(rows)?;
                        (read, n)
                    }
                    SourceFormat::StarCsv => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let instrument = src.instrument.as_deref().unwrap_or("stanford-sat");
                        let got = star::read(&mut ctx, &text, instrument)?;
                        for e in &got.enrollments {
                            wh.add_school(&e.school_key, None);
                        }
                        wh.pupils.extend(got.pupils);
                        wh.enrollments.extend(got.enrollments);
                        wh.assessments.extend(got.assessments);
                        wh.attributes.extend(got.attributes);
                        (got.read, got.accepted)
                    }
                    SourceFormat::MappedAssessments => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let mapping = src.mapping.as_ref().ok_or_else(|| {
                            Error::input(&path, "mapped-assessments needs a [source.mapping]")
                        })?;
                        let instrument = src.instrument.as_deref().unwrap_or("mapped");
                        let range = src.score_range.unwrap_or(lvs::DEFAULT_SCORE_RANGE);
                        let (rows, read) =
                            mapped::read(&mut ctx, &text, mapping, instrument, range)?;
                        let n = rows.len();
                        wh.assessments.extend(rows);
                        (read, n)
                    }
                    SourceFormat::MappedEvents => {
                        let (text, enc) = table_text(stream)?;
                        encoding = enc;
                        let mapping = src.mapping.as_ref().ok_or_else(|| {
                            Error::input(&path, "mapped-events needs a [source.mapping]")
                        })?;
                        let (rows, read, lines) =
                            mapped_events::read(&mut ctx, &text, mapping, &verbs)?;
                        wh.events.push(rows)?;
                        (read, lines)
                    }
                    SourceFormat::Oneroster
                    | SourceFormat::NweaCdf
                    | SourceFormat::MappedRoster => {
                        unreachable!("roster and folder formats are handled above")
                    }
                };
                let mut info = hashing.finish()?;
                info.encoding = encoding;
                (vec![info], read, accepted)
            }
        };
        wh.events.spill_held_if_spilled()?;
        rejects.localise(p.pipeline.language);
        let rejected = rejects.count_for(&src.name);
        if read != accepted + rejected {
            return Err(Error::Compute(format!(
                "internal accounting error in source '{}': read {read} != accepted {accepted} + rejected {rejected}",
                src.name
            )));
        }
        if read > 0 && accepted == 0 && !src.allow_all_rejected {
            let reasons: BTreeMap<&str, usize> =
                rejects
                    .of_source(&src.name)
                    .fold(BTreeMap::new(), |mut m, r| {
                        *m.entry(r.reason.as_str()).or_default() += 1;
                        m
                    });
            let mut top: Vec<(&str, usize)> = reasons.into_iter().collect();
            top.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
            let listed: Vec<String> = top
                .iter()
                .take(3)
                .map(|(why, n)| format!("{n} x {why}"))
                .collect();
            return Err(Error::input(
                &path,
                format!(
                    "source '{}': all {read} rows were rejected ({}), so nothing of it would reach the results. Fix the export or its mapping, or set allow_all_rejected = true on the source to run on anyway (every reject is then written to rejects/ with its line).",
                    src.name,
                    listed.join("; ")
                ),
            ));
        }
        let warnings = verb_check::unmapped_warning(
            p.pipeline.language,
            &wh.events.take_kinds(),
            &explicit_other,
        )
        .into_iter()
        .collect();
        summaries.push(SourceSummary {
            name: src.name.clone(),
            format: src.format,
            files,
            read,
            accepted,
            rejected,
            lookups,
            warnings,
        });
    }
    // Programme flags of enrollments follow the school list even if it was read after the roster.
    for e in &mut wh.enrollments {
        if let Some(&from) = school_info.programme_from.get(&e.school_key) {
            e.programme = SchoolYear::parse(&e.school_year).is_some_and(|y| y.0 >= from);
        }
    }
    refuse_repeated_files(&summaries)?;
    let outputs = write(p, out, &mut wh, &summaries)?;
    let reject_dir = out.join("rejects");
    if reject_dir.exists() {
        std::fs::remove_dir_all(&reject_dir).map_err(|e| Error::io(&reject_dir, e))?;
    }
    let mut outputs = outputs;
    outputs.extend(rejects.write(
        &reject_dir,
        leerwinst_store::CsvDialect::of(p.pipeline.language),
    )?);
    let tables = BTreeMap::from([
        ("pupils".to_string(), wh.pupils.len()),
        ("schools".to_string(), wh.schools.len()),
        ("enrollments".to_string(), wh.enrollments.len()),
        ("assessments".to_string(), wh.assessments.len()),
        ("events".to_string(), wh.events.len()),
        ("plans".to_string(), wh.plans.len()),
        ("reported_growth".to_string(), wh.reported.len()),
        ("attributes".to_string(), wh.attributes.len()),
    ]);
    Ok(IngestSummary {
        sources: summaries,
        tables,
        rejected: rejects.total(),
        first_rejects: rejects
            .first(20)
            .iter()
            .map(|r| format!("{}:{} {}: {}", r.file, r.line, r.column, r.reason))
            .collect(),
        outputs,
        pseudonymised: pseudo.is_on(),
        key,
    })
}

/// The same export listed twice (under two sources, or twice in one folder) would count every
/// row twice; identical contents (SHA-256) are an error naming both paths. Empty files are
/// exempt.
fn refuse_repeated_files(summaries: &[SourceSummary]) -> Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for f in summaries.iter().flat_map(|s| &s.files) {
        if f.bytes == 0 {
            continue;
        }
        if let Some(first) = seen.insert(&f.sha256, &f.path) {
            return Err(Error::input(
                &f.path,
                format!(
                    "has the same contents as {first}: the same export listed twice would count every row twice. Remove one of them from the pipeline."
                ),
            ));
        }
    }
    Ok(())
}

/// Provenance metadata for every warehouse file: pipeline name and the sources with checksums.
fn provenance(p: &Pipeline, summaries: &[SourceSummary]) -> Vec<(String, String)> {
    let sources: Vec<serde_json::Value> = summaries
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.name,
                "files": s.files.iter().map(|f| serde_json::json!({
                    "file": Path::new(&f.path).file_name().map(|n| n.to_string_lossy().to_string()),
                    "sha256": f.sha256,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    vec![
        ("leerwinst.pipeline".into(), p.pipeline.name.clone()),
        (
            "leerwinst.sources".into(),
            serde_json::Value::Array(sources).to_string(),
        ),
    ]
}

fn write(
    p: &Pipeline,
    out: &Path,
    wh: &mut Warehouse,
    summaries: &[SourceSummary],
) -> Result<Vec<String>> {
    let meta = provenance(p, summaries);
    let dir = out.join("warehouse");
    let mut written = Vec::new();
    let mut put = |table: Table, cols| -> Result<()> {
        let path = dir.join(format!("{}.parquet", table.name()));
        leerwinst_store::write_table(&path, table, cols, &meta)?;
        written.push(path.display().to_string());
        Ok(())
    };
    wh.pupils.sort_by(|a, b| a.pupil_key.cmp(&b.pupil_key));
    wh.schools.sort_by(|a, b| a.school_key.cmp(&b.school_key));
    wh.enrollments.sort_by(|a, b| {
        (&a.pupil_key, &a.school_year, &a.group_key).cmp(&(
            &b.pupil_key,
            &b.school_year,
            &b.group_key,
        ))
    });
    wh.assessments.sort_by(|a, b| {
        (
            &a.pupil_key,
            &a.subject,
            &a.school_year,
            a.administered_on,
            &a.term,
        )
            .cmp(&(
                &b.pupil_key,
                &b.subject,
                &b.school_year,
                b.administered_on,
                &b.term,
            ))
    });
    wh.plans.sort_by(|a, b| {
        (&a.pupil_key, &a.week, &a.task_id).cmp(&(&b.pupil_key, &b.week, &b.task_id))
    });
    put(Table::Pupils, pupils(&wh.pupils))?;
    put(Table::Schools, schools(&wh.schools))?;
    put(Table::Enrollments, enrollments(&wh.enrollments))?;
    put(Table::Assessments, assessments(&wh.assessments))?;
    put(Table::Plans, plans(&wh.plans))?;
    wh.reported.sort_by(|a, b| {
        (&a.pupil_key, &a.subject, a.window, &a.school_year).cmp(&(
            &b.pupil_key,
            &b.subject,
            b.window,
            &b.school_year,
        ))
    });
    put(Table::ReportedGrowth, reported_growth(&wh.reported))?;
    wh.attributes.sort_by(|a, b| {
        (&a.pupil_key, &a.school_year, a.name).cmp(&(&b.pupil_key, &b.school_year, b.name))
    });
    put(Table::Attributes, attributes(&wh.attributes))?;

    // Events: hive-partitioned by school year, sorted by pupil and time within a partition.
    let events_dir = dir.join("events");
    if events_dir.exists() {
        std::fs::remove_dir_all(&events_dir).map_err(|e| Error::io(&events_dir, e))?;
    }
    let parts = wh.events.write(&events_dir, &meta)?;
    written.extend(parts.iter().map(|p| p.display().to_string()));
    Ok(written)
}
