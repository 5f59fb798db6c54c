//! Keyed pseudonyms for pupil ids: HMAC-SHA256 under the board's key.
//!
//! The same key gives the same pseudonyms next term, so terms join. The key comes from
//! `LEERWINST_KEY`, from the pipeline's `[privacy] key_file`, or from `~/.config/leerwinst/key`
//! (created with 32 random bytes on first use). It is never written to any output.

use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use leerwinst_core::{Error, Result};
use sha2::Sha256;

/// Where the key came from, for run.json (never the key itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyOrigin {
    /// `env:LEERWINST_KEY`, a file path, or `off`.
    pub origin: String,
    /// Whether the key file was created by this run.
    pub created: bool,
}

/// Turns raw ids into pseudonyms (or passes them through when pseudonymisation is off).
#[derive(Clone)]
pub struct Pseudonymiser {
    /// The HMAC with the key already absorbed (its inner and outer pads hashed once, not per id).
    key: Option<Hmac<Sha256>>,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.key.is_some() {
            "Pseudonymiser(keyed)"
        } else {
            "Pseudonymiser(off)"
        })
    }
}

impl Pseudonymiser {
    /// A keyed pseudonymiser.
    pub fn keyed(key: &[u8]) -> Self {
        Pseudonymiser {
            key: Some(Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length")),
        }
    }

    /// Pass-through (public research data only).
    pub fn off() -> Self {
        Pseudonymiser { key: None }
    }

    /// Whether ids are pseudonymised.
    pub fn is_on(&self) -> bool {
        self.key.is_some()
    }

    /// The pseudonym of a raw pupil id: the first 16 bytes of HMAC-SHA256("pupil:" + id), hex.
    pub fn pupil(&self, raw: &str) -> String {
        match &self.key {
            None => raw.to_string(),
            Some(keyed) => {
                let mut mac = keyed.clone();
                mac.update(b"pupil:");
                mac.update(raw.trim().as_bytes());
                hex::encode(&mac.finalize().into_bytes()[..16])
            }
        }
    }
}

/// The default key file: `$XDG_CONFIG_HOME/leerwinst/key` or `~/.config/leerwinst/key`.
pub fn default_key_file() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(x).join("leerwinst/key"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/leerwinst/key"))
}

/// Loads (or creates) the key. `out_dir` is the run's output folder: a key file inside it is
/// refused, so the key can never be shipped with the outputs.
pub fn load_key(key_file: Option<&Path>, out_dir: &Path) -> Result<(Pseudonymiser, KeyOrigin)> {
    load_key_from(std::env::var("LEERWINST_KEY").ok(), key_file, out_dir)
}

/// As [`load_key`], with the value of `LEERWINST_KEY` passed in.
pub fn load_key_from(
    env_key: Option<String>,
    key_file: Option<&Path>,
    out_dir: &Path,
) -> Result<(Pseudonymiser, KeyOrigin)> {
    if let Some(k) = env_key {
        if k.len() < 16 {
            return Err(Error::Compute(
                "LEERWINST_KEY must be at least 16 characters".into(),
            ));
        }
        return Ok((
            Pseudonymiser::keyed(k.as_bytes()),
            KeyOrigin {
                origin: "env:LEERWINST_KEY".into(),
                created: false,
            },
        ));
    }
    let path = match key_file {
        Some(p) => p.to_path_buf(),
        None => default_key_file().ok_or_else(|| {
            Error::Compute(
                "no key: set LEERWINST_KEY or [privacy] key_file (HOME is not set)".into(),
            )
        })?,
    };
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if abs(&path).starts_with(abs(out_dir)) {
        return Err(Error::Compute(format!(
            "the key file {} lies inside the output folder {}; keep it outside",
            path.display(),
            out_dir.display()
        )));
    }
    let mut created = false;
    if !path.exists() {
        let mut bytes = [0u8; 32];
        let mut f =
            std::fs::File::open("/dev/urandom").map_err(|e| Error::io("/dev/urandom", e))?;
        std::io::Read::read_exact(&mut f, &mut bytes).map_err(|e| Error::io("/dev/urandom", e))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, hex::encode(bytes)).map_err(|e| Error::io(&path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        created = true;
    }
    let key = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let key = key.trim();
    if key.len() < 16 {
        return Err(Error::Compute(format!(
            "key file {} holds fewer than 16 characters",
            path.display()
        )));
    }
    Ok((
        Pseudonymiser::keyed(key.as_bytes()),
        KeyOrigin {
            origin: path.display().to_string(),
            created,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_hide_the_id() {
        let a = Pseudonymiser::keyed(b"0123456789abcdef-key-one");
        let b = Pseudonymiser::keyed(b"0123456789abcdef-key-two");
        assert_eq!(a.pupil("L100013"), a.pupil("L100013"));
        assert_eq!(a.pupil("L100013"), a.pupil(" L100013 "));
        assert_ne!(a.pupil("L100013"), b.pupil("L100013"));
        assert_ne!(a.pupil("L100013"), a.pupil("L100020"));
        assert_eq!(a.pupil("L100013").len(), 32);
        assert!(!a.pupil("L100013").contains("100013"));
        assert_eq!(Pseudonymiser::off().pupil("L1"), "L1");
    }

    #[test]
    fn known_hmac_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn key_file_is_created_outside_the_output_and_refused_inside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let keyf = dir.path().join("cfg/key");
        let (p1, o1) = load_key_from(None, Some(&keyf), &out).unwrap();
        assert!(o1.created && keyf.exists());
        let (p2, o2) = load_key_from(None, Some(&keyf), &out).unwrap();
        assert!(!o2.created);
        assert_eq!(p1.pupil("x"), p2.pupil("x"));
        assert!(load_key_from(None, Some(&out.join("key")), &out).is_err());
        // The environment key wins and must be long enough.
        let (p3, o3) =
            load_key_from(Some("0123456789abcdef-env".into()), Some(&keyf), &out).unwrap();
        assert_eq!(o3.origin, "env:LEERWINST_KEY");
        assert_ne!(p3.pupil("x"), p1.pupil("x"));
        assert!(load_key_from(Some("short".into()), None, &out).is_err());
    }
}
