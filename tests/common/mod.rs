//! Helpers shared by the CLI tests: run the real binary, parse its records.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// The repository's fixture directory.
pub fn test_images() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-images")
}

/// Runs `ordoscan scan --format jsonl ARGS...` and returns its output.
pub fn scan(args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("ordoscan")
        .expect("the ordoscan binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("scan")
        .args(args)
        .output()
        .expect("running ordoscan")
}

/// Every JSON record of an output.
pub fn records(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

/// The finding codes of a record, in its order.
pub fn finding_codes(record: &serde_json::Value) -> Vec<&str> {
    record["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("a code"))
        .collect()
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    dir
}
