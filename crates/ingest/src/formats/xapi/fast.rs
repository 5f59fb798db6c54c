//! A statement read by a scanner for the common case, faster than serde's derived reader (the
//! ingest of `YEAR=2024 bash bench/ingest.sh` took 0.77 s instead of 0.82 s): an object whose
//! strings have no escapes, without duplicate fields and within serde's limits. It gives exactly what [`Statement`]'s `Deserialize` gives for such a line; on
//! anything else (an escape, a field of an unexpected type, an exponent, a duplicate field, deep
//! nesting, text after the object, invalid JSON) it gives up and the caller reads the line with
//! serde, so that every reject reason stays serde's. `tests` and the `xapi-lines` fuzz target's
//! corpus check the agreement with serde.

use std::borrow::Cow;

use super::statement::{
    Account, Actor, Context, ContextActivities, FirstId, IdOnly, Score, Statement,
    SubjectExtension, XResult, ends_with_ignore_case,
};

/// Nesting beyond which the scanner leaves a line to serde (whose limit is 128).
const MAX_DEPTH: usize = 100;

/// The statement on `line`, or `None` when it is not one the scanner reads (read it with serde).
pub fn statement(line: &str) -> Option<Statement<'_>> {
    // One pass over the line (without an early exit, so that it runs many bytes a step) finds
    // escapes and control characters: a line with an escape goes to serde, and in a line without
    // tabs or carriage returns (whitespace between tokens, never inside a string) no string
    // needs a look at its bytes.
    let (mut escape, mut tab_or_cr, mut control) = (false, false, false);
    for &b in line.as_bytes() {
        escape |= b == b'\\';
        tab_or_cr |= b == b'\t' || b == b'\r';
        control |= b < 0x20 && b != b'\t' && b != b'\r';
    }
    if escape || control {
        return None;
    }
    let mut p = Scanner {
        text: line,
        at: 0,
        depth: 0,
        check_strings: tab_or_cr,
    };
    let st = p.statement()?;
    p.space();
    (p.at == line.len()).then_some(st)
}

/// A position in a line being read; every method gives `None` to leave the line to serde.
struct Scanner<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
    /// The line has tabs or carriage returns: each string is checked for them.
    check_strings: bool,
}

impl<'a> Scanner<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Skips JSON whitespace.
    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not taken.
    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.bytes().get(self.at).copied()
    }

    /// Takes `b` (after whitespace).
    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.at += 1)
    }

    /// Takes `word` (after whitespace) if it is next.
    fn word(&mut self, word: &str) -> bool {
        self.space();
        let here = self.bytes()[self.at..].starts_with(word.as_bytes());
        if here {
            self.at += word.len();
        }
        here
    }

    /// A string without escapes or control characters, borrowed from the line.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = &self.bytes()[self.at..];
        let len = memchr::memchr(b'"', rest)?;
        if self.check_strings && rest[..len].iter().any(|&b| b < 0x20) {
            return None;
        }
        let s = &self.text[self.at..self.at + len];
        self.at += len + 1;
        Some(s)
    }

    /// A number, strictly as JSON spells it, without an exponent; its text.
    fn number(&mut self) -> Option<&'a str> {
        self.space();
        let start = self.at;
        let b = self.bytes();
        let digits = |mut i: usize| {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let mut i = start + usize::from(b.get(start) == Some(&b'-'));
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits(i),
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            let end = digits(i + 1);
            if end == i + 1 {
                return None;
            }
            i = end;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) || i - start > 20 {
            return None;
        }
        self.at = i;
        Some(&self.text[start..i])
    }

    /// Skips any JSON value.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(|p, _| p.skip()),
            b'[' => self.array(|p, _| p.skip()),
            b'"' => self.string().map(drop),
            b't' | b'f' | b'n' => {
                (self.word("true") || self.word("false") || self.word("null")).then_some(())
            }
            _ => self.number().map(drop),
        }
    }

    /// An object, each field's value handed to `field` with its key (`field` takes the value).
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.items(b'{', b'}', |p| {
            let key = p.string()?;
            p.eat(b':')?;
            field(p, key)
        })
    }

    /// An array, each element handed to `element` with its index (`element` takes it).
    fn array(&mut self, mut element: impl FnMut(&mut Self, usize) -> Option<()>) -> Option<()> {
        let mut n = 0;
        self.items(b'[', b']', |p| {
            element(p, n)?;
            n += 1;
            Some(())
        })
    }

    /// `open`, items separated by commas (each taken by `item`), `close`.
    fn items(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.eat(open)?;
        self.nest()?;
        if self.peek()? == close {
            self.at += 1;
        } else {
            loop {
                item(self)?;
                if self.peek()? == b',' {
                    self.at += 1;
                } else {
                    self.eat(close)?;
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A value as serde reads an `Option` of it: `null` is `None`, anything else is `read`.
    fn or_null<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.word("null") {
            return Some(None);
        }
        read(self).map(Some)
    }

    /// A struct of the statement as serde reads an `Option` of it: `null` is `None`, an object
    /// is read by `fields` (each known field once: `seen` holds their bits), anything else is
    /// left to serde.
    fn optional<T: Default>(
        &mut self,
        mut fields: impl FnMut(&mut Self, &'a str, &mut T) -> Option<Known>,
    ) -> Option<Option<T>> {
        self.or_null(|p| {
            if p.peek()? != b'{' {
                return None;
            }
            let mut value = T::default();
            let mut seen = 0u32;
            p.object(|p, key| match fields(p, key, &mut value)? {
                Known::Field(bit) if seen & bit != 0 => None,
                Known::Field(bit) => {
                    seen |= bit;
                    Some(())
                }
                Known::Other => p.skip(),
            })?;
            Some(value)
        })
    }

    /// A string or `null` (serde's `opt_text`).
    fn text(&mut self) -> Option<Option<Cow<'a, str>>> {
        self.or_null(|p| p.string().map(Cow::Borrowed))
    }

    /// The statement: an object (`null` or anything else is left to serde).
    fn statement(&mut self) -> Option<Statement<'a>> {
        self.optional(|p, key, st: &mut Statement<'a>| {
            Some(match key {
                "id" => Known::set(1, &mut st.id, p.text()?),
                "actor" => Known::set(2, &mut st.actor, p.actor()?),
                "verb" => Known::set(4, &mut st.verb, p.id_only()?),
                "object" => Known::set(8, &mut st.object, p.id_only()?),
                "result" => Known::set(16, &mut st.result, p.result()?),
                "context" => Known::set(32, &mut st.context, p.context()?),
                "timestamp" => Known::set(64, &mut st.timestamp, p.text()?),
                _ => Known::Other,
            })
        })?
    }

    fn actor(&mut self) -> Option<Option<Actor<'a>>> {
        self.optional(|p, key, a: &mut Actor<'a>| {
            Some(match key {
                "account" => {
                    let account = p.optional(|p, key, a: &mut Account<'a>| {
                        Some(match key {
                            "name" => Known::set(1, &mut a.name, p.text()?),
                            _ => Known::Other,
                        })
                    })?;
                    Known::set(1, &mut a.account, account)
                }
                "mbox" => Known::set(2, &mut a.mbox, p.text()?),
                "mbox_sha1sum" => Known::set(4, &mut a.mbox_sha1sum, p.text()?),
                _ => Known::Other,
            })
        })
    }

    fn id_only(&mut self) -> Option<Option<IdOnly<'a>>> {
        self.optional(|p, key, v: &mut IdOnly<'a>| {
            Some(match key {
                "id" => Known::set(1, &mut v.id, p.text()?),
                _ => Known::Other,
            })
        })
    }

    fn result(&mut self) -> Option<Option<XResult<'a>>> {
        self.optional(|p, key, r: &mut XResult<'a>| {
            Some(match key {
                "success" => {
                    let success = p.or_null(|p| {
                        if p.word("true") {
                            Some(true)
                        } else {
                            p.word("false").then_some(false)
                        }
                    })?;
                    Known::set(1, &mut r.success, success)
                }
                "score" => {
                    let score = p.optional(|p, key, s: &mut Score| {
                        Some(match key {
                            "scaled" => {
                                // serde's own number reading, for the same bits.
                                let scaled =
                                    p.or_null(|p| serde_json::from_str::<f64>(p.number()?).ok())?;
                                Known::set(1, &mut s.scaled, scaled)
                            }
                            _ => Known::Other,
                        })
                    })?;
                    Known::set(2, &mut r.score, score)
                }
                "duration" => Known::set(4, &mut r.duration, p.text()?),
                _ => Known::Other,
            })
        })
    }

    fn context(&mut self) -> Option<Option<Context<'a>>> {
        self.optional(|p, key, c: &mut Context<'a>| {
            Some(match key {
                "contextActivities" => {
                    let activities = p.optional(|p, key, a: &mut ContextActivities<'a>| {
                        Some(match key {
                            "parent" => Known::set(1, &mut a.parent, p.or_null(Self::first_id)?),
                            "grouping" => {
                                Known::set(2, &mut a.grouping, p.or_null(Self::first_id)?)
                            }
                            _ => Known::Other,
                        })
                    })?;
                    Known::set(1, &mut c.context_activities, activities)
                }
                "extensions" => Known::set(2, &mut c.extensions, p.or_null(Self::subject)?),
                _ => Known::Other,
            })
        })
    }

    /// [`FirstId`]: an array's first element, an activity's id, else no id.
    fn first_id(&mut self) -> Option<FirstId<'a>> {
        match self.peek()? {
            b'[' => {
                let mut first = FirstId(None);
                self.array(|p, n| {
                    if n == 0 {
                        first = p.first_id()?;
                        Some(())
                    } else {
                        p.skip()
                    }
                })?;
                Some(first)
            }
            b'{' => Some(FirstId(self.id_only()?.and_then(|a| a.id))),
            _ => {
                self.skip()?;
                Some(FirstId(None))
            }
        }
    }

    /// [`SubjectExtension`]: the first key ending in `subject` decides (its value when a
    /// string); any other value than an object has none.
    fn subject(&mut self) -> Option<SubjectExtension> {
        if self.peek()? != b'{' {
            self.skip()?;
            return Some(SubjectExtension(None));
        }
        let mut subject: Option<Option<String>> = None;
        self.object(|p, key| {
            if subject.is_none() && ends_with_ignore_case(key, "subject") {
                subject = Some(if p.peek()? == b'"' {
                    Some(p.string()?.to_string())
                } else {
                    p.skip()?;
                    None
                });
                Some(())
            } else {
                p.skip()
            }
        })?;
        Some(SubjectExtension(subject.flatten()))
    }
}

/// What a struct's field reader found.
enum Known {
    /// A known field (its bit), read.
    Field(u32),
    /// Another field, not yet taken.
    Other,
}

impl Known {
    /// Stores a known field's value.
    fn set<T>(bit: u32, slot: &mut T, value: T) -> Known {
        *slot = value;
        Known::Field(bit)
    }
}

/// Checks that the scanner's statement is serde's wherever the scanner reads one (panics when
/// not); true when it read `line`. For the tests and the fuzz targets.
pub(crate) fn agrees(line: &str) -> bool {
    match statement(line) {
        None => false,
        Some(fast) => {
            let slow: Statement<'_> = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("serde refuses what the scanner read ({e}): {line}"));
            assert_eq!(fast, slow, "{line}");
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_statements_are_read_as_serde_reads_them() {
        for line in [
            r#"{"id":"6f1c","actor":{"objectType":"Agent","account":{"homePage":"https://lms","name":"L100041"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"nl":"beantwoordde"}},"object":{"id":"https://lms/tasks/t1/item3","definition":{"type":"x"}},"result":{"success":false,"score":{"scaled":0.25,"raw":1},"duration":"PT1M2.5S"},"context":{"contextActivities":{"parent":[{"id":"https://lms/tasks/t1"}],"grouping":[{"id":"g"},{"id":"h"}]},"extensions":{"https://lms/level":{"a":[1,2.5,-0,true,null]},"https://lms/Subject":"rekenen","https://lms/subject":"taal"}},"timestamp":"2024-09-06T09:34:00+02:00"}"#,
            r#" { "actor" : { "mbox" : "mailto:a@b.nl" } , "verb" : null , "result" : { "score" : { "scaled" : 1 } , "success" : null } } "#,
            r#"{"actor":{"mbox_sha1sum":"da39a3ee5e6b4b0d3255bfef95601890afd80709","account":null},"context":{"contextActivities":{"parent":{"id":"t"},"grouping":"x"},"extensions":[1]},"result":{"score":{"scaled":-0.0}}}"#,
            r#"{"context":{"contextActivities":{"parent":[[{"id":"deep"}],{"id":"no"}],"grouping":[]},"extensions":{"x-subject":{"code":1},"y-subject":"later"}}}"#,
            r#"{"context":{"contextActivities":{"parent":[7,{"id":"t"}]},"extensions":"s"},"unknown":[{},[],""]}"#,
            r#"{"result":{"score":{"scaled":0.30000000000000004}},"context":null}"#,
            "{}",
            "{\t\"id\" :\r\"a\"}\r",
        ] {
            assert!(
                agrees(line),
                "the scanner left a common line to serde: {line}"
            );
        }
    }

    #[test]
    fn anything_unusual_is_left_to_serde() {
        for line in [
            r#"{"id":"a\/b"}"#,                        // an escape
            r#"{"id":"a","id":"b"}"#,                  // a duplicate field
            r#"{"actor":{"mbox":"m","mbox":"n"}}"#,    // one deeper
            r#"{"id":7}"#,                             // a field of another type
            r#"{"actor":["x"]}"#,                      // a struct as a list
            r#"{"result":{"success":"yes"}}"#,         // not a boolean
            r#"{"result":{"score":{"scaled":1e-1}}}"#, // an exponent
            r#"{"x":01}"#,                             // not JSON
            r#"{"x":1.}"#,
            r#"{"x":-}"#,
            r#"{"x":tru}"#,
            r#"{"x":[1,]}"#,
            r#"{"x":1} x"#,               // text after the object
            r#"{"x":"tab	in a string"}"#, // a control character
            "{\"x\":\"a\u{1}b\"}",
            r#"["not","an","object"]"#,
            "null",
            r#"{"id":"a""#,
            "",
        ] {
            assert!(statement(line).is_none(), "{line}");
        }
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(120), "]".repeat(120));
        assert!(statement(&deep).is_none(), "deep nesting goes to serde");
        let fine = format!("{{\"x\":{}1{}}}", "[".repeat(50), "]".repeat(50));
        assert!(agrees(&fine));
    }

    #[test]
    fn every_line_of_the_golden_corpus_agrees_where_the_scanner_reads_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile/xapi");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for line in text.lines() {
                read += agrees(line) as usize;
            }
        }
        assert!(
            read > 20,
            "the scanner read {read} lines of the golden corpus"
        );
    }
}
