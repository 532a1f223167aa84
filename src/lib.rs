//! ordoscan: reads and verifies the Code 128 identifiers on French paper prescriptions.
//!
//! The pipeline, one module per stage: [`ingest`] (files → grey pages with a resolution)
//! → [`decode`] (barcodes) → [`locate`] (each symbol's exact geometry) → [`ids`] (RPPS,
//! FINESS, AM and their check keys) → [`labels`] (Annexe III label sheets: one record per
//! label) → [`judge`] (findings, verdict) → [`report`] (JSONL,
//! CSV, human), orchestrated by [`batch`], which also draws each page with [`annotate`]
//! when asked. The binary only parses flags ([`cli`]) into a [`config::Config`] and calls
//! [`run`].

pub mod annotate;
pub mod batch;
pub mod cli;
pub mod config;
pub mod decode;
pub mod grade;
pub mod ids;
pub mod ingest;
pub mod judge;
pub mod labels;
pub mod layout;
pub mod locate;
pub mod marks;
pub mod page;
pub mod report;
pub mod synth;
pub mod text;

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::batch::{Progress, Summary};
use crate::config::Config;
use crate::report::ReportWriter;

/// Scans everything `config` names, writing records on standard output, a progress bar
/// (when asked) and the summary on standard error.
pub fn run(config: &Config) -> anyhow::Result<Summary> {
    let stdout = std::io::stdout();
    let mut writer = ReportWriter::new(config.format, std::io::BufWriter::new(stdout.lock()))
        .with_colour(config.colour);
    let mut bar = config.progress.then(progress_bar);
    let progress: &mut dyn Progress = match &mut bar {
        Some(bar) => bar,
        None => &mut (),
    };
    let summary = batch::run_batch(config, |r| writer.write(r), progress);
    if let Some(bar) = &bar {
        bar.0.finish_and_clear();
    }
    let summary = summary.context("writing the report")?;
    writer.flush().context("writing the report")?;
    let mut stderr = std::io::stderr().lock();
    for e in summary.unwritten.iter().take(10) {
        let _ = writeln!(stderr, "ordoscan: cannot write the annotated page {e}");
    }
    if config.summary {
        let _ = writeln!(stderr, "{}", summary.line());
        if let Some(dir) = &config.annotate {
            let _ = writeln!(
                stderr,
                "{} annotated pages in {}{}",
                summary.annotated,
                dir.display(),
                match summary.unwritten.len() {
                    0 => String::new(),
                    n => format!(" ({n} could not be written)"),
                }
            );
        }
    }
    Ok(summary)
}

/// The progress bar on standard error: pages read of pages known, speed, time left.
struct Bar(ProgressBar);

fn progress_bar() -> Bar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {pos}/{len} pages  {per_sec:1}  ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(250));
    Bar(bar)
}

impl Progress for Bar {
    fn total(&mut self, total: u64) {
        self.0.set_length(total);
    }

    fn done(&mut self, done: u64) {
        self.0.set_position(done);
    }
}
