//! `ordoscan-eval text DIR [--misses]`: reads the legend and HRI of every truth symbol of a
//! generated corpus, using the truth quad (so locate and decode do not count), with the
//! truth value as the confirming hint, and scores legend kind, exact legend, HRI reads and
//! false HRI alarms, overall, over the symbols the bars are set on (bars readable
//! in truth, a legend printed), over those of them whose legend — and whose HRI — is still
//! on the image (the truth's `legend_legible`, `hri_legible`: read the legend-kind column
//! of the first rows, the HRI columns of the second), and per degradation and resolution
//! (all symbols).
//!
//! With `ORDOSCAN_TEXT_DUMP=DIR` set, the strips and line crops of every symbol are written
//! there as PNG (`NNNNN-above.png`, `-below.png`, `-legend.png`, `-hri.png`) with
//! `truth.tsv` (crop number, page, dpi, degradations, truth legend, truth HRI, value, our
//! legend, our HRI, whether confident), for looking at misses and for
//! `bench/tesseract_text.sh`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use ordoscan::decode::Symbol;
use ordoscan::ids::IdKind;
use ordoscan::synth::corpus::{CorpusTruth, SymbolTruth};
use ordoscan::text::{SPELLINGS, TextRead, crops, read_texts};

#[derive(Default, Clone, Copy)]
struct Tally {
    symbols: usize,
    legend_kind_right: usize,
    legend_kind_wrong: usize,
    legend_exact: usize,
    hri_exact: usize,
    hri_confident_exact: usize,
    hri_confident_wrong: usize,
    false_alarms: usize,
    mismatches: usize,
    mismatches_caught: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.symbols += o.symbols;
        self.legend_kind_right += o.legend_kind_right;
        self.legend_kind_wrong += o.legend_kind_wrong;
        self.legend_exact += o.legend_exact;
        self.hri_exact += o.hri_exact;
        self.hri_confident_exact += o.hri_confident_exact;
        self.hri_confident_wrong += o.hri_confident_wrong;
        self.false_alarms += o.false_alarms;
        self.mismatches += o.mismatches;
        self.mismatches_caught += o.mismatches_caught;
    }

    fn row(&self, name: &str) -> String {
        let r = |n: usize| n as f64 / self.symbols.max(1) as f64;
        format!(
            "| {name} | {} | {:.3} | {} | {:.3} | {:.3} | {:.3} | {} | {} | {}/{} |",
            self.symbols,
            r(self.legend_kind_right),
            self.legend_kind_wrong,
            r(self.legend_exact),
            r(self.hri_exact),
            r(self.hri_confident_exact),
            self.hri_confident_wrong,
            self.false_alarms,
            self.mismatches_caught,
            self.mismatches,
        )
    }
}

fn score(s: &SymbolTruth, read: &TextRead) -> Tally {
    let kind_of = |l: &str| SPELLINGS.iter().find(|x| x.0 == l).map(|x| x.1);
    let truth_kind: Option<IdKind> = s.legend.as_deref().and_then(kind_of);
    let truth_hri: Option<String> = s.hri.as_ref().map(|h| h.replace(' ', ""));
    let hri_right = read.hri.is_some() && read.hri == truth_hri;
    // A reading cut short by a pen or a stamp has `?` for the digits not read: it is
    // right when every digit it read is the printed one.
    let hri_consistent = match (&read.hri, &truth_hri) {
        (Some(r), Some(t)) => {
            r.len() == t.len() && r.bytes().zip(t.bytes()).all(|(a, b)| a == b'?' || a == b)
        }
        _ => false,
    };
    let confident_differs = read.hri_confident && read.hri.as_deref() != Some(s.value.as_str());
    let mismatch = truth_hri.as_deref().is_some_and(|h| h != s.value);
    Tally {
        symbols: 1,
        legend_kind_right: usize::from(
            read.legend_kind.is_some() && read.legend_kind == truth_kind,
        ),
        legend_kind_wrong: usize::from(
            read.legend_kind.is_some() && read.legend_kind != truth_kind,
        ),
        legend_exact: usize::from(read.legend.is_some() && read.legend == s.legend),
        hri_exact: usize::from(hri_right),
        hri_confident_exact: usize::from(hri_right && read.hri_confident),
        hri_confident_wrong: usize::from(!hri_consistent && read.hri_confident),
        false_alarms: usize::from(confident_differs && !mismatch),
        mismatches: usize::from(mismatch),
        mismatches_caught: usize::from(mismatch && confident_differs && hri_consistent),
    }
}

/// Scores the text reader on the corpus in `dir`.
pub fn run(dir: &Path, misses: bool) -> anyhow::Result<()> {
    let truths: Vec<CorpusTruth> = super::truths(dir)?;
    let mut groups: BTreeMap<(u8, String), Tally> = BTreeMap::new();
    let mut total = Tally::default();
    let mut readable = Tally::default();
    // The fax bar: the same symbols on 200 dpi faxes.
    let mut readable_fax = Tally::default();
    // The same symbols whose legend (HRI) is still on the image, as the truth's oracle
    // sees it; all, and on 200 dpi faxes.
    let mut on_image = [[Tally::default(); 2]; 2];
    let mut seconds = 0.0;
    let dump = std::env::var_os("ORDOSCAN_TEXT_DUMP").map(std::path::PathBuf::from);
    let mut tsv = String::new();
    let mut n = 0usize;
    for truth in &truths {
        let Some(page) = super::load_one(&dir.join(&truth.file)) else {
            continue;
        };
        let symbols: Vec<Symbol> = truth.symbols.iter().map(SymbolTruth::as_found).collect();
        let hints: Vec<Option<&str>> = truth
            .symbols
            .iter()
            .map(|s| Some(s.value.as_str()))
            .collect();
        let started = Instant::now();
        let reads = read_texts(&page.image, &symbols, truth.dpi, &hints);
        seconds += started.elapsed().as_secs_f64();
        for ((s, symbol), read) in truth.symbols.iter().zip(&symbols).zip(&reads) {
            let t = score(s, read);
            if let Some(dir) = &dump {
                n += 1;
                tsv.push_str(&dump_crops(dir, n, &page.image, symbol, truth, s, read)?);
            }
            if misses && (t.hri_confident_exact == 0 || t.legend_kind_right == 0) {
                eprintln!(
                    "{} {:?} {:?} {} {:?}: read {:?} {:?} {:?} confident={} heights {:?} {:?}",
                    truth.file,
                    s.legend,
                    s.hri,
                    truth.dpi,
                    truth.degradations,
                    read.legend,
                    read.legend_kind,
                    read.hri,
                    read.hri_confident,
                    read.legend_height_mm,
                    read.hri_height_mm
                );
            }
            total.add(&t);
            // The bars are on symbols whose bars are readable and that have a
            // legend (an unreadable symbol's text is most often as lost as its bars).
            if s.readable && s.legend.is_some() {
                let fax = truth.dpi == 200.0 && truth.degradations.iter().any(|d| d == "fax");
                readable.add(&t);
                if fax {
                    readable_fax.add(&t);
                }
                for (line, legible) in [s.legend_legible, s.hri_legible].into_iter().enumerate() {
                    if legible {
                        on_image[line][0].add(&t);
                        if fax {
                            on_image[line][1].add(&t);
                        }
                    }
                }
            }
            let mut keys = vec![(1, format!("{} dpi", truth.dpi))];
            if truth.degradations.is_empty() {
                keys.push((0, "clean".to_owned()));
            }
            keys.extend(truth.degradations.iter().map(|d| (0, d.clone())));
            for k in keys {
                groups.entry(k).or_default().add(&t);
            }
        }
    }
    if let Some(dir) = &dump {
        std::fs::write(dir.join("truth.tsv"), tsv)?;
    }
    println!(
        "text reader on {} (truth quads, truth value as hint)\n",
        dir.display()
    );
    println!(
        "| group | symbols | legend kind right | legend kind wrong | legend exact | HRI exact | HRI exact & confident | HRI confident & wrong | false hri_mismatch | true mismatches caught |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!("{}", total.row("**all**"));
    println!("{}", readable.row("**readable, with a legend**"));
    println!(
        "{}",
        readable_fax.row("**readable, with a legend, 200 dpi fax**")
    );
    for (line, name) in ["legend", "HRI"].iter().enumerate() {
        for (fax, suffix) in ["", ", 200 dpi fax"].iter().enumerate() {
            let row = format!("**readable, with a legend, {name} on the image{suffix}**");
            println!("{}", on_image[line][fax].row(&row));
        }
    }
    for ((_, g), t) in &groups {
        println!("{}", t.row(g));
    }
    println!(
        "\n{:.2} ms/symbol (read_texts only, one thread)",
        1000.0 * seconds / total.symbols.max(1) as f64
    );
    Ok(())
}

/// Writes the crops of one symbol as `dir/NNNNN-*.png`; returns its `truth.tsv` row.
fn dump_crops(
    dir: &Path,
    n: usize,
    image: &image::GrayImage,
    symbol: &Symbol,
    truth: &CorpusTruth,
    s: &SymbolTruth,
    read: &TextRead,
) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir)?;
    if let Some(c) = crops(image, symbol, truth.dpi) {
        let named = [
            ("above", Some(&c.above)),
            ("below", Some(&c.below)),
            ("legend", c.legend.as_ref()),
            ("hri", c.hri.as_ref()),
        ];
        for (name, img) in named {
            if let Some(img) = img {
                img.save(dir.join(format!("{n:05}-{name}.png")))?;
            }
        }
    }
    Ok(format!(
        "{n:05}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        truth.file,
        truth.dpi,
        truth.degradations.join(","),
        s.legend.as_deref().unwrap_or(""),
        s.hri.as_deref().unwrap_or(""),
        s.value,
        read.legend.as_deref().unwrap_or(""),
        read.hri.as_deref().unwrap_or(""),
        read.hri_confident,
    ))
}
