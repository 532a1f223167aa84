//! Per-stage time of the pipeline on one thread, summed over the pages of the given
//! files: ingest (file → grey page), the image crate's bare decode of the same file
//! (`image::open` + grey, the yardstick of ingest; PDF and multi-page files aside), locate (candidate regions), decode (own reader,
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

/// Timed runs of every stage, after one untimed run (cold caches, lazily built tables).
const REPEAT: u32 = 3;

/// Runs `f` once untimed, then `REPEAT` times, adding the mean time of one run to
/// `total`; returns the last result.
fn timed<T>(total: &mut Duration, mut f: impl FnMut() -> T) -> T {
    black_box(f());
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
    let names = ["ingest", "locate", "decode", "text", "page", "image"];
    let mut totals = [Duration::ZERO; 6];
    let mut pages = 0usize;
    // Ingest against the image crate alone, on the files both read as one page.
    let (mut ingest_single, mut single) = (Duration::ZERO, 0usize);
    for path in &files {
        let name = path.display().to_string();
        let before = totals[0];
        let loaded = timed(&mut totals[0], || ingest::load(path, &name, None));
        if loaded.len() == 1 && image::open(path).is_ok() {
            let _ = timed(&mut totals[5], || image::open(path).map(|i| i.into_luma8()));
            ingest_single += totals[0] - before;
            single += 1;
        }
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
    println!("{pages} pages, mean of {REPEAT} warm runs, ms per page:");
    for (name, total) in names.iter().zip(totals).take(5) {
        let ms = total.as_secs_f64() * 1000.0 / pages.max(1) as f64;
        println!("{name:>8} {ms:7.2}");
    }
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / single.max(1) as f64;
    println!(
        "{single} single-page files the image crate opens: ingest {:.2} ms, image::open + grey {:.2} ms ({:.2}x)",
        per(ingest_single),
        per(totals[5]),
        ingest_single.as_secs_f64() / totals[5].as_secs_f64().max(1e-12)
    );
}
