//! Reading what the documents report from the run's outputs: the effects table as rows
//! ([`Effect`]), the growth rows' medians, run.json's figures and the rejects' reasons.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use leerwinst_stats::describe::median_sorted;
use leerwinst_store::{Frame, opt, opt_str};

use super::Inputs;
use crate::charts::growth::GrowthRows;

/// One effect row of the effects table.
pub(super) struct Effect {
    /// Design key ("regression", "multilevel", ...).
    pub(super) design: String,
    pub(super) subject: String,
    pub(super) outcome: String,
    /// "overall", "srl_tercile", "baseline_quintile" or "school".
    pub(super) subgroup: String,
    pub(super) n1: i64,
    pub(super) n0: i64,
    /// None when the row was not estimated (`note` says why).
    pub(super) est: Option<f64>,
    /// The 95% interval; None when it could not be made (`note` says why).
    pub(super) ci: Option<(f64, f64)>,
    pub(super) p: Option<f64>,
    /// How se, CI and p were made (the `method` column).
    pub(super) method: String,
    /// Programme and comparison schools in the row's sample.
    pub(super) cp: i64,
    pub(super) cc: i64,
    /// `too_few_clusters`, `too_few_pupils`, `few_programme_schools` or null.
    pub(super) note: Option<String>,
}

/// Note codes of the effects table (`note` column, written by compare).
pub(super) const TOO_FEW_CLUSTERS: &str = "too_few_clusters";
pub(super) const TOO_FEW_PUPILS: &str = "too_few_pupils";
pub(super) const FEW_PROGRAMME_SCHOOLS: &str = "few_programme_schools";

/// Programme schools below which the evidence is called weak (as compare's guard).
pub(super) const WEAK_BELOW_PROGRAMME_SCHOOLS: i64 = 5;

impl Effect {
    /// Weak evidence whatever the p value: marked so by compare, or fewer than 5 programme
    /// schools in a row that compares schools (a row per programme school is one school by
    /// construction).
    pub(super) fn weak(&self) -> bool {
        self.note.as_deref() == Some(FEW_PROGRAMME_SCHOOLS)
            || (self.subgroup != "school" && self.cp < WEAK_BELOW_PROGRAMME_SCHOOLS)
    }
}

/// Every row of the effects table, with its level, in file order (rows without an estimate or
/// interval included: they are shown with the reason).
pub(super) fn effect_rows(f: &Frame) -> Vec<(String, Effect)> {
    let (de, sg, lv, su, oc, me, no) = (
        f.str("design"),
        f.str("subgroup"),
        f.str("level"),
        f.str("subject"),
        f.str("outcome"),
        f.str("method"),
        f.str("note"),
    );
    let (n1, n0, cp, cc) = (
        f.i64("n_treated"),
        f.i64("n_comparison"),
        f.i64("clusters_programme"),
        f.i64("clusters_comparison"),
    );
    let (est, lo, hi, p) = (
        f.f64("estimate"),
        f.f64("ci_low"),
        f.f64("ci_high"),
        f.f64("p_value"),
    );
    (0..f.len())
        .map(|i| {
            let e = opt(est, i).filter(|v| v.is_finite());
            let ci = match (e, opt(lo, i), opt(hi, i)) {
                (Some(_), Some(l), Some(h)) if l.is_finite() && h.is_finite() => Some((l, h)),
                _ => None,
            };
            (
                lv.value(i).to_string(),
                Effect {
                    design: de.value(i).to_string(),
                    subject: su.value(i).to_string(),
                    outcome: oc.value(i).to_string(),
                    subgroup: sg.value(i).to_string(),
                    n1: n1.value(i),
                    n0: n0.value(i),
                    est: e,
                    ci,
                    p: ci.and(opt(p, i)),
                    method: me.value(i).to_string(),
                    cp: cp.value(i),
                    cc: cc.value(i),
                    note: opt_str(no, i).map(str::to_string),
                },
            )
        })
        .collect()
}

/// The rows of the pipeline's own design for `subgroup` (and `level`). Rows of other designs are
/// sensitivity checks ([`sensitivity`]).
pub(super) fn effects_where(
    inp: &Inputs,
    subgroup: &str,
    level: Option<&str>,
) -> Vec<(String, Effect)> {
    let key = inp.design.key();
    effect_rows(inp.effects)
        .into_iter()
        .filter(|(l, e)| e.design == key && e.subgroup == subgroup && level.is_none_or(|x| l == x))
        .collect()
}

/// The rows of `subject` among `v`.
pub(super) fn pick<'a>(v: &'a [(String, Effect)], subject: &str) -> Vec<&'a Effect> {
    v.iter()
        .filter(|(_, e)| e.subject == subject)
        .map(|(_, e)| e)
        .collect()
}

/// The pooled effect: subject "all" where the design gives it, else the first subject.
pub(super) fn headline(effects: &[(String, Effect)]) -> Option<&Effect> {
    effects
        .iter()
        .map(|e| &e.1)
        .find(|e| e.subject == "all")
        .or(effects.first().map(|e| &e.1))
}

/// Medians of the growth measure for programme and comparison pupils, latest year.
pub(super) fn arm_medians(
    rows: &GrowthRows,
    school: Option<&str>,
) -> (Option<f64>, Option<f64>, usize) {
    let mut p = vec![];
    let mut c = vec![];
    let mut pupils = BTreeSet::new();
    for r in rows.rows.iter().filter(|r| r.year == rows.latest) {
        if school.is_some_and(|s| s != r.school) {
            continue;
        }
        pupils.insert(&r.pupil);
        if let Some(g) = r.growth {
            if r.programme { p.push(g) } else { c.push(g) }
        }
    }
    p.sort_by(f64::total_cmp);
    c.sort_by(f64::total_cmp);
    (median_sorted(&p), median_sorted(&c), pupils.len())
}

/// Programme pupils without a comparison pupil (run.json: `compare.unmatched_programme_pupils`).
pub(super) fn unmatched_programme_pupils(inp: &Inputs) -> Option<u64> {
    inp.run["compare"]["unmatched_programme_pupils"]
        .as_u64()
        .filter(|&n| n > 0)
}

/// (table, reason) -> rows, most frequent first, from `rejects/*.csv`.
pub(super) fn reject_reasons(dir: &Path) -> Vec<((String, String), usize)> {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for f in files {
        let table = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let mut rd = leerwinst_store::csv_reader(&bytes);
        // The columns are in the schema's order; the header is in the run's language.
        let Some(col) = leerwinst_core::schema::REJECT_COLUMNS
            .iter()
            .position(|c| c.name == "reason")
        else {
            continue;
        };
        for rec in rd.records().flatten() {
            // Reasons may name a value after a colon ("unknown pupil: ..."): group by the text
            // as written, which never holds a raw id (ids are pseudonymised in rejects).
            let reason = rec.get(col).unwrap_or("").to_string();
            *counts.entry((table.clone(), reason)).or_default() += 1;
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The other kind of growth window beside the compared one (within the year beside year on
/// year, or the other way round) with its latest follow-up year: the one with the most group
/// rows, e.g. M-E beside E-E. None when the run has no such rows.
pub(super) fn other_window(inp: &Inputs) -> Option<(String, String)> {
    use leerwinst_core::term::window_is_yearly;
    let kind = window_is_yearly(&inp.growth.window)?;
    let (win, year) = (inp.groups.str("window"), inp.groups.str("school_year"));
    let mut found: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for i in 0..inp.groups.len() {
        if window_is_yearly(win.value(i)) == Some(!kind) {
            let e = found.entry(win.value(i)).or_insert((0, year.value(i)));
            e.0 += 1;
            e.1 = e.1.max(year.value(i));
        }
    }
    found
        .into_iter()
        .max_by_key(|(_, (n, _))| *n)
        .map(|(w, (_, y))| (w.to_string(), y.to_string()))
}
