#!/usr/bin/env bash
# Calibration at a board's size: do the effect intervals cover the planted truth as often as
# they say (95%), and how often does an interval exclude 0 where the truth is 0?
#
# For every board size in SIZES (schools; half start the programme) and every seed, it generates
# a board with `leerwinst sample-data` (PUPILS_PER_SCHOOL pupils a school, two school years), runs
# ingest and transform once, then compare once per variant: the regression design with the
# default inference (CR2 + Satterthwaite df below 40 schools) and with CR1, the multilevel
# design, the VCG design, the matching design and the wild cluster bootstrap (WILD=0 skips it). It
# keeps the pooled rows (subject `all`) overall and per SRL tercile, and compares them with the
# truth: the planted effects of TRUTH.toml (0, 0.15, 0.30 SD of true scores by tercile of the
# latent trait) on the scale of the estimates (15 points / the observed SD of the follow-up
# cell, measured per board from its LVS export), averaged over the programme pupils' rows in
# each cell of the *measured* SRL tercile, as the estimates are (cells.csv; the measured bottom
# tercile holds some latent middle-tercile pupils, so its truth is a little above 0). Details in
# bench/calibration_rows.py.
#
#   bash bench/calibration.sh                      # SIZES="6 8 12 20" SEEDS=200: hours on 2 cores
#   SIZES="6 8" SEEDS=50 bash bench/calibration.sh # a quicker look
#   OUT=/tmp/cal bash bench/calibration.sh   # keep the per-board rows; rerun to resume
#   JOBS=1 nice bash bench/calibration.sh     # one board at a time (default 2 in parallel)
#   VARIANTS="regression-auto regression-cr1" bash bench/calibration.sh  # only these variants
#   OUT=/tmp/cal VARIANTS=none bash bench/calibration.sh  # add measured truths to a kept run
#
# Writes rows.csv (one line per board, variant, subgroup) and prints the table of
# docs/calibration.md: coverage with its binomial 95% band, mean bias, mean CI width, and the
# rate of intervals wholly above 0 and wholly above the truth. Needs python3 (standard library).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
export LEERWINST_KEY="${LEERWINST_KEY:-calibration-only-key}"
SIZES="${SIZES:-6 8 12 20}"
SEEDS="${SEEDS:-200}"
FIRST_SEED="${FIRST_SEED:-1001}"
PUPILS_PER_SCHOOL="${PUPILS_PER_SCHOOL:-75}"
WILD="${WILD:-1}"
JOBS="${JOBS:-2}"
cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
bin="$CARGO_TARGET_DIR/release/leerwinst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="${OUT:-$work/out}"
mkdir -p "$out"
rows="$out/rows.csv"
echo "size,seed,variant,subgroup,level,estimate,ci_low,ci_high,truth,note,method,scaled" > "$rows"
cells="$out/cells.csv"

variants="${VARIANTS:-regression-auto regression-cr1 multilevel vcg matching}"
[[ "$variants" == none ]] && variants="" && WILD=0
[[ "$WILD" == 1 && -z "${VARIANTS:-}" ]] && variants="$variants regression-wild"

pipeline() { # variant, board folder -> pipeline file on stdout
  local design=${1%%-*} inference=${1#*-}
  [[ "$inference" == "$1" ]] && inference=auto
  sed -e "s#\.\./sample-data/#$2/sample/#" -e 's/^name = "demo"/name = "calibration"/' \
    -e '/^\[compare\]/,$d' pipelines/demo.toml
  printf '[compare]\ndesign = "%s"\nwindow = "E-E"\ninference = "%s"\nsensitivity = false\n' \
    "$design" "$inference"
  printf '\n[compare.vcg]\nbootstrap = 499\n'
}

# One board: generate, ingest, transform, then compare once per variant; rows to $out/rows/.
board() { # size seed
  local size=$1 seed=$2 w="$work/$1-$2"
  mkdir -p "$w"
  "$bin" sample-data --out "$w/sample" --schools "$size" \
    --pupils $((size * PUPILS_PER_SCHOOL)) --seed "$seed" >/dev/null
  pipeline regression-auto "$w" > "$w/p.toml"
  "$bin" ingest "$w/p.toml" --out "$w/run" >/dev/null
  "$bin" transform "$w/p.toml" --out "$w/run" >/dev/null
  python3 bench/calibration_rows.py --cells "$w/sample" "$w/run" "$size" "$seed" > "$w/cells.csv"
  for v in $variants; do
    pipeline "$v" "$w" > "$w/p.toml"
    if "$bin" compare "$w/p.toml" --out "$w/run" >/dev/null 2>"$w/err"; then
      python3 bench/calibration_rows.py "$w/sample" \
        "$w/run/effects/effects.csv" "$size" "$seed" "$v" >> "$w/rows.csv"
    else
      echo "size $size seed $seed $v: compare failed: $(tail -1 "$w/err")" >&2
    fi
  done
  [[ -n "$variants" ]] && mv "$w/rows.csv" "$out/rows/$size-$seed.csv"
  mv "$w/cells.csv" "$out/cells/$size-$seed.csv"
  rm -rf "$w"
}
export -f board pipeline
export bin work out variants PUPILS_PER_SCHOOL
mkdir -p "$out/rows" "$out/cells"
# Seeds in the outer loop, sizes inside: stopped early, every size has about as many boards.
start=$(date +%s)
for ((k = 0; k < SEEDS; k++)); do
  for size in $SIZES; do
    seed=$((FIRST_SEED + k))
    [[ -s "$out/cells/$size-$seed.csv" && ( -z "$variants" || -s "$out/rows/$size-$seed.csv" ) ]] ||
      echo "$size $seed"
  done
done | xargs -P "$JOBS" -L 1 bash -c 'board "$0" "$1"'
echo "boards done after $(( $(date +%s) - start )) s" >&2
{ head -1 "$rows"; cat "$out"/rows/*.csv; } > "$rows.all" && mv "$rows.all" "$rows"
{ echo "size,seed,level,truth,truth_latent"; cat "$out"/cells/*.csv; } > "$cells"
python3 bench/calibration_rows.py --summary "$rows" "$cells"
