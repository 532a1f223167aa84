//! Scanlines: from a grey profile sampled along a line to bar/space widths with sub-pixel
//! edges, and the decoding of one line. The only place of the decoder that sees grey
//! values; what leaves it is a width sequence.

use std::cell::OnceCell;

use image::GrayImage;
use wide::f64x4;

use super::code39;
use super::code128::{Decoded, Partial, check_ok, classify, decode_all, heads, tails};
use super::template::{self, TemplateRead};
use crate::locate::{Interior, min_max, nth_smallest, sample, total_key};

/// An edge's slope must exceed this many times the noise's slope spread.
const NOISE_EDGE: f64 = 3.0;

/// Strength of one sharpening pass.
const SHARPEN: f64 = 0.7;

/// Samples averaged across a scanline (one pixel apart, centred on it).
pub const THICKNESS: usize = 5;

/// A line across a candidate symbol, in page pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scanline {
    /// Where sampling starts.
    pub from: [f64; 2],
    /// Unit step along the line.
    pub dir: [f64; 2],
    /// Number of samples (one per pixel).
    pub len: usize,
}

impl Scanline {
    /// The page point at `t` pixels along the line.
    pub fn at(&self, t: f64) -> [f64; 2] {
        [
            self.from[0] + self.dir[0] * t,
            self.from[1] + self.dir[1] * t,
        ]
    }

    /// The grey profile, bilinear, one sample per pixel, each the mean of [`THICKNESS`]
    /// samples across the line (along the bars), which averages noise and speckle away
    /// without blurring the edges. Off the page the samples are NaN.
    pub fn profile(&self, image: &GrayImage) -> Vec<f64> {
        self.sampled::<THICKNESS>(image)
    }

    /// [`Scanline::profile`] with about `thickness` samples across the line: the next
    /// of 5, 9, 13, 17 and 21 (each count its own copy, its loop across the line unrolled).
    pub fn profile_across(&self, image: &GrayImage, thickness: usize) -> Vec<f64> {
        match thickness {
            ..=THICKNESS => self.sampled::<THICKNESS>(image),
            6..=9 => self.sampled::<9>(image),
            10..=13 => self.sampled::<13>(image),
            14..=17 => self.sampled::<17>(image),
            _ => self.sampled::<21>(image),
        }
    }

    #[inline(always)]
    fn sampled<const THICK: usize>(&self, image: &GrayImage) -> Vec<f64> {
        let across = Across::<THICK>::new(image, self);
        let mut profile = Vec::with_capacity(self.len);
        // The points run one way in x and in y (each step of `at` rounds monotonically),
        // and the interior is a box: the points between two interior ones are interior.
        let interior = |from: usize, to: usize| {
            across.interior(self.at(from as f64)) && across.interior(self.at(to as f64))
        };
        let whole = self.len > 0 && interior(0, self.len - 1);
        let mut i = 0;
        while i < self.len {
            // Four points at a time where all four are interior (most of a line).
            if i + 4 <= self.len && (whole || interior(i, i + 3)) {
                let points: [[f64; 2]; 4] = std::array::from_fn(|l| self.at((i + l) as f64));
                profile.extend(across.four_interior(points));
                i += 4;
                continue;
            }
            profile.push(across.one(self.at(i as f64)));
            i += 1;
        }
        profile
    }
}

/// The samples of a [`Scanline`]'s profile: `THICK` bilinear samples across the line,
/// one pixel apart and centred on it, averaged.
struct Across<'a, const THICK: usize> {
    image: &'a GrayImage,
    inner: Interior<'a>,
    /// Unit step across the line.
    across: [f64; 2],
    /// The largest x and y bilinear sampling takes with pixels on both sides.
    last: [f64; 2],
    /// How far the samples across the line reach either way, in x and in y.
    reach: [f64; 2],
}

impl<'a, const THICK: usize> Across<'a, THICK> {
    const HALF: f64 = (THICK / 2) as f64;

    fn new(image: &'a GrayImage, line: &Scanline) -> Self {
        let across = [-line.dir[1], line.dir[0]];
        Across {
            image,
            inner: Interior::new(image),
            across,
            last: [
                f64::from(image.width()) - 1.0,
                f64::from(image.height()) - 1.0,
            ],
            reach: [across[0].abs() * Self::HALF, across[1].abs() * Self::HALF],
        }
    }

    /// Whether bilinear sampling has pixels on both sides of `p` (as [`sample`] takes it).
    fn inside(&self, p: [f64; 2]) -> bool {
        p[0] >= 0.0 && p[1] >= 0.0 && p[0] <= self.last[0] && p[1] <= self.last[1]
    }

    /// Whether every sample across the line at `p` has its four pixels on the page,
    /// strictly inside the last row and column: the fast path needs no clamping.
    #[inline(always)]
    fn interior(&self, p: [f64; 2]) -> bool {
        p[0] - self.reach[0] >= 0.0
            && p[1] - self.reach[1] >= 0.0
            && p[0] + self.reach[0] < self.last[0]
            && p[1] + self.reach[1] < self.last[1]
    }

    /// The profile's value at `p`: NaN off the page.
    fn one(&self, p: [f64; 2]) -> f64 {
        if !self.inside(p) {
            return f64::NAN;
        }
        let a = self.across;
        let offsets = (0..THICK).map(|k| k as f64 - Self::HALF);
        let sum: f64 = if self.interior(p) {
            offsets
                .map(|o| interior_sample(&self.inner, p[0] + a[0] * o, p[1] + a[1] * o))
                .sum()
        } else {
            offsets
                .map(|o| sample(self.image, p[0] + a[0] * o, p[1] + a[1] * o))
                .sum()
        };
        sum / THICK as f64
    }

    /// [`Across::one`] at four interior points: lane by lane the same operations in the
    /// same order as [`interior_sample`] and the sum across the line.
    #[inline(always)]
    fn four_interior(&self, points: [[f64; 2]; 4]) -> [f64; 4] {
        let (px, py) = (
            f64x4::new(points.map(|p| p[0])),
            f64x4::new(points.map(|p| p[1])),
        );
        // The scalar sum starts from zero too; the samples are never negative, so it
        // holds the first sample exactly.
        let mut sum = f64x4::ZERO;
        for k in 0..THICK {
            let o = k as f64 - Self::HALF;
            let x = px + f64x4::splat(self.across[0] * o);
            let y = py + f64x4::splat(self.across[1] * o);
            let ([tl, tr, bl, br], [fx, fy]) = self.inner.corners4(x, y);
            let t = tl + (tr - tl) * fx;
            let b = bl + (br - bl) * fx;
            sum += t + (b - t) * fy;
        }
        (sum / f64x4::splat(THICK as f64)).to_array()
    }
}

/// [`sample`] at a point whose four neighbouring pixels are all on the page (`x` and `y`
/// non-negative, strictly left of the last column and above the last row).
#[inline]
fn interior_sample(inner: &Interior, x: f64, y: f64) -> f64 {
    let ([top_left, top_right, bottom_left, bottom_right], [x0, y0]) = inner.corners(x, y);
    let (fx, fy) = (x - x0, y - y0);
    let t = top_left + (top_right - top_left) * fx;
    let b = bottom_left + (bottom_right - bottom_left) * fx;
    t + (b - t) * fy
}

/// Edge positions (sub-pixel) of a profile, alternating light→dark and dark→light, the
/// first one light→dark; `None` when the profile has too little contrast.
pub fn edges(profile: &[f64]) -> Option<Vec<f64>> {
    if profile.len() < 8 {
        return None;
    }
    let (lo, hi) = min_max(profile);
    let range = hi - lo;
    if range < 20.0 {
        return None;
    }
    // Forward differences: d[i] is the slope between samples i and i + 1, at i + 0.5, so a
    // one-pixel space between two bars still shows as two opposite slopes.
    let d: Vec<f64> = profile.windows(2).map(|w| w[1] - w[0]).collect();
    // An edge must stand out of the contrast range and of the noise: the noise's slope
    // spread is estimated from the quietest quarter of the slopes (flat paper and solid
    // bars), where |slope| of Gaussian noise has its 25th percentile at 0.32 σ.
    let mut quiet: Vec<i64> = d.iter().map(|v| total_key(v.abs())).collect();
    let q = quiet.len() / 4;
    let noise = nth_smallest(&mut quiet, q) / 0.32;
    let min_strength = (0.06 * range).max(NOISE_EDGE * noise);
    // Local extrema of the derivative, with their sign: (position, strength, falling).
    let mut found: Vec<(f64, f64, bool)> = Vec::new();
    for i in 1..d.len() - 1 {
        let m = d[i].abs();
        // A peak of the signed derivative: a rising edge is a local maximum, a falling
        // edge a local minimum (plateaus count once, at their right end).
        let s = d[i].signum();
        let (a, c) = (d[i - 1] * s, d[i + 1] * s);
        if m < min_strength || m < a || m <= c {
            continue;
        }
        // Sub-pixel position: the centroid of the slope around the peak, which is exact
        // for an area-sampled step (each sample's slope share is its edge coverage).
        let (mut lo_j, mut hi_j) = (i, i);
        while lo_j > 0 && i - lo_j < 3 && d[lo_j - 1] * s > 0.0 && (d[lo_j - 1] * s) <= d[lo_j] * s
        {
            lo_j -= 1;
        }
        while hi_j + 1 < d.len()
            && hi_j - i < 3
            && d[hi_j + 1] * s > 0.0
            && (d[hi_j + 1] * s) <= d[hi_j] * s
        {
            hi_j += 1;
        }
        let (sum, weighted) = (lo_j..=hi_j).fold((0.0, 0.0), |(sw, sx), j| {
            let wgt = d[j] * s;
            (sw + wgt, sx + wgt * (j as f64 + 0.5))
        });
        let edge = (weighted / sum, m, d[i] < 0.0);
        match found.last_mut() {
            Some(last) if last.2 == edge.2 => {
                if edge.1 > last.1 {
                    *last = edge;
                }
            }
            _ => found.push(edge),
        }
    }
    while found.first().is_some_and(|e| !e.2) {
        found.remove(0);
    }
    Some(found.into_iter().map(|e| e.0).collect())
}

/// Widths of a profile: the leading space, then bars and spaces, then the trailing space.
pub fn widths(profile: &[f64]) -> Option<Vec<f64>> {
    // Edges are looked for on the page only (off-page samples are NaN): its contrast and
    // its noise are what edges must stand out of. Off the page counts as blank paper, so
    // a symbol cut close by the scan's edge keeps its quiet zone.
    let (on_page, page) = on_page(profile)?;
    let (ink, paper) = min_max(page);
    // A line that enters (or leaves) the page on a bar gets two paper samples there, so
    // that the bar cut by the page's edge still has its edge.
    let dark = |v: f64| v < (ink + paper) / 2.0;
    let (lead, trail) = (
        if dark(page[0]) { 2 } else { 0 },
        if dark(page[page.len() - 1]) { 2 } else { 0 },
    );
    let mut padded = vec![paper; lead];
    padded.extend_from_slice(page);
    padded.resize(padded.len() + trail, paper);
    let mut e = edges(&padded)?;
    for x in &mut e {
        *x += on_page as f64 - lead as f64;
    }
    widths_between(&e, profile.len())
}

/// Where a profile's page begins (off-page samples are NaN) and its samples on the page.
fn on_page(profile: &[f64]) -> Option<(usize, &[f64])> {
    let first = profile.iter().position(|v| !v.is_nan())?;
    let end = profile.iter().rposition(|v| !v.is_nan())? + 1;
    Some((first, &profile[first..end]))
}

/// The widths between the edges `e` of a profile `len` samples long: the leading space,
/// then bars and spaces, then the trailing space.
fn widths_between(e: &[f64], len: usize) -> Option<Vec<f64>> {
    let first = *e.first()?;
    let mut w = Vec::with_capacity(e.len() + 1);
    w.push(first);
    w.extend(e.windows(2).map(|p| p[1] - p[0]));
    w.push(len as f64 - 1.0 - e[e.len() - 1]);
    Some(w)
}

/// A line's decode, with the positions of the symbol's ends along it.
#[derive(Clone, Debug, PartialEq)]
pub struct LineRead {
    /// What the line decoded to.
    pub decoded: Decoded,
    /// Distance along the line of the start character's first edge.
    pub start_t: f64,
    /// Distance along the line of the stop pattern's last edge.
    pub end_t: f64,
}

/// Decodes one scanline: of the symbols it crosses, the one nearest its middle.
pub fn read_line(image: &GrayImage, line: &Scanline) -> Option<LineRead> {
    let middle = line.len as f64 / 2.0;
    read_line_all(image, line).into_iter().min_by(|a, b| {
        let off = |r: &LineRead| ((r.start_t + r.end_t) / 2.0 - middle).abs();
        off(a).total_cmp(&off(b))
    })
}

/// Decodes one scanline: every symbol it crosses.
pub fn read_line_all(image: &GrayImage, line: &Scanline) -> Vec<LineRead> {
    let profile = line.profile(image);
    let Some(w) = widths(&profile) else {
        return Vec::new();
    };
    let at = boundaries(&w);
    decode_all(&w)
        .into_iter()
        .filter_map(|decoded| {
            let elements = 6 * decoded.codewords.len() + 7;
            let (first, last) = if decoded.reversed {
                (
                    decoded.first_width + 1,
                    (decoded.first_width + 1).checked_sub(elements)?,
                )
            } else {
                (decoded.first_width, decoded.first_width + elements)
            };
            let (start_t, end_t) = (*at.get(first)?, *at.get(last)?);
            Some(LineRead {
                decoded,
                start_t,
                end_t,
            })
        })
        .collect()
}

/// One end of a symbol as read along a line, for per-character voting.
#[derive(Clone, Debug, PartialEq)]
pub struct LinePart {
    /// The characters read.
    pub part: Partial,
    /// Whether it is a head (read from the start character) or a tail (from the stop).
    pub head: bool,
    /// Whether the symbol runs against the line's direction.
    pub reversed: bool,
    /// Distance along the line of the start's first edge (head) or the stop's last (tail).
    pub t: f64,
}

/// Every head and tail a scanline crosses, in both directions.
pub fn line_parts(image: &GrayImage, line: &Scanline) -> Vec<LinePart> {
    line_reads(image, line, two_level(image), THICKNESS, false).parts
}

/// Whether an image holds two grey levels only (a fax, a bilevel scan), judged on a
/// sparse grid of its pixels: thresholding thins or thickens its bars, and narrow ones
/// may be gone.
pub fn two_level(image: &GrayImage) -> bool {
    const STEP: usize = 7;
    let (w, raw) = (image.width() as usize, image.as_raw());
    let mut levels: [Option<u8>; 2] = [None; 2];
    for row in raw.chunks_exact(w.max(1)).step_by(STEP) {
        for &v in row.iter().step_by(STEP) {
            match levels {
                [Some(a), _] if a == v => {}
                [_, Some(b)] if b == v => {}
                [None, _] => levels[0] = Some(v),
                [_, None] => levels[1] = Some(v),
                _ => return false,
            }
        }
    }
    true
}

/// A Code 39 symbol a line crosses: its text, and where the outer edges of its first and
/// last bars lie along the line, in reading order (`start_t > end_t` when it runs against
/// the line).
#[derive(Clone, Debug, PartialEq)]
pub struct Line39 {
    pub text: String,
    pub start_t: f64,
    pub end_t: f64,
}

/// What a scanline met: every head and tail of Code 128 symbols it crosses, in both
/// directions; the Code 39 symbol it crosses whole, if any; and its widths (for
/// [`inside_bars`]), `None` when it shows no edges.
pub struct LineMeets {
    pub parts: Vec<LinePart>,
    /// The sure characters at the ends of runs that a template read only in part (a
    /// stroke across the line, or two patterns alike somewhere): for the votes across
    /// lines of a symbol nothing else read, never for the geometry of one that was.
    pub loose: Vec<LinePart>,
    pub code39: Option<Line39>,
    pub widths: Option<Vec<f64>>,
}

/// What `line` meets; `two_level` tells whether the image is thresholded ([`two_level`]);
/// its profile averages `thickness` samples across the line. With `halfway`, a line
/// that reads no whole symbol by its edges is also read where it crosses the level
/// halfway from its ink to its paper ([`crossings`]).
pub fn line_reads(
    image: &GrayImage,
    line: &Scanline,
    two_level: bool,
    thickness: usize,
    halfway: bool,
) -> LineMeets {
    SampledLine::new(image, line, thickness).meets(two_level, halfway)
}

/// What a line shows before it is read one way or another: its profile, its widths, the
/// heads and tails its edges give (as sampled and sharpened), and what templates read on
/// it, worked out when first asked for. A candidate read again with lines thresholded
/// halfway ([`SampledLine::meets`]) reads the same lines: each is sampled and read by its
/// edges once.
pub struct SampledLine {
    profile: Vec<f64>,
    widths: Option<Vec<f64>>,
    /// The heads and tails of the line's edges, and of its sharpened edges when those
    /// read no whole symbol.
    edges: Vec<LinePart>,
    code39: Option<Line39>,
    templates: OnceCell<Templates>,
}

impl SampledLine {
    /// Samples `line` (`thickness` samples across it) and reads it by its edges.
    pub fn new(image: &GrayImage, line: &Scanline, thickness: usize) -> SampledLine {
        let profile = line.profile_across(image, thickness);
        let widths = widths(&profile);
        let mut edges = widths.as_deref().map_or_else(Vec::new, parts_of_widths);
        // Blur pulls the edges of narrow elements apart: when no symbol reads whole, read
        // the line again sharpened (a second, harder pass read nothing more on the corpus).
        if !read_whole(&edges) {
            push_new(&mut edges, parts_of(&sharpen(&profile)));
        }
        SampledLine {
            code39: widths.as_deref().and_then(code39_of),
            profile,
            widths,
            edges,
            templates: OnceCell::new(),
        }
    }

    /// What the line meets ([`line_reads`]).
    pub fn meets(&self, two_level: bool, halfway: bool) -> LineMeets {
        let (profile, w) = (&self.profile, self.widths.as_deref());
        let mut parts = self.edges.clone();
        // Ripples inside faded bars (a JPEG's ringing: a bar's middle as far from its
        // edges as a fifth of the contrast, seed 317 0253) make edges of their own, and
        // thin spaces inside bars: when asked, and no symbol reads whole, the line is read
        // again where it crosses the level halfway from its ink to its paper, as a
        // thresholding reader does.
        if halfway && !read_whole(&parts) {
            push_new(
                &mut parts,
                crossings(profile).map_or_else(Vec::new, |w| parts_of_widths(&w)),
            );
        }
        // Blur too strong for edges: match rendered characters on the grey profile.
        let mut loose = Vec::new();
        if !read_whole(&parts) {
            let templates = self
                .templates
                .get_or_init(|| template_parts(profile, w, two_level));
            parts.extend(templates.whole.iter().cloned());
            loose = templates.loose.clone();
        }
        LineMeets {
            parts,
            loose,
            code39: self.code39.clone(),
            widths: self.widths.clone(),
        }
    }
}

/// Adds to `parts` those of `more` it does not hold yet, in order.
fn push_new(parts: &mut Vec<LinePart>, more: Vec<LinePart>) {
    for p in more {
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
}

/// Whether some of `parts` read a symbol from start to stop whose check character holds:
/// one whose check character fails is not read (blur moved the edges of some narrow
/// element by a module).
fn read_whole(parts: &[LinePart]) -> bool {
    parts.iter().any(|p| verified(p).is_some())
}

/// The median element of a line's widths `w` when the line begins and ends among bars:
/// at least [`MIN_RUN`] elements and no space as wide as a quiet zone, at its ends or
/// between (text leaves such gaps between its words). Such a line is shorter than what it
/// crosses: a piece of a symbol that a strike or a stamp cut off from its ends.
pub(super) fn inside_bars(w: &[f64]) -> Option<f64> {
    if w.len() < MIN_RUN + 2 {
        return None;
    }
    let median = median_element(w);
    // Spaces are the even widths, the leading and the trailing one included.
    w.iter()
        .step_by(2)
        .all(|&space| space < QUIET_RUN * median)
        .then_some(median)
}

/// The median element of a line's widths `w` when the line begins or ends among bars (the
/// other end in a quiet zone, or among bars too): at least [`MIN_RUN`] elements, no space
/// between as wide as a quiet zone, and its leading or its trailing space narrower. Such
/// a line starts or stops inside what it crosses: a symbol that reaches beyond it.
pub(super) fn one_end_in_bars(w: &[f64]) -> Option<f64> {
    if w.len() < MIN_RUN + 2 {
        return None;
    }
    let median = median_element(w);
    let quiet = |space: f64| space >= QUIET_RUN * median;
    let between = w[2..w.len() - 1].iter().step_by(2).all(|&s| !quiet(s));
    (between && !(quiet(w[0]) && quiet(w[w.len() - 1]))).then_some(median)
}

/// The median of a line's widths `w` (at least three) between its leading and trailing
/// spaces.
fn median_element(w: &[f64]) -> f64 {
    let mut inner: Vec<i64> = w[1..w.len() - 1].iter().map(|&v| total_key(v)).collect();
    let middle = inner.len() / 2;
    nth_smallest(&mut inner, middle)
}

/// The Code 39 symbol on a line's widths, read in either direction.
fn code39_of(w: &[f64]) -> Option<Line39> {
    if let Some(r) = code39::decode(w) {
        let at = boundaries(w);
        return Some(Line39 {
            text: r.text,
            start_t: at[r.first],
            end_t: at[r.last + 1],
        });
    }
    let reversed: Vec<f64> = w.iter().rev().copied().collect();
    let r = code39::decode(&reversed)?;
    let at = boundaries(w);
    // Index i of the reversed widths is index n - 1 - i of the line's.
    let n = w.len();
    Some(Line39 {
        text: r.text,
        start_t: at[n - r.first],
        end_t: at[n - 1 - r.last],
    })
}

/// The symbol characters of a part that read a whole symbol with a right check character.
pub(super) fn verified(p: &LinePart) -> Option<Vec<u8>> {
    let values: Vec<u8> = p.part.chars.iter().map(|c| c.0).collect();
    (p.part.whole && check_ok(&values)).then_some(values)
}

/// Quiet zones are spaces at least this many times the line's median element.
const QUIET_RUN: f64 = 4.0;
/// How light, from the line's ink to its paper, the middle of a quiet zone gets.
const QUIET_LIGHT: f64 = 0.85;
/// Fewest elements (bars and spaces) in a run of bars worth reading from templates. The
/// shortest symbol of four characters has 31; every template read of the 500-page
/// corpus had 40 or more (blur merges few edges before the template is needed), while
/// runs of 15–29 — letters, digits, a rule's ends — took a third of the template time.
const MIN_RUN: usize = 30;

/// Whole symbols read by [`template::read_between`] on each run of bars between two
/// quiet zones (the line's widths `w`), as a head and a tail each.
fn template_parts(profile: &[f64], w: Option<&[f64]>, two_level: bool) -> Templates {
    let mut out = Templates::default();
    let Some(w) = w else {
        return out;
    };
    if w.len() < MIN_RUN + 2 {
        return out;
    }
    let median = median_element(w);
    let at = boundaries(w);
    // Spaces are the even widths (the first is the leading space).
    let quiet: Vec<usize> = (0..w.len())
        .step_by(2)
        .filter(|&i| i == 0 || i == w.len() - 1 || w[i] >= QUIET_RUN * median)
        .collect();
    // A quiet zone is as light as the paper, blurred or not; a wide "space" whose middle
    // stays grey may be a run of narrow bars and spaces that blur merged into one level
    // (ink erosion lightens it further). Ink and paper are the line's 5th and 95th
    // percentiles, measured only when such a space is met.
    let paper = OnceCell::new();
    let grey = |i: usize| {
        let paper = *paper.get_or_init(|| {
            let mut on_page: Vec<i64> = profile
                .iter()
                .filter(|v| !v.is_nan())
                .map(|&v| total_key(v))
                .collect();
            let mut percentile = |p: f64| {
                let k = ((on_page.len() - 1) as f64 * p) as usize;
                nth_smallest(&mut on_page, k)
            };
            let (ink, paper) = (percentile(0.05), percentile(0.95));
            ink + QUIET_LIGHT * (paper - ink)
        });
        // The mean of the space's middle half (its ends are the slopes of its edges).
        let quarter = 0.25 * (at[i + 1] - at[i]);
        let a = ((at[i] + quarter).ceil() as usize).min(profile.len());
        let b = ((at[i + 1] - quarter) as usize).min(profile.len()).max(a);
        let middle = &profile[a..b];
        middle.iter().sum::<f64>() / (middle.len().max(1) as f64) < paper
    };
    let mut i = 0;
    while i + 1 < quiet.len() {
        // The run to the next quiet zone or, when that does not read, to the one after:
        // on a thresholded page, a space that a vanished bar widened can pass for a quiet
        // zone; on a grey one, a space that stays grey.
        let mut partial = None;
        let found = (i + 1..quiet.len().min(i + 3)).find_map(|j| {
            if j > i + 1 && !two_level && !grey(quiet[i + 1]) {
                return None;
            }
            let (a, b) = (quiet[i], quiet[j]);
            let read = (b - a >= MIN_RUN)
                .then(|| template::read_between(profile, &at[a + 1..=b], two_level))
                .flatten()?;
            if !read.unsure.is_empty() {
                partial.get_or_insert((a, b, read));
                return None;
            }
            Some((j, read))
        });
        let Some((j, read)) = found else {
            // The sure characters of a run that did not read whole: loose ends.
            if let Some((a, b, read)) = partial {
                out.loose.extend(ends_of_read(&read, a, b));
            }
            i += 1;
            continue;
        };
        let (a, b) = (quiet[i], quiet[j]);
        i = j;
        out.whole.extend(ends_of_read(&read, a, b));
    }
    out
}

/// What templates read on a line: whole symbols, and the sure characters at the ends of
/// runs that did not read whole ([`LineMeets::loose`]).
#[derive(Default)]
struct Templates {
    whole: Vec<LinePart>,
    loose: Vec<LinePart>,
}

/// A template read of the run between the widths `a` and `b` as a head and a tail: the
/// whole symbol each when it read whole; else its sure characters before its first unsure
/// position (head) and after its last (tail).
fn ends_of_read(read: &TemplateRead, a: usize, b: usize) -> Vec<LinePart> {
    let reversed = read.start_t > read.end_t;
    let chars: Vec<(u8, f64)> = read.codewords.iter().map(|&v| (v, 0.0)).collect();
    let whole = read.unsure.is_empty();
    let (first, last) = match (read.unsure.first(), read.unsure.last()) {
        (Some(&f), Some(&l)) => (f, l + 1),
        _ => (chars.len(), 0),
    };
    [(true, read.start_t), (false, read.end_t)]
        .into_iter()
        .filter_map(|(head, t)| {
            let chars = match (whole, head) {
                (true, _) => chars.clone(),
                (false, true) => chars[..first].to_vec(),
                (false, false) => chars[last..].to_vec(),
            };
            (!chars.is_empty()).then(|| LinePart {
                part: Partial {
                    chars,
                    at: if head { a + 1 } else { b },
                    module: read.module,
                    whole,
                    stopped: false,
                },
                head,
                reversed,
                t,
            })
        })
        .collect()
}

/// How far, in modules, a character's first edge may lie from where a symbol's grid
/// puts it for [`char_at`] to read it there.
const SNAP: f64 = 0.6;
/// How far, in modules, the six elements read by [`char_at`] may span from 11.
const SPAN_OFF: f64 = 1.5;

/// The symbol character whose pattern begins about `t` along a line of widths `w` (whose
/// [`boundaries`] are `at`), read in the symbol's direction (`reversed`: against the line's) with `module` px modules:
/// where a symbol's two ends place its characters, one of the middle ones can be read
/// from the line's edges between two strokes across it, though no head or tail reaches
/// it. `None` when no bar begins within [`SNAP`] modules of `t`, when its six elements do
/// not span about 11 modules, or when they do not classify.
pub(super) fn char_at(
    w: &[f64],
    at: &[f64],
    t: f64,
    module: f64,
    reversed: bool,
) -> Option<(u8, f64)> {
    // Bars are the odd widths; reading forward a character begins at a bar's first edge,
    // reading backward at a bar's last.
    let edge = |i: usize| if reversed { at[i + 1] } else { at[i] };
    let i = (1..w.len())
        .step_by(2)
        .min_by(|&a, &b| (edge(a) - t).abs().total_cmp(&(edge(b) - t).abs()))?;
    if (edge(i) - t).abs() > SNAP * module {
        return None;
    }
    let six: Vec<f64> = if reversed {
        (0..6)
            .map(|k| i.checked_sub(k).map(|j| w[j]))
            .collect::<Option<_>>()?
    } else {
        w.get(i..i + 6)?.to_vec()
    };
    let span: f64 = six.iter().sum();
    if (span / module - 11.0).abs() > SPAN_OFF {
        return None;
    }
    classify(&six)
}

/// The profile with its Laplacian taken off ([`SHARPEN`] times): an inverse of a little
/// blur, which moves the slope peaks of narrow bars and spaces back to their edges.
fn sharpen(profile: &[f64]) -> Vec<f64> {
    let mut out = profile.to_vec();
    for i in 1..profile.len().saturating_sub(1) {
        out[i] += SHARPEN * (2.0 * profile[i] - profile[i - 1] - profile[i + 1]);
    }
    out
}

/// Widths of a profile as [`widths`] gives them, with the edges where the profile crosses
/// the level halfway from its ink to its paper (its 5th and 95th percentiles on the page),
/// placed between samples by linear interpolation; `None` when it has too little contrast.
fn crossings(profile: &[f64]) -> Option<Vec<f64>> {
    let (_, page) = on_page(profile)?;
    let mut sorted = page.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let (ink, paper) = (at(0.05), at(0.95));
    if paper - ink < 20.0 {
        return None;
    }
    let level = (ink + paper) / 2.0;
    // Off the page (NaN) is paper.
    let dark = |i: usize| profile[i] < level;
    let mut e = Vec::new();
    if dark(0) {
        e.push(0.0);
    }
    for i in 1..profile.len() {
        if dark(i) != dark(i - 1) {
            // The crossing between samples i - 1 and i (off the page: halfway).
            let (a, b) = (profile[i - 1], profile[i]);
            let x = if a.is_nan() || b.is_nan() {
                (i - 1) as f64 + 0.5
            } else {
                (i - 1) as f64 + (level - a) / (b - a)
            };
            e.push(x);
        }
    }
    if e.len() % 2 == 1 {
        e.push((profile.len() - 1) as f64);
    }
    widths_between(&e, profile.len())
}

fn parts_of(profile: &[f64]) -> Vec<LinePart> {
    widths(profile).map_or_else(Vec::new, |w| parts_of_widths(&w))
}

fn parts_of_widths(w: &[f64]) -> Vec<LinePart> {
    let at = boundaries(w);
    let total = at[at.len() - 1];
    let reversed: Vec<f64> = w.iter().rev().copied().collect();
    let at_rev = boundaries(&reversed);
    let mut parts = Vec::new();
    for (ws, bounds, rev) in [(w, &at[..], false), (&reversed[..], &at_rev[..], true)] {
        let place = |i: usize| if rev { total - bounds[i] } else { bounds[i] };
        for (list, head) in [(heads(ws), true), (tails(ws), false)] {
            parts.extend(list.into_iter().map(|part| LinePart {
                t: place(part.at),
                part,
                head,
                reversed: rev,
            }));
        }
    }
    parts
}

/// Positions of the width boundaries along the line: prefix sums, from 0.
pub(super) fn boundaries(w: &[f64]) -> Vec<f64> {
    let mut at = Vec::with_capacity(w.len() + 1);
    let mut t = 0.0;
    at.push(0.0);
    for x in w {
        t += x;
        at.push(t);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::code128::{CodeSets, codewords};
    use crate::synth::{Block, TextStyle, draw_block};

    fn symbol_image(value: &str, px_per_module: f64, blur: f64) -> GrayImage {
        eroded_symbol_image(value, px_per_module, 0.0, blur)
    }

    /// A symbol whose bars lost `erosion` modules of their width, blurred by `blur` px.
    fn eroded_symbol_image(value: &str, px_per_module: f64, erosion: f64, blur: f64) -> GrayImage {
        let mut img = GrayImage::from_pixel(600, 60, image::Luma([255]));
        let dpi = 254.0;
        let block = Block {
            x_mm: 3.0,
            y_mm: 1.0,
            value: value.to_owned(),
            sets: CodeSets::Shortest,
            x_dim_mm: px_per_module / dpi * 25.4,
            height_mm: 4.0,
            legend: None,
            hri: None,
            style: TextStyle::default(),
            bar_gain_mm: -erosion * px_per_module / dpi * 25.4,
        };
        draw_block(&mut img, &block, dpi).unwrap();
        if blur > 0.0 {
            crate::synth::degrade::blur(&img, blur)
        } else {
            img
        }
    }

    /// A line sampled once and read both ways (by its edges alone, then halfway too, then
    /// by its edges again) reads each way as the same line read afresh: the templates it
    /// keeps from its first read are the ones a fresh read works out.
    #[test]
    fn a_line_read_again_halfway_reads_as_a_fresh_line() {
        // Faded bars rippling inside (a JPEG's ringing) on a grey paper, and blurred grey
        // print whose edges misread a character (read from templates).
        let mut rippled = symbol_image("10001045367", 3.0, 0.0);
        for (x, _, p) in rippled.enumerate_pixels_mut() {
            p.0[0] = if p.0[0] < 128 {
                [130, 112, 128][x as usize % 3]
            } else {
                219
            };
        }
        let mut blurred = symbol_image("10001045367", 2.4, 1.4);
        for p in blurred.pixels_mut() {
            p.0[0] = 90 + (u16::from(p.0[0]) * 110 / 255) as u8;
        }
        let fields = |m: LineMeets| (m.parts, m.loose, m.widths);
        let mut halfway_adds = false;
        for img in [&rippled, &blurred] {
            for y in [20.5, 30.5, 40.5] {
                let line = Scanline {
                    from: [0.0, y],
                    dir: [1.0, 0.0],
                    len: 600,
                };
                let sampled = SampledLine::new(img, &line, THICKNESS);
                let fresh = |halfway| fields(line_reads(img, &line, false, THICKNESS, halfway));
                let (edges, halfway) = (fresh(false), fresh(true));
                assert!(fields(sampled.meets(false, false)) == edges, "{y}");
                assert!(fields(sampled.meets(false, true)) == halfway, "{y}");
                assert!(fields(sampled.meets(false, false)) == edges, "{y}");
                halfway_adds |= halfway.0.len() > edges.0.len();
            }
        }
        assert!(halfway_adds, "some line reads more halfway");
    }

    #[test]
    fn crossings_halfway_ignore_ripples_inside_bars() {
        // Paper 219, bars 125 three samples a module wide: a 2-module bar with a ripple of
        // a fifth of the contrast in its middle, a 1-module space, a 3-module bar.
        let mut profile = vec![219.0; 20];
        profile.extend([130.0, 118.0, 137.0, 112.0, 128.0, 125.0]);
        profile.extend([219.0; 3]);
        profile.extend([125.0; 9]);
        profile.extend([219.0; 20]);
        let w = crossings(&profile).expect("contrast enough");
        assert_eq!(w.len(), 5, "{w:?}");
        for (got, want) in w[1..4].iter().zip([6.0, 3.0, 9.0]) {
            assert!((got - want).abs() < 0.5, "{w:?}");
        }
        // The edges see the ripple: the first bar is cut in two.
        assert!(widths(&profile).expect("edges").len() > 5);
    }

    #[test]
    fn a_blurred_line_whose_edges_misread_a_character_is_read_from_templates() {
        // Grey print blurred so that the edges of some narrow element move by a module:
        // the edges read start to stop with a wrong check character.
        let mut img = symbol_image("10001045367", 2.4, 1.4);
        for p in img.pixels_mut() {
            p.0[0] = 90 + (u16::from(p.0[0]) * 110 / 255) as u8;
        }
        let line = Scanline {
            from: [0.0, 30.5],
            dir: [1.0, 0.0],
            len: 600,
        };
        let profile = line.profile(&img);
        let texts = |parts: &[LinePart]| -> Vec<String> {
            parts
                .iter()
                .filter_map(verified)
                .filter_map(|values| crate::decode::code128::text(&values).map(|t| t.0))
                .collect()
        };
        let edges = parts_of_widths(&widths(&profile).unwrap());
        assert!(
            edges.iter().any(|p| p.part.whole),
            "edges read start to stop"
        );
        assert!(texts(&edges).is_empty(), "…with a wrong check character");
        let all = line_parts(&img, &line);
        assert!(texts(&all).iter().any(|t| t == "10001045367"), "{all:?}");
    }

    #[test]
    fn a_grey_gap_that_blur_made_of_thin_bars_is_no_quiet_zone() {
        // Thin bars blurred into a grey plateau four times the median element wide: its
        // width makes it look like a quiet zone that cuts the symbol in two, its grey
        // middle says it is not one.
        for y in [20.5, 30.5, 40.5] {
            let img = eroded_symbol_image("10458582722", 2.87, 0.35, 2.7);
            let line = Scanline {
                from: [0.0, y],
                dir: [1.0, 0.0],
                len: 600,
            };
            let w = widths(&line.profile(&img)).unwrap();
            let median = median_element(&w);
            assert!(
                w[2..w.len() - 2]
                    .iter()
                    .step_by(2)
                    .any(|&space| space >= QUIET_RUN * median),
                "a space inside the symbol is as wide as a quiet zone: {w:?}"
            );
            let read: Vec<Vec<u8>> = line_parts(&img, &line)
                .iter()
                .filter(|p| p.head)
                .filter_map(verified)
                .collect();
            let cw = codewords("10458582722", CodeSets::Shortest).unwrap();
            assert_eq!(read, vec![cw], "line at {y}");
        }
    }

    #[test]
    fn reads_drawn_symbols_down_to_1_4_pixels_per_module() {
        for ppm in [3.0, 2.5, 2.0, 1.6, 1.5, 1.4] {
            let img = symbol_image("10001045367", ppm, 0.0);
            let line = Scanline {
                from: [0.0, 30.5],
                dir: [1.0, 0.0],
                len: 600,
            };
            let r = read_line(&img, &line).unwrap_or_else(|| panic!("{ppm} px/module"));
            assert_eq!(r.decoded.text, "10001045367");
            let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
            let modules = (11 * cw.len() + 13) as f64;
            assert!(
                ((r.end_t - r.start_t) / modules - ppm).abs() < 0.1,
                "{ppm}: {r:?}"
            );
        }
    }

    #[test]
    fn line_parts_read_clean_bilevel_symbols_down_to_1_3_pixels_per_module() {
        // Thresholded: every edge up to half a pixel off, 0.38 module at 1.3 px/module.
        let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
        for ppm in [1.4, 1.3] {
            let mut img = symbol_image("10001045367", ppm, 0.0);
            for p in img.pixels_mut() {
                p.0[0] = if p.0[0] < 128 { 0 } else { 255 };
            }
            let line = Scanline {
                from: [0.0, 30.5],
                dir: [1.0, 0.0],
                len: 600,
            };
            let parts = line_parts(&img, &line);
            let whole: Vec<Vec<u8>> = parts
                .iter()
                .filter(|p| p.head && p.part.whole)
                .map(|p| p.part.chars.iter().map(|c| c.0).collect())
                .collect();
            assert_eq!(whole, vec![cw.clone()], "{ppm} px/module");
        }
    }

    #[test]
    fn reads_right_to_left_and_blurred() {
        let img = symbol_image("750712184", 2.5, 1.0);
        let line = Scanline {
            from: [599.0, 30.0],
            dir: [-1.0, 0.0],
            len: 600,
        };
        let r = read_line(&img, &line).expect("reversed line");
        assert_eq!(r.decoded.text, "750712184");
        assert!(r.start_t > r.end_t, "the start is at the far end");
    }

    #[test]
    fn lines_running_off_the_page_read_symbols_cut_by_its_edge() {
        // The symbol cropped to its first and last bars, on grey paper: the lines start
        // and end far off the page at fractional positions.
        let img = symbol_image("10001045367", 3.0, 0.0);
        let dark_columns: Vec<u32> = (0..img.width())
            .filter(|&x| img.get_pixel(x, 30).0[0] < 128)
            .collect();
        let (x0, x1) = (dark_columns[0], dark_columns[dark_columns.len() - 1]);
        let cropped = GrayImage::from_fn(x1 - x0 + 1, 60, |x, y| {
            image::Luma([img.get_pixel(x + x0, y).0[0].min(200)])
        });
        for from in [-300.0, -300.3, -300.8] {
            let line = Scanline {
                from: [from, 30.0],
                dir: [1.0, 0.0],
                len: 1100,
            };
            let r = read_line(&cropped, &line).unwrap_or_else(|| panic!("from {from}"));
            assert_eq!(r.decoded.text, "10001045367");
            assert!((r.start_t + from).abs() < 1.0, "{from}: {r:?}");
        }
    }

    #[test]
    fn only_thresholded_images_are_two_level() {
        let grey = symbol_image("10001045367", 1.7, 0.8);
        assert!(!two_level(&grey));
        let fax = crate::synth::degrade::threshold(&grey, 140);
        assert!(two_level(&fax));
        assert!(two_level(&GrayImage::from_pixel(
            30,
            30,
            image::Luma([255])
        )));
    }

    #[test]
    fn a_line_among_bars_from_end_to_end_is_inside_a_symbol() {
        // Spaces (even places) and bars of 1–4 modules of 2 px, the leading and trailing
        // spaces cut short by the line's ends.
        let inside: Vec<f64> = (0..41).map(|i| f64::from(1 + (i * 7) % 4) * 2.0).collect();
        assert!(inside[0] < 8.0 && inside[40] < 8.0);
        let median = inside_bars(&inside).expect("a piece of a symbol");
        assert!((2.0..=8.0).contains(&median));
        // A quiet zone at an end, or a word's gap between: not inside bars.
        let mut ended = inside.clone();
        ended[40] = 60.0;
        assert_eq!(inside_bars(&ended), None);
        let mut gapped = inside.clone();
        gapped[20] = 40.0;
        assert_eq!(inside_bars(&gapped), None);
        // Too few elements to be a piece of a symbol.
        assert_eq!(inside_bars(&inside[..21]), None);
    }

    #[test]
    fn a_line_that_begins_among_bars_and_ends_in_a_quiet_zone_has_one_end_in_them() {
        let inside: Vec<f64> = (0..41).map(|i| f64::from(1 + (i * 7) % 4) * 2.0).collect();
        // A quiet zone after the stop: one end among bars.
        let mut ended = inside.clone();
        ended[40] = 60.0;
        assert!(one_end_in_bars(&ended).is_some_and(|m| (2.0..=8.0).contains(&m)));
        // Quiet zones at both ends: the line crossed the whole symbol.
        let mut whole = ended.clone();
        whole[0] = 60.0;
        assert_eq!(one_end_in_bars(&whole), None);
        // A word's gap between: text, not a symbol.
        let mut gapped = ended;
        gapped[20] = 40.0;
        assert_eq!(one_end_in_bars(&gapped), None);
    }

    #[test]
    fn flat_profiles_have_no_edges() {
        assert_eq!(edges(&[200.0; 50]), None);
        assert_eq!(widths(&[]), None);
    }

    /// A profile's points sampled one at a time with `THICK` samples across.
    fn one_by_one<const THICK: usize>(image: &GrayImage, line: &Scanline) -> Vec<f64> {
        let across = Across::<THICK>::new(image, line);
        (0..line.len)
            .map(|i| across.one(line.at(i as f64)))
            .collect()
    }

    proptest::proptest! {
        /// A profile sampled four points at a time gives, bit for bit, what its points
        /// give one by one: on whole and half pixels (where a floor worked out from the
        /// nearest integer could be off by one) as anywhere else, and near the page's
        /// edges and off it as well as inside.
        #[test]
        fn a_profile_is_its_points_sampled_one_by_one(
            pixels in proptest::collection::vec(0u8..=255, 400..1200),
            w in 16u32..40,
            quarters in proptest::array::uniform2(-40i32..200),
            turn in 0u32..32,
            odd_turn in -1.0f64..1.0,
            len in 1usize..90,
            thickness in 1usize..24,
        ) {
            let h = pixels.len() as u32 / w;
            let img = GrayImage::from_fn(w, h, |x, y| image::Luma([pixels[(y * w + x) as usize]]));
            // Sixteenths of a turn (along the rows and columns among them), or any angle.
            let angle = if turn < 16 {
                f64::from(turn) * std::f64::consts::TAU / 16.0
            } else {
                odd_turn * std::f64::consts::PI
            };
            let dir = match turn {
                0 => [1.0, 0.0],
                4 => [0.0, 1.0],
                8 => [-1.0, 0.0],
                12 => [0.0, -1.0],
                _ => [angle.cos(), angle.sin()],
            };
            let line = Scanline {
                from: quarters.map(|q| f64::from(q) / 4.0),
                dir,
                len,
            };
            let want = match thickness {
                ..=THICKNESS => one_by_one::<THICKNESS>(&img, &line),
                6..=9 => one_by_one::<9>(&img, &line),
                10..=13 => one_by_one::<13>(&img, &line),
                14..=17 => one_by_one::<17>(&img, &line),
                _ => one_by_one::<21>(&img, &line),
            };
            let got = line.profile_across(&img, thickness);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(&got), bits(&want));
        }
    }
}
