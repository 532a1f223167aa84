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
use super::{Symbol, Symbology, push_unique};
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
            push_unique(&mut symbols, s);
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
            // The symbol's axis: midway between the outermost agreeing lines' ends, which
            // lie on the first and last bars' edges, so a candidate's slightly wrong
            // orientation does not tilt the quad.
            let (first_line, first) = &reads[0];
            let (last_line, last) = &reads[reads.len() - 1];
            let mid = |a: [f64; 2], b: [f64; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
            let (s0, s1) = (first_line.at(first.start_t), last_line.at(last.start_t));
            let start = mid(s0, s1);
            let mut end = mid(first_line.at(first.end_t), last_line.at(last.end_t));
            // The start edges of two lines apart are along the bars: the symbol's axis is
            // perpendicular to them, whatever the scan direction was.
            let bar = [s1[0] - s0[0], s1[1] - s0[1]];
            let bar_len = bar[0].hypot(bar[1]);
            if bar_len > 3.0 {
                let mut axis = [bar[1] / bar_len, -bar[0] / bar_len];
                let span = [end[0] - start[0], end[1] - start[1]];
                let mut along = span[0] * axis[0] + span[1] * axis[1];
                if along < 0.0 {
                    axis = [-axis[0], -axis[1]];
                    along = -along;
                }
                end = [start[0] + axis[0] * along, start[1] + axis[1] * along];
            }
            let read = &reads[reads.len() / 2].1;
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
