//! SVG -> PNG (resvg) and SVG -> PDF (krilla + krilla-svg), with the bundled fonts only.
//!
//! usvg resolves every `font-family` through a font database. Ours holds only the bundled DejaVu
//! Sans (regular and bold), and the generic families (`sans-serif`, `serif`, ...) all point at it:
//! fontdb's default maps `sans-serif` to "Arial", and when that is missing the text would be
//! dropped without a word (the pitfall in DESIGN.md). Text stays text in the PDF (selectable,
//! the font embedded as a subset); the tests check that it is there.

use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::geom::Size;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use crate::fonts::{BOLD, FONT_FAMILY, REGULAR};

/// The usvg options with the bundled fonts, built once.
fn options() -> &'static usvg::Options<'static> {
    static OPT: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPT.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family(FONT_FAMILY);
        db.set_serif_family(FONT_FAMILY);
        db.set_monospace_family(FONT_FAMILY);
        db.set_cursive_family(FONT_FAMILY);
        db.set_fantasy_family(FONT_FAMILY);
        usvg::Options {
            font_family: FONT_FAMILY.to_string(),
            fontdb: Arc::new(db),
            // Never read files an SVG might point at: our SVGs embed everything.
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        }
    })
}

/// Parses an SVG document (the same parser the PNG and PDF paths use).
pub fn parse_svg(svg: &str) -> Result<usvg::Tree, String> {
    usvg::Tree::from_str(svg, options()).map_err(|e| format!("invalid SVG: {e}"))
}

/// Renders an SVG to PNG at `scale` (2.0 gives 192 dpi for a chart drawn in CSS pixels).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let tree = parse_svg(svg)?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("empty SVG")?;
    let mut pixmap = Pixmap::new(size.width(), size.height()).ok_or("empty SVG")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("PNG encoding failed: {e}"))
}

/// Converts SVG pages into one PDF, one page per SVG, each page the SVG's size in points
/// (1 CSS px = 1 pt, so a 900 px chart is a 31.75 cm page, scaled freely by any viewer or
/// word processor; the document pages are drawn at A4 in points). `title` goes into the PDF's
/// metadata. No creation date is written, so the same pages give the same bytes.
pub fn svgs_to_pdf(pages: &[&str], title: &str, lang: &str) -> Result<Vec<u8>, String> {
    let trees = pages
        .iter()
        .map(|s| parse_svg(s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language(lang.to_string())
            .creator("leerwinst".to_string()),
    );
    for tree in &trees {
        let (w, h) = (tree.size().width(), tree.size().height());
        let settings = PageSettings::from_wh(w, h).ok_or("SVG page has no size")?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        let size = Size::from_wh(w, h).ok_or("SVG page has no size")?;
        surface
            .draw_svg(
                tree,
                size,
                SvgSettings {
                    embed_text: true,
                    ..SvgSettings::default()
                },
            )
            .ok_or("SVG could not be drawn into the PDF")?;
        surface.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| format!("PDF could not be written: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::{pdf_pages, pdf_text_ops, pdf_unicode_text};

    const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">
<rect x="0" y="0" width="300" height="120" fill="white"/>
<text x="10" y="40" font-family="sans-serif" font-size="20">Groei Zwijsen</text>
<text x="10" y="80" font-family="DejaVu Sans" font-size="20" font-weight="bold">Ünïcode €</text>
</svg>"#;

    #[test]
    fn pdf_keeps_every_label_as_text_with_the_bundled_font() {
        let pdf = svgs_to_pdf(&[SVG, SVG], "test", "nl").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf_pages(&pdf), 2);
        assert!(
            pdf_text_ops(&pdf) >= 4,
            "text operators: {}",
            pdf_text_ops(&pdf)
        );
        let text = pdf_unicode_text(&pdf);
        for c in "GroeiZwjsnÜïcd€".chars() {
            assert!(text.contains(c), "{c} missing from the PDF's text: {text}");
        }
        let raw = String::from_utf8_lossy(&pdf);
        assert!(raw.contains("DejaVuSans"), "bundled font embedded");
        // Same input, same bytes.
        assert_eq!(pdf, svgs_to_pdf(&[SVG, SVG], "test", "nl").unwrap());
    }

    #[test]
    fn png_decodes_at_the_requested_scale_and_shows_the_text() {
        let png = svg_to_png(SVG, 2.0).unwrap();
        let pix = Pixmap::decode_png(&png).unwrap();
        assert_eq!((pix.width(), pix.height()), (600, 240));
        // The text is drawn: some pixels in the first line's box are dark.
        let dark = (0..pix.height() / 2)
            .flat_map(|y| (0..pix.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| pix.pixel(x, y).is_some_and(|p| p.red() < 100))
            .count();
        assert!(dark > 200, "dark pixels: {dark}");
    }

    #[test]
    fn broken_svg_is_an_error_not_a_panic() {
        assert!(svg_to_png("<svg", 1.0).is_err());
        assert!(svgs_to_pdf(&["not svg"], "t", "en").is_err());
    }
}
