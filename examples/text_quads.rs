//! The HRI as the page pipeline reads it (on the quads the decoder found) beside the text
//! harness's reading (on the truth's quads), over a generated corpus: symbols whose HRI is
//! on the image and whose bars decode, how many read exactly and confidently each way,
//! and the ones that differ (a development aid).
//! `cargo run --release --example text_quads -- CORPUS_DIR`
use ordoscan::decode::{self, Engine, Symbol};
use ordoscan::synth::corpus::{CorpusTruth, SymbolTruth};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dir = std::path::Path::new(&a[1]);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    files.sort();
    let (mut n, mut dec_ok, mut tru_ok) = (0, 0, 0);
    for f in files {
        let t: CorpusTruth = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let p = dir.join(&t.file);
        let Some(Ok(page)) = ordoscan::ingest::load(&p, &t.file, None).into_iter().next() else {
            continue;
        };
        let symbols = decode::read(&page.image, Engine::Own);
        let hints: Vec<Option<&str>> = symbols.iter().map(|s| Some(s.value.as_str())).collect();
        let reads = ordoscan::text::read_texts(&page.image, &symbols, t.dpi, &hints);
        let tsyms: Vec<Symbol> = t.symbols.iter().map(SymbolTruth::as_found).collect();
        let thints: Vec<Option<&str>> = tsyms.iter().map(|s| Some(s.value.as_str())).collect();
        let treads = ordoscan::text::read_texts(&page.image, &tsyms, t.dpi, &thints);
        for (ts, tr) in t.symbols.iter().zip(&treads) {
            if !ts.hri_legible || !ts.readable {
                continue;
            }
            let Some(i) = symbols.iter().position(|s| s.value == ts.value) else {
                continue;
            };
            let want: String = ts
                .hri
                .as_deref()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let ok = |r: &ordoscan::text::TextRead| {
                r.hri_confident && r.hri.as_deref() == Some(want.as_str())
            };
            n += 1;
            let (d, tq) = (ok(&reads[i]), ok(tr));
            dec_ok += usize::from(d);
            tru_ok += usize::from(tq);
            if d != tq {
                let q = symbols[i].quad;
                let r = ts.quad;
                let dd = |a: [f64; 2], b: [f64; 2]| {
                    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
                };
                eprintln!(
                    "{} {} decoded={d} truth={tq} read {:?}/{} corner shifts {:.1} {:.1} {:.1} {:.1} {:?}",
                    t.file,
                    ts.value,
                    reads[i].hri,
                    reads[i].hri_confident,
                    dd(q[0], r[0]),
                    dd(q[1], r[1]),
                    dd(q[2], r[2]),
                    dd(q[3], r[3]),
                    t.degradations
                );
            }
        }
    }
    println!(
        "{}: {n} symbols, HRI exact & confident: decoded quads {dec_ok}, truth quads {tru_ok}",
        dir.display()
    );
}
