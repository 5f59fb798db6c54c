"""Reference values for the wild cluster restricted (WCR) bootstrap-t, from the PyPI package
`wildboottest` (0.3.2; the Python port of R fwildclusterboot's WCR11), for the data sets of
cluster_inference_data.py.  Writes tests/reference/cluster_inference/wild_expected.csv.

What the package computes (read from wildboottest/wildboottest.py, weights.py, v0.3.2):
  * model: statsmodels OLS on the full design (intercept + fe dummies C(fe) + regressors); the
    restricted fit imposes beta_j = 0 on that full design, so the dummies stay in it.
  * t statistic: CR1 with Stata's factor ssc = G/(G-1) * (N-1)/(N-K), K = all columns of X
    (intercept and dummies included), residuals of the unrestricted fit (= statsmodels cluster).
  * bootstrap t*: y* = X beta_tilde + v_g * u_tilde (u_tilde: restricted residuals), refit, CR1
    t with the same ssc, computed in closed form ("fast and wild", bootstrap_type "11").
  * p-value ("two-tailed", symmetric): p = mean_b( |t| < |t*_b| )  -- strict "<", the original
    draw is NOT added, divisor = number of draws B.
  * Rademacher: full enumeration of all 2^G sign vectors (B := 2^G, seed irrelevant) when
    2^G < B; every model here has G <= 12 so with B = 99999 every Rademacher result is exact.
    Webb: B i.i.d. draws from numpy default_rng(seed).choice of the six points
    +-sqrt(1/2), +-1, +-sqrt(3/2) (equal probability 1/6).
  * CIs: the package has none; they are computed here by test inversion with a vectorised
    reimplementation of the same WCR11 (checked below to reproduce the package's t and every
    t*_b to 1e-9 relative on the package's own weight matrix), for H0: beta_j = c with the
    weights held fixed across c (y - c x_j is bootstrapped with beta_j = 0 imposed).

Ties: v and -v give the same |t*|, and the all-ones vector (any constant vector, as t* is
scale-invariant in v) gives t* = t exactly in exact arithmetic.  With Rademacher full
enumeration the draws v = +-1 therefore tie with |t|, and the package's strict "<" counts them
or not by rounding noise.  So the CSV gives three p-values: p_value (the package's, as printed),
p_strict = #{|t*| > |t| (1 + 1e-9)} / B (ties not counted) and p_ties = #{|t*| >= |t| (1 - 1e-9)}
/ B (ties counted).  For Rademacher p_ties = p_strict + 2 / 2^G.

Webb "exact" rows (weights = webb_enumerated): all 6^G weight vectors (G = 6 and 8 only), i.e.
the value the Monte Carlo p-value estimates; use it with a tolerance of a few
sqrt(p (1 - p) / B_rust) for a Rust run with its own RNG.  The Monte Carlo rows
(weights = webb, B = 99999, seed below) are the package's output as is.

CI columns: 95% CI = the connected set of c around beta_hat with p(c) > 0.05 (p(c) in the
p_strict convention; its ends are the c where p(c) steps across 0.05, located by a grid scan of
step se/20 outward from beta_hat and 60 bisection steps; the tie tolerance moves them by
~1e-8 relative at most).  The Webb Monte Carlo rows' CIs are
for the package's own weight matrix (seed below).

Rerun:  pip install wildboottest statsmodels pandas numpy
        python3 tests/reference/wild_bootstrap.py        (a few minutes on 1 core)
"""
import pathlib
import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from wildboottest.weights import draw_weights
from wildboottest.wildboottest import WildboottestCL, wildboottest

DIR = pathlib.Path(__file__).with_name("cluster_inference")
B = 99999
SEED = 20240607
ALPHA = 0.05
TIE = 1e-9

MODELS = [
    ("A", "A", "y ~ d + z + C(fe)", ["d"]),
    ("B", "B1", "y ~ d + z + C(fe)", ["d"]),
    ("B", "B2", "y ~ dm1 + dm2 + dm3 + m2 + m3 + z + C(fe)", ["dm3", "dm1"]),
    ("C", "C", "y ~ d + z", ["d"]),
]


class Wcr:
    """WCR11 bootstrap-t for H0: beta_j = c, vectorised over weight vectors (G x B)."""

    def __init__(self, X, y, cl, j):
        self.X, self.y, self.j = X, y, j
        self.ids = np.unique(cl)
        self.idx = [np.flatnonzero(cl == g) for g in self.ids]
        n, k = X.shape
        G = len(self.ids)
        self.ssc = G / (G - 1) * (n - 1) / (n - k)
        self.inv = np.linalg.inv(X.T @ X)
        self.XgXg = [X[i].T @ X[i] for i in self.idx]

    def stats(self, c, V):
        X, inv, j = self.X, self.inv, self.j
        y = self.y - c * X[:, j]
        bh = inv @ (X.T @ y)
        bt = bh - inv[:, j] * bh[j] / inv[j, j]  # restricted: beta_j = 0
        ut, uh = y - X @ bt, y - X @ bh
        S = np.column_stack([X[i].T @ ut[i] for i in self.idx])  # k x G restricted scores
        Su = np.column_stack([X[i].T @ uh[i] for i in self.idx])
        Cg = inv[j] @ S
        H = np.array([inv[j] @ xg @ inv @ S for xg in self.XgXg])  # G x G
        numer = Cg @ V
        Z = Cg[:, None] * V - H @ V
        tb = numer / np.sqrt(self.ssc * np.sum(Z * Z, axis=0))
        se = np.sqrt(self.ssc * np.sum((inv[j] @ Su) ** 2))
        return bh[j] / se, tb, se, bh[j] + c

    def pvals(self, c, V):
        t, tb, _, _ = self.stats(c, V)
        a, at = abs(t), np.abs(tb)
        return (np.mean(a < at), np.mean(at > a * (1 + TIE)), np.mean(at >= a * (1 - TIE)))

    def ci(self, V, level_alpha=ALPHA):
        _, _, se, bh = self.stats(0.0, V[:, :1])
        p = lambda c: self.pvals(c, V)[1]
        ends = []
        for sign in (-1.0, 1.0):
            inside, step = bh, se / 20.0
            outside = None
            for k in range(1, 801):
                c = bh + sign * k * step
                if p(c) > level_alpha:
                    inside = c
                else:
                    outside = c
                    break
            if outside is None:
                ends.append(np.nan)
                continue
            for _ in range(60):
                mid = 0.5 * (inside + outside)
                if p(mid) > level_alpha:
                    inside = mid
                else:
                    outside = mid
            ends.append(0.5 * (inside + outside))
        return ends


def enumerate_webb(G):
    pts = np.concatenate([-np.sqrt(np.array([3, 2, 1]) / 2), np.sqrt(np.array([1, 2, 3]) / 2)])
    grids = np.meshgrid(*([pts] * G), indexing="ij")
    return np.stack([g.ravel() for g in grids])  # G x 6^G


def f17(v):
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{float(v):.17g}"


def main():
    rows = []
    for ds, name, formula, terms in MODELS:
        df = pd.read_csv(DIR / f"{ds}.csv")
        model = smf.ols(formula, data=df)
        X, y = model.exog, model.endog
        cl = df["cl"].to_numpy()
        G = len(np.unique(cl))
        xnames = model.data.xnames
        for term in terms:
            j = xnames.index(term)
            wcr = Wcr(X, y, cl, j)
            for weights in ("rademacher", "webb"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = wildboottest(model, B=B, cluster=cl, param=term, weights_type=weights,
                                       seed=SEED, parallel=False, show=False)
                t_pkg = float(np.ravel(res["statistic"].iloc[0])[0])
                p_pkg = float(res["p-value"].iloc[0])
                # the package's own weights and t*: rebuild them the way wildboottest() does
                R = np.zeros(len(xnames))
                R[j] = 1
                boot = WildboottestCL(X=X, Y=y, cluster=cl, R=R, B=B, seed=SEED, parallel=False)
                boot.get_scores(bootstrap_type="11", impose_null=True)
                V, Bused, full = boot.get_weights(weights_type=weights)
                boot.get_numer(), boot.get_denom(), boot.get_tboot(), boot.get_vcov(), boot.get_tstat()
                t, tb, se, bh = wcr.stats(0.0, V)
                assert np.isclose(t, t_pkg, rtol=1e-12, atol=0), (t, t_pkg)
                assert np.allclose(tb, boot.t_boot, rtol=1e-9, atol=1e-12)
                assert np.isclose(float(np.ravel(boot.t_stat)[0]), t_pkg, rtol=1e-12)
                _, p_strict, p_ties = wcr.pvals(0.0, V)
                lo, hi = wcr.ci(V)
                rows.append(dict(dataset=ds, model=name, term=term, weights=weights, B=Bused,
                                 enumerated=int(bool(full)), seed="" if full else SEED,
                                 t_stat=t_pkg, p_value=p_pkg, p_strict=p_strict, p_ties=p_ties,
                                 ci_low=lo, ci_high=hi, estimate=bh, se_cr1=se))
                print(rows[-1], flush=True)
            if G <= 8:
                V = enumerate_webb(G)
                t, tb, se, bh = wcr.stats(0.0, V)
                p_pkg_def, p_strict, p_ties = wcr.pvals(0.0, V)
                lo, hi = wcr.ci(V)
                rows.append(dict(dataset=ds, model=name, term=term, weights="webb_enumerated",
                                 B=V.shape[1], enumerated=1, seed="", t_stat=t, p_value=p_pkg_def,
                                 p_strict=p_strict, p_ties=p_ties, ci_low=lo, ci_high=hi,
                                 estimate=bh, se_cr1=se))
                print(rows[-1], flush=True)

    out = DIR / "wild_expected.csv"
    cols = ["dataset", "model", "term", "weights", "B", "enumerated", "seed", "t_stat", "p_value",
            "p_strict", "p_ties", "ci_low", "ci_high", "estimate", "se_cr1"]
    header = [
        "# Wild cluster restricted bootstrap-t (WCR11, null beta_term = 0 imposed), PyPI",
        "# wildboottest 0.3.2 via tests/reference/wild_bootstrap.py; data: A.csv, B.csv, C.csv.",
        "# Full design: intercept + C(fe) dummies + regressors (A, B1, B2); C has no fe.",
        "# t_stat: CR1 t with ssc = G/(G-1)*(N-1)/(N-K), K incl. intercept and dummies (statsmodels",
        "#   cluster SE); t*_b uses the same ssc and the restricted-residual wild DGP.",
        "# p_value: package's symmetric two-tailed p = mean(|t| < |t*_b|), divisor B, original draw",
        "#   not included. p_strict / p_ties: same with ties |t*| = |t| (v = +-1: t* = +-t exactly)",
        "#   excluded / included using a relative tolerance 1e-9.",
        "# weights: rademacher = full enumeration of 2^G sign vectors (package does this when",
        "#   2^G < B); webb = 99999 package draws, numpy default_rng(seed); webb_enumerated = all 6^G",
        "#   Webb vectors (the exact value the Monte Carlo estimates). Webb points +-sqrt(1/2),",
        "#   +-1, +-sqrt(3/2), each 1/6.",
        "# ci_low, ci_high: 95% CI by test inversion, connected set around the estimate where",
        "#   p_strict(c) > 0.05 for H0 beta = c, same weights for every c (grid se/20, then",
        "#   bisection); ends are jumps of p(c), exact up to ~1e-8 relative (tie tolerance).",
        "# estimate, se_cr1: OLS coefficient and its CR1 (Stata) SE.",
    ]
    with out.open("w") as fh:
        fh.write("\n".join(header) + "\n")
        fh.write(",".join(cols) + "\n")
        for r in rows:
            fh.write(",".join(
                f17(r[c]) if isinstance(r[c], (float, np.floating)) else str(r[c]) for c in cols
            ) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
