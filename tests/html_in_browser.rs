//! The HTML review documents in a real browser: headless Chromium opens each document of a demo
//! run at a phone's width (390 px) and a desktop's (1200 px) and reports, from inside the page,
//! whether anything is wider than the window (horizontal overflow) and whether every chart (an
//! inline SVG) and image is drawn with a size. Screenshots go beside the probe for looking.
//!
//! Needs Debian's `chromium`: `.ci/run` installs it and sets LEERWINST_REQUIRE_CHROMIUM=1, so there
//! a missing browser fails instead of skipping.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const WIDTHS: [u32; 2] = [390, 1200];

/// What the page reports about itself once loaded, as an attribute of `<body>`.
const PROBE: &str = r#"<script>
window.addEventListener('load', () => {
  const width = document.documentElement.clientWidth;
  const drawn = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const charts = [...document.querySelectorAll('svg')];
  const images = [...document.images];
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''))
    .slice(0, 5);
  document.body.setAttribute('data-probe', JSON.stringify({
    overflow: document.documentElement.scrollWidth - width,
    charts: charts.length,
    undrawn: charts.filter(c => !drawn(c)).length,
    images: images.length,
    broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).length,
    wide,
  }));
});
</script>"#;

/// Debian's Chromium, if installed.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|name| Command::new("which").arg(name).output())
        .filter_map(Result::ok)
        .find(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if found.is_none() {
        assert!(
            std::env::var("LEERWINST_REQUIRE_CHROMIUM").is_err(),
            "LEERWINST_REQUIRE_CHROMIUM is set but chromium is not installed"
        );
        eprintln!("SKIPPED: chromium is not installed (apt-get install chromium)");
    }
    found
}

/// Headless Chromium with its profile in `dir`, window `width` px wide.
fn browser(bin: &Path, dir: &Path, width: u32) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        "--virtual-time-budget=10000",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()))
    .arg(format!("--window-size={width},1000"));
    c
}

/// The probe's report of `html` opened `width` px wide.
fn probe(bin: &Path, dir: &Path, html: &Path, width: u32) -> serde_json::Value {
    let out = browser(bin, dir, width)
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("data-probe=\"").unwrap_or_else(|| {
        panic!(
            "{} at {width} px: no probe report; chromium said:\n{}",
            html.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    }) + "data-probe=\"".len();
    let end = start + dom[start..].find('"').unwrap();
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap()
}

#[test]
fn every_review_document_fits_a_phone_and_a_desktop_and_draws_its_charts() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    common::run_pipeline(&common::repo().join("pipelines/demo.toml"), &run, None);
    let docs: Vec<PathBuf> = common::files(&run.join("review"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(
        docs.len() >= 2,
        "the demo run wrote {} HTML documents",
        docs.len()
    );
    let mut problems = Vec::new();
    for doc in &docs {
        let html = std::fs::read_to_string(doc).unwrap();
        let probed = dir.path().join(doc.file_name().unwrap());
        let at = html.rfind("</body>").expect("an HTML document with a body");
        std::fs::write(&probed, format!("{}{PROBE}{}", &html[..at], &html[at..])).unwrap();
        for width in WIDTHS {
            let r = probe(&bin, dir.path(), &probed, width);
            let name = format!(
                "{} at {width} px",
                doc.file_name().unwrap().to_string_lossy()
            );
            if r["overflow"].as_i64() != Some(0) {
                problems.push(format!(
                    "{name}: {} px wider than the window ({})",
                    r["overflow"], r["wide"]
                ));
            }
            if r["undrawn"].as_i64() != Some(0) || r["broken"].as_i64() != Some(0) {
                problems.push(format!("{name}: charts or images not drawn: {r}"));
            }
            if doc.file_stem().is_some_and(|s| s == "bestuur") && r["charts"].as_i64() < Some(1) {
                problems.push(format!("{name}: no charts in the board's review"));
            }
            // A screenshot to look at (kept with LEERWINST_KEEP_SCREENSHOTS=DIR).
            if let Ok(keep) = std::env::var("LEERWINST_KEEP_SCREENSHOTS") {
                let png = Path::new(&keep).join(format!(
                    "{}-{width}.png",
                    doc.file_stem().unwrap().to_string_lossy()
                ));
                let _ = browser(&bin, dir.path(), width)
                    .arg(format!("--screenshot={}", png.display()))
                    .arg(format!("file://{}", doc.display()))
                    .output();
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
