//! Resolution stated in a raster file's own metadata (PNG pHYs, JPEG JFIF and EXIF, BMP).
//!
//! The `image` crate decodes pixels but does not expose these fields, so they are read
//! here from the headers, defensively: any inconsistency simply means "not stated".

const INCH_PER_METRE: f64 = 0.0254;

/// The horizontal resolution a PNG states in its `pHYs` chunk (unit: metre).
pub fn png_dpi(bytes: &[u8]) -> Option<f64> {
    let data = super::png::chunks(bytes)
        .take_while(|c| !matches!(&c.kind, b"IDAT" | b"IEND"))
        .find(|c| &c.kind == b"pHYs" && c.data.len() == 9 && c.data[8] == 1)?
        .data;
    let ppm = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
    Some(f64::from(ppm) * INCH_PER_METRE)
}

/// The horizontal resolution a BMP states in its info header (pixels per metre).
pub fn bmp_dpi(bytes: &[u8]) -> Option<f64> {
    let header_len = u32::from_le_bytes(bytes.get(14..18)?.try_into().ok()?);
    if header_len < 40 {
        return None;
    }
    let ppm = i32::from_le_bytes(bytes.get(38..42)?.try_into().ok()?);
    (ppm > 0).then(|| f64::from(ppm) * INCH_PER_METRE)
}

/// The horizontal resolution a JPEG states in its JFIF (APP0) or EXIF (APP1) segment.
pub fn jpeg_dpi(bytes: &[u8]) -> Option<f64> {
    let mut at = 2;
    let mut exif = None;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let seg = bytes.get(at + 4..at + 2 + len)?;
        match marker {
            0xE0 if seg.starts_with(b"JFIF\0") && seg.len() >= 12 => {
                let density = f64::from(u16::from_be_bytes([seg[8], seg[9]]));
                match seg[7] {
                    1 => return Some(density),
                    2 => return Some(density * 2.54),
                    _ => {}
                }
            }
            0xE1 if seg.starts_with(b"Exif\0\0") => exif = exif.or_else(|| exif_dpi(&seg[6..])),
            _ => {}
        }
        at += 2 + len;
    }
    exif
}

/// XResolution and ResolutionUnit from the first IFD of an EXIF block (a small TIFF).
fn exif_dpi(tiff: &[u8]) -> Option<f64> {
    let le = match tiff.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |i: usize| {
        let b: [u8; 2] = tiff.get(i..i + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |i: usize| {
        let b: [u8; 4] = tiff.get(i..i + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = usize::from(u16_at(ifd)?);
    let (mut res, mut unit) = (None, 2);
    for i in 0..count.min(512) {
        let entry = ifd + 2 + 12 * i;
        match u16_at(entry)? {
            282 => {
                let off = u32_at(entry + 8)? as usize;
                let (n, d) = (u32_at(off)?, u32_at(off + 4)?);
                res = (d != 0).then(|| f64::from(n) / f64::from(d));
            }
            296 => unit = u16_at(entry + 8)?,
            _ => {}
        }
    }
    match unit {
        2 => res,
        3 => res.map(|r| r * 2.54),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jfif_density_in_dots_per_inch() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        jpeg.extend_from_slice(b"JFIF\0");
        jpeg.extend_from_slice(&[1, 2, 1, 0x01, 0x2C, 0x01, 0x2C, 0, 0]);
        jpeg.extend_from_slice(&[0xFF, 0xDA]);
        assert_eq!(jpeg_dpi(&jpeg), Some(300.0));
    }

    #[test]
    fn truncated_headers_say_nothing() {
        assert_eq!(jpeg_dpi(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 200]), None);
        assert_eq!(png_dpi(b"\x89PNG\r\n\x1a\n\0\0\0\x09pHY"), None);
        assert_eq!(bmp_dpi(b"BM"), None);
    }
}
