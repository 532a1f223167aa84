//! The binary end to end: bad inputs, exit codes, formats, determinism across `--jobs`.

mod common;

use std::path::{Path, PathBuf};

use ordoscan::synth::write;

/// A PNG header declaring `w`×`h` grey pixels, followed by `idat` as its only data.
fn png_declaring(w: u32, h: u32, idat: &[u8]) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(write::png_chunk(b"IHDR", &ihdr));
    png.extend(write::png_chunk(b"IDAT", idat));
    png.extend(write::png_chunk(b"IEND", &[]));
    png
}

/// A one-page PDF whose page paints no image (vector lines only).
fn pdf_without_image() -> Vec<u8> {
    write::pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        b"<< /Length 20 >>\nstream\n0 0 m 100 100 l S  \nendstream".to_vec(),
    ])
}

/// Writes the bad inputs of issue #3 item 4; returns (path, what the message must say).
fn bad_inputs(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let good = std::fs::read(common::test_images().join("01-hospital-finess.png")).unwrap();
    let tiny = write::png(&image::GrayImage::new(1, 1), 300.0);
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.png", vec![], "empty"),
        ("truncated.png", good[..good.len() / 3].to_vec(), "decode"),
        (
            "mislabelled.png",
            b"this is a text file, not a PNG".to_vec(),
            "not an image",
        ),
        ("one-pixel.png", tiny, "too small"),
        (
            "bomb.png",
            png_declaring(60_000, 60_000, &[0x78, 0x9c, 0x03, 0x00]),
            "limit",
        ),
        (
            "garbage.tif",
            b"II*\0\xff\xff\xff\x7fjunkjunk".to_vec(),
            "TIFF",
        ),
        (
            "garbage.pdf",
            b"%PDF-1.4\nnothing here at all".to_vec(),
            "PDF",
        ),
        ("vector.pdf", pdf_without_image(), "no image"),
    ];
    let mut out = Vec::new();
    for (name, bytes, says) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        out.push((path, says));
    }
    out.push((dir.join("missing.png"), "cannot open"));
    out.push((dir.join("not-a-dir.png").join("inside.png"), "cannot open"));
    out
}

#[test]
fn bad_inputs_each_get_an_error_record_and_the_batch_goes_on() {
    let dir = common::scratch("bad-inputs");
    let bad = bad_inputs(&dir);
    std::fs::write(dir.join("not-a-dir.png"), b"x").unwrap();
    let mut args: Vec<String> = vec!["--format".into(), "jsonl".into(), "--quiet".into()];
    args.push("test-images/01-hospital-finess.png".into());
    args.extend(bad.iter().map(|(p, _)| p.display().to_string()));
    args.push("test-images/13-scan.jpg".into());
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::scan(&arg_refs);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable input means exit 2"
    );
    let records = common::records(&out);
    assert_eq!(
        records.len(),
        bad.len() + 2,
        "one record per page and per bad file"
    );
    assert_eq!(records[0]["verdict"], "pass");
    assert_eq!(
        records[records.len() - 1]["verdict"],
        "pass",
        "the batch went on"
    );
    for (r, (path, says)) in records[1..].iter().zip(&bad) {
        let name = path.display().to_string();
        assert_eq!(r["verdict"], "error", "{name}");
        assert_eq!(r["file"], name.as_str());
        assert_eq!(r["page"], 1);
        let msg = r["error"].as_str().unwrap();
        assert!(msg.contains(&name), "message names the file: {msg}");
        assert!(
            msg.contains(says),
            "message for {name} says '{says}': {msg}"
        );
    }
}

#[test]
fn output_is_identical_whatever_the_number_of_jobs() {
    let run = |jobs: &str| {
        let out = common::scan(&[
            "--format",
            "jsonl",
            "--quiet",
            "--jobs",
            jobs,
            "test-images/",
        ]);
        assert!(!out.stdout.is_empty());
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("3"));
}

#[test]
fn exit_codes_follow_the_verdicts() {
    let pass = common::scan(&["--quiet", "test-images/01-hospital-finess.png"]);
    assert_eq!(pass.status.code(), Some(0));
    let fail = common::scan(&["--quiet", "test-images/04-missing-structure.png"]);
    assert_eq!(fail.status.code(), Some(1));
    let usage = common::scan(&["--jobs", "0", "test-images/"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("--jobs"));
}

#[test]
fn csv_has_a_header_and_a_row_per_page() {
    let out = common::scan(&["--format", "csv", "--quiet", "test-images/11-fax-g4.tif"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("file,page,label,width_px"), "{text}");
    assert!(
        lines[1].contains(",pass,rpps,10001045367,finess,750712184,"),
        "{text}"
    );
    assert!(lines[3].contains("structure_missing"), "{text}");

    let dir = common::scratch("csv-quoting");
    let odd = dir.join("scan, \"copy\".png");
    std::fs::copy(common::test_images().join("04-missing-structure.png"), &odd).unwrap();
    let odd = odd.display().to_string();
    let out = common::scan(&["--format", "csv", "--quiet", &odd]);
    let text = String::from_utf8(out.stdout).unwrap();
    let quoted = format!("\"{}\",1,", odd.replace('"', "\"\""));
    assert!(text.lines().nth(1).unwrap().starts_with(&quoted), "{text}");
}

#[test]
fn human_format_is_a_table_with_a_summary() {
    let out = common::scan(&["--format", "human", "test-images/11-fax-g4.tif"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().starts_with("file"), "{text}");
    assert!(text.contains("RPPS 10001045367"), "{text}");
    let summary = String::from_utf8(out.stderr).unwrap();
    assert!(
        summary.contains("3 pages: 2 pass, 1 fail, 0 error"),
        "{summary}"
    );
}

#[test]
fn dpi_flag_applies_only_when_the_file_says_nothing() {
    let dir = common::scratch("dpi-flag");
    // The same page without pHYs: decode the fixture and save it plainly.
    let img = image::open(common::test_images().join("01-hospital-finess.png")).unwrap();
    let plain = dir.join("plain.png");
    img.save(&plain).unwrap();
    let plain = plain.display().to_string();
    let flagged = common::records(&common::scan(&[
        "--format", "jsonl", "-q", "--dpi", "240", &plain,
    ]));
    assert_eq!(flagged[0]["dpi_source"], "flag");
    assert_eq!(flagged[0]["dpi"], 240.0);
    let estimated = common::records(&common::scan(&["--format", "jsonl", "-q", &plain]));
    assert_eq!(
        estimated[0]["dpi_source"], "estimated",
        "A5 at 300 dpi is recognised"
    );
    assert_eq!(estimated[0]["dpi"], 300.0);
    let file = common::records(&common::scan(&[
        "--format",
        "jsonl",
        "-q",
        "--dpi",
        "240",
        "test-images/01-hospital-finess.png",
    ]));
    assert_eq!(file[0]["dpi_source"], "file");
}

#[test]
fn help_explains_every_flag_with_an_example() {
    let out = common::scan(&["--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--format",
        "--jobs",
        "--dpi",
        "--strict",
        "--files-from",
        "--shard",
        "--annotate",
        "--quiet",
        "EXAMPLES",
        "EXIT CODES",
    ] {
        assert!(help.contains(flag), "help mentions {flag}: {help}");
    }
}

#[test]
fn a_page_over_its_time_budget_is_reported_with_a_timeout() {
    let out = common::scan(&[
        "--format",
        "jsonl",
        "-q",
        "--time-budget",
        "0.000001",
        "test-images/01-hospital-finess.png",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let r = &common::records(&out)[0];
    assert_eq!(r["verdict"], "fail");
    let codes = common::finding_codes(r);
    assert!(codes.contains(&"timeout"), "{codes:?}");
    let zero = common::scan(&["--time-budget", "0", "test-images/"]);
    assert_eq!(zero.status.code(), Some(2), "a zero budget is bad usage");
}

/// Runs `ordoscan scan ARGS...` with the colour variables set as given (others removed).
fn scan_with_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = assert_cmd::Command::cargo_bin("ordoscan").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .arg("scan")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn jsonl_has_one_object_per_page_in_input_order() {
    let out = common::scan(&[
        "--format",
        "jsonl",
        "-q",
        "test-images/14-scan.pdf",
        "test-images/11-fax-g4.tif",
    ]);
    let records = common::records(&out);
    let order: Vec<(&str, u64)> = records
        .iter()
        .map(|r| (r["file"].as_str().unwrap(), r["page"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            ("test-images/14-scan.pdf", 1),
            ("test-images/14-scan.pdf", 2),
            ("test-images/11-fax-g4.tif", 1),
            ("test-images/11-fax-g4.tif", 2),
            ("test-images/11-fax-g4.tif", 3),
        ]
    );
    assert_eq!(records[2]["prescriber"]["value"], "10001045367");
    assert_eq!(records[2]["structure"]["kind"], "finess");
    assert_eq!(records[1]["findings"][0]["code"], "prescriber_missing");
    assert!(records.iter().all(|r| r["symbols"][0]["quad"].is_array()));
}

#[test]
fn human_table_is_coloured_only_for_a_terminal_that_wants_colour() {
    let args = ["--format", "human", "-q", "test-images/11-fax-g4.tif"];
    let piped = String::from_utf8(scan_with_env(&args, &[]).stdout).unwrap();
    assert!(!piped.contains('\x1b'), "no colour into a pipe: {piped}");
    assert!(
        piped.contains("fail    RPPS 10005173140       -                    structure_missing"),
        "{piped}"
    );
    let forced = scan_with_env(&args, &[("CLICOLOR_FORCE", "1")]).stdout;
    let forced = String::from_utf8(forced).unwrap();
    assert!(forced.contains("\x1b[32mpass\x1b[0m"), "{forced}");
    assert!(
        forced.contains("\x1b[31mstructure_missing\x1b[0m"),
        "{forced}"
    );
    let no_colour = scan_with_env(&args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).stdout;
    assert_eq!(
        String::from_utf8(no_colour).unwrap(),
        piped,
        "NO_COLOR wins"
    );
    let jsonl = scan_with_env(
        &["--format", "jsonl", "-q", "test-images/11-fax-g4.tif"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!jsonl.stdout.contains(&0x1b), "JSONL is never coloured");
}

#[test]
fn the_summary_counts_pages_and_findings_and_quiet_silences_it() {
    let args = [
        "--format",
        "jsonl",
        "test-images/11-fax-g4.tif",
        "test-images/03-group-pad.png",
    ];
    let out = common::scan(&args);
    let summary = String::from_utf8(out.stderr).unwrap();
    assert_eq!(summary.lines().count(), 1, "{summary}");
    assert!(
        summary.starts_with("4 pages: 2 pass, 2 fail, 0 error; "),
        "{summary}"
    );
    assert!(summary.contains(" pages/s; findings: "), "{summary}");
    assert!(summary.contains("structure_missing ×1"), "{summary}");
    assert!(summary.contains("prescriber_ambiguous ×1"), "{summary}");
    let quiet = common::scan(&[&["-q"][..], &args[..]].concat());
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    assert_eq!(quiet.stdout, out.stdout);
}
