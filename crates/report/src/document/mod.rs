//! The review document: one for the board and one per school, each as a multi-page PDF and a
//! self-contained HTML file, from one content model ([`Doc`]) so both always say the same.
//!
//! Layout: the PDF pages are laid out here (headings kept with what follows, paragraphs wrapped
//! with the bundled font's real advance widths, tables with repeated headers, charts embedded as
//! vectors) into one SVG per A4 page, which [`crate::render::svgs_to_pdf`] turns into a PDF with
//! embedded fonts and selectable text. Why not typst: it would add a full typesetting system
//! (with its own script language, plugin runtime and bibliography engine) to a build that must
//! stay lean on two cores; our documents are headings, paragraphs, tables and charts, which
//! this ~400-line layout handles, and every page can be rendered to PNG with the same code
//! (resvg) to be looked at and tested.

mod content;
mod html;
mod moment_trend;
mod pages;
mod reference_levels;

pub use content::{Inputs, board, method_label, note_label, school, schools_with_documents};
pub use html::to_html;
pub use pages::{page_svgs, to_pdf};

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Section heading.
    Heading(String),
    /// Paragraph of running text.
    Para(String),
    /// A bulleted list.
    Bullets(Vec<String>),
    /// A table: header and rows of cells (all text); `numeric[i]` right-aligns column i.
    Table {
        /// Column headers.
        header: Vec<String>,
        /// Rows.
        rows: Vec<Vec<String>>,
        /// Right-aligned columns.
        numeric: Vec<bool>,
    },
    /// A chart: its SVG text and a caption.
    Chart {
        /// The chart's SVG document.
        svg: String,
        /// Caption under the chart.
        caption: String,
    },
    /// A small grey note.
    Note(String),
}

/// A document: title, subtitle, language code and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Title on the first page and in the metadata.
    pub title: String,
    /// Line under the title.
    pub subtitle: String,
    /// "nl" or "en".
    pub lang: String,
    /// The content.
    pub blocks: Vec<Block>,
}
