//! Whether a symbol's legend and HRI are still on the image: the corpus truth's
//! `legend_legible` and `hri_legible`, decided the way [`super::legibility`] decides the
//! bars' `readable` — by an *oracle* that knows where, at what size and in which typeface
//! every line was printed, so as lenient as a reader can be.
//!
//! The oracle sees the image as ink and paper ([`Seen`]): a thresholded scan as written; a
//! grey scan as the page was before the scan, its black print less what ink as dark as
//! print covers (a stamp's grey ink does not hide it; a grey scan keeps the rest: blur and
//! fading only move it). It redraws the line, then one rival at a time, exactly where the
//! line was printed and through the same geometry (and half a pixel either way), and asks
//! how likely the image's ink and paper are under each drawing, for two ways a print
//! degrades ((`NOISES`)):
//! - an HRI digit is on the image when its own glyph is `ODDS` times likelier over its
//!   cell than each other digit, than nothing (the cell left blank) and than the cell all
//!   ink; the HRI is on the image when every digit is but one at most, which the number's
//!   check key restores (as the bars' check character restores one lost character);
//! - a legend's kind is on the image when one of its kind's spellings (the printed one
//!   among them) is `ODDS` times likelier than every spelling of the other kinds, than
//!   nothing and than all ink;
//! - a digit (or a legend) more than a tenth of whose ink falls past the image's edge
//!   (`CUT`) is off the image: the top rows a scan cut short may tell a digit from the
//!   other digits' top rows by a few pixels, which no reader reads.
//!
//! A fax that erased a line to specks, or a black stamp over it, leaves it off the image:
//! what no reader can see is not counted against the text reader (`ordoscan-eval text`
//! scores both ways).

use image::{GrayImage, Luma};

use super::TextLine;
use super::geometry::Homography;
use crate::ids::IdKind;
use crate::locate::sample;

/// What the oracle sees of an image.
pub struct Seen<'a> {
    /// The image.
    pub page: &'a GrayImage,
    /// A pixel darker than this is ink.
    pub ink_below: u8,
    /// Where a point of the canvas the line was drawn on lies on `page`.
    pub to_page: Homography,
}

impl Seen<'_> {
    /// The same image with the line moved by up to [`NUDGE`] pixel either way on it:
    /// drawing, warping and scanning each place a pixel's value up to half a pixel off,
    /// and a stroke one pixel wide is lost to a one-pixel error.
    fn nudged(&self) -> impl Iterator<Item = Seen<'_>> {
        let steps = [0.0, -NUDGE, NUDGE];
        steps.into_iter().flat_map(move |dy| {
            steps.into_iter().map(move |dx| Seen {
                page: self.page,
                ink_below: self.ink_below,
                to_page: Homography::translate(dx, dy).after(&self.to_page),
            })
        })
    }
}

/// How far, in image pixels, the oracle tries the line either way of where it was drawn.
const NUDGE: f64 = 0.5;

/// The pixels of the image around a line: each as the point of the line's canvas it shows
/// (relative to the window's corner) and whether it is ink.
struct Window {
    x0: i32,
    y0: i32,
    w: u32,
    h: u32,
    points: Vec<([f64; 2], bool)>,
}

impl Window {
    /// The window of the canvas around `line` (room for `chars` characters) and the image
    /// pixels that show it.
    fn around(seen: &Seen, line: &TextLine, chars: usize) -> Window {
        let em = line.size / 0.73;
        let x0 = (line.x - em).floor() as i32;
        let y0 = (line.y - 0.8 * line.size).floor() as i32;
        let w = (em * (chars as f64 + 2.0)).ceil() as u32;
        let h = (2.6 * line.size).ceil() as u32 + 2;
        let mut window = Window {
            x0,
            y0,
            w,
            h,
            points: Vec::new(),
        };
        let Some(back) = seen.to_page.inverse() else {
            return window;
        };
        let (fx, fy) = (f64::from(x0), f64::from(y0));
        let corners = [
            [0.0, 0.0],
            [f64::from(w), 0.0],
            [f64::from(w), f64::from(h)],
            [0.0, f64::from(h)],
        ]
        .map(|[x, y]| seen.to_page.apply([x + fx, y + fy]));
        let [bx0, by0, bx1, by1] = crate::locate::bbox(&corners);
        let (pw, ph) = seen.page.dimensions();
        for y in (by0.floor().max(0.0) as u32)..(by1.ceil().max(0.0) as u32).min(ph) {
            for x in (bx0.floor().max(0.0) as u32)..(bx1.ceil().max(0.0) as u32).min(pw) {
                // As the drawing and the scan sampled: the pixel's corner, mapped back.
                let [cx, cy] = back.apply([f64::from(x), f64::from(y)]);
                let local = [cx - fx, cy - fy];
                if local[0] >= 0.0
                    && local[1] >= 0.0
                    && local[0] <= f64::from(w - 1)
                    && local[1] <= f64::from(h - 1)
                {
                    let ink = seen.page.get_pixel(x, y).0[0] < seen.ink_below;
                    window.points.push((local, ink));
                }
            }
        }
        window
    }

    /// `line` printing `text`, drawn on the window's canvas.
    fn canvas(&self, line: &TextLine, text: &str) -> GrayImage {
        let mut canvas = GrayImage::from_pixel(self.w, self.h, Luma([255]));
        let mut shifted = line.with_text(text);
        shifted.x -= f64::from(self.x0);
        shifted.y -= f64::from(self.y0);
        shifted.draw(&mut canvas);
        canvas
    }

    /// Per point, whether `canvas` puts ink there.
    fn mask(&self, canvas: &GrayImage) -> Vec<bool> {
        self.points
            .iter()
            .map(|&([x, y], _)| sample(canvas, x, y) < 128.0)
            .collect()
    }

    /// The box of the points `inked` says are ink (by index).
    fn ink_box(&self, inked: impl Fn(usize) -> bool) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for (i, &(p, _)) in self.points.iter().enumerate() {
            if inked(i) {
                b = [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ];
            }
        }
        b
    }

    /// The share of the canvas pixels `inked` says are ink that fall off the image.
    fn cut_share(&self, seen: &Seen, inked: impl Fn(u32, u32) -> bool) -> f64 {
        let (pw, ph) = seen.page.dimensions();
        let (pw, ph) = (f64::from(pw), f64::from(ph));
        let on_page = |[px, py]: [f64; 2]| px >= 0.0 && py >= 0.0 && px < pw && py < ph;
        let (x0, y0) = (f64::from(self.x0), f64::from(self.y0));
        let (w, h) = (f64::from(self.w), f64::from(self.h));
        let corners = [[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]];
        if corners.iter().all(|&c| on_page(seen.to_page.apply(c))) {
            return 0.0;
        }
        let (mut ink, mut off) = (0u32, 0u32);
        for y in 0..self.h {
            for x in 0..self.w {
                if inked(x, y) {
                    ink += 1;
                    let p = [f64::from(x) + x0, f64::from(y) + y0];
                    if !on_page(seen.to_page.apply(p)) {
                        off += 1;
                    }
                }
            }
        }
        if ink == 0 {
            0.0
        } else {
            f64::from(off) / f64::from(ink)
        }
    }

    /// The window with only the points within a pixel of the canvas pixels `inked` says
    /// are ink.
    fn only(&self, inked: impl Fn(u32, u32) -> bool) -> Window {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for y in 0..self.h {
            for x in 0..self.w {
                if inked(x, y) {
                    let (x, y) = (f64::from(x), f64::from(y));
                    b = [
                        b[0].min(x - 1.0),
                        b[1].min(y - 1.0),
                        b[2].max(x + 1.0),
                        b[3].max(y + 1.0),
                    ];
                }
            }
        }
        Window {
            points: self
                .points
                .iter()
                .filter(|&&([x, y], _)| x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3])
                .copied()
                .collect(),
            ..*self
        }
    }

    /// How likely the image is over the points `take` keeps if `mask` was printed there
    /// and then degraded by `noise` (log-likelihood).
    fn score(&self, mask: &[bool], take: &[bool], noise: Noise) -> f64 {
        let (lost, added) = noise;
        self.points
            .iter()
            .zip(mask)
            .zip(take)
            .filter(|(_, t)| **t)
            .map(|((&(_, ink), &m), _)| match (m, ink) {
                (true, true) => (1.0 - lost).ln(),
                (true, false) => lost.ln(),
                (false, false) => (1.0 - added).ln(),
                (false, true) => added.ln(),
            })
            .sum()
    }
}

/// A degradation of the print, as the chance that a pixel of ink comes out as paper and
/// that a pixel of paper comes out as ink.
type Noise = (f64, f64);

/// The degradations the oracle reads under; a line is on the image when it is the likeliest
/// print under one of them: pixels flipped either way alike (noise, spread ink), or ink
/// often lost and seldom added (a faded print thresholded, a fax: a glyph with an eighth of
/// its ink left in the right places still tells).
const NOISES: [Noise; 2] = [(0.2, 0.2), (0.75, 0.05)];

/// Per point, whether it lies in the box that holds the ink of every mask in `masks`.
fn in_box(window: &Window, masks: &[&[bool]]) -> Vec<bool> {
    let b = window.ink_box(|i| masks.iter().any(|m| m[i]));
    window
        .points
        .iter()
        .map(|&([x, y], _)| x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3])
        .collect()
}

/// The share of a glyph's (or a legend's) ink that may fall off the image, cut by the
/// scan's edge, for it to be on the image: what is cut off is not seen, and the top rows of
/// a digit left by the edge may tell it from the other digits' top rows by a few pixels,
/// which no reader can read.
const CUT: f64 = 0.1;

/// How many times likelier the printed text must be than each rival for the oracle to tell
/// it: a likelihood ratio (a hair's breadth between a few specks and blank paper is not a
/// legend).
const ODDS: f64 = 100.0;

/// Whether, under one of the [`NOISES`], the likeliest of the `own` masks is [`ODDS`] times
/// likelier than every rival mask, than nothing and than all ink, over the points `take`
/// keeps.
fn beats_all(window: &Window, own: &[&[bool]], rivals: &[Vec<bool>], take: &[bool]) -> bool {
    let all = vec![true; window.points.len()];
    let none = vec![false; window.points.len()];
    NOISES.iter().any(|&noise| {
        let best = own
            .iter()
            .map(|m| window.score(m, take, noise))
            .fold(f64::MIN, f64::max);
        let mut others = rivals.iter().chain([&all, &none]);
        others.all(|r| best > window.score(r, take, noise) + ODDS.ln())
    })
}

/// Whether every digit of the HRI `line` but one at most (which the number's check key
/// restores) can still be told on the image.
pub fn digits_survive(seen: &Seen, line: &TextLine) -> bool {
    seen.nudged().any(|seen| digits_survive_here(&seen, line))
}

/// [`digits_survive`], with the line exactly where `seen` maps it.
fn digits_survive_here(seen: &Seen, line: &TextLine) -> bool {
    let chars: Vec<char> = line.text.chars().collect();
    let window = Window::around(seen, line, chars.len());
    if window.points.is_empty() {
        return false;
    }
    let whole = window.canvas(line, &line.text);
    let lost = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_digit())
        .filter(|&i| {
            let prefix: String = chars[..i].iter().collect();
            let before = window.canvas(line, &prefix);
            let with: Vec<GrayImage> = ('0'..='9')
                .map(|d| window.canvas(line, &format!("{prefix}{d}")))
                .collect();
            // The digit's cell: the box of what any digit adds to the line up to it.
            let cell = window.only(|x, y| {
                let ink = |c: &GrayImage| c.get_pixel(x, y).0[0] < 128;
                !ink(&before) && with.iter().any(ink)
            });
            let own_index = chars[i] as usize - '0' as usize;
            let own_ink = |x, y| {
                let ink = |c: &GrayImage| c.get_pixel(x, y).0[0] < 128;
                ink(&with[own_index]) && !ink(&before)
            };
            if window.cut_share(seen, own_ink) > CUT {
                return true;
            }
            let before = cell.mask(&before);
            let glyphs: Vec<Vec<bool>> = with
                .iter()
                .map(|w| {
                    let w = cell.mask(w);
                    w.iter().zip(&before).map(|(&w, &b)| w && !b).collect()
                })
                .collect();
            let own = &glyphs[own_index];
            // The cell less its neighbours' ink.
            let take: Vec<bool> = cell
                .mask(&whole)
                .iter()
                .zip(own)
                .map(|(&w, &o)| o || !w)
                .collect();
            let rivals: Vec<Vec<bool>> = glyphs
                .iter()
                .enumerate()
                .filter(|&(d, _)| d != own_index)
                .map(|(_, g)| g.clone())
                .collect();
            !beats_all(&cell, &[own], &rivals, &take)
        })
        .take(2)
        .count();
    lost <= 1
}

/// Whether the legend `line` (of `kind`) can still be told from every spelling of another
/// kind in `spellings`.
pub fn legend_kind_survives(
    seen: &Seen,
    line: &TextLine,
    kind: IdKind,
    spellings: &[(&str, IdKind)],
) -> bool {
    seen.nudged()
        .any(|seen| legend_kind_survives_here(&seen, line, kind, spellings))
}

/// [`legend_kind_survives`], with the line exactly where `seen` maps it.
fn legend_kind_survives_here(
    seen: &Seen,
    line: &TextLine,
    kind: IdKind,
    spellings: &[(&str, IdKind)],
) -> bool {
    let longest = spellings
        .iter()
        .map(|s| s.0.chars().count())
        .chain([line.text.chars().count()])
        .max()
        .unwrap_or(0);
    let window = Window::around(seen, line, longest);
    let printed = window.canvas(line, &line.text);
    if window.points.is_empty()
        || window.cut_share(seen, |x, y| printed.get_pixel(x, y).0[0] < 128) > CUT
    {
        return false;
    }
    let own_kind: Vec<Vec<bool>> = spellings
        .iter()
        .filter(|s| s.1 == kind)
        .map(|s| s.0)
        .chain([line.text.as_str()])
        .map(|t| window.mask(&window.canvas(line, t)))
        .collect();
    let rivals: Vec<Vec<bool>> = spellings
        .iter()
        .filter(|s| s.1 != kind)
        .map(|s| window.mask(&window.canvas(line, s.0)))
        .collect();
    let masks: Vec<&[bool]> = own_kind.iter().chain(&rivals).map(Vec::as_slice).collect();
    let take = in_box(&window, &masks);
    let own: Vec<&[bool]> = own_kind.iter().map(Vec::as_slice).collect();
    beats_all(&window, &own, &rivals, &take)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Typeface;

    const SPELLINGS: [(&str, IdKind); 3] = [
        ("N° RPPS", IdKind::Rpps),
        ("N° FINESS", IdKind::Finess),
        ("N° AM", IdKind::Am),
    ];

    fn line(text: &str, size: f64) -> TextLine {
        TextLine {
            typeface: Typeface::Sans,
            x: 20.0,
            y: 20.0,
            size,
            text: text.to_owned(),
        }
    }

    fn printed(l: &TextLine) -> GrayImage {
        let mut page = GrayImage::from_pixel(400, 80, Luma([255]));
        l.draw(&mut page);
        page
    }

    fn seen(page: &GrayImage) -> Seen<'_> {
        Seen {
            page,
            ink_below: 128,
            to_page: Homography::identity(),
        }
    }

    #[test]
    fn printed_text_is_on_the_image_and_blank_paper_is_not() {
        let hri = line("10 1234 5678 9", 24.0);
        let legend = line("N° FINESS", 12.0);
        let paper = GrayImage::from_pixel(400, 80, Luma([255]));
        assert!(digits_survive(&seen(&printed(&hri)), &hri));
        assert!(!digits_survive(&seen(&paper), &hri));
        let page = printed(&legend);
        assert!(legend_kind_survives(
            &seen(&page),
            &legend,
            IdKind::Finess,
            &SPELLINGS
        ));
        assert!(!legend_kind_survives(
            &seen(&paper),
            &legend,
            IdKind::Finess,
            &SPELLINGS
        ));
        // Printed in another place, it is not this line.
        let mut moved = legend.clone();
        moved.y += 30.0;
        assert!(!legend_kind_survives(
            &seen(&page),
            &moved,
            IdKind::Finess,
            &SPELLINGS
        ));
    }

    #[test]
    fn digits_under_black_blots_or_mostly_erased_are_off_the_image() {
        let hri = line("10123456789", 24.0);
        let mut page = printed(&hri);
        assert!(digits_survive(&seen(&page), &hri));
        // A blot over most of a digit (the n-th cell starts about n advances in): one
        // digit lost
        // is restored by the check key, two are not.
        let adv = 24.0 / 0.73 * 0.636;
        for (n, survives) in [(3.0, true), (7.0, false)] {
            let x = (20.0 + (n + 0.1) * adv) as u32;
            for y in 10..50 {
                for dx in 0..(adv * 0.8) as u32 {
                    page.put_pixel(x + dx, y, Luma([0]));
                }
            }
            assert_eq!(digits_survive(&seen(&page), &hri), survives, "{n}");
        }
        // Every other row of the print wiped away still shows every digit; nine rows in
        // ten do not.
        let mut striped = printed(&hri);
        for (_, y, p) in striped.enumerate_pixels_mut() {
            if y % 2 == 0 {
                p.0[0] = 255;
            }
        }
        assert!(digits_survive(&seen(&striped), &hri));
        let mut wiped = printed(&hri);
        for (_, y, p) in wiped.enumerate_pixels_mut() {
            if y % 10 != 0 {
                p.0[0] = 255;
            }
        }
        assert!(!digits_survive(&seen(&wiped), &hri));
    }

    #[test]
    fn digits_or_a_legend_cut_by_the_images_edge_are_off_the_image() {
        let hri = line("10123456789", 24.0);
        let legend = line("N° FINESS", 12.0);
        for (l, on) in [(&hri, true), (&legend, false)] {
            let page = printed(l);
            let rows: Vec<u32> = (0..page.height())
                .filter(|&y| (0..page.width()).any(|x| page.get_pixel(x, y).0[0] < 128))
                .collect();
            let (top, foot) = (rows[0], rows[rows.len() - 1] + 1);
            // The scan ends a row below the print, three quarters of the way down it, and
            // its top row.
            for (end, survives) in [
                (foot + 1, true),
                (top + (foot - top) * 3 / 4, false),
                (top + 1, false),
            ] {
                let cut = image::imageops::crop_imm(&page, 0, 0, page.width(), end).to_image();
                let told = if on {
                    digits_survive(&seen(&cut), l)
                } else {
                    legend_kind_survives(&seen(&cut), l, IdKind::Finess, &SPELLINGS)
                };
                assert_eq!(told, survives, "{} cut at {end} ({top}..{foot})", l.text);
            }
        }
    }
}
