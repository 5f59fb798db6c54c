//! Personal data planted where rows go wrong never reaches an output.
//!
//! A board's own exports hold names, e-mail addresses, user names and pupil numbers. When a row
//! is broken, the reject, the console, run.json and the review must say where and why without
//! quoting it: parser messages are reduced to their kind and position, rejected values are shown
//! by their shape (`crates/ingest/src/redact.rs`). This test takes real identities from the
//! generated roster, plants them in every kind of field of broken rows in every format read by
//! the demo pipeline (and a few more), runs the whole pipeline, and scans every output —
//! Parquet string columns, CSV, JSON, HTML, SVG and the PDFs' text — and both console streams.

use std::path::Path;

mod common;

/// One pupil's identity as the roster holds it.
struct Identity {
    id: String,
    username: String,
    email: String,
    given: String,
    family: String,
}

/// The first `n` pupils of the generated roster.
fn identities(users_csv: &Path, n: usize) -> Vec<Identity> {
    let text = std::fs::read_to_string(users_csv).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    rdr.records()
        .map(|r| r.unwrap())
        .filter(|r| r[col("sourcedId")].starts_with("usr-"))
        .take(n)
        .map(|r| Identity {
            id: r[col("identifier")].to_string(),
            username: r[col("username")].to_string(),
            email: r[col("email")].to_string(),
            given: r[col("givenName")].to_string(),
            family: r[col("familyName")].to_string(),
        })
        .collect()
}

/// Broken rows in every format, each carrying one of the identities in a field that fails.
fn hostile_sources(dir: &Path, who: &[Identity]) -> String {
    let [a, b, c, ..] = who else {
        panic!("three pupils needed")
    };
    let full = |p: &Identity| format!("{} {}", p.given, p.family);
    let mut toml = String::new();
    let mut source = |name: &str, format: &str, file: &str, body: String, extra: &str| {
        std::fs::write(dir.join(file), body).unwrap();
        toml.push_str(&format!(
            "\n[[source]]\nname = \"{name}\"\nformat = \"{format}\"\npath = \"{file}\"\n\
             allow_all_rejected = true\n{extra}"
        ));
    };

    // LVS: an identity in the score, term, date, SEM and id fields.
    let lvs_head =
        "Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Standaardmeetfout\n";
    let lvs = [
        format!("{};Rekenen-Wiskunde;M5;16-01-2024;{};4,5", a.id, a.email),
        format!("{};Rekenen-Wiskunde;{};16-01-2024;133;4,5", a.id, a.family),
        format!("{};Rekenen-Wiskunde;M5;{};133;4,5", b.id, full(b)),
        format!("{};Rekenen-Wiskunde;M5;16-01-2024;133;{}", b.id, b.username),
        format!("{};Rekenen-Wiskunde;M5;16-01-2024;133;4,5", full(c)),
        format!("{}X;Rekenen-Wiskunde;M5;16-01-2024;133;4,5", c.id),
        format!("{};Rekenen-Wiskunde;M5", c.email),
    ];
    source(
        "toetsen-kapot",
        "lvs-csv",
        "lvs-kapot.csv",
        format!("{lvs_head}{}\n", lvs.join("\n")),
        "instrument = \"cito-lvs\"\n",
    );

    // xAPI: identities in the wrong JSON type, in broken JSON, in a timestamp, a duration, an
    // unknown account and mailbox, and as bare array elements.
    let ok_tail = r#""verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://lms.example.nl/tasks/t1"}"#;
    let xapi = [
        format!(
            r#"{{"actor":"{}",{ok_tail},"timestamp":"2024-01-16T10:00:00+01:00"}}"#,
            a.id
        ),
        format!(r#"{{"actor":{{"name":{}}},{ok_tail}}}"#, full(a)),
        format!(
            r#"{{"actor":{{"account":{{"homePage":"h","name":"{}"}}}},{ok_tail},"timestamp":"{}"}}"#,
            a.username,
            full(b)
        ),
        format!(
            r#"{{"actor":{{"mbox":"mailto:{}"}},{ok_tail},"timestamp":"2024-01-16T10:00:00+01:00","result":{{"duration":"{}"}}}}"#,
            b.email, b.username
        ),
        format!(
            r#"{{"actor":{{"account":{{"homePage":"h","name":"{}X"}}}},{ok_tail},"timestamp":"2024-01-16T10:00:00+01:00"}}"#,
            c.username
        ),
        format!(
            r#"{{"actor":{{"mbox":"mailto:x{}"}},{ok_tail},"timestamp":"2024-01-16T10:00:00+01:00"}}"#,
            c.email
        ),
        format!(r#"["{}", "{}"]"#, c.id, c.email),
        format!(
            r#"{{"actor":{{"account":{{"homePage":"h","name":["{}"]}}}}}}"#,
            c.family
        ),
    ];
    source(
        "lms-kapot",
        "xapi",
        "lms-kapot.ndjson",
        format!("{}\n", xapi.join("\n")),
        "",
    );

    // An xAPI array document whose second element is a string.
    source(
        "lms-array-kapot",
        "xapi",
        "lms-array-kapot.json",
        format!(
            r#"[{{"actor":{{"account":{{"homePage":"h","name":"{}"}}}},{ok_tail},"timestamp":"2024-01-16T10:00:00+01:00"}}, "{} <{}>"]"#,
            a.id,
            full(a),
            a.email
        ),
        "",
    );

    // Week plans: identities in the week, the dates and the id.
    let plans = [
        format!("{};{};t1;04-09-2023;08-09-2023;", a.id, a.family),
        format!("{};2023-W36;t1;{};08-09-2023;", b.id, b.email),
        format!("{};2023-W36;t1;04-09-2023;08-09-2023;{}", c.id, full(c)),
        format!("{};2023-W36;t1;04-09-2023;08-09-2023;", c.username),
    ];
    source(
        "plannen-kapot",
        "plans-csv",
        "plannen-kapot.csv",
        format!(
            "leerlingnummer;week;taak;gepland_op;deadline;klaar_op\n{}\n",
            plans.join("\n")
        ),
        "",
    );
    toml
}

#[test]
fn personal_data_in_broken_rows_reaches_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    let out = tmp.path().join("out");
    common::leerwinst(&[
        "sample-data",
        "--out",
        sample.to_str().unwrap(),
        "--schools",
        "6",
        "--pupils",
        "300",
        "--seed",
        "7",
    ]);
    let who = identities(&sample.join("oneroster/users.csv"), 3);
    let pipeline_text = std::fs::read_to_string(common::repo().join("pipelines/demo.toml"))
        .unwrap()
        .replace("../sample-data/", "sample/");
    // The hostile sources go before [verbs]: TOML tables after it would belong to it.
    let (head, tail) = pipeline_text.split_once("\n[verbs]").unwrap();
    let pipeline = tmp.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        format!(
            "{head}\n{}\n[verbs]{tail}",
            hostile_sources(tmp.path(), &who)
        ),
    )
    .unwrap();
    let run = common::run_pipeline(&pipeline, &out, Some("privacy-test-key-0123456789"));

    let mut secrets: Vec<String> = Vec::new();
    for p in &who {
        secrets.extend([
            p.id.clone(),
            p.username.clone(),
            p.email.clone(),
            p.family.clone(),
            format!("{} {}", p.given, p.family),
        ]);
    }
    secrets.retain(|s| s.len() >= 4);
    let matcher = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&secrets)
        .unwrap();

    // Every broken row was rejected (and so went through the messages under test).
    for name in ["toetsen-kapot", "lms-kapot", "plannen-kapot"] {
        let (read, accepted, rejected) = common::source_counts(&out, name);
        assert_eq!(read, accepted + rejected, "{name}");
        assert!(rejected >= 3, "{name}: only {rejected} rejected");
    }

    let mut leaks = Vec::new();
    let mut scan = |what: String, text: &str| {
        if let Some(m) = matcher.find(text) {
            let s = m.start().saturating_sub(60);
            let e = (m.end() + 60).min(text.len());
            let around = text.get(s..e).unwrap_or("");
            leaks.push(format!(
                "{what}: '{}' in ...{around}...",
                secrets[m.pattern().as_usize()]
            ));
        }
    };
    scan("stdout".into(), &String::from_utf8_lossy(&run.stdout));
    scan("stderr".into(), &String::from_utf8_lossy(&run.stderr));
    let files = common::files(&out);
    assert!(files.len() >= 20, "only {} outputs", files.len());
    for f in &files {
        scan(f.display().to_string(), &common::output_text(f));
    }
    assert!(
        leaks.is_empty(),
        "personal data in outputs:\n{}",
        leaks.join("\n")
    );

    // The rejects still say where to look: file, line and a reason for each broken row.
    let rejects = std::fs::read_to_string(out.join("rejects/events.csv")).unwrap();
    assert!(rejects.contains("lms-kapot.ndjson"), "{rejects}");
    assert!(rejects.contains("verkeerde type"), "{rejects}");
}

#[test]
fn an_export_without_a_header_line_is_refused_without_quoting_it() {
    let tmp = tempfile::tempdir().unwrap();
    let row = "L100041;Hendriks;Lucas;lucas.hendriks4@leerling.example.nl;Rekenen-Wiskunde;M5";
    std::fs::write(tmp.path().join("lvs.csv"), format!("{row}\n{row}\n")).unwrap();
    std::fs::write(
        tmp.path().join("p.toml"),
        "[pipeline]\nname = \"kop\"\n\n[privacy]\npseudonymise = false\n\n[[source]]\n\
         name = \"toetsen\"\nformat = \"lvs-csv\"\npath = \"lvs.csv\"\n",
    )
    .unwrap();
    let stderr = common::ingest_fails(&tmp.path().join("p.toml"), &tmp.path().join("out"));
    assert!(
        stderr.contains("6 columns separated by semicolons"),
        "{stderr}"
    );
    for secret in ["L100041", "Hendriks", "lucas.hendriks4"] {
        assert!(!stderr.contains(secret), "{stderr}");
    }
}
