//! The command line: clap's flags, turned into a validated [`Config`]. No clap type goes
//! below this module.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, ConfigError};
use std::time::Duration;

use crate::decode::{Engine, ReadSettings};
use crate::report::Format;

/// ordoscan: reads and verifies the RPPS / FINESS / AM barcodes of scanned French
/// prescriptions, one record per page.
#[derive(Parser, Debug)]
#[command(name = "ordoscan", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan files and directories (recursed, sorted) and report every page.
    #[command(after_help = "EXAMPLES:\n  \
        ordoscan scan test-images/\n  \
        ordoscan scan --format jsonl --jobs 4 scans/ > report.jsonl\n  \
        ordoscan scan --format csv --dpi 200 fax-0001.tif fax-0002.tif > report.csv\n  \
        ordoscan scan --strict pads/\n\n\
        EXIT CODES:\n  0 every page passes, 1 some page fails, 2 some input could not be read (or bad usage)")]
    Scan(ScanArgs),
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// Files or directories; directories are recursed and their image/PDF files taken in
    /// sorted order. Example: `scans/ extra/0001.tif`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format: `human` (a table), `jsonl` (one JSON record per page) or `csv` (one
    /// row per page). Default: human on a terminal, jsonl otherwise. Example: `--format csv`.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Worker threads. Default: all cores. Output is the same whatever the value.
    /// Example: `--jobs 4`.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Resolution (dots per inch) to assume when a file does not state one. Example:
    /// `--dpi 200` for a batch of faxes without resolution tags.
    #[arg(long, value_name = "N")]
    dpi: Option<f64>,
    /// Layout warnings fail the page too (for QA of freshly printed pads). Example:
    /// `--strict`.
    #[arg(long)]
    strict: bool,
    /// Do not print the summary on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Which reader decodes the symbols: `both` (default: ordoscan's own and rxing,
    /// merged), `own` (ordoscan's own locator and decoder, any rotation, fastest) or
    /// `rxing`. Example: `--decoder own`.
    #[arg(long, value_enum, default_value = "both")]
    decoder: DecoderArg,
    /// Time budget per page, in seconds: when it runs out, the page is reported with the
    /// symbols found so far and a `timeout` finding. Example: `--time-budget 2`.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    time_budget: f64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DecoderArg {
    Rxing,
    Own,
    Both,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Human,
    Jsonl,
    Csv,
}

impl Cli {
    /// The validated configuration the command line asks for.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let Command::Scan(args) = self.command;
        let format = match args.format {
            Some(FormatArg::Human) => Format::Human,
            Some(FormatArg::Jsonl) => Format::Jsonl,
            Some(FormatArg::Csv) => Format::Csv,
            None if std::io::stdout().is_terminal() => Format::Human,
            None => Format::Jsonl,
        };
        let jobs = args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        Config {
            paths: args.paths,
            format,
            jobs,
            dpi: args.dpi,
            strict: args.strict,
            summary: !args.quiet,
            read: ReadSettings {
                engine: match args.decoder {
                    DecoderArg::Rxing => Engine::Rxing,
                    DecoderArg::Own => Engine::Own,
                    DecoderArg::Both => Engine::Both,
                },
                budget: Duration::try_from_secs_f64(args.time_budget).unwrap_or_default(),
            },
        }
        .validate()
    }
}
