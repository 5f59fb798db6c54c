#!/usr/bin/env bash
# Runs every fuzz target (or those named in TARGETS) for RUNS executions each (default 10
# million; or for SECONDS_PER_TARGET seconds when that is set), one after another on one core.
# Each target starts from its committed corpus (fuzz/corpus/<target>.bin.gz, see corpus.py) and
# its seeds (fuzz/seeds/<target>/, written by make_seeds.py); afterwards the corpus is reduced to
# a set of inputs covering every edge reached (libFuzzer -set_cover_merge) and packed again.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Logs and the work
# folders go to $WORK (default /tmp/leerwinst-fuzz); $WORK/summary.txt has one line per target,
# the figures docs/fuzzing.md quotes.
#
#   bash fuzz/run.sh                       # all targets, 10M runs each
#   RUNS=100000 TARGETS="lvs xapi-lines" bash fuzz/run.sh
#   SECONDS_PER_TARGET=600 bash fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/fuzz-target}
RUNS=${RUNS:-10000000}
WORK=${WORK:-/tmp/leerwinst-fuzz}
all=$(sed -n '/^pub const TARGETS/,/^];/p' crates/ingest/src/invariants.rs | grep -o '"[a-z-]*"' | tr -d '"')
TARGETS=${TARGETS:-$all}
mkdir -p "$WORK"
cargo +nightly fuzz build -s none
bin=$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release
# calamine 0.38 overflows on an overlong column name in a cell reference (see Cargo.toml's
# [profile.dev.package.calamine]); with overflow checks on everywhere the xlsx target stops there.
# It is built as the shipped binary is (-O: no overflow checks), in a target folder of its own.
case " $TARGETS " in
  *" xlsx "*) CARGO_TARGET_DIR=$CARGO_TARGET_DIR/optimized cargo +nightly fuzz build -O -s none xlsx ;;
esac
for t in $TARGETS; do
  b=$bin
  [ "$t" = xlsx ] && b=$CARGO_TARGET_DIR/optimized/x86_64-unknown-linux-gnu/release
  # Workbooks are zip archives: their seeds are larger than a CSV's.
  max_len=2048
  [ "$t" = xlsx ] && max_len=32768
  corpus=$WORK/corpus/$t
  min=$WORK/min/$t
  rm -rf "$corpus" "$min"
  mkdir -p "$corpus" "$min" "fuzz/artifacts/$t"
  python3 fuzz/corpus.py unpack "$t" "$corpus"
  limit=(-runs="$RUNS")
  [ -n "${SECONDS_PER_TARGET:-}" ] && limit=(-max_total_time="$SECONDS_PER_TARGET")
  start=$(date +%s)
  status=0
  "$b/$t" "$corpus" "fuzz/seeds/$t" "${limit[@]}" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" \
    > "$WORK/$t.log" 2>&1 || status=$?
  end=$(date +%s)
  "$b/$t" -set_cover_merge=1 -use_counters=0 -use_cmp=0 "$min" "$corpus" > "$WORK/$t.merge.log" 2>&1
  python3 fuzz/corpus.py pack "$t" "$min"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$' || true)
  crashes=$(ls "fuzz/artifacts/$t" | wc -l)
  echo "$(date -u +%F) $t: ${runs:-?} executions in $((end - start)) s, exit $status, $crashes crash files, corpus $(ls "$min" | wc -l) inputs" | tee -a "$WORK/summary.txt"
done
