#!/usr/bin/env python3
"""Cross-check the committed R `did` reference outputs against the Python port `csdid`.

A second, independent implementation of Callaway & Sant'Anna (2021): this script
recomputes, with the PyPI package `csdid` (written against csdid 0.4.3, with its
dependency `drdid` 1.1.7), every setting stored in this folder and compares it row
by row with the R values:

* mpdta (`mpdta.csv`, not committed; see README.md) against `att_gt.csv` and
  `aggte.csv` (R did 2.3.0): all cases named
  `{reg|dr|ipw}_{x1|xlpop}_{never|notyet}_{varying|universal}_{panel|rc}[_ant1]`,
  i.e. outcome regression / doubly robust / IPW, no covariate or `lpop`,
  never-treated or not-yet-treated controls, varying or universal base period,
  panel or repeated cross sections (`panel=False`, one row per observation, no
  id), anticipation 0 or 1;
* the school board (`board.csv`, committed) against `board_att_gt.csv` and
  `board_aggte.csv` (R did 2.5.1): repeated cross sections, no id,
  `clustervars="school"`, cases `{reg|dr}_{never|notyet}_{varying|universal}`.

Per case it compares ATT(g,t) and its analytic standard error (csdid
`fit(bstrap=False)`; csdid's default is the multiplier bootstrap) and the four
aggregations `aggte(typec = simple|group|calendar|dynamic, na_rm=True,
bstrap=False, cband=False)` (overall value plus one value per group / period /
event time), and prints the number of values compared and the largest absolute
differences. csdid is run with `faster_mode=False` (R's reference path) unless
`--faster-mode` is given; the two agree to ~1e-12 anyway.

Known difference (csdid 0.4.3): analytic s.e. of `dr` with covariates on
repeated cross sections (`dr_xlpop_*_rc`) differ from R by up to 7.8e-5 (<= 0.1%).
R DRDID's `drdid_rc` (1.0.0 to 1.2.3, drdid_rc.R:336-337 in 1.2.3) adds the pre-
and post-period outcome-regression estimation effects,
`inf.treat.or <- inf.treat.or.post + inf.treat.or.pre` (same for `inf.cont.or`);
csdid 0.4.3 (`attgt_fnc/drdid_trim.py`, `drdid_rc`) subtracts them (csdid 0.4.2
added, like R). The term vanishes without covariates (then M1.pre = M3.pre = -1),
which is why only the `xlpop` rc cases differ. `--r-drdid-sign` patches csdid's
`drdid_rc` in memory to R's `+` and then the s.e. agree to ~1e-11.

Exit status: 1 if any ATT (group-time or aggregated) differs by more than 1e-6
(`--tol`), if a row is missing on either side, if one side is NA where the other
is not, or if csdid fails on a case; standard errors are reported, and flagged
with `se!` when they differ by more than `--tol`, but only fail with
`--strict-se`. Exit 0 with a SKIPPED message when csdid is not installed; the
mpdta cases are SKIPPED when mpdta.csv is missing (the board cases still run).

Run from the repository root:

    pip install csdid
    python3 tests/reference/did/csdid_check.py [-v] [--case REGEX] [--faster-mode]
        [--strict-se] [--r-drdid-sign] [--tol 1e-6]
"""

import argparse
import contextlib
import io
import math
import re
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
AGG_TYPES = ("simple", "group", "calendar", "dynamic")
CASE_RE = re.compile(
    r"^(?P<est>reg|dr|ipw)_(?P<x>x1|xlpop)_(?P<cg>never|notyet)_"
    r"(?P<bp>varying|universal)_(?P<panel>panel|rc)(?:_ant(?P<ant>\d+))?$")
BOARD_RE = re.compile(r"^(?P<est>reg|dr)_(?P<cg>never|notyet)_(?P<bp>varying|universal)$")
CONTROL = {"never": "nevertreated", "notyet": "notyettreated"}


def num(x):
    """float, with None / '' / NaN as NaN."""
    if x is None or (isinstance(x, str) and x.strip() == ""):
        return math.nan
    return float(x)


def key_int(x):
    """Row key for group / time / event time: int, or None for the overall row."""
    v = num(x)
    return None if math.isnan(v) else int(round(v))


class Diff:
    """Running comparison of (att, se) pairs: count, max |diff|, NA and key mismatches."""

    def __init__(self):
        self.n = 0
        self.att = 0.0
        self.se = 0.0
        self.att_na = 0    # NA on one side only
        self.se_na = 0
        self.missing = []  # keys present on one side only

    def add(self, ref_att, ref_se, att, se):
        self.n += 1
        for name, r, c in (("att", ref_att, att), ("se", ref_se, se)):
            r, c = num(r), num(c)
            if math.isnan(r) and math.isnan(c):
                continue
            if math.isnan(r) or math.isnan(c):
                setattr(self, name + "_na", getattr(self, name + "_na") + 1)
                continue
            setattr(self, name, max(getattr(self, name), abs(r - c)))

    def merge(self, other):
        self.n += other.n
        self.att = max(self.att, other.att)
        self.se = max(self.se, other.se)
        self.att_na += other.att_na
        self.se_na += other.se_na
        self.missing += other.missing

    def att_bad(self, tol):
        return self.att > tol or self.att_na > 0 or bool(self.missing)

    def se_bad(self, tol):
        return self.se > tol or self.se_na > 0

    def text(self):
        s = f"n={self.n:3d} att {self.att:8.1e} se {self.se:8.1e}"
        if self.att_na or self.se_na:
            s += f" [NA mismatch: att {self.att_na}, se {self.se_na}]"
        if self.missing:
            s += f" [{len(self.missing)} rows on one side only]"
        return s


def compare(ref_rows, ours, diff):
    """ref_rows: iterable of (key, att, se); ours: dict key -> (att, se)."""
    seen = set()
    for key, att, se in ref_rows:
        seen.add(key)
        if key not in ours:
            diff.missing.append(("R only", key))
            continue
        diff.add(att, se, *ours[key])
    for key in ours:
        if key not in seen:
            diff.missing.append(("csdid only", key))


def use_r_drdid_rc_sign():
    """Patch csdid's drdid_rc (in memory) to R DRDID's `post + pre` sign (see docstring)."""
    import inspect
    import csdid.attgt_fnc.drdid_trim as trim
    from csdid.attgt_fnc.compute_att_gt_shared import select_estimators
    src = inspect.getsource(trim.drdid_rc)
    for part in ("treat", "cont"):
        minus = f"inf_{part}_or = inf_{part}_or_post - inf_{part}_or_pre"
        if minus not in src:
            raise RuntimeError(f"--r-drdid-sign: '{minus}' not found in csdid's drdid_rc")
        src = src.replace(minus, minus.replace(" - ", " + "))
    namespace = dict(vars(trim))
    exec(compile(src, trim.__file__, "exec"), namespace)
    trim.drdid_rc = namespace["drdid_rc"]
    if select_estimators("dr")[1] is not trim.drdid_rc:  # looked up at call time in 0.4.3
        raise RuntimeError("--r-drdid-sign: csdid does not pick up the patched drdid_rc")


def fit_csdid(ATTgt, data, spec, faster_mode):
    """Run csdid on one case; returns (att_gt dict, {type: aggte dict}, warnings)."""
    out = io.StringIO()  # csdid prints summaries and notes to stdout
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        model = ATTgt(yname=spec["yname"], tname=spec["tname"], idname=spec["idname"],
                      gname=spec["gname"], data=data, xformla=spec["xformla"],
                      panel=spec["panel"], control_group=spec["control_group"],
                      anticipation=spec["anticipation"], clustervar=spec["clustervar"],
                      faster_mode=faster_mode)
        model.fit(est_method=spec["est_method"], base_period=spec["base_period"],
                  bstrap=False)
        res = model.results
        attgt = {(key_int(g), key_int(t)): (a, s)
                 for g, t, a, s in zip(res["group"], res["year"], res["att"], res["se"])}
        aggs = {}
        for typ in AGG_TYPES:
            model.aggte(typec=typ, na_rm=True, bstrap=False, cband=False,
                        clustervars=spec["clustervar"])
            ag = model.atte
            rows = {None: (num(ag["overall_att"]), num(ag["overall_se"]))}
            if ag["egt"] is not None:
                for e, a, s in zip(ag["egt"], ag["att_egt"], ag["se_egt"]):
                    rows[key_int(e)] = (num(a), num(s))
            aggs[typ] = rows
    msgs = sorted({str(w.message).splitlines()[0] for w in caught})
    return attgt, aggs, msgs


def mpdta_spec(case):
    m = CASE_RE.match(case)
    if not m:
        return None
    panel = m["panel"] == "panel"
    return dict(yname="lemp", tname="year", gname="first_treat",
                # csdid (like did >= 2.5) requires unique ids with panel=False; did
                # 2.3.0 numbered the rows itself (.rowid), which idname=None does too.
                idname="countyreal" if panel else None,
                xformla=None if m["x"] == "x1" else "lemp ~ lpop",
                panel=panel, control_group=CONTROL[m["cg"]],
                anticipation=int(m["ant"] or 0), clustervar=None,
                est_method=m["est"], base_period=m["bp"])


def board_spec(case):
    m = BOARD_RE.match(case)
    if not m:
        return None
    return dict(yname="growth_z", tname="year", gname="first_treat", idname=None,
                xformla=None, panel=False, control_group=CONTROL[m["cg"]],
                anticipation=0, clustervar="school",
                est_method=m["est"], base_period=m["bp"])


def run_family(label, pd, ATTgt, data, att_file, agg_file, spec_of, args, totals):
    """Check every case of one reference pair; returns the number of failures."""
    ref_att = pd.read_csv(att_file, dtype=str, keep_default_na=False)
    ref_agg = pd.read_csv(agg_file, dtype=str, keep_default_na=False)
    cases = list(dict.fromkeys(ref_att["case"]))
    if args.case:
        cases = [c for c in cases if re.search(args.case, c)]
    failures = 0
    if not cases:
        return 0
    print(f"\n== {label}: {len(cases)} cases, {att_file.name} + {agg_file.name} ==")
    print(f"{'case':36s} {'ATT(g,t)':44s} | aggregations (simple, group, calendar, dynamic)")
    for case in cases:
        spec = spec_of(case)
        if spec is None:
            print(f"{case:36s} NOT COMPARED: case name not understood")
            failures += 1
            continue
        try:
            attgt, aggs, msgs = fit_csdid(ATTgt, data, spec, args.faster_mode)
        except Exception as exc:  # csdid refused or crashed on this setting
            print(f"{case:36s} ERROR in csdid: {type(exc).__name__}: {exc}")
            failures += 1
            continue
        d_att = Diff()
        rows = ref_att[ref_att["case"] == case]
        compare((((key_int(g), key_int(t)), a, s)
                 for g, t, a, s in zip(rows["group"], rows["time"], rows["att"], rows["se"])),
                attgt, d_att)
        d_agg = Diff()
        for typ in AGG_TYPES:
            d_typ = Diff()
            rows = ref_agg[(ref_agg["case"] == case) & (ref_agg["type"] == typ)]
            compare(((key_int(e), a, s) for e, a, s in zip(rows["e"], rows["att"], rows["se"])),
                    aggs[typ], d_typ)
            d_agg.merge(d_typ)
            totals.setdefault((label, typ), Diff()).merge(d_typ)
            if args.verbose:
                print(f"    {typ:10s} {d_typ.text()}")
        totals.setdefault((label, "att_gt"), Diff()).merge(d_att)
        bad = d_att.att_bad(args.tol) or d_agg.att_bad(args.tol)
        se_bad = d_att.se_bad(args.tol) or d_agg.se_bad(args.tol)
        status = "ATT FAIL" if bad else "ok"
        if se_bad:
            status += " se!"
            bad = bad or args.strict_se
        failures += bool(bad)
        print(f"{case:36s} {d_att.text():44s} | {d_agg.text()}  {status}")
        if args.verbose:
            for side, key in (d_att.missing + d_agg.missing)[:5]:
                print(f"    row {key}: {side}")
        if args.verbose and msgs:
            for msg in msgs:
                print(f"    csdid warning: {msg}")
    return failures


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tol", type=float, default=1e-6,
                    help="max allowed |ATT difference| (default 1e-6)")
    ap.add_argument("--strict-se", action="store_true",
                    help="also fail when a standard error differs by more than --tol")
    ap.add_argument("--faster-mode", action="store_true",
                    help="use csdid's faster_mode=True path (default: False, as the R references)")
    ap.add_argument("--r-drdid-sign", action="store_true",
                    help="patch csdid's drdid_rc to R DRDID's sign of the OR estimation effect")
    ap.add_argument("--case", metavar="REGEX", help="only cases whose name matches REGEX")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="per-aggregation differences and csdid's warnings")
    args = ap.parse_args(argv)

    try:
        from importlib.metadata import version
        import pandas as pd
        from csdid.att_gt import ATTgt
        csdid_version = version("csdid")
    except Exception as exc:  # ImportError, PackageNotFoundError
        print(f"SKIPPED: csdid is not available ({type(exc).__name__}: {exc}); "
              f"install it with `pip install csdid`")
        return 0
    try:
        drdid_version = version("drdid")
    except Exception:
        drdid_version = "?"
    print(f"csdid {csdid_version} (drdid {drdid_version}), faster_mode={args.faster_mode}, "
          f"ATT tolerance {args.tol:g}; se = analytic (bstrap=False)")
    if args.r_drdid_sign:
        use_r_drdid_rc_sign()
        print("drdid_rc patched to R DRDID's `inf.*.or.post + inf.*.or.pre`")

    failures = 0
    totals = {}
    mpdta = HERE / "mpdta.csv"
    if mpdta.exists():
        data = pd.read_csv(mpdta)
        failures += run_family("mpdta vs R did 2.3.0", pd, ATTgt, data,
                               HERE / "att_gt.csv", HERE / "aggte.csv", mpdta_spec, args, totals)
    else:
        print(f"SKIPPED: mpdta cases ({mpdta} is missing; make it with "
              f"`python3 tests/reference/did/mpdta_from_pypi.py`)")
    board = pd.read_csv(HERE / "board.csv")
    failures += run_family("board vs R did 2.5.1 (rc, clustered by school)", pd, ATTgt, board,
                           HERE / "board_att_gt.csv", HERE / "board_aggte.csv",
                           board_spec, args, totals)

    print("\n== summary: max |csdid - R| ==")
    for (label, what), d in totals.items():
        print(f"{label:48s} {what:9s} {d.text()}")
    if failures:
        print(f"FAILED: {failures} case(s) (ATT tolerance {args.tol:g}"
              f"{', se checked' if args.strict_se else ''})")
        return 1
    print("OK: every ATT within tolerance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
