#!/usr/bin/env bash
# Checks leerwinst's self-regulation indicators of existing run folders (ingest + transform
# done) against the two independent peers of the same definitions, DuckDB SQL
# (bench/peers/srl_duckdb.sql) and Python polars (bench/peers/srl_polars.py, skipped with a
# message when polars is not importable), run on each run folder's own warehouse/events:
#
#   bash bench/realdata/peer_check.sh /tmp/tartuA_out /tmp/tartuB_out
#
# Per run and peer it prints the pupil-years compared, the indicators compared, and per
# indicator the pairs with a value on both sides, the null mismatches and the largest absolute
# difference; every pupil-year x indicator pair differing by more than 1e-9 (or null on one side
# only) is listed. Exit status 1 on any such difference, a missing pupil-year or a peer that
# fails; 2 on bad arguments.
#
# What the peers do not check, said in the output rather than skipped:
# - the plan indicators (plan_kept_share, on_time_share, median_lateness_days,
#   deadline_margin_h): the peers read only warehouse/events, never plans.parquet;
# - srl_index and srl_tercile when a plan indicator entered leerwinst's composite: the peers'
#   composite has only the event components, so their index is then another quantity. It is
#   compared anyway for information (not a failure), and in its place the composite is
#   re-assembled here, with the peers' formula, from the peer's event components plus
#   leerwinst's own plan columns, and compared with leerwinst's index and terciles (a failure if
#   they differ). The same re-assembly without the plan columns must reproduce the peer's own
#   index, which checks the re-assembly itself;
# - anything grouped by grade when a school year has more than one grade: the peers group by
#   school year only (their warehouse has no enrolments), so active_week_share, srl_index and
#   srl_tercile are then marked not comparable;
# - the peers hard-code session_gap_min = 15 and min_events = 20; the run's pipeline.toml (from
#   run.json, if still on disk with the same sha256) is read and a different setting reported.
#
# Needs python3 with duckdb (polars optional). Does not build or run leerwinst.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [[ $# -lt 1 ]]; then
  echo "usage: bash bench/realdata/peer_check.sh RUN_FOLDER [RUN_FOLDER ...]" >&2
  exit 2
fi
python3 -c "import duckdb" 2>/dev/null || { echo "peer_check.sh: needs python3 with duckdb (pip install duckdb)" >&2; exit 2; }
peers=(duckdb)
if python3 -c "import polars" 2>/dev/null; then
  peers+=(polars)
else
  echo "polars peer: NOT RUN (python3 cannot import polars); only the DuckDB peer is checked"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

for run in "$@"; do
  run=${run%/}
  echo
  echo "=== run $run"
  if [[ ! -f $run/indicators/srl.parquet || -z $(find "$run/warehouse/events" -name '*.parquet' -print -quit 2>/dev/null) ]]; then
    echo "FAIL: $run has no indicators/srl.parquet or no warehouse/events/**/*.parquet (run leerwinst ingest + transform first)"
    status=1
    continue
  fi
  out="$work/$(basename "$run")-$RANDOM"
  mkdir -p "$out"
  for peer in "${peers[@]}"; do
    case $peer in
      duckdb) cmd=(python3 bench/peers/srl_duckdb.py "$run/warehouse/events" "$out/duckdb.parquet" 4GB) ;;
      polars) cmd=(python3 bench/peers/srl_polars.py "$run/warehouse/events" "$out/polars.parquet") ;;
    esac
    if timeout "${PEER_TIMEOUT:-1800}" "${cmd[@]}" >"$out/$peer.log" 2>&1; then
      echo "peer $peer: $(tail -1 "$out/$peer.log")"
    else
      echo "FAIL: peer $peer failed or timed out on $run; its last output:"
      tail -15 "$out/$peer.log" | sed 's/^/    /'
      rm -f "$out/$peer.parquet"
      status=1
    fi
  done
  python3 - "$run" "$out" "${peers[@]}" <<'PY' || status=1
import hashlib, json, math, os, sys, tomllib
import duckdb

run, out, peers = sys.argv[1], sys.argv[2], sys.argv[3:]
TOL = 1e-9
KEY = ("pupil_key", "school_year")
# leerwinst's composite (crates/transform/src/srl.rs COMPOSITE), in order, with signs.
COMPOSITE = [("active_week_share", 1), ("weekly_similarity", 1), ("plan_kept_share", 1),
             ("on_time_share", 1), ("median_lateness_days", -1), ("deadline_margin_h", 1),
             ("help_after_error_share", 1), ("persistence_share", 1),
             ("progress_views_per_week", 1), ("reflections_per_week", 1)]
PLAN = ["plan_kept_share", "on_time_share", "median_lateness_days", "deadline_margin_h"]
NOT_INDICATORS = {"pupil_key", "school_year", "school_key", "grade", "null_reason"}
MAX_LISTED = 20  # differing pairs listed per indicator (all are counted)


def table(path):
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    cols = rel.columns
    return cols, [dict(zip(cols, r)) for r in rel.fetchall()]


def num(v):
    return None if v is None else float(v)


def fmt(x):
    return "—" if x is None else f"{x:.3g}"


failed = False
ours_cols, ours_rows = table(f"{run}/indicators/srl.parquet")
ours = {tuple(r[k] for k in KEY): r for r in ours_rows}

# ---- the run's settings and warehouse, against what the peers assume
meta = json.load(open(f"{run}/run.json")) if os.path.exists(f"{run}/run.json") else {}
pfile = (meta.get("pipeline") or {}).get("file")
settings = None
if pfile and os.path.exists(pfile):
    raw = open(pfile, "rb").read()
    same = hashlib.sha256(raw).hexdigest() == meta["pipeline"].get("sha256")
    ind = tomllib.loads(raw.decode()).get("indicators", {})
    settings = (ind.get("session_gap_min", 15), ind.get("min_events", 20))
    note = "" if same else " (WARNING: the file changed since the run: sha256 differs from run.json)"
    if settings == (15, 20):
        print(f"settings: {pfile}{note}: session_gap_min 15, min_events 20, as the peers assume")
    else:
        print(f"DIFFERENT SETTINGS: {pfile}{note}: session_gap_min {settings[0]}, min_events "
              f"{settings[1]}; the peers hard-code 15 and 20, so differences are expected")
else:
    print("settings: the run's pipeline.toml is not on disk; session_gap_min 15 and min_events 20 "
          "(the peers' values) are NOT verified")

ev = f"read_parquet('{run}/warehouse/events/**/*.parquet', hive_partitioning = false)"
con = duckdb.connect()
con.execute("SET TimeZone = 'Europe/Amsterdam'")
n_ev, n_py, years = con.execute(
    f"SELECT count(*), count(DISTINCT (pupil_key, school_year)), list(DISTINCT school_year ORDER BY school_year) FROM {ev}"
).fetchone()
dates_only = con.execute(
    f"SELECT count(*) FROM (SELECT pupil_key, school_year FROM {ev} GROUP BY ALL "
    "HAVING bool_and(hour(ts) = 0 AND minute(ts) = 0 AND microsecond(ts) = 0))").fetchone()[0]
bad_years = [y for y in years if not (len(y) == 9 and y[4] == "-" and y[:4].isdigit() and y[5:].isdigit()
                                      and int(y[5:]) == int(y[:4]) + 1)]
print(f"warehouse: {n_ev:,} events in {n_py} pupil-years, school years {', '.join(years)}"
      + (f" (NOT of the form YYYY-YYYY+1, which the peers parse: {bad_years})" if bad_years else "")
      + f"; {dates_only} pupil-years with dates only (every event at local midnight)")
if os.path.exists(f"{run}/warehouse/plans.parquet"):
    n_pl, no_planned, no_due, no_done = con.execute(
        f"SELECT count(*), count(*) - count(planned_for), count(*) - count(due), count(*) - count(done_at) "
        f"FROM read_parquet('{run}/warehouse/plans.parquet')").fetchone()
    print(f"plans: {n_pl:,} rows ({no_planned:,} without a planned day, {no_due:,} without a due day, "
          f"{no_done:,} not done); the peers do not read plans")
grades = {}
for r in ours_rows:
    grades.setdefault(r["school_year"], set()).add(r["grade"])
mixed = {y: g for y, g in grades.items() if len(g) > 1}
print("composite groups in leerwinst (grade x school year): "
      + "; ".join(f"{y}: grade {sorted(g, key=lambda x: (x is None, x))}" for y, g in sorted(grades.items()))
      + (" — MORE THAN ONE GRADE in a school year: the peers group by school year only" if mixed else
         " (one grade per school year, so the peers' school-year groups are the same groups)"))

# Plan components that entered leerwinst's composite somewhere (>= 2 values, SD > 0 in a group).
def sd(v):
    m = sum(v) / len(v)
    return math.sqrt(sum((x - m) ** 2 for x in v) / max(len(v) - 1, 1))

groups = {}
for r in ours_rows:
    groups.setdefault((r["grade"], r["school_year"]), []).append(r)
plan_entered = [c for c in PLAN if c in ours_cols and any(
    len(v) >= 2 and sd(v) > 0 for v in ([num(r[c]) for r in g if r[c] is not None] for g in groups.values()))]
plan_values = {c: sum(r[c] is not None for r in ours_rows) for c in PLAN if c in ours_cols}


def reassemble(rows, components):
    """srl_index and srl_tercile per key, the documented composite over `components`: z-scores
    within grade x school year (sample SD; a component enters a group with >= 2 values and SD > 0),
    sign-aligned, mean of at least 3; terciles in the group by (index, pupil key)."""
    idx, terc, grp = {}, {}, {}
    for k, r in rows.items():
        grp.setdefault((r["grade"], k[1]), []).append(k)
    for keys in grp.values():
        stats = {}
        for c, s in components:
            v = [num(rows[k][c]) for k in keys if rows[k][c] is not None]
            if len(v) >= 2 and sd(v) > 0:
                stats[c] = (sum(v) / len(v), sd(v), s)
        for k in keys:
            z = [s * (num(rows[k][c]) - m) / d for c, (m, d, s) in stats.items() if rows[k][c] is not None]
            idx[k] = sum(z) / len(z) if len(z) >= 3 else None
        ranked = sorted((idx[k], k[0], k) for k in keys if idx[k] is not None)
        for rank, (_, _, k) in enumerate(ranked):
            terc[k] = 3 * rank // len(ranked) + 1
    return idx, terc


def compare(col, pairs):
    """(pairs with values, null in both, null mismatches, max |diff|, [differing (key, a, b)])."""
    both = nulls = mism = 0
    worst, bad = None, []
    for k, a, b in pairs:
        if a is None and b is None:
            nulls += 1
        elif a is None or b is None:
            mism += 1
            bad.append((k, a, b))
        else:
            both += 1
            d = abs(a - b)
            worst = d if worst is None else max(worst, d)
            if not d <= TOL:  # NaN counts as a difference
                bad.append((k, a, b))
    return both, nulls, mism, worst, bad


def report_bad(col, bad, a_name, b_name):
    for k, a, b in bad[:MAX_LISTED]:
        print(f"      DIFF {k[0]} {k[1]} {col}: {a_name} {a!r}, {b_name} {b!r}")
    if len(bad) > MAX_LISTED:
        print(f"      ... and {len(bad) - MAX_LISTED} more")


for peer in peers:
    path = f"{out}/{peer}.parquet"
    print(f"--- leerwinst vs peer {peer}")
    if not os.path.exists(path):
        print(f"  FAIL: no result from the {peer} peer (see above)")
        failed = True
        continue
    peer_cols, peer_rows = table(path)
    theirs = {tuple(r[k] for k in KEY): r for r in peer_rows}
    common = sorted(set(ours) & set(theirs))
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    # A pupil-year with plans or an enrolment but no event has a leerwinst row (all indicators
    # null); the peers see events only, so they cannot have it.
    no_events = [k for k in only_ours if not ours[k]["events"]]
    missing = [k for k in only_ours if ours[k]["events"]]
    print(f"  pupil-years: leerwinst {len(ours)}, peer {len(theirs)}, compared {len(common)}")
    if no_events:
        print(f"  not covered: {len(no_events)} leerwinst pupil-years without events (plans or enrolment only); "
              "the peers read events only")
    for what, ks in (("in leerwinst, with events, but not in the peer", missing),
                     ("in the peer but not in leerwinst", only_theirs)):
        if ks:
            failed = True
            print(f"  FAIL: {len(ks)} pupil-years {what}: {', '.join(f'{a} {b}' for a, b in ks[:10])}")

    cols = [c for c in peer_cols if c not in KEY]
    composite_cols = {"srl_index", "srl_tercile"}
    grouped = {"active_week_share"} | composite_cols
    index_comparable = not plan_entered and not mixed
    compared = [c for c in cols if c not in composite_cols and not (mixed and c in grouped)]
    print(f"  indicators compared: {len(compared)} ({', '.join(compared)})")
    print(f"  {'indicator':26s} {'with values':>11s} {'null both':>9s} {'null 1 side':>11s} {'max |diff|':>10s} {'> 1e-9':>6s}")
    vacuous = []
    for c in cols:
        pairs = [(k, num(ours[k].get(c)), num(theirs[k][c])) for k in common]
        both, nulls, mism, worst, bad = compare(c, pairs)
        counted = c in compared or (c in composite_cols and index_comparable)
        tag = "" if counted else "   (not comparable, see below; not counted)"
        print(f"  {c:26s} {both:11d} {nulls:9d} {mism:11d} {fmt(worst):>10s} {len(bad):6d}{tag}")
        if counted:
            if bad:
                failed = True
                report_bad(c, bad, "leerwinst", peer)
            if both == 0:
                vacuous.append(c)
    if vacuous:
        print(f"  note: {', '.join(vacuous)}: null for every pupil-year on both sides, so only "
              "their nulls are compared, not a value")
    const = [c for c in compared if c not in vacuous
             and len({num(theirs[k][c]) for k in common if theirs[k][c] is not None}) == 1]
    if const:
        print(f"  note: {', '.join(const)}: one value for every pupil-year that has one (constant in this log)")
    uncovered = [c for c in ours_cols if c not in NOT_INDICATORS and c not in peer_cols]
    if uncovered:
        print("  NOT CHECKED (the peer does not compute them): "
              + ", ".join(f"{c} ({plan_values.get(c, sum(ours[k][c] is not None for k in ours))} values in leerwinst)"
                          for c in uncovered))
    if mixed:
        print("  NOT COMPARABLE: active_week_share, srl_index, srl_tercile — leerwinst groups by grade x school "
              "year, the peer by school year, and a school year here has several grades")
    if "srl_index" in cols and not mixed:
        if plan_entered:
            print(f"  NOT COMPARABLE: srl_index, srl_tercile — the plan indicators {', '.join(plan_entered)} "
                  "entered leerwinst's composite (>= 2 values and SD > 0 in a group), and the peer's composite "
                  "has only the event components; the differences above are that, not counted")
        event_comp = [(c, s) for c, s in COMPOSITE if c in peer_cols]
        # The re-assembly, first without the plan columns: it must give the peer's own index.
        rows_p = {k: {**theirs[k], "grade": ours[k]["grade"] if k in ours else None} for k in theirs}
        idx0, terc0 = reassemble(rows_p, event_comp)
        b0, _, m0, w0, bad0 = compare("srl_index", [(k, idx0[k], num(theirs[k]["srl_index"])) for k in theirs])
        t0 = sum((terc0.get(k)) != theirs[k]["srl_tercile"] for k in theirs)
        print(f"  composite re-assembled here from the peer's event components ({len(event_comp)}) vs the "
              f"peer's own srl_index: {b0} with values, {m0} null on one side, max |diff| {fmt(w0)}; "
              f"tercile mismatches {t0}")
        if bad0 or t0:
            failed = True
            report_bad("srl_index", bad0, "re-assembled", peer)
        if plan_entered:
            plan_comp = [(c, s) for c, s in COMPOSITE if c in PLAN]
            comp = [(c, s) for c, s in COMPOSITE if c in peer_cols or c in PLAN]
            rows_m = {k: {**theirs[k], **{c: ours[k][c] for c, _ in plan_comp}, "grade": ours[k]["grade"]}
                      for k in common}
            idx1, terc1 = reassemble(rows_m, comp)
            b1, _, m1, w1, bad1 = compare("srl_index", [(k, num(ours[k]["srl_index"]), idx1[k]) for k in common])
            tb = [(k, ours[k]["srl_tercile"], terc1.get(k)) for k in common if ours[k]["srl_tercile"] != terc1.get(k)]
            print(f"  composite re-assembled here from the peer's event components + leerwinst's plan columns "
                  f"({', '.join(c for c, _ in plan_comp)}; their values are leerwinst's own, not checked) vs "
                  f"leerwinst's srl_index: {b1} with values, {m1} null on one side, max |diff| {fmt(w1)}, "
                  f"{len(bad1)} > 1e-9; srl_tercile mismatches {len(tb)}")
            if bad1 or tb:
                failed = True
                report_bad("srl_index", bad1, "leerwinst", "re-assembled")
                report_bad("srl_tercile", tb, "leerwinst", "re-assembled")

print(f"=== {run}: {'DIFFERENCES FOUND' if failed else 'leerwinst agrees with the peers on everything compared'}")
sys.exit(1 if failed else 0)
PY
done
exit $status
