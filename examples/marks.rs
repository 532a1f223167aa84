//! Prints the hand-mark evidence around every symbol of a page (a development aid).
//! `cargo run --release --example marks -- FILE`
fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let page = ordoscan::ingest::load(std::path::Path::new(&path), &path, None)
        .remove(0)
        .expect("a readable page");
    let symbols = ordoscan::decode::read(&page.image, ordoscan::decode::Engine::Own);
    let marks = ordoscan::marks::on_page(&page.image, &symbols, page.dpi);
    for (s, e) in symbols.iter().zip(marks) {
        println!("{} {e:?}", s.value);
    }
}
