"""Rows and summary of bench/calibration.sh.

    calibration_rows.py TRUTH.toml effects.csv SIZE SEED VARIANT   # rows of one board, to stdout
    calibration_rows.py --summary rows.csv                        # the calibration table

A board's rows are the pooled ones (subject `all`) of the variant's design: `overall` and
`srl_tercile` 1-3, each with the planted truth on the observed scale.
"""
import csv
import math
import sys
import tomllib
from collections import defaultdict

# tomllib is in the standard library from Python 3.11 on.


def truths(truth_path):
    with open(truth_path, "rb") as f:
        t = tomllib.load(f)
    eff = t["programme_effect"]
    scale = t["scale"]
    sd_true = scale["true_score_sd_within_grade"]
    sem = scale["sem_typical"]
    ratio = sd_true / math.sqrt(sd_true**2 + sem**2)
    per = {str(k): eff[f"srl_tercile_{k}"] * ratio for k in (1, 2, 3)}
    per["all"] = sum(per[str(k)] for k in (1, 2, 3)) / 3.0
    return per


def board_rows(truth_path, effects_path, size, seed, variant):
    per = truths(truth_path)
    design = variant.split("-")[0]
    out = csv.writer(sys.stdout)
    with open(effects_path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["design"] != design or r["subject"] != "all":
                continue
            if r["subgroup"] not in ("overall", "srl_tercile"):
                continue
            level = r["level"]
            out.writerow([size, seed, variant, r["subgroup"], level, r["estimate"],
                          r["ci_low"], r["ci_high"], f"{per[level]:.6f}", r.get("note", ""),
                          r.get("method", "")])


def summary(rows_path):
    groups = defaultdict(list)
    with open(rows_path, newline="") as f:
        for r in csv.DictReader(f):
            groups[(int(r["size"]), r["variant"], r["subgroup"], r["level"])].append(r)
    print("| schools | variant | row | boards | coverage (95% band) | bias | mean CI width "
          "| excludes 0 | no interval |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key in sorted(groups):
        size, variant, subgroup, level = key
        rs = groups[key]
        with_ci = [r for r in rs if r["ci_low"] and r["ci_high"]]
        est = [float(r["estimate"]) for r in rs if r["estimate"]]
        truth = float(rs[0]["truth"])
        n = len(with_ci)
        if n == 0:
            continue
        cov = sum(float(r["ci_low"]) <= float(r["truth"]) <= float(r["ci_high"])
                  for r in with_ci) / n
        band = 1.96 * math.sqrt(max(cov * (1 - cov), 0.0025) / n)
        excl = sum(float(r["ci_low"]) > 0 or float(r["ci_high"]) < 0 for r in with_ci) / n
        width = sum(float(r["ci_high"]) - float(r["ci_low"]) for r in with_ci) / n
        bias = sum(est) / len(est) - truth if est else float("nan")
        name = "overall" if subgroup == "overall" else f"SRL tercile {level}"
        print(f"| {size} | {variant} | {name} (truth {truth:+.3f}) | {n} | "
              f"{100 * cov:.1f}% (±{100 * band:.1f}) | {bias:+.3f} | {width:.3f} | "
              f"{100 * excl:.1f}% | {len(rs) - n} |")


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        summary(sys.argv[2])
    else:
        board_rows(*sys.argv[1:6])
