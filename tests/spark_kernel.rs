//! The self-regulation indicators computed piecewise, as Spark computes them, equal the
//! single-machine transform byte for byte: the warehouse's events and plans cut into partitions,
//! each pupil-year's events out of order, through `leerwinst kernel srl` (Arrow IPC streams),
//! then `leerwinst transform --srl-partials`. First with the partitions made here, then with the
//! real PySpark job of dist/spark/ in local mode (several shuffle partitions, the events split
//! over several files). The Spark part needs pyspark: `.ci/run` installs it and sets
//! LEERWINST_REQUIRE_SPARK=1, so there a missing pyspark fails instead of skipping.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt32Array};
use leerwinst_core::Table;
use leerwinst_store::{read_table, write_batch};

const KEY: &str = "spark-kernel-test-key-0123456789";
const PARTITIONS: u64 = 3;

/// The SRL tables transform writes, compared byte for byte.
const TABLES: [&str; 6] = [
    "srl.parquet",
    "srl_term.parquet",
    "srl_weekly.parquet",
    "srl.csv",
    "srl_term.csv",
    "srl_weekly.csv",
];

/// A demo run (the bundled sample data) in `dir/run`, and its pipeline.
fn demo_run(dir: &Path) -> std::path::PathBuf {
    let run = dir.join("run");
    common::run_pipeline(&common::repo().join("pipelines/demo.toml"), &run, Some(KEY));
    run
}

/// Transform of a copy of `run` with `--srl-partials partials`; fails unless its SRL tables
/// equal the run's byte for byte.
fn assert_same_as_transform(run: &Path, partials: &Path, copy: &Path) {
    copy_dir(run, copy);
    let pipeline = common::repo().join("pipelines/demo.toml");
    common::leerwinst_with_key(
        &[
            "transform",
            pipeline.to_str().unwrap(),
            "--out",
            copy.to_str().unwrap(),
            "--srl-partials",
            partials.to_str().unwrap(),
        ],
        Some(KEY),
    );
    for t in TABLES {
        let (a, b) = (
            run.join("indicators").join(t),
            copy.join("indicators").join(t),
        );
        assert!(
            std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
            "{t} from the partials differs from transform's"
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for f in common::files(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
}

fn partition_of(pupil: &str) -> u64 {
    let mut h = DefaultHasher::new();
    pupil.hash(&mut h);
    h.finish() % PARTITIONS
}

/// The warehouse's events and plans as `srl_kernel_input` rows, one batch per partition:
/// pupil-years in (school year, pupil) order, each one's events in reverse (the kernel orders
/// them by seq), then its plans.
fn kernel_input(warehouse: &Path) -> Vec<RecordBatch> {
    let events = read_table(&warehouse.join("events"), Table::Events).unwrap();
    let plans = read_table(&warehouse.join("plans.parquet"), Table::Plans).unwrap();
    let schema = Table::SrlKernelInput.schema();
    // Both tables in the input's columns: nulls where a table has no such column.
    let shape = |batch: &RecordBatch, record: &str| -> RecordBatch {
        let n = batch.num_rows();
        let cols: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| match f.name().as_str() {
                "record" => std::sync::Arc::new(StringArray::from(vec![record; n])) as ArrayRef,
                name => batch
                    .column_by_name(name)
                    .cloned()
                    .unwrap_or_else(|| arrow_array::new_null_array(f.data_type(), n)),
            })
            .collect();
        RecordBatch::try_new(schema.clone(), cols).unwrap()
    };
    let all = arrow_select::concat::concat_batches(
        &schema,
        &[shape(&events.batch, "event"), shape(&plans.batch, "plan")],
    )
    .unwrap();
    let (pupil, year, record) = (
        all.column(1).as_string::<i32>(),
        all.column(2).as_string::<i32>(),
        all.column(0).as_string::<i32>(),
    );
    (0..PARTITIONS)
        .map(|part| {
            let mut rows: Vec<usize> = (0..all.num_rows())
                .filter(|&i| partition_of(pupil.value(i)) == part)
                .collect();
            // Pupil-year by pupil-year; within one, events last-first, then plans.
            rows.sort_by(|&a, &b| {
                (year.value(a), pupil.value(a), record.value(a))
                    .cmp(&(year.value(b), pupil.value(b), record.value(b)))
                    .then(b.cmp(&a))
            });
            let idx = UInt32Array::from(rows.iter().map(|&i| i as u32).collect::<Vec<_>>());
            arrow_select::take::take_record_batch(&all, &idx).unwrap()
        })
        .collect()
}

/// `leerwinst kernel srl` with the demo pipeline, its three streams piped.
fn spawn_kernel() -> std::process::Child {
    let pipeline = common::repo().join("pipelines/demo.toml");
    Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .args(["kernel", "srl", pipeline.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `leerwinst kernel srl` on one partition: the batch in, the partial rows out.
fn kernel(batch: &RecordBatch) -> RecordBatch {
    let mut child = spawn_kernel();
    let mut stdin = child.stdin.take().unwrap();
    let input = batch.clone();
    let feeder = std::thread::spawn(move || {
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut stdin, &input.schema()).unwrap();
        // In several batches, as Spark sends them.
        for start in (0..input.num_rows()).step_by(5000) {
            w.write(&input.slice(start, 5000.min(input.num_rows() - start)))
                .unwrap();
        }
        w.finish().unwrap();
        stdin.flush().unwrap();
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert!(
        out.status.success(),
        "kernel failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reader = arrow_ipc::reader::StreamReader::try_new(&out.stdout[..], None).unwrap();
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

#[test]
fn srl_through_the_kernel_in_partitions_equals_transform() {
    let dir = tempfile::tempdir().unwrap();
    let run = demo_run(dir.path());
    let partials = dir.path().join("partials");
    let mut rows = 0;
    let input = kernel_input(&run.join("warehouse"));
    for (i, batch) in input.iter().enumerate() {
        assert!(
            batch.num_rows() > 0,
            "partition {i} is empty: pick other pupils"
        );
        let out = kernel(batch);
        rows += out.num_rows();
        let path = partials.join(format!("part-{i}.parquet"));
        write_batch(&path, Table::SrlPartial, &out, &[]).unwrap();
    }
    assert!(rows > 0);
    assert_same_as_transform(&run, &partials, &dir.path().join("copy"));

    // Rows out of order are refused with a reason, not computed as two pupil-years.
    let batch = &input[0];
    let rev = UInt32Array::from((0..batch.num_rows() as u32).rev().collect::<Vec<_>>());
    let reversed = arrow_select::take::take_record_batch(batch, &rev).unwrap();
    let mut child = spawn_kernel();
    {
        let mut stdin = child.stdin.take().unwrap();
        let mut w =
            arrow_ipc::writer::StreamWriter::try_new(&mut stdin, &reversed.schema()).unwrap();
        // The kernel stops at the first misplaced row and closes its input: ignore the error.
        let _ = w.write(&reversed);
        let _ = w.finish();
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not together or out of order"), "{err}");
}

/// Whether pyspark can be imported; when it cannot, fails under LEERWINST_REQUIRE_SPARK=1.
fn have_pyspark() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyspark, pyarrow"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("LEERWINST_REQUIRE_SPARK").is_err(),
            "LEERWINST_REQUIRE_SPARK is set but pyspark (with pyarrow) cannot be imported"
        );
        eprintln!("SKIPPED: pyspark is not installed (pip install pyspark pyarrow)");
    }
    ok
}

/// Splits each events partition file into three (later rows in lower-numbered files), so Spark
/// reads the events from several files in no useful order.
fn split_event_files(warehouse: &Path) {
    for f in common::files(&warehouse.join("events")) {
        let frame = read_table(&f, Table::Events).unwrap();
        let n = frame.len();
        std::fs::remove_file(&f).unwrap();
        for k in 0..3 {
            let (start, end) = (n * k / 3, n * (k + 1) / 3);
            let part = frame.batch.slice(start, end - start);
            let path = f.with_file_name(format!("part-{}.parquet", 2 - k));
            write_batch(&path, Table::Events, &part, &[]).unwrap();
        }
    }
}

#[test]
fn srl_on_spark_in_local_mode_equals_transform() {
    if !have_pyspark() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = demo_run(dir.path());
    let warehouse = dir.path().join("warehouse");
    copy_dir(&run.join("warehouse"), &warehouse);
    split_event_files(&warehouse);
    let partials = dir.path().join("partials");
    let job = common::repo().join("dist/spark/srl_job.py");
    let pipeline = common::repo().join("pipelines/demo.toml");
    let out = Command::new("python3")
        .arg(&job)
        .args(["--kernel", env!("CARGO_BIN_EXE_leerwinst")])
        .args(["--pipeline", pipeline.to_str().unwrap()])
        .args(["--warehouse", warehouse.to_str().unwrap()])
        .args(["--out", partials.to_str().unwrap()])
        .args(["--partitions", "4"])
        // Local mode on two cores: the four partitions run as tasks of one executor.
        .env("PYSPARK_SUBMIT_ARGS", "--master local[2] pyspark-shell")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the Spark job failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parts = common::files(&partials)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .count();
    assert!(parts >= 2, "Spark wrote {parts} partial files");
    assert_same_as_transform(&run, &partials, &dir.path().join("copy"));
}
