//! The record schema of SPEC §5, pinned: every record of a run must deserialize into this
//! mirror with `deny_unknown_fields`, and every field must be present (null when unknown).

mod common;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Record {
    file: String,
    page: u32,
    label: Option<u32>,
    width_px: Option<u32>,
    height_px: Option<u32>,
    dpi: Option<f64>,
    dpi_source: Option<DpiSource>,
    verdict: Verdict,
    prescriber: Option<Identification>,
    structure: Option<Identification>,
    symbols: Vec<Symbol>,
    findings: Vec<Finding>,
    error: Option<String>,
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(rename_all = "lowercase")]
enum DpiSource {
    File,
    Flag,
    Estimated,
    Assumed,
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Pass,
    Fail,
    Error,
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Rpps,
    Finess,
    Am,
    Unknown,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Identification {
    kind: Kind,
    value: String,
    symbol: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Symbol {
    value: String,
    symbology: String,
    kind: Kind,
    legend: Option<String>,
    hri: Option<String>,
    hri_match: Option<bool>,
    check_key_valid: Option<bool>,
    code_sets: Option<String>,
    read_from: String,
    marked: Option<bool>,
    quad: [[f64; 2]; 4],
    x_dim_mm: Option<f64>,
    px_per_module: Option<f64>,
    width_mm: Option<f64>,
    height_mm: Option<f64>,
    grade: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Finding {
    code: String,
    severity: String,
    symbol: Option<usize>,
    message: String,
}

const RECORD_FIELDS: [&str; 13] = [
    "file",
    "page",
    "label",
    "width_px",
    "height_px",
    "dpi",
    "dpi_source",
    "verdict",
    "prescriber",
    "structure",
    "symbols",
    "findings",
    "error",
];
const SYMBOL_FIELDS: [&str; 16] = [
    "value",
    "symbology",
    "kind",
    "legend",
    "hri",
    "hri_match",
    "check_key_valid",
    "code_sets",
    "read_from",
    "marked",
    "quad",
    "x_dim_mm",
    "px_per_module",
    "width_mm",
    "height_mm",
    "grade",
];

#[test]
fn every_record_follows_the_schema() {
    let out = common::scan(&[
        "--format",
        "jsonl",
        "--quiet",
        "test-images/",
        "no-such-file.png",
    ]);
    let lines = String::from_utf8(out.stdout).unwrap();
    let mut symbols = 0;
    let mut verdicts = std::collections::BTreeSet::new();
    for line in lines.lines() {
        let record: Record =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e} in record {line}"));
        let raw: serde_json::Value = serde_json::from_str(line).unwrap();
        for field in RECORD_FIELDS {
            assert!(
                raw.get(field).is_some(),
                "field {field} is always present: {line}"
            );
        }
        for s in raw["symbols"].as_array().unwrap() {
            for field in SYMBOL_FIELDS {
                assert!(
                    s.get(field).is_some(),
                    "symbol field {field} is always present"
                );
            }
            symbols += 1;
        }
        assert_eq!(
            record.error.is_some(),
            record.verdict == Verdict::Error,
            "{line}"
        );
        verdicts.insert(format!("{:?}", record.verdict));
    }
    assert!(symbols >= 20, "the fixtures hold symbols ({symbols})");
    assert_eq!(
        verdicts.len(),
        3,
        "pass, fail and error all appear: {verdicts:?}"
    );
}
