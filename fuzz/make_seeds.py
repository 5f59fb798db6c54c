#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/seeds/<target>/ from the repository's
sample data, fixtures and pipelines (and ../shared/data for STAR and SGP): a few small, valid
files per format, so the fuzzer starts from inputs that reach the readers' row parsers.

    python3 fuzz/make_seeds.py        # then: cargo +nightly fuzz run <target> fuzz/corpus/<target> fuzz/seeds/<target>
"""
import gzip
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "fuzz" / "seeds"


def head(path, n):
    """The first n lines of a (gzipped) text file, as bytes."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        return b"".join(line for _, line in zip(range(n), f))


def seed(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def mapped_header(fields):
    return ";".join(fields) + "\n"


def main():
    seed("lvs", "sample", head(ROOT / "sample-data/lvs/toetsresultaten.csv", 12))
    seed("lvs", "comma-crlf", head(ROOT / "sample-data/lvs/toetsresultaten.csv", 6).replace(b";", b",").replace(b"\n", b"\r\n"))
    xapi = head(ROOT / "sample-data/xapi/statements.ndjson.gz", 6)
    seed("xapi-lines", "sample", xapi)
    # The array target puts the `[` in front itself.
    seed("xapi-array", "sample", b",\n".join(xapi.strip().split(b"\n")) + b"]")
    seed("plans", "sample", head(ROOT / "sample-data/plans/weekplannen.csv.gz", 12))
    seed("schools", "sample", head(ROOT / "sample-data/scholen.csv", 6))
    seed("sgp-long", "sample", head(SHARED / "sgp/sgpData_LONG.csv.gz", 12))
    seed("star", "sample", head(SHARED / "star/star.csv", 8))
    seed("moodle-log", "sample", "id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid\n"
         "1,\\mod_quiz\\event\\attempt_started,mod_quiz,started,attempt,quiz_attempts,7,c,2,30,70,12,5,2,,0,,1737360000,web,1.2.3.4,\n"
         "2,\\mod_quiz\\event\\attempt_submitted,mod_quiz,submitted,attempt,quiz_attempts,7,u,2,30,70,12,5,2,,0,,1737360600,web,1.2.3.4,\n")
    for f in sorted((ROOT / "tests/fixtures/moodle-report").glob("*.csv")):
        seed("moodle-report", f.stem, head(f, 8))
    seed("mapped-assessments", "sample", mapped_header(["pupil_id", "subject", "term", "grade", "date", "school_year", "score", "sem", "percentile", "level"])
         + "L1;rekenen;M;5;20-01-2025;2024-2025;184,5;4;55;1F\nL2;lezen;E;5;12-06-2025;2024-2025;190;;;\n")
    seed("mapped-events", "sample", mapped_header(["pupil_id", "time", "date", "verb", "object_id", "task_id", "subject", "success", "score_scaled", "duration", "count"])
         + "L1;20-01-2025 09:00;;answered;o1;t1;rekenen;ja;0,5;PT12S;\nL1;;2025-01-21;answered;o2;t1;rekenen;nee;;;3\n")
    seed("mapped-roster", "sample", mapped_header(["pupil_id", "school", "school_name", "group", "grade", "school_year", "birth_date", "birth_year", "sex", "weight", "username", "email"])
         + "L1;10AD;De Regenboog;5a;5;2024-2025;01-03-2016;;m;0;lucas;l@x.nl\nL2;10AD;De Regenboog;5a;5;2024-2025;;2016;v;;;\n")
    seed("mapped-roster", "fixture", head(ROOT / "tests/fixtures/mapped-roster/leerlingen.csv", 8))
    seed("mapped-plans", "sample", mapped_header(["pupil_id", "week", "task_id", "planned_for", "due", "done_at"])
         + "L1;2025-W04;t1;20-01-2025;24-01-2025;23-01-2025\nL2;2025-W04;t2;20-01-2025;24-01-2025;\n")
    for f in sorted((ROOT / "tests/fixtures").glob("*.xlsx")):
        seed("xlsx", f.stem, f.read_bytes())
    for f in sorted((ROOT / "pipelines").glob("*.toml")):
        seed("pipeline", f.stem, f.read_bytes())
    seed("mapping", "unpivot", "columns = { pupil_id = \"id\" }\nconstants = { term = \"Y\" }\n"
         "unpivot = { columns = '^(?P<subject>read)(?P<grade>[0-9]+)$' }\n"
         "cohort = { grade = 1, school_year = \"2024-2025\" }\n---\nid,read1,read2\nA,400,410\nB,,1e3\n")
    seed("mapping", "extract", "columns = { pupil_id = \"nr\", date = \"datum\", score = \"score\" }\n"
         "extract = { Toets = '(?P<subject>.+?) \\d\\.\\d (?P<term>[ME])(?P<grade>\\d)' }\n"
         "values = { term = { M = \"M\" } }\ndate_format = \"%d-%m-%Y\"\n---\n"
         "nr;Toets;datum;score\n1;Rekenen-Wiskunde 3.0 M4;20-01-2025;184\n2;Spelling 3.0 E5;12-06-2025;abc\n")


if __name__ == "__main__":
    main()
