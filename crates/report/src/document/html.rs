//! The document as one self-contained HTML file: styles inline, charts as inline SVG, no
//! scripts and nothing fetched from elsewhere, so it can be mailed or archived as it is.

use std::fmt::Write as _;

use super::{Block, Doc};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A chart's SVG without its XML declaration, made to scale with the page.
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].replacen("<svg ", "<svg role=\"img\" class=\"chart\" ", 1)
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:0;color:#111;background:#fff}\
main{max-width:52rem;margin:2rem auto;padding:0 1.2rem;line-height:1.45}\
h1{font-size:1.7rem;margin-bottom:.2rem}\
.subtitle{color:#555;margin-top:0;border-bottom:2px solid #0072b2;padding-bottom:.6rem}\
h2{font-size:1.25rem;margin-top:2rem}\
.table-wrap{overflow-x:auto;max-width:100%;margin:.6rem 0 1.2rem}\
table{border-collapse:collapse;font-size:.85rem}\
p,li,figcaption{overflow-wrap:anywhere}\
th,td{padding:.2rem .5rem;text-align:left;vertical-align:top}\
th{border-bottom:1px solid #999}\
tr:nth-child(even) td{background:#f2f2f2}\
td.num,th.num{text-align:right}\
figure{margin:1rem 0 1.6rem}\
svg.chart{max-width:100%;height:auto}\
figcaption,.note{color:#555;font-size:.8rem}\
@media print{main{max-width:none}figure{break-inside:avoid}}";

/// The document as HTML.
pub fn to_html(doc: &Doc) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"leerwinst\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n",
        esc(&doc.lang),
        esc(&doc.title),
        esc(&doc.title),
        esc(&doc.subtitle)
    );
    for b in &doc.blocks {
        match b {
            Block::Heading(s) => {
                let _ = writeln!(h, "<h2>{}</h2>", esc(s));
            }
            Block::Para(s) => {
                let _ = writeln!(h, "<p>{}</p>", esc(s));
            }
            Block::Note(s) => {
                let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(s));
            }
            Block::Bullets(items) => {
                h.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(h, "<li>{}</li>", esc(i));
                }
                h.push_str("</ul>\n");
            }
            Block::Table {
                header,
                rows,
                numeric,
            } => {
                let class = |c: usize| {
                    if numeric.get(c).copied().unwrap_or(false) {
                        " class=\"num\""
                    } else {
                        ""
                    }
                };
                // On a narrow screen a wide table scrolls in its own box, not the page.
                h.push_str("<div class=\"table-wrap\" tabindex=\"0\">\n<table>\n<thead><tr>");
                for (c, x) in header.iter().enumerate() {
                    let _ = write!(h, "<th{}>{}</th>", class(c), esc(x));
                }
                h.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    h.push_str("<tr>");
                    for (c, x) in r.iter().enumerate() {
                        let _ = write!(h, "<td{}>{}</td>", class(c), esc(x));
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody>\n</table>\n</div>\n");
            }
            Block::Chart { svg, caption } => {
                let _ = writeln!(
                    h,
                    "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                    inline_svg(svg),
                    esc(caption)
                );
            }
        }
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_self_contained_and_escaped() {
        let d = Doc {
            title: "A & B".into(),
            subtitle: "<x>".into(),
            lang: "en".into(),
            blocks: vec![
                Block::Heading("H".into()),
                Block::Table {
                    header: vec!["a".into(), "n".into()],
                    rows: vec![vec!["<script>".into(), "3".into()]],
                    numeric: vec![false, true],
                },
                Block::Chart {
                    svg: "<?xml version=\"1.0\"?><svg width=\"9\" height=\"9\" xmlns=\"http://www.w3.org/2000/svg\"></svg>".into(),
                    caption: "c".into(),
                },
            ],
        };
        let h = to_html(&d);
        assert!(h.contains("<title>A &amp; B</title>"));
        assert!(h.contains("&lt;script&gt;"));
        assert!(!h.contains("<script"));
        assert!(h.contains("<td class=\"num\">3</td>"));
        assert!(h.contains("<svg role=\"img\" class=\"chart\" width=\"9\""));
        assert!(!h.contains("<?xml"));
        assert!(
            !h.contains("src=") && !h.contains("href="),
            "nothing fetched"
        );
    }
}
