//! Ingest in bounded memory: with a limit of event rows held in memory far below the sample's
//! 205,838 events, ingest spills sorted runs and merges them, and must write the same warehouse
//! and rejects, byte for byte, as when it holds every row; the spill folder must be gone.

mod common;

use std::process::Command;

#[test]
fn spilling_to_runs_gives_the_same_warehouse_as_holding_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = common::repo().join("pipelines/demo.toml");
    let key = "spill-test-key-0123456789";
    let held = dir.path().join("held");
    let spilled = dir.path().join("spilled");
    // `leerwinst ingest demo.toml --out OUT`, with a limit of event rows in memory when given.
    let ingest = |out: &std::path::Path, limit: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leerwinst"));
        cmd.args([
            "ingest",
            pipeline.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("CI", "true")
        .env("LEERWINST_KEY", key)
        .env_remove("LEERWINST_MAX_EVENTS_IN_MEMORY");
        if let Some(l) = limit {
            cmd.env("LEERWINST_MAX_EVENTS_IN_MEMORY", l);
        }
        cmd.output().unwrap()
    };
    for (out, limit) in [(&held, None), (&spilled, Some("5000"))] {
        let o = ingest(out, limit);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for part in ["warehouse", "rejects"] {
        let (a, b) = (held.join(part), spilled.join(part));
        let names = |d: &std::path::Path| -> Vec<_> {
            common::files(d)
                .iter()
                .map(|f| f.strip_prefix(d).unwrap().to_path_buf())
                .collect()
        };
        assert_eq!(names(&a), names(&b), "{part}: the same files");
        for f in names(&a) {
            let same = std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap();
            assert!(same, "{part}/{} differs", f.display());
        }
    }
    assert!(
        common::files(&spilled.join("warehouse/events")).len() == 2,
        "two school years"
    );
    let left: Vec<_> = std::fs::read_dir(&spilled)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("spill"))
        .collect();
    assert!(left.is_empty(), "spill folder left behind: {left:?}");

    // A limit that is not a number is a clear error.
    let bad = ingest(&spilled, Some("lots"));
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("LEERWINST_MAX_EVENTS_IN_MEMORY"), "{err}");
}
