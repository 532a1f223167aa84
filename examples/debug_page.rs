//! Prints the candidates of a page and what each scanline reads (a development aid).
//! `cargo run --release --example debug_page -- FILE`
use ordoscan::decode::scan::{Scanline, read_line, widths};
use ordoscan::locate::candidates;

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let page = ordoscan::ingest::load(std::path::Path::new(&path), &path, None)
        .remove(0)
        .expect("a readable page");
    for c in candidates(&page.image) {
        println!("{c:?}");
        let along = [-c.across[1], c.across[0]];
        let reach = c.half_length * 2.2 + 40.0;
        for k in 0..5 {
            let v = -0.8 * c.half_height + 0.4 * c.half_height * k as f64;
            let line = Scanline {
                from: [
                    c.centre[0] - c.across[0] * reach + along[0] * v,
                    c.centre[1] - c.across[1] * reach + along[1] * v,
                ],
                dir: c.across,
                len: (2.0 * reach) as usize,
            };
            let w = widths(&line.profile(&page.image)).unwrap_or_default();
            println!(
                "  v={v:.0} widths={} read={:?}",
                w.len(),
                read_line(&page.image, &line).map(|r| r.decoded.text)
            );
        }
    }
}
