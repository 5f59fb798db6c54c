//! Deterministic generator of realistic school exports with planted truth.
//!
//! `generate` writes, for S schools over two school years (or more, with the programme introduced
//! school by school: [`Adoption`]), grades 3-8:
//! - `oneroster/`: a OneRoster 1.2 CSV bundle with fake names and e-mails;
//! - `lvs/toetsresultaten.csv`: a Dutch LVS export (`;`, decimal comma, dd-mm-yyyy, M/E moments);
//! - `xapi/statements.ndjson.gz`: xAPI statements with ADL verbs;
//! - `plans/weekplannen.csv.gz`: weekly plans;
//! - `scholen.csv`: the board's school list with the programme's first year;
//! - `TRUTH.toml` and `truth_pupils.csv`: the planted truth.
//!
//! The same seed and sizes give byte-identical files.

pub mod exports;
pub mod lms;
pub mod names;
pub mod scale;
pub mod world;

pub use world::Adoption;

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Writing a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Writing a CSV file failed.
    #[error("{0}")]
    Csv(#[from] csv::Error),
    /// Bad settings.
    #[error("{0}")]
    Settings(String),
}

/// Result of the generator.
pub type Result<T> = std::result::Result<T, Error>;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Number of schools (at least 2: half run the programme).
    pub schools: usize,
    /// Pupils in the first school year, spread over schools and grades 3-8.
    pub pupils: usize,
    /// Seed of the random generator.
    pub seed: u64,
    /// Start year of the first school year (the programme starts in the second).
    pub first_year: i32,
    /// School years and how the programme is introduced over them (default: two years, half the
    /// schools start in the second).
    pub adoption: world::Adoption,
    /// Write the learning platform's activity (xAPI statements and weekly plans; default true).
    /// Without it a sample is made in a fraction of the time, e.g. for calibrating the effect
    /// designs; every other file is the same.
    pub activity: bool,
}

/// What was generated: counts per file, for checks.
#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    /// Pupils in the roster.
    pub pupils: usize,
    /// Rows in the LVS export.
    pub lvs_rows: usize,
    /// Lines in the xAPI file.
    pub xapi_statements: usize,
    /// Rows in the plans file.
    pub plan_rows: usize,
}

#[derive(Serialize)]
struct Truth {
    about: &'static str,
    seed: u64,
    schools: usize,
    pupils: usize,
    school_years: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    programme_from: Option<String>,
    programme_schools: Vec<String>,
    comparison_schools: Vec<String>,
    scale: ScaleTruth,
    programme_effect: EffectTruth,
    growth: GrowthTruth,
    srl: SrlTruth,
    rejects: RejectTruth,
    /// Staggered adoption (more than two school years only).
    #[serde(skip_serializing_if = "Option::is_none")]
    adoption: Option<AdoptionTruth>,
}

#[derive(Serialize)]
struct AdoptionTruth {
    about: &'static str,
    exposure_growth: f64,
    pre_trend_sd_per_year: f64,
    never_treated_schools: Vec<String>,
    cohorts: Vec<CohortTruth>,
    event_times: Vec<EventTruth>,
}

#[derive(Serialize)]
struct CohortTruth {
    programme_from: String,
    schools: Vec<String>,
}

#[derive(Serialize)]
struct EventTruth {
    event_time: i64,
    mean_planted_effect_sd: f64,
    growth_rows_per_subject: usize,
}

#[derive(Serialize)]
struct ScaleTruth {
    true_score_sd_within_grade: f64,
    annual_growth_mean: f64,
    sem_typical: f64,
    note: &'static str,
}

#[derive(Serialize)]
struct EffectTruth {
    units: &'static str,
    window: &'static str,
    srl_tercile_1: f64,
    srl_tercile_2: f64,
    srl_tercile_3: f64,
    tercile_definition: &'static str,
}

#[derive(Serialize)]
struct GrowthTruth {
    baseline_slope_sd: f64,
    srl_slope_sd: f64,
    pupil_noise_sd: f64,
    school_growth_sd: f64,
    school_level_sd: f64,
}

#[derive(Serialize)]
struct SrlTruth {
    trait_distribution: &'static str,
    correlation_with_ability: f64,
    drives: Vec<&'static str>,
}

#[derive(Serialize)]
struct RejectTruth {
    lvs: usize,
    xapi: usize,
    plans: usize,
}

/// The programme's effect on a pupil's growth in school year `y` (SD units) in a school starting
/// in `f`: the planted effect of that year plus what the earlier years' effects do through the
/// baseline (growth depends on the baseline with slope [`world::BASELINE_SLOPE`], so a pupil lifted
/// by earlier programme years grows a little less).
fn growth_effect(f: usize, y: usize, tercile: usize) -> f64 {
    let mut cumulative = 0.0;
    let mut effect = 0.0;
    for year in 0..=y {
        effect =
            world::planted_effect(Some(f), year, tercile, 0.0) + world::BASELINE_SLOPE * cumulative;
        cumulative += effect;
    }
    effect
}

/// The planted truth of staggered adoption: cohorts, and per event time (school years since the
/// start, 0 = the first programme year) the mean planted effect over the programme pupils with a
/// growth row (a grade 3-8 in that year and the one before) in that event time.
fn adoption_truth(
    w: &world::World,
    a: world::Adoption,
    year: &dyn Fn(i32) -> String,
) -> Option<AdoptionTruth> {
    if w.years <= 2 {
        return None;
    }
    let brins = |f: Option<usize>| -> Vec<String> {
        w.schools
            .iter()
            .filter(|s| s.programme_from == f)
            .map(|s| s.brin.clone())
            .collect()
    };
    let mut starts: Vec<usize> = w.schools.iter().filter_map(|s| s.programme_from).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut event_times = Vec::new();
    let first_event = 1 - *starts.iter().max().unwrap_or(&1) as i64;
    let last_event = w.years as i64 - 1 - *starts.first().unwrap_or(&1) as i64;
    for e in first_event..=last_event {
        let (mut sum, mut n) = (0.0, 0usize);
        for p in &w.pupils {
            let Some(f) = w.schools[p.school].programme_from else {
                continue;
            };
            let y = f as i64 + e;
            if y < 1 || y >= w.years as i64 {
                continue;
            }
            let y = y as usize;
            if p.grade_in(y).is_some() && p.grade_in(y - 1).is_some() {
                sum += growth_effect(f, y, p.tercile());
                n += 1;
            }
        }
        if n > 0 {
            event_times.push(EventTruth {
                event_time: e,
                mean_planted_effect_sd: (sum / n as f64 * 1e6).round() / 1e6,
                growth_rows_per_subject: n,
            });
        }
    }
    Some(AdoptionTruth {
        about: "Staggered adoption: each cohort starts the programme in its school year; the effect on a school year's growth in its k-th programme year is the tercile effect times 1 + exposure_growth * (k - 1); in the years before its start a programme school's growth differs by pre_trend * (year - start). mean_planted_effect_sd is the mean effect on growth of the programme pupils' growth rows at that event time, excluding the pre-trend and including the feedback through the baseline (growth falls by 0.15 SD per SD of baseline, so earlier programme years lower later growth a little).",
        exposure_growth: world::EXPOSURE_GROWTH,
        pre_trend_sd_per_year: a.pre_trend,
        never_treated_schools: brins(None),
        cohorts: starts
            .iter()
            .map(|&f| CohortTruth {
                programme_from: year(f as i32),
                schools: brins(Some(f)),
            })
            .collect(),
        event_times,
    })
}

/// Generates a sample into `out`.
pub fn generate(settings: Settings, out: &Path) -> Result<Generated> {
    if settings.schools < 2 {
        return Err(Error::Settings("--schools must be at least 2".into()));
    }
    if settings.pupils < 6 * settings.schools {
        return Err(Error::Settings(format!(
            "--pupils must be at least 6 per school ({})",
            6 * settings.schools
        )));
    }
    std::fs::create_dir_all(out)?;
    // Separate streams so that, e.g., a change in LMS generation leaves the scores unchanged.
    let stream =
        |k: u64| ChaCha8Rng::seed_from_u64(settings.seed.wrapping_mul(0x9E37_79B9).wrapping_add(k));
    let mut rng_world = stream(1);
    let w = world::build(
        &mut rng_world,
        settings.schools,
        settings.pupils,
        settings.first_year,
        settings.adoption,
    );
    exports::write_oneroster(&w, &mut stream(2), &out.join("oneroster"))?;
    exports::write_schools(&w, &out.join("scholen.csv"))?;
    std::fs::create_dir_all(out.join("lvs"))?;
    let lvs_rows = exports::write_lvs(&w, &mut stream(3), &out.join("lvs/toetsresultaten.csv"))?;
    let lms = if settings.activity {
        std::fs::create_dir_all(out.join("xapi"))?;
        std::fs::create_dir_all(out.join("plans"))?;
        lms::write_lms(
            &w,
            &mut stream(4),
            &out.join("xapi/statements.ndjson.gz"),
            &out.join("plans/weekplannen.csv.gz"),
        )?
    } else {
        lms::LmsCounts::default()
    };

    let year = |k: i32| {
        let y = settings.first_year + k;
        format!("{}-{}", y, y + 1)
    };
    let truth = Truth {
        about: "Planted truth of a leerwinst sample (leerwinst sample-data). Effects are on a school year's growth, in SD units of true scores within a grade.",
        seed: settings.seed,
        schools: settings.schools,
        pupils: w.pupils.len(),
        school_years: (0..w.years as i32).map(year).collect(),
        programme_from: (w.years <= 2).then(|| year(1)),
        adoption: None,
        programme_schools: w
            .schools
            .iter()
            .filter(|s| s.programme)
            .map(|s| s.brin.clone())
            .collect(),
        comparison_schools: w
            .schools
            .iter()
            .filter(|s| !s.programme)
            .map(|s| s.brin.clone())
            .collect(),
        scale: ScaleTruth {
            true_score_sd_within_grade: world::SCORE_SD,
            annual_growth_mean: world::ANNUAL_GROWTH,
            sem_typical: world::SEM_BASE,
            note: "observed score = true score + N(0, SEM), rounded; observed SD within grade is about sqrt(15^2 + SEM^2) = 15.7, so effects in observed-SD units are about 0.955 times the planted ones",
        },
        programme_effect: EffectTruth {
            units: "SD of true scores within grade (15 scale points)",
            window: "E-E: end of the first school year to the end of the second (the programme's first year)",
            srl_tercile_1: world::EFFECT_BY_TERCILE[0],
            srl_tercile_2: world::EFFECT_BY_TERCILE[1],
            srl_tercile_3: world::EFFECT_BY_TERCILE[2],
            tercile_definition: "terciles of the latent trait N(0,1) at -0.4307 and 0.4307 (see truth_pupils.csv)",
        },
        growth: GrowthTruth {
            baseline_slope_sd: world::BASELINE_SLOPE,
            srl_slope_sd: world::SRL_SLOPE,
            pupil_noise_sd: world::GROWTH_NOISE,
            school_growth_sd: world::SCHOOL_GROWTH_SD,
            school_level_sd: world::SCHOOL_LEVEL_SD,
        },
        srl: SrlTruth {
            trait_distribution: "N(0,1)",
            correlation_with_ability: world::SRL_ABILITY_CORR,
            drives: vec![
                "weekday regularity: fixed weekday per task slot, p = L(0.8 + 1.5 s)",
                "plans kept: works on the planned day, p = L(0.4 + 1.4 s)",
                "help after errors: hint after a wrong answer, p = L(-0.6 + 1.5 s)",
                "persistence: retries a wrong item, p = L(0.3 + 1.5 s)",
                "self-monitoring: dashboard view per session, p = L(-0.8 + 1.2 s)",
                "tasks never done: p = L(-3.2 - 1.0 s)",
            ],
        },
        rejects: RejectTruth {
            lvs: exports::LVS_BAD_ROWS,
            xapi: if settings.activity {
                lms::XAPI_BAD_LINES
            } else {
                0
            },
            plans: if settings.activity {
                lms::PLANS_BAD_ROWS
            } else {
                0
            },
        },
    };
    let text = toml::to_string_pretty(&Truth {
        adoption: adoption_truth(&w, settings.adoption, &year),
        ..truth
    })
    .map_err(|e| Error::Settings(e.to_string()))?;
    std::fs::write(
        out.join("TRUTH.toml"),
        format!("# Generated by leerwinst sample-data; do not edit.\n{text}"),
    )?;

    let mut tp = csv::Writer::from_path(out.join("truth_pupils.csv"))?;
    tp.write_record([
        "leerlingnummer",
        "school",
        "programme",
        "srl_trait",
        "srl_tercile",
        "ability",
    ])?;
    for p in &w.pupils {
        let s = &w.schools[p.school];
        tp.write_record([
            p.raw_id.clone(),
            s.brin.clone(),
            s.programme.to_string(),
            format!("{:.6}", p.srl),
            p.tercile().to_string(),
            format!("{:.6}", p.ability),
        ])?;
    }
    tp.flush()?;
    Ok(Generated {
        pupils: w.pupils.len(),
        lvs_rows,
        xapi_statements: lms.statements,
        plan_rows: lms.plans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    v.push((
                        p.strip_prefix(dir).unwrap().display().to_string(),
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        v.sort();
        v
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let s = Settings {
            schools: 2,
            pupils: 24,
            seed: 7,
            first_year: 2023,
            adoption: world::Adoption::default(),
            activity: true,
        };
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let ga = generate(s, a.path()).unwrap();
        generate(s, b.path()).unwrap();
        generate(Settings { seed: 8, ..s }, c.path()).unwrap();
        assert_eq!(files(a.path()), files(b.path()));
        assert_ne!(files(a.path()), files(c.path()));
        assert!(
            ga.xapi_statements > 1000 && ga.lvs_rows > 100 && ga.plan_rows > 100,
            "{ga:?}"
        );
        let truth = std::fs::read_to_string(a.path().join("TRUTH.toml")).unwrap();
        assert!(truth.contains("srl_tercile_3 = 0.3"), "{truth}");
    }

    #[test]
    fn too_small_settings_are_refused() {
        let d = tempfile::tempdir().unwrap();
        assert!(
            generate(
                Settings {
                    schools: 1,
                    pupils: 100,
                    seed: 1,
                    first_year: 2023,
                    adoption: world::Adoption::default(),
                    activity: true,
                },
                d.path()
            )
            .is_err()
        );
        assert!(
            generate(
                Settings {
                    schools: 4,
                    pupils: 10,
                    seed: 1,
                    first_year: 2023,
                    adoption: world::Adoption::default(),
                    activity: true,
                },
                d.path()
            )
            .is_err()
        );
    }
}
