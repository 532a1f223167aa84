//! Faded print faxed (issue #5's fax subset): each of three identifiers in code set B,
//! drawn upright at 1.4–2.2 pixels per module at five sub-pixel phases, its ink lightened
//! to 110–135 on paper 225 and thresholded at 140 as a fax does, then read by the own
//! reader (whole page). One-module bars come out a pixel wide or vanish as they fall on
//! the pixels. Prints, per pixels-per-module and ink, the symbols read out of those
//! drawn; panics on any value read that is not the one drawn. A development aid.
//! `cargo run --release --example faded_sweep`
use image::{GrayImage, Luma};
use ordoscan::decode::{Engine, read};
use ordoscan::synth::code128::CodeSets;
use ordoscan::synth::degrade::{faded, threshold};
use ordoscan::synth::{Block, TextStyle, draw_block};

fn main() {
    let values = ["10001045367", "750712184", "10207994970"];
    let phases = 5;
    for ppm in [1.4, 1.6, 1.8, 2.0, 2.2] {
        for ink in [110, 125, 135] {
            let (mut read_ok, mut drawn) = (0, 0);
            for value in values {
                for phase in 0..phases {
                    let dpi = 254.0;
                    let mut img = GrayImage::from_pixel(700, 120, Luma([255]));
                    let block = Block {
                        x_mm: (40.0 + f64::from(phase) / f64::from(phases)) / dpi * 25.4,
                        y_mm: 2.0,
                        value: value.to_owned(),
                        sets: CodeSets::BOnly,
                        x_dim_mm: ppm / dpi * 25.4,
                        height_mm: 8.0,
                        legend: None,
                        hri: None,
                        style: TextStyle::default(),
                        bar_gain_mm: 0.0,
                    };
                    draw_block(&mut img, &block, dpi).expect("drawable");
                    let img = threshold(&faded(&img, ink, 225), 140);
                    let symbols = read(&img, Engine::Own);
                    drawn += 1;
                    read_ok += usize::from(symbols.iter().any(|s| s.value == value));
                    assert!(
                        symbols.iter().all(|s| s.value == value),
                        "{value} {ppm} {ink} {phase}: another value read"
                    );
                }
            }
            println!("{ppm:.1} px/module, ink {ink}: {read_ok}/{drawn} read");
        }
    }
}
