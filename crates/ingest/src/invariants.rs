//! The invariants every reader keeps on any input, checked on arbitrary bytes: by the
//! coverage-guided fuzz targets in `fuzz/` and by the replay of their committed corpora in
//! `tests/fuzz_corpus.rs` (so CI checks them on stable Rust without a fuzzer).
//!
//! For every [`TARGETS`] entry, [`check`] feeds the bytes to the reader as ingest would (text
//! decoding, the reader, its rejects) and panics when an invariant breaks:
//! - no panic inside the reader (the fuzzer sees it as a crash);
//! - every record read is accepted or rejected: read = accepted + rejected;
//! - no reject's value or reason and no error message carries a word of the input's data (see
//!   [`leaked_words`]): a reason comes from the project's own messages, a value is shown by its
//!   shape only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::SchoolYear;
use leerwinst_core::pipeline::{EventKind, Mapping, Pipeline};

use crate::context::{IdResolver, ReadContext, SchoolInfo};
use crate::event_store::EventStore;
use crate::pseudonym::Pseudonymiser;
use crate::rejects::Rejects;
use crate::{input, lvs, mapped, mapped_events, mapped_roster, moodle, moodle_report};
use crate::{plans, reason_nl, schools, sgp_long, star, xapi};

/// The fuzz targets, by name (also the folder names of their corpora under `fuzz/corpus/`).
pub const TARGETS: &[&str] = &[
    "xapi-lines",
    "xapi-array",
    "lvs",
    "plans",
    "schools",
    "sgp-long",
    "star",
    "moodle-log",
    "moodle-report",
    "mapped-assessments",
    "mapped-events",
    "mapped-roster",
    "mapped-plans",
    "xlsx",
    "pipeline",
    "mapping",
];

/// Ends the `[source.mapping]` table at the start of a `mapping` target's input; the export
/// follows.
const MAPPING_END: &str = "\n---\n";

/// The mapping each mapped target reads with: every field a column named as the field (so a
/// corpus file's header names them), with a value map on top. Made once per format and thread:
/// it is the same for every input, and validating a pipeline text for each took an eighth of a
/// fuzz execution.
fn mapping(format: &str) -> Mapping {
    thread_local! {
        static MADE: std::cell::RefCell<BTreeMap<String, Mapping>> =
            const { std::cell::RefCell::new(BTreeMap::new()) };
    }
    MADE.with_borrow_mut(|made| {
        made.entry(format.to_string())
            .or_insert_with(|| make_mapping(format))
            .clone()
    })
}

/// [`mapping`] for `format`, made from a pipeline text.
fn make_mapping(format: &str) -> Mapping {
    let fields: &[&str] = match format {
        "mapped-assessments" => &leerwinst_core::pipeline::MAPPED_ASSESSMENT_FIELDS,
        "mapped-events" => leerwinst_core::pipeline::MAPPED_EVENT_FIELDS,
        "mapped-roster" => leerwinst_core::pipeline::MAPPED_ROSTER_FIELDS,
        _ => leerwinst_core::pipeline::MAPPED_PLAN_FIELDS,
    };
    let columns: Vec<String> = fields.iter().map(|f| format!("{f} = \"{f}\"")).collect();
    let table = format!(
        "columns = {{ {} }}\nvalues = {{ pupil_id = {{ x = \"y\" }} }}\n",
        columns.join(", ")
    );
    parse_mapping(format, &table).expect("the fuzz mapping is valid")
}

/// A `[source.mapping]` table for a source of `format`, validated as a pipeline file is.
fn parse_mapping(format: &str, table: &str) -> Option<Mapping> {
    let pipeline = format!(
        "[pipeline]\nname = \"fuzz\"\n[[source]]\nname = \"m\"\nformat = \"{format}\"\npath = \"m.csv\"\n[source.mapping]\n{table}\n"
    );
    let p = Pipeline::from_toml(&pipeline, Path::new("fuzz.toml")).ok()?;
    p.sources.into_iter().next()?.mapping
}

/// What a reader gave on one input: (records read, accepted) or the error's message, the number
/// rejected, and every text it shows of the rejects (value and reason).
struct Outcome {
    got: std::result::Result<(usize, usize), String>,
    rejected: usize,
    shown: Vec<String>,
}

impl Outcome {
    /// The texts a person sees: the error message and every reject's value and reason.
    fn texts(&self) -> impl Iterator<Item = &str> {
        self.got
            .as_ref()
            .err()
            .into_iter()
            .chain(&self.shown)
            .map(String::as_str)
    }
}

/// Runs target `name` on `data`; panics when an invariant breaks. Unknown names panic too.
pub fn check(name: &str, data: &[u8]) {
    if name == "pipeline" {
        // Any text: a pipeline or a clean error, never a panic.
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = Pipeline::from_toml(text, Path::new("fuzz.toml"));
        }
        return;
    }
    let Some(input) = decode(name, data) else {
        return;
    };
    if name == "xapi-lines" {
        // The statement scanner reads a line as serde does, wherever it reads one.
        for line in input.split(|&b| b == b'\n') {
            if let Ok(line) = std::str::from_utf8(line) {
                crate::formats::xapi::fast::agrees(line);
            }
        }
    }
    let outcome = read(name, &input);
    if let Ok((read, accepted)) = outcome.got {
        let rejected = outcome.rejected;
        assert_eq!(
            read,
            accepted + rejected,
            "{name}: read {read} != accepted {accepted} + rejected {rejected}"
        );
    }
    let text = String::from_utf8_lossy(&input);
    // The mapping target's input is the user's own pipeline text and then the export: only the
    // export's words are data, and a word the mapping names (a column) may be shown.
    let (data, config) = match text.split_once(MAPPING_END) {
        Some((mapping, export)) if name == "mapping" => (export, words(mapping)),
        _ => (text.as_ref(), BTreeSet::new()),
    };
    for shown in outcome.texts() {
        for word in leaked_words(data, shown) {
            if config.contains(&word) || OWN_WORDS.with_borrow(|own| own.contains(&word)) {
                continue;
            }
            // A reader that quotes its input shows the word as the input spells it: changed in
            // the input, changed in the message. A word that does not follow the input is the
            // reader's own (a column alias, a type it expected), in this input and any other.
            let moved = move_chars(&word);
            let altered = read(name, &replace_word(&input, &word));
            let quoted = altered.texts().any(|t| words(t).contains(&moved));
            assert!(!quoted, "{name}: {shown:?} quotes the input ({word:?})");
            OWN_WORDS.with_borrow_mut(|own| own.insert(word));
        }
    }
}

thread_local! {
    /// Words found to be a reader's own (see [`check`]), so each is tried once per process.
    static OWN_WORDS: std::cell::RefCell<BTreeSet<String>> = const {
        std::cell::RefCell::new(BTreeSet::new())
    };
}

/// The bytes the reader of target `name` reads: decoded text for the table formats (an XLSX
/// workbook's first sheet as text), the bytes as they are for xAPI. None: nothing to read (the
/// decoding refused the input cleanly).
fn decode(name: &str, data: &[u8]) -> Option<Vec<u8>> {
    match name {
        "xapi-lines" => Some(data.to_vec()),
        "xapi-array" => Some([b"[".as_slice(), data].concat()),
        "xlsx" => input::xlsx_to_text(Path::new("fuzz.xlsx"), data.to_vec(), None)
            .ok()
            .map(String::into_bytes),
        // The mapping language's input carries its export as text after the mapping.
        "mapping" => std::str::from_utf8(data)
            .ok()
            .map(|t| t.as_bytes().to_vec()),
        _ => input::decode_text(Path::new("fuzz.csv"), data)
            .ok()
            .map(|(t, _)| t.into_bytes()),
    }
}

/// Runs the reader of target `name` on decoded `input`.
fn read(name: &str, input: &[u8]) -> Outcome {
    let mut rejects = Rejects::default();
    let pseudo = Pseudonymiser::off();
    let ids = IdResolver::default();
    let mut ctx = ReadContext::new("fuzz", "fuzz-input", &mut rejects, &ids, &pseudo);
    let text = String::from_utf8_lossy(input);
    let got = match name {
        "xapi-lines" | "xapi-array" => read_xapi(&mut ctx, input),
        "xlsx" => lvs::read(&mut ctx, &text, "fuzz", lvs::DEFAULT_SCORE_RANGE)
            .map(|(rows, read)| (read, rows.len())),
        "mapping" => {
            // A `[source.mapping]` table, a line `---`, then the export.
            let Some((table, export)) = text.split_once(MAPPING_END) else {
                return Outcome {
                    got: Ok((0, 0)),
                    rejected: 0,
                    shown: Vec::new(),
                };
            };
            match parse_mapping("mapped-assessments", table) {
                Some(m) => mapped::read(&mut ctx, export, &m, "fuzz", lvs::DEFAULT_SCORE_RANGE)
                    .map(|(rows, read)| (read, rows.len())),
                None => Ok((0, 0)),
            }
        }
        _ => read_delimited(name, &mut ctx, &text),
    };
    Outcome {
        got: got.map_err(|e| e.to_string()),
        rejected: rejects.count_for("fuzz"),
        shown: rejects
            .of_source("fuzz")
            .flat_map(|r| [r.value.clone(), r.reason.clone()])
            .collect(),
    }
}

/// `input` with every spelling of `word` (any case) changed by [`move_chars`].
fn replace_word(input: &[u8], word: &str) -> Vec<u8> {
    let pattern = regex::RegexBuilder::new(&regex::escape(word))
        .case_insensitive(true)
        .build()
        .expect("an escaped word is a valid pattern");
    let text = String::from_utf8_lossy(input);
    let replaced = pattern.replace_all(&text, |m: &regex::Captures<'_>| move_chars(&m[0]));
    replaced.into_owned().into_bytes()
}

/// `word` with each letter and digit moved on by one (`z` to `a`, `9` to `0`, other letters to
/// `q`), case kept.
fn move_chars(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c if c.is_ascii_alphanumeric() => (c as u8 + 1) as char,
            c if c.is_alphanumeric() => 'q',
            c => c,
        })
        .collect()
}

/// A delimited reader by target name: (records read, accepted).
fn read_delimited(
    name: &str,
    ctx: &mut ReadContext<'_>,
    text: &str,
) -> leerwinst_core::Result<(usize, usize)> {
    let verbs = BTreeMap::from([("answered".to_string(), EventKind::Answer)]);
    Ok(match name {
        "lvs" => {
            let (rows, read) = lvs::read(ctx, text, "fuzz", lvs::DEFAULT_SCORE_RANGE)?;
            (read, rows.len())
        }
        "plans" => {
            let (rows, read) = plans::read(ctx, text)?;
            (read, rows.len())
        }
        "schools" => {
            let (rows, read) = schools::read(ctx, text)?;
            (read, rows.len())
        }
        "sgp-long" => {
            let got = sgp_long::read(ctx, text, "fuzz", None)?;
            (got.read, got.assessments.len())
        }
        "star" => {
            let got = star::read(ctx, text, "fuzz")?;
            (got.read, got.accepted)
        }
        "moodle-log" => {
            let (rows, read) = moodle::read(ctx, text, &moodle::default_moodle_verbs())?;
            (read, rows.len())
        }
        "moodle-report" => {
            let settings = moodle_report::ReportSettings {
                time_format: None,
                school_year: SchoolYear::parse("2024-2025"),
            };
            let verbs = moodle_report::default_moodle_report_verbs();
            let (rows, read) = moodle_report::read(ctx, text, &verbs, &settings)?;
            (read, rows.len())
        }
        "mapped-assessments" => {
            let (rows, read) = mapped::read(ctx, text, &mapping(name), "fuzz", [0.0, 1000.0])?;
            (read, rows.len())
        }
        "mapped-events" => {
            let (_, read, lines) = mapped_events::read(ctx, text, &mapping(name), &verbs)?;
            (read, lines)
        }
        "mapped-roster" => {
            let got = mapped_roster::read(ctx, text, &mapping(name), &SchoolInfo::default())?;
            (got.read, got.enrollments.len())
        }
        "mapped-plans" => {
            let (rows, read) = plans::read_mapped(ctx, text, &mapping(name))?;
            (read, rows.len())
        }
        other => panic!("no fuzz target {other:?}; the targets are {TARGETS:?}"),
    })
}

/// xAPI from bytes: (statements read, kept); a voided statement is counted among the rejects.
fn read_xapi(ctx: &mut ReadContext<'_>, bytes: &[u8]) -> leerwinst_core::Result<(usize, usize)> {
    let spill = std::env::temp_dir().join(format!("leerwinst-fuzz-spill-{}", std::process::id()));
    let mut store = EventStore::new(usize::MAX, spill);
    let verbs = BTreeMap::from([(
        "http://adlnet.gov/expapi/verbs/answered".to_string(),
        EventKind::Answer,
    )]);
    let read = xapi::read_stream(ctx, bytes, &verbs, &mut store)?;
    Ok((read, store.len()))
}

/// The words of `input` that `shown` repeats: runs of six or more letters or digits, compared
/// without case, except words of the project's own reason texts (English and Dutch) and words a
/// value's shape produces (letters all `a`, digit runs of more than four all `9`, a `T` between
/// digits). A candidate only: [`check`] then tells the reader's own words (column aliases,
/// expected spellings) from quoted input by changing the word in the input.
fn leaked_words(input: &str, shown: &str) -> Vec<String> {
    static VOCABULARY: std::sync::LazyLock<BTreeSet<String>> =
        std::sync::LazyLock::new(|| reason_nl::vocabulary().flat_map(words).collect());
    let candidates: Vec<String> = words(shown)
        .into_iter()
        .filter(|w| !is_shape(w) && !VOCABULARY.contains(w))
        .collect();
    if candidates.is_empty() {
        return candidates;
    }
    let in_input = words(input);
    candidates
        .into_iter()
        .filter(|w| in_input.contains(w))
        .collect()
}

/// Runs of six or more letters or digits in `text`, in lower case.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 6)
        .map(str::to_lowercase)
        .collect()
}

/// Whether `word` (lower case) is what [`crate::redact::shape`] makes of a value: letters `a`,
/// a `t` between digits, digit runs of at most four digits or of `9`s only.
fn is_shape(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    let runs: Vec<&[char]> = chars
        .chunk_by(|a, b| a.is_ascii_digit() == b.is_ascii_digit())
        .collect();
    runs.iter().enumerate().all(|(i, run)| {
        if run[0].is_ascii_digit() {
            run.len() <= 4 || run.iter().all(|&c| c == '9')
        } else {
            let between_digits = i > 0 && i + 1 < runs.len();
            run.iter().all(|&c| c == 'a') || (between_digits && *run == ['t'])
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_pupil_number_or_name_is_a_candidate_a_shape_is_not() {
        let input = "id;naam\nL100041;Lucasje\n";
        assert_eq!(leaked_words(input, "pupil L100041 unknown"), ["l100041"]);
        assert_eq!(leaked_words(input, "Lucasje"), ["lucasje"]);
        assert!(leaked_words(input, "A999999 / Aaaaaaa / 2025-01-20T09:14").is_empty());
        assert_eq!(leaked_words("x\n2023-202L40", "2023-202L40"), ["202l40"]);
    }

    #[test]
    fn a_readers_own_words_are_no_leak() {
        // The reader's own alias is no leak: it stays when the input spells it otherwise.
        check("lvs", b"Vaardigheidsscore;x\n1;2\n");
        let altered = replace_word(b"L100041;Lucasje;zz9", "lucasje");
        assert_eq!(altered, b"L100041;Mvdbtkf;zz9");
    }

    #[test]
    fn every_target_runs_on_empty_and_small_input() {
        for t in TARGETS {
            check(t, b"");
            check(t, b"id;score\nL1;12\n");
        }
    }
}
