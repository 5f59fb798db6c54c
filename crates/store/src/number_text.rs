//! Numbers as text for the staff copies: one spelling for the CSV and the workbook.

use std::io::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};

/// 2^53: every whole number below it is a double, and its digits are those of the integer.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// Appends `v` exactly as Rust's `Display` writes it (the shortest digits that read back as `v`,
/// never an exponent); a whole number below 2^53, most of the counts and shares, is written as
/// the integer it is, which gives the same digits without the shortest-digits search.
pub(crate) fn push_f64(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < EXACT_INTEGERS && !(v == 0.0 && v.is_sign_negative()) {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
    } else {
        write!(out, "{v}").expect("writing to memory");
    }
}

/// The texts of a batch's Float64 cells ([`push_f64`]), made once for both staff copies (the
/// CSV puts them in its dialect, the workbook takes them as they are).
pub(crate) struct NumberTexts {
    /// Per column of the batch: for a Float64 column, its cells' texts one after the other and
    /// where each row's ends (a null cell's is empty); nothing for the other columns.
    columns: Vec<Option<(Vec<u8>, Vec<usize>)>>,
}

impl NumberTexts {
    /// The texts of `batch`'s Float64 columns.
    pub(crate) fn of(batch: &RecordBatch) -> Self {
        let columns = batch
            .columns()
            .iter()
            .map(|c| {
                let a = c.as_primitive_opt::<Float64Type>()?;
                let mut text = Vec::with_capacity(a.len() * 8);
                let mut ends = Vec::with_capacity(a.len());
                for i in 0..a.len() {
                    if a.is_valid(i) {
                        push_f64(&mut text, a.value(i));
                    }
                    ends.push(text.len());
                }
                Some((text, ends))
            })
            .collect();
        NumberTexts { columns }
    }

    /// The text of row `row` of column `column`, a Float64 column of the batch.
    pub(crate) fn get(&self, column: usize, row: usize) -> &[u8] {
        let (text, ends) = self.columns[column]
            .as_ref()
            .expect("texts are made for every Float64 column");
        let start = if row == 0 { 0 } else { ends[row - 1] };
        &text[start..ends[row]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: f64) -> String {
        let mut out = Vec::new();
        push_f64(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_text_is_that_of_display() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.0 / 3.0,
            1e15,
            1e16,
            1e300,
            -1e-300,
            EXACT_INTEGERS - 1.0,
            EXACT_INTEGERS,
            EXACT_INTEGERS + 2.0,
            -EXACT_INTEGERS,
            6_632_827_120_354_249.0 / 4.0, // a tie of the shortest digits: ...562.25
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Whole numbers and fractions of every size, and arbitrary bit patterns.
        let mut bits = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..20_000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            values.push(f64::from_bits(bits));
            values.push((bits % 1_000_000) as f64 - 500_000.0);
            values.push(i as f64 / 7.0);
            values.push((bits >> 11) as f64 * if i % 2 == 0 { 1.0 } else { -1.0 });
        }
        for v in values {
            assert_eq!(text(v), format!("{v}"), "{v:?}");
        }
    }

    #[test]
    fn a_batch_s_numbers_are_each_cell_s_text() {
        use arrow_array::{ArrayRef, Float64Array, Int64Array};
        use std::sync::Arc;
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(0.5),
            None,
            Some(-3.0),
            Some(f64::NAN),
        ]));
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3, 4]));
        let batch = RecordBatch::try_from_iter([("i", ints), ("f", floats)]).unwrap();
        let t = NumberTexts::of(&batch);
        let got: Vec<&[u8]> = (0..4).map(|r| t.get(1, r)).collect();
        assert_eq!(got, [&b"0.5"[..], b"", b"-3", b"NaN"]);
    }

    #[test]
    fn numbers_are_written_without_exponent() {
        let texts: Vec<String> = [0.25, 1e-7, -0.0, 3.0, 0.1 + 0.2].map(text).into();
        assert_eq!(
            texts,
            ["0.25", "0.0000001", "-0", "3", "0.30000000000000004"]
        );
    }
}
