//! xAPI statements: NDJSON (one statement per line, as LRS exports write them), a JSON array, or
//! an LRS page export `{"statements": [...], "more": ...}`.
//!
//! The actor is recognised by `account.name`, `mbox` or `mbox_sha1sum` against the roster's ids;
//! the verb maps to a canonical event kind through the pipeline's verb map; the task is the first
//! `context.contextActivities.parent` (or `grouping`) id; the subject is the first context
//! extension whose key ends in `subject`. Statement ids must be unique within a file (UUIDs
//! compared case-insensitively, as the spec defines them); a repeated id is rejected.
//!
//! Voiding is applied within a file, as the spec asks of a reporting tool: a statement with the
//! verb `http://adlnet.gov/expapi/verbs/voided` removes the statement whose id its object
//! (a `StatementRef`) names, wherever in the file that statement stands (LRS exports often list
//! the newest first). Both lines go to the rejects, so read = accepted + rejected still holds:
//! the voided statement "voided by the statement on line N", the voiding one "voiding statement:
//! applied to line M" (or why it could not be: its target is not among the file's accepted
//! statements, e.g. rejected for another reason or in another file). The voiding statement's
//! actor (often a teacher or the LMS) need not be a pupil; a voiding statement cannot itself be
//! voided.
//!
//! NDJSON is streamed: a reader thread cuts the input (decompressing it when gzipped) into chunks
//! of whole lines; one worker per core takes the next chunk and parses it whole, borrowing from
//! it, and gives its buffer back to the reader for reuse. The main thread puts the parsed chunks
//! back in file order and hands their rows to the [`EventStore`] (which holds them in memory or
//! spills them to sorted runs); no worker waits for another. A line is read by a scanner for
//! the common statement (the `fast` module) and, when that leaves it (an escape, an odd field),
//! by serde, whose errors give the reject reasons. Besides the store, memory holds a
//! few chunks; the statement ids for the checks over the file are held or spilled the same way
//! (the `ids` module).

pub(crate) mod fast;
mod ids;
pub mod statement;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Read};
use std::sync::RwLock;

use chrono::{DateTime, Datelike};
use leerwinst_core::clock;
use leerwinst_core::pipeline::EventKind;
use leerwinst_core::{Error, Result, Table};
use rayon::prelude::*;
use serde_json::Value;

use crate::context::{self, IdResolver, ReadContext};
use crate::event_store::EventStore;
use crate::input::{implausible_year_reason, parse_duration, plausible_year};
use crate::pseudonym::Pseudonymiser;
use crate::rows::{EventRow, Shared, event_school_year, intern};
use ids::{IdLine, StatementId, StatementIds};
use statement::Statement;

/// The verb of a statement that voids another.
const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// What one line became.
enum Parsed {
    /// An event, with the statement id for the duplicate check.
    Row(Option<StatementId>, EventRow),
    /// A voiding statement and the id of the statement it voids (`None` without one).
    Voids(Option<StatementId>),
    /// A rejected line: (column, value, reason).
    Reject(&'static str, String, String),
}

fn reject(column: &'static str, value: impl Into<String>, reason: impl Into<String>) -> Parsed {
    Parsed::Reject(column, value.into(), reason.into())
}

/// A pupil's pseudonym, or the (value to show, reason) to reject the statement with.
type PupilKey = std::result::Result<Shared, (String, &'static str)>;

/// Actor ids resolved to pseudonyms (or to the reason they are rejected), shared by the parsing
/// threads, so each distinct actor costs one HMAC, not each statement.
struct PupilCache<'a> {
    ids: &'a IdResolver,
    pseudo: &'a Pseudonymiser,
    known: RwLock<HashMap<String, PupilKey>>,
}

impl<'a> PupilCache<'a> {
    fn new(ids: &'a IdResolver, pseudo: &'a Pseudonymiser) -> Self {
        PupilCache {
            ids,
            pseudo,
            known: RwLock::new(HashMap::new()),
        }
    }

    fn key(&self, who: &str) -> PupilKey {
        if let Some(k) = self.known.read().ok().and_then(|m| m.get(who).cloned()) {
            return k;
        }
        let k = context::pupil_key(self.ids, self.pseudo, who).map(Shared::from);
        if let Ok(mut m) = self.known.write() {
            m.insert(who.to_string(), k.clone());
        }
        k
    }
}

/// Whether the top-level object of an LRS page names `statements` more than once (a struct
/// deserializer refuses a repeated field; serde_json's `Value` keeps the last silently).
fn lrs_page_repeats_statements(text: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Page {
        #[allow(dead_code)]
        statements: serde::de::IgnoredAny,
    }
    serde_json::from_slice::<Page>(text).is_err()
}

/// Whether `verb` is an IRI as xAPI requires of a verb id: a scheme (`http:`, `https:`, `urn:`,
/// ...) and no spaces; `mailto:` names a person, not a verb.
fn is_verb_iri(verb: &str) -> bool {
    let Some((scheme, rest)) = verb.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !scheme.eq_ignore_ascii_case("mailto")
        && !rest.is_empty()
        && !verb.contains(char::is_whitespace)
}

/// What makes a statement an event row besides its pupil: the verb map as a hash table (one
/// hash and one comparison per statement instead of a B-tree walk comparing long IRIs with
/// shared prefixes) and the calendar that gives its school year.
struct Rules<'a> {
    verbs: rustc_hash::FxHashMap<&'a str, EventKind>,
    calendar: leerwinst_core::Calendar,
}

impl Rules<'_> {
    fn new(verbs: &BTreeMap<String, EventKind>, calendar: leerwinst_core::Calendar) -> Rules<'_> {
        Rules {
            verbs: verbs.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
            calendar,
        }
    }
}

/// The pupil key of the actor of the previous statement a parsing task saw: consecutive
/// statements of one actor skip the shared cache and its lock.
type LastActor = Option<(String, PupilKey)>;

/// A statement's text: already checked to be UTF-8 (its whole chunk was, in one fast pass, so
/// the JSON parser need not check each string again), or bytes still to check.
#[derive(Clone, Copy)]
enum Line<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// The address of an xAPI `mbox` (`mailto:` and an e-mail address, the scheme in any case), or
/// None when it is not one: a bare address or a name there would be matched against user names
/// and ids, which an mbox never is.
fn mailto_address(mbox: Cow<'_, str>) -> Option<Cow<'_, str>> {
    let address = |s: &str| {
        let (scheme, rest) = s.trim().split_once(':')?;
        (scheme.eq_ignore_ascii_case("mailto") && crate::context::is_email(rest))
            .then_some(rest.len())
    };
    let len = address(&mbox)?;
    Some(match mbox {
        Cow::Borrowed(b) => Cow::Borrowed(&b.trim()[b.trim().len() - len..]),
        Cow::Owned(o) => Cow::Owned(o.trim()[o.trim().len() - len..].to_string()),
    })
}

/// Parses one statement line. Pure but for the pseudonym cache, so lines are parsed in parallel.
fn parse_line(
    line: Line<'_>,
    pupils: &PupilCache<'_>,
    rules: &Rules<'_>,
    last: &mut LastActor,
) -> Parsed {
    let parsed = match line {
        // The common line by the scanner, any other by serde (whose errors are the reasons).
        Line::Text(t) => fast::statement(t).map_or_else(|| serde_json::from_str(t), Ok),
        Line::Bytes(b) => serde_json::from_slice(b),
    };
    let st: Statement = match parsed {
        Ok(s) => s,
        // No snippet of the line: it may hold an actor's id. The line number finds it.
        Err(e) => return reject("(json)", "", crate::redact::json_error(&e)),
    };
    // Before the actor: whoever voids a statement (a teacher, the LMS) need not be a pupil.
    if st.verb.as_ref().and_then(|v| v.id.as_deref()) == Some(VOIDED) {
        let target = st.object.and_then(|o| o.id);
        return Parsed::Voids(target.as_deref().map(StatementId::new));
    }
    let Some(actor) = st.actor else {
        return reject("actor", "", "statement has no actor");
    };
    let mbox = match actor.mbox.map(mailto_address) {
        Some(None) => {
            // The address is not shown: it names a person.
            return reject(
                "actor.mbox",
                "",
                "mbox is not a mailto: address (expected mailto:name@school.nl)",
            );
        }
        Some(Some(address)) => Some(address),
        None => None,
    };
    let sha1sum = actor.mbox_sha1sum;
    if let Some(h) = &sha1sum
        && !(h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return reject(
            "actor.mbox_sha1sum",
            "",
            "mbox_sha1sum is not a SHA-1 hash (40 hexadecimal digits)",
        );
    }
    let who = actor.account.and_then(|a| a.name).or(mbox).or(sha1sum);
    let Some(who) = who else {
        return reject(
            "actor",
            "",
            "actor has no account name, mbox or mbox_sha1sum",
        );
    };
    let key = match last {
        Some((w, k)) if *w == *who => k.clone(),
        _ => {
            let k = pupils.key(&who);
            *last = Some((who.to_string(), k.clone()));
            k
        }
    };
    let pupil_key = match key {
        Ok(k) => k,
        Err((value, reason)) => return reject("actor", value, reason),
    };
    let Some(verb) = st.verb.and_then(|v| v.id) else {
        return reject("verb.id", "", "statement has no verb id");
    };
    if !is_verb_iri(&verb) {
        // The verb is kept as written: free text there (a name, an e-mail address) never is.
        return reject(
            "verb.id",
            verb,
            "verb id is not an IRI (expected e.g. http://adlnet.gov/expapi/verbs/answered)",
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
    if !plausible_year(ts.year()) {
        return reject("timestamp", ts_raw, implausible_year_reason(ts.year()));
    }
    let kind = rules
        .verbs
        .get(verb.as_ref())
        .copied()
        .unwrap_or(EventKind::Other);
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
            let task = c.context_activities.and_then(|ca| {
                ca.parent
                    .and_then(|f| f.0)
                    .or_else(|| ca.grouping.and_then(|f| f.0))
            });
            (task, c.extensions.and_then(|e| e.0))
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
        st.id.as_deref().map(StatementId::new),
        EventRow {
            pupil_key,
            school_year: event_school_year(rules.calendar, clock::utc_to_amsterdam(ts).date()),
            ts: ts.timestamp_micros(),
            kind: kind.as_str(),
            verb: intern(&verb),
            object_id: object_id.as_deref().map(intern),
            task_id: task_id.as_deref().map(intern),
            subject: subject.as_deref().map(intern),
            success,
            score_scaled,
            duration_s,
        },
    )
}

/// Bytes of NDJSON per chunk parsed in parallel.
const CHUNK_BYTES: usize = 4 << 20;

/// Reads xAPI statements from a stream into `store`; returns the statements read. Three shapes are
/// recognised by their first characters: NDJSON (streamed in chunks of whole lines, see the
/// module), a JSON array of statements, and an LRS page export `{"statements": [...],
/// "more": "..."}` (both read whole). Blank NDJSON lines are skipped and not counted. In rejects,
/// `line` is the file line for NDJSON and the statement's 1-based position for the other two.
pub fn read_stream(
    ctx: &mut ReadContext<'_>,
    mut input: impl BufRead + Send,
    verbs: &BTreeMap<String, EventKind>,
    store: &mut EventStore,
) -> Result<usize> {
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
            Ok(Value::Array(statements)) => return read_values(ctx, statements, verbs, store),
            Ok(Value::Object(mut page)) if page.contains_key("statements") => {
                // serde_json keeps the last of repeated keys: a page naming `statements` twice
                // would lose the first list unseen.
                if lrs_page_repeats_statements(&text) {
                    return Err(Error::input(
                        &ctx.file,
                        "an LRS page that lists `statements` more than once: which list is meant? Export the page again",
                    ));
                }
                return match page.remove("statements") {
                    Some(Value::Array(statements)) => read_values(ctx, statements, verbs, store),
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
                    format!(
                        "not a valid JSON array of statements: {}",
                        crate::redact::json_error(&e)
                    ),
                ));
            }
            // Not one document: NDJSON after all (its bad lines are rejected one by one).
            _ => return read_ndjson(ctx, std::io::Cursor::new(text), verbs, store),
        }
    }
    read_ndjson(ctx, std::io::Cursor::new(first).chain(input), verbs, store)
}

/// Statements of a JSON array or LRS page, numbered from 1, parsed in parallel in parts.
fn read_values(
    ctx: &mut ReadContext<'_>,
    statements: Vec<Value>,
    verbs: &BTreeMap<String, EventKind>,
    store: &mut EventStore,
) -> Result<usize> {
    let texts: Vec<Vec<u8>> = statements
        .iter()
        .map(|v| serde_json::to_vec(v).unwrap_or_default())
        .collect();
    let pupils = PupilCache::new(ctx.ids, ctx.pseudo);
    let table = Rules::new(verbs, ctx.calendar);
    const PART: usize = 4096;
    let parsed: Vec<ParsedChunk> = texts
        .par_chunks(PART)
        .enumerate()
        .map(|(seq, part)| {
            let first = (seq * PART) as u64 + 1;
            let lines = (first..).zip(part.iter().map(|t| Line::Bytes(t)));
            parse_lines(seq, lines, &pupils, &table)
        })
        .collect();
    let mut file = FileRows::new(store);
    for p in parsed {
        file.add(ctx, store, p)?;
    }
    file.finish(ctx, store)
}

/// A chunk of whole lines and the file line number of its first line.
struct Chunk {
    /// Position of the chunk in the input, from 0.
    seq: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

/// Cuts `input` into chunks of about [`CHUNK_BYTES`] that end at a line end (or the end of the
/// input), sending each as it is ready; returns the error that stopped reading, if any.
fn cut_chunks(
    mut input: impl Read,
    send: std::sync::mpsc::SyncSender<Chunk>,
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
) -> std::result::Result<(), (u64, std::io::Error)> {
    let mut line = 1u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut seq = 0;
    loop {
        // A buffer the parser is done with, so its memory is not faulted in afresh.
        let mut buf = recycled.try_recv().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&carry);
        carry.clear();
        let mut eof = false;
        // Read until the chunk is full and holds a line end, or the input ends.
        loop {
            let want = (CHUNK_BYTES.saturating_sub(buf.len())).max(64 << 10) as u64;
            let n = input
                .by_ref()
                .take(want)
                .read_to_end(&mut buf)
                .map_err(|e| (line, e))?;
            if n == 0 {
                eof = true;
                break;
            }
            if buf.len() >= CHUNK_BYTES && memchr::memrchr(b'\n', &buf).is_some() {
                break;
            }
        }
        let cut = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf).map_or(buf.len(), |i| i + 1)
        };
        carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if buf.is_empty() && eof {
            return Ok(());
        }
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        let first_line = line;
        line += lines;
        seq += 1;
        if send
            .send(Chunk {
                seq: seq - 1,
                first_line,
                bytes: buf,
            })
            .is_err()
            || eof
        {
            return Ok(());
        }
    }
}

/// What one chunk of NDJSON became: its rows, the statement ids of those rows (indices within
/// the chunk) and its rejected lines, in line order.
struct ParsedChunk {
    seq: usize,
    read: usize,
    rows: Vec<EventRow>,
    ids: Vec<IdLine>,
    /// Voiding statements: (line, id of the statement voided).
    voids: Vec<(u64, StatementId)>,
    rejects: Vec<(u64, &'static str, String, String)>,
}

/// Parses (line number, statement) pairs in order on the calling thread.
fn parse_lines<'a>(
    seq: usize,
    lines: impl Iterator<Item = (u64, Line<'a>)>,
    pupils: &PupilCache<'_>,
    rules: &Rules<'_>,
) -> ParsedChunk {
    let mut out = ParsedChunk {
        seq,
        read: 0,
        rows: Vec::new(),
        ids: Vec::new(),
        voids: Vec::new(),
        rejects: Vec::new(),
    };
    let mut last = None;
    for (line_no, line) in lines {
        out.read += 1;
        match parse_line(line, pupils, rules, &mut last) {
            Parsed::Row(id, row) => {
                if let Some(id) = id {
                    out.ids.push((id, line_no, out.rows.len()));
                }
                out.rows.push(row);
            }
            Parsed::Voids(Some(target)) => out.voids.push((line_no, target)),
            Parsed::Voids(None) => out.rejects.push((
                line_no,
                "object.id",
                String::new(),
                "voiding statement without the id of the statement it voids".into(),
            )),
            Parsed::Reject(column, value, reason) => {
                out.rejects.push((line_no, column, value, reason));
            }
        }
    }
    out
}

/// Parses the lines of one NDJSON chunk. Blank lines are skipped and not counted; trailing
/// `\r`s are dropped.
fn parse_chunk(chunk: &Chunk, pupils: &PupilCache<'_>, rules: &Rules<'_>) -> ParsedChunk {
    let b = &chunk.bytes;
    // Lines end at `\n`, which is never inside a UTF-8 sequence: slices of a valid chunk at
    // line ends are valid text, so the JSON parser need not check each string again.
    let text = std::str::from_utf8(b).ok();
    let ends = memchr::memchr_iter(b'\n', b).chain((b.last() != Some(&b'\n')).then_some(b.len()));
    let mut start = 0;
    let lines = (chunk.first_line..).zip(ends).filter_map(|(line_no, end)| {
        let from = start;
        start = end + 1;
        let mut l = &b[from..end];
        while let [rest @ .., b'\r'] = l {
            l = rest;
        }
        if l.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let line = match text {
            Some(t) => Line::Text(&t[from..from + l.len()]),
            None => Line::Bytes(l),
        };
        Some((line_no, line))
    });
    parse_lines(chunk.seq, lines, pupils, rules)
}

/// What a file has given so far, taken in file order (part by part): its rows go to the store,
/// its rejects to `ctx`; its statement ids and voiding statements wait for the end of the file
/// (the ids held or spilled beside the rows, see [`ids`]).
struct FileRows {
    /// The store's position of the file's first row.
    base: u64,
    rows: usize,
    read: usize,
    ids: StatementIds,
    voids: Vec<(u64, StatementId)>,
}

impl FileRows {
    fn new(store: &EventStore) -> Self {
        FileRows {
            base: store.next_position(),
            rows: 0,
            read: 0,
            ids: StatementIds::new(store.max_in_memory(), store.spill_dir().map(Into::into)),
            voids: Vec::new(),
        }
    }

    /// Takes the next part in file order.
    fn add(
        &mut self,
        ctx: &mut ReadContext<'_>,
        store: &mut EventStore,
        p: ParsedChunk,
    ) -> Result<()> {
        self.read += p.read;
        for (line, column, value, reason) in p.rejects {
            ctx.reject(Table::Events, line, column, &value, &reason);
        }
        let offset = self.rows;
        self.ids.extend(
            p.ids
                .into_iter()
                .map(|(id, line, i)| (id, line, offset + i)),
        )?;
        self.voids.extend(p.voids);
        self.rows += p.rows.len();
        store.push(p.rows)
    }

    /// Settles repeated ids and voiding over the file; returns the statements read.
    fn finish(self, ctx: &mut ReadContext<'_>, store: &mut EventStore) -> Result<usize> {
        let drop = self.ids.settle(ctx, self.voids)?;
        store.drop_positions(drop.into_iter().map(|i| self.base + i as u64));
        Ok(self.read)
    }
}

/// Streams NDJSON statements: chunks are cut by a reader thread and each is parsed whole by one
/// worker; this thread puts them back in file order and hands them to `store`.
fn read_ndjson(
    ctx: &mut ReadContext<'_>,
    input: impl Read + Send,
    verbs: &BTreeMap<String, EventKind>,
    store: &mut EventStore,
) -> Result<usize> {
    let pupils = PupilCache::new(ctx.ids, ctx.pseudo);
    let table = Rules::new(verbs, ctx.calendar);
    let workers = rayon::current_num_threads();
    // Chunks waiting to be parsed: enough to keep every worker busy, few enough to bound memory.
    let (send, receive) = std::sync::mpsc::sync_channel::<Chunk>(workers);
    let (give_back, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
    // Parsed chunks on their way back; a worker waits while this thread spills a run.
    let (done, parsed) = std::sync::mpsc::sync_channel::<ParsedChunk>(workers);
    let receive = std::sync::Mutex::new(receive);
    let mut file = FileRows::new(store);
    let (cut, workers_ok, delivered) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || cut_chunks(input, send, recycled));
        // One worker per core, each taking the next chunk when it is done with the last (a
        // worker waiting for a chunk blocks; none spins).
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (receive, give_back, done) = (&receive, give_back.clone(), done.clone());
                let (pupils, table) = (&pupils, &table);
                scope.spawn(move || {
                    loop {
                        // The guard is dropped before parsing, so the next worker can take a chunk.
                        let next = receive.lock().ok().and_then(|r| r.recv().ok());
                        let Some(chunk) = next else { break };
                        let p = parse_chunk(&chunk, pupils, table);
                        // The reader may have stopped; then the buffer is simply dropped.
                        let _ = give_back.send(chunk.bytes);
                        if done.send(p).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop((give_back, done));
        // Chunks come back in any order: each is handed on when all before it have been. After
        // an error (a run could not be written) the rest is still taken, unused, so that the
        // workers and the reader can finish.
        let mut waiting: BTreeMap<usize, ParsedChunk> = BTreeMap::new();
        let mut next = 0;
        let mut delivered = Ok(());
        for p in parsed {
            waiting.insert(p.seq, p);
            while let Some(p) = waiting.remove(&next) {
                next += 1;
                if delivered.is_ok() {
                    delivered = file.add(ctx, store, p);
                }
            }
        }
        let workers_ok = handles.into_iter().all(|h| h.join().is_ok());
        (reader.join(), workers_ok, delivered)
    });
    if !workers_ok {
        return Err(Error::input(&ctx.file, "a parsing thread failed"));
    }
    match cut {
        Ok(Ok(())) => {}
        Ok(Err((line, e))) => {
            return Err(Error::input(
                &ctx.file,
                format!("cannot read near line {line}: {e}"),
            ));
        }
        Err(_) => return Err(Error::input(&ctx.file, "the reader thread failed")),
    }
    delivered?;
    file.finish(ctx, store)
}

/// Reads NDJSON statements from text; returns (rows, lines read), or the error
/// [`read_stream`] gives (a source-level failure such as a failed reader thread).
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    verbs: &BTreeMap<String, EventKind>,
) -> Result<(Vec<EventRow>, usize)> {
    let mut store = EventStore::in_memory();
    let read = read_stream(ctx, text.as_bytes(), verbs, &mut store)?;
    Ok((store.into_rows(), read))
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
        let mut ctx = ReadContext::new("lms", "s.ndjson", &mut rejects, &ids, &pseudo);
        let (rows, read) = read(&mut ctx, &text, &default_verbs()).unwrap();
        assert_eq!(read, 7);
        assert_eq!(rows.len(), 2);
        assert_eq!(rejects.total(), 5);
        let e = &rows[0];
        assert_eq!(e.kind, "answer");
        assert_eq!(e.task_id.as_deref(), Some("https://lms/t1"));
        assert_eq!(e.subject.as_deref(), Some("rekenen"));
        assert_eq!(e.success, Some(false));
        assert_eq!(e.duration_s, Some(41.0));
        assert_eq!(&*e.school_year, "2024-2025");
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

    /// Reads `text` as one file's statements against `ids`, pseudonyms off: (rows, statements
    /// read, rejects).
    fn read_text(ids: &IdResolver, text: &str) -> (Vec<EventRow>, usize, Rejects) {
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("lms", "s.ndjson", &mut rejects, ids, &pseudo);
        let (rows, read) = read(&mut ctx, text, &default_verbs()).unwrap();
        (rows, read, rejects)
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
            let (ids, _, _) = ctx_parts();
            let (rows, read, rejects) = read_text(&ids, &text);
            assert_eq!((read, rows.len(), rejects.total()), (3, 2, 1), "{text}");
            let r = &rejects.first(1)[0];
            assert_eq!(r.line, 3, "the third statement");
            assert!(r.reason.starts_with("unknown pupil"));
        }
    }

    #[test]
    fn line_numbers_hold_across_chunks_and_long_lines() {
        // About 3 chunks of statements with CRLF ends, a 5 MB line and a blank line; bad lines
        // placed at known numbers, one of them right after the long line.
        let mut text = String::new();
        let mut bad = Vec::new();
        let mut n = 0u64;
        let mut push = |text: &mut String, line: &str| {
            text.push_str(line);
            text.push_str("\r\n");
            n += 1;
            n
        };
        for k in 0..40_000u32 {
            let st = ST
                .replace("\"a\"", &format!("\"{k:08x}-0000-0000-0000-000000000000\""))
                .replace("item1", &format!("item{k}"));
            let line = push(&mut text, &st);
            if k % 9_973 == 0 {
                bad.push(push(&mut text, "{\"id\":"));
            }
            if k == 20_000 {
                push(
                    &mut text,
                    &format!("{{\"pad\":\"{}\"}}", "x".repeat(5 << 20)),
                );
                bad.push(line + 1);
                push(&mut text, "   ");
                bad.push(push(&mut text, "[1]"));
            }
        }
        // The same statement id in upper case: a duplicate.
        bad.push(push(
            &mut text,
            &ST.replace("\"a\"", "\"0000000A-0000-0000-0000-000000000000\""),
        ));
        assert!(text.len() > 3 * CHUNK_BYTES);
        let (ids, _, _) = ctx_parts();
        let (rows, read, rejects) = read_text(&ids, &text);
        assert_eq!(read as u64, n - 1, "every line but the blank one");
        assert_eq!(
            rows.len(),
            40_000,
            "the repeated id in the last chunk is dropped"
        );
        // Rows come back in file order although the chunks were parsed by several workers.
        for (k, r) in rows.iter().enumerate() {
            assert_eq!(
                r.object_id.as_deref(),
                Some(&*format!("https://lms/t1/item{k}"))
            );
        }
        let got: Vec<u64> = rejects.first(100).iter().map(|r| r.line).collect();
        assert_eq!(got, bad);
    }

    #[test]
    fn voiding_removes_its_target_wherever_it_stands() {
        let id = |k: u32| format!("{k:08x}-0000-4000-8000-000000000000");
        let st = |k: u32| ST.replace("\"a\"", &format!("\"{}\"", id(k)));
        // A teacher (not on the roster) voids; the object is a StatementRef.
        let void = |k: u32, target: &str| {
            format!(
                r#"{{"id":"{}","actor":{{"mbox":"mailto:juf@school.nl"}},"verb":{{"id":"{VOIDED}"}},"object":{{"objectType":"StatementRef","id":"{target}"}},"timestamp":"2025-01-21T08:00:00Z"}}"#,
                id(k)
            )
        };
        let lines = [
            void(100, &id(3)),                // 1: voids line 4, which comes later
            st(1),                            // 2: kept
            st(2),                            // 3: voided by line 6
            st(3),                            // 4: voided by line 1
            st(2),                            // 5: repeated id (rejected as such)
            void(101, &id(2).to_uppercase()), // 6: voids line 3 (ids compare by value)
            void(102, &id(2)),                // 7: line 3 is already voided
            void(103, &id(999)),              // 8: no such statement
            void(104, &id(100)),              // 9: a voiding statement cannot be voided
            format!(r#"{{"verb":{{"id":"{VOIDED}"}},"object":{{}}}}"#), // 10: no target
            st(5),                            // 11: kept
        ];
        let text = lines.join("\n");
        let (ids, _, _) = ctx_parts();
        let (rows, read, rejects) = read_text(&ids, &text);
        assert_eq!(read, 11);
        assert_eq!(rows.len(), 2, "lines 2 and 11");
        assert_eq!(
            read,
            rows.len() + rejects.total(),
            "read = accepted + rejected"
        );
        let mut got: Vec<(u64, String)> = rejects
            .first(100)
            .iter()
            .map(|r| (r.line, r.reason.clone()))
            .collect();
        got.sort();
        let want = [
            (1, "voiding statement: applied to line 4".to_string()),
            (3, "voided by the statement on line 6".into()),
            (4, "voided by the statement on line 1".into()),
            (5, "duplicate statement id".into()),
            (6, "voiding statement: applied to line 3".into()),
            (7, "voiding statement: line 3 was already voided by line 6".into()),
            (
                8,
                "voiding statement: the statement it voids is not among this file's accepted statements".into(),
            ),
            (
                9,
                "voiding statement: the statement it voids is not among this file's accepted statements".into(),
            ),
            (10, "voiding statement without the id of the statement it voids".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn an_actor_known_only_by_mbox_sha1sum_is_recognised_from_the_roster_address() {
        let hashed = ST.replace(
            r#"{"account":{"homePage":"h","name":"L1"}}"#,
            &format!(
                r#"{{"mbox_sha1sum":"{}"}}"#,
                crate::context::mbox_sha1sum("emma@example.nl").to_uppercase()
            ),
        );
        let stranger = hashed.replace("\"a\"", "\"b\"").replace(
            &crate::context::mbox_sha1sum("emma@example.nl").to_uppercase(),
            &crate::context::mbox_sha1sum("someone@example.nl"),
        );
        let (mut ids, _, _) = ctx_parts();
        ids.add("emma@example.nl", "L1");
        let (rows, read, rejects) = read_text(&ids, &format!("{hashed}\n{stranger}\n"));
        assert_eq!((read, rows.len(), rejects.total()), (2, 1, 1));
        assert_eq!(&*rows[0].pupil_key, "L1");
        assert!(rejects.first(1)[0].reason.starts_with("unknown pupil"));
    }

    #[test]
    fn a_broken_json_array_is_a_clear_error() {
        let (ids, mut rejects, pseudo) = ctx_parts();
        let mut ctx = ReadContext::new("lms", "s.json", &mut rejects, &ids, &pseudo);
        let mut store = EventStore::in_memory();
        let err = read_stream(
            &mut ctx,
            format!("[{ST},").as_bytes(),
            &default_verbs(),
            &mut store,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("not a valid JSON array"), "{err}");
    }
}
