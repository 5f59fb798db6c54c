//! Quantile regression at growing cohort sizes: the exact simplex against the Frisch-Newton
//! interior point on the same synthetic SGP-like cohort (current score on a cubic B-spline basis
//! of a prior score, skewed heteroscedastic noise), 100 quantiles each. Run by `bench/quantreg.sh`,
//! which also times R's quantreg on the same data.
//!
//! ```text
//! cargo run --release -p leerwinst-stats --example rq_scale -- N [CSV_OUT]
//! ```
//! Prints `br_seconds=`, `fn_seconds=` and the largest coefficient difference between the two;
//! with `CSV_OUT` writes the cohort (`prior,current`) for the R side.

use std::time::Instant;

use leerwinst_stats::bspline::BSpline;
use leerwinst_stats::interior::rq_fn_taus;
use leerwinst_stats::quantreg::{Design, rq_taus};
use leerwinst_stats::rng::Rng;
use leerwinst_stats::sgp::taus;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: rq_scale N [CSV_OUT]");
        std::process::exit(2)
    });
    // A seeded generator so the cohort is the same on every run (R reads it from the CSV).
    let mut rng = Rng::new(2024);
    let mut prior = Vec::with_capacity(n);
    let mut current = Vec::with_capacity(n);
    for _ in 0..n {
        let p = 400.0 + 200.0 * rng.uniform();
        // Growth shrinks with the prior; noise is skewed and wider for low priors.
        let growth = 40.0 - 0.05 * (p - 400.0);
        let noise = -(rng.uniform().ln()) * (20.0 - 0.04 * (p - 400.0)) - 15.0;
        prior.push(p.round());
        current.push((p + growth + noise).round());
    }
    if let Some(path) = args.get(2) {
        let mut out = String::from("prior,current\n");
        for (p, c) in prior.iter().zip(&current) {
            out.push_str(&format!("{p},{c}\n"));
        }
        std::fs::write(path, out).expect("write the cohort CSV");
    }
    let basis = BSpline::new(&[440.0, 480.0, 520.0, 560.0], (380.0, 620.0)).unwrap();
    let cols = 1 + basis.columns();
    let mut x = Vec::with_capacity(n * cols);
    let mut row = vec![0.0; basis.columns()];
    for p in &prior {
        x.push(1.0);
        basis.eval_into(*p, &mut row);
        x.extend_from_slice(&row);
    }
    let design = Design::new(n, cols, x).unwrap();
    let grid = match std::env::var("RQ_SCALE_TAU") {
        Ok(t) => vec![t.parse().expect("RQ_SCALE_TAU is a number")],
        Err(_) => taus(),
    };
    let t = Instant::now();
    let br = rq_taus(&design, &current, &grid).unwrap();
    let br_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let fnf = rq_fn_taus(&design, &current, &grid).unwrap();
    let fn_s = t.elapsed().as_secs_f64();
    let worst_obj = br
        .iter()
        .zip(&fnf)
        .map(|(a, b)| (b.objective - a.objective) / a.objective)
        .fold(0.0f64, f64::max);
    println!("n={n}");
    println!("br_seconds={br_s:.3}");
    println!("fn_seconds={fn_s:.3}");
    println!(
        "fn_iterations_mean={:.1}",
        fnf.iter().map(|f| f.iterations as f64).sum::<f64>() / fnf.len() as f64
    );
    println!("max_relative_objective_excess_fn_over_br={worst_obj:.2e}");
}
