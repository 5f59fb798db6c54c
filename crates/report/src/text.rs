//! Chart and document texts in Dutch and English, and the names a reader knows things by.

use std::collections::BTreeMap;
use std::sync::Arc;

use leerwinst_core::pipeline::Language;

/// The texts of the charts and documents in one language.
#[derive(Debug, Clone)]
pub struct Texts {
    /// Language.
    pub lang: Language,
    /// School key -> the school's name, from the school list (empty when it has none).
    schools: Arc<BTreeMap<String, String>>,
}

impl Texts {
    /// Texts for `lang`, naming schools by their keys.
    pub fn new(lang: Language) -> Self {
        Texts {
            lang,
            schools: Arc::default(),
        }
    }

    /// The same texts naming schools by the names in `names` (school key -> name); a school
    /// without a name keeps its key.
    pub fn with_school_names(mut self, names: BTreeMap<String, String>) -> Self {
        self.schools = Arc::new(names);
        self
    }

    /// The name a reader knows school `key` by: its name from the school list, else the key.
    pub fn school<'a>(&'a self, key: &'a str) -> &'a str {
        self.schools.get(key).map_or(key, String::as_str)
    }

    /// A school as a title names it: `Basisschool De Regenboog (10AD)`, or `School 10AD` when
    /// the school list gives no name.
    pub fn school_title(&self, key: &str) -> String {
        match self.schools.get(key) {
            Some(name) => format!("{name} ({key})"),
            None => format!("{} {key}", self.t("School", "School")),
        }
    }

    /// The language's BCP 47 code ("nl" or "en").
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// Picks the Dutch or English text.
    pub fn t<'a>(&self, nl: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Language::Nl => nl,
            Language::En => en,
        }
    }

    /// A number with `places` decimals in the language's spelling (a decimal comma in Dutch).
    pub fn number(&self, v: f64, places: usize) -> String {
        self.localise_decimal(format!("{v:.places$}"))
    }

    /// A number with a sign (`+0,33`, `-1,20`) and `places` decimals, never a negative zero.
    pub fn signed(&self, v: f64, places: usize) -> String {
        let s = format!("{v:+.places$}");
        let s = if s.trim_start_matches(['-', '0', '.']).is_empty() {
            s.replacen('-', "+", 1)
        } else {
            s
        };
        self.localise_decimal(s)
    }

    /// An axis label: one decimal, never "-0,0".
    pub fn tick(&self, v: f64) -> String {
        let s = format!("{v:.1}");
        self.localise_decimal(if s == "-0.0" { "0.0".into() } else { s })
    }

    /// An axis label for an axis spanning `span` units: one decimal, or two when the span is
    /// under 0.6 (where ticks fall every 0.05 and one decimal would repeat labels).
    pub fn tick_for_span(&self, v: f64, span: f64) -> String {
        if span >= 0.6 {
            return self.tick(v);
        }
        let s = format!("{v:.2}");
        self.localise_decimal(if s == "-0.00" { "0.00".into() } else { s })
    }

    fn localise_decimal(&self, s: String) -> String {
        match self.lang {
            Language::Nl => s.replace('.', ","),
            Language::En => s,
        }
    }

    /// A short name of the design with key `key` (as in the effects table's `design` column),
    /// for running text; an unknown key as it is.
    pub fn design_short<'a>(&self, key: &'a str) -> &'a str {
        match self.lang {
            Language::Nl => leerwinst_core::values_nl::design_nl(key).unwrap_or(key),
            Language::En => match key {
                "multilevel" => "multilevel model",
                "vcg" => "virtual comparison group",
                "staggered" => "staggered adoption",
                other => other,
            },
        }
    }

    /// The name of a warehouse table (as in `rejects/<table>.csv`) for a reader; an unknown
    /// name as it is.
    pub fn table<'a>(&self, name: &'a str) -> &'a str {
        match name {
            "assessments" => self.t("toetsresultaten", "test results"),
            "events" => self.t("activiteiten", "LMS events"),
            "plans" => self.t("weekplanningen", "weekly plans"),
            "pupils" => self.t("leerlingen", "pupils"),
            "enrollments" => self.t("inschrijvingen", "enrollments"),
            "schools" => self.t("scholen", "schools"),
            "reported_growth" => self.t("gerapporteerde groei", "reported growth"),
            "attributes" => self.t("kenmerken", "attributes"),
            other => other,
        }
    }

    /// The name of a self-regulation indicator of the composite, as a phrase in running text.
    pub fn srl_component(&self, name: &str) -> String {
        let (nl, en) = match name {
            "active_week_share" => (
                "actief zijn in de lesweken",
                "being active in the course weeks",
            ),
            "weekly_similarity" => ("een vast weekritme", "a steady weekly rhythm"),
            "plan_kept_share" => ("de planning halen", "keeping plans"),
            "on_time_share" => ("op tijd afronden", "finishing on time"),
            "median_lateness_days" => (
                "weinig uitstel op de planning",
                "little delay against the plan",
            ),
            "deadline_margin_h" => (
                "ruim voor de deadline klaar zijn",
                "finishing well before the deadline",
            ),
            "help_after_error_share" => ("hulp zoeken na een fout", "seeking help after an error"),
            "persistence_share" => ("doorzetten na een fout", "persisting after an error"),
            "progress_views_per_week" => {
                ("de eigen voortgang bekijken", "viewing one's own progress")
            }
            "reflections_per_week" => ("reflecteren in het logboek", "reflecting in the logbook"),
            other => (other, other),
        };
        self.t(nl, en).to_string()
    }

    /// Label of an SRL tercile.
    pub fn tercile(&self, t: i32) -> &'static str {
        match (self.lang, t) {
            (Language::Nl, 1) => "laag",
            (Language::Nl, 2) => "midden",
            (Language::Nl, _) => "hoog",
            (Language::En, 1) => "low",
            (Language::En, 2) => "middle",
            (Language::En, _) => "high",
        }
    }

    /// Display name of a subject.
    pub fn subject<'a>(&self, s: &'a str) -> &'a str {
        match (self.lang, s) {
            (Language::Nl, "rekenen") => "rekenen-wiskunde",
            (Language::Nl, "lezen") => "begrijpend lezen",
            (Language::Nl, "all") => "alle vakken",
            (Language::En, "rekenen") => "mathematics",
            (Language::En, "lezen") => "reading comprehension",
            (Language::En, "spelling") => "spelling",
            (Language::En, "all") => "all subjects",
            (_, s) => s,
        }
    }
}
