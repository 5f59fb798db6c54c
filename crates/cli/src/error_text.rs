//! A run-stopping error as the user reads it: its chain of causes, each said once (an I/O error
//! names its cause itself), in the run's language. The code writes errors in English; a Dutch run
//! puts every line's `: `-separated parts through [`CATALOGUE`] (a path, a key or a value has no
//! template and stays as it is). `tests/error_language.rs` drives the binary on broken pipelines
//! and fails on English left in a Dutch message, so a new message needs its line here.

use leerwinst_core::catalogue::translate;
use leerwinst_core::pipeline::Language;

/// The text of `e` in `language`, without the `error:` label.
pub fn message(e: &anyhow::Error, language: Language) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if parts.last().is_some_and(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    let english = parts.join(": ");
    match language {
        Language::En => english,
        Language::Nl => dutch(&english),
    }
}

/// The label before the message.
pub fn label(language: Language) -> &'static str {
    language.pick("fout", "error")
}

/// `text` with every part that has a template in Dutch.
fn dutch(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.split(": ")
                .map(|part| translate(CATALOGUE, part).unwrap_or_else(|| part.to_string()))
                .collect::<Vec<_>>()
                .join(": ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (English, Dutch) templates of the parts of run-stopping errors. Keep the same number of `{}`
/// on both sides; no template holds `: ` (messages are split there first).
const CATALOGUE: &[(&str, &str)] = &[
    // The pipeline file (core::pipeline) and the TOML reader.
    (
        "TOML parse error at line {}, column {}",
        "fout in het pijplijnbestand op regel {}, kolom {}",
    ),
    (
        "unknown field `{}`, expected one of {}",
        "onbekende sleutel `{}`; bekend zijn {}",
    ),
    (
        "unknown field `{}`, there are no fields",
        "onbekende sleutel `{}`; hier hoort geen sleutel",
    ),
    (
        "unknown variant `{}`, expected one of {}",
        "onbekende waarde `{}`; mogelijk zijn {}",
    ),
    ("missing field `{}`", "sleutel `{}` ontbreekt"),
    ("invalid type", "verkeerd soort waarde"),
    (
        "unclosed table, expected `]`",
        "tabelnaam niet gesloten, verwacht `]`",
    ),
    (
        "too few unicode value digits, expected unicode hexadecimal value",
        "te weinig cijfers na \\u, verwacht een hexadecimale unicodewaarde",
    ),
    (
        "A backslash inside double quotes starts an escape. Write Windows paths in single quotes (path = 'C:\\Users\\juf\\toetsen.csv') or with forward slashes (path = \"C:/Users/juf/toetsen.csv\").",
        "Een schuine streep naar links (\\) tussen dubbele aanhalingstekens begint een escape. Schrijf Windows-paden tussen enkele aanhalingstekens (path = 'C:\\Users\\juf\\toetsen.csv') of met gewone schuine strepen (path = \"C:/Users/juf/toetsen.csv\").",
    ),
    ("is a folder", "is een map"),
    (
        "give the pipeline file (a .toml file such as pipelines/demo.toml); the exports it reads are named inside it",
        "geef het pijplijnbestand (een .toml-bestand zoals pipelines/demo.toml); de exports die het leest staan erin genoemd",
    ),
    (
        "looks like an export, not a pipeline file",
        "lijkt een export, geen pijplijnbestand",
    ),
    (
        "give the pipeline (.toml) that names this export as a [[source]] (see docs/pipeline.md)",
        "geef de pijplijn (.toml) die deze export als [[source]] noemt (zie docs/pipeline.md)",
    ),
    (
        "[privacy] min_group_size = {} is below the floor of 5",
        "[privacy] min_group_size = {} ligt onder de ondergrens van 5",
    ),
    ("expected one of {}", "mogelijk zijn {}"),
    (
        "a school year named YYYY-YYYY starts on a day between 1 July and 30 September, e.g. { month = 8, day = 1 } (the Netherlands) or { month = 9, day = 1 } (Flanders)",
        "een schooljaar met de naam JJJJ-JJJJ begint op een dag tussen 1 juli en 30 september, bijv. { month = 8, day = 1 } (Nederland) of { month = 9, day = 1 } (Vlaanderen)",
    ),
    (
        "the first term starts the school year",
        "de eerste periode begint het schooljaar",
    ),
    (
        "term starts must follow each other in school-year order (from its first day)",
        "periodes moeten elkaar opvolgen in de volgorde van het schooljaar (vanaf de eerste dag)",
    ),
    (
        "term start { month = {}, day = {} } is not a day of every year",
        "periodestart { month = {}, day = {} } is niet in elk jaar een dag",
    ),
    ("source '{}'", "bron '{}'"),
    (
        "two [[source]] entries are named '{}'",
        "twee [[source]]-bronnen heten '{}'",
    ),
    (
        "a pupil list needs {} (a column or a constant)",
        "een leerlingenlijst heeft {} nodig (een kolom of een constante)",
    ),
    (
        "needs pupil_id (the column with the pupil's id)",
        "heeft pupil_id nodig (de kolom met het leerlingnummer)",
    ),
    (
        "a mapped format needs a [source.mapping] table",
        "een gemapt formaat heeft een tabel [source.mapping] nodig",
    ),
    (
        "this earlier run has no indicators/moment_trend.parquet (run it again with this version of leerwinst, or leave it out)",
        "deze eerdere run heeft geen indicators/moment_trend.parquet (draai hem opnieuw met deze versie van leerwinst, of laat hem weg)",
    ),
    (
        "[reference_levels] signal_1f = {} is not a share from 0 to 1 (85% is 0.85)",
        "[reference_levels] signal_1f = {} is geen aandeel van 0 tot 1 (85% schrijf je als 0.85)",
    ),
    (
        "[reference_levels] signal_target row {}",
        "[reference_levels] signal_target rij {}",
    ),
    (
        "share = {} is not a share from 0 to 1 (47.3% is 0.473)",
        "share = {} is geen aandeel van 0 tot 1 (47,3% schrijf je als 0.473)",
    ),
    ("weight_from is not a number", "weight_from is geen getal"),
    (
        "weight_from = {} does not increase",
        "weight_from = {} is niet groter dan in de rij ervoor",
    ),
    (
        "the first row's weight_from = {} leaves schools with a schoolweging from {} without a value (start at {} or lower)",
        "de eerste rij heeft weight_from = {}, zodat scholen met een schoolweging vanaf {} geen waarde krijgen (begin bij {} of lager)",
    ),
    (
        "[indicators] session_gap_min must be a positive number of minutes",
        "[indicators] session_gap_min moet een positief aantal minuten zijn",
    ),
    (
        "[compare.staggered] needs draws >= 1000 (the band's critical value is simulated)",
        "[compare.staggered] heeft draws >= 1000 nodig (de kritieke waarde van de band wordt gesimuleerd)",
    ),
    // Files and folders (I/O).
    (
        "No such file or directory (os error 2)",
        "bestand of map bestaat niet",
    ),
    ("Permission denied (os error 13)", "geen toegang"),
    ("Is a directory (os error 21)", "is een map"),
    ("Not a directory (os error 20)", "is geen map"),
    ("No space left on device (os error 28)", "de schijf is vol"),
    ("cannot create {}", "kan {} niet aanmaken"),
    ("cannot write in {}", "kan niet schrijven in {}"),
    ("cannot write {}", "kan {} niet schrijven"),
    ("cannot read {}", "kan {} niet lezen"),
    ("cannot move {} to {}", "kan {} niet verplaatsen naar {}"),
    ("cannot move {}", "kan {} niet verplaatsen"),
    ("cannot rename {}", "kan {} niet hernoemen"),
    ("cannot copy {} to {}", "kan {} niet kopiëren naar {}"),
    // The output folder (cli::out_folder).
    (
        "{} cannot be an output folder",
        "{} kan geen uitvoermap zijn",
    ),
    (
        "{} already holds {} file(s) or folder(s) that are not a leerwinst run; nothing was written or deleted. Choose a new or empty folder with --out.",
        "{} bevat al {} bestand(en) of map(pen) die geen leerwinst-run zijn; er is niets geschreven of verwijderd. Kies met --out een nieuwe of lege map.",
    ),
    (
        "another leerwinst run (process {}) is writing to {}; wait for it to finish or choose another folder with --out",
        "een andere leerwinst-run (proces {}) schrijft in {}; wacht tot die klaar is of kies met --out een andere map",
    ),
    // Keys and commands.
    (
        "LEERWINST_KEY must be at least 16 characters",
        "LEERWINST_KEY moet minstens 16 tekens lang zijn",
    ),
    (
        "key file {} holds fewer than 16 characters",
        "sleutelbestand {} bevat minder dan 16 tekens",
    ),
    (
        "--language must be nl or en, not '{}'",
        "--language moet nl of en zijn, niet '{}'",
    ),
    ("{} is not a folder", "{} is geen map"),
    (
        "give the folder that holds the exports (`leerwinst init exports/`)",
        "geef de map met de exports (`leerwinst init exports/`)",
    ),
    (
        "{} exists already and is left as it is; give another file with --out",
        "{} bestaat al en blijft zoals het is; geef met --out een ander bestand",
    ),
    ("no effect could be estimated", "geen effect te schatten"),
    // The checks of a pipeline's keys (core::pipeline: names, limits, sources, mappings, growth,
    // compare); `tests/error_language.rs` makes each of them.
    ("is empty", "is leeg"),
    ("is longer than 80 characters", "is langer dan 80 tekens"),
    (
        "'{}' starts with a dot; it names a folder under reports/",
        "'{}' begint met een punt; de naam wordt een map onder reports/",
    ),
    ("'{}' contains '{}'", "'{}' bevat '{}'"),
    (
        "a name may hold letters, digits, spaces, - _ and . (it names a folder under reports/, never a path; choose the output folder with --out)",
        "een naam mag letters, cijfers, spaties, - _ en . bevatten (hij wordt een map onder reports/, nooit een pad; kies de uitvoermap met --out)",
    ),
    (
        "[limits] earliest_year and latest_year are four-digit years",
        "[limits] earliest_year en latest_year zijn jaartallen van vier cijfers",
    ),
    (
        "[limits] earliest_year {} is after latest_year {}",
        "[limits] earliest_year {} ligt na latest_year {}",
    ),
    (
        "[limits] max_record_lines is at least 1",
        "[limits] max_record_lines is minstens 1",
    ),
    (
        "time_format and school_year apply only to format moodle-report (a mapped source sets them in [source.mapping])",
        "time_format en school_year gelden alleen voor het formaat moodle-report (een gemapte bron zet ze in [source.mapping])",
    ),
    (
        "sheet and header_row apply to one CSV or XLSX file, not to an xAPI, OneRoster or NWEA source",
        "sheet en header_row gelden voor één CSV- of XLSX-bestand, niet voor een xAPI-, OneRoster- of NWEA-bron",
    ),
    (
        "header_row counts from 1 (the first line of the file)",
        "header_row telt vanaf 1 (de eerste regel van het bestand)",
    ),
    (
        "[source.results] applies only to format oneroster",
        "[source.results] geldt alleen voor het formaat oneroster",
    ),
    (
        "unknown field '{}'; expected one of {}",
        "onbekend veld '{}'; mogelijk zijn {}",
    ),
    (
        "{} comes from neither a named group (?P<{}>...) in title nor a constant",
        "{} komt niet uit een benoemde groep (?P<{}>...) in title en niet uit een constante",
    ),
    (
        "school_year '{}' is not YYYY-YYYY",
        "school_year '{}' is niet van de vorm JJJJ-JJJJ",
    ),
    (
        "a mapping applies only to formats mapped-assessments, mapped-events, mapped-roster and mapped-plans",
        "een mapping geldt alleen voor de formaten mapped-assessments, mapped-events, mapped-roster en mapped-plans",
    ),
    (
        "expected a date as yyyy-mm-dd, e.g. \"2024-09-02\"",
        "verwacht een datum als jjjj-mm-dd, bijv. \"2024-09-02\"",
    ),
    (
        "with day_zero the date column holds day numbers; date_format and time_format do not apply",
        "met day_zero bevat de datumkolom dagnummers; date_format en time_format gelden dan niet",
    ),
    (
        "unpivot, cohort, time_format and day_zero do not apply to a pupil list",
        "unpivot, cohort, time_format en day_zero gelden niet voor een leerlingenlijst",
    ),
    (
        "day_zero needs a date column (the day numbers)",
        "day_zero heeft een datumkolom nodig (de dagnummers)",
    ),
    (
        "unpivot, cohort and date_format apply to test results; events use time_format",
        "unpivot, cohort en date_format gelden voor toetsresultaten; activiteiten gebruiken time_format",
    ),
    (
        "needs time (the column with each event's time), or date and time when they are two columns",
        "heeft time nodig (de kolom met het tijdstip van elke activiteit), of date en time als dat twee kolommen zijn",
    ),
    (
        "nothing fills '{}' (a column or a constant)",
        "niets vult '{}' (een kolom of een constante)",
    ),
    (
        "day_zero applies to test results and events",
        "day_zero geldt voor toetsresultaten en activiteiten",
    ),
    (
        "nothing fills '{}' (the planned task)",
        "niets vult '{}' (de geplande taak)",
    ),
    (
        "needs a week or a date (planned_for, due or done_at) to place plans in a week",
        "heeft een week of een datum nodig (planned_for, due of done_at) om planningen in een week te plaatsen",
    ),
    (
        "'{}' is both a column and a constant",
        "'{}' is zowel een kolom als een constante",
    ),
    (
        "time_format applies to events; test results use date_format",
        "time_format geldt voor activiteiten; toetsresultaten gebruiken date_format",
    ),
    (
        "nothing fills '{}' (a column, a constant or an unpivot group)",
        "niets vult '{}' (een kolom, een constante of een unpivot-groep)",
    ),
    (
        "needs a date, a school_year or a cohort to place tests in a school year",
        "heeft een datum, een school_year of een cohort nodig om toetsen in een schooljaar te plaatsen",
    ),
    ("expected 1 or 2", "verwacht 1 of 2"),
    (
        "sem = {} must be a positive number",
        "sem = {} moet een positief getal zijn",
    ),
    (
        "[compare] design = \"experiment\" needs a [compare.experiment] table",
        "[compare] design = \"experiment\" heeft een tabel [compare.experiment] nodig",
    ),
    (
        "expected 'class' or 'school'",
        "verwacht 'class' of 'school'",
    ),
    (
        "fixed_effect must be 'school'",
        "fixed_effect moet 'school' zijn",
    ),
    (
        "[compare.experiment] needs subjects, grades and at least one model",
        "[compare.experiment] heeft subjects, grades en minstens één model nodig",
    ),
    (
        "'{}' is not one of ses_weight, special_needs, school_weight, baseline_score (baseline_z is always in the model)",
        "'{}' is niet een van ses_weight, special_needs, school_weight, baseline_score (baseline_z zit altijd in het model)",
    ),
    (
        "[compare.matching] covariate '{}'",
        "[compare.matching] covariaat '{}'",
    ),
    (
        "expected largest, smallest or data",
        "verwacht largest, smallest of data",
    ),
    (
        "[compare.matching] needs ratio >= 1, a positive caliper and a covariate",
        "[compare.matching] heeft ratio >= 1, een positieve caliper en een covariaat nodig",
    ),
    (
        "[compare.vcg] needs k >= 1, positive calipers and bootstrap >= 99",
        "[compare.vcg] heeft k >= 1, positieve calipers en bootstrap >= 99 nodig",
    ),
    (
        "[compare.vcg] school characteristic '{}'",
        "[compare.vcg] schoolkenmerk '{}'",
    ),
    (
        "only 'school_weight' is known",
        "alleen 'school_weight' is bekend",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_the_message_already_holds_is_said_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = anyhow::Error::new(leerwinst_core::Error::io("x.toml", io));
        let en = message(&e, Language::En);
        assert_eq!(en.matches("entity not found").count(), 1, "{en}");
    }

    #[test]
    fn each_part_is_translated_and_paths_stay() {
        assert_eq!(
            dutch("p.toml: [privacy] min_group_size = 3 is below the floor of 5"),
            "p.toml: [privacy] min_group_size = 3 ligt onder de ondergrens van 5"
        );
        assert_eq!(
            dutch(
                "p.toml: [reference_levels] signal_target row 2: share = 47.3 is not a share from 0 to 1 (47.3% is 0.473)"
            ),
            "p.toml: [reference_levels] signal_target rij 2: share = 47.3 is geen aandeel van 0 tot 1 (47,3% schrijf je als 0.473)"
        );
        assert_eq!(
            dutch("nope.csv: No such file or directory (os error 2)"),
            "nope.csv: bestand of map bestaat niet"
        );
        leerwinst_core::catalogue::check(CATALOGUE).unwrap();
        for (en, _) in CATALOGUE {
            assert!(!en.contains(": "), "split at ': ' first: {en}");
        }
    }
}
