#!/usr/bin/env python3
"""Criterion validity of leerwinst's SRL indicators against an outcome kept outside the pipeline.

    LEERWINST_KEY=... python3 bench/realdata/srl_validity.py RUN_OUT CONVERTED \
        [--outcome-column outcome[,other,...]] [--table srl|srl_term] [--term N] [--csv FILE]
    python3 bench/realdata/srl_validity.py --pool RUN_OUT_1/srl_validity.csv RUN_OUT_2/srl_validity.csv ...

RUN_OUT is the output folder of `leerwinst ingest P --out RUN_OUT && leerwinst transform P --out
RUN_OUT`; CONVERTED is the folder convert.py wrote (its outcome.csv: learner,outcome,...).

Pupils in leerwinst's outputs are pseudonyms: pupil_key = hex(HMAC-SHA256(key, "pupil:" +
id.strip()))[:32] (crates/ingest/src/pseudonym.rs), or the raw id when the pipeline sets
[privacy] pseudonymise = false. This script computes the pseudonyms of outcome.csv's ids with
the key from --key or $LEERWINST_KEY and uses whichever of raw ids and pseudonyms matches.

For every numeric indicator column (and srl_index, active_days) it prints n, Spearman's rho with
the outcome and a 95% CI by Fisher's z with SE = 1.06 / sqrt(n - 3) (Fieller, Hartley & Pearson
1957), and writes the same to CSV; then Cronbach's alpha of the composite's components,
z-scored and sign-aligned by SIGNS below.

The composite against its parts, per outcome: the components that entered the index on this run
(run.json, `transform.srl_composite`, or `srl_term_composite` with --table srl_term), with their
rho and whether it has the argued sign (SIGNS); the index's rho beside the mean of its entered
components' sign-aligned rhos (sign x rho), the best single component, and active days (plain
activity volume); and the index's alpha, omega and number of pupils from run.json. The mean of
the components goes to the CSV as the indicator `mean_entered_components` (its n is the
smallest component n). The index beyond volume: the partial Spearman correlation of srl_index
with the outcome controlling active days (ranks partialled as Pearson correlations; SE 1.06 /
sqrt(n - 4)), in the CSV as `srl_index_partial_active_days`.

--table srl_term reads the per-term table; give --term N to correlate one term's rows (without
it every term row of a pupil is paired with the pupil's outcome).

--pool pools the CSVs of independent samples (e.g. two course years): per outcome and indicator,
the fixed-effect mean of Fisher's z weighted by n - 3 (the inverse of the variance that the
1.06 / sqrt(n - 3) SE implies), with its 95% CI, and Cochran's Q for heterogeneity (df = number of
samples - 1). A partial correlation is weighted by n - 4; `mean_entered_components` is pooled the
same way, without a CI.

Needs duckdb (pip install duckdb) to read Parquet; everything else is the standard library.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import math
import os
import sys
from pathlib import Path

# The composite's components and their direction (+1: higher = more self-regulated). Mirrors
# COMPOSITE in crates/transform/src/srl.rs; edit to try other compositions. Components missing
# from the table, all null, or constant are left out of alpha (and reported).
SIGNS = {
    "active_week_share": +1,
    "weekly_similarity": +1,
    "plan_kept_share": +1,
    "on_time_share": +1,
    "median_lateness_days": -1,
    "deadline_margin_h": +1,
    "help_after_error_share": +1,
    "persistence_share": +1,
    "progress_views_per_week": +1,
    "reflections_per_week": +1,
}

# Numeric columns that are not indicators.
NOT_INDICATORS = {"grade", "srl_tercile", "term", "iso_year", "iso_week", "year", "week"}
Z975 = 1.959963984540054


def pseudonym(key: str, raw: str) -> str:
    return hmac.new(key.encode(), b"pupil:" + raw.strip().encode(), hashlib.sha256).hexdigest()[:32]


def find_srl(out: Path, table: str) -> list[Path]:
    for cand in (out / "indicators" / f"{table}.parquet", out / "warehouse" / f"{table}.parquet"):
        if cand.is_file():
            return [cand]
    for d in (out / "indicators" / table, out / "warehouse" / table):
        if d.is_dir():
            files = sorted(d.rglob("*.parquet"))
            if files:
                return files
    found = sorted(p for p in out.rglob("*.parquet") if p.stem == table or p.parent.name == table)
    if not found:
        sys.exit(f"error: no {table} parquet under {out} (run leerwinst transform first)")
    return found


def read_table(files: list[Path]):
    try:
        import duckdb
    except ImportError:
        sys.exit("error: needs duckdb (pip install duckdb)")
    con = duckdb.connect()
    rel = con.sql("select * from read_parquet(?, union_by_name = true)", params=[[str(f) for f in files]])
    names = [d[0] for d in rel.description]
    types = [str(t) for t in rel.types]
    return names, types, rel.fetchall()


def finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def ranks(xs: list[float]) -> list[float]:
    """Average ranks (1-based), ties sharing their mean rank."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def pearson(x: list[float], y: list[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return float("nan")
    return sxy / math.sqrt(sxx * syy)


def spearman(x: list[float], y: list[float]):
    """(n, rho, lo, hi, p): Fisher z with SE 1.06 / sqrt(n - 3), two-sided normal p."""
    n = len(x)
    if n < 4:
        return n, float("nan"), float("nan"), float("nan"), float("nan")
    rho = pearson(ranks(x), ranks(y))
    if not math.isfinite(rho):
        return n, rho, float("nan"), float("nan"), float("nan")
    z = math.atanh(max(min(rho, 0.999999999), -0.999999999))
    se = 1.06 / math.sqrt(n - 3)
    p = math.erfc(abs(z) / se / math.sqrt(2))
    return n, rho, math.tanh(z - Z975 * se), math.tanh(z + Z975 * se), p


def zscores(v: list[float]) -> list[float]:
    m = sum(v) / len(v)
    sd = math.sqrt(sum((a - m) ** 2 for a in v) / (len(v) - 1))
    return [(a - m) / sd for a in v]


def var(v: list[float]) -> float:
    m = sum(v) / len(v)
    return sum((a - m) ** 2 for a in v) / (len(v) - 1)


def cronbach(rows: list[dict], signs: dict[str, int]) -> list[str]:
    """Alpha of the sign-aligned, z-scored components; returns lines to print."""
    out = []
    usable = []
    for c, s in signs.items():
        vals = [r.get(c) for r in rows]
        got = [v for v in vals if finite(v)]
        if not got:
            out.append(f"  {c}: left out (absent or all null)")
        elif len(got) < 3 or var(got) == 0:
            out.append(f"  {c}: left out (constant: {got[0]:g} for all {len(got)} pupils)")
        else:
            usable.append(c)
    k = len(usable)
    out.insert(0, f"components used (k = {k}): {', '.join(usable) or '-'}")
    if k < 2:
        out.append("alpha: needs at least two usable components")
        return out
    # Listwise: pupils with every usable component; z-scored within them, then sign-aligned.
    complete = [r for r in rows if all(finite(r.get(c)) for c in usable)]
    if len(complete) >= 3:
        cols = [[signs[c] * v for v in zscores([r[c] for r in complete])] for c in usable]
        totals = [sum(col[i] for col in cols) for i in range(len(complete))]
        alpha = k / (k - 1) * (1 - sum(var(c) for c in cols) / var(totals))
        out.append(f"alpha (listwise, z-scored, n = {len(complete)}): {alpha:.3f}")
        if k > 2:
            for j, c in enumerate(usable):
                rest = [sum(col[i] for m, col in enumerate(cols) if m != j) for i in range(len(complete))]
                r_ir = pearson(cols[j], rest)
                others = [col for m, col in enumerate(cols) if m != j]
                tot = [sum(col[i] for col in others) for i in range(len(complete))]
                a_wo = (k - 1) / (k - 2) * (1 - sum(var(x) for x in others) / var(tot))
                out.append(f"  {c:26s} item-rest r = {r_ir:+.3f}   alpha without it = {a_wo:.3f}")
    else:
        out.append(f"alpha (listwise): only {len(complete)} pupils have every component")
    # Standardized alpha from the mean pairwise correlation (pairwise-complete).
    rs = []
    for i in range(k):
        for j in range(i + 1, k):
            pairs = [(signs[usable[i]] * r[usable[i]], signs[usable[j]] * r[usable[j]])
                     for r in rows if finite(r.get(usable[i])) and finite(r.get(usable[j]))]
            if len(pairs) >= 3:
                rr = pearson([a for a, _ in pairs], [b for _, b in pairs])
                if math.isfinite(rr):
                    rs.append((usable[i], usable[j], len(pairs), rr))
    if rs:
        rbar = sum(x[3] for x in rs) / len(rs)
        out.append(f"standardized alpha (mean pairwise r = {rbar:+.3f}): {k * rbar / (1 + (k - 1) * rbar):.3f}")
        for a, b, n, rr in rs:
            out.append(f"  r({a}, {b}) = {rr:+.3f} (n = {n})")
    return out


def load_composite(run_out: Path, table: str):
    """transform.srl_composite (or srl_term_composite) of run.json, or None."""
    import json
    try:
        run = json.loads((run_out / "run.json").read_text())
    except (OSError, ValueError):
        return None
    key = "srl_term_composite" if table == "srl_term" else "srl_composite"
    return (run.get("transform") or {}).get(key)


def composite_summary(results: list[dict], comp: dict | None, oc: str) -> tuple[list[str], dict | None]:
    """Lines comparing the index with its entered components and active days for outcome oc,
    and the CSV row of the components' mean."""
    by = {r["indicator"]: r for r in results if r["outcome"] == oc}
    if comp is None:
        return ["  (no run.json composite report: cannot tell which components entered)"], None
    entered = [(c["name"], c.get("direction", SIGNS.get(c["name"], 1))) for c in comp.get("components", [])
               if c.get("status") == "entered"]
    f = (lambda v: f"{v:+.3f}" if isinstance(v, float) and math.isfinite(v) else "  -   ")
    out = []
    signed = []
    for name, d in entered:
        r = by.get(name)
        if r is None or not math.isfinite(r["rho"]):
            out.append(f"  {name:26s} direction {d:+.0f}: no rho")
            continue
        ok = "as argued" if d * r["rho"] > 0 else "AGAINST the argued direction"
        ci = "excludes 0" if r["ci_low"] > 0 or r["ci_high"] < 0 else "includes 0"
        out.append(f"  {name:26s} direction {d:+.0f}: rho {f(r['rho'])} (n {r['n']}, CI {ci}) {ok}")
        signed.append((name, d * r["rho"], r["n"]))
    idx = by.get("srl_index")
    act = by.get("active_days")
    row = None
    if signed:
        mean = sum(x for _, x, _ in signed) / len(signed)
        best = max(signed, key=lambda t: t[1])
        row = {"outcome": oc, "indicator": "mean_entered_components", "n": min(n for _, _, n in signed),
               "rho": mean, "ci_low": float("nan"), "ci_high": float("nan"), "p": float("nan")}
        ri = idx["rho"] if idx else float("nan")
        more = ("stronger than" if math.isfinite(ri) and ri > mean else "NOT stronger than")
        out.append(f"  index rho {f(ri)} [{f(idx['ci_low']) if idx else '-'}, {f(idx['ci_high']) if idx else '-'}]"
                   f" (n {idx['n'] if idx else 0}) is {more} the mean of its {len(signed)} entered components'"
                   f" sign-aligned rhos, {f(mean)}; best single component {best[0]} {f(best[1])}")
    if act:
        out.append(f"  active days (volume) rho {f(act['rho'])} [{f(act['ci_low'])}, {f(act['ci_high'])}] (n {act['n']})")
    return out, row


def pool(files: list[Path]) -> int:
    """Fixed-effect pooling of Fisher z over independent samples' srl_validity.csv."""
    cells: dict[tuple[str, str], list[tuple[int, float]]] = {}
    order = []
    for fpath in files:
        with open(fpath, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                try:
                    n, rho = int(r["n"]), float(r["rho"])
                except (TypeError, ValueError):
                    continue
                if n < 5 or not math.isfinite(rho):
                    continue
                k = (r["outcome"], r["indicator"])
                if k not in cells:
                    cells[k] = []
                    order.append(k)
                cells[k].append((n, rho))
    print(f"pooled over {len(files)} samples (fixed effect, Fisher z weighted by n - 3, SE 1.06 / sqrt(sum(n - 3)))")
    print(f"{'outcome':18s} {'indicator':30s} {'k':>2s} {'n':>5s} {'rho':>7s}   {'95% CI':>17s}  Q p")
    for oc, ind in order:
        xs = cells[(oc, ind)]
        # A partial correlation (one variable partialled out) has one degree of freedom less.
        w = [n - (4 if ind == "srl_index_partial_active_days" else 3) for n, _ in xs]
        z = [math.atanh(max(min(r, 0.999999999), -0.999999999)) for _, r in xs]
        zbar = sum(a * b for a, b in zip(w, z)) / sum(w)
        se = 1.06 / math.sqrt(sum(w))
        q = sum(a * (b - zbar) ** 2 for a, b in zip(w, z)) / 1.06 ** 2
        df = len(xs) - 1
        # chi-square upper tail for df = 1 or 2 in closed form; otherwise left blank
        qp = (math.erfc(math.sqrt(q / 2)) if df == 1 else math.exp(-q / 2) if df == 2 else float("nan"))
        qs = f"{qp:.2g}" if df >= 1 and math.isfinite(qp) else "-"
        if ind == "mean_entered_components":  # a mean of rhos: pooled the same way, but no CI or Q
            print(f"{oc:18s} {ind:30s} {len(xs):2d} {sum(n for n, _ in xs):5d} {math.tanh(zbar):+.3f}")
            continue
        print(f"{oc:18s} {ind:30s} {len(xs):2d} {sum(n for n, _ in xs):5d} {math.tanh(zbar):+.3f}   "
              f"[{math.tanh(zbar - Z975 * se):+.3f}, {math.tanh(zbar + Z975 * se):+.3f}]  {qs}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_out", type=Path, nargs="?", help="leerwinst output folder (after transform)")
    ap.add_argument("converted", type=Path, nargs="?", help="folder with outcome.csv (learner,outcome,...)")
    ap.add_argument("--pool", type=Path, nargs="+", default=None, metavar="CSV",
                    help="pool the srl_validity.csv of independent samples instead (no other arguments)")
    ap.add_argument("--term", type=int, default=None,
                    help="with --table srl_term: only this term's rows")
    ap.add_argument("--outcome-column", default="outcome",
                    help="outcome.csv column(s) to correlate with, comma-separated")
    ap.add_argument("--table", default="srl", help="srl (per school year) or srl_term")
    ap.add_argument("--school-year", default=None,
                    help="only this school year (default: per pupil, the year with most events)")
    ap.add_argument("--key", default=os.environ.get("LEERWINST_KEY"),
                    help="pseudonym key (default $LEERWINST_KEY)")
    ap.add_argument("--csv", type=Path, default=None,
                    help="CSV to write (default RUN_OUT/srl_validity.csv)")
    args = ap.parse_args(argv)
    if args.pool:
        return pool(args.pool)
    if args.run_out is None or args.converted is None:
        ap.error("RUN_OUT and CONVERTED are required (unless --pool)")

    names, types, data = read_table(find_srl(args.run_out, args.table))
    rows = [dict(zip(names, r)) for r in data]
    if args.term is not None:
        if "term" not in names:
            sys.exit("error: --term needs --table srl_term")
        rows = [r for r in rows if r.get("term") == args.term]
        if not rows:
            sys.exit(f"error: no rows of term {args.term}")
    if args.school_year:
        rows = [r for r in rows if r.get("school_year") == args.school_year]
    if args.table == "srl":
        best: dict[str, dict] = {}
        for r in rows:
            b = best.get(r["pupil_key"])
            if b is None or (r.get("events") or 0) > (b.get("events") or 0):
                best[r["pupil_key"]] = r
        rows = list(best.values())

    with open(args.converted / "outcome.csv", newline="", encoding="utf-8") as fh:
        outc = list(csv.DictReader(fh))
    ocols = [c.strip() for c in args.outcome_column.split(",")]
    for c in ocols:
        if outc and c not in outc[0]:
            sys.exit(f"error: outcome.csv has no column {c!r} (has {', '.join(outc[0])})")

    keys = {r["pupil_key"] for r in rows}
    raw_hits = sum(1 for o in outc if o["learner"].strip() in keys)
    hashed_hits = 0
    if args.key:
        hashed_hits = sum(1 for o in outc if pseudonym(args.key, o["learner"]) in keys)
    if hashed_hits >= raw_hits and hashed_hits > 0:
        to_key, how = (lambda s: pseudonym(args.key, s)), "HMAC pseudonyms of outcome.csv's ids"
    elif raw_hits > 0:
        to_key, how = (lambda s: s.strip()), "raw ids (pseudonymisation off)"
    else:
        sys.exit("error: no outcome.csv id matches a pupil_key; set LEERWINST_KEY (or --key) to the "
                 "key the run used")

    numeric = [n for n, t in zip(names, types)
               if any(t.startswith(p) for p in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "HUGEINT",
                                                "SMALLINT", "DECIMAL", "UBIGINT", "UINTEGER"))
               and n not in NOT_INDICATORS]
    # srl_index and active_days first, then the table's order.
    numeric = [c for c in ("srl_index", "active_days") if c in numeric] + \
              [c for c in numeric if c not in ("srl_index", "active_days")]

    by_key = {r["pupil_key"]: r for r in rows} if args.table == "srl" else None
    comp = load_composite(args.run_out, args.table)
    term_s = f" (term {args.term})" if args.term is not None else ""
    print(f"SRL table: {args.table}{term_s}, {len(rows)} pupil rows; matched by {how}")
    results = []
    for oc in ocols:
        pairs_base = []
        for o in outc:
            try:
                y = float(o[oc])
            except (ValueError, TypeError):
                continue
            if not math.isfinite(y):
                continue
            k = to_key(o["learner"])
            if by_key is not None:
                if k in by_key:
                    pairs_base.append((by_key[k], y))
            else:
                pairs_base.extend((r, y) for r in rows if r["pupil_key"] == k)
        print(f"\noutcome: {oc} ({len(pairs_base)} pupil rows with an outcome and an SRL row)")
        print(f"{'indicator':26s} {'n':>5s} {'rho':>7s}   {'95% CI':>17s} {'p':>8s}")
        for col in numeric:
            xy = [(r[col], y) for r, y in pairs_base if finite(r.get(col))]
            n, rho, lo, hi, p = spearman([a for a, _ in xy], [b for _, b in xy])
            results.append({"outcome": oc, "indicator": col, "n": n, "rho": rho, "ci_low": lo,
                            "ci_high": hi, "p": p})
            fmt = (lambda v: f"{v:+.3f}" if math.isfinite(v) else "   -  ")
            pstr = f"{p:.2g}" if math.isfinite(p) else "-"
            print(f"{col:26s} {n:5d} {fmt(rho):>7s}   [{fmt(lo)}, {fmt(hi)}] {pstr:>8s}")
        # The index beyond plain volume: partial rank correlation with the outcome, controlling
        # active days; SE 1.06 / sqrt(n - 4) (one variable partialled out).
        trip = [(r["srl_index"], y, r["active_days"]) for r, y in pairs_base
                if finite(r.get("srl_index")) and finite(r.get("active_days"))]
        if len(trip) >= 6:
            ra, rb, rc = (ranks([t[i] for t in trip]) for i in range(3))
            r_ab, r_ac, r_bc = pearson(ra, rb), pearson(ra, rc), pearson(rb, rc)
            den = math.sqrt(max((1 - r_ac ** 2) * (1 - r_bc ** 2), 0.0))
            pr = (r_ab - r_ac * r_bc) / den if den > 0 else float("nan")
            n = len(trip)
            if math.isfinite(pr):
                z, se = math.atanh(max(min(pr, 0.999999999), -0.999999999)), 1.06 / math.sqrt(n - 4)
                lo, hi, p = math.tanh(z - Z975 * se), math.tanh(z + Z975 * se), math.erfc(abs(z) / se / math.sqrt(2))
                results.append({"outcome": oc, "indicator": "srl_index_partial_active_days", "n": n, "rho": pr,
                                "ci_low": lo, "ci_high": hi, "p": p})
                print(f"{'srl_index | active_days':26s} {n:5d} {pr:+.3f}   [{lo:+.3f}, {hi:+.3f}] {p:8.2g}"
                      f"   (partial; rho(index, active days) = {r_ac:+.3f})")
        lines, mean_row = composite_summary(results, comp, oc)
        print(f"composite vs its entered components ({oc}):")
        for line in lines:
            print(line)
        if mean_row:
            results.append(mean_row)
    dest = args.csv or (args.run_out / "srl_validity.csv")
    with open(dest, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["outcome", "indicator", "n", "rho", "ci_low", "ci_high", "p"],
                           lineterminator="\n")
        w.writeheader()
        for r in results:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) and math.isfinite(v)
                            else ("" if isinstance(v, float) else v)) for k, v in r.items()})
    print(f"\nwritten: {dest}")
    if comp is not None:
        key = "srl_term_composite" if args.table == "srl_term" else "srl_composite"
        st = {}
        for c in comp.get("components", []):
            st.setdefault(c.get("status"), []).append(c["name"])
        fmt2 = (lambda v: f"{v:.3f}" if isinstance(v, (int, float)) else "null")
        print(f"\nrun.json transform.{key}: {comp.get('with_index')} pupils with an index; alpha "
              f"{fmt2(comp.get('alpha'))}, omega {fmt2(comp.get('omega'))}")
        for k in ("entered", "constant", "no_values"):
            if k in st:
                print(f"  {k}: {', '.join(st[k])}")
        for c in comp.get("components", []):
            if c.get("status") == "entered" and "loading" in c:
                print(f"  loading {c['name']:26s} {c['loading']:+.3f}")
    print("\nCronbach's alpha of the composite's components (SIGNS at the top of this script):")
    for line in cronbach(rows, SIGNS):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
