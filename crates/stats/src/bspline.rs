//! Cubic B-spline bases as R's `splines::bs(x, knots, Boundary.knots)` builds them (degree 3,
//! no intercept column): `knots.len() + 3` columns.
//!
//! The knot sequence is the boundary knots repeated four times around the interior knots; the
//! basis functions are evaluated with de Boor's recursion (Piegl & Tiller, *The NURBS Book*,
//! algorithm A2.2). Outside the boundary knots `bs` extends each basis function by its third-order
//! Taylor polynomial at the nearer boundary; for cubic pieces that is the boundary piece itself,
//! which is what evaluating the outermost interval's polynomial at `x` gives.

use crate::{Error, Result};

const DEGREE: usize = 3;
const ORDER: usize = DEGREE + 1;

/// Knots and boundaries of one cubic B-spline basis.
#[derive(Debug, Clone, PartialEq)]
pub struct BSpline {
    /// Full knot sequence: lower boundary x4, interior knots, upper boundary x4.
    t: Vec<f64>,
}

impl BSpline {
    /// A basis with the given interior knots (increasing) and boundary knots (`low < high`,
    /// enclosing every interior knot).
    pub fn new(knots: &[f64], boundary: (f64, f64)) -> Result<Self> {
        let (lo, hi) = boundary;
        let finite = knots.iter().all(|k| k.is_finite()) && lo.is_finite() && hi.is_finite();
        if !finite || lo >= hi {
            return Err(Error::Input(format!(
                "B-spline boundaries must be finite with low < high, got ({lo}, {hi})"
            )));
        }
        if knots.windows(2).any(|w| w[0] > w[1]) {
            return Err(Error::Input(format!(
                "B-spline knots must be increasing, got {knots:?}"
            )));
        }
        if knots.iter().any(|&k| k <= lo || k >= hi) {
            return Err(Error::Input(format!(
                "B-spline knots {knots:?} must lie strictly inside the boundaries ({lo}, {hi})"
            )));
        }
        let mut t = vec![lo; ORDER];
        t.extend_from_slice(knots);
        t.extend(std::iter::repeat_n(hi, ORDER));
        Ok(BSpline { t })
    }

    /// Number of columns of the basis (`bs`'s `df`): interior knots + 3.
    pub fn columns(&self) -> usize {
        self.t.len() - ORDER - 1
    }

    /// Writes the basis row of `x` into `out` (length [`columns`](Self::columns)).
    pub fn eval_into(&self, x: f64, out: &mut [f64]) {
        debug_assert_eq!(out.len(), self.columns());
        out.fill(0.0);
        let span = self.span(x);
        let values = self.nonzero(span, x);
        // values[s] is B_{span-3+s}; column c holds B_{c+1} (bs drops B_0 when intercept = FALSE).
        for (s, v) in values.iter().enumerate() {
            let index = span - DEGREE + s;
            if index >= 1 {
                out[index - 1] = *v;
            }
        }
    }

    /// The basis row of `x`.
    pub fn eval(&self, x: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.columns()];
        self.eval_into(x, &mut out);
        out
    }

    /// Index `j` of the knot interval `[t_j, t_{j+1})` that holds `x`; points at or beyond the
    /// upper boundary use the last interval, points below the lower boundary the first.
    fn span(&self, x: f64) -> usize {
        let first = DEGREE;
        let last = self.t.len() - ORDER - 1;
        if x >= self.t[last + 1] {
            return last;
        }
        let mut j = first;
        while j < last && self.t[j + 1] <= x {
            j += 1;
        }
        j
    }

    /// The four basis functions that can be nonzero on interval `span`, evaluated at `x` (de
    /// Boor's recursion; a polynomial in `x`, so it extrapolates the interval's piece).
    fn nonzero(&self, span: usize, x: f64) -> [f64; ORDER] {
        let t = &self.t;
        let mut n = [0.0; ORDER];
        let mut left = [0.0; ORDER];
        let mut right = [0.0; ORDER];
        n[0] = 1.0;
        for r in 1..=DEGREE {
            left[r] = x - t[span + 1 - r];
            right[r] = t[span + r] - x;
            let mut saved = 0.0;
            for s in 0..r {
                let temp = n[s] / (right[s + 1] + left[r - s]);
                n[s] = saved + right[s + 1] * temp;
                saved = left[r - s] * temp;
            }
            n[r] = saved;
        }
        n
    }
}

#[cfg(test)]
// Reference values are R's output printed with 17 significant digits, kept verbatim.
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    /// `splines::bs(x, knots = c(392, 440, 481, 529), Boundary.knots = c(150, 700))` in R 4.x
    /// (Debian r-base-core), printed with 17 significant digits by
    /// `tests/reference/sgp_reference.R`.
    const R_BS: &[[f64; 8]] = &[
        [150.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [
            200.0,
            0.40722344038925518,
            0.087985082460670036,
            0.0053810701700159882,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            392.0,
            0.027395957193816885,
            0.36249882351250673,
            0.61010521929367645,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            400.0,
            0.015854141894569958,
            0.31200733556114191,
            0.67126370365913535,
            0.00087481888515268311,
            0.0,
            0.0,
            0.0,
        ],
        [
            455.5,
            0.0,
            0.01372836078915798,
            0.57004121511704975,
            0.41230534978470867,
            0.0039250743090836265,
            0.0,
            0.0,
        ],
        [
            529.0,
            0.0,
            0.0,
            0.0,
            0.5135405690200211,
            0.43842039926671189,
            0.048039031713267032,
            0.0,
        ],
        [
            600.0,
            0.0,
            0.0,
            0.0,
            0.10270377970450068,
            0.42029648032817385,
            0.4054205606086943,
            0.071579179358631062,
        ],
        [700.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    ];

    #[test]
    fn matches_r_splines_bs_to_1e_14() {
        let b = BSpline::new(&[392.0, 440.0, 481.0, 529.0], (150.0, 700.0)).unwrap();
        assert_eq!(b.columns(), 7);
        for row in R_BS {
            let got = b.eval(row[0]);
            for (c, (g, want)) in got.iter().zip(&row[1..]).enumerate() {
                assert!(
                    (g - want).abs() < 1e-14,
                    "x = {}, column {c}: {g} vs R {want}",
                    row[0]
                );
            }
        }
    }

    #[test]
    fn inside_the_boundaries_the_full_basis_sums_to_one() {
        let b = BSpline::new(&[10.0, 20.0], (0.0, 30.0)).unwrap();
        for i in 0..=300 {
            let x = i as f64 / 10.0;
            let row = b.eval(x);
            // Without the dropped first function the row sums to 1 - B_0(x); B_0 vanishes from
            // the first interior knot on.
            let s: f64 = row.iter().sum();
            if x >= 10.0 {
                assert!((s - 1.0).abs() < 1e-12, "x = {x}: sum {s}");
            }
            assert!(row.iter().all(|v| *v >= -1e-15 && *v <= 1.0 + 1e-15));
        }
    }

    #[test]
    fn outside_the_boundaries_extends_the_boundary_piece_smoothly() {
        let b = BSpline::new(&[10.0, 20.0], (0.0, 30.0)).unwrap();
        // Continuity at the boundary, then a cubic continuation (finite, not clamped to zero).
        let at = b.eval(30.0);
        let near = b.eval(30.0 + 1e-9);
        for (a, n) in at.iter().zip(&near) {
            assert!((a - n).abs() < 1e-6);
        }
        assert!(b.eval(40.0).iter().any(|v| v.abs() > 1.0));
    }

    #[test]
    fn bad_knots_are_errors() {
        assert!(BSpline::new(&[5.0], (10.0, 0.0)).is_err());
        assert!(BSpline::new(&[20.0, 10.0], (0.0, 30.0)).is_err());
        assert!(BSpline::new(&[40.0], (0.0, 30.0)).is_err());
        assert!(BSpline::new(&[f64::NAN], (0.0, 30.0)).is_err());
    }
}
