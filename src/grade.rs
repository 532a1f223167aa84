//! Print quality: an estimate of the ISO/IEC 15416 symbol grade, for printers and
//! hospitals checking fresh pads and label sheets (`--grade`).
//!
//! Ten scan reflectance profiles cross the symbol between 10 % and 90 % of its height, as
//! the standard asks. On each, with reflectance `R` = grey / 255: symbol contrast
//! `SC = Rmax − Rmin`, `Rmin ≤ 0.5 Rmax`, the least edge contrast between neighbouring
//! elements `ECmin`, modulation `MOD = ECmin / SC`, defects (the largest reflectance
//! swing inside one element over `SC`), and whether the profile decodes. Each parameter
//! is graded 4 (A) to 0 (F) with the standard's thresholds, the profile takes its worst
//! grade, and the symbol grade is the mean over the profiles.
//!
//! It is an estimate: a scanner is no verifier (no calibrated aperture, illumination or
//! reflectance standard), so it tells a pad printed pale, blotchy or smeared from a
//! crisp one, not a certified grade.

use image::GrayImage;

use crate::decode::scan::{Scanline, read_line};
use crate::decode::{Symbol, Symbology};
use crate::locate::{min_max, profile};

/// Profiles across the symbol.
const PROFILES: usize = 10;
/// Grade below which a symbol gets `low_grade` (C, the usual minimum).
pub const MIN_GRADE: f64 = 1.5;

/// The symbol's grade (0.0 F – 4.0 A), `None` when its quad gives no profile or it is
/// not Code 128 (the profiles' decode is Code 128's).
pub fn grade(image: &GrayImage, symbol: &Symbol) -> Option<f64> {
    if symbol.symbology != Symbology::Code128 {
        return None;
    }
    let [q0, q1, _, q3] = symbol.quad;
    let lerp =
        |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    let length = (q1[0] - q0[0]).hypot(q1[1] - q0[1]);
    if length < 10.0 {
        return None;
    }
    let u = [(q1[0] - q0[0]) / length, (q1[1] - q0[1]) / length];
    // Quiet zones on both sides: 10 modules, or a tenth of the symbol.
    let margin = symbol.px_per_module.map_or(0.1 * length, |m| 10.0 * m);
    let grades: Vec<f64> = (0..PROFILES)
        .map(|k| {
            let t = 0.1 + 0.8 * k as f64 / (PROFILES - 1) as f64;
            let a = lerp(q0, q3, t);
            let line = Scanline {
                from: [a[0] - u[0] * margin, a[1] - u[1] * margin],
                dir: u,
                len: (length + 2.0 * margin).ceil() as usize,
            };
            let decodes = read_line(image, &line).is_some_and(|r| r.decoded.text == symbol.value);
            let reflectance: Vec<f64> = profile(image, line.from, line.dir, line.len)
                .into_iter()
                .map(|v| v / 255.0)
                .collect();
            profile_grade(&reflectance, decodes)
        })
        .collect();
    Some(grades.iter().sum::<f64>() / grades.len() as f64)
}

/// The letter of a grade (ISO/IEC 15416: A ≥ 3.5, B ≥ 2.5, C ≥ 1.5, D ≥ 0.5, else F).
pub fn letter(grade: f64) -> char {
    match grade {
        g if g >= 3.5 => 'A',
        g if g >= 2.5 => 'B',
        g if g >= 1.5 => 'C',
        g if g >= 0.5 => 'D',
        _ => 'F',
    }
}

/// The grade of one scan reflectance profile: its worst parameter.
fn profile_grade(r: &[f64], decodes: bool) -> f64 {
    let (rmin, rmax) = min_max(r);
    let sc = rmax - rmin;
    if !decodes || sc <= 0.0 || rmin > 0.5 * rmax {
        return 0.0;
    }
    let elements = elements(r, (rmax + rmin) / 2.0);
    // Edge contrast: between the extremes of neighbouring elements.
    let ec_min = elements
        .windows(2)
        .map(|w| (w[0].extreme - w[1].extreme).abs())
        .fold(f64::MAX, f64::min);
    let ern_max = elements.iter().map(|e| e.swing).fold(0.0, f64::max);
    let by = |v: f64, steps: [f64; 4]| steps.iter().filter(|&&s| v >= s).count() as f64;
    let sc_grade = by(sc, [0.20, 0.40, 0.55, 0.70]);
    let ec_grade = if ec_min >= 0.15 { 4.0 } else { 0.0 };
    let mod_grade = by(ec_min / sc, [0.40, 0.50, 0.60, 0.70]);
    let defects = ern_max / sc;
    let defect_grade = [0.15, 0.20, 0.25, 0.30]
        .iter()
        .filter(|&&s| defects > s)
        .count();
    let defect_grade = 4.0 - defect_grade as f64;
    [sc_grade, ec_grade, mod_grade, defect_grade]
        .into_iter()
        .fold(4.0, f64::min)
}

/// A bar or a space of a profile: its extreme reflectance (darkest of a bar, lightest of
/// a space), and its inner swing (highest peak minus lowest valley inside it).
struct Element {
    extreme: f64,
    swing: f64,
}

/// The profile cut into elements at the global threshold, from the first bar to the last
/// (with the quiet zones as the first and last spaces).
fn elements(r: &[f64], threshold: f64) -> Vec<Element> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=r.len() {
        if i == r.len() || (r[i] < threshold) != (r[start] < threshold) {
            let run = &r[start..i];
            let dark = r[start] < threshold;
            let (lo, hi) = min_max(run);
            out.push(Element {
                extreme: if dark { lo } else { hi },
                swing: inner_swing(run, dark),
            });
            start = i;
        }
    }
    out
}

/// Highest peak minus lowest valley inside a run, the valley after the peak in a space
/// (a dark spot), the peak after the valley in a bar (a void); 0 for a smooth run.
fn inner_swing(run: &[f64], dark: bool) -> f64 {
    if run.len() < 3 {
        return 0.0;
    }
    // A space's defect is a dip between two lighter parts; a bar's, a rise between two
    // darker ones.
    let sign = if dark { -1.0 } else { 1.0 };
    let v: Vec<f64> = run.iter().map(|x| sign * x).collect();
    (1..v.len() - 1)
        .map(|i| {
            let left = v[..i].iter().copied().fold(f64::MIN, f64::max);
            let right = v[i + 1..].iter().copied().fold(f64::MIN, f64::max);
            (left.min(right) - v[i]).max(0.0)
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::code128::CodeSets;
    use crate::synth::{Block, TextStyle, draw_block};

    /// A symbol drawn with bars of grey `ink` on paper of grey `paper`, and its grade.
    fn graded(ink: u8, paper: u8) -> f64 {
        let dpi = 300.0;
        let mut img = GrayImage::from_pixel(600, 200, image::Luma([255]));
        let block = Block {
            x_mm: 5.0,
            y_mm: 4.0,
            value: "10001045367".to_owned(),
            sets: CodeSets::Shortest,
            x_dim_mm: 0.33,
            height_mm: 8.0,
            legend: None,
            hri: None,
            style: TextStyle::default(),
            bar_gain_mm: 0.0,
        };
        draw_block(&mut img, &block, dpi).unwrap();
        for p in img.pixels_mut() {
            p.0[0] = if p.0[0] < 128 { ink } else { paper };
        }
        let symbol = crate::decode::read(&img, crate::decode::Engine::Own)
            .into_iter()
            .next()
            .expect("the symbol reads");
        grade(&img, &symbol).expect("a grade")
    }

    #[test]
    fn crisp_print_grades_a_and_pale_print_low() {
        let crisp = graded(10, 245);
        assert!(crisp >= 3.5, "{crisp}");
        // Grey bars on grey paper: contrast 0.27, below C.
        let pale = graded(150, 220);
        assert!(pale < MIN_GRADE, "{pale}");
        assert_eq!(letter(crisp), 'A');
        assert_eq!(letter(pale), letter(pale.min(1.49)));
    }

    #[test]
    fn a_dark_spot_in_a_space_is_a_defect() {
        let clean = [1.0, 1.0, 1.0, 1.0, 1.0];
        assert_eq!(inner_swing(&clean, false), 0.0);
        let spotted = [1.0, 1.0, 0.6, 1.0, 1.0];
        assert!((inner_swing(&spotted, false) - 0.4).abs() < 1e-9);
        // A space sloping into its neighbour is no defect.
        assert_eq!(inner_swing(&[1.0, 0.9, 0.8, 0.7], false), 0.0);
    }
}
