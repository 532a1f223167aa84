//! Reading a blurred line by matching rendered characters: the fallback for profiles
//! whose narrow bars and spaces blur together, so that their edges (and hence widths)
//! are gone while the grey profile still tells the characters apart.
//!
//! The symbol's ends are the outer edges of its first and last bars, which blur does not
//! move (each faces a quiet zone). Between them lie `11 n + 2` modules for `n` symbol
//! characters (the stop counts as 13 modules), which fixes the module grid for each `n`.
//! The blur is measured on the stop pattern, which every symbol ends with; then each
//! character, left to right, is the pattern whose blurred rendering, with the characters
//! already read on its left, correlates best with the profile, and clearly better than
//! any other. A symbol is returned only when the stop matches, every character is clear
//! and the check character holds; the caller's votes across lines do the rest.

mod binary;

use std::cell::OnceCell;

use wide::f64x4;

use super::code128::{check_ok, text};
use super::patterns::{PATTERNS, START_A, START_C, STOP};
use crate::ids::{IdKind, check_key_valid, kind_from_shape};

/// Smallest correlation of a character's rendering with the profile.
const MIN_CORRELATION: f64 = 0.85;
/// Smallest lead of the best character's correlation over the second's.
const MIN_LEAD: f64 = 0.04;
/// Looks tried: Gaussian blur σ and erosion (bar width lost, negative when ink spreads),
/// both in modules. Blur alone is a soft scan; erosion under a little blur is a
/// thresholded one (a fax, a bilevel scan of faded print) whose narrowest bars thin out or
/// vanish while the centres of the others stay put.
const LOOKS: [Look; 20] = [
    Look::blur(0.25),
    Look::blur(0.35),
    Look::blur(0.45),
    Look::blur(0.55),
    Look::blur(0.65),
    Look::blur(0.75),
    Look::blur(0.9),
    Look::blur(1.05),
    Look::eroded(0.25, -0.4),
    Look::eroded(0.4, -0.4),
    Look::eroded(0.25, 0.35),
    Look::eroded(0.4, 0.35),
    Look::eroded(0.25, 0.55),
    Look::eroded(0.4, 0.55),
    Look::eroded(0.25, 0.75),
    Look::eroded(0.4, 0.75),
    Look::eroded(0.25, 0.95),
    Look::eroded(0.4, 0.95),
    Look::eroded(0.25, 1.15),
    Look::eroded(0.4, 1.15),
];
/// The erosions among [`LOOKS`].
const EROSIONS: [f64; 7] = [0.0, -0.4, 0.35, 0.55, 0.75, 0.95, 1.15];

/// How a symbol's bars reach the image.
#[derive(Clone, Copy, Debug)]
struct Look {
    sigma: f64,
    erosion: f64,
}

impl Look {
    const fn blur(sigma: f64) -> Self {
        Look {
            sigma,
            erosion: 0.0,
        }
    }

    const fn eroded(sigma: f64, erosion: f64) -> Self {
        Look { sigma, erosion }
    }
}
/// Fewest and most symbol characters (start, data, check) tried.
const CHARS: std::ops::RangeInclusive<usize> = 4..=24;
/// Samples per module of the rendering.
const OVERSAMPLE: f64 = 4.0;

/// A symbol read from a blurred profile: its symbol characters (start, data, check), and
/// where its first and last bars' outer edges lie along the profile (reading order: the
/// start's edge first).
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateRead {
    /// Start, data and check characters.
    pub codewords: Vec<u8>,
    /// Position of the start character's first edge.
    pub start_t: f64,
    /// Position of the stop pattern's last edge.
    pub end_t: f64,
    /// Pixels per module.
    pub module: f64,
    /// Positions the line could not tell (a stroke across them, or two patterns alike
    /// there): the read is then no symbol, but its sure characters before the first and
    /// after the last of them are a head and a tail for the votes across lines.
    pub unsure: Vec<usize>,
}

/// The symbol a run of bars between two quiet zones holds, read in either direction:
/// `edges` are the run's edges along the profile, from its first bar's outer edge to its
/// last bar's.
pub fn read_between(profile: &[f64], edges: &[f64], two_level: bool) -> Option<TemplateRead> {
    let (&first, &last) = (edges.first()?, edges.last()?);
    // The pixel model's view of the line, made once for both directions when needed.
    let dark = OnceCell::new();
    let forward = read_run(profile, edges, first, last, 1.0, two_level, &dark);
    if forward.as_ref().is_some_and(|r| r.unsure.is_empty()) {
        return forward;
    }
    let backward = read_run(profile, edges, last, first, -1.0, two_level, &dark);
    match backward {
        Some(b) if b.unsure.is_empty() || forward.is_none() => Some(b),
        _ => forward,
    }
}

/// Reads the run from the edge `from` to the edge `to` (`dir` = ±1: the profile read
/// forwards or backwards): on the module grid each symbol length lays, first by rounding
/// the edges to it (a sharp symbol of few pixels per module), then from rendered
/// characters (a blurred one), and last on a thresholded page pixel by pixel
/// ([`binary`]: thin bars vanished, spaces filled in).
fn read_run(
    profile: &[f64],
    edges: &[f64],
    from: f64,
    to: f64,
    dir: f64,
    two_level: bool,
    dark: &OnceCell<Vec<f64>>,
) -> Option<TemplateRead> {
    // Only thresholding erodes bars away: grey scans keep a thin bar as a faint dip.
    let erosions = if two_level {
        &EROSIONS[..]
    } else {
        &EROSIONS[..1]
    };
    let span = (to - from) * dir;
    let read = |module: f64, codewords: Vec<u8>| TemplateRead {
        codewords,
        start_t: from,
        end_t: to,
        module,
        unsure: Vec::new(),
    };
    // Erosion moves the outer edges in by half its width each.
    let grid_of = |n: usize, erosion: f64| {
        let modules = (11 * n + 13) as f64;
        let module = span / (modules - erosion);
        (0.9..=12.0).contains(&module).then_some(Grid {
            profile,
            from: from - dir * 0.5 * erosion * module,
            dir,
            module,
            modules,
        })
    };
    CHARS
        .rev()
        .find_map(|n| {
            let grid = grid_of(n, 0.0)?;
            grid.rounded(edges, n, two_level)
                .map(|c| read(grid.module, c))
        })
        .or_else(|| {
            let outer = outer_bars(edges);
            CHARS.rev().find_map(|n| {
                let erosion = erosion_of(erosions, (11 * n + 13) as f64, span, outer);
                let grid = grid_of(n, erosion)?;
                // A length whose grid shows no stop is not the symbol's; the symbol's
                // grid may sit a little off where the outer edges laid it.
                let look = grid.look(erosion)?;
                std::iter::once((grid, look))
                    .chain(grid.nudged().filter_map(|g| Some((g, g.look(erosion)?))))
                    .find_map(|(grid, look)| Some(read(grid.module, grid.characters(n, look)?)))
            })
        })
        .or_else(|| {
            // A thresholded line whose thin bars vanished or whose spaces filled in: read
            // pixel by pixel.
            if !two_level {
                return None;
            }
            let dark = dark.get_or_init(|| binary::darkness(profile));
            binary::read(dark, edges.len(), from, to, dir)
        })
}

/// Mean width of a run's first and last bars (pixels): the first bar of every start
/// character and the last of the stop pattern are two modules wide.
fn outer_bars(edges: &[f64]) -> Option<f64> {
    let n = edges.len();
    (n >= 4).then(|| 0.5 * ((edges[1] - edges[0]).abs() + (edges[n - 1] - edges[n - 2]).abs()))
}

/// The erosion among `erosions` nearest to what the outer bars show, on the grid of
/// `modules` laid over `span` pixels: two modules less their observed width (the first
/// erosion when they are not known).
fn erosion_of(erosions: &[f64], modules: f64, span: f64, outer: Option<f64>) -> f64 {
    let (Some(outer), [_, _, ..]) = (outer, erosions) else {
        return erosions.first().copied().unwrap_or(0.0);
    };
    let mut erosion = 0.0;
    for _ in 0..2 {
        erosion = 2.0 - outer * (modules - erosion) / span;
    }
    erosions
        .iter()
        .copied()
        .min_by(|a, b| (a - erosion).abs().total_cmp(&(b - erosion).abs()))
        .unwrap_or(0.0)
}

/// [`round`] of four doubles: `wide`'s rounding where AVX2 is enabled (the default
/// build's `target-cpu=native`), the same values.
fn round4(v: f64x4) -> f64x4 {
    if cfg!(target_feature = "avx2") {
        v.round()
    } else {
        f64x4::new(v.to_array().map(round))
    }
}

/// [`f64::round`] (half away from zero) without the library call it is on baseline
/// x86-64: the same value, the sign of a zero included.
fn round(x: f64) -> f64 {
    // 2^52: from here on every double is a whole number (or not a number at all).
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return x.round();
    }
    // The conversions truncate, and a fraction taken off its whole part is exact.
    let whole = x as i64 as f64;
    let fraction = x - whole;
    let rounded = if fraction >= 0.5 {
        whole + 1.0
    } else if fraction <= -0.5 {
        whole - 1.0
    } else {
        whole
    };
    rounded.copysign(x)
}

/// The `(score, value)` pairs whose `cost` (of the score; the lowest is the best) is within
/// `lead` of the best's, best first and equals in their order in `scored`: the first of
/// all of them sorted stably by cost, sorting only those.
fn near_the_best(scored: Vec<(f64, u8)>, lead: f64, cost: impl Fn(f64) -> f64) -> Vec<(f64, u8)> {
    let Some(best) = scored.iter().map(|s| cost(s.0)).min_by(f64::total_cmp) else {
        return scored;
    };
    let mut near: Vec<(f64, u8)> = scored
        .into_iter()
        .filter(|s| cost(s.0) - best < lead)
        .collect();
    near.sort_by(|a, b| cost(a.0).total_cmp(&cost(b.0)));
    near
}

/// Least-squares line `y = a + b x`; `None` when the `x` do not vary.
fn fit_line(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
    }
    (sxx > 0.0).then(|| {
        let b = sxy / sxx;
        (my - b * mx, b)
    })
}

/// Root-mean-square distance of a character's edges from its pattern's, in modules,
/// beyond which it is not that character.
const GRID_SLACK: f64 = 0.4;
/// Smallest lead of the nearest pattern over the second.
const GRID_LEAD: f64 = 0.08;

/// Times the grid is fitted to the lines the edges fall nearest and the edges rounded
/// to it again.
const FITS: usize = 3;

/// The grid lines edges `x` (modules from the first edge) fall nearest on a thresholded
/// page. There the first and last edges are off by up to half a pixel each, so the
/// module taken from them may be off by a pixel over the symbol's length — most of a
/// module at 1.2 pixels per module — and the edges' offsets from the grid drift along it:
/// the grid is the scale (within ±1 %) and phase that bring the edges nearest their lines
/// (least squares).
fn thresholded_grid(x: &[f64]) -> Vec<f64> {
    let (mut best, mut at) = (f64::MAX, (1.0, 0.0));
    for s in -10..=10 {
        let scale = 1.0 + f64::from(s) * 0.001;
        // Four phases at a time, each lane adding its squares in the edges' order.
        for p in (0..GRID_PHASES).step_by(4) {
            let phases: [f64; 4] = std::array::from_fn(|l| f64::from(p + l as u32) / 20.0 - 0.5);
            let mut cost = f64x4::ZERO;
            for &v in x {
                let y = f64x4::splat(v * scale) - f64x4::new(phases);
                let off = y - round4(y);
                cost += off * off;
            }
            for (c, phase) in cost.to_array().into_iter().zip(phases) {
                if c < best {
                    (best, at) = (c, (scale, phase));
                }
            }
        }
    }
    x.iter().map(|v| round(v * at.0 - at.1)).collect()
}

/// Phases of the grid [`thresholded_grid`] tries, a twentieth of a module apart.
const GRID_PHASES: u32 = 20;

/// Whether the grid lines `at` (whole modules) are `pattern`'s edges.
fn snaps_to(at: &[f64], pattern: &[u8]) -> bool {
    at.windows(2)
        .zip(pattern)
        .all(|(w, &p)| w[1] - w[0] == f64::from(p))
}

/// Root-mean-square distance between edges `at` (modules) and the edges of `pattern`
/// laid from `from`.
fn misfit(at: &[f64], from: f64, pattern: &[u8]) -> f64 {
    let mut line = from;
    let mut sum = (at[0] - line).powi(2);
    for (x, &w) in at[1..].iter().zip(pattern) {
        line += f64::from(w);
        sum += (x - line).powi(2);
    }
    (sum / at.len() as f64).sqrt()
}

/// Shifts (modules) and scalings of the module grid tried after the grid the outer edges
/// lay: blur, ink spread and the pixel grid move a run's outer edges by up to a fifth of
/// a module each, and a grid that far off, or off by that much at the far end, reads a
/// blurred symbol's characters wrong from the first or the last on (seed 31: six symbols
/// at 1.4–1.7 pixels per module read on no line until their grid was moved).
const NUDGES: [f64; 5] = [0.0, -0.1, 0.1, -0.2, 0.2];
const SCALES: [f64; 3] = [1.0, 0.996, 1.004];

/// A module grid laid on the profile.
#[derive(Clone, Copy)]
struct Grid<'a> {
    profile: &'a [f64],
    /// Profile position of module 0's left edge (reading order).
    from: f64,
    /// +1 forwards, −1 backwards.
    dir: f64,
    /// Pixels per module.
    module: f64,
    /// Modules from the start's first edge to the stop's last.
    modules: f64,
}

impl Grid<'_> {
    /// The grids moved by [`NUDGES`] and scaled by [`SCALES`] around this one (not this
    /// one itself).
    fn nudged(&self) -> impl Iterator<Item = Self> + '_ {
        SCALES.iter().flat_map(move |&scale| {
            NUDGES
                .iter()
                .filter(move |&&nudge| (nudge, scale) != (0.0, 1.0))
                .map(move |&nudge| Grid {
                    from: self.from + self.dir * nudge * self.module,
                    module: self.module * scale,
                    ..*self
                })
        })
    }

    /// The profile's position `x` modules from the start; `None` off the profile.
    fn place(&self, x: f64) -> Option<f64> {
        let t = self.position(x);
        (0.0..=(self.profile.len() - 1) as f64)
            .contains(&t)
            .then_some(t)
    }

    /// The profile's position `x` modules from the start, on it or not.
    fn position(&self, x: f64) -> f64 {
        self.from + self.dir * x * self.module
    }

    /// Profile value (interpolated) at a position on it.
    fn value(&self, t: f64) -> f64 {
        let i = (t as usize).min(self.profile.len().saturating_sub(2));
        let f = t - i as f64;
        self.profile[i] * (1.0 - f) + self.profile[i + 1] * f
    }

    /// The `n` symbol characters whose edges lie on the grid: the grid is fitted to all
    /// the edges, then each character is the pattern whose edges lie nearest its own,
    /// clearly nearer than any other's, and the stop and check character must hold. On a
    /// thresholded page (`two_level`) every edge is off by up to half a pixel, which at
    /// 1.2 pixels per module is 0.42 module: no pattern is then clearly nearer than the
    /// next, and a character is the pattern its edges fall nearest one by one, once the
    /// grid is fitted to the lines they fall nearest.
    fn rounded(&self, edges: &[f64], n: usize, two_level: bool) -> Option<Vec<u8>> {
        if edges.len() != 6 * n + 8 {
            return None;
        }
        let ordered: Vec<f64> = if self.dir > 0.0 {
            edges.to_vec()
        } else {
            edges.iter().rev().copied().collect()
        };
        let x: Vec<f64> = ordered
            .iter()
            .map(|&e| (e - self.from) * self.dir / self.module)
            .collect();
        // Each edge is off the grid by its own quantisation, the first one too: the grid's
        // phase is the circular mean of the edges' offsets (on a thresholded page, the
        // scale and phase [`thresholded_grid`] finds), then it is fitted to the lines the
        // edges fall nearest (least squares), and the edges rounded to it again.
        let mut nearest: Vec<f64> = if two_level {
            thresholded_grid(&x)
        } else {
            let (sin, cos) = x.iter().fold((0.0, 0.0), |(s, c), v| {
                let a = std::f64::consts::TAU * v;
                (s + a.sin(), c + a.cos())
            });
            let phase = sin.atan2(cos) / std::f64::consts::TAU;
            x.iter().map(|v| round(v - phase)).collect()
        };
        let mut fitted = Vec::new();
        for _ in 0..FITS {
            let (a, b) = fit_line(&nearest, &x)?;
            fitted = x.iter().map(|v| (v - a) / b).collect();
            let again: Vec<f64> = fitted.iter().map(|&v| round(v)).collect();
            if again == nearest {
                break;
            }
            nearest = again;
        }
        let x = fitted;
        let mut codewords = Vec::with_capacity(n);
        for k in 0..n {
            let values = if k == 0 {
                START_A..=START_C
            } else {
                0..=START_A - 1
            };
            let at = &x[6 * k..=6 * k + 6];
            let mut fits: Vec<(f64, u8)> = values
                .map(|v| (misfit(at, 11.0 * k as f64, &PATTERNS[usize::from(v)]), v))
                .collect();
            fits.sort_by(|p, q| p.0.total_cmp(&q.0));
            let (best, value) = fits[0];
            let snapped =
                two_level && snaps_to(&nearest[6 * k..=6 * k + 6], &PATTERNS[usize::from(value)]);
            if best > GRID_SLACK || (fits[1].0 - best < GRID_LEAD && !snapped) {
                return None;
            }
            codewords.push(value);
        }
        let stop = misfit(&x[6 * n..], 11.0 * n as f64, &STOP);
        (stop <= GRID_SLACK && check_ok(&codewords)).then_some(codewords)
    }

    /// Observed profile at the rendering's sample points over `[x0, x1)` modules.
    fn observed(&self, x0: f64, x1: f64) -> Option<Vec<f64>> {
        let xs = samples(x0, x1);
        // The positions run one way along the profile (each step of the sum and product
        // rounds monotonically): all are on it when the first and the last are.
        if let (Some(first), Some(last)) = (xs.clone().next(), xs.clone().next_back()) {
            self.place(first)?;
            self.place(last)?;
        }
        Some(xs.map(|x| self.value(self.position(x))).collect())
    }

    /// The look (index into [`LOOKS`]) of the given erosion that makes the stop pattern
    /// and the quiet zone after it correlate best; `None` when no such look makes it look
    /// like a stop.
    fn look(&self, erosion: f64) -> Option<usize> {
        let end = self.modules;
        let observed = self.observed(end + STOP_WINDOW.0, end + STOP_WINDOW.1)?;
        // Every stop is rendered over the window observed: one length, centred once, and
        // correlated four looks at once ([`stops`]).
        let centred = Centred::of(&observed, observed.len());
        let stops = &stops()[EROSIONS.iter().position(|&e| e == erosion)?];
        let mut scores: Vec<(f64, usize)> = Vec::with_capacity(stops.looks.len());
        if stops.len == observed.len() {
            for (k, (four, squares)) in stops.fours.iter().enumerate() {
                let looks = &stops.looks[4 * k..(4 * k + 4).min(stops.looks.len())];
                let correlations = correlations_centred4(&centred, four, squares);
                scores.extend(correlations.into_iter().zip(looks.iter().copied()));
            }
        } else {
            let renders = renders();
            scores.extend(
                (stops.looks.iter()).map(|&i| (correlation(&observed, &renders[i].stop_ink), i)),
            );
        }
        scores
            .into_iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(c, _)| *c >= MIN_CORRELATION)
            .map(|(_, i)| i)
    }

    /// The `n` symbol characters, each the clear best match in the context of those read
    /// before it; `None` when one is unclear or the check character fails. A character
    /// whose look leaves it a twin (a start A and B differ only by where a one-module bar
    /// stands; erosion takes that bar away) keeps its few twins, and the check character
    /// picks among them: at most [`MAX_TWINNED`] such positions, and exactly one choice
    /// must check.
    fn characters(&self, n: usize, look: usize) -> Option<Vec<u8>> {
        let rendered = &renders()[look];
        let (w0, w1) = rendered.window;
        let mut before: Vec<(f64, f64)> = Vec::new();
        let mut choices: Vec<Vec<u8>> = Vec::with_capacity(n);
        for k in 0..n {
            let x = 11.0 * k as f64;
            let observed = self.observed(x + w0, x + w1)?;
            let context = render(&before, w0, w1, LOOKS[look]);
            // Every character's ink has the context's length.
            let observed = Centred::of(&observed, observed.len().min(context.len()));
            let (first, last) = if k == 0 {
                (START_A, START_C)
            } else {
                (0, START_A - 1)
            };
            // Four patterns at a time ([`Renders::fours`]).
            let mut scores: Vec<(f64, u8)> = Vec::with_capacity(usize::from(last - first) + 1);
            for v in (first..=last).step_by(4) {
                let correlations = correlations4(&observed, rendered.four(v), &context);
                let count = usize::from(last - v).min(3) + 1;
                scores.extend(correlations.into_iter().zip(v..).take(count));
            }
            // Correlations: the highest is the best.
            let scores = near_the_best(scores, MIN_LEAD, |c| -c);
            let (best, value) = *scores.first()?;
            let close: Vec<u8> = scores.iter().map(|s| s.1).collect();
            if best < MIN_CORRELATION || close.len() > MAX_TWINS {
                return None;
            }
            choices.push(close);
            // Reads torn at more positions than the check can settle stop early.
            if choices.iter().filter(|c| c.len() > 1).count() > MAX_TWINNED {
                return None;
            }
            // The context of the next character, in its own module frame.
            before = before
                .iter()
                .map(|&(a, b)| (a - 11.0, b - 11.0))
                .chain(elements(&PATTERNS[usize::from(value)], -11.0))
                .filter(|b| b.1 > w0 - 3.0)
                .collect();
        }
        checked_choice(&choices)
    }
}

/// Most characters a position may be torn between.
const MAX_TWINS: usize = 12;
/// Most positions torn between characters: the check character can settle one.
const MAX_TWINNED: usize = 1;

/// The one way of picking a character at each position that the check character holds;
/// `None` when there is none or several. The check character, once spent on choosing, no
/// longer guards the read: a read that needed it must be an identifier whose own key
/// holds.
fn checked_choice(choices: &[Vec<u8>]) -> Option<Vec<u8>> {
    let mut pick: Vec<u8> = choices.iter().map(|c| c[0]).collect();
    let torn: Vec<usize> = (0..choices.len())
        .filter(|&i| choices[i].len() > 1)
        .collect();
    if torn.len() > MAX_TWINNED {
        return None;
    }
    let combinations: usize = torn.iter().map(|&i| choices[i].len()).product();
    let mut found = None;
    for mut code in 0..combinations {
        for &i in &torn {
            let c = &choices[i];
            pick[i] = c[code % c.len()];
            code /= c.len();
        }
        if check_ok(&pick) {
            if found.is_some() {
                return None;
            }
            found = Some(pick.clone());
        }
    }
    found.filter(|p| combinations == 1 || keyed_identifier(p))
}

/// Whether symbol characters spell an RPPS, FINESS or AM number whose check key holds.
fn keyed_identifier(codewords: &[u8]) -> bool {
    text(codewords).is_some_and(|(t, _)| {
        let kind = kind_from_shape(&t);
        kind != IdKind::Unknown && check_key_valid(kind, &t) == Some(true)
    })
}

/// The stop pattern's rendering window, in modules from its last edge.
const STOP_WINDOW: (f64, f64) = (-14.0, 2.0);

/// What is rendered once for a blur: the stop pattern with its quiet zone, and each
/// symbol character alone (followed by the bar every character starts with) over the
/// window a character is compared on.
struct Renders {
    stop_ink: Vec<f64>,
    /// `stop_ink` centred over its whole length.
    stop: Centred,
    window: (f64, f64),
    /// Each symbol character alone over `window`, four side by side ([`side_by_side`]):
    /// the data characters from 0 on, four at a time, then the start characters.
    fours: Vec<Vec<f64x4>>,
}

impl Renders {
    fn of(look: Look) -> Renders {
        let reach = 2.5 * look.sigma;
        let window = (-reach, 11.0 + reach.min(1.0));
        let stop_ink = render(&bars(&STOP, -13.0), STOP_WINDOW.0, STOP_WINDOW.1, look);
        let alone: Vec<Vec<f64>> = (0..=START_C)
            .map(|v| {
                render(
                    &bars(&PATTERNS[usize::from(v)], 0.0),
                    window.0,
                    window.1,
                    look,
                )
            })
            .collect();
        let fours = (alone[..usize::from(START_A)].chunks(4))
            .chain([&alone[usize::from(START_A)..]])
            .map(side_by_side)
            .collect();
        Renders {
            stop: Centred::of(&stop_ink, stop_ink.len()),
            stop_ink,
            window,
            fours,
        }
    }

    /// The four patterns from `v` side by side: `v` a multiple of 4 before the start
    /// characters, or the first of them.
    fn four(&self, v: u8) -> &[f64x4] {
        let k = if v < START_A {
            usize::from(v / 4)
        } else {
            self.fours.len() - 1
        };
        &self.fours[k]
    }
}

/// Up to four sides of one length side by side, a lane each (the last repeated to make
/// four).
fn side_by_side<V: AsRef<[f64]>>(sides: &[V]) -> Vec<f64x4> {
    let four: [&[f64]; 4] = std::array::from_fn(|j| sides[j.min(sides.len() - 1)].as_ref());
    (0..four[0].len())
        .map(|i| f64x4::new(four.map(|a| a[i])))
        .collect()
}

/// The stops of the looks of one erosion (one of [`EROSIONS`]), centred, four side by
/// side (the last repeated to make four), with their sums of squares.
struct Stops {
    /// The looks (indices into [`LOOKS`]), in order.
    looks: Vec<usize>,
    /// Their stops' length.
    len: usize,
    fours: Vec<(Vec<f64x4>, [f64; 4])>,
}

/// [`Stops`] for each of [`EROSIONS`], computed on first use.
fn stops() -> &'static [Stops] {
    static STOPS: std::sync::OnceLock<Vec<Stops>> = std::sync::OnceLock::new();
    STOPS.get_or_init(|| {
        let renders = renders();
        EROSIONS
            .iter()
            .map(|&erosion| {
                let looks: Vec<usize> = (0..LOOKS.len())
                    .filter(|&i| LOOKS[i].erosion == erosion)
                    .collect();
                let len = renders[looks[0]].stop.values.len();
                let fours = looks
                    .chunks(4)
                    .map(|chunk| {
                        let four: [&Centred; 4] =
                            std::array::from_fn(|j| &renders[chunk[j.min(chunk.len() - 1)]].stop);
                        (
                            side_by_side(&four.map(|c| &c.values)),
                            four.map(|c| c.squares),
                        )
                    })
                    .collect();
                Stops { looks, len, fours }
            })
            .collect()
    })
}

/// [`Renders`] for each of [`LOOKS`], computed on first use.
fn renders() -> &'static [Renders] {
    static RENDERS: std::sync::OnceLock<Vec<Renders>> = std::sync::OnceLock::new();
    RENDERS.get_or_init(|| LOOKS.iter().map(|&look| Renders::of(look)).collect())
}

/// The bars of a symbol character laid from `x` modules, then the first bar of what
/// follows it (every character starts with a bar of a module at least); the stop pattern's
/// four bars alone. (start, end) in modules, without allocating.
fn bars(pattern: &[u8], x: f64) -> [(f64, f64); 4] {
    let mut out = [(x + 11.0, x + 12.0); 4];
    let mut at = x;
    for (i, &w) in pattern.iter().enumerate() {
        if i % 2 == 0 {
            out[i / 2] = (at, at + f64::from(w));
        }
        at += f64::from(w);
    }
    out
}

/// Bars of a pattern (bar first) laid from `x` modules: (start, end) in modules.
fn elements(pattern: &[u8], x: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(pattern.len().div_ceil(2));
    let mut at = x;
    for (i, &w) in pattern.iter().enumerate() {
        if i % 2 == 0 {
            out.push((at, at + f64::from(w)));
        }
        at += f64::from(w);
    }
    out
}

/// Sample points over `[x0, x1)` modules.
fn samples(x0: f64, x1: f64) -> impl DoubleEndedIterator<Item = f64> + ExactSizeIterator + Clone {
    let n = ((x1 - x0) * OVERSAMPLE).ceil().max(0.0) as usize;
    (0..n).map(move |i| x0 + (i as f64 + 0.5) / OVERSAMPLE)
}

/// Ink (1 in a bar, 0 in a space) of bars eroded and blurred as `look` says, at the
/// sample points of `[x0, x1)`.
fn render(bars: &[(f64, f64)], x0: f64, x1: f64, look: Look) -> Vec<f64> {
    let half = 0.5 * look.erosion;
    let bars: Vec<(f64, f64)> = bars
        .iter()
        .map(|&(a, b)| (a + half, b - half))
        .filter(|(a, b)| b > a)
        .collect();
    let sigma = look.sigma;
    samples(x0, x1)
        .map(|x| {
            bars.iter()
                .map(|&(a, b)| normal_cdf((b - x) / sigma) - normal_cdf((a - x) / sigma))
                .sum::<f64>()
        })
        .collect()
}

/// Φ, the standard normal distribution function (Abramowitz–Stegun 7.1.26 erf).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// Pearson correlation of the observed grey profile with a rendering of ink: grey falls
/// where ink rises, so the sign is turned.
fn correlation(observed: &[f64], ink: &[f64]) -> f64 {
    let n = observed.len().min(ink.len());
    correlation_with(&Centred::of(observed, n), ink.iter().copied())
}

/// [`correlation`] with its observed side worked out once (for many inks).
fn correlation_with(observed: &Centred, ink: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = observed.values.len();
    if n < 4 {
        return 0.0;
    }
    let mean = ink.clone().sum::<f64>() / n as f64;
    let (mut sxy, mut syy) = (0.0, 0.0);
    for (a, i) in observed.values.iter().zip(ink) {
        let b = i - mean;
        sxy += a * b;
        syy += b * b;
    }
    finish_correlation(sxy, observed.squares, syy)
}

/// [`correlation_with`] of `observed` and each of four inks, `alone[j]` summed with
/// `context`, at once (`alone` holds the four side by side): each lane makes the same sums
/// in the same order, so the same correlations, bit for bit.
fn correlations4(observed: &Centred, alone: &[f64x4], context: &[f64]) -> [f64; 4] {
    let n = observed.values.len();
    if n < 4 {
        return [0.0; 4];
    }
    let len = alone.len().min(context.len());
    let ink = |i: usize| alone[i] + f64x4::splat(context[i]);
    // What a sum of no doubles is (the library's sum starts there).
    let mut sum = f64x4::splat(std::iter::empty::<f64>().sum());
    for i in 0..len {
        sum += ink(i);
    }
    let mean = sum / f64x4::splat(n as f64);
    let (mut sxy, mut syy) = (f64x4::ZERO, f64x4::ZERO);
    for (i, &a) in observed.values.iter().enumerate().take(len) {
        let b = ink(i) - mean;
        sxy += f64x4::splat(a) * b;
        syy += b * b;
    }
    let (sxy, syy) = (sxy.to_array(), syy.to_array());
    std::array::from_fn(|j| finish_correlation(sxy[j], observed.squares, syy[j]))
}

/// The [`correlation`] of `observed` and each of four sides, both centred once (the four
/// side by side in `four`, with their sums of squares `squares`), at once: each lane the
/// sums of one side alone (`correlation_centred`, kept for the tests) in the same order,
/// so the same correlations, bit for bit.
fn correlations_centred4(observed: &Centred, four: &[f64x4], squares: &[f64; 4]) -> [f64; 4] {
    if observed.values.len() < 4 {
        return [0.0; 4];
    }
    let sxy = (observed.values.iter())
        .zip(four)
        .fold(f64x4::ZERO, |sum, (&a, &b)| sum + f64x4::splat(a) * b)
        .to_array();
    std::array::from_fn(|j| finish_correlation(sxy[j], observed.squares, squares[j]))
}

/// [`correlation`] of two sides worked out once each, of one length (what
/// [`correlations_centred4`] does four at a time).
#[cfg(test)]
fn correlation_centred(observed: &Centred, ink: &Centred) -> f64 {
    if observed.values.len() < 4 {
        return 0.0;
    }
    let sxy = (observed.values.iter())
        .zip(&ink.values)
        .fold(0.0, |sum, (a, b)| sum + a * b);
    finish_correlation(sxy, observed.squares, ink.squares)
}

fn finish_correlation(sxy: f64, sxx: f64, syy: f64) -> f64 {
    if sxx <= 0.0 || syy <= 0.0 {
        return 0.0;
    }
    -sxy / (sxx * syy).sqrt()
}

/// One side of a [`correlation`] over its first `n` values (the shorter side's length):
/// those values less the side's mean (the sum of all of them over `n`, as `correlation`
/// takes it), and the sum of their squares, in the same order.
struct Centred {
    values: Vec<f64>,
    squares: f64,
}

impl Centred {
    fn of(v: &[f64], n: usize) -> Centred {
        let mean = v.iter().sum::<f64>() / n as f64;
        let values: Vec<f64> = v[..n.min(v.len())].iter().map(|x| x - mean).collect();
        let squares = values.iter().fold(0.0, |sum, a| sum + a * a);
        Centred { values, squares }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::code128::{CodeSets, codewords, widths};

    /// A grey profile of symbol characters `cw` (stop appended by `widths`) at `module`
    /// pixels, blurred by σ = `sigma` modules, between 20-module quiet zones; and the
    /// positions of its first and last bar edges.
    fn profile(cw: &[u8], module: f64, sigma: f64) -> (Vec<f64>, f64, f64) {
        let mut bars = Vec::new();
        let mut at = 20.0;
        for (i, &w) in widths(cw).iter().enumerate() {
            if i % 2 == 0 {
                bars.push((at, at + f64::from(w)));
            }
            at += f64::from(w);
        }
        let total = at + 20.0;
        let n = (total * module) as usize;
        let p = (0..n)
            .map(|i| {
                let x = (i as f64 + 0.5) / module;
                let ink: f64 = bars
                    .iter()
                    .map(|&(a, b)| normal_cdf((b - x) / sigma) - normal_cdf((a - x) / sigma))
                    .sum();
                220.0 - 180.0 * ink.min(1.0)
            })
            .collect();
        (p, 20.0 * module - 0.5, at * module - 0.5)
    }

    /// A bilevel profile of symbol characters `cw` at `module` pixels, each bar thinned by
    /// `erosion` modules before the pixels are thresholded on their ink cover (a fax of
    /// faded print), with its edges.
    fn thresholded(cw: &[u8], module: f64, erosion: f64, phase: f64) -> (Vec<f64>, Vec<f64>) {
        let mut bars = Vec::new();
        let mut at = 20.0;
        for (i, &w) in widths(cw).iter().enumerate() {
            if i % 2 == 0 && f64::from(w) > erosion {
                bars.push((at + erosion / 2.0, at + f64::from(w) - erosion / 2.0));
            }
            at += f64::from(w);
        }
        let n = ((at + 20.0) * module) as usize;
        let p: Vec<f64> = (0..n)
            .map(|i| {
                let (x0, x1) = (
                    (i as f64 + phase) / module,
                    (i as f64 + 1.0 + phase) / module,
                );
                let cover: f64 = bars
                    .iter()
                    .map(|&(a, b)| (b.min(x1) - a.max(x0)).max(0.0))
                    .sum();
                if cover * module > 0.5 { 0.0 } else { 255.0 }
            })
            .collect();
        let w = crate::decode::scan::widths(&p).unwrap();
        let mut edges = Vec::new();
        let mut t = 0.0;
        for x in &w[..w.len() - 1] {
            t += x;
            edges.push(t);
        }
        (p, edges)
    }

    #[test]
    fn reads_faxed_faded_symbols_whose_narrow_bars_vanished() {
        let mut read = 0;
        let mut tried = 0;
        for value in ["10207994970", "660092594", "10703244631", "2A0000061"] {
            let cw = codewords(value, CodeSets::Shortest).unwrap();
            for (module, erosion) in [(2.8, 0.5), (2.5, 0.6), (2.2, 0.45), (1.8, 0.4)] {
                for phase in [0.0, 0.3, 0.6] {
                    let (p, edges) = thresholded(&cw, module, erosion, phase);
                    tried += 1;
                    let got = read_between(&p, &edges, true);
                    if let Some(r) = &got {
                        assert_eq!(r.codewords, cw, "{value} {module} {erosion}");
                        read += 1;
                    } else {
                        eprintln!("missed {value} {module} {erosion} {phase}");
                    }
                }
            }
        }
        assert!(read * 10 >= tried * 8, "{read} of {tried}");
    }

    #[test]
    fn the_check_character_settles_one_torn_position_of_an_identifier_only() {
        let cw = codewords("10207994970", CodeSets::Shortest).unwrap();
        let torn = |at: usize, others: &[u8]| -> Vec<Vec<u8>> {
            cw.iter()
                .enumerate()
                .map(|(i, &v)| {
                    let mut c = vec![v];
                    if i == at {
                        c.splice(0..0, others.iter().copied().filter(|&o| o != v));
                    }
                    c
                })
                .collect()
        };
        assert_eq!(checked_choice(&torn(0, &[103, 104])), Some(cw.clone()));
        assert_eq!(checked_choice(&torn(3, &[6, 7, 71, 72])), Some(cw.clone()));
        let mut two = torn(3, &[6, 7]);
        two[5].insert(0, (cw[5] + 1) % 100);
        assert_eq!(checked_choice(&two), None, "two torn positions");
        // Not an identifier: the check character alone does not vouch for the choice.
        let text_cw = codewords("ABCDEFGH", CodeSets::Shortest).unwrap();
        let mut choices: Vec<Vec<u8>> = text_cw.iter().map(|&v| vec![v]).collect();
        choices[2].insert(0, (text_cw[2] + 5) % 100);
        assert_eq!(checked_choice(&choices), None);
        choices[2].remove(0);
        assert_eq!(checked_choice(&choices), Some(text_cw));
    }

    /// A run given by its two outer edges only (its inner edges blurred away).
    fn ends(first: f64, last: f64) -> [f64; 2] {
        [first, last]
    }

    #[test]
    fn reads_blurred_symbols_both_ways() {
        for value in ["10001045367", "750712184", "2A0000061"] {
            let cw = codewords(value, CodeSets::Shortest).unwrap();
            for (module, sigma) in [(1.5, 0.7), (2.0, 0.9), (3.0, 0.6)] {
                let (p, first, last) = profile(&cw, module, sigma);
                let read = read_between(&p, &ends(first, last), false).expect(value);
                assert_eq!(read.codewords, cw, "{value} {module} {sigma}");
                assert!((read.module - module).abs() < 0.05);
                let reversed: Vec<f64> = p.iter().rev().copied().collect();
                let len = (p.len() - 1) as f64;
                let back =
                    read_between(&reversed, &ends(len - last, len - first), false).expect(value);
                assert_eq!(back.codewords, cw);
                assert!(back.start_t > back.end_t, "read from the right");
            }
        }
    }

    /// Outer edges that blur and ink spread moved: the grid they lay is off by a fifth of
    /// a module at one end, or by as much over the whole symbol, and the symbol reads on
    /// the grid moved back.
    #[test]
    fn reads_blurred_symbols_whose_outer_edges_moved() {
        for value in ["10441623997", "480371590"] {
            let cw = codewords(value, CodeSets::Shortest).unwrap();
            let (module, sigma) = (1.44, 0.5);
            let (p, first, last) = profile(&cw, module, sigma);
            let off = 0.2 * module;
            for (a, b) in [(off, off), (-off, -off), (0.0, off), (-off, 0.0)] {
                let read = read_between(&p, &ends(first + a, last + b), false);
                assert_eq!(
                    read.map(|r| r.codewords),
                    Some(cw.clone()),
                    "{value} {a} {b}"
                );
            }
        }
    }

    #[test]
    fn a_wrong_check_character_or_noise_reads_nothing() {
        let mut cw = codewords("10001045367", CodeSets::Shortest).unwrap();
        let last = cw.len() - 1;
        cw[last] = (cw[last] + 1) % 103;
        let (p, first, end) = profile(&cw, 2.0, 0.7);
        for two_level in [false, true] {
            assert_eq!(read_between(&p, &ends(first, end), two_level), None);
        }
        let mut seed = 12345u64;
        let noise: Vec<f64> = (0..400)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                f64::from((seed >> 56) as u8)
            })
            .collect();
        for two_level in [false, true] {
            assert_eq!(read_between(&noise, &ends(40.0, 360.0), two_level), None);
        }
    }

    /// The correlation as one pass over both sides computes it: means over the shorter
    /// length, every sum in order.
    fn one_pass_correlation(observed: &[f64], ink: &[f64]) -> f64 {
        let n = observed.len().min(ink.len()) as f64;
        if n < 4.0 {
            return 0.0;
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
        let (mo, mi) = (mean(observed), mean(ink));
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (o, i) in observed.iter().zip(ink) {
            let (a, b) = (o - mo, i - mi);
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        if sxx <= 0.0 || syy <= 0.0 {
            return 0.0;
        }
        -sxy / (sxx * syy).sqrt()
    }

    proptest::proptest! {
        /// [`round`] and [`round4`] are [`f64::round`] bit for bit: halves, near-halves, zeros of either
        /// sign, huge values and values that are not numbers.
        #[test]
        fn rounding_is_the_librarys(
            whole in -1_000_000i64..1_000_000,
            fraction in proptest::prop_oneof![
                proptest::strategy::Just(0.5),
                proptest::strategy::Just(-0.5),
                proptest::strategy::Just(0.49999999999999994),
                proptest::strategy::Just(-0.49999999999999994),
                proptest::strategy::Just(0.0),
                -1.0f64..1.0,
            ],
            any in proptest::num::f64::ANY,
        ) {
            let xs = [whole as f64 + fraction, fraction, -fraction, any, -0.0, f64::NAN, 4.5e15 + 0.5, 2.5];
            for x in xs {
                proptest::prop_assert_eq!(round(x).to_bits(), x.round().to_bits(), "{}", x);
            }
            for four in xs.chunks_exact(4) {
                let four: [f64; 4] = four.try_into().expect("four");
                for (got, x) in round4(f64x4::new(four)).to_array().into_iter().zip(four) {
                    let want = x.round();
                    proptest::prop_assert!(got.to_bits() == want.to_bits() || got.is_nan() && want.is_nan(), "{}", x);
                }
            }
        }

        /// A window is observed, or not, as sampling each of its points on its own gives
        /// it: off the profile at either end, partly, or wholly on it, read either way.
        #[test]
        fn a_window_is_observed_as_its_points_are(
            profile in proptest::collection::vec(0.0f64..255.0, 2..120),
            from in -20.0f64..140.0,
            forwards: bool,
            module in 0.9f64..12.0,
            x0 in -20.0f64..30.0,
            width in 0.0f64..20.0,
        ) {
            let grid = Grid {
                profile: &profile,
                from,
                dir: if forwards { 1.0 } else { -1.0 },
                module,
                modules: 35.0,
            };
            let one_by_one: Option<Vec<f64>> = samples(x0, x0 + width)
                .map(|x| grid.place(x).map(|t| grid.value(t)))
                .collect();
            let bits = |v: Option<Vec<f64>>| v.map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            proptest::prop_assert_eq!(bits(grid.observed(x0, x0 + width)), bits(one_by_one));
        }

        /// Four inks correlated at once give, bit for bit, what each gives alone: inks
        /// longer than the observed side, shorter, and flat.
        #[test]
        fn four_inks_correlate_as_one_at_a_time(
            observed in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..255.0], 0..70),
            alone in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(1.0), proptest::strategy::Just(0.0), 0.0f64..1.0], 4 * 60),
            context in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..1.0], 0..70),
            len in 0usize..60,
        ) {
            let alone: [&[f64]; 4] = std::array::from_fn(|j| &alone[60 * j..60 * j + len]);
            let side_by_side = side_by_side(&alone);
            let n = observed.len().min(context.len());
            let centred = Centred::of(&observed, n);
            let four = correlations4(&centred, &side_by_side, &context);
            for (a, c) in alone.iter().zip(four) {
                let ink = a.iter().zip(&context).map(|(a, c)| a + c);
                proptest::prop_assert_eq!(c.to_bits(), correlation_with(&centred, ink).to_bits());
            }
        }

        /// Four centred sides correlated at once give, bit for bit, what each gives alone.
        #[test]
        fn four_centred_sides_correlate_as_one_at_a_time(
            observed in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..255.0], 0..70),
            inks in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(1.0), 0.0f64..1.0], 4 * 70),
        ) {
            let n = observed.len();
            let sides: [Centred; 4] = std::array::from_fn(|j| Centred::of(&inks[70 * j..70 * j + n], n));
            let four = side_by_side(&sides.each_ref().map(|c| &c.values));
            let centred = Centred::of(&observed, n);
            let at_once = correlations_centred4(&centred, &four, &sides.each_ref().map(|c| c.squares));
            for (side, c) in sides.iter().zip(at_once) {
                proptest::prop_assert_eq!(c.to_bits(), correlation_centred(&centred, side).to_bits());
            }
        }

        /// A side centred once and correlated with many gives, bit for bit, what one
        /// pass over both sides gives: sides of one length or not, flat ones too.
        #[test]
        fn a_side_centred_once_correlates_as_in_one_pass(
            observed in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..255.0], 0..70),
            ink in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(1.0), 0.0f64..1.0], 0..70),
        ) {
            let want = one_pass_correlation(&observed, &ink).to_bits();
            proptest::prop_assert_eq!(correlation(&observed, &ink).to_bits(), want);
            let n = observed.len().min(ink.len());
            let centred = Centred::of(&observed, n);
            proptest::prop_assert_eq!(correlation_with(&centred, ink.iter().copied()).to_bits(), want);
            if observed.len() == ink.len() {
                let both = correlation_centred(&centred, &Centred::of(&ink, n));
                proptest::prop_assert_eq!(both.to_bits(), want);
            }
        }
    }
}
