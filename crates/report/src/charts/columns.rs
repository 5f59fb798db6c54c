//! The typed table a chart's data file (`charts/<chart>.csv` and `.xlsx`) is written from; the
//! columns' Dutch headers and meanings are `leerwinst_core::chart_columns`.
//!
//! A chart builder hands [`super::write_csv`] its rows as text. Here each column gets the type
//! its cells have (whole numbers, numbers, true/false, else text), so that the workbook has
//! number cells, and the metadata the staff writer of `leerwinst_store` reads: a Dutch run's
//! files have Dutch headers, Dutch values (`leerwinst_core::values_nl`) and decimal commas.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use leerwinst_core::chart_columns::chart_data_schema;
use leerwinst_store::CsvDialect;

/// The chart-data table of `header` and text `rows`, each column typed by its cells and carrying
/// its Dutch header and meanings (`leerwinst_core::chart_columns`). In `dialect`, a number in a column that also holds
/// text (`< 10`) is written with the dialect's decimal mark.
pub(crate) fn table(
    header: &[&str],
    rows: &[Vec<String>],
    dialect: CsvDialect,
) -> Result<RecordBatch, String> {
    let mut fields = Vec::with_capacity(header.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(header.len());
    for (c, name) in header.iter().enumerate() {
        let cells: Vec<Option<&str>> = rows
            .iter()
            .map(|r| r.get(c).map(String::as_str).filter(|s| !s.is_empty()))
            .collect();
        let array = typed(&cells, dialect);
        fields.push((*name, array.data_type().clone()));
        arrays.push(array);
    }
    RecordBatch::try_new(chart_data_schema(&fields), arrays).map_err(|e| e.to_string())
}

/// The cells as the narrowest array that holds them: booleans, whole numbers, numbers, else text.
fn typed(cells: &[Option<&str>], dialect: CsvDialect) -> ArrayRef {
    let filled = || cells.iter().flatten();
    if filled().all(|s| matches!(*s, "true" | "false")) && filled().next().is_some() {
        return Arc::new(
            cells
                .iter()
                .map(|s| s.map(|s| s == "true"))
                .collect::<BooleanArray>(),
        );
    }
    if filled().all(|s| is_number(s)) && filled().next().is_some() {
        if filled().all(|s| !s.contains('.'))
            && let Some(v) = cells
                .iter()
                .map(|s| s.map(str::parse::<i64>).transpose().ok())
                .collect::<Option<Vec<Option<i64>>>>()
        {
            return Arc::new(Int64Array::from(v));
        }
        return Arc::new(
            cells
                .iter()
                .map(|s| s.and_then(|s| s.parse::<f64>().ok()))
                .collect::<Float64Array>(),
        );
    }
    Arc::new(
        cells
            .iter()
            .map(|s| s.map(|s| dialect.localise_number(s)))
            .collect::<StringArray>(),
    )
}

/// A plain decimal number (`-0.25`, `12`): digits with at most one point and a leading minus, no
/// exponent and no leading zero before another digit (so a school key `0123` stays text).
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(int.len() > 1 && int.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::DataType;

    #[test]
    fn columns_are_typed_by_their_cells() {
        let rows = vec![
            vec![
                "0123".into(),
                "12".into(),
                "0.5".into(),
                "true".into(),
                "< 10".into(),
            ],
            vec![
                "12CR".into(),
                "".into(),
                "-1".into(),
                "false".into(),
                "0.25".into(),
            ],
        ];
        let b = table(
            &["school", "pupils", "estimate", "programme", "x"],
            &rows,
            CsvDialect::NL,
        )
        .unwrap();
        let types: Vec<DataType> = b
            .schema()
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        assert_eq!(
            types,
            [
                DataType::Utf8,
                DataType::Int64,
                DataType::Float64,
                DataType::Boolean,
                DataType::Utf8
            ]
        );
        assert!(b.column(1).is_null(1));
        let x = b.column(4).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(x.value(1), "0,25");
        assert_eq!(
            b.schema().field(1).metadata()["label_nl"],
            "aantal_leerlingen"
        );
        assert!(!is_number("1e5") && !is_number("1.") && !is_number("-") && is_number("-0.5"));
    }
}
