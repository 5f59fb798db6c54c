//! Opening input files: transparent gzip, SHA-256 of the bytes as delivered, text encodings
//! (UTF-8 with or without BOM, UTF-16 LE/BE with or without BOM, Windows-1252), and number/date
//! parsing in the spellings Dutch and international exports use.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use chrono::{Datelike, NaiveDate};
use leerwinst_core::pipeline::Limits;
use leerwinst_core::{Error, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Provenance of one input file.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    /// Path as given (resolved against the pipeline file).
    pub path: String,
    /// SHA-256 of the file's bytes as delivered (before decompression).
    pub sha256: String,
    /// Size in bytes as delivered.
    pub bytes: u64,
    /// Text encoding found (`UTF-8`, `UTF-16LE`, `UTF-16BE`, `windows-1252`); `UTF-8` for
    /// streamed inputs (xAPI).
    pub encoding: &'static str,
    /// Whether the file was gzip-compressed.
    pub gzip: bool,
}

/// Opens `path` for reading if it is a regular file. A FIFO would block the run forever and a
/// device such as `/dev/zero` never ends, so anything else is refused before it is opened.
pub fn open_regular(path: &Path) -> Result<std::fs::File> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(Error::input(
            path,
            format!("is {what}: a source must be an export file"),
        ));
    }
    std::fs::File::open(path).map_err(|e| Error::io(path, e))
}

/// Provenance of a file without reading it into memory: SHA-256 and size of the bytes as
/// delivered, and whether they are gzip.
pub fn file_info(path: &Path) -> Result<FileInfo> {
    let mut f = open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    let mut head = [0u8; 2];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        if bytes == 0 && n >= 2 {
            head = [buf[0], buf[1]];
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok(FileInfo {
        path: path.display().to_string(),
        sha256: hex::encode(hasher.finalize()),
        bytes,
        encoding: "UTF-8",
        gzip: head == [0x1f, 0x8b],
    })
}

/// The SHA-256 of a file, taken from the bytes as a reader passes them on (see [`open_hashed`]).
pub struct Hashing {
    path: std::path::PathBuf,
    gzip: bool,
    state: std::sync::Arc<std::sync::Mutex<(Sha256, u64)>>,
}

/// A reader that feeds every byte it passes on into a shared SHA-256.
struct HashingReader<R> {
    inner: R,
    state: std::sync::Arc<std::sync::Mutex<(Sha256, u64)>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut s) = self.state.lock() {
            s.0.update(&buf[..n]);
            s.1 += n as u64;
        }
        Ok(n)
    }
}

/// Opens an input for streaming, as [`open_stream`], computing its SHA-256 on the way, so a large
/// file is read once and the checksum costs no pass of its own (it is taken on whichever thread
/// reads). [`Hashing::finish`] completes it once the reader is done.
pub fn open_hashed(path: &Path) -> Result<(Box<dyn std::io::BufRead + Send>, Hashing)> {
    let mut head = [0u8; 2];
    let mut f = open_regular(path)?;
    let n = read_full(&mut f, &mut head).map_err(|e| Error::io(path, e))?;
    let gzip = n == 2 && head == [0x1f, 0x8b];
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let state = std::sync::Arc::new(std::sync::Mutex::new((Sha256::new(), 0u64)));
    let hashed = HashingReader {
        inner: f,
        state: state.clone(),
    };
    let stream: Box<dyn std::io::BufRead + Send> = if gzip {
        Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(hashed),
        ))
    } else {
        Box::new(std::io::BufReader::with_capacity(1 << 20, hashed))
    };
    Ok((
        stream,
        Hashing {
            path: path.to_path_buf(),
            gzip,
            state,
        },
    ))
}

impl Hashing {
    /// The file's provenance: the bytes the reader did not consume (a reader that stopped early)
    /// are read and hashed here, so the checksum is always of the whole file.
    pub fn finish(self) -> Result<FileInfo> {
        let (mut hasher, mut bytes) = {
            let s = self
                .state
                .lock()
                .map_err(|_| Error::input(&self.path, "checksum state poisoned"))?;
            (s.0.clone(), s.1)
        };
        let mut f = std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        use std::io::Seek;
        f.seek(std::io::SeekFrom::Start(bytes))
            .map_err(|e| Error::io(&self.path, e))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).map_err(|e| Error::io(&self.path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            bytes += n as u64;
        }
        Ok(FileInfo {
            path: self.path.display().to_string(),
            sha256: hex::encode(hasher.finalize()),
            bytes,
            encoding: "UTF-8",
            gzip: self.gzip,
        })
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Opens an input for streaming: a buffered reader over the decompressed bytes when `gzip`.
pub fn open_stream(path: &Path, gzip: bool) -> Result<Box<dyn std::io::BufRead + Send>> {
    let f = open_regular(path)?;
    Ok(if gzip {
        Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(f),
        ))
    } else {
        Box::new(std::io::BufReader::with_capacity(1 << 20, f))
    })
}

/// Reads a whole input file as text (gzip by magic bytes; encoding detected as in
/// [`decode_text`], and recorded in the returned [`FileInfo`]).
pub fn read_text(path: &Path) -> Result<(String, FileInfo)> {
    let mut info = file_info(path)?;
    let (text, encoding) = decode_text(path, open_stream(path, info.gzip)?)?;
    info.encoding = encoding;
    Ok((text, info))
}

/// The encoding of `data`: a byte-order mark decides; without one, UTF-16 is recognised by the
/// zero bytes ASCII text has in every other position, valid UTF-8 is UTF-8, and anything else
/// is read as Windows-1252 (what Excel and older Dutch school systems write on Windows).
pub fn detect_encoding(data: &[u8]) -> &'static encoding_rs::Encoding {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(data) {
        return enc;
    }
    let head = &data[..data.len().min(4096)];
    if head.len() >= 4 {
        let pairs = head.len() / 2;
        let zeros_at = |odd: usize| {
            (0..pairs).filter(|i| head[2 * i + odd] == 0).count() as f64 / pairs as f64
        };
        if zeros_at(1) > 0.3 && zeros_at(0) < 0.05 {
            return encoding_rs::UTF_16LE;
        }
        if zeros_at(0) > 0.3 && zeros_at(1) < 0.05 {
            return encoding_rs::UTF_16BE;
        }
    }
    if std::str::from_utf8(data).is_ok() {
        encoding_rs::UTF_8
    } else {
        encoding_rs::WINDOWS_1252
    }
}

/// Reads a stream to text in the encoding [`detect_encoding`] finds (BOM dropped); returns the
/// text and the encoding's name for run.json. An Excel workbook (XLSX, recognised by its zip
/// signature) becomes `;`-separated text of its first sheet ([`xlsx_to_text`]), encoding `xlsx`.
pub fn decode_text(path: &Path, stream: impl Read) -> Result<(String, &'static str)> {
    decode_table_text(path, stream, None, None)
}

/// As [`decode_text`], for one table of a source: `sheet` picks an XLSX worksheet by name
/// (default the first), and `header_row` (1-based) blanks the title or note lines above the
/// header, so the readers take that line as the header while every line keeps its number.
pub fn decode_table_text(
    path: &Path,
    mut stream: impl Read,
    sheet: Option<&str>,
    header_row: Option<usize>,
) -> Result<(String, &'static str)> {
    let mut data = Vec::new();
    stream
        .read_to_end(&mut data)
        .map_err(|e| Error::input(path, format!("cannot read (damaged gzip data?): {e}")))?;
    let (text, encoding) = if data.starts_with(b"PK\x03\x04") {
        (xlsx_to_text(path, data, sheet)?, "xlsx")
    } else if sheet.is_some() {
        return Err(Error::input(
            path,
            "sheet is set, but this is not an XLSX workbook (remove sheet for a CSV file)",
        ));
    } else {
        decode_bytes(path, &data)?
    };
    match header_row {
        None | Some(1) => Ok((text, encoding)),
        Some(row) => Ok((skip_title_lines(path, &text, row)?, encoding)),
    }
}

/// `text` with lines 1..`header_row` emptied (line breaks kept, so line numbers stay).
fn skip_title_lines(path: &Path, text: &str, header_row: usize) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    for _ in 1..header_row {
        let Some(end) = rest.find('\n') else {
            return Err(Error::input(
                path,
                format!("header_row = {header_row}, but the file has fewer lines"),
            ));
        };
        out.push('\n');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Text of non-XLSX bytes in the encoding [`detect_encoding`] finds.
fn decode_bytes(path: &Path, data: &[u8]) -> Result<(String, &'static str)> {
    let enc = detect_encoding(data);
    let (text, used, malformed) = enc.decode(data);
    if malformed {
        return Err(Error::input(
            path,
            format!(
                "text is not valid {} (odd number of bytes or a broken surrogate pair?)",
                used.name()
            ),
        ));
    }
    Ok((text.into_owned(), used.name()))
}

/// A worksheet (`sheet` by name, else the first) of an XLSX workbook as `;`-separated text, one line per sheet row, so the
/// delimited readers take it as they take a CSV export and reject lines are sheet rows. Cells:
/// text as is (line breaks inside a cell become spaces, quotes are doubled), numbers with a
/// decimal point (whole numbers without one), dates as `dd-mm-yyyy` and date-times as
/// `dd-mm-yyyy HH:MM:SS` (the spellings the Dutch readers expect), booleans as `true`/`false`,
/// and Excel error cells as `#ERROR` so the row is rejected with the column named.
pub fn xlsx_to_text(path: &Path, data: Vec<u8>, sheet: Option<&str>) -> Result<String> {
    use calamine::{Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(data)).map_err(|e| {
        Error::input(
            path,
            format!("not a readable XLSX workbook ({})", xlsx_kind(&e)),
        )
    })?;
    let names = book.sheet_names().to_vec();
    let first = match sheet {
        Some(name) => names.iter().find(|n| *n == name).cloned().ok_or_else(|| {
            Error::input(
                path,
                format!(
                    "the workbook has no sheet '{name}'; its sheets are: {}",
                    names.join(", ")
                ),
            )
        })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::input(path, "the workbook has no worksheet"))?,
    };
    // Cell by cell (never the sheet's declared rectangle: one cell at XFD1048576 would make that
    // 17 billion cells), with the row and column bounded.
    let mut cells = book.worksheet_cells_reader(&first).map_err(|e| {
        Error::input(
            path,
            format!("cannot read the worksheet '{first}' ({})", xlsx_kind(&e)),
        )
    })?;
    // Sheet rows by index; cells are padded to the widest row when written out, as a sheet's
    // trailing empty cells are not stored.
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    let mut width = 0;
    loop {
        let cell = cells.next_cell().map_err(|e| {
            Error::input(
                path,
                format!("cannot read the worksheet '{first}' ({})", xlsx_kind(&e)),
            )
        })?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        if c as usize >= MAX_XLSX_COLUMNS || r as usize >= MAX_XLSX_ROWS {
            return Err(Error::input(
                path,
                format!(
                    "the worksheet '{first}' has a cell at row {}, column {}: beyond the {MAX_XLSX_ROWS} rows and {MAX_XLSX_COLUMNS} columns an export may have (a stray cell far out? delete it in Excel and save again)",
                    r + 1,
                    c + 1
                ),
            ));
        }
        let text = xlsx_cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if rows.last().is_none_or(|(last, _)| *last != r) {
            rows.push((r, Vec::new()));
        }
        let row = &mut rows.last_mut().expect("pushed above").1;
        if row.len() <= c as usize {
            row.resize(c as usize + 1, String::new());
        }
        row[c as usize] = text;
        width = width.max(row.len());
    }
    // Rows in sheet order (a workbook may store them out of order; a row split in two parts
    // keeps its cells).
    rows.sort_by_key(|(r, _)| *r);
    let mut out = String::new();
    let mut next = 0u32;
    let mut k = 0;
    while k < rows.len() {
        let r = rows[k].0;
        // An empty sheet row stays an (empty, skipped) line, so later lines keep their number.
        for _ in next..r {
            out.push('\n');
        }
        let mut cells = vec![String::new(); width];
        while k < rows.len() && rows[k].0 == r {
            for (c, v) in rows[k].1.iter().enumerate() {
                if !v.is_empty() {
                    cells[c] = v.clone();
                }
            }
            k += 1;
        }
        out.push_str(&cells.join(";"));
        out.push('\n');
        next = r + 1;
    }
    Ok(out)
}

/// One cell as the delimited readers expect it: text as is (line breaks as spaces, quoted when it
/// holds `;` or `"`), numbers with a decimal point, dates `dd-mm-yyyy`, date-times
/// `dd-mm-yyyy HH:MM:SS`, error cells `#ERROR`.
fn xlsx_cell_text(v: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    let text = match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => {
            let (y, mo, da, h, mi, se, _) = d.to_ymd_hms_milli();
            if d.as_f64().fract() == 0.0 {
                format!("{da:02}-{mo:02}-{y:04}")
            } else {
                format!("{da:02}-{mo:02}-{y:04} {h:02}:{mi:02}:{se:02}")
            }
        }
        DataRef::Error(_) => "#ERROR".to_string(),
    };
    let text = text.replace(['\r', '\n'], " ");
    if text.contains([';', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The most columns an XLSX export may have (Excel allows 16,384; exports have tens).
pub const MAX_XLSX_COLUMNS: usize = 1_000;
/// The most rows an XLSX export may have (Excel's own limit).
pub const MAX_XLSX_ROWS: usize = 1_048_576;

/// The kind of an XLSX reader error, without any text it quotes from the workbook.
fn xlsx_kind(e: &calamine::XlsxError) -> &'static str {
    use calamine::XlsxError as E;
    match e {
        E::Io(_) => "the file could not be read",
        E::Zip(_) => "not a valid zip archive",
        E::Xml(_) | E::XmlAttr(_) | E::XmlEof(_) => "its XML is damaged",
        E::FileNotFound(_) => "a part of the workbook is missing",
        _ => "the workbook could not be read",
    }
}

/// Parses a number written with a decimal point (`312.5`) or a Dutch decimal comma with optional
/// thousands dots (`1.234,5`, `4,6`). Returns None for anything else.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || is_ambiguous_number(s) {
        return None;
    }
    let v = if s.contains(',') {
        s.replace(',', ".").parse::<f64>().ok()?
    } else {
        s.parse::<f64>().ok()?
    };
    v.is_finite().then_some(v)
}

/// A number whose reading depends on the writer's locale: a thousands separator beside a
/// decimal mark (`1.234,5`, `1,234.5`), or one to three digits (not starting with 0), a point
/// or comma and exactly three digits (`1.234`: 1234 in Dutch, 1.234 in English). Such cells
/// are rejected, never guessed.
pub fn is_ambiguous_number(s: &str) -> bool {
    let s = s.trim().trim_start_matches(['-', '+']);
    if s.contains('.') && s.contains(',') {
        return true;
    }
    let Some((int, frac)) = s.split_once(['.', ',']) else {
        return false;
    };
    (1..=3).contains(&int.len())
        && !int.starts_with('0')
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() == 3
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// The reject reason for a cell `parse_number` refused: ambiguity named, else `otherwise`.
pub fn number_reason(s: &str, otherwise: &str) -> String {
    if is_ambiguous_number(s) {
        "ambiguous number (a thousands separator, or three decimals?): write it without a \
         thousands separator"
            .into()
    } else {
        otherwise.into()
    }
}

/// The limits in force (`[limits]` of the pipeline being ingested; see [`set_limits`]).
static EARLIEST_YEAR: AtomicI32 = AtomicI32::new(1990);
/// 0: the calendar year after the current one.
static LATEST_YEAR: AtomicI32 = AtomicI32::new(0);
static MAX_RECORD_LINES: AtomicU64 = AtomicU64::new(50);

/// Puts a pipeline's `[limits]` in force for every reader, until the next call. One ingest runs
/// per process, so the limits are process-wide rather than passed through every reader.
pub fn set_limits(limits: &Limits) {
    EARLIEST_YEAR.store(limits.earliest_year, Ordering::Relaxed);
    LATEST_YEAR.store(limits.latest_year.unwrap_or(0), Ordering::Relaxed);
    MAX_RECORD_LINES.store(limits.max_record_lines, Ordering::Relaxed);
}

/// The earliest year of a plausible school date: earlier ones are typing errors or placeholders
/// (`01-01-1900`). Default 1990.
pub fn earliest_year() -> i32 {
    EARLIEST_YEAR.load(Ordering::Relaxed)
}

/// The latest year of a plausible school date; default the next calendar year (of the moment
/// the process first asked: the clock is read once, not per date checked, and a run that
/// passes New Year's midnight keeps one window).
pub fn latest_year() -> i32 {
    static NEXT_YEAR: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    match LATEST_YEAR.load(Ordering::Relaxed) {
        0 => *NEXT_YEAR.get_or_init(|| chrono::Utc::now().year() + 1),
        y => y,
    }
}

/// The most lines one delimited record may span (see [`crate::delimited::parse`]). Default 50.
pub fn max_record_lines() -> u64 {
    MAX_RECORD_LINES.load(Ordering::Relaxed)
}

/// Whether a date's year lies in [`earliest_year`] ..= [`latest_year`].
pub fn plausible_year(year: i32) -> bool {
    (earliest_year()..=latest_year()).contains(&year)
}

/// The reject reason for a date whose year lies outside the plausible window.
pub fn implausible_year_reason(year: i32) -> String {
    format!(
        "year {year} is outside {}-{}: a typing error or a placeholder date?",
        earliest_year(),
        latest_year()
    )
}

/// Whether the year in a `d-m-yyyy`, `yyyy-mm-dd` or `d/m/yyyy` text (optionally followed by a
/// time) is written with four digits: `16-01-24` is never the year 24 (or 16).
pub(crate) fn four_digit_year(s: &str) -> bool {
    let date = s.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = date.split(['-', '/']).collect();
    match parts.as_slice() {
        [a, _, c] => a.len() == 4 || c.len() == 4,
        _ => false,
    }
}

/// The common spellings of a date read without a format parser: `yyyy-m(m)-d(d)`,
/// `d(d)-m(m)-yyyy` and `d(d)/m(m)/yyyy`, digits only. `None` for anything else (and for a
/// day that does not exist), which [`parse_date_any_year`] then hands to chrono; where this
/// gives a date, chrono's formats give the same one (tested).
fn plain_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let sep = *b.iter().find(|c| !c.is_ascii_digit())?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let mut parts = s.split(sep as char);
    let (a, m, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || ![a, m, c]
            .iter()
            .all(|p| p.bytes().all(|x| x.is_ascii_digit()))
    {
        return None;
    }
    let short = |p: &str| (1..=2).contains(&p.len());
    let number = |p: &str| p.parse::<u32>().ok();
    let (year, day) = if sep == b'-' && a.len() == 4 && short(c) {
        (a, c)
    } else if short(a) && c.len() == 4 {
        (c, a)
    } else {
        return None;
    };
    if !short(m) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, number(m)?, number(day)?)
}

/// Parses `dd-mm-yyyy`, `d-m-yyyy`, `dd/mm/yyyy` or ISO `yyyy-mm-dd` with a four-digit year in
/// the plausible window ([`plausible_year`]); see [`date_reason`] for why a cell is refused.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_date_any_year(s).filter(|d| plausible_year(d.year()))
}

/// [`parse_date`] without the plausible window (birth dates of staff may be older).
pub fn parse_date_any_year(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Some(d) = plain_date(s) {
        return Some(d);
    }
    if !four_digit_year(s) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// Parses a local date-time `dd-mm-yyyy HH:MM[:SS]` or ISO `yyyy-mm-ddTHH:MM[:SS]`, with a
/// four-digit year in the plausible window.
pub fn parse_local_datetime(s: &str) -> Option<chrono::NaiveDateTime> {
    let s = s.trim();
    if !four_digit_year(s) {
        return None;
    }
    for f in [
        "%d-%m-%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return plausible_year(t.year()).then_some(t);
        }
    }
    None
}

/// The reject reason for a date (or date-time) cell `parse_date` / `parse_local_datetime`
/// refused: a two-digit year, a year outside the plausible window, or `otherwise`.
pub fn date_reason(s: &str, otherwise: &str) -> String {
    let s = s.trim();
    let date = s.split([' ', 'T']).next().unwrap_or("");
    if date.split(['-', '/']).count() == 3 && !four_digit_year(s) {
        return "two-digit year: write the year in full (dd-mm-yyyy)".into();
    }
    match parse_date_any_year(date) {
        Some(d) if !plausible_year(d.year()) => implausible_year_reason(d.year()),
        _ => otherwise.into(),
    }
}

/// Parses an ISO 8601 duration such as `PT41S` or `PT4H35M59.14S` (also with days) to seconds.
pub fn parse_duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = 0.0;
    let mut num = String::new();
    for c in date.chars() {
        match c {
            '0'..='9' | '.' => num.push(c),
            'D' => total += num.parse::<f64>().ok()? * 86_400.0,
            'W' => total += num.parse::<f64>().ok()? * 604_800.0,
            _ => return None,
        }
        if c.is_ascii_alphabetic() {
            num.clear();
        }
    }
    if !num.is_empty() {
        return None;
    }
    for c in time.chars() {
        match c {
            '0'..='9' | '.' => num.push(c),
            'H' => total += num.parse::<f64>().ok()? * 3600.0,
            'M' => total += num.parse::<f64>().ok()? * 60.0,
            'S' => total += num.parse::<f64>().ok()?,
            _ => return None,
        }
        if c.is_ascii_alphabetic() {
            num.clear();
        }
    }
    (num.is_empty() && total.is_finite()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_dates_are_the_dates_chrono_reads() {
        // The formats parse_date_any_year tried before plain_date was added.
        let chrono_only = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
                .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
                .ok()
        };
        let pieces = [
            "", "0", "1", "9", "00", "01", "12", "13", "29", "31", "32", "123", "0000", "2024",
            "1999", "99999", "2o24",
        ];
        let mut plain = 0;
        for a in pieces {
            for m in pieces {
                for c in pieces {
                    for sep in ["-", "/", "."] {
                        let s = format!("{a}{sep}{m}{sep}{c}");
                        if let Some(d) = plain_date(&s) {
                            plain += 1;
                            assert_eq!(chrono_only(&s), Some(d), "{s}");
                        }
                    }
                }
            }
        }
        assert!(plain > 100, "the plain spellings were tried ({plain})");
        for s in [
            "2024-02-29",
            "29-02-2024",
            "1-3-2024",
            "01/03/2024",
            "2024-3-1",
        ] {
            assert!(plain_date(s).is_some(), "{s}");
            assert_eq!(parse_date_any_year(s), chrono_only(s), "{s}");
        }
        for s in [
            "2023-02-29",
            "2024-03-01-",
            "24-03-01",
            "2024/03/01",
            "2024-03-01 10:00",
        ] {
            assert_eq!(plain_date(s), None, "{s}");
        }
    }

    #[test]
    fn the_streamed_checksum_is_the_checksum_of_the_whole_file() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("s.ndjson");
        std::fs::write(&plain, "line one\nline two\n".repeat(100_000)).unwrap();
        let gz = dir.path().join("s.ndjson.gz");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"a\nb\n").unwrap();
        let mut bytes = e.finish().unwrap();
        bytes.extend(b"trailing bytes no decoder reads");
        std::fs::write(&gz, bytes).unwrap();
        for (path, read_all) in [(&plain, true), (&plain, false), (&gz, true)] {
            let want = file_info(path).unwrap();
            let (mut stream, hashing) = open_hashed(path).unwrap();
            let mut sink = Vec::new();
            if read_all {
                let _ = stream.read_to_end(&mut sink);
            } else {
                stream.by_ref().take(10).read_to_end(&mut sink).unwrap();
            }
            drop(stream);
            let got = hashing.finish().unwrap();
            assert_eq!(
                (got.sha256, got.bytes, got.gzip),
                (want.sha256, want.bytes, want.gzip),
                "{}",
                path.display()
            );
        }
    }

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn encodings_are_detected_and_decoded() {
        let text = "leerling;toets;score\nL1;Rekenen;184,5\nL2;Begrijpend lezen;café\n";
        let decode = |bytes: Vec<u8>| decode_text(Path::new("x.csv"), bytes.as_slice()).unwrap();
        assert_eq!(
            decode(text.as_bytes().to_vec()),
            (text.to_string(), "UTF-8")
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(text.as_bytes());
        assert_eq!(decode(bom), (text.to_string(), "UTF-8"));
        assert_eq!(
            decode(utf16(text, true, true)),
            (text.to_string(), "UTF-16LE")
        );
        assert_eq!(
            decode(utf16(text, true, false)),
            (text.to_string(), "UTF-16LE")
        );
        assert_eq!(
            decode(utf16(text, false, true)),
            (text.to_string(), "UTF-16BE")
        );
        assert_eq!(
            decode(utf16(text, false, false)),
            (text.to_string(), "UTF-16BE")
        );
        // Windows-1252: é is 0xE9, the euro sign 0x80.
        let mut cp = b"naam;bedrag\nJos\xE9;\x80 5\n".to_vec();
        assert_eq!(
            decode(std::mem::take(&mut cp)),
            ("naam;bedrag\nJosé;€ 5\n".to_string(), "windows-1252")
        );
        // A UTF-16 file cut in the middle of a character is an error, not a guess.
        let mut odd = utf16(text, true, true);
        odd.pop();
        assert!(decode_text(Path::new("x.csv"), odd.as_slice()).is_err());
    }

    #[test]
    fn numbers_in_dutch_and_international_spelling() {
        assert_eq!(parse_number("312"), Some(312.0));
        assert_eq!(parse_number("4,6"), Some(4.6));
        assert_eq!(parse_number(" 312.5 "), Some(312.5));
        assert_eq!(parse_number("0,125"), Some(0.125));
        assert_eq!(parse_number("1234"), Some(1234.0));
        assert_eq!(parse_number("-12,5"), Some(-12.5));
        for bad in ["", "afw.", "-", "NaN", "inf", "1,2,3"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
        // Locale-dependent spellings are refused, with a reason that says so.
        for ambiguous in ["1.234", "1,234", "1.234,5", "1,234.5", "-2.500"] {
            assert_eq!(parse_number(ambiguous), None, "{ambiguous}");
            assert!(
                number_reason(ambiguous, "x").contains("ambiguous"),
                "{ambiguous}"
            );
        }
        assert_eq!(number_reason("abc", "not a number"), "not a number");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
        for s in ["31-01-2025", "31/01/2025", "2025-01-31", "31-1-2025"] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        assert_eq!(parse_date("31-02-2025"), None);
        assert_eq!(parse_date("2025-13-01"), None);
        // Two-digit years are never years 0-99; implausible years are refused with a reason.
        for s in ["16-01-24", "24-01-16", "1-2-25", "16/01/24"] {
            assert_eq!(parse_date(s), None, "{s}");
            assert!(date_reason(s, "x").contains("two-digit year"), "{s}");
        }
        assert_eq!(parse_local_datetime("16-01-24 10:00"), None);
        for s in ["01-01-1900", "0001-01-01", "31-12-9999", "2100-01-01"] {
            assert_eq!(parse_date(s), None, "{s}");
            assert!(date_reason(s, "x").contains("outside 1990-"), "{s}");
        }
        assert_eq!(parse_local_datetime("01-01-1900 10:00"), None);
        assert_eq!(date_reason("gisteren", "not a date"), "not a date");
        assert_eq!(
            parse_date_any_year("17-08-1965"),
            NaiveDate::from_ymd_opt(1965, 8, 17)
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT41S"), Some(41.0));
        assert!((parse_duration("PT4H35M59.14S").unwrap() - 16_559.14).abs() < 1e-9);
        assert_eq!(parse_duration("P1DT1M"), Some(86_460.0));
        assert_eq!(parse_duration("41S"), None);
        assert_eq!(parse_duration("PT4X"), None);
    }

    #[test]
    fn gzip_and_bom_are_handled() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"\xEF\xBB\xBFa;b\n1;2\n").unwrap();
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        let (text, info) = read_text(&p).unwrap();
        assert_eq!(text, "a;b\n1;2\n");
        assert!(info.gzip);
        assert_eq!(info.sha256.len(), 64);
        assert_eq!(info.encoding, "UTF-8");
        // Bytes that are not UTF-8 are Windows-1252 (here: ÿþ), and run.json says so.
        let cp = dir.path().join("b.csv");
        std::fs::write(&cp, b"a;b\n\xff\xfe;2\n").unwrap();
        let (text, info) = read_text(&cp).unwrap();
        assert_eq!(
            (text.as_str(), info.encoding),
            ("a;b\nÿþ;2\n", "windows-1252")
        );
    }

    #[test]
    fn title_lines_above_the_header_are_skipped_and_line_numbers_kept() {
        let text =
            "Export groep 5;;\nDatum 20-01-2025;;\nLeerlingnummer;Toets;Score\nL1;R;150\n;;\n";
        let (t, _) = decode_table_text(Path::new("x.csv"), text.as_bytes(), None, Some(3)).unwrap();
        let d = crate::delimited::parse(&t, "x.csv").unwrap();
        assert_eq!(d.headers, ["Leerlingnummer", "Toets", "Score"]);
        // One data row, on line 4; the row of empty cells is no row.
        let rows: Vec<u64> = d.records.iter().map(|r| r.as_ref().unwrap().0).collect();
        assert_eq!(rows, [4]);
        assert!(decode_table_text(Path::new("x.csv"), text.as_bytes(), None, Some(9)).is_err());
        let err = decode_table_text(Path::new("x.csv"), text.as_bytes(), Some("Data"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not an XLSX workbook"), "{err}");
    }
}
