//! Prints, as JSON lines, the hand-mark evidence around every symbol of every group pad
//! of a generated corpus, beside the truth (a development aid for tuning `marks`).
//! `cargo run --release --example marks_table -- CORPUS_DIR`
use std::path::Path;

fn main() {
    let dir = std::env::args().nth(1).expect("a corpus directory");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("a readable directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    files.sort();
    for truth_path in files {
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&truth_path).unwrap()).unwrap();
        let case = truth["case"].as_str().unwrap_or_default();
        if !case.starts_with("group") {
            continue;
        }
        let path = truth_path
            .to_string_lossy()
            .trim_end_matches(".truth.json")
            .to_owned();
        let page = ordoscan::ingest::load(Path::new(&path), &path, None)
            .remove(0)
            .expect("a readable page");
        let reading = ordoscan::decode::read_within(&page.image, Default::default());
        let marks = ordoscan::marks::on_page(&page.image, &reading.symbols, page.dpi);
        for (s, e) in reading.symbols.iter().zip(marks) {
            let marked = truth["symbols"]
                .as_array()
                .and_then(|a| a.iter().find(|t| t["value"] == s.value.as_str()))
                .map(|t| t["marked"].clone())
                .unwrap_or(serde_json::Value::Null);
            let e = e.unwrap_or_default();
            println!(
                "{}",
                serde_json::json!({
                    "file": truth["file"], "case": case, "deg": truth["degradations"],
                    "value": s.value, "marked": marked, "ring": e.ring, "beside": e.beside,
                    "highlight": e.highlight, "above": e.above, "below": e.below,
                    "corners": e.corners, "near": e.near, "strike": e.strike, "level": e.strike_level,
                    "singled_out": e.singled_out(), "plain": e.plain(), "struck": e.struck(),
                })
            );
        }
    }
}
