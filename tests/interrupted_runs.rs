//! No run destroys or mixes data: a run killed at any moment (`kill -9`) leaves the output folder
//! holding one complete run, the one before it, and the next run finishes as if nothing happened,
//! byte for byte (crates/cli/src/out_folder.rs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

const KEY: &str = "leerwinst-public-demo-key";

fn demo_run(out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leerwinst"));
    cmd.arg("run")
        .arg(common::repo().join("pipelines/demo.toml"))
        .arg("--out")
        .arg(out)
        .env("CI", "true")
        .env("LEERWINST_KEY", KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// The files of a run folder, relative, without the marker and the manifest.
fn files(out: &Path) -> BTreeSet<PathBuf> {
    common::files(out)
        .into_iter()
        .map(|f| f.strip_prefix(out).unwrap().to_path_buf())
        .filter(|f| f != Path::new(".leerwinst-run") && f != Path::new(".leerwinst-manifest"))
        .collect()
}

/// The user's own file in the output folder: not leerwinst's, never removed.
const NOTE: &str = "review/opmerkingen.txt";

/// The folder holds exactly the files its manifest lists (one complete run) and the user's note,
/// with a whole run.json.
fn assert_one_complete_run(out: &Path, moment: &str) {
    let mut manifest: BTreeSet<PathBuf> = std::fs::read_to_string(out.join(".leerwinst-manifest"))
        .unwrap_or_else(|e| panic!("{moment}: no manifest: {e}"))
        .lines()
        .map(PathBuf::from)
        .collect();
    assert!(
        !manifest.contains(Path::new(NOTE)),
        "{moment}: the note became leerwinst's"
    );
    manifest.insert(PathBuf::from(NOTE));
    assert_eq!(files(out), manifest, "{moment}: the folder is not one run");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap())
            .unwrap_or_else(|e| panic!("{moment}: run.json: {e}"));
    for stage in ["ingest", "transform", "compare", "report"] {
        assert!(!run[stage].is_null(), "{moment}: run.json lacks {stage}");
    }
}

/// run.json without what differs between two runs of the same data: timings and the folder.
fn run_json_sans_timings(out: &Path) -> String {
    let text = std::fs::read_to_string(out.join("run.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| !k.ends_with("seconds"));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut json);
    json.to_string()
        .replace(&out.display().to_string(), "{out}")
}

#[test]
fn a_run_killed_at_any_moment_leaves_one_complete_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (reference, out) = (tmp.path().join("reference"), tmp.path().join("demo"));
    let start = Instant::now();
    assert!(demo_run(&reference).status().unwrap().success());
    let full = start.elapsed();
    assert!(demo_run(&out).status().unwrap().success());
    std::fs::write(out.join(NOTE), "notities van de kwaliteitszorg").unwrap();
    // Kill runs at moments spread over a whole run, from its first instant to its swap.
    let moments = 16;
    for i in 0..moments {
        let after = full.mul_f64(i as f64 / (moments - 1) as f64 * 1.1);
        let mut child = demo_run(&out).spawn().unwrap();
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
        let moment = format!("killed after {} ms", after.as_millis());
        assert_one_complete_run(&out, &moment);
        assert_eq!(
            std::fs::read_to_string(out.join(NOTE)).unwrap(),
            "notities van de kwaliteitszorg",
            "{moment}: the user's note"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // A run after the kills: complete, the dead runs' staging folders gone, and the same as a
    // run that was never interrupted.
    assert!(demo_run(&out).status().unwrap().success());
    assert_one_complete_run(&out, "after the kills");
    let beside: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(beside.len(), 2, "left beside the folders: {beside:?}");
    let mut expected = files(&reference);
    expected.insert(PathBuf::from(NOTE));
    assert_eq!(files(&out), expected);
    for f in files(&reference) {
        if f == Path::new("run.json") {
            assert_eq!(
                run_json_sans_timings(&out),
                run_json_sans_timings(&reference)
            );
        } else {
            assert!(
                std::fs::read(out.join(&f)).unwrap() == std::fs::read(reference.join(&f)).unwrap(),
                "{} differs from an uninterrupted run",
                f.display()
            );
        }
    }
}
