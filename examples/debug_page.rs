//! Prints the candidates of a page and, for scanlines spread over each, what the line
//! reads whole, the heads and tails it meets and, with `widths`, its bar and space widths
//! (each at its distance along the line). A development aid.
//! `cargo run --release --example debug_page -- FILE [LINES [widths]]`
use ordoscan::decode::scan::{Scanline, line_parts, read_line, widths};
use ordoscan::locate::candidates;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let lines: usize = args
        .next()
        .map_or(5, |n| n.parse().expect("a number of lines"));
    let show_widths = args.next().is_some_and(|a| a == "widths");
    let page = ordoscan::ingest::load(std::path::Path::new(&path), &path, None)
        .remove(0)
        .expect("a readable page");
    for c in candidates(&page.image) {
        println!("{c:?}");
        let along = [-c.across[1], c.across[0]];
        let reach = c.half_length * 2.2 + 40.0;
        for k in 0..lines {
            let v = c.half_height * (-0.9 + 1.8 * k as f64 / (lines - 1).max(1) as f64);
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
            for p in line_parts(&page.image, &line) {
                let chars: Vec<u8> = p.part.chars.iter().map(|c| c.0).collect();
                println!(
                    "    {} reversed={} t={:.1} whole={} module={:.2} {chars:?}",
                    if p.head { "head" } else { "tail" },
                    p.reversed,
                    p.t,
                    p.part.whole,
                    p.part.module,
                );
            }
            if show_widths {
                let mut t = 0.0;
                let shown: Vec<String> = w
                    .iter()
                    .map(|x| {
                        t += x;
                        format!("{x:.1}@{:.0}", t - x)
                    })
                    .collect();
                println!("    {}", shown.join(" "));
            }
        }
    }
}
