//! ordoscan: reads and verifies the Code 128 identifiers on French paper prescriptions.
//!
//! The pipeline, one module per stage: [`ingest`] (files → grey pages with a resolution)
//! → [`decode`] (barcodes) → [`locate`] (each symbol's exact geometry) → [`ids`] (RPPS,
//! FINESS, AM and their check keys) → [`judge`] (findings, verdict) → [`report`] (JSONL,
//! CSV, human), orchestrated by [`batch`]. The binary only parses flags ([`cli`]) into a
//! [`config::Config`] and calls [`run`].

pub mod batch;
pub mod cli;
pub mod config;
pub mod decode;
pub mod ids;
pub mod ingest;
pub mod judge;
pub mod locate;
pub mod report;
pub mod synth;
pub mod text;

use std::io::Write;

use anyhow::Context;

use crate::batch::Summary;
use crate::config::Config;
use crate::report::ReportWriter;

/// Scans everything `config` names, writing records on standard output and the summary
/// on standard error.
pub fn run(config: &Config) -> anyhow::Result<Summary> {
    let stdout = std::io::stdout();
    let mut writer = ReportWriter::new(config.format, std::io::BufWriter::new(stdout.lock()));
    let summary = batch::run_batch(config, |r| writer.write(r)).context("writing the report")?;
    writer.flush().context("writing the report")?;
    if config.summary {
        let _ = writeln!(std::io::stderr(), "{}", summary.line());
    }
    Ok(summary)
}
