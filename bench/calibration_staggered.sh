#!/usr/bin/env bash
# Calibration of the staggered-adoption design at a board's size: over generated boards that
# introduce the programme school by school (`sample-data --years YEARS`), do the pointwise 95%
# intervals of the event study cover the planted effect per year since the start as often as they
# say, does the simultaneous band cover all years at once, and how often does the review warn of a
# pre-trend — rarely when none is planted (PRE_TREND 0), often when one is (DETECT).
#
# For every size in SIZES (schools) and seed it generates a board without learning-platform
# activity (the design reads growth only), runs ingest, transform and compare (school list, roster,
# LVS; design staggered, English CSV), and keeps the event-time rows (subjects pooled) with the planted truth
# on the estimates' scale (bench/calibration_staggered.py). The truth and the scale are explained
# there.
#
#   bash bench/calibration_staggered.sh                           # SIZES="8 12 20" SEEDS=200
#   SIZES=12 SEEDS=50 DETECT="" bash bench/calibration_staggered.sh   # a quicker look
#   OUT=/tmp/cals bash bench/calibration_staggered.sh             # keep rows.csv
#   BIN=/tmp/leerwinst bash bench/calibration_staggered.sh        # a copied binary
#
# Prints the tables of docs/calibration.md. Needs python3 (standard library).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
export LEERWINST_KEY="${LEERWINST_KEY:-calibration-only-key}"
SIZES="${SIZES:-8 12 20}"
SEEDS="${SEEDS:-200}"
FIRST_SEED="${FIRST_SEED:-5001}"
YEARS="${YEARS:-4}"
PUPILS_PER_SCHOOL="${PUPILS_PER_SCHOOL:-50}"
DETECT="${DETECT-0.1}"
JOBS="${JOBS:-2}"
# BIN: a built binary to use (e.g. a copy, so the target directory can be rebuilt meanwhile).
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
fi
bin="${BIN:-$CARGO_TARGET_DIR/release/leerwinst}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="${OUT:-$work/out}"
mkdir -p "$out"
rows="$out/rows.csv"
echo "size,seed,pre_trend,e,estimate,ci_low,ci_high,band_low,band_high,truth,scale" > "$rows"

board() { # size seed pre_trend
  local size=$1 seed=$2 pt=$3 dir="$work/$1-$2-$3"
  mkdir -p "$dir"
  "$bin" sample-data --out "$dir/sample" --schools "$size" --pupils $((size * PUPILS_PER_SCHOOL)) \
    --seed "$seed" --years "$YEARS" --pre-trend "$pt" --no-activity >/dev/null
  cat > "$dir/pipeline.toml" <<EOF
[pipeline]
name = "calibration"
language = "en"

[privacy]
pseudonymise = true
min_group_size = 10

[[source]]
name = "schools"
format = "schools-csv"
path = "sample/scholen.csv"

[[source]]
name = "roster"
format = "oneroster"
path = "sample/oneroster"

[[source]]
name = "tests"
format = "lvs-csv"
path = "sample/lvs/toetsresultaten.csv"
instrument = "cito-lvs"

[compare]
design = "staggered"
window = "E-E"
sensitivity = false
EOF
  # The stages the design needs (the report's charts and documents would take most of the time).
  if "$bin" ingest "$dir/pipeline.toml" --out "$dir/run" >"$dir/log" 2>&1 \
    && "$bin" transform "$dir/pipeline.toml" --out "$dir/run" >>"$dir/log" 2>&1 \
    && "$bin" compare "$dir/pipeline.toml" --out "$dir/run" >>"$dir/log" 2>&1; then
    python3 bench/calibration_staggered.py --rows "$dir/sample" "$dir/run" "$size" "$seed" "$pt" > "$dir/rows"
  else
    echo "board $size/$seed/$pt failed: $(tail -1 "$dir/log")" >&2
    : > "$dir/rows"
  fi
}
export -f board
export bin work YEARS PUPILS_PER_SCHOOL

jobs=()
for size in $SIZES; do
  for ((s = FIRST_SEED; s < FIRST_SEED + SEEDS; s++)); do
    for pt in 0 $DETECT; do
      jobs+=("$size $s $pt")
    done
  done
done
start=$(date +%s)
printf '%s\n' "${jobs[@]}" | xargs -P "$JOBS" -L 1 bash -c 'board "$0" "$1" "$2"; cat "$work/$0-$1-$2/rows"; rm -rf "$work/$0-$1-$2"' >> "$rows"
echo "${#jobs[@]} boards in $(( $(date +%s) - start )) s; rows in $rows" >&2
python3 bench/calibration_staggered.py --summary "$rows"
