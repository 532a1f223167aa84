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
        ordoscan scan --strict pads/\n  \
        ordoscan scan --annotate checked/ scans/2026-11-24/\n  \
        find scans/ -name '*.tif' | ordoscan scan --files-from - --shard 2/8 > part-2.jsonl\n\n\
        EXIT CODES:\n  0 every page passes, 1 some page fails, 2 some input could not be read (or bad usage)")]
    Scan(ScanArgs),
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// Files or directories; directories are recursed and their image/PDF files taken in
    /// sorted order. Example: `scans/ extra/0001.tif`.
    #[arg(required_unless_present = "files_from", value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Read more paths from FILE (`-` for standard input), one per line, after the PATHs
    /// given on the command line; blank lines and lines starting with `#` are skipped,
    /// relative paths are taken from the current directory. Example:
    /// `find scans/ -name '*.tif' | ordoscan scan --files-from -`.
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// Scan only part I of N of the inputs (1 ≤ I ≤ N), to split one batch over N
    /// machines: input k of the expanded, sorted list goes to part k mod N + 1, so the N
    /// parts are disjoint and together are the whole batch. Example: `--shard 3/8`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
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
    /// Estimate every symbol's print quality (ISO/IEC 15416 grade, 4.0 = A to 0 = F, in
    /// `grade`) and warn `low_grade` below C. Example: `--grade` on a freshly printed
    /// sheet.
    #[arg(long)]
    grade: bool,
    /// Do not print the progress bar or the summary on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Write every page as a PNG into DIR (created if needed), named after the input and
    /// the page (`scans/a.tif` page 2 → `DIR/scans_a.tif.p2.png`): the page in grey, each
    /// symbol outlined with its kind and value, the verdict and findings in a banner
    /// (green pass, red fail or error). Example: `--annotate checked/`.
    #[arg(long, value_name = "DIR")]
    annotate: Option<PathBuf>,
    /// Which reader decodes the symbols: `own` (default: ordoscan's own locator and
    /// decoder, any rotation, fastest), `rxing` (a port of zxing, to compare) or `both`
    /// (merged; a little more read at several times the cost). Example: `--decoder both`.
    #[arg(long, value_enum, default_value = "own")]
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
        let mut paths = args.paths;
        if let Some(list) = &args.files_from {
            paths.extend(crate::config::parse_file_list(&read_list(list)?));
        }
        let shard = args.shard.as_deref().map(str::parse).transpose()?;
        let jobs = args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        Config {
            paths,
            from_list: args.files_from.is_some(),
            shard,
            format,
            colour: format == Format::Human
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never,
            jobs,
            dpi: args.dpi,
            strict: args.strict,
            grade: args.grade,
            summary: !args.quiet,
            progress: !args.quiet && std::io::stderr().is_terminal(),
            annotate: args.annotate,
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

/// The text of a `--files-from` list (`-`: standard input).
fn read_list(list: &std::path::Path) -> Result<String, ConfigError> {
    let fail =
        |e: std::io::Error| ConfigError::FilesFrom(list.display().to_string(), e.to_string());
    if list.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(fail)
    } else {
        std::fs::read_to_string(list).map_err(fail)
    }
}
