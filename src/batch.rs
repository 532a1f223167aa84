//! Batch: the inputs of a run, spread over worker threads, reported in input order.
//!
//! This is the only place that knows about threads (rayon). Inputs are expanded first
//! (directories recursed, entries sorted), each file is decoded into pages, and every page
//! goes through the pipeline independently; records come back in input order whatever the
//! number of workers, so a run is reproducible byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::decode::{self, ReadSettings};
use crate::ingest::{self, Page};
use crate::judge::{self, PageInfo, Rules};
use crate::report::{FindingCode, PageReport, Verdict};

/// File extensions taken from directories (files named explicitly are always tried).
pub const EXTENSIONS: [&str; 10] = [
    "png", "jpg", "jpeg", "jpe", "bmp", "gif", "webp", "tif", "tiff", "pdf",
];

/// One input of the run: a file to read, or a path that already failed.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file, with the name it is reported under.
    File {
        /// Where to read it.
        path: PathBuf,
        /// How records name it.
        name: String,
    },
    /// A path that could not be used (missing, unreadable directory).
    Failed(PageReport),
}

/// Expands files and directories (recursively, sorted) into the run's inputs.
pub fn expand(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut inputs),
            Ok(_) => inputs.push(file_input(path)),
            Err(e) => inputs.push(Input::Failed(PageReport::error(
                path.display().to_string(),
                1,
                format!("'{}': cannot open: {e}", path.display()),
            ))),
        }
    }
    inputs
}

fn file_input(path: &Path) -> Input {
    Input::File {
        path: path.to_path_buf(),
        name: path.display().to_string(),
    }
}

fn walk(dir: &Path, inputs: &mut Vec<Input>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(entries) => entries,
        Err(e) => {
            inputs.push(Input::Failed(PageReport::error(
                dir.display().to_string(),
                1,
                format!("'{}': cannot read directory: {e}", dir.display()),
            )));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        // Symbolic links to directories are not followed: no cycles.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            walk(&path, inputs);
        } else if has_image_extension(&path) {
            inputs.push(file_input(&path));
        }
    }
}

fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Runs the pipeline on one page: decode, judge.
pub fn process_page(
    page: &Page,
    file: &str,
    number: u32,
    read: ReadSettings,
    rules: Rules,
) -> PageReport {
    let reading = decode::read_within(&page.image, read);
    let info = PageInfo {
        file: file.to_owned(),
        page: number,
        width_px: page.image.width(),
        height_px: page.image.height(),
        dpi: page.dpi,
        dpi_source: page.dpi_source,
        timed_out: reading.timed_out.then_some(read.budget),
    };
    judge::judge(&info, &reading.symbols, rules)
}

/// [`process_page`], turning a bug that panics into an error record for that page, so
/// that the rest of the batch is still reported.
fn guarded(page: &Page, file: &str, number: u32, read: ReadSettings, rules: Rules) -> PageReport {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| process_page(page, file, number, read, rules)))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown");
            PageReport::error(
                file,
                number,
                format!("page {number} of '{file}': internal error while reading the page ({what}); please report it"),
            )
        })
}

/// Every record of one input, in page order.
pub fn scan_input(input: &Input, config: &Config) -> Vec<PageReport> {
    let (path, name) = match input {
        Input::Failed(report) => return vec![report.clone()],
        Input::File { path, name } => (path, name),
    };
    let rules = Rules {
        strict: config.strict,
    };
    ingest::load(path, name, config.dpi)
        .into_par_iter()
        .enumerate()
        .map(|(i, page)| match page {
            Ok(page) => guarded(&page, name, i as u32 + 1, config.read, rules),
            Err(e) => PageReport::error(name.clone(), e.page(), e.to_string()),
        })
        .collect()
}

/// Counts of a finished run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Records written.
    pub pages: usize,
    /// Pages that pass.
    pub pass: usize,
    /// Pages that fail.
    pub fail: usize,
    /// Pages (or files) that could not be read.
    pub error: usize,
    /// How often each finding code occurred.
    pub findings: BTreeMap<FindingCode, usize>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Summary {
    /// Counts one record.
    pub fn add(&mut self, r: &PageReport) {
        self.pages += 1;
        match r.verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Error => self.error += 1,
        }
        for f in &r.findings {
            *self.findings.entry(f.code).or_default() += 1;
        }
    }

    /// The exit code of SPEC §4: 0 all pass, 1 some page fails, 2 some input unreadable.
    pub fn exit_code(&self) -> u8 {
        if self.error > 0 {
            2
        } else if self.fail > 0 {
            1
        } else {
            0
        }
    }

    /// One line for people: counts, the most frequent findings, speed.
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut top: Vec<(&FindingCode, &usize)> = self.findings.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = top
            .iter()
            .take(5)
            .map(|(c, n)| format!("{} ×{n}", c.as_str()))
            .collect();
        format!(
            "{} pages: {} pass, {} fail, {} error; {:.1} pages/s{}",
            self.pages,
            self.pass,
            self.fail,
            self.error,
            self.pages as f64 / secs,
            if top.is_empty() {
                String::new()
            } else {
                format!("; findings: {}", top.join(", "))
            }
        )
    }
}

/// Runs the whole batch on `config.jobs` threads, handing each record to `sink` in input
/// order.
pub fn run_batch(
    config: &Config,
    mut sink: impl FnMut(&PageReport) -> std::io::Result<()>,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let inputs = expand(&config.paths);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .build()?;
    let records: Vec<Vec<PageReport>> =
        pool.install(|| inputs.par_iter().map(|i| scan_input(i, config)).collect());
    let mut summary = Summary::default();
    for r in records.iter().flatten() {
        sink(r)?;
        summary.add(r);
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}
