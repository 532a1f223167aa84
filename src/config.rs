//! The validated configuration of a run: all the library ever sees of the command line.

use std::path::PathBuf;
use std::str::FromStr;

use crate::report::Format;

/// What to scan and how, already validated.
#[derive(Clone, Debug)]
pub struct Config {
    /// Files and directories to scan, in the order given (command line, then `--files-from`).
    pub paths: Vec<PathBuf>,
    /// Whether the inputs came (also) from a `--files-from` list, which may be empty.
    pub from_list: bool,
    /// Scan only this part of the expanded inputs.
    pub shard: Option<Shard>,
    /// How records are written on standard output.
    pub format: Format,
    /// Colour the `human` table (standard output is a terminal and `NO_COLOR` is unset).
    pub colour: bool,
    /// Worker threads (≥ 1).
    pub jobs: usize,
    /// Resolution to assume when a file does not state one.
    pub dpi: Option<f64>,
    /// Layout warnings fail the page too.
    pub strict: bool,
    /// Estimate every symbol's print grade.
    pub grade: bool,
    /// Print the summary on standard error at the end.
    pub summary: bool,
    /// Show a progress bar on standard error while the batch runs.
    pub progress: bool,
    /// Write every page, annotated, as a PNG into this directory.
    pub annotate: Option<PathBuf>,
    /// Which reader finds and decodes the symbols, within what time per page.
    pub read: crate::decode::ReadSettings,
}

/// Part `index` of `count` of a batch split over several machines (`--shard 2/8`).
///
/// Input k of the expanded list (0-based, directories recursed and sorted) belongs to
/// shard `k mod count + 1`: the shards are disjoint, cover the batch, and differ in size by
/// at most one input, whatever the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 1.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

impl Shard {
    /// Whether input `k` (0-based, in expanded input order) belongs to this shard.
    pub fn holds(self, k: usize) -> bool {
        k % self.count == self.index - 1
    }
}

impl FromStr for Shard {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let bad = || ConfigError::Shard(s.to_owned());
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
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
    #[error("no PATH given: name files or directories to scan, or use --files-from")]
    NoPaths,
    /// A time budget that is not a positive number of seconds.
    #[error("--time-budget must be a positive number of seconds")]
    Budget,
    /// A `--shard` that is not `i/n` with 1 ≤ i ≤ n.
    #[error("--shard '{0}' must be i/n with 1 ≤ i ≤ n, e.g. --shard 3/8")]
    Shard(String),
    /// The `--files-from` list could not be read.
    #[error("--files-from '{0}': {1}")]
    FilesFrom(String, String),
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
        if self.paths.is_empty() && !self.from_list {
            return Err(ConfigError::NoPaths);
        }
        Ok(self)
    }
}

/// The paths of a `--files-from` list: one per line; blank lines and lines starting with
/// `#` are skipped; surrounding spaces and a Windows line end are trimmed.
pub fn parse_file_list(text: &str) -> Vec<PathBuf> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_reject_what_cannot_split() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "-1/4", "1/4/2", ""] {
            assert_eq!(
                bad.parse::<Shard>(),
                Err(ConfigError::Shard(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn shards_are_disjoint_and_cover_the_inputs() {
        let count = 3;
        for k in 0..10 {
            let owners: Vec<usize> = (1..=count)
                .filter(|&index| Shard { index, count }.holds(k))
                .collect();
            assert_eq!(owners, vec![k % count + 1], "input {k}");
        }
    }

    #[test]
    fn file_lists_skip_blank_lines_and_comments() {
        let list = "# today's scans\n\na.png\r\n  b dir/c.tif  \n#x.png\n";
        assert_eq!(
            parse_file_list(list),
            vec![PathBuf::from("a.png"), PathBuf::from("b dir/c.tif")]
        );
    }
}
