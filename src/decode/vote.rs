//! Per-character voting: the heads and tails that many parallel scanlines read of one
//! symbol, combined position by position.
//!
//! A stamp, a crease or a pen stroke crosses each scanline at a different place, so no
//! line may read the whole symbol while every character is read by several lines. Heads
//! (read on from the start character) and tails (read back from the stop pattern) are
//! grouped by where they begin along the lines; a head group and a tail group make a
//! symbol when the distance between them is a whole number of characters. Characters
//! that no head or tail reaches (between the two strokes of an X across the symbol) are
//! read at the place the two ends give them on each line. Each position takes the value
//! most lines give it, weighted by classification margin, and the symbol is kept only when
//! every position has at least [`MIN_VOTES`] lines, a clear majority, and the whole passes
//! the check character and the code-set machine; a symbol that no line read whole must
//! moreover have the shape of an identifier (digits), since a systematic misreading of
//! one character on many lines can otherwise meet a check character by chance (1 in 103).

use super::code128::{check_ok, text};
use super::patterns::{START_A, START_C};
use super::scan::LinePart;

/// Lines that must give a position its value.
pub const MIN_VOTES: usize = 2;
/// The winner's weight must be at least this many times the runner-up's.
const MAJORITY: f64 = 1.5;
/// Most symbol characters (start and check included) of a plausible symbol.
const MAX_CHARACTERS: usize = 60;

/// A symbol the votes agree on, with the places its ends were seen.
#[derive(Clone, Debug, PartialEq)]
pub struct Voted {
    /// Symbol characters: start, data, check.
    pub codewords: Vec<u8>,
    /// The decoded text.
    pub text: String,
    /// Code sets used, in order.
    pub code_sets: String,
    /// (line, distance along it) of the start's first edge, per line that read a head.
    pub starts: Vec<(usize, f64)>,
    /// (line, distance along it) of the stop's last edge, per line that read a tail.
    pub ends: Vec<(usize, f64)>,
}

/// One head or tail, with the line it was read on.
type Seen<'a> = (usize, &'a LinePart);

/// Reads the symbol character that begins at a distance along a line, given the line,
/// the distance, the module in px and whether the symbol runs against the line
/// ([`super::scan::char_at`] on the line's widths).
pub type GridRead<'a> = &'a dyn Fn(usize, f64, f64, bool) -> Option<(u8, f64)>;

/// What one line gives each position of a symbol: value and margin.
type GridLine = Vec<Option<(u8, f64)>>;

/// Combines the parts read on each line (`lines[k]` = parts of line `k`) into symbols;
/// with `grid`, the characters no head or tail settles are read at their place on each
/// line too.
pub fn combine(lines: &[Vec<LinePart>], grid: Option<GridRead>) -> Vec<Voted> {
    let all: Vec<Seen> = lines
        .iter()
        .enumerate()
        .flat_map(|(k, parts)| parts.iter().map(move |p| (k, p)))
        .collect();
    let heads = groups(all.iter().copied().filter(|(_, p)| p.head).collect());
    let tails = groups(all.iter().copied().filter(|(_, p)| !p.head).collect());
    let mut found: Vec<Voted> = Vec::new();
    let mut paired = vec![false; tails.len()];
    let mut heads_paired = vec![false; heads.len()];
    for (hi, h) in heads.iter().enumerate() {
        for (t, tail) in tails.iter().enumerate() {
            let whole = verified(h, tail);
            let banded = stacked(&whole);
            let voted: Vec<Voted> = if banded.len() >= 2 {
                banded
                    .into_iter()
                    .filter_map(|c| settled(c, h, tail))
                    .collect()
            } else {
                pair(h, tail, &whole, lines.len(), grid)
                    .into_iter()
                    .collect()
            };
            for v in voted {
                paired[t] = true;
                heads_paired[hi] = true;
                if !found.iter().any(|f| f.codewords == v.codewords) {
                    found.push(v);
                }
            }
        }
    }
    // Tails no head paired with may have read back through a start without quiet zone;
    // heads no tail paired with may have read on to a stop without one.
    let lone = (0..tails.len())
        .filter(|&t| !paired[t])
        .filter_map(|t| read_back(&tails[t]))
        .chain(
            (0..heads.len())
                .filter(|&h| !heads_paired[h])
                .filter_map(|h| read_forward(&heads[h])),
        );
    for v in lone {
        if !found.iter().any(|f| f.codewords == v.codewords) {
            found.push(v);
        }
    }
    found
}

/// The symbol a head group read on to a stop pattern that has no quiet zone after it (a
/// fold's line or a stamp's frame against the last bar, so no line saw a tail), kept as
/// [`read_back`] keeps one read back to a start. Its stop on each line lies the symbol's
/// length after the start's first edge.
fn read_forward(heads: &[Seen]) -> Option<Voted> {
    let through: Vec<(usize, &LinePart, Vec<u8>)> = heads
        .iter()
        .filter(|(_, p)| p.part.stopped)
        .map(|&(k, p)| (k, p, values(&p.part.chars)))
        .filter(|(_, _, c)| check_ok(c))
        .collect();
    let best = agreed(&through)?;
    let v = settled(best.clone(), heads, &[]).filter(|v| identifier_shaped(&v.text))?;
    let ends = symbol_ends(&through, &best, 1.0);
    Some(Voted { ends, ..v })
}

/// The symbol a tail group read back all the way to a start character that has no quiet
/// zone before it (a stamp's frame or a rule touching the first bar, so no line saw a
/// head): kept when at least [`MIN_VOTES`] lines read it so, more than read any other
/// such symbol, its check character holds and it has the shape of an identifier. Its
/// start on each line lies the symbol's length before the stop's last edge.
fn read_back(tails: &[Seen]) -> Option<Voted> {
    let through: Vec<(usize, &LinePart, Vec<u8>)> = tails
        .iter()
        .filter(|(_, p)| !p.part.whole)
        .map(|&(k, p)| (k, p, values(&p.part.chars)))
        .filter(|(_, _, c)| c.first().is_some_and(|v| (START_A..=START_C).contains(v)))
        .filter(|(_, _, c)| check_ok(c))
        .collect();
    let best = agreed(&through)?;
    let v = settled(best.clone(), &[], tails).filter(|v| identifier_shaped(&v.text))?;
    let starts = symbol_ends(&through, &best, -1.0);
    Some(Voted { starts, ..v })
}

/// Of parts read end to end but for a missing quiet zone, the characters at least
/// [`MIN_VOTES`] lines read, more than read any other such symbol (none read by over half
/// as many lines).
fn agreed(through: &[(usize, &LinePart, Vec<u8>)]) -> Option<Vec<u8>> {
    let lines_reading = |c: &[u8]| {
        let mut lines: Vec<usize> = through
            .iter()
            .filter(|(_, _, o)| o == c)
            .map(|(k, _, _)| *k)
            .collect();
        lines.sort_unstable();
        lines.dedup();
        lines.len()
    };
    let (_, _, best) = through.iter().max_by_key(|(_, _, c)| lines_reading(c))?;
    let votes = lines_reading(best);
    if votes < MIN_VOTES
        || through
            .iter()
            .any(|(_, _, c)| c != best && lines_reading(c) * 2 > votes)
    {
        return None;
    }
    Some(best.clone())
}

/// (line, distance) of the symbol's other end on each line whose part read `best`: the
/// symbol's length along the line from the part's own end, forward (`sign` 1: from a
/// head's start to the stop) or back (-1: from a tail's stop to the start).
fn symbol_ends(
    through: &[(usize, &LinePart, Vec<u8>)],
    best: &[u8],
    sign: f64,
) -> Vec<(usize, f64)> {
    let mut ends: Vec<(usize, f64)> = through
        .iter()
        .filter(|(_, _, c)| c == best)
        .map(|&(k, p, _)| {
            let length = (11 * best.len() + 13) as f64 * p.part.module;
            let along = if p.reversed { -sign } else { sign };
            (k, p.t + along * length)
        })
        .collect();
    ends.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    ends
}

/// Groups parts of the same direction that begin at about the same place along the lines.
fn groups(mut parts: Vec<Seen>) -> Vec<Vec<Seen>> {
    parts.sort_by(|a, b| {
        (a.1.reversed, a.1.t)
            .partial_cmp(&(b.1.reversed, b.1.t))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut out: Vec<Vec<Seen>> = Vec::new();
    for p in parts {
        match out.last_mut() {
            Some(g) if same_place(g[g.len() - 1].1, p.1) => g.push(p),
            _ => out.push(vec![p]),
        }
    }
    out
}

/// Modules apart along their lines within which two parts read the same way are taken
/// for the same end of one symbol.
const SAME_PLACE: f64 = 8.0;

/// Whether two parts (both heads or both tails) read in the same direction begin at about
/// the same place along their lines: the same end of one symbol.
pub(super) fn same_place(a: &LinePart, b: &LinePart) -> bool {
    a.reversed == b.reversed && (b.t - a.t).abs() <= SAME_PLACE * b.part.module.max(1.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The symbol a head group and a tail group make, if they belong together and the votes
/// settle every character; `verified` are their whole reads ([`verified`]).
fn pair(
    heads: &[Seen],
    tails: &[Seen],
    verified: &[(usize, Vec<u8>)],
    line_count: usize,
    grid: Option<GridRead>,
) -> Option<Voted> {
    let reversed = heads[0].1.reversed;
    if tails[0].1.reversed != reversed {
        return None;
    }
    let start = median(heads.iter().map(|(_, p)| p.t).collect());
    let end = median(tails.iter().map(|(_, p)| p.t).collect());
    let span = if reversed { start - end } else { end - start };
    if span <= 0.0 {
        return None;
    }
    // Lines that read the whole symbol and whose check character holds are independent
    // witnesses: two that agree settle it (a line whose whole read fails the check is
    // known to misread somewhere, and gives no vote).
    for (_, c) in verified {
        let agreeing = verified.iter().filter(|(_, o)| o == c).count();
        if agreeing >= MIN_VOTES * 2 - 1 || (agreeing >= MIN_VOTES && verified.len() == agreeing) {
            return settled(c.clone(), heads, tails);
        }
    }
    characters(heads, tails, span)
        .into_iter()
        .find_map(|count| vote(heads, tails, count, line_count, grid))
}

/// The symbol of `count` characters the parts of a head group and a tail group vote for,
/// if the votes settle every character.
fn vote(
    heads: &[Seen],
    tails: &[Seen],
    count: usize,
    line_count: usize,
    grid: Option<GridRead>,
) -> Option<Voted> {
    // The parts in play: (line, head, first position, characters); a whole read must be
    // of this length and check.
    let played: Vec<Played> = heads
        .iter()
        .map(|s| (s, true))
        .chain(tails.iter().map(|s| (s, false)))
        .filter_map(|(&(line, p), head)| {
            let n = p.part.chars.len();
            if n > count || (p.part.whole && (n != count || !check_ok(&values(&p.part.chars)))) {
                return None;
            }
            let offset = if head { 0 } else { count - n };
            Some((line, head, offset, &p.part.chars[..]))
        })
        .collect();
    // A line is read on from its end, character after character: once it gives a position
    // another value than the one the votes settle on, it may have lost its way (a merged
    // or split element), and what it reads beyond is no witness — motion blur misreads one
    // stretch alike on several lines, which would otherwise outvote the few right ones.
    // First each part votes up to its first disagreement (counted from its end) with the
    // winners of the previous round, until the rounds agree: the clean winners. Then a
    // part's stretch beyond a disagreement votes too when the part agrees with a clean
    // winner further on (a misread character that kept the line in step).
    let trust = |winners: &[Option<Winner>], resume: bool| -> Vec<Vec<bool>> {
        played
            .iter()
            .map(|&(_, head, offset, chars)| trusted(head, offset, chars, winners, resume))
            .collect()
    };
    let mut clean = trust(&[], false);
    let mut winners = tally(&played, &clean, count, line_count, None);
    for round in 0.. {
        let next = trust(&winners, false);
        if next == clean {
            break;
        }
        if round == MAX_ROUNDS {
            return None;
        }
        clean = next;
        winners = tally(&played, &clean, count, line_count, None);
    }
    let trusted = trust(&winners, true);
    let mut winners = tally(&played, &trusted, count, line_count, None);
    // A stroke across every line (an X over the symbol) leaves characters between its
    // crossings that no head or tail reaches: they are read where the two ends place
    // them on each line, once those reads agree with the heads and tails on both sides
    // (which ties the two ends together, as an overlap does).
    let mut joined = false;
    if let Some(read) = grid
        && !winners.iter().all(settles)
    {
        let reads = grid_reads(heads, tails, count, line_count, read);
        if aligned(&played, &trusted, &reads) {
            winners = tally(&played, &trusted, count, line_count, Some(&reads));
            joined = true;
        }
    }
    let mut codewords = Vec::with_capacity(count);
    for (pos, winner) in winners.into_iter().enumerate() {
        let Winner {
            value,
            lines,
            weight,
            second,
            ends,
        } = winner?;
        if lines < MIN_VOTES || weight < MAJORITY * second {
            return None;
        }
        // Heads and tails must overlap on a character they agree on: that is what ties
        // the two ends to one symbol of this length.
        joined |= ends == 3;
        let valid = if pos == 0 {
            (START_A..=START_C).contains(&value)
        } else {
            value < START_A
        };
        if !valid {
            return None;
        }
        codewords.push(value);
    }
    if !joined {
        return None;
    }
    // No line read this symbol whole: the votes may only give an identifier's shape.
    settled(codewords, heads, tails).filter(|v| identifier_shaped(&v.text))
}

/// The (line, symbol characters) of each line that read the symbol end to end, its check
/// character holding: its whole head is in this head group and its whole tail, alike, in
/// this tail group (symbols stacked on a pad can share a head group: their starts are
/// aligned). By line, then characters.
fn verified(heads: &[Seen], tails: &[Seen]) -> Vec<(usize, Vec<u8>)> {
    let whole = |group: &[Seen]| -> Vec<(usize, Vec<u8>)> {
        group
            .iter()
            .filter(|(_, p)| p.part.whole)
            .map(|(line, p)| (*line, values(&p.part.chars)))
            .filter(|(_, c)| check_ok(c))
            .collect()
    };
    let tail_reads = whole(tails);
    let mut verified: Vec<(usize, Vec<u8>)> = whole(heads)
        .into_iter()
        .filter(|r| tail_reads.contains(r))
        .collect();
    verified.sort();
    verified.dedup();
    verified
}

/// The symbols of the whole reads of a head and tail group when they fall in bands of
/// lines, one symbol each: each read by at least [`MIN_VOTES`] lines, and no line between
/// its first and last reading another. Symbols stacked on a pad, their starts and stops a
/// few modules apart, fall in one head group and one tail group; each is read whole by
/// the lines crossing it, and the other's whole reads are no vote against it.
fn stacked(verified: &[(usize, Vec<u8>)]) -> Vec<Vec<u8>> {
    let mut bands: Vec<Vec<u8>> = Vec::new();
    for (_, c) in verified {
        if bands.contains(c) {
            continue;
        }
        let lines: Vec<usize> = verified
            .iter()
            .filter(|(_, o)| o == c)
            .map(|(k, _)| *k)
            .collect();
        let (first, last) = (lines[0], lines[lines.len() - 1]);
        let alone = verified
            .iter()
            .all(|(k, o)| o == c || !(first..=last).contains(k));
        if lines.len() >= MIN_VOTES && alone {
            bands.push(c.clone());
        }
    }
    bands
}

/// Whether a position's winner stands: enough lines, and a clear majority.
fn settles(winner: &Option<Winner>) -> bool {
    winner
        .as_ref()
        .is_some_and(|w| w.lines >= MIN_VOTES && w.weight >= MAJORITY * w.second)
}

/// Each line's reads (`[line][position]`) of the `count` characters of the symbol whose
/// start the `heads` and stop the `tails` place: every line between the outermost of
/// theirs, at the places its two ends (seen, or drawn from the other lines' when the line
/// saw none) divide into the symbol's modules.
fn grid_reads(
    heads: &[Seen],
    tails: &[Seen],
    count: usize,
    line_count: usize,
    read: GridRead,
) -> Vec<GridLine> {
    let reversed = heads[0].1.reversed;
    let mut reads = vec![vec![None; count]; line_count];
    let lines = heads.iter().chain(tails).map(|(k, _)| *k);
    let (Some(lo), Some(hi)) = (lines.clone().min(), lines.max()) else {
        return reads;
    };
    let (starts, ends) = (ends_along(heads, lo, hi), ends_along(tails, lo, hi));
    let modules = (11 * count + 13) as f64;
    let step = if reversed { -11.0 } else { 11.0 };
    for (k, (start, end)) in (lo..=hi).zip(starts.into_iter().zip(ends)) {
        let module = (end - start).abs() / modules;
        for (pos, slot) in reads[k].iter_mut().enumerate() {
            *slot = read(k, start + step * pos as f64 * module, module, reversed);
        }
    }
    reads
}

/// Modules within which an end seen on a line is kept over the one the group's lines
/// draw for it.
const SEEN_OFF: f64 = 2.0;

/// Where one end of a symbol lies on each line from `lo` to `hi`: the straight line
/// through the group's (line, distance) points, or the distance the line itself saw when
/// that lies within [`SEEN_OFF`] modules of it.
fn ends_along(group: &[Seen], lo: usize, hi: usize) -> Vec<f64> {
    let points: Vec<(f64, f64)> = group.iter().map(|(k, p)| (*k as f64, p.t)).collect();
    let n = points.len() as f64;
    let (mk, mt) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (k, t)| (a + k / n, b + t / n));
    let (sxy, sxx) = points.iter().fold((0.0, 0.0), |(a, b), (k, t)| {
        (a + (k - mk) * (t - mt), b + (k - mk) * (k - mk))
    });
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let module = median(group.iter().map(|(_, p)| p.part.module).collect());
    (lo..=hi)
        .map(|k| {
            let drawn = mt + slope * (k as f64 - mk);
            let seen = group
                .iter()
                .filter(|(line, _)| *line == k)
                .map(|(_, p)| p.t)
                .min_by(|a, b| (a - drawn).abs().total_cmp(&(b - drawn).abs()));
            seen.filter(|t| (t - drawn).abs() <= SEEN_OFF * module)
                .unwrap_or(drawn)
        })
        .collect()
}

/// Whether the grid `reads` agree with what the heads and the tails `played` read where
/// both read (each part's `trusted` characters): on at least [`MIN_VOTES`] characters at
/// either end, and disagree on at most a quarter as many.
fn aligned(played: &[Played], trusted: &[Vec<bool>], reads: &[GridLine]) -> bool {
    let (mut agree, mut differ) = ([0usize; 2], [0usize; 2]);
    for (&(line, head, offset, chars), keep) in played.iter().zip(trusted) {
        let side = usize::from(!head);
        for (i, &(v, _)) in chars.iter().enumerate().filter(|(i, _)| keep[*i]) {
            match reads[line][offset + i] {
                Some((r, _)) if r == v => agree[side] += 1,
                Some(_) => differ[side] += 1,
                None => {}
            }
        }
    }
    (0..2).all(|s| agree[s] >= MIN_VOTES && 4 * differ[s] <= agree[s])
}

/// Rounds of [`pair`]'s trust in each part's votes that may pass before they agree.
const MAX_ROUNDS: usize = 8;

/// A part in play in [`pair`]: its line, whether it is a head, the position of its first
/// character, and its characters with their margins.
type Played<'a> = (usize, bool, usize, &'a [(u8, f64)]);

/// The value most weight gives a position, with the lines and weight behind it, the
/// runner-up's weight, and which ends gave it (1 = a head, 2 = a tail).
struct Winner {
    value: u8,
    lines: usize,
    weight: f64,
    second: f64,
    ends: u8,
}

/// Which characters of a part (a head when `head`, its first at position `offset`) vote,
/// given the `winners` of the positions (none yet: all of them): those read from its end
/// up to its first disagreement with a winner; with `resume`, also those beyond a
/// disagreement that lead up to an agreement (the line is back in step), though never
/// the disagreeing ones.
fn trusted(
    head: bool,
    offset: usize,
    chars: &[(u8, f64)],
    winners: &[Option<Winner>],
    resume: bool,
) -> Vec<bool> {
    let n = chars.len();
    let mut keep = vec![false; n];
    let (mut in_step, mut pending) = (true, Vec::new());
    // From the part's end: a head's first character, a tail's last.
    for i in (0..n).map(|k| if head { k } else { n - 1 - k }) {
        match winners.get(offset + i).and_then(Option::as_ref) {
            Some(w) if w.value != chars[i].0 => {
                if !resume {
                    break;
                }
                in_step = false;
                pending.clear();
            }
            Some(_) => {
                keep[i] = true;
                for p in pending.drain(..) {
                    keep[p] = true;
                }
                in_step = true;
            }
            None if in_step => keep[i] = true,
            None => pending.push(i),
        }
    }
    keep
}

/// Each position's [`Winner`] over the votes of the parts `played`, each for its
/// `trusted` characters only; a line contradicting itself at a position gives none there.
fn tally(
    played: &[Played],
    trusted: &[Vec<bool>],
    count: usize,
    line_count: usize,
    grid: Option<&[GridLine]>,
) -> Vec<Option<Winner>> {
    // Each line's votes: position → (value, weight).
    let mut votes: Vec<GridLine> = vec![vec![None; count]; line_count];
    let mut conflict = vec![vec![false; count]; line_count];
    let mut from = vec![vec![0u8; count]; line_count];
    for (&(line, head, offset, chars), keep) in played.iter().zip(trusted) {
        for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
            let pos = offset + i;
            let (v, margin) = chars[i];
            let slot = &mut votes[line][pos];
            match *slot {
                Some((old, _)) if old != v => conflict[line][pos] = true,
                _ => *slot = Some((v, 0.5 + margin)),
            }
            from[line][pos] |= if head { 1 } else { 2 };
        }
    }
    // Grid reads vote where the line's heads and tails gave nothing.
    for (line, reads) in grid.into_iter().flatten().enumerate() {
        for (pos, read) in reads.iter().enumerate() {
            if let (Some(r), None) = (read, votes[line][pos]) {
                votes[line][pos] = Some((r.0, 0.5 + r.1));
                from[line][pos] = 4;
            }
        }
    }
    (0..count)
        .map(|pos| {
            let mut tally: Vec<(u8, usize, f64, u8)> = Vec::new();
            for line in 0..line_count {
                let Some((v, w)) = votes[line][pos] else {
                    continue;
                };
                if conflict[line][pos] {
                    continue;
                }
                match tally.iter_mut().find(|e| e.0 == v) {
                    Some(e) => {
                        e.1 += 1;
                        e.2 += w;
                        e.3 |= from[line][pos];
                    }
                    None => tally.push((v, 1, w, from[line][pos])),
                }
            }
            tally.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
            let &(value, lines, weight, ends) = tally.first()?;
            Some(Winner {
                value,
                lines,
                weight,
                second: tally.get(1).map_or(0.0, |e| e.2),
                ends,
            })
        })
        .collect()
}

/// Whether a text has the shape of one of the identifiers the Instruction prints: 8 to 14
/// digits, a Corsican département (`2A`, `2B`) allowed in second place.
fn identifier_shaped(text: &str) -> bool {
    let b = text.as_bytes();
    (8..=14).contains(&b.len())
        && b.iter().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || (i == 1 && b[0] == b'2' && (*c == b'A' || *c == b'B'))
        })
}

fn values(chars: &[(u8, f64)]) -> Vec<u8> {
    chars.iter().map(|c| c.0).collect()
}

/// The symbol of `codewords` when its check character and code sets hold.
fn settled(codewords: Vec<u8>, heads: &[Seen], tails: &[Seen]) -> Option<Voted> {
    if !check_ok(&codewords) {
        return None;
    }
    let (text, code_sets) = text(&codewords)?;
    let heads = own_parts(heads, |c| codewords.starts_with(c));
    let tails = own_parts(tails, |c| codewords.ends_with(c));
    let lines = own_lines(&heads, &tails);
    // (line, distance) ordered by line (the geometry takes the outermost lines); all of
    // the group when none of its lines crossed the symbol's band.
    let ends_of = |group: &[Seen]| -> Vec<(usize, f64)> {
        let within = |(k, _): &&Seen| lines.as_ref().is_none_or(|l| l.contains(k));
        let group: Vec<&Seen> = if group.iter().any(|s| within(&s)) {
            group.iter().filter(within).collect()
        } else {
            group.iter().collect()
        };
        let mut seen: Vec<(usize, f64)> = group.iter().map(|(k, p)| (*k, p.t)).collect();
        seen.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        seen
    };
    Some(Voted {
        starts: ends_of(&heads),
        ends: ends_of(&tails),
        codewords,
        text,
        code_sets,
    })
}

/// The parts of a group that read this symbol (`fits` their characters): symbols stacked
/// with aligned starts (or ends) share a head (or tail) group, and the other symbol's
/// lines must not pull this one's geometry towards it. All of the group when none fits.
fn own_parts<'a>(group: &[Seen<'a>], fits: impl Fn(&[u8]) -> bool) -> Vec<Seen<'a>> {
    let own: Vec<Seen> = group
        .iter()
        .filter(|(_, p)| fits(&values(&p.part.chars)))
        .copied()
        .collect();
    if own.is_empty() { group.to_vec() } else { own }
}

/// The lines that crossed this symbol, from the heads and tails it owns: those that read
/// more than a start or a stop character (which fits every symbol of that code set: two
/// symbols side by side, their starts aligned, share head groups), and the lines that read
/// only one within [`LINE_GAP`] lines of them, band by band. `None` (every line) when no
/// part read more than one character.
fn own_lines(heads: &[Seen], tails: &[Seen]) -> Option<std::ops::RangeInclusive<usize>> {
    let parts = || heads.iter().chain(tails);
    let telling = parts()
        .filter(|(_, p)| p.part.chars.len() > 1)
        .map(|(k, _)| *k);
    let (mut lo, mut hi) = (telling.clone().min()?, telling.max()?);
    let mut plain: Vec<usize> = parts().map(|(k, _)| *k).collect();
    plain.sort_unstable();
    for &k in &plain {
        if k > hi && k - hi <= LINE_GAP {
            hi = k;
        }
    }
    for &k in plain.iter().rev() {
        if k < lo && lo - k <= LINE_GAP {
            lo = k;
        }
    }
    Some(lo..=hi)
}

/// Lines between a symbol's band and a line that read only its start or stop character
/// for that line to be taken to cross it.
const LINE_GAP: usize = 4;

/// Numbers of symbol characters (start and check included) between a head group and a
/// tail group, likeliest first: what whole reads say, else the span over the module when
/// it is close to a whole number of characters. When no whole read passes the check, the
/// span's count comes next: a stroke across the middle of a symbol (an X) merges elements
/// on the lines that cross it there, and their reads, whole but wrong, are a character
/// short.
fn characters(heads: &[Seen], tails: &[Seen], span: f64) -> Vec<usize> {
    let whole: Vec<(usize, bool)> = heads
        .iter()
        .chain(tails)
        .filter(|(_, p)| p.part.whole)
        .map(|(_, p)| (p.part.chars.len(), check_ok(&values(&p.part.chars))))
        .collect();
    let module = median(
        heads
            .iter()
            .chain(tails)
            .map(|(_, p)| p.part.module)
            .collect(),
    );
    let measured = (span / module - 13.0) / 11.0;
    let rounded = measured.round();
    let from_span = ((measured - rounded).abs() <= 0.3).then_some(rounded as usize);
    let mut counts = Vec::new();
    if whole.is_empty() {
        counts.extend(from_span);
    } else {
        // The most frequent whole length, which the geometry must not contradict.
        let mut best = (0, 0);
        for &(n, _) in &whole {
            let c = whole.iter().filter(|&&(m, _)| m == n).count();
            if c > best.1 || (c == best.1 && n < best.0) {
                best = (n, c);
            }
        }
        if (measured - best.0 as f64).abs() <= 1.0 {
            counts.push(best.0);
        }
        if whole.iter().all(|&(_, checks)| !checks) {
            counts.extend(from_span.filter(|&n| n != best.0));
        }
    }
    counts.retain(|n| (3..=MAX_CHARACTERS).contains(n));
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::code128::Partial;
    use crate::synth::code128::{CodeSets, codewords};

    fn part(cw: &[u8], head: bool, module: f64, t: f64, whole: bool) -> LinePart {
        LinePart {
            part: Partial {
                chars: cw.iter().map(|&v| (v, 0.4)).collect(),
                at: 0,
                module,
                whole,
                stopped: false,
            },
            head,
            reversed: false,
            t,
        }
    }

    /// Heads and tails of a symbol of `cw` at 2 px/module starting at t = 50, with the
    /// line cut after `head` characters and before the last `tail` ones.
    fn cut(cw: &[u8], head: usize, tail: usize) -> Vec<LinePart> {
        let end = 50.0 + 2.0 * (11 * cw.len() + 13) as f64;
        vec![
            part(&cw[..head], true, 2.0, 50.0, false),
            part(&cw[cw.len() - tail..], false, 2.0, end, false),
        ]
    }

    /// A line that read the symbol of `cw` whole, at 2 px/module from t = `start`.
    fn whole_read(cw: &[u8], start: f64) -> Vec<LinePart> {
        let end = start + 2.0 * (11 * cw.len() + 13) as f64;
        vec![
            part(cw, true, 2.0, start, true),
            part(cw, false, 2.0, end, true),
        ]
    }

    /// The symbols `lines` vote for, each with the lines of its starts, by value.
    fn starts_by_value(lines: &[Vec<LinePart>]) -> Vec<(String, Vec<usize>)> {
        let mut voted: Vec<(String, Vec<usize>)> = combine(lines, None)
            .into_iter()
            .map(|v| (v.text, v.starts.iter().map(|s| s.0).collect()))
            .collect();
        voted.sort();
        voted
    }

    #[test]
    fn stacked_symbols_with_aligned_starts_keep_their_own_lines() {
        // Lines 0–3 cross an RPPS symbol, lines 4–7 a FINESS symbol below it, both
        // starting at t = 50: one head group, two tail groups.
        let rpps = codewords("10001045367", CodeSets::Shortest).unwrap();
        let finess = codewords("750712184", CodeSets::Shortest).unwrap();
        let lines: Vec<Vec<LinePart>> = (0..8)
            .map(|k| whole_read(if k < 4 { &rpps } else { &finess }, 50.0))
            .collect();
        let voted = combine(&lines, None);
        assert_eq!(voted.len(), 2);
        for v in &voted {
            let own: Vec<usize> = if v.text == "750712184" {
                (4..8).collect()
            } else {
                (0..4).collect()
            };
            let lines = |seen: &[(usize, f64)]| seen.iter().map(|s| s.0).collect::<Vec<_>>();
            assert_eq!(lines(&v.starts), own, "{}", v.text);
            assert_eq!(lines(&v.ends), own, "{}", v.text);
        }
    }

    #[test]
    fn a_start_read_alone_across_another_symbol_is_not_this_ones() {
        // A sticker's RPPS (lines 0–3) and FINESS (lines 10–13) side by side, starts
        // aligned; line 14 reads only the FINESS's start character, which fits the RPPS
        // too. Taken for the RPPS's, it would stretch the RPPS over both symbols.
        let rpps = codewords("10001045367", CodeSets::Shortest).unwrap();
        let finess = codewords("190022962", CodeSets::Shortest).unwrap();
        assert_eq!(rpps[0], finess[0]);
        let lines: Vec<Vec<LinePart>> = (0..15)
            .map(|k| match k {
                0..=3 => whole_read(&rpps, 50.0),
                10..=13 => whole_read(&finess, 50.0),
                14 => vec![part(&finess[..1], true, 2.0, 50.0, false)],
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(
            starts_by_value(&lines),
            [
                ("10001045367".to_string(), vec![0, 1, 2, 3]),
                ("190022962".to_string(), vec![10, 11, 12, 13, 14])
            ]
        );
    }

    #[test]
    fn stacked_symbols_whose_ends_are_a_few_modules_apart_are_each_read_by_their_lines() {
        // A sticker's RPPS (lines 0–1) and FINESS (lines 4–5) a few modules apart at both
        // ends: one head group and one tail group, read whole by two lines each.
        let rpps = codewords("10668759797", CodeSets::Shortest).unwrap();
        let finess = codewords("630947653", CodeSets::Shortest).unwrap();
        let lines: Vec<Vec<LinePart>> = (0..6)
            .map(|k| match k {
                0 | 1 => whole_read(&rpps, 50.0),
                4 | 5 => whole_read(&finess, 62.0),
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(
            starts_by_value(&lines),
            [
                ("10668759797".to_string(), vec![0, 1]),
                ("630947653".to_string(), vec![4, 5])
            ]
        );
        // A third value read whole between the RPPS's lines leaves it unsettled by bands.
        let mut crossed = lines.clone();
        crossed.insert(
            1,
            whole_read(&codewords("10001045367", CodeSets::Shortest).unwrap(), 50.0),
        );
        assert_eq!(stacked(&verified_of(&crossed)), [finess]);
    }

    /// Every line's parts as one head group and one tail group's whole reads.
    fn verified_of(lines: &[Vec<LinePart>]) -> Vec<(usize, Vec<u8>)> {
        let all: Vec<Seen> = lines
            .iter()
            .enumerate()
            .flat_map(|(k, parts)| parts.iter().map(move |p| (k, p)))
            .collect();
        let (heads, tails): (Vec<Seen>, Vec<Seen>) = all.into_iter().partition(|(_, p)| p.head);
        verified(&heads, &tails)
    }

    /// A stamp's frame touches the first bar: no line sees a head, but tails read back
    /// through the start character (no quiet zone before it, so not whole).
    #[test]
    fn tails_read_back_to_a_start_without_quiet_zone_make_the_symbol() {
        let cw = codewords("370503633", CodeSets::Shortest).unwrap();
        let end = 50.0 + 2.0 * (11 * cw.len() + 13) as f64;
        let back = |cw: &[u8]| vec![part(cw, false, 2.0, end, false)];
        let voted = combine(&[back(&cw), back(&cw), vec![]], None);
        assert_eq!(voted.len(), 1);
        assert_eq!(voted[0].text, "370503633");
        let starts: Vec<(usize, i64)> = voted[0]
            .starts
            .iter()
            .map(|&(k, t)| (k, t.round() as i64))
            .collect();
        assert_eq!(starts, [(0, 50), (1, 50)]);
        // One line is not enough; nor two against two that read another valid symbol.
        assert!(combine(&[back(&cw)], None).is_empty());
        let other = codewords("370503641", CodeSets::Shortest).unwrap();
        assert!(combine(&[back(&cw), back(&cw), back(&other), back(&other)], None).is_empty());
        // A check character that fails, or a text that is no identifier, gives nothing.
        let mut wrong = cw.clone();
        wrong[2] = (wrong[2] + 1) % 100;
        assert!(combine(&[back(&wrong), back(&wrong)], None).is_empty());
        let word = codewords("ORDO-123", CodeSets::Shortest).unwrap();
        assert!(combine(&[back(&word), back(&word)], None).is_empty());
    }

    #[test]
    fn heads_read_on_to_a_stop_without_quiet_zone_make_the_symbol() {
        let cw = codewords("750851024", CodeSets::Shortest).unwrap();
        let on = |cw: &[u8], stopped: bool| {
            let mut head = part(cw, true, 2.0, 50.0, false);
            head.part.stopped = stopped;
            vec![head]
        };
        let voted = combine(&[on(&cw, true), on(&cw, true), vec![]], None);
        assert_eq!(voted.len(), 1);
        assert_eq!(voted[0].text, "750851024");
        let end = (50.0 + 2.0 * (11 * cw.len() + 13) as f64).round() as i64;
        let ends: Vec<(usize, i64)> = voted[0]
            .ends
            .iter()
            .map(|&(k, t)| (k, t.round() as i64))
            .collect();
        assert_eq!(ends, [(0, end), (1, end)]);
        // Not without the stop pattern seen; not on one line; not against two lines that
        // read another valid symbol; not with a check character that fails.
        assert!(combine(&[on(&cw, false), on(&cw, false)], None).is_empty());
        assert!(combine(&[on(&cw, true)], None).is_empty());
        let other = codewords("750851032", CodeSets::Shortest).unwrap();
        let crowd = [
            on(&cw, true),
            on(&cw, true),
            on(&other, true),
            on(&other, true),
        ];
        assert!(combine(&crowd, None).is_empty());
        let mut wrong = cw.clone();
        wrong[2] = (wrong[2] + 1) % 100;
        assert!(combine(&[on(&wrong, true), on(&wrong, true)], None).is_empty());
    }

    #[test]
    fn lines_each_missing_a_different_character_make_the_whole_symbol() {
        let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
        let n = cw.len();
        // Every line loses one character (a different one), none reads the whole.
        let lines: Vec<Vec<LinePart>> = (1..n - 1).map(|k| cut(&cw, k, n - k - 1)).collect();
        let voted = combine(&lines, None);
        assert_eq!(voted.len(), 1);
        assert_eq!(voted[0].text, "10001045367");
        assert_eq!(voted[0].codewords, cw);
    }

    #[test]
    fn whole_reads_a_character_short_that_fail_the_check_do_not_set_the_length() {
        let cw = codewords("10928616167", CodeSets::Shortest).unwrap();
        let n = cw.len();
        let mut lines: Vec<Vec<LinePart>> = (1..n - 1).map(|k| cut(&cw, k, n - k - 1)).collect();
        // Two lines cross a stroke over characters 4 and 5, whose merged elements read as
        // one character: whole reads, one character short, failing the check.
        let mut short = cw.clone();
        short.splice(4..6, [41 + 1]);
        assert!(!check_ok(&short));
        let end = 50.0 + 2.0 * (11 * n + 13) as f64;
        for _ in 0..2 {
            lines.push(vec![
                part(&short, true, 2.0, 50.0, true),
                part(&short, false, 2.0, end, true),
            ]);
        }
        let voted = combine(&lines, None);
        assert_eq!(voted.len(), 1);
        assert_eq!(voted[0].codewords, cw);
    }

    #[test]
    fn a_position_seen_by_one_line_only_is_not_guessed() {
        let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
        let n = cw.len();
        // Character 3 is only ever read by the first line.
        let lines = vec![cut(&cw, 4, n - 4), cut(&cw, 3, n - 4), cut(&cw, 2, n - 4)];
        assert!(combine(&lines, None).is_empty());
    }

    #[test]
    fn a_disputed_position_needs_a_clear_majority_and_the_check_character() {
        let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
        let n = cw.len();
        let mut wrong = cw.clone();
        wrong[2] = (wrong[2] + 1) % 100;
        // Two lines say one thing, two another: no majority.
        let lines = vec![
            cut(&cw, n - 2, n - 1),
            cut(&cw, n - 2, n - 1),
            cut(&wrong, n - 2, n - 1),
            cut(&wrong, n - 2, n - 1),
        ];
        assert!(combine(&lines, None).is_empty());
        // Three against one: the majority wins, and the check character confirms it.
        let lines = vec![
            cut(&cw, n - 2, n - 1),
            cut(&cw, n - 2, n - 1),
            cut(&cw, n - 2, n - 1),
            cut(&wrong, n - 2, n - 1),
        ];
        assert_eq!(combine(&lines, None)[0].codewords, cw);
        // A majority for a value the check character refutes gives nothing.
        let lines = vec![
            cut(&wrong, n - 2, n - 1),
            cut(&wrong, n - 2, n - 1),
            cut(&wrong, n - 2, n - 1),
        ];
        assert!(combine(&lines, None).is_empty());
    }

    /// A head of `chars` and a tail of `chars`, both of a symbol of `n` characters at 2
    /// px/module starting at t = 50.
    fn ends(head: &[u8], tail: &[u8], n: usize) -> Vec<LinePart> {
        let end = 50.0 + 2.0 * (11 * n + 13) as f64;
        vec![
            part(head, true, 2.0, 50.0, false),
            part(tail, false, 2.0, end, false),
        ]
    }

    #[test]
    fn lines_that_lost_their_step_do_not_outvote_a_right_one() {
        // Motion blur: two lines misread the symbol's middle alike after each went wrong
        // earlier on; their values at positions 4 and 5 keep the check character, and only
        // one line reads those positions right.
        let cw = codewords("10253529019", CodeSets::Shortest).unwrap();
        let n = cw.len();
        assert!(n > 7 && cw[4] < 95 && cw[5] >= 4, "{cw:?}");
        let mut wrong = cw.clone();
        (wrong[4], wrong[5]) = (cw[4] + 5, cw[5] - 4);
        assert!(
            check_ok(&wrong),
            "4 × 5 − 5 × 4 = 0: the check character holds"
        );
        let other = |v: u8| (v + 1) % 100;
        let mut lines: Vec<Vec<LinePart>> = (0..6).map(|_| ends(&cw[..4], &cw[6..], n)).collect();
        // Wrong from position 3 on, and wrong again at position 6.
        let mut lost = wrong[..7].to_vec();
        lost[3] = other(cw[3]);
        lost[6] = other(cw[6]);
        lines.push(vec![part(&lost, true, 2.0, 50.0, false)]);
        // Wrong from position 2 on.
        let mut lost = wrong[..6].to_vec();
        (lost[2], lost[3]) = (other(cw[2]), other(cw[3]));
        lines.push(vec![part(&lost, true, 2.0, 50.0, false)]);
        lines.push(ends(&cw[..1], &cw[2..], n));
        assert!(
            combine(&lines, None).is_empty(),
            "{:?}",
            combine(&lines, None)
        );
        // A second right line settles it.
        lines.push(ends(&cw[..1], &cw[2..], n));
        assert_eq!(combine(&lines, None)[0].codewords, cw);
    }

    #[test]
    fn a_line_that_misreads_one_character_and_keeps_step_still_votes_beyond_it() {
        let cw = codewords("10429183741", CodeSets::Shortest).unwrap();
        let n = cw.len();
        // Positions 4 and 5 are read only by two tails that misread position n − 2 (one
        // element misplaced, the line still in step), and agree again at n − 3 and 3.
        let mut misread = cw[3..].to_vec();
        let k = misread.len() - 2;
        misread[k] = (misread[k] + 1) % 100;
        let mut lines: Vec<Vec<LinePart>> = (0..2).map(|_| ends(&cw[..1], &misread, n)).collect();
        lines.extend((0..5).map(|_| ends(&cw[..4], &cw[6..], n)));
        assert_eq!(combine(&lines, None)[0].codewords, cw);
    }

    #[test]
    fn heads_and_tails_that_never_overlap_are_not_joined() {
        let cw = codewords("10001045367", CodeSets::Shortest).unwrap();
        let n = cw.len();
        // Every head stops at character 4 and every tail begins at 5: nothing ties them
        // (the length could be wrong), so nothing is reported.
        let lines: Vec<Vec<LinePart>> = (0..6).map(|_| cut(&cw, 5, n - 5)).collect();
        assert!(combine(&lines, None).is_empty());
        // One line reading across the junction is enough.
        let mut lines = lines;
        lines.push(cut(&cw, 6, n - 4));
        lines.push(cut(&cw, 6, n - 4));
        assert_eq!(combine(&lines, None)[0].codewords, cw);
    }

    #[test]
    fn votes_give_only_identifier_shaped_values() {
        for ok in ["10001045367", "750712184", "2A0000061", "810001045367"] {
            assert!(identifier_shaped(ok), "{ok}");
        }
        for junk in [
            "3,&f/+",
            "1234567",
            "12345678901234567",
            "1A0000061",
            "750 712184",
        ] {
            assert!(!identifier_shaped(junk), "{junk}");
        }
        // A symbol of text read only in parts is not reported, however clear the votes.
        let cw = codewords("Hello, RPPS", CodeSets::BOnly).unwrap();
        let n = cw.len();
        let lines: Vec<Vec<LinePart>> = (0..6).map(|_| cut(&cw, 6, n - 4)).collect();
        assert!(combine(&lines, None).is_empty());
    }

    /// An X across the symbol: on line `k` of `lines`, its two strokes cross the
    /// characters at `k` and `n - 1 - k` (the same one on the middle line), so heads stop
    /// before the first crossing, tails after the second, and no head or tail ever reads
    /// the middle character.
    fn crossed(cw: &[u8], lines: usize) -> Vec<Vec<LinePart>> {
        (0..lines)
            .map(|k| {
                let near = k.min(lines - 1 - k) + 1;
                cut(cw, near, near)
            })
            .collect()
    }

    #[test]
    fn characters_between_the_strokes_of_an_x_are_read_at_their_place_on_the_grid() {
        let cw = codewords("10721694627", CodeSets::Shortest).unwrap();
        let n = cw.len();
        let lines = crossed(&cw, 8);
        assert!(combine(&lines, None).is_empty());
        // The grid: character p of line k begins 11 p modules after the start at t = 50
        // (2 px modules); the strokes spoil the characters they cross.
        let crossing = |k: usize, p: usize| {
            let near = k.min(7 - k) + 1;
            p == near || p == n - 1 - near
        };
        let values = &cw;
        let grid = |shift: usize| {
            move |k: usize, t: f64, module: f64, reversed: bool| {
                assert!(!reversed && (module - 2.0).abs() < 1e-9, "{module}");
                let p = ((t - 50.0) / 22.0).round() as usize + shift;
                (!crossing(k, p))
                    .then(|| values.get(p).map(|&v| (v, 0.3)))
                    .flatten()
            }
        };
        let right = grid(0);
        let voted = combine(&lines, Some(&right));
        assert_eq!(voted.len(), 1);
        assert_eq!(voted[0].codewords, cw);
        // A grid one character out of step with the heads and tails reads nothing.
        let shifted = grid(1);
        assert!(combine(&lines, Some(&shifted)).is_empty());
    }

    #[test]
    fn a_span_that_is_not_whole_characters_pairs_nothing() {
        let cw = codewords("750712184", CodeSets::Shortest).unwrap();
        let n = cw.len();
        let mut lines = vec![cut(&cw, 3, n - 3), cut(&cw, 3, n - 3)];
        for l in &mut lines {
            l[1].t += 11.0; // five and a half modules off
        }
        assert!(combine(&lines, None).is_empty());
    }
}
