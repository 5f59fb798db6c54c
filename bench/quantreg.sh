#!/usr/bin/env bash
# Benchmark: one quantile-regression cohort at growing sizes (100 quantiles, intercept + cubic
# B-spline basis of a prior score, as a growth-percentile cohort), leerwinst's exact simplex
# ("br") and Frisch-Newton interior point ("fn") against R quantreg's rq.fit.br and rq.fit.fnb
# on the same data in the same run. Single-threaded on both sides.
#
#   bash bench/quantreg.sh [SIZES...]     # default sizes: 5000 20000 100000
#                                         # needs: apt-get install r-base-core r-cran-quantreg
#
# R's br is skipped above 20000 rows (it needs minutes there); everything else runs at every size.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
command -v Rscript >/dev/null || { echo "bench/quantreg.sh: needs Rscript (apt-get install r-base-core r-cran-quantreg)" >&2; exit 1; }
cargo build --release --locked -p leerwinst-stats --example rq_scale >/dev/null 2>&1 \
  || cargo build --release --locked -p leerwinst-stats --example rq_scale
bin="$CARGO_TARGET_DIR/release/examples/rq_scale"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000 20000 100000)
printf "%8s %10s %10s %10s %10s\n" rows ours_br ours_fn R_br R_fn
for n in "${sizes[@]}"; do
  ours=$("$bin" "$n" "$work/cohort.csv")
  br=$(echo "$ours" | sed -n 's/^br_seconds=//p')
  fn=$(echo "$ours" | sed -n 's/^fn_seconds=//p')
  which=both
  [ "$n" -le 20000 ] || which=fn
  r=$(Rscript bench/peers/rq_scale.R "$work/cohort.csv" "$which" 2>/dev/null)
  rbr=$(echo "$r" | sed -n 's/^r_br_seconds=//p')
  rfn=$(echo "$r" | sed -n 's/^r_fn_seconds=//p')
  printf "%8s %10s %10s %10s %10s\n" "$n" "$br" "$fn" "${rbr:--}" "$rfn"
done
