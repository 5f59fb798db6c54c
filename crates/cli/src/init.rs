//! `leerwinst init EXPORTS_DIR`: writes the pipeline [`leerwinst_ingest::draft`] drafts and says
//! what it decided per export.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use leerwinst_core::pipeline::{Language, Pipeline};
use leerwinst_ingest::draft::Decision;

/// Drafts the pipeline for `exports` into `out` (default `exports/pipeline.toml`), saying what
/// it decided in `language` (`nl` or `en`).
pub fn draft(exports: &Path, out: Option<PathBuf>, language: &str) -> Result<ExitCode> {
    let l = crate::language::parse(language)?;
    if !exports.is_dir() {
        bail!(
            "{} is not a folder: give the folder that holds the exports (`leerwinst init exports/`)",
            exports.display()
        );
    }
    let out = out.unwrap_or_else(|| exports.join("pipeline.toml"));
    if out.exists() {
        bail!(
            "{} exists already and is left as it is; give another file with --out",
            out.display()
        );
    }
    let name = pipeline_name(exports);
    // Source paths are relative to the pipeline file: with --out elsewhere, they name the folder.
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty());
    let base = std::path::absolute(dir.unwrap_or(Path::new(".")))?;
    let exports_abs = std::path::absolute(exports)?;
    let paths_in = (base != exports_abs).then_some(exports_abs.as_path());
    let d = leerwinst_ingest::draft::draft(exports, &name, paths_in, l)?;
    // The draft must be a valid pipeline: a failure here is leerwinst's own.
    Pipeline::from_toml(&d.toml, &out).context("the drafted pipeline does not parse (a bug)")?;
    std::fs::write(&out, &d.toml).with_context(|| format!("cannot write {}", out.display()))?;
    for (file, decision) in &d.notes {
        let what = match decision {
            Decision::Source(format) => format.to_string(),
            Decision::NotAnExport => l
                .pick(
                    "geen export die leerwinst leest (overgeslagen)",
                    "not an export leerwinst reads (left out)",
                )
                .to_string(),
            Decision::Incomplete(format) => format!(
                "{format}, {}",
                l.pick(
                    "uitgeschakeld tot de TODO-regels zijn ingevuld",
                    "commented out until its TODO lines are answered"
                )
            ),
            Decision::Unreadable(e) => format!(
                "{} ({e})",
                l.pick("niet te lezen, overgeslagen", "cannot be read, left out")
            ),
        };
        println!("  {file}: {what}");
    }
    let (n, path) = (d.sources, out.display());
    println!(
        "{}",
        match l {
            Language::Nl => format!(
                "{n} bron(nen) opgesteld in {path}. Controleer het bestand (regels met TODO) en start dan: leerwinst run {path}"
            ),
            Language::En => format!(
                "{n} source(s) drafted in {path}. Check it (lines marked TODO), then: leerwinst run {path}"
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// The folder's name as a pipeline name: letters, digits, spaces, `-`, `_` and `.` kept, not
/// starting with a dot.
fn pipeline_name(dir: &Path) -> String {
    let raw = std::path::absolute(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_default();
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.').trim().to_string();
    if name.is_empty() {
        "pijplijn".into()
    } else {
        name
    }
}
