#!/usr/bin/env python3
"""Makes scores.csv.gz, the within-year SGP reference's input: the test scores of a generated
board (`leerwinst sample-data --out /tmp/sw --schools 12 --pupils 1500 --seed 7 --no-activity`)
as a long table without names: pupil_id (P00001.., in order of first appearance), subject,
school_year, grade, term (M or E), score. Rows a reader would reject (absent, impossible date,
unknown moment, a second score of the same test) are left out.

Usage: python3 make_scores.py /tmp/sw/lvs/toetsresultaten.csv scores.csv.gz
"""
import csv
import gzip
import re
import sys

SUBJECTS = {
    "Rekenen-Wiskunde 3.0": "rekenen",
    "Begrijpend Lezen 3.0": "lezen",
    "Spelling 3.0": "spelling",
}


def main(src, dst):
    ids, seen, out = {}, set(), []
    with open(src, encoding="utf-8") as f:
        for x in csv.DictReader(f, delimiter=";"):
            m = re.fullmatch(r"([ME])([1-8])", x["Toetsmoment"])
            if not m or not re.fullmatch(r"\d+", x["Vaardigheidsscore"]):
                continue
            if x["Toets"] not in SUBJECTS or x["Afnamedatum"].startswith("31-02"):
                continue
            pid = ids.setdefault(x["Leerlingnummer"], "P%05d" % (len(ids) + 1))
            row = (pid, SUBJECTS[x["Toets"]], x["Schooljaar"], m.group(2), m.group(1),
                   x["Vaardigheidsscore"])
            key = (row[0], row[1], row[2], row[4])
            if key not in seen:
                seen.add(key)
                out.append(row)
    text = "pupil_id,subject,school_year,grade,term,score\n"
    text += "".join(",".join(r) + "\n" for r in out)
    with gzip.GzipFile(dst, "wb", mtime=0) as g:
        g.write(text.encode())
    print(f"{len(out)} scores of {len(ids)} pupils")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
