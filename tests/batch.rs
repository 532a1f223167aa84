//! The batch features end to end: `--files-from`, `--shard`, `--annotate`.

mod common;

use std::collections::BTreeSet;
use std::process::Output;

/// Runs `ordoscan scan ARGS...` with `stdin` as standard input.
fn scan_with_input(args: &[&str], stdin: &str) -> Output {
    assert_cmd::Command::cargo_bin("ordoscan")
        .expect("the ordoscan binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("scan")
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("running ordoscan")
}

fn pages(out: &Output) -> Vec<(String, u64)> {
    common::records(out)
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().to_owned(),
                r["page"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (file, page, label) of every record: what a record is of (a label sheet gives 24
/// records of one page).
fn keys(out: &Output) -> Vec<(String, u64, Option<u64>)> {
    common::records(out)
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap().to_owned(),
                r["page"].as_u64().unwrap(),
                r["label"].as_u64(),
            )
        })
        .collect()
}

const FAST: [&str; 5] = ["--format", "jsonl", "-q", "--decoder", "own"];

#[test]
fn files_from_reads_one_path_a_line_after_the_command_line_paths() {
    let list = "# today's faxes\n\ntest-images/11-fax-g4.tif\n   \n#test-images/13-scan.jpg\ntest-images/01-hospital-finess.png\r\n";
    let args = [
        &FAST[..],
        &["--files-from", "-", "test-images/02-practice-am.png"],
    ]
    .concat();
    let out = scan_with_input(&args, list);
    assert_eq!(out.status.code(), Some(1), "page 3 of the fax fails");
    let expected: Vec<(String, u64)> = [
        ("test-images/02-practice-am.png", 1),
        ("test-images/11-fax-g4.tif", 1),
        ("test-images/11-fax-g4.tif", 2),
        ("test-images/11-fax-g4.tif", 3),
        ("test-images/01-hospital-finess.png", 1),
    ]
    .iter()
    .map(|(f, p)| (f.to_string(), *p))
    .collect();
    assert_eq!(pages(&out), expected);

    let dir = common::scratch("files-from");
    let list_file = dir.join("list.txt");
    std::fs::write(&list_file, "test-images/13-scan.jpg\n").unwrap();
    let list_arg = list_file.display().to_string();
    let out = common::scan(&[&FAST[..], &["--files-from", &list_arg]].concat());
    assert_eq!(pages(&out), vec![("test-images/13-scan.jpg".to_owned(), 1)]);
    assert_eq!(out.status.code(), Some(0));

    let empty = scan_with_input(&[&FAST[..], &["--files-from", "-"]].concat(), "# none\n");
    assert_eq!(
        empty.status.code(),
        Some(0),
        "an empty list is an empty batch"
    );
    assert!(empty.stdout.is_empty());

    let missing = common::scan(&["--files-from", "no/such/list.txt"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("--files-from 'no/such/list.txt'"), "{err}");
}

#[test]
fn shards_split_the_expanded_inputs_disjointly_and_completely() {
    let whole = common::scan(&[&FAST[..], &["test-images/"]].concat());
    let files: Vec<String> = {
        let mut seen = Vec::new();
        for (f, _) in pages(&whole) {
            if seen.last() != Some(&f) {
                seen.push(f);
            }
        }
        seen
    };
    let on_disk = std::fs::read_dir(common::test_images())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name().into_string().unwrap();
            !name.ends_with(".truth.json") && !name.starts_with('.')
        })
        .count();
    assert_eq!(
        files.len(),
        on_disk,
        "every fixture file is in the whole batch"
    );
    let mut union = BTreeSet::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let out = common::scan(&[&FAST[..], &["--shard", &shard, "test-images/"]].concat());
        let part = pages(&out);
        let expected: Vec<&String> = files
            .iter()
            .enumerate()
            .filter(|(k, _)| k % 3 == i - 1)
            .map(|(_, f)| f)
            .collect();
        let mut got: Vec<&String> = part.iter().map(|(f, _)| f).collect();
        got.dedup();
        assert_eq!(
            got,
            expected,
            "shard {shard} holds inputs k with k mod 3 = {}",
            i - 1
        );
        for p in keys(&out) {
            assert!(union.insert(p.clone()), "{p:?} is in two shards");
        }
    }
    assert_eq!(
        union,
        keys(&whole).into_iter().collect(),
        "the shards cover the batch"
    );

    for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
        let out = common::scan(&["--shard", bad, "test-images/"]);
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--shard") && err.contains("1 ≤ i ≤ n"),
            "{err}"
        );
    }
}

#[test]
fn annotate_writes_one_png_per_page_with_the_symbols_outlined_in_colour() {
    let dir = common::scratch("annotate");
    let out_dir = dir.join("out");
    let out_arg = out_dir.display().to_string();
    let missing = dir.join("missing.png").display().to_string();
    let out = common::scan(
        &[
            &FAST[..],
            &[
                "--annotate",
                &out_arg,
                "test-images/11-fax-g4.tif",
                &missing,
            ],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(2), "the missing file is an error");
    let records = common::records(&out);
    assert_eq!(records.len(), 4);
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let missing_name = format!(
        "{}.p1.png",
        missing.trim_start_matches('/').replace('/', "_")
    );
    let mut expected = vec![
        "test-images_11-fax-g4.tif.p1.png".to_owned(),
        "test-images_11-fax-g4.tif.p2.png".to_owned(),
        "test-images_11-fax-g4.tif.p3.png".to_owned(),
        missing_name.clone(),
    ];
    expected.sort();
    assert_eq!(names, expected);

    for r in &records[..3] {
        let page = r["page"].as_u64().unwrap();
        let png = out_dir.join(format!("test-images_11-fax-g4.tif.p{page}.png"));
        let img = image::open(&png).unwrap().to_rgb8();
        let (w, h) = (
            r["width_px"].as_u64().unwrap(),
            r["height_px"].as_u64().unwrap(),
        );
        assert_eq!(u64::from(img.width()), w);
        let banner = img.height() - h as u32;
        assert!(banner > 0, "a banner above the page");
        let top = img.get_pixel(2, 2).0;
        match r["verdict"].as_str().unwrap() {
            "pass" => assert!(top[1] > top[0] && top[1] > top[2], "green banner: {top:?}"),
            _ => assert!(top[0] > top[1] && top[0] > top[2], "red banner: {top:?}"),
        }
        let symbols = r["symbols"].as_array().unwrap();
        assert!(!symbols.is_empty());
        for s in symbols {
            let q: Vec<(f64, f64)> = s["quad"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            // The middle of each edge of the quad is drawn in a colour, not in grey.
            for k in 0..4 {
                let (a, b) = (q[k], q[(k + 1) % 4]);
                let (x, y) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
                let p = img.get_pixel(x.round() as u32, y.round() as u32 + banner).0;
                let spread = p.iter().max().unwrap() - p.iter().min().unwrap();
                assert!(
                    spread > 100,
                    "page {page}, edge {k} of {}: {p:?}",
                    s["value"]
                );
            }
        }
    }
    let error_png = image::open(out_dir.join(&missing_name)).unwrap().to_rgb8();
    let top = error_png.get_pixel(2, 2).0;
    assert!(
        top[0] > 150 && top[1] < 100,
        "an unreadable file gets a red banner: {top:?}"
    );
}

#[test]
fn annotate_draws_each_label_of_a_label_sheet_on_its_own() {
    let dir = common::scratch("annotate-sheet");
    let out_dir = dir.join("out");
    let out_arg = out_dir.display().to_string();
    let sheet = "test-images/21-label-sheet.png";
    let out = common::scan(&[&FAST[..], &["--annotate", &out_arg, sheet]].concat());
    let records = common::records(&out);
    assert_eq!(records.len(), 24);
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = (1..=24)
        .map(|l| format!("test-images_21-label-sheet.png.p1.l{l}.png"))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    for r in &records {
        let label = r["label"].as_u64().unwrap();
        let png = out_dir.join(format!("test-images_21-label-sheet.png.p1.l{label}.png"));
        let img = image::open(&png).unwrap().to_rgb8();
        // The label (63.5 mm and a margin at 200 dpi), not the whole page.
        assert!(
            (500..600).contains(&img.width()),
            "label {label}: {} px wide",
            img.width()
        );
        let top = img.get_pixel(2, 2).0;
        match r["verdict"].as_str().unwrap() {
            "pass" => assert!(top[1] > top[0], "label {label}: green banner {top:?}"),
            _ => assert!(top[0] > top[1], "label {label}: red banner {top:?}"),
        }
    }
}
