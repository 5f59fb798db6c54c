#!/usr/bin/env python3
"""Writes tests/reference/did/mpdta.csv for the did reference tests (crates/stats/src/did).

`mpdta` is the R package did's example data (Callaway & Sant'Anna 2021: log teen employment of
500 US counties, 2003-2007). It is not ours to commit, so this script takes the copy that the
PyPI package moderndid 0.2.0 ships (moderndid/core/datasets/mpdta_long.pkl.gz, a pandas
DataFrame; equal to R's data to 4e-14) and writes it in the columns the tests read, with
`state = countyreal // 1000` added. Needs pip and pandas (`python3 -m pip install pandas`).

    python3 tests/reference/did/mpdta_from_pypi.py
"""
import pathlib
import subprocess
import sys
import tempfile
import zipfile

OUT = pathlib.Path(__file__).resolve().parent / "mpdta.csv"
MEMBER = "moderndid/core/datasets/mpdta_long.pkl.gz"


def main() -> int:
    import pandas as pd  # noqa: PLC0415 (a clear error when pandas is missing)

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary", ":all:", "moderndid==0.2.0", "-d", tmp],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("moderndid-0.2.0-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            z.extract(MEMBER, tmp)
        d = pd.read_pickle(pathlib.Path(tmp) / MEMBER)
    if d.shape != (2500, 6):
        print(f"unexpected mpdta shape {d.shape}", file=sys.stderr)
        return 1
    lines = ["year,countyreal,lpop,lemp,first_treat,treat,state"]
    for r in d.itertuples(index=False):
        year, county, lpop, lemp, first, treat = r
        lines.append(
            f"{int(year)},{int(county)},{float(lpop)!r},{float(lemp)!r},{int(first)},"
            f"{int(treat)},{int(county) // 1000}"
        )
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT} ({len(d)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
