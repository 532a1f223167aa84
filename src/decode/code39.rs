//! Code 39 on a line's widths: some practice software prints an identifier in Code 39
//! under `N° RPPS`. Such a symbol never identifies anyone (Annexe I wants Code 128), but
//! it must be reported as what it is (`not_code_128`) rather than as nothing.
//!
//! Each character is 9 elements (5 bars, 4 spaces), 3 of them wide, followed by a narrow
//! gap; a symbol is `*TEXT*` between quiet zones. Elements are told wide from narrow
//! within each character (the 3 widest), so ink spread and any wide-to-narrow ratio from
//! 2 to 3 read alike.

/// The characters of Code 39, in the order of [`ENCODINGS`]; `*` is the start and stop.
const ALPHABET: &[u8; 44] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%*";

/// The wide elements of each character of [`ALPHABET`], first element in the high bit
/// (ISO/IEC 16388).
const ENCODINGS: [u16; 44] = [
    0x034, 0x121, 0x061, 0x160, 0x031, 0x130, 0x070, 0x025, 0x124, 0x064, 0x109, 0x049, 0x148,
    0x019, 0x118, 0x058, 0x00D, 0x10C, 0x04C, 0x01C, 0x103, 0x043, 0x142, 0x013, 0x112, 0x052,
    0x007, 0x106, 0x046, 0x016, 0x181, 0x0C1, 0x1C0, 0x091, 0x190, 0x0D0, 0x085, 0x184, 0x0C4,
    0x0A8, 0x0A2, 0x08A, 0x02A, 0x094,
];

/// The start and stop character.
const STAR: u8 = b'*';
/// Smallest ratio of a character's narrowest wide element to its widest narrow one.
const MIN_RATIO: f64 = 1.5;
/// Quiet zone on each side, in widths of the symbol's narrow elements (ISO: 10).
const QUIET_NARROW: f64 = 7.0;

/// Module widths of `*text*` (bars and spaces, starting with a bar; wide = 3 modules,
/// one-module gaps between characters); `None` when `text` has a character Code 39 lacks.
pub fn encode(text: &str) -> Option<Vec<u8>> {
    let mut widths = Vec::new();
    for (k, c) in std::iter::once(STAR)
        .chain(text.bytes())
        .chain([STAR])
        .enumerate()
    {
        if k > 0 {
            widths.push(1);
        }
        let i = ALPHABET.iter().position(|&a| a == c)?;
        widths.extend(
            (0..9)
                .rev()
                .map(|b| if ENCODINGS[i] >> b & 1 == 1 { 3 } else { 1 }),
        );
    }
    Some(widths)
}

/// A Code 39 symbol read on a line: its text (without the stars) and the indexes, in the
/// widths read, of its first and last bars.
#[derive(Clone, Debug, PartialEq)]
pub struct Read39 {
    pub text: String,
    pub first: usize,
    pub last: usize,
}

/// The Code 39 symbol on `widths` (a leading space, then bars and spaces alternately, then
/// a trailing space), read in the widths' order; `None` when there is none.
pub fn decode(widths: &[f64]) -> Option<Read39> {
    (1..widths.len().saturating_sub(9))
        .step_by(2)
        .find_map(|start| decode_from(widths, start))
}

/// The symbol whose start character begins at the bar `start`.
fn decode_from(widths: &[f64], start: usize) -> Option<Read39> {
    let first = widths.get(start..start + 9)?;
    // A character is 12 to 15 narrow elements wide: a space before it shorter than 7/15
    // of it is no quiet zone (the cheap test that rejects most positions of a line).
    if widths[start - 1] < QUIET_NARROW / 15.0 * first.iter().sum::<f64>() {
        return None;
    }
    let (star, narrow) = character(first)?;
    if star != STAR || widths[start - 1] < QUIET_NARROW * narrow {
        return None;
    }
    let mut text = String::new();
    let mut at = start + 10;
    loop {
        let (c, _) = character(widths.get(at..at + 9)?)?;
        // The gap before this character: narrow-ish, never a quiet zone.
        if widths[at - 1] > 4.0 * narrow {
            return None;
        }
        if c == STAR {
            let last = at + 8;
            let after = *widths.get(last + 1)?;
            return (!text.is_empty() && after >= QUIET_NARROW * narrow).then_some(Read39 {
                text,
                first: start,
                last,
            });
        }
        text.push(char::from(c));
        at += 10;
    }
}

/// The character of 9 elements and its narrow width; `None` when the 3 widest do not
/// stand clearly apart or their pattern is no character.
fn character(elements: &[f64]) -> Option<(u8, f64)> {
    let mut sorted = elements.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (widest_narrow, narrowest_wide) = (sorted[5], sorted[6]);
    if widest_narrow <= 0.0 || narrowest_wide < MIN_RATIO * widest_narrow {
        return None;
    }
    let threshold = (widest_narrow + narrowest_wide) / 2.0;
    let bits = elements
        .iter()
        .fold(0u16, |acc, &w| acc << 1 | u16::from(w > threshold));
    let i = ENCODINGS.iter().position(|&e| e == bits)?;
    let narrow = sorted[..6].iter().sum::<f64>() / 6.0;
    Some((ALPHABET[i], narrow))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as read widths: quiet zones of 12 modules, `module` pixels per module,
    /// wide elements `ratio` modules, bars `spread` pixels wider (spaces narrower).
    fn line(text: &str, module: f64, ratio: f64, spread: f64) -> Vec<f64> {
        let mut w = vec![12.0 * module];
        for (i, &m) in encode(text).unwrap().iter().enumerate() {
            let m = if m == 3 { ratio } else { 1.0 };
            let bar = i % 2 == 0;
            w.push(m * module + if bar { spread } else { -spread });
        }
        w.push(12.0 * module);
        w
    }

    #[test]
    fn every_character_round_trips() {
        let all: String = ALPHABET[..43].iter().map(|&c| char::from(c)).collect();
        for ratio in [2.0, 2.5, 3.0] {
            let read = decode(&line(&all, 2.0, ratio, 0.3)).expect("a read");
            assert_eq!(read.text, all, "ratio {ratio}");
        }
    }

    #[test]
    fn an_rpps_reads_both_ways_and_a_damaged_one_not_at_all() {
        let w = line("10001045367", 1.6, 2.5, 0.2);
        assert_eq!(decode(&w).unwrap().text, "10001045367");
        let reversed: Vec<f64> = w.iter().rev().copied().collect();
        // Backwards, the characters are other patterns: read from the other end.
        let back = decode(&reversed).map(|r| r.text);
        assert_ne!(back.as_deref(), Some("10001045367"));
        // A narrow bar of the first data character ('1' = wide, narrow, …) made wide.
        let mut broken = w.clone();
        broken[12] *= 3.0;
        assert_eq!(decode(&broken), None);
        let mut no_quiet = w;
        no_quiet[0] = 2.0;
        assert_eq!(decode(&no_quiet), None);
    }

    #[test]
    fn code_128_is_not_code_39() {
        use crate::synth::code128::{CodeSets, codewords, widths};
        let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
        let mut w = vec![20.0];
        w.extend(widths(&cw).iter().map(|&m| f64::from(m) * 2.0));
        w.push(20.0);
        assert_eq!(decode(&w), None);
    }
}
