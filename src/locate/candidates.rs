//! Where symbols may be: oriented boxes proposed from a texture map of the page.
//!
//! Bar codes are the only large page regions whose gradients all point one way. The page
//! is cut into square cells; in each, the gradient structure tensor gives the energy of
//! the edges, their dominant orientation and its coherence. Cells with strong, coherent
//! gradients are joined with their neighbours of similar orientation; each group is an
//! oriented box (any angle) to be crossed by scanlines. The cost is one pass over the
//! pixels, whatever is on the page.

use image::GrayImage;
use wide::{i16x8, i32x4, u8x16, u16x8};

/// Side of a texture cell, pixels.
const CELL_PX: u32 = 12;
/// Smallest mean squared gradient of a bar cell (grey levels²) on a page of
/// [`FULL_CONTRAST`] or more; on a fainter page, the floor falls with its contrast.
const MIN_ENERGY: f64 = 400.0;
/// Page contrast (grey levels from ink to paper) at and above which [`MIN_ENERGY`] holds.
const FULL_CONTRAST: f64 = 200.0;
/// The floor's lowest value, whatever the page's contrast.
const LOWEST_ENERGY: f64 = 100.0;
/// Pixel noise (deviation) this large a part of the page's contrast is taken off the
/// texture map: it buries faint bars' coherence (faded print, a noisy scanner).
const NOISY: f64 = 0.15;
/// Fewest samples of the sparse grid (an image of about 320 × 320 pixels) from which the
/// noise is measured: on a small crop the samples fall mostly on the edges of its bars,
/// not on flat paper (a 229 × 79 crop of bars, 75 samples, measured σ 80).
const NOISE_SAMPLES: u32 = 400;
/// Smallest orientation coherence of a bar cell (1 = all gradients parallel).
const MIN_COHERENCE: f64 = 0.55;
/// Largest orientation difference between joined cells, degrees.
const MAX_TURN_DEG: f64 = 20.0;

/// Offsets of the cells joined to a cell: its 5 × 5 neighbourhood.
const NEIGHBOURS: [(i64, i64); 24] = [
    (-2, -2),
    (-1, -2),
    (0, -2),
    (1, -2),
    (2, -2),
    (-2, -1),
    (-1, -1),
    (0, -1),
    (1, -1),
    (2, -1),
    (-2, 0),
    (-1, 0),
    (1, 0),
    (2, 0),
    (-2, 1),
    (-1, 1),
    (0, 1),
    (1, 1),
    (2, 1),
    (-2, 2),
    (-1, 2),
    (0, 2),
    (1, 2),
    (2, 2),
];

/// An oriented region that may hold a symbol.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Centre, page pixels.
    pub centre: [f64; 2],
    /// Unit vector across the bars (the scan direction).
    pub across: [f64; 2],
    /// Half extent across the bars, pixels.
    pub half_length: f64,
    /// Half extent along the bars, pixels.
    pub half_height: f64,
    /// Number of cells joined (a rough size and confidence).
    pub cells: usize,
}

impl Candidate {
    /// The box as a quad, clockwise from the start of the first bar's top (the top being
    /// on the side of `-along`, `along` = `across` turned a quarter clockwise).
    pub fn quad(&self) -> [[f64; 2]; 4] {
        let a = self.across.map(|v| v * self.half_length);
        let b = [
            -self.across[1] * self.half_height,
            self.across[0] * self.half_height,
        ];
        let c = self.centre;
        [
            [c[0] - a[0] - b[0], c[1] - a[1] - b[1]],
            [c[0] + a[0] - b[0], c[1] + a[1] - b[1]],
            [c[0] + a[0] + b[0], c[1] + a[1] + b[1]],
            [c[0] - a[0] + b[0], c[1] - a[1] + b[1]],
        ]
    }
}

#[derive(Clone, Copy, Default)]
struct Cell {
    energy: f64,
    coherence: f64,
    /// Doubled angle of the dominant gradient, as a unit vector (cos 2θ, sin 2θ).
    doubled: [f64; 2],
}

/// The cells of the texture map; `noise` is the variance pixel noise adds to each
/// gradient component, taken off both (it adds to the energy, never to the orientation,
/// and a bar cell's coherence is then that of its bars).
fn tensor_cells(image: &GrayImage, noise: f64) -> (Vec<Cell>, u32, u32) {
    let (sums, gw, gh) = tensor_sums(image);
    let cells = sums
        .into_iter()
        .map(|([sxx, syy, sxy], n)| {
            if n == 0 {
                return Cell::default();
            }
            let (sxx, syy, sxy, n) = (sxx as f64, syy as f64, sxy as f64, f64::from(n));
            let (a, b) = (sxx - syy, 2.0 * sxy);
            let norm = a.hypot(b);
            let energy = (sxx + syy) / n - 2.0 * noise;
            Cell {
                energy,
                coherence: if energy > 0.0 {
                    (norm / n / energy).min(1.0)
                } else {
                    0.0
                },
                doubled: if norm > 0.0 {
                    [a / norm, b / norm]
                } else {
                    [1.0, 0.0]
                },
            }
        })
        .collect();
    (cells, gw, gh)
}

/// The sums of gx², gy², gx·gy of every cell, row by row, and their number of samples.
type CellSums = ([i64; 3], u32);

/// The structure tensor sums of every cell (see [`tensor_cells`]), and the grid's size.
fn tensor_sums(image: &GrayImage) -> (Vec<CellSums>, u32, u32) {
    let (w, h) = image.dimensions();
    let (gw, gh) = (w / CELL_PX, h / CELL_PX);
    let raw = image.as_raw();
    let stride = w as usize;
    let mut cells = Vec::with_capacity((gw * gh) as usize);
    // One row of cells at a time, every other pixel of every other row: the sums of gx²,
    // gy², gx·gy and the count of each cell of the row. Integer sums: exact, and much
    // cheaper than converting every pixel. The first cell's samples fall on odd columns
    // (column 0 has no left neighbour); every other cell's on even columns, which are
    // summed down the cell row in pairs of samples, eight samples at a time.
    let mut sums: Vec<CellSums> = vec![([0; 3], 0); gw as usize];
    let mut pairs = SamplePairs::new(PAIRS_PER_CELL * (gw as usize).saturating_sub(1));
    for cy in 0..gh {
        sums.fill(([0; 3], 0));
        pairs.clear();
        let y0 = cy * CELL_PX;
        for y in (y0.max(1)..(y0 + CELL_PX).min(h - 1)).step_by(2) {
            let rows = &raw[(y as usize - 1) * stride..][..3 * stride];
            let (up, mid, down) = (
                &rows[..stride],
                &rows[stride..][..stride],
                &rows[2 * stride..],
            );
            if let Some((sum, n)) = sums.first_mut() {
                let to = (CELL_PX as usize).min(stride - 1);
                for x in (1..to).step_by(2) {
                    let gx = i64::from(mid[x + 1]) - i64::from(mid[x - 1]);
                    let gy = i64::from(down[x]) - i64::from(up[x]);
                    sum[0] += gx * gx;
                    sum[1] += gy * gy;
                    sum[2] += gx * gy;
                }
                *n += (to - 1).div_ceil(2) as u32;
            }
            pairs.add_row(up, mid, down);
            for (cx, (_, n)) in sums.iter_mut().enumerate().skip(1) {
                let x0 = cx * CELL_PX as usize;
                *n += ((x0 + CELL_PX as usize).min(stride - 1) - x0).div_ceil(2) as u32;
            }
        }
        for (cx, (sum, _)) in sums.iter_mut().enumerate().skip(1) {
            let at = (cx - 1) * PAIRS_PER_CELL;
            for (total, column) in sum.iter_mut().zip([&pairs.xx, &pairs.yy, &pairs.xy]) {
                *total += column[at..at + PAIRS_PER_CELL]
                    .iter()
                    .map(|&v| i64::from(v))
                    .sum::<i64>();
            }
        }
        cells.extend_from_slice(&sums);
    }
    (cells, gw, gh)
}

/// Samples of a cell row, every other pixel: `CELL_PX / 2`, summed two at a time.
const PAIRS_PER_CELL: usize = CELL_PX as usize / 4;

/// Column sums of gx², gy² and gx·gy down one cell row, for the samples at the even
/// columns from `CELL_PX` on (the cells after the first), two adjacent samples to a slot.
struct SamplePairs {
    xx: Vec<i32>,
    yy: Vec<i32>,
    xy: Vec<i32>,
}

impl SamplePairs {
    fn new(slots: usize) -> Self {
        Self {
            xx: vec![0; slots],
            yy: vec![0; slots],
            xy: vec![0; slots],
        }
    }

    fn clear(&mut self) {
        for column in [&mut self.xx, &mut self.yy, &mut self.xy] {
            column.fill(0);
        }
    }

    /// Adds the gradients of the row `mid` (with the rows above and below) at columns
    /// `CELL_PX`, `CELL_PX + 2`, …: eight samples at a time from the even bytes of
    /// sixteen, multiplied and added in pairs; the rest one by one.
    fn add_row(&mut self, up: &[u8], mid: &[u8], down: &[u8]) {
        const FIRST: usize = CELL_PX as usize;
        let samples = 2 * self.xx.len();
        let even = i16x8::splat(0xFF);
        let load = |row: &[u8], at: usize| -> i16x8 {
            wide::bytemuck::pod_read_unaligned::<i16x8>(&row[at..at + 16]) & even
        };
        let add = |column: &mut [i32], slot: usize, products: i32x4| {
            let sums: &mut [i32; 4] = (&mut column[slot..slot + 4]).try_into().expect("4 slots");
            *sums = (i32x4::new(*sums) + products).to_array();
        };
        let mut s = 0;
        // The last load ends at byte x + 17 of the row.
        while s + 8 <= samples && FIRST + 2 * s + 17 <= mid.len() {
            let x = FIRST + 2 * s;
            let gx = load(mid, x + 1) - load(mid, x - 1);
            let gy = load(down, x) - load(up, x);
            add(&mut self.xx, s / 2, gx.dot(gx));
            add(&mut self.yy, s / 2, gy.dot(gy));
            add(&mut self.xy, s / 2, gx.dot(gy));
            s += 8;
        }
        for s in s..samples {
            let x = FIRST + 2 * s;
            let gx = i32::from(mid[x + 1]) - i32::from(mid[x - 1]);
            let gy = i32::from(down[x]) - i32::from(up[x]);
            self.xx[s / 2] += gx * gx;
            self.yy[s / 2] += gy * gy;
            self.xy[s / 2] += gx * gy;
        }
    }
}

fn is_bar(c: &Cell, floor: f64) -> bool {
    c.energy >= floor && c.coherence >= MIN_COHERENCE
}

/// What a page's pixels say about how bars show on it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Levels {
    /// The energy a bar cell needs (see [`Levels::of`]).
    floor: f64,
    /// The variance that pixel noise adds to each gradient component (grey levels²).
    noise: f64,
}

impl Levels {
    /// The levels of a page, from a sparse grid of its pixels. The floor is
    /// [`MIN_ENERGY`] scaled down linearly with the page's contrast below
    /// [`FULL_CONTRAST`] (faded print, a light-grey toner): the gradient of an edge is
    /// proportional to the contrast, its energy to the square, and the floor falls only
    /// linearly, so that the faint gaps between stacked symbols do not join them. The
    /// noise is that of the gradient's central differences, mostly over flat paper: their
    /// median absolute value is 0.6745 times their deviation when the noise is Gaussian.
    /// It is counted only on a page where it is a large part of the contrast ([`NOISY`]),
    /// and large enough to measure it ([`NOISE_SAMPLES`]).
    fn of(image: &GrayImage) -> Self {
        // Every 16th pixel of every 16th row: enough for the percentiles, and counting
        // into a histogram costs (paper samples all land in one or two bins).
        const STEP: usize = 16;
        let (w, raw) = (image.width() as usize, image.as_raw());
        let mut histogram = [0u32; 256];
        let mut slopes = [0u32; 256];
        for row in raw.chunks_exact(w.max(1)).step_by(STEP) {
            let mut x = 1;
            while x + 1 < row.len() {
                histogram[usize::from(row[x])] += 1;
                slopes[usize::from(row[x - 1].abs_diff(row[x + 1]))] += 1;
                x += STEP;
            }
        }
        // Paper is the median sample; ink, the median of the samples darker than half way
        // from paper to the darkest ones (a page may hold very little ink).
        let paper = percentile(&histogram, 0.5);
        let darkest = percentile(&histogram, 0.001);
        let mut dark = histogram;
        dark[((paper + darkest) / 2.0).ceil() as usize..].fill(0);
        let contrast = if dark.iter().any(|&n| n > 0) {
            paper - percentile(&dark, 0.5)
        } else {
            0.0
        };
        let samples: u32 = histogram.iter().sum();
        let noise = (percentile(&slopes, 0.5) / 0.6745).powi(2);
        // A central difference of pixels with noise σ has the variance 2 σ².
        let sigma = (noise / 2.0).sqrt();
        Levels {
            floor: (MIN_ENERGY * contrast / FULL_CONTRAST).clamp(LOWEST_ENERGY, MIN_ENERGY),
            noise: if sigma >= NOISY * contrast && samples >= NOISE_SAMPLES {
                noise
            } else {
                0.0
            },
        }
    }
}

/// The value below which `fraction` of a histogram's samples lie.
fn percentile(histogram: &[u32; 256], fraction: f64) -> f64 {
    let n: u32 = histogram.iter().sum();
    let wanted = ((f64::from(n) * fraction).ceil() as u32).max(1);
    let mut seen = 0;
    histogram
        .iter()
        .position(|&count| {
            seen += count;
            seen >= wanted
        })
        .unwrap_or(255) as f64
}

/// Longest page side searched at full resolution; larger pages (600 dpi scans) are
/// searched on a 2 × 2-averaged copy, so that a cell still spans several modules.
const MAX_SEARCH_SIDE_PX: u32 = 3600;

/// The candidate regions of a page, largest first, in page pixels.
pub fn candidates(image: &GrayImage) -> Vec<Candidate> {
    survey(image).0
}

/// The candidate regions of a page ([`candidates`]), and whether pixel noise is a large
/// part of its contrast ([`NOISY`]): lines across its symbols must then average more
/// pixels along the bars.
pub fn survey(image: &GrayImage) -> (Vec<Candidate>, bool) {
    let levels = Levels::of(image);
    let noisy = levels.noise > 0.0;
    if image.width().max(image.height()) <= MAX_SEARCH_SIDE_PX {
        return (candidates_at_scale(image, levels), noisy);
    }
    let half = halve(image);
    let found = candidates_at_scale(&half, Levels::of(&half))
        .into_iter()
        .map(|c| Candidate {
            centre: [c.centre[0] * 2.0 + 0.5, c.centre[1] * 2.0 + 0.5],
            half_length: c.half_length * 2.0,
            half_height: c.half_height * 2.0,
            ..c
        })
        .collect();
    (found, noisy)
}

/// The image at half size, each pixel the mean of a 2 × 2 block: sixteen output pixels
/// at a time from two rows of 32 bytes, the rest one by one.
fn halve(image: &GrayImage) -> GrayImage {
    let (w, h) = (image.width() as usize / 2, image.height() as usize / 2);
    let stride = image.width() as usize;
    let raw = image.as_raw();
    let mut out = vec![0u8; w * h];
    let mean = |t: &[u8], b: &[u8]| {
        let sum = u32::from(t[0]) + u32::from(t[1]) + u32::from(b[0]) + u32::from(b[1]);
        ((sum + 2) / 4) as u8
    };
    // The sums of each pair of bytes in 16, as eight u16.
    let pairs = |bytes: &[u8]| -> u16x8 {
        let v = wide::bytemuck::pod_read_unaligned::<u16x8>(&bytes[..16]);
        (v & u16x8::splat(0xFF)) + (v >> 8u32)
    };
    for (y, row) in out.chunks_exact_mut(w.max(1)).enumerate().take(h) {
        let (top, bottom) = (
            &raw[2 * y * stride..][..2 * w],
            &raw[(2 * y + 1) * stride..][..2 * w],
        );
        let whole = w / 16 * 16;
        for (x, block) in row[..whole].chunks_exact_mut(16).enumerate() {
            let at = 32 * x;
            let means = |at: usize| {
                let sum = pairs(&top[at..]) + pairs(&bottom[at..]) + u16x8::splat(2);
                wide::bytemuck::cast::<u16x8, i16x8>(sum >> 2u32)
            };
            block.copy_from_slice(&u8x16::narrow_i16x8(means(at), means(at + 16)).to_array());
        }
        for (x, pixel) in row.iter_mut().enumerate().skip(whole) {
            *pixel = mean(&top[2 * x..], &bottom[2 * x..]);
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).expect("a buffer of the halved size")
}

fn candidates_at_scale(image: &GrayImage, levels: Levels) -> Vec<Candidate> {
    let (w, h) = image.dimensions();
    if w < 3 * CELL_PX || h < 3 * CELL_PX {
        return Vec::new();
    }
    let (cells, gw, gh) = tensor_cells(image, levels.noise);
    // Taken off, noise still leaves each cell's energy off by its own fluctuation (about
    // half the noise variance over a cell's samples): less than that is no bar.
    let floor = levels.floor + 0.5 * levels.noise;
    let max_turn = (2.0 * MAX_TURN_DEG).to_radians().cos();
    let mut label = vec![false; cells.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for start in 0..cells.len() {
        if label[start] || !is_bar(&cells[start], floor) {
            continue;
        }
        let mut stack = vec![start];
        let mut members = Vec::new();
        label[start] = true;
        while let Some(i) = stack.pop() {
            members.push(i);
            let (cx, cy) = (i64::from(i as u32 % gw), i64::from(i as u32 / gw));
            // Neighbours up to two cells away: the inside of a wide bar (4 modules at
            // 6 px/module) has no gradient and must not split a symbol in two.
            for (dx, dy) in NEIGHBOURS {
                let (nx, ny) = (cx + dx, cy + dy);
                if nx < 0 || ny < 0 || nx >= i64::from(gw) || ny >= i64::from(gh) {
                    continue;
                }
                let j = (ny as u32 * gw + nx as u32) as usize;
                let (a, b) = (cells[i].doubled, cells[j].doubled);
                if !label[j] && is_bar(&cells[j], floor) && a[0] * b[0] + a[1] * b[1] >= max_turn {
                    label[j] = true;
                    stack.push(j);
                }
            }
        }
        groups.push(members);
    }
    let mut found: Vec<Candidate> = join_collinear(
        groups
            .iter()
            .flat_map(|m| split(m, &cells, gw))
            .filter(|m| m.len() >= 3)
            .map(|m| region(&m, &cells, gw))
            .collect(),
    );
    found.sort_by(|a, b| {
        b.cells
            .cmp(&a.cells)
            .then(a.centre[1].total_cmp(&b.centre[1]))
    });
    found
}

/// Largest angle between two pieces of one symbol, degrees.
const JOIN_TURN_DEG: f64 = 6.0;
/// Largest gap between two pieces of one symbol, as a fraction of their height: wide
/// spaces of a symbol with large modules (a label printed big) leave no gradient over
/// several cells and cut it into pieces; neighbouring symbols stand further apart than
/// this (Annexe I puts ≥ 5 mm between symbols 4–10 mm high, side by side).
const JOIN_GAP: f64 = 0.35;

/// Joins candidates that are pieces of one symbol: parallel, side by side along their
/// scan direction, spanning the same stretch along the bars, close.
fn join_collinear(mut found: Vec<Candidate>) -> Vec<Candidate> {
    let parallel = JOIN_TURN_DEG.to_radians().cos();
    let pieces = |a: &Candidate, b: &Candidate| {
        let along = [-a.across[1], a.across[0]];
        let d = [b.centre[0] - a.centre[0], b.centre[1] - a.centre[1]];
        let (du, dv) = (
            d[0] * a.across[0] + d[1] * a.across[1],
            d[0] * along[0] + d[1] * along[1],
        );
        let (short, tall) = (
            a.half_height.min(b.half_height),
            a.half_height.max(b.half_height),
        );
        let overlap = (a.half_height + b.half_height - dv.abs()).min(2.0 * short);
        (a.across[0] * b.across[0] + a.across[1] * b.across[1]).abs() >= parallel
            && short >= 0.6 * tall
            && overlap >= 0.7 * 2.0 * short
            && du.abs() - a.half_length - b.half_length <= JOIN_GAP * 2.0 * short
    };
    while let Some((i, j)) = (0..found.len())
        .flat_map(|i| (i + 1..found.len()).map(move |j| (i, j)))
        .find(|&(i, j)| pieces(&found[i], &found[j]))
    {
        let b = found.swap_remove(j);
        found[i] = joined(&found[i], &b);
    }
    found
}

/// The box covering `a` and `b`, in `a`'s orientation.
fn joined(a: &Candidate, b: &Candidate) -> Candidate {
    let along = [-a.across[1], a.across[0]];
    let corners: Vec<[f64; 2]> = a.quad().into_iter().chain(b.quad()).collect();
    let span = |d: [f64; 2]| {
        corners.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            let t = p[0] * d[0] + p[1] * d[1];
            (lo.min(t), hi.max(t))
        })
    };
    let ((u0, u1), (v0, v1)) = (span(a.across), span(along));
    let (um, vm) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
    Candidate {
        centre: [
            um * a.across[0] + vm * along[0],
            um * a.across[1] + vm * along[1],
        ],
        across: a.across,
        half_length: (u1 - u0) / 2.0,
        half_height: (v1 - v0) / 2.0,
        cells: a.cells + b.cells,
    }
}

/// Cells of a group at most this many wide across the bars make a thin stretch (a rule,
/// a fold or a pen line running along the bars), not a symbol.
const THIN_CELLS: usize = 2;

/// Splits a group where it narrows to a thin stretch along the bars: a fold, a rule or a
/// sticker's edge parallel to the bars otherwise chains several symbols (and the page
/// furniture between them) into one tall region whose scanlines are spread too thin.
fn split(members: &[usize], cells: &[Cell], gw: u32) -> Vec<Vec<usize>> {
    let across = orientation(members, cells);
    let along = [-across[1], across[0]];
    let slab = |i: usize| {
        let p = cell_centre(i, gw);
        ((p[0] * along[0] + p[1] * along[1]) / f64::from(CELL_PX)).floor() as i64
    };
    let mut by_slab: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
    for &i in members {
        by_slab.entry(slab(i)).or_default().push(i);
    }
    let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
    for cells_here in by_slab.values() {
        if cells_here.len() <= THIN_CELLS {
            if !parts[parts.len() - 1].is_empty() {
                parts.push(Vec::new());
            }
        } else {
            let last = parts.len() - 1;
            parts[last].extend(cells_here);
        }
    }
    parts.retain(|p| !p.is_empty());
    // One wide part loses the thin stretch only when that is the longer (a fold running
    // off a symbol): a symbol's own thin edge rows stay with it.
    let thin = by_slab.values().filter(|c| c.len() <= THIN_CELLS).count();
    if parts.len() > 1 || (parts.len() == 1 && thin > by_slab.len() - thin) {
        return parts;
    }
    vec![members.to_vec()]
}

/// Centre of a cell, page pixels.
fn cell_centre(i: usize, gw: u32) -> [f64; 2] {
    let half = f64::from(CELL_PX) / 2.0;
    let (cx, cy) = (i as u32 % gw, i as u32 / gw);
    [
        f64::from(cx * CELL_PX) + half,
        f64::from(cy * CELL_PX) + half,
    ]
}

/// Unit vector across the bars of a group: the energy-weighted mean doubled angle.
fn orientation(members: &[usize], cells: &[Cell]) -> [f64; 2] {
    let (mut c2, mut s2) = (0.0, 0.0);
    for &i in members {
        let c = &cells[i];
        c2 += c.energy * c.doubled[0];
        s2 += c.energy * c.doubled[1];
    }
    let theta = s2.atan2(c2) / 2.0;
    [theta.cos(), theta.sin()]
}

/// The oriented box of a group of cells.
fn region(members: &[usize], cells: &[Cell], gw: u32) -> Candidate {
    let across = orientation(members, cells);
    let along = [-across[1], across[0]];
    let half = f64::from(CELL_PX) / 2.0;
    let centres: Vec<[f64; 2]> = members.iter().map(|&i| cell_centre(i, gw)).collect();
    let project = |d: [f64; 2]| {
        centres.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            let t = p[0] * d[0] + p[1] * d[1];
            (lo.min(t), hi.max(t))
        })
    };
    let ((u0, u1), (v0, v1)) = (project(across), project(along));
    let (um, vm) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
    Candidate {
        centre: [
            um * across[0] + vm * along[0],
            um * across[1] + vm * along[1],
        ],
        across,
        half_length: (u1 - u0) / 2.0 + half,
        half_height: (v1 - v0) / 2.0 + half,
        cells: members.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::geometry::{Homography, warp};
    use proptest::strategy::Strategy as _;

    fn bars() -> GrayImage {
        GrayImage::from_fn(400, 300, |x, y| {
            let inside = (100..300).contains(&x) && (120..180).contains(&y);
            image::Luma([if inside && (x / 3) % 2 == 0 { 0 } else { 255 }])
        })
    }

    /// Images of any size below `w` × `h` and any pixels.
    fn any_image(w: u32, h: u32) -> impl proptest::strategy::Strategy<Value = GrayImage> {
        (1..w, 1..h).prop_flat_map(|(w, h)| {
            proptest::collection::vec(proptest::num::u8::ANY, (w * h) as usize)
                .prop_map(move |pixels| GrayImage::from_raw(w, h, pixels).expect("w × h pixels"))
        })
    }

    proptest::proptest! {
        /// The texture map, vectorised and summed in pairs down the cell rows, equals the
        /// tensor of every cell summed sample by sample: every other pixel of every other
        /// row inside the cell, pixels on the image border left out.
        #[test]
        fn the_texture_map_equals_the_per_sample_tensor(
            image in any_image(80, 40)
        ) {
            let (w, h) = image.dimensions();
            let (cells, gw, gh) = tensor_sums(&image);
            proptest::prop_assert_eq!((gw, gh), (w / CELL_PX, h / CELL_PX));
            proptest::prop_assert_eq!(cells.len(), (gw * gh) as usize);
            let at = |x: u32, y: u32| i64::from(image.get_pixel(x, y)[0]);
            for (i, cell) in cells.iter().enumerate() {
                let (x0, y0) = ((i as u32 % gw) * CELL_PX, (i as u32 / gw) * CELL_PX);
                let (mut sums, mut n) = ([0i64; 3], 0u32);
                for y in (y0.max(1)..(y0 + CELL_PX).min(h - 1)).step_by(2) {
                    for x in (x0.max(1)..(x0 + CELL_PX).min(w - 1)).step_by(2) {
                        let (gx, gy) = (at(x + 1, y) - at(x - 1, y), at(x, y + 1) - at(x, y - 1));
                        sums[0] += gx * gx;
                        sums[1] += gy * gy;
                        sums[2] += gx * gy;
                        n += 1;
                    }
                }
                proptest::prop_assert_eq!(*cell, (sums, n), "cell {} of {}×{}", i, w, h);
            }
        }
    }

    proptest::proptest! {
        /// The vectorised half-size image is the rounded mean of every 2 × 2 block.
        #[test]
        fn the_half_image_is_the_mean_of_each_block(
            image in any_image(90, 9)
        ) {
            let (w, h) = image.dimensions();
            let half = halve(&image);
            proptest::prop_assert_eq!(half.dimensions(), (w / 2, h / 2));
            for (x, y, p) in half.enumerate_pixels() {
                let sum: u32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .iter()
                    .map(|&(dx, dy)| u32::from(image.get_pixel(2 * x + dx, 2 * y + dy)[0]))
                    .sum();
                proptest::prop_assert_eq!(u32::from(p[0]), (sum + 2) / 4, "({}, {})", x, y);
            }
        }
    }

    #[test]
    fn faint_blurred_bars_on_a_faded_page_are_found() {
        // Faded print: bars 150, paper 205, four-pixel modules, blurred. Their cells'
        // energy is below the floor of a page of full contrast.
        let page = GrayImage::from_fn(400, 300, |x, y| {
            let inside = (100..300).contains(&x) && (120..180).contains(&y);
            image::Luma([if inside && (x / 4) % 2 == 0 { 150 } else { 205 }])
        });
        let page = crate::synth::degrade::blur(&page, 2.0);
        let (cells, gw, _) = tensor_cells(&page, 0.0);
        let strongest = (10..15)
            .flat_map(|y| (9..24).map(move |x| (y * gw + x) as usize))
            .map(|i| cells[i].energy)
            .fold(0.0, f64::max);
        assert!(strongest < MIN_ENERGY, "{strongest}");
        let c = candidates(&page);
        assert!(
            c.iter()
                .any(|c| (c.centre[0] - 200.0).abs() < 15.0 && (c.centre[1] - 150.0).abs() < 15.0),
            "{c:?}"
        );
    }

    #[test]
    fn faded_bars_under_heavy_noise_are_found_once_the_noise_is_taken_off() {
        // Bars 150 on paper 210, four-pixel modules, pixel noise σ 22: the noise's
        // isotropic gradients bury the bars' coherence unless they are taken off.
        let page = GrayImage::from_fn(600, 400, |x, y| {
            let inside = (150..450).contains(&x) && (150..250).contains(&y);
            image::Luma([if inside && (x / 4) % 3 != 1 { 150 } else { 210 }])
        });
        let page = crate::synth::degrade::noise(&page, 22.0, &mut crate::synth::Rng::new(5));
        let levels = Levels::of(&page);
        assert!(levels.noise > 0.0, "the page counts as noisy: {levels:?}");
        let near = |c: &[Candidate]| {
            c.iter().any(|c| {
                (c.centre[0] - 300.0).abs() < 40.0
                    && (c.centre[1] - 200.0).abs() < 30.0
                    && c.half_length > 100.0
            })
        };
        let plain = Levels {
            noise: 0.0,
            ..levels
        };
        assert!(!near(&candidates_at_scale(&page, plain)), "noise left in");
        assert!(near(&candidates(&page)), "{:?}", candidates(&page));
    }

    #[test]
    fn a_small_crop_of_bars_is_not_taken_for_noise() {
        // 229 × 79 pixels of bars of 2 and 3 pixels (a peer suite's crop): every sparse
        // sample lies by an edge.
        let crop = GrayImage::from_fn(229, 79, |x, _| {
            image::Luma([if (x / 2 + x / 5) % 2 == 0 { 20 } else { 235 }])
        });
        let levels = Levels::of(&crop);
        assert_eq!(levels.noise, 0.0, "{levels:?}");
        // The same bars over a page's worth of samples do count (they are all edges).
        let page = GrayImage::from_fn(600, 400, |x, _| {
            image::Luma([if (x / 2 + x / 5) % 2 == 0 { 20 } else { 235 }])
        });
        assert!(Levels::of(&page).noise > 0.0);
    }

    #[test]
    fn finds_a_bar_region_and_its_orientation() {
        let c = candidates(&bars());
        assert!(!c.is_empty());
        let best = &c[0];
        assert!(
            best.across[0].abs() > 0.95,
            "scan direction is horizontal: {best:?}"
        );
        assert!((best.centre[0] - 200.0).abs() < 15.0 && (best.centre[1] - 150.0).abs() < 15.0);
        assert!(
            best.half_length > 80.0 && best.half_height > 20.0,
            "{best:?}"
        );
    }

    #[test]
    fn a_fold_running_off_a_symbol_is_not_part_of_it() {
        // Bars at y 120–180 and the edge of a fold's shadow from the top of the page to
        // the bottom, slanted a little, crossing them.
        let img = GrayImage::from_fn(400, 900, |x, y| {
            let fold = 220.0 - f64::from(y) * 0.05;
            let d = f64::from(x) - fold;
            let shade = if (0.0..2.0).contains(&d) {
                110
            } else if d > 0.0 {
                225
            } else {
                255
            };
            let inside = (100..300).contains(&x) && (120..180).contains(&y);
            image::Luma([if inside && (x / 3) % 2 == 0 { 0 } else { shade }])
        });
        let best = &candidates(&img)[0];
        assert!((best.centre[1] - 150.0).abs() < 15.0, "{best:?}");
        assert!(best.half_height < 50.0, "{best:?}");
    }

    #[test]
    fn follows_any_rotation() {
        let img = bars();
        let r = Homography::translate(200.0, 150.0)
            .after(&Homography::rotate(35.0))
            .after(&Homography::translate(-200.0, -150.0));
        let rotated = warp(&img, &r, 400, 300);
        let best = &candidates(&rotated)[0];
        let angle = best.across[1]
            .atan2(best.across[0])
            .to_degrees()
            .rem_euclid(180.0);
        assert!((angle - 35.0).abs() < 6.0, "angle {angle}");
    }

    #[test]
    fn halving_averages_each_two_by_two_block() {
        // Odd sides: the last column and row are dropped.
        let img = GrayImage::from_fn(7, 5, |x, y| image::Luma([((x * 37 + y * 91) % 256) as u8]));
        let half = halve(&img);
        assert_eq!(half.dimensions(), (3, 2));
        for (x, y, p) in half.enumerate_pixels() {
            let q = |dx: u32, dy: u32| u32::from(img.get_pixel(2 * x + dx, 2 * y + dy).0[0]);
            let mean = (q(0, 0) + q(1, 0) + q(0, 1) + q(1, 1) + 2) / 4;
            assert_eq!(u32::from(p.0[0]), mean, "({x}, {y})");
        }
    }

    #[test]
    fn large_pages_are_searched_at_half_size_in_page_pixels() {
        // 8-pixel bars on a 4000-pixel-wide page (600 dpi scans): found, centred right.
        let img = GrayImage::from_fn(4000, 400, |x, y| {
            let inside = (1000..2600).contains(&x) && (150..250).contains(&y);
            image::Luma([if inside && (x / 8) % 3 != 0 { 0 } else { 255 }])
        });
        let best = &candidates(&img)[0];
        assert!((best.centre[0] - 1800.0).abs() < 40.0, "{best:?}");
        assert!((best.centre[1] - 200.0).abs() < 20.0, "{best:?}");
        assert!(best.half_length > 700.0, "{best:?}");
    }

    #[test]
    fn a_symbol_with_large_modules_is_one_candidate() {
        // 10 px modules: its 4-module spaces leave 40 px without gradient, more than the
        // cells' reach, and the symbol comes in pieces that are joined.
        let mut img = GrayImage::from_pixel(1300, 800, image::Luma([255]));
        let block = crate::synth::Block {
            x_mm: 20.0,
            y_mm: 10.0,
            value: "10001045367".to_owned(),
            sets: crate::synth::code128::CodeSets::Shortest,
            x_dim_mm: 1.0,
            height_mm: 60.0,
            legend: None,
            hri: None,
            style: crate::synth::TextStyle::default(),
            bar_gain_mm: 0.0,
        };
        crate::synth::draw_block(&mut img, &block, 254.0).unwrap();
        let found = candidates(&img);
        let spanning: Vec<&Candidate> = found.iter().filter(|c| c.half_length > 400.0).collect();
        assert_eq!(spanning.len(), 1, "{found:?}");
        // 101 modules from x = 200: the box covers them all.
        let c = spanning[0];
        assert!(c.centre[0] - c.half_length <= 220.0, "{c:?}");
        assert!(c.centre[0] + c.half_length >= 1190.0, "{c:?}");
    }

    #[test]
    fn blank_and_tiny_pages_have_none() {
        assert!(candidates(&GrayImage::from_pixel(500, 500, image::Luma([255]))).is_empty());
        assert!(candidates(&GrayImage::from_pixel(10, 10, image::Luma([0]))).is_empty());
    }
}
