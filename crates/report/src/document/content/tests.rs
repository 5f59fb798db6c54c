//! Tests of the documents: what the board's and a school's document say for given effects.

use super::read::{FEW_PROGRAMME_SCHOOLS, TOO_FEW_CLUSTERS, TOO_FEW_PUPILS};
use super::*;
use crate::charts::growth::rows::Measure;
use crate::document::{Block, Doc};
use crate::testutil::{EffectRow, effects, row};
use arrow_array::{ArrayRef, RecordBatch};
use leerwinst_core::Table;
use leerwinst_core::pipeline::Language;
use leerwinst_store::{f64_array, str_array};

fn empty(table: Table) -> Frame {
    Frame {
        path: table.name().into(),
        batch: RecordBatch::new_empty(table.schema()),
    }
}

/// Every text of a document, blocks in order, table cells joined by " | ".
fn text(doc: &Doc) -> String {
    let mut s = String::new();
    for b in &doc.blocks {
        match b {
            Block::Heading(x) | Block::Para(x) | Block::Note(x) => s.push_str(x),
            Block::Bullets(v) => s.push_str(&v.join("\n")),
            Block::Table { header, rows, .. } => {
                s.push_str(&header.join(" | "));
                for r in rows {
                    s.push('\n');
                    s.push_str(&r.join(" | "));
                }
            }
            Block::Chart { caption, .. } => s.push_str(caption),
        }
        s.push('\n');
    }
    s
}

/// The rows of the first table whose header starts with `first`.
fn table_rows<'a>(doc: &'a Doc, first: &str) -> &'a [Vec<String>] {
    doc.blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { header, rows, .. } if header[0] == first => Some(rows.as_slice()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no table starting with {first}"))
}

/// One school's document (Dutch) for `fx` under `design`.
fn school_doc(design: Design, fx: &Frame, key: &str) -> Doc {
    with_inputs(Language::Nl, design, fx, &Value::Null, None, |inp| {
        school(inp, key, None)
    })
}

/// The board's document in `lang` for `fx` under `design`, with run.json `run` and an
/// optional balance table.
fn board_doc(
    lang: Language,
    design: Design,
    fx: &Frame,
    run: &Value,
    balance: Option<&Frame>,
) -> Doc {
    with_inputs(lang, design, fx, run, balance, board)
}

/// Calls `make` with document inputs holding no growth, groups, SRL or charts.
fn with_inputs(
    lang: Language,
    design: Design,
    fx: &Frame,
    run: &Value,
    balance: Option<&Frame>,
    make: impl FnOnce(&Inputs) -> Doc,
) -> Doc {
    let t = Texts::new(lang);
    let growth = GrowthRows {
        rows: vec![],
        measure: Measure::Rank,
        latest: "2024-2025".into(),
        window: "E-E".into(),
    };
    let (groups, srl) = (empty(Table::GroupGrowth), empty(Table::Srl));
    let charts = BTreeMap::new();
    let inp = Inputs {
        t: &t,
        pipeline: "test",
        design,
        min_n: 10,
        run,
        rejects: Path::new("/nonexistent/rejects"),
        growth: &growth,
        groups: &groups,
        srl: &srl,
        effects: fx,
        balance,
        events: None,
        sensitivity: None,
        moderation: None,
        reference_levels: None,
        moment_trend: None,
        charts: &charts,
    };
    make(&inp)
}

#[test]
fn three_programme_schools_are_weak_evidence_whatever_the_interval() {
    // The interval lies wholly above zero, yet 3 programme schools carry little.
    let marked = EffectRow {
        clusters_programme: 3,
        note: Some(FEW_PROGRAMME_SCHOOLS),
        p: Some(0.004),
        ..row("regression", "all", 0.30, (0.10, 0.50))
    };
    // The same without the note: fewer than 5 programme schools is enough.
    let unmarked = EffectRow {
        note: None,
        ..marked.clone()
    };
    for r in [marked, unmarked] {
        let doc = board_doc(
            Language::Nl,
            Design::Regression,
            &effects(&[r]),
            &Value::Null,
            None,
        );
        let s = text(&doc);
        assert!(
            s.contains("Met maar 3 programmascholen is dit zwak bewijs, wat de p-waarde ook is:"),
            "{s}"
        );
        assert!(!s.contains("groter dan toeval"), "{s}");
        assert!(
            s.contains(
                "interval met CR2-standaardfouten en Satterthwaite-vrijheidsgraden, geschikt bij weinig scholen"
            ),
            "{s}"
        );
        // The table marks it, and the method paragraph explains CR2.
        let rows = table_rows(&doc, "Vak");
        assert_eq!(rows[0][3], "3 / 10");
        assert!(
            rows[0][5].contains("zwak bewijs: 3 programmascholen"),
            "{rows:?}"
        );
        assert!(s.contains("CR2 met Satterthwaite-vrijheidsgraden (Bell & McCaffrey"));
    }
    // With 8 programme schools the same interval is read as a lead beyond chance.
    let doc = board_doc(
        Language::Nl,
        Design::Regression,
        &effects(&[row("regression", "all", 0.30, (0.10, 0.50))]),
        &Value::Null,
        None,
    );
    let s = text(&doc);
    assert!(s.contains("groter dan toeval waarschijnlijk maakt"), "{s}");
    assert!(!s.contains("Met maar"), "{s}");
}

#[test]
fn rows_without_interval_or_estimate_stay_in_the_table_with_the_reason() {
    let one_school = EffectRow {
        clusters_programme: 1,
        ci: None,
        p: None,
        df: None,
        method: "none",
        note: Some(TOO_FEW_CLUSTERS),
        ..row("regression", "rekenen", 0.20, (0.0, 0.0))
    };
    let few_pupils = EffectRow {
        n_treated: 6,
        estimate: None,
        ci: None,
        p: None,
        df: None,
        method: "none",
        note: Some(TOO_FEW_PUPILS),
        ..row("regression", "lezen", 0.0, (0.0, 0.0))
    };
    for lang in [Language::Nl, Language::En] {
        let fx = effects(&[one_school.clone(), few_pupils.clone()]);
        let doc = board_doc(lang, Design::Regression, &fx, &Value::Null, None);
        let s = text(&doc);
        let t = Texts::new(lang);
        let rows = table_rows(&doc, t.t("Vak", "Subject"));
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0][0], t.subject("rekenen"));
        assert_eq!(rows[0][4], t.t("+0,20 SD", "+0.20 SD"));
        assert_eq!(
            rows[0][5],
            t.t(
                "geen interval: minder dan 2 scholen in een groep",
                "no interval: fewer than 2 schools in a group"
            )
        );
        assert_eq!(rows[0][6], "", "no p without an interval");
        assert_eq!(rows[1][0], t.subject("lezen"));
        assert_eq!(rows[1][1], "n < 10", "a small arm's count is shown");
        assert_eq!(rows[1][4], "");
        assert_eq!(
            rows[1][5],
            t.t(
                "niet geschat: minder dan 10 leerlingen in een groep",
                "not estimated: fewer than 10 pupils in a group"
            )
        );
        // The headline (first subject) says there is no conclusion.
        assert!(
            s.contains(t.t(
                "Met 1 programmaschool valt de onzekerheid niet te schatten; er is geen interval en geen conclusie over een effect.",
                "With 1 programme school the uncertainty cannot be estimated; there is no interval and no conclusion about an effect.",
            )),
            "{s}"
        );
        assert!(!s.contains(t.t("groter dan toeval", "larger than chance")));
    }
}

#[test]
fn designs_that_disagree_beyond_their_intervals_are_named_with_their_numbers() {
    let fx = effects(&[
        row("regression", "all", 0.30, (0.10, 0.50)),
        EffectRow {
            method: "REML, Satterthwaite df",
            ..row("multilevel", "all", -0.20, (-0.40, 0.05))
        },
        // Overlapping the main estimate: agrees.
        EffectRow {
            method: "cluster bootstrap over schools (999)",
            df: None,
            ..row("vcg", "all", 0.05, (-0.10, 0.35))
        },
    ]);
    let doc = board_doc(Language::Nl, Design::Regression, &fx, &Value::Null, None);
    let s = text(&doc);
    assert!(s.contains("Andere ontwerpen (gevoeligheid)"), "{s}");
    let sentence = "egressie (+0,30 SD, 95%-BI +0,10 tot +0,50) en multilevelmodel (-0,20 SD, 95%-BI -0,40 tot +0,05) spreken elkaar tegen voor alle vakken: elke schatting ligt buiten het 95%-interval van de andere.";
    assert!(s.contains(&format!("R{sentence}")), "{s}");
    // Also in the summary, and the agreeing design is named as such.
    let summary = match &doc.blocks[1] {
        Block::Bullets(v) => v.join("\n"),
        b => panic!("{b:?}"),
    };
    assert!(
        summary.contains(&format!("Let op: r{sentence}")),
        "{summary}"
    );
    assert!(s.contains(
        "Niet in tegenspraak met het hoofdontwerp: virtuele vergelijkingsgroep (alle vakken)."
    ));
    // The table: the main design first, then the others, with their methods.
    let rows = table_rows(&doc, "Ontwerp");
    assert_eq!(rows.len(), 3);
    assert!(rows[0][0].ends_with("(hoofdontwerp)"), "{rows:?}");
    assert_eq!(
        rows[1][..4],
        [
            "Multilevelmodel (leerlingen in groepen in scholen)",
            "alle vakken",
            "-0,20 SD",
            "-0,40 tot +0,05"
        ]
    );
    assert_eq!(rows[1][4], "REML, Satterthwaite");
    assert_eq!(rows[2][4], "bootstrap over scholen (999)");
    // Each method present gets its sentence.
    assert!(s.contains("Multilevelmodel (REML, zoals R lme4)"));
    assert!(s.contains("Bootstrap over scholen (999 herhalingen)"));
    // The main table holds the main design only.
    assert_eq!(table_rows(&doc, "Vak").len(), 1);

    // Agreement is said too.
    let fx = effects(&[
        row("regression", "all", 0.30, (0.10, 0.50)),
        row("multilevel", "all", 0.25, (0.05, 0.45)),
    ]);
    let s = text(&board_doc(
        Language::En,
        Design::Regression,
        &fx,
        &Value::Null,
        None,
    ));
    assert!(
        s.contains("The designs do not contradict each other") && !s.contains("disagree"),
        "{s}"
    );
}

#[test]
fn matching_names_covariates_out_of_balance_and_vcg_its_unmatched_pupils() {
    // (term, before, after)
    let terms = [
        ("distance", 0.80, 0.02),
        ("baseline_z", 0.30, 0.05),
        ("ses_weight", 0.04, -0.12),
        ("girl", 0.15, 0.11),
    ];
    let n = terms.len();
    let cols: Vec<ArrayRef> = vec![
        str_array(&vec![Some("matching"); n]),
        str_array(&vec![Some("rekenen"); n]),
        str_array(&terms.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
        f64_array(terms.iter().map(|r| Some(r.1)).collect()),
        f64_array(terms.iter().map(|r| Some(r.2)).collect()),
        f64_array(vec![Some(1.0); n]),
        f64_array(vec![Some(1.0); n]),
    ];
    let balance = Frame {
        path: "balance".into(),
        batch: RecordBatch::try_new(Table::Balance.schema(), cols).unwrap(),
    };
    let fx = effects(&[EffectRow {
        method: "CR2 + Satterthwaite df",
        ..row("matching", "rekenen", 0.2, (0.05, 0.35))
    }]);
    let s = text(&board_doc(
        Language::Nl,
        Design::Matching,
        &fx,
        &Value::Null,
        Some(&balance),
    ));
    assert!(
        s.contains("groter bij: ses_weight (rekenen-wiskunde): +0,04 → -0,12."),
        "{s}"
    );
    assert!(
        s.contains("(|SMD| ≥ 0,1): ses_weight (rekenen-wiskunde): +0,04 → -0,12; girl (rekenen-wiskunde): +0,15 → +0,11."),
        "{s}"
    );
    assert!(!s.contains("baseline_z (rekenen-wiskunde):"), "{s}");
    assert!(s.contains("Let op: na matching zijn niet alle kenmerken in balans"));

    let run: Value = serde_json::json!({"compare": {"unmatched_programme_pupils": 7}});
    let fx = effects(&[EffectRow {
        method: "cluster bootstrap over schools (999)",
        ..row("vcg", "rekenen", 0.2, (0.05, 0.35))
    }]);
    let s = text(&board_doc(Language::Nl, Design::Vcg, &fx, &run, None));
    assert!(
        s.contains("7 programmaleerlingen hadden geen vergelijkingsleerling binnen de grenzen van het ontwerp; het effect gaat alleen over de programmaleerlingen die er wel een hadden"),
        "{s}"
    );
    let run: Value = serde_json::json!({"compare": {"unmatched_programme_pupils": 0}});
    let s = text(&board_doc(Language::Nl, Design::Vcg, &fx, &run, None));
    assert!(!s.contains("geen vergelijkingsleerling"));
}

#[test]
fn the_multilevel_design_is_named_and_its_limits_said() {
    let fx = effects(&[EffectRow {
        method: "REML, Satterthwaite df",
        ..row("multilevel", "all", 0.2, (0.05, 0.35))
    }]);
    let s = text(&board_doc(
        Language::Nl,
        Design::Multilevel,
        &fx,
        &Value::Null,
        None,
    ));
    assert!(s.contains("Ontwerp: multilevelmodel (leerlingen in groepen in scholen)."));
    assert!(s.contains("naar het gemiddelde gekrompen"));
    assert!(s.contains("Wat dit niet laat zien: dat het programma de oorzaak is."));
}

#[test]
fn one_schools_effect_is_not_read_as_beyond_chance() {
    let fx = effects(&[
        row("multilevel", "all", 0.2, (0.05, 0.35)),
        EffectRow {
            subgroup: "school",
            level: "12AB".into(),
            method: "BLUP, conditional SD",
            clusters_programme: 1,
            ..row("multilevel", "all", 0.4, (0.2, 0.6))
        },
    ]);
    let s = text(&school_doc(Design::Multilevel, &fx, "12AB"));
    assert!(
        s.contains("Het interval ligt boven nul, maar dit vergelijkt één school met de vergelijkingsscholen"),
        "{s}"
    );
    assert!(
        !s.contains("groter dan toeval") && !s.contains("Met maar"),
        "{s}"
    );
    assert!(
        s.contains("Schooleffecten uit het multilevelmodel (BLUP)"),
        "{s}"
    );
}
