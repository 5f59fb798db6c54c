//! Data contracts of leerwinst.
//!
//! Every stage of the pipeline (ingest, transform, compare, report) meets the others only through
//! Parquet files whose schemas are defined here, and nowhere else. This crate also owns the
//! pipeline-file types, school years and test moments, and the error type shared by the stages.
//! It deliberately has no heavy dependencies.

pub mod catalogue;
pub mod chart_columns;
pub mod clock;
pub mod disclosure;
pub mod doc_regions;
pub mod error;
pub mod pipeline;
pub mod reference_level;
pub mod schema;
pub mod schema_nl;
pub mod term;
pub mod values_nl;

pub use error::{Error, Result};
pub use schema::{Column, ColumnType, Table};
pub use term::{Calendar, Moment, SchoolYear};

/// Version of the table schemas; written into every Parquet file's key-value metadata. 2: the
/// events table gained `seq`; 3: the assessments table gained `reference_level`,
/// `functioning_level` and `dle`.
pub const SCHEMA_VERSION: &str = "3";

/// Version of the tool, written into run.json and Parquet metadata.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
