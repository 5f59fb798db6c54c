//! Norm-referenced growth: expected growth, conditional growth index (CGI) and conditional growth
//! percentile (CGP) per growth row.
//!
//! Two sources, in this order:
//! 1. the test publisher's own figures from the export (`warehouse/reported_growth.parquet`,
//!    NWEA MAP CDF: ProjectedGrowth, ConditionalGrowthIndex, ConditionalGrowthPercentile);
//! 2. a norm table named in the pipeline (`[growth] norms`): per instrument (optional), subject,
//!    baseline grade, window and baseline-score band, the expected growth and its SD, as NWEA
//!    publishes them in its growth-norms tables (Thum & Kuhfeld 2020) or a board derives them.
//!
//! CGI = (observed growth − expected growth) / SD; CGP = 100 Φ(CGI)
//! (`../shared/reference/methods.md`, NWEA "Understanding CGI and CGP"). Where NWEA reports a
//! projection but no CGI (pre-2015 files), the norm table's SD completes it.

use std::collections::HashMap;
use std::path::Path;

use leerwinst_core::{Error, Result, Table};
use leerwinst_stats::dist::phi;
use leerwinst_store::{Frame, opt};

/// One band of a norm table.
#[derive(Debug, Clone, PartialEq)]
pub struct NormBand {
    /// Instrument, or None for any.
    pub instrument: Option<String>,
    /// Lowest baseline score of the band (inclusive).
    pub low: f64,
    /// Upper end of the band (exclusive).
    pub high: f64,
    /// Expected growth.
    pub expected: f64,
    /// SD of growth around the expectation.
    pub sd: f64,
}

/// Norm bands per (subject lower-case, baseline grade, window), sorted by `low`.
#[derive(Debug, Clone, Default)]
pub struct NormTable {
    bands: HashMap<(String, i32, String), Vec<NormBand>>,
}

impl NormTable {
    /// Reads a norm CSV (columns by name, any order; `grade` may be called `start_grade`).
    /// Overlapping bands of one key, a non-positive SD or an unknown window are errors naming
    /// the line.
    pub fn read(path: &Path) -> Result<NormTable> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        NormTable::parse(&text).map_err(|why| Error::input(path, why))
    }

    /// Parses norm CSV text.
    pub fn parse(text: &str) -> std::result::Result<NormTable, String> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| e.to_string())?
            .iter()
            .map(str::to_lowercase)
            .collect();
        let col = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.contains(&h.as_str()))
                .ok_or_else(|| format!("norm table has no {} column", names[0]))
        };
        let c_subject = col(&["subject"])?;
        let c_grade = col(&["grade", "start_grade", "baseline_grade"])?;
        let c_window = col(&["window"])?;
        let c_low = col(&["baseline_low"])?;
        let c_high = col(&["baseline_high"])?;
        let c_exp = col(&["expected_growth"])?;
        let c_sd = col(&["sd"])?;
        let c_instr = col(&["instrument"]).ok();
        let mut table = NormTable::default();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
            let get = |c: usize| rec.get(c).unwrap_or("");
            let num = |c: usize| {
                get(c)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        format!("line {line}: {} = '{}' is not a number", headers[c], get(c))
                    })
            };
            let grade = get(c_grade).parse::<i32>().map_err(|_| {
                format!(
                    "line {line}: grade = '{}' is not a whole number",
                    get(c_grade)
                )
            })?;
            let window = get(c_window).to_string();
            if leerwinst_core::term::window_is_yearly(&window).is_none() {
                return Err(format!(
                    "line {line}: window = '{window}' is not one of {}",
                    leerwinst_core::term::window_names().join(", ")
                ));
            }
            let band = NormBand {
                instrument: c_instr
                    .map(|c| get(c).to_string())
                    .filter(|s| !s.is_empty() && s != "*"),
                low: num(c_low)?,
                high: num(c_high)?,
                expected: num(c_exp)?,
                sd: num(c_sd)?,
            };
            if band.sd <= 0.0 {
                return Err(format!("line {line}: sd must be positive"));
            }
            if band.high <= band.low {
                return Err(format!(
                    "line {line}: baseline_high must exceed baseline_low"
                ));
            }
            let bands = table
                .bands
                .entry((get(c_subject).to_lowercase(), grade, window))
                .or_default();
            if let Some(o) = bands
                .iter()
                .find(|b| b.instrument == band.instrument && b.low < band.high && band.low < b.high)
            {
                return Err(format!(
                    "line {line}: band [{}, {}) overlaps [{}, {}) of the same subject, grade and window",
                    band.low, band.high, o.low, o.high
                ));
            }
            bands.push(band);
        }
        for bands in table.bands.values_mut() {
            bands.sort_by(|a, b| a.low.total_cmp(&b.low));
        }
        Ok(table)
    }

    /// The band of a baseline score: an instrument-specific band before a generic one.
    pub fn lookup(
        &self,
        instrument: &str,
        subject: &str,
        grade: i32,
        window: &str,
        baseline: f64,
    ) -> Option<&NormBand> {
        let bands = self
            .bands
            .get(&(subject.to_lowercase(), grade, window.to_string()))?;
        let fits = |b: &&NormBand| baseline >= b.low && baseline < b.high;
        bands
            .iter()
            .filter(|b| b.instrument.as_deref() == Some(instrument))
            .find(fits)
            .or_else(|| bands.iter().filter(|b| b.instrument.is_none()).find(fits))
    }
}

/// NWEA's figures per (pupil, subject, window, follow-up year).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reported {
    /// Projected growth.
    pub projected: Option<f64>,
    /// CGI.
    pub cgi: Option<f64>,
    /// CGP.
    pub cgp: Option<f64>,
}

/// Index of the `reported_growth` table.
pub type ReportedIndex = HashMap<(String, String, String, String), Reported>;

/// Indexes the `reported_growth` table.
pub fn reported_index(frame: &Frame) -> ReportedIndex {
    let (p, s, w, y) = (
        frame.str("pupil_key"),
        frame.str("subject"),
        frame.str("window"),
        frame.str("school_year"),
    );
    let (proj, cgi, cgp) = (
        frame.f64("projected_growth"),
        frame.f64("cgi"),
        frame.f64("cgp"),
    );
    debug_assert_eq!(
        frame.batch.num_columns(),
        Table::ReportedGrowth.columns().len()
    );
    (0..frame.len())
        .map(|i| {
            (
                (
                    p.value(i).to_string(),
                    s.value(i).to_string(),
                    w.value(i).to_string(),
                    y.value(i).to_string(),
                ),
                Reported {
                    projected: opt(proj, i),
                    cgi: opt(cgi, i),
                    cgp: opt(cgp, i),
                },
            )
        })
        .collect()
}

/// Expected growth, CGI, CGP and their source for one growth row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NormGrowth {
    /// Expected growth.
    pub expected: Option<f64>,
    /// CGI.
    pub cgi: Option<f64>,
    /// CGP.
    pub cgp: Option<f64>,
    /// `nwea`, `norm-table` or `nwea+norm-table`.
    pub source: Option<&'static str>,
}

/// Combines NWEA's figures and the norm band for a row with observed growth `gain`.
pub fn norm_growth(gain: f64, reported: Option<Reported>, band: Option<&NormBand>) -> NormGrowth {
    let r = reported.unwrap_or_default();
    let expected = r.projected.or(band.map(|b| b.expected));
    let (cgi, used_table_sd) = match (r.cgi, expected, band) {
        (Some(c), _, _) => (Some(c), false),
        (None, Some(e), Some(b)) => (Some((gain - e) / b.sd), true),
        _ => (None, false),
    };
    let cgp = match (r.cgp, r.cgi) {
        (Some(p), Some(_)) => Some(p),
        _ => cgi.map(|c| 100.0 * phi(c)),
    };
    let nwea = r.projected.is_some() || r.cgi.is_some();
    let table = (r.projected.is_none() && band.is_some() && expected.is_some()) || used_table_sd;
    let source = match (nwea, table) {
        (true, true) => Some("nwea+norm-table"),
        (true, false) => Some("nwea"),
        (false, true) => Some("norm-table"),
        (false, false) => None,
    };
    NormGrowth {
        expected,
        cgi,
        cgp,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NORMS: &str = "\
instrument,subject,grade,window,baseline_low,baseline_high,expected_growth,sd
,reading,3,F-S,150,180,12.5,6.5
,reading,3,F-S,180,200,9.8,6.1
nwea-map,reading,3,F-S,180,200,9.0,6.0
,rekenen,5,M-E,0,400,7.0,5.0
";

    #[test]
    fn bands_are_found_by_score_with_instrument_first() {
        let t = NormTable::parse(NORMS).unwrap();
        assert_eq!(
            t.lookup("x", "Reading", 3, "F-S", 150.0).unwrap().expected,
            12.5
        );
        assert_eq!(
            t.lookup("x", "reading", 3, "F-S", 180.0).unwrap().expected,
            9.8
        );
        assert_eq!(
            t.lookup("nwea-map", "reading", 3, "F-S", 185.0)
                .unwrap()
                .expected,
            9.0
        );
        assert!(
            t.lookup("x", "reading", 3, "F-S", 200.0).is_none(),
            "high end is exclusive"
        );
        assert!(t.lookup("x", "reading", 4, "F-S", 185.0).is_none());
        assert!(t.lookup("x", "reading", 3, "F-W", 185.0).is_none());
    }

    #[test]
    fn bad_tables_name_the_line() {
        let overlap = "subject,grade,window,baseline_low,baseline_high,expected_growth,sd\n\
                       reading,3,F-S,150,180,12,6\nreading,3,F-S,170,190,10,6\n";
        assert!(
            NormTable::parse(overlap)
                .unwrap_err()
                .starts_with("line 3: band")
        );
        let sd = "subject,grade,window,baseline_low,baseline_high,expected_growth,sd\n\
                  reading,3,F-S,150,180,12,0\n";
        assert!(
            NormTable::parse(sd)
                .unwrap_err()
                .contains("sd must be positive")
        );
        let window = "subject,grade,window,baseline_low,baseline_high,expected_growth,sd\n\
                      reading,3,Fall-Spring,150,180,12,6\n";
        assert!(
            NormTable::parse(window)
                .unwrap_err()
                .contains("is not one of")
        );
        assert!(
            NormTable::parse("subject,grade\n")
                .unwrap_err()
                .contains("window")
        );
    }

    #[test]
    fn cgi_and_cgp_from_the_table_and_from_nwea() {
        let t = NormTable::parse(NORMS).unwrap();
        let band = t.lookup("x", "reading", 3, "F-S", 160.0);
        // Table only: CGI = (19 - 12.5) / 6.5 = 1, CGP = 100 * Phi(1) = 84.13.
        let g = norm_growth(19.0, None, band);
        assert_eq!(g.expected, Some(12.5));
        assert!((g.cgi.unwrap() - 1.0).abs() < 1e-12);
        let cgp = g.cgp.unwrap();
        // scipy.stats.norm.cdf(1) * 100; statrs agrees to ~1e-11 of the probability.
        assert!((cgp - 84.134_474_606_854_3).abs() < 1e-8, "{cgp}");
        assert_eq!(g.source, Some("norm-table"));
        // NWEA's own figures win.
        let nwea = Reported {
            projected: Some(10.0),
            cgi: Some(0.38),
            cgp: Some(65.0),
        };
        let g = norm_growth(13.0, Some(nwea), band);
        assert_eq!(
            (g.expected, g.cgi, g.cgp, g.source),
            (Some(10.0), Some(0.38), Some(65.0), Some("nwea"))
        );
        // A pre-2015 projection with the table's SD: (13 - 10) / 6.5.
        let typical = Reported {
            projected: Some(10.0),
            ..Default::default()
        };
        let g = norm_growth(13.0, Some(typical), band);
        assert!((g.cgi.unwrap() - 3.0 / 6.5).abs() < 1e-12);
        assert_eq!(g.source, Some("nwea+norm-table"));
        // A projection alone gives an expectation but no CGI.
        let g = norm_growth(13.0, Some(typical), None);
        assert_eq!(
            (g.expected, g.cgi, g.source),
            (Some(10.0), None, Some("nwea"))
        );
        assert_eq!(norm_growth(13.0, None, None), NormGrowth::default());
    }
}
