//! A school administration's pupil list (ParnasSys-like: `;`-separated, Windows-1252, CRLF)
//! through a mapping, end to end: pupils, enrollments and schools come out, the other sources
//! find pupils by any of their ids (here an LVS export naming one pupil by login), bad lines
//! are rejected with their reasons, and no name, e-mail, login, birth date or raw id reaches an
//! output.

use leerwinst_core::Table;
use leerwinst_store::read_table;

mod common;
use common::{files, leerwinst, output_text, repo, source_counts};

#[test]
fn a_pupil_list_is_a_roster_for_the_other_sources() {
    let list = repo().join("tests/fixtures/mapped-roster/leerlingen.csv");
    let tmp = tempfile::tempdir().unwrap();
    let lvs = tmp.path().join("toetsen.csv");
    std::fs::write(
        &lvs,
        "Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Standaardmeetfout\n\
         L60001;Rekenen-Wiskunde;M4;20-01-2025;160;4,5\n\
         melamrani;Rekenen-Wiskunde;M4;20-01-2025;150;4,5\n\
         L60003;Rekenen-Wiskunde;M4;21-01-2025;170;4,5\n\
         L69999;Rekenen-Wiskunde;M4;21-01-2025;170;4,5\n",
    )
    .unwrap();
    let pipeline = tmp.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            r#"[pipeline]
name = "leerlingen"

[[source]]
name = "leerlingen"
format = "mapped-roster"
path = "{}"

[source.mapping]
columns = {{ pupil_id = "Leerlingnummer", email = "E-mailadres", username = "Inlognaam", school = "BRIN", school_name = "Schoolnaam", group = "Groep", grade = "Jaargroep", school_year = "Schooljaar", birth_date = "Geboortedatum", sex = "Geslacht", weight = "Leerlinggewicht" }}
values = {{ sex = {{ Onbekend = "" }} }}

[[source]]
name = "toetsen"
format = "lvs-csv"
path = "{}"
"#,
            list.display(),
            lvs.display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (p, o) = (pipeline.to_str().unwrap(), out.to_str().unwrap());
    leerwinst(&["ingest", p, "--out", o]);

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    // 31-11-2015 is no date; "Onbekend" is mapped to no sex and accepted.
    assert_eq!(source_counts(&out, "leerlingen"), (6, 5, 1));
    assert_eq!(
        json["ingest"]["sources"][0]["files"][0]["encoding"],
        "windows-1252"
    );
    // The LVS export names one pupil by login; L69999 is not on the list.
    assert_eq!(source_counts(&out, "toetsen"), (4, 3, 1));

    let pupils = read_table(&out.join("warehouse/pupils.parquet"), Table::Pupils).unwrap();
    assert_eq!(pupils.len(), 4);
    let enr = read_table(
        &out.join("warehouse/enrollments.parquet"),
        Table::Enrollments,
    )
    .unwrap();
    assert_eq!(enr.len(), 5);
    let groups: std::collections::BTreeSet<&str> = (0..enr.len())
        .map(|i| enr.str("group_key").value(i))
        .collect();
    assert_eq!(groups, ["Groep 3a", "Groep 4a", "Groep 4b"].into());
    let schools = read_table(&out.join("warehouse/schools.parquet"), Table::Schools).unwrap();
    assert_eq!(schools.str("school_name").value(0), "Basisschool De Wilg");

    let secrets = [
        "Zoë",
        "Brouwer",
        "Mohammed",
        "Amrani",
        "Sofie",
        "Thijs",
        "Kuipers",
        "Eline",
        "Peeters",
        "dewilg.example",
        "zbrouwer",
        "melamrani",
        "12-04-2016",
        "31-11-2015",
        "L60001",
        "L60002",
        "L60003",
        "L60004",
        "L69999",
    ];
    for f in files(&out) {
        let text = output_text(&f);
        for s in secrets {
            assert!(!text.contains(s), "{} contains '{s}'", f.display());
        }
    }
}
