//! Paged layout: a [`Doc`] onto A4 pages, one SVG per page, then one PDF.

use std::fmt::Write as _;

use super::{Block, Doc};
use crate::fonts::FONT_FAMILY;
use crate::textwidth::{width, wrap};

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 56.0;
const TOP: f32 = 56.0;
const BOTTOM: f32 = 60.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const BODY: f32 = 10.0;
const LEAD: f32 = 14.0;
const TABLE_SIZE: f32 = 8.5;
const TABLE_LEAD: f32 = 11.0;
const CELL_PAD: f32 = 4.0;
const GREY: &str = "#5a5a5a";
const RULE: &str = "#bdbdbd";
const ZEBRA: &str = "#f2f2f2";

/// One page's SVG elements, in page coordinates.
#[derive(Default)]
struct Page {
    body: String,
}

struct Layout {
    pages: Vec<Page>,
    y: f32,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Layout {
    fn new() -> Self {
        Layout {
            pages: vec![Page::default()],
            y: TOP,
        }
    }

    fn page(&mut self) -> &mut String {
        &mut self.pages.last_mut().expect("a page").body
    }

    fn remaining(&self) -> f32 {
        PAGE_H - BOTTOM - self.y
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless `h` points still fit.
    fn need(&mut self, h: f32) {
        if h > self.remaining() && self.y > TOP {
            self.new_page();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        x: f32,
        baseline: f32,
        s: &str,
        size: f32,
        bold: bool,
        fill: &str,
        anchor: &str,
    ) {
        let weight = if bold { " font-weight=\"bold\"" } else { "" };
        let _ = writeln!(
            self.page(),
            "<text x=\"{x:.2}\" y=\"{baseline:.2}\" font-family=\"{FONT_FAMILY}\" font-size=\"{size}\"{weight} fill=\"{fill}\" text-anchor=\"{anchor}\">{}</text>",
            esc(s)
        );
    }

    fn lines(&mut self, lines: &[String], x: f32, size: f32, lead: f32, bold: bool, fill: &str) {
        for l in lines {
            self.need(lead);
            let baseline = self.y + size;
            self.text(x, baseline, l, size, bold, fill, "start");
            self.y += lead;
        }
    }

    fn title(&mut self, title: &str, subtitle: &str) {
        let lines = wrap(title, 20.0, true, CONTENT_W);
        self.lines(&lines, MARGIN_X, 20.0, 26.0, true, "#000000");
        let sub = wrap(subtitle, 11.0, false, CONTENT_W);
        self.lines(&sub, MARGIN_X, 11.0, 15.0, false, GREY);
        self.y += 6.0;
        let y = self.y;
        let _ = writeln!(
            self.page(),
            "<rect x=\"{MARGIN_X}\" y=\"{y:.2}\" width=\"{CONTENT_W}\" height=\"1.5\" fill=\"#0072b2\"/>"
        );
        self.y += 12.0;
    }

    fn heading(&mut self, s: &str) {
        // Keep the heading with at least a few lines of what follows.
        self.y += 10.0;
        self.need(18.0 + 4.0 * LEAD);
        let lines = wrap(s, 14.0, true, CONTENT_W);
        self.lines(&lines, MARGIN_X, 14.0, 19.0, true, "#000000");
        self.y += 3.0;
    }

    fn para(&mut self, s: &str, size: f32, lead: f32, fill: &str) {
        let lines = wrap(s, size, false, CONTENT_W);
        self.lines(&lines, MARGIN_X, size, lead, false, fill);
        self.y += 6.0;
    }

    fn bullets(&mut self, items: &[String]) {
        for item in items {
            let lines = wrap(item, BODY, false, CONTENT_W - 14.0);
            self.need(LEAD);
            let baseline = self.y + BODY;
            self.text(
                MARGIN_X + 2.0,
                baseline,
                "•",
                BODY,
                false,
                "#000000",
                "start",
            );
            self.lines(&lines, MARGIN_X + 14.0, BODY, LEAD, false, "#000000");
            self.y += 2.0;
        }
        self.y += 4.0;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>], numeric: &[bool]) {
        let cols = header.len();
        if cols == 0 {
            return;
        }
        // Natural widths (every cell on one line), and the narrowest each column may get
        // (its longest word); shrink the column with the most room to give until the table fits.
        let longest_word = |s: &str, bold: bool| {
            s.split_whitespace()
                .map(|w| width(w, TABLE_SIZE, bold))
                .fold(0.0, f32::max)
        };
        let mut w = vec![0.0f32; cols];
        let mut min_w = vec![0.0f32; cols];
        for c in 0..cols {
            let cells = rows.iter().filter_map(|r| r.get(c));
            let (mut nat, mut least) = (
                width(&header[c], TABLE_SIZE, true),
                longest_word(&header[c], true),
            );
            for s in cells {
                nat = nat.max(width(s, TABLE_SIZE, false));
                least = least.max(longest_word(s, false));
            }
            w[c] = nat + 2.0 * CELL_PAD;
            min_w[c] = (least + 2.0 * CELL_PAD)
                .min(CONTENT_W / cols as f32)
                .max(24.0);
        }
        while w.iter().sum::<f32>() > CONTENT_W {
            let Some((i, slack)) = (0..cols)
                .map(|i| (i, w[i] - min_w[i]))
                .max_by(|a, b| a.1.total_cmp(&b.1))
            else {
                break;
            };
            if slack <= 0.0 {
                break;
            }
            w[i] -= slack.min(2.0);
        }
        let cell_lines = |cells: &[String], bold: bool| -> Vec<Vec<String>> {
            (0..cols)
                .map(|c| {
                    let s = cells.get(c).map(String::as_str).unwrap_or("");
                    wrap(s, TABLE_SIZE, bold, w[c] - 2.0 * CELL_PAD)
                })
                .collect()
        };
        let head_lines = cell_lines(header, true);
        let head_h = head_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * TABLE_LEAD + 4.0;
        let draw_row = |l: &mut Layout,
                        lines: &[Vec<String>],
                        h: f32,
                        bold: bool,
                        fill: Option<&str>| {
            let y0 = l.y;
            if let Some(f) = fill {
                let total: f32 = w.iter().sum();
                let _ = writeln!(
                    l.page(),
                    "<rect x=\"{MARGIN_X}\" y=\"{y0:.2}\" width=\"{total:.2}\" height=\"{h:.2}\" fill=\"{f}\"/>"
                );
            }
            let mut x = MARGIN_X;
            for (c, cl) in lines.iter().enumerate() {
                let right = numeric.get(c).copied().unwrap_or(false);
                for (k, line) in cl.iter().enumerate() {
                    let baseline = y0 + 2.0 + TABLE_SIZE + k as f32 * TABLE_LEAD;
                    if right {
                        l.text(
                            x + w[c] - CELL_PAD,
                            baseline,
                            line,
                            TABLE_SIZE,
                            bold,
                            "#000000",
                            "end",
                        );
                    } else {
                        l.text(
                            x + CELL_PAD,
                            baseline,
                            line,
                            TABLE_SIZE,
                            bold,
                            "#000000",
                            "start",
                        );
                    }
                }
                x += w[c];
            }
            l.y += h;
        };
        let rule = |l: &mut Layout, thick: f32| {
            let total: f32 = w.iter().sum();
            let y = l.y;
            let _ = writeln!(
                l.page(),
                "<rect x=\"{MARGIN_X}\" y=\"{y:.2}\" width=\"{total:.2}\" height=\"{thick}\" fill=\"{RULE}\"/>"
            );
        };
        self.need(head_h + TABLE_LEAD + 6.0);
        draw_row(self, &head_lines, head_h, true, None);
        rule(self, 1.0);
        for (i, r) in rows.iter().enumerate() {
            let lines = cell_lines(r, false);
            let h = lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * TABLE_LEAD + 4.0;
            if h > self.remaining() {
                self.new_page();
                draw_row(self, &head_lines, head_h, true, None);
                rule(self, 1.0);
            }
            draw_row(self, &lines, h, false, (i % 2 == 1).then_some(ZEBRA));
        }
        rule(self, 0.6);
        self.y += 10.0;
    }

    fn chart(&mut self, svg: &str, caption: &str) {
        let Some((vw, vh, inner)) = split_svg(svg) else {
            self.para(caption, 8.5, 11.0, GREY);
            return;
        };
        let cap_lines = wrap(caption, 8.5, false, CONTENT_W);
        let cap_h = cap_lines.len() as f32 * 11.0 + 8.0;
        let max_h = PAGE_H - TOP - BOTTOM - cap_h;
        let mut scale = CONTENT_W / vw;
        if vh * scale > max_h {
            scale = max_h / vh;
        }
        let (w, h) = (vw * scale, vh * scale);
        self.need(h + cap_h);
        let x = MARGIN_X + (CONTENT_W - w) / 2.0;
        let y = self.y;
        let _ = writeln!(
            self.page(),
            "<svg x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" viewBox=\"0 0 {vw} {vh}\">{inner}</svg>"
        );
        self.y += h + 4.0;
        self.lines(&cap_lines, MARGIN_X, 8.5, 11.0, false, GREY);
        self.y += 10.0;
    }
}

/// Width, height and inner content of a standalone SVG document (as plotters writes them).
fn split_svg(svg: &str) -> Option<(f32, f32, &str)> {
    let start = svg.find("<svg")?;
    let open_end = start + svg[start..].find('>')?;
    let tag = &svg[start..open_end];
    let attr = |name: &str| -> Option<f32> {
        let k = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let v = &tag[k..];
        v[..v.find('"')?].trim_end_matches("px").parse().ok()
    };
    let (w, h) = (attr("width")?, attr("height")?);
    let close = svg.rfind("</svg>")?;
    (close > open_end).then(|| (w, h, &svg[open_end + 1..close]))
}

/// The document laid out as A4 pages, one SVG each (with "page k of n" in the footer).
pub fn page_svgs(doc: &Doc) -> Vec<String> {
    let mut l = Layout::new();
    l.title(&doc.title, &doc.subtitle);
    for b in &doc.blocks {
        match b {
            Block::Heading(s) => l.heading(s),
            Block::Para(s) => l.para(s, BODY, LEAD, "#000000"),
            Block::Note(s) => l.para(s, 8.5, 11.0, GREY),
            Block::Bullets(items) => l.bullets(items),
            Block::Table {
                header,
                rows,
                numeric,
            } => l.table(header, rows, numeric),
            Block::Chart { svg, caption } => l.chart(svg, caption),
        }
    }
    let n = l.pages.len();
    let (page_word, of) = if doc.lang == "nl" {
        ("pagina", "van")
    } else {
        ("page", "of")
    };
    l.pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let footer = format!("{} · {page_word} {} {of} {n}", doc.title, i + 1);
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{PAGE_W}\" height=\"{PAGE_H}\" viewBox=\"0 0 {PAGE_W} {PAGE_H}\">\n<rect width=\"{PAGE_W}\" height=\"{PAGE_H}\" fill=\"#ffffff\"/>\n{}<text x=\"{MARGIN_X}\" y=\"{:.2}\" font-family=\"{FONT_FAMILY}\" font-size=\"8\" fill=\"{GREY}\">{}</text>\n</svg>\n",
                p.body,
                PAGE_H - 30.0,
                esc(&footer)
            )
        })
        .collect()
}

/// The document as a PDF.
pub fn to_pdf(doc: &Doc) -> Result<Vec<u8>, String> {
    let pages = page_svgs(doc);
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    crate::render::svgs_to_pdf(&refs, &doc.title, &doc.lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::{pdf_pages, pdf_unicode_text};

    fn doc(blocks: Vec<Block>) -> Doc {
        Doc {
            title: "Kwaliteitszorg".into(),
            subtitle: "test".into(),
            lang: "nl".into(),
            blocks,
        }
    }

    #[test]
    fn long_tables_break_across_pages_with_the_header_repeated() {
        let rows: Vec<Vec<String>> = (0..150)
            .map(|i| vec![format!("school {i}"), format!("{i}")])
            .collect();
        let d = doc(vec![Block::Table {
            header: vec!["Schoolcode".into(), "Leerlingen".into()],
            rows,
            numeric: vec![false, true],
        }]);
        let pages = page_svgs(&d);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for (i, p) in pages.iter().enumerate() {
            assert!(p.contains(">Schoolcode</text>"), "header on page {i}");
            assert!(p.contains(&format!("pagina {} van {}", i + 1, pages.len())));
            crate::render::parse_svg(p).unwrap();
        }
        // Every row is somewhere, once.
        let all = pages.concat();
        for i in 0..150 {
            assert_eq!(
                all.matches(&format!(">school {i}</text>")).count(),
                1,
                "{i}"
            );
        }
        let pdf = to_pdf(&d).unwrap();
        assert_eq!(pdf_pages(&pdf), pages.len());
        let text = pdf_unicode_text(&pdf);
        assert!("Schoolcdeaginv".chars().all(|c| text.contains(c)));
    }

    #[test]
    fn charts_are_embedded_as_vectors_scaled_to_the_page() {
        let chart = r#"<?xml version="1.0"?><svg width="900" height="560" viewBox="0 0 900 560" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="900" height="560" fill="red"/><text x="10" y="30" font-family="DejaVu Sans" font-size="20">Effect</text></svg>"#;
        let d = doc(vec![
            Block::Para("Een alinea ".repeat(60)),
            Block::Chart {
                svg: chart.into(),
                caption: "Figuur 1".into(),
            },
        ]);
        let pages = page_svgs(&d);
        assert_eq!(pages.len(), 1);
        assert!(pages[0].contains("viewBox=\"0 0 900 560\""));
        assert!(pages[0].contains(">Effect</text>"));
        assert!(!pages[0].contains("<?xml"), "the declaration is not nested");
        assert_eq!(split_svg(chart).map(|s| (s.0, s.1)), Some((900.0, 560.0)));
        assert_eq!(split_svg("<svg"), None);
    }

    #[test]
    fn text_is_escaped() {
        let pages = page_svgs(&doc(vec![Block::Para("a < b & c > \"d\"".into())]));
        assert!(pages[0].contains("a &lt; b &amp; c &gt; &quot;d&quot;"));
        crate::render::parse_svg(&pages[0]).unwrap();
    }
}
