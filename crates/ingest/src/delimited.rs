//! Delimited text (CSV with `,`, `;` or tab) with header lookup by aliases and line numbers.

use csv::{ReaderBuilder, StringRecord};
use leerwinst_core::{Error, Result};

/// One record: (line it starts on, fields), or a malformed record as `Err((line, reason))`.
pub type Record = std::result::Result<(u64, StringRecord), (u64, String)>;

/// A parsed delimited file: header and records with the line each starts on.
#[derive(Debug)]
pub struct Delimited {
    /// Header names, trimmed.
    pub headers: Vec<String>,
    /// Records in file order.
    pub records: Vec<Record>,
    /// The delimiter found.
    pub delimiter: u8,
    /// The headers as [`Delimited::find`] compares them (see [`header_key`]).
    keys: Vec<String>,
}

/// A header or alias as [`Delimited::find`] compares it: lower case, without spaces, `_` and `-`.
pub(crate) fn header_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Picks the delimiter that occurs most in the header line (the first line that is not blank)
/// among `;`, `,` and tab.
pub fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| first.matches(c).count();
    [(b';', count(';')), (b'\t', count('\t')), (b',', count(','))]
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .filter(|&(_, n)| n > 0)
        .map(|(d, _)| d)
        .unwrap_or(b',')
}

/// Parses `text` of `file` (quoted fields with newlines and CRLF line ends are fine). A quote
/// left open is an error naming the line where it opened: it would take every line up to the next
/// quote into one record, so a record longer than [`crate::input::max_record_lines`] (`[limits]
/// max_record_lines`), or one whose open quote runs over several lines to the end of the file, stops
/// the file rather than hiding those lines in one reject.
pub fn parse(text: &str, file: &str) -> Result<Delimited> {
    // Excel's "CSV (Macintosh)" ends lines with CR alone: read them as lines, so every reject
    // names its own line.
    let cr_only;
    let text = if text.contains('\r') && !text.contains('\n') {
        cr_only = text.replace('\r', "\n");
        cr_only.as_str()
    } else {
        text
    };
    let delimiter = sniff_delimiter(text);
    let mut rdr = ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map(|h| h.iter().map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let width = headers.len();
    // Line numbers from byte offsets: the csv crate's own line counter lags by one on CRLF.
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_at = |pos: Option<&csv::Position>| -> u64 {
        let Some(pos) = pos else { return 0 };
        let mut byte = pos.byte() as usize;
        // A record "starting" on the newline of the previous CRLF starts on the next line.
        while byte < text.len() && matches!(text.as_bytes()[byte], b'\r' | b'\n') {
            byte += 1;
        }
        newlines.partition_point(|&n| n < byte) as u64 + 1
    };
    let mut records = Vec::new();
    let mut rec = StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = line_at(rec.position());
                let end = line_at(Some(rdr.position())).saturating_sub(1).max(line);
                let start = rec.position().map_or(0, |p| p.byte() as usize);
                let open_to_the_end = end > line
                    && rdr.position().byte() as usize >= text.len()
                    && text[start.min(text.len())..].matches('"').count() % 2 == 1;
                if open_to_the_end {
                    return Err(Error::input(
                        file,
                        format!(
                            "a quote opened on line {line} is not closed before the end of the \
                             file: it takes in lines {line}-{end} as one row. Close the quote (or \
                             remove it) and read the file again."
                        ),
                    ));
                }
                if end - line >= crate::input::max_record_lines() {
                    return Err(Error::input(
                        file,
                        format!(
                            "a quote opened on line {line} is not closed: it takes in lines \
                             {line}-{end} as one row. Close the quote (or remove it) and read \
                             the file again."
                        ),
                    ));
                }
                if rec.iter().all(|f| f.trim().is_empty()) {
                    // A blank line, or a row of empty cells (`;;;;;;`, as a spreadsheet saves
                    // the formatted rows below the data): no row at all.
                    continue;
                }
                if rec.len() != width {
                    let spans = if end > line {
                        format!("; it runs over lines {line}-{end} (a quote left open?)")
                    } else {
                        String::new()
                    };
                    records.push(Err((
                        line,
                        format!("row has {} fields, header has {width}{spans}", rec.len()),
                    )));
                } else {
                    records.push(Ok((line, rec.clone())));
                }
            }
            Err(e) => {
                let line = line_at(e.position());
                records.push(Err((line, crate::redact::csv_error(&e))));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
    Ok(Delimited {
        keys: headers.iter().map(|h| header_key(h)).collect(),
        headers,
        records,
        delimiter,
    })
}

impl Delimited {
    /// What a message about a missing column says of the header line (see
    /// [`crate::redact::header_listing`]).
    pub fn header_listing(&self) -> String {
        crate::redact::header_listing(&self.headers, self.delimiter)
    }

    /// Index of the first header matching any alias (case-insensitive, ignoring spaces, `_` and `-`).
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| {
            let a = header_key(a);
            self.keys.iter().position(|k| *k == a)
        })
    }
}

/// A column a format reads.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// What it holds, as the reader's messages and the docs name it (`pupil id`).
    pub what: &'static str,
    /// The header names it is found under, in order of preference.
    pub names: &'static [&'static str],
    /// Whether a file without it is refused.
    pub required: bool,
    /// What the docs add about its values (may be empty).
    pub note: &'static str,
}

impl Column {
    /// A column a file must have.
    pub const fn required(what: &'static str, names: &'static [&'static str]) -> Column {
        Column {
            what,
            names,
            required: true,
            note: "",
        }
    }

    /// A column read when present.
    pub const fn optional(what: &'static str, names: &'static [&'static str]) -> Column {
        Column {
            what,
            names,
            required: false,
            note: "",
        }
    }

    /// The same column with a note on its values for the docs.
    pub const fn note(self, note: &'static str) -> Column {
        Column { note, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_and_parses_quoted_newlines_and_crlf() {
        let d = parse("a;b;c\r\n1;\"x\r\ny\";3\r\n\r\n4;5;6\r\n", "t.csv").unwrap();
        assert_eq!(d.delimiter, b';');
        assert_eq!(d.headers, ["a", "b", "c"]);
        let rows: Vec<_> = d.records.iter().map(|r| r.as_ref().unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(&rows[0].1[1], "x\r\ny");
        assert_eq!(rows[1].0, 5);
        assert_eq!(parse("a\tb\n1\t2\n", "t").unwrap().delimiter, b'\t');
        assert_eq!(parse("a,b\n1,2\n", "t").unwrap().delimiter, b',');
        // Blank lines before the header (a sheet whose first rows are empty) are skipped, and
        // line numbers still count them.
        let d = parse("\n\na;b\n1;2\n", "t").unwrap();
        assert_eq!(d.headers, ["a", "b"]);
        assert_eq!(d.records[0].as_ref().unwrap().0, 4);
    }

    #[test]
    fn a_quote_left_open_stops_the_file_naming_its_line() {
        let mut text = String::from("a;b\n1;2\n3;\"4\n");
        for i in 0..100 {
            text.push_str(&format!("{i};x\n"));
        }
        let e = parse(&text, "t.csv").unwrap_err().to_string();
        assert!(
            e.contains("quote opened on line 3") && e.contains("3-103"),
            "{e}"
        );
        // Line breaks inside a closed quote are fine; a quote left open over the last lines
        // is not (they would vanish into one row).
        let mut ok = String::from("a;b\n1;\"");
        ok.push_str(&"line\n".repeat(20));
        ok.push_str("\"\n2;3\n");
        let d = parse(&ok, "t.csv").unwrap();
        assert_eq!(d.records.len(), 2);
        let e = parse(&format!("{ok}4;\"5\n6;7\n"), "t.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("quote opened on line 24 is not closed before the end"),
            "{e}"
        );
        // On one line it only spoils that row.
        let d = parse(&format!("{ok}4;\"5\n"), "t.csv").unwrap();
        assert_eq!(d.records.len(), 3);
    }

    #[test]
    fn short_rows_are_reported_with_their_line() {
        let d = parse("a,b\n1,2\n3\n", "t.csv").unwrap();
        assert!(d.records[0].is_ok());
        assert_eq!(d.records[1].as_ref().unwrap_err().0, 3);
        assert_eq!(d.find(&["B"]), Some(1));
        assert_eq!(d.find(&["x", "a"]), Some(0));
    }
}
