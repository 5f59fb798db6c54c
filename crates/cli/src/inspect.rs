//! `leerwinst inspect FILE...`: prints [`leerwinst_ingest::profile`] of each file for a person
//! about to write a pipeline.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use leerwinst_core::pipeline::Language;
use leerwinst_ingest::profile::{Kind, MAX_LISTED_VALUES, Profile, profile};

/// Profiles and prints every file; a file that cannot be read is reported and the rest go on
/// (exit code 1 if any failed).
pub fn files(files: &[PathBuf], language: &str) -> Result<ExitCode> {
    let language = crate::language::parse(language)?;
    let mut failed = false;
    for f in files {
        println!("{}", f.display());
        match profile(f, None) {
            Ok(first) => {
                print!("{}", describe(&first, language));
                // Every other sheet of a workbook too: the data may not be on the first.
                for sheet in first.sheets.iter().skip(1) {
                    match profile(f, Some(sheet)) {
                        Ok(p) => print!("{}", describe(&p, language)),
                        Err(e) => println!("  {} '{sheet}': {e}", language.pick("blad", "sheet")),
                    }
                }
            }
            Err(e) => {
                failed = true;
                println!(
                    "  {}: {e}",
                    language.pick("niet te lezen", "cannot be read")
                );
            }
        }
        println!();
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn kind_name(kind: Kind, l: Language) -> &'static str {
    match kind {
        Kind::Integer => l.pick("gehele getallen", "whole numbers"),
        Kind::DecimalComma => l.pick(
            "getallen met decimale komma",
            "numbers with a decimal comma",
        ),
        Kind::DecimalPoint => l.pick("getallen met decimale punt", "numbers with a decimal point"),
        Kind::Date => l.pick("datums", "dates"),
        Kind::DateTime => l.pick("datum en tijd", "date and time"),
        Kind::Time => l.pick("kloktijden", "clock times"),
        Kind::YesNo => l.pick("ja/nee", "yes/no"),
        Kind::Text => l.pick("tekst", "text"),
    }
}

/// The profile as indented text.
fn describe(p: &Profile, l: Language) -> String {
    let mut s = String::new();
    let sep = match p.delimiter {
        ';' => "';'",
        ',' => "','",
        '\t' => "tab",
        _ => "?",
    };
    match &p.sheet {
        None => s.push_str(&format!(
            "  {}: {}\n",
            l.pick("codering", "encoding"),
            p.encoding
        )),
        Some(sheet) => s.push_str(&format!(
            "  {} '{sheet}' ({} {}: {}){}\n",
            l.pick("blad", "sheet"),
            l.pick("de werkmap heeft", "the workbook has"),
            l.pick("bladen", "sheets"),
            p.sheets.join(", "),
            if p.sheets.first() == Some(sheet) {
                String::new()
            } else {
                format!(
                    "; {} sheet = \"{sheet}\"",
                    l.pick("lees het met", "read it with")
                )
            }
        )),
    }
    s.push_str(&format!(
        "  {}: {sep}; {}: {}{}; {}: {}\n",
        l.pick("scheidingsteken", "separator"),
        l.pick("kopregel", "header line"),
        p.header_line,
        if p.header_line > 1 {
            format!(
                " ({} 1-{} {}; header_row = {})",
                l.pick("regels", "lines"),
                p.header_line - 1,
                l.pick(
                    "erboven zijn titel of notitie",
                    "above it are a title or notes"
                ),
                p.header_line
            )
        } else {
            String::new()
        },
        l.pick("gegevensregels", "data lines"),
        p.data_lines
    ));
    s.push_str(&format!("  {}:\n", l.pick("kolommen", "columns")));
    for c in &p.columns {
        let kinds: Vec<String> = c
            .kinds
            .iter()
            .map(|(k, n)| format!("{} {n}", kind_name(*k, l)))
            .collect();
        s.push_str(&format!(
            "    {:<24} {} {}/{}; {}",
            c.name,
            l.pick("gevuld", "filled"),
            c.filled,
            p.data_lines,
            if kinds.is_empty() {
                l.pick("leeg", "empty").to_string()
            } else {
                kinds.join(", ")
            }
        ));
        if !c.values.is_empty() {
            let values: Vec<String> = c.values.iter().map(|(v, n)| format!("'{v}' {n}")).collect();
            s.push_str(&format!(
                "; {} {}: {}",
                c.distinct,
                l.pick("waarden", "values"),
                values.join(", ")
            ));
        } else if c.filled > 0 {
            let many = c.distinct > MAX_LISTED_VALUES;
            s.push_str(&format!(
                "; {}{} {}",
                if many { "> " } else { "" },
                c.distinct.min(MAX_LISTED_VALUES),
                l.pick("verschillende waarden", "distinct values"),
            ));
            if let Some(shape) = &c.example_shape {
                s.push_str(&format!(
                    ", {} {shape}",
                    l.pick("van de vorm", "shaped like")
                ));
            }
        }
        s.push('\n');
    }
    if p.formats.is_empty() {
        s.push_str(&format!(
            "  {}\n",
            l.pick(
                "geen vast formaat van leerwinst leest dit bestand: gebruik mapped-assessments, mapped-events of mapped-roster met een [source.mapping] (docs/formats.md)",
                "no fixed leerwinst format reads this file: use mapped-assessments, mapped-events or mapped-roster with a [source.mapping] (docs/formats.md)"
            )
        ));
    } else {
        for (format, read, accepted) in &p.formats {
            s.push_str(&format!(
                "  {} format = \"{format}\": {read} {}, {accepted} {}\n",
                l.pick("past als", "fits as"),
                l.pick("regels gelezen", "rows read"),
                l.pick(
                    "bruikbaar (zonder leerlingenlijst)",
                    "usable (without a pupil list)"
                )
            ));
        }
    }
    s
}
