//! `ordoscan-eval`: scores a reader on a corpus with ground truth, or on the peer suites.
//!
//! - `ordoscan-eval corpus DIR [--reader ordoscan|own|both|ordoscan-rxing|rxing] [--jobs N] [--misses]`: every page with a
//!   `*.truth.json` (written by `ordoscan-synth corpus`) is read; prints symbol recall
//!   (readable symbols found with the right value), false symbols (values read that are not
//!   on the page — must be 0), verdict accuracy, overall and per degradation, case,
//!   resolution, pixels per module, and group pad per degradation, then ms/page on one
//!   thread and pages/s on `--jobs`.
//! - `ordoscan-eval suites DIR [--reader …]`: the peer suites (`manifest.jsonl`): an image
//!   counts as read when its expected text is among the values read, any other value is a
//!   false read; a leading FNC1 (GS) is ignored on both sides.
//!
//! - `ordoscan-eval text DIR [--misses]`: the legend and HRI reader alone, on the truth
//!   quads (see `eval/text.rs`).
//!
//! - `ordoscan-eval throughput DIR [--reader own|both] [--jobs N]`: the whole pipeline over
//!   every image under `DIR` (records discarded), with one job and with `N`: pages/s and the
//!   speed-up.
//!
//! `--reader rxing` runs rxing as its users call it (`detect_multiple_in_luma`, try
//! harder) instead of ordoscan's pipeline, for the peer table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use ordoscan::batch::process_page;
use ordoscan::decode::{Engine, ReadSettings};
use ordoscan::ingest::{self, Page};
use ordoscan::judge::Rules;
use ordoscan::report::{Severity, Verdict};
use ordoscan::synth::corpus::CorpusTruth;
use rayon::prelude::*;

#[path = "eval/text.rs"]
mod text;

#[derive(Clone, Copy, PartialEq)]
enum Reader {
    Ordoscan(Engine),
    Rxing,
}

/// What a reader made of one page: the values read and, for ordoscan, the verdict.
struct Read {
    values: Vec<String>,
    /// Symbols whose bars did not decode, identified from their printed digits.
    from_hri: Vec<String>,
    verdict: Option<Verdict>,
    /// The prescriber's and the structure's numbers, as determined.
    identified: (Option<String>, Option<String>),
    /// The failing findings' codes, for `--misses`.
    failures: Vec<String>,
}

fn read_page(page: &Page, name: &str, reader: Reader) -> Read {
    match reader {
        Reader::Ordoscan(engine) => {
            let settings = ReadSettings {
                engine,
                ..ReadSettings::default()
            };
            // Corpus pages are prescriptions, never label sheets: one record each.
            let records = process_page(page, name, 1, settings, Rules::default());
            let r = &records[0].report;
            let values = |from: &str| {
                r.symbols
                    .iter()
                    .filter(|s| s.read_from == from)
                    .map(|s| s.value.clone())
                    .collect()
            };
            Read {
                values: values("barcode"),
                from_hri: values("hri"),
                verdict: Some(r.verdict),
                identified: (
                    r.prescriber.as_ref().map(|p| p.value.clone()),
                    r.structure.as_ref().map(|p| p.value.clone()),
                ),
                failures: r
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .map(|f| format!("{:?}", f.code))
                    .collect(),
            }
        }
        Reader::Rxing => {
            let (w, h) = page.image.dimensions();
            let values = rxing::helpers::detect_multiple_in_luma(page.image.as_raw().clone(), w, h)
                .unwrap_or_default()
                .iter()
                .filter(|r| *r.getBarcodeFormat() == rxing::BarcodeFormat::CODE_128)
                .map(|r| r.getText().to_owned())
                .collect();
            Read {
                values,
                from_hri: Vec::new(),
                verdict: None,
                identified: (None, None),
                failures: Vec::new(),
            }
        }
    }
}

fn load_one(path: &Path) -> Option<Page> {
    ingest::load(path, &path.display().to_string(), None)
        .into_iter()
        .next()?
        .ok()
}

#[derive(Default, Clone)]
struct Tally {
    pages: usize,
    symbols: usize,
    found: usize,
    false_symbols: usize,
    verdicts_right: usize,
    /// Pages that pass with a prescriber or structure other than the truth's: the worst
    /// outcome, counted as wrong verdicts too.
    wrong_passes: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.pages += other.pages;
        self.symbols += other.symbols;
        self.found += other.found;
        self.false_symbols += other.false_symbols;
        self.verdicts_right += other.verdicts_right;
        self.wrong_passes += other.wrong_passes;
    }

    fn row(&self, name: &str, with_verdict: bool) -> String {
        let recall = self.found as f64 / self.symbols.max(1) as f64;
        let verdict = if with_verdict && self.pages > 0 {
            format!(
                "{:.3}",
                self.verdicts_right as f64 / self.pages.max(1) as f64
            )
        } else {
            "–".to_owned()
        };
        format!(
            "| {name} | {} | {} | {:.4} | {} | {verdict} | {} |",
            self.pages, self.symbols, recall, self.false_symbols, self.wrong_passes
        )
    }
}

fn score(truth: &CorpusTruth, read: &Read) -> Tally {
    let expected: Vec<&str> = truth
        .symbols
        .iter()
        .filter(|s| s.readable)
        .map(|s| s.value.as_str())
        .collect();
    let on_page: Vec<&str> = truth.symbols.iter().map(|s| s.value.as_str()).collect();
    let mut pool: Vec<&str> = read.values.iter().map(String::as_str).collect();
    let mut found = 0;
    for v in &expected {
        if let Some(i) = pool.iter().position(|r| r == v) {
            pool.swap_remove(i);
            found += 1;
        }
    }
    let false_symbols = read
        .values
        .iter()
        .filter(|v| !on_page.contains(&v.as_str()))
        .count();
    let wrong_pass = wrong_pass(truth, read);
    Tally {
        pages: 1,
        symbols: expected.len(),
        found,
        false_symbols,
        verdicts_right: usize::from(
            !wrong_pass
                && read
                    .verdict
                    .is_some_and(|v| verdict_word(v) == truth.verdict),
        ),
        wrong_passes: usize::from(wrong_pass),
    }
}

/// One stderr line per printed symbol the reader missed, and per value it made up.
fn print_misses(truth: &CorpusTruth, read: &Read) {
    let mut pool: Vec<&str> = read.values.iter().map(String::as_str).collect();
    for s in truth.symbols.iter().filter(|s| s.readable) {
        match pool.iter().position(|r| *r == s.value) {
            Some(i) => {
                pool.swap_remove(i);
            }
            None => eprintln!(
                "missed {} {} {:.2}px/module case={} dpi={} {:?}",
                truth.file, s.value, s.px_per_module, truth.case, truth.dpi, truth.degradations
            ),
        }
    }
    for v in pool {
        if !truth.symbols.iter().any(|s| s.value == v) {
            eprintln!("false {} {v:?}", truth.file);
        }
    }
    if let Some(v) = read.verdict {
        let got = verdict_word(v);
        let wrong_pass = wrong_pass(truth, read);
        if got != truth.verdict || wrong_pass {
            eprintln!(
                "verdict {} got {got} want {}{} case={} {:?} failing {:?}",
                truth.file,
                truth.verdict,
                if wrong_pass { " (wrong pass)" } else { "" },
                truth.case,
                truth.degradations,
                read.failures
            );
        }
    }
}

/// Whether the page passed with another prescriber or structure than the truth's.
fn wrong_pass(truth: &CorpusTruth, read: &Read) -> bool {
    read.verdict == Some(Verdict::Pass)
        && read.identified != (truth.prescriber.clone(), truth.structure.clone())
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Error => "error",
    }
}

fn ppm_bucket(ppm: f64) -> &'static str {
    match ppm {
        p if p < 1.5 => "px/module < 1.5",
        p if p < 2.0 => "px/module 1.5–2",
        p if p < 3.0 => "px/module 2–3",
        _ => "px/module ≥ 3",
    }
}

/// Every truth file of the corpus in `dir`, sorted by name.
fn truths(dir: &Path) -> anyhow::Result<Vec<CorpusTruth>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    entries.sort();
    let mut truths = Vec::new();
    for t in entries {
        let truth: CorpusTruth = serde_json::from_str(&std::fs::read_to_string(&t)?)
            .with_context(|| format!("parsing {}", t.display()))?;
        truths.push(truth);
    }
    if truths.is_empty() {
        bail!("no *.truth.json in {}", dir.display());
    }
    Ok(truths)
}

fn corpus(dir: &Path, reader: Reader, jobs: usize, misses: bool) -> anyhow::Result<()> {
    let truths: Vec<(PathBuf, CorpusTruth)> = truths(dir)?
        .into_iter()
        .map(|t| (dir.join(&t.file), t))
        .collect();
    // One thread: load + read, timed page by page.
    let started = Instant::now();
    let reads: Vec<Read> = truths
        .iter()
        .map(|(path, _)| match load_one(path) {
            Some(page) => read_page(&page, &path.display().to_string(), reader),
            None => Read {
                values: Vec::new(),
                from_hri: Vec::new(),
                verdict: Some(Verdict::Error),
                identified: (None, None),
                failures: vec!["unloadable".to_owned()],
            },
        })
        .collect();
    let one_thread = started.elapsed().as_secs_f64();
    // All workers: the same work, for pages/s.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let started = Instant::now();
    pool.install(|| {
        truths.par_iter().for_each(|(path, _)| {
            if let Some(page) = load_one(path) {
                read_page(&page, "", reader);
            }
        })
    });
    let parallel = started.elapsed().as_secs_f64();

    let mut groups: BTreeMap<(u8, String), Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for ((_, truth), read) in truths.iter().zip(&reads) {
        let t = score(truth, read);
        total.add(&t);
        if misses {
            print_misses(truth, read);
        }
        let mut keys: Vec<(u8, String)> = vec![(1, format!("case {}", truth.case))];
        keys.push((2, format!("{} dpi", truth.dpi)));
        if truth.degradations.is_empty() {
            keys.push((0, "clean".to_owned()));
        }
        keys.extend(truth.degradations.iter().map(|d| (0, d.clone())));
        // Group pads (hand marks, strike-outs) per degradation: #7's verdict target.
        if truth.case.starts_with("group") {
            keys.push((4, "group pads".to_owned()));
            keys.extend(
                truth
                    .degradations
                    .iter()
                    .map(|d| (4, format!("group pads, {d}"))),
            );
        }
        for k in keys {
            groups.entry(k).or_default().add(&t);
        }
        // Per resolution of the symbols themselves.
        for s in &truth.symbols {
            let one = Read {
                values: read.values.clone(),
                from_hri: Vec::new(),
                verdict: None,
                identified: (None, None),
                failures: Vec::new(),
            };
            let single = CorpusTruth {
                symbols: vec![s.clone()],
                ..truth.clone()
            };
            let mut st = score(&single, &one);
            st.pages = 0;
            st.false_symbols = 0;
            groups
                .entry((3, ppm_bucket(s.px_per_module).to_owned()))
                .or_default()
                .add(&st);
        }
    }
    let name = match reader {
        Reader::Ordoscan(Engine::Own) => "ordoscan (own decoder)",
        Reader::Ordoscan(Engine::Both) => "ordoscan (own + rxing)",
        Reader::Ordoscan(Engine::Rxing) => "ordoscan (rxing decoder)",
        Reader::Rxing => "rxing (detect_multiple_in_luma)",
    };
    let with_verdict = reader != Reader::Rxing;
    println!(
        "reader: {name}; corpus: {} ({} pages)\n",
        dir.display(),
        total.pages
    );
    println!(
        "| group | pages | symbols | recall | false symbols | verdict accuracy | wrong passes |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!("{}", total.row("**all**", with_verdict));
    for ((_, g), t) in &groups {
        println!("{}", t.row(g, with_verdict));
    }
    let (mut hri_right, mut hri_wrong) = (0, 0);
    for ((_, truth), read) in truths.iter().zip(&reads) {
        for v in &read.from_hri {
            if truth.symbols.iter().any(|s| s.value == *v) {
                hri_right += 1;
            } else {
                hri_wrong += 1;
                if misses {
                    eprintln!("false-hri {} {v:?}", truth.file);
                }
            }
        }
    }
    println!(
        "\nsymbols whose bars did not decode, identified from their HRI: {hri_right} printed on the page, {hri_wrong} not"
    );
    println!(
        "\none thread: {:.1} ms/page (load + read); {jobs} workers: {:.1} pages/s",
        1000.0 * one_thread / total.pages as f64,
        total.pages as f64 / parallel
    );
    Ok(())
}

fn suites(dir: &Path, reader: Reader) -> anyhow::Result<()> {
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .with_context(|| format!("reading {}/manifest.jsonl", dir.display()))?;
    let strip = |s: &str| s.trim_start_matches('\u{1d}').to_owned();
    let (mut scored, mut read_ok, mut false_reads) = (0, 0, 0);
    let mut per_suite: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value = serde_json::from_str(line)?;
        if entry["peer_excluded"].as_bool() == Some(true) {
            continue;
        }
        let image = dir.join(entry["image"].as_str().unwrap_or_default());
        let expected = strip(entry["expected"].as_str().unwrap_or_default());
        let values: Vec<String> = load_one(&image)
            .map(|p| read_page(&p, "", reader).values)
            .unwrap_or_default()
            .iter()
            .map(|v| strip(v))
            .collect();
        let ok = values.contains(&expected);
        let wrong = values.iter().filter(|v| **v != expected).count();
        scored += 1;
        read_ok += usize::from(ok);
        false_reads += wrong;
        let suite = per_suite
            .entry(entry["suite"].as_str().unwrap_or("?").to_owned())
            .or_default();
        suite.0 += 1;
        suite.1 += usize::from(ok);
        suite.2 += wrong;
        if !ok || wrong > 0 {
            eprintln!(
                "{}: expected {expected:?}, read {values:?}",
                image.display()
            );
        }
    }
    println!("| suite | images | read | false reads |\n|---|---|---|---|");
    for (s, (n, ok, f)) in &per_suite {
        println!("| {s} | {n} | {ok} | {f} |");
    }
    println!("| **all** | {scored} | {read_ok} | {false_reads} |");
    Ok(())
}

/// The whole pipeline (expand, ingest, read, text, judge; records discarded) over every
/// image under `dir`, with one worker and with `jobs`: pages/s of each and the speed-up.
fn throughput(dir: &Path, reader: Reader, jobs: usize) -> anyhow::Result<()> {
    let Reader::Ordoscan(engine) = reader else {
        bail!("throughput runs ordoscan's pipeline: --reader own or both");
    };
    let run = |workers: usize| -> anyhow::Result<(usize, f64)> {
        let config = ordoscan::config::Config {
            paths: vec![dir.to_path_buf()],
            from_list: false,
            shard: None,
            format: ordoscan::report::Format::Jsonl,
            colour: false,
            jobs: workers,
            dpi: None,
            strict: false,
            grade: false,
            summary: false,
            progress: false,
            annotate: None,
            read: ReadSettings {
                engine,
                ..ReadSettings::default()
            },
        };
        let started = Instant::now();
        let summary = ordoscan::batch::run_batch(&config, |_| Ok(()), &mut ())?;
        Ok((summary.pages, started.elapsed().as_secs_f64()))
    };
    // The run with all jobs first: it pays the one-time costs (page cache, the text
    // stage's reference glyphs), so the speed-up is not flattered.
    let (_, many) = run(jobs)?;
    let (pages, one) = run(1)?;
    println!("| jobs | pages | seconds | pages/s |\n|---|---|---|---|");
    println!("| 1 | {pages} | {one:.2} | {:.1} |", pages as f64 / one);
    println!(
        "| {jobs} | {pages} | {many:.2} | {:.1} |",
        pages as f64 / many
    );
    println!("\nspeed-up with {jobs} jobs: {:.2}×", one / many);
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut misses = false;
    let (mut reader, mut jobs, mut rest) = (
        Reader::Ordoscan(Engine::default()),
        rayon::current_num_threads(),
        Vec::new(),
    );
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reader" => {
                reader = match it.next().map(String::as_str) {
                    Some("ordoscan") => Reader::Ordoscan(Engine::default()),
                    Some("own") => Reader::Ordoscan(Engine::Own),
                    Some("both") => Reader::Ordoscan(Engine::Both),
                    Some("ordoscan-rxing") => Reader::Ordoscan(Engine::Rxing),
                    Some("rxing") => Reader::Rxing,
                    other => bail!(
                        "unknown reader {other:?} (ordoscan, own, both, ordoscan-rxing, rxing)"
                    ),
                }
            }
            "--misses" => misses = true,
            "--jobs" => jobs = it.next().context("--jobs needs a number")?.parse()?,
            _ => rest.push(a.clone()),
        }
    }
    match rest.as_slice() {
        [cmd, dir] if cmd == "corpus" => corpus(Path::new(dir), reader, jobs, misses),
        [cmd, dir] if cmd == "suites" => suites(Path::new(dir), reader),
        [cmd, dir] if cmd == "throughput" => throughput(Path::new(dir), reader, jobs),
        [cmd, dir] if cmd == "text" => text::run(Path::new(dir), misses),
        _ => bail!(
            "usage: ordoscan-eval corpus DIR | suites DIR | text DIR | throughput DIR [--reader ordoscan|own|both|ordoscan-rxing|rxing] [--jobs N] [--misses]"
        ),
    }
}
