//! The latent world behind the sample data: schools, pupils, their traits and true scores.
//!
//! Scale: true scores within a grade have SD [`SCORE_SD`]; the mean rises by
//! [`ANNUAL_GROWTH`] points a school year. A pupil's growth in school year y (end of y-1 to end
//! of y) is
//!
//! ```text
//! G = ANNUAL_GROWTH + SCORE_SD * ( BASELINE_SLOPE * z_baseline + SRL_SLOPE * srl
//!                                  + school_growth + programme_effect(tercile) + GROWTH_NOISE * e )
//! ```
//!
//! where `programme_effect` is [`EFFECT_BY_TERCILE`] in programme schools from the programme's
//! first year on, and 0 elsewhere. Observed scores add measurement error with the exported SEM.
//!
//! Over two school years half the schools start the programme in the second. Over more years
//! ([`Adoption`]) the start is staggered: about a third of the schools never start, the others
//! start in the third school year or later, spread evenly over the years left (a start in the
//! second year would leave no growth before it to compare with). The effect then grows with the
//! years of exposure ([`exposure_multiplier`]), and a planted pre-trend can shift the growth of
//! future programme schools in the years before their start.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::names;

/// SD of true scores within a grade, scale points.
pub const SCORE_SD: f64 = 15.0;
/// Mean growth over a school year, scale points.
pub const ANNUAL_GROWTH: f64 = 20.0;
/// Growth per SD of the (true) baseline, in SD units: lower baseline, more growth.
pub const BASELINE_SLOPE: f64 = -0.15;
/// Growth per SD of the self-regulation trait, in SD units.
pub const SRL_SLOPE: f64 = 0.10;
/// Pupil-level growth noise, SD units.
pub const GROWTH_NOISE: f64 = 0.25;
/// SD of school effects on the level, SD units.
pub const SCHOOL_LEVEL_SD: f64 = 0.25;
/// SD of school effects on growth, SD units.
pub const SCHOOL_GROWTH_SD: f64 = 0.04;
/// Programme effect on a school year's growth by self-regulation tercile (1 = lowest), SD units.
pub const EFFECT_BY_TERCILE: [f64; 3] = [0.0, 0.15, 0.30];
/// Growth of the programme effect per further year of exposure: in its k-th year the effect is
/// `EFFECT_BY_TERCILE * (1 + EXPOSURE_GROWTH * (k - 1))`.
pub const EXPOSURE_GROWTH: f64 = 0.5;

/// The multiplier of [`EFFECT_BY_TERCILE`] in a school's `k`-th programme year (k >= 1).
pub fn exposure_multiplier(k: usize) -> f64 {
    1.0 + EXPOSURE_GROWTH * (k as f64 - 1.0)
}

/// How the programme is introduced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adoption {
    /// School years in the data (at least 2).
    pub years: usize,
    /// Planted pre-trend, SD units per school year: in the years before its start a programme
    /// school's growth differs by `pre_trend * (year - start)` (0: parallel trends hold).
    pub pre_trend: f64,
}

impl Default for Adoption {
    fn default() -> Self {
        Adoption {
            years: 2,
            pre_trend: 0.0,
        }
    }
}

/// Typical standard error of measurement, scale points (larger away from the centre).
pub const SEM_BASE: f64 = 4.5;
/// Correlation of the self-regulation trait with general ability.
pub const SRL_ABILITY_CORR: f64 = 0.3;
/// Tercile cut points of a standard normal trait.
pub const TERCILE_CUTS: [f64; 2] = [-0.430_727_3, 0.430_727_3];

/// Subjects: (canonical name, LVS test name, offset of the scale).
pub const SUBJECTS: [(&str, &str, f64); 3] = [
    ("rekenen", "Rekenen-Wiskunde 3.0", 0.0),
    ("lezen", "Begrijpend Lezen 3.0", 10.0),
    ("spelling", "Spelling 3.0", -5.0),
];

/// Mean true score at time `t` (in school years: grade g ends at t = g + 1).
pub fn scale_mean(subject: usize, t: f64) -> f64 {
    60.0 + SUBJECTS[subject].2 + ANNUAL_GROWTH * t
}

/// A school.
#[derive(Debug, Clone)]
pub struct School {
    /// BRIN-like code, the school's identifier.
    pub brin: String,
    /// OneRoster org sourcedId.
    pub sourced_id: String,
    /// Name.
    pub name: String,
    /// Runs the programme in some school year of the data.
    pub programme: bool,
    /// The school year (index, 0 = first) the programme starts, if it does.
    pub programme_from: Option<usize>,
    /// CBS-style schoolweging.
    pub weight: f64,
    /// Level effect, SD units.
    pub level: f64,
    /// Growth effect, SD units.
    pub growth: f64,
}

/// A pupil with latent traits.
#[derive(Debug, Clone)]
pub struct Pupil {
    /// Index in the world.
    pub idx: usize,
    /// Leerlingnummer: the raw id every export carries.
    pub raw_id: String,
    /// OneRoster user sourcedId.
    pub sourced_id: String,
    /// Fake given name.
    pub given: String,
    /// Fake family name.
    pub family: String,
    /// Fake e-mail.
    pub email: String,
    /// Username.
    pub username: String,
    /// Birth date (y, m, d).
    pub birth: (i32, u32, u32),
    /// 'm' / 'f'.
    pub sex: char,
    /// Pupil weight (0, 0.3, 1.2).
    pub ses_weight: f64,
    /// Special needs.
    pub special_needs: bool,
    /// School index.
    pub school: usize,
    /// Grade in the first school year (2 = enters grade 3 in the second year).
    pub first_grade: i32,
    /// General ability, N(0,1).
    pub ability: f64,
    /// Self-regulation trait, N(0,1).
    pub srl: f64,
    /// Subject-specific ability z (within grade), per subject.
    pub subject_z: [f64; 3],
}

impl Pupil {
    /// Planted self-regulation tercile, 1 = lowest.
    pub fn tercile(&self) -> usize {
        if self.srl < TERCILE_CUTS[0] {
            1
        } else if self.srl < TERCILE_CUTS[1] {
            2
        } else {
            3
        }
    }

    /// Grade in school year `y` (0 = first), if the pupil is in primary school grades 3-8.
    pub fn grade_in(&self, y: usize) -> Option<i32> {
        let g = self.first_grade + y as i32;
        (3..=8).contains(&g).then_some(g)
    }
}

/// True scores of one pupil and subject: at the end of the year before the data (index 0),
/// then (mid, end) of each school year.
#[derive(Debug, Clone)]
pub struct TrueScores {
    /// End of the year before the first school year.
    pub start: f64,
    /// (mid-year, end-of-year) true score per school year.
    pub years: Vec<(f64, f64)>,
}

/// The whole latent world.
#[derive(Debug, Clone)]
pub struct World {
    /// Schools.
    pub schools: Vec<School>,
    /// Pupils.
    pub pupils: Vec<Pupil>,
    /// True scores per pupil, per subject.
    pub scores: Vec<[TrueScores; 3]>,
    /// Start year of the first school year.
    pub first_year: i32,
    /// Number of school years.
    pub years: usize,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// The start year (index) of each school's programme, from the schools in random `order`: over
/// two years half start in the second; over more, a third never start and the others start in the
/// third year or later, spread evenly.
fn starts(order: &[usize], years: usize) -> Vec<Option<usize>> {
    let n = order.len();
    let mut from = vec![None; n];
    if years <= 2 {
        for &i in order.iter().take(n / 2) {
            from[i] = Some(1);
        }
        return from;
    }
    let never = ((n as f64 / 3.0).round() as usize).clamp(1, n - 1);
    let cohorts = years - 2;
    for (k, &i) in order.iter().skip(never).enumerate() {
        from[i] = Some(2 + k % cohorts);
    }
    from
}

/// The planted programme effect (SD units) on growth in school year `y` of a pupil of `tercile`
/// in a school starting in `from`: the effect from the start on, the pre-trend before it.
pub fn planted_effect(from: Option<usize>, y: usize, tercile: usize, pre_trend: f64) -> f64 {
    match from {
        Some(f) if y >= f => EFFECT_BY_TERCILE[tercile - 1] * exposure_multiplier(y - f + 1),
        Some(f) => pre_trend * (y as f64 - f as f64),
        None => 0.0,
    }
}

/// Builds the world: `n_schools` schools, about `n_pupils` pupils per school year.
pub fn build(
    rng: &mut ChaCha8Rng,
    n_schools: usize,
    n_pupils: usize,
    first_year: i32,
    adoption: Adoption,
) -> World {
    let years = adoption.years.max(2);
    let mut order: Vec<usize> = (0..n_schools).collect();
    order.shuffle(rng);
    let from = starts(&order, years);
    let schools: Vec<School> = (0..n_schools)
        .map(|i| School {
            brin: format!("{:02}{}", 10 + i, names::brin_suffix(i)),
            sourced_id: format!("org-school-{:03}", i + 1),
            name: names::school_name(i),
            programme: from[i].is_some(),
            programme_from: from[i],
            weight: 28.0 + 3.0 * normal(rng),
            level: SCHOOL_LEVEL_SD * normal(rng),
            growth: SCHOOL_GROWTH_SD * normal(rng),
        })
        .collect();

    // Pupils of the first school year in grades 3-8, plus a new grade-3 cohort for each later
    // year (first_grade 2 enters grade 3 in year 2).
    let per_grade = (n_pupils as f64 / n_schools as f64 / 6.0).round().max(1.0) as usize;
    let mut pupils = Vec::new();
    for (s, _) in schools.iter().enumerate() {
        for first_grade in (3 - years as i32 + 1)..=8 {
            let n = ((per_grade as f64) * (0.85 + 0.3 * rng.random::<f64>())).round() as usize;
            for _ in 0..n.max(1) {
                let idx = pupils.len();
                let ability = normal(rng);
                let srl = SRL_ABILITY_CORR * ability
                    + (1.0 - SRL_ABILITY_CORR * SRL_ABILITY_CORR).sqrt() * normal(rng);
                let subject_z = [0, 1, 2].map(|_| 0.75 * ability + 0.661 * normal(rng));
                let sex = if rng.random::<bool>() { 'm' } else { 'f' };
                let (given, family) = names::person(rng, sex);
                let raw_id = format!("L{:06}", 100_000 + idx * 7 + 13);
                let birth_year = first_year - first_grade - 5;
                let birth = (
                    birth_year,
                    rng.random_range(1..=12),
                    rng.random_range(1..=28),
                );
                let ses_weight = match rng.random::<f64>() {
                    x if x < 0.08 => 1.2,
                    x if x < 0.20 => 0.3,
                    _ => 0.0,
                };
                pupils.push(Pupil {
                    idx,
                    email: format!(
                        "{}.{}{}@leerling.example.nl",
                        given.to_lowercase(),
                        family.to_lowercase().replace(' ', ""),
                        idx
                    ),
                    username: format!("{}{}", given.to_lowercase(), idx),
                    sourced_id: format!("usr-{:06}", idx + 1),
                    raw_id,
                    given,
                    family,
                    birth,
                    sex,
                    ses_weight,
                    special_needs: rng.random::<f64>() < 0.05,
                    school: s,
                    first_grade,
                    ability,
                    srl,
                    subject_z,
                });
            }
        }
    }

    let scores = pupils
        .iter()
        .map(|p| {
            let school = &schools[p.school];
            [0usize, 1, 2].map(|s| {
                // End of the year before the data: end of grade first_grade - 1.
                let t0 = p.first_grade as f64;
                let start = scale_mean(s, t0) + SCORE_SD * (school.level + p.subject_z[s]);
                let mut prev = start;
                let mut ys = Vec::with_capacity(years);
                for y in 0..years {
                    let t_prev = t0 + y as f64;
                    let z_base = (prev - scale_mean(s, t_prev)) / SCORE_SD;
                    let effect =
                        planted_effect(school.programme_from, y, p.tercile(), adoption.pre_trend);
                    let g = ANNUAL_GROWTH
                        + SCORE_SD
                            * (BASELINE_SLOPE * z_base
                                + SRL_SLOPE * p.srl
                                + school.growth
                                + effect
                                + GROWTH_NOISE * normal(rng));
                    let mid = prev + 0.5 * g + 0.05 * SCORE_SD * normal(rng);
                    let end = prev + g;
                    ys.push((mid, end));
                    prev = end;
                }
                TrueScores { start, years: ys }
            })
        })
        .collect();

    World {
        schools,
        pupils,
        scores,
        first_year,
        years,
    }
}

/// Standard error of measurement exported with a score: larger away from the grade's centre.
pub fn sem_for(true_z: f64) -> f64 {
    SEM_BASE * (1.0 + 0.08 * true_z * true_z).min(1.6)
}

/// Draws an observed score (rounded to whole points, as LVS exports do) and its SEM.
pub fn observe(rng: &mut ChaCha8Rng, true_score: f64, centre: f64) -> (f64, f64) {
    let sem = sem_for((true_score - centre) / SCORE_SD);
    let obs = (true_score + sem * normal(rng)).round();
    (obs, (sem * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn half_of_the_schools_run_the_programme_and_traits_are_standard() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let w = build(&mut rng, 10, 3000, 2023, Adoption::default());
        assert_eq!(w.schools.iter().filter(|s| s.programme).count(), 5);
        let n = w.pupils.len() as f64;
        let mean = w.pupils.iter().map(|p| p.srl).sum::<f64>() / n;
        let var = w.pupils.iter().map(|p| (p.srl - mean).powi(2)).sum::<f64>() / n;
        assert!(
            mean.abs() < 0.06 && (var - 1.0).abs() < 0.08,
            "{mean} {var}"
        );
        let top = w.pupils.iter().filter(|p| p.tercile() == 3).count() as f64 / n;
        assert!((top - 1.0 / 3.0).abs() < 0.03, "{top}");
    }

    #[test]
    fn planted_programme_effect_shows_in_true_growth() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let w = build(&mut rng, 20, 8000, 2023, Adoption::default());
        // Mean second-year true growth by arm and tercile, subject 0, in SD units.
        let mut sums = [[0.0f64; 3]; 2];
        let mut ns = [[0usize; 3]; 2];
        for (p, sc) in w.pupils.iter().zip(&w.scores) {
            if p.grade_in(1).is_none() || p.grade_in(0).is_none() {
                continue;
            }
            let g = (sc[0].years[1].1 - sc[0].years[0].1) / SCORE_SD;
            let arm = w.schools[p.school].programme as usize;
            sums[arm][p.tercile() - 1] += g;
            ns[arm][p.tercile() - 1] += 1;
        }
        for t in 0..3 {
            let diff = sums[1][t] / ns[1][t] as f64 - sums[0][t] / ns[0][t] as f64;
            assert!(
                (diff - EFFECT_BY_TERCILE[t]).abs() < 0.08,
                "tercile {}: {diff}",
                t + 1
            );
        }
    }

    #[test]
    fn staggered_starts_leave_never_treated_schools_and_effects_grow_with_exposure() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let adoption = Adoption {
            years: 5,
            pre_trend: 0.0,
        };
        let w = build(&mut rng, 12, 6000, 2021, adoption);
        let mut cohorts: Vec<Option<usize>> = w.schools.iter().map(|s| s.programme_from).collect();
        cohorts.sort();
        // 4 never, then 8 schools over starts 2, 3, 4 (3 + 3 + 2).
        assert_eq!(cohorts.iter().filter(|c| c.is_none()).count(), 4);
        for (start, n) in [(2, 3), (3, 3), (4, 2)] {
            assert_eq!(
                cohorts.iter().filter(|c| **c == Some(start)).count(),
                n,
                "start {start}"
            );
        }
        assert_eq!(planted_effect(Some(2), 1, 3, 0.1), -0.1);
        assert_eq!(planted_effect(Some(2), 2, 3, 0.1), 0.30);
        assert_eq!(planted_effect(Some(2), 4, 2, 0.1), 0.15 * 2.0);
        assert_eq!(planted_effect(None, 4, 3, 0.1), 0.0);
        // Every pupil has true scores for every school year.
        assert!(w.scores.iter().all(|s| s[0].years.len() == 5));
    }
}
