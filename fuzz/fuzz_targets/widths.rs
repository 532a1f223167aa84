//! Arbitrary bar/space widths into the Code 128 decoder: it must never panic, and
//! whatever it decodes must carry a right check character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordoscan::decode::code128::{check_ok, decode_all, heads, tails};

fuzz_target!(|data: &[u8]| {
    // One width per byte, in quarter pixels (0–63.75 px), zero widths included.
    let widths: Vec<f64> = data.iter().map(|&b| f64::from(b) / 4.0).collect();
    for d in decode_all(&widths) {
        assert!(check_ok(&d.codewords));
    }
    for p in heads(&widths).into_iter().chain(tails(&widths)) {
        assert!(!p.chars.is_empty() || !p.whole);
    }
});
