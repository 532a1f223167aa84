//! Criterion benches of the pipeline stages on fixture pages: ingest (file → grey page),
//! locate (the own reader's candidate regions), decode (the own reader alone, and the
//! default own + rxing; page → symbols), text (legend and HRI of every symbol of the page),
//! judge (symbols → record), and the whole page; and the hand marks around the symbols of
//! a group pad (the stage only pages with several RPPS go through).
//!
//! `cargo bench --bench pipeline`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use ordoscan::batch::process_page;
use ordoscan::decode::{self, Engine, ReadSettings};
use ordoscan::ingest;
use ordoscan::judge::{self, PageInfo, Rules};

const PAGES: [&str; 3] = ["01-hospital-finess.png", "11-fax-g4.tif", "13-scan.jpg"];

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-images")
        .join(name)
}

fn stages(c: &mut Criterion) {
    for name in PAGES {
        let path = fixture(name);
        c.bench_function(&format!("ingest/{name}"), |b| {
            b.iter(|| ingest::load(black_box(&path), name, None))
        });
        let page = ingest::load(&path, name, None)
            .into_iter()
            .next()
            .expect("a page")
            .expect("a readable page");
        c.bench_function(&format!("decode/{name}"), |b| {
            b.iter(|| decode::read(black_box(&page.image), Engine::default()))
        });
        c.bench_function(&format!("locate/{name}"), |b| {
            b.iter(|| ordoscan::locate::candidates(black_box(&page.image)))
        });
        c.bench_function(&format!("decode-own/{name}"), |b| {
            b.iter(|| decode::read(black_box(&page.image), Engine::Own))
        });
        let symbols = decode::read(&page.image, Engine::default());
        c.bench_function(&format!("text/{name}"), |b| {
            b.iter(|| {
                for s in &symbols {
                    black_box(ordoscan::text::read_text(
                        &page.image,
                        s,
                        page.dpi,
                        Some(&s.value),
                    ));
                }
            })
        });
        let info = PageInfo {
            file: name.to_owned(),
            page: 1,
            width_px: page.image.width(),
            height_px: page.image.height(),
            dpi: page.dpi,
            dpi_source: page.dpi_source,
            timed_out: None,
            label: None,
        };
        c.bench_function(&format!("judge/{name}"), |b| {
            b.iter(|| {
                judge::judge(
                    black_box(&info),
                    &judge::Seen {
                        symbols: black_box(&symbols),
                        ..judge::Seen::default()
                    },
                    Rules::default(),
                )
            })
        });
        c.bench_function(&format!("page/{name}"), |b| {
            b.iter(|| {
                process_page(
                    black_box(&page),
                    name,
                    1,
                    ReadSettings::default(),
                    Rules::default(),
                )
            })
        });
    }
}

/// The hand marks' evidence around every symbol of a group pad (`marks::on_page`).
fn marks(c: &mut Criterion) {
    let name = "03-group-pad.png";
    let page = ingest::load(&fixture(name), name, None)
        .into_iter()
        .next()
        .expect("a page")
        .expect("a readable page");
    let symbols = decode::read(&page.image, Engine::default());
    c.bench_function(&format!("marks/{name}"), |b| {
        b.iter(|| ordoscan::marks::on_page(black_box(&page.image), &symbols, page.dpi))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = stages, marks
}
criterion_main!(benches);
