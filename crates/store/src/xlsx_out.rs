//! An Excel workbook beside every staff CSV (`growth.csv` -> `growth.xlsx`): what a
//! quality-care officer opens by double-click without an import dialog. Cells are typed (numbers
//! are numbers, so Excel shows them with the decimal separator of its own locale; dates are dates;
//! true/false are booleans; empty cells are nulls), the header row is bold, frozen and filtered
//! (in a Dutch run the columns' Dutch labels), and a second sheet lists every column with its
//! type, its meaning in the run's language and its name in the Parquet table. Rows are written to a
//! temporary file as they come (rust_xlsxwriter's constant-memory mode), so a large table is never
//! held; past Excel's 1,048,576 rows a table continues on a next sheet. The file is the same byte
//! for byte for the same table (a fixed creation date in its properties).

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use leerwinst_core::pipeline::Language;
use leerwinst_core::{Error, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
const ROWS_PER_SHEET: u32 = 1_048_575;

/// The zip (deflate) level of the workbooks. On a board's weekly series (66 MB of sheet XML,
/// zlib-rs): level 6, the default, 0.77 s and 6.8 MB; level 2, 0.23 s and 9.0 MB; level 1,
/// 0.17 s but 11.8 MB.
const ZIP_LEVEL: u8 = 2;

fn xlsx_error(path: &Path, e: XlsxError) -> Error {
    Error::Storage {
        path: path.to_path_buf(),
        message: format!("Excel workbook: {e}"),
    }
}

/// Sheet names, the descriptions sheet's header, and how dates are shown and named, in the
/// run's language.
struct Words {
    data: &'static str,
    columns: &'static str,
    header: [&'static str; 4],
    /// The kinds of columns: text, whole number, number, yes/no.
    kinds: [&'static str; 4],
    /// Excel number formats of date and date-time cells.
    date_format: &'static str,
    timestamp_format: &'static str,
    /// Their names on the descriptions sheet.
    date: &'static str,
    timestamp: &'static str,
}

impl Words {
    fn of(language: Language) -> Words {
        match language {
            Language::Nl => Words {
                data: "gegevens",
                columns: "kolommen",
                header: ["kolom", "soort", "betekenis", "naam in Parquet"],
                kinds: ["tekst", "geheel getal", "getal", "ja/nee"],
                date_format: "dd-mm-yyyy",
                timestamp_format: "dd-mm-yyyy hh:mm",
                date: "dd-mm-jjjj",
                timestamp: "dd-mm-jjjj uu:mm (UTC)",
            },
            Language::En => Words {
                data: "data",
                columns: "columns",
                header: ["column", "type", "meaning", "name in Parquet"],
                kinds: ["text", "integer", "number", "true/false"],
                date_format: "yyyy-mm-dd",
                timestamp_format: "yyyy-mm-dd hh:mm",
                date: "yyyy-mm-dd",
                timestamp: "yyyy-mm-dd hh:mm (UTC)",
            },
        }
    }
}

/// A workbook being written, rows in the order they come.
pub(crate) struct StaffWorkbook {
    workbook: Workbook,
    schema: std::sync::Arc<Schema>,
    language: Language,
    /// The data sheet being filled (index in the workbook) and its next row.
    sheet: usize,
    row: u32,
    /// Data rows per sheet ([`ROWS_PER_SHEET`]; fewer in tests).
    rows_per_sheet: u32,
    header: Format,
    date: Format,
    timestamp: Format,
}

impl StaffWorkbook {
    /// A workbook for rows of `schema`, its first data sheet begun.
    pub(crate) fn new(schema: &Schema, language: Language, path: &Path) -> Result<Self> {
        let mut workbook = Workbook::new();
        // A board's weekly series is 0.6 GB of sheet XML: deflate's default level took a
        // quarter of the transform stage to pack it (bench/board.sh).
        workbook.set_zip_compression_level(ZIP_LEVEL);
        let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(|e| xlsx_error(path, e))?;
        workbook.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&fixed)
                .set_author("leerwinst"),
        );
        let words = Words::of(language);
        let mut w = StaffWorkbook {
            workbook,
            schema: std::sync::Arc::new(schema.clone()),
            language,
            sheet: 0,
            row: 0,
            rows_per_sheet: ROWS_PER_SHEET,
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format(words.date_format),
            timestamp: Format::new().set_num_format(words.timestamp_format),
        };
        w.begin_sheet(1, path)?;
        Ok(w)
    }

    /// Starts data sheet `n` (from 1) with the header row.
    fn begin_sheet(&mut self, n: usize, path: &Path) -> Result<()> {
        let words = Words::of(self.language);
        let name = if n == 1 {
            words.data.to_string()
        } else {
            format!("{} ({n})", words.data)
        };
        let sheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .map_err(|e| xlsx_error(path, e))?;
        sheet.set_name(&name).map_err(|e| xlsx_error(path, e))?;
        let dialect = crate::CsvDialect::of(self.language);
        for (c, f) in self.schema.fields().iter().enumerate() {
            let col = c as u16;
            let header = dialect.header(f);
            sheet
                .write_string_with_format(0, col, header, &self.header)
                .map_err(|e| xlsx_error(path, e))?;
            let width = (header.len() as f64 + 2.0).clamp(10.0, 40.0);
            sheet
                .set_column_width(col, width)
                .map_err(|e| xlsx_error(path, e))?;
        }
        sheet
            .set_freeze_panes(1, 0)
            .map_err(|e| xlsx_error(path, e))?;
        self.sheet = self.workbook.worksheets().len() - 1;
        self.row = 0;
        Ok(())
    }

    /// Appends the rows of `batch` (the schema's columns).
    pub(crate) fn rows(&mut self, batch: &RecordBatch, path: &Path) -> Result<()> {
        let fail = |e| xlsx_error(path, e);
        let dialect = crate::CsvDialect::of(self.language);
        let mut sheets = 1 + self.sheet;
        for i in 0..batch.num_rows() {
            if self.row == self.rows_per_sheet {
                self.finish_sheet(path)?;
                sheets += 1;
                self.begin_sheet(sheets, path)?;
            }
            self.row += 1;
            let row = self.row;
            let sheet = self
                .workbook
                .worksheet_from_index(self.sheet)
                .map_err(fail)?;
            for (c, column) in batch.columns().iter().enumerate() {
                if column.is_null(i) {
                    continue;
                }
                let col = c as u16;
                match column.data_type() {
                    DataType::Utf8 => {
                        let name = batch.schema_ref().field(c).name();
                        let text = dialect.text(name, column.as_string::<i32>().value(i));
                        sheet.write_string(row, col, text).map_err(fail)?;
                    }
                    DataType::Int32 => {
                        let v = column.as_primitive::<Int32Type>().value(i);
                        sheet.write_number(row, col, f64::from(v)).map_err(fail)?;
                    }
                    DataType::Int64 => {
                        let v = column.as_primitive::<Int64Type>().value(i);
                        sheet.write_number(row, col, v as f64).map_err(fail)?;
                    }
                    DataType::Float64 => {
                        let v = column.as_primitive::<Float64Type>().value(i);
                        if v.is_finite() {
                            sheet.write_number(row, col, v).map_err(fail)?;
                        }
                    }
                    DataType::Boolean => {
                        sheet
                            .write_boolean(row, col, column.as_boolean().value(i))
                            .map_err(fail)?;
                    }
                    DataType::Date32 => {
                        let days = column.as_primitive::<Date32Type>().value(i);
                        let t = ExcelDateTime::from_timestamp(i64::from(days) * 86_400)
                            .map_err(fail)?;
                        sheet
                            .write_datetime_with_format(row, col, &t, &self.date)
                            .map_err(fail)?;
                    }
                    DataType::Timestamp(_, _) => {
                        let us = column.as_primitive::<TimestampMicrosecondType>().value(i);
                        let t = ExcelDateTime::from_timestamp(us.div_euclid(1_000_000))
                            .map_err(fail)?;
                        sheet
                            .write_datetime_with_format(row, col, &t, &self.timestamp)
                            .map_err(fail)?;
                    }
                    other => {
                        return Err(Error::Storage {
                            path: path.to_path_buf(),
                            message: format!("Excel workbook: no cell type for {other}"),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The filter over the filled data sheet's header and rows.
    fn finish_sheet(&mut self, path: &Path) -> Result<()> {
        let last_col = self.schema.fields().len().saturating_sub(1) as u16;
        let row = self.row;
        let sheet = self
            .workbook
            .worksheet_from_index(self.sheet)
            .map_err(|e| xlsx_error(path, e))?;
        sheet
            .autofilter(0, 0, row, last_col)
            .map_err(|e| xlsx_error(path, e))?;
        Ok(())
    }

    /// Adds the sheet of column meanings and saves the workbook at `path`, atomically.
    pub(crate) fn save(mut self, path: &Path) -> Result<()> {
        self.finish_sheet(path)?;
        let words = Words::of(self.language);
        let fail = |e| xlsx_error(path, e);
        let sheet = self.workbook.add_worksheet();
        sheet.set_name(words.columns).map_err(fail)?;
        for (c, h) in words.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &self.header)
                .map_err(fail)?;
        }
        for (r, f) in self.schema.fields().iter().enumerate() {
            let row = r as u32 + 1;
            let kind = match f.data_type() {
                DataType::Utf8 => words.kinds[0],
                DataType::Int32 | DataType::Int64 => words.kinds[1],
                DataType::Float64 => words.kinds[2],
                DataType::Boolean => words.kinds[3],
                DataType::Date32 => words.date,
                _ => words.timestamp,
            };
            let dialect = crate::CsvDialect::of(self.language);
            sheet
                .write_string(row, 0, dialect.header(f))
                .map_err(fail)?;
            sheet.write_string(row, 1, kind).map_err(fail)?;
            // The meaning in the run's language (core's schema carries both).
            let key = match self.language {
                Language::Nl => "description_nl",
                Language::En => "description",
            };
            let meaning = f
                .metadata()
                .get(key)
                .or_else(|| f.metadata().get("description"))
                .map_or("", String::as_str);
            sheet.write_string(row, 2, meaning).map_err(fail)?;
            sheet.write_string(row, 3, f.name()).map_err(fail)?;
        }
        sheet.set_column_width(0, 28).map_err(fail)?;
        sheet.set_column_width(1, 22).map_err(fail)?;
        sheet.set_column_width(2, 100).map_err(fail)?;
        sheet.set_column_width(3, 28).map_err(fail)?;
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        let bytes = self.workbook.save_to_buffer().map_err(fail)?;
        crate::write_atomic(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
    };
    use std::sync::Arc;

    /// Two rows of the events table (its schema, with core's descriptions): a string, an
    /// integer, a timestamp, a boolean, a number, nulls.
    fn batch() -> RecordBatch {
        use leerwinst_core::Table;
        let schema = Table::Events.schema();
        let cols: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| -> ArrayRef {
                match f.name().as_str() {
                    "pupil_key" => Arc::new(StringArray::from(vec![Some("10AD"), Some("x")])),
                    "seq" => Arc::new(Int64Array::from(vec![0, 1])),
                    "ts" => Arc::new(
                        TimestampMicrosecondArray::from(vec![20_000 * 86_400 * 1_000_000i64, 0])
                            .with_timezone("UTC"),
                    ),
                    "success" => Arc::new(BooleanArray::from(vec![Some(true), None])),
                    "score_scaled" => {
                        Arc::new(Float64Array::from(vec![Some(0.25), Some(f64::NAN)]))
                    }
                    _ if f.is_nullable() => arrow_array::new_null_array(f.data_type(), 2),
                    _ => Arc::new(StringArray::from(vec!["v", "v"])),
                }
            })
            .collect();
        RecordBatch::try_new(schema, cols).unwrap()
    }

    fn write(dir: &Path, name: &str, language: Language) -> Vec<u8> {
        let path = dir.join(name);
        let b = batch();
        let mut w = StaffWorkbook::new(&b.schema(), language, &path).unwrap();
        w.rows(&b, &path).unwrap();
        w.save(&path).unwrap();
        std::fs::read(path).unwrap()
    }


    /// `rows` values from `v`, again from its start when it ends.
    fn cycle<T: Copy>(rows: usize, v: Vec<T>) -> Vec<T> {
        (0..rows).map(|i| v[i % v.len()]).collect()
    }

    /// A table of every cell type with the edge cases of a workbook: texts to escape (markup,
    /// Excel's own `_xHHHH_` escapes, control characters, whitespace at an end), numbers at the
    /// ends of their ranges, dates around Excel's false leap day of 1900, nulls and NaN, a row of
    /// nulls only; `rows` of them (cycling).
    fn mixed(rows: usize) -> RecordBatch {
        use arrow_array::{Date32Array, Int32Array};
        use arrow_schema::{Field, TimeUnit};
        let meta = |nl: &str, en: &str, label: &str| {
            std::collections::HashMap::from([
                ("description".to_string(), en.to_string()),
                ("description_nl".to_string(), nl.to_string()),
                ("label_nl".to_string(), label.to_string()),
            ])
        };
        let schema = Arc::new(Schema::new(vec![
            Field::new("pupil_key", DataType::Utf8, true)
                .with_metadata(meta("Leerling", "Pupil", "leerling")),
            Field::new("week", DataType::Date32, true)
                .with_metadata(meta("Week & dag", "Week <start>", "week_van_het_jaar")),
            Field::new("n", DataType::Int32, true),
            Field::new("big", DataType::Int64, true),
            Field::new("share", DataType::Float64, true)
                .with_metadata(meta("Aandeel", "Share", "aandeel")),
            Field::new("done", DataType::Boolean, true),
            Field::new(
                "at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
            Field::new("note", DataType::Utf8, true),
        ]));
        let texts = cycle(rows, vec![
            Some("L1"),
            Some("a&b<c>d\"e'"),
            None,
            Some("_x0041_ x"),
            Some("line\nbreak"),
            Some("\u{20ac} \u{fc}n\u{ef}code"),
            None,
        ]);
        let notes = cycle(rows, vec![
            Some(" lead"),
            Some("trail "),
            None,
            Some("ctl\u{1}x"),
            Some("tab\tx"),
            Some(""),
            None,
        ]);
        let s = 1_000_000i64;
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(texts)),
            Arc::new(Date32Array::from(cycle(rows, vec![
                Some(19_723),
                Some(-25_567),
                None,
                Some(-25_508),
                None,
                Some(2_932_896),
                None,
            ]))),
            Arc::new(Int32Array::from(cycle(rows, vec![
                Some(3),
                Some(-1),
                None,
                Some(0),
                None,
                Some(i32::MAX),
                None,
            ]))),
            Arc::new(Int64Array::from(cycle(rows, vec![
                Some(i64::MAX),
                Some(-5),
                None,
                Some(0),
                None,
                Some(i64::MIN),
                None,
            ]))),
            Arc::new(Float64Array::from(cycle(rows, vec![
                Some(0.25),
                Some(1e300),
                None,
                Some(1e-7),
                Some(-0.0),
                Some(0.1 + 0.2),
                Some(f64::NAN),
            ]))),
            Arc::new(BooleanArray::from(cycle(rows, vec![
                Some(true),
                Some(false),
                None,
                None,
                Some(true),
                Some(false),
                None,
            ]))),
            Arc::new(
                TimestampMicrosecondArray::from(cycle(rows, vec![
                    Some(1_728_049_507 * s + 123_456),
                    Some(-2_209_075_200 * s),
                    None,
                    Some(631_152_000 * s),
                    None,
                    Some(253_402_300_799 * s),
                    None,
                ]))
                .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from(notes)),
        ];
        RecordBatch::try_new(schema, cols).unwrap()
    }

    /// A timestamp column before a date column that is null throughout: the date format is
    /// never used.
    fn timestamp_first() -> RecordBatch {
        use arrow_array::Date32Array;
        use arrow_schema::{Field, TimeUnit};
        let schema = Arc::new(Schema::new(vec![
            Field::new(
                "at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                false,
            ),
            Field::new("week", DataType::Date32, true),
            Field::new("x", DataType::Utf8, false),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(
                TimestampMicrosecondArray::from(vec![0, 86_399_999_999]).with_timezone("UTC"),
            ),
            Arc::new(Date32Array::from(vec![None, None])),
            Arc::new(StringArray::from(vec!["x", "y"])),
        ];
        RecordBatch::try_new(schema, cols).unwrap()
    }

    /// The reference cases: file name, table, language, data rows per sheet.
    fn reference_cases() -> Vec<(&'static str, RecordBatch, Language, u32)> {
        vec![
            ("mixed_nl.xlsx", mixed(7), Language::Nl, ROWS_PER_SHEET),
            ("mixed_en.xlsx", mixed(7), Language::En, ROWS_PER_SHEET),
            ("sheets_nl.xlsx", mixed(8), Language::Nl, 3),
            ("full_sheet_en.xlsx", mixed(6), Language::En, 3),
            ("empty_nl.xlsx", mixed(0), Language::Nl, ROWS_PER_SHEET),
            ("events_en.xlsx", batch(), Language::En, ROWS_PER_SHEET),
            ("timestamp_first_nl.xlsx", timestamp_first(), Language::Nl, ROWS_PER_SHEET),
        ]
    }

    /// Writes the reference workbooks of `tests/xlsx_reference/` with rust_xlsxwriter:
    /// `XLSX_REFERENCE_DIR=<dir> cargo test -p leerwinst-store write_reference_workbooks --
    /// --ignored`.
    #[test]
    #[ignore]
    fn write_reference_workbooks() {
        let dir = std::path::PathBuf::from(std::env::var("XLSX_REFERENCE_DIR").unwrap());
        std::fs::create_dir_all(&dir).unwrap();
        for (name, batch, language, per_sheet) in reference_cases() {
            let path = dir.join(name);
            let mut w = StaffWorkbook::new(&batch.schema(), language, &path).unwrap();
            w.rows_per_sheet = per_sheet;
            w.rows(&batch, &path).unwrap();
            w.save(&path).unwrap();
        }
    }

    #[test]
    fn the_same_table_gives_the_same_workbook() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a.xlsx", Language::Nl);
        let b = write(dir.path(), "b.xlsx", Language::Nl);
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK", "a zip archive");
        assert_ne!(a, write(dir.path(), "c.xlsx", Language::En));
    }

    #[test]
    fn cells_are_typed_and_the_columns_explained() {
        use calamine::{Data, Reader, Xlsx};
        let dir = tempfile::tempdir().unwrap();
        let bytes = write(dir.path(), "a.xlsx", Language::Nl);
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["gegevens", "kolommen"]);
        let data = book.worksheet_range("gegevens").unwrap();
        assert_eq!(data.get((0, 0)), Some(&Data::String("pupil_key".into())));
        assert_eq!(data.get((1, 0)), Some(&Data::String("10AD".into())));
        let col = |name: &str| leerwinst_core::Table::Events.index(name);
        assert_eq!(data.get((2, col("seq"))), Some(&Data::Float(1.0)));
        assert_eq!(data.get((1, col("score_scaled"))), Some(&Data::Float(0.25)));
        assert_eq!(data.get((1, col("success"))), Some(&Data::Bool(true)));
        // A date-time cell: 20,000 days after 1970-01-01 (Excel's day 25,569) is 2024-10-04.
        assert!(
            matches!(data.get((1, col("ts"))), Some(Data::DateTime(d)) if d.as_f64() == 45_569.0),
            "{:?}",
            data.get((1, col("ts")))
        );
        // Nulls and NaN are empty cells.
        for c in [col("success"), col("score_scaled"), col("object_id")] {
            assert!(matches!(data.get((2, c)), None | Some(Data::Empty)));
        }
        let cols = book.worksheet_range("kolommen").unwrap();
        assert_eq!(cols.get((1, 0)), Some(&Data::String("pupil_key".into())));
        assert_eq!(
            cols.get((1, 2)),
            Some(&Data::String("Pseudonymised pupil id".into()))
        );
    }
}
