//! The comparison designs at scale: `T` programme pupils against a pool of `C` comparison pupils
//! (one subject, grades 3-8, one year, schools of 1,000 pupils), for `bench/designs.sh`.
//!
//! ```text
//! cargo run --release -p leerwinst-compare --example designs_scale -- T C [CSV_OUT]
//! ```
//! Prints the wall time of the VCG design (groups of up to 51 and a 999-replicate cluster
//! bootstrap) and of propensity-score matching (logistic model + 1:1 nearest neighbour without
//! replacement, largest first, as MatchIt's defaults); with `CSV_OUT` writes the data
//! (`treat,x1,x2,grade`) for the R side.

use std::time::Instant;

use leerwinst_compare::observation::PupilGrowth;
use leerwinst_compare::vcg::{Unit, estimate, groups};
use leerwinst_core::pipeline::VcgSettings;
use leerwinst_stats::logistic::logistic;
use leerwinst_stats::matching::{MatchOrder, MatchSpec, nearest};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| -> usize {
        args.get(i).and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            eprintln!("usage: designs_scale PROGRAMME_PUPILS POOL_PUPILS [CSV_OUT]");
            std::process::exit(2)
        })
    };
    let (nt, nc) = (arg(1), arg(2));
    let mut rng = leerwinst_stats::rng::Rng::new(11);
    let n = nt + nc;
    let mut units = Vec::with_capacity(n);
    for i in 0..n {
        let treated = i < nt;
        let school = i / 1000;
        let bz = rng.normal() + if treated { 0.2 } else { 0.0 };
        let w = (school % 17) as f64 / 17.0;
        units.push(Unit {
            growth: PupilGrowth {
                subject: "rekenen".into(),
                grade: 3 + (i % 6) as i32,
                school: format!("s{school}"),
                treated,
                followup_z: 0.7 * bz + if treated { 0.1 } else { 0.0 } + 0.5 * rng.normal(),
                tercile: None,
                quintile: None,
            },
            pupil: format!("p{i:08}"),
            year: "2024-2025".into(),
            baseline_z: bz,
            school_chars: vec![w],
        });
    }
    if let Some(path) = args.get(3) {
        let mut out = String::with_capacity(n * 40);
        out.push_str("treat,x1,x2,grade\n");
        for x in &units {
            out.push_str(&format!(
                "{},{:.6},{:.6},{}\n",
                u8::from(x.growth.treated),
                x.baseline_z,
                x.school_chars[0],
                x.growth.grade
            ));
        }
        std::fs::write(path, out).expect("write the data CSV");
    }
    let settings = VcgSettings {
        school_characteristics: vec!["school_weight".into()],
        ..Default::default()
    };
    let t = Instant::now();
    let g = groups(&units, &settings);
    let e = estimate(&units, &g, &settings).expect("an estimate");
    let vcg_s = t.elapsed().as_secs_f64();
    println!("vcg_seconds={vcg_s:.2}");
    println!(
        "vcg_estimate={:.4} se={:.4} groups={} mean_group={:.1}",
        e.estimate,
        e.se,
        g.len(),
        g.iter().map(|x| x.members.len()).sum::<usize>() as f64 / g.len() as f64
    );

    // Propensity-score matching on x1, x2 (MatchIt defaults: glm, 1:1, no replacement, largest).
    let t = Instant::now();
    let treat: Vec<bool> = units.iter().map(|x| x.growth.treated).collect();
    let y01: Vec<f64> = treat.iter().map(|&b| f64::from(u8::from(b))).collect();
    let x = vec![
        units.iter().map(|x| x.baseline_z).collect::<Vec<_>>(),
        units.iter().map(|x| x.school_chars[0]).collect::<Vec<_>>(),
    ];
    let ps = logistic(&y01, &x).expect("a propensity model").fitted;
    let m = nearest(
        &treat,
        &ps,
        &MatchSpec {
            ratio: 1,
            replace: false,
            caliper: None,
            order: MatchOrder::Largest,
        },
    )
    .expect("a match");
    let psm_s = t.elapsed().as_secs_f64();
    println!("psm_seconds={psm_s:.2}");
    println!(
        "psm_matched={}",
        m.controls.iter().filter(|c| !c.is_empty()).count()
    );
}
