"""Rows and summary of bench/calibration.sh.

    calibration_rows.py SAMPLE_DIR effects.csv SIZE SEED VARIANT     # rows of one board, to stdout
    calibration_rows.py --cells SAMPLE_DIR RUN_DIR SIZE SEED         # one board's measured truths
    calibration_rows.py --scale SAMPLE_DIR SIZE SEED                 # one board's scale line
    calibration_rows.py --summary rows.csv [cells.csv [scales.csv]]  # the calibration table

A board's rows are the pooled ones (subject `all`) of the variant's design: `overall` and
`srl_tercile` 1-3, each with the planted truth on the scale of the estimates.

The truth on that scale: the planted effects are in SD units of true scores within a grade
(15 points), and the estimates in units of `followup_z`, the follow-up score standardised
within subject, grade, test moment and school year (SD with n - 1, as crates/transform does).
An effect of d true-score SDs is 15 d points, so d * 15 / s in z units, with s the observed SD
of the follow-up cell. `observed_scale` computes the mean of 15 / s over the end-of-year
results of the programme year in the board's LVS export. (TRUTH.toml's own note, "about 0.955",
ignores that growth shrinks the spread: the measured factor is about 1.05.) Rows made with the
TRUTH.toml ratio are re-scaled in the summary with the board's measured factor when
scales.csv has it, else with the mean factor of that board size.

Which truth a tercile row is held to. TRUTH.toml plants effects by terciles of the *latent*
trait; the estimates are by terciles of the *measured* SRL index, which ranks pupils with
error, so a measured bottom tercile holds some pupils of the latent middle one and its true
effect is above 0. `--cells` computes, from a board's run folder (LEERWINST_KEY in the
environment, as for the run), the mean planted effect of the programme pupils' growth rows in
each measured cell (window E-E, follow-up in a programme year, tercile from the baseline year as
the compare stage takes it; `all`: every programme row) beside the latent value
(size, seed, level, truth, truth_latent). The summary holds every row to its board's measured
truth and leaves out boards cells.csv lacks (a run stopped early). The rows keep the latent
truth, so cells can be added to an older run (`VARIANTS=none` in calibration.sh).
"""
import csv
import hashlib
import hmac
import math
import os
import sys
import tomllib
from collections import defaultdict

# tomllib is in the standard library from Python 3.11 on.

# The true-to-observed ratio TRUTH.toml states, 15 / sqrt(15^2 + 4.5^2), which rows made before
# the measured factor used.
TRUTH_TOML_RATIO = 15.0 / math.sqrt(15.0**2 + 4.5**2)


def read_output_csv(path):
    """Rows of a CSV leerwinst wrote, in either dialect: an English run's RFC 4180 or a Dutch
    run's (byte-order mark, `;`, decimal comma). Numbers come back with a decimal point."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    dutch = ";" in text.split("\n", 1)[0]
    rows = list(csv.DictReader(text.splitlines(), delimiter=";" if dutch else ","))
    if dutch:
        for r in rows:
            for k, v in r.items():
                if v and "," in v:
                    try:
                        float(v.replace(",", "."))
                        r[k] = v.replace(",", ".")
                    except ValueError:
                        pass
    return rows


def planted(sample_dir):
    sample_dir = sample_dir.removesuffix("/TRUTH.toml")
    with open(f"{sample_dir}/TRUTH.toml", "rb") as f:
        t = tomllib.load(f)
    eff = t["programme_effect"]
    per = {str(k): eff[f"srl_tercile_{k}"] for k in (1, 2, 3)}
    per["all"] = sum(per[str(k)] for k in (1, 2, 3)) / 3.0
    return per, t


def observed_scale(sample_dir):
    """Mean of 15 / s over the programme year's end-of-year results (s: SD of the cell)."""
    _, t = planted(sample_dir)
    sample_dir = sample_dir.removesuffix("/TRUTH.toml")
    sd_true = t["scale"]["true_score_sd_within_grade"]
    year = t["programme_from"]
    cells = defaultdict(list)
    with open(f"{sample_dir}/lvs/toetsresultaten.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter=";"):
            if r["Schooljaar"] != year or not r["Toetsmoment"].startswith("E"):
                continue
            try:
                cells[(r["Toets"], r["Toetsmoment"])].append(float(r["Vaardigheidsscore"]))
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
    return total / n


def measured_truth(sample_dir, run_dir, per):
    """Mean planted effect (already scaled) per measured cell: `all` and tercile '1'-'3'."""
    key = os.environ["LEERWINST_KEY"].encode()
    latent = {}
    with open(f"{sample_dir}/truth_pupils.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            mac = hmac.new(key, b"pupil:" + r["leerlingnummer"].strip().encode(), hashlib.sha256)
            latent[mac.hexdigest()[:32]] = r["srl_tercile"]
    terciles = {}
    for r in read_output_csv(f"{run_dir}/indicators/srl.csv"):
        if r["srl_tercile"]:
            terciles[(r["pupil_key"], r["school_year"])] = r["srl_tercile"]
    sums = defaultdict(lambda: [0.0, 0])
    for r in read_output_csv(f"{run_dir}/indicators/growth.csv"):
        if r["window"] != "E-E" or r["programme"] != "true" or not r["school_key"]:
            continue
        effect = per[latent[r["pupil_key"]]]
        start = int(r["school_year"][:4])
        cells = ["all"]
        measured = terciles.get((r["pupil_key"], f"{start - 1}-{start}"))
        if measured:
            cells.append(measured)
        for c in cells:
            sums[c][0] += effect
            sums[c][1] += 1
    return {c: t / n for c, (t, n) in sums.items() if n}


def scaled_planted(sample_dir):
    """The planted effects per latent tercile and `all`, on the estimates' scale."""
    per, _ = planted(sample_dir)
    factor = observed_scale(sample_dir)
    return {k: v * factor for k, v in per.items()}


def board_cells(sample_dir, run_dir, size, seed):
    per = scaled_planted(sample_dir)
    cell = measured_truth(sample_dir, run_dir, per)
    out = csv.writer(sys.stdout)
    for level in ("all", "1", "2", "3"):
        if level in cell:
            out.writerow([size, seed, level, f"{cell[level]:.6f}", f"{per[level]:.6f}"])


def board_rows(sample_dir, effects_path, size, seed, variant):
    per = scaled_planted(sample_dir)
    design = variant.split("-")[0]
    out = csv.writer(sys.stdout)
    for r in read_output_csv(effects_path):
        if r["design"] != design or r["subject"] != "all":
            continue
        if r["subgroup"] not in ("overall", "srl_tercile"):
            continue
        level = r["level"]
        out.writerow([size, seed, variant, r["subgroup"], level, r["estimate"],
                      r["ci_low"], r["ci_high"], f"{per[level]:.6f}", r.get("note", ""),
                      r.get("method", ""), "measured"])


def rescale(rows, scales_path):
    """Rows whose truth used TRUTH.toml's ratio (0.955) get the measured factor instead."""
    measured = {}
    if scales_path:
        with open(scales_path) as f:
            for r in csv.DictReader(f):
                measured[(r["size"], r["seed"])] = float(r["factor"])
    by_size = defaultdict(list)
    for (size, _), v in measured.items():
        by_size[size].append(v)
    for r in rows:
        if r.get("scaled") == "measured":
            continue
        key = (r["size"], r["seed"])
        f = measured.get(key) or (sum(by_size[r["size"]]) / len(by_size[r["size"]])
                                  if by_size[r["size"]] else None)
        if f is not None:
            r["truth"] = str(float(r["truth"]) / TRUTH_TOML_RATIO * f)


def summary(rows_path, cells_path=None, scales_path=None):
    groups = defaultdict(list)
    with open(rows_path, newline="") as f:
        rows = list(csv.DictReader(f))
    rescale(rows, scales_path)
    if cells_path:
        # Only boards with measured truths, so every row of the table is held to the same kind
        # of truth (a run stopped early has cells for its first seeds).
        with open(cells_path, newline="") as f:
            cells = {(r["size"], r["seed"], r["level"]): r["truth"] for r in csv.DictReader(f)}
        rows = [r for r in rows if (r["size"], r["seed"], r["level"]) in cells]
        for r in rows:
            r["truth"] = cells[(r["size"], r["seed"], r["level"])]
    for r in rows:
        groups[(int(r["size"]), r["variant"], r["subgroup"], r["level"])].append(r)
    print("| schools | variant | row | boards | coverage (95% band) | bias | mean CI width "
          "| excludes 0 | above 0 | above the truth | no interval |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(groups):
        size, variant, subgroup, level = key
        rs = groups[key]
        with_ci = [r for r in rs if r["ci_low"] and r["ci_high"]]
        est = [float(r["estimate"]) for r in rs if r["estimate"]]
        truth = sum(float(r["truth"]) for r in rs) / len(rs)
        n = len(with_ci)
        if n == 0:
            continue
        cov = sum(float(r["ci_low"]) <= float(r["truth"]) <= float(r["ci_high"])
                  for r in with_ci) / n
        band = 1.96 * math.sqrt(max(cov * (1 - cov), 0.0025) / n)
        excl = sum(float(r["ci_low"]) > 0 or float(r["ci_high"]) < 0 for r in with_ci) / n
        above = sum(float(r["ci_low"]) > 0 for r in with_ci) / n
        # An interval wholly above the truth: a gain claimed beyond what there is (nominal 2.5%).
        over = sum(float(r["ci_low"]) > float(r["truth"]) for r in with_ci) / n
        width = sum(float(r["ci_high"]) - float(r["ci_low"]) for r in with_ci) / n
        bias = (sum(float(r["estimate"]) - float(r["truth"]) for r in rs if r["estimate"])
                / len(est) if est else float("nan"))
        name = "overall" if subgroup == "overall" else f"SRL tercile {level}"
        print(f"| {size} | {variant} | {name} (truth {truth:+.3f}) | {n} | "
              f"{100 * cov:.1f}% (±{100 * band:.1f}) | {bias:+.3f} | {width:.3f} | "
              f"{100 * excl:.1f}% | {100 * above:.1f}% | {100 * over:.1f}% | {len(rs) - n} |")


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        summary(*sys.argv[2:5])
    elif sys.argv[1] == "--cells":
        board_cells(*sys.argv[2:6])
    elif sys.argv[1] == "--scale":
        print(f"{sys.argv[3]},{sys.argv[4]},{observed_scale(sys.argv[2]):.6f}")
    else:
        board_rows(*sys.argv[1:6])
