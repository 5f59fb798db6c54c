//! The cells of a worksheet as SpreadsheetML text: cell references, texts escaped as Excel
//! escapes them, numbers, and dates as Excel's serial day numbers. The spellings follow
//! rust_xlsxwriter 0.102 (which wrote these workbooks before), so a workbook's parts are the same
//! text as before: `crates/store/tests/xlsx_reference/` holds workbooks it made and the tests in
//! `xlsx_out` compare every part.

use std::borrow::Cow;

/// Excel's longest text in a cell, in UTF-16 units.
pub(super) const MAX_TEXT: usize = 32_767;

/// The letters of column `c` (from 0): `A`, ..., `Z`, `AA`, ...
pub(super) fn column_letters(c: usize) -> String {
    let mut letters = Vec::new();
    let mut n = c + 1;
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// A range of cells (`A1:H7`; one cell alone as `A1`), rows from 1 and columns from 0. With
/// `absolute`, as a formula names it (`$A$1:$H$7`).
pub(super) fn range(last_row: u32, last_col: usize, absolute: bool) -> String {
    let d = if absolute { "$" } else { "" };
    let first = format!("{d}A{d}1");
    let last = format!("{d}{}{d}{last_row}", column_letters(last_col));
    if first == last {
        first
    } else {
        format!("{first}:{last}")
    }
}

/// The range of a sheet's filter as the workbook names it (`$A$1:$H$7`): over every row of a
/// full sheet, as whole columns (`$A:$H`), as Excel writes it.
pub(super) fn filter_name_range(last_row: u32, last_col: usize) -> String {
    if last_row == 1_048_576 {
        let c = column_letters(last_col);
        format!("$A:${c}")
    } else {
        range(last_row, last_col, true)
    }
}

/// Whether a text needs `xml:space="preserve"` (white space at either end).
pub(super) fn needs_preserve(text: &str) -> bool {
    let ws = ['\t', '\n', ' '];
    text.starts_with(ws) || text.ends_with(ws)
}

/// A text as Excel stores it in a cell: a literal `_xHHHH_` is kept by escaping its underscore
/// (`_x005F_xHHHH_`), then markup characters are entities and control characters (but tab and
/// line feed) and the non-characters U+FFFE/U+FFFF are `_xHHHH_`.
pub(super) fn escape_text(text: &str) -> Cow<'_, str> {
    let text = escape_literal_escapes(text);
    if !text.chars().any(|c| escape_of(c).is_some()) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match escape_of(c) {
            Some(Escape::Entity(e)) => out.push_str(e),
            Some(Escape::Code(u)) => out.push_str(&format!("_x{u:04X}_")),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// How a character is escaped.
enum Escape {
    Entity(&'static str),
    Code(u32),
}

fn escape_of(c: char) -> Option<Escape> {
    match c {
        '&' => Some(Escape::Entity("&amp;")),
        '<' => Some(Escape::Entity("&lt;")),
        '>' => Some(Escape::Entity("&gt;")),
        '\t' | '\n' => None,
        '\0'..='\x1f' | '\u{fffe}' | '\u{ffff}' => Some(Escape::Code(u32::from(c))),
        _ => None,
    }
}

/// `_xHHHH_` in a text (which Excel would read as an escaped character) with its underscore
/// escaped.
fn escape_literal_escapes(text: &str) -> Cow<'_, str> {
    const LEN: usize = 7; // _xHHHH_
    if !text.contains("_x") {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    // From the right, so that the earlier positions stay valid.
    for (i, _) in text.rmatch_indices("_x") {
        let end = i + LEN;
        if end > text.len() || !text.is_char_boundary(end - 1) {
            continue;
        }
        if !text[end - 1..].starts_with('_') {
            continue;
        }
        if text[i + 2..end - 1].chars().all(|c| c.is_ascii_hexdigit()) {
            out.replace_range(i..i, "_x005F");
        }
    }
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// The length of a text as Excel counts it (UTF-16 units).
pub(super) fn excel_length(text: &str) -> usize {
    if text.len() <= MAX_TEXT {
        // Never more UTF-16 units than UTF-8 bytes.
        return text.len();
    }
    text.encode_utf16().count()
}

/// Excel's serial day number (days since its epoch, 1899-12-31 = 0, with its false leap day
/// 1900-02-29 = 60; the time of day as a fraction) of a moment `seconds` after the Unix epoch;
/// `None` outside Excel's years 1900-9999.
pub(super) fn serial_day(seconds: i64) -> Option<f64> {
    if !(-2_209_075_200..253_402_300_800).contains(&seconds) {
        return None;
    }
    let days = seconds.div_euclid(86_400);
    let time = seconds.rem_euclid(86_400) as f64 / 86_400.0;
    // 1899-12-31 is day 0, 1900-01-01 day 1; from 1900-03-01 one more for the false leap day.
    let mut serial = days + 25_568;
    if serial > 59 {
        serial += 1;
    }
    Some(serial as f64 + time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_in_excel() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 701, 702, 16_383]
            .iter()
            .map(|&c| column_letters(c))
            .collect();
        assert_eq!(names, ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]);
        assert_eq!(range(1, 0, false), "A1");
        assert_eq!(range(5, 7, false), "A1:H5");
        assert_eq!(range(5, 7, true), "$A$1:$H$5");
        // As rust_xlsxwriter named the filters of a weekly series of 2.6M rows (three sheets).
        assert_eq!(filter_name_range(1_048_576, 12), "$A:$M");
        assert_eq!(filter_name_range(510_584, 12), "$A$1:$M$510584");
    }

    #[test]
    fn texts_are_escaped_as_excel_escapes_them() {
        assert_eq!(escape_text("plain"), "plain");
        assert_eq!(escape_text("a&b<c>d\"e'"), "a&amp;b&lt;c&gt;d\"e'");
        assert_eq!(escape_text("_x0041_ x"), "_x005F_x0041_ x");
        assert_eq!(escape_text("_x00G1_ _x12"), "_x00G1_ _x12");
        assert_eq!(escape_text("ctl\u{1}x\r"), "ctl_x0001_x_x000D_");
        assert_eq!(escape_text("tab\tx\ny"), "tab\tx\ny");
        assert_eq!(escape_text("\u{ffff}"), "_xFFFF_");
        assert!(needs_preserve(" lead") && needs_preserve("trail\n") && !needs_preserve("a b"));
    }

    #[test]
    fn dates_are_excel_serial_days() {
        let day = 86_400;
        assert_eq!(serial_day(0), Some(25_569.0)); // 1970-01-01
        assert_eq!(serial_day(-25_567 * day), Some(1.0)); // 1900-01-01
        assert_eq!(serial_day(-25_509 * day), Some(59.0)); // 1900-02-28
        assert_eq!(serial_day(-25_508 * day), Some(61.0)); // 1900-03-01
        assert_eq!(serial_day(-2_209_075_200), Some(0.0)); // 1899-12-31
        assert_eq!(serial_day(-2_209_075_201), None);
        assert_eq!(serial_day(253_402_300_800), None); // 10000-01-01
        assert_eq!(serial_day(day / 2), Some(25_569.5));
    }
}
