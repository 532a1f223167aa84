//! Synthetic prescription pages with known truth, for fixtures, tests and benchmarks.
//!
//! A page is described in millimetres ([`PageSpec`]): identification blocks (legend above,
//! Code 128 symbol, human-readable line below, as Annexe I lays them out), free text and
//! pen strokes. [`render`] draws it at any resolution with anti-aliased bars (each bar's
//! exact coverage of every pixel column), text from the bundled DejaVu fonts, so module
//! widths need not be whole pixels — like real printers and scanners. [`write`](mod@write) saves
//! pages as PNG, JPEG, TIFF (CCITT G3/G4, multi-page) or PDF with their resolution stated,
//! and [`fixtures`] is the committed fixture set with its truth files. Everything is
//! deterministic: the same spec gives the same bytes.

pub mod code128;
pub mod corpus;
pub mod degrade;
pub mod fixtures;
pub mod geometry;
mod ink;
pub mod legibility;
pub mod text_legibility;
pub mod write;

use ab_glyph::{FontRef, PxScale};
use image::{GrayImage, Luma};

use self::code128::{CodeSets, codewords, widths};

/// An identification block: legend, symbol, human-readable line.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Left edge of the symbol (first bar), mm from the page's left edge.
    pub x_mm: f64,
    /// Top of the bars, mm from the page's top edge.
    pub y_mm: f64,
    /// The encoded text.
    pub value: String,
    /// The code sets the encoder may use.
    pub sets: CodeSets,
    /// Narrow bar width in mm.
    pub x_dim_mm: f64,
    /// Bar height in mm.
    pub height_mm: f64,
    /// Legend line above the symbol, if any.
    pub legend: Option<String>,
    /// Human-readable line below the symbol, if any.
    pub hri: Option<String>,
    /// Style of the legend and HRI text.
    pub style: TextStyle,
    /// Width added to every bar, mm (ink spread when positive, erosion when negative).
    pub bar_gain_mm: f64,
}

/// Fonts bundled for the synthetic pages: the DejaVu family (the `dejavu` crate) and
/// the Liberation faces (`assets/fonts`, SIL Open Font License).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typeface {
    /// DejaVu Sans.
    Sans,
    /// DejaVu Sans Bold.
    SansBold,
    /// DejaVu Sans Condensed.
    Condensed,
    /// DejaVu Sans Mono.
    Mono,
    /// DejaVu Serif.
    Serif,
    /// Liberation Sans (Arial's metrics and look), from `assets/fonts`.
    OfficeSans,
    /// Liberation Sans Bold.
    OfficeSansBold,
    /// Liberation Serif (Times New Roman's).
    OfficeSerif,
    /// Liberation Mono (Courier New's).
    OfficeMono,
}

impl Typeface {
    /// Every typeface, for random choice.
    pub const ALL: [Typeface; 5] = [
        Typeface::Sans,
        Typeface::SansBold,
        Typeface::Condensed,
        Typeface::Mono,
        Typeface::Serif,
    ];

    /// Every face the text reader knows: [`Typeface::ALL`] and [`Typeface::OFFICE`].
    pub const READ: [Typeface; 9] = [
        Typeface::Sans,
        Typeface::SansBold,
        Typeface::Condensed,
        Typeface::Mono,
        Typeface::Serif,
        Typeface::OfficeSans,
        Typeface::OfficeSansBold,
        Typeface::OfficeSerif,
        Typeface::OfficeMono,
    ];

    /// The faces office software prints in (Arial, Times New Roman, Courier New), as
    /// their metric clones: the text reader's glyphs are rendered from [`Typeface::ALL`]
    /// only, and a corpus printed in these measures how far that carries
    /// (`ordoscan-synth corpus --faces office`).
    pub const OFFICE: [Typeface; 4] = [
        Typeface::OfficeSans,
        Typeface::OfficeSansBold,
        Typeface::OfficeSerif,
        Typeface::OfficeMono,
    ];

    fn font(self) -> FontRef<'static> {
        let bytes: &'static [u8] = match self {
            Typeface::OfficeSans => include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf"),
            Typeface::OfficeSansBold => {
                include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf")
            }
            Typeface::OfficeSerif => {
                include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf")
            }
            Typeface::OfficeMono => include_bytes!("../../assets/fonts/LiberationMono-Regular.ttf"),
            Typeface::Sans => dejavu::sans::regular(),
            Typeface::SansBold => dejavu::sans::bold(),
            Typeface::Condensed => dejavu::sans_condensed::regular(),
            Typeface::Mono => dejavu::sans_mono::regular(),
            Typeface::Serif => dejavu::serif::regular(),
        };
        FontRef::try_from_slice(bytes).expect("the bundled fonts are valid")
    }
}

impl Typeface {
    pub(crate) fn is_dejavu(self) -> bool {
        Typeface::ALL.contains(&self)
    }

    /// How [`draw_text`] scales the face: the share of the scale it is drawn at (the
    /// face's ascent to descent) its capitals fill, and how far below the top of the box
    /// imageproc draws in they start, as a share of that scale. The DejaVu faces'
    /// [`CAP_HEIGHT_EM`] draws their capitals at 0.86 of the size asked for; the other
    /// faces are drawn as high as DejaVu's. Measured once per face.
    fn scaling(self) -> (f64, f64) {
        if self.is_dejavu() {
            return (CAP_HEIGHT_EM, 0.2);
        }
        static OFFICE: std::sync::OnceLock<[(f64, f64); Typeface::OFFICE.len()]> =
            std::sync::OnceLock::new();
        let office = OFFICE.get_or_init(|| {
            let (_, dejavu_cap, dejavu_height) = Typeface::Sans.vertical_units();
            Typeface::OFFICE.map(|face| {
                let (ascent, cap, height) = face.vertical_units();
                (
                    cap / height * CAP_HEIGHT_EM / (dejavu_cap / dejavu_height),
                    (ascent - cap) / height,
                )
            })
        });
        let i = Typeface::OFFICE.iter().position(|&f| f == self);
        i.map_or((CAP_HEIGHT_EM, 0.2), |i| office[i])
    }

    /// The face's ascent, capital height and ascent to descent, in font units.
    fn vertical_units(self) -> (f64, f64, f64) {
        use ab_glyph::Font;
        let font = self.font();
        let cap = font
            .outline(font.glyph_id('H'))
            .map_or(0.0, |o| f64::from((o.bounds.max.y - o.bounds.min.y).abs()));
        let ascent = f64::from(font.ascent_unscaled());
        (ascent, cap, ascent - f64::from(font.descent_unscaled()))
    }
}

/// How a block's legend and HRI are printed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    /// Typeface of both lines.
    pub typeface: Typeface,
    /// Cap height of the legend, mm (Annexe I: ≥ 1 mm).
    pub legend_mm: f64,
    /// Cap height of the HRI, mm (Annexe I: ≥ 2 mm).
    pub hri_mm: f64,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            typeface: Typeface::Sans,
            legend_mm: 2.2,
            hri_mm: 2.4,
        }
    }
}

/// A line of text as [`draw_block`] prints it.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    /// Its typeface.
    pub typeface: Typeface,
    /// Left edge, pixels.
    pub x: f64,
    /// Top of the capitals, pixels.
    pub y: f64,
    /// Cap height, pixels.
    pub size: f64,
    /// What is printed.
    pub text: String,
}

impl TextLine {
    /// Draws the line on `img`.
    pub fn draw(&self, img: &mut GrayImage) {
        draw_text(img, self.typeface, self.x, self.y, self.size, &self.text);
    }

    /// The same line printing `text` instead.
    pub fn with_text(&self, text: &str) -> TextLine {
        TextLine {
            text: text.to_owned(),
            ..self.clone()
        }
    }
}

impl Block {
    /// The legend (1 mm above the bars) and the HRI (1 mm below), both left-aligned on the
    /// first bar, as printed at `dpi` (`None` where the block has none).
    pub fn text_lines(&self, dpi: f64) -> [Option<TextLine>; 2] {
        let px = |mm: f64| mm / 25.4 * dpi;
        let style = self.style;
        let line = |text: &Option<String>, top_mm: f64, cap_mm: f64| {
            text.as_ref().map(|t| TextLine {
                typeface: style.typeface,
                x: px(self.x_mm),
                y: px(top_mm),
                size: px(cap_mm),
                text: t.clone(),
            })
        };
        [
            line(
                &self.legend,
                self.y_mm - 1.0 - style.legend_mm,
                style.legend_mm,
            ),
            line(&self.hri, self.y_mm + self.height_mm + 1.0, style.hri_mm),
        ]
    }

    /// Bar and space widths in modules, bar first (`None` when the value cannot be
    /// encoded in the block's code sets).
    pub fn modules(&self) -> Option<Vec<u8>> {
        match self.sets {
            CodeSets::Code39 => crate::decode::code39::encode(&self.value),
            sets => Some(widths(&codewords(&self.value, sets)?)),
        }
    }

    /// The symbol's width in mm, quiet zones excluded.
    pub fn width_mm(&self) -> f64 {
        let modules: u32 = codewords(&self.value, self.sets)
            .map(|c| widths(&c).iter().map(|&w| u32::from(w)).sum())
            .unwrap_or(0);
        f64::from(modules) * self.x_dim_mm
    }
}

/// Something drawn on a page besides identification blocks.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    /// A line of text; `size_mm` is the height of capitals.
    Text {
        /// Left, mm.
        x_mm: f64,
        /// Top, mm.
        y_mm: f64,
        /// Cap height, mm.
        size_mm: f64,
        /// The text.
        text: String,
    },
    /// A pen stroke from one point to another.
    Stroke {
        /// Start, mm.
        from_mm: [f64; 2],
        /// End, mm.
        to_mm: [f64; 2],
        /// Pen width, mm.
        width_mm: f64,
    },
}

/// A page described in millimetres.
#[derive(Clone, Debug, PartialEq)]
pub struct PageSpec {
    /// Paper width, mm.
    pub width_mm: f64,
    /// Paper height, mm.
    pub height_mm: f64,
    /// Identification blocks.
    pub blocks: Vec<Block>,
    /// Other marks.
    pub marks: Vec<Mark>,
}

/// Cap height of DejaVu Sans as a fraction of its em.
const CAP_HEIGHT_EM: f64 = 0.73;

/// Draws `text` with its capitals' top at (`x`, `y`) pixels, `size` pixels cap height.
pub fn draw_text(img: &mut GrayImage, typeface: Typeface, x: f64, y: f64, size: f64, text: &str) {
    let (cap_share, drop) = typeface.scaling();
    let em = size / cap_share;
    // imageproc places the em box top at y; capitals start `drop` (about 0.2) em below it.
    let top = y - em * drop;
    imageproc::drawing::draw_text_mut(
        img,
        Luma([0]),
        x.round() as i32,
        top.round() as i32,
        PxScale::from(em as f32),
        &typeface.font(),
        text,
    );
}

/// Draws an identification block with its top-left bar corner at (`x_mm`, `y_mm`) from
/// the image origin; returns the quad of its bars in pixels, clockwise from the first
/// bar's top.
pub fn draw_block(img: &mut GrayImage, block: &Block, dpi: f64) -> Option<[[f64; 2]; 4]> {
    let px = |mm: f64| mm / 25.4 * dpi;
    let modules = block.modules()?;
    let (left, top, bottom) = (
        px(block.x_mm),
        px(block.y_mm),
        px(block.y_mm + block.height_mm),
    );
    let gain = px(block.bar_gain_mm) / 2.0;
    let mut x = left;
    for (i, &m) in modules.iter().enumerate() {
        let next = x + f64::from(m) * px(block.x_dim_mm);
        if i % 2 == 0 {
            fill_rect(img, x - gain, top, next + gain, bottom);
        }
        x = next;
    }
    for line in block.text_lines(dpi).into_iter().flatten() {
        line.draw(img);
    }
    Some([[left, top], [x, top], [x, bottom], [left, bottom]])
}

/// Draws `spec` at `dpi` in 8-bit grey (white paper, black ink).
pub fn render(spec: &PageSpec, dpi: f64) -> GrayImage {
    let px = |mm: f64| mm / 25.4 * dpi;
    let w = px(spec.width_mm).round() as u32;
    let h = px(spec.height_mm).round() as u32;
    let mut img = GrayImage::from_pixel(w, h, Luma([255]));
    for block in &spec.blocks {
        draw_block(&mut img, block, dpi);
    }
    for mark in &spec.marks {
        draw_mark(&mut img, mark, dpi);
    }
    img
}

/// Draws one free mark.
pub fn draw_mark(img: &mut GrayImage, mark: &Mark, dpi: f64) {
    let px = |mm: f64| mm / 25.4 * dpi;
    match mark {
        Mark::Text {
            x_mm,
            y_mm,
            size_mm,
            text,
        } => draw_text(
            img,
            Typeface::Sans,
            px(*x_mm),
            px(*y_mm),
            px(*size_mm),
            text,
        ),
        Mark::Stroke {
            from_mm,
            to_mm,
            width_mm,
        } => stroke(img, from_mm.map(px), to_mm.map(px), px(*width_mm)),
    }
}

/// Darkens the pixels under an axis-aligned rectangle by their exact coverage.
pub fn fill_rect(img: &mut GrayImage, x0: f64, y0: f64, x1: f64, y1: f64) {
    let (w, h) = img.dimensions();
    let cols = x0.floor().max(0.0) as u32..(x1.ceil().max(0.0) as u32).min(w);
    let rows = y0.floor().max(0.0) as u32..(y1.ceil().max(0.0) as u32).min(h);
    for y in rows {
        let cy = (y1.min(f64::from(y) + 1.0) - y0.max(f64::from(y))).clamp(0.0, 1.0);
        for x in cols.clone() {
            let cx = (x1.min(f64::from(x) + 1.0) - x0.max(f64::from(x))).clamp(0.0, 1.0);
            let p = img.get_pixel_mut(x, y);
            p.0[0] = (f64::from(p.0[0]) * (1.0 - cx * cy)).round() as u8;
        }
    }
}

/// Draws a straight black pen stroke of the given width (pixels), anti-aliased.
pub fn stroke(img: &mut GrayImage, a: [f64; 2], b: [f64; 2], width: f64) {
    stroke_ink(img, a, b, width, 0);
}

/// Draws a straight pen stroke of the given width (pixels) in ink of grey level `ink`
/// (0 black; a lighter ink, as a blue pen or a highlighter scans, lets the paper through).
pub fn stroke_ink(img: &mut GrayImage, a: [f64; 2], b: [f64; 2], width: f64, ink: u8) {
    let strength = 1.0 - f64::from(ink) / 255.0;
    let (w, h) = img.dimensions();
    let r = width / 2.0;
    let (minx, maxx) = (a[0].min(b[0]) - r - 1.0, a[0].max(b[0]) + r + 1.0);
    let (miny, maxy) = (a[1].min(b[1]) - r - 1.0, a[1].max(b[1]) + r + 1.0);
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = (dx * dx + dy * dy).max(1e-9);
    for y in (miny.max(0.0) as u32)..(maxy.max(0.0) as u32).min(h) {
        for x in (minx.max(0.0) as u32)..(maxx.max(0.0) as u32).min(w) {
            let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let t = (((px - a[0]) * dx + (py - a[1]) * dy) / len2).clamp(0.0, 1.0);
            let d = (px - a[0] - t * dx).hypot(py - a[1] - t * dy);
            let cover = (r + 0.5 - d).clamp(0.0, 1.0) * strength;
            if cover > 0.0 {
                let p = img.get_pixel_mut(x, y);
                p.0[0] = (f64::from(p.0[0]) * (1.0 - cover)).round() as u8;
            }
        }
    }
}

/// A small deterministic random generator (SplitMix64), so corpora are reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A generator for item `index` of the stream `seed`, independent of its neighbours.
    pub fn for_item(seed: u64, index: u64) -> Self {
        let mut mixer = Rng::new(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ index);
        let a = mixer.next_u64();
        Rng::new(a ^ index.wrapping_mul(0xA076_1D64_78BD_642F))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A uniform number in `lo..hi`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// One of `items`, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.range(0.0, 1.0) < p
    }

    /// A number of `digits` random digits.
    pub fn digits(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}
