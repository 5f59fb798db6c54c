"""The second peer of `leerwinst ingest` for xAPI NDJSON, in DuckDB SQL (bench/ingest.sh runs it
beside leerwinst and the polars peer).

Does the parse-and-write part of leerwinst's xAPI reader as a DuckDB user would: `read_ndjson`
with an explicit typed schema of the used fields, the same flattening as the polars peer (actor
by account name, mbox or mbox_sha1sum; the task from the first parent or grouping activity, else
the object of an attempt or completion; the subject extension), timestamps to UTC, the school
year from the Amsterdam date, the ADL verb map, ISO 8601 durations, pupil pseudonyms as the first
16 bytes of HMAC-SHA256(key, "pupil:" + id) in hex (one HMAC per distinct actor, in Python, as
DuckDB has no HMAC), the events sorted and written as Parquet (zstd) hive-partitioned by school
year.

It does less than leerwinst and the polars peer: no checksum of the input, no reject file (rows
without an actor, verb or valid timestamp are left out, not reported), no check of repeated
statement ids or scaled scores. It shows how fast the parse and the write alone can be.

    python3 bench/peers/xapi_ingest_duckdb.py STATEMENTS.ndjson OUT_DIR KEY
    python3 bench/peers/xapi_ingest_duckdb.py STATEMENTS.ndjson OUT_DIR KEY --bare

`--bare` does less again, the least a DuckDB user would do to get the statements into Parquet:
`read_ndjson` with the same typed schema, the used fields taken out as they are (no verb map,
durations, pseudonyms or school years), sorted by actor and time and written as one zstd file.
"""

import hashlib
import hmac
import os
import sys
import time

import duckdb

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "attempted": "attempt",
    "answered": "answer",
    "responded": "answer",
    "completed": "complete",
    "passed": "complete",
    "failed": "complete",
    "mastered": "complete",
    "experienced": "instruction",
    "asked": "help",
    "progressed": "progress_view",
}
SUBJECT_KEY = "https://leerwinst.example/xapi/subject"
DURATION = r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"

TYPES = {
    "id": "VARCHAR",
    "actor": "STRUCT(account STRUCT(name VARCHAR), mbox VARCHAR, mbox_sha1sum VARCHAR)",
    "verb": "STRUCT(id VARCHAR)",
    "object": "STRUCT(id VARCHAR)",
    "result": "STRUCT(success BOOLEAN, score STRUCT(scaled DOUBLE), duration VARCHAR)",
    "context": "STRUCT(contextActivities STRUCT(parent STRUCT(id VARCHAR)[], "
    "grouping STRUCT(id VARCHAR)[]), "
    f'extensions STRUCT("{SUBJECT_KEY}" VARCHAR))',
    "timestamp": "VARCHAR",
}
# The typed schema of the fields used, as read_ndjson takes it.
COLUMNS = ", ".join(f"'{name}': '{typ}'" for name, typ in TYPES.items())


def main(path: str, out: str, key: str, bare: bool = False) -> None:
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")
    con.execute("SET TimeZone = 'UTC'")
    if bare:
        bare_copy(con, path, out)
        report(con, path, out, t0, "bare")
        return
    k = key.encode()
    con.create_function(
        "pseudonym",
        lambda w: hmac.new(k, b"pupil:" + w.strip().encode(), hashlib.sha256).hexdigest()[:32],
        ["VARCHAR"],
        "VARCHAR",
    )
    cols = COLUMNS
    verbs = " ".join(f"WHEN '{ADL}{v}' THEN '{kind}'" for v, kind in VERBS.items())
    part = lambda f: f"coalesce(try_cast(nullif(d.{f}, '') AS DOUBLE), 0)"
    local = "timezone('Europe/Amsterdam', ts)"
    start = f"CASE WHEN month({local}) >= 8 THEN year({local}) ELSE year({local}) - 1 END"
    # One query: flatten (the duration's four parts by one regular expression), keep the valid
    # statements, pseudonymise each distinct actor once, derive the school year.
    con.execute(
        f"""
        CREATE TEMP TABLE events AS
        WITH flat AS (
          SELECT
            coalesce(actor.account.name,
                     CASE WHEN starts_with(actor.mbox, 'mailto:') THEN actor.mbox[8:] ELSE actor.mbox END,
                     actor.mbox_sha1sum) AS who,
            verb.id AS verb,
            object.id AS object_id,
            try_cast("timestamp" AS TIMESTAMPTZ) AS ts,
            result.success AS success,
            result.score.scaled AS score_scaled,
            result.duration AS duration_raw,
            regexp_extract(result.duration, '{DURATION}', ['d', 'h', 'm', 's']) AS d,
            coalesce(context.contextActivities.parent[1].id,
                     context.contextActivities."grouping"[1].id) AS task_ctx,
            context.extensions."{SUBJECT_KEY}" AS subject
          FROM read_ndjson('{path}', columns = {{{cols}}}, format = 'newline_delimited')
        ),
        ok AS (
          SELECT *, CASE verb {verbs} ELSE 'other' END AS kind
          FROM flat
          WHERE who IS NOT NULL AND verb IS NOT NULL AND verb <> '{ADL}voided' AND ts IS NOT NULL
            AND (duration_raw IS NULL OR regexp_full_match(duration_raw, '{DURATION}'))
        ),
        actors AS (SELECT who, pseudonym(who) AS pupil_key FROM (SELECT DISTINCT who FROM ok))
        SELECT a.pupil_key,
               ({start})::VARCHAR || '-' || ({start} + 1)::VARCHAR AS school_year,
               ts, kind, verb, object_id,
               coalesce(task_ctx, CASE WHEN kind IN ('attempt', 'complete') THEN object_id END) AS task_id,
               subject, success, score_scaled,
               CASE WHEN duration_raw IS NOT NULL
                    THEN {part('d')} * 86400 + {part('h')} * 3600 + {part('m')} * 60 + {part('s')} END
                 AS duration_s
        FROM ok JOIN actors a USING (who)
        """
    )
    os.makedirs(out, exist_ok=True)
    # One sorted COPY per school year: a partitioned COPY does not keep the order of the rows.
    for (year,) in con.execute("SELECT DISTINCT school_year FROM events ORDER BY 1").fetchall():
        os.makedirs(f"{out}/events/school_year={year}", exist_ok=True)
        con.execute(
            f"""
            COPY (SELECT * EXCLUDE (school_year) FROM events WHERE school_year = '{year}'
                  ORDER BY pupil_key, ts, verb, object_id)
            TO '{out}/events/school_year={year}/part-0.parquet' (FORMAT parquet, COMPRESSION zstd)
            """
        )
    report(con, path, out, t0, "same table")


def bare_copy(con, path: str, out: str) -> None:
    """The statements' used fields as they are, sorted by actor and time, in one zstd file."""
    os.makedirs(out, exist_ok=True)
    con.execute(
        f"""
        COPY (
          SELECT id,
                 coalesce(actor.account.name, actor.mbox, actor.mbox_sha1sum) AS who,
                 verb.id AS verb, object.id AS object_id,
                 try_cast("timestamp" AS TIMESTAMPTZ) AS ts,
                 result.success AS success, result.score.scaled AS score_scaled,
                 result.duration AS duration,
                 coalesce(context.contextActivities.parent[1].id,
                          context.contextActivities."grouping"[1].id) AS task,
                 context.extensions."{SUBJECT_KEY}" AS subject
          FROM read_ndjson('{path}', columns = {{{COLUMNS}}}, format = 'newline_delimited')
          ORDER BY who, ts)
        TO '{out}/statements.parquet' (FORMAT parquet, COMPRESSION zstd)
        """
    )


def report(con, path: str, out: str, t0: float, what: str) -> None:
    n = (
        con.execute(f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet')").fetchone()[0]
        if what == "bare"
        else con.execute("SELECT count(*) FROM events").fetchone()[0]
    )
    seconds = time.perf_counter() - t0
    size = os.path.getsize(path)
    print(
        f"duckdb {duckdb.__version__} ({what}): {n} statements written in {seconds:.2f} s"
        f" ({size / seconds / 1e6:.0f} MB/s)"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], bare="--bare" in sys.argv[4:])
