//! The board's school list: `brin;naam;programma_vanaf;schoolweging` (English headers
//! `school_id;name;programme_from;school_weight` work too).

use leerwinst_core::{Result, SchoolYear, Table};

use crate::context::ReadContext;
use crate::delimited;
use crate::delimited::Column;
use crate::input::parse_number;
use crate::record_loop::each_record;
use crate::rows::SchoolRow;

const SCHOOL_ID: Column = Column::required(
    "school id",
    &["brin", "school_id", "school", "schoolid", "sourcedId"],
);
const NAME: Column = Column::optional("name", &["naam", "name", "schoolnaam"]);
const PROGRAMME_FROM: Column = Column::optional(
    "programme from",
    &["programma_vanaf", "programme_from", "programma"],
)
.note("the first school year of the programme; empty = never");
const SCHOOL_WEIGHT: Column = Column::optional(
    "school weight",
    &["schoolweging", "school_weight", "weging"],
)
.note("the CBS schoolweging");

/// The columns of a school list ([`crate::columns`]).
pub const COLUMNS: &[Column] = &[SCHOOL_ID, NAME, PROGRAMME_FROM, SCHOOL_WEIGHT];

/// Reads the school list; returns (rows, rows read).
pub fn read(ctx: &mut ReadContext<'_>, text: &str) -> Result<(Vec<SchoolRow>, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let Some(id) = d.find(SCHOOL_ID.names) else {
        return Err(leerwinst_core::Error::input(
            &ctx.file,
            format!(
                "no school id column (brin / school_id); {}",
                d.header_listing()
            ),
        ));
    };
    let name = d.find(NAME.names);
    let from = d.find(PROGRAMME_FROM.names);
    let weight = d.find(SCHOOL_WEIGHT.names);
    let mut seen = std::collections::HashSet::new();
    let (rows, read) = each_record(ctx, Table::Schools, &d, |row, r| {
        let key = r[id].trim();
        if key.is_empty() {
            return row.reject(&d.headers[id], "", "missing school id");
        }
        if !seen.insert(key.to_string()) {
            return row.reject(&d.headers[id], key, "duplicate school id");
        }
        let programme_from = match from.map(|i| r[i].trim()) {
            None | Some("") => None,
            Some(v) => match SchoolYear::parse(v) {
                Some(y) if crate::input::plausible_year(y.0) => Some(y.to_string()),
                Some(y) => {
                    return row.reject(
                        &d.headers[from.unwrap_or_default()],
                        v,
                        &crate::input::implausible_year_reason(y.0),
                    );
                }
                None => {
                    return row.reject(
                        &d.headers[from.unwrap_or_default()],
                        v,
                        "not a school year (expected e.g. 2024-2025)",
                    );
                }
            },
        };
        let school_weight = match weight.map(|i| r[i].trim()) {
            None | Some("") => None,
            Some(v) => match parse_number(v) {
                Some(x) => Some(x),
                None => {
                    return row.reject(&d.headers[weight.unwrap_or_default()], v, "not a number");
                }
            },
        };
        Some(SchoolRow {
            school_key: key.to_string(),
            school_name: name
                .map(|i| r[i].trim().to_string())
                .filter(|s| !s.is_empty()),
            programme_from,
            school_weight,
        })
    });
    Ok((rows, read))
}
