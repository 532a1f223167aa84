//! Clean bilevel symbols at few pixels per module (issue #5: "down to 1.2 px/module"):
//! each of three identifiers, in code sets C-first and B, drawn upright at 1.0–1.5 pixels
//! per module at five sub-pixel phases, thresholded at mid-grey and read by the own
//! reader (whole page). Prints, per pixels-per-module, the symbols read out of those
//! drawn, and any value read that is not the one drawn (with `MISSES=1`, each miss). A
//! development aid.
//! `cargo run --release --example bilevel_sweep`
use image::{GrayImage, Luma};
use ordoscan::decode::{Engine, read};
use ordoscan::synth::code128::CodeSets;
use ordoscan::synth::degrade::threshold;
use ordoscan::synth::{Block, TextStyle, draw_block};

fn main() {
    let values = ["10001045367", "750712184", "10207994970"];
    let sets = [CodeSets::Shortest, CodeSets::BOnly];
    let phases = 5;
    for ppm in [1.0, 1.1, 1.2, 1.3, 1.4, 1.5] {
        let (mut read_ok, mut drawn, mut wrong) = (0, 0, 0);
        for value in values {
            for set in sets {
                for phase in 0..phases {
                    let dpi = 254.0;
                    let mut img = GrayImage::from_pixel(700, 120, Luma([255]));
                    let block = Block {
                        x_mm: (40.0 + f64::from(phase) / f64::from(phases)) / dpi * 25.4,
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
                    let img = threshold(&img, 128);
                    let symbols = read(&img, Engine::Own);
                    drawn += 1;
                    let ok = symbols.iter().any(|s| s.value == value);
                    read_ok += usize::from(ok);
                    if !ok && std::env::var_os("MISSES").is_some() {
                        println!("  missed {value} {set:?} phase {phase}/{phases}");
                    }
                    wrong += symbols.iter().filter(|s| s.value != value).count();
                }
            }
        }
        println!("{ppm:.1} px/module: {read_ok}/{drawn} read, {wrong} other values");
    }
}
