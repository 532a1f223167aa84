//! Thresholded symbols at few pixels per module (issue #5), each of three identifiers
//! drawn upright at five sub-pixel phases and read by the own reader (whole page):
//! - clean bilevel, "down to 1.2 px/module": code sets C-first and B at 1.0–1.5 pixels
//!   per module, thresholded at mid-grey;
//! - faded print faxed: code set B at 1.4–2.2 pixels per module, the ink lightened to
//!   110–135 on paper 225 and thresholded at 140 as a fax does, so that one-module bars
//!   come out a pixel wide or vanish as they fall on the pixels.
//!
//! Prints the symbols read out of those drawn and any value read that is not the one
//! drawn (with `MISSES=1`, each miss). A development aid.
//! `cargo run --release --example bilevel_sweep`
use image::{GrayImage, Luma};
use ordoscan::decode::{Engine, read};
use ordoscan::synth::code128::CodeSets;
use ordoscan::synth::degrade::{faded, threshold};
use ordoscan::synth::{Block, TextStyle, draw_block};

const VALUES: [&str; 3] = ["10001045367", "750712184", "10207994970"];
const PHASES: u32 = 5;

fn main() {
    println!("clean bilevel");
    for ppm in [1.0, 1.1, 1.2, 1.3, 1.4, 1.5] {
        let sets = [CodeSets::Shortest, CodeSets::BOnly];
        let (read_ok, drawn, wrong) = sweep(ppm, &sets, |img| threshold(img, 128));
        println!("{ppm:.1} px/module: {read_ok}/{drawn} read, {wrong} other values");
    }
    println!("faded, faxed");
    for ppm in [1.4, 1.6, 1.8, 2.0, 2.2] {
        for ink in [110, 125, 135] {
            let faxed = |img: &GrayImage| threshold(&faded(img, ink, 225), 140);
            let (read_ok, drawn, wrong) = sweep(ppm, &[CodeSets::BOnly], faxed);
            println!("{ppm:.1} px/module, ink {ink}: {read_ok}/{drawn} read, {wrong} other values");
        }
    }
}

/// Every value in every code set of `sets` at every phase, drawn at `ppm` and degraded by
/// `degrade`: (symbols read, symbols drawn, other values read).
fn sweep(
    ppm: f64,
    sets: &[CodeSets],
    degrade: impl Fn(&GrayImage) -> GrayImage,
) -> (usize, usize, usize) {
    let (mut read_ok, mut drawn, mut wrong) = (0, 0, 0);
    for value in VALUES {
        for &set in sets {
            for phase in 0..PHASES {
                let dpi = 254.0;
                let mut img = GrayImage::from_pixel(700, 120, Luma([255]));
                let block = Block {
                    x_mm: (40.0 + f64::from(phase) / f64::from(PHASES)) / dpi * 25.4,
                    y_mm: 2.0,
                    value: value.to_owned(),
                    sets: set,
                    x_dim_mm: ppm / dpi * 25.4,
                    height_mm: 8.0,
                    legend: None,
                    hri: None,
                    style: TextStyle::default(),
                    bar_gain_mm: 0.0,
                };
                draw_block(&mut img, &block, dpi).expect("drawable");
                let symbols = read(&degrade(&img), Engine::Own);
                drawn += 1;
                let ok = symbols.iter().any(|s| s.value == value);
                read_ok += usize::from(ok);
                if !ok && std::env::var_os("MISSES").is_some() {
                    println!("  missed {value} {set:?} phase {phase}/{PHASES}");
                }
                wrong += symbols.iter().filter(|s| s.value != value).count();
            }
        }
    }
    (read_ok, drawn, wrong)
}
