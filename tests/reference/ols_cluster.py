"""Reference values for leerwinst-stats' OLS with an absorbed fixed effect and CR1 cluster SEs.

Rebuilds the deterministic data set of crates/stats/src/ols.rs (`reference_data`) and fits it
with Python statsmodels:  y ~ d + z + C(fe), cov_type="cluster" (CR1 with Stata's small-sample
factor G/(G-1) * (N-1)/(N-K)).  Writes tests/reference/ols_cluster_expected.txt as a Rust array
literal [coef_d, coef_z, se_d, se_z].

Rerun:  pip install statsmodels pandas && python3 tests/reference/ols_cluster.py
"""
import pathlib

import pandas as pd
import statsmodels.formula.api as smf

MASK = (1 << 64) - 1
state = 12345


def u():
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) & MASK
    return (state >> 11) / float(1 << 53)


rows = []
for i in range(60):
    c, f = i % 8, i % 3
    d = 1.0 if c % 2 == 0 else 0.0
    z = u() * 2.0 - 1.0
    y = 0.5 * d + 0.8 * z + f * 0.3 + (u() - 0.5) + c * 0.05
    rows.append(dict(y=y, d=d, z=z, fe=f, cl=c))
df = pd.DataFrame(rows)
fit = smf.ols("y ~ d + z + C(fe)", data=df).fit(cov_type="cluster", cov_kwds={"groups": df["cl"]})
vals = [fit.params["d"], fit.params["z"], fit.bse["d"], fit.bse["z"]]
out = pathlib.Path(__file__).with_name("ols_cluster_expected.txt")
out.write_text("[" + ", ".join(repr(float(v)) for v in vals) + "]\n")
print(fit.summary())
print(out.read_text())
