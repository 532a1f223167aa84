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
//! - a highlighter greys the paper along the bars, both quiet zones included
//!   ([`Evidence::highlight`]; the spaces between the bars are no guide, blur greys them);
//! - a stroke through the bars (a line or a cross: the symbol is struck out) leaves ink in
//!   the spaces along a straight line that stops at the bars' ends, while the bars are the
//!   same on every row ([`Evidence::strike`]; looked for at the scan's resolution, over
//!   the bars' rows found again around the quad, which the stroke may have cut short).
//!
//! This stage reads pixels and quads; the judge decides who the prescriber is.

use std::cell::OnceCell;

use image::GrayImage;

use crate::decode::Symbol;
use crate::locate::{nth_smallest, total_key32};
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
/// block (a logo, a title); less must stand alone, mm². On the group pads of five
/// corpora (seeds 2026, 7, 11, 13, 17), with folds and rules taken out ([`ruled_lines`]),
/// the most such ink beside an unmarked symbol that does not run into the corners is
/// 2.8 mm² (a signature's stroke); a tick over a title 4.1 mm².
const CLEAR_TICK_MM2: f64 = 4.0;
/// Share of the spaces a stroke through the bars inks (see [`Evidence::strike`]) below
/// which little ink beside them still stands alone.
const ALONE_STRIKE: f64 = 0.5;
/// [`ALONE_STRIKE`] at the fainter ink level ([`on_page`]).
const FAINT_ALONE_STRIKE: f64 = 0.15;
/// Ink above or below the block that rules out a tick or an arrow (a stamp reaches below
/// the symbol) and that a box around the block has on both sides, mm².
const AROUND_MM2: f64 = 1.0;
/// Most ink one pen line along a side of the block leaves, mm² (50 mm at 0.7 mm).
const OUTLINE_MM2: f64 = 35.0;
/// Share of directions a box around the block covers at least (its corners fall
/// outside the window's sectors less than a circle's arc does).
const BOX_RING: f64 = 0.4;
/// Highlighter: how much greyer both quiet zones are than the paper, in ink on the scale
/// where the bars are 255. Measured on the group pads of two corpora (seeds 2026 and 7):
/// highlighters 50–62, faded ones too; anything else at most 4 (a fold's darker side
/// gave 18 before the lesser of the two quiet zones was taken).
const HIGHLIGHT: f64 = 25.0;
/// Least ink of the bars (0–255) for a symbol to be looked at.
const MIN_BAR_INK: f32 = 40.0;
/// The stretch of each quiet zone whose paper tells a highlighter, mm beyond the bars:
/// past the blur of the outer bars, within the 10 modules every quiet zone has.
const QUIET_FROM_MM: f64 = 1.0;
const QUIET_TO_MM: f64 = 2.0;
/// Share of a symbol's spaces a stroke through it inks: surely one, and at least (then
/// inking this much more of them than any line along the bars, where a signature's
/// zigzag inks about as many either way). Measured on the group pads of two corpora
/// (seeds 2026 and 7): strokes ink at least 0.75, most 0.95 or more; stamps, signatures
/// and folds at most 0.79, and those with as many along the bars.
const SURE_STRIKE: f64 = 0.9;
const STRIKE: f64 = 0.75;
const STRIKE_LEAD: f64 = 0.1;
/// Samples per mm of the bars where a strike is looked for (the scan's resolution, within
/// these bounds).
const FINE_PER_MM: [f64; 2] = [6.0, 12.0];
/// Below this contrast between bars and spaces (ink, 0–255) no strike is looked for.
const MIN_CONTRAST: f32 = 30.0;
/// A column is a space when its print is within this share of the contrast above paper.
const SPACE_LEVEL: f32 = 0.5;
/// Ink above a space's print, as a share of the bars' contrast, that is a stroke's.
const STROKE_LEVEL: f32 = 0.3;
/// Lines tried: their ends step by this, and ink within this of a line lies on it, mm.
const STRIKE_STEP_MM: f64 = 0.4;
/// Around the best lines found, the finer step of their ends, mm.
const STRIKE_FINE_STEP_MM: f64 = 0.1;
const STRIKE_BAND_MM: f64 = 0.4;
/// A line slants across the bars when it climbs or falls this share of their height.
const SLANT: f64 = 0.3;
/// Beyond the bars' ends, from and to (mm), where a stroke through them has stopped and
/// a stamp's edge or a fold runs on; the share of that stretch inked that runs on.
const RUN_ON_MM: [f64; 2] = [2.0, 8.0];
const RUN_ON_SHARE: f64 = 0.5;
/// Ink within this of a line's course beyond the bars runs on along it (a fold or an edge
/// slants a little otherwise than the line through the bars that best follows it), mm.
const RUN_ON_BAND_MM: f64 = 1.0;
/// A line crosses an end of the bars when it inks this share of the spaces of their last
/// so many mm there, and runs on past it: its ink beside the bars is its own (a stamp's
/// edge crossing the bars' end), no tick's or arrow's, which stop short of the bars.
const EDGE_SHARE: f64 = 0.6;
const EDGE_END_MM: f64 = 5.0;
/// How far above and below the quad the bars are looked for, at least, mm.
const STRIKE_GROW_MM: f64 = 3.0;
/// A row repeats the bars' print when this share of its columns are within this share of
/// the contrast of the print; a gap of this many mm between such rows is a stroke.
const ROW_AGREE: f64 = 0.6;
const ROW_MATCH: f32 = 0.35;
const STRIKE_GAP_MM: f64 = 1.0;
/// Below these, nothing around a symbol looks like a mark: less ink beside it than the
/// least a tick leaves (specks of noise, JPEG ringing and speckle stay under 2 mm² on the
/// corpus), directions around it no more than furniture and stamps cover.
const PLAIN_RING: f64 = 0.55;
const PLAIN_BESIDE_MM2: f64 = 2.0;
const PLAIN_HIGHLIGHT: f64 = 12.0;
/// Share of a symbol's spaces the straight edge of a rubber stamp's box inks where it
/// crosses the bars without striking them out (it runs on beyond them into the corners).
/// Measured on the group pads of seeds 2026, 7, 11 and 13: stamps over a symbol
/// 0.45–0.86 (the least crossing half the bars); circles inking as many are seen all
/// around, no box, tick or arrow comes near.
const STAMP_EDGE: f64 = 0.4;

/// What the ink around one symbol shows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Share of the directions around the block in which ink lies outside it (0–1).
    pub ring: f64,
    /// The same counting no piece of ink as small as a speck ([`SPECK_MM`]): a circle is
    /// drawn in strokes; a speckled page's dots around a symbol under a stamp and by a
    /// logo made the share of a circle (seed 73 0320).
    pub solid_ring: f64,
    /// Ink left or right of the bars, within reach, mm² (the larger side).
    pub beside: f64,
    /// How much greyer the quiet zones (1–2 mm beyond the bars; the lesser of the two)
    /// are than the paper around the block on the same side of its middle, in ink on the
    /// scale where the bars are 255.
    pub highlight: f64,
    /// Ink above and below the block, within reach, mm².
    pub above: f64,
    pub below: f64,
    /// Of the ink above and below, what lies near the block (within the corners' height
    /// of it), mm²: a stamp's box and text, not a page's header or logo further off.
    pub near: f64,
    /// Of the ink above and below, what lies beyond the block's end on the side with more
    /// ink beside it (the corners a tick or an arrow leaves empty), mm².
    pub corners: f64,
    /// The same two on the other side of the bars (a tick on one side, a stamp running on
    /// beside the other).
    pub other_beside: f64,
    pub other_corners: f64,
    /// Share of the symbol's spaces inked along one straight line that slants across the
    /// bars and stops at their ends (0–1).
    pub strike: f64,
    /// The same along a line that runs along the bars (a stroke, or a stamp's edge).
    pub strike_level: f64,
}

impl Evidence {
    /// Whether a mark singles the symbol out (circle, box, tick, arrow, highlighter).
    pub fn singled_out(&self) -> bool {
        self.singled_out_beside(ALONE_STRIKE)
    }

    /// [`Evidence::singled_out`], little ink beside the bars standing alone only with
    /// less than `alone_strike` of their spaces inked by a stroke through them.
    fn singled_out_beside(&self, alone_strike: f64) -> bool {
        let pen = |ink: f64| (BESIDE_MM2[0]..=BESIDE_MM2[1]).contains(&ink);
        let pen_beside = pen(self.beside);
        let boxed = self.ring >= BOX_RING && self.outlined() && pen_beside;
        // A tick or an arrow stays level with the block; printed text and logos further
        // above or below do not matter, a stamp or a signature runs on into the corners.
        // Little ink beside (a short stroke, or the edge of a stamp, or a signature's
        // stroke running on beyond the bars) counts only alone: nothing above or below
        // near the block, no stroke through the bars.
        let isolated = self.near < AROUND_MM2 && self.strike.max(self.strike_level) < alone_strike;
        // Either side: a tick on one side is one whatever runs on beside the other.
        let tick = |beside: f64, corners: f64| {
            corners < AROUND_MM2 && pen(beside) && (beside >= CLEAR_TICK_MM2 || isolated)
        };
        let ticked = tick(self.beside, self.corners) || tick(self.other_beside, self.other_corners);
        self.circled() || boxed || ticked || self.highlight >= HIGHLIGHT
    }

    /// Whether a tick or an arrow beside the bars is all there is: a pen's ink beside them
    /// as a clear tick has, the corners empty, nothing near above or below, no stroke
    /// through the bars, no ring of specks around.
    pub fn clearly_ticked(&self) -> bool {
        let pen = (CLEAR_TICK_MM2..=BESIDE_MM2[1]).contains(&self.beside);
        pen && self.corners < AROUND_MM2
            && self.near < AROUND_MM2
            && self.strike.max(self.strike_level) < ALONE_STRIKE
            && self.ring < PLAIN_RING
    }

    /// Whether a pen's circle or box all around is all there is: ink in every direction
    /// around the block, in strokes (not specks), a line's worth above and below it (a
    /// stamp's text or a signature is much more), no stroke through the bars.
    pub fn clearly_ringed(&self) -> bool {
        self.circled() && self.outlined() && self.strike.max(self.strike_level) < ALONE_STRIKE
    }

    /// Whether ink lies all around the block, and so without its specks.
    fn circled(&self) -> bool {
        self.ring.min(self.solid_ring) >= RING
    }

    /// Whether the ink above and below the block is a pen line's worth each, as a box's
    /// sides are (a stamp or a signature is much more ink).
    fn outlined(&self) -> bool {
        let outline = |ink: f64| (AROUND_MM2..=OUTLINE_MM2).contains(&ink);
        outline(self.above) && outline(self.below)
    }

    /// Whether nothing near the symbol could be a mark at all: the other symbols of a pad
    /// must look like this for one mark to single one out (a mark half seen elsewhere
    /// makes the page ambiguous, never another prescriber's).
    pub fn plain(&self) -> bool {
        self.ring < PLAIN_RING && self.beside < PLAIN_BESIDE_MM2 && self.highlight < PLAIN_HIGHLIGHT
    }

    /// Whether a rubber stamp lies over the symbol and explains the ink around it: the
    /// straight edge of its box crosses the bars (inking many of their spaces, as no
    /// circle, tick or arrow does) and runs on into the corners beside the block (as no
    /// stroke through the bars does), its text lies near the block, and nothing
    /// circles or highlights it. Such a symbol is not singled out, and it does not stop a
    /// mark elsewhere from singling another out: a stamp is no hand mark.
    pub fn stamped(&self) -> bool {
        let edge = self.strike.max(self.strike_level) >= STAMP_EDGE;
        edge && self.corners >= AROUND_MM2
            && self.near >= AROUND_MM2
            && self.ring < RING
            && self.highlight < PLAIN_HIGHLIGHT
            && !self.singled_out()
            && !self.struck()
    }

    /// Whether the symbol is struck out: a straight stroke through the bars, stopping at
    /// their ends, and no more. A stroke that slants across the bars inks nearly all their
    /// spaces; one that inks fewer must stand clear of what else a stroke could be: a
    /// signature's zigzag inks as many along the bars as across them, a stamp's edge runs
    /// on into the corners beside the block, on either side (seed 47 0379: an arrow on one
    /// side, the stamp's edge running on past the other end). A stroke along the bars is
    /// one only with nothing in the corners or below the block (a stamp's box and text).
    /// No stroke counts inside a circle's arc all around.
    pub fn struck(&self) -> bool {
        let clear = self.corners.max(self.other_corners) < AROUND_MM2;
        let slanted = self.strike >= SURE_STRIKE
            || (self.strike >= STRIKE && clear && self.strike >= self.strike_level + STRIKE_LEAD);
        let level = self.strike_level >= SURE_STRIKE && clear && self.below < AROUND_MM2;
        (slanted || level) && self.ring < RING
    }
}

/// The ink around each of a page's `symbols`, relative to the page: how grey the paper
/// by the bars looks depends on the scan (toner, fold shadows, JPEG) as well as on a
/// highlighter, so each symbol's [`Evidence::highlight`] is taken above the median of the
/// page's symbols (the structure's included, which no one highlights).
pub fn on_page(image: &GrayImage, symbols: &[Symbol], dpi: f64) -> Vec<Option<Evidence>> {
    let around: Vec<Option<Around>> = symbols.iter().map(|s| around(image, s, dpi)).collect();
    let at = |level: f32| -> Vec<Option<Evidence>> {
        around
            .iter()
            .map(|a| a.as_ref().map(|a| a.evidence(level)))
            .collect()
    };
    let relative = |mut all: Vec<Option<Evidence>>| {
        let levels: Vec<f32> = all.iter().flatten().map(|e| e.highlight as f32).collect();
        let usual = f64::from(median(&levels));
        for e in all.iter_mut().flatten() {
            e.highlight -= usual;
        }
        all
    };
    let all = at(INK_LEVEL);
    // A pale pen (a grey ballpoint, blurred by the scan) leaves a tick under half the
    // bars' darkness: when nothing singles any symbol out or strikes it at that level,
    // the page is looked at again at a fainter one, by the same rules (seed 113 0048: a
    // thin grey tick beside one RPPS, 2.4 mm² of it at the usual level, a pen's being
    // 2.5). A symbol under a rubber stamp keeps its evidence at the usual level, where
    // the stamp was seen for one: a stamp is no hand mark. A page of two grey levels (a
    // fax, a thresholded scan) has no pale pen: there the fainter level sees only specks
    // made grey by the sampling (a fax's speckle all around a symbol made a circle).
    let pale = !crate::decode::scan::two_level(image);
    if pale
        && all
            .iter()
            .flatten()
            .all(|e| !e.singled_out() && !e.struck())
    {
        // Nor is a dark stroke through the bars (a signature's) that runs on beyond them:
        // the fainter level greys its blurred edges into a little more ink beside the
        // bars than the usual one saw, and its ink through them stands out as no pale
        // tick's does (seed 163 0197: 2.2 mm² beside at the usual level, 2.9 at the
        // fainter, 0.39 of the spaces inked; the pale ticks the fainter level singles out
        // ink at most 0.05 of them over thirty-six corpora).
        let stamped: Vec<bool> = all.iter().map(|e| e.is_some_and(|e| e.stamped())).collect();
        return relative(at(FAINT_INK_LEVEL))
            .into_iter()
            .zip(relative(all))
            .zip(stamped)
            .map(|((faint, usual), stamped)| {
                let stroke_beside = faint
                    .is_some_and(|f| f.singled_out() && !f.singled_out_beside(FAINT_ALONE_STRIKE));
                if stamped || stroke_beside {
                    usual
                } else {
                    faint
                }
            })
            .collect();
    }
    let mut all = relative(all);
    if !pale {
        return all;
    }
    let faint = std::cell::OnceCell::new();
    let faint = || faint.get_or_init(|| relative(at(FAINT_INK_LEVEL)));
    // A stroke along the bars, stopping at their ends, strikes a symbol out; a rubber
    // stamp's straight edge may look just so when its ink is too pale to be seen at the
    // usual level, and with it the stamp's box and text around the block (seed 71 0133:
    // an unstruck pad under a grey stamp whose edge ran along its bars made the page
    // ambiguous). Such a symbol that the fainter level shows stamped is taken as it
    // shows there. (A slanted stroke, a pen's, is left: a grey stamp beside a struck-out
    // pad would unstrike it — seed 29 0429.)
    if all.iter().flatten().any(Evidence::struck) {
        for (e, faint) in all.iter_mut().zip(faint()) {
            if let (Some(e), Some(faint)) = (e.as_mut(), faint)
                && e.struck()
                && e.strike_level > e.strike
                && faint.stamped()
            {
                *e = *faint;
            }
        }
    }
    // With one symbol singled out, another may be singled out by a paler mark (one pad
    // highlighted, another ticked in grey): a symbol plain at the usual level and clearly
    // ticked at the fainter one ([`Evidence::clearly_ticked`]) counts as marked too — it
    // can only make the page ambiguous. (Any mark at that level, a ring of noise or a
    // fold's stroke beside, made seven marked pads ambiguous over thirteen corpora.)
    if all.iter().flatten().any(Evidence::singled_out) {
        for (e, faint) in all.iter_mut().zip(faint()) {
            if let (Some(e), Some(faint)) = (e.as_mut(), faint)
                && e.plain()
                && (faint.clearly_ticked() || faint.clearly_ringed())
            {
                *e = *faint;
            }
        }
    }
    all
}

/// The ink around `symbol` on `image` (resolution `dpi`); `None` when its quad gives no
/// frame. [`Evidence::highlight`] is absolute here (see [`on_page`]).
pub fn evidence(image: &GrayImage, symbol: &Symbol, dpi: f64) -> Option<Evidence> {
    around(image, symbol, dpi).map(|a| a.evidence(INK_LEVEL))
}

/// Widest a piece of ink may be, mm, to be a speck (speckle, dust) rather than part of a
/// pen's line: a circle is drawn in strokes much longer.
const SPECK_MM: f64 = 0.5;

/// How many samples [`specks`] passes over at a time where they are all paper.
const PAPER_RUN: usize = 16;

/// The pixels of `window` darker than `dark` that lie in pieces of ink no wider and no
/// higher than [`SPECK_MM`]: they point in no direction (a speckled page's dots, grey
/// once sampled, lay all around an unmarked symbol like a circle at the faint level;
/// seed 61 0002).
fn specks(window: &Strip, dark: f32) -> Vec<bool> {
    let (w, h) = (window.w, window.h);
    let most = (SPECK_MM * PER_MM).round() as usize;
    let mut out = vec![false; w * h];
    let mut seen = vec![false; w * h];
    let mut piece = Vec::new();
    let ink = &window.ink;
    let mut next = 0;
    while next < w * h {
        // Paper is passed over [`PAPER_RUN`] samples at a time (all of them compared, which
        // the compiler does at once).
        if let Some(run) = ink.get(next..next + PAPER_RUN)
            && run.iter().fold(true, |paper, &v| paper & (v < dark))
        {
            next += PAPER_RUN;
            continue;
        }
        let start = next;
        next += 1;
        if seen[start] || ink[start] < dark {
            continue;
        }
        seen[start] = true;
        piece.clear();
        piece.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (start % w, start / w, start % w, start / w);
        let mut k = 0;
        while k < piece.len() {
            let (x, y) = (piece[k] % w, piece[k] / w);
            k += 1;
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            for (nx, ny) in [
                (x.wrapping_sub(1), y),
                (x + 1, y),
                (x, y.wrapping_sub(1)),
                (x, y + 1),
            ] {
                if nx < w && ny < h && !seen[ny * w + nx] && ink[ny * w + nx] >= dark {
                    seen[ny * w + nx] = true;
                    piece.push(ny * w + nx);
                }
            }
        }
        if x1 - x0 < most && y1 - y0 < most {
            for &p in &piece {
                out[p] = true;
            }
        }
    }
    out
}

/// Share of the bars' ink from which a pixel around them counts as ink, and the fainter
/// share a page where nothing shows is looked at again with (seed 11 0106: a grey tick
/// after motion blur, 0.9 mm² at half the bars' ink; no unmarked or struck-out pad of
/// seeds 2026, 7 and 11 changes verdict).
const INK_LEVEL: f32 = 0.5;
const FAINT_INK_LEVEL: f32 = 0.25;

/// What is sampled around a symbol, whatever share of the bars' ink is counted as ink.
struct Around {
    /// Symbol length and bar height, mm.
    length: f64,
    height: f64,
    /// The symbol's frame with [`REACH_MM`] around it, at [`PER_MM`].
    window: Strip,
    bar_ink: f32,
    /// The paper's ink (the window's median).
    paper: f32,
    /// The paper's pixel noise (infinite on a noisy page, whose samples are cell means).
    grain: f32,
    struck: Strike,
    /// Which samples of the window lie off the page; `None` when its four corners lie on
    /// it, and so every sample (the frame maps the window to a convex quad).
    off_page: Option<Vec<bool>>,
    /// The window's ruled lines ([`ruled_lines`]), found on the first look: whatever
    /// share of the bars' ink is counted as a mark's, they are looked for at the faint one.
    ruled: OnceCell<Vec<Ruled>>,
    /// The median ink of the quiet zones, left and right: the same at every level.
    quiet: OnceCell<[f32; 2]>,
}

/// [`Around`] a symbol; `None` when its quad gives no frame or its bars no ink.
fn around(image: &GrayImage, symbol: &Symbol, dpi: f64) -> Option<Around> {
    let frame = Frame::new(symbol, dpi)?;
    let (length, height) = (frame.length_mm, frame.height_mm);
    let window = frame.strip(
        image,
        [-REACH_MM, length + REACH_MM],
        [-REACH_MM, height + REACH_MM],
        PER_MM,
    );
    let bars = frame.strip(image, [0.0, length], [0.0, height], PER_MM);
    let bar_ink = percentile(&bars.ink, 0.9);
    if bar_ink < MIN_BAR_INK {
        return None;
    }
    // On a noisy page single samples reach a faded mark's level all over the paper: each
    // sample is then the mean of its cell, and ink is counted above the paper's own level
    // (a noisy scan's paper is grey).
    let grain = pixel_noise(&window);
    let noisy = grain >= NOISY_WINDOW * bar_ink;
    let window = if noisy {
        let fine = frame.strip(
            image,
            [-REACH_MM, length + REACH_MM],
            [-REACH_MM, height + REACH_MM],
            PER_MM * CELL_SAMPLES as f64,
        );
        cell_means(&fine, &window)
    } else {
        window
    };
    // So too on grey paper (a faded print scanned dark) whose grain reaches the level of
    // a look here and there all over the window (see [`Around::evidence`]).
    let paper = median(&window.ink);
    let grain = if noisy { f32::INFINITY } else { grain };
    let sample_on_page = |i: usize, j: usize| {
        let at = |k: usize, o: f64| o + (k as f64 + 0.5) / PER_MM;
        frame.on_page(
            image,
            [at(i, window.origin_mm[0]), at(j, window.origin_mm[1])],
        )
    };
    let corners = [
        (0, 0),
        (window.w - 1, 0),
        (0, window.h - 1),
        (window.w - 1, window.h - 1),
    ];
    let off_page = (!corners.iter().all(|&(i, j)| sample_on_page(i, j))).then(|| {
        (0..window.h)
            .flat_map(|j| (0..window.w).map(move |i| (i, j)))
            .map(|(i, j)| !sample_on_page(i, j))
            .collect()
    });
    Some(Around {
        length,
        height,
        window,
        off_page,
        ruled: OnceCell::new(),
        quiet: OnceCell::new(),
        bar_ink,
        paper,
        grain,
        // A stroke through the bars is looked for at the scan's own resolution: at the
        // window's, spaces and bars blur into one grey.
        struck: strike(image, &frame, dpi),
    })
}

impl Around {
    /// The evidence, counting as ink what is darker than `share` times the bars' ink.
    fn evidence(&self, share: f32) -> Evidence {
        let Around {
            length,
            height,
            ref window,
            bar_ink,
            paper,
            grain,
            struck,
            ref off_page,
            ref ruled,
            quiet: ref quiet_ink,
        } = *self;
        // Ink counts above the paper's where the paper's grain reaches the look's level
        // (a noisy page, grey grainy paper under faded print: otherwise specks all over
        // the window would be marks); above white where it does not, where the
        // thresholds were measured (flat grey paper keeps them).
        let level = |share: f32| {
            let paper = if paper + GRAIN_SIGMAS * grain >= share * bar_ink {
                paper
            } else {
                0.0
            };
            paper + share * (bar_ink - paper).max(0.0)
        };
        let dark = level(share);
        let origin = window.origin_mm;
        let place = |i: usize, j: usize| {
            [
                origin[0] + (i as f64 + 0.5) / PER_MM,
                origin[1] + (j as f64 + 0.5) / PER_MM,
            ]
        };
        // The block's columns and rows, in mm.
        let block_x = |x: f64| (-BLOCK_SIDE_MM..=length + BLOCK_SIDE_MM).contains(&x);
        let block_y = |y: f64| (-BLOCK_ABOVE_MM..=height + BLOCK_BELOW_MM).contains(&y);
        let in_block = |p: [f64; 2]| block_x(p[0]) && block_y(p[1]);
        // A fold or a printed rule is often grey: looked for at the faint level.
        let ruled = ruled.get_or_init(|| {
            ruled_lines(
                window,
                level(FAINT_INK_LEVEL),
                |i, j| in_block(place(i, j)),
                |i, j| off_page.as_ref().is_some_and(|off| off[j * window.w + i]),
            )
        });
        let centre = [length / 2.0, height / 2.0];
        let pixel_mm2 = 1.0 / (PER_MM * PER_MM);
        // Pieces of ink no larger than a speck point in no direction at the faint level,
        // where a pale pen's circle is looked for and a speckled page's dots turn grey
        // and many; at the usual level a thin pen's mark that JPEG broke up counts with
        // its pieces (seed 43 0242). Either way a circle is seen without them
        // ([`Evidence::solid_ring`]).
        let faint = share < INK_LEVEL;
        let specks = specks(window, dark);
        let mut sectors = [0.0f64; SECTORS];
        let mut solid = [0.0f64; SECTORS];
        let (mut left, mut right, mut above, mut below) = (0.0, 0.0, 0.0, 0.0);
        let (mut left_corners, mut right_corners, mut near_block) = (0.0, 0.0, 0.0);
        let mut edge = [0.0; 2];
        // What is the same down a column or along a row is worked out once: where a
        // sample lies, whether it is in the block, on which side of the middle.
        let (w, h) = (window.w, window.h);
        let xs: Vec<f64> = (0..w).map(|i| place(i, 0)[0]).collect();
        let block_columns: Vec<bool> = xs.iter().map(|&x| block_x(x)).collect();
        let middle = xs.partition_point(|&x| x < length / 2.0);
        // The paper's samples left and right of the symbol's middle.
        // (Two vectors by name, not an array indexed by side: pushed to by index, their
        // lengths lived in memory, each push waiting on the one before.)
        let (mut paper_left, mut paper_right) = (
            Vec::with_capacity(middle * h),
            Vec::with_capacity((w - middle) * h),
        );
        for j in 0..h {
            let y = place(0, j)[1];
            let block_row = block_y(y);
            let row = &window.ink[j * w..(j + 1) * w];
            for (i, &v) in row.iter().enumerate() {
                if (block_row && block_columns[i]) || ruled.iter().any(|l| l.holds(i, j)) {
                    continue;
                }
                if v < dark {
                    if i >= middle {
                        paper_right.push(v);
                    } else {
                        paper_left.push(v);
                    }
                    continue;
                }
                let p = [xs[i], y];
                let a = (p[1] - centre[1]).atan2(p[0] - centre[0]);
                let s = ((a / std::f64::consts::TAU + 0.5) * SECTORS as f64) as usize % SECTORS;
                let speck = specks[j * w + i];
                if !(faint && speck) {
                    sectors[s] += pixel_mm2;
                }
                if !speck {
                    solid[s] += pixel_mm2;
                }
                let level = (-BLOCK_ABOVE_MM..=height + BLOCK_BELOW_MM).contains(&p[1]);
                // Beside means level with the bars: a legend or a line of digits wider than
                // the symbol overhangs its ends above and below them.
                let beside_bars = (-BESIDE_SLACK_MM..=height + BESIDE_SLACK_MM).contains(&p[1]);
                if level && !beside_bars {
                    continue;
                }
                // Beside the bars, ink on the course of an edge crossing their end there
                // is the edge's: it tells which side has more ink, not how much a tick
                // there has.
                let side = usize::from(p[0] > length);
                if beside_bars && (p[0] < 0.0 || p[0] > length) {
                    if struck.on_edge(p, length) {
                        edge[side] += pixel_mm2;
                    } else if side == 0 {
                        left += pixel_mm2;
                    } else {
                        right += pixel_mm2;
                    }
                } else {
                    if p[1] < 0.0 {
                        above += pixel_mm2;
                    } else {
                        below += pixel_mm2;
                    }
                    let near = (-BLOCK_ABOVE_MM - CORNER_MM..=height + BLOCK_BELOW_MM + CORNER_MM)
                        .contains(&p[1]);
                    if near {
                        near_block += pixel_mm2;
                    }
                    if near && p[0] < -BLOCK_SIDE_MM {
                        left_corners += pixel_mm2;
                    } else if near && p[0] > length + BLOCK_SIDE_MM {
                        right_corners += pixel_mm2;
                    }
                }
            }
        }
        let ring_of = |sectors: [f64; SECTORS]| {
            sectors.iter().filter(|&&s| s >= SECTOR_INK_MM2).count() as f64 / SECTORS as f64
        };
        let (ring, solid_ring) = (ring_of(sectors), ring_of(solid));
        // A highlighter runs along the whole symbol, through both quiet zones; a fold's
        // darker side or a shadow may grey one of them only. How much greyer is taken
        // against the bars' ink, so that a faded page's faded highlighter counts, and over
        // all of each zone: there it may be darker than half the faded bars.
        // A quiet zone is the bars' rows by some columns beyond their ends.
        let quiet = |left: bool| {
            let rows = (0..h).filter(|&j| (0.0..=height).contains(&place(0, j)[1]));
            let columns: Vec<usize> = (0..w)
                .filter(|&i| (xs[i] < 0.0) == left && quiet_zone_column(xs[i], length))
                .collect();
            let grey: Vec<f32> = rows
                .flat_map(|j| columns.iter().map(move |&i| window.at(i, j)))
                .collect();
            median(&grey)
        };
        // Each zone against the paper on its own side: a fold's darker side or a shadow
        // greys the paper all around one quiet zone, a highlighter only along the bars.
        let paper = [paper_left, paper_right];
        let side_paper = paper.each_ref().map(|p| median(p));
        let paper = median(&paper.concat());
        let quiet = quiet_ink.get_or_init(|| [quiet(true), quiet(false)]);
        let greyer = (quiet[0] - side_paper[0]).min(quiet[1] - side_paper[1]);
        let highlight = f64::from(greyer * 255.0 / (bar_ink - paper).max(MIN_BAR_INK));
        // Beside the one end an edge crosses, with a stamp's text near the block, the ink
        // level with the bars is the stamp's (its text under its top edge), no tick's. A
        // fold boxes nothing: it crosses both ends, or has no text by it.
        let (mut left, mut right) = (left, right);
        if near_block >= AROUND_MM2 {
            match struck.edges.map(|e| e.is_some()) {
                [true, false] => left = 0.0,
                [false, true] => right = 0.0,
                _ => {}
            }
        }
        let left_more = left + edge[0] >= right + edge[1];
        Evidence {
            ring,
            solid_ring,
            beside: if left_more { left } else { right },
            highlight,
            above,
            below,
            near: near_block,
            corners: if left_more {
                left_corners
            } else {
                right_corners
            },
            other_beside: if left_more { right } else { left },
            other_corners: if left_more {
                right_corners
            } else {
                left_corners
            },
            strike: struck.slanted,
            strike_level: struck.level,
        }
    }
}

/// Pixel noise (deviation of the ink) of a window, as a share of the bars' ink, from
/// which each of its samples is taken as the mean of its cell: a noisy scanner's paper
/// (seed 17 0062: 0.12, around every symbol ink at half the faded bars'); no other
/// window of the group pads of five corpora (seeds 2026, 7, 11, 13, 17) reaches it.
const NOISY_WINDOW: f32 = 0.08;
/// The paper's grain reaches this many times its noise above the paper's ink.
const GRAIN_SIGMAS: f32 = 4.0;
/// Samples per side of a cell whose mean a noisy window's sample is.
const CELL_SAMPLES: usize = 4;

/// The deviation of a window's pixel noise, from the median difference of neighbouring
/// samples along its rows (mostly paper: the difference of two samples of noise σ has
/// the deviation √2 σ, and its median absolute value is 0.6745 of that).
fn pixel_noise(window: &Strip) -> f32 {
    let steps: Vec<f32> = window
        .ink
        .chunks_exact(window.w.max(1))
        .flat_map(|row| row.windows(2).map(|p| (p[1] - p[0]).abs()))
        .collect();
    median(&steps) / 0.6745 / std::f32::consts::SQRT_2
}

/// `coarse` with each sample the mean of the `CELL_SAMPLES`² samples of `fine` (the same
/// frame rectangle sampled `CELL_SAMPLES` times as densely) in its cell.
fn cell_means(fine: &Strip, coarse: &Strip) -> Strip {
    let k = CELL_SAMPLES;
    let mut ink = Vec::with_capacity(coarse.w * coarse.h);
    for j in 0..coarse.h {
        for i in 0..coarse.w {
            let (mut sum, mut n) = (0.0, 0);
            for y in (k * j..k * j + k).take_while(|&y| y < fine.h) {
                for x in (k * i..k * i + k).take_while(|&x| x < fine.w) {
                    sum += fine.at(x, y);
                    n += 1;
                }
            }
            ink.push(if n > 0 {
                sum / n as f32
            } else {
                coarse.at(i, j)
            });
        }
    }
    Strip { ink, ..*coarse }
}

/// A straight line across a window, in its samples: the points `(i, j)` with
/// `i cos θ + j sin θ = rho`.
#[derive(Clone, Copy, Debug)]
struct Ruled {
    cos: f64,
    sin: f64,
    rho: f64,
}

impl Ruled {
    /// Whether sample `(i, j)` lies on the line's ink.
    fn holds(&self, i: usize, j: usize) -> bool {
        (i as f64 * self.cos + j as f64 * self.sin - self.rho).abs() <= RULED_BAND_MM * PER_MM
    }

    /// The line that best fits the `inked` samples within twice the band of this one (their
    /// principal axis), or this one when too few lie there.
    fn fitted(&self, inked: &[(usize, usize)]) -> Ruled {
        let reach = 2.0 * RULED_BAND_MM * PER_MM;
        let near: Vec<[f64; 2]> = inked
            .iter()
            .map(|&(i, j)| [i as f64, j as f64])
            .filter(|p| (p[0] * self.cos + p[1] * self.sin - self.rho).abs() <= reach)
            .collect();
        if near.len() < 2 * RULED_FIT_MIN {
            return *self;
        }
        let n = near.len() as f64;
        let m = near
            .iter()
            .fold([0.0, 0.0], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
        let (mut xx, mut xy, mut yy) = (0.0, 0.0, 0.0);
        for p in &near {
            let (dx, dy) = (p[0] - m[0], p[1] - m[1]);
            xx += dx * dx;
            xy += dx * dy;
            yy += dy * dy;
        }
        // The normal is the axis of least spread; kept on the side of this one's.
        let along = 0.5 * (2.0 * xy).atan2(xx - yy);
        let (mut cos, mut sin) = (-along.sin(), along.cos());
        if cos * self.cos + sin * self.sin < 0.0 {
            (cos, sin) = (-cos, -sin);
        }
        Ruled {
            cos,
            sin,
            rho: m[0] * cos + m[1] * sin,
        }
    }
}

/// Samples a line is fitted to must number at least twice this.
const RULED_FIT_MIN: usize = 8;

/// Directions a ruled line is looked for in (every degree of a half-turn).
const RULED_ANGLES: usize = 180;
/// A line is page furniture when it crosses the window from border to border, inked on
/// this share of its course outside the block over at least this length, mm: a fold, a
/// ruled line, a form's frame run on past the symbol, as no pen mark around one does (a
/// tick is short, a box's sides stop at its corners, a circle is round).
const RULED_SHARE: f64 = 0.7;
const RULED_MIN_MM: f64 = 12.0;
/// Its first and last stretches at the window's borders, mm, must be inked as much: a
/// large circle's side may run straight for a while, but it turns before the border. A
/// line through the block (as no circle's side is) may instead be inked as much on each
/// side of it, each side at least this long: a fold across the symbol stops short of the
/// window's border where a skewed scan's white fill begins (seed 67 0454); an arrow's line
/// runs on past the bars only where a stamp's text happens to lie (seed 13 0181).
const RULED_END_MM: f64 = 4.0;
/// Ink within this of a ruled line's course is the line's, mm.
const RULED_BAND_MM: f64 = 0.6;
/// Most ruled lines looked for around one symbol, and peaks of the vote tried for them.
const RULED_MOST: usize = 3;
const RULED_TRIES: usize = 12;

/// The straight lines that cross `window` from border to border (or to the page's edge)
/// outside the block (`in_block`, by sample) and what lies off the page (`off_page`),
/// inked (darker than `dark`) most of their way: page furniture, whose ink is no mark.
/// Found by votes of the inked samples for the lines through them (a Hough transform),
/// each peak checked along its whole course.
fn ruled_lines(
    window: &Strip,
    dark: f32,
    in_block: impl Fn(usize, usize) -> bool,
    off_page: impl Fn(usize, usize) -> bool,
) -> Vec<Ruled> {
    let left_out = |i: usize, j: usize| in_block(i, j) || off_page(i, j);
    let (w, h) = (window.w, window.h);
    let min_len = RULED_MIN_MM * PER_MM;
    let inked: Vec<(usize, usize)> = (0..h)
        .flat_map(|j| (0..w).map(move |i| (i, j)))
        .filter(|&(i, j)| window.at(i, j) >= dark && !left_out(i, j))
        .collect();
    if (inked.len() as f64) < RULED_SHARE * min_len {
        return Vec::new();
    }
    let diag = (w as f64).hypot(h as f64).ceil() as usize;
    let bins = 2 * diag + 1;
    let trig: Vec<(f64, f64)> = (0..RULED_ANGLES)
        .map(|a| (a as f64 * std::f64::consts::PI / RULED_ANGLES as f64).sin_cos())
        .map(|(s, c)| (c, s))
        .collect();
    let mut votes = vec![0u32; RULED_ANGLES * bins];
    for &(i, j) in &inked {
        for (a, &(c, s)) in trig.iter().enumerate() {
            let rho = (i as f64 * c + j as f64 * s).round() as isize + diag as isize;
            votes[a * bins + rho as usize] += 1;
        }
    }
    let mut peaks: Vec<usize> = (0..votes.len())
        .filter(|&k| f64::from(votes[k]) >= RULED_SHARE * min_len)
        .collect();
    // Strongest first (the first bin among equals). A filled shape (a logo, a stamp's
    // block letters) makes a plateau of near-equal peaks, one line through it after
    // another: only the strongest of each bundle of near lines is tried, so that the
    // tries reach a fold that a logo outvotes bin by bin (seed 67 0454).
    peaks.sort_unstable_by_key(|&k| (std::cmp::Reverse(votes[k]), k));
    let near = |a: &Ruled, b: &Ruled| {
        (a.cos * b.cos + a.sin * b.sin).abs() > 0.99
            && (a.rho - b.rho).abs() <= 2.0 * RULED_BAND_MM * PER_MM
    };
    let mut tried: Vec<Ruled> = Vec::new();
    let mut found: Vec<Ruled> = Vec::new();
    for k in peaks {
        let (c, s) = trig[k / bins];
        let peak = Ruled {
            cos: c,
            sin: s,
            rho: (k % bins) as f64 - diag as f64,
        };
        if tried.iter().any(|t| near(t, &peak)) {
            continue;
        }
        if tried.len() == RULED_TRIES {
            break;
        }
        tried.push(peak);
        // A degree's step leaves a long line's ends off its course by more than the band:
        // the line through the inked samples near the peak's.
        let line = peak.fitted(&inked);
        let (c, s) = (line.cos, line.sin);
        // Along the line's course over the window, a sample at a time.
        let (dx, dy) = (-s, c);
        let (x0, y0) = (line.rho * c, line.rho * s);
        let reach = diag as f64;
        // Whether each sample of the course outside the block is inked.
        let mut course: Vec<bool> = Vec::new();
        // Where the course first met the block (the samples before lie on one side of it).
        let mut block_at: Option<usize> = None;
        let band = (RULED_BAND_MM * PER_MM).round() as isize;
        for t in -(reach as isize)..=reach as isize {
            let (x, y) = (x0 + dx * t as f64, y0 + dy * t as f64);
            let (i, j) = (x.round(), y.round());
            if i < 0.0 || j < 0.0 || i >= w as f64 || j >= h as f64 {
                continue;
            }
            let (i, j) = (i as usize, j as usize);
            if in_block(i, j) {
                block_at.get_or_insert(course.len());
                continue;
            }
            if off_page(i, j) {
                continue;
            }
            let on = (-band..=band).any(|d| {
                let (xi, yj) = ((x + c * d as f64).round(), (y + s * d as f64).round());
                xi >= 0.0
                    && yj >= 0.0
                    && (xi as usize) < w
                    && (yj as usize) < h
                    && window.at(xi as usize, yj as usize) >= dark
            });
            course.push(on);
        }
        let inked_share = |part: &[bool]| {
            part.iter().filter(|&&on| on).count() as f64 >= RULED_SHARE * part.len() as f64
        };
        let end = (RULED_END_MM * PER_MM) as usize;
        // Through the block, each side on its own: an arrow's shaft pointing at the bars
        // runs on, past them, into a stamp's text (seed 13 0181).
        let through = block_at.is_some_and(|b| {
            let (before, after) = course.split_at(b);
            before.len() >= end && after.len() >= end && inked_share(before) && inked_share(after)
        });
        if course.len() as f64 >= min_len
            && inked_share(&course)
            && (through
                || inked_share(&course[..end]) && inked_share(&course[course.len() - end..]))
        {
            found.push(line);
            if found.len() == RULED_MOST {
                break;
            }
        }
    }
    found
}

/// Whether a column of the symbol's frame (`x`, mm along the bars) lies in its quiet zones,
/// away from the bars' blur: where, level with the bars, a highlighter stroke along them
/// greys the paper and print never does.
fn quiet_zone_column(x: f64, length: f64) -> bool {
    let off = if x < 0.0 { -x } else { x - length };
    (QUIET_FROM_MM..=QUIET_TO_MM).contains(&off)
}

/// The strokes through a symbol's bars: along the straight line that runs through most
/// of them, the share of the symbol's spaces (columns where paper shows between the bars)
/// that carry ink the bars do not explain — the best line that slants across the bars,
/// and the best that runs along them.
///
/// The bars are the same on every row, so each column's median over the rows is its
/// print; ink well above it (a share of the bars' contrast, so that a faded page's faded
/// stroke counts) is something else. A pen stroke through the symbol marks the spaces all
/// along one straight line; a signature's zigzag or a stamp's text marks them here and
/// there; over a bar a stroke shows nothing. A line whose ink runs on past the bars' ends
/// is no stroke through them: a stamp's edge, a fold, a ruled line.
///
/// The quad may be shorter than the bars (a stroke through them can cut it), so the bars'
/// rows are found again: those that repeat the quad's print, around it.
fn strike(image: &GrayImage, frame: &Frame, dpi: f64) -> Strike {
    let (length, height) = (frame.length_mm, frame.height_mm);
    let per_mm = (dpi / 25.4).clamp(FINE_PER_MM[0], FINE_PER_MM[1]);
    let grow = height.max(STRIKE_GROW_MM);
    let strip = frame.strip(
        image,
        [-RUN_ON_MM[1], length + RUN_ON_MM[1]],
        [-grow, height + grow],
        per_mm,
    );
    let none = Strike::default();
    let px = |mm: f64| (mm * per_mm).round() as usize;
    // Columns of the bars, rows of the quad.
    let (x0, x1) = (px(RUN_ON_MM[1]), px(RUN_ON_MM[1] + length).min(strip.w));
    let (y0, y1) = (px(grow), px(grow + height).min(strip.h));
    if x1 < x0 + 8 || y1 < y0 + 2 {
        return none;
    }
    let column: Vec<f32> = (x0..x1)
        .map(|i| median(&(y0..y1).map(|j| strip.at(i, j)).collect::<Vec<_>>()))
        .collect();
    let paper = percentile(&column, 0.05);
    let contrast = percentile(&column, 0.95) - paper;
    if contrast < MIN_CONTRAST {
        return none;
    }
    let Some((top, bottom)) = bar_rows(&strip, &column, x0, (y0 + y1) / 2, contrast, per_mm) else {
        return none;
    };
    let space: Vec<bool> = column
        .iter()
        .map(|&c| c <= paper + SPACE_LEVEL * contrast)
        .collect();
    let spaces = space.iter().filter(|&&s| s).count();
    if spaces < 8 {
        return none;
    }
    let stroke = STROKE_LEVEL * contrast;
    // Which samples carry unexplained ink: in the bars' spaces, ink above the column's
    // print; beyond the bars' ends, ink above paper.
    let (w, h) = (strip.w, strip.h);
    let mut grid = vec![false; w * h];
    for i in 0..w {
        let print = if (x0..x1).contains(&i) {
            if !space[i - x0] {
                continue;
            }
            column[i - x0]
        } else {
            paper
        };
        for j in 0..h {
            grid[i * h + j] = strip.at(i, j) - print >= stroke;
        }
    }
    let half = (STRIKE_BAND_MM * per_mm).max(1.0);
    let rows = (bottom - top) as f64;
    let span = (x1 - x0) as f64;
    // Lines from (x0, a) to (x1, b), rows a and b over the bars' height and a little beyond.
    let at = |a: f64, b: f64, i: usize| a + (b - a) * (i as f64 + 0.5 - x0 as f64) / span;
    let step = (STRIKE_STEP_MM * per_mm).max(1.0);
    let ends: Vec<f64> = (0..)
        .map(|k| top as f64 - 0.1 * rows + k as f64 * step)
        .take_while(|&y| y <= bottom as f64 + 0.1 * rows)
        .collect();
    let lines: Vec<(f64, f64)> = ends
        .iter()
        .flat_map(|&a| ends.iter().map(move |&b| (a, b)))
        .collect();
    let prefix = Lines::prefix(&grid, w, h);
    let first = Lines::new(&prefix, h, half);
    let wide = Lines::new(&prefix, h, RUN_ON_BAND_MM * per_mm);
    let space_columns: Vec<usize> = (x0..x1).filter(|&i| space[i - x0]).collect();
    // A line inks only the columns with some ink where its band reaches, about the bars'
    // rows: the spaces of an unmarked symbol have none there (a legend's or the digits'
    // ink above and below them is out of reach).
    let reach = first.band(top as f64).0..first.band(bottom as f64).1;
    let inked_spaces: Vec<usize> = space_columns
        .iter()
        .copied()
        .filter(|&i| first.any_in(i, reach.clone()))
        .collect();
    let covers = |lines: &Lines, (a, b): (f64, f64)| {
        let covered = inked_spaces
            .iter()
            .copied()
            .filter(|&i| {
                let y = at(a, b, i);
                (top as f64..bottom as f64).contains(&y) && lines.inked(i, y)
            })
            .count();
        covered as f64 / spaces as f64
    };
    // Whether the line's ink runs on beyond either end of the bars.
    let (from, to) = (px(RUN_ON_MM[0]), px(RUN_ON_MM[1]));
    let beyond = [
        x0.saturating_sub(to)..x0.saturating_sub(from),
        (x1 + from).min(w)..(x1 + to).min(w),
    ];
    let runs_on_side = |(a, b): (f64, f64), side: usize| {
        let cols = beyond[side].clone();
        let n = cols.len().max(1);
        let hit = cols.filter(|&i| wide.inked(i, at(a, b, i))).count();
        hit as f64 / n as f64 >= RUN_ON_SHARE
    };
    let runs_on = |line: (f64, f64)| runs_on_side(line, 0) || runs_on_side(line, 1);
    // The best slanted and the best level line that stop at the bars' ends.
    let mut best = [(0.0, (0.0, 0.0)); 2];
    let consider = |best: &mut [(f64, (f64, f64)); 2], line: (f64, f64)| {
        let k = usize::from((line.1 - line.0).abs() < SLANT * rows);
        let share = covers(&first, line);
        if share > best[k].0 && !runs_on(line) {
            best[k] = (share, line);
        }
    };
    for &line in &lines {
        consider(&mut best, line);
    }
    // Then finer around each best line found.
    let fine = (STRIKE_FINE_STEP_MM * per_mm).max(0.5);
    let reach = (step / fine).ceil() as i32;
    for (_, (a, b)) in best {
        for da in -reach..=reach {
            for db in -reach..=reach {
                consider(
                    &mut best,
                    (a + f64::from(da) * fine, b + f64::from(db) * fine),
                );
            }
        }
    }
    // At each end, the line that runs on past it and inks most of the spaces of the bars'
    // last few mm there: an edge or a fold crossing that end.
    let end_cols = px(EDGE_END_MM);
    let to_mm = |y: f64| y / per_mm - grow;
    let edges = [0, 1].map(|side| {
        let at_end = |&i: &usize| {
            if side == 0 {
                i < x0 + end_cols
            } else {
                i + end_cols >= x1
            }
        };
        let spaces = space_columns.iter().filter(|&i| at_end(i)).count();
        if spaces == 0 {
            return None;
        }
        // (Of them, those a band about the bars' rows can find ink in.)
        let inked_at_end: Vec<usize> = inked_spaces.iter().copied().filter(at_end).collect();
        let share = |(a, b): (f64, f64)| {
            let inked = inked_at_end
                .iter()
                .filter(|&&i| {
                    let y = at(a, b, i);
                    (top as f64..bottom as f64).contains(&y) && first.inked(i, y)
                })
                .count();
            inked as f64 / spaces as f64
        };
        // Of the lines that cross the end so, the one whose course past it is most
        // closely inked: many lines through the end's few mm ink as many of its spaces,
        // and one that leaves the edge's course past the end leaves its ink there to
        // look like a tick (seed 89 0040).
        let followed = |(a, b): (f64, f64)| {
            let cols = beyond[side].clone();
            let n = cols.len().max(1);
            cols.filter(|&i| first.inked(i, at(a, b, i))).count() as f64 / n as f64
        };
        lines
            .iter()
            .map(|&line| (share(line), line))
            .filter(|&(s, line)| s >= EDGE_SHARE && runs_on_side(line, side))
            .map(|(s, line)| (s + followed(line), line))
            .max_by(|p, q| p.0.total_cmp(&q.0))
            .map(|(_, (a, b))| [to_mm(a), to_mm(b)])
    });
    Strike {
        slanted: best[0].0,
        level: best[1].0,
        edges,
    }
}

/// Which samples of a strip's columns are inked, as prefix sums down each column
/// ([`Lines::prefix`]), so that whether a band of `half` rows either side of a row holds
/// any is one subtraction.
struct Lines<'a> {
    prefix: &'a [u32],
    h: usize,
    half: f64,
}

impl<'a> Lines<'a> {
    /// The prefix sums down each column of `grid` (`w` columns of `h` samples).
    fn prefix(grid: &[bool], w: usize, h: usize) -> Vec<u32> {
        let mut prefix = vec![0u32; w * (h + 1)];
        for i in 0..w {
            for j in 0..h {
                prefix[i * (h + 1) + j + 1] = prefix[i * (h + 1) + j] + u32::from(grid[i * h + j]);
            }
        }
        prefix
    }

    fn new(prefix: &'a [u32], h: usize, half: f64) -> Lines<'a> {
        Lines { prefix, h, half }
    }

    /// Whether column `i` is inked anywhere in `rows`.
    fn any_in(&self, i: usize, rows: std::ops::Range<usize>) -> bool {
        self.prefix[i * (self.h + 1) + rows.end] > self.prefix[i * (self.h + 1) + rows.start]
    }

    /// Whether column `i` is inked within the band around row `y`.
    fn inked(&self, i: usize, y: f64) -> bool {
        if !(0.0..self.h as f64).contains(&y) {
            return false;
        }
        let (lo, hi) = self.band(y);
        self.any_in(i, lo..hi)
    }

    /// The rows of the band around row `y`, floored and ceiled within the column (by
    /// truncation: `floor` and `ceil` are calls into libm on a baseline x86-64, and this is
    /// the inner loop of [`strike`]'s search). Neither end is ever smaller for a larger `y`.
    fn band(&self, y: f64) -> (usize, usize) {
        let (from, to) = (y - self.half, y + self.half);
        let lo = if from > 0.0 {
            (from as usize).min(self.h)
        } else {
            0
        };
        let hi = if to > 0.0 {
            let t = to as usize;
            (t + usize::from((t as f64) < to)).min(self.h)
        } else {
            0
        };
        (lo, hi)
    }
}

/// The first and last rows of `strip` (after the last) that repeat the quad's print
/// (`column`, the bars' columns from `x0`), going out from row `centre`; a gap of up to
/// a pen's width (a stroke along the bars) does not stop them.
fn bar_rows(
    strip: &Strip,
    column: &[f32],
    x0: usize,
    centre: usize,
    contrast: f32,
    per_mm: f64,
) -> Option<(usize, usize)> {
    let agrees = |j: usize| {
        let same = column
            .iter()
            .enumerate()
            .filter(|&(k, &c)| (strip.at(x0 + k, j) - c).abs() <= ROW_MATCH * contrast)
            .count();
        same as f64 >= ROW_AGREE * column.len() as f64
    };
    let gap = (STRIKE_GAP_MM * per_mm).ceil() as usize;
    let (mut top, mut bottom) = (None, None);
    let mut j = centre;
    loop {
        if agrees(j) {
            top = Some(j);
        } else if top.is_some_and(|t| t > j + gap) {
            break;
        }
        if j == 0 {
            break;
        }
        j -= 1;
    }
    for j in centre..strip.h {
        if agrees(j) {
            bottom = Some(j + 1);
        } else if bottom.is_some_and(|b| j > b + gap) {
            break;
        }
    }
    let (top, bottom) = (top?, bottom?);
    (bottom > top + 2).then_some((top, bottom))
}

/// The best straight lines through a symbol's bars (see [`strike`]).
#[derive(Clone, Copy, Debug, Default)]
struct Strike {
    /// Share of the symbol's spaces inked by the best line that slants across the bars
    /// (0–1).
    slanted: f64,
    /// The same for the best line that runs along them (a stamp's edge looks like one).
    level: f64,
    /// At the bars' left and right ends, a straight line that crosses that end and runs
    /// on past it (a stamp's edge, a fold), as its heights at the bars' two ends, mm in
    /// the symbol's frame.
    edges: [Option<[f64; 2]>; 2],
}

impl Strike {
    /// Whether `p` (mm in the frame of a symbol `length` mm long) lies on the course of
    /// the line crossing the bars' end on its side ([`Strike::edges`]).
    fn on_edge(&self, p: [f64; 2], length: f64) -> bool {
        let side = usize::from(p[0] > length / 2.0);
        self.edges[side].is_some_and(|[a, b]| {
            let y = a + (b - a) * p[0] / length.max(f64::EPSILON);
            (p[1] - y).abs() <= RUN_ON_BAND_MM
        })
    }
}

fn median(v: &[f32]) -> f32 {
    percentile(v, 0.5)
}

/// The `q` quantile of `v` (0 when empty).
///
/// Most samples of a window are paper, and most of a clean page's paper is one level (0,
/// white, or the level of a flat grey): a quantile that falls on a value many samples
/// share is found by counting, for white and for the value in the middle of `v`, the
/// samples below it and those equal to it. Otherwise the samples are ordered as far as
/// the quantile. Either way the value is the one ordering them gives, bit for bit.
fn percentile(v: &[f32], q: f64) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    nth_value(v, ((v.len() - 1) as f64 * q) as usize)
}

/// The `k`-th smallest of `v` in `total_cmp`'s order ([`percentile`]).
fn nth_value(v: &[f32], k: usize) -> f32 {
    if v.len() >= COUNTED {
        let guesses = [0.0, v[v.len() / 2]];
        let keys = guesses.map(total_key32);
        let (mut below, mut equal) = ([0usize; 2], [0usize; 2]);
        for &x in v {
            let key = total_key32(x);
            for g in 0..2 {
                below[g] += usize::from(key < keys[g]);
                equal[g] += usize::from(key == keys[g]);
            }
        }
        if let Some(g) = (0..2).find(|&g| (below[g]..below[g] + equal[g]).contains(&k)) {
            return guesses[g];
        }
    }
    let mut keys: Vec<i32> = v.iter().map(|&x| total_key32(x)).collect();
    nth_smallest(&mut keys, k)
}

/// Fewest samples whose quantile [`percentile`] first looks for by counting.
const COUNTED: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::code128::CodeSets;
    use crate::synth::{Block, TextStyle, draw_block, stroke_ink};

    proptest::proptest! {
        /// A quantile is the value at its place in the samples sorted, bit for bit, whether
        /// it is found by counting (many samples at white or at one level) or by ordering.
        #[test]
        fn a_quantile_is_the_sorted_samples_value_at_its_place(
            levels in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::strategy::Just(0.0f32),
                    2 => proptest::strategy::Just(-0.0f32),
                    3 => proptest::strategy::Just(7.25f32),
                    2 => -20.0f32..260.0,
                ],
                1..700,
            ),
            q in 0.0f64..=1.0,
        ) {
            let mut sorted = levels.clone();
            sorted.sort_by(f32::total_cmp);
            let want = sorted[((levels.len() - 1) as f64 * q) as usize];
            proptest::prop_assert_eq!(percentile(&levels, q).to_bits(), want.to_bits());
            // And where counting could go wrong: at either end of the runs of the values
            // it counts (white, and the value in the middle of the samples).
            let n = levels.len();
            for guess in [0.0, levels[n / 2]] {
                let first = sorted.partition_point(|x| x.total_cmp(&guess).is_lt());
                let after = sorted.partition_point(|x| x.total_cmp(&guess).is_le());
                for k in [first.wrapping_sub(1), first, after.wrapping_sub(1), after] {
                    if k < n {
                        proptest::prop_assert_eq!(nth_value(&levels, k).to_bits(), sorted[k].to_bits());
                    }
                }
            }
        }

        /// Whether a band of a column holds ink is what the band's rows, floored and
        /// ceiled within the column, hold: the truncations stand for `floor` and `ceil`.
        #[test]
        fn a_band_is_inked_as_its_floored_and_ceiled_rows_are(
            column in proptest::collection::vec(proptest::bool::weighted(0.2), 1..40),
            y in -3.0f64..45.0,
            half in 0.25f64..6.0,
        ) {
            let h = column.len();
            let prefix = Lines::prefix(&column, 1, h);
            let lines = Lines::new(&prefix, h, half);
            let hf = h as f64;
            let want = (0.0..hf).contains(&y) && {
                let lo = (y - half).floor().clamp(0.0, hf) as usize;
                let hi = (y + half).ceil().clamp(0.0, hf) as usize;
                column[lo..hi].contains(&true)
            };
            proptest::prop_assert_eq!(lines.inked(0, y), want);
        }

        /// The band around any row between two rows lies within the rows from the first's
        /// band to the second's: a column with no ink there is inked in no such band (the
        /// columns [`strike`] looks at).
        #[test]
        fn a_band_between_two_rows_lies_within_theirs(
            column in proptest::collection::vec(proptest::bool::weighted(0.1), 2..60),
            rows in (0usize..60, 1usize..60),
            at in 0.0f64..1.0,
            half in 0.25f64..6.0,
        ) {
            let h = column.len();
            let prefix = Lines::prefix(&column, 1, h);
            let lines = Lines::new(&prefix, h, half);
            let top = rows.0 % h;
            let bottom = (top + rows.1).min(h);
            let y = top as f64 + at * (bottom - top) as f64;
            proptest::prop_assume!(y < bottom as f64);
            let reach = lines.band(top as f64).0..lines.band(bottom as f64).1;
            let (lo, hi) = lines.band(y);
            proptest::prop_assert!(reach.start <= lo && hi <= reach.end, "{:?} {:?}", reach, (lo, hi));
            if !lines.any_in(0, reach) {
                proptest::prop_assert!(!lines.inked(0, y));
            }
        }
    }

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

    /// A pen circle (an ellipse of 48 strokes) around the block of [`page`].
    fn circle_around(img: &mut GrayImage, px: f64) {
        let (c, r) = ([45.0 * px, 36.0 * px], [24.0 * px, 13.0 * px]);
        for k in 0..48 {
            let at = |k: usize| {
                let t = std::f64::consts::TAU * k as f64 / 48.0;
                [c[0] + r[0] * t.cos(), c[1] + r[1] * t.sin()]
            };
            stroke_ink(img, at(k), at(k + 1), 0.5 * px, 60);
        }
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
        let circle = seen(circle_around);
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
    fn a_pale_tick_counts_when_nothing_else_shows() {
        // A grey tick (a third of the bars' ink): nothing at half the bars' ink.
        let (img, symbol) = page(|img, px| {
            let (x, y) = (21.0 * px, 34.0 * px);
            let ink = 170;
            stroke_ink(img, [x, y], [x + 3.0 * px, y + 4.0 * px], 0.5 * px, ink);
            let (a, b) = ([x + 3.0 * px, y + 4.0 * px], [x + 8.0 * px, y - 6.0 * px]);
            stroke_ink(img, a, b, 0.5 * px, ink);
        });
        let plain = evidence(&img, &symbol, DPI).expect("evidence");
        assert!(plain.plain(), "{plain:?}");
        let looked_again = on_page(&img, std::slice::from_ref(&symbol), DPI);
        let faint = looked_again[0].expect("evidence");
        assert!(faint.singled_out(), "{faint:?}");
        // A page with nothing around its symbols stays plain at the fainter level.
        let (img, symbol) = page(|_, _| {});
        let nothing = on_page(&img, std::slice::from_ref(&symbol), DPI)[0].expect("evidence");
        assert!(nothing.plain() && !nothing.singled_out(), "{nothing:?}");
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
        // Alone near the block: a header or a logo further up does not matter, a stamp's
        // box and text just below the block do.
        let under_a_header = Evidence {
            above: 44.0,
            ..speck
        };
        assert!(under_a_header.singled_out(), "{under_a_header:?}");
        let stamp_edge = Evidence {
            below: 13.0,
            near: 13.0,
            ..speck
        };
        assert!(!stamp_edge.singled_out(), "{stamp_edge:?}");
        // A tick with a title just below the block (seed 17 0165): more ink than a stray
        // stroke leaves.
        let tick_over_a_title = Evidence {
            beside: 4.2,
            below: 25.0,
            near: 1.9,
            ..nothing
        };
        assert!(tick_over_a_title.singled_out(), "{tick_over_a_title:?}");
        let signature_end = Evidence {
            strike: 0.7,
            ..speck
        };
        assert!(!signature_end.singled_out(), "{signature_end:?}");
        // A straight stroke slanting through the bars strikes out. One that inks fewer of
        // the spaces does not when it could be the edge of a stamp (ink in the corners) or
        // a signature (as many spaces inked along the bars); no stroke does inside the arc
        // of a circle around the block.
        let stroke = Evidence {
            strike: 1.0,
            ..nothing
        };
        assert!(stroke.struck());
        let weaker = Evidence {
            strike: 0.8,
            ..nothing
        };
        assert!(weaker.struck());
        assert!(
            !Evidence {
                corners: 2.5,
                ..weaker
            }
            .struck()
        );
        assert!(
            !Evidence {
                strike_level: 0.8,
                ..weaker
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
        // Along the bars: a stroke alone, not a stamp's edge (its box in the corners, its
        // text below the block).
        let along = Evidence {
            strike_level: 1.0,
            ..nothing
        };
        assert!(along.struck());
        assert!(
            !Evidence {
                corners: 2.5,
                ..along
            }
            .struck()
        );
        assert!(
            !Evidence {
                below: 13.0,
                ..along
            }
            .struck()
        );
    }

    /// A highlighted symbol on a faded page: the highlighter greys the quiet zones more
    /// than half as dark as the bars (seed 13 page 272).
    fn faded_highlighted() -> (GrayImage, Symbol) {
        let (img, symbol) = page(|img, px| {
            let y = 34.0 * px;
            stroke_ink(img, [27.0 * px, y], [72.0 * px, y], 10.0 * px, 168);
        });
        (crate::synth::degrade::faded(&img, 130, 215), symbol)
    }

    #[test]
    fn a_highlighter_on_a_faded_page_singles_it_out() {
        let (faded, symbol) = faded_highlighted();
        let e = evidence(&faded, &symbol, DPI).expect("evidence");
        assert!(e.highlight >= HIGHLIGHT && e.singled_out(), "{e:?}");
        let (img, symbol) = page(|_, _| {});
        let faded = crate::synth::degrade::faded(&img, 130, 215);
        let e = evidence(&faded, &symbol, DPI).expect("evidence");
        assert!(e.plain() && !e.singled_out(), "{e:?}");
    }

    /// What is kept around a symbol for every level it is looked at (its ruled lines,
    /// its quiet zones' ink) makes each level's evidence what a first look gives.
    #[test]
    fn each_level_looked_at_sees_what_a_first_look_sees() {
        let (faded, symbol) = faded_highlighted();
        let first = |level: f32| around(&faded, &symbol, DPI).expect("ink").evidence(level);
        let kept = around(&faded, &symbol, DPI).expect("ink");
        for level in [INK_LEVEL, FAINT_INK_LEVEL, INK_LEVEL] {
            assert_eq!(kept.evidence(level), first(level), "{level}");
        }
        assert_ne!(first(INK_LEVEL), first(FAINT_INK_LEVEL));
    }

    #[test]
    fn a_tick_on_one_side_counts_whatever_lies_beside_the_other() {
        // Seed 13 page 69: a tick left of the bars, a stamp's box running on right of them.
        let stamped_tick = Evidence {
            ring: 0.56,
            beside: 16.0,
            below: 31.0,
            near: 9.8,
            corners: 1.75,
            other_beside: 6.0,
            other_corners: 0.0,
            strike: 0.62,
            strike_level: 0.75,
            ..Evidence::default()
        };
        assert!(stamped_tick.singled_out(), "{stamped_tick:?}");
        // Without the tick, the stamp alone.
        let stamp = Evidence {
            other_beside: 0.0,
            ..stamped_tick
        };
        assert!(!stamp.singled_out() && stamp.stamped(), "{stamp:?}");
        // A speck on the other side counts only alone, and the stamp is not nothing.
        let speck = Evidence {
            other_beside: 3.0,
            ..stamped_tick
        };
        assert!(!speck.singled_out(), "{speck:?}");
    }

    #[test]
    fn a_stamp_over_the_bars_is_no_mark() {
        // Seed 2026 page 312: a stamp's box crosses the lower bars and runs on beside them,
        // its text below the block.
        let stamp = Evidence {
            ring: 0.625,
            beside: 7.25,
            above: 44.0,
            below: 13.75,
            near: 8.44,
            corners: 3.06,
            strike: 0.72,
            strike_level: 0.76,
            ..Evidence::default()
        };
        assert!(stamp.stamped(), "{stamp:?}");
        assert!(!stamp.plain() && !stamp.singled_out() && !stamp.struck());
        // The same ink with no straight edge through the bars could be a circle half seen.
        let half_circle = Evidence {
            strike: 0.1,
            strike_level: 0.1,
            ..stamp
        };
        assert!(
            !half_circle.stamped() && !half_circle.plain(),
            "{half_circle:?}"
        );
        // A stamp circled all around, highlighted, or struck through is not only a stamp.
        for other in [
            Evidence {
                ring: 1.0,
                solid_ring: 1.0,
                ..stamp
            },
            Evidence {
                highlight: 50.0,
                ..stamp
            },
            Evidence {
                strike: 0.95,
                ..stamp
            },
        ] {
            assert!(!other.stamped(), "{other:?}");
        }
        // An edge that stays level with the block, nothing in the corners: a stroke, a
        // tick, no stamp.
        let level = Evidence {
            corners: 0.0,
            near: 0.0,
            ..stamp
        };
        assert!(!level.stamped(), "{level:?}");
    }

    /// Seed 31 page 464: a stamp's box whose top edge crosses the last bars level with
    /// them and runs on past their end leaves a straight line of ink beside the bars, as
    /// much as a tick; but a tick or an arrow stops short of the bars, the edge runs on
    /// through them. An arrow pointing at the bars along the same course is still a mark.
    #[test]
    fn a_stamps_edge_across_the_bars_end_is_no_tick() {
        let (_, symbol) = page(|_, _| {});
        let [[_, top], [end, _], [_, bottom], _] = symbol.quad;
        let y = top + 0.75 * (bottom - top);
        // The box low enough, and its text close enough under its edge, to stay level
        // with the HRI beyond the bars' end (no ink in the corners there, as on the page).
        let stamped = seen(|img, px| {
            let (x, w, h) = (end - 10.0 * px, 40.0 * px, 6.5 * px);
            let c = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
            for i in 0..4 {
                stroke_ink(img, c[i], c[(i + 1) % 4], 0.7 * px, 110);
            }
            for dy in [4.0, 5.8] {
                let (a, b) = ([x + 3.0 * px, y + dy * px], [x + w - 3.0 * px, y + dy * px]);
                stroke_ink(img, a, b, 1.0 * px, 110);
            }
        });
        assert!(!stamped.singled_out(), "{stamped:?}");
        let arrow = seen(|img, px| {
            let tip = [end + 1.5 * px, y];
            stroke_ink(img, [end + 14.0 * px, y], tip, 0.5 * px, 40);
            for dy in [-2.0, 2.0] {
                let barb = [tip[0] + 2.5 * px, y + dy * px];
                stroke_ink(img, barb, tip, 0.5 * px, 40);
            }
        });
        assert!(arrow.singled_out(), "{arrow:?}");
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

    /// Fades `img` towards white: ink keeps `keep` of its strength.
    fn fade(img: &mut GrayImage, keep: f64) {
        for p in img.pixels_mut() {
            p.0[0] = (255.0 - (255.0 - f64::from(p.0[0])) * keep).round() as u8;
        }
    }

    /// The page of [`page`] with `mark`, faded to `keep` of its contrast on grey paper,
    /// under pixel noise `sigma` (25: a noisy scanner), and its symbol.
    fn noisy_faded(
        mark: impl Fn(&mut GrayImage, f64),
        keep: f64,
        sigma: f64,
    ) -> (GrayImage, Symbol) {
        let (mut img, symbol) = page(mark);
        fade(&mut img, keep);
        for p in img.pixels_mut() {
            p.0[0] = (f64::from(p.0[0]) * 0.85) as u8;
        }
        let img = crate::synth::degrade::noise(&img, sigma, &mut crate::synth::Rng::new(3));
        (img, symbol)
    }

    #[test]
    fn noise_on_a_faded_page_is_no_mark_and_a_circle_still_is() {
        // A noisy scanner, and (seed 29, page 74) the grain of grey paper under faded print,
        // too faint for a noisy window but reaching half the bars' ink here and there.
        // Both at the usual ink level and in the fainter look a page of plain symbols gets.
        for (keep, sigma) in [(0.45, 25.0), (0.6, 10.0), (0.8, 8.0)] {
            for share in [INK_LEVEL, FAINT_INK_LEVEL] {
                let seen = |mark: &dyn Fn(&mut GrayImage, f64)| {
                    let (img, symbol) = noisy_faded(mark, keep, sigma);
                    around(&img, &symbol, DPI)
                        .expect("evidence")
                        .evidence(share)
                };
                let plain = seen(&|_, _| {});
                assert!(
                    plain.plain() && !plain.singled_out(),
                    "{sigma} {share} {plain:?}"
                );
                let circled = seen(&circle_around);
                assert!(circled.singled_out(), "{sigma} {share} {circled:?}");
            }
        }
    }

    #[test]
    fn a_pale_stroke_through_a_faded_blurred_symbol_strikes_it_out() {
        // The bars are 30 mm from the page's corner, 37 × 8 mm: the stroke runs from one
        // corner of them to the other, grey, over a page faded to half its ink and blurred.
        let (img, symbol) = page(|img, px| {
            stroke_ink(
                img,
                [30.0 * px, 30.0 * px],
                [67.0 * px, 38.0 * px],
                0.35 * px,
                110,
            );
            fade(img, 0.5);
            *img = image::imageops::blur(img, 1.2);
        });
        let e = evidence(&img, &symbol, DPI).expect("evidence");
        assert!(e.struck(), "{e:?}");
    }

    #[test]
    fn a_stroke_strikes_out_even_where_the_quad_is_cut_short() {
        // The locator may give a struck symbol a quad shorter than its bars (the stroke
        // darkens the rows it crosses): the bars are found again around it.
        let (img, mut symbol) = page(|img, px| {
            stroke_ink(
                img,
                [30.0 * px, 30.0 * px],
                [67.0 * px, 38.0 * px],
                0.5 * px,
                30,
            );
        });
        let q = symbol.quad;
        let cut = |top: [f64; 2], bottom: [f64; 2], t: f64| {
            [
                top[0] + (bottom[0] - top[0]) * t,
                top[1] + (bottom[1] - top[1]) * t,
            ]
        };
        symbol.quad = [
            cut(q[0], q[3], 0.3),
            cut(q[1], q[2], 0.3),
            cut(q[1], q[2], 0.7),
            cut(q[0], q[3], 0.7),
        ];
        let e = evidence(&img, &symbol, DPI).expect("evidence");
        assert!(e.struck(), "{e:?}");
    }

    #[test]
    fn a_signatures_stroke_running_on_beside_the_bars_is_no_pale_tick() {
        // Seed 163 0197: a signature's dark zigzag through the lower bars of an unmarked
        // pad's symbol, its last stroke running on a few mm beyond their end.
        let (img, symbol) = page(|img, px| {
            let pts = [
                (52.0, 36.5),
                (56.0, 36.0),
                (59.0, 38.5),
                (63.0, 37.0),
                (66.0, 37.0),
                (68.5, 36.8),
                (71.0, 33.5),
                (73.5, 37.0),
                (74.5, 35.5),
            ];
            // Blurred: a grey edge around a dark core.
            for (width, ink) in [(0.7, 150), (0.35, 30)] {
                for w in pts.windows(2) {
                    let (a, b) = ([w[0].0 * px, w[0].1 * px], [w[1].0 * px, w[1].1 * px]);
                    stroke_ink(img, a, b, width * px, ink);
                }
            }
        });
        // Under a pen's ink beside the bars at the usual level, a little over it at the
        // fainter one, where it would stand alone but for the stroke through the bars.
        let usual = evidence(&img, &symbol, DPI).expect("evidence");
        let faint = around(&img, &symbol, DPI)
            .expect("evidence")
            .evidence(FAINT_INK_LEVEL);
        assert!(
            !usual.singled_out() && faint.singled_out(),
            "{usual:?} {faint:?}"
        );
        let looked_again = on_page(&img, std::slice::from_ref(&symbol), DPI)[0].expect("evidence");
        assert!(!looked_again.singled_out(), "{looked_again:?}");
    }

    #[test]
    fn a_stamp_edge_a_fold_or_a_signature_over_the_bars_strikes_nothing_out() {
        // A stamp's box whose top edge runs along the lower bars and on past their end.
        let stamp = seen(|img, px| {
            let (x, y, w, h) = (28.0 * px, 35.5 * px, 45.0 * px, 18.0 * px);
            let c = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
            for i in 0..4 {
                stroke_ink(img, c[i], c[(i + 1) % 4], 0.7 * px, 110);
            }
        });
        assert!(!stamp.struck(), "{stamp:?}");
        // A fold's crease across the whole page, through the bars.
        let fold = seen(|img, px| {
            stroke_ink(
                img,
                [0.0, 28.0 * px],
                [100.0 * px, 42.0 * px],
                0.4 * px,
                140,
            );
        });
        assert!(!fold.struck(), "{fold:?}");
        // A signature's zigzag over the lower bars.
        let signature = seen(|img, px| {
            let ys = [35.0, 39.5, 34.5, 40.0, 35.5, 38.5, 34.0];
            for (k, w) in ys.windows(2).enumerate() {
                let x = 33.0 + 4.0 * k as f64;
                stroke_ink(
                    img,
                    [x * px, w[0] * px],
                    [(x + 4.0) * px, w[1] * px],
                    0.5 * px,
                    40,
                );
            }
        });
        assert!(!signature.struck(), "{signature:?}");
    }

    /// A grey crease across the whole page from `a` to `b` (mm).
    fn crease(img: &mut GrayImage, px: f64, a: [f64; 2], b: [f64; 2]) {
        stroke_ink(
            img,
            [a[0] * px, a[1] * px],
            [b[0] * px, b[1] * px],
            0.4 * px,
            90,
        );
    }

    #[test]
    fn a_fold_or_a_ruled_line_across_the_page_is_no_mark() {
        // Through the bars, a little slanted: ink beside them on both sides.
        let through = seen(|img, px| crease(img, px, [0.0, 30.0], [100.0, 40.0]));
        assert!(through.plain() && !through.singled_out(), "{through:?}");
        // Steep, past the bars' left end, where a tick would be.
        let beside = seen(|img, px| crease(img, px, [22.0, 0.0], [30.0, 80.0]));
        assert!(beside.plain() && !beside.singled_out(), "{beside:?}");
        // A tick stays a tick with a fold through the bars.
        let ticked = seen(|img, px| {
            crease(img, px, [0.0, 30.0], [100.0, 40.0]);
            let (x, y) = (21.0 * px, 34.0 * px);
            stroke_ink(img, [x, y], [x + 3.0 * px, y + 4.0 * px], 0.5 * px, 40);
            let (a, b) = ([x + 3.0 * px, y + 4.0 * px], [x + 8.0 * px, y - 6.0 * px]);
            stroke_ink(img, a, b, 0.5 * px, 40);
        });
        assert!(ticked.singled_out(), "{ticked:?}");
        // Near the page's edge the fold runs off the page within the reach looked at.
        let (img, _) = page(|img, px| crease(img, px, [0.0, 30.0], [100.0, 40.0]));
        let cut = (22.0 * DPI / 25.4) as u32;
        let img =
            image::imageops::crop_imm(&img, cut, 0, img.width() - cut, img.height()).to_image();
        let symbol = crate::decode::read(&img, crate::decode::Engine::Own)
            .into_iter()
            .find(|s| s.value == "10001045367")
            .expect("the symbol reads near the edge");
        let edge = evidence(&img, &symbol, DPI).expect("evidence");
        assert!(edge.plain() && !edge.singled_out(), "{edge:?}");
    }

    #[test]
    fn a_fold_that_stops_short_of_the_border_beside_a_logo_is_ruled() {
        // A 300 × 150 window (4 samples a mm) around a block in its middle; a thin fold at
        // 82.5° (the normal's angle: between two of the search's degrees), through the
        // block, cut 13 samples inside the left border by a skewed scan's white fill; a
        // logo's filled block at the top left, which outvotes the fold in every bin.
        let (w, h) = (300, 150);
        let mut ink = vec![0.0f32; w * h];
        let (c, s) = 82.5f64.to_radians().sin_cos();
        let (c, s) = (s, c);
        let rho = 98.0;
        for i in 13..w {
            let j = ((rho - i as f64 * c) / s).round() as usize;
            ink[j * w + i] = 110.0;
        }
        for j in 2..18 {
            for i in 20..70 {
                ink[j * w + i] = 255.0;
            }
        }
        let window = Strip {
            w,
            h,
            ink,
            origin_mm: [0.0, 0.0],
            per_mm: PER_MM,
        };
        let in_block = |i: usize, j: usize| (60..240).contains(&i) && (40..110).contains(&j);
        let lines = ruled_lines(&window, 64.0, in_block, |_, _| false);
        let fold = lines
            .iter()
            .find(|l| (l.cos * c + l.sin * s) > 0.9999 && (l.rho - rho).abs() < 1.0);
        assert!(fold.is_some(), "{lines:?}");
        // Through the block, each side must be inked on its own: an arrow's shaft on the
        // left, pointing at the bars, its line running on past them through a few
        // letters of a stamp near the block, and no further, is none (inked on three
        // quarters of its course outside a narrower block, on a third right of it).
        let mut arrow = Strip {
            ink: window.ink.clone(),
            ..window
        };
        for i in 262..w {
            let j = ((rho - i as f64 * c) / s).round() as usize;
            arrow.ink[j * w + i] = 0.0;
        }
        let narrower = |i: usize, j: usize| (150..240).contains(&i) && (40..110).contains(&j);
        let lines = ruled_lines(&arrow, 64.0, narrower, |_, _| false);
        assert!(
            lines.iter().all(|l| (l.rho - rho).abs() >= 3.0),
            "{lines:?}"
        );
    }

    #[test]
    fn a_faded_highlighter_highlights_a_fold_darker_on_one_side_does_not() {
        let highlighted = seen(|img, px| {
            let y = 34.0 * px;
            stroke_ink(img, [27.0 * px, y], [70.0 * px, y], 10.0 * px, 200);
            fade(img, 0.4);
        });
        assert!(highlighted.singled_out(), "{highlighted:?}");
        // The paper right of a fold through the middle of the bars is a little darker.
        let folded = seen(|img, px| {
            let fold = 48.0 * px;
            for (x, _, p) in img.enumerate_pixels_mut() {
                if f64::from(x) > fold {
                    p.0[0] = (f64::from(p.0[0]) * 0.9) as u8;
                }
            }
        });
        assert!(folded.plain() && !folded.singled_out(), "{folded:?}");
    }

    #[test]
    fn the_darker_side_of_a_fold_greys_no_symbol_more_than_another() {
        // A fold by the first bars, the page darker beyond it (seed 23, page 62): the
        // window's paper is mostly the darker one, its left quiet zone the lighter. A
        // symbol wholly on the darker side, and one wholly on the lighter side, show the
        // same: the page's symbols are compared by how much greyer their quiet zones are
        // than their own paper, and none may stand out.
        let folded_at = |fold_mm: f64| {
            seen(move |img, px| {
                for (x, _, p) in img.enumerate_pixels_mut() {
                    if f64::from(x) > fold_mm * px {
                        p.0[0] = (f64::from(p.0[0]) * 0.92) as u8;
                    }
                }
            })
            .highlight
        };
        let levels = [folded_at(31.0), folded_at(5.0), folded_at(95.0)];
        for h in levels {
            assert!(h.abs() < PLAIN_HIGHLIGHT / 2.0, "{levels:?}");
        }
    }
}
