//! Whether a symbol's bars survived a thresholded scan: the corpus truth's `readable`,
//! decided from the degraded image and the exact geometry the generator drew.
//!
//! A bilevel scan or a fax keeps only which side of the threshold each pixel fell on. When
//! a blurred or faded print is thresholded, narrow spaces can fill in and narrow bars vanish
//! on every pixel: no reader gets the value back from such bars. (Grey scans keep their
//! information up to noise — a blur only moves it — so the corpus counts every symbol on
//! them as readable.)
//!
//! The test is an *oracle* reader, as lenient as a reader can be: it knows exactly where
//! every module of the symbol lies (the generator drew them). On every row of the bars, top
//! to bottom, a character position is read when either
//! - every boundary of its elements (and of their neighbours) still shows: the lightest
//!   sample of the space is lighter than the darkest of the bar by half the grey scale
//!   (samples every 0.1 module over each element less 0.15 module at each end); or
//! - its true pattern is strictly the closest of the candidates for that position (a start
//!   code first, data values and code-set switches after) to the ink cover of its eleven
//!   modules, every candidate's bars widened or thinned by the row's ink gain — what the
//!   row's ink over the whole symbol says the print gained or lost per bar — so that a faded
//!   print's thin bars, or even a vanished narrow bar, still pick the right pattern.
//!
//! A character is read when at least [`MIN_ROWS`] rows read it. The symbol is readable when
//! every character is read but at most one, which the check character restores; or when
//! those not read are each tied with one other pattern (rows on which exactly one rival is
//! as close), at most four, and no choice of the rivals but the true one passes the check
//! character. The stop counts as read when its first eleven modules beat every data
//! pattern.

use image::GrayImage;

use crate::decode::distance as dist;
use crate::decode::patterns::PATTERNS;
use crate::locate::sample;

/// Rows that must read a character.
pub const MIN_ROWS: usize = 2;

/// A boundary between a bar and a space shows when the space is lighter by this much.
const CONTRAST: f64 = 127.5;

/// Start codes A, B, C.
const STARTS: std::ops::RangeInclusive<usize> = 103..=105;

/// Data values and code-set switches.
const DATA: std::ops::RangeInclusive<usize> = 0..=102;

/// Samples per module for its ink cover.
const COVER_SAMPLES: usize = 4;

/// Whether the Code 128 symbol with bar/space widths `modules` (bar first, stop included)
/// drawn in `quad` (page pixels: top-left, top-right, bottom-right, bottom-left of the
/// bars) can still be read from the thresholded `page` by a reader that knows its geometry.
pub fn bars_survive(page: &GrayImage, modules: &[u8], quad: [[f64; 2]; 4]) -> bool {
    if modules.len() < 13 || !(modules.len() - 7).is_multiple_of(6) {
        return false;
    }
    // The drawing and the sampling place a pixel's value half a pixel apart, and a quarter
    // turn of the page moves that half pixel to the other axis: the oracle may look up to a
    // pixel either way along the bars.
    let width_px = (dist(quad[0], quad[1]) + dist(quad[3], quad[2])) / 2.0;
    (-4..=4).any(|k| reads(page, modules, quad, f64::from(k) * 0.25 / width_px))
}

/// [`bars_survive`] with the modules shifted by `shift` of the symbol's width.
fn reads(page: &GrayImage, modules: &[u8], quad: [[f64; 2]; 4], shift: f64) -> bool {
    let total: usize = modules.iter().map(|&m| usize::from(m)).sum();
    let bars = modules.len().div_ceil(2);
    let bar_modules: usize = modules.iter().step_by(2).map(|&m| usize::from(m)).sum();
    let chars = (modules.len() - 7) / 6 + 1;
    let truth: Vec<&[u8]> = (0..chars).map(|c| &modules[6 * c..6 * c + 6]).collect();
    let height_px = (dist(quad[0], quad[3]) + dist(quad[1], quad[2])) / 2.0;
    let rows = height_px.ceil().max(1.0) as usize;
    let mut read = vec![
        Tally {
            read: 0,
            twinned: [0; 106],
        };
        chars
    ];
    let mut cover = vec![0.0; total];
    let mut extremes = Vec::with_capacity(modules.len() + 2);
    for r in 0..=rows {
        let v = r as f64 / rows as f64;
        let grey = |m: f64| {
            let p = point(quad, m / total as f64 + shift, v);
            sample(page, p[0], p[1])
        };
        for (m, c) in cover.iter_mut().enumerate() {
            *c = (0..COVER_SAMPLES)
                .map(|k| 1.0 - grey(m as f64 + (k as f64 + 0.5) / COVER_SAMPLES as f64) / 255.0)
                .sum::<f64>()
                / COVER_SAMPLES as f64;
        }
        let gain = (cover.iter().sum::<f64>() - bar_modules as f64) / bars as f64;
        let extreme = |start: f64, width: f64, bar: bool| {
            let (lo, hi) = (start + 0.15, start + width - 0.15);
            let steps = ((hi - lo) / 0.1).ceil().max(1.0) as usize;
            let samples = (0..=steps).map(|k| grey(lo + (hi - lo) * k as f64 / steps as f64));
            if bar {
                samples.fold(f64::MAX, f64::min)
            } else {
                samples.fold(f64::MIN, f64::max)
            }
        };
        // The elements' extremes, between the quiet zones' (three modules each side).
        extremes.clear();
        extremes.push(extreme(-3.0, 3.0, false));
        let mut start = 0.0;
        for (i, &m) in modules.iter().enumerate() {
            extremes.push(extreme(start, f64::from(m), i % 2 == 0));
            start += f64::from(m);
        }
        extremes.push(extreme(total as f64, 3.0, false));
        // Boundary k lies between extremes[k] (a space when k is even) and extremes[k + 1].
        let shows = |k: usize| {
            let (space, bar) = if k.is_multiple_of(2) {
                (extremes[k], extremes[k + 1])
            } else {
                (extremes[k + 1], extremes[k])
            };
            space - bar >= CONTRAST
        };
        let expected: Vec<[f64; 11]> = PATTERNS.iter().map(|p| ink_cover(p, gain)).collect();
        for (c, count) in read.iter_mut().enumerate() {
            let last = if c + 1 == chars {
                modules.len()
            } else {
                6 * c + 6
            };
            let at = &cover[11 * c..11 * c + 11];
            let own = distance(at, &ink_cover(truth[c], gain));
            let rivals = if c == 0 { STARTS } else { DATA };
            let mut near = rivals
                .filter(|&p| PATTERNS[p][..] != *truth[c])
                .filter(|&p| distance(at, &expected[p]) <= own);
            let first = near.next();
            if first.is_none() || (6 * c..=last).all(shows) {
                count.read += 1;
            } else if let (Some(rival), None) = (first, near.next()) {
                count.twinned[rival] += 1;
            }
        }
    }
    settle(&read, &truth)
}

/// What the rows said of one character position.
#[derive(Clone)]
struct Tally {
    /// Rows on which the true pattern was the closest, or all its boundaries showed.
    read: usize,
    /// Rows on which exactly one rival was as close as the true pattern, per rival.
    twinned: [usize; 106],
}

/// Whether the characters' tallies give the value: every position read, but at most one
/// lost outright (an erasure the check character restores), or positions twinned with one
/// rival each that the check character settles (no other choice of twins passes it).
fn settle(tallies: &[Tally], truth: &[&[u8]]) -> bool {
    let value = |c: usize| PATTERNS.iter().position(|p| p[..] == *truth[c]);
    let mut lost = 0;
    let mut twins = Vec::new();
    for (c, t) in tallies.iter().enumerate() {
        if t.read >= MIN_ROWS {
            continue;
        }
        let best = (0..106).max_by_key(|&r| (t.twinned[r], std::cmp::Reverse(r)));
        match (best, value(c)) {
            (Some(r), Some(own)) if t.read + t.twinned[r] >= MIN_ROWS && c + 1 < truth.len() => {
                twins.push((c, own, r));
            }
            _ => lost += 1,
        }
    }
    if twins.is_empty() {
        return lost <= 1;
    }
    if lost > 0 || twins.len() > 4 {
        return false;
    }
    // Positions 0 (start) to n - 2 (the check character): start + Σ i·value ≡ check.
    let Some(mut values) = (0..truth.len() - 1)
        .map(value)
        .collect::<Option<Vec<usize>>>()
    else {
        return false;
    };
    let checks = |values: &[usize]| {
        let (check, body) = values.split_last().expect("a start and a check");
        let sum: usize = body.iter().enumerate().map(|(i, &v)| i.max(1) * v).sum();
        sum % 103 == *check
    };
    // Every choice of twins but the true one must fail the check.
    (1..1usize << twins.len()).all(|choice| {
        for (bit, &(c, own, rival)) in twins.iter().enumerate() {
            values[c] = if choice >> bit & 1 == 1 { rival } else { own };
        }
        !checks(&values)
    })
}

/// The ink cover of a character's eleven modules (bar/space widths, bar first) when every
/// bar gains `gain` modules of width, half on each side.
fn ink_cover(widths: &[u8], gain: f64) -> [f64; 11] {
    let mut cover = [0.0; 11];
    let mut start = 0.0;
    for (i, &w) in widths.iter().enumerate() {
        let end = start + f64::from(w);
        if i % 2 == 0 {
            let (a, b) = (start - gain / 2.0, end + gain / 2.0);
            for (m, c) in cover.iter_mut().enumerate() {
                let m = m as f64;
                *c += (b.min(m + 1.0) - a.max(m)).max(0.0);
            }
        }
        start = end;
    }
    cover.map(|c: f64| c.min(1.0))
}

fn distance(a: &[f64], b: &[f64; 11]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

/// The point at `u` along the bars and `v` down them, bilinear in `quad`.
fn point(quad: [[f64; 2]; 4], u: f64, v: f64) -> [f64; 2] {
    let lerp =
        |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    lerp(lerp(quad[0], quad[1], u), lerp(quad[3], quad[2], u), v)
}

#[cfg(test)]
mod tests {
    use image::{GrayImage, Luma};

    use super::*;
    use crate::synth::code128::CodeSets;
    use crate::synth::degrade::{blur, threshold};
    use crate::synth::{Block, TextStyle, draw_block};

    /// An RPPS symbol at `px_per_module` on white paper, every bar widened by `gain`
    /// modules; the page, the symbol's modules and its quad.
    fn symbol(px_per_module: f64, gain: f64) -> (GrayImage, Vec<u8>, [[f64; 2]; 4]) {
        let dpi = 200.0;
        let x_dim_mm = px_per_module / dpi * 25.4;
        let block = Block {
            x_mm: 5.0,
            y_mm: 5.0,
            value: "10100224947".to_owned(),
            sets: CodeSets::Shortest,
            x_dim_mm,
            height_mm: 6.0,
            legend: None,
            hri: None,
            style: TextStyle::default(),
            bar_gain_mm: gain * x_dim_mm,
        };
        let mut page = GrayImage::from_pixel(500, 100, Luma([255]));
        let quad = draw_block(&mut page, &block, dpi).unwrap();
        (page, block.modules().unwrap(), quad)
    }

    #[test]
    fn clean_thresholded_symbols_survive_down_to_the_smallest_module() {
        for ppm in [1.25, 1.5, 2.0, 3.0] {
            let (page, modules, quad) = symbol(ppm, 0.0);
            assert!(
                bars_survive(&threshold(&page, 128), &modules, quad),
                "{ppm}"
            );
        }
    }

    /// A blurred print thresholded light: every narrow space fills in.
    #[test]
    fn a_blurred_fax_whose_narrow_spaces_filled_in_is_lost() {
        let (page, modules, quad) = symbol(1.6, 0.0);
        let blurred = blur(&page, 1.0);
        assert!(bars_survive(&threshold(&blurred, 128), &modules, quad));
        let filled = threshold(&blurred, 215);
        assert!(!bars_survive(&filled, &modules, quad));
    }

    /// Faded ink thresholded: every bar thins by three quarters of a module and some narrow
    /// bars vanish, but the others, and the ink they lost, still tell the patterns (with
    /// the check character to settle a narrow bar that could have been one module further).
    /// ordoscan's own reader reads this symbol.
    #[test]
    fn narrow_bars_vanished_from_thinned_ink_are_read_from_the_others() {
        let (page, modules, quad) = symbol(2.5, -0.75);
        let thinned = threshold(&page, 128);
        let total: f64 = modules.iter().map(|&m| f64::from(m)).sum();
        let mut at = 0.0;
        let mut vanished = 0;
        for (i, &m) in modules.iter().enumerate() {
            let p = point(quad, (at + f64::from(m) / 2.0) / total, 0.5);
            if i % 2 == 0 && thinned.get_pixel(p[0] as u32, p[1] as u32).0[0] == 255 {
                vanished += 1;
            }
            at += f64::from(m);
        }
        assert!(vanished > 0);
        assert!(bars_survive(&thinned, &modules, quad));
        // Thinned by nine tenths of a module, they are gone.
        let (page, modules, quad) = symbol(2.5, -0.9);
        assert!(!bars_survive(&threshold(&page, 128), &modules, quad));
    }

    /// One character wiped out on every row is restored by the check character; two are
    /// not.
    #[test]
    fn one_lost_character_is_restored_two_are_not() {
        let (mut page, modules, quad) = symbol(2.0, 0.0);
        let total: f64 = modules.iter().map(|&m| f64::from(m)).sum();
        // The symbol is upright: a character is the columns between its first and last
        // module.
        let wipe = |page: &mut GrayImage, c: f64| {
            let (a, b) = (
                point(quad, 11.0 * c / total, 0.0),
                point(quad, 11.0 * (c + 1.0) / total, 0.0),
            );
            for x in a[0].ceil() as u32..b[0].floor() as u32 {
                for y in 0..page.height() {
                    page.put_pixel(x, y, Luma([255]));
                }
            }
        };
        wipe(&mut page, 2.0);
        assert!(bars_survive(&page, &modules, quad));
        wipe(&mut page, 4.0);
        assert!(!bars_survive(&page, &modules, quad));
    }
}
