//! Ingest's spill files: the private run files in which [`crate::event_store`]
//! keeps sorted event rows and `xapi` keeps sorted statement ids once a limit is reached. Their
//! records are little-endian fields written one after another; a file that ends inside a record
//! or holds a bad value is an error naming the file, never a panic.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use leerwinst_core::{Error, Result};

/// Writes the spill file `name` in `dir` (created when missing) through a buffered writer given
/// to `fill`; returns its path. I/O errors name the file.
pub(crate) fn write(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let path = dir.join(name);
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    fill(&mut w)
        .and_then(|()| w.flush())
        .map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// A spill file read record by record.
pub(crate) struct SpillReader {
    path: PathBuf,
    r: BufReader<File>,
}

impl SpillReader {
    /// Opens `path` with a read buffer of `capacity` bytes.
    pub(crate) fn open(path: &Path, capacity: usize) -> Result<Self> {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(SpillReader {
            path: path.to_path_buf(),
            r: BufReader::with_capacity(capacity, f),
        })
    }

    /// The first byte of the next record, or `None` at the end of the file.
    pub(crate) fn start(&mut self) -> Result<Option<u8>> {
        let mut b = [0u8; 1];
        match self.r.read(&mut b) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(b[0])),
            Err(e) => Err(Error::io(&self.path, e)),
        }
    }

    /// The next `N` bytes.
    pub(crate) fn bytes<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        self.fill(&mut b)?;
        Ok(b)
    }

    /// Fills `buf` with the next bytes.
    pub(crate) fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        self.r.read_exact(buf).map_err(|e| Error::io(&self.path, e))
    }

    /// The error for a file whose content is not what was written.
    pub(crate) fn damaged(&self, what: &str) -> Error {
        Error::input(&self.path, format!("spill file damaged: {what}"))
    }
}
