//! One test per fixture of `test-images/`: the real binary must report what the fixture's
//! truth file says, page by page (label by label on an Annexe III label sheet: one truth
//! entry and one record per label; every other page must not be taken for a sheet).

mod common;

use std::collections::BTreeSet;

use ordoscan::synth::fixtures::{self, Truth};
use serde_json::Value;

fn check_fixture(name: &str) {
    let dir = common::test_images();
    let truth_text = std::fs::read_to_string(dir.join(fixtures::truth_name(name)))
        .unwrap_or_else(|e| panic!("truth file of {name}: {e}"));
    let truth: Truth = serde_json::from_str(&truth_text).expect("truth file parses");
    let path = format!("test-images/{name}");
    let out = common::scan(&["--format", "jsonl", "--quiet", &path]);
    let records = common::records(&out);
    assert_eq!(
        records.len(),
        truth.pages.len(),
        "{name}: one record per page (per label on a label sheet)"
    );
    for (r, t) in records.iter().zip(&truth.pages) {
        let at = match t.label {
            Some(label) => format!("{name} page {} label {label}", t.page),
            None => format!("{name} page {}", t.page),
        };
        assert_eq!(r["file"], Value::from(path.clone()), "{at}");
        assert_eq!(r["page"], Value::from(t.page), "{at}");
        assert_eq!(r["label"], Value::from(t.label), "{at}: label");
        assert_eq!(r["verdict"], Value::from(t.verdict.clone()), "{at}");
        assert_eq!(r["dpi_source"], Value::from(t.dpi_source.clone()), "{at}");
        let id = |v: &Value| v.get("value").and_then(Value::as_str).map(str::to_owned);
        assert_eq!(id(&r["prescriber"]), t.prescriber, "{at}: prescriber");
        assert_eq!(id(&r["structure"]), t.structure, "{at}: structure");
        let codes: BTreeSet<String> = common::finding_codes(r)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let expected: BTreeSet<String> = t.findings.iter().cloned().collect();
        assert_eq!(codes, expected, "{at}: findings");
        let mut values: Vec<String> = r["symbols"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["value"].as_str().unwrap().to_owned())
            .collect();
        values.sort();
        assert_eq!(values, t.symbols, "{at}: symbols");
    }
    let expected_exit = if truth.pages.iter().any(|p| p.verdict == "error") {
        2
    } else if truth.pages.iter().any(|p| p.verdict == "fail") {
        1
    } else {
        0
    };
    assert_eq!(out.status.code(), Some(expected_exit), "{name}: exit code");
}

macro_rules! fixture_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($file);
            }
        )*

        /// Every image in `test-images/` has its test above (a fixture added is a test added).
        #[test]
        fn every_fixture_has_a_test() {
            let listed: BTreeSet<&str> = [$($file),*].into_iter().collect();
            let on_disk: BTreeSet<String> = std::fs::read_dir(common::test_images())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| !n.ends_with(".truth.json") && !n.starts_with('.') && n.contains('.'))
                .collect();
            let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
            assert_eq!(listed, on_disk);
        }
    };
}

fixture_tests! {
    hospital_finess => "01-hospital-finess.png",
    practice_am => "02-practice-am.png",
    group_pad => "03-group-pad.png",
    missing_structure => "04-missing-structure.png",
    bad_check_key => "05-bad-check-key.png",
    two_finess => "06-two-finess.png",
    national_rpps => "07-national-rpps.png",
    corsica => "08-corsica.png",
    code_set_b => "09-code-set-b.png",
    landscape => "10-landscape.png",
    fax_g4 => "11-fax-g4.tif",
    fax_g3 => "12-fax-g3.tif",
    scan_jpeg => "13-scan.jpg",
    scan_pdf => "14-scan.pdf",
    hri_mismatch => "15-hri-mismatch.png",
    legend_mismatch => "16-legend-mismatch.png",
    unreadable_bars => "17-unreadable-bars.png",
    group_circled => "18-group-circled.png",
    group_struck => "19-group-struck.png",
    layout_faults => "20-layout-faults.png",
    label_sheet => "21-label-sheet.png",
    code39_rpps => "22-code39-rpps.png",
    pale_print => "23-pale-print.png",
    hri_misprint_under_pen => "24-hri-misprint-under-pen.png",
}

/// Digits half hidden by a pen stroke still show a misprint where they are clear: the
/// digits under the stroke are read at the line's pitch (they may only confirm the bars'
/// value), the misprinted last digit as printed, and the HRI is never the bars' value.
#[test]
fn a_misprint_half_hidden_shows_in_the_digits_read() {
    let out = common::scan(&[
        "--format",
        "jsonl",
        "--quiet",
        "test-images/24-hri-misprint-under-pen.png",
    ]);
    let r = common::records(&out).remove(0);
    let rpps = &r["symbols"][0];
    assert_eq!(rpps["value"], Value::from("10001045367"));
    assert_eq!(rpps["hri"], Value::from("10001045361"));
    assert_eq!(rpps["hri_match"], Value::Bool(false));
}

/// `--grade` rates crisp print A and worn-out toner below C (`low_grade`, a warning that
/// `--strict` turns into a failure); without it, `grade` is null.
#[test]
fn grading_tells_pale_print_from_crisp() {
    let graded = |file: &str, extra: &[&str]| {
        let path = format!("test-images/{file}");
        let mut args = vec!["--format", "jsonl", "--quiet", "--grade"];
        args.extend_from_slice(extra);
        args.push(&path);
        common::records(&common::scan(&args)).remove(0)
    };
    let grades = |r: &Value| -> Vec<f64> {
        r["symbols"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["grade"].as_f64().unwrap())
            .collect()
    };
    let low = |r: &Value| {
        common::finding_codes(r)
            .iter()
            .filter(|&&c| c == "low_grade")
            .count()
    };
    let crisp = graded("01-hospital-finess.png", &[]);
    assert!(grades(&crisp).iter().all(|&g| g >= 3.5), "{crisp}");
    assert_eq!(low(&crisp), 0);
    let pale = graded("23-pale-print.png", &[]);
    assert!(grades(&pale).iter().all(|&g| g < 1.5), "{pale}");
    assert_eq!(low(&pale), 2);
    assert_eq!(pale["verdict"], "pass");
    assert_eq!(
        graded("23-pale-print.png", &["--strict"])["verdict"],
        "fail"
    );
    let ungraded = common::records(&common::scan(&[
        "--format",
        "jsonl",
        "--quiet",
        "test-images/23-pale-print.png",
    ]));
    assert_eq!(ungraded[0]["symbols"][0]["grade"], Value::Null);
}

/// An RPPS printed in Code 39 is read and reported as what it is, with its legend and
/// digits, and never identifies the prescriber.
#[test]
fn a_code_39_rpps_is_reported_as_code_39() {
    let out = common::scan(&[
        "--format",
        "jsonl",
        "--quiet",
        "test-images/22-code39-rpps.png",
    ]);
    let records = common::records(&out);
    let rpps = records[0]["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "rpps")
        .expect("the RPPS symbol is reported");
    assert_eq!(rpps["symbology"], "code39");
    assert_eq!(rpps["value"], "10100224947");
    assert_eq!(rpps["hri_match"], true);
    assert_eq!(rpps["code_sets"], Value::Null);
    assert_eq!(records[0]["prescriber"], Value::Null);
}

/// The committed fixtures are exactly what the generator draws today (so the generator
/// is deterministic and the truth files cannot drift from the images).
#[test]
fn fixtures_are_reproducible() {
    let dir = common::test_images();
    for f in fixtures::all() {
        let committed = std::fs::read(dir.join(f.name)).expect("committed fixture");
        assert!(
            committed == f.bytes,
            "{} differs from the generator's output",
            f.name
        );
        let truth: Truth = serde_json::from_str(
            &std::fs::read_to_string(dir.join(fixtures::truth_name(f.name))).unwrap(),
        )
        .unwrap();
        assert_eq!(truth, f.truth, "{} truth", f.name);
    }
}

/// The label sheet gives 24 records, labels 1 to 24 in order, each with its own symbols
/// only (indexes local to the record) and no page-margin finding.
#[test]
fn label_sheet_records_are_one_per_label() {
    let out = common::scan(&[
        "--format",
        "jsonl",
        "--quiet",
        "test-images/21-label-sheet.png",
    ]);
    let records = common::records(&out);
    let labels: Vec<u64> = records
        .iter()
        .map(|r| r["label"].as_u64().expect("a label number"))
        .collect();
    assert_eq!(labels, (1..=24).collect::<Vec<u64>>());
    for r in &records {
        let symbols = r["symbols"].as_array().unwrap();
        assert!(symbols.len() <= 2, "label {}: {symbols:?}", r["label"]);
        if let Some(i) = r["prescriber"]["symbol"].as_u64() {
            assert_eq!(symbols[i as usize]["kind"], "rpps", "label {}", r["label"]);
        }
        let codes = common::finding_codes(r);
        assert!(!codes.contains(&"margin_too_small"), "label {}", r["label"]);
        assert_eq!(r["width_px"], records[0]["width_px"]);
    }
}
