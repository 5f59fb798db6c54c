"""Check of the CR2 + Satterthwaite formulas written in cluster_inference/NOTES.md, in the form
the Rust code can use (fixed effect absorbed by demeaning), against clubSandwich's numbers in
cluster_inference/cr2_expected.csv (made by cluster_inference.R with dummies in lm).

    Xt  = regressors demeaned within fe groups (C: no fe -> intercept column, not demeaned)
    M   = (Xt'Xt)^-1,  e = OLS residuals
    H   = P_D + Xt M Xt'     full-design hat matrix; P_D[i,j] = 1{fe_i = fe_j} / n_{fe_i}
    A_g = (I - H_gg)^(-1/2)  symmetric, eigenvalues <= 1e-12 dropped (pseudo-inverse root)
    V   = M (sum_g Xt_g' A_g e_g e_g' A_g Xt_g) M                (no G/(G-1) factor)
    for coefficient j, c = e_j:  q_g = A_g Xt_g M c  (n_g-vector)
    P_gh = q_g' (I - H)_gh q_h  ( = delta_gh q_g'q_g - q_g' H_gh q_h )
    df  = (sum_g P_gg)^2 / sum_{g,h} P_gh^2,   p = 2 * pt(-|beta_j / sqrt(V_jj)|, df)

Rerun:  python3 tests/reference/cr2_absorbed_check.py   (prints max relative differences)
"""
import pathlib

import numpy as np
import pandas as pd
from scipy import stats

DIR = pathlib.Path(__file__).with_name("cluster_inference")
MODELS = {
    "A": ("A", ["d", "z"], True),
    "B1": ("B", ["d", "z"], True),
    "B2": ("B", ["dm1", "dm2", "dm3", "m2", "m3", "z"], True),
    "C": ("C", ["d", "z"], False),
}


def sym_inv_sqrt(a, tol=1e-12):
    w, v = np.linalg.eigh(a)
    wp = np.where(w > tol, np.abs(w) ** -0.5, 0.0)
    return (v * wp) @ v.T


def cr2(df, terms, absorb):
    y = df["y"].to_numpy(float)
    X = df[terms].to_numpy(float)
    n = len(y)
    if absorb:
        fe = df["fe"].to_numpy()
        PD = (fe[:, None] == fe[None, :]) / np.bincount(fe)[fe][:, None]
        Xt = X - PD @ X
        yt = y - PD @ y
        names = terms
    else:
        PD = np.zeros((n, n))
        Xt = np.column_stack([np.ones(n), X])
        yt = y
        names = ["(Intercept)"] + terms
    M = np.linalg.inv(Xt.T @ Xt)
    beta = M @ Xt.T @ yt
    e = yt - Xt @ beta
    H = PD + Xt @ M @ Xt.T
    cl = df["cl"].to_numpy()
    idx = [np.flatnonzero(cl == g) for g in np.unique(cl)]
    A = [sym_inv_sqrt(np.eye(len(i)) - H[np.ix_(i, i)]) for i in idx]
    meat = sum(np.outer(Xt[i].T @ a @ e[i], Xt[i].T @ a @ e[i]) for i, a in zip(idx, A))
    V = M @ meat @ M
    out = {}
    for j, name in enumerate(names):
        if name == "(Intercept)":
            continue
        q = [a @ Xt[i] @ M[:, j] for i, a in zip(idx, A)]
        G = len(idx)
        P = np.empty((G, G))
        for g in range(G):
            for h in range(G):
                ih = np.eye(len(idx[g])) if g == h else 0.0
                P[g, h] = q[g] @ (ih - H[np.ix_(idx[g], idx[h])]) @ q[h]
        dfs = np.trace(P) ** 2 / np.sum(P * P)
        se = np.sqrt(V[j, j])
        out[name] = (beta[j], se, dfs, 2 * stats.t.sf(abs(beta[j] / se), dfs))
    return out


def main():
    ref = pd.read_csv(DIR / "cr2_expected.csv")
    worst = 0.0
    for model, (ds, terms, absorb) in MODELS.items():
        got = cr2(pd.read_csv(DIR / f"{ds}.csv"), terms, absorb)
        for _, r in ref[ref.model == model].iterrows():
            mine = got[r.term]
            want = (r.estimate, r.se_cr2, r.df_satterthwaite, r.p_satterthwaite)
            rel = max(abs(a - b) / abs(b) for a, b in zip(mine, want))
            worst = max(worst, rel)
            print(f"{model:3} {r.term:4} se={mine[1]:.15g} df={mine[2]:.15g} p={mine[3]:.15g} "
                  f"max rel diff {rel:.2e}")
    print("worst relative difference:", worst)
    assert worst < 1e-9


if __name__ == "__main__":
    main()
