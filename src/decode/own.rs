//! ordoscan's own reader: texture candidates, many scanlines across each, votes.
//!
//! Each candidate box from [`crate::locate::candidates`] is crossed by parallel scanlines
//! spread over its height, each extended beyond the box for the quiet zones. Each line
//! reads what it can from either end of every symbol it crosses, and [`vote`] combines
//! the lines character by character: a symbol is reported only when every character is
//! given by at least [`vote::MIN_VOTES`] lines and the check character holds, so a single
//! misread line can never become a symbol, and a stamp over part of the bars, crossing
//! each line elsewhere, does not stop the read.

use std::time::Instant;

use image::GrayImage;

use super::scan::{
    Line39, LinePart, SampledLine, Scanline, THICKNESS, boundaries, char_at, inside_bars,
    one_end_in_bars, two_level, verified,
};
use super::vote::{self, Voted};
use super::{Symbol, Symbology, push_unique};
use crate::locate::{self, Candidate};

/// Most scanlines across one candidate.
const MAX_LINES: usize = 48;
/// Most samples across a line on a noisy page ([`locate::survey`]): noise falls with the
/// square root of their number.
const NOISY_THICKNESS: usize = 21;
/// Shortest candidate read (half its length, pixels). Letters, rules and pen strokes make
/// most candidates, and short ones cost as much to reject as a symbol costs to read; the
/// shortest symbol ordoscan reads (a 9-digit FINESS, 101 modules) spans 120 pixels at
/// 1.2 pixels per module. On the 500-page corpus and the 82 peer-suite images no
/// candidate shorter than 120 pixels ever yielded a symbol or an unreadable one that
/// a longer candidate did not.
const MIN_HALF_LENGTH: f64 = 45.0;
/// Fewest lines tried before a candidate where none finds a start or a stop is given up
/// (more across a tall one, [`PROBE_GAP_PX`]). With 6 the records of the 1100 pages of
/// seeds 2026, 7 and 11 are the same as with 10; with 4, a symbol is lost on seed 2026
/// 0485 and on seed 7 0170.
const PROBE: usize = 6;
/// Widest gap, in pixels, the probe's lines may leave across a candidate: the bars of
/// the lowest symbol at the lowest resolution read (4 mm at 150 dpi). A symbol merged
/// with a stamp or a block of text beside it (seed 37 0447: a stamp's frame and letters
/// above an RPPS, one candidate ten times the symbol's height) is a band of the
/// candidate that six lines spread over it can all miss. Reading more lines across such
/// tall candidates cost nothing measurable on the corpus pages.
const PROBE_GAP_PX: f64 = 24.0;
/// Lines reading a symbol whole and alike after which a candidate's other lines are
/// skipped.
const SETTLED: usize = 4;

/// Whether a symbol has settled, at least [`SETTLED`] lines reading it whole and alike, and
/// every other head and tail read so far is one of its ends or a stray end pattern: a
/// head or tail reading part of the settled symbol, one met where a settled line met the
/// same end (a line leaving the bars through a corner misreads its last character), or a
/// start or stop pattern with at most [`STRAY_CHARACTERS`] read past it (text, rules and
/// pictures make those). A head or tail reading more characters of another symbol keeps
/// the lines going (the lines may cross other symbols, which must not be cut short).
fn all_settled(parts: &[Vec<LinePart>], whole: &[Vec<u8>]) -> bool {
    let settled: Vec<&Vec<u8>> = whole
        .iter()
        .filter(|w| whole.iter().filter(|o| o == w).count() >= SETTLED)
        .collect();
    if settled.is_empty() {
        return false;
    }
    // Each head and tail with its characters' values, worked out once.
    let read: Vec<(&LinePart, Vec<u8>)> = parts
        .iter()
        .flatten()
        .map(|p| (p, p.part.chars.iter().map(|c| c.0).collect()))
        .collect();
    let ends: Vec<&LinePart> = read
        .iter()
        .filter(|(p, values)| p.part.whole && settled.contains(&values))
        .map(|&(p, _)| p)
        .collect();
    read.iter().all(|(p, values)| {
        p.part.chars.len() <= usize::from(p.head) + STRAY_CHARACTERS
            || settled.iter().any(|w| {
                if p.head {
                    w.starts_with(values)
                } else {
                    w.ends_with(values)
                }
            })
            || ends
                .iter()
                .any(|e| e.head == p.head && vote::same_place(e, p))
    })
}

/// Characters a stray start or stop pattern may read past it: the edges of a letter or of
/// a logo beyond a symbol's quiet zone read as a start pattern and one character now and
/// then.
const STRAY_CHARACTERS: usize = 1;

/// `0..n` in van der Corput order (halves, quarters, eighths…): every prefix is spread
/// over the whole range.
fn spread(n: usize) -> impl Iterator<Item = usize> {
    let bits = (n.max(2) - 1).ilog2() + 1;
    (0..1usize << bits)
        .map(move |i| i.reverse_bits() >> (usize::BITS - bits))
        .filter(move |&k| k < n)
}

/// Every Code 128 symbol the own reader finds on the page before `deadline`, and whether
/// the deadline cut the search short.
pub(super) fn read(image: &GrayImage, deadline: Option<Instant>) -> OwnReading {
    let mut out = OwnReading::default();
    let two_level = two_level(image);
    let (candidates, noisy) = locate::survey(image);
    for c in candidates {
        if c.half_length < MIN_HALF_LENGTH {
            continue;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            out.timed_out = true;
            return out;
        }
        let page = |thickness| Page {
            image,
            two_level,
            thickness,
            halfway: false,
            known: &out.symbols,
        };
        let read_some =
            |read: &Result<Vec<Symbol>, _>| matches!(read, Ok(found) if !found.is_empty());
        let mut read = read_candidate(&page(THICKNESS), &c);
        // On a noisy page, a candidate with a symbol's texture that read nothing is read
        // again with lines as thick as the symbol allows (its lines spread over its
        // height). The noise hides every head and tail from thin lines, so only the
        // texture tells: text and rules under noise make small candidates.
        let thick = (c.half_height as usize).clamp(THICKNESS, NOISY_THICKNESS);
        if noisy && thick > THICKNESS && c.cells >= SMEARED_CELLS && !read_some(&read) {
            let again = read_candidate(&page(thick), &c);
            if read_some(&again) {
                read = again;
            }
        }
        match read {
            Ok(found) if found.is_empty() && smeared(&c) => {
                out.unread.extend(smeared_quad(image, &c));
            }
            Ok(found) => {
                for s in found {
                    push_unique(&mut out.symbols, s);
                }
            }
            Err(quad) => out.unread.push(quad),
        }
    }
    out
}

/// A page as its candidates are read.
#[derive(Clone, Copy)]
struct Page<'a> {
    image: &'a GrayImage,
    /// Whether the page holds two grey levels only ([`two_level`]).
    two_level: bool,
    /// Samples across each line of the candidate (more on a noisy page).
    thickness: usize,
    /// Whether lines that read no whole symbol by their edges are read again at the level
    /// halfway from their ink to their paper ([`line_reads`]).
    halfway: bool,
    /// The symbols read so far.
    known: &'a [Symbol],
}

/// What the own reader made of a page.
#[derive(Default)]
pub(super) struct OwnReading {
    /// The symbols read.
    pub symbols: Vec<Symbol>,
    /// Regions where lines met Code 128 start or stop patterns but no symbol settled, or
    /// with the texture of a large symbol whose bars ran together.
    pub unread: Vec<[[f64; 2]; 4]>,
    /// Whether the deadline cut the search short.
    pub timed_out: bool,
}

/// Reads a candidate along its estimated orientation, then, when nothing is read, along
/// slightly turned ones (a small candidate's orientation is only known to a few degrees).
/// `Err(quad)` when lines met parts of a Code 128 symbol (start and stop patterns) and
/// still nothing settled: a symbol is there that does not decode.
fn read_candidate(page: &Page, c: &Candidate) -> Result<Vec<Symbol>, [[f64; 2]; 4]> {
    let mut unread = None;
    for turn in [0.0f64, 2.5, -2.5] {
        let (s, co) = turn.to_radians().sin_cos();
        let turned = Candidate {
            across: [
                c.across[0] * co - c.across[1] * s,
                c.across[0] * s + c.across[1] * co,
            ],
            ..c.clone()
        };
        // The halfway re-read below reads the same lines: each is sampled once.
        let mut lines = Lines::default();
        let (mut found, quad, parts) = read_oriented(page, &turned, &mut lines);
        if found.is_empty() && turn == 0.0 {
            if parts.longest >= PIECE_CHARACTERS {
                found = read_longer(page, &turned, parts.module);
            } else if let Some(median) = parts.inside.or(parts.one_end)
                && c.half_height >= TALL_PIECE * median
            {
                // The median element is one or two modules: taken for two, the lines
                // reach far enough. So too when the lines began or ended among bars: a
                // candidate over a third of a symbol whose first bars ran together (seed
                // 263 0103, a bilevel FINESS) puts its lines' start inside the start
                // pattern.
                found = read_longer(page, &turned, Some(median / 2.0));
            }
        }
        // Faded bars whose grey ripples inside (a JPEG's ringing) make edges of their own:
        // a candidate that read nothing is read again where its lines cross the level
        // halfway from ink to paper (a bilevel page's edges are where it crosses already).
        // Only here, where no line read it by its edges: the ends such lines find are
        // where a threshold puts them, and taken into the vote of a symbol read by its
        // edges they moved its quad off its bars (seed 149 0144, a fax).
        if found.is_empty()
            && turn == 0.0
            && !page.two_level
            && (parts.count > 0 || c.cells >= HALFWAY_CELLS)
        {
            let halfway = Page {
                halfway: true,
                ..*page
            };
            found = read_oriented(&halfway, &turned, &mut lines).0;
        }
        if !found.is_empty() {
            return Ok(found);
        }
        unread = unread.or(quad);
        // Lines that met fewer heads and tails than an unreadable symbol shows would not
        // meet a symbol turned a little either (the turn is for orientations known only
        // roughly): text, rules and pictures show a stray start or stop pattern at most.
        if parts.count < UNREAD_PARTS {
            break;
        }
    }
    unread.map_or(Ok(Vec::new()), Err)
}

/// Texture cells from which a candidate that read nothing, and whose lines met no head or
/// tail, is read again at the halfway level: the faded symbols of seeds 271 0188 and 317
/// 0253 have 25 to 271, text and specks on their pages 9 at most. (Every candidate so
/// read again cost 9 % of the time on seed 113; these, nothing measurable.)
const HALFWAY_CELLS: usize = 20;

/// Heads and tails seen on a candidate's lines, with no symbol settled, that make it an
/// unreadable symbol rather than text or a picture.
const UNREAD_PARTS: usize = 4;

/// Texture cells of a candidate on a noisy page that make it worth reading again with
/// thick lines (a symbol's texture: text and rules under noise make small candidates).
const SMEARED_CELLS: usize = 40;

/// Texture cells of a candidate whose lines met no head or tail at all that still make it
/// worth measuring as an unreadable symbol: a blurred fax runs a symbol's bars together
/// (no start or stop pattern is left) and leaves the digits under it readable. Half what
/// a noisy page's retry needs: where ink spread closed most spaces, only the symbol's
/// few bars still apart make texture (office seed 19 0456, a fax's second FINESS, 21
/// cells); what is measured counts only when the digits under it read, clearly, as a
/// number with a valid key.
const SMEARED_UNREAD_CELLS: usize = 20;

/// Whether a candidate that read nothing may be a symbol whose bars ran together: large,
/// longer than high, and no longer than the longest identifier symbol at 600 dpi (its
/// measure walks every row, so a page-wide texture is not measured).
fn smeared(c: &Candidate) -> bool {
    c.cells >= SMEARED_UNREAD_CELLS
        && c.half_height < c.half_length
        && c.half_length <= SMEARED_MAX_HALF
}

/// Half the length of the longest symbol worth measuring when smeared, pixels: 220
/// modules of 0.5 mm at 600 dpi.
const SMEARED_MAX_HALF: f64 = 1300.0;

/// The bars of a candidate that read nothing, measured on the page (`None` when its rows
/// show no bars): where the digits of a symbol too smeared to decode are looked for.
fn smeared_quad(image: &GrayImage, c: &Candidate) -> Option<[[f64; 2]; 4]> {
    let reach = |sign: f64| {
        [
            c.centre[0] + sign * c.across[0] * c.half_length,
            c.centre[1] + sign * c.across[1] * c.half_length,
        ]
    };
    let quad = locate::measure(image, reach(-1.0), reach(1.0), Symbology::Code128).quad;
    let side = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    (side(quad[0], quad[3]) >= SMEARED_MIN_HEIGHT).then_some(quad)
}

/// Height of the bars a smeared candidate must show, pixels (a degenerate measure is flat).
const SMEARED_MIN_HEIGHT: f64 = 8.0;

/// Characters some head or tail must have read for a candidate to be read again with
/// longer lines: text and pictures show a stray start or stop pattern, not a run of
/// characters.
const PIECE_CHARACTERS: usize = 4;

/// Modules of the longest symbol worth reaching for: an identifier in code set B (14
/// digits, start, check and stop: 189 modules), with room to spare.
const LONGEST_SYMBOL: f64 = 220.0;

/// Reads a candidate again with lines long enough for the longest symbol of the module its
/// heads and tails show, either way from its centre: a strike or a stamp across a symbol
/// leaves of its texture pieces too short for their lines to reach both ends.
fn read_longer(page: &Page, c: &Candidate, module: Option<f64>) -> Vec<Symbol> {
    let Some(module) = module else {
        return Vec::new();
    };
    let half_length = LONGEST_SYMBOL * module / (1.0 + MARGIN);
    if half_length <= c.half_length {
        return Vec::new();
    }
    let longer = Candidate {
        half_length,
        ..c.clone()
    };
    read_oriented(page, &longer, &mut Lines::default()).0
}

/// How far a candidate's lines reach beyond its ends, in half-lengths.
const MARGIN: f64 = 1.2;

/// What a candidate's lines met besides whole symbols: how many heads and tails, the
/// median of their modules, and the most characters one of them read; or, when they met
/// none and ran through bars from end to end, the median width of those bars and spaces.
#[derive(Default)]
struct PartsSeen {
    count: usize,
    module: Option<f64>,
    longest: usize,
    inside: Option<f64>,
    /// Without `inside`: the median element of the probe's lines that began or ended
    /// among bars ([`one_end_in_bars`]), when enough of them did.
    one_end: Option<f64>,
}

/// Half-height of a candidate, in median elements of its lines, from which lines running
/// through bars from end to end make it a piece of a symbol: a symbol is at least 4 mm
/// high (Annexe I) and its modules at most 0.35 mm (35 mm for the shortest identifier
/// symbol), so its half-height is 3 median elements or more, while a line of text, whose
/// strokes also run the lines through "bars", is 1–2.
const TALL_PIECE: f64 = 3.0;

/// How many lines of `order` to read before giving a candidate up: at least [`PROBE`],
/// and as many as leave no gap wider than `max_gap` pixels between lines read (lines
/// `gap_px` apart).
fn probe_lines(order: &[usize], gap_px: f64, max_gap: f64) -> usize {
    let mut seen: Vec<usize> = Vec::new();
    for (done, &k) in order.iter().enumerate() {
        let at = seen.partition_point(|&o| o < k);
        seen.insert(at, k);
        if done + 1 >= PROBE {
            let widest = seen.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
            if widest as f64 * gap_px <= max_gap {
                return done + 1;
            }
        }
    }
    order.len()
}

/// Lines of a candidate's probe ([`probe_lines`]) that must begin and end among bars for
/// it to be taken for the middle of a symbol whose ends lie beyond its lines' reach.
const INSIDE_LINES: usize = 2;

impl PartsSeen {
    /// No head or tail seen; `inside` holds the median element of each line that began and
    /// ended among bars, `one_end` of each that began or ended among bars.
    fn cut_off(inside: &mut [f64], one_end: &mut [f64]) -> Self {
        let median = |m: &mut [f64]| {
            let middle = m.len() / 2;
            (m.len() >= INSIDE_LINES).then(|| *m.select_nth_unstable_by(middle, f64::total_cmp).1)
        };
        PartsSeen {
            inside: median(inside),
            one_end: median(one_end),
            ..PartsSeen::default()
        }
    }
}

/// Largest sine of a candidate's angle to the page's axes for which its lines start on a
/// pixel centre ([`line_start`]): 0.02 (1.1°) drifts the samples of a 500-pixel line by
/// 0.1 pixel along that axis.
const AXIS_ALIGNED: f64 = 0.02;

/// Where a candidate's lines start: `start`, or on a thresholded page (`two_level`) and
/// along a page axis, moved along `dir` (by under a pixel) to the nearest pixel centre on
/// that axis. The profile is bilinear; a line whose samples fall half a pixel off the
/// pixels would turn a thresholded one-pixel space between two bars into two mid-grey
/// samples (pixels 0, 255, 0 → 151, 104, 151) and put its edges up to a pixel off, most
/// of a module at 1.2 pixels per module. All the candidate's lines move alike, so their
/// positions along the line stay comparable.
fn line_start(start: [f64; 2], dir: [f64; 2], two_level: bool) -> [f64; 2] {
    let axis = usize::from(dir[1].abs() > dir[0].abs());
    if !two_level || dir[1 - axis].abs() >= AXIS_ALIGNED {
        return start;
    }
    let t = (start[axis].round() - start[axis]) / dir[axis];
    [start[0] + dir[0] * t, start[1] + dir[1] * t]
}

/// The symbols read along a candidate's orientation; when none, where the symbol lies if
/// its lines met enough heads and tails of one; and the heads and tails they met.
fn read_oriented(
    page: &Page,
    c: &Candidate,
    memo: &mut Lines,
) -> (Vec<Symbol>, Option<[[f64; 2]; 4]>, PartsSeen) {
    let (image, two_level) = (page.image, page.two_level);
    let along = [-c.across[1], c.across[0]];
    // Candidates may cover only part of a symbol (cells at its ends, or inside its widest
    // bars, are weak): reach far beyond; the decode nearest the middle is kept.
    let margin = (c.half_length * MARGIN).max(40.0);
    let reach = c.half_length + margin;
    let lines = (c.half_height as usize).clamp(8, MAX_LINES);
    // Lines spread over 0.9 of the half-height either side of the middle, this far apart.
    let spacing = 1.8 * c.half_height / (lines - 1) as f64;
    let start = line_start(
        [
            c.centre[0] - c.across[0] * reach,
            c.centre[1] - c.across[1] * reach,
        ],
        c.across,
        two_level,
    );
    let scanlines: Vec<Scanline> = (0..lines)
        .map(|k| {
            let v = -0.9 * c.half_height + spacing * k as f64;
            Scanline {
                from: [start[0] + along[0] * v, start[1] + along[1] * v],
                dir: c.across,
                len: (2.0 * reach).ceil() as usize,
            }
        })
        .collect();
    // Lines in an order that spreads them over the symbol from the first ones on; a clean
    // symbol is settled by a few lines that each read it whole, and the rest are skipped.
    let mut parts: Vec<Vec<LinePart>> = vec![Vec::new(); lines];
    let mut loose: Vec<Vec<LinePart>> = vec![Vec::new(); lines];
    let mut whole: Vec<Vec<u8>> = Vec::new();
    let mut code39: Vec<(usize, Line39)> = Vec::new();
    let mut inside: Vec<f64> = Vec::new();
    let mut one_end: Vec<f64> = Vec::new();
    let mut widths: Vec<Option<Vec<f64>>> = vec![None; lines];
    let order: Vec<usize> = spread(lines).map(|k| (k + lines / 2) % lines).collect();
    let probe = probe_lines(&order, spacing, PROBE_GAP_PX);
    for (done, &k) in order.iter().enumerate() {
        let read = memo
            .read(image, k, &scanlines[k], page.thickness)
            .meets(two_level, page.halfway);
        parts[k] = read.parts;
        loose[k] = read.loose;
        code39.extend(read.code39.map(|r| (k, r)));
        // Only the probe's lines tell whether the candidate is inside a symbol.
        if done < probe {
            inside.extend(read.widths.as_deref().and_then(inside_bars));
            one_end.extend(read.widths.as_deref().and_then(one_end_in_bars));
        }
        widths[k] = read.widths;
        whole.extend(parts[k].iter().filter(|p| p.head).filter_map(verified));
        if done + 1 >= SETTLED + 2 && all_settled(&parts, &whole) {
            break;
        }
        // Text, rules and pictures make candidates too, and show at most a stray start or
        // stop pattern on a line here and there; so do lines beside a symbol already read
        // that cross its bars. When the first lines show nothing more, the rest will not.
        if done + 1 == probe
            && code39.is_empty()
            && !shows_a_symbol(&fresh(page, &scanlines, &parts))
        {
            return (
                Vec::new(),
                None,
                PartsSeen::cut_off(&mut inside, &mut one_end),
            );
        }
    }
    // Each line's boundaries are summed once, when its grid is first read.
    let bounds: Vec<std::cell::OnceCell<Vec<f64>>> = vec![Default::default(); lines];
    let grid = |k: usize, t: f64, module: f64, reversed: bool| {
        let w = widths[k].as_deref()?;
        char_at(
            w,
            bounds[k].get_or_init(|| boundaries(w)),
            t,
            module,
            reversed,
        )
    };
    let voted = vote::combine(&parts, Some(&grid));
    // The loose ends of runs that templates read only in part vote too, for symbols
    // nothing else read: a stroke across a fax's bars spoils a different character on
    // each line. With the lines' other parts, and alone: the edge readers can misread one
    // stretch of a thresholded symbol the same way on most lines, and outvote them there.
    let more = if loose.iter().any(|l| !l.is_empty()) {
        let with_loose: Vec<Vec<LinePart>> = parts
            .iter()
            .zip(&loose)
            .map(|(p, l)| p.iter().chain(l).cloned().collect())
            .collect();
        let mut more = vote::combine(&with_loose, Some(&grid));
        more.extend(vote::combine(&loose, Some(&grid)));
        more
    } else {
        Vec::new()
    };
    let mut fresh_votes: Vec<vote::Voted> = Vec::new();
    for v in more {
        if !voted
            .iter()
            .chain(&fresh_votes)
            .any(|w| w.codewords == v.codewords)
        {
            fresh_votes.push(v);
        }
    }
    let mut symbols: Vec<Symbol> = voted.iter().map(|v| symbol(image, &scanlines, v)).collect();
    // A symbol the loose ends give where one was read already can only be a misreading
    // of it; two different ones at one place, a misreading of one of them.
    let loose_symbols: Vec<Symbol> = fresh_votes
        .iter()
        .map(|v| symbol(image, &scanlines, v))
        .collect();
    let clear = |f: &Symbol| {
        !symbols
            .iter()
            .chain(page.known)
            .any(|s| locate::overlap(&s.quad, &f.quad))
            && !loose_symbols
                .iter()
                .any(|o| o.value != f.value && locate::overlap(&o.quad, &f.quad))
    };
    let kept: Vec<Symbol> = loose_symbols.iter().filter(|f| clear(f)).cloned().collect();
    symbols.extend(kept);
    if symbols.is_empty() {
        symbols.extend(code39_symbol(image, &scanlines, &code39));
    }
    let mut modules: Vec<f64> = parts.iter().flatten().map(|p| p.part.module).collect();
    modules.sort_by(f64::total_cmp);
    let seen = PartsSeen {
        count: modules.len(),
        module: modules.get(modules.len() / 2).copied(),
        longest: parts
            .iter()
            .flatten()
            .map(|p| p.part.chars.len())
            .max()
            .unwrap_or(0),
        inside: None,
        one_end: None,
    };
    let unread = if symbols.is_empty() && seen.count >= UNREAD_PARTS {
        unread_quad(image, &scanlines, &parts)
    } else {
        None
    };
    (symbols, unread, seen)
}

/// The lines of a candidate read so far ([`SampledLine`]), by their place in its lines,
/// each with the line and the samples across it it was read with.
#[derive(Default)]
struct Lines(Vec<Option<(Scanline, usize, SampledLine)>>);

impl Lines {
    /// Line `k`, `line` with `thickness` samples across it: read when first asked for.
    fn read(
        &mut self,
        image: &GrayImage,
        k: usize,
        line: &Scanline,
        thickness: usize,
    ) -> &SampledLine {
        if self.0.len() <= k {
            self.0.resize_with(k + 1, || None);
        }
        let slot = &mut self.0[k];
        if !slot
            .as_ref()
            .is_some_and(|(l, t, _)| l == line && *t == thickness)
        {
            *slot = Some((*line, thickness, SampledLine::new(image, line, thickness)));
        }
        &slot.as_ref().expect("just read").2
    }
}

/// The heads and tails of each line that lie off the symbols already read.
fn fresh(page: &Page, scanlines: &[Scanline], parts: &[Vec<LinePart>]) -> Vec<Vec<LinePart>> {
    parts
        .iter()
        .zip(scanlines)
        .map(|(line, scanline)| {
            line.iter()
                .filter(|p| {
                    let at = scanline.at(p.t);
                    let margin = KNOWN_MARGIN * p.part.module;
                    !page
                        .known
                        .iter()
                        .any(|s| locate::within(&s.quad, at, margin))
                })
                .cloned()
                .collect()
        })
        .collect()
}

/// Modules around a symbol read within which a head or a tail is one of its ends.
const KNOWN_MARGIN: f64 = 3.0;

/// Whether the heads and tails of a candidate's first lines show a symbol: one read whole,
/// a character read past a start or a stop, or one end met on two lines.
fn shows_a_symbol(parts: &[Vec<LinePart>]) -> bool {
    parts
        .iter()
        .flatten()
        .any(|p| verified(p).is_some() || p.part.chars.len() > usize::from(p.head))
        || twice_seen(parts)
}

/// Whether two lines met the same end of a symbol: a head (or a tail) read the same way
/// at about the same place along them. Text, rules and pictures show stray start and stop
/// patterns, each on one line only.
fn twice_seen(parts: &[Vec<LinePart>]) -> bool {
    parts.iter().enumerate().any(|(k, line)| {
        line.iter().any(|p| {
            parts[k + 1..]
                .iter()
                .flatten()
                .any(|q| q.head == p.head && vote::same_place(p, q))
        })
    })
}

/// Lines that must read a Code 39 symbol alike (and two thirds of the lines that read one)
/// for it to be reported.
const CODE39_LINES: usize = 3;

/// The Code 39 symbol most of a candidate's lines read, when enough of them agree.
fn code39_symbol(
    image: &GrayImage,
    scanlines: &[Scanline],
    reads: &[(usize, Line39)],
) -> Option<Symbol> {
    let text = &reads
        .iter()
        .max_by_key(|(_, r)| reads.iter().filter(|(_, o)| o.text == r.text).count())?
        .1
        .text;
    let mut agreeing: Vec<&(usize, Line39)> =
        reads.iter().filter(|(_, r)| &r.text == text).collect();
    if agreeing.len() < CODE39_LINES || 3 * agreeing.len() < 2 * reads.len() {
        return None;
    }
    agreeing.sort_by_key(|(k, _)| *k);
    let starts: Vec<(usize, f64)> = agreeing.iter().map(|(k, r)| (*k, r.start_t)).collect();
    let ends: Vec<(usize, f64)> = agreeing.iter().map(|(k, r)| (*k, r.end_t)).collect();
    let geometry = geometry(image, scanlines, &starts, &ends, Symbology::Code39);
    Some(Symbol {
        value: text.clone(),
        symbology: Symbology::Code39,
        quad: geometry.quad,
        px_per_module: geometry.px_per_module,
        code_sets: None,
    })
}

/// The symbol the votes settled, its geometry measured on the page.
fn symbol(image: &GrayImage, scanlines: &[Scanline], v: &Voted) -> Symbol {
    let geometry = geometry(image, scanlines, &v.starts, &v.ends, Symbology::Code128);
    Symbol {
        value: v.text.clone(),
        symbology: Symbology::Code128,
        quad: geometry.quad,
        px_per_module: geometry.px_per_module,
        code_sets: Some(v.code_sets.clone()),
    }
}

/// A symbol's geometry from where lines saw its start (`starts`: line, distance along it)
/// and its stop end (`ends`), each ordered by line.
fn geometry(
    image: &GrayImage,
    scanlines: &[Scanline],
    starts: &[(usize, f64)],
    ends: &[(usize, f64)],
    symbology: Symbology,
) -> locate::Geometry {
    // The symbol's ends: midway between the outermost lines' ends, which lie on the first
    // and last bars' edges, so a candidate's slightly wrong orientation does not tilt the
    // quad. The lines' ends are fitted first: the first and the last bar are parallel, so
    // both edges share one slope, and a line that grazed a bar's rounded end or a fold
    // does not tilt the axis by itself.
    let (slope, spread) = edge_slope(starts, ends);
    // Where the fitted edge crosses the lines: the median of the lines' offsets from the
    // common slope.
    let offset = |seen: &[(usize, f64)]| {
        let mut offsets: Vec<f64> = seen.iter().map(|&(k, t)| t - slope * k as f64).collect();
        offsets.sort_by(f64::total_cmp);
        offsets[offsets.len() / 2]
    };
    // The point of the fitted edge at line `k`, a fraction of the way between two lines.
    let (first, next) = (&scanlines[0], &scanlines[1.min(scanlines.len() - 1)]);
    let on_edge = |offset: f64, k: f64| {
        let t = offset + slope * k;
        [
            first.from[0] + (next.from[0] - first.from[0]) * k + first.dir[0] * t,
            first.from[1] + (next.from[1] - first.from[1]) * k + first.dir[1] * t,
        ]
    };
    let outer = |seen: &[(usize, f64)], offset: f64| {
        let at = |k: usize| scanlines[k].at(offset + slope * k as f64);
        (at(seen[0].0), at(seen[seen.len() - 1].0))
    };
    let mid = |a: [f64; 2], b: [f64; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    let (start_offset, end_offset) = (offset(starts), offset(ends));
    let (s0, s1) = outer(starts, start_offset);
    let (e0, e1) = outer(ends, end_offset);
    let mut start = mid(s0, s1);
    let mut end = mid(e0, e1);
    // The start edges of two lines apart are along the bars: the symbol's axis is
    // perpendicular to them, whatever the scan direction was. Where the lines that met
    // the start lie too near each other to give a direction (one line only saw it, the
    // others misread the first character), the stop's edges do when the lines that met it
    // lie far enough apart: the fitted slope is the bars' on a long stretch only. A start
    // edge shorter than that gives the direction only when the slopes between the lines
    // agree within a degree's tilt: a blurred stop drifting over a few lines fitted a
    // slope five times the true one, and a start edge 8 px long turned the quad 3.7° off
    // the bars (seed 269 0222).
    let edge = |a: [f64; 2], b: [f64; 2]| [b[0] - a[0], b[1] - a[1]];
    let length = |v: [f64; 2]| v[0].hypot(v[1]);
    let (first_edge, last_edge) = (edge(s0, s1), edge(e0, e1));
    let settled = || spread <= SLOPE_DOUBT * length(edge(first.from, next.from));
    let first_len = length(first_edge);
    let bar = if first_len > BAR_EDGE_PX || (first_len > 3.0 && settled()) {
        Some(first_edge)
    } else {
        Some(last_edge).filter(|&e| length(e) > BAR_EDGE_PX)
    };
    if let Some(bar) = bar {
        let bar_len = length(bar);
        let mut axis = [bar[1] / bar_len, -bar[0] / bar_len];
        let span = [end[0] - start[0], end[1] - start[1]];
        let mut along = span[0] * axis[0] + span[1] * axis[1];
        if along < 0.0 {
            axis = [-axis[0], -axis[1]];
            along = -along;
        }
        end = [start[0] + axis[0] * along, start[1] + axis[1] * along];
    } else {
        // Neither edge gives the bars' direction: both ends are taken at one level,
        // midway between the lines that met each, along the fitted edges, and the axis
        // runs along the lines. The start at its one line's level and the stop midway
        // down the symbol made a quad tilted across the bars (seed 241 0304).
        let level = |seen: &[(usize, f64)]| (seen[0].0 + seen[seen.len() - 1].0) as f64 / 2.0;
        let k = (level(starts) + level(ends)) / 2.0;
        start = on_edge(start_offset, k);
        end = on_edge(end_offset, k);
    }
    locate::measure(image, start, end, symbology)
}

/// Shortest stretch of a symbol's start or stop edge, between the outermost lines that
/// met it, whose fitted slope gives the bars' direction whatever the lines' slopes
/// between them ([`SLOPE_DOUBT`] is asked of a shorter start edge; a shorter stop edge
/// gives none), pixels: a few lines close together fit a slope that is off by degrees
/// (seed 181 0136: three lines 4 px apart across a stop, 12° off).
const BAR_EDGE_PX: f64 = 20.0;

/// Most spread of the slopes between lines that met a symbol's edges (their middle half),
/// as the tangent of a tilt across the lines, for the slope fitted to a short start edge
/// to give the bars' direction: a degree.
const SLOPE_DOUBT: f64 = 0.0175;

/// How far along its line each next line meets a symbol's first or last bar (pixels per
/// line): the median of the slopes between every two lines that met the same edge
/// (Theil–Sen), robust to a few lines that met it off true; and how far apart the middle
/// half of those slopes lie (0 with fewer than two).
fn edge_slope(starts: &[(usize, f64)], ends: &[(usize, f64)]) -> (f64, f64) {
    let mut slopes = Vec::new();
    for seen in [starts, ends] {
        for (i, &(k0, t0)) in seen.iter().enumerate() {
            for &(k1, t1) in seen[i + 1..].iter().filter(|&&(k1, _)| k1 != k0) {
                slopes.push((t1 - t0) / (k1 as f64 - k0 as f64));
            }
        }
    }
    if slopes.is_empty() {
        return (0.0, 0.0);
    }
    slopes.sort_by(f64::total_cmp);
    let n = slopes.len();
    (slopes[n / 2], slopes[3 * n / 4] - slopes[n / 4])
}

/// Where a symbol that did not decode lies: from the heads and the tails its lines read,
/// in the direction most of them were read (`None` without both).
fn unread_quad(
    image: &GrayImage,
    scanlines: &[Scanline],
    parts: &[Vec<LinePart>],
) -> Option<[[f64; 2]; 4]> {
    let all = || {
        parts
            .iter()
            .enumerate()
            .flat_map(|(k, ps)| ps.iter().map(move |p| (k, p)))
    };
    let reversed = 2 * all().filter(|(_, p)| p.reversed).count() > all().count();
    let seen = |head: bool| -> Vec<(usize, f64)> {
        all()
            .filter(|(_, p)| p.head == head && p.reversed == reversed)
            .map(|(k, p)| (k, p.t))
            .collect()
    };
    let (starts, ends) = (seen(true), seen(false));
    if starts.is_empty() || ends.is_empty() {
        return None;
    }
    Some(geometry(image, scanlines, &starts, &ends, Symbology::Code128).quad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::code128::CodeSets;
    use crate::synth::{Block, TextStyle, draw_block};

    /// `value` drawn alone on a `w` × `h` page at 254 dpi: its first bar at `x` pixels,
    /// 20 pixels from the top, `ppm` pixels per module, `height_mm` high.
    fn drawn(
        value: &str,
        sets: CodeSets,
        x: f64,
        ppm: f64,
        height_mm: f64,
        w: u32,
        h: u32,
    ) -> GrayImage {
        let mut img = GrayImage::from_pixel(w, h, image::Luma([255]));
        let block = Block {
            x_mm: x / 254.0 * 25.4,
            y_mm: 2.0,
            value: value.to_owned(),
            sets,
            x_dim_mm: ppm / 254.0 * 25.4,
            height_mm,
            legend: None,
            hri: None,
            style: TextStyle::default(),
            bar_gain_mm: 0.0,
        };
        draw_block(&mut img, &block, 254.0).unwrap();
        img
    }

    /// A 167-module symbol at 2.5 px/module from x = 40 to 457, 50 px high.
    fn long_symbol() -> GrayImage {
        drawn("10207994970", CodeSets::BOnly, 40.0, 2.5, 5.0, 900, 90)
    }

    /// Reads `img` from a candidate 100 pixels long, `half_height` high, centred on
    /// (`x`, 45) and facing along the rows.
    fn read_piece(img: &GrayImage, x: f64, half_height: f64) -> Result<Vec<Symbol>, [[f64; 2]; 4]> {
        let piece = Candidate {
            centre: [x, 45.0],
            across: [1.0, 0.0],
            half_length: 50.0,
            half_height,
            cells: 10,
        };
        let page = Page {
            image: img,
            two_level: false,
            thickness: THICKNESS,
            halfway: false,
            known: &[],
        };
        read_candidate(&page, &piece)
    }

    /// A candidate's lines are sampled once for both its reads, but a line kept at a place
    /// is read again when asked for another line there (or with more samples across it).
    #[test]
    fn a_kept_line_serves_only_the_line_it_was_read_as() {
        let img = long_symbol();
        let line = |y: f64, len: usize| Scanline {
            from: [0.0, y],
            dir: [1.0, 0.0],
            len,
        };
        let widths = |s: &SampledLine| s.meets(false, false).widths;
        let fresh = |l: &Scanline, thickness| widths(&SampledLine::new(&img, l, thickness));
        let mut lines = Lines::default();
        let across = line(45.0, 600);
        assert_eq!(
            widths(lines.read(&img, 0, &across, THICKNESS)),
            fresh(&across, THICKNESS)
        );
        // Another line at the same place: over the paper above the bars, or stopping
        // inside them.
        for other in [line(5.0, 600), line(45.0, 300)] {
            let read = widths(lines.read(&img, 0, &other, THICKNESS));
            assert_eq!(read, fresh(&other, THICKNESS));
            assert_ne!(read, fresh(&across, THICKNESS));
        }
        let thick = widths(lines.read(&img, 0, &across, 21));
        assert_eq!(thick, fresh(&across, 21));
    }

    #[test]
    fn clean_bilevel_symbols_at_1_2_pixels_per_module_read() {
        // Thresholded: every edge is off by up to half a pixel, 0.42 module; at these
        // sub-pixel phases the module taken from the outer edges drifts most of a module
        // along the symbol.
        // Every phase, as examples/bilevel_sweep draws them.
        let values = ["10001045367", "750712184", "10207994970"];
        let cases = values.into_iter().flat_map(|value| {
            [CodeSets::Shortest, CodeSets::BOnly]
                .into_iter()
                .flat_map(move |sets| (0..5).map(move |k| (value, sets, f64::from(k) / 5.0)))
        });
        for (value, sets, phase) in cases {
            let img = drawn(value, sets, 40.0 + phase, 1.2, 8.0, 700, 120);
            let img = crate::synth::degrade::threshold(&img, 128);
            let values: Vec<String> = read(&img, None)
                .symbols
                .into_iter()
                .map(|s| s.value)
                .collect();
            assert_eq!(values, vec![value.to_owned()], "{value} {sets:?} {phase}");
        }
    }

    #[test]
    fn faded_faxed_symbols_whose_thin_bars_vanish_read_pixel_by_pixel() {
        // Faded print (ink 125 on paper 225) faxed (thresholded at 140): a pixel is ink
        // only where a bar covers 85 % of it, so at 1.6 px/module one-module bars are a
        // pixel wide or gone, as each falls on the pixels. Without the pixel model 6 of
        // these 15 read (examples/bilevel_sweep).
        use crate::synth::degrade::{faded, threshold};
        let (mut read_ok, mut other) = (0, 0);
        for value in ["10001045367", "750712184", "10207994970"] {
            for phase in 0..5 {
                let img = drawn(
                    value,
                    CodeSets::BOnly,
                    40.0 + f64::from(phase) / 5.0,
                    1.6,
                    8.0,
                    700,
                    120,
                );
                let img = threshold(&faded(&img, 125, 225), 140);
                let symbols = read(&img, None).symbols;
                read_ok += usize::from(symbols.iter().any(|s| s.value == value));
                other += symbols.iter().filter(|s| s.value != value).count();
            }
        }
        assert_eq!(other, 0);
        assert!(read_ok >= 14, "{read_ok} of 15 read");
    }

    #[test]
    fn a_candidate_on_a_piece_of_a_symbol_reads_it_whole() {
        // The candidate covers only the symbol's first 80 pixels, as a strike across the
        // rest leaves.
        let read = read_piece(&long_symbol(), 80.0, 20.0).expect("a symbol");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].value, "10207994970");
    }

    #[test]
    fn a_candidate_inside_a_symbol_reaching_neither_end_reads_it_whole() {
        // The candidate is the middle of the bars, as a cross drawn over the symbol leaves:
        // its lines (x = 138–358) meet neither the start nor the stop.
        let img = long_symbol();
        let read = read_piece(&img, 248.0, 20.0).expect("a symbol");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].value, "10207994970");
        // As flat as a line of text (half-height under three median elements), the same
        // piece is not taken for part of a symbol.
        assert_eq!(read_piece(&img, 248.0, 6.0), Ok(Vec::new()));
    }

    #[test]
    fn a_symbol_settles_past_stray_ends_and_its_own_corners_not_past_another_symbol() {
        use crate::decode::code128::Partial;
        let part = |head: bool, chars: &[u8], t: f64, whole: bool| LinePart {
            part: Partial {
                chars: chars.iter().map(|&c| (c, 0.3)).collect(),
                at: 0,
                module: 2.0,
                whole,
                stopped: false,
            },
            head,
            reversed: false,
            t,
        };
        let symbol = [105u8, 12, 34, 56, 78, 90, 66];
        let read = |t: f64| {
            vec![
                part(true, &symbol, t, true),
                part(false, &symbol, t + 150.0, true),
            ]
        };
        let whole = vec![symbol.to_vec(); SETTLED];
        let settled_with = |other: Vec<LinePart>| {
            let mut parts: Vec<Vec<LinePart>> = (0..SETTLED).map(|k| read(k as f64)).collect();
            parts.push(other);
            all_settled(&parts, &whole)
        };
        assert!(settled_with(vec![]));
        // Fewer lines reading it whole than SETTLED: not settled.
        assert!(!all_settled(&[read(0.0)], &whole[..1]));
        // A line leaving the bars through a corner: its last character misread, its start
        // where the others met it.
        assert!(settled_with(vec![part(
            true,
            &[105, 12, 34, 7],
            2.0,
            false
        )]));
        // Letters or a logo beyond the quiet zone: a start pattern and a character.
        assert!(settled_with(vec![part(true, &[104, 47], 400.0, false)]));
        assert!(settled_with(vec![part(false, &[39], 420.0, false)]));
        // Characters of another symbol farther along the line keep the lines going.
        assert!(!settled_with(vec![part(
            true,
            &[104, 17, 32],
            400.0,
            false
        )]));
        assert!(!settled_with(vec![part(
            false,
            &[20, 19, 39],
            420.0,
            false
        )]));
    }

    #[test]
    fn an_end_seen_on_two_lines_is_a_symbol_stray_ends_are_not() {
        use crate::decode::code128::Partial;
        let start = |t: f64| LinePart {
            part: Partial {
                chars: vec![(104, 0.3)],
                at: 0,
                module: 2.0,
                whole: false,
                stopped: false,
            },
            head: true,
            reversed: false,
            t,
        };
        // Letters: a start pattern here and there, each on one line.
        let stray = vec![vec![start(40.0)], vec![], vec![start(300.0)], vec![]];
        assert!(!twice_seen(&stray));
        // One line meeting a start twice at one place (a variant read) is still one line.
        let one_line = vec![vec![start(40.0), start(40.5)], vec![]];
        assert!(!twice_seen(&one_line));
        // Two lines meeting a start 10 px apart at 2 px/module: a symbol's (skewed) start.
        let symbol = vec![vec![start(40.0)], vec![], vec![start(50.0)]];
        assert!(twice_seen(&symbol));
        // Not a tail at the same place, nor a head read the other way.
        let mut tail = start(40.0);
        tail.head = false;
        assert!(!twice_seen(&[vec![start(40.0)], vec![tail]]));
        let mut back = start(40.0);
        back.reversed = true;
        assert!(!twice_seen(&[vec![start(40.0)], vec![back]]));
    }

    #[test]
    fn ends_on_a_symbol_already_read_show_no_other() {
        use crate::decode::code128::Partial;
        let part = |head: bool, chars: usize, t: f64| LinePart {
            part: Partial {
                chars: vec![(12, 0.3); chars],
                at: 0,
                module: 2.0,
                whole: false,
                stopped: false,
            },
            head,
            reversed: false,
            t,
        };
        // Two horizontal lines at y = 50 and 60 from x = 0; a symbol already read spans
        // x = 100–300, y = 40–80.
        let image = GrayImage::new(8, 8);
        let known = [Symbol {
            value: "10001045367".to_owned(),
            symbology: Symbology::Code128,
            quad: [[100.0, 40.0], [300.0, 40.0], [300.0, 80.0], [100.0, 80.0]],
            px_per_module: Some(2.0),
            code_sets: Some("C".to_owned()),
        }];
        let page = Page {
            image: &image,
            two_level: false,
            thickness: THICKNESS,
            halfway: false,
            known: &known,
        };
        let lines: Vec<Scanline> = [50.0, 60.0]
            .map(|y| Scanline {
                from: [0.0, y],
                dir: [1.0, 0.0],
                len: 400,
            })
            .to_vec();
        // Its start (4 px before its quad: within 3 modules) and stop, met on both
        // lines, and a stray start further on.
        let parts = vec![
            vec![part(true, 3, 96.0), part(false, 2, 300.0)],
            vec![part(true, 3, 96.5), part(true, 1, 350.0)],
        ];
        assert!(shows_a_symbol(&parts));
        let fresh = fresh(&page, &lines, &parts);
        assert_eq!(fresh[0], vec![]);
        assert_eq!(fresh[1], vec![part(true, 1, 350.0)]);
        assert!(!shows_a_symbol(&fresh));
        // With no symbol read, the same lines show one.
        let page = Page { known: &[], ..page };
        assert!(shows_a_symbol(&super::fresh(&page, &lines, &parts)));
    }

    #[test]
    fn edge_slope_holds_against_one_line_off_true() {
        // Both edges advance 0.5 px per line; one line met the start 4 px late (a fold).
        let starts: Vec<(usize, f64)> = (0..12)
            .map(|k| (k, 100.0 + 0.5 * k as f64 + if k == 11 { 4.0 } else { 0.0 }))
            .collect();
        let ends: Vec<(usize, f64)> = (2..10).map(|k| (k, 500.0 + 0.5 * k as f64)).collect();
        let (slope, spread) = edge_slope(&starts, &ends);
        assert!((slope - 0.5).abs() < 1e-9);
        // The two outermost lines alone would have said 0.86; the middle half of the
        // slopes between lines is the true one (a few pairs with line 11 lie apart).
        assert!(((starts[11].1 - starts[0].1) / 11.0 - 0.5).abs() > 0.3);
        assert!(spread < 1e-9, "{spread}");
        assert_eq!(edge_slope(&starts[..1], &[]), (0.0, 0.0));
    }

    #[test]
    fn slopes_that_disagree_have_a_spread() {
        // A stop met by five lines whose ends drift under a blur (seed 269 0222), and a
        // start met by two: the slopes between them lie 0.19 px a line apart.
        let starts = [(11, 275.66), (15, 276.0)];
        let ends = [
            (11, 568.70),
            (15, 568.57),
            (16, 568.38),
            (17, 568.23),
            (18, 567.79),
        ];
        let (slope, spread) = edge_slope(&starts, &ends);
        assert!((slope + 0.154).abs() < 0.01, "{slope}");
        assert!(spread > 0.15, "{spread}");
    }

    #[test]
    fn a_smeared_symbol_is_measured_where_its_bars_are() {
        // Bars run together into one block 300 x 40 px, as a blurred fax leaves them; the
        // candidate is off centre and twice as high as the block.
        let mut img = GrayImage::from_pixel(500, 200, image::Luma([255]));
        for y in 80..120 {
            for x in 100..400 {
                img.put_pixel(x, y, image::Luma([20]));
            }
        }
        let c = Candidate {
            centre: [250.0, 110.0],
            across: [1.0, 0.0],
            half_length: 130.0,
            half_height: 40.0,
            cells: 60,
        };
        let q = smeared_quad(&img, &c).expect("a quad");
        let [x0, y0, x1, y1] = locate::bbox(&q);
        assert!(
            (x0 - 100.0).abs() < 3.0 && (x1 - 400.0).abs() < 3.0,
            "{q:?}"
        );
        assert!((y0 - 80.0).abs() < 3.0 && (y1 - 120.0).abs() < 3.0, "{q:?}");
        // Blank paper shows no bars to measure.
        let blank = GrayImage::from_pixel(500, 200, image::Luma([255]));
        assert_eq!(smeared_quad(&blank, &c), None);
    }

    #[test]
    fn the_probe_reads_lines_until_no_gap_is_wider_than_a_low_symbol() {
        let widest = |lines: &[usize]| {
            let mut seen = lines.to_vec();
            seen.sort();
            seen.windows(2).map(|w| w[1] - w[0]).max().unwrap()
        };
        // A candidate ten symbols tall: 48 lines 10 px apart.
        let order: Vec<usize> = spread(48).map(|k| (k + 24) % 48).collect();
        let probe = probe_lines(&order, 10.0, PROBE_GAP_PX);
        assert!(widest(&order[..probe]) as f64 * 10.0 <= PROBE_GAP_PX);
        assert!(widest(&order[..probe - 1]) as f64 * 10.0 > PROBE_GAP_PX);
        assert!(probe > PROBE);
        // A candidate a symbol tall: the six lines of the probe.
        let order: Vec<usize> = spread(12).map(|k| (k + 6) % 12).collect();
        assert_eq!(probe_lines(&order, 4.0, PROBE_GAP_PX), PROBE);
    }

    #[test]
    fn spread_visits_every_line_once_halves_first() {
        for n in [1, 2, 8, 13, 48] {
            let mut order: Vec<usize> = spread(n).collect();
            assert_eq!(order[0], 0);
            if n >= 8 {
                assert_eq!(order[1], n.next_power_of_two() / 2);
            }
            order.sort();
            assert_eq!(order, (0..n).collect::<Vec<_>>());
        }
    }
}
