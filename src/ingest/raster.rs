//! Single-image raster formats through the `image` crate, under decoding limits.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageFormat, ImageReader, Limits};

use super::{MAX_SIDE_PX, RawPage, RawResult, check_dimensions, meta, png};

/// Decodes one PNG, JPEG, BMP, GIF or WebP image (the first frame of an animation).
pub(super) fn decode(bytes: &[u8], format: ImageFormat) -> RawResult {
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| format!("cannot read {format:?} header: {e}"))?;
    check_dimensions(w, h)?;
    // Grey PNGs have a way of their own; any they leave, and every other format, the
    // `image` crate's.
    let image = match format {
        ImageFormat::Png => png::decode_grey8(bytes),
        _ => None,
    }
    .map_or_else(|| decode_any(bytes, format, w, h), Ok)?;
    let file_dpi = match format {
        ImageFormat::Png => meta::png_dpi(bytes),
        ImageFormat::Jpeg => meta::jpeg_dpi(bytes),
        ImageFormat::Bmp => meta::bmp_dpi(bytes),
        _ => None,
    };
    Ok(RawPage { image, file_dpi })
}

/// Decodes any image the `image` crate reads, under limits, into grey.
fn decode_any(bytes: &[u8], format: ImageFormat, w: u32, h: u32) -> Result<GrayImage, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits_for(w, h));
    let image = reader
        .decode()
        .map_err(|e| format!("cannot decode {format:?} image: {e}"))?;
    Ok(to_grey(image))
}

fn limits_for(w: u32, h: u32) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PX);
    limits.max_image_height = Some(MAX_SIDE_PX);
    // Room for the widest decoded form (RGBA, 16 bits) plus the decoder's own buffers.
    limits.max_alloc = Some(u64::from(w) * u64::from(h) * 8 + (64 << 20));
    limits
}

/// Converts to 8-bit grey once, compositing any transparency over white paper.
pub(crate) fn to_grey(image: DynamicImage) -> GrayImage {
    if !image.color().has_alpha() {
        return image.into_luma8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut grey = GrayImage::new(w, h);
    for (g, p) in grey.pixels_mut().zip(rgba.pixels()) {
        let [r, gr, b, a] = p.0;
        let luma = (2126 * u32::from(r) + 7152 * u32::from(gr) + 722 * u32::from(b)) / 10_000;
        let a = u32::from(a);
        g.0[0] = ((luma * a + 255 * (255 - a)) / 255) as u8;
    }
    grey
}
