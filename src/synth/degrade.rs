//! Photometric degradations of synthetic pages, each a parameterised function of an image
//! (and a seeded generator where it is random), composable in any order. Geometric ones
//! (rotation, skew, perspective) are homographies in [`super::geometry`], applied by the
//! corpus generator so that the truth quads follow.

use image::{GrayImage, Luma};

use super::Rng;

/// Gaussian blur of standard deviation `sigma` pixels.
pub fn blur(img: &GrayImage, sigma: f64) -> GrayImage {
    imageproc::filter::gaussian_blur_f32(img, sigma as f32)
}

/// Linear motion blur: the mean of `taps` samples spread over `length` pixels along
/// `degrees`.
pub fn motion_blur(img: &GrayImage, length: f64, degrees: f64) -> GrayImage {
    let taps = (length.ceil() as usize).max(2);
    let (s, c) = degrees.to_radians().sin_cos();
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let sum: f64 = (0..taps)
            .map(|k| {
                let t = (k as f64 / (taps - 1) as f64 - 0.5) * length;
                crate::locate::sample(img, f64::from(x) + c * t, f64::from(y) + s * t)
            })
            .sum();
        Luma([(sum / taps as f64).round() as u8])
    })
}

/// A standard normal variate (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u1 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (-2.0 * u1.max(1e-300).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Additive Gaussian noise of standard deviation `sigma` grey levels.
pub fn noise(img: &GrayImage, sigma: f64, rng: &mut Rng) -> GrayImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = (f64::from(p.0[0]) + sigma * normal(rng)).clamp(0.0, 255.0) as u8;
    }
    out
}

/// A JPEG round trip at `quality`.
pub fn jpeg(img: &GrayImage, quality: u8) -> GrayImage {
    let bytes = super::write::jpeg(img, 300.0, quality);
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .map(|i| i.into_luma8())
        .unwrap_or_else(|_| img.clone())
}

/// Bilevel thresholding at `level`.
pub fn threshold(img: &GrayImage, level: u8) -> GrayImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = if p.0[0] < level { 0 } else { 255 };
    }
    out
}

/// A fax line: thresholded, with short white dropouts in the ink and a few black specks,
/// `rate` per thousand pixels.
pub fn fax(img: &GrayImage, rate: f64, rng: &mut Rng) -> GrayImage {
    let mut out = threshold(img, 140);
    let (w, h) = out.dimensions();
    let events = (f64::from(w) * f64::from(h) * rate / 1000.0) as u64;
    for _ in 0..events {
        let (x, y) = (
            rng.below(u64::from(w)) as u32,
            rng.below(u64::from(h)) as u32,
        );
        if rng.below(4) == 0 {
            out.put_pixel(x, y, Luma([0]));
        } else {
            // A horizontal dropout of 1–4 pixels, as a lost bit run in transmission.
            for dx in 0..=rng.below(4) as u32 {
                if x + dx < w {
                    out.put_pixel(x + dx, y, Luma([255]));
                }
            }
        }
    }
    out
}

/// Faded toner on grey paper: ink becomes `ink`, paper becomes `paper`.
pub fn faded(img: &GrayImage, ink: u8, paper: u8) -> GrayImage {
    let (ink, paper) = (f64::from(ink), f64::from(paper));
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = (ink + (paper - ink) * f64::from(p.0[0]) / 255.0).round() as u8;
    }
    out
}

/// Uneven lighting: brightness falls linearly from 1 to `darkest` across the page along
/// `degrees`.
pub fn uneven_light(img: &GrayImage, darkest: f64, degrees: f64) -> GrayImage {
    let (s, c) = degrees.to_radians().sin_cos();
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let span = (w * c.abs() + h * s.abs()).max(1.0);
    let origin = if c < 0.0 { w * c.abs() } else { 0.0 } + if s < 0.0 { h * s.abs() } else { 0.0 };
    let mut out = img.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let t = ((f64::from(x) * c + f64::from(y) * s + origin) / span).clamp(0.0, 1.0);
        let gain = 1.0 - (1.0 - darkest) * t;
        p.0[0] = (f64::from(p.0[0]) * gain).round() as u8;
    }
    out
}

/// Speckle: `count` dark dots of 1–2 pixels.
pub fn speckle(img: &GrayImage, count: u64, rng: &mut Rng) -> GrayImage {
    let mut out = img.clone();
    let (w, h) = out.dimensions();
    for _ in 0..count {
        let (x, y) = (
            rng.below(u64::from(w)) as u32,
            rng.below(u64::from(h)) as u32,
        );
        let r = 1 + rng.below(2) as u32;
        for yy in y..(y + r).min(h) {
            for xx in x..(x + r).min(w) {
                out.put_pixel(xx, yy, Luma([(rng.below(80)) as u8]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degradations_keep_size_and_are_deterministic() {
        let img = GrayImage::from_fn(50, 30, |x, _| Luma([if x % 6 < 3 { 0 } else { 255 }]));
        let a = noise(&img, 20.0, &mut Rng::new(7));
        assert_eq!(a, noise(&img, 20.0, &mut Rng::new(7)));
        assert_ne!(a, img);
        for out in [
            blur(&img, 1.0),
            motion_blur(&img, 3.0, 20.0),
            jpeg(&img, 40),
            fax(&img, 5.0, &mut Rng::new(1)),
            faded(&img, 120, 220),
            uneven_light(&img, 0.6, 30.0),
            speckle(&img, 10, &mut Rng::new(2)),
        ] {
            assert_eq!(out.dimensions(), img.dimensions());
        }
        let f = faded(&img, 120, 220);
        assert_eq!(f.get_pixel(0, 0).0[0], 120);
        assert_eq!(f.get_pixel(4, 0).0[0], 220);
    }
}
