//! Scanned PDFs: each page's embedded scan image, decoded with `hayro-syntax`.
//!
//! A scanned PDF page paints one image (sometimes a few strips) over the page. The page's
//! content stream is walked with its transformation matrix (`q`/`Q`/`cm`) to find every
//! image painted by `Do`; the one covering the largest area is the scan. Its resolution is
//! its pixel width over its painted width in inches, so `dpi_source` is `file`. Images are
//! decoded in pure Rust (DCT, CCITT, JBIG2, JPX, Flate, LZW, RunLength). A page that paints
//! no image is not rendered: it gets an error that says so.

use hayro_syntax::Pdf;
use hayro_syntax::content::ops::TypedInstruction;
use hayro_syntax::object::stream::{ImageColorSpace, ImageDecodeParams};
use hayro_syntax::object::{Array, Dict, Name, Object, Stream};
use hayro_syntax::page::{Page, Rotation};
use image::GrayImage;

use super::{MAX_PAGES, RawPage, RawResult, check_dimensions};

/// Most content-stream operators looked at on one page.
const MAX_OPS: usize = 1_000_000;

type Matrix = [f64; 6];

fn multiply(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// Decodes the scan image of every page of a PDF.
pub(super) fn decode(bytes: &[u8]) -> Result<Vec<RawResult>, String> {
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| format!("cannot parse PDF: {e:?}"))?;
    let pages = pdf.pages();
    if pages.len() > MAX_PAGES {
        return Err(format!(
            "PDF has {} pages, more than {MAX_PAGES}",
            pages.len()
        ));
    }
    Ok(pages.iter().map(decode_page).collect())
}

fn decode_page(page: &Page<'_>) -> RawResult {
    let (stream, ctm) = largest_image(page).ok_or_else(|| {
        "the PDF page paints no image (only scanned PDFs are read; vector pages are not \
         rendered)"
            .to_owned()
    })?;
    let image = decode_image(&stream)?;
    let quarter_turns = quarter_turns(&ctm) + page_turns(page.rotation());
    let painted_width_pt = (ctm[0].hypot(ctm[1])).max(1e-9);
    let file_dpi = f64::from(image.width()) / (painted_width_pt / 72.0);
    let image = match quarter_turns.rem_euclid(4) {
        1 => image::imageops::rotate90(&image),
        2 => image::imageops::rotate180(&image),
        3 => image::imageops::rotate270(&image),
        _ => image,
    };
    Ok(RawPage {
        image,
        file_dpi: Some(file_dpi),
    })
}

fn page_turns(r: Rotation) -> i32 {
    match r {
        Rotation::None => 0,
        Rotation::Horizontal => 1,
        Rotation::Flipped => 2,
        Rotation::FlippedHorizontal => 3,
    }
}

/// Clockwise quarter turns with which the image appears on the page.
fn quarter_turns(ctm: &Matrix) -> i32 {
    // Image x axis maps to (a, b) in PDF user space (y up); clockwise on screen is
    // negative angle in user space.
    let angle = (-ctm[1]).atan2(ctm[0]).to_degrees();
    (angle / 90.0).round() as i32
}

/// The image painted over the largest area of the page, with its transformation matrix.
fn largest_image<'a>(page: &Page<'a>) -> Option<(Stream<'a>, Matrix)> {
    let resources = page.resources();
    let mut ctm: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack = Vec::new();
    let mut best: Option<(f64, Stream<'a>, Matrix)> = None;
    let mut ops = page.typed_operations();
    let mut seen = 0;
    while let Some(op) = ops.next() {
        seen += 1;
        if seen > MAX_OPS {
            break;
        }
        match op {
            TypedInstruction::SaveState(_) => stack.push(ctm),
            TypedInstruction::RestoreState(_) => ctm = stack.pop().unwrap_or(ctm),
            TypedInstruction::Transform(t) => {
                let m = [t.0, t.1, t.2, t.3, t.4, t.5].map(|n| n.as_f64());
                ctm = multiply(&m, &ctm);
            }
            TypedInstruction::XObject(x) => {
                let Some(stream) = resources.get_x_object(x.0) else {
                    continue;
                };
                let is_image = stream
                    .dict()
                    .get::<Name<'_>>(b"Subtype")
                    .is_some_and(|n| n.as_str() == "Image");
                let area = (ctm[0] * ctm[3] - ctm[1] * ctm[2]).abs();
                if is_image && best.as_ref().is_none_or(|(a, _, _)| area > *a) {
                    best = Some((area, stream, ctm));
                }
            }
            _ => {}
        }
    }
    best.map(|(_, s, m)| (s, m))
}

/// Components of a colour space, and whether it is indexed.
fn colour_components(dict: &Dict<'_>) -> (Option<u8>, bool) {
    let by_name = |n: &str| match n {
        "DeviceGray" | "CalGray" | "G" => Some(1),
        "DeviceRGB" | "CalRGB" | "Lab" | "RGB" => Some(3),
        "DeviceCMYK" | "CMYK" => Some(4),
        _ => None,
    };
    if let Some(n) = dict.get::<Name<'_>>(b"ColorSpace") {
        return (by_name(n.as_str()), false);
    }
    let Some(arr) = dict.get::<Array<'_>>(b"ColorSpace") else {
        return (None, false);
    };
    let mut items = arr.iter::<Object<'_>>();
    let family = match items.next() {
        Some(Object::Name(n)) => n.as_str().to_owned(),
        _ => return (None, false),
    };
    match family.as_str() {
        "ICCBased" => match items.next() {
            Some(Object::Stream(s)) => (s.dict().get::<u8>(b"N"), false),
            _ => (None, false),
        },
        "Indexed" | "I" => (Some(1), true),
        other => (by_name(other), false),
    }
}

fn decode_image(stream: &Stream<'_>) -> Result<GrayImage, String> {
    let dict = stream.dict();
    let width = dict.get::<u32>(b"Width").unwrap_or(0);
    let height = dict.get::<u32>(b"Height").unwrap_or(0);
    check_dimensions(width, height)?;
    let mask = dict.get::<bool>(b"ImageMask").unwrap_or(false);
    let (components, indexed) = if mask {
        (Some(1), false)
    } else {
        colour_components(dict)
    };
    if indexed {
        return Err("indexed-colour page images are not read".to_owned());
    }
    let bpc = if mask {
        Some(1)
    } else {
        dict.get::<u8>(b"BitsPerComponent")
    };
    let params = ImageDecodeParams {
        is_indexed: false,
        bpc,
        num_components: components,
        target_dimension: None,
        width,
        height,
    };
    let decoded = stream
        .decoded_image(&params)
        .map_err(|e| format!("cannot decode the page image: {e:?}"))?;
    let (w, h, bpc, channels) = match &decoded.image_data {
        Some(d) => {
            let channels = match d.color_space {
                Some(ImageColorSpace::Gray) => 1,
                Some(ImageColorSpace::Rgb) => 3,
                Some(ImageColorSpace::Cmyk) => 4,
                Some(ImageColorSpace::Unknown(n)) => n,
                None => components.unwrap_or(1),
            };
            (d.width, d.height, d.bits_per_component, channels)
        }
        None => (width, height, bpc.unwrap_or(8), components.unwrap_or(1)),
    };
    check_dimensions(w, h)?;
    let invert = mask
        || dict
            .get::<Array<'_>>(b"Decode")
            .and_then(|a| a.iter::<f64>().next())
            .is_some_and(|first| first > 0.5);
    samples_to_grey(&decoded.data, w, h, bpc, channels, invert)
}

/// Converts packed samples (`bpc` bits, `channels` per pixel, rows byte-aligned) to grey.
fn samples_to_grey(
    data: &[u8],
    w: u32,
    h: u32,
    bpc: u8,
    channels: u8,
    invert: bool,
) -> Result<GrayImage, String> {
    let (bpc, channels) = (usize::from(bpc), usize::from(channels.max(1)));
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(format!("page image has {bpc} bits per component"));
    }
    let row_bytes = (w as usize * channels * bpc).div_ceil(8);
    if data.len() < row_bytes * h as usize {
        return Err(format!(
            "page image data is {} bytes, {w}×{h} needs {}",
            data.len(),
            row_bytes * h as usize
        ));
    }
    let max = (1u32 << bpc.min(8)) - 1;
    let sample = |row: &[u8], i: usize| -> u32 {
        match bpc {
            8 => u32::from(row[i]),
            16 => u32::from(row[2 * i]),
            _ => {
                let bit = i * bpc;
                ((u32::from(row[bit / 8]) >> (8 - bpc - bit % 8)) & max) * 255 / max
            }
        }
    };
    let mut out = GrayImage::new(w, h);
    for (y, out_row) in out.rows_mut().enumerate() {
        let row = &data[y * row_bytes..(y + 1) * row_bytes];
        for (x, p) in out_row.enumerate() {
            let c = |k: usize| sample(row, x * channels + k);
            let v = match channels {
                1 | 2 => c(0),
                3 => (c(0) * 2126 + c(1) * 7152 + c(2) * 722) / 10_000,
                _ => (255 - c(0).max(c(1)).max(c(2))) * (255 - c(3)) / 255,
            } as u8;
            p.0[0] = if invert { 255 - v } else { v };
        }
    }
    Ok(out)
}
