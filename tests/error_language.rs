//! A run-stopping error is said in the pipeline's language: a Dutch pipeline (the default) gets
//! `fout:` and no English prose, an English one `error:`. Each case is a broken pipeline a user
//! makes (a typo in a key, a bad value, a missing export, a Windows path in double quotes, a
//! folder where the pipeline file goes), and every check of a pipeline's keys once; a message
//! without a line in `crates/cli/src/error_text.rs` fails here.

use std::path::Path;
use std::process::{Command, Output};

fn run(pipeline: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .args([
            "run",
            pipeline.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("CI", "true")
        .env("LEERWINST_KEY", "error-language-test-key")
        .output()
        .unwrap()
}

/// Broken pipelines: (name, text after `[pipeline]`).
const CASES: [(&str, &str); 9] = [
    ("unknown_key", "\n[indicators]\nsesion_gap_min = 10\n"),
    ("small_group", "\n[privacy]\nmin_group_size = 3\n"),
    ("window", "\n[compare]\nwindow = \"X-Y\"\n"),
    ("variant", "\n[compare]\ndesign = \"foo\"\n"),
    (
        "missing_export",
        "\n[[source]]\nname = \"a\"\nformat = \"lvs-csv\"\npath = \"nope.csv\"\n",
    ),
    (
        "calendar",
        "\n[calendar]\nschool_year_start = { month = 1, day = 1 }\n",
    ),
    (
        "terms",
        "\n[indicators]\nterms = [{ month = 9, day = 1 }]\n",
    ),
    ("windows_path", "path = \"C:\\Users\\x\"\n"),
    (
        "no_mapping",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n",
    ),
];

/// Words of English prose that no Dutch message holds (keys, values and paths aside).
const ENGLISH: [&str; 14] = [
    "error",
    "expected",
    "unknown",
    "must",
    "cannot",
    "needs",
    "below",
    "No such",
    "parse",
    "give the",
    "not a",
    "is a folder",
    "backslash",
    "missing",
];

#[test]
fn a_dutch_pipeline_gets_its_errors_in_dutch() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, std::path::PathBuf)> = CASES
        .iter()
        .enumerate()
        .map(|(i, (name, rest))| {
            // File names of their own: a path is quoted in the message, and must hold no
            // English word.
            let p = tmp.path().join(format!("geval{i}.toml"));
            std::fs::write(&p, format!("[pipeline]\nname = \"t\"\n{rest}")).unwrap();
            (name.to_string(), p)
        })
        .collect();
    // A folder or a missing file where the pipeline file goes.
    cases.push(("folder".into(), tmp.path().to_path_buf()));
    cases.push(("no_file".into(), tmp.path().join("ontbreekt.toml")));
    for (name, p) in &cases {
        let o = run(p, &tmp.path().join("uit"));
        assert_eq!(o.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("fout: "), "{name}: {err}");
        for word in ENGLISH {
            assert!(!err.contains(word), "{name}: English '{word}' in\n{err}");
        }
    }
}

/// Every check of a pipeline's keys (`core::pipeline`), made once: (name, text after
/// `[pipeline]` (with `name = "t"` unless the text names the pipeline itself), a piece of the
/// Dutch message that says the check fired and was put in Dutch).
const KEY_CHECKS: &[(&str, &str, &str)] = &[
    ("name_empty", "name = \" \"\n", "is leeg"),
    (
        "name_long",
        "name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
        "langer dan 80 tekens",
    ),
    ("name_dot", "name = \".x\"\n", "begint met een punt"),
    ("name_char", "name = \"a/b\"\n", "een naam mag letters"),
    (
        "limits_years",
        "\n[limits]\nearliest_year = 99\n",
        "jaartallen van vier cijfers",
    ),
    (
        "limits_order",
        "\n[limits]\nearliest_year = 2020\nlatest_year = 2010\n",
        "ligt na latest_year",
    ),
    (
        "limits_lines",
        "\n[limits]\nmax_record_lines = 0\n",
        "is minstens 1",
    ),
    (
        "moodle_only",
        "\n[[source]]\nname = \"a\"\nformat = \"lvs-csv\"\npath = \"a.csv\"\ntime_format = \"%H\"\n",
        "gelden alleen voor het formaat moodle-report",
    ),
    (
        "sheet_only",
        "\n[[source]]\nname = \"a\"\nformat = \"xapi\"\npath = \"a.json\"\nsheet = \"b\"\n",
        "gelden voor één CSV- of XLSX-bestand",
    ),
    (
        "header_row",
        "\n[[source]]\nname = \"a\"\nformat = \"lvs-csv\"\npath = \"a.csv\"\nheader_row = 0\n",
        "telt vanaf 1",
    ),
    (
        "results_only",
        "\n[[source]]\nname = \"a\"\nformat = \"lvs-csv\"\npath = \"a.csv\"\n[source.results]\ntitle = \"x\"\n",
        "geldt alleen voor het formaat oneroster",
    ),
    (
        "results_field",
        "\n[[source]]\nname = \"a\"\nformat = \"oneroster\"\npath = \"a\"\n[source.results]\ntitle = \"x\"\nconstants = { foo = \"y\" }\n",
        "onbekend veld 'foo'",
    ),
    (
        "results_group",
        "\n[[source]]\nname = \"a\"\nformat = \"oneroster\"\npath = \"a\"\n[source.results]\ntitle = \"x\"\n",
        "komt niet uit een benoemde groep",
    ),
    (
        "school_year",
        "\n[[source]]\nname = \"a\"\nformat = \"moodle-report\"\npath = \"a.csv\"\nschool_year = \"x\"\n",
        "is niet van de vorm JJJJ-JJJJ",
    ),
    (
        "mapping_wrong",
        "\n[[source]]\nname = \"a\"\nformat = \"lvs-csv\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\" }\n",
        "een mapping geldt alleen",
    ),
    (
        "day_zero",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", date = \"d\", verb = \"v\" }\nday_zero = \"x\"\n",
        "verwacht een datum als jjjj-mm-dd",
    ),
    (
        "day_zero_format",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", date = \"d\", verb = \"v\" }\nday_zero = \"2024-09-02\"\ntime_format = \"%H\"\n",
        "bevat de datumkolom dagnummers",
    ),
    (
        "roster_unpivot",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-roster\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\" }\ntime_format = \"%H\"\n",
        "gelden niet voor een leerlingenlijst",
    ),
    (
        "roster_school",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-roster\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\" }\n",
        "een leerlingenlijst heeft school nodig",
    ),
    (
        "events_day_zero_date",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", time = \"t\", verb = \"v\" }\nday_zero = \"2024-09-02\"\n",
        "heeft een datumkolom nodig",
    ),
    (
        "events_unpivot",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", time = \"t\", verb = \"v\" }\ndate_format = \"%d\"\n",
        "activiteiten gebruiken time_format",
    ),
    (
        "events_time",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", verb = \"v\" }\n",
        "heeft time nodig",
    ),
    (
        "events_verb",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-events\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", time = \"t\" }\n",
        "niets vult 'verb'",
    ),
    (
        "plans_unpivot",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-plans\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", task_id = \"t\", week = \"w\" }\n[source.mapping.unpivot]\ncolumns = \"x\"\n",
        "onbekend veld 'score'",
    ),
    (
        "plans_day_zero",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-plans\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", task_id = \"t\", week = \"w\" }\nday_zero = \"2024-09-02\"\n",
        "day_zero geldt voor toetsresultaten",
    ),
    (
        "plans_task",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-plans\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", week = \"w\" }\n",
        "niets vult 'task_id'",
    ),
    (
        "plans_week",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-plans\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", task_id = \"t\" }\n",
        "heeft een week of een datum nodig",
    ),
    (
        "unknown_field",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-assessments\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", foo = \"f\" }\n",
        "onbekend veld 'foo'",
    ),
    (
        "both",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-assessments\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", subject = \"s\" }\nconstants = { subject = \"rekenen\" }\n",
        "zowel een kolom als een constante",
    ),
    (
        "pupil_id",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-assessments\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { subject = \"s\" }\n",
        "heeft pupil_id nodig",
    ),
    (
        "assess_time",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-assessments\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\" }\ntime_format = \"%H\"\n",
        "toetsresultaten gebruiken date_format",
    ),
    (
        "assess_subject",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-assessments\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\" }\n",
        "niets vult 'subject'",
    ),
    (
        "assess_date",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-assessments\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", subject = \"s\", term = \"t\", score = \"x\" }\n",
        "om toetsen in een schooljaar te plaatsen",
    ),
    (
        "cohort_year",
        "\n[[source]]\nname = \"a\"\nformat = \"mapped-assessments\"\npath = \"a.csv\"\n[source.mapping]\ncolumns = { pupil_id = \"nr\", subject = \"s\", term = \"t\", score = \"x\" }\ncohort = { grade = 4, school_year = \"x\" }\n",
        "is niet van de vorm JJJJ-JJJJ",
    ),
    (
        "session_gap",
        "\n[indicators]\nsession_gap_min = 0\n",
        "positief aantal minuten",
    ),
    (
        "sgp_order",
        "\n[growth.sgp]\nmax_order = 3\n",
        "verwacht 1 of 2",
    ),
    (
        "sem",
        "\n[[growth.sem]]\ninstrument = \"x\"\nsem = -1\n",
        "moet een positief getal zijn",
    ),
    (
        "experiment",
        "\n[compare]\ndesign = \"experiment\"\n",
        "heeft een tabel [compare.experiment] nodig",
    ),
    (
        "exp_cluster",
        "\n[compare]\ndesign = \"experiment\"\n[compare.experiment]\ntreatment = \"t\"\nreference = \"r\"\npercentile_reference = []\ncluster = \"x\"\nsubjects = [\"a\"]\ngrades = [1]\nmodel = []\n",
        "verwacht 'class' of 'school'",
    ),
    (
        "exp_fixed",
        "\n[compare]\ndesign = \"experiment\"\n[compare.experiment]\ntreatment = \"t\"\nreference = \"r\"\npercentile_reference = []\ncluster = \"school\"\nsubjects = [\"a\"]\ngrades = [1]\n[[compare.experiment.model]]\nname = \"m\"\nfixed_effect = \"class\"\n",
        "fixed_effect moet 'school' zijn",
    ),
    (
        "exp_needs",
        "\n[compare]\ndesign = \"experiment\"\n[compare.experiment]\ntreatment = \"t\"\nreference = \"r\"\npercentile_reference = []\ncluster = \"school\"\nsubjects = []\ngrades = [1]\nmodel = []\n",
        "minstens één model nodig",
    ),
    (
        "covariates",
        "\n[compare]\ncovariates = [\"foo\"]\n",
        "zit altijd in het model",
    ),
    (
        "match_cov",
        "\n[compare.matching]\ncovariates = [\"foo\"]\n",
        "covariaat 'foo'",
    ),
    (
        "match_order",
        "\n[compare.matching]\ncovariates = [\"baseline_z\"]\norder = \"x\"\n",
        "verwacht largest, smallest of data",
    ),
    (
        "match_ratio",
        "\n[compare.matching]\ncovariates = [\"baseline_z\"]\nratio = 0\n",
        "een positieve caliper",
    ),
    ("vcg_k", "\n[compare.vcg]\nk = 0\n", "positieve calipers"),
    (
        "vcg_char",
        "\n[compare.vcg]\nschool_characteristics = [\"x\"]\n",
        "alleen 'school_weight' is bekend",
    ),
    (
        "staggered",
        "\n[compare.staggered]\ndraws = 10\n",
        "heeft draws >= 1000 nodig",
    ),
    (
        "two_sources",
        "\n[[source]]\nname = \"a\"\nformat = \"xapi\"\npath = \"a\"\n\n[[source]]\nname = \"a\"\nformat = \"xapi\"\npath = \"b\"\n",
        "twee [[source]]-bronnen heten",
    ),
];

#[test]
fn every_check_of_a_dutch_pipeline_is_said_in_dutch() {
    let tmp = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for (i, (name, rest, dutch)) in KEY_CHECKS.iter().enumerate() {
        let p = tmp.path().join(format!("geval{i}.toml"));
        let own_name = if rest.starts_with("name") {
            ""
        } else {
            "name = \"t\"\n"
        };
        std::fs::write(&p, format!("[pipeline]\n{own_name}{rest}")).unwrap();
        let o = run(&p, &tmp.path().join("uit"));
        let err = String::from_utf8_lossy(&o.stderr);
        // A key's name is not prose (`special_needs` holds "needs").
        let prose = err.replace("special_needs", "");
        let english: Vec<&str> = ENGLISH
            .iter()
            .chain(MORE_ENGLISH.iter())
            .filter(|w| prose.contains(*w))
            .copied()
            .collect();
        if o.status.code() != Some(1) || !err.contains(dutch) || !english.is_empty() {
            wrong.push(format!("{name}: {english:?} in {err}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Further words of English prose in the messages of the key checks.
const MORE_ENGLISH: [&str; 12] = [
    "apply",
    "applies",
    "only",
    "nothing",
    "is not",
    "neither",
    "counts",
    "at least",
    "is after",
    "is empty",
    "starts with",
    "is known",
];

#[test]
fn an_english_pipeline_gets_its_errors_in_english() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p.toml");
    std::fs::write(
        &p,
        "[pipeline]\nname = \"t\"\nlanguage = \"en\"\n\n[privacy]\nmin_group_size = 3\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&run(&p, &tmp.path().join("out")).stderr).to_string();
    assert!(
        err.starts_with("error: ") && err.contains("is below the floor of 5"),
        "{err}"
    );
}
