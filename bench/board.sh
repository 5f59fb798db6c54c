#!/usr/bin/env bash
# Benchmark: one board end to end. Generates the exports of a board (`sample-data`: schools.csv,
# OneRoster, an LVS export, xAPI statements and weekly plans, gzipped as a board's platform
# delivers them), runs `leerwinst run` on them with the demo pipeline's settings, and records
# the wall time and peak RSS of the whole run and the seconds of each stage (from run.json).
# Then, with PEAKS=1 (the default), each stage once more on its own for its peak RSS.
#
#   bash bench/board.sh                         # 20 schools, 15,000 pupils in the first year
#   PUPILS=3000 SCHOOLS=8 bash bench/board.sh   # a smaller board
#   YEARS=3 bash bench/board.sh                 # three school years of data
#
# Needs: python3 (for the timer). Release build. Disk: about 1 GB of exports and 1 GB of run
# folder per 15,000 pupils and two years (the xAPI file is about 10 GB unpacked, read gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
PUPILS="${PUPILS:-15000}"
SCHOOLS="${SCHOOLS:-20}"
YEARS="${YEARS:-2}"
SEED="${SEED:-7}"
PEAKS="${PEAKS:-1}"
cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
bin="$CARGO_TARGET_DIR/release/leerwinst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LEERWINST_KEY=bench-only-key-0123456789

t0=$(date +%s.%N)
"$bin" sample-data --out "$work/exports" --schools "$SCHOOLS" --pupils "$PUPILS" --years "$YEARS" --seed "$SEED"
t1=$(date +%s.%N)
echo "exports generated in $(python3 -c "print(round($t1 - $t0))") s: $(du -sh "$work/exports" | cut -f1) on disk; $(nproc) cores"
# The demo pipeline, pointed at these exports.
sed -e "s#\.\./sample-data/#$work/exports/#" -e 's#^name = "demo"#name = "board-bench"#' \
  pipelines/demo.toml > "$work/board.toml"

line=$(python3 bench/peers/peak.py "$bin" run "$work/board.toml" --out "$work/run" 2>&1 >/dev/null | tail -1)
[[ $line =~ ^[0-9.]+\ [0-9]+$ ]] || { echo "leerwinst run failed: $line" >&2; exit 1; }
python3 - "$work/run/run.json" "$line" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
wall, peak = sys.argv[2].split()
src = run["ingest"]["sources"]
events = sum(s["accepted"] for s in src if s["format"] == "xapi")
gz = sum(f["bytes"] for s in src for f in s["files"])
print(f"board: {sum(s['read'] for s in src)} rows read, {events} xAPI statements accepted, "
      f"{gz / 1e9:.2f} GB of export files")
print("| stage | seconds |\n|---|---|")
for stage in ["ingest", "transform", "compare", "report"]:
    s = run[stage]["seconds"]
    s = sum(s) if isinstance(s, list) else s
    print(f"| {stage} | {s:.1f} |")
print(f"| **leerwinst run** | **{float(wall):.1f}** (peak RSS {int(peak) / 1024:.2f} GiB) |")
PY

if [ "$PEAKS" = 1 ]; then
  echo "each stage on its own (seconds, peak RSS in MB):"
  rm -rf "$work/run"
  for stage in ingest transform compare report; do
    line=$(python3 bench/peers/peak.py "$bin" "$stage" "$work/board.toml" --out "$work/run" 2>&1 >/dev/null | tail -1)
    echo "  $stage $line"
  done
fi
