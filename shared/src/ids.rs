//! Identifiers of the programme: IPA codes, CUPs, ISTAT codes and VAT numbers.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The code of a public body in the IPA register (*codice IPA*), e.g. `c_d969`.
///
/// The published data does not case it consistently (`c_d969`, `C_C078`), so two codes
/// are equal when they are equal ignoring ASCII case; the spelling given is kept so
/// that an export gives back exactly what was imported.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpaCode(String);

impl IpaCode {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("IPA code", input, "is empty"));
        }
        if s.len() > 40 {
            return Err(ParseError::new(
                "IPA code",
                input,
                "is longer than 40 characters",
            ));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.'))
        {
            return Err(ParseError::new(
                "IPA code",
                input,
                format!("contains {c:?}; only letters, digits, '_', '-' and '.' are allowed"),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The code as it was written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical (lower-case) form, used as the unique key.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl PartialEq for IpaCode {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for IpaCode {}
impl Hash for IpaCode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

/// The national project code (*Codice Unico di Progetto*).
///
/// Stored upper-case, so that a CUP written in lower case by an older snapshot is the same
/// project. The official structure (see [`Cup::structure_problem`]) is **not** enforced:
/// the published data holds real, funded, counted projects whose CUP breaks it (16
/// characters, a letter O for a zero, a leading digit), and a faithful copy of the
/// programme must keep them. Only what cannot be a key at all is refused: an empty
/// value, blanks inside, or more than [`Cup::MAX_LEN`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cup(String);

impl Cup {
    /// The length of a CUP that follows the official structure.
    pub const LEN: usize = 15;
    /// The longest value kept as a CUP (the database column's width).
    pub const MAX_LEN: usize = 40;

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("CUP", input, "is empty"));
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(ParseError::new(
                "CUP",
                input,
                format!("contains {c:?}; a CUP is written without blanks"),
            ));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(ParseError::new(
                "CUP",
                input,
                format!(
                    "is longer than {} characters; a CUP has {}",
                    Self::MAX_LEN,
                    Self::LEN
                ),
            ));
        }
        Ok(Self(s.to_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How this CUP breaks the official structure, in words, or `None` when it follows it:
    /// 15 characters, a letter, two digits, a letter, then eleven digits (the year in
    /// positions 5-6), as in `B31C22000060007`.
    pub fn structure_problem(&self) -> Option<String> {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() != Self::LEN {
            return Some(format!(
                "has {} characters, a CUP has {}",
                chars.len(),
                Self::LEN
            ));
        }
        if let Some(c) = chars.iter().find(|c| !c.is_ascii_alphanumeric()) {
            return Some(format!("contains {c:?}; a CUP has only letters and digits"));
        }
        let letter_at = [0usize, 3];
        for (i, c) in chars.iter().enumerate() {
            let position = i + 1;
            if letter_at.contains(&i) {
                if !c.is_ascii_uppercase() {
                    return Some(format!(
                        "has {c:?} in position {position}, where a CUP has a letter"
                    ));
                }
            } else if !c.is_ascii_digit() {
                return Some(if *c == 'O' {
                    format!("has the letter O in position {position}, where a CUP has a digit (a zero?)")
                } else {
                    format!("has {c:?} in position {position}, where a CUP has a digit")
                });
            }
        }
        None
    }
}

/// An ISTAT territorial code, kept as text with its leading zeros:
/// 2 digits for a region, 3 for a province, 6 for a comune.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IstatCode(String);

/// What an [`IstatCode`] designates, from its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IstatLevel {
    Region,
    Province,
    Comune,
}

impl IstatCode {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("ISTAT code", input, "is empty"));
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "ISTAT code",
                input,
                "must contain digits only",
            ));
        }
        match s.len() {
            2 | 3 | 6 => Ok(Self(s.to_owned())),
            n => Err(ParseError::new(
                "ISTAT code",
                input,
                format!("has {n} digits; expected 2 (region), 3 (province) or 6 (comune)"),
            )),
        }
    }

    /// Parses a code that must be of the given level.
    pub fn parse_level(input: &str, level: IstatLevel) -> Result<Self, ParseError> {
        let code = Self::parse(input)?;
        if code.level() == level {
            Ok(code)
        } else {
            Err(ParseError::new(
                "ISTAT code",
                input,
                format!("is not a {level:?} code"),
            ))
        }
    }

    pub fn level(&self) -> IstatLevel {
        match self.0.len() {
            2 => IstatLevel::Region,
            3 => IstatLevel::Province,
            _ => IstatLevel::Comune,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An Italian VAT number (*partita IVA*): 11 digits with a check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VatNumber(String);

impl VatNumber {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        let s = s
            .strip_prefix("IT")
            .or_else(|| s.strip_prefix("it"))
            .unwrap_or(s);
        if s.len() != 11 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new("VAT number", input, "must be 11 digits"));
        }
        let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = digits[..10]
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 0 {
                    d
                } else {
                    let x = d * 2;
                    if x > 9 {
                        x - 9
                    } else {
                        x
                    }
                }
            })
            .sum();
        let check = (10 - sum % 10) % 10;
        if check != digits[10] {
            return Err(ParseError::new(
                "VAT number",
                input,
                "has a wrong check digit",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($($t:ident),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $t {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl std::str::FromStr for $t {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    )*};
}
string_newtype_impls!(IpaCode, Cup, IstatCode, VatNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipa_codes_compare_ignoring_case_but_keep_their_spelling() {
        let a = IpaCode::parse("C_C078").unwrap();
        let b = IpaCode::parse("c_c078").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "C_C078");
        assert_eq!(a.key(), "c_c078");
    }

    #[test]
    fn ipa_code_refuses_spaces_and_empty() {
        assert!(IpaCode::parse("").is_err());
        assert!(IpaCode::parse("c d969").is_err());
    }

    #[test]
    fn a_cup_is_kept_upper_case_and_only_blanks_or_nothing_are_refused() {
        assert_eq!(
            Cup::parse("b31c22000060007").unwrap().as_str(),
            "B31C22000060007"
        );
        assert_eq!(
            Cup::parse(" B31C22000060007 ").unwrap().as_str(),
            "B31C22000060007"
        );
        assert!(Cup::parse("").is_err());
        assert!(Cup::parse("B31C 22000060007").is_err());
        assert!(Cup::parse(&"A".repeat(41)).is_err());
    }

    #[test]
    fn published_cups_that_break_the_structure_are_cups_with_a_reason() {
        // The real published values of candidature_12.csv and later snapshots.
        let problem = |s: &str| Cup::parse(s).unwrap().structure_problem();
        assert_eq!(problem("B31C22000060007"), None);
        assert!(problem("E41C22OO1540006")
            .unwrap()
            .contains("letter O in position 7"));
        assert!(problem("281C22000980006").unwrap().contains("position 1"));
        assert!(problem("G81CC2200174000").unwrap().contains("position 5"));
        assert!(problem("B31C220000600071")
            .unwrap()
            .contains("16 characters"));
        assert!(problem("B31C2200006000").unwrap().contains("14 characters"));
        assert!(problem("B31C22000-60007").unwrap().contains("'-'"));
    }

    #[test]
    fn istat_codes_keep_leading_zeros_and_know_their_level() {
        let c = IstatCode::parse("010025").unwrap();
        assert_eq!(c.as_str(), "010025");
        assert_eq!(c.level(), IstatLevel::Comune);
        assert_eq!(IstatCode::parse("07").unwrap().level(), IstatLevel::Region);
        assert!(IstatCode::parse("7a").is_err());
        assert!(IstatCode::parse("0100").is_err());
        assert!(IstatCode::parse_level("010", IstatLevel::Region).is_err());
    }

    #[test]
    fn vat_numbers_check_their_check_digit() {
        // TIM S.p.A.
        assert!(VatNumber::parse("00488410010").is_ok());
        assert!(VatNumber::parse("IT00488410010").is_ok());
        assert!(VatNumber::parse("00488410011").is_err());
        assert!(VatNumber::parse("1234").is_err());
    }
}
