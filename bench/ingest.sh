#!/usr/bin/env bash
# Benchmark: xAPI NDJSON ingest, leerwinst against Python polars doing the same work
# (bench/peers/xapi_ingest_polars.py: read_ndjson + the same flattening, validation,
# pseudonyms, school years, sort and zstd Parquet partitioned by school year) and DuckDB doing
# the parse-and-write part of it (bench/peers/xapi_ingest_duckdb.py: read_ndjson with a typed
# schema, the same flattening, pseudonyms, sort and zstd Parquet per school year; no checksum,
# rejects file or duplicate check), and DuckDB bare (`--bare`: the used fields as they are,
# sorted by actor and time, one zstd file: the least work that gets the statements into
# Parquet), run alternately in one session on the same file. The outputs are checked to be the
# same table (DuckDB's: the same rows, in the same key order; the bare one's: as many rows).
#
#   bash bench/ingest.sh                 # 1.7M statements, ~0.9 GB (sample-data --pupils 1200)
#   PUPILS=2400 RUNS=5 bash bench/ingest.sh
#   YEAR=2024 bash bench/ingest.sh       # only school year 2024-2025 (Aug-Jul): one partition,
#                                        # as in a school's export of one year
#
# Needs: python3 with polars, duckdb and numpy (pip install polars duckdb numpy; DuckDB's Python
# functions need numpy). Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/leerwinst/target}"
PUPILS="${PUPILS:-1200}"
RUNS="${RUNS:-3}"
YEAR="${YEAR:-}"
python3 -c "import polars, duckdb, numpy" 2>/dev/null || { echo "bench/ingest.sh: needs polars, duckdb and numpy (pip install polars duckdb numpy)" >&2; exit 1; }
cargo build --release --locked -p leerwinst >/dev/null 2>&1 || cargo build --release --locked -p leerwinst
bin="$CARGO_TARGET_DIR/release/leerwinst"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
key=bench-only-key-0123456789

"$bin" sample-data --out "$work/s" --schools 12 --pupils "$PUPILS" --seed 1 >/dev/null
# The sample plants one truncated line; polars stops at it, so both read the file without it.
gzip -dc "$work/s/xapi/statements.ndjson.gz" | grep -E '\}$' > "$work/statements.ndjson"
if [ -n "$YEAR" ]; then
  # Statements timed August of $YEAR to July of the next year (the sample writes Dutch local
  # times like 2024-09-06T09:34:00+02:00, so the date is the school year's date).
  next=$((YEAR + 1))
  grep -E "\"timestamp\":\"($YEAR-(0[89]|1[0-2])|$next-0[1-7])" "$work/statements.ndjson" > "$work/year.ndjson"
  mv "$work/year.ndjson" "$work/statements.ndjson"
fi
size=$(stat -c %s "$work/statements.ndjson")
lines=$(wc -l < "$work/statements.ndjson")
cat > "$work/xapi.toml" <<TOML
[pipeline]
name = "bench-xapi"
[[source]]
name = "lms"
format = "xapi"
path = "$work/statements.ndjson"
TOML
echo "input: $lines statements, $size bytes; $(nproc) cores; polars $(python3 -c 'import polars; print(polars.__version__)'), duckdb $(python3 -c 'import duckdb; print(duckdb.__version__)')"

ours=(); peer=(); duck=(); bare=()
for i in $(seq "$RUNS"); do
  rm -rf "$work/ours" "$work/peer" "$work/duck" "$work/bare"
  t0=$(date +%s.%N)
  LEERWINST_KEY=$key "$bin" ingest "$work/xapi.toml" --out "$work/ours" >/dev/null
  t1=$(date +%s.%N)
  python3 bench/peers/xapi_ingest_polars.py "$work/statements.ndjson" "$work/peer" "$key" >/dev/null
  t2=$(date +%s.%N)
  python3 bench/peers/xapi_ingest_duckdb.py "$work/statements.ndjson" "$work/duck" "$key" >/dev/null
  t3=$(date +%s.%N)
  python3 bench/peers/xapi_ingest_duckdb.py "$work/statements.ndjson" "$work/bare" "$key" --bare >/dev/null
  t4=$(date +%s.%N)
  ours+=("$(python3 -c "print(round($t1 - $t0, 2))")"); peer+=("$(python3 -c "print(round($t2 - $t1, 2))")")
  duck+=("$(python3 -c "print(round($t3 - $t2, 2))")"); bare+=("$(python3 -c "print(round($t4 - $t3, 2))")")
  echo "run $i: leerwinst ${ours[-1]} s, python-polars ${peer[-1]} s, duckdb ${duck[-1]} s, duckdb bare ${bare[-1]} s"
done

python3 - "$work" <<'PY'
import sys, polars as pl
w = sys.argv[1]
cols = ["pupil_key", "school_year", "ts", "kind", "verb", "object_id", "task_id", "subject",
        "success", "score_scaled", "duration_s"]
a = pl.read_parquet(f"{w}/ours/warehouse/events/**/*.parquet", hive_partitioning=True).select(cols)
b = pl.read_parquet(f"{w}/peer/events/**/*.parquet", hive_partitioning=True).select(cols)
assert a.equals(b), "the two outputs differ"
c = pl.read_parquet(f"{w}/duck/events/**/*.parquet", hive_partitioning=True).select(cols)
c = c.with_columns(pl.col("school_year").cast(pl.String))
a = a.with_columns(pl.col("school_year").cast(pl.String))
key = ["school_year", "pupil_key", "ts", "verb", "object_id"]
assert c.select(key).equals(a.select(key)), "DuckDB's rows are in another order"
assert c.sort(cols, nulls_last=True).equals(a.sort(cols, nulls_last=True)), "DuckDB's rows differ"
bare = pl.read_parquet(f"{w}/bare/statements.parquet")
# The sample's statements are all valid: the bare copy (which drops nothing) holds each once.
assert len(bare) == len(a), f"DuckDB bare wrote {len(bare)} rows, leerwinst {len(a)}"
print(f"outputs: identical events tables ({len(a)} rows; DuckDB's the same rows in the same key order; the bare copy as many rows)")
PY

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
mo=$(median "${ours[@]}"); mp=$(median "${peer[@]}"); md=$(median "${duck[@]}"); mb=$(median "${bare[@]}")
awk -v s="$size" -v n="$lines" -v o="$mo" -v p="$mp" -v d="$md" -v b="$mb" 'BEGIN {
  printf "| | median wall time | MB/s | statements/s |\n|---|---|---|---|\n";
  printf "| leerwinst ingest | %.2f s | %.0f | %.0f |\n", o, s/o/1e6, n/o;
  printf "| Python polars | %.2f s | %.0f | %.0f |\n", p, s/p/1e6, n/p;
  printf "| DuckDB, the same table | %.2f s | %.0f | %.0f |\n", d, s/d/1e6, n/d;
  printf "| DuckDB bare (parse, sort, write) | %.2f s | %.0f | %.0f |\n", b, s/b/1e6, n/b;
  printf "leerwinst / polars speed: %.1fx; / DuckDB (same table): %.2fx; / DuckDB bare: %.2fx\n", p/o, d/o, b/o }'
