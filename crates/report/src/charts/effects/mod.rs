//! The effect charts of the pipeline's design, from `effects/effects.parquet`: the effect per
//! school with the pooled effect ([`forest`]) and the effect per subgroup level ([`subgroup`]).
//! Here: an effect row as they read it ([`EffectPoint`]), what they could not draw
//! ([`EffectGaps`], the footnotes), and the subgroups they split by ([`Split`]). The staggered
//! and moderation charts read their rows the same way.

pub(crate) mod forest;
pub(crate) mod subgroup;

use leerwinst_store::{Frame, opt, opt_str};

use super::files::four_decimals;
use crate::text::Texts;

/// The subject an effect chart shows: `all` (subjects pooled) when present, else the first.
pub(crate) fn subject_of(f: &Frame) -> Option<String> {
    let su = f.str("subject");
    let subjects: std::collections::BTreeSet<&str> = (0..f.len()).map(|i| su.value(i)).collect();
    if subjects.contains("all") {
        Some("all".into())
    } else {
        subjects.iter().next().map(|s| s.to_string())
    }
}

/// The subgroups the effect charts split by: "does it work for all pupils?"
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Self-regulation tercile (1-3).
    SrlTercile,
    /// Baseline-score quintile (1-5).
    BaselineQuintile,
}

impl Split {
    /// The effects table's `subgroup` value.
    fn subgroup(self) -> &'static str {
        match self {
            Split::SrlTercile => "srl_tercile",
            Split::BaselineQuintile => "baseline_quintile",
        }
    }

    /// The chart's file name.
    fn chart_name(self) -> &'static str {
        match self {
            Split::SrlTercile => "effect_by_srl_tercile",
            Split::BaselineQuintile => "effect_by_baseline_quintile",
        }
    }

    /// How many levels the split has.
    fn levels(self) -> i32 {
        match self {
            Split::SrlTercile => 3,
            Split::BaselineQuintile => 5,
        }
    }

    /// The name of `level` (1 is the lowest).
    fn label(self, t: &Texts, level: i32) -> String {
        match self {
            Split::SrlTercile => t.tercile(level).to_string(),
            Split::BaselineQuintile => match level {
                1 => format!("1 ({})", t.t("laagste", "lowest")),
                5 => format!("5 ({})", t.t("hoogste", "highest")),
                l => l.to_string(),
            },
        }
    }
}

/// One effect row as the effect charts read it: estimate and interval only when finite.
pub(crate) struct EffectPoint {
    /// The estimate, when finite.
    pub est: Option<f64>,
    /// The 95% interval, when the estimate and both ends are finite.
    pub ci: Option<(f64, f64)>,
    /// The row's note (why it has no estimate or interval).
    pub note: Option<String>,
}

impl EffectPoint {
    /// Row `i` of an effects (or event-study) table.
    pub fn of(effects: &Frame, i: usize) -> EffectPoint {
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        let est = finite(opt(effects.f64("estimate"), i));
        let ci = match (
            est,
            finite(opt(effects.f64("ci_low"), i)),
            finite(opt(effects.f64("ci_high"), i)),
        ) {
            (Some(_), Some(l), Some(h)) => Some((l, h)),
            _ => None,
        };
        EffectPoint {
            est,
            ci,
            note: opt_str(effects.str("note"), i).map(str::to_string),
        }
    }

    /// The CSV cells estimate, ci_low, ci_high, note.
    pub fn cells(&self) -> [String; 4] {
        [
            self.est.map(four_decimals).unwrap_or_default(),
            self.ci.map(|c| four_decimals(c.0)).unwrap_or_default(),
            self.ci.map(|c| four_decimals(c.1)).unwrap_or_default(),
            self.note.clone().unwrap_or_default(),
        ]
    }
}

/// What an effect chart could not draw as an estimate with its interval: points drawn without
/// whiskers, and rows not estimated (listed by label). Becomes the chart's footnotes.
#[derive(Default)]
pub(crate) struct EffectGaps {
    /// Points drawn without an interval; whether every one is for too few schools.
    no_interval: usize,
    no_interval_all_clusters: bool,
    /// Labels of rows without an estimate; whether every one is for too few pupils.
    not_estimated: Vec<String>,
    not_estimated_all_pupils: bool,
}

impl EffectGaps {
    /// No gaps yet.
    pub fn new() -> Self {
        EffectGaps {
            no_interval_all_clusters: true,
            not_estimated_all_pupils: true,
            ..Default::default()
        }
    }

    /// Records a row; returns whether it is drawn (it has an estimate).
    pub fn add(&mut self, p: &EffectPoint, label: impl FnOnce() -> String) -> bool {
        if p.est.is_none() {
            self.not_estimated.push(label());
            self.not_estimated_all_pupils &= p.note.as_deref() == Some("too_few_pupils");
            false
        } else {
            if p.ci.is_none() {
                self.no_interval += 1;
                self.no_interval_all_clusters &= p.note.as_deref() == Some("too_few_clusters");
            }
            true
        }
    }

    /// The footnotes, in the chart's language.
    pub fn notes(&self, t: &Texts, min_n: usize) -> Vec<String> {
        let mut v = vec![];
        if self.no_interval > 0 {
            v.push(
                if self.no_interval_all_clusters {
                    t.t(
                        "○ = geen interval: minder dan 2 scholen in een groep; geen conclusie over een effect",
                        "○ = no interval: fewer than 2 schools in a group; no conclusion about an effect",
                    )
                } else {
                    t.t(
                        "○ = geen interval: de onzekerheid kon niet geschat worden",
                        "○ = no interval: the uncertainty could not be estimated",
                    )
                }
                .to_string(),
            );
        }
        if !self.not_estimated.is_empty() {
            let why = if self.not_estimated_all_pupils {
                format!(
                    " ({} {min_n} {})",
                    t.t("minder dan", "fewer than"),
                    t.t("leerlingen in een groep", "pupils in a group")
                )
            } else {
                String::new()
            };
            v.push(format!(
                "{}{why}: {}",
                t.t("Niet geschat", "Not estimated"),
                self.not_estimated.join(", ")
            ));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::Split;
    use super::forest::effect_forest;
    use super::subgroup::effect_by_subgroup;
    use crate::ReportSummary;
    use crate::charts::files::ChartTarget;
    use crate::text::Texts;
    use leerwinst_core::pipeline::Language;

    #[test]
    fn effect_charts_draw_rows_without_interval_open_and_list_rows_not_estimated() {
        use crate::testutil::{EffectRow, effects, row};
        crate::register_font();
        let dir = tempfile::tempdir().unwrap();
        let no_ci = |r: EffectRow| EffectRow {
            ci: None,
            p: None,
            df: None,
            method: "none",
            note: Some("too_few_clusters"),
            clusters_programme: 1,
            ..r
        };
        let not_estimated = |r: EffectRow| EffectRow {
            estimate: None,
            ci: None,
            p: None,
            df: None,
            method: "none",
            note: Some("too_few_pupils"),
            n_treated: 7,
            ..r
        };
        let level = |sg: &'static str, lv: &str, r: EffectRow| EffectRow {
            subgroup: sg,
            level: lv.into(),
            ..r
        };
        let rows = vec![
            no_ci(row("regression", "rekenen", 0.30, (0.0, 0.0))),
            level(
                "school",
                "12AB",
                row("regression", "rekenen", 0.25, (0.1, 0.4)),
            ),
            level(
                "school",
                "34CD",
                EffectRow {
                    n_treated: 40,
                    ..not_estimated(row("regression", "rekenen", 0.0, (0.0, 0.0)))
                },
            ),
            level(
                "srl_tercile",
                "1",
                row("regression", "rekenen", 0.1, (-0.1, 0.3)),
            ),
            level(
                "srl_tercile",
                "2",
                no_ci(row("regression", "rekenen", 0.2, (0.0, 0.0))),
            ),
            level(
                "srl_tercile",
                "3",
                not_estimated(row("regression", "rekenen", 0.0, (0.0, 0.0))),
            ),
            // Another design's rows are sensitivity checks: never drawn here.
            row("multilevel", "rekenen", 9.0, (8.0, 10.0)),
            level(
                "srl_tercile",
                "1",
                row("multilevel", "rekenen", 9.0, (8.0, 10.0)),
            ),
        ];
        let fx = effects(&rows);
        let mut summary = ReportSummary {
            charts: vec![],
            documents: vec![],
            suppressed: vec![],
            outputs: vec![],
        };
        let t = Texts::new(Language::Nl);
        let mut target = ChartTarget {
            dir: dir.path(),
            t: &t,
            min_n: 10,
            summary: &mut summary,
        };
        effect_forest(&fx, "regression", &mut target).unwrap();
        effect_by_subgroup(&fx, "regression", Split::SrlTercile, &mut target).unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
        let forest = read("effect_forest.svg");
        assert!(forest.contains("12AB") && forest.contains("alle programmascholen"));
        assert!(
            forest.contains("○ = geen interval: minder dan 2 scholen in een groep"),
            "{forest}"
        );
        assert!(
            forest.contains("Niet geschat (minder dan 10 leerlingen in een groep): 34CD"),
            "{forest}"
        );
        assert!(!forest.contains("NaN") && !forest.contains("inf"));
        let csv = read("effect_forest.csv");
        // In the Dutch dialect: byte-order mark, `;`, decimal comma, Dutch headers and values.
        assert!(csv.starts_with(
            "\u{feff}school;aantal_programmaleerlingen;schatting;bi_onder;bi_boven;opmerking\n"
        ));
        assert!(csv.contains("34CD;40;;;;te weinig leerlingen"), "{csv}");
        assert!(
            csv.contains("alle programmascholen;200;0,3;;;te weinig scholen"),
            "{csv}"
        );
        assert!(dir.path().join("effect_forest.xlsx").exists());
        assert!(!csv.contains("9,0000"), "another design's row is drawn");
        let terciles = read("effect_by_srl_tercile.svg");
        assert!(terciles.contains("○ = geen interval"), "{terciles}");
        assert!(
            terciles.contains(
                "Niet geschat (minder dan 10 leerlingen in een groep): rekenen-wiskunde hoog"
            ),
            "{terciles}"
        );
        let csv = read("effect_by_srl_tercile.csv");
        assert!(
            csv.contains("rekenen;3;;;;< 10;300;te weinig leerlingen"),
            "{csv}"
        );
        assert!(
            csv.contains("rekenen;2;0,2;;;200;300;te weinig scholen"),
            "{csv}"
        );
        assert!(!csv.contains("9.0000"), "another design's row is drawn");
        for png in ["effect_forest.png", "effect_by_srl_tercile.png"] {
            assert!(dir.path().join(png).exists());
        }
    }
}
