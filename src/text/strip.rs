//! Rectified strips above and below a symbol, their ink, and the text line nearest the bars.
//!
//! The strip is sampled in the symbol's own frame (millimetres along the bars' axis and
//! down the bars, through the homography taking the symbol's rectangle to its quad), so
//! rotation, skew and perspective are undone before any glyph is looked at.

use std::cell::RefCell;
use std::collections::HashMap;
use std::thread::LocalKey;

use image::GrayImage;
use wide::{f32x8, f64x4};

use crate::decode::Symbol;
use crate::locate::{Interior, sample};
use crate::synth::geometry::Homography;

/// Ink sampled on a grid (in the symbol's frame, or a template's canvas).
pub(crate) struct Strip {
    pub(crate) w: usize,
    pub(crate) h: usize,
    /// Ink, 0 (paper) to 255 (black), row-major.
    pub(crate) ink: Vec<f32>,
    /// Where pixel (0, 0)'s corner lies in the frame (mm), and pixels per mm.
    pub(crate) origin_mm: [f64; 2],
    pub(crate) per_mm: f64,
}

impl Strip {
    pub(crate) fn at(&self, x: usize, y: usize) -> f32 {
        self.ink[y * self.w + x]
    }

    /// The rows of `ys`, from the first to the last, on which columns `xs` hold ink above
    /// `level` (`None` without any).
    pub(crate) fn ink_rows(
        &self,
        xs: std::ops::Range<usize>,
        ys: std::ops::Range<usize>,
        level: f32,
    ) -> Option<std::ops::Range<usize>> {
        let inked = |y: &usize| xs.clone().any(|x| self.at(x, *y) > level);
        let first = ys.clone().find(inked)?;
        let last = ys.rev().find(inked)?;
        Some(first..last + 1)
    }

    /// The strip with the ink off `rows` taken away: a mark running through a line of
    /// text from above or below leaves only its piece across the line.
    pub(crate) fn band(&self, rows: std::ops::Range<usize>) -> Strip {
        let mut band = Strip {
            ink: self.ink.clone(),
            ..*self
        };
        for (y, row) in band.ink.chunks_exact_mut(self.w).enumerate() {
            if !rows.contains(&y) {
                row.fill(0.0);
            }
        }
        band
    }

    /// The strip with its [`Levels`] when its darkest ink stands out from its paper by more
    /// than [`MIN_CONTRAST`], for the views that take ink away; `None` for a strip without
    /// ink worth the name.
    pub(crate) fn inked(&self) -> Option<Inked<'_>> {
        let levels = levels(self).filter(|l| l.darkest - l.paper > MIN_CONTRAST)?;
        Some(Inked {
            strip: self,
            levels,
        })
    }

    /// The strip smoothed by a 3 × 3 binomial kernel: the specks that a thresholded scan
    /// makes of small letters' strokes run together again (edges count their own pixel
    /// for the missing neighbours).
    pub(crate) fn smoothed(&self) -> Strip {
        let (w, h) = (self.w, self.h);
        let mut rows = vec![0.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let at = |dx: isize| self.at(x.saturating_add_signed(dx).min(w - 1), y);
                rows[y * w + x] = 0.25 * at(-1) + 0.5 * at(0) + 0.25 * at(1);
            }
        }
        let mut ink = vec![0.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let at = |dy: isize| rows[y.saturating_add_signed(dy).min(h - 1) * w + x];
                ink[y * w + x] = 0.25 * at(-1) + 0.5 * at(0) + 0.25 * at(1);
            }
        }
        Strip { ink, ..*self }
    }

    /// A strip whose darkest ink stands out from its paper too little for any threshold
    /// ([`MIN_CONTRAST`]) but more than [`FAINT_CONTRAST`] (a small legend printed pale on
    /// a faded page), its ink taken that much further from the paper that its darkest
    /// stands out by [`DEEPENED_CONTRAST`]; `None` for any other strip.
    pub(crate) fn deepened(&self) -> Option<Strip> {
        let Levels { paper, darkest, .. } = levels(self)?;
        let contrast = darkest - paper;
        if contrast <= FAINT_CONTRAST || contrast > MIN_CONTRAST {
            return None;
        }
        let gain = DEEPENED_CONTRAST / contrast;
        let ink = self
            .ink
            .iter()
            .map(|&v| (paper + (v - paper) * gain).clamp(0.0, 255.0))
            .collect();
        Some(Strip { ink, ..*self })
    }

    /// The strip as a grey image (paper white).
    pub(crate) fn to_image(&self) -> GrayImage {
        self.crop_image(
            &Blob {
                x0: 0,
                y0: 0,
                x1: self.w,
                y1: self.h,
                area: 0,
            },
            0,
        )
    }

    /// The box `b` grown by `margin` (within the strip) as a grey image (paper white).
    pub(crate) fn crop_image(&self, b: &Blob, margin: usize) -> GrayImage {
        let (x0, y0) = (b.x0.saturating_sub(margin), b.y0.saturating_sub(margin));
        let (x1, y1) = ((b.x1 + margin).min(self.w), (b.y1 + margin).min(self.h));
        GrayImage::from_fn((x1 - x0) as u32, (y1 - y0) as u32, |x, y| {
            let v = self.at(x0 + x as usize, y0 + y as usize);
            image::Luma([(255.0 - v).clamp(0.0, 255.0) as u8])
        })
    }
}

/// A strip whose ink stands out from its paper ([`Strip::inked`]), with its [`Levels`]
/// worked out once for all the views made of it.
pub(crate) struct Inked<'a> {
    pub(crate) strip: &'a Strip,
    levels: Levels,
}

impl Inked<'_> {
    /// The strip with grey ink (a stamp, a fold's shadow) taken away ([`Inked::clipped_at`]
    /// [`GREY_FLOOR`]).
    pub(crate) fn clipped(&self) -> Strip {
        self.clipped_at(GREY_FLOOR)
    }

    /// The strip with ink lighter than `share` of the way from paper to the darkest ink
    /// taken away (made paper) and the rest stretched back to full range.
    pub(crate) fn clipped_at(&self, share: f32) -> Strip {
        let Levels { paper, darkest, .. } = self.levels;
        let floor = paper + share * (darkest - paper);
        let gain = 255.0 / (255.0 - floor).max(1.0);
        Strip {
            ink: self
                .strip
                .ink
                .iter()
                .map(|&v| ((v - floor).max(0.0) * gain).min(255.0))
                .collect(),
            ..*self.strip
        }
    }

    /// The strip with only the ink at and around its darkest strokes: ink above a faint
    /// level is kept where it lies within `reach` pixels of ink near the darkest, and the
    /// rest becomes paper. Black print keeps its strokes whole, edges and all, while a grey
    /// stamp's letters touching it keep only their pixels next to it; a small or blurred
    /// digit whose thin strokes a dark threshold breaks is whole again.
    pub(crate) fn cored(&self, reach: usize) -> Strip {
        let Levels {
            paper,
            ink,
            darkest,
        } = self.levels;
        let strip = self.strip;
        let faint = paper + CORE_FAINT * (ink - paper);
        let dark = paper + CORE_DARK * (darkest - paper);
        let (w, h) = (strip.w, strip.h);
        // Dark ink within `reach` along the row, then within `reach` of that across rows:
        // counted over each window as it slides.
        let mut along = vec![false; w * h];
        for (row, out) in strip.ink.chunks_exact(w).zip(along.chunks_exact_mut(w)) {
            let is_dark = |x: usize| usize::from(row[x] > dark);
            let mut count: usize = (0..reach.min(w)).map(is_dark).sum();
            for (x, out) in out.iter_mut().enumerate() {
                if x + reach < w {
                    count += is_dark(x + reach);
                }
                if x > reach {
                    count -= is_dark(x - reach - 1);
                }
                *out = count > 0;
            }
        }
        let row = |y: usize| &along[y * w..][..w];
        let mut near = vec![0isize; w];
        // Adds row `y` of `along` to the columns' counts (`by` 1), or takes it off (−1).
        let tally = |near: &mut [isize], y: usize, by: isize| {
            for (n, &a) in near.iter_mut().zip(row(y)) {
                *n += by * isize::from(a);
            }
        };
        (0..reach.min(h)).for_each(|y| tally(&mut near, y, 1));
        let mut ink = vec![paper; w * h];
        for y in 0..h {
            if y + reach < h {
                tally(&mut near, y + reach, 1);
            }
            if y > reach {
                tally(&mut near, y - reach - 1, -1);
            }
            let (from, to) = (&strip.ink[y * w..][..w], &mut ink[y * w..][..w]);
            for ((out, &v), &n) in to.iter_mut().zip(from).zip(&near) {
                if n > 0 && v > faint {
                    *out = v;
                }
            }
        }
        Strip { ink, ..*strip }
    }

    /// The strip with its vertical rules (a stamp frame's side, a table's line) taken away:
    /// ink that runs down one column, unbroken, longer than `long_mm` (more than any
    /// character is high) is a rule; where it is at most `wide_mm` wide, each of its rows
    /// takes the fainter of the ink on its two sides (a digit's stroke across the rule
    /// runs on through it), and where wider, paper. `None` when the strip has no rule.
    pub(crate) fn unruled(&self, long_mm: f64, wide_mm: f64) -> Option<Strip> {
        self.without_lines(&[90.0], long_mm, wide_mm, f32::min)
    }

    /// The strip with the straight pen strokes of a signature across it taken away, as
    /// [`Inked::unruled`] takes rules: ink running straight, unbroken, longer than
    /// `long_mm`, at an angle well off the line of text and off the vertical (a
    /// character has no straight stroke as long there).
    pub(crate) fn unstroked(&self, long_mm: f64, wide_mm: f64) -> Option<Strip> {
        self.without_lines(&STROKE_ANGLES, long_mm, wide_mm, f32::min)
    }

    /// The strip with long straight lines along the line of text taken away (a fold, a
    /// stamp frame's edge touching the digits' tops): ink running straight, unbroken,
    /// longer than `long_mm` within a few degrees of the line (longer than two digits:
    /// the characters of a line stand apart).
    pub(crate) fn unlined(&self, long_mm: f64, wide_mm: f64) -> Option<Strip> {
        self.without_lines(&LEVEL_ANGLES, long_mm, wide_mm, f32::min)
    }

    /// The strip with long straight lines along the line of text taken away as
    /// [`Inked::unlined`] takes them, but a character that stands on one (or hangs from
    /// it) runs on through it: a stamp frame's black top edge under a fax's "FINESS"
    /// (seed 283 0196) holds the letters' feet, and taken away with them it left letters
    /// a fifth short, too short to be matched.
    pub(crate) fn unlined_standing(&self, long_mm: f64, wide_mm: f64) -> Option<Strip> {
        self.without_lines(&LEVEL_ANGLES, long_mm, wide_mm, f32::max)
    }

    /// The strip with the ink that runs straight and unbroken longer than `long_mm` at
    /// one of `angles` (degrees from the line of text, 90 down the strip) taken away,
    /// each run of it across the lines filled from its two ends where it is at most
    /// `wide_mm` long: along the rows, or down the columns when every angle is within 30°
    /// of the line of text (a run along a row of such a line is as long as the line, and
    /// a digit's stem through it was cut in two). A run is filled with `fill` of the ink
    /// at its two ends: the fainter (a stroke across the line runs on, a character
    /// beside it ends at it), or the darker (a character on either side runs on).
    fn without_lines(
        &self,
        angles: &[f64],
        long_mm: f64,
        wide_mm: f64,
        fill: fn(f32, f32) -> f32,
    ) -> Option<Strip> {
        let down = angles.iter().all(|a| a.to_radians().sin().abs() < 0.5);
        let Levels { paper, ink, .. } = self.levels;
        let strip = self.strip;
        let level = paper + 0.5 * (ink - paper);
        let (w, h) = (strip.w, strip.h);
        let long = (long_mm * strip.per_mm).ceil() as usize;
        let wide = (wide_mm * strip.per_mm).round().max(1.0) as usize;
        let inked: Vec<bool> = strip.ink.iter().map(|&v| v > level).collect();
        let mut line = vec![false; w * h];
        // A line takes ink at as many rows (columns) in a row as it has steps down them
        // (along them): none is looked for where no such rows (columns) have any.
        let inked_rows = longest_run(h, |y| inked[y * w..(y + 1) * w].contains(&true));
        let mut column_inked = vec![false; w];
        for row in inked.chunks_exact(w) {
            column_inked.iter_mut().zip(row).for_each(|(c, &i)| *c |= i);
        }
        let inked_columns = longest_run(w, |x| column_inked[x]);
        let mut any = false;
        for &angle in angles {
            let (sin, cos) = angle.to_radians().sin_cos();
            // Steep lines are followed row by row, shallow ones column by column.
            any |= if sin.abs() >= cos.abs() {
                mark_runs(&inked, [w, h], true, cos / sin, long, inked_rows, &mut line)
            } else {
                mark_runs(
                    &inked,
                    [h, w],
                    false,
                    sin / cos,
                    long,
                    inked_columns,
                    &mut line,
                )
            };
        }
        if !any {
            return None;
        }
        // With the line's inked edge pixels along each row (no one run of samples follows
        // a line's edge all the way): a row of it then may be two pixels wider. (Not down
        // the columns for a line along the strip: the feet of digits standing on it went.)
        let core = line.clone();
        for ((row, core), inked) in line
            .chunks_exact_mut(w)
            .zip(core.chunks_exact(w))
            .zip(inked.chunks_exact(w))
        {
            for x in 0..w {
                let beside = (x > 0 && core[x - 1]) || (x + 1 < w && core[x + 1]);
                row[x] |= beside && inked[x];
            }
        }
        // Across the lines: lanes (rows, or columns for lines along the strip) of `len`
        // pixels each; the pixel `k` of lane `lane`.
        let (lanes, len) = if down { (w, h) } else { (h, w) };
        let at = |lane: usize, k: usize| if down { k * w + lane } else { lane * w + k };
        let mut out = Strip {
            ink: strip.ink.clone(),
            ..*strip
        };
        for lane in 0..lanes {
            let mut k = 0;
            while k < len {
                if !line[at(lane, k)] {
                    k += 1;
                    continue;
                }
                let a = k;
                while k < len && line[at(lane, k)] {
                    k += 1;
                }
                let through = if k - a <= wide + 2 && a > 0 && k < len {
                    fill(strip.ink[at(lane, a - 1)], strip.ink[at(lane, k)])
                } else {
                    paper
                };
                (a..k).for_each(|j| out.ink[at(lane, j)] = through.max(paper));
            }
        }
        Some(out)
    }

    /// Ink thresholds to try on the strip, most likely first ([`thresholds`]).
    pub(crate) fn thresholds(&self) -> Vec<f32> {
        let Levels {
            paper,
            ink,
            darkest,
        } = self.levels;
        let mut out: Vec<f32> = Vec::with_capacity(4);
        for (top, at) in [(ink, 0.5), (darkest, 0.5), (darkest, 0.75), (ink, 0.3)] {
            let level = paper + at * (top - paper);
            if top - paper > MIN_CONTRAST && out.iter().all(|&l| (l - level).abs() > 12.0) {
                out.push(level);
            }
        }
        out
    }
}

/// The symbol's frame: millimetres → page pixels.
pub(crate) struct Frame {
    to_page: Homography,
    /// Symbol length and bar height, mm.
    pub(crate) length_mm: f64,
    pub(crate) height_mm: f64,
}

impl Frame {
    pub(crate) fn new(symbol: &Symbol, dpi: f64) -> Option<Frame> {
        let per_mm = dpi / 25.4;
        let q = symbol.quad;
        let d = crate::decode::distance;
        let length_mm = (d(q[0], q[1]) + d(q[3], q[2])) / 2.0 / per_mm;
        let height_mm = (d(q[1], q[2]) + d(q[0], q[3])) / 2.0 / per_mm;
        if !(length_mm > 1.0 && height_mm > 0.5) {
            return None;
        }
        let rect = [
            [0.0, 0.0],
            [length_mm, 0.0],
            [length_mm, height_mm],
            [0.0, height_mm],
        ];
        let to_page = Homography::from_quads(rect, q)?;
        Some(Frame {
            to_page,
            length_mm,
            height_mm,
        })
    }

    /// Whether the point `mm` of the frame lies on the page `image` (samples off it repeat
    /// the page's edge).
    pub(crate) fn on_page(&self, image: &GrayImage, mm: [f64; 2]) -> bool {
        let p = self.to_page.apply(mm);
        (0.0..f64::from(image.width())).contains(&p[0])
            && (0.0..f64::from(image.height())).contains(&p[1])
    }

    /// Samples the frame rectangle `x_mm` × `y_mm` at `per_mm` samples per mm.
    pub(crate) fn strip(
        &self,
        image: &GrayImage,
        x_mm: [f64; 2],
        y_mm: [f64; 2],
        per_mm: f64,
    ) -> Strip {
        let w = ((x_mm[1] - x_mm[0]) * per_mm).ceil().max(1.0) as usize;
        let h = ((y_mm[1] - y_mm[0]) * per_mm).ceil().max(1.0) as usize;
        let mut ink = Vec::with_capacity(w * h);
        let m = &self.to_page.0;
        let step = 1.0 / per_mm;
        // Homogeneous page coordinates are linear along a row: step them.
        let (dx, dy, dw) = (m[0] * step, m[3] * step, m[6] * step);
        let inside = Interior::new(image);
        for j in 0..h {
            let y = y_mm[0] + (j as f64 + 0.5) * step;
            let x = x_mm[0] + 0.5 * step;
            let mut px = m[0] * x + m[1] * y + m[2];
            let mut py = m[3] * x + m[4] * y + m[5];
            let mut pw = m[6] * x + m[7] * y + m[8];
            // A row whose ends lie a pixel inside the page's interior lies in it (a
            // straight line on the page), whatever the stepping's rounding, when its
            // homogeneous weight keeps its sign between them: where the weight passes
            // through 0 (a frame from a quad far from a rectangle), the row runs off to
            // infinity and back.
            // So does a run of samples whose ends do: a row running off the page is
            // sampled through the interior four at a time as far as it lies in it.
            let inside_from = |[px, py, pw]: [f64; 3], n: usize| {
                let last = (n - 1) as f64;
                let end = |k: f64| {
                    let (qx, qy, qw) = (px + dx * k, py + dy * k, pw + dw * k);
                    [qx / qw - 0.5, qy / qw - 0.5]
                };
                let slack = |p: [f64; 2], d: f64| [p[0] + d, p[1] + d];
                pw * (pw + dw * last) > 0.0
                    && [end(0.0), end(last)]
                        .iter()
                        .all(|&p| inside.holds(slack(p, -1.0)) && inside.holds(slack(p, 1.0)))
            };
            let fast = inside_from([px, py, pw], w);
            // One sample with bounds (the same value as through the interior, bit for bit).
            let one = |[px, py, pw]: [f64; 3]| {
                let inv = 1.0 / pw;
                (255.0 - sample(image, px * inv - 0.5, py * inv - 0.5)) as f32
            };
            let mut done = 0;
            while done + 4 <= w {
                let mut p = [px, py, pw];
                if fast || inside_from(p, 4) {
                    ink.extend(four_samples(&inside, &mut p, [dx, dy, dw]));
                } else {
                    for _ in 0..4 {
                        ink.push(one(p));
                        p = [p[0] + dx, p[1] + dy, p[2] + dw];
                    }
                }
                [px, py, pw] = p;
                done += 4;
            }
            for _ in done..w {
                ink.push(one([px, py, pw]));
                [px, py, pw] = [px + dx, py + dy, pw + dw];
            }
        }
        Strip {
            w,
            h,
            ink,
            origin_mm: [x_mm[0], y_mm[0]],
            per_mm,
        }
    }

    /// The page-pixel corners of `b`, a box of `strip` (taken from this frame), clockwise
    /// from its top left.
    pub(crate) fn page_quad(&self, strip: &Strip, b: &Blob) -> [[f64; 2]; 4] {
        let mm = |x: usize, y: usize| {
            [
                strip.origin_mm[0] + x as f64 / strip.per_mm,
                strip.origin_mm[1] + y as f64 / strip.per_mm,
            ]
        };
        [
            mm(b.x0, b.y0),
            mm(b.x1, b.y0),
            mm(b.x1, b.y1),
            mm(b.x0, b.y1),
        ]
        .map(|p| self.to_page.apply(p))
    }
}

/// A connected blob of ink: bounding box (end exclusive) and pixel count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Blob {
    pub(crate) x0: usize,
    pub(crate) y0: usize,
    pub(crate) x1: usize,
    pub(crate) y1: usize,
    pub(crate) area: usize,
}

impl Blob {
    pub(crate) fn w(&self) -> usize {
        self.x1 - self.x0
    }
    pub(crate) fn h(&self) -> usize {
        self.y1 - self.y0
    }
    pub(crate) fn union(&self, o: &Blob) -> Blob {
        Blob {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
            area: self.area + o.area,
        }
    }
}

/// Marks in `line` the pixels of every run of `inked` (row-major) at least `long` pixels
/// long along a straight line that moves `slope` pixels across for each step, the steps
/// going down the rows when `rows` (`dims` = `[width, height]`) and else along them
/// (`dims` = `[height, width]`); whether there was one. `inked_steps` is the most steps
/// in a row that have any ink: a shorter run than that is all there can be.
fn mark_runs(
    inked: &[bool],
    dims: [usize; 2],
    rows: bool,
    slope: f64,
    long: usize,
    inked_steps: usize,
    line: &mut [bool],
) -> bool {
    let [across, steps] = dims;
    let index = |a: usize, s: usize| if rows { s * across + a } else { a * steps + s };
    let need = ((long as f64 / (1.0 + slope * slope).sqrt()).ceil() as usize).max(1);
    if need > inked_steps {
        return false;
    }
    let shift: Vec<isize> = (0..steps)
        .map(|s| (s as f64 * slope).round() as isize)
        .collect();
    let lo = shift.iter().copied().min().unwrap_or(0);
    let hi = shift.iter().copied().max().unwrap_or(0);
    let at = |lane: isize, s: usize| index((lane + shift[s]) as usize, s);
    let wide = across as isize;
    let mut any = false;
    for lane in -hi..wide - lo {
        // The steps at which the line is inside (the shifts run one way).
        let (s0, s1) = if slope >= 0.0 {
            (
                shift.partition_point(|&v| lane + v < 0),
                shift.partition_point(|&v| lane + v < wide),
            )
        } else {
            (
                shift.partition_point(|&v| lane + v >= wide),
                shift.partition_point(|&v| lane + v >= 0),
            )
        };
        // A run `need` steps long has ink at the step `need - 1` after any step it
        // starts at or after: from a step after one without ink only that step is
        // looked at, and the run about it is followed only when it has ink.
        let inked_at = |s: usize| inked[at(lane, s)];
        let mut s = s0;
        while s + need <= s1 {
            let probe = s + need - 1;
            if !inked_at(probe) {
                s = probe + 1;
                continue;
            }
            let mut start = probe;
            while start > s && inked_at(start - 1) {
                start -= 1;
            }
            let mut end = probe + 1;
            while end < s1 && inked_at(end) {
                end += 1;
            }
            if end - start >= need {
                any = true;
                (start..end).for_each(|k| line[at(lane, k)] = true);
            }
            s = end + 1;
        }
    }
    any
}

/// The most consecutive indices below `n` that `has`.
fn longest_run(n: usize, has: impl Fn(usize) -> bool) -> usize {
    let (mut run, mut most) = (0, 0);
    for i in 0..n {
        run = if has(i) { run + 1 } else { 0 };
        most = most.max(run);
    }
    most
}

/// Angles (degrees from the line of text) at which [`Inked::unlined`] looks for a line
/// along the text.
const LEVEL_ANGLES: [f64; 7] = [0.0, 3.0, 6.0, 9.0, 171.0, 174.0, 177.0];

/// Angles (degrees from the line of text) at which [`Inked::unstroked`] looks for a pen's
/// straight strokes: well off the line of text (a row of digits is long that way) and off
/// the vertical (rules; a tall digit's stem). From 15°: with 15° and 165° added to the
/// angles from 20°, twelve HRIs more over 22 corpora read as printed (a signature's
/// flat stroke through the digits; 269 0226's misprint caught), two read unsure.
const STROKE_ANGLES: [f64; 14] = [
    15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 110.0, 120.0, 130.0, 140.0, 150.0, 160.0, 165.0,
];

/// Least difference between paper and ink for a threshold (faded print on grey paper
/// comes down to about 40).
const MIN_CONTRAST: f32 = 30.0;

/// Least difference between paper and ink for [`Strip::deepened`] (a pale legend on a
/// faded page comes down to about 28), and the difference it deepens it to.
const FAINT_CONTRAST: f32 = 20.0;
const DEEPENED_CONTRAST: f32 = 60.0;

/// Ink thresholds to try on a strip, most likely first, or none when the strip holds no
/// ink worth the name. The first is midway between paper and the darkest 0.5 % of the
/// strip; when the text is sparse (a short legend on a wide strip) that "darkest" is still
/// paper or a bar's edge, so the darkest 0.05 % gives the second; the third sits nearer
/// the darkest ink, dropping a grey stamp or fold shadow that crosses black print; the
/// last sits nearer the paper, joining thin or faded strokes that the others break.
pub(crate) fn thresholds(strip: &Strip) -> Vec<f32> {
    strip
        .inked()
        .map_or_else(Vec::new, |inked| inked.thresholds())
}

/// Shares of the way from paper to the strip's ink, and to its darkest ink, of the faint
/// ink [`Inked::cored`] keeps near ink past the dark level.
const CORE_FAINT: f32 = 0.3;
const CORE_DARK: f32 = 0.75;

/// Share of the way from paper to the darkest ink below which [`Inked::clipped`] drops ink.
const GREY_FLOOR: f32 = 0.4;

/// A strip's paper (its median), its ink (the darkest 0.5 %) and its darkest ink (the
/// darkest 0.05 %).
#[derive(Clone, Copy)]
struct Levels {
    paper: f32,
    ink: f32,
    darkest: f32,
}

fn levels(strip: &Strip) -> Option<Levels> {
    let n = strip.ink.len();
    if n < 16 {
        return None;
    }
    // Quantiles from a histogram of whole ink levels (one pass, no sort), counted in four
    // parts: most samples are paper of one level, and one count bumped sample after
    // sample waits on itself.
    let mut parts = [[0u32; 256]; 4];
    let bin = |v: f32| usize::from(v.clamp(0.0, 255.0) as u8);
    let fours = strip.ink.chunks_exact(4);
    for &v in fours.remainder() {
        parts[0][bin(v)] += 1;
    }
    for four in fours {
        for (part, &v) in parts.iter_mut().zip(four) {
            part[bin(v)] += 1;
        }
    }
    let histogram: [usize; 256] =
        std::array::from_fn(|i| parts.iter().map(|p| p[i] as usize).sum());
    let quantile = |rank: usize| {
        let mut seen = 0;
        let level = histogram.iter().position(|&c| {
            seen += c;
            seen > rank
        });
        level.unwrap_or(255) as f32 + 0.5
    };
    Some(Levels {
        paper: quantile(n / 2),
        ink: quantile(n - 1 - n / 200),
        darkest: quantile(n - 1 - n / 2000),
    })
}

/// Eight-connected blobs of ink above `level`, in the order of their first pixel (row by
/// row, left to right).
pub(crate) fn blobs(strip: &Strip, level: f32) -> Vec<Blob> {
    // Runs of ink row by row, numbered in that order; a run joins every run of the row
    // above it touches (diagonals too), and each blob is named by its first run.
    // (Not ink is at most `level`: a sample that is no number is ink, as no level clears it.)
    let paper = |v: f32| v <= level;
    let eight_levels = f32x8::splat(level);
    let mut runs: Vec<Blob> = Vec::new();
    let mut first: Vec<usize> = Vec::new();
    let mut above = 0..0;
    for (y, row) in strip
        .ink
        .chunks_exact(strip.w.max(1))
        .take(strip.h)
        .enumerate()
    {
        let start = runs.len();
        let mut cursor = above.start;
        let mut x = 0;
        while x < row.len() {
            // Paper, eight samples at a time where it can be.
            if let Some(&eight) = row.get(x..).and_then(|r| r.first_chunk::<8>())
                && f32x8::new(eight).simd_le(eight_levels).all()
            {
                x += 8;
                continue;
            }
            if paper(row[x]) {
                x += 1;
                continue;
            }
            let x0 = x;
            while x < row.len() && !paper(row[x]) {
                x += 1;
            }
            let id = runs.len();
            runs.push(Blob {
                x0,
                y0: y,
                x1: x,
                y1: y + 1,
                area: x - x0,
            });
            first.push(id);
            // Runs above that end before this one's left diagonal touch no later run.
            while cursor < above.end && runs[cursor].x1 < x0 {
                cursor += 1;
            }
            let mut j = cursor;
            while j < above.end && runs[j].x0 <= x {
                join(&mut first, id, j);
                j += 1;
            }
        }
        above = start..runs.len();
    }
    // A blob's first run comes before its others: it makes the blob, they grow it.
    let mut out: Vec<Blob> = Vec::new();
    let mut slot = vec![0; runs.len()];
    for (id, run) in runs.iter().enumerate() {
        let root = find(&mut first, id);
        if root == id {
            slot[id] = out.len();
            out.push(*run);
        } else {
            let b = &mut out[slot[root]];
            *b = b.union(run);
        }
    }
    out
}

/// The first run of the blob run `i` belongs to (halving the path on the way).
fn find(first: &mut [usize], mut i: usize) -> usize {
    while first[i] != i {
        first[i] = first[first[i]];
        i = first[i];
    }
    i
}

/// Puts runs `a` and `b` in one blob, named by the earlier first run.
fn join(first: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(first, a), find(first, b));
    let (keep, other) = (ra.min(rb), ra.max(rb));
    first[other] = keep;
}

/// A line of text found in a strip.
#[derive(Clone, Debug)]
pub(crate) struct TextLine {
    /// Bounding box of everything on the line (dots and marks included).
    pub(crate) bbox: Blob,
    /// The full-height blobs, left to right.
    pub(crate) tall: Vec<Blob>,
    /// Height of the capitals (or digits), strip pixels.
    pub(crate) cap_px: f64,
    /// Whether a mark runs through the line's band beside or between its characters
    /// ([`crossed`]): the line may go on beyond it, or have lost characters to it.
    /// Looked for in lines above the bars (legends) only.
    pub(crate) crossed: bool,
}

impl TextLine {
    /// The line's box cut to the rows its characters share (one row either way: the
    /// median top and foot of its full-height blobs), without the ink joined to one of
    /// them that stands out above or below.
    pub(crate) fn letters_box(&self) -> Blob {
        let rows = |row: fn(&Blob) -> usize| super::median(self.tall.iter().map(row));
        let (Some(top), Some(foot)) = (rows(|b| b.y0), rows(|b| b.y1)) else {
            return self.bbox;
        };
        Blob {
            y0: self.bbox.y0.max(top.saturating_sub(1)),
            y1: self.bbox.y1.min(foot + 1),
            ..self.bbox
        }
    }
}

/// Where to look for a line in a strip (all in strip pixels).
pub(crate) struct Search {
    /// The symbol's extent along its axis.
    pub(crate) span: [f64; 2],
    /// Whether the bars are at the strip's bottom (legend) rather than its top (HRI).
    pub(crate) bars_below: bool,
    /// Smallest and largest cap height accepted.
    pub(crate) cap: [f64; 2],
    /// Farthest a line's near edge may be from the bars.
    pub(crate) reach: f64,
}

/// The line of text nearest the bars that overlaps the symbol's extent, in the `blobs`
/// of ink above `level`.
pub(crate) fn nearest_line(
    strip: &Strip,
    blobs: &[Blob],
    level: f32,
    s: &Search,
) -> Option<TextLine> {
    let dist = |b: &Blob| {
        if s.bars_below {
            (strip.h - b.y1) as f64
        } else {
            b.y0 as f64
        }
    };
    let touches_bars = |b: &Blob| {
        if s.bars_below {
            b.y1 >= strip.h
        } else {
            b.y0 == 0
        }
    };
    let tall: Vec<&Blob> = blobs
        .iter()
        .filter(|b| {
            let h = b.h() as f64;
            h >= s.cap[0] && h <= s.cap[1] * 1.3 && (b.w() as f64) < s.cap[1] * 12.0
        })
        .filter(|b| !touches_bars(b) && dist(b) <= s.reach)
        .collect();
    let overlaps_span = |b: &Blob| (b.x1 as f64) > s.span[0] && (b.x0 as f64) < s.span[1];
    let seed = tall
        .iter()
        .filter(|b| overlaps_span(b))
        .min_by(|a, b| dist(a).total_cmp(&dist(b)))?;
    // The band: blobs sharing most of the seed's rows.
    let in_band = |b: &Blob, band: &Blob| {
        let top = b.y0.max(band.y0);
        let bottom = b.y1.min(band.y1);
        bottom > top && (bottom - top) as f64 >= 0.5 * b.h().min(band.h()) as f64
    };
    let mut members: Vec<Blob> = tall
        .iter()
        .filter(|b| in_band(b, seed))
        .map(|b| **b)
        .collect();
    members.sort_by_key(|b| b.x0);
    let cap_px = {
        let mut hs: Vec<usize> = members.iter().map(Blob::h).collect();
        hs.sort_unstable();
        let top = *hs.last()? as f64;
        let big: Vec<usize> = hs.into_iter().filter(|&h| h as f64 >= 0.75 * top).collect();
        big[big.len() / 2] as f64
    };
    // Chain outwards from the seed while the gaps stay word-sized (a monospaced "N° R"
    // leaves nearly two capitals' width between N and R).
    let gap = 2.0 * cap_px;
    let i = members.iter().position(|b| b == *seed)?;
    let (mut lo, mut hi) = (i, i);
    let mut right = members[i].x1;
    while hi + 1 < members.len() && (members[hi + 1].x0 as f64) <= right as f64 + gap {
        hi += 1;
        right = right.max(members[hi].x1);
    }
    while lo > 0 && (members[lo - 1].x1 as f64) + gap >= members[lo].x0 as f64 {
        lo -= 1;
    }
    let chained: Vec<Blob> = members[lo..=hi].to_vec();
    let mut bbox = chained.iter().skip(1).fold(chained[0], |a, b| a.union(b));
    // Small marks (°, dots, colons, a broken character's pieces) within the band and
    // close to the chain; no legend or HRI begins with a dot, so a dot before the chain is
    // part of it only when it touches its first character.
    let band = bbox;
    let mut small = Vec::new();
    for b in blobs {
        let inside_rows = b.y0 + 1 >= band.y0 && b.y1 <= band.y1 + 1;
        let dot = (b.w().max(b.h()) as f64) < DOT * cap_px;
        let lead = if dot { LEAD_DOT } else { 0.8 };
        let near = (b.x1 as f64) + lead * cap_px >= band.x0 as f64
            && (b.x0 as f64) <= band.x1 as f64 + 0.8 * cap_px;
        if inside_rows && near && (b.h() as f64) < s.cap[0] && b.area >= 2 {
            bbox = bbox.union(b);
            small.push(*b);
        }
    }
    // Only the legend is read differently when crossed (the HRI has its own ways with
    // marks: a band cut, gaps filled at the line's pitch), so only above the bars.
    let crossed = s.bars_below && {
        let others = blobs.iter().filter(|b| {
            b.h().max(b.w()) as f64 >= s.cap[0] && !chained.contains(b) && !small.contains(b)
        });
        crossed(strip, level, &bbox, [&chained, &small], others, gap)
    };
    Some(TextLine {
        bbox,
        tall: chained,
        cap_px,
        crossed,
    })
}

/// A mark less high and wide than this share of the cap height is a dot (or a speck).
const DOT: f64 = 0.35;
/// Most distance, in cap heights, from a dot before a line to its first character for
/// the dot to be part of the line.
const LEAD_DOT: f64 = 0.25;

/// Whether ink of the `others` blobs (anything at least a character high or wide that is
/// not part of the line: a pen stroke, a fold's edge, a circle, a character of another
/// line) lies in the rows of the line `line` beside its `parts` (characters, dots) or within
/// `gap` of its ends — as much ink as half a character's height, so that a speck does not
/// count and a stroke through the band does.
fn crossed<'a>(
    strip: &Strip,
    level: f32,
    line: &Blob,
    parts: [&[Blob]; 2],
    others: impl Iterator<Item = &'a Blob>,
    gap: f64,
) -> bool {
    let x0 = (line.x0 as f64 - gap).max(0.0) as usize;
    let x1 = ((line.x1 as f64 + gap) as usize).min(strip.w);
    let inside =
        |b: &Blob, x: usize, y: usize| (b.x0..b.x1).contains(&x) && (b.y0..b.y1).contains(&y);
    let enough = (line.h() / 2).max(2);
    let mut seen = 0;
    for b in others {
        for y in b.y0.max(line.y0)..b.y1.min(line.y1) {
            for x in b.x0.max(x0)..b.x1.min(x1) {
                if strip.at(x, y) > level
                    && !parts.iter().flat_map(|p| p.iter()).any(|c| inside(c, x, y))
                {
                    seen += 1;
                    if seen >= enough {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// The strip's ink inside `b` resampled to `cols` × `rows` (area averages), zero mean and
/// unit norm; `None` when it is flat.
pub(crate) fn normalised(strip: &Strip, b: &Blob, cols: usize, rows: usize) -> Option<Vec<f32>> {
    let (bw, bh) = (b.w() as f64, b.h() as f64);
    // Two bilinear samples per output column and row (area averages); each sample's
    // neighbours and weights are worked out once per column and per row.
    let taps = |origin: usize, extent: f64, n: usize, len: usize| -> Vec<(usize, usize, f32)> {
        (0..n)
            .flat_map(|c| {
                (0..2).map(move |l| {
                    let x = origin as f64 + (c as f64 + (l as f64 + 0.5) / 2.0) * extent / n as f64;
                    let x = (x - 0.5).clamp(0.0, (len - 1) as f64);
                    let x0 = x as usize;
                    (x0, (x0 + 1).min(len - 1), (x - x0 as f64) as f32)
                })
            })
            .collect()
    };
    let xs = taps(b.x0, bw, cols, strip.w);
    let ys = taps(b.y0, bh, rows, strip.h);
    // Every row the taps reach, interpolated at every column tap once (the sums below
    // add the same terms in the same order as tap by tap).
    let first = ys.iter().map(|t| t.0).min().unwrap_or(0);
    let last = ys.iter().map(|t| t.1).max().unwrap_or(0);
    let mut across = Vec::with_capacity((last + 1 - first) * xs.len());
    for y in first..=last {
        let row = &strip.ink[y * strip.w..];
        across.extend(
            xs.iter()
                .map(|&(x0, x1, fx)| row[x0] * (1.0 - fx) + row[x1] * fx),
        );
    }
    let at = |y: usize| &across[(y - first) * xs.len()..][..xs.len()];
    let mut out = Vec::with_capacity(cols * rows);
    let mut sums = vec![0.0f32; cols];
    for r in 0..rows {
        sums.fill(0.0);
        for &(y0, y1, fy) in &ys[2 * r..2 * r + 2] {
            let (row0, row1) = (at(y0).chunks_exact(2), at(y1).chunks_exact(2));
            for (sum, (t, b)) in sums.iter_mut().zip(row0.zip(row1)) {
                *sum += t[0] * (1.0 - fy) + b[0] * fy;
                *sum += t[1] * (1.0 - fy) + b[1] * fy;
            }
        }
        out.extend(sums.iter().map(|s| s / 4.0));
    }
    centred(out)
}

/// `values` less their mean, scaled to unit norm (so that [`dot`] gives the correlation of
/// two such); `None` when they are flat.
pub(crate) fn centred(mut values: Vec<f32>) -> Option<Vec<f32>> {
    let mean = values.iter().sum::<f32>() / values.len() as f32;
    values.iter_mut().for_each(|v| *v -= mean);
    let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
    (norm > 1e-3).then(|| values.iter().map(|v| v / norm).collect())
}

/// Everything [`normalised`] reads of `strip` for the box `b`: the strip's size, the box,
/// and the ink (as bits) of the box and the pixel around it, which its bilinear taps may
/// reach. Equal footprints give equal shapes, so a shape's reading can be remembered by
/// its footprint.
pub(crate) fn footprint(strip: &Strip, b: &Blob) -> Vec<u32> {
    let (x0, x1) = (b.x0.saturating_sub(1), (b.x1 + 1).min(strip.w));
    let (y0, y1) = (b.y0.saturating_sub(1), (b.y1 + 1).min(strip.h));
    let mut key = Vec::with_capacity(6 + (x1.saturating_sub(x0)) * (y1.saturating_sub(y0)));
    key.extend([strip.w, strip.h, b.x0, b.y0, b.x1, b.y1].map(|v| v as u32));
    for y in y0..y1 {
        key.extend(
            strip.ink[y * strip.w + x0..y * strip.w + x1]
                .iter()
                .map(|v| v.to_bits()),
        );
    }
    key
}

/// Readings remembered by a thread by their [`footprint`] (for functions of it alone),
/// with the footprints' total length.
pub(crate) struct Recall<V> {
    known: HashMap<Vec<u32>, V>,
    words: usize,
}

impl<V> Default for Recall<V> {
    fn default() -> Self {
        Recall {
            known: HashMap::new(),
            words: 0,
        }
    }
}

impl<V> Recall<V> {
    pub(crate) fn clear(&mut self) {
        self.known.clear();
        self.words = 0;
    }
}

impl<V: Clone + 'static> Recall<V> {
    /// The value remembered in `cell` for `key`, else `read()`, remembered. When the
    /// footprints would take more than [`RECALL_WORDS`], everything is forgotten first.
    pub(crate) fn get(
        cell: &'static LocalKey<RefCell<Recall<V>>>,
        key: Vec<u32>,
        read: impl FnOnce() -> V,
    ) -> V {
        if let Some(known) = cell.with_borrow(|r| r.known.get(&key).cloned()) {
            return known;
        }
        let value = read();
        cell.with_borrow_mut(|r| {
            r.words += key.len();
            if r.words > RECALL_WORDS {
                r.clear();
                r.words = key.len();
            }
            r.known.insert(key, value.clone());
        });
        value
    }
}

/// How much footprint a thread's [`Recall`] keeps (4 MB: many symbols' characters; it is
/// emptied for each symbol anyway, a character being met again within its own symbol).
const RECALL_WORDS: usize = 1 << 20;

/// The ink at four points of a row inside the page, from the homogeneous point `p` in
/// steps of `d` (`p` is left at the fifth): the same operations as [`Interior::sample`]
/// one by one, lane by lane.
#[inline]
fn four_samples(inside: &Interior, p: &mut [f64; 3], d: [f64; 3]) -> [f32; 4] {
    let (mut xs, mut ys, mut ws) = ([0.0; 4], [0.0; 4], [0.0; 4]);
    for lane in 0..4 {
        (xs[lane], ys[lane], ws[lane]) = (p[0], p[1], p[2]);
        p[0] += d[0];
        p[1] += d[1];
        p[2] += d[2];
    }
    let (xs, ys, ws) = (f64x4::new(xs), f64x4::new(ys), f64x4::new(ws));
    let (inv, half) = (f64x4::ONE / ws, f64x4::splat(0.5));
    let (x, y) = (xs * inv - half, ys * inv - half);
    (f64x4::splat(255.0) - inside.sample4(x, y))
        .to_array()
        .map(|v| v as f32)
}

/// The dot product of two shapes of the same length (their correlation, the shapes being
/// [`normalised`]), eight products at a time.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let ((a8, a_tail), (b8, b_tail)) = (a.as_chunks::<8>(), b.as_chunks::<8>());
    let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
    let lanes = a8.iter().zip(b8).fold(f32x8::ZERO, |sum, (&x, &y)| {
        sum + f32x8::new(x) * f32x8::new(y)
    });
    // The lanes summed in one order whatever the CPU: `f32x8::reduce_add` adds them
    // pairwise where AVX is enabled and each half in turn where it is not.
    let lanes = lanes.to_array();
    lanes[..4].iter().sum::<f32>() + lanes[4..].iter().sum::<f32>() + tail
}

/// A strip made from an upright image (templates, tests): ink = 255 − grey.
pub(crate) fn from_image(img: &GrayImage) -> Strip {
    Strip {
        w: img.width() as usize,
        h: img.height() as usize,
        ink: img.as_raw().iter().map(|&v| 255.0 - f32::from(v)).collect(),
        origin_mm: [0.0, 0.0],
        per_mm: 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Symbology;

    /// [`mark_runs`] as a walk over every step of every lane: each step with ink counted,
    /// each run as long as a line marked where it ends.
    fn mark_runs_step_by_step(
        inked: &[bool],
        [across, steps]: [usize; 2],
        rows: bool,
        slope: f64,
        long: usize,
    ) -> Vec<bool> {
        let mut line = vec![false; inked.len()];
        let need = ((long as f64 / (1.0 + slope * slope).sqrt()).ceil() as usize).max(1);
        let shift = |s: usize| (s as f64 * slope).round() as isize;
        let (lo, hi) = (0..steps)
            .map(shift)
            .fold((0, 0), |(l, h), v| (v.min(l), v.max(h)));
        for lane in -hi..across as isize - lo {
            let mut run: Vec<usize> = Vec::new();
            for s in 0..=steps {
                let a = if s < steps { lane + shift(s) } else { -1 };
                let i = (0..across as isize).contains(&a).then(|| {
                    let a = a as usize;
                    if rows { s * across + a } else { a * steps + s }
                });
                match i {
                    Some(i) if inked[i] => run.push(i),
                    _ => {
                        if run.len() >= need {
                            run.iter().for_each(|&i| line[i] = true);
                        }
                        run.clear();
                    }
                }
            }
        }
        line
    }

    proptest::proptest! {
        /// [`dot`] sums in one order on every CPU: eight running sums, the product of
        /// place `i` added to sum `i % 8`, then the first four sums in turn, the last four
        /// in turn, the two totals and the products past the last eight, in turn. (AVX's
        /// pairwise sum of the lanes differs from it in the last bits.)
        #[test]
        fn dot_sums_in_one_order_whatever_the_cpu(
            pairs in proptest::collection::vec((-1.0f32..1.0, -1.0f32..1.0), 0..150),
        ) {
            let (a, b): (Vec<f32>, Vec<f32>) = pairs.into_iter().unzip();
            let whole = a.len() / 8 * 8;
            let mut lanes = [0.0f32; 8];
            for i in 0..whole {
                lanes[i % 8] += a[i] * b[i];
            }
            let tail: f32 = (whole..a.len()).map(|i| a[i] * b[i]).sum();
            let halves = [&lanes[..4], &lanes[4..]].map(|h| h.iter().sum::<f32>());
            let want = halves[0] + halves[1] + tail;
            proptest::prop_assert_eq!(dot(&a, &b).to_bits(), want.to_bits());
        }

        /// [`four_samples`] gives, bit for bit, what [`Interior::sample`] gives at each of
        /// its four points: on whole pixels and half pixels (where a floor worked out from
        /// the nearest integer could be off by one) as anywhere else.
        #[test]
        fn four_samples_are_the_interiors_samples_bit_for_bit(
            pixels in proptest::collection::vec(0u8..=255, 160..400),
            w in 8u32..20,
            quarters in proptest::array::uniform4(0u32..24),
            w_step in -0.01f64..0.01,
        ) {
            let h = pixels.len() as u32 / w;
            let img = GrayImage::from_fn(w, h, |x, y| image::Luma([pixels[(y * w + x) as usize]]));
            let inside = Interior::new(&img);
            // A homogeneous start and step whose four points lie inside the page: whole,
            // half and quarter pixels when the step keeps the weight at 1.
            let q = |i: usize, limit: u32| {
                f64::from(quarters[i] % (4 * (limit - 4))) / 4.0 + 0.5
            };
            let dw = if quarters[0] % 2 == 0 { 0.0 } else { w_step };
            let start = [q(0, w), q(1, h), 1.0];
            let step = [0.25 + f64::from(quarters[2] % 3) * 0.25, f64::from(quarters[3] % 2) * 0.5, dw];
            let points: Vec<[f64; 2]> = (0..4)
                .scan(start, |at, _| {
                    let inv = 1.0 / at[2];
                    let point = [at[0] * inv - 0.5, at[1] * inv - 0.5];
                    *at = [at[0] + step[0], at[1] + step[1], at[2] + step[2]];
                    Some(point)
                })
                .collect();
            proptest::prop_assume!(points.iter().all(|&p| inside.holds(p)));
            let got = four_samples(&inside, &mut start.clone(), step);
            for (lane, [x, y]) in got.into_iter().zip(points) {
                let want = (255.0 - inside.sample(x, y)) as f32;
                proptest::prop_assert_eq!(lane.to_bits(), want.to_bits(), "at ({}, {})", x, y);
            }
        }

        /// [`Inked::cored`] keeps a sample's ink exactly where dark ink lies within
        /// `reach` of it along its row, then across rows, and makes the rest paper.
        #[test]
        fn a_cored_strip_keeps_ink_within_reach_of_dark_ink(
            values in proptest::collection::vec(0u8..=255, 16..300),
            w in 1usize..24,
            reach in 0usize..5,
        ) {
            let h = values.len().div_ceil(w);
            let mut ink: Vec<f32> = values.iter().map(|&v| f32::from(v)).collect();
            ink.resize(w * h, 0.0);
            let strip = Strip { w, h, ink, origin_mm: [0.0, 0.0], per_mm: 8.0 };
            // The views (the cored one among them) are made of a strip exactly when its
            // darkest ink stands out from its paper by more than the least contrast.
            let inked = strip.inked();
            let contrasted = levels(&strip).is_some_and(|l| l.darkest - l.paper > MIN_CONTRAST);
            proptest::prop_assert_eq!(inked.is_some(), contrasted);
            let Some(inked) = inked else {
                return Ok(());
            };
            let cored = inked.cored(reach);
            let Levels { paper, ink, darkest } = inked.levels;
            let faint = paper + CORE_FAINT * (ink - paper);
            let dark = paper + CORE_DARK * (darkest - paper);
            let is_dark = |x: usize, y: usize| strip.ink[y * w + x] > dark;
            let within = |i: usize, len: usize| i.saturating_sub(reach)..(i + reach + 1).min(len);
            for y in 0..h {
                for x in 0..w {
                    let near = within(y, h).any(|yy| within(x, w).any(|xx| is_dark(xx, yy)));
                    let v = strip.ink[y * w + x];
                    let want = if near && v > faint { v } else { paper };
                    proptest::prop_assert_eq!(cored.at(x, y), want, "({}, {})", x, y);
                }
            }
        }

        /// Looking only at every `need`-th step until one has ink marks the same runs as
        /// walking every step.
        #[test]
        fn mark_runs_marks_what_a_step_by_step_walk_marks(
            inked in proptest::collection::vec(proptest::bool::weighted(0.6), 1..400),
            across in 1usize..30,
            rows in proptest::bool::ANY,
            slope in -0.6f64..0.6,
            long in 1usize..12,
        ) {
            let steps = inked.len().div_ceil(across);
            let mut inked = inked;
            inked.resize(across * steps, false);
            let mut line = vec![false; inked.len()];
            let any = mark_runs(&inked, [across, steps], rows, slope, long, steps, &mut line);
            let walked = mark_runs_step_by_step(&inked, [across, steps], rows, slope, long);
            proptest::prop_assert_eq!(any, walked.contains(&true));
            proptest::prop_assert_eq!(line, walked);
        }
    }

    #[test]
    fn a_strip_samples_the_page_through_its_frame_on_and_off_the_page() {
        let img = GrayImage::from_fn(300, 200, |x, y| {
            image::Luma([((x * 37 + y * 101) % 256) as u8])
        });
        // A symbol a little askew and in perspective, near the page's left edge: the
        // strip around it runs off the page on the left and lies inside it elsewhere.
        let symbol = Symbol {
            value: "10001045367".to_owned(),
            symbology: Symbology::Code128,
            quad: [[20.0, 80.0], [220.0, 86.0], [219.0, 126.0], [18.0, 121.0]],
            px_per_module: Some(2.0),
            code_sets: Some("C".to_owned()),
        };
        let dpi = 254.0;
        let frame = Frame::new(&symbol, dpi).expect("a frame");
        let (x_mm, y_mm, per_mm) = ([-8.0, 24.0], [-6.0, 6.0], 7.0);
        let strip = frame.strip(&img, x_mm, y_mm, per_mm);
        let mut off_page = 0;
        for j in 0..strip.h {
            for i in 0..strip.w {
                let (p, want) = frame_sample(&frame, &img, &strip, [i, j]);
                off_page += usize::from(p[0] < 0.5);
                let got = f64::from(strip.at(i, j));
                assert!((got - want).abs() <= 0.01, "({i}, {j}): {got} vs {want}");
            }
        }
        assert!(off_page > 0, "the strip should run off the page");
    }

    proptest::proptest! {
        /// A strip samples the page where its frame puts each sample, whatever quad the
        /// frame is made from: a quad far from a rectangle makes a frame whose rows may
        /// run off to infinity between two ends on the page (an unread symbol's quad, seed
        /// 397 0005, took a sample past the end of the page's pixels).
        #[test]
        fn a_strip_from_any_quad_samples_the_page_where_its_frame_puts_each_sample(
            corners in proptest::array::uniform8(0.0f64..120.0),
            rows in proptest::array::uniform2(-12.0f64..12.0),
        ) {
            let img = GrayImage::from_fn(120, 100, |x, y| {
                image::Luma([((x * 37 + y * 101) % 256) as u8])
            });
            let c = |i: usize| [corners[2 * i], corners[2 * i + 1] * 100.0 / 120.0];
            let symbol = Symbol {
                value: "10001045367".to_owned(),
                symbology: Symbology::Code128,
                quad: [c(0), c(1), c(2), c(3)],
                px_per_module: None,
                code_sets: None,
            };
            let Some(frame) = Frame::new(&symbol, 254.0) else {
                return Ok(());
            };
            let (x_mm, per_mm) = ([-4.0, frame.length_mm + 4.0], 4.0);
            let y_mm = [rows[0].min(rows[1]), rows[0].max(rows[1]) + 0.5];
            let strip = frame.strip(&img, x_mm, y_mm, per_mm);
            for j in 0..strip.h {
                for i in 0..strip.w {
                    let (_, want) = frame_sample(&frame, &img, &strip, [i, j]);
                    let got = f64::from(strip.at(i, j));
                    proptest::prop_assert!((got - want).abs() <= 0.01, "({}, {}): {} vs {}", i, j, got, want);
                }
            }
        }
    }

    /// Where `frame` puts the sample `[i, j]` of `strip` (taken from it) on the page, and
    /// the ink [`sample`] gives there.
    fn frame_sample(
        frame: &Frame,
        img: &GrayImage,
        strip: &Strip,
        [i, j]: [usize; 2],
    ) -> ([f64; 2], f64) {
        let p = frame.to_page.apply([
            strip.origin_mm[0] + (i as f64 + 0.5) / strip.per_mm,
            strip.origin_mm[1] + (j as f64 + 0.5) / strip.per_mm,
        ]);
        (p, 255.0 - sample(img, p[0] - 0.5, p[1] - 0.5))
    }

    /// A strip of pseudo-random ink (a fixed linear congruential sequence), `dense` the
    /// share of samples above 128.
    fn speckled(w: usize, h: usize, dense: f64, seed: u64) -> Strip {
        let mut state = seed;
        let ink = (0..w * h)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let u = (state >> 11) as f64 / (1u64 << 53) as f64;
                if u < dense {
                    (128.0 + 127.0 * u / dense) as f32
                } else {
                    (128.0 * (u - dense) / (1.0 - dense)) as f32
                }
            })
            .collect();
        Strip {
            w,
            h,
            ink,
            origin_mm: [0.0, 0.0],
            per_mm: 8.0,
        }
    }

    #[test]
    fn blobs_are_the_eight_connected_components_in_the_order_of_their_first_pixel() {
        // Against a plain flood fill from each first unseen pixel, row by row.
        let flood = |strip: &Strip, level: f32| {
            let (w, h) = (strip.w, strip.h);
            let mut seen: Vec<bool> = strip.ink.iter().map(|&v| v <= level).collect();
            let mut out = Vec::new();
            for start in 0..w * h {
                if seen[start] {
                    continue;
                }
                seen[start] = true;
                let mut stack = vec![(start % w, start / w)];
                let mut b = Blob {
                    x0: w,
                    y0: h,
                    x1: 0,
                    y1: 0,
                    area: 0,
                };
                while let Some((x, y)) = stack.pop() {
                    b = Blob {
                        x0: b.x0.min(x),
                        y0: b.y0.min(y),
                        x1: b.x1.max(x + 1),
                        y1: b.y1.max(y + 1),
                        area: b.area + 1,
                    };
                    for ny in y.saturating_sub(1)..(y + 2).min(h) {
                        for nx in x.saturating_sub(1)..(x + 2).min(w) {
                            if !seen[ny * w + nx] {
                                seen[ny * w + nx] = true;
                                stack.push((nx, ny));
                            }
                        }
                    }
                }
                out.push(b);
            }
            out
        };
        let mut compared = 0;
        for (seed, dense) in [(1, 0.1), (2, 0.3), (3, 0.45), (4, 0.6), (5, 0.9)] {
            for (w, h) in [(1, 9), (9, 1), (37, 23), (64, 40)] {
                let strip = speckled(w, h, dense, seed);
                for level in [64.0, 128.0, 200.0] {
                    let want = flood(&strip, level);
                    assert_eq!(
                        blobs(&strip, level),
                        want,
                        "{w}x{h} dense {dense} at {level}"
                    );
                    compared += want.len();
                }
            }
        }
        assert!(compared > 1000, "only {compared} blobs compared");
        // U shapes and diagonals: runs that meet only further down, or only corner to corner.
        let art = [
            "#.#..#...#",
            "#.#...#.#.",
            "###....#..",
            "......#.#.",
            "#####.....",
        ];
        let strip = Strip {
            w: 10,
            h: art.len(),
            ink: art
                .iter()
                .flat_map(|r| r.chars().map(|c| if c == '#' { 255.0 } else { 0.0 }))
                .collect(),
            origin_mm: [0.0, 0.0],
            per_mm: 8.0,
        };
        let found = blobs(&strip, 128.0);
        assert_eq!(found, flood(&strip, 128.0));
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!((found[0].area, found[1].area, found[2].area), (7, 7, 5));
    }

    #[test]
    fn a_normalised_shape_is_the_mean_of_four_bilinear_taps_per_cell() {
        let strip = speckled(50, 30, 0.4, 7);
        let tap = |x: f64, y: f64| {
            let (x, y) = (
                (x - 0.5).clamp(0.0, (strip.w - 1) as f64),
                (y - 0.5).clamp(0.0, (strip.h - 1) as f64),
            );
            let (x0, y0) = (x as usize, y as usize);
            let (x1, y1) = ((x0 + 1).min(strip.w - 1), (y0 + 1).min(strip.h - 1));
            let (fx, fy) = (x - x0 as f64, y - y0 as f64);
            let at = |x: usize, y: usize| f64::from(strip.at(x, y));
            (at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx) * (1.0 - fy)
                + (at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx) * fy
        };
        // Boxes shrunk (more pixels than cells), grown (fewer) and at the strip's edges.
        for b in [
            Blob {
                x0: 3,
                y0: 2,
                x1: 40,
                y1: 29,
                area: 0,
            },
            Blob {
                x0: 10,
                y0: 5,
                x1: 16,
                y1: 11,
                area: 0,
            },
            Blob {
                x0: 0,
                y0: 0,
                x1: 50,
                y1: 30,
                area: 0,
            },
        ] {
            let (cols, rows) = (10, 14);
            let got = normalised(&strip, &b, cols, rows).expect("not flat");
            let mut want = Vec::new();
            for r in 0..rows {
                for c in 0..cols {
                    let mut sum = 0.0;
                    for (ly, lx) in [(0.25, 0.25), (0.25, 0.75), (0.75, 0.25), (0.75, 0.75)] {
                        let x = b.x0 as f64 + (c as f64 + lx) * b.w() as f64 / cols as f64;
                        let y = b.y0 as f64 + (r as f64 + ly) * b.h() as f64 / rows as f64;
                        sum += tap(x, y);
                    }
                    want.push(sum / 4.0);
                }
            }
            let mean = want.iter().sum::<f64>() / want.len() as f64;
            want.iter_mut().for_each(|v| *v -= mean);
            let norm = want.iter().map(|v| v * v).sum::<f64>().sqrt();
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(
                    (f64::from(*g) - w / norm).abs() < 1e-4,
                    "{b:?} cell {i}: {g} vs {}",
                    w / norm
                );
            }
        }
    }

    #[test]
    fn a_footprint_holds_the_ink_one_pixel_around_the_box_and_no_further() {
        let strip = speckled(40, 20, 0.4, 9);
        let b = Blob {
            x0: 10,
            y0: 5,
            x1: 20,
            y1: 12,
            area: 0,
        };
        let key = footprint(&strip, &b);
        let changed = |x: usize, y: usize| {
            let mut other = Strip {
                ink: strip.ink.clone(),
                ..strip
            };
            other.ink[y * other.w + x] += 1.0;
            footprint(&other, &b) != key
        };
        // The taps of a box reach one pixel beyond it on each side.
        for (x, y) in [(9, 4), (20, 12), (15, 4), (9, 12), (10, 5), (19, 11)] {
            assert!(changed(x, y), "({x}, {y}) is read");
        }
        for (x, y) in [(8, 4), (21, 12), (15, 3), (15, 13), (30, 8)] {
            assert!(!changed(x, y), "({x}, {y}) is not read");
        }
        // Another box, or the same ink in a strip of another size, is another footprint.
        assert_ne!(footprint(&strip, &Blob { x1: 21, ..b }), key);
        let wider = speckled(41, 20, 0.4, 9);
        assert_ne!(footprint(&wider, &b), key);
    }
}
