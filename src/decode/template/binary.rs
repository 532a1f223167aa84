//! Reading a thresholded line pixel by pixel: the last resort for a fax or a bilevel scan
//! whose narrow bars thinned to nothing here and a pixel there (faded print), or whose
//! spaces filled in (motion blur), so that neither its edges nor a blurred rendering fit.
//!
//! A thresholded pixel is ink when most of it was: each symbol character, laid on the
//! module grid with its bars thinned (or thickened) by an erosion, predicts exactly which
//! pixels of the line are ink. The grid and the erosion are those under which the start
//! character and the stop pattern (with the quiet zones beyond them) predict the line
//! best; then each character is the pattern that predicts its own pixels best, clearly
//! better than the next, and the check character must hold. A line on which some
//! character is not clear (a stroke across it) still gives the sure characters before and
//! after it, which the votes across lines combine.

use super::{CHARS, MAX_TWINNED, MAX_TWINS, TemplateRead, bars, checked_choice, near_the_best};
use crate::decode::patterns::{PATTERNS, START_A, START_C, STOP};
use crate::locate::min_max;
use wide::f64x4;

/// Erosions tried (bar width lost, modules; negative when ink spread).
const EROSIONS: [f64; 8] = [-0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
/// Stretches of the span tried, pixels: the outer edges are each half a pixel off.
const STRETCHES: [f64; 3] = [-0.5, 0.0, 0.5];
/// Shifts of the grid tried, pixels.
const SHIFTS: [f64; 3] = [-0.3, 0.0, 0.3];
/// Most pixels per module: above it the edge readers see every element.
const MAX_MODULE: f64 = 4.0;
/// Share of the pixels around the start and stop (quiet zones included) that a grid may
/// mispredict for its characters to be read.
const ENDS_SLACK: f64 = 0.1;
/// Share of a character's pixels its pattern may mispredict.
const SLACK: f64 = 0.2;
/// Pixels by which a character's pattern must predict better than the next.
const LEAD: f64 = 0.75;
/// Grids (best first) whose characters are read.
const GRIDS: usize = 3;
/// Edges that specks on a thresholded line may add.
const SPECKS: usize = 6;
/// Modules of quiet zone taken into the fit of the start and the stop.
const QUIET: f64 = 3.0;
/// Pixels above a limit a sum stays within before it is stopped: the limits are worked
/// out in another order than the sums and tests they stand for, each a few roundings off.
const SLACK_ROUNDING: f64 = 1e-6;

/// Each sample's ink on a line's grey `profile`, from 0 (its lightest) to 1 (its darkest);
/// off the page (NaN), paper.
pub(super) fn darkness(profile: &[f64]) -> Vec<f64> {
    let (lo, hi) = min_max(profile);
    profile
        .iter()
        .map(|&v| {
            if v.is_nan() {
                0.0
            } else {
                (hi - v) / (hi - lo).max(1.0)
            }
        })
        .collect()
}

/// The symbol on the run from the edge `from` to the edge `to` of a thresholded line
/// (`dir` = ±1: the profile read forwards or backwards); `dark` is each pixel's ink,
/// from 0 to 1; `edges` is the run's edge count. Bars vanish or merge and specks add a
/// few edges, so the character counts tried are those whose symbols have at most
/// [`SPECKS`] edges fewer than the run and at most a third more. When no grid reads it
/// whole, the read of the grid with most sure characters at its ends, its other positions
/// `unsure` (loose ends, for the votes across lines).
pub(super) fn read(
    dark: &[f64],
    edges: usize,
    from: f64,
    to: f64,
    dir: f64,
) -> Option<TemplateRead> {
    read_with(dark, edges, from, to, dir, true)
}

/// [`read`], with the sums that cannot change it stopped early (`pruned`), or every sum
/// worked out whole (the plain reading the pruned one must equal).
fn read_with(
    dark: &[f64],
    edges: usize,
    from: f64,
    to: f64,
    dir: f64,
    pruned: bool,
) -> Option<TemplateRead> {
    let span = (to - from) * dir;
    // The grids whose characters are read: the [`GRIDS`] best (by share, the first of
    // equals first) of those within [`ENDS_SLACK`]. Pruned, only those are kept as they
    // come, and once there are as many, a grid is followed only while it may beat the last.
    let mut grids: Vec<(f64, Grid, u8)> = Vec::new();
    let fits = |n: usize| 6 * n + 8 + SPECKS >= edges && 3 * (6 * n + 8) <= 4 * edges;
    for n in CHARS.filter(|&n| fits(n)) {
        let modules = (11 * n + 13) as f64;
        for erosion in EROSIONS {
            for stretch in STRETCHES {
                let module = (span + stretch) / (modules - erosion);
                if !(0.9..=MAX_MODULE).contains(&module) {
                    continue;
                }
                for shift in SHIFTS {
                    let grid = Grid {
                        dark,
                        from: from + dir * (shift - 0.5 * erosion * module),
                        dir,
                        module,
                        erosion,
                        n,
                        pruned,
                    };
                    let last = (pruned && grids.len() == GRIDS).then(|| grids[GRIDS - 1].0);
                    let Some((share, start)) = grid.ends(last) else {
                        continue;
                    };
                    if !pruned {
                        grids.push((share, grid, start));
                        continue;
                    }
                    let at = grids.partition_point(|g| g.0 <= share);
                    if at < GRIDS {
                        grids.insert(at, (share, grid, start));
                        grids.truncate(GRIDS);
                    }
                }
            }
        }
    }
    grids.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut partial = None;
    for (_, grid, start) in grids.iter().take(GRIDS).take_while(|g| g.0 <= ENDS_SLACK) {
        let Some(choices) = grid.characters(*start) else {
            continue;
        };
        let read = |codewords: Vec<u8>, unsure: Vec<usize>| TemplateRead {
            codewords,
            start_t: from,
            end_t: to,
            module: grid.module,
            unsure,
        };
        let torn = choices.iter().filter(|c| c.len() != 1).count();
        if torn <= MAX_TWINNED
            && choices.iter().all(|c| !c.is_empty())
            && let Some(codewords) = checked_choice(&choices)
        {
            return Some(read(codewords, Vec::new()));
        }
        // The sure characters of the grid that has most at the ends, for the votes across
        // lines.
        let unsure: Vec<usize> = (0..choices.len())
            .filter(|&k| choices[k].len() != 1)
            .collect();
        let sure = match (unsure.first(), unsure.last()) {
            (Some(&f), Some(&l)) => f + choices.len() - l - 1,
            _ => choices.len(),
        };
        if sure > partial.as_ref().map_or(0, |(n, _)| *n) {
            let codewords = choices
                .iter()
                .map(|c| c.first().copied().unwrap_or(0))
                .collect();
            partial = Some((sure, read(codewords, unsure)));
        }
    }
    partial.map(|(_, read)| read)
}

/// Whether more than half the pixel centred at `u` (half as wide as `half`, modules) lies
/// under the bars from `lo` to `hi`: the bars' covers worked out side by side, summed bar
/// by bar as one at a time would (only a zero's sign may differ, which no test sees).
fn inked(lo: f64x4, hi: f64x4, u: f64, half: f64) -> bool {
    let cover = (f64x4::splat(u + half).fast_min(hi) - f64x4::splat(u - half).fast_max(lo))
        .fast_max(f64x4::ZERO);
    let [c0, c1, c2, c3] = cover.to_array();
    c0 + c1 + c2 + c3 > half
}

/// A module grid and an erosion laid on a line of `n` symbol characters.
struct Grid<'a> {
    dark: &'a [f64],
    /// Line position of module 0's left edge (reading order).
    from: f64,
    /// +1 forwards, −1 backwards.
    dir: f64,
    /// Pixels per module.
    module: f64,
    /// Bar width lost, modules.
    erosion: f64,
    n: usize,
    /// Whether sums that cannot change the reading are stopped early.
    pruned: bool,
}

impl Grid<'_> {
    /// The pixels whose centres lie within `[x0, x1)` modules; `None` when some are off
    /// the line.
    fn pixels(&self, x0: f64, x1: f64) -> Option<std::ops::Range<usize>> {
        let t0 = self.from + self.dir * x0 * self.module;
        let t1 = self.from + self.dir * x1 * self.module;
        let (lo, hi) = if t0 < t1 { (t0, t1) } else { (t1, t0) };
        if lo < 0.0 || hi.ceil() as usize > self.dark.len() {
            return None;
        }
        Some(lo.ceil() as usize..hi.ceil() as usize)
    }

    /// Where the `pixels` lie on the module grid (modules), each with its ink.
    fn window(&self, pixels: std::ops::Range<usize>) -> Vec<(f64, f64)> {
        pixels
            .map(|i| {
                (
                    (i as f64 - self.from) * self.dir / self.module,
                    self.dark[i],
                )
            })
            .collect()
    }

    /// Pixels mispredicted by `bars` (modules, as printed) over the pixels of a
    /// [`Grid::window`] (where each lies, its ink); `None` when more than `limit` are.
    fn mismatch(&self, bars: &[(f64, f64); 4], pixels: &[(f64, f64)], limit: f64) -> Option<f64> {
        let half = 0.5 / self.module;
        let thin = 0.5 * self.erosion;
        let (lo, hi) = (bars.map(|(a, _)| a + thin), bars.map(|(_, b)| b - thin));
        let mut sum = 0.0;
        // The sum only grows: past the limit, it stays past it.
        let mut add = |off: f64| {
            sum += off;
            sum <= limit
        };
        // Four pixels side by side, each pixel's cover of the four bars in turn (summed in
        // the bars' order, as [`inked`] sums them); their mispredictions added in the
        // pixels' order.
        let (fours, rest) = pixels.as_chunks::<4>();
        for four in fours {
            let (u, d) = (f64x4::new(four.map(|p| p.0)), f64x4::new(four.map(|p| p.1)));
            let (right, left) = (u + f64x4::splat(half), u - f64x4::splat(half));
            let cover = |k: usize| {
                (right.fast_min(f64x4::splat(hi[k])) - left.fast_max(f64x4::splat(lo[k])))
                    .fast_max(f64x4::ZERO)
            };
            let covered = cover(0) + cover(1) + cover(2) + cover(3);
            let ink = covered.simd_gt(f64x4::splat(half)) & f64x4::ONE;
            if !(ink - d).abs().to_array().into_iter().all(&mut add) {
                return None;
            }
        }
        let (lo, hi) = (f64x4::new(lo), f64x4::new(hi));
        for &(u, d) in rest {
            let ink = if inked(lo, hi, u, half) { 1.0 } else { 0.0 };
            if !add((ink - d).abs()) {
                return None;
            }
        }
        Some(sum)
    }

    /// The share of the pixels mispredicted around the start and the stop (with their
    /// quiet zones) under the start that fits best, and that start; `None` when that share
    /// is over [`ENDS_SLACK`] (no such grid is read), or the stop alone mispredicts more
    /// than twice that share of its pixels. Pruned, `None` too for some grids whose share is
    /// not below `last`'s, the worst of those kept (none of them would be kept).
    fn ends(&self, last: Option<f64>) -> Option<(f64, u8)> {
        let end = (11 * self.n) as f64;
        let (from, to) = (end, end + 13.0 + QUIET);
        let stop_pixels = self.pixels(from, to)?;
        let start_pixels = self.pixels(-QUIET, 11.0)?;
        let pixels = (stop_pixels.len() + start_pixels.len()).max(1) as f64;
        // Past what the stop and the start together may mispredict, a sum is not followed
        // to its end. `SLACK_ROUNDING` keeps the share's own test the one that decides.
        let most = if self.pruned {
            last.map_or(ENDS_SLACK, |l| l.min(ENDS_SLACK)) * pixels + SLACK_ROUNDING
        } else {
            f64::MAX
        };
        let limit = (2.0 * ENDS_SLACK * (to - from) * self.module).min(most);
        let stop_window = self.window(stop_pixels);
        let stop = self.mismatch(&bars(&STOP, end), &stop_window, limit)?;
        let start_window = self.window(start_pixels);
        // Nor a start's past what fits better than one already tried (the first of equals
        // is kept).
        let mut limit = most - stop;
        let mut best = None;
        for v in START_A..=START_C {
            let bars = bars(&PATTERNS[usize::from(v)], 0.0);
            if let Some(m) = self.mismatch(&bars, &start_window, limit) {
                if best.is_none_or(|(b, _)| m < b) {
                    best = Some((m, v));
                }
                limit = limit.min(m);
            }
        }
        let (start, value) = best?;
        let share = (stop + start) / pixels;
        (share <= ENDS_SLACK || !self.pruned).then_some((share, value))
    }

    /// The symbol characters after `start`: at each position the pattern (followed by the
    /// bar every character starts with) that predicts its pixels best, with the few close
    /// to it for the check character to settle ([`checked_choice`]); none where no
    /// pattern predicts its pixels, or too many do.
    fn characters(&self, start: u8) -> Option<Vec<Vec<u8>>> {
        let mut choices: Vec<Vec<u8>> = vec![vec![start]];
        for k in 1..self.n {
            let x = (11 * k) as f64;
            // Worked out once for all the patterns.
            let window = self.window(self.pixels(x, x + 11.0)?);
            let slack = SLACK * window.len() as f64;
            // A pattern mispredicting more than `LEAD` past the best so far, or past the
            // slack, is neither near the best nor clear: not followed to its end.
            let mut best = f64::MAX;
            let mut fits: Vec<(f64, u8)> = Vec::with_capacity(usize::from(START_A));
            for v in 0..START_A {
                let bars = bars(&PATTERNS[usize::from(v)], x);
                let limit = if self.pruned {
                    best.min(slack) + LEAD + SLACK_ROUNDING
                } else {
                    f64::MAX
                };
                if let Some(m) = self.mismatch(&bars, &window, limit) {
                    best = best.min(m);
                    fits.push((m, v));
                }
            }
            // Mispredicted pixels: the fewest is the best.
            let close = near_the_best(fits, LEAD, |m| m);
            let clear = close
                .first()
                .is_some_and(|f| f.0 <= slack && close.len() <= MAX_TWINS);
            choices.push(if clear {
                close.into_iter().map(|f| f.1).collect()
            } else {
                Vec::new()
            });
        }
        Some(choices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Rng;

    /// The pixels of `codewords` and the stop drawn at `module` pixels per module from
    /// `x0`, each pixel ink when more than `cover` of it is under a bar, on a line of `len`
    /// pixels; with the positions of the first and last edges.
    fn thresholded(
        codewords: &[u8],
        module: f64,
        x0: f64,
        cover: f64,
        len: usize,
    ) -> (Vec<f64>, f64, f64) {
        let mut bars = Vec::new();
        let mut x = x0;
        for pattern in codewords
            .iter()
            .map(|&v| &PATTERNS[usize::from(v)][..])
            .chain([&STOP[..]])
        {
            for (i, &w) in pattern.iter().enumerate() {
                let end = x + f64::from(w) * module;
                if i % 2 == 0 {
                    bars.push((x, end));
                }
                x = end;
            }
        }
        let dark = (0..len)
            .map(|i| {
                let (p0, p1) = (i as f64 - 0.5, i as f64 + 0.5);
                let covered: f64 = bars
                    .iter()
                    .map(|&(a, b)| (p1.min(b) - p0.max(a)).max(0.0))
                    .sum();
                if covered > cover { 1.0 } else { 0.0 }
            })
            .collect::<Vec<f64>>();
        let first = dark.iter().position(|&d| d > 0.0).expect("ink") as f64 - 0.5;
        let last = dark.iter().rposition(|&d| d > 0.0).expect("ink") as f64 + 0.5;
        (dark, first, last)
    }

    fn edge_count(dark: &[f64]) -> usize {
        dark.windows(2).filter(|w| w[0] != w[1]).count()
    }

    #[test]
    fn a_line_whose_thin_bars_vanished_reads_pixel_by_pixel() {
        // START B "10207994970" and its check character, faded so that a pixel is ink
        // only when 85–90 % of it is: one-module bars are one pixel or none.
        let mut cw = vec![104];
        cw.extend("10207994970".bytes().map(|b| b - 32));
        let sum: usize = cw
            .iter()
            .enumerate()
            .map(|(i, &v)| i.max(1) * usize::from(v))
            .sum();
        cw.push((sum % 103) as u8);
        for (module, x0, cover) in [(1.6, 30.6, 0.9), (1.5, 30.3, 0.85)] {
            let (dark, first, last) = thresholded(&cw, module, x0, cover, 320);
            let edges = edge_count(&dark);
            assert!(edges < 6 * cw.len() + 8, "some bars vanished");
            let forwards = read(&dark, edges, first, last, 1.0);
            assert_eq!(forwards.map(|r| r.codewords), Some(cw.clone()));
            // The line run the other way: the same symbol, read backwards.
            let reversed: Vec<f64> = dark.iter().rev().copied().collect();
            let n = dark.len() as f64 - 1.0;
            let backwards = read(&reversed, edges, n - first, n - last, -1.0);
            assert_eq!(backwards.map(|r| r.codewords), Some(cw.clone()));
        }
    }

    proptest::proptest! {
        /// A pixel's cover by four bars at once is the sum of its covers one bar at a time:
        /// pixels across bar edges, centred on them and a pixel off; bars thinned and
        /// spread, whole modules apart as patterns lay them.
        #[test]
        fn four_bars_cover_a_pixel_as_one_at_a_time(
            starts in proptest::collection::vec(0u8..4, 4),
            widths in proptest::collection::vec(1u8..5, 4),
            x in 0.0f64..20.0,
            thin in proptest::prop_oneof![-0.2f64..0.5, proptest::strategy::Just(0.0)],
            module in 0.9f64..4.0,
            edge in 0usize..8,
            off in proptest::prop_oneof![-1.5f64..1.5, proptest::strategy::Just(0.0), proptest::strategy::Just(1.0)],
        ) {
            let mut bars = [(0.0, 0.0); 4];
            let mut at = x;
            for (bar, (&gap, &w)) in bars.iter_mut().zip(starts.iter().zip(&widths)) {
                at += f64::from(gap);
                *bar = (at, at + f64::from(w));
                at += f64::from(w);
            }
            let half = 0.5 / module;
            // A pixel about an edge, or exactly on it, or a pixel's width from it.
            let edges: Vec<f64> = bars.iter().flat_map(|&(a, b)| [a + thin, b - thin]).collect();
            let u = edges[edge] + off * half;
            let one_at_a_time: f64 = bars
                .iter()
                .map(|&(a, b)| ((u + half).min(b - thin) - (u - half).max(a + thin)).max(0.0))
                .sum();
            let lo = f64x4::new(bars.map(|(a, _)| a + thin));
            let hi = f64x4::new(bars.map(|(_, b)| b - thin));
            proptest::prop_assert_eq!(inked(lo, hi, u, half), one_at_a_time > half);
        }

        /// Pixels weighed four at a time mispredict as many as one at a time, bit for bit,
        /// and past the same limits: windows of any length (the last few pixels alone),
        /// pixels on bar edges and anywhere, any ink, bars thinned and spread.
        #[test]
        fn four_pixels_mispredict_as_one_at_a_time(
            starts in proptest::collection::vec(0u8..4, 4),
            widths in proptest::collection::vec(1u8..5, 4),
            pixels in proptest::collection::vec((0.0f64..20.0, 0.0f64..1.0, proptest::bool::ANY), 0..30),
            erosion in proptest::prop_oneof![-0.4f64..1.0, proptest::strategy::Just(0.0)],
            module in 0.9f64..4.0,
            limit in proptest::prop_oneof![0.0f64..12.0, proptest::strategy::Just(f64::MAX)],
        ) {
            let mut bars = [(0.0, 0.0); 4];
            let mut at = 2.0;
            for (bar, (&gap, &w)) in bars.iter_mut().zip(starts.iter().zip(&widths)) {
                at += f64::from(gap);
                *bar = (at, at + f64::from(w));
                at += f64::from(w);
            }
            let thin = 0.5 * erosion;
            let half = 0.5 / module;
            // Some pixels centred on a bar's edge, half in it: covered exactly as much as
            // the test asks.
            let edges: Vec<f64> = bars.iter().flat_map(|&(a, b)| [a + thin, b - thin]).collect();
            let window: Vec<(f64, f64)> = pixels
                .iter()
                .map(|&(u, d, on_edge)| (if on_edge { edges[(u as usize) % 8] } else { u }, d))
                .collect();
            let grid = Grid { dark: &[], from: 0.0, dir: 1.0, module, erosion, n: 1, pruned: true };
            let (lo, hi) = (f64x4::new(bars.map(|(a, _)| a + thin)), f64x4::new(bars.map(|(_, b)| b - thin)));
            let mut sum = 0.0;
            let mut want = Some(0.0);
            for &(u, d) in &window {
                sum += (if inked(lo, hi, u, half) { 1.0 } else { 0.0 } - d).abs();
                want = (sum <= limit).then_some(sum);
                if want.is_none() {
                    break;
                }
            }
            let got = grid.mismatch(&bars, &window, limit);
            proptest::prop_assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits));
        }

        /// Stopping the sums that cannot change the reading changes nothing: on lines of a
        /// random symbol, faded or spread, shifted, with pixels flipped and strokes across
        /// (reads whole, in part and none), the pruned reading is the plain one.
        #[test]
        fn pruned_sums_read_as_whole_ones(
            data in proptest::collection::vec(0u8..100, 1..12),
            module in 1.2f64..3.2,
            x0 in 20.0f64..24.0,
            cover in 0.3f64..0.92,
            flips in proptest::collection::vec((0usize..400, 0.0f64..1.0), 0..24),
            stroke in proptest::option::of((0usize..360, 1usize..30)),
        ) {
            let mut cw = vec![104];
            cw.extend(&data);
            let sum: usize = cw.iter().enumerate().map(|(i, &v)| i.max(1) * usize::from(v)).sum();
            cw.push((sum % 103) as u8);
            let (mut dark, first, last) = thresholded(&cw, module, x0, cover, 400);
            for (i, v) in flips {
                dark[i] = v;
            }
            if let Some((at, len)) = stroke {
                dark[at..(at + len).min(400)].fill(1.0);
            }
            let edges = edge_count(&dark);
            for (from, to, dir) in [(first, last, 1.0), (last, first, -1.0)] {
                proptest::prop_assert_eq!(
                    read_with(&dark, edges, from, to, dir, true),
                    read_with(&dark, edges, from, to, dir, false)
                );
            }
        }
    }

    /// Random bars never read as a symbol: at most as loose ends, some position unsure.
    #[test]
    fn random_bars_read_no_symbol() {
        let mut rng = Rng::new(7);
        for _ in 0..300 {
            let mut dark = vec![0.0; 20];
            let mut ink = 1.0;
            while dark.len() < 280 {
                for _ in 0..1 + rng.below(4) {
                    dark.push(ink);
                }
                ink = 1.0 - ink;
            }
            dark.extend([0.0; 20]);
            let first = dark.iter().position(|&d| d > 0.0).expect("ink") as f64 - 0.5;
            let last = dark.iter().rposition(|&d| d > 0.0).expect("ink") as f64 + 0.5;
            let edges = edge_count(&dark);
            let read = read(&dark, edges, first, last, 1.0);
            assert!(
                read.as_ref().is_none_or(|r| !r.unsure.is_empty()),
                "{read:?}"
            );
        }
    }
}
