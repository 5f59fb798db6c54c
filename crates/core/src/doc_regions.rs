//! Parts of the hand-written docs that are generated from code: the pipeline keys
//! (`docs/pipeline.md`), the columns each format accepts (`docs/formats.md`) and the command
//! reference (`docs/cli.md`). A generated part stands between `<!-- BEGIN generated: NAME -->`
//! and `<!-- END generated: NAME -->`; the prose around it stays hand-written. Each crate that
//! owns such a part has a test that fails when the committed file is stale;
//! `LEERWINST_UPDATE_DOCS=1 cargo test` rewrites the parts instead.

use std::path::Path;

/// The environment variable that makes the docs tests write the generated parts.
pub const UPDATE_VAR: &str = "LEERWINST_UPDATE_DOCS";

/// `doc` with the part `name` replaced by `body`; an error when the part's markers are missing.
pub fn fill(doc: &str, name: &str, body: &str) -> Result<String, String> {
    let begin = format!("<!-- BEGIN generated: {name} -->\n");
    let end = format!("<!-- END generated: {name} -->");
    let start = doc
        .find(&begin)
        .ok_or_else(|| format!("no `{}` in the file", begin.trim()))?
        + begin.len();
    let stop = doc[start..]
        .find(&end)
        .ok_or_else(|| format!("no `{end}` after its BEGIN"))?
        + start;
    Ok(format!("{}{body}{}", &doc[..start], &doc[stop..]))
}

/// Checks that the file at `path` is what `generate` makes of it, or writes it when
/// [`UPDATE_VAR`] is set. The error says which file is stale and how to regenerate it.
pub fn check(path: &Path, generate: impl Fn(&str) -> Result<String, String>) -> Result<(), String> {
    let committed =
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let generated = generate(&committed).map_err(|e| format!("{}: {e}", path.display()))?;
    if std::env::var_os(UPDATE_VAR).is_some() {
        std::fs::write(path, &generated).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    if committed == generated {
        Ok(())
    } else {
        Err(format!(
            "{} is out of date with the code: run `{UPDATE_VAR}=1 cargo test --workspace` and review the diff",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_replaced_between_its_markers_only() {
        let doc = "intro\n<!-- BEGIN generated: t -->\nold\n<!-- END generated: t -->\noutro\n";
        let got = fill(doc, "t", "new\n").unwrap();
        assert_eq!(
            got,
            "intro\n<!-- BEGIN generated: t -->\nnew\n<!-- END generated: t -->\noutro\n"
        );
        assert!(fill(doc, "other", "x").is_err());
        assert!(fill("<!-- BEGIN generated: t -->\n", "t", "x").is_err());
    }
}
