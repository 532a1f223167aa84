//! The legend, matched as a whole line: the line's ink is compared with each known
//! spelling rendered in each DejaVu face (and, from 10 px capitals, each office face:
//! [`Typeface::OFFICE`]) at the measured size, by the correlation of their
//! normalised grey images. A legend is only named when one spelling clearly wins and its
//! kind beats every spelling of the other kinds.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::glyphs::{ink_box, render};
use super::strip::{Blob, Recall, Strip, TextLine, dot, footprint, from_image, normalised};
use crate::ids::IdKind;
use crate::synth::Typeface;

/// The spellings looked for, with their kinds (Annexe I and what pads print).
pub const SPELLINGS: [(&str, IdKind); 12] = [
    ("N° RPPS", IdKind::Rpps),
    ("N°RPPS", IdKind::Rpps),
    ("No RPPS", IdKind::Rpps),
    ("N° R.P.P.S.", IdKind::Rpps),
    ("RPPS :", IdKind::Rpps),
    ("RPPS", IdKind::Rpps),
    ("N° FINESS", IdKind::Finess),
    ("FINESS", IdKind::Finess),
    ("N°FINESS", IdKind::Finess),
    ("N° AM", IdKind::Am),
    ("N° A.M.", IdKind::Am),
    ("AM", IdKind::Am),
];

/// Rows a line is resampled to.
const ROWS: usize = 16;

/// Step of the widths (columns) lines and references are resampled to.
const COLS_STEP: usize = 4;

/// Lowest correlation accepted for the winner.
const MIN_SCORE: f32 = 0.55;
/// How far the winner must beat the best spelling of another kind.
const MIN_LEAD: f32 = 0.06;
/// How far a winner of another kind than the value's must be ahead (a legend mismatch
/// fails the page: it must be clear).
const DIFFER_LEAD: f32 = 0.3;
/// A winner of the value's kind is taken from this correlation… (at 0.35 a 1 mm
/// "FINESS" in DejaVu Sans Mono on a 150 dpi bilevel scan confirmed "RPPS" at 0.38 and
/// hid the misprint; none of eight corpora confirms a legend between 0.35 and 0.4)
const CONFIRM_SCORE: f32 = 0.4;
/// …when this far ahead of every spelling of another kind.
const CONFIRM_LEAD: f32 = 0.12;

/// A matched legend.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Match {
    pub(crate) text: &'static str,
    pub(crate) kind: IdKind,
    pub(crate) score: f32,
    pub(crate) lead: f32,
    /// The face ([`Typeface::READ`]) the spelling looked most like in.
    pub(crate) face: usize,
}

impl Match {
    /// A match made by [`likeliest_kind`], which has no correlation to give.
    pub(crate) fn weighed(text: &'static str, kind: IdKind) -> Self {
        Match {
            text,
            kind,
            score: f32::NAN,
            lead: f32::NAN,
            face: usize::MAX,
        }
    }

    /// Whether the match would name its kind without a value to confirm.
    pub(crate) fn is_clear(&self) -> bool {
        self.score >= MIN_SCORE && self.lead >= MIN_LEAD
    }

    /// Whether the match would confirm a value of its kind.
    pub(crate) fn would_confirm(&self) -> bool {
        self.score >= CONFIRM_SCORE && self.lead >= CONFIRM_LEAD
    }

    /// Whether the match names its kind beside a value of kind `expected` (the decoded
    /// value's shape): clearly, and very clearly when the kinds differ (so that a wrong
    /// legend still shows), or more weakly to confirm it.
    pub(crate) fn accepted(&self, expected: Option<IdKind>) -> bool {
        let differs = expected.is_some_and(|e| e != self.kind);
        let clear = self.is_clear() && (!differs || self.lead >= DIFFER_LEAD);
        clear || (expected == Some(self.kind) && self.would_confirm())
    }
}

/// A spelling rendered in one face: its ink and the box around it.
struct Reference {
    text: &'static str,
    /// Which of [`Typeface::READ`] it is drawn in.
    face: usize,
    ink: Strip,
    bbox: Blob,
    /// Its shape resampled to so many columns, by column count.
    shapes: Mutex<HashMap<usize, Option<Arc<Vec<f32>>>>>,
    /// Its inked pixels as runs along its rows, from its box's corner, and their count.
    runs: OnceLock<(Vec<Run>, usize)>,
}

impl Reference {
    /// Its inked pixels as runs along its rows, and how many pixels they hold.
    fn runs(&self) -> (&[Run], usize) {
        let (runs, pixels) = self.runs.get_or_init(|| {
            let b = &self.bbox;
            let inked = (b.y0..b.y1)
                .flat_map(|y| (b.x0..b.x1).map(move |x| (x, y)))
                .filter(|&(x, y)| self.ink.at(x, y) > REFERENCE_INK)
                .map(|(x, y)| (x - b.x0, y - b.y0));
            let (mut runs, mut pixels): (Vec<Run>, usize) = (Vec::new(), 0);
            for (x, y) in inked {
                pixels += 1;
                match runs.last_mut() {
                    Some(r) if r.dy == y && r.x1 == x => r.x1 += 1,
                    _ => runs.push(Run {
                        dy: y,
                        x0: x,
                        x1: x + 1,
                    }),
                }
            }
            (runs, pixels)
        });
        (runs, *pixels)
    }

    fn shape(&self, cols: usize) -> Option<Arc<Vec<f32>>> {
        let mut shapes = self.shapes.lock().ok()?;
        shapes
            .entry(cols)
            .or_insert_with(|| normalised(&self.ink, &self.bbox, cols, ROWS).map(Arc::new))
            .clone()
    }
}

/// Capitals from this high (pixels) are matched in the office faces too
/// ([`Typeface::OFFICE`]); smaller ones, a few pixels a stroke, do not tell the faces
/// apart, and more faces only add chances of a spelling of another kind looking like
/// what is left of a small legend: a 1 mm "FINESS" on a 150 dpi bilevel scan, 6 px
/// capitals, confirmed "RPPS" in Liberation Sans at 0.45; at 8 px, a bilevel "No RPPS"
/// (seed 7 0251) looked like "N°FINESS" in Liberation Serif, and was not read.
const OFFICE_CAP_PX: f64 = 10.0;

/// Whether `r` is drawn in a DejaVu face. Specks are weighed pixel by pixel
/// ([`likeliest_kind`], [`kind_as_printed`]) in these only (in all of them where the page's
/// legends look most like office faces): weighed in the office faces
/// too, a thin misprinted "FINESS" a fax left as strokes apart (seed 79 0374), whose
/// page's other legend looked most like Liberation Serif, came out likelier as
/// "N° R.P.P.S.", and the misprint was hidden.
fn dejavu(r: &&Reference) -> bool {
    Typeface::READ[r.face].is_dejavu()
}

/// The size [`references`] are rendered at for capitals `cap_px` high, in half pixels.
fn reference_size(cap_px: f64) -> u32 {
    (cap_px * 2.0).round().clamp(4.0, 200.0) as u32
}

/// Every spelling in every face rendered at `cap_px` (to the half pixel), made once per
/// size and shared.
fn references(cap_px: f64) -> Arc<Vec<Reference>> {
    static CACHE: OnceLock<Mutex<HashMap<u32, Arc<Vec<Reference>>>>> = OnceLock::new();
    let key = reference_size(cap_px);
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(r) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return r;
    }
    let mut refs = Vec::new();
    // Indices into [`Typeface::READ`], whose first faces are [`Typeface::ALL`].
    let faces = if f64::from(key) / 2.0 >= OFFICE_CAP_PX {
        &Typeface::READ[..]
    } else {
        &Typeface::ALL[..]
    };
    for (text, _) in SPELLINGS {
        for (face, &typeface) in faces.iter().enumerate() {
            let ink = from_image(&render(typeface, text, f64::from(key) / 2.0));
            if let Some(bbox) = ink_box(&ink, REFERENCE_INK) {
                refs.push(Reference {
                    text,
                    face,
                    ink,
                    bbox,
                    shapes: Mutex::default(),
                    runs: OnceLock::new(),
                });
            }
        }
    }
    let refs = Arc::new(refs);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, refs.clone());
    }
    refs
}

/// The spelling the line `line` (capitals `cap_px` high) looks most like, with its score
/// and lead: whether it names a legend depends on the value's kind
/// ([`Match::accepted`]).
pub(crate) fn best_match(strip: &Strip, line: &Blob, cap_px: f64) -> Option<Match> {
    let mut key = footprint(strip, line);
    key.push(reference_size(cap_px));
    Recall::get(&MATCHES, key, || match_line(strip, line, cap_px))
}

/// The best match of the line `line` of `strip` ([`best_match`]): on the box of all its
/// ink, and, when ink joined to a character stands out of the rows its characters share
/// ([`TextLine::letters_box`]), on those rows too — the higher score of the two. A
/// stamp's speck joined under one capital stretched a clear "N° FINESS" a quarter taller
/// than its letters, and resampled to that box it correlated 0.31 with its own spelling
/// (0.82 on the letters' rows): over an RPPS, the misprint was hidden (seed 127 0363).
pub(crate) fn line_match(strip: &Strip, line: &TextLine) -> Option<Match> {
    let whole = best_match(strip, &line.bbox, line.cap_px);
    let letters = line.letters_box();
    if letters == line.bbox {
        return whole;
    }
    match (whole, best_match(strip, &letters, line.cap_px)) {
        (Some(w), Some(l)) => Some(if l.score > w.score { l } else { w }),
        (w, l) => w.or(l),
    }
}

thread_local! {
    /// A line is cut out alike at several thresholds and in several views of a strip:
    /// its match is remembered by what it reads of the strip and the references' size.
    static MATCHES: RefCell<Recall<Option<Match>>> = RefCell::default();
}

/// Forgets the matches this thread remembers ([`best_match`]).
pub(crate) fn forget() {
    MATCHES.with_borrow_mut(Recall::clear);
}

/// [`best_match`] without the memory.
fn match_line(strip: &Strip, line: &Blob, cap_px: f64) -> Option<Match> {
    let qa = line.w() as f32 / line.h() as f32;
    // Columns in steps of COLS_STEP: the references resampled to a width are kept, and
    // lines a few columns apart share them (an aspect off by at most 2 columns in 16 rows'
    // height changes the correlation by little).
    let cols = ((ROWS as f32 * qa / COLS_STEP as f32).round() as usize * COLS_STEP).clamp(4, 200);
    let q = normalised(strip, line, cols, ROWS)?;
    let mut best: Vec<(f32, &'static str, IdKind, usize)> = SPELLINGS
        .iter()
        .map(|&(t, k)| (f32::MIN, t, k, 0))
        .collect();
    for r in references(cap_px).iter() {
        let ra = r.bbox.w() as f32 / r.bbox.h() as f32;
        let ratio = (qa / ra).ln().abs();
        if ratio > 0.35 {
            continue;
        }
        let Some(t) = r.shape(cols) else {
            continue;
        };
        let cos = dot(&q, &t);
        if let Some(slot) = best.iter_mut().find(|b| b.1 == r.text)
            && cos - 0.5 * ratio > slot.0
        {
            (slot.0, slot.3) = (cos - 0.5 * ratio, r.face);
        }
    }
    let &(score, text, kind, face) = best.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let other = best
        .iter()
        .filter(|b| b.2 != kind)
        .map(|b| b.0)
        .fold(f32::MIN, f32::max);
    let lead = score - other.max(0.0);
    Some(Match {
        text,
        kind,
        score,
        lead,
        face,
    })
}

/// The pixels of a strip that are ink above a level, counted along its rows: a stretch
/// of a row, a box, a reference's runs placed anywhere are counted in a step a row
/// (nothing off the strip is ink).
struct InkCounts {
    w: usize,
    h: usize,
    /// Row by row, the ink pixels before each column, and the row's count at its end.
    before: Vec<u32>,
}

impl InkCounts {
    fn new(strip: &Strip, level: f32) -> InkCounts {
        let mut before = Vec::with_capacity((strip.w + 1) * strip.h);
        for row in strip.ink.chunks_exact(strip.w) {
            let mut n = 0;
            before.push(n);
            for &v in row {
                n += u32::from(v > level);
                before.push(n);
            }
        }
        InkCounts {
            w: strip.w,
            h: strip.h,
            before,
        }
    }

    /// The ink pixels of row `y` from column `x0` up to `x1`.
    fn in_row(&self, y: i64, x0: i64, x1: i64) -> u32 {
        if y < 0 || y >= self.h as i64 || x1 <= x0 {
            return 0;
        }
        let column = |x: i64| x.clamp(0, self.w as i64) as usize;
        let row = &self.before[y as usize * (self.w + 1)..][..=self.w];
        row[column(x1)] - row[column(x0)]
    }

    /// The ink pixels of columns `x0` up to `x1` of rows `y0` up to `y1`.
    fn in_box(&self, [x0, y0, x1, y1]: [i64; 4]) -> u32 {
        (y0..y1).map(|y| self.in_row(y, x0, x1)).sum()
    }

    /// The ink pixels under a reference's runs ([`Reference::runs`]) with its box's corner
    /// at `(x, y)`.
    fn under(&self, runs: &[Run], x: i64, y: i64) -> u32 {
        runs.iter()
            .map(|r| self.in_row(y + r.dy as i64, x + r.x0 as i64, x + r.x1 as i64))
            .sum()
    }
}

/// A run of a reference's inked pixels along one of its rows: row `dy` from its box's
/// top, columns `x0` up to `x1` from its left.
#[derive(Clone, Copy, Debug)]
struct Run {
    dy: usize,
    x0: usize,
    x1: usize,
}

/// The log-likelihood ratios, against blank paper, of a reference's pixel seen as ink and
/// as paper, under the degradation `(shows, added)` (see [`NOISES`]).
fn weights((shows, added): (f32, f32)) -> (f32, f32) {
    ((shows / added).ln(), ((1.0 - shows) / (1.0 - added)).ln())
}

/// A rendered reference's pixel is ink above this level.
const REFERENCE_INK: f32 = 110.0;

/// How a thresholded legend's pixels may have come out: (chance that printed ink shows as
/// ink, chance that paper does). Pixels flipped alike (a noisy threshold), or ink lost
/// often and seldom added (a faded fax that left the letters as specks).
const NOISES: [(f32, f32); 2] = [(0.8, 0.2), (0.25, 0.05)];
/// How much likelier one kind's spellings must make the pixels than every rival. Pixels
/// are weighed as if each came out on its own, but a blurred speck covers several: the
/// odds so found overstate. At 100, tiny misprinted "FINESS" legends on 150 and 200 dpi
/// scans confirmed RPPS (four of 900 when either degradation could name a kind, one when
/// the likelier degradation names it); at 10⁴, none did.
const ODDS: f32 = 1e4;
/// Cap heights tried about the line's own, pixels: specks make it low.
const CAP_TRIES: [f64; 4] = [-1.0, 0.0, 1.0, 2.0];
/// Rows a spelling's box may be placed above or below the line's.
const ROW_TRIES: i64 = 2;

/// Which kind the ink above `level` around the line `line` of `strip` (capitals about
/// `cap_px` high) names, weighed pixel by pixel: every spelling in every face, a little
/// taller or shorter, starting within a capital's height of the line's first ink, against
/// blank paper and the line's box all inked. Of the [`NOISES`], the one under which the
/// likeliest of these explains the pixels around the line best is the judge: `Some(kind)`
/// when there that kind's likeliest spelling (given with it) makes the pixels [`ODDS`]
/// times likelier than every spelling of another kind and both rivals. A line of specks
/// (a small legend on a faded fax) keeps too little of each letter for its shape to be
/// compared once resampled ([`best_match`]); where its specks lie and where none do still
/// tell a long word from a short one, and one spelling's letters from another's.
pub(crate) fn likeliest_kind(
    strip: &Strip,
    line: &Blob,
    cap_px: f64,
    level: f32,
) -> Option<(IdKind, &'static str)> {
    let inked = InkCounts::new(strip, level);
    let weights = NOISES.map(weights);
    // Best log-likelihood ratio against blank paper, by kind and degradation.
    let mut best = [[(f32::MIN, ""); NOISES.len()]; 3];
    let slot = |k: IdKind| match k {
        IdKind::Rpps => 0,
        IdKind::Finess => 1,
        _ => 2,
    };
    let before = (cap_px.round() as i64).max(1);
    for extra in CAP_TRIES {
        let cap = cap_px + extra;
        if cap < 4.0 {
            continue;
        }
        // The DejaVu faces only, as in [`kind_as_printed`].
        for r in references(cap).iter().filter(dejavu) {
            let Some(&(_, kind)) = SPELLINGS.iter().find(|s| s.0 == r.text) else {
                continue;
            };
            let (runs, pixels) = r.runs();
            let h = r.bbox.h() as i64;
            // The spelling's bottom on the line's, give or take a few rows.
            let y_base = line.y1 as i64 - h;
            for y in y_base - ROW_TRIES..=y_base + ROW_TRIES {
                for x in line.x0 as i64 - before..=line.x0 as i64 + before {
                    let hits = inked.under(runs, x, y) as f32;
                    let misses = pixels as f32 - hits;
                    for (m, (hit, miss)) in weights.iter().enumerate() {
                        let llr = hits * hit + misses * miss;
                        let b = &mut best[slot(kind)][m];
                        if llr > b.0 {
                            *b = (llr, r.text);
                        }
                    }
                }
            }
        }
    }
    // The line's box all inked; and the pixels around the line, to weigh how well each
    // degradation explains them.
    let [x0, y0, x1, y1] = [line.x0, line.y0, line.x1, line.y1].map(|v| v as i64);
    let box_all = (line.w() * line.h()) as f32;
    let box_hits = inked.in_box([x0, y0, x1, y1]) as f32;
    let around = [x0 - before, y0 - ROW_TRIES, x1 + before, y1 + ROW_TRIES];
    let around_all = ((around[2] - around[0]).max(0) * (around[3] - around[1]).max(0)) as f32;
    let around_hits = inked.in_box(around) as f32;
    let kinds = [IdKind::Rpps, IdKind::Finess, IdKind::Am];
    // Per degradation: the likeliest hypothesis's log-likelihood ratio against blank
    // paper, and its kind's lead over every rival.
    let judged = NOISES
        .iter()
        .zip(weights)
        .enumerate()
        .map(|(m, (&(_, added), (hit, miss)))| {
            let all_ink = box_hits * hit + (box_all - box_hits) * miss;
            let blank = around_hits * added.ln() + (around_all - around_hits) * (1.0 - added).ln();
            let rivals = |kind: IdKind| {
                kinds
                    .into_iter()
                    .filter(|&k| k != kind)
                    .map(|k| best[slot(k)][m].0)
                    .fold(all_ink.max(0.0), f32::max)
            };
            let (kind, (llr, text)) = kinds
                .into_iter()
                .map(|k| (k, best[slot(k)][m]))
                .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
                .expect("three kinds");
            let likeliest = blank + llr.max(all_ink).max(0.0);
            (likeliest, kind, text, llr - rivals(kind))
        });
    // Judged under the degradation that explains the pixels best.
    let (_, kind, text, lead) = judged.max_by(|a, b| a.0.total_cmp(&b.0))?;
    (lead >= ODDS.ln()).then_some((kind, text))
}

/// How a legend left as specks came out: (chance that printed ink shows as ink, chance
/// that paper does) — the second of the [`NOISES`]. Only specks are weighed where the page
/// prints its legends: a legend whose ink is all there is read by its shape, and blurred
/// bold capitals run into one blob that any long word fits where the shapes are not
/// weighed (a "N° A.M." in DejaVu Sans Bold at 150 dpi confirmed "N° RPPS" under the
/// first).
const SPECKS: (f32, f32) = NOISES[1];

/// The chances that paper shows as ink the specks of a legend are weighed under
/// ([`kind_as_printed`]), the strip thresholded at `level`: [`SPECKS`]'s, and the share of
/// the strip's pixels that are ink (an upper bound, the legend's own ink among them), no
/// less than [`CLEAN_PAPER`]. A fax may leave its paper far cleaner than one pixel in
/// twenty (seed 163 0172: one in a thousand): there a speck where a letter was printed
/// tells much more, and weighed as if paper were that dirty, a longer word's specks lost
/// to the shortest spelling that fits its "N°".
fn paper_chances(strip: &Strip, level: f32) -> Vec<f32> {
    let inked = strip.ink.iter().filter(|&&v| v > level).count() as f32;
    let share = (inked / strip.ink.len().max(1) as f32).clamp(CLEAN_PAPER, SPECKS.1);
    if share < SPECKS.1 {
        vec![SPECKS.1, share]
    } else {
        vec![SPECKS.1]
    }
}

/// The cleanest paper a legend's specks are weighed on ([`paper_chances`]): a speck where
/// a letter was printed is weighed as at most this many times likelier ink than paper.
const CLEAN_PAPER: f32 = 0.002;

/// A spelling weighed where a page prints its legends: its log-likelihood ratio against
/// blank paper, its text and its box ([`kind_as_printed`]).
type Weighed = (f32, &'static str, Blob);

/// Where a page prints its legends, in one symbol's strip above the bars: the column of
/// the line's first ink (legends left-aligned) or of its middle (centred).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Anchor {
    Left(f64),
    Centre(f64),
}

/// Which kind the ink above `level` in `strip` names where the page prints its legends:
/// every spelling in the faces `faces` (of [`Typeface::READ`]), capitals `cap_px` high
/// (half a pixel either way), placed as one of `anchors` says and its foot on row `foot`
/// (a pixel either way). The page's other legends say where and how: every kind is
/// weighed at the same few places, so that no rival is weighed wherever fits it best (as
/// [`likeliest_kind`] must). For each chance of paper showing as ink the specks are
/// weighed under ([`paper_chances`]): `Some` when, as specks ([`SPECKS`], paper showing
/// as ink with that chance), one kind's spellings make the pixels [`ODDS`] times likelier
/// than every spelling of another kind, blank paper and the word's box all inked; with
/// the spelling and its box. The odds a speck counts for grow as paper is cleaner, and so
/// do the odds asked for: a blurred speck covers several pixels, weighed as if each came
/// out on its own, and the odds found overstate as much.
pub(crate) fn kind_as_printed(
    strip: &Strip,
    level: f32,
    faces: &[usize],
    cap_px: f64,
    anchors: &[Anchor],
    foot: f64,
) -> Vec<Option<(IdKind, &'static str, Blob)>> {
    let inked = InkCounts::new(strip, level);
    let papers: Vec<(f32, f32)> = paper_chances(strip, level)
        .into_iter()
        .map(|paper| weights((SPECKS.0, paper)))
        .collect();
    let kinds = [IdKind::Rpps, IdKind::Finess, IdKind::Am];
    // By paper and kind: the best log-likelihood ratio against blank paper, the spelling,
    // its box.
    let mut best: Vec<[Option<Weighed>; 3]> = vec![[None; 3]; papers.len()];
    let any_face = !faces.iter().any(|&f| Typeface::READ[f].is_dejavu());
    for cap in [cap_px - 0.5, cap_px, cap_px + 0.5] {
        if cap < 4.0 {
            continue;
        }
        for r in references(cap)
            .iter()
            .filter(|r| any_face || faces.contains(&r.face))
            .filter(dejavu)
        {
            let Some(k) = SPELLINGS
                .iter()
                .find(|s| s.0 == r.text)
                .and_then(|s| kinds.iter().position(|&k| k == s.1))
            else {
                continue;
            };
            let (runs, pixels) = r.runs();
            let (w, h) = (r.bbox.w() as i64, r.bbox.h() as i64);
            for anchor in anchors {
                let x0 = match *anchor {
                    Anchor::Left(x) => x.round() as i64,
                    Anchor::Centre(c) => (c - w as f64 / 2.0).round() as i64,
                };
                for (dx, dy) in (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| (dx, dy))) {
                    let (x, y) = (x0 + dx, foot.round() as i64 + dy - h);
                    if x < 0 || y < 0 {
                        continue;
                    }
                    let hits = inked.under(runs, x, y) as f32;
                    let (x, y) = (x as usize, y as usize);
                    let placed = Blob {
                        x0: x,
                        y0: y,
                        x1: x + w as usize,
                        y1: y + h as usize,
                        area: 0,
                    };
                    for (best, &(hit, miss)) in best.iter_mut().zip(&papers) {
                        let llr = hits * hit + (pixels as f32 - hits) * miss;
                        if best[k].is_none_or(|b| llr > b.0) {
                            best[k] = Some((llr, r.text, placed));
                        }
                    }
                }
            }
        }
    }
    let judged = |best: &[Option<Weighed>; 3], (hit, miss): (f32, f32)| {
        let k = (0..3).max_by(|&a, &b| {
            let llr = |i: usize| best[i].map_or(f32::MIN, |b| b.0);
            llr(a).total_cmp(&llr(b))
        })?;
        let (llr, text, placed) = best[k]?;
        let box_hits =
            inked.in_box([placed.x0, placed.y0, placed.x1, placed.y1].map(|v| v as i64)) as f32;
        let all_ink = box_hits * hit + ((placed.w() * placed.h()) as f32 - box_hits) * miss;
        let rival = (0..3)
            .filter(|&j| j != k)
            .filter_map(|j| best[j].map(|b| b.0))
            .fold(all_ink.max(0.0), f32::max);
        let odds = ODDS.ln() * hit / weights(SPECKS).0;
        (llr - rival >= odds).then_some((kinds[k], text, placed))
    };
    best.iter()
        .zip(papers)
        .map(|(best, weights)| judged(best, weights))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Ink counted along rows is ink counted pixel by pixel: under runs placed anywhere,
        /// partly or wholly off the strip, and in boxes.
        #[test]
        fn ink_counted_along_rows_is_ink_counted_pixel_by_pixel(
            w in 1usize..30,
            h in 1usize..20,
            seed in any::<u64>(),
            level in 0.0f32..255.0,
            runs in proptest::collection::vec((0usize..12, 0usize..25, 0usize..8), 0..10),
            at in proptest::array::uniform4(-40i64..50),
        ) {
            let mut state = seed | 1;
            let ink: Vec<f32> = (0..w * h)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 256) as f32
                })
                .collect();
            let strip = Strip { w, h, ink, origin_mm: [0.0, 0.0], per_mm: 1.0 };
            let inked = |x: i64, y: i64| {
                (0..w as i64).contains(&x)
                    && (0..h as i64).contains(&y)
                    && strip.at(x as usize, y as usize) > level
            };
            let counts = InkCounts::new(&strip, level);
            let runs: Vec<Run> = runs.into_iter().map(|(dy, x0, n)| Run { dy, x0, x1: x0 + n }).collect();
            let [x, y, x1, y1] = at;
            let by_pixel = runs
                .iter()
                .flat_map(|r| (r.x0..r.x1).map(move |dx| (dx, r.dy)))
                .filter(|&(dx, dy)| inked(x + dx as i64, y + dy as i64))
                .count() as u32;
            prop_assert_eq!(counts.under(&runs, x, y), by_pixel);
            let in_box = (y..y1).flat_map(|j| (x..x1).map(move |i| (i, j))).filter(|&(i, j)| inked(i, j)).count() as u32;
            prop_assert_eq!(counts.in_box([x, y, x1, y1]), in_box);
        }
    }
}
