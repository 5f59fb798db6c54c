//! Reading back what report writes: pages and text of a PDF, size of a PNG. Used by the tests
//! (a PDF must contain its labels as text, PNGs must decode) and usable by any caller that wants
//! to check an output folder.

use resvg::tiny_skia::Pixmap;

/// The decompressed content of every stream in a PDF (flate streams inflated, others raw).
pub fn pdf_streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    use std::io::Read;
    let mut out = vec![];
    let mut i = 0;
    while let Some(p) = find(&pdf[i..], b"stream") {
        let start = i + p + b"stream".len();
        // "endstream" also contains "stream": skip those hits.
        if pdf[..i + p].ends_with(b"end") {
            i = start;
            continue;
        }
        let body_start = if pdf[start..].starts_with(b"\r\n") {
            start + 2
        } else {
            start + 1
        };
        if body_start > pdf.len() {
            break;
        }
        let Some(end) = find(&pdf[body_start..], b"endstream") else {
            break;
        };
        let body = &pdf[body_start..body_start + end];
        let mut inflated = vec![];
        if flate2::read::ZlibDecoder::new(body)
            .read_to_end(&mut inflated)
            .is_ok()
        {
            out.push(inflated);
        } else {
            out.push(body.to_vec());
        }
        i = body_start + end + b"endstream".len();
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The Unicode text a PDF's ToUnicode maps declare (every glyph the text uses).
pub fn pdf_unicode_text(pdf: &[u8]) -> String {
    let mut s = String::new();
    for st in pdf_streams(pdf) {
        let t = String::from_utf8_lossy(&st);
        if !t.contains("begincmap") {
            continue;
        }
        // Lines like "<0003> <0041>" in bfchar sections; the second is UTF-16BE hex.
        for line in t.lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let Some(last) = parts.last()
                && parts.len() >= 2
                && last.starts_with('<')
            {
                let hex = last.trim_matches(|c| c == '<' || c == '>');
                let units: Vec<u16> = (0..hex.len() / 4)
                    .filter_map(|k| u16::from_str_radix(&hex[k * 4..k * 4 + 4], 16).ok())
                    .collect();
                s.push_str(&String::from_utf16_lossy(&units));
            }
        }
    }
    s
}

/// How many text-showing operators (Tj/TJ) the page content streams hold.
pub fn pdf_text_ops(pdf: &[u8]) -> usize {
    pdf_streams(pdf)
        .iter()
        .map(|st| {
            st.windows(3)
                .filter(|w| [b" Tj", b")Tj", b" TJ", b"]TJ"].iter().any(|p| w == p))
                .count()
        })
        .sum()
}

/// Number of pages (`/Type /Page` objects, not `/Pages`).
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let s = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
    s.match_indices("/Type/Page")
        .filter(|(i, m)| {
            !s[i + m.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        })
        .count()
}

/// Width and height of a PNG, or `None` when it does not decode.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    Pixmap::decode_png(bytes)
        .ok()
        .map(|p| (p.width(), p.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        for bad in [
            &b""[..],
            b"stream",
            b"stream\n",
            b"xxendstream",
            b"stream\r\nabc",
        ] {
            let _ = pdf_streams(bad);
            let _ = pdf_unicode_text(bad);
            assert_eq!(pdf_text_ops(bad), 0);
        }
        assert_eq!(png_size(b"not a png"), None);
    }
}
