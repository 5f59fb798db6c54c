//! Text measurement and line breaking with the bundled font's advance widths and kerning.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont};

use crate::fonts::{BOLD, REGULAR};

fn font(bold: bool) -> &'static FontRef<'static> {
    static R: OnceLock<FontRef<'static>> = OnceLock::new();
    static B: OnceLock<FontRef<'static>> = OnceLock::new();
    let (cell, bytes) = if bold { (&B, BOLD) } else { (&R, REGULAR) };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).unwrap_or_else(|_| panic!("bundled font")))
}

/// Width of `text` at `size` points (a size is the em square, as in SVG and PDF; ab_glyph's own
/// scale is the ascent-to-descent height, and its `pt_to_px_scale` assumes 96 dpi).
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    let font = font(bold);
    let em = font.units_per_em().unwrap_or(2048.0);
    let f = font.as_scaled(size * font.height_unscaled() / em);
    let mut w = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let g = f.glyph_id(c);
        if let Some(p) = prev {
            w += f.kern(p, g);
        }
        w += f.h_advance(g);
        prev = Some(g);
    }
    w
}

/// Breaks `text` into lines no wider than `max` (a word longer than a line is cut by
/// characters). Newlines in `text` force breaks.
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = vec![];
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, bold) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone; cut it if it is still too wide.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if width(&piece, size, bold) > max && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font_and_lines_fit() {
        // DejaVu Sans: advance of 'M' is 1767/2048 em.
        assert!((width("M", 2048.0, false) - 1767.0).abs() < 1.0);
        assert!(width("abc", 10.0, true) > width("abc", 10.0, false));
        let text = "Leerlingen in programmascholen groeiden meer dan vergelijkbare leerlingen.";
        let lines = wrap(text, 10.0, false, 120.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width(l, 10.0, false) <= 120.0));
        assert_eq!(lines.join(" "), text);
        // An unbreakable word is cut, and nothing is lost.
        let long = "x".repeat(200);
        let cut = wrap(&long, 10.0, false, 50.0);
        assert!(cut.len() > 3);
        assert_eq!(cut.concat(), long);
        assert_eq!(wrap("a\nb", 10.0, false, 100.0), vec!["a", "b"]);
    }
}
