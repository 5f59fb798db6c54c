//! Dutch *referentieniveaus* (reference levels for reading, language conventions and maths) and
//! the Inspectorate of Education's signalling values (*signaleringswaarden*) a school's shares are
//! held to.
//!
//! - **1F** is the fundamental level every pupil should reach by the end of primary school;
//!   **1S** (maths) and **2F** (reading, language) are the target level (*streefniveau*).
//!   Exports write them as `1F`, `2F`, `1S`, `1S/2F`, and below the fundamental level as `<1F`,
//!   `onder 1F` or `niet 1F`; [`ReferenceLevel::parse`] reads those spellings.
//! - The inspectorate holds the share reaching 1F against **85%** for every school, and the share
//!   reaching 1S/2F against a value that depends on the school's *schoolweging* (CBS school
//!   weight, about 20-40, a three-year average; the inspectorate clamps it to 20-40). Source:
//!   Inspectie van het Onderwijs, *Onderwijsresultatenmodel primair onderwijs* (in force since
//!   the school year 2020-2021; "Hoe zijn de signaleringswaarden bepaald?"). The 1S/2F table is
//!   published by the inspectorate and revised; a pipeline gives it in `[reference_levels]`
//!   (leerwinst ships no copy of its numbers that could go stale).

use serde::{Deserialize, Serialize};

/// A pupil's reference level on one test, as the test publisher reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReferenceLevel {
    /// Below the fundamental level.
    Below1F,
    /// The fundamental level 1F, not the target level.
    F1,
    /// The target level for maths, 1S.
    S1,
    /// The target level for reading and language, 2F.
    F2,
}

impl ReferenceLevel {
    /// The level's canonical spelling, as stored in `assessments.reference_level`.
    pub fn code(self) -> &'static str {
        match self {
            ReferenceLevel::Below1F => "<1F",
            ReferenceLevel::F1 => "1F",
            ReferenceLevel::S1 => "1S",
            ReferenceLevel::F2 => "2F",
        }
    }

    /// Reads an exported level: `1F`, `2F`, `1S`, `1S/2F`, `2F/1S` (any case, spaces ignored),
    /// below 1F as `<1F`, `onder 1F`, `niet 1F`, `lager dan 1F`, `beneden 1F` or `-1F`.
    /// `1S/2F` reads as 1S for maths and 2F otherwise: the caller passes the canonical subject.
    /// Levels above the target (`3F`) count as the target reached. `None`: not a level.
    pub fn parse(text: &str, subject: &str) -> Option<ReferenceLevel> {
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let target = if subject == "rekenen" {
            ReferenceLevel::S1
        } else {
            ReferenceLevel::F2
        };
        match t.as_str() {
            "<1f" | "onder1f" | "niet1f" | "lagerdan1f" | "beneden1f" | "-1f" | "<f1" => {
                Some(ReferenceLevel::Below1F)
            }
            "1f" | "f1" => Some(ReferenceLevel::F1),
            "1s" | "s1" => Some(ReferenceLevel::S1),
            "2f" | "f2" | "3f" => Some(ReferenceLevel::F2),
            "1s/2f" | "2f/1s" | "1s2f" | "streefniveau" => Some(target),
            _ => None,
        }
    }

    /// The level from its canonical spelling ([`ReferenceLevel::code`]).
    pub fn from_code(code: &str) -> Option<ReferenceLevel> {
        [
            ReferenceLevel::Below1F,
            ReferenceLevel::F1,
            ReferenceLevel::S1,
            ReferenceLevel::F2,
        ]
        .into_iter()
        .find(|l| l.code() == code)
    }

    /// The fundamental level 1F (or more) is reached.
    pub fn reaches_fundamental(self) -> bool {
        self != ReferenceLevel::Below1F
    }

    /// The target level 1S or 2F is reached.
    pub fn reaches_target(self) -> bool {
        matches!(self, ReferenceLevel::S1 | ReferenceLevel::F2)
    }
}

/// The inspectorate's signalling value for the share reaching 1F (85%, the same for every school).
pub const SIGNAL_FUNDAMENTAL: f64 = 0.85;

/// The range the inspectorate clamps a schoolweging to before it looks up the 1S/2F value.
pub const WEIGHT_RANGE: [f64; 2] = [20.0, 40.0];

/// How many of the latest school years the inspectorate takes together when it judges a school's
/// shares (three: small year groups vary much from year to year).
pub const POOLED_YEARS: usize = 3;

/// The latest [`POOLED_YEARS`] school years among `years` (`YYYY-YYYY`, repeats allowed), oldest
/// first: the years a review takes together.
pub fn pooled_years<'a>(years: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let all: std::collections::BTreeSet<&str> = years.into_iter().collect();
    let skip = all.len().saturating_sub(POOLED_YEARS);
    all.into_iter().skip(skip).map(str::to_string).collect()
}

/// `[[reference_levels.signal_target]]`: one row of the inspectorate's table of 1S/2F signalling
/// values: schools whose (clamped) schoolweging is at least `weight_from`, up to the next row's,
/// are held to `share`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSignal {
    /// Lowest schoolweging of the row.
    pub weight_from: f64,
    /// Signalling value for the share reaching 1S/2F, a fraction (47.3% is 0.473).
    pub share: f64,
}

/// `[reference_levels]`: the signalling values shares of pupils reaching a reference level are
/// held to.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferenceLevels {
    /// Signalling value for the share reaching 1F (default 0.85, the inspectorate's).
    pub signal_1f: f64,
    /// The inspectorate's 1S/2F signalling values by schoolweging, rows in increasing
    /// `weight_from`, the first at most 20 (default empty: shares are shown without a 1S/2F
    /// signalling value).
    pub signal_target: Vec<TargetSignal>,
}

impl Default for ReferenceLevels {
    fn default() -> Self {
        ReferenceLevels {
            signal_1f: SIGNAL_FUNDAMENTAL,
            signal_target: Vec::new(),
        }
    }
}

impl ReferenceLevels {
    /// Checks the shares are fractions and the table's rows increase and start at most at 20
    /// (so every clamped schoolweging finds its row).
    pub fn validate(&self) -> std::result::Result<(), String> {
        let fraction = |v: f64| v > 0.0 && v <= 1.0;
        if !fraction(self.signal_1f) {
            return Err(format!(
                "signal_1f = {} is not a share from 0 to 1 (85% is 0.85)",
                self.signal_1f
            ));
        }
        for (i, row) in self.signal_target.iter().enumerate() {
            if !fraction(row.share) {
                return Err(format!(
                    "signal_target row {}: share = {} is not a share from 0 to 1 (47.3% is 0.473)",
                    i + 1,
                    row.share
                ));
            }
            if !row.weight_from.is_finite() {
                return Err(format!(
                    "signal_target row {}: weight_from is not a number",
                    i + 1
                ));
            }
            if i > 0 && row.weight_from <= self.signal_target[i - 1].weight_from {
                return Err(format!(
                    "signal_target row {}: weight_from = {} does not increase",
                    i + 1,
                    row.weight_from
                ));
            }
        }
        if let Some(first) = self.signal_target.first()
            && first.weight_from > WEIGHT_RANGE[0]
        {
            return Err(format!(
                "signal_target: the first row's weight_from = {} leaves schools with a schoolweging from {} without a value (start at {} or lower)",
                first.weight_from, WEIGHT_RANGE[0], WEIGHT_RANGE[0]
            ));
        }
        Ok(())
    }

    /// The 1S/2F signalling value of a school with schoolweging `weight` (clamped to 20-40 as
    /// the inspectorate does); `None` without a table or a weight.
    pub fn target_signal(&self, weight: Option<f64>) -> Option<f64> {
        let w = weight
            .filter(|w| w.is_finite())?
            .clamp(WEIGHT_RANGE[0], WEIGHT_RANGE[1]);
        self.signal_target
            .iter()
            .rev()
            .find(|row| row.weight_from <= w)
            .map(|row| row.share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spellings_exports_use() {
        use ReferenceLevel::*;
        for (text, subject, want) in [
            ("1F", "lezen", Some(F1)),
            (" 1f ", "rekenen", Some(F1)),
            ("2F", "lezen", Some(F2)),
            ("1S", "rekenen", Some(S1)),
            ("1S/2F", "rekenen", Some(S1)),
            ("1S/2F", "lezen", Some(F2)),
            ("2F / 1S", "spelling", Some(F2)),
            ("<1F", "lezen", Some(Below1F)),
            ("< 1F", "lezen", Some(Below1F)),
            ("Onder 1F", "rekenen", Some(Below1F)),
            ("niet 1F", "rekenen", Some(Below1F)),
            ("3F", "lezen", Some(F2)),
            ("", "lezen", None),
            ("II", "lezen", None),
            ("1G", "lezen", None),
        ] {
            assert_eq!(ReferenceLevel::parse(text, subject), want, "{text:?}");
        }
        for l in [Below1F, F1, S1, F2] {
            assert_eq!(ReferenceLevel::from_code(l.code()), Some(l));
            assert_eq!(ReferenceLevel::parse(l.code(), "lezen"), Some(l));
        }
        assert!(F1.reaches_fundamental() && !F1.reaches_target());
        assert!(S1.reaches_target() && F2.reaches_target());
        assert!(!Below1F.reaches_fundamental());
    }

    #[test]
    fn the_latest_three_years_are_pooled() {
        let years = [
            "2021-2022",
            "2024-2025",
            "2022-2023",
            "2023-2024",
            "2024-2025",
        ];
        assert_eq!(pooled_years(years), ["2022-2023", "2023-2024", "2024-2025"]);
        assert_eq!(pooled_years(["2024-2025"]), ["2024-2025"]);
        assert!(pooled_years([]).is_empty());
    }

    #[test]
    fn a_school_finds_its_row_with_its_weight_clamped_to_20_40() {
        let table = ReferenceLevels {
            signal_1f: 0.85,
            signal_target: vec![
                TargetSignal {
                    weight_from: 20.0,
                    share: 0.6,
                },
                TargetSignal {
                    weight_from: 30.0,
                    share: 0.5,
                },
                TargetSignal {
                    weight_from: 35.0,
                    share: 0.4,
                },
            ],
        };
        assert_eq!(table.validate(), Ok(()));
        assert_eq!(
            table.target_signal(Some(12.0)),
            Some(0.6),
            "clamped up to 20"
        );
        assert_eq!(table.target_signal(Some(29.99)), Some(0.6));
        assert_eq!(table.target_signal(Some(30.0)), Some(0.5));
        assert_eq!(
            table.target_signal(Some(55.0)),
            Some(0.4),
            "clamped down to 40"
        );
        assert_eq!(table.target_signal(None), None);
        assert_eq!(ReferenceLevels::default().target_signal(Some(30.0)), None);
    }

    #[test]
    fn a_table_that_does_not_increase_or_starts_too_high_or_holds_percentages_is_refused() {
        let row = |weight_from, share| TargetSignal { weight_from, share };
        let with = |rows: Vec<TargetSignal>| ReferenceLevels {
            signal_1f: 0.85,
            signal_target: rows,
        };
        assert!(
            with(vec![row(20.0, 0.6), row(20.0, 0.5)])
                .validate()
                .unwrap_err()
                .contains("does not increase")
        );
        assert!(
            with(vec![row(25.0, 0.6)])
                .validate()
                .unwrap_err()
                .contains("without a value")
        );
        assert!(
            with(vec![row(20.0, 47.3)])
                .validate()
                .unwrap_err()
                .contains("0.473")
        );
        let pct = ReferenceLevels {
            signal_1f: 85.0,
            signal_target: vec![],
        };
        assert!(pct.validate().unwrap_err().contains("0.85"));
    }
}
