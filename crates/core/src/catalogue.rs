//! Message catalogues: (English template, Dutch template) pairs. `{}` in a template stands for a
//! part that differs per message (a column name, a count, a path); the parts are carried over in
//! order. The first template that matches wins, so a specific one goes before a general one with
//! the same beginning. Reject reasons (`ingest::reason_nl`) and run-stopping errors (the `cli`)
//! each keep a catalogue; this module is how both are read.

/// The Dutch text of `text` by the first template of `catalogue` that matches it whole.
pub fn translate(catalogue: &[(&str, &str)], text: &str) -> Option<String> {
    catalogue
        .iter()
        .find_map(|(en, nl)| fill(nl, &captures(en, text)?))
}

/// Checks a catalogue: every template has as many `{}` in Dutch as in English, none two
/// adjacent, and each English template with its parts filled in finds its own Dutch text (no
/// earlier, more general template takes it). The error names the first template that fails.
pub fn check(catalogue: &[(&str, &str)]) -> Result<(), String> {
    for (en, nl) in catalogue {
        let parts = en.matches("{}").count();
        if parts != nl.matches("{}").count() || en.contains("{}{}") {
            return Err(format!("placeholders of '{en}'"));
        }
        let example = fill(en, &vec!["X"; parts]);
        let expected = fill(nl, &vec!["X"; parts]);
        if example.is_none() || translate(catalogue, example.as_deref().unwrap_or("")) != expected {
            return Err(format!("'{en}' is taken by an earlier template"));
        }
    }
    Ok(())
}

/// The parts of `text` that the `{}` of `template` stand for, if `text` matches it.
fn captures<'a>(template: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let literals: Vec<&str> = template.split("{}").collect();
    let (first, rest) = literals.split_first()?;
    let mut remaining = text.strip_prefix(first)?;
    let mut parts = Vec::new();
    for (i, literal) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        let at = if last {
            // The last literal ends the text.
            remaining.strip_suffix(literal).map(|r| r.len())?
        } else if literal.is_empty() {
            return None; // two adjacent placeholders cannot be told apart
        } else {
            remaining.find(literal)?
        };
        parts.push(&remaining[..at]);
        remaining = &remaining[at + literal.len()..];
    }
    if rest.is_empty() && !remaining.is_empty() {
        return None;
    }
    Some(parts)
}

/// `template` with its `{}` replaced by `parts` in order (None if the counts differ).
fn fill(template: &str, parts: &[&str]) -> Option<String> {
    let literals: Vec<&str> = template.split("{}").collect();
    if literals.len() != parts.len() + 1 {
        return None;
    }
    let mut out = String::from(literals[0]);
    for (part, literal) in parts.iter().zip(&literals[1..]) {
        out.push_str(part);
        out.push_str(literal);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_carry_their_parts_over_in_order() {
        let c = [
            (
                "row has {} fields, header has {}",
                "regel heeft {} velden, de kopregel {}",
            ),
            ("unreadable row", "onleesbare regel"),
        ];
        assert_eq!(
            translate(&c, "row has 3 fields, header has 5").as_deref(),
            Some("regel heeft 3 velden, de kopregel 5")
        );
        assert_eq!(
            translate(&c, "unreadable row").as_deref(),
            Some("onleesbare regel")
        );
        assert_eq!(translate(&c, "unreadable row!"), None);
        assert_eq!(translate(&c, "something else"), None);
        assert!(check(&c).is_ok());
        let shadowed = [
            ("row has {}", "regel heeft {}"),
            ("row has {} fields", "x {}"),
        ];
        assert!(
            check(&shadowed)
                .unwrap_err()
                .contains("taken by an earlier")
        );
        assert!(
            check(&[("a {}", "b")])
                .unwrap_err()
                .contains("placeholders")
        );
    }
}
