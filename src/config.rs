//! The validated configuration of a run: all the library ever sees of the command line.

use std::path::PathBuf;

use crate::report::Format;

/// What to scan and how, already validated.
#[derive(Clone, Debug)]
pub struct Config {
    /// Files and directories to scan, in the order given.
    pub paths: Vec<PathBuf>,
    /// How records are written on standard output.
    pub format: Format,
    /// Worker threads (≥ 1).
    pub jobs: usize,
    /// Resolution to assume when a file does not state one.
    pub dpi: Option<f64>,
    /// Layout warnings fail the page too.
    pub strict: bool,
    /// Print the summary on standard error at the end.
    pub summary: bool,
    /// Which reader finds and decodes the symbols, within what time per page.
    pub read: crate::decode::ReadSettings,
}

/// A configuration the command line asked for but that cannot run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    /// `--jobs 0`.
    #[error("--jobs must be at least 1")]
    NoJobs,
    /// A `--dpi` outside what scanners produce.
    #[error("--dpi {0} is outside 50–4800")]
    Dpi(f64),
    /// No input.
    #[error("no PATH given: name files or directories to scan")]
    NoPaths,
    /// A time budget that is not a positive number of seconds.
    #[error("--time-budget must be a positive number of seconds")]
    Budget,
}

impl Config {
    /// Checks the values that the type system does not.
    pub fn validate(self) -> Result<Self, ConfigError> {
        if self.jobs == 0 {
            return Err(ConfigError::NoJobs);
        }
        if let Some(d) = self.dpi.filter(|d| !(50.0..=4800.0).contains(d)) {
            return Err(ConfigError::Dpi(d));
        }
        if self.read.budget.is_zero() {
            return Err(ConfigError::Budget);
        }
        if self.paths.is_empty() {
            return Err(ConfigError::NoPaths);
        }
        Ok(self)
    }
}
