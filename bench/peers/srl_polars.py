"""The peer of `leerwinst transform`'s self-regulation indicators, in Python polars (lazy, the
streaming engine), for bench/srl.sh. Same definitions as crates/transform/src/srl.rs, event-based
part (the benchmark warehouse has no plans): per pupil and school year, sessions split at gaps over
15 minutes, active days, time on task, weekday and hour regularity (normalised PWD, PDH), weekly
similarity (mean pairwise Jaccard of the weeks' weekday sets), help after error and persistence
(per wrong answer: the next answer in the same session to the same item or task stops the search;
a retry if it is the same item; helped if a help or instruction in the same task came before it),
help per task, progress views and reflection entries per week; the composite of the z-scores within school year (the
benchmark has no grades) with at least 3 indicators, and terciles (ties by pupil key). Local
time is Europe/Amsterdam. Pupils with fewer than 20 events get no indicators.

    python3 bench/peers/srl_polars.py WAREHOUSE_EVENTS_DIR OUT.parquet
"""

import math
import sys
import time

import polars as pl

GAP_US = 15 * 60 * 1_000_000
MIN_EVENTS = 20
KEY = ["pupil_key", "school_year"]
SES = KEY + ["session"]
COMPOSITE = [
    "weekday_regularity",
    "hour_regularity",
    "weekly_similarity",
    "help_after_error_share",
    "persistence_share",
    "progress_views_per_week",
    "reflections_per_week",
]


def regularity(counts: pl.Expr, k: int) -> pl.Expr:
    """(ln k - H(p)) / ln k for counts per bin; used inside a group_by over the bins."""
    p = counts / counts.sum()
    return (math.log(k) + (p * p.log()).sum()) / math.log(k)


def main(events_dir: str, out: str) -> None:
    t0 = time.perf_counter()
    ev = (
        pl.scan_parquet(f"{events_dir}/**/*.parquet", hive_partitioning=False)
        .select("pupil_key", "school_year", "ts", "kind", "object_id", "task_id", "success")
        .with_row_index("rn")
    )
    ts_us = pl.col("ts").dt.epoch("us")
    local = pl.col("ts").dt.convert_time_zone("Europe/Amsterdam")
    ev = ev.with_columns(
        ((ts_us - ts_us.shift(1).over(KEY)) > GAP_US).fill_null(False).cum_sum().over(KEY).alias("session"),
        local.dt.date().alias("day"),
        local.dt.hour().alias("hour"),
        local.dt.iso_year().alias("iso_year"),
        local.dt.week().alias("iso_week"),
        local.dt.weekday().alias("wd"),  # 1 = Monday
    )

    # Sessions and time on task.
    sessions = (
        ev.group_by(SES)
        .agg((ts_us.max() - ts_us.min()).alias("span"))
        .group_by(KEY)
        .agg(pl.len().alias("sessions"), (pl.col("span").sum() / 60e6).alias("time_on_task_min"))
    )
    # Active days, weekday regularity; hours.
    days = ev.select(KEY + ["day", "wd"]).unique()
    n_days = days.group_by(KEY).agg(pl.len().alias("active_days"))
    wd = (
        days.group_by(KEY + ["wd"]).agg(pl.len().alias("c"))
        .group_by(KEY).agg(regularity(pl.col("c"), 7).alias("weekday_regularity"))
    )
    hours = (
        ev.select(KEY + ["day", "hour"]).unique()
        .group_by(KEY + ["hour"]).agg(pl.len().alias("c"))
        .group_by(KEY).agg(regularity(pl.col("c"), 24).alias("hour_regularity"))
    )
    # Weekly similarity: each week's set of weekdays as bits; mean Jaccard over pairs.
    weeks = (
        days.with_columns(
            pl.col("day").dt.iso_year().alias("iso_year"),
            pl.col("day").dt.week().alias("iso_week"),
        )
        .group_by(KEY + ["iso_year", "iso_week"])
        .agg(pl.lit(2).pow(pl.col("wd") - 1).cast(pl.UInt8).bitwise_or().alias("bits"))
        .with_columns(pl.int_range(pl.len()).over(KEY).alias("w"))
    )
    pairs = weeks.join(weeks, on=KEY, suffix="_b").filter(pl.col("w") < pl.col("w_b"))
    inter = (pl.col("bits") & pl.col("bits_b")).bitwise_count_ones().cast(pl.Float64)
    union = (pl.col("bits") | pl.col("bits_b")).bitwise_count_ones().cast(pl.Float64)
    similarity = pairs.group_by(KEY).agg((inter / union).mean().alias("weekly_similarity"))
    n_weeks = weeks.group_by(KEY).agg(pl.len().alias("weeks"))

    # Help after error and persistence.
    is_answer = pl.col("kind") == "answer"
    is_help = pl.col("kind").is_in(["help", "instruction"])

    def next_after(cond: pl.Expr, part: list) -> pl.Expr:
        return pl.when(cond).then(pl.col("rn")).shift(-1).backward_fill().over(part)

    ordered = ev.sort("rn")
    wrong = ordered.with_columns(
        next_after(is_answer, SES + ["task_id"]).alias("next_task_answer"),
        next_after(is_answer & pl.col("object_id").is_not_null(), SES + ["object_id"]).alias("next_item_answer"),
        next_after(is_help, SES + ["task_id"]).alias("next_help"),
    ).filter(is_answer & (pl.col("success") == False))  # noqa: E712
    stop = pl.min_horizontal("next_task_answer", "next_item_answer")
    errors = wrong.group_by(KEY).agg(
        pl.len().alias("errors"),
        (pl.col("next_help").is_not_null() & (stop.is_null() | (pl.col("next_help") < stop))).sum().alias("helped"),
        (pl.col("next_item_answer").is_not_null() & (pl.col("next_item_answer") == stop)).sum().alias("retried"),
    ).select(
        *KEY,
        (pl.col("helped") / pl.col("errors")).alias("help_after_error_share"),
        (pl.col("retried") / pl.col("errors")).alias("persistence_share"),
    )
    counts = ev.group_by(KEY).agg(
        pl.len().alias("events"),
        is_help.sum().alias("help_requests"),
        (pl.col("kind") == "progress_view").sum().alias("views"),
        (pl.col("kind") == "reflection").sum().alias("reflections"),
        pl.col("task_id").filter(pl.col("kind").is_in(["attempt", "answer", "complete"]) & pl.col("task_id").is_not_null()).n_unique().alias("tasks"),
    )

    srl = (
        counts.join(sessions, on=KEY, how="left")
        .join(n_days, on=KEY, how="left")
        .join(wd, on=KEY, how="left")
        .join(hours, on=KEY, how="left")
        .join(similarity, on=KEY, how="left")
        .join(n_weeks, on=KEY, how="left")
        .join(errors, on=KEY, how="left")
        .with_columns(
            pl.when(pl.col("active_days") >= 2).then(pl.col("weekday_regularity")).alias("weekday_regularity"),
            pl.when(pl.col("active_days") >= 2).then(pl.col("hour_regularity")).alias("hour_regularity"),
            pl.when(pl.col("tasks") > 0).then(pl.col("help_requests") / pl.col("tasks")).alias("help_per_task"),
            (pl.col("views") / pl.col("weeks")).alias("progress_views_per_week"),
            (pl.col("reflections") / pl.col("weeks")).alias("reflections_per_week"),
        )
    )
    few = pl.col("events") < MIN_EVENTS
    srl = srl.with_columns([pl.when(~few).then(pl.col(c)).alias(c) for c in COMPOSITE + ["help_per_task"]])
    z = [
        ((pl.col(c) - pl.col(c).mean().over("school_year")) / pl.col(c).std().over("school_year")).alias(f"z_{c}")
        for c in COMPOSITE
    ]
    srl = srl.with_columns(z)
    zc = [f"z_{c}" for c in COMPOSITE]
    n_z = pl.sum_horizontal([pl.col(c).is_not_null() & pl.col(c).is_finite() for c in zc])
    srl = srl.with_columns(
        pl.when(n_z >= 3).then(pl.mean_horizontal([pl.when(pl.col(c).is_finite()).then(pl.col(c)) for c in zc])).alias("srl_index")
    )
    srl = srl.sort(["school_year", "srl_index", "pupil_key"], nulls_last=True).with_columns(
        pl.when(pl.col("srl_index").is_not_null())
        .then(
            (3 * pl.int_range(pl.len()).over("school_year") // pl.col("srl_index").is_not_null().sum().over("school_year")) + 1
        )
        .alias("srl_tercile")
    )
    result = srl.select(
        KEY + ["events", "sessions", "active_days", "time_on_task_min"] + COMPOSITE + ["help_per_task", "srl_index", "srl_tercile"]
    ).sort(KEY)
    df = result.collect(engine="streaming")
    df.write_parquet(out, compression="zstd")
    print(f"python-polars {pl.__version__}: {len(df)} pupil-years in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
