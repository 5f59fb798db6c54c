//! What a message may show of the input: nothing that can name a pupil.
//!
//! Rejects, errors, run.json and the review documents never quote input text. A rejected value
//! is shown by its [`shape`] (letters as `a`/`A`, digit runs longer than four as `9`s), a parser
//! message is reduced to its kind and position ([`json_error`], [`csv_error`]), and a header line
//! is described by its number of columns, never quoted ([`header_listing`]). The line number in the reject
//! finds the original.

/// Marks a value that is already a pseudonym (shown as it is).
const PSEUDONYM_PREFIX: &str = "pseudonym:";

/// A pseudonym as a reject's value: shown as it is by [`shape`].
pub fn pseudonym_value(pseudonym: &str) -> String {
    format!("{PSEUDONYM_PREFIX}{pseudonym}")
}

/// Whether `value` is a [`pseudonym_value`] of a keyed pseudonym (32 lower-case hex digits), or
/// several separated by spaces; an input text that merely starts with the prefix is not.
fn is_pseudonym_value(value: &str) -> bool {
    !value.is_empty()
        && value.split(' ').all(|v| {
            v.strip_prefix(PSEUDONYM_PREFIX).is_some_and(|p| {
                p.len() == 32
                    && p.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
        })
}

/// The longest digit run shown as written: scores, dates, years and times stay readable, while
/// pupil numbers, phone numbers and other ids (five digits and more) do not.
const MAX_DIGIT_RUN: usize = 4;

/// The longest value shown (in characters).
const MAX_SHOWN: usize = 60;

/// The shape of a rejected value: letters become `a` (lower case) or `A` (upper case), digit runs
/// longer than four become `9`s, other characters (and a `T` between digits, as in an ISO
/// timestamp) stay. `Lucas`, `lucas4@school.nl` and `L100041`
/// become `Aaaaa`, `aaaaa4@aaaaaa.aa` and `A999999`; `812,5`, `2024-13-45` and `16-01-24` stay.
/// Pseudonyms made with [`pseudonym_value`] are shown as they are.
pub fn shape(value: &str) -> String {
    if is_pseudonym_value(value) {
        return value.to_string();
    }
    let chars: Vec<char> = value.chars().take(MAX_SHOWN).collect();
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_numeric() {
            let run = chars[i..].iter().take_while(|c| c.is_numeric()).count();
            let long = run > MAX_DIGIT_RUN;
            out.extend(
                chars[i..i + run]
                    .iter()
                    .map(|&d| if long { '9' } else { d }),
            );
            i += run;
            continue;
        }
        // A `T` between digits separates an ISO timestamp's date and time; any other letter
        // there could be part of an id (`1234X5678`) and is shaped.
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        out.push(if between_digits && c == 'T' {
            c
        } else if c.is_uppercase() {
            'A'
        } else if c.is_alphabetic() {
            'a'
        } else if c.is_control() {
            ' '
        } else {
            c
        });
        i += 1;
    }
    if value.chars().count() > MAX_SHOWN {
        out.push('…');
    }
    out
}

/// A JSON parser message without the input it quotes: kind, what was expected (from our own
/// types) and the column. serde_json's own text quotes offending strings (`invalid type: string
/// "L100041"`), which may be a pupil's id, user name or e-mail address.
pub fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Io => "the JSON could not be read",
        Category::Syntax => "malformed JSON (a syntax error)",
        Category::Eof => "malformed JSON (it ends early)",
        Category::Data => "a JSON value of the wrong type or a field missing",
    };
    let text = e.to_string();
    // ", expected X at line L column C": X names our own type, never input.
    let expected = text
        .split_once(", expected ")
        .map(|(_, rest)| rest.split(" at line ").next().unwrap_or(rest))
        .filter(|x| !x.contains('"'))
        .map(|x| format!(" (expected {x})"))
        .unwrap_or_default();
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| format!(" (missing field {field})"))
        .unwrap_or_default();
    if e.line() == 0 {
        format!("{kind}{expected}{missing}")
    } else {
        format!("{kind}{expected}{missing} at column {}", e.column())
    }
}

/// A CSV reader's message without input text: the kind and, where known, the record's byte
/// offset is left to the caller's line number.
pub fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(_) => "the file could not be read".into(),
        csv::ErrorKind::Utf8 { .. } => "a field is not valid UTF-8 text".into(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, header has {expected_len}"),
        _ => "unreadable row".into(),
    }
}

/// What an error about a missing column says of the file's first line: how many columns it
/// has and how they are separated, never their text (a file without a header line starts with a
/// pupil's row, and a wrong path may point at any file).
pub fn header_listing(headers: &[String], delimiter: u8) -> String {
    let sep = match delimiter {
        b';' => "semicolons",
        b'\t' => "tabs",
        _ => "commas",
    };
    match headers.len() {
        0 => "the file has no header line".into(),
        1 => "its first line is one column (no ; , or tab found)".into(),
        n => format!("its first line has {n} columns separated by {sep} (not shown)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_hide_names_ids_and_addresses_but_keep_numbers_and_dates() {
        assert_eq!(shape("Lucas"), "Aaaaa");
        assert_eq!(shape("lucas4@school.nl"), "aaaaa4@aaaaaa.aa");
        assert_eq!(shape("L100041"), "A999999");
        assert_eq!(shape("100041"), "999999");
        assert_eq!(shape("812,5"), "812,5");
        assert_eq!(shape("2024-13-45"), "2024-13-45");
        assert_eq!(shape("16-01-24"), "16-01-24");
        assert_eq!(
            shape("2024-02-30T09:00:00+01:00"),
            "2024-02-30T09:00:00+01:00"
        );
        assert_eq!(shape("Émile\tZoë"), "Aaaaa Aaa");
        let p = pseudonym_value("0123456789abcdef0123456789abcdef");
        assert_eq!(shape(&p), p);
        assert_eq!(shape("pseudonym:Lucas"), "aaaaaaaaa:Aaaaa");
        assert_eq!(shape(&"x".repeat(100)).chars().count(), MAX_SHOWN + 1);
    }

    #[test]
    fn json_messages_keep_kind_and_position_but_not_the_input() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Actor {
            name: String,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct St {
            actor: Actor,
        }
        let e = serde_json::from_str::<St>(r#"{"actor":"L100041"}"#).unwrap_err();
        let m = json_error(&e);
        assert!(!m.contains("L100041"), "{m}");
        assert!(
            m.contains("wrong type") && m.contains("expected struct Actor"),
            "{m}"
        );
        let e = serde_json::from_str::<St>(r#"{"actor":{"nam":"lucas"}}"#).unwrap_err();
        let m = json_error(&e);
        assert!(
            m.contains("missing field name") && !m.contains("lucas"),
            "{m}"
        );
        let e = serde_json::from_str::<St>(r#"{"actor": lucas@school.nl}"#).unwrap_err();
        let m = json_error(&e);
        assert!(
            m.starts_with("malformed JSON (a syntax error) at column"),
            "{m}"
        );
        assert!(!m.contains("lucas"), "{m}");
    }

    #[test]
    fn a_header_line_is_described_not_quoted() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let m = header_listing(&h(&["100041", "Lucas", "de Vries"]), b';');
        assert_eq!(
            m,
            "its first line has 3 columns separated by semicolons (not shown)"
        );
        assert!(header_listing(&h(&["root:x:0:0"]), b',').contains("one column"));
    }
}
