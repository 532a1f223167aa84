//! Writers for synthetic pages, each stating the page's resolution the way its format
//! does: PNG `pHYs`, JPEG JFIF density, TIFF X/YResolution, PDF image placement.

use fax::{BitWriter, Bits, Color, VecWriter, encoder::Encoder};
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use image::{GrayImage, ImageEncoder};

/// PNG with a `pHYs` chunk stating `dpi`.
pub fn png(img: &GrayImage, dpi: f64) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .expect("encoding PNG in memory");
    // pHYs goes right after IHDR (8-byte signature + 25-byte IHDR chunk).
    let ppm = (dpi / 0.0254).round() as u32;
    let mut data = Vec::with_capacity(9);
    data.extend_from_slice(&ppm.to_be_bytes());
    data.extend_from_slice(&ppm.to_be_bytes());
    data.push(1);
    let chunk = png_chunk(b"pHYs", &data);
    out.splice(33..33, chunk);
    out
}

/// A PNG chunk: length, type, data, CRC-32.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(12 + data.len());
    c.extend_from_slice(&(data.len() as u32).to_be_bytes());
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let crc = crc32(&c[4..]);
    c.extend_from_slice(&crc.to_be_bytes());
    c
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// JPEG at `quality` with a JFIF density of `dpi`.
pub fn jpeg(img: &GrayImage, dpi: f64, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, quality);
    enc.set_pixel_density(PixelDensity::dpi(dpi.round() as u16));
    enc.encode_image(img).expect("encoding JPEG in memory");
    out
}

/// CCITT compression for TIFF pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fax {
    /// T.4 one-dimensional (Modified Huffman with EOLs), TIFF compression 3.
    G3,
    /// T.6, TIFF compression 4.
    G4,
}

fn is_black(v: u8) -> bool {
    v < 128
}

/// Runs of one row, starting with white: the lengths of alternating colours.
fn runs(row: &[u8]) -> Vec<u32> {
    let mut runs = Vec::new();
    let mut colour_black = false;
    let mut n = 0;
    for &v in row {
        if is_black(v) == colour_black {
            n += 1;
        } else {
            runs.push(n);
            colour_black = !colour_black;
            n = 1;
        }
    }
    runs.push(n);
    runs
}

fn g4(img: &GrayImage) -> Vec<u8> {
    let mut enc = Encoder::new(VecWriter::new());
    for row in img.as_raw().chunks(img.width() as usize) {
        let pels = row.iter().map(|&v| {
            if is_black(v) {
                Color::Black
            } else {
                Color::White
            }
        });
        enc.encode_line(pels, img.width())
            .expect("writing to memory");
    }
    enc.finish().expect("writing to memory").finish()
}

fn g3(img: &GrayImage) -> Vec<u8> {
    let mut w = VecWriter::new();
    let eol = Bits { data: 1, len: 12 };
    for row in img.as_raw().chunks(img.width() as usize) {
        w.write(eol).expect("writing to memory");
        for (i, run) in runs(row).into_iter().enumerate() {
            let code = |n: u16| {
                if i % 2 == 0 {
                    fax::maps::white::encode(n)
                } else {
                    fax::maps::black::encode(n)
                }
                .expect("every run length has a code")
            };
            let mut n = run;
            while n >= 2560 {
                w.write(code(2560)).expect("writing to memory");
                n -= 2560;
            }
            if n >= 64 {
                w.write(code((n & !63) as u16)).expect("writing to memory");
                n &= 63;
            }
            w.write(code(n as u16)).expect("writing to memory");
        }
    }
    for _ in 0..6 {
        w.write(eol).expect("writing to memory");
    }
    w.finish()
}

/// A multi-page bilevel TIFF (threshold at mid-grey), each page CCITT-compressed,
/// WhiteIsZero, one strip, with its resolution.
pub fn tiff_fax(pages: &[(GrayImage, f64)], fax: Fax) -> Vec<u8> {
    let mut out = b"II*\0\0\0\0\0".to_vec();
    let mut link_at = 4;
    for (img, dpi) in pages {
        let data = match fax {
            Fax::G3 => g3(img),
            Fax::G4 => g4(img),
        };
        let strip_at = out.len() as u32;
        out.extend_from_slice(&data);
        if out.len() % 2 == 1 {
            out.push(0);
        }
        let res_at = out.len() as u32;
        let dpi = dpi.round() as u32;
        for v in [dpi, 1, dpi, 1] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let ifd_at = out.len() as u32;
        out[link_at..link_at + 4].copy_from_slice(&ifd_at.to_le_bytes());
        let (w, h) = img.dimensions();
        let compression = if fax == Fax::G3 { 3 } else { 4 };
        // (tag, type, value): type 3 SHORT, 4 LONG, 5 RATIONAL (value = offset).
        let entries: [(u16, u16, u32); 13] = [
            (256, 4, w),
            (257, 4, h),
            (258, 3, 1),
            (259, 3, compression),
            (262, 3, 0),
            (266, 3, 1),
            (273, 4, strip_at),
            (277, 3, 1),
            (278, 4, h),
            (279, 4, data.len() as u32),
            (282, 5, res_at),
            (283, 5, res_at + 8),
            (296, 3, 2),
        ];
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, ty, value) in entries {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&ty.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            if ty == 3 {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        link_at = out.len();
        out.extend_from_slice(&0u32.to_le_bytes());
    }
    out
}

/// How a page image is stored in a PDF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfImage {
    /// DCTDecode (JPEG) at the given quality.
    Jpeg(u8),
    /// CCITTFaxDecode, Group 4, bilevel.
    CcittG4,
}

/// A scanned-PDF: one full-page image per page, painted at `dpi`.
pub fn pdf(pages: &[(GrayImage, f64, PdfImage)]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, then per page: page, contents, image.
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 3 + 3 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    for (i, (img, dpi, kind)) in pages.iter().enumerate() {
        let (w, h) = img.dimensions();
        let (wpt, hpt) = (f64::from(w) / dpi * 72.0, f64::from(h) / dpi * 72.0);
        let base = 3 + 3 * i;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {wpt:.3} {hpt:.3}] \
                 /Resources << /XObject << /Im0 {} 0 R >> >> /Contents {} 0 R >>",
                base + 2,
                base + 1
            )
            .into_bytes(),
        );
        let content = format!("q {wpt:.3} 0 0 {hpt:.3} 0 0 cm /Im0 Do Q");
        objects.push(stream("", content.as_bytes()));
        let (dict, data) = match kind {
            PdfImage::Jpeg(q) => (
                format!(
                    "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace \
                     /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
                ),
                jpeg(img, *dpi, *q),
            ),
            PdfImage::CcittG4 => (
                format!(
                    "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace \
                     /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms \
                     << /K -1 /Columns {w} /Rows {h} >>"
                ),
                g4(img),
            ),
        };
        objects.push(stream(&dict, &data));
    }
    pdf_from_objects(&objects)
}

/// A PDF file from its numbered objects (object `i + 1` is `objects[i]`, object 1 the
/// catalog), with a correct cross-reference table.
pub fn pdf_from_objects(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}
