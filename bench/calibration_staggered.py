"""Rows and summary of bench/calibration_staggered.sh.

    calibration_staggered.py --rows SAMPLE_DIR RUN_DIR SIZE SEED PRE_TREND   # one board, to stdout
    calibration_staggered.py --summary rows.csv                            # the tables

A board's rows are the event-time rows of effects/event_study.csv for subjects pooled (`all`):
per years since the start e, the estimate, its pointwise 95% interval and the simultaneous band,
beside the planted truth on the scale of the estimates.

The truth. TRUTH.toml gives, per event time e >= 0, the mean planted effect over the programme
pupils' growth rows in that event time (SD units of true scores within a grade: 15 points), and
the planted pre-trend D (SD a year times the years to go). The outcome is growth in z units
(follow-up z minus baseline z, each standardised within subject, grade, moment and school
year), so an effect of d true-score SDs is d * 15 / s, with s the observed SD of the cell;
`observed_scale` takes the mean of 15 / s over the board's end-of-year results (all years). With
the varying base period a placebo estimate before the start compares a year's growth with the
year before's, so its truth is D; an estimate after the start carries the effect plus D (its
base year, the year before the start, is D below the start's trend).
"""
import csv
import math
import sys
import tomllib
from collections import defaultdict


def observed_scale(sample_dir):
    """Mean of 15 / s over the end-of-year results of every school year (s: SD of the cell)."""
    with open(f"{sample_dir}/TRUTH.toml", "rb") as f:
        t = tomllib.load(f)
    sd_true = t["scale"]["true_score_sd_within_grade"]
    cells = defaultdict(list)
    with open(f"{sample_dir}/lvs/toetsresultaten.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter=";"):
            if not r["Toetsmoment"].startswith("E"):
                continue
            try:
                cells[(r["Schooljaar"], r["Toets"], r["Toetsmoment"])].append(
                    float(r["Vaardigheidsscore"].replace(",", "."))
                )
            except ValueError:
                continue  # the export's deliberately broken rows
    total, n = 0.0, 0
    for v in cells.values():
        if len(v) < 2:
            continue
        m = sum(v) / len(v)
        s = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))
        total += len(v) * sd_true / s
        n += len(v)
    return t, total / n


def num(v):
    return float(v) if v not in ("", None) else None


def board_rows(sample_dir, run_dir, size, seed, pre_trend):
    t, scale = observed_scale(sample_dir)
    planted = {e["event_time"]: e["mean_planted_effect_sd"] for e in t["adoption"]["event_times"]}
    d = float(pre_trend)
    w = csv.writer(sys.stdout)
    with open(f"{run_dir}/effects/event_study.csv", newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["aggregation"] != "event_time" or r["subject"] != "all":
                continue
            e = int(r["event_time"])
            truth = (d if e < 0 else planted.get(e, 0.0) + d) * scale
            w.writerow([size, seed, pre_trend, e, r["estimate"], r["ci_low"], r["ci_high"],
                        r["band_low"], r["band_high"], f"{truth:.6f}", f"{scale:.6f}"])


def binomial_band(k, n):
    """Normal-approximation 95% band of a proportion, in percent."""
    p = k / n
    h = 1.96 * math.sqrt(p * (1 - p) / n)
    return 100 * max(0.0, p - h), 100 * min(1.0, p + h)


def summary(path):
    rows = list(csv.DictReader(open(path, newline="")))
    cov = defaultdict(lambda: [0, 0, 0.0, 0.0])  # (size, e) -> covered, n, bias sum, width sum
    boards = defaultdict(lambda: {"band_all": True, "alarm": False, "pre_trend": 0.0})
    for r in rows:
        est, lo, hi = num(r["estimate"]), num(r["ci_low"]), num(r["ci_high"])
        bl, bh, truth = num(r["band_low"]), num(r["band_high"]), float(r["truth"])
        key = (r["size"], r["seed"], r["pre_trend"])
        b = boards[key]
        b["pre_trend"] = float(r["pre_trend"])
        e = int(r["e"])
        if est is None or lo is None:
            continue
        if b["pre_trend"] == 0.0:
            c = cov[(int(r["size"]), e)]
            c[0] += lo <= truth <= hi
            c[1] += 1
            c[2] += est - truth
            c[3] += hi - lo
            b["band_all"] &= bl <= truth <= bh
        if e < 0 and (bl > 0 or bh < 0):
            b["alarm"] = True
    print("Coverage of the planted effect by years since the start (pointwise 95% intervals), pre-trend 0:")
    print("| schools | years since start | boards | coverage % (95% band) | mean bias (SD) | mean CI width |")
    print("|---|---|---|---|---|---|")
    for (size, e), (k, n, bias, width) in sorted(cov.items()):
        lo, hi = binomial_band(k, n)
        print(f"| {size} | {e} | {n} | {100 * k / n:.1f} ({lo:.1f}-{hi:.1f}) | {bias / n:+.3f} | {width / n:.3f} |")
    print()
    print("Simultaneous band covering every year's truth at once, and pre-trend warnings:")
    print("| schools | planted pre-trend (SD/year) | boards | band covers all years % | warning (band excludes 0 before the start) % |")
    print("|---|---|---|---|---|")
    groups = defaultdict(list)
    for (size, _seed, pt), b in boards.items():
        groups[(int(size), float(pt))].append(b)
    for (size, pt), bs in sorted(groups.items()):
        n = len(bs)
        band = f"{100 * sum(b['band_all'] for b in bs) / n:.1f}" if pt == 0.0 else "-"
        alarms = sum(b["alarm"] for b in bs)
        print(f"| {size} | {pt:g} | {n} | {band} | {100 * alarms / n:.1f} |")


if __name__ == "__main__":
    if sys.argv[1] == "--rows":
        board_rows(*sys.argv[2:7])
    elif sys.argv[1] == "--summary":
        summary(sys.argv[2])
    else:
        sys.exit(__doc__)
