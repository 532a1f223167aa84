//! TIFF, every page of a multi-page file.
//!
//! The `tiff` crate walks the IFD chain (it detects cycles) and decodes uncompressed, LZW,
//! Deflate and PackBits pages. CCITT pages — Modified Huffman (compression 2), T.4 / Group 3
//! 1-D and 2-D (3) and T.6 / Group 4 (4) — are decoded here with `hayro-ccitt`, strip by
//! strip, honouring FillOrder (266) and PhotometricInterpretation (262): a fax is
//! normally WhiteIsZero, and a BlackIsZero CCITT page is drawn inverted by every viewer, so
//! it is inverted here too.

use std::io::Cursor;

use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
use image::GrayImage;
use tiff::decoder::{Decoder, DecodingResult, Limits, ifd::Value};
use tiff::tags::Tag;
use tiff::{ColorType, TiffResult};

use super::{MAX_AREA_PX, MAX_PAGES, RawPage, RawResult, check_dimensions};

type TiffDecoder<'a> = Decoder<Cursor<&'a [u8]>>;

/// Decodes every page of a TIFF file.
pub(super) fn decode(bytes: &[u8]) -> Result<Vec<RawResult>, String> {
    let mut limits = Limits::default();
    limits.decoding_buffer_size = (MAX_AREA_PX * 4) as usize;
    let mut decoder = Decoder::new(Cursor::new(bytes))
        .map_err(|e| format!("cannot read TIFF header: {e}"))?
        .with_limits(limits);
    let mut pages = Vec::new();
    loop {
        pages.push(decode_page(&mut decoder, bytes));
        if pages.len() >= MAX_PAGES || !decoder.more_images() {
            break;
        }
        if let Err(e) = decoder.next_image() {
            pages.push(Err(format!("cannot read the next page's directory: {e}")));
            break;
        }
    }
    Ok(pages)
}

fn decode_page(decoder: &mut TiffDecoder<'_>, bytes: &[u8]) -> RawResult {
    let (w, h) = decoder
        .dimensions()
        .map_err(|e| format!("cannot read TIFF dimensions: {e}"))?;
    check_dimensions(w, h)?;
    let compression = tag_u32(decoder, Tag::Compression).unwrap_or(1);
    let image = match compression {
        2..=4 => decode_ccitt(decoder, bytes, w, h, compression)?,
        _ => decode_plain(decoder, w, h)?,
    };
    Ok(RawPage {
        image,
        file_dpi: resolution(decoder),
    })
}

fn tag_u32(decoder: &mut TiffDecoder<'_>, tag: Tag) -> Option<u32> {
    decoder.find_tag_unsigned::<u32>(tag).ok().flatten()
}

fn rational(v: Value) -> Option<f64> {
    match v {
        Value::Rational(n, d) if d != 0 => Some(f64::from(n) / f64::from(d)),
        Value::Short(n) => Some(f64::from(n)),
        Value::Unsigned(n) => Some(f64::from(n)),
        Value::Float(f) => Some(f64::from(f)),
        Value::Double(f) => Some(f),
        _ => None,
    }
}

fn resolution(decoder: &mut TiffDecoder<'_>) -> Option<f64> {
    let x = rational(decoder.find_tag(Tag::XResolution).ok()??)?;
    match tag_u32(decoder, Tag::ResolutionUnit).unwrap_or(2) {
        2 => Some(x),
        3 => Some(x * 2.54),
        _ => None,
    }
}

fn decode_plain(decoder: &mut TiffDecoder<'_>, w: u32, h: u32) -> Result<GrayImage, String> {
    let colortype = decoder
        .colortype()
        .map_err(|e| format!("unsupported TIFF colour type: {e}"))?;
    let palette = match colortype {
        ColorType::Palette(_) => Some(
            decoder
                .get_tag_u16_vec(Tag::ColorMap)
                .map_err(|e| format!("palette TIFF without a colour map: {e}"))?,
        ),
        _ => None,
    };
    let data = decoder
        .read_image()
        .map_err(|e| format!("cannot decode TIFF image data: {e}"))?;
    let samples: Vec<u16> = match data {
        DecodingResult::U8(v) => v.into_iter().map(u16::from).collect(),
        DecodingResult::U16(v) => v,
        _ => return Err(format!("unsupported TIFF sample format ({colortype:?})")),
    };
    to_grey(&samples, colortype, palette.as_deref(), w, h)
}

/// Converts decoded TIFF samples (row-padded when below 8 bits) to 8-bit grey.
fn to_grey(
    samples: &[u16],
    colortype: ColorType,
    palette: Option<&[u16]>,
    w: u32,
    h: u32,
) -> Result<GrayImage, String> {
    let (w_us, h_us) = (w as usize, h as usize);
    let mut out = GrayImage::new(w, h);
    match colortype {
        ColorType::Gray(bits) | ColorType::Palette(bits) if bits < 8 => {
            let bits = usize::from(bits);
            let row_bytes = (w_us * bits).div_ceil(8);
            if samples.len() < row_bytes * h_us {
                return Err("TIFF image data is shorter than its dimensions".to_owned());
            }
            let max = (1u32 << bits) - 1;
            for (y, row) in out.rows_mut().enumerate() {
                let src = &samples[y * row_bytes..(y + 1) * row_bytes];
                for (x, p) in row.enumerate() {
                    let bit = x * bits;
                    let byte = src[bit / 8] as u32;
                    let v = (byte >> (8 - bits - bit % 8)) & max;
                    p.0[0] = match palette {
                        Some(map) => palette_grey(map, v as usize, 1 << bits),
                        None => (v * 255 / max) as u8,
                    };
                }
            }
        }
        ColorType::Palette(bits) => {
            let map = palette.unwrap_or(&[]);
            for (p, &v) in out.pixels_mut().zip(samples) {
                p.0[0] = palette_grey(map, usize::from(v), 1 << bits);
            }
        }
        other => {
            let (channels, bits) = match other {
                ColorType::Gray(b) => (1, b),
                ColorType::GrayA(b) => (2, b),
                ColorType::RGB(b) => (3, b),
                ColorType::RGBA(b) => (4, b),
                ColorType::CMYK(b) => (4, b),
                _ => return Err(format!("unsupported TIFF colour type {other:?}")),
            };
            if samples.len() < w_us * h_us * channels {
                return Err("TIFF image data is shorter than its dimensions".to_owned());
            }
            let shift = bits.saturating_sub(8);
            let cmyk = matches!(other, ColorType::CMYK(_));
            for (p, s) in out.pixels_mut().zip(samples.chunks_exact(channels)) {
                let c = |i: usize| u32::from(s[i] >> shift);
                p.0[0] = match channels {
                    1 | 2 => c(0) as u8,
                    _ if cmyk => {
                        (((255 - c(0)) * 2126 + (255 - c(1)) * 7152 + (255 - c(2)) * 722) / 10_000
                            * (255 - c(3))
                            / 255) as u8
                    }
                    _ => ((c(0) * 2126 + c(1) * 7152 + c(2) * 722) / 10_000) as u8,
                };
            }
        }
    }
    Ok(out)
}

fn palette_grey(map: &[u16], index: usize, entries: usize) -> u8 {
    let at = |c: usize| u32::from(map.get(c * entries + index).copied().unwrap_or(0) >> 8);
    ((at(0) * 2126 + at(1) * 7152 + at(2) * 722) / 10_000) as u8
}

/// Collects decoded CCITT rows into a grey image.
struct Rows {
    image: GrayImage,
    row: u32,
    white: u8,
}

impl hayro_ccitt::Decoder for Rows {
    fn push_row(&mut self, changes: &[u32]) {
        if self.row >= self.image.height() {
            return;
        }
        let w = self.image.width();
        let (white, black) = (self.white, 255 - self.white);
        let start = (self.row * w) as usize;
        let row = &mut self.image.as_mut()[start..start + w as usize];
        row.fill(white);
        for span in changes.chunks(2) {
            let from = span[0].min(w) as usize;
            let to = span.get(1).copied().unwrap_or(w).min(w) as usize;
            row[from..to.max(from)].fill(black);
        }
        self.row += 1;
    }
}

fn decode_ccitt(
    decoder: &mut TiffDecoder<'_>,
    bytes: &[u8],
    w: u32,
    h: u32,
    compression: u32,
) -> Result<GrayImage, String> {
    let read =
        |d: &mut TiffDecoder<'_>, tag| -> TiffResult<Vec<u64>> { d.get_tag(tag)?.into_u64_vec() };
    let offsets = read(decoder, Tag::StripOffsets)
        .map_err(|e| format!("CCITT page without strip offsets (tiled faxes are not read): {e}"))?;
    let counts = read(decoder, Tag::StripByteCounts)
        .map_err(|e| format!("CCITT page without strip byte counts: {e}"))?;
    let rows_per_strip = tag_u32(decoder, Tag::RowsPerStrip)
        .unwrap_or(h)
        .clamp(1, h.max(1));
    let lsb_first = tag_u32(decoder, Tag::FillOrder) == Some(2);
    let t4_options = tag_u32(decoder, Tag::Unknown(292)).unwrap_or(0);
    let photometric = tag_u32(decoder, Tag::PhotometricInterpretation).unwrap_or(0);
    let encoding = match compression {
        4 => EncodingMode::Group4,
        3 if t4_options & 1 == 1 => EncodingMode::Group3_2D,
        _ => EncodingMode::Group3_1D,
    };
    let mut rows = Rows {
        image: GrayImage::from_pixel(w, h, image::Luma([255])),
        row: 0,
        white: if photometric == 1 { 0 } else { 255 },
    };
    for (i, (&off, &count)) in offsets.iter().zip(&counts).enumerate() {
        let start = usize::try_from(off).unwrap_or(usize::MAX);
        let end = start.saturating_add(usize::try_from(count).unwrap_or(usize::MAX));
        let Some(strip) = bytes.get(start..end.min(bytes.len())) else {
            return Err(format!("strip {i} lies outside the file"));
        };
        let mut data = strip.to_vec();
        if lsb_first {
            data.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        let strip_rows = rows_per_strip.min(h.saturating_sub(rows.row));
        if strip_rows == 0 {
            break;
        }
        let settings = DecodeSettings {
            columns: w,
            rows: strip_rows,
            end_of_block: true,
            end_of_line: compression == 3,
            rows_are_byte_aligned: compression == 2 || (compression == 3 && t4_options & 4 == 4),
            encoding,
            strict: false,
        };
        let before = rows.row;
        let mut ctx = DecoderContext::new(settings);
        let result = hayro_ccitt::decode(&data, &mut rows, &mut ctx);
        if rows.row == before {
            return Err(format!(
                "cannot decode CCITT strip {i}: {}",
                result
                    .err()
                    .map(|e| format!("{e:?}"))
                    .unwrap_or_else(|| "no row".to_owned())
            ));
        }
        // A short strip leaves its missing rows white; the next strip starts on its own row.
        rows.row = before + strip_rows;
    }
    Ok(rows.image)
}
