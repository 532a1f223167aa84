//! The legend, matched as a whole line: the line's ink is compared with each known
//! spelling rendered in each DejaVu face at the measured size, by the correlation of their
//! normalised grey images. A legend is only named when one spelling clearly wins and its
//! kind beats every spelling of the other kinds.

use super::glyphs::{ink_box, render};
use super::strip::{Blob, Strip, from_image, normalised};
use crate::ids::IdKind;
use crate::synth::Typeface;

/// The spellings looked for, with their kinds (Annexe I and what pads print).
pub const SPELLINGS: [(&str, IdKind); 12] = [
    ("N° RPPS", IdKind::Rpps),
    ("N°RPPS", IdKind::Rpps),
    ("No RPPS", IdKind::Rpps),
    ("N° R.P.P.S.", IdKind::Rpps),
    ("RPPS :", IdKind::Rpps),
    ("RPPS", IdKind::Rpps),
    ("N° FINESS", IdKind::Finess),
    ("FINESS", IdKind::Finess),
    ("N°FINESS", IdKind::Finess),
    ("N° AM", IdKind::Am),
    ("N° A.M.", IdKind::Am),
    ("AM", IdKind::Am),
];

/// Rows a line is resampled to.
const ROWS: usize = 16;

/// Lowest correlation accepted for the winner.
const MIN_SCORE: f32 = 0.55;
/// How far the winner must beat the best spelling of another kind.
const MIN_LEAD: f32 = 0.06;

/// A matched legend.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Match {
    pub(crate) text: &'static str,
    pub(crate) kind: IdKind,
    pub(crate) score: f32,
    pub(crate) lead: f32,
}

/// Scores one spelling in one face against the line `line` (ink box) of `strip`.
fn score(strip: &Strip, line: &Blob, cap_px: f64, face: Typeface, text: &str) -> Option<f32> {
    let img = render(face, text, cap_px);
    let reference = from_image(&img);
    let b = ink_box(&reference, 110.0)?;
    let (qa, ra) = (
        line.w() as f32 / line.h() as f32,
        b.w() as f32 / b.h() as f32,
    );
    let ratio = (qa / ra).ln().abs();
    if ratio > 0.35 {
        return None;
    }
    let cols = ((ROWS as f32 * qa).round() as usize).clamp(4, 200);
    let q = normalised(strip, line, cols, ROWS)?;
    let r = normalised(&reference, &b, cols, ROWS)?;
    let cos: f32 = q.iter().zip(&r).map(|(a, b)| a * b).sum();
    Some(cos - 0.5 * ratio)
}

/// The legend printed as the line `line` (capitals `cap_px` high), if it is one.
pub(crate) fn match_line(strip: &Strip, line: &Blob, cap_px: f64) -> Option<Match> {
    let mut best: Vec<(f32, &'static str, IdKind)> = Vec::new();
    for (text, kind) in SPELLINGS {
        let s = Typeface::ALL
            .iter()
            .filter_map(|&f| score(strip, line, cap_px, f, text))
            .fold(f32::MIN, f32::max);
        best.push((s, text, kind));
    }
    let &(score, text, kind) = best.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let other = best
        .iter()
        .filter(|b| b.2 != kind)
        .map(|b| b.0)
        .fold(f32::MIN, f32::max);
    let lead = score - other.max(0.0);
    (score >= MIN_SCORE && lead >= MIN_LEAD).then_some(Match {
        text,
        kind,
        score,
        lead,
    })
}
