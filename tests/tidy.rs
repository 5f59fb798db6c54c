//! Invariants of the codebase that ARCHITECTURE.md states, checked as a plain test (as
//! rust-analyzer's tidy test does): every end-to-end test file runs, crates depend on each other
//! only as the code map says, and only `core` defines Arrow schemas.

use std::collections::BTreeSet;

mod common;
use common::repo;

/// A `tests/*.rs` file not registered as a `[[test]]` of the cli crate would silently never run.
#[test]
fn every_end_to_end_test_file_is_registered() {
    let manifest = std::fs::read_to_string(repo().join("crates/cli/Cargo.toml")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(repo().join("tests")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.extension().is_some_and(|e| e == "rs") && name != "common.rs" {
            let line = format!("path = \"../../tests/{name}\"");
            if !manifest.contains(&line) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not registered as [[test]] in crates/cli/Cargo.toml: {missing:?}"
    );
}

/// The leerwinst crates a crate's Cargo.toml depends on (normal dependencies).
fn internal_dependencies(krate: &str) -> BTreeSet<String> {
    let manifest =
        std::fs::read_to_string(repo().join(format!("crates/{krate}/Cargo.toml"))).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap_or("")
        .split("\n[")
        .next()
        .unwrap_or("");
    deps.lines()
        .filter_map(|l| l.trim().strip_prefix("leerwinst-"))
        .filter_map(|l| l.split(['.', ' ', '=']).next())
        .map(str::to_string)
        .collect()
}

/// ARCHITECTURE.md's code map names, per crate, the crates it depends on; the manifests must
/// agree (no upward or undeclared imports).
#[test]
fn crates_depend_on_each_other_as_the_code_map_says() {
    let doc = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let crates = [
        "core",
        "store",
        "stats",
        "ingest",
        "transform",
        "compare",
        "report",
        "sampledata",
    ];
    let mut wrong = Vec::new();
    for krate in crates {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{krate}` |")))
            .unwrap_or_else(|| panic!("ARCHITECTURE.md has no code-map row for {krate}"));
        let depends_on = row.trim_end_matches('|').rsplit('|').next().unwrap();
        let documented: BTreeSet<String> = depends_on
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| crates.contains(&d.as_str()))
            .collect();
        let actual = internal_dependencies(krate);
        if documented != actual {
            wrong.push(format!(
                "{krate}: ARCHITECTURE.md says {documented:?}, Cargo.toml has {actual:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// "Only core defines schemas": no other crate builds an Arrow schema or field.
#[test]
fn only_core_defines_arrow_schemas() {
    let mut found = Vec::new();
    for krate in std::fs::read_dir(repo().join("crates")).unwrap() {
        let krate = krate.unwrap().path();
        if krate.ends_with("core") || !krate.join("src").is_dir() {
            continue;
        }
        for f in common::files(&krate.join("src")) {
            if f.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, line) in text.lines().enumerate() {
                if line.contains("Schema::new(") || line.contains("Field::new(") {
                    found.push(format!("{}:{}", f.display(), i + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "Arrow schemas outside core: {found:?}");
}
