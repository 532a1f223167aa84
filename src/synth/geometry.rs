//! Plane projective transforms (homographies) for placing and distorting synthetic pages:
//! rotation by any angle, skew, stickers stuck askew, phone-photo perspective. Points and
//! whole images go through the same matrix, so truth quads stay exact.

use image::{GrayImage, Luma};

/// A 3×3 homography, row-major, mapping source pixel coordinates to destination ones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    /// The identity.
    pub fn identity() -> Self {
        Homography([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
    }

    /// A translation.
    pub fn translate(dx: f64, dy: f64) -> Self {
        Homography([1.0, 0.0, dx, 0.0, 1.0, dy, 0.0, 0.0, 1.0])
    }

    /// A rotation by `degrees` (clockwise on screen, y down) about the origin.
    pub fn rotate(degrees: f64) -> Self {
        let (s, c) = degrees.to_radians().sin_cos();
        Homography([c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0])
    }

    /// `self` after `first`: maps p to self(first(p)).
    pub fn after(&self, first: &Homography) -> Homography {
        let (a, b) = (&self.0, &first.0);
        let mut m = [0.0; 9];
        for r in 0..3 {
            for c in 0..3 {
                m[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
            }
        }
        Homography(m)
    }

    /// Maps a point.
    pub fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        let m = &self.0;
        let w = m[6] * p[0] + m[7] * p[1] + m[8];
        [
            (m[0] * p[0] + m[1] * p[1] + m[2]) / w,
            (m[3] * p[0] + m[4] * p[1] + m[5]) / w,
        ]
    }

    /// The inverse transform, if it exists.
    pub fn inverse(&self) -> Option<Homography> {
        let m = &self.0;
        let det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
            + m[2] * (m[3] * m[7] - m[4] * m[6]);
        if det.abs() < 1e-12 {
            return None;
        }
        let inv = [
            m[4] * m[8] - m[5] * m[7],
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8],
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6],
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        Some(Homography(inv.map(|v| v / det)))
    }

    /// The homography taking the four `from` corners to the four `to` corners.
    pub fn from_quads(from: [[f64; 2]; 4], to: [[f64; 2]; 4]) -> Option<Homography> {
        // Solve the 8×8 system for h0..h7 (h8 = 1) by Gaussian elimination.
        let mut a = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let ([x, y], [u, v]) = (from[i], to[i]);
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        for col in 0..8 {
            let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
            if a[pivot][col].abs() < 1e-12 {
                return None;
            }
            a.swap(col, pivot);
            let pivot_row = a[col];
            for (r, row) in a.iter_mut().enumerate() {
                if r != col {
                    let f = row[col] / pivot_row[col];
                    for (v, p) in row.iter_mut().zip(pivot_row).skip(col) {
                        *v -= f * p;
                    }
                }
            }
        }
        let h: Vec<f64> = (0..8).map(|i| a[i][8] / a[i][i]).collect();
        Some(Homography([
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0,
        ]))
    }
}

/// Bilinear sample, white outside.
fn sample(src: &GrayImage, x: f64, y: f64) -> f64 {
    crate::locate::sample(src, x, y)
}

/// Warps `src` by `h` into a `w`×`h_px` image (white where nothing maps).
pub fn warp(src: &GrayImage, h: &Homography, w: u32, h_px: u32) -> GrayImage {
    let inv = h.inverse().unwrap_or_else(Homography::identity);
    GrayImage::from_fn(w, h_px, |x, y| {
        let p = inv.apply([f64::from(x), f64::from(y)]);
        Luma([sample(src, p[0], p[1]).round() as u8])
    })
}

/// Multiplies `layer` (white = transparent) onto `page` through `h` (layer → page).
pub fn composite(page: &mut GrayImage, layer: &GrayImage, h: &Homography) {
    let Some(inv) = h.inverse() else {
        return;
    };
    let (lw, lh) = (f64::from(layer.width()), f64::from(layer.height()));
    let corners = [[0.0, 0.0], [lw, 0.0], [lw, lh], [0.0, lh]].map(|p| h.apply(p));
    let [x0, y0, x1, y1] = crate::locate::bbox(&corners);
    let (w, hh) = page.dimensions();
    for y in (y0.floor().max(0.0) as u32)..(y1.ceil().max(0.0) as u32).min(hh) {
        for x in (x0.floor().max(0.0) as u32)..(x1.ceil().max(0.0) as u32).min(w) {
            let p = inv.apply([f64::from(x), f64::from(y)]);
            let v = sample(layer, p[0], p[1]);
            if v < 255.0 {
                let px = page.get_pixel_mut(x, y);
                px.0[0] = (f64::from(px.0[0]) * v / 255.0).round() as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quads_map_and_invert() {
        let from = [[0.0, 0.0], [100.0, 0.0], [100.0, 50.0], [0.0, 50.0]];
        let to = [[10.0, 5.0], [115.0, 0.0], [110.0, 60.0], [0.0, 52.0]];
        let h = Homography::from_quads(from, to).unwrap();
        for (a, b) in from.iter().zip(&to) {
            let p = h.apply(*a);
            assert!((p[0] - b[0]).abs() < 1e-6 && (p[1] - b[1]).abs() < 1e-6);
        }
        let back = h.inverse().unwrap().apply(to[2]);
        assert!((back[0] - 100.0).abs() < 1e-6 && (back[1] - 50.0).abs() < 1e-6);
        let r = Homography::rotate(90.0).apply([1.0, 0.0]);
        assert!(
            (r[0]).abs() < 1e-9 && (r[1] - 1.0).abs() < 1e-9,
            "clockwise on screen"
        );
    }
}
