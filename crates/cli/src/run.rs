//! Glue: runs stages in order, writes run.json, prints the human summary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use leerwinst_core::pipeline::Pipeline;
use leerwinst_report::document::{method_label, note_label};
use leerwinst_report::text::Texts;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::progress;

/// The stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Exports -> warehouse.
    Ingest,
    /// Warehouse -> indicators.
    Transform,
    /// Indicators -> effects.
    Compare,
    /// Outputs -> charts.
    Report,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 4] = [
        Stage::Ingest,
        Stage::Transform,
        Stage::Compare,
        Stage::Report,
    ];

    /// The stage's key in run.json (its record), as the command line names the stage.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Transform => "transform",
            Stage::Compare => "compare",
            Stage::Report => "report",
        }
    }
}

#[derive(Serialize)]
struct StageRecord<T: Serialize> {
    seconds: f64,
    #[serde(flatten)]
    summary: T,
}

#[derive(Serialize, Default)]
struct RunRecord {
    tool: &'static str,
    tool_version: &'static str,
    schema_version: &'static str,
    pipeline: PipelineRecord,
    pseudonymised: Option<bool>,
    warning: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingest: Option<StageRecord<leerwinst_ingest::IngestSummary>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transform: Option<StageRecord<leerwinst_transform::TransformSummary>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compare: Option<StageRecord<leerwinst_compare::CompareSummary>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<StageRecord<leerwinst_report::ReportSummary>>,
    total_seconds: f64,
}

#[derive(Serialize, Default)]
struct PipelineRecord {
    name: String,
    file: String,
    sha256: String,
}

/// `leerwinst kernel srl`: the SRL kernel between standard input and output (Arrow IPC streams),
/// or with `spark_schema` the Spark SQL schema of its output. Prints nothing else to standard
/// output (it is the data); a summary goes to standard error.
pub fn srl_kernel(pipeline: Option<&Path>, spark_schema: bool) -> Result<ExitCode> {
    if spark_schema {
        println!("{}", leerwinst_transform::srl_kernel::spark_ddl());
        return Ok(ExitCode::SUCCESS);
    }
    let pipeline = pipeline.context("give the pipeline file")?;
    let p = Pipeline::load(pipeline)?;
    let settings = leerwinst_transform::srl::SrlSettings {
        session_gap_min: p.indicators.session_gap_min,
        min_events: p.indicators.min_events,
    };
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let s = leerwinst_transform::srl_kernel::run(stdin, stdout, &p.terms(), settings)?;
    eprintln!(
        "leerwinst kernel srl: {} pupil-years, {} events, {} planned tasks -> {} rows",
        s.pupil_years, s.events, s.plans, s.rows
    );
    Ok(ExitCode::SUCCESS)
}

fn out_dir(p: &Pipeline, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| PathBuf::from("reports").join(&p.pipeline.name))
}

/// Runs `stages` of `pipeline` into `out`; writes/updates run.json and prints a summary.
pub fn stages(
    pipeline: &Path,
    out: Option<PathBuf>,
    strict: bool,
    stages: &[Stage],
) -> Result<ExitCode> {
    stages_with(pipeline, out, strict, stages, None)
}

/// [`stages`], with transform reading the per-pupil self-regulation rows from `srl_partials`
/// (what the Spark job wrote) instead of computing them from the events.
pub fn stages_with(
    pipeline: &Path,
    out: Option<PathBuf>,
    strict: bool,
    stages: &[Stage],
    srl_partials: Option<&Path>,
) -> Result<ExitCode> {
    let p = Pipeline::load(pipeline)?;
    let out = out_dir(&p, out);
    // Held until the run ends: the lock keeps a second run out of this folder.
    let folder = crate::out_folder::claim(&out)?;
    // The stages write into the staging folder; it becomes `out` when every stage succeeded.
    let work = folder.work().to_path_buf();
    let strict = strict || p.pipeline.strict;
    // The console speaks the pipeline's language, numbers included.
    let tx = Texts::new(p.pipeline.language);
    let t_all = Instant::now();
    let bytes = std::fs::read(pipeline).with_context(|| pipeline.display().to_string())?;
    let mut rec = RunRecord {
        tool: "leerwinst",
        tool_version: leerwinst_core::TOOL_VERSION,
        schema_version: leerwinst_core::SCHEMA_VERSION,
        pipeline: PipelineRecord {
            name: p.pipeline.name.clone(),
            file: pipeline.display().to_string(),
            sha256: hex::encode(Sha256::digest(&bytes)),
        },
        ..Default::default()
    };
    println!(
        "leerwinst {} — {} '{}' ({})",
        leerwinst_core::TOOL_VERSION,
        tx.t("pijplijn", "pipeline"),
        p.pipeline.name,
        pipeline.display()
    );
    for stage in stages {
        let t = Instant::now();
        match stage {
            Stage::Ingest => {
                let pb = progress::step(tx.t(
                    "inlezen: exports lezen, controleren en pseudonimiseren",
                    "ingest: reading, validating and pseudonymising exports",
                ));
                let s = leerwinst_ingest::run(&p, &work)?;
                pb.finish_and_clear();
                let secs = t.elapsed().as_secs_f64();
                let (read, acc, rej) = s.sources.iter().fold((0, 0, 0), |a, x| {
                    (a.0 + x.read, a.1 + x.accepted, a.2 + x.rejected)
                });
                println!(
                    "{:<11} {} s  {} {}: {read} {} = {acc} {} + {rej} {}",
                    tx.t("inlezen", "ingest"),
                    seconds(&tx, secs),
                    s.sources.len(),
                    tx.t("bronnen", "sources"),
                    tx.t("regels gelezen", "rows read"),
                    tx.t("geaccepteerd", "accepted"),
                    tx.t("afgewezen", "rejected"),
                );
                for src in &s.sources {
                    println!(
                        "             {:<12} {:>9} {} {:>9} {} {:>6} {}",
                        src.name,
                        src.read,
                        tx.t("gelezen", "read"),
                        src.accepted,
                        tx.t("geaccepteerd", "accepted"),
                        src.rejected,
                        tx.t("afgewezen", "rejected"),
                    );
                    for w in &src.warnings {
                        println!("             !!! {}: {w}", src.name);
                    }
                }
                if rej > 0 {
                    println!(
                        "             {}: {}",
                        tx.t(
                            "afgewezen regels met bestand, regelnummer, kolom en reden",
                            "rejected rows with file, line, column and reason"
                        ),
                        out.join("rejects").display()
                    );
                }
                if let Some(key) = s.key.as_ref().filter(|k| k.created) {
                    let w = match p.pipeline.language {
                        leerwinst_core::pipeline::Language::Nl => format!(
                            "Nieuwe pseudonimiseringssleutel aangemaakt: {}. Bewaar dit bestand (en een reservekopie) op een veilige plek: alleen met dezelfde sleutel krijgen leerlingen volgende periode dezelfde pseudoniemen en sluiten de periodes op elkaar aan.",
                            key.origin
                        ),
                        leerwinst_core::pipeline::Language::En => format!(
                            "A new pseudonymisation key was created: {}. Keep this file (and a backup) somewhere safe: only with the same key do pupils get the same pseudonyms next term, so that terms join.",
                            key.origin
                        ),
                    };
                    println!("             !!! {w}");
                }
                rec.pseudonymised = Some(s.pseudonymised);
                if !s.pseudonymised {
                    let w = tx.t(
                        "PSEUDONIMISERING STAAT UIT: leerlingnummers worden geschreven zoals ze zijn. Alleen voor openbare onderzoeksdata.",
                        "PSEUDONYMISATION IS OFF: pupil ids are written as they are. Only for public research data.",
                    );
                    println!("             !!! {w}");
                    rec.warning = Some(w.into());
                }
                let first = s.first_rejects.clone();
                rec.ingest = Some(StageRecord {
                    seconds: secs,
                    summary: s,
                });
                if strict && rej > 0 {
                    write_run_json(&work, &out, &mut rec, t_all)?;
                    eprintln!(
                        "{}",
                        match p.pipeline.language {
                            leerwinst_core::pipeline::Language::Nl => format!(
                                "strikte modus: {rej} regels afgewezen; de eerste {}:",
                                first.len()
                            ),
                            leerwinst_core::pipeline::Language::En => format!(
                                "strict mode: {rej} rows rejected; the first {}:",
                                first.len()
                            ),
                        }
                    );
                    for r in &first {
                        eprintln!("  {r}");
                    }
                    // Ingest itself succeeded: its tables and rejects are the run to look at.
                    folder.commit()?;
                    return Ok(ExitCode::from(2));
                }
            }
            Stage::Transform => {
                let pb = progress::step(tx.t(
                    "bewerken: groei en zelfregulatie-indicatoren",
                    "transform: growth and self-regulation indicators",
                ));
                let s = leerwinst_transform::run(&p, &work, srl_partials)?;
                pb.finish_and_clear();
                let secs = t.elapsed().as_secs_f64();
                println!(
                    "{:<11} {} s  {}",
                    tx.t("bewerken", "transform"),
                    seconds(&tx, secs),
                    match p.pipeline.language {
                        leerwinst_core::pipeline::Language::Nl => format!(
                            "groei: {} rijen leerling x vak x periode; zelfregulatie: {} leerling-jaren ({} met een index) uit {} activiteiten",
                            s.growth_rows, s.srl_rows, s.srl_with_index, s.events_read
                        ),
                        leerwinst_core::pipeline::Language::En => format!(
                            "growth: {} pupil x subject x window rows; self-regulation: {} pupil-years ({} with an index) from {} events",
                            s.growth_rows, s.srl_rows, s.srl_with_index, s.events_read
                        ),
                    }
                );
                if s.reference_level_rows > 0 {
                    let n = s.reference_level_rows;
                    println!(
                        "             {}",
                        match p.pipeline.language {
                            leerwinst_core::pipeline::Language::Nl => format!(
                                "referentieniveaus: {n} rijen school x vak x toets x schooljaar"
                            ),
                            leerwinst_core::pipeline::Language::En => format!(
                                "reference levels: {n} school x subject x test x school year rows"
                            ),
                        }
                    );
                }
                rec.transform = Some(StageRecord {
                    seconds: secs,
                    summary: s,
                });
            }
            Stage::Compare => {
                let pb = progress::step(tx.t(
                    "vergelijken: effectschattingen",
                    "compare: effect estimates",
                ));
                let s = leerwinst_compare::run(&p, &work)?;
                pb.finish_and_clear();
                let secs = t.elapsed().as_secs_f64();
                let head = format!(
                    "{:<11} {} s",
                    tx.t("vergelijken", "compare"),
                    seconds(&tx, secs)
                );
                let design = tx.design_short(p.compare.design.key());
                let nl = p.pipeline.language == leerwinst_core::pipeline::Language::Nl;
                if p.compare.design == leerwinst_core::pipeline::Design::Experiment {
                    if nl {
                        println!(
                            "{head}  {design}: {} leerling-leerjaren, {} coëfficiënten in effects/coefficients.csv",
                            s.observations, s.coefficients
                        );
                    } else {
                        println!(
                            "{head}  {design} design: {} pupil-grades, {} coefficients in effects/coefficients.csv",
                            s.observations, s.coefficients
                        );
                    }
                    print_treatment_coefficients(&tx, &work, p.compare.experiment.as_ref())?;
                } else if nl {
                    println!(
                        "{head}  {design}, periode {}, schooljaren {}: {} waarnemingen, {} effecten",
                        p.compare.window,
                        years_text(&tx, &s.years),
                        s.observations,
                        s.effects
                    );
                } else {
                    println!(
                        "{head}  {design} design, window {}, school years {}: {} observations, {} effects",
                        p.compare.window,
                        years_text(&tx, &s.years),
                        s.observations,
                        s.effects
                    );
                }
                print_effects(&tx, &work, p.compare.design.key())?;
                for w in &s.warnings {
                    println!("             !!! {w}");
                }
                for sk in &s.skipped {
                    println!(
                        "             {}: {sk}",
                        tx.t("niet geschat", "not estimated")
                    );
                }
                rec.compare = Some(StageRecord {
                    seconds: secs,
                    summary: s,
                });
            }
            Stage::Report => {
                // The review documents cite run.json (sources, checksums, rejects): bring it up
                // to date first.
                write_run_json(&work, &out, &mut rec, t_all)?;
                let pb = progress::step(tx.t(
                    "rapporteren: grafieken en verantwoordingsdocumenten",
                    "report: charts and review documents",
                ));
                let s = leerwinst_report::run(&p, &work)?;
                pb.finish_and_clear();
                let secs = t.elapsed().as_secs_f64();
                println!(
                    "{:<11} {} s  {} {} (SVG, PNG, PDF) {} {} ({} {} n < {})",
                    tx.t("rapport", "report"),
                    seconds(&tx, secs),
                    s.charts.len(),
                    tx.t("grafieken", "charts"),
                    tx.t("in", "in"),
                    out.join("charts").display(),
                    s.suppressed.len(),
                    tx.t("groepen weggelaten omdat", "groups suppressed as"),
                    p.privacy.min_group_size
                );
                println!(
                    "             {} {} (PDF + HTML) {} {}",
                    s.documents.len(),
                    tx.t("verantwoordingsdocumenten", "review documents"),
                    tx.t("in", "in"),
                    out.join("review").display()
                );
                rec.report = Some(StageRecord {
                    seconds: secs,
                    summary: s,
                });
            }
        }
    }
    write_run_json(&work, &out, &mut rec, t_all)?;
    folder.commit()?;
    println!(
        "{:<11} {} (run.json, warehouse/, rejects/, indicators/, effects/, charts/, review/)",
        tx.t("uitvoer", "outputs"),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The treatment coefficients of an experiment, one line per grade and model.
fn print_treatment_coefficients(
    tx: &Texts,
    out: &Path,
    e: Option<&leerwinst_core::pipeline::Experiment>,
) -> Result<()> {
    let Some(e) = e else { return Ok(()) };
    let mut lines: Vec<(String, String, Vec<String>, usize)> = Vec::new();
    for c in leerwinst_compare::read_coefficients(out)? {
        let t = c.term.as_str();
        if t == "(intercept)" || t == e.reference {
            continue;
        }
        let is_level = !e.model.iter().any(|m| m.covariates.iter().any(|v| v == t));
        if !is_level {
            continue;
        }
        let cell = format!("{t} {} ({})", tx.signed(c.estimate, 2), tx.number(c.se, 2));
        match lines
            .iter_mut()
            .find(|l| (l.0.as_str(), l.1.as_str()) == (c.sample.as_str(), c.model.as_str()))
        {
            Some(l) => l.2.push(cell),
            None => lines.push((c.sample, c.model, vec![cell], c.n)),
        }
    }
    for (sample, model, cells, n) in lines {
        println!(
            "             {sample:8} {model:28} {}  n = {n}",
            cells.join("  ")
        );
    }
    Ok(())
}

/// The follow-up years compared, or "none".
fn years_text(tx: &Texts, years: &[String]) -> String {
    if years.is_empty() {
        tx.t("geen", "none").to_string()
    } else {
        years.join(", ")
    }
}

/// Seconds for a stage line, right-aligned in six places.
fn seconds(tx: &Texts, secs: f64) -> String {
    format!("{:>6}", tx.number(secs, 1))
}

/// The pooled effects (all subjects) of every design, one line each; the main design's also
/// per subgroup.
fn print_effects(tx: &Texts, out: &Path, main_design: &str) -> Result<()> {
    let mut methods = std::collections::BTreeSet::new();
    for e in leerwinst_compare::read_effects(out)? {
        if e.subject != "all" {
            continue;
        }
        let level = &e.level;
        let main = e.design == main_design;
        let label = match (main, e.subgroup.as_str()) {
            (false, _) => format!("[{}]", tx.design_short(&e.design)),
            (true, "overall") => tx.t("alle leerlingen", "all pupils").to_string(),
            (true, "srl_tercile") => format!("{} {level}", tx.t("zelfreg. tertiel", "SRL tercile")),
            (true, "baseline_quintile") => {
                format!("{} {level}", tx.t("beginniveau K", "baseline Q"))
            }
            (true, other) => format!("{other} {level}"),
        };
        let note = e.note.as_deref();
        let Some(estimate) = e.estimate else {
            println!(
                "             {label:<18} {} ({})",
                tx.t("niet geschat", "not estimated"),
                note_label(tx, note.unwrap_or(""))
            );
            continue;
        };
        let interval = match (e.ci_low, e.ci_high, e.p_value) {
            (Some(l), Some(h), Some(p)) => format!(
                "{} [{}{} {}]  p = {}",
                tx.t("95%-BI", "95% CI"),
                tx.signed(l, 3),
                tx.t(";", ","),
                tx.signed(h, 3),
                tx.number(p, 3)
            ),
            _ => tx.t("geen interval", "no interval").to_string(),
        };
        let adjusted = e
            .p_adjusted
            .map(|q| {
                format!(
                    "  ({} {})",
                    tx.t("gecorrigeerd (BH)", "BH-adjusted"),
                    tx.number(q, 3)
                )
            })
            .unwrap_or_default();
        let flag = match note {
            Some(n) => format!("  [{}]", note_label(tx, n)),
            None => String::new(),
        };
        methods.insert(method_label(tx, &e.method));
        println!(
            "             {label:<18} {} SD  {interval}{adjusted}{flag}",
            tx.signed(estimate, 3)
        );
    }
    if !methods.is_empty() {
        println!(
            "             {}: {}",
            tx.t("intervallen", "intervals"),
            methods.into_iter().collect::<Vec<_>>().join("; ")
        );
    }
    Ok(())
}

/// Writes run.json into the staging folder `work`, naming the files the stages wrote by where
/// they will be: in `out`.
fn write_run_json(work: &Path, out: &Path, rec: &mut RunRecord, t_all: Instant) -> Result<()> {
    rec.total_seconds = t_all.elapsed().as_secs_f64();
    let path = work.join("run.json");
    // Keep the records of stages not run now (e.g. `leerwinst report` after `run`).
    let mut json = serde_json::to_value(&*rec)?;
    in_out_folder(&mut json, work, out);
    if let Ok(old) = std::fs::read_to_string(&path)
        && let Ok(serde_json::Value::Object(old)) = serde_json::from_str::<serde_json::Value>(&old)
        && let serde_json::Value::Object(new) = &mut json
    {
        for (k, v) in old {
            let kept = Stage::ALL
                .iter()
                .map(|s| s.key())
                .chain(["pseudonymised", "warning"]);
            if kept.into_iter().any(|key| key == k) && new.get(&k).is_none_or(|x| x.is_null()) {
                new.insert(k, v);
            }
        }
    }
    leerwinst_store::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
    Ok(())
}

/// Every string in `json` that names a path in `work` names it in `out` instead.
fn in_out_folder(json: &mut serde_json::Value, work: &Path, out: &Path) {
    match json {
        serde_json::Value::String(s) => {
            if let Ok(rest) = Path::new(s.as_str()).strip_prefix(work) {
                *s = out.join(rest).display().to_string();
            }
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().for_each(|v| in_out_folder(v, work, out));
        }
        serde_json::Value::Object(map) => {
            map.values_mut().for_each(|v| in_out_folder(v, work, out));
        }
        _ => {}
    }
}

/// `leerwinst sample-events`: a warehouse of generated events at scale.
pub fn sample_events(
    out: &Path,
    pupils: usize,
    years: usize,
    events_per_pupil_year: usize,
    seed: u64,
) -> Result<ExitCode> {
    // A warehouse of events: the folder becomes a run folder for transform to use.
    let folder = crate::out_folder::claim(out)?;
    let pb = progress::step("generating events");
    let n = leerwinst_sampledata::scale::write_warehouse(
        folder.work(),
        pupils,
        years,
        events_per_pupil_year,
        seed,
    )?;
    pb.finish_and_clear();
    folder.commit()?;
    println!(
        "{n} events of {pupils} pupils x {years} school years in {}",
        out.join("warehouse/events").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `leerwinst sample-data`.
pub fn sample_data(out: &Path, settings: leerwinst_sampledata::Settings) -> Result<ExitCode> {
    if !settings.adoption.pre_trend.is_finite() || settings.adoption.pre_trend.abs() > 1.0 {
        return Err(anyhow::anyhow!(
            "--pre-trend is in SD units a year and must lie between -1 and 1"
        ));
    }
    let pb = progress::step("generating sample exports");
    let g = leerwinst_sampledata::generate(settings, out)?;
    pb.finish_and_clear();
    println!(
        "sample data in {}: {} pupils, {} LVS rows, {} xAPI statements, {} plan rows (planted truth in TRUTH.toml)",
        out.display(),
        g.pupils,
        g.lvs_rows,
        g.xapi_statements,
        g.plan_rows
    );
    Ok(ExitCode::SUCCESS)
}
