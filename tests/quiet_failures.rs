//! Failures that used to be quiet are loud: an activity export whose activity names are not in
//! the pipeline's `[verbs]` table (every event would count only as `other`) warns on the console
//! and in run.json, naming the most frequent unmapped names; once they are mapped, it is quiet.

mod common;
use common::{leerwinst, repo};

/// Runs ingest on the pupil-list fixture and an activity export with Dutch activity names,
/// with `verbs` as the pipeline's `[verbs]` table; returns (console, the source's warnings).
fn ingest_with_verbs(verbs: &str) -> (String, Vec<String>) {
    let list = repo().join("tests/fixtures/mapped-roster/leerlingen.csv");
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("activiteiten.csv");
    let mut rows = String::from("leerling;tijdstip;activiteit\n");
    for (i, pupil) in ["L60001", "L60002", "L60003"].iter().enumerate() {
        for day in 10..20 {
            rows.push_str(&format!("{pupil};{day}-03-2025 09:{i}0;opdracht gemaakt\n"));
            rows.push_str(&format!("{pupil};{day}-03-2025 09:{i}5;uitleg bekeken\n"));
            rows.push_str(&format!(
                "{pupil};{day}-03-2025 10:{i}0;voortgang bekeken\n"
            ));
        }
    }
    std::fs::write(&log, rows).unwrap();
    let pipeline = tmp.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            r#"[pipeline]
name = "activiteiten"

[[source]]
name = "leerlingen"
format = "mapped-roster"
path = "{}"

[source.mapping]
columns = {{ pupil_id = "Leerlingnummer", school = "BRIN", group = "Groep", grade = "Jaargroep", school_year = "Schooljaar" }}

[[source]]
name = "platform"
format = "mapped-events"
path = "{}"

[source.mapping]
columns = {{ pupil_id = "leerling", time = "tijdstip", verb = "activiteit" }}

[verbs]
{verbs}
"#,
            list.display(),
            log.display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = leerwinst(&[
        "ingest",
        pipeline.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let source = json["ingest"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "platform")
        .unwrap()
        .clone();
    let warnings = source["warnings"]
        .as_array()
        .map(|w| w.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (String::from_utf8_lossy(&run.stdout).into_owned(), warnings)
}

#[test]
fn unmapped_activity_names_warn_and_mapped_ones_do_not() {
    // Only one of the three names is mapped: two thirds of the events are unmapped.
    let (console, warnings) = ingest_with_verbs(r#""voortgang bekeken" = "progress_view""#);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0];
    assert!(w.starts_with("67% van de activiteiten (60 van 90)"), "{w}");
    assert!(
        w.contains("'opdracht gemaakt' (30), 'uitleg bekeken' (30)"),
        "{w}"
    );
    assert!(
        console.contains("!!! platform: 67% van de activiteiten"),
        "{console}"
    );

    // Mapped (one of them to `other` on purpose): no warning.
    let (console, warnings) = ingest_with_verbs(
        r#""voortgang bekeken" = "progress_view"
"opdracht gemaakt" = "complete"
"uitleg bekeken" = "other""#,
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(!console.contains("!!!"), "{console}");
}

#[test]
fn a_key_created_by_this_run_is_announced_with_where_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let schools = tmp.path().join("scholen.csv");
    std::fs::write(&schools, "brin;naam\n21WG;De Wilg\n").unwrap();
    let pipeline = tmp.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"sleutel\"\n\n[[source]]\nname = \"scholen\"\n\
             format = \"schools-csv\"\npath = \"{}\"\n",
            schools.display()
        ),
    )
    .unwrap();
    let config = tmp.path().join("config");
    let ingest = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_leerwinst"))
            .args(["ingest", pipeline.to_str().unwrap(), "--out"])
            .arg(tmp.path().join("out"))
            .env("CI", "true")
            .env("XDG_CONFIG_HOME", &config)
            .env_remove("LEERWINST_KEY")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = ingest();
    let key = config.join("leerwinst/key");
    assert!(key.exists());
    assert!(
        first.contains(&format!(
            "!!! Nieuwe pseudonimiseringssleutel aangemaakt: {}",
            key.display()
        )),
        "{first}"
    );
    // The next run uses it, quietly.
    assert!(!ingest().contains("!!!"));
}

#[test]
fn a_board_without_programme_schools_is_told_so() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    leerwinst(&[
        "sample-data",
        "--out",
        sample.to_str().unwrap(),
        "--schools",
        "4",
        "--pupils",
        "200",
    ]);
    // The school list without the programme's start year.
    let list = sample.join("scholen.csv");
    let text = std::fs::read_to_string(&list).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(';').collect();
    let col = header.iter().position(|h| *h == "programma_vanaf").unwrap();
    let blanked: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut f: Vec<&str> = l.split(';').collect();
            if i > 0 {
                f[col] = "";
            }
            f.join(";")
        })
        .collect();
    std::fs::write(&list, blanked.join("\n") + "\n").unwrap();
    let demo = std::fs::read_to_string(repo().join("pipelines/demo.toml")).unwrap();
    let pipeline = tmp.path().join("p.toml");
    std::fs::write(
        &pipeline,
        demo.replace("../sample-data/", &format!("{}/", sample.display())),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = common::run_pipeline(&pipeline, &out, Some("quiet-failures-test-key"));
    let console = String::from_utf8_lossy(&run.stdout);
    assert!(
        console.contains("!!! Geen enkele school heeft het programma"),
        "{console}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["compare"]["warnings"].as_array().unwrap().len(), 1);
    let board = std::fs::read_to_string(out.join("review/bestuur.html")).unwrap();
    assert!(
        board.contains("Er is geen effect geschat. Geen enkele school heeft het programma"),
        "the review does not say why"
    );
}
