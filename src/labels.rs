//! Label sheets (Annexe III): whether a page is a scanned sheet of identification labels,
//! and which label each symbol sits on, so that the batch can judge every label on its own.
//!
//! Annexe III of the Instruction DGOS/MSIOS 2010-396 recommends transitional stickers of
//! 63.5 × 33.9 mm, printed 24 to an A4 sheet (210 × 297 mm): 3 across and 8 down, 5 mm
//! margins left and right, 12 mm at the top, labels spaced horizontally ((210 − 10 −
//! 3 × 63.5) / 2 = 4.75 mm) and touching vertically. A hospital printing its sheets wants
//! every label checked, not the sheet as one confusing page with 24 prescribers.
//!
//! A page is a sheet when, in millimetres:
//! - its decoded symbols all read in one direction (within [`MAX_TILT_DEG`]), which gives
//!   the sheet's upright frame (0°, 90°, 180° or 270°, plus the scan's skew);
//! - upright, the page is A4 portrait within [`SIZE_SLACK_MM`];
//! - some offset of the 3 × 8 grid within [`SHIFT_MM`] of its nominal place (the scanner
//!   and the printer may each shift the sheet a little) puts every symbol wholly inside one
//!   label — no symbol straddles a label's edge or lies in a gap;
//! - the symbols fill at least [`MIN_LABELS`] labels;
//! - the labels follow one template: most symbols sit where symbols of at least two other
//!   labels sit (an ordinary page's blocks never repeat like that).
//!
//! Pure geometry on page sizes and quads in mm: no pixels, no values.

/// The sheet, width × height, mm.
pub const SHEET_MM: [f64; 2] = [210.0, 297.0];
/// One label, width × height, mm.
pub const LABEL_MM: [f64; 2] = [63.5, 33.9];
/// From one label to the next, across and down, mm.
pub const PITCH_MM: [f64; 2] = [68.25, 33.9];
/// Top-left corner of label 1 on the upright sheet, mm.
pub const FIRST_LABEL_MM: [f64; 2] = [5.0, 12.0];
/// Labels across and down.
pub const COLUMNS: u32 = 3;
/// Labels down.
pub const ROWS: u32 = 8;
/// Labels on a sheet.
pub const LABELS: u32 = COLUMNS * ROWS;
/// How far the page's upright size may differ from A4, mm.
pub const SIZE_SLACK_MM: f64 = 6.0;
/// How far the grid may lie from its nominal place, mm, each way.
pub const SHIFT_MM: f64 = 8.0;
/// Step of the search for the grid's place, mm.
const STEP_MM: f64 = 0.25;
/// Fewest labels holding a symbol.
pub const MIN_LABELS: usize = 6;
/// How far a symbol's reading direction may turn from the sheet's, degrees.
pub const MAX_TILT_DEG: f64 = 3.0;
/// How close two symbols' places in their labels must be to follow one template, mm.
const TEMPLATE_MM: f64 = 4.0;

/// Corners of a symbol's bars, mm, clockwise from the start of the first bar's top.
pub type Quad = [[f64; 2]; 4];

/// The rotation from the page to the upright sheet, about the centres of both.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Frame {
    /// Cosine and sine of the sheet's reading direction on the page.
    cos_sin: [f64; 2],
    page_centre: [f64; 2],
    upright_centre: [f64; 2],
}

impl Frame {
    fn upright(&self, p: [f64; 2]) -> [f64; 2] {
        let [c, s] = self.cos_sin;
        let (x, y) = (p[0] - self.page_centre[0], p[1] - self.page_centre[1]);
        [
            self.upright_centre[0] + c * x + s * y,
            self.upright_centre[1] - s * x + c * y,
        ]
    }

    fn on_page(&self, p: [f64; 2]) -> [f64; 2] {
        let [c, s] = self.cos_sin;
        let (x, y) = (p[0] - self.upright_centre[0], p[1] - self.upright_centre[1]);
        [
            self.page_centre[0] + c * x - s * y,
            self.page_centre[1] + s * x + c * y,
        ]
    }
}

/// A recognised label sheet: where its grid lies on the page, and the label of each symbol.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    frame: Frame,
    /// Top-left corner of label 1 on the upright sheet, mm.
    origin_mm: [f64; 2],
    /// The label (1–24) of each symbol given to [`recognise`], same order.
    labels: Vec<u32>,
}

impl Sheet {
    /// The label (1–24, row by row on the upright sheet) of each symbol, in the order given.
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// The label a point of the page (mm) lies on, or the nearest one.
    pub fn label_at(&self, p_mm: [f64; 2]) -> u32 {
        let (col, row) = cell(self.origin_mm, self.frame.upright(p_mm));
        let clamp = |v: f64, n: u32| v.clamp(0.0, f64::from(n - 1)) as u32;
        clamp(row, ROWS) * COLUMNS + clamp(col, COLUMNS) + 1
    }

    /// The corners of `label` (1–24) on the page, mm, clockwise from its upright top-left.
    pub fn label_corners_mm(&self, label: u32) -> Quad {
        let k = label.clamp(1, LABELS) - 1;
        let x0 = self.origin_mm[0] + f64::from(k % COLUMNS) * PITCH_MM[0];
        let y0 = self.origin_mm[1] + f64::from(k / COLUMNS) * PITCH_MM[1];
        let (x1, y1) = (x0 + LABEL_MM[0], y0 + LABEL_MM[1]);
        [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map(|p| self.frame.on_page(p))
    }
}

/// Whether a page of `size_mm` (width, height) whose decoded symbols have the bars
/// `quads_mm` is an Annexe III label sheet, and if so where each symbol sits.
pub fn recognise(size_mm: [f64; 2], quads_mm: &[Quad]) -> Option<Sheet> {
    if quads_mm.len() < MIN_LABELS {
        return None;
    }
    let frame = upright_frame(size_mm, reading_direction(quads_mm)?)?;
    let upright: Vec<Quad> = quads_mm
        .iter()
        .map(|q| q.map(|p| frame.upright(p)))
        .collect();
    let origin_mm = fit_origin(&upright)?;
    let labels: Vec<u32> = upright
        .iter()
        .map(|q| label_of_cell(cell(origin_mm, centre(q))))
        .collect();
    let filled: std::collections::BTreeSet<u32> = labels.iter().copied().collect();
    if filled.len() < MIN_LABELS || !one_template(&upright, origin_mm) {
        return None;
    }
    Some(Sheet {
        frame,
        origin_mm,
        labels,
    })
}

/// The symbols' common reading direction (cosine, sine), if they all read within
/// [`MAX_TILT_DEG`] of it.
fn reading_direction(quads: &[Quad]) -> Option<[f64; 2]> {
    let unit = |q: &Quad| {
        let (dx, dy) = (q[1][0] - q[0][0], q[1][1] - q[0][1]);
        let n = dx.hypot(dy).max(1e-9);
        [dx / n, dy / n]
    };
    let sum = quads
        .iter()
        .map(unit)
        .fold([0.0, 0.0], |a, u| [a[0] + u[0], a[1] + u[1]]);
    let n = sum[0].hypot(sum[1]);
    if n < 1e-9 {
        return None;
    }
    let mean = [sum[0] / n, sum[1] / n];
    let least = MAX_TILT_DEG.to_radians().cos();
    quads
        .iter()
        .map(unit)
        .all(|u| u[0] * mean[0] + u[1] * mean[1] >= least)
        .then_some(mean)
}

/// The frame that turns the page so that `direction` reads left to right, if the page is
/// then A4 portrait.
fn upright_frame(size_mm: [f64; 2], direction: [f64; 2]) -> Option<Frame> {
    let quarter_turns = direction[1].atan2(direction[0]) / std::f64::consts::FRAC_PI_2;
    let sideways = quarter_turns.round().rem_euclid(2.0) == 1.0;
    let upright = if sideways {
        [size_mm[1], size_mm[0]]
    } else {
        size_mm
    };
    let fits = (0..2).all(|k| (upright[k] - SHEET_MM[k]).abs() <= SIZE_SLACK_MM);
    fits.then_some(Frame {
        cos_sin: direction,
        page_centre: [size_mm[0] / 2.0, size_mm[1] / 2.0],
        upright_centre: [upright[0] / 2.0, upright[1] / 2.0],
    })
}

fn centre(q: &Quad) -> [f64; 2] {
    let s = q.iter().fold([0.0, 0.0], |a, p| [a[0] + p[0], a[1] + p[1]]);
    [s[0] / 4.0, s[1] / 4.0]
}

/// The grid cell (column, row, fractional: whole part the cell) of an upright point for a
/// grid whose label 1 starts at `origin`.
fn cell(origin: [f64; 2], p: [f64; 2]) -> (f64, f64) {
    (
        ((p[0] - origin[0]) / PITCH_MM[0]).floor(),
        ((p[1] - origin[1]) / PITCH_MM[1]).floor(),
    )
}

fn label_of_cell((col, row): (f64, f64)) -> u32 {
    row as u32 * COLUMNS + col as u32 + 1
}

/// Whether the upright quad lies wholly inside one label of the grid at `origin`.
fn inside_a_label(origin: [f64; 2], q: &Quad) -> bool {
    let (col, row) = cell(origin, q[0]);
    let on_sheet =
        (0.0..f64::from(COLUMNS)).contains(&col) && (0.0..f64::from(ROWS)).contains(&row);
    on_sheet
        && q.iter().all(|&p| {
            let (x, y) = (
                p[0] - origin[0] - col * PITCH_MM[0],
                p[1] - origin[1] - row * PITCH_MM[1],
            );
            (0.0..=LABEL_MM[0]).contains(&x) && (0.0..=LABEL_MM[1]).contains(&y)
        })
}

/// The place of label 1 nearest its nominal one, within [`SHIFT_MM`], that puts every
/// upright quad inside a label.
fn fit_origin(upright: &[Quad]) -> Option<[f64; 2]> {
    let steps = (SHIFT_MM / STEP_MM).round() as i32;
    let mut best: Option<(f64, [f64; 2])> = None;
    for i in -steps..=steps {
        for j in -steps..=steps {
            let (dx, dy) = (f64::from(i) * STEP_MM, f64::from(j) * STEP_MM);
            let origin = [FIRST_LABEL_MM[0] + dx, FIRST_LABEL_MM[1] + dy];
            let shift = dx.hypot(dy);
            if best.is_some_and(|(b, _)| b <= shift) {
                continue;
            }
            if upright.iter().all(|q| inside_a_label(origin, q)) {
                best = Some((shift, origin));
            }
        }
    }
    best.map(|(_, origin)| origin)
}

/// Whether the symbols follow one template: at least three quarters of them sit (centre
/// within [`TEMPLATE_MM`]) where a symbol of at least two other labels sits.
fn one_template(upright: &[Quad], origin: [f64; 2]) -> bool {
    let placed: Vec<(u32, [f64; 2])> = upright
        .iter()
        .map(|q| {
            let c = centre(q);
            let (col, row) = cell(origin, c);
            let within = [
                c[0] - origin[0] - col * PITCH_MM[0],
                c[1] - origin[1] - row * PITCH_MM[1],
            ];
            (label_of_cell((col, row)), within)
        })
        .collect();
    let repeated = placed
        .iter()
        .filter(|(label, at)| {
            let others: std::collections::BTreeSet<u32> = placed
                .iter()
                .filter(|(l, p)| {
                    l != label
                        && (p[0] - at[0]).abs() <= TEMPLATE_MM
                        && (p[1] - at[1]).abs() <= TEMPLATE_MM
                })
                .map(|(l, _)| *l)
                .collect();
            others.len() >= 2
        })
        .count();
    repeated * 4 >= placed.len() * 3
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bars of `w` × `h` mm from (`x`, `y`) mm, reading left to right.
    fn bars(x: f64, y: f64, w: f64, h: f64) -> Quad {
        [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
    }

    /// An upright sheet's symbols: in every label but `blank`, an RPPS block's bars
    /// (27 × 5 mm) 4 mm from the label's left edge and 5 mm from its top, a FINESS block's
    /// (22 × 5 mm) under it; with the label of each.
    fn sheet_symbols(blank: &[u32]) -> (Vec<Quad>, Vec<u32>) {
        let mut quads = Vec::new();
        let mut labels = Vec::new();
        for label in (1..=LABELS).filter(|l| !blank.contains(l)) {
            let k = label - 1;
            let x = FIRST_LABEL_MM[0] + f64::from(k % COLUMNS) * PITCH_MM[0] + 4.0;
            let y = FIRST_LABEL_MM[1] + f64::from(k / COLUMNS) * PITCH_MM[1] + 5.0;
            quads.push(bars(x, y, 27.0, 5.0));
            quads.push(bars(x, y + 14.0, 22.0, 5.0));
            labels.extend([label, label]);
        }
        (quads, labels)
    }

    /// `quads` on a page of `size` turned by `degrees` about its centre (the page's size
    /// after the turn is `turned`) and shifted by `shift` mm.
    fn scanned(quads: &[Quad], degrees: f64, turned: [f64; 2], shift: [f64; 2]) -> Vec<Quad> {
        let (s, c) = degrees.to_radians().sin_cos();
        let from = [SHEET_MM[0] / 2.0, SHEET_MM[1] / 2.0];
        let to = [turned[0] / 2.0, turned[1] / 2.0];
        let move_point = |p: [f64; 2]| {
            let (x, y) = (p[0] - from[0], p[1] - from[1]);
            [
                to[0] + c * x - s * y + shift[0],
                to[1] + s * x + c * y + shift[1],
            ]
        };
        quads.iter().map(|q| q.map(move_point)).collect()
    }

    #[test]
    fn a_shifted_skewed_sheet_is_recognised_label_by_label() {
        let (quads, labels) = sheet_symbols(&[8]);
        let a4 = SHEET_MM;
        for (degrees, size) in [
            (0.8, a4),
            (-1.0, a4),
            (180.6, a4),
            (90.5, [a4[1], a4[0]]),
            (269.2, [a4[1], a4[0]]),
        ] {
            let page = scanned(&quads, degrees, size, [3.0, -2.5]);
            let sheet = recognise(size, &page).unwrap_or_else(|| panic!("{degrees}°"));
            assert_eq!(sheet.labels(), labels.as_slice(), "{degrees}°");
            // The corners of label 8 (blank) hold label 8, and a point of label 1 is on it.
            let corners = sheet.label_corners_mm(8);
            let mid = centre(&corners);
            assert_eq!(sheet.label_at(mid), 8, "{degrees}°");
            assert_eq!(sheet.label_at(centre(&page[0])), 1, "{degrees}°");
        }
    }

    #[test]
    fn a_sheet_with_few_labels_printed_is_not_recognised() {
        let blank: Vec<u32> = (6..=LABELS).collect();
        let (quads, _) = sheet_symbols(&blank);
        assert!(recognise(SHEET_MM, &quads).is_none(), "5 labels only");
        let blank: Vec<u32> = (7..=LABELS).collect();
        let (quads, _) = sheet_symbols(&blank);
        assert!(recognise(SHEET_MM, &quads).is_some(), "6 labels");
    }

    #[test]
    fn a_symbol_across_a_label_edge_or_turned_away_spoils_the_sheet() {
        let (mut quads, _) = sheet_symbols(&[]);
        quads[0] = bars(50.0, 17.0, 27.0, 5.0);
        assert!(
            recognise(SHEET_MM, &quads).is_none(),
            "straddles labels 1 and 2"
        );
        let (mut quads, _) = sheet_symbols(&[]);
        quads[0] = scanned(&quads[..1], 90.0, SHEET_MM, [0.0, 0.0])[0];
        assert!(recognise(SHEET_MM, &quads).is_none(), "reads downwards");
    }

    #[test]
    fn an_a5_page_full_of_symbols_is_not_a_sheet() {
        // The symbols of the top of a sheet, on an A5 page.
        let (quads, _) = sheet_symbols(&(13..=LABELS).collect::<Vec<_>>());
        assert!(recognise([148.0, 210.0], &quads).is_none());
        assert!(recognise(SHEET_MM, &quads).is_some(), "the same on A4 is");
    }

    #[test]
    fn ordinary_pages_are_not_sheets() {
        // The fixtures' A4 pads: a pair; three RPPS and a FINESS (group pad); the corpus's
        // largest group pad, six RPPS in two columns and a FINESS at the bottom.
        let pair = [bars(12.0, 30.0, 30.0, 8.0), bars(113.0, 30.0, 25.0, 8.0)];
        let group: Vec<Quad> = [30.0, 70.0, 110.0]
            .iter()
            .map(|&y| bars(12.0, y, 30.0, 8.0))
            .chain([bars(120.0, 30.0, 25.0, 8.0)])
            .collect();
        let grid: Vec<Quad> = (0..6)
            .map(|i| {
                let (x, y) = (
                    12.0 + 100.0 * f64::from(i % 2),
                    34.0 + 42.0 * f64::from(i / 2),
                );
                bars(x, y, 23.5, 4.0)
            })
            .chain([bars(109.0, 252.0, 25.0, 6.0)])
            .collect();
        for (name, quads) in [("pair", &pair[..]), ("group", &group), ("grid", &grid)] {
            assert!(recognise(SHEET_MM, quads).is_none(), "{name}");
        }
    }

    #[test]
    fn symbols_placed_anywhere_in_their_labels_do_not_follow_a_template() {
        // One symbol per label, each at least 5 mm away from the others' places.
        let quads: Vec<Quad> = (0..12u32)
            .map(|k| {
                let x = FIRST_LABEL_MM[0] + f64::from(k % COLUMNS) * PITCH_MM[0];
                let y = FIRST_LABEL_MM[1] + f64::from(k / COLUMNS) * PITCH_MM[1];
                let (dx, dy) = (2.0 + f64::from(k * 5 % 40), 2.0 + f64::from(k * 7 % 24));
                bars(x + dx, y + dy, 20.0, 4.0)
            })
            .collect();
        assert!(quads.iter().all(|q| inside_a_label(FIRST_LABEL_MM, q)));
        assert!(!one_template(&quads, FIRST_LABEL_MM));
        assert!(recognise(SHEET_MM, &quads).is_none());
    }
}
