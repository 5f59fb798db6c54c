//! `leerwinst init` on a folder of exports as a quality-care officer gets them
//! (tests/fixtures/exports-parnassys, made by make_exports_folder.py: an LVS export in
//! Windows-1252 with the moment inside the test name, a workbook with a notes sheet first and a
//! title line, activity with date and time apart and Dutch activity names, a day-only log) drafts
//! a pipeline that runs and reads every row.

use std::path::Path;
use std::process::Command;

mod common;

fn copy_exports(to: &Path) {
    let from = common::repo().join("tests/fixtures/exports-parnassys");
    std::fs::create_dir_all(to).unwrap();
    for f in common::files(&from) {
        std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_drafted_pipeline_runs_and_reads_every_row() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    copy_exports(&exports);
    let out = common::leerwinst(&["init", exports.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    for line in [
        "activiteiten.csv: mapped-events",
        "dagoverzicht.csv: mapped-events",
        "leerlingen.xlsx: mapped-roster",
        "toetsresultaten.csv: mapped-assessments",
    ] {
        assert!(said.contains(line), "{said}");
    }
    let pipeline = exports.join("pipeline.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    // Column names and activity names only: no pupil's name or number.
    for personal in ["L61000", "Jansen", "Emma", "de Jong"] {
        assert!(
            !text.contains(personal),
            "the draft quotes {personal}:\n{text}"
        );
    }
    assert!(text.contains("sheet = \"Leerlingen\"") && text.contains("header_row = 2"));
    assert!(text.contains("\"Opdracht gemaakt\" = \"answer\""), "{text}");
    assert!(text.contains("# TODO"), "{text}");
    let run_out = tmp.path().join("run");
    common::run_pipeline(&pipeline, &run_out, Some("init-test-key-0123456789"));
    for source in [
        "toetsresultaten",
        "leerlingen",
        "activiteiten",
        "dagoverzicht",
    ] {
        let (read, accepted, rejected) = common::source_counts(&run_out, source);
        assert!(
            read > 0 && accepted == read && rejected == 0,
            "{source}: read {read}, accepted {accepted}, rejected {rejected}"
        );
    }
    // The test name gave subject, moment and grade; the M-E window gives growth rows.
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_out.join("run.json")).unwrap()).unwrap();
    assert!(
        run["transform"]["growth_rows"].as_u64().unwrap_or(0) > 0,
        "{}",
        run["transform"]
    );
}

#[test]
fn init_never_overwrites_and_needs_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    copy_exports(&exports);
    std::fs::write(exports.join("pipeline.toml"), "# mine\n").unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_leerwinst"))
            .args(args)
            .env("CI", "true")
            .output()
            .unwrap()
    };
    let o = run(&["init", exports.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bestaat al"));
    assert_eq!(
        std::fs::read_to_string(exports.join("pipeline.toml")).unwrap(),
        "# mine\n"
    );
    let file = exports.join("toetsresultaten.csv");
    let o = run(&["init", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("is geen map"));
}

/// Words that only an English comment would hold: a Dutch draft has none of them.
const ENGLISH: [&str; 6] = [
    "which",
    "the school year",
    "Check every",
    "missing",
    "Pupil numbers",
    "remove",
];

#[test]
fn a_pupil_list_without_a_school_year_is_drafted_commented_out_and_the_draft_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    copy_exports(&exports);
    // A pupil list with school and group but no school-year column: its mapping cannot be
    // read until someone says which school year it is.
    std::fs::remove_file(exports.join("leerlingen.xlsx")).unwrap();
    std::fs::write(
        exports.join("klaslijst.csv"),
        "leerlingnummer;school;groep;geboortedatum\n\
         L1;21WG;5a;03-04-2016\nL2;21WG;5a;12-09-2015\nL3;21WG;5b;28-01-2016\n\
         L4;07XK;5;15-06-2016\nL5;07XK;5;30-11-2015\nL6;07XK;6;02-02-2015\n",
    )
    .unwrap();
    let out = common::leerwinst(&["init", exports.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(
            "klaslijst.csv: mapped-roster, uitgeschakeld tot de TODO-regels zijn ingevuld"
        ),
        "{said}"
    );
    let pipeline = exports.join("pipeline.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    assert!(text.contains("# name = \"klaslijst\""), "{text}");
    assert!(text.contains("# constants = { school_year"), "{text}");
    for english in ENGLISH {
        assert!(
            !text.contains(english),
            "English in a Dutch draft: '{english}'\n{text}"
        );
    }
    // The draft runs without the incomplete source.
    let run_out = tmp.path().join("run");
    common::run_pipeline(&pipeline, &run_out, Some("init-test-key-0123456789"));
    let (read, accepted, _) = common::source_counts(&run_out, "toetsresultaten");
    assert!(read > 0 && accepted == read);
}

#[test]
fn an_english_draft_speaks_english() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    copy_exports(&exports);
    let out = common::leerwinst(&["init", exports.to_str().unwrap(), "--language", "en"]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(exports.join("pipeline.toml")).unwrap();
    assert!(text.contains("language = \"en\""), "{text}");
    assert!(text.contains("# Check every source"), "{text}");
    assert!(!text.contains("Controleer"), "{text}");
}

#[test]
fn exports_in_a_subfolder_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    copy_exports(&exports);
    // Exports often come in a folder per system.
    std::fs::create_dir(exports.join("parnassys")).unwrap();
    std::fs::rename(
        exports.join("toetsresultaten.csv"),
        exports.join("parnassys/toetsresultaten.csv"),
    )
    .unwrap();
    let out = common::leerwinst(&["init", exports.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("parnassys/toetsresultaten.csv: mapped-assessments"),
        "{said}"
    );
    let text = std::fs::read_to_string(exports.join("pipeline.toml")).unwrap();
    assert!(
        text.contains("path = \"parnassys/toetsresultaten.csv\""),
        "{text}"
    );
    let run_out = tmp.path().join("run");
    common::run_pipeline(
        &exports.join("pipeline.toml"),
        &run_out,
        Some("init-test-key-0123456789"),
    );
    let (read, accepted, _) = common::source_counts(&run_out, "parnassys_toetsresultaten");
    assert!(
        read > 0 && accepted == read,
        "read {read}, accepted {accepted}"
    );
}
