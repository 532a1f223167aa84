//! The identifiers printed on a prescription, and their check keys.
//!
//! French prescriptions identify their author twice (arrêté du 10 août 2010, Instruction
//! DGOS/MSIOS n° 2010-396, Annexe I):
//!
//! - **RPPS** (*Répertoire partagé des professionnels de santé*): the prescriber's personal
//!   number, 11 digits starting with `1` (every published number starts `10`). Its last
//!   digit is a Luhn key over all 11 digits: `10001045367`, `10100224947` and
//!   `10005173140` are real published numbers that pass. The national directory also shows
//!   a 12-character form, `8` + RPPS (`810001045367`), which fails Luhn as a whole; such a
//!   value is reported as read and its embedded 11-digit RPPS is checked.
//! - **FINESS** (*Fichier national des établissements sanitaires et sociaux*): the
//!   structure's number, 9 characters: a 2-character département (`01`–`95`, `2A`, `2B`,
//!   or 3 digits `97x`/`98x` overseas), 6 digits and a check digit; Luhn over all 9 when all
//!   are digits (real: `010780054`, `750712184`, `060786738`). No source establishes how
//!   Corsica's `2A`/`2B` enter the key, so a Corsican FINESS gets `None` (unknown), never a
//!   false "invalid". Juridique and géographique numbers share the format.
//! - **AM** (*numéro d'Assurance Maladie* of a private practice, printed instead of the
//!   FINESS): 9 digits starting with the département, then the professional category
//!   (`1` for a doctor). A Luhn key over all 9 is likely (as for ADELI numbers) but not
//!   confirmed, so the judge reports a failing AM key as a warning only.
//! - **ADELI** (9 digits, Luhn) is the older directory; a 9-digit number found under an
//!   `N° RPPS` legend is a legend mismatch, not an RPPS.
//!
//! This module only looks at strings: it never touches pixels or findings.

use serde::Serialize;

/// What an identifier is, from its legend or, failing that, from its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdKind {
    /// A prescriber's RPPS number (11 digits, or the 12-character `8` + RPPS form).
    Rpps,
    /// A structure's FINESS number (9 characters).
    Finess,
    /// A private practice's Assurance Maladie number (9 digits).
    Am,
    /// Anything else.
    Unknown,
}

impl IdKind {
    /// Whether this kind identifies the structure (FINESS or AM) rather than the prescriber.
    pub fn is_structure(self) -> bool {
        matches!(self, IdKind::Finess | IdKind::Am)
    }

    /// The word used for this kind in messages and the human report.
    pub fn label(self) -> &'static str {
        match self {
            IdKind::Rpps => "RPPS",
            IdKind::Finess => "FINESS",
            IdKind::Am => "AM",
            IdKind::Unknown => "unknown",
        }
    }
}

/// Whether `digits` (ASCII digits only) passes the Luhn mod-10 check.
///
/// Returns `false` for an empty string or any non-digit character.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The Luhn check digit that completes `payload` (ASCII digits) into a valid number.
pub fn luhn_check_digit(payload: &str) -> Option<char> {
    (0..10u8)
        .map(|d| char::from(b'0' + d))
        .find(|&c| luhn_valid(&format!("{payload}{c}")))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The 11-digit RPPS inside `value`: the value itself, or the tail of the `8` + RPPS form.
pub fn rpps_core(value: &str) -> Option<&str> {
    let core = match value.len() {
        11 => value,
        12 if value.starts_with('8') => &value[1..],
        _ => return None,
    };
    (all_digits(core) && core.starts_with('1')).then_some(core)
}

/// Length of the département prefix of a 9-character structure number, if it has one.
fn departement_len(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    match (b[0], b[1]) {
        (b'2', b'A' | b'B') => Some(2),
        (b'9', b'7' | b'8') if b[2].is_ascii_digit() => Some(3),
        (d0 @ b'0'..=b'9', d1 @ b'0'..=b'9') => {
            let n = (d0 - b'0') * 10 + (d1 - b'0');
            (1..=95).contains(&n).then_some(2)
        }
        _ => None,
    }
}

/// Whether `value` is a Corsican structure number (`2A…` or `2B…`).
pub fn is_corsican(value: &str) -> bool {
    value.starts_with("2A") || value.starts_with("2B")
}

/// Whether `value` has the shape of a 9-character structure number (FINESS or AM).
fn is_structure_shape(value: &str) -> bool {
    value.len() == 9
        && departement_len(value).is_some()
        && value[2..].bytes().all(|b| b.is_ascii_digit())
}

/// The kind a value has by its shape alone, used when no legend was read.
///
/// FINESS and AM numbers share their shape; the character after the département tells
/// them apart in practice (FINESS establishment numbers carry `0` there, AM numbers the
/// professional category, `1` for a doctor). This is a heuristic: the legend, when it is
/// read, always wins.
pub fn kind_from_shape(value: &str) -> IdKind {
    if rpps_core(value).is_some() {
        return IdKind::Rpps;
    }
    if !is_structure_shape(value) {
        return IdKind::Unknown;
    }
    if is_corsican(value) {
        return IdKind::Finess;
    }
    let dep = departement_len(value).unwrap_or(2);
    if value.as_bytes()[dep] == b'0' {
        IdKind::Finess
    } else {
        IdKind::Am
    }
}

/// Whether `value`'s check key is valid for `kind`: `None` when it cannot be known
/// (a Corsican FINESS, a value of the wrong shape for its kind, an unknown kind).
pub fn check_key_valid(kind: IdKind, value: &str) -> Option<bool> {
    match kind {
        IdKind::Rpps => rpps_core(value).map(luhn_valid),
        IdKind::Finess if is_structure_shape(value) => {
            (!is_corsican(value)).then(|| luhn_valid(value))
        }
        IdKind::Am if is_structure_shape(value) && all_digits(value) => Some(luhn_valid(value)),
        _ => None,
    }
}

/// Whether `value` has the shape `kind` requires (11-digit or `8`+RPPS; 9-character
/// structure number).
pub fn fits_kind(kind: IdKind, value: &str) -> bool {
    match kind {
        IdKind::Rpps => rpps_core(value).is_some(),
        IdKind::Finess => is_structure_shape(value),
        IdKind::Am => is_structure_shape(value) && all_digits(value),
        IdKind::Unknown => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REAL_RPPS: [&str; 3] = ["10001045367", "10100224947", "10005173140"];
    const REAL_FINESS: [&str; 3] = ["010780054", "750712184", "060786738"];

    #[test]
    fn real_rpps_numbers_pass() {
        for v in REAL_RPPS {
            assert_eq!(kind_from_shape(v), IdKind::Rpps, "{v}");
            assert_eq!(check_key_valid(IdKind::Rpps, v), Some(true), "{v}");
        }
    }

    #[test]
    fn real_finess_numbers_pass() {
        for v in REAL_FINESS {
            assert_eq!(kind_from_shape(v), IdKind::Finess, "{v}");
            assert_eq!(check_key_valid(IdKind::Finess, v), Some(true), "{v}");
        }
    }

    #[test]
    fn national_rpps_form_is_recognised_and_checked_on_its_core() {
        let v = "810001045367";
        assert!(
            !luhn_valid(v),
            "the 12-character form fails Luhn as a whole"
        );
        assert_eq!(kind_from_shape(v), IdKind::Rpps);
        assert_eq!(rpps_core(v), Some("10001045367"));
        assert_eq!(check_key_valid(IdKind::Rpps, v), Some(true));
        assert_eq!(check_key_valid(IdKind::Rpps, "810001045368"), Some(false));
    }

    #[test]
    fn corsican_finess_key_is_unknown_never_invalid() {
        for v in ["2A0000061", "2B0001234", "2A9999999"] {
            assert_eq!(kind_from_shape(v), IdKind::Finess, "{v}");
            assert_eq!(check_key_valid(IdKind::Finess, v), None, "{v}");
        }
    }

    #[test]
    fn wrong_keys_are_reported_invalid() {
        assert_eq!(check_key_valid(IdKind::Rpps, "10001045368"), Some(false));
        assert_eq!(check_key_valid(IdKind::Finess, "010780055"), Some(false));
        assert_eq!(
            check_key_valid(IdKind::Am, "751234560"),
            Some(luhn_valid("751234560"))
        );
    }

    #[test]
    fn shapes_classify() {
        assert_eq!(kind_from_shape("751012345"), IdKind::Am);
        assert_eq!(kind_from_shape("971012345"), IdKind::Finess);
        assert_eq!(kind_from_shape("9710123456"), IdKind::Unknown);
        assert_eq!(
            kind_from_shape("001234567"),
            IdKind::Unknown,
            "département 00"
        );
        assert_eq!(
            kind_from_shape("961234567"),
            IdKind::Unknown,
            "département 96"
        );
        assert_eq!(
            kind_from_shape("20001045367"),
            IdKind::Unknown,
            "RPPS starts with 1"
        );
        assert_eq!(kind_from_shape("ABC"), IdKind::Unknown);
        assert!(!fits_kind(IdKind::Rpps, "750712184"));
        assert!(fits_kind(IdKind::Finess, "2B0001234"));
        assert!(!fits_kind(IdKind::Am, "2B0001234"));
    }

    #[test]
    fn check_digit_completes_payload() {
        assert_eq!(luhn_check_digit("1000104536"), Some('7'));
        assert_eq!(luhn_check_digit("01078005"), Some('4'));
    }

    /// Every number with a valid key, every single-digit error of it, and every adjacent
    /// transposition except 0↔9 (which Luhn cannot see).
    fn assert_errors_caught(valid: &str) -> Result<(), TestCaseError> {
        prop_assert!(luhn_valid(valid));
        let b = valid.as_bytes();
        for i in 0..b.len() {
            for d in b'0'..=b'9' {
                if d == b[i] {
                    continue;
                }
                let mut e = b.to_vec();
                e[i] = d;
                let e = String::from_utf8(e).unwrap();
                prop_assert!(!luhn_valid(&e), "single-digit error {valid} -> {e}");
            }
        }
        for i in 0..b.len() - 1 {
            let (x, y) = (b[i], b[i + 1]);
            if x == y || (x.min(y) == b'0' && x.max(y) == b'9') {
                continue;
            }
            let mut e = b.to_vec();
            e.swap(i, i + 1);
            let e = String::from_utf8(e).unwrap();
            prop_assert!(!luhn_valid(&e), "transposition {valid} -> {e}");
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn rpps_errors_are_caught(body in "1[0-9]{9}") {
            let key = luhn_check_digit(&body).unwrap();
            let rpps = format!("{body}{key}");
            prop_assert_eq!(check_key_valid(IdKind::Rpps, &rpps), Some(true));
            assert_errors_caught(&rpps)?;
        }

        #[test]
        fn finess_errors_are_caught(dep in 1u32..=95, body in "[0-9]{6}") {
            let payload = format!("{dep:02}{body}");
            let key = luhn_check_digit(&payload).unwrap();
            let finess = format!("{payload}{key}");
            prop_assert_eq!(check_key_valid(IdKind::Finess, &finess), Some(true));
            assert_errors_caught(&finess)?;
        }
    }
}
