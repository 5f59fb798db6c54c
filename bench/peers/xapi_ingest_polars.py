"""The peer of `leerwinst ingest` for xAPI NDJSON, in Python polars (bench/ingest.sh runs both).

Does what leerwinst's xAPI reader does, as a polars user would write it: SHA-256 of the input
(for provenance), `polars.read_ndjson` with an explicit schema of the used fields, flattening
(actor by account name, mbox or mbox_sha1sum; the task from the first parent or grouping
activity, else the object of an attempt or completion; the subject extension), pupil pseudonyms as
the first 16 bytes of HMAC-SHA256(key, "pupil:" + id) in hex (one HMAC per distinct actor),
timestamps to UTC, the school year from the Amsterdam date, the ADL verb map, ISO 8601
durations, validation with the same reasons (no actor, no verb, voiding, bad timestamp, bad
duration, scaled score outside [-1, 1], repeated statement id) written to a reject CSV with line
numbers, and the events sorted and written as Parquet (zstd level 3) hive-partitioned by school
year.

Simplifications that favour the peer: the parent/grouping activities are read as lists only
(the spec also allows one object), the subject comes from the one extension key the sample
uses, and a malformed line stops polars instead of being rejected.

    python3 bench/peers/xapi_ingest_polars.py STATEMENTS.ndjson OUT_DIR KEY
"""

import hashlib
import hmac
import os
import sys
import time

import polars as pl

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    ADL + "attempted": "attempt",
    ADL + "answered": "answer",
    ADL + "responded": "answer",
    ADL + "completed": "complete",
    ADL + "passed": "complete",
    ADL + "failed": "complete",
    ADL + "mastered": "complete",
    ADL + "experienced": "instruction",
    ADL + "asked": "help",
    ADL + "progressed": "progress_view",
}
SUBJECT_KEY = "https://leerwinst.example/xapi/subject"

ID = pl.Struct({"id": pl.String})
SCHEMA = {
    "id": pl.String,
    "actor": pl.Struct(
        {
            "account": pl.Struct({"name": pl.String}),
            "mbox": pl.String,
            "mbox_sha1sum": pl.String,
        }
    ),
    "verb": ID,
    "object": ID,
    "result": pl.Struct(
        {
            "success": pl.Boolean,
            "score": pl.Struct({"scaled": pl.Float64}),
            "duration": pl.String,
        }
    ),
    "context": pl.Struct(
        {
            "contextActivities": pl.Struct({"parent": pl.List(ID), "grouping": pl.List(ID)}),
            "extensions": pl.Struct({SUBJECT_KEY: pl.String}),
        }
    ),
    "timestamp": pl.String,
}

DURATION = r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"


def main(path: str, out: str, key: str) -> None:
    t0 = time.perf_counter()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    sha = h.hexdigest()

    df = pl.read_ndjson(path, schema=SCHEMA).with_row_index("line", offset=1)
    a = pl.col("actor")
    ctx = pl.col("context")
    dur = pl.col("result").struct.field("duration")
    flat = df.select(
        "line",
        pl.col("id"),
        pl.coalesce(
            a.struct.field("account").struct.field("name"),
            a.struct.field("mbox").str.strip_prefix("mailto:"),
            a.struct.field("mbox_sha1sum"),
        ).alias("who"),
        pl.col("verb").struct.field("id").alias("verb"),
        pl.col("object").struct.field("id").alias("object_id"),
        pl.col("timestamp"),
        pl.col("timestamp")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", time_zone="UTC", strict=False)
        .alias("ts"),
        pl.col("result").struct.field("success").alias("success"),
        pl.col("result").struct.field("score").struct.field("scaled").alias("score_scaled"),
        dur.alias("duration_raw"),
        (
            dur.str.extract(DURATION, 1).cast(pl.Float64).fill_null(0) * 86400
            + dur.str.extract(DURATION, 2).cast(pl.Float64).fill_null(0) * 3600
            + dur.str.extract(DURATION, 3).cast(pl.Float64).fill_null(0) * 60
            + dur.str.extract(DURATION, 4).cast(pl.Float64).fill_null(0)
        ).alias("duration_s"),
        dur.str.contains(DURATION).alias("duration_ok"),
        pl.coalesce(
            ctx.struct.field("contextActivities").struct.field("parent").list.first().struct.field("id"),
            ctx.struct.field("contextActivities").struct.field("grouping").list.first().struct.field("id"),
        ).alias("task_ctx"),
        ctx.struct.field("extensions").struct.field(SUBJECT_KEY).alias("subject"),
    )

    reason = (
        pl.when(pl.col("who").is_null())
        .then(pl.lit("actor has no account name, mbox or mbox_sha1sum"))
        .when(pl.col("verb").is_null())
        .then(pl.lit("statement has no verb id"))
        .when(pl.col("verb") == ADL + "voided")
        .then(pl.lit("voiding statement: voiding is not applied yet"))
        .when(pl.col("timestamp").is_null())
        .then(pl.lit("statement has no timestamp"))
        .when(pl.col("ts").is_null())
        .then(pl.lit("not a valid ISO 8601 timestamp"))
        .when(pl.col("duration_raw").is_not_null() & ~pl.col("duration_ok"))
        .then(pl.lit("not an ISO 8601 duration"))
        .when((pl.col("score_scaled") < -1) | (pl.col("score_scaled") > 1))
        .then(pl.lit("scaled score outside [-1, 1]"))
        .when(pl.col("id").is_not_null() & pl.col("id").str.to_lowercase().is_duplicated()
              & (pl.int_range(pl.len()).over(pl.col("id").str.to_lowercase()) > 0))
        .then(pl.lit("duplicate statement id"))
    )
    flat = flat.with_columns(reason.alias("reason"))
    rejected = flat.filter(pl.col("reason").is_not_null())
    ok = flat.filter(pl.col("reason").is_null())

    # One HMAC per distinct actor.
    k = key.encode()
    actors = ok.select(pl.col("who").unique())
    actors = actors.with_columns(
        pl.col("who")
        .map_elements(
            lambda w: hmac.new(k, b"pupil:" + w.strip().encode(), hashlib.sha256).hexdigest()[:32],
            return_dtype=pl.String,
        )
        .alias("pupil_key")
    )
    kind = pl.col("verb").replace_strict(VERBS, default="other")
    local = pl.col("ts").dt.convert_time_zone("Europe/Amsterdam")
    y = local.dt.year()
    start = pl.when(local.dt.month() >= 8).then(y).otherwise(y - 1)
    events = (
        ok.join(actors, on="who", how="left")
        .with_columns(kind.alias("kind"))
        .select(
            "pupil_key",
            (start.cast(pl.String) + "-" + (start + 1).cast(pl.String)).alias("school_year"),
            pl.col("ts").dt.cast_time_unit("us").alias("ts"),
            "kind",
            "verb",
            "object_id",
            pl.coalesce(
                "task_ctx",
                pl.when(pl.col("kind").is_in(["attempt", "complete"])).then(pl.col("object_id")),
            ).alias("task_id"),
            "subject",
            "success",
            "score_scaled",
            pl.when(pl.col("duration_raw").is_not_null()).then(pl.col("duration_s")).alias("duration_s"),
        )
        .sort(["school_year", "pupil_key", "ts", "verb", "object_id"], maintain_order=True)
    )
    os.makedirs(out, exist_ok=True)
    events.write_parquet(
        os.path.join(out, "events"),
        compression="zstd",
        compression_level=3,
        statistics=True,
        partition_by="school_year",
    )
    rejected.select(
        pl.lit(path).alias("file"), "line", pl.lit("").alias("column"), "reason"
    ).write_csv(os.path.join(out, "rejects_events.csv"))
    seconds = time.perf_counter() - t0
    size = os.path.getsize(path)
    print(
        f"python-polars {pl.__version__}: {len(df)} statements read = {len(events)} accepted"
        f" + {len(rejected)} rejected in {seconds:.2f} s"
        f" ({size / seconds / 1e6:.0f} MB/s, {len(df) / seconds:,.0f} statements/s); sha256 {sha[:12]}"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
