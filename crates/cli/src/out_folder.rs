//! The output folder of a run: no run destroys or mixes data.
//!
//! - leerwinst writes only into a new or empty folder or one of its own earlier runs; a folder
//!   holding anything else (a user's documents, another program's output) is refused before
//!   anything is written or deleted.
//! - A lock beside the folder (`.<name>.leerwinst.lock`) holds it for one run; a second run stops
//!   with a message naming the first (its process id). A lock whose process is gone (a run killed
//!   with `kill -9`, a power cut) is taken over.
//! - A run writes into a staging folder beside the output folder
//!   (`.<name>.leerwinst-staging-<pid>`), which starts as the previous run (its files hard-linked,
//!   so a stage run alone still finds the earlier stages' tables; every writer replaces a file
//!   rather than writing into it, so the previous run's files are never changed). Only when every
//!   stage has succeeded is the staging folder swapped in, in one step (Linux `renameat2`
//!   `RENAME_EXCHANGE`): the folder always holds one complete run, the previous or the new one.
//!   A run that fails leaves the folder as it was.
//! - Each run lists its files in `.leerwinst-manifest`. Of the previous run, only the files its
//!   manifest lists are ever removed; anything else (a user's `review/opmerkingen.txt`) is carried
//!   into the new run, or, if the new run wrote a file at the same place, kept in a folder
//!   `<name>.kept-<time>` beside it, with a warning.
//! - With the lock held, staging folders, temporary files (`*.tmp-<pid>`) and event spill folders
//!   (`.leerwinst-spill-<pid>`) found can only be left over from dead runs, and are removed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Marks a folder as a leerwinst run folder.
pub const MARKER: &str = ".leerwinst-run";
/// The files of a run, one relative path per line.
pub const MANIFEST: &str = ".leerwinst-manifest";
/// The lock file inside a folder, as runs before the staging folder held it.
const OLD_LOCK: &str = ".leerwinst.lock";

/// A claimed output folder and the staging folder a run writes into. Dropping it without
/// [`OutFolder::commit`] discards the staging folder; dropping it releases the lock.
#[derive(Debug)]
pub struct OutFolder {
    out: PathBuf,
    work: PathBuf,
    lock: PathBuf,
    /// Files of the previous run its manifest does not list (a user's), by relative path, with
    /// their inode.
    foreign: BTreeMap<PathBuf, u64>,
    /// The previous run's manifest.
    old_manifest: BTreeSet<PathBuf>,
    /// The previous run has no manifest (made before manifests): its files the new run writes
    /// again are taken for its own.
    legacy: bool,
    committed: bool,
}

impl Drop for OutFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.work);
        }
        let _ = std::fs::remove_file(&self.lock);
    }
}

/// `.<name><suffix>` beside `out`.
fn beside(out: &Path, suffix: &str) -> Result<PathBuf> {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        bail!("{} cannot be an output folder", out.display());
    };
    Ok(parent.join(format!(".{}{suffix}", name.to_string_lossy())))
}

/// Claims `out` for a run: creates it if needed, refuses a folder with foreign files, takes the
/// lock, removes what dead runs left behind and sets up the staging folder.
pub fn claim(out: &Path) -> Result<OutFolder> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    // The real folder (a symbolic link to it is followed): it is what gets swapped.
    let out = std::fs::canonicalize(out).with_context(|| format!("{}", out.display()))?;
    if !out.join(MARKER).exists() && !is_earlier_run(&out) {
        let entries = std::fs::read_dir(&out)
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
    let lock = take_lock(&out)?;
    // The folder is leerwinst's from now on, also if this run fails before its first swap.
    write_marker(&out)?;
    let staging_prefix = beside(&out, ".leerwinst-staging-")?;
    remove_dead_staging(&staging_prefix);
    remove_leftovers(&out);
    let work = PathBuf::from(format!(
        "{}{}",
        staging_prefix.display(),
        std::process::id()
    ));
    let mut folder = OutFolder {
        out,
        work,
        lock,
        foreign: BTreeMap::new(),
        old_manifest: BTreeSet::new(),
        legacy: false,
        committed: false,
    };
    folder.stage()?;
    Ok(folder)
}

impl OutFolder {
    /// Where the stages write: the staging folder.
    pub fn work(&self) -> &Path {
        &self.work
    }

    /// Fills the staging folder with the previous run (hard links, copies where the file system
    /// has none) and the marker.
    fn stage(&mut self) -> Result<()> {
        std::fs::create_dir_all(&self.work)
            .with_context(|| format!("cannot create {}", self.work.display()))?;
        // The swap is a rename: the staging folder must be on the output folder's file system
        // (it is not when the output folder is itself a mount point, such as a USB stick's root).
        let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
        if dev(&self.work) != dev(&self.out) {
            bail!(
                "{} is the root of its own file system, so a run cannot be prepared beside it; \
                 choose a folder inside it with --out",
                self.out.display()
            );
        }
        let has_manifest = self.out.join(MANIFEST).exists();
        self.legacy = !has_manifest;
        // A run from before manifests: what it wrote is known by where it is.
        self.old_manifest = if has_manifest {
            read_manifest(&self.out)
        } else {
            run_files(&self.out)
                .into_iter()
                .filter(|rel| is_legacy_output(rel))
                .collect()
        };
        for rel in run_files(&self.out) {
            let from = self.out.join(&rel);
            let to = self.work.join(&rel);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            link_or_copy(&from, &to)?;
            if !self.old_manifest.contains(&rel)
                && let Ok(m) = std::fs::metadata(&from)
            {
                self.foreign.insert(rel, m.ino());
            }
        }
        write_marker(&self.work)
    }

    /// Swaps the staging folder in as the output folder (every stage has succeeded) and removes
    /// the previous run's files that its manifest lists.
    pub fn commit(mut self) -> Result<()> {
        // A user's file a stage removed with its folder goes back where it was.
        for rel in self.foreign.keys() {
            let (from, to) = (self.out.join(rel), self.work.join(rel));
            if from.is_file() && !to.exists() {
                if let Some(dir) = to.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                link_or_copy(&from, &to)?;
            }
        }
        let manifest: Vec<String> = run_files(&self.work)
            .into_iter()
            .filter(|rel| !self.is_foreign_unchanged(rel))
            .map(|rel| rel.to_string_lossy().into_owned())
            .collect();
        leerwinst_store::write_atomic(
            &self.work.join(MANIFEST),
            (manifest.join("\n") + "\n").as_bytes(),
        )?;
        exchange(&self.work, &self.out)?;
        self.committed = true;
        // The staging path now holds the previous run.
        let kept = clean_previous(&self.work, &self.out, &self.old_manifest, self.legacy);
        if kept > 0 {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let to = PathBuf::from(format!("{}.kept-{stamp}", self.out.display()));
            std::fs::rename(&self.work, &to)
                .with_context(|| format!("cannot rename {}", self.work.display()))?;
            eprintln!(
                "!!! {kept} file(s) of the previous run in {} were not leerwinst's and the new run \
                 wrote files in their place: they are kept in {}",
                self.out.display(),
                to.display()
            );
        }
        Ok(())
    }

    /// Whether `rel` is a file of the previous run that is not leerwinst's and was left as it
    /// was (the same inode as when the run started).
    fn is_foreign_unchanged(&self, rel: &Path) -> bool {
        self.foreign.get(rel).is_some_and(|&ino| {
            std::fs::metadata(self.work.join(rel)).is_ok_and(|m| m.ino() == ino)
        })
    }
}

fn write_marker(dir: &Path) -> Result<()> {
    std::fs::write(
        dir.join(MARKER),
        "This folder holds a leerwinst run; leerwinst replaces its outputs on the next run.\n",
    )
    .with_context(|| format!("cannot write in {}", dir.display()))
}

/// Every file of a run folder, relative, without the marker, the manifest, locks and what dead
/// runs leave (temporary files, spill folders).
fn run_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let Ok(kind) = e.file_type() else { continue };
            let path = rel.join(&name);
            if kind.is_dir() && !name.starts_with(".leerwinst-spill-") {
                stack.push(path);
            } else if kind.is_file()
                && !is_temp_name(&name)
                && !(rel.as_os_str().is_empty()
                    && [MARKER, MANIFEST, OLD_LOCK].contains(&name.as_str()))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Whether `rel` is where runs before manifests wrote their outputs: run.json, the stages'
/// folders, and the review's documents (a note of the user's in `review/` is not).
fn is_legacy_output(rel: &Path) -> bool {
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    match (
        parts.next().as_deref(),
        rel.extension().and_then(|e| e.to_str()),
    ) {
        (Some("run.json"), _) => rel.components().count() == 1,
        (Some("warehouse" | "rejects" | "indicators" | "effects" | "charts"), _) => true,
        (Some("review"), Some("pdf" | "html")) => true,
        _ => false,
    }
}

fn read_manifest(dir: &Path) -> BTreeSet<PathBuf> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .map(|t| {
            t.lines()
                .filter(|l| !l.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to)
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Exchanges the folders `a` and `b` in one step where the system can (Linux), else by two
/// renames.
fn exchange(a: &Path, b: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (ca, cb) = (
            std::ffi::CString::new(a.as_os_str().as_bytes())?,
            std::ffi::CString::new(b.as_os_str().as_bytes())?,
        );
        // SAFETY: two valid NUL-terminated paths, relative to no directory (absolute paths).
        #[allow(unsafe_code)]
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
    }
    // No atomic exchange (another system, or a file system without it): two renames.
    let aside = PathBuf::from(format!("{}.swap", a.display()));
    std::fs::rename(b, &aside).with_context(|| format!("cannot move {}", b.display()))?;
    if let Err(e) = std::fs::rename(a, b) {
        // Put the previous run back: the folder keeps it.
        let _ = std::fs::rename(&aside, b);
        return Err(e).with_context(|| format!("cannot move {} to {}", a.display(), b.display()));
    }
    std::fs::rename(&aside, a).with_context(|| format!("cannot move {}", aside.display()))?;
    Ok(())
}

/// Removes from the previous run (now at `old`) the files its manifest lists and those the new
/// run holds too (the same inode: carried over), then empty folders; returns how many files
/// remain (not leerwinst's, and replaced in the new run). With none, `old` is removed. A run
/// from before manifests (`legacy`) counts the files the new run wrote again as its own.
fn clean_previous(old: &Path, new: &Path, manifest: &BTreeSet<PathBuf>, legacy: bool) -> usize {
    for rel in run_files(old) {
        let carried = match (
            std::fs::metadata(old.join(&rel)),
            std::fs::metadata(new.join(&rel)),
        ) {
            (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
            _ => false,
        };
        if manifest.contains(&rel) || carried || (legacy && new.join(&rel).is_file()) {
            let _ = std::fs::remove_file(old.join(&rel));
        }
    }
    for name in [MARKER, MANIFEST, OLD_LOCK] {
        let _ = std::fs::remove_file(old.join(name));
    }
    remove_leftovers(old);
    let remaining = run_files(old).len();
    if remaining == 0 {
        let _ = std::fs::remove_dir_all(old);
    }
    remaining
}

/// Staging folders of dead runs beside the output folder (the lock is held: no live run has
/// one). A staging folder holds only what leerwinst wrote or linked (a user's files stay in the
/// output folder until the swap), so it goes whole.
fn remove_dead_staging(prefix: &Path) {
    let (Some(parent), Some(stem)) = (prefix.parent(), prefix.file_name()) else {
        return;
    };
    let stem = stem.to_string_lossy().to_string();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let pid = name.strip_prefix(&stem).unwrap_or("");
        let pid = pid.strip_suffix(".swap").unwrap_or(pid);
        if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Whether the folder is a run from before the marker existed: its run.json says leerwinst
/// made it.
fn is_earlier_run(out: &Path) -> bool {
    std::fs::read_to_string(out.join("run.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|j| j["tool"] == "leerwinst")
}

fn take_lock(out: &Path) -> Result<PathBuf> {
    let path = beside(out, ".leerwinst.lock")?;
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                writeln!(f, "{}", std::process::id())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(path);
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
        let lock = dir.path().join(".run.leerwinst.lock");
        let held = claim(&out).unwrap();
        // This process holds it: a second claim is refused, naming the process.
        let e = claim(&out).unwrap_err().to_string();
        assert!(e.contains(&std::process::id().to_string()), "{e}");
        drop(held);
        assert!(!lock.exists());
        // A dead run: its lock names a process that does not exist; its staging folder, temp
        // and spill files.
        std::fs::write(&lock, format!("{}\n", u32::MAX - 7)).unwrap();
        std::fs::create_dir_all(dir.path().join(".run.leerwinst-staging-4242/warehouse")).unwrap();
        std::fs::create_dir_all(out.join("warehouse/.leerwinst-spill-123")).unwrap();
        std::fs::write(out.join("warehouse/.leerwinst-spill-123/run-0"), b"x").unwrap();
        std::fs::create_dir_all(out.join(".leerwinst-spill-99")).unwrap();
        std::fs::write(out.join("warehouse/pupils.parquet.tmp-4242"), b"x").unwrap();
        std::fs::write(out.join("warehouse/pupils.parquet"), b"kept").unwrap();
        std::fs::write(out.join("notes.tmp-draft"), b"kept").unwrap();
        let held = claim(&out).unwrap();
        assert!(!dir.path().join(".run.leerwinst-staging-4242").exists());
        assert!(!out.join(".leerwinst-spill-99").exists());
        assert!(!out.join("warehouse/.leerwinst-spill-123").exists());
        assert!(!out.join("warehouse/pupils.parquet.tmp-4242").exists());
        assert!(out.join("warehouse/pupils.parquet").exists());
        assert!(out.join("notes.tmp-draft").exists());
        // The staging folder starts as the previous run.
        assert_eq!(
            std::fs::read(held.work().join("warehouse/pupils.parquet")).unwrap(),
            b"kept"
        );
    }

    /// A finished run: the stages' files in `work`, written as the stages write (replaced).
    fn write_run(f: &OutFolder, files: &[(&str, &str)]) {
        for (rel, text) in files {
            leerwinst_store::write_atomic(&f.work().join(rel), text.as_bytes()).unwrap();
        }
    }

    #[test]
    fn a_run_is_swapped_in_whole_and_only_the_manifest_of_the_last_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let f = claim(&out).unwrap();
        write_run(
            &f,
            &[
                ("run.json", "1"),
                ("review/a.html", "1"),
                ("charts/old.svg", "1"),
            ],
        );
        // Nothing is in the folder until the run succeeds.
        assert!(!out.join("run.json").exists());
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("run.json")).unwrap(), "1");
        // The user adds a note; a failing run changes nothing.
        std::fs::write(out.join("review/opmerkingen.txt"), "mijn notities").unwrap();
        let f = claim(&out).unwrap();
        write_run(&f, &[("run.json", "half")]);
        drop(f);
        assert_eq!(std::fs::read_to_string(out.join("run.json")).unwrap(), "1");
        // The next run replaces the review folder (as report does) and no longer writes the
        // old chart: the chart goes, the note stays.
        let f = claim(&out).unwrap();
        std::fs::remove_dir_all(f.work().join("review")).unwrap();
        std::fs::remove_dir_all(f.work().join("charts")).unwrap();
        write_run(&f, &[("run.json", "2"), ("review/a.html", "2")]);
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("run.json")).unwrap(), "2");
        assert_eq!(
            std::fs::read_to_string(out.join("review/opmerkingen.txt")).unwrap(),
            "mijn notities"
        );
        assert!(!out.join("charts/old.svg").exists());
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert_eq!(manifest, "review/a.html\nrun.json\n");
        // Nothing is left beside the folder.
        let beside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(beside.len(), 1, "{beside:?}");
    }

    #[test]
    fn a_users_file_where_the_new_run_writes_is_kept_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let f = claim(&out).unwrap();
        write_run(&f, &[("run.json", "1")]);
        f.commit().unwrap();
        std::fs::write(out.join("notes.csv"), "mine").unwrap();
        let f = claim(&out).unwrap();
        write_run(&f, &[("run.json", "2"), ("notes.csv", "leerwinst's")]);
        f.commit().unwrap();
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("run.kept-"))
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            std::fs::read_to_string(kept[0].path().join("notes.csv")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_run_from_before_manifests_is_replaced_without_a_kept_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        std::fs::create_dir_all(out.join("review")).unwrap();
        std::fs::write(out.join("run.json"), r#"{"tool":"leerwinst"}"#).unwrap();
        std::fs::write(out.join("review/a.html"), "old").unwrap();
        std::fs::write(out.join("review/notes.txt"), "mine").unwrap();
        std::fs::create_dir_all(out.join("warehouse")).unwrap();
        std::fs::write(out.join("warehouse/p.parquet"), "old").unwrap();
        // `leerwinst report` alone: the tables stay, and are leerwinst's from now on.
        let f = claim(&out).unwrap();
        write_run(&f, &[("run.json", "new"), ("review/a.html", "new")]);
        f.commit().unwrap();
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        assert_eq!(manifest, "review/a.html\nrun.json\nwarehouse/p.parquet\n");
        assert_eq!(
            std::fs::read_to_string(out.join("review/a.html")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("review/notes.txt")).unwrap(),
            "mine"
        );
        let beside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(beside.len(), 1, "{beside:?}");
    }

    #[test]
    fn a_run_folder_from_before_the_marker_is_recognised_by_its_run_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("run.json"), r#"{"tool":"leerwinst"}"#).unwrap();
        claim(dir.path()).unwrap();
        assert!(dir.path().join(MARKER).exists());
    }
}
