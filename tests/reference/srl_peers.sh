#!/usr/bin/env bash
# Writes tests/reference/srl_expected.csv: the self-regulation indicators of a small generated
# warehouse (`leerwinst sample-events --pupils 60 --events-per-pupil-year 400 --seed 11`) as two
# independent implementations compute them, Python polars (bench/peers/srl_polars.py) and DuckDB
# SQL (bench/peers/srl_duckdb.sql). The script checks that the two agree (1e-12) and keeps the
# polars result; tests/srl_reference.rs checks leerwinst against it. Rerun when the generator
# or the definitions change:
#
#   bash tests/reference/srl_peers.sh      # needs: pip install polars duckdb
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
cargo build --locked -p leerwinst >/dev/null 2>&1 || cargo build --locked -p leerwinst
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CARGO_TARGET_DIR/debug/leerwinst" sample-events --out "$work" --pupils 60 \
  --events-per-pupil-year 400 --seed 11 >/dev/null
python3 bench/peers/srl_polars.py "$work/warehouse/events" "$work/polars.parquet" >/dev/null
python3 bench/peers/srl_duckdb.py "$work/warehouse/events" "$work/duckdb.parquet" >/dev/null
python3 - "$work" <<'PY'
import sys, polars as pl
w = sys.argv[1]
key = ["pupil_key", "school_year"]
a = pl.read_parquet(f"{w}/polars.parquet").sort(key)
b = pl.read_parquet(f"{w}/duckdb.parquet").sort(key).select(a.columns)
for c in a.columns[2:]:
    x, y = a[c].cast(pl.Float64), b[c].cast(pl.Float64)
    assert (x.is_null() == y.is_null()).all(), c
    assert ((x - y).abs().fill_null(0) < 1e-12).all(), (c, (x - y).abs().max())
a.write_csv("tests/reference/srl_expected.csv")  # shortest round-trip decimals
print(f"tests/reference/srl_expected.csv: {len(a)} pupil-years; polars and DuckDB agree")
PY
