//! 8-bit grey PNGs, what document scanners write, decoded straight into the page.
//!
//! A PNG stores each row filtered against its left neighbour and the row above (ISO/IEC
//! 15948, §9). Unfiltering a Paeth row of one-byte pixels is a chain: each byte waits for
//! the one before it, a handful of dependent operations a byte, and the `png` crate (under
//! `image`) unfilters one row at a time. Scanned paper is noisy, so encoders pick Paeth for
//! most of a page's rows that are not plain copies of the row above, in long runs (and
//! Average, a shorter chain, for some). Here four consecutive Paeth rows, or four Average
//! rows, are unfiltered together, byte by byte across the four: four independent chains
//! the CPU runs side by side (each row's byte needs only the byte above, which the row
//! before has just made). The rows land in the page's own buffer, with no copy between.
//!
//! Inflating is `fdeflate`'s, the inflater the `png` crate itself uses. Only a well-formed
//! file takes this way: any other PNG (another colour type or depth, interlaced, a bad
//! chunk checksum, a stream too short or too long, an unknown critical chunk) is left to
//! the `image` crate, which decodes it or says what is wrong with it.

use image::GrayImage;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// Deflate's farthest back-reference: this much decoded history stays in the window.
const HISTORY: usize = 32 * 1024;
/// Decoded bytes asked of the inflater at a time (rows are unfiltered as they arrive).
const CHUNK: usize = 256 * 1024;
/// Average or Paeth rows unfiltered together.
const BAND: usize = 4;

/// One chunk of a PNG file.
pub(super) struct Chunk<'a> {
    /// The chunk's type, such as `IDAT`.
    pub kind: [u8; 4],
    /// Its data.
    pub data: &'a [u8],
    /// The CRC stored after it, when the file goes on that far.
    crc: Option<u32>,
}

impl Chunk<'_> {
    /// Whether the stored CRC matches the chunk's type and data.
    fn crc_holds(&self) -> bool {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&self.kind);
        hasher.update(self.data);
        self.crc == Some(hasher.finalize())
    }
}

/// The chunks after the signature, up to the first one whose data runs past the file's end.
pub(super) fn chunks(bytes: &[u8]) -> impl Iterator<Item = Chunk<'_>> {
    let mut at = SIGNATURE.len();
    std::iter::from_fn(move || {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?.try_into().ok()?;
        let end = at + 8 + len;
        let data = bytes.get(at + 8..end)?;
        let crc = bytes
            .get(end..end + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        at = end + 4;
        Some(Chunk { kind, data, crc })
    })
}

/// Decodes an 8-bit grey, non-interlaced, well-formed PNG; `None` for any other.
pub(super) fn decode_grey8(bytes: &[u8]) -> Option<GrayImage> {
    if !bytes.starts_with(&SIGNATURE) {
        return None;
    }
    let mut chunks = chunks(bytes);
    let header = chunks
        .next()
        .filter(|c| &c.kind == b"IHDR" && c.data.len() == 13 && c.crc_holds())?;
    let size = |at: usize| u32::from_be_bytes(header.data[at..at + 4].try_into().unwrap());
    let (width, height) = (size(0), size(4));
    // Depth 8, grey, deflate, adaptive filtering, not interlaced.
    if header.data[8..] != [8, 0, 0, 0, 0] || width == 0 || height == 0 {
        return None;
    }
    let mut streams = Vec::new();
    let mut streams_ended = false;
    for chunk in chunks {
        match &chunk.kind {
            b"IEND" => {
                let pixels = inflate_unfilter(&streams, width as usize, height as usize)?;
                return GrayImage::from_raw(width, height, pixels);
            }
            b"IDAT" if !streams_ended && chunk.crc_holds() => streams.push(chunk.data),
            // A critical chunk this way does not know, or image data out of place.
            kind if kind[0].is_ascii_uppercase() => return None,
            _ => streams_ended = !streams.is_empty(),
        }
    }
    None
}

/// Inflates the image data and unfilters its rows as they come; `None` unless the stream
/// holds exactly the rows the header announces.
fn inflate_unfilter(streams: &[&[u8]], width: usize, height: usize) -> Option<Vec<u8>> {
    let stride = width + 1;
    let total = stride.checked_mul(height)?;
    let mut pixels = Vec::with_capacity(width * height);
    let mut window = vec![0; HISTORY + CHUNK.max((BAND + 1) * stride)];
    let mut inflater = fdeflate::Decompressor::new();
    inflater.ignore_adler32();
    let (mut filled, mut next_row_at, mut made_total) = (0, 0, 0);
    for (i, &stream) in streams.iter().enumerate() {
        let last = i + 1 == streams.len();
        let mut input = stream;
        loop {
            if filled == window.len() {
                let keep_from = next_row_at.min(filled - HISTORY);
                window.copy_within(keep_from..filled, 0);
                filled -= keep_from;
                next_row_at -= keep_from;
            }
            let (used, made) = inflater.read(input, &mut window, filled, last).ok()?;
            input = &input[used..];
            filled += made;
            made_total += made;
            if made_total > total {
                return None;
            }
            let rows = (filled - next_row_at) / stride;
            unfilter_rows(
                &window[next_row_at..next_row_at + rows * stride],
                width,
                &mut pixels,
            )?;
            next_row_at += rows * stride;
            if inflater.is_done() || filled < window.len() && input.is_empty() {
                break;
            }
            if filled < window.len() && used == 0 && made == 0 {
                return None;
            }
        }
    }
    (inflater.is_done() && made_total == total).then_some(pixels)
}

/// Unfilters whole filtered rows (each its filter byte, then `width` bytes) onto the end
/// of `pixels`, the rows unfiltered so far.
fn unfilter_rows(filtered: &[u8], width: usize, pixels: &mut Vec<u8>) -> Option<()> {
    let stride = width + 1;
    let rows = filtered.len() / stride;
    let mut r = 0;
    while r < rows {
        let band = &filtered[r * stride..];
        let kind = band[0];
        let run = band
            .iter()
            .step_by(stride)
            .take(BAND.min(rows - r))
            .take_while(|&&k| k == kind)
            .count();
        let k = if run == BAND && matches!(kind, 3 | 4) {
            BAND
        } else {
            1
        };
        let done = pixels.len();
        pixels.resize(done + k * width, 0);
        let (before, new) = pixels.split_at_mut(done);
        let zeros;
        let above = if done == 0 {
            zeros = vec![0; width];
            &zeros[..]
        } else {
            &before[done - width..]
        };
        match (kind, k) {
            (3, BAND) => chained_rows::<BAND>(above, &band[1..], stride, new, average),
            (4, BAND) => chained_rows::<BAND>(above, &band[1..], stride, new, paeth),
            _ => unfilter_row(kind, above, &band[1..stride], new)?,
        }
        r += k;
    }
    Some(())
}

/// Unfilters one row of the given filter type; `None` for a type PNG does not define.
fn unfilter_row(kind: u8, above: &[u8], filtered: &[u8], row: &mut [u8]) -> Option<()> {
    let mut left = 0u8;
    match kind {
        0 => row.copy_from_slice(filtered),
        1 => {
            for (x, &f) in row.iter_mut().zip(filtered) {
                left = f.wrapping_add(left);
                *x = left;
            }
        }
        2 => {
            for ((x, &f), &b) in row.iter_mut().zip(filtered).zip(above) {
                *x = f.wrapping_add(b);
            }
        }
        3 => chained_rows::<1>(above, filtered, filtered.len(), row, average),
        4 => chained_rows::<1>(above, filtered, filtered.len(), row, paeth),
        _ => return None,
    }
    Some(())
}

/// Unfilters `K` consecutive rows of one filter whose prediction needs the byte to the
/// left (Average, Paeth): row `k`'s filtered bytes start at `k * stride` in `filtered`,
/// and it lands at `k * width` in `rows`. At each column the K rows take their byte in
/// turn, each from the byte the row before has just made: K chains side by side.
fn chained_rows<const K: usize>(
    above: &[u8],
    filtered: &[u8],
    stride: usize,
    rows: &mut [u8],
    predict: impl Fn(i16, i16, i16) -> u8,
) {
    let width = above.len();
    let filtered: [&[u8]; K] = std::array::from_fn(|k| &filtered[k * stride..][..width]);
    let mut outs = rows[..K * width].chunks_exact_mut(width);
    let mut outs: [&mut [u8]; K] = std::array::from_fn(|_| outs.next().unwrap());
    let mut left = [0i16; K];
    let mut above_left = [0i16; K];
    let mut i = 0;
    while i < width {
        let end = (i + FLAT_SPAN).min(width);
        // Flat paper: every row's left byte and the bytes above the span all alike, and
        // nothing filtered in it. Both predictors then give that byte all along, so every
        // row of the span is that byte (Paeth's left and up tie, whatever is above left).
        let paper = left[0];
        if left.iter().all(|&v| v == paper)
            && differs(&above[i..end], paper as u8) == 0
            && filtered.iter().all(|f| differs(&f[i..end], 0) == 0)
        {
            for out in outs.iter_mut() {
                out[i..end].fill(paper as u8);
            }
            above_left = [paper; K];
            i = end;
            continue;
        }
        for i in i..end {
            let mut up = i16::from(above[i]);
            for k in 0..K {
                let x = filtered[k][i].wrapping_add(predict(left[k], up, above_left[k]));
                outs[k][i] = x;
                above_left[k] = up;
                up = i16::from(x);
                left[k] = up;
            }
        }
        i = end;
    }
}

/// Columns [`chained_rows`] looks at together for flat paper: blank paper is mostly so
/// (seed 2026's PNG pages: 92 % of the bytes of Paeth rows are such paper).
const FLAT_SPAN: usize = 32;

/// The bits in which some byte of `bytes` differs from `byte` (0 when all are it), all
/// bytes looked at without a branch.
fn differs(bytes: &[u8], byte: u8) -> u8 {
    bytes.iter().fold(0, |acc, &b| acc | (b ^ byte))
}

/// The Average filter's prediction: the mean of the left and above bytes, rounded down.
fn average(left: i16, up: i16, _above_left: i16) -> u8 {
    ((left + up) >> 1) as u8
}

/// The Paeth predictor of the left, above and above-left bytes, in the form of
/// stb_image (and of the `png` crate on x86-64): the byte nearest `left + up − above_left`,
/// ties to left, then up. Branch-free (noisy paper would defeat any branch predictor),
/// it has the shortest chain through `left`.
fn paeth(left: i16, up: i16, above_left: i16) -> u8 {
    use std::hint::select_unpredictable;
    let threshold = above_left * 3 - (left + up);
    let low = left.min(up);
    let high = left.max(up);
    let nearer = select_unpredictable(high <= threshold, low, above_left);
    select_unpredictable(threshold <= low, high, nearer) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use proptest::prelude::*;

    /// The predictor as ISO/IEC 15948 §9.4 writes it.
    fn paeth_as_specified(a: u8, b: u8, c: u8) -> u8 {
        let p = i16::from(a) + i16::from(b) - i16::from(c);
        let (pa, pb, pc) = (
            (p - i16::from(a)).abs(),
            (p - i16::from(b)).abs(),
            (p - i16::from(c)).abs(),
        );
        if pa <= pb && pa <= pc {
            a
        } else if pb <= pc {
            b
        } else {
            c
        }
    }

    #[test]
    fn paeth_is_the_specified_predictor_for_every_three_bytes() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in 0..=255u8 {
                    let ours = paeth(i16::from(a), i16::from(b), i16::from(c));
                    assert_eq!(ours, paeth_as_specified(a, b, c), "a {a} b {b} c {c}");
                }
            }
        }
    }

    /// Filters a grey image's rows, each with its own filter type (ISO/IEC 15948 §9.2).
    fn filter(pixels: &[u8], width: usize, kinds: &[u8]) -> Vec<u8> {
        let mut raw = Vec::new();
        for (r, &kind) in kinds.iter().enumerate() {
            let row = &pixels[r * width..][..width];
            let at = |row: &[u8], i: usize| if i == 0 { 0 } else { row[i - 1] };
            let above = |i: usize| {
                if r == 0 {
                    0
                } else {
                    pixels[(r - 1) * width + i]
                }
            };
            let above_left = |i: usize| {
                if r == 0 || i == 0 {
                    0
                } else {
                    pixels[(r - 1) * width + i - 1]
                }
            };
            raw.push(kind);
            for i in 0..width {
                let prediction = match kind {
                    0 => 0,
                    1 => at(row, i),
                    2 => above(i),
                    3 => ((u16::from(at(row, i)) + u16::from(above(i))) / 2) as u8,
                    _ => paeth_as_specified(at(row, i), above(i), above_left(i)),
                };
                raw.push(row[i].wrapping_sub(prediction));
            }
        }
        raw
    }

    fn chunk(file: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        file.extend_from_slice(&(data.len() as u32).to_be_bytes());
        file.extend_from_slice(kind);
        file.extend_from_slice(data);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(kind);
        hasher.update(data);
        file.extend_from_slice(&hasher.finalize().to_be_bytes());
    }

    /// A PNG of the given header fields and filtered rows, its stream cut into `pieces`
    /// IDAT chunks.
    fn png_file(width: u32, height: u32, tail: [u8; 5], raw: &[u8], pieces: usize) -> Vec<u8> {
        png_of_stream(width, height, tail, &fdeflate::compress_to_vec(raw), pieces)
    }

    /// [`png_file`] of an image data stream as it is.
    fn png_of_stream(
        width: u32,
        height: u32,
        tail: [u8; 5],
        stream: &[u8],
        pieces: usize,
    ) -> Vec<u8> {
        let mut file = SIGNATURE.to_vec();
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&tail);
        chunk(&mut file, b"IHDR", &header);
        chunk(&mut file, b"tEXt", b"Software\0ordoscan tests");
        let piece = stream.len().div_ceil(pieces.max(1)).max(1);
        for data in stream.chunks(piece) {
            chunk(&mut file, b"IDAT", data);
        }
        chunk(&mut file, b"IEND", &[]);
        file
    }

    /// What the `image` crate makes of a PNG.
    fn by_image_crate(file: &[u8]) -> Option<GrayImage> {
        image::load_from_memory_with_format(file, image::ImageFormat::Png)
            .ok()
            .map(|i| i.into_luma8())
    }

    /// A xorshift generator: the same numbers for the same seed.
    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed | 1;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// A page-like grey image: paper with noise, and dark strokes.
    fn page_like(width: usize, height: usize, seed: u64) -> Vec<u8> {
        let mut next = xorshift(seed);
        (0..width * height)
            .map(|i| {
                let noise = (next() % 23) as u8;
                if (i % width) % 37 < 5 || (i / width) % 29 < 2 {
                    20 + noise
                } else {
                    220 + noise
                }
            })
            .collect()
    }

    /// Blank paper of one grey with sparse specks and a few strokes down it (of one
    /// grey, which the rows below predict exactly): the flat spans
    /// [`chained_rows`] fills at once, broken here and there.
    fn flat_paper(width: usize, height: usize, paper: u8, seed: u64) -> Vec<u8> {
        let mut next = xorshift(seed);
        (0..width * height)
            .map(|i| {
                let state = next();
                if (i % width) % 53 == 7 {
                    paper.wrapping_add(128)
                } else if state.is_multiple_of(97) {
                    (state >> 8) as u8
                } else {
                    paper
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn flat_paper_decodes_exactly_in_bands_of_any_filter(
            width in 1usize..200,
            runs in proptest::collection::vec((0u8..5, 1usize..7), 1..12),
            paper in prop_oneof![Just(0u8), Just(255u8), any::<u8>()],
            seed in any::<u64>(),
        ) {
            let kinds: Vec<u8> = runs.iter().flat_map(|&(kind, n)| std::iter::repeat_n(kind, n)).collect();
            let pixels = flat_paper(width, kinds.len(), paper, seed);
            let file = png_file(width as u32, kinds.len() as u32, [8, 0, 0, 0, 0], &filter(&pixels, width, &kinds), 1);
            let ours = decode_grey8(&file).expect("a well-formed grey PNG");
            prop_assert_eq!(ours.as_raw(), &pixels);
        }

        #[test]
        fn rows_of_any_filters_decode_as_the_image_crate_decodes_them(
            width in 1usize..70,
            kinds in proptest::collection::vec(0u8..5, 1..40),
            seed in any::<u64>(),
            pieces in 1usize..5,
        ) {
            let height = kinds.len();
            let pixels = page_like(width, height, seed);
            let file = png_file(width as u32, height as u32, [8, 0, 0, 0, 0], &filter(&pixels, width, &kinds), pieces);
            let ours = decode_grey8(&file).expect("a well-formed grey PNG");
            prop_assert_eq!(ours.as_raw(), &pixels);
            prop_assert_eq!(Some(ours), by_image_crate(&file));
        }

        #[test]
        fn the_image_crates_own_encodings_decode_alike(
            width in 1u32..90,
            height in 1u32..60,
            seed in any::<u64>(),
            filter in prop_oneof![
                Just(FilterType::NoFilter), Just(FilterType::Sub), Just(FilterType::Up),
                Just(FilterType::Avg), Just(FilterType::Paeth), Just(FilterType::Adaptive)
            ],
            compression in prop_oneof![Just(CompressionType::Fast), Just(CompressionType::Default), Just(CompressionType::Best)],
        ) {
            let pixels = page_like(width as usize, height as usize, seed);
            let mut file = Vec::new();
            PngEncoder::new_with_quality(&mut file, compression, filter)
                .write_image(&pixels, width, height, image::ExtendedColorType::L8)
                .unwrap();
            let ours = decode_grey8(&file).expect("a well-formed grey PNG");
            prop_assert_eq!(ours.as_raw(), &pixels);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// A damaged stream whose chunks' CRCs still hold (a writer's bug, not the
        /// wire's) never panics, and what is decoded of it is what the `image` crate
        /// decodes.
        #[test]
        fn a_damaged_stream_is_refused_or_read_as_the_image_crate_reads_it(
            width in 1usize..40,
            kinds in proptest::collection::vec(0u8..5, 1..20),
            seed in any::<u64>(),
            damage in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..3),
            cut in any::<prop::sample::Index>(),
            cut_it in any::<bool>(),
        ) {
            let height = kinds.len();
            let pixels = page_like(width, height, seed);
            let mut stream = fdeflate::compress_to_vec(&filter(&pixels, width, &kinds));
            for (at, bit) in damage {
                let at = at.index(stream.len());
                stream[at] ^= 1 << bit;
            }
            if cut_it {
                stream.truncate(cut.index(stream.len()));
            }
            let file = png_of_stream(width as u32, height as u32, [8, 0, 0, 0, 0], &stream, 1);
            if let Some(ours) = decode_grey8(&file) {
                prop_assert_eq!(Some(ours), by_image_crate(&file));
            }
        }
    }

    #[test]
    fn a_page_larger_than_the_window_decodes_whole() {
        // 1.4 MB of rows: the window is refilled several times, rows cut across refills.
        let (width, height) = (1237, 1130);
        let pixels = page_like(width, height, 7);
        let kinds: Vec<u8> = (0..height)
            .map(|r| [4, 4, 4, 4, 4, 2, 4, 3, 1, 0][r % 10])
            .collect();
        let file = png_file(
            width as u32,
            height as u32,
            [8, 0, 0, 0, 0],
            &filter(&pixels, width, &kinds),
            3,
        );
        let ours = decode_grey8(&file).expect("a well-formed grey PNG");
        assert_eq!(ours.as_raw(), &pixels);
        // Rows repeated 20 apart, compressed hard: back-references reach 25 kB back,
        // across the window's refills.
        let repeated: Vec<u8> = (0..width * height)
            .map(|i| pixels[(i / width % 20) * width + i % width])
            .collect();
        let mut file = Vec::new();
        PngEncoder::new_with_quality(&mut file, CompressionType::Best, FilterType::Adaptive)
            .write_image(
                &repeated,
                width as u32,
                height as u32,
                image::ExtendedColorType::L8,
            )
            .unwrap();
        let ours = decode_grey8(&file).expect("a well-formed grey PNG");
        assert_eq!(ours.as_raw(), &repeated);
    }

    #[test]
    fn anything_but_a_well_formed_grey_png_is_left_to_the_image_crate() {
        let (width, height) = (31, 9);
        let pixels = page_like(width, height, 3);
        let kinds = [4; 9];
        let raw = filter(&pixels, width, &kinds);
        let good = png_file(width as u32, height as u32, [8, 0, 0, 0, 0], &raw, 2);
        assert!(decode_grey8(&good).is_some());
        // Interlaced, 16-bit, RGB: other layouts.
        for tail in [[8, 0, 0, 0, 1], [16, 0, 0, 0, 0], [8, 2, 0, 0, 0]] {
            assert!(decode_grey8(&png_file(width as u32, height as u32, tail, &raw, 1)).is_none());
        }
        // A row too few, a row too many.
        let short = png_file(width as u32, height as u32 + 1, [8, 0, 0, 0, 0], &raw, 1);
        assert!(decode_grey8(&short).is_none());
        let long = png_file(width as u32, height as u32 - 1, [8, 0, 0, 0, 0], &raw, 1);
        assert!(decode_grey8(&long).is_none());
        // A filter type PNG does not define.
        let mut bad_filter = raw.clone();
        bad_filter[(width + 1) * 4] = 5;
        assert!(
            decode_grey8(&png_file(
                width as u32,
                height as u32,
                [8, 0, 0, 0, 0],
                &bad_filter,
                1
            ))
            .is_none()
        );
        // A flipped bit in an image data chunk's CRC (the data itself intact).
        let idat = good.windows(4).position(|w| w == b"IDAT").unwrap();
        let len = u32::from_be_bytes(good[idat - 4..idat].try_into().unwrap()) as usize;
        let mut flipped = good.clone();
        flipped[idat + 4 + len] ^= 0x10;
        assert!(decode_grey8(&flipped).is_none());
        // Cut before IEND, and cut inside the data.
        assert!(decode_grey8(&good[..good.len() - 12]).is_none());
        assert!(decode_grey8(&good[..idat + 20]).is_none());
        // A critical chunk this way does not know.
        let mut unknown = good[..good.len() - 12].to_vec();
        chunk(&mut unknown, b"ZZZZ", b"?");
        chunk(&mut unknown, b"IEND", &[]);
        assert!(decode_grey8(&unknown).is_none());
    }
}
