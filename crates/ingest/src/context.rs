//! What every reader needs: where it is, how to reject a row, and how to recognise pupils.

use std::collections::{BTreeMap, HashMap};

use leerwinst_core::Table;

use crate::pseudonym::Pseudonymiser;
use crate::rejects::{Reject, Rejects};

/// Maps every id a pupil is known by (identifier, sourcedId, username, e-mail) to the pupil's
/// canonical raw id (the roster's `identifier`, e.g. the leerlingnummer).
#[derive(Debug, Default, Clone)]
pub struct IdResolver {
    aliases: HashMap<String, String>,
    /// False when no roster was read: every id is then taken as it is.
    pub has_roster: bool,
}

impl IdResolver {
    /// An empty resolver that knows a roster is present (ids not added are unknown).
    pub fn with_roster() -> Self {
        IdResolver {
            aliases: HashMap::new(),
            has_roster: true,
        }
    }

    /// Registers `alias` as a name of pupil `raw`.
    pub fn add(&mut self, alias: &str, raw: &str) {
        let a = alias.trim();
        if !a.is_empty() {
            self.aliases.insert(a.to_lowercase(), raw.to_string());
        }
    }

    /// Adds the ids another roster source knows (a later alias of the same id wins).
    pub fn merge(&mut self, other: IdResolver) {
        self.aliases.extend(other.aliases);
        self.has_roster |= other.has_roster;
    }

    /// The canonical raw id for `id`, or None when the roster does not know it.
    pub fn resolve(&self, id: &str) -> Option<String> {
        let id = id.trim();
        if id.is_empty() {
            return None;
        }
        if !self.has_roster {
            return Some(id.to_string());
        }
        self.aliases.get(&id.to_lowercase()).cloned()
    }
}

/// School information known before enrollments are read.
#[derive(Debug, Default, Clone)]
pub struct SchoolInfo {
    /// school_key -> first programme school-year start.
    pub programme_from: BTreeMap<String, i32>,
}

/// A reader's handle on the run.
pub struct Ctx<'a> {
    /// Source name.
    pub source: &'a str,
    /// File being read.
    pub file: String,
    /// Where rejected rows go.
    pub rejects: &'a mut Rejects,
    /// Pupil recognition.
    pub ids: &'a IdResolver,
    /// Pseudonyms.
    pub pseudo: &'a Pseudonymiser,
}

impl Ctx<'_> {
    /// Rejects a row.
    pub fn reject(&mut self, table: Table, line: u64, column: &str, value: &str, reason: &str) {
        self.rejects.push(
            table,
            Reject {
                source: self.source.to_string(),
                file: self.file.clone(),
                line,
                column: column.to_string(),
                value: value.chars().take(200).collect(),
                reason: reason.to_string(),
            },
        );
    }

    /// Resolves a pupil id to its pseudonym, or rejects the row (showing the id pseudonymised).
    pub fn pupil_key(&mut self, table: Table, line: u64, column: &str, id: &str) -> Option<String> {
        match pupil_key(self.ids, self.pseudo, id) {
            Ok(key) => Some(key),
            Err((value, reason)) => {
                self.reject(table, line, column, &value, reason);
                None
            }
        }
    }
}

/// The pseudonym of a pupil id, or the (value to show, reason) to reject it with. The value of
/// an unknown id is shown pseudonymised.
pub fn pupil_key(
    ids: &IdResolver,
    pseudo: &Pseudonymiser,
    id: &str,
) -> Result<String, (String, &'static str)> {
    match ids.resolve(id) {
        Some(raw) => Ok(pseudo.pupil(&raw)),
        None if id.trim().is_empty() => Err((String::new(), "missing pupil id")),
        None => Err((
            format!("pseudonym:{}", pseudo.pupil(id)),
            "unknown pupil: not in the roster (id shown pseudonymised; see the line in the file)",
        )),
    }
}
