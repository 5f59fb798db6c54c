//! Small dense linear algebra: enough for normal equations of a few dozen regressors and the
//! bases of a quantile-regression simplex.

/// A square row-major matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    n: usize,
    a: Vec<f64>,
}

impl Matrix {
    /// The n x n zero matrix.
    pub fn zeros(n: usize) -> Self {
        Matrix {
            n,
            a: vec![0.0; n * n],
        }
    }

    /// Size.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Entry (i, j).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }

    /// Sets entry (i, j).
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.a[i * self.n + j] = v;
    }

    /// Matrix product.
    pub fn mul(&self, o: &Matrix) -> Matrix {
        let n = self.n;
        let mut r = Matrix::zeros(n);
        for i in 0..n {
            for k in 0..n {
                let a = self.get(i, k);
                for j in 0..n {
                    r.a[i * n + j] += a * o.get(k, j);
                }
            }
        }
        r
    }
}

/// Inverse of a symmetric positive-definite matrix by Cholesky; None when it is not (numerically)
/// positive definite, i.e. the regressors are collinear.
pub fn cholesky_inverse(m: &Matrix) -> Option<Matrix> {
    let n = m.n();
    let scale = (0..n)
        .map(|i| m.get(i, i).abs())
        .fold(0.0, f64::max)
        .max(1e-300);
    let mut l = Matrix::zeros(n);
    for j in 0..n {
        let mut d = m.get(j, j);
        for k in 0..j {
            d -= l.get(j, k).powi(2);
        }
        if d <= 1e-10 * scale {
            return None;
        }
        let d = d.sqrt();
        l.set(j, j, d);
        for i in j + 1..n {
            let mut s = m.get(i, j);
            for k in 0..j {
                s -= l.get(i, k) * l.get(j, k);
            }
            l.set(i, j, s / d);
        }
    }
    // inv(L) by forward substitution, then inv(M) = inv(L)' inv(L).
    let mut li = Matrix::zeros(n);
    for c in 0..n {
        for i in c..n {
            let mut s = if i == c { 1.0 } else { 0.0 };
            for k in c..i {
                s -= l.get(i, k) * li.get(k, c);
            }
            li.set(i, c, s / l.get(i, i));
        }
    }
    let mut inv = Matrix::zeros(n);
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (i.max(j)..n).map(|k| li.get(k, i) * li.get(k, j)).sum();
            inv.set(i, j, s);
            inv.set(j, i, s);
        }
    }
    Some(inv)
}

/// A Cholesky factor `L` (lower, row-major) of a symmetric positive-definite matrix, for
/// repeated solves.
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    l: Matrix,
}

impl Cholesky {
    /// Factors `m`; None when a pivot falls to `rel_tol` of its own diagonal entry or below
    /// (rank loss). Judging each pivot against its own column keeps badly scaled but regular
    /// matrices (weights spanning many orders, as in interior-point steps) factorable.
    pub fn factor(m: &Matrix, rel_tol: f64) -> Option<Self> {
        let n = m.n();
        let mut l = Matrix::zeros(n);
        for j in 0..n {
            let mut d = m.get(j, j);
            for k in 0..j {
                d -= l.get(j, k).powi(2);
            }
            if d.is_nan() || d <= rel_tol * m.get(j, j).abs() || d <= 0.0 {
                return None;
            }
            let d = d.sqrt();
            l.set(j, j, d);
            for i in j + 1..n {
                let mut s = m.get(i, j);
                for k in 0..j {
                    s -= l.get(i, k) * l.get(j, k);
                }
                l.set(i, j, s / d);
            }
        }
        Some(Cholesky { l })
    }

    /// The lower-triangular factor `L` with `m = L L'`.
    pub fn lower(&self) -> &Matrix {
        &self.l
    }

    /// Solves `m x = b` in place.
    pub fn solve(&self, b: &mut [f64]) {
        let n = self.l.n();
        for i in 0..n {
            let s: f64 = b[i]
                - b[..i]
                    .iter()
                    .enumerate()
                    .map(|(k, bk)| self.l.get(i, k) * bk)
                    .sum::<f64>();
            b[i] = s / self.l.get(i, i);
        }
        for i in (0..n).rev() {
            let s: f64 = b[i]
                - b[i + 1..]
                    .iter()
                    .enumerate()
                    .map(|(k, bk)| self.l.get(i + 1 + k, i) * bk)
                    .sum::<f64>();
            b[i] = s / self.l.get(i, i);
        }
    }
}

/// Inverse of a row-major `p x p` matrix by Gauss-Jordan elimination with partial pivoting; None
/// when singular.
pub fn invert(m: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut a = m.to_vec();
    let mut inv = vec![0.0; p * p];
    for i in 0..p {
        inv[i * p + i] = 1.0;
    }
    let scale = m.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    if scale == 0.0 {
        return None;
    }
    for col in 0..p {
        let piv =
            (col..p).max_by(|&r1, &r2| a[r1 * p + col].abs().total_cmp(&a[r2 * p + col].abs()))?;
        if a[piv * p + col].abs() <= 1e-13 * scale {
            return None;
        }
        if piv != col {
            for j in 0..p {
                a.swap(piv * p + j, col * p + j);
                inv.swap(piv * p + j, col * p + j);
            }
        }
        let d = a[col * p + col];
        for j in 0..p {
            a[col * p + j] /= d;
            inv[col * p + j] /= d;
        }
        for r in 0..p {
            if r == col {
                continue;
            }
            let f = a[r * p + col];
            if f == 0.0 {
                continue;
            }
            for j in 0..p {
                a[r * p + j] -= f * a[col * p + j];
                inv[r * p + j] -= f * inv[col * p + j];
            }
        }
    }
    Some(inv)
}

/// Eigen decomposition of a symmetric matrix by cyclic Jacobi rotations: the eigenvalues and, as
/// the columns of a matrix, their orthonormal eigenvectors (`m = W diag(values) W'`). Accurate to
/// rounding for the small matrices (a few dozen rows) it is used on.
pub fn symmetric_eigen(m: &Matrix) -> (Vec<f64>, Matrix) {
    let n = m.n();
    let mut a = m.clone();
    let mut w = Matrix::zeros(n);
    for i in 0..n {
        w.set(i, i, 1.0);
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a.get(i, j).powi(2))
            .sum();
        let diag: f64 = (0..n).map(|i| a.get(i, i).powi(2)).sum();
        if off <= 1e-30 * diag.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a.get(p, q);
                if apq == 0.0 {
                    continue;
                }
                let theta = (a.get(q, q) - a.get(p, p)) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a.get(k, p), a.get(k, q));
                    a.set(k, p, c * akp - s * akq);
                    a.set(k, q, s * akp + c * akq);
                }
                for k in 0..n {
                    let (apk, aqk) = (a.get(p, k), a.get(q, k));
                    a.set(p, k, c * apk - s * aqk);
                    a.set(q, k, s * apk + c * aqk);
                }
                for k in 0..n {
                    let (wkp, wkq) = (w.get(k, p), w.get(k, q));
                    w.set(k, p, c * wkp - s * wkq);
                    w.set(k, q, s * wkp + c * wkq);
                }
            }
        }
    }
    ((0..n).map(|i| a.get(i, i)).collect(), w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_eigen_reconstructs_the_matrix() {
        let vals = [
            [4.0, 1.0, -2.0, 0.5],
            [1.0, 3.0, 0.0, 1.0],
            [-2.0, 0.0, 5.0, -1.0],
            [0.5, 1.0, -1.0, 2.0],
        ];
        let mut m = Matrix::zeros(4);
        for (i, row) in vals.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                m.set(i, j, *v);
            }
        }
        let (lambda, w) = symmetric_eigen(&m);
        for i in 0..4 {
            for j in 0..4 {
                let r: f64 = (0..4).map(|k| w.get(i, k) * lambda[k] * w.get(j, k)).sum();
                assert!((r - m.get(i, j)).abs() < 1e-12, "{i} {j}");
                let o: f64 = (0..4).map(|k| w.get(k, i) * w.get(k, j)).sum();
                assert!((o - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        // The trace is kept: 4 + 3 + 5 + 2.
        assert!((lambda.iter().sum::<f64>() - 14.0).abs() < 1e-12);
    }

    #[test]
    fn cholesky_solves_a_badly_scaled_system() {
        // diag(1e-12, 1, 1e12) plus coupling: regular, but a pivot test against the largest
        // diagonal entry would call it singular.
        let mut m = Matrix::zeros(3);
        let vals = [[1e-12, 1e-7, 0.0], [1e-7, 1.0, 1e5], [0.0, 1e5, 1e12]];
        for (i, row) in vals.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                m.set(i, j, *v);
            }
        }
        assert!(cholesky_inverse(&m).is_none());
        let c = Cholesky::factor(&m, 1e-14).unwrap();
        let x = [3.0, -2.0, 1e-6];
        let mut b: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| m.get(i, j) * x[j]).sum())
            .collect();
        c.solve(&mut b);
        for (got, want) in b.iter().zip(x) {
            assert!((got - want).abs() < 1e-6 * want.abs(), "{b:?}");
        }
        // A singular matrix is refused.
        let mut s = Matrix::zeros(2);
        for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            s.set(i, j, 1.0);
        }
        assert!(Cholesky::factor(&s, 1e-14).is_none());
    }

    #[test]
    fn inverse_of_a_known_matrix() {
        let mut m = Matrix::zeros(3);
        let v = [
            [4.0, 12.0, -16.0],
            [12.0, 37.0, -43.0],
            [-16.0, -43.0, 98.0],
        ];
        for (i, row) in v.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                m.set(i, j, *x);
            }
        }
        let inv = cholesky_inverse(&m).unwrap();
        let id = m.mul(&inv);
        for i in 0..3 {
            for j in 0..3 {
                assert!((id.get(i, j) - (i == j) as u8 as f64).abs() < 1e-9);
            }
        }
        assert!((inv.get(0, 0) - 49.361_111_111_111).abs() < 1e-6);
    }

    #[test]
    fn singular_is_none() {
        let mut m = Matrix::zeros(2);
        m.set(0, 0, 1.0);
        m.set(0, 1, 2.0);
        m.set(1, 0, 2.0);
        m.set(1, 1, 4.0);
        assert!(cholesky_inverse(&m).is_none());
    }

    #[test]
    fn invert_recovers_the_identity() {
        let m = [4.0, 7.0, 2.0, 6.0];
        let inv = invert(&m, 2).unwrap();
        assert!((inv[0] - 0.6).abs() < 1e-12 && (inv[1] + 0.7).abs() < 1e-12);
        assert!(invert(&[1.0, 2.0, 2.0, 4.0], 2).is_none());
    }
}
