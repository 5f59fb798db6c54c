//! No group below `min_group_size` can be recovered by subtraction across a run's review
//! documents: a school's growth row in the board document (n, mean gain) minus the classes its
//! own document shows must leave either nobody or at least `min_group_size` pupils
//! (complementary suppression, `crates/core/src/disclosure.rs`); and the review's reference-level
//! shares over the latest school years minus the years the staff CSV shows must do the same.

use std::collections::BTreeMap;

mod common;
use common::leerwinst;

/// The tables of an HTML review as (header, rows) with the cell text (entities decoded).
fn tables(html: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let cells = |row: &str, tag: &str| -> Vec<String> {
        row.split(&format!("<{tag}"))
            .skip(1)
            // `<th>` or `<th class=..>`, not `<thead>`.
            .filter(|c| c.starts_with('>') || c.starts_with(' '))
            .filter_map(|c| c.split_once('>').map(|(_, rest)| rest))
            .map(|c| {
                let text = c.split(&format!("</{tag}>")).next().unwrap_or("");
                text.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            })
            .collect()
    };
    html.split("<table>")
        .skip(1)
        .map(|t| {
            let t = t.split("</table>").next().unwrap_or("");
            let header = cells(t.split("</thead>").next().unwrap_or(""), "th");
            let rows = t
                .split("<tr>")
                .skip(1)
                .map(|r| cells(r, "td"))
                .filter(|r| !r.is_empty())
                .collect();
            (header, rows)
        })
        .collect()
}

/// Rows of the growth table (first column `first`) as (name, subject, n, mean gain).
fn growth_rows(html: &str, first: &str) -> Vec<(String, String, Option<usize>, Option<f64>)> {
    let (header, rows) = tables(html)
        .into_iter()
        .find(|(h, _)| h.first().is_some_and(|c| c == first) && h.iter().any(|c| c == "Vak"))
        .unwrap_or_else(|| panic!("no growth table starting with {first}"));
    let col = |name: &str| header.iter().position(|c| c.starts_with(name)).unwrap();
    let (n, gain) = (col("Leerlingen"), col("Gem. groei"));
    rows.into_iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].clone(),
                r[n].parse().ok(),
                r[gain].replace(',', ".").parse().ok(),
            )
        })
        .collect()
}

/// School name -> code, from the sample's school list (`brin;naam;...`).
fn school_keys(sample: &std::path::Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(sample.join("scholen.csv")).unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(';').collect();
            (f[1].to_string(), f[0].to_string())
        })
        .collect()
}

#[test]
fn no_small_class_is_recoverable_from_its_school_total() {
    let min_n = 16;
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    // Four schools, one class per grade of 15-18 pupils: with a minimum of 16 some classes are
    // hidden and their schools' totals are shown.
    leerwinst(&[
        "sample-data",
        "--out",
        sample.to_str().unwrap(),
        "--schools",
        "4",
        "--pupils",
        "400",
        "--seed",
        "5",
    ]);
    let demo = std::fs::read_to_string(common::repo().join("pipelines/demo.toml")).unwrap();
    let pipeline = tmp.path().join("p.toml");
    std::fs::write(
        &pipeline,
        demo.replace("../sample-data/", &format!("{}/", sample.display()))
            .replace("min_group_size = 10", &format!("min_group_size = {min_n}")),
    )
    .unwrap();
    let out = tmp.path().join("out");
    common::run_pipeline(&pipeline, &out, Some("disclosure-test-key-0123"));

    let board = std::fs::read_to_string(out.join("review/bestuur.html")).unwrap();
    // The review names schools as the school list does; their documents and the CSVs use codes.
    let keys = school_keys(&sample);
    let schools = growth_rows(&board, "School");
    let mut checked = 0;
    let mut hidden_seen = 0;
    for (school, subject, total_n, total_mean) in &schools {
        let (Some(total_n), Some(_)) = (total_n, total_mean) else {
            continue;
        };
        let doc = out.join(format!("review/school-{}.html", keys[school]));
        let classes = growth_rows(&std::fs::read_to_string(doc).unwrap(), "Groep");
        let shown: usize = classes
            .iter()
            .filter(|c| &c.1 == subject && c.3.is_some())
            .map(|c| c.2.unwrap())
            .sum();
        let left = total_n - shown;
        assert!(
            left == 0 || left >= min_n,
            "{school} {subject}: school n = {total_n}, classes shown hold {shown}: the other \
             {left} pupils (< {min_n}) can be computed"
        );
        hidden_seen += usize::from(left > 0);
        checked += 1;
    }
    assert!(checked >= 8, "{checked} school x subject totals checked");
    assert!(
        hidden_seen > 0,
        "no class was hidden: the test shows nothing"
    );
    reference_levels_not_recoverable(&board, &out, &keys, min_n);
    moment_trend_not_recoverable(&board, &out, min_n);
    srl_not_recoverable(&board, min_n);
}

/// The board's self-regulation table: the all-schools row minus the schools whose index is shown
/// must leave nobody or at least `min_n` pupils.
fn srl_not_recoverable(board: &str, min_n: usize) {
    let (header, rows) = tables(board)
        .into_iter()
        .find(|(h, _)| h.iter().any(|c| c == "Gem. index (z)"))
        .expect("the board's review has a self-regulation table");
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let (n, mean) = (col("Leerlingen met index"), col("Gem. index (z)"));
    let total: usize = rows
        .iter()
        .find(|r| r[0] == "alle scholen")
        .and_then(|r| r[n].parse().ok())
        .expect("an all-schools row with its count");
    let shown: usize = rows
        .iter()
        .filter(|r| r[0] != "alle scholen" && r[mean].contains(','))
        .map(|r| r[n].parse::<usize>().unwrap())
        .sum();
    let left = total - shown;
    assert!(
        left == 0 || left >= min_n,
        "self-regulation: all schools n = {total}, the schools shown hold {shown}: the other \
         {left} (< {min_n}) can be computed"
    );
}

/// The board's table of the same test moment over the years minus every school document's shown
/// cells (subject, test, year) must leave nobody or at least `min_n` pupils.
fn moment_trend_not_recoverable(board: &str, out: &std::path::Path, min_n: usize) {
    // (subject, test, year) -> n, from a "Hetzelfde toetsmoment" table ("184,2 (41)" cells).
    fn cells(html: &str) -> Vec<((String, String, String), Option<usize>)> {
        let Some((header, rows)) = tables(html)
            .into_iter()
            .find(|(h, _)| h.len() > 2 && h[0] == "Vak" && h[2].len() == 9 && h[2].contains('-'))
        else {
            return vec![];
        };
        let mut v = Vec::new();
        for r in rows {
            for (c, year) in header.iter().enumerate().skip(2) {
                let n = r[c]
                    .rsplit_once('(')
                    .and_then(|(_, n)| n.trim_end_matches(')').parse().ok());
                if !r[c].is_empty() {
                    v.push(((r[0].clone(), r[1].clone(), year.clone()), n));
                }
            }
        }
        v
    }
    let mut shown: std::collections::HashMap<(String, String, String), usize> = Default::default();
    for doc in std::fs::read_dir(out.join("review")).unwrap() {
        let doc = doc.unwrap().path();
        let name = doc.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("school-") && name.ends_with(".html") {
            for (key, n) in cells(&std::fs::read_to_string(&doc).unwrap()) {
                *shown.entry(key).or_default() += n.unwrap_or(0);
            }
        }
    }
    let totals = cells(board);
    assert!(!totals.is_empty(), "the board's review has the table");
    let mut hidden_seen = false;
    for (key, total) in totals {
        let Some(total) = total else { continue };
        let left = total - shown.get(&key).copied().unwrap_or(0);
        assert!(
            left == 0 || left >= min_n,
            "{key:?}: board n = {total}, the schools shown hold {}: the other {left} (< {min_n}) \
             can be computed",
            total - left
        );
        hidden_seen |= left > 0;
    }
    assert!(
        hidden_seen,
        "no school cell was hidden: the test shows nothing"
    );
}

/// The review's reference-level shares take the latest school years together; the staff CSV
/// has a row per year. The pooled count minus the years whose figures the CSV shows must leave
/// nobody or at least `min_n` pupils.
fn reference_levels_not_recoverable(
    board: &str,
    out: &std::path::Path,
    keys: &BTreeMap<String, String>,
    min_n: usize,
) {
    let (header, rows) = tables(board)
        .into_iter()
        .find(|(h, _)| h.iter().any(|c| c == "1F of hoger"))
        .expect("the board's review has a reference-level table");
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let (school, subject, test, pupils) =
        (col("School"), col("Vak"), col("Toets"), col("Leerlingen"));
    let csv = std::fs::read_to_string(out.join("indicators/reference_levels.csv")).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(';').collect();
    // The staff CSV of a Dutch run is headed with the columns' Dutch labels.
    let at = |name: &str| {
        let label =
            leerwinst_core::schema_nl::label_nl_in(leerwinst_core::Table::ReferenceLevels, name)
                .unwrap();
        head.iter().position(|c| *c == label).unwrap()
    };
    let staff: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
    fn subject_code(shown: &str) -> &str {
        match shown {
            "rekenen-wiskunde" => "rekenen",
            "begrijpend lezen" => "lezen",
            s => s,
        }
    }
    let mut checked = 0;
    // The board's row minus the schools whose figures are shown leaves nobody or the minimum.
    for board in rows.iter().filter(|r| r[school] == "alle scholen") {
        if board[pupils + 1] == "verborgen*" {
            continue;
        }
        let total: usize = board[pupils].parse().unwrap();
        let shown: usize = rows
            .iter()
            .filter(|r| r[subject] == board[subject] && r[school] != "alle scholen")
            .filter_map(|r| r[pupils].parse::<usize>().ok())
            .sum();
        let left = total - shown;
        assert!(
            left == 0 || left >= min_n,
            "{board:?}: the schools shown hold {shown}, the other {left} (< {min_n}) can be computed"
        );
        checked += 1;
    }
    for r in rows.iter().filter(|r| r[school] != "alle scholen") {
        let Ok(pooled) = r[pupils].parse::<usize>() else {
            continue;
        };
        let (term, grade) = r[test].split_at(1);
        let shown: usize = staff
            .iter()
            .filter(|c| {
                c[at("school_key")] == keys[&r[school]]
                    && c[at("subject")] == subject_code(&r[subject])
                    && c[at("term")] == term
                    && c[at("grade")] == grade
                    && !c[at("n_1f")].is_empty()
            })
            .map(|c| c[at("n")].parse::<usize>().unwrap())
            .sum();
        assert!(
            shown <= pooled,
            "{r:?}: the CSV shows more pupils than the pool"
        );
        let left = pooled - shown;
        assert!(
            left == 0 || left >= min_n,
            "{r:?}: pooled n = {pooled}, the CSV shows years with {shown}: the other {left} \
             pupils (< {min_n}) can be computed"
        );
        checked += 1;
    }
    assert!(
        checked >= 4,
        "{checked} pooled reference-level rows checked"
    );
}
