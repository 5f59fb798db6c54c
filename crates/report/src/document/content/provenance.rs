//! The data provenance section: pipeline, pseudonymisation, input files with checksums and
//! rejected rows.

use std::path::Path;

use super::Inputs;
use super::read::reject_reasons;
use crate::document::Block;

/// Data provenance: pipeline, pseudonymisation, input files with checksums, rejected rows.
pub(super) fn provenance(inp: &Inputs, blocks: &mut Vec<Block>) {
    let t = inp.t;
    blocks.push(Block::Heading(
        t.t("Herkomst van de gegevens", "Data provenance").into(),
    ));
    let p = &inp.run["pipeline"];
    let mut para = format!(
        "{} '{}' ({}, SHA-256 {}…), leerwinst {}.",
        t.t("Pijplijn", "Pipeline"),
        inp.pipeline,
        p["file"].as_str().unwrap_or("?"),
        p["sha256"]
            .as_str()
            .map(|s| &s[..s.len().min(12)])
            .unwrap_or("?"),
        inp.run["tool_version"].as_str().unwrap_or("?"),
    );
    match inp.run["pseudonymised"].as_bool() {
        Some(true) => para.push_str(t.t(
            " Leerlingnummers zijn bij het inlezen gepseudonimiseerd (HMAC-SHA256 met een sleutel buiten de uitvoer); namen, e-mailadressen en geboortedata zijn niet ingelezen.",
            " Pupil ids were pseudonymised at ingest (HMAC-SHA256 with a key kept outside the outputs); names, e-mail addresses and birth dates were not read.",
        )),
        Some(false) => para.push_str(t.t(
            " LET OP: pseudonimisering stond UIT (alleen voor openbare onderzoeksdata).",
            " NOTE: pseudonymisation was OFF (only for public research data).",
        )),
        None => {}
    }
    blocks.push(Block::Para(para));
    let mut rows = vec![];
    let (mut read, mut rejected) = (0u64, 0u64);
    for s in inp.run["ingest"]["sources"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let files: Vec<String> = s["files"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let path = f["path"].as_str().unwrap_or("?");
                let name = Path::new(path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.to_string());
                let sha = f["sha256"].as_str().unwrap_or("");
                format!("{name} ({}…)", &sha[..sha.len().min(8)])
            })
            .collect();
        let shown = if files.len() > 3 {
            format!(
                "{} {} {}",
                files[..3].join(", "),
                t.t("en", "and"),
                format_args!("{} {}", files.len() - 3, t.t("meer", "more"))
            )
        } else {
            files.join(", ")
        };
        let (r, a, j) = (
            s["read"].as_u64().unwrap_or(0),
            s["accepted"].as_u64().unwrap_or(0),
            s["rejected"].as_u64().unwrap_or(0),
        );
        read += r;
        rejected += j;
        rows.push(vec![
            s["name"].as_str().unwrap_or("?").to_string(),
            s["format"].as_str().unwrap_or("?").to_string(),
            shown,
            r.to_string(),
            a.to_string(),
            j.to_string(),
        ]);
    }
    if rows.is_empty() {
        blocks.push(Block::Note(
            t.t(
                "Geen gegevens over het inlezen gevonden (run.json ontbreekt of bevat geen ingest).",
                "No ingest record found (run.json missing or without ingest).",
            )
            .into(),
        ));
        return;
    }
    blocks.push(Block::Table {
        header: [
            t.t("Bron", "Source"),
            t.t("Formaat", "Format"),
            t.t("Bestanden (SHA-256)", "Files (SHA-256)"),
            t.t("Gelezen", "Read"),
            t.t("Geaccepteerd", "Accepted"),
            t.t("Afgewezen", "Rejected"),
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
        numeric: vec![false, false, false, true, true, true],
    });
    let reasons = reject_reasons(inp.rejects);
    if rejected > 0 {
        blocks.push(Block::Para(match t.lang {
            leerwinst_core::pipeline::Language::Nl => format!(
                "Van de {read} gelezen rijen zijn er {rejected} afgewezen; elke afgewezen rij staat met bestand, regel, kolom en reden in rejects/."
            ),
            leerwinst_core::pipeline::Language::En => format!(
                "Of the {read} rows read, {rejected} were rejected; every rejected row is listed with file, line, column and reason in rejects/."
            ),
        }));
        let mut reason_rows: Vec<Vec<String>> = reasons
            .iter()
            .take(12)
            .map(|((table, reason), n)| {
                vec![t.table(table).to_string(), reason.clone(), n.to_string()]
            })
            .collect();
        if reasons.len() > 12 {
            let rest: usize = reasons.iter().skip(12).map(|r| r.1).sum();
            reason_rows.push(vec![
                String::new(),
                t.t("overige redenen", "other reasons").into(),
                rest.to_string(),
            ]);
        }
        blocks.push(Block::Table {
            header: [
                t.t("Tabel", "Table"),
                t.t("Reden", "Reason"),
                t.t("Rijen", "Rows"),
            ]
            .map(str::to_string)
            .to_vec(),
            rows: reason_rows,
            numeric: vec![false, false, true],
        });
    }
}
