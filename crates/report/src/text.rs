//! Chart texts in Dutch and English.

use leerwinst_core::pipeline::Language;

/// The texts of the charts in one language.
#[derive(Debug, Clone)]
pub struct Texts {
    /// Language.
    pub lang: Language,
}

impl Texts {
    /// Texts for `lang`.
    pub fn new(lang: Language) -> Self {
        Texts { lang }
    }

    /// The language's BCP 47 code ("nl" or "en").
    pub fn code(&self) -> &'static str {
        match self.lang {
            Language::Nl => "nl",
            Language::En => "en",
        }
    }

    /// Picks the Dutch or English text.
    pub fn t<'a>(&self, nl: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Language::Nl => nl,
            Language::En => en,
        }
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
