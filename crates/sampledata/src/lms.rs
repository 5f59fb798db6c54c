//! LMS activity (xAPI statements, NDJSON) and weekly plans, driven by each pupil's latent
//! self-regulation trait.
//!
//! Per school week a pupil gets three tasks with a planned day and a Friday deadline. How the
//! trait shows (all logistic in the trait `s`):
//! - weekday regularity: the pupil keeps a fixed weekday per task slot with p = L(0.8 + 1.5 s);
//! - plans kept: works on the planned day with p = L(0.4 + 1.4 s), otherwise 1-4 days later;
//! - help after errors: asks for a hint after a wrong answer with p = L(-0.6 + 1.5 s);
//! - persistence: answers a wrong item again with p = L(0.3 + 1.5 s) (at most twice);
//! - self-monitoring: opens the progress dashboard in a session with p = L(-0.8 + 1.2 s);
//! - sustained work: a week without any work (tasks planned, none done) with
//!   p = L(-1.7 - 1.3 s); extra practice on a day of its own with p = L(-1.0 + 1.2 s), so a
//!   pupil with more self-regulation works more regularly *and* more often, as the indicators'
//!   definitions (docs/indicators.md) expect.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use leerwinst_core::clock;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::Result;
use crate::exports::{finish_gzip, gzip_writer};
use crate::world::{Pupil, SUBJECTS, World};

const ADL: &str = "http://adlnet.gov/expapi/verbs/";
const LMS: &str = "https://lms.example.nl";
/// The platform's own verb for a weekly logbook (reflection) entry: xAPI has no ADL verb for
/// it, so the demo pipeline maps it in `[verbs]`, as a school would.
pub const REFLECTED: &str = "https://lms.example.nl/xapi/verbs/reflected";

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Mondays of the school weeks of school year `start` (September to June, holidays skipped).
pub fn school_weeks(start: i32) -> Vec<NaiveDate> {
    let mut d = NaiveDate::from_ymd_opt(start, 9, 1).expect("valid");
    while d.weekday() != Weekday::Mon {
        d += Duration::days(1);
    }
    let end = NaiveDate::from_ymd_opt(start + 1, 6, 27).expect("valid");
    let mut weeks = Vec::new();
    while d <= end {
        let w = d.iso_week().week();
        if ![43, 52, 1, 8, 18].contains(&w) {
            weeks.push(d);
        }
        d += Duration::days(7);
    }
    weeks
}

/// Counts of what was written.
#[derive(Debug, Default, Clone, Copy)]
pub struct LmsCounts {
    /// Lines in the xAPI file (including the bad ones).
    pub statements: usize,
    /// Rows in the plans file (excluding the header, including the bad ones).
    pub plans: usize,
}

/// Deliberately unusable xAPI lines.
pub const XAPI_BAD_LINES: usize = 4;
/// Deliberately unusable plan rows.
pub const PLANS_BAD_ROWS: usize = 3;

struct Out<'a, W: Write> {
    w: &'a mut W,
    rng: &'a mut ChaCha8Rng,
    n: usize,
}

impl<W: Write> Out<'_, W> {
    fn uuid(&mut self) -> String {
        let b: [u8; 16] = self.rng.random();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_be_bytes([b[4], b[5]]),
            u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
            (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
            u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn statement(
        &mut self,
        actor: &str,
        verb: &str,
        display: &str,
        object: &str,
        parent: Option<&str>,
        subject: &str,
        result: &str,
        at: NaiveDateTime,
    ) -> Result<()> {
        let id = self.uuid();
        let off = clock::amsterdam_offset_hours_at_utc(clock::amsterdam_to_utc(at).naive_utc());
        let ctx_parent = parent
            .map(|p| format!(r#""contextActivities":{{"parent":[{{"id":"{LMS}/{p}"}}]}}"#))
            .unwrap_or_default();
        let ext = if subject.is_empty() {
            String::new()
        } else {
            format!(r#""extensions":{{"https://leerwinst.example/xapi/subject":"{subject}"}}"#)
        };
        let sep = if ctx_parent.is_empty() || ext.is_empty() {
            ""
        } else {
            ","
        };
        let verb = if verb.starts_with("http") {
            verb.to_string()
        } else {
            format!("{ADL}{verb}")
        };
        writeln!(
            self.w,
            r#"{{"id":"{id}","actor":{{"objectType":"Agent","account":{{"homePage":"{LMS}","name":"{actor}"}}}},"verb":{{"id":"{verb}","display":{{"nl-NL":"{display}"}}}},"object":{{"objectType":"Activity","id":"{LMS}/{object}"}},{result}"context":{{{ctx_parent}{sep}{ext}}},"timestamp":"{}+0{off}:00"}}"#,
            at.format("%Y-%m-%dT%H:%M:%S")
        )?;
        self.n += 1;
        Ok(())
    }
}

impl<W: Write> Out<'_, W> {
    /// An answer to item `obj` of `task`: right or wrong, taking `dur` seconds.
    #[allow(clippy::too_many_arguments)]
    fn answer(
        &mut self,
        actor: &str,
        obj: &str,
        task: Option<&str>,
        subject: &str,
        ok: bool,
        dur: i64,
        at: NaiveDateTime,
    ) -> Result<()> {
        self.statement(
            actor,
            "answered",
            "beantwoordde",
            obj,
            task,
            subject,
            &format!(r#""result":{{"success":{ok},"duration":"PT{dur}S"}},"#),
            at,
        )
    }
}

/// Writes `xapi/statements.ndjson.gz` and `plans/weekplannen.csv.gz` for every pupil and school year.
pub fn write_lms(w: &World, rng: &mut ChaCha8Rng, xapi: &Path, plans: &Path) -> Result<LmsCounts> {
    // Statements are written field by field: buffer them so the encoder sees large chunks (small
    // writes made the gzip encoder shuffle its buffer for most of the run time).
    let mut gz = std::io::BufWriter::with_capacity(1 << 16, gzip_writer(xapi)?);
    let mut plan_rows: Vec<[String; 6]> = Vec::new();
    let mut out = Out {
        w: &mut gz,
        rng,
        n: 0,
    };
    for y in 0..w.years {
        let start = w.first_year + y as i32;
        let weeks = school_weeks(start);
        for p in &w.pupils {
            let Some(grade) = p.grade_in(y) else { continue };
            pupil_year(&mut out, p, grade, &weeks, &mut plan_rows)?;
        }
    }
    // Lines an LRS dump really contains now and then, placed after the good ones.
    let bad_lines = [
        r#"{"id":"0b6f0c4e-1111-4aaa-8bbb-000000000001","actor":{"account":{"homePage":"https://lms.example.nl","name":"L999999"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://lms.example.nl/items/x"},"timestamp":"2024-03-12T09:00:00+01:00"}"#,
        r#"{"id":"0b6f0c4e-1111-4aaa-8bbb-000000000002","actor":{"account":{"homePage":"https://lms.example.nl","name":"L100013"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://lms.example.nl/items/x"}}"#,
        r#"{"id":"0b6f0c4e-1111-4aaa-8bbb-000000000003","actor":{"account":{"homePage":"https://lms.example.nl","name":"L100013"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://lms"#,
        r#"{"id":"0b6f0c4e-1111-4aaa-8bbb-000000000004","actor":{"account":{"homePage":"https://lms.example.nl","name":"L100013"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"https://lms.example.nl/items/x"},"timestamp":"2024-02-30T09:00:00+01:00"}"#,
    ];
    for l in bad_lines {
        writeln!(out.w, "{l}")?;
        out.n += 1;
    }
    let statements = out.n;
    finish_gzip(
        gz.into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?,
    )?;

    // Plans: three unusable rows among the good ones.
    let gz = gzip_writer(plans)?;
    let mut wtr = csv::WriterBuilder::new().delimiter(b';').from_writer(gz);
    wtr.write_record([
        "leerlingnummer",
        "week",
        "taak",
        "gepland_op",
        "deadline",
        "klaar_op",
    ])?;
    let n_good = plan_rows.len();
    for (i, r) in plan_rows.iter().enumerate() {
        wtr.write_record(r)?;
        if i == n_good / 3 {
            wtr.write_record([r[0].as_str(), &r[1], &r[2], "32-01-2024", &r[4], ""])?;
        }
        if i == n_good / 2 {
            wtr.write_record([r[0].as_str(), &r[1], "", &r[3], &r[4], &r[5]])?;
        }
        if i == 2 * n_good / 3 {
            wtr.write_record(["L999999", &r[1], &r[2], &r[3], &r[4], &r[5]])?;
        }
    }
    wtr.flush()?;
    let gz = wtr
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    finish_gzip(gz)?;
    Ok(LmsCounts {
        statements,
        plans: n_good + PLANS_BAD_ROWS,
    })
}

fn pupil_year<W: Write>(
    out: &mut Out<'_, W>,
    p: &Pupil,
    grade: i32,
    weeks: &[NaiveDate],
    plan_rows: &mut Vec<[String; 6]>,
) -> Result<()> {
    let s = p.srl;
    let p_regular = logistic(0.8 + 1.5 * s);
    let p_keep = logistic(0.4 + 1.4 * s);
    let p_skip = logistic(-3.2 - 1.0 * s);
    let p_help = logistic(-0.6 + 1.5 * s);
    let p_retry = logistic(0.3 + 1.5 * s);
    let p_dash = logistic(-0.8 + 1.2 * s);
    let p_video = logistic(-1.2 + 0.4 * s - 0.4 * p.ability);
    let p_reflect = logistic(-1.0 + 1.5 * s);
    let p_idle = logistic(-1.7 - 1.3 * s);
    let p_extra = logistic(-1.0 + 1.2 * s);
    // The pupil's habitual weekday per task slot and habitual start hour.
    let habit_days: [i64; 3] = [
        out.rng.random_range(0..2),
        out.rng.random_range(1..3),
        out.rng.random_range(2..4),
    ];
    let habit_minute: i64 = out.rng.random_range(8 * 60 + 40..13 * 60);
    let subjects = [0usize, 1, 2];
    for monday in weeks {
        let iso = monday.iso_week();
        let week = format!("{}-W{:02}", iso.year(), iso.week());
        let idle = out.rng.random::<f64>() < p_idle;
        // (work day offset from Monday, task index) of this week's tasks.
        let mut work: Vec<(i64, usize, String)> = Vec::new();
        for (k, &si) in subjects.iter().enumerate() {
            let planned = if out.rng.random::<f64>() < p_regular {
                habit_days[k]
            } else {
                out.rng.random_range(0..4)
            };
            let task = format!(
                "tasks/{}-g{}-{}-t{}",
                &SUBJECTS[si].0[..3],
                grade,
                week,
                k + 1
            );
            let due = *monday + Duration::days(4);
            let planned_day = *monday + Duration::days(planned);
            let done_day = if idle || out.rng.random::<f64>() < p_skip {
                None
            } else if out.rng.random::<f64>() < p_keep {
                Some(planned)
            } else {
                let mut d = planned + out.rng.random_range(1..=4);
                if d % 7 >= 5 {
                    d += 7 - d % 7; // weekend -> next Monday
                }
                Some(d)
            };
            let mut row = [
                p.raw_id.clone(),
                week.clone(),
                task.trim_start_matches("tasks/").to_string(),
                planned_day.format("%d-%m-%Y").to_string(),
                due.format("%d-%m-%Y").to_string(),
                String::new(),
            ];
            if let Some(d) = done_day {
                work.push((d, si, task));
            }
            plan_rows.push(std::mem::take(&mut row));
        }
        work.sort_by_key(|w| w.0);
        let mut i = 0;
        let row_base = plan_rows.len() - subjects.len();
        while i < work.len() {
            let day = work[i].0;
            let jitter = if out.rng.random::<f64>() < p_regular {
                out.rng.random_range(-10..=10)
            } else {
                out.rng.random_range(-150..=150)
            };
            let mut t = (*monday + Duration::days(day))
                .and_hms_opt(0, 0, 0)
                .expect("valid")
                + Duration::minutes(habit_minute + jitter);
            if out.rng.random::<f64>() < p_dash {
                out.statement(
                    &p.raw_id,
                    "progressed",
                    "bekeek voortgang",
                    "dashboard",
                    None,
                    SUBJECTS[work[i].1].0,
                    "",
                    t,
                )?;
                t += Duration::seconds(out.rng.random_range(20..60));
            }
            while i < work.len() && work[i].0 == day {
                let (_, si, ref task) = work[i];
                let subj = SUBJECTS[si].0;
                out.statement(&p.raw_id, "attempted", "begon", task, None, subj, "", t)?;
                t += Duration::seconds(out.rng.random_range(5..20));
                if out.rng.random::<f64>() < p_video {
                    out.statement(
                        &p.raw_id,
                        "experienced",
                        "bekeek instructie",
                        &format!("{task}/instructie"),
                        Some(task),
                        subj,
                        "",
                        t,
                    )?;
                    t += Duration::seconds(out.rng.random_range(90..240));
                }
                let p_correct = logistic(1.0 + 0.8 * p.subject_z[si]);
                let mut correct = 0;
                for item in 1..=3 {
                    let obj = format!("{task}/item{item}");
                    let mut ok = out.rng.random::<f64>() < p_correct;
                    let dur = out.rng.random_range(15..90);
                    t += Duration::seconds(dur);
                    out.answer(&p.raw_id, &obj, Some(task), subj, ok, dur, t)?;
                    let mut tries = 0;
                    while !ok && tries < 2 {
                        let helped = out.rng.random::<f64>() < p_help;
                        if helped {
                            t += Duration::seconds(out.rng.random_range(5..15));
                            out.statement(
                                &p.raw_id,
                                "asked",
                                "vroeg hint",
                                &format!("{obj}/hint"),
                                Some(task),
                                subj,
                                "",
                                t,
                            )?;
                        }
                        if out.rng.random::<f64>() >= p_retry {
                            break;
                        }
                        tries += 1;
                        let boost = if helped { 1.2 } else { 0.4 };
                        ok =
                            out.rng.random::<f64>() < logistic(1.0 + boost + 0.8 * p.subject_z[si]);
                        let dur = out.rng.random_range(15..60);
                        t += Duration::seconds(dur);
                        out.answer(&p.raw_id, &obj, Some(task), subj, ok, dur, t)?;
                    }
                    correct += ok as i32;
                }
                t += Duration::seconds(out.rng.random_range(3..10));
                let scaled = correct as f64 / 3.0;
                out.statement(
                    &p.raw_id,
                    "completed",
                    "voltooide",
                    task,
                    None,
                    subj,
                    &format!(
                        r#""result":{{"completion":true,"success":{},"score":{{"scaled":{scaled:.4}}}}},"#,
                        correct >= 2
                    ),
                    t,
                )?;
                // The plan row of this task gets the completion time.
                let slot = subjects.iter().position(|&x| x == si).expect("slot");
                plan_rows[row_base + slot][5] = t.format("%d-%m-%Y %H:%M").to_string();
                t += Duration::seconds(out.rng.random_range(10..40));
                i += 1;
            }
        }
        if idle {
            continue;
        }
        // Extra practice on a day of its own, three items.
        if out.rng.random::<f64>() < p_extra {
            let si = subjects[out.rng.random_range(0..subjects.len())];
            let subj = SUBJECTS[si].0;
            let task = format!("oefenen/{}-g{}-{}", &subj[..3], grade, week);
            let day = out.rng.random_range(0..5);
            let mut t = (*monday + Duration::days(day))
                .and_hms_opt(15, 30, 0)
                .expect("valid time")
                + Duration::minutes(out.rng.random_range(0..150));
            out.statement(&p.raw_id, "attempted", "begon", &task, None, subj, "", t)?;
            for item in 1..=3 {
                let ok = out.rng.random::<f64>() < logistic(1.0 + 0.8 * p.subject_z[si]);
                let dur = out.rng.random_range(15..90);
                t += Duration::seconds(dur);
                out.answer(
                    &p.raw_id,
                    &format!("{task}/item{item}"),
                    Some(&task),
                    subj,
                    ok,
                    dur,
                    t,
                )?;
            }
        }
        // The weekly logbook: a reflection entry on Friday afternoon.
        if out.rng.random::<f64>() < p_reflect {
            let t = (*monday + Duration::days(4))
                .and_hms_opt(14, 0, 0)
                .expect("valid time")
                + Duration::minutes(out.rng.random_range(0..90));
            out.statement(
                &p.raw_id,
                REFLECTED,
                "schreef in logboek",
                &format!("logboek/{week}"),
                None,
                "",
                "",
                t,
            )?;
        }
    }
    Ok(())
}
