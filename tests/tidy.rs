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
    let crates = LIBRARIES;
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

/// "Only core defines schemas": no other crate builds an Arrow schema or field (its unit tests,
/// the `#[cfg(test)]` module that ends a file, may build tables of their own to try a writer on).
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
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let test_module = lines.get(i + 1).is_some_and(|l| l.starts_with("mod tests"));
                if line.trim() == "#[cfg(test)]" && test_module {
                    break;
                }
                if line.contains("Schema::new(") || line.contains("Field::new(") {
                    found.push(format!("{}:{}", f.display(), i + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "Arrow schemas outside core: {found:?}");
}

/// The library code of a crate: each source file's text before its `#[cfg(test)]` module,
/// without comment lines, skipping files that are test modules themselves (declared under
/// `#[cfg(test)]`).
fn library_code(krate: &str) -> Vec<(std::path::PathBuf, String)> {
    let src = repo().join("crates").join(krate).join("src");
    let files: Vec<_> = common::files(&src)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        .collect();
    let mut test_only = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let base = if ["lib", "main", "mod"].contains(&stem.as_str()) {
            f.parent().unwrap().to_path_buf()
        } else {
            f.parent().unwrap().join(&stem)
        };
        let mut lines = text.lines().map(str::trim).peekable();
        while let Some(line) = lines.next() {
            if line == "#[cfg(test)]"
                && let Some(next) = lines.peek()
                && let Some(name) = next
                    .trim_start_matches("pub ")
                    .strip_prefix("mod ")
                    .and_then(|n| n.strip_suffix(';'))
            {
                test_only.insert(base.join(format!("{name}.rs")));
                test_only.insert(base.join(name).join("mod.rs"));
            }
        }
    }
    files
        .into_iter()
        .filter(|f| !test_only.contains(f))
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let code: Vec<&str> = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            (f, code.join("\n"))
        })
        .collect()
}

/// The library crates (every crate but the binary).
const LIBRARIES: [&str; 8] = [
    "core",
    "store",
    "stats",
    "ingest",
    "transform",
    "compare",
    "report",
    "sampledata",
];

/// Every line of the library code of `krates` (files whose path contains `within`) that
/// `offends`, as `file: line`.
fn offending_lines(krates: &[&str], within: &str, offends: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for krate in krates {
        for (f, code) in library_code(krate) {
            if !f.to_string_lossy().contains(within) {
                continue;
            }
            found.extend(
                code.lines()
                    .filter(|line| offends(line))
                    .map(|line| format!("{}: {}", f.display(), line.trim())),
            );
        }
    }
    found
}

/// Library code returns errors: no `.unwrap()` outside tests (an `.expect("why")` states an
/// invariant the code keeps).
#[test]
fn library_code_does_not_unwrap() {
    let found = offending_lines(&LIBRARIES, "", |line| line.contains(".unwrap()"));
    assert!(
        found.is_empty(),
        "unwrap in library code:\n{}",
        found.join("\n")
    );
}

/// The format readers are the input paths: they neither unwrap nor expect (a compiled regular
/// expression literal excepted), so no input can reach a panic there.
#[test]
fn format_readers_neither_unwrap_nor_expect() {
    let found = offending_lines(&["ingest"], "/formats/", |line| {
        let expect = line.contains(".expect(") && !line.contains("Regex::new(");
        expect || line.contains(".unwrap()")
    });
    assert!(
        found.is_empty(),
        "panics on an input path:\n{}",
        found.join("\n")
    );
}

/// Counts of tests or cases go stale the day a case is added: prose names what is tested, the
/// tests count themselves.
#[test]
fn no_counts_of_tests_in_prose() {
    let mut docs = vec![
        repo().join("README.md"),
        repo().join("ARCHITECTURE.md"),
        repo().join("tests/hostile/README.md"),
    ];
    docs.extend(
        common::files(&repo().join("docs"))
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "md")),
    );
    let counted = ["hostile", "cases", "tests", "test"];
    let mut found = Vec::new();
    for doc in docs {
        let text = std::fs::read_to_string(&doc).unwrap();
        let words: Vec<&str> = text.split_whitespace().collect();
        for pair in words.windows(2) {
            let number = pair[0].trim_start_matches(['(', '*']);
            let next = pair[1].trim_matches(|c: char| !c.is_alphanumeric());
            if !number.is_empty()
                && number.chars().all(|c| c.is_ascii_digit() || c == ',')
                && counted.contains(&next)
            {
                found.push(format!("{}: {} {}", doc.display(), pair[0], pair[1]));
            }
        }
    }
    assert!(found.is_empty(), "counts in prose:\n{}", found.join("\n"));
}

/// Modules of a crate import each other in one direction: a circle (as `event_stream`, `srl`
/// and `srl_weekly` once formed) makes every module of it a prerequisite of the others. The
/// pairs listed are known and explained.
#[test]
fn modules_do_not_import_each_other_in_a_circle() {
    // core's schema carries its Dutch headers as field metadata, which schema_nl holds.
    let known: [(&str, &str, &str); 1] = [("core", "schema", "schema_nl")];
    let mut circles = Vec::new();
    for krate in LIBRARIES.iter().chain(&["cli"]) {
        let src = repo().join("crates").join(krate).join("src");
        let mut imports: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
        for (f, code) in library_code(krate) {
            let rel = f.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            let module = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let mut used: BTreeSet<String> = code
                .split("crate::")
                .skip(1)
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect()
                })
                .collect();
            for group in code.split("use crate::{").skip(1) {
                let inner = group.split('}').next().unwrap_or("");
                used.extend(
                    inner
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or("").to_string()),
                );
            }
            used.retain(|m| !m.is_empty() && *m != module);
            imports.entry(module).or_default().extend(used);
        }
        for (a, uses) in &imports {
            for b in uses {
                let back = imports.get(b).is_some_and(|u| u.contains(a));
                let indirect = !back && reaches(&imports, b, a);
                if (back && a < b) || indirect {
                    let pair = (*krate, a.as_str(), b.as_str());
                    if !known.iter().any(|k| {
                        k.0 == pair.0
                            && ((k.1, k.2) == (pair.1, pair.2) || (k.2, k.1) == (pair.1, pair.2))
                    }) {
                        circles.push(format!("{krate}: {a} <-> {b}"));
                    }
                }
            }
        }
    }
    assert!(
        circles.is_empty(),
        "modules in a circle:\n{}",
        circles.join("\n")
    );
}

/// Whether module `from` reaches `to` through the imports (without the direct edge back).
fn reaches(
    imports: &std::collections::BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(m) = todo.pop() {
        if !seen.insert(m.clone()) {
            continue;
        }
        for next in imports.get(&m).into_iter().flatten() {
            if next == to && m != from {
                return true;
            }
            todo.push(next.clone());
        }
    }
    false
}

/// "cli is glue only": the binary reads no table columns itself; the crate that writes a table
/// reads it back for it (`leerwinst_compare::read_effects`).
#[test]
fn the_binary_reads_no_table_columns() {
    let found = offending_lines(&["cli"], "", |line| {
        [
            "read_table(",
            "scan_table(",
            ".str(\"",
            ".f64(\"",
            ".i64(\"",
        ]
        .iter()
        .any(|p| line.contains(p))
    });
    assert!(
        found.is_empty(),
        "table reading in the cli crate:\n{}",
        found.join("\n")
    );
}

/// ARCHITECTURE.md's entry points and how-to sections name only files and items that exist, so
/// a newcomer following them never meets a renamed module or function.
#[test]
fn architecture_names_only_what_exists() {
    let doc = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let start = doc
        .find("## Entry points")
        .expect("an Entry points section");
    let end = doc.find("## Invariants").expect("an Invariants section");
    let guide = &doc[start..end];
    let mut code = String::new();
    for f in common::files(&repo().join("crates")) {
        if f.extension().is_some_and(|e| e == "rs") {
            code.push_str(&std::fs::read_to_string(&f).unwrap());
        }
    }
    let defined = |name: &str| {
        [
            "fn", "struct", "enum", "const", "static", "type", "trait", "mod",
        ]
        .iter()
        .any(|kw| {
            code.match_indices(&format!("{kw} {name}")).any(|(i, m)| {
                let after = code[i + m.len()..].chars().next().unwrap_or(' ');
                !(after.is_alphanumeric() || after == '_')
            })
        }) || code.contains(&format!("    {name},"))
            || code.contains(&format!("pub {name}:"))
    };
    let mut missing = Vec::new();
    for token in guide.split('`').skip(1).step_by(2) {
        if token.contains(' ') || token.starts_with('<') || token.starts_with('-') {
            continue;
        }
        if token.contains('/') {
            let path = token.split('<').next().unwrap();
            if !repo().join(path).exists() {
                missing.push(format!("path {token}"));
            }
            continue;
        }
        if let Some(krate) = token.strip_prefix("leerwinst_")
            && !krate.contains("::")
        {
            if !repo().join("crates").join(krate).is_dir() {
                missing.push(format!("crate {token}"));
            }
            continue;
        }
        let name = token
            .trim_end_matches("()")
            .rsplit("::")
            .next()
            .unwrap_or("");
        let is_name = !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !name.chars().next().unwrap().is_ascii_digit();
        if is_name && !["Default", "format"].contains(&name) && !defined(name) {
            missing.push(format!("item {token}"));
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names what the code does not have:\n{}",
        missing.join("\n")
    );
}

/// A public type is named field by field: no public tuple type aliases (`pub type Row = (i32,
/// String)`), whose `.0` and `.1` a reader has to look up.
#[test]
fn no_public_tuple_type_aliases() {
    let found = offending_lines(&LIBRARIES, "", |line| {
        let line = line.trim();
        line.starts_with("pub type ") && line.contains("= (")
    });
    assert!(
        found.is_empty(),
        "public tuple aliases:\n{}",
        found.join("\n")
    );
}
