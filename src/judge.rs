//! Judge: from the symbols found on a page to its record, findings and verdict (SPEC §6).
//!
//! A page passes when exactly one prescriber RPPS and exactly one structure number (FINESS
//! or AM) are determined, each from a decoded Code 128 symbol whose check key is valid.
//! Everything noticed on the way is a finding naming its symbol; [`verdict`] is the one
//! place that turns findings into a verdict.

use std::collections::BTreeSet;

use crate::decode::{Symbol, Symbology};
use crate::ids::{self, IdKind};
use crate::marks::Evidence;
use crate::report::{
    DpiSource, Finding, FindingCode, Identification, PageReport, Severity, SymbolReport, Verdict,
};
use crate::text::TextRead;

/// What the judge needs to know about the page itself.
#[derive(Clone, Debug)]
pub struct PageInfo {
    /// The input path as given.
    pub file: String,
    /// Page number, from 1.
    pub page: u32,
    /// Page size in pixels.
    pub width_px: u32,
    /// Page size in pixels.
    pub height_px: u32,
    /// Resolution used for every mm measure.
    pub dpi: f64,
    /// Where `dpi` came from.
    pub dpi_source: DpiSource,
    /// The time budget, when it ran out before the search for symbols ended.
    pub timed_out: Option<std::time::Duration>,
    /// On an Annexe III label sheet, the label (1–24) judged: only its symbols are seen,
    /// and page margins are not checked (the Instruction sets none from a label's edge).
    pub label: Option<u32>,
}

/// How the judge is asked to rule.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rules {
    /// Warnings fail the page too.
    pub strict: bool,
    /// Estimate each symbol's print grade (ISO/IEC 15416) and warn below C.
    pub grade: bool,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The record of a symbol, with its kind, check key and sizes in mm, and what is printed
/// around it (`text`, when it was read).
pub fn symbol_report(symbol: &Symbol, text: Option<&TextRead>, dpi: f64) -> SymbolReport {
    let shape = ids::kind_from_shape(&symbol.value);
    // The legend names the kind when it agrees with the value's shape (FINESS and AM
    // numbers share theirs); a legend that contradicts the shape is a finding, and the
    // shape stays.
    let kind = text
        .and_then(|t| t.legend_kind)
        .filter(|&k| legend_fits(k, shape))
        .unwrap_or(shape);
    // Only a clearly read HRI is reported and compared.
    let hri = text.filter(|t| t.hri_confident).and_then(|t| t.hri.clone());
    let mm = |px: f64| round2(px / dpi * 25.4);
    SymbolReport {
        value: symbol.value.clone(),
        symbology: symbol.symbology.as_str().to_owned(),
        kind,
        legend: text.and_then(|t| t.legend.clone()),
        hri_match: hri.as_ref().map(|h| *h == symbol.value),
        hri,
        check_key_valid: ids::check_key_valid(kind, &symbol.value),
        code_sets: symbol.code_sets.clone(),
        read_from: "barcode".to_owned(),
        marked: None,
        quad: symbol.quad.map(|p| p.map(|v| (v * 10.0).round() / 10.0)),
        x_dim_mm: symbol.px_per_module.map(mm),
        px_per_module: symbol.px_per_module.map(round2),
        width_mm: Some(mm(symbol.length_px())),
        height_mm: Some(mm(symbol.height_px())),
        grade: None,
    }
}

/// Whether a legend naming `legend` may stand above a value of shape `shape`: an RPPS
/// legend over an RPPS-shaped value, a FINESS or AM legend over a structure-shaped one.
fn legend_fits(legend: IdKind, shape: IdKind) -> bool {
    match legend {
        IdKind::Rpps => shape == IdKind::Rpps,
        IdKind::Finess | IdKind::Am => shape.is_structure(),
        IdKind::Unknown => false,
    }
}

/// "an RPPS number", "a FINESS number"… for messages.
fn a_number(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Rpps => "an RPPS number",
        IdKind::Finess => "a FINESS number",
        IdKind::Am => "an AM number",
        IdKind::Unknown => "no identifier",
    }
}

/// Findings of what is printed around each symbol: an HRI that reads differently from the
/// bars, a legend that names another kind of number.
fn text_findings(reports: &[SymbolReport], texts: &[TextRead], findings: &mut Vec<Finding>) {
    for (i, (s, t)) in reports.iter().zip(texts).enumerate() {
        if let (Some(false), Some(hri)) = (s.hri_match, &s.hri) {
            findings.push(Finding {
                code: FindingCode::HriMismatch,
                severity: Severity::Error,
                symbol: Some(i),
                message: format!(
                    "the printed digits read '{hri}' but the barcode encodes '{}'",
                    s.value
                ),
            });
        }
        if let Some(k) = t
            .legend_kind
            .filter(|&k| !legend_fits(k, ids::kind_from_shape(&s.value)))
        {
            findings.push(Finding {
                code: FindingCode::LegendMismatch,
                severity: Severity::Error,
                symbol: Some(i),
                message: format!(
                    "legend '{}' names {} above '{}', which has the shape of {}",
                    t.legend.as_deref().unwrap_or_default(),
                    a_number(k),
                    s.value,
                    a_number(s.kind)
                ),
            });
        }
    }
}

/// What was found on a page: the symbols decoded, the text read around each (same order,
/// or empty when the text stage did not run), and the symbols whose bars did not decode
/// but whose printed digits did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen<'a> {
    /// Decoded symbols.
    pub symbols: &'a [Symbol],
    /// Legend and HRI around each decoded symbol.
    pub texts: &'a [TextRead],
    /// Undecoded symbols identified from their HRI, with what was read around them.
    pub recovered: &'a [(Symbol, TextRead)],
    /// The hand marks around each decoded symbol (same order; `None` where not looked
    /// at), on pages with several RPPS numbers.
    pub marks: &'a [Option<Evidence>],
    /// The clear space around each decoded symbol's bars, modules (same order; may be
    /// empty).
    pub quiet: &'a [Option<f64>],
    /// The print grade of each decoded symbol (same order; empty unless asked for).
    pub grades: &'a [Option<f64>],
}

/// Judges a page from its symbols.
pub fn judge(info: &PageInfo, seen: &Seen, rules: Rules) -> PageReport {
    let mut reports: Vec<SymbolReport> = seen
        .symbols
        .iter()
        .enumerate()
        .map(|(i, s)| symbol_report(s, seen.texts.get(i), info.dpi))
        .collect();
    let mut findings = Vec::new();
    text_findings(&reports, seen.texts, &mut findings);
    grade_findings(&mut reports, seen.grades, &mut findings);
    let singled = single_out(&mut reports, seen.marks);
    let by_marks = matches!(singled, Singled::One(_));
    let mut prescriber = match singled {
        Singled::One(i) => {
            check_key_finding(&reports, i, &mut findings);
            Some(Identification {
                kind: reports[i].kind,
                value: reports[i].value.clone(),
                symbol: i,
            })
        }
        Singled::NotOne(why) => determine(&reports, &mut findings, Role::Prescriber, why),
    };
    let mut structure = determine(&reports, &mut findings, Role::Structure, "");
    let recovered: Vec<SymbolReport> = seen
        .recovered
        .iter()
        .map(|(symbol, text)| recovered_report(symbol, text, info.dpi))
        .collect();
    // A barcode that does not decode but whose digits give another number makes the page
    // ambiguous, not determined by the barcodes that did decode. (Hand marks were seen
    // only on decoded symbols, so a prescriber they single out stands.)
    if !by_marks {
        contradict(&mut prescriber, &recovered, Role::Prescriber, &mut findings);
    }
    contradict(&mut structure, &recovered, Role::Structure, &mut findings);
    let determined = prescriber.is_some() && structure.is_some();
    for r in recovered {
        findings.push(Finding {
            code: FindingCode::SymbolUnreadable,
            severity: if determined {
                Severity::Warning
            } else {
                Severity::Error
            },
            symbol: Some(reports.len()),
            message: format!(
                "a barcode does not decode; the digits printed under it read {} '{}'",
                a_number(r.kind),
                r.value
            ),
        });
        reports.push(r);
    }
    if let Some(budget) = info.timed_out {
        findings.push(Finding {
            code: FindingCode::Timeout,
            severity: Severity::Error,
            symbol: None,
            message: format!(
                "the page's time budget of {:.1} s ran out; the symbols found so far are reported",
                budget.as_secs_f64()
            ),
        });
    }
    for (i, s) in reports.iter().enumerate() {
        if s.symbology != Symbology::Code128.as_str() {
            findings.push(Finding {
                code: FindingCode::NotCode128,
                severity: if determined {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                symbol: Some(i),
                message: format!(
                    "{} symbol '{}' where a Code 128 identifier is expected; not accepted",
                    s.symbology, s.value
                ),
            });
        }
    }
    findings.extend(crate::layout::check(&crate::layout::Page {
        size_px: (info.width_px, info.height_px),
        dpi: info.dpi,
        symbols: &reports,
        texts: seen.texts,
        quiet: seen.quiet,
        on_label: info.label.is_some(),
    }));
    findings.sort_by_key(|f| (f.severity != Severity::Error, f.symbol, f.code));
    let verdict = verdict(&findings, rules);
    PageReport {
        file: info.file.clone(),
        page: info.page,
        label: info.label,
        width_px: Some(info.width_px),
        height_px: Some(info.height_px),
        dpi: Some(info.dpi),
        dpi_source: Some(info.dpi_source),
        verdict,
        prescriber,
        structure,
        symbols: reports,
        findings,
        error: None,
    }
}

/// Fills each symbol's `grade` (when grading was asked for) and warns `low_grade` below C.
fn grade_findings(
    reports: &mut [SymbolReport],
    grades: &[Option<f64>],
    findings: &mut Vec<Finding>,
) {
    for (i, (r, g)) in reports.iter_mut().zip(grades).enumerate() {
        let Some(g) = *g else {
            continue;
        };
        r.grade = Some(round2(g));
        if g < crate::grade::MIN_GRADE {
            findings.push(Finding {
                code: FindingCode::LowGrade,
                severity: Severity::Warning,
                symbol: Some(i),
                message: format!(
                    "print quality grade {g:.1} ({}), ISO/IEC 15416 estimate; at least {:.1} (C) expected",
                    crate::grade::letter(g),
                    crate::grade::MIN_GRADE
                ),
            });
        }
    }
}

/// The record of a symbol whose bars do not decode, from the digits printed under it.
fn recovered_report(symbol: &Symbol, text: &TextRead, dpi: f64) -> SymbolReport {
    let mut r = symbol_report(symbol, Some(text), dpi);
    r.read_from = "hri".to_owned();
    r.hri = Some(symbol.value.clone());
    r.hri_match = None;
    r.code_sets = None;
    r.x_dim_mm = None;
    r.px_per_module = None;
    r
}

/// Undoes `chosen` (the prescriber or the structure determined from decoded barcodes)
/// when a symbol read only from its digits gives another number of the same role, with
/// the `prescriber_ambiguous` / `structure_ambiguous` finding that says so.
fn contradict(
    chosen: &mut Option<Identification>,
    recovered: &[SymbolReport],
    role: Role,
    findings: &mut Vec<Finding>,
) {
    let Some(c) = chosen.as_ref() else {
        return;
    };
    let fits = |r: &&SymbolReport| match role {
        Role::Prescriber => r.kind == IdKind::Rpps,
        Role::Structure => r.kind.is_structure(),
    };
    let Some(other) = recovered.iter().filter(fits).find(|r| r.value != c.value) else {
        return;
    };
    let (code, what) = match role {
        Role::Prescriber => (FindingCode::PrescriberAmbiguous, "prescriber RPPS"),
        Role::Structure => (FindingCode::StructureAmbiguous, "structure FINESS or AM"),
    };
    findings.push(Finding {
        code,
        severity: Severity::Error,
        symbol: None,
        message: format!(
            "2 different {what} numbers: {} decoded, and {} read from the digits of a barcode that does not decode",
            c.value, other.value
        ),
    });
    *chosen = None;
}

/// The verdict of a page read without error: fail on any error finding, or on any finding
/// at all under `--strict`.
pub fn verdict(findings: &[Finding], rules: Rules) -> Verdict {
    let fails = |f: &Finding| f.severity == Severity::Error || rules.strict;
    if findings.iter().any(fails) {
        Verdict::Fail
    } else {
        Verdict::Pass
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Prescriber,
    Structure,
}

/// Whether the marks single out one RPPS number among several.
enum Singled {
    /// The symbol whose number is the prescriber's.
    One(usize),
    /// No single one; why, for the `prescriber_ambiguous` message (empty when the page
    /// has at most one RPPS number).
    NotOne(&'static str),
}

/// The RPPS symbols that can identify the prescriber: decoded Code 128 RPPS numbers.
fn rpps_candidates(reports: &[SymbolReport]) -> Vec<usize> {
    (0..reports.len())
        .filter(|&i| {
            let s = &reports[i];
            s.symbology == Symbology::Code128.as_str()
                && s.read_from == "barcode"
                && s.kind == IdKind::Rpps
        })
        .collect()
}

/// On a page with several RPPS numbers, which one the hand marks single out: exactly one
/// number marked (circled, boxed, ticked, highlighted) and not struck out, or else exactly
/// one number not struck out while the others are. Fills every RPPS symbol's `marked`.
fn single_out(reports: &mut [SymbolReport], marks: &[Option<Evidence>]) -> Singled {
    let candidates = rpps_candidates(reports);
    let values: BTreeSet<String> = candidates
        .iter()
        .map(|&i| reports[i].value.clone())
        .collect();
    if values.len() < 2 {
        return Singled::NotOne("");
    }
    let seen = |i: usize| marks.get(i).copied().flatten();
    // A number is marked when one of its symbols is, struck when all of them are.
    let of_value = |v: &str, test: &dyn Fn(&Evidence) -> bool, all: bool| {
        let mut hits = candidates
            .iter()
            .filter(|&&i| reports[i].value == v)
            .map(|&i| seen(i).is_some_and(|e| test(&e)));
        if all {
            hits.all(|h| h)
        } else {
            hits.any(|h| h)
        }
    };
    let struck: BTreeSet<&String> = values
        .iter()
        .filter(|v| of_value(v, &|e| e.struck(), true))
        .collect();
    let marked: Vec<&String> = values
        .iter()
        .filter(|v| !struck.contains(v) && of_value(v, &|e| e.singled_out(), false))
        .collect();
    let standing: Vec<&String> = values.iter().filter(|v| !struck.contains(v)).collect();
    // One mark singles a number out only when the other standing numbers show nothing
    // that could be one (a rubber stamp over them is no mark).
    let others_plain = |chosen: &String| {
        standing
            .iter()
            .filter(|v| **v != chosen)
            .all(|v| of_value(v, &|e| e.plain() || e.stamped(), true))
    };
    // Where numbers are struck out, the one left standing is the prescriber's; where
    // several are, a mark may single one of them out, as on a pad with no strokes.
    let chosen = match (struck.is_empty(), marked.as_slice(), standing.as_slice()) {
        (_, _, []) => Err("all of them are struck out"),
        (false, _, [one]) => Ok(*one),
        (false, [one], _) if others_plain(one) => Ok(*one),
        (false, _, _) => Err("more than one is left standing by the strokes"),
        (true, [one], _) if others_plain(one) => Ok(*one),
        (true, [_], _) => Err("a mark singles one out but another may be marked too"),
        (true, [], _) => Err("none is singled out by a mark"),
        (true, _, _) => Err("several are singled out by marks"),
    };
    for &i in &candidates {
        reports[i].marked = Some(chosen.is_ok_and(|v| *v == reports[i].value));
    }
    match chosen {
        Ok(v) => Singled::One(
            candidates
                .iter()
                .copied()
                .find(|&i| reports[i].value == *v)
                .unwrap_or_default(),
        ),
        Err(why) => Singled::NotOne(why),
    }
}

/// `checksum_invalid` when symbol `i`'s check key is wrong (a warning for AM numbers).
fn check_key_finding(symbols: &[SymbolReport], i: usize, findings: &mut Vec<Finding>) {
    let s = &symbols[i];
    if s.check_key_valid == Some(false) {
        findings.push(Finding {
            code: FindingCode::ChecksumInvalid,
            severity: if s.kind == IdKind::Am {
                Severity::Warning
            } else {
                Severity::Error
            },
            symbol: Some(i),
            message: format!(
                "{} '{}' has a wrong check key (Luhn)",
                s.kind.label(),
                s.value
            ),
        });
    }
}

/// Determines the prescriber or the structure, adding the findings that explain why not
/// (`why`: what the marks showed, for an ambiguous prescriber).
fn determine(
    symbols: &[SymbolReport],
    findings: &mut Vec<Finding>,
    role: Role,
    why: &str,
) -> Option<Identification> {
    let fits = |s: &SymbolReport| {
        s.symbology == Symbology::Code128.as_str()
            && s.read_from == "barcode"
            && match role {
                Role::Prescriber => s.kind == IdKind::Rpps,
                Role::Structure => s.kind.is_structure(),
            }
    };
    let candidates: Vec<usize> = (0..symbols.len()).filter(|&i| fits(&symbols[i])).collect();
    for &i in &candidates {
        check_key_finding(symbols, i, findings);
    }
    let values: BTreeSet<&str> = candidates
        .iter()
        .map(|&i| symbols[i].value.as_str())
        .collect();
    let (missing, ambiguous, what) = match role {
        Role::Prescriber => (
            FindingCode::PrescriberMissing,
            FindingCode::PrescriberAmbiguous,
            "prescriber RPPS",
        ),
        Role::Structure => (
            FindingCode::StructureMissing,
            FindingCode::StructureAmbiguous,
            "structure FINESS or AM",
        ),
    };
    match values.len() {
        0 => {
            findings.push(Finding {
                code: missing,
                severity: Severity::Error,
                symbol: None,
                message: format!("no {what} decoded from a barcode"),
            });
            None
        }
        1 => {
            let i = candidates[0];
            Some(Identification {
                kind: symbols[i].kind,
                value: symbols[i].value.clone(),
                symbol: i,
            })
        }
        n => {
            let listed: Vec<&str> = values.into_iter().collect();
            findings.push(Finding {
                code: ambiguous,
                severity: Severity::Error,
                symbol: None,
                message: if why.is_empty() {
                    format!("{n} different {what} numbers: {}", listed.join(", "))
                } else {
                    format!(
                        "{n} different {what} numbers and {why}: {}",
                        listed.join(", ")
                    )
                },
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symbol of Annexe I's size (25 × 8 mm at 254 dpi), `8 y` pixels down: symbols
    /// placed 50 apart are 32 mm apart, as group pads want.
    fn sym(value: &str, y: f64) -> Symbol {
        let y = 8.0 * y;
        Symbol {
            value: value.to_owned(),
            symbology: Symbology::Code128,
            quad: [[100.0, y], [350.0, y], [350.0, y + 80.0], [100.0, y + 80.0]],
            px_per_module: Some(1.0),
            code_sets: None,
        }
    }

    fn info() -> PageInfo {
        PageInfo {
            file: "x.png".into(),
            page: 1,
            width_px: 3000,
            height_px: 3000,
            dpi: 254.0,
            dpi_source: DpiSource::Assumed,
            timed_out: None,
            label: None,
        }
    }

    fn only(symbols: &[Symbol]) -> Seen<'_> {
        Seen {
            symbols,
            ..Seen::default()
        }
    }

    fn codes(r: &PageReport) -> Vec<FindingCode> {
        r.findings.iter().map(|f| f.code).collect()
    }

    /// A barcode that does not decode, read from its digits: a warning when it repeats
    /// what the decoded ones say, an ambiguity when it gives another number of the role.
    #[test]
    fn digits_of_an_undecoded_barcode_can_contradict_the_decoded_ones() {
        use FindingCode::*;
        let decoded = [sym("10001045367", 0.0), sym("750712184", 50.0)];
        let judged = |value: &str| {
            let recovered = [(
                sym(value, 100.0),
                TextRead {
                    hri: Some(value.to_owned()),
                    hri_confident: true,
                    legend_seen: true,
                    hri_seen: true,
                    ..TextRead::default()
                },
            )];
            judge(
                &info(),
                &Seen {
                    symbols: &decoded,
                    recovered: &recovered,
                    ..Seen::default()
                },
                Rules::default(),
            )
        };
        // Another FINESS under a barcode that does not decode: two structures.
        let r = judged("010780054");
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.structure, None);
        assert!(codes(&r).contains(&StructureAmbiguous), "{:?}", r.findings);
        assert_eq!(r.symbols[2].read_from, "hri");
        // Another RPPS: two prescribers, none singled out.
        let r = judged("10100224947");
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.prescriber, None);
        assert!(codes(&r).contains(&PrescriberAmbiguous), "{:?}", r.findings);
        assert!(r.structure.is_some());
    }

    /// One row per case: symbols on the page → verdict and finding codes.
    #[test]
    fn verdict_table() {
        use FindingCode::*;
        let cases: Vec<(&str, Vec<&str>, Verdict, Vec<FindingCode>)> = vec![
            (
                "rpps + finess",
                vec!["10001045367", "750712184"],
                Verdict::Pass,
                vec![],
            ),
            (
                "rpps + am",
                vec!["10100224947", "751012345"],
                Verdict::Pass,
                vec![],
            ),
            (
                "no structure",
                vec!["10001045367"],
                Verdict::Fail,
                vec![StructureMissing],
            ),
            (
                "no prescriber",
                vec!["750712184"],
                Verdict::Fail,
                vec![PrescriberMissing],
            ),
            (
                "nothing",
                vec![],
                Verdict::Fail,
                vec![PrescriberMissing, StructureMissing],
            ),
            (
                "group pad, nothing singled out",
                vec!["10001045367", "10100224947", "750712184"],
                Verdict::Fail,
                vec![PrescriberAmbiguous],
            ),
            (
                "same RPPS twice is not ambiguous",
                vec!["10001045367", "10001045367", "750712184"],
                Verdict::Pass,
                vec![],
            ),
            (
                "two FINESS",
                vec!["10001045367", "750712184", "010780054"],
                Verdict::Fail,
                vec![StructureAmbiguous],
            ),
            (
                "bad RPPS key",
                vec!["10001045368", "750712184"],
                Verdict::Fail,
                vec![ChecksumInvalid],
            ),
        ];
        for (name, values, verdict, expected) in cases {
            let symbols: Vec<Symbol> = values
                .iter()
                .enumerate()
                .map(|(i, v)| sym(v, 50.0 * i as f64))
                .collect();
            let r = judge(&info(), &only(&symbols), Rules::default());
            assert_eq!(r.verdict, verdict, "{name}");
            assert_eq!(codes(&r), expected, "{name}");
        }
    }

    #[test]
    fn am_with_bad_key_is_a_warning_that_strict_fails() {
        let am = "751012343";
        assert_eq!(ids::check_key_valid(IdKind::Am, am), Some(false));
        let symbols = [sym("10001045367", 0.0), sym(am, 100.0)];
        let r = judge(&info(), &only(&symbols), Rules::default());
        assert_eq!(r.verdict, Verdict::Pass);
        assert_eq!(r.findings[0].severity, Severity::Warning);
        let strict = judge(
            &info(),
            &only(&symbols),
            Rules {
                strict: true,
                ..Rules::default()
            },
        );
        assert_eq!(strict.verdict, Verdict::Fail);
    }

    #[test]
    fn a_timed_out_page_fails_with_what_was_found() {
        let symbols = [sym("10001045367", 0.0), sym("750712184", 100.0)];
        let info = PageInfo {
            timed_out: Some(std::time::Duration::from_millis(1500)),
            ..info()
        };
        let r = judge(&info, &only(&symbols), Rules::default());
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(codes(&r), vec![FindingCode::Timeout]);
        assert!(
            r.findings[0].message.contains("1.5 s"),
            "{}",
            r.findings[0].message
        );
        assert_eq!(
            r.prescriber.map(|p| p.value).as_deref(),
            Some("10001045367")
        );
    }

    #[test]
    fn sizes_are_in_mm() {
        let r = judge(&info(), &only(&[sym("10001045367", 0.0)]), Rules::default());
        let s = &r.symbols[0];
        assert_eq!(s.width_mm, Some(25.0));
        assert_eq!(s.height_mm, Some(8.0));
        assert_eq!(s.x_dim_mm, Some(0.1));
    }

    /// What is printed around the symbols → kind, hri fields, findings.
    #[test]
    fn legend_and_hri_table() {
        use FindingCode::*;
        let text = |legend: Option<(&str, IdKind)>, hri: Option<&str>, confident: bool| TextRead {
            legend: legend.map(|l| l.0.to_owned()),
            legend_kind: legend.map(|l| l.1),
            hri: hri.map(str::to_owned),
            hri_confident: confident,
            // Printed, read or not: no `*_missing` warning.
            legend_seen: true,
            hri_seen: true,
            ..TextRead::default()
        };
        let rpps = Some(("N° RPPS", IdKind::Rpps));
        let finess = Some(("N° FINESS", IdKind::Finess));
        let am = Some(("N° AM", IdKind::Am));
        // (RPPS symbol's text, structure symbol's text, structure value) →
        // (structure kind, RPPS hri_match, findings, verdict)
        type Row = (
            TextRead,
            TextRead,
            &'static str,
            IdKind,
            Option<bool>,
            Vec<FindingCode>,
            Verdict,
        );
        let rows: Vec<Row> = vec![
            // Everything agrees.
            (
                text(rpps, Some("10001045367"), true),
                text(finess, None, false),
                "750712184",
                IdKind::Finess,
                Some(true),
                vec![],
                Verdict::Pass,
            ),
            // The legend names AM over a value whose shape says FINESS: the legend wins.
            (
                text(rpps, None, false),
                text(am, None, false),
                "750712184",
                IdKind::Am,
                None,
                vec![],
                Verdict::Pass,
            ),
            // Printed digits differ from the bars.
            (
                text(rpps, Some("10001045376"), true),
                text(finess, None, false),
                "750712184",
                IdKind::Finess,
                Some(false),
                vec![HriMismatch],
                Verdict::Fail,
            ),
            // An unclear HRI is neither reported nor compared.
            (
                text(rpps, Some("10001045376"), false),
                text(finess, None, false),
                "750712184",
                IdKind::Finess,
                None,
                vec![],
                Verdict::Pass,
            ),
            // A FINESS legend above the RPPS symbol.
            (
                text(finess, None, false),
                text(finess, None, false),
                "750712184",
                IdKind::Finess,
                None,
                vec![LegendMismatch],
                Verdict::Fail,
            ),
        ];
        for (i, (t0, t1, structure, kind, hri_match, findings, verdict)) in
            rows.into_iter().enumerate()
        {
            let symbols = [sym("10001045367", 0.0), sym(structure, 100.0)];
            let r = judge(
                &info(),
                &Seen {
                    symbols: &symbols,
                    texts: &[t0, t1],
                    ..Seen::default()
                },
                Rules::default(),
            );
            assert_eq!(r.symbols[0].kind, IdKind::Rpps, "row {i}");
            assert_eq!(r.symbols[1].kind, kind, "row {i}");
            assert_eq!(r.symbols[0].hri_match, hri_match, "row {i}");
            assert_eq!(codes(&r), findings, "row {i}");
            assert_eq!(r.verdict, verdict, "row {i}");
        }
    }

    #[test]
    fn hand_marks_single_out_the_prescriber_or_leave_it_ambiguous() {
        let plain = Evidence::default();
        let circled = Evidence {
            ring: 1.0,
            solid_ring: 1.0,
            ..plain
        };
        let doubtful = Evidence { ring: 0.6, ..plain };
        // A stamp's box over the bars (seed 2026 page 312).
        let stamped = Evidence {
            ring: 0.625,
            beside: 7.25,
            below: 13.75,
            near: 8.44,
            corners: 3.06,
            strike: 0.72,
            strike_level: 0.76,
            ..plain
        };
        let struck = Evidence {
            strike: 0.9,
            ..plain
        };
        let symbols = [
            sym("10001045367", 0.0),
            sym("10002345675", 100.0),
            sym("10003456786", 200.0),
            sym("750712184", 300.0),
        ];
        // Marks of the three RPPS symbols → prescriber's symbol, or the reason it is
        // ambiguous.
        let rows: [([Evidence; 3], Result<usize, &str>); 11] = [
            ([circled, plain, plain], Ok(0)),
            ([plain, plain, circled], Ok(2)),
            ([circled, doubtful, plain], Err("another may be marked")),
            ([stamped, plain, circled], Ok(2)),
            ([stamped, doubtful, circled], Err("another may be marked")),
            ([stamped, plain, plain], Err("none is singled out")),
            ([struck, plain, struck], Ok(1)),
            ([struck, circled, plain], Ok(1)),
            ([struck, circled, doubtful], Err("left standing")),
            ([struck, plain, plain], Err("left standing")),
            ([plain, plain, plain], Err("none is singled out")),
        ];
        for (i, (marks, expected)) in rows.into_iter().enumerate() {
            let marks: Vec<Option<Evidence>> = marks.into_iter().map(Some).chain([None]).collect();
            let r = judge(
                &info(),
                &Seen {
                    symbols: &symbols,
                    marks: &marks,
                    ..Seen::default()
                },
                Rules::default(),
            );
            match expected {
                Ok(k) => {
                    assert_eq!(r.prescriber.as_ref().map(|p| p.symbol), Some(k), "row {i}");
                    assert_eq!(r.verdict, Verdict::Pass, "row {i}");
                    let marked: Vec<Option<bool>> = r.symbols.iter().map(|s| s.marked).collect();
                    let mut want = vec![Some(false); 3];
                    want[k] = Some(true);
                    want.push(None);
                    assert_eq!(marked, want, "row {i}");
                }
                Err(why) => {
                    assert_eq!(r.prescriber, None, "row {i}");
                    let f = r
                        .findings
                        .iter()
                        .find(|f| f.code == FindingCode::PrescriberAmbiguous)
                        .unwrap_or_else(|| panic!("row {i}: {:?}", r.findings));
                    assert!(f.message.contains(why), "row {i}: {}", f.message);
                }
            }
        }
        // The same number twice is one prescriber, marks or not.
        let twice = [
            sym("10001045367", 0.0),
            sym("10001045367", 100.0),
            sym("750712184", 200.0),
        ];
        let r = judge(&info(), &only(&twice), Rules::default());
        assert_eq!(r.verdict, Verdict::Pass);
        assert!(r.symbols.iter().all(|s| s.marked.is_none()));
    }
}
