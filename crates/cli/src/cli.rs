//! Command-line definition.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::run::{self, Stage};

/// leerwinst: learning-growth and self-regulation analytics for schools.
#[derive(Debug, Parser)]
#[command(name = "leerwinst", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole pipeline: ingest -> transform -> compare -> report.
    Run {
        /// Pipeline file.
        #[arg(default_value = "pipelines/demo.toml")]
        pipeline: PathBuf,
        /// Output folder (default: `reports/<pipeline name>/`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Fail with exit code 2 when any row is rejected.
        #[arg(long)]
        strict: bool,
    },
    /// Only ingest: exports -> warehouse/*.parquet and rejects/.
    Ingest {
        /// Pipeline file.
        pipeline: PathBuf,
        /// Output folder (default: `reports/<pipeline name>/`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Fail with exit code 2 when any row is rejected.
        #[arg(long)]
        strict: bool,
    },
    /// Only transform: warehouse -> indicators/growth.parquet, indicators/srl.parquet.
    Transform {
        /// Pipeline file.
        pipeline: PathBuf,
        /// Run folder holding warehouse/.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Read the per-pupil self-regulation rows from this folder (what the Spark job of
        /// dist/spark/ wrote with `leerwinst kernel srl`) instead of computing them from the
        /// events; the composite, terciles and everything after are computed here as usual.
        #[arg(long)]
        srl_partials: Option<PathBuf>,
    },
    /// A computation kernel for engines that split the data over machines (Apache Spark's
    /// mapInArrow): reads an Arrow IPC stream on standard input, writes one to standard output.
    Kernel {
        #[command(subcommand)]
        kernel: Kernel,
    },
    /// Only compare: indicators -> effects/effects.parquet and .csv.
    Compare {
        /// Pipeline file.
        pipeline: PathBuf,
        /// Run folder holding indicators/.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Only report: re-render charts from an existing run without recomputing.
    Report {
        /// Pipeline file.
        #[arg(default_value = "pipelines/demo.toml")]
        pipeline: PathBuf,
        /// Run folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Generate a deterministic sample of school exports with planted truth (TRUTH.toml).
    SampleData {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Number of schools (half run the programme).
        #[arg(long, default_value_t = 6)]
        schools: usize,
        /// Pupils in the first school year, over all schools and grades 3-8.
        #[arg(long, default_value_t = 300)]
        pupils: usize,
        /// Random seed.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// Start year of the first school year (the programme starts the year after). Default:
        /// 2023 for two school years, earlier for more, so that the last one is 2024-2025.
        #[arg(long)]
        first_year: Option<i32>,
        /// School years of data. With 3 or more the programme is introduced gradually: about a
        /// third of the schools never start it, the others start from the third school year on,
        /// in different years, and its effect grows with the years of exposure.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(2..=12))]
        years: u16,
        /// Planted pre-trend (staggered samples): in the years before their start, programme
        /// schools' growth differs by this many SD a year times the years to go (0 = parallel).
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        pre_trend: f64,
        /// Leave out the learning platform's activity (xAPI statements, weekly plans): much
        /// faster, e.g. for calibrating the effect designs; every other file is the same.
        #[arg(long)]
        no_activity: bool,
    },
    /// Generate LMS events at scale straight into a warehouse (`OUT/warehouse/events/...`,
    /// sorted as ingest writes them), for `leerwinst transform` benchmarks and memory tests.
    SampleEvents {
        /// Run folder to create.
        #[arg(long)]
        out: PathBuf,
        /// Pupils (each in every school year).
        #[arg(long, default_value_t = 1000)]
        pupils: usize,
        /// School years, from 2023-2024.
        #[arg(long, default_value_t = 2)]
        years: usize,
        /// Events per pupil and school year (about).
        #[arg(long, default_value_t = 1000)]
        events_per_pupil_year: usize,
        /// Random seed.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
    },
    /// Show what export files hold before writing a pipeline: encoding, separator, header line
    /// (title lines above it), per column the kinds of values and the values of short lists,
    /// and which of leerwinst's fixed formats read the file. Prints no personal data.
    Inspect {
        /// Export files (CSV, TXT, XLSX, optionally gzipped).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Language of the description: `nl` or `en`.
        #[arg(long, default_value = "nl")]
        language: String,
    },
    /// Draft a commented pipeline from a folder of exports: each export gets the format that
    /// reads it (a mapping guessed from its columns where no fixed layout fits), with TODO lines
    /// for what cannot be told. Check it, then `leerwinst run` it.
    Init {
        /// The folder holding the exports (CSV, TXT, XLSX, xAPI, OneRoster and NWEA folders).
        exports: PathBuf,
        /// Where to write the pipeline (default: `pipeline.toml` in the exports folder); an
        /// existing file is never overwritten.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language of the messages and of the drafted pipeline (its comments and its
        /// `language`): `nl` or `en`.
        #[arg(long, default_value = "nl")]
        language: String,
    },
    /// Print the data model (every table and column) as Markdown.
    Schema,
}

/// The kernels of `leerwinst kernel`.
#[derive(Debug, Subcommand)]
enum Kernel {
    /// The self-regulation indicators per pupil-year, term and week (the srl_kernel_input
    /// columns in, srl_partial out; docs/data-model.md), with the settings of the pipeline's
    /// [indicators] and [calendar].
    Srl {
        /// Pipeline file (only [indicators] and [calendar] are read; its sources need not exist).
        #[arg(required_unless_present = "spark_schema")]
        pipeline: Option<PathBuf>,
        /// Print the Spark SQL schema of the output (for mapInArrow) and exit.
        #[arg(long)]
        spark_schema: bool,
    },
}

/// Parses arguments and runs; errors are printed, never panicked.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = message_language(&cli.command);
    let result = match cli.command {
        Command::Run {
            pipeline,
            out,
            strict,
        } => run::stages(&pipeline, out, strict, &Stage::ALL),
        Command::Ingest {
            pipeline,
            out,
            strict,
        } => run::stages(&pipeline, out, strict, &[Stage::Ingest]),
        Command::Transform {
            pipeline,
            out,
            srl_partials,
        } => run::stages_with(
            &pipeline,
            out,
            false,
            &[Stage::Transform],
            srl_partials.as_deref(),
        ),
        Command::Kernel {
            kernel:
                Kernel::Srl {
                    pipeline,
                    spark_schema,
                },
        } => run::srl_kernel(pipeline.as_deref(), spark_schema),
        Command::Compare { pipeline, out } => run::stages(&pipeline, out, false, &[Stage::Compare]),
        Command::Report { pipeline, out } => run::stages(&pipeline, out, false, &[Stage::Report]),
        Command::SampleData {
            out,
            schools,
            pupils,
            seed,
            first_year,
            years,
            pre_trend,
            no_activity,
        } => run::sample_data(
            &out,
            leerwinst_sampledata::Settings {
                schools,
                pupils,
                seed,
                first_year: first_year.unwrap_or(2025 - i32::from(years)),
                adoption: leerwinst_sampledata::Adoption {
                    years: usize::from(years),
                    pre_trend,
                },
                activity: !no_activity,
            },
        ),
        Command::SampleEvents {
            out,
            pupils,
            years,
            events_per_pupil_year,
            seed,
        } => run::sample_events(&out, pupils, years, events_per_pupil_year, seed),
        Command::Inspect { files, language } => crate::inspect::files(&files, &language),
        Command::Init {
            exports,
            out,
            language,
        } => crate::init::draft(&exports, out, &language),
        Command::Schema => {
            print!("{}", leerwinst_core::schema::data_model_markdown());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "{}: {}",
                crate::error_text::label(lang),
                crate::error_text::message(&e, lang)
            );
            ExitCode::FAILURE
        }
    }
}

/// The language a command's errors are said in: the pipeline's (Dutch unless it says `en`), the
/// `--language` of `inspect` and `init`, else Dutch.
fn message_language(c: &Command) -> leerwinst_core::pipeline::Language {
    use leerwinst_core::pipeline::{Language, Pipeline};
    match c {
        Command::Run { pipeline, .. }
        | Command::Ingest { pipeline, .. }
        | Command::Transform { pipeline, .. }
        | Command::Compare { pipeline, .. }
        | Command::Report { pipeline, .. } => Pipeline::language_hint(pipeline),
        Command::Inspect { language, .. } | Command::Init { language, .. } => {
            crate::language::parse(language).unwrap_or(Language::Nl)
        }
        _ => Language::Nl,
    }
}

/// The command reference of `docs/cli.md`: every command's help, generated from the argument
/// definitions above (so the reference cannot drift from what the binary accepts).
#[cfg(test)]
fn reference_markdown() -> String {
    use clap::CommandFactory;
    let mut root = Cli::command();
    root.build();
    let mut out = String::new();
    let mut add = |path: &str, cmd: &mut clap::Command| {
        out.push_str(&format!(
            "### `leerwinst {path}`\n\n```text\n{}\n```\n\n",
            cmd.render_long_help()
                .to_string()
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
                .trim_end()
        ));
    };
    for sub in root.get_subcommands_mut() {
        let name = sub.get_name().to_string();
        if name == "help" {
            continue;
        }
        add(&name, sub);
        for inner in sub.get_subcommands_mut() {
            if inner.get_name() != "help" {
                let path = format!("{name} {}", inner.get_name());
                add(&path, inner);
            }
        }
    }
    out
}

/// The names of the commands, as a user types them.
#[cfg(test)]
fn command_names() -> Vec<String> {
    use clap::CommandFactory;
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn committed_cli_reference_is_current() {
        leerwinst_core::doc_regions::check(&repo().join("docs/cli.md"), |doc| {
            leerwinst_core::doc_regions::fill(doc, "commands", &reference_markdown())
        })
        .unwrap();
    }

    /// The README's command table names every command.
    #[test]
    fn the_readme_lists_every_command() {
        let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
        for name in command_names() {
            assert!(
                readme.contains(&format!("| `leerwinst {name}")),
                "README.md's command table lacks `leerwinst {name}`"
            );
        }
    }
}
