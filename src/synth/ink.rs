//! Ink on synthetic pages besides the identification blocks: the page furniture (header,
//! logo, prescription lines, signature), Annexe III label outlines, hand marks on group
//! pads (circle, box, tick, arrow, highlighter, strike-outs) and the degradations that are
//! drawn rather than computed (stamps, signatures over a symbol, folds).

use image::{GrayImage, Luma};

use super::corpus::Placed;
use super::geometry::{Homography, composite};
use super::{Rng, Typeface, draw_text, stroke_ink};
use crate::locate::bbox;

/// Room left around a block's bars for its legend, HRI and quiet zones, mm.
const BLOCK_ROOM_MM: f64 = 8.0;

/// Header, prescription lines, a logo and a signature, away from the blocks (`quads`,
/// their bars in page pixels): a printed pad never prints its furniture over its symbols,
/// so the header and the logo are left out where a block sits.
pub(super) fn draw_furniture(
    page: &mut GrayImage,
    rng: &mut Rng,
    dpi: f64,
    [w_mm, h_mm]: [f64; 2],
    placed: &[Placed],
    quads: &[[[f64; 2]; 4]],
) {
    let px = |mm: f64| mm / 25.4 * dpi;
    let clear = |x0: f64, y0: f64, x1: f64, y1: f64| {
        let room = px(BLOCK_ROOM_MM);
        quads.iter().all(|q| {
            let b = bbox(q);
            b[0] - room > px(x1)
                || b[2] + room < px(x0)
                || b[1] - room > px(y1)
                || b[3] + room < px(y0)
        })
    };
    let face = *rng.pick(&Typeface::ALL);
    if clear(30.0, 4.0, 150.0, 15.0) {
        draw_header(page, face, &px);
    }
    if clear(8.0, 6.0, 24.0, 22.0) {
        draw_logo(page, &px);
    }
    // The prescription below the lowest upright block (or in the middle of the page).
    let lowest = placed
        .iter()
        .filter(|p| p.degrees == 0.0)
        .map(|p| p.at_mm[1] + p.block.height_mm + 10.0)
        .filter(|y| *y < h_mm * 0.6)
        .fold(60.0, f64::max);
    let lines = [
        "ORDONNANCE",
        "Mme Martin Jeanne, née le 01/02/1950",
        "1) Paracétamol 1 g : 1 cp matin, midi et soir, 5 jours",
        "2) Amoxicilline 1 g : 1 cp matin et soir, 7 jours",
        "3) Ibuprofène 400 mg si douleur, max 3 par jour",
    ];
    let left = if placed
        .iter()
        .any(|p| p.degrees != 0.0 && p.degrees.abs() > 45.0)
    {
        35.0
    } else {
        12.0
    };
    for (i, l) in lines.iter().enumerate() {
        draw_text(
            page,
            face,
            px(left),
            px(lowest + 8.0 * i as f64),
            px(2.4),
            l,
        );
    }
    // Signature.
    let (sx, sy) = (w_mm - 55.0, (lowest + 50.0).min(h_mm - 50.0));
    let mut p = [px(sx), px(sy)];
    for _ in 0..8 {
        let q = [
            p[0] + px(rng.range(2.0, 6.0)),
            px(sy + rng.range(-5.0, 5.0)),
        ];
        stroke_ink(page, p, q, px(0.4), 30);
        p = q;
    }
}

/// The hospital's name and service at the top of the page.
fn draw_header(page: &mut GrayImage, face: Typeface, px: &impl Fn(f64) -> f64) {
    draw_text(
        page,
        face,
        px(30.0),
        px(8.0),
        px(2.6),
        "Centre Hospitalier de Saint-Exemple",
    );
    draw_text(
        page,
        face,
        px(30.0),
        px(13.0),
        px(1.8),
        "Service de médecine - 1 rue de la Santé",
    );
}

/// The logo: a filled square with a white cross, top left.
fn draw_logo(page: &mut GrayImage, px: &impl Fn(f64) -> f64) {
    super::fill_rect(page, px(8.0), px(6.0), px(24.0), px(22.0));
    let white = |img: &mut GrayImage, x0: f64, y0: f64, x1: f64, y1: f64| {
        for y in px(y0) as u32..px(y1) as u32 {
            for x in px(x0) as u32..px(x1) as u32 {
                if x < img.width() && y < img.height() {
                    img.put_pixel(x, y, Luma([255]));
                }
            }
        }
    };
    white(page, 14.0, 8.0, 18.0, 20.0);
    white(page, 10.0, 12.0, 22.0, 16.0);
}

/// The outline of an Annexe III label (63.5 × 33.9 mm) around the sticker's blocks.
pub(super) fn draw_sticker_outline(
    page: &mut GrayImage,
    placed: &[Placed],
    dpi: f64,
    legend_mm: f64,
) {
    let Some(first) = placed.first() else {
        return;
    };
    let px = |mm: f64| mm / 25.4 * dpi;
    let (s, c) = first.degrees.to_radians().sin_cos();
    let top = 1.0 + 2.0 + legend_mm;
    // Label origin: the first block sits at (4, top) in label coordinates.
    let o = [
        first.at_mm[0] - (c * 4.0 - s * top),
        first.at_mm[1] - (s * 4.0 + c * top),
    ];
    let corner = |x: f64, y: f64| [px(o[0] + c * x - s * y), px(o[1] + s * x + c * y)];
    let corners = [
        corner(0.0, 0.0),
        corner(63.5, 0.0),
        corner(63.5, 33.9),
        corner(0.0, 33.9),
    ];
    for i in 0..4 {
        stroke_ink(page, corners[i], corners[(i + 1) % 4], px(0.2), 170);
    }
}

/// The grey a highlighter leaves on white paper: lighter than any threshold a bilevel
/// scan or a fax applies, so such scans lose it.
pub(super) const HIGHLIGHTER_INK: u8 = 200;

/// Hand marks on group pads: circle, box, tick, arrow, highlighter, or strike-outs.
/// Returns, per placed block, whether its mark is a highlighter.
pub(super) fn draw_marks(
    page: &mut GrayImage,
    rng: &mut Rng,
    case: &str,
    placed: &[Placed],
    quads: &[[[f64; 2]; 4]],
    dpi: f64,
) -> Vec<bool> {
    let px = |mm: f64| mm / 25.4 * dpi;
    let pen = px(rng.range(0.3, 0.8));
    let ink = rng.range(0.0, 110.0) as u8;
    let mut highlighted = vec![false; placed.len()];
    for ((p, q), highlighted) in placed.iter().zip(quads).zip(&mut highlighted) {
        let b = bbox(q);
        let (x0, y0, x1, y1) = (
            b[0] - px(3.0),
            b[1] - px(6.0),
            b[2] + px(3.0),
            b[3] + px(6.0),
        );
        match (case, p.marked) {
            ("group_marked" | "group_two_marked", Some(true)) => match rng.below(5) {
                0 => ellipse(
                    page,
                    [(x0 + x1) / 2.0, (y0 + y1) / 2.0],
                    [(x1 - x0) / 1.7, (y1 - y0) / 1.5],
                    pen,
                    ink,
                ),
                1 => {
                    let c = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
                    for i in 0..4 {
                        stroke_ink(page, c[i], c[(i + 1) % 4], pen, ink);
                    }
                }
                2 => {
                    let (tx, ty) = (x0 - px(8.0), (y0 + y1) / 2.0);
                    stroke_ink(page, [tx, ty], [tx + px(3.0), ty + px(4.0)], pen, ink);
                    stroke_ink(
                        page,
                        [tx + px(3.0), ty + px(4.0)],
                        [tx + px(8.0), ty - px(6.0)],
                        pen,
                        ink,
                    );
                }
                3 => {
                    let (tip, y) = (x0 - px(1.0), (y0 + y1) / 2.0);
                    stroke_ink(page, [tip - px(12.0), y + px(4.0)], [tip, y], pen, ink);
                    stroke_ink(page, [tip, y], [tip - px(4.0), y - px(1.0)], pen, ink);
                    stroke_ink(page, [tip, y], [tip - px(2.5), y + px(3.0)], pen, ink);
                }
                _ => {
                    let y = (b[1] + b[3]) / 2.0;
                    stroke_ink(
                        page,
                        [b[0] - px(2.0), y],
                        [b[2] + px(2.0), y],
                        b[3] - b[1] + px(4.0),
                        HIGHLIGHTER_INK,
                    );
                    *highlighted = true;
                }
            },
            ("group_struck", Some(false)) => {
                stroke_ink(page, [b[0], b[1]], [b[2], b[3]], pen, ink);
                if rng.chance(0.5) {
                    stroke_ink(page, [b[0], b[3]], [b[2], b[1]], pen, ink);
                }
            }
            _ => {}
        }
    }
    highlighted
}

fn ellipse(page: &mut GrayImage, c: [f64; 2], r: [f64; 2], pen: f64, ink: u8) {
    let n = 48;
    let at = |k: usize| {
        let t = std::f64::consts::TAU * k as f64 / n as f64;
        [c[0] + r[0] * t.cos(), c[1] + r[1] * t.sin()]
    };
    for k in 0..n {
        stroke_ink(page, at(k), at(k + 1), pen, ink);
    }
}

/// A rubber stamp whose top edge and text cross the lower part of one symbol.
pub(super) fn draw_stamp(page: &mut GrayImage, rng: &mut Rng, quads: &[[[f64; 2]; 4]], dpi: f64) {
    let Some(q) = (!quads.is_empty()).then(|| quads[rng.below(quads.len() as u64) as usize]) else {
        return;
    };
    let px = |mm: f64| mm / 25.4 * dpi;
    let b = bbox(&q);
    let top = b[1] + (b[3] - b[1]) * rng.range(0.6, 0.8);
    let left = b[0] + (b[2] - b[0]) * rng.range(-0.2, 0.5);
    let (w, h) = (px(40.0), px(18.0));
    let ink = rng.range(90.0, 150.0) as u8;
    let c = [
        [left, top],
        [left + w, top],
        [left + w, top + h],
        [left, top + h],
    ];
    for i in 0..4 {
        stroke_ink(page, c[i], c[(i + 1) % 4], px(0.7), ink);
    }
    let mut layer = GrayImage::from_pixel(w as u32, h as u32, Luma([255]));
    draw_text(
        &mut layer,
        Typeface::SansBold,
        px(2.0),
        px(3.0),
        px(3.0),
        "CACHET DU MEDECIN",
    );
    draw_text(
        &mut layer,
        Typeface::Sans,
        px(2.0),
        px(9.0),
        px(2.5),
        "Dr Exemple - Medecine",
    );
    for p in layer.pixels_mut() {
        p.0[0] = 255 - ((255 - u32::from(p.0[0])) * (255 - u32::from(ink)) / 255) as u8;
    }
    composite(page, &layer, &Homography::translate(left, top));
}

/// A signature scribbled across one symbol.
pub(super) fn draw_signature_over(
    page: &mut GrayImage,
    rng: &mut Rng,
    quads: &[[[f64; 2]; 4]],
    dpi: f64,
) {
    let Some(q) = (!quads.is_empty()).then(|| quads[rng.below(quads.len() as u64) as usize]) else {
        return;
    };
    let px = |mm: f64| mm / 25.4 * dpi;
    let b = bbox(&q);
    let ink = rng.range(0.0, 100.0) as u8;
    let mut p = [
        b[0] + (b[2] - b[0]) * rng.range(0.0, 0.4),
        b[3] - (b[3] - b[1]) * 0.2,
    ];
    for _ in 0..6 {
        let next = [
            p[0] + px(rng.range(2.0, 5.0)),
            b[1] + (b[3] - b[1]) * rng.range(0.5, 1.3),
        ];
        stroke_ink(page, p, next, px(0.5), ink);
        p = next;
    }
}

/// A fold across the page through one symbol: a grey crease and a slightly darker side.
pub(super) fn draw_fold(page: &mut GrayImage, rng: &mut Rng, quads: &[[[f64; 2]; 4]], dpi: f64) {
    let Some(q) = (!quads.is_empty()).then(|| quads[rng.below(quads.len() as u64) as usize]) else {
        return;
    };
    let px = |mm: f64| mm / 25.4 * dpi;
    let b = bbox(&q);
    let through = [
        (b[0] + b[2]) / 2.0 + (b[2] - b[0]) * rng.range(-0.3, 0.3),
        (b[1] + b[3]) / 2.0,
    ];
    let angle = rng.range(-20.0, 20.0) + if rng.chance(0.5) { 90.0 } else { 0.0 };
    let (s, c) = f64::to_radians(angle).sin_cos();
    let far = f64::from(page.width() + page.height());
    let a = [through[0] - c * far, through[1] - s * far];
    let z = [through[0] + c * far, through[1] + s * far];
    for (x, y, p) in page.enumerate_pixels_mut() {
        let side = (f64::from(x) - through[0]) * s - (f64::from(y) - through[1]) * c;
        if side > 0.0 {
            p.0[0] = (f64::from(p.0[0]) * 0.93) as u8;
        }
    }
    stroke_ink(
        page,
        a,
        z,
        px(rng.range(0.2, 0.5)),
        rng.range(120.0, 180.0) as u8,
    );
}
