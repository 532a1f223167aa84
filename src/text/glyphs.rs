//! Digit classification for the human-readable line: reference glyphs rendered once from
//! the DejaVu faces (several sizes, blurred, thickened and thinned as scans are), compared
//! to each cut-out character by the correlation of their normalised grey shapes.

use std::cell::RefCell;
use std::sync::OnceLock;

use image::{GrayImage, Luma};

use super::strip::{Blob, Recall, Strip, blobs, dot, footprint, from_image, normalised};
use crate::synth::{Typeface, degrade, draw_text};

/// Grid a character is resampled to.
pub(crate) const COLS: usize = 10;
pub(crate) const ROWS: usize = 14;

/// A reference glyph: which digit, its shape and its width / height.
struct Reference {
    digit: u8,
    shape: Vec<f32>,
    aspect: f32,
}

/// A character's best reading: the digit, its distance, and the distance of every digit.
#[derive(Clone, Debug)]
pub(crate) struct Guess {
    pub(crate) digit: u8,
    pub(crate) by_digit: [f32; 10],
}

impl Guess {
    pub(crate) fn distance(&self) -> f32 {
        self.by_digit[usize::from(self.digit)]
    }

    /// How far the second-best digit is behind the best.
    pub(crate) fn margin(&self) -> f32 {
        let best = self.distance();
        self.by_digit
            .iter()
            .enumerate()
            .filter(|&(d, _)| d != usize::from(self.digit))
            .map(|(_, &v)| v - best)
            .fold(f32::MAX, f32::min)
    }
}

/// Renders `text` at `cap_px` pixels cap height on a white canvas just large enough.
pub(crate) fn render(face: Typeface, text: &str, cap_px: f64) -> GrayImage {
    let pad = (cap_px * 0.6).ceil() + 2.0;
    let w = (cap_px * 1.2 * text.chars().count() as f64 + 2.0 * pad) as u32;
    let h = (cap_px * 1.6 + 2.0 * pad) as u32;
    let mut img = GrayImage::from_pixel(w, h, Luma([255]));
    draw_text(&mut img, face, pad, pad, cap_px, text);
    img
}

/// The bounding box of all ink above `level` in `strip`.
pub(crate) fn ink_box(strip: &Strip, level: f32) -> Option<Blob> {
    let all = blobs(strip, level);
    let first = *all.first()?;
    Some(all.iter().fold(first, |a, b| a.union(b)))
}

fn references() -> &'static [Reference] {
    static REFS: OnceLock<Vec<Reference>> = OnceLock::new();
    REFS.get_or_init(|| {
        let mut refs = Vec::new();
        for face in Typeface::ALL {
            for digit in 0..10u8 {
                let text = char::from(b'0' + digit).to_string();
                for cap in [9.0, 14.0, 22.0] {
                    let img = render(face, &text, cap);
                    let blurred = degrade::blur(&img, 0.35 * cap / 9.0);
                    let variants = [
                        (from_image(&img), 128.0),
                        (from_image(&blurred), 128.0),
                        (from_image(&degrade::threshold(&blurred, 200)), 128.0),
                        (from_image(&degrade::threshold(&blurred, 60)), 128.0),
                    ];
                    for (strip, level) in variants {
                        let Some(b) = ink_box(&strip, level) else {
                            continue;
                        };
                        if let Some(shape) = normalised(&strip, &b, COLS, ROWS) {
                            refs.push(Reference {
                                digit,
                                shape,
                                aspect: b.w() as f32 / b.h() as f32,
                            });
                        }
                    }
                }
            }
        }
        refs
    })
}

/// Classifies the character cut out as `b` in `strip`, whose line has capitals
/// `cap_px` high; `None` when it cannot be a digit (too small, flat).
pub(crate) fn classify(strip: &Strip, b: &Blob, cap_px: f64) -> Option<Guess> {
    if (b.h() as f64) < 0.7 * cap_px || b.h() < 4 {
        return None;
    }
    Recall::get(&GUESSES, footprint(strip, b), || guess(strip, b))
}

thread_local! {
    /// The same character is cut out alike at several thresholds and in several of a
    /// strip's views: its guess is remembered by what it reads of the strip.
    static GUESSES: RefCell<Recall<Option<Guess>>> = RefCell::default();
}

/// Forgets the guesses this thread remembers ([`classify`]).
pub(crate) fn forget() {
    GUESSES.with_borrow_mut(Recall::clear);
}

/// [`classify`] without the size check or the memory.
fn guess(strip: &Strip, b: &Blob) -> Option<Guess> {
    let shape = normalised(strip, b, COLS, ROWS)?;
    let aspect = b.w() as f32 / b.h() as f32;
    let mut by_digit = [f32::MAX; 10];
    for r in references() {
        let cos = dot(&r.shape, &shape);
        let d = 1.0 - cos + 0.5 * (aspect / r.aspect).ln().abs();
        let slot = &mut by_digit[usize::from(r.digit)];
        *slot = slot.min(d);
    }
    let digit =
        (0..10u8).min_by(|&a, &b| by_digit[usize::from(a)].total_cmp(&by_digit[usize::from(b)]))?;
    Some(Guess { digit, by_digit })
}

/// Splits a run of touching characters at the faintest columns near the expected cuts.
pub(crate) fn split(strip: &Strip, b: &Blob, parts: usize, level: f32) -> Vec<Blob> {
    if parts < 2 {
        return vec![*b];
    }
    let column = |x: usize| (b.y0..b.y1).map(|y| strip.at(x, y)).sum::<f32>();
    let pitch = b.w() as f64 / parts as f64;
    let mut cuts = vec![b.x0];
    for k in 1..parts {
        let expected = b.x0 as f64 + pitch * k as f64;
        let lo = (expected - 0.3 * pitch).max(*cuts.last().unwrap_or(&b.x0) as f64 + 1.0) as usize;
        let hi = ((expected + 0.3 * pitch) as usize).min(b.x1 - 1);
        let cut = (lo..=hi.max(lo))
            .min_by(|&x, &y| column(x).total_cmp(&column(y)))
            .unwrap_or(lo);
        cuts.push(cut);
    }
    cuts.push(b.x1);
    cuts.windows(2)
        .filter(|c| c[1] > c[0])
        .map(|c| {
            // Trim each part to its own ink rows.
            let rows = strip
                .ink_rows(c[0]..c[1], b.y0..b.y1, level)
                .unwrap_or(b.y0..b.y1);
            Blob {
                x0: c[0],
                x1: c[1],
                y0: rows.start,
                y1: rows.end,
                area: 0,
            }
        })
        .collect()
}
