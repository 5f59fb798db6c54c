//! Parquet in and out for leerwinst stages.
//!
//! Writes are atomic (temporary name, then rename, so an interrupted run leaves no half file) and
//! deterministic (no timestamps in the file; the caller sorts rows), with zstd compression,
//! column statistics and key-value provenance metadata. Reads give a [`Frame`]: one record batch
//! with typed column accessors that check the schema.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array,
    PrimitiveArray, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use leerwinst_core::{Error, Result, SCHEMA_VERSION, TOOL_VERSION, Table};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::arrow_writer::{ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;

mod csv_out;
mod number_text;
mod xlsx_out;
pub use csv_out::{CsvDialect, StaffCopies, csv_reader, table_to_csv, write_csv, xlsx_beside};

/// Rows per Parquet row group: large enough to scan fast, small enough to skip by statistics.
pub const ROW_GROUP_ROWS: usize = 256 * 1024;

fn storage(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Storage {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes `columns` (in the table's column order) as `path`, atomically.
///
/// `metadata` is added to the file's key-value metadata beside `leerwinst.schema_version`,
/// `leerwinst.table` and `leerwinst.tool_version`.
pub fn write_table(
    path: &Path,
    table: Table,
    columns: Vec<ArrayRef>,
    metadata: &[(String, String)],
) -> Result<()> {
    let batch = RecordBatch::try_new(table.schema(), columns).map_err(|e| storage(path, e))?;
    write_batch(path, table, &batch, metadata)
}

/// Writes one record batch of `table` as `path`, atomically.
pub fn write_batch(
    path: &Path,
    table: Table,
    batch: &RecordBatch,
    metadata: &[(String, String)],
) -> Result<()> {
    let mut w = TableWriter::create(path, table, metadata)?;
    w.write(batch)?;
    w.finish()
}

/// A table written batch by batch (for tables too large to hold), atomically: the file appears
/// under its name only when [`TableWriter::finish`] succeeds; dropped unfinished, it leaves
/// nothing. Same settings as [`write_table`].
///
/// The columns of a row group are encoded in parallel (rayon), each by its own Parquet column
/// writer; the writers get exactly the calls [`ArrowWriter`] would make (the same row-group
/// cuts across batches), so the file is the same byte for byte, only made on all cores.
pub struct TableWriter {
    path: PathBuf,
    tmp: PathBuf,
    table: Table,
    writer: Option<SerializedFileWriter<File>>,
    columns: ArrowRowGroupWriterFactory,
    /// The row group being filled: its column writers and rows so far.
    row_group: Option<(Vec<ArrowColumnWriter>, usize)>,
}

/// The writer settings of every leerwinst file: zstd level 3, page statistics, row groups of
/// [`ROW_GROUP_ROWS`], and the key-value metadata (schema version, table, tool version, then
/// `metadata`).
fn properties(table: Table, metadata: &[(String, String)]) -> WriterProperties {
    let mut kv = vec![
        KeyValue::new(
            "leerwinst.schema_version".into(),
            SCHEMA_VERSION.to_string(),
        ),
        KeyValue::new("leerwinst.table".into(), table.name().to_string()),
        KeyValue::new("leerwinst.tool_version".into(), TOOL_VERSION.to_string()),
    ];
    kv.extend(
        metadata
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
    );
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
        ))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("leerwinst {TOOL_VERSION}"))
        .set_key_value_metadata(Some(kv))
        .build()
}

impl TableWriter {
    /// Starts `path` (its folder is created).
    pub fn create(path: &Path, table: Table, metadata: &[(String, String)]) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let props = properties(table, metadata);
        let tmp = tmp_name(path);
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        // The ArrowWriter puts the Arrow schema into the file's metadata; its lower half then
        // writes the row groups.
        let (writer, columns) = ArrowWriter::try_new(file, table.schema(), Some(props))
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                storage(path, e)
            })?;
        Ok(TableWriter {
            path: path.to_path_buf(),
            tmp,
            table,
            writer: Some(writer),
            columns,
            row_group: None,
        })
    }

    /// Appends rows (a batch with the table's columns). Rows are cut into row groups of
    /// [`ROW_GROUP_ROWS`] across batches.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let Some(written) = self.writer.as_ref().map(|w| w.flushed_row_groups().len()) else {
            return Err(storage(&self.path, "writer already finished"));
        };
        if batch.schema().fields() != self.table.schema().fields() {
            return Err(storage(&self.path, "batch columns differ from the table's"));
        }
        let mut next_group = written;
        let mut rest = batch.clone();
        while rest.num_rows() > 0 {
            let path = &self.path;
            let fail = |e: parquet::errors::ParquetError| storage(path, e);
            let (writers, rows) = match &mut self.row_group {
                Some(g) => g,
                g => g.insert((
                    self.columns
                        .create_column_writers(next_group)
                        .map_err(fail)?,
                    0,
                )),
            };
            let take = rest.num_rows().min(ROW_GROUP_ROWS - *rows);
            let part = rest.slice(0, take);
            rest = rest.slice(take, rest.num_rows() - take);
            // Flat schemas: one leaf per column.
            let mut leaves = Vec::with_capacity(writers.len());
            for (field, column) in part.schema().fields().iter().zip(part.columns()) {
                leaves.extend(compute_leaves(field, column).map_err(fail)?);
            }
            writers
                .par_iter_mut()
                .zip(leaves.par_iter())
                .try_for_each(|(w, leaf)| w.write(leaf))
                .map_err(fail)?;
            *rows += take;
            if *rows >= ROW_GROUP_ROWS {
                self.flush_row_group()?;
                next_group += 1;
            }
        }
        Ok(())
    }

    /// Closes the row group being filled (its columns in parallel) and appends it to the file.
    fn flush_row_group(&mut self) -> Result<()> {
        let path = &self.path;
        let fail = |e: parquet::errors::ParquetError| storage(path, e);
        let (Some(writer), Some((writers, _))) = (self.writer.as_mut(), self.row_group.take())
        else {
            return Ok(());
        };
        let chunks = writers
            .into_par_iter()
            .map(ArrowColumnWriter::close)
            .collect::<parquet::errors::Result<Vec<_>>>()
            .map_err(fail)?;
        let mut group = writer.next_row_group().map_err(fail)?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group).map_err(fail)?;
        }
        group.close().map_err(fail)?;
        Ok(())
    }

    /// Appends rows given as columns in the table's order.
    pub fn write_columns(&mut self, columns: Vec<ArrayRef>) -> Result<()> {
        let batch = RecordBatch::try_new(self.table.schema(), columns)
            .map_err(|e| storage(&self.path, e))?;
        self.write(&batch)
    }

    /// Closes the file and moves it into place.
    pub fn finish(mut self) -> Result<()> {
        self.flush_row_group()?;
        let w = self
            .writer
            .take()
            .ok_or_else(|| storage(&self.path, "writer already finished"))?;
        w.close().map_err(|e| storage(&self.path, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for TableWriter {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The temporary sibling a file is written to before it is renamed into place.
pub fn tmp_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// Writes bytes to `path` atomically (temporary name, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = tmp_name(path);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// A table read back from Parquet: all row groups (and all partitions) in one batch.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Where it was read from (for messages).
    pub path: PathBuf,
    /// The rows.
    pub batch: RecordBatch,
}

/// Reads a Parquet file, or every `*.parquet` file below a folder (a hive-partitioned table,
/// in sorted path order), into one [`Frame`] with the schema of `table`.
pub fn read_table(path: &Path, table: Table) -> Result<Frame> {
    let files = table_files(path)?;
    let mut batches = Vec::new();
    for f in &files {
        let file = File::open(f).map_err(|e| Error::io(f, e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| storage(f, e))?
            .with_batch_size(64 * 1024)
            .build()
            .map_err(|e| storage(f, e))?;
        for b in reader {
            batches.push(b.map_err(|e| storage(f, e))?);
        }
    }
    let schema = table.schema();
    for b in &batches {
        let names: Vec<_> = b
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let want: Vec<_> = schema.fields().iter().map(|f| f.name().clone()).collect();
        if names != want {
            return Err(storage(
                path,
                format!(
                    "columns {names:?} do not match table {} {want:?}",
                    table.name()
                ),
            ));
        }
    }
    let batch = if batches.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        // Re-attach our schema (with descriptions) so that types are checked once here.
        let cols: Vec<ArrayRef> = (0..schema.fields().len())
            .map(|i| {
                let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
                arrow_select::concat::concat(&parts)
            })
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| storage(path, e))?;
        RecordBatch::try_new(schema.clone(), cols).map_err(|e| storage(path, e))?
    };
    Ok(Frame {
        path: path.to_path_buf(),
        batch,
    })
}

/// Streams a table's Parquet file, or every `*.parquet` file below a folder in sorted path order,
/// as record batches of at most `batch_rows` rows holding only `columns` (in that order), so
/// that memory holds one batch and the reader's current row group, whatever the table's size.
/// Each batch goes to `f`; its error stops the scan. A missing column is an error naming it.
pub fn scan_table(
    path: &Path,
    columns: &[&str],
    batch_rows: usize,
    f: impl FnMut(&RecordBatch) -> Result<()>,
) -> Result<()> {
    scan(path, columns, batch_rows, false, f)
}

/// [`scan_table`] with every text column as views (`Utf8View`) into the file's decoded pages
/// and dictionaries instead of a copy of each text: for a reader that looks at each text once
/// (the events' pupils, kinds, activities and tasks), where copying them was a sixth of the
/// indicators' time.
pub fn scan_table_views(
    path: &Path,
    columns: &[&str],
    batch_rows: usize,
    f: impl FnMut(&RecordBatch) -> Result<()>,
) -> Result<()> {
    scan(path, columns, batch_rows, true, f)
}

fn scan(
    path: &Path,
    columns: &[&str],
    batch_rows: usize,
    views: bool,
    mut f: impl FnMut(&RecordBatch) -> Result<()>,
) -> Result<()> {
    let files = table_files(path)?;
    for file in &files {
        let handle = File::open(file).map_err(|e| Error::io(file, e))?;
        let mut metadata = ArrowReaderMetadata::load(&handle, ArrowReaderOptions::new())
            .map_err(|e| storage(file, e))?;
        let arrow_schema = metadata.schema().clone();
        if views {
            let fields: Vec<arrow_schema::Field> = arrow_schema
                .fields()
                .iter()
                .map(|f| match f.data_type() {
                    arrow_schema::DataType::Utf8 => f
                        .as_ref()
                        .clone()
                        .with_data_type(arrow_schema::DataType::Utf8View),
                    _ => f.as_ref().clone(),
                })
                .collect();
            let schema =
                arrow_schema::Schema::new_with_metadata(fields, arrow_schema.metadata().clone());
            let options = ArrowReaderOptions::new().with_schema(Arc::new(schema));
            metadata = ArrowReaderMetadata::try_new(metadata.metadata().clone(), options)
                .map_err(|e| storage(file, e))?;
        }
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(handle, metadata);
        let mut indices = Vec::with_capacity(columns.len());
        for c in columns {
            let i = arrow_schema
                .index_of(c)
                .map_err(|_| storage(file, format!("no column '{c}'")))?;
            indices.push(i);
        }
        let mask = parquet::arrow::ProjectionMask::roots(builder.parquet_schema(), indices.clone());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(batch_rows.max(1))
            .build()
            .map_err(|e| storage(file, e))?;
        for b in reader {
            let b = b.map_err(|e| storage(file, e))?;
            // The projection keeps file order; put the columns in the order asked for.
            let order: Vec<usize> = columns
                .iter()
                .map(|c| b.schema().index_of(c).map_err(|e| storage(file, e)))
                .collect::<Result<_>>()?;
            let b = b.project(&order).map_err(|e| storage(file, e))?;
            f(&b)?;
        }
    }
    Ok(())
}

/// The Parquet file at `path`, or every `*.parquet` file below the folder `path` in sorted
/// path order (a hive-partitioned table).
fn table_files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut v = Vec::new();
    collect_parquet(path, &mut v)?;
    v.sort();
    Ok(v)
}

fn collect_parquet(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let p = entry.map_err(|e| Error::io(dir, e))?.path();
        if p.is_dir() {
            collect_parquet(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "parquet") {
            out.push(p);
        }
    }
    Ok(())
}

impl Frame {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batch.num_rows()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.batch.num_rows() == 0
    }

    fn column(&self, name: &str) -> &ArrayRef {
        self.batch
            .column_by_name(name)
            .unwrap_or_else(|| panic!("{}: no column {name}", self.path.display()))
    }

    /// A text column.
    pub fn str(&self, name: &str) -> &StringArray {
        self.column(name).as_string::<i32>()
    }

    /// A float column.
    pub fn f64(&self, name: &str) -> &Float64Array {
        self.column(name).as_primitive::<Float64Type>()
    }

    /// A 32-bit integer column.
    pub fn i32(&self, name: &str) -> &Int32Array {
        self.column(name).as_primitive::<Int32Type>()
    }

    /// A 64-bit integer column.
    pub fn i64(&self, name: &str) -> &Int64Array {
        self.column(name).as_primitive::<Int64Type>()
    }

    /// A boolean column.
    pub fn bool(&self, name: &str) -> &BooleanArray {
        self.column(name).as_boolean()
    }

    /// A date column (days since 1970-01-01).
    pub fn date(&self, name: &str) -> &Date32Array {
        self.column(name).as_primitive::<Date32Type>()
    }

    /// A UTC timestamp column (microseconds since the epoch).
    pub fn ts(&self, name: &str) -> &TimestampMicrosecondArray {
        self.column(name).as_primitive::<TimestampMicrosecondType>()
    }
}

/// Optional value of row `i` of a primitive column.
pub fn opt<T: arrow_array::ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    i: usize,
) -> Option<T::Native> {
    a.is_valid(i).then(|| a.value(i))
}

/// Optional value of row `i` of a boolean column.
pub fn opt_bool(a: &BooleanArray, i: usize) -> Option<bool> {
    a.is_valid(i).then(|| a.value(i))
}

/// Optional value of row `i` of a text column.
pub fn opt_str(a: &StringArray, i: usize) -> Option<&str> {
    a.is_valid(i).then(|| a.value(i))
}

/// Builds a UTC timestamp array from microseconds.
pub fn ts_array(values: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(values).with_timezone("UTC"))
}

/// Builds a text array.
pub fn str_array<S: AsRef<str>>(values: &[Option<S>]) -> ArrayRef {
    Arc::new(StringArray::from_iter(
        values.iter().map(|v| v.as_ref().map(|s| s.as_ref())),
    ))
}

/// Builds a float array.
pub fn f64_array(values: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(values))
}

/// Builds a 32-bit integer array.
pub fn i32_array(values: Vec<Option<i32>>) -> ArrayRef {
    Arc::new(Int32Array::from(values))
}

/// Builds a 64-bit integer array.
pub fn i64_array(values: Vec<Option<i64>>) -> ArrayRef {
    Arc::new(Int64Array::from(values))
}

/// Builds a boolean array.
pub fn bool_array(values: Vec<Option<bool>>) -> ArrayRef {
    Arc::new(BooleanArray::from(values))
}

/// Builds a date array from days since 1970-01-01.
pub fn date_array(values: Vec<Option<i32>>) -> ArrayRef {
    Arc::new(Date32Array::from(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_with_views_reads_the_same_texts_in_the_asked_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("effects.parquet");
        write_table(&path, Table::Effects, effects_columns(5), &[]).unwrap();
        let columns = ["subject", "design"];
        let texts = |views: bool| {
            let mut got: Vec<(arrow_schema::DataType, Vec<String>)> = Vec::new();
            let mut keep = |b: &RecordBatch| {
                for c in b.columns() {
                    let values: Vec<String> = match c.as_string_view_opt() {
                        Some(v) => v.iter().map(|t| t.unwrap_or("-").to_string()).collect(),
                        None => c
                            .as_string::<i32>()
                            .iter()
                            .map(|t| t.unwrap_or("-").to_string())
                            .collect(),
                    };
                    got.push((c.data_type().clone(), values));
                }
                Ok(())
            };
            if views {
                scan_table_views(&path, &columns, 3, &mut keep).unwrap();
            } else {
                scan_table(&path, &columns, 3, &mut keep).unwrap();
            }
            got
        };
        let (plain, views) = (texts(false), texts(true));
        assert_eq!(plain.len(), 4, "two batches of two columns");
        for ((pt, pv), (vt, vv)) in plain.iter().zip(&views) {
            assert_eq!(
                (pt, vt),
                (
                    &arrow_schema::DataType::Utf8,
                    &arrow_schema::DataType::Utf8View
                )
            );
            assert_eq!(pv, vv);
        }
        assert_eq!(
            views[1].1, ["regression"; 3],
            "columns in the order asked for"
        );
    }

    fn effects_columns(n: usize) -> Vec<ArrayRef> {
        let s = |v: &str| str_array(&vec![Some(v); n]);
        let i = || i64_array(vec![Some(1); n]);
        let f = || f64_array((0..n).map(|k| Some(k as f64)).collect());
        vec![
            s("regression"),
            s("followup_z"),
            s("all"),
            s("overall"),
            s("all"),
            i(),
            i(),
            i(),
            f(),
            f(),
            f(),
            f(),
            f(),
            f(),
            f(),
            f(),
            s("CR2 + Satterthwaite df"),
            f(),
            i(),
            i(),
            str_array(&vec![None::<&str>; n]),
        ]
    }

    #[test]
    fn round_trip_keeps_rows_and_metadata_and_is_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a/effects.parquet");
        let b = dir.path().join("b/effects.parquet");
        let meta = [("leerwinst.pipeline".to_string(), "t".to_string())];
        write_table(&a, Table::Effects, effects_columns(5), &meta).unwrap();
        write_table(&b, Table::Effects, effects_columns(5), &meta).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let f = read_table(&a, Table::Effects).unwrap();
        assert_eq!(f.len(), 5);
        assert_eq!(f.f64("estimate").value(4), 4.0);
        assert_eq!(f.str("design").value(0), "regression");
        let file = File::open(&a).unwrap();
        let r = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let kv = r.metadata().file_metadata().key_value_metadata().unwrap();
        assert!(kv.iter().any(|k| k.key == "leerwinst.pipeline"));
        assert!(
            kv.iter()
                .any(|k| k.key == "leerwinst.table" && k.value.as_deref() == Some("effects"))
        );
        write_csv(&dir.path().join("a/effects.csv"), &f.batch, CsvDialect::EN).unwrap();
        let csv = std::fs::read_to_string(dir.path().join("a/effects.csv")).unwrap();
        assert!(
            csv.starts_with("design,outcome,subject,subgroup,level,n_treated"),
            "{csv}"
        );
        assert!(
            csv.lines()
                .nth(5)
                .unwrap()
                .ends_with(",4,4,4,4,4,4,4,CR2 + Satterthwaite df,4,1,1,"),
            "{csv}"
        );
        // The streamed CSV of the Parquet file is the same file.
        table_to_csv(
            &a,
            Table::Effects,
            &dir.path().join("b/effects.csv"),
            CsvDialect::EN,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("b/effects.csv")).unwrap(),
            csv
        );
        // The Dutch dialect: byte-order mark, `;`, decimal comma; read back by csv_reader.
        let nl = dir.path().join("b/effects-nl.csv");
        let half = f64_array(vec![Some(0.5); 5]);
        let mut cols = effects_columns(5);
        cols[8] = half;
        let path = dir.path().join("c/effects.parquet");
        write_table(&path, Table::Effects, cols, &[]).unwrap();
        let frame = read_table(&path, Table::Effects).unwrap();
        write_csv(&nl, &frame.batch, CsvDialect::NL).unwrap();
        let bytes = std::fs::read(&nl).unwrap();
        // Headed with the columns' Dutch labels.
        let label = |c: &str| leerwinst_core::schema_nl::label_nl_in(Table::Effects, c).unwrap();
        let head = format!("\u{feff}{};{};", label("design"), label("outcome"));
        assert!(bytes.starts_with(head.as_bytes()));
        let mut rd = csv_reader(&bytes);
        let est = rd
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == label("estimate"))
            .unwrap();
        let first = rd.records().next().unwrap().unwrap();
        assert_eq!(&first[est], "0,5");
        // ... and its coded values in Dutch (`leerwinst_core::values_nl`).
        assert_eq!(&first[16], "CR2 + Satterthwaite-vrijheidsgraden");
        std::fs::remove_file(dir.path().join("a/effects.csv")).unwrap();
        std::fs::remove_file(dir.path().join("a/effects.xlsx")).unwrap();
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }

    #[test]
    fn parallel_columns_give_the_bytes_of_arrow_writer_across_row_groups() {
        // Batches of uneven sizes that cross row-group boundaries, an empty one among them.
        let sizes = [100_000, 0, 300_000, 7, ROW_GROUP_ROWS - 7, 50_001];
        let batches: Vec<RecordBatch> = sizes
            .iter()
            .map(|&n| RecordBatch::try_new(Table::Effects.schema(), effects_columns(n)).unwrap())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours.parquet");
        let meta = [("leerwinst.pipeline".to_string(), "t".to_string())];
        let mut w = TableWriter::create(&ours, Table::Effects, &meta).unwrap();
        for b in &batches {
            w.write(b).unwrap();
        }
        w.finish().unwrap();
        let mut reference = Vec::new();
        let props = properties(Table::Effects, &meta);
        let mut a =
            ArrowWriter::try_new(&mut reference, Table::Effects.schema(), Some(props)).unwrap();
        for b in &batches {
            a.write(b).unwrap();
        }
        a.close().unwrap();
        let written = std::fs::read(&ours).unwrap();
        assert!(written == reference, "the files differ");
        let file = File::open(&ours).unwrap();
        let r = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let groups: Vec<i64> = r
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        let total: usize = sizes.iter().sum();
        assert_eq!(groups.iter().sum::<i64>() as usize, total);
        assert_eq!(groups[0] as usize, ROW_GROUP_ROWS);
        assert_eq!(groups.len(), total.div_ceil(ROW_GROUP_ROWS));
    }

    #[test]
    fn wrong_column_count_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.parquet");
        let mut cols = effects_columns(2);
        cols.pop();
        assert!(write_table(&p, Table::Effects, cols, &[]).is_err());
        assert!(!p.exists());
    }

    #[test]
    fn reading_a_different_table_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.parquet");
        write_table(&p, Table::Effects, effects_columns(1), &[]).unwrap();
        assert!(read_table(&p, Table::Pupils).is_err());
    }
}
