//! Hostile inputs: 87 malformed, truncated, mis-encoded or absurd exports across every format,
//! each run through the real binary (`leerwinst ingest`). For every case the process must not
//! panic (exit 101) and must either succeed with read = accepted + rejected per source and at
//! least the expected number of rejects, or stop with exit code 1 and a message naming the
//! problem. Nothing may be lost silently.

use std::io::Write;
use std::path::Path;
use std::process::Command;

mod common;

/// What a case must produce.
enum Expect {
    /// Succeeds, with at least this many rows rejected.
    Rejects(u64),
    /// Fails cleanly with this in the message.
    Error(&'static str),
}

struct Case {
    name: &'static str,
    format: &'static str,
    /// (relative path, bytes); a path with `/` makes the source a folder (its first part).
    files: Vec<(&'static str, Vec<u8>)>,
    /// More TOML for the source (a `[source.mapping]`), or empty.
    extra: &'static str,
    expect: Expect,
}

const LVS_HEAD: &str =
    "Leerlingnummer;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Standaardmeetfout\n";
const LVS_OK: &str = "L1;Rekenen-Wiskunde;M5;20-01-2025;184;4,5\n";
const XAPI_OK: &str = r#"{"id":"a","actor":{"account":{"homePage":"h","name":"L1"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"o"},"timestamp":"2025-01-20T09:14:33+01:00"}"#;
const MAPPED: &str = "[source.mapping]\ncolumns = { pupil_id = \"id\" }\n\
    constants = { term = \"Y\" }\n\
    unpivot = { columns = '^(?P<subject>read)(?P<grade>[0-9]+)$' }\n\
    cohort = { grade = 1, school_year = \"2024-2025\" }\n";
const MAPPED_EVENTS: &str = "[source.mapping]\n\
    columns = { pupil_id = \"id\", time = \"t\", verb = \"v\", success = \"ok\", score_scaled = \"sc\", duration = \"dur\" }\n";
const REPORT_HEAD: &str = "Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address\n";
const REPORT_OK: &str = "\"20 January 2025, 9:40:12 AM\",A B,-,Quiz: Q,Quiz,Quiz attempt submitted,\"The user with id '5' has submitted the attempt with id '1' for the quiz with course module id '2'.\",web,1.2.3.4\n";
const GRADEBOOK: [&str; 8] = [
    "gb/orgs.csv",
    "gb/academicSessions.csv",
    "gb/classes.csv",
    "gb/users.csv",
    "gb/enrollments.csv",
    "gb/categories.csv",
    "gb/lineItems.csv",
    "gb/results.csv",
];
const RESULTS_TOML: &str = "[source.results]\ntitle = '^(?P<subject>Rekenen-Wiskunde|Spelling) (?P<term>[ME])(?P<grade>\\d)$'\n";

/// The OneRoster gradebook fixture under `gb/`, with files replaced (`None`: left out).
fn gradebook(replace: &[(&str, Option<&[u8]>)]) -> Vec<(&'static str, Vec<u8>)> {
    let dir = common::repo().join("tests/fixtures/oneroster-gradebook");
    GRADEBOOK
        .iter()
        .filter_map(|&path| {
            let name = path.trim_start_matches("gb/");
            match replace.iter().find(|(f, _)| *f == name) {
                Some((_, None)) => None,
                Some((_, Some(bytes))) => Some((path, bytes.to_vec())),
                None => Some((path, std::fs::read(dir.join(name)).unwrap())),
            }
        })
        .collect()
}

const SGP_HEAD: &str = "VALID_CASE,CONTENT_AREA,YEAR,ID,GRADE,SCALE_SCORE\n";

fn lvs(rows: &str) -> Vec<u8> {
    format!("{LVS_HEAD}{LVS_OK}{rows}").into_bytes()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn cases() -> Vec<Case> {
    use Expect::*;
    let c = |name, format, file: &'static str, bytes: Vec<u8>, expect| Case {
        name,
        format,
        files: vec![(file, bytes)],
        extra: "",
        expect,
    };
    // A wide mapped export: one column per grade, STAR-like.
    let m = |name, bytes: &str, extra, expect| Case {
        name,
        format: "mapped-assessments",
        files: vec![("w.csv", bytes.as_bytes().to_vec())],
        extra,
        expect,
    };
    let mut utf16 = vec![0xFF, 0xFE];
    for u in format!("{LVS_HEAD}{LVS_OK}").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let mut truncated_gz = gz(format!("{XAPI_OK}\n").repeat(2000).as_bytes());
    truncated_gz.truncate(truncated_gz.len() / 2);
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    // XAPI_OK's id, and a teacher's statement voiding a statement by id.
    let xapi_id = "a".to_string();
    let xapi_void = |target: &str| {
        format!(
            r#"{{"id":"v","actor":{{"mbox":"mailto:juf@school.nl"}},"verb":{{"id":"http://adlnet.gov/expapi/verbs/voided"}},"object":{{"objectType":"StatementRef","id":"{target}"}},"timestamp":"2025-01-21T08:00:00Z"}}"#
        )
    };
    vec![
        // Dutch LVS exports.
        c("lvs: empty file", "lvs-csv", "t.csv", vec![], Error("no pupil id column")),
        c("lvs: header only", "lvs-csv", "t.csv", LVS_HEAD.into(), Rejects(0)),
        c("lvs: binary garbage", "lvs-csv", "t.csv", (0u8..=255).cycle().take(5000).collect(), Error("no pupil id column")),
        c("lvs: unterminated quote", "lvs-csv", "t.csv", lvs("L2;\"Rekenen;E5;12-06-2025;190;4\n"), Rejects(1)),
        c("lvs: short row", "lvs-csv", "t.csv", lvs("L2;Rekenen\n"), Rejects(1)),
        c("lvs: a quote left open swallows 100 lines", "lvs-csv", "t.csv", lvs(&format!("L2;\"Rekenen;E5;12-06-2025;190;4\n{}", "L3;Rekenen;E5;12-06-2025;190;4\n".repeat(100))), Error("quote opened on line 3")),
        c("lvs: two-digit, placeholder and far-future years", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;16-01-24;190;4\nL3;Rekenen;E5;01-01-1900;190;4\nL4;Rekenen;E5;01-01-9999;190;4\n"), Rejects(3)),
        c("lvs: locale-dependent numbers", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;1.234,5;4\nL3;Rekenen;E5;12-06-2025;1.234;4\n"), Rejects(2)),
        c("xapi: a timestamp in year 1", "xapi", "s.ndjson", XAPI_OK.replace("2025-01-20", "0001-01-20").into_bytes(), Rejects(1)),
        c("lvs: long row", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;190;4;extra;more\n"), Rejects(1)),
        c("lvs: NaN score", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;NaN;4\n"), Rejects(1)),
        c("lvs: infinite score", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;inf;4\n"), Rejects(1)),
        c("lvs: overflowing score", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;1e309;4\n"), Rejects(1)),
        c("lvs: 31 February", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;31-02-2025;190;4\n"), Rejects(1)),
        c("lvs: month 13", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;01-13-2025;190;4\n"), Rejects(1)),
        c("lvs: moment without grade", "lvs-csv", "t.csv", lvs("L2;Rekenen;E;12-06-2025;190;4\n"), Rejects(1)),
        c("lvs: negative SEM", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;190;-4\n"), Rejects(1)),
        c("lvs: zero SEM", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;190;0\n"), Rejects(1)),
        c("lvs: score far out of range", "lvs-csv", "t.csv", lvs("L2;Rekenen;E5;12-06-2025;99999999999999999999;4\n"), Rejects(1)),
        c("lvs: missing pupil id", "lvs-csv", "t.csv", lvs(";Rekenen;E5;12-06-2025;190;4\n"), Rejects(1)),
        c("lvs: NUL bytes in a field", "lvs-csv", "t.csv", lvs("L2;Reke\0nen;E5;12-06-2025;19\u{0}0;4\n"), Rejects(1)),
        c("lvs: one-megabyte field", "lvs-csv", "t.csv", lvs(&format!("L2;{};E5;12-06-2025;190;4\n", "x".repeat(1 << 20))), Rejects(0)),
        c("lvs: UTF-16 with BOM", "lvs-csv", "t.csv", utf16, Rejects(0)),
        c("lvs: CRLF and UTF-8 BOM", "lvs-csv", "t.csv", [&[0xEF, 0xBB, 0xBF][..], format!("{LVS_HEAD}{LVS_OK}").replace('\n', "\r\n").as_bytes()].concat(), Rejects(0)),
        c("lvs: duplicate test moment", "lvs-csv", "t.csv", lvs(LVS_OK), Rejects(1)),
        c("lvs: a workbook with a stray cell at XFD1048576", "lvs-csv", "t.xlsx", std::fs::read(common::repo().join("tests/fixtures/far-cell.xlsx")).unwrap(), Error("beyond the 1048576 rows and 1000 columns")),
        c("lvs: zip that is no workbook", "lvs-csv", "t.xlsx", b"PK\x03\x04garbage that is not a zip archive".to_vec(), Error("not a readable XLSX")),
        c("lvs: truncated gzip", "lvs-csv", "t.csv.gz", { let mut g = gz(&lvs("")); g.truncate(20); g }, Error("cannot read")),
        // xAPI.
        c("xapi: empty file", "xapi", "s.ndjson", vec![], Rejects(0)),
        c("xapi: null line", "xapi", "s.ndjson", format!("{XAPI_OK}\nnull\n").into(), Rejects(1)),
        c("xapi: empty array", "xapi", "s.json", b"[]".to_vec(), Rejects(0)),
        c("xapi: array of numbers", "xapi", "s.json", b"[1, 2, 3]".to_vec(), Rejects(3)),
        c("xapi: 5000-deep nesting", "xapi", "s.json", deep.into(), Error("not a valid JSON array")),
        c("xapi: year 99999", "xapi", "s.ndjson", XAPI_OK.replace("2025-01-20", "99999-01-20").into(), Rejects(1)),
        c("xapi: no actor", "xapi", "s.ndjson", XAPI_OK.replace(r#""actor":{"account":{"homePage":"h","name":"L1"}},"#, "").into(), Rejects(1)),
        c("xapi: invalid UTF-8 in a line", "xapi", "s.ndjson", [XAPI_OK.as_bytes(), b"\n{\"id\":\"\xff\xfe\"}\n"].concat(), Rejects(1)),
        c("xapi: five-megabyte line", "xapi", "s.ndjson", format!("{{\"id\":\"{}\"}}\n", "y".repeat(5 << 20)).into(), Rejects(1)),
        c("xapi: LRS page without an array", "xapi", "s.json", br#"{"statements": 5, "more": ""}"#.to_vec(), Error("not an array")),
        c("xapi: repeated statement id", "xapi", "s.ndjson", format!("{XAPI_OK}\n{XAPI_OK}\n").into(), Rejects(1)),
        c("xapi: truncated gzip", "xapi", "s.ndjson.gz", truncated_gz, Error("cannot read")),
        c("xapi: voiding its target, then again, then a missing one", "xapi", "s.ndjson", format!("{XAPI_OK}\n{v}\n{v}\n{}\n", xapi_void("00000000-0000-4000-8000-00000000dead"), v = xapi_void(&xapi_id)).into(), Rejects(4)),
        c("xapi: voiding statement with an object that is a number", "xapi", "s.ndjson", format!("{XAPI_OK}\n{}\n", xapi_void(&xapi_id).replace(&format!("\"{xapi_id}\""), "7")).into(), Rejects(1)),
        c("xapi: scaled score 7", "xapi", "s.ndjson", XAPI_OK.replace(r#""timestamp""#, r#""result":{"score":{"scaled":7}},"timestamp""#).into(), Rejects(1)),
        // Moodle log store.
        c("moodle: log report instead of a dump", "moodle-log", "m.csv", b"Time,User full name,Affected user,Event context,Component,Event name,Description\n".to_vec(), Error("format = \"moodle-report\"")),
        c("moodle: time in the year 1970", "moodle-log", "m.csv", b"id,eventname,userid,timecreated\n1,\\core\\event\\course_viewed,5,12\n2,x,5,never\n".to_vec(), Rejects(2)),
        // Moodle log report.
        c("moodle report: a log-store dump instead", "moodle-report", "r.csv", b"id,eventname,userid,timecreated\n1,x,5,1737360000\n".to_vec(), Error("moodle-log")),
        c("moodle report: times without a year", "moodle-report", "r.csv", format!("{REPORT_HEAD}\"20 Jan, 09:40\",A,-,X,Quiz,Quiz attempt started,\"The user with id '5' started.\",web,1.2.3.4\n").into(), Error("school_year")),
        c("moodle report: no id, user 0, bad time", "moodle-report", "r.csv", format!("{REPORT_HEAD}{REPORT_OK}\"20 January 2025, 9:40 AM\",-,-,System,System,User login failed,\"Login failed for user 'x'.\",web,1.2.3.4\n\"20 January 2025, 9:40 AM\",-,-,System,System,Course viewed,\"The user with id '0' viewed.\",web,1.2.3.4\n\"morgen\",A,-,X,Quiz,Quiz attempt started,\"The user with id '5' started.\",web,1.2.3.4\n").into(), Rejects(3)),
        // The ragged row is rejected; the row of empty cells is no row (as a spreadsheet saves
        // formatted empty rows).
        c("moodle report: ragged and empty rows", "moodle-report", "r.csv", format!("{REPORT_HEAD}\"x\"\n,,,,,,,,\n").into(), Rejects(1)),
        // Weekly plans and school lists.
        c("plans: week 99", "plans-csv", "p.csv", b"leerlingnummer;week;taak;gepland_op;deadline;klaar_op\nL1;2025-W99;t1;20-01-2025;24-01-2025;\n".to_vec(), Rejects(1)),
        c("plans: done at garbage", "plans-csv", "p.csv", b"leerlingnummer;week;taak;gepland_op;deadline;klaar_op\nL1;2025-W04;t1;20-01-2025;24-01-2025;gisteren\n".to_vec(), Rejects(1)),
        c("plans: empty task", "plans-csv", "p.csv", b"leerlingnummer;week;taak;gepland_op;deadline;klaar_op\nL1;2025-W04;;20-01-2025;24-01-2025;\n".to_vec(), Rejects(1)),
        c("schools: programme year 'soon'", "schools-csv", "s.csv", b"brin;naam;programma_vanaf;schoolweging\n12AB;De Wilg;soon;30,1\n".to_vec(), Rejects(1)),
        c("schools: weight not a number", "schools-csv", "s.csv", b"brin;naam;programma_vanaf;schoolweging\n12AB;De Wilg;2024-2025;hoog\n".to_vec(), Rejects(1)),
        // SGP long, STAR.
        c("sgp-long: grade x", "sgp-long", "l.csv", format!("{SGP_HEAD}VALID_CASE,MATHEMATICS,2023_2024,1,x,500\n").into(), Rejects(1)),
        c("sgp-long: year 2023", "sgp-long", "l.csv", format!("{SGP_HEAD}VALID_CASE,MATHEMATICS,2023,1,5,500\n").into(), Rejects(1)),
        c("sgp-long: NA score", "sgp-long", "l.csv", format!("{SGP_HEAD}VALID_CASE,MATHEMATICS,2023_2024,1,5,NA\n").into(), Rejects(1)),
        c("star: missing columns", "star-csv", "s.csv", b"gender,ethnicity\nfemale,cauc\n".to_vec(), Error("not a STAR file")),
        // Folder formats.
        Case {
            name: "nwea: no AssessmentResults",
            format: "nwea-cdf",
            files: vec![("cdf/StudentsBySchool.csv", b"TermName,StudentID,SchoolName\nFall 2013-2014,S1,A\n".to_vec())],
            extra: "",
            expect: Error("AssessmentResults"),
        },
        Case {
            name: "nwea: garbage term names",
            format: "nwea-cdf",
            files: vec![("cdf/AssessmentResults.csv", b"TermName,StudentID,MeasurementScale,TestRITScore\nAutumn 13,S1,Reading,200\n,S2,Reading,201\n".to_vec())],
            extra: "",
            expect: Rejects(2),
        },
        Case {
            name: "oneroster: no users.csv",
            format: "oneroster",
            files: vec![("or/orgs.csv", b"sourcedId,name,type\n1,A,school\n".to_vec())],
            extra: "",
            expect: Error("lacks"),
        },
        Case {
            // One session listed twice with different dates: neither is used, so the class that
            // names it and the 4 pupils' enrollments in it are rejected (not moved to 2030).
            name: "oneroster: a session listed twice with different dates",
            format: "oneroster",
            files: gradebook(&[("academicSessions.csv", Some(b"sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\nas-2024,active,x,Schooljaar,schoolYear,2024-08-01,2025-07-31,,2025\nas-2024,active,x,Schooljaar,schoolYear,2030-08-01,2031-07-31,,2031\n"))]),
            extra: "",
            expect: Rejects(2 + 1 + 4),
        },
        Case {
            // A class listed twice (another school): both rejected, enrollments say why.
            name: "oneroster: a class listed twice",
            format: "oneroster",
            files: gradebook(&[("classes.csv", Some(b"sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds\ncls-5,active,x,Groep 5,05,crs-5,5A,homeroom,,org-1,as-2024\ncls-5,active,x,Groep 5,05,crs-5,5A,homeroom,,org-2,as-2024\n"))]),
            extra: "",
            expect: Rejects(2 + 4),
        },
        Case {
            // Malformed and dangling lookup rows: a short orgs row, an exact repeat, a session
            // without a date, a class of an unknown school.
            name: "oneroster: broken lookup rows",
            format: "oneroster",
            files: gradebook(&[
                ("orgs.csv", Some(b"sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-1,active,x,Basisschool Het Anker,school,30AN,\norg-9,active\norg-1,active,x,Basisschool Het Anker,school,30AN,\n")),
                ("academicSessions.csv", Some(b"sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\nas-2024,active,x,S,schoolYear,2024-08-01,2025-07-31,,2025\nas-x,active,x,S,schoolYear,ooit,2025-07-31,,2025\n")),
                ("classes.csv", Some(b"sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds\ncls-5,active,x,Groep 5,05,crs-5,5A,homeroom,,org-1,as-2024\ncls-6,active,x,Groep 6,06,crs-6,6A,homeroom,,org-7,as-2024\n")),
            ]),
            extra: "",
            expect: Rejects(4),
        },
        Case {
            // Two users share an identifier; one user's name is another pupil's id: the second
            // user is rejected, and results for the shared id are given to neither pupil.
            name: "oneroster: two users, one identifier; a user name that is another's id",
            format: "oneroster",
            files: gradebook(&[("users.csv", Some(b"sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\nu-t,active,x,true,org-1,teacher,jdv,,Jan,Vries,,T1,,,,,,\nu-1,active,x,true,org-1,student,emma,,Emma,Jansen,,4001,,,,,05,\nu-2,active,x,true,org-1,student,4001,,Daan,Smit,,4002,,,,,05,\nu-3,active,x,true,org-1,student,sara,,Sara,Bakker,,4003,,,,,05,\nu-9,active,x,true,org-1,student,noor,,Noor,Visser,,4003,,,,,05,\n"))]),
            extra: RESULTS_TOML,
            expect: Rejects(2),
        },
        Case {
            name: "oneroster results: garbage results",
            format: "oneroster",
            files: gradebook(&[("results.csv", Some(b"sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment\nr1,active,x,li-rm,u-1,fully graded,abc,2025-01-22,\nr2,tobedeleted,x,li-rm,u-2,fully graded,180,2025-01-22,\nr3,active,x,li-zz,u-2,fully graded,180,2025-01-22,\nr4,active,x,li-rm,u-3,fully graded,180,gisteren,\nr5,active,x,li-rm\nr6,active,x,li-sm,,fully graded,120,2025-01-22,\nr7,active,x,li-hw,u-1,fully graded,x,,\n"))]),
            extra: RESULTS_TOML,
            expect: Rejects(6),
        },
        Case {
            name: "oneroster results: pattern does not compile",
            format: "oneroster",
            files: gradebook(&[]),
            extra: "[source.results]\ntitle = '(?P<subject>x)(?P<term>[ME]'\n",
            expect: Error("not a valid regular expression"),
        },
        Case {
            name: "oneroster results: no lineItems.csv",
            format: "oneroster",
            files: gradebook(&[("lineItems.csv", None)]),
            extra: RESULTS_TOML,
            expect: Error("lacks lineItems.csv"),
        },
        Case {
            name: "oneroster results: subject from nowhere",
            format: "oneroster",
            files: gradebook(&[]),
            extra: "[source.results]\ntitle = '(?P<term>[ME])'\n",
            expect: Error("subject comes from neither"),
        },
        Case {
            name: "mapped roster: garbage cells",
            format: "mapped-roster",
            files: vec![("l.csv", b"nr;brin;jaar;groep;geb;sekse\n1;;2024-2025;6;01-01-2015;m\n2;20KL;volgend jaar;6;01-01-2015;m\n3;20KL;2024-2025;99;01-01-2015;m\n4;20KL;2024-2025;6;1-1-1;m\n5;20KL;2024-2025;6;01-01-2015;?\n;20KL;2024-2025;6;01-01-2015;m\n6;20KL;2024-2025\n".to_vec())],
            extra: "[source.mapping]\ncolumns = { pupil_id = \"nr\", school = \"brin\", school_year = \"jaar\", grade = \"groep\", birth_date = \"geb\", sex = \"sekse\" }\n",
            expect: Rejects(7),
        },
        Case {
            name: "mapped roster: no school",
            format: "mapped-roster",
            files: vec![("l.csv", b"nr;jaar\n1;2024-2025\n".to_vec())],
            extra: "[source.mapping]\ncolumns = { pupil_id = \"nr\", school_year = \"jaar\" }\n",
            expect: Error("needs school"),
        },
        Case {
            name: "results on a source that is no roster",
            format: "xapi",
            files: vec![("s.ndjson", XAPI_OK.as_bytes().to_vec())],
            extra: RESULTS_TOML,
            expect: Error("applies only to format oneroster"),
        },
        Case {
            name: "nwea: AssessmentResults without RIT column",
            format: "nwea-cdf",
            files: vec![("cdf/AssessmentResults.csv", b"TermName,StudentID,MeasurementScale\nFall 2013-2014,S1,Reading\n".to_vec())],
            extra: "",
            expect: Error("TestRITScore"),
        },
        // Mapped exports (wide, unpivoted by a column-name pattern).
        m("mapped: garbage cells", "id,read1,read2\nA,abc,-500\nB,,1e400\nC,400,\n", MAPPED, Rejects(3)),
        m("mapped: grade 14 from the pattern", "id,read1,read14\nA,400,410\n", MAPPED, Rejects(1)),
        m("mapped: the same column twice", "id,read1,read1\nA,400,410\n", MAPPED, Rejects(1)),
        m("mapped: no matching header", "id,lezen1\nA,400\n", MAPPED, Error("no header matches")),
        m("mapped: id column missing", "nr,read1\nA,400\n", MAPPED, Error("column 'id'")),
        m("mapped: bad pattern", "id,read1\nA,400\n", "[source.mapping]\ncolumns = { pupil_id = \"id\" }\nconstants = { term = \"Y\", subject = \"x\", school_year = \"2024-2025\" }\nunpivot = { columns = '^(?P<grade>[' }\n", Error("bad pattern")),
        m("mapped: unknown field", "id,read1\nA,400\n", "[source.mapping]\ncolumns = { pupil_id = \"id\", naam = \"n\" }\n", Error("unknown field 'naam'")),
        m("mapped: no mapping", "id,read1\nA,400\n", "", Error("needs a [source.mapping]")),
        // Mapped LMS activity.
        Case {
            name: "mapped events: bad times, flags, scores and durations",
            format: "mapped-events",
            files: vec![("a.csv", b"id;t;v;ok;sc;dur\nA;20-01-2025 09:00;answer;ja;0,5;12\nA;31-02-2025 09:00;answer;;;\nA;20-01-2025 09:01;answer;misschien;;\nA;20-01-2025 09:02;answer;;1,5;\nA;20-01-2025 09:03;answer;;;-4\nA;99999999999;answer;;;\nA;;answer;;;\n".to_vec())],
            extra: MAPPED_EVENTS,
            expect: Rejects(6),
        },
        Case {
            name: "mapped events: click counts per day, dates only",
            format: "mapped-events",
            files: vec![("a.csv", b"id;t;v;n\nA;2025-01-20;other;40\nA;2025-01-21;answer;3\nA;2025-01-22;other;0\nA;2025-01-23;other;veel\n".to_vec())],
            extra: "[source.mapping]\ncolumns = { pupil_id = \"id\", time = \"t\", verb = \"v\", count = \"n\" }\n",
            expect: Rejects(2),
        },
        Case {
            name: "mapped events: time column missing",
            format: "mapped-events",
            files: vec![("a.csv", b"id;tijd;v\nA;20-01-2025 09:00;answer\n".to_vec())],
            extra: MAPPED_EVENTS,
            expect: Error("is not in the file"),
        },
        Case {
            name: "moodle report settings on another format",
            format: "xapi",
            files: vec![("s.ndjson", XAPI_OK.as_bytes().to_vec())],
            extra: "school_year = \"2024-2025\"\n",
            expect: Error("apply only to format moodle-report"),
        },
        Case {
            name: "moodle report: school year 'this one'",
            format: "moodle-report",
            files: vec![("r.csv", REPORT_OK.as_bytes().to_vec())],
            extra: "school_year = \"this one\"\n",
            expect: Error("is not YYYY-YYYY"),
        },
        Case {
            name: "mapped events: test-result settings",
            format: "mapped-events",
            files: vec![("a.csv", b"id;t;v\n".to_vec())],
            extra: "[source.mapping]\ncolumns = { pupil_id = \"id\", time = \"t\", verb = \"v\" }\ndate_format = \"%d\"\n",
            expect: Error("time_format"),
        },
    ]
}

/// Runs `leerwinst ingest` on the case; `spill_every_row` sets the limit of event rows held in
/// memory to 1, so every event goes through the spilled runs and their merge, and runs in
/// English (the other run is Dutch, the default).
fn run_case(dir: &Path, case: &Case, spill_every_row: bool) -> std::process::Output {
    for (rel, bytes) in &case.files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
    }
    let first = case.files[0].0;
    let source = first.split('/').next().unwrap();
    let pipeline = dir.join("pipeline.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"hostile\"\nlanguage = \"{}\"\n\n[privacy]\npseudonymise = false\n\n\
             [[source]]\nname = \"input\"\nformat = \"{}\"\npath = \"{source}\"\n\
             allow_all_rejected = true\n{}",
            if spill_every_row { "en" } else { "nl" },
            case.format,
            case.extra
        ),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leerwinst"));
    cmd.arg("ingest")
        .arg(&pipeline)
        .arg("--out")
        .arg(dir.join("out"))
        .env("CI", "true")
        .env_remove("LEERWINST_MAX_EVENTS_IN_MEMORY");
    if spill_every_row {
        cmd.env("LEERWINST_MAX_EVENTS_IN_MEMORY", "1");
    }
    cmd.output().unwrap()
}

#[test]
fn hostile_inputs_never_panic_and_lose_nothing() {
    let all = cases();
    assert!(all.len() >= 40, "{} cases", all.len());
    let mut failures = Vec::new();
    // Every case twice: events held in memory, and every event spilled to a run and merged.
    for (case, spill) in all.iter().flat_map(|c| [(c, false), (c, true)]) {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_case(tmp.path(), case, spill);
        let label = if spill {
            format!("{} (spilling)", case.name)
        } else {
            case.name.to_string()
        };
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let code = out.status.code();
        if code == Some(101) || stderr.contains("panicked") {
            failures.push(format!("{}: PANIC\n{stderr}", label));
            continue;
        }
        match case.expect {
            Expect::Error(what) => {
                if code != Some(1) || !stderr.contains(what) {
                    failures.push(format!(
                        "{}: expected a clean error containing '{what}', got {code:?}: {stderr}",
                        label
                    ));
                }
            }
            Expect::Rejects(min) => {
                if code != Some(0) {
                    failures.push(format!(
                        "{}: expected success, got {code:?}: {stderr}",
                        label
                    ));
                    continue;
                }
                let run: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(tmp.path().join("out/run.json")).unwrap(),
                )
                .unwrap();
                for s in run["ingest"]["sources"].as_array().unwrap() {
                    let (r, a, j) = (
                        s["read"].as_u64().unwrap(),
                        s["accepted"].as_u64().unwrap(),
                        s["rejected"].as_u64().unwrap(),
                    );
                    if r != a + j || j < min {
                        failures.push(format!(
                            "{}: read {r}, accepted {a}, rejected {j} (expected >= {min} rejected)",
                            label
                        ));
                    }
                    // Every reject is written out.
                    let dir = tmp.path().join("out/rejects");
                    let files = if dir.exists() {
                        common::files(&dir)
                    } else {
                        Vec::new()
                    };
                    let mut written = 0usize;
                    for f in &files {
                        let text = std::fs::read_to_string(f).unwrap();
                        for row in leerwinst_store::csv_reader(text.as_bytes()).records() {
                            written += 1;
                            // A Dutch run gives every reason in Dutch.
                            let reason = row.unwrap()[5].to_string();
                            let english = common::english_words(&reason);
                            if !spill && !english.is_empty() {
                                failures.push(format!(
                                    "{label}: reason not in Dutch ({english:?}): {reason}"
                                ));
                            }
                        }
                    }
                    if written as u64 != j {
                        failures.push(format!("{}: {j} rejected but {written} written", label));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// A source that is a FIFO would block forever and `/dev/zero` never ends: both are refused
/// before they are opened.
#[test]
fn pipes_and_devices_are_refused_without_hanging() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("toetsen.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo on a valid NUL-terminated path in a fresh temporary folder.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for path in [fifo.to_str().unwrap(), "/dev/zero"] {
        let pipeline = tmp.path().join("p.toml");
        std::fs::write(
            &pipeline,
            format!(
                "[pipeline]\nname = \"pijp\"\n\n[privacy]\npseudonymise = false\n\n\
                 [[source]]\nname = \"toetsen\"\nformat = \"lvs-csv\"\npath = \"{path}\"\n"
            ),
        )
        .unwrap();
        let stderr =
            common::ingest_fails(&pipeline, &tmp.path().join(format!("out-{}", path.len())));
        assert!(stderr.contains("not a regular file"), "{path}: {stderr}");
    }
}

/// The same export under two sources would count every row twice: an error naming both.
#[test]
fn the_same_export_listed_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.csv"), lvs("")).unwrap();
    std::fs::write(tmp.path().join("b.csv"), lvs("")).unwrap();
    let pipeline = tmp.path().join("p.toml");
    let source = |name: &str, file: &str| {
        format!("\n[[source]]\nname = \"{name}\"\nformat = \"lvs-csv\"\npath = \"{file}\"\n")
    };
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"dubbel\"\n\n[privacy]\npseudonymise = false\n{}{}",
            source("m", "a.csv"),
            source("e", "b.csv")
        ),
    )
    .unwrap();
    let stderr = common::ingest_fails(&pipeline, &tmp.path().join("out"));
    assert!(
        stderr.contains("same contents as") && stderr.contains("a.csv"),
        "{stderr}"
    );
}

/// A source whose every row is rejected stops ingest (exit 1) naming the main reasons, unless the
/// pipeline allows it: a mapping that matches nothing must not pass for a result.
#[test]
fn a_source_with_every_row_rejected_stops_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("t.csv"),
        format!("{LVS_HEAD}L1;Rekenen;E5;12-06-2025;afw.;4\n"),
    )
    .unwrap();
    let pipeline = tmp.path().join("p.toml");
    let text = "[pipeline]\nname = \"leeg\"\n\n[privacy]\npseudonymise = false\n\n\
                [[source]]\nname = \"toetsen\"\nformat = \"lvs-csv\"\npath = \"t.csv\"\n";
    std::fs::write(&pipeline, text).unwrap();
    let stderr = common::ingest_fails(&pipeline, &tmp.path().join("out"));
    assert!(
        stderr.contains("all 1 rows were rejected (1 x score is geen getal")
            && stderr.contains("allow_all_rejected"),
        "{stderr}"
    );
    std::fs::write(&pipeline, format!("{text}allow_all_rejected = true\n")).unwrap();
    common::leerwinst(&[
        "ingest",
        pipeline.to_str().unwrap(),
        "--out",
        tmp.path().join("out").to_str().unwrap(),
    ]);
    assert!(tmp.path().join("out/rejects/assessments.csv").exists());
}
