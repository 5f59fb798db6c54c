"""leerwinst's self-regulation indicators on Apache Spark, computed by leerwinst's own kernel.

Reads a leerwinst warehouse (events/ and plans.parquet, local or on a cluster file system),
brings each pupil-year's events and planned tasks together in one partition, sorted, hands each
partition to `leerwinst kernel srl` (an Arrow IPC stream in, one out, through mapInArrow) and
writes what it returns, the srl_partial rows, as Parquet. `leerwinst transform --srl-partials`
then computes the composite, terciles, group tables and everything after on one machine.

    spark-submit dist/spark/srl_job.py --kernel target/release/leerwinst \\
        --pipeline pipeline.toml --warehouse run/warehouse --out run/srl_partials

See dist/spark/README.md for cluster settings. The kernel binary and the pipeline file are
shipped to the executors with SparkContext.addFile; only [indicators] and [calendar] of the
pipeline are read there.
"""

import argparse
import os
import shutil
import stat
import subprocess
import tempfile
import threading

import pyarrow as pa
from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# The columns of srl_kernel_input (docs/data-model.md), in order, with their Spark types.
EVENT_COLUMNS = ["seq", "ts", "kind", "object_id", "task_id", "success"]
PLAN_COLUMNS = ["task_id", "week", "planned_for", "due", "done_at"]
INPUT_TYPES = {
    "record": "string",
    "pupil_key": "string",
    "school_year": "string",
    "seq": "bigint",
    "ts": "timestamp",
    "kind": "string",
    "object_id": "string",
    "task_id": "string",
    "success": "boolean",
    "week": "string",
    "planned_for": "date",
    "due": "date",
    "done_at": "timestamp",
}


def kernel_input(spark, warehouse):
    """Events and planned tasks as srl_kernel_input rows (a union of the two tables)."""
    # recursiveFileLookup: the files hold school_year themselves; the folder names
    # (school_year=...) are not read as a second column.
    events = spark.read.option("recursiveFileLookup", "true").parquet(
        os.path.join(warehouse, "events")
    )
    plans = spark.read.parquet(os.path.join(warehouse, "plans.parquet"))

    def shape(df, record, have):
        cols = []
        for name, ty in INPUT_TYPES.items():
            if name == "record":
                cols.append(F.lit(record).alias(name))
            elif name in ("pupil_key", "school_year") or name in have:
                cols.append(F.col(name).cast(ty).alias(name))
            else:
                cols.append(F.lit(None).cast(ty).alias(name))
        return df.select(*cols)

    return shape(events, "event", EVENT_COLUMNS).unionByName(
        shape(plans, "plan", PLAN_COLUMNS)
    )


def executable(path):
    """The shipped kernel, executable (files shipped by Spark may lose their mode bits)."""
    mode = os.stat(path).st_mode
    if mode & stat.S_IXUSR:
        return path
    try:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path
    except OSError:
        copy = os.path.join(tempfile.mkdtemp(prefix="leerwinst-"), os.path.basename(path))
        shutil.copy(path, copy)
        os.chmod(copy, 0o755)
        return copy


def run_kernel(kernel_name, pipeline_name):
    """The mapInArrow function: one `leerwinst kernel srl` process per partition."""

    def per_partition(batches):
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            return
        kernel = executable(SparkFiles.get(kernel_name))
        proc = subprocess.Popen(
            [kernel, "kernel", "srl", SparkFiles.get(pipeline_name)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        failure = []
        errors = []

        def feed():
            try:
                with pa.ipc.new_stream(proc.stdin, first.schema) as w:
                    w.write_batch(first)
                    for b in batches:
                        w.write_batch(b)
            except Exception as e:  # the kernel stopped reading: its stderr says why
                failure.append(e)
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        def drain():
            errors.append(proc.stderr.read().decode("utf-8", "replace"))

        threads = [threading.Thread(target=feed), threading.Thread(target=drain)]
        for t in threads:
            t.start()
        try:
            for b in pa.ipc.open_stream(proc.stdout):
                yield b
        except pa.ArrowInvalid:
            pass  # no stream: the kernel failed before writing; reported below
        for t in threads:
            t.join()
        code = proc.wait()
        if code != 0 or failure:
            raise RuntimeError(
                f"leerwinst kernel srl failed (exit {code}): {''.join(errors).strip()}"
            )

    return per_partition


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True, help="the leerwinst binary (Linux, as executors run)")
    ap.add_argument("--pipeline", required=True, help="the pipeline file ([indicators], [calendar])")
    ap.add_argument("--warehouse", required=True, help="the warehouse folder (events/, plans.parquet)")
    ap.add_argument("--out", required=True, help="where to write the partials (Parquet)")
    ap.add_argument(
        "--partitions",
        type=int,
        default=0,
        help="partitions of the pupil-years (default: spark.sql.shuffle.partitions)",
    )
    args = ap.parse_args()

    spark = (
        SparkSession.builder.appName("leerwinst-srl")
        # Timestamps are UTC instants; the kernel does the Dutch local time itself.
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    sc = spark.sparkContext
    sc.addFile(os.path.abspath(args.kernel))
    sc.addFile(os.path.abspath(args.pipeline))
    kernel_name = os.path.basename(args.kernel)
    pipeline_name = os.path.basename(args.pipeline)
    schema = subprocess.run(
        [args.kernel, "kernel", "srl", "--spark-schema"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    rows = kernel_input(spark, args.warehouse)
    keys = ["school_year", "pupil_key"]
    rows = rows.repartition(args.partitions, *keys) if args.partitions else rows.repartition(*keys)
    # Each pupil-year's rows together and in order: events by seq (plans in any order).
    rows = rows.sortWithinPartitions("school_year", "pupil_key", "record", "seq")
    partials = rows.mapInArrow(run_kernel(kernel_name, pipeline_name), schema)
    # zstd: the compression leerwinst reads (it is built without snappy).
    partials.write.mode("overwrite").option("compression", "zstd").parquet(args.out)
    spark.stop()


if __name__ == "__main__":
    main()
