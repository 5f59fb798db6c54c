//! xAPI statements, one JSON object per line (NDJSON, as LRS exports write them).
//!
//! The actor is recognised by `account.name`, `mbox` or `mbox_sha1sum` against the roster's ids;
//! the verb maps to a canonical event kind through the pipeline's verb map; the task is the first
//! `context.contextActivities.parent` (or `grouping`) id; the subject is a context extension
//! whose key ends in `subject`. A statement that voids another is rejected with that reason:
//! voiding is not applied yet. Statement ids must be unique within a file.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Read};

use chrono::DateTime;
use leerwinst_core::clock;
use leerwinst_core::pipeline::EventKind;
use leerwinst_core::{Error, Result, SchoolYear, Table};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::context::{self, Ctx, IdResolver};
use crate::input::parse_duration;
use crate::pseudonym::Pseudonymiser;
use crate::rows::EventRow;

#[derive(Deserialize)]
struct Statement {
    id: Option<String>,
    actor: Option<Actor>,
    verb: Option<Verb>,
    object: Option<Object>,
    result: Option<XResult>,
    context: Option<Context>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct Actor {
    account: Option<Account>,
    mbox: Option<String>,
    mbox_sha1sum: Option<String>,
}

#[derive(Deserialize)]
struct Account {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Verb {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Object {
    id: Option<String>,
}

#[derive(Deserialize)]
struct XResult {
    success: Option<bool>,
    score: Option<Score>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct Score {
    scaled: Option<f64>,
}

#[derive(Deserialize)]
struct Context {
    #[serde(rename = "contextActivities")]
    context_activities: Option<ContextActivities>,
    extensions: Option<BTreeMap<String, Value>>,
}

#[derive(Deserialize)]
struct ContextActivities {
    parent: Option<Value>,
    grouping: Option<Value>,
}

/// First activity id of a context-activity list (an array, or a single object as the spec allows).
fn first_id(v: &Option<Value>) -> Option<String> {
    let v = v.as_ref()?;
    let obj = match v {
        Value::Array(a) => a.first()?,
        o => o,
    };
    obj.get("id")?.as_str().map(str::to_string)
}

/// What one line became.
enum Parsed {
    /// An event, with the statement id for the duplicate check.
    Row(Option<String>, EventRow),
    /// A rejected line: (column, value, reason).
    Reject(&'static str, String, String),
}

fn reject(column: &'static str, value: impl Into<String>, reason: impl Into<String>) -> Parsed {
    Parsed::Reject(column, value.into(), reason.into())
}

/// Parses one statement line. Pure, so lines are parsed in parallel.
fn parse_line(
    line: &[u8],
    ids: &IdResolver,
    pseudo: &Pseudonymiser,
    verbs: &BTreeMap<String, EventKind>,
) -> Parsed {
    let st: Statement = match serde_json::from_slice(line) {
        Ok(s) => s,
        // No snippet of the line: it may hold an actor's id. The line number finds it.
        Err(e) => return reject("(json)", "", format!("malformed JSON: {e}")),
    };
    let Some(actor) = st.actor else {
        return reject("actor", "", "statement has no actor");
    };
    let who = actor
        .account
        .and_then(|a| a.name)
        .or_else(|| {
            actor
                .mbox
                .map(|m| m.trim_start_matches("mailto:").to_string())
        })
        .or(actor.mbox_sha1sum);
    let Some(who) = who else {
        return reject(
            "actor",
            "",
            "actor has no account name, mbox or mbox_sha1sum",
        );
    };
    let pupil_key = match context::pupil_key(ids, pseudo, &who) {
        Ok(k) => k,
        Err((value, reason)) => return reject("actor", value, reason),
    };
    let Some(verb) = st.verb.and_then(|v| v.id) else {
        return reject("verb.id", "", "statement has no verb id");
    };
    if verb == "http://adlnet.gov/expapi/verbs/voided" {
        return reject(
            "verb.id",
            verb,
            "voiding statement: voiding is not applied yet",
        );
    }
    let Some(ts_raw) = st.timestamp else {
        return reject("timestamp", "", "statement has no timestamp");
    };
    let ts = match DateTime::parse_from_rfc3339(&ts_raw) {
        Ok(t) => t.to_utc(),
        Err(_) => match chrono::NaiveDateTime::parse_from_str(&ts_raw, "%Y-%m-%dT%H:%M:%S%.f") {
            // No offset: read as Dutch local time.
            Ok(local) => clock::amsterdam_to_utc(local),
            Err(_) => {
                return reject(
                    "timestamp",
                    ts_raw,
                    "not a valid ISO 8601 timestamp (expected e.g. 2025-01-20T09:14:33+01:00)",
                );
            }
        },
    };
    let kind = verbs.get(&verb).copied().unwrap_or(EventKind::Other);
    let (success, score_scaled, duration) = match st.result {
        Some(r) => (r.success, r.score.and_then(|s| s.scaled), r.duration),
        None => (None, None, None),
    };
    let duration_s = match duration {
        None => None,
        Some(d) => match parse_duration(&d) {
            Some(x) => Some(x),
            None => return reject("result.duration", d, "not an ISO 8601 duration"),
        },
    };
    if let Some(s) = score_scaled
        && !(-1.0..=1.0).contains(&s)
    {
        return reject(
            "result.score.scaled",
            s.to_string(),
            "scaled score outside [-1, 1]",
        );
    }
    let (task_id, subject) = match st.context {
        Some(c) => {
            let task = c
                .context_activities
                .and_then(|ca| first_id(&ca.parent).or_else(|| first_id(&ca.grouping)));
            let subject = c.extensions.and_then(|ext| {
                ext.iter()
                    .find(|(k, _)| k.to_lowercase().ends_with("subject"))
                    .and_then(|(_, v)| v.as_str().map(str::to_string))
            });
            (task, subject)
        }
        None => (None, None),
    };
    let object_id = st.object.and_then(|o| o.id);
    let task_id = task_id.or_else(|| {
        matches!(kind, EventKind::Attempt | EventKind::Complete)
            .then(|| object_id.clone())
            .flatten()
    });
    Parsed::Row(
        st.id,
        EventRow {
            pupil_key,
            school_year: SchoolYear::of_date(clock::utc_to_amsterdam(ts).date()).to_string(),
            ts: ts.timestamp_micros(),
            kind: kind.as_str(),
            verb,
            object_id,
            task_id,
            subject,
            success,
            score_scaled,
            duration_s,
        },
    )
}

/// Lines parsed per parallel batch.
const BATCH_LINES: usize = 32 * 1024;

/// Reads xAPI statements from a stream; returns (rows, statements read). Three shapes are
/// recognised by their first characters: NDJSON (one statement per line; streamed, parsing
/// batches of lines in parallel, memory holding one batch besides the rows), a JSON array of
/// statements, and an LRS page export `{"statements": [...], "more": "..."}` (both read whole).
/// Blank NDJSON lines are skipped and not counted. In rejects, `line` is the file line for
/// NDJSON and the statement's 1-based position for the other two.
pub fn read_stream(
    ctx: &mut Ctx<'_>,
    mut input: impl BufRead,
    verbs: &BTreeMap<String, EventKind>,
) -> Result<(Vec<EventRow>, usize)> {
    // The first line decides: `[` opens an array; an object with `statements` is an LRS page;
    // an object that does not parse on its own line is a pretty-printed document, unless the
    // whole text does not parse either, in which case it is NDJSON with a bad first line.
    let mut first = Vec::new();
    input
        .read_until(b'\n', &mut first)
        .map_err(|e| Error::input(&ctx.file, format!("cannot read line 1: {e}")))?;
    if first.starts_with(&[0xEF, 0xBB, 0xBF]) {
        first.drain(..3);
    }
    let head = first.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let line_is_object = serde_json::from_slice::<Value>(&first)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.contains_key("statements")));
    let whole_document = head == Some(b'[')
        || line_is_object == Some(true)
        || (head == Some(b'{') && line_is_object.is_none());
    if whole_document {
        let mut text = first;
        input
            .read_to_end(&mut text)
            .map_err(|e| Error::input(&ctx.file, format!("cannot read: {e}")))?;
        match serde_json::from_slice::<Value>(&text) {
            Ok(Value::Array(statements)) => return Ok(read_values(ctx, statements, verbs)),
            Ok(Value::Object(mut page)) if page.contains_key("statements") => {
                return match page.remove("statements") {
                    Some(Value::Array(statements)) => Ok(read_values(ctx, statements, verbs)),
                    _ => Err(Error::input(
                        &ctx.file,
                        "an LRS page whose `statements` is not an array",
                    )),
                };
            }
            // A document opening with `[` that parses is an array, handled above.
            Err(e) if head == Some(b'[') => {
                return Err(Error::input(
                    &ctx.file,
                    format!("not a valid JSON array of statements: {e}"),
                ));
            }
            // Not one document: NDJSON after all (its bad lines are rejected one by one).
            _ => return read_ndjson(ctx, std::io::Cursor::new(text), verbs),
        }
    }
    read_ndjson(ctx, std::io::Cursor::new(first).chain(input), verbs)
}

/// Statements of a JSON array or LRS page, numbered from 1.
fn read_values(
    ctx: &mut Ctx<'_>,
    statements: Vec<Value>,
    verbs: &BTreeMap<String, EventKind>,
) -> (Vec<EventRow>, usize) {
    let batch: Vec<(u64, Vec<u8>)> = statements
        .iter()
        .enumerate()
        .map(|(i, v)| (i as u64 + 1, serde_json::to_vec(v).unwrap_or_default()))
        .collect();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let read = parse_batch(ctx, &batch, verbs, &mut rows, &mut seen);
    (rows, read)
}

/// Parses a batch of (line, statement bytes) in parallel into `rows`, rejecting bad statements
/// and repeated statement ids; returns the statements read.
fn parse_batch(
    ctx: &mut Ctx<'_>,
    batch: &[(u64, Vec<u8>)],
    verbs: &BTreeMap<String, EventKind>,
    rows: &mut Vec<EventRow>,
    seen: &mut HashSet<String>,
) -> usize {
    let t = Table::Events;
    let parsed: Vec<Parsed> = batch
        .par_iter()
        .map(|(_, line)| parse_line(line, ctx.ids, ctx.pseudo, verbs))
        .collect();
    for ((line, _), p) in batch.iter().zip(parsed) {
        match p {
            Parsed::Row(id, row) => {
                if let Some(id) = id
                    && !seen.insert(id.clone())
                {
                    ctx.reject(t, *line, "id", &id, "duplicate statement id");
                    continue;
                }
                rows.push(row);
            }
            Parsed::Reject(column, value, reason) => ctx.reject(t, *line, column, &value, &reason),
        }
    }
    batch.len()
}

/// Streams NDJSON statements in batches of lines.
fn read_ndjson(
    ctx: &mut Ctx<'_>,
    mut input: impl BufRead,
    verbs: &BTreeMap<String, EventKind>,
) -> Result<(Vec<EventRow>, usize)> {
    let mut rows = Vec::new();
    let mut read = 0;
    let mut seen: HashSet<String> = HashSet::new();
    let mut line_no = 0u64;
    let mut batch: Vec<(u64, Vec<u8>)> = Vec::with_capacity(BATCH_LINES);
    loop {
        batch.clear();
        let mut eof = false;
        while batch.len() < BATCH_LINES {
            let mut buf = Vec::new();
            let n = input.read_until(b'\n', &mut buf).map_err(|e| {
                Error::input(&ctx.file, format!("cannot read line {}: {e}", line_no + 1))
            })?;
            if n == 0 {
                eof = true;
                break;
            }
            line_no += 1;
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            batch.push((line_no, buf));
        }
        read += parse_batch(ctx, &batch, verbs, &mut rows, &mut seen);
        if eof {
            break;
        }
    }
    Ok((rows, read))
}

/// Reads NDJSON statements from text; returns (rows, lines read).
pub fn read(
    ctx: &mut Ctx<'_>,
    text: &str,
    verbs: &BTreeMap<String, EventKind>,
) -> (Vec<EventRow>, usize) {
    read_stream(ctx, text.as_bytes(), verbs).expect("reading from memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;
    use leerwinst_core::pipeline::default_verbs;

    #[test]
    fn statements_become_events_and_bad_lines_are_rejected() {
        let good = r#"{"id":"a","actor":{"account":{"homePage":"h","name":"L1"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://lms/t1/item1"},"result":{"success":false,"duration":"PT41S"},"context":{"contextActivities":{"parent":{"id":"https://lms/t1"}},"extensions":{"https://x/subject":"rekenen"}},"timestamp":"2025-01-20T09:14:33+01:00"}"#;
        let mbox = r#"{"id":"b","actor":{"mbox":"mailto:emma@example.nl"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms/t1"},"result":{"success":true,"score":{"scaled":0.67}},"timestamp":"2025-06-20T10:00:00Z"}"#;
        let text = format!(
            "{good}\n\n{mbox}\n{good}\n{{\"id\":\"c\",\"actor\":\n{}\n{}\n{}\n",
            good.replace("\"a\"", "\"d\"").replace("L1", "L7"),
            good.replace("\"a\"", "\"e\"").replace("+01:00", "+25:00"),
            good.replace("\"a\"", "\"f\"")
                .replace("PT41S", "41 seconds"),
        );
        let mut ids = IdResolver::with_roster();
        ids.add("L1", "L1");
        ids.add("emma@example.nl", "L1");
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::keyed(b"0123456789abcdef");
        let mut ctx = Ctx {
            source: "lms",
            file: "s.ndjson".into(),
            rejects: &mut rejects,
            ids: &ids,
            pseudo: &pseudo,
        };
        let (rows, read) = read(&mut ctx, &text, &default_verbs());
        assert_eq!(read, 7);
        assert_eq!(rows.len(), 2);
        assert_eq!(rejects.total(), 5);
        let e = &rows[0];
        assert_eq!(e.kind, "answer");
        assert_eq!(e.task_id.as_deref(), Some("https://lms/t1"));
        assert_eq!(e.subject.as_deref(), Some("rekenen"));
        assert_eq!(e.success, Some(false));
        assert_eq!(e.duration_s, Some(41.0));
        assert_eq!(e.school_year, "2024-2025");
        assert_eq!(
            e.ts,
            chrono::DateTime::parse_from_rfc3339("2025-01-20T08:14:33Z")
                .unwrap()
                .timestamp_micros()
        );
        assert_eq!(
            rows[1].pupil_key, e.pupil_key,
            "mbox resolves to the same pupil"
        );
        assert_eq!(rows[1].kind, "complete");
        assert_eq!(rows[1].task_id.as_deref(), Some("https://lms/t1"));
        let reasons: Vec<String> = rejects
            .first(10)
            .iter()
            .map(|r| format!("{}:{}", r.line, r.reason))
            .collect();
        assert!(
            reasons[0].starts_with("4:duplicate statement id"),
            "{reasons:?}"
        );
        assert!(reasons[1].starts_with("5:malformed JSON"), "{reasons:?}");
        assert!(reasons[2].starts_with("6:unknown pupil"), "{reasons:?}");
        assert!(
            reasons[3].starts_with("7:not a valid ISO 8601 timestamp"),
            "{reasons:?}"
        );
        assert!(
            reasons[4].starts_with("8:not an ISO 8601 duration"),
            "{reasons:?}"
        );
    }

    fn ctx_parts() -> (IdResolver, Rejects, Pseudonymiser) {
        let mut ids = IdResolver::with_roster();
        ids.add("L1", "L1");
        (ids, Rejects::default(), Pseudonymiser::off())
    }

    const ST: &str = r#"{"id":"a","actor":{"account":{"homePage":"h","name":"L1"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://lms/t1/item1"},"timestamp":"2025-01-20T09:14:33+01:00"}"#;

    #[test]
    fn json_arrays_and_lrs_pages_are_read_and_numbered_by_position() {
        let second = ST.replace("\"a\"", "\"b\"");
        let bad = ST.replace("\"a\"", "\"c\"").replace("L1", "L9");
        let array = format!("[\n  {ST},\n  {second},\n  {bad}\n]\n");
        let page = format!(
            "{{\n  \"statements\": [{ST}, {second}, {bad}],\n  \"more\": \"/xapi/statements?page=2\"\n}}\n"
        );
        let one_line_page = page.replace('\n', "");
        for text in [array, page, one_line_page] {
            let (ids, mut rejects, pseudo) = ctx_parts();
            let mut ctx = Ctx {
                source: "lms",
                file: "s.json".into(),
                rejects: &mut rejects,
                ids: &ids,
                pseudo: &pseudo,
            };
            let (rows, read) = read(&mut ctx, &text, &default_verbs());
            assert_eq!((read, rows.len(), rejects.total()), (3, 2, 1), "{text}");
            let r = &rejects.first(1)[0];
            assert_eq!(r.line, 3, "the third statement");
            assert!(r.reason.starts_with("unknown pupil"));
        }
    }

    #[test]
    fn a_broken_json_array_is_a_clear_error() {
        let (ids, mut rejects, pseudo) = ctx_parts();
        let mut ctx = Ctx {
            source: "lms",
            file: "s.json".into(),
            rejects: &mut rejects,
            ids: &ids,
            pseudo: &pseudo,
        };
        let err = read_stream(&mut ctx, format!("[{ST},").as_bytes(), &default_verbs())
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a valid JSON array"), "{err}");
    }
}
