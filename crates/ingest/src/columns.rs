//! The columns each delimited format reads, with every header name it accepts: one list per
//! format, which its reader looks the columns up in and `docs/formats.md`'s column tables are
//! generated from (`LEERWINST_UPDATE_DOCS=1 cargo test -p leerwinst-ingest`; a test fails when
//! the file is stale). Headers match case-insensitively, ignoring spaces, `_` and `-`
//! ([`crate::delimited::Delimited::find`]); the first name that is present wins.

use crate::delimited::Column;

/// The columns of one format (or of one file of a multi-file format).
pub struct FormatColumns {
    /// The format as a pipeline's `format` names it, with the file where the format has several
    /// (`nwea-cdf StudentsBySchool`); the docs part is `columns <name>`.
    pub name: &'static str,
    /// Its columns, in the order the docs list them.
    pub columns: &'static [Column],
}

/// Every delimited format whose columns have fixed names (the mapped formats take theirs from
/// `[source.mapping]`, OneRoster's from the standard).
pub const FORMATS: &[FormatColumns] = &[
    FormatColumns {
        name: "lvs-csv",
        columns: crate::formats::lvs::COLUMNS,
    },
    FormatColumns {
        name: "moodle-log",
        columns: crate::formats::moodle::COLUMNS,
    },
    FormatColumns {
        name: "moodle-report",
        columns: crate::formats::moodle_report::COLUMNS,
    },
    FormatColumns {
        name: "plans-csv",
        columns: crate::formats::plans::COLUMNS,
    },
    FormatColumns {
        name: "schools-csv",
        columns: crate::formats::schools::COLUMNS,
    },
    FormatColumns {
        name: "sgp-long",
        columns: crate::formats::sgp_long::COLUMNS,
    },
    FormatColumns {
        name: "nwea-cdf StudentsBySchool",
        columns: crate::formats::nwea::STUDENT_COLUMNS,
    },
    FormatColumns {
        name: "nwea-cdf AssessmentResults",
        columns: crate::formats::nwea::RESULT_COLUMNS,
    },
];

impl FormatColumns {
    /// The format's column table in Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::from("| column | header names | required |\n|---|---|---|\n");
        for c in self.columns {
            let names: Vec<String> = c.names.iter().map(|n| format!("`{n}`")).collect();
            let note = if c.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.note)
            };
            out.push_str(&format!(
                "| {} | {}{note} | {} |\n",
                c.what,
                names.join(", "),
                if c.required { "yes" } else { "no" }
            ));
        }
        out
    }
}

/// `docs/formats.md` with every format's column table generated.
pub fn fill_formats_doc(doc: &str) -> Result<String, String> {
    FORMATS.iter().try_fold(doc.to_string(), |doc, f| {
        leerwinst_core::doc_regions::fill(&doc, &format!("columns {}", f.name), &f.markdown())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_name_and_no_name_serves_two_columns() {
        for f in FORMATS {
            let mut owner = std::collections::HashMap::new();
            for c in f.columns {
                assert!(
                    !c.names.is_empty(),
                    "{}: {} has no header name",
                    f.name,
                    c.what
                );
                for n in c.names {
                    let key = crate::delimited::header_key(n);
                    let first = *owner.entry(key).or_insert(c.what);
                    assert_eq!(first, c.what, "{}: header {n} serves two columns", f.name);
                }
            }
        }
    }

    #[test]
    fn committed_formats_doc_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/formats.md");
        leerwinst_core::doc_regions::check(&path, fill_formats_doc).unwrap();
    }
}
