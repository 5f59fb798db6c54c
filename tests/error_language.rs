//! A run-stopping error is said in the pipeline's language: a Dutch pipeline (the default) gets
//! `fout:` and no English prose, an English one `error:`. Each case is a broken pipeline a user
//! makes (a typo in a key, a bad value, a missing export, a Windows path in double quotes, a
//! folder where the pipeline file goes); a message without a line in `crates/cli/src/error_text.rs`
//! fails here.

use std::path::Path;
use std::process::{Command, Output};

fn run(pipeline: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .args([
            "run",
            pipeline.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("CI", "true")
        .env("LEERWINST_KEY", "error-language-test-key")
        .output()
        .unwrap()
}

/// Broken pipelines: (name, text after `[pipeline]`).
const CASES: [(&str, &str); 9] = [
    ("unknown_key", "\n[indicators]\nsesion_gap_min = 10\n"),
    ("small_group", "\n[privacy]\nmin_group_size = 3\n"),
    ("window", "\n[compare]\nwindow = \"X-Y\"\n"),
    ("variant", "\n[compare]\ndesign = \"foo\"\n"),
    (
        "missing_export",
        "\n[[source]]\nname = \"a\"\nformat = \"lvs-csv\"\npath = \"nope.csv\"\n",
    ),
    (
        "calendar",
        "\n[calendar]\nschool_year_start = { month = 1, day = 1 }\n",
    ),
    (
        "terms",
        "\n[indicators]\nterms = [{ month = 9, day = 1 }]\n",
    ),
    ("windows_path", "path = \"C:\\Users\\x\"\n"),
    (
        "no_mapping",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n",
    ),
];

/// Words of English prose that no Dutch message holds (keys, values and paths aside).
const ENGLISH: [&str; 14] = [
    "error",
    "expected",
    "unknown",
    "must",
    "cannot",
    "needs",
    "below",
    "No such",
    "parse",
    "give the",
    "not a",
    "is a folder",
    "backslash",
    "missing",
];

#[test]
fn a_dutch_pipeline_gets_its_errors_in_dutch() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, std::path::PathBuf)> = CASES
        .iter()
        .enumerate()
        .map(|(i, (name, rest))| {
            // File names of their own: a path is quoted in the message, and must hold no
            // English word.
            let p = tmp.path().join(format!("geval{i}.toml"));
            std::fs::write(&p, format!("[pipeline]\nname = \"t\"\n{rest}")).unwrap();
            (name.to_string(), p)
        })
        .collect();
    // A folder or a missing file where the pipeline file goes.
    cases.push(("folder".into(), tmp.path().to_path_buf()));
    cases.push(("no_file".into(), tmp.path().join("ontbreekt.toml")));
    for (name, p) in &cases {
        let o = run(p, &tmp.path().join("uit"));
        assert_eq!(o.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("fout: "), "{name}: {err}");
        for word in ENGLISH {
            assert!(!err.contains(word), "{name}: English '{word}' in\n{err}");
        }
    }
}

#[test]
fn an_english_pipeline_gets_its_errors_in_english() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p.toml");
    std::fs::write(
        &p,
        "[pipeline]\nname = \"t\"\nlanguage = \"en\"\n\n[privacy]\nmin_group_size = 3\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&run(&p, &tmp.path().join("out")).stderr).to_string();
    assert!(
        err.starts_with("error: ") && err.contains("is below the floor of 5"),
        "{err}"
    );
}
