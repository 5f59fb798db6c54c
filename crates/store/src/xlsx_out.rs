//! An Excel workbook beside every staff CSV (`growth.csv` -> `growth.xlsx`): what a
//! quality-care officer opens by double-click without an import dialog. Cells are typed (numbers
//! are numbers, so Excel shows them with the decimal separator of its own locale; dates are dates;
//! true/false are booleans; empty cells are nulls), the header row is bold, frozen and filtered
//! (in a Dutch run the columns' Dutch labels), and a second sheet lists every column with its
//! type, its meaning in the run's language and its name in the Parquet table. Past Excel's
//! 1,048,576 rows a table continues on a next sheet. The file is the same byte for byte for the
//! same table (a fixed creation date in its properties).
//!
//! The workbook is written here as SpreadsheetML in a zip archive, its parts spelled as
//! rust_xlsxwriter 0.102 spelled them (which made these files before; `tests/xlsx_reference/`
//! keeps workbooks it made, and the tests compare every part). Rows go as XML to a temporary
//! file as they come, so a large table is never held; a sheet that is full is deflated on a
//! thread of its own while the next one fills, and at the end the parts are put together in one
//! archive, the sheets' deflated bytes copied as they are.

mod cells;
mod package;

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use leerwinst_core::pipeline::Language;
use leerwinst_core::{Error, Result};

use crate::number_text::NumberTexts;

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
const ROWS_PER_SHEET: u32 = 1_048_575;

/// The zip (deflate) level of the workbooks. On a board's weekly series (66 MB of sheet XML,
/// zlib-rs): level 6, the default, 0.77 s and 6.8 MB; level 2, 0.23 s and 9.0 MB; level 1,
/// 0.17 s but 11.8 MB.
const ZIP_LEVEL: u8 = 2;

/// The style numbers of the header row (bold, a line below) and of the first number format used.
const HEADER_STYLE: usize = 1;
const FIRST_FORMAT_STYLE: usize = 2;

fn storage(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Storage {
        path: path.to_path_buf(),
        message: format!("Excel workbook: {message}"),
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

    /// The name of data sheet `n` (from 1).
    fn data_sheet(&self, n: usize) -> String {
        if n == 1 {
            self.data.to_string()
        } else {
            format!("{} ({n})", self.data)
        }
    }
}

/// The number formats a cell can have: dates and date-times.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NumberFormat {
    Date,
    Timestamp,
}

/// The number formats used so far, in the order first used (their style numbers follow it, as
/// Excel and rust_xlsxwriter number styles).
#[derive(Default)]
struct Styles {
    used: Vec<NumberFormat>,
}

impl Styles {
    /// The style number of cells in `format`, registered at first use.
    fn of(&mut self, format: NumberFormat) -> usize {
        let i = match self.used.iter().position(|&f| f == format) {
            Some(i) => i,
            None => {
                self.used.push(format);
                self.used.len() - 1
            }
        };
        FIRST_FORMAT_STYLE + i
    }
}

/// A data sheet being filled: its rows as XML in a temporary file.
struct DataSheet {
    /// Its number among the data sheets (from 1).
    n: usize,
    rows: BufWriter<File>,
    /// Data rows so far (the header not counted).
    row: u32,
    /// The last row (from 1, the header's) that holds a cell.
    last_cell_row: u32,
}

/// A data sheet whose rows are all written: its part being deflated (into a one-part zip
/// archive in a temporary file) on a thread of its own, and the range its filter covers.
struct PackedSheet {
    zip: JoinHandle<Result<File>>,
    filter: String,
}

/// A column of a batch as the cells need it.
enum Cells<'a> {
    Text(&'a arrow_array::StringArray, &'a str),
    Int32(&'a arrow_array::Int32Array),
    Int64(&'a arrow_array::Int64Array),
    Float64(&'a arrow_array::Float64Array),
    Boolean(&'a arrow_array::BooleanArray),
    Date(&'a arrow_array::Date32Array),
    Timestamp(&'a arrow_array::TimestampMicrosecondArray),
}

/// A workbook being written, rows in the order they come.
pub(crate) struct StaffWorkbook {
    schema: Arc<Schema>,
    language: Language,
    /// The workbook's path (for messages) and folder (for the temporary files).
    path: PathBuf,
    dir: PathBuf,
    /// The columns' letters, headers and widths (characters).
    letters: Vec<String>,
    headers: Vec<String>,
    widths: Vec<f64>,
    styles: Styles,
    sheet: DataSheet,
    packed: Vec<PackedSheet>,
    /// Data rows per sheet ([`ROWS_PER_SHEET`]; fewer in tests).
    rows_per_sheet: u32,
    /// One row's XML, reused.
    buf: Vec<u8>,
}

impl StaffWorkbook {
    /// A workbook for rows of `schema`, to be saved at `path`, its first data sheet begun.
    pub(crate) fn new(schema: &Schema, language: Language, path: &Path) -> Result<Self> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let dialect = crate::CsvDialect::of(language);
        let headers: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| dialect.header(f).to_string())
            .collect();
        let widths = headers
            .iter()
            .map(|h| (h.len() as f64 + 2.0).clamp(10.0, 40.0))
            .collect();
        let letters = (0..headers.len()).map(cells::column_letters).collect();
        let mut w = StaffWorkbook {
            schema: Arc::new(schema.clone()),
            language,
            path: path.to_path_buf(),
            sheet: DataSheet::start(1, &dir, path)?,
            dir,
            letters,
            headers,
            widths,
            styles: Styles::default(),
            packed: Vec::new(),
            rows_per_sheet: ROWS_PER_SHEET,
            buf: Vec::with_capacity(64 * 1024),
        };
        w.header_row()?;
        Ok(w)
    }

    /// Writes the header row of the sheet just begun.
    fn header_row(&mut self) -> Result<()> {
        self.buf.clear();
        self.buf.extend_from_slice(b"<row r=\"1\">");
        for (c, header) in self.headers.iter().enumerate() {
            check_length(header, header, &self.path)?;
            push_text(
                &mut self.buf,
                &self.letters[c],
                b"1",
                header,
                Some(HEADER_STYLE),
            );
        }
        self.buf.extend_from_slice(b"</row>");
        self.sheet.last_cell_row = 1;
        self.flush_buf()
    }

    fn flush_buf(&mut self) -> Result<()> {
        let r = self.sheet.rows.write_all(&self.buf);
        self.buf.clear();
        r.map_err(|e| Error::io(&self.path, e))
    }

    /// Appends the rows of `batch` (the schema's columns).
    #[cfg(test)]
    pub(crate) fn rows(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows_with(batch, &NumberTexts::of(batch))
    }

    /// Appends the rows of `batch` (the schema's columns), its numbers' texts in `numbers`.
    pub(crate) fn rows_with(&mut self, batch: &RecordBatch, numbers: &NumberTexts) -> Result<()> {
        let columns = columns_of(batch, &self.path)?;
        let dialect = crate::CsvDialect::of(self.language);
        let mut number = itoa::Buffer::new();
        for i in 0..batch.num_rows() {
            if self.sheet.row == self.rows_per_sheet {
                self.next_sheet()?;
            }
            self.sheet.row += 1;
            let r = self.sheet.row + 1;
            let row = number.format(r).as_bytes();
            let start = self.buf.len();
            self.buf.extend_from_slice(b"<row r=\"");
            self.buf.extend_from_slice(row);
            self.buf.extend_from_slice(b"\">");
            let cells_start = self.buf.len();
            for (c, column) in columns.iter().enumerate() {
                let col = &self.letters[c];
                let out = &mut self.buf;
                match *column {
                    Cells::Text(a, name) if a.is_valid(i) => {
                        let text = dialect.text(name, a.value(i));
                        check_length(&text, &self.headers[c], &self.path)?;
                        push_text(out, col, row, &text, None);
                    }
                    Cells::Int32(a) if a.is_valid(i) => {
                        push_number(out, col, row, f64::from(a.value(i)), None)
                    }
                    Cells::Int64(a) if a.is_valid(i) => {
                        push_number(out, col, row, a.value(i) as f64, None)
                    }
                    Cells::Float64(a) if a.is_valid(i) && a.value(i).is_finite() => {
                        push_number_text(out, col, row, numbers.get(c, i))
                    }
                    Cells::Boolean(a) if a.is_valid(i) => {
                        push_cell_start(out, col, row, None);
                        out.extend_from_slice(if a.value(i) {
                            b" t=\"b\"><v>1</v></c>"
                        } else {
                            b" t=\"b\"><v>0</v></c>"
                        });
                    }
                    Cells::Date(a) if a.is_valid(i) => {
                        let serial = cells::serial_day(i64::from(a.value(i)) * 86_400)
                            .ok_or_else(|| out_of_range(&self.headers[c], &self.path))?;
                        let style = self.styles.of(NumberFormat::Date);
                        push_number(out, col, row, serial, Some(style));
                    }
                    Cells::Timestamp(a) if a.is_valid(i) => {
                        let serial = cells::serial_day(a.value(i).div_euclid(1_000_000))
                            .ok_or_else(|| out_of_range(&self.headers[c], &self.path))?;
                        let style = self.styles.of(NumberFormat::Timestamp);
                        push_number(out, col, row, serial, Some(style));
                    }
                    _ => {}
                }
            }
            if self.buf.len() == cells_start {
                // No cell in this row: Excel writes no row element.
                self.buf.truncate(start);
            } else {
                self.buf.extend_from_slice(b"</row>");
                self.sheet.last_cell_row = r;
            }
            if self.buf.len() >= 60 * 1024 {
                self.flush_buf()?;
            }
        }
        self.flush_buf()
    }

    /// Ends the data sheet being filled (its deflation handed to a thread) and begins the next.
    fn next_sheet(&mut self) -> Result<()> {
        // The rows in hand belong to the full sheet.
        self.flush_buf()?;
        let next = DataSheet::start(self.sheet.n + 1, &self.dir, &self.path)?;
        let full = std::mem::replace(&mut self.sheet, next);
        let (head, foot, filter) = self.sheet_text(&full);
        let (dir, path) = (self.dir.clone(), self.path.clone());
        let zip = std::thread::Builder::new()
            .name("staff-workbook-zip".into())
            .spawn(move || full.pack(&head, &foot, &dir, &path))
            .map_err(|e| storage(&self.path, format!("no thread to pack a sheet: {e}")))?;
        self.packed.push(PackedSheet { zip, filter });
        self.header_row()
    }

    /// A full data sheet's XML before and after its rows, and its filter's range.
    fn sheet_text(&self, sheet: &DataSheet) -> (String, String, String) {
        let last_col = self.headers.len().saturating_sub(1);
        let dimension = cells::range(sheet.last_cell_row, last_col, false);
        let filter = cells::range(sheet.row + 1, last_col, false);
        let head = package::worksheet_head(&dimension, sheet.n == 1, &self.widths);
        let foot = package::worksheet_foot(Some(&filter));
        (
            head,
            foot,
            cells::filter_name_range(sheet.row + 1, last_col),
        )
    }

    /// Adds the sheet of column meanings and saves the workbook at the path it was made for,
    /// atomically.
    pub(crate) fn save(self) -> Result<()> {
        let words = Words::of(self.language);
        let (head, foot, filter) = self.sheet_text(&self.sheet);
        let (columns_sheet, shared) = self.columns_sheet(&words);
        let formats: Vec<&str> = self
            .styles
            .used
            .iter()
            .map(|f| match f {
                NumberFormat::Date => words.date_format,
                NumberFormat::Timestamp => words.timestamp_format,
            })
            .collect();
        let StaffWorkbook {
            path,
            dir,
            sheet,
            packed,
            ..
        } = self;
        let last_zip = sheet.pack(&head, &foot, &dir, &path);
        // Every thread joined before an error is returned.
        let mut sheets = Vec::new();
        let mut filters = Vec::new();
        let mut failure = None;
        for (i, p) in packed.into_iter().enumerate() {
            filters.push((i, p.filter));
            match p.zip.join() {
                Ok(Ok(f)) => sheets.push(f),
                Ok(Err(e)) => failure = failure.or(Some(e)),
                Err(_) => failure = failure.or(Some(storage(&path, "packing a sheet failed"))),
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        filters.push((sheets.len(), filter));
        sheets.push(last_zip?);
        let mut names: Vec<String> = (1..=sheets.len()).map(|n| words.data_sheet(n)).collect();
        names.push(words.columns.to_string());

        let tmp = crate::tmp_name(&path);
        let written = (|| -> std::result::Result<(), String> {
            let file = File::create(&tmp).map_err(|e| e.to_string())?;
            let mut zip = zip::ZipWriter::new(BufWriter::new(file));
            let options = package::zip_options(ZIP_LEVEL);
            let part = |zip: &mut zip::ZipWriter<_>, name: &str, bytes: &[u8]| {
                zip.start_file(name, options).map_err(|e| e.to_string())?;
                zip.write_all(bytes).map_err(|e| e.to_string())
            };
            let n = names.len();
            part(
                &mut zip,
                "[Content_Types].xml",
                package::content_types(n).as_bytes(),
            )?;
            part(&mut zip, "_rels/.rels", package::package_rels().as_bytes())?;
            part(
                &mut zip,
                "xl/_rels/workbook.xml.rels",
                package::workbook_rels(n).as_bytes(),
            )?;
            part(&mut zip, "xl/theme/theme1.xml", package::THEME)?;
            part(
                &mut zip,
                "xl/styles.xml",
                package::styles(&formats).as_bytes(),
            )?;
            part(
                &mut zip,
                "xl/workbook.xml",
                package::workbook(&names, &filters).as_bytes(),
            )?;
            for sheet in sheets {
                let mut archive = zip::ZipArchive::new(sheet).map_err(|e| e.to_string())?;
                let entry = archive.by_index_raw(0).map_err(|e| e.to_string())?;
                zip.raw_copy_file(entry).map_err(|e| e.to_string())?;
            }
            part(
                &mut zip,
                &format!("xl/worksheets/sheet{n}.xml"),
                columns_sheet.as_bytes(),
            )?;
            part(&mut zip, "xl/sharedStrings.xml", shared.part().as_bytes())?;
            part(
                &mut zip,
                "docProps/core.xml",
                package::core_properties().as_bytes(),
            )?;
            part(
                &mut zip,
                "docProps/app.xml",
                package::app_properties(&names).as_bytes(),
            )?;
            let mut out = zip.finish().map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(storage(&path, e));
        }
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    }

    /// The sheet of column meanings (its texts shared, as a sheet not written row by row).
    fn columns_sheet(&self, words: &Words) -> (String, package::SharedStrings) {
        let mut shared = package::SharedStrings::default();
        let mut rows = Vec::new();
        let mut cell =
            |rows: &mut Vec<u8>, c: usize, r: &[u8], text: &str, style: Option<usize>| {
                if text.is_empty() {
                    return;
                }
                let i = shared.index(text);
                push_cell_start(rows, &cells::column_letters(c), r, style);
                rows.extend_from_slice(b" t=\"s\"><v>");
                rows.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
                rows.extend_from_slice(b"</v></c>");
            };
        rows.extend_from_slice(b"<row r=\"1\" spans=\"1:4\">");
        for (c, h) in words.header.iter().enumerate() {
            cell(&mut rows, c, b"1", h, Some(HEADER_STYLE));
        }
        rows.extend_from_slice(b"</row>");
        let key = match self.language {
            Language::Nl => "description_nl",
            Language::En => "description",
        };
        for (i, f) in self.schema.fields().iter().enumerate() {
            let r = (i + 2).to_string();
            let kind = match f.data_type() {
                DataType::Utf8 => words.kinds[0],
                DataType::Int32 | DataType::Int64 => words.kinds[1],
                DataType::Float64 => words.kinds[2],
                DataType::Boolean => words.kinds[3],
                DataType::Date32 => words.date,
                _ => words.timestamp,
            };
            // The meaning in the run's language (core's schema carries both).
            let meaning = f
                .metadata()
                .get(key)
                .or_else(|| f.metadata().get("description"))
                .map_or("", String::as_str);
            rows.extend_from_slice(format!("<row r=\"{r}\" spans=\"1:4\">").as_bytes());
            cell(&mut rows, 0, r.as_bytes(), &self.headers[i], None);
            cell(&mut rows, 1, r.as_bytes(), kind, None);
            cell(&mut rows, 2, r.as_bytes(), meaning, None);
            cell(&mut rows, 3, r.as_bytes(), f.name(), None);
            rows.extend_from_slice(b"</row>");
        }
        let last_row = self.schema.fields().len() as u32 + 1;
        let mut xml = package::worksheet_head(
            &cells::range(last_row, 3, false),
            false,
            &[28.0, 22.0, 100.0, 28.0],
        );
        xml.push_str(std::str::from_utf8(&rows).expect("UTF-8 XML"));
        xml.push_str(&package::worksheet_foot(None));
        (xml, shared)
    }
}

impl DataSheet {
    /// Data sheet `n`, its rows going to a temporary file in `dir` (gone when dropped).
    fn start(n: usize, dir: &Path, path: &Path) -> Result<Self> {
        let file = tempfile::tempfile_in(dir).map_err(|e| Error::io(path, e))?;
        Ok(DataSheet {
            n,
            rows: BufWriter::with_capacity(256 * 1024, file),
            row: 0,
            last_cell_row: 0,
        })
    }

    /// The sheet's part (`head`, the rows, `foot`) deflated into a one-part zip archive in a
    /// temporary file in `dir`.
    fn pack(self, head: &str, foot: &str, dir: &Path, path: &Path) -> Result<File> {
        let io = |e: std::io::Error| Error::io(path, e);
        let zip_error = |e: zip::result::ZipError| storage(path, e);
        let mut rows = self.rows.into_inner().map_err(|e| io(e.into_error()))?;
        rows.rewind().map_err(io)?;
        let out = tempfile::tempfile_in(dir).map_err(io)?;
        let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(256 * 1024, out));
        zip.start_file(
            format!("xl/worksheets/sheet{}.xml", self.n),
            package::zip_options(ZIP_LEVEL),
        )
        .map_err(zip_error)?;
        zip.write_all(head.as_bytes()).map_err(io)?;
        std::io::copy(&mut rows, &mut zip).map_err(io)?;
        zip.write_all(foot.as_bytes()).map_err(io)?;
        let out = zip.finish().map_err(zip_error)?;
        let mut out = out.into_inner().map_err(|e| io(e.into_error()))?;
        out.rewind().map_err(io)?;
        Ok(out)
    }
}

/// The columns of `batch` as the cells need them; an error for a type no cell has.
fn columns_of<'a>(batch: &'a RecordBatch, path: &Path) -> Result<Vec<Cells<'a>>> {
    batch
        .columns()
        .iter()
        .zip(batch.schema_ref().fields())
        .map(|(a, f)| {
            Ok(match a.data_type() {
                DataType::Utf8 => Cells::Text(a.as_string::<i32>(), f.name().as_str()),
                DataType::Int32 => Cells::Int32(a.as_primitive::<Int32Type>()),
                DataType::Int64 => Cells::Int64(a.as_primitive::<Int64Type>()),
                DataType::Float64 => Cells::Float64(a.as_primitive::<Float64Type>()),
                DataType::Boolean => Cells::Boolean(a.as_boolean()),
                DataType::Date32 => Cells::Date(a.as_primitive::<Date32Type>()),
                DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => {
                    Cells::Timestamp(a.as_primitive::<TimestampMicrosecondType>())
                }
                other => return Err(storage(path, format!("no cell type for {other}"))),
            })
        })
        .collect()
}

/// An error for a text longer than a cell holds.
fn check_length(text: &str, column: &str, path: &Path) -> Result<()> {
    if cells::excel_length(text) > cells::MAX_TEXT {
        return Err(storage(
            path,
            format!(
                "a text in column {column} is longer than the {} characters a cell holds",
                cells::MAX_TEXT
            ),
        ));
    }
    Ok(())
}

fn out_of_range(column: &str, path: &Path) -> Error {
    storage(
        path,
        format!("a date in column {column} outside Excel's years 1900-9999"),
    )
}

/// `<c r="B7"` and the style, if any (the caller ends the element).
fn push_cell_start(out: &mut Vec<u8>, col: &str, row: &[u8], style: Option<usize>) {
    out.extend_from_slice(b"<c r=\"");
    out.extend_from_slice(col.as_bytes());
    out.extend_from_slice(row);
    out.push(b'"');
    if let Some(s) = style {
        out.extend_from_slice(b" s=\"");
        out.extend_from_slice(itoa::Buffer::new().format(s).as_bytes());
        out.push(b'"');
    }
}

/// A text cell written in place (Excel's inline string); an empty text is no cell.
fn push_text(out: &mut Vec<u8>, col: &str, row: &[u8], text: &str, style: Option<usize>) {
    if text.is_empty() {
        return;
    }
    push_cell_start(out, col, row, style);
    out.extend_from_slice(b" t=\"inlineStr\"><is><t");
    if cells::needs_preserve(text) {
        out.extend_from_slice(b" xml:space=\"preserve\"");
    }
    out.push(b'>');
    out.extend_from_slice(cells::escape_text(text).as_bytes());
    out.extend_from_slice(b"</t></is></c>");
}

/// A number cell.
fn push_number(out: &mut Vec<u8>, col: &str, row: &[u8], v: f64, style: Option<usize>) {
    push_cell_start(out, col, row, style);
    out.extend_from_slice(b"><v>");
    crate::number_text::push_f64(out, v);
    out.extend_from_slice(b"</v></c>");
}

/// [`push_number`] of a number already written ([`NumberTexts`]), without a style.
fn push_number_text(out: &mut Vec<u8>, col: &str, row: &[u8], text: &[u8]) {
    push_cell_start(out, col, row, None);
    out.extend_from_slice(b"><v>");
    out.extend_from_slice(text);
    out.extend_from_slice(b"</v></c>");
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
        w.rows(&b).unwrap();
        w.save().unwrap();
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
            Field::new("week", DataType::Date32, true).with_metadata(meta(
                "Week & dag",
                "Week <start>",
                "week_van_het_jaar",
            )),
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
        let texts = cycle(
            rows,
            vec![
                Some("L1"),
                Some("a&b<c>d\"e'"),
                None,
                Some("_x0041_ x"),
                Some("line\nbreak"),
                Some("\u{20ac} \u{fc}n\u{ef}code"),
                None,
            ],
        );
        let notes = cycle(
            rows,
            vec![
                Some(" lead"),
                Some("trail "),
                None,
                Some("ctl\u{1}x"),
                Some("tab\tx"),
                Some(""),
                None,
            ],
        );
        let s = 1_000_000i64;
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(texts)),
            Arc::new(Date32Array::from(cycle(
                rows,
                vec![
                    Some(19_723),
                    Some(-25_567),
                    None,
                    Some(-25_508),
                    None,
                    Some(2_932_896),
                    None,
                ],
            ))),
            Arc::new(Int32Array::from(cycle(
                rows,
                vec![Some(3), Some(-1), None, Some(0), None, Some(i32::MAX), None],
            ))),
            Arc::new(Int64Array::from(cycle(
                rows,
                vec![
                    Some(i64::MAX),
                    Some(-5),
                    None,
                    Some(0),
                    None,
                    Some(i64::MIN),
                    None,
                ],
            ))),
            Arc::new(Float64Array::from(cycle(
                rows,
                vec![
                    Some(0.25),
                    Some(1e300),
                    None,
                    Some(1e-7),
                    Some(-0.0),
                    Some(0.1 + 0.2),
                    Some(f64::NAN),
                ],
            ))),
            Arc::new(BooleanArray::from(cycle(
                rows,
                vec![
                    Some(true),
                    Some(false),
                    None,
                    None,
                    Some(true),
                    Some(false),
                    None,
                ],
            ))),
            Arc::new(
                TimestampMicrosecondArray::from(cycle(
                    rows,
                    vec![
                        Some(1_728_049_507 * s + 123_456),
                        Some(-2_209_075_200 * s),
                        None,
                        Some(631_152_000 * s),
                        None,
                        Some(253_402_300_799 * s),
                        None,
                    ],
                ))
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
            Arc::new(TimestampMicrosecondArray::from(vec![0, 86_399_999_999]).with_timezone("UTC")),
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
            (
                "timestamp_first_nl.xlsx",
                timestamp_first(),
                Language::Nl,
                ROWS_PER_SHEET,
            ),
        ]
    }

    /// The parts of a workbook by name.
    fn parts(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut f = archive.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).unwrap();
                (f.name().unwrap().to_string(), v)
            })
            .collect()
    }

    /// Every part of every reference workbook (made by rust_xlsxwriter 0.102, which wrote these
    /// workbooks before; see `tests/xlsx_reference/README.md`) is the same text here.
    #[test]
    fn the_parts_are_those_of_the_reference_workbooks() {
        let dir = tempfile::tempdir().unwrap();
        let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xlsx_reference");
        for (name, batch, language, per_sheet) in reference_cases() {
            let path = dir.path().join(name);
            let mut w = StaffWorkbook::new(&batch.schema(), language, &path).unwrap();
            w.rows_per_sheet = per_sheet;
            // In two pieces, as rows come.
            let half = batch.num_rows() / 2;
            w.rows(&batch.slice(0, half)).unwrap();
            w.rows(&batch.slice(half, batch.num_rows() - half)).unwrap();
            w.save().unwrap();
            let ours = parts(&std::fs::read(&path).unwrap());
            let theirs = parts(&std::fs::read(reference.join(name)).unwrap());
            assert_eq!(
                ours.keys().collect::<Vec<_>>(),
                theirs.keys().collect::<Vec<_>>(),
                "{name}"
            );
            for (part, text) in &theirs {
                assert_eq!(
                    String::from_utf8_lossy(&ours[part]),
                    String::from_utf8_lossy(text),
                    "{name}: {part}"
                );
            }
        }
    }

    #[test]
    fn a_text_too_long_for_a_cell_or_a_date_outside_excel_is_an_error() {
        use arrow_array::Date32Array;
        use arrow_schema::Field;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        let long = "é".repeat(cells::MAX_TEXT + 1);
        let schema = Arc::new(Schema::new(vec![Field::new("t", DataType::Utf8, false)]));
        let b =
            RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(vec![long]))]).unwrap();
        let mut w = StaffWorkbook::new(&b.schema(), Language::En, &path).unwrap();
        let e = w.rows(&b).unwrap_err().to_string();
        assert!(e.contains("longer than the 32767 characters"), "{e}");
        assert!(!e.contains("éé"), "the text is not quoted: {e}");
        let schema = Arc::new(Schema::new(vec![Field::new("d", DataType::Date32, false)]));
        let b =
            RecordBatch::try_new(schema, vec![Arc::new(Date32Array::from(vec![-30_000]))]).unwrap();
        let mut w = StaffWorkbook::new(&b.schema(), Language::En, &path).unwrap();
        let e = w.rows(&b).unwrap_err().to_string();
        assert!(e.contains("outside Excel's years"), "{e}");
        drop(w);
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no file left"
        );
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
