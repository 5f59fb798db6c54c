//! Moodle's standard log store as a table dump (`mdl_logstore_standard_log` exported to CSV, e.g.
//! with `SELECT * ... INTO OUTFILE`, phpMyAdmin or `psql \copy`): one row per event with
//! `eventname`, `component`, `contextinstanceid`, `objectid`, `userid`, `anonymous` and
//! `timecreated` (Unix seconds).
//!
//! The raw verb is the event name (`\mod_quiz\event\attempt_submitted`), mapped to an event kind
//! by the pipeline's verb map, whose defaults know Moodle's common learning events
//! ([`default_moodle_verbs`]). The pupil is `userid` (Moodle's numeric user id: anything else
//! there, such as a name, is rejected without being shown), resolved through the roster's ids
//! like any other id. Anonymous events are rejected (they cannot be attributed). The activity is
//! `component:objectid`; the task is the course module (`cm:<contextinstanceid>`) for module
//! events. The log report that Moodle's web interface downloads is another format
//! ([`crate::formats::moodle_report`]).

use std::collections::BTreeMap;

use chrono::DateTime;
use leerwinst_core::pipeline::EventKind;
use leerwinst_core::{Error, Result, Table, clock};

use crate::context::ReadContext;
use crate::delimited;
use crate::delimited::Column;
use crate::input::{implausible_year_reason, plausible_year};
use crate::record_loop::each_record;
use crate::rows::{EventRow, event_school_year};

/// The reason for a `userid` that is not a number (the cell is not shown).
const NOT_A_USER_ID: &str =
    "userid is not a Moodle user id (a whole number; the cell is not shown, it may name a person)";

/// Moodle event names the verb map knows by default.
pub fn default_moodle_verbs() -> BTreeMap<String, EventKind> {
    [
        (r"\mod_quiz\event\attempt_started", EventKind::Attempt),
        (r"\mod_quiz\event\attempt_submitted", EventKind::Complete),
        (
            r"\mod_assign\event\assessable_submitted",
            EventKind::Complete,
        ),
        (r"\mod_assign\event\submission_created", EventKind::Attempt),
        (r"\mod_lesson\event\lesson_started", EventKind::Attempt),
        (r"\mod_lesson\event\lesson_ended", EventKind::Complete),
        (r"\mod_lesson\event\question_answered", EventKind::Answer),
        (
            r"\core\event\course_module_completion_updated",
            EventKind::Complete,
        ),
        (
            r"\mod_page\event\course_module_viewed",
            EventKind::Instruction,
        ),
        (
            r"\mod_resource\event\course_module_viewed",
            EventKind::Instruction,
        ),
        (
            r"\mod_url\event\course_module_viewed",
            EventKind::Instruction,
        ),
        (r"\mod_book\event\chapter_viewed", EventKind::Instruction),
        (r"\mod_forum\event\discussion_created", EventKind::Help),
        (r"\mod_forum\event\post_created", EventKind::Help),
        (
            r"\gradereport_user\event\grade_report_viewed",
            EventKind::ProgressView,
        ),
        (
            r"\gradereport_overview\event\grade_report_viewed",
            EventKind::ProgressView,
        ),
        (r"\mod_journal\event\entry_created", EventKind::Reflection),
        (r"\mod_journal\event\entry_updated", EventKind::Reflection),
        (r"\core\event\user_graded", EventKind::Other),
    ]
    .into_iter()
    .map(|(v, k)| (v.to_string(), k))
    .collect()
}

const ID: Column = Column::required("log id", &["id"]);
const EVENT_NAME: Column = Column::required("event name", &["eventname"]);
const USER_ID: Column = Column::required("user id", &["userid"]).note("Moodle's numeric user id");
const TIME_CREATED: Column = Column::required("time", &["timecreated"]).note("Unix seconds");
const COMPONENT: Column = Column::optional("component", &["component"]);
const OBJECT_ID: Column = Column::optional("object id", &["objectid"]);
const CONTEXT_INSTANCE: Column = Column::optional("context instance", &["contextinstanceid"]);
const CONTEXT_LEVEL: Column = Column::optional("context level", &["contextlevel"]);
const ANONYMOUS: Column = Column::optional("anonymous", &["anonymous"]);

/// The columns of a `logstore_standard_log` dump ([`crate::columns`]).
pub const COLUMNS: &[Column] = &[
    ID,
    EVENT_NAME,
    USER_ID,
    TIME_CREATED,
    COMPONENT,
    OBJECT_ID,
    CONTEXT_LEVEL,
    CONTEXT_INSTANCE,
    ANONYMOUS,
];

/// Reads a log-store dump; returns (rows, rows read).
pub fn read(
    ctx: &mut ReadContext<'_>,
    text: &str,
    verbs: &BTreeMap<String, EventKind>,
) -> Result<(Vec<EventRow>, usize)> {
    let d = delimited::parse(text, &ctx.file)?;
    let need = |column: &Column| {
        d.find(column.names).ok_or_else(|| {
            Error::input(
                &ctx.file,
                format!(
                    "not a logstore_standard_log dump: no {} column; {}{}",
                    column.names[0],
                    d.header_listing(),
                    if d.find(&["Event name"]).is_some() && d.find(&["Description"]).is_some() {
                        " (this looks like Moodle's log report download: format = \"moodle-report\")"
                    } else {
                        ""
                    }
                ),
            )
        })
    };
    let c_id = need(&ID)?;
    let c_event = need(&EVENT_NAME)?;
    let c_user = need(&USER_ID)?;
    let c_time = need(&TIME_CREATED)?;
    let c_component = d.find(COMPONENT.names);
    let c_object = d.find(OBJECT_ID.names);
    let c_cm = d.find(CONTEXT_INSTANCE.names);
    let c_level = d.find(CONTEXT_LEVEL.names);
    let c_anon = d.find(ANONYMOUS.names);
    let h = |i: usize| d.headers[i].clone();
    let t = Table::Events;
    let mut seen = std::collections::HashSet::new();
    let (rows, read) = each_record(ctx, t, &d, |row, r| {
        let cell = |c: usize| r.get(c).unwrap_or("").trim();
        let opt_cell = |c: Option<usize>| {
            c.map(cell)
                .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("null") && *v != "\\N")
        };
        if !seen.insert(cell(c_id).to_string()) {
            return row.reject(&h(c_id), cell(c_id), "duplicate log id");
        }
        if opt_cell(c_anon) == Some("1") {
            return row.reject(
                "anonymous",
                "1",
                "anonymous event: no pupil to attribute it to",
            );
        }
        let user = cell(c_user);
        if user.is_empty() || user == "0" {
            return row.reject(&h(c_user), user, "no user (system or guest event)");
        }
        if !user.bytes().all(|b| b.is_ascii_digit()) {
            return row.reject(&h(c_user), "", NOT_A_USER_ID);
        }
        let pupil_key = row.pupil_key(&h(c_user), user)?;
        let event = cell(c_event);
        if event.is_empty() {
            return row.reject(&h(c_event), "", "missing event name");
        }
        let ts = row.required(
            &h(c_time),
            cell(c_time),
            |t| {
                t.parse::<i64>()
                    .ok()
                    .and_then(|s| DateTime::from_timestamp(s, 0))
            },
            "timecreated is not a Unix time (whole seconds since 1970)",
        )?;
        let local = clock::utc_to_amsterdam(ts);
        let year = chrono::Datelike::year(&local);
        if !plausible_year(year) {
            return row.reject(&h(c_time), cell(c_time), &implausible_year_reason(year));
        }
        let kind = verbs.get(event).copied().unwrap_or(EventKind::Other);
        let object_id = match (opt_cell(c_component), opt_cell(c_object)) {
            (Some(comp), Some(obj)) => Some(format!("{comp}:{obj}")),
            _ => None,
        };
        // Context level 70 is a course module.
        let task_id = match (opt_cell(c_level), opt_cell(c_cm)) {
            (Some("70"), Some(cm)) => Some(format!("cm:{cm}")),
            _ => None,
        };
        Some(EventRow {
            pupil_key: pupil_key.into(),
            school_year: event_school_year(row.ctx.calendar, local.date()),
            ts: ts.timestamp_micros(),
            kind: kind.as_str(),
            verb: event.into(),
            object_id: object_id.map(Into::into),
            task_id: task_id.map(Into::into),
            subject: None,
            success: None,
            score_scaled: None,
            duration_s: None,
        })
    });
    Ok((rows, read))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdResolver;
    use crate::pseudonym::Pseudonymiser;
    use crate::rejects::Rejects;

    const DUMP: &str = "id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid
1,\\mod_quiz\\event\\attempt_started,mod_quiz,started,attempt,quiz_attempts,11,c,2,50,70,7,101,3,101,0,\"{\"\"quizid\"\":\"\"4\"\"}\",1737360000,web,10.0.0.1,NULL
2,\\mod_quiz\\event\\attempt_submitted,mod_quiz,submitted,attempt,quiz_attempts,11,u,2,50,70,7,101,3,101,0,N;,1737361800,web,10.0.0.1,NULL
3,\\mod_page\\event\\course_module_viewed,mod_page,viewed,course_module,page,5,r,2,51,70,8,101,3,NULL,0,N;,1737362000,web,10.0.0.1,NULL
4,\\core\\event\\user_loggedin,core,loggedin,user,user,101,r,0,1,10,0,101,0,NULL,0,N;,1737359000,web,10.0.0.1,NULL
5,\\mod_forum\\event\\post_created,mod_forum,created,post,forum_posts,9,c,2,52,70,9,101,3,NULL,1,N;,1737362100,web,10.0.0.1,NULL
6,\\mod_quiz\\event\\attempt_started,mod_quiz,started,attempt,quiz_attempts,12,c,2,50,70,7,0,3,NULL,0,N;,1737362200,cli,,NULL
7,\\mod_quiz\\event\\attempt_started,mod_quiz,started,attempt,quiz_attempts,13,c,2,50,70,7,999,3,NULL,0,N;,1737362300,web,10.0.0.2,NULL
8,\\mod_quiz\\event\\attempt_started,mod_quiz,started,attempt,quiz_attempts,14,c,2,50,70,7,101,3,NULL,0,N;,12,web,10.0.0.1,NULL
2,\\mod_quiz\\event\\attempt_submitted,mod_quiz,submitted,attempt,quiz_attempts,11,u,2,50,70,7,101,3,101,0,N;,1737361800,web,10.0.0.1,NULL
";

    #[test]
    fn log_store_rows_become_events_with_every_bad_row_rejected() {
        let mut ids = IdResolver::with_roster();
        ids.add("101", "L1");
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("moodle", "log.csv", &mut rejects, &ids, &pseudo);
        let (rows, read) = read(&mut ctx, DUMP, &default_moodle_verbs()).unwrap();
        assert_eq!((read, rows.len(), rejects.total()), (9, 4, 5));
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, ["attempt", "complete", "instruction", "other"]);
        assert_eq!(&*rows[0].pupil_key, "L1");
        assert_eq!(rows[0].task_id.as_deref(), Some("cm:7"));
        assert_eq!(rows[0].object_id.as_deref(), Some("mod_quiz:11"));
        assert_eq!(rows[3].task_id, None, "a login is not in a course module");
        // 2025-01-20 08:00 UTC.
        assert_eq!(rows[0].ts, 1_737_360_000_000_000);
        assert_eq!(&*rows[0].school_year, "2024-2025");
        let reasons = rejects.line_reasons(10);
        for want in [
            "6: anonymous event",
            "7: no user",
            "8: unknown pupil",
            "9: year 1970 is outside",
            "10: duplicate log id",
        ] {
            assert!(
                reasons.iter().any(|r| r.starts_with(want)),
                "{want} in {reasons:?}"
            );
        }
    }

    #[test]
    fn a_file_that_is_not_a_dump_is_a_clear_error() {
        let ids = IdResolver::default();
        let mut rejects = Rejects::default();
        let pseudo = Pseudonymiser::off();
        let mut ctx = ReadContext::new("moodle", "x.csv", &mut rejects, &ids, &pseudo);
        let err = read(
            &mut ctx,
            "Time,User full name,Event name\n",
            &default_moodle_verbs(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("logstore_standard_log"), "{err}");
    }
}
