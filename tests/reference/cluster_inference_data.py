"""Deterministic data sets for the few-cluster inference references (CR2 + Satterthwaite,
wild cluster restricted bootstrap).  Writes tests/reference/cluster_inference/{A,B,C}.csv.

Every random number comes from the LCG of ols_cluster.py (64-bit, wrapping):

    state = state * 6364136223846793005 + 1442695040888963407   (mod 2^64)
    u()   = (state >> 11) / 2^53                                 (uniform on [0, 1))

Each data set starts its own LCG from the seed named below; u() calls happen exactly in the
order written (left to right inside an expression, as Python evaluates it).  The CSVs hold
every value with Python's repr (shortest string that round-trips the f64 exactly), so a Rust
test can simply include_str! the CSV; regenerating with the LCG gives bit-identical values.

Columns (all CSVs): y, d, z, fe, cl, and for B also m, dm1, dm2, dm3, m2, m3.
  cl  cluster id 0..G-1 (the clustering variable);  fe  fixed-effect level (A: 0..2, B: 0..3,
  C: column present but always 0 = no fixed effect, intercept only).

A  (seed 12345, 60 rows, G = 8): identical to ols_cluster.py / ols.rs reference_data:
     for i in 0..60:  c = i % 8;  f = i % 3;  d = 1 if c % 2 == 0 else 0
                      z = 2*u() - 1
                      y = 0.5*d + 0.8*z + 0.3*f + (u() - 0.5) + 0.05*c
   model A: y ~ d + z + factor(fe), cluster = cl.

B  (seed 20240607, G = 6, cluster sizes 7, 12, 20, 9, 15, 25 -> 88 rows, in cluster order):
     first, cluster shifts: for c in 0..6:  a[c] = 1.2*(u() - 0.5)
     then i = 0 (global row counter) and for c in 0..6, for j in 0..size[c]:
                      d  = 1 if c in {0, 1, 2} else 0
                      f  = i % 4
                      m  = 1 + (i + c) % 3          (moderator level 1, 2, 3)
                      z  = 2*u() - 1
                      e  = u() - 0.5
                      y  = 0.4*d + 0.3*d*[m==3] + 0.2*[m==2] - 0.1*[m==3] + 0.7*z + 0.25*f
                           + a[c] + e
                      dmk = d*[m==k] (k = 1, 2, 3);  m2 = [m==2];  m3 = [m==3]
                      i += 1
   model B1: y ~ d + z + factor(fe)
   model B2: y ~ dm1 + dm2 + dm3 + m2 + m3 + z + factor(fe)   (d:m1 + d:m2 + d:m3 = d)

C  (seed 777, G = 12, sizes 4, 9, 6, 14, 5, 11, 8, 3, 12, 7, 10, 6 -> 95 rows, cluster order):
     first, cluster shifts: for c in 0..12:  a[c] = 0.8*(u() - 0.5)
     then for c in 0..12, for j in 0..size[c]:
                      d = 1 if c < 5 else 0
                      z = 2*u() - 1
                      e = u() - 0.5
                      y = 0.3*d + 0.6*z + a[c] + e
                      fe = 0
   model C: y ~ d + z  (intercept, no fixed effect).

Rerun:  python3 tests/reference/cluster_inference_data.py
"""
import csv
import pathlib

MASK = (1 << 64) - 1
OUT = pathlib.Path(__file__).with_name("cluster_inference")


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def u(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return (self.state >> 11) / float(1 << 53)


def data_a():
    g = Lcg(12345)
    rows = []
    for i in range(60):
        c, f = i % 8, i % 3
        d = 1.0 if c % 2 == 0 else 0.0
        z = g.u() * 2.0 - 1.0
        y = 0.5 * d + 0.8 * z + f * 0.3 + (g.u() - 0.5) + c * 0.05
        rows.append(dict(y=y, d=d, z=z, fe=f, cl=c))
    return rows


def data_b():
    g = Lcg(20240607)
    sizes = [7, 12, 20, 9, 15, 25]
    a = [1.2 * (g.u() - 0.5) for _ in sizes]
    rows = []
    i = 0
    for c, n in enumerate(sizes):
        for _ in range(n):
            d = 1.0 if c in (0, 1, 2) else 0.0
            f = i % 4
            m = 1 + (i + c) % 3
            z = 2.0 * g.u() - 1.0
            e = g.u() - 0.5
            i1, i2, i3 = (float(m == k) for k in (1, 2, 3))
            y = 0.4 * d + 0.3 * d * i3 + 0.2 * i2 - 0.1 * i3 + 0.7 * z + 0.25 * f + a[c] + e
            rows.append(dict(y=y, d=d, z=z, fe=f, cl=c, m=m,
                             dm1=d * i1, dm2=d * i2, dm3=d * i3, m2=i2, m3=i3))
            i += 1
    return rows


def data_c():
    g = Lcg(777)
    sizes = [4, 9, 6, 14, 5, 11, 8, 3, 12, 7, 10, 6]
    a = [0.8 * (g.u() - 0.5) for _ in sizes]
    rows = []
    for c, n in enumerate(sizes):
        for _ in range(n):
            d = 1.0 if c < 5 else 0.0
            z = 2.0 * g.u() - 1.0
            e = g.u() - 0.5
            y = 0.3 * d + 0.6 * z + a[c] + e
            rows.append(dict(y=y, d=d, z=z, fe=0, cl=c))
    return rows


def fmt(v):
    if isinstance(v, int):
        return str(v)
    if float(v).is_integer():
        return str(int(v))
    return repr(float(v))


def write(name, rows):
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(list(rows[0].keys()))
        for r in rows:
            w.writerow([fmt(v) for v in r.values()])
    return path


if __name__ == "__main__":
    for name, rows in (("A", data_a()), ("B", data_b()), ("C", data_c())):
        print(write(name, rows), len(rows))
