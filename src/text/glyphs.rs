//! Digit classification for the human-readable line: reference glyphs rendered once from
//! the faces a pad is printed in (several sizes, blurred, thickened and thinned as scans
//! are), compared to each cut-out character by the correlation of their normalised grey
//! shapes. A line is printed in one face: its characters are read in the [`Hand`] its
//! characters look most like ([`hand_of`]), the DejaVu faces together or one office face.

use std::cell::RefCell;
use std::sync::OnceLock;

use image::{GrayImage, Luma};

use super::strip::{Blob, Recall, Strip, blobs, dot, footprint, from_image, normalised};
use crate::synth::{Typeface, degrade, draw_text};

/// Grid a character is resampled to.
pub(crate) const COLS: usize = 10;
pub(crate) const ROWS: usize = 14;

/// The faces a line of digits is read in: the DejaVu faces together (the faces the
/// reader was first made for, whose five hands share most shapes), or one of the office
/// faces ([`Typeface::OFFICE`]) alone. Reading every line in all nine faces at once reads
/// one face's digit as another face's (a stamp's capitals as digits of some face, a
/// misprint as the value's digit in a face it is not printed in): a line keeps to one
/// hand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hand(Option<usize>);

/// How many faces the reader knows ([`Typeface::READ`]).
const FACES: usize = Typeface::READ.len();

impl Hand {
    /// The DejaVu faces.
    pub(crate) const DEJAVU: Hand = Hand(None);

    /// Whether the hand has the face at `f` in [`Typeface::READ`].
    fn has(self, f: usize) -> bool {
        match self.0 {
            None => Typeface::READ[f].is_dejavu(),
            Some(face) => face == f,
        }
    }
}

/// A reference glyph: which digit, in which face ([`Typeface::READ`]), its shape and the
/// logarithm of its width / height.
struct Reference {
    digit: u8,
    face: usize,
    shape: Shape,
    ln_aspect: f32,
}

/// A character's shape as [`normalised`] makes it, [`COLS`] × [`ROWS`] samples: of a
/// size known where it is compared ([`dot`] with a fixed number of steps).
type Shape = [f32; COLS * ROWS];

/// A character's best reading in one hand: the digit, its distance, and the distance of
/// every digit; and the distance of every digit in every face.
#[derive(Clone, Debug)]
pub(crate) struct Guess {
    pub(crate) digit: u8,
    pub(crate) by_digit: [f32; 10],
    by_face: [[f32; 10]; FACES],
}

impl Guess {
    /// The reading whose distances are `by_digit` in every face.
    #[cfg(test)]
    pub(crate) fn new(by_digit: [f32; 10]) -> Guess {
        Guess::in_faces([by_digit; FACES], Hand::DEJAVU)
    }

    fn in_faces(by_face: [[f32; 10]; FACES], hand: Hand) -> Guess {
        let mut by_digit = [f32::MAX; 10];
        let in_hand = by_face.iter().enumerate().filter(|&(f, _)| hand.has(f));
        for distances in in_hand.map(|(_, d)| d) {
            for (slot, &d) in by_digit.iter_mut().zip(distances) {
                *slot = slot.min(d);
            }
        }
        let digit = (0..10u8)
            .min_by(|&a, &b| by_digit[usize::from(a)].total_cmp(&by_digit[usize::from(b)]))
            .unwrap_or(0);
        Guess {
            digit,
            by_digit,
            by_face,
        }
    }

    /// The same character read in `hand`.
    pub(crate) fn in_hand(&self, hand: Hand) -> Guess {
        Guess::in_faces(self.by_face, hand)
    }

    /// The distance of the likeliest digit in the face at `f`.
    fn best_in(&self, f: usize) -> f32 {
        self.by_face[f].iter().copied().fold(f32::MAX, f32::min)
    }

    /// The distance of the likeliest digit in any face of `hand`.
    fn best_in_hand(&self, hand: Hand) -> f32 {
        (0..FACES)
            .filter(|&f| hand.has(f))
            .map(|f| self.best_in(f))
            .fold(f32::MAX, f32::min)
    }

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
        for (f, face) in Typeface::READ.into_iter().enumerate() {
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
                        if let Some(shape) = normalised_shape(&strip, &b) {
                            refs.push(Reference {
                                digit,
                                face: f,
                                shape,
                                ln_aspect: (b.w() as f32 / b.h() as f32).ln(),
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
/// `cap_px` high and is printed in `hand`; `None` when it cannot be a digit (too small,
/// flat).
pub(crate) fn classify(strip: &Strip, b: &Blob, cap_px: f64, hand: Hand) -> Option<Guess> {
    if (b.h() as f64) < 0.7 * cap_px || b.h() < 4 {
        return None;
    }
    Recall::get(&GUESSES, footprint(strip, b), || guess(strip, b)).map(|g| g.in_hand(hand))
}

/// The hand a line whose characters read as `guesses` is printed in: an office face
/// when its characters, summed, lie nearer that face's digits than the DejaVu faces' (a
/// character's nearest digit in any of them) by [`HAND_LEAD`] a character; the DejaVu
/// faces otherwise. Characters far from every digit of every face (a stamp's letters, a
/// mark) say nothing, and fewer than [`HAND_CHARS`] characters do not tell a face.
pub(crate) fn hand_of(guesses: &[Guess]) -> Hand {
    let near: Vec<&Guess> = guesses
        .iter()
        .filter(|g| (0..FACES).any(|f| g.best_in(f) < HAND_NEAR))
        .collect();
    if near.len() < HAND_CHARS {
        return Hand::DEJAVU;
    }
    let total = |hand: Hand| near.iter().map(|g| g.best_in_hand(hand)).sum::<f32>();
    let dejavu = total(Hand::DEJAVU);
    // The office faces follow the DejaVu faces in [`Typeface::READ`]: one hand each.
    (Typeface::ALL.len()..FACES)
        .map(|f| Hand(Some(f)))
        .map(|h| (h, total(h)))
        .filter(|&(_, t)| t < dejavu - HAND_LEAD * near.len() as f32)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(Hand::DEJAVU, |(h, _)| h)
}

/// How much nearer, a character, a line's characters must lie to an office face's digits
/// than to the nearest DejaVu face's for the line to be read in that face.
const HAND_LEAD: f32 = 0.03;
/// Fewest characters that tell a line's face (a run of an HRI's digits a mark cut short
/// is [`super::RUN_DIGITS`] long).
const HAND_CHARS: usize = 6;
/// Farthest a character may lie from every digit of a face and still tell the faces apart.
const HAND_NEAR: f32 = 0.42;

thread_local! {
    /// The same character is cut out alike at several thresholds and in several of a
    /// strip's views: its guess is remembered by what it reads of the strip.
    static GUESSES: RefCell<Recall<Option<Guess>>> = RefCell::default();
}

/// Forgets the guesses this thread remembers ([`classify`]).
pub(crate) fn forget() {
    GUESSES.with_borrow_mut(Recall::clear);
}

/// The [`Shape`] of the character cut out as `b` in `strip` ([`normalised`]).
fn normalised_shape(strip: &Strip, b: &Blob) -> Option<Shape> {
    normalised(strip, b, COLS, ROWS)?.try_into().ok()
}

/// [`classify`] without the size check or the memory.
fn guess(strip: &Strip, b: &Blob) -> Option<Guess> {
    let shape = normalised_shape(strip, b)?;
    let ln_aspect = (b.w() as f32 / b.h() as f32).ln();
    let mut by_face = [[f32::MAX; 10]; FACES];
    for r in references() {
        let cos = dot(&r.shape, &shape);
        let d = 1.0 - cos + 0.5 * (ln_aspect - r.ln_aspect).abs();
        let slot = &mut by_face[r.face][usize::from(r.digit)];
        *slot = slot.min(d);
    }
    Some(Guess::in_faces(by_face, Hand::DEJAVU))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A character `near` from the digit 3 in the faces `faces` picks out of
    /// [`Typeface::READ`], and `far` from it in every other, and from every other digit
    /// in every face.
    fn character(faces: impl Fn(Typeface) -> bool, near: f32, far: f32) -> Guess {
        let mut by_face = [[far; 10]; FACES];
        for (f, face) in Typeface::READ.into_iter().enumerate() {
            by_face[f][3] = if faces(face) { near } else { far };
        }
        Guess::in_faces(by_face, Hand::DEJAVU)
    }

    /// A line whose characters lie clearly nearer one office face's digits than any
    /// DejaVu face's is read in that face; one nearer by less than [`HAND_LEAD`] a
    /// character, or nearer a DejaVu face's, in the DejaVu faces; characters far from
    /// every face's digits (a stamp's letters) weigh nothing.
    #[test]
    fn a_line_is_read_in_the_face_its_characters_lie_nearest() {
        let serif = Typeface::READ
            .iter()
            .position(|&f| f == Typeface::OfficeSerif)
            .map(|f| Hand(Some(f)));
        let line = |office: f32, dejavu: f32| {
            let mut chars: Vec<Guess> = (0..10)
                .map(|_| character(|f| f == Typeface::OfficeSerif, office, 0.5))
                .map(|g| {
                    let mut by_face = g.by_face;
                    for (f, face) in Typeface::READ.into_iter().enumerate() {
                        if face.is_dejavu() {
                            by_face[f][3] = dejavu;
                        }
                    }
                    Guess::in_faces(by_face, Hand::DEJAVU)
                })
                .collect();
            // Two stamp letters, nearest a DejaVu digit by far, but far from every digit.
            chars.extend((0..2).map(|_| character(Typeface::is_dejavu, HAND_NEAR + 0.01, 0.9)));
            hand_of(&chars)
        };
        // Too few characters tell no face.
        let few: Vec<Guess> = (0..HAND_CHARS - 1)
            .map(|_| character(|f| f == Typeface::OfficeSerif, 0.1, 0.5))
            .collect();
        assert_eq!(hand_of(&few), Hand::DEJAVU);
        assert_eq!(Some(line(0.2, 0.3)), serif);
        assert_eq!(line(0.2, 0.2 + 0.5 * HAND_LEAD), Hand::DEJAVU);
        assert_eq!(line(0.3, 0.2), Hand::DEJAVU);
        // Read in the Serif hand, a character reads the Serif face's digits.
        let g = character(|f| f == Typeface::OfficeSerif, 0.2, 0.5).in_hand(line(0.2, 0.3));
        assert_eq!((g.digit, g.distance()), (3, 0.2));
        let g = g.in_hand(Hand::DEJAVU);
        assert_eq!(g.distance(), 0.5);
    }
}
