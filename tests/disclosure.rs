//! No group below `min_group_size` can be recovered by subtraction across a run's review
//! documents: a school's growth row in the board document (n, mean gain) minus the classes its
//! own document shows must leave either nobody or at least `min_group_size` pupils
//! (complementary suppression, `crates/core/src/disclosure.rs`).

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
    let schools = growth_rows(&board, "School");
    let mut checked = 0;
    let mut hidden_seen = 0;
    for (school, subject, total_n, total_mean) in &schools {
        let (Some(total_n), Some(_)) = (total_n, total_mean) else {
            continue;
        };
        let doc = out.join(format!("review/school-{school}.html"));
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
}
