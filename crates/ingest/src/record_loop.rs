//! The one record loop of the delimited readers: every record is counted, a malformed record
//! (wrong number of fields, a parser error) is rejected with its reason, and each well-formed
//! record goes to the format's own code, which returns the row it makes or rejects the record.
//! A record that gives no row and no reject is rejected here ("no reason given"), so no reader
//! can drop a record silently: read = accepted + rejected holds by construction.

use csv::StringRecord;
use leerwinst_core::Table;

use crate::context::ReadContext;
use crate::delimited::Delimited;

/// The reason for a record a reader gave neither a row nor a reject (a bug in that reader).
pub const NO_REASON: &str = "row not used and no reason given (please report this)";

/// Runs `row` on every well-formed record of `d` (with its line); returns (rows made, records
/// read). `row` rejects a record through `ctx` and returns `None`; malformed records are
/// rejected into `table` without reaching it.
pub fn each_record<T>(
    ctx: &mut ReadContext<'_>,
    table: Table,
    d: &Delimited,
    mut row: impl FnMut(&mut ReadContext<'_>, u64, &StringRecord) -> Option<T>,
) -> (Vec<T>, usize) {
    let got = try_each_record(ctx, table, d, |ctx, line, r| {
        Ok::<_, std::convert::Infallible>(row(ctx, line, r))
    });
    match got {
        Ok(x) => x,
    }
}

/// [`each_record`] for a reader that may stop the whole file (`Err`): the error is returned
/// at once.
pub fn try_each_record<T, E>(
    ctx: &mut ReadContext<'_>,
    table: Table,
    d: &Delimited,
    mut row: impl FnMut(&mut ReadContext<'_>, u64, &StringRecord) -> Result<Option<T>, E>,
) -> Result<(Vec<T>, usize), E> {
    let mut rows = Vec::new();
    for rec in &d.records {
        match rec {
            Err((line, why)) => ctx.reject(table, *line, "", "", why),
            Ok((line, fields)) => {
                let before = ctx.rejects.total();
                match row(ctx, *line, fields)? {
                    Some(r) => rows.push(r),
                    None if ctx.rejects.total() > before => {}
                    None => ctx.reject(table, *line, "", "", NO_REASON),
                }
            }
        }
    }
    Ok((rows, d.records.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    #[test]
    fn every_record_is_a_row_or_a_reject() {
        let d = crate::delimited::parse("a;b\n1;x\n2\n3;y\n4;z\n", "t.csv").unwrap();
        let mut rejects = Rejects::default();
        let (pseudo, ids) = (Pseudonymiser::off(), IdResolver::default());
        let mut ctx = ReadContext::new("s", "t.csv", &mut rejects, &ids, &pseudo);
        // Line 4 is rejected by the reader, line 5 dropped without a word.
        let (rows, read) = each_record(&mut ctx, Table::Plans, &d, |ctx, line, r| match line {
            4 => {
                ctx.reject(Table::Plans, line, "b", &r[1], "not wanted");
                None
            }
            5 => None,
            _ => Some(r[0].to_string()),
        });
        assert_eq!((rows, read), (vec!["1".to_string()], 4));
        assert_eq!(
            rejects.line_reasons(9),
            [
                "3: row has 1 fields, header has 2",
                "4: not wanted",
                &format!("5: {NO_REASON}")
            ]
        );
    }
}
