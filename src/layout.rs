//! Layout checks of Annexe I (SPEC §2), measured in mm from the page's resolution: the
//! size of each symbol, its margins to the page's edges, the spacing between symbols,
//! code set C for numeric data, quiet zones, and the size of the printed text. All are
//! warnings (`--strict` makes them fail the page); each message gives the measured value
//! and the limit.
//!
//! Measures carry the scan's error: a limit is crossed only by more than a share of it,
//! so that a symbol printed at the limit is not reported. Widths and positions come from
//! bar edges (a pixel or two of error: [`TOLERANCE`]); the bars' height is where rows stop
//! looking alike, and text heights are the tallest glyph's box, both shortened by blur,
//! fading and stamps ([`ROUGH_TOLERANCE`]: on the 500-page corpus, tighter limits
//! reported symbols drawn inside them).

use image::GrayImage;

use crate::decode::Symbol;
use crate::ids::IdKind;
use crate::locate::sample;
use crate::report::{Finding, FindingCode, Severity, SymbolReport};
use crate::text::TextRead;

/// Share of a limit a measure from edges may miss it by before it is reported.
const TOLERANCE: f64 = 0.05;
/// The same for the bars' height and the text heights.
const ROUGH_TOLERANCE: f64 = 0.2;
/// Bars' height and width limits, mm (Annexe I).
const HEIGHT_MM: [f64; 2] = [4.0, 10.0];
const WIDTH_MM: [f64; 2] = [15.0, 35.0];
/// Smallest distance from the page's edges, legend and HRI included, mm.
const MARGIN_MM: f64 = 5.0;
/// Smallest spacing between two RPPS symbols, and between an RPPS and a structure one, mm.
const RPPS_SPACING_MM: f64 = 30.0;
const STRUCTURE_SPACING_MM: f64 = 5.0;
/// Smallest quiet zone, modules (ISO/IEC 15417).
const QUIET_MODULES: f64 = 10.0;
/// Smallest legend and HRI character heights, mm.
const LEGEND_MM: f64 = 1.0;
const HRI_MM: f64 = 2.0;
/// Paper formats a whole-page scan matches (portrait, mm), and how closely.
const FORMATS: [(&str, f64, f64); 4] = [
    ("A4", 210.0, 297.0),
    ("A5", 148.0, 210.0),
    ("A6", 105.0, 148.0),
    ("Letter", 215.9, 279.4),
];
const FORMAT_SLACK_MM: f64 = 6.0;

/// What the layout checks look at on one page.
pub struct Page<'a> {
    /// Page size in pixels and resolution.
    pub size_px: (u32, u32),
    pub dpi: f64,
    /// The symbols' records (quads in page pixels, sizes in mm, code sets).
    pub symbols: &'a [SymbolReport],
    /// What was read around each (same order; may be shorter).
    pub texts: &'a [TextRead],
    /// Each symbol's clear space before and after its bars, modules (same order).
    pub quiet: &'a [Option<f64>],
    /// The symbols are one label's of an Annexe III label sheet: the page's margins are
    /// not the label's, and Annexe I sets none from a label's edge, so none is checked.
    pub on_label: bool,
}

/// The layout warnings of a page.
pub fn check(page: &Page) -> Vec<Finding> {
    let mut out = Vec::new();
    let mm = |px: f64| px / page.dpi * 25.4;
    let warn = |code, i: Option<usize>, message: String| Finding {
        code,
        severity: Severity::Warning,
        symbol: i,
        message,
    };
    for (i, s) in page.symbols.iter().enumerate() {
        if s.read_from != "barcode" {
            continue;
        }
        // A measured height short of the limit is as likely a row-matching failure on a
        // degraded scan as a short symbol: only a height over the limit is reported.
        if let (Some(h), Some(w)) = (s.height_mm, s.width_mm)
            && (h > HEIGHT_MM[1] * (1.0 + ROUGH_TOLERANCE) || outside(w, WIDTH_MM, TOLERANCE))
        {
            out.push(warn(
                FindingCode::SizeOutOfRange,
                Some(i),
                format!(
                    "bars {h:.1} × {w:.1} mm (height × width); Annexe I allows {}–{} × {}–{} mm",
                    HEIGHT_MM[0], HEIGHT_MM[1], WIDTH_MM[0], WIDTH_MM[1]
                ),
            ));
        }
        if s.value.bytes().all(|c| c.is_ascii_digit())
            && let Some(sets) = s.code_sets.as_deref()
            && !sets.contains('C')
        {
            out.push(warn(
                FindingCode::NotCodeSetC,
                Some(i),
                format!("numeric data encoded in code set {sets}; Annexe I recommends code set C"),
            ));
        }
        if let Some(Some(q)) = page.quiet.get(i)
            && *q < QUIET_MODULES * (1.0 - TOLERANCE)
        {
            out.push(warn(
                FindingCode::QuietZoneTooSmall,
                Some(i),
                format!("quiet zone of {q:.1} modules; at least {QUIET_MODULES} required"),
            ));
        }
        if let Some(t) = page.texts.get(i) {
            text_sizes(t, i, &mut out);
        }
    }
    if let Some(format) = paper_format(mm(f64::from(page.size_px.0)), mm(f64::from(page.size_px.1)))
        && !page.on_label
    {
        margins(page, format, &mut out);
    }
    spacing(page, &mut out);
    out
}

/// Whether `v` lies outside `[lo, hi]` by more than `tolerance` of the limit.
fn outside(v: f64, [lo, hi]: [f64; 2], tolerance: f64) -> bool {
    v < lo * (1.0 - tolerance) || v > hi * (1.0 + tolerance)
}

fn text_sizes(t: &TextRead, i: usize, out: &mut Vec<Finding>) {
    // Missing: no line of text of the right size at all where Annexe I puts it (a line
    // there that could not be read is not missing).
    let absent = [
        (
            t.legend_seen,
            FindingCode::LegendMissing,
            "no legend line above the symbol",
        ),
        (
            t.hri_seen,
            FindingCode::HriMissing,
            "no human-readable line below the symbol",
        ),
    ];
    for (seen, code, message) in absent {
        if !seen {
            out.push(Finding {
                code,
                severity: Severity::Warning,
                symbol: Some(i),
                message: format!("{message}; Annexe I requires one"),
            });
        }
    }
    let sizes = [
        (
            t.legend_height_mm,
            LEGEND_MM,
            FindingCode::LegendTooSmall,
            "legend",
        ),
        (
            t.hri_height_mm,
            HRI_MM,
            FindingCode::HriTooSmall,
            "human-readable digits",
        ),
    ];
    for (height, limit, code, what) in sizes {
        if let Some(h) = height.filter(|&h| h < limit * (1.0 - ROUGH_TOLERANCE)) {
            out.push(Finding {
                code,
                severity: Severity::Warning,
                symbol: Some(i),
                message: format!("{what} {h:.1} mm high; at least {limit} mm required"),
            });
        }
    }
}

/// The paper format a page of `w` × `h` mm is a whole scan of, if any.
fn paper_format(w: f64, h: f64) -> Option<&'static str> {
    let (short, long) = (w.min(h), w.max(h));
    FORMATS
        .iter()
        .find(|(_, a, b)| {
            (short - a).abs() <= FORMAT_SLACK_MM && (long - b).abs() <= FORMAT_SLACK_MM
        })
        .map(|f| f.0)
}

/// Bounding box (x0, y0, x1, y1) of points, page pixels.
fn bounds(points: impl Iterator<Item = [f64; 2]>) -> [f64; 4] {
    points.fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
        [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ]
    })
}

fn margins(page: &Page, format: &str, out: &mut Vec<Finding>) {
    let mm = |px: f64| px / page.dpi * 25.4;
    let (w, h) = (f64::from(page.size_px.0), f64::from(page.size_px.1));
    for (i, s) in page.symbols.iter().enumerate() {
        let text = page.texts.get(i);
        let quads = [
            Some(s.quad),
            text.and_then(|t| t.legend_quad),
            text.and_then(|t| t.hri_quad),
        ];
        let b = bounds(quads.iter().flatten().flat_map(|q| q.iter().copied()));
        let margin = mm(b[0].min(b[1]).min(w - b[2]).min(h - b[3]));
        if margin < MARGIN_MM * (1.0 - 2.0 * TOLERANCE) {
            out.push(Finding {
                code: FindingCode::MarginTooSmall,
                severity: Severity::Warning,
                symbol: Some(i),
                message: format!(
                    "{margin:.1} mm from the edge of this whole-page {format} scan, legend and \
                     digits included; at least {MARGIN_MM} mm required"
                ),
            });
        }
    }
}

/// The separation of two boxes: the gap along the axis they are apart on (the larger of
/// the horizontal and vertical gaps; 0 when they overlap).
fn separation(a: [f64; 4], b: [f64; 4]) -> f64 {
    let dx = (b[0] - a[2]).max(a[0] - b[2]).max(0.0);
    let dy = (b[1] - a[3]).max(a[1] - b[3]).max(0.0);
    dx.max(dy)
}

/// The unit vector along the symbol `quad`'s length (corners from the start's top, along
/// its length first); the page's x axis for a quad of no length.
fn length_axis(quad: &[[f64; 2]; 4]) -> [f64; 2] {
    let (dx, dy) = (quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]);
    let len = dx.hypot(dy);
    if len == 0.0 {
        [1.0, 0.0]
    } else {
        [dx / len, dy / len]
    }
}

/// A point's distance along `axis` and across it.
fn in_frame([ux, uy]: [f64; 2], p: [f64; 2]) -> [f64; 2] {
    [p[0] * ux + p[1] * uy, p[1] * ux - p[0] * uy]
}

fn spacing(page: &Page, out: &mut Vec<Finding>) {
    let mm = |px: f64| px / page.dpi * 25.4;
    let placed: Vec<(usize, IdKind, [[f64; 2]; 4])> = page
        .symbols
        .iter()
        .enumerate()
        .filter(|(_, s)| s.read_from == "barcode")
        .map(|(i, s)| (i, s.kind, s.quad))
        .collect();
    for (k, &(i, ki, qi)) in placed.iter().enumerate() {
        // In this symbol's own frame: on a rotated page, boxes along the page's axes
        // would take in the corners' slant.
        let axis = length_axis(&qi);
        let frame = |q: &[[f64; 2]; 4]| bounds(q.iter().map(|&p| in_frame(axis, p)));
        for &(j, kj, qj) in &placed[k + 1..] {
            let limit = match (ki, kj) {
                (IdKind::Rpps, IdKind::Rpps) => RPPS_SPACING_MM,
                (IdKind::Rpps, other) | (other, IdKind::Rpps) if other.is_structure() => {
                    STRUCTURE_SPACING_MM
                }
                _ => continue,
            };
            let gap = mm(separation(frame(&qi), frame(&qj)));
            if gap < limit * (1.0 - TOLERANCE) {
                out.push(Finding {
                    code: FindingCode::SpacingTooSmall,
                    severity: Severity::Warning,
                    symbol: Some(j),
                    message: format!(
                        "{gap:.1} mm between symbols {i} and {j} ({} and {}); at least {limit} mm required",
                        ki.label(),
                        kj.label()
                    ),
                });
            }
        }
    }
}

/// Clear space before and after each symbol's bars, in modules (the smaller side): along
/// three lines across the bars (a quarter, half and three quarters of their height), the
/// distance from the outer bar edge to the first ink, the best line counting (a speck on
/// one line is not a print in the quiet zone).
pub fn quiet_zones(image: &GrayImage, symbols: &[Symbol]) -> Vec<Option<f64>> {
    symbols.iter().map(|s| quiet_zone(image, s)).collect()
}

fn quiet_zone(image: &GrayImage, s: &Symbol) -> Option<f64> {
    let module = s.px_per_module?;
    let q = s.quad;
    let reach = QUIET_MODULES * module;
    let length = crate::decode::distance(q[0], q[1]);
    if length < 1.0 {
        return None;
    }
    let u = [(q[1][0] - q[0][0]) / length, (q[1][1] - q[0][1]) / length];
    let lerp =
        |a: [f64; 2], b: [f64; 2], f: f64| [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
    // Paper and ink levels: the brightest and darkest along the middle line.
    let (mid_start, mid_end) = (lerp(q[0], q[3], 0.5), lerp(q[1], q[2], 0.5));
    let inside: Vec<f64> = (0..length as usize)
        .map(|k| {
            let p = lerp(mid_start, mid_end, k as f64 / length);
            sample(image, p[0], p[1])
        })
        .collect();
    let ink = inside.iter().copied().fold(f64::MAX, f64::min);
    let paper = inside.iter().copied().fold(f64::MIN, f64::max);
    let level = (ink + paper) / 2.0;
    let clear = |from: [f64; 2], dir: [f64; 2]| {
        (1..=reach.ceil() as usize)
            .map(|k| k as f64)
            .find(|&k| sample(image, from[0] + dir[0] * k, from[1] + dir[1] * k) < level)
            .unwrap_or(reach)
    };
    let side = |start: bool| {
        [0.25, 0.5, 0.75]
            .iter()
            .map(|&f| {
                if start {
                    clear(lerp(q[0], q[3], f), [-u[0], -u[1]])
                } else {
                    clear(lerp(q[1], q[2], f), u)
                }
            })
            .fold(0.0, f64::max)
    };
    // The first step lands half a pixel past the edge: count it.
    Some((side(true).min(side(false)) - 0.5).max(0.0) / module)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Symbology;
    use crate::judge::symbol_report;

    const DPI: f64 = 300.0;
    const A4_PX: (u32, u32) = (2480, 3508);

    /// A symbol's record: bars from (`x`, `y`) mm, `w` × `h` mm, code sets `sets`.
    fn at(value: &str, x: f64, y: f64, w: f64, h: f64, sets: &str) -> SymbolReport {
        let px = |mm: f64| mm / 25.4 * DPI;
        let (x0, y0, x1, y1) = (px(x), px(y), px(x + w), px(y + h));
        let symbol = Symbol {
            value: value.to_owned(),
            symbology: Symbology::Code128,
            quad: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
            px_per_module: Some(px(0.3)),
            code_sets: Some(sets.to_owned()),
        };
        symbol_report(&symbol, None, DPI)
    }

    fn codes(symbols: &[SymbolReport], quiet: &[Option<f64>]) -> Vec<FindingCode> {
        let mut c: Vec<FindingCode> = check(&Page {
            size_px: A4_PX,
            dpi: DPI,
            symbols,
            texts: &[],
            quiet,
            on_label: false,
        })
        .iter()
        .map(|f| f.code)
        .collect();
        c.sort();
        c
    }

    #[test]
    fn a_compliant_page_has_no_warning() {
        let page = [
            at("10001045367", 12.0, 30.0, 30.0, 8.0, "C"),
            at("750712184", 110.0, 30.0, 28.0, 8.0, "CB"),
        ];
        assert_eq!(codes(&page, &[Some(12.0), Some(10.0)]), vec![]);
    }

    #[test]
    fn each_rule_is_reported_with_its_symbol() {
        use FindingCode::*;
        // Too wide, in code set B, 2 mm from the left edge, a quiet zone of 6 modules;
        // a second RPPS 10 mm to its right.
        let page = [
            at("10001045367", 2.0, 30.0, 40.0, 8.0, "B"),
            at("10100224947", 52.0, 30.0, 30.0, 8.0, "C"),
        ];
        assert_eq!(
            codes(&page, &[Some(6.0), None]),
            vec![
                SizeOutOfRange,
                MarginTooSmall,
                SpacingTooSmall,
                NotCodeSetC,
                QuietZoneTooSmall
            ]
        );
        // A page that is no paper format (a crop): no margin finding.
        let crop = check(&Page {
            size_px: (600, 400),
            dpi: DPI,
            symbols: &page[..1],
            texts: &[],
            quiet: &[],
            on_label: false,
        });
        assert!(crop.iter().all(|f| f.code != MarginTooSmall), "{crop:?}");
        // One label of a label sheet: the page's edges are not the label's.
        let label = check(&Page {
            size_px: A4_PX,
            dpi: DPI,
            symbols: &page[..1],
            texts: &[],
            quiet: &[],
            on_label: true,
        });
        assert!(label.iter().all(|f| f.code != MarginTooSmall), "{label:?}");
        assert!(label.iter().any(|f| f.code == SizeOutOfRange), "{label:?}");
    }

    #[test]
    fn separation_is_the_gap_along_the_axis_boxes_are_apart_on() {
        let a = [0.0, 0.0, 10.0, 10.0];
        assert_eq!(separation(a, [15.0, 2.0, 20.0, 8.0]), 5.0);
        assert_eq!(separation(a, [2.0, 40.0, 8.0, 50.0]), 30.0);
        assert_eq!(separation(a, [5.0, 5.0, 20.0, 20.0]), 0.0);
        assert_eq!(paper_format(210.0, 297.0), Some("A4"));
        assert_eq!(paper_format(300.0, 212.0), Some("A4"));
        assert_eq!(paper_format(100.0, 60.0), None);
    }

    #[test]
    fn symbols_on_a_turned_page_are_spaced_in_their_own_frame() {
        // An RPPS above a FINESS, 8 mm apart, then 3 mm apart; the page turned 12°.
        let (s, c) = 12f64.to_radians().sin_cos();
        let turn = |r: SymbolReport| SymbolReport {
            quad: r.quad.map(|[x, y]| {
                [
                    1200.0 + c * (x - 1200.0) - s * (y - 1200.0),
                    1200.0 + s * (x - 1200.0) + c * (y - 1200.0),
                ]
            }),
            ..r
        };
        for (gap, reported) in [(8.0, false), (3.0, true)] {
            let page = [
                turn(at("10001045367", 60.0, 60.0, 30.0, 6.0, "C")),
                turn(at("750712184", 60.0, 66.0 + gap, 28.0, 6.0, "C")),
            ];
            let found = codes(&page, &[Some(12.0), Some(12.0)]);
            assert_eq!(
                found.contains(&FindingCode::SpacingTooSmall),
                reported,
                "{gap} mm: {found:?}"
            );
        }
    }
}
