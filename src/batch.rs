//! Batch: the inputs of a run, spread over worker threads, reported in input order.
//!
//! This is the only place that knows about threads (rayon). Inputs are expanded first
//! (directories recursed, entries sorted) and, with `--shard`, thinned to this machine's
//! part. Then the batch streams:
//!
//! - the calling thread admits inputs in order, at most [`AHEAD_PER_JOB`] × jobs inputs
//!   ahead of the last one fully written; each admitted input becomes a task on the pool;
//! - a task decodes its file (a file's page count is known only then), says how many
//!   pages it holds, and hands each page to the pool as a task of its own, so the pages of
//!   a multi-page TIFF or PDF spread over the workers like single-page files do;
//! - each page task reads and judges its page (and draws it with `--annotate`), drops the
//!   pixels, and sends the record back over a bounded channel;
//! - the calling thread puts the records in a reorder buffer keyed by (input, page) and
//!   writes each one as soon as every record before it is written.
//!
//! So memory is bounded by the pages the workers hold (rayon runs a worker's own newest
//! tasks first: a worker finishes the pages it decoded, or helps with another's, before it
//! decodes another file) plus a window of small records, whatever the size of the batch;
//! and the output is the same byte for byte whatever the number of workers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::time::{Duration, Instant};

use rayon::Scope;

use crate::annotate;
use crate::config::{Config, Shard};
use crate::decode::ReadSettings;
use crate::ingest::{self, Page};
use crate::judge::Rules;
pub use crate::page::{PageRecord, process_page};
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

/// [`process_page`], turning a bug that panics into an error record for that page, so
/// that the rest of the batch is still reported.
fn guarded(
    page: &Page,
    file: &str,
    number: u32,
    read: ReadSettings,
    rules: Rules,
) -> Vec<PageRecord> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        process_page(page, file, number, read, rules)
    }))
    .unwrap_or_else(|panic| {
        vec![PageRecord {
            report: PageReport::error(
                file,
                number,
                format!(
                    "page {number} of '{file}': internal error while reading the page ({}); please report it",
                    panic_text(&*panic)
                ),
            ),
            area: None,
        }]
    })
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown")
}

/// The inputs of this run: `paths` expanded, then only this shard's part.
pub fn select(paths: &[PathBuf], shard: Option<Shard>) -> Vec<Input> {
    let inputs = expand(paths);
    match shard {
        None => inputs,
        Some(shard) => inputs
            .into_iter()
            .enumerate()
            .filter(|(k, _)| shard.holds(*k))
            .map(|(_, input)| input)
            .collect(),
    }
}

/// Counts of a finished run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Records written (one per page; one per label on a label sheet).
    pub pages: usize,
    /// Of those, records of labels of label sheets.
    pub labels: usize,
    /// Pages that pass.
    pub pass: usize,
    /// Pages that fail.
    pub fail: usize,
    /// Pages (or files) that could not be read.
    pub error: usize,
    /// How often each finding code occurred.
    pub findings: BTreeMap<FindingCode, usize>,
    /// Annotated pages written (`--annotate`).
    pub annotated: usize,
    /// Why annotated pages could not be written, one message each.
    pub unwritten: Vec<String>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Summary {
    /// Counts one record.
    pub fn add(&mut self, r: &PageReport) {
        self.pages += 1;
        self.labels += usize::from(r.label.is_some());
        match r.verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Error => self.error += 1,
        }
        for f in &r.findings {
            *self.findings.entry(f.code).or_default() += 1;
        }
    }

    /// The exit code of SPEC §4: 0 all pass, 1 some page fails, 2 some input unreadable
    /// (or some annotated page could not be written).
    pub fn exit_code(&self) -> u8 {
        if self.error > 0 || !self.unwritten.is_empty() {
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
        // Pass, fail and error count records: on a label sheet, one per label.
        let (what, unit) = if self.labels == 0 {
            (format!("{} pages", self.pages), "pages")
        } else {
            let what = format!(
                "{} records ({} labels of label sheets)",
                self.pages, self.labels
            );
            (what, "records")
        };
        format!(
            "{what}: {} pass, {} fail, {} error; {:.1} {unit}/s{}",
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

/// How many inputs may be admitted per worker beyond the last one fully written: enough
/// to keep every worker busy behind a slow page, few enough that the records waiting in
/// the reorder buffer stay a small, fixed amount of memory.
pub const AHEAD_PER_JOB: usize = 4;

/// What the batch tells whoever shows its progress (called on the thread that runs the
/// batch).
pub trait Progress {
    /// The number of pages known grew to `total`: each input counts one page until it is
    /// decoded, then as many as it holds.
    fn total(&mut self, total: u64);
    /// `done` pages have been read so far.
    fn done(&mut self, done: u64);
}

/// No progress shown.
impl Progress for () {
    fn total(&mut self, _: u64) {}
    fn done(&mut self, _: u64) {}
}

/// What a task sends back to the thread that writes.
enum Msg {
    /// Input `input` holds `pages` pages; sent before any of its records.
    Pages { input: usize, pages: usize },
    /// The records of page `page` (from 0) of input `input` (one per label on a label
    /// sheet), and whether each one's annotated picture was written (empty without
    /// `--annotate`).
    Records {
        input: usize,
        page: usize,
        reports: Vec<PageReport>,
        annotations: Vec<Result<(), String>>,
    },
}

/// Records arriving in any order leave in (input, page) order (the records of one page
/// travel together).
#[derive(Default)]
struct Reorder {
    /// Page counts of the inputs decoded and not yet fully written.
    pages: BTreeMap<usize, usize>,
    /// Records waiting for a predecessor.
    waiting: BTreeMap<(usize, usize), Vec<PageReport>>,
    /// The (input, page) to write next.
    next: (usize, usize),
}

impl Reorder {
    fn pages(&mut self, input: usize, pages: usize) {
        self.pages.insert(input, pages);
    }

    fn push(&mut self, input: usize, page: usize, reports: Vec<PageReport>) {
        self.waiting.insert((input, page), reports);
    }

    /// The records of the next page in order, if they have arrived.
    fn pop(&mut self) -> Option<Vec<PageReport>> {
        loop {
            let pages = *self.pages.get(&self.next.0)?;
            if self.next.1 < pages {
                break;
            }
            self.pages.remove(&self.next.0);
            self.next = (self.next.0 + 1, 0);
        }
        let report = self.waiting.remove(&self.next)?;
        self.next.1 += 1;
        Some(report)
    }

    /// Inputs whose records have all been written (counting an input whose last record
    /// was just popped).
    fn inputs_written(&self) -> usize {
        match self.pages.get(&self.next.0) {
            Some(&pages) if self.next.1 >= pages => self.next.0 + 1,
            _ => self.next.0,
        }
    }
}

/// What every task of a run shares.
struct Shared<'a> {
    config: &'a Config,
    rules: Rules,
    /// Set when writing failed: the remaining tasks skip their work.
    stop: AtomicBool,
}

/// Decodes input `k` and hands its pages to the pool.
fn read_input<'s>(
    scope: &Scope<'s>,
    shared: &'s Shared<'s>,
    k: usize,
    input: Input,
    tx: SyncSender<Msg>,
) {
    let (path, name) = match input {
        Input::Failed(report) => {
            let _ = tx.send(Msg::Pages { input: k, pages: 1 });
            let record = PageRecord { report, area: None };
            send_records(shared, &tx, k, 0, vec![record], None);
            return;
        }
        Input::File { path, name } => (path, name),
    };
    let pages = if shared.stop.load(Ordering::Relaxed) {
        Vec::new()
    } else {
        std::panic::catch_unwind(|| ingest::load(&path, &name, shared.config.dpi)).unwrap_or_else(
            |panic| {
                vec![Err(ingest::IngestError::File {
                    file: name.clone(),
                    message: format!(
                        "internal error while decoding the file ({}); please report it",
                        panic_text(&*panic)
                    ),
                })]
            },
        )
    };
    if tx
        .send(Msg::Pages {
            input: k,
            pages: pages.len(),
        })
        .is_err()
    {
        return;
    }
    let name = std::sync::Arc::new(name);
    for (i, page) in pages.into_iter().enumerate() {
        let (tx, name) = (tx.clone(), name.clone());
        scope.spawn(move |_| read_page(shared, &tx, k, i, &name, page));
    }
}

/// Reads, judges and (with `--annotate`) draws one page, then sends its records.
fn read_page(
    shared: &Shared,
    tx: &SyncSender<Msg>,
    k: usize,
    i: usize,
    name: &str,
    page: Result<Page, ingest::IngestError>,
) {
    if shared.stop.load(Ordering::Relaxed) {
        return;
    }
    let number = i as u32 + 1;
    let (records, image) = match page {
        Ok(page) => (
            guarded(&page, name, number, shared.config.read, shared.rules),
            Some(page.image),
        ),
        Err(e) => {
            let report = PageReport::error(name, e.page(), e.to_string());
            (vec![PageRecord { report, area: None }], None)
        }
    };
    send_records(shared, tx, k, i, records, image.as_ref());
}

fn send_records(
    shared: &Shared,
    tx: &SyncSender<Msg>,
    k: usize,
    i: usize,
    records: Vec<PageRecord>,
    image: Option<&image::GrayImage>,
) {
    let annotations = match shared.config.annotate.as_deref() {
        Some(dir) => records
            .iter()
            .map(|r| annotate_record(dir, r, image))
            .collect(),
        None => Vec::new(),
    };
    let _ = tx.send(Msg::Records {
        input: k,
        page: i,
        reports: records.into_iter().map(|r| r.report).collect(),
        annotations,
    });
}

/// Draws one record's annotated picture (`--annotate`).
fn annotate_record(
    dir: &Path,
    record: &PageRecord,
    image: Option<&image::GrayImage>,
) -> Result<(), String> {
    let report = &record.report;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        annotate::write(dir, report, image, record.area)
    }))
    .unwrap_or_else(|panic| Err(format!("internal error: {}", panic_text(&*panic))))
    .map_err(|e| format!("{}: {e}", annotate::path(dir, report).display()))
}

/// Runs the whole batch on `config.jobs` threads, handing each record to `sink` in input
/// order as soon as the records before it are written.
pub fn run_batch(
    config: &Config,
    mut sink: impl FnMut(&PageReport) -> std::io::Result<()>,
    progress: &mut dyn Progress,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let inputs = select(&config.paths, config.shard);
    let count = inputs.len();
    if let Some(dir) = &config.annotate {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("--annotate '{}': {e}", dir.display()))?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .build()?;
    let window = AHEAD_PER_JOB * config.jobs;
    let shared = Shared {
        config,
        rules: Rules {
            strict: config.strict,
            grade: config.grade,
        },
        stop: AtomicBool::new(false),
    };
    let (tx, rx) = sync_channel::<Msg>(window);
    let mut summary = Summary::default();
    let mut total = count as u64;
    let mut done = 0;
    progress.total(total);
    let written = pool.in_place_scope(|scope| -> anyhow::Result<()> {
        // Owned here so that leaving early (a write failed) drops the receiver, and any
        // task still sending gets an error instead of blocking the scope's end.
        let rx = rx;
        let mut order = Reorder::default();
        let mut inputs = inputs.into_iter().enumerate();
        let mut admitted = 0;
        while order.inputs_written() < count {
            while admitted < count && admitted - order.inputs_written() < window {
                let Some((k, input)) = inputs.next() else {
                    break;
                };
                let (tx, shared) = (tx.clone(), &shared);
                scope.spawn(move |s| read_input(s, shared, k, input, tx));
                admitted += 1;
            }
            // Every task sends all it owes (panics are caught), so this cannot hang.
            match rx.recv()? {
                Msg::Pages { input, pages } => {
                    order.pages(input, pages);
                    total = total + pages as u64 - 1;
                    progress.total(total);
                }
                Msg::Records {
                    input,
                    page,
                    reports,
                    annotations,
                } => {
                    order.push(input, page, reports);
                    done += 1;
                    progress.done(done);
                    for a in annotations {
                        match a {
                            Ok(()) => summary.annotated += 1,
                            Err(e) => summary.unwritten.push(e),
                        }
                    }
                }
            }
            while let Some(records) = order.pop() {
                for r in &records {
                    if let Err(e) = sink(r) {
                        shared.stop.store(true, Ordering::Relaxed);
                        return Err(e.into());
                    }
                    summary.add(r);
                }
            }
        }
        Ok(())
    });
    written?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(file: &str, page: u32) -> Vec<PageReport> {
        vec![PageReport::error(file, page, "x")]
    }

    #[test]
    fn summary_counts_labels_as_records() {
        let mut summary = Summary::default();
        summary.add(&PageReport::error("a.png", 1, "x"));
        assert!(
            summary
                .line()
                .starts_with("1 pages: 0 pass, 0 fail, 1 error")
        );
        let mut label = PageReport::error("sheet.png", 1, "x");
        label.label = Some(3);
        summary.add(&label);
        let line = summary.line();
        assert!(
            line.starts_with("2 records (1 labels of label sheets): "),
            "{line}"
        );
        assert!(line.contains(" records/s"), "{line}");
    }

    #[test]
    fn reorder_releases_records_only_after_their_predecessors() {
        let mut order = Reorder::default();
        let mut out = Vec::new();
        let mut drain = |order: &mut Reorder| {
            while let Some(records) = order.pop() {
                out.extend(records.iter().map(|r| format!("{}:{}", r.file, r.page)));
            }
        };
        order.pages(1, 1);
        order.push(1, 0, record("b", 1));
        drain(&mut order);
        assert_eq!(order.inputs_written(), 0, "input 0 is not even decoded");
        order.pages(0, 3);
        order.push(0, 2, record("a", 3));
        order.push(0, 0, record("a", 1));
        drain(&mut order);
        assert_eq!(order.inputs_written(), 0, "page 2 of input 0 is missing");
        order.push(0, 1, record("a", 2));
        drain(&mut order);
        assert_eq!(order.inputs_written(), 2);
        order.pages(2, 0);
        order.pages(3, 1);
        order.push(3, 0, record("d", 1));
        drain(&mut order);
        assert_eq!(
            order.inputs_written(),
            4,
            "an input without pages is skipped"
        );
        assert_eq!(out, ["a:1", "a:2", "a:3", "b:1", "d:1"]);
    }
}
