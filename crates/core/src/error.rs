//! The error type shared by the library crates.

use std::path::PathBuf;

/// Errors that a stage can return. Row-level problems are not errors: they are quarantined as
/// rejects; these are the problems that stop a stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The pipeline file is invalid (unknown key, wrong type, bad value).
    #[error("{path}: {message}")]
    Pipeline {
        /// The pipeline file.
        path: PathBuf,
        /// What is wrong, with line and key where known.
        message: String,
    },
    /// An input file is unusable as a whole (missing required column, wrong format).
    #[error("{path}: {message}")]
    Input {
        /// The input file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A Parquet or Arrow operation failed.
    #[error("{path}: {message}")]
    Storage {
        /// The table file concerned.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A computation could not be carried out (e.g. a singular design matrix).
    #[error("{0}")]
    Compute(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An input-level error for `path`.
    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Result with the shared [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
