//! Moodle's log report downloads, end to end: an English Moodle 4.x report (UTF-8 with BOM) and
//! a Dutch report of an older Moodle without years in its times (UTF-16, CRLF), with a OneRoster
//! bundle whose `userIds` carry the Moodle ids. Checks the events, that every row read is
//! accepted or written out as a reject, and that no name, username, e-mail, IP address or raw id
//! reaches any output file.

use std::path::Path;

use leerwinst_core::Table;
use leerwinst_store::read_table;

mod common;
use common::{files, output_text, repo, source_counts};

#[test]
fn log_reports_become_events_with_nothing_lost_and_nothing_personal_kept() {
    let fixtures = repo().join("tests/fixtures/moodle-report");
    let tmp = tempfile::tempdir().unwrap();
    let pipeline = tmp.path().join("moodle.toml");
    std::fs::write(
        &pipeline,
        format!(
            r#"[pipeline]
name = "moodle-report"

[[source]]
name = "rooster"
format = "oneroster"
path = "{dir}/oneroster"

[[source]]
name = "moodle-en"
format = "moodle-report"
path = "{dir}/logs_rekenen_4x_en.csv"

[[source]]
name = "moodle-nl"
format = "moodle-report"
path = "{dir}/logs_rekenen_3x_nl.csv"
school_year = "2024-2025"

[verbs]
"Test: Testpoging gestart" = "attempt"
"Testpoging ingediend" = "complete"
"Logboekitem gemaakt" = "reflection"
"Cijferrapport gebruiker bekeken" = "progress_view"
"#,
            dir = fixtures.display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .args(["ingest", pipeline.to_str().unwrap(), "--out"])
        .arg(&out)
        .env("CI", "true")
        .env("LEERWINST_KEY", "moodle-report-test-key")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // Per source: read = accepted + rejected, and the rejects are the ones planted.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let source = |name: &str| {
        json["ingest"]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    // English: 17 rows; the teacher's grading (user 2 is no pupil), the failed login (no id)
    // and the scheduled task (no id) are rejected.
    assert_eq!(source_counts(&out, "moodle-en"), (17, 14, 3));
    // Dutch: 6 rows; an unknown pupil (150) and 31 June are rejected.
    assert_eq!(source_counts(&out, "moodle-nl"), (6, 4, 2));
    assert_eq!(source("moodle-nl")["files"][0]["encoding"], "UTF-16LE");
    let rejects = std::fs::read_to_string(out.join("rejects/events.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 1 + 5, "{rejects}");
    for reason in [
        "onbekende leerling",
        "in de beschrijving: geen leerling",
        "onleesbaar tijdstip",
    ] {
        assert!(rejects.contains(reason), "{reason} not in {rejects}");
    }

    // The events: kinds from the defaults (English) and the [verbs] table (Dutch), local times
    // placed in the school year, course modules as tasks.
    let events: Vec<_> = files(&out.join("warehouse/events"))
        .into_iter()
        .map(|f| read_table(&f, Table::Events).unwrap())
        .collect();
    let mut got: Vec<(i64, String, String, Option<String>)> = Vec::new();
    for e in &events {
        let (ts, kind, verb, task) = (e.ts("ts"), e.str("kind"), e.str("verb"), e.str("task_id"));
        for i in 0..e.len() {
            use arrow_array::Array;
            got.push((
                ts.value(i),
                kind.value(i).to_string(),
                verb.value(i).to_string(),
                task.is_valid(i).then(|| task.value(i).to_string()),
            ));
        }
    }
    got.sort();
    let kinds: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
    assert_eq!(
        kinds,
        [
            // 3 October 2024 (Bram), 20-21 January 2025, 14 March 2025 (Anna).
            "attempt",
            "complete",
            "reflection",
            "other",
            "other",
            "instruction",
            "attempt",
            "complete",
            "complete",
            "attempt",
            "help",
            "other",
            "instruction",
            "attempt",
            "complete",
            "progress_view",
            "reflection",
            "progress_view",
        ]
    );
    let utc = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp_micros()
    };
    // 3 okt., 14:05 Dutch summer time is 12:05 UTC in 2024; 21/01/25, 09:47:05 winter time 08:47:05.
    assert_eq!(got[0].0, utc("2024-10-03 12:05:00"));
    assert_eq!(got[0].2, "Test: Testpoging gestart");
    assert_eq!(got[0].3.as_deref(), Some("cm:41"));
    assert!(
        got.iter()
            .any(|g| g.0 == utc("2025-01-21 08:47:05") && g.1 == "reflection")
    );

    // Privacy: nothing of the names, usernames, e-mails, IP addresses or raw ids in any output.
    let secrets = [
        "Anna",
        "de Vries",
        "Bram",
        "Jansen",
        "Sanne",
        "Visser",
        "Marieke",
        "Bakker",
        "Onbekende",
        "anna.devries",
        "sanne.visser",
        "mbakker",
        "klimop.example",
        "192.168.",
        "L40101",
        "L40102",
        "L40103",
        "T7001",
    ];
    let mut scanned = 0;
    for f in files(&out) {
        let text = output_text(&f);
        for s in secrets {
            assert!(!text.contains(s), "{} contains '{s}'", f.display());
        }
        scanned += 1;
    }
    assert!(scanned >= 5, "{scanned} files");
    assert!(Path::new(&out.join("warehouse/pupils.parquet")).exists());
}
