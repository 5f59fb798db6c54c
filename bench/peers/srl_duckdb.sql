-- The peer of `leerwinst transform`'s self-regulation indicators in DuckDB SQL, for bench/srl.sh
-- and tests/reference/srl_peers.sh (run by bench/peers/srl_duckdb.py, which sets the paths). Same
-- definitions as crates/transform/src/srl.rs, event-based part (the generated warehouse has no
-- plans and no enrollments: plan indicators null, grades unknown); bench/peers/srl_polars.py has
-- the full list. In short, per pupil and school year in local (Europe/Amsterdam) time: sessions
-- (15-minute gap), time on task, active days; weekday and hour concentration (normalised PWD,
-- PDH; descriptive, not in the composite); sessions, time on task and hour concentration null
-- when every event is at local midnight (a log of dates only); active-week share = share of the
-- group's course weeks (weeks, counted from the Monday of the week of 1 August and clipped to
-- 0..63, in which at least max(1, ceil(10%)) of the group's pupil-years with indicators were
-- active; at least two needed) in which the pupil was active; weekly similarity; help after
-- error, persistence, help per task, progress views and reflections per ISO week; no indicators
-- under 20 events. Composite: active_week_share, weekly_similarity, (plan indicators),
-- help_after_error_share, persistence_share, progress_views_per_week, reflections_per_week, all
-- sign +, z-scored within the group (grade x school year; here the school year) with the sample
-- SD, a component entering a group with two or more values and SD > 0; the mean of at least 3;
-- terciles within the group, ties by pupil key.
SET TimeZone = 'Europe/Amsterdam';

CREATE TEMP TABLE ev AS
SELECT pupil_key, school_year, ts, kind, object_id, task_id, success,
       file_row_number AS rn,                  -- file order (one file per school year)
       epoch_us(ts) AS us,
       CAST(ts AS DATE) AS day,                 -- local (the session time zone)
       hour(ts) AS hr,
       isodow(ts) AS wd,
       yearweek(ts) AS yw,
       -- microsecond(): microseconds within the minute, seconds included
       hour(ts) = 0 AND minute(ts) = 0 AND microsecond(ts) = 0 AS at_midnight
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
       bool_and(at_midnight) AS dates_only,
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

CREATE TEMP TABLE conc AS
WITH wdc AS (SELECT pupil_key, school_year, wd, count(*) AS c FROM days GROUP BY ALL),
     hrc AS (SELECT pupil_key, school_year, hr, count(*) AS c
             FROM (SELECT DISTINCT pupil_key, school_year, day, hr FROM evs) GROUP BY ALL),
     wdr AS (SELECT pupil_key, school_year,
                    (ln(7) + sum(c / t * ln(c / t))) / ln(7) AS weekday_concentration
             FROM (SELECT *, sum(c) OVER (PARTITION BY pupil_key, school_year) AS t FROM wdc) GROUP BY ALL),
     hrr AS (SELECT pupil_key, school_year,
                    (ln(24) + sum(c / t * ln(c / t))) / ln(24) AS hour_concentration
             FROM (SELECT *, sum(c) OVER (PARTITION BY pupil_key, school_year) AS t FROM hrc) GROUP BY ALL)
SELECT * FROM wdr JOIN hrr USING (pupil_key, school_year);

-- Active-week share. The group (grade x school year) is the school year: no grades here.
CREATE TEMP TABLE aws AS
WITH monday AS (
  SELECT school_year,
         y1 - CAST(isodow(y1) - 1 AS INTEGER) AS first_monday  -- Monday of 1 August's week
  FROM (SELECT DISTINCT school_year, make_date(CAST(left(school_year, 4) AS INTEGER), 8, 1) AS y1
        FROM counts)
), active AS (                                 -- (pupil-year, week) of pupil-years with indicators
  SELECT DISTINCT d.pupil_key, d.school_year,
         least(63, greatest(0, d.day - m.first_monday) // 7) AS k
  FROM days d JOIN monday m USING (school_year)
  JOIN counts c USING (pupil_key, school_year)
  WHERE c.events >= 20
), grp AS (
  SELECT school_year, count(DISTINCT pupil_key) AS n FROM active GROUP BY ALL
), course AS (
  SELECT a.school_year, a.k
  FROM active a JOIN grp g USING (school_year)
  GROUP BY a.school_year, a.k, g.n
  HAVING count(*) >= greatest(1, (g.n + 9) // 10)         -- ceil(n / 10)
), n_course AS (
  SELECT school_year, count(*) AS course_weeks FROM course GROUP BY ALL
)
SELECT a.pupil_key, a.school_year,
       CASE WHEN any_value(n.course_weeks) >= 2
            THEN count(c.k) / any_value(n.course_weeks) END AS active_week_share
FROM active a
LEFT JOIN course c USING (school_year, k)
LEFT JOIN n_course n USING (school_year)
GROUP BY a.pupil_key, a.school_year;

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
SELECT c.pupil_key, c.school_year, c.events,
       CASE WHEN NOT c.dates_only THEN s.sessions END AS sessions,
       c.active_days,
       CASE WHEN NOT c.dates_only THEN s.time_on_task_min END AS time_on_task_min,
       CASE WHEN c.events >= 20 AND c.active_days >= 2 THEN r.weekday_concentration END AS weekday_concentration,
       CASE WHEN c.events >= 20 AND c.active_days >= 2 AND NOT c.dates_only
            THEN r.hour_concentration END AS hour_concentration,
       CASE WHEN c.events >= 20 THEN a.active_week_share END AS active_week_share,
       CASE WHEN c.events >= 20 THEN m.weekly_similarity END AS weekly_similarity,
       CASE WHEN c.events >= 20 THEN e.help_after_error_share END AS help_after_error_share,
       CASE WHEN c.events >= 20 THEN e.persistence_share END AS persistence_share,
       CASE WHEN c.events >= 20 THEN c.views / c.weeks END AS progress_views_per_week,
       CASE WHEN c.events >= 20 THEN c.reflections / c.weeks END AS reflections_per_week,
       CASE WHEN c.events >= 20 AND c.tasks > 0 THEN c.help_requests / c.tasks END AS help_per_task
FROM counts c
LEFT JOIN sess s USING (pupil_key, school_year)
LEFT JOIN conc r USING (pupil_key, school_year)
LEFT JOIN aws a USING (pupil_key, school_year)
LEFT JOIN sim m USING (pupil_key, school_year)
LEFT JOIN err e USING (pupil_key, school_year);

-- Composite: long form, one row per pupil-year and component with a value; a component enters
-- its group (the school year) with two or more values and a positive sample SD.
CREATE TEMP TABLE comp AS
UNPIVOT (SELECT pupil_key, school_year, active_week_share, weekly_similarity,
                help_after_error_share, persistence_share, progress_views_per_week,
                reflections_per_week FROM ind)
ON COLUMNS(* EXCLUDE (pupil_key, school_year)) INTO NAME component VALUE x;

CREATE TEMP TABLE idx AS
WITH sign AS (
  SELECT * FROM (VALUES ('active_week_share', 1.0), ('weekly_similarity', 1.0),
                        ('plan_kept_share', 1.0), ('on_time_share', 1.0),
                        ('median_lateness_days', -1.0), ('deadline_margin_h', 1.0),
                        ('help_after_error_share', 1.0), ('persistence_share', 1.0),
                        ('progress_views_per_week', 1.0), ('reflections_per_week', 1.0))
           AS t(component, sign)
), stats AS (
  SELECT school_year, component, avg(x) AS mean, stddev_samp(x) AS sd
  FROM comp GROUP BY ALL HAVING count(x) >= 2 AND stddev_samp(x) > 0
)
SELECT c.pupil_key, c.school_year,
       CASE WHEN count(*) >= 3 THEN avg(s.sign * (c.x - st.mean) / st.sd) END AS srl_index
FROM comp c
JOIN stats st USING (school_year, component)
JOIN sign s USING (component)
GROUP BY ALL;

COPY (
  SELECT i.*, x.srl_index,
         CAST(CASE WHEN x.srl_index IS NOT NULL THEN
           3 * (row_number() OVER (PARTITION BY i.school_year ORDER BY x.srl_index NULLS LAST, i.pupil_key) - 1)
             // count(x.srl_index) OVER (PARTITION BY i.school_year) + 1 END AS INTEGER) AS srl_tercile
  FROM ind i LEFT JOIN idx x USING (pupil_key, school_year)
  ORDER BY i.pupil_key, i.school_year
) TO '${OUT}' (FORMAT parquet, COMPRESSION zstd);
