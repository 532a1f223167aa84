//! The `rxing` reader: multi-symbol detection on the whole page, Code 128 and Code 39.
//!
//! rxing reports a 1-D symbol as the two ends of the scanline that decoded it (start of
//! the start pattern, end of the stop pattern, in page coordinates); [`crate::locate`]
//! grows that line into the symbol's quad. rxing may report one symbol several times (from
//! sub-images of its recursive search): duplicates are merged.

use std::collections::HashSet;

use image::GrayImage;
use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
use rxing::{
    BarcodeFormat, BinaryBitmap, DecodeHints, Luma8LuminanceSource, MultiUseMultiFormatReader,
    common::HybridBinarizer,
};

use super::{Symbol, Symbology, push_unique};
use crate::locate;

pub(super) fn read(image: &GrayImage) -> Vec<Symbol> {
    let (w, h) = image.dimensions();
    let Ok(source) = Luma8LuminanceSource::new(image.as_raw().clone(), w, h) else {
        return Vec::new();
    };
    let hints = DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([
            BarcodeFormat::CODE_128,
            BarcodeFormat::CODE_39,
        ])),
        ..DecodeHints::default()
    };
    let mut reader = GenericMultipleBarcodeReader::new(MultiUseMultiFormatReader::default());
    let results = reader
        .decode_multiple_with_hints(&mut BinaryBitmap::new(HybridBinarizer::new(source)), &hints)
        .unwrap_or_default();
    let mut symbols: Vec<Symbol> = Vec::new();
    for r in results {
        let symbology = match r.getBarcodeFormat() {
            BarcodeFormat::CODE_128 => Symbology::Code128,
            BarcodeFormat::CODE_39 => Symbology::Code39,
            _ => continue,
        };
        let points = r.getPoints();
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            continue;
        };
        let (mut start, mut end) = (
            [f64::from(first.x), f64::from(first.y)],
            [f64::from(last.x), f64::from(last.y)],
        );
        // rxing scans rows (or columns of the rotated page): both ends lie on that line.
        let axis = usize::from((end[0] - start[0]).abs() < (end[1] - start[1]).abs());
        let across = 1 - axis;
        let mid = (start[across] + end[across]) / 2.0;
        start[across] = mid;
        end[across] = mid;
        let geometry = locate::measure(image, start, end, symbology);
        let symbol = Symbol {
            value: r.getText().to_owned(),
            symbology,
            quad: geometry.quad,
            px_per_module: geometry.px_per_module,
            code_sets: None,
        };
        push_unique(&mut symbols, symbol);
    }
    symbols
}
