//! Per-stage time of the pipeline on one thread, summed over the pages of the given
//! files: ingest (file → grey page), locate (candidate regions), decode (own reader,
//! locate included), text (legend and HRI of every symbol), and the whole page as the
//! batch runs it (decode, text, marks, quiet zones, judge). The table BENCHMARKS.md
//! keeps before and after each speed change.
//!
//! `cargo run --release --example stages -- test-images/*.png test-images/*.tif ...`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ordoscan::batch::process_page;
use ordoscan::decode::{self, Engine, ReadSettings};
use ordoscan::judge::Rules;
use ordoscan::{ingest, locate, text};

/// Runs `f` `REPEAT` times and returns the mean time of one run.
const REPEAT: u32 = 3;

fn timed<T>(total: &mut Duration, mut f: impl FnMut() -> T) -> T {
    let start = Instant::now();
    for _ in 1..REPEAT {
        black_box(f());
    }
    let out = f();
    *total += start.elapsed() / REPEAT;
    out
}

fn main() {
    let files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let names = ["ingest", "locate", "decode", "text", "page"];
    let mut totals = [Duration::ZERO; 5];
    let mut pages = 0usize;
    for path in &files {
        let name = path.display().to_string();
        let loaded = timed(&mut totals[0], || ingest::load(path, &name, None));
        for page in loaded.into_iter().flatten() {
            pages += 1;
            timed(&mut totals[1], || locate::candidates(&page.image));
            let symbols = timed(&mut totals[2], || decode::read(&page.image, Engine::Own));
            timed(&mut totals[3], || {
                for s in &symbols {
                    black_box(text::read_text(&page.image, s, page.dpi, Some(&s.value)));
                }
            });
            timed(&mut totals[4], || {
                process_page(&page, &name, 1, ReadSettings::default(), Rules::default())
            });
        }
    }
    println!("{pages} pages, mean of {REPEAT} runs, ms per page:");
    for (name, total) in names.iter().zip(totals) {
        let ms = total.as_secs_f64() * 1000.0 / pages.max(1) as f64;
        println!("{name:>8} {ms:7.2}");
    }
}
