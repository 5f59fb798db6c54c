//! The self-regulation indicators against two independent implementations of the same
//! definitions: Python polars (`bench/peers/srl_polars.py`) and DuckDB SQL
//! (`bench/peers/srl_duckdb.sql`), which agree with each other to 1e-12 on a small generated
//! warehouse (`leerwinst sample-events --pupils 60 --events-per-pupil-year 400 --seed 11`);
//! `tests/reference/srl_peers.sh` wrote their result to `tests/reference/srl_expected.csv`.
//! Here the real binary generates the same warehouse and runs transform; every indicator,
//! the composite index and the tercile of every pupil-year must equal the reference within
//! 1e-9 (counts exactly), nulls in the same places.

use arrow_array::Array;
use leerwinst_core::Table;
use leerwinst_store::read_table;
use std::collections::HashMap;

mod common;

use common::leerwinst;

/// Columns compared (all numeric), as in the reference file.
const COLUMNS: [&str; 15] = [
    "events",
    "sessions",
    "active_days",
    "time_on_task_min",
    "weekday_concentration",
    "hour_concentration",
    "active_week_share",
    "weekly_similarity",
    "help_after_error_share",
    "persistence_share",
    "progress_views_per_week",
    "reflections_per_week",
    "help_per_task",
    "srl_index",
    "srl_tercile",
];

#[test]
fn srl_indicators_equal_polars_and_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    leerwinst(&[
        "sample-events",
        "--out",
        out,
        "--pupils",
        "60",
        "--events-per-pupil-year",
        "400",
        "--seed",
        "11",
    ]);
    let pipeline = dir.path().join("p.toml");
    std::fs::write(&pipeline, "[pipeline]\nname = \"srl-reference\"\n").unwrap();
    leerwinst(&["transform", pipeline.to_str().unwrap(), "--out", out]);

    let srl = read_table(&dir.path().join("indicators/srl.parquet"), Table::Srl).unwrap();
    let value = |col: &str, i: usize| -> Option<f64> {
        let a = srl.batch.column_by_name(col).unwrap();
        if a.is_null(i) {
            return None;
        }
        Some(match col {
            "events" | "sessions" | "active_days" => srl.i64(col).value(i) as f64,
            "srl_tercile" => srl.i32(col).value(i) as f64,
            _ => srl.f64(col).value(i),
        })
    };
    let mut ours: HashMap<(String, String), Vec<Option<f64>>> = HashMap::new();
    for i in 0..srl.len() {
        let key = (
            srl.str("pupil_key").value(i).to_string(),
            srl.str("school_year").value(i).to_string(),
        );
        ours.insert(key, COLUMNS.iter().map(|c| value(c, i)).collect());
    }

    let path = common::repo().join("tests/reference/srl_expected.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let key = (
            rec[at("pupil_key")].to_string(),
            rec[at("school_year")].to_string(),
        );
        let got = ours
            .get(&key)
            .unwrap_or_else(|| panic!("{key:?} missing from leerwinst's output"));
        for (j, col) in COLUMNS.iter().enumerate() {
            let want: Option<f64> = match &rec[at(col)] {
                "" => None,
                v => Some(v.parse().unwrap()),
            };
            match (got[j], want) {
                (None, None) => {}
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 1e-9,
                    "{key:?} {col}: leerwinst {a}, reference {b}"
                ),
                (a, b) => panic!("{key:?} {col}: leerwinst {a:?}, reference {b:?}"),
            }
        }
        n += 1;
    }
    assert_eq!(n, 120, "60 pupils x 2 school years in the reference");
    assert_eq!(ours.len(), n, "the same pupil-years");
}
