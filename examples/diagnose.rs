//! For each `missed FILE VALUE …` line on stdin (from `ordoscan-eval corpus --misses`),
//! reads the symbol with scanlines placed on its true quad: tells a locate miss (ideal
//! lines read it) from a decode miss (they do not). A development aid.
//! `ordoscan-eval corpus DIR --misses 2>&1 >/dev/null | cargo run --release --example diagnose -- DIR`
use std::io::BufRead;

use ordoscan::decode::code128::text;
use ordoscan::decode::scan::{Scanline, line_parts};
use ordoscan::synth::corpus::CorpusTruth;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("corpus dir"));
    let (mut locate, mut decode) = (0, 0);
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.first() != Some(&"missed") {
            continue;
        }
        let (file, value) = (f[1], f[2]);
        let truth: CorpusTruth = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{file}.truth.json"))).unwrap(),
        )
        .unwrap();
        let Some(s) = truth.symbols.iter().find(|s| s.value == value) else {
            continue;
        };
        let page = ordoscan::ingest::load(&dir.join(file), file, None)
            .remove(0)
            .unwrap();
        let q = s.quad;
        let axis = [q[1][0] - q[0][0], q[1][1] - q[0][1]];
        let len = axis[0].hypot(axis[1]);
        let dir_ = [axis[0] / len, axis[1] / len];
        let mut ok = 0;
        let n = 20;
        for k in 0..n {
            let v = 0.1 + 0.8 * k as f64 / (n - 1) as f64;
            let a = [
                q[0][0] + (q[3][0] - q[0][0]) * v,
                q[0][1] + (q[3][1] - q[0][1]) * v,
            ];
            let margin = 0.3 * len + 20.0;
            let sl = Scanline {
                from: [a[0] - dir_[0] * margin, a[1] - dir_[1] * margin],
                dir: dir_,
                len: (len + 2.0 * margin) as usize,
            };
            if line_parts(&page.image, &sl).iter().any(|p| {
                let cw: Vec<u8> = p.part.chars.iter().map(|c| c.0).collect();
                p.part.whole && text(&cw).is_some_and(|t| t.0 == value)
            }) {
                ok += 1;
            }
        }
        if std::env::var_os("VERBOSE").is_some() {
            let a = [(q[0][0] + q[3][0]) / 2.0, (q[0][1] + q[3][1]) / 2.0];
            let margin = 0.3 * len + 20.0;
            let sl = Scanline {
                from: [a[0] - dir_[0] * margin, a[1] - dir_[1] * margin],
                dir: dir_,
                len: (len + 2.0 * margin) as usize,
            };
            let w = ordoscan::decode::scan::widths(&sl.profile(&page.image)).unwrap_or_default();
            let m = s.px_per_module;
            let shown: Vec<String> = w.iter().map(|x| format!("{:.1}", x / m)).collect();
            println!("{}", shown.join(" "));
        }
        if ok >= 2 {
            locate += 1;
        } else {
            decode += 1;
        }
        println!("{ok:2}/{n} {}", &line[7..]);
    }
    println!(
        "ideal lines read it (locate/orientation miss): {locate}; they do not (decode miss): {decode}"
    );
}
