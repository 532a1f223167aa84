//! Decode: finds and decodes the barcodes on a page.
//!
//! Two readers: ordoscan's own (`own`: texture candidates at any angle from
//! [`crate::locate`], scanlines turned into widths by [`scan`], Code 128 decoded from
//! widths by [`code128`], several agreeing lines per symbol), and `rxing` (a port of
//! zxing) as an independent second reader, for comparison (`--decoder rxing`) or merged
//! with the own reader's (`--decoder both`); the own reader is the default (see
//! [`Engine`]). The geometry of each symbol is measured by [`crate::locate`].

pub mod code128;
pub mod code39;
mod own;
pub mod patterns;
mod rxing_reader;
pub mod scan;
mod template;
mod vote;

use std::time::{Duration, Instant};

use image::GrayImage;

/// A barcode symbology found on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symbology {
    /// Code 128 (ISO/IEC 15417), the one the Instruction requires.
    Code128,
    /// Code 39, found on some practice-software pads; never accepted as an identification.
    Code39,
}

impl Symbology {
    /// The name used in the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Symbology::Code128 => "code128",
            Symbology::Code39 => "code39",
        }
    }
}

/// A decoded symbol, in page pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    /// The decoded text.
    pub value: String,
    /// Which symbology it was.
    pub symbology: Symbology,
    /// Corners, clockwise from the start of the first bar's top.
    pub quad: [[f64; 2]; 4],
    /// Pixels per module, when the module count is known.
    pub px_per_module: Option<f64>,
    /// Code sets used, in order (e.g. `C`, `BC`), when the decoder knows them.
    pub code_sets: Option<String>,
}

impl Symbol {
    /// Length of the symbol along its bars' axis, in pixels.
    pub fn length_px(&self) -> f64 {
        distance(self.quad[0], self.quad[1])
    }

    /// Height of the bars, in pixels.
    pub fn height_px(&self) -> f64 {
        distance(self.quad[1], self.quad[2])
    }

    /// Centre of the symbol, in page pixels.
    pub fn centre(&self) -> [f64; 2] {
        let (sx, sy) = self
            .quad
            .iter()
            .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
        [sx / 4.0, sy / 4.0]
    }
}

/// Adds `symbol` unless the same value was already found at an overlapping place (a
/// reader may meet one symbol from several scanlines, candidates or sub-images).
pub fn push_unique(symbols: &mut Vec<Symbol>, symbol: Symbol) {
    let known = symbols
        .iter()
        .any(|o| o.value == symbol.value && crate::locate::overlap(&o.quad, &symbol.quad));
    if !known {
        symbols.push(symbol);
    }
}

/// Euclidean distance between two points.
pub fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Which reader finds and decodes the symbols.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// ordoscan's own locator and Code 128 decoder. The default: on the generated corpus
    /// and the peer suites it reads more than rxing and zxing-cpp, with no false value,
    /// in a fraction of their time.
    #[default]
    Own,
    /// rxing (zxing's algorithms), multi-symbol, try harder.
    Rxing,
    /// Both, merged: a symbol found by both is reported once (a little more read, at
    /// several times the cost).
    Both,
}

/// How a page is read: which reader, and how long it may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadSettings {
    /// Which reader.
    pub engine: Engine,
    /// The page's time budget; when it runs out, what was found so far is reported.
    pub budget: Duration,
}

impl Default for ReadSettings {
    fn default() -> Self {
        ReadSettings {
            engine: Engine::default(),
            budget: DEFAULT_BUDGET,
        }
    }
}

/// The default time budget of a page.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);

/// The symbols of a page, and whether its time budget ran out before the search ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    /// Every symbol found, in reading order.
    pub symbols: Vec<Symbol>,
    /// The budget ran out: the page may hold symbols not searched for.
    pub timed_out: bool,
    /// Regions that hold a Code 128 symbol (its start or stop patterns were seen) that
    /// did not decode, away from every symbol read; their HRI may still be read.
    pub unread: Vec<[[f64; 2]; 4]>,
}

/// Every barcode found on `image` with the default settings, in reading order.
pub fn read(image: &GrayImage, engine: Engine) -> Vec<Symbol> {
    read_within(
        image,
        ReadSettings {
            engine,
            budget: Duration::MAX,
        },
    )
    .symbols
}

/// Every barcode found on `image` within the time budget, in reading order: lines top to
/// bottom (symbols whose centres are within half a symbol height of each other share a
/// line), left to right. The own reader checks the deadline between candidates; rxing,
/// which cannot be interrupted, is only started while time remains.
pub fn read_within(image: &GrayImage, settings: ReadSettings) -> Reading {
    let deadline = Instant::now().checked_add(settings.budget);
    let expired = || deadline.is_some_and(|d| Instant::now() >= d);
    let rxing_if_time = || (!expired()).then(|| rxing_reader::read(image));
    let (symbols, timed_out, unread) = match settings.engine {
        Engine::Own => {
            let own = own::read(image, deadline);
            (own.symbols, own.timed_out, own.unread)
        }
        Engine::Rxing => match rxing_if_time() {
            Some(found) => (found, false, Vec::new()),
            None => (Vec::new(), true, Vec::new()),
        },
        Engine::Both => {
            let own = own::read(image, deadline);
            let mut all = own.symbols;
            let rxing_found = if own.timed_out { None } else { rxing_if_time() };
            let timed_out = rxing_found.is_none();
            for s in rxing_found.unwrap_or_default() {
                push_unique(&mut all, s);
            }
            (all, timed_out, own.unread)
        }
    };
    // An unread region that overlaps a symbol read (by a turned line, by rxing) or another
    // unread region is not another symbol.
    let mut kept: Vec<[[f64; 2]; 4]> = Vec::new();
    for q in unread {
        let taken = symbols.iter().any(|s| crate::locate::overlap(&s.quad, &q))
            || kept.iter().any(|k| crate::locate::overlap(k, &q));
        if !taken {
            kept.push(q);
        }
    }
    Reading {
        symbols: reading_order(symbols),
        timed_out,
        unread: kept,
    }
}

fn reading_order(mut symbols: Vec<Symbol>) -> Vec<Symbol> {
    symbols.sort_by(|a, b| a.centre()[1].total_cmp(&b.centre()[1]));
    let mut lines: Vec<Vec<Symbol>> = Vec::new();
    for s in symbols {
        match lines.last_mut() {
            Some(line)
                if (s.centre()[1] - line[0].centre()[1]).abs()
                    <= line[0].height_px().min(s.height_px()) / 2.0 =>
            {
                line.push(s)
            }
            _ => lines.push(vec![s]),
        }
    }
    lines
        .into_iter()
        .flat_map(|mut line| {
            line.sort_by(|a, b| {
                a.centre()[0]
                    .total_cmp(&b.centre()[0])
                    .then_with(|| a.value.cmp(&b.value))
            });
            line
        })
        .collect()
}
