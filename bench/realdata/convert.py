#!/usr/bin/env python3
"""Converts the public EPM learning log (Vahdat et al. 2015) into leerwinst's mapped formats.

EPM, "Educational Process Mining: A Learning Analytics Data Set": 115 first-year engineering
students of the University of Genoa, six laboratory sessions of a digital-electronics course
(October-December 2014) in the Deeds simulator, one row per activity interval (start and end
clock time, local Genoa time), plus the final exam's grades (two sittings) and the graded lab
assignments. See bench/realdata/README.md for provenance, licence and the column mapping.

Python 3.11, standard library only (the .xlsx grade sheets are read with zipfile + ElementTree).

    python3 bench/realdata/convert.py RAW OUT [--max-learners N] [--seed S]
        [--require-outcome] [--min-events K] [--aulaweb KIND] [--drop-offtask]

RAW is the data set's folder as distributed ("EPM Dataset 2", holding Data/Processes/Session
1..6, Data/final_grades.xlsx, Data/intermediate_grades.xlsx), or its Data/ folder. OUT receives
events.csv, roster.csv, outcome.csv, pipeline.toml and conversion.json (counts of what was read,
mapped and dropped).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# Activity label -> leerwinst event kind. The label's exercise suffix (_<session>_<exercise>) is
# stripped before the lookup. Edit here, or use --aulaweb / --drop-offtask.
KIND = {
    "Study_Es": "instruction",  # reading the exercise's text (the lab's instructions)
    "Study_Materials": "instruction",  # course material provided by the instructor
    "Deeds_Es": "attempt",  # working on the exercise in the circuit simulator
    "FSM_Es": "attempt",  # working on the exercise in the finite-state-machine simulator
    "TextEditor_Es": "answer",  # writing the exercise's answer (graded later; no success flag)
    "Deeds": "other",  # other simulator use (saving an image, exporting VHDL)
    "Diagram": "other",  # timing-diagram tool
    "Properties": "other",  # component properties window
    "FSM_Related": "other",  # FSM simulator components
    "Fsm_Related": "other",  # (spelling variant in the data)
    "TextEditor": "other",  # text editor, not on an exercise
    "Aulaweb": "other",  # the course's Moodle (downloads, uploads, forum): see --aulaweb
    "Blank": "other",  # window title not recorded: see --drop-offtask
    "Other": "other",  # anything else, mostly off-task (e.g. social media): see --drop-offtask
}
OFFTASK = {"Blank", "Other"}
VALID_KINDS = {
    "attempt", "answer", "complete", "help", "instruction", "progress_view", "reflection", "other",
}

SCHOOL = "UNIGE"  # one course at one university
GRADE = 13  # first-year university; leerwinst grades run -1..13 (only a grouping constant here)
TZ_NAME = "Europe/Rome"  # the lab's clock (the data set's times are local and carry no zone)
TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
EXERCISE_SUFFIX = re.compile(r"^(?P<base>.+?)_(?P<s>\d+)_(?P<e>\d+)$")


# ---------------------------------------------------------------------------------------------
# Time zone: zoneinfo when the system has its database, else the EU rule (CEST from the last
# Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC), which is what Italy used
# throughout the data set's years.
def _last_sunday(year: int, month: int) -> dt.date:
    d = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


def _eu_offset(local: dt.datetime) -> dt.timedelta:
    y = local.year
    start = dt.datetime.combine(_last_sunday(y, 3), dt.time(2, 0))  # 01:00 UTC = 02:00 CET
    end = dt.datetime.combine(_last_sunday(y, 10), dt.time(3, 0))  # 01:00 UTC = 03:00 CEST
    return dt.timedelta(hours=2 if start <= local < end else 1)


try:
    from zoneinfo import ZoneInfo

    _TZ = ZoneInfo(TZ_NAME)
except Exception:  # no tz database on this machine
    _TZ = None


def rfc3339(local: dt.datetime) -> str:
    """Local Genoa wall-clock time as RFC 3339 with its UTC offset."""
    if _TZ is not None:
        return local.replace(tzinfo=_TZ).isoformat(timespec="seconds")
    off = _eu_offset(local)
    return local.replace(tzinfo=dt.timezone(off)).isoformat(timespec="seconds")


def school_year(d: dt.date) -> str:
    """The school year (1 August to 31 July) containing d, as 'YYYY-YYYY'."""
    y = d.year if d.month >= 8 else d.year - 1
    return f"{y}-{y + 1}"


# ---------------------------------------------------------------------------------------------
# Minimal .xlsx reader (shared strings, numbers, inline strings), one list of rows per sheet.
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def read_xlsx(path: Path) -> dict[str, list[list[str]]]:
    z = zipfile.ZipFile(path)
    shared: list[str] = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", _NS):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target_of = {r.get("Id"): r.get("Target") for r in rels}
    out: dict[str, list[list[str]]] = {}
    for sheet in wb.find("m:sheets", _NS):
        target = target_of[sheet.get(f"{{{_NS['r']}}}id")].lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        rows = []
        for row in ET.fromstring(z.read(target)).iter(f"{{{_NS['m']}}}row"):
            cells: dict[int, str] = {}
            for c in row.findall("m:c", _NS):
                letters = re.match(r"[A-Z]+", c.get("r")).group()
                col = 0
                for ch in letters:
                    col = col * 26 + ord(ch) - 64
                v = c.find("m:v", _NS)
                t = c.get("t")
                if t == "s":
                    val = shared[int(v.text)]
                elif t == "inlineStr":
                    val = "".join(x.text or "" for x in c.iter(f"{{{_NS['m']}}}t"))
                else:
                    val = v.text if v is not None and v.text is not None else ""
                cells[col - 1] = val.strip()
            n = max(cells) + 1 if cells else 0
            rows.append([cells.get(i, "") for i in range(n)])
        out[sheet.get("name")] = rows
    return out


def _num(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
def find_data_dir(raw: Path) -> Path:
    for cand in (raw, raw / "Data", raw / "EPM Dataset 2" / "Data"):
        if (cand / "Processes").is_dir():
            return cand
    sys.exit(f"error: no Processes/ folder under {raw} (expected the EPM 'Data' folder)")


def learner_sort_key(x: str):
    return (0, int(x), "") if x.isdigit() else (1, 0, x)


def read_outcomes(data: Path) -> dict[str, dict]:
    """Per learner: exam totals per sitting, best, first sitting taken, and the mean lab grade."""
    out: dict[str, dict] = defaultdict(dict)
    finals = read_xlsx(data / "final_grades.xlsx")
    for sitting, (name, rows) in enumerate(finals.items(), start=1):
        head = [h.replace("\n", " ") for h in rows[0]]
        total_col = next(i for i, h in enumerate(head) if h.upper().startswith("TOTAL"))
        for r in rows[1:]:
            if not r or not r[0]:
                continue
            sid = str(int(float(r[0])))
            total = _num(r[total_col]) if total_col < len(r) else None
            if total is not None:
                out[sid][f"exam_{['first', 'second'][sitting - 1]}"] = total
    inter = read_xlsx(data / "intermediate_grades.xlsx")
    for rows in inter.values():
        for r in rows[1:]:
            if not r or not r[0]:
                continue
            sid = str(int(float(r[0])))
            vals = [v for v in (_num(x) for x in r[1:]) if v is not None]
            if vals:
                out[sid]["lab_mean"] = sum(vals) / len(vals)
    for sid, o in out.items():
        sittings = [o[k] for k in ("exam_first", "exam_second") if k in o]
        o["exam_sittings"] = len(sittings)
        if sittings:
            o["exam_taken_first"] = sittings[0]
            o["exam_best"] = max(sittings)
    return out


def read_events(data: Path, kinds: dict[str, str], drop_offtask: bool, stats: Counter):
    """Yields one dict per activity interval, in file order."""
    proc = data / "Processes"
    sessions = sorted(
        (p for p in proc.iterdir() if p.is_dir()), key=lambda p: int(re.sub(r"\D", "", p.name) or 0)
    )
    for sdir in sessions:
        for f in sorted(sdir.iterdir(), key=lambda p: learner_sort_key(p.name)):
            if not f.is_file():
                continue
            text = f.read_bytes().decode("utf-8", errors="replace")
            for line in text.splitlines():
                if not line.strip():
                    continue
                stats["rows_read"] += 1
                p = [x.strip() for x in line.split(",")]
                if len(p) != 13:
                    stats["rows_malformed"] += 1
                    continue
                session, learner, exercise, activity, start, end = p[:6]
                try:
                    t0 = dt.datetime.strptime(start, TIME_FORMAT)
                    t1 = dt.datetime.strptime(end, TIME_FORMAT)
                except ValueError:
                    stats["rows_bad_time"] += 1
                    continue
                m = EXERCISE_SUFFIX.match(activity)
                base = m.group("base") if m else activity
                if drop_offtask and base in OFFTASK:
                    stats["rows_dropped_offtask"] += 1
                    continue
                kind = kinds.get(base)
                if kind is None:
                    stats[f"unknown_activity:{activity}"] += 1
                    kind = "other"
                if m:
                    item = f"Es_{m.group('s')}_{m.group('e')}"
                elif exercise and exercise != "Es":
                    item = exercise
                else:
                    item = ""
                dur = (t1 - t0).total_seconds()
                if dur < 0:
                    stats["rows_negative_duration"] += 1
                yield {
                    "learner": learner,
                    "local": t0,
                    "verb": kind,
                    "item": item,
                    "task": f"lab{session}",
                    "duration": "" if dur < 0 else f"{dur:g}",
                    "activity": activity,
                }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", type=Path, help="the EPM data set folder (or its Data/ folder)")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--max-learners", type=int, default=None,
                    help="keep at most N learners: the first N ids in numeric order, or a seeded "
                         "random sample with --seed")
    ap.add_argument("--seed", type=int, default=None, help="sample learners at random with this seed")
    ap.add_argument("--require-outcome", action="store_true",
                    help="keep only learners with a final-exam grade")
    ap.add_argument("--min-events", type=int, default=0,
                    help="drop learners with fewer events (after the other filters)")
    ap.add_argument("--aulaweb", default="other", choices=sorted(VALID_KINDS),
                    help="event kind of Aulaweb (Moodle) pages; default other")
    ap.add_argument("--drop-offtask", action="store_true",
                    help="drop 'Blank' and 'Other' activity rows (untitled or off-task windows)")
    args = ap.parse_args(argv)

    data = find_data_dir(args.raw)
    kinds = dict(KIND)
    kinds["Aulaweb"] = args.aulaweb
    stats: Counter = Counter()
    events = list(read_events(data, kinds, args.drop_offtask, stats))
    outcomes = read_outcomes(data)

    # One school year per learner: the one holding most of the learner's events.
    per_year: dict[str, Counter] = defaultdict(Counter)
    for e in events:
        per_year[e["learner"]][school_year(e["local"].date())] += 1
    year_of = {k: v.most_common(1)[0][0] for k, v in per_year.items()}
    kept = []
    for e in events:
        if school_year(e["local"].date()) != year_of[e["learner"]]:
            stats["events_outside_school_year_dropped"] += 1
            continue
        kept.append(e)
    events = kept

    learners = sorted({e["learner"] for e in events}, key=learner_sort_key)
    stats["learners_with_events"] = len(learners)
    if args.require_outcome:
        learners = [x for x in learners if "exam_taken_first" in outcomes.get(x, {})]
    counts = Counter(e["learner"] for e in events)
    if args.min_events:
        before = len(learners)
        learners = [x for x in learners if counts[x] >= args.min_events]
        stats["learners_below_min_events"] = before - len(learners)
    if args.max_learners is not None and len(learners) > args.max_learners:
        if args.seed is not None:
            learners = sorted(random.Random(args.seed).sample(learners, args.max_learners),
                              key=learner_sort_key)
        else:
            learners = learners[: args.max_learners]
    keep = set(learners)
    events = [e for e in events if e["learner"] in keep]
    events.sort(key=lambda e: (learner_sort_key(e["learner"]), e["local"]))  # stable: file order on ties

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "events.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "time", "verb", "item", "task", "success", "duration", "activity"])
        for e in events:
            w.writerow([e["learner"], rfc3339(e["local"]), e["verb"], e["item"], e["task"], "",
                        e["duration"], e["activity"]])
    with open(args.out / "roster.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "school", "school_year", "grade"])
        for x in learners:
            w.writerow([x, SCHOOL, year_of[x], GRADE])
    cols = ["exam_first", "exam_second", "exam_best", "exam_sittings", "lab_mean"]
    n_outcome = 0
    with open(args.out / "outcome.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["learner", "outcome", *cols])
        for x in learners:
            o = outcomes.get(x, {})
            if "exam_taken_first" not in o:
                continue
            n_outcome += 1
            w.writerow([x, f"{o['exam_taken_first']:g}",
                        *("" if o.get(c) is None else f"{o[c]:g}" for c in cols)])
    (args.out / "pipeline.toml").write_text(PIPELINE)

    verbs = Counter(e["verb"] for e in events)
    report = {
        "source": str(data),
        "time_zone": TZ_NAME + ("" if _TZ is not None else " (EU rule, no tz database)"),
        "school_years": dict(Counter(year_of[x] for x in learners)),
        "learners": len(learners),
        "learners_with_outcome": n_outcome,
        "events_written": len(events),
        "events_by_verb": dict(sorted(verbs.items())),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        **{k: v for k, v in sorted(stats.items())},
    }
    (args.out / "conversion.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


PIPELINE = """\
# The public EPM learning log (Vahdat et al. 2015; see SOURCE.md or bench/realdata/README.md),
# converted by bench/realdata/convert.py: one course, six lab sessions, final-exam grades kept
# apart in outcome.csv. Paths are relative to this file.
# Run: LEERWINST_KEY=<16+ chars> leerwinst ingest pipeline.toml --out O && leerwinst transform pipeline.toml --out O

[pipeline]
name = "epm-real-srl"
description = "EPM (Univ. of Genoa, digital electronics labs, 2014): real activity log for SRL validity checks"
language = "en"

[[source]]
name = "roster"
format = "mapped-roster"
path = "roster.csv"

[source.mapping]
columns = { pupil_id = "learner", school = "school", school_year = "school_year", grade = "grade" }

[[source]]
name = "events"
format = "mapped-events"
path = "events.csv"

[source.mapping]
columns = { pupil_id = "learner", time = "time", verb = "verb", object_id = "item", task_id = "task", success = "success", duration = "duration" }

[indicators]
session_gap_min = 15
min_events = 20
"""

if __name__ == "__main__":
    sys.exit(main())
