//! CSV beside the Parquet tables, for people: in the dialect of the run's language. Parquet
//! stays the research format; the CSVs are what staff open in a spreadsheet.
//!
//! - [`CsvDialect::EN`]: RFC 4180, `,` between fields, a decimal point, no byte-order mark.
//! - [`CsvDialect::NL`]: what a Dutch Excel opens by double-click: `;` between fields, a decimal
//!   comma, UTF-8 with a byte-order mark (without it Excel reads the file as Windows-1252 and
//!   breaks `ë`).
//!
//! Both: a header row (in Dutch the columns' Dutch labels, `leerwinst_core::schema_nl`), coded
//! values in the run's language (`alle vakken` for `all`: `leerwinst_core::values_nl`), dates
//! ISO (`2025-01-20`), timestamps RFC 3339 UTC, floats in shortest round-trip form, booleans
//! `ja`/`nee` (Dutch) or `true`/`false`, nulls empty. [`csv_reader`] reads either.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;
use leerwinst_core::pipeline::Language;
use leerwinst_core::{Error, Result, Table};

use crate::number_text::NumberTexts;
use crate::xlsx_out::StaffWorkbook;
use crate::{scan_table, storage, tmp_name, write_atomic};

/// How a CSV is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvDialect {
    /// Field separator.
    pub delimiter: u8,
    /// Write `0,5` for 0.5.
    pub decimal_comma: bool,
    /// Start the file with the UTF-8 byte-order mark.
    pub bom: bool,
}

impl CsvDialect {
    /// RFC 4180 with a decimal point.
    pub const EN: CsvDialect = CsvDialect {
        delimiter: b',',
        decimal_comma: false,
        bom: false,
    };
    /// Dutch Excel: `;`, decimal comma, byte-order mark.
    pub const NL: CsvDialect = CsvDialect {
        delimiter: b';',
        decimal_comma: true,
        bom: true,
    };

    /// The dialect of a run in `language`.
    pub fn of(language: Language) -> CsvDialect {
        match language {
            Language::Nl => CsvDialect::NL,
            Language::En => CsvDialect::EN,
        }
    }

    /// The language whose spelling this is (the Excel workbook beside the CSV speaks it).
    pub fn language(self) -> Language {
        if self.decimal_comma {
            Language::Nl
        } else {
            Language::En
        }
    }

    /// A CSV writer in this dialect over `out`, the byte-order mark already written.
    pub fn writer<W: std::io::Write>(self, mut out: W) -> std::io::Result<csv::Writer<W>> {
        if self.bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        Ok(csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(out))
    }

    /// A column's header as this dialect writes it: in a Dutch run the column's Dutch label (the
    /// field's `label_nl` metadata, from `leerwinst_core::schema_nl`), else its name.
    pub fn header(self, field: &arrow_schema::Field) -> &str {
        match self.language() {
            Language::Nl => field.metadata().get("label_nl").unwrap_or(field.name()),
            Language::En => field.name(),
        }
    }

    /// A boolean as this dialect writes it: `ja`/`nee` in Dutch, `true`/`false` in English.
    pub fn boolean(self, b: bool) -> &'static str {
        match (self.language(), b) {
            (Language::Nl, true) => "ja",
            (Language::Nl, false) => "nee",
            (Language::En, true) => "true",
            (Language::En, false) => "false",
        }
    }

    /// A text cell of column `column` (its English name) as this dialect writes it: in Dutch a
    /// coded value in its Dutch spelling (`leerwinst_core::values_nl`), else unchanged.
    pub fn text<'a>(self, column: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
        match self.language() {
            Language::Nl => leerwinst_core::values_nl::value_nl(column, value),
            Language::En => std::borrow::Cow::Borrowed(value),
        }
    }

    /// A number as this dialect writes it (shortest round-trip form).
    pub fn number(self, v: f64) -> String {
        let mut out = Vec::new();
        self.push_number(&mut out, v);
        String::from_utf8(out).expect("digits")
    }

    /// Appends [`CsvDialect::number`]'s text of `v` to `out`.
    pub fn push_number(self, out: &mut Vec<u8>, v: f64) {
        let start = out.len();
        crate::number_text::push_f64(out, v);
        self.localise_digits(out, start);
    }

    /// Puts the number written from `start` on in `out` (with a decimal point) into this dialect.
    fn localise_digits(self, out: &mut [u8], start: usize) {
        let dot = out[start..].iter().position(|&b| b == b'.');
        if let (true, Some(dot)) = (self.decimal_comma, dot) {
            out[start + dot] = b',';
        }
    }

    /// Puts a number formatted with a decimal point (`0.25`, `-1.5`) into this dialect; any
    /// other text is returned as it is.
    pub fn localise_number(self, text: &str) -> String {
        if self.decimal_comma && text.parse::<f64>().is_ok() {
            text.replace('.', ",")
        } else {
            text.to_string()
        }
    }
}

/// A reader of a CSV written in either dialect: skips a byte-order mark and takes `;` as the
/// separator when the header line has one (headers here never contain `;` or `,`).
pub fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = if header.contains(&b';') { b';' } else { b',' };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(bytes)
}

/// The Excel workbook written beside the CSV `path` (same name, `.xlsx`).
pub fn xlsx_beside(path: &Path) -> std::path::PathBuf {
    path.with_extension("xlsx")
}

/// Writes a table as CSV in `dialect`, atomically, and the same rows as an Excel workbook beside
/// it ([`xlsx_beside`]).
pub fn write_csv(path: &Path, batch: &RecordBatch, dialect: CsvDialect) -> Result<()> {
    let mut w = dialect.writer(Vec::new()).map_err(|e| storage(path, e))?;
    csv_header(&mut w, batch.schema_ref(), dialect, path)?;
    let numbers = NumberTexts::of(batch);
    csv_rows(&mut w, batch, &numbers, dialect, path)?;
    let bytes = w.into_inner().map_err(|e| storage(path, e))?;
    write_atomic(path, &bytes)?;
    let xlsx = xlsx_beside(path);
    let mut book = StaffWorkbook::new(batch.schema_ref(), dialect.language(), &xlsx)?;
    book.rows_with(batch, &numbers)?;
    book.save()
}

/// Writes the Parquet table at `parquet` as the CSV `path` of [`write_csv`] (with its Excel
/// workbook), batch by batch, so memory holds one batch whatever the table's size; atomically
/// (temporary name, rename).
pub fn table_to_csv(parquet: &Path, table: Table, path: &Path, dialect: CsvDialect) -> Result<()> {
    let mut copies = StaffCopies::create(table, path, dialect)?;
    let names: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    scan_table(parquet, &names, 64 * 1024, |b| copies.write(b))?;
    copies.finish()
}

/// The staff copies of a table, written as its rows come: the CSV `path` in a dialect and the
/// Excel workbook beside it ([`xlsx_beside`]), the same files as [`table_to_csv`] makes from
/// the table's Parquet file, for a writer that has the rows in hand. The workbook is made on a
/// thread of its own (it costs about three times the CSV). The CSV gets its name and the workbook
/// is saved when [`StaffCopies::finish`] succeeds; until then (and when dropped unfinished) the
/// CSV is a temporary file, removed on drop, and no workbook is saved.
pub struct StaffCopies {
    path: PathBuf,
    tmp: PathBuf,
    csv: csv::Writer<BufWriter<File>>,
    book: Option<Workbook>,
    dialect: CsvDialect,
}

/// What the workbook's thread is told.
enum ToBook {
    /// Rows, with the texts of their numbers.
    Rows(RecordBatch, Arc<NumberTexts>),
    Save,
}

/// The thread making a workbook, and how to reach it.
struct Workbook {
    tx: SyncSender<ToBook>,
    thread: JoinHandle<Result<()>>,
}

impl Workbook {
    fn start(schema: SchemaRef, language: Language, xlsx: PathBuf) -> Result<Self> {
        let (tx, rx) = sync_channel::<ToBook>(2);
        let thread = std::thread::Builder::new()
            .name("staff-workbook".into())
            .spawn(move || -> Result<()> {
                let mut book = StaffWorkbook::new(&schema, language, &xlsx)?;
                for message in rx {
                    match message {
                        ToBook::Rows(batch, numbers) => book.rows_with(&batch, &numbers)?,
                        ToBook::Save => return book.save(),
                    }
                }
                Ok(()) // dropped unfinished: nothing saved
            })
            .map_err(|e| Error::Compute(format!("no thread for the staff workbook: {e}")))?;
        Ok(Workbook { tx, thread })
    }

    /// Hands `message` to the thread; when it has stopped, its error.
    fn send(self, message: ToBook) -> std::result::Result<Self, Error> {
        match self.tx.send(message) {
            Ok(()) => Ok(self),
            Err(_) => Err(self
                .join()
                .err()
                .unwrap_or_else(|| Error::Compute("the staff workbook's writer stopped".into()))),
        }
    }

    fn join(self) -> Result<()> {
        drop(self.tx);
        self.thread
            .join()
            .unwrap_or_else(|_| Err(Error::Compute("the staff workbook's writer failed".into())))
    }
}

impl StaffCopies {
    /// Starts the copies of `table` at `path` (CSV) and beside it (workbook).
    pub fn create(table: Table, path: &Path, dialect: CsvDialect) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let tmp = tmp_name(path);
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut csv = match dialect.writer(BufWriter::new(file)) {
            Ok(csv) => csv,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(Error::io(path, e));
            }
        };
        let header = csv_header(&mut csv, &table.schema(), dialect, path);
        // From here a failure drops the copies, which removes the temporary CSV.
        let mut copies = StaffCopies {
            path: path.to_path_buf(),
            tmp,
            csv,
            book: None,
            dialect,
        };
        header?;
        let xlsx = xlsx_beside(path);
        copies.book = Some(Workbook::start(table.schema(), dialect.language(), xlsx)?);
        Ok(copies)
    }

    /// Appends the rows of `batch` (the table's columns, in order) to both copies.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        // Each number is written once, for both copies.
        let numbers = Arc::new(NumberTexts::of(batch));
        if let Some(book) = self.book.take() {
            self.book = Some(book.send(ToBook::Rows(batch.clone(), Arc::clone(&numbers)))?);
        }
        csv_rows(&mut self.csv, batch, &numbers, self.dialect, &self.path)
    }

    /// Saves the workbook and gives the CSV its name.
    pub fn finish(mut self) -> Result<()> {
        self.csv.flush().map_err(|e| Error::io(&self.path, e))?;
        if let Some(book) = self.book.take() {
            book.send(ToBook::Save)?.join()?;
        }
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

fn csv_header<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    schema: &arrow_schema::Schema,
    dialect: CsvDialect,
    path: &Path,
) -> Result<()> {
    let names: Vec<&str> = schema.fields().iter().map(|f| dialect.header(f)).collect();
    w.write_record(&names).map_err(|e| storage(path, e))
}

fn csv_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    batch: &RecordBatch,
    numbers: &NumberTexts,
    dialect: CsvDialect,
    path: &Path,
) -> Result<()> {
    use arrow_schema::{DataType, TimeUnit};
    use std::io::Write as _;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let fail = |e: csv::Error| storage(path, e);
    // One cell's text, reused (no allocation per cell).
    let mut cell: Vec<u8> = Vec::with_capacity(64);
    let mut digits = itoa::Buffer::new();
    for i in 0..batch.num_rows() {
        for (j, (c, field)) in batch
            .columns()
            .iter()
            .zip(batch.schema_ref().fields())
            .enumerate()
        {
            cell.clear();
            if c.is_valid(i) {
                match c.data_type() {
                    DataType::Utf8 => cell.extend_from_slice(
                        dialect
                            .text(field.name(), c.as_string::<i32>().value(i))
                            .as_bytes(),
                    ),
                    DataType::Float64 => {
                        cell.extend_from_slice(numbers.get(j, i));
                        dialect.localise_digits(&mut cell, 0);
                    }
                    DataType::Int32 => cell.extend_from_slice(
                        digits
                            .format(c.as_primitive::<Int32Type>().value(i))
                            .as_bytes(),
                    ),
                    DataType::Int64 => cell.extend_from_slice(
                        digits
                            .format(c.as_primitive::<Int64Type>().value(i))
                            .as_bytes(),
                    ),
                    DataType::Boolean => {
                        cell.extend_from_slice(dialect.boolean(c.as_boolean().value(i)).as_bytes())
                    }
                    DataType::Date32 => {
                        let days = c.as_primitive::<Date32Type>().value(i);
                        let date = epoch + chrono::Duration::days(i64::from(days));
                        write!(cell, "{date}").expect("writing to memory");
                    }
                    DataType::Timestamp(TimeUnit::Microsecond, _) => {
                        if let Some(t) = chrono::DateTime::from_timestamp_micros(
                            c.as_primitive::<TimestampMicrosecondType>().value(i),
                        ) {
                            cell.extend_from_slice(
                                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                                    .as_bytes(),
                            );
                        }
                    }
                    other => return Err(storage(path, format!("no CSV form for {other}"))),
                }
            }
            w.write_field(&cell).map_err(fail)?;
        }
        w.write_record(None::<&[u8]>).map_err(fail)?;
    }
    Ok(())
}
