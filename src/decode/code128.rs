//! Code 128 from bar and space widths (ISO/IEC 15417), never from pixels.
//!
//! Three layers, kept apart: [`classify`] matches six widths to a symbol character by its
//! edge-to-similar-edge (t-) distances, which ink spread and erosion do not change;
//! [`decode_row`] finds a start character behind a quiet zone, reads characters up to the
//! stop pattern (in either direction) and verifies the mod-103 check character; [`text`]
//! runs the code-set machine (A/B/C, SHIFT, CODE A/B/C, FNC1–4 with extended Latin-1).
//! A row that does not decode is `None`, not an error.

use super::patterns::{PATTERNS, START_A, START_C, STOP};

/// A decoded row.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The symbol characters: start, data, check (stop excluded).
    pub codewords: Vec<u8>,
    /// The data as text (FNC1 after the first position as GS, `\x1d`).
    pub text: String,
    /// Code sets used, in order (e.g. `BC`).
    pub code_sets: String,
    /// Whether the row was read right to left.
    pub reversed: bool,
    /// Index in the width sequence of the start character's first bar.
    pub first_width: usize,
    /// Worst classification margin of any character (0 = on a rounding edge, 0.5 = exact).
    pub margin: f64,
}

/// Index of the first 6 stop-pattern widths in the t-distance table.
const STOP_VALUE: u8 = 106;

/// The four t-distances of a pattern, in modules.
fn t_distances(w: &[u8]) -> [u8; 4] {
    [w[0] + w[1], w[1] + w[2], w[2] + w[3], w[3] + w[4]]
}

/// Each t-distance takes one of the six whole values 2–7.
const T_VALUES: usize = 6;

/// Where four t-distances (each 2–7) sit in [`by_t_distances`].
fn t_index(t: [u8; 4]) -> usize {
    t.iter()
        .rev()
        .fold(0, |at, &d| at * T_VALUES + usize::from(d - 2))
}

/// The value (0–105, or 106 for the stop pattern's first six widths) whose t-distances
/// are at each [`t_index`], `u8::MAX` where none: one look-up per character instead of a
/// search through 107 patterns.
fn by_t_distances() -> &'static [u8; T_VALUES.pow(4)] {
    static TABLE: std::sync::OnceLock<[u8; T_VALUES.pow(4)]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [u8::MAX; T_VALUES.pow(4)];
        let all: Vec<&[u8]> = PATTERNS
            .iter()
            .map(|p| &p[..])
            .chain([&STOP[..6]])
            .collect();
        // The lowest value first, should two patterns share their t-distances.
        for (v, p) in all.iter().enumerate().rev() {
            table[t_index(t_distances(p))] = v as u8;
        }
        table
    })
}

/// `x` rounded half away from zero, for `x` from 0 to 2^31: as `f64::round`, without its
/// library call on x86-64.
fn round_up_half(x: f64) -> f64 {
    let whole = f64::from(x as i32);
    if x - whole >= 0.5 { whole + 1.0 } else { whole }
}

/// Classifies six widths (bar first) as a symbol character: value and margin.
///
/// The pattern's width is 11 modules; each t-distance rounds to whole modules (2–7), and
/// the four of them identify the character (ISO/IEC 15417 reference decode). The bars'
/// module sum must then be even, the symbology's self-check.
pub fn classify(w: &[f64]) -> Option<(u8, f64)> {
    classify_t(w).or_else(|| classify_nearest(w))
}

/// One of `wanted` (start characters, the stop) at the beginning of `w`: its value, its
/// margin and, when it reads only once its bars' spread is taken off ([`spread_end`]),
/// that spread in pixels. As [`classify`], then [`spread_end`], with the t-distances
/// measured once: most places of a row are rejected by them, or after three patterns of
/// the 107.
fn end_among(w: &[f64], wanted: &[u8]) -> Option<(u8, f64, Option<f64>)> {
    let t = t_value(w);
    if let Some((v, m)) = t.and_then(pattern_fits) {
        return wanted.contains(&v).then_some((v, m, None));
    }
    if let Some((v, m)) = nearest_among(w, wanted) {
        return Some((v, m, None));
    }
    let (v, m, spread) = spread_end(w, t?, wanted)?;
    Some((v, m, Some(spread)))
}

/// [`classify_nearest`], when the character can only be one of `wanted`.
fn nearest_among(w: &[f64], wanted: &[u8]) -> Option<(u8, f64)> {
    let unit = character_width(w)? / 11.0;
    let close = wanted.iter().any(|&v| {
        let p: &[u8] = if v == STOP_VALUE {
            &STOP[..6]
        } else {
            &PATTERNS[usize::from(v)]
        };
        w.iter()
            .zip(p)
            .all(|(x, &m)| (x - f64::from(m) * unit).abs() <= MAX_ONE_DEVIATION * unit)
    });
    if !close {
        return None;
    }
    classify_nearest(w).filter(|(v, _)| wanted.contains(v))
}

/// The width of the six elements a symbol character starts with, when there are six and
/// they have a width.
fn character_width(w: &[f64]) -> Option<f64> {
    let total: f64 = w.get(..6)?.iter().sum();
    (total > 0.0).then_some(total)
}

/// Largest mean deviation of a width from its pattern, as a fraction of the character's
/// width (zxing's `MAX_AVG_VARIANCE`).
const MAX_AVG_DEVIATION: f64 = 0.25;
/// Largest deviation of one width, in modules (zxing's `MAX_INDIVIDUAL_VARIANCE`).
const MAX_ONE_DEVIATION: f64 = 0.7;

/// The nearest pattern by width deviations, for blurred rows where narrow elements grow
/// and wide ones shrink, so that t-distances round wrong. The best match must be clearly
/// better than the second.
fn classify_nearest(w: &[f64]) -> Option<(u8, f64)> {
    let total = character_width(w)?;
    let unit = total / 11.0;
    let deviation = |p: &[u8]| -> Option<f64> {
        let mut sum = 0.0;
        for (x, &m) in w.iter().zip(p) {
            let d = (x - f64::from(m) * unit).abs();
            if d > MAX_ONE_DEVIATION * unit {
                return None;
            }
            sum += d;
        }
        Some(sum / total)
    };
    let mut scored: Vec<(f64, u8)> = PATTERNS
        .iter()
        .enumerate()
        .map(|(v, p)| (v as u8, &p[..]))
        .chain(std::iter::once((STOP_VALUE, &STOP[..6])))
        .filter_map(|(v, p)| deviation(p).map(|d| (d, v)))
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (best, value) = *scored.first()?;
    let second = scored.get(1).map_or(1.0, |s| s.0);
    (best < MAX_AVG_DEVIATION && second - best > 0.04).then_some((value, 0.0))
}

/// The ISO/IEC 15417 reference decode: t-distances rounded to whole modules.
fn classify_t(w: &[f64]) -> Option<(u8, f64)> {
    t_value(w).and_then(pattern_fits)
}

/// The character of a [`t_value`] whose bars agree with the pattern its t-distances fix.
fn pattern_fits((value, margin, excess): (u8, f64, f64)) -> Option<(u8, f64)> {
    (excess.abs() <= 1.5).then_some((value, margin))
}

/// The character whose t-distances six widths show, their worst rounding margin, and how
/// many modules the measured bars exceed the pattern's (ink spread; negative for
/// erosion), not yet judged.
fn t_value(w: &[f64]) -> Option<(u8, f64, f64)> {
    let module = character_width(w)? / 11.0;
    let mut t = [0u8; 4];
    let mut margin = 0.5f64;
    for i in 0..4 {
        let e = (w[i] + w[i + 1]) / module;
        if !(1.5..7.5).contains(&e) {
            return None;
        }
        let r = round_up_half(e);
        margin = margin.min(0.5 - (e - r).abs());
        t[i] = r as u8;
    }
    let value = by_t_distances()[t_index(t)];
    if value == u8::MAX {
        return None;
    }
    let pattern: &[u8] = if value == STOP_VALUE {
        &STOP[..6]
    } else {
        &PATTERNS[usize::from(value)]
    };
    let bars = f64::from(pattern[0] + pattern[2] + pattern[4]);
    let measured = (w[0] + w[2] + w[4]) / module;
    Some((value, margin, measured - bars))
}

/// Largest ink spread (or erosion) per bar, in modules, that a start or stop pattern may
/// show to have the rest of its symbol read with its bars narrowed (or widened) back.
const MAX_SPREAD: f64 = 0.7;

/// One of `wanted` (start characters, the stop) whose t-distances (`w`'s [`t_value`])
/// read right while its bars are uniformly too wide or too thin to pass (a faded fax
/// thresholded thin, ink spread): its value, margin and the spread of each bar in pixels.
fn spread_end(
    w: &[f64],
    (value, margin, excess): (u8, f64, f64),
    wanted: &[u8],
) -> Option<(u8, f64, f64)> {
    let spread = excess / 3.0;
    let module = character_width(w)? / 11.0;
    (wanted.contains(&value) && excess.abs() > 1.0 && spread.abs() <= MAX_SPREAD).then_some((
        value,
        margin,
        spread * module,
    ))
}

/// The widths with the spread taken off: every bar (the widths of `bar_parity`) narrowed
/// by `spread` pixels, every space widened by as much.
fn despread(widths: &[f64], bar_parity: usize, spread: f64) -> Vec<f64> {
    widths
        .iter()
        .enumerate()
        .map(|(k, &w)| {
            if k % 2 == bar_parity {
                (w - spread).max(0.05)
            } else {
                w + spread
            }
        })
        .collect()
}

/// Whether the space before a start (or after a stop) is a quiet zone: at least five
/// modules (the Instruction's printers often leave 5 instead of 10).
fn quiet(space: Option<&f64>, module: f64) -> bool {
    space.is_none_or(|&s| s >= 5.0 * module)
}

/// Whether `space`, beside the character whose widths `w` begins, may pass [`quiet`] once
/// [`end_among`] has read that character, its spread taken off or not: a spread widens
/// the space by at most [`MAX_SPREAD`] of the character's module and narrows the module
/// not at all, so a space under [`QUIET_AT_LEAST`] modules never passes. Checked first,
/// it spares reading the characters inside a symbol and in text.
fn may_be_quiet(space: f64, w: &[f64]) -> bool {
    character_width(w).is_none_or(|width| space >= QUIET_AT_LEAST * width / 11.0)
}

/// Below the quiet zone's five modules by more than [`MAX_SPREAD`], with room to spare
/// for rounding.
const QUIET_AT_LEAST: f64 = 4.0;

/// Decodes the first Code 128 symbol found in a row of widths (bar, space, bar, …; the
/// first element may be a space). Tries left to right, then right to left.
pub fn decode_row(widths: &[f64]) -> Option<Decoded> {
    decode_forward(widths).or_else(|| {
        let reversed: Vec<f64> = widths.iter().rev().copied().collect();
        decode_forward(&reversed).map(|mut d| {
            d.reversed = true;
            d.first_width = widths.len() - 1 - d.first_width;
            d
        })
    })
}

/// Every Code 128 symbol in a row of widths, in either direction.
pub fn decode_all(widths: &[f64]) -> Vec<Decoded> {
    let mut all = forward_all(widths);
    let reversed: Vec<f64> = widths.iter().rev().copied().collect();
    all.extend(forward_all(&reversed).into_iter().map(|mut d| {
        d.reversed = true;
        d.first_width = widths.len() - 1 - d.first_width;
        d
    }));
    all
}

fn forward_all(widths: &[f64]) -> Vec<Decoded> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 6 <= widths.len() {
        match decode_at(widths, i) {
            Some(d) => {
                i += 6 * d.codewords.len() + 7;
                found.push(d);
            }
            None => i += 1,
        }
    }
    found
}

fn decode_forward(widths: &[f64]) -> Option<Decoded> {
    (0..widths.len().saturating_sub(5)).find_map(|i| decode_at(widths, i))
}

/// A symbol whose start character begins at width `i`, behind a quiet zone.
fn decode_at(widths: &[f64], i: usize) -> Option<Decoded> {
    let (v, m) = classify(&widths[i..])?;
    if !(START_A..=START_C).contains(&v) {
        return None;
    }
    let module = character_width(&widths[i..])? / 11.0;
    let before = i.checked_sub(1).map(|j| &widths[j]);
    if !quiet(before, module) {
        return None;
    }
    read_from(widths, i, v, m)
}

/// Reads characters after a start at `start` up to the stop pattern.
fn read_from(widths: &[f64], start: usize, start_value: u8, start_margin: f64) -> Option<Decoded> {
    let mut codewords = vec![start_value];
    let mut margin = start_margin;
    let mut at = start + 6;
    loop {
        let (v, m) = classify(widths.get(at..)?)?;
        margin = margin.min(m);
        if v == STOP_VALUE {
            if !stop_ends(widths, at) {
                return None;
            }
            break;
        }
        if v >= START_A {
            return None;
        }
        codewords.push(v);
        at += 6;
        if codewords.len() > 100 {
            return None;
        }
    }
    // Start, at least one data character, check.
    if codewords.len() < 3 {
        return None;
    }
    if !check_ok(&codewords) {
        return None;
    }
    let (text, code_sets) = text(&codewords)?;
    Some(Decoded {
        codewords,
        text,
        code_sets,
        reversed: false,
        first_width: start,
        margin,
    })
}

/// Characters read from one end of a symbol in a row whose other parts may not decode (a
/// stamp, a crease or a pen stroke over some characters): the material of per-character
/// voting across scanlines ([`crate::decode`]'s own reader).
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    /// Symbol characters with their classification margins, in symbol order: from the
    /// start character on for a head, up to the check character for a tail.
    pub chars: Vec<(u8, f64)>,
    /// Width index of the start character's first bar (head) or one past the stop
    /// pattern's last bar (tail).
    pub at: usize,
    /// Module estimate from the start character or the stop pattern, in pixels.
    pub module: f64,
    /// Whether the head reached the stop, or the tail the start: the whole symbol.
    pub whole: bool,
    /// Whether a head met the stop pattern with no quiet zone after it (a fold's line or
    /// a stamp's frame against the last bar): whole but for that.
    pub stopped: bool,
}

/// Every head in a row (left to right): a start character behind a quiet zone, then the
/// characters that classify, up to the first that does not or to the stop pattern.
pub fn heads(widths: &[f64]) -> Vec<Partial> {
    const STARTS: [u8; 3] = [START_A, START_A + 1, START_C];
    let mut found = Vec::new();
    for i in 0..widths.len().saturating_sub(5) {
        if i > 0 && !may_be_quiet(widths[i - 1], &widths[i..]) {
            continue;
        }
        // A start that reads only once its bars' spread is taken off has the rest of the
        // row read the same way.
        let Some((v, m, spread)) = end_among(&widths[i..], &STARTS) else {
            continue;
        };
        let fixed = spread.map(|spread| despread(widths, i % 2, spread));
        let widths: &[f64] = fixed.as_deref().unwrap_or(widths);
        let Some(module) = character_width(&widths[i..]).map(|w| w / 11.0) else {
            continue;
        };
        if !(START_A..=START_C).contains(&v) || !quiet(i.checked_sub(1).map(|j| &widths[j]), module)
        {
            continue;
        }
        let mut chars = vec![(v, m)];
        let mut at = i + 6;
        let (mut whole, mut stopped) = (false, false);
        while let Some((v, m)) = widths.get(at..).and_then(classify) {
            if v == STOP_VALUE {
                let bar = stop_bar(widths, at);
                whole = bar.is_some_and(|module| quiet(widths.get(at + 7), module));
                stopped = bar.is_some() && !whole;
                break;
            }
            if v >= START_A || chars.len() > 100 {
                break;
            }
            chars.push((v, m));
            at += 6;
        }
        found.push(Partial {
            chars,
            at: i,
            module,
            whole,
            stopped,
        });
    }
    found
}

/// Every tail in a row (left to right): a stop pattern followed by a quiet zone, then,
/// read backwards, the characters that classify, down to the first that does not or to a
/// start character.
pub fn tails(widths: &[f64]) -> Vec<Partial> {
    let mut found = Vec::new();
    for j in 6..widths.len().saturating_sub(6) {
        if widths
            .get(j + 7)
            .is_some_and(|&after| !may_be_quiet(after, &widths[j..]))
        {
            continue;
        }
        let Some((_, _, spread)) = end_among(&widths[j..], &[STOP_VALUE]) else {
            continue;
        };
        let fixed = spread.map(|spread| despread(widths, j % 2, spread));
        let widths: &[f64] = fixed.as_deref().unwrap_or(widths);
        if !stop_ends(widths, j) {
            continue;
        }
        let Some(module) = character_width(&widths[j..]).map(|w| w / 11.0) else {
            continue;
        };
        let mut chars = Vec::new();
        let mut whole = false;
        let mut at = j;
        while at >= 6 {
            at -= 6;
            let Some((v, m)) = classify(&widths[at..]) else {
                break;
            };
            if v == STOP_VALUE || chars.len() > 100 {
                break;
            }
            chars.push((v, m));
            if v >= START_A {
                whole = quiet(at.checked_sub(1).map(|k| &widths[k]), module);
                break;
            }
        }
        chars.reverse();
        found.push(Partial {
            chars,
            at: j + 7,
            module,
            whole,
            stopped: false,
        });
    }
    found
}

/// Whether the stop pattern whose six first widths begin at `at` ends with its last bar
/// (about 2 modules) and a quiet zone.
fn stop_ends(widths: &[f64], at: usize) -> bool {
    stop_bar(widths, at).is_some_and(|module| quiet(widths.get(at + 7), module))
}

/// The module of the stop pattern whose six first widths begin at `at`, when it ends with
/// its last bar (about 2 modules).
fn stop_bar(widths: &[f64], at: usize) -> Option<f64> {
    let module = character_width(&widths[at..])? / 11.0;
    widths
        .get(at + 6)
        .is_some_and(|&last| (1.0..=3.2).contains(&(last / module)))
        .then_some(module)
}

/// Whether symbol characters (start, data, check) carry a right mod-103 check character.
pub fn check_ok(codewords: &[u8]) -> bool {
    let Some((check, body)) = codewords.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, &v)| u32::from(v) * (i as u32).max(1))
        .sum();
    sum % 103 == u32::from(*check)
}

/// The code-set machine: symbol characters (start, data, check) → text and code sets.
pub fn text(codewords: &[u8]) -> Option<(String, String)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Set {
        A,
        B,
        C,
    }
    let letter = |s: Set| match s {
        Set::A => 'A',
        Set::B => 'B',
        Set::C => 'C',
    };
    let (&start, rest) = codewords.split_first()?;
    let data = &rest[..rest.len().checked_sub(1)?];
    let mut set = match start {
        103 => Set::A,
        104 => Set::B,
        105 => Set::C,
        _ => return None,
    };
    let mut sets = String::from(letter(set));
    let mut out: Vec<u8> = Vec::new();
    let (mut shift, mut fnc4_once, mut fnc4_lock) = (false, false, false);
    for (i, &v) in data.iter().enumerate() {
        let current = if shift {
            shift = false;
            match set {
                Set::A => Set::B,
                _ => Set::A,
            }
        } else {
            set
        };
        let character = match (current, v) {
            (Set::C, 0..=99) => {
                out.push(b'0' + v / 10);
                out.push(b'0' + v % 10);
                None
            }
            (_, 102) => (i > 0).then_some(0x1d),
            (Set::A | Set::B, 96 | 97) => None, // FNC3 (reader initialisation), FNC2
            (Set::A | Set::B, 98) => {
                shift = true;
                None
            }
            (Set::A, 101) | (Set::B, 100) => {
                // FNC4: one extended character; two in a row toggle extended mode.
                if fnc4_once {
                    fnc4_lock = !fnc4_lock;
                }
                fnc4_once = !fnc4_once;
                None
            }
            (Set::A | Set::B, 99) => {
                set = Set::C;
                None
            }
            (Set::A | Set::C, 100) => {
                set = Set::B;
                None
            }
            (Set::B | Set::C, 101) => {
                set = Set::A;
                None
            }
            (Set::A, 0..=63) | (Set::B, 0..=95) => Some(v + 32),
            (Set::A, 64..=95) => Some(v - 64),
            _ => return None,
        };
        if let Some(c) = character {
            let high = fnc4_once != fnc4_lock && c != 0x1d;
            fnc4_once = false;
            out.push(if high { c.wrapping_add(128) } else { c });
        }
        if !sets.ends_with(letter(set)) {
            sets.push(letter(set));
        }
    }
    Some((out.iter().map(|&b| char::from(b)).collect(), sets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::code128::{CodeSets, codewords, widths};

    /// A row: quiet zone, the symbol's widths scaled to `module` pixels, quiet zone.
    fn row(cw: &[u8], module: f64, gain: f64) -> Vec<f64> {
        let mut r = vec![12.0 * module];
        for (i, &w) in widths(cw).iter().enumerate() {
            let g = if i % 2 == 0 { gain } else { -gain };
            r.push(f64::from(w) * module + g);
        }
        r.push(12.0 * module);
        r
    }

    /// Symbol characters with their check character appended.
    fn with_check(body: &[u8]) -> Vec<u8> {
        let sum: u32 = body
            .iter()
            .enumerate()
            .map(|(i, &v)| u32::from(v) * (i as u32).max(1))
            .sum();
        let mut cw = body.to_vec();
        cw.push((sum % 103) as u8);
        cw
    }

    #[test]
    fn every_character_classifies() {
        for (v, p) in PATTERNS.iter().enumerate() {
            let w: Vec<f64> = p.iter().map(|&m| f64::from(m) * 2.3).collect();
            assert_eq!(classify(&w).map(|c| c.0), Some(v as u8), "value {v}");
        }
        let stop: Vec<f64> = STOP.iter().map(|&m| f64::from(m)).collect();
        assert_eq!(classify(&stop).map(|c| c.0), Some(STOP_VALUE));
    }

    #[test]
    fn identifiers_decode_in_every_code_set_choice() {
        for value in ["10001045367", "750712184", "810001045367", "2A0000061"] {
            for sets in [CodeSets::Shortest, CodeSets::BOnly, CodeSets::CFirst] {
                let cw = codewords(value, sets).unwrap();
                let d = decode_row(&row(&cw, 2.0, 0.0)).expect(value);
                assert_eq!(d.text, value);
                assert_eq!(d.codewords, cw);
                assert!(!d.reversed);
            }
        }
    }

    #[test]
    fn reversed_rows_decode() {
        let cw = codewords("10100224947", CodeSets::Shortest).unwrap();
        let mut r = row(&cw, 1.7, 0.0);
        r.reverse();
        let d = decode_row(&r).unwrap();
        assert_eq!(d.text, "10100224947");
        assert!(d.reversed);
    }

    #[test]
    fn ink_spread_and_erosion_do_not_change_the_value() {
        let cw = codewords("10005173140", CodeSets::Shortest).unwrap();
        for gain in [-0.45, -0.2, 0.2, 0.45] {
            let d = decode_row(&row(&cw, 1.5, gain * 1.5)).expect("decodes with bar gain");
            assert_eq!(d.text, "10005173140", "gain {gain}");
        }
    }

    #[test]
    fn heads_and_tails_read_through_heavy_spread_and_erosion() {
        // Bars 0.6 module thinner or thicker than printed (a faded fax thresholded thin,
        // ink spread): the t-distances still read, the bar check needs the spread taken off.
        let cw = codewords("10033573543", CodeSets::Shortest).unwrap();
        for gain in [-0.6, 0.6] {
            let r = row(&cw, 2.8, gain * 2.8);
            let whole_head = heads(&r).into_iter().find(|p| p.whole).expect("whole head");
            let values: Vec<u8> = whole_head.chars.iter().map(|c| c.0).collect();
            assert_eq!(values, cw, "gain {gain}");
            let whole_tail = tails(&r).into_iter().find(|p| p.whole).expect("whole tail");
            let values: Vec<u8> = whole_tail.chars.iter().map(|c| c.0).collect();
            assert_eq!(values, cw, "gain {gain}");
        }
    }

    #[test]
    fn wrong_check_character_is_rejected() {
        let mut cw = codewords("750712184", CodeSets::Shortest).unwrap();
        let last = cw.len() - 1;
        cw[last] = (cw[last] + 1) % 103;
        assert_eq!(decode_row(&row(&cw, 2.0, 0.0)), None);
    }

    #[test]
    fn missing_quiet_zone_is_rejected() {
        let cw = codewords("750712184", CodeSets::Shortest).unwrap();
        let mut r = row(&cw, 2.0, 0.0);
        r[0] = 3.0;
        r.insert(0, 2.0); // a bar right before the start: no quiet zone
        assert_eq!(decode_row(&r), None);
    }

    #[test]
    fn code_set_machine() {
        // START A, 'A', SHIFT, 'a' (in B), CODE C, 12, CODE B, 'z'.
        let cw = with_check(&[103, 33, 98, 65, 99, 12, 100, 90]);
        let d = decode_row(&row(&cw, 2.0, 0.0)).unwrap();
        assert_eq!(d.text, "Aa12z");
        assert_eq!(d.code_sets, "ACB");
        // Control characters in set A.
        let cw = with_check(&[103, 64 + 9, 33]);
        assert_eq!(decode_row(&row(&cw, 2.0, 0.0)).unwrap().text, "\tA");
        // FNC1 first (GS1-128) gives no text; later it is GS.
        let cw = with_check(&[105, 102, 1, 2, 102, 33]);
        assert_eq!(
            decode_row(&row(&cw, 2.0, 0.0)).unwrap().text,
            "0102\u{1d}33"
        );
        // FNC4 in B: one extended character ('é' = 0xE9 = 'i' + 128).
        let cw = with_check(&[104, 100, b'i' - 32, b'a' - 32]);
        assert_eq!(decode_row(&row(&cw, 2.0, 0.0)).unwrap().text, "éa");
        // Two FNC4 lock extended mode; two more unlock it.
        let cw = with_check(&[104, 100, 100, b'i' - 32, b'i' - 32, 100, 100, b'a' - 32]);
        assert_eq!(decode_row(&row(&cw, 2.0, 0.0)).unwrap().text, "ééa");
    }

    proptest::proptest! {
        /// A space [`may_be_quiet`] turns away is no quiet zone once any spread
        /// [`end_among`] may take off is: before a start and after a stop, a space beside
        /// a character of any widths, the spread anywhere up to [`MAX_SPREAD`] either way.
        #[test]
        fn a_space_turned_away_is_no_quiet_zone_whatever_the_spread(
            w in proptest::array::uniform6(0.3f64..9.0),
            // Modules of the character's: anywhere, and just past five less the spread.
            space_modules in proptest::prop_oneof![0.0f64..8.0, 4.25f64..4.5],
            spread in proptest::prop_oneof![-MAX_SPREAD..=MAX_SPREAD, proptest::strategy::Just(0.0), proptest::strategy::Just(MAX_SPREAD)],
            after in proptest::bool::ANY,
        ) {
            let module = character_width(&w).expect("six widths") / 11.0;
            let space = space_modules * module;
            // The space, then the character's widths (a bar first); or the character, its
            // last bar, then the space.
            let row: Vec<f64> = if after {
                w.iter().copied().chain([2.0 * module, space]).collect()
            } else {
                std::iter::once(space).chain(w).collect()
            };
            let (at, space_at) = if after { (0, 7) } else { (1, 0) };
            let fixed = despread(&row, at % 2, spread * module);
            let fixed_module = character_width(&fixed[at..]).expect("six widths") / 11.0;
            if !may_be_quiet(space, &w) {
                proptest::prop_assert!(!quiet(Some(&fixed[space_at]), fixed_module));
            }
        }

        /// Arbitrary widths (the fuzz target's property, on stable): whatever decodes
        /// carries a right check character and its text re-derives from its codewords,
        /// and every head or tail starts or ends where the row has room for it.
        #[test]
        fn arbitrary_widths_decode_only_to_checked_symbols(
            widths in proptest::collection::vec(0u8..=40, 0..160)
        ) {
            let w: Vec<f64> = widths.iter().map(|&b| f64::from(b) * 0.37).collect();
            for d in decode_all(&w) {
                proptest::prop_assert!(check_ok(&d.codewords));
                proptest::prop_assert_eq!(text(&d.codewords).map(|t| t.0), Some(d.text.clone()));
            }
            for p in heads(&w) {
                proptest::prop_assert!(p.at + 6 * p.chars.len() <= w.len());
                proptest::prop_assert!((START_A..=START_C).contains(&p.chars[0].0));
            }
            for p in tails(&w) {
                proptest::prop_assert!(p.at <= w.len() && p.at >= 7 + 6 * p.chars.len());
            }
        }

        /// A real symbol embedded in arbitrary widths is still found with its value.
        #[test]
        fn symbols_are_found_among_arbitrary_widths(
            noise in proptest::collection::vec(1u8..=30, 0..40),
            module in 1.3f64..4.0,
        ) {
            let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
            let mut w: Vec<f64> = noise.iter().map(|&b| f64::from(b) * 0.5).collect();
            if w.len() % 2 == 1 {
                w.push(1.0); // the row begins with a space (its quiet zone)
            }
            w.extend(row(&cw, module, 0.0));
            let found = decode_all(&w);
            proptest::prop_assert!(found.iter().any(|d| d.text == "10001045367"));
        }
    }
}
