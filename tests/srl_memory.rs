//! The self-regulation indicators are computed in bounded memory: `leerwinst transform` streams
//! the events table pupil by pupil instead of loading it. A generated warehouse of 3 million
//! events (`leerwinst sample-events`) takes about 0.5 GB loaded whole (as Arrow arrays, the way
//! transform read it before it streamed); the transform process must peak below a third of that, measured as the child's maximum
//! resident set size (`getrusage(RUSAGE_CHILDREN)`, Linux). This file holds only this test, so
//! the measurement sees no other child, and the table is loaded in the test process only after
//! the child ran (a child forked from a large process would count the parent's pages).

// The test calls libc (getrusage); each unsafe block says why it is sound.
#![allow(unsafe_code)]

use arrow_array::Array;

use leerwinst_core::Table;
use leerwinst_store::read_table;

mod common;

use common::leerwinst;

/// Peak resident set size of the waited-for children, bytes.
fn children_peak_rss() -> u64 {
    // SAFETY: rusage is plain integers, for which all zeros is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN is a valid target.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    usage.ru_maxrss as u64 * 1024 // kilobytes on Linux
}

#[test]
fn transform_streams_events_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    leerwinst(&[
        "sample-events",
        "--out",
        out,
        "--pupils",
        "1500",
        "--events-per-pupil-year",
        "1000",
    ]);
    let events = dir.path().join("warehouse/events");
    let generator_peak = children_peak_rss();

    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(&pipeline, "[pipeline]\nname = \"bounded\"\n").unwrap();
    leerwinst(&["transform", pipeline.to_str().unwrap(), "--out", out]);
    let peak = children_peak_rss();
    // Loaded whole only now: a child forked from a large test process would count its pages.
    let loaded = read_table(&events, Table::Events).unwrap();
    let whole = loaded.batch.get_array_memory_size() as u64;
    let rows = loaded.len() as i64;
    drop(loaded);
    assert!(
        whole > 300 << 20,
        "the events take {whole} bytes loaded whole"
    );
    eprintln!(
        "events {:.0} MB loaded whole; transform peak RSS {:.0} MB (generator {:.0} MB)",
        whole as f64 / 1e6,
        peak as f64 / 1e6,
        generator_peak as f64 / 1e6
    );
    assert!(
        peak < whole / 3,
        "transform peaked at {peak} bytes, not well below the {whole} the events take whole"
    );

    // And it did the work: every pupil-year has its indicators from all its events.
    let srl = read_table(&dir.path().join("indicators/srl.parquet"), Table::Srl).unwrap();
    assert_eq!(srl.len(), 3000);
    let n: i64 = (0..srl.len()).map(|i| srl.i64("events").value(i)).sum();
    assert_eq!(n, rows);
    assert!((0..srl.len()).all(|i| srl.f64("srl_index").is_valid(i)));
}
