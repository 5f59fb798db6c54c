//! The charts placed in a document: the chart with its caption, or a note saying why there is
//! none.

use leerwinst_core::pipeline::Language;

use super::Inputs;
use super::robustness::moderation_sentence;
use crate::document::Block;

/// Chart `name` with `caption` where the run has it; a note in its place where it was made
/// with at most one group drawn.
pub(super) fn chart(inp: &Inputs, name: &str, caption: &str, blocks: &mut Vec<Block>) {
    match inp.charts.get(name) {
        Some(Some(svg)) => blocks.push(Block::Chart {
            svg: svg.clone(),
            caption: caption.to_string(),
        }),
        // Made, but with at most one group drawn: said in words instead of a near-empty panel.
        Some(None) => blocks.push(Block::Note(format!(
            "{} {} {}",
            caption.trim_end_matches('.'),
            inp.t.t(
                "— geen grafiek: hooguit één groep heeft ten minste",
                "— no chart: at most one group has at least",
            ),
            match inp.t.lang {
                Language::Nl => format!("{} leerlingen en een uitkomst.", inp.min_n),
                Language::En => format!("{} pupils and a result.", inp.min_n),
            }
        ))),
        None => {}
    }
}

/// The moderation curve of `moderator`: its sentence and chart `name`, when the run has both.
pub(super) fn moderation_block(
    inp: &Inputs,
    moderator: &str,
    name: &str,
    caption: &str,
    blocks: &mut Vec<Block>,
) {
    let Some(f) = inp.moderation else {
        return;
    };
    if !matches!(inp.charts.get(name), Some(Some(_))) {
        return;
    }
    if let Some(sentence) = moderation_sentence(inp.t, f, moderator) {
        blocks.push(Block::Para(sentence));
    }
    chart(inp, name, caption, blocks);
}
