//! The `--language` argument of the commands that take one (`inspect`, `init`).

/// The language a `--language` argument names.
pub fn parse(arg: &str) -> anyhow::Result<leerwinst_core::pipeline::Language> {
    use leerwinst_core::pipeline::Language;
    match arg {
        "nl" => Ok(Language::Nl),
        "en" => Ok(Language::En),
        other => anyhow::bail!("--language must be nl or en, not '{other}'"),
    }
}
