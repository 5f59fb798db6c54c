//! The one record loop of the delimited readers: every record is counted, a malformed record
//! (wrong number of fields, a parser error) is rejected with its reason, and each well-formed
//! record goes to the format's own code as a [`Row`], which returns the row it makes or rejects
//! the record through [`Row::reject`], [`Row::required`], [`Row::optional`] or
//! [`Row::pupil_key`]. A record that gives no row and no reject is rejected here ("no reason
//! given"), so no reader can drop a record silently: read = accepted + rejected holds by
//! construction.

use csv::StringRecord;
use leerwinst_core::Table;

use crate::context::ReadContext;
use crate::delimited::{Delimited, Record};

/// The reason for a record a reader gave neither a row nor a reject (a bug in that reader).
pub const NO_REASON: &str = "row not used and no reason given (please report this)";

/// A record being read: where it is and how to reject it. A reader rejects through it and
/// returns `None`; every helper that may reject returns `None` when it has, so a reader writes
/// `let score = row.required(..)?;`.
pub struct Row<'r, 'a> {
    /// The reader's context (calendar, ids, pseudonyms; its file names the rejects).
    pub ctx: &'r mut ReadContext<'a>,
    /// The table the row goes to and its rejects are listed under.
    pub table: Table,
    /// The line the record starts on.
    pub line: u64,
}

impl Row<'_, '_> {
    /// Rejects the record: the `column` (its header as written), the `value` shown (shaped by
    /// [`ReadContext::reject`]: it never quotes personal data) and the `reason`. Returns `None`,
    /// so a reader can `return row.reject(..)`.
    pub fn reject<T>(&mut self, column: &str, value: &str, reason: &str) -> Option<T> {
        self.ctx
            .reject(self.table, self.line, column, value, reason);
        None
    }

    /// The value of a cell the row needs, parsed by `parse`; when it does not parse (an empty
    /// cell included) the record is rejected with `reason` and `None` returned.
    pub fn required<T>(
        &mut self,
        column: &str,
        value: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        reason: &str,
    ) -> Option<T> {
        match parse(value) {
            Some(v) => Some(v),
            None => self.reject(column, value, reason),
        }
    }

    /// The value of a cell the row may leave empty: `Some(None)` when empty, `Some(Some(v))`
    /// when it parses, else the record is rejected with `reason` and `None` returned.
    pub fn optional<T>(
        &mut self,
        column: &str,
        value: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        reason: &str,
    ) -> Option<Option<T>> {
        if value.is_empty() {
            return Some(None);
        }
        self.required(column, value, parse, reason).map(Some)
    }

    /// The pseudonym of the pupil `id` (in `column`) names, or the record rejected (the id
    /// shown pseudonymised; see [`crate::context::pupil_key`]).
    pub fn pupil_key(&mut self, column: &str, id: &str) -> Option<String> {
        self.ctx.pupil_key(self.table, self.line, column, id)
    }
}

/// Runs `row` on every well-formed record of `d`; returns (rows made, records read). `row`
/// rejects a record through its [`Row`] and returns `None`; malformed records are rejected into
/// `table` without reaching it.
pub fn each_record<T>(
    ctx: &mut ReadContext<'_>,
    table: Table,
    d: &Delimited,
    mut row: impl FnMut(&mut Row<'_, '_>, &StringRecord) -> Option<T>,
) -> (Vec<T>, usize) {
    let got = try_each_record(ctx, table, d, |r, fields| {
        Ok::<_, std::convert::Infallible>(row(r, fields))
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
    mut row: impl FnMut(&mut Row<'_, '_>, &StringRecord) -> Result<Option<T>, E>,
) -> Result<(Vec<T>, usize), E> {
    let mut rows = Vec::new();
    for rec in &d.records {
        let Some((line, fields)) = well_formed(ctx, table, rec) else {
            continue;
        };
        let before = ctx.rejects.total();
        let mut r = Row {
            ctx: &mut *ctx,
            table,
            line,
        };
        match row(&mut r, fields)? {
            Some(made) => rows.push(made),
            None if ctx.rejects.total() > before => {}
            None => ctx.reject(table, line, "", "", NO_REASON),
        }
    }
    Ok((rows, d.records.len()))
}

/// One record of a [`Delimited`] as a reader sees it: its line and fields when it is
/// well-formed; a malformed record (wrong number of fields, a parser error) is rejected into
/// `table` with its reason here and `None` returned. Readers that count their records
/// themselves (a lookup file, rows of one role among others) take each record through this, so
/// a malformed record is always a reject.
pub fn well_formed<'d>(
    ctx: &mut ReadContext<'_>,
    table: Table,
    record: &'d Record,
) -> Option<(u64, &'d StringRecord)> {
    match record {
        Ok((line, fields)) => Some((*line, fields)),
        Err((line, why)) => {
            ctx.reject(table, *line, "", "", why);
            None
        }
    }
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
        let (rows, read) = each_record(&mut ctx, Table::Plans, &d, |row, r| match row.line {
            4 => row.reject("b", &r[1], "not wanted"),
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

    #[test]
    fn required_and_optional_cells_reject_what_does_not_parse() {
        let d = crate::delimited::parse("n;m\n1;\nx;2\n3;y\n;4\n", "t.csv").unwrap();
        let mut rejects = Rejects::default();
        let (pseudo, ids) = (Pseudonymiser::off(), IdResolver::default());
        let mut ctx = ReadContext::new("s", "t.csv", &mut rejects, &ids, &pseudo);
        let number = |s: &str| s.parse::<i32>().ok();
        let (rows, read) = each_record(&mut ctx, Table::Plans, &d, |row, r| {
            let n = row.required("n", &r[0], number, "n is not a number")?;
            let m = row.optional("m", &r[1], number, "m is not a number")?;
            Some((n, m))
        });
        assert_eq!((rows, read), (vec![(1, None)], 4));
        assert_eq!(
            rejects.line_reasons(9),
            [
                "3: n is not a number",
                "4: m is not a number",
                "5: n is not a number"
            ]
        );
    }
}
