//! A Code 128 encoder for the synthetic pages: text → symbol characters → bar widths.
//!
//! It can force the code sets practice software uses (B only) besides the shortest
//! encoding (C for digit pairs), so the reader is tested on both.

use crate::decode::patterns::{CODE_B, CODE_C, PATTERNS, START_B, START_C, STOP};

/// Which code sets the encoder may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeSets {
    /// Code set C for digit pairs; an odd leading digit in B, then CODE C.
    Shortest,
    /// Code set B throughout (what barcode fonts produce).
    BOnly,
    /// Code set C for leading digit pairs; an odd last digit in B after CODE B.
    CFirst,
    /// Not Code 128 at all: the value in Code 39 (`*VALUE*`), as some practice software
    /// prints an identifier. [`codewords`] has none for it.
    Code39,
}

/// The symbol characters of `text` (start, data, check; no stop), or `None` when `text`
/// holds a character outside code set B (ASCII 32–127) or `sets` is [`CodeSets::Code39`].
pub fn codewords(text: &str, sets: CodeSets) -> Option<Vec<u8>> {
    if sets == CodeSets::Code39 || !text.bytes().all(|b| (32..=127).contains(&b)) {
        return None;
    }
    let digits = text.bytes().all(|b| b.is_ascii_digit());
    let mut cw = Vec::new();
    match sets {
        CodeSets::CFirst if digits && text.len() >= 2 => {
            let b = text.as_bytes();
            cw.push(START_C);
            let pairs = b.len() / 2 * 2;
            for pair in b[..pairs].chunks(2) {
                cw.push((pair[0] - b'0') * 10 + (pair[1] - b'0'));
            }
            if pairs < b.len() {
                cw.push(CODE_B);
                cw.push(b[pairs] - 32);
            }
        }
        CodeSets::Shortest if digits && text.len() >= 2 => {
            let b = text.as_bytes();
            let mut rest = b;
            if b.len() % 2 == 1 {
                cw.push(START_B);
                cw.push(b[0] - 32);
                cw.push(CODE_C);
                rest = &b[1..];
            } else {
                cw.push(START_C);
            }
            for pair in rest.chunks(2) {
                cw.push((pair[0] - b'0') * 10 + (pair[1] - b'0'));
            }
        }
        _ => {
            cw.push(START_B);
            cw.extend(text.bytes().map(|b| b - 32));
        }
    }
    let check = cw
        .iter()
        .enumerate()
        .map(|(i, &v)| u32::from(v) * (i as u32).max(1))
        .sum::<u32>()
        % 103;
    cw.push(check as u8);
    Some(cw)
}

/// The code sets a codeword sequence (start, data, check) uses, in order (e.g. `BC`).
pub fn code_sets_used(codewords: &[u8]) -> String {
    let Some((&start, rest)) = codewords.split_first() else {
        return String::new();
    };
    let data = &rest[..rest.len().saturating_sub(1)];
    let mut set = match start {
        103 => 'A',
        104 => 'B',
        _ => 'C',
    };
    let mut sets = String::from(set);
    for &v in data {
        let next = match (set, v) {
            ('A' | 'B', 99) => 'C',
            ('A' | 'C', 100) => 'B',
            ('B' | 'C', 101) => 'A',
            _ => continue,
        };
        set = next;
        if !sets.ends_with(set) {
            sets.push(set);
        }
    }
    sets
}

/// Bar and space widths in modules, bar first, stop pattern included.
pub fn widths(codewords: &[u8]) -> Vec<u8> {
    let mut w: Vec<u8> = codewords
        .iter()
        .flat_map(|&v| PATTERNS[usize::from(v)])
        .collect();
    w.extend_from_slice(&STOP);
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::{BarcodeFormat, Writer, oned::Code128Writer};

    fn modules(w: &[u8]) -> Vec<bool> {
        w.iter()
            .enumerate()
            .flat_map(|(i, &n)| std::iter::repeat_n(i % 2 == 0, usize::from(n)))
            .collect()
    }

    /// rxing's writer is an independent implementation of the same table.
    #[test]
    fn matches_rxing_writer() {
        // rxing encodes an odd digit count as C then B, we as B then C: compare even ones.
        for text in ["1000104536", "75071218", "Code 128"] {
            let ours = modules(&widths(&codewords(text, CodeSets::Shortest).unwrap()));
            let matrix = Code128Writer
                .encode(text, &BarcodeFormat::CODE_128, 0, 1)
                .unwrap();
            let row: Vec<bool> = (0..matrix.getWidth()).map(|x| matrix.get(x, 0)).collect();
            let first = row.iter().position(|&b| b).unwrap();
            let last = row.iter().rposition(|&b| b).unwrap();
            assert_eq!(ours, row[first..=last].to_vec(), "{text}");
        }
    }

    #[test]
    fn code_sets_are_reported() {
        let c = codewords("10001045367", CodeSets::Shortest).unwrap();
        assert_eq!(code_sets_used(&c), "BC");
        let c = codewords("1000104536", CodeSets::Shortest).unwrap();
        assert_eq!(code_sets_used(&c), "C");
        let c = codewords("10001045367", CodeSets::CFirst).unwrap();
        assert_eq!(code_sets_used(&c), "CB");
        let b = codewords("10001045367", CodeSets::BOnly).unwrap();
        assert_eq!(code_sets_used(&b), "B");
        assert_eq!(b.len(), 1 + 11 + 1);
    }
}
