//! Hand marks on group pads: which RPPS symbol the prescriber singled out (Annexe I: "the
//! prescriber singles out his own so that reading is immediate and unambiguous").
//!
//! Each RPPS symbol is looked at in its own frame (bars upright, mm), over a window a few
//! centimetres around its block (legend, bars, HRI). What is printed is the same around
//! every symbol of a pad; the hand mark is what differs:
//! - a circle or a box around the block puts pen ink all around it ([`Evidence::ring`]:
//!   the share of directions from the block's centre in which ink lies outside it);
//! - a tick or an arrow beside it puts a stroke of ink left or right of the bars
//!   ([`Evidence::beside`], mm² of ink);
//! - a highlighter greys the paper along the bars, their quiet zones included
//!   ([`Evidence::highlight`]; the spaces between the bars are no guide, blur greys them);
//! - a stroke through the bars (a line or a cross: the symbol is struck out) leaves ink in
//!   the spaces along a straight line, while the bars are the same on every row
//!   ([`Evidence::strike`]).
//!
//! This stage reads pixels and quads; the judge decides who the prescriber is.

use image::GrayImage;

use crate::decode::Symbol;
use crate::text::strip::{Frame, Strip};

/// Samples per mm of the window.
const PER_MM: f64 = 4.0;
/// Half-widths of the block itself around the bars, mm: left/right, above (the legend),
/// below (the HRI). Ink there is print.
const BLOCK_SIDE_MM: f64 = 1.5;
const BLOCK_ABOVE_MM: f64 = 4.5;
const BLOCK_BELOW_MM: f64 = 5.0;
/// How far around the block a mark is looked for, mm.
const REACH_MM: f64 = 15.0;
/// How far above and below the bars ink beside them still counts as beside, mm.
const BESIDE_SLACK_MM: f64 = 1.0;
/// Height of the corners above and below the block's ends, mm: a stamp or a signature
/// beside the block runs on into them, a tick or an arrow stays level with the block.
const CORNER_MM: f64 = 5.0;
/// Directions around the block's centre.
const SECTORS: usize = 16;
/// Ink (mm²) a direction needs to count as marked.
const SECTOR_INK_MM2: f64 = 0.15;

/// Thresholds of each kind of mark (measured on the corpus's group pads: a drawn circle
/// covers every direction, page furniture and stamps at most 0.56 of them).
const RING: f64 = 0.75;
/// Ink beside the bars of a tick or an arrow, mm²; more is a stamp or a signature.
const BESIDE_MM2: [f64; 2] = [2.5, 20.0];
/// Ink beside the bars that is a tick or an arrow even with print above or below the
/// block (a logo, a title); less must stand alone, mm².
const CLEAR_TICK_MM2: f64 = 5.0;
/// Ink above or below the block that rules out a tick or an arrow (a stamp reaches below
/// the symbol) and that a box around the block has on both sides, mm².
const AROUND_MM2: f64 = 1.0;
/// Most ink one pen line along a side of the block leaves, mm² (50 mm at 0.7 mm).
const OUTLINE_MM2: f64 = 35.0;
/// Share of directions a box around the block covers at least (its corners fall
/// outside the window's sectors less than a circle's arc does).
const BOX_RING: f64 = 0.4;
const HIGHLIGHT: f64 = 25.0;
/// The stretch of each quiet zone whose paper tells a highlighter, mm beyond the bars:
/// past the blur of the outer bars, within the 10 modules every quiet zone has.
const QUIET_FROM_MM: f64 = 1.0;
const QUIET_TO_MM: f64 = 2.0;
const STRIKE: f64 = 0.6;
/// Below these, nothing around a symbol looks like a mark: less ink beside it than the
/// least a tick leaves (specks of noise, JPEG ringing and speckle stay under 2 mm² on the
/// corpus), directions around it no more than furniture and stamps cover.
const PLAIN_RING: f64 = 0.55;
const PLAIN_BESIDE_MM2: f64 = 2.0;
const PLAIN_HIGHLIGHT: f64 = 12.0;

/// What the ink around one symbol shows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Share of the directions around the block in which ink lies outside it (0–1).
    pub ring: f64,
    /// Ink left or right of the bars, within reach, mm² (the larger side).
    pub beside: f64,
    /// How much greyer the quiet zones (1–2 mm beyond the bars) are than the paper
    /// around the block (ink, 0–255).
    pub highlight: f64,
    /// Ink above and below the block, within reach, mm².
    pub above: f64,
    pub below: f64,
    /// Of the ink above and below, what lies beyond the block's end on the side with more
    /// ink beside it (the corners a tick or an arrow leaves empty), mm².
    pub corners: f64,
    /// Share of the bars' rows crossed, in the spaces, by one straight line (0–1).
    pub strike: f64,
}

impl Evidence {
    /// Whether a mark singles the symbol out (circle, box, tick, arrow, highlighter).
    pub fn singled_out(&self) -> bool {
        let pen_beside = (BESIDE_MM2[0]..=BESIDE_MM2[1]).contains(&self.beside);
        let circled = self.ring >= RING;
        // A box is pen lines on every side; a stamp or a signature is much more ink.
        let outline = |ink: f64| (AROUND_MM2..=OUTLINE_MM2).contains(&ink);
        let boxed =
            self.ring >= BOX_RING && outline(self.above) && outline(self.below) && pen_beside;
        // A tick or an arrow stays level with the block; printed text and logos further
        // above or below do not matter, a stamp or a signature runs on into the corners.
        // Little ink beside (a short stroke, or the edge of a stamp) counts only with
        // nothing above or below the block at all.
        let isolated = self.above < AROUND_MM2 && self.below < AROUND_MM2;
        let ticked =
            self.corners < AROUND_MM2 && pen_beside && (self.beside >= CLEAR_TICK_MM2 || isolated);
        circled || boxed || ticked || self.highlight >= HIGHLIGHT
    }

    /// Whether nothing near the symbol could be a mark at all: the other symbols of a pad
    /// must look like this for one mark to single one out (a mark half seen elsewhere
    /// makes the page ambiguous, never another prescriber's).
    pub fn plain(&self) -> bool {
        self.ring < PLAIN_RING && self.beside < PLAIN_BESIDE_MM2 && self.highlight < PLAIN_HIGHLIGHT
    }

    /// Whether the symbol is struck out: a straight stroke through the bars, and no more —
    /// the edge of a stamp or a signature over them runs on into the corners, a circle's
    /// arc all around.
    pub fn struck(&self) -> bool {
        self.strike >= STRIKE && self.corners < AROUND_MM2 && self.ring < RING
    }
}

/// The ink around each of a page's `symbols`, relative to the page: how grey the paper
/// by the bars looks depends on the scan (toner, fold shadows, JPEG) as well as on a
/// highlighter, so each symbol's [`Evidence::highlight`] is taken above the median of the
/// page's symbols (the structure's included, which no one highlights).
pub fn on_page(image: &GrayImage, symbols: &[Symbol], dpi: f64) -> Vec<Option<Evidence>> {
    let mut all: Vec<Option<Evidence>> = symbols.iter().map(|s| evidence(image, s, dpi)).collect();
    let levels: Vec<f32> = all.iter().flatten().map(|e| e.highlight as f32).collect();
    let usual = f64::from(median(&levels));
    for e in all.iter_mut().flatten() {
        e.highlight -= usual;
    }
    all
}

/// The ink around `symbol` on `image` (resolution `dpi`); `None` when its quad gives no
/// frame. [`Evidence::highlight`] is absolute here (see [`on_page`]).
pub fn evidence(image: &GrayImage, symbol: &Symbol, dpi: f64) -> Option<Evidence> {
    let frame = Frame::new(symbol, dpi)?;
    let (length, height) = (frame.length_mm, frame.height_mm);
    let x_mm = [-REACH_MM, length + REACH_MM];
    let y_mm = [-REACH_MM, height + REACH_MM];
    let window = frame.strip(image, x_mm, y_mm, PER_MM);
    let bars = frame.strip(image, [0.0, length], [0.0, height], PER_MM);
    let bar_ink = percentile(&bars.ink, 0.9);
    if bar_ink < 40.0 {
        return None;
    }
    let dark = 0.5 * bar_ink;
    let place = |i: usize, j: usize| {
        [
            x_mm[0] + (i as f64 + 0.5) / PER_MM,
            y_mm[0] + (j as f64 + 0.5) / PER_MM,
        ]
    };
    let in_block = |p: [f64; 2]| {
        (-BLOCK_SIDE_MM..=length + BLOCK_SIDE_MM).contains(&p[0])
            && (-BLOCK_ABOVE_MM..=height + BLOCK_BELOW_MM).contains(&p[1])
    };
    let centre = [length / 2.0, height / 2.0];
    let pixel_mm2 = 1.0 / (PER_MM * PER_MM);
    let mut sectors = [0.0f64; SECTORS];
    let (mut left, mut right, mut above, mut below) = (0.0, 0.0, 0.0, 0.0);
    let (mut left_corners, mut right_corners) = (0.0, 0.0);
    let mut paper = Vec::new();
    for j in 0..window.h {
        for i in 0..window.w {
            let p = place(i, j);
            if in_block(p) {
                continue;
            }
            let v = window.at(i, j);
            if v < dark {
                paper.push(v);
                continue;
            }
            let a = (p[1] - centre[1]).atan2(p[0] - centre[0]);
            let s = ((a / std::f64::consts::TAU + 0.5) * SECTORS as f64) as usize % SECTORS;
            sectors[s] += pixel_mm2;
            let level = (-BLOCK_ABOVE_MM..=height + BLOCK_BELOW_MM).contains(&p[1]);
            // Beside means level with the bars: a legend or a line of digits wider than
            // the symbol overhangs its ends above and below them.
            let beside_bars = (-BESIDE_SLACK_MM..=height + BESIDE_SLACK_MM).contains(&p[1]);
            if level && !beside_bars {
                continue;
            }
            if beside_bars && p[0] < 0.0 {
                left += pixel_mm2;
            } else if beside_bars && p[0] > length {
                right += pixel_mm2;
            } else {
                if p[1] < 0.0 {
                    above += pixel_mm2;
                } else {
                    below += pixel_mm2;
                }
                let near = (-BLOCK_ABOVE_MM - CORNER_MM..=height + BLOCK_BELOW_MM + CORNER_MM)
                    .contains(&p[1]);
                if near && p[0] < -BLOCK_SIDE_MM {
                    left_corners += pixel_mm2;
                } else if near && p[0] > length + BLOCK_SIDE_MM {
                    right_corners += pixel_mm2;
                }
            }
        }
    }
    let ring = sectors.iter().filter(|&&s| s >= SECTOR_INK_MM2).count() as f64 / SECTORS as f64;
    let quiet: Vec<f32> = (0..window.h)
        .flat_map(|j| (0..window.w).map(move |i| (i, j)))
        .filter(|&(i, j)| in_quiet_zone(place(i, j), length, height))
        .map(|(i, j)| window.at(i, j))
        .filter(|&v| v < dark)
        .collect();
    let highlight = f64::from(median(&quiet) - median(&paper));
    Some(Evidence {
        ring,
        beside: f64::max(left, right),
        highlight,
        above,
        below,
        corners: if left >= right {
            left_corners
        } else {
            right_corners
        },
        strike: strike(&bars, dark),
    })
}

/// Whether a point of the symbol's frame (mm) lies in its quiet zones, away from the bars'
/// blur: where a highlighter stroke along the bars greys the paper and print never does.
fn in_quiet_zone(p: [f64; 2], length: f64, height: f64) -> bool {
    let off = if p[0] < 0.0 { -p[0] } else { p[0] - length };
    (0.0..=height).contains(&p[1]) && (QUIET_FROM_MM..=QUIET_TO_MM).contains(&off)
}

/// Share of the rows of the bars' strip that one straight line crosses in ink the bars do
/// not explain: each column's median over the rows is its print, ink well above it is
/// something else.
fn strike(bars: &Strip, dark: f32) -> f64 {
    let (w, h) = (bars.w, bars.h);
    if w < 8 || h < 8 {
        return 0.0;
    }
    let column: Vec<f32> = (0..w)
        .map(|i| median(&(0..h).map(|j| bars.at(i, j)).collect::<Vec<_>>()))
        .collect();
    let extra: Vec<(usize, usize)> = (0..h)
        .flat_map(|j| (0..w).map(move |i| (i, j)))
        .filter(|&(i, j)| bars.at(i, j) - column[i] >= dark)
        .collect();
    // A horizontal stroke: one row band whose spaces are inked across most columns.
    let mut best = 0.0f64;
    let spaces = column.iter().filter(|&&c| c < dark).count().max(1);
    for j in 0..h {
        let hit = extra.iter().filter(|&&(_, y)| y.abs_diff(j) <= 1).count();
        if hit as f64 >= 0.7 * spaces as f64 {
            best = 1.0;
        }
    }
    // A slanted stroke: lines from (top, 0) to (bottom, h) in column units; each inked
    // pixel votes for the lines through it, then the rows each line meets are counted.
    let step = 2usize;
    let ends: Vec<isize> = (-(w as isize) / 4..=(w as isize) * 5 / 4)
        .step_by(step)
        .collect();
    let mut votes = vec![0u32; ends.len() * ends.len()];
    for &(i, j) in &extra {
        let f = (j as f64 + 0.5) / h as f64;
        for (a, &top) in ends.iter().enumerate() {
            // i = top + f (bottom − top) → bottom.
            if f < 0.05 {
                continue;
            }
            let bottom = top as f64 + (i as f64 - top as f64) / f;
            let b = ((bottom - ends[0] as f64) / step as f64).round();
            if b >= 0.0 && (b as usize) < ends.len() {
                votes[a * ends.len() + b as usize] += 1;
            }
        }
    }
    if let Some((k, _)) = votes.iter().enumerate().max_by_key(|(_, v)| **v) {
        let (top, bottom) = (ends[k / ends.len()] as f64, ends[k % ends.len()] as f64);
        let mut rows = vec![false; h];
        for &(i, j) in &extra {
            let f = (j as f64 + 0.5) / h as f64;
            let x = top + f * (bottom - top);
            if (i as f64 - x).abs() <= 1.5 * step as f64 {
                rows[j] = true;
            }
        }
        // Rows where the line runs over a bar show nothing: count a row crossed when a
        // row within half a millimetre is.
        let reach = (PER_MM / 2.0) as usize;
        let crossed = (0..h)
            .filter(|&j| (j.saturating_sub(reach)..=(j + reach).min(h - 1)).any(|r| rows[r]))
            .count();
        // A line that barely slants covers too few columns to be a stroke through the bars.
        if (bottom - top).abs() >= 0.3 * w as f64 {
            best = best.max(crossed as f64 / h as f64);
        }
    }
    best
}

fn median(v: &[f32]) -> f32 {
    percentile(v, 0.5)
}

/// The `q` quantile of `v` (0 when empty).
fn percentile(v: &[f32], q: f64) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let mut v = v.to_vec();
    let k = ((v.len() - 1) as f64 * q) as usize;
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::code128::CodeSets;
    use crate::synth::{Block, TextStyle, draw_block, stroke_ink};

    const DPI: f64 = 300.0;

    /// A block (legend, bars 30 × 8 mm, HRI) at 30 mm from the corner of a 100 × 80 mm
    /// page, with `mark` drawn over it (pixels per mm given), and the symbol as read.
    fn page(mark: impl Fn(&mut GrayImage, f64)) -> (GrayImage, Symbol) {
        let px = DPI / 25.4;
        let mut img =
            GrayImage::from_pixel((100.0 * px) as u32, (80.0 * px) as u32, image::Luma([255]));
        let block = Block {
            x_mm: 30.0,
            y_mm: 30.0,
            value: "10001045367".to_owned(),
            sets: CodeSets::Shortest,
            x_dim_mm: 0.33,
            height_mm: 8.0,
            legend: Some("N° RPPS".to_owned()),
            hri: Some("10001045367".to_owned()),
            style: TextStyle::default(),
            bar_gain_mm: 0.0,
        };
        draw_block(&mut img, &block, DPI).unwrap();
        mark(&mut img, px);
        let symbol = crate::decode::read(&img, crate::decode::Engine::Own)
            .into_iter()
            .find(|s| s.value == "10001045367")
            .expect("the symbol reads through the mark");
        (img, symbol)
    }

    fn seen(mark: impl Fn(&mut GrayImage, f64)) -> Evidence {
        let (img, symbol) = page(mark);
        evidence(&img, &symbol, DPI).expect("evidence")
    }

    #[test]
    fn a_plain_symbol_is_plain() {
        let e = seen(|_, _| {});
        assert!(e.plain() && !e.singled_out() && !e.struck(), "{e:?}");
    }

    #[test]
    fn a_circle_a_tick_and_a_highlighter_single_it_out() {
        let circle = seen(|img, px| {
            let (c, r) = ([45.0 * px, 36.0 * px], [24.0 * px, 13.0 * px]);
            for k in 0..48 {
                let at = |k: usize| {
                    let t = std::f64::consts::TAU * k as f64 / 48.0;
                    [c[0] + r[0] * t.cos(), c[1] + r[1] * t.sin()]
                };
                stroke_ink(img, at(k), at(k + 1), 0.5 * px, 60);
            }
        });
        assert!(circle.singled_out() && !circle.plain(), "{circle:?}");
        let tick = seen(|img, px| {
            let (x, y) = (21.0 * px, 34.0 * px);
            stroke_ink(img, [x, y], [x + 3.0 * px, y + 4.0 * px], 0.5 * px, 40);
            stroke_ink(
                img,
                [x + 3.0 * px, y + 4.0 * px],
                [x + 8.0 * px, y - 6.0 * px],
                0.5 * px,
                40,
            );
        });
        assert!(tick.singled_out(), "{tick:?}");
        let highlighted = seen(|img, px| {
            let y = 34.0 * px;
            stroke_ink(img, [27.0 * px, y], [72.0 * px, y], 10.0 * px, 200);
        });
        assert!(highlighted.highlight >= HIGHLIGHT, "{highlighted:?}");
    }

    #[test]
    fn ticks_strikes_and_stamps_are_told_apart_by_where_the_ink_lies() {
        let nothing = Evidence::default();
        // A tick beside the bars, with a logo or a title further above or below.
        let tick = Evidence {
            beside: 8.0,
            above: 44.0,
            ..nothing
        };
        assert!(tick.singled_out(), "{tick:?}");
        // The same ink running on into the corners beside the block: a stamp.
        let stamp = Evidence {
            corners: 3.0,
            ..tick
        };
        assert!(!stamp.singled_out(), "{stamp:?}");
        // Little ink beside counts only alone.
        let speck = Evidence {
            beside: 3.0,
            ..nothing
        };
        assert!(speck.singled_out(), "{speck:?}");
        let stamp_edge = Evidence {
            below: 13.0,
            ..speck
        };
        assert!(!stamp_edge.singled_out(), "{stamp_edge:?}");
        // A straight stroke through the bars strikes out; not when it is the edge of a
        // stamp (ink in the corners) or an arc of a circle around the block.
        let stroke = Evidence {
            strike: 1.0,
            ..nothing
        };
        assert!(stroke.struck());
        assert!(
            !Evidence {
                corners: 2.5,
                ..stroke
            }
            .struck()
        );
        assert!(
            !Evidence {
                ring: 1.0,
                ..stroke
            }
            .struck()
        );
    }

    #[test]
    fn a_stroke_through_the_bars_strikes_it_out() {
        let struck = seen(|img, px| {
            stroke_ink(
                img,
                [30.0 * px, 30.0 * px],
                [60.0 * px, 38.0 * px],
                0.5 * px,
                30,
            );
        });
        assert!(struck.struck() && !struck.singled_out(), "{struck:?}");
    }

    #[test]
    fn a_stamp_beside_the_symbol_is_no_mark() {
        let stamped = seen(|img, px| {
            let (x, y, w, h) = (40.0 * px, 35.0 * px, 40.0 * px, 18.0 * px);
            let c = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
            for i in 0..4 {
                stroke_ink(img, c[i], c[(i + 1) % 4], 0.7 * px, 110);
            }
            for k in 0..5 {
                let ty = y + (3.0 + 3.0 * k as f64) * px;
                stroke_ink(
                    img,
                    [x + 3.0 * px, ty],
                    [x + w - 3.0 * px, ty],
                    1.5 * px,
                    110,
                );
            }
        });
        assert!(!stamped.singled_out(), "{stamped:?}");
    }
}
