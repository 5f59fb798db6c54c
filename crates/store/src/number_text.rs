//! Numbers as text for the staff copies: one spelling for the CSV and the workbook.

use std::io::Write as _;

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
    fn numbers_are_written_without_exponent() {
        let texts: Vec<String> = [0.25, 1e-7, -0.0, 3.0, 0.1 + 0.2].map(text).into();
        assert_eq!(
            texts,
            ["0.25", "0.0000001", "-0", "3", "0.30000000000000004"]
        );
    }
}
