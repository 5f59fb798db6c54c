-- The peer of `leerwinst transform`'s self-regulation indicators in DuckDB SQL, for bench/srl.sh
-- (run by bench/peers/srl_duckdb.py, which sets the paths). Same definitions as
-- crates/transform/src/srl.rs, event-based part (the benchmark warehouse has no plans); see
-- bench/peers/srl_polars.py for the list. Local time is Europe/Amsterdam.
SET TimeZone = 'Europe/Amsterdam';

CREATE TEMP TABLE ev AS
SELECT pupil_key, school_year, ts, kind, object_id, task_id, success,
       file_row_number AS rn,                  -- file order (one file per school year)
       epoch_us(ts) AS us,
       CAST(ts AS DATE) AS day,                 -- local (the session time zone)
       hour(ts) AS hr,
       isodow(ts) AS wd,
       yearweek(ts) AS yw
FROM read_parquet('${EVENTS}/**/*.parquet', hive_partitioning = false, file_row_number = true);

CREATE TEMP TABLE evs AS
SELECT * EXCLUDE (new_session),
       sum(new_session) OVER (PARTITION BY pupil_key, school_year ORDER BY rn
                              ROWS UNBOUNDED PRECEDING) AS session
FROM (SELECT *, CASE WHEN us - lag(us) OVER (PARTITION BY pupil_key, school_year ORDER BY rn)
                          > 900000000 THEN 1 ELSE 0 END AS new_session
      FROM ev);

CREATE TEMP TABLE counts AS
SELECT pupil_key, school_year, count(*) AS events,
       count(*) FILTER (kind IN ('help', 'instruction')) AS help_requests,
       count(*) FILTER (kind = 'progress_view') AS views,
       count(*) FILTER (kind = 'reflection') AS reflections,
       count(DISTINCT task_id) FILTER (kind IN ('attempt', 'answer', 'complete')) AS tasks,
       count(DISTINCT yw) AS weeks,
       count(DISTINCT day) AS active_days
FROM evs GROUP BY ALL;

CREATE TEMP TABLE sess AS
SELECT pupil_key, school_year, count(*) AS sessions, sum(span) / 60e6 AS time_on_task_min
FROM (SELECT pupil_key, school_year, session, max(us) - min(us) AS span FROM evs GROUP BY ALL)
GROUP BY ALL;

CREATE TEMP TABLE days AS SELECT DISTINCT pupil_key, school_year, day, wd, yw FROM evs;

CREATE TEMP TABLE reg AS
WITH wdc AS (SELECT pupil_key, school_year, wd, count(*) AS c FROM days GROUP BY ALL),
     hrc AS (SELECT pupil_key, school_year, hr, count(*) AS c
             FROM (SELECT DISTINCT pupil_key, school_year, day, hr FROM evs) GROUP BY ALL),
     wdr AS (SELECT pupil_key, school_year,
                    (ln(7) + sum(c / t * ln(c / t))) / ln(7) AS weekday_regularity
             FROM (SELECT *, sum(c) OVER (PARTITION BY pupil_key, school_year) AS t FROM wdc) GROUP BY ALL),
     hrr AS (SELECT pupil_key, school_year,
                    (ln(24) + sum(c / t * ln(c / t))) / ln(24) AS hour_regularity
             FROM (SELECT *, sum(c) OVER (PARTITION BY pupil_key, school_year) AS t FROM hrc) GROUP BY ALL)
SELECT * FROM wdr JOIN hrr USING (pupil_key, school_year);

CREATE TEMP TABLE sim AS
WITH wk AS (SELECT pupil_key, school_year, yw, bit_or(CAST(1 << (wd - 1) AS INTEGER)) AS bits
            FROM days GROUP BY ALL)
SELECT a.pupil_key, a.school_year,
       avg(bit_count(a.bits & b.bits) / bit_count(a.bits | b.bits)) AS weekly_similarity
FROM wk a JOIN wk b ON a.pupil_key = b.pupil_key AND a.school_year = b.school_year AND a.yw < b.yw
GROUP BY ALL;

CREATE TEMP TABLE err AS
WITH nxt AS (
  SELECT pupil_key, school_year, kind, success, rn,
         min(CASE WHEN kind = 'answer' THEN rn END) OVER (
           PARTITION BY pupil_key, school_year, session, task_id ORDER BY rn
           ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_task_answer,
         min(CASE WHEN kind = 'answer' AND object_id IS NOT NULL THEN rn END) OVER (
           PARTITION BY pupil_key, school_year, session, object_id ORDER BY rn
           ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_item_answer,
         min(CASE WHEN kind IN ('help', 'instruction') THEN rn END) OVER (
           PARTITION BY pupil_key, school_year, session, task_id ORDER BY rn
           ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_help
  FROM evs
), wrong AS (
  SELECT *, least(next_task_answer, next_item_answer) AS stop
  FROM nxt WHERE kind = 'answer' AND success = false
)
SELECT pupil_key, school_year,
       avg(CASE WHEN next_help IS NOT NULL AND (stop IS NULL OR next_help < stop) THEN 1.0 ELSE 0.0 END)
         AS help_after_error_share,
       avg(CASE WHEN next_item_answer IS NOT NULL AND next_item_answer = stop THEN 1.0 ELSE 0.0 END)
         AS persistence_share
FROM wrong GROUP BY ALL;

CREATE TEMP TABLE ind AS
SELECT c.pupil_key, c.school_year, c.events, s.sessions, c.active_days, s.time_on_task_min,
       CASE WHEN c.events >= 20 AND c.active_days >= 2 THEN r.weekday_regularity END AS weekday_regularity,
       CASE WHEN c.events >= 20 AND c.active_days >= 2 THEN r.hour_regularity END AS hour_regularity,
       CASE WHEN c.events >= 20 THEN m.weekly_similarity END AS weekly_similarity,
       CASE WHEN c.events >= 20 THEN e.help_after_error_share END AS help_after_error_share,
       CASE WHEN c.events >= 20 THEN e.persistence_share END AS persistence_share,
       CASE WHEN c.events >= 20 THEN c.views / c.weeks END AS progress_views_per_week,
       CASE WHEN c.events >= 20 THEN c.reflections / c.weeks END AS reflections_per_week,
       CASE WHEN c.events >= 20 AND c.tasks > 0 THEN c.help_requests / c.tasks END AS help_per_task
FROM counts c
LEFT JOIN sess s USING (pupil_key, school_year)
LEFT JOIN reg r USING (pupil_key, school_year)
LEFT JOIN sim m USING (pupil_key, school_year)
LEFT JOIN err e USING (pupil_key, school_year);

-- Composite: z-scores within school year (no grades in the benchmark), at least 3, terciles.
CREATE TEMP TABLE z AS
SELECT *,
  [ (weekday_regularity - avg(weekday_regularity) OVER y) / nullif(stddev_samp(weekday_regularity) OVER y, 0),
    (hour_regularity - avg(hour_regularity) OVER y) / nullif(stddev_samp(hour_regularity) OVER y, 0),
    (weekly_similarity - avg(weekly_similarity) OVER y) / nullif(stddev_samp(weekly_similarity) OVER y, 0),
    (help_after_error_share - avg(help_after_error_share) OVER y) / nullif(stddev_samp(help_after_error_share) OVER y, 0),
    (persistence_share - avg(persistence_share) OVER y) / nullif(stddev_samp(persistence_share) OVER y, 0),
    (progress_views_per_week - avg(progress_views_per_week) OVER y) / nullif(stddev_samp(progress_views_per_week) OVER y, 0),
    (reflections_per_week - avg(reflections_per_week) OVER y) / nullif(stddev_samp(reflections_per_week) OVER y, 0)
  ] AS zs
FROM ind WINDOW y AS (PARTITION BY school_year);

CREATE TEMP TABLE idx AS
SELECT * EXCLUDE (zs),
       CASE WHEN len(list_filter(zs, lambda x: x IS NOT NULL)) >= 3
            THEN list_avg(list_filter(zs, lambda x: x IS NOT NULL)) END AS srl_index
FROM z;

COPY (
  SELECT *,
         CASE WHEN srl_index IS NOT NULL THEN
           3 * (row_number() OVER (PARTITION BY school_year ORDER BY srl_index, pupil_key) - 1)
             // count(srl_index) OVER (PARTITION BY school_year) + 1 END AS srl_tercile
  FROM idx ORDER BY pupil_key, school_year
) TO '${OUT}' (FORMAT parquet, COMPRESSION zstd);
