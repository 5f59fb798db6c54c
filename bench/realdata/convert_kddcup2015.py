#!/usr/bin/env python3
"""Converts one course of the KDD Cup 2015 (XuetangX MOOC) dropout data, in the per-course
daily-count layout of GitHub `KowsarTLB/Courses_datasets`, into leerwinst's mapped formats.

Input (see bench/realdata/README.md, "KDD Cup 2015"):
- COURSE_CSV, e.g. trainCourse4307.csv: `enrollment_id,time,event_access,event_discussion,
  event_navigate,event_page_close,event_problem,event_video,event_wiki`. There is one row per
  enrollment and day of the course's 30-day window (`time` = yyyy-mm-dd), zero days included,
  and each cell is a click count.
- TRUTH_CSV, truth_train.csv: `enrollment_id,label`, where label 1 = dropout (no activity in
  the 10 days after the window) and 0 = not dropped.

An enrollment (one learner in one course) is a leerwinst "learner". A course file holds one
course, so the enrollment id is the learner id.

Python 3.11, standard library only.

    python3 bench/realdata/convert_kddcup2015.py COURSE_CSV TRUTH_CSV OUT
        [--max-learners N] [--seed S] [--map TYPE=KIND ...] [--min-events K]
        [--subset-min-active-days D] [--expand-counts]

OUT receives:
- events.csv: `learner,time,verb,count`, one line per enrollment × day × event type with a
  count > 0. `time` is the date, `verb` is the raw type. With --expand-counts, the file instead
  has one line per event (`learner,time,verb`, a line repeated `count` times), and no count
  column.
- roster.csv: `learner,school,school_year,grade`.
- outcome.csv: `learner,outcome,dropout,active_days,events,outcome_active<D>`.
- pipeline.toml: its `[verbs]` maps each type to a kind.
- conversion.json: the counts.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

# Raw event type (the column name without `event_`) -> leerwinst event kind. Override with --map.
# Meanings from the KDD Cup 2015 task description: problem = working on a course assignment;
# video = watching a course video; access = accessing other course objects; navigate = navigating
# to other parts of the course; page_close = closing the page; discussion = the forum; wiki =
# the course wiki.
KIND = {
    "problem": "answer",  # no success flag in the data
    "video": "instruction",
    "access": "other",
    "navigate": "other",
    "page_close": "other",
    "discussion": "other",
    "wiki": "other",
}
VALID_KINDS = {
    "attempt", "answer", "complete", "help", "instruction", "progress_view", "reflection", "other",
}
SCHOOL = "XUETANGX"  # a constant: one course on one platform
GRADE = 13  # a constant: leerwinst grades run -1..13, and the grade only groups the z-scores


def school_year(d: dt.date) -> str:
    y = d.year if d.month >= 8 else d.year - 1
    return f"{y}-{y + 1}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("course_csv", type=Path, help="trainCourse<N>.csv (daily counts of one course)")
    ap.add_argument("truth_csv", type=Path, help="truth_train.csv (enrollment_id,label; 1 = dropout)")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--max-learners", type=int, default=None,
                    help="keep at most N enrollments: the first N ids in numeric order, or a sample with --seed")
    ap.add_argument("--seed", type=int, default=None, help="sample enrollments at random with this seed")
    ap.add_argument("--map", action="append", default=[], metavar="TYPE=KIND",
                    help="map a raw event type to a kind (e.g. navigate=progress_view); repeatable")
    ap.add_argument("--min-events", type=int, default=20,
                    help="[indicators] min_events in the pipeline.toml written (leerwinst's default 20)")
    ap.add_argument("--subset-min-active-days", type=int, default=5,
                    help="outcome.csv's outcome_active<D> holds the outcome only for enrollments with "
                         "at least D active days (default 5)")
    ap.add_argument("--expand-counts", action="store_true",
                    help="write one line per event instead of a count column (for a leerwinst build whose "
                         "ingest cannot take `count`)")
    args = ap.parse_args(argv)

    kinds = dict(KIND)
    for m in args.map:
        t, _, k = m.partition("=")
        if t not in kinds or k not in VALID_KINDS:
            sys.exit(f"error: --map {m!r}: type must be one of {sorted(kinds)}, kind one of {sorted(VALID_KINDS)}")
        kinds[t] = k

    stats: Counter = Counter()
    with open(args.truth_csv, newline="", encoding="utf-8") as fh:
        r = csv.DictReader(fh)
        if r.fieldnames != ["enrollment_id", "label"]:
            sys.exit(f"error: {args.truth_csv}: expected header enrollment_id,label, got {r.fieldnames}")
        truth = {}
        for row in r:
            if row["label"] not in ("0", "1"):
                stats["truth_rows_bad_label"] += 1
                continue
            truth[row["enrollment_id"].strip()] = int(row["label"])

    # daily[learner][date][type] = count; days[learner] = set of dates listed (active or not).
    daily: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    listed_days: dict[str, set] = defaultdict(set)
    with open(args.course_csv, newline="", encoding="utf-8") as fh:
        r = csv.reader(fh)
        header = next(r)
        if header[:2] != ["enrollment_id", "time"] or not all(h.startswith("event_") for h in header[2:]):
            sys.exit(f"error: {args.course_csv}: unexpected header {header}")
        types = [h[len("event_"):] for h in header[2:]]
        unknown = [t for t in types if t not in kinds]
        if unknown:
            sys.exit(f"error: event types without a kind: {unknown} (add to KIND or use --map)")
        for row in r:
            stats["rows_read"] += 1
            if len(row) != len(header):
                stats["rows_wrong_field_count"] += 1
                continue
            learner, day = row[0].strip(), row[1].strip()
            try:
                dt.date.fromisoformat(day)
                counts = [int(c) for c in row[2:]]
            except ValueError:
                stats["rows_unreadable"] += 1
                continue
            if day in listed_days[learner]:
                stats["rows_duplicate_day"] += 1
                continue
            listed_days[learner].add(day)
            if any(c < 0 for c in counts):
                stats["rows_negative_count"] += 1
                continue
            if not any(counts):
                stats["rows_zero_day"] += 1
                continue
            stats["rows_active_day"] += 1
            for t, c in zip(types, counts):
                if c:
                    daily[learner][day][t] += c

    learners = sorted(listed_days, key=lambda x: (len(x), x))
    stats["enrollments_in_file"] = len(learners)
    stats["enrollments_without_activity"] = sum(1 for x in learners if x not in daily)
    stats["days_listed_per_enrollment"] = dict(Counter(len(listed_days[x]) for x in learners))
    if args.max_learners is not None and len(learners) > args.max_learners:
        if args.seed is not None:
            learners = sorted(random.Random(args.seed).sample(learners, args.max_learners),
                              key=lambda x: (len(x), x))
        else:
            learners = learners[: args.max_learners]

    args.out.mkdir(parents=True, exist_ok=True)
    by_type: Counter = Counter()
    by_kind: Counter = Counter()
    lines = 0
    year_of = {}
    with open(args.out / "events.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "time", "verb"] + ([] if args.expand_counts else ["count"]))
        for x in learners:
            for day in sorted(daily.get(x, {})):
                for t in types:
                    c = daily[x][day].get(t, 0)
                    if c and args.expand_counts:
                        w.writerows([[x, day, t]] * c)
                        lines += c
                    elif c:
                        w.writerow([x, day, t, c])
                        lines += 1
                    if c:
                        by_type[t] += c
                        by_kind[kinds[t]] += c
            # School year: the August-July year holding most of the enrollment's active days
            # (else of its listed days); ties go to the later year.
            days = daily.get(x) or {d: None for d in listed_days[x]}
            per_year = Counter(school_year(dt.date.fromisoformat(d)) for d in days)
            year_of[x] = max(per_year.items(), key=lambda kv: (kv[1], kv[0]))[0]

    with open(args.out / "roster.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "school", "school_year", "grade"])
        for x in learners:
            w.writerow([x, SCHOOL, year_of[x], GRADE])

    d_min = args.subset_min_active_days
    sub_col = f"outcome_active{d_min}"
    n_outcome = Counter()
    with open(args.out / "outcome.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "outcome", "dropout", "active_days", "events", sub_col])
        for x in learners:
            if x not in truth:
                n_outcome["no_label"] += 1
                continue
            label = truth[x]
            active = len(daily.get(x, {}))
            events = sum(sum(c.values()) for c in daily.get(x, {}).values())
            completed = 1 - label
            n_outcome["completed" if completed else "dropped"] += 1
            w.writerow([x, completed, label, active, events, completed if active >= d_min else ""])
            if active >= d_min:
                n_outcome[f"with_{d_min}+_active_days"] += 1

    verbs = "\n".join(f'{t} = "{kinds[t]}"' for t in types)
    count_col = "" if args.expand_counts else ', count = "count"'
    (args.out / "pipeline.toml").write_text(PIPELINE.format(
        course=args.course_csv.name, verbs=verbs, min_events=args.min_events, count_col=count_col))

    all_dates = sorted({d for x in learners for d in listed_days[x]})
    report = {
        "course_file": str(args.course_csv),
        "truth_file": str(args.truth_csv),
        "window": [all_dates[0], all_dates[-1]] if all_dates else None,
        "learners": len(learners),
        "school_years": dict(Counter(year_of.values())),
        "outcomes": dict(n_outcome),
        "event_lines_written": lines,
        "events_by_type": dict(sorted(by_type.items())),
        "events_by_kind": dict(sorted(by_kind.items())),
        "events_total": sum(by_type.values()),
        "max_count_in_a_line": max((c for x in learners for d in daily.get(x, {}).values()
                                    for c in d.values()), default=0),
        "kinds": kinds,
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        **{k: v for k, v in sorted(stats.items())},
    }
    (args.out / "conversion.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


PIPELINE = """\
# KDD Cup 2015 (XuetangX MOOC) dropout data, one course ({course}), daily click counts per event
# type, converted by bench/realdata/convert_kddcup2015.py. Learner = enrollment; dates only, so
# sessions, time on task and hour concentration stay null. Outcome (dropout) is kept apart in
# outcome.csv. Paths are relative to this file.
# Run: LEERWINST_KEY=<16+ chars> leerwinst ingest pipeline.toml --out O && leerwinst transform pipeline.toml --out O

[pipeline]
name = "kddcup2015-real-srl"
description = "KDD Cup 2015 / XuetangX: one MOOC course, daily counts, for SRL validity checks"
language = "en"

[[source]]
name = "roster"
format = "mapped-roster"
path = "roster.csv"

[source.mapping]
columns = {{ pupil_id = "learner", school = "school", school_year = "school_year", grade = "grade" }}

[[source]]
name = "events"
format = "mapped-events"
path = "events.csv"

[source.mapping]
columns = {{ pupil_id = "learner", time = "time", verb = "verb"{count_col} }}

# The raw event types of the KDD Cup log.
[verbs]
{verbs}

[indicators]
session_gap_min = 15
min_events = {min_events}
"""

if __name__ == "__main__":
    sys.exit(main())
