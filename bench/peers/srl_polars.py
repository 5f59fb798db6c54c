"""The peer of `leerwinst transform`'s self-regulation indicators, in Python polars (lazy, the
streaming engine), for bench/srl.sh and tests/reference/srl_peers.sh. Same definitions as
crates/transform/src/srl.rs, event-based part (the generated warehouse has no plans and no
enrollments, so the plan indicators are null there and every pupil's grade is unknown). Per pupil
and school year, in local (Europe/Amsterdam) time:

- sessions split at gaps over 15 minutes; time on task = sum of the sessions' spans; active days;
- dates-only logs: when every event of the pupil-year is at local 00:00:00.000000, sessions, time
  on task and hour concentration are null;
- weekday and hour concentration (normalised PWD, PDH: (ln k - H) / ln k over the active days'
  weekdays, or the active day-hours' hours; two or more active days), descriptive, not in the
  composite;
- active-week share: the pupil's active weeks, week k = (Dutch date - Monday of the week of the
  school year's first day, 1 August) // 7, clipped to 0..63; the course weeks of a group are the
  weeks in which at least max(1, ceil(10%)) of the group's pupil-years with indicators were
  active; the share of the course weeks the pupil was active in, when there are at least two;
- weekly similarity (mean pairwise Jaccard of the ISO weeks' weekday sets);
- help after error and persistence (per wrong answer: the next answer in the same session to the
  same item or task stops the search; a retry if it is the same item; helped if a help or
  instruction in the same task came before it); help per task; progress views and reflection
  entries per active ISO week;
- pupil-years with fewer than 20 events get no indicators (nor concentrations, nor active weeks);
- composite: active_week_share, weekly_similarity, (the plan indicators, absent here),
  help_after_error_share, persistence_share, progress_views_per_week, reflections_per_week, all
  with sign +, each z-scored within the group (grade x school year; here the school year, grades
  being unknown) with the sample SD, entering a group only with two or more values and SD > 0;
  the index is the mean of the available z-scores when there are at least 3; terciles within the
  group, ties by pupil key.

    python3 bench/peers/srl_polars.py WAREHOUSE_EVENTS_DIR OUT.parquet
"""

import datetime as dt
import math
import sys
import time

import polars as pl

GAP_US = 15 * 60 * 1_000_000
MIN_EVENTS = 20
COURSE_WEEK_SHARE = 0.1
LAST_WEEK = 63
KEY = ["pupil_key", "school_year"]
SES = KEY + ["session"]
# The composite group: grade x school year; the warehouse has no enrollments, so no grades.
GROUP = ["school_year"]
# Composite components present in an events-only warehouse, with their signs (the plan
# indicators plan_kept_share, on_time_share, median_lateness_days (-) and deadline_margin_h come
# between weekly_similarity and help_after_error_share and are null without plans).
COMPOSITE = {
    "active_week_share": 1.0,
    "weekly_similarity": 1.0,
    "help_after_error_share": 1.0,
    "persistence_share": 1.0,
    "progress_views_per_week": 1.0,
    "reflections_per_week": 1.0,
}
OUTPUT = KEY + [
    "events",
    "sessions",
    "active_days",
    "time_on_task_min",
    "weekday_concentration",
    "hour_concentration",
    *COMPOSITE,
    "help_per_task",
    "srl_index",
    "srl_tercile",
]


def concentration(counts: pl.Expr, k: int) -> pl.Expr:
    """(ln k - H(p)) / ln k for counts per bin; used inside a group_by over the bins."""
    p = counts / counts.sum()
    return (math.log(k) + (p * p.log()).sum()) / math.log(k)


def active_week_share(ev: pl.LazyFrame, counts: pl.LazyFrame) -> pl.LazyFrame:
    """Per pupil-year with indicators: the share of its group's course weeks it was active in."""
    year_start = pl.date(pl.col("school_year").str.slice(0, 4).cast(pl.Int32), 8, 1)
    first_monday = year_start.dt.offset_by("-" + (year_start.dt.weekday() - 1).cast(pl.String) + "d")
    week = ((pl.col("day") - first_monday).dt.total_days().clip(lower_bound=0) // 7).clip(upper_bound=LAST_WEEK)
    active = (
        ev.join(counts.filter(pl.col("events") >= MIN_EVENTS).select(KEY), on=KEY, how="semi")
        .select(*KEY, week.alias("k"))
        .unique()
    )
    pupils = active.select(KEY).unique().group_by(GROUP).agg(pl.len().alias("pupils"))
    course = (
        active.group_by(GROUP + ["k"])
        .agg(pl.len().alias("active"))
        .join(pupils, on=GROUP)
        .filter(pl.col("active") >= (COURSE_WEEK_SHARE * pl.col("pupils")).ceil().clip(lower_bound=1))
        .select(*GROUP, "k", pl.lit(True).alias("course"))
    )
    n_course = course.group_by(GROUP).agg(pl.len().alias("course_weeks"))
    return (
        active.join(course, on=GROUP + ["k"], how="left")
        .group_by(KEY)
        .agg(pl.col("course").fill_null(False).sum().alias("hits"))
        .join(n_course, on=GROUP, how="left")
        .select(
            *KEY,
            pl.when(pl.col("course_weeks") >= 2)
            .then(pl.col("hits") / pl.col("course_weeks"))
            .alias("active_week_share"),
        )
    )


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
        local.dt.weekday().alias("wd"),  # 1 = Monday
        (local.dt.time() == dt.time(0)).alias("midnight"),
    )

    # Sessions and time on task.
    sessions = (
        ev.group_by(SES)
        .agg((ts_us.max() - ts_us.min()).alias("span"))
        .group_by(KEY)
        .agg(pl.len().alias("sessions"), (pl.col("span").sum() / 60e6).alias("time_on_task_min"))
    )
    # Active days, weekday concentration; hours.
    days = ev.select(KEY + ["day", "wd"]).unique()
    n_days = days.group_by(KEY).agg(pl.len().alias("active_days"))
    wd = (
        days.group_by(KEY + ["wd"]).agg(pl.len().alias("c"))
        .group_by(KEY).agg(concentration(pl.col("c"), 7).alias("weekday_concentration"))
    )
    hours = (
        ev.select(KEY + ["day", "hour"]).unique()
        .group_by(KEY + ["hour"]).agg(pl.len().alias("c"))
        .group_by(KEY).agg(concentration(pl.col("c"), 24).alias("hour_concentration"))
    )
    # Weekly similarity: each ISO week's set of weekdays as bits; mean Jaccard over pairs.
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
        pl.col("midnight").all().alias("dates_only"),
        is_help.sum().alias("help_requests"),
        (pl.col("kind") == "progress_view").sum().alias("views"),
        (pl.col("kind") == "reflection").sum().alias("reflections"),
        pl.col("task_id").filter(pl.col("kind").is_in(["attempt", "answer", "complete"]) & pl.col("task_id").is_not_null()).n_unique().alias("tasks"),
    )

    dates_only = pl.col("dates_only")
    srl = (
        counts.join(sessions, on=KEY, how="left")
        .join(n_days, on=KEY, how="left")
        .join(wd, on=KEY, how="left")
        .join(hours, on=KEY, how="left")
        .join(active_week_share(ev, counts), on=KEY, how="left")
        .join(similarity, on=KEY, how="left")
        .join(n_weeks, on=KEY, how="left")
        .join(errors, on=KEY, how="left")
        .with_columns(
            pl.when(~dates_only).then(pl.col("sessions")).alias("sessions"),
            pl.when(~dates_only).then(pl.col("time_on_task_min")).alias("time_on_task_min"),
            pl.when(pl.col("active_days") >= 2).then(pl.col("weekday_concentration")).alias("weekday_concentration"),
            pl.when((pl.col("active_days") >= 2) & ~dates_only).then(pl.col("hour_concentration")).alias("hour_concentration"),
            pl.when(pl.col("tasks") > 0).then(pl.col("help_requests") / pl.col("tasks")).alias("help_per_task"),
            (pl.col("views") / pl.col("weeks")).alias("progress_views_per_week"),
            (pl.col("reflections") / pl.col("weeks")).alias("reflections_per_week"),
        )
    )
    few = pl.col("events") < MIN_EVENTS
    nulled = ["weekday_concentration", "hour_concentration", *COMPOSITE, "help_per_task"]
    srl = srl.with_columns([pl.when(~few).then(pl.col(c)).alias(c) for c in nulled])

    # Composite: a component enters a group with two or more values and a positive SD.
    def z(c: str, sign: float) -> pl.Expr:
        x = pl.col(c)
        enters = (x.count().over(GROUP) >= 2) & (x.std().over(GROUP) > 0)
        return pl.when(enters).then(sign * (x - x.mean().over(GROUP)) / x.std().over(GROUP)).alias(f"z_{c}")

    zc = [f"z_{c}" for c in COMPOSITE]
    srl = srl.with_columns([z(c, s) for c, s in COMPOSITE.items()])
    n_z = pl.sum_horizontal([pl.col(c).is_not_null() for c in zc])
    srl = srl.with_columns(pl.when(n_z >= 3).then(pl.mean_horizontal(zc)).alias("srl_index"))
    has = pl.col("srl_index").is_not_null()
    srl = srl.sort(GROUP + ["srl_index", "pupil_key"], nulls_last=True).with_columns(
        pl.when(has)
        .then(3 * pl.int_range(pl.len()).over(GROUP) // has.sum().over(GROUP) + 1)
        .cast(pl.Int32)
        .alias("srl_tercile")
    )
    result = srl.select(OUTPUT).with_columns(pl.col("events", "sessions", "active_days").cast(pl.Int64)).sort(KEY)
    df = result.collect(engine="streaming")
    df.write_parquet(out, compression="zstd")
    print(f"python-polars {pl.__version__}: {len(df)} pupil-years in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
