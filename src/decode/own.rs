//! ordoscan's own reader: texture candidates, many scanlines across each, votes.
//!
//! Each candidate box from [`crate::locate::candidates`] is crossed by parallel scanlines
//! spread over its height, each extended beyond the box for the quiet zones. A line that
//! decodes (check character and quiet zones included) votes for its text; a text is
//! reported only when at least [`MIN_VOTES`] independent lines agree, so a single
//! misread line can never become a symbol.

use std::collections::BTreeMap;
use std::time::Instant;

use image::GrayImage;

use super::scan::{LineRead, Scanline, read_line_all};
use super::{Symbol, Symbology};
use crate::locate::{self, Candidate};

/// Lines that must agree on a text before it is reported.
pub const MIN_VOTES: usize = 2;
/// Most scanlines across one candidate.
const MAX_LINES: usize = 48;

/// Every Code 128 symbol the own reader finds on the page before `deadline`, and whether
/// the deadline cut the search short.
pub(super) fn read(image: &GrayImage, deadline: Option<Instant>) -> (Vec<Symbol>, bool) {
    let mut symbols: Vec<Symbol> = Vec::new();
    for c in locate::candidates(image) {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return (symbols, true);
        }
        for s in read_candidate(image, &c) {
            let duplicate = symbols
                .iter()
                .any(|o| o.value == s.value && locate::overlap(&o.quad, &s.quad));
            if !duplicate {
                symbols.push(s);
            }
        }
    }
    (symbols, false)
}

/// Reads a candidate along its estimated orientation, then, when nothing is read, along
/// slightly turned ones (a small candidate's orientation is only known to a few degrees).
fn read_candidate(image: &GrayImage, c: &Candidate) -> Vec<Symbol> {
    for turn in [0.0f64, 2.5, -2.5] {
        let (s, co) = turn.to_radians().sin_cos();
        let turned = Candidate {
            across: [
                c.across[0] * co - c.across[1] * s,
                c.across[0] * s + c.across[1] * co,
            ],
            ..c.clone()
        };
        let found = read_oriented(image, &turned);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

fn read_oriented(image: &GrayImage, c: &Candidate) -> Vec<Symbol> {
    let along = [-c.across[1], c.across[0]];
    // Candidates may cover only part of a symbol (cells at its ends, or inside its widest
    // bars, are weak): reach far beyond; the decode nearest the middle is kept.
    let margin = (c.half_length * 1.2).max(40.0);
    let reach = c.half_length + margin;
    let lines = (c.half_height as usize).clamp(8, MAX_LINES);
    let mut votes: BTreeMap<String, Vec<(Scanline, LineRead)>> = BTreeMap::new();
    for k in 0..lines {
        let v = -0.9 * c.half_height + 1.8 * c.half_height * k as f64 / (lines - 1) as f64;
        let line = Scanline {
            from: [
                c.centre[0] - c.across[0] * reach + along[0] * v,
                c.centre[1] - c.across[1] * reach + along[1] * v,
            ],
            dir: c.across,
            len: (2.0 * reach).ceil() as usize,
        };
        for read in read_line_all(image, &line) {
            votes
                .entry(read.decoded.text.clone())
                .or_default()
                .push((line, read));
        }
    }
    votes
        .into_iter()
        .filter(|(_, reads)| reads.len() >= MIN_VOTES)
        .map(|(text, reads)| {
            let (line, read) = &reads[reads.len() / 2];
            let start = line.at(read.start_t);
            let end = line.at(read.end_t);
            let geometry = locate::measure(image, start, end, Symbology::Code128);
            Symbol {
                value: text,
                symbology: Symbology::Code128,
                quad: geometry.quad,
                px_per_module: geometry.px_per_module,
                code_sets: Some(read.decoded.code_sets.clone()),
            }
        })
        .collect()
}
