//! The bundled fonts (DejaVu Sans regular and bold, free licence in `fonts/`), used for every
//! chart and page so that output is the same on every machine and needs no system font.

use plotters::style::FontStyle;

/// Family name of the bundled font; every text element names it.
pub const FONT_FAMILY: &str = "DejaVu Sans";
/// DejaVu Sans, regular.
pub static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans, bold.
pub static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Registers the bundled fonts with plotters (idempotent).
pub fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, REGULAR)
            .unwrap_or_else(|_| panic!("bundled font is valid"));
        plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, BOLD)
            .unwrap_or_else(|_| panic!("bundled bold font is valid"));
    });
}
