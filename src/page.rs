//! One page through the pipeline: decode, read the text around each symbol, judge — as
//! one record, or, on an Annexe III label sheet, one record per label judged on that
//! label's symbols only. Threads and files are [`crate::batch`]'s business.

use crate::decode::{self, ReadSettings};
use crate::ids::{self, IdKind};
use crate::ingest::Page;
use crate::judge::{self, PageInfo, Rules};
use crate::labels;
use crate::layout;
use crate::marks;
use crate::report::PageReport;
use crate::text::{self, TextRead};

/// One record of a page, and the part of the page it speaks of.
#[derive(Clone, Debug)]
pub struct PageRecord {
    /// The record.
    pub report: PageReport,
    /// On a label sheet, the label's box in page pixels (left, top, right, bottom): what
    /// its annotated picture shows.
    pub area: Option<[u32; 4]>,
}

/// What was read on a page, before judging: the symbols decoded, the text around each,
/// the undecoded symbols identified from their printed digits, each symbol's quiet zone.
struct Found {
    symbols: Vec<decode::Symbol>,
    texts: Vec<TextRead>,
    recovered: Vec<(decode::Symbol, TextRead)>,
    quiet: Vec<Option<f64>>,
}

impl Found {
    /// The symbols `keep` keeps (by index), and the recovered ones `keep_recovered` keeps.
    fn subset(
        &self,
        keep: impl Fn(usize) -> bool,
        keep_recovered: impl Fn(&decode::Symbol) -> bool,
    ) -> Found {
        let kept: Vec<usize> = (0..self.symbols.len()).filter(|&i| keep(i)).collect();
        Found {
            symbols: kept.iter().map(|&i| self.symbols[i].clone()).collect(),
            texts: kept
                .iter()
                .filter_map(|&i| self.texts.get(i).cloned())
                .collect(),
            recovered: self
                .recovered
                .iter()
                .filter(|(s, _)| keep_recovered(s))
                .cloned()
                .collect(),
            quiet: kept
                .iter()
                .filter_map(|&i| self.quiet.get(i).copied())
                .collect(),
        }
    }
}

/// Runs the pipeline on one page: decode, read the text, judge. One record for a
/// prescription page; one per label, in label order, on an Annexe III label sheet.
pub fn process_page(
    page: &Page,
    file: &str,
    number: u32,
    read: ReadSettings,
    rules: Rules,
) -> Vec<PageRecord> {
    let reading = decode::read_within(&page.image, read);
    let info = PageInfo {
        file: file.to_owned(),
        page: number,
        width_px: page.image.width(),
        height_px: page.image.height(),
        dpi: page.dpi,
        dpi_source: page.dpi_source,
        timed_out: reading.timed_out.then_some(read.budget),
        label: None,
    };
    let found = read_around(page, reading);
    match sheet_of(page, &found.symbols) {
        Some(sheet) => judge_labels(page, &info, &found, &sheet, rules),
        None => vec![PageRecord {
            report: judge_found(page, &info, &found, rules),
            area: None,
        }],
    }
}

/// The text around each decoded symbol, the symbols identified from their digits only,
/// and the quiet zones.
fn read_around(page: &Page, reading: decode::Reading) -> Found {
    let hints: Vec<Option<&str>> = reading
        .symbols
        .iter()
        .map(|s| Some(s.value.as_str()))
        .collect();
    let texts: Vec<TextRead> = text::read_texts(&page.image, &reading.symbols, page.dpi, &hints);
    // Symbols seen but not decoded: their printed digits may still say who or where.
    let recovered: Vec<(decode::Symbol, TextRead)> = reading
        .unread
        .iter()
        .filter_map(|&q| text::read_unreadable(&page.image, q, page.dpi))
        .filter(|(s, _)| !reading.symbols.iter().any(|r| r.value == s.value))
        .collect();
    let quiet = layout::quiet_zones(&page.image, &reading.symbols);
    Found {
        symbols: reading.symbols,
        texts,
        recovered,
        quiet,
    }
}

/// Judges what was found (the whole page's, or one label's).
fn judge_found(page: &Page, info: &PageInfo, found: &Found, rules: Rules) -> PageReport {
    // Hand marks matter only where several RPPS numbers compete.
    let rpps: std::collections::BTreeSet<&str> = found
        .symbols
        .iter()
        .filter(|s| ids::kind_from_shape(&s.value) == IdKind::Rpps)
        .map(|s| s.value.as_str())
        .collect();
    let marks: Vec<Option<marks::Evidence>> = if rpps.len() >= 2 {
        marks::on_page(&page.image, &found.symbols, page.dpi)
    } else {
        Vec::new()
    };
    let grades: Vec<Option<f64>> = if rules.grade {
        found
            .symbols
            .iter()
            .map(|s| crate::grade::grade(&page.image, s))
            .collect()
    } else {
        Vec::new()
    };
    judge::judge(
        info,
        &judge::Seen {
            symbols: &found.symbols,
            texts: &found.texts,
            recovered: &found.recovered,
            marks: &marks,
            quiet: &found.quiet,
            grades: &grades,
        },
        rules,
    )
}

/// The Annexe III label sheet the page is, if it is one.
fn sheet_of(page: &Page, symbols: &[decode::Symbol]) -> Option<labels::Sheet> {
    let mm = |px: f64| px / page.dpi * 25.4;
    let size_mm = [
        mm(f64::from(page.image.width())),
        mm(f64::from(page.image.height())),
    ];
    let quads: Vec<labels::Quad> = symbols.iter().map(|s| s.quad.map(|p| p.map(mm))).collect();
    labels::recognise(size_mm, &quads)
}

/// One record per label of a sheet, each judged on its own symbols.
fn judge_labels(
    page: &Page,
    info: &PageInfo,
    found: &Found,
    sheet: &labels::Sheet,
    rules: Rules,
) -> Vec<PageRecord> {
    let mm = |px: f64| px / page.dpi * 25.4;
    (1..=labels::LABELS)
        .map(|label| {
            let on_label = found.subset(
                |i| sheet.labels()[i] == label,
                |s| sheet.label_at(s.centre().map(mm)) == label,
            );
            let info = PageInfo {
                label: Some(label),
                ..info.clone()
            };
            PageRecord {
                report: judge_found(page, &info, &on_label, rules),
                area: Some(label_area(page, sheet, label)),
            }
        })
        .collect()
}

/// Margin around a label's box in its annotated picture, mm: the grid's place is known
/// only as well as the symbols tell it (any place that keeps each symbol in its label
/// fits them), so a shifted sheet's label edge may lie a few mm off the fitted one.
const LABEL_AREA_MARGIN_MM: f64 = 4.0;

/// The box of `label` on the page, pixels, with [`LABEL_AREA_MARGIN_MM`] around it,
/// within the page.
fn label_area(page: &Page, sheet: &labels::Sheet, label: u32) -> [u32; 4] {
    let px = |mm: f64| mm / 25.4 * page.dpi;
    let corners = sheet.label_corners_mm(label).map(|p| p.map(px));
    let [x0, y0, x1, y1] = crate::locate::bbox(&corners);
    let margin = px(LABEL_AREA_MARGIN_MM);
    let (w, h) = (
        f64::from(page.image.width()),
        f64::from(page.image.height()),
    );
    let clamp = |v: f64, max: f64| v.clamp(0.0, max) as u32;
    [
        clamp(x0 - margin, w - 1.0),
        clamp(y0 - margin, h - 1.0),
        clamp(x1 + margin, w),
        clamp(y1 + margin, h),
    ]
}
