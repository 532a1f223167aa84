//! Locate: the exact place and size of a symbol on the page.
//!
//! A reader reports where one scanline crossed a symbol. This stage grows that line into
//! the symbol's quad: it samples the grey profile along the line (bilinear), binarises it
//! at its own mid-grey, then steps perpendicular to the bars on both sides for as long as
//! the profile stays the same — that is the bar height. It also counts the bars to know
//! the module count, hence the pixels per module. It reads pixels and nothing else.

mod candidates;

pub use candidates::{Candidate, candidates, survey};

use image::GrayImage;
use wide::{f64x4, i32x4};

use crate::decode::Symbology;

/// A symbol's measured geometry, in page pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// Corners, clockwise from the start of the first bar's top.
    pub quad: [[f64; 2]; 4],
    /// Pixels per module (Code 128 only: its bar count gives the module count).
    pub px_per_module: Option<f64>,
}

/// Grey value at a sub-pixel position (bilinear), white outside the image.
pub fn sample(image: &GrayImage, x: f64, y: f64) -> f64 {
    let (w, h) = image.dimensions();
    if !(x >= 0.0 && y >= 0.0 && x <= f64::from(w - 1) && y <= f64::from(h - 1)) {
        return 255.0;
    }
    // Non-negative here, so truncation is the floor.
    let (x0, y0) = (x as usize, y as usize);
    let (w, h) = (w as usize, h as usize);
    let x1 = if x0 + 1 < w { x0 + 1 } else { x0 };
    let (row0, row1) = (y0 * w, if y0 + 1 < h { y0 + 1 } else { y0 } * w);
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let raw = image.as_raw();
    let p = |i: usize| f64::from(raw[i]);
    let top = p(row0 + x0) * (1.0 - fx) + p(row0 + x1) * fx;
    let bottom = p(row1 + x0) * (1.0 - fx) + p(row1 + x1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// 2^52: a non-negative double below 2^51 with this added holds its nearest integer in
/// its low bits (ties to even), and with it taken off again is that integer.
const INTEGER_BITS: f64 = 4_503_599_627_370_496.0;

/// The floors of four non-negative doubles below 2^51, exactly: one rounding instruction
/// where AVX is enabled (the default build's `target-cpu=native`); without it `floor` is
/// a library call on baseline x86-64, and a conversion to integers and back costs more
/// than this.
#[inline(always)]
fn floor4(v: f64x4) -> f64x4 {
    if cfg!(target_feature = "avx") {
        v.floor()
    } else {
        floor_by_rounding(v)
    }
}

/// [`floor4`] without a rounding instruction: 2^52 added and taken off, less one where
/// that rounded up.
#[inline(always)]
fn floor_by_rounding(v: f64x4) -> f64x4 {
    let big = f64x4::splat(INTEGER_BITS);
    let nearest = (v + big) - big;
    nearest - (nearest.simd_gt(v) & f64x4::ONE)
}

/// The places in a raw image `stride` pixels wide of four pixels at whole columns `x`
/// and rows `y` (both from [`floor4`], on the image): worked out as doubles, exact far
/// below 2^51, and read off their bits.
#[inline(always)]
fn places4(x: f64x4, y: f64x4, stride: usize) -> [usize; 4] {
    (y * f64x4::splat(stride as f64) + x + f64x4::splat(INTEGER_BITS))
        .to_array()
        .map(|v| (v.to_bits() - INTEGER_BITS.to_bits()) as usize)
}

/// The smallest and the largest of `values` (`(f64::MAX, f64::MIN)` when empty).
pub fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// The key [`f64::total_cmp`] compares `x` by: ordering the keys as integers orders the
/// values as `total_cmp` does. Selecting among keys worked out once compares integers,
/// not two values' bits reworked at every comparison.
pub fn total_key(x: f64) -> i64 {
    flip64(x.to_bits() as i64)
}

/// [`total_key`] for an `f32`.
pub fn total_key32(x: f32) -> i32 {
    flip32(x.to_bits() as i32)
}

/// The bits of a negative float with all but the sign flipped (`total_cmp`'s transform,
/// its own inverse).
fn flip64(bits: i64) -> i64 {
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// [`flip64`] for an `f32`'s bits.
fn flip32(bits: i32) -> i32 {
    bits ^ (((bits >> 31) as u32) >> 1) as i32
}

/// A [`total_key`] or a [`total_key32`]: the value it is the key of.
pub trait TotalKey: Ord + Copy {
    type Float;
    fn float(self) -> Self::Float;
}

impl TotalKey for i64 {
    type Float = f64;
    fn float(self) -> f64 {
        f64::from_bits(flip64(self) as u64)
    }
}

impl TotalKey for i32 {
    type Float = f32;
    fn float(self) -> f32 {
        f32::from_bits(flip32(self) as u32)
    }
}

/// The value at place `k` of `keys` ([`total_key`], [`total_key32`]) were they sorted (as
/// `select_nth_unstable_by(k, total_cmp)` finds it among the values); `keys` is left
/// reordered.
pub fn nth_smallest<K: TotalKey>(keys: &mut [K], k: usize) -> K::Float {
    keys.select_nth_unstable(k).1.float()
}

/// [`sample`] for points whose four pixels are on the page, strictly inside its last row
/// and column: no bounds per point, the same values bit for bit.
pub(crate) struct Interior<'a> {
    raw: &'a [u8],
    stride: usize,
    /// The largest x and y a point may have, exclusive.
    limit: [f64; 2],
}

impl<'a> Interior<'a> {
    pub(crate) fn new(image: &'a GrayImage) -> Self {
        Interior {
            raw: image.as_raw(),
            stride: image.width() as usize,
            limit: [
                f64::from(image.width()) - 1.0,
                f64::from(image.height()) - 1.0,
            ],
        }
    }

    /// Whether a point (and so every point of a segment whose ends are) may be sampled.
    pub(crate) fn holds(&self, p: [f64; 2]) -> bool {
        p[0] >= 0.0 && p[1] >= 0.0 && p[0] < self.limit[0] && p[1] < self.limit[1]
    }

    /// [`sample`] at a point that [`Interior::holds`].
    #[inline]
    pub(crate) fn sample(&self, x: f64, y: f64) -> f64 {
        let ([top_left, top_right, bottom_left, bottom_right], [x0, y0]) = self.corners(x, y);
        let (fx, fy) = (x - x0, y - y0);
        let top = top_left * (1.0 - fx) + top_right * fx;
        let bottom = bottom_left * (1.0 - fx) + bottom_right * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// The four pixels [`Interior::sample`] interpolates between around a point it holds
    /// (top left, top right, bottom left, bottom right), and the top left one's position.
    #[inline]
    pub(crate) fn corners(&self, x: f64, y: f64) -> ([f64; 4], [f64; 2]) {
        // Through i32: cheaper conversions both ways than through usize, the same values
        // for points on a page.
        let (x0, y0) = (x as i32, y as i32);
        (
            self.pixels_at(y0 as usize * self.stride + x0 as usize)
                .map(f64::from),
            [f64::from(x0), f64::from(y0)],
        )
    }

    /// The four pixels from the one at `k` in the raw image (row by row): it, the next,
    /// and the two below them.
    #[inline(always)]
    pub(crate) fn pixels_at(&self, k: usize) -> [u8; 4] {
        // One bounds check for the four pixels.
        let four = &self.raw[k..k + self.stride + 2];
        [four[0], four[1], four[self.stride], four[self.stride + 1]]
    }

    /// [`Interior::corners`] of four points it holds (lanes), with the points' offsets
    /// from their top left pixels (`x` and `y` less those pixels' positions).
    #[inline(always)]
    pub(crate) fn corners4(&self, x: f64x4, y: f64x4) -> ([f64x4; 4], [f64x4; 2]) {
        // Points it holds are not negative: their floor is the truncation. The top left
        // pixels' columns and rows, and their places in the raw image, are worked out as
        // doubles: integers far below 2^51 on a page, so exactly the values `corners`
        // works out through integers.
        let (x0, y0) = (floor4(x), floor4(y));
        // Each lane's top two pixels, and its bottom two, as one 16-bit load each (low
        // byte the left pixel), split into their bytes four lanes at once.
        let (mut top, mut bottom) = ([0; 4], [0; 4]);
        for (lane, place) in places4(x0, y0, self.stride).into_iter().enumerate() {
            let [top_left, top_right, bottom_left, bottom_right] = self.pixels_at(place);
            top[lane] = i32::from(u16::from_le_bytes([top_left, top_right]));
            bottom[lane] = i32::from(u16::from_le_bytes([bottom_left, bottom_right]));
        }
        let (top, bottom, byte) = (i32x4::new(top), i32x4::new(bottom), i32x4::splat(0xFF));
        let pixels = [top & byte, top >> 8, bottom & byte, bottom >> 8];
        (pixels.map(f64x4::from_i32x4), [x - x0, y - y0])
    }

    /// [`Interior::sample`] at four points it holds: lane by lane the same operations.
    #[inline(always)]
    pub(crate) fn sample4(&self, x: f64x4, y: f64x4) -> f64x4 {
        let ([top_left, top_right, bottom_left, bottom_right], [fx, fy]) = self.corners4(x, y);
        let one = f64x4::ONE;
        let top = top_left * (one - fx) + top_right * fx;
        let bottom = bottom_left * (one - fx) + bottom_right * fx;
        top * (one - fy) + bottom * fy
    }
}

/// Samples `n` points from `from` in steps of `step`.
pub(crate) fn profile(image: &GrayImage, from: [f64; 2], step: [f64; 2], n: usize) -> Vec<f64> {
    let mut samples = Vec::with_capacity(n);
    Segment::new(image, from, step, n).extend(0..n, &mut samples);
    samples
}

/// The points `from + i · step` for `i` below `n`, sampled bilinearly: through
/// [`Interior`] when both ends (so every point) may be, else through [`sample`].
struct Segment<'a> {
    image: &'a GrayImage,
    inside: Interior<'a>,
    from: [f64; 2],
    step: [f64; 2],
    interior: bool,
}

impl<'a> Segment<'a> {
    fn new(image: &'a GrayImage, from: [f64; 2], step: [f64; 2], n: usize) -> Self {
        let mut segment = Segment {
            image,
            inside: Interior::new(image),
            from,
            step,
            interior: false,
        };
        segment.interior =
            n > 0 && segment.inside.holds(segment.at(0)) && segment.inside.holds(segment.at(n - 1));
        segment
    }

    fn at(&self, i: usize) -> [f64; 2] {
        let t = i as f64;
        [
            self.from[0] + self.step[0] * t,
            self.from[1] + self.step[1] * t,
        ]
    }

    /// Appends the samples of the points `range` to `out` (the path chosen once for all).
    fn extend(&self, range: std::ops::Range<usize>, out: &mut Vec<f64>) {
        if self.interior {
            // Four points at a time, then one by one.
            let fours = range.start..range.end - range.len() % 4;
            for i in fours.clone().step_by(4) {
                let points: [[f64; 2]; 4] = std::array::from_fn(|l| self.at(i + l));
                let (x, y) = (points.map(|p| p[0]), points.map(|p| p[1]));
                out.extend(self.inside.sample4(f64x4::new(x), f64x4::new(y)).to_array());
            }
            out.extend((fours.end..range.end).map(|i| {
                let [x, y] = self.at(i);
                self.inside.sample(x, y)
            }));
        } else {
            out.extend(range.map(|i| {
                let [x, y] = self.at(i);
                sample(self.image, x, y)
            }));
        }
    }
}

/// Margin sampled beyond each reported end, as a fraction of the reported length, to
/// find the true first and last bar edges (zxing-style readers report the centres of the
/// start and stop patterns, 5.5 and 6.5 modules inside the symbol).
const END_MARGIN: f64 = 0.15;

/// Least grey-level range of a row of bars.
const MIN_CONTRAST: f64 = 30.0;

/// Fraction of a reference row's dark samples that must be dark in a row of the same bars.
const SAME_BARS: f64 = 0.85;
/// Fraction of its light samples that must be light: lower, as a pen stroke through the
/// bars (a struck-out symbol) darkens some of the spaces of every row it crosses.
const SAME_SPACES: f64 = 0.7;
/// Fraction of all samples that must agree.
const SAME_ROW: f64 = 0.8;
/// Longest run of rows, as a fraction of the symbol's length, that may fail to show the
/// bars between rows that do (where strokes cross them).
const ROW_GAP: f64 = 0.05;

/// Samples of a row taken at a time, and how often [`same_bars`] checks whether the row
/// can still pass.
const ROW_BLOCK: usize = 64;

/// Whether a row shows the same bars as `bits` (dark below `threshold`); `row(i)` is its
/// `i`-th sample, for `i` below `bits.len()`. A row that cannot pass any more (blank
/// paper beyond the symbol's top, a line of text) is given up a block of samples at a
/// time, before the rest is sampled.
fn same_bars(mut row: impl FnMut(usize) -> f64, bits: &[bool], threshold: f64) -> bool {
    let n = bits.len();
    let bars = bits.iter().filter(|&&b| b).count();
    let spaces = n - bars;
    // A reference with hardly any bar (a rule, a box's side) is no symbol's row.
    if bars * 5 < n {
        return false;
    }
    let passes = |bars_kept: usize, spaces_kept: usize| {
        bars_kept as f64 >= SAME_BARS * bars as f64
            && spaces_kept as f64 >= SAME_SPACES * spaces as f64
            && (bars_kept + spaces_kept) as f64 >= SAME_ROW * n as f64
    };
    let (mut bars_seen, mut bars_kept, mut spaces_kept) = (0, 0, 0);
    // An edge may lie a sample off from row to row (a fax's or a thresholded scan's
    // jagged edges): a sample agrees when its neighbour on either side does.
    let mut dark = |i: usize| row(i) < threshold;
    for (i, &b) in bits.iter().enumerate() {
        let mut near = i.saturating_sub(1)..=(i + 1).min(n - 1);
        if b {
            bars_seen += 1;
            bars_kept += usize::from(near.any(&mut dark));
        } else {
            spaces_kept += usize::from(near.any(|j| !dark(j)));
        }
        // Even if every sample left agreed.
        let spaces_seen = i + 1 - bars_seen;
        if i % ROW_BLOCK == ROW_BLOCK - 1
            && !passes(
                bars_kept + bars - bars_seen,
                spaces_kept + spaces - spaces_seen,
            )
        {
            return false;
        }
    }
    passes(bars_kept, spaces_kept)
}

/// A scanline across the symbol: origin, unit direction along it, unit normal ("up").
#[derive(Clone, Copy)]
struct Line {
    from: [f64; 2],
    u: [f64; 2],
    up: [f64; 2],
    n: usize,
}

impl Line {
    fn at(&self, t: f64, off: f64) -> [f64; 2] {
        [
            self.from[0] + self.u[0] * t + self.up[0] * off,
            self.from[1] + self.u[1] * t + self.up[1] * off,
        ]
    }

    fn row(&self, image: &GrayImage, off: f64) -> Vec<f64> {
        profile(image, self.at(0.0, off), self.u, self.n)
    }

    /// The rows `centre - spread ..= centre + spread`, kept in `rows` (row `centre + d` at
    /// `d` past its middle) and sampled there when first asked for.
    fn band<'r>(
        &self,
        image: &GrayImage,
        centre: f64,
        spread: i32,
        rows: &'r mut [Option<Vec<f64>>],
    ) -> Vec<&'r [f64]> {
        let middle = (rows.len() / 2) as i32;
        for d in -spread..=spread {
            rows[(middle + d) as usize]
                .get_or_insert_with(|| self.row(image, centre + f64::from(d)));
        }
        rows[(middle - spread) as usize..=(middle + spread) as usize]
            .iter()
            .flatten()
            .map(Vec::as_slice)
            .collect()
    }

    /// The samples of [`Line::row`] as `row(i)` asks for them, taken [`ROW_BLOCK`] at a
    /// time: the same values, none taken past the last one asked for.
    fn lazy_row<'a>(&'a self, image: &'a GrayImage, off: f64) -> impl FnMut(usize) -> f64 + 'a {
        let segment = Segment::new(image, self.at(0.0, off), self.u, self.n);
        let mut samples = Vec::with_capacity(self.n);
        move |i| {
            while samples.len() <= i && samples.len() < self.n {
                let k = samples.len();
                segment.extend(k..(k + ROW_BLOCK).min(self.n), &mut samples);
            }
            samples[i]
        }
    }
}

/// A row of samples in black and white at the middle of its range: the bits, the
/// threshold, and the contrast (the range).
fn binarise(row: &[f64]) -> (Vec<bool>, f64, f64) {
    let (lo, hi) = min_max(row);
    let threshold = (lo + hi) / 2.0;
    (
        row.iter().map(|&v| v < threshold).collect(),
        threshold,
        hi - lo,
    )
}

fn degenerate(start: [f64; 2], end: [f64; 2]) -> Geometry {
    Geometry {
        quad: [start, end, end, start],
        px_per_module: None,
    }
}

/// Measures the symbol crossed by the scanline `start` → `end` (start of the first bar to
/// end of the last, in reading direction, as a reader reports them).
pub fn measure(
    image: &GrayImage,
    start: [f64; 2],
    end: [f64; 2],
    symbology: Symbology,
) -> Geometry {
    let (dx, dy) = (end[0] - start[0], end[1] - start[1]);
    let length = dx.hypot(dy);
    if length < 2.0 {
        return degenerate(start, end);
    }
    let u = [dx / length, dy / length];
    let margin = END_MARGIN * length + 4.0;
    let line = Line {
        from: [start[0] - u[0] * margin, start[1] - u[1] * margin],
        u,
        up: [u[1], -u[0]],
        n: (length + 2.0 * margin).ceil() as usize + 1,
    };
    // The reported row may graze the symbol's top or bottom edge: move inward to a row
    // whose neighbours two pixels away show the same bars.
    let agrees = |bits: &[bool], threshold: f64, off: f64| {
        same_bars(line.lazy_row(image, off), bits, threshold)
    };
    let interior = |off: f64| {
        let (bits, threshold, contrast) = binarise(&line.row(image, off));
        contrast >= MIN_CONTRAST
            && agrees(&bits, threshold, off - 2.0)
            && agrees(&bits, threshold, off + 2.0)
    };
    let reach = (length / 4.0).ceil() as i32;
    let centre = (0..=reach)
        .flat_map(|k| [k, -k])
        .map(|k| f64::from(k) * 2.0)
        .find(|&off| interior(off))
        .unwrap_or(0.0);
    // The reference row is the median of rows around the centre: a pen stroke through the
    // bars crosses each column over a few rows only, and drops out. A thick stroke at a
    // shallow angle covers most of a narrow band of rows: then a wider band finds the
    // bars' true height (the taller of the two is the symbol's).
    let narrow = (length / 50.0).ceil().max(2.0) as i32;
    let wide = (length / 20.0).ceil().max(2.0) as i32;
    // The rows around the centre, each sampled once for both bands.
    let mut rows: Vec<Option<Vec<f64>>> = vec![None; 2 * narrow.max(wide) as usize + 1];
    let mut at = |spread| {
        let band = line.band(image, centre, spread, &mut rows);
        measure_around(image, &line, centre, &band, [margin, length], symbology)
    };
    let first = at(narrow);
    // Only a symbol measured flatter than any printed one (Annexe I: 4 mm for at most
    // 35 mm) is measured again.
    if first
        .as_ref()
        .is_some_and(|g| height(g) >= FLATTEST * length)
    {
        return first.unwrap_or_else(|| degenerate(start, end));
    }
    match (first, at(wide)) {
        (Some(a), Some(b)) => Some(if height(&b) > height(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
    .unwrap_or_else(|| degenerate(start, end))
}

/// Height over length of the flattest symbol Annexe I allows (4 × 35 mm), with room for
/// print that crops it a little.
const FLATTEST: f64 = 0.1;

/// Distance between the top and bottom edges of a quad.
fn height(g: &Geometry) -> f64 {
    let [a, _, _, d] = g.quad;
    (a[0] - d[0]).hypot(a[1] - d[1])
}

/// The symbol's geometry from the median of the rows `centre ± spread` of `line`
/// (`[margin, length]`: where the reported symbol starts along it, and its length);
/// `None` when that row shows no bars.
fn measure_around(
    image: &GrayImage,
    line: &Line,
    centre: f64,
    rows: &[&[f64]],
    [margin, length]: [f64; 2],
    symbology: Symbology,
) -> Option<Geometry> {
    let mut column: Vec<i64> = Vec::with_capacity(rows.len());
    let centre_row: Vec<f64> = (0..line.n)
        .map(|i| {
            column.clear();
            column.extend(rows.iter().map(|r| total_key(r[i])));
            nth_smallest(&mut column, rows.len() / 2)
        })
        .collect();
    let (bits, threshold, contrast) = binarise(&centre_row);
    // A reported line over blank paper (a reader's stray points) has no bars to follow.
    if contrast < MIN_CONTRAST {
        return None;
    }
    // Walk out from the reported ends until a light run as long as a quiet zone.
    let quiet = (0.05 * length).max(3.0) as usize;
    let outermost_bar = |from_index: usize, step: isize| -> Option<usize> {
        let (mut i, mut bar, mut light) = (from_index as isize, None, 0);
        while i >= 0 && (i as usize) < line.n && light < quiet {
            if bits[i as usize] {
                bar = Some(i as usize);
                light = 0;
            } else {
                light += 1;
            }
            i += step;
        }
        bar
    };
    let inner = (margin.round() as usize).min(line.n - 1);
    let outer = (inner + length.round() as usize).min(line.n - 1);
    // A reported end may also overshoot the last bar by a little: then look inward.
    let first = outermost_bar(inner, -1).or_else(|| (inner..line.n).find(|&i| bits[i]));
    let last = outermost_bar(outer, 1).or_else(|| (0..=outer).rev().find(|&i| bits[i]));
    let (first, last) = (first?, last?);
    if first >= last {
        return None;
    }
    // Sub-pixel edges: where the profile crosses the threshold.
    let crossing = |i: usize, j: usize| {
        let (a, b) = (centre_row[i], centre_row[j]);
        let f = if (a - b).abs() < 1e-9 {
            0.5
        } else {
            ((a - threshold) / (a - b)).clamp(0.0, 1.0)
        };
        i as f64 + f * (j as f64 - i as f64)
    };
    let t0 = if first > 0 {
        crossing(first - 1, first)
    } else {
        0.0
    };
    let t1 = if last + 1 < line.n {
        crossing(last, last + 1)
    } else {
        (line.n - 1) as f64
    };
    let symbol_bits = &bits[first..=last];
    let bars_line = Line {
        from: line.at(first as f64, 0.0),
        n: symbol_bits.len(),
        ..*line
    };
    // Rows where a pen stroke (a struck-out symbol, a cross) darkens many spaces do not
    // show the same bars: the bars go on beyond a short run of them.
    let max_misses = ((length * ROW_GAP) as usize).max(2);
    // How far rows of `line` show `bits` from the centre row, up (`sign` 1) or down.
    let extent = |line: &Line, bits: &[bool], sign: f64| -> f64 {
        let same = |k: usize| {
            same_bars(
                line.lazy_row(image, centre + sign * k as f64),
                bits,
                threshold,
            )
        };
        last_row(same, (length * 2.0).ceil() as usize, max_misses) as f64 + 0.5
    };
    let (up, down) = (
        extent(&bars_line, symbol_bits, 1.0),
        extent(&bars_line, symbol_bits, -1.0),
    );
    // A symbol seen at a slant (a photographed page) is a parallelogram, or a trapezoid:
    // its bars run on past the row that crosses all of them at one end. Rows across only
    // the first and the last quarter of the bars tell how far each end goes. The edges
    // follow them when, at the top and at the bottom both, one end goes past the other by
    // [`SHEAR`] (a mark over one end's bars stops its rows at one edge only).
    let part = symbol_bits.len() / 4;
    // The first (`k` 0) or the last quarter of the bars: its line and its bits.
    let part_of = |k: usize| {
        let a = if k == 0 { 0 } else { symbol_bits.len() - part };
        let line = Line {
            from: bars_line.at(a as f64, 0.0),
            n: part,
            ..bars_line
        };
        (line, &symbol_bits[a..a + part])
    };
    let reach = |sign: f64, k: usize| {
        let (line, bits) = part_of(k);
        extent(&line, bits, sign)
    };
    // One end runs past the other by [`SHEAR`], and past the nearer end's rows there is
    // paper, its bars ended: a pen's stroke across the bars near one end (a struck-out
    // symbol) stops that end's rows too, but on ink.
    let leads = |sign: f64, ends: &[f64; 2]| {
        let (near, far) = (ends[0].min(ends[1]), ends[0].max(ends[1]));
        let short = usize::from(ends[1] < ends[0]);
        let row = part_of(short)
            .0
            .row(image, centre + sign * (near + far) / 2.0);
        let dark = row.iter().filter(|&&v| v < threshold).count();
        far - near >= SHEAR_PX.max(SHEAR * length) && (dark as f64) < SHEAR_PAPER * part as f64
    };
    // The bars at either end are as high, give or take [`SHEAR_HEIGHTS`]: a symbol seen
    // at a slant, not a mark's rows beside it.
    let as_high = |[up, down]: &[[f64; 2]; 2]| {
        let heights = [up[0] + down[0], up[1] + down[1]];
        (heights[0] - heights[1]).abs() <= SHEAR_HEIGHTS * heights[0].max(heights[1])
    };
    // The top's ends first: most symbols are upright and their feet are not measured.
    let ends = |sign: f64| Some([reach(sign, 0), reach(sign, 1)]).filter(|e| leads(sign, e));
    let sheared = (part >= SHEAR_PART_MIN)
        .then(|| Some([ends(1.0)?, ends(-1.0)?]))
        .flatten()
        .filter(as_high);
    let [up, down] = match sheared {
        Some(ends) => {
            // A part's rows show its bars until a few of them end (the share of bars
            // [`same_bars`] lets go), at the end where the edge is nearer the middle row:
            // the edge lies about a quarter of a part further out at the part's middle.
            let mid = [
                first as f64 + part as f64 / 2.0,
                last as f64 + 1.0 - part as f64 / 2.0,
            ];
            ends.map(|e| {
                let slope = (e[1] - e[0]) / (mid[1] - mid[0]);
                let at_mid = e[0] + slope.abs() * part as f64 / 4.0;
                [t0, t1].map(|t| at_mid + slope * (t - mid[0]))
            })
        }
        None => [[up; 2], [down; 2]],
    };
    let top = up.map(|e| centre + e);
    let bottom = down.map(|e| centre - e);
    let quad = [
        line.at(t0, top[0]),
        line.at(t1, top[1]),
        line.at(t1, bottom[1]),
        line.at(t0, bottom[0]),
    ];
    let px_per_module = match symbology {
        Symbology::Code128 => code128_modules(symbol_bits).map(|m| (t1 - t0) / f64::from(m)),
        Symbology::Code39 => None,
    };
    Some(Geometry {
        quad,
        px_per_module,
    })
}

/// How far one end of a symbol's bars must run past the other, along an edge, for the
/// edge to be taken as sheared: pixels, and a share of the symbol's length (about a
/// degree).
const SHEAR_PX: f64 = 3.0;
const SHEAR: f64 = 0.015;

/// Most share of dark samples in a row of paper past the nearer end of a slanted symbol's
/// edge (noise on it).
const SHEAR_PAPER: f64 = 0.2;

/// Most difference between the heights of a slanted symbol's two ends, as a share of
/// the taller: a page photographed at a slant narrows a symbol's far end by a few
/// hundredths at most.
const SHEAR_HEIGHTS: f64 = 0.1;

/// Fewest samples across a quarter of a symbol's bars for its ends to be measured apart.
const SHEAR_PART_MIN: usize = 24;

/// The last of the rows `1..=end` that shows the bars (`same`), walking out from row 0
/// (which does) until `max_misses` rows in a row do not; 0 when none does.
fn last_row(same: impl Fn(usize) -> bool, end: usize, max_misses: usize) -> usize {
    let (mut misses, mut last_good, mut leap) = (0, 0, true);
    let mut k = 1;
    while k <= end {
        // After a row that shows the bars, one `max_misses - 1` rows on that shows them
        // too leaves too few rows between for a gap that ends the walk: leap to it.
        // Once a leap lands off the bars, row by row to the end (the same rows pass).
        let ahead = k + max_misses.max(1) - 1;
        if leap && misses == 0 && ahead <= end {
            if same(ahead) {
                last_good = ahead;
                k = ahead + 1;
                continue;
            }
            leap = false;
        }
        if same(k) {
            last_good = k;
            misses = 0;
        } else {
            misses += 1;
            if misses >= max_misses {
                break;
            }
        }
        k += 1;
    }
    last_good
}

/// Module count of a Code 128 symbol from its binarised profile: `3k + 4` bars for `k`
/// symbol characters (start and check included) plus the stop pattern, `11k + 13` modules.
fn code128_modules(bits: &[bool]) -> Option<u32> {
    let bars = bits
        .iter()
        .zip(std::iter::once(&false).chain(bits))
        .filter(|&(&now, &before)| now && !before)
        .count() as u32;
    (bars >= 10 && (bars - 4).is_multiple_of(3)).then(|| 11 * ((bars - 4) / 3) + 13)
}

/// The bounding box `[x0, y0, x1, y1]` of some points.
pub fn bbox(points: &[[f64; 2]]) -> [f64; 4] {
    points
        .iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |m, p| {
            [
                m[0].min(p[0]),
                m[1].min(p[1]),
                m[2].max(p[0]),
                m[3].max(p[1]),
            ]
        })
}

/// Whether two quads' bounding boxes intersect.
pub fn overlap(a: &[[f64; 2]; 4], b: &[[f64; 2]; 4]) -> bool {
    let (a, b) = (bbox(a), bbox(b));
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Whether a point lies inside a convex quad (corners in order, either way round) grown
/// by `margin` pixels on every side.
pub fn within(quad: &[[f64; 2]; 4], p: [f64; 2], margin: f64) -> bool {
    // Twice the signed area: its sign tells which side of each edge is inside.
    let area: f64 = (0..4)
        .map(|k| {
            let (a, b) = (quad[k], quad[(k + 1) % 4]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum();
    let sign = if area < 0.0 { -1.0 } else { 1.0 };
    (0..4).all(|k| {
        let (a, b) = (quad[k], quad[(k + 1) % 4]);
        let length = (b[0] - a[0]).hypot(b[1] - a[1]);
        let cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
        length > 0.0 && sign * cross / length >= -margin
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Both ways of [`floor4`] give `f64::floor` of non-negative doubles below 2^51:
        /// whole numbers, numbers a hair either side of them, and any.
        #[test]
        fn floor4_is_the_floor_either_way(
            values in proptest::array::uniform4(proptest::prop_oneof![
                (0u32..5000).prop_map(f64::from),
                (1u32..5000).prop_map(|v| f64::from(v).next_down()),
                (0u32..5000).prop_map(|v| f64::from(v).next_up()),
                0.0f64..2e15,
            ]),
        ) {
            let want = values.map(f64::floor);
            proptest::prop_assert_eq!(floor4(f64x4::new(values)).to_array(), want);
            proptest::prop_assert_eq!(floor_by_rounding(f64x4::new(values)).to_array(), want);
        }

        /// Integer keys select the value `total_cmp` selects, whatever the values: signed
        /// zeros, infinities and NaNs of either sign included.
        #[test]
        fn keys_select_the_value_total_cmp_selects(
            bits in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::u64::ANY,
                    proptest::sample::select(vec![
                        0.0f64.to_bits(), (-0.0f64).to_bits(), f64::INFINITY.to_bits(),
                        f64::NEG_INFINITY.to_bits(), f64::NAN.to_bits(), (-f64::NAN).to_bits(),
                    ]),
                    (0u32..256).prop_map(|v| (f64::from(v) / 4.0).to_bits()),
                ],
                1..60,
            ),
            at in 0.0f64..1.0,
        ) {
            let values: Vec<f64> = bits.into_iter().map(f64::from_bits).collect();
            let k = ((values.len() - 1) as f64 * at) as usize;
            let mut sorted = values.clone();
            let want = *sorted.select_nth_unstable_by(k, f64::total_cmp).1;
            let mut keys: Vec<i64> = values.iter().map(|&v| total_key(v)).collect();
            proptest::prop_assert_eq!(nth_smallest(&mut keys, k).to_bits(), want.to_bits());
            // The same for the values as f32 (each f64's high bits, so NaNs stay NaNs).
            let values: Vec<f32> = values.iter().map(|v| f32::from_bits((v.to_bits() >> 32) as u32)).collect();
            let mut sorted = values.clone();
            let want = *sorted.select_nth_unstable_by(k, f32::total_cmp).1;
            let mut keys: Vec<i32> = values.iter().map(|&v| total_key32(v)).collect();
            proptest::prop_assert_eq!(nth_smallest(&mut keys, k).to_bits(), want.to_bits());
        }

        /// Leaping ahead over rows that show the bars finds the same last row as walking
        /// row by row, whatever rows a pen or a stamp spoils.
        #[test]
        fn leaping_finds_the_last_row_a_row_by_row_walk_finds(
            rows in proptest::collection::vec(proptest::bool::weighted(0.8), 0..120),
            max_misses in 0usize..7,
        ) {
            let end = rows.len();
            let same = |k: usize| rows[k - 1];
            let (mut misses, mut walked) = (0, 0);
            for k in 1..=end {
                if same(k) {
                    walked = k;
                    misses = 0;
                } else {
                    misses += 1;
                    if misses >= max_misses {
                        break;
                    }
                }
            }
            proptest::prop_assert_eq!(last_row(same, end, max_misses), walked);
        }
    }

    /// The rows of a band, kept for a wider band after, are the rows sampled afresh, in
    /// order from the lowest offset.
    #[test]
    fn a_band_kept_for_a_wider_one_holds_the_rows_sampled_afresh() {
        let img = GrayImage::from_fn(120, 90, |x, y| {
            image::Luma([((x * 7 + y * 13) % 256) as u8])
        });
        let (s, c) = 0.3f64.sin_cos();
        let line = Line {
            from: [10.0, 30.0],
            u: [c, s],
            up: [s, -c],
            n: 80,
        };
        let centre = 2.5;
        let mut rows = vec![None; 2 * 6 + 1];
        for spread in [2, 6, 4] {
            let band = line.band(&img, centre, spread, &mut rows);
            let fresh: Vec<Vec<f64>> = (-spread..=spread)
                .map(|d| line.row(&img, centre + f64::from(d)))
                .collect();
            assert_eq!(band.len(), fresh.len());
            assert!(
                band.iter().zip(&fresh).all(|(a, b)| *a == b.as_slice()),
                "{spread}"
            );
        }
    }

    #[test]
    fn measures_a_drawn_bar_pattern() {
        // 3 bars + stop-like 4 bars = 7 bars is too few; draw 13 bars (k = 3).
        let mut img = GrayImage::from_pixel(200, 100, image::Luma([255]));
        let mut x = 20;
        for i in 0..13 {
            let w = if i % 2 == 0 { 4 } else { 2 };
            for xx in x..x + w {
                for y in 30..70 {
                    img.put_pixel(xx, y, image::Luma([0]));
                }
            }
            x += w + 3;
        }
        let g = measure(
            &img,
            [20.0, 50.0],
            [f64::from(x - 3), 50.0],
            Symbology::Code128,
        );
        let height = g.quad[2][1] - g.quad[1][1];
        assert!((height - 40.0).abs() <= 2.0, "height {height} in {g:?}");
        assert!(g.quad[0][1] < g.quad[3][1], "first corner is on top");
        assert!(g.px_per_module.is_some());
    }

    #[test]
    fn measures_the_whole_height_of_bars_with_jagged_edges() {
        // 2-4 px bars and spaces (a fax at 2 px/module) whose edges move by a pixel every
        // few rows, as thresholding leaves them.
        let widths = [
            2, 2, 4, 2, 2, 4, 2, 2, 2, 4, 4, 2, 2, 2, 4, 2, 2, 2, 2, 4, 2, 4, 2, 2, 2,
        ];
        let mut img = GrayImage::from_pixel(160, 120, image::Luma([255]));
        for y in 20..95u32 {
            let mut x = 20 + ((y / 6) % 2) as i32;
            for (i, &w) in widths.iter().enumerate() {
                let jitter = i32::from((y * 13 + i as u32 * 5).is_multiple_of(4));
                if i % 2 == 0 {
                    for xx in x..x + w + jitter {
                        img.put_pixel(xx as u32, y, image::Luma([0]));
                    }
                }
                x += w;
            }
        }
        let end = 20.0 + widths.iter().sum::<i32>() as f64;
        let g = measure(&img, [20.0, 57.0], [end, 57.0], Symbology::Code128);
        let height = g.quad[2][1] - g.quad[1][1];
        assert!((height - 75.0).abs() <= 3.0, "height {height} in {g:?}");
    }

    /// A page of upright bars 2–6 px wide from x = 20 whose tops lie at `top(x)` and
    /// whose feet at `foot(x)`; the x just past the last bar.
    fn slanted_bars(top: impl Fn(u32) -> f64, foot: impl Fn(u32) -> f64) -> (GrayImage, u32) {
        let mut img = GrayImage::from_pixel(400, 200, image::Luma([255]));
        let mut x = 20;
        for i in 0..63u32 {
            let w = 2 + (i * 7 + i / 3) % 3 * 2;
            if i % 2 == 0 {
                for xx in x..x + w {
                    let rows = top(xx).round() as u32..foot(xx).round() as u32;
                    rows.for_each(|y| img.put_pixel(xx, y, image::Luma([0])));
                }
            }
            x += w;
        }
        (img, x)
    }

    /// The geometry of the bars [`slanted_bars`] drew, measured along row 75 to `end`.
    fn measured_across(img: &GrayImage, end: u32) -> Geometry {
        measure(
            img,
            [20.0, 75.0],
            [f64::from(end), 75.0],
            Symbology::Code128,
        )
    }

    #[test]
    fn a_slanted_symbols_quad_follows_its_bars_ends() {
        // Seen at a slant, the bars' tops and feet fall 1 px every 20 along the symbol
        // (seed 397 0178, a photographed page: the rectangle within the bars cut its
        // legend's line off the text).
        let slope = |x: u32| f64::from(x - 20) / 20.0;
        let (img, end) = slanted_bars(|x| 40.0 + slope(x), |x| 110.0 + slope(x));
        let g = measured_across(&img, end);
        let [tl, tr, br, bl] = g.quad;
        let near = |p: [f64; 2], x: f64, y: f64| (p[0] - x).abs() < 1.5 && (p[1] - y).abs() < 1.5;
        let x1 = f64::from(end);
        let fall = (x1 - 20.0) / 20.0;
        assert!(near(tl, 20.0, 40.0) && near(bl, 20.0, 110.0), "{g:?}");
        assert!(
            near(tr, x1, 40.0 + fall) && near(br, x1, 110.0 + fall),
            "{g:?}"
        );
    }

    #[test]
    fn a_mark_over_one_end_of_a_symbol_does_not_slant_its_quad() {
        // Upright bars whose first quarter's tops a pen's stroke covers (a dark band over
        // the bars above row 52): only the top edge's ends differ.
        let (mut img, end) = slanted_bars(|_| 40.0, |_| 110.0);
        for x in 15..100 {
            for y in 30..52 {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        let g = measured_across(&img, end);
        let [tl, tr, br, bl] = g.quad;
        assert!(
            (tl[1] - tr[1]).abs() < 0.5 && (bl[1] - br[1]).abs() < 0.5,
            "{g:?}"
        );
        assert!((bl[1] - 110.0).abs() < 1.5, "{g:?}");
    }

    #[test]
    fn never_panics_on_blank_or_odd_lines() {
        let blank = GrayImage::from_pixel(100, 100, image::Luma([255]));
        let dot = GrayImage::from_fn(100, 100, |x, y| {
            image::Luma([if x == 80 && y == 50 { 0 } else { 255 }])
        });
        for img in [&blank, &dot] {
            for (a, b) in [
                ([10.0, 50.0], [60.0, 50.0]),
                ([-500.0, 3.0], [900.0, 7.0]),
                ([50.0, 50.0], [50.5, 50.0]),
            ] {
                let g = measure(img, a, b, Symbology::Code128);
                assert!(g.quad.iter().flatten().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn a_profile_inside_the_page_samples_as_sample_does() {
        let img = GrayImage::from_fn(40, 30, |x, y| {
            image::Luma([((x * 53 + y * 29) % 256) as u8])
        });
        // Inside, slanted both ways; then running off the page.
        for (from, step, n) in [
            ([1.3, 2.7], [0.93, 0.37], 35),
            ([37.9, 28.2], [-0.8, -0.6], 30),
            ([30.5, 10.25], [0.6, 0.8], 20),
        ] {
            let got = profile(&img, from, step, n);
            for (i, v) in got.iter().enumerate() {
                let t = i as f64;
                let want = sample(&img, from[0] + step[0] * t, from[1] + step[1] * t);
                assert_eq!(v.to_bits(), want.to_bits(), "{from:?} {i}");
            }
        }
    }

    #[test]
    fn overlap_of_boxes() {
        let a = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]];
        let b = [[5.0, 2.0], [15.0, 2.0], [15.0, 8.0], [5.0, 8.0]];
        let c = [[20.0, 2.0], [25.0, 2.0], [25.0, 8.0], [20.0, 8.0]];
        assert!(overlap(&a, &b));
        assert!(!overlap(&a, &c));
    }

    #[test]
    fn within_a_turned_quad_either_way_round() {
        // A 20 × 4 quad turned by 30°, corners clockwise, then anticlockwise.
        let (s, c) = 30f64.to_radians().sin_cos();
        let at = |x: f64, y: f64| [50.0 + x * c - y * s, 50.0 + x * s + y * c];
        let quad = [
            at(-10.0, -2.0),
            at(10.0, -2.0),
            at(10.0, 2.0),
            at(-10.0, 2.0),
        ];
        let mut other = quad;
        other.reverse();
        for q in [quad, other] {
            assert!(within(&q, at(0.0, 0.0), 0.0));
            assert!(within(&q, at(9.5, 1.5), 0.0));
            // Inside the quad's bounding box, outside the quad.
            assert!(!within(&q, at(9.5, 3.0), 0.0));
            assert!(!within(&q, at(-11.0, 0.0), 0.0));
            // Within a margin of it.
            assert!(within(&q, at(9.5, 3.0), 1.5));
            assert!(within(&q, at(-11.0, 0.0), 1.5));
            assert!(!within(&q, at(-11.0, 0.0), 0.5));
        }
    }
}
