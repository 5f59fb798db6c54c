//! The level cells a Dutch test result may carry besides its score: the *referentieniveau*
//! (1F, 1S/2F), the *functioneringsniveau* (the grade and moment a score typically belongs to)
//! and the *didactische leeftijdsequivalent* (DLE, months of schooling). Read by the LVS and the
//! mapped test-result readers; an empty cell is no value, an unreadable one a reject reason.

use leerwinst_core::reference_level::ReferenceLevel;

use crate::input::parse_number;

/// Why a reference-level cell is refused.
pub const NOT_A_REFERENCE_LEVEL: &str = "not a reference level (expected <1F, 1F, 1S, 2F or 1S/2F)";

/// Why a DLE cell is refused.
pub const NOT_A_DLE: &str = "DLE is not a number of months from 0 to 100";

/// The canonical reference level of a cell for a test of `subject`; `Ok(None)` when empty.
pub fn reference_level(cell: &str, subject: &str) -> Result<Option<&'static str>, &'static str> {
    let cell = cell.trim();
    if cell.is_empty() || cell == "-" {
        return Ok(None);
    }
    ReferenceLevel::parse(cell, subject)
        .map(|l| Some(l.code()))
        .ok_or(NOT_A_REFERENCE_LEVEL)
}

/// A DLE cell (months, 0-100; Dutch or English decimals); `Ok(None)` when empty.
pub fn dle(cell: &str) -> Result<Option<f64>, &'static str> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    match parse_number(cell) {
        Some(x) if (0.0..=100.0).contains(&x) => Ok(Some(x)),
        _ => Err(NOT_A_DLE),
    }
}

/// A functioning-level cell as exported (trimmed); `None` when empty.
pub fn functioning_level(cell: &str) -> Option<String> {
    Some(cell.trim().to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cells_are_no_value_and_unreadable_ones_a_reason() {
        assert_eq!(reference_level("", "lezen"), Ok(None));
        assert_eq!(reference_level(" - ", "lezen"), Ok(None));
        assert_eq!(reference_level("1S/2F", "rekenen"), Ok(Some("1S")));
        assert_eq!(reference_level("onder 1F", "lezen"), Ok(Some("<1F")));
        assert_eq!(reference_level("II", "lezen"), Err(NOT_A_REFERENCE_LEVEL));
        assert_eq!(dle("34,5"), Ok(Some(34.5)));
        assert_eq!(dle(""), Ok(None));
        assert_eq!(dle("140"), Err(NOT_A_DLE));
        assert_eq!(dle("E5"), Err(NOT_A_DLE));
        assert_eq!(functioning_level(" E5 "), Some("E5".to_string()));
        assert_eq!(functioning_level(" "), None);
    }
}
