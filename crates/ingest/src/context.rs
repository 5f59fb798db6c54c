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
    /// Aliases that name more than one pupil (a username equal to another pupil's id, an
    /// e-mail address siblings share): never resolved, so no row is given to the wrong pupil.
    conflicts: HashMap<String, Vec<String>>,
    /// False when no roster was read: every id is then taken as it is.
    pub has_roster: bool,
}

impl IdResolver {
    /// An empty resolver that knows a roster is present (ids not added are unknown).
    pub fn with_roster() -> Self {
        IdResolver {
            aliases: HashMap::new(),
            conflicts: HashMap::new(),
            has_roster: true,
        }
    }

    /// Registers `alias` as a name of pupil `raw`. An e-mail address is also registered as
    /// the xAPI `mbox_sha1sum` of its `mailto:` IRI (hex SHA-1, of the address as written and
    /// in lower case), so statements that carry only the hash are recognised. An alias already
    /// naming another pupil becomes a conflict: it then resolves to neither.
    pub fn add(&mut self, alias: &str, raw: &str) {
        let a = alias.trim();
        if a.is_empty() {
            return;
        }
        if is_email(a) {
            let forms = [a.to_string(), a.to_lowercase()];
            let hashes: std::collections::BTreeSet<String> =
                forms.iter().map(|f| mbox_sha1sum(f)).collect();
            for h in hashes {
                self.insert(h, raw);
            }
        }
        self.insert(a.to_lowercase(), raw);
    }

    fn insert(&mut self, key: String, raw: &str) {
        if let Some(pupils) = self.conflicts.get_mut(&key) {
            if !pupils.iter().any(|p| p == raw) {
                pupils.push(raw.to_string());
            }
            return;
        }
        match self.aliases.get(&key) {
            Some(existing) if existing != raw => {
                let first = self.aliases.remove(&key).expect("present");
                self.conflicts.insert(key, vec![first, raw.to_string()]);
            }
            _ => {
                self.aliases.insert(key, raw.to_string());
            }
        }
    }

    /// Adds the ids another roster source knows; an alias the two give to different pupils
    /// becomes a conflict.
    pub fn merge(&mut self, other: IdResolver) {
        for (k, v) in other.aliases {
            self.insert(k, &v);
        }
        for (k, pupils) in other.conflicts {
            for p in pupils {
                self.insert(k.clone(), &p);
            }
        }
        self.has_roster |= other.has_roster;
    }

    /// The pupils (raw ids) an alias names when it names more than one.
    pub fn conflict(&self, id: &str) -> Option<&[String]> {
        self.conflicts
            .get(&id.trim().to_lowercase())
            .map(Vec::as_slice)
    }

    /// Number of aliases that name more than one pupil.
    pub fn conflicts(&self) -> usize {
        self.conflicts.len()
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

/// Whether `s` looks like an e-mail address (one `@` with text on both sides, no spaces).
pub(crate) fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(user), Some(domain), None) if !user.is_empty() && !domain.is_empty()
    ) && !s.contains(char::is_whitespace)
}

/// The xAPI `mbox_sha1sum` of an address: hex SHA-1 of `mailto:<address>` (lower-case hex).
pub fn mbox_sha1sum(address: &str) -> String {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(format!("mailto:{address}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// School information known before enrollments are read.
#[derive(Debug, Default, Clone)]
pub struct SchoolInfo {
    /// school_key -> first programme school-year start.
    pub programme_from: BTreeMap<String, i32>,
}

/// A reader's handle on the run.
pub struct ReadContext<'a> {
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
    /// When school years start.
    pub calendar: leerwinst_core::Calendar,
}

impl<'a> ReadContext<'a> {
    /// A handle for reading `file` of the source `source`, with the Dutch school calendar
    /// (school years from 1 August; [`ReadContext::with_calendar`] sets the pipeline's).
    pub fn new(
        source: &'a str,
        file: impl Into<String>,
        rejects: &'a mut Rejects,
        ids: &'a IdResolver,
        pseudo: &'a Pseudonymiser,
    ) -> Self {
        ReadContext {
            source,
            file: file.into(),
            rejects,
            ids,
            pseudo,
            calendar: leerwinst_core::Calendar::default(),
        }
    }

    /// The same handle with the pipeline's calendar.
    pub fn with_calendar(self, calendar: leerwinst_core::Calendar) -> Self {
        ReadContext { calendar, ..self }
    }

    /// Rejects a row.
    pub fn reject(&mut self, table: Table, line: u64, column: &str, value: &str, reason: &str) {
        self.rejects.push(
            table,
            Reject {
                source: self.source.to_string(),
                file: self.file.clone(),
                line,
                column: column.to_string(),
                value: crate::redact::shape(value),
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
    if let Some(pupils) = ids.conflict(id) {
        let shown: Vec<String> = pupils
            .iter()
            .map(|raw| crate::redact::pseudonym_value(&pseudo.pupil(raw)))
            .collect();
        return Err((
            shown.join(" "),
            "ambiguous pupil id: the roster gives this id, user name or e-mail address to more than one pupil (both shown pseudonymised); the row is given to neither",
        ));
    }
    match ids.resolve(id) {
        Some(raw) => Ok(pseudo.pupil(&raw)),
        None if id.trim().is_empty() => Err((String::new(), "missing pupil id")),
        None => Err((
            crate::redact::pseudonym_value(&pseudo.pupil(id)),
            "unknown pupil: not in the roster (id shown pseudonymised; see the line in the file)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_of_two_pupils_resolves_to_neither_and_names_both() {
        let mut ids = IdResolver::with_roster();
        ids.add("L1", "L1");
        ids.add("lucas4", "L1");
        ids.add("gezin@example.nl", "L1");
        ids.add("L2", "L2");
        ids.add("L1", "L2"); // L2's user name is L1's id
        ids.add("gezin@example.nl", "L2"); // siblings share a family address
        assert_eq!(ids.resolve("L1"), None);
        assert_eq!(ids.resolve("gezin@example.nl"), None);
        assert_eq!(ids.resolve(&mbox_sha1sum("gezin@example.nl")), None);
        assert_eq!(ids.resolve("lucas4").as_deref(), Some("L1"));
        assert_eq!(ids.resolve("L2").as_deref(), Some("L2"));
        assert_eq!(ids.conflict("l1").unwrap(), ["L1", "L2"]);
        let pseudo = Pseudonymiser::keyed(b"0123456789abcdef");
        let (shown, why) = pupil_key(&ids, &pseudo, "L1").unwrap_err();
        assert!(why.starts_with("ambiguous pupil id"), "{why}");
        assert_eq!(crate::redact::shape(&shown), shown, "two pseudonyms, shown");
        assert!(shown.contains(&pseudo.pupil("L2")) && !shown.contains("L1"));
        // A second roster source adds to the conflict rather than overriding it.
        let mut other = IdResolver::with_roster();
        other.add("L1", "L3");
        ids.merge(other);
        assert_eq!(ids.conflict("L1").unwrap().len(), 3);
    }

    #[test]
    fn e_mail_aliases_are_also_known_by_their_mbox_sha1sum() {
        // Expected hashes from Python's hashlib.sha1, independent of this code.
        let as_written = "d86536d6bf3343c5572fe3074f9f5f81c90e94f3";
        let lower = "13c8739ca64ccdb5afff51738523813ed1b3b9ab";
        assert_eq!(mbox_sha1sum("Emma.de.Vries@School.nl"), as_written);
        let mut ids = IdResolver::with_roster();
        ids.add(" Emma.de.Vries@School.nl ", "L7");
        ids.add("L7", "L7");
        for id in [
            as_written,
            lower,
            &as_written.to_uppercase(),
            "emma.de.vries@SCHOOL.nl",
        ] {
            assert_eq!(ids.resolve(id).as_deref(), Some("L7"), "{id}");
        }
        // Not e-mail addresses: no hash registered.
        assert_eq!(ids.resolve(&mbox_sha1sum("L7")), None);
        assert!(!is_email("a@b@c") && !is_email("@school.nl") && !is_email("x y@z"));
    }
}
