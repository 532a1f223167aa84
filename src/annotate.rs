//! Annotated pages (`--annotate DIR`): every page as a PNG that shows at a glance what
//! ordoscan saw and decided.
//!
//! The page is drawn in light grey under a banner that gives the verdict (green for
//! `pass`, red for `fail` and `error`), the identification and every finding; each symbol's
//! quad is outlined and labelled with its index, kind and value — green when it identifies
//! the page, red when a failing finding names it, orange otherwise. Text and lines scale
//! with the page so that the picture reads the same at 200 and 600 dpi. A page that could
//! not be read at all still gets its banner. This module only draws records: it never
//! decides anything.

use std::path::{Component, Path, PathBuf};

use ab_glyph::{FontRef, PxScale};
use image::{GrayImage, Rgb, RgbImage};
use imageproc::drawing::{draw_filled_rect_mut, draw_line_segment_mut, draw_text_mut, text_size};
use imageproc::rect::Rect;

use crate::report::{PageReport, Severity, Verdict};

/// Banner colour of a passing page, and outline of a symbol that identifies it.
pub const GREEN: Rgb<u8> = Rgb([0, 140, 60]);
/// Banner colour of a failing or unreadable page, and outline of a symbol named by a
/// failing finding.
pub const RED: Rgb<u8> = Rgb([210, 30, 30]);
/// Outline of any other symbol (unused, or named only by warnings).
pub const ORANGE: Rgb<u8> = Rgb([225, 120, 0]);
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);

/// Width of the picture drawn for a page that has no pixels (it could not be read).
const BANNER_ONLY_WIDTH: u32 = 1600;
/// Most finding lines written in the banner.
const MAX_FINDING_LINES: usize = 12;

/// Where the annotated picture of `report`'s page goes: the input's name as reported
/// (root, `.` and `..` components dropped, path separators turned into `_`) followed by
/// `.p<page>` (and `.l<label>` on label sheets) and `.png`, e.g.
/// `scans/ordonnance.tif` page 2 → `DIR/scans_ordonnance.tif.p2.png`.
pub fn path(dir: &Path, report: &PageReport) -> PathBuf {
    let parts: Vec<String> = Path::new(&report.file)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().replace(['\\', ':'], "_")),
            _ => None,
        })
        .collect();
    let stem = if parts.is_empty() {
        "page".to_owned()
    } else {
        parts.join("_")
    };
    let label = report.label.map(|l| format!(".l{l}")).unwrap_or_default();
    dir.join(format!("{stem}.p{}{label}.png", report.page))
}

/// Draws `report`'s page — only `area` of it (left, top, right, bottom, pixels) when
/// given: a label of a label sheet — and saves it as a PNG at [`path`].
pub fn write(
    dir: &Path,
    report: &PageReport,
    page: Option<&GrayImage>,
    area: Option<[u32; 4]>,
) -> Result<(), String> {
    let picture = match (page, area) {
        (Some(page), Some(area)) => {
            let (report, part) = cropped(report, page, area);
            draw(&report, Some(&part))
        }
        _ => draw(report, page),
    };
    picture
        .save_with_format(path(dir, report), image::ImageFormat::Png)
        .map_err(|e| e.to_string())
}

/// `area` of the page, and the record with its symbols' quads moved into it.
fn cropped(report: &PageReport, page: &GrayImage, area: [u32; 4]) -> (PageReport, GrayImage) {
    let [x0, y0] = [
        area[0].min(page.width() - 1),
        area[1].min(page.height() - 1),
    ];
    let [x1, y1] = [
        area[2].clamp(x0 + 1, page.width()),
        area[3].clamp(y0 + 1, page.height()),
    ];
    let part = image::imageops::crop_imm(page, x0, y0, x1 - x0, y1 - y0).to_image();
    let mut report = report.clone();
    for s in &mut report.symbols {
        s.quad = s.quad.map(|[x, y]| [x - f64::from(x0), y - f64::from(y0)]);
    }
    (report, part)
}

/// The annotated picture: the banner, then the page (if any) below it.
pub fn draw(report: &PageReport, page: Option<&GrayImage>) -> RgbImage {
    let width = page.map_or(BANNER_ONLY_WIDTH, GrayImage::width);
    let longest = page.map_or(BANNER_ONLY_WIDTH, |p| p.width().max(p.height()));
    let pen = Pen::new(longest);
    let lines = banner_lines(report, &pen, width);
    let banner_h = pen.margin * 2 + lines.len() as u32 * pen.line_h;
    let page_h = page.map_or(0, GrayImage::height);
    let mut canvas = RgbImage::from_pixel(width, banner_h + page_h, WHITE);
    if let Some(page) = page {
        for (x, y, p) in page.enumerate_pixels() {
            // Lighten the page so that the coloured marks stand out.
            let v = 64 + (u16::from(p.0[0]) * 3 / 4) as u8;
            canvas.put_pixel(x, y + banner_h, Rgb([v, v, v]));
        }
    }
    let colour = match report.verdict {
        Verdict::Pass => GREEN,
        Verdict::Fail | Verdict::Error => RED,
    };
    draw_filled_rect_mut(&mut canvas, Rect::at(0, 0).of_size(width, banner_h), colour);
    for (i, line) in lines.iter().enumerate() {
        let y = pen.margin + i as u32 * pen.line_h;
        pen.text(&mut canvas, WHITE, pen.margin as i32, y as i32, line);
    }
    if page.is_some() {
        for i in 0..report.symbols.len() {
            draw_symbol(&mut canvas, &pen, report, i, banner_h as f32);
        }
    }
    canvas
}

/// Text size, line spacing and stroke width for one page size.
struct Pen {
    font: FontRef<'static>,
    scale: PxScale,
    line_h: u32,
    margin: u32,
    stroke: i32,
}

impl Pen {
    fn new(longest_side_px: u32) -> Self {
        // About 2.5 mm on an A4 or A5 page, whatever its resolution.
        let em = (longest_side_px as f32 / 70.0).clamp(16.0, 120.0);
        Pen {
            font: FontRef::try_from_slice(dejavu::sans::bold()).expect("DejaVu fonts are valid"),
            scale: PxScale::from(em),
            line_h: (em * 1.25).round() as u32,
            margin: (em * 0.5).round() as u32,
            stroke: (em / 10.0).round().max(2.0) as i32,
        }
    }

    fn width(&self, text: &str) -> u32 {
        text_size(self.scale, &self.font, text).0
    }

    fn text(&self, canvas: &mut RgbImage, colour: Rgb<u8>, x: i32, y: i32, text: &str) {
        draw_text_mut(canvas, colour, x, y, self.scale, &self.font, text);
    }
}

/// The banner's text: verdict and file, identification, then the findings (or the
/// error), wrapped to the picture's width.
fn banner_lines(report: &PageReport, pen: &Pen, width: u32) -> Vec<String> {
    let verdict = match report.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Error => "ERROR",
    };
    let label = report
        .label
        .map(|l| format!(" label {l}"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "{verdict}   {} page {}{label}",
        report.file, report.page
    )];
    if report.verdict != Verdict::Error || !report.symbols.is_empty() {
        let id = |i: &Option<crate::report::Identification>| {
            i.as_ref().map_or("none".to_owned(), |i| {
                format!("{} {}", i.kind.label(), i.value)
            })
        };
        lines.push(format!(
            "prescriber: {}    structure: {}",
            id(&report.prescriber),
            id(&report.structure)
        ));
    }
    let mut notes: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            let what = match f.severity {
                Severity::Error => "",
                Severity::Warning => " (warning)",
            };
            let symbol = f.symbol.map(|i| format!(" #{i}")).unwrap_or_default();
            format!("{}{symbol}{what}: {}", f.code.as_str(), f.message)
        })
        .collect();
    notes.extend(report.error.clone());
    let room = width.saturating_sub(pen.margin * 2);
    let mut wrapped: Vec<String> = notes.iter().flat_map(|n| wrap(n, pen, room)).collect();
    if wrapped.len() > MAX_FINDING_LINES {
        wrapped.truncate(MAX_FINDING_LINES - 1);
        wrapped.push("… (see the record for the rest)".to_owned());
    }
    lines.extend(wrapped);
    lines
}

/// `text` cut at spaces into lines no wider than `room` pixels (a single word wider than
/// that gets a line of its own).
fn wrap(text: &str, pen: &Pen, room: u32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && pen.width(&candidate) > room {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = candidate;
        }
    }
    lines.push(line);
    lines
}

/// The outline colour of symbol `i`.
fn symbol_colour(report: &PageReport, i: usize) -> Rgb<u8> {
    let failing = report
        .findings
        .iter()
        .any(|f| f.symbol == Some(i) && f.severity == Severity::Error);
    let identifies = [&report.prescriber, &report.structure]
        .iter()
        .any(|id| id.as_ref().is_some_and(|id| id.symbol == i));
    if failing {
        RED
    } else if identifies {
        GREEN
    } else {
        ORANGE
    }
}

/// Outlines symbol `i`'s quad and writes its index, kind and value beside it.
fn draw_symbol(canvas: &mut RgbImage, pen: &Pen, report: &PageReport, i: usize, dy: f32) {
    let symbol = &report.symbols[i];
    let colour = symbol_colour(report, i);
    let quad: Vec<(f32, f32)> = symbol
        .quad
        .iter()
        .map(|&[x, y]| (x as f32, y as f32 + dy))
        .collect();
    for k in 0..4 {
        let (a, b) = (quad[k], quad[(k + 1) % 4]);
        for ox in -pen.stroke / 2..=pen.stroke / 2 {
            for oy in -pen.stroke / 2..=pen.stroke / 2 {
                let o = (ox as f32, oy as f32);
                draw_line_segment_mut(
                    canvas,
                    (a.0 + o.0, a.1 + o.1),
                    (b.0 + o.0, b.1 + o.1),
                    colour,
                );
            }
        }
    }
    let mut text = format!("#{i} {} {}", symbol.kind.label(), symbol.value);
    if symbol.symbology != "code128" {
        text.push_str(&format!(" ({})", symbol.symbology));
    }
    if symbol.check_key_valid == Some(false) {
        text.push_str(" key wrong");
    }
    match symbol.marked {
        Some(true) => text.push_str(" - singled out"),
        Some(false) => text.push_str(" - not singled out"),
        None => {}
    }
    let (w, h) = (pen.width(&text) + pen.margin, pen.line_h);
    let left = quad.iter().map(|p| p.0).fold(f32::MAX, f32::min);
    let top = quad.iter().map(|p| p.1).fold(f32::MAX, f32::min);
    let bottom = quad.iter().map(|p| p.1).fold(f32::MIN, f32::max);
    let gap = pen.stroke as f32 * 2.0;
    // Above the symbol (over its legend) unless that would cover the banner.
    let y = if top - gap - h as f32 >= dy {
        top - gap - h as f32
    } else {
        bottom + gap
    };
    let x = left.clamp(0.0, canvas.width().saturating_sub(w) as f32);
    let (x, y) = (x.round() as i32, y.round() as i32);
    shade(canvas, x, y, w, h);
    pen.text(
        canvas,
        colour,
        x + (pen.margin / 2) as i32,
        y + (pen.line_h / 10) as i32,
        &text,
    );
}

/// Whitens a box (mostly opaque) so that a label reads over the page.
fn shade(canvas: &mut RgbImage, x: i32, y: i32, w: u32, h: u32) {
    for py in y.max(0)..(y + h as i32).min(canvas.height() as i32) {
        for px in x.max(0)..(x + w as i32).min(canvas.width() as i32) {
            let p = canvas.get_pixel_mut(px as u32, py as u32);
            for c in &mut p.0 {
                *c = ((u16::from(*c) + 255 * 5) / 6) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::IdKind;
    use crate::report::{Finding, FindingCode, Identification, SymbolReport};

    fn symbol(value: &str, kind: IdKind, quad: [[f64; 2]; 4]) -> SymbolReport {
        SymbolReport {
            value: value.to_owned(),
            symbology: "code128".to_owned(),
            kind,
            legend: None,
            hri: None,
            hri_match: None,
            check_key_valid: Some(true),
            code_sets: None,
            read_from: "barcode".to_owned(),
            marked: None,
            quad,
            x_dim_mm: None,
            px_per_module: None,
            width_mm: None,
            height_mm: None,
            grade: None,
        }
    }

    fn failing_page() -> PageReport {
        let mut r = PageReport::error("scans/a.tif", 2, "x");
        r.verdict = Verdict::Fail;
        r.error = None;
        r.width_px = Some(600);
        r.height_px = Some(800);
        r.symbols = vec![
            symbol(
                "10001045367",
                IdKind::Rpps,
                [
                    [100.0, 300.0],
                    [400.0, 300.0],
                    [400.0, 360.0],
                    [100.0, 360.0],
                ],
            ),
            symbol(
                "750712185",
                IdKind::Finess,
                [
                    [100.0, 500.0],
                    [300.0, 500.0],
                    [300.0, 560.0],
                    [100.0, 560.0],
                ],
            ),
        ];
        r.prescriber = Some(Identification {
            kind: IdKind::Rpps,
            value: "10001045367".to_owned(),
            symbol: 0,
        });
        r.findings = vec![Finding {
            code: FindingCode::ChecksumInvalid,
            severity: Severity::Error,
            symbol: Some(1),
            message: "the FINESS key is wrong".to_owned(),
        }];
        r
    }

    #[test]
    fn names_are_flat_and_stay_inside_the_directory() {
        let dir = Path::new("out");
        let mut r = PageReport::error("ordonnance.tif", 2, "x");
        assert_eq!(path(dir, &r), Path::new("out/ordonnance.tif.p2.png"));
        r.file = "/data/scans/../b/0001.png".to_owned();
        r.page = 1;
        assert_eq!(path(dir, &r), Path::new("out/data_scans_b_0001.png.p1.png"));
        r.file = "./x.pdf".to_owned();
        r.label = Some(7);
        assert_eq!(path(dir, &r), Path::new("out/x.pdf.p1.l7.png"));
    }

    #[test]
    fn symbols_are_outlined_in_the_colour_of_their_role() {
        let page = GrayImage::from_pixel(600, 800, image::Luma([255]));
        let r = failing_page();
        let img = draw(&r, Some(&page));
        let banner = img.height() - 800;
        assert!(banner > 0);
        assert_eq!(*img.get_pixel(5, 5), RED, "a failing page has a red banner");
        // Middle of the left edge of each quad (below its label).
        assert_eq!(
            *img.get_pixel(100, 330 + banner),
            GREEN,
            "the prescriber identifies"
        );
        assert_eq!(*img.get_pixel(100, 530 + banner), RED, "a wrong key fails");
        assert_eq!(
            *img.get_pixel(550, 700 + banner),
            Rgb([255, 255, 255]),
            "the page itself stays grey"
        );
    }

    #[test]
    fn an_unreadable_page_gets_a_red_banner_with_the_error() {
        let r = PageReport::error("gone.png", 1, "'gone.png': cannot open: no such file");
        let img = draw(&r, None);
        assert_eq!(img.width(), BANNER_ONLY_WIDTH);
        assert_eq!(*img.get_pixel(2, 2), RED);
        let pen = Pen::new(BANNER_ONLY_WIDTH);
        assert_eq!(
            banner_lines(&r, &pen, img.width()).len(),
            2,
            "title and error"
        );
    }

    #[test]
    fn long_findings_wrap_to_the_width() {
        let pen = Pen::new(1000);
        let text = "word ".repeat(200);
        let lines = wrap(text.trim(), &pen, 600);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| pen.width(l) <= 600));
    }
}
