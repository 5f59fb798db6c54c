//! The house style of the charts: the colour-blind-safe palette, the text sizes, and the sizing
//! and breaking of labels so that they fit beside an axis or under a bar.

use plotters::prelude::*;

use crate::fonts::FONT_FAMILY;

/// Okabe-Ito palette (colour-blind safe).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
];
/// Grey of reference lines and footnotes.
pub(crate) const GREY: RGBColor = RGBColor(110, 110, 110);
/// Light grey of the grid lines.
pub(crate) const LIGHT: RGBColor = RGBColor(235, 235, 235);

/// The smallest text size of a 900-pixel chart (plotters units; about 13.7 SVG pixels, 7.3 pt
/// when the chart is printed at the A4 text width).
pub(crate) const MIN_FONT: u32 = 17;

/// The text style of a chart's text at nominal `size`. Sizes are scaled by 4/3 and never below
/// [`MIN_FONT`]: a 900-pixel chart is printed 483 points wide on A4, so this keeps every text at
/// 7 pt or more there (`tests/end_to_end.rs` measures it).
pub(crate) fn font(size: u32) -> TextStyle<'static> {
    (FONT_FAMILY, font_px(size)).into_font().color(&BLACK)
}

/// The size [`font`] draws nominal size `size` at.
fn font_px(size: u32) -> u32 {
    (size * 4).div_ceil(3).max(MIN_FONT)
}

/// Axis label of a percentile (0-100): whole numbers.
pub(crate) fn pct_tick(v: &f64) -> String {
    format!("{v:.0}")
}

/// A label in at most two lines, split between words near the middle ("actieve" / "weken"), for
/// labels side by side that would run into each other on one line.
pub(crate) fn two_lines(label: &str) -> Vec<String> {
    let words: Vec<&str> = label.split(' ').collect();
    if words.len() < 2 {
        return vec![label.to_string()];
    }
    let half = words.len().div_ceil(2);
    vec![words[..half].join(" "), words[half..].join(" ")]
}

/// Width in pixels of a label area that holds every one of `labels` at nominal size `size`
/// ([`font`]) with a gap before the axis; at least `min`.
pub(crate) fn label_area(labels: &[String], size: u32, min: u32) -> u32 {
    let px = font_px(size) as f32;
    let widest = labels
        .iter()
        .map(|l| crate::textwidth::width(l, px, false))
        .fold(0.0f32, f32::max);
    (widest.ceil() as u32 + 18).max(min)
}

/// `text` in at most `max_lines` lines of at most `room` pixels at nominal size `size` ([`font`];
/// measured as [`label_area`] does), broken between words; `None` when it does not fit that way
/// (too many lines, or a word wider than `room`).
pub(crate) fn wrap_to(text: &str, size: u32, room: u32, max_lines: usize) -> Option<Vec<String>> {
    let lines = crate::textwidth::wrap(text, font_px(size) as f32, false, room as f32);
    // `wrap` cuts a word too wide for a line; a cut word shows as a space inside it.
    let whole_words = lines.join(" ") == text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.trim().is_empty() && whole_words && lines.len() <= max_lines).then_some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_wraps_between_words_or_not_at_all() {
        let name = "Basisschool De Wereldwijzer";
        assert_eq!(
            wrap_to(name, 15, 195, 2).unwrap(),
            ["Basisschool De", "Wereldwijzer"]
        );
        assert_eq!(wrap_to(name, 15, 1000, 2).unwrap(), [name]);
        // Three lines needed, or a word wider than the room: no wrapping.
        assert_eq!(wrap_to(name, 15, 150, 2), None);
        assert_eq!(wrap_to("Basisschool", 15, 60, 2), None);
        assert_eq!(wrap_to(" ", 15, 195, 2), None);
    }
}
