//! Ingest: files in, 8-bit grey pages with a resolution out.
//!
//! Every supported format (PNG, JPEG, BMP, GIF, WebP, multi-page TIFF including CCITT
//! G3/G4 faxes, and scanned PDFs) is recognised by its magic bytes, decoded in pure Rust
//! under explicit limits, and converted to grey once, here. The rest of the pipeline only
//! ever sees [`Page`]s. A file or page that cannot be read becomes an [`IngestError`] that
//! names the file and the page; it never panics, loops or allocates without bound.
//!
//! Resolution (SPEC §4): the file's own metadata when it is plausible (≥ 100 dpi: the 72
//! and 96 dpi defaults of cameras and screen software say nothing about a scan), else the
//! `--dpi` flag, else an estimate when the pixel size matches A4, A5 or US letter within
//! 3 %, else 300 dpi, assumed.

mod meta;
mod pdf;
mod png;
mod raster;
mod tiff;

use std::path::Path;

use image::GrayImage;

use crate::report::DpiSource;

/// Largest page side accepted, in pixels.
pub const MAX_SIDE_PX: u32 = 20_000;
/// Largest page area accepted, in pixels (A4 at 1200 dpi is 140 Mpx).
pub const MAX_AREA_PX: u64 = 150_000_000;
/// Smallest page side accepted: nothing narrower can hold a Code 128 symbol.
pub const MIN_SIDE_PX: u32 = 16;
/// Largest input file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Most pages read from one file.
pub const MAX_PAGES: usize = 10_000;
/// Resolution assumed when nothing says otherwise.
pub const ASSUMED_DPI: f64 = 300.0;

/// A page ready for the pipeline.
#[derive(Clone, Debug)]
pub struct Page {
    /// The page in 8-bit grey, 0 black, 255 white.
    pub image: GrayImage,
    /// Resolution used for every physical measure.
    pub dpi: f64,
    /// Where `dpi` came from.
    pub dpi_source: DpiSource,
}

/// Why a file or one of its pages could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum IngestError {
    /// The whole file is unusable.
    #[error("'{file}': {message}")]
    File {
        /// The path as given.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// One page of the file is unusable.
    #[error("page {page} of '{file}': {message}")]
    Page {
        /// The path as given.
        file: String,
        /// Page number, from 1.
        page: u32,
        /// What went wrong.
        message: String,
    },
}

impl IngestError {
    /// The page the error is about (1 for a whole-file error).
    pub fn page(&self) -> u32 {
        match self {
            IngestError::File { .. } => 1,
            IngestError::Page { page, .. } => *page,
        }
    }
}

/// A decoded page before its resolution is settled.
pub(crate) struct RawPage {
    pub image: GrayImage,
    /// Resolution stated by the file, if any.
    pub file_dpi: Option<f64>,
}

/// What a format decoder yields for each page: the page or why it failed.
pub(crate) type RawResult = Result<RawPage, String>;

/// The formats ingest recognises by their first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Raster(image::ImageFormat),
    Tiff,
    Pdf,
}

fn sniff(bytes: &[u8]) -> Option<Kind> {
    use image::ImageFormat as F;
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Some(Kind::Tiff);
    }
    if bytes.starts_with(b"II+\0") || bytes.starts_with(b"MM\0+") {
        return Some(Kind::Tiff);
    }
    if bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Some(Kind::Pdf);
    }
    let raster = match bytes {
        [0x89, b'P', b'N', b'G', ..] => F::Png,
        [0xFF, 0xD8, 0xFF, ..] => F::Jpeg,
        [b'G', b'I', b'F', b'8', ..] => F::Gif,
        [b'B', b'M', ..] => F::Bmp,
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => F::WebP,
        _ => return None,
    };
    Some(Kind::Raster(raster))
}

/// Reads every page of `path`; `name` is how the file is named in messages.
///
/// Returns one entry per page, in page order; a file that cannot be read at all yields a
/// single [`IngestError::File`].
pub fn load(path: &Path, name: &str, dpi_flag: Option<f64>) -> Vec<Result<Page, IngestError>> {
    let file_err = |message: String| {
        vec![Err(IngestError::File {
            file: name.to_owned(),
            message,
        })]
    };
    let bytes = match read_bounded(path) {
        Ok(b) => b,
        Err(message) => return file_err(message),
    };
    let raw = match decode_bytes(&bytes) {
        Ok(pages) => pages,
        Err(message) => return file_err(message),
    };
    if raw.is_empty() {
        return file_err("the file holds no page".to_owned());
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let page = i as u32 + 1;
            r.and_then(|raw| check_size(&raw.image).map(|()| raw))
                .map(|raw| finish(raw, dpi_flag))
                .map_err(|message| IngestError::Page {
                    file: name.to_owned(),
                    page,
                    message,
                })
        })
        .collect()
}

/// Decodes a whole file already in memory into its pages (no resolution settled yet).
pub(crate) fn decode_bytes(bytes: &[u8]) -> Result<Vec<RawResult>, String> {
    if bytes.is_empty() {
        return Err("the file is empty".to_owned());
    }
    match sniff(bytes) {
        Some(Kind::Raster(format)) => Ok(vec![raster::decode(bytes, format)]),
        Some(Kind::Tiff) => tiff::decode(bytes),
        Some(Kind::Pdf) => pdf::decode(bytes),
        None => Err(
            "not an image or PDF this tool reads (PNG, JPEG, BMP, GIF, WebP, TIFF, PDF)".to_owned(),
        ),
    }
}

/// The first page of a file already in memory, in grey (for tools and tests).
pub fn decode_first(bytes: &[u8]) -> Option<GrayImage> {
    decode_bytes(bytes)
        .ok()?
        .into_iter()
        .next()?
        .ok()
        .map(|p| p.image)
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "file is {len} bytes, more than the {MAX_FILE_BYTES}-byte limit"
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "file is larger than the {MAX_FILE_BYTES}-byte limit"
        ));
    }
    Ok(bytes)
}

/// Rejects pages too large to process safely or too small to hold a symbol.
pub(crate) fn check_dimensions(width: u32, height: u32) -> Result<(), String> {
    if width > MAX_SIDE_PX
        || height > MAX_SIDE_PX
        || u64::from(width) * u64::from(height) > MAX_AREA_PX
    {
        return Err(format!(
            "page is {width}×{height} pixels, more than the {MAX_SIDE_PX}-pixel side or \
             {MAX_AREA_PX}-pixel area limit"
        ));
    }
    Ok(())
}

fn check_size(image: &GrayImage) -> Result<(), String> {
    let (w, h) = image.dimensions();
    check_dimensions(w, h)?;
    if w < MIN_SIDE_PX || h < MIN_SIDE_PX {
        return Err(format!(
            "page is {w}×{h} pixels, too small to hold a barcode (at least {MIN_SIDE_PX}×{MIN_SIDE_PX})"
        ));
    }
    Ok(())
}

fn finish(raw: RawPage, dpi_flag: Option<f64>) -> Page {
    let (w, h) = raw.image.dimensions();
    let (dpi, dpi_source) = resolve_dpi(raw.file_dpi, dpi_flag, w, h);
    Page {
        image: raw.image,
        dpi,
        dpi_source,
    }
}

/// Settles a page's resolution by the precedence of SPEC §4.
pub fn resolve_dpi(file_dpi: Option<f64>, flag: Option<f64>, w: u32, h: u32) -> (f64, DpiSource) {
    if let Some(d) = file_dpi.filter(|d| (100.0..=4800.0).contains(d)) {
        // Metadata stored in dots per metre or in points rounds: 299.9994 is 300.
        let d = if (d - d.round()).abs() <= d * 0.001 {
            d.round()
        } else {
            (d * 100.0).round() / 100.0
        };
        return (d, DpiSource::File);
    }
    if let Some(d) = flag {
        return (d, DpiSource::Flag);
    }
    if let Some(d) = estimate_dpi(w, h) {
        return (d, DpiSource::Estimated);
    }
    (ASSUMED_DPI, DpiSource::Assumed)
}

/// Paper formats a whole-page scan may have, in mm (portrait).
pub const PAPER_FORMATS_MM: [(&str, f64, f64); 3] = [
    ("A4", 210.0, 297.0),
    ("A5", 148.0, 210.0),
    ("letter", 215.9, 279.4),
];

/// Usual scanner resolutions, dpi.
const SCANNER_DPI: [f64; 8] = [100.0, 150.0, 200.0, 240.0, 300.0, 400.0, 600.0, 1200.0];

/// The resolution at which `w`×`h` pixels is a whole A4, A5 or letter page (either
/// orientation), when the aspect ratio matches within 3 %. A4 and A5 share their aspect
/// ratio (ISO 216), so the format whose resolution is a usual scanner setting (within 3 %)
/// wins, snapped to it; failing that, the first matching format, rounded.
pub fn estimate_dpi(w: u32, h: u32) -> Option<f64> {
    let (short, long) = (f64::from(w.min(h)), f64::from(w.max(h)));
    let candidates: Vec<f64> = PAPER_FORMATS_MM
        .iter()
        .filter_map(|&(_, sw, lw)| {
            let dpi_short = short / (sw / 25.4);
            let dpi_long = long / (lw / 25.4);
            ((dpi_short / dpi_long - 1.0).abs() <= 0.03).then_some((dpi_short + dpi_long) / 2.0)
        })
        .collect();
    let usual = |dpi: f64| {
        SCANNER_DPI
            .into_iter()
            .find(|s| (dpi / s - 1.0).abs() <= 0.03)
    };
    candidates
        .iter()
        .find_map(|&d| usual(d))
        .or_else(|| candidates.first().map(|d| d.round()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_sizes_are_estimated() {
        assert_eq!(estimate_dpi(2480, 3508), Some(300.0));
        assert_eq!(estimate_dpi(3508, 2480), Some(300.0));
        assert_eq!(estimate_dpi(1654, 2339), Some(200.0));
        assert_eq!(estimate_dpi(1275, 1650), Some(150.0), "letter at 150 dpi");
        assert_eq!(
            estimate_dpi(1748, 2480),
            Some(300.0),
            "A5 at 300 dpi, not A4 at 212"
        );
        assert_eq!(estimate_dpi(1000, 1000), None);
    }

    #[test]
    fn dpi_precedence() {
        assert_eq!(
            resolve_dpi(Some(200.0), Some(300.0), 10, 10),
            (200.0, DpiSource::File)
        );
        assert_eq!(
            resolve_dpi(Some(72.0), Some(300.0), 10, 10),
            (300.0, DpiSource::Flag)
        );
        assert_eq!(
            resolve_dpi(None, None, 2480, 3508),
            (300.0, DpiSource::Estimated)
        );
        assert_eq!(
            resolve_dpi(None, None, 500, 400),
            (300.0, DpiSource::Assumed)
        );
    }

    #[test]
    fn garbage_is_not_a_format() {
        assert!(decode_bytes(b"hello world, not an image").is_err());
        assert!(decode_bytes(b"").is_err());
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;
    use image::{GrayImage, ImageFormat, Luma};
    use std::io::Cursor;

    /// A small page with a bar-like pattern, so a wrong decode cannot look right.
    fn pattern() -> GrayImage {
        GrayImage::from_fn(64, 48, |x, y| {
            Luma([if (x / 3 + y / 16) % 2 == 0 { 20 } else { 235 }])
        })
    }

    fn decoded(bytes: &[u8]) -> RawPage {
        let mut pages = decode_bytes(bytes).expect("the file decodes");
        assert_eq!(pages.len(), 1);
        pages.remove(0).expect("the page decodes")
    }

    #[test]
    fn lossless_raster_formats_round_trip() {
        let img = pattern();
        for format in [
            ImageFormat::Png,
            ImageFormat::Bmp,
            ImageFormat::Gif,
            ImageFormat::WebP,
        ] {
            let mut bytes = Vec::new();
            image::DynamicImage::ImageLuma8(img.clone())
                .to_rgba8()
                .write_to(&mut Cursor::new(&mut bytes), format)
                .unwrap();
            assert_eq!(decoded(&bytes).image, img, "{format:?}");
        }
    }

    #[test]
    fn tiff_compressions_round_trip_with_resolution() {
        use ::tiff::encoder::{Compression, DeflateLevel, Rational, TiffEncoder, colortype};
        let img = pattern();
        for (name, compression) in [
            ("none", Compression::Uncompressed),
            ("LZW", Compression::Lzw),
            ("Deflate", Compression::Deflate(DeflateLevel::Balanced)),
            ("PackBits", Compression::Packbits),
        ] {
            let mut bytes = Cursor::new(Vec::new());
            let mut enc = TiffEncoder::new(&mut bytes)
                .unwrap()
                .with_compression(compression);
            let mut image = enc.new_image::<colortype::Gray8>(64, 48).unwrap();
            image.resolution(
                ::tiff::tags::ResolutionUnit::Inch,
                Rational { n: 200, d: 1 },
            );
            image.write_data(img.as_raw()).unwrap();
            let page = decoded(bytes.get_ref());
            assert_eq!(page.image, img, "{name}");
            assert_eq!(page.file_dpi, Some(200.0), "{name}");
        }
    }

    #[test]
    fn ccitt_tiff_pages_decode_to_the_drawn_page() {
        use crate::synth::write::{Fax, tiff_fax};
        let img = GrayImage::from_fn(200, 40, |x, _| Luma([if x % 7 < 3 { 0 } else { 255 }]));
        for fax in [Fax::G3, Fax::G4] {
            let bytes = tiff_fax(&[(img.clone(), 200.0), (img.clone(), 200.0)], fax);
            let pages = decode_bytes(&bytes).unwrap();
            assert_eq!(pages.len(), 2, "{fax:?}");
            for p in pages {
                assert_eq!(p.unwrap().image, img, "{fax:?}");
            }
        }
    }

    #[test]
    fn lsb_first_fill_order_is_honoured() {
        use crate::synth::write::{Fax, tiff_fax};
        let img = GrayImage::from_fn(120, 20, |x, _| Luma([if x % 5 < 2 { 0 } else { 255 }]));
        let mut bytes = tiff_fax(&[(img.clone(), 200.0)], Fax::G4);
        // Reverse the strip's bits and declare FillOrder = 2 (tag 266 is the 6th entry).
        let ifd = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        let entry = |i: usize| ifd + 2 + 12 * i;
        let strip = u32::from_le_bytes(bytes[entry(6) + 8..entry(6) + 12].try_into().unwrap());
        let count = u32::from_le_bytes(bytes[entry(9) + 8..entry(9) + 12].try_into().unwrap());
        assert_eq!(
            u16::from_le_bytes([bytes[entry(5)], bytes[entry(5) + 1]]),
            266
        );
        bytes[entry(5) + 8] = 2;
        for b in &mut bytes[strip as usize..(strip + count) as usize] {
            *b = b.reverse_bits();
        }
        assert_eq!(decoded(&bytes).image, img);
    }
}
