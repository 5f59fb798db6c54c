//! The output folder of a run: leerwinst writes only into a new or empty folder or one of its own
//! earlier runs, one run at a time, and clears what dead runs left behind.
//!
//! - A folder holding anything else (a user's documents, another program's output) is refused
//!   before anything is written or deleted: the stages replace their own subfolders (`rejects/`,
//!   `review/`, ...), which in a foreign folder could be the user's.
//! - A lock file holds the folder for one run; a second run on it stops with a message naming
//!   the first (its process id). A lock whose process is gone (a run killed with `kill -9`, a
//!   power cut) is taken over.
//! - With the lock held, temporary files (`*.tmp-<pid>`) and event spill folders
//!   (`.leerwinst-spill-<pid>`) found in the folder can only be left over from dead runs, and
//!   are removed.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Marks a folder as a leerwinst run folder.
pub const MARKER: &str = ".leerwinst-run";
/// Held while a run writes to the folder.
pub const LOCK: &str = ".leerwinst.lock";

/// A claimed output folder; dropping it releases the lock.
#[derive(Debug)]
pub struct OutFolder {
    lock: PathBuf,
}

impl Drop for OutFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.lock);
    }
}

/// Claims `out` for a run: creates it if needed, refuses a folder with foreign files, takes the
/// lock, marks the folder and removes what dead runs left behind.
pub fn claim(out: &Path) -> Result<OutFolder> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    if !out.join(MARKER).exists() && !is_earlier_run(out) {
        let entries = std::fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .count();
        if entries > 0 {
            bail!(
                "{} already holds {entries} file(s) or folder(s) that are not a leerwinst run; \
                 nothing was written or deleted. Choose a new or empty folder with --out.",
                out.display()
            );
        }
    }
    let lock = take_lock(out)?;
    std::fs::write(
        out.join(MARKER),
        "This folder holds a leerwinst run; leerwinst replaces its outputs on the next run.\n",
    )
    .with_context(|| format!("cannot write in {}", out.display()))?;
    remove_leftovers(out);
    Ok(lock)
}

/// A folder written before the marker existed: its run.json says leerwinst made it.
fn is_earlier_run(out: &Path) -> bool {
    std::fs::read_to_string(out.join("run.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|j| j["tool"] == "leerwinst")
}

fn take_lock(out: &Path) -> Result<OutFolder> {
    let path = out.join(LOCK);
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                writeln!(f, "{}", std::process::id())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(OutFolder { lock: path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| t.trim().parse::<u32>().ok());
                match holder {
                    Some(pid) if process_alive(pid) => bail!(
                        "another leerwinst run (process {pid}) is writing to {}; wait for it to \
                         finish or choose another folder with --out",
                        out.display()
                    ),
                    // A dead run's lock (or one cut off mid-write): take it over.
                    _ => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", path.display()));
            }
        }
    }
    bail!(
        "cannot take the lock {} (another run keeps taking it?)",
        path.display()
    )
}

/// Whether process `pid` exists (Linux: `/proc/<pid>`; elsewhere assumed alive, so a stale lock
/// there is removed by hand).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Removes temporary files and spill folders of dead runs (the lock is held: no live run has
/// any).
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() && name.starts_with(".leerwinst-spill-") {
            let _ = std::fs::remove_dir_all(&path);
        } else if kind.is_dir() && !kind.is_symlink() {
            remove_leftovers(&path);
        } else if kind.is_file() && is_temp_name(&name) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// `<name>.tmp-<pid>`, as `leerwinst_store::tmp_name` makes them.
fn is_temp_name(name: &str) -> bool {
    name.rsplit_once(".tmp-")
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_of_other_files_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("thesis.docx"), b"mine").unwrap();
        std::fs::create_dir(dir.path().join("rejects")).unwrap();
        std::fs::write(dir.path().join("rejects/notes.txt"), b"mine too").unwrap();
        let e = claim(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a leerwinst run"), "{e}");
        assert!(dir.path().join("thesis.docx").exists());
        assert!(dir.path().join("rejects/notes.txt").exists());
        assert!(!dir.path().join(MARKER).exists());
    }

    #[test]
    fn one_run_at_a_time_and_a_dead_runs_lock_and_leftovers_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let held = claim(&out).unwrap();
        // This process holds it: a second claim is refused, naming the process.
        let e = claim(&out).unwrap_err().to_string();
        assert!(e.contains(&std::process::id().to_string()), "{e}");
        drop(held);
        assert!(!out.join(LOCK).exists());
        // A dead run: its lock names a process that does not exist; temp and spill files.
        std::fs::write(out.join(LOCK), format!("{}\n", u32::MAX - 7)).unwrap();
        std::fs::create_dir_all(out.join("warehouse/.leerwinst-spill-123")).unwrap();
        std::fs::write(out.join("warehouse/.leerwinst-spill-123/run-0"), b"x").unwrap();
        std::fs::create_dir_all(out.join(".leerwinst-spill-99")).unwrap();
        std::fs::write(out.join("warehouse/pupils.parquet.tmp-4242"), b"x").unwrap();
        std::fs::write(out.join("warehouse/pupils.parquet"), b"kept").unwrap();
        std::fs::write(out.join("notes.tmp-draft"), b"kept").unwrap();
        let _held = claim(&out).unwrap();
        assert!(!out.join(".leerwinst-spill-99").exists());
        assert!(!out.join("warehouse/.leerwinst-spill-123").exists());
        assert!(!out.join("warehouse/pupils.parquet.tmp-4242").exists());
        assert!(out.join("warehouse/pupils.parquet").exists());
        assert!(out.join("notes.tmp-draft").exists());
    }

    #[test]
    fn a_run_folder_from_before_the_marker_is_recognised_by_its_run_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("run.json"), r#"{"tool":"leerwinst"}"#).unwrap();
        claim(dir.path()).unwrap();
        assert!(dir.path().join(MARKER).exists());
    }
}
