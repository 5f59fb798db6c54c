#!/usr/bin/env bash
# Calibration at a board's size: do the effect intervals cover the planted truth as often as
# they say (95%), and how often does an interval exclude 0 where the truth is 0?
#
# For every board size in SIZES (schools; half start the programme) and every seed, it generates
# a board with `leerwinst sample-data` (PUPILS_PER_SCHOOL pupils a school, two school years), runs
# ingest and transform once, then compare once per variant: the regression design with the
# default inference (CR2 + Satterthwaite df below 40 schools) and with CR1, the multilevel
# design, the VCG design and the matching design (WILD=1 adds the wild cluster bootstrap). It
# keeps the pooled rows (subject `all`) overall and per SRL tercile, and compares them with
# TRUTH.toml: the planted effects per tercile (0, 0.15, 0.30 SD of true scores) times the
# true-to-observed SD ratio that TRUTH.toml states; overall = their mean over the programme
# pupils' terciles (equal thirds).
#
#   bash bench/calibration.sh                      # SIZES="6 8 12 20" SEEDS=200: hours on 2 cores
#   SIZES="6 8" SEEDS=50 bash bench/calibration.sh # a quicker look
#   OUT=reports/calibration bash bench/calibration.sh   # keep the per-board rows (rows.csv)
#
# Writes rows.csv (one line per board, variant, subgroup) and prints the table of
# docs/calibration.md: coverage with its binomial 95% band, mean bias, mean CI width, and the
# rate of intervals excluding 0 in the bottom tercile (truth 0). Needs python3 (standard library).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
export LEERWINST_KEY="${LEERWINST_KEY:-calibration-only-key}"
SIZES="${SIZES:-6 8 12 20}"
SEEDS="${SEEDS:-200}"
FIRST_SEED="${FIRST_SEED:-1001}"
PUPILS_PER_SCHOOL="${PUPILS_PER_SCHOOL:-75}"
WILD="${WILD:-0}"
cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
bin="$CARGO_TARGET_DIR/release/leerwinst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="${OUT:-$work/out}"
mkdir -p "$out"
rows="$out/rows.csv"
echo "size,seed,variant,subgroup,level,estimate,ci_low,ci_high,truth,note,method" > "$rows"

variants="regression-auto regression-cr1 multilevel vcg matching"
[[ "$WILD" == 1 ]] && variants="$variants regression-wild"

pipeline() { # variant -> pipeline file on stdout
  local design=${1%%-*} inference=${1#*-}
  [[ "$inference" == "$1" ]] && inference=auto
  sed -e "s#\.\./sample-data/#$work/sample/#" -e 's/^name = "demo"/name = "calibration"/' \
    -e '/^\[compare\]/,$d' pipelines/demo.toml
  printf '[compare]\ndesign = "%s"\nwindow = "E-E"\ninference = "%s"\nsensitivity = false\n' \
    "$design" "$inference"
  printf '\n[compare.vcg]\nbootstrap = 499\n'
}

start=$(date +%s)
for size in $SIZES; do
  for ((k = 0; k < SEEDS; k++)); do
    seed=$((FIRST_SEED + k))
    rm -rf "$work/sample" "$work/run"
    "$bin" sample-data --out "$work/sample" --schools "$size" \
      --pupils $((size * PUPILS_PER_SCHOOL)) --seed "$seed" >/dev/null
    pipeline regression-auto > "$work/p.toml"
    "$bin" ingest "$work/p.toml" --out "$work/run" >/dev/null
    "$bin" transform "$work/p.toml" --out "$work/run" >/dev/null
    for v in $variants; do
      pipeline "$v" > "$work/p.toml"
      if "$bin" compare "$work/p.toml" --out "$work/run" >/dev/null 2>"$work/err"; then
        python3 bench/calibration_rows.py "$work/sample/TRUTH.toml" \
          "$work/run/effects/effects.csv" "$size" "$seed" "$v" >> "$rows"
      else
        echo "size $size seed $seed $v: compare failed: $(tail -1 "$work/err")" >&2
      fi
    done
  done
  echo "size $size done after $(( $(date +%s) - start )) s" >&2
done
python3 bench/calibration_rows.py --summary "$rows"
