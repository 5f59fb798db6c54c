//! `leerwinst init`: a commented pipeline drafted from a folder of exports.
//!
//! Every export in the folder is profiled ([`crate::profile`]) and given the format that reads
//! it: a fixed layout when one of those readers accepts its rows, else a mapped format whose
//! mapping is guessed from the column names and what the cells look like (a pupil column; a
//! date-time, or a date and a clock time, and an activity: LMS activity; a score and a test:
//! test results, with the moment and grade taken out of a test name such as `Rekenen-Wiskunde
//! 3.0 M4`; a school and a group or birth date: a pupil list; a week and a task: weekly plans).
//! Dutch activity names are mapped to event kinds where a keyword says which (`gemaakt` is an
//! answer, `uitleg` instruction, ...). What the draft cannot tell is a `# TODO` line. The draft
//! never quotes a value that could name a pupil: only column names, sheet names and the short
//! lists of values `inspect` shows (test names, activity names).

use std::fmt::Write as _;
use std::path::Path;

use leerwinst_core::Result;
use leerwinst_core::pipeline::{Language, Pipeline};

use crate::profile::{ColumnProfile, Kind, Profile, profile};

/// A drafted pipeline: its TOML text and, per export, what was decided (for the console).
#[derive(Debug, Clone)]
pub struct Draft {
    /// The pipeline file's text.
    pub toml: String,
    /// Per file or folder looked at, in name order: what was decided.
    pub notes: Vec<(String, Decision)>,
    /// Sources drafted.
    pub sources: usize,
}

/// What the draft made of one file or folder.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A source of this format.
    Source(&'static str),
    /// Not an export leerwinst reads.
    NotAnExport,
    /// Could not be read (the error).
    Unreadable(String),
    /// A source of this format, drafted with its lines commented out: it needs what its TODO
    /// lines ask before it can be read (the pipeline runs without it meanwhile).
    Incomplete(&'static str),
}

/// Drafts a pipeline named `name` for the exports in `dir`, its comments in `l` (and its
/// `language`). Source paths are the file names with `paths_in` in front: `None` when the
/// pipeline file goes into `dir` itself, else the folder as the pipeline file is to find it.
/// The draft always parses: a source that cannot be read as drafted (a pupil list without a
/// school year) is written with its lines commented out under its TODO lines.
pub fn draft(dir: &Path, name: &str, paths_in: Option<&Path>, l: Language) -> Result<Draft> {
    // A folder that is not itself a source (OneRoster, NWEA) is looked into, one level deep:
    // exports often come in a folder per system.
    let mut entries: Vec<(String, std::path::PathBuf)> = Vec::new();
    for path in listing(dir)? {
        let file = file_name(&path);
        if path.is_dir() && folder_format(&path)?.is_none() && !file.starts_with('.') {
            for inner in listing(&path)?.into_iter().filter(|p| p.is_file()) {
                entries.push((format!("{file}/{}", file_name(&inner)), inner));
            }
        } else {
            entries.push((file, path));
        }
    }
    let mut toml = format!(
        "{}\n[pipeline]\nname = \"{name}\"\nlanguage = \"{}\"\n\n[privacy]\n{}pseudonymise = true\n",
        l.pick(
            "# Pijplijn opgesteld door `leerwinst init` uit de exports in deze map.\n\
             # Controleer elke bron en elke regel met TODO, en start dan: leerwinst run <dit bestand>\n\
             # Elke sleutel staat uitgelegd in docs/pipeline.md, elk formaat in docs/formats.md.\n",
            "# Pipeline drafted by `leerwinst init` from the exports in this folder.\n\
             # Check every source and each line marked TODO, then run: leerwinst run <this file>\n\
             # Every key is explained in docs/pipeline.md, every format in docs/formats.md.\n",
        ),
        l.code(),
        l.pick(
            "# Leerlingnummers worden pseudoniemen met een sleutel. De sleutel: $LEERWINST_KEY, anders\n\
             # ~/.config/leerwinst/key (gemaakt bij de eerste run: bewaar hem, en een reservekopie, veilig).\n",
            "# Pupil numbers become keyed pseudonyms. The key: $LEERWINST_KEY, else\n\
             # ~/.config/leerwinst/key (made on the first run: keep it, and a backup, safe).\n",
        ),
    );
    let mut notes = Vec::new();
    let mut verbs = Vec::new();
    let mut sources = 0;
    let mut within_year = false;
    let mut school_list = false;
    let mut names = std::collections::BTreeSet::new();
    for (file, path) in entries {
        let base = file.rsplit('/').next().unwrap_or(&file);
        if base.starts_with('.') || base.ends_with(".toml") {
            continue;
        }
        let source = match source_for(&path, &file, l) {
            Ok(Some(s)) => s,
            Ok(None) => {
                notes.push((file, Decision::NotAnExport));
                continue;
            }
            Err(e) => {
                notes.push((file, Decision::Unreadable(e.to_string())));
                continue;
            }
        };
        let mut source_name = source_name(&file);
        while !names.insert(source_name.clone()) {
            source_name.push('_');
        }
        let block = format!(
            "\n[[source]]\nname = \"{source_name}\"\nformat = \"{}\"\npath = {}\n{}",
            source.format,
            toml_string(&paths_in.map_or(file.clone(), |d| d.join(&file).display().to_string())),
            source.keys
        );
        // A source the pipeline cannot read as drafted stays in the file, commented out.
        if Pipeline::from_toml(&format!("{toml}{block}"), Path::new("pipeline.toml")).is_err() {
            notes.push((file.clone(), Decision::Incomplete(source.format)));
            toml.push_str(l.pick(
                "\n# TODO: deze bron is nog niet compleet (zie de TODO-regels eronder). Vul aan wat\n\
                 # ontbreekt en haal dan de # weg voor de regels van [[source]] tot en met columns.\n",
                "\n# TODO: this source is not complete yet (see the TODO lines below). Add what is\n\
                 # missing, then remove the # before the lines from [[source]] to columns.\n",
            ));
            for line in block.trim_start_matches('\n').lines() {
                if line.starts_with('#') {
                    let _ = writeln!(toml, "{line}");
                } else {
                    let _ = writeln!(toml, "# {line}");
                }
            }
            continue;
        }
        notes.push((file.clone(), Decision::Source(source.format)));
        verbs.extend(source.verbs.iter().cloned());
        within_year |= source.within_year;
        school_list |= source.format == "schools-csv";
        toml.push_str(&block);
        sources += 1;
    }
    if !verbs.is_empty() {
        toml.push_str("\n[verbs]\n");
        toml.push_str(l.pick(
            "# Namen van activiteiten -> soort gebeurtenis (attempt, answer, complete, instruction,\n\
             # help, progress_view, reflection, other). Namen zonder regel tellen als `other`.\n",
            "# Activity names -> event kinds (attempt, answer, complete, instruction, help,\n\
             # progress_view, reflection, other). Unmapped names count as `other`.\n",
        ));
        verbs.sort();
        verbs.dedup();
        for (verb, kind) in verbs {
            match kind {
                Some(k) => {
                    let _ = writeln!(toml, "{} = \"{k}\"", toml_string(&verb));
                }
                None => {
                    let _ = writeln!(
                        toml,
                        "# {} = \"\"   # TODO: {}",
                        toml_string(&verb),
                        l.pick("welke soort?", "which kind?")
                    );
                }
            }
        }
    }
    if !school_list {
        toml.push_str(l.pick(
            "\n# TODO: welke scholen volgen het programma, en sinds wanneer? Zonder schoollijst is geen\n\
             # effect te schatten. Voeg er een toe (brin;naam;programma_vanaf;schoolweging, bijv.\n\
             # 21WG;Basisschool De Wilg;2024-2025;28,5) en noem hem hier:\n",
            "\n# TODO: which schools follow the programme, and since when? Without a school list no\n\
             # effect can be estimated. Add one (brin;naam;programma_vanaf;schoolweging, e.g.\n\
             # 21WG;Basisschool De Wilg;2024-2025;28,5) and name it here:\n",
        ));
        toml.push_str(
            "# [[source]]\n# name = \"scholen\"\n# format = \"schools-csv\"\n# path = \"scholen.csv\"\n",
        );
    }
    if within_year {
        toml.push_str("\n[compare]\n");
        toml.push_str(l.pick(
            "# De toetsresultaten hebben midden- (M) en eindmomenten (E): groei binnen het schooljaar.\n\
             # Voor groei van jaar tot jaar (E naar E) haal je deze regel weg.\n",
            "# The test results hold middle (M) and end (E) moments: growth within the school\n\
             # year. For growth from year to year (E to E) remove this line.\n",
        ));
        toml.push_str("window = \"M-E\"\n");
    }
    if sources == 0 {
        toml.push_str(l.pick(
            "\n# TODO: geen export in deze map was te lezen; zie `leerwinst inspect`.\n",
            "\n# TODO: no export in this folder could be read; see `leerwinst inspect`.\n",
        ));
    }
    Ok(Draft {
        toml,
        notes,
        sources,
    })
}

/// One source of the draft.
struct Source {
    format: &'static str,
    /// Further keys and tables, as TOML text.
    keys: String,
    /// Activity names seen, with the kind a keyword gives.
    verbs: Vec<(String, Option<&'static str>)>,
    /// Test results with middle and end moments: growth within the school year.
    within_year: bool,
}

fn source_for(path: &Path, file: &str, l: Language) -> Result<Option<Source>> {
    let plain = |format| {
        Some(Source {
            format,
            keys: String::new(),
            verbs: Vec::new(),
            within_year: false,
        })
    };
    if path.is_dir() {
        return Ok(folder_format(path)?.and_then(plain));
    }
    let lower = file.to_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    if stem.ends_with(".ndjson") || stem.ends_with(".json") || stem.ends_with(".jsonl") {
        return Ok(plain("xapi"));
    }
    if !(stem.ends_with(".csv") || stem.ends_with(".xlsx") || stem.ends_with(".txt")) {
        return Ok(None);
    }
    // The sheet with the most data (a workbook may open on a notes sheet).
    let first = profile(path, None)?;
    let mut best = first.clone();
    for sheet in first.sheets.iter().skip(1) {
        if let Ok(p) = profile(path, Some(sheet))
            && p.data_lines > best.data_lines
        {
            best = p;
        }
    }
    let mut keys = String::new();
    if best.sheets.len() > 1
        && let Some(sheet) = &best.sheet
    {
        let _ = writeln!(keys, "sheet = \"{sheet}\"");
    }
    if best.header_line > 1 {
        let _ = writeln!(
            keys,
            "header_row = {}   # {}",
            best.header_line,
            l.pick(
                "de regels erboven zijn titels",
                "the lines above it are titles"
            )
        );
    }
    // A fixed layout that reads most rows (a pupil list also passes for a school list, with
    // every school after the first rejected as a repeat).
    if let Some(&(format, _, _)) = best
        .formats
        .iter()
        .filter(|f| f.2 > 0 && 2 * f.2 >= f.1)
        .max_by_key(|f| f.2)
    {
        return Ok(Some(Source {
            format,
            keys,
            verbs: Vec::new(),
            within_year: false,
        }));
    }
    Ok(mapped(&best, keys, l))
}

/// The entries of a folder, sorted.
fn listing(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| leerwinst_core::Error::io(dir, e))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// The format of a folder that is one source: OneRoster (users.csv and orgs.csv) or an NWEA
/// CDF (an `...AssessmentResults.csv`).
fn folder_format(path: &Path) -> Result<Option<&'static str>> {
    let has = |f: &str| path.join(f).is_file();
    if has("users.csv") && has("orgs.csv") {
        return Ok(Some("oneroster"));
    }
    let cdf = listing(path)?
        .iter()
        .any(|p| file_name(p).ends_with("AssessmentResults.csv"));
    Ok(cdf.then_some("nwea-cdf"))
}

/// A mapped format and its mapping guessed from the columns, or None.
fn mapped(p: &Profile, mut keys: String, l: Language) -> Option<Source> {
    let cols = &p.columns;
    let kind = |c: &ColumnProfile| c.kinds.first().map(|k| k.0);
    let named = |words: &[&str]| {
        cols.iter()
            .find(|c| words.iter().any(|w| normal(&c.name) == *w))
            .or_else(|| {
                cols.iter().find(|c| {
                    words
                        .iter()
                        .any(|w| w.len() > 3 && normal(&c.name).contains(w))
                })
            })
    };
    let pupil = named(&[
        "leerlingnummer",
        "leerlingid",
        "leerling",
        "pupilid",
        "studentid",
        "student",
        "gebruiker",
        "userid",
        "id",
        "nr",
    ])?;
    let of_kind = |k: Kind| cols.iter().find(|c| kind(c) == Some(k));
    let mut columns = vec![("pupil_id", pupil.name.clone())];
    let activity = named(&[
        "activiteit",
        "gebeurtenis",
        "actie",
        "handeling",
        "verb",
        "event",
        "type",
    ])
    .filter(|c| kind(c) == Some(Kind::Text));
    let score = named(&[
        "vaardigheidsscore",
        "score",
        "vs",
        "resultaat",
        "punten",
        "ritscore",
    ])
    .filter(|c| {
        matches!(
            kind(c),
            Some(Kind::Integer | Kind::DecimalComma | Kind::DecimalPoint)
        )
    });
    let test = named(&["toets", "toetsnaam", "vak", "leergebied", "test"]);
    let format;
    let mut verbs = Vec::new();
    let mut extract = None;
    let mut within_year = false;
    if let (Some(a), Some(when)) = (activity, of_kind(Kind::DateTime).or(of_kind(Kind::Date))) {
        format = "mapped-events";
        if kind(when) == Some(Kind::DateTime) {
            columns.push(("time", when.name.clone()));
        } else {
            columns.push(("date", when.name.clone()));
            if let Some(t) = of_kind(Kind::Time) {
                columns.push(("time", t.name.clone()));
            }
        }
        columns.push(("verb", a.name.clone()));
        if let Some(n) =
            named(&["aantal", "count", "clicks", "keer"]).filter(|c| kind(c) == Some(Kind::Integer))
        {
            columns.push(("count", n.name.clone()));
        }
        verbs = a
            .values
            .iter()
            .map(|(v, _)| (v.clone(), kind_of_activity(v)))
            .collect();
        if a.values.is_empty() {
            keys.push_str(l.pick(
                "# TODO: veel verschillende namen van activiteiten; wijs ze toe in [verbs]\n",
                "# TODO: many different activity names; map them in [verbs]\n",
            ));
        }
    } else if let (Some(s), Some(t)) = (score, test) {
        format = "mapped-assessments";
        columns.push(("score", s.name.clone()));
        let moment_in_name = !t.values.is_empty() && t.values.iter().all(|(v, _)| moment_in(v));
        if moment_in_name {
            let moment = |m: char| {
                t.values
                    .iter()
                    .any(|(v, _)| v.rsplit(' ').next().is_some_and(|w| w.starts_with(m)))
            };
            within_year = moment('M') && moment('E');
            extract = Some((
                t.name.clone(),
                r"(?P<subject>.+?) (?:\d+\.\d+ )?(?P<term>[BME])(?P<grade>\d+)$".to_string(),
            ));
        } else {
            columns.push(("subject", t.name.clone()));
            match named(&["toetsmoment", "moment", "afnamemoment"]) {
                Some(m) => columns.push(("term", m.name.clone())),
                None => keys.push_str(l.pick(
                    "# TODO: welke kolom geeft het toetsmoment (M, E of een periode)?\n",
                    "# TODO: which column gives the moment (M, E, or a term)?\n",
                )),
            }
            match named(&["groep", "jaargroep", "grade", "leerjaar"]) {
                Some(g) => columns.push(("grade", g.name.clone())),
                None => keys.push_str(l.pick(
                    "# TODO: welke kolom geeft de jaargroep?\n",
                    "# TODO: which column gives the grade?\n",
                )),
            }
        }
        if let Some(d) = of_kind(Kind::Date) {
            columns.push(("date", d.name.clone()));
        }
        if let Some(y) = named(&["schooljaar", "schoolyear"]) {
            columns.push(("school_year", y.name.clone()));
        }
        if let Some(e) = named(&["standaardmeetfout", "meetfout", "sem"]) {
            columns.push(("sem", e.name.clone()));
        }
    } else if let Some(school) = named(&["brin", "school", "schoolid", "vestiging"]) {
        format = "mapped-roster";
        columns.push(("school", school.name.clone()));
        named_columns(
            cols,
            &[
                ("school_name", &["schoolnaam", "naamschool"][..]),
                ("group", &["groep", "klas", "groepsnaam"][..]),
                ("grade", &["jaargroep", "leerjaar", "grade"][..]),
                ("school_year", &["schooljaar", "schoolyear"][..]),
                ("birth_date", &["geboortedatum", "birthdate"][..]),
                ("sex", &["geslacht", "sekse", "gender"][..]),
                ("weight", &["leerlinggewicht", "gewicht"][..]),
                ("username", &["inlognaam", "gebruikersnaam", "username"][..]),
                ("email", &["emailadres", "email", "mail"][..]),
            ],
            &mut columns,
        );
        if !columns.iter().any(|c| c.0 == "school_year") {
            keys.push_str(l.pick(
                "# TODO: het schooljaar van deze lijst; voeg na columns toe, bijv.\n# constants = { school_year = \"2024-2025\" }\n",
                "# TODO: the school year of this list; add after columns, e.g.\n# constants = { school_year = \"2024-2025\" }\n",
            ));
        }
    } else if let (Some(w), Some(t)) = (
        named(&["week", "weeknummer"]),
        named(&["taak", "opdracht", "task"]),
    ) {
        format = "mapped-plans";
        columns.push(("week", w.name.clone()));
        columns.push(("task_id", t.name.clone()));
        named_columns(
            cols,
            &[
                ("planned_for", &["gepland", "geplandop", "planned"][..]),
                ("due", &["deadline", "inleverdatum", "due"][..]),
                ("done_at", &["klaarop", "afgerondop", "done"][..]),
            ],
            &mut columns,
        );
    } else {
        return None;
    }
    keys.push_str("[source.mapping]\n");
    let listed: Vec<String> = columns
        .iter()
        .map(|(f, c)| format!("{f} = {}", toml_string(c)))
        .collect();
    let _ = writeln!(keys, "columns = {{ {} }}", listed.join(", "));
    if let Some((column, pattern)) = extract {
        let _ = writeln!(
            keys,
            "# {}\nextract = {{ {} = '{pattern}' }}",
            l.pick(
                "De toetsnaam bevat het vak, het moment (B/M/E) en de jaargroep:",
                "The test name holds the subject, the moment (B/M/E) and the grade:"
            ),
            toml_string(&column)
        );
    }
    Some(Source {
        format,
        keys,
        verbs,
        within_year,
    })
}

/// Adds to `columns` each field whose column is named by one of its words (compared as
/// [`normal`] makes them).
fn named_columns(
    cols: &[ColumnProfile],
    fields: &[(&'static str, &[&str])],
    columns: &mut Vec<(&'static str, String)>,
) {
    for (field, words) in fields {
        if let Some(c) = cols
            .iter()
            .find(|c| words.contains(&normal(&c.name).as_str()))
        {
            columns.push((field, c.name.clone()));
        }
    }
}

/// Whether a test name ends in a moment and grade (`... M4`, `... E5`, `... 3.0 B3`).
fn moment_in(name: &str) -> bool {
    let last = name.rsplit(' ').next().unwrap_or("");
    let mut chars = last.chars();
    matches!(chars.next(), Some('B' | 'M' | 'E'))
        && chars.clone().count() > 0
        && chars.all(|c| c.is_ascii_digit())
}

/// The event kind a Dutch (or English) activity name says, if a keyword does.
fn kind_of_activity(name: &str) -> Option<&'static str> {
    let n = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&["reflect", "logboek", "terugblik"]) {
        Some("reflection")
    } else if has(&[
        "uitleg",
        "instructie",
        "video",
        "filmpje",
        "voorbeeld",
        "explanation",
    ]) {
        Some("instruction")
    } else if has(&["hulp", "hint", "tip", "vraag gesteld", "help"]) {
        Some("help")
    } else if has(&[
        "voortgang",
        "overzicht",
        "dashboard",
        "resultaten bekeken",
        "progress",
    ]) {
        Some("progress_view")
    } else if has(&[
        "afgerond",
        "voltooid",
        "ingeleverd",
        "klaar",
        "completed",
        "submitted",
    ]) {
        Some("complete")
    } else if has(&["gemaakt", "beantwoord", "antwoord", "geoefend", "answered"]) {
        Some("answer")
    } else if has(&["gestart", "begonnen", "geopend", "started", "attempt"]) {
        Some("attempt")
    } else {
        None
    }
}

/// Lower case without spaces, `_`, `-` and `.`.
fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A source name from a file name: its stem in lower case, `_` for anything else than letters
/// and digits.
fn source_name(file: &str) -> String {
    let stem = file.split('.').next().unwrap_or(file);
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() { "bron".into() } else { name }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_names_and_moments_are_recognised() {
        assert_eq!(kind_of_activity("Opdracht gemaakt"), Some("answer"));
        assert_eq!(kind_of_activity("Uitlegvideo bekeken"), Some("instruction"));
        assert_eq!(kind_of_activity("Weektaak afgerond"), Some("complete"));
        assert_eq!(kind_of_activity("Ingelogd"), None);
        assert!(moment_in("Rekenen-Wiskunde 3.0 M4"));
        assert!(moment_in("Spelling E5"));
        assert!(!moment_in("Rekenen-Wiskunde 3.0"));
        assert_eq!(source_name("LVS toetsen 2024.csv"), "lvs_toetsen_2024");
        assert_eq!(toml_string("a \"b\""), "\"a \\\"b\\\"\"");
    }
}
