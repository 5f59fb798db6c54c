//! End-to-end: generate a sample with planted truth, run the real `leerwinst` binary on it, and
//! check that the planted programme effect is recovered, that every row read is accounted for,
//! that no personal data reaches any output, and that re-rendering gives identical charts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::Array;
use leerwinst_core::Table;
use leerwinst_store::read_table;

const KEY: &str = "end-to-end-test-key-0123456789";

/// `leerwinst ARGS` with the test's key, failing the test when it fails.
fn leerwinst(args: &[&str]) -> std::process::Output {
    common::leerwinst_with_key(args, Some(KEY))
}

fn pipeline(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../pipelines/demo.toml"
    ))
    .unwrap()
    .replace("../sample-data/", "sample/");
    let p = dir.join("pipeline.toml");
    std::fs::write(&p, text).unwrap();
    p
}

mod common;

use common::files;

/// (tercile or "all") -> (estimate, ci_low, ci_high) for subjects pooled.
fn pooled_effects(out: &Path) -> BTreeMap<String, (f64, f64, f64)> {
    let f = read_table(&out.join("effects/effects.parquet"), Table::Effects).unwrap();
    let sg = f.str("subgroup");
    let (su, lv, e, lo, hi) = (
        f.str("subject"),
        f.str("level"),
        f.f64("estimate"),
        f.f64("ci_low"),
        f.f64("ci_high"),
    );
    (0..f.len())
        .filter(|&i| su.value(i) == "all" && ["overall", "srl_tercile"].contains(&sg.value(i)))
        .map(|i| {
            (
                lv.value(i).to_string(),
                (e.value(i), lo.value(i), hi.value(i)),
            )
        })
        .collect()
}

/// Spearman rank correlation (mid-ranks for ties).
fn spearman(pairs: &[(f64, f64)]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            for k in i..=j {
                r[idx[k]] = (i + j) as f64 / 2.0 + 1.0;
            }
            i = j + 1;
        }
        r
    }
    let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    let (rx, ry) = (ranks(&x), ranks(&y));
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn spearman_of_known_data() {
    // R: cor(c(1,2,3,4,5), c(5,6,7,8,7), method = "spearman") = 0.8207827
    let r = spearman(&[(1.0, 5.0), (2.0, 6.0), (3.0, 7.0), (4.0, 8.0), (5.0, 7.0)]);
    assert!((r - 0.820_782_7).abs() < 1e-6, "{r}");
}

#[test]
fn planted_effect_is_recovered_nothing_is_lost_and_no_personal_data_leaks() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    let out = tmp.path().join("out");
    leerwinst(&[
        "sample-data",
        "--out",
        sample.to_str().unwrap(),
        "--schools",
        "12",
        "--pupils",
        "1200",
        "--seed",
        "1",
    ]);
    let p = pipeline(tmp.path());
    let run = leerwinst(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    // The demo pipeline is Dutch: so is the console.
    for stage in ["inlezen", "bewerken", "vergelijken", "rapport", "uitvoer"] {
        assert!(stdout.contains(stage), "summary lacks {stage}:\n{stdout}");
    }
    // ... with no English word and no decimal point, and so are the review documents (HTML;
    // the PDF holds the same text) and every chart.
    let mut not_dutch: Vec<String> = stdout
        .lines()
        .filter_map(|l| common::not_dutch(l).map(|why| format!("console: {why}: {l}")))
        .collect();
    for f in files(&out.join("review"))
        .into_iter()
        .chain(files(&out.join("charts")))
        .filter(|f| f.extension().is_some_and(|e| e == "html" || e == "svg"))
    {
        for text in common::visible_text(&std::fs::read_to_string(&f).unwrap()) {
            if let Some(why) = common::not_dutch(&text) {
                not_dutch.push(format!("{}: {why}: {text}", f.display()));
            }
        }
    }
    // Every chart's text prints at 7 pt or more when the review puts the chart on A4 (scaled to
    // the text width, 483 pt, or down to the page's height for a tall one).
    for f in files(&out.join("charts"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "svg"))
    {
        let svg = std::fs::read_to_string(&f).unwrap();
        let attr = |tag: &str, name: &str| -> f64 {
            let k = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            tag[k..].split('"').next().unwrap().parse().unwrap()
        };
        let open = &svg[svg.find("<svg").unwrap()..];
        let open = &open[..open.find('>').unwrap()];
        let (w, h) = (attr(open, "width"), attr(open, "height"));
        let scale = (483.28 / w).min((841.89 - 116.0 - 40.0) / h);
        let smallest = svg
            .split("font-size=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next()?.parse::<f64>().ok())
            .fold(f64::INFINITY, f64::min);
        assert!(
            smallest * scale >= 7.0,
            "{}: text at {:.1} pt on A4",
            f.display(),
            smallest * scale
        );
    }
    // The staff exports, the charts' data and the rejects are Dutch: headers (the columns'
    // Dutch labels) and values, apart from what the user's files name (a rejects file's file,
    // column and value).
    for f in ["indicators", "effects", "charts", "rejects"]
        .iter()
        .flat_map(|d| files(&out.join(d)))
        .filter(|f| f.extension().is_some_and(|e| e == "csv"))
    {
        assert!(
            f.with_extension("xlsx").exists(),
            "{} has no workbook",
            f.display()
        );
        let bytes = std::fs::read(&f).unwrap();
        let mut rd = leerwinst_store::csv_reader(&bytes);
        let header = rd.headers().unwrap().clone();
        let words = |s: &str| s.replace('_', " ");
        for h in &header {
            if let Some(why) = common::not_dutch(&words(h)) {
                not_dutch.push(format!("{}: header: {why}: {h}", f.display()));
            }
        }
        let from_input = |c: usize| {
            f.parent().unwrap().ends_with("rejects")
                && ["bestand", "kolom", "waarde"].contains(&&header[c])
        };
        for rec in rd.records() {
            let rec = rec.unwrap();
            for (c, cell) in rec.iter().enumerate() {
                if let Some(why) = common::not_dutch(&words(cell)).filter(|_| !from_input(c)) {
                    not_dutch.push(format!("{}: {}: {why}: {cell}", f.display(), &header[c]));
                }
            }
        }
    }
    assert!(not_dutch.is_empty(), "{}", not_dutch.join("\n"));

    // 1. The planted effect (TRUTH.toml): +0.30 SD in the top SRL tercile, 0 in the bottom.
    let truth: toml::Value =
        toml::from_str(&std::fs::read_to_string(sample.join("TRUTH.toml")).unwrap()).unwrap();
    let top = truth["programme_effect"]["srl_tercile_3"]
        .as_float()
        .unwrap();
    let bottom = truth["programme_effect"]["srl_tercile_1"]
        .as_float()
        .unwrap();
    let fx = pooled_effects(&out);
    let (e3, lo3, hi3) = fx["3"];
    assert!(
        lo3 <= top && top <= hi3,
        "top tercile CI [{lo3}, {hi3}] (estimate {e3}) misses the truth {top}"
    );
    assert!(
        lo3 > 0.0,
        "top tercile CI [{lo3}, {hi3}] does not exclude 0"
    );
    let (e1, lo1, hi1) = fx["1"];
    assert!(
        lo1 <= bottom && bottom <= hi1,
        "bottom tercile CI [{lo1}, {hi1}] (estimate {e1}) misses {bottom}"
    );
    assert!(
        e3 > fx["2"].0 && fx["2"].0 > e1,
        "effects not ordered by tercile: {fx:?}"
    );

    // 1b. The composite SRL index recovers each pupil's planted trait (rank correlation), and each
    //     indicator moves in the planted direction.
    let pseudo = leerwinst_ingest::pseudonym::Pseudonymiser::keyed(KEY.as_bytes());
    let mut trait_of = std::collections::HashMap::new();
    let mut rdr = csv::Reader::from_path(sample.join("truth_pupils.csv")).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        trait_of.insert(pseudo.pupil(&r[0]), r[3].parse::<f64>().unwrap());
    }
    let srl = read_table(&out.join("indicators/srl.parquet"), Table::Srl).unwrap();
    let (sp, sy) = (srl.str("pupil_key"), srl.str("school_year"));
    let pairs_for = |col: &str| -> Vec<(f64, f64)> {
        let a = srl.f64(col);
        (0..srl.len())
            .filter(|&i| sy.value(i) == "2023-2024" && a.is_valid(i))
            .map(|i| (a.value(i), trait_of[sp.value(i)]))
            .collect()
    };
    let rho_index = spearman(&pairs_for("srl_index"));
    eprintln!("Spearman rho, SRL index vs planted trait: {rho_index:.3}");
    assert!(
        rho_index >= 0.6,
        "composite vs planted trait: Spearman rho {rho_index:.3} < 0.6"
    );
    // Every composite indicator, with its sign (lateness falls as the trait rises).
    for (col, sign) in leerwinst_transform::srl::COMPOSITE {
        let rho = spearman(&pairs_for(col));
        eprintln!("Spearman rho, {col} vs planted trait: {rho:.3}");
        assert!(
            sign * rho > 0.2,
            "{col} does not move with the planted trait in the direction {sign:+}: rho {rho:.3}"
        );
    }
    // Per term too: two terms per pupil-year, each composite recovering the trait.
    let terms = read_table(&out.join("indicators/srl_term.parquet"), Table::SrlTerm).unwrap();
    assert_eq!(terms.len(), 2 * srl.len(), "two terms per pupil-year");
    let (tp, ty, tt, ti) = (
        terms.str("pupil_key"),
        terms.str("school_year"),
        terms.i32("term"),
        terms.f64("srl_index"),
    );
    for term in [1, 2] {
        let pairs: Vec<(f64, f64)> = (0..terms.len())
            .filter(|&i| ty.value(i) == "2023-2024" && tt.value(i) == term && ti.is_valid(i))
            .map(|i| (ti.value(i), trait_of[tp.value(i)]))
            .collect();
        let rho = spearman(&pairs);
        eprintln!("Spearman rho, term {term} SRL index vs planted trait: {rho:.3}");
        assert!(rho >= 0.6, "term {term}: rho {rho:.3} < 0.6");
    }

    // 2. read = accepted + rejected per source, and the rejects are exactly the injected rows.
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let injected = &truth["rejects"];
    for src in run_json["ingest"]["sources"].as_array().unwrap() {
        let (read, acc, rej) = (
            src["read"].as_u64().unwrap(),
            src["accepted"].as_u64().unwrap(),
            src["rejected"].as_u64().unwrap(),
        );
        assert_eq!(read, acc + rej, "{src}");
        let want = match src["name"].as_str().unwrap() {
            "toetsen" => injected["lvs"].as_integer().unwrap() as u64,
            "lms" => injected["xapi"].as_integer().unwrap() as u64,
            "weekplannen" => injected["plans"].as_integer().unwrap() as u64,
            _ => 0,
        };
        assert_eq!(rej, want, "{src}");
        assert_eq!(src["files"][0]["sha256"].as_str().unwrap().len(), 64);
    }
    assert_eq!(run_json["pseudonymised"], true);
    let rejects = std::fs::read_to_string(out.join("rejects/assessments.csv")).unwrap();
    // A Dutch run writes its CSVs for a Dutch Excel: byte-order mark, `;`.
    assert_eq!(
        rejects.lines().next().unwrap(),
        "\u{feff}bron;bestand;regel;kolom;waarde;reden"
    );
    assert_eq!(
        rejects.lines().count(),
        1 + injected["lvs"].as_integer().unwrap() as usize
    );

    // 3. Privacy: no raw id, username, e-mail or full name of any pupil or teacher in any output,
    //    neither in text files nor inside Parquet string columns (which are compressed on disk).
    let users = std::fs::read_to_string(sample.join("oneroster/users.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(users.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut secrets: Vec<String> = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        secrets.push(r[col("identifier")].to_string());
        secrets.push(r[col("username")].to_string());
        secrets.push(r[col("email")].to_string());
        secrets.push(format!(
            "{} {}",
            &r[col("givenName")],
            &r[col("familyName")]
        ));
        secrets.push(r[col("familyName")].to_string());
    }
    secrets.retain(|s| s.len() >= 4);
    secrets.sort();
    secrets.dedup();
    let matcher = aho_corasick::AhoCorasick::new(&secrets).unwrap();
    // The scanner must find them where they are: in the roster export itself.
    assert!(
        matcher.find(&users).is_some(),
        "privacy scanner finds nothing even in users.csv"
    );
    let mut scanned = 0;
    for f in files(&out) {
        let text = common::output_text(&f);
        if let Some(m) = matcher.find(&text) {
            panic!(
                "{} contains personal data '{}'",
                f.display(),
                secrets[m.pattern().as_usize()]
            );
        }
        scanned += 1;
    }
    assert!(scanned >= 15, "only {scanned} output files scanned");

    // 4. `leerwinst report` re-renders from the Parquet outputs, byte-identically: charts in
    // every format and the review documents.
    let before: Vec<(PathBuf, Vec<u8>)> = files(&out.join("charts"))
        .into_iter()
        .chain(files(&out.join("review")))
        .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
        .collect();
    assert!(
        before
            .iter()
            .filter(|(f, _)| f.extension().is_some_and(|e| e == "svg"))
            .count()
            >= 2
    );
    leerwinst(&[
        "report",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    for (f, bytes) in &before {
        assert_eq!(
            &std::fs::read(f).unwrap(),
            bytes,
            "{} changed on re-render",
            f.display()
        );
    }
    for (f, bytes) in before
        .iter()
        .filter(|(f, _)| f.extension().is_some_and(|e| e == "svg"))
    {
        let svg = String::from_utf8_lossy(bytes);
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{}",
            f.display()
        );
        assert!(
            svg.contains("DejaVu Sans"),
            "{} does not name the bundled font",
            f.display()
        );
    }
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert!(
        run_json["ingest"].is_object(),
        "re-render dropped the ingest record from run.json"
    );
    check_charts_and_documents(&out, false);
    // With a larger minimum group size, classes are suppressed: none may be drawn.
    let strict_privacy = tmp.path().join("pipeline-min40.toml");
    std::fs::write(
        &strict_privacy,
        std::fs::read_to_string(&p)
            .unwrap()
            .replace("min_group_size = 10", "min_group_size = 40"),
    )
    .unwrap();
    leerwinst(&[
        "report",
        strict_privacy.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    check_charts_and_documents(&out, true);
}

/// Every chart is valid in every format, shows no suppressed group, and the review documents
/// have their pages and text.
fn check_charts_and_documents(out: &Path, expect_suppressed: bool) {
    use leerwinst_report::inspect::{pdf_pages, pdf_text_ops, pdf_unicode_text, png_size};
    let charts = files(&out.join("charts"));
    let svgs: Vec<&PathBuf> = charts
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert!(svgs.len() >= 9, "{} charts", svgs.len());
    let mut suppressed_checked = 0;
    for svg_path in svgs {
        let svg = std::fs::read_to_string(svg_path).unwrap();
        let tree = leerwinst_report::parse_svg(&svg).unwrap();
        let png = std::fs::read(svg_path.with_extension("png")).unwrap();
        let (w, h) = png_size(&png).unwrap_or_else(|| panic!("{} PNG", svg_path.display()));
        // PNG at 2x the SVG's size.
        assert_eq!(
            (w, h),
            (
                2 * tree.size().width() as u32,
                2 * tree.size().height() as u32
            )
        );
        let pdf = std::fs::read(svg_path.with_extension("pdf")).unwrap();
        assert_eq!(pdf_pages(&pdf), 1, "{}", svg_path.display());
        let text = pdf_unicode_text(&pdf);
        // The title's letters are in the PDF as text (svg2pdf-style conversion can drop all
        // labels silently when the font is not found).
        let title = svg.split("<text").nth(1).unwrap_or("");
        let title = &title[title.find('>').unwrap() + 1..title.find("</text>").unwrap()];
        for c in title.chars().filter(|c| c.is_alphanumeric()) {
            assert!(
                text.contains(c),
                "{}: '{c}' of '{title}' missing",
                svg_path.display()
            );
        }
        assert!(pdf_text_ops(&pdf) > 10, "{}", svg_path.display());
        // A group marked "< N" in the chart's data is never drawn: its label is not in the SVG.
        let csv = std::fs::read_to_string(svg_path.with_extension("csv")).unwrap();
        let mut rdr = leerwinst_store::csv_reader(csv.as_bytes());
        for r in rdr.records() {
            let r = r.unwrap();
            if !r.iter().any(|c| c.starts_with("< ")) {
                continue;
            }
            // The row's group names: not numbers, flags, levels or school years.
            let is_year = |c: &str| c.len() == 9 && c.as_bytes()[4] == b'-';
            for label in r.iter().filter(|c| {
                c.len() >= 3
                    && !c.starts_with("< ")
                    && c.parse::<f64>().is_err()
                    && !["true", "false", "school", "class", "arm", "all"].contains(c)
                    && !is_year(c)
            }) {
                suppressed_checked += 1;
                assert!(
                    !svg.contains(&format!(">{label}<")),
                    "{} draws suppressed group {label}",
                    svg_path.display()
                );
            }
        }
    }
    if expect_suppressed {
        // The check above must have had suppressed groups to test.
        assert!(
            suppressed_checked >= 10,
            "{suppressed_checked} suppressed labels checked"
        );
    }
    let review = files(&out.join("review"));
    let pdfs: Vec<&PathBuf> = review
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert!(pdfs.len() >= 2, "board and at least one school: {pdfs:?}");
    for pdf_path in pdfs {
        let pdf = std::fs::read(pdf_path).unwrap();
        let html = std::fs::read_to_string(pdf_path.with_extension("html")).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("</html>"));
        assert!(
            !html.contains("<script") && !html.contains(" src="),
            "self-contained"
        );
        let pages = pdf_pages(&pdf);
        assert!(pages >= 2, "{}: {pages} pages", pdf_path.display());
        let text = pdf_unicode_text(&pdf);
        for c in "Samenvatting Herkomst"
            .chars()
            .filter(|c| c.is_alphabetic())
        {
            assert!(text.contains(c), "{}: '{c}' missing", pdf_path.display());
        }
        assert!(html.contains("Samenvatting") && html.contains("Herkomst van de gegevens"));
    }
    let board = std::fs::read_to_string(out.join("review/bestuur.html")).unwrap();
    for section in [
        "Groei",
        "Zelfregulatie",
        "Effect van het programma",
        "Wat dit niet laat zien",
    ] {
        assert!(board.contains(section), "board document lacks {section}");
    }
    // Charts are inlined, and the provenance table names the input files with checksums.
    assert!(board.matches("<svg role=\"img\"").count() >= 9);
    assert!(board.contains("toetsresultaten.csv ("));
}

#[test]
fn strict_mode_fails_with_exit_code_2_and_names_the_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    leerwinst(&[
        "sample-data",
        "--out",
        sample.to_str().unwrap(),
        "--schools",
        "2",
        "--pupils",
        "24",
        "--seed",
        "3",
    ]);
    let p = pipeline(tmp.path());
    let out = Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .args([
            "run",
            p.to_str().unwrap(),
            "--out",
            tmp.path().join("out").to_str().unwrap(),
            "--strict",
        ])
        .env("LEERWINST_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("strikte modus") && err.contains("geen datum"),
        "{err}"
    );
}

#[test]
fn bad_pipeline_file_is_a_clear_error_naming_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p.toml");
    std::fs::write(
        &p,
        "[pipeline]\nname = \"x\"\n\n[compare]\nwindw = \"E-E\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_leerwinst"))
        .args(["run", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("p.toml") && err.contains("regel 5") && err.contains("windw"),
        "{err}"
    );
}

#[test]
fn matching_design_runs_end_to_end_with_a_balance_table() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    leerwinst(&[
        "sample-data",
        "--out",
        sample.to_str().unwrap(),
        "--schools",
        "6",
        "--pupils",
        "400",
        "--seed",
        "4",
    ]);
    let p = pipeline(tmp.path());
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("design = \"regression\"", "design = \"matching\"")
        + "\n[compare.matching]\ncovariates = [\"baseline_z\", \"ses_weight\"]\ncaliper = 0.2\n";
    std::fs::write(&p, text).unwrap();
    let out = tmp.path().join("out");
    leerwinst(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let f = read_table(&out.join("effects/effects.parquet"), Table::Effects).unwrap();
    assert!(!f.is_empty());
    let (design, sg) = (f.str("design"), f.str("subgroup"));
    // The design's own rows, and the other designs' overall rows as sensitivity checks.
    assert!((0..f.len()).any(|i| design.value(i) == "matching" && sg.value(i) != "overall"));
    assert!(
        (0..f.len()).all(|i| design.value(i) == "matching" || sg.value(i) == "overall"),
        "sensitivity rows are overall rows only"
    );
    let others: std::collections::BTreeSet<&str> = (0..f.len())
        .map(|i| design.value(i))
        .filter(|d| *d != "matching")
        .collect();
    assert_eq!(
        others.into_iter().collect::<Vec<_>>(),
        ["multilevel", "regression", "vcg"]
    );
    let b = read_table(&out.join("effects/balance.parquet"), Table::Balance).unwrap();
    let term = b.str("term");
    let terms: std::collections::BTreeSet<&str> = (0..b.len()).map(|i| term.value(i)).collect();
    assert_eq!(
        terms.into_iter().collect::<Vec<_>>(),
        ["baseline_z", "distance", "ses_weight"]
    );
    // Matching on the baseline balances it.
    let (after, t) = (b.f64("smd_after"), b.str("term"));
    for i in 0..b.len() {
        if t.value(i) == "baseline_z" {
            assert!(
                after.value(i).abs() < 0.1,
                "baseline SMD after {}",
                after.value(i)
            );
        }
    }
}

#[test]
fn vcg_design_runs_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    leerwinst(&[
        "sample-data",
        "--out",
        sample.to_str().unwrap(),
        "--schools",
        "8",
        "--pupils",
        "400",
        "--seed",
        "5",
    ]);
    let p = pipeline(tmp.path());
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("design = \"regression\"", "design = \"vcg\"")
        + "\n[compare.vcg]\nk = 21\nbaseline_caliper = 0.2\nbootstrap = 199\nseed = 7\n";
    std::fs::write(&p, text).unwrap();
    let out = tmp.path().join("out");
    leerwinst(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let f = read_table(&out.join("effects/effects.parquet"), Table::Effects).unwrap();
    let (design, sg, est, lo, hi) = (
        f.str("design"),
        f.str("subgroup"),
        f.f64("estimate"),
        f.f64("ci_low"),
        f.f64("ci_high"),
    );
    assert!(!f.is_empty());
    for i in 0..f.len() {
        assert!(design.value(i) == "vcg" || sg.value(i) == "overall");
        if let (Some(l), Some(e), Some(h)) = (
            leerwinst_store::opt(lo, i),
            leerwinst_store::opt(est, i),
            leerwinst_store::opt(hi, i),
        ) {
            assert!(l <= e && e <= h);
        }
    }
    assert!((0..f.len()).any(|i| sg.value(i) == "overall"));
    // Seeded: a second run gives the same effects file.
    let first = std::fs::read(out.join("effects/effects.csv")).unwrap();
    let out2 = tmp.path().join("out2");
    leerwinst(&["run", p.to_str().unwrap(), "--out", out2.to_str().unwrap()]);
    assert_eq!(
        first,
        std::fs::read(out2.join("effects/effects.csv")).unwrap()
    );
}
