#!/usr/bin/env bash
# Benchmark: self-regulation indicators over a generated events warehouse, leerwinst transform
# against the same definitions in Python polars (bench/peers/srl_polars.py, lazy + streaming
# engine) and DuckDB SQL (bench/peers/srl_duckdb.sql, memory_limit 4GB), run one after the other
# in one session on the same files, with wall time and peak RSS of each; then the floor (DuckDB
# scanning the seven needed columns once) and a check that the three outputs agree.
#
#   bash bench/srl.sh              # 100M events (50,000 pupils x 2 school years x 1,000)
#   EVENTS=10000000 bash bench/srl.sh
#   PEERS="" bash bench/srl.sh     # leerwinst and the floor only (the peers take minutes at 100M)
#
# Needs: python3 with polars and duckdb (pip install polars duckdb). Release build. The
# warehouse takes about 7 bytes per event on disk (0.7 GB for 100M). The polars peer holds its
# intermediate tables in memory (about 2.7 GB per 10M events); watch the machine's memory at 100M.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
EVENTS="${EVENTS:-100000000}"
PER=1000
PUPILS=$(( EVENTS / (2 * PER) ))
python3 -c "import polars, duckdb" 2>/dev/null || { echo "bench/srl.sh: needs polars and duckdb (pip install polars duckdb)" >&2; exit 1; }
cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
bin="$CARGO_TARGET_DIR/release/leerwinst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" sample-events --out "$work/run" --pupils "$PUPILS" --events-per-pupil-year "$PER" --seed 1
printf '[pipeline]\nname = "bench-srl"\n' > "$work/p.toml"
events="$work/run/warehouse/events"
echo "warehouse: $(du -sh "$events" | cut -f1) on disk; $(nproc) cores; polars $(python3 -c 'import polars; print(polars.__version__)'), duckdb $(python3 -c 'import duckdb; print(duckdb.__version__)')"

# Each run gets PEER_TIMEOUT seconds (default 1800); a run that fails or times out is reported
# as such and the others go on.
measure() { # name, command...
  local name=$1; shift
  local line
  if line=$(timeout "${PEER_TIMEOUT:-1800}" python3 bench/peers/peak.py "$@" 2>&1 >/dev/null | tail -1) \
     && [[ $line =~ ^[0-9.]+\ [0-9]+$ ]]; then
    echo "$name $line" | tee -a "$work/times"
  else
    echo "$name failed or timed out: $line" | tee -a "$work/failed"
  fi
}
measure leerwinst "$bin" transform "$work/p.toml" --out "$work/run"
PEERS="${PEERS-polars duckdb}"
[[ " $PEERS " == *" polars "* ]] && measure polars python3 bench/peers/srl_polars.py "$events" "$work/polars.parquet"
[[ " $PEERS " == *" duckdb "* ]] && measure duckdb python3 bench/peers/srl_duckdb.py "$events" "$work/duckdb.parquet" 4GB
measure floor python3 -c "
import duckdb, sys
duckdb.sql(\"SELECT count(*), max(epoch_us(ts)), max(length(pupil_key)), max(length(school_year)), max(length(kind)), max(length(object_id)), max(length(task_id)), count(success) FROM read_parquet('$events/**/*.parquet')\").fetchall()"

python3 - "$work" "$EVENTS" <<'PY'
import sys, polars as pl
w, n = sys.argv[1], int(sys.argv[2])
key = ["pupil_key", "school_year"]
cols = ["events", "sessions", "active_days", "time_on_task_min", "weekday_concentration",
        "hour_concentration", "weekly_similarity", "help_after_error_share", "persistence_share",
        "progress_views_per_week", "reflections_per_week", "help_per_task", "srl_index", "srl_tercile"]
ours = pl.read_parquet(f"{w}/run/indicators/srl.parquet").select(key + cols)
import os
t = {l.split()[0]: (float(l.split()[1]), float(l.split()[2])) for l in open(f"{w}/times")}
for name in ["polars", "duckdb"]:
    if name not in t:
        print(f"{name}: not run, or no result to compare")
        continue
    peer = pl.read_parquet(f"{w}/{name}.parquet").select(key + cols)
    j = ours.join(peer, on=key, suffix="_p")
    assert len(j) == len(ours) == len(peer), (name, len(ours), len(peer), len(j))
    worst = max(((j[c].cast(pl.Float64) - j[c + "_p"].cast(pl.Float64)).abs().max() or 0.0) for c in cols)
    nulls = sum(int((j[c].is_null() != j[c + "_p"].is_null()).sum()) for c in cols)
    assert worst < 1e-9 and nulls == 0, (name, worst, nulls)
    print(f"{name}: same {len(j)} pupil-years, largest difference {worst:.1e}, no null mismatches")
print("| | wall time | events/s | peak RSS |\n|---|---|---|---|")
for k, label in [("leerwinst", "leerwinst transform"), ("polars", "Python polars"),
                 ("duckdb", "DuckDB SQL"), ("floor", "floor: DuckDB scan of the 7 columns")]:
    if k not in t:
        print(f"| {label} | not run, failed or timed out | | |")
        continue
    s, mb = t[k]
    print(f"| {label} | {s:.1f} s | {n / s / 1e6:.2f} M | {mb / 1024:.2f} GiB |")
for k in ["polars", "duckdb"]:
    if k in t:
        print(f"leerwinst vs {k}: {t[k][0] / t['leerwinst'][0]:.1f}x faster")
if "floor" in t and "leerwinst" in t:
    print(f"leerwinst / floor: {t['leerwinst'][0] / t['floor'][0]:.1f}x")
PY
