//! What the review documents say: the board's document and one per school, built from a run's
//! outputs (run.json, rejects, indicators, effects, charts). Every number comes from those
//! files; groups below the minimum size are shown as "n < N" and never as figures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_core::pipeline::Design;
use leerwinst_stats::describe::median_sorted;
use leerwinst_store::{Frame, opt, opt_str};
use serde_json::Value;

use super::{Block, Doc};
use crate::charts::growth::GrowthRows;
use crate::text::Texts;

/// Everything the documents draw on.
pub struct Inputs<'a> {
    /// Language.
    pub t: &'a Texts,
    /// Pipeline name.
    pub pipeline: &'a str,
    /// Effect design.
    pub design: Design,
    /// Minimum group size.
    pub min_n: usize,
    /// The run's run.json (null when missing).
    pub run: &'a Value,
    /// `rejects/` folder of the run.
    pub rejects: &'a Path,
    /// Growth rows of the compared window.
    pub growth: &'a GrowthRows,
    /// indicators/group_growth.
    pub groups: &'a Frame,
    /// indicators/srl.
    pub srl: &'a Frame,
    /// effects/effects.
    pub effects: &'a Frame,
    /// Chart name -> SVG text of the board's charts.
    pub charts: &'a BTreeMap<String, String>,
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// Signed, two decimals, never "-0.00".
fn f2(v: f64) -> String {
    let s = format!("{v:+.2}");
    if s == "-0.00" { "+0.00".into() } else { s }
}

fn yes_no(t: &Texts, b: bool) -> String {
    if b {
        t.t("ja", "yes")
    } else {
        t.t("nee", "no")
    }
    .to_string()
}

/// One overall effect row.
struct Effect {
    subject: String,
    outcome: String,
    n1: i64,
    n0: i64,
    est: f64,
    lo: f64,
    hi: f64,
    p: Option<f64>,
}

fn effects_where(f: &Frame, subgroup: &str, level: Option<&str>) -> Vec<(String, Effect)> {
    let (sg, lv, su, oc) = (
        f.str("subgroup"),
        f.str("level"),
        f.str("subject"),
        f.str("outcome"),
    );
    let (n1, n0, est, lo, hi, p) = (
        f.i64("n_treated"),
        f.i64("n_comparison"),
        f.f64("estimate"),
        f.f64("ci_low"),
        f.f64("ci_high"),
        f.f64("p_value"),
    );
    (0..f.len())
        .filter(|&i| sg.value(i) == subgroup && level.is_none_or(|l| lv.value(i) == l))
        .filter_map(|i| {
            Some((
                lv.value(i).to_string(),
                Effect {
                    subject: su.value(i).to_string(),
                    outcome: oc.value(i).to_string(),
                    n1: n1.value(i),
                    n0: n0.value(i),
                    est: opt(est, i)?,
                    lo: opt(lo, i)?,
                    hi: opt(hi, i)?,
                    p: opt(p, i),
                },
            ))
        })
        .collect()
}

/// The pooled effect: subject "all" where the design gives it, else the first subject.
fn headline(effects: &[(String, Effect)]) -> Option<&Effect> {
    effects
        .iter()
        .map(|e| &e.1)
        .find(|e| e.subject == "all")
        .or(effects.first().map(|e| &e.1))
}

fn unit(t: &Texts, outcome: &str) -> String {
    if outcome.starts_with("followup_z") {
        t.t("SD", "SD").to_string()
    } else {
        t.t("punten", "points").to_string()
    }
}

/// "+0.26 SD (95% CI +0.05 to +0.47)"
fn effect_phrase(t: &Texts, e: &Effect) -> String {
    format!(
        "{} {} ({} {} {} {})",
        f2(e.est),
        unit(t, &e.outcome),
        t.t("95%-betrouwbaarheidsinterval", "95% confidence interval"),
        f2(e.lo),
        t.t("tot", "to"),
        f2(e.hi)
    )
}

fn ci_reading(t: &Texts, e: &Effect) -> &'static str {
    if e.lo > 0.0 {
        t.t(
            "Het interval ligt geheel boven nul: de voorsprong is groter dan toeval waarschijnlijk maakt.",
            "The interval lies wholly above zero: the lead is larger than chance would plausibly give.",
        )
    } else if e.hi < 0.0 {
        t.t(
            "Het interval ligt geheel onder nul: programmaleerlingen groeiden minder.",
            "The interval lies wholly below zero: programme pupils grew less.",
        )
    } else {
        t.t(
            "Het interval omvat nul: een verschil is met deze gegevens niet aan te tonen.",
            "The interval includes zero: these data cannot show a difference.",
        )
    }
}

fn design_name(t: &Texts, d: Design) -> &'static str {
    match d {
        Design::Regression => t.t(
            "regressie met vergelijkingsscholen",
            "regression against comparison schools",
        ),
        Design::Vcg => t.t("virtuele vergelijkingsgroep", "virtual comparison group"),
        Design::Matching => t.t("matching op propensity score", "propensity-score matching"),
        Design::Experiment => t.t("gerandomiseerd experiment", "randomised experiment"),
    }
}

/// What the design shows and does not show.
fn limits(t: &Texts, d: Design) -> Vec<String> {
    let mut v: Vec<&str> = match d {
        Design::Regression => vec![
            t.t(
                "Wat dit laat zien: hoeveel hoger de eindscore van leerlingen in programmascholen lag dan die van leerlingen in vergelijkingsscholen met dezelfde beginscore, jaargroep en hetzelfde vak.",
                "What this shows: how much higher the end score of pupils in programme schools was than that of pupils in comparison schools with the same starting score, grade and subject.",
            ),
            t.t(
                "Wat dit niet laat zien: dat het programma de oorzaak is. Scholen kozen zelf voor het programma; verschillen tussen scholen die de beginscore niet vangt (team, populatie, andere veranderingen) kunnen in de schatting zitten.",
                "What this does not show: that the programme is the cause. Schools chose the programme themselves; differences between schools that the starting score does not capture (staff, intake, other changes) can be part of the estimate.",
            ),
        ],
        Design::Vcg => vec![
            t.t(
                "Wat dit laat zien: hoe programmaleerlingen groeiden vergeleken met een virtuele vergelijkingsgroep van leerlingen elders met dezelfde beginscore, jaargroep en schoolkenmerken (de RAND-aanpak).",
                "What this shows: how programme pupils grew compared with a virtual comparison group of pupils elsewhere with the same starting score, grade and school characteristics (RAND's approach).",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect. Wat de beginscore en schoolkenmerken niet vangen, blijft mogelijk verschillen tussen de groepen.",
                "What this does not show: a causal effect. What the starting score and school characteristics do not capture may still differ between the groups.",
            ),
        ],
        Design::Matching => vec![
            t.t(
                "Wat dit laat zien: het verschil tussen programmaleerlingen en gekoppelde vergelijkingsleerlingen met een vergelijkbare kans op deelname (propensity score).",
                "What this shows: the difference between programme pupils and matched comparison pupils with a similar chance of taking part (propensity score).",
            ),
            t.t(
                "Wat dit niet laat zien: een oorzakelijk effect als deelname afhangt van kenmerken die niet gemeten zijn. De standaardfout houdt geen rekening met het clusteren van leerlingen in scholen en is daardoor eerder te klein.",
                "What this does not show: a causal effect when taking part depends on characteristics that were not measured. The standard error ignores the clustering of pupils in schools and is therefore more likely too small.",
            ),
        ],
        Design::Experiment => vec![
            t.t(
                "Wat dit laat zien: het effect van de toegewezen conditie, omdat leerlingen of klassen door loting werden ingedeeld.",
                "What this shows: the effect of the assigned condition, because pupils or classes were assigned by lot.",
            ),
            t.t(
                "Wat dit niet laat zien: of het effect ook elders optreedt, of wat er gebeurt als deelnemers van conditie wisselen.",
                "What this does not show: whether the effect holds elsewhere, or what happens when participants switch condition.",
            ),
        ],
    };
    v.push(t.t(
        "Met weinig scholen is elke schatting onzeker; kijk naar het interval, niet alleen naar het getal. Uitsplitsingen naar subgroep zijn gecorrigeerd voor meervoudig toetsen (Benjamini-Hochberg).",
        "With few schools every estimate is uncertain; read the interval, not only the number. Subgroup breakdowns are adjusted for multiple testing (Benjamini-Hochberg).",
    ));
    v.into_iter().map(str::to_string).collect()
}

/// Data provenance: pipeline, pseudonymisation, input files with checksums, rejected rows.
fn provenance(inp: &Inputs, blocks: &mut Vec<Block>) {
    let t = inp.t;
    blocks.push(Block::Heading(
        t.t("Herkomst van de gegevens", "Data provenance").into(),
    ));
    let p = &inp.run["pipeline"];
    let mut para = format!(
        "{} '{}' ({}, SHA-256 {}…), leerwinst {}.",
        t.t("Pijplijn", "Pipeline"),
        inp.pipeline,
        p["file"].as_str().unwrap_or("?"),
        p["sha256"]
            .as_str()
            .map(|s| &s[..s.len().min(12)])
            .unwrap_or("?"),
        inp.run["tool_version"].as_str().unwrap_or("?"),
    );
    match inp.run["pseudonymised"].as_bool() {
        Some(true) => para.push_str(t.t(
            " Leerlingnummers zijn bij het inlezen gepseudonimiseerd (HMAC-SHA256 met een sleutel buiten de uitvoer); namen, e-mailadressen en geboortedata zijn niet ingelezen.",
            " Pupil ids were pseudonymised at ingest (HMAC-SHA256 with a key kept outside the outputs); names, e-mail addresses and birth dates were not read.",
        )),
        Some(false) => para.push_str(t.t(
            " LET OP: pseudonimisering stond UIT (alleen voor openbare onderzoeksdata).",
            " NOTE: pseudonymisation was OFF (only for public research data).",
        )),
        None => {}
    }
    blocks.push(Block::Para(para));
    let mut rows = vec![];
    let (mut read, mut rejected) = (0u64, 0u64);
    for s in inp.run["ingest"]["sources"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let files: Vec<String> = s["files"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let path = f["path"].as_str().unwrap_or("?");
                let name = Path::new(path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.to_string());
                let sha = f["sha256"].as_str().unwrap_or("");
                format!("{name} ({}…)", &sha[..sha.len().min(8)])
            })
            .collect();
        let shown = if files.len() > 3 {
            format!(
                "{} {} {}",
                files[..3].join(", "),
                t.t("en", "and"),
                format_args!("{} {}", files.len() - 3, t.t("meer", "more"))
            )
        } else {
            files.join(", ")
        };
        let (r, a, j) = (
            s["read"].as_u64().unwrap_or(0),
            s["accepted"].as_u64().unwrap_or(0),
            s["rejected"].as_u64().unwrap_or(0),
        );
        read += r;
        rejected += j;
        rows.push(vec![
            s["name"].as_str().unwrap_or("?").to_string(),
            s["format"].as_str().unwrap_or("?").to_string(),
            shown,
            r.to_string(),
            a.to_string(),
            j.to_string(),
        ]);
    }
    if rows.is_empty() {
        blocks.push(Block::Note(
            t.t(
                "Geen gegevens over het inlezen gevonden (run.json ontbreekt of bevat geen ingest).",
                "No ingest record found (run.json missing or without ingest).",
            )
            .into(),
        ));
        return;
    }
    blocks.push(Block::Table {
        header: [
            t.t("Bron", "Source"),
            t.t("Formaat", "Format"),
            t.t("Bestanden (SHA-256)", "Files (SHA-256)"),
            t.t("Gelezen", "Read"),
            t.t("Geaccepteerd", "Accepted"),
            t.t("Afgewezen", "Rejected"),
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
        numeric: vec![false, false, false, true, true, true],
    });
    let reasons = reject_reasons(inp.rejects);
    if rejected > 0 {
        blocks.push(Block::Para(match t.lang {
            leerwinst_core::pipeline::Language::Nl => format!(
                "Van de {read} gelezen rijen zijn er {rejected} afgewezen; elke afgewezen rij staat met bestand, regel, kolom en reden in rejects/."
            ),
            leerwinst_core::pipeline::Language::En => format!(
                "Of the {read} rows read, {rejected} were rejected; every rejected row is listed with file, line, column and reason in rejects/."
            ),
        }));
        let mut reason_rows: Vec<Vec<String>> = reasons
            .iter()
            .take(12)
            .map(|((table, reason), n)| vec![table.clone(), reason.clone(), n.to_string()])
            .collect();
        if reasons.len() > 12 {
            let rest: usize = reasons.iter().skip(12).map(|r| r.1).sum();
            reason_rows.push(vec![
                String::new(),
                t.t("overige redenen", "other reasons").into(),
                rest.to_string(),
            ]);
        }
        blocks.push(Block::Table {
            header: [
                t.t("Tabel", "Table"),
                t.t("Reden", "Reason"),
                t.t("Rijen", "Rows"),
            ]
            .map(str::to_string)
            .to_vec(),
            rows: reason_rows,
            numeric: vec![false, false, true],
        });
    }
}

/// (table, reason) -> rows, most frequent first, from `rejects/*.csv`.
fn reject_reasons(dir: &Path) -> Vec<((String, String), usize)> {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for f in files {
        let table = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(mut rd) = csv::Reader::from_path(&f) else {
            continue;
        };
        let col = rd
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c == "reason"));
        let Some(col) = col else { continue };
        for rec in rd.records().flatten() {
            // Reasons may name a value after a colon ("unknown pupil: ..."): group by the text
            // as written, which never holds a raw id (ids are pseudonymised in rejects).
            let reason = rec.get(col).unwrap_or("").to_string();
            *counts.entry((table.clone(), reason)).or_default() += 1;
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Growth per school (board) or per class of one school, from group_growth.
fn growth_table(inp: &Inputs, school: Option<&str>) -> Block {
    let t = inp.t;
    let g = inp.groups;
    let (level, sk, gk, subj, win, year, prog) = (
        g.str("level"),
        g.str("school_key"),
        g.str("group_key"),
        g.str("subject"),
        g.str("window"),
        g.str("school_year"),
        g.bool("programme"),
    );
    let (n, mean_gain, n_sgp, med, rel, n_rci) = (
        g.i64("n"),
        g.f64("mean_gain"),
        g.i64("n_sgp"),
        g.f64("median_sgp"),
        g.f64("reliable_growth_share"),
        g.i64("n_rci"),
    );
    let want_level = if school.is_some() { "class" } else { "school" };
    let mut rows = vec![];
    for i in 0..g.len() {
        if level.value(i) != want_level
            || win.value(i) != inp.growth.window
            || year.value(i) != inp.growth.latest
            || school.is_some_and(|s| sk.value(i) != s)
        {
            continue;
        }
        let name = match school {
            None => sk.value(i).to_string(),
            Some(_) => opt_str(gk, i).unwrap_or("").to_string(),
        };
        let k = n.value(i) as usize;
        let mut row = vec![
            name,
            t.subject(subj.value(i)).to_string(),
            yes_no(t, prog.value(i)),
        ];
        if k < inp.min_n {
            row.extend([
                format!("n < {}", inp.min_n),
                String::new(),
                String::new(),
                String::new(),
            ]);
        } else {
            row.extend([
                k.to_string(),
                f1(mean_gain.value(i)),
                if n_sgp.value(i) >= inp.min_n as i64 {
                    opt(med, i).map(f1).unwrap_or_default()
                } else {
                    String::new()
                },
                if n_rci.value(i) >= inp.min_n as i64 {
                    opt(rel, i)
                        .map(|v| format!("{:.0}%", 100.0 * v))
                        .unwrap_or_default()
                } else {
                    String::new()
                },
            ]);
        }
        rows.push(row);
    }
    let header: Vec<String> = [
        if school.is_some() {
            t.t("Groep", "Class")
        } else {
            t.t("School", "School")
        },
        t.t("Vak", "Subject"),
        t.t("Programma", "Programme"),
        t.t("Leerlingen", "Pupils"),
        t.t("Gem. groei (punten)", "Mean gain (points)"),
        t.t("Mediaan SGP", "Median SGP"),
        t.t("Betrouwbare groei", "Reliable growth"),
    ]
    .map(str::to_string)
    .to_vec();
    drop_empty_columns(
        header,
        rows,
        vec![false, false, false, true, true, true, true],
    )
}

/// A table without the columns that are empty in every row (e.g. SGP when none was computed).
fn drop_empty_columns(header: Vec<String>, rows: Vec<Vec<String>>, numeric: Vec<bool>) -> Block {
    let keep: Vec<bool> = (0..header.len())
        .map(|c| rows.is_empty() || rows.iter().any(|r| r.get(c).is_some_and(|s| !s.is_empty())))
        .collect();
    let pick = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| x)
            .collect()
    };
    Block::Table {
        numeric: numeric
            .into_iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| x)
            .collect(),
        header: pick(header),
        rows: rows.into_iter().map(pick).collect(),
    }
}

/// Self-regulation per school (latest year of the SRL table), or one school against all.
fn srl_table(inp: &Inputs, school: Option<&str>) -> Option<Block> {
    let t = inp.t;
    let s = inp.srl;
    let (year, sk, idx, terc, reason) = (
        s.str("school_year"),
        s.str("school_key"),
        s.f64("srl_index"),
        s.i32("srl_tercile"),
        s.str("null_reason"),
    );
    let latest = (0..s.len()).map(|i| year.value(i)).max()?.to_string();
    // school -> (index values, terciles, pupils without an index)
    let mut by: BTreeMap<String, (Vec<f64>, [usize; 3], usize)> = BTreeMap::new();
    for i in 0..s.len() {
        if year.value(i) != latest {
            continue;
        }
        let key = sk.value(i).to_string();
        if school.is_some_and(|x| x != key) {
            // One school's document compares it with all schools together.
            let all = by
                .entry(format!("~{}", t.t("alle scholen", "all schools")))
                .or_default();
            if let Some(v) = opt(idx, i) {
                all.0.push(v);
                if let Some(tt) = opt(terc, i) {
                    all.1[(tt.clamp(1, 3) - 1) as usize] += 1;
                }
            } else if opt_str(reason, i).is_some() {
                all.2 += 1;
            }
            continue;
        }
        for k in [key, format!("~{}", t.t("alle scholen", "all schools"))] {
            let e = by.entry(k).or_default();
            if let Some(v) = opt(idx, i) {
                e.0.push(v);
                if let Some(tt) = opt(terc, i) {
                    e.1[(tt.clamp(1, 3) - 1) as usize] += 1;
                }
            } else if opt_str(reason, i).is_some() {
                e.2 += 1;
            }
        }
    }
    let rows = by
        .into_iter()
        .map(|(k, (v, tc, none))| {
            let name = k.trim_start_matches('~').to_string();
            if v.len() < inp.min_n {
                return vec![
                    name,
                    format!("n < {}", inp.min_n),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ];
            }
            let n = v.len() as f64;
            vec![
                name,
                v.len().to_string(),
                f2(v.iter().sum::<f64>() / n),
                format!("{:.0}%", 100.0 * tc[0] as f64 / n),
                format!("{:.0}%", 100.0 * tc[2] as f64 / n),
                none.to_string(),
            ]
        })
        .collect();
    Some(Block::Table {
        header: [
            t.t("School", "School"),
            t.t("Leerlingen met index", "Pupils with an index"),
            t.t("Gem. index (z)", "Mean index (z)"),
            t.t("Laagste tercile", "Lowest tercile"),
            t.t("Hoogste tercile", "Highest tercile"),
            t.t("Te weinig activiteit", "Too little activity"),
        ]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i == 0 {
                format!("{s} ({latest})")
            } else {
                s.to_string()
            }
        })
        .collect(),
        rows,
        numeric: vec![false, true, true, true, true, true],
    })
}

fn effect_table(t: &Texts, effects: &[(String, Effect)], first: &str) -> Block {
    let rows = effects
        .iter()
        .map(|(level, e)| {
            vec![
                if first == "subject" {
                    t.subject(&e.subject).to_string()
                } else {
                    format!("{level} · {}", t.subject(&e.subject))
                },
                e.n1.to_string(),
                e.n0.to_string(),
                format!("{} {}", f2(e.est), unit(t, &e.outcome)),
                format!("{} {} {}", f2(e.lo), t.t("tot", "to"), f2(e.hi)),
                e.p.map(|p| {
                    if p < 0.001 {
                        "< 0.001".to_string()
                    } else {
                        format!("{p:.3}")
                    }
                })
                .unwrap_or_default(),
            ]
        })
        .collect();
    Block::Table {
        header: [
            if first == "subject" {
                t.t("Vak", "Subject")
            } else {
                t.t("Groep · vak", "Group · subject")
            },
            t.t("Programma", "Programme"),
            t.t("Vergelijking", "Comparison"),
            t.t("Effect", "Effect"),
            t.t("95%-BI", "95% CI"),
            "p",
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
        numeric: vec![false, true, true, true, true, true],
    }
}

fn chart(inp: &Inputs, name: &str, caption: &str, blocks: &mut Vec<Block>) {
    if let Some(svg) = inp.charts.get(name) {
        blocks.push(Block::Chart {
            svg: svg.clone(),
            caption: caption.to_string(),
        });
    }
}

/// Medians of the growth measure for programme and comparison pupils, latest year.
fn arm_medians(rows: &GrowthRows, school: Option<&str>) -> (Option<f64>, Option<f64>, usize) {
    let mut p = vec![];
    let mut c = vec![];
    let mut pupils = BTreeSet::new();
    for r in rows.rows.iter().filter(|r| r.year == rows.latest) {
        if school.is_some_and(|s| s != r.school) {
            continue;
        }
        pupils.insert(&r.pupil);
        if let Some(g) = r.growth {
            if r.programme { p.push(g) } else { c.push(g) }
        }
    }
    p.sort_by(f64::total_cmp);
    c.sort_by(f64::total_cmp);
    (median_sorted(&p), median_sorted(&c), pupils.len())
}

/// The board's document.
pub fn board(inp: &Inputs) -> Doc {
    let t = inp.t;
    let rows = inp.growth;
    let mut blocks = vec![];
    let latest_rows: Vec<_> = rows.rows.iter().filter(|r| r.year == rows.latest).collect();
    let schools: BTreeSet<&str> = latest_rows.iter().map(|r| r.school.as_str()).collect();
    let prog_schools: BTreeSet<&str> = latest_rows
        .iter()
        .filter(|r| r.programme)
        .map(|r| r.school.as_str())
        .collect();
    let (mp, mc, pupils) = arm_medians(rows, None);
    let overall = effects_where(inp.effects, "overall", None);
    let terciles = effects_where(inp.effects, "srl_tercile", None);
    let quintiles = effects_where(inp.effects, "baseline_quintile", None);

    blocks.push(Block::Heading(t.t("Samenvatting", "Summary").into()));
    let mut summary = vec![format!(
        "{} {pupils} {} {} {} ({} {}) {} {} {}.",
        t.t("Dit overzicht gaat over", "This review covers"),
        t.t("leerlingen op", "pupils at"),
        schools.len(),
        t.t("scholen", "schools"),
        prog_schools.len(),
        t.t("met het programma", "running the programme"),
        t.t("in de groeiperiode", "in the growth window"),
        rows.window,
        rows.latest
    )];
    if let (Some(p), Some(c)) = (mp, mc) {
        summary.push(format!(
            "{} {} {} {} {}. {}",
            t.t(
                "De mediane groei (percentiel) was",
                "Median growth (percentile) was"
            ),
            f1(p),
            t.t("in programmascholen en", "in programme schools and"),
            f1(c),
            t.t("in vergelijkingsscholen", "in comparison schools"),
            t.t("50 is gewone groei.", "50 is typical growth.")
        ));
    }
    if let Some(e) = headline(&overall) {
        summary.push(format!(
            "{} ({}): {}. {}",
            t.t(
                "Geschat effect van het programma",
                "Estimated programme effect"
            ),
            design_name(t, inp.design),
            effect_phrase(t, e),
            ci_reading(t, e)
        ));
    }
    let pick = |v: &[(String, Effect)], subject: &str| -> Vec<(String, f64)> {
        v.iter()
            .filter(|(_, e)| e.subject == subject)
            .map(|(l, e)| (l.clone(), e.est))
            .collect()
    };
    if let Some(h) = headline(&overall) {
        let tv = pick(&terciles, &h.subject);
        if tv.len() == 3 {
            summary.push(format!(
                "{} {}, {} {}, {} {} {}.",
                t.t(
                    "Naar zelfregulatie: het effect was bij lage zelfregulatie",
                    "By self-regulation: the effect was, at low self-regulation,"
                ),
                f2(tv[0].1),
                t.t("bij midden", "at middle"),
                f2(tv[1].1),
                t.t("bij hoog", "at high"),
                f2(tv[2].1),
                unit(t, &h.outcome)
            ));
        }
        let qv = pick(&quintiles, &h.subject);
        if qv.len() == 5 {
            summary.push(format!(
                "{} {} {} {} {}.",
                t.t(
                    "Naar beginniveau: in het laagste kwintiel",
                    "By starting level: in the lowest quintile"
                ),
                f2(qv[0].1),
                t.t("en in het hoogste", "and in the highest"),
                f2(qv[4].1),
                unit(t, &h.outcome)
            ));
        }
    }
    summary.push(format!(
        "{} {} {}",
        t.t("Groepen met minder dan", "Groups of fewer than"),
        inp.min_n,
        t.t(
            "leerlingen worden in tabellen en grafieken niet getoond (\"n < N\").",
            "pupils are not shown in tables and charts (\"n < N\")."
        )
    ));
    blocks.push(Block::Bullets(summary));

    provenance(inp, &mut blocks);

    blocks.push(Block::Heading(t.t("Groei", "Growth").into()));
    blocks.push(Block::Para(format!(
        "{} {} {} {}. {}",
        t.t("Groeiperiode", "Growth window"),
        rows.window,
        t.t("met eindtoets in", "with the follow-up test in"),
        rows.latest,
        t.t(
            "Gemiddelde groei in schaalpunten; mediaan SGP waar groeipercentielen berekend zijn; betrouwbare groei = aandeel leerlingen met een groei groter dan de meetfout (RCI > 1,96) waar de export meetfouten heeft.",
            "Mean gain in scale points; median SGP where growth percentiles were computed; reliable growth = share of pupils whose gain exceeds measurement error (RCI > 1.96) where the export has SEMs.",
        )
    )));
    blocks.push(growth_table(inp, None));
    let measure = rows.measure.label(t).to_string();
    chart(
        inp,
        "growth_distribution",
        &format!(
            "{} {measure}.",
            t.t("Groei per school:", "Growth per school:")
        ),
        &mut blocks,
    );
    chart(
        inp,
        "growth_by_school",
        t.t(
            "Gemiddelde groei per jaar per school met 95%-betrouwbaarheidsinterval.",
            "Mean growth per year per school with 95% confidence interval.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "status_vs_growth",
        t.t(
            "Beginniveau tegen groei, per school en groep (zoals NWEA- en mapvizieR-kwadranten).",
            "Status against growth, per school and class (as NWEA and mapvizieR quadrants).",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "growth_trend",
        t.t(
            "Mediaan groeipercentiel per school en schooljaar.",
            "Median growth percentile per school and school year.",
        ),
        &mut blocks,
    );

    blocks.push(Block::Heading(
        t.t("Zelfregulatie", "Self-regulation").into(),
    ));
    blocks.push(Block::Para(
        t.t(
            "De zelfregulatie-index komt uit de sporen in de leeromgeving: regelmaat, plannen en planning halen, op tijd afronden, hulp zoeken na een fout, doorzetten na een fout, en de eigen voortgang bekijken en erop reflecteren. Elke indicator is binnen jaargroep en jaar gestandaardiseerd; de index is hun gemiddelde (hoger = meer zelfregulatie). Leerlingen met te weinig activiteit krijgen geen index. Dezelfde indicatoren per periode (standaard per halfjaar) staan in indicators/srl_term.parquet, per week in indicators/srl_weekly.parquet. Zie docs/indicators.md.",
            "The self-regulation index comes from the learning environment's traces: regularity, planning and keeping plans, finishing on time, seeking help after an error, persisting after an error, and viewing and reflecting on one's own progress. Each indicator is standardised within grade and year; the index is their mean (higher = more self-regulated). Pupils with too little activity get no index. The same indicators per term (by default per half year) are in indicators/srl_term.parquet, per week in indicators/srl_weekly.parquet. See docs/indicators.md.",
        )
        .into(),
    ));
    if let Some(b) = srl_table(inp, None) {
        blocks.push(b);
    }
    chart(
        inp,
        "srl_profile",
        t.t(
            "Profiel: gemiddelde z-score per indicator per zelfregulatie-tercile.",
            "Profile: mean z-score per indicator per self-regulation tercile.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "srl_profile_by_school",
        t.t(
            "Profiel per school: gemiddelde z-score per indicator.",
            "Profile per school: mean z-score per indicator.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "srl_vs_growth",
        t.t(
            "Groei per kwintiel van de zelfregulatie-index, programma- en vergelijkingsscholen.",
            "Growth per quintile of the self-regulation index, programme and comparison schools.",
        ),
        &mut blocks,
    );

    blocks.push(Block::Heading(
        t.t("Effect van het programma", "Programme effect").into(),
    ));
    if overall.is_empty() {
        blocks.push(Block::Para(
            t.t(
                "Er is geen effect geschat (zie run.json, compare.skipped).",
                "No effect was estimated (see run.json, compare.skipped).",
            )
            .into(),
        ));
    } else {
        blocks.push(Block::Para(format!(
            "{}: {}.",
            t.t("Ontwerp", "Design"),
            design_name(t, inp.design)
        )));
        blocks.push(effect_table(t, &overall, "subject"));
    }
    blocks.push(Block::Bullets(limits(t, inp.design)));
    chart(
        inp,
        "effect_forest",
        t.t(
            "Effect per programmaschool en gepoold (RAND-stijl), 95%-BI.",
            "Effect per programme school and pooled (RAND style), 95% CI.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "effect_by_srl_tercile",
        t.t(
            "Werkt het voor alle leerlingen? Naar zelfregulatie.",
            "Does it work for all pupils? By self-regulation.",
        ),
        &mut blocks,
    );
    chart(
        inp,
        "effect_by_baseline_quintile",
        t.t(
            "Werkt het voor alle leerlingen? Naar beginniveau.",
            "Does it work for all pupils? By starting level.",
        ),
        &mut blocks,
    );
    blocks.push(Block::Note(
        t.t(
            "Gemaakt met leerwinst. Methoden en bronnen: docs/indicators.md en docs/replications.md. Alle cijfers staan ook als CSV naast de grafieken (charts/) en in indicators/ en effects/.",
            "Made with leerwinst. Methods and sources: docs/indicators.md and docs/replications.md. Every figure is also in CSV beside the charts (charts/) and in indicators/ and effects/.",
        )
        .into(),
    ));
    Doc {
        title: t
            .t(
                "Groei, zelfregulatie en effect van het programma",
                "Growth, self-regulation and programme effect",
            )
            .into(),
        subtitle: format!(
            "{} · {} '{}' · {} {}",
            t.t("Kwaliteitszorg, bestuur", "Quality review, board"),
            t.t("pijplijn", "pipeline"),
            inp.pipeline,
            t.t("schooljaar", "school year"),
            rows.latest
        ),
        lang: t.code().into(),
        blocks,
    }
}

/// The schools that get their own document: at least `min_n` pupils in the latest year.
pub fn schools_with_documents(rows: &GrowthRows, min_n: usize) -> Vec<String> {
    let mut pupils: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in rows.rows.iter().filter(|r| r.year == rows.latest) {
        pupils.entry(&r.school).or_default().insert(&r.pupil);
    }
    pupils
        .into_iter()
        .filter(|(_, p)| p.len() >= min_n)
        .map(|(s, _)| s.to_string())
        .collect()
}

/// One school's document; `class_chart` is the SVG of its per-class growth distribution.
pub fn school(inp: &Inputs, key: &str, class_chart: Option<&str>) -> Doc {
    let t = inp.t;
    let rows = inp.growth;
    let mut blocks = vec![];
    let (mp, mc, pupils) = arm_medians(rows, Some(key));
    let (all_p, all_c, _) = arm_medians(rows, None);
    let programme = rows
        .rows
        .iter()
        .any(|r| r.school == key && r.year == rows.latest && r.programme);
    blocks.push(Block::Heading(t.t("Samenvatting", "Summary").into()));
    let mut summary = vec![format!(
        "{} {key}: {pupils} {} {} {}. {}",
        t.t("School", "School"),
        t.t(
            "leerlingen met groeigegevens in",
            "pupils with growth data in"
        ),
        rows.window,
        rows.latest,
        if programme {
            t.t(
                "De school werkt met het programma.",
                "The school runs the programme.",
            )
        } else {
            t.t(
                "De school is een vergelijkingsschool.",
                "The school is a comparison school.",
            )
        }
    )];
    let own = if programme { mp } else { mc };
    let all = if programme { all_p } else { all_c };
    if let (Some(o), Some(a)) = (own, all) {
        summary.push(format!(
            "{} {} ({} {}; {}).",
            t.t("Mediane groei (percentiel):", "Median growth (percentile):"),
            f1(o),
            if programme {
                t.t("alle programmascholen:", "all programme schools:")
            } else {
                t.t("alle vergelijkingsscholen:", "all comparison schools:")
            },
            f1(a),
            t.t("50 is gewone groei", "50 is typical growth")
        ));
    }
    let own_effects = effects_where(inp.effects, "school", Some(key));
    if let Some(e) = headline(&own_effects) {
        summary.push(format!(
            "{}: {}. {}",
            t.t(
                "Geschat effect in deze school",
                "Estimated effect in this school"
            ),
            effect_phrase(t, e),
            ci_reading(t, e)
        ));
    }
    summary.push(format!(
        "{} {} {}",
        t.t("Groepen met minder dan", "Classes of fewer than"),
        inp.min_n,
        t.t("leerlingen worden niet getoond.", "pupils are not shown.")
    ));
    blocks.push(Block::Bullets(summary));
    blocks.push(Block::Heading(
        t.t("Groei per groep", "Growth per class").into(),
    ));
    blocks.push(growth_table(inp, Some(key)));
    match class_chart {
        Some(svg) => blocks.push(Block::Chart {
            svg: svg.to_string(),
            caption: format!(
                "{} {}.",
                t.t("Groei per groep:", "Growth per class:"),
                rows.measure.label(t)
            ),
        }),
        None => blocks.push(Block::Note(format!(
            "{} {} {}",
            t.t("Geen groep heeft ten minste", "No class has at least"),
            inp.min_n,
            t.t(
                "leerlingen met groeigegevens; daarom is er geen grafiek per groep.",
                "pupils with growth data, so there is no chart per class.",
            )
        ))),
    }
    blocks.push(Block::Heading(
        t.t("Zelfregulatie", "Self-regulation").into(),
    ));
    if let Some(b) = srl_table(inp, Some(key)) {
        blocks.push(b);
    }
    if !own_effects.is_empty() {
        blocks.push(Block::Heading(
            t.t(
                "Effect van het programma in deze school",
                "Programme effect in this school",
            )
            .into(),
        ));
        blocks.push(effect_table(t, &own_effects, "subject"));
        blocks.push(Block::Bullets(limits(t, inp.design)));
    }
    provenance(inp, &mut blocks);
    Doc {
        title: format!(
            "{} {key}: {}",
            t.t("School", "School"),
            t.t("groei en zelfregulatie", "growth and self-regulation")
        ),
        subtitle: format!(
            "{} · {} '{}' · {} {}",
            t.t("Kwaliteitszorg, school", "Quality review, school"),
            t.t("pijplijn", "pipeline"),
            inp.pipeline,
            t.t("schooljaar", "school year"),
            rows.latest
        ),
        lang: t.code().into(),
        blocks,
    }
}
