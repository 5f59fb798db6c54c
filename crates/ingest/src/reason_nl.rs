//! Reject reasons in Dutch. Readers write a reason in English (the code's one language); a
//! Dutch run (`[pipeline] language = "nl"`, the default) puts every reason through [`localise`]
//! before it reaches `rejects/`, `run.json`, the console or a review document.
//!
//! The catalogue is a list of (English template, Dutch template) pairs. `{}` in a template
//! stands for a part that differs per row (a column name, a count, an expected format); the
//! parts are carried over in order. The first template that matches wins, so a specific one
//! goes before a general one with the same beginning. A reason without a template stays in
//! English: `tests/hostile_inputs.rs` runs every hostile case in Dutch and fails on any reason
//! left untranslated, so a new reason needs its line here.

use leerwinst_core::pipeline::Language;

/// A reason in the run's language.
pub fn localise(language: Language, reason: &str) -> String {
    match language {
        Language::En => reason.to_string(),
        Language::Nl => dutch(reason).unwrap_or_else(|| reason.to_string()),
    }
}

/// The Dutch text of an English reason, if the catalogue has it.
pub fn dutch(reason: &str) -> Option<String> {
    leerwinst_core::catalogue::translate(CATALOGUE, reason)
}

/// Every text of the catalogue, English and Dutch (placeholders included): the words a reason
/// may hold besides its column names and counts.
pub fn vocabulary() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().flat_map(|(en, nl)| [*en, *nl])
}

/// (English, Dutch) reason templates. Keep the same number of `{}` on both sides.
const CATALOGUE: &[(&str, &str)] = &[
    // Pupils (context.rs), for every reader.
    ("missing pupil id", "leerlingnummer ontbreekt"),
    (
        "no week and no date to place the plan in a week",
        "geen week en geen datum om de planning in een week te plaatsen",
    ),
    (
        "does not match the mapping's extract pattern",
        "past niet op het patroon in extract van de mapping",
    ),
    (
        "unknown pupil: not in the roster (id shown pseudonymised; see the line in the file)",
        "onbekende leerling: niet in de leerlingenlijst (nummer gepseudonimiseerd getoond; zie de regel in het bestand)",
    ),
    (
        "ambiguous pupil id: the roster gives this id, user name or e-mail address to more than one pupil (both shown pseudonymised); the row is given to neither",
        "leerlingnummer niet eenduidig: de leerlingenlijst geeft dit nummer, deze gebruikersnaam of dit e-mailadres aan meer dan één leerling (gepseudonimiseerd getoond); de regel gaat naar geen van hen",
    ),
    // Delimited files (delimited.rs, redact::csv_error).
    (
        "row not used and no reason given (please report this)",
        "regel niet gebruikt en geen reden gegeven (meld dit alstublieft)",
    ),
    (
        "row has {} fields, header has {}; it runs over lines {}-{} (a quote left open?)",
        "regel heeft {} velden, de kopregel {}; de rij loopt over regels {}-{} (een aanhalingsteken niet gesloten?)",
    ),
    (
        "row has {} fields, header has {}",
        "regel heeft {} velden, de kopregel {}",
    ),
    (
        "the file could not be read",
        "het bestand kon niet worden gelezen",
    ),
    (
        "a field is not valid UTF-8 text",
        "een veld is geen geldige UTF-8-tekst",
    ),
    ("unreadable row", "onleesbare regel"),
    (
        "not a whole number of days since day_zero {}",
        "geen heel aantal dagen sinds day_zero {}",
    ),
    // Numbers and dates (input.rs).
    (
        "ambiguous number (a thousands separator, or three decimals?): write it without a thousands separator",
        "dubbelzinnig getal (een scheidingsteken voor duizendtallen, of drie decimalen?): schrijf het zonder scheidingsteken voor duizendtallen",
    ),
    (
        "year {} is outside {}: a typing error or a placeholder date?",
        "jaar {} valt buiten {}: een tikfout of een dummydatum?",
    ),
    (
        "two-digit year: write the year in full (dd-mm-yyyy)",
        "jaartal in twee cijfers: schrijf het jaar voluit (dd-mm-jjjj)",
    ),
    (
        "two-digit year: write the year in full (m/d/yyyy)",
        "jaartal in twee cijfers: schrijf het jaar voluit (m/d/jjjj)",
    ),
    (
        "not a date (expected dd-mm-yyyy)",
        "geen datum (verwacht: dd-mm-jjjj)",
    ),
    (
        "not a date (expected m/d/yyyy)",
        "geen datum (verwacht: m/d/jjjj)",
    ),
    (
        "not a date (expected yyyy-mm-dd, dd-mm-yyyy or dd/mm/yyyy; set mapping.date_format for others)",
        "geen datum (verwacht: jjjj-mm-dd, dd-mm-jjjj of dd/mm/jjjj; stel `mapping.date_format` in voor een andere notatie)",
    ),
    ("not a date (expected {})", "geen datum (verwacht: {})"),
    ("not a date in the format {}", "geen datum in de notatie {}"),
    (
        "not a date-time (expected dd-mm-yyyy HH:MM)",
        "geen datum met tijd (verwacht: dd-mm-jjjj uu:mm)",
    ),
    // Lookup files of a bundle (lookup.rs).
    ("missing sourcedId", "sourcedId ontbreekt"),
    (
        "repeats line {} exactly (that line is used)",
        "herhaalt regel {} precies (die regel wordt gebruikt)",
    ),
    (
        "{} listed on lines {} with different contents: none of them is used",
        "{} staat op regels {} met een verschillende inhoud: geen van die regels wordt gebruikt",
    ),
    (
        "{} refers to an entry listed more than once in {} (lines {}): not used",
        "{} verwijst naar een item dat meer dan eens in {} staat (regels {}): niet gebruikt",
    ),
    (
        "{} refers to the entry on line {} of {}, which was rejected",
        "{} verwijst naar het item op regel {} van {}, dat is afgekeurd",
    ),
    // School list (schools.rs).
    ("missing school id", "schoolnummer ontbreekt"),
    ("duplicate school id", "dubbel schoolnummer"),
    (
        "not a school year (expected e.g. 2024-2025)",
        "geen schooljaar (verwacht: bijv. 2024-2025)",
    ),
    ("not a number", "geen getal"),
    // Weekly plans (plans.rs).
    (
        "not an ISO week (expected e.g. 2025-W03)",
        "geen ISO-week (verwacht: bijv. 2025-W03)",
    ),
    ("missing task", "taak ontbreekt"),
    // LVS exports (lvs.rs) and test results in general.
    ("missing test name", "toetsnaam ontbreekt"),
    (
        "not a test moment (expected e.g. M4 or E4)",
        "geen toetsmoment (verwacht: bijv. M4 of E4)",
    ),
    ("missing score", "score ontbreekt"),
    (
        "score is not a number (absent or not taken?)",
        "score is geen getal (afwezig of niet gemaakt?)",
    ),
    ("score is not a number", "score is geen getal"),
    (
        "score outside the instrument's range [{}, {}]",
        "score buiten het bereik van de toets [{}, {}]",
    ),
    (
        "standard error is not a positive number",
        "standaardmeetfout is geen positief getal",
    ),
    (
        "standard error larger than the instrument's whole range",
        "standaardmeetfout groter dan het hele bereik van de toets",
    ),
    ("not a school year", "geen schooljaar"),
    (
        "date is not in school year {}",
        "datum valt niet in schooljaar {}",
    ),
    (
        "duplicate: this pupil already has this test moment for this subject and year",
        "dubbel: deze leerling heeft dit toetsmoment al voor dit vak en schooljaar",
    ),
    // SGP LONG files (sgp_long.rs).
    (
        "not a valid case (VALID_CASE is not 'VALID_CASE')",
        "geen geldige regel (kolom `VALID_CASE` bevat niet 'VALID_CASE')",
    ),
    ("missing content area", "vakgebied ontbreekt"),
    (
        "not a school year (expected e.g. 2023_2024; a bare year is ambiguous)",
        "geen schooljaar (verwacht: bijv. 2023_2024; een los jaartal is dubbelzinnig)",
    ),
    (
        "grade is not a whole number",
        "leerjaar is geen geheel getal",
    ),
    (
        "duplicate: this pupil already has a score for this content area and year",
        "dubbel: deze leerling heeft al een score voor dit vakgebied en schooljaar",
    ),
    // Mapped test results (mapped.rs, also the OneRoster gradebook).
    ("missing subject", "vak ontbreekt"),
    (
        "not a test moment (expected B, M, E, Fall, Winter, Spring or Y for an annual test)",
        "geen toetsmoment (verwacht: B, M, E, Fall, Winter, Spring of Y voor een jaarlijkse toets)",
    ),
    (
        "not a grade (expected a whole number -1 to 13, or K)",
        "geen leerjaar (verwacht: een geheel getal van -1 tot en met 13, of K)",
    ),
    (
        "cohort school year is not YYYY-YYYY",
        "schooljaar van het cohort is niet in de vorm JJJJ-JJJJ",
    ),
    (
        "no grade to place the test in the cohort's school year",
        "geen leerjaar om de toets in het schooljaar van het cohort te plaatsen",
    ),
    (
        "no date and no school year",
        "geen datum en geen schooljaar",
    ),
    (
        "percentile is not a number from 0 to 100",
        "percentiel is geen getal van 0 tot en met 100",
    ),
    // Level cells of test results (levels.rs).
    (
        "not a reference level (expected <1F, 1F, 1S, 2F or 1S/2F)",
        "geen referentieniveau (verwacht: <1F, 1F, 1S, 2F of 1S/2F)",
    ),
    (
        "DLE is not a number of months from 0 to 100",
        "DLE is geen aantal maanden van 0 tot en met 100",
    ),
    // Mapped activity (mapped_events.rs).
    ("missing time", "tijdstip ontbreekt"),
    (
        "not a time in the format {}",
        "geen tijdstip in de notatie {}",
    ),
    (
        "not a time (expected e.g. 2025-01-20T09:14:33+01:00, 20-01-2025 09:14 or Unix seconds; set mapping.time_format for others)",
        "geen tijdstip (verwacht: bijv. 2025-01-20T09:14:33+01:00, 20-01-2025 09:14 of Unix-seconden; stel `mapping.time_format` in voor een andere notatie)",
    ),
    ("missing verb", "werkwoord (verb) ontbreekt"),
    (
        "not a success flag (expected true/false, 1/0, ja/nee, goed/fout)",
        "geen aanduiding van succes (verwacht: true/false, 1/0, ja/nee, goed/fout)",
    ),
    (
        "scaled score is not a number in [-1, 1]",
        "geschaalde score is geen getal in [-1, 1]",
    ),
    (
        "not a duration (seconds, or ISO 8601 such as PT41S)",
        "geen duur (seconden, of ISO 8601 zoals PT41S)",
    ),
    (
        "not a count of events (a whole number from 1 to {})",
        "geen aantal activiteiten (een geheel getal van 1 tot en met {})",
    ),
    // Mapped pupil lists (mapped_roster.rs).
    ("missing school", "school ontbreekt"),
    (
        "not a year of birth (1900 to this year)",
        "geen geboortejaar (1900 tot en met dit jaar)",
    ),
    (
        "not a date of birth (expected yyyy-mm-dd, dd-mm-yyyy or dd/mm/yyyy; set mapping.date_format for others; value not shown)",
        "geen geboortedatum (verwacht: jjjj-mm-dd, dd-mm-jjjj of dd/mm/jjjj; stel `mapping.date_format` in voor een andere notatie; waarde niet getoond)",
    ),
    (
        "not a sex (m/man/jongen, v/vrouw/meisje/f, x; or a value map)",
        "geen geslacht (m/man/jongen, v/vrouw/meisje/f, x; of vertaal de waarden met `values` in de mapping)",
    ),
    (
        "pupil weight is not a number of at least 0",
        "leerlinggewicht is geen getal van 0 of meer",
    ),
    (
        "duplicate: this pupil is already listed for this school year",
        "dubbel: deze leerling staat al in de lijst voor dit schooljaar",
    ),
    // Moodle log store (moodle.rs).
    ("duplicate log id", "dubbele log-id"),
    (
        "anonymous event: no pupil to attribute it to",
        "anonieme activiteit: geen leerling om die aan toe te kennen",
    ),
    (
        "no user (system or guest event)",
        "geen gebruiker (activiteit van het systeem of een gast)",
    ),
    (
        "userid is not a Moodle user id (a whole number; the cell is not shown, it may name a person)",
        "userid is geen Moodle-gebruikersnummer (een geheel getal; de cel wordt niet getoond, er kan een naam in staan)",
    ),
    ("missing event name", "naam van de activiteit ontbreekt"),
    (
        "timecreated is not a Unix time (whole seconds since 1970)",
        "timecreated is geen Unix-tijd (hele seconden sinds 1970)",
    ),
    // Moodle log report (moodle_report.rs).
    (
        "no \"user with id '...'\" in the description: no pupil to attribute the event to (value not shown: descriptions may name users)",
        "geen \"user with id '...'\" in de beschrijving: geen leerling om de activiteit aan toe te kennen (waarde niet getoond: een beschrijving kan gebruikers noemen)",
    ),
    (
        "unreadable time (none of Moodle's spellings; set time_format on the source)",
        "onleesbaar tijdstip (geen van de notaties van Moodle; stel `time_format` in bij de bron)",
    ),
    // NWEA CDF (nwea.rs).
    (
        "not an NWEA term name (expected e.g. 'Fall 2013-2014')",
        "geen NWEA-periode (verwacht: bijv. 'Fall 2013-2014')",
    ),
    ("missing school name", "schoolnaam ontbreekt"),
    ("not a grade (K or 0-13)", "geen leerjaar (K of 0-13)"),
    (
        "duplicate: this pupil is already listed for this term",
        "dubbel: deze leerling staat al in de lijst voor deze periode",
    ),
    (
        "not the growth-measure test of the term (GrowthMeasureYN is false)",
        "niet de toets voor de groeimeting van de periode (GrowthMeasureYN is false)",
    ),
    (
        "GrowthMeasureYN is not True or False",
        "GrowthMeasureYN is niet True of False",
    ),
    ("missing measurement scale", "meetschaal ontbreekt"),
    ("missing RIT score", "RIT-score ontbreekt"),
    ("RIT score is not a number", "RIT-score is geen getal"),
    (
        "test date is not in school year {} of the term",
        "toetsdatum valt niet in schooljaar {} van de periode",
    ),
    (
        "standard error is not a number",
        "standaardmeetfout is geen getal",
    ),
    ("percentile is not a number", "percentiel is geen getal"),
    (
        "typical growth is not a number",
        "typische groei is geen getal",
    ),
    (
        "MetProjectedGrowth is not Yes/No",
        "MetProjectedGrowth is niet 'Yes' of 'No'",
    ),
    (
        "duplicate: this pupil already has a growth-measure test of this scale in this term",
        "dubbel: deze leerling heeft al een toets voor de groeimeting op deze meetschaal in deze periode",
    ),
    // OneRoster bundles (oneroster.rs, oneroster_results.rs).
    (
        "endDate lies before startDate",
        "endDate ligt vóór startDate",
    ),
    (
        "startDate is not a date (yyyy-mm-dd)",
        "startDate is geen datum (jjjj-mm-dd)",
    ),
    ("missing role", "rol (role) ontbreekt"),
    (
        "birthDate is not a date (yyyy-mm-dd)",
        "birthDate is geen datum (jjjj-mm-dd)",
    ),
    (
        "sex is not male, female, other or unspecified",
        "geslacht (sex) is niet male, female, other of unspecified",
    ),
    (
        "identifier also given to the user on line {}: two users, one pupil id (neither is merged into the other; this row is not used)",
        "identifier ook gegeven aan de gebruiker op regel {}: twee gebruikers, één leerlingnummer (ze worden niet samengevoegd; deze regel wordt niet gebruikt)",
    ),
    (
        "duplicate user sourcedId",
        "dubbele sourcedId van een gebruiker",
    ),
    (
        "enrollment of a user not in users.csv",
        "inschrijving van een gebruiker die niet in users.csv staat",
    ),
    (
        "no school year: the class has no known term and the enrollment no beginDate",
        "geen schooljaar: de klas heeft geen bekende periode en de inschrijving geen beginDate",
    ),
    (
        "duplicate enrollment of the pupil in this class",
        "dubbele inschrijving van de leerling in deze klas",
    ),
    (
        "result withdrawn by the source system (status tobedeleted)",
        "resultaat ingetrokken door het bronsysteem (status tobedeleted)",
    ),
    (
        "user withdrawn by the source system (status tobedeleted)",
        "gebruiker ingetrokken door het bronsysteem (status tobedeleted)",
    ),
    (
        "not a final score (scoreStatus is not 'fully graded')",
        "geen definitieve score (scoreStatus is niet 'fully graded')",
    ),
    // Project STAR (star.rs).
    (
        "gender is not female/male",
        "geslacht (gender) is niet female/male",
    ),
    ("unknown ethnicity code", "onbekende code voor etniciteit"),
    (
        "class type is not small, regular or regular+aide",
        "klastype is niet small, regular of regular+aide",
    ),
    (
        "in STAR that year but no school id",
        "dat jaar in STAR, maar geen schoolnummer",
    ),
    // xAPI statements (xapi/).
    ("statement has no actor", "statement heeft geen actor"),
    (
        "actor has no account name, mbox or mbox_sha1sum",
        "actor heeft geen `account.name`, `mbox` of `mbox_sha1sum`",
    ),
    (
        "mbox is not a mailto: address (expected mailto:name@school.nl)",
        "`mbox` is geen mailto:-adres (verwacht: mailto:naam@school.nl)",
    ),
    (
        "mbox_sha1sum is not a SHA-1 hash (40 hexadecimal digits)",
        "`mbox_sha1sum` is geen SHA-1-hash (40 hexadecimale tekens)",
    ),
    (
        "statement has no verb id",
        "statement heeft geen werkwoord (verb.id)",
    ),
    (
        "verb id is not an IRI (expected e.g. http://adlnet.gov/expapi/verbs/answered)",
        "werkwoord (verb.id) is geen IRI (verwacht: bijv. http://adlnet.gov/expapi/verbs/answered)",
    ),
    (
        "statement has no timestamp",
        "statement heeft geen tijdstip (timestamp)",
    ),
    (
        "not a valid ISO 8601 timestamp (expected e.g. 2025-01-20T09:14:33+01:00)",
        "geen geldig ISO 8601-tijdstip (verwacht: bijv. 2025-01-20T09:14:33+01:00)",
    ),
    ("not an ISO 8601 duration", "geen ISO 8601-duur"),
    (
        "scaled score outside [-1, 1]",
        "geschaalde score buiten [-1, 1]",
    ),
    ("duplicate statement id", "dubbele statement-id"),
    (
        "voiding statement without the id of the statement it voids",
        "intrekkend statement (voided) zonder de id van het statement dat het intrekt",
    ),
    (
        "voiding statement: the statement it voids is not among this file's accepted statements",
        "intrekkend statement (voided): het statement dat het intrekt staat niet bij de geaccepteerde statements van dit bestand",
    ),
    (
        "voiding statement: applied to line {}",
        "intrekkend statement (voided): toegepast op regel {}",
    ),
    (
        "voiding statement: line {} was already voided by line {}",
        "intrekkend statement (voided): regel {} was al ingetrokken door regel {}",
    ),
    (
        "voided by the statement on line {}",
        "ingetrokken door het statement op regel {}",
    ),
    // JSON parser messages (redact::json_error): kind, what was expected, where in the line.
    (
        "a JSON value of the wrong type or a field missing (expected a string) at column {}",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: tekst) bij teken {} van de regel",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected a string)",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: tekst)",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected a boolean) at column {}",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: true of false) bij teken {} van de regel",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected a boolean)",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: true of false)",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected f64) at column {}",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: een getal) bij teken {} van de regel",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected f64)",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: een getal)",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected struct {}) at column {}",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: een JSON-object {}) bij teken {} van de regel",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected struct {})",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: een JSON-object {})",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected {}) at column {}",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: {}) bij teken {} van de regel",
    ),
    (
        "a JSON value of the wrong type or a field missing (expected {})",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (verwacht: {})",
    ),
    (
        "a JSON value of the wrong type or a field missing (missing field {}) at column {}",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (veld {} ontbreekt) bij teken {} van de regel",
    ),
    (
        "a JSON value of the wrong type or a field missing (missing field {})",
        "JSON-waarde van het verkeerde type of een ontbrekend veld (veld {} ontbreekt)",
    ),
    (
        "a JSON value of the wrong type or a field missing at column {}",
        "JSON-waarde van het verkeerde type of een ontbrekend veld bij teken {} van de regel",
    ),
    (
        "a JSON value of the wrong type or a field missing",
        "JSON-waarde van het verkeerde type of een ontbrekend veld",
    ),
    (
        "malformed JSON (a syntax error) at column {}",
        "onjuiste JSON (een syntaxfout) bij teken {} van de regel",
    ),
    (
        "malformed JSON (a syntax error)",
        "onjuiste JSON (een syntaxfout)",
    ),
    (
        "malformed JSON (it ends early) at column {}",
        "onjuiste JSON (houdt te vroeg op) bij teken {} van de regel",
    ),
    (
        "malformed JSON (it ends early)",
        "onjuiste JSON (houdt te vroeg op)",
    ),
    (
        "the JSON could not be read at column {}",
        "de JSON kon niet worden gelezen bij teken {} van de regel",
    ),
    (
        "the JSON could not be read",
        "de JSON kon niet worden gelezen",
    ),
    // General forms last: the specific reasons above share their endings.
    ("{} is not a number", "{} is geen getal"),
    ("{} is not in {}", "{} staat niet in {}"),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn templates_match_and_carry_their_parts_over() {
        assert_eq!(
            dutch("not a date (expected yyyy.mm.dd)").as_deref(),
            Some("geen datum (verwacht: yyyy.mm.dd)"),
            "a format without a template of its own is carried over"
        );
        assert_eq!(
            dutch("not a date (expected dd-mm-yyyy)").as_deref(),
            Some("geen datum (verwacht: dd-mm-jjjj)"),
            "the specific template goes before the general one"
        );
        assert_eq!(
            dutch("row has 3 fields, header has 5").as_deref(),
            Some("regel heeft 3 velden, de kopregel 5")
        );
        assert_eq!(dutch("missing pupil id x"), None, "no prefix matches");
        assert_eq!(dutch("something new"), None);
        assert_eq!(
            localise(Language::En, "missing pupil id"),
            "missing pupil id"
        );
        assert_eq!(localise(Language::Nl, "something new"), "something new");
    }

    #[test]
    fn every_template_has_as_many_parts_in_dutch_as_in_english() {
        leerwinst_core::catalogue::check(CATALOGUE).unwrap();
    }

    /// The reasons a reader gives, with a roster that knows pupils `L1` and `7`.
    fn reasons_of(read: impl FnOnce(&mut crate::context::ReadContext<'_>)) -> Vec<String> {
        let mut ids = crate::context::IdResolver::with_roster();
        ids.add("L1", "L1");
        ids.add("7", "7");
        let pseudo = crate::pseudonym::Pseudonymiser::off();
        let mut rejects = crate::rejects::Rejects::default();
        let mut ctx =
            crate::context::ReadContext::new("test", "x.csv", &mut rejects, &ids, &pseudo);
        read(&mut ctx);
        rejects
            .first(100)
            .iter()
            .map(|r| r.reason.clone())
            .collect()
    }

    /// Every reason has a Dutch text; returns them.
    fn all_dutch(reasons: &[String]) -> Vec<String> {
        reasons
            .iter()
            .map(|r| dutch(r).unwrap_or_else(|| panic!("no Dutch for {r:?}")))
            .collect()
    }

    #[test]
    fn reasons_of_the_readers_are_in_the_catalogue() {
        // Delimited test results: field count, pupils, dates, numbers.
        let lvs = reasons_of(|ctx| {
            let text = "leerlingnummer;toets;toetsmoment;afnamedatum;vaardigheidsscore\n\
                        L1;Rekenen;M4;20-01-2025\n\
                        L9;Rekenen;M4;20-01-2025;180\n\
                        ;Rekenen;M4;20-01-2025;180\n\
                        L1;Rekenen;M4;20-01-25;180\n\
                        L1;Rekenen;M4;01-01-1900;180\n\
                        L1;Rekenen;M4;20-01-2025;1.234\n\
                        L1;Rekenen;X;20-01-2025;180\n";
            crate::formats::lvs::read(
                ctx,
                text,
                "cito-lvs",
                crate::formats::lvs::DEFAULT_SCORE_RANGE,
            )
            .unwrap();
        });
        let nl = all_dutch(&lvs);
        assert_eq!(nl[0], "regel heeft 4 velden, de kopregel 5");
        assert!(nl[1].starts_with("onbekende leerling: niet in de leerlingenlijst"));
        assert_eq!(nl[2], "leerlingnummer ontbreekt");
        assert_eq!(
            nl[3],
            "jaartal in twee cijfers: schrijf het jaar voluit (dd-mm-jjjj)"
        );
        assert!(
            nl[4].starts_with("jaar 1900 valt buiten 1990-"),
            "{}",
            nl[4]
        );
        assert!(nl[5].starts_with("dubbelzinnig getal"));
        assert_eq!(nl[6], "geen toetsmoment (verwacht: bijv. M4 of E4)");

        // Weekly plans.
        let plans = reasons_of(|ctx| {
            let text = "leerlingnummer;week;taak;klaar_op\nL1;2025-W99;t1;\nL1;2025-W03;;\n\
                        L1;2025-W03;t1;20-01-2025\n";
            crate::formats::plans::read(ctx, text).unwrap();
        });
        assert_eq!(
            all_dutch(&plans),
            [
                "geen ISO-week (verwacht: bijv. 2025-W03)",
                "taak ontbreekt",
                "geen datum met tijd (verwacht: dd-mm-jjjj uu:mm)",
            ]
        );

        // Lookup files of a bundle: a key listed twice with different contents.
        let d = crate::delimited::parse("sourcedId,name\no1,A\no1,B\n,C\n", "orgs.csv").unwrap();
        let mut missing = String::new();
        let lookup = reasons_of(|ctx| {
            let l = crate::lookup::Lookup::read(
                ctx,
                leerwinst_core::Table::Schools,
                "orgs.csv",
                &d,
                0,
                "sourcedId",
            );
            missing = l.missing_reason("schoolSourcedId", "o1");
        });
        assert_eq!(
            all_dutch(&lookup),
            [
                "sourcedId staat op regels 2, 3 met een verschillende inhoud: geen van die regels wordt gebruikt",
                "sourcedId staat op regels 2, 3 met een verschillende inhoud: geen van die regels wordt gebruikt",
                "sourcedId ontbreekt",
            ]
        );
        assert_eq!(
            dutch(&missing).as_deref(),
            Some(
                "schoolSourcedId verwijst naar een item dat meer dan eens in orgs.csv staat (regels 2, 3): niet gebruikt"
            )
        );
        assert_eq!(
            dutch("userSourcedId is not in users.csv").as_deref(),
            Some("userSourcedId staat niet in users.csv")
        );

        // Moodle's log report.
        let report = reasons_of(|ctx| {
            let text = "Time,Event name,Description\n\
                        \"20/01/25, 09:40\",Course viewed,The user viewed the course.\n\
                        someday,Course viewed,The user with id '7' viewed the course.\n";
            let settings = crate::formats::moodle_report::ReportSettings::default();
            crate::formats::moodle_report::read(ctx, text, &BTreeMap::new(), &settings).unwrap();
        });
        let nl = all_dutch(&report);
        assert!(nl[0].starts_with("geen \"user with id '...'\" in de beschrijving: geen leerling"));
        assert!(nl[1].starts_with("onleesbaar tijdstip"));

        // Moodle's log store.
        let log = reasons_of(|ctx| {
            let text = "id,eventname,userid,timecreated\n1,x,0,1700000000\n1,x,7,1700000000\n\
                        2,,7,1700000000\n3,x,7,never\n4,x,Lucas,1700000000\n";
            crate::formats::moodle::read(ctx, text, &BTreeMap::new()).unwrap();
        });
        assert_eq!(
            all_dutch(&log),
            [
                "geen gebruiker (activiteit van het systeem of een gast)",
                "dubbele log-id",
                "naam van de activiteit ontbreekt",
                "timecreated is geen Unix-tijd (hele seconden sinds 1970)",
                "userid is geen Moodle-gebruikersnummer (een geheel getal; de cel wordt niet getoond, er kan een naam in staan)",
            ]
        );

        // Mapped test results and activity.
        let m = leerwinst_core::pipeline::Mapping {
            columns: [("pupil_id", "id"), ("subject", "vak"), ("score", "score")]
                .into_iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect(),
            constants: [("term", "M"), ("school_year", "2024-2025")]
                .into_iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        let mapped = reasons_of(|ctx| {
            let text = "id;vak;score\nL1;;180\nL1;rekenen;veel\nL1;rekenen;180\nL1;rekenen;181\n";
            crate::formats::mapped::read(ctx, text, &m, "x", [0.0, 600.0]).unwrap();
        });
        assert_eq!(
            all_dutch(&mapped),
            [
                "vak ontbreekt",
                "score is geen getal",
                "dubbel: deze leerling heeft dit toetsmoment al voor dit vak en schooljaar",
            ]
        );
        let m = leerwinst_core::pipeline::Mapping {
            columns: [("pupil_id", "id"), ("time", "tijd"), ("verb", "wat")]
                .into_iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect(),
            ..Default::default()
        };
        let events = reasons_of(|ctx| {
            let text = "id;tijd;wat\nL1;;x\nL1;gisteren;x\nL1;20-01-2025 09:14;\n";
            crate::formats::mapped_events::read(ctx, text, &m, &BTreeMap::new()).unwrap();
        });
        let nl = all_dutch(&events);
        assert_eq!(nl[0], "tijdstip ontbreekt");
        assert!(
            nl[1].starts_with("geen tijdstip (verwacht: bijv."),
            "{}",
            nl[1]
        );
        assert_eq!(nl[2], "werkwoord (verb) ontbreekt");

        // xAPI statements, and the JSON parser's messages.
        let xapi = reasons_of(|ctx| {
            let text = "{\n\
                        {\"verb\": {\"id\": \"v\"}}\n\
                        {\"actor\": {\"mbox\": 5}}\n\
                        {\"actor\": {\"account\": {\"name\": \"L1\"}}, \"verb\": {\"id\": \"urn:v\"}, \"timestamp\": \"gisteren\"}\n";
            crate::formats::xapi::read(ctx, text, &BTreeMap::new()).unwrap();
        });
        let nl = all_dutch(&xapi);
        assert_eq!(
            nl[0],
            "onjuiste JSON (houdt te vroeg op) bij teken 1 van de regel"
        );
        assert_eq!(nl[1], "statement heeft geen actor");
        assert!(nl[2].contains("(verwacht: tekst) bij teken"), "{}", nl[2]);
        assert!(nl[3].starts_with("geen geldig ISO 8601-tijdstip"));
    }
}
