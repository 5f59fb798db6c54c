//! `leerwinst inspect`: describes exports before a pipeline exists — header line below a title,
//! kinds of values, the values of short lists, the fixed formats that read the file — and
//! prints no personal data from a pupil list.

use std::process::Command;

mod common;
use common::repo;

fn inspect(files: &[&std::path::Path]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .arg("inspect")
        .args(files)
        .env("CI", "true")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn inspect_finds_the_header_the_format_and_keeps_pupils_private() {
    let tmp = tempfile::tempdir().unwrap();
    let lvs = tmp.path().join("toetsen.csv");
    let mut text = String::from("Export LVS groep 5;;;;;\nAangemaakt 20-01-2025;;;;;\n");
    text.push_str(
        "Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Standaardmeetfout\n",
    );
    for i in 0..24 {
        text.push_str(&format!(
            "L7000{i:02};Rekenen-Wiskunde;M5;2{}-01-2025;{};4,5\n",
            i % 8,
            160 + i
        ));
    }
    std::fs::write(&lvs, text).unwrap();
    let list = repo().join("tests/fixtures/mapped-roster/leerlingen.csv");
    let (ok, out) = inspect(&[&lvs, &list]);
    assert!(ok, "{out}");
    assert!(
        out.contains("kopregel: 3 (regels 1-2 erboven zijn titel of notitie; header_row = 3)"),
        "{out}"
    );
    assert!(out.contains("1 waarden: 'M5' 24"), "{out}");
    assert!(
        out.contains("past als format = \"lvs-csv\": 24 regels gelezen"),
        "{out}"
    );
    // The pupil list: short repeating lists are shown, people are not.
    assert!(
        out.contains("3 waarden: 'Vrouw' 3, 'Man' 2, 'Onbekend' 1"),
        "{out}"
    );
    for personal in [
        "L60001",
        "L700",
        "Zoë",
        "Brouwer",
        "zoe.brouwer",
        "zbrouwer",
        "12-04-2016",
        "Amrani",
    ] {
        assert!(!out.contains(personal), "'{personal}' printed:\n{out}");
    }
    // A file that cannot be read is named; the others are still described; exit code 1.
    let (ok, out) = inspect(&[&tmp.path().join("missing.csv"), &lvs]);
    assert!(!ok);
    assert!(
        out.contains("niet te lezen") && out.contains("lvs-csv"),
        "{out}"
    );
}

/// What inspect proposes reads the workbook: `sheet` and `header_row` on the source.
#[test]
fn a_notes_sheet_and_title_rows_are_read_past_with_sheet_and_header_row() {
    let book = repo().join("tests/fixtures/notes-first.xlsx");
    let (ok, out) = inspect(&[&book]);
    assert!(ok, "{out}");
    assert!(out.contains("lees het met sheet = \"Resultaten\""), "{out}");
    assert!(out.contains("header_row = 4"), "{out}");
    let tmp = tempfile::tempdir().unwrap();
    let write = |sheet: &str| {
        let p = tmp.path().join("p.toml");
        std::fs::write(
            &p,
            format!(
                "[pipeline]\nname = \"werkmap\"\n\n[privacy]\npseudonymise = false\n\n\
                 [[source]]\nname = \"toetsen\"\nformat = \"lvs-csv\"\npath = \"{}\"\n\
                 sheet = \"{sheet}\"\nheader_row = 4\n",
                book.display()
            ),
        )
        .unwrap();
        p
    };
    let out = tmp.path().join("out");
    common::leerwinst(&[
        "ingest",
        write("Resultaten").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    // Three results; the formatted empty rows below them are no rows, so nothing is rejected.
    assert_eq!(common::source_counts(&out, "toetsen"), (3, 3, 0));
    // A sheet that is not there: the error names the sheets there are.
    let err = common::ingest_fails(&write("Blad1"), &tmp.path().join("out2"));
    assert!(
        err.contains("no sheet 'Blad1'") && err.contains("Toelichting, Resultaten"),
        "{err}"
    );
}
