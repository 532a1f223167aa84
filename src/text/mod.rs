//! Read text: the legend printed just above a symbol (`N° RPPS`, `N° FINESS`, `N° AM`…,
//! Annexe I: capitals ≥ 1 mm) and its human-readable line (HRI) just below (digits ≥ 2 mm).
//!
//! Everything happens in the symbol's own frame: a strip above and a strip below the quad
//! are sampled through the homography that straightens the symbol ([`strip`]), so a
//! rotated, skewed or photographed symbol reads like an upright one. In each strip the
//! line of text nearest the bars and overlapping the symbol is taken (left-aligned or
//! centred alike). The legend is matched as a whole line against the known spellings
//! rendered from the DejaVu and office faces ([`legend`]); the HRI is cut into characters (touching
//! ones split at their faintest column) and each is classified as a digit against
//! reference glyphs rendered at start-up ([`glyphs`]). Pure Rust, no OCR engine.
//!
//! The decoded value is only a prior for *confirming*: where a printed digit's reading is
//! close to the value's digit, the value's digit is taken; a digit that clearly reads
//! otherwise stays as printed. When unsure the result says so (`None`, or
//! `hri_confident: false`): a false HRI mismatch is worse than no reading. This stage
//! reads pixels and the symbol's quad; it never judges.

mod glyphs;
mod legend;
pub(crate) mod strip;

use image::GrayImage;

use self::glyphs::{Guess, Hand, classify, hand_of, split};
use self::strip::{
    Blob, Frame, Inked, Search, Strip, TextLine, blobs, centred, dot, nearest_line, thresholds,
};
use crate::decode::Symbol;
use crate::ids::IdKind;

pub use self::legend::SPELLINGS;

/// What is printed around one symbol.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextRead {
    /// The legend above the symbol, as one of [`SPELLINGS`] (spacing normalised).
    pub legend: Option<String>,
    /// What the legend names.
    pub legend_kind: Option<IdKind>,
    /// Cap height of the legend, mm (when a legend was recognised).
    pub legend_height_mm: Option<f64>,
    /// Corners of the legend line in page pixels, clockwise from its top left in the
    /// symbol's frame (when a legend was recognised).
    pub legend_quad: Option<[[f64; 2]; 4]>,
    /// The HRI line below the symbol: its digits, spaces removed.
    pub hri: Option<String>,
    /// Height of the HRI digits, mm (when an HRI was read).
    pub hri_height_mm: Option<f64>,
    /// Corners of the HRI line in page pixels, as `legend_quad` (when an HRI was read).
    pub hri_quad: Option<[[f64; 2]; 4]>,
    /// Whether every HRI digit was read clearly: only then may the HRI be compared with
    /// the barcode.
    pub hri_confident: bool,
    /// Whether a line of text-sized ink (capitals in the legend's size range, near the
    /// bars, overlapping the symbol's extent) was found above the symbol, recognised or
    /// not: `legend_seen && legend.is_none()` is "something is printed there but it is not
    /// read as a legend", `!legend_seen` is "nothing legend-like there".
    pub legend_seen: bool,
    /// The same below the symbol for the HRI (digit-sized line found, read or not).
    pub hri_seen: bool,
    /// How the legend is printed, when it was recognised by its shape: what the page's
    /// other legends are expected to share ([`read_texts`]).
    pub legend_print: Option<LegendPrint>,
    /// Whether a line above the symbol, as scanned, looked enough like another kind than
    /// the value's to have confirmed that kind, though not clearly enough to name it:
    /// the page's way of printing legends then confirms nothing there ([`read_texts`]).
    pub legend_like_other: bool,
}

/// How a legend is printed, in its symbol's frame (mm along the bars from the symbol's
/// start, and across them from the bars' top, negative above).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LegendPrint {
    /// Of [`crate::synth::Typeface::READ`], the face it looks most like.
    face: usize,
    /// Cap height, mm.
    cap_mm: f64,
    /// Where the line's first ink is.
    left_mm: f64,
    /// Where its middle is, from the symbol's middle.
    centre_mm: f64,
    /// Where its foot is.
    foot_mm: f64,
}

/// Reads the text around every symbol of a page ([`read_text`]; `hints` are the decoded
/// values). A pad prints all its legends alike — one face, one size, as far above the bars
/// and aligned the same way: where a legend was not read, it is first compared with the
/// page's legends recognised by their shape, as printed ([`like_the_pages_legends`]: a
/// legend printed as another symbol's is that legend, of whichever kind); then those
/// legends say where and how it is printed, and the specks there are weighed as every
/// spelling printed so ([`legend::kind_as_printed`]); this only confirms the value's
/// kind, and not when any threshold's specks name another.
pub fn read_texts(
    image: &GrayImage,
    symbols: &[Symbol],
    dpi: f64,
    hints: &[Option<&str>],
) -> Vec<TextRead> {
    let mut reads: Vec<TextRead> = symbols
        .iter()
        .zip(hints)
        .map(|(s, h)| read_text(image, s, dpi, *h))
        .collect();
    // Each symbol's strip above its bars, made once when a stage below first asks for it.
    let aboves: Vec<std::cell::OnceCell<Option<Above>>> =
        symbols.iter().map(|_| Default::default()).collect();
    let above = |i: usize| {
        aboves[i]
            .get_or_init(|| Above::of(image, &symbols[i], dpi))
            .as_ref()
    };
    for ((read, symbol), hint) in reads.iter_mut().zip(symbols).zip(hints) {
        read_hri_again(image, symbol, dpi, *hint, read);
    }
    like_the_pages_legends(&above, &mut reads);
    let prints: Vec<LegendPrint> = reads.iter().filter_map(|r| r.legend_print).collect();
    let print = if prints.is_empty() {
        if reads.iter().all(|r| r.legend.is_some()) {
            return reads;
        }
        let strips: Vec<&Above> = (0..reads.len())
            .filter(|&i| !reads[i].legend_like_other)
            .filter_map(above)
            .collect();
        specks_print(&strips)
    } else {
        page_print(&prints)
    };
    let Some(print) = print else {
        return reads;
    };
    for (i, (read, hint)) in reads.iter_mut().zip(hints).enumerate() {
        let expected = hint
            .map(crate::ids::kind_from_shape)
            .filter(|&k| k != IdKind::Unknown);
        let (None, Some(kind)) = (&read.legend, expected) else {
            continue;
        };
        // A line that looked like another kind's legend (seed 269 0371: a misprinted
        // serif "N°FINESS" a fold runs through, over an RPPS, at 0.47 of its spelling):
        // weighing its pixels as the page prints legends made "N° RPPS" of it.
        if read.legend_like_other {
            continue;
        }
        let Some(above) = above(i) else {
            continue;
        };
        let anchors: Vec<legend::Anchor> = print
            .left
            .map(|l| legend::Anchor::Left(above.x(l)))
            .into_iter()
            .chain(
                print
                    .centre
                    .map(|c| legend::Anchor::Centre(above.x(c + above.frame.length_mm / 2.0))),
            )
            .collect();
        let foot = above.y(print.foot_mm);
        let mut found = None;
        'levels: for level in thresholds(&above.strip) {
            for &cap_mm in &print.caps_mm {
                for named in legend::kind_as_printed(
                    &above.strip,
                    level,
                    &print.faces,
                    cap_mm * above.per_mm,
                    &anchors,
                    foot,
                ) {
                    match named {
                        Some((k, text, placed)) if k == kind => {
                            found.get_or_insert((text, placed, cap_mm));
                        }
                        Some(_) => {
                            found = None;
                            break 'levels;
                        }
                        None => {}
                    }
                }
            }
        }
        if let Some((text, placed, cap_mm)) = found {
            read.legend = Some(text.to_owned());
            read.legend_kind = Some(kind);
            read.legend_height_mm = Some(cap_mm);
            read.legend_quad = Some(above.frame.page_quad(&above.strip, &placed));
        }
    }
    reads
}

/// Reads again, a little off where the decoder put the symbol, an HRI `read` (as the value
/// `hint` or nearly — a misprint, or a digit or two unsure: [`NUDGED_DIFFERS`] — or not
/// confidently as anything), without its legend. The decoder places a quad within a pixel
/// or so of its bars' edges (blur moves the edge it finds), and half a pixel from where the
/// strips take a pixel ([`pixel_centred`]), so a faint or crossed HRI may read clearly
/// only a little off.
/// - Read unsurely, it is read with the quad moved a pixel down and up its bars
///   ([`QUAD_NUDGES`]; seed 317 0014, a misprint under a stamp read unsurely a pixel above
///   the bars' true feet) and where its pixels' centres put it (seed 269 0291); the
///   readings made confidently there stand when they are all the same. When they differ,
///   the one that most of the readings (the first too, however unsure) make stands
///   (office seed 7 0021: a misprint under a stamp's grey capitals read unsurely, then
///   clearly and unsurely again as printed, and a pixel down clearly as other digits).
///   Where the pixels' centres put it, a misprint stands only as first read (seed 347
///   0192: digits a paper's edge cut through their middles, read unsurely as "600541437"
///   for 690551437, read there "600551437", clearly). (An unsure reading is the costliest
///   to make, every view and smoothing tried: read again whatever it read, the text of
///   seed 113 took a third longer.)
/// - Read confidently as a misprint, it must not hang on where the quad put the strip's
///   samples either (seed 233 0395: a stamp's grey C over a 1 made a clear 3 of it where
///   the decoder's quad lies, and the page failed on a false `hri_mismatch`): read as the
///   value, confidently, with the quad moved half a pixel on and half a pixel back
///   ([`PIXEL_CENTRE`]), it is left unsure. A false mismatch is worse than none.
/// - Read unsurely as no number near the value: [`read_far_hri_again`]. (Not read at all,
///   the HRI is not read again: most such symbols have none printed.)
fn read_hri_again(
    image: &GrayImage,
    symbol: &Symbol,
    dpi: f64,
    hint: Option<&str>,
    read: &mut TextRead,
) {
    let Some(value) = hint else {
        return;
    };
    let again = |s: &Symbol| read_text_with(image, s, dpi, hint, false);
    let Some(differing) = read.hri.as_deref().and_then(|p| near_value(p, value)) else {
        if read.hri.is_some() && !read.hri_confident {
            read_far_hri_again(symbol, value, &again, read);
        }
        return;
    };
    if read.hri_confident {
        let as_value = |r: TextRead| r.hri_confident && r.hri.as_deref() == hint;
        if differing > 0
            && as_value(again(&pixel_centred(symbol)))
            && as_value(again(&moved(symbol, [-PIXEL_CENTRE; 2])))
        {
            read.hri_confident = false;
        }
        return;
    }
    let centred = again(&pixel_centred(symbol));
    let as_read = centred.hri == read.hri || centred.hri.as_deref() == hint;
    let nudged: Vec<TextRead> = QUAD_NUDGES
        .iter()
        .map(|&px| again(&moved_down(symbol, px)))
        .collect();
    let confident: Vec<&TextRead> = nudged
        .iter()
        .chain(as_read.then_some(&centred))
        .filter(|r| r.hri_confident)
        .collect();
    let Some(&first) = confident.first() else {
        return;
    };
    if confident.iter().all(|r| r.hri == first.hri) {
        take_hri(read, first);
        return;
    }
    // Confident readings that differ: the one that most of the readings made (the first
    // one too, however unsure; where the pixels' centres put the quad, only as above)
    // stands.
    let all: Vec<&Option<String>> = std::iter::once(&read.hri)
        .chain(as_read.then_some(&centred.hri))
        .chain(nudged.iter().map(|r| &r.hri))
        .collect();
    let backed = |r: &TextRead| all.iter().filter(|&&h| *h == r.hri).count();
    if let Some(&most) = confident.iter().find(|r| 2 * backed(r) > all.len()) {
        take_hri(read, most);
    }
}

/// `read`'s HRI made `again`'s, confidently read.
fn take_hri(read: &mut TextRead, again: &TextRead) {
    read.hri.clone_from(&again.hri);
    read.hri_confident = true;
    read.hri_height_mm = again.hri_height_mm;
    read.hri_quad = again.hri_quad;
}

/// How many places `printed` differs from `value` in, when as long and no more than
/// [`NUDGED_DIFFERS`].
fn near_value(printed: &str, value: &str) -> Option<usize> {
    let differing = differing_places(printed.as_bytes(), value.as_bytes());
    (printed.len() == value.len() && differing <= NUDGED_DIFFERS).then_some(differing)
}

/// How many places `a` and `b` differ in, over the shorter one's length.
fn differing_places(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// Reads again an HRI `read` unsurely as no number near the value, where its pixels'
/// centres put the quad ([`pixel_centred`]), for a misprint: a faded 200 dpi fax's digits
/// (seed 293 0411) made specks read as "45555553" where the decoder's quad lies, and a
/// clear misprint there. A confident misprint there stands (nothing else
/// corroborates it: the quad moved a pixel down or up read the specks again; over 24
/// corpora of 500 pages, this changed no other page's verdict). A reading there as the
/// value does not: an HRI left unsure fails no page, and the value's digit is taken where
/// it reads nearly as well as the best (a motion-blurred misprinted 6 under a stamp, seed
/// 149 0191, read as the value's 3 with the quad half a pixel off every way), so it would
/// only hide misprints.
fn read_far_hri_again(
    symbol: &Symbol,
    value: &str,
    again: &dyn Fn(&Symbol) -> TextRead,
    read: &mut TextRead,
) {
    let centred = again(&pixel_centred(symbol));
    let misprint = centred
        .hri
        .as_deref()
        .is_some_and(|d| d != value && near_value(d, value).is_some());
    if centred.hri_confident && misprint {
        take_hri(read, &centred);
    }
}

/// Page pixels a symbol's quad is moved across its bars to read its HRI again.
const QUAD_NUDGES: [f64; 2] = [1.0, -1.0];

/// Most places an HRI read unsurely may differ from the value for it to be read again with
/// the quad moved ([`QUAD_NUDGES`]).
const NUDGED_DIFFERS: usize = 2;

/// `symbol` with its quad moved `px` page pixels down its bars (from their tops towards
/// their feet).
fn moved_down(symbol: &Symbol, px: f64) -> Symbol {
    let [q0, _, _, q3] = symbol.quad;
    let (dx, dy) = (q3[0] - q0[0], q3[1] - q0[1]);
    let len = dx.hypot(dy).max(f64::EPSILON);
    moved(symbol, [dx / len * px, dy / len * px])
}

/// `symbol` with its quad moved from where `locate::sample` reads a pixel's value (at
/// the pixel's top left corner: pixel `(i, j)` at `(i, j)`) to where the strips take it
/// (over the pixel's square, `[i, i + 1) × [j, j + 1)`, as the quads the corpus draws are
/// given). The decoder's quads lie half a pixel before and above their bars as drawn, in
/// the symbol's own frame (medians over 4,054 symbols of seeds 113, 149 and 269).
fn pixel_centred(symbol: &Symbol) -> Symbol {
    moved(symbol, [PIXEL_CENTRE; 2])
}

/// Where a pixel's value lies from its top left corner, along either axis.
const PIXEL_CENTRE: f64 = 0.5;

/// `symbol` with its quad moved `[mx, my]` page pixels.
fn moved(symbol: &Symbol, [mx, my]: [f64; 2]) -> Symbol {
    Symbol {
        quad: symbol.quad.map(|[x, y]| [x + mx, y + my]),
        ..symbol.clone()
    }
}

/// A symbol's strip above its bars, with its frame and where the strip lies in it.
struct Above {
    frame: Frame,
    /// The strip's extent along the bars, mm from the symbol's start.
    x_mm: [f64; 2],
    per_mm: f64,
    strip: Strip,
}

impl Above {
    fn of(image: &GrayImage, symbol: &Symbol, dpi: f64) -> Option<Above> {
        let frame = Frame::new(symbol, dpi)?;
        let (x_mm, _, per_mm) = extent(&frame, dpi);
        let strip = frame.strip(image, x_mm, [-STRIP_MM, -BAR_GAP_MM], per_mm);
        Some(Above {
            frame,
            x_mm,
            per_mm,
            strip,
        })
    }

    /// Where `mm` along the bars lies across the strip, pixels (and the nearest column).
    fn x(&self, mm: f64) -> f64 {
        (mm - self.x_mm[0]) * self.per_mm
    }
    fn column(&self, mm: f64) -> i64 {
        self.x(mm).round() as i64
    }
    /// Where `mm` across the bars lies down the strip, pixels (and the nearest row).
    fn y(&self, mm: f64) -> f64 {
        (mm + STRIP_MM) * self.per_mm
    }
    fn row(&self, mm: f64) -> i64 {
        self.y(mm).round() as i64
    }
}

/// Where a symbol's legend was not read, the page's legends recognised by their shape
/// (each symbol's [`LegendPrint`]), cut from their strips with a margin of paper all
/// round, are laid over its strip where the page prints legends (the same place from the
/// symbol's start, or from its middle, a few pixels either way): one that its pixels
/// match as closely as [`LIKE_LEGEND`] (zero-mean normalised correlation) is its legend,
/// whatever the kind — the same words printed the same way on the same page, blurred
/// alike. A misprinted legend too small or blurred for its kind to be named clearly by
/// its shape (seed 307 0104: a FINESS's "N°FINESS" over an RPPS at 150 dpi, blurred,
/// 0.59 from its spelling, 0.14 ahead of another kind's) matches the FINESS's own legend
/// at 0.999. Nothing is named when legends of two kinds match. `above(i)` is symbol `i`'s
/// strip above its bars (made once for this and the page-print stage).
fn like_the_pages_legends<'a>(above: &dyn Fn(usize) -> Option<&'a Above>, reads: &mut [TextRead]) {
    if reads.iter().all(|r| r.legend.is_some()) || reads.iter().all(|r| r.legend_print.is_none()) {
        return;
    }
    let legends: Vec<PageLegend> = reads
        .iter()
        .enumerate()
        .filter(|(_, read)| read.legend_print.is_some())
        .filter_map(|(j, read)| PageLegend::of(j, read, above(j)?))
        .collect();
    for (i, read) in reads.iter_mut().enumerate() {
        if read.legend.is_some() {
            continue;
        }
        let Some(above) = above(i) else {
            continue;
        };
        // The best match of each legend of the page, where it would lie here.
        let mut matched: Vec<(f32, &PageLegend, [i64; 2])> = Vec::new();
        for legend in legends.iter().filter(|l| l.symbol != i) {
            let [w, h] = legend.size;
            // Left-aligned, or centred on the symbol.
            let middle = (above.frame.length_mm - legend.length_mm) / 2.0;
            let y0 = above.row(legend.mm[2]);
            let mut best: Option<(f32, [i64; 2])> = None;
            for x0 in [
                above.column(legend.mm[0]),
                above.column(legend.mm[0] + middle),
            ] {
                for dy in -LEGEND_SLIDE..=LEGEND_SLIDE {
                    for dx in -LEGEND_SLIDE..=LEGEND_SLIDE {
                        let at = [x0 + dx, y0 + dy];
                        let Some(here) = window(&above.strip, at, [w, h]).and_then(centred) else {
                            continue;
                        };
                        let r = dot(&legend.pixels, &here);
                        if best.is_none_or(|(c, _)| r > c) {
                            best = Some((r, at));
                        }
                    }
                }
            }
            if let Some((r, at)) = best.filter(|b| b.0 >= LIKE_LEGEND) {
                matched.push((r, legend, at));
            }
        }
        matched.sort_by(|a, b| b.0.total_cmp(&a.0));
        let Some(&(_, legend, [x, y])) = matched.first() else {
            continue;
        };
        if matched.iter().any(|m| m.1.kind != legend.kind) {
            continue;
        }
        // The legend's own box: the window less its margin.
        let pad = (LEGEND_MARGIN * legend.cap_mm * above.per_mm).round() as i64;
        let [w, h] = legend.size;
        let placed = Blob {
            x0: (x + pad) as usize,
            y0: (y + pad) as usize,
            x1: (x + w - pad) as usize,
            y1: (y + h - pad) as usize,
            area: 0,
        };
        read.legend = Some(legend.text.clone());
        read.legend_kind = Some(legend.kind);
        read.legend_height_mm = Some(legend.cap_mm);
        read.legend_quad = Some(above.frame.page_quad(&above.strip, &placed));
    }
}

/// A legend of the page recognised by its shape, cut out of its symbol's strip with a
/// margin of paper all round ([`like_the_pages_legends`]).
struct PageLegend {
    symbol: usize,
    text: String,
    kind: IdKind,
    cap_mm: f64,
    /// Its symbol's length, mm.
    length_mm: f64,
    /// Its box with the margin, mm in its symbol's frame: left, right, top, foot.
    mm: [f64; 4],
    /// Its box's width and height, pixels, and its pixels row by row ([`centred`]).
    size: [i64; 2],
    pixels: Vec<f32>,
}

impl PageLegend {
    fn of(symbol: usize, read: &TextRead, above: &Above) -> Option<PageLegend> {
        let (p, text, kind) = (read.legend_print?, read.legend.clone()?, read.legend_kind?);
        let pad = LEGEND_MARGIN * p.cap_mm;
        let right = 2.0 * (p.centre_mm + above.frame.length_mm / 2.0) - p.left_mm;
        let mm = [
            p.left_mm - pad,
            right + pad,
            p.foot_mm - LEGEND_TOP * p.cap_mm - pad,
            p.foot_mm + pad,
        ];
        let (x0, y0) = (above.column(mm[0]), above.row(mm[2]));
        let size = [above.column(mm[1]) - x0, above.row(mm[3]) - y0];
        Some(PageLegend {
            symbol,
            text,
            kind,
            cap_mm: p.cap_mm,
            length_mm: above.frame.length_mm,
            mm,
            size,
            pixels: window(&above.strip, [x0, y0], size).and_then(centred)?,
        })
    }
}

/// Least correlation of a symbol's strip with another symbol's legend, where the page
/// prints legends, for that legend to be its own: over nineteen corpora (27,415 pairs of a
/// legend read by its shape and another symbol's strip, on the truth's quads), legends of
/// another kind reached 0.858 at most (two above 0.85, blurred 150 dpi pads), and nine in
/// ten of the same spelling passed 0.9 (2,434 of 2,769).
const LIKE_LEGEND: f32 = 0.9;
/// Paper kept round a legend cut out to be compared, cap heights: a shorter word laid
/// within a longer one leaves its margin on the longer one's letters.
const LEGEND_MARGIN: f64 = 0.6;
/// Height of a legend's line above its foot, cap heights ("°" and "." included).
const LEGEND_TOP: f64 = 1.4;
/// Pixels a legend is moved either way about where the page prints legends.
const LEGEND_SLIDE: i64 = 3;

/// The pixels of `strip` in the `w` × `h` window at (`x`, `y`), row by row; `None` when
/// it does not lie wholly in the strip.
fn window(strip: &Strip, [x, y]: [i64; 2], [w, h]: [i64; 2]) -> Option<Vec<f32>> {
    if x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > strip.w as i64 || y + h > strip.h as i64 {
        return None;
    }
    let (x, y, w, h) = (x as usize, y as usize, w as usize, h as usize);
    Some(
        (y..y + h)
            .flat_map(|r| {
                strip.ink[r * strip.w + x..r * strip.w + x + w]
                    .iter()
                    .copied()
            })
            .collect(),
    )
}

/// How a page prints its legends, from those recognised by their shape.
struct PagePrint {
    /// The faces the legends look most like (small degraded capitals do not tell faces
    /// apart well).
    faces: Vec<usize>,
    /// The cap heights the legends may have: one, but a few when measured from specks.
    caps_mm: Vec<f64>,
    foot_mm: f64,
    /// Where the first ink is, when the legends are left-aligned (or may be).
    left: Option<f64>,
    /// Where the middle is from the symbol's, when they are centred (or may be).
    centre: Option<f64>,
}

/// How a page prints its legends when none was recognised by its shape as scanned: the
/// strips above its symbols (`aboves`), laid over one another left-aligned on the
/// symbols' starts, or centred on their middles, and averaged. A legend a faded fax left
/// as specks keeps a few pixels of each letter, other ones on each symbol, and a pad
/// prints its legends alike: averaged, the specks make the line that none of the strips
/// makes alone (seed 317 0333: seven legends of about ten pixels each, 1.2 mm capitals
/// at 200 dpi). A legend read, but not by its shape as scanned, says no print of its own;
/// its strip adds its ink to the others' (seed 283 0289). Its size, foot and first ink
/// (or middle) are the page's print, in every face. The place is found in every
/// symbol's ink whatever its kind, so it favours no kind on any one symbol (a legend's
/// own pixels choosing its place is a selection its odds do not pay for:
/// [`legend::kind_as_printed`] weighs each kind at the same few places).
fn specks_print(aboves: &[&Above]) -> Option<PagePrint> {
    let first = aboves.first().filter(|_| aboves.len() >= 2)?;
    let per_mm = first.per_mm;
    let shortest = aboves
        .iter()
        .map(|a| a.frame.length_mm)
        .fold(f64::INFINITY, f64::min);
    let search = Search {
        span: [
            OVERLAY_MARGIN_MM * per_mm,
            (shortest + OVERLAY_MARGIN_MM) * per_mm,
        ],
        bars_below: true,
        cap: LEGEND_CAP_MM.map(|v| v * per_mm),
        reach: REACH_MM * per_mm,
    };
    let mut line = None;
    let mut at = [None, None];
    for (place, centred) in at.iter_mut().zip([false, true]) {
        let overlaid = overlaid(aboves, shortest, centred);
        let Some((found, _)) = find_line(&overlaid, &search)
            .or_else(|| on_smoothed(&overlaid, LEGEND_SMOOTHINGS, |s| find_line(s, &search)))
        else {
            continue;
        };
        let b = found.bbox;
        *place = Some(if centred {
            (b.x0 + b.x1) as f64 / 2.0 / per_mm - (shortest / 2.0 + OVERLAY_MARGIN_MM)
        } else {
            b.x0 as f64 / per_mm - OVERLAY_MARGIN_MM
        });
        line.get_or_insert(found);
    }
    let line = line?;
    Some(PagePrint {
        faces: (0..crate::synth::Typeface::READ.len()).collect(),
        caps_mm: (0..=SPECKS_TALLER)
            .map(|more| (line.cap_px + more as f64) / per_mm)
            .collect(),
        foot_mm: line.bbox.y1 as f64 / per_mm - STRIP_MM,
        left: at[0],
        centre: at[1],
    })
}

/// The strips `aboves` averaged over the `shortest` symbol's length and
/// [`OVERLAY_MARGIN_MM`] either side of it, from each symbol's start or, `centred`, about
/// its middle; their rows counted up from the bars.
fn overlaid(aboves: &[&Above], shortest: f64, centred: bool) -> Strip {
    let per_mm = aboves[0].per_mm;
    let w = ((shortest + 2.0 * OVERLAY_MARGIN_MM) * per_mm).round() as usize;
    let h = aboves.iter().map(|a| a.strip.h).min().unwrap_or(0);
    let share = 1.0 / aboves.len() as f32;
    let mut ink = vec![0.0f32; w * h];
    for a in aboves {
        let start = if centred {
            (a.frame.length_mm - shortest) / 2.0
        } else {
            0.0
        };
        let x0 = a.column(start - OVERLAY_MARGIN_MM);
        let below = a.strip.h - h;
        for (y, row) in ink.chunks_exact_mut(w).enumerate() {
            for (x, v) in row.iter_mut().enumerate() {
                let sx = x0 + x as i64;
                if (0..a.strip.w as i64).contains(&sx) {
                    *v += share * a.strip.at(sx as usize, y + below);
                }
            }
        }
    }
    Strip {
        w,
        h,
        ink,
        origin_mm: [0.0, 0.0],
        per_mm,
    }
}

/// Pixels taller than the line the overlaid strips make ([`specks_print`]) the page's
/// legends are weighed at besides: a line of specks is only as high as its highest
/// specks. Also weighed one and two pixels taller, the specks of seven legends more over 21
/// corpora (faxes of seeds 149, 257, 281, 283, 293) name the value's kind, and one
/// (113 0300) names none, another size naming another kind.
const SPECKS_TALLER: usize = 2;

/// How far, mm, before a symbol's start (and past its end) a legend is looked for in
/// [`overlaid`] strips; within every symbol's strip ([`extent`] reaches 4 mm before).
const OVERLAY_MARGIN_MM: f64 = 4.0;

/// Most distance, mm, from the page's usual size or place of a legend for a legend to
/// be printed so.
const PRINT_SPREAD_MM: f64 = 0.5;

/// The way the legends in `prints` are printed, when at least half of them agree on
/// each of their size, foot and alignment (the middle value, [`PRINT_SPREAD_MM`] either
/// way; a legend alone may be aligned either way): a line read short of a lost "N°"
/// starts late.
fn page_print(prints: &[LegendPrint]) -> Option<PagePrint> {
    let usual = |f: fn(&LegendPrint) -> f64| {
        let mut v: Vec<f64> = prints.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        let mid = *v.get(v.len() / 2)?;
        let near = v
            .iter()
            .filter(|&&x| (x - mid).abs() <= PRINT_SPREAD_MM)
            .count();
        (2 * near >= v.len()).then_some(mid)
    };
    let mut faces: Vec<usize> = prints.iter().map(|p| p.face).collect();
    faces.sort_unstable();
    faces.dedup();
    let (left, centre) = (usual(|p| p.left_mm), usual(|p| p.centre_mm));
    if left.is_none() && centre.is_none() {
        return None;
    }
    Some(PagePrint {
        faces,
        caps_mm: vec![usual(|p| p.cap_mm)?],
        foot_mm: usual(|p| p.foot_mm)?,
        left,
        centre,
    })
}

/// The identifier printed under a symbol whose bars do not decode, when its HRI reads
/// clearly, has the shape of an RPPS, FINESS or AM number, and a valid check key
/// (SPEC §5, `read_from: "hri"`). `quad` is the region where the symbol was seen; which
/// side is its top is not known, so both are tried and exactly one must read.
pub fn read_unreadable(
    image: &GrayImage,
    quad: [[f64; 2]; 4],
    dpi: f64,
) -> Option<(Symbol, TextRead)> {
    let blank = |q: [[f64; 2]; 4]| Symbol {
        value: String::new(),
        symbology: crate::decode::Symbology::Code128,
        quad: q,
        px_per_module: None,
        code_sets: None,
    };
    // Most regions seen are no symbol, and most of those are flat: a line of text or a
    // signature's stroke whose rows look a little like bars. (A region with no frame
    // reads nothing either way.)
    if Frame::new(&blank(quad), dpi)?.height_mm < UNREAD_LEAST_HEIGHT_MM {
        return None;
    }
    let turned = [quad[2], quad[3], quad[0], quad[1]];
    let reads: Vec<(Symbol, TextRead)> = [quad, turned]
        .into_iter()
        .filter_map(|q| {
            let blank = blank(q);
            // The digits alone first: most regions seen are no symbol, and their legend
            // is not worth reading.
            let number = |text: &TextRead| {
                let hri = text.hri.clone().filter(|_| text.hri_confident)?;
                let kind = crate::ids::kind_from_shape(&hri);
                let valid = kind != IdKind::Unknown
                    && crate::ids::check_key_valid(kind, &hri) == Some(true);
                valid.then_some(hri)
            };
            number(&read_text_with(image, &blank, dpi, None, false))?;
            let text = read_text(image, &blank, dpi, None);
            Some((
                Symbol {
                    value: number(&text)?,
                    ..blank
                },
                text,
            ))
        })
        .collect();
    match reads.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Least height of a region that did not decode for its digits to be read, mm: half the
/// least a symbol is printed (Annexe I: 4 mm). Over 34 corpora, 6,422 of 9,830 such
/// regions were flatter and none of them read as a number (the flattest that did, 3.3 mm);
/// they took four fifths of the time spent reading them.
const UNREAD_LEAST_HEIGHT_MM: f64 = 2.0;

/// Offsets (in strip samples) at which the strip below the bars is sampled, in turn, while
/// an HRI line is seen there and not read.
const HRI_SHIFTS: [f64; 5] = [0.0, 0.5, -0.5, 0.25, -0.25];

/// Offsets (in strip samples) at which the strip below the bars is sampled again when
/// its HRI reads confidently as another number than the value.
const MISMATCH_SHIFTS: [f64; 2] = [0.25, -0.25];

/// How far from the bars a text line is looked for, mm.
const STRIP_MM: f64 = 9.0;
/// Gap left next to the bars (the quad may be a little short), mm.
const BAR_GAP_MM: f64 = 0.2;
/// Farthest the near edge of a line may be from the bars, mm.
const REACH_MM: f64 = 5.0;
/// A digit read farther than this from every reference is not a digit.
const REJECT: f32 = 0.42;
/// A line is a row of digits when no more than one character in so many is farther than
/// [`REJECT`] from every digit (a stroke or a stamp's letter over it); those read as the
/// value's digit where that is their best reading, and never clearly.
const FAR_SHARE: usize = 4;
/// A digit is read clearly when nearer than this…
const CLEAR: f32 = 0.30;
/// …and this much nearer than any other digit.
const CLEAR_MARGIN: f32 = 0.04;
/// The value's digit is taken where it is this close to the best reading.
const CONFIRM: f32 = 0.06;
/// A digit differing from the value counts only when this much nearer than the value's.
const DIFFER: f32 = 0.12;

/// Reads the legend and the HRI around `symbol` on `image` (resolution `dpi`);
/// `value_hint` is the decoded value, used only to confirm close readings.
pub fn read_text(
    image: &GrayImage,
    symbol: &Symbol,
    dpi: f64,
    value_hint: Option<&str>,
) -> TextRead {
    read_text_with(image, symbol, dpi, value_hint, true)
}

/// [`read_text`], the legend read or not (`with_legend`).
fn read_text_with(
    image: &GrayImage,
    symbol: &Symbol,
    dpi: f64,
    value_hint: Option<&str>,
    with_legend: bool,
) -> TextRead {
    // What reading a symbol remembers is of its own strips: met again within it, hardly
    // ever in another (and a benchmark reading one symbol over and over reads it anew).
    glyphs::forget();
    legend::forget();
    let Some(frame) = Frame::new(symbol, dpi) else {
        return TextRead::default();
    };
    let (x_mm, span, per_mm) = extent(&frame, dpi);
    let mut out = TextRead::default();

    let search = |bars_below, cap_mm: [f64; 2]| Search {
        span,
        bars_below,
        cap: cap_mm.map(|v| v * per_mm),
        reach: REACH_MM * per_mm,
    };
    if with_legend {
        let above = frame.strip(image, x_mm, [-STRIP_MM, -BAR_GAP_MM], per_mm);
        let legend_search = search(true, LEGEND_CAP_MM);
        let expected = value_hint
            .map(crate::ids::kind_from_shape)
            .filter(|&k| k != IdKind::Unknown);
        let mut legend_seen = false;
        // The lines read that look enough like another kind than the value's to have
        // confirmed that kind: then no smoothing may confirm the value's (a misprint hidden)
        // — unless such a line is only the first letters of the line that confirms (a small
        // "N° RPPS" whose last letters broke off at one threshold leaves "N° RP", which looks
        // like "N° AM").
        let contrary = std::cell::RefCell::new(Vec::new());
        // Whether such a line was more than the first letters of a line of the value's kind.
        let like_other = std::cell::Cell::new(false);
        let vetoed = |line: &TextLine| contrary.borrow().iter().any(|c| !starts(c, line));
        let mut match_legend = |strip: &Strip| {
            let scanned = strip;
            // The line at every threshold of the strip, made when a line names another kind
            // than the value's.
            let lines = std::cell::OnceCell::new();
            let every_line = || {
                lines.get_or_init(|| {
                    thresholds(strip)
                        .into_iter()
                        .filter_map(|level| line_at(strip, &legend_search, level))
                        .collect::<Vec<_>>()
                })
            };
            thresholds(strip).into_iter().find_map(|level| {
                let line = line_at(strip, &legend_search, level)?;
                legend_seen = true;
                // A mark through the line may hide part of it (a fold's edge cut
                // "N° R.P.P.S." to "N° R.P", which looks like "N° A.M.", and "FINESS" to a
                // word a little like "RPPS"): such a line only confirms the value's kind,
                // and clearly. In the line's band alone the characters the mark ran into
                // stand apart again and the line runs on past it: read whole there, it is
                // matched as any line.
                let matched = |line: TextLine, strip: &Strip| {
                    let m = legend::line_match(strip, &line)?;
                    let other_kind = expected.is_some_and(|e| e != m.kind);
                    if other_kind && m.would_confirm() {
                        contrary.borrow_mut().push(line.clone());
                    }
                    // A line that is only the first letters of a line another threshold
                    // finds, one that looks most like the value's kind, names no other kind:
                    // a 1 mm "N°RPPS" on a blurred 150 dpi scan whose last letters fell short
                    // of a character's height at one threshold left "N°R", which matched
                    // "N° AM" clearly (seed 149 0181). A longer line that does not look like
                    // the value's kind (a misprinted "FINESS" run on into a fold's edge, seed
                    // 109 0230) leaves the part to speak. Only a line that would confirm the
                    // value's kind speaks for it so: specks beside a clear, misprinted "FINESS"
                    // made a wider line at another threshold that looked a little like
                    // "RPPS :" (seed 307 0404).
                    let part_of_the_values = || {
                        every_line().iter().any(|whole| {
                            starts(&line, whole)
                                && legend::line_match(scanned, whole)
                                    .is_some_and(|w| Some(w.kind) == expected && w.would_confirm())
                        })
                    };
                    if other_kind && part_of_the_values() {
                        return None;
                    }
                    like_other.set(like_other.get() || (other_kind && m.would_confirm()));
                    let confirms = expected == Some(m.kind) && m.is_clear();
                    (m.accepted(expected) && (!line.crossed || confirms)).then_some((line, m))
                };
                if !line.crossed {
                    return matched(line, strip);
                }
                let band = strip.band(line.bbox.y0..line.bbox.y1);
                // The greyless views take their levels from the strip's darkest ink, which may
                // be another line's (above 163 0210's faint 150 dpi "N° FINESS", the dark HRI
                // of the symbol above): made of a band a capital's height either side of the
                // line, they take them from the line's own ink and the mark's.
                let pad = line.cap_px.ceil() as usize;
                let rows = line.bbox.y0.saturating_sub(pad)..(line.bbox.y1 + pad).min(strip.h);
                // A line found again in the band, or in a view of it, is this line where it
                // lies along it: further along the band, a few digits' feet of another
                // symbol's HRI, crossed by a table's rule, matched "N° A.M." clearly over a
                // faint FINESS (seed 389 0198).
                let across = line.bbox.x0..line.bbox.x1;
                let same_line = |l: &TextLine| l.bbox.x0 < across.end && across.start < l.bbox.x1;
                matched(line, strip)
                    .or_else(|| {
                        let part = line_at(&band, &legend_search, level).filter(same_line)?;
                        matched(part, &band)
                    })
                    .or_else(|| {
                        let around = strip.band(rows);
                        let views = Greyless::of(&around);
                        views.views().find_map(|v| {
                            let (part, _) =
                                find_line(v, &legend_search).filter(|(l, _)| same_line(l))?;
                            matched(part, v)
                        })
                    })
            })
        };
        // The line nearest the bars at each threshold of `strip`, with every piece of ink in
        // its rows that follows on from it ([`legend_pieces`]); for the strip as scanned, made
        // once for the last two readings.
        let pieces_of = |strip: &Strip| -> Vec<(f32, Strip, TextLine)> {
            thresholds(strip)
                .into_iter()
                .filter_map(|level| {
                    let line = line_at(strip, &legend_search, level)?;
                    let (band, whole) = legend_pieces(strip, line, level);
                    Some((level, band, whole))
                })
                .collect()
        };
        let above_pieces = std::cell::OnceCell::new();
        let smoothed_pieces = std::cell::OnceCell::new();
        // Whether a reading that only confirms saw another kind than the value's.
        let named_other = std::cell::Cell::new(false);
        // Small capitals that a thresholded scan broke into specks are joined by smoothing;
        // what smoothing joins may also look like another word, so there the legend only
        // confirms the value's kind, and not against a reading of another kind unsmoothed.
        let as_scanned = match_legend(&above);
        // Only a legend matched as scanned tells how the page prints its legends: smoothing
        // thickens strokes, and a thin face's small capitals smoothed looked bold (seed 79
        // 0374: weighed as bold where the page's other legend was, a misprinted thin "FINESS"
        // came out likelier as a bold "RPPS :" and confirmed the RPPS under it).
        let printed_as_scanned = as_scanned.is_some();
        out.legend_like_other = like_other.get();
        let legend = as_scanned
            .or_else(|| {
                on_smoothed(&above, LEGEND_SMOOTHINGS, |smooth| {
                    match_legend(smooth).filter(|(l, m)| expected == Some(m.kind) && !vetoed(l))
                })
            })
            // A small legend that a scan broke into specks may make a line of some of its
            // letters only (the others fell short of a character's height): with every
            // piece of ink in its rows that follows on from it, as scanned or smoothed once,
            // it only confirms the value's kind, and not when any such line would confirm
            // another (smoothed more, a tiny misprinted "FINESS" came to look like "RPPS").
            .or_else(|| {
                let kind = expected?;
                let mut found = None;
                let mut consider = |pieces: &[(f32, Strip, TextLine)]| {
                    for (_, band, whole) in pieces {
                        let Some(m) = legend::best_match(band, &whole.bbox, whole.cap_px) else {
                            continue;
                        };
                        if !m.would_confirm() {
                            continue;
                        }
                        if m.kind != kind || vetoed(whole) {
                            named_other.set(true);
                            return None;
                        }
                        found.get_or_insert((whole.clone(), m));
                    }
                    Some(())
                };
                consider(above_pieces.get_or_init(|| pieces_of(&above)))?;
                consider(smoothed_pieces.get_or_init(|| pieces_of(&above.smoothed())))?;
                found
            })
            // Weighed pixel by pixel, the specks of a small legend on a faded fax may still name
            // the value's kind ([`legend::likeliest_kind`]); this only confirms, and not when
            // any threshold's specks name another kind. Specks too small to make a line at
            // any threshold as scanned (a 1 mm legend on a 150 dpi bilevel scan, seed 283
            // 0017) are weighed as scanned where the strip smoothed once makes one, at each
            // threshold of the strip as scanned.
            .or_else(|| {
                let kind = expected?;
                let mut found = None;
                let scanned = above_pieces.get_or_init(|| pieces_of(&above));
                let lines: Vec<(f32, &TextLine)> = if scanned.is_empty() {
                    let levels = thresholds(&above);
                    smoothed_pieces
                        .get_or_init(|| pieces_of(&above.smoothed()))
                        .iter()
                        .flat_map(|(_, _, whole)| levels.iter().map(move |&l| (l, whole)))
                        .collect()
                } else {
                    scanned.iter().map(|(l, _, whole)| (*l, whole)).collect()
                };
                for (level, whole) in lines {
                    match legend::likeliest_kind(&above, &whole.bbox, whole.cap_px, level) {
                        Some((k, text)) if k == kind => {
                            found.get_or_insert((whole.clone(), legend::Match::weighed(text, k)));
                        }
                        Some(_) => {
                            named_other.set(true);
                            return None;
                        }
                        None => {}
                    }
                }
                found
            })
            // A stamp's grey frame run along the letters' feet joins them into one blob with
            // it (seed 163 0272, a clean 300 dpi "No RPPS"): with the grey taken away (the
            // views an HRI is read on), the line stands alone again. This only confirms the
            // value's kind, and not when a view's line or an earlier reading's specks name
            // another (each stage runs when the one before gave nothing, a refusal too: a
            // misprint whose specks were refused must not be confirmed by a view).
            .or_else(|| {
                let kind = expected.filter(|_| !named_other.get())?;
                let greyless = Greyless::of(&above);
                let mut found = None;
                for view in greyless.views() {
                    match match_legend(view) {
                        Some((line, m)) if m.kind == kind && !vetoed(&line) => {
                            found.get_or_insert((line, m));
                        }
                        Some(_) => return None,
                        None => {}
                    }
                }
                found
            })
            // A small legend printed pale on a faded page stands out from the paper too
            // little for any threshold (seed 149 0080, 28 levels): its ink taken further
            // from the paper ([`Strip::deepened`]), as scanned or smoothed (which quiets the
            // paper's grain that deepening brings up too), it only confirms the value's kind.
            .or_else(|| {
                let kind = expected?;
                let deep = above.deepened()?;
                let mut confirms = |strip: &Strip| {
                    match_legend(strip).filter(|(l, m)| m.kind == kind && !vetoed(l))
                };
                confirms(&deep).or_else(|| on_smoothed(&deep, LEGEND_SMOOTHINGS, confirms))
            });
        out.legend_seen = legend_seen;
        if let Some((line, m)) = &legend
            && m.face != usize::MAX
            && printed_as_scanned
        {
            let mm = |x: usize, origin: f64| origin + x as f64 / above.per_mm;
            let b = &line.bbox;
            out.legend_print = Some(LegendPrint {
                face: m.face,
                cap_mm: line.cap_px / per_mm,
                left_mm: mm(b.x0, above.origin_mm[0]),
                centre_mm: (mm(b.x0, above.origin_mm[0]) + mm(b.x1, above.origin_mm[0])) / 2.0
                    - frame.length_mm / 2.0,
                foot_mm: mm(b.y1, above.origin_mm[1]),
            });
        }
        if let Some((line, m)) = legend {
            out.legend = Some(m.text.to_owned());
            out.legend_kind = Some(m.kind);
            out.legend_height_mm = Some(line.cap_px / per_mm);
            out.legend_quad = Some(frame.page_quad(&above, &line.bbox));
        }
    }

    let h = frame.height_mm;
    let hri_search = search(false, HRI_CAP_MM);
    // The first confident reading, else the first reading at all, with where it lies on
    // the page. Digits crossed by a pen or a stamp read or not as the strip's samples fall
    // on them: when a line is seen and no reading made, the strip is sampled again a
    // little lower and higher ([`HRI_SHIFTS`]).
    let mut first = None;
    let read_strip = |greyless: &Greyless, may_differ: Differ, first: &mut Option<_>| {
        let below = greyless.strip;
        let mut seen = false;
        for level in greyless.thresholds() {
            let Some(line) = line_at(below, &hri_search, level) else {
                continue;
            };
            seen = true;
            let (line, read) = read_line(greyless, line, level, &hri_search, value_hint);
            if let Some((digits, mut confident)) = read {
                confident &= value_hint.is_none_or(|v| may_differ.allows(&digits, v));
                if first.is_none() || confident {
                    let quad = frame.page_quad(below, &line.bbox);
                    *first = Some((line, digits, confident, quad));
                }
                if confident {
                    break;
                }
            }
        }
        seen
    };
    let strip_below = |shift: f64| {
        let y = h + shift / per_mm;
        frame.strip(image, x_mm, [y + BAR_GAP_MM, y + STRIP_MM], per_mm)
    };
    // The strip sampled a fraction of a sample lower and higher ([`MISMATCH_SHIFTS`]),
    // each with its views, made when first asked for (by the greyless readings below and
    // the test a differing reading is put to last).
    let shifted_strips: [std::cell::OnceCell<Strip>; 2] = Default::default();
    let shifted_views: [std::cell::OnceCell<Greyless<'_>>; 2] = Default::default();
    let shifted = |i: usize| {
        shifted_views[i].get_or_init(|| {
            Greyless::of(shifted_strips[i].get_or_init(|| strip_below(MISMATCH_SHIFTS[i])))
        })
    };
    // Sampled once: read first, and again with its grey taken away.
    let unshifted_strip = strip_below(0.0);
    let unshifted = Greyless::of(&unshifted_strip);
    for shift in HRI_SHIFTS {
        out.hri_seen |= if shift == 0.0 {
            read_strip(&unshifted, Differ::Anywhere, &mut first)
        } else {
            read_strip(
                &Greyless::of(&strip_below(shift)),
                Differ::Anywhere,
                &mut first,
            )
        };
        if first.is_some() || !out.hri_seen {
            break;
        }
    }
    // Grey ink taken away ([`GREYLESS`]); these readings confirm the value, or differ
    // from it only where the strip as sampled (grey ink and all) read the same digits.
    // Where it read no number at all (a grey stamp's capitals joined to the digits), or
    // none clearly (a signature's stroke run onto a misprinted 1's top made an unsure 7
    // of it, which the view without the stroke reads as the 1: seed 271 0157), a view's
    // clear reading of other digits than the value's stands when the same view of the
    // strip sampled a fraction of a sample lower and higher ([`MISMATCH_SHIFTS`]) reads
    // them so again (seed 149 0361): what taking the grey away leaves of a faded digit
    // hangs on where the samples fell, and a misprint does not. Read so at one of
    // them too, the line read clearly otherwise twice: no later view, nor the strip
    // smoothed, confirms the value (seed 181 0093: a misprinted 4 read so, and so again
    // sampled higher, but lower as the value's 1 — the next view confirmed the 1). Read
    // so once only, it may be a view's slip (seed 103 0280: a faxed 1 the first view
    // made a clear 4, which neither sampling read at all).
    let plain = first.as_ref().map(|f| f.1.clone());
    let mut view_differs = false;
    for k in 0..GREYLESS.len() {
        if view_differs || first.as_ref().is_some_and(|f| f.2) || !out.hri_seen {
            break;
        }
        let Some(strip) = unshifted.view(k) else {
            continue;
        };
        let differ = plain.as_deref().map_or(Differ::Nowhere, Differ::AsIn);
        let view = Greyless::of(strip);
        read_strip(&view, differ, &mut first);
        if first.as_ref().is_some_and(|f| f.2) {
            continue;
        }
        let read_clearly = |greyless: &Greyless| {
            let mut read = None;
            read_strip(greyless, Differ::Anywhere, &mut read);
            read.filter(|r| r.2)
        };
        let Some(here) = read_clearly(&view) else {
            continue;
        };
        let again = |i: usize| {
            let strip = shifted(i).view(k)?;
            read_clearly(&Greyless::of(strip)).map(|r| r.1)
        };
        let agreeing = (0..MISMATCH_SHIFTS.len())
            .filter(|&i| again(i).as_ref() == Some(&here.1))
            .count();
        view_differs = agreeing > 0;
        if agreeing == MISMATCH_SHIFTS.len() {
            first = Some(here);
        }
    }
    // Digits that a faded fax left as specks run together again when the strip is
    // smoothed, the more passes the more broken they are; what smoothing joins may also
    // look like another digit, so these readings confirm the value, or differ from it in
    // one place only, where the unsure reading before read the same digit (seed 149 0191,
    // re-read where its pixels' centres put it: a stamp's grey capitals over the first
    // digits of a blurred RPPS left them unsure, the misprinted 6 at its end read as a
    // 6; smoothed, the stamped digits read as the value's and the 6 again. A fold's line
    // through a blurred FINESS, seed 227 0225, made 7s of two 2s, as read and smoothed).
    // Not over a digit the strip as sampled clearly reads as another: smoothing runs a
    // pen's stroke into the digit it crosses, and a misprinted 2 so crossed came out a
    // clear 9, the value's (seed 67 0383). Nor when a view read other digits clearly
    // (above).
    let contrary = view_differs
        || value_hint
            .zip(first.as_ref())
            .is_some_and(|(value, f)| clearly_contrary(&unshifted_strip, &hri_search, &f.1, value));
    if !first.as_ref().is_some_and(|f| f.2) && !contrary {
        let earlier = first.as_ref().map(|f| f.1.clone());
        let differ = earlier.as_deref().map_or(Differ::Nowhere, Differ::OnceAsIn);
        on_smoothed(&unshifted_strip, HRI_SMOOTHINGS, |smooth| {
            out.hri_seen |= read_strip(&Greyless::of(smooth), differ, &mut first);
            first.as_ref().is_some_and(|f| f.2).then_some(())
        });
    }
    // Read from its pieces, a line only confirms the value in [`read_line`]; a reading
    // from pieces that differs from it (a misprint on a faded fax) stands when the line
    // reads the same from its pieces, clearly, at every threshold it is found at, two at
    // least. Found at one only, it stands when the strip smoothed, pass after pass, reads
    // it so again before it reads otherwise (a faded line that a pen crosses: the pen's
    // pieces make a row of digits at all thresholds but one; smoothing joins the faded
    // digits and leaves the pen apart).
    if let Some(value) = value_hint
        && !first.as_ref().is_some_and(|f| f.2)
        && let Some((line, digits, levels)) = pieces_agree(&unshifted_strip, &hri_search, value)
        && (levels >= PIECES_LEVELS || {
            let mut levels = levels;
            on_smoothed(&unshifted_strip, HRI_SMOOTHINGS, |smooth| {
                let (_, again, n) = pieces_agree(smooth, &hri_search, value)?;
                levels += n;
                (again != digits || levels >= PIECES_LEVELS).then_some(again == digits)
            }) == Some(true)
        })
    {
        let quad = frame.page_quad(&unshifted_strip, &line.bbox);
        first = Some((line, digits, true, quad));
    }
    // A confident reading that differs from the value must not hang on where the strip's
    // samples fell (a faded 4 that one sampling cuts to its stem reads as a clear 1):
    // when the strip sampled a fraction of a sample lower and higher reads as the value
    // both times, that reading is kept. (A misprinted faded 8 may lose a stroke to one of
    // them and read as the value's 5: one is not enough.)
    if let Some(value) = value_hint
        && first.as_ref().is_some_and(|f| f.2 && f.1 != value)
    {
        let mut agreeing = None;
        for i in 0..MISMATCH_SHIFTS.len() {
            let mut again = None;
            read_strip(shifted(i), Differ::Anywhere, &mut again);
            if !again.as_ref().is_some_and(|a| a.2 && a.1 == value) {
                agreeing = None;
                break;
            }
            agreeing = agreeing.or(again);
        }
        if agreeing.is_some() {
            first = agreeing;
        }
    }
    if let Some((line, digits, confident, quad)) = first {
        out.hri = Some(digits);
        out.hri_confident = confident;
        out.hri_height_mm = Some(line.cap_px / per_mm);
        out.hri_quad = Some(quad);
    }
    out
}

/// Whether `strip`, at some threshold, shows a line of as many characters as `value`
/// where a character at a place `plain` (a reading of it as long as the value) differs
/// from the value reads as `plain` has it, the value's digit far behind
/// ([`CONTRARY_LEAD`]) — however unclear the stroke over it makes it.
fn clearly_contrary(strip: &Strip, search: &Search, plain: &str, value: &str) -> bool {
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    // A Corsican FINESS ("2A…") or a peer suite's text has letters: no digit to weigh.
    if plain.len() != value.len() || plain == value || !digits(plain) || !digits(value) {
        return false;
    }
    let differing: Vec<(usize, u8, u8)> = plain
        .bytes()
        .zip(value.bytes())
        .enumerate()
        .filter(|(_, (p, v))| p != v)
        .map(|(i, (p, v))| (i, p - b'0', v - b'0'))
        .collect();
    thresholds(strip).into_iter().any(|level| {
        let Some(line) = line_at(strip, search, level) else {
            return false;
        };
        let chars = characters(strip, &line, level);
        let hand = line_hand(strip, &chars, line.cap_px);
        chars.len() == value.len()
            && differing.iter().any(|&(i, p, v)| {
                classify(strip, &chars[i], line.cap_px, hand).is_some_and(|g| {
                    g.digit == p && g.by_digit[usize::from(v)] - g.distance() >= CONTRARY_LEAD
                })
            })
    })
}

/// How far behind a character's likeliest digit the value's must be for the character to
/// stand against the value: twice the lead a clear digit needs to differ ([`DIFFER`]).
/// Seed 67 0383's misprinted 2 under a signature's stroke: 0.44 from a 2, 0.75 from the
/// value's 9.
const CONTRARY_LEAD: f32 = 2.0 * DIFFER;

/// Where a confident HRI reading may differ from the value.
#[derive(Clone, Copy)]
enum Differ<'a> {
    /// Anywhere: the strip as sampled.
    Anywhere,
    /// Nowhere: a view that may have made or unmade strokes (smoothed); it only confirms.
    Nowhere,
    /// Only where this earlier reading of the strip as sampled read the same digit: a
    /// view with grey ink taken away, which may have taken part of a faded digit with it,
    /// but sees the digit the plain strip saw and settles the ones a stamp left unsure.
    /// A reading as sampled one character longer or shorter (a stamp frame's post read as
    /// a character, two characters run together) holds a digit at the same place counted
    /// from the end it agrees with up to that digit.
    AsIn(&'a str),
    /// As [`Differ::AsIn`], in one place only: a smoothed view, which may have made
    /// strokes of a mark's (a fold's line made 7s of two 2s, seed 227 0225), but settles
    /// digits a stamp left unsure.
    OnceAsIn(&'a str),
}

impl Differ<'_> {
    /// Whether `digits` may be a confident reading of the HRI of `value`.
    fn allows(self, digits: &str, value: &str) -> bool {
        match self {
            _ if digits == value => true,
            Differ::Anywhere => true,
            Differ::Nowhere => false,
            // A Corsican FINESS's letter ("2A…") reads as no digit, or as a digit by chance.
            Differ::OnceAsIn(plain) => {
                value.bytes().all(|c| c.is_ascii_digit())
                    && differing_places(digits.as_bytes(), value.as_bytes()) == 1
                    && Differ::AsIn(plain).allows(digits, value)
            }
            Differ::AsIn(plain) => {
                let (d, p) = (digits.as_bytes(), plain.as_bytes());
                let aligned = |i: usize| {
                    if p.len() == d.len() {
                        return p[i] == d[i];
                    }
                    let head = p.get(..=i).is_some_and(|h| *h == d[..=i]);
                    let tail = (p.len() + i).checked_sub(d.len()).map(|t| &p[t..]);
                    p.len().abs_diff(d.len()) == 1 && (head || tail == Some(&d[i..]))
                };
                d.len() == value.len()
                    && (0..d.len()).all(|i| d[i] == value.as_bytes()[i] || aligned(i))
            }
        }
    }
}

/// Most smoothing passes a legend is matched after ([`Strip::smoothed`]): from two to six
/// read six more legends of faxes and faded scans over ten corpora, none of another kind
/// than the printed one; eight read no more.
const LEGEND_SMOOTHINGS: usize = 6;
/// Most smoothing passes an HRI is read after: from four to six read five more HRIs of
/// faxes over ten corpora (eight read no more); smoothed readings only confirm.
const HRI_SMOOTHINGS: usize = 6;
/// A strip with its grey ink (a stamp, a fold's shadow) taken away: by level, then by
/// distance from the darkest strokes, then by a level near the print's; then, black as
/// the print, its vertical rules taken away (a stamp frame's side through a digit), a
/// pen's long straight strokes, long lines along the text (a fold or a frame's edge along
/// the digits' tops), and last such lines with the characters standing on them run on
/// through them ([`Inked::unruled`], [`Inked::unstroked`], [`Inked::unlined`],
/// [`Inked::unlined_standing`]).
const GREYLESS: [fn(&Inked) -> Option<Strip>; 7] = [
    |s| Some(s.clipped()),
    |s| Some(s.cored(CORE_REACH)),
    |s| Some(s.clipped_at(DARK_CLIP)),
    |s| s.unruled(RULE_LONG_MM, RULE_WIDE_MM),
    |s| s.unstroked(STROKE_LONG_MM, RULE_WIDE_MM),
    |s| s.unlined(RULE_LONG_MM, RULE_WIDE_MM),
    |s| s.unlined_standing(RULE_LONG_MM, RULE_WIDE_MM),
];
/// Ink running straight longer than this (mm), well off the line of text and the
/// vertical, is a pen's stroke (a digit's longest slanting stroke is about its height).
const STROKE_LONG_MM: f64 = 3.5;
/// Ink running down one column longer than this (mm) is a rule, not a character's stroke
/// (an HRI's digits are at most [`HRI_CAP_MM`] high)…
const RULE_LONG_MM: f64 = 5.5;
/// …and a rule at most this wide (mm) lets a digit's stroke across it run on through it.
const RULE_WIDE_MM: f64 = 0.9;
/// A strip, its ink's levels and its [`GREYLESS`] views, each worked out when first asked
/// for (once for all the levels and lines a strip is read at).
struct Greyless<'a> {
    strip: &'a Strip,
    inked: std::cell::OnceCell<Option<Inked<'a>>>,
    views: [std::cell::OnceCell<Option<Strip>>; GREYLESS.len()],
    darkest: std::cell::OnceCell<Option<Strip>>,
}

impl<'a> Greyless<'a> {
    fn of(strip: &'a Strip) -> Self {
        Greyless {
            strip,
            inked: Default::default(),
            views: Default::default(),
            darkest: Default::default(),
        }
    }

    /// The strip with its levels ([`Strip::inked`]); `None` for a strip without ink.
    fn inked(&self) -> Option<&Inked<'a>> {
        self.inked.get_or_init(|| self.strip.inked()).as_ref()
    }

    /// The ink thresholds to try on the strip ([`thresholds`]).
    fn thresholds(&self) -> Vec<f32> {
        self.inked().map_or_else(Vec::new, Inked::thresholds)
    }

    /// View `k`, made when first asked for; `None` for a strip without ink.
    fn view(&self, k: usize) -> Option<&Strip> {
        self.views[k]
            .get_or_init(|| GREYLESS[k](self.inked()?))
            .as_ref()
    }

    /// The views, made as they are asked for.
    fn views(&self) -> impl Iterator<Item = &Strip> {
        (0..GREYLESS.len()).filter_map(|k| self.view(k))
    }

    /// The strip with all but its darkest ink taken away ([`DARKEST_CLIP`]), made when
    /// first asked for; `None` for a strip without ink. Only a character is read on it.
    fn darkest(&self) -> Option<&Strip> {
        self.darkest
            .get_or_init(|| Some(self.inked()?.clipped_at(DARKEST_CLIP)))
            .as_ref()
    }
}

/// Share of the way from paper to the strip's darkest ink below which the last greyless
/// view of an HRI takes ink away ([`Inked::clipped_at`]): a stamp inked two thirds as dark
/// as the print, whose letters the first views leave joined to the digits.
const DARK_CLIP: f32 = 0.65;
/// Share of the way from paper to the strip's darkest ink below which the view a single
/// character is last read on takes ink away ([`Greyless::darkest`]): a blurred grey
/// stamp's stem down a blurred black digit is as dark as the digit's edges, and
/// [`DARK_CLIP`] keeps it (office seed 29 0337: the H of a grey "CACHET" closed a 3 into a
/// clear 8 in every view).
const DARKEST_CLIP: f32 = 0.8;
/// Pixels around its darkest strokes within which a strip's faint ink is kept when a grey
/// stamp is taken off an HRI ([`Inked::cored`]).
const CORE_REACH: usize = 2;

/// The first thing `read` finds on `strip` smoothed once, twice, … up to `passes` times;
/// each smoothing is made only when the one before showed nothing.
fn on_smoothed<T>(
    strip: &Strip,
    passes: usize,
    mut read: impl FnMut(&Strip) -> Option<T>,
) -> Option<T> {
    if passes == 0 {
        return None;
    }
    let mut smooth = strip.smoothed();
    for pass in 1..=passes {
        if let Some(found) = read(&smooth) {
            return Some(found);
        }
        if pass < passes {
            smooth = smooth.smoothed();
        }
    }
    None
}

/// Whether the line `part` is the first letters of the line `whole` (same rows, same left
/// edge, `whole` running on for a capital's height at least), `part` three capitals wide
/// at least (a fragment of one or two letters names no word: a tiny misprinted "N°
/// FINESS" made a 2-capital "AM" of a piece that smoothing ran on into an "RPPS").
fn starts(part: &TextLine, whole: &TextLine) -> bool {
    let (p, w) = (&part.bbox, &whole.bbox);
    let slack = (whole.cap_px / 2.0).ceil() as usize;
    let rows = p.y1.min(w.y1).saturating_sub(p.y0.max(w.y0));
    p.w() as f64 >= 3.0 * part.cap_px
        && p.x0 + slack >= w.x0
        && p.x0 <= w.x0 + slack
        && p.x1 <= w.x1 + slack
        && w.w() as f64 >= p.w() as f64 + whole.cap_px
        && 2 * rows >= p.h()
}

/// Fewest digits of an HRI (a FINESS or an AM number).
const HRI_MIN_DIGITS: usize = 9;
/// Most digits of an HRI (an RPPS number with the `8` prefix).
const HRI_MAX_DIGITS: usize = 12;
/// Rows kept above and below a line's band, in cap heights, when it is read again.
const BAND_PAD: f64 = 0.15;

/// The digits of `line` ([`read_digits`]); when they are fewer than an HRI has, the line
/// is read again with the ink off its rows taken away: a pen stroke or a stamp that ran
/// into some digits from above or below made them part of a blob too tall to be a
/// character, and cut at the band they stand alone again. The longer reading is kept,
/// with the line it was read on. When that reading does not confirm the value `hint`,
/// the line is read once more from every piece of ink in its band ([`pieces`]), and
/// then cut into the value's digits ([`cut_to_value`]). Read from its pieces, a line is
/// taken only when it confirms the value (pieces may join into another digit as well as
/// into the printed one; see [`pieces_agree`] for when they may differ); cut into the
/// value's digits, also when one of them clearly differs from the value's.
fn read_line(
    greyless: &Greyless,
    line: TextLine,
    level: f32,
    search: &Search,
    hint: Option<&str>,
) -> (TextLine, Option<(String, bool)>) {
    let strip = greyless.strip;
    let read = read_digits(greyless, &line, level, hint);
    let digits = |r: &Option<(String, bool)>| r.as_ref().map_or(0, |(d, _)| d.len());
    let confirms = |r: &Option<(String, bool)>| {
        r.as_ref()
            .is_some_and(|(d, clear)| *clear && hint.is_some_and(|h| h == d))
    };
    let short = digits(&read) < HRI_MIN_DIGITS;
    if confirms(&read) || (hint.is_none() && !short) {
        return (line, read);
    }
    let Some(rows) = band_rows(&line, strip.h) else {
        return (line, read);
    };
    let band = strip.band(rows.clone());
    let (line, read) = match short.then(|| line_at(&band, search, level)).flatten() {
        Some(again) => {
            let reread = read_digits(&Greyless::of(&band), &again, level, hint);
            if digits(&reread) > digits(&read) {
                (again, reread)
            } else {
                (line, read)
            }
        }
        None => (line, read),
    };
    if hint.is_none() || confirms(&read) {
        return (line, read);
    }
    let Some((whole, joined)) = read_pieces(&band, &line, level, hint) else {
        return (line, read);
    };
    // A character the band cut (a line sloping across the rows, its last digit's top cut
    // off: a misprinted 9 then read as the value's 6) confirms nothing from its pieces.
    if cut_by_band(strip, &rows, &whole, level) {
        return (line, read);
    }
    if confirms(&joined) {
        return (whole, joined);
    }
    // Last, cut into the value's digits from its runs of ink columns.
    if let Some(value) = hint
        && let Some(cut) = cut_to_value(&band, &whole, level, value)
    {
        return (whole, Some((cut, true)));
    }
    (line, read)
}

/// Whether a character of `line`, read on the band `rows` of `strip`, was cut by the band:
/// its ink runs on in the strip past the band's first or last row and stops within
/// [`CUT_OVER`] cap heights (a digit of a sloping line, or a mark's end; a mark running
/// through, which the band is there to cut off, runs on farther).
fn cut_by_band(strip: &Strip, rows: &std::ops::Range<usize>, line: &TextLine, level: f32) -> bool {
    let over = (CUT_OVER * line.cap_px).ceil() as usize;
    line.tall.iter().any(|b| {
        let inked = |y: usize| (b.x0..b.x1).any(|x| strip.at(x, y) > level);
        let above = (0..rows.start).rev().take_while(|&y| inked(y)).count();
        let below = (rows.end..strip.h).take_while(|&y| inked(y)).count();
        let cut = |run: usize, edge: bool| edge && run > 0 && run <= over;
        cut(above, b.y0 == rows.start) || cut(below, b.y1 == rows.end)
    })
}

/// Farthest, in cap heights, a character's own ink may run on past its line's band.
const CUT_OVER: f64 = 0.5;

/// A run of ink columns at the edge of a character cut from runs whose ink spans less than
/// this share of the cap height is a speck beside it, not a stroke of it.
const SPECK_RUN: f64 = 0.3;

/// A cell of runs whose ink spans less of the cap height than this is read over the
/// line's height (the share below which a character is too short to classify).
const PARTIAL_HIGH: f64 = 0.7;
/// A run of ink columns at least this wide, in cap heights, is cut in two.
const SPLIT_WIDE: f64 = 0.9;
/// Most runs of ink columns one character may be cut from.
const CUT_RUNS: usize = 4;
/// Widest a character cut from runs may be, in cap heights.
const CUT_WIDE: f64 = 1.1;

/// The line `line` of `band` cut into the value's digits (`None` for a value that is not
/// all digits): its columns of ink fall in runs (a serif 0 whose thin top and bottom a
/// threshold took away is two; two digits whose columns touch are one, cut in two at its
/// faintest column when it is as wide as two, [`SPLIT_WIDE`]; a cell whose ink is too
/// short to read alone is read over the line's height, [`PARTIAL_HIGH`]), and of every
/// way of cutting the runs into as many characters as the value has digits, each a few
/// runs at most and no wider than a digit, the one whose characters read nearest the
/// value's digits is read. The value
/// when each character reads as the value's digit ([`Against::Agrees`]); when all do
/// but one, which even so cut reads clearly as another digit than 1, the value's far
/// behind ([`CONTRARY_LEAD`]), and every character is as wide as the line's digits,
/// the line with that digit: a misprint (seed 73 0053, a small serif HRI on a bilevel
/// page whose 0s broke in two; seed 53 0046 and 59 0384, a pen's stroke or ink spread
/// joining digits). `None` otherwise.
fn cut_to_value(band: &Strip, line: &TextLine, level: f32, value: &str) -> Option<String> {
    // A Corsican FINESS (2A…, 2B…) is printed with a letter: not a row of digits.
    if !value.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let dejavu = cut_to_value_in(band, line, level, value, Hand::DEJAVU);
    if dejavu.as_deref() == Some(value) {
        return dejavu;
    }
    match line_hand(band, &line.tall, line.cap_px) {
        Hand::DEJAVU => dejavu,
        hand => cut_to_value_in(band, line, level, value, hand).or(dejavu),
    }
}

/// [`cut_to_value`] with the cut's characters read in `hand`.
fn cut_to_value_in(
    band: &Strip,
    line: &TextLine,
    level: f32,
    value: &str,
    hand: Hand,
) -> Option<String> {
    let want: Vec<u8> = value.bytes().map(|c| c - b'0').collect();
    let b = line.bbox;
    let inked = |x: usize| (b.y0..b.y1).any(|y| band.at(x, y) > level);
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for x in b.x0..b.x1 {
        if inked(x) {
            match runs.last_mut() {
                Some(r) if r.1 == x => r.1 = x + 1,
                _ => runs.push((x, x + 1)),
            }
        }
    }
    // A run as wide as two digits is two characters whose columns touch (a serif face's
    // digits on a fax, thick strokes close together): it is cut at its faintest column
    // between a third and two thirds of the way along.
    let column = |x: usize| (b.y0..b.y1).map(|y| band.at(x, y)).sum::<f32>();
    let mut k = 0;
    while k < runs.len() {
        let (x0, x1) = runs[k];
        if ((x1 - x0) as f64) < SPLIT_WIDE * line.cap_px {
            k += 1;
            continue;
        }
        let w = x1 - x0;
        let cut = (x0 + w / 3..x1 - w / 3)
            .min_by(|&a, &c| column(a).total_cmp(&column(c)))
            .unwrap_or(x0 + w / 2);
        runs[k] = (x0, cut);
        runs.insert(k + 1, (cut, x1));
    }
    let (m, n) = (runs.len(), want.len());
    if m < n || n == 0 {
        return None;
    }
    // The reading of runs j..=k as one character, when it may be one.
    let mut cells: Vec<Vec<Option<Guess>>> = vec![vec![None; CUT_RUNS]; m];
    // Whether the cell's ink was too short to read alone and was read over the line's
    // height.
    let mut partial = vec![[false; CUT_RUNS]; m];
    for j in 0..m {
        for span in 0..CUT_RUNS.min(m - j) {
            let (x0, x1) = (runs[j].0, runs[j + span].1);
            if (x1 - x0) as f64 > CUT_WIDE * line.cap_px {
                break;
            }
            let Some(rows) = band.ink_rows(x0..x1, b.y0..b.y1, level) else {
                continue;
            };
            // A digit a fax left only part of (a serif 7's bar, the hairlines gone) is read
            // over the line's height; a cut with such a cell only confirms the value
            // (seed 7 0461: a faded fax FINESS such cells let be cut, another of whose
            // digits then read clearly as a 3 for the value's 4).
            partial[j][span] = (rows.len() as f64) < PARTIAL_HIGH * line.cap_px;
            let rows = if partial[j][span] { b.y0..b.y1 } else { rows };
            let cell = Blob {
                x0,
                x1,
                y0: rows.start,
                y1: rows.end,
                area: 0,
            };
            cells[j][span] = classify(band, &cell, line.cap_px, hand);
        }
    }
    // best[i][k]: least summed distance of the first i digits cut from runs 0..k, and
    // where the last character began.
    let mut best = vec![vec![(f32::INFINITY, 0usize); m + 1]; n + 1];
    best[0][0].0 = 0.0;
    for i in 1..=n {
        for k in 1..=m {
            for j in k.saturating_sub(CUT_RUNS)..k {
                let Some(g) = &cells[j][k - 1 - j] else {
                    continue;
                };
                let total = best[i - 1][j].0 + g.by_digit[usize::from(want[i - 1])];
                if total < best[i][k].0 {
                    best[i][k] = (total, j);
                }
            }
        }
    }
    if !best[n][m].0.is_finite() {
        return None;
    }
    // The cut's characters, first to last: their width, their reading, and, when a run
    // at either edge is a speck (its ink spans less than [`SPECK_RUN`] of the cap height),
    // the reading of the runs between.
    let speck = |r: (usize, usize)| {
        band.ink_rows(r.0..r.1, b.y0..b.y1, level)
            .is_none_or(|rows| (rows.len() as f64) < SPECK_RUN * line.cap_px)
    };
    let mut cut: Vec<(usize, &Guess, Option<&Guess>, bool)> = Vec::with_capacity(n);
    let mut k = m;
    for i in (1..=n).rev() {
        let j = best[i][k].1;
        let first = j + usize::from(speck(runs[j]));
        let last = k - 1 - usize::from(speck(runs[k - 1]));
        let unspecked = (k - 1 > j && first <= last && (first, last) != (j, k - 1))
            .then(|| cells[first][last - first].as_ref())
            .flatten();
        cut.push((
            runs[k - 1].1 - runs[j].0,
            cells[j][k - 1 - j].as_ref()?,
            unspecked,
            partial[j][k - 1 - j],
        ));
        k = j;
    }
    cut.reverse();
    let mut read = want.clone();
    let mut differ = 0;
    let any_partial = cut.iter().any(|&(.., partial)| partial);
    for (i, &(_, g, unspecked, _)) in cut.iter().enumerate() {
        let v = want[i];
        match against(g, v) {
            Against::Agrees => {}
            // A character that differs only with a speck beside it agrees: a fax's speck
            // by a 1's foot makes as clear a 4 as a faded 4's stem and the end of its bar
            // do (seed 263 0070).
            Against::Differs if unspecked.is_some_and(|t| against(t, v) == Against::Agrees) => {}
            Against::Differs
                if !any_partial
                    && g.digit != 1
                    && g.by_digit[usize::from(v)] - g.distance() >= CONTRARY_LEAD =>
            {
                read[i] = g.digit;
                differ += 1;
            }
            _ => return None,
        }
    }
    // A digit that differs stands only in a cut whose characters are each as wide as a
    // digit of the line: one narrower or wider is part of a character or two (a broken
    // 0's side read as a 5). Nor is a 1 read against the value: a stem is what is left of
    // many a digit whose thinner strokes broke off (a faded, eroded serif 4 under a pen's
    // stroke, seed 67 0437, cut three quarters as wide as the line's digits).
    let widths: Vec<(usize, u8)> = cut.iter().zip(&want).map(|(&(w, ..), &v)| (w, v)).collect();
    let usual = usual_width(&widths);
    let odd = widths.iter().any(|&(w, v)| odd_width(w, v, usual));
    match differ {
        0 => Some(value.to_owned()),
        1 if !odd => Some(read.iter().map(|&d| char::from(b'0' + d)).collect()),
        _ => None,
    }
}

/// Fewest thresholds at which a line read from its pieces must read the same for a
/// reading that differs from the value to stand.
const PIECES_LEVELS: usize = 2;

/// The line nearest the bars in `strip` read from its pieces ([`pieces`]) at every
/// threshold it is found at, with the value `hint`, when every clear reading made is the
/// same and no unclear one reads the value's digit where it differs from the value, and
/// how many thresholds read it clearly (a threshold at which the pieces make no row of
/// digits says nothing). An unclear reading may be unsure elsewhere: a signature's
/// stroke through a digit the value agrees with made a 2 there a 7 at one threshold
/// (seed 7 0308), where the misprinted last digit read the same at every threshold. Where
/// it differs, it may read another digit still: the darkest threshold broke a thin serif
/// misprinted 1 on a faded fax to its stem, 4 pixels wide, which read as a 4 (seed 293
/// 0411; two thresholds read the 1 clearly).
fn pieces_agree(strip: &Strip, search: &Search, hint: &str) -> Option<(TextLine, String, usize)> {
    let mut agreed: Option<(TextLine, String)> = None;
    let mut unclear: Vec<String> = Vec::new();
    let mut levels = 0;
    for level in thresholds(strip) {
        let Some(line) = line_at(strip, search, level) else {
            continue;
        };
        let Some(rows) = band_rows(&line, strip.h) else {
            continue;
        };
        let Some((whole, Some((digits, clear)))) =
            read_pieces(&strip.band(rows), &line, level, Some(hint))
        else {
            continue;
        };
        if !clear {
            unclear.push(digits);
            continue;
        }
        if agreed.as_ref().is_some_and(|(_, a)| *a != digits) {
            return None;
        }
        levels += 1;
        agreed.get_or_insert((whole, digits));
    }
    let (line, digits) = agreed?;
    let differs_where_it_differs = |other: &str| {
        other == digits
            || (other.len() == digits.len()
                && hint.len() == digits.len()
                && digits
                    .bytes()
                    .zip(other.bytes())
                    .zip(hint.bytes())
                    .all(|((d, o), v)| d == v || o != v))
    };
    unclear
        .iter()
        .all(|u| differs_where_it_differs(u))
        .then_some((line, digits, levels))
}

/// The line `line` of `band` taken from its pieces ([`pieces`]) and its digits read
/// ([`read_digits`]); `None` when the pieces make no line.
fn read_pieces(
    band: &Strip,
    line: &TextLine,
    level: f32,
    hint: Option<&str>,
) -> Option<(TextLine, Option<(String, bool)>)> {
    let whole = pieces(band, line, level)?;
    let read = read_digits(&Greyless::of(band), &whole, level, hint);
    Some((whole, read))
}

/// Least share of the cap height a column of pieces must span to be a character.
const PIECES_HIGH: f64 = 0.7;
/// Widest gap between two characters of a line read from its pieces, in cap heights.
const PIECES_GAP: f64 = 1.5;

/// The line `line` of `band` (its rows alone) with every piece of ink there taken in: a
/// faded fax breaks digits into pieces less high than a character, which the line leaves
/// out (a 0 may keep only its sides, a 5 its top and its bowl); pieces that overlap
/// along the line are one character, and the characters run on from the line's first
/// while the gaps between them stay narrower than [`PIECES_GAP`].
fn pieces(band: &Strip, line: &TextLine, level: f32) -> Option<TextLine> {
    let cap = line.cap_px;
    let mut all: Vec<Blob> = blobs(band, level)
        .into_iter()
        .filter(|b| b.area >= 2)
        .collect();
    all.sort_by_key(|b| b.x0);
    let mut groups: Vec<Blob> = Vec::new();
    for b in all {
        match groups.last_mut() {
            Some(g) if b.x0 < g.x1 => *g = g.union(&b),
            _ => groups.push(b),
        }
    }
    let tall: Vec<Blob> = groups
        .into_iter()
        .filter(|g| g.h() as f64 >= PIECES_HIGH * cap)
        .collect();
    // Chained from the line's own characters while the gaps stay word-sized.
    let start = line.tall.first()?.x0;
    let first = tall.iter().position(|g| g.x1 > start)?;
    let (mut lo, mut hi) = (first, first);
    while hi + 1 < tall.len() && (tall[hi + 1].x0 as f64) <= tall[hi].x1 as f64 + PIECES_GAP * cap {
        hi += 1;
    }
    while lo > 0 && tall[lo - 1].x1 as f64 + PIECES_GAP * cap >= tall[lo].x0 as f64 {
        lo -= 1;
    }
    let tall = tall[lo..=hi].to_vec();
    let bbox = tall.iter().skip(1).fold(tall[0], |a, b| a.union(b));
    Some(TextLine {
        bbox,
        tall,
        cap_px: cap,
        crossed: false,
    })
}

/// Rows kept above and below a legend's line, in cap heights, when its pieces are taken in.
const LEGEND_PAD: f64 = 0.3;
/// Widest gap between the pieces of one legend, in cap heights (a word space is less).
const LEGEND_GAP: f64 = 1.0;

/// The legend line `line` of `strip` with every piece of ink in its rows that follows on
/// from it, gap by gap, while the gaps stay narrower than [`LEGEND_GAP`]: the line's rows
/// of the strip ([`Strip::band`]) and the line with its box grown to them.
fn legend_pieces(strip: &Strip, mut line: TextLine, level: f32) -> (Strip, TextLine) {
    let pad = (LEGEND_PAD * line.cap_px).ceil() as usize;
    let band = strip.band(line.bbox.y0.saturating_sub(pad)..(line.bbox.y1 + pad).min(strip.h));
    let gap = LEGEND_GAP * line.cap_px;
    let pieces: Vec<Blob> = blobs(&band, level)
        .into_iter()
        .filter(|b| b.area >= 2)
        .collect();
    let near = |a: &Blob, b: &Blob| {
        let apart = a.x0.saturating_sub(b.x1).max(b.x0.saturating_sub(a.x1));
        apart as f64 <= gap
    };
    loop {
        let before = (line.bbox.x0, line.bbox.x1, line.bbox.y0, line.bbox.y1);
        for p in &pieces {
            if near(p, &line.bbox) {
                line.bbox = line.bbox.union(p);
            }
        }
        if (line.bbox.x0, line.bbox.x1, line.bbox.y0, line.bbox.y1) == before {
            return (band, line);
        }
    }
}

/// The rows of most of the line's blobs (strokes make a few taller ones, which may also
/// have set the line's cap height), [`BAND_PAD`] wider each way, within `h` rows.
fn band_rows(line: &TextLine, h: usize) -> Option<std::ops::Range<usize>> {
    let height = |b: &Blob| b.h() as f64;
    let like = |h: f64, b: &Blob| (0.8 * h..=1.25 * h).contains(&height(b));
    let common = line
        .tall
        .iter()
        .map(height)
        .max_by_key(|&h| line.tall.iter().filter(|b| like(h, b)).count())?;
    let typical: Vec<&Blob> = line.tall.iter().filter(|b| like(common, b)).collect();
    // Each blob ends below where it starts, so the middle end does too.
    let y0 = median(typical.iter().map(|b| b.y0))?;
    let y1 = median(typical.iter().map(|b| b.y1))?;
    let pad = (BAND_PAD * (y1 - y0) as f64).ceil() as usize;
    Some(y0.saturating_sub(pad)..(y1 + pad).min(h))
}

/// The strips sampled above and below a symbol (in its frame, as [`read_text`] sees
/// them) and the legend and HRI lines found in them, cropped with a margin, as grey
/// images: for looking at misses and for feeding another OCR engine the same crops.
#[derive(Clone, Debug)]
pub struct TextCrops {
    pub above: GrayImage,
    pub below: GrayImage,
    pub legend: Option<GrayImage>,
    pub hri: Option<GrayImage>,
}

/// The crops [`read_text`] works on around `symbol`; `None` when its quad is degenerate.
pub fn crops(image: &GrayImage, symbol: &Symbol, dpi: f64) -> Option<TextCrops> {
    let frame = Frame::new(symbol, dpi)?;
    let (x_mm, span, per_mm) = extent(&frame, dpi);
    let h = frame.height_mm;
    let above = frame.strip(image, x_mm, [-STRIP_MM, -BAR_GAP_MM], per_mm);
    let below = frame.strip(image, x_mm, [h + BAR_GAP_MM, h + STRIP_MM], per_mm);
    let search = |bars_below, cap_mm: [f64; 2]| Search {
        span,
        bars_below,
        cap: cap_mm.map(|v| v * per_mm),
        reach: REACH_MM * per_mm,
    };
    let line = |strip: &Strip, s: &Search| {
        let (l, _) = find_line(strip, s)?;
        Some(strip.crop_image(&l.bbox, (0.4 * l.cap_px) as usize))
    };
    Some(TextCrops {
        legend: line(&above, &search(true, LEGEND_CAP_MM)),
        hri: line(&below, &search(false, HRI_CAP_MM)),
        above: above.to_image(),
        below: below.to_image(),
    })
}

/// Cap heights accepted for the legend and the HRI, mm.
const LEGEND_CAP_MM: [f64; 2] = [0.7, 4.5];
const HRI_CAP_MM: [f64; 2] = [1.2, 5.0];

/// The strips' extent along the axis (mm), the symbol's span in strip pixels, and the
/// strips' resolution (samples per mm).
fn extent(frame: &Frame, dpi: f64) -> ([f64; 2], [f64; 2], f64) {
    let per_mm = (dpi / 25.4).clamp(6.0, 10.0);
    let length = frame.length_mm;
    let x_mm = [-(0.25 * length + 4.0), length + (0.25 * length).max(24.0)];
    let span = [-x_mm[0] * per_mm, (length - x_mm[0]) * per_mm];
    (x_mm, span, per_mm)
}

/// The line nearest the bars at the first threshold that finds one, and that threshold.
fn find_line(strip: &Strip, search: &Search) -> Option<(TextLine, f32)> {
    thresholds(strip)
        .into_iter()
        .find_map(|level| line_at(strip, search, level).map(|l| (l, level)))
}

/// The line nearest the bars with ink above `level`.
fn line_at(strip: &Strip, search: &Search, level: f32) -> Option<TextLine> {
    nearest_line(strip, &blobs(strip, level), level, search)
}

/// A blob less wide than this share of the line's usual character is a sliver of one.
const SLIVER: f64 = 0.6;

/// The line's characters, left to right: blobs stacked in one column merged, runs of
/// touching characters split.
fn characters(strip: &Strip, line: &TextLine, level: f32) -> Vec<Blob> {
    let mut merged: Vec<Blob> = Vec::new();
    for b in &line.tall {
        match merged.last_mut() {
            Some(m)
                if m.x1.min(b.x1) as f64 - b.x0.max(m.x0) as f64
                    > 0.5 * m.w().min(b.w()) as f64 =>
            {
                *m = m.union(b)
            }
            _ => merged.push(*b),
        }
    }
    let cap = line.cap_px;
    // A character broken into side-by-side slivers (a 0 whose thin top and bottom fell
    // under the threshold): two neighbours each much narrower than a character that make
    // one character together are one.
    let mut full: Vec<usize> = merged
        .iter()
        .map(Blob::w)
        .filter(|&w| (0.4 * cap..=1.05 * cap).contains(&(w as f64)))
        .collect();
    full.sort_unstable();
    if let Some(&full) = full.get(full.len() / 2) {
        let sliver = |b: &Blob| (b.w() as f64) < SLIVER * full as f64;
        let mut joined: Vec<Blob> = Vec::with_capacity(merged.len());
        for b in merged {
            match joined.last_mut() {
                Some(m)
                    if sliver(m) && sliver(&b) && m.union(&b).w() as f64 <= 1.15 * full as f64 =>
                {
                    *m = m.union(&b)
                }
                _ => joined.push(b),
            }
        }
        merged = joined;
    }
    let mut singles: Vec<usize> = merged
        .iter()
        .filter(|b| (b.w() as f64) <= 1.05 * cap)
        .map(Blob::w)
        .collect();
    singles.sort_unstable();
    let single = singles
        .get(singles.len() / 2)
        .map_or(0.7 * cap, |&w| w as f64);
    let pitch = single + 0.22 * cap;
    merged
        .iter()
        .flat_map(|b| {
            let w = b.w() as f64;
            if w > (1.05 * cap).max(1.5 * single) {
                let parts = (((w - single) / pitch).round() as usize + 1).max(2);
                split(strip, b, parts, level)
            } else {
                vec![*b]
            }
        })
        .collect()
}

/// The digits of an HRI line and whether they were read clearly; `None` when the line is
/// not a row of digits. The line is read in the DejaVu faces first. When its characters
/// look more like an office face's ([`hand_of`]) and that reading does not confirm the
/// value `hint`, it is read again in that face, and that reading is kept when it is
/// clear or when the DejaVu faces read no row of digits. Without a value, the line is
/// read in its hand alone.
fn read_digits(
    greyless: &Greyless,
    line: &TextLine,
    level: f32,
    hint: Option<&str>,
) -> Option<(String, bool)> {
    let strip = greyless.strip;
    let chars = characters(strip, line, level);
    let guesses: Vec<Guess> = chars
        .iter()
        .map(|b| classify(strip, b, line.cap_px, Hand::DEJAVU))
        .collect::<Option<_>>()?;
    let hand = hand_of(&guesses);
    let read_in = |hand: Hand| {
        let guesses = guesses.iter().map(|g| g.in_hand(hand)).collect();
        read_digits_in(greyless, line, level, hint, chars.clone(), guesses, hand)
    };
    if hand == Hand::DEJAVU || hint.is_none() {
        return read_in(hand);
    }
    let dejavu = read_in(Hand::DEJAVU);
    if dejavu
        .as_ref()
        .is_some_and(|(d, clear)| *clear && hint == Some(d.as_str()))
    {
        return dejavu;
    }
    match read_in(hand) {
        Some(office) if office.1 || dejavu.is_none() => Some(office),
        _ => dejavu,
    }
}

/// [`read_digits`] of the line's characters `chars`, read as `guesses` in `hand`.
fn read_digits_in(
    greyless: &Greyless,
    line: &TextLine,
    level: f32,
    hint: Option<&str>,
    mut chars: Vec<Blob>,
    mut guesses: Vec<Guess>,
    hand: Hand,
) -> Option<(String, bool)> {
    let strip = greyless.strip;
    let value: Option<&str> = hint.filter(|h| h.bytes().all(|c| c.is_ascii_digit()));
    // A line longer than an HRI can be has taken in marks at its ends (a stamp's letters
    // in the same band): characters that are no digit, or taller than the line's clear
    // digits (a stamp's capitals), are dropped from its ends.
    let longest = value.map_or(HRI_MAX_DIGITS, str::len);
    let is_far = |g: &Guess| g.distance() > REJECT;
    let digit_height = median(
        chars
            .iter()
            .zip(&guesses)
            .filter(|(_, g)| g.distance() < CLEAR)
            .map(|(b, _)| b.h()),
    );
    let taller = |b: &Blob| digit_height.is_some_and(|h| taller_than(b.h(), h as f64));
    let mut trimmed = false;
    while let (Some(first), Some(last)) = (guesses.first(), guesses.last()) {
        let n = guesses.len();
        let over = n > longest;
        // Once the line is as long as an HRI, only a stamp's capitals are still dropped.
        let drop = |g: &Guess, b: &Blob| {
            if over {
                is_far(g) || taller(b)
            } else {
                trimmed && taller(b)
            }
        };
        let (drop_first, drop_last) = (drop(first, &chars[0]), drop(last, &chars[n - 1]));
        if drop_first && (!drop_last || first.distance() > last.distance()) {
            guesses.remove(0);
            chars.remove(0);
        } else if drop_last {
            guesses.pop();
            chars.pop();
        } else {
            break;
        }
        trimmed = true;
    }
    let far = guesses.iter().filter(|g| is_far(g)).count();
    if guesses.len() < 4 || guesses.len() > HRI_MAX_DIGITS || far * FAR_SHARE > guesses.len() {
        return None;
    }
    let filled = fill_gaps(
        strip,
        line,
        level,
        &mut chars,
        &mut guesses,
        value.map(str::len),
        hand,
    );
    if guesses.len() > HRI_MAX_DIGITS {
        return None;
    }
    // Characters that are no digit or were cut out of a larger blob have marks over them,
    // as has one clearly taller than the others (a stamp's capital run up into it: seed
    // 101 0100) and one clearly wider (a stamp frame's post joined to a blurred 2 read as
    // a 7); one clearly shorter than the others lost part of itself
    // (a 2 without its foot reads as a 7), as has one that reads as a digit other than 1
    // and is clearly narrower than the others that do (half an 8 reads as a 5): they only
    // confirm, and but for one that is only short, so do their neighbours (a stroke
    // rarely stops at a character's edge; what a character lost off its top or foot tells
    // nothing of the next: seed 331 0233, a faded 150 dpi "…4049" whose 4s lost their
    // apexes, 11 pixels high of 13, hid the misprinted 9 beside them).
    let usual = median(chars.iter().map(Blob::h))? as f64;
    let widths: Vec<(usize, u8)> = chars
        .iter()
        .zip(&guesses)
        .map(|(b, g)| (b.w(), g.digit))
        .collect();
    let usual_width = usual_width(&widths);
    // Marked by its own shape or reading (apart from having been cut out of a blob): short,
    // or otherwise misshapen.
    let short: Vec<bool> = chars
        .iter()
        .map(|b| (b.h() as f64) < SHORT * usual)
        .collect();
    let odd: Vec<bool> = guesses
        .iter()
        .zip(&chars)
        .map(|(g, b)| {
            is_far(g) || taller_than(b.h(), usual) || odd_width(b.w(), g.digit, usual_width)
        })
        .collect();
    let misshapen = |i: usize| short[i] || odd[i];
    let marked: Vec<bool> = (0..chars.len())
        .map(|i| filled[i] || misshapen(i))
        .collect();
    let marks = marked.iter().filter(|&&m| m).count();
    let near_marks = |i: usize| {
        marked[i] || (i.saturating_sub(1)..(i + 2).min(marked.len())).any(|j| filled[j] || odd[j])
    };
    // A value of another length cannot confirm anything, and a reading of another length
    // than the value is more likely a lost character than a misprint: not trusted, unless
    // it is a run of the value's digits that a pen or a stamp cut short and it clearly
    // differs from the value where it was read.
    if let Some(partial) = value
        .filter(|_| marks == 0 && evenly_spaced(&chars))
        .and_then(|v| differing_run(&guesses, v))
    {
        return Some((partial, true));
    }
    let hint: Option<Vec<u8>> = value
        .filter(|h| h.len() == guesses.len())
        .map(|h| h.bytes().map(|c| c - b'0').collect());
    let mut confident = value.is_none() || hint.is_some();
    let mut digits = String::new();
    // Grey ink over a black digit (a stamp's letter across it) can make another digit of
    // it, clearly or not: when, with the grey taken away (any of the [`GREYLESS`] views),
    // the value's digit reads again, the digit agrees.
    // A view's reading nearest the value's digit but far from every digit (what is left
    // of a faded digit once a view took most of its strokes away) does not take back a
    // digit the strip as sampled clearly reads as another (seed 131 0237: a clear,
    // faded, misprinted 3 whose long strokes the pen-stroke view took away; the
    // fragment left, 0.69 from every digit, was nearest the value's 0); a thinned digit
    // left nearer than [`FRAGMENT`] does (a 3 a light grey stamp's H closed into a clear
    // 8, left 0.44 from the 3 with the grey taken away: office seed 29 0337). Nor does one
    // nearest the digit the strip reads, with the value's as near as makes no difference
    // (seed 181 0093: a misprinted 4 under a grey stamp's capitals, clearly a 4 as
    // sampled; a view that took its thinned strokes away left a 4 at 0.38, the value's 1
    // at 0.42). A view's reading far from every digit takes back no last character, and
    // the last character cut out of a larger blob is taken back only as clearly as it
    // confirms ([`CUT_CONFIRM`]): what a view leaves of a digit a black stamp's capital
    // ran into reads as anything (a misprinted 7 joined to a C, read as the value's 4 at
    // 0.45).
    let last = |i: usize| i + 1 == chars.len();
    // Whether a reading `g` of character `i` near enough the value's digit may confirm it:
    // not when it is the last character, cut out of a larger blob, and not read clearly.
    let may_confirm = |i: usize, g: &Guess| !(last(i) && filled[i]) || g.distance() <= CUT_CONFIRM;
    // With all but the darkest ink taken away (a blurred grey stamp's stem closing a
    // blurred 3 into an 8, darker than the views above leave it), what is left of the
    // digit, thinned, takes it back only when it reads near a digit ([`REJECT`]): what
    // that view leaves of digits under a stamp's capitals reads 0.7 from every digit, and
    // took them back (seed 149 0191, whose misprint was then hidden). Not read as a whole
    // line: there it made the value's 3 of that page's misprinted 6.
    let grey_made = |i: usize, v: u8| {
        let clearly_other = against(&guesses[i], v) == Against::Differs;
        let takes_back = |g: &Guess| {
            against(g, v) == Against::Agrees
                && !(last(i) && is_far(g))
                && may_confirm(i, g)
                && !(clearly_other && (g.distance() > FRAGMENT || g.digit == guesses[i].digit))
        };
        let read = |c: &Strip| classify(c, &chars[i], line.cap_px, hand);
        greyless
            .views()
            .any(|c| read(c).is_some_and(|g| takes_back(&g)))
            || greyless
                .darkest()
                .and_then(read)
                .is_some_and(|g| !is_far(&g) && takes_back(&g))
    };
    // A misprint away from the marks still shows: when the characters away from them
    // read as the value's digits but for one or two, two characters from any mark at least
    // (a pen's stroke runs on from a character it marks across the next), that clearly
    // differ, the line differs from the value whatever the marks hide, and the digits
    // under the marks, unread, are taken as the value's.
    let misprint_beside_marks = hint.as_ref().filter(|_| marks > 0).is_some_and(|h| {
        let far =
            |i: usize| !marked[i.saturating_sub(2)..(i + 3).min(marked.len())].contains(&true);
        let mut differ = 0;
        let mut away = 0;
        for i in (0..guesses.len()).filter(|&i| !near_marks(i)) {
            away += 1;
            match against(&guesses[i], h[i]) {
                Against::Differs if far(i) => differ += 1,
                Against::Agrees => {}
                _ if grey_made(i, h[i]) => {}
                _ => return false,
            }
        }
        away >= RUN_DIGITS && (1..=MARKED_DIFFERS).contains(&differ)
    });
    // A misprinted digit a mark only touches (a signature's stroke run down onto the last
    // digit's top, seed 233 0107 and 307 0084) is joined to the mark and read from a cell
    // cut where the line's pitch puts it: when that cell is the line's one mark, every
    // other character reads as the value's digit, and the cell reads clearly as another
    // digit than 1, the value's (not a 1 either) far behind ([`CONTRARY_LEAD`]), the
    // digit differs. Not in a line printed in groups: a cell a pitch on from a group's
    // end may lie across the space before the next group and half over its digit (seed 7
    // 0465, a fold through a grouped RPPS's last 3: the cell read a clear 4).
    let touched_misprint = hint
        .as_ref()
        .filter(|_| marks == 1 && ungrouped(&chars))
        .and_then(|h| {
            let k = marked.iter().position(|&m| m)?;
            let g = &guesses[k];
            let only_cut = filled[k] && !misshapen(k);
            let others_agree = (0..guesses.len())
                .filter(|&i| i != k)
                .all(|i| against(&guesses[i], h[i]) == Against::Agrees);
            (only_cut
                && others_agree
                && against(g, h[k]) == Against::Differs
                && g.digit != 1
                && h[k] != 1
                && g.by_digit[usize::from(h[k])] - g.distance() >= CONTRARY_LEAD)
                .then_some(k)
        });
    for (i, g) in guesses.iter().enumerate() {
        let d = match &hint {
            Some(h) => match against(g, h[i]) {
                // The last character cut out of a larger blob where the line's pitch puts
                // it (a digit a stamp's capitals run on from) reads as whatever the cut
                // leaves of the digit and the capital: it confirms the value's digit only
                // when it reads clearly so.
                Against::Agrees if may_confirm(i, g) => h[i],
                _ if grey_made(i, h[i]) => h[i],
                Against::Differs if touched_misprint == Some(i) => g.digit,
                // Next to a marked character, what differs may be the mark.
                Against::Differs if !near_marks(i) => g.digit,
                _ if misprint_beside_marks => h[i],
                Against::Agrees | Against::Differs | Against::Unsure => {
                    confident = false;
                    g.digit
                }
            },
            None => {
                confident &= is_clear(g) && !marked[i];
                g.digit
            }
        };
        digits.push(char::from(b'0' + d));
    }
    // A line read one place off (a digit lost at one end, a mark read as one at the
    // other) differs from the value nearly everywhere, each digit reading as its
    // neighbour in the value: no misprint (seed 233 0443).
    if value.is_some_and(|v| one_place_off(&digits, v)) {
        confident = false;
    }
    Some((digits, confident))
}

/// The hand the characters `chars` of a line of `strip` are printed in ([`hand_of`]).
fn line_hand(strip: &Strip, chars: &[Blob], cap_px: f64) -> Hand {
    let guesses: Vec<Guess> = chars
        .iter()
        .filter_map(|b| classify(strip, b, cap_px, Hand::DEJAVU))
        .collect();
    hand_of(&guesses)
}

/// Whether `digits`, as long as `value`, differs from it in [`OFF_DIFFERS`] places or
/// more but, moved one place either way, agrees with it everywhere the two overlap but
/// once at most.
fn one_place_off(digits: &str, value: &str) -> bool {
    let (d, v) = (digits.as_bytes(), value.as_bytes());
    let n = d.len();
    n == v.len()
        && n > 1
        && differing_places(d, v) >= OFF_DIFFERS
        && (differing_places(&d[1..], &v[..n - 1]) <= 1
            || differing_places(&d[..n - 1], &v[1..]) <= 1)
}

/// Places a reading one place off differs from the value in at least.
const OFF_DIFFERS: usize = 3;

/// Farthest a line's last character, cut out of a larger blob, may read from the value's
/// digit and confirm it, as far as a clear reading: a black stamp's C joined to a
/// misprinted 7 (DejaVu Serif, 300 dpi), cut at the line's pitch, read as the value's 4
/// at 0.40–0.42.
const CUT_CONFIRM: f32 = CLEAR;

/// Farthest from every digit a view's reading may lie and take back a digit the strip as
/// sampled clearly reads as another: between a stamp-closed 3 with the grey taken away
/// (0.44) and the fragment a view left of a faded misprint (0.69).
const FRAGMENT: f32 = 0.5;

/// Most digits away from a line's marks that may clearly differ from the value for the
/// line to read as a misprint whatever the marks hide.
const MARKED_DIFFERS: usize = 2;

/// A character at a line's end this many times as high as the line's clear digits, and two
/// pixels higher at least, is a stamp's capital (the digits of one line differ by a pixel).
const TALLER: f64 = 1.1;

/// The middle of `values` (the upper one of an even count), `None` when there are none.
fn median(values: impl Iterator<Item = usize>) -> Option<usize> {
    let mut v: Vec<usize> = values.collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

/// The usual width of a line's characters (width, digit) other than 1s (0 with none).
fn usual_width(chars: &[(usize, u8)]) -> f64 {
    median(chars.iter().filter(|&&(_, d)| d != 1).map(|&(w, _)| w)).unwrap_or(0) as f64
}

/// Whether a character `w` wide, read (or to be read) as `digit`, is clearly wider than
/// the line's `usual` width, or clearly narrower when it is no 1 ([`WIDE`], [`NARROW`]).
fn odd_width(w: usize, digit: u8, usual: f64) -> bool {
    let w = w as f64;
    w > WIDE * usual || (digit != 1 && w < NARROW * usual)
}

/// Whether a character `h` high is clearly taller than `usual` ([`TALLER`], and two
/// pixels at least).
fn taller_than(h: usize, usual: f64) -> bool {
    h as f64 >= (TALLER * usual).max(usual + 2.0)
}

/// A character less high than this share of the line's usual height has lost part of itself.
const SHORT: f64 = 0.85;
/// A character reading as another digit than 1 and less wide than this share of the
/// line's usual such width has lost part of itself…
const NARROW: f64 = 0.7;
/// …and one wider than this share has a mark joined to it.
const WIDE: f64 = 1.2;
/// Ink in a cell must be at least this share of a typical character's to be one.
const FILL_INK: f64 = 0.4;
/// Centre to centre, in pitches, of two characters with a group space between them.
const GROUPED: f64 = 1.5;

/// Ink reaching the first share of the line's height above its top and stopping the
/// second above its foot hangs from a mark above the line (the digits of one line stand
/// on its foot and reach its top within a pixel or two).
const HANGING: [f64; 2] = [0.1, 0.2];

/// Characters a pen stroke or a stamp made part of a blob too large to be one: where the
/// line's characters leave a gap of one or more of their pitches, and (when the value
/// says how many digits there are) beyond its ends while it is short (a pitch on, or a
/// pitch and a half across a group space where neither end has a character a pitch on),
/// cells as wide as its characters and as high as its band are cut out and read, and put
/// in their places.
/// Returns, for each character of the line as it then is, whether it is such a cell.
fn fill_gaps(
    strip: &Strip,
    line: &TextLine,
    level: f32,
    chars: &mut Vec<Blob>,
    guesses: &mut Vec<Guess>,
    want: Option<usize>,
    hand: Hand,
) -> Vec<bool> {
    let as_found = vec![false; chars.len()];
    if chars.len() < 3 {
        return as_found;
    }
    let centre = |b: &Blob| (b.x0 + b.x1) as f64 / 2.0;
    let mut gaps: Vec<f64> = chars
        .windows(2)
        .map(|w| centre(&w[1]) - centre(&w[0]))
        .collect();
    gaps.sort_by(f64::total_cmp);
    let base = gaps[gaps.len() / 4];
    let near: Vec<f64> = gaps
        .iter()
        .copied()
        .filter(|&g| (0.8 * base..=1.25 * base).contains(&g))
        .collect();
    let Some(&pitch) = near.get(near.len() / 2).filter(|&&p| p >= 3.0) else {
        return as_found;
    };
    // A gap of k pitches (k + ½ with a group space in it) hides k − 1 characters.
    let hidden =
        |from: f64, to: f64| (((to - from) / pitch + 0.25).floor() as usize).saturating_sub(1);
    let short = want.is_some_and(|n| chars.len() < n);
    if !short
        && chars
            .windows(2)
            .all(|w| hidden(centre(&w[0]), centre(&w[1])) == 0)
    {
        return as_found;
    }
    let median = |mut v: Vec<usize>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let y0 = median(chars.iter().map(|b| b.y0).collect());
    let y1 = median(chars.iter().map(|b| b.y1).collect());
    let wide: Vec<usize> = chars
        .iter()
        .zip(guesses.iter())
        .filter(|(_, g)| g.digit != 1)
        .map(|(b, _)| b.w())
        .collect();
    let width = if wide.is_empty() {
        0.75 * pitch
    } else {
        median(wide) as f64
    };
    let ink = |b: &Blob| {
        (b.y0..b.y1)
            .map(|y| (b.x0..b.x1).filter(|&x| strip.at(x, y) > level).count())
            .sum::<usize>()
    };
    let typical = median(chars.iter().map(ink).collect()) as f64;
    let read = |c: f64| {
        let x0 = (c - width / 2.0).round();
        let x1 = (c + width / 2.0).round() as usize;
        if x0 < 0.0 || x1 > strip.w {
            return None;
        }
        let cell = Blob {
            x0: x0 as usize,
            x1,
            y0,
            y1,
            area: 0,
        };
        if (ink(&cell) as f64) < FILL_INK * typical {
            return None;
        }
        // Ink that comes down into the cell from above the line and stops well above its
        // foot hangs from a mark (a signature's stroke dipping into a group space: seed
        // 229 0499).
        let rows = |share: f64| (share * (y1 - y0) as f64).ceil() as usize;
        let xs = cell.x0..cell.x1;
        let foot = strip.ink_rows(xs.clone(), y0..y1, level)?.end;
        let above = y0.saturating_sub(rows(HANGING[0]))..y0;
        if strip.ink_rows(xs, above, level).is_some() && foot + rows(HANGING[1]) <= y1 {
            return None;
        }
        classify(strip, &cell, line.cap_px, hand).map(|g| (cell, g))
    };
    let better = |a: Option<(Blob, Guess)>, b: Option<(Blob, Guess)>| match (a, b) {
        (Some(a), Some(b)) => Some(if b.1.distance() < a.1.distance() {
            b
        } else {
            a
        }),
        (a, b) => a.or(b),
    };
    let mut out: Vec<(Blob, Guess, bool)> = vec![(chars[0], guesses[0].clone(), false)];
    for (b, g) in chars.iter().zip(guesses.iter()).skip(1) {
        let (from, to) = (centre(&out[out.len() - 1].0), centre(b));
        let missing = hidden(from, to);
        if missing == 1 {
            // Next to the one before or to the one after (the space on the other side).
            if let Some((c, g)) = better(read(from + pitch), read(to - pitch)) {
                out.push((c, g, true));
            }
        } else {
            for j in 1..=missing {
                if let Some((c, g)) = read(from + (to - from) * j as f64 / (missing + 1) as f64) {
                    out.push((c, g, true));
                }
            }
        }
        out.push((*b, g.clone(), false));
    }
    while want.is_some_and(|n| out.len() < n) {
        // A pitch on at either end; failing both, a pitch and a half on (across a group
        // space).
        let (first, last) = (centre(&out[0].0), centre(&out[out.len() - 1].0));
        let (mut before, mut after) = (read(first - pitch), read(last + pitch));
        if before.is_none() && after.is_none() {
            before = read(first - GROUPED * pitch);
            after = read(last + GROUPED * pitch);
        }
        let at_start = match (&before, &after) {
            (Some(b), Some(a)) => b.1.distance() < a.1.distance(),
            (b, _) => b.is_some(),
        };
        match better(before, after) {
            Some((c, g)) if at_start => out.insert(0, (c, g, true)),
            Some((c, g)) => out.push((c, g, true)),
            None => break,
        }
    }
    *chars = out.iter().map(|o| o.0).collect();
    *guesses = out.iter().map(|o| o.1.clone()).collect();
    out.into_iter().map(|o| o.2).collect()
}

/// How a digit read stands against the value's digit there.
#[derive(PartialEq)]
enum Against {
    /// The same digit, or the value's is as near as makes no difference.
    Agrees,
    /// Read clearly, and clearly another digit.
    Differs,
    /// Neither.
    Unsure,
}

/// Whether `g` is read clearly: near a digit and nearer it than any other.
fn is_clear(g: &Guess) -> bool {
    g.distance() < CLEAR && g.margin() > CLEAR_MARGIN
}

fn against(g: &Guess, v: u8) -> Against {
    let behind = g.by_digit[usize::from(v)] - g.distance();
    if g.digit == v || (behind < CONFIRM && g.distance() <= REJECT) {
        Against::Agrees
    } else if is_clear(g) && behind >= DIFFER {
        Against::Differs
    } else {
        Against::Unsure
    }
}

/// Fewest digits a reading shorter than the value must have to be placed in it.
const RUN_DIGITS: usize = 6;
/// Digits of a run that may differ from the value at the one place it fits: a misprint
/// changes one; a second place that fits nearly as well (this many digits not agreeing)
/// makes the place unsure.
const RUN_DIFFERS: usize = 2;
/// A gap between two characters' centres wider than this many times the usual one is a
/// character missing there, not the space between groups of digits.
const RUN_GAP: f64 = 1.75;

/// Whether the characters of a line follow each other at one pitch, with no space between
/// groups of digits (no gap between two characters' centres wider than [`UNGROUPED`]
/// times the usual one).
fn ungrouped(chars: &[Blob]) -> bool {
    widest_gap(chars).is_some_and(|w| w <= UNGROUPED)
}

/// Widest gap between two characters' centres of a line printed without group spaces, in
/// usual gaps (halfway to a group space's [`GROUPED`]).
const UNGROUPED: f64 = 1.25;

/// Whether the characters of a line follow each other with no character missing between
/// them (a run cut short at its ends only).
fn evenly_spaced(chars: &[Blob]) -> bool {
    widest_gap(chars).is_some_and(|w| w <= RUN_GAP)
}

/// The widest gap between two successive characters' centres, in usual (median) gaps.
fn widest_gap(chars: &[Blob]) -> Option<f64> {
    let centres: Vec<f64> = chars.iter().map(|b| (b.x0 + b.x1) as f64 / 2.0).collect();
    let mut gaps: Vec<f64> = centres.windows(2).map(|w| w[1] - w[0]).collect();
    let widest = gaps.iter().copied().fold(0.0, f64::max);
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).map(|&usual| widest / usual)
}

/// A reading shorter than `value` (the digits at one end hidden under a pen stroke or a
/// stamp) that fits at exactly one place in it with every digit read but one agreeing
/// with the value's and that one clearly another: the value's length with
/// `?` for the digits not read. `None` otherwise (a reading that agrees throughout shows
/// nothing a full reading would not, and one that fits nowhere or at two places shows
/// nothing at all).
fn differing_run(guesses: &[Guess], value: &str) -> Option<String> {
    let value: Vec<u8> = value.bytes().map(|c| c - b'0').collect();
    let m = guesses.len();
    if m < RUN_DIGITS || m >= value.len() {
        return None;
    }
    // Per offset: (digits clearly another, digits neither agreeing nor clearly another).
    let fit = |offset: usize| {
        guesses.iter().zip(&value[offset..]).fold(
            (0, 0),
            |(differ, unsure), (g, &v)| match against(g, v) {
                Against::Agrees => (differ, unsure),
                Against::Differs => (differ + 1, unsure),
                Against::Unsure => (differ, unsure + 1),
            },
        )
    };
    let fits: Vec<(usize, (usize, usize))> = (0..=value.len() - m)
        .map(|o| (o, fit(o)))
        .filter(|&(_, (differ, unsure))| differ + unsure <= RUN_DIFFERS)
        .collect();
    let [(offset, (1, 0))] = fits.as_slice() else {
        return None;
    };
    let mut out = vec![b'?'; value.len()];
    for (i, g) in guesses.iter().enumerate() {
        let v = value[offset + i];
        out[offset + i] = b'0'
            + match against(g, v) {
                Against::Agrees => v,
                _ => g.digit,
            };
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
