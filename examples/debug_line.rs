//! Prints the widths (in modules) of one horizontal line of a page (a development aid).
//! `cargo run --release --example debug_line -- FILE Y X0 X1 PX_PER_MODULE`
use ordoscan::decode::scan::{Scanline, widths};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let page = ordoscan::ingest::load(std::path::Path::new(&a[1]), &a[1], None)
        .remove(0)
        .unwrap();
    let (y, x0, x1, m): (f64, f64, f64, f64) = (
        a[2].parse().unwrap(),
        a[3].parse().unwrap(),
        a[4].parse().unwrap(),
        a[5].parse().unwrap(),
    );
    let line = Scanline {
        from: [x0, y],
        dir: [1.0, 0.0],
        len: (x1 - x0) as usize,
    };
    let w = widths(&line.profile(&page.image)).unwrap();
    let mods: Vec<String> = w.iter().map(|v| format!("{:.2}", v / m)).collect();
    println!("{}", mods.join(" "));
    println!("{:?}", ordoscan::decode::code128::decode_all(&w));
    let mut r = w.clone();
    r.reverse();
    for c in r[1..].chunks(6) {
        println!("{:?}", ordoscan::decode::code128::classify(c));
    }
}
