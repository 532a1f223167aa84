//! Prints the hand-mark evidence around every symbol of a page (a development aid).
//! `cargo run --release --example marks -- FILE`
fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let page = ordoscan::ingest::load(std::path::Path::new(&path), &path, None)
        .remove(0)
        .expect("a readable page");
    let symbols = ordoscan::decode::read(&page.image, ordoscan::decode::Engine::Own);
    let marks = ordoscan::marks::on_page(&page.image, &symbols, page.dpi);
    // With a truth file (the generated corpus), each symbol's `marked` from the truth.
    let truth: Option<serde_json::Value> = std::fs::read_to_string(format!("{path}.truth.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let marked = |value: &str| {
        truth.as_ref().and_then(|t| {
            t["symbols"]
                .as_array()?
                .iter()
                .find(|s| s["value"] == value)
                .map(|s| s["marked"].clone())
        })
    };
    for (s, e) in symbols.iter().zip(marks) {
        println!("{} truth={:?} {e:?}", s.value, marked(&s.value));
    }
}
