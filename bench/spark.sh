#!/usr/bin/env bash
# Benchmark: the self-regulation indicators on Apache Spark in local mode (dist/spark/srl_job.py
# calling `leerwinst kernel srl` per partition) against leerwinst transform on one machine, on
# the same generated events warehouse, run one after the other in one session: wall time and
# peak memory (summed over the process tree: the JVM, its Python workers, the kernels) of each,
# Spark's shuffle volume (from its event log), the size of the partials, the combine step
# (`leerwinst transform --srl-partials`), and a check that the SRL tables are byte-identical.
#
#   bash bench/spark.sh                       # 10M events (5,000 pupils x 2 school years x 1,000)
#   EVENTS=100000000 bash bench/spark.sh
#   CORES=2 PARTITIONS=16 DRIVER_MEMORY=6g bash bench/spark.sh
#
# Needs: python3 with pyspark and pyarrow (pip install pyspark pyarrow), Java 17. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
EVENTS="${EVENTS:-10000000}"
CORES="${CORES:-$(nproc)}"
PARTITIONS="${PARTITIONS:-$(( EVENTS / 1000000 > 4 ? EVENTS / 1000000 : 4 ))}"
DRIVER_MEMORY="${DRIVER_MEMORY:-4g}"
PER=1000
PUPILS=$(( EVENTS / (2 * PER) ))
python3 -c "import pyspark, pyarrow" 2>/dev/null || { echo "bench/spark.sh: needs pyspark and pyarrow (pip install pyspark pyarrow)" >&2; exit 1; }
cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
bin="$CARGO_TARGET_DIR/release/leerwinst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" sample-events --out "$work/run" --pupils "$PUPILS" --events-per-pupil-year "$PER" --seed 1
printf '[pipeline]\nname = "bench-spark"\n' > "$work/p.toml"
echo "events: $EVENTS; warehouse $(du -sh "$work/run/warehouse/events" | cut -f1) on disk; $CORES cores; $PARTITIONS partitions; pyspark $(python3 -c 'import pyspark; print(pyspark.__version__)'); $(java -version 2>&1 | head -1)"

measure() { # name, command...
  local name=$1; shift
  local line
  line=$(python3 bench/peers/tree_peak.py "$@" 2>&1 >/dev/null | tail -1 | grep -oE '[0-9.]+ [0-9]+$' || true)
  [[ $line =~ ^[0-9.]+\ [0-9]+$ ]] || { echo "$name failed: $line" >&2; exit 1; }
  echo "$name $line" | tee -a "$work/times"
}
cp -r "$work/run" "$work/combined"
measure one-machine "$bin" transform "$work/p.toml" --out "$work/run"
mkdir -p "$work/spark-events"
PYSPARK_SUBMIT_ARGS="--master local[$CORES] --driver-memory $DRIVER_MEMORY \
  --conf spark.ui.showConsoleProgress=false --conf spark.eventLog.enabled=true \
  --conf spark.eventLog.rolling.enabled=false --conf spark.eventLog.compress=false --conf spark.eventLog.dir=file://$work/spark-events pyspark-shell" \
  measure spark python3 dist/spark/srl_job.py --kernel "$bin" --pipeline "$work/p.toml" \
  --warehouse "$work/run/warehouse" --out "$work/partials" --partitions "$PARTITIONS"
measure combine "$bin" transform "$work/p.toml" --out "$work/combined" --srl-partials "$work/partials"
for t in srl srl_term srl_weekly; do
  cmp -s "$work/run/indicators/$t.parquet" "$work/combined/indicators/$t.parquet" \
    || { echo "DIFFERENT: $t.parquet from Spark's partials differs from transform's" >&2; exit 1; }
done
echo "srl, srl_term, srl_weekly: byte-identical to leerwinst transform"
python3 - "$work" "$EVENTS" "$CORES" <<'PY'
import glob, json, os, sys
w, n, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shuffle_write = shuffle_read = 0
for log in glob.glob(f"{w}/spark-events/*"):
    for line in open(log):
        e = json.loads(line)
        if e.get("Event") != "SparkListenerTaskEnd":
            continue
        m = e.get("Task Metrics") or {}
        shuffle_write += m.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0)
        r = m.get("Shuffle Read Metrics", {})
        shuffle_read += r.get("Remote Bytes Read", 0) + r.get("Local Bytes Read", 0)
partials = sum(os.path.getsize(f) for f in glob.glob(f"{w}/partials/*.parquet"))
t = {l.split()[0]: (float(l.split()[1]), float(l.split()[2])) for l in open(f"{w}/times")}
one, spark, comb = t["one-machine"], t["spark"], t["combine"]
print(f"shuffle written {shuffle_write / 1e6:.0f} MB ({shuffle_write / n:.1f} bytes/event), read {shuffle_read / 1e6:.0f} MB; partials {partials / 1e6:.1f} MB")
print(f"spark job {spark[0]:.1f} s, peak {spark[1]:.0f} MB (process tree); combine {comb[0]:.1f} s, {comb[1]:.0f} MB; "
      f"one machine {one[0]:.1f} s, {one[1]:.0f} MB")
print(f"spark + combine / one machine: {(spark[0] + comb[0]) / one[0]:.2f}x; spark core-seconds per million events: {spark[0] * cores / (n / 1e6):.2f}")
PY
