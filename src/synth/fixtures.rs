//! The committed fixture set of `test-images/`: each file, how it is drawn, and its truth.
//!
//! `cargo run --bin ordoscan-synth -- fixtures test-images/` rewrites them; the truth of a
//! fixture is stated here by the case it draws (what a correct reader must report), never
//! taken from a run of ordoscan.

use image::GrayImage;
use serde::{Deserialize, Serialize};

use super::code128::CodeSets;
use super::write::{self, Fax, PdfImage};
use super::{Block, Mark, PageSpec, render};

mod sheet;

/// What a correct reader reports for one page of a fixture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageTruth {
    /// Page number, from 1.
    pub page: u32,
    /// `pass`, `fail` or `error`.
    pub verdict: String,
    /// The prescriber's RPPS value, when determined.
    pub prescriber: Option<String>,
    /// The structure's FINESS/AM value, when determined.
    pub structure: Option<String>,
    /// Every finding code expected, sorted.
    pub findings: Vec<String>,
    /// Every symbol value on the page, sorted.
    pub symbols: Vec<String>,
    /// Where the resolution comes from.
    pub dpi_source: String,
    /// The label (1–24) on an Annexe III label sheet, whose page has one entry per label;
    /// absent on a prescription page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<u32>,
}

/// A fixture file's truth: one entry per page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Truth {
    /// What the fixture shows.
    pub description: String,
    /// Page by page.
    pub pages: Vec<PageTruth>,
}

/// A fixture: its file name, bytes and truth.
pub struct Fixture {
    /// File name in `test-images/`.
    pub name: &'static str,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// What a correct reader reports.
    pub truth: Truth,
}

const A5: (f64, f64) = (148.0, 210.0);
const A4: (f64, f64) = (210.0, 297.0);

/// Kinds of identification block, for legends.
#[derive(Clone, Copy)]
enum K {
    Rpps,
    Finess,
    Am,
}

fn block(kind: K, value: &str, x_mm: f64, y_mm: f64, sets: CodeSets, x_dim_mm: f64) -> Block {
    let legend = match kind {
        K::Rpps => "N° RPPS",
        K::Finess => "N° FINESS",
        K::Am => "N° AM",
    };
    Block {
        x_mm,
        y_mm,
        value: value.to_owned(),
        sets,
        x_dim_mm,
        height_mm: 8.0,
        legend: Some(legend.to_owned()),
        hri: Some(value.to_owned()),
        style: super::TextStyle::default(),
        bar_gain_mm: 0.0,
    }
}

/// A prescription page: header, the identification blocks, a few lines and a signature.
fn prescription(size: (f64, f64), blocks: Vec<Block>) -> PageSpec {
    let (w, h) = size;
    let text = |x_mm, y_mm, size_mm, t: &str| Mark::Text {
        x_mm,
        y_mm,
        size_mm,
        text: t.to_owned(),
    };
    // The prescription itself starts below the lowest identification block and its HRI.
    let body = blocks
        .iter()
        .map(|b| b.y_mm + b.height_mm + 12.0)
        .fold(50.0, f64::max);
    let mut marks = vec![
        text(12.0, 10.0, 3.0, "Centre Hospitalier de Saint-Exemple"),
        text(
            12.0,
            15.0,
            2.0,
            "Service de médecine interne - 1 rue de la Santé",
        ),
        text(w / 2.0 - 15.0, body, 4.0, "ORDONNANCE"),
        text(
            12.0,
            body + 13.0,
            2.5,
            "Mme Martin Jeanne, née le 01/02/1950",
        ),
        text(
            12.0,
            body + 23.0,
            2.5,
            "1) Paracétamol 1 g : 1 cp matin, midi et soir, 5 jours",
        ),
        text(
            12.0,
            body + 30.0,
            2.5,
            "2) Amoxicilline 1 g : 1 cp matin et soir, 7 jours",
        ),
    ];
    let sig_y = h - 30.0;
    for (i, dx) in [0.0, 6.0, 12.0, 18.0].iter().enumerate() {
        let up = if i % 2 == 0 { -4.0 } else { 3.0 };
        marks.push(Mark::Stroke {
            from_mm: [w - 50.0 + dx, sig_y],
            to_mm: [w - 44.0 + dx, sig_y + up],
            width_mm: 0.5,
        });
    }
    PageSpec {
        width_mm: w,
        height_mm: h,
        blocks,
        marks,
    }
}

/// The usual pair: prescriber block at left, structure block at right, under the header.
fn pair(
    size: (f64, f64),
    rpps: &str,
    structure: (K, &str),
    sets: CodeSets,
    x_dim: f64,
) -> PageSpec {
    let (w, _) = size;
    prescription(
        size,
        vec![
            block(K::Rpps, rpps, 12.0, 30.0, sets, x_dim),
            block(structure.0, structure.1, w / 2.0 + 8.0, 30.0, sets, x_dim),
        ],
    )
}

fn page(
    n: u32,
    verdict: &str,
    p: Option<&str>,
    s: Option<&str>,
    f: &[&str],
    symbols: &[&str],
    dpi_source: &str,
) -> PageTruth {
    let mut symbols: Vec<String> = symbols.iter().map(|v| (*v).to_owned()).collect();
    symbols.sort();
    let mut findings: Vec<String> = f.iter().map(|v| (*v).to_owned()).collect();
    findings.sort();
    PageTruth {
        page: n,
        verdict: verdict.to_owned(),
        prescriber: p.map(str::to_owned),
        structure: s.map(str::to_owned),
        findings,
        symbols,
        dpi_source: dpi_source.to_owned(),
        label: None,
    }
}

/// `truth` with layout warnings (Annexe I) it also reports.
fn warned(mut truth: PageTruth, codes: &[&str]) -> PageTruth {
    truth.findings.extend(codes.iter().map(|c| (*c).to_owned()));
    truth.findings.sort();
    truth
}

fn pass(n: u32, rpps: &str, structure: &str) -> PageTruth {
    page(
        n,
        "pass",
        Some(rpps),
        Some(structure),
        &[],
        &[rpps, structure],
        "file",
    )
}

fn png_fixture(
    name: &'static str,
    description: &str,
    spec: &PageSpec,
    dpi: f64,
    truth: PageTruth,
) -> Fixture {
    Fixture {
        name,
        bytes: write::png(&render(spec, dpi), dpi),
        truth: Truth {
            description: description.to_owned(),
            pages: vec![truth],
        },
    }
}

const RPPS: [&str; 3] = ["10001045367", "10100224947", "10005173140"];
const FINESS: [&str; 3] = ["750712184", "010780054", "060786738"];
const AM: &str = "751012345";
const C: CodeSets = CodeSets::Shortest;

/// Every fixture of `test-images/`.
pub fn all() -> Vec<Fixture> {
    let mut f = vec![
        png_fixture(
            "01-hospital-finess.png",
            "A5 hospital pad at 300 dpi: RPPS and FINESS, code set C",
            &pair(A5, RPPS[0], (K::Finess, FINESS[0]), C, 0.3),
            300.0,
            pass(1, RPPS[0], FINESS[0]),
        ),
        png_fixture(
            "02-practice-am.png",
            "A5 private-practice pad at 300 dpi: RPPS and N° AM",
            &pair(A5, RPPS[1], (K::Am, AM), C, 0.3),
            300.0,
            pass(1, RPPS[1], AM),
        ),
        png_fixture(
            "03-group-pad.png",
            "A4 group pad at 200 dpi: three RPPS, one FINESS, nobody singled out",
            &group_spec(),
            200.0,
            page(
                1,
                "fail",
                None,
                Some(FINESS[1]),
                &["prescriber_ambiguous"],
                &[RPPS[0], RPPS[1], RPPS[2], FINESS[1]],
                "file",
            ),
        ),
        png_fixture(
            "04-missing-structure.png",
            "A5 pad with the RPPS only",
            &prescription(A5, vec![block(K::Rpps, RPPS[2], 12.0, 30.0, C, 0.3)]),
            300.0,
            page(
                1,
                "fail",
                Some(RPPS[2]),
                None,
                &["structure_missing"],
                &[RPPS[2]],
                "file",
            ),
        ),
        png_fixture(
            "05-bad-check-key.png",
            "A5 pad whose RPPS has a wrong Luhn key",
            &pair(A5, "10001045368", (K::Finess, FINESS[2]), C, 0.3),
            300.0,
            page(
                1,
                "fail",
                Some("10001045368"),
                Some(FINESS[2]),
                &["checksum_invalid"],
                &["10001045368", FINESS[2]],
                "file",
            ),
        ),
        png_fixture(
            "06-two-finess.png",
            "A4 pad with two different FINESS numbers",
            &prescription(
                A4,
                vec![
                    block(K::Rpps, RPPS[0], 12.0, 30.0, C, 0.3),
                    block(K::Finess, FINESS[0], 120.0, 30.0, C, 0.3),
                    block(K::Finess, FINESS[1], 120.0, 70.0, C, 0.3),
                ],
            ),
            200.0,
            page(
                1,
                "fail",
                Some(RPPS[0]),
                None,
                &["structure_ambiguous"],
                &[RPPS[0], FINESS[0], FINESS[1]],
                "file",
            ),
        ),
        png_fixture(
            "07-national-rpps.png",
            "RPPS printed in its 12-character national form (8 + RPPS)",
            &pair(A5, "810001045367", (K::Finess, FINESS[0]), C, 0.27),
            300.0,
            pass(1, "810001045367", FINESS[0]),
        ),
        png_fixture(
            "08-corsica.png",
            "Corsican FINESS (2A…): its key cannot be checked, never reported invalid",
            &pair(A5, RPPS[1], (K::Finess, "2A0000061"), C, 0.3),
            300.0,
            warned(pass(1, RPPS[1], "2A0000061"), &["size_out_of_range"]),
        ),
        png_fixture(
            "09-code-set-b.png",
            "Practice software style: code set B only, narrow 0.22 mm modules",
            &pair(A5, RPPS[2], (K::Finess, FINESS[1]), CodeSets::BOnly, 0.22),
            300.0,
            warned(pass(1, RPPS[2], FINESS[1]), &["not_code_set_c"]),
        ),
    ];
    let landscape =
        image::imageops::rotate90(&render(&pair(A5, RPPS[0], (K::Am, AM), C, 0.3), 300.0));
    f.push(Fixture {
        name: "10-landscape.png",
        bytes: write::png(&landscape, 300.0),
        truth: Truth {
            description: "A5 pad scanned sideways (rotated 90°)".to_owned(),
            pages: vec![pass(1, RPPS[0], AM)],
        },
    });
    let fax_pages: Vec<(GrayImage, f64)> = [
        pair(A4, RPPS[0], (K::Finess, FINESS[0]), C, 0.33),
        pair(A4, RPPS[1], (K::Am, AM), C, 0.33),
        prescription(A4, vec![block(K::Rpps, RPPS[2], 12.0, 30.0, C, 0.33)]),
    ]
    .iter()
    .map(|spec| (render(spec, 200.0), 200.0))
    .collect();
    f.push(Fixture {
        name: "11-fax-g4.tif",
        bytes: write::tiff_fax(&fax_pages, Fax::G4),
        truth: Truth {
            description: "three-page fax, TIFF CCITT G4 at 200 dpi".to_owned(),
            pages: vec![
                warned(pass(1, RPPS[0], FINESS[0]), &["size_out_of_range"]),
                warned(pass(2, RPPS[1], AM), &["size_out_of_range"]),
                page(
                    3,
                    "fail",
                    Some(RPPS[2]),
                    None,
                    &["size_out_of_range", "structure_missing"],
                    &[RPPS[2]],
                    "file",
                ),
            ],
        },
    });
    f.push(Fixture {
        name: "12-fax-g3.tif",
        bytes: write::tiff_fax(&fax_pages[..1], Fax::G3),
        truth: Truth {
            description: "one-page fax, TIFF CCITT G3 (T.4 1-D) at 200 dpi".to_owned(),
            pages: vec![warned(pass(1, RPPS[0], FINESS[0]), &["size_out_of_range"])],
        },
    });
    let photo = render(&pair(A5, RPPS[1], (K::Finess, FINESS[2]), C, 0.33), 200.0);
    f.push(Fixture {
        name: "13-scan.jpg",
        bytes: write::jpeg(&photo, 200.0, 80),
        truth: Truth {
            description: "A5 pad, JPEG quality 80 at 200 dpi".to_owned(),
            pages: vec![warned(pass(1, RPPS[1], FINESS[2]), &["size_out_of_range"])],
        },
    });
    let pdf_pages = [
        (
            render(&pair(A4, RPPS[2], (K::Finess, FINESS[0]), C, 0.33), 200.0),
            200.0,
            PdfImage::Jpeg(85),
        ),
        (
            render(
                &prescription(A4, vec![block(K::Finess, FINESS[1], 120.0, 30.0, C, 0.33)]),
                200.0,
            ),
            200.0,
            PdfImage::CcittG4,
        ),
    ];
    f.push(Fixture {
        name: "14-scan.pdf",
        bytes: write::pdf(&pdf_pages),
        truth: Truth {
            description:
                "two-page scanned PDF at 200 dpi: a JPEG page, a CCITT G4 page without RPPS"
                    .to_owned(),
            pages: vec![
                warned(pass(1, RPPS[2], FINESS[0]), &["size_out_of_range"]),
                page(
                    2,
                    "fail",
                    None,
                    Some(FINESS[1]),
                    &["prescriber_missing"],
                    &[FINESS[1]],
                    "file",
                ),
            ],
        },
    });
    // A misprinted pad: the digits under the bars are not the number the bars encode.
    let mut misprinted = block(K::Rpps, RPPS[0], 12.0, 30.0, C, 0.3);
    misprinted.hri = Some("10001045376".to_owned());
    f.push(faulty_rpps(
        "15-hri-mismatch.png",
        "A5 pad whose printed RPPS digits differ from its bars (two digits swapped)",
        misprinted,
        FINESS[0],
        "hri_mismatch",
    ));
    // The FINESS legend printed above the RPPS symbol.
    let mut mislabelled = block(K::Rpps, RPPS[1], 12.0, 30.0, C, 0.3);
    mislabelled.legend = Some("N° FINESS".to_owned());
    f.push(faulty_rpps(
        "16-legend-mismatch.png",
        "A5 pad with the legend N° FINESS above an 11-digit RPPS symbol",
        mislabelled,
        FINESS[2],
        "legend_mismatch",
    ));
    // Scratched bars: white scratches across the middle of the RPPS symbol break every
    // character there on every line, while its start, stop and printed digits stay.
    let dpi = 300.0;
    let mut scratched = render(&pair(A5, RPPS[2], (K::Finess, FINESS[1]), C, 0.3), dpi);
    let modules = 11 * super::code128::codewords(RPPS[2], C).map_or(0, |c| c.len()) + 13;
    let px = |mm: f64| (mm / 25.4 * dpi).round() as u32;
    let (x0, x1) = (
        12.0 + 0.3 * modules as f64 * 0.3,
        12.0 + 0.3 * modules as f64 * 0.7,
    );
    for x in (px(x0)..px(x1)).step_by(4) {
        for y in px(30.0)..px(38.0) {
            scratched.put_pixel(x, y, image::Luma([255]));
            scratched.put_pixel(x + 1, y, image::Luma([255]));
        }
    }
    f.push(Fixture {
        name: "17-unreadable-bars.png",
        bytes: write::png(&scratched, dpi),
        truth: Truth {
            description: "A5 pad whose RPPS bars are scratched through the middle: the \
                          prescriber is read from the printed digits only"
                .to_owned(),
            pages: vec![page(
                1,
                "fail",
                None,
                Some(FINESS[1]),
                &["prescriber_missing", "symbol_unreadable"],
                &[RPPS[2], FINESS[1]],
                "file",
            )],
        },
    });
    // Group pads with hand marks: the middle RPPS circled in blue ballpoint, or the two
    // others struck through in black.
    f.push(group_pad(
        "18-group-circled.png",
        "A4 group pad at 200 dpi: three RPPS, the second circled in blue ballpoint",
        |img, px| {
            let (c, r) = ([px(30.0), px(74.0)], [px(26.0), px(12.0)]);
            let at = |k: usize| {
                let t = std::f64::consts::TAU * k as f64 / 64.0;
                [c[0] + r[0] * t.cos(), c[1] + r[1] * t.sin()]
            };
            for k in 0..64 {
                super::stroke_ink(img, at(k), at(k + 1), px(0.5), 95);
            }
        },
    ));
    f.push(group_pad(
        "19-group-struck.png",
        "A4 group pad at 200 dpi: three RPPS, the first and third struck through",
        |img, px| {
            for y in [30.0, 110.0] {
                super::stroke_ink(img, [px(12.0), px(y)], [px(45.0), px(y + 8.0)], px(0.6), 20);
                super::stroke_ink(img, [px(12.0), px(y + 8.0)], [px(45.0), px(y)], px(0.6), 20);
            }
        },
    ));
    // Layout faults (Annexe I): the RPPS block 3 mm from the page's left edge, the FINESS
    // symbol 2 mm after it (6.7 modules of quiet zone between them).
    let rpps_mm =
        0.3 * (11 * super::code128::codewords(RPPS[0], C).map_or(0, |c| c.len()) + 13) as f64;
    // The RPPS has neither legend nor digits; the FINESS ones are printed too small.
    let mut bare = block(K::Rpps, RPPS[0], 3.0, 30.0, C, 0.3);
    (bare.legend, bare.hri) = (None, None);
    let mut small_text = block(K::Finess, FINESS[0], 3.0 + rpps_mm + 2.0, 30.0, C, 0.3);
    small_text.style.legend_mm = 0.74;
    small_text.style.hri_mm = 1.4;
    f.push(png_fixture(
        "20-layout-faults.png",
        "A5 pad at 300 dpi printed too close to the edge, its two symbols 2 mm apart, the \
         RPPS without legend or digits, the FINESS ones too small",
        &prescription(A5, vec![bare, small_text]),
        300.0,
        page(
            1,
            "pass",
            Some(RPPS[0]),
            Some(FINESS[0]),
            &[
                "hri_missing",
                "hri_too_small",
                "legend_missing",
                "legend_too_small",
                "margin_too_small",
                "quiet_zone_too_small",
                "spacing_too_small",
            ],
            &[RPPS[0], FINESS[0]],
            "file",
        ),
    ));
    f.push(sheet::label_sheet());
    // Practice software that prints the RPPS in Code 39 (a barcode font): read and
    // reported as code39, never accepted as the prescriber.
    f.push(png_fixture(
        "22-code39-rpps.png",
        "A5 pad at 300 dpi whose RPPS is printed in Code 39 under N° RPPS, the FINESS in \
         Code 128",
        &prescription(
            A5,
            vec![
                block(K::Rpps, RPPS[1], 12.0, 30.0, CodeSets::Code39, 0.16),
                block(K::Finess, FINESS[1], 82.0, 30.0, C, 0.3),
            ],
        ),
        300.0,
        page(
            1,
            "fail",
            None,
            Some(FINESS[1]),
            &["not_code_128", "prescriber_missing"],
            &[RPPS[1], FINESS[1]],
            "file",
        ),
    ));
    // Worn-out toner: grey print on greyish paper, read and judged as usual; `--grade`
    // rates its symbols below C.
    let dpi = 300.0;
    let mut pale = render(&pair(A5, RPPS[0], (K::Finess, FINESS[2]), C, 0.3), dpi);
    for p in pale.pixels_mut() {
        p.0[0] = 150 + (u16::from(p.0[0]) * 75 / 255) as u8;
    }
    f.push(Fixture {
        name: "23-pale-print.png",
        bytes: write::png(&pale, dpi),
        truth: Truth {
            description: "A5 pad at 300 dpi printed with worn-out toner (grey on grey, \
                          contrast 0.29): it passes, and `--grade` warns low_grade"
                .to_owned(),
            pages: vec![pass(1, RPPS[0], FINESS[2])],
        },
    });
    // A misprint half hidden: the last printed digit is not the bars' and a pen stroke
    // crosses the first digits; the digits read still show the misprint.
    let mut hidden = block(K::Rpps, RPPS[0], 12.0, 30.0, C, 0.3);
    let mut printed = RPPS[0].to_owned();
    printed.replace_range(10..11, "1");
    hidden.hri = Some(printed);
    let finess = block(K::Finess, FINESS[0], A5.0 / 2.0 + 8.0, 30.0, C, 0.3);
    let mut scribbled = render(&prescription(A5, vec![hidden, finess]), dpi);
    let px = |mm: f64| mm / 25.4 * dpi;
    let pen = [
        [11.0, 42.0],
        [12.6, 38.4],
        [13.8, 42.2],
        [15.2, 38.6],
        [16.4, 41.6],
    ];
    for w in pen.windows(2) {
        let (a, b) = (w[0].map(px), w[1].map(px));
        super::stroke_ink(&mut scribbled, a, b, px(0.5), 30);
    }
    f.push(Fixture {
        name: "24-hri-misprint-under-pen.png",
        bytes: write::png(&scribbled, dpi),
        truth: Truth {
            description: "A5 pad whose printed RPPS ends in a wrong digit while a pen stroke \
                          hides its first digits: hri_mismatch from the digits read"
                .to_owned(),
            pages: vec![page(
                1,
                "fail",
                Some(RPPS[0]),
                Some(FINESS[0]),
                &["hri_mismatch"],
                &[RPPS[0], FINESS[0]],
                "file",
            )],
        },
    });
    f
}

/// The group pad of `03-group-pad.png` with `mark` drawn on it (given mm → pixels), in
/// which the hand marks single out its second RPPS.
fn group_pad(
    name: &'static str,
    description: &str,
    mark: impl Fn(&mut GrayImage, &dyn Fn(f64) -> f64),
) -> Fixture {
    let dpi = 200.0;
    let mut img = render(&group_spec(), dpi);
    mark(&mut img, &|mm: f64| mm / 25.4 * dpi);
    Fixture {
        name,
        bytes: write::png(&img, dpi),
        truth: Truth {
            description: description.to_owned(),
            pages: vec![page(
                1,
                "pass",
                Some(RPPS[1]),
                Some(FINESS[1]),
                &[],
                &[RPPS[0], RPPS[1], RPPS[2], FINESS[1]],
                "file",
            )],
        },
    }
}

/// An A4 group pad: three RPPS blocks one above the other, a FINESS block on the right.
fn group_spec() -> PageSpec {
    prescription(
        A4,
        vec![
            block(K::Rpps, RPPS[0], 12.0, 30.0, C, 0.3),
            block(K::Rpps, RPPS[1], 12.0, 70.0, C, 0.3),
            block(K::Rpps, RPPS[2], 12.0, 110.0, C, 0.3),
            block(K::Finess, FINESS[1], 120.0, 30.0, C, 0.3),
        ],
    )
}

/// An A5 pad at 300 dpi whose RPPS block is drawn wrong in one way (`rpps`), beside a
/// FINESS block: both numbers are read, and the page fails with `finding`.
fn faulty_rpps(
    name: &'static str,
    description: &str,
    rpps: Block,
    finess: &str,
    finding: &str,
) -> Fixture {
    let value = rpps.value.clone();
    png_fixture(
        name,
        description,
        &prescription(
            A5,
            vec![
                rpps,
                block(K::Finess, finess, A5.0 / 2.0 + 8.0, 30.0, C, 0.3),
            ],
        ),
        300.0,
        page(
            1,
            "fail",
            Some(&value),
            Some(finess),
            &[finding],
            &[&value, finess],
            "file",
        ),
    )
}

/// The truth file name of a fixture: `name` + `.truth.json`.
pub fn truth_name(name: &str) -> String {
    format!("{name}.truth.json")
}
