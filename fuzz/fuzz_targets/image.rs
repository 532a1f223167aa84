//! Arbitrary bytes as an image file into ingest and the own reader: no panic, no hang,
//! and every symbol read lies on the page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordoscan::decode::{self, Engine};

fuzz_target!(|data: &[u8]| {
    if let Some(image) = ordoscan::ingest::decode_first(data) {
        let (w, h) = (f64::from(image.width()), f64::from(image.height()));
        for s in decode::read(&image, Engine::Own) {
            for [x, y] in s.quad {
                assert!(x > -w && x < 2.0 * w && y > -h && y < 2.0 * h);
            }
        }
    }
});
