"""Independent reference for the experiment design on Project STAR (Krueger 1999, Table V).

Rebuilds, with pandas, the sample, percentile outcome, covariates and class ids that
pipelines/krueger-1999.toml defines (docs/replications.md), and fits the four kindergarten models
with Python statsmodels: OLS, school fixed effects as dummies, cov_type="cluster" by class (CR1
with Stata's small-sample factor G/(G-1) * (N-1)/(N-K)). Writes tests/reference/krueger_k_expected.csv
(model, term, estimate, se, n, clusters), which tests/krueger_replication.rs compares with
leerwinst's coefficients.

Rerun (with ../shared beside the checkout):
    pip install statsmodels pandas && python3 tests/reference/krueger_statsmodels.py
"""
import pathlib

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

root = pathlib.Path(__file__).resolve().parents[2]
star = pd.read_csv(root.parent / "shared/data/star/star.csv", dtype=str, keep_default_na=False)
g = "k"
d = star[star[f"star{g}"] != ""].copy()
d["read"] = pd.to_numeric(d[f"read{g}"], errors="coerce")
d["math"] = pd.to_numeric(d[f"math{g}"], errors="coerce")
d = d[d["read"].notna() | d["math"].notna()].copy()
ref = d[d[f"star{g}"].isin(["regular", "regular+aide"])]


def pct(col):
    r = np.sort(ref[col].dropna().to_numpy())
    n = len(r)

    def one(v):
        if np.isnan(v):
            return np.nan
        below = np.searchsorted(r, v, side="left")
        equal = np.searchsorted(r, v, side="right") - below
        return 100.0 * (below + (equal + 1) / 2) / n

    return d[col].map(one)


d["y"] = pd.concat([pct("read"), pct("math")], axis=1).mean(axis=1, skipna=True)
d["small"] = (d[f"star{g}"] == "small").astype(float)
d["aide"] = (d[f"star{g}"] == "regular+aide").astype(float)
d["school"] = d[f"schoolid{g}"]
d["cls"] = d[[f"schoolid{g}", f"star{g}", f"degree{g}", f"ladder{g}", f"experience{g}",
              f"tethnicity{g}"]].agg("|".join, axis=1)
d["white_asian"] = d["ethnicity"].map({"cauc": 1.0, "asian": 1.0, "afam": 0.0, "hispanic": 0.0,
                                       "amindian": 0.0, "other": 0.0})
d["girl"] = d["gender"].map({"female": 1.0, "male": 0.0})
d["free_lunch"] = d[f"lunch{g}"].map({"free": 1.0, "non-free": 0.0})
d["teacher_white"] = np.where(d[f"tethnicity{g}"] == "", np.nan,
                              (d[f"tethnicity{g}"] == "cauc").astype(float))
d["teacher_experience"] = pd.to_numeric(d[f"experience{g}"], errors="coerce")
d["teacher_masters"] = np.where(d[f"degree{g}"] == "", np.nan,
                                (d[f"degree{g}"] != "bachelor").astype(float))

pupil = ["white_asian", "girl", "free_lunch"]
teacher = ["teacher_white", "teacher_experience", "teacher_masters"]
models = [("(1) no controls", False, []), ("(2) school fixed effects", True, []),
          ("(3) + pupil covariates", True, pupil), ("(4) + teacher covariates", True, pupil + teacher)]
rows = []
for name, fe, cov in models:
    m = d.dropna(subset=["y"] + cov).copy()
    formula = "y ~ aide + small" + "".join(f" + {c}" for c in cov) + (" + C(school)" if fe else "")
    fit = smf.ols(formula, data=m).fit(cov_type="cluster",
                                       cov_kwds={"groups": pd.factorize(m["cls"])[0]})
    for term, ours in [("aide", "regular+aide"), ("small", "small")] + [(c, c) for c in cov]:
        rows.append({"model": name, "term": ours, "estimate": fit.params[term],
                     "se": fit.bse[term], "n": int(fit.nobs), "clusters": m["cls"].nunique()})
out = root / "tests/reference/krueger_k_expected.csv"
pd.DataFrame(rows).to_csv(out, index=False, float_format="%.12g")
print(pd.DataFrame(rows).to_string())
