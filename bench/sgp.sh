#!/usr/bin/env bash
# Benchmark: student growth percentiles for all cohorts of SGPdata's sgpData_LONG, years
# 2022-2023 and 2023-2024, both content areas, orders 1 and 2 (52 cohorts x 100 quantile
# regressions), leerwinst against R's quantreg doing the same fits in the same session.
#
#   bash bench/sgp.sh            # needs ../shared beside the checkout, and R:
#                                # apt-get install r-base-core r-cran-quantreg
#
# Compared: R's fit time (bs bases, rq(..., method = "br") at 100 taus, prediction and counting,
# per cohort; data loading excluded), printed by tests/reference/sgp_reference.R; leerwinst's
# `transform.sgp.seconds` from run.json (cohort building, knots, the same fits and counting;
# ingest excluded), with both cores and with one (RAYON_NUM_THREADS=1). R's rq is
# single-threaded. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
data=../shared/data/sgp
[ -f "$data/sgpData_LONG.csv.gz" ] || { echo "bench/sgp.sh: $data is missing" >&2; exit 1; }
command -v Rscript >/dev/null || { echo "bench/sgp.sh: needs Rscript (apt-get install r-base-core r-cran-quantreg)" >&2; exit 1; }
cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
bin="$CARGO_TARGET_DIR/release/leerwinst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sgp_seconds() {
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['transform']['sgp']['seconds'])" "$1/run.json"
}

"$bin" run pipelines/sgpdata.toml --out "$work/run" >/dev/null
ours2=$(sgp_seconds "$work/run")
RAYON_NUM_THREADS=1 "$bin" transform pipelines/sgpdata.toml --out "$work/run" >/dev/null
ours1=$(sgp_seconds "$work/run")
mkdir -p "$work/r"
r_out=$(Rscript tests/reference/sgp_reference.R "$data" "$work/r" 2>/dev/null)
r_fit=$(echo "$r_out" | sed -n 's/^fit_seconds=//p')
python3 - "$r_fit" "$ours2" "$ours1" <<'PY'
import sys
r, two, one = map(float, sys.argv[1:])
print(f"R quantreg (br), 1 core:      {r:8.2f} s")
print(f"leerwinst, 2 cores (rayon):   {two:8.2f} s   {r / two:5.1f}x faster")
print(f"leerwinst, 1 core:            {one:8.2f} s   {r / one:5.1f}x faster")
PY
