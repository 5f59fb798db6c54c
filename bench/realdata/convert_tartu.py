#!/usr/bin/env python3
"""Converts one course year of the University of Tartu course logs (GitHub `knekvasil/T34-P12`,
`data/original/`, data by Reimo Palm) into leerwinst's mapped formats and weekly plans.

The course was a mathematics-heavy university course. Both years follow the same pattern:
- a Friday 12:15 lecture, broadcast live and recorded;
- labs on Monday and Tuesday (attendance not logged);
- 12 online homeworks in English or Estonian, due 23:59, no late submission possible;
- a paper midterm in week 10 and a paper final exam in week 16 or in the exam session, with
  retakes.
See bench/realdata/README.md, "Dataset: University of Tartu course logs", for provenance,
checksums and licence.

Input, in the folder RAW:
- `activity_log_<Y>(in).csv`, where Y is A (the earlier year) or B: `Day,Time,Student,Activity`.
  Day 1 is the first Monday of the semester, Time is the local clock time `HH:MM:SS`, and
  Activity is a label such as `Submitted Homework 3 in Estonian`.
- `grades_<Y>(in).csv`: `Student`; the points per homework and per exam sitting, each in an
  English and an Estonian column; `Bonus` (B only); `Total` and `Grade`. `-` means no result.

Python 3.11, standard library only.

    python3 bench/realdata/convert_tartu.py RAW YEAR OUT [--start 2023-09-04]
        [--plans all|started] [--done first|last] [--min-deadline-submissions K]
        [--until-day D] [--map VERB=KIND ...] [--min-events K]

OUT receives:
- events.csv: `learner,time,verb,task,item,activity`, one line per log row (exact duplicate
  rows are kept, since the log lists them). `time` is `yyyy-mm-dd HH:MM:SS` without an offset.
  `verb` is the label's family (LABELS below), which the pipeline's `[verbs]` maps to a kind.
  `task` is `hwN` for the rows of homework N and `midterm` or `final` for the exam rows that
  help with an exam. `item` says what was opened (`w3/materials/et`, `hw3/feedback/en`), and
  the pipeline does not read it. `activity` is the raw label, also not read by the pipeline.
- plans.csv: the homework deadlines in the `plans-csv` layout
  (`pupil_id,week,task_id,planned_for,due,done_at`), see "Deadlines" below.
- roster.csv: `learner,school,school_year,grade,group`.
- outcome.csv: the exam results, kept out of the pipeline, see "Outcome" below.
- pipeline.toml: the three sources, `[verbs]`, `[indicators]`, and `[privacy] pseudonymise = true`.
- conversion.json: every count, and per homework how its deadline was inferred.

Dates. The log has day numbers, not dates. Day 1 goes to the Monday given by --start (default
2023-09-04, the first Monday of September 2023, in school year 2023-2024), and day d goes to
start + d - 1, so weekdays are kept: lectures stay on Fridays and deadlines on their weekday. The
139 days end in January, all inside one leerwinst school year (1 August to 31 July). The
cancelled Friday lectures fit a spring semester (24 February and Good Friday), but the real
dates do not matter to any indicator. Only the weekday, the local hour and the distance between
days do, and the mapping keeps all three.

Times. The clock time is written as it stands, without an offset, so leerwinst reads it as Dutch
local time and computes dates, weekdays and hours from the same wall clock. Tartu (UTC+2/+3) and
Amsterdam (UTC+1/+2) change to and from summer time on the same EU dates. The instants move by
exactly one hour, but no local date, weekday or hour changes, and those are what leerwinst uses.
The 23:59 deadline stays 23:59. The default start puts no day on the spring change (whose lost
hour does not exist in local time). On the autumn Sunday the hour 02:00-02:59 is read as summer
time, which keeps the wall clock; conversion.json counts such rows. leerwinst measures a
deadline margin as elapsed time (in UTC), so a margin that spans the autumn change is one hour
longer than its wall-clock difference, as it would be in any European autumn term.

Verbs (KIND below). The kinds are leerwinst's (docs/pipeline.md, `[verbs]`):
- `instruction`: course content the learner chooses to study, i.e. the week's study materials
  and slides, joining the live lecture online, and the lecture recordings of this and past
  years.
- `attempt` (task hwN): `Started Homework N`, which means opening the homework's tasks for the
  first time. That is the learner starting work on the task.
- `complete` (task hwN): `Submitted Homework N`.
- `attempt` (no task): `Practiced submitting the homework`, a test box that took any text, any
  number of times, ungraded. It is a try-out of a submission, but its label does not say which
  homework it was for. Without a task it counts as an event but adds no task to help per task.
- `progress_view` (self-monitoring): `Viewed the feedback on Homework N` and `Viewed the feedback
  on the midterm/final exam`, i.e. the learner looking up their own graded result and the
  tutor's comments. This is the log's equivalent of checking a progress dashboard. Note that
  the README says students reopened feedback to see whether it had arrived, so repeated views
  also measure waiting for it.
- `help` (task hwN, midterm or final): `Viewed sample solutions of ...`, published after the
  deadline or the exam. A worked-out solution that the learner chooses to consult is this
  course's form of on-demand help (the nearest thing to a bottom-out hint), tied to one task.
  It cannot be help *during* the task, since it appears after the deadline; it is used to find
  one's own errors. With no answers marked right or wrong in the log, `help` only feeds help
  per task, which is not in the index, so this choice cannot move the composite.
- `other`: the course information page, the announcements forum, the dictionary of terms,
  past years' exams, the midterm review quiz (B only; the log says only that it was viewed)
  and the exam tasks viewed after the exam.

Deadlines. Homework N's task is `hwN`, and its due day is inferred from the log. The README
says a homework was due at 23:59 and could not be submitted late. The rule is therefore: the
due day is the last day on which at least K students submitted it, with
--min-deadline-submissions K = 2 by default. K = 1, the last day anyone submitted it, is the
literal rule, but on this log it moves 4 of the 24 deadlines:
- in 3, a single submission stamped 00:00:02-00:00:26 of the next day (the server let it
  through, or the clocks differ by seconds);
- in one (A, homework 2), a second submission 5 days after the due day, by a student who had
  already submitted on it, after the sample solutions were out.
With K = 2 every inferred deadline is the day with the spike of submissions (25-83 of them, the
most of any day). It is a Monday, Tuesday or Friday, and it is the day before the first view of
the sample solutions in 22 of 24 homeworks. One exception is two days before; the other (B,
homework 11) has a stray view before the homework opened. For the auto-graded homeworks 1 and
3, the first feedback view falls at 23:59 of that day. conversion.json lists, per homework, the
day, weekday, submissions on it, the last day under K = 1 and the submissions after the due
day. The three midnight stragglers count as late, by seconds, which is what they are by the
course's own rule. With --done first, the second submission of A's homework 2 plays no part.

Plan rows (--plans). With `all` (the default) there is one row per learner and homework. With
`started` there is one row only per homework the learner started or submitted. Every enrolled
student was set all 12 homeworks, and they make 20% of the grade. A homework never opened is a
deadline missed as much as one opened and dropped. Counting only opened homeworks would rate a
student who ignores half the course as on time whenever the opened half was handed in.
- `planned_for` is empty: the course set no personal plans, and plans.rs allows an empty
  planned day. Plans kept and median lateness (which need it) stay null for everyone and do
  not enter the index.
- `due` is the inferred day, and `week` is the ISO week of the due day.
- `done_at` is the first submission (--done first). A homework counts as done when a solution
  is first handed in. A later resubmission is a revision, and using the last submission would
  cut the margin of a student who submitted early and then improved the work. In the log only
  2 learner-homeworks have two submissions, so the choice barely matters here.
- A homework not submitted has an empty `done_at`: it counts as not on time and gives no margin.
- The log misses some submissions. The grade sheet gives points to 61 (A) and 32 (B)
  learner-homeworks that were started but have no `Submitted` row. They count as not done, and
  conversion.json lists them as `homework_points_but_no_submission_in_log`. The grades are not
  used to fill them in: they carry no time, and they are part of the outcome side.

Outcome (outcome.csv, never given to the pipeline). Exam points run 0-110, and per sitting the
better of the English and Estonian columns counts (normally one of them is `-`). `-` is missing.
- `outcome`: the best final-exam result over the first and second final exams and the retake.
  This is the main outcome. The exam is a written paper test, apart from the log.
- `final_first_taken`: the final exam at the first sitting taken.
- `final_sittings`.
- `midterm`: the best of the midterm (week 10) and its two retakes.
- `midterm_first_taken`.
- `total`: the course total. It is only a secondary column, since 20% of it is homework points,
  which overlap with the deadline indicators.
- `letter_grade`.
- `hw_submitted`: the homeworks submitted according to the log.

--until-day D keeps only log rows of days <= D and homeworks due by D. Use it to cut the log
before an exam (the first final exam was on day 110, the Friday of week 16; the midterm on day
68), so that no post-exam activity, such as viewing the exam's feedback or studying for a retake,
enters the indicators that are correlated with that exam.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Activity label -> (verb, task, item). Each pattern's groups: n = week or homework number,
# lang = English/Estonian, exam = which exam. The verb is the label's family; KIND maps it to a
# leerwinst kind (override with --map). A label that matches none stops the conversion.
LABELS = [
    (r"Joined Week (?P<n>\d+) lecture on(?:e)?line", "joined_lecture"),  # "oneline" sic, in both years
    (r"Watched Week (?P<n>\d+) lecture recording", "watched_recording"),
    (r"Watched past years' Week (?P<n>\d+) lecture recording", "watched_past_recording"),
    (r"Viewed Week (?P<n>\d+) lecture slides", "viewed_slides"),
    (r"Viewed Week (?P<n>\d+) study materials in (?P<lang>English|Estonian)", "viewed_materials"),
    (r"Started Homework (?P<n>\d+) in (?P<lang>English|Estonian)", "started_homework"),
    (r"Submitted Homework (?P<n>\d+) in (?P<lang>English|Estonian)", "submitted_homework"),
    (r"Practiced submitting the homework in (?P<lang>English|Estonian)", "practiced_submitting"),
    (r"Viewed sample solutions of Homework (?P<n>\d+)", "viewed_homework_solutions"),
    (r"Viewed the feedback on Homework (?P<n>\d+) in (?P<lang>English|Estonian)", "viewed_homework_feedback"),
    (r"Viewed the feedback on the (?P<exam>midterm|final) exam", "viewed_exam_feedback"),
    (r"Viewed sample solutions of the (?P<exam>midterm|final) exam", "viewed_exam_solutions"),
    (r"Viewed (?:the )?(?P<exam>midterm|retake midterm|first final|second final) exam tasks after the exam"
     r" in (?P<lang>English|Estonian)", "viewed_exam_tasks"),
    (r"Viewed past years' exams", "viewed_past_exams"),
    (r"Viewed the midterm exam review quiz", "viewed_review_quiz"),
    (r"Viewed the course information page", "viewed_course_info"),
    (r"Read a post in the announcements forum", "read_announcement"),
    (r"Viewed the dictionary of terms", "viewed_dictionary"),
]
LABELS = [(re.compile(p + r"$"), v) for p, v in LABELS]

# Verb -> leerwinst event kind, argued in the module docstring. Override with --map.
KIND = {
    "joined_lecture": "instruction",
    "watched_recording": "instruction",
    "watched_past_recording": "instruction",
    "viewed_slides": "instruction",
    "viewed_materials": "instruction",
    "started_homework": "attempt",
    "submitted_homework": "complete",
    "practiced_submitting": "attempt",
    "viewed_homework_solutions": "help",
    "viewed_homework_feedback": "progress_view",
    "viewed_exam_feedback": "progress_view",
    "viewed_exam_solutions": "help",
    "viewed_exam_tasks": "other",
    "viewed_past_exams": "other",
    "viewed_review_quiz": "other",
    "viewed_course_info": "other",
    "read_announcement": "other",
    "viewed_dictionary": "other",
}
# Verbs whose rows carry a task id: the homework (hwN), or the exam whose solutions were viewed.
TASK_VERBS = {"started_homework", "submitted_homework", "viewed_homework_solutions",
              "viewed_homework_feedback", "viewed_exam_solutions"}
VALID_KINDS = {
    "attempt", "answer", "complete", "help", "instruction", "progress_view", "reflection", "other",
}
SCHOOL = "UTARTU"  # one course at one university
GRADE = 13  # a constant: leerwinst grades run -1..13, and the grade only groups the z-scores
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LANG = {"English": "en", "Estonian": "et"}

# Exam sittings in grades_<Y>.csv (each with an English and an Estonian column), in time order.
FINAL_SITTINGS = ["First final exam", "Second final exam", "Final exam retake"]
MIDTERM_SITTINGS = ["Midterm exam", "Midterm exam retake", "Midterm exam retake 2"]


def school_year(d: dt.date) -> str:
    """The school year (1 August to 31 July) containing d, as 'YYYY-YYYY'."""
    y = d.year if d.month >= 8 else d.year - 1
    return f"{y}-{y + 1}"


def last_sunday(year: int, month: int) -> dt.date:
    """The last Sunday of a month: the EU's summer-time change in March and October."""
    d = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


def parse_label(label: str):
    """(verb, n, lang, exam) of a raw activity label, or None."""
    for rx, verb in LABELS:
        m = rx.match(label.strip())
        if m:
            g = m.groupdict()
            return verb, g.get("n"), g.get("lang"), g.get("exam")
    return None


def task_and_item(verb: str, n, lang, exam) -> tuple[str, str]:
    lg = LANG.get(lang or "", "")
    suffix = f"/{lg}" if lg else ""
    if verb in ("started_homework", "submitted_homework"):
        return f"hw{n}", f"hw{n}/{verb.split('_')[0]}{suffix}"
    if verb == "viewed_homework_solutions":
        return f"hw{n}", f"hw{n}/solutions"
    if verb == "viewed_homework_feedback":
        return f"hw{n}", f"hw{n}/feedback{suffix}"
    if verb == "viewed_exam_solutions":
        return exam, f"{exam}/solutions"
    if verb == "viewed_exam_feedback":
        return "", f"{exam}/feedback"
    if verb == "viewed_exam_tasks":
        return "", f"{exam.replace(' ', '_')}/tasks{suffix}"
    if verb == "practiced_submitting":
        return "", f"practice{suffix}"
    if n is not None:
        what = {"joined_lecture": "live", "watched_recording": "recording",
                "watched_past_recording": "past_recording", "viewed_slides": "slides",
                "viewed_materials": "materials"}[verb]
        return "", f"w{n}/{what}{suffix}"
    return "", verb


def _num(s: str) -> float | None:
    s = (s or "").strip()
    if s in ("", "-"):
        return None
    try:
        return float(s)
    except ValueError:
        return None


def best_of_versions(row: dict, sitting: str, stats: Counter) -> float | None:
    """The better of a sitting's English and Estonian columns (None when both are '-')."""
    vals = []
    for lang in ("English", "Estonian"):
        col = f"{sitting} ({lang} version)"
        if col not in row:
            continue
        raw = row[col]
        v = _num(raw)
        if v is None and raw.strip() not in ("", "-"):
            stats["grade_cells_unreadable"] += 1
        if v is not None:
            vals.append(v)
    if len(vals) == 2:
        stats[f"both_versions_{sitting}"] += 1
    return max(vals) if vals else None


def fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", type=Path, help="folder with activity_log_<Y>(in).csv and grades_<Y>(in).csv")
    ap.add_argument("year", choices=["A", "B"], help="course year: A (earlier) or B (later)")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--start", default="2023-09-04",
                    help="the date of Day 1, a Monday (default 2023-09-04, school year 2023-2024)")
    ap.add_argument("--plans", choices=["all", "started"], default="all",
                    help="plan rows for every learner x homework (all), or only for homeworks the learner "
                         "started or submitted (started)")
    ap.add_argument("--done", choices=["first", "last"], default="first",
                    help="done_at = the first or the last submission (default first)")
    ap.add_argument("--min-deadline-submissions", type=int, default=2, metavar="K",
                    help="a homework's due day = the last day with at least K submissions (default 2; "
                         "1 = the last day anyone submitted)")
    ap.add_argument("--until-day", type=int, default=None, metavar="D",
                    help="keep only log rows of days <= D and homeworks due by day D")
    ap.add_argument("--map", action="append", default=[], metavar="VERB=KIND",
                    help="map a verb to another kind (e.g. viewed_homework_solutions=other); repeatable")
    ap.add_argument("--min-events", type=int, default=20,
                    help="[indicators] min_events in the pipeline.toml written (leerwinst's default 20)")
    args = ap.parse_args(argv)

    start = dt.date.fromisoformat(args.start)
    if start.weekday() != 0:
        sys.exit(f"error: --start {args.start} is a {WEEKDAYS[start.weekday()]}, not a Monday")
    kinds = dict(KIND)
    for m in args.map:
        v, _, k = m.partition("=")
        if v not in kinds or k not in VALID_KINDS:
            sys.exit(f"error: --map {m!r}: verb must be one of {sorted(kinds)}, kind one of {sorted(VALID_KINDS)}")
        kinds[v] = k
    if args.min_deadline_submissions < 1:
        sys.exit("error: --min-deadline-submissions must be at least 1")

    log_path = args.raw / f"activity_log_{args.year}(in).csv"
    grades_path = args.raw / f"grades_{args.year}(in).csv"
    for p in (log_path, grades_path):
        if not p.is_file():
            sys.exit(f"error: {p} not found")

    def day_date(d: int) -> dt.date:
        return start + dt.timedelta(days=d - 1)

    stats: Counter = Counter()
    # ---- the log
    events = []  # (learner, day, time, verb, task, item, label)
    unknown: Counter = Counter()
    with open(log_path, newline="", encoding="utf-8") as fh:
        r = csv.reader(fh)
        header = next(r)
        if header != ["Day", "Time", "Student", "Activity"]:
            sys.exit(f"error: {log_path}: expected header Day,Time,Student,Activity, got {header}")
        seen_rows = set()
        for row in r:
            stats["log_rows_read"] += 1
            if len(row) != 4:
                stats["log_rows_wrong_field_count"] += 1
                continue
            day_s, time_s, learner, label = (c.strip() for c in row)
            try:
                day = int(day_s)
                clock = dt.time.fromisoformat(time_s)
            except ValueError:
                stats["log_rows_unreadable"] += 1
                continue
            if day < 1 or not learner:
                stats["log_rows_unreadable"] += 1
                continue
            parsed = parse_label(label)
            if parsed is None:
                unknown[label] += 1
                continue
            key = (day, time_s, learner, label)
            if key in seen_rows:
                stats["log_rows_exact_duplicates_kept"] += 1
            seen_rows.add(key)
            verb, n, lang, exam = parsed
            task, item = task_and_item(verb, n, lang, exam)
            events.append((learner, day, clock, verb, task, item, label))
    if unknown:
        sys.exit(f"error: activity labels without a verb (add them to LABELS): {dict(unknown)}")

    # ---- deadlines: per homework, the last day with >= K submissions
    subs: dict[str, list] = defaultdict(list)  # hw -> [(day, time, learner)]
    first_solution_view: dict[str, int] = {}
    for learner, day, clock, verb, task, _, _ in events:
        if verb == "submitted_homework":
            subs[task].append((day, clock, learner))
        elif verb == "viewed_homework_solutions":
            first_solution_view[task] = min(day, first_solution_view.get(task, day))
    hws = sorted(subs, key=lambda t: int(t[2:]))
    due_day: dict[str, int] = {}
    deadlines = {}
    for hw in hws:
        per_day = Counter(d for d, _, _ in subs[hw])
        ok = [d for d, c in per_day.items() if c >= args.min_deadline_submissions]
        due = max(ok) if ok else max(per_day)
        due_day[hw] = due
        late = sorted((d, c.isoformat()) for d, c, _ in subs[hw] if d > due)
        deadlines[hw] = {
            "due_day": due,
            "due_date": day_date(due).isoformat(),
            "weekday": WEEKDAYS[(due - 1) % 7],
            "submissions": len(subs[hw]),
            "submissions_on_due_day": per_day[due],
            "last_day_anyone_submitted": max(per_day),
            "first_sample_solution_view_day": first_solution_view.get(hw),
            "submissions_after_due_day": [f"day {d} {t}" for d, t in late],
        }
    stats["homeworks_with_submissions"] = len(hws)
    stats["deadlines_differing_from_last_submission_day"] = sum(
        1 for v in deadlines.values() if v["due_day"] != v["last_day_anyone_submitted"])
    stats["deadlines_day_before_first_solution_view"] = sum(
        1 for v in deadlines.values() if v["first_sample_solution_view_day"] == v["due_day"] + 1)

    # ---- grades and the roster
    with open(grades_path, newline="", encoding="utf-8") as fh:
        grades = list(csv.DictReader(fh))
    if not grades or "Student" not in grades[0]:
        sys.exit(f"error: {grades_path}: no Student column")
    learners = sorted({g["Student"].strip() for g in grades} | {e[0] for e in events})
    stats["learners_in_grades"] = len({g["Student"].strip() for g in grades})
    stats["learners_in_log"] = len({e[0] for e in events})
    stats["learners_in_log_not_in_grades"] = len({e[0] for e in events} - {g["Student"].strip() for g in grades})
    stats["learners_in_grades_not_in_log"] = len({g["Student"].strip() for g in grades} - {e[0] for e in events})

    # ---- --until-day
    if args.until_day is not None:
        kept = [e for e in events if e[1] <= args.until_day]
        stats["log_rows_dropped_after_until_day"] = len(events) - len(kept)
        events = kept
        hws_planned = [hw for hw in hws if due_day[hw] <= args.until_day]
    else:
        hws_planned = list(hws)

    args.out.mkdir(parents=True, exist_ok=True)
    by_verb: Counter = Counter()
    by_kind: Counter = Counter()
    year_of: dict[str, Counter] = defaultdict(Counter)
    with open(args.out / "events.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "time", "verb", "task", "item", "activity"])
        for learner, day, clock, verb, task, item, label in sorted(events, key=lambda e: (e[0], e[1], e[2])):
            date = day_date(day)
            if date == last_sunday(date.year, 3) and clock.hour == 2:
                stats["rows_in_the_spring_gap"] += 1  # 02:00-02:59 does not exist in local time
            if date == last_sunday(date.year, 10) and clock.hour == 2:
                stats["rows_in_the_repeated_autumn_hour"] += 1
            w.writerow([learner, f"{date.isoformat()} {clock.isoformat()}", verb, task, item, label])
            by_verb[verb] += 1
            by_kind[kinds[verb]] += 1
            year_of[learner][school_year(date)] += 1

    # ---- plans
    started: set = set()
    done_at: dict[tuple, tuple] = {}
    for learner, day, clock, verb, task, _, _ in events:
        if verb == "started_homework":
            started.add((learner, task))
        elif verb == "submitted_homework":
            started.add((learner, task))
            k = (learner, task)
            t = (day, clock)
            if k not in done_at or (t < done_at[k] if args.done == "first" else t > done_at[k]):
                done_at[k] = t
            stats["submissions"] += 1
    stats["learner_homeworks_submitted_more_than_once"] = sum(
        1 for c in Counter((e[0], e[4]) for e in events if e[3] == "submitted_homework").values() if c > 1)
    plan_counts: Counter = Counter()
    with open(args.out / "plans.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["pupil_id", "week", "task_id", "planned_for", "due", "done_at"])
        for learner in learners:
            for hw in hws_planned:
                if args.plans == "started" and (learner, hw) not in started:
                    continue
                due = day_date(due_day[hw])
                iso = due.isocalendar()
                done = done_at.get((learner, hw))
                done_s = ""
                if done is None:
                    plan_counts["not_done"] += 1
                else:
                    done_s = f"{day_date(done[0]).strftime('%d-%m-%Y')} {done[1].isoformat()}"
                    plan_counts["done_by_due_day" if done[0] <= due_day[hw] else "done_after_due_day"] += 1
                w.writerow([learner, f"{iso[0]}-W{iso[1]:02d}", hw, "", due.strftime("%d-%m-%Y"), done_s])
                plan_counts["rows"] += 1

    # ---- roster: the school year holding most of the learner's events (the default start puts
    # all of them in one year); learners without events get the year of Day 1.
    with open(args.out / "roster.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "school", "school_year", "grade", "group"])
        for learner in learners:
            ys = year_of.get(learner)
            sy = max(ys.items(), key=lambda kv: (kv[1], kv[0]))[0] if ys else school_year(day_date(1))
            w.writerow([learner, SCHOOL, sy, GRADE, f"course-{args.year}"])

    # ---- outcome
    hw_submitted = Counter(learner for learner, hw in done_at)
    n_out: Counter = Counter()
    with open(args.out / "outcome.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "outcome", "final_first_taken", "final_sittings", "midterm",
                    "midterm_first_taken", "total", "letter_grade", "hw_submitted"])
        for g in sorted(grades, key=lambda g: g["Student"].strip()):
            learner = g["Student"].strip()
            finals = [best_of_versions(g, s, stats) for s in FINAL_SITTINGS]
            mids = [best_of_versions(g, s, stats) for s in MIDTERM_SITTINGS]
            f_taken = [x for x in finals if x is not None]
            m_taken = [x for x in mids if x is not None]
            total = _num(g.get("Total", ""))
            row = [learner, fmt(max(f_taken) if f_taken else None), fmt(f_taken[0] if f_taken else None),
                   len(f_taken), fmt(max(m_taken) if m_taken else None),
                   fmt(m_taken[0] if m_taken else None), fmt(total), g.get("Grade", "").strip(),
                   hw_submitted.get(learner, 0)]
            w.writerow(row)
            n_out["with_final_exam"] += bool(f_taken)
            n_out["with_midterm"] += bool(m_taken)
            n_out["with_total"] += total is not None
            n_out["final_exam_zero"] += bool(f_taken) and max(f_taken) == 0
            n_out[f"final_sittings_{len(f_taken)}"] += 1
            # Consistency of the log with the grade sheet. The sheet gives 0 points to a
            # homework started and not submitted, so compare submissions with a grade > 0, and
            # grades of '-' with no start at all.
            for i in range(1, 13):
                pts = [_num(g.get(f"Homework {i} ({lang} version)", "")) for lang in ("English", "Estonian")]
                pts = [x for x in pts if x is not None]
                k = (learner, f"hw{i}")
                if k in done_at and not pts:
                    n_out["homework_submitted_in_log_but_no_grade"] += 1
                if k not in done_at and pts and max(pts) > 0:
                    n_out["homework_points_but_no_submission_in_log"] += 1
                if k in started and k not in done_at and pts and max(pts) == 0:
                    n_out["homework_started_not_submitted_graded_0"] += 1

    verbs = "\n".join(f'{v} = "{kinds[v]}"' for v in KIND)
    (args.out / "pipeline.toml").write_text(PIPELINE.format(
        year=args.year, verbs=verbs, min_events=args.min_events, start=args.start))

    days = [e[1] for e in events]
    report = {
        "log_file": str(log_path),
        "grades_file": str(grades_path),
        "course_year": args.year,
        "day_1": day_date(1).isoformat(),
        "days": [min(days), max(days)] if days else None,
        "dates": [day_date(min(days)).isoformat(), day_date(max(days)).isoformat()] if days else None,
        "learners": len(learners),
        "school_years": dict(Counter(max(c.items(), key=lambda kv: (kv[1], kv[0]))[0]
                                     for c in year_of.values())),
        "events_written": len(events),
        "events_by_verb": dict(sorted(by_verb.items())),
        "events_by_kind": dict(sorted(by_kind.items())),
        "deadlines": deadlines,
        "homeworks_planned": hws_planned,
        "plans": dict(plan_counts),
        "outcomes": dict(n_out),
        "kinds": kinds,
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        **{k: v for k, v in sorted(stats.items())},
    }
    (args.out / "conversion.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "deadlines"}, indent=2))
    return 0


PIPELINE = """\
# University of Tartu course logs, course year {year} (GitHub knekvasil/T34-P12, data/original/),
# converted by bench/realdata/convert_tartu.py. Day 1 = {start}; clock times are the log's local
# times, read as Dutch local time. Homework deadlines as weekly plans (no planned day). The exam
# outcome is kept apart in outcome.csv. Paths are relative to this file.
# Run: LEERWINST_KEY=<16+ chars> leerwinst ingest pipeline.toml --out O && leerwinst transform pipeline.toml --out O

[pipeline]
name = "tartu-{year}-real-srl"
description = "University of Tartu course logs, year {year}: one course, for SRL validity checks"
language = "en"

[privacy]
pseudonymise = true

[[source]]
name = "roster"
format = "mapped-roster"
path = "roster.csv"

[source.mapping]
columns = {{ pupil_id = "learner", school = "school", school_year = "school_year", grade = "grade", group = "group" }}

[[source]]
name = "events"
format = "mapped-events"
path = "events.csv"

[source.mapping]
columns = {{ pupil_id = "learner", time = "time", verb = "verb", task_id = "task" }}

[[source]]
name = "deadlines"
format = "plans-csv"
path = "plans.csv"

# The label families of the Tartu log (verb column of events.csv).
[verbs]
{verbs}

[indicators]
session_gap_min = 15
min_events = {min_events}
"""

if __name__ == "__main__":
    sys.exit(main())
